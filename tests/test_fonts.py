"""The Chinese font a page carries: cut to its characters, the same bytes whichever way it was cut."""

from __future__ import annotations

import base64
import io
import re

import pytest
from fontTools.ttLib import TTFont

from helpers.publish import fonts

PAGE = set("泸州市公安局交通警察支队决算“三公”经费，。（）：")


def characters(font: bytes) -> set[str]:
    return {chr(code) for code in TTFont(io.BytesIO(font)).getBestCmap()}


def test_gb2312_is_the_6763_hanzi_of_ordinary_simplified_chinese_and_its_punctuation():
    chars = fonts.gb2312_chars()
    assert sum("\u4e00" <= c <= "\u9fff" for c in chars) == 6763
    assert set("泸州公安局交警支队决算“”，。（）：、％") <= chars
    assert not {"體", "臺", "a", "1"} & chars  # traditional forms and Latin are not in it


def test_a_page_cut_from_a_smaller_cut_is_byte_identical_to_one_cut_from_the_full_font():
    full = fonts.full_font()
    larger = fonts.cut(full, PAGE | set("的一是了我不人在他有这"))
    direct, through = fonts.cut(full, PAGE), fonts.cut(larger, PAGE)
    assert direct == through == fonts.cut(larger, PAGE, prepared=True)
    assert characters(direct) == PAGE
    assert len(direct) < 60_000  # a page's font is kilobytes, not the 16 MB it was cut from


def test_a_character_outside_gb2312_is_cut_from_the_full_font():
    css = fonts.cjk_font_css({"體", "泸"})
    data = re.search(r"base64,([A-Za-z0-9+/=]+)\)", css).group(1)
    assert characters(base64.b64decode(data)) == {"體", "泸"}


def test_english_pages_keep_curly_quotes_in_the_latin_font():
    html = "<p>The “三公” spending; the report’s figure</p><style>p{content:'决'}</style>"
    assert fonts.wide_chars(html, "en") == {"三", "公"}
    assert fonts.wide_chars(html, "zh") == {"三", "公", "“", "”", "’"}


def test_a_prepared_cut_leaves_fonttools_as_it_found_it():
    import fontTools.subset  # noqa: F401  (it adds the two passes to fontTools' classes: compare them, not a miss)
    from fontTools.cffLib import CFFFontSet
    from fontTools.ttLib import getTableClass

    before = getTableClass("CFF ").closure_glyphs, CFFFontSet.remove_unused_subroutines
    larger = fonts.cut(fonts.full_font(), PAGE | set("的一是了"))
    assert not fonts._has_subroutines(TTFont(io.BytesIO(larger)))
    fonts.cut(larger, PAGE, prepared=True)
    assert (getTableClass("CFF ").closure_glyphs, CFFFontSet.remove_unused_subroutines) == before


@pytest.mark.slow
def test_no_glyph_of_the_gb2312_cut_is_built_from_other_glyphs():
    """What lets a prepared cut skip the search for accented glyphs (seac): there are none to find."""
    from fontTools.subset.cff import _ClosureGlyphsT2Decompiler

    font = TTFont(io.BytesIO(fonts.base_font()))
    top = font["CFF "].cff[font["CFF "].cff.keys()[0]]
    components: set[str] = set()
    for name in font.getGlyphOrder():
        glyph = top.CharStrings[name]
        _ClosureGlyphsT2Decompiler(components, getattr(glyph.private, "Subrs", []), glyph.globalSubrs).execute(glyph)
    assert len(font.getGlyphOrder()) > 7000 and components == set()
