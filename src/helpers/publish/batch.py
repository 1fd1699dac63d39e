"""Run every notebook for one or more years with papermill and export shareable HTML.

    python -m helpers.publish.batch --years 2023 [2024 ...] [--workers N]

For each year and each template in notebooks/, writes reports/<year>/<name>.ipynb (executed)
and reports/<year>/<name>.html (self-contained), then reports/index.html linking every report
on disk. Notebooks run in parallel, one kernel per core. A failing notebook is named with its
cell; the reports that succeeded are kept, and the previous copy of a failed one is left as it
was (the failed run is saved beside it as <name>.failed.ipynb). Exit status: 0 when all ran,
1 when any notebook failed, 2 for a year with no data (checked before any kernel starts).
"""

from __future__ import annotations

import argparse
import html
import logging
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from helpers import paths

KERNEL = "luzhou-budget"
SOURCE = "泸州市公安局交通警察支队 {year}年度单位决算 (final-accounts report), data/raw/{year}/"


@dataclass(frozen=True)
class Job:
    year: int
    template: Path
    out_dir: Path
    parameters: dict
    kernel: str
    notice: str = ""

    @property
    def name(self) -> str:
        return self.template.stem


@dataclass
class Outcome:
    job: Job
    ok: bool
    seconds: float
    error: str = ""

    @property
    def staged_notebook(self) -> Path:
        return self.job.out_dir / f".{self.job.name}.ipynb.staged"

    @property
    def staged_page(self) -> Path:
        return self.job.out_dir / f".{self.job.name}.html.staged"


@dataclass
class BatchResult:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]


def templates(notebook_dir: Path = paths.NOTEBOOKS) -> list[Path]:
    """The notebook templates, in run order (their names start with the step number)."""
    return sorted(p for p in Path(notebook_dir).glob("*.ipynb") if not p.name.startswith("_"))


def _ipc_kernel_manager():
    """A kernel manager that talks to its kernel over local IPC sockets instead of TCP.

    Our kernels are local; TCP without encryption makes ipykernel warn on every start, which would
    flood the batch log. Each kernel gets its own socket path in the temp folder, removed at shutdown.
    """
    import uuid

    from jupyter_client.manager import AsyncKernelManager
    from traitlets import CaselessStrEnum, default

    class IPCKernelManager(AsyncKernelManager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        @default("ip")
        def _unique_ipc_path(self) -> str:
            # jupyter_client's default prefix is shared by every kernel; parallel kernels need their own.
            return os.path.join(tempfile.gettempdir(), f"luzhou-kernel-{uuid.uuid4().hex}-ipc")

        async def _async_interrupt_kernel(self) -> None:
            # jupyter_client interrupts before every shutdown; our kernels are idle by then, and the
            # interrupt only makes ipykernel log "KeyboardInterrupt caught in kernel".
            if not self.shutting_down:
                await super()._async_interrupt_kernel()

    return IPCKernelManager


def ensure_kernel(name: str = KERNEL) -> str:
    """Make sure the project's kernel exists (installing it into this environment if not)."""
    from jupyter_client.kernelspec import KernelSpecManager

    if name not in KernelSpecManager().find_kernel_specs():
        from ipykernel.kernelspec import install

        install(kernel_name=name, display_name="Python (luzhou-budget)", prefix=sys.prefix)
    return name


def _atomic_write(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder, then move it in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; reports are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _quiet() -> None:
    """Keep the console to the progress bar and our own lines: no per-cell or kernel chatter."""
    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # the debugger's frozen-modules warning


def _failure_text(exc: BaseException, notebook: nbformat.NotebookNode | None) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        cell = exc.cell_index
        if notebook is not None:
            code_cells = [i for i, c in enumerate(notebook.cells) if c.cell_type == "code"]
            position = code_cells.index(cell) + 1 if cell in code_cells else cell
            return f"code cell {position} (execution count {exc.exec_count}): {exc.ename}: {exc.evalue}"
        return f"cell {cell}: {exc.ename}: {exc.evalue}"
    return f"{type(exc).__name__}: {exc}"


def run_job(job: Job) -> Outcome:
    """Execute one notebook for one year and export it into staged files beside the reports.

    Never raises for a failing notebook (the outcome says what failed). The staged files become
    the reports in `publish`, once the batch has them all: until then the previous reports stay.
    """
    import papermill as pm

    from helpers.publish.export import to_html

    _quiet()
    start = time.perf_counter()
    failed_copy = job.out_dir / f"{job.name}.failed.ipynb"
    job.out_dir.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(prefix=f".{job.name}.", suffix=".ipynb", dir=job.out_dir)
    os.close(fd)
    try:
        try:
            executed = pm.execute_notebook(
                str(job.template), scratch, parameters=job.parameters, kernel_name=job.kernel,
                cwd=str(paths.NOTEBOOKS), progress_bar=False, log_output=False,
                request_save_on_cell_execute=False, kernel_manager_class=_ipc_kernel_manager())
        except Exception as exc:  # noqa: BLE001 - reported with its cell, the batch goes on
            partial = nbformat.read(scratch, as_version=4) if Path(scratch).stat().st_size else None
            if partial is not None:
                _atomic_write(failed_copy, nbformat.writes(partial))
            return Outcome(job, False, time.perf_counter() - start, _failure_text(exc, partial))
        meta = executed.metadata.get("budget_story", {})
        shown = {name: spec["default"] for name, spec in pm.inspect_notebook(str(job.template)).items()}
        shown.update({k: repr(v) for k, v in job.parameters.items()})
        title = meta.get("title", job.name).format(year=job.year)
        page = to_html(executed, title=title, source=SOURCE.format(year=job.year), parameters=shown,
                       notice=job.notice, hide_code=bool(meta.get("hide_code", False)), embed_font=False)
        outcome = Outcome(job, True, time.perf_counter() - start)
        _atomic_write(outcome.staged_page, page)
        _atomic_write(outcome.staged_notebook, nbformat.writes(executed))
        return outcome
    except Exception as exc:  # noqa: BLE001 - an export failure is reported like an execution failure
        return Outcome(job, False, time.perf_counter() - start, f"export failed: {type(exc).__name__}: {exc}")
    finally:
        Path(scratch).unlink(missing_ok=True)


def error_notice(year: int, tidy_dir: Path) -> str:
    """A warning for the top of every report of `year` when the audit found errors in its data."""
    from helpers.data.schema import read_table

    if not (tidy_dir / "audit_findings.csv").exists():
        return ""
    findings = read_table("audit_findings", tidy_dir)
    errors = findings[(findings["year"] == year) & (findings["severity"] == "error")]
    if errors.empty:
        return ""
    return (f"Caution: the {year} report contradicts itself in {len(errors)} place(s) "
            f"(see the audit report). Figures here are as the report states them.")


def plan(years: list[int], notebook_dir: Path, out_root: Path, tidy_dir: Path | None, kernel: str) -> list[Job]:
    """Check the years against the tidy data and list the jobs; raises ValueError before any kernel starts."""
    from helpers.data.load import available_years

    tidy = Path(tidy_dir) if tidy_dir else paths.TIDY
    have = available_years(tidy)
    missing = [y for y in years if y not in have]
    if missing:
        raise ValueError(f"no report for {', '.join(map(str, missing))} in {tidy}: the data holds "
                         f"{', '.join(map(str, have)) or 'no year'}. Put the report text under data/raw/<year>/ "
                         "and run `make data`.")
    found = templates(notebook_dir)
    if not found:
        raise ValueError(f"no notebook templates in {notebook_dir}")
    jobs = []
    for year in years:
        parameters = {"year": year}
        if tidy_dir:
            parameters["tidy_dir"] = str(tidy_dir)
        notice = error_notice(year, tidy)
        jobs += [Job(year, t, out_root / str(year), parameters, kernel, notice) for t in found]
    return jobs


def write_index(out_root: Path) -> Path:
    """reports/index.html: every exported report of every year on disk, newest year first."""
    sections = []
    for year_dir in sorted((d for d in out_root.iterdir() if d.is_dir() and d.name.isdigit()), reverse=True):
        items = []
        for page in sorted(year_dir.glob("*.html")):
            title = page.stem
            text = page.read_text(encoding="utf-8", errors="replace")
            start, end = text.find("<title>"), text.find("</title>")
            if start >= 0 and end > start:
                title = html.unescape(text[start + 7:end])
            items.append(f'<li><a href="{html.escape(year_dir.name)}/{html.escape(page.name)}">'
                         f"{html.escape(title)}</a></li>")
        if items:
            sections.append(f"<h2>{html.escape(year_dir.name)}</h2>\n<ul>\n" + "\n".join(items) + "\n</ul>")
    body = "\n".join(sections) or "<p>No reports yet: run <code>make reports</code>.</p>"
    page = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Budget reports: 泸州市公安局交通警察支队</title>
<style>body {{ font-family: system-ui, sans-serif; max-width: 800px; margin: 2em auto; }}</style></head>
<body>
<h1>Budget reports: 泸州市公安局交通警察支队 (Luzhou traffic police)</h1>
{body}
</body>
</html>
"""
    path = out_root / "index.html"
    _atomic_write(path, page)
    return path


def _worker_init() -> None:
    """In a worker, Ctrl-C ends the process quietly (SystemExit): the batch's parent reports it."""
    import signal

    signal.signal(signal.SIGINT, lambda *_: sys.exit(130))


def clean_stale(out_dirs: set[Path]) -> None:
    """Remove staged and scratch files a killed batch left behind (dot-files of .ipynb or .html)."""
    for folder in out_dirs:
        for leftover in folder.glob(".*") if folder.is_dir() else []:
            if leftover.is_file() and (".ipynb" in leftover.name or ".html" in leftover.name):
                leftover.unlink(missing_ok=True)


def publish(done: list[Outcome]) -> None:
    """Move the staged reports of finished notebooks into place, with one shared Chinese font.

    Pages of one batch share one font subset (subsetting is the slow part of an export). Each
    report is replaced by an atomic rename, so a reader never sees a half-written file.
    """
    from helpers.publish.export import cjk_font_css, wide_chars, with_font

    ready = [o for o in done if o.ok and o.staged_page.exists() and o.staged_notebook.exists()]
    pages = [(o, o.staged_page.read_text(encoding="utf-8")) for o in ready]
    css = cjk_font_css(set().union(*(wide_chars(page) for _, page in pages))) if pages else ""
    for outcome, page in pages:
        target = outcome.job.out_dir / f"{outcome.job.name}.ipynb"
        _atomic_write(outcome.staged_page, with_font(page, css))
        os.replace(outcome.staged_page, target.with_suffix(".html"))
        os.replace(outcome.staged_notebook, target)
        (outcome.job.out_dir / f"{outcome.job.name}.failed.ipynb").unlink(missing_ok=True)


def run_batch(years: list[int], *, notebook_dir: Path = paths.NOTEBOOKS, out_root: Path = paths.REPORTS,
              tidy_dir: Path | None = None, workers: int | None = None, kernel: str = KERNEL,
              progress: bool = True) -> BatchResult:
    """Execute and export every notebook for every year; see the module docstring."""
    from tqdm import tqdm

    jobs = plan(years, Path(notebook_dir), Path(out_root), tidy_dir, kernel)
    ensure_kernel(kernel)
    _quiet()
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    clean_stale({job.out_dir for job in jobs})
    result = BatchResult()
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_init)
    try:
        futures = [pool.submit(run_job, job) for job in jobs]
        with tqdm(total=len(jobs), desc="notebooks", unit="nb", disable=not progress, file=sys.stderr) as bar:
            for future in as_completed(futures):
                outcome = future.result()
                result.outcomes.append(outcome)
                bar.update(1)
                if not outcome.ok:
                    bar.write(f"FAILED {outcome.job.year}/{outcome.job.template.name}: {outcome.error}")
    except KeyboardInterrupt:
        # Keep what finished; the rest stays as it was. Workers and their kernels got the signal too.
        pool.shutdown(wait=False, cancel_futures=True)
        publish(result.outcomes)
        clean_stale({job.out_dir for job in jobs})
        write_index(Path(out_root))
        raise
    pool.shutdown(wait=True)
    result.outcomes.sort(key=lambda o: (o.job.year, o.job.name))
    publish(result.outcomes)
    write_index(Path(out_root))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.publish.batch", description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", nargs="+", type=int, default=[2023], help="report years (default 2023)")
    parser.add_argument("--workers", type=int, help="parallel kernels (default: number of cores)")
    parser.add_argument("--out", type=Path, default=paths.REPORTS, help="output folder (default reports/)")
    parser.add_argument("--tidy", type=Path, help="tidy data folder (default data/tidy)")
    parser.add_argument("--notebooks", type=Path, default=paths.NOTEBOOKS, help="templates (default notebooks/)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        result = run_batch(args.years, notebook_dir=args.notebooks, out_root=args.out, tidy_dir=args.tidy,
                           workers=args.workers, progress=not args.no_progress)
    except ValueError as exc:
        print(f"batch not started: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("batch interrupted: reports finished before the interrupt are complete and kept, the others are "
              "as they were; run the same command again to finish", file=sys.stderr)
        return 130
    ok = [o for o in result.outcomes if o.ok]
    print(f"{len(ok)} of {len(result.outcomes)} notebooks ran and exported in "
          f"{time.perf_counter() - started:.1f} s; index: {args.out / 'index.html'}")
    for outcome in result.failures:
        print(f"failed: {outcome.job.year}/{outcome.job.template.name}: {outcome.error}", file=sys.stderr)
    return 1 if result.failures else 0


if __name__ == "__main__":
    sys.exit(main())
