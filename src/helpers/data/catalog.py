"""What the tidy data holds, read without pandas: which units and years have a report, which reports have project
tables, and which reports contradict themselves.

The batch plans every page from these few columns before it knows whether any page must be made. Read with
pandas, they cost its import (half a second, most of an unchanged rebuild); read here with the csv module, an
unchanged rebuild imports no pandas at all. `helpers.data.load` builds its tables of the same rows from here, so
the notebooks and the batch read them one way (tested against the schema's own reader).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path


def reports(tidy_dir: Path) -> list[dict]:
    """reports.csv: one row per report (unit_id, unit_zh, report_year, report), by unit, then year, then report."""
    rows = {(r["unit_id"], r["report_year"], r["report"], r["unit_zh"]): r
            for r in _rows(tidy_dir, "reports", ("unit_id", "unit_zh", "report_year", "report"))}
    return [rows[key] for key in sorted(rows)]


def reports_with_project_tables(tidy_dir: Path) -> set[tuple[str, int]]:
    """(unit_id, report_year) of every report with project self-evaluation tables (rows in projects.csv)."""
    return {(r["unit_id"], r["report_year"]) for r in _rows(tidy_dir, "projects", ("unit_id", "report_year"))}


def audit_errors(tidy_dir: Path) -> list[dict]:
    """The contradictions (audit findings of severity "error") of every report: unit_id, report_year, cause, in the
    order of audit_findings.csv."""
    return [{k: r[k] for k in ("unit_id", "report_year", "cause")}
            for r in _rows(tidy_dir, "audit_findings", ("unit_id", "report_year", "cause", "severity"))
            if r["severity"] == "error"]


def english_names(names_dir: Path, kind: str) -> dict[str, str]:
    """Chinese -> English names from `names_dir`/<kind>.csv (name_zh, name_en columns); none when there is no file."""
    path = Path(names_dir) / f"{kind}.csv"
    if not path.exists():
        return {}
    return {r["name_zh"]: r["name_en"] for r in _rows(path.parent, kind, ("name_zh", "name_en"))}


def _rows(tidy_dir: Path, name: str, columns: tuple[str, ...]) -> Iterator[dict]:
    """The `columns` of every row of tidy table `name`, report_year as an int; a missing file or column, or a year
    that is not a whole number, is an error naming the file (and the line)."""
    path = Path(tidy_dir) / f"{name}.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: build the tidy data first with `make data`")
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        missing = [c for c in columns if c not in header]
        if missing:
            raise ValueError(f"{path}: no column {', '.join(missing)} in its header (expected the tidy schema's "
                             f"columns; rebuild it with `make data`)")
        at = [header.index(c) for c in columns]
        for row in reader:
            if not row:  # a blank line, as pandas skips it
                continue
            if len(row) != len(header):
                raise ValueError(f"{path}, line {reader.line_num}: {len(row)} fields where the header has "
                                 f"{len(header)}")
            values = dict(zip(columns, (row[i] for i in at), strict=True))
            year = values.get("report_year")
            if year is not None:
                if not year.isdigit():
                    raise ValueError(f"{path}, line {reader.line_num}: report_year {year!r} is not a year")
                values["report_year"] = int(year)
            yield values
