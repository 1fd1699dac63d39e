"""Who published the report: the unit's name as the report itself states it, and the unit's id.

Pages name the unit in their titles and sentences; a report of another unit under the same template must
never be narrated under this project's first unit. The sentences that name a unit are a rules table
(rules/unit_name.csv); a report in which none of them matches stops the ingest with what was expected.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import re
from pathlib import Path

from helpers import paths
from helpers.errors import ReportError
from helpers.read.decode import Report
from helpers.read.normalize import rules_table

PATTERNS = [re.compile(row["pattern"]) for row in rules_table("unit_name")]


def unit_name(report: Report) -> dict:
    """The row of reports.csv for `report`: the unit's name (unit_zh) and the line that states it."""
    # The first line that names the unit, by any of the rules: the title or 机构设置 before the evaluation report.
    for index in range(report.prose_end):
        for pattern in PATTERNS:
            match = pattern.search(report.text(index))
            if match:
                return dict(year=report.year, unit_zh=match.group("unit"), source_line=index + 1)
    raise ReportError(report.path, "no sentence names the unit that publishes the report", section="第一部分 单位概况",
                      hint="expected e.g. 'XX属XX下属…单位' under 机构设置; if this unit words it differently, add "
                           "the sentence to src/helpers/read/rules/unit_name.csv")


# A unit id names folders (reports/<unit>/<year>/) and keys rows: lower-case ASCII letters, digits and hyphens.
UNIT_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
FALLBACK_PREFIX = "unit-"


@functools.cache
def unit_ids(names_file: Path = paths.NAMES / "units.csv") -> dict[str, str]:
    """name_zh -> id from data/names/units.csv (column `id`; a blank id takes the fallback). A malformed or
    repeated id stops with the file and line: it would name a folder and key every row of that unit."""
    if not names_file.exists():
        return {}
    with open(names_file, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    ids: dict[str, str] = {}
    for line, row in enumerate(rows, start=2):
        given = (row.get("id") or "").strip()
        if not given:
            continue
        if not UNIT_ID.match(given) or given.startswith(FALLBACK_PREFIX):
            raise ReportError(names_file, f"unit id {given!r} is not usable", line=line,
                              hint="use lower-case letters, digits and hyphens (e.g. luzhou-traffic-police), not "
                                   f"starting with {FALLBACK_PREFIX!r} (kept for names without an id)")
        if given in ids.values():
            raise ReportError(names_file, f"unit id {given!r} is given to two units", line=line,
                              hint="give each unit its own id")
        ids[row["name_zh"]] = given
    return ids


def unit_id(name_zh: str) -> str:
    """The unit's id: its `id` in data/names/units.csv, else `unit-` and the first 10 hex digits of the SHA-1 of
    the name as printed (UTF-8). The fallback is the same on every machine and for every year of the unit, needs
    no transliteration, and changes only when the printed name does; set an id in units.csv for a readable one."""
    given = unit_ids().get(name_zh)
    if given:
        return given
    return FALLBACK_PREFIX + hashlib.sha1(name_zh.encode("utf-8")).hexdigest()[:10]
