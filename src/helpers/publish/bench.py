"""Benchmark the ingest and the batch against baselines run side by side on this machine.

    python -m helpers.publish.bench [--rounds 2]

The machine is shared and noisy, so every figure comes with a baseline measured in the same
run, rounds interleaved, and the targets are ratios:

- ingest: the 2023 report parsed and written, in-process (target: well under a second), against
  reading the same file and splitting it into lines;
- batch: `python -m helpers.publish.batch` for one year;
- naive: the same notebooks, sequentially, each through the `papermill` CLI then the
  `jupyter nbconvert --to html` CLI (target: the batch at least 3x faster);
- floor: as many notebooks that only import pandas and seaborn, run and exported by the batch
  (target: the batch within 1.5x of it).

Each pipeline runs in a fresh process; its peak memory is the largest resident set of it and
its children (kernels included).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from helpers import paths

PY = sys.executable
BIN = Path(sys.executable).parent

# Runs a command and prints its wall time and the peak RSS (MiB) of itself and its children.
_MEASURE = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) if len(sys.argv) > 1 else 0
seconds = time.perf_counter() - start
peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
print(json.dumps({"seconds": seconds, "peak_mib": peak / 1024, "code": code}))
"""


def measure(command: list[str]) -> dict:
    """Wall time and peak memory of `command`, run in a fresh process."""
    out = subprocess.run([PY, "-c", _MEASURE, *command], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["code"] != 0:
        raise RuntimeError(f"benchmark command failed ({result['code']}): {' '.join(command)}")
    return result


def naive_script(templates: list[Path], out_dir: Path, tidy_dir: Path) -> list[str]:
    """One shell command: papermill CLI then nbconvert CLI, notebook after notebook."""
    steps = []
    for template in templates:
        executed = out_dir / template.name
        steps.append(f"{BIN}/papermill --log-level ERROR --no-progress-bar -k luzhou-budget --cwd {paths.NOTEBOOKS} "
                     f"-p year 2023 -p tidy_dir {tidy_dir} {template} {executed}")
        steps.append(f"{BIN}/jupyter nbconvert --to html --log-level ERROR {executed}")
    return ["bash", "-c", " && ".join(steps)]


def floor_notebooks(folder: Path, count: int) -> Path:
    """`count` notebooks that only import pandas and seaborn, with the same parameters cell."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "luzhou-budget", "display_name": "Python (luzhou-budget)",
                                     "language": "python"}
        params = nbformat.v4.new_code_cell('year: int = 2023  # report year\ntidy_dir: str = ""  # tidy data')
        params.metadata["tags"] = ["parameters"]
        nb.cells = [params, nbformat.v4.new_code_cell("import pandas\nimport seaborn")]
        nbformat.write(nb, folder / f"{i:02d}_floor.ipynb")
    return folder


def ingest_timing(report: Path, repeats: int) -> dict:
    """Median in-process seconds of the ingest and of the read-and-split baseline."""
    from helpers.data.ingest import ingest

    def median_time(fn) -> float:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    with tempfile.TemporaryDirectory() as tmp:
        ingest([report], Path(tmp) / "warm")  # first call pays imports
        ingest_s = median_time(lambda: ingest([report], Path(tmp) / "tidy"))
    read_s = median_time(lambda: report.read_text(encoding="utf-8").split("\n"))
    return {"ingest_s": ingest_s, "read_s": read_s}


def run(rounds: int) -> dict:
    from helpers.publish.batch import ensure_kernel, templates

    ensure_kernel()
    report = paths.raw_reports()[0]
    found = templates()
    results: dict[str, list[dict]] = {"batch": [], "naive": [], "floor": []}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        tidy = tmp / "tidy"
        subprocess.run([PY, "-m", "helpers.data.ingest", str(report), "--out", str(tidy)], check=True,
                       capture_output=True)
        floor_dir = floor_notebooks(tmp / "floor_templates", len(found))
        for r in range(rounds):
            for name in ("floor", "batch", "naive"):  # interleaved, so drift hits all three alike
                out = tmp / f"{name}{r}"
                out.mkdir()
                if name == "batch":
                    command = [PY, "-m", "helpers.publish.batch", "--years", "2023", "--tidy", str(tidy), "--out", str(out),
                               "--no-progress"]
                elif name == "floor":
                    command = [PY, "-c", "import sys; from pathlib import Path; from helpers.publish.batch import run_batch; "
                               f"r = run_batch([2023], notebook_dir=Path({str(floor_dir)!r}), "
                               f"out_root=Path({str(out)!r}), tidy_dir=Path({str(tidy)!r}), progress=False); "
                               "sys.exit(1 if r.failures else 0)"]
                else:
                    command = naive_script(found, out, tidy)
                results[name].append(measure(command))
                print(f"  round {r + 1} {name:5s} {results[name][-1]['seconds']:6.1f} s", file=sys.stderr)
    timing = ingest_timing(report, repeats=15)
    best = {name: min(runs, key=lambda m: m["seconds"]) for name, runs in results.items()}
    return {"notebooks": len(found), "rounds": rounds, **timing, **{f"{k}_s": v["seconds"] for k, v in best.items()},
            **{f"{k}_peak_mib": max(m["peak_mib"] for m in results[k]) for k in results}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.publish.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds; the best of each is kept")
    args = parser.parse_args(argv)
    print(f"benchmark on {paths.raw_reports()[0].name}, {args.rounds} interleaved round(s)…", file=sys.stderr)
    r = run(args.rounds)
    speedup = r["naive_s"] / r["batch_s"]
    over_floor = r["batch_s"] / r["floor_s"]
    print(f"""
ingest (in-process, median)  {r['ingest_s'] * 1000:8.1f} ms   read+split baseline {r['read_s'] * 1000:.1f} ms   target < 1000 ms: {'met' if r['ingest_s'] < 1 else 'MISSED'}
batch, {r['notebooks']} notebooks         {r['batch_s']:8.1f} s    peak {r['batch_peak_mib']:6.0f} MiB
naive papermill+nbconvert CLI{r['naive_s']:8.1f} s    peak {r['naive_peak_mib']:6.0f} MiB
floor (import-only notebooks){r['floor_s']:8.1f} s    peak {r['floor_peak_mib']:6.0f} MiB

naive / batch = {speedup:.2f}x   (target >= 3x: {'met' if speedup >= 3 else 'MISSED'})
batch / floor = {over_floor:.2f}x   (target <= 1.5x: {'met' if over_floor <= 1.5 else 'MISSED'})
batch peak memory / floor = {r['batch_peak_mib'] / r['floor_peak_mib']:.2f}x""")
    return 0


if __name__ == "__main__":
    sys.exit(main())
