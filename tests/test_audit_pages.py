"""Pages 05 (audit) and 06 (self-evaluation): their charts speak the page's language, and both editions of
each page run, say each paragraph once and carry the same figures (issues 9 and 10)."""

from __future__ import annotations

import json
import math
import re

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from helpers import paths
from helpers.data.load import load_year
from helpers.show import audit_charts
from helpers.story import audit, self_evaluation
from tests.conftest import executed
from tests.test_report_pages import cut_off

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def data(tidy_dir):
    return load_year(2023, tidy_dir)


def test_check_kind_chart_is_labelled_in_the_page_language(data):
    kinds = audit.checks_by_kind(data, "zh")
    failed = kinds[kinds["not_passed"] > 0]
    fig = audit_charts.kinds_bars(failed, title="t", xlabel="x", rows_label="a", causes_label="b")
    labels = {t.get_text() for t in fig.axes[0].get_yticklabels()}
    assert "合计数与分项之和不符" in labels and not labels & set(failed["check"])
    plt.close(fig)


def test_weight_chart_counts_points_not_money(data):
    weights = self_evaluation.weight_shares(data)
    fig = audit_charts.points_bars(
        weights, label="level1", value="points", share="share", title="t", xlabel="分值（分）", unit="分"
    )
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "593 分 (43%)" in texts and not any("万元" in t or "." in t.split("分")[0] for t in texts)
    plt.close(fig)


def test_scatter_has_the_threshold_line_and_keeps_the_zero_point_off_the_axes(data):
    scores = self_evaluation.scores_vs_execution(data)
    fig = audit_charts.score_scatter(scores, 0.9, title="t", xlabel="x", ylabel="y", threshold_label="90%",
                                     outlier_label=lambda name, rate, score: f"{name} {rate:.0%} {score:g}")
    ax = fig.axes[0]
    assert any(list(line.get_xdata()) == [0.9, 0.9] for line in ax.lines)
    plotted = [xy for collection in ax.collections for xy in collection.get_offsets().tolist()]
    assert len(plotted) == 16 and min(y for _, y in plotted) > 80  # 2023年省级政法转移支付资金结转 (0%, 0) is named
    assert any("2023年省级政法转移支付资金结转 0% 0" in t.get_text() for t in fig.legends[0].get_texts())
    plt.close(fig)




def markdown_outputs(notebook: dict) -> list[str]:
    return ["".join(o["data"]["text/markdown"]) for c in notebook["cells"] for o in c.get("outputs", [])
            if "data" in o and "text/markdown" in o["data"]]


@pytest.fixture(scope="module")
def pages(batch_run) -> dict:
    """Both editions of pages 05 and 06, as the session's batch executed them."""
    out, _ = batch_run
    return {(name, lang): json.loads(executed(out, name, lang).read_text(encoding="utf-8"))
            for name in ("05_audit", "06_self_evaluation") for lang in ("zh", "en")}


@pytest.mark.parametrize("name", ["05_audit", "06_self_evaluation"])
def test_both_editions_run_say_each_paragraph_once_and_agree_on_figures(pages, name):
    figures = {"05_audit": ["17,211.31", "32.52", "12.36", "20.17", "575", "166", "159", "724.29", "28,002.22"],
               "06_self_evaluation": ["294", "371", "328", "407", "81.5", "37", "65.0"]}[name]
    for lang in ("zh", "en"):
        text = markdown_outputs(pages[name, lang])
        assert len(text) == len(set(text)), "a paragraph is shown twice"
        for figure in figures:
            assert any(figure in t for t in text), (lang, figure)
    meta = json.loads((paths.NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))["metadata"]["budget_story"]
    assert set(meta["title"]) == {"zh", "en"} and "{year}" in meta["title"]["zh"]


@pytest.mark.parametrize("name", ["05_audit", "06_self_evaluation"])
def test_chinese_editions_are_chinese(pages, name):
    for text in markdown_outputs(pages[name, "zh"]):
        words = re.sub(r"<[^>]+>", "", text)  # citations' markup (<span class="cite" title=…>) is not text
        assert not re.search(r"\b[A-Za-z]{4,}\b", words), text[:200]
    # the analyst's cells (tagged, left out of the page) show the tidy tables' own column names
    headings = [h for c in pages[name, "zh"]["cells"] if "analyst" not in c["metadata"].get("tags", [])
                for o in c.get("outputs", []) if "data" in o
                for h in re.findall(r"<th[^>]*>(.*?)</th>", "".join(o["data"].get("text/html", "")))]
    assert headings and not [h for h in headings if re.search(r"[A-Za-z]{4,}", h)]
    notebook = json.loads((paths.NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    # a markdown cell is in one language: only the analyst's questions (tagged, left out of every page) may be
    assert not [c for c in notebook["cells"] if c["cell_type"] == "markdown"
                and "analyst" not in c["metadata"].get("tags", [])], "a markdown cell is in one language"


def test_money_chart_sorts_problems_by_money_apart_by_severity(data):
    # contradictions first, largest first: 28,002.22 (line 170), 2,902.04, 1,316.00, 32.52, 17.21, 11.77;
    # then the doubtful 190.93 of vehicles; causes about rates, scores or counts are not drawn
    table = audit.causes_by_money(data)
    table = table.assign(label=table["cause"])
    fig = audit_charts.money_bars(table, title="t", xlabel="万元",
                                  severity_labels={"error": "矛盾", "warning": "存疑", "info": "说明"})
    ax = fig.axes[0]
    drawn = [t.get_text() for t in ax.get_yticklabels()][::-1]   # top to bottom
    assert drawn == list(table.loc[table["at_stake"] > 0, "cause"])
    values = [t.get_text() for t in ax.texts][::-1]
    assert values[:6] == ["28,002.22", "2,902.04", "1,316.00", "32.52", "17.21", "11.77"]
    assert "190.93" in values and ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["矛盾", "存疑", "说明"]
    plt.close(fig)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_threshold_label_is_clear_of_the_projects_names(data, lang):
    """The dashed line's label, in the page's words, meets neither a project's name nor the note under the axes."""
    from helpers.data.load import with_glosses
    from helpers.show import charts
    from helpers.story import wording

    def text(name: str, **values) -> str:
        return wording.say(lang, "selfeval", name, **values)

    charts.use_language(lang)
    try:
        scores = with_glosses(self_evaluation.scores_vs_execution(data))
        fig = audit_charts.score_scatter(
            scores, 0.9, title=text("scatter_title"), xlabel=text("scatter_x"), ylabel=text("scatter_y"),
            threshold_label=text("threshold_label", threshold=0.9),
            outlier_label=lambda name, rate, score: text("outlier_label", project=name, rate=rate, score=score))
    finally:
        charts.use_language("zh")
    fig.canvas.draw()
    ax = fig.axes[0]
    legend = fig.legends[0]
    line_label, note = legend.get_texts()
    assert line_label.get_text() == text("threshold_label", threshold=0.9)
    assert note.get_text().replace("\n", "").startswith("2023年省级政法转移支付资金结转")
    names = list(ax.texts)
    assert len(names) == 7  # the low projects on the axes: 8 below 90%, one (0%, 0 points) named in the note
    box = legend.get_window_extent()
    assert not [t.get_text() for t in [*names, *fig.texts] if t.get_window_extent().overlaps(box)]
    # each name, as drawn, inside the axes, clear of the other names, of every point and of the dashed line, and
    # nearer its own point than any other (before, names ran onto the tick labels and across the line)
    frame = ax.get_window_extent()
    boxes = [t.get_window_extent() for t in names]
    line_x = ax.transData.transform((0.9, 0))[0]
    points = [tuple(p) for p in ax.transData.transform(scores[["execution_rate", "total_score"]].to_numpy())]
    projects = {row.project_name: (row.execution_rate, row.total_score) for row in scores.itertuples()}
    for name, box in zip(names, boxes, strict=True):
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, name
        assert not box.x0 <= line_x <= box.x1, name
        assert not [other for other in boxes if other is not box and other.overlaps(box)], name
        assert not [p for p in points if box.contains(*p)], name
        own = tuple(ax.transData.transform(name.xy))
        # where the name starts: the point of its box nearest its own point
        start = (min(max(own[0], box.x0), box.x1), min(max(own[1], box.y0), box.y1))
        assert min(points, key=lambda p: math.dist(p, start)) == own, name
    # the names are the low projects' own, placed at their own points (the English gloss on the English page)
    assert sorted(t.xy for t in names) == sorted(v for v in projects.values() if 0 < v[0] < 0.9)
    assert cut_off(fig) == []  # nothing outside the figure either


def test_points_whose_names_find_no_clear_place_are_numbered_and_named_under_the_axes():
    """Two low projects at the same rate and score leave no place where a name reads as one point's: the low
    points are numbered (in order of execution rate) and the names listed under the axes, after the line."""
    table = pd.DataFrame({"project_name": ["甲项目", "乙项目", "丙项目", "丁项目"],
                          "execution_rate": [0.5, 0.5, 0.7, 0.95], "total_score": [90.0, 90.0, 95.0, 99.0]})
    fig = audit_charts.score_scatter(table, 0.9, title="散点", xlabel="x", ylabel="y", threshold_label="执行率90%",
                                     outlier_label=lambda name, rate, score: name)
    fig.canvas.draw()
    assert [t.get_text() for t in fig.axes[0].texts] == ["1, 2", "3"]  # one label for the point both share
    assert [t.xy for t in fig.axes[0].texts] == [(0.5, 90.0), (0.7, 95.0)]
    texts = fig.legends[0].get_texts()
    assert [t.get_text() for t in texts] == ["执行率90%", "1  甲项目", "2  乙项目", "3  丙项目"]
    assert cut_off(fig) == []
