"""Both editions of the story pages: the Chinese page is Chinese, both carry the same figures, the trend
notebook covers every year present. The notebooks run with papermill, as an analyst or the batch would."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from helpers import paths
from helpers.data import corpus
from tests.conftest import executed

STORY_PAGES = ["01_overview", "02_three_public", "03_low_execution", "04_summary", "07_trend"]
FIGURE = re.compile(r"\d[\d,]*\.\d+%?|\d+%")


def run(name: str, lang: str, tidy_dir: Path, out: Path):
    import nbformat  # seconds to import (its schema validator): only the slow tests pay for it
    import papermill as pm

    from helpers.publish.kernels import ipc_kernel_manager

    target = out / f"{name}.{lang}.ipynb"
    pm.execute_notebook(str(paths.NOTEBOOKS / f"{name}.ipynb"), str(target), kernel_name="luzhou-budget",
                        parameters={"lang": lang, "tidy_dir": str(tidy_dir)}, cwd=str(paths.NOTEBOOKS),
                        progress_bar=False, kernel_manager_class=ipc_kernel_manager())
    return nbformat.read(target, as_version=4)


def outputs(nb, mime: str, page_only: bool = False) -> list[str]:
    """Every code cell's outputs of `mime`; `page_only`: of the cells the page shows (not the analyst's)."""
    from helpers.publish.export import ANALYST_TAG

    return ["".join(o["data"][mime]) for c in nb.cells if c.cell_type == "code"
            and not (page_only and ANALYST_TAG in c.get("metadata", {}).get("tags", []))
            for o in c.get("outputs", []) if mime in o.get("data", {})]


def shown_text(nb) -> str:
    """What a reader sees that the page wrote: sentences, headings, table headers, chart alt text."""
    html = "\n".join(outputs(nb, "text/html", page_only=True))
    headers = [re.sub(r"<[^>]+>|&\w+;", " ", h) for h in re.findall(r"<th\b[^>]*>(.*?)</th>", html, flags=re.S)]
    alts = re.findall(r'alt="([^"]*)"', html)
    # citations' markup is not text
    sentences = [re.sub(r"<[^>]+>", " ", s) for s in outputs(nb, "text/markdown", page_only=True)]
    return "\n".join(sentences + headers + alts)


@pytest.fixture(scope="module")
def editions(batch_run):
    """Both editions of each story page, as the session's batch executed them."""
    import nbformat  # seconds to import (its schema validator): only the slow tests pay for it

    out, _ = batch_run
    return {(name, lang): nbformat.read(executed(out, name, lang, "all_years" if name == "07_trend" else 2023),
                                        as_version=4)
            for name in STORY_PAGES for lang in ("zh", "en")}


def test_templates_take_lang_and_carry_titles_in_both_languages():
    for name in STORY_PAGES:
        nb = json.loads((paths.NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
        cells = [SimpleNamespace(cell_type=c["cell_type"], source="".join(c["source"]), metadata=c["metadata"])
                 for c in nb["cells"]]
        params = next(c for c in cells if "parameters" in c.metadata.get("tags", []))
        assert 'lang: str = "zh"' in params.source and 'tidy_dir: str = ""' in params.source, name
        meta = nb["metadata"]["budget_story"]
        assert set(meta["title"]) == {"zh", "en"} and "hide_code" in meta, name
        assert ("year: int = 2023" in params.source) == (meta["scope"] == "year"), name
        # a markdown cell cannot follow lang: only the analyst's questions, which the page leaves out
        assert not [c for c in cells if c.cell_type == "markdown" and "analyst" not in c.metadata.get("tags", [])], (
            f"{name}: markdown cells cannot follow lang")
        setup = [c for c in cells if c.cell_type == "code"][1].source
        assert "from helpers.show.page import Page" in setup and "page = Page(" in setup, name
        for parameter in re.findall(r"^(\w+):", params.source, flags=re.M):
            rest = "\n".join(c.source for c in cells if c is not params)
            assert re.search(rf"\b{parameter}\b", rest), f"{name}: parameter {parameter} is never used"


def test_every_chinese_page_is_chinese_apart_from_names_and_numbers(editions):
    for name in STORY_PAGES:
        text = shown_text(editions[(name, "zh")])
        assert text, name
        latin = re.findall(r"[A-Za-z]{2,}", text)
        assert not latin, (name, sorted(set(latin))[:20])


def test_tables_show_flags_as_words_not_python_booleans(editions):
    # 01's class table flags 3 classes whose printed share (line 36) is not what the amounts give
    for (name, lang), nb in editions.items():
        cells = [re.sub(r"<[^>]+>", "", c).strip()
                 for c in re.findall(r"<td\b[^>]*>(.*?)</td>", "\n".join(outputs(nb, "text/html")), flags=re.S)]
        assert not {"True", "False"} & set(cells), (name, lang)
    zh = "\n".join(outputs(editions[("01_overview", "zh")], "text/html"))
    assert re.search(r"<td\b[^>]*>\s*是\s*</td>", zh) and re.search(r"<td\b[^>]*>\s*否\s*</td>", zh)


def test_both_editions_carry_the_same_figures(editions):
    for name in STORY_PAGES:
        zh = set(FIGURE.findall("\n".join(outputs(editions[(name, "zh")], "text/markdown"))))
        en = set(FIGURE.findall("\n".join(outputs(editions[(name, "en")], "text/markdown"))))
        assert zh and zh == en, (name, sorted(zh ^ en))


def test_no_paragraph_is_printed_twice(editions):
    for (name, lang), nb in editions.items():
        paragraphs = [p for p in outputs(nb, "text/markdown") if not p.startswith("#")]
        assert len(paragraphs) == len(set(paragraphs)), (name, lang)


def test_pages_show_what_the_report_prints(editions):
    overview = "\n".join(outputs(editions[("01_overview", "zh")], "text/markdown"))
    assert "报告列示占91.2%（按金额计算为91.4%）" in overview  # line 36
    assert "全部为一般公共预算财政拨款收入" in overview  # line 26: a sentence, not a single 100% bar
    charts = re.findall(r"<img [^>]*>", "\n".join(outputs(editions[("01_overview", "zh")], "text/html")))
    assert len(charts) == 3 and all('alt="' in c for c in charts)
    assert "减少889.32万元" in "".join(re.findall(r'alt="([^"]*)"', charts[0]))
    low = "\n".join(outputs(editions[("03_low_execution", "en")], "text/markdown"))
    assert "2023年省级政法转移支付资金结转" in low and "8 projects of 17" in low  # the 0% project is in the set
    assert "15 months of rent and 6 of them were paid" in low  # line 42
    three = "\n".join(outputs(editions[("02_three_public", "en")], "text/markdown"))
    assert "patrol" not in three and "1 清障车 (tow truck)" in three  # line 6872


def test_summary_headings_follow_the_figures(editions):
    zh = outputs(editions[("04_summary", "zh")], "text/markdown")
    assert "## 一、支出比上年减少" in zh and "## 二、“三公”经费比上年增加" in zh and "## 三、8个项目执行率低于90%" in zh
    en = outputs(editions[("04_summary", "en")], "text/markdown")
    assert "## 1. Spending fell" in en and "## 2. “三公” spending rose" in en


def two_year_tidy(tidy_dir: Path, out: Path) -> Path:
    """A second report year made from the 2023 tables: every 2023 row copied as 2024 (and, when the tables
    name their report, as that report's statement of 2023), with 2024's total spending raised to 18,000.00
    and one project's execution changed."""
    shutil.copytree(tidy_dir, out)
    for path in out.glob("*.csv"):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "year" not in table.columns or "2023" not in set(table["year"]):
            continue
        own = table[table["year"] == "2023"]
        if "report" in table.columns:  # C1: the later report also states the prior year, as printed then
            own = own[own["report_year"] == "2023"]
        later = own.assign(year="2024")
        if "report" in table.columns:
            prior = own.copy() if path.stem == "facts" else own.iloc[0:0]
            later = pd.concat([later, prior]).assign(report=lambda t: t["report"] + "_next", report_year="2024")
        if path.stem == "facts":
            this_year = later["year"] == "2024"
            later.loc[this_year & later["metric"].isin(["total_expenditure", "total_income"]), "value"] = "18000.0"
            later.loc[this_year & (later["metric"] == "total_expenditure_change"), "value"] = "788.68"
            later.loc[this_year & (later["metric"] == "total_expenditure_change_pct"), "value"] = "0.046"
        if path.stem == "projects":
            later.loc[later["project_name"] == "二大队业务技术用房新建项目", "executed"] = "900.0"
        pd.concat([table, later]).to_csv(path, index=False, lineterminator="\n")
    assert corpus.main(["--tidy", str(out)]) == 0  # the corpus store made again from the edited CSV files
    return out


@pytest.mark.slow  # runs the trend notebook twice
def test_trend_covers_every_year_and_matches_projects_by_code(tidy_dir, tmp_path):
    from helpers.data.load import load_year
    from helpers.story import overview, trend

    tidy = two_year_tidy(tidy_dir, tmp_path / "tidy")
    by_year = trend.trend_table(tidy)
    assert by_year["year"].tolist() == [2022, 2023, 2024]   # 2022 as the 2023 report gives it
    assert by_year["total_expenditure"].tolist() == [18100.64, 17211.32, 18000.0]
    projects = trend.projects_across_years(tidy)
    building = projects[projects["project_name"] == "二大队业务技术用房新建项目"]
    assert building["year"].tolist() == [2023, 2024] and building["executed"].tolist() == [518.61, 900.0]
    previous = overview.previous_report(load_year(2024, tidy))
    assert previous.year == 2023 and previous.as_printed_then == 17211.32 and not previous.restated
    for lang, expected in (
        ("zh", "2024年比2023年增加788.68万元，增长4.6%"),
        ("en", "2023 to 2024: spending rose by 788.68 万元"),
    ):
        nb = run("07_trend", lang, tidy, tmp_path)
        text = "\n".join(outputs(nb, "text/markdown"))
        assert expected in text, text
        assert ("17个项目中，有17个" if lang == "zh" else "17 projects of 17 appear") in text
        if lang == "zh":
            assert "执行率变化最大的是二大队业务技术用房新建项目：2023年56.4%，2024年97.8%。" in text
