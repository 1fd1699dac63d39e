"""Another unit's report, made from the 2023 text: the same Sichuan template under another name, with some
figures changed, so that two units of one year (and one unit's 2023 + 2024) can be ingested and built together.

Edits go through tests/variants.py `replace`, which fails when the text to change is not there as often as
expected: a variant can never silently be the unchanged 2023 report.
"""

from __future__ import annotations

from pathlib import Path

from variants import APPENDIX_LINE, FIRST_TABLE_LINE, replace, replace_line, text_2023

LUZHOU = "泸州市公安局交通警察支队"
LUZHOU_ID = "luzhou-traffic-police"           # data/names/units.csv
OTHER = "泸州市某某局"                          # no entry in data/names/units.csv: no gloss, the fallback id
OTHER_ID = "unit-6a4f50cf70"                  # "unit-" + sha1("泸州市某某局")[:10]
OTHER_STEM = "other_unit_2023_final_accounts"
OTHER_TOTAL = 9000.00                          # 收、支总计; last year's then follows from the same change: 9,889.32
OTHER_FLEET = 40                               # line 83 (line 66 still counts 112 by type)
OTHER_AUXILIARY_EXECUTED = 2900.00             # 辅警经费 (lines 233 and 243), 2,879.25 in the 2023 report


def other_unit() -> str:
    """泸州市某某局's 2023 report: its name in all 29 places, totals of 9,000.00 万元 (basic and project 4,500.00
    each), a fleet of 40 on line 83 (25 duty, 15 other) and 辅警经费 executed at 2,900.00 万元."""
    text = replace(text_2023(), LUZHOU, OTHER, count=29)
    text = replace(text, "收、支总计均为17,211.32万元，与2022年度相比，减少889.32万元，下降4.9%",
                   "收、支总计均为9,000.00万元，与2022年度相比，减少889.32万元，下降9.0%", 2)
    text = replace(text, "一般公共预算财政拨款支出17,211.32万元，与2022年度相比，减少889.32万元，下降4.9%",
                   "一般公共预算财政拨款支出9,000.00万元，与2022年度相比，减少889.32万元，下降9.0%")
    text = replace(text, "本年收入合计17,211.32万元，其中：一般公共预算财政拨款收入17,211.32万元",
                   "本年收入合计9,000.00万元，其中：一般公共预算财政拨款收入9,000.00万元")
    text = replace(text,
                   "本年支出合计17,211.32万元，其中：基本支出8,396.90万元，占48.8%；项目支出8,814.42万元，占51.2%",
                   "本年支出合计9,000.00万元，其中：基本支出4,500.00万元，占50.0%；项目支出4,500.00万元，占50.0%")
    text = replace(text, "共有车辆112辆，其中：执法执勤用车82辆，其他用车30辆",
                   f"共有车辆{OTHER_FLEET}辆，其中：执法执勤用车25辆，其他用车15辆")
    for line in (233, 243):  # 预算执行数 of the 总额 and 其中：财政资金 rows of 辅警经费
        text = replace_line(text, line, "2,879.25", "2,900.00")
        text = replace_line(text, line + 1, "100.00%", "100.72%")
    return text


def write_report(folder: Path, year: int, stem: str, text: str) -> Path:
    """`text` saved as data/raw-like <folder>/<year>/<stem>.txt."""
    path = folder / str(year) / f"{stem}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def other_unit_without_tables() -> str:
    """泸州市某某局's report as a unit that publishes its 绩效自评 apart: no project tables (the cut of
    tests/variants.py `without_project_tables`)."""
    lines = other_unit().split("\n")
    assert lines[FIRST_TABLE_LINE - 1] == "\t部门预算项目支出绩效自评表（2023年度）"
    assert lines[APPENDIX_LINE - 1] == "第五部分 附表"
    return "\n".join(lines[: FIRST_TABLE_LINE - 1] + lines[APPENDIX_LINE - 1:])
