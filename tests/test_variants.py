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
        2808.00, 2879.25, 2879.25, 232)  # line 232 holds the row's 2,879.25 adjusted budget


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
    assert used - {"number", "change", "compare", "compare?", "no_change"} == metrics
    # 46 sentences of 2023's wording, 7 further income sources, 3 alternative wordings (持平, no 三公 at all)
    assert len(RULES) == 56 and sum(r.alternative for r in RULES) == 3
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
    # the counts (16) are the 16 tables with indicators (a note); the list names no project without a table
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


# --- other units' reports of the same template ----------------------------------------------
# Each variant is what another unit prints (tests/variants.py builds it from the 2023 text); each test asserts
# the figures that report states, as facts.csv and functional_classification.csv hold them, and that the audit
# finds in it only what the 2023 report's own figures give.

def row(tables, metric: str, year: int = 2023) -> pd.Series:
    rows = tables["facts"][(tables["facts"]["metric"] == metric) & (tables["facts"]["year"] == year)]
    assert len(rows) == 1, f"{metric} {year}: {len(rows)} rows"
    return rows.iloc[0]


def stated(tables, metric: str, year: int = 2023) -> tuple:
    """(value, line, printed unit, the report's words) of one fact."""
    r = row(tables, metric, year)
    return r["value"], int(r["source_line"]), r["printed_unit"], r["words_zh"]


def absent(tables, *metrics: str) -> bool:
    return not tables["facts"]["metric"].isin(metrics).any()


def findings(tables) -> list[tuple[str, str, str]]:
    return list(tables["audit_findings"][["check", "subject", "severity"]].itertuples(index=False, name=None))


def baseline_findings_without(baseline, *subjects: str) -> list[tuple[str, str, str]]:
    return [f for f in findings(baseline) if f[1] not in subjects]


# The 2023 findings about the 三公 figures: its completion (C6), the vehicles bought (C10), the change rate printed
# truncated (C11). A unit with no 三公 spending has none of them.
THREE_PUBLIC_SUBJECTS = ("three_public_completion_rate", "three_public_change_pct",
                         "vehicle_purchase_operation_change_pct", "vehicle_purchase", "vehicles_bought")
# and, when section 七 is one sentence, line 64's 100% of 0 spent and line 68's 减少持平
SECTION_SEVEN_SUBJECTS = ("overseas_travel_completion_rate", "opposite_directions")


def test_baseline_findings_about_three_public(baseline):
    assert [f for f in findings(baseline) if f[1] in THREE_PUBLIC_SUBJECTS] == [
        ("implied_budget", "three_public_completion_rate", "error"),
        ("whole_vs_parts", "vehicle_purchase", "warning"),   # 190.93 万元 at stake: the first doubtful figure
        ("vehicles_listed", "vehicles_bought", "info"),
        ("stated_change_pct", "three_public_change_pct", "warning"),
        ("stated_change_pct", "vehicle_purchase_operation_change_pct", "warning"),
    ]


def test_zero_three_public_reads_zeros_and_keeps_the_words(tmp_path, baseline):
    # line 59: 决算为0万元，与上年度持平; 61: all three parts 0; 65: 与2022年度持平; 66: 0 bought, 共有公务用车0辆
    tables = tidy(tmp_path, variants.zero_three_public())
    assert stated(tables, "three_public_total") == (0, 59, "万元", "")
    assert stated(tables, "three_public_change") == (0, 59, "", "与上年度持平")  # 持平: no change, no amount
    assert absent(tables, "three_public_change_pct", "three_public_completion_rate")  # the report gives neither
    prior = row(tables, "three_public_total", 2022)
    assert (prior["value"], bool(prior["derived"])) == (0, True)
    for metric in ("overseas_travel", "vehicle_purchase_operation", "official_reception"):
        assert stated(tables, metric) == (0, 61, "万元", "")
    assert stated(tables, "vehicle_purchase_operation_change") == (0, 65, "", "与2022年度持平")
    assert stated(tables, "vehicle_purchase") == (0, 66, "万元", "")
    assert stated(tables, "vehicle_operation") == (0, 67, "万元", "")
    assert stated(tables, "fleet_total") == (0, 66, "辆", "")
    for metric in ("fleet_sedan", "fleet_suv", "fleet_small_bus", "fleet_medium_large_bus", "fleet_other_type"):
        r = row(tables, metric)
        assert (r["value"], int(r["source_line"]), bool(r["derived"])) == (0, 66, True)
    assert stated(tables, "vehicles_total") == (0, 83, "辆", "")
    assert absent(tables, "fleet_law_enforcement", "vehicles_bought")
    assert findings(tables) == baseline_findings_without(baseline, *THREE_PUBLIC_SUBJECTS)


def test_one_sentence_three_public_reads_zeros_and_keeps_the_words(tmp_path, baseline):
    # Section 七 is its heading (line 57) and "本单位2023年度无财政拨款“三公”经费支出，与上年持平。" (line 58).
    tables = tidy(tmp_path, variants.one_sentence_three_public())
    for metric in ("three_public_total", "overseas_travel", "vehicle_purchase_operation", "official_reception",
                   "vehicle_purchase", "vehicle_operation"):
        assert stated(tables, metric) == (0, 58, "", "无财政拨款“三公”经费支出"), metric
    assert stated(tables, "three_public_change") == (0, 58, "", "与上年持平")
    # The sentence says nothing of a fleet: no fleet figure, rather than a fleet of 0 the report does not state.
    assert absent(tables, "fleet_total", "fleet_sedan", "three_public_change_pct", "vehicle_purchase_operation_change")
    assert stated(tables, "vehicles_total") == (0, 70, "辆", "")  # line 83, 13 lines up
    assert findings(tables) == baseline_findings_without(baseline, *THREE_PUBLIC_SUBJECTS, *SECTION_SEVEN_SUBJECTS)
    assert 58 not in set(tables["unconsumed_lines"]["source_line"])


def test_a_report_without_project_tables_ingests_with_empty_project_tables(tmp_path, baseline):
    tables = tidy(tmp_path, variants.without_project_tables())
    for name in ("projects", "project_funding", "indicators"):
        assert tables[name].empty, name
    same_facts(tables, baseline)
    columns = ["level", "class_zh", "item_zh", "amount", "source_line"]
    pd.testing.assert_frame_equal(tables["functional_classification"][columns],
                                  baseline["functional_classification"][columns])
    assert len(tables["glossary"]) == 26 and len(tables["named_projects"]) == len(baseline["named_projects"])
    assert tables["reports"].iloc[0]["unit_zh"] == "泸州市公安局交通警察支队"
    # The audit ran on the prose: its prose findings, none about tables that are published apart (2023's score and
    # cost-result contradictions and the table checks), and the vehicles bought no longer pointed to a project table.
    prose_only = [f for f, lines in zip(findings(baseline), baseline["audit_findings"]["lines"], strict=True)
                  if max(int(n) for n in lines.split(";")) < variants.FIRST_TABLE_LINE]
    assert findings(tables) == prose_only and len(prose_only) == 25  # 12 and the auditor's prose checks
    vehicles = tables["audit_findings"].set_index("subject").loc["vehicle_purchase"]
    assert (vehicles["detail"], vehicles["related"]) == ("", "")
    checks = tables["audit_checks"]
    counts = checks[checks["subject"].isin(["projects_self_evaluated", "projects_monitored", "projects_with_targets"])]
    assert set(counts["status"]) == {"not_applicable"} and set(counts["reason"]) == {"no_project_tables"}
    recurring = checks.set_index("subject").loc["recurring_projects"]  # 15 + 1 stated against 16 self-evaluated
    assert (recurring["reported"], recurring["computed"], bool(recurring["passed"])) == (16, 16, True)


@pytest.mark.parametrize(("line", "old", "new", "metric", "pct"), [
    (10, "减少889.32万元，下降4.9%", "减少889.32万元，降幅4.9%", "total_expenditure_change", (-889.32, -0.049)),
    (10, "减少889.32万元，下降4.9%", "减少889.32万元，减幅4.9%", "total_expenditure_change", (-889.32, -0.049)),
    (10, "减少889.32万元，下降4.9%", "增减额为-889.32万元，增减率为-4.9%", "total_expenditure_change",
     (-889.32, -0.049)),
    (10, "减少889.32万元，下降4.9%", "减少了889.32万元，下降了4.9%", "total_expenditure_change", (-889.32, -0.049)),
    (59, "增加437.37万元，增长242.9%", "增加437.37万元，增幅242.9%", "three_public_change", (437.37, 2.429)),
    (79, "减少15.6万元，下降1.5%", "减少15.6万元，增减率-1.5%", "agency_operating_expenditure_change", (-15.6, -0.015)),
])
def test_change_words_of_other_units(tmp_path, line, old, new, metric, pct):
    tables = tidy(tmp_path, replace_line(text_2023(), line, old, new))
    assert fact(tables, metric) == (pct[0], line)
    assert fact(tables, metric + "_pct") == (pytest.approx(pct[1]), line)


def test_amounts_printed_in_yuan_are_read_in_wan_yuan_exactly(tmp_path, baseline):
    # 17,211.32万元 printed 172,113,200.00元, and so every amount of the prose (line 10, 23, 26, 36, 40 …)
    tables = tidy(tmp_path, variants.amounts_in_yuan(text_2023()))
    same_facts(tables, baseline)  # the same values, exactly: 172,113,200.00元 is 17211.32
    assert stated(tables, "total_income_expenditure") == (17211.32, 10, "元", "")
    assert stated(tables, "total_expenditure_change") == (-889.32, 10, "元", "")
    assert stated(tables, "vehicle_operation") == (170, 67, "元", "")  # 1,700,000.00元
    amounts = tables["facts"][(tables["facts"]["unit"] == "万元") & ~tables["facts"]["derived"]
                              & (tables["facts"]["words_zh"] == "")]
    assert set(amounts["printed_unit"]) == {"元"} and set(amounts["decimals"]) == {6}
    assert stated(tables, "total_expenditure_change_pct")[2] == "%"
    columns = ["level", "class_zh", "item_zh", "amount", "completion_rate", "source_line"]
    pd.testing.assert_frame_equal(tables["functional_classification"][columns],
                                  baseline["functional_classification"][columns])
    assert findings(tables) == findings(baseline)


def test_an_amount_printed_in_yi_yuan(tmp_path):
    tables = tidy(tmp_path, replace_line(text_2023(), 10, "均为17,211.32万元", "均为1.721132亿元"))
    assert stated(tables, "total_income_expenditure") == (17211.32, 10, "亿元", "")
    assert row(tables, "total_income_expenditure")["decimals"] == 2  # six decimals of 亿元, two of 万元


def test_amounts_in_a_unit_not_read_are_refused_naming_it(tmp_path, capsys):
    err = bad(tmp_path, capsys, replace_line(text_2023(), 10, "均为17,211.32万元", "均为17,211,320.00千元"))
    assert "amounts look like 千元" in err and "17,211,320.00千元" in err and "line 10" in err
    assert "amount_units.csv" in err and "一、收入支出决算总体情况说明" in err


@pytest.mark.parametrize("indent", ["　　", "    ", "\u3000\u3000 "])
def test_paragraph_indent_is_layout_not_text(tmp_path, baseline, indent):
    tables = tidy(tmp_path, variants.indented(text_2023(), indent))
    same_facts(tables, baseline)
    assert tables["reports"].iloc[0][["unit_zh", "source_line"]].tolist() == ["泸州市公安局交通警察支队", 7]
    columns = ["level", "class_zh", "item_zh", "amount", "completion_rate", "source_line"]
    pd.testing.assert_frame_equal(tables["functional_classification"][columns],
                                  baseline["functional_classification"][columns])
    assert len(tables["glossary"]) == 26
    # stored text is the report's own: the reason keeps nothing of the indent
    reason = tables["explanations"].set_index("metric").loc["total_expenditure_change", "text_zh"]
    assert reason.startswith("一是2022年新增国道546线")
    assert findings(tables) == findings(baseline)


def test_a_second_income_source_is_kept_and_the_audit_sums_every_source(tmp_path, baseline):
    text = replace_line(text_2023(), 23, "收入17,211.32万元，占100%。",
                        "收入17,000.00万元，占98.8%；其他收入211.32万元，占1.2%。")
    tables = tidy(tmp_path, text)
    assert fact(tables, "fiscal_appropriation_income") == (17000.00, 23)
    assert fact(tables, "fiscal_appropriation_income_share") == (pytest.approx(0.988), 23)
    assert stated(tables, "other_income") == (211.32, 23, "万元", "")
    assert fact(tables, "other_income_share") == (pytest.approx(0.012), 23)
    assert 23 not in set(tables["unconsumed_lines"]["source_line"])
    checks = tables["audit_checks"]
    income = checks[(checks["check"] == "whole_vs_parts") & (checks["subject"] == "total_income")].iloc[0]
    assert (income["metrics"], income["reported"], income["computed"], bool(income["passed"])) == (
        "total_income;fiscal_appropriation_income;other_income", 17211.32, 17211.32, True)
    assert findings(tables) == findings(baseline)


def test_an_item_printed_without_its_completion_rate_is_kept_with_the_rate_empty(tmp_path, baseline):
    text = replace_line(text_2023(), 40, "支出决算为6,890.58万元，完成预算98.4%，", "支出决算为6,890.58万元。")
    tables = tidy(tmp_path, text)
    classes = tables["functional_classification"]
    item = classes[classes["source_line"] == 40].iloc[0]
    assert (item["level"], item["item_zh"], item["amount"]) == ("项", "行政运行", 6890.58)
    assert math.isnan(item["completion_rate"])
    assert (classes["level"] == "项").sum() == 10
    # The items still add up to the total (no false mismatch); the budget the rates imply cannot be summed
    # without line 40's rate, so that check (2023's C2) does not run.
    # Nor does the adjusted budget's against the same rates, nor line 40's gap without a reason.
    rate_findings = ("budget_completion_rate", "expenditure_budget_adjusted", "行政运行")
    assert [f for f in findings(tables) if f[1] not in rate_findings] == baseline_findings_without(baseline,
                                                                                                   *rate_findings)
    checks = tables["audit_checks"]
    items = checks[(checks["check"] == "whole_vs_parts") & (checks["subject"] == "项")].iloc[0]
    # 6,890.58 + 7,995.38 + … + 122.13 (lines 40-51) = 17,211.32, the total of line 39
    assert (items["reported"], items["computed"], bool(items["passed"])) == (17211.32, 17211.32, True)


def test_another_units_name_and_classes(tmp_path, baseline):
    tables = tidy(tmp_path, variants.education_bureau())
    assert tables["reports"].iloc[0][["unit_zh", "source_line"]].tolist() == ["泸州市教育局", 7]
    classes = tables["functional_classification"]
    assert classes[classes["level"] == "类"][["class_zh", "amount"]].values.tolist() == [
        ["教育支出", 15737.52], ["社会保障和就业支出", 840.71], ["卫生健康支出", 189.63], ["住房保障支出", 443.45]]
    items = classes[classes["level"] == "项"].set_index("source_line")
    assert items.loc[40, ["class_zh", "category_zh", "item_zh", "amount"]].tolist() == [
        "教育支出", "教育管理事务", "行政运行", 6890.58]
    assert items.loc[43, ["category_zh", "item_zh", "amount"]].tolist() == ["职业教育", "中等职业教育", 819.04]
    assert items.loc[44, ["class_zh", "item_zh", "amount"]].tolist() == ["社会保障和就业支出", "行政单位离退休", 288.62]
    assert len(items) == 10
    same_facts(tables, baseline)
    # the bureau's own classes disagree with their items exactly as 2023's did
    assert [f[0] for f in findings(tables)] == [f[0] for f in findings(baseline)]
    assert set(tables["audit_findings"]["subject"]) - set(baseline["audit_findings"]["subject"]) == {"教育支出"}


def test_a_project_table_printed_in_yuan_is_read_in_wan_yuan(tmp_path, baseline):
    # 辅警经费 (line 194-): header 年度预算数（元）, 总额 28,080,000.00 / 28,792,500.00 / 28,792,500.00 (lines 231-233)
    tables = tidy(tmp_path, variants.first_table_in_yuan())
    project = tables["projects"].set_index("project_code").loc[AUXILIARY]
    assert (project["budget_initial"], project["budget_adjusted"], project["executed"]) == (2808.00, 2879.25, 2879.25)
    funding = tables["project_funding"]
    fiscal = funding[(funding["project_code"] == AUXILIARY) & (funding["source_zh"] == "财政资金")].iloc[0]
    assert (fiscal["budget_initial"], fiscal["budget_adjusted"], fiscal["executed"]) == (2808.00, 2879.25, 2879.25)
    pd.testing.assert_frame_equal(tables["projects"], baseline["projects"])
    pd.testing.assert_frame_equal(tables["project_funding"], baseline["project_funding"])
    assert findings(tables) == findings(baseline)


def test_a_project_table_in_a_unit_not_read_is_refused_naming_it(tmp_path, capsys):
    err = bad(tmp_path, capsys, variants.first_table_in_yuan("千元"))
    assert "amounts look like 千元" in err and "年度预算数（千元）" in err and "line 220" in err


def test_zero_three_public_with_its_completion_rate_and_in_yuan(tmp_path):
    # line 59: 决算为0.00元，完成预算0%，与2022年度决算持平 (the rest of section 七 as in the zero variant)
    tables = tidy(tmp_path, variants.edit_lines({**variants.ZERO_THREE_PUBLIC, 59: (
        variants.ZERO_THREE_PUBLIC[59][0], "0.00元，完成预算0%，与2022年度决算持平。")}))
    assert stated(tables, "three_public_total") == (0, 59, "元", "")
    assert stated(tables, "three_public_completion_rate") == (0, 59, "%", "")
    assert stated(tables, "three_public_change") == (0, 59, "", "与2022年度决算持平")
    assert absent(tables, "three_public_change_pct")
