"""The audit finds each kind of planted inconsistency at the right line, and passes a consistent report."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.data.ingest import build_tables, parse_report
from tests import synthetic


def audit(tmp_path, **values) -> tuple[pd.DataFrame, list[str]]:
    text = synthetic.build(**values)
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    tables = build_tables([parse_report(path)])
    return tables["audit_findings"], text.split("\n")


def line_of(lines: list[str], needle: str, after: str = "") -> int:
    start = next(i for i, l in enumerate(lines) if after in l) if after else 0
    return next(i for i, l in enumerate(lines) if i >= start and needle in l) + 1


def found(findings: pd.DataFrame, check: str, line: int, severity: str = "error") -> pd.DataFrame:
    rows = findings[(findings["check"] == check) & (findings["severity"] == severity)
                    & findings["lines"].str.split(";").apply(lambda ls: str(line) in ls)]
    assert len(rows), f"no {severity} {check} at line {line}:\n{findings[['check', 'severity', 'lines']]}"
    return rows


def test_consistent_report_has_no_finding(tmp_path):
    findings, _ = audit(tmp_path)
    assert findings.empty, findings[["check", "subject", "lines"]].to_string()


def test_whole_vs_parts(tmp_path):
    findings, lines = audit(tmp_path, public="90.00")
    rows = found(findings, "whole_vs_parts", line_of(lines, "公用经费90.00万元"))
    assert rows.iloc[0]["difference"] == pytest.approx(10.0)
    assert rows.iloc[0]["rule"] == "sum_rounding" and rows.iloc[0]["tolerance"] == pytest.approx(0.015)


def test_rounding_within_half_a_unit_is_not_an_error(tmp_path):
    findings, _ = audit(tmp_path, public="100.01")  # 500.00 + 100.01 = 600.01 vs 600.00: within ±0.015
    assert findings.empty


def test_stated_share(tmp_path):
    findings, lines = audit(tmp_path, basic_share="65.0", project_share="35.0")
    found(findings, "stated_share", line_of(lines, "占65.0%"))


def test_truncated_change_is_a_warning(tmp_path):
    findings, lines = audit(tmp_path, change_pct="9.0")  # 100 / 1100 = 9.09%: one unit off, truncated
    rows = found(findings, "stated_change_pct", line_of(lines, "下降9.0%"), severity="warning")
    assert rows.iloc[0]["detail"] == "truncated"


def test_stated_change_amount_against_a_stated_prior_year(tmp_path):
    findings, lines = audit(tmp_path, prior_budget="1,150.00")
    found(findings, "stated_change", line_of(lines, "与2022年全年财政下达预算1,150.00万元"))


def test_wrong_change_pct(tmp_path):
    findings, lines = audit(tmp_path, tp_pct="60.0")
    found(findings, "stated_change_pct", line_of(lines, "增长60.0%"))


def test_completion_rates_imply_inconsistent_budgets(tmp_path):
    findings, lines = audit(tmp_path, item_cases_rate="60.0")
    found(findings, "implied_budget", line_of(lines, "完成预算60.0%"))


def test_class_against_its_items(tmp_path):
    findings, lines = audit(tmp_path, cls_security="950.00", cls_housing="50.00")
    rows = found(findings, "whole_vs_parts", line_of(lines, "主要用于以下方面"))
    # classes 950 + 50 = 1,000 = total, items 900 + 100 too: money shown under the other class, one cause
    assert set(rows[rows["subject"].isin(["公共安全支出", "住房保障支出"])]["detail"]) == {"class_totals_agree"}
    assert rows["cause"].nunique() == 1


def test_project_execution_rate(tmp_path):
    findings, lines = audit(tmp_path, a_rate="90.00%")
    # cited at the 总额 row's adjusted budget (调整后预算数), two cells after its label
    found(findings, "execution_rate", line_of(lines, "总额", after="51000000T000000000001-甲项目") + 2)


def test_budget_score(tmp_path):
    findings, lines = audit(tmp_path, a_score="8", a_total="98")
    found(findings, "budget_score", line_of(lines, "总额", after="51000000T000000000001-甲项目") + 2)


def test_score_above_weight(tmp_path):
    findings, lines = audit(tmp_path, a_s1="50", a_total="105")
    found(findings, "score_within_weight", line_of(lines, "\t甲项目完成数量") + 2)


def test_target_missed_with_full_marks(tmp_path):
    findings, lines = audit(tmp_path, a_actual2="80")
    found(findings, "target_missed_full_marks", line_of(lines, "\t甲项目满意度") + 2, severity="warning")


def test_total_score(tmp_path):
    findings, lines = audit(tmp_path, a_total="98")
    found(findings, "total_score", line_of(lines, "\t合计", after="51000000T000000000001-甲项目"))


def test_funding_rows_against_the_total(tmp_path):
    findings, lines = audit(tmp_path, a_fiscal_executed="290.00")
    found(findings, "funding_vs_total", line_of(lines, "其中：财政资金", after="51000000T000000000001-甲项目") - 1)


def test_stated_project_count(tmp_path):
    findings, lines = audit(tmp_path, projects_stated="3")
    found(findings, "stated_count", line_of(lines, "对3个项目编制了绩效目标"))


def test_fleet_counts(tmp_path):
    findings, lines = audit(tmp_path, fleet_other="3")
    found(findings, "whole_vs_parts", line_of(lines, "单位共有公务用车"))


def test_vehicle_purchase_list(tmp_path):
    findings, lines = audit(tmp_path, other_amount="10.00")
    found(findings, "whole_vs_parts", line_of(lines, "公务用车购置支出40.00万元"), severity="warning")


def test_project_spending_sum_unexplained(tmp_path):
    findings, lines = audit(tmp_path, b_initial="150.00", b_adjusted="150.00", b_executed="150.00",
                            b_fiscal_executed="150.00")
    rows = found(findings, "project_sum", line_of(lines, "项目支出400.00万元"))
    assert rows.iloc[0]["detail"] == "not_explained"


def test_project_spending_sum_explained_by_a_project(tmp_path):
    # 项目支出 of 300 = the projects' 400 without 乙项目's 100: explained, so info, naming the project
    findings, lines = audit(tmp_path, project="300.00", project_share="30.0", basic="700.00", basic_share="70.0",
                            personnel="600.00")
    rows = found(findings, "project_sum", line_of(lines, "项目支出300.00万元"), severity="info")
    assert rows.iloc[0]["detail"] == "explained_by_projects" and rows.iloc[0]["related"] == "51000000T000000000002"


# --- targets a reader does not count as missed (audit false positives) -------------------------------

def indicator_findings(findings: pd.DataFrame) -> pd.DataFrame:
    return findings[findings["check"].isin(["target_missed_full_marks", "target_met_points_lost",
                                            "cap_scored_as_spending"])]


def test_an_equals_zero_target_with_a_larger_result_is_a_placeholder(tmp_path):
    findings, _ = audit(tmp_path, a_target1="0", a_actual1="17")  # as 年度短视频制作 ＝0, 17 (line 1000-1200)
    assert indicator_findings(findings).empty


def test_an_equals_target_that_is_missed_still_is(tmp_path):
    findings, lines = audit(tmp_path, a_target1="12", a_actual1="10")
    found(findings, "target_missed_full_marks", line_of(lines, "\t甲项目完成数量") + 2, severity="warning")


def test_a_cost_target_is_a_cap(tmp_path):
    # 中央隔离网建设 ＝220 元/米, actual 198: a saving, not a miss
    findings, _ = audit(tmp_path, a_level1="成本指标", a_target1="220", a_unit1="元/米", a_actual1="198")
    assert indicator_findings(findings).empty


def test_rows_the_report_marks_as_leftovers_are_not_checked(tmp_path):
    # 代管资金 / 2022年司法救助金 ＝3, 0, marked 2022年数据，系统默认导出，无法删除 (lines 6777-6787)
    findings, _ = audit(tmp_path, a_target1="3", a_actual1="0", a_reason1="2022年数据，系统默认导出，无法删除")
    assert indicator_findings(findings).empty


def test_a_grade_band_definition_is_not_a_target(tmp_path):
    findings, _ = audit(tmp_path, a_ind1="考核档次优", a_op1="＞", a_target1="80", a_unit1="分", a_actual1="80")
    assert indicator_findings(findings).empty


def test_a_quantity_above_a_cap_with_a_stated_reason_is_not_a_miss(tmp_path):
    # 完成卡口控建设 ≤14, 23, 根据大队实际需求申报建设 (line 4638)
    findings, _ = audit(tmp_path, a_op1="≤", a_target1="14", a_actual1="23", a_reason1="根据大队实际需求申报建设")
    assert indicator_findings(findings).empty



def test_a_quantity_delivered_above_its_cap_is_over_delivery_not_a_miss(tmp_path):
    # 2023年新建交通标线 ≤6,060 平方米, 6,564 delivered, no reason given (line 4277): more work, not a miss
    findings, _ = audit(tmp_path, a_op1="≤", a_target1="6060", a_unit1="平方米", a_actual1="6564")
    assert indicator_findings(findings).empty
    # a cost cap overspent without a reason is still a miss
    findings, lines = audit(tmp_path, a_level1="成本指标", a_op1="≤", a_target1="200", a_unit1="万元", a_actual1="230")
    found(findings, "target_missed_full_marks", line_of(lines, "\t甲项目完成数量") + 2, severity="warning")


def test_a_cap_scored_in_proportion_to_spending(tmp_path):
    # like 物业管理项目 ≤210, 205.38, 4.89 of 5: weight × actual ÷ target
    findings, lines = audit(tmp_path, a_level1="成本指标", a_op1="≤", a_target1="200", a_unit1="万元", a_actual1="100",
                            a_s1="22.5", a_total="77.5")
    rows = found(findings, "cap_scored_as_spending", line_of(lines, "\t甲项目完成数量") + 2, severity="info")
    assert rows.iloc[0]["reported"] == 22.5 and rows.iloc[0]["computed"] == 45


def test_counts_of_one_sentence_are_one_cause(tmp_path):
    findings, lines = audit(tmp_path, projects_stated="3")
    rows = found(findings, "stated_count", line_of(lines, "对3个项目编制了绩效目标"))
    assert rows["cause"].nunique() == 1


def test_findings_hold_no_prose(tmp_path):
    findings, _ = audit(tmp_path, public="90.00", a_actual2="80", projects_stated="3")
    assert "explanation" not in findings and "location" not in findings
    checks = set(rules_table("audit_checks")["check"])
    assert set(findings["check"]) <= checks
    assert set(findings["rule"]) - {""} <= set(rules_table("rounding_rules")["rule"])
    assert findings["lines"].str.fullmatch(r"\d+(;\d+)*").all()


def rules_table(name: str) -> pd.DataFrame:
    from helpers.data import rules

    return rules.table(name)


def test_a_check_whose_figures_are_missing_is_recorded_as_not_run(tmp_path):
    # the synthetic report prints 授予中小企业合同金额 once, not again in the evaluation annex: the
    # same-figure check has one of its two figures and cannot run; line 170's 不涉及 statement is not made
    text = synthetic.build()
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    tables = build_tables([parse_report(path)])
    checks = tables["audit_checks"]
    not_run = checks[checks["status"].isin(["not_applicable", "not_enough_data"])]
    assert len(not_run) and not not_run["passed"].any() and (not_run["reason"].str.len() > 0).all()
    reasons = ("missing:", "prior_year_derived:", "zero_", "ambiguous:", "statement_not_made")
    assert not_run["reason"].str.startswith(reasons).all()
    assert tables["audit_findings"].empty
    sme = not_run[not_run["subject"] == "sme_contracts_evaluation"].iloc[0]
    assert sme["status"] == "not_enough_data" and sme["reason"] == "missing:sme_contracts_evaluation"
    assert set(not_run.loc[not_run["check"] == "statement_vs_figures", "reason"]) == {"statement_not_made"}


def test_a_rate_of_two_rounded_amounts_passes_within_the_rounding_they_carry():
    # 代管资金 99.42% printed, 37.38 ÷ 37.6 = 99.415% (line 6600); 2023年办公场所维修改造项目 68.10% against 68.093%
    from helpers.data.audit import RATE_HALF_UNIT, _ratio_slack

    for executed, budget, printed in [(37.38, 37.6, 0.9942), (102.14, 150.0, 0.6810)]:
        assert abs(printed - executed / budget) > RATE_HALF_UNIT   # fails the rate's own rounding alone
        assert abs(printed - executed / budget) <= RATE_HALF_UNIT + _ratio_slack(executed, budget)
    assert abs(0.6830 - 102.14 / 150.0) > RATE_HALF_UNIT + _ratio_slack(102.14, 150.0)   # 2 units off still fails
