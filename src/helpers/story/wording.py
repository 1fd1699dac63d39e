"""Sentences in the reader's language, made from results by per-language Jinja2 templates.

Analysis code returns results (numbers, signs, tables, findings with their report lines); the
wording lives in `story/templates/<lang>/<topic>.j2`, one macro per sentence, and branches on
the figures it is given (rise or fall, one or many). The same topic file exists for every
language with the same macro names, so a third language is a third folder of templates.

    say("zh", "common", "change_word", change=-889.32)   # -> '减少'
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import jinja2

from helpers.constants import LANGUAGES
from helpers.data.load import gloss
from helpers.files import compiled_templates
from helpers.story import citations, fmt

TEMPLATES = Path(__file__).resolve().parent / "templates"

# how a line break inside a template reads in each language of helpers.constants.LANGUAGES (a test checks that
# every language has one)
_LINE_BREAKS = {"zh": (re.compile(r"\s*\n\s*"), ""), "en": (re.compile(r"\s+"), " ")}
# a line break before closing punctuation is layout too: "−4.9%\n." reads "−4.9%."
_SPACE_BEFORE_PUNCTUATION = re.compile(r" +([.,;:!?)])")


def check_lang(lang: str) -> str:
    """Return `lang` if it is a language with templates, else raise ValueError naming the choices."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}; got {lang!r}")
    return lang


# Where a cited line was printed, for a report read from a PDF: {line: page}. Set once per page (a kernel
# makes one page) by `use_pages`; empty, citations name lines of the report's text.
_PAGES: dict[int, int] = {}


def use_pages(pages: dict[int, int]) -> None:
    """Cite lines of the report by the PDF page they were printed on (an empty mapping: by line)."""
    _PAGES.clear()
    _PAGES.update(pages)


def page_of(line) -> int | None:
    """The PDF page a line of the report was printed on, or None (a text or Word report, or an unknown line)."""
    try:
        return _PAGES.get(int(line))
    except (TypeError, ValueError):
        return None


def pages_of(lines) -> list[int]:
    """The PDF pages of `lines`, sorted, once each; empty unless every one of them has a page."""
    pages = [page_of(line) for line in lines]
    return sorted(set(pages)) if pages and None not in pages else []


# The sections and tables of the page's report (citations.Span), set once per page by `use_citations`: a cited
# line is named by the one it sits in. Empty, citations name lines (or pages).
_SPANS: list[citations.Span] = []


def use_citations(spans: list[citations.Span]) -> None:
    """Cite lines of the report by the section or project table they sit in (an empty list: by line)."""
    _SPANS[:] = spans


def cite(lang: str, lines, last=None) -> str:
    """A citation of report `lines` (one line or several; with `last`, the lines from `lines` to `last`) in `lang`:
    see helpers.story.citations."""
    if last is not None:
        return citations.cite_range(lang, _SPANS, int(lines), int(last), pages_of)
    lines = [lines] if isinstance(lines, (int, str)) else list(lines)
    return citations.cite(lang, _SPANS, lines, pages_of)


def cite_as(lang: str, text: str, lines) -> str:
    """`text` (words the sentence says anyway, e.g. the table's name) as the citation of report `lines`."""
    lines = [lines] if isinstance(lines, (int, str)) else list(lines)
    return citations.cite_as(lang, _SPANS, text, lines, pages_of)


@functools.cache
def environment() -> jinja2.Environment:
    """The template environment: undefined names are errors, never an empty string."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined,
                             trim_blocks=False, lstrip_blocks=True, autoescape=False, keep_trailing_newline=False,
                             bytecode_cache=compiled_templates("wording"))
    env.filters.update(amount=fmt.amount, pct=fmt.pct, rate=fmt.rate, printed_pct=fmt.pct_as_printed,
                       signed_pct=fmt.signed_pct, signed_printed_pct=fmt.signed_pct_as_printed,
                       count=lambda n: f"{int(n):,}", gloss=gloss)
    env.globals.update(page_of=page_of, pages_of=pages_of, cite=cite, cite_as=cite_as)
    return env


@functools.cache
def _module(lang: str, topic: str):
    return environment().get_template(f"{check_lang(lang)}/{topic}.j2").make_module({"lang": lang})


def warm() -> None:
    """Compile every topic of every language now (the batch's kernel template process does this once,
    so that each page's kernel starts with its wording compiled)."""
    for lang in LANGUAGES:
        for path in sorted((TEMPLATES / lang).glob("*.j2")):
            _module(lang, path.stem)


def say(lang: str, topic: str, sentence: str, **values) -> str:
    """Render macro `sentence` of templates/<lang>/<topic>.j2 with `values` into one line of text.

    Line breaks and indentation inside a template are layout, not text: in Chinese they vanish,
    in English they become one space.
    """
    macro = getattr(_module(lang, topic), sentence, None)
    if macro is None:
        raise KeyError(f"no sentence {sentence!r} in {TEMPLATES / lang / (topic + '.j2')}")
    pattern, joiner = _LINE_BREAKS[lang]
    text = pattern.sub(joiner, str(macro(**values))).strip()
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text) if lang != "zh" else text


def say_each(lang: str, topic: str, sentence: str, rows: list[dict]) -> list[str]:
    """`say` once per row, each row's fields as the macro's arguments (a list of bullets)."""
    return [say(lang, topic, sentence, **row) for row in rows]


def takes(lang: str, topic: str, sentence: str, argument: str) -> bool:
    """Whether macro `sentence` of templates/<lang>/<topic>.j2 has the argument `argument` (e.g. `unit`)."""
    macro = getattr(_module(lang, topic), sentence, None)
    return macro is not None and argument in macro.arguments


def sentences(topic: str) -> dict[str, set[str]]:
    """The macro names of `topic` in each language, for checking that every language says everything."""
    env = environment()
    return {lang: {name for name in dir(env.get_template(f"{lang}/{topic}.j2").module) if not name.startswith("_")}
            for lang in LANGUAGES}
