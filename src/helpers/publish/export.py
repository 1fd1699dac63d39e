"""Export an executed notebook to a self-contained HTML page that opens offline.

Uses nbconvert's HTMLExporter with the project's `offline` template (lab look, no CDN scripts);
charts are PNGs embedded in the page as data URIs.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

TEMPLATES = Path(__file__).resolve().parent / "templates"
FONT_FAMILY = "Report CJK"
# Characters outside Latin and common punctuation: CJK ideographs, fullwidth forms, CJK punctuation.
WIDE_CHARS = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u201c\u201d\u2018\u2019]")
FONT_CSS = """<style type="text/css">
@font-face {{ font-family: "{family}"; src: url(data:font/otf;base64,{data}) format("opentype"); }}
:root {{
  --jp-ui-font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif, "{family}";
  --jp-content-font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif, "{family}";
  --jp-code-font-family: menlo, consolas, "DejaVu Sans Mono", monospace, "{family}";
}}
body, .report-banner {{ font-family: var(--jp-content-font-family); }}
</style>
"""


def wide_chars(html: str) -> set[str]:
    """The Chinese (and fullwidth) characters a page shows, outside tags, styles and data URIs."""
    text = re.sub(r"<(style|script)[^>]*>.*?</\1>|<[^>]+>|data:[^\"')]+", " ", html, flags=re.S)
    return set(WIDE_CHARS.findall(text))


def cjk_font_css(chars: set[str]) -> str:
    """A <style> embedding Noto Sans CJK SC cut down to `chars`.

    Readers' browsers may have no Chinese font (or a different one); the page carries its own,
    as a data URI, so it renders the same everywhere with nothing fetched. Only the characters
    used are kept, which makes the font a few dozen kB instead of 16 MB.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from helpers.show.charts import cjk_font_path

    chars = sorted(chars)
    if not chars:
        return ""
    options = subset.Options()
    options.layout_features, options.name_IDs, options.hinting, options.desubroutinize = [], [], False, True
    font = TTFont(str(cjk_font_path()), lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return FONT_CSS.format(family=FONT_FAMILY, data=base64.b64encode(buffer.getvalue()).decode("ascii"))


def html_exporter(hide_code: bool = False) -> HTMLExporter:
    """An HTMLExporter on the offline template; `hide_code` leaves out every input cell."""
    exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = hide_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    return exporter


def with_font(html: str, font_css: str) -> str:
    """The page with the font <style> placed at the end of its <head>."""
    return html.replace("</head>", font_css + "</head>", 1)


def to_html(notebook: nbformat.NotebookNode, *, title: str, source: str, parameters: dict,
            notice: str = "", hide_code: bool = False, embed_font: bool = True) -> str:
    """The HTML page of an executed notebook, with a banner giving title, data source and parameters.

    `embed_font=False` leaves the Chinese font out, for a caller that embeds one font shared by
    several pages (the batch's `publish`).
    """
    notebook = nbformat.from_dict(notebook)  # a copy: the metadata below is for the page only
    notebook.metadata["title"] = title
    notebook.metadata["report"] = {"title": title, "source": source, "notice": notice,
                                   "parameters": {k: str(v) for k, v in parameters.items()}}
    body, _ = html_exporter(hide_code).from_notebook_node(notebook)
    return with_font(body, cjk_font_css(wide_chars(body))) if embed_font else body
