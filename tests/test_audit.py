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
                    & findings["location"].str.contains(rf"\b{line}\b")]
    assert len(rows), f"no {severity} {check} at line {line}:\n{findings[['check', 'severity', 'location']]}"
    return rows


def test_consistent_report_has_no_finding(tmp_path):
    findings, _ = audit(tmp_path)
    assert findings.empty, findings[["check", "subject", "explanation"]].to_string()


def test_whole_vs_parts(tmp_path):
    findings, lines = audit(tmp_path, public="90.00")
    rows = found(findings, "whole_vs_parts", line_of(lines, "公用经费90.00万元"))
    assert rows.iloc[0]["difference"] == pytest.approx(10.0)
    assert "rounded by up to 0.005" in rows.iloc[0]["rule"]


def test_rounding_within_half_a_unit_is_not_an_error(tmp_path):
    findings, _ = audit(tmp_path, public="100.01")  # 500.00 + 100.01 = 600.01 vs 600.00: within ±0.015
    assert findings.empty


def test_stated_share(tmp_path):
    findings, lines = audit(tmp_path, basic_share="65.0", project_share="35.0")
    found(findings, "stated_share", line_of(lines, "占65.0%"))


def test_truncated_change_is_a_warning(tmp_path):
    findings, lines = audit(tmp_path, change_pct="9.0")  # 100 / 1100 = 9.09%: one unit off, truncated
    rows = found(findings, "stated_change_pct", line_of(lines, "下降9.0%"), severity="warning")
    assert "cut off rather than rounded" in rows.iloc[0]["explanation"]


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
    assert any("odd one out" in e for e in rows["explanation"])


def test_project_execution_rate(tmp_path):
    findings, lines = audit(tmp_path, a_rate="90.00%")
    found(findings, "execution_rate", line_of(lines, "总额", after="51000000T000000000001-甲项目") - 1)


def test_budget_score(tmp_path):
    findings, lines = audit(tmp_path, a_score="8", a_total="98")
    found(findings, "budget_score", line_of(lines, "总额", after="51000000T000000000001-甲项目") - 1)


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
    assert "no project or pair" in rows.iloc[0]["explanation"]


def test_project_spending_sum_explained_by_a_project(tmp_path):
    # 项目支出 of 300 = the projects' 400 without 乙项目's 100: explained, so info, naming the project
    findings, lines = audit(tmp_path, project="300.00", project_share="30.0", basic="700.00", basic_share="70.0",
                            personnel="600.00")
    rows = found(findings, "project_sum", line_of(lines, "项目支出300.00万元"), severity="info")
    assert "乙项目" in rows.iloc[0]["explanation"]


def test_findings_on_the_2023_report(tidy_dir):
    """What the audit finds in the real report, checked by hand against its lines."""
    from helpers.data.schema import read_table

    findings = read_table("audit_findings", tidy_dir)
    errors = findings[findings["severity"] == "error"]
    # 公共安全支出 is 15,737.52 on line 36, but its 项 lines 40, 42, 43 add up to 15,705.00
    security = errors[errors["subject"] == "公共安全支出 (类) = its 项 lines"].iloc[0]
    assert security["difference"] == pytest.approx(32.52) and security["location"] == "lines 36, 40, 42, 43"
    assert "odd one out" in security["explanation"]
    # 16 projects evaluated (line 86) against 17 tables
    assert len(errors[(errors["check"] == "stated_count") & (errors["reported"] == 16)]) == 3
    # 4 points scored on a 2-point indicator (row from line 3760, its figures from line 3765)
    assert errors[errors["check"] == "score_within_weight"]["location"].tolist() == ["line 3765"]
    # 75% completion on line 39 implies a budget far above what the item lines imply
    assert "line" in errors[errors["check"] == "implied_budget"].iloc[0]["location"]
    # the 242.9% rise (lines 59 and 65) is 437.37 / 180 = 242.98%: truncated, a warning
    truncated = findings[(findings["check"] == "stated_change_pct") & (findings["severity"] == "warning")]
    assert set(truncated["location"]) == {"line 59", "line 65"}
    # errors come first
    assert list(findings["severity"]) == sorted(findings["severity"], key=["error", "warning", "info"].index)
    checks = read_table("audit_checks", tidy_dir)
    assert len(checks) > 600 and checks["passed"].sum() > 500
