"""The story's results and their wording, against the report (line numbers of the 2023 text)."""

from __future__ import annotations

import shutil

import pytest

from helpers.data.load import load_year
from helpers.show import charts
from helpers.story import fmt, low_execution, overview, three_public
from helpers.story.wording import say

LOW_PROJECTS_2023 = ["2023年省级政法转移支付资金结转", "二大队业务技术用房新建项目", "2022年省级政法转移支付资金",
                     "2023年办公场所维修改造项目", "道安工作专项经费", "文明劝导员工作经费", "车驾管业务项目",
                     "道路交通组织优化项目"]


@pytest.fixture(scope="module")
def data(tidy_dir):
    return load_year(2023, tidy_dir)


def _replace_facts(tidy_dir, tmp_path, replacements: dict[str, str]):
    """A copy of the tidy data with fact rows replaced (whole-row prefixes of facts.csv)."""
    changed = tmp_path / "tidy"
    shutil.copytree(tidy_dir, changed)
    facts = (changed / "facts.csv").read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in facts, old
        facts = facts.replace(old, new)
    (changed / "facts.csv").write_text(facts, encoding="utf-8")
    return changed


def test_spending_fell_in_2023(data):
    # line 10: 17,211.32万元 … 减少889.32万元，下降4.9%
    totals = overview.totals(data)
    change = totals.spending
    assert (change.prior, change.current, change.change, change.direction) == (18100.64, 17211.32, -889.32, -1)
    assert totals.income_equals_spending and not change.pct_printed_differs
    assert say("zh", "overview", "totals", t=totals) == (
        "2023年度收、支总计均为17,211.32万元，与2022年度的18,100.64万元（由本年数和报告所列增减额推算）相比，"
        "减少889.32万元，下降4.9%。")
    assert "spending fell by 889.32 万元, or 4.9%." in say("en", "overview", "totals", t=totals)
    assert totals.reason.line == 10 and "国道546线" in say("zh", "overview", "reason", r=totals.reason)


def test_three_public_rose_and_the_printed_rate_sits_beside_the_computed_one(data):
    # line 58: 617.37万元 … 较上年度增加437.37万元，增长242.9%; 437.37 / 180 = 242.98%
    tp = three_public.three_public(data)
    assert (tp.change.prior, tp.change.current, tp.change.direction) == (180.0, 617.37, 1)
    assert tp.change.pct_printed_differs and tp.vehicle_share == 1.0
    assert "增加437.37万元，增长243.0%（报告列示为242.9%）" in say("zh", "three_public", "change", tp=tp)
    assert "rose by 437.37 万元, or 243.0% (the report prints 242.9%)" in say("en", "three_public", "change", tp=tp)
    # line 65: 公务用车购置及运行维护费 完成预算93.6%; line 68: 公务接待费支出0万元，完成预算0%
    assert "公务用车购置及运行维护费完成预算93.6%；公务接待费无支出（报告列示为0万元），完成预算0%。" in say(
        "zh", "three_public", "items", tp=tp
    )


@pytest.fixture
def rising_year(tidy_dir, tmp_path):
    """The 2023 data with 2022 made smaller (spending rose) and 2022 三公 made larger (三公 fell)."""
    return load_year(2023, _replace_facts(tidy_dir, tmp_path, {
        "2022,total_expenditure,18100.64,": "2022,total_expenditure,16000.0,",
        "2022,total_income,18100.64,": "2022,total_income,16000.0,",
        "2023,total_expenditure_change,-889.32,": "2023,total_expenditure_change,1211.32,",
        "2023,total_expenditure_change_pct,-0.049,": "2023,total_expenditure_change_pct,0.076,",
        "2022,three_public_total,180.0,": "2022,three_public_total,700.0,",
        "2023,three_public_change,437.37,": "2023,three_public_change,-82.63,",
        "2023,three_public_change_pct,2.429,": "2023,three_public_change_pct,-0.118,",
    }))


def test_the_story_follows_a_year_in_which_spending_rose_and_three_public_fell(rising_year):
    totals, tp = overview.totals(rising_year), three_public.three_public(rising_year)
    assert totals.spending.direction == 1 and tp.change.direction == -1
    zh = say("zh", "overview", "totals", t=totals) + say("zh", "three_public", "change", tp=tp)
    en = say("en", "overview", "totals", t=totals) + say("en", "three_public", "change", tp=tp)
    assert "增加1,211.32万元，增长7.6%" in zh and "减少82.63万元，下降11.8%" in zh
    assert "spending rose by 1,211.32 万元, or 7.6%" in en and "it fell by 82.63 万元, or 11.8%" in en
    assert "spending fell" not in en and "“三公” spending rose" not in en
    assert say("zh", "summary", "h_spending", ch=totals.spending) == "一、支出比上年增加"
    assert say("zh", "summary", "h_three_public", ch=tp.change) == "二、“三公”经费比上年减少"
    assert say("en", "summary", "h_spending", ch=totals.spending) == "1. Spending rose"
    assert say("en", "summary", "h_three_public", ch=tp.change) == "2. “三公” spending fell"


def test_one_low_execution_set_includes_the_project_that_spent_nothing(data):
    low = low_execution.low_execution(data, 0.9)
    assert list(low["project_name"]) == LOW_PROJECTS_2023
    carried = low.iloc[0]  # line 7225 ff.: 2023年省级政法转移支付资金结转, 1,316 budgeted, 0 executed
    assert (carried["budget_adjusted"], carried["executed"], carried["execution_rate"]) == (1316.0, 0.0, 0.0)
    building = low.set_index("project_name").loc["二大队业务技术用房新建项目"]
    assert building["unspent"] == pytest.approx(401.39) and building["execution_rate"] == pytest.approx(518.61 / 920)
    assert low.set_index("project_name").loc["文明劝导员工作经费", "shortfall_reason"] == ""
    assert len(low_execution.low_execution(data, 0.5)) == 1


def test_the_reports_own_rule_is_named_only_when_the_threshold_is_that_rule(data):
    at_rule, lower = low_execution.low_execution_summary(data, 0.9), low_execution.low_execution_summary(data, 0.8)
    assert at_rule.is_report_rule and not lower.is_report_rule
    assert at_rule.count == 8 and at_rule.projects == 17 and at_rule.unspent == pytest.approx(2587.43)
    assert "the report's own 90% rule" in say("en", "low_execution", "summary", le=at_rule)
    assert "预算执行率未达到90%的需说明原因" in say("zh", "low_execution", "summary", le=at_rule)
    for lang in ("en", "zh"):
        text = say(lang, "low_execution", "summary", le=lower)
        assert "90%" not in text and "80%" in text
    assert say("en", "summary", "h_low", le=lower) == "3. 6 projects spent less than 80% of budget"


def test_class_shares_as_printed_with_the_computed_share_beside(data):
    # line 36: 公共安全支出15,737.52万元，占91.2%; 15,737.52 / 17,211.32 = 91.44%
    classes = overview.class_table(data)
    top = classes.iloc[0]
    assert (top["class_zh"], top["amount"], top["printed_share"]) == ("公共安全支出", 15737.52, 0.912)
    assert top["share_differs"] and round(top["computed_share"], 3) == 0.914
    args = dict(top=top.to_dict(), n=len(classes), rest=classes["amount"].iloc[1:].sum(),
                differs=classes.loc[classes["share_differs"], "class_zh"].tolist())
    assert "报告列示占91.2%（按金额计算为91.4%）" in say("zh", "overview", "classes", **args)
    assert "91.2% of spending as the report prints it (91.4% computed from the amounts)" in say(
        "en", "overview", "classes", **args
    )
    # 社会保障和就业支出 840.71 is 4.88%, printed 4.9%: no computed figure needed
    assert classes.set_index("class_zh").loc["社会保障和就业支出", "share_differs"] == False  # noqa: E712


def test_vehicles_as_the_report_lists_them(data):
    v = three_public.vehicle_purchases(data)
    # line 62: 15 vehicles, 轿车14辆 234.47 + 其他车型1辆 21.97; 公务用车购置 447.37
    assert (v.listed_vehicles, v.listed_amount, v.purchase_total, v.gap) == (15, 256.44, 447.37, 190.93)
    # line 6872: 清障车1辆、执勤执法汽车4辆、执勤执法摩托车38辆、执勤执法电动自行车30辆、执勤执法新能源汽车10辆
    assert v.project == "2022年省级政法转移支付资金"
    assert dict(zip(v.bought["kind_zh"], v.bought["vehicles"], strict=True)) == {
        "清障车": 1, "执勤执法汽车": 4, "执勤执法摩托车": 38, "执勤执法电动自行车": 30, "执勤执法新能源汽车": 10}
    assert v.project_matches_list and v.project_booked == 477.72
    # the indicator row of 公务用车购置 ≤ 477.72 万元: its result 477.72 is on line 7185 (7183 holds the target)
    assert v.project_booked_line == 7185
    zh, en = say("zh", "three_public", "project", v=v), say("en", "three_public", "project", v=v)
    assert (
        "清障车1辆、执勤执法汽车4辆、执勤执法新能源汽车10辆" in zh
        and "另购置执勤执法摩托车38辆，清单未列金额，但“三公”部分把它们列为增长原因（第65行）" in zh
        and "购置执勤执法电动自行车30辆，未列入清单" in zh
    )
    assert "1 清障车 (tow truck)" in en and "30 执勤执法电动自行车 (law-enforcement duty e-bikes)" in en
    assert "190.93 万元" in en and "patrol" not in en + say("en", "three_public", "listed", v=v)


def test_an_unknown_vehicle_kind_is_an_error_not_a_guess():
    with pytest.raises(ValueError, match="vehicle_kinds.csv"):
        three_public.project_vehicles("购买清障车1辆、无人机巡逻车2辆", "some project")


def test_reasons_as_stated_and_where_the_tables_disagree(data):
    low = low_execution.low_execution(data, 0.9)
    # line 42: 二大队办公场所租赁项目本年预算80万元为15个月租赁总价，2023年实际支付6个月的租赁费用
    [timing] = low_execution.timing_effects(data, low)
    assert (timing.project_name, timing.covered, timing.paid, timing.source_line) == (
        "2023年办公场所维修改造项目",
        15,
        6,
        42,
    )
    assert "支付时间差" in say("zh", "low_execution", "timing", t=timing)
    assert "timing effect" in say("en", "low_execution", "timing", t=timing)
    # line 10 says 2022年办公场所维修改造项目 … 2023年未安排支出; lines 5953–5988: the 2023 project, 150 / 102.14
    [conflict] = overview.reason_conflicts(data)
    assert (conflict.stated_project, conflict.table_project) == (
        "2022年办公场所维修改造项目",
        "2023年办公场所维修改造项目",
    )
    assert (conflict.budget_adjusted, conflict.executed, conflict.reason_line) == (150.0, 102.14, 10)
    assert conflict.clause == "2022年办公场所维修改造项目已完工验收，2023年未安排支出"
    assert "调整后预算150.00万元，执行102.14万元" in say("zh", "overview", "conflict", k=conflict)


def test_translations_say_what_the_report_means(data):
    structure = say("en", "overview", "structure", s=overview.structure(data))
    assert "office running costs" not in structure and "training" in structure and "official vehicles" in structure
    row = low_execution.low_execution(data, 0.9).set_index("project_name").loc["文明劝导员工作经费"]
    assert "civility guides" in row["name_en"]
    reason = three_public.three_public(data).reason  # line 65
    assert "law-enforcement duty vehicles" in reason.text_en and "patrol" not in reason.text_en


def test_rates_are_never_rounded_to_a_whole_100_or_0():
    assert fmt.rate(2049.37 / 2059.0) == "99.5%" and fmt.rate(0.0) == "0%" and fmt.rate(1.0) == "100%"
    assert fmt.rate(0.99996) == "99.996%" and fmt.rate(0.0004) == "0.04%"
    assert fmt.pct_as_printed(0.912) == "91.2%" and fmt.pct_as_printed(0.75) == "75%"


def test_project_chart_shows_99_5_and_the_project_that_spent_nothing(data):
    fig = charts.budget_vs_executed(data.projects, 0.9, "t")
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert "99.5%" in labels and "0%" in labels and labels.count("100%") == 2  # 辅警经费, 交通安全宣传项目
    marks = [line for line in fig.axes[0].lines if line.get_marker() == "|"]
    assert len(marks) == 1  # the 0%-executed 2023年省级政法转移支付资金结转


def test_income_from_one_source_is_a_sentence(data):
    sources = overview.income_sources(data).assign(label="一般公共预算财政拨款收入")
    text = say("zh", "overview", "income", sources=sources.to_dict("records"), total=data.value("total_income"))
    assert text == "本年收入合计17,211.32万元，全部为一般公共预算财政拨款收入。"  # line 26


def test_missing_year_is_a_clear_error(tidy_dir):
    with pytest.raises(ValueError, match="no report for 2031"):
        load_year(2031, tidy_dir)


def test_budget_against_outcome(data):
    # line 143: 年初预算17,161.64, 调整后17,211.32; line 39: 决算数17,211.32万元，完成预算75%
    b = overview.budget_outcome(data)
    assert (b.initial, b.adjusted, b.spent, b.printed_completion) == (17161.64, 17211.32, 17211.32, 0.75)
    assert b.computed_completion == 1.0 and b.completion_differs
    assert "但报告称完成预算75%（第39行）" in say("zh", "overview", "budget", b=b)


def test_law_enforcement_line_against_the_december_transfer(data):
    # line 43: 执法办案 819.04, 37.6%, 资金2023年12月14日才下达; the carried-over transfer: 1,316 budgeted, 0 spent
    [link] = overview.items_and_projects(data, 0.9)
    assert (link.item_zh, link.project_name, link.date) == ("执法办案", "2023年省级政法转移支付资金结转", "12月14日")
    assert round(link.implied_unspent, 2) == 1359.26 and link.explains_most
    assert "可能可以解释该科目大部分未支出" in say("zh", "overview", "item_project", l=link)


def test_per_head_against_the_projects_own_cap(data):
    # line 135: 159 + 1 + 1 + 432 = 593; 辅警经费 2,879.25 ÷ 432 = 6.66 万元 against ≤ 65,000 元/人年 (line 423)
    assert overview.staff_total(data) == 593
    [aux] = overview.per_head(data)
    assert (aux.project_name, aux.staff, aux.cap_yuan) == ("辅警经费", 432, 65000.0)
    assert aux.cap_line in (423, 428)  # 428 holds ≤ 65000; 423 is where main's reader starts the row
    assert round(aux.per_head_wan, 2) == 6.66 and aux.above_cap
    assert "人均6.66万元" in say("zh", "overview", "per_head", p=aux)


def test_the_overview_names_a_restated_prior_year_figure(data, monkeypatch):
    """A later report that states last year's total differently from last year's own report."""
    from types import SimpleNamespace

    earlier = SimpleNamespace(value=lambda metric, year=None: 18000.0)
    monkeypatch.setattr(overview, "available_years", lambda tidy_dir=None, unit="": [2022, 2023])
    monkeypatch.setattr(overview, "load_year", lambda year, tidy_dir=None, unit="": earlier)
    previous = overview.previous_report(data)
    assert (previous.year, previous.as_printed_then, previous.as_stated_now, previous.restated) == (
        2022,
        18000.0,
        18100.64,
        True,
    )
    assert "相差100.64万元" in say("zh", "overview", "previous", p=previous)
    assert "a restatement of 100.64 万元" in say("en", "overview", "previous", p=previous)


def test_restatements_are_read_for_this_report_only(tmp_path):
    from types import SimpleNamespace

    (tmp_path / "restatements.csv").write_text(
        "report,report_year,year,metric,value,source_line,derived,other_report,other_report_year,other_value,"
        "other_source_line,other_derived,difference,tolerance,passed\n"
        "r2024,2024,2023,total_expenditure,17300.0,10,False,r2023,2023,17211.32,10,False,88.68,0.01,False\n"
        "r2024,2024,2023,total_income,17211.32,10,False,r2023,2023,17211.32,10,False,0.0,0.01,True\n"
        "r2025,2025,2024,total_income,1.0,10,False,r2024,2024,2.0,10,False,-1.0,0.01,False\n", encoding="utf-8")
    table = overview.restatements(SimpleNamespace(tidy_dir=tmp_path, report="r2024"))
    assert table[["metric", "value", "other_value"]].values.tolist() == [["total_expenditure", 17300.0, 17211.32]]
    assert overview.restatements(SimpleNamespace(tidy_dir=tmp_path / "none", report="r2024")).empty


def test_two_projects_report_the_same_500_civility_guides(data):
    # line 4070 (城乡社区道路交通及配套设施支出: 聘请交通文明劝导员500人)
    # and line 6391 (文明劝导员工作经费): 500 人 each
    [shared] = low_execution.shared_outputs(data)
    assert (shared.indicator, shared.unit, shared.actual) == ("聘请交通文明劝导员人数", "人", 500.0)
    assert [name for name, _ in shared.projects] == ["城乡社区道路交通及配套设施支出", "文明劝导员工作经费"]
    assert "2个项目都填报“聘请交通文明劝导员人数”为500人" in say("zh", "low_execution", "shared", o=shared)
