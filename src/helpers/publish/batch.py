"""Run every notebook for every unit and year present, in every language it is written for, and export HTML.

    python -m helpers.publish.batch [--units UNIT ...] [--years 2023 ...] [-p NAME VALUE ...] [--force]
                                    [--executor dask [--scheduler ADDRESS]]

For each unit (reports.csv `unit_id`) and each of its years, each template in notebooks/ and each
language (zh and en when the notebook takes a `lang` parameter), writes
reports/<unit>/<year>/<name>.<lang>.ipynb (executed) and reports/<unit>/<year>/<name>.<lang>.html
(self-contained), then reports/index.html. A notebook whose metadata says `budget_story.scope =
"all_years"` runs once per unit, over its years, into reports/<unit>/all_years/; one with scope
"all_units" runs once per year, over every unit, into reports/all_units/<year>/. `--units` and
`--years` keep only the units and years named (default: all present). A notebook whose metadata says
`budget_story.needs = "project_tables"` is not made for a report without project self-evaluation tables
(its other pages say so).

Only what changed is rebuilt: each output records the hash of its inputs (template, parameters,
tidy data, package code), and a notebook whose hash is unchanged is not run again (`--force`
reruns everything). `-p NAME VALUE` (papermill's convention) passes a parameter to every
notebook that declares it. Two batches on one output folder take turns (the second waits for
the first). A failing notebook is named with its cell; the other reports, and the previous copy
of the failed one, are kept (the failed run is saved beside it as <name>.<lang>.failed.ipynb).
The notebooks run on an executor (`helpers.executors`): processes of this machine by default, or a
dask.distributed cluster (`--executor dask --scheduler ADDRESS`; a LocalCluster without an address), where each
worker forks its kernels from a template process of its own. What to make is planned by `helpers.publish.plan`;
this module runs it.
Exit status: 0 when all ran, 1 when any notebook failed, 2 when the batch could not start (a year
or unit with no report, an unknown parameter, another batch still running, an unreachable scheduler),
130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from helpers import executors, paths
from helpers.constants import KERNEL
from helpers.files import atomic_write
from helpers.publish import cache
from helpers.publish.index import write_index
from helpers.publish.plan import STAGED, BatchRefused, Job, check_years, parse_value, plan

LOCK_NAME = ".batch.lock"


@dataclass
class Outcome:
    job: Job
    ok: bool
    seconds: float
    error: str = ""


@dataclass
class BatchResult:
    outcomes: list[Outcome] = field(default_factory=list)
    up_to_date: list[Job] = field(default_factory=list)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]


# ---------------------------------------------------------------- one job (in a worker process)

def _failure_text(exc: BaseException, notebook) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        cell = exc.cell_index
        if notebook is not None:
            code_cells = [i for i, c in enumerate(notebook.cells) if c.cell_type == "code"]
            position = code_cells.index(cell) + 1 if cell in code_cells else cell
            return f"code cell {position} (execution count {exc.exec_count}): {exc.ename}: {exc.evalue}"
        return f"cell {cell}: {exc.ename}: {exc.evalue}"
    return f"{type(exc).__name__}: {exc}"


TIMING_KEYS = ("start_time", "end_time", "duration")
# pandas' Styler gives each styled table a random id (T_1a2b3) that its CSS refers to.
STYLER_ID = re.compile(r"\bT_[0-9a-f]{5}(?=[_\"' {])")
# The plain-text form of a displayed object may carry its memory address: <… Styler at 0x7f…>.
ADDRESS = re.compile(r" at 0x[0-9a-f]+>")


def make_deterministic(notebook, job: Job) -> None:
    """Remove what differs between two runs of the same inputs: times, temporary paths, random cell ids."""
    for index, cell in enumerate(notebook.cells):
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
        elif not cell.get("id"):
            cell["id"] = f"cell-{index}"
        cell.metadata.pop("execution", None)
        for key in TIMING_KEYS:
            cell.metadata.get("papermill", {}).pop(key, None)
        for number, output in enumerate(cell.get("outputs", [])):
            data = output.get("data", {})
            stable_forms = (("text/html", STYLER_ID, f"T_{index}_{number}"), ("text/plain", ADDRESS, ">"))
            for mime, pattern, stable in stable_forms:
                if mime in data:
                    text = "".join(data[mime]) if isinstance(data[mime], list) else data[mime]
                    data[mime] = pattern.sub(stable, text)
    meta = notebook.metadata.get("papermill", {})
    for key in (*TIMING_KEYS, "environment_variables"):
        meta.pop(key, None)
    meta["input_path"] = f"notebooks/{job.template.path.name}"
    meta["output_path"] = f"reports/{job.folder}/{job.notebook.name}"
    meta.get("parameters", {}).pop("tidy_dir", None)
    notebook.metadata.setdefault("budget_story", {})["build"] = {"inputs": job.inputs_hash}


def run_job(job: Job) -> Outcome:
    """Execute one notebook (unless it is up to date) and export its page into staged files.

    Never raises for a failing notebook (the outcome says what failed). The staged files become
    the reports in `publish`, once the batch has them all: until then the previous reports stay.
    """
    from helpers.publish.kernels import ipc_kernel_manager, quiet, skip_iri_grammars

    skip_iri_grammars()  # before nbformat is imported (a dask worker's first job)
    quiet()
    import nbformat

    from helpers.publish.export import to_html
    start = time.perf_counter()
    job.out_dir.mkdir(parents=True, exist_ok=True)
    scratch = job.out_dir / f".{job.stem}.{job.run_id}.running{STAGED}.ipynb"  # papermill wants .ipynb
    try:
        if job.execute:
            import papermill as pm

            try:
                executed = pm.execute_notebook(
                    str(job.template.path), str(scratch), parameters=job.parameters, kernel_name=job.kernel,
                    cwd=str(paths.NOTEBOOKS), progress_bar=False, log_output=False,
                    request_save_on_cell_execute=False, kernel_manager_class=ipc_kernel_manager(),
                    # every output has arrived when the last cell is done: stop the kernel, no goodbye
                    shutdown_kernel="immediate")
            except Exception as exc:  # noqa: BLE001 - reported with its cell, the batch goes on
                partial = nbformat.read(scratch, as_version=4) if scratch.exists() and scratch.stat().st_size else None
                if partial is not None:
                    atomic_write(job.failed_copy, nbformat.writes(partial))
                return Outcome(job, False, time.perf_counter() - start, _failure_text(exc, partial))
            make_deterministic(executed, job)
        else:
            executed = nbformat.read(job.notebook, as_version=4)
        page = to_html(executed, job.chrome, hide_code=job.template.hide_code, build_key=job.page_hash)
        atomic_write(job.staged_page, page)
        if job.execute:
            atomic_write(job.staged_notebook, nbformat.writes(executed) + "\n")
        return Outcome(job, True, time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - an export failure is reported like an execution failure
        return Outcome(job, False, time.perf_counter() - start, f"export failed: {type(exc).__name__}: {exc}")
    finally:
        scratch.unlink(missing_ok=True)


# ---------------------------------------------------------------- publishing and the index

def publish(done: list[Outcome]) -> None:
    """Move the staged files of finished jobs into place (atomic renames: a reader never sees half a page)."""
    for outcome in done:
        job = outcome.job
        if not outcome.ok or not job.staged_page.exists():
            continue
        if job.execute:
            if not job.staged_notebook.exists():
                continue
            os.replace(job.staged_notebook, job.notebook)
        os.replace(job.staged_page, job.page)
        job.failed_copy.unlink(missing_ok=True)


def remove_staged(out_dirs: set[Path], run_id: str | None = None) -> None:
    """Remove staged files: this run's (run_id), or every run's when the caller holds the lock."""
    for folder in out_dirs:
        if not folder.is_dir():
            continue
        for leftover in folder.glob(f".*{STAGED}*"):
            if run_id is None or f".{run_id}." in leftover.name:
                leftover.unlink(missing_ok=True)
        if run_id is None:  # temporary files of an atomic write killed half-way
            for leftover in folder.glob(".*.tmp"):
                leftover.unlink(missing_ok=True)


def _lock(out_root: Path, wait: float):
    """The output folder's lock: a second batch waits for the first (up to `wait` seconds), then refuses."""
    from filelock import FileLock, Timeout

    out_root.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out_root / LOCK_NAME))
    try:
        lock.acquire(timeout=0)
        return lock
    except Timeout:
        print(f"another batch is writing {out_root}: waiting for it to finish (up to {wait:.0f} s)…",
              file=sys.stderr, flush=True)
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise BatchRefused(f"another batch is still writing {out_root} after {wait:.0f} s; run this one when it "
                           f"has finished (or pass --wait SECONDS)") from None
    return lock


@contextlib.contextmanager
def kernels_for_workers(kernel: str = KERNEL, started=None):
    """What every worker needs to run notebooks: the kernel installed, and a kernel template process to fork
    them from (see `helpers.publish.kernels`). The local executor enters this once, before its workers fork (they
    share the one template process); a dask worker enters it when it starts, on its own machine: the template
    process is a new interpreter started by the worker (never a fork of the worker, whose threads and ZMQ sockets
    a fork would copy half-way), and its kernels are forked from it as in a local batch. `started`: a template
    process the batch started before it planned (see `_early_template`), used instead of a new one."""
    from helpers.publish.kernels import ensure_kernel, quiet, spec_prefix, template_process

    ensure_kernel(kernel)
    quiet()
    if started is not None and started.prefix != spec_prefix(kernel):  # Jupyter found another kernel of that name
        started.close()
        started = None
    with started if started is not None else template_process(kernel):
        yield


def _early_template(local: bool, kernel: str, out_root: Path):
    """A template process started now, importing on the other core while the batch imports and plans, for a batch
    that will run notebooks on this machine (`local`): into an output folder without build state (a cold build:
    every page runs, and its planning imports papermill to read the templates). None otherwise: a rebuild plans in
    well under a second and may run nothing at all; it starts its template process when it knows it needs one."""
    if not local or (Path(out_root) / ".build").exists():
        return None
    from helpers.publish.kernels import ensure_kernel, installed_prefix, quiet, template_process

    quick = installed_prefix(kernel)  # the kernel as this environment installed it: checked before the first fork
    if quick is None:
        ensure_kernel(kernel)
    quiet()
    server = template_process(kernel, quick)
    return server.start() if hasattr(server, "start") else None


def run_batch(years: list[int] | None = None, *, units: list[str] | None = None,
              notebook_dir: Path = paths.NOTEBOOKS, out_root: Path = paths.REPORTS,
              tidy_dir: Path | None = None, workers: int | None = None, kernel: str = KERNEL,
              progress: bool = True, parameters: dict | None = None, force: bool = False,
              wait: float = 1800, executor: executors.LocalExecutor | executors.DaskExecutor | None = None,
              template=None) -> BatchResult:
    """Execute and export every stale page for every unit, year and language; see the module docstring.
    `years` and `units` keep only those named (None or empty: every one present). `executor` runs the notebooks:
    one the caller has entered (`with executors.executor("dask", scheduler=...) as runner:`), and closes; default, a
    local pool of `workers` processes. `template`: a kernel template process the caller started and did not enter
    (the command line starts one before it imports the rest), used by a cold build on this machine, which stops it;
    the caller stops it when the batch never got that far. Raises BatchRefused, or executors.ExecutorUnavailable
    when the executor cannot run jobs, before anything is written."""
    out_root = Path(out_root)
    default_tidy = tidy_dir is None
    tidy = Path(tidy_dir) if tidy_dir else paths.TIDY
    # refused before taking the lock
    check_years(years or [], tidy, default_tidy, units=units)
    with contextlib.nullcontext(executor) if executor else executors.LocalExecutor(workers) as runner:
        runner.check_paths([tidy.resolve(), Path(notebook_dir).resolve(), paths.NOTEBOOKS])
        lock = _lock(out_root, wait)
        try:
            return _run_locked(years, Path(notebook_dir), out_root, tidy_dir, runner, kernel, progress,
                               parameters, force, units, template)
        finally:
            lock.release()


def _run_locked(years, notebook_dir, out_root, tidy_dir, runner, kernel, progress, parameters, force, units,
                template=None):
    run_id = uuid.uuid4().hex[:12]
    local = isinstance(runner, executors.LocalExecutor)
    early = (template if local else None) or _early_template(local, kernel, out_root)
    try:
        everything = plan(years, notebook_dir, out_root, tidy_dir, kernel, parameters, force, run_id, units)
        stale = [j for j in everything if force or j.execute or cache.page_key(j.page) != j.page_hash]
        result = BatchResult(up_to_date=[j for j in everything if j not in stale])
        out_dirs = {job.out_dir for job in everything}
        remove_staged(out_dirs)  # we hold the lock: whatever is staged was left by a killed batch
        if stale:
            _run_jobs(stale, result, runner, kernel, progress, out_dirs, run_id, early)
    finally:
        if early is not None:
            early.close()  # never entered (planning failed, nothing to run): stopped here
    result.outcomes.sort(key=lambda o: (o.job.folder, o.job.name, o.job.lang))
    write_index(out_root, notebook_dir, Path(tidy_dir) if tidy_dir else paths.TIDY)
    return result


def _run_jobs(stale, result, runner, kernel, progress, out_dirs, run_id, started=None) -> None:
    from tqdm import tqdm

    from helpers.publish.kernels import quiet

    quiet()
    executes = any(job.execute for job in stale)
    if isinstance(runner, executors.LocalExecutor):
        # while the template process imports: the workers fork from this process with their exporters ready
        from helpers.publish.export import warm

        warm({(job.template.hide_code, job.lang) for job in stale})
    with runner.around_workers(kernels_for_workers, kernel, started) if executes else contextlib.nullcontext():
        try:
            with tqdm(total=len(stale), desc="notebooks", unit="nb", disable=not progress, file=sys.stderr) as bar:
                for outcome in runner.as_completed(run_job, stale):
                    result.outcomes.append(outcome)
                    bar.update(1)
                    if not outcome.ok:
                        bar.write(f"FAILED {outcome.job.label}: {outcome.error}")
        except BaseException:
            # Ctrl-C (or a crash): keep what finished, remove this run's staged files; the rest stays as it was.
            # The workers got the signal too; wait for them (briefly), or one could stage a file after the clean-up.
            runner.stop()
            publish(result.outcomes)
            remove_staged(out_dirs, run_id)
            raise
    publish(result.outcomes)
    remove_staged(out_dirs, run_id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.publish.batch", description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", nargs="*", type=int, default=[],
                        help="report years (default: every year present)")
    parser.add_argument("--units", nargs="*", default=[],
                        help="unit ids, as in reports.csv unit_id (default: every unit present)")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="pass a parameter to every notebook that declares it (repeatable)")
    parser.add_argument("--force", action="store_true", help="rerun every notebook, even those up to date")
    parser.add_argument("--workers", type=int,
                        help="parallel kernels (default: number of cores; with dask, workers of the LocalCluster)")
    parser.add_argument("--out", type=Path, default=paths.REPORTS, help="output folder (default reports/)")
    parser.add_argument("--tidy", type=Path, help="tidy data folder (default data/tidy)")
    parser.add_argument("--notebooks", type=Path, default=paths.NOTEBOOKS, help="templates (default notebooks/)")
    parser.add_argument("--wait", type=float, default=1800, help="seconds to wait for another batch (default 1800)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    executors.add_arguments(parser)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    # first of all: the template process imports the page libraries while this process imports and plans
    template = _early_template(args.executor == "local", KERNEL, args.out)
    from helpers.publish.kernels import skip_iri_grammars

    skip_iri_grammars()
    try:
        extra = {name: parse_value(value) for name, value in args.parameter}
        with executors.from_arguments(args) as runner:  # a scheduler is reached (or refused) before anything else
            result = run_batch(args.years, units=args.units, notebook_dir=args.notebooks, out_root=args.out,
                               tidy_dir=args.tidy, progress=not args.no_progress, parameters=extra,
                               force=args.force, wait=args.wait, executor=runner, template=template)
    except (BatchRefused, executors.ExecutorUnavailable) as exc:
        print(f"batch not started: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("batch interrupted: pages finished before the interrupt are in place, the others are as they "
              "were; run the same command again to finish", file=sys.stderr)
        return 130
    finally:
        if template is not None:
            template.close()  # a batch refused before it ran its notebooks never entered it (stopped already if it did)
    ok = [o for o in result.outcomes if o.ok]
    ran = sum(1 for o in ok if o.job.execute)
    print(f"{ran} notebook(s) run, {len(ok) - ran} page(s) only re-exported, {len(result.up_to_date)} up to date"
          f"{f', {len(result.failures)} failed' if result.failures else ''}, in {time.perf_counter() - started:.1f} s;"
          f" index: {args.out / 'index.html'}")
    for outcome in result.failures:
        print(f"failed: {outcome.job.label}: {outcome.error}", file=sys.stderr)
    return 1 if result.failures else 0


if __name__ == "__main__":
    sys.exit(main())
