"""The notebooks as an analyst walks them in JupyterLab, and what the exported page keeps of them."""

from __future__ import annotations

import ast
import json
import re

import nbformat

from helpers.publish.batch import templates
from helpers.publish.export import ANALYST_TAG, reader_cells
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
    for lang in wording.LANGS:
        for path in sorted((wording.TEMPLATES / lang).glob("*.j2")):
            for name, arguments in macro.findall(path.read_text(encoding="utf-8")):
                names = {a.split("=")[0].strip() for a in arguments.split(",") if a.strip()}
                short += [(lang, path.stem, name, a) for a in names
                          if len(a) < 3 and a not in INTERNAL.get((path.stem, name), set())]
    assert short == []
