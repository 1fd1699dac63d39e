"""The Chinese font a page carries: cut to its characters, small, and the same bytes for the same characters."""

from __future__ import annotations

import base64
import io
import re

from fontTools.ttLib import TTFont

from helpers.publish import fonts

PAGE = set("泸州市公安局交通警察支队决算“三公”经费，。（）：")


def characters(font: bytes) -> set[str]:
    return {chr(code) for code in TTFont(io.BytesIO(font)).getBestCmap()}


def test_a_page_font_holds_its_characters_and_nothing_else_in_kilobytes():
    font = fonts.cut(PAGE)
    assert characters(font) == PAGE
    assert len(font) < 60_000  # a page's font is kilobytes, not the 16 MB it was cut from
    assert fonts.cut(PAGE | set("的一是了")) != font and characters(fonts.cut(PAGE | set("的一是了"))) > PAGE


def test_the_same_characters_give_the_same_bytes_in_whatever_order():
    assert fonts.cut(PAGE) == fonts.cut(frozenset(sorted(PAGE, reverse=True))) == fonts.cut(set("".join(PAGE) * 3))


def test_a_cut_keeps_no_layout_features_names_hints_or_subroutines():
    font = TTFont(io.BytesIO(fonts.cut(PAGE)))
    assert [font[t].table.FeatureList.FeatureCount for t in ("GSUB", "GPOS")] == [0, 0]
    assert font["name"].names == []
    cff = font["CFF "].cff
    top = cff[cff.keys()[0]]
    privates = [fd.Private for fd in top.FDArray] if hasattr(top, "FDArray") else [top.Private]
    assert len(top.GlobalSubrs) == 0 and not any(getattr(p, "Subrs", None) for p in privates)
    assert not any(getattr(p, "BlueValues", None) for p in privates)  # hints: no alignment zones left


def test_a_character_outside_gb2312_is_cut_like_any_other():
    css = fonts.cjk_font_css({"體", "泸"})  # 體: traditional, not in GB 2312
    data = re.search(r"base64,([A-Za-z0-9+/=]+)\)", css).group(1)
    assert characters(base64.b64decode(data)) == {"體", "泸"}
    assert fonts.cjk_font_css(set()) == ""


def test_english_pages_keep_curly_quotes_in_the_latin_font():
    html = "<p>The “三公” spending; the report’s figure</p><style>p{content:'决'}</style>"
    assert fonts.wide_chars(html, "en") == {"三", "公"}
    assert fonts.wide_chars(html, "zh") == {"三", "公", "“", "”", "’"}
