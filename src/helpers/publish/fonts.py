"""The Chinese font every page carries: Noto Sans CJK SC cut down to the characters it shows.

Readers' browsers may have no Chinese font (or a different one); a page carries its own, as a data
URI, so it renders the same everywhere with nothing fetched. Only the characters used are kept,
which makes the font a few dozen kB instead of 16 MB.

HarfBuzz's subsetter (hb-subset, through uharfbuzz) cuts it: a page's font in a few milliseconds from
the full font. The cut is a function of the font and the characters only.
"""

from __future__ import annotations

import base64
import re
from functools import cache

from helpers.paths import cjk_font_path

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


def wide_chars(html: str, lang: str = "zh") -> set[str]:
    """The Chinese (and fullwidth) characters a page shows, outside tags, styles and data URIs.

    On an English page the curly quotes stay with the Latin font (the embedded font leads the stack).
    """
    text = re.sub(r"<(style|script)[^>]*>.*?</\1>|<[^>]+>|data:[^\"')]+", " ", html, flags=re.S)
    found = set(WIDE_CHARS.findall(text))
    return found - CURLY_QUOTES if lang == "en" else found


@cache
def _full_face():
    """The full font as HarfBuzz reads it (mapped from its file, not read whole): once per process."""
    import uharfbuzz as hb

    return hb.Face(hb.Blob.from_file_path(str(cjk_font_path())))


def cut(chars: set[str] | frozenset[str]) -> bytes:
    """Noto Sans CJK SC cut down to `chars`: no layout features, names or hints, outlines without subroutines."""
    import uharfbuzz as hb

    face = _full_face()
    wanted = hb.SubsetInput()
    for code in sorted(ord(c) for c in chars):
        wanted.unicode_set.add(code)
    wanted.sets(hb.SubsetInputSets.LAYOUT_FEATURE_TAG).clear()
    wanted.sets(hb.SubsetInputSets.NAME_ID).clear()
    wanted.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.DESUBROUTINIZE
    made = hb.subset(face, wanted)
    if made is None:
        raise RuntimeError(f"HarfBuzz could not cut the font down to {len(chars)} characters")
    return bytes(made.blob.data)


def cjk_font_css(chars: set[str]) -> str:
    """A <style> embedding Noto Sans CJK SC cut down to `chars` (empty when there are none)."""
    if not chars:
        return ""
    font = cut(chars)
    return FONT_CSS.format(family=FONT_FAMILY, data=base64.b64encode(font).decode("ascii"))


def with_font(html: str, font_css: str) -> str:
    """The page with the font <style> placed at the end of its <head>."""
    return html.replace("</head>", font_css + "</head>", 1)

