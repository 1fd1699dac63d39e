"""Normalise report text once, before any rule looks at it.

Reports of the same template differ in typing: half- or full-width punctuation and digits, quote marks
(“三公” "三公" 「三公」), spaces around numbers. Every rule is written against one form: the template's
full-width Chinese punctuation, ASCII digits, ',' as thousands separator and '.' as decimal point, no
space between a number and its 万元 or %, no paragraph indent. The character table is rules/characters.csv.

Normalising keeps a map from each character back to the original text, so that text the tidy data
stores (reasons, names, definitions) is the report's own, not the normalised form.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

RULES = Path(__file__).resolve().parent / "rules"


def rules_table(name: str) -> list[dict[str, str]]:
    """The rows of rules/<name>.csv (UTF-8, a header line)."""
    with open(RULES / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@functools.cache
def _characters() -> dict[str, str]:
    return {row["from"]: row["to"] for row in rules_table("characters")}


# A full-width comma between a digit and three digits is a thousands separator (17，211.32).
THOUSANDS = re.compile(r"(?<=\d)，(?=\d{3}(?!\d))")
# Spaces with a digit on one side and a Chinese character, %, or punctuation on the other: 17,211.32 万元.
SPACE_BY_NUMBER = re.compile(
    r"(?<=[\d%])[ \t]+(?=[\u4e00-\u9fff%，。；：、）])|(?<=[\u4e00-\u9fff，：；（])[ \t]+(?=[-\d])"
)
# A paragraph indent (full-width 　　 as Word leaves it, or spaces and tabs): layout, not text.
INDENT = re.compile(r"^[ \t]+")
STRAIGHT_QUOTE = re.compile(r'"([^"]*)"')
STRAIGHT_SINGLE = re.compile(r"'([\u4e00-\u9fff][^']*)'")


@dataclass(frozen=True)
class Normalized:
    """Normalised text, and for each of its characters the index of the original character."""

    text: str
    origin: tuple[int, ...]
    raw: str

    def raw_span(self, start: int, end: int) -> str:
        """The original text behind text[start:end]."""
        if end <= start:
            return ""
        return self.raw[self.origin[start]: self.origin[end - 1] + 1]


def _substitute(chars: list[str], pattern: re.Pattern[str], text: str, replace) -> None:
    """Apply a same-length substitution in place (one character for one)."""
    for match in pattern.finditer(text):
        for offset, char in enumerate(replace(match)):
            chars[match.start() + offset] = char


@functools.lru_cache(maxsize=1 << 16)
def normalize(raw: str) -> Normalized:
    """The normalised form of one line (or one cell) of a report.

    Memoised (the result is immutable): table cells repeat within a report, and lines across the
    reports of a batch or the variants of the tests."""
    table = _characters()
    chars = [table.get(c, c) for c in raw]
    text = "".join(chars)
    _substitute(chars, THOUSANDS, text, lambda m: ",")
    text = "".join(chars)
    _substitute(chars, STRAIGHT_QUOTE, text, lambda m: "“" + m.group(1) + "”")
    text = "".join(chars)
    _substitute(chars, STRAIGHT_SINGLE, text, lambda m: "“" + m.group(1) + "”")
    text = "".join(chars)
    keep = [True] * len(text)
    for match in [*INDENT.finditer(text), *SPACE_BY_NUMBER.finditer(text)]:
        for i in range(match.start(), match.end()):
            keep[i] = False
    origin = tuple(i for i in range(len(text)) if keep[i])
    return Normalized("".join(text[i] for i in origin), origin, raw)


def normalize_text(raw: str) -> str:
    return normalize(raw).text
