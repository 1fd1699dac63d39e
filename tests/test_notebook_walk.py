"""The notebooks as an analyst walks them in JupyterLab, and what the exported page keeps of them."""

from __future__ import annotations

import nbformat

from helpers.publish.export import ANALYST_TAG, reader_cells


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
