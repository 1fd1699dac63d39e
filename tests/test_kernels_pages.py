"""What a page's kernel draws: every chart once (drawing is most of a page's own time)."""

from __future__ import annotations

import ast
import json

from helpers.publish.plan import templates

# The modules whose functions return a matplotlib figure for the notebook to show.
CHART_MODULES = {"charts", "audit_charts"}


def _draws_a_figure(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id in CHART_MODULES)


def test_no_cell_shows_its_chart_twice():
    """A cell ending in a bare chart call shows the figure as its result and again as the open figure the inline
    backend shows at the cell's end: the page had one chart twice, drawn twice. A trailing `;` (or page.chart,
    which closes the figure) shows it once."""
    twice = []
    for path in templates():
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"]).rstrip()
            if cell["cell_type"] != "code" or not source:
                continue
            last = ast.parse(source).body[-1]
            if isinstance(last, ast.Expr) and _draws_a_figure(last.value) and not source.endswith(";"):
                twice.append((path.name, source.splitlines()[-1][:60]))
    assert twice == []
