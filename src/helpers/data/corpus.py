"""The corpus store: the tidy tables of many reports as a Parquet dataset, one partition per report.

    <tidy>/corpus/<table>/unit_id=<id>/report_year=<year>/part-0.parquet

The CSV files and datapackage.json of the tidy folder stay the published, human-readable form; the corpus
beside them is a build product of the same rows (not committed: `make data` writes it), made for reading
many units and years at once with DuckDB (`read_year`: the comparison of every unit of one year).

- Per report: every report's rows of every table are one file each (empty tables too, so every partition has
  every table). Adding a report writes only its own partition; a file whose bytes would not change is not
  touched. One exception follows from the data: restatements are kept under the later report of a unit, so
  adding an *earlier* year of a unit also rewrites the restatements and audit tables of its later years.
- Deterministic: the same rows give byte-identical files (rows in the tidy tables' order, explicit column
  types, no pandas or Arrow schema metadata, pinned writer options; Parquet itself stores no time).
- In step with the CSV files: `manifest.json` records the SHA-256 of the CSV files the corpus was written
  with; reading a corpus whose CSV files have changed since is refused ("run make data"), never silently old.

Two ways in: `write_tables` after the ingest has written the CSV files (`make data`), or `write_report`, one
report at a time with nothing of the others held in memory, then `export_tidy` to write the CSV files from the
partitions (`python -m helpers.data.corpus REPORT … --tidy DIR`; `make bench-corpus` ingests this way).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import io
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from helpers.data.load import YEAR_TABLES, YearData, year_data
from helpers.data.schema import REPORT, TABLES, UNIT, cast, datapackage, frame, read_table, records, to_csv_bytes
from helpers.errors import ReportError
from helpers.files import atomic_file, atomic_write

FOLDER = "corpus"               # inside the tidy folder
MANIFEST = "manifest.json"
PART = "part-0.parquet"
# The tidy tables in the order the ingest writes them (datapackage.json lists them in this order).
TABLE_ORDER = ["facts", "functional_classification", "explanations", "projects", "project_funding", "indicators",
               "glossary", "reports", "named_projects", "unconsumed_lines", "source_locations", "sections",
               "restatements", "audit_findings", "audit_checks"]
# Writer options, fixed: another compression or page layout would give other bytes for the same rows.
WRITER = dict(compression="zstd", compression_level=3, version="2.6", data_page_version="1.0",
              use_dictionary=False, write_statistics=True, store_schema=False)
ARROW_TYPES = {"integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(), "string": pa.string()}
# The audit tables' rows a restatement adds (helpers.data.restatement.CHECK): dropped and made again when a
# unit's set of reports changes.
RESTATEMENT_CHECK = "restatement"


def corpus_dir(tidy_dir: Path | str) -> Path:
    return Path(tidy_dir) / FOLDER


def partition(corpus: Path, name: str, unit_id: str, report_year: int) -> Path:
    """The file of one report's rows of table `name`."""
    return Path(corpus) / name / f"{UNIT.name}={unit_id}" / f"report_year={int(report_year)}" / PART


def arrow_schema(name: str) -> pa.Schema:
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in TABLES[name]["columns"]])


def parquet_bytes(name: str, rows: pd.DataFrame) -> bytes:
    """The Parquet bytes of one partition of table `name`: the same rows give the same bytes."""
    table = pa.Table.from_pandas(rows, schema=arrow_schema(name), preserve_index=False).replace_schema_metadata(None)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, **WRITER)
    return buffer.getvalue()


def _write_if_changed(path: Path, payload: bytes) -> bool:
    if path.exists() and path.read_bytes() == payload:
        return False
    atomic_write(path, payload)
    return True


def write_partition(corpus: Path, unit_id: str, report_year: int, tables: dict[str, pd.DataFrame]) -> list[Path]:
    """Write one report's rows of each table in `tables`; returns the files whose bytes changed."""
    return [partition(corpus, name, unit_id, report_year) for name, rows in tables.items()
            if _write_if_changed(partition(corpus, name, unit_id, report_year), parquet_bytes(name, rows))]


def _split(tables: dict[str, pd.DataFrame], unit_id: str, report_year: int) -> dict[str, pd.DataFrame]:
    return {name: df[(df[UNIT.name] == unit_id) & (df["report_year"] == report_year)].reset_index(drop=True)
            for name, df in tables.items()}


def partitions_on_disk(corpus: Path) -> set[tuple[str, int]]:
    """(unit_id, report_year) of every partition of the reports table."""
    return {(unit.name.split("=", 1)[1], int(year.name.split("=", 1)[1]))
            for unit in (Path(corpus) / "reports").glob(f"{UNIT.name}=*") for year in unit.glob("report_year=*")}


def write_tables(tables: dict[str, pd.DataFrame], tidy_dir: Path | str) -> list[Path]:
    """The corpus of `tidy_dir` made to hold `tables` (as the ingest wrote them into the CSV files of `tidy_dir`):
    each report's partition written where its bytes change, partitions of reports no longer present removed,
    then the manifest. Returns the files written."""
    corpus = corpus_dir(tidy_dir)
    reports = tables["reports"]
    present = {(str(u), int(y)) for u, y in zip(reports[UNIT.name], reports["report_year"], strict=True)}
    written = []
    for unit_id, report_year in sorted(present):
        written += write_partition(corpus, unit_id, report_year, _split(tables, unit_id, report_year))
    for unit_id, report_year in partitions_on_disk(corpus) - present:
        for name in TABLES:
            folder = partition(corpus, name, unit_id, report_year).parent
            shutil.rmtree(folder, ignore_errors=True)
            if folder.parent.is_dir() and not any(folder.parent.iterdir()):
                folder.parent.rmdir()  # the unit's last report gone
    write_manifest(tidy_dir, list(tables))
    return written


RACY_S = 2.0  # a file changed this recently may change again within one tick of the file system's clock


def _sha256(path: Path) -> str:
    """The SHA-256 of a file, read in blocks (a CSV file of many reports is never in memory whole); once per
    process for a file whose inode, size and modification time have not changed (unless changed just now: a
    rewrite within one clock tick would keep its modification time)."""
    stat = path.stat()
    if time.time() - stat.st_mtime < RACY_S:
        return _file_sha256(str(path))
    return _cached_sha256(str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _file_sha256(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


@functools.lru_cache(maxsize=64)
def _cached_sha256(path: str, inode: int, size: int, mtime_ns: int) -> str:
    return _file_sha256(path)


def _tidy_digests(tidy_dir: Path, names: list[str]) -> dict[str, str]:
    return {f"{name}.csv": _sha256(Path(tidy_dir) / f"{name}.csv") for name in names}


def write_manifest(tidy_dir: Path | str, names: list[str]) -> None:
    manifest = {"tables": names, "csv_sha256": _tidy_digests(Path(tidy_dir), names)}
    _write_if_changed(corpus_dir(tidy_dir) / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode("utf-8"))


def check_current(tidy_dir: Path | str) -> None:
    """Refuse a corpus that is missing or was written with other CSV files than those in `tidy_dir` now."""
    path = corpus_dir(tidy_dir) / MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"{corpus_dir(tidy_dir)} holds no corpus: build it with `make data` (or "
                                f"`python -m helpers.data.corpus --tidy {tidy_dir}` from the CSV files there)")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    changed = [name for name, digest in manifest["csv_sha256"].items()
               if not (Path(tidy_dir) / name).exists() or _sha256(Path(tidy_dir) / name) != digest]
    if changed:
        raise ValueError(f"the corpus in {corpus_dir(tidy_dir)} was written with other tidy data than "
                         f"{', '.join(changed)} in {tidy_dir} now: rebuild it with `make data` (or `python -m "
                         f"helpers.data.corpus --tidy {tidy_dir}`)")


def is_current(tidy_dir: Path | str) -> bool:
    """Whether `tidy_dir` has a corpus written with its CSV files as they are now (see `check_current`)."""
    try:
        check_current(tidy_dir)
    except (FileNotFoundError, ValueError):
        return False
    return True


# Reading one report: its own files ----------------------------------------------------------------------------


def read_report(unit: str, year: int, tidy_dir: Path | str) -> YearData:
    """`unit`'s own report of `year` from its partition alone (one Parquet file per table, nothing of another
    unit or year read: memory does not grow with the corpus): the same YearData as helpers.data.load.load_year
    gives from the CSV files. helpers.data.load.load_year reads this way when the corpus is current."""
    check_current(tidy_dir)
    corpus = corpus_dir(tidy_dir)

    def of(name: str) -> pd.DataFrame:
        path = partition(corpus, name, unit, year)
        if not path.exists():
            raise FileNotFoundError(f"the corpus in {corpus} has no {name} of {unit} {year}: rebuild it with "
                                    f"`make data` (or `python -m helpers.data.corpus --tidy {tidy_dir}`)")
        return cast(pq.ParquetFile(path).read().to_pandas(), TABLES[name]["columns"])

    return year_data(int(year), Path(tidy_dir), unit, str(of("reports").iloc[0][REPORT.name]), of)


# Reading with DuckDB ------------------------------------------------------------------------------------------


def query(name: str, tidy_dir: Path | str, where: str = "", params: list | None = None,
          connection=None) -> pd.DataFrame:
    """Rows of table `name` from the corpus of `tidy_dir` (all, or those `where` selects: a DuckDB condition on
    its columns, e.g. "report_year = ?"; a condition on unit_id or report_year reads only those partitions), in
    the order of the tidy CSV file, typed as `read_table` types it."""
    columns = ", ".join(f'"{c.name}"' for c in TABLES[name]["columns"])
    files = str(corpus_dir(tidy_dir) / name / "*" / "*" / PART)
    con = connection or _connection()
    df = con.execute(
        f"SELECT {columns} FROM read_parquet(?, hive_partitioning = true, file_row_number = true, "
        f"hive_types = {{'{UNIT.name}': VARCHAR, 'report_year': BIGINT}}) "
        f"{'WHERE ' + where if where else ''} ORDER BY {UNIT.name}, report_year, file_row_number",
        [files, *(params or [])]).df()
    return cast(df, TABLES[name]["columns"])  # the types read_table gives the CSV file's columns


def read_year(year: int, tidy_dir: Path | str) -> list[YearData]:
    """Every unit's own report of `year`, one YearData each by unit id, read from the corpus in one query per
    table (only the partitions of `year`): the same YearData as helpers.data.load.load_year gives from the CSV
    files, unit by unit."""
    return _read(tidy_dir, "report_year = ?", [int(year)])


UNITS_PER_QUERY = 25  # iter_year: the units whose rows are in memory at once


def iter_year(year: int, tidy_dir: Path | str, units_per_query: int = UNITS_PER_QUERY) -> Iterator[YearData]:
    """What `read_year` gives, one YearData at a time, read `units_per_query` units at a time (one query per table
    over their partitions of `year`): a page over every unit keeps what it needs of each, never every unit's
    rows at once."""
    check_current(tidy_dir)
    ids = sorted(u for u, y in partitions_on_disk(corpus_dir(tidy_dir)) if y == int(year))
    for start in range(0, len(ids), units_per_query):
        chosen = ids[start:start + units_per_query]
        yield from _read(tidy_dir, f"report_year = ? AND {UNIT.name} IN ({', '.join('?' * len(chosen))})",
                         [int(year), *chosen])


def read_unit(unit: str, tidy_dir: Path | str) -> list[YearData]:
    """Every year's own report of `unit` (a unit id), one YearData each by year, read from the corpus in one
    query per table (only that unit's partitions): the same as helpers.data.load.load_year year by year."""
    return _read(tidy_dir, f"{UNIT.name} = ?", [unit])


_DATABASE: tuple[int, object] | None = None  # (process id, its DuckDB connection)


def _connection():
    """A cursor of this process's DuckDB connection: an in-memory database that holds nothing (every query reads
    the Parquet files; DuckDB caches no local file), made once per process, since a connection costs 20 ms and a
    cursor nothing. A forked process makes its own."""
    global _DATABASE
    import duckdb

    if _DATABASE is None or _DATABASE[0] != os.getpid():
        _DATABASE = (os.getpid(), duckdb.connect())
    return _DATABASE[1].cursor()


def _read(tidy_dir: Path | str, where: str, params: list) -> list[YearData]:
    check_current(tidy_dir)
    con = _connection()
    frames = {name: query(name, tidy_dir, where, params, con) for name in YEAR_TABLES}
    groups = {name: dict(tuple(df.groupby(REPORT.name, sort=False))) for name, df in frames.items()}

    def rows(report: str) -> Callable[[str], pd.DataFrame]:
        def of(name: str) -> pd.DataFrame:
            df = groups[name].get(report)
            return (frames[name].iloc[0:0] if df is None else df).reset_index(drop=True)
        return of

    reports = frames["reports"].drop_duplicates([UNIT.name, REPORT.name]).sort_values([UNIT.name, "report_year"])
    return [year_data(int(r.report_year), Path(tidy_dir), str(r.unit_id), str(r.report), rows(str(r.report)))
            for r in reports.itertuples(index=False)]


# One report at a time ----------------------------------------------------------------------------------------


def _partition_frame(name: str, path: Path) -> pd.DataFrame:
    """One partition's rows as the ingest builds them (helpers.data.schema.frame)."""
    return frame(name, records(pq.ParquetFile(path).read().to_pandas()))


def write_report(path: Path | str, tidy_dir: Path | str, year: int | None = None) -> list[Path]:
    """Read one report and write its partition into the corpus of `tidy_dir`; returns the files written.

    Only this report is parsed and held in memory, with the tables of the other years of its unit that
    restatements pair it with. The CSV files are not written (`export_tidy` writes them from the corpus).
    """
    from helpers.data.ingest import _append_restatement_checks, build_tables, parse_report
    from helpers.data.restatement import restatements

    parsed = parse_report(path, year=year)
    own = build_tables([parsed])
    corpus = corpus_dir(tidy_dir)
    _check_identity(corpus, parsed)
    others = sorted(y for u, y in partitions_on_disk(corpus) if u == parsed.unit and y != parsed.year)
    if not others:
        return write_partition(corpus, parsed.unit, parsed.year, own)
    # Restatements pair the reports of one unit; they and the audit rows they add are made again over all of them.
    unit = {name: [own[name]] for name in ("facts", "audit_checks", "audit_findings")}
    for other in others:
        for name in unit:
            df = _partition_frame(name, partition(corpus, name, parsed.unit, other))
            unit[name].append(df[df["check"] != RESTATEMENT_CHECK] if name != "facts" else df)
    tables = {name: frame(name, [r for df in dfs for r in records(df)]) for name, dfs in unit.items()}
    tables["restatements"] = restatements(tables["facts"])
    _append_restatement_checks(tables)
    written = write_partition(corpus, parsed.unit, parsed.year,
                              {**own, **_split(tables, parsed.unit, parsed.year)})
    for other in others:
        written += write_partition(corpus, parsed.unit, other,
                                   _split({n: tables[n] for n in ("restatements", "audit_checks", "audit_findings")},
                                          parsed.unit, other))
    return written


def _check_identity(corpus: Path, parsed) -> None:
    """One report per unit and year: a partition of the unit and year with another report is refused. (That no
    two reports share a file name across the corpus is checked by `export_tidy`, which reads every partition.)"""
    path = partition(corpus, "reports", parsed.unit, parsed.year)
    present = pq.ParquetFile(path).read().column(REPORT.name).to_pylist() if path.exists() else []
    if present and present != [parsed.report]:
        raise ReportError(parsed.path, f"the corpus holds another report of {parsed.unit} for {parsed.year}: "
                          f"{present[0]}; expected one per unit and year",
                          hint="keep one report of each unit and year (a .txt and a .docx of the same report count "
                               "as two: keep one)")


def export_tidy(tidy_dir: Path | str) -> list[Path]:
    """Write the CSV files and datapackage.json of `tidy_dir` from its corpus, one partition at a time into a
    file beside each (the same bytes as the ingest writes for the same reports; memory does not grow with the
    number of reports), then the manifest. Two reports that share a file name are refused."""
    tidy_dir = Path(tidy_dir)
    corpus = corpus_dir(tidy_dir)
    ordered = sorted(partitions_on_disk(corpus))
    _check_names(corpus, ordered)
    written = []
    for name in TABLE_ORDER:
        target = tidy_dir / f"{name}.csv"
        with atomic_file(target) as handle:
            handle.write(to_csv_bytes(frame(name, [])))
            for unit_id, report_year in ordered:
                rows = _partition_frame(name, partition(corpus, name, unit_id, report_year))
                handle.write(to_csv_bytes(rows).split(b"\n", 1)[1])
        written.append(target)
    package = json.dumps(datapackage(TABLE_ORDER), ensure_ascii=False, indent=2) + "\n"
    written.append(atomic_write(tidy_dir / "datapackage.json", package.encode("utf-8")))
    write_manifest(tidy_dir, TABLE_ORDER)
    return written


def _check_names(corpus: Path, ordered: list[tuple[str, int]]) -> None:
    seen: dict[str, tuple[str, int]] = {}
    for unit_id, report_year in ordered:
        for report in pq.ParquetFile(partition(corpus, "reports", unit_id, report_year)).read().column(
                REPORT.name).to_pylist():
            if report in seen:
                raise ReportError(partition(corpus, "reports", unit_id, report_year),
                                  f"two reports share the name {report!r} ({seen[report][0]} {seen[report][1]} and "
                                  f"{unit_id} {report_year}); the file name identifies the report in the tidy data",
                                  hint="rename one of them and write it again")
            seen[report] = (unit_id, report_year)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.data.corpus",
                                     description="Write reports into the corpus of a tidy folder one at a time, "
                                                 "then the CSV files from it (no REPORT: the corpus from the CSV "
                                                 "files already there).")
    parser.add_argument("reports", nargs="*", type=Path, metavar="REPORT")
    parser.add_argument("--tidy", required=True, type=Path, metavar="DIR", help="the tidy folder")
    args = parser.parse_args(argv)
    try:
        if args.reports:
            for report in args.reports:
                write_report(report, args.tidy)
            export_tidy(args.tidy)
        else:
            write_tables({name: read_table(name, args.tidy) for name in TABLE_ORDER}, args.tidy)
    except (ReportError, ValueError, FileNotFoundError) as exc:
        print(f"corpus failed: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {corpus_dir(args.tidy)}: {len(partitions_on_disk(corpus_dir(args.tidy)))} report(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

