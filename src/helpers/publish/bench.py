"""Benchmark the batch against the floor, run side by side on this machine.

    python -m helpers.publish.bench [--rounds 2]

The machine is shared and noisy, so every figure comes with a baseline measured in the same run,
rounds interleaved, and the targets are ratios. The floor is the same batch running notebooks that
only import pandas and seaborn, one per template with the same parameters and scope, so it makes
the same number of pages, each in a fresh kernel: what any notebook cost (a kernel start, its imports,
papermill, an export) before kernels were forked from a template process. It is measured twice:

- the floor the targets were set against: each fresh kernel started and awaited as jupyter_client does by
  itself (BUDGET_FRESH_KERNELS=stock), as the floor was first measured;
- the fast floor: each fresh kernel started through this project's kernel client (BUDGET_FRESH_KERNELS=1), which
  knows a kernel is ready as soon as it says so, and sees it exit within milliseconds. That client came after
  the targets were set, and makes every fresh kernel, the floor's too, about half a second cheaper; the ratio
  to it is printed beside the target's.

The batch itself runs as it ships (forked kernels), and once more with fresh kernels, whose
pages must be byte-identical.

- cold: every page for 2023 into an empty folder, against the floor's cold build (target: 0.6x);
- fresh: the same with a fresh kernel per page (the way the batch ran before; same bytes);
- own work: the code cells of the cold build's notebooks run in one IPython shell per core, with the imports paid
  once and no kernel, and their pages exported: the pages' own work alone, what a batch would take if kernels,
  papermill and isolation cost nothing (the batch can come close to it, not far below: it does the same work);
- unchanged: the same command again with nothing changed (target: under 1 s, every byte kept);
- 2 years x 2 languages: every page for 2023 and 2024 (the 2023 report restated as 2024) into an
  empty folder, against the floor for the same page count (target: 0.6x);
- PDF read: the 2023 report printed to PDF from its .docx (about 100 pages, by headless Chromium as the
  tests print it) read into its lines, in a fresh process (target: under 10 s). Skipped without chromium.

Each run is a fresh process; its peak memory is the largest resident set of it and its children.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from helpers import paths

PY = sys.executable
UNCHANGED_TARGET_S = 1.0
FLOOR_TARGET = 0.6
FRESH = {"BUDGET_FRESH_KERNELS": "1"}
STOCK = {"BUDGET_FRESH_KERNELS": "stock"}
PDF_TARGET_S = 10.0
_READ_PDF = "import sys; from helpers.read.decode import read_report; read_report(sys.argv[1])"

# Runs a command and prints its wall time and the peak RSS (MiB) of itself and its children.
_MEASURE = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
seconds = time.perf_counter() - start
peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
print(json.dumps({"seconds": seconds, "peak_mib": peak / 1024, "code": code}))
"""


def measure(command: list[str], env: dict | None = None) -> dict:
    """Wall time and peak memory of `command`, run in a fresh process (with `env` added)."""
    import os

    out = subprocess.run([PY, "-c", _MEASURE, *command], capture_output=True, text=True, check=True,
                         env={**os.environ, **(env or {})})
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["code"] != 0:
        raise RuntimeError(f"benchmark command failed ({result['code']}): {' '.join(command)}")
    return result


def floor_notebooks(folder: Path, like: list) -> Path:
    """One import-only notebook per template in `like`, with the same parameters and scope."""
    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    for template in like:
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "luzhou-budget", "display_name": "Python (luzhou-budget)",
                                     "language": "python"}
        nb.metadata["budget_story"] = {"scope": template.scope, "hide_code": template.hide_code,
                                       "title": {"zh": f"floor {template.name}", "en": f"floor {template.name}"}}
        params = nbformat.v4.new_code_cell("\n".join(f"{name} = {spec.get('default') or None}"
                                                     for name, spec in template.parameters.items()))
        params.metadata["tags"] = ["parameters"]
        nb.cells = [params, nbformat.v4.new_code_cell("import pandas\nimport seaborn")]
        nbformat.write(nb, folder / f"{template.name}.ipynb")
    return folder


def own_work(built: Path, workers: int = 2) -> None:
    """The pages' own work, with nothing else: what a batch would cost if starting kernels and importing cost nothing.

    Imports what the template process imports (once), then forks `workers` processes (before any socket exists),
    each running the code cells of its share of the executed notebooks under `built` in one IPython shell (outputs
    rendered as a kernel renders them, then dropped) and exporting each to its page. No kernel, no papermill, no
    isolation between notebooks: what the pages' work costs by itself, not a way to build pages.
    """
    import os

    from helpers.publish import forkserver
    from helpers.publish.export import html_exporter, warm

    forkserver.prepare()
    import nbformat

    notebooks = sorted(built.rglob("*.ipynb"))
    languages = {nb.name.split(".")[-2] for nb in notebooks}
    warm({(hide, lang) for hide in (False, True) for lang in languages})
    children = []
    for share in range(workers):
        pid = os.fork()
        if pid:
            children.append(pid)
            continue
        code = 1
        try:
            from IPython.core.interactiveshell import InteractiveShell

            from helpers.publish.fonts import cjk_font_css, wide_chars

            shell = InteractiveShell.instance()
            os.chdir(paths.NOTEBOOKS)
            for path in notebooks[share::workers]:
                notebook = nbformat.read(path, as_version=4)
                shell.reset()
                for cell in notebook.cells:
                    ran = shell.run_cell(cell.source, silent=True) if cell.cell_type == "code" else None
                    if ran is not None and not ran.success:
                        cause = ran.error_in_exec or ran.error_before_exec
                        raise RuntimeError(f"{path.name}: a cell failed") from cause
                lang = path.name.split(".")[-2]
                hide = notebook.metadata.get("budget_story", {}).get("hide_code", False)
                body, _ = html_exporter(hide, lang).from_notebook_node(notebook)
                cjk_font_css(wide_chars(body, lang))
            code = 0
        except BaseException:  # noqa: BLE001 - said here, counted by the parent
            import traceback

            traceback.print_exc()
        finally:
            os._exit(code)
    if any(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children):
        raise SystemExit("own work: a notebook failed")


def two_year_tidy(folder: Path) -> Path:
    """Tidy data of 2023 and of the same report restated as 2024 (a second year of the same size)."""
    report = paths.raw_reports()[0]
    restated = folder / "raw" / "2024" / "restated_2024.txt"
    restated.parent.mkdir(parents=True)
    restated.write_text(report.read_text(encoding="utf-8").replace("2023年", "2024年"), encoding="utf-8")
    tidy = folder / "tidy"
    subprocess.run([PY, "-m", "helpers.data.ingest", str(report), str(restated), "--out", str(tidy)], check=True,
                   capture_output=True)
    return tidy


def report_pdf(folder: Path) -> tuple[Path, int] | None:
    """The 2023 report printed to PDF from its .docx, and its page count; None without chromium."""
    import shutil

    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return None
    sys.path.insert(0, str(paths.ROOT))  # the test helpers that build the .docx and print it
    import pdfplumber

    from tests.report_docx import build_docx
    from tests.report_pdf import docx_html, print_pdf

    text = folder / "report_2023.txt"
    text.write_bytes(paths.raw_reports()[0].read_bytes())
    pdf = print_pdf(docx_html(build_docx(text, folder / "report_2023.docx")), folder / "report_2023.pdf")
    with pdfplumber.open(pdf) as document:
        return pdf, len(document.pages)


def digest(folder: Path) -> str:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    return hashlib.sha256(b"".join(p.relative_to(folder).as_posix().encode() + p.read_bytes() for p in files)
                          ).hexdigest()


def run(rounds: int) -> dict:
    from helpers.publish.kernels import ensure_kernel
    from helpers.publish.plan import load_templates, plan

    ensure_kernel()
    found = load_templates(paths.NOTEBOOKS)
    results: dict[str, list[dict]] = {k: [] for k in ("cold", "fresh", "floor_cold", "stock_cold", "own_work",
                                                       "unchanged", "two", "floor_two", "stock_two", "pdf")}
    identical = same_as_fresh = True
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        tidy = two_year_tidy(tmp)
        floor_dir = floor_notebooks(tmp / "floor_templates", found)
        pages_one = len(plan([2023], paths.NOTEBOOKS, tmp / "plan", tidy))
        pages_two = len(plan([2023, 2024], paths.NOTEBOOKS, tmp / "plan", tidy))
        printed = report_pdf(tmp)

        def batch(out: Path, years: list[int], notebooks: Path = paths.NOTEBOOKS) -> list[str]:
            return [PY, "-m", "helpers.publish.batch", "--years", *map(str, years), "--tidy", str(tidy),
                    "--out", str(out), "--notebooks", str(notebooks), "--no-progress"]

        for r in range(rounds):
            steps = [("stock_cold", batch(tmp / f"stock_cold{r}", [2023], floor_dir), STOCK),
                     ("floor_cold", batch(tmp / f"floor_cold{r}", [2023], floor_dir), FRESH),
                     ("cold", batch(tmp / f"cold{r}", [2023]), None),
                     ("fresh", batch(tmp / f"fresh{r}", [2023]), FRESH),
                     ("own_work", [PY, "-m", "helpers.publish.bench", "--own-work", str(tmp / f"cold{r}")], None),
                     ("unchanged", batch(tmp / f"cold{r}", [2023]), None),
                     ("stock_two", batch(tmp / f"stock_two{r}", [2023, 2024], floor_dir), STOCK),
                     ("floor_two", batch(tmp / f"floor_two{r}", [2023, 2024], floor_dir), FRESH),
                     ("two", batch(tmp / f"two{r}", [2023, 2024]), None)]
            if printed is not None:
                steps.append(("pdf", [PY, "-c", _READ_PDF, str(printed[0])], None))
            for name, command, env in steps:  # interleaved, so drift hits the batch and its floor alike
                before = digest(tmp / f"cold{r}") if name == "unchanged" else ""
                results[name].append(measure(command, env))
                if name == "unchanged":
                    identical = identical and digest(tmp / f"cold{r}") == before
                if name == "fresh":
                    same_as_fresh = same_as_fresh and digest(tmp / f"fresh{r}") == digest(tmp / f"cold{r}")
                print(f"  round {r + 1} {name:10s} {results[name][-1]['seconds']:6.1f} s", file=sys.stderr)
    best = {name: min(runs, key=lambda m: m["seconds"]) for name, runs in results.items() if runs}
    return {"pages_one": pages_one, "pages_two": pages_two, "pdf_pages": printed[1] if printed else 0,
            "rounds": rounds, "identical": identical,
            "same_as_fresh": same_as_fresh,
            **{f"{k}_s": v["seconds"] for k, v in best.items()},
            **{f"{k}_peak_mib": max(m["peak_mib"] for m in results[k]) for k in results if results[k]}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.publish.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds; the best of each is kept")
    parser.add_argument("--own-work", type=Path, metavar="BUILT", help=argparse.SUPPRESS)  # one measured step
    args = parser.parse_args(argv)
    if args.own_work:
        own_work(args.own_work)
        return 0
    print(f"benchmark, {args.rounds} interleaved round(s)…", file=sys.stderr)
    r = run(args.rounds)
    cold_ratio, two_ratio = r["cold_s"] / r["stock_cold_s"], r["two_s"] / r["stock_two_s"]
    unchanged_ok = r["unchanged_s"] < UNCHANGED_TARGET_S and r["identical"]
    print(f"""
cold build, 2023 ({r['pages_one']} pages)        {r['cold_s']:7.1f} s   floor {r['stock_cold_s']:6.1f} s   \
ratio {cold_ratio:.2f}x   target <= {FLOOR_TARGET}x: {'met' if cold_ratio <= FLOOR_TARGET else 'MISSED'}   \
peak {r['cold_peak_mib']:5.0f} MiB
  against the fast floor                       {r['floor_cold_s']:6.1f} s   \
ratio {r['cold_s'] / r['floor_cold_s']:.2f}x   (fresh kernels through this project's kernel client)
  the same, fresh kernel per page    {r['fresh_s']:7.1f} s   ratio to floor {r['fresh_s'] / r['stock_cold_s']:.2f}x   \
pages byte-identical to the forked ones: {r['same_as_fresh']}
  the pages' own work alone          {r['own_work_s']:7.1f} s   \
ratio to floor {r['own_work_s'] / r['stock_cold_s']:.2f}x, \
to the fast floor {r['own_work_s'] / r['floor_cold_s']:.2f}x   (imports paid once, no kernel: the pages' work by itself)
unchanged rebuild                    {r['unchanged_s']:7.2f} s   every file identical: {r['identical']}   \
target < {UNCHANGED_TARGET_S:.0f} s: {'met' if unchanged_ok else 'MISSED'}
2 years x 2 languages ({r['pages_two']} pages)  {r['two_s']:7.1f} s   floor {r['stock_two_s']:6.1f} s   \
ratio {two_ratio:.2f}x   target <= {FLOOR_TARGET}x: {'met' if two_ratio <= FLOOR_TARGET else 'MISSED'}
  against the fast floor                       {r['floor_two_s']:6.1f} s   \
ratio {r['two_s'] / r['floor_two_s']:.2f}x""")
    if r["pdf_pages"]:
        verdict = "met" if r["pdf_s"] < PDF_TARGET_S else "MISSED"
        print(f"PDF read, 2023 ({r['pdf_pages']} pages)        {r['pdf_s']:7.1f} s   "
              f"peak {r['pdf_peak_mib']:5.0f} MiB   target < {PDF_TARGET_S:.0f} s: {verdict}")
    else:
        print("PDF read: skipped (no chromium to print the report; `apt-get install chromium`)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
