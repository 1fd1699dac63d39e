"""Variant reports made from the 2023 text: next year's report, and the wording and layout other units
and other years of the same Sichuan template use.

Every edit goes through `replace`, which fails when the text to change is not there as often as expected,
so a variant can never silently be the unchanged 2023 report.
"""

from __future__ import annotations

import re

from helpers import paths

REPORT_2023 = paths.RAW / "2023" / "luzhou_traffic_police_2023_final_accounts.txt"


def text_2023() -> str:
    return REPORT_2023.read_text(encoding="utf-8")


def replace(text: str, old: str, new: str, count: int = 1) -> str:
    """`text` with `old` replaced by `new`; `old` must occur exactly `count` times (0 = at least once)."""
    found = text.count(old)
    assert found == count or (count == 0 and found > 0), f"expected {count or 'some'} × {old!r}, found {found}"
    return text.replace(old, new)


def replace_line(text: str, line: int, old: str, new: str) -> str:
    """`text` with `old` replaced by `new` on one line (1-based), which must hold `old` once."""
    lines = text.split("\n")
    lines[line - 1] = replace(lines[line - 1], old, new)
    return "\n".join(lines)


def shift_years(text: str, by: int = 1) -> str:
    """Every year (a free-standing 20xx, not digits inside a project code) moved by `by`."""
    return re.sub(r"(?<![\d.,])(20[0-4]\d)(?![\d.,%])", lambda m: str(int(m.group(1)) + by), text)


# The 2024 report: what the 2023 one would say a year later. Its totals (收、支总计, 本年收入合计, 本年支出合计;
# 项目支出 9,103.10) rise to 17,500.00 (+288.68 on 2023's 17,211.32, so the 2023 figure it implies agrees
# with 2023's report); its 三公 fall to 500.00
# (−117.37 on 617.37); it keeps the 2023 text's "与2023年全年财政下达预算18,100.64万元" (years shifted), a
# restatement that disagrees with the 2023 report's own 17,211.32. 辅警经费 gets a new code and spends
# 2,900.00 instead of 2,879.25.
TOTAL_2024 = 17500.00
AUXILIARY_CODE_2024 = "51050024T000000412345"


def report_2024() -> str:
    text = shift_years(text_2023())
    old_total = "收、支总计均为17,211.32万元，与2023年度相比，减少889.32万元，下降4.9%"
    text = replace(text, old_total, "收、支总计均为17,500.00万元，与2023年度相比，增加288.68万元，增长1.7%", 2)
    text = replace(text, "一般公共预算财政拨款支出17,211.32万元，与2023年度相比，减少889.32万元，下降4.9%",
                   "一般公共预算财政拨款支出17,500.00万元，与2023年度相比，增加288.68万元，增长1.7%")
    text = replace(text, "本年收入合计17,211.32万元，其中：一般公共预算财政拨款收入17,211.32万元",
                   "本年收入合计17,500.00万元，其中：一般公共预算财政拨款收入17,500.00万元")
    text = replace(
        text,
        "本年支出合计17,211.32万元，其中：基本支出8,396.90万元，占48.8%；项目支出8,814.42万元，占51.2%",
        "本年支出合计17,500.00万元，其中：基本支出8,396.90万元，占48.0%；项目支出9,103.10万元，占52.0%",
    )
    text = replace(text, "“三公”经费财政拨款支出决算为617.37万元，完成预算95.3%，较上年度增加437.37万元，增长242.9%",
                   "“三公”经费财政拨款支出决算为500.00万元，完成预算95.3%，较上年度减少117.37万元，下降19.0%")
    text = replace(text, "51050022T000000367054-辅警经费", f"{AUXILIARY_CODE_2024}-辅警经费")
    for line in (233, 243):  # 预算执行数 of the 总额 and 其中：财政资金 rows; 调整后预算数 (232, 242) stays
        text = replace_line(text, line, "2,879.25", "2,900.00")
        text = replace_line(text, line + 1, "100.00%", "100.72%")
    return text


def lines_2023() -> list[str]:
    return text_2023().split("\n")


def edit_lines(edits: dict[int, tuple[str, str]]) -> str:
    """The 2023 text with, on each line (1-based), one piece of text replaced."""
    text = text_2023()
    for line, (old, new) in edits.items():
        text = replace_line(text, line, old, new)
    return text


def in_prose(text: str, convert) -> str:
    """`convert` applied to the prose lines (before the first project table, line 194) only."""
    lines = text.split("\n")
    return "\n".join([convert(line) for line in lines[:193]] + lines[193:])


def drop_line(text: str, line: int, expected: str) -> str:
    """The text without line `line` (1-based), which must read `expected`."""
    lines = text.split("\n")
    assert lines[line - 1] == expected, f"line {line} is {lines[line - 1]!r}, expected {expected!r}"
    return "\n".join(lines[: line - 1] + lines[line:])


def insert_after(text: str, line: int, new_lines: list[str]) -> str:
    lines = text.split("\n")
    return "\n".join(lines[:line] + new_lines + lines[line:])


FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
SECTION_HEADINGS = {  # line: (heading as printed, its title) of the ten sections of 第二部分
    9: ("一、", "收入支出决算总体情况说明"), 22: ("二、", "收入决算情况说明"), 25: (" 三、", "支出决算情况说明"),
    28: (" 四、", "财政拨款收入支出决算总体情况说明"), 31: ("五、", "一般公共预算财政拨款支出决算情况说明"),
    52: ("六、", "一般公共预算财政拨款基本支出决算情况说明"), 57: ("七、", "财政拨款“三公”经费支出决算情况说明"),
    72: ("八、", "政府性基金预算支出决算情况说明"), 74: ("九、", "国有资本经营预算支出决算情况说明"),
    76: ("十、", "其他重要事项的情况说明"),
}


def heading_style(style: str) -> str:
    """The 2023 text with the ten section headings of 第二部分 numbered in another style."""
    numerals = "一二三四五六七八九十"
    text = text_2023()
    for n, (line, (prefix, title)) in enumerate(SECTION_HEADINGS.items()):
        new = {"bracketed": f"（{numerals[n]}）", "arabic": f"{n + 1}.", "arabic_comma": f"{n + 1}、"}[style]
        text = replace_line(text, line, prefix + title, new + title)
    return text
