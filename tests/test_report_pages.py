"""Pages read as reports: charts laid out for a phone in the page's language, labels in the page's language,
and a footer with the build date that no cache key depends on."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from helpers.data.load import load_year
from helpers.publish.chrome import Link, PageChrome, build_date
from helpers.show import audit_charts, charts
from helpers.show.display import table
from helpers.show.labels import headers
from helpers.story import audit


@pytest.fixture
def data(tidy_dir):
    return load_year(2023, tidy_dir, "")


@pytest.fixture
def english_charts():
    charts.use_language("en")
    yield
    charts.use_language("zh")


def texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def test_project_chart_names_projects_in_english_wrapped_and_no_text_under_the_minimum(data, english_charts):
    fig = charts.budget_vs_executed(data.projects, 0.9, title="Projects: adjusted budget and spending")
    names = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    plt.close(fig)
    assert len(names) == 17
    # data/names/projects.csv glosses 2023年办公场所维修改造项目 as "2023 office repairs and renovation"
    assert "2023 office\nrepairs and\nrenovation" in names and "Auxiliary police\nstaff" in names
    assert all(len(line) <= 18 for name in names for line in name.split("\n"))
    assert fig.get_figwidth() == charts.CHART_WIDTH
    assert min(t.get_fontsize() for t in texts(fig)) >= charts.MIN_FONT_PT


def test_chinese_chart_wraps_chinese_names(data):
    fig = charts.budget_vs_executed(data.projects, 0.9, title="项目预算与执行")
    names = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    plt.close(fig)
    assert "道路交通安全隐患排\n查及综合治理项目" in names  # 9 characters (18 columns) a line
    assert "2023年省级政法转移\n支付资金结转" in names  # a digit takes one column


def test_audit_charts_keep_the_minimum_font(data):
    kinds = audit.checks_by_kind(data, "en")
    failed = kinds[kinds["not_passed"] > 0]
    fig = audit_charts.kinds_bars(failed, title="Checks not passed by kind", xlabel="checks", rows_label="rows",
                                  causes_label="causes")
    sizes = [t.get_fontsize() for t in texts(fig)]
    assert fig.get_figwidth() == charts.CHART_WIDTH and min(sizes) >= charts.MIN_FONT_PT
    labels = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    assert labels == list(failed["label"].iloc[::-1])  # the kinds in English, as rules/audit_checks.csv words them
    plt.close(fig)


def test_check_kinds_show_their_label_not_their_key(data):
    for lang, label in (("zh", "合计数与分项之和不符"), ("en", None)):
        kinds = audit.checks_by_kind(data, lang)
        html = table(kinds, counts=("ran", "passed", "not_passed", "causes"), rename=headers(lang, kinds)).to_html()
        assert "whole_vs_parts" not in html and "same_figure_twice" not in html
        assert (label or kinds.set_index("check").loc["whole_vs_parts", "label"]) in html


def chrome(**kw) -> PageChrome:
    return PageChrome(title="t", lang="en", index=Link("../../index.html", "All reports"),
                      parameters={"year": 2023, "unit": "luzhou-traffic-police"}, **kw)


def test_build_date_is_source_date_epoch_else_today_and_no_part_of_the_page_key(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1719705600")
    assert build_date() == "2024-06-30" == chrome().built
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert build_date() == pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        build_date()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1719705600")
    # the batch's page key hashes as_metadata(): another day's build is the same page
    assert chrome(built="2024-06-30").as_metadata() == chrome(built="2031-01-01").as_metadata()
    assert "luzhou-traffic-police-2023.zip" in chrome().as_metadata()["full_set"]


def cut_off(fig) -> list[float]:
    """How far (inches: left, bottom, right, top) what `fig` draws reaches outside it once laid out; a chart is
    saved as it stands, not cut to what it holds, so that much would be cut off."""
    fig.canvas.draw()
    drawn, page = fig.get_tightbbox(), fig.bbox_inches
    plt.close(fig)
    overflow = [page.x0 - drawn.x0, page.y0 - drawn.y0, drawn.x1 - page.x1, drawn.y1 - page.y1]
    return [round(v, 2) for v in overflow if v > 0.01]


@pytest.mark.slow  # draws seven charts in each language
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_charts_keep_every_label_inside_the_figure(tidy_dir, lang):
    """Every chart of the year pages, made as the notebooks make it (the page's own titles and labels, 2023's
    figures), has nothing outside its figure once laid out: a chart is saved as it stands."""
    from helpers.show.page import Page
    from helpers.story import fmt, overview, self_evaluation, three_public

    page = Page(2023, lang, str(tidy_dir))
    data, label, text = page.data, page.label, page.text
    wan = label("unit_wan")
    spending = overview.totals(data).spending
    change = three_public.three_public(data).change
    structure = overview.structure_table(data)
    kinds = audit.checks_by_kind(data, lang)
    money = audit.causes_by_money(data)
    weights = page.glossed(self_evaluation.weight_shares(data))
    try:
        by = {"spending": text("common", "by", change=spending), "change": text("common", "by", change=change)}
        below = label("below_threshold", threshold=fmt.pct_as_printed(0.9))
        severity = {s: text("audit", f"severity_{s}") for s in ("error", "warning", "info")}
        figures = {
            "totals": charts.change_bars(spending.prior_year, spending.prior, spending.year, spending.current,
                                         title=label("chart_totals"), change_label=by["spending"], unit=wan),
            "three_public": charts.change_bars(change.prior_year, change.prior, change.year, change.current,
                                               title=label("chart_three_public_years"), change_label=by["change"],
                                               unit=wan),
            "structure": charts.share_bars(structure.assign(part=structure["part"].map(label)), label="part",
                                           value="amount", share="printed_share", title=label("chart_structure"),
                                           unit=wan),
            "projects": charts.budget_vs_executed(data.projects, 0.9, title=label("chart_projects"),
                                                  budget_label=label("budget_adjusted"),
                                                  executed_label=label("executed"), below_label=below, unit=wan),
            "kinds": audit_charts.kinds_bars(kinds[kinds["not_passed"] > 0], title=text("audit", "chart_kinds_title"),
                                             xlabel=text("audit", "chart_kinds_x"),
                                             rows_label=text("audit", "legend_rows"),
                                             causes_label=text("audit", "legend_causes")),
            "money": audit_charts.money_bars(
                money.assign(label=[text("audit", "cause_label", cause=c) for c in money["cause"]]),
                title=text("audit", "chart_money_title"), xlabel=text("audit", "chart_money_x"),
                severity_labels=severity),
            "weights": audit_charts.points_bars(weights, label="level1", value="points", share="share",
                                                title=text("selfeval", "weight_title"),
                                                xlabel=text("selfeval", "weight_x"),
                                                unit=text("selfeval", "points_unit")),
        }
    finally:
        charts.use_language("zh")
    assert {name: cut_off(fig) for name, fig in figures.items()} == dict.fromkeys(figures, [])


def test_wrapped_labels_keep_brackets_with_their_words():
    # the page's own labels: no line ends in "(" or starts with ")", and a short bracketed word stays whole
    assert charts.wrap("basic spending (基本支出)", 16) == "basic spending\n(基本支出)"
    assert charts.wrap("Total spending: this year against last (万元)", 44) == \
        "Total spending: this year against last\n(万元)"
    assert charts.wrap("medium and large buses (中型客车和大型客车)", 22) == \
        "medium and large buses\n(中型客车和大型客车)"
    assert charts.wrap("道路交通安全隐患排查及综合治理项目", 18) == "道路交通安全隐患排\n查及综合治理项目"
    # no character alone on the last line: the one before it goes with it
    assert charts.wrap("道路交通组织优化项目", 18) == "道路交通组织优化\n项目"
    assert charts.wrap("道路交通组织优化项目", 20) == "道路交通组织优化项目"
    assert charts.wrap("一二三四五六七八，九", 18) == "一二三四五六七\n八，九"  # the mark stays with its character


def test_a_chart_of_many_units_draws_the_largest_and_says_how_many_there_are(tidy_dir):
    from helpers.show.page import Page

    units = pd.DataFrame({"unit_zh": [f"测试单位{k}" for k in range(45)],
                          "total_expenditure": [1000.0 + 10 * k for k in range(45)]})
    fig = charts.unit_bars(units, label="unit_zh", value="total_expenditure", title="t")
    drawn = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    plt.close(fig)
    assert len(drawn) == charts.MOST_UNITS == 30
    assert drawn[0] == "测试单位44" and drawn[-1] == "测试单位15"  # the largest first, down to the 30th
    words = {lang: Page(2023, lang, str(tidy_dir)).label("chart_compare_spending_most", shown=30, n=45)
             for lang in ("zh", "en")}
    assert words == {"zh": "支出总计最大的30个单位（共45个，万元）",
                     "en": "Total spending: the 30 largest of 45 units (万元)"}


def test_a_years_values_on_the_trend_chart_are_labelled_apart(data):
    # 2023: project spending 8,814.42 and basic spending 8,396.90 lie close together under 17,211.32 in total
    years = pd.DataFrame({"year": [2022, 2023],
                          "total_expenditure": [data.value("total_expenditure", 2022), data.value("total_expenditure")],
                          "basic_expenditure": [float("nan"), data.value("basic_expenditure")],
                          "project_expenditure": [float("nan"), data.value("project_expenditure")]})
    fig = charts.trend_lines(years, "year", {"total_expenditure": "合计", "basic_expenditure": "基本支出",
                                             "project_expenditure": "项目支出"}, title="支出")
    fig.canvas.draw()
    labels = fig.axes[0].texts
    assert sorted(t.get_text() for t in labels) == ["17,211.32", "18,100.64", "8,396.90", "8,814.42"]
    boxes = [t.get_window_extent() for t in labels]
    assert not [(a.get_text(), b.get_text()) for i, a in enumerate(labels) for j, b in enumerate(labels)
                if i < j and boxes[i].overlaps(boxes[j])]
    plt.close(fig)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_page_chart_is_the_png_savefig_writes_drawn_once(data, lang, monkeypatch):
    from helpers.show import page

    def project_chart():
        charts.use_language(lang)
        return charts.budget_vs_executed(data.projects, 0.9, title="项目预算与执行 Projects")

    try:
        draws = []
        drawn = Figure.draw
        monkeypatch.setattr(Figure, "draw", lambda fig, renderer: draws.append(fig) or drawn(fig, renderer))
        ours = page.png(project_chart())
        assert len(draws) == 1  # savefig draws twice: its layout with drawing off, then the image
        draws.clear()
        buffer = io.BytesIO()
        fig = project_chart()
        fig.savefig(buffer, format="png")
        plt.close(fig)
        assert len(draws) == 2
        assert ours == buffer.getvalue()
        assert ours.startswith(b"\x89PNG") and b"Matplotlib" in ours
    finally:
        charts.use_language("zh")
