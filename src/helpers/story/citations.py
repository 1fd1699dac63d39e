"""Citations a reader can follow: a line of the report named by the section or table it sits in.

A page says where a figure comes from as "绩效自评表：2023年办公场所维修改造项目" or "section on “three public”
(三公) spending", not "第5960行": the tidy table sections.csv gives each prose section and project table with the
lines it spans. The line (or, for a PDF report, the page) stays in the citation's tooltip. The words are in
rules/citations.csv, one column per language.

A citation inside a sentence is a token, `CITE_OPEN label CITE_TIP tooltip CITE_CLOSE` (private-use characters
no report prints): `helpers.show.display.safe` turns it into `<span class="cite" title="tooltip">label</span>`
once the sentence is escaped, and `plain` into "label (tooltip)" where no HTML is shown.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

RULES = Path(__file__).resolve().parent / "rules" / "citations.csv"
CITE_OPEN, CITE_TIP, CITE_CLOSE = "\ue000", "\ue001", "\ue002"
SHORT_HEADING = 4  # characters: a printed heading this short ("附件1") is named by the rules table instead
_TOKEN = re.compile(f"{CITE_OPEN}([^{CITE_TIP}]*){CITE_TIP}([^{CITE_CLOSE}]*){CITE_CLOSE}")


@functools.cache
def words() -> dict[str, dict[str, str]]:
    with open(RULES, encoding="utf-8", newline="") as handle:
        return {row["key"]: row for row in csv.DictReader(handle)}


def word(lang: str, key: str, **values) -> str:
    try:
        return words()[key][lang].format(**values)
    except KeyError as exc:
        raise KeyError(f"{RULES} has no {lang!r} words for {key!r}: add a row (or a column for the language)") from exc


@dataclass(frozen=True)
class Span:
    """A section or project table of the report and the lines it spans."""

    first: int
    last: int
    kind: str              # section | project_table
    section: str = ""      # the section key of read/rules/sections.csv
    heading_zh: str = ""   # the heading as printed
    name_zh: str = ""      # a table's project, as printed
    name_en: str = ""      # its English gloss (data/names/projects.csv), else empty

    def label(self, lang: str) -> str:
        if self.kind == "project_table":
            return word(lang, "project_table", name=self.name_en if lang != "zh" and self.name_en else self.name_zh)
        if lang == "zh":
            return self.printed()
        return word(lang, f"section_{self.section}") if f"section_{self.section}" in words() else self.heading_zh

    def printed(self) -> str:
        """The heading a reader looks for in the report, as printed (a table: its project's name), unless it is
        a bare word ("附件") that names nothing: then the section's name in rules/citations.csv."""
        if self.kind == "project_table":
            return self.name_zh
        known = f"section_{self.section}" in words()
        if len(self.heading_zh) > SHORT_HEADING or not known:
            return self.heading_zh
        return word("zh", f"section_{self.section}")


def spans(sections: pd.DataFrame, projects: pd.DataFrame, glosses: dict[str, str] | None = None) -> list[Span]:
    """The spans of one report from its rows of sections.csv, naming tables by projects.csv (and English glosses)."""
    names = dict(zip(projects["project_code"], projects["project_name"], strict=True))
    glosses = glosses or {}
    out = []
    for row in sections.itertuples(index=False):
        name = names.get(row.project_code, "") if row.kind == "project_table" else ""
        if row.kind == "project_table" and not name:
            raise ValueError(f"sections.csv: the table at line {row.source_line} is of project {row.project_code}, "
                             "which projects.csv does not have; rebuild the tidy data (make data)")
        out.append(Span(int(row.source_line), int(row.last_line), row.kind, row.section or "", row.heading_zh or "",
                        name, glosses.get(name, "")))
    return sorted(out, key=lambda s: s.first)


def span_of(all_spans: list[Span], line) -> Span | None:
    """The section or table `line` sits in, or None (a line outside every one, or not a line number)."""
    try:
        n = int(line)
    except (TypeError, ValueError):
        return None
    return next((s for s in all_spans if s.first <= n <= s.last), None)


def where(lang: str, lines: list, pages: list[int]) -> str:
    """"第5960行" / "lines 36, 40" / "page 61": the lines, or the PDF pages when every line has one."""
    sep = word(lang, "number_separator")
    if pages:
        return word(lang, "page" if len(pages) == 1 else "pages", n=sep.join(str(p) for p in pages))
    return word(lang, "line" if len(lines) == 1 else "lines", n=sep.join(str(n) for n in lines))


def cite(lang: str, all_spans: list[Span], lines: list, pages_of) -> str:
    """Citation tokens for `lines` (one per section or table, in report order, each with its lines in the
    tooltip); lines outside every section are cited by line (or page) as before."""
    groups: dict[Span | None, list] = {}
    for line in lines:
        groups.setdefault(span_of(all_spans, line), []).append(line)
    parts = []
    for span, own in groups.items():
        place = where(lang, own, pages_of(own))
        if span is None:
            parts.append(place)
        else:
            parts.append(_token(lang, span.label(lang), place, span))
    return word(lang, "citation_separator").join(parts)


def cite_range(lang: str, all_spans: list[Span], first: int, last: int, pages_of) -> str:
    """A citation of the lines `first` to `last` ("第40至51行" in the tooltip), by the section the first sits in."""
    pages = pages_of([first, last])
    place = (word(lang, "page" if pages[0] == pages[-1] else "page_range", n=pages[0], first=pages[0], last=pages[-1])
             if pages else word(lang, "line_range", first=first, last=last))
    span = span_of(all_spans, first)
    if span is None:
        return place
    return _token(lang, span.label(lang), place, span)


def cite_as(lang: str, all_spans: list[Span], text: str, lines: list, pages_of) -> str:
    """`text` as the citation of `lines`, for a sentence that already names the table or section ("X绩效自评表列明…"):
    the words are the link and the place is in the tooltip, so the name is not said twice. Lines outside every
    section, or no sections known: the text with the place beside it ("X绩效自评表（第300行）")."""
    span = span_of(all_spans, lines[0]) if lines else None
    place = where(lang, lines, pages_of(lines))
    if span is None or any(span_of(all_spans, line) != span for line in lines):
        return word(lang, "aside", text=text, where=place)
    return _token(lang, text, place, span)


def _token(lang: str, label: str, place: str, span: Span) -> str:
    """A citation token: `label` shown, the place (line or page) in the section or table `span` in the tooltip."""
    return CITE_OPEN + label + CITE_TIP + word(lang, "tooltip", where=place, heading=span.printed()) + CITE_CLOSE


def as_html(escaped: str) -> str:
    """Citation tokens in text already escaped (html.escape, quote=False) as
    <span class="cite" title="…">label</span>."""
    def span(match: re.Match) -> str:
        tooltip = match.group(2).replace('"', "&quot;")
        return f'<span class="cite" title="{tooltip}">{match.group(1)}</span>'

    return _TOKEN.sub(span, escaped)


def plain(text: str) -> str:
    """Citation tokens as "label (tooltip)", for text shown without HTML."""
    return _TOKEN.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)
