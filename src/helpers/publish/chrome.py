"""The words and links around every page (navigation, notice, "about this page") in the page's language.

The words live in templates/chrome.csv, one row per phrase and one column per language: a third
language is one more column there (and one more entry in helpers.constants.LANGUAGES).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from helpers import paths
from helpers.constants import LANGUAGES

CHROME_TABLE = Path(__file__).resolve().parent / "templates" / "chrome.csv"


@cache
def _phrases() -> dict[str, dict[str, str]]:
    with open(CHROME_TABLE, encoding="utf-8", newline="") as handle:
        return {row["key"]: row for row in csv.DictReader(handle)}


def phrase(lang: str, key: str, **values) -> str:
    """The phrase `key` of chrome.csv in `lang`, with {placeholders} filled in from `values`."""
    try:
        template = _phrases()[key][lang]
    except KeyError as exc:
        raise KeyError(f"{CHROME_TABLE.name} has no {lang!r} text for {key!r}: add it to the table") from exc
    return template.format(**values)


def unit_label(tidy_dir: Path, lang: str, unit: str | None = None, year: int | None = None) -> str:
    """The unit `unit` (a unit id; None: every unit whose reports, of `year` if given, are in `tidy_dir`), as the
    reports name themselves (reports.csv); in English with the gloss of data/names/units.csv where one is known
    for exactly that name. Never a unit the data does not name: without reports.csv it is the table's neutral word for
    "the unit"."""
    from helpers.data.catalog import english_names, reports  # no pandas: an unchanged rebuild imports none

    names = []
    if (Path(tidy_dir) / "reports.csv").exists():
        names = sorted({r["unit_zh"] for r in reports(Path(tidy_dir))
                        if unit in (None, r["unit_id"]) and year in (None, r["report_year"])})
    if not names:
        return phrase(lang, "unit_unknown")
    glosses = english_names(paths.NAMES, "units")
    labels = [glosses[n] + f" ({n})" if lang != "zh" and glosses.get(n) else n for n in names]
    return phrase(lang, "list_separator").join(labels)


def build_date() -> str:
    """The date a page is built on, YYYY-MM-DD (UTC): SOURCE_DATE_EPOCH's when set (reproducible builds, the
    tests), else today's. Not part of any cache key: a page that is up to date keeps the date it was built on."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise ValueError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 (UTC); got {epoch!r}")
        return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%d")
    return datetime.now(UTC).strftime("%Y-%m-%d")


def share_name(unit: str, year) -> str:
    """The file `make share` writes for a unit's year (helpers.publish.share): luzhou-traffic-police-2023.zip."""
    return f"{unit}-{year}.zip"


@dataclass(frozen=True)
class Link:
    href: str
    text: str
    lang: str = ""


@dataclass(frozen=True)
class PageChrome:
    """Everything around one page's content: its title, language, links, notice and the about footer."""

    title: str
    lang: str
    index: Link
    previous: Link | None = None
    next: Link | None = None
    other_editions: tuple[Link, ...] = ()
    notice: tuple[str, str] = ("", "")  # the words before and after the link to the audit page
    notice_link: Link | None = None
    source: str = ""
    parameters: dict = field(default_factory=dict)
    version: str = ""
    inputs_hash: str = ""
    # the day the page was built (see build_date): shown in the footer, kept out of `as_metadata` and so of the
    # page's cache key, so that an unchanged rebuild on another day rewrites nothing
    built: str = field(default_factory=build_date)

    def words(self) -> dict[str, str]:
        """The fixed phrases the page template shows, in the page's language."""
        keys = ["all_reports", "previous", "next", "about_page", "source", "parameters", "version", "inputs_hash",
                "html_lang", "show_code", "built", "full_set", "citations", "citations_text"]
        return {k: phrase(self.lang, k) for k in keys}

    def full_set(self) -> str:
        """Where the rest of the page's set is, for a page opened on its own (an e-mail attachment): the index
        of the folder it came from and, for a unit's year, the zip `make share` writes."""
        unit, year = self.parameters.get("unit"), self.parameters.get("year")
        if unit and year:
            return phrase(self.lang, "full_set_zip", index=self.index.href, zip=share_name(unit, year))
        return phrase(self.lang, "full_set_text", index=self.index.href)

    def parameter_words(self) -> list[list[str]]:
        """[label, value in words, name, value] of each parameter the page ran with, in the page's language
        ('90%', 'English'); the name and value as the notebook has them go into a tooltip."""
        return [[*parameter_in_words(name, value, self.lang), name, str(value)]
                for name, value in self.parameters.items()]

    def as_metadata(self) -> dict:
        """A JSON-ready form for the nbconvert template (notebook metadata `report`)."""
        def link(item: Link | None) -> dict | None:
            return None if item is None else {"href": item.href, "text": item.text, "lang": item.lang}

        return {"title": self.title, "lang": self.lang, "index": link(self.index), "previous": link(self.previous),
                "next": link(self.next), "other_editions": [link(e) for e in self.other_editions],
                "notice": list(self.notice), "notice_link": link(self.notice_link), "source": self.source,
                "parameters": {k: str(v) for k, v in self.parameters.items()}, "version": self.version,
                "parameter_words": self.parameter_words(), "inputs_hash": self.inputs_hash, "words": self.words(),
                "full_set": self.full_set()}


def parameter_in_words(name: str, value, lang: str) -> tuple[str, str]:
    """(label, value) of notebook parameter `name` for a page in `lang`, from publish/rules/parameters.csv:
    ('执行率偏低的标准（低于预算的比例）', '90%'); a parameter not in the table shows as it is."""
    from helpers.publish.parameters import table

    row = table().get(name)
    if row is None:
        return name, str(value)
    label, shown = row[lang] or name, str(value)
    if row["shown"] == "percent":
        try:
            share = float(value)
        except ValueError:
            return label, shown
        return label, f"{share:.0%}" if round(share * 100, 6).is_integer() else f"{share:.1%}"
    if row["shown"] == "language" and shown in LANGUAGES:
        return label, phrase(shown, "language_name")
    return label, shown
