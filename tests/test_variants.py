"""Variants of the 2023 report in the wording and layout other units and years of the same template use.

Each test changes one kind of thing (tests/variants.py builds the text) and asserts the exact figures the
tidy data then holds, read from the 2023 report at the line cited. A variant that the reader cannot read
with certainty is an error at its line, never data shifted or dropped.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

import variants
from helpers.data.ingest import build_tables, main, parse_report
from variants import in_prose, replace, replace_line, text_2023

AUXILIARY = "51050022T000000367054"  # 辅警经费, the first project table (lines 194-)


def tidy(tmp_path, text: str, name: str = "variant") -> dict[str, pd.DataFrame]:
    path = tmp_path / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    return build_tables([parse_report(path)])


def fact(tables, metric: str, year: int = 2023) -> tuple[float, int]:
    rows = tables["facts"][(tables["facts"]["metric"] == metric) & (tables["facts"]["year"] == year)]
    assert len(rows) == 1, f"{metric} {year}: {len(rows)} rows"
    return rows.iloc[0]["value"], int(rows.iloc[0]["source_line"])


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    return tidy(tmp_path_factory.mktemp("base"), text_2023())


def same_facts(tables, baseline) -> None:
    columns = ["year", "metric", "value", "source_line", "derived"]
    pd.testing.assert_frame_equal(tables["facts"][columns], baseline["facts"][columns])


def bad(tmp_path, capsys, text: str) -> str:
    path = tmp_path / "variant.txt"
    path.write_text(text, encoding="utf-8")
    assert main([str(path), "--out", str(tmp_path / "tidy")]) == 2
    assert not (tmp_path / "tidy").exists()
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


# --- normalisation -------------------------------------------------------------------------------------

def test_full_width_digits_and_comma(tmp_path):
    # line 10: 收、支总计均为17,211.32万元 … 减少889.32万元，下降4.9%
    text = replace_line(text_2023(), 10, "17,211.32万元", "１７，２１１．３２万元")
    text = replace_line(text, 10, "减少889.32万元，下降4.9%", "减少８８９．３２万元，下降４．９％")
    tables = tidy(tmp_path, text)
    assert fact(tables, "total_income_expenditure") == (17211.32, 10)
    assert fact(tables, "total_expenditure_change") == (-889.32, 10)
    assert fact(tables, "total_expenditure_change_pct")[0] == pytest.approx(-0.049)


def test_half_width_punctuation_everywhere_in_the_prose(tmp_path, baseline):
    half = str.maketrans({"，": ",", "：": ":", "；": ";", "（": "(", "）": ")"})
    tables = tidy(tmp_path, in_prose(text_2023(), lambda line: line.translate(half)))
    same_facts(tables, baseline)
    classes = tables["functional_classification"]
    assert classes[classes["level"] == "类"]["amount"].tolist() == [15737.52, 840.71, 189.63, 443.45]  # line 36
    assert len(tables["glossary"]) == 26
    # Stored text stays the report's own, as typed:
    reason = tables["explanations"].set_index("metric").loc["total_expenditure_change", "text_zh"]
    assert reason.startswith("一是2022年新增国道546线纳溪至赤水(川黔界)段")


@pytest.mark.parametrize("quoted", ['"三公"', "「三公」", "‘三公’", "'三公'"])
def test_quote_marks_around_three_public(tmp_path, quoted):
    tables = tidy(tmp_path, in_prose(text_2023(), lambda line: line.replace("“三公”", quoted)))
    assert fact(tables, "three_public_total") == (617.37, 59)  # line 59
    assert fact(tables, "three_public_change") == (437.37, 59)
    assert fact(tables, "vehicle_purchase_operation") == (617.37, 61)


def test_spaces_around_numbers_units_and_percent(tmp_path):
    text = replace_line(text_2023(), 10, "均为17,211.32万元，与2022年度相比，减少889.32万元，下降4.9%",
                        "均为 17,211.32 万元，与2022年度相比，减少 889.32 万元，下降 4.9 %")
    text = replace_line(text, 26, "基本支出8,396.90万元，占48.8%", "基本支出 8,396.90　万元，占 48.8 %")
    tables = tidy(tmp_path, text)
    assert fact(tables, "total_income_expenditure") == (17211.32, 10)
    assert fact(tables, "total_expenditure_change") == (-889.32, 10)
    assert fact(tables, "basic_expenditure") == (8396.90, 26)
    assert fact(tables, "basic_expenditure_share")[0] == pytest.approx(0.488)


def test_crlf_line_ends_and_byte_order_mark(tmp_path, baseline):
    path = tmp_path / "variant.txt"
    path.write_bytes(b"\xef\xbb\xbf" + text_2023().replace("\n", "\r\n").encode("utf-8"))
    tables = build_tables([parse_report(path)])
    same_facts(tables, baseline)
    pd.testing.assert_frame_equal(
        tables["projects"].drop(columns="report"), baseline["projects"].drop(columns="report")
    )


# --- sentence patterns from the phrase tables ----------------------------------------------------------

@pytest.mark.parametrize(
    "comparison", ["与上年相比，", "与上年度相比，", "比上年", "较上年度", "较2022年", "比2022年度"]
)
def test_comparison_words(tmp_path, comparison):
    text = replace_line(text_2023(), 10, "与2022年度相比，", comparison)
    tables = tidy(tmp_path, text)
    assert fact(tables, "total_expenditure_change") == (-889.32, 10)
    assert fact(tables, "total_expenditure", 2022) == (18100.64, 10)  # 17,211.32 + 889.32, derived


@pytest.mark.parametrize(("words", "change", "pct"), [
    ("降低889.32万元，降低4.9%", -889.32, -0.049),
    ("减少889.32万元，同比下降4.9%", -889.32, -0.049),
    ("增加-889.32万元，增长-4.9%", -889.32, -0.049),   # a signed number keeps its sign
    ("上升889.32万元，增长4.9%", 889.32, 0.049),
])
def test_change_words_and_signed_numbers(tmp_path, words, change, pct):
    text = replace_line(text_2023(), 10, "减少889.32万元，下降4.9%", words)
    tables = tidy(tmp_path, text)
    assert fact(tables, "total_expenditure_change") == (change, 10)
    assert fact(tables, "total_expenditure_change_pct")[0] == pytest.approx(pct)


@pytest.mark.parametrize("style", ["bracketed", "arabic", "arabic_comma"])
def test_heading_styles(tmp_path, baseline, style):
    same_facts(tidy(tmp_path, variants.heading_style(style)), baseline)


def test_sentence_broken_across_lines(tmp_path):
    # line 10 cut inside the amount's unit, and line 26 after a comma: the figures keep their first line.
    lines = text_2023().split("\n")
    at = lines[9].index("万元，与2022")
    lines[9:10] = [lines[9][: at + 1], lines[9][at + 1:]]  # 17,211.32万 | 元，与2022年度相比 …
    at = lines[26].index("占48.8%")  # line 26, now index 26: … 基本支出8,396.90万元， | 占48.8%；项目支出 …
    lines[26:27] = [lines[26][:at], lines[26][at:]]
    tables = tidy(tmp_path, "\n".join(lines))
    assert fact(tables, "total_income_expenditure") == (17211.32, 10)
    assert fact(tables, "total_expenditure_change") == (-889.32, 10)
    assert fact(tables, "total_expenditure") == (17211.32, 27)
    assert fact(tables, "basic_expenditure") == (8396.90, 27)
    assert fact(tables, "basic_expenditure_share")[0] == pytest.approx(0.488)  # on line 28, joined
    assert fact(tables, "project_expenditure") == (8814.42, 28)
    reason = tables["explanations"].set_index("metric").loc["total_expenditure_change", "text_zh"]
    assert reason.startswith("一是2022年新增国道546线")


def test_glossary_numbered_in_brackets_or_with_a_comma(tmp_path):
    lines = text_2023().split("\n")
    for n, index in enumerate(range(88, 114), start=1):  # the 26 terms, lines 89-114
        head = lines[index].lstrip()
        number = head[: len(str(n))]
        assert number == str(n), (index + 1, head[:5])
        rest = head[len(number):].lstrip("、.． ")
        lines[index] = f"（{n}）{rest}" if n % 2 else f"{n}、{rest}"
    glossary = tidy(tmp_path, "\n".join(lines))["glossary"]
    assert glossary["number"].tolist() == list(range(1, 27))
    assert glossary.iloc[0]["term_zh"] == "一般公共预算财政拨款收入"   # line 89
    assert glossary.iloc[17]["term_zh"] == "“三公”经费"                # line 106


def test_fleet_listing_fewer_vehicle_types(tmp_path):
    # line 66: 112 = 轿车40 + 越野车2 + 小型客车2 + 中型客车和大型客车1 + 其他车型67. Leave out the zero-free
    # types and give their vehicles to 其他车型: the types left out are 0, stated by the total.
    text = replace_line(text_2023(), 66, "轿车40辆、越野车2辆、小型客车2辆、中型客车和大型客车1辆、其他车型67辆",
                        "轿车40辆、其他车型72辆")
    tables = tidy(tmp_path, text)
    assert fact(tables, "fleet_total") == (112, 66)
    assert fact(tables, "fleet_sedan") == (40, 66) and fact(tables, "fleet_other_type") == (72, 66)
    suv = tables["facts"][tables["facts"]["metric"] == "fleet_suv"].iloc[0]
    assert (suv["value"], bool(suv["derived"])) == (0, True)


def test_fleet_listing_that_does_not_add_up_leaves_the_rest_unstated(tmp_path, capsys):
    text = replace_line(text_2023(), 66, "、越野车2辆、小型客车2辆、中型客车和大型客车1辆", "")
    # 40 + 67 ≠ 112: 越野车 etc. are not stated, and the 三公 page needs them.
    err = bad(tmp_path, capsys, text)
    assert "fleet_suv" in err and "七、财政拨款“三公”经费支出决算情况说明" in err


# --- every figure accounted for ------------------------------------------------------------------------

def test_a_figure_on_a_line_another_rule_used_is_listed(tmp_path):
    text = replace_line(
        text_2023(), 26, "项目支出8,814.42万元，占51.2%。", "项目支出8,814.42万元，占51.2%；经营支出12.50万元。"
    )
    tables = tidy(tmp_path, text)
    assert fact(tables, "project_expenditure") == (8814.42, 26)
    row = tables["unconsumed_lines"].set_index("source_line").loc[26]
    assert (row["kind"], row["figures"], row["section"]) == (
        "figures_left_in_used_line",
        "12.50",
        "三、支出决算情况说明",
    )


def test_a_second_income_source_is_listed_not_dropped(tmp_path):
    text = replace_line(text_2023(), 23, "收入17,211.32万元，占100%。",
                        "收入17,000.00万元，占98.8%；其他收入211.32万元，占1.2%。")
    tables = tidy(tmp_path, text)
    assert fact(tables, "fiscal_appropriation_income") == (17000.00, 23)
    row = tables["unconsumed_lines"].set_index("source_line").loc[23]
    assert row["figures"] == "211.32 1.2%"


def test_a_missing_required_figure_names_its_section(tmp_path, capsys):
    text = replace_line(text_2023(), 67, "公务用车运行维护费支出170万元", "公务用车运行维护费另行说明")
    err = bad(tmp_path, capsys, text)
    assert "vehicle_operation" in err and "七、财政拨款“三公”经费支出决算情况说明" in err


# --- tables --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("label", ["其中：当年财政拨款", "当年财政拨款", "财政拨款", "其中:财政资金"])
def test_funding_label_of_the_other_template(tmp_path, baseline, label):
    text = replace(text_2023(), "\t其中：财政资金\n", f"\t{label}\n", 17)
    tables = tidy(tmp_path, text)
    funding = tables["project_funding"]
    fiscal = funding[funding["source_zh"] == "财政资金"]
    assert len(fiscal) == 17
    first = fiscal[fiscal["project_code"] == AUXILIARY].iloc[0]
    assert (first["budget_initial"], first["budget_adjusted"], first["executed"]) == (2808.00, 2879.25, 2879.25)
    # No contradiction the report does not contain: the audit is the 2023 audit.
    assert len(tables["audit_findings"]) == len(baseline["audit_findings"])


def test_total_label_of_the_other_template(tmp_path):
    tables = tidy(tmp_path, replace(text_2023(), "\t总额\n", "\t年度资金总额\n", 17))
    project = tables["projects"].set_index("project_code").loc[AUXILIARY]
    assert (project["budget_initial"], project["budget_adjusted"], project["executed"], project["budget_line"]) == (
        2808.00, 2879.25, 2879.25, 229)


def test_space_between_project_code_and_name(tmp_path):
    tables = tidy(tmp_path, replace(text_2023(), f"{AUXILIARY}-辅警经费", f"{AUXILIARY} 辅警经费"))
    project = tables["projects"].set_index("project_code").loc[AUXILIARY]
    assert project["project_name"] == "辅警经费"
    assert (tables["indicators"]["project_code"] == AUXILIARY).sum() == 12


def test_blank_initial_budget_is_empty_not_an_error(tmp_path):
    text = replace_line(text_2023(), 231, "2,808.00", "")  # 总额 年初预算 of 辅警经费
    project = tidy(tmp_path, text)["projects"].set_index("project_code").loc[AUXILIARY]
    assert math.isnan(project["budget_initial"])
    assert (project["budget_adjusted"], project["executed"]) == (2879.25, 2879.25)


def test_merged_unit_cell_is_aligned_by_its_values(tmp_path):
    # 聘请辅警人数: ＝ 432 人 432 5 5 (lines 295-300); the 度量单位 cell (line 297, 人) merged away.
    text = variants.drop_line(text_2023(), 297, "\t人")
    indicators = tidy(tmp_path, text)["indicators"]
    row = indicators[(indicators["project_code"] == AUXILIARY) & (indicators["indicator_no"] == 1)].iloc[0]
    assert (row["indicator"], row["target_value"], row["unit"], row["actual_value"], row["weight"], row["score"]) == (
        "聘请辅警人数", 432.0, "", 432.0, 5.0, 5.0)


def test_merged_first_cell_of_a_funding_row(tmp_path):
    # The 其中：财政资金 row of 辅警经费 starts with an empty cell (line 239); merged away, values stay put.
    text = variants.drop_line(text_2023(), 239, "\t")
    funding = tidy(tmp_path, text)["project_funding"]
    fiscal = funding[(funding["project_code"] == AUXILIARY) & (funding["source_zh"] == "财政资金")].iloc[0]
    assert (fiscal["budget_initial"], fiscal["budget_adjusted"], fiscal["executed"]) == (2808.00, 2879.25, 2879.25)


def test_unknown_funding_label_is_a_reading_error_not_an_audit_finding(tmp_path, capsys):
    text = replace(text_2023(), "\t其中：财政资金\n", "\t其中：一般公共预算资金\n", 17)
    err = bad(tmp_path, capsys, text)
    assert "line 239" in err and "其中：一般公共预算资金" in err and "funding_labels.csv" in err


def test_indicator_row_one_cell_short_without_a_clue_is_an_error(tmp_path, capsys):
    # Drop the 完成值 (line 298, 432) of 聘请辅警人数: target, unit, weight, score could sit several ways.
    text = variants.drop_line(text_2023(), 298, "\t432")
    err = bad(tmp_path, capsys, text)
    assert "line 291" in err and "one short of 11" in err


def test_sentence_rules_table_names_only_known_metrics():
    """rules/sentences.csv and rules/metrics.csv agree: every placeholder is a metric with a kind, unit and
    label, and every metric is read by some sentence (none left over from a removed rule)."""
    from helpers.read.normalize import rules_table
    from helpers.read.prose import PLACEHOLDER, RULES

    metrics = {row["metric"] for row in rules_table("metrics")}
    used = {m.group("name") for row in rules_table("sentences") for m in PLACEHOLDER.finditer(row["sentence"])}
    assert used - {"number", "change", "compare", "compare?"} == metrics
    assert len(RULES) == 46
    totals = next(r for r in RULES if r.section == "totals")
    # 收、支总计均为{total_income_expenditure}万元，{compare}{change}{total_expenditure_change}万元 …
    change = next(m for m in totals.metrics.values() if m.key == "total_expenditure_change")
    assert (change.kind, change.unit, change.sign_group) == ("amount", "万元", 2)


def test_a_zero_stated_in_words_is_read_and_a_stated_balance_is_not(tmp_path):
    """{metric=0} in rules/sentences.csv reads a figure the report writes in words: "2023年无结转结余资金"
    (line 146) is a balance of 0. A report that states a balance in digits instead gets no zero: the
    figure is listed as not read, for a sentence rule to be written."""
    line = "泸州市公安局交通警察支队2023年无结转结余资金。"
    assert fact(tidy(tmp_path, text_2023()), "carryover_balance") == (0, 146)
    tables = tidy(
        tmp_path, replace_line(text_2023(), 146, line, "泸州市公安局交通警察支队2023年结转结余资金1,316.00万元。")
    )
    assert (tables["facts"]["metric"] == "carryover_balance").sum() == 0
    row = tables["unconsumed_lines"].set_index("source_line").loc[146]
    assert (row["kind"], row["figures"]) == ("figures_not_extracted", "1,316.00")


def test_a_value_in_words_that_is_not_a_number_is_a_rules_error(monkeypatch):
    from helpers.read import prose

    rows = [dict(section="evaluation", sentence="\\d{4}年无结转结余资金{carryover_balance=无}", required="",
                 occurrence="", explains="")]
    real = prose.rules_table
    monkeypatch.setattr(prose, "rules_table", lambda name: rows if name == "sentences" else real(name))
    with pytest.raises(
        ValueError, match=r"rules/sentences.csv: \{carryover_balance=无\}.*such as \{carryover_balance=0\}"
    ):
        prose.load_rules()


LINE_86_LIST = (
    "辅警经费、道路交通管理综合经费、交通安全宣传项目、物业管理项目、车驾管业务项目、道路交通管理业务系统建设项目、"
    "道路交通管理设施设备维保服务项目、道路交通组织优化项目、办公场所维修改造项目、道路交通事故处理业务项目、"
    "道路交通安全隐患排查及综合治理项目、城乡社区道路交通及配套设施支出"
)


def test_a_list_naming_exactly_the_tables_gives_no_list_detail(tmp_path, baseline):
    # line 86 rewritten to list the 17 tables by name (办公场所维修改造项目 as listed, the table prints 2023年…)
    names = [
        n if n != "2023年办公场所维修改造项目" else "办公场所维修改造项目" for n in baseline["projects"]["project_name"]
    ]
    assert len(names) == 17
    tables = tidy(tmp_path, replace_line(text_2023(), 86, LINE_86_LIST, "、".join(names)))
    listed = tables["named_projects"][tables["named_projects"]["list"] == "performance_evaluated"]
    assert list(listed["project_name"]) == names and set(listed["source_line"]) == {86}
    counts = tables["audit_findings"][tables["audit_findings"]["check"] == "stated_count"]
    # the counts (16) are the 16 tables with indicators (a note, issue 19.4); the list names no project without a table
    assert len(counts) == 3 and set(counts["detail"]) == {"empty_form_not_counted"}
    assert set(counts["related"]) == {"51050024T000010722419"} and set(counts["severity"]) == {"info"}


def test_a_list_that_cannot_be_read_is_listed_not_dropped(tmp_path):
    # a comma where the report separates names with 、: the list is not read, and line 86 says so
    text = replace_line(text_2023(), 86, "辅警经费、道路交通管理综合经费", "辅警经费，道路交通管理综合经费")
    tables = tidy(tmp_path, text)
    assert "performance_evaluated" not in set(tables["named_projects"]["list"])
    unread = tables["unconsumed_lines"][tables["unconsumed_lines"]["kind"] == "project_list_not_read"]
    assert list(unread["source_line"]) == [86] and "辅警经费，道路交通管理综合经费" in unread.iloc[0]["text"]
    counts = tables["audit_findings"][tables["audit_findings"]["check"] == "stated_count"]
    assert len(counts) == 3 and set(counts["related"]) == {"51050024T000010722419"}   # no list to compare
