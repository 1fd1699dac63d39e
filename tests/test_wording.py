"""The wording layer: per-language templates that branch on the figures."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from helpers.story import wording
from helpers.story.wording import LANGS, say, sentences


@pytest.mark.parametrize(
    ("change", "zh", "en"), [(-889.32, "减少", "fell"), (437.37, "增加", "rose"), (0.0, "持平", "held steady")]
)
def test_change_word_follows_the_sign(change, zh, en):
    assert say("zh", "common", "change_word", change=change) == zh
    assert say("en", "common", "change_word", change=change) == en


def test_plurals_branch_on_the_count():
    assert say("en", "common", "count", n=1, noun="project") == "1 project"
    assert say("en", "common", "count", n=8, noun="project") == "8 projects"
    assert say("zh", "common", "count", n=8, noun="项目") == "8个项目"


def test_every_language_has_the_same_sentences():
    names = sentences("common")
    assert set(names) == set(LANGS)
    assert names["zh"] == names["en"] and "change_word" in names["zh"]


def test_unknown_language_and_sentence_are_clear_errors():
    with pytest.raises(ValueError, match="lang must be one of zh, en"):
        say("fr", "common", "change_word", change=1)
    with pytest.raises(KeyError, match="no sentence 'nope'"):
        say("en", "common", "nope")


def test_page_speaks_its_language(tidy_dir):
    from helpers.show.page import Page

    zh, en = Page(2023, "zh", str(tidy_dir)), Page(2023, "en", str(tidy_dir))
    assert zh.data.year == en.data.year == 2023
    # 18,100.64 → 17,211.32 万元 is a fall (line 10); the word follows the data, per language
    change = zh.data.value("total_expenditure") - zh.data.value("total_expenditure", 2022)
    assert zh.text("common", "change_word", change=change) == "减少"
    assert en.text("common", "change_word", change=change) == "fell"
    with pytest.raises(ValueError, match="lang must be one of"):
        Page(2023, "fr", str(tidy_dir))


TOPICS = sorted(p.stem for p in (Path(wording.TEMPLATES) / "en").glob("*.j2"))


@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_says_the_same_things_with_the_same_arguments_in_every_language(topic):
    names = sentences(topic)
    assert names["zh"] == names["en"], names["zh"] ^ names["en"]
    modules = {lang: wording._module(lang, topic) for lang in LANGS}
    for name in names["en"]:
        exported = {lang: getattr(module, name) for lang, module in modules.items()}
        if not all(isinstance(e, jinja2.runtime.Macro) for e in exported.values()):
            continue  # a table set in the template (e.g. labels), not a sentence
        arguments = {lang: e.arguments for lang, e in exported.items()}
        assert arguments["zh"] == arguments["en"], (topic, name, arguments)


def test_every_language_has_every_topic():
    for lang in LANGS:
        assert sorted(p.stem for p in (Path(wording.TEMPLATES) / lang).glob("*.j2")) == TOPICS
    assert {"common", "overview", "three_public", "low_execution", "summary", "trend"} <= set(TOPICS)


def test_english_layout_leaves_no_space_before_punctuation():
    from helpers.story.common import Change

    fell = Change("total_expenditure", 2023, 2022, 18100.64, 17211.32, -889.32, -0.049)
    assert say("en", "common", "by", ch=fell) + "." == "fell by 889.32 万元, or 4.9%."
    assert say("zh", "common", "by", ch=fell) == "减少889.32万元，下降4.9%"
    same = Change("overseas_travel", 2023, 2022, 0.0, 0.0)
    assert (say("en", "common", "by", ch=same), say("zh", "common", "by", ch=same)) == ("was unchanged", "持平")


def test_report_text_on_a_page_is_shown_literally(tidy_dir, monkeypatch):
    """A project name or reason holding markup is data: sentences, tables and alt text escape it."""
    import matplotlib.pyplot as plt
    import pandas as pd

    from helpers.show import page as page_module
    from helpers.show.page import Page

    shown = []
    monkeypatch.setattr(page_module, "display", lambda obj: shown.append(obj))
    page = Page(2023, "zh", str(tidy_dir))
    hostile = "<script>window.__pwned=1</script>[点此](javascript:alert(1))"
    page.say("low_execution", "unexplained", names=[hostile], rule=0.9, same=True)
    assert "<script>" not in shown[-1].data and "&lt;script&gt;" in shown[-1].data and "\\[点此\\]" in shown[-1].data
    html = page.table(pd.DataFrame({"project_name": [hostile]})).to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html
    page.chart(plt.figure(), "alt_fleet", total=hostile)
    assert "<script>" not in shown[-1].data and 'alt="条形图：年末公务用车&lt;script&gt;' in shown[-1].data


def test_a_line_is_cited_by_its_pdf_page_when_the_report_has_pages():
    from helpers.story import wording

    try:
        wording.use_pages({5952: 61, 40: 3, 44: 4})
        assert wording.say("zh", "common", "line", n=5952) == "第61页"
        assert wording.say("en", "audit", "lines_text", lines=[40, 44]) == "pages 3, 4"
        assert wording.say("en", "audit", "lines_text", lines=[40, 7]) == "lines 40, 7"  # one without a page
    finally:
        wording.use_pages({})
    assert wording.say("zh", "common", "line", n=5952) == "第5952行"
