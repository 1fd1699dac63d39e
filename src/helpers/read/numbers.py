"""Parse the report's number cells: amounts in 万元, rates in %, counts.

Each parser takes `what`, `path` and `line` so that a cell that is not a number fails with a
message naming the file, the line and the column that was expected to hold a number.
"""

from __future__ import annotations

import functools
import math
import re
from decimal import Decimal
from pathlib import Path

from helpers.errors import ReportError
from helpers.read.normalize import rules_table

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


@functools.cache
def amount_units() -> dict[str, Decimal]:
    """Units amounts are printed in (rules/amount_units.csv), each with its worth in 万元."""
    return {row["unit"]: Decimal(row["wan_yuan"]) for row in rules_table("amount_units")}


def in_wan_yuan(value: float, raw: str, unit: str) -> tuple[float, int]:
    """(value in 万元, its decimals in 万元) of an amount `raw` printed in `unit` (万元, 元, 亿元); `value` is
    `raw` as read, with the sign a change word gave it.

    Decimal arithmetic, so 172,113,200.00元 is exactly 17,211.32 万元 on every run; an amount already in
    万元 comes back unchanged."""
    factor = amount_units()[unit]
    if factor == 1:
        return value, _printed_decimals(raw)
    exact = Decimal(_clean(raw).replace(",", "")).copy_abs() * factor
    if value < 0:  # the sign a change word gave (减少8,893,200.00元)
        exact = -exact
    return float(exact), _printed_decimals(raw) - factor.adjusted()  # 元 with 2 decimals: 6 in 万元


def _printed_decimals(raw: str) -> int:
    return len(raw.split(".")[1]) if "." in raw else 0


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
