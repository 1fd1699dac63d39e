"""The notebooks' parameters: the type and range each may take, and its name on a page, in each language.

One table (publish/rules/parameters.csv) serves the batch, which refuses a value out of range before any notebook
runs, and the page footer (publish.chrome), which states the values a page ran with in words. A threshold
of 80 is a percentage typed where a fraction is expected: the refusal says "did you mean 0.8?".
"""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

from helpers.constants import LANGUAGES

TABLE = Path(__file__).resolve().parent / "rules" / "parameters.csv"
UNIT_ID = re.compile(r"^$|^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
TYPES = {"int": int, "float": float, "str": str}


@functools.cache
def table() -> dict[str, dict]:
    """Each declared parameter's row (type, check, shown, zh, en), by name."""
    with open(TABLE, encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {row["name"]: row for row in rows}


def problem(name: str, value) -> str | None:
    """What is wrong with `value` for parameter `name` (None when it may take it, or is not declared here)."""
    row = table().get(name)
    if row is None or value is None:
        return None
    kind = TYPES[row["type"]]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        return f"{name} must be {row['type']}; got {value!r}"
    check = row["check"]
    if check == "fraction" and not 0 < value <= 1:
        hint = f" (did you mean {value / 100:g}?)" if 2 <= value <= 100 else ""  # a percentage typed
        return f"{name} is a share of budget between 0 and 1 (0.9 means 90%); got {value:g}{hint}"
    if check == "year" and not 1900 <= value <= 2999:
        return f"{name} must be a four-digit year; got {value}"
    if check == "lang" and value not in LANGUAGES:
        return f"{name} must be one of {', '.join(LANGUAGES)}; got {value!r}"
    if check == "unit" and not UNIT_ID.match(value):
        return f"{name} must be a unit id (lower-case letters, digits and hyphens, as in reports.csv); got {value!r}"
    return None
