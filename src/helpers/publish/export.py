"""Export an executed notebook to a self-contained HTML page that opens offline.

Uses nbconvert's HTMLExporter with the project's `offline` template (lab look, no CDN scripts,
the page chrome of `helpers.publish.chrome`); charts are PNGs embedded as data URIs, and the page
carries the subset of Noto Sans CJK SC it needs. Same notebook and chrome, same bytes.
"""

from __future__ import annotations

import base64
import io
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.publish.chrome import PageChrome, phrase

if TYPE_CHECKING:  # nbformat takes seconds to import; an up-to-date batch never needs it
    import nbformat

TEMPLATES = Path(__file__).resolve().parent / "templates"
FONT_FAMILY = "Report CJK"
# Characters outside Latin and common punctuation: CJK ideographs, fullwidth forms, CJK punctuation.
WIDE_CHARS = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u201c\u201d\u2018\u2019]")
# Curly quotes take the CJK font's full-width glyphs on Chinese pages only; English keeps its own.
CURLY_QUOTES = set("\u201c\u201d\u2018\u2019")
# The embedded family leads every stack. Chromium lays out the first text of each style before a
# data-URI font has loaded and, with the family last, keeps the fallback for it (boxes where no
# system CJK font exists: the first heading, the banner, the nav link). Leading with it is safe:
# the subset holds only the wide characters, so Latin text falls through to the fonts after it.
FONT_CSS = """<style type="text/css">
@font-face {{ font-family: "{family}"; src: url(data:font/otf;base64,{data}) format("opentype"); }}
:root {{
  --jp-ui-font-family: "{family}", system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  --jp-content-font-family: "{family}", system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  --jp-code-font-family: "{family}", menlo, consolas, "DejaVu Sans Mono", monospace;
}}
body, .report-banner {{ font-family: var(--jp-content-font-family); }}
</style>
"""
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def wide_chars(html: str, lang: str = "zh") -> set[str]:
    """The Chinese (and fullwidth) characters a page shows, outside tags, styles and data URIs.

    On an English page the curly quotes stay with the Latin font (the embedded font leads the stack).
    """
    text = re.sub(r"<(style|script)[^>]*>.*?</\1>|<[^>]+>|data:[^\"')]+", " ", html, flags=re.S)
    found = set(WIDE_CHARS.findall(text))
    return found - CURLY_QUOTES if lang == "en" else found


@cache
def _font_bytes() -> bytes:
    from helpers.show.charts import cjk_font_path

    return Path(cjk_font_path()).read_bytes()


def cjk_font_css(chars: set[str]) -> str:
    """A <style> embedding Noto Sans CJK SC cut down to `chars` (empty when there are none).

    Readers' browsers may have no Chinese font (or a different one); the page carries its own,
    as a data URI, so it renders the same everywhere with nothing fetched. Only the characters
    used are kept, which makes the font a few dozen kB instead of 16 MB. The font's timestamp is
    kept as shipped, so the same characters give the same bytes.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    chars = sorted(chars)
    if not chars:
        return ""
    options = subset.Options()
    options.layout_features, options.name_IDs, options.hinting, options.desubroutinize = [], [], False, True
    font = TTFont(io.BytesIO(_font_bytes()), lazy=True, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return FONT_CSS.format(family=FONT_FAMILY, data=base64.b64encode(buffer.getvalue()).decode("ascii"))


def html_exporter(hide_code: bool = False, lang: str = "en"):
    """An HTMLExporter on the offline template; `hide_code` leaves out every input cell."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = hide_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    exporter.language_code = phrase(lang, "html_lang")
    return exporter


def with_font(html: str, font_css: str) -> str:
    """The page with the font <style> placed at the end of its <head>."""
    return html.replace("</head>", font_css + "</head>", 1)


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


def to_html(notebook: nbformat.NotebookNode, chrome: PageChrome, *, hide_code: bool = False,
            embed_font: bool = True, build_key: str = "") -> str:
    """The HTML page of an executed notebook inside its chrome (links, notice, about footer).

    `build_key` goes into <meta name="build-inputs">: the batch's hash of everything the page shows.
    """
    import nbformat

    notebook = nbformat.from_dict(notebook)  # a copy: the metadata below is for the page only
    describe_charts(notebook, chrome.lang)
    notebook.metadata["title"] = chrome.title
    notebook.metadata["report"] = {**chrome.as_metadata(), "build_key": build_key}
    body, _ = html_exporter(hide_code, chrome.lang).from_notebook_node(notebook)
    return with_font(body, cjk_font_css(wide_chars(body, chrome.lang))) if embed_font else body
