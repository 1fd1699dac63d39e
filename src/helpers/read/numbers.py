"""Parse the report's number cells: amounts in 万元, rates in %, counts.

Each parser takes `what`, `path` and `line` so that a cell that is not a number fails with a
message naming the file, the line and the column that was expected to hold a number.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from helpers.errors import ReportError

_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def _clean(text: str) -> str:
    return text.strip().replace("，", ",").replace("\u3000", "")


def to_number(text: str) -> float | None:
    """The number written in `text` ('2,879.25', '3.0 ', '95%'), or None when it is not one number."""
    cleaned = _clean(text).removesuffix("%")
    if not _NUMBER.match(cleaned):
        return None
    return float(cleaned.replace(",", ""))


def _fail(raw: str, what: str, path: Path | str, line: int | None, expected: str) -> ReportError:
    return ReportError(path, f"expected {expected} for {what}, found {raw.strip()!r}", line=line,
                       hint="correct the cell in the report text and run the ingest again")


def parse_amount(raw: str, *, what: str, path: Path | str = "<report>", line: int | None = None,
                 allow_blank: bool = False) -> float:
    """An amount in 万元 ('1,329.00' -> 1329.0). Blank gives NaN only when `allow_blank`."""
    if allow_blank and not raw.strip():
        return math.nan
    if raw.strip().endswith("%") or (value := to_number(raw)) is None:
        raise _fail(raw, what, path, line, "an amount in 万元 such as 1,329.00")
    return value


def parse_rate(raw: str, *, what: str, path: Path | str = "<report>", line: int | None = None,
               allow_blank: bool = False) -> float:
    """A percentage as a fraction ('88.98%' -> 0.8898)."""
    if allow_blank and not raw.strip():
        return math.nan
    value = to_number(raw)
    if value is None or not raw.strip().endswith("%"):
        raise _fail(raw, what, path, line, "a percentage such as 88.98%")
    return round(value / 100, 10)


def parse_count(raw: str, *, what: str, path: Path | str = "<report>", line: int | None = None) -> int:
    """A whole count ('112' -> 112)."""
    value = to_number(raw)
    if value is None or value != int(value) or raw.strip().endswith("%"):
        raise _fail(raw, what, path, line, "a whole number")
    return int(value)


def parse_score(raw: str, *, what: str, path: Path | str = "<report>", line: int | None = None) -> float:
    """A weight or score cell ('9.294', '3.0 '); blank gives NaN (the report leaves some unscored)."""
    if not raw.strip():
        return math.nan
    value = to_number(raw)
    if value is None or raw.strip().endswith("%"):
        raise _fail(raw, what, path, line, "a score such as 9.95")
    return value
