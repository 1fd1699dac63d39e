"""The self-evaluation statistics and the audit's page results on the 2023 report, in both languages."""

from __future__ import annotations

import pytest

from helpers.data.load import load_year
from helpers.story import audit, self_evaluation, wording


@pytest.fixture(scope="module")
def data(tidy_dir):
    return load_year(2023, tidy_dir)


def test_leftover_rows_are_scored_in_full(data):
    points = self_evaluation.leftover_points(data)
    # 37 rows marked 2022年数据，系统默认导出，无法删除 in 8 projects; 35 with target and result 0; all full marks
    assert points["rows"] == 37 and points["projects"] == 8 and points["zero_zero"] == 35
    assert points["full_marks"] == 37 and points["weight"] == points["score"] == 65


def test_exact_equality_without_leftovers(data):
    exact = self_evaluation.exactness(data)
    # today's page: 328 of 407 (81%) counting the leftovers; without them 294 of 371
    assert (exact["all_exact"], exact["all_rows"]) == (328, 407)
    assert (exact["exact"], exact["rows"]) == (294, 371) and exact["rate"] == pytest.approx(294 / 371)


def test_one_low_execution_set_keeps_the_zero_executed_project(data):
    low = self_evaluation.low_vs_rest(data, 0.9)
    # 8 projects under 90%, 2023年省级政法转移支付资金结转 at 0% with score 0 among them (its budget: line 7281)
    assert low["low"] == 8 and low["high"] == 9
    assert low["unevaluated"] == ["2023年省级政法转移支付资金结转"] and low["unevaluated_scores"] == [0.0]
    scores = data.projects.loc[data.projects["execution_rate"] < 0.9, "total_score"]
    assert low["low_score"] == pytest.approx(scores.mean()) and len(scores) == 8


def test_caps_scored_in_proportion_to_spending(data):
    caps = self_evaluation.caps_scored_in_proportion(data)
    assert len(caps) == 10   # 7 exact, 3 rounded down (lines 6255, 7195, 7207)
    # 物业管理项目 / 2023年直属大队物业管理项目: ≤210 万元, 205.38, 4.89 of 5 (line 1702)
    row = caps[caps["indicator"] == "2023年直属大队物业管理项目"].iloc[0]
    assert row["score"] == pytest.approx(4.89) and row["points_lost"] == pytest.approx(0.11)


def test_judged_misses_leave_out_false_positives(data):
    missed = set(self_evaluation.missed_full_marks(data)["indicator"])
    assert not missed & {"中央隔离网建设", "年度短视频制作", "考核档次优", "完成卡口控建设", "2022年司法救助金"}
    assert "法医检验鉴定" in missed  # ≥125 次, 54 (line 3056)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_say_which_figures_agree(data, lang):
    totals = audit.class_totals(data)
    text = wording.say(
        lang,
        "audit",
        "classes_agree",
        off=list(zip(totals["off"]["class_zh"], totals["off"]["gap"], strict=True)),
        **{k: v for k, v in totals.items() if k != "off"},
    )
    assert "17,211.31" in text and "17,211.32" in text and "32.52" in text and "12.36" in text and "20.17" in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_contradictions_are_one_bullet_per_cause(data, lang):
    bullets = audit.finding_lines(data, "error", lang)
    # 9 causes: the class totals of line 36, the completion rates, the 三公 rates (59, 65), two total scores, a
    # score above its weight, "no balance" (146, 154) against 1,316 paid in 2024, line 170's 不涉及 against lines 81
    # and 156, the 2022 transfer's cost results. Line 86's 16 of 17 tables and 166 vs 159 police are notes (19.4)
    assert len(bullets) == audit.counts(data)["error_causes"] == 9
    assert not [b for b in bullets if "86" in b and "17" in b]
    notes = audit.finding_lines(data, "info", lang)
    line_86 = next(b for b in notes if "86" in b and "196" in b)
    assert "道路交通管理业务系统建设项目" in line_86 and "道路交通管理设施设备维保服务项目" in line_86
    assert "2023年省级政法转移支付资金结转" in line_86
    assert ("这是说明，不是矛盾" if lang == "zh" else "A note, not a contradiction") in line_86
    police = next(b for b in notes if "交通警察人数" in b)
    assert ("159 − 新进2人 + 退休9人 = 166人" if lang == "zh" else "159 − 2 joined + 9 retired = 166") in police


def test_chinese_audit_page_words_have_no_english(data):
    import re

    words = audit.finding_lines(data, "error", "zh") + audit.finding_lines(data, "warning", "zh")
    words.append(audit.reliability_sentence(data, "zh"))
    # the report's own names may hold Latin letters (泸州市农交安APP建设): leave them out
    names = sorted(set(data.indicators["indicator"]) | set(data.projects["project_name"]), key=len, reverse=True)
    stripped = [re.sub("|".join(map(re.escape, names)), "", w) for w in words]
    assert not [w for w in stripped if re.search(r"[A-Za-z]{3,}", w)]


def test_labels_come_from_the_rules_table(data):
    kinds = audit.checks_by_kind(data, "zh")
    assert (kinds["label"] != kinds["check"]).all()
    assert kinds.loc[kinds["check"] == "whole_vs_parts", "label"].iloc[0] == "合计数与分项之和不符"


@pytest.mark.parametrize("lang, verdict", [("zh", "事后填写"), ("en", "after the fact")])
def test_verdicts_only_when_their_declared_rule_holds(data, lang, verdict):
    exact = self_evaluation.exactness(data)
    assert verdict in wording.say(lang, "selfeval", "exactness", **exact)  # 79% ≥ the 50% of thresholds.csv
    assert verdict not in wording.say(lang, "selfeval", "exactness", **dict(exact, exact=100, rate=100 / 371))
    low = self_evaluation.low_vs_rest(data, 0.9)
    untouched = {"zh": "几乎没有影响", "en": "barely touched"}[lang]
    assert untouched in wording.say(lang, "selfeval", "low_vs_rest", **low)  # 95.2% kept
    assert untouched not in wording.say(lang, "selfeval", "low_vs_rest", **dict(low, low_kept=0.6))
    rule = {"zh": "报告自己的标准", "en": "the report's own rule"}[lang]
    assert rule in wording.say(lang, "selfeval", "low_vs_rest", **low)
    assert rule not in wording.say(lang, "selfeval", "low_vs_rest", **self_evaluation.low_vs_rest(data, 0.8))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_stated_shares_and_changes_are_quoted_as_printed(data, lang):
    # line 36 prints 公共安全 占91.2%, lines 59/65 print 增长242.9%: never "91.20%" or "242.90%"
    text = " ".join(audit.finding_lines(data, "error", lang) + audit.finding_lines(data, "warning", lang))
    assert "91.2%" in text and "242.9%" in text
    assert "91.20%" not in text and "242.90%" not in text
