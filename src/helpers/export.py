"""Export an executed notebook to a self-contained HTML page that opens offline.

Uses nbconvert's HTMLExporter with the project's `offline` template (lab look, no CDN scripts);
charts are PNGs embedded in the page as data URIs.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

TEMPLATES = Path(__file__).resolve().parent / "templates"


def html_exporter(hide_code: bool = False) -> HTMLExporter:
    """An HTMLExporter on the offline template; `hide_code` leaves out every input cell."""
    exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = hide_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    return exporter


def to_html(notebook: nbformat.NotebookNode, *, title: str, source: str, parameters: dict,
            notice: str = "", hide_code: bool = False) -> str:
    """The HTML page of an executed notebook, with a banner giving title, data source and parameters."""
    notebook = nbformat.from_dict(notebook)  # a copy: the metadata below is for the page only
    notebook.metadata["title"] = title
    notebook.metadata["report"] = {"title": title, "source": source, "notice": notice,
                                   "parameters": {k: str(v) for k, v in parameters.items()}}
    body, _ = html_exporter(hide_code).from_notebook_node(notebook)
    return body
