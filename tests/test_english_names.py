"""English pages gloss what an English reader cannot read: 万元 on every page, 政法 as political-legal affairs."""

from __future__ import annotations

import html
import re

import matplotlib.pyplot as plt
import pytest

from helpers.data.load import english_names
from helpers.show import charts
from helpers.story.wording import say
from tests.test_selfeval import cause_bullets

UNIT = {"zh": "泸州市公安局交通警察支队", "en": "Luzhou traffic police detachment"}
INTROS = {"overview": dict(unit=UNIT), "three_public": {}, "low_execution": {}, "summary": dict(unit=UNIT),
          "audit": {}, "selfeval": {}, "trend": dict(years=[2023]), "compare": dict(year=2023, units=2)}


@pytest.mark.parametrize("topic", sorted(INTROS))
def test_every_english_page_says_what_wan_yuan_is(topic):
    # every page opens with its intro: each English one says 万元 is 10,000 yuan; the Chinese one needs no gloss
    assert "万元 (ten thousand yuan: 1 万元 = 10,000 yuan)" in say("en", topic, "intro", **INTROS[topic])
    assert "10,000" not in say("zh", topic, "intro", **INTROS[topic])


def test_zhengfa_is_political_legal_affairs():
    # the two provincial transfers (lines 6856, 7246) are for 政法: "political-legal affairs (政法)"
    names = english_names("projects")
    assert names["2022年省级政法转移支付资金"] == "2022 provincial transfer for political-legal affairs (政法)"
    assert names["2023年省级政法转移支付资金结转"].startswith(
        "2023 provincial transfer for political-legal affairs (政法)")


@pytest.fixture(scope="module")
def data(tidy_dir):
    from helpers.data.load import load_year

    return load_year(2023, tidy_dir)


def test_audit_sentences_gloss_class_and_project_names_on_english_pages(data):
    # line 36: 公共安全支出 15,737.52 against its items; line 7281: 2023年省级政法转移支付资金结转's 1,316.00

    en = " ".join(cause_bullets(data, "error", "en"))
    assert "公共安全支出 (Public security) is given as 15,737.52 万元" in en
    assert "2023年省级政法转移支付资金结转 (2023 provincial transfer for political-legal affairs (政法), " \
           "carried over)" in en
    zh = " ".join(cause_bullets(data, "error", "zh"))
    assert "Public security" not in zh and "公共安全支出" in zh


# Every name the tidy data holds, by the names table (data/names/<kind>.csv) that glosses it: a name a page may show
# with no gloss fails here (a new report's new project or indicator needs its line in data/names/ first).
NAMED = {"projects": [("projects", "project_name")],
         "classes": [("functional_classification", c) for c in ("class_zh", "category_zh", "item_zh")],
         "indicators": [("indicators", "indicator")],
         "indicator_levels": [("indicators", "level1"), ("indicators", "level2")],
         "measurement_units": [("indicators", "unit")],
         "metrics": [("facts", "label_zh")]}


@pytest.mark.parametrize("kind", sorted(NAMED))
def test_every_name_in_the_tidy_data_has_an_english_gloss(tables, kind):
    names = english_names(kind)
    shown = {str(n) for table, column in NAMED[kind] for n in tables[table][column].dropna() if str(n).strip()}
    assert shown, kind
    assert sorted(n for n in shown if not names.get(n, "").strip()) == []


def test_the_glosses_cover_the_report(tables):
    # the 2023 report: 17 project tables, 313 distinct indicator names (one row's name cell is empty, line 3073),
    # 4 一级指标 and 9 二级指标, 46 units of measure, 129 labels of figures
    indicators = tables["indicators"]
    assert tables["projects"]["project_name"].nunique() == 17
    assert indicators["indicator"].replace("", None).dropna().nunique() == 313
    assert (indicators["level1"].nunique(), indicators["level2"].nunique(), indicators["unit"].nunique()) == (4, 9, 46)
    assert tables["facts"]["label_zh"].nunique() == 129
    glosses = english_names("indicators")
    assert glosses["自行采购项目质保金"] == "Retention money, self-procured projects"
    assert glosses["路口通行效率上升"] == "Junction throughput up"
    assert glosses["项目前期筹备费用"] == "Preparatory costs"
    assert english_names("indicator_levels")["产出指标"] == "Outputs"
    assert english_names("measurement_units")["万元/每项目"] == "万元 per project"
    assert english_names("classes")["公安"] == "Police"


@pytest.fixture
def pages(tidy_dir):
    from helpers.show.page import Page

    made = {lang: Page(2023, lang, str(tidy_dir)) for lang in ("zh", "en")}
    yield made
    charts.use_language("zh")


def cells(shown) -> list[str]:
    """The header and body cells of a page's table, in order, as text."""
    found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", shown.to_html(), re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in found]


def beside(shown, *names: str) -> bool:
    """Whether the table shows `names` in adjacent cells, in this order."""
    found = cells(shown)
    return any(found[i:i + len(names)] == list(names) for i in range(len(found)))


def test_english_tables_show_the_gloss_beside_each_name_and_chinese_ones_do_not(pages):
    from helpers.story import low_execution, overview

    # 03: the low-execution table; 01: the 类/款/项 lines (line 40: 公共安全支出 / 公安 / 行政运行 6,890.58)
    data = pages["en"].data
    low = low_execution.low_execution_summary(data, 0.9).table[["project_name", "budget_adjusted", "executed"]]
    en = pages["en"].table(low, amounts=("budget_adjusted", "executed"))
    assert beside(en, "project (as printed)", "English name")
    assert beside(en, "2023年省级政法转移支付资金结转",
                  "2023 provincial transfer for political-legal affairs (政法), carried over")
    zh = cells(pages["zh"].table(low, amounts=("budget_adjusted", "executed")))
    assert "2023年省级政法转移支付资金结转" in zh and "英文名称" not in zh
    assert not any("political-legal" in c for c in zh)
    items = pages["en"].table(overview.items_table(data), amounts=("amount",))
    assert beside(items, "公共安全支出", "Public security", "公安", "Police", "行政运行", "Administrative operations")
    # line 43: 执法办案's reason beside its gloss (data/names/reasons.csv)
    assert beside(items, "本年度省级转移支付部分资金2023年12月14日才下达单位，故2023年未实现支付，2024年实现支付",
                  english_names("reasons")["本年度省级转移支付部分资金2023年12月14日才下达单位，故2023年未实现支付，2024年实现支付"])


def test_self_evaluation_tables_gloss_indicators_kinds_and_units_on_english_pages(pages):
    from helpers.story import self_evaluation

    # line 627: 道路交通管理综合经费 / 自行采购项目质保金, a cap of ≤35 万元;
    # line 356: 辅警经费 / 路口通行效率上升 ＞19 %
    data = pages["en"].data
    caps = pages["en"].glossed(self_evaluation.caps_scored_in_proportion(data))
    row = caps[caps["indicator"] == "自行采购项目质保金"].iloc[0]
    assert (row["name_en"], row["indicator_en"], row["unit_en"]) == (
        "Road traffic management (general)", "Retention money, self-procured projects", "万元")
    assert list(caps.columns[:4]) == ["project_name", "name_en", "indicator", "indicator_en"]
    missed = pages["en"].glossed(self_evaluation.missed_full_marks(data))
    assert "Junction throughput up" in set(missed["indicator_en"])
    weights = pages["en"].glossed(self_evaluation.weight_shares(data))
    assert dict(zip(weights["level1"], weights["level1_en"], strict=True)) == {
        "产出指标": "Outputs", "效益指标": "Outcomes", "满意度指标": "Satisfaction", "成本指标": "Costs"}
    # the Chinese page's tables are as they were: no gloss column added
    assert pages["zh"].glossed(self_evaluation.caps_scored_in_proportion(data)).columns.tolist() == \
        self_evaluation.caps_scored_in_proportion(data).columns.tolist()


def test_english_charts_name_indicator_kinds_and_projects_in_english(pages):
    from helpers.show import audit_charts
    from helpers.story import self_evaluation

    data = pages["en"].data
    charts.use_language("en")
    fig = audit_charts.points_bars(pages["en"].glossed(self_evaluation.weight_shares(data)), label="level1",
                                   value="points", share="share", title="t", xlabel="x", unit="points")
    shown = {t.get_text() for t in fig.axes[0].get_yticklabels()}
    plt.close(fig)
    assert shown == {"Outputs", "Outcomes", "Satisfaction", "Costs"}


def test_english_sentences_gloss_the_names_they_give(pages):
    from helpers.story import low_execution, self_evaluation

    data = pages["en"].data
    low = low_execution.low_execution_summary(data, 0.9)
    # line 6393: 文明劝导员工作经费 gives no reason; lines 4253, 6393: 聘请交通文明劝导员人数 = 500 人 in two projects
    assert say("en", "low_execution", "unexplained", names=low.without_reason["project_name"].tolist(),
               rule=low.report_rule, same=low.is_report_rule).endswith(
        "文明劝导员工作经费 (Traffic civility guides' work fund).")
    [shared] = low_execution.shared_outputs(data)
    assert "each report 聘请交通文明劝导员人数 (Traffic civility guides hired) = 500 人 (people)" in \
        say("en", "low_execution", "shared", output=shared)
    weights = self_evaluation.weight_shares(data)
    assert "产出指标 (Outputs) 43%" in say("en", "selfeval", "weights",
                                          parts=list(zip(weights["level1"], weights["share"], strict=True)))
    assert "产出指标43%" in say("zh", "selfeval", "weights",
                                parts=list(zip(weights["level1"], weights["share"], strict=True)))


def test_the_trend_page_glosses_the_project_that_changed_most():
    # test_editions' 2024 variant: 二大队业务技术用房新建项目 executed 56.4% in 2023 and 97.8% in 2024
    row = dict(project_name="二大队业务技术用房新建项目", first=518.61 / 920, last=900 / 920, first_year=2023,
               last_year=2024)
    assert say("en", "trend", "biggest_change", row=row, first=2023, last=2024) == (
        "The largest change in execution: 二大队业务技术用房新建项目 (New building for the 2nd brigade), "
        "56.4% in 2023 and 97.8% in 2024.")


def test_audit_sentences_gloss_units_of_measure(data):
    # line 3061: 法医检验鉴定 ≥125 次, result 54; a unit whose gloss is itself (%, 万元) is not repeated
    en = " ".join(cause_bullets(data, "warning", "en"))
    assert "法医检验鉴定 (Forensic medical examinations): target ≥125 次 (times), result 54" in en
    assert "% (%)" not in en and "万元 (万元)" not in en
    zh = " ".join(cause_bullets(data, "warning", "zh"))
    assert "法医检验鉴定" in zh and "125次" in zh and "times" not in zh
