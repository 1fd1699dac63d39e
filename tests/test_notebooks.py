"""Every notebook runs with papermill through the batch, and its HTML export is fit to share."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from helpers import paths
from helpers.publish.batch import main as batch_main
from helpers.publish.batch import run_batch
from helpers.publish.plan import templates
from tests.conftest import NAMES, UNIT_ID, page, visible_text
from tests.test_story import LOW_PROJECTS_2023

pytestmark = pytest.mark.slow


def test_templates_are_clean_with_one_parameters_cell():
    import nbformat  # seconds to import: not at collection, which `make test-fast` shares

    found = [p.stem for p in templates()]
    assert found[: len(NAMES)] == NAMES
    for path in templates():
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1 and code[0] is tagged[0], path.name
        params, body = tagged[0].source, "\n".join(c.source for c in code[1:])
        assert 'lang: str = "zh"' in params and 'tidy_dir: str = ""' in params, path.name
        scope = nb.metadata["budget_story"].get("scope")
        assert ("year: int = 2023" in params) != (scope == "all_years"), path.name
        # every page of one unit takes the unit (empty: the only one); the comparison of units takes none
        assert ('unit: str = ""' in params) != (scope == "all_units"), path.name
        # every parameter is used, and the threshold is declared exactly where it is used
        declared = "low_execution_threshold: float = 0.9" in params
        assert declared == ("low_execution_threshold" in body), path.name
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), path.name
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                # narrative numbers come from the data: no figures typed into markdown
                assert not re.search(r"\d[\d,]*\.\d+|\d+(\.\d+)?\s*%", cell.source), (path.name, cell.source[:60])


def test_every_notebook_ran(batch_run):
    out, result = batch_run
    assert sorted({o.job.name for o in result.outcomes if o.ok}) == [p.stem for p in templates()]
    assert not result.failures
    for name in NAMES:
        assert page(out, name).exists() and page(out, name).with_suffix(".ipynb").exists()


def test_no_missing_glyph_warnings_anywhere(batch_run):
    import nbformat  # seconds to import: not at collection, which `make test-fast` shares

    out, _ = batch_run
    for path in (out / UNIT_ID / "2023").glob("*.*.ipynb"):
        text = path.read_text(encoding="utf-8")
        assert "missing from font" not in text and "findfont" not in text, path.name
        nb = nbformat.read(path, as_version=4)
        streams = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "stream"]
        assert not [o for o in streams if o.name == "stderr"], (path.name, streams)


def test_html_is_self_contained_and_labelled(batch_run):
    out, _ = batch_run
    for path in (out / UNIT_ID / "2023").glob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert path.stat().st_size <= 2 * 1024 * 1024, path.name
        assert not re.search(r"<script[^>]+src=", html), path.name
        assert not re.search(r"<link[^>]+href=[\"']?(https?:)?//", html), path.name
        assert not re.search(r"@import|url\(\s*[\"']?(https?:)?//", html), path.name
        assert "mathjax" not in html.lower() and "require.min.js" not in html, path.name
        lang = path.name.split(".")[-2]
        assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in html, path.name
        assert '<meta name="viewport" content="width=device-width, initial-scale=1.0">' in html, path.name
        assert re.search(r"<title>2023[^<]+</title>", html)
        about = visible_text(html[html.index('<footer class="report-about">'):])
        # the parameters in words of the page's language (as the notebook names them in a tooltip)
        words = {"zh": ("年度: 2023", "语言: 中文", "执行率偏低的标准（低于预算的比例）: 90%"),
                 "en": ("Year: 2023", "Language: English", "Low execution: spent less than this share of budget: 90%")}
        assert words[lang][0] in about and words[lang][1] in about, about
        assert f'title="lang = {lang}"' in html
        name = path.name.split(".")[0]
        takes_threshold = "low_execution_threshold" in (paths.NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8")
        assert (words[lang][2] in about) == takes_threshold, (path.name, about)
        assert "luzhou_traffic_police_2023_final_accounts" in about and "tidy_dir" not in about
        assert "data:image/png;base64," in html
        banner = html[html.index('<header class="report-banner">'):html.index("</header>")]
        assert "tidy_dir" not in banner and "data/raw" not in banner


def _text(out, name: str, lang: str) -> str:
    return re.sub(r"\s+", " ", visible_text(page(out, name, lang).read_text(encoding="utf-8")))


# The headline figures as each edition words them: lines 10 and 26 (17,211.32, −889.32, −4.9%), line 59 (617.37,
# +437.37, +242.9%); the prior-year figures are worked back from the stated changes.
HEADLINES = {
    "zh": ("减少889.32万元，下降4.9%", "增加437.37万元，增长243.0%（报告列示为242.9%）"),
    "en": ("spending fell by 889.32 万元, or 4.9%", "it rose by 437.37 万元, or 243.0% (the report prints 242.9%)"),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_headline_figures_are_in_the_reports(batch_run, lang):
    out, _ = batch_run
    fell, rose = HEADLINES[lang]
    overview = _text(out, "01_overview", lang)
    assert fell in overview and "17,211.32" in overview and "18,100.64" in overview
    three = _text(out, "02_three_public", lang)
    assert rose in three and "617.37" in three
    low, summary = _text(out, "03_low_execution", lang), _text(out, "04_summary", lang)
    for name in LOW_PROJECTS_2023:
        assert name in low and name in summary


NOTICE = {
    "zh": ("2023年度决算报告有9处数字前后矛盾", "核对页"),
    "en": ("contradicts itself in 9 places", "the audit page"),
}
# 575 comparisons of figures (observations, which only record what they find, are not counted)
RELIABILITY = {
    "zh": ("这些数字可靠吗？", "共核对575项"),
    "en": ("How reliable are these figures?", "575 arithmetic checks"),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_error_notice_and_reliability_section(batch_run, lang):
    out, _ = batch_run
    contradictions, link_words = NOTICE[lang]
    for name in NAMES:
        html = page(out, name, lang).read_text(encoding="utf-8")
        # 9 contradictions counted by cause (16 error rows in audit_findings.csv; see test_selfeval)
        assert 'class="report-notice" role="alert"' in html and contradictions in html, name
        if name != "05_audit":
            assert re.search(rf'class="report-notice".*?<a href="05_audit\.{lang}\.html">{link_words}</a>', html,
                             flags=re.S), name
    summary = _text(out, "04_summary", lang)
    assert all(words in summary for words in RELIABILITY[lang])
    audit = _text(out, "05_audit", lang)
    # 公共安全支出 15,737.52 on line 36 against its 项 lines 40, 42, 43 (15,705.00): 32.52 over, cited by their
    # section with the lines in the tooltip
    section = "五、一般公共预算财政拨款支出决算情况说明"
    cited = (f'<span class="cite" title="报告第36、40、42、43行">{section}</span>' if lang == "zh" else
             f'<span class="cite" title="lines 36, 40, 42, 43 of the report ({section})">section on general public '
             "budget spending</span>")
    assert "32.52" in audit and cited in page(out, "05_audit", lang).read_text(encoding="utf-8")
    selfeval = _text(out, "06_self_evaluation", lang)
    assert "城市道路交通信号绿波协调控制" in selfeval and ("完全相同" if lang == "zh" else "exactly") in selfeval


def test_no_notice_without_errors(tidy_dir, tmp_path):
    from helpers.publish.plan import error_notice

    clean = tmp_path / "tidy"
    shutil.copytree(tidy_dir, clean)
    findings = (clean / "audit_findings.csv").read_text(encoding="utf-8").splitlines()
    (clean / "audit_findings.csv").write_text("\n".join(l for l in findings if ",error," not in l) + "\n",
                                              encoding="utf-8")
    assert error_notice(2023, clean) == "" and error_notice(2023, tidy_dir).startswith("Caution")
    assert error_notice(2023, tidy_dir, "zh").startswith("提示：2023年度决算报告有9处")


def test_pages_carry_their_own_chinese_font(batch_run):
    out, _ = batch_run
    html = page(out, "01_overview").read_text(encoding="utf-8")
    assert '@font-face { font-family: "Report CJK"; src: url(data:font/otf;base64,' in html


def test_summary_hides_code_and_the_analysis_shows_it(batch_run):
    out, _ = batch_run
    summary = page(out, "04_summary").read_text(encoding="utf-8")
    overview = page(out, "01_overview").read_text(encoding="utf-8")
    # the analysis shows its steps' code (folded); neither shows the setup cell (imports, `Page(year, …)`)
    setup = re.compile(r"Page\W*\(\W*year")
    assert not setup.search(visible_text(summary)) and "hl-ipython3" not in summary
    assert not setup.search(visible_text(overview)) and "hl-ipython3" in overview
    assert overview.count('<details class="report-code">') > 3 and '<details class="report-code">' not in summary


def test_index_links_every_report(batch_run):
    out, _ = batch_run
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in NAMES:
        assert f'href="{UNIT_ID}/2023/{name}.en.html"' in index
    # the summary (no code shown) is the place to start, and is listed first
    start = index[index.index('class="start"'):]
    assert start.index(f'href="{UNIT_ID}/2023/04_summary.en.html"') < \
        start.index(f'href="{UNIT_ID}/2023/01_overview.en.html"')
    assert '<meta name="viewport"' in index and '<html lang="zh-CN">' in index
    assert '@font-face { font-family: "Report CJK"' in index
    assert "luzhou_traffic_police_2023_final_accounts" in visible_text(index)


def test_pages_link_to_the_index_and_their_neighbours_in_story_order(batch_run):
    out, _ = batch_run
    order = ["04_summary", "01_overview", "02_three_public", "03_low_execution", "05_audit", "06_self_evaluation"]
    for at, name in enumerate(order):
        html = page(out, name).read_text(encoding="utf-8")
        nav = re.search(r'<nav[^>]*class="report-nav"[^>]*>(.*?)</nav>', html, flags=re.S).group(1)
        assert 'href="../../index.html"' in nav, name
        if at > 0:
            assert f'href="{order[at - 1]}.en.html" rel="prev"' in nav, name
        if at + 1 < len(order):
            assert f'href="{order[at + 1]}.en.html" rel="next"' in nav, name
        assert (at == 0) == ('rel="prev"' not in nav) and (at == len(order) - 1) == ('rel="next"' not in nav)


def test_narrative_follows_the_data(tidy_dir, tmp_path):
    """Change a figure in a copy of the tidy data: the sentences change with it."""
    changed = tmp_path / "tidy"
    shutil.copytree(tidy_dir, changed)
    facts = (changed / "facts.csv").read_text(encoding="utf-8")
    facts = facts.replace("2023,total_expenditure,17211.32,", "2023,total_expenditure,16290.32,")
    facts = facts.replace("2023,total_expenditure_change,-889.32,", "2023,total_expenditure_change,-1810.32,")
    facts = facts.replace("2023,total_income_expenditure,17211.32,", "2023,total_income_expenditure,16290.32,")
    (changed / "facts.csv").write_text(facts, encoding="utf-8")
    out = tmp_path / "reports"
    result = run_batch([2023], notebook_dir=_only(tmp_path, "01_overview"), out_root=out, tidy_dir=changed,
                       progress=False)
    assert not result.failures, result.failures
    for lang in ("zh", "en"):
        text = _text(out, "01_overview", lang)
        # 16,290.32 against the worked-back 18,100.64: 1,810.32 less, 10.0%
        assert "16,290.32" in text
        assert ("减少1,810.32万元，下降10.0%" if lang == "zh" else "fell by 1,810.32 万元, or 10.0%") in text


def _only(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(paths.NOTEBOOKS / f"{name}.ipynb", folder)
    return folder


def _failing_notebook(folder: Path) -> None:
    import nbformat  # seconds to import: not at collection, which `make test-fast` shares

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "luzhou-budget", "display_name": "Python (luzhou-budget)",
                                 "language": "python"}
    params = nbformat.v4.new_code_cell("year: int = 2023  # report year\ntidy_dir: str = \"\"  # tidy data")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_code_cell("raise RuntimeError('planted failure')")]
    nbformat.write(nb, folder / "99_broken.ipynb")


def test_a_failing_notebook_is_named_with_its_cell_and_the_rest_is_kept(tidy_dir, tmp_path, capsys, monkeypatch):
    folder = _only(tmp_path, "02_three_public")
    _failing_notebook(folder)
    out = tmp_path / "reports"
    (out / UNIT_ID / "2023").mkdir(parents=True)
    (out / UNIT_ID / "2023" / "99_broken.en.html").write_text("<title>previous good report</title>", encoding="utf-8")
    result = run_batch([2023], notebook_dir=folder, out_root=out, tidy_dir=tidy_dir, progress=False)
    [failure] = result.failures
    assert failure.job.name == "99_broken"
    assert "code cell 3" in failure.error and "RuntimeError: planted failure" in failure.error
    assert page(out, "02_three_public").exists()
    assert page(out, "99_broken").read_text(encoding="utf-8") == "<title>previous good report</title>"
    assert (out / UNIT_ID / "2023" / "99_broken.en.failed.ipynb").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    row = index[index.index(f'href="{UNIT_ID}/2023/99_broken.en.html"'):].split("</tr>")[0]
    assert 'class="failed"' in row and "failed in the last run" in row
    assert not [p for p in (out / UNIT_ID / "2023").iterdir() if p.name.startswith(".")], "temp files left behind"


def test_cli_exit_codes(tidy_dir, tmp_path, capsys):
    assert batch_main(["--years", "2031", "--tidy", str(tidy_dir), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no report for 2031" in err and "2023" in err and "Traceback" not in err
    assert not any(tmp_path.iterdir()), "nothing may be written for a year with no data"


def test_parameters_are_recorded(batch_run):
    out, _ = batch_run
    nb = json.loads(page(out, "03_low_execution").with_suffix(".ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["papermill"]["parameters"]["year"] == 2023
