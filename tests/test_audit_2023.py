"""What the audit finds in the real 2023 report, checked by hand against its lines."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from helpers.data.load import load_year
from helpers.data.schema import read_table
from tests.test_selfeval import cause_bullets


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
    from helpers.story.audit import class_totals

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


def test_line_86_counts_the_tables_with_targets_a_note_not_a_contradiction(findings, data):
    # 16 projects (line 86) against 17 tables: 16 carry targets, the 17th (2023年省级政法转移支付资金结转, line 7246)
    # is an empty form; "等16个项目" is a partial list, and 道路交通管理业务系统建设项目 and
    # 道路交通管理设施设备维保服务项目 are named without a table of their own
    counts = rows(findings, "stated_count")
    assert len(counts) == 3 and set(counts["severity"]) == {"info"} and counts["cause"].nunique() == 1
    assert set(counts["detail"]) == {"empty_form_not_counted"} and counts["related"].nunique() == 1
    related = counts.iloc[0]["related"].split(";")
    names = data.projects.set_index("project_code")["project_name"]
    assert names[related[0]] == "2023年省级政法转移支付资金结转"
    assert related[1:] == ["道路交通管理业务系统建设项目", "道路交通管理设施设备维保服务项目"]
    assert set(counts["reported"]) == {16} and set(counts["computed"]) == {17}


def test_contradictions_are_counted_by_cause(data):
    from helpers.story.audit import counts

    c = counts(data)
    # 16 failed error checks: line 36 (5), three implied budgets (the 75% and the adjusted budget of 17,211.32 against
    # the items' rates: one cause), two totals, one score, the no-balance statements of
    # lines 146 and 154 (one cause: the 1,316.00 paid in 2024), line 170's 不涉及 against lines 81 and 156 (one cause),
    # the 2022 transfer's cost results; line 86 (16 of 17 tables) and 166 police (159 − 2 + 9, line 135) are notes
    assert c["error"] == 16 and c["error_causes"] == 9


def test_no_false_positives(findings):
    missed = rows(findings, "target_missed_full_marks")
    # ＝0 placeholders of 交通安全宣传项目 (lines 1000-1200), 代管资金's 2022 leftovers (lines 6787, 6811),
    # the cap 中央隔离网建设 ＝220 元/米 (198 is a saving), 完成卡口控建设 with its reason (line 4638), grade bands
    for indicator in ["年度短视频制作", "川报集团“四川在线”合作宣传", "2022年司法救助金", "中央隔离网建设",
                      "完成卡口控建设", "考核档次优", "考核档次不合格", "每月或每季度进行考核优秀"]:
        assert indicator not in set(missed["indicator"]), indicator
    # 代管资金 (51050023T000008367850): its printed 99.42% (99.415% of the rounded amounts) is within the rounding
    # the two amounts carry; so is 2023年办公场所维修改造项目's 68.10% (68.093%)
    assert rows(findings, "execution_rate").empty
    # 2023年新建交通标线: 6,564 平方米 against ≤6,060 (line 4277) is over-delivery, not a miss
    assert "2023年新建交通标线" not in set(missed["indicator"])
    # 15 recurring + 1 one-off cover 16 of 17 tables: which 8 are "over 10%" cannot be told
    assert rows(findings, "stated_count", subject="recurring_projects_over_10pct_balance").empty


def test_caps_scored_as_spending_targets(findings, data):
    caps = rows(findings, "cap_scored_as_spending")
    assert len(caps) == 10 and caps["cause"].nunique() == 1   # one convention, one cause
    ind = data.indicators.merge(caps[["project_code", "indicator", "related"]])
    exact = ind[ind["related"] == ""]
    assert (exact["score"] - exact["weight"] * exact["actual_value"] / exact["target_value"]).abs().max() <= 0.005
    # rounded down: 33.34 ÷ 80 × 4 = 1.67 scored 1.5 (line 6255); 9.32 ÷ 11.03 × 4 = 3.38 scored 3 (line 7195);
    # 199.76 ÷ 579.91 × 4 = 1.38 scored 1 (line 7207)
    assert caps.loc[caps["related"] == "rounded_down", "lines"].tolist() == ["6255", "7195", "7207"]
    # "a saving lost points" only where the reason is a saving: not 质保金 unpaid (627, 639), the building not started
    # (5805, 5841), money moved (7159), paid as the work was done (7207)
    assert caps.loc[caps["detail"] == "work_not_done", "lines"].tolist() == ["627", "639", "5805", "5841", "7159",
                                                                             "7207"]
    assert "saving" not in set(caps["detail"])
    assert "2023年直属大队物业管理项目" in set(caps["indicator"])  # ≤210, 205.38, 4.89 of 5 (line 1702)


def test_police_count_in_an_indicator_is_the_start_of_year_count(findings):
    # 166 (line 615) = 159 police at year end − 2 joined + 9 retired (line 135): a note with that arithmetic
    police = rows(findings, "indicator_vs_fact", indicator="交通警察人数").iloc[0]
    assert police["reported"] == 166 and police["computed"] == 159 and police["severity"] == "info"
    assert police["detail"] == "start_of_year_count" and police["related"] == "2;9"
    assert police["reported"] == 159 - 2 + 9 and "135" in police["lines"].split(";")


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
    # the project's adjusted budget (1,316.00) is on line 7281; its reason (paid in 2024) is on line 7286
    assert balance["lines"].tolist() == ["146;7281", "154;7281"]
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
    """With a report identity in every row, two reports stating the same year are audited apart."""
    from helpers.data.audit import assign_causes, run_checks

    names = ["facts", "functional_classification", "projects", "project_funding", "indicators"]
    one = {name: read_table(name, tidy_dir).assign(report="a", report_year=2023) for name in names}
    two = {name: pd.concat([one[name], one[name].assign(report="b")], ignore_index=True) for name in names}
    checks_one, checks_two = run_checks(one), run_checks(two)
    assert len(checks_two) == 2 * len(checks_one)
    assert (checks_two.groupby("report")["passed"].sum() == checks_one["passed"].sum()).all()
    findings = checks_two[checks_two["status"] == "failed"].copy()
    findings["cause"] = assign_causes(findings).to_numpy()
    # the causes of the tidy findings, less the two the prose statements give (lines 68 and 170): no prose here
    causes = read_table("audit_findings", tidy_dir)["cause"].nunique() - 2
    assert findings.groupby("report")["cause"].nunique().tolist() == [causes, causes] == [29, 29]
    # notes are findings; checks that could not run are neither passed nor findings
    assert (checks_two["status"] == "passed").sum() == 2 * (checks_one["status"] == "passed").sum()


@pytest.fixture(scope="module")
def checks(tidy_dir) -> pd.DataFrame:
    return read_table("audit_checks", tidy_dir)


def test_every_check_records_its_status_and_a_check_that_could_not_run_is_not_passed(checks):
    # passed / failed / not_applicable / not_enough_data, with the reason when it did not run
    assert set(checks["status"]) <= {"passed", "failed", "not_applicable", "not_enough_data"}
    assert (checks["passed"] == (checks["status"] == "passed")).all()
    not_run = checks[checks["status"].isin(["not_applicable", "not_enough_data"])]
    assert len(not_run) and (not_run["reason"] != "").all() and (not_run["severity"] == "").all()
    # which 8 of the 15 recurring projects are "over 10%" (line 160) cannot be told with 15 + 1 counted against 17
    # tables: ambiguous, so not passed
    over = checks[checks["subject"] == "recurring_projects_over_10pct_balance"].iloc[0]
    assert over["status"] == "not_enough_data" and over["reason"] == "ambiguous:16 projects counted against 17 tables"
    # the 2022 total follows only from the stated change (line 10): the change itself cannot be checked
    change = checks[checks["subject"] == "total_expenditure_change"].iloc[0]
    assert change["status"] == "not_applicable" and change["reason"] == "prior_year_derived:total_expenditure"


def test_the_audit_carries_a_fingerprint_of_its_code_rules_and_input(checks, findings, tidy_dir):
    from helpers.data.audit import fingerprint
    from helpers.data.ingest import parse_report
    from tests.conftest import REPORT_2023

    names = ["facts", "functional_classification", "projects", "project_funding", "indicators", "named_projects",
             "explanations"]
    tables = {name: read_table(name, tidy_dir) for name in names}
    prose = {None: parse_report(REPORT_2023).prose}
    stamp = fingerprint(tables, prose)
    assert set(checks["fingerprint"]) == {stamp} == set(findings["fingerprint"]) and len(stamp) == 16
    facts = tables["facts"].copy()
    facts.loc[facts["metric"] == "three_public_total", "value"] = 617.38   # one cent on line 59
    assert fingerprint(dict(tables, facts=facts), prose) != stamp
    # the prose the statements are read from: line 170 without its 不涉及…政府采购
    edited = [t.replace("政府采购", "") if n == 170 else t for n, t in enumerate(prose[None], start=1)]
    assert fingerprint(tables, {None: edited}) != stamp


def test_figures_audited_again_give_the_audit_made_before_and_a_changed_figure_its_own(report_path, monkeypatch):
    """A process keeps the audits it made (helpers.data.audit._AUDITED): the same figures and prose give what an
    audit made afresh gives, without running the checks again; a figure changed by a cent is audited anew."""
    from helpers.data import audit
    from helpers.data.ingest import parse_report
    from helpers.data.schema import frame

    parsed = parse_report(report_path)
    tables, prose = {name: frame(name, rows) for name, rows in parsed.rows.items()}, {None: parsed.prose}
    audit._AUDITED.clear()
    made = audit.audit_tables(tables, prose)
    made[1].loc[0, "check"] = "changed by the caller"  # what one caller does with its copy reaches no other
    run_checks = audit.run_checks
    with monkeypatch.context() as patch:
        patch.setattr(audit, "run_checks", lambda *args: pytest.fail("the checks ran again on the same figures"))
        again = audit.audit_tables(tables, prose)
    audit._AUDITED.clear()
    for kept, afresh in zip(again, audit.audit_tables(tables, prose), strict=True):
        pd.testing.assert_frame_equal(kept, afresh)
    facts = tables["facts"].copy()
    facts.loc[facts["metric"] == "three_public_total", "value"] = 617.38  # one cent on line 59
    monkeypatch.setattr(audit, "run_checks", lambda *args: ran.append(args) or run_checks(*args))
    ran: list = []
    _, checks = audit.audit_tables(dict(tables, facts=facts), prose)
    assert len(ran) == 1
    for audited, reported in ((again[1], 617.37), (checks, 617.38)):
        three_public = audited[(audited["check"] == "whole_vs_parts") & (audited["subject"] == "three_public_total")]
        assert three_public[["reported", "computed", "lines"]].values.tolist() == [[reported, 617.37, "59;61"]]


def test_blank_results_scored_in_full(findings):
    # 图像设备, 视频调解设备, 实时监控视频 (lines 3122, 3134, 3146) and 群众对农村道路交通安全管理满意度
    # (line 3909) have no result, yet kept 1 + 2 + 2 + 3 = 8 points
    blank = rows(findings, "blank_result_scored")
    assert blank["lines"].tolist() == ["3122", "3134", "3146", "3909"]
    assert blank["reported"].sum() == 8 and (blank["reported"] == blank["computed"]).all()
    assert set(blank["severity"]) == {"warning"} and blank["cause"].nunique() == 2   # one cause per project


def test_activities_named_in_the_goal_with_targets_of_zero_scored(findings):
    # 道安工作专项经费's goal (line 5002) names 魔镜系统试点建设及奖补, 泸州市农交安APP建设 and
    # 货运源头企业车辆出场站监控系统试点建设及奖补; their six indicators (count and unit cost) have target 0, result 0
    # and scored 6 points (lines 5170-5470)
    zero = rows(findings, "zero_target_scored")
    assert zero["lines"].tolist() == ["5170", "5230", "5242", "5410", "5458", "5470"]
    assert zero["reported"].sum() == 6 and set(zero["detail"]) == {"named_in_goal"} and zero["cause"].nunique() == 1


def test_no_procurement_and_no_state_assets_against_the_figures(findings):
    # line 170 says 不涉及…行政事业性国有资产…政府采购, against 4,444.82 of procurement (line 81) and
    # 28,002.22 of fixed assets (line 156): one statement, one cause, a contradiction
    stated = rows(findings, "statement_vs_figures").set_index("subject")
    assert stated.loc["no_procurement", "computed"] == 4444.82 and stated.loc["no_procurement", "lines"] == "81;170"
    assert stated.loc["no_state_assets", "computed"] == 28002.22 and stated.loc["no_state_assets", "lines"] == "156;170"
    assert set(stated["severity"]) == {"error"} and stated["cause"].nunique() == 1


def test_the_2022_transfer_reports_more_cost_results_than_it_spent(findings):
    # 0 + 37.49 + 477.72 + 9.32 + 199.76 = 724.29 (lines 7159-7207) against 707.08 spent (line 6892)
    cost = rows(findings, "cost_results_vs_spending")
    assert len(cost) == 1 and cost.iloc[0]["subject"] == "2022年省级政法转移支付资金"
    assert cost.iloc[0]["reported"] == pytest.approx(724.29) and cost.iloc[0]["computed"] == 707.08
    assert cost.iloc[0]["difference"] == pytest.approx(17.21) and cost.iloc[0]["severity"] == "error"


def test_agency_operating_expenditure_reason_and_equality_with_public_expenditure(findings):
    # 机关运行经费 fell 15.6 (line 79) for a reason that would raise it; it equals 公用经费 (line 56):
    # 997.23
    against = rows(findings, "reason_against_direction").iloc[0]
    assert against["reported"] == -15.6 and against["lines"] == "79"
    same = rows(findings, "same_as_other_figure").iloc[0]
    assert same["reported"] == same["computed"] == 997.23 and same["lines"] == "56;79"
    assert against["cause"] == same["cause"]


def test_direction_words_zero_rates_and_gaps_without_reasons(findings, checks):
    # line 68 "比2022年减少持平"; line 64 "支出0万元，完成预算100%" (a budget of 0); line 68's 0% of 0
    # cannot be checked; lines 39, 40, 44, 45, 47, 50 spent less than budget with no reason
    direction = rows(findings, "contradictory_direction").iloc[0]
    assert direction["lines"] == "68" and direction["related"] == "减少持平" and direction["severity"] == "warning"
    zero = rows(findings, "rate_on_zero_amount").iloc[0]
    assert zero["lines"] == "64" and zero["reported"] == 1.0 and zero["computed"] == 0
    reception = checks[checks["subject"] == "official_reception_completion_rate"].iloc[0]
    assert reception["status"] == "not_applicable" and not reception["passed"]
    gaps = rows(findings, "gap_without_reason")
    assert gaps["lines"].tolist() == ["39", "40", "44", "45", "47", "50"] and gaps["cause"].nunique() == 1
    assert set(gaps["severity"]) == {"info"}
    # 行政运行: 6,890.58 at 98.4% implies about 7,002.62, 112.04 unspent
    assert (gaps.iloc[1]["computed"] - gaps.iloc[1]["reported"]) == pytest.approx(112.04, abs=0.01)


def test_one_cause_per_convention(findings):
    # the eight "＞ target, result equal" rows are one cause; one project's misses with one stated
    # reason are one cause (车辆检测 lines 3242, 3266; 项目服务期暂未结束 lines 3801, 3813, 3825)
    strict = findings[findings["detail"] == "strict_target_met_exactly"]
    assert strict["lines"].tolist() == ["356", "368", "699", "4789", "5278", "5290", "5745", "6489"]
    assert strict["cause"].nunique() == 1
    missed = rows(findings, "target_missed_full_marks").set_index("lines")["cause"]
    assert missed["3242"] == missed["3266"] and missed["3801"] == missed["3813"] == missed["3825"]
    assert missed["3061"] != missed["3097"]


FORENSIC_REASON = "“交通事故中，未造成人员死亡，无需进行法医检验鉴定。”"


@pytest.mark.parametrize("lang, words", [("zh", "报告所述原因：" + FORENSIC_REASON),
                                         ("en", "the report's reason: " + FORENSIC_REASON)])
def test_missed_with_full_marks_shows_the_reports_reason(data, lang, words):
    # 法医检验鉴定 ≥125 次, 54 done, full 2 points, and the reason the table gives (line 3061)
    from helpers.story import audit, wording

    bullets = wording.say_each(lang, "audit", "cause_bullet", audit.cause_findings(data, "warning", lang))
    bullet = next(b for b in bullets if "3061" in b)
    assert words in bullet


def test_each_cause_carries_the_money_at_stake_and_causes_read_by_money(data):
    # 28,002.22 of fixed assets against 不涉及 (line 170); implied budgets 22,948.43, 20,046.39 (2,902.04);
    # the 1,316.00 paid in 2024 (lines 146, 154); 32.52 of line 36; 724.29 − 707.08 = 17.21; 190.93 of vehicles
    from helpers.story import audit

    table = audit.causes_by_money(data)
    errors = table[table["severity"] == "error"]
    assert errors["at_stake"].head(5).tolist() == pytest.approx([28002.22, 2902.04, 1316.00, 32.52, 17.21])
    assert errors["at_stake"].tail(3).isna().all()   # scores: no money
    assert list(table["severity"]) == sorted(table["severity"], key=["error", "warning", "info"].index)
    vehicles = table[(table["severity"] == "warning") & table["at_stake"].notna()].iloc[0]
    assert vehicles["at_stake"] == pytest.approx(190.93) and vehicles["lines"] == [65, 66]   # one cause (19.2)


def test_no_pass_rate_over_kinds_that_record_only_failures(data):
    # 目标未达仍得满分 and the other observations record only what they find: they are not "checks run"
    from helpers.story import audit

    c = audit.counts(data)
    ran = audit.comparisons(data.checks)
    assert "target_missed_full_marks" not in set(ran["check"]) and "cap_scored_as_spending" not in set(ran["check"])
    assert c["checks"] == len(ran) < len(data.checks) and c["passed"] == int((data.checks["status"] == "passed").sum())
    not_run = data.checks[data.checks["status"].isin(["not_applicable", "not_enough_data"])]
    assert c["not_run"] == len(not_run) and (not_run["reason"] != "").all()
    # the one that had some of its figures: which 8 projects are "over 10%" (line 160) cannot be told
    assert not_run.loc[not_run["status"] == "not_enough_data", "subject"].tolist() == [
        "recurring_projects_over_10pct_balance"]


def test_budget_cuts_without_a_stated_reason(findings):
    # 二大队业务技术用房新建项目 was cut from 1,000.00 to 920.00 (line 5558) and its reason speaks only of
    # the delay; 道路交通事故处理业务项目 from 238.35 to 228.35 (line 2982) with no reason at all
    cuts = rows(findings, "budget_cut_without_reason").set_index("subject")
    cut = cuts.loc["二大队业务技术用房新建项目"]
    assert (cut["reported"], cut["computed"], cut["at_stake"]) == (1000.0, 920.0, 80.0)
    assert cuts.loc["道路交通事故处理业务项目", "at_stake"] == pytest.approx(10.0)
    assert cuts["cause"].nunique() == 1 and set(cuts["severity"]) == {"info"}


def test_problems_are_numbered_in_the_order_a_reader_weighs_them(findings, data):
    # Problem 1 is the largest contradiction: line 170's 不涉及 against 28,002.22 of fixed assets and 4,444.82 of
    # procurement; then the budgets the rates imply (2,902.04), the 1,316.00 paid in 2024 (lines 146, 154), line 36
    # (32.52), the cost results (724.29 − 707.08 = 17.21), 三公 (11.77); then the three score errors, without money.
    # The first doubtful figure is the 190.93 of vehicles the list leaves out.
    from helpers.story import audit

    first = findings.drop_duplicates("cause").set_index("cause")
    assert list(first.index[:10]) == [f"C{n}" for n in range(1, 11)]
    assert list(first["check"].iloc[:6]) == ["statement_vs_figures", "implied_budget", "balance_statement",
                                             "whole_vs_parts", "cost_results_vs_spending", "implied_budget"]
    money = findings.groupby("cause", sort=False)["at_stake"].max()
    assert money.iloc[:6].tolist() == pytest.approx([28002.22, 2902.04, 1316.00, 32.52, 17.21, 11.77])
    assert first.loc["C10", "at_stake"] == pytest.approx(190.93) and first.loc["C10", "severity"] == "warning"
    assert findings["finding_no"].tolist() == list(range(1, len(findings) + 1))
    # the page lists the problems in that order, and its chart reads the same ids
    bullets = cause_bullets(data, "error", "en")
    assert "28,002.22" in bullets[0] and "1,316.00" in bullets[2] and "32.52" in bullets[3]
    assert list(audit.causes_by_money(data)["cause"].iloc[:10]) == [f"C{n}" for n in range(1, 11)]


def test_every_count_of_problems_agrees(tidy_dir, data):
    # 9 contradictions and 13 doubtful figures, counted by cause at their worst severity: the banner on every
    # page, the summary (04), the audit page (05), the comparison of units (08) and the README say the same
    from helpers import paths
    from helpers.publish.plan import error_count
    from helpers.story import audit, compare
    from helpers.story.wording import say

    c = audit.counts(data)
    assert (c["error_causes"], c["warning_causes"], c["info_causes"]) == (9, 13, 9)
    assert error_count(2023, tidy_dir) == 9
    row = compare.unit_row(data, 0.9)
    assert (row["error_causes"], row["warning_causes"]) == (9, 13)
    k = audit.summary_values(data)
    assert "contradicts itself in 9 places" in say("en", "summary", "reliability", counts=k)
    assert "13 figures are doubtful" in say("en", "summary", "reliability", counts=k)
    assert "9 contradictions (behind 16 failed checks), 13 doubtful figures and 9 notes" in say(
        "en", "audit", "summary", **k)
    # the README's count is that of the committed tidy data
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    committed = load_year(2023, paths.DATA / "tidy")
    stated = re.search(r"contradicts itself in (\d+) places", readme)
    assert stated and int(stated.group(1)) == audit.counts(committed)["error_causes"] == 9


def test_kinds_that_record_only_failures_show_no_checks_run_or_passed(data):
    # 目标未达仍得满分: 15 found, no "15 checks, 0 passed"; 合计数与分项之和不符 ran 18 times, 14 passed
    from helpers.story import audit

    kinds = audit.checks_by_kind(data, "en").set_index("check")
    missed = kinds.loc["target_missed_full_marks"]
    assert missed["not_passed"] == 15 and missed["causes"] == 5
    assert pd.isna(missed["ran"]) and pd.isna(missed["passed"])
    assert pd.isna(kinds.loc["cap_scored_as_spending", "passed"])
    assert (kinds.loc["whole_vs_parts", "ran"], kinds.loc["whole_vs_parts", "passed"]) == (18, 14)


def test_printed_rates_keep_the_reports_decimals_and_words_are_quoted_not_zeros(data, tidy_dir):
    # line 49: 公务员医疗补助 完成预算100% (printed "100%", not "100.0%"); line 39's 75% in the trend table;
    # line 68: 公务接待费支出0万元 (printed "0万元", not "0.00 万元"); computed shares stay computed (91.4%)
    from helpers.show.display import table
    from helpers.story import audit, overview, three_public, trend
    from helpers.story.wording import say

    items = overview.items_table(data)
    html = table(items, amounts=("amount",), rates=("completion_rate",)).to_html()
    row = items.set_index("item_zh").loc["公务员医疗补助"]
    assert row["completion_rate"] == 1.0 and ">100%<" in html and "100.0%" not in html
    by_year = trend.trend_table(tidy_dir)
    html = table(by_year, rates=("budget_completion_rate", "project_execution")).to_html()
    assert ">75%<" in html and "75.0%" not in html and ">81.4%<" in html
    shares = table(audit.class_reconciliation(data), rates=("reported_share", "share_of_amount")).to_html()
    assert ">91.2%<" in shares and ">91.4%<" in shares
    tp = three_public.three_public(data)
    assert tp.reception == 0 and tp.reception_completion == 0
    en, zh = say("en", "three_public", "items", three_public=tp), say("zh", "three_public", "items", three_public=tp)
    assert "nothing was spent on official hospitality (公务接待费; the report prints 0 万元), 0% of its budget" in en
    assert "公务接待费无支出（报告列示为0万元），完成预算0%" in zh
    assert not re.search(r"(?<![\d,.])0\.00", en + zh)
    # the carry-over statement is quoted in the report's words, not as a figure of 0.00
    balance = [b for b in cause_bullets(data, "error", "en") if "1,316.00" in b][0]
    assert "“2023年无结转结余资金”" in balance and "“年终预算没有结余”" in balance
    assert not re.search(r"(?<![\d,.])0\.00", balance)


def test_project_citations_point_at_the_line_holding_the_figure(tidy_dir, findings, report_lines):
    # the 2022 transfer: 1,125.67 adjusted (line 6891), 707.08 spent (line 6892), the vehicles bought in its
    # 年度目标完成情况 (line 6872); its 公务用车购置 indicator completed 477.72 on line 7185 (7183 is the target);
    # the 2023 transfer: 1,316.00 (line 7281) and 0.00 (line 7282); 2023年办公场所维修改造项目: 150.00 (line 5987)
    projects = read_table("projects", tidy_dir).set_index("project_name")
    indicators = read_table("indicators", tidy_dir)

    def at(line: int) -> str:
        return report_lines[line - 1].strip()

    transfer = projects.loc["2022年省级政法转移支付资金"]
    assert (transfer["budget_line"], transfer["executed_line"], transfer["goal_line"]) == (6891, 6892, 6872)
    assert (at(6891), at(6892)) == ("1,125.67", "707.08") and "购买清障车1辆" in at(6872)
    late = projects.loc["2023年省级政法转移支付资金结转"]
    assert (at(late["budget_line"]), at(late["executed_line"])) == ("1,316.00", "0.00")
    assert at(projects.loc["2023年办公场所维修改造项目", "budget_line"]) == "150.00"
    for p in projects.itertuples():   # every project: its budget and executed lines hold its figures
        assert float(at(p.budget_line).replace(",", "")) == pytest.approx(p.budget_adjusted), p.Index
        assert float(at(p.executed_line).replace(",", "")) == pytest.approx(p.executed), p.Index
    vehicles = indicators[indicators["indicator"] == "公务用车购置"].iloc[0]
    assert (vehicles["source_line"], vehicles["actual_line"], at(vehicles["actual_line"])) == (7183, 7185, "477.72")
    # the cost results (724.29) against the 707.08 spent cite the spent figure and each result
    cost = findings[findings["check"] == "cost_results_vs_spending"].iloc[0]
    assert cost["lines"] == "6892;7161;7173;7185;7197;7209"


def test_the_building_project_built_nothing_and_its_cut_is_unexplained(findings, data):
    # 二大队业务技术用房新建项目 spent 518.61 (line 5562); 副楼3楼 and 主楼5楼 (≥500 平方米 each) report 0 (lines 5675,
    # 5687), 主楼+副楼基础设施建设 (≤513.64 万元) 0 (line 5807); its surveillance outputs were delivered (12 道路监控,
    # 16 卡口, 60 违停抓拍, 2 电子警察); its budget was cut from 1,000.00 to 920.00 and its reason speaks only of delays

    building = rows(findings, "area_not_delivered")
    assert len(building) == 1
    b = building.iloc[0]
    assert b["subject"] == "二大队业务技术用房新建项目"
    assert (b["reported"], b["computed"], b["at_stake"]) == (518.61, 0.0, 518.61)
    assert (b["lines"], b["metrics"], b["severity"]) == ("5562;5675;5687;5807", "副楼3楼;主楼5楼", "info")
    assert b["related"] == "完成道路监控建设;完成卡口建设;完成违停自动抓拍建设;完成电子警察建设"
    cut = rows(findings, "budget_cut_without_reason", subject="二大队业务技术用房新建项目").iloc[0]
    assert (cut["reported"], cut["computed"], cut["detail"]) == (1000.0, 920.0, "reason_not_about_cut")
    en = [n for n in cause_bullets(data, "info", "en") if "5675" in n][0]
    # the English page glosses each indicator it names (data/names/indicators.csv)
    assert "二大队业务技术用房新建项目 (New building for the 2nd brigade) spent 518.61 万元, yet its floor-area " \
           "targets (副楼3楼 (Annex, 3 floors), 主楼5楼 (Main building, 5 floors)) report 0 平方米" in en
    assert "(完成道路监控建设 (Road cameras built), 完成卡口建设 (Checkpoints built), 完成违停自动抓拍建设 " \
           "(Parking-violation cameras built), 完成电子警察建设 (Enforcement cameras built)), all delivered" in en
    zh = [n for n in cause_bullets(data, "info", "zh") if "5561" in n][0]
    assert "二大队业务技术用房新建项目：年初预算1,000.00万元，调整后预算920.00万元，调减80.00万元，" \
           "自评表未说明调减原因：表中按要求填写的原因只说明了支出进度慢" in zh


def test_one_report_already_gives_two_years(tidy_dir):
    # the 2023 report states the change of its total (line 10: 减少889.32万元) and of 三公 (line 59: 增加437.37万元):
    # 2022's 18,100.64 and 180.00 follow, labelled as worked back; basic spending of 2022 is not given
    from helpers.story import common, trend
    from helpers.story.wording import say

    by_year = trend.trend_table(tidy_dir)
    assert by_year["year"].tolist() == [2022, 2023] and trend.own_reports(by_year) == 1
    assert by_year["total_expenditure"].tolist() == [18100.64, 17211.32]
    assert by_year["three_public_total"].tolist() == [180.00, 617.37]
    assert by_year["figures"].tolist() == [trend.WORKED_BACK_BY_NEXT, trend.OWN_REPORT]
    assert pd.isna(by_year.loc[0, "basic_expenditure"])
    [step] = trend.steps(by_year, "total_expenditure", tidy_dir)
    assert (step.prior_year, step.year, step.change, step.prior_derived) == (2022, 2023, -889.32, True)
    assert say("en", "trend", "step", change=step) == ("2022 to 2023: spending fell by 889.32 万元, or 4.9% "
                                                   "(worked back from the change the report states)")
    assert say("zh", "trend", "step", change=step) == \
        "2023年比2022年减少889.32万元，下降4.9%（由本年数和报告所列增减额推算）"
    three_public = trend.across(by_year, "three_public_total")
    assert (three_public.prior, three_public.current, three_public.change) == (180.00, 617.37, 437.37)
    basic = trend.across(by_year, "basic_expenditure")
    assert not basic.prior_derived and "cannot be compared: the reports give no figure for 2022;" in say(
        "en", "trend", "structure", first=2022, last=2023, basic=basic, project=trend.across(by_year,
                                                                                            "project_expenditure"))
    assert "was unchanged" not in say("en", "common", "by", change=common.Change("x", 2023, 2022, float("nan"), 1.0))
    # one report: projects cannot be followed, not "none of the 17 spans years"
    text = say("en", "trend", "projects", matched=0, total=17, reports=trend.own_reports(by_year))
    assert text.startswith("With one report, no project can be followed") and "None of" not in text
    assert say("en", "trend", "execution_year", year=2022, printed=float("nan"), computed=float("nan")) == \
        "2022: not reported"


def test_story_citations_point_at_the_figure(data, report_lines):
    # 2023年办公场所维修改造项目's 150.00 (line 5987, not its header 5952); the vehicles the 2022 transfer bought
    # (line 6872, not 6856); its 公务用车购置 result 477.72 (line 7185, not the target 7183); the 2023 transfer's
    # 1,316.00 (line 7281, not its header 7246)
    from helpers.story import overview, three_public
    from helpers.story.wording import say

    [conflict] = overview.reason_conflicts(data)
    assert conflict.table_line == 5987 and report_lines[5986].strip() == "150.00"
    v = three_public.vehicle_purchases(data)
    assert (v.project_line, v.project_booked_line) == (6872, 7185)
    assert "清障车1辆" in report_lines[6871] and report_lines[7184].strip() == "477.72"
    [late] = overview.items_and_projects(data, 0.9)
    assert late.project_line == 7281 and report_lines[7280].strip() == "1,316.00"
    en = say("en", "overview", "item_project", link=late) + say("en", "overview", "conflict", conflict=conflict)
    assert "(line 7281)" in en and "line 5987" in en and "7246" not in en and "5952" not in en
