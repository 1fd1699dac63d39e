"""Measure the corpus at scale: N generated units x 2 years, ingested one report at a time, then pages.

    python -m helpers.publish.bench_corpus [--units 50] [--sample 2] [--sizes 50 200]
                                                                        (make bench-corpus [N=500] [SIZES="50 200"])

Each unit is the 2023 report under another name (泸州市基准测试单位<k>, so its id is the hashed fallback),
its totals moved by a few per cent (basic and project spending with them; seeded by the unit's number, so the
same N gives the same reports), and the same text with 2023年 read as 2024年 as its second year. For N/5, N/2
and N units (or the `--sizes` given), each in a fresh folder and a fresh process:

- ingest: `python -m helpers.data.corpus REPORT … --tidy DIR`: every report written into the corpus one at a
  time, then the CSV files from it (process start and imports included); reports/s and the peak memory;
- compare query: the comparison of every unit of 2023 read from the corpus with DuckDB
  (helpers.data.corpus.read_year) and the comparison table computed from it (story.compare.unit_table), in a
  process that has imported both already;
- pages: a sample, not every page: 04_summary and 01_overview of the first `sample` units' 2023 reports in
  both languages, and 08_compare of 2023 (every unit) in both, built cold by the batch with 1 and with 2
  workers (kernel template start included); pages/s and the batch's peak memory.

Each figure comes from one run on a shared machine: compare the rows of one table, not tables of two runs. Each
row gives the machine's load average (1 minute) when its size started and ended: the times depend on it, the
peak memory does not.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from helpers import paths
from helpers.publish.bench import PY, measure

SAMPLE_NOTEBOOKS = ("04_summary", "01_overview", "08_compare")
# The 2023 report's unit and the totals moved per generated unit (as printed, 万元).
UNIT_2023 = "泸州市公安局交通警察支队"
TOTAL, BASIC, PROJECT = "17,211.32", "8,396.90", "8,814.42"

_COMPARE = r"""
import json, sys, time
from helpers.data import corpus
from helpers.story import compare
tidy = sys.argv[1]
start = time.perf_counter(); data = corpus.read_year(2023, tidy); read = time.perf_counter() - start
start = time.perf_counter(); table = compare.unit_table(2023, tidy); whole = time.perf_counter() - start
print(json.dumps({"read_year_s": read, "unit_table_s": whole, "units": len(table)}))
"""


def _amount(value: float) -> str:
    return f"{value:,.2f}"


def unit_report(number: int, text_2023: str) -> str:
    """The 2023 report as generated unit `number`'s: its name, and totals moved by -10% to +10% (seeded)."""
    assert text_2023.count(UNIT_2023) >= 20 and TOTAL in text_2023 and BASIC in text_2023 and PROJECT in text_2023
    factor = 1 + random.Random(number).uniform(-0.10, 0.10)
    basic = round(8396.90 * factor, 2)
    total = round(17211.32 * factor, 2)
    text = text_2023.replace(UNIT_2023, f"泸州市基准测试单位{number}")
    return text.replace(TOTAL, _amount(total)).replace(BASIC, _amount(basic)).replace(PROJECT,
                                                                                      _amount(round(total - basic, 2)))


def generate(raw: Path, units: int) -> list[Path]:
    """`units` generated units' reports of 2023 and 2024 under raw/<year>/, 2023's first."""
    text = paths.raw_reports()[0].read_text(encoding="utf-8")
    written = []
    for year in (2023, 2024):
        (raw / str(year)).mkdir(parents=True, exist_ok=True)
        for number in range(1, units + 1):
            report = unit_report(number, text)
            path = raw / str(year) / f"unit_{number:04d}_{year}.txt"
            path.write_text(report if year == 2023 else report.replace("2023年", "2024年"), encoding="utf-8")
            written.append(path)
    return written


def sample_units(tidy: Path, count: int) -> list[str]:
    import pandas as pd

    reports = pd.read_csv(tidy / "reports.csv", dtype=str)
    return sorted(set(reports["unit_id"]))[:count]


def measure_size(units: int, sample: int, folder: Path) -> dict:
    """Every figure of one row of the table, for `units` units."""
    load_start = os.getloadavg()[0]
    reports = generate(folder / "raw", units)
    tidy = folder / "tidy"
    ingest = measure([PY, "-m", "helpers.data.corpus", *map(str, reports), "--tidy", str(tidy)])
    corpus_bytes = sum(p.stat().st_size for p in (tidy / "corpus").rglob("*.parquet"))
    query = json.loads(subprocess.run([PY, "-c", _COMPARE, str(tidy)], capture_output=True, text=True,
                                      check=True).stdout.strip().splitlines()[-1])
    templates = folder / "templates"
    templates.mkdir()
    for name in SAMPLE_NOTEBOOKS:
        shutil.copy(paths.NOTEBOOKS / f"{name}.ipynb", templates)
    chosen = sample_units(tidy, sample)
    row = {"units": units, "reports": len(reports), "ingest_s": ingest["seconds"],
           "reports_per_s": len(reports) / ingest["seconds"], "ingest_peak_mib": ingest["peak_mib"],
           "corpus_mib": corpus_bytes / 2**20, "read_year_s": query["read_year_s"],
           "unit_table_s": query["unit_table_s"], "compared_units": query["units"]}
    for workers in (1, 2):
        out = folder / f"reports_{workers}"
        run = measure([PY, "-m", "helpers.publish.batch", "--tidy", str(tidy), "--notebooks", str(templates),
                       "--out", str(out), "--years", "2023", "--units", *chosen, "--workers", str(workers),
                       "--no-progress"])
        pages = len([p for p in out.rglob("*.html") if p.name != "index.html"])
        row.update({"pages": pages, f"pages_per_s_{workers}": pages / run["seconds"],
                    f"batch_peak_mib_{workers}": run["peak_mib"]})
    row["load"] = f"{load_start:.1f}–{os.getloadavg()[0]:.1f}"
    return row


COLUMNS = [("units", "units", "{:d}"), ("reports", "reports", "{:d}"), ("ingest s", "ingest_s", "{:.1f}"),
           ("reports/s", "reports_per_s", "{:.2f}"), ("ingest peak MiB", "ingest_peak_mib", "{:.0f}"),
           ("corpus MiB", "corpus_mib", "{:.1f}"), ("read year s", "read_year_s", "{:.2f}"),
           ("compare table s", "unit_table_s", "{:.2f}"), ("sample pages", "pages", "{:d}"),
           ("pages/s 1 worker", "pages_per_s_1", "{:.2f}"), ("pages/s 2 workers", "pages_per_s_2", "{:.2f}"),
           ("batch peak MiB (2 workers)", "batch_peak_mib_2", "{:.0f}"), ("load avg", "load", "{}")]


def table(rows: list[dict]) -> str:
    """The rows as a Markdown table, one row per size."""
    lines = ["| " + " | ".join(title for title, _, _ in COLUMNS) + " |",
             "|" + "|".join("---:" for _ in COLUMNS) + "|"]
    lines += ["| " + " | ".join(form.format(row[key]) for _, key, form in COLUMNS) + " |" for row in rows]
    return "\n".join(lines)


def sizes(units: int) -> list[int]:
    """N/5, N/2 and N (at least 1 each, no size twice)."""
    return sorted({max(1, units // 5), max(1, units // 2), units})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.publish.bench_corpus",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=50, help="N: generated units, each with 2023 and 2024")
    parser.add_argument("--sample", type=int, default=2, help="units whose 2023 pages the page sample builds")
    parser.add_argument("--sizes", type=int, nargs="*", default=[], metavar="UNITS",
                        help="the numbers of units to measure (default: N/5, N/2 and N)")
    args = parser.parse_args(argv)
    if args.units < 1 or args.sample < 1 or any(size < 1 for size in args.sizes):
        print("bench-corpus: --units, --sample and --sizes must be at least 1", file=sys.stderr)
        return 2
    from helpers.publish.kernels import ensure_kernel

    ensure_kernel()
    rows = []
    for units in sorted(set(args.sizes)) or sizes(args.units):
        with tempfile.TemporaryDirectory(prefix=f"bench-corpus-{units}-") as tmp:
            rows.append(measure_size(units, min(args.sample, units), Path(tmp)))
        print(f"{units} units: {json.dumps(rows[-1])}", file=sys.stderr, flush=True)
    print(table(rows))
    print(f"\npages: a sample per size ({', '.join(SAMPLE_NOTEBOOKS[:2])} of {args.sample} unit(s) in 2023 and "
          f"{SAMPLE_NOTEBOOKS[2]} of 2023, each in zh and en), built cold; load avg: 1 minute, at the size's start "
          f"and end, on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
