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


# The 2024 report: what the 2023 one would say a year later. Its totals rise to 17,500.00 (+288.68 on
# 2023's 17,211.32, so the 2023 figure it implies agrees with 2023's report); its 三公 fall to 500.00
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
    text = replace(text, "“三公”经费财政拨款支出决算为617.37万元，完成预算95.3%，较上年度增加437.37万元，增长242.9%",
                   "“三公”经费财政拨款支出决算为500.00万元，完成预算95.3%，较上年度减少117.37万元，下降19.0%")
    text = replace(text, "51050022T000000367054-辅警经费", f"{AUXILIARY_CODE_2024}-辅警经费")
    for line in (233, 243):  # 预算执行数 of the 总额 and 其中：财政资金 rows; 调整后预算数 (232, 242) stays
        text = replace_line(text, line, "2,879.25", "2,900.00")
        text = replace_line(text, line + 1, "100.00%", "100.72%")
    return text
