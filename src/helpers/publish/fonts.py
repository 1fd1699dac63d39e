"""The Chinese font every page carries: Noto Sans CJK SC cut down to the characters it shows.

Readers' browsers may have no Chinese font (or a different one); a page carries its own, as a data
URI, so it renders the same everywhere with nothing fetched. Only the characters used are kept,
which makes the font a few dozen kB instead of 16 MB.

Cutting from the 16 MB font costs about a second a page, most of it reading glyphs the page never
uses. So the font is first cut once to the 7,102 wide characters of GB 2312 (every character of
ordinary simplified Chinese) and kept beside the installed packages; pages are then cut from that
(about a third of the time). A page with a character outside it is cut from the full font. Either
way the bytes are the same (tested): the cut is a function of the font and the characters only.

    python -m helpers.publish.fonts     # cut the GB 2312 font now (`make setup` does)
"""

from __future__ import annotations

import base64
import contextlib
import io
import re
import sys
from functools import cache
from pathlib import Path

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
def gb2312_chars() -> frozenset[str]:
    """The wide characters of GB 2312: 6,763 hanzi and the fullwidth forms and punctuation."""
    found = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                char = bytes([high, low]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            if WIDE_CHARS.fullmatch(char):
                found.add(char)
    return frozenset(found)


@cache
def full_font() -> bytes:
    return cjk_font_path().read_bytes()


def cut(font: bytes, chars: set[str] | frozenset[str], *, prepared: bool = False) -> bytes:
    """`font` cut down to `chars`: no layout features, names or hints, outlines without subroutines.

    The font's timestamp and bounding boxes are kept as shipped (recomputing the boxes draws every
    glyph), so the same font and characters give the same bytes, whichever font they were cut from.
    `prepared`: `font` is itself a cut (hints and subroutines already gone), so the passes that run
    every outline to remove them are skipped.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features, options.name_IDs = [], []
    options.hinting, options.desubroutinize = prepared, not prepared
    loaded = TTFont(io.BytesIO(font), lazy=True, recalcTimestamp=False, recalcBBoxes=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars))
    with _outlines_left_alone() if prepared and not _has_subroutines(loaded) else contextlib.nullcontext():
        subsetter.subset(loaded)
    buffer = io.BytesIO()
    loaded.save(buffer)
    return buffer.getvalue()


def _has_subroutines(font) -> bool:
    cff = font["CFF "].cff
    top = cff[cff.keys()[0]]
    privates = [fd.Private for fd in top.FDArray] if hasattr(top, "FDArray") else [top.Private]
    return bool(len(top.GlobalSubrs)) or any(getattr(p, "Subrs", None) for p in privates)


@contextlib.contextmanager
def _outlines_left_alone():
    """fontTools' subsetter without the two passes that run every kept outline: the search for accented
    glyphs built from two others (seac: Noto Sans CJK has none, tested on the whole GB 2312 cut) and the
    removal of unused subroutines (a prepared cut has none, checked). Running the outlines also makes the
    font be encoded again on save; left alone, they are copied as they are: the same bytes (tested), a
    page's font cut in a third of the time. Pages are cut one at a time in a process (no threads)."""
    from fontTools.cffLib import CFFFontSet
    from fontTools.ttLib import getTableClass

    cff_table = getTableClass("CFF ")
    closure, remove_unused = cff_table.closure_glyphs, CFFFontSet.remove_unused_subroutines
    cff_table.closure_glyphs = lambda self, subsetter: None
    CFFFontSet.remove_unused_subroutines = lambda self: None
    try:
        yield
    finally:
        cff_table.closure_glyphs, CFFFontSet.remove_unused_subroutines = closure, remove_unused


def base_font_path() -> Path:
    """Where the GB 2312 cut lives: in the environment, named by what it was cut from and with."""
    import fontTools

    source = cjk_font_path()
    return (Path(sys.prefix) / "share" / "luzhou-budget"
            / f"{source.stem}-gb2312-{source.stat().st_size}-fonttools{fontTools.version}.otf")


@cache
def base_font() -> bytes | None:
    """The GB 2312 cut, made on first use (under a lock: parallel workers make it once); None if
    the environment cannot hold it, in which case every page is cut from the full font."""
    from filelock import FileLock

    from helpers.files import atomic_write

    path = base_font_path()
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            with FileLock(str(path) + ".lock"):
                if not path.exists():
                    atomic_write(path, cut(full_font(), gb2312_chars()))
        return path.read_bytes()
    except OSError:
        return None


def cjk_font_css(chars: set[str]) -> str:
    """A <style> embedding Noto Sans CJK SC cut down to `chars` (empty when there are none)."""
    if not chars:
        return ""
    base = base_font() if chars <= gb2312_chars() else None
    font = cut(full_font(), chars) if base is None else cut(base, chars, prepared=True)
    return FONT_CSS.format(family=FONT_FAMILY, data=base64.b64encode(font).decode("ascii"))


def with_font(html: str, font_css: str) -> str:
    """The page with the font <style> placed at the end of its <head>."""
    return html.replace("</head>", font_css + "</head>", 1)


if __name__ == "__main__":
    print(f"{base_font_path()}: {'ready' if base_font() is not None else 'cannot be written; pages use the full font'}")
