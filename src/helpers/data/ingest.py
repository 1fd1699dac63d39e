"""Turn final-accounts report texts into the tidy tables.

    python -m helpers.data.ingest REPORT [REPORT ...] --out DIR [--year YEAR]

Reads each report, writes facts.csv, functional_classification.csv, projects.csv,
project_funding.csv, indicators.csv, explanations.csv, glossary.csv, unconsumed_lines.csv, audit_findings.csv,
audit_checks.csv and datapackage.json into DIR. On bad input it prints what is wrong and where, exits with status 2,
and leaves DIR untouched.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.data.audit import audit_tables
from helpers.errors import ReportError
from helpers.read.prose import extract_prose
from helpers.read.decode import read_report
from helpers.read.tables import parse_tables
from helpers.data.schema import frame, write_tables


@dataclass
class Parsed:
    """Rows of every tidy table for one report."""

    year: int
    path: Path
    rows: dict[str, list[dict]]


def parse_report(path: Path | str, year: int | None = None) -> Parsed:
    """Parse one report into rows for each tidy table. Raises ReportError on bad input."""
    report = read_report(path, year=year)
    prose = extract_prose(report)
    tables = parse_tables(report)
    if not tables:
        raise ReportError(report.path, "no project self-evaluation table could be read", section="第四部分 附件")
    indicators = []
    for table in tables:
        for number, row in enumerate(table.indicators, start=1):
            indicators.append({**row, "indicator_no": number})
    rows = {
        "facts": prose.facts,
        "functional_classification": prose.classes,
        "explanations": prose.explanations,
        "projects": [t.project for t in tables],
        "project_funding": [f for t in tables for f in t.funding],
        "indicators": indicators,
        "glossary": prose.glossary,
        "unconsumed_lines": prose.unconsumed + [u for t in tables for u in t.unconsumed],
    }
    return Parsed(report.year, report.path, rows)


def build_tables(parsed: list[Parsed]) -> dict[str, pd.DataFrame]:
    """Combine the parsed reports into one DataFrame per tidy table, plus the arithmetic audit."""
    years = [p.year for p in parsed]
    for p in parsed:
        if years.count(p.year) > 1:
            others = [str(q.path) for q in parsed if q.year == p.year]
            raise ReportError(p.path, f"two reports are for {p.year}: {', '.join(others)}; expected one per year",
                              hint="keep one report per data/raw/<year>/ folder")
    names = list(parsed[0].rows) if parsed else []
    tables = {name: frame(name, [r for p in parsed for r in p.rows[name]]) for name in names}
    tables["audit_findings"], tables["audit_checks"] = audit_tables(tables)
    return tables


def ingest(paths: list[Path | str], out_dir: Path | str, year: int | None = None) -> dict[str, pd.DataFrame]:
    """Parse every report in `paths` and write the tidy tables into `out_dir` (all or nothing)."""
    if year is not None and len(paths) > 1:
        raise ValueError("--year applies to a single report; pass one REPORT with it")
    parsed = [parse_report(p, year=year) for p in paths]
    tables = build_tables(parsed)
    write_tables(tables, Path(out_dir))
    return tables


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.data.ingest", description=__doc__.split("\n\n")[0])
    parser.add_argument("reports", nargs="+", type=Path, metavar="REPORT", help="report text file(s), UTF-8")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder for the tidy tables")
    parser.add_argument("--year", type=int, help="report year, when the one stated in the report is wrong")
    args = parser.parse_args(argv)
    try:
        tables = ingest(args.reports, args.out, year=args.year)
    except (ReportError, ValueError) as exc:
        print(f"ingest failed: {exc}", file=sys.stderr)
        print(f"nothing was written to {args.out}", file=sys.stderr)
        return 2
    counts = ", ".join(f"{name} {len(df)}" for name, df in tables.items())
    print(f"wrote {args.out}: {counts} rows")
    unconsumed = tables["unconsumed_lines"]
    if len(unconsumed):
        by_kind = unconsumed["kind"].value_counts().sort_index()
        print("lines not turned into data (see unconsumed_lines.csv): "
              + ", ".join(f"{kind} {n}" for kind, n in by_kind.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
