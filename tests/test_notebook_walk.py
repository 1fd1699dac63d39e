"""The notebooks as an analyst walks them in JupyterLab, and what the exported page keeps of them."""

from __future__ import annotations

import ast
import json
import re

import nbformat

from helpers import paths
from helpers.constants import LANGUAGES
from helpers.publish.export import ANALYST_TAG, reader_cells
from helpers.publish.plan import templates
from helpers.story import wording


def test_the_page_leaves_out_the_analysts_cells_and_keeps_the_narrated_steps():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("year = 2023", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("page = Page(year)"),
        nbformat.v4.new_markdown_cell("## How did total spending change?", metadata={"tags": [ANALYST_TAG]}),
        nbformat.v4.new_code_cell("totals.pivot(...)", metadata={"tags": [ANALYST_TAG]}),
        nbformat.v4.new_code_cell("page.say('overview', 'totals', totals=totals)"),
    ])
    reader_cells(notebook)
    assert [c.source for c in notebook.cells] == ["page = Page(year)", "page.say('overview', 'totals', totals=totals)"]
    assert notebook.cells[0].metadata["transient"] == {"remove_source": True}  # the setup's code is not shown


def _code_cells(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return [("".join(c["source"]), c.get("metadata", {}).get("tags", [])) for c in notebook["cells"]
            if c["cell_type"] == "code"]


def _page_calls(source: str):
    """The page.say / page.text / page.heading / page.bullets calls of a cell (IPython's trailing `;` dropped)."""
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("say", "text", "heading", "bullets")):
            yield node


def test_sentence_arguments_have_real_names_in_every_notebook():
    short = []
    for path in templates():
        for source, _ in _code_cells(path):
            for call in _page_calls(source):
                sentence = ast.unparse(call.args[1]) if len(call.args) > 1 else "?"
                short += [(path.stem, sentence, k.arg) for k in call.keywords if k.arg and len(k.arg) < 3]
    assert short == []  # le=, t=, ch=, tp=, r=, … before: low=, totals=, change=, three_public=, reason=


# Small helpers the templates call among themselves, positionally: a count and its noun, an amount, a line number,
# a name in both languages. Every sentence a notebook calls has arguments named for what they are.
INTERNAL = {("common", "count"): {"n"}, ("common", "wan"): {"x"}, ("common", "line"): {"n"},
            ("common", "name"): {"zh", "en"}}


def test_every_sentence_macro_names_its_arguments():
    macro = re.compile(r"\{%-?\s*macro (\w+)\(([^)]*)\)")
    short = []
    for lang in LANGUAGES:
        for path in sorted((wording.TEMPLATES / lang).glob("*.j2")):
            for name, arguments in macro.findall(path.read_text(encoding="utf-8")):
                names = {a.split("=")[0].strip() for a in arguments.split(",") if a.strip()}
                short += [(lang, path.stem, name, a) for a in names
                          if len(a) < 3 and a not in INTERNAL.get((path.stem, name), set())]
    assert short == []


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_every_step_has_its_question_as_a_markdown_heading_for_jupyterlabs_table_of_contents():
    for path in templates():
        cells = _cells(path)
        headings = ["".join(c["source"]).split("\n")[0] for c in cells if c["cell_type"] == "markdown"]
        # the notebook's title, then one question per step: JupyterLab's table of contents lists them
        assert headings[0].startswith("# ") and len(headings[0]) > 8, path.name
        questions = [h for h in headings[1:] if h.startswith("## ")]
        assert len(questions) == len(headings) - 1 and len(questions) >= 5, (path.name, headings)
        for before, cell in zip(cells, cells[1:], strict=False):
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and "page.heading(" in source and "level=1" not in source:
                # a step the page heads: the cell above is its question, for the analyst only
                assert before["cell_type"] == "markdown" and "".join(before["source"]).startswith("## "), (
                    path.name, source[:60])
                assert ANALYST_TAG in before["metadata"].get("tags", []), (path.name, source[:60])


def test_each_story_module_is_the_one_its_notebook_imports():
    story = paths.ROOT / "src" / "helpers" / "story"
    # shared by every page: common results, number formats, the wording and its citations of the report
    modules = {p.stem for p in story.glob("*.py")} - {"__init__", "common", "fmt", "wording", "citations"}
    topics = {}
    for path in templates():
        imported = set()
        for source, _ in _code_cells(path):
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.ImportFrom) and node.module == "helpers.story":
                    imported |= {alias.name for alias in node.names}
        topics[path.stem.split("_", 1)[1]] = imported
    # one topic, one home: 01_overview reads story/overview.py, … 08_compare story/compare.py; the summary reads the
    # modules of the pages it sums up
    assert modules == set(topics) - {"summary"}
    assert all(topic in imported for topic, imported in topics.items() if topic != "summary")
    assert {"overview", "three_public", "low_execution", "audit"} <= topics["summary"]
    assert "results" not in modules and "reliability" not in modules and "selfeval" not in modules


def test_the_summary_shows_its_three_charts():
    charts = [call for source, _ in _code_cells(next(p for p in templates() if p.stem == "04_summary"))
              for call in ast.walk(ast.parse(source))
              if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "chart"]
    assert [c.args[1].value for c in charts] == ["alt_totals", "alt_three_public_years", "alt_projects"]


def test_a_language_is_registered_in_one_place():
    """helpers.constants.LANGUAGES is the one list: the wording, the page labels and the batch's editions read it,
    and each language has a template folder and a line-break rule."""
    from helpers.publish import plan
    from helpers.show import page

    assert wording.LANGUAGES is LANGUAGES is plan.LANGUAGES is page.LANGUAGES
    assert set(wording._LINE_BREAKS) == set(LANGUAGES) == {p.name for p in wording.TEMPLATES.iterdir() if p.is_dir()}
    source = "\n".join(p.read_text(encoding="utf-8") for p in (paths.ROOT / "src").rglob("*.py"))
    assert not re.search(r"=\s*\(\s*\"zh\",\s*\"en\"\s*\)", source.replace("LANGUAGES = (\"zh\", \"en\")", ""))


def test_the_templates_readme_lists_every_template():
    readme = (wording.TEMPLATES / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `(\w+)\.j2` \|", readme, flags=re.M))
    for lang in LANGUAGES:
        assert {p.stem for p in (wording.TEMPLATES / lang).glob("*.j2")} == listed, lang
