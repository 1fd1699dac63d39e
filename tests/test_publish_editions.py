"""The batch makes both language editions of notebooks that take `lang`, runs an all-years
notebook once, passes `-p` parameters to the notebooks that declare them, and links every page to its
twin, its neighbours and the index. Small notebooks stand in for the story's, so this runs in seconds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers import paths
from helpers.data.ingest import ingest
from helpers.publish.batch import main as batch_main
from helpers.publish.batch import run_batch
from tests.conftest import UNIT_ID, page, visible_text

pytestmark = pytest.mark.slow
REPORT = paths.RAW / "2023" / "luzhou_traffic_police_2023_final_accounts.txt"


def _notebook(folder: Path, name: str, parameters: str, code: str, budget_story: dict) -> None:
    import nbformat  # seconds to import: not at collection, which `make test-fast` shares

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "luzhou-budget", "display_name": "Python (luzhou-budget)",
                                 "language": "python"}
    nb.metadata["budget_story"] = budget_story
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, folder / f"{name}.ipynb")


@pytest.fixture(scope="module")
def two_years(tmp_path_factory) -> Path:
    """Tidy data of two years: the 2023 report, and the same text restated as a 2024 report."""
    root = tmp_path_factory.mktemp("two_years")
    copy = root / "raw" / "2024" / "restated_2024.txt"
    copy.parent.mkdir(parents=True)
    copy.write_text(REPORT.read_text(encoding="utf-8").replace("2023年", "2024年"), encoding="utf-8")
    ingest([REPORT, copy], root / "tidy")
    return root / "tidy"


@pytest.fixture(scope="module")
def editions(two_years, tmp_path_factory):
    folder = tmp_path_factory.mktemp("templates")
    _notebook(folder, "10_summary", 'year: int = 2023\nlang: str = "zh"\ntidy_dir: str = ""',
              "print('summary', year, lang)",
              {"hide_code": True, "scope": "year", "title": {"zh": "{year}年度摘要", "en": "{year} summary"}})
    _notebook(folder, "20_story",
              'year: int = 2023\nlang: str = "zh"\ntidy_dir: str = ""\nlow_execution_threshold: float = 0.9',
              "print('story', year, lang, low_execution_threshold)",
              {"hide_code": False, "scope": "year", "title": {"zh": "{year}年度概览", "en": "{year} overview"}})
    _notebook(folder, "30_trend", 'lang: str = "zh"\ntidy_dir: str = ""', "print('trend', lang)",
              {"hide_code": False, "scope": "all_years", "title": {"zh": "历年对比", "en": "Across the years"}})
    _notebook(folder, "40_english_only", 'year: int = 2023\ntidy_dir: str = ""', "print('plain', year)",
              {"hide_code": False, "title": "{year} English only"})
    out = tmp_path_factory.mktemp("reports")
    result = run_batch([2023, 2024], notebook_dir=folder, out_root=out, tidy_dir=two_years, progress=False,
                       parameters={"low_execution_threshold": 0.8})
    assert not result.failures, [f.error for f in result.failures]
    return folder, out, result


def _printed(notebook: Path) -> str:
    import nbformat  # seconds to import: not at collection, which `make test-fast` shares

    nb = nbformat.read(notebook, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.output_type == "stream")


def test_every_year_in_both_languages_and_the_trend_once(editions):
    _, out, result = editions
    made = sorted(o.job.label for o in result.outcomes)
    assert made == [f"{UNIT_ID}/{name}" for name in (
        "2023/10_summary.en", "2023/10_summary.zh", "2023/20_story.en", "2023/20_story.zh", "2023/40_english_only.en",
        "2024/10_summary.en", "2024/10_summary.zh", "2024/20_story.en", "2024/20_story.zh", "2024/40_english_only.en",
        "all_years/30_trend.en", "all_years/30_trend.zh")]
    assert _printed(out / UNIT_ID / "2024" / "20_story.zh.ipynb") == "story 2024 zh 0.8\n"
    assert _printed(out / UNIT_ID / "2023" / "10_summary.en.ipynb") == "summary 2023 en\n"
    assert _printed(out / UNIT_ID / "all_years" / "30_trend.zh.ipynb") == "trend zh\n"
    plain = json.loads((out / UNIT_ID / "2023" / "40_english_only.en.ipynb").read_text(encoding="utf-8"))
    assert plain["metadata"]["papermill"]["parameters"] == {"year": 2023}  # only what it declares


def test_pages_carry_their_language_twin_and_chrome_words(editions):
    _, out, _ = editions
    zh = page(out, "20_story", "zh").read_text(encoding="utf-8")
    en = page(out, "20_story", "en").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in zh and '<html lang="en">' in en
    assert "<title>2023年度概览</title>" in zh and "<title>2023 overview</title>" in en
    assert re.search(r'<a href="20_story\.en\.html" hreflang="en" lang="en" rel="alternate">This page in English</a>',
                     zh)
    assert re.search(r'<a href="20_story\.zh\.html" hreflang="zh" lang="zh" rel="alternate">本页的中文版</a>', en)
    for words in ("全部报告", "上一篇", "关于本页", "运行参数", "资料来源"):
        assert words in visible_text(zh), words
    assert '<a href="10_summary.zh.html" rel="prev">2023年度摘要</a>' in zh
    assert '<a href="40_english_only.en.html" rel="next">' in en and 'rel="next"' not in zh.split("<footer")[0][
        zh.index('rel="prev"'):]  # no English-only page in the Chinese sequence
    about = visible_text(zh[zh.index('<footer class="report-about">'):])
    # the values it ran with, in words of the page's language; as the notebook names them in a tooltip
    assert "执行率偏低的标准（低于预算的比例）: 80%" in about and "语言: 中文" in about and "年度: 2023" in about
    assert 'title="low_execution_threshold = 0.8"' in zh and 'title="lang = zh"' in zh


def test_the_index_lists_both_editions_and_starts_with_the_summary(editions):
    _, out, _ = editions
    index = (out / "index.html").read_text(encoding="utf-8")
    for href in ("2023/10_summary.zh.html", "2023/10_summary.en.html", "2024/20_story.zh.html",
                 "all_years/30_trend.zh.html", "all_years/30_trend.en.html", "2023/40_english_only.en.html"):
        assert f'href="{UNIT_ID}/{href}"' in index, href
    start = index[index.index('class="start"'):index.index("</section>", index.index('class="start"'))]
    assert f'href="{UNIT_ID}/2024/10_summary.zh.html"' in start and f'href="{UNIT_ID}/2024/10_summary.en.html"' in start
    # one group per unit, named as its report names it; two years: the page across the years comes first
    assert [h.strip() for h in re.findall(r"<h2>([^<·]+)", index)][1:] == ["泸州市公安局交通警察支队"]
    assert [h.strip() for h in re.findall(r"<h3>([^<·]+)", index)] == ["历年对比", "2024年度", "2023年度"]


def test_unknown_parameter_is_refused_before_anything_runs(editions, two_years, capsys):
    folder, out, _ = editions
    code = batch_main(["--years", "2023", "--notebooks", str(folder), "--out", str(out), "--tidy", str(two_years),
                       "-p", "low_execution_treshold", "0.8"])
    assert code == 2
    assert "low_execution_treshold" in capsys.readouterr().err


def test_a_parameter_change_reruns_only_the_notebooks_that_declare_it(editions, two_years):
    folder, out, _ = editions
    again = run_batch([2023, 2024], notebook_dir=folder, out_root=out, tidy_dir=two_years, progress=False,
                      parameters={"low_execution_threshold": 0.7})
    assert sorted(o.job.stem for o in again.outcomes if o.job.execute) == \
        ["20_story.en", "20_story.en", "20_story.zh", "20_story.zh"]
    assert _printed(out / UNIT_ID / "2023" / "20_story.en.ipynb") == "story 2023 en 0.7\n"
