"""Turn final-accounts reports into the tidy tables.

    python -m helpers.data.ingest --raw data/raw --out data/tidy     # every report under data/raw/<year>/
    python -m helpers.data.ingest REPORT [REPORT ...] --out DIR [--year YEAR]
    python -m helpers.data.ingest --raw data/raw --out data/tidy --executor dask [--scheduler ADDRESS]

Reads each report (.txt or .docx), writes facts.csv, functional_classification.csv, projects.csv,
project_funding.csv, indicators.csv, explanations.csv, glossary.csv, named_projects.csv, unconsumed_lines.csv,
restatements.csv, audit_findings.csv, audit_checks.csv and datapackage.json into DIR. Every row carries the
report that states it (`report`, the file name without extension, and `report_year`). The reports are read in
parallel, one job each, by processes of this machine or on a dask cluster (`helpers.executors`); the same
reports give the same bytes either way. On bad input (or an unreachable scheduler) it prints what is wrong and
where, exits with status 2, and leaves DIR untouched.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers.data import corpus
from helpers.data.audit import at_stake, audit_tables
from helpers.data.restatement import restatement_checks, restatements
from helpers.data.schema import frame, records, stamp, write_tables
from helpers.errors import ReportError
from helpers.executors import ExecutorUnavailable, LocalExecutor, add_arguments, from_arguments
from helpers.read.decode import REPORT_SUFFIXES, TABLE_TITLE, Report, read_report
from helpers.read.identity import unit_id, unit_name
from helpers.read.prose import extract_prose, section_of_lines
from helpers.read.tables import parse_tables


@dataclass
class Parsed:
    """Rows of every tidy table for one report."""

    year: int
    path: Path
    rows: dict[str, list[dict]]
    warnings: list[str] = field(default_factory=list)
    prose: list[str] | None = None  # the prose lines, normalised (line 1 first): the audit holds statements to figures

    @property
    def report(self) -> str:
        """The report's identity in the tidy tables: its file name without extension."""
        return self.path.stem

    @property
    def unit(self) -> str:
        """The publishing unit's id (helpers.read.identity.unit_id of the name the report prints)."""
        return unit_id(self.rows["reports"][0]["unit_zh"])


def parse_report(path: Path | str, year: int | None = None) -> Parsed:
    """Parse one report into rows for each tidy table. Raises ReportError on bad input."""
    report = read_report(path, year=year)
    prose = extract_prose(report)
    tables = parse_tables(report)  # none when the unit publishes its self-evaluations apart
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
        "reports": [unit_name(report)],
        "named_projects": prose.named_projects,
        "unconsumed_lines": prose.unconsumed + [u for t in tables for u in t.unconsumed],
        "source_locations": source_locations(report),
        "sections": report_sections(report, tables),
    }
    return Parsed(report.year, report.path, rows, list(report.warnings),
                  [report.text(i) for i in range(report.prose_end)])


def report_sections(report: Report, tables: list) -> list[dict]:
    """The report's prose sections (in the order their headings open them) and project tables, each with the
    lines it spans, so that a page can cite a line by the section or table a reader can find."""
    def last_text(first: int, end: int) -> int:  # the last non-blank line of lines first..end-1 (1-based)
        return next((i + 1 for i in range(end - 1, first - 1, -1) if report.lines[i].strip()), first)

    rows: list[dict] = []
    keys = section_of_lines(report)
    starts = [i for i, key in enumerate(keys) if key is not None and (i == 0 or keys[i - 1] != key)]
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else report.prose_end
        rows.append(dict(year=report.year, source_line=start + 1, last_line=last_text(start + 1, end),
                         kind="section", section=keys[start], project_code="", heading_zh=report.text(start).strip()))
    def title_row(line: int) -> int:  # the table's title row, the nearest at or above its first row
        above = range(line, report.prose_end, -1)
        return next((i for i in above if report.lines[i - 1].strip().startswith(TABLE_TITLE)), line)

    firsts = [title_row(t.project["source_line"]) for t in tables]
    for n, table in enumerate(tables):
        end = firsts[n + 1] - 1 if n + 1 < len(firsts) else report.tables_end
        first = firsts[n]
        rows.append(dict(year=report.year, source_line=first, last_line=last_text(first, end), kind="project_table",
                         section="", project_code=table.project["project_code"],
                         heading_zh=report.lines[first - 1].strip()))
    return rows


def source_locations(report: Report) -> list[dict]:
    """A PDF report's lines with the page and printed line they come from (none for text and Word files)."""
    rows = []
    for index, location in enumerate(report.locations):
        page, line = (int(part[1:]) for part in location.split(":"))
        rows.append(dict(year=report.year, source_line=index + 1, page=page, line_on_page=line, location=location))
    return rows


def build_tables(parsed: list[Parsed]) -> dict[str, pd.DataFrame]:
    """Combine the parsed reports into one DataFrame per tidy table, each row stamped with its unit and report.

    Each report is audited on its own rows only, so a unit's year does not depend on which other reports
    are present; figures two reports of one unit both state are lined up by the restatement check.
    """
    for p in parsed:
        same_year = [str(q.path) for q in parsed if q.year == p.year and q.unit == p.unit]
        if len(same_year) > 1:
            unit_zh = p.rows["reports"][0]["unit_zh"]
            raise ReportError(p.path, f"two reports of {unit_zh} ({p.unit}) are for {p.year}: "
                              f"{', '.join(same_year)}; expected one per unit and year",
                              hint="keep one report of each unit per data/raw/<year>/ folder (a .txt and a .docx "
                                   "of the same report count as two: keep one)")
        same_name = [str(q.path) for q in parsed if q.report == p.report]
        if len(same_name) > 1:
            raise ReportError(p.path, f"two reports share the name {p.report!r}: {', '.join(same_name)}; the file "
                              "name identifies the report in the tidy data", hint="rename one of them")
    names = list(parsed[0].rows) if parsed else []
    per_report: dict[str, list[pd.DataFrame]] = {name: [] for name in names + ["audit_findings", "audit_checks"]}
    for p in parsed:
        own = {name: frame(name, p.rows[name]) for name in names}
        own["audit_findings"], own["audit_checks"] = audit_tables(own, None if p.prose is None else {None: p.prose},
                                                                  framed=True)  # just made by frame()
        for name, df in own.items():
            per_report[name].append(stamp(df, p.unit, p.report, p.year))
    tables = {name: _combine(name, frames) for name, frames in per_report.items()}
    tables["restatements"] = restatements(tables["facts"])
    _append_restatement_checks(tables)
    return {name: tables[name] for name in names + ["restatements", "audit_findings", "audit_checks"]}


def _combine(name: str, frames: list[pd.DataFrame]) -> pd.DataFrame:
    if len(frames) == 1:  # one report: its frame is already typed and sorted (a round trip changes nothing)
        return frames[0]
    rows = [r for df in frames for r in records(df)]
    return frame(name, rows)


def _append_restatement_checks(tables: dict[str, pd.DataFrame]) -> None:
    """Add the restatement rows to the later report's audit checks (numbered after its own checks) and
    the ones that do not agree to its findings (after its own findings)."""
    extra = restatement_checks(tables["restatements"])
    if extra.empty:
        return
    checks, findings = tables["audit_checks"], tables["audit_findings"]
    last_check = checks.groupby("report")["check_no"].max()  # a report's file name is unique across units
    last_finding = findings.groupby("report")["finding_no"].max()
    extra["check_no"] = [int(last_check.get(r, 0)) + n for r, n in
                         zip(extra["report"], extra.groupby("report").cumcount() + 1, strict=True)]
    extra["status"] = extra["passed"].map({True: "passed", False: "failed"})
    extra["fingerprint"] = extra["report"].map(checks.drop_duplicates("report").set_index("report")["fingerprint"])
    failed = extra[~extra["passed"]].copy()
    failed["at_stake"] = at_stake(failed)
    failed["finding_no"] = [int(last_finding.get(r, 0)) + n for r, n in
                            zip(failed["report"], failed.groupby("report").cumcount() + 1, strict=True)]
    # each restatement is a cause of its own, numbered after the report's own causes (C1, C2 …)
    last_cause = findings.assign(_n=findings["cause"].str[1:].astype(int)).groupby("report")["_n"].max()
    failed["cause"] = ["C" + str(int(last_cause.get(r, 0)) + n) for r, n in
                       zip(failed["report"], failed.groupby("report").cumcount() + 1, strict=True)]
    tables["audit_checks"] = frame("audit_checks", records(checks) + records(extra))
    tables["audit_findings"] = frame("audit_findings", records(findings) + records(failed))


UNREAD_FORMATS = {".doc": "an old Word .doc", ".wps": "a WPS document"}


def discover(raw_dir: Path | str) -> list[Path]:
    """Every report under `raw_dir`/<year>/ (.txt, .docx or .pdf, any file name), sorted by path.

    Files whose names start with '.' or '~$' (editor locks and temporary copies) are left out.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise ReportError(raw_dir, "is not a folder; expected data/raw with one folder per year (data/raw/2023/…)")
    files = sorted(p for p in raw_dir.glob("*/*") if p.is_file() and not p.name.startswith((".", "~$")))
    found = [p for p in files if p.suffix.lower() in REPORT_SUFFIXES]
    for other in files:
        # A report saved in a format this reader does not take: say so rather than skip the year.
        if other.suffix.lower() in UNREAD_FORMATS and not any(p.parent == other.parent for p in found):
            raise ReportError(other, f"this is {UNREAD_FORMATS[other.suffix.lower()]}, which is not supported yet",
                              hint="open it and save it as .docx in the same folder, then run again")
    if not found:
        raise ReportError(raw_dir, "holds no report: expected <year>/<name>.txt or <year>/<name>.docx",
                          hint="put each report in the folder of its year, e.g. data/raw/2024/report.docx")
    return found


def folder_year_warnings(path: Path, parsed: Parsed) -> list[str]:
    """A warning when a report sits in the folder of another year than the one it states."""
    folder = path.parent.name
    if folder.isdigit() and len(folder) == 4 and int(folder) != parsed.year:
        return [f"{path}: the report states {parsed.year} but sits in the folder {folder}/; it is read as "
                f"{parsed.year}'s report"]
    return []


def check_output_folder(out_dir: Path) -> None:
    """Fail before any work when `out_dir` cannot become the folder of the tidy tables."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ReportError(out_dir, "is a file, not a folder; --out names the folder the tidy tables go into",
                          hint="pass a folder, e.g. --out data/tidy")
    parent = next((p for p in [out_dir, *out_dir.parents] if p.exists()), Path("."))
    if not parent.is_dir():
        raise ReportError(parent, f"is a file, so {out_dir} cannot be created", hint="pass another --out folder")
    # The tables are staged beside the output folder, then moved in: both must be writable.
    for folder in {parent, out_dir.parent if out_dir.parent.exists() else parent}:
        if not os.access(folder, os.W_OK | os.X_OK):
            raise ReportError(folder, f"is not writable, so {out_dir} cannot be written",
                              hint="choose an --out folder you can write to, or change the folder's permissions")
    if out_dir.is_dir() and not os.access(out_dir, os.W_OK | os.X_OK):
        raise ReportError(out_dir, "is not writable", hint="choose another --out folder or change its permissions")


def ingest(paths: list[Path | str], out_dir: Path | str, year: int | None = None,
           warnings: list[str] | None = None, executor=None) -> dict[str, pd.DataFrame]:
    """Parse every report in `paths` and write the tidy tables into `out_dir` (all or nothing).

    Warnings (a --year that disagrees with the stated year, a report in another year's folder) are
    appended to `warnings` when a list is given. Each report is parsed as one job of `executor`
    (`helpers.executors`; default: in this process); the tables are built and written here.
    """
    if year is not None and len(paths) > 1:
        raise ValueError("--year applies to a single report; pass one REPORT with it")
    out_dir = Path(out_dir)
    check_output_folder(out_dir)
    executor = executor or LocalExecutor(workers=1)
    # a cluster's workers start elsewhere: they get (and must see) the reports by their absolute paths
    reports = [Path(p).resolve() for p in paths] if executor.name == "dask" else list(paths)
    executor.check_paths(reports)
    parsed = executor.map(parse_report, reports, year)
    if warnings is not None:
        for path, p in zip(paths, parsed, strict=True):
            warnings.extend(p.warnings + ([] if year is not None else folder_year_warnings(Path(path), p)))
    tables = build_tables(parsed)
    write_tables(tables, out_dir)
    corpus.write_tables(tables, out_dir)  # the same rows as Parquet, one partition per report (out_dir/corpus/)
    return tables


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.data.ingest", description=__doc__.split("\n\n")[0])
    parser.add_argument("reports", nargs="*", type=Path, metavar="REPORT", help="report file(s): .txt or .docx")
    parser.add_argument("--raw", type=Path, metavar="DIR",
                        help="read every report under DIR/<year>/ (.txt and .docx), e.g. --raw data/raw")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder for the tidy tables")
    parser.add_argument("--year", type=int, help="report year, when the one stated in the report is wrong")
    parser.add_argument("--workers", type=int, help="reports read in parallel (default: number of cores)")
    add_arguments(parser)
    args = parser.parse_args(argv)
    warnings: list[str] = []
    try:
        if bool(args.reports) == bool(args.raw):
            raise ValueError("pass either REPORT file(s) or --raw DIR, not both and not neither")
        reports = args.reports or discover(args.raw)
        with from_arguments(args) as executor:
            tables = ingest(reports, args.out, year=args.year, warnings=warnings, executor=executor)
    except (ReportError, ValueError, ExecutorUnavailable) as exc:
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
        print(f"ingest failed: {exc}", file=sys.stderr)
        print(f"nothing was written to {args.out}", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    counts = ", ".join(f"{name} {len(df)}" for name, df in tables.items())
    print(f"wrote {args.out} from {len(reports)} report(s): {counts} rows")
    unconsumed = tables["unconsumed_lines"]
    if len(unconsumed):
        by_kind = unconsumed["kind"].value_counts().sort_index()
        print("lines not turned into data (see unconsumed_lines.csv): "
              + ", ".join(f"{kind} {n}" for kind, n in by_kind.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
