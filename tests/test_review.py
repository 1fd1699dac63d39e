"""What a budget reviewer (人大 / local journalist) or an English reader would object to on the story pages,
each fix asserted against the report text (line numbers of data/raw/2023/…final_accounts.txt)."""

from __future__ import annotations

import pytest

from helpers.data.load import load_year
from helpers.story import audit, common, low_execution, overview, three_public
from helpers.story.wording import say
from tests.test_selfeval import cause_bullets


@pytest.fixture(scope="module")
def data(tidy_dir):
    return load_year(2023, tidy_dir)


def test_prior_year_totals_are_labelled_as_worked_back_not_printed(data):
    # line 10 prints only 2023's 17,211.32 and the fall of 889.32; 2022's 18,100.64 is 17,211.32 + 889.32
    totals = overview.totals(data)
    assert totals.spending.prior_derived and totals.spending.prior == 18100.64
    assert "18,100.64万元（由本年数和报告所列增减额推算）相比" in say("zh", "overview", "totals", totals=totals)
    assert "18,100.64 万元 in 2022 (worked back from the change the report states)" in say(
        "en", "overview", "totals", totals=totals
    )
    # line 59 prints 617.37 and 增加437.37: 2022's 180.00 is worked back too
    tp = three_public.three_public(data)
    assert tp.change.prior_derived and tp.change.prior == 180.0
    assert "180.00万元（由本年数和报告所列增减额推算）增加437.37万元" in say("zh", "three_public", "change",
                                                                         three_public=tp)


def test_printed_prior_figures_carry_no_worked_back_note(data):
    # a Change whose prior year the report prints is not labelled (the note follows the tidy data's `derived`)
    printed = common.Change("m", 2023, 2022, 100.0, 110.0)
    assert not printed.prior_derived
    assert "推算" not in say("zh", "common", "prior_note", change=printed)


def test_english_totals_do_not_say_income_was_the_same_in_both_years(data):
    # line 10: 2023年度收、支总计均为17,211.32万元 — income equals spending in 2023, not income 2022 = 2023
    text = say("en", "overview", "totals", totals=overview.totals(data))
    assert "same amount in both years" not in text
    assert "Total income was the same figure as total spending" in text


def test_staff_of_593_is_labelled_as_our_sum_of_the_reports_counts(data):
    # line 135: 警察159人，公务员1人，机关工勤人员1人，聘用辅警432人 — the report prints no total of 593
    total = overview.staff_total(data)
    assert total == 159 + 1 + 1 + 432
    zh = say("zh", "overview", "staff", total=total, total_spending=data.value("total_expenditure"),
             kinds=overview.staff_kinds(data))
    assert "报告列示在职人员" not in zh and "在职人员593人（计算值）" in zh and "人均29.02万元" in zh
    en = say("en", "overview", "staff", total=total, total_spending=data.value("total_expenditure"),
             kinds=overview.staff_kinds(data))
    assert "The report counts" not in en and "593 people in post (computed)" in en


def test_the_office_project_reason_is_read_as_last_years_project_not_a_contradiction(data):
    # line 10 speaks of 2022年办公场所维修改造项目; line 5952 is a different project, 2023年办公场所维修改造项目,
    # 150.00 budgeted, 102.14 spent: it weakens the reason, it does not contradict it
    [conflict] = overview.reason_conflicts(data)
    zh = say("zh", "overview", "conflict", conflict=conflict)
    assert "不一致" not in zh and "说的是上年的项目" in zh and "调整后预算150.00万元，执行102.14万元" in zh
    en = say("en", "overview", "conflict", conflict=conflict)
    assert "do not bear out" not in en and "about last year's project" in en and "name differs only in the year" in en


def test_three_public_context_cites_the_reports_definition_and_the_rules(data):
    # line 106: 18.“三公”经费：指部门用财政拨款安排的因公出国（境）费、公务用车购置及运行费和公务接待费
    line = three_public.glossary_line(data, "“三公”经费")
    assert line == 106
    zh = say("zh", "three_public", "intro", definition_line=line)
    assert "（报告名词解释，第106行）" in zh and "中央八项规定" in zh and "《党政机关厉行节约反对浪费条例》" in zh
    assert "中央八项规定出台后，各预算单位每年单独公开" not in zh  # disclosure began before the 2012 rules
    en = say("en", "three_public", "intro", definition_line=line)
    assert "(line 106)" in en and "中央八项规定, 2012" in en


def test_vehicles_bought_were_replacements_in_a_fleet_of_112(data):
    # line 66: 全年按规定更新购置公务用车15辆 … 截至2023年12月31日，单位共有公务用车112辆
    r = three_public.renewal(data)
    assert (r.bought, r.bought_line, r.is_renewal, r.fleet, r.fleet_line) == (15, 66, True, 112, 66)
    assert r.share_of_fleet == pytest.approx(15 / 112)
    zh = say("zh", "three_public", "renewal", renewal=r)
    assert "“更新购置”公务用车15辆（第66行）" in zh and "年末公务用车共112辆" in zh and "13.4%（计算值）" in zh
    assert "无法核对车辆总数是否增加" in zh  # the report gives no fleet for the end of 2022
    en = say("en", "three_public", "renewal", renewal=r)
    assert "as replacements" in en and "112 at year end" in en and "13.4% of it (computed)" in en


def test_the_vehicle_gap_is_not_called_explained_when_the_report_gives_no_amounts(data):
    # line 66: 公务用车购置 447.37; listed 234.47 + 21.97 = 256.44; line 7183: the project books 477.72
    v = three_public.vehicle_purchases(data)
    assert v.project_booked_gap == pytest.approx(477.72 - 447.37)
    zh = say("zh", "three_public", "project", vehicles=v)
    assert "已有交代" not in zh and "多30.35万元" in zh and "假设，报告未列金额" in zh
    en = say("en", "three_public", "project", vehicles=v)
    assert "accounts for the" not in en and "30.35 万元 more" in en
    assert "a hypothesis: the report gives no amounts" in en


def test_summary_heading_does_not_call_89_percent_well_below(data):
    # lowest of the 8 is 0% (line 7246), highest 89.0% (道路交通组织优化项目): "below 90%", not "明显偏低"
    le = low_execution.low_execution_summary(data, 0.9)
    assert say("zh", "summary", "h_low", low=le) == "三、8个项目执行率低于90%"
    assert say("en", "summary", "h_low", low=le) == "3. 8 projects spent less than 90% of budget"


def test_timing_sentence_names_its_project_so_it_reads_alone_on_the_summary(data):
    # line 42: 办公场所维修改造项目二大队办公场所租赁项目本年预算80万元为15个月租赁总价，2023年实际支付6个月
    [timing] = low_execution.timing_effects(data, low_execution.low_execution(data, 0.9))
    zh = say("zh", "low_execution", "timing", timing=timing)
    assert zh.startswith("2023年办公场所维修改造项目的租赁预算未支出部分属于支付时间差") and "这属于" not in zh
    assert say("en", "low_execution", "timing", timing=timing).startswith(
        "The lease money left in 2023年办公场所维修改造项目"
    )


def test_summary_and_audit_page_count_doubtful_figures_alike(data):
    # the audit page counts doubtful causes (问题9 groups the two 242.9% lines 59 and 65 into one)
    k = audit.summary_values(data)
    audit_summary = say("zh", "audit", "summary", **k)
    assert f"{k['warning_causes']}个存疑数字" in audit_summary and audit_summary.startswith("本页对2023年度报告")
    assert f"另有{k['warning_causes']}处数字存疑" in say("zh", "summary", "reliability", counts=k)
    assert f"{k['warning_causes']} figures are doubtful" in say("en", "summary", "reliability", counts=k)


def test_no_projects_across_years_reads_as_chinese_not_zero_count():
    assert (
        say("zh", "trend", "projects", matched=0, total=17) == "17个项目均只出现在一个年度的报告中（按项目编码匹配）。"
    )
    assert "有2个出现在不止一个年度" in say("zh", "trend", "projects", matched=2, total=17)
    assert say("en", "trend", "projects", matched=0, total=17).startswith("None of the 17 projects")


def test_english_audit_says_full_marks_for_a_one_point_indicator(data):
    # line 3242: 车辆检测（轿车） ≥437次, 完成值334, 分值1, 得分1 — one point, not "all 1 points"
    lines = cause_bullets(data, "warning", "en")
    one_point = [s for s in lines if "车辆检测（轿车）" in s]
    assert one_point and "yet scored the full 1 point;" in one_point[0] and "all 1 points" not in one_point[0]


def test_leftover_count_in_exactness_says_which_leftovers_it_counts(data):
    # 37 leftover rows (“2022年数据，系统默认导出，无法删除”), 36 of them with a numeric target and result
    from helpers.story import self_evaluation
    exact = self_evaluation.exactness(data)
    zh = say("zh", "selfeval", "exactness", **exact)
    assert (
        f"如把有数字的{exact['leftovers']}个遗留行也算进去，则{exact['all_rows']}个指标中有{exact['all_exact']}个" in zh
    )
    assert "比例是" not in zh
    assert f"Counting the {exact['leftovers']} leftover rows that have numbers" in say(
        "en", "selfeval", "exactness", **exact
    )


def test_english_budget_lines_use_their_budget_not_complete_a_percentage(data):
    # line 43: 执法办案（项）:支出决算为819.04万元，完成预算37.6%
    [link] = overview.items_and_projects(data, 0.9)
    assert say("en", "overview", "item_project", link=link).startswith(
        "执法办案 (Law enforcement and case handling) used 37.6% of its budget: 819.04 万元 spent"
    )


def test_listed_vehicle_amount_is_labelled_as_our_sum(data):
    # line 66: 轿车14辆、金额234.47万元，其他车型1辆，金额21.97万元 — the report prints no 256.44
    v = three_public.vehicle_purchases(data)
    assert v.listed_amount == pytest.approx(234.47 + 21.97)
    assert "金额合计256.44万元（按所列各车型金额加总）" in say("zh", "three_public", "listed", vehicles=v)
    assert "256.44 万元 (our sum of the amounts it prints by type)" in say("en", "three_public", "listed", vehicles=v)


def test_audit_headline_sentence_means_our_summary_not_the_report(data):
    # lines 59, 65: the 三公 contradiction touches figures the summary page rests on, not "本报告" (the 决算 itself)
    zh = say("zh", "audit", "headlines", causes=1, lines=[59, 65])
    assert "本报告" not in zh and "本分析摘要页主要结论" in zh


def test_about_says_some_figures_are_computed():
    assert "或由报告数字计算得出" in say("zh", "summary", "about")
    assert "or are computed from its figures" in say("en", "summary", "about")


def test_class_table_flag_is_a_word_of_the_page_language():
    from helpers.show.page import Page
    for lang, yes, no in (("zh", "是", "否"), ("en", "yes", "no")):
        page = Page(2023, lang, "")
        assert (page.label("flag_yes"), page.label("flag_no")) == (yes, no)


def test_english_budget_line_reasons_carry_a_gloss(data):
    # lines 42–48: the three lines under 90% give their reasons in Chinese; the English page glosses each
    below = overview.items_below(data, 0.9)
    assert list(below["item_zh"]) == ["执法办案", "行政单位医疗", "一般行政管理事务"]
    assert list(below["completion_rate"]) == [0.376, 0.812, 0.859]
    assert (below["note_en"] != "").all()
    en = say("en", "overview", "items", overall=0.75, below=below.to_dict("records"), threshold=0.9)
    assert "“人员退休清缴” (Staff retired and their contributions were settled)" in en
    assert "on 14 December 2023, so it was paid in 2024" in en
    zh = say("zh", "overview", "items", overall=0.75, below=below.to_dict("records"), threshold=0.9)
    assert "Staff" not in zh and "报告说明：“人员退休清缴”" in zh


def test_english_change_lets_the_verb_carry_the_sign(data):
    # line 10: 减少889.32万元，下降4.9% — "fell by …, or 4.9%", not "fell … or −4.9%"
    en = say("en", "overview", "totals", totals=overview.totals(data))
    assert "spending fell by 889.32 万元, or 4.9%." in en and "−4.9%" not in en
    # line 59: 增加437.37万元，增长242.9% against 437.37 ÷ 180 = 243.0%
    en = say("en", "three_public", "change", three_public=three_public.three_public(data))
    assert "rose by 437.37 万元, or 243.0% (the report prints 242.9%)" in en and "+" not in en


def test_english_summary_title_is_plain():
    unit = {"zh": "泸州市公安局交通警察支队", "en": "Luzhou traffic police detachment"}
    assert say("en", "summary", "title", year=2023, unit=unit) == \
        "Luzhou traffic police detachment: the 2023 final accounts in brief"


def test_trend_says_printed_completion_and_computed_project_execution_differ_in_base():
    # line 39: 一般公共预算支出决算…完成预算75% (the general budget); the 81.4% is over the 17 project tables
    row = say("zh", "trend", "execution_year", year=2023, printed=0.75, computed=0.814)
    assert row == "2023年分别为75%和81.4%"
    zh = say("zh", "trend", "execution", rows=[row])
    assert "一般公共预算支出完成预算（报告列示）" in zh and "两者口径不同" in zh
    assert "(a different base)" in say("en", "trend", "execution", rows=["2023: 75% printed, 81.4% computed"])
    assert "有本年度决算报告的年份" not in say("zh", "trend", "intro", years=[2023])


def test_chinese_three_public_items_use_the_reports_terms(data):
    # line 66: 公务用车购置支出447.37万元; line 67: 公务用车运行维护费支出170万元
    zh = say("zh", "three_public", "items", three_public=three_public.three_public(data))
    assert "公务用车购置费447.37万元，公务用车运行维护费170.00万元" in zh


def test_chinese_unexplained_projects_sentence_is_not_translationese(data):
    # 文明劝导员工作经费 (78.1%) leaves the 原因 cell of its table empty although 自评表 asks for a reason below 90%
    names = list(low_execution.low_execution_summary(data, 0.9).without_reason["project_name"])
    assert names == ["文明劝导员工作经费"]
    assert (
        say("zh", "low_execution", "unexplained", names=names, rule=0.9, same=True)
        == "其中1个项目未按自评表要求说明原因：文明劝导员工作经费。"
    )


def test_class_reconciliation_says_plainly_which_figures_are_wrong(data):
    # line 36 prints 公共安全支出 15,737.52 (占91.2%); its items (lines 40, 42, 43) add up to 15,705.00, and
    # 15,705.00 ÷ 17,211.32 = 91.2%: the printed share follows the items, so the class amount is the odd one out
    totals = audit.class_totals(data)
    values = dict({k: v for k, v in totals.items() if k != "off"},
                  off=list(zip(totals["off"]["class_zh"], totals["off"]["gap"], strict=True)))
    assert round(15705.00 / 17211.32, 3) == 0.912
    zh = say("zh", "audit", "classes_agree", **values)
    assert "只有占比能指出" not in zh and "说明出错的是类数，而非各项金额" in zh
    en = say("en", "audit", "classes_agree", **values)
    assert "single out" not in en and "it is the class amounts that are wrong, not the item lines" in en


@pytest.mark.parametrize("lang, words", [
    ("zh", ["1,316.00万元（50.9%）", "2023年12月14日才下达单位", "结转资金，不是结余", "67.0%", "还有7个项目",
            "1,271.43万元", "9.7%"]),
    ("en", ["1,316.00 万元 (50.9%)", "14 December 2023", "carried over (结转), not a balance left (结余)", "67.0%",
            "7 projects are still below", "1,271.43 万元", "9.7%"])])
def test_low_execution_is_mostly_late_provincial_money(data, lang, words):
    # 1,316.00 of the 2,587.43 unspent (51%) arrived on 14 December (line 7286); with the 2022 transfer's
    # 418.59 (1,125.67 − 707.08), 67% is late provincial money; without it 7 projects, 1,271.43, 9.7% of 13,091.20
    from helpers.story import wording

    late = low_execution.late_money(data, low_execution.low_execution_summary(data, 0.9))
    assert late.unspent == 2587.43 and late.arrived_unspent == 1316.00 and round(late.arrived_share, 2) == 0.51
    assert late.transfers == pytest.approx(1316.00 + 418.59) and round(late.transfers_share, 2) == 0.67
    assert (late.without, late.without_unspent, round(late.without_share, 3)) == (7, 1271.43, 0.097)
    text = wording.say(lang, "low_execution", "late_money", late=late)
    assert all(w in text for w in words), text


@pytest.mark.parametrize("lang, words", [
    ("zh", ["预算合计20,032.99～20,059.81万元", "85.8%～85.9%", "未支出2,675.92万元",
            "完成预算75%（第39行，对应预算22,796.45～23,102.44万元）", "执行率100%", "“无结转结余资金”",
            "这3个数字不可能是对的", "增加2,460.52万元", "增加49.68万元"]),
    ("en", ["20,032.99–20,059.81 万元", "85.8%–85.9%", "left 2,675.92 万元",
            "the printed 75% (line 39), which would mean a budget of 22,796.45–23,102.44 万元", "100% execution",
            "“无结转结余”", "3 printed figures cannot be right", "rose 2,460.52 万元", "rose 49.68 万元"])])
def test_budget_execution_names_the_figures_that_cannot_be_right(data, lang, words):
    # the items' rates (lines 40-51) imply about 20,046 (85.9% executed, about 2,835 unspent); the project
    # tables without 辅警经费 and 代管资金 left 2,675.92; so the 75% (line 39, a budget of 17,211.32 ÷ 0.755…0.745), the
    # adjusted budget of 17,211.32 (line 143: 100%) and 无结转结余 (line 146) cannot be right; projects rose 2,460.52
    # against 49.68 for the whole budget
    b = overview.budget_execution(data)
    assert b.items_budget == pytest.approx((20032.99, 20059.81), abs=0.01)
    assert b.printed_budget == pytest.approx((17211.32 / 0.755, 17211.32 / 0.745))
    assert not b.printed_rate_holds and not b.adjusted_holds and b.balance_stated
    assert (b.projects_unspent, sorted(b.projects_left_out)) == (2675.92, ["代管资金", "辅警经费"])
    text = say(lang, "overview", "budget_execution", execution=b)
    assert all(w in text for w in words), text


def test_the_adjusted_budget_equal_to_spending_is_no_longer_passed(data):
    # "adjusted budget 17,211.32" (line 143) = spending was a passing same-figure check; against the items'
    # implied budgets it is part of the budget-execution contradiction, with the 75%
    adjusted = data.findings[data.findings["subject"] == "expenditure_budget_adjusted"]
    assert len(adjusted) == 1 and adjusted.iloc[0]["severity"] == "error" and adjusted.iloc[0]["reported"] == 17211.32
    rate = data.findings[data.findings["subject"] == "budget_completion_rate"].iloc[0]
    assert adjusted.iloc[0]["cause"] == rate["cause"] and adjusted.iloc[0]["at_stake"] == pytest.approx(2835.07)


@pytest.mark.parametrize("lang, words", [
    ("zh", ["完成预算95.3%（第59行）", "93.6%（第65行）不可能同时成立", "约647.82万元", "约659.58万元"]),
    ("en", ["The 95.3% for “三公” (line 59) and the 93.6% for vehicles (line 65) cannot both hold", "647.82 万元",
            "659.58 万元"])])
def test_three_public_rates_cannot_both_hold(data, lang, words):
    # vehicles are all of 三公 (617.37); 617.37 ÷ 0.953 = 647.82 < 617.37 ÷ 0.936 = 659.58
    tp = three_public.three_public(data)
    assert tp.rates_conflict and tp.implied_budgets == pytest.approx((647.82, 659.58), abs=0.01)
    text = say(lang, "three_public", "items", three_public=tp)
    assert all(w in text for w in words), text


@pytest.mark.parametrize("lang, words", [
    ("zh", ["447.37万元 = 清单256.44万元 + 执勤执法摩托车38辆约190.93万元（每辆约5.02万元）",
            "477.72万元 = 447.37万元 + 执勤执法电动自行车30辆约30.35万元（每辆约1.01万元，不属于“三公”公务用车）",
            "年初预算为0", "列为增长原因（第65行）"]),
    ("en", ["447.37 万元 = the list's 256.44 万元 + 38 执勤执法摩托车 for about 190.93 万元 (about 5.02 万元 each)",
            "30 执勤执法电动自行车 for about 30.35 万元 (about 1.01 万元 each, not “三公” vehicles)", "年初预算 0",
            "names as a reason for the rise (line 65)"])])
def test_vehicle_purchases_reconcile_as_a_hypothesis(data, lang, words):
    # 447.37 = 15 listed (256.44) + 38 motorcycles (190.93, 5.02 each, named on line 65); the 2022
    # transfer's 477.72 = 447.37 + 30 e-bikes (30.35); 年初预算 0; the motorcycles are not "not listed"
    v = three_public.vehicle_purchases(data)
    kinds = v.bought.set_index("kind_zh")["counted_with"]
    assert kinds["执勤执法摩托车"] == "named_in_reason" and kinds["执勤执法电动自行车"] == "not_listed"
    assert (v.gap, v.named_unit_price, v.project_booked_gap, v.other_unit_price) == (190.93, 5.02, 30.35, 1.01)
    text = say(lang, "three_public", "project", vehicles=v)
    assert all(w in text for w in words), text
    # the audit's two motorcycle findings (447.37 vs 256.44 on line 66; 53 vs 15 vehicles on lines 65-66) are one cause
    vehicles = data.findings[data.findings["check"].isin(["vehicles_listed"])
                             | (data.findings["subject"] == "vehicle_purchase")]
    assert len(vehicles) == 2 and vehicles["cause"].nunique() == 1


@pytest.mark.parametrize("lang, words, not_words", [
    ("zh", ["报告称“2023年无结转结余资金”", "报告称“年终预算没有结余”"], ["为0.00万元"]),
    ("en", ["“2023年无结转结余资金”", "“年终预算没有结余”"], ["of 0.00 万元"])])
def test_no_balance_statements_quote_the_reports_words(data, lang, words, not_words):
    # lines 146 and 154 print words, not "0.00万元"
    bullet = next(b for b in cause_bullets(data, "error", lang) if "146" in b)
    assert all(w in bullet for w in words) and not any(w in bullet for w in not_words), bullet


def test_chinese_class_gap_says_which_way_and_guesses_with_keneng(data):
    # 公共安全支出 15,737.52 (line 36) against its items 15,705.00: the class is 32.52 more
    bullet = next(b for b in cause_bullets(data, "error", "zh") if "第36、40、42、43行" in b)
    assert "类数比其下各项合计多32.52万元" in bullet and "各项合计15,705.00万元，多32.52万元" not in bullet
    assert "可能是资金在类之间调整了列示位置" in bullet
    en = next(b for b in cause_bullets(data, "error", "en") if "lines 36, 40, 42, 43" in b)
    assert "money was probably shown under another class" in en


@pytest.mark.parametrize("lang, words", [
    ("zh", ["6÷15×80.00万元＝32.00万元", "实际支付33.33万元",
            "把15个月的租金编入一个年度的预算，本身就是预算编制的问题"]),
    ("en", ["6 ÷ 15 × 80.00 万元 = 32.00 万元, not the 33.33 万元",
            "Budgeting 15 months of rent in one year's budget"])])
def test_the_lease_pro_rata_against_what_was_paid(data, lang, words):
    # line 42, 80 万元 for 15 months, 6 paid: 6/15 × 80 = 32.00, not the 33.33 the project table says
    [timing] = low_execution.timing_effects(data, low_execution.low_execution(data, 0.9))
    assert (timing.budget, timing.paid_amount, timing.pro_rata) == (80.0, 33.33, 32.0)
    text = say(lang, "low_execution", "timing", timing=timing)
    assert all(w in text for w in words), text


@pytest.mark.parametrize("lang, words", [
    ("zh", ["自2011年起公开", "2012年出台的中央八项规定", "2013年印发的《党政机关厉行节约反对浪费条例》进一步收紧"]),
    ("en", ["began disclosing these costs in 2011", "(中央八项规定, 2012)", "the 2013 regulation", "tightened them"])])
def test_three_public_history_in_order(lang, words):
    # disclosure began in 2011; 八项规定 (2012) and the 2013 条例 tightened it
    text = say(lang, "three_public", "intro")
    assert all(w in text for w in words), text


@pytest.mark.parametrize("lang, words", [
    ("zh", ["在职人员593人（计算值）", "按基本支出（人员经费和日常公用经费）8,396.90万元计算，人均14.16万元",
            "与人数无关"]),
    ("en", ["593 people in post (computed)", "8,396.90 万元 is 14.16 万元 per person", "does not follow headcount"])])
def test_per_head_on_basic_spending_with_the_total_only_with_its_caveat(data, lang, words):
    # 8,396.90 of basic spending (line 54) ÷ 593 people (line 135: 159 + 1 + 1 + 432) = 14.16
    text = say(lang, "overview", "staff", total=overview.staff_total(data),
               total_spending=data.value("total_expenditure"), kinds=overview.staff_kinds(data),
               basic_spending=data.value("basic_expenditure"))
    assert all(w in text for w in words), text


@pytest.mark.parametrize("lang, words, not_words", [
    ("zh", "只有一个年度的报告，无法跨年度跟踪项目", "均只出现在一个年度的报告中"),
    ("en", "With one report, no project can be followed", "None of the 17 projects")])
def test_one_report_does_not_say_no_project_spans_years(lang, words, not_words):
    # with the 2023 report alone, "none of the 17 projects spans years" says nothing
    text = say(lang, "trend", "projects", matched=0, total=17, reports=1)
    assert words in text and not_words not in text
    assert say(lang, "trend", "projects", matched=0, total=17, reports=2) != text


@pytest.mark.parametrize("lang, words", [
    ("zh", "2024年度报告（第140行）把2023年的调整后全年财政下达预算重述为18,100.64万元，"
           "而2023年度报告（第140行）列示为17,211.32万元，少889.32万元：两份报告各自并不矛盾"),
    ("en", "The 2024 report (line 140) restates 2023's 调整后全年财政下达预算 as 18,100.64 万元; "
           "the 2023 report (line 140) printed 17,211.32 万元, 889.32 万元 less: neither report contradicts itself")])
def test_restatements_are_worded_for_readers(lang, words):
    # "the 2024 report restates 2023's … as …": both reports named by their year, not by a file name
    text = say(lang, "audit", "finding", check="restatement", subject="income_budget_adjusted 2023",
               key="income_budget_adjusted 2023", indicator="", reported="18,100.64", computed="17,211.32",
               difference="889.32", sign=1, kind="amount", lines=[140], detail="earlier_report",
               related=["luzhou_2023:140:2023"], parts=[], operator="", target="", actual="", unit="",
               metric_labels=["调整后全年财政下达预算"], report_year=2024)
    assert "luzhou_2023" not in text
    assert words in text and "restatement:" not in text, text
