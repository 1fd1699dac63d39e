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


# --- other units' reports of the same template -----------------------------------------------
# Each is the 2023 text with what another unit prints instead; the tests read from it the figures that unit's
# report states.

# Line 59-71 of 2023: the 三公 section. A unit that spent nothing prints zeros, 持平 for the change and a fleet
# of 0 vehicles (line 83, the assets' count of vehicles, says the same).
ZERO_THREE_PUBLIC = {
    59: ("617.37万元，完成预算95.3%，较上年度增加437.37万元，增长242.9%。决算数小于预算数主要原因是公务用车购置支付"
         "金额为新购执勤执法车辆实际购买价,2023年未产生公务接待费支出。", "0万元，与上年度持平。"),
    61: ("公务用车购置及运行维护费支出决算617.37万元，占100%", "公务用车购置及运行维护费支出决算0万元，占0%"),
    65: ("617.37万元,完成预算93.6%。公务用车购置及运行维护费支出决算比2022年度增加437.37万元，同比增长242.9%。"
         "主要原因是2023年新购执勤执法车辆15辆、警用摩托车38辆。",
         "0万元,完成预算0%。公务用车购置及运行维护费支出决算与2022年度持平。"),
    66: ("公务用车购置支出447.37万元。全年按规定更新购置公务用车15辆，其中：轿车14辆、金额234.47万元，其他车型1辆，"
         "金额21.97万元。主要是用于公安执勤执法、道路交通管理等工作。截至2023年12月31日，单位共有公务用车112辆，"
         "其中：轿车40辆、越野车2辆、小型客车2辆、中型客车和大型客车1辆、其他车型67辆。",
         "公务用车购置支出0万元。截至2023年12月31日，单位共有公务用车0辆。"),
    67: ("公务用车运行维护费支出170万元。", "公务用车运行维护费支出0万元。"),
    83: ("共有车辆112辆，其中：执法执勤用车82辆，其他用车30辆，主要是用于公安执勤执法、道路交通管理等工作。",
         "共有车辆0辆。"),
}
ONE_SENTENCE_THREE_PUBLIC = "本单位2023年度无财政拨款“三公”经费支出，与上年持平。"


def zero_three_public() -> str:
    return edit_lines(ZERO_THREE_PUBLIC)


def one_sentence_three_public() -> str:
    """Section 七 reduced to its heading (line 57) and one sentence in place of lines 58-71."""
    lines = lines_2023()
    assert lines[56] == "七、财政拨款“三公”经费支出决算情况说明" and lines[71] == "八、政府性基金预算支出决算情况说明"
    lines[57:71] = [ONE_SENTENCE_THREE_PUBLIC]
    text = "\n".join(lines)
    return replace(text, ZERO_THREE_PUBLIC[83][0], ZERO_THREE_PUBLIC[83][1])


FIRST_TABLE_LINE = 194  # 部门预算项目支出绩效自评表（2023年度）
APPENDIX_LINE = 7370    # 第五部分 附表


def without_project_tables() -> str:
    """The report of a unit that publishes its self-evaluations (绩效自评) apart: no project tables."""
    lines = lines_2023()
    assert lines[FIRST_TABLE_LINE - 1] == "\t部门预算项目支出绩效自评表（2023年度）"
    assert lines[APPENDIX_LINE - 1] == "第五部分 附表"
    return "\n".join(lines[: FIRST_TABLE_LINE - 1] + lines[APPENDIX_LINE - 1:])


AMOUNT_IN_WAN = re.compile(r"(?<![\d.,])(\d[\d,]*(?:\.\d+)?)万元(?!以上)")


def amounts_in_yuan(text: str) -> str:
    """Every amount of the prose printed in 元 with fen (17,211.32万元 -> 172,113,200.00元); the 单价50万元以上
    thresholds of line 83 are words of the sentence, not amounts, and stay."""
    from decimal import Decimal

    def yuan(match: re.Match) -> str:
        return f"{Decimal(match.group(1).replace(',', '')) * 10000:,.2f}元"

    return in_prose(text, lambda line: AMOUNT_IN_WAN.sub(yuan, line))


def indented(text: str, indent: str) -> str:
    """Every non-empty prose line led by `indent` (Word's full-width 　　, or spaces)."""
    return in_prose(text, lambda line: indent + line if line.strip() else line)


# An education bureau: its name, its 机构设置 sentence and its 教育支出 classes (lines 36, 40-51).
EDUCATION_UNIT = "泸州市教育局"
EDUCATION_CLASSES = [  # (line, as printed in 2023, as the bureau prints it: its classes, its items numbered 1、)
    (36, "公共安全支出15,737.52万元", "教育支出15,737.52万元"),
    (40, "公共安全支出（类）公安（款）行政运行（项）", "1、教育支出（类）教育管理事务（款）行政运行（项）"),
    (42, "公共安全支出（类）公安（款） 一般行政管理事务（项）", "教育支出（类）普通教育（款）高中教育（项）"),
    (43, "公共安全支出（类）公安（款）执法办案（项）", "教育支出（类）职业教育（款）中等职业教育（项）"),
    (44, "3. 社会保障和就业支出（类）", "2、社会保障和就业支出（类）"),
    (48, "4. 卫生健康支出（类）", "3、卫生健康支出（类）"),
    (50, "5.住房保障支出（类）", "4、住房保障支出（类）"),
]


def education_bureau() -> str:
    text = replace(text_2023(), "泸州市公安局交通警察支队", EDUCATION_UNIT, 0)
    text = replace_line(text, 7, f"{EDUCATION_UNIT}属市公安局下属独立核算的一级财务核算单位，下属二级单位0个。",
                        f"　　{EDUCATION_UNIT}是市人民政府工作部门，下属二级单位0个。")
    for line, old, new in EDUCATION_CLASSES:
        text = replace_line(text, line, old, new)
    return text


FIRST_TABLE_BUDGET = (220, 290)  # 年度预算数（万元） to the last funding row of 辅警经费
TABLE_AMOUNT = re.compile(r"^\t(\d[\d,]*\.\d+)$")


def first_table_in_yuan(unit: str = "元") -> str:
    """The first project table (辅警经费) with its budget header and amounts in 元 (2,808.00 -> 28,080,000.00)."""
    from decimal import Decimal

    lines = lines_2023()
    first, last = FIRST_TABLE_BUDGET
    lines[first - 1] = replace(lines[first - 1], "年度预算数（万元）", f"年度预算数（{unit}）")
    converted = 0
    for index in range(first, last):
        match = TABLE_AMOUNT.match(lines[index])
        if match:
            lines[index] = f"\t{Decimal(match.group(1).replace(',', '')) * 10000:,.2f}"
            converted += 1
    assert converted == 12, converted  # 总额, 财政资金, 财政专户管理资金, 单位资金: 3 amounts each; 其他资金 blank
    return "\n".join(lines)
