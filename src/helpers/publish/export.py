"""Export an executed notebook to a self-contained HTML page that opens offline.

Uses nbconvert's HTMLExporter with the project's `offline` template (lab look, no CDN scripts,
the page chrome of `helpers.publish.chrome`); charts are PNGs embedded as data URIs, and the page
carries the subset of Noto Sans CJK SC it needs (`helpers.publish.fonts`). Same notebook and chrome,
same bytes.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.publish.chrome import PageChrome, phrase
from helpers.publish.fonts import cjk_font_css, wide_chars, with_font

if TYPE_CHECKING:  # nbformat takes seconds to import; an up-to-date batch never needs it
    import nbformat

TEMPLATES = Path(__file__).resolve().parent / "templates"
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M)


@cache
def html_exporter(hide_code: bool = False, lang: str = "en"):
    """An HTMLExporter on the offline template; `hide_code` leaves out every input cell. One of each kind
    per process: its templates are compiled once, not once per page."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = hide_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    exporter.language_code = phrase(lang, "html_lang")
    return exporter


def describe_charts(notebook: nbformat.NotebookNode, lang: str) -> None:
    """Give every chart without alt text one named after the heading above it, in the page's language.

    A chart that sets its own (`display(..., metadata={"image/png": {"alt": ...}})`) keeps it.
    """
    heading = ""
    for cell in notebook.cells:
        sources = [cell.source] if cell.cell_type == "markdown" else []
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            sources += ["".join(data["text/markdown"])] if "text/markdown" in data else []
            if "image/png" in data:
                meta = output.setdefault("metadata", {}).setdefault("image/png", {})
                if not meta.get("alt"):
                    meta["alt"] = (phrase(lang, "chart_alt", heading=heading) if heading
                                   else phrase(lang, "chart_alt_untitled"))
            for text in sources:
                found = HEADING.findall(text)
                heading = found[-1].replace("*", "").replace("`", "") if found else heading
            sources = []
        for text in sources:
            found = HEADING.findall(text)
            heading = found[-1].replace("*", "").replace("`", "") if found else heading


RUN_TAGS = {"parameters", "injected-parameters"}  # papermill's: the defaults and the values of this run


def reader_cells(notebook: nbformat.NotebookNode) -> None:
    """Leave out what only the run needs: the parameters cells (the footer states the values in words), and
    the code of the setup cell that follows them (imports and `Page(...)`) with the title it shows, which
    the page's banner already carries (its intro stays)."""
    cells, setup_seen = [], False
    for cell in notebook.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell.cell_type == "code" and tags & RUN_TAGS:
            continue
        if cell.cell_type == "code" and not setup_seen:
            setup_seen = True
            cell.metadata["transient"] = {"remove_source": True}
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not "".join(o.get("data", {}).get("text/markdown", "")).startswith("# ")]
        cells.append(cell)
    notebook.cells = cells


def to_html(notebook: nbformat.NotebookNode, chrome: PageChrome, *, hide_code: bool = False,
            embed_font: bool = True, build_key: str = "") -> str:
    """The HTML page of an executed notebook inside its chrome (links, notice, about footer).

    `build_key` goes into <meta name="build-inputs">: the batch's hash of everything the page shows.
    """
    import nbformat

    notebook = nbformat.from_dict(notebook)  # a copy: the metadata below is for the page only
    reader_cells(notebook)
    describe_charts(notebook, chrome.lang)
    notebook.metadata["title"] = chrome.title
    # the build date is shown but is no part of the page's key (chrome.as_metadata): see chrome.build_date
    notebook.metadata["report"] = {**chrome.as_metadata(), "build_key": build_key, "built": chrome.built}
    body, _ = html_exporter(hide_code, chrome.lang).from_notebook_node(notebook)
    return with_font(body, cjk_font_css(wide_chars(body, chrome.lang))) if embed_font else body
