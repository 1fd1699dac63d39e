"""Print a report .docx to PDF the way a unit publishes it: its paragraphs and ruled tables rendered as
HTML (a merged cell spans its rows or columns, a table runs over pages with its header rows repeated,
a running header and page numbers on every page) and printed by headless Chromium (Debian's `chromium`,
driven by playwright; no browser download). The Chinese text uses Noto Sans CJK SC from mplfonts.
"""

from __future__ import annotations

import html
import os
import shutil
from pathlib import Path

import docx
import pytest

from helpers.paths import cjk_font_path
from helpers.read.docx import W, _is_merged_continuation, _paragraph_text

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
RUNNING_HEADER = "泸州市公安局交通警察支队2023年度单位决算公开"
STYLE = """
@page {{ size: A4; margin: 22mm 20mm 20mm 20mm; }}
body {{ font-family: "Noto Sans CJK SC", "DejaVu Sans", sans-serif; font-size: 10.5pt; line-height: 1.5; margin: 0; }}
p {{ margin: 0; text-indent: 2em; white-space: pre-wrap; }}
table {{ border-collapse: separate; border-spacing: 0; width: 100%; table-layout: fixed; margin: 4pt 0;
         border-left: 0.75pt solid #000; }}
thead td {{ border-top: 0.75pt solid #000; }}  /* repeated on every page with the header rows */
td {{ border-right: 0.75pt solid #000; border-bottom: 0.75pt solid #000; padding: 1pt 3pt; vertical-align: top;
      white-space: pre-wrap; overflow-wrap: anywhere; line-height: 1.3; }}
td p {{ text-indent: 0; }}
td.merged-on {{ border-bottom: none; }}
tr {{ break-inside: avoid; }}  /* as Word: a row breaks over pages only when it is taller than a page */
{extra}
"""
# A header and footer on every page, as Word prints them. Chromium loads no web font there, so the font
# is made a system font for the browser only (FONTCONFIG_FILE naming mplfonts' folder).
HEADER = '<div style="font-family: \'Noto Sans CJK SC\'; font-size: 8pt; width: 100%; text-align: center;">{text}</div>'
FOOTER = '<div style="font-size: 8pt; width: 100%; text-align: center;">- <span class="pageNumber"></span> -</div>'


FONTS_CONF = """<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>{fonts}</dir>
<cachedir>{cache}</cachedir></fontconfig>"""
LATIN_ONLY_CONF = """<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{cache}</cachedir></fontconfig>"""


def chromium() -> str:
    """Debian's chromium, or a skip (a failure under CI, which installs it)."""
    if CHROMIUM is None:
        message = "Chromium is not installed: `apt-get install chromium` (Debian) to print the test PDFs"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


def _cell_html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


def _table_html(tbl, header_rows: int) -> str:
    """A w:tbl as an HTML table: gridSpan as colspan; a vertically merged cell, as Word prints it, as cells
    with no line between them, its text in the first (a page break then closes it like any cell)."""
    grid: list[list[tuple[int, int, object]]] = []  # per row: (column, span, tc)
    for tr in tbl.iterchildren(f"{W}tr"):
        column, cells = 0, []
        for tc in tr.iterchildren(f"{W}tc"):
            span = tc.find(f"{W}tcPr/{W}gridSpan")
            span = int(span.get(f"{W}val")) if span is not None else 1
            cells.append((column, span, tc))
            column += span
        grid.append(cells)
    rows_html = []
    for r, cells in enumerate(grid):
        out = []
        for column, span, tc in cells:
            below = grid[r + 1] if r + 1 < len(grid) else []
            merged_on = any(c == column and _is_merged_continuation(t) for c, _, t in below)
            paragraphs = [""] if _is_merged_continuation(tc) else \
                "\n".join(_paragraph_text(p) for p in tc.iterchildren(f"{W}p")).split("\n")
            attrs = (f' colspan="{span}"' if span > 1 else "") + (' class="merged-on"' if merged_on else "")
            out.append(f"<td{attrs}>{_cell_html(paragraphs)}</td>")
        rows_html.append("<tr>" + "".join(out) + "</tr>")
    head = "".join(rows_html[:header_rows])
    return f"<table><thead>{head}</thead><tbody>{''.join(rows_html[header_rows:])}</tbody></table>"


def docx_html(docx_path: Path, *, header_rows: int = 2, extra_css: str = "") -> str:
    """The report .docx as a printable HTML page."""
    body = docx.Document(str(docx_path)).element.body
    parts = []
    for child in body.iterchildren():
        if child.tag == f"{W}p":
            text = _paragraph_text(child)
            if text.strip():
                parts.append(f"<p>{html.escape(text)}</p>")
        elif child.tag == f"{W}tbl":
            parts.append(_table_html(child, header_rows))
    style = STYLE.format(extra=extra_css)
    return f'<html><head><meta charset="utf-8"><style>{style}</style></head><body>{"".join(parts)}</body></html>'


def print_pdf(page_html: str, out: Path, *, header: str = RUNNING_HEADER, cjk_font: bool = True) -> Path:
    """Print `page_html` to `out` with headless Chromium: A4, a running header and page numbers (none when
    `header` is empty). `cjk_font=False`: the browser sees no font but DejaVu (Chinese prints as empty boxes)."""
    from playwright.sync_api import sync_playwright

    source = out.with_suffix(".html")
    source.write_text(page_html, encoding="utf-8")
    fonts_conf = out.with_suffix(".fonts.conf")
    conf = FONTS_CONF if cjk_font else LATIN_ONLY_CONF
    fonts_conf.write_text(conf.format(fonts=Path(cjk_font_path()).parent, cache=out.parent / "fontcache"),
                          encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox", "--disable-gpu"],
                                    env={**os.environ, "FONTCONFIG_FILE": str(fonts_conf)})
        try:
            page = browser.new_page()
            page.goto(source.resolve().as_uri(), wait_until="load")
            page.evaluate("document.fonts.ready")
            page.pdf(path=str(out), prefer_css_page_size=True, display_header_footer=bool(header),
                     header_template=HEADER.format(text=html.escape(header)),
                     footer_template=FOOTER)
        finally:
            browser.close()
    return out
