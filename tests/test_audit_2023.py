"""What the audit finds in the real 2023 report, checked by hand against its lines (issue 10)."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.data.load import load_year
from helpers.data.schema import read_table


@pytest.fixture(scope="module")
def findings(tidy_dir) -> pd.DataFrame:
    return read_table("audit_findings", tidy_dir)


@pytest.fixture(scope="module")
def data(tidy_dir):
    return load_year(2023, tidy_dir)


def rows(findings, check, **where) -> pd.DataFrame:
    mask = findings["check"] == check
    for column, value in where.items():
        mask &= findings[column] == value
    return findings[mask]


def test_class_amounts_and_their_shares_are_one_cause(findings):
    # 公共安全支出 15,737.52 on line 36 against its 项 lines 40, 42, 43 (15,705.00); 卫生健康 and 住房保障 the other way
    security = rows(findings, "whole_vs_parts", subject="公共安全支出").iloc[0]
    assert security["difference"] == pytest.approx(32.52) and security["lines"] == "36;40;42;43"
    classes = findings[findings["subject"].isin(["公共安全支出", "卫生健康支出", "住房保障支出"])]
    assert len(classes) == 6 and classes["cause"].nunique() == 1   # 3 amounts + 3 shares (91.2%, 1.2%, 2.7%)
    assert set(classes.loc[classes["check"] == "whole_vs_parts", "detail"]) == {"class_totals_agree"}
    assert set(classes.loc[classes["check"] == "stated_share", "detail"]) == {"share_agrees_with_items"}


def test_which_figures_agree_on_line_36(data):
    from helpers.story.reliability import class_totals

    totals = class_totals(data)
    # the classes add up to 17,211.31 and the items to 17,211.32: both match the total; +32.52 = 12.36 + 20.17
    assert totals["classes_sum"] == pytest.approx(17211.31) and totals["items_sum"] == pytest.approx(17211.32)
    assert totals["classes_agree"] and totals["items_agree"]
    assert sorted(totals["off"]["gap"]) == pytest.approx([-20.17, -12.36, 32.52])
    assert totals["shares_follow_items"] == ["公共安全支出", "卫生健康支出", "住房保障支出"]


def test_line_86_is_one_cause_and_blames_no_table(findings):
    counts = rows(findings, "stated_count")
    assert len(counts) == 3 and counts["cause"].nunique() == 1 and set(counts["reported"]) == {16}
    assert (counts["project_code"] == "").all()


def test_line_86_names_the_listed_projects_without_a_table(findings, data):
    # line 86 lists 12 projects; 道路交通管理业务系统建设项目 and 道路交通管理设施设备维保服务项目 have no table
    # (办公场所维修改造项目 is the table 2023年办公场所维修改造项目, line 5953); 7 of the 17 tables are not listed
    counts = rows(findings, "stated_count")
    assert set(counts["detail"]) == {"list_differs_from_tables"} and counts["related"].nunique() == 1
    related = counts.iloc[0]["related"].split(";")
    cut = related.index("tables_not_named")
    assert related[:cut] == ["道路交通管理业务系统建设项目", "道路交通管理设施设备维保服务项目"]
    names = data.projects.set_index("project_code")["project_name"]
    assert [names[code] for code in related[cut + 1:]] == [
        "智能交通安全设施项目", "道安工作专项经费", "二大队业务技术用房新建项目", "文明劝导员工作经费", "代管资金",
        "2022年省级政法转移支付资金", "2023年省级政法转移支付资金结转"]


def test_contradictions_are_counted_by_cause(data):
    from helpers.story.reliability import counts

    c = counts(data)
    # 16 failed error checks: line 36 (5), line 86 (3), two implied budgets, 交通警察人数, two totals, one score,
    # and the no-balance statements of lines 146 and 154 (one cause: the 1,316.00 paid in 2024)
    assert c["error"] == 16 and c["error_causes"] == 9


def test_no_false_positives(findings):
    missed = rows(findings, "target_missed_full_marks")
    # ＝0 placeholders of 交通安全宣传项目 (lines 1000-1200), 代管资金's 2022 leftovers (lines 6787, 6811),
    # the cap 中央隔离网建设 ＝220 元/米 (198 is a saving), 完成卡口控建设 with its reason (line 4638), grade bands
    for indicator in ["年度短视频制作", "川报集团“四川在线”合作宣传", "2022年司法救助金", "中央隔离网建设",
                      "完成卡口控建设", "考核档次优", "考核档次不合格", "每月或每季度进行考核优秀"]:
        assert indicator not in set(missed["indicator"]), indicator
    # 代管资金 (51050023T000008367850): only its printed 99.42% (99.415% computed) remains
    assert set(findings.loc[findings["project_code"] == "51050023T000008367850", "check"]) == {"execution_rate"}
    # 15 recurring + 1 one-off cover 16 of 17 tables: which 8 are "over 10%" cannot be told
    assert rows(findings, "stated_count", subject="recurring_projects_over_10pct_balance").empty


def test_caps_scored_as_spending_targets(findings, data):
    caps = rows(findings, "cap_scored_as_spending")
    assert len(caps) == 7 and caps["cause"].nunique() == 1
    ind = data.indicators.merge(caps[["project_code", "indicator"]])
    assert (ind["score"] - ind["weight"] * ind["actual_value"] / ind["target_value"]).abs().max() <= 0.005
    assert "2023年直属大队物业管理项目" in set(caps["indicator"])  # ≤210, 205.38, 4.89 of 5 (line 1702)


def test_police_count_in_an_indicator_contradicts_the_staff_sentence(findings):
    police = rows(findings, "indicator_vs_fact", indicator="交通警察人数").iloc[0]
    assert police["reported"] == 166 and police["computed"] == 159 and police["severity"] == "error"  # lines 615, 135
    assert "135" in police["lines"].split(";")


def test_no_balance_statement_against_money_paid_next_year(findings, data):
    # "2023年无结转结余资金" (line 146) and "部门整体年终预算没有结余" (line 154) against the 1,316.00 of
    # 2023年省级政法转移支付资金结转, received on 14 December and paid in 2024 (lines 43, 7286).
    assert data.facts.loc[data.facts["metric"] == "carryover_balance", ["value", "source_line"]].values.tolist() \
        == [[0, 146]]
    assert data.facts.loc[data.facts["metric"] == "year_end_budget_balance", ["value", "source_line"]].values.tolist() \
        == [[0, 154]]
    balance = rows(findings, "balance_statement").set_index("subject")
    assert list(balance.index) == ["carryover_balance", "year_end_budget_balance"]
    assert (balance["reported"] == 0).all() and balance["computed"].tolist() == pytest.approx([1316.0, 1316.0])
    assert set(balance["related"]) == {"51050024T000010722419"} and set(balance["severity"]) == {"error"}
    # the project's rows start on line 7278; its reason (paid in 2024) is on line 7286
    assert balance["lines"].tolist() == ["146;7278", "154;7278"]
    assert balance["cause"].nunique() == 1   # two statements, one contradiction


def test_leftover_rows(data):
    from helpers.data.leftovers import leftovers

    rows_ = leftovers(data.indicators)
    # 37 rows marked 2022年数据，系统默认导出，无法删除: 35 with target and result 0,
    # and 代管资金's two (lines 6787, 6811)
    assert len(rows_) == 37
    assert int(((rows_["target_value"] == 0) & (rows_["actual_value"] == 0)).sum()) == 35


def test_vehicle_purchases_the_list_leaves_out_point_to_the_project_that_books_them(findings):
    # 447.37 bought (line 66) against 256.44 listed; 2022年省级政法转移支付资金 books 公务用车购置 477.72 (line 7181)
    vehicles = rows(findings, "whole_vs_parts", subject="vehicle_purchase").iloc[0]
    assert vehicles["difference"] == pytest.approx(190.93) and vehicles["severity"] == "warning"
    assert vehicles["detail"] == "bought_in_project" and vehicles["related"] == "51050023T000008477196"


def test_each_report_is_audited_on_its_own_figures(tidy_dir):
    """With the report identity of contract C1, two reports stating the same year are audited apart."""
    from helpers.data.audit import assign_causes, run_checks

    names = ["facts", "functional_classification", "projects", "project_funding", "indicators"]
    one = {name: read_table(name, tidy_dir).assign(report="a", report_year=2023) for name in names}
    two = {name: pd.concat([one[name], one[name].assign(report="b")], ignore_index=True) for name in names}
    checks_one, checks_two = run_checks(one), run_checks(two)
    assert len(checks_two) == 2 * len(checks_one)
    assert (checks_two.groupby("report")["passed"].sum() == checks_one["passed"].sum()).all()
    findings = checks_two[~checks_two["passed"]].copy()
    findings["cause"] = assign_causes(findings).to_numpy()
    assert findings.groupby("report")["cause"].nunique().tolist() == [37, 37]
