"""Export an executed notebook to a self-contained HTML page that opens offline.

Uses nbconvert's HTMLExporter with the project's `offline` template (lab look, no CDN scripts,
the page chrome of `helpers.publish.chrome`); charts are PNGs embedded as data URIs, and the page
carries the subset of Noto Sans CJK SC it needs (`helpers.publish.fonts`). Same notebook and chrome,
same bytes.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.files import compiled_templates
from helpers.publish.chrome import PageChrome, phrase
from helpers.publish.fonts import cjk_font_css, wide_chars, with_font

if TYPE_CHECKING:  # nbformat takes seconds to import; an up-to-date batch never needs it
    import nbformat

TEMPLATES = Path(__file__).resolve().parent / "templates"
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M)


# nbconvert's HTMLExporter ends by parsing the whole page (half a megabyte of charts and styles) with
# BeautifulSoup, only to give every image without one an alt text and to make the code and output areas
# focusable, then writes it out again: a third of a page's export. The page exporter does the same two
# things on the template's own markup instead (the same page, tested against nbconvert's).
FOCUSABLE = re.compile(r'<div class="(?:jp-Cell-inputWrapper|[^"<>]*\bjp-OutputArea-output\b[^"<>]*)"')
IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt=)")
NO_ALT = "No description has been provided for this image"  # nbconvert's words for an image without alt text


# nbconvert writes a heading's text as character references (&#36825;&#20123;… for 这些…); BeautifulSoup wrote
# them back as the characters. So does `finish_page`, outside styles and scripts (where a reference is text),
# except the characters that are markup: the font cut (`fonts.wide_chars`) and a search of the page see the text.
CHAR_REF = re.compile(r"&#(?:(\d+)|[xX]([0-9a-fA-F]+));")
RAW_TEXT = re.compile(r"(<(style|script)\b.*?</\2\s*>)", re.S | re.I)
MARKUP_CHARS = frozenset('<>&"\'')


def _character(match: re.Match) -> str:
    code = int(match.group(1)) if match.group(1) else int(match.group(2), 16)
    char = chr(code) if 0 < code < 0x110000 else ""
    return char if char.isprintable() and char not in MARKUP_CHARS else match.group(0)


def finish_page(html: str) -> str:
    """`html` as nbconvert's HTMLExporter finishes it: tabindex="0" on each code and output area, alt text on
    an image without one, and characters written as themselves."""
    html = FOCUSABLE.sub(lambda m: m.group(0) + ' tabindex="0"', IMG_WITHOUT_ALT.sub(f'<img alt="{NO_ALT}"', html))
    parts = RAW_TEXT.split(html)  # text, (raw element, its tag name), text, …
    return "".join(CHAR_REF.sub(_character, part) if i % 3 == 0 else part if i % 3 == 1 else ""
                   for i, part in enumerate(parts))


_HIGHLIGHTED: dict[tuple, str] = {}  # a process's highlighted code cells (see RememberingHighlight)


@cache
def page_exporter_class():
    """HTMLExporter whose page is finished by `finish_page`, not by a BeautifulSoup round trip."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class RememberingHighlight(Highlight2HTML):
        """nbconvert's code highlighting, each cell's answer kept for the next page that shows the same code (the
        other language's edition of a template, another year's): the same HTML, from Pygments once."""

        def __call__(self, source, language=None, metadata=None):
            key = (source, language or self.pygments_lexer, json.dumps(metadata or {}, sort_keys=True, default=str),
                   json.dumps(self.extra_formatter_options, sort_keys=True, default=str))
            if key not in _HIGHLIGHTED:
                _HIGHLIGHTED[key] = super().__call__(source, language, metadata)
            return _HIGHLIGHTED[key]

    class PageExporter(HTMLExporter):
        def _create_environment(self):
            environment = super()._create_environment()
            environment.bytecode_cache = compiled_templates("pages")
            return environment

        def from_notebook_node(self, nb, resources=None, **kw):
            # HTMLExporter.from_notebook_node up to its BeautifulSoup pass (nbconvert 7.17)
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", RememberingHighlight(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return finish_page(html), resources

    return PageExporter


@cache
def html_exporter(hide_code: bool = False, lang: str = "en"):
    """An HTMLExporter on the offline template; `hide_code` leaves out every input cell. One of each kind
    per process: its templates are compiled once, not once per page."""
    exporter = page_exporter_class()(template_name="offline", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = hide_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    # Not nbconvert's embed_images: it parses each inline HTML tag of a Markdown text on its own, which closes
    # an opening tag at once ('<span class="cite" title="…"></span>label', '<b></b>bold'). Charts are outputs,
    # embedded as data URIs either way; no Markdown of the notebooks refers to an image file.
    exporter.embed_images = False
    exporter.language_code = phrase(lang, "html_lang")
    return exporter


def warm(kinds: set[tuple[bool, str]]) -> None:
    """Do once what every page's export would do first (compile the exporter of each (hide_code, lang) in `kinds`,
    cut the CJK font once, which opens it in HarfBuzz), in a process about to fork the workers that export
    the pages: they inherit it."""
    import nbformat

    for hide_code, lang in sorted(kinds):
        html_exporter(hide_code, lang).from_notebook_node(nbformat.v4.new_notebook())
    cjk_font_css({"决"})


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
ANALYST_TAG = "analyst"  # a cell for the analyst in JupyterLab (the question as a markdown heading): not on the page


def reader_cells(notebook: nbformat.NotebookNode) -> None:
    """Leave out what only the run needs: the parameters cells (the footer states the values in words), the
    cells tagged `analyst` (the notebook's questions for JupyterLab; the page words its own headings), and
    the code of the setup cell that follows them (imports and `Page(...)`) with the title it shows, which
    the page's banner already carries (its intro stays)."""
    cells, setup_seen = [], False
    for cell in notebook.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if (cell.cell_type == "code" and tags & RUN_TAGS) or ANALYST_TAG in tags:
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
