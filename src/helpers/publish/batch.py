"""Run every notebook for every unit and year present, in every language it is written for, and export HTML.

    python -m helpers.publish.batch [--units UNIT ...] [--years 2023 ...] [-p NAME VALUE ...] [--force]

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
Exit status: 0 when all ran, 1 when any notebook failed, 2 when the batch could not start (a year
or unit with no report, an unknown parameter, another batch still running), 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import re
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

from helpers import paths
from helpers.constants import KERNEL, LANGUAGES, SINGLE_EDITION_LANG
from helpers.files import atomic_write
from helpers.publish import cache
from helpers.publish.chrome import Link, PageChrome, phrase, unit_label
from helpers.publish.parameters import problem as parameter_problem

ALL_YEARS = "all_years"  # folder and scope of a notebook that runs once per unit over its years
ALL_UNITS = "all_units"  # folder and scope of a notebook that runs once per year over every unit (not a unit id:
                         # ids have no underscore, helpers.read.identity.UNIT_ID)
AUDIT_PAGE_SUFFIX = "_audit"  # the template whose page the audit notice links to
LOCK_NAME = ".batch.lock"
WORKER_EXIT_S = 20  # how long an interrupted batch waits for its workers to stop their kernels
STAGED = ".staged"
# Parameters the batch sets itself; the footer leaves out tidy_dir (a folder on the machine that built it).
NOT_SHOWN = {"tidy_dir"}


class BatchRefused(ValueError):
    """The batch cannot start: the message says why and what to do."""


@dataclass(frozen=True)
class Template:
    """A notebook template: its declared parameters and its budget_story metadata."""

    path: Path
    parameters: dict  # name -> papermill's inspection ({"default": "...", "inferred_type_name": ...})
    meta: dict
    digest: str

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def scope(self) -> str:
        return self.meta.get("scope", "year")

    @property
    def hide_code(self) -> bool:
        return bool(self.meta.get("hide_code", False))

    @property
    def languages(self) -> tuple[str, ...]:
        return LANGUAGES if "lang" in self.parameters else (SINGLE_EDITION_LANG,)

    @property
    def needs_project_tables(self) -> bool:
        """A page about the projects (budget_story.needs = "project_tables"): not made for a report without them."""
        return self.meta.get("needs") == "project_tables"

    def title(self, lang: str, year: int | None) -> str:
        title = self.meta.get("title", self.name)
        if isinstance(title, dict):
            title = title.get(lang) or next(iter(title.values()), self.name)
        return str(title).format(year=year if year is not None else "").strip()


@dataclass(frozen=True)
class Job:
    """One page: a template run for one unit and year (or all its years; or one year of every unit) in one
    language."""

    template: Template
    year: int | None
    lang: str
    out_dir: Path
    parameters: dict
    unit: str | None = None  # None: a page over every unit
    kernel: str = KERNEL
    run_id: str = ""
    execute: bool = True  # False: the executed notebook is up to date, only the page is redone
    inputs_hash: str = ""
    page_hash: str = ""
    chrome: PageChrome | None = None

    @property
    def name(self) -> str:
        return self.template.name

    @property
    def stem(self) -> str:
        return f"{self.name}.{self.lang}"

    @property
    def notebook(self) -> Path:
        return self.out_dir / f"{self.stem}.ipynb"

    @property
    def page(self) -> Path:
        return self.out_dir / f"{self.stem}.html"

    @property
    def failed_copy(self) -> Path:
        return self.out_dir / f"{self.stem}.failed.ipynb"

    @property
    def staged_notebook(self) -> Path:
        return self.out_dir / f".{self.stem}.{self.run_id}.ipynb{STAGED}"

    @property
    def staged_page(self) -> Path:
        return self.out_dir / f".{self.stem}.{self.run_id}.html{STAGED}"

    @property
    def folder(self) -> str:
        """The page's folder under the output root: <unit>/<year>, <unit>/all_years or all_units/<year>."""
        return f"{self.out_dir.parent.name}/{self.out_dir.name}"

    @property
    def label(self) -> str:
        return f"{self.folder}/{self.stem}"


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


# ---------------------------------------------------------------- templates and parameters

def templates(notebook_dir: Path = paths.NOTEBOOKS) -> list[Path]:
    """The notebook templates, in file order (their names start with the step number)."""
    return sorted(p for p in Path(notebook_dir).glob("*.ipynb") if not p.name.startswith("_"))


def _inspect(path: Path, digest: str, memo_file: Path | None) -> tuple[dict, dict]:
    """Declared parameters (papermill's inspection) and budget_story metadata of a template.

    Inspection imports papermill (seconds); the answer is remembered by the template's hash in
    the output folder, so an unchanged batch does not pay for it.
    """
    memo = {}
    if memo_file and memo_file.exists():
        try:
            memo = json.loads(memo_file.read_text(encoding="utf-8"))
        except ValueError:
            memo = {}
    if digest in memo:
        return memo[digest]["parameters"], memo[digest]["meta"]
    from papermill.inspection import inspect_notebook

    parameters = {name: {k: v for k, v in spec.items() if k in ("default", "inferred_type_name", "help")}
                  for name, spec in inspect_notebook(str(path)).items()}
    meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("budget_story", {})
    if memo_file:
        memo[digest] = {"parameters": parameters, "meta": meta}
        # keys keep their order: the footer lists parameters in the order the notebook declares them
        atomic_write(memo_file, json.dumps(memo, ensure_ascii=False, indent=1) + "\n")
    return parameters, meta


def load_templates(notebook_dir: Path, memo_file: Path | None = None) -> list[Template]:
    """Every template in story order: pages for readers (no code shown) first, then by name."""
    found = []
    for path in templates(notebook_dir):
        digest = cache.key("template", path.read_bytes().hex())
        parameters, meta = _inspect(path, digest, memo_file)
        found.append(Template(path, parameters, meta, digest))
    return sorted(found, key=lambda t: (not t.hide_code, t.name))


def parse_value(text: str):
    """A `-p` value as papermill's command line reads it: True/False/None, int, float, else text."""
    if text in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[text]
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _shown_default(spec: dict) -> str:
    return str(spec.get("default", "")).strip().strip("\"'")


# ---------------------------------------------------------------- years, sources, notice

def raw_years(raw_dir: Path = paths.RAW) -> list[int]:
    """Years with a report (.txt or .docx) under data/raw/<year>/."""
    if not Path(raw_dir).is_dir():
        return []
    return sorted(int(d.name) for d in Path(raw_dir).iterdir()
                  if d.is_dir() and d.name.isdigit() and any(d.glob("*.txt")) | any(d.glob("*.docx")))


def _rows(table: Path) -> list[dict]:
    if not table.exists():
        return []
    with open(table, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def tidy_reports(tidy_dir: Path) -> list[dict]:
    """reports.csv: one row per report (unit_id, unit_zh, report, report_year), by unit, then year."""
    rows = _rows(Path(tidy_dir) / "reports.csv")
    return sorted(rows, key=lambda r: (r.get("unit_id", ""), int(r["report_year"]), r["report"]))


def tidy_units(tidy_dir: Path) -> dict[str, list[int]]:
    """Each unit in the tidy data -> the years it has its own report for."""
    units: dict[str, list[int]] = {}
    for row in tidy_reports(tidy_dir):
        units.setdefault(row["unit_id"], []).append(int(row["report_year"]))
    return units


def tidy_years(tidy_dir: Path) -> list[int]:
    """Years that have a report of some unit in the tidy data."""
    return sorted({year for years in tidy_units(tidy_dir).values() for year in years})


def with_project_tables(tidy_dir: Path) -> set[tuple[str, int]]:
    """(unit, year) of every report with project self-evaluation tables (rows in projects.csv)."""
    return {(r["unit_id"], int(r["report_year"])) for r in _rows(Path(tidy_dir) / "projects.csv")}


def _own_rows(rows: list[dict], year: int, unit: str | None = None) -> list[dict]:
    return [r for r in rows if r.get("report_year") == str(year) and unit in (None, r.get("unit_id"))]


def source_reports(year: int | None, tidy_dir: Path, unit: str | None = None) -> list[str]:
    """The report file(s) a page comes from: reports of `unit` (None: every unit) for `year` (None: every year)."""
    rows = tidy_reports(tidy_dir)
    return sorted({r["report"] for r in rows if (year is None or r["report_year"] == str(year))
                   and unit in (None, r["unit_id"])})


def error_count(year: int, tidy_dir: Path, unit: str | None = None) -> int:
    """How many contradictions the audit found in the year's own report (of `unit`; None: the only unit), counted
    as the audit page counts them: one per cause (findings that share a cause, such as a class amount and its
    printed share, count once)."""
    errors = [r for r in _own_rows(_rows(Path(tidy_dir) / "audit_findings.csv"), year, unit)
              if r.get("severity") == "error"]
    return len({r.get("cause") or f"row {n}" for n, r in enumerate(errors)})


def notice_words(year: int, lang: str, errors: int) -> tuple[str, str]:
    """The caution at the top of every page of a year whose report contradicts itself: words before and
    after the link to the audit page (empty when the audit found no error)."""
    if not errors:
        return ("", "")
    places = phrase(lang, "notice_place_one" if errors == 1 else "notice_place_many")
    before, _, after = phrase(lang, "notice", year=year, count=errors, places=places, audit="\0").partition("\0")
    return (before, after)


def error_notice(year: int, tidy_dir: Path, lang: str = SINGLE_EDITION_LANG, unit: str | None = None) -> str:
    """The caution as plain text (empty when the audit found no error in the year's report)."""
    before, after = notice_words(year, lang, error_count(year, Path(tidy_dir), unit))
    return f"{before}{phrase(lang, 'notice_audit_link')}{after}" if before else ""


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("luzhou-budget-story")
    except PackageNotFoundError:
        return "unknown"


# ---------------------------------------------------------------- planning

def check_years(years: list[int], tidy_dir: Path, default_tidy: bool, raw_dir: Path = paths.RAW,
                units: list[str] | None = None) -> dict[str, list[int]]:
    """The units and years to build: every unit (or those in `units`) with its years (or those in `years`).
    Refuses a year or unit without a report before anything runs (data/raw/ first, when the default tidy data
    is used)."""
    years = list(years or [])
    if default_tidy and years:
        have = raw_years(raw_dir)
        missing = [y for y in years if y not in have]
        if missing:
            raise BatchRefused(
                f"no report for {', '.join(map(str, missing))}: {raw_dir}/<year>/ holds none (reports found for "
                f"{', '.join(map(str, have)) or 'no year'}). Put the report (.txt or .docx) under "
                f"{raw_dir}/<year>/ and run the command again.")
    present = tidy_units(tidy_dir)
    if units:
        unknown = [u for u in units if u not in present]
        if unknown:
            raise BatchRefused(f"no report of the unit(s) {', '.join(unknown)} in {tidy_dir}: the data holds "
                               f"{', '.join(present) or 'no unit'} (the unit_id column of reports.csv)")
        present = {u: present[u] for u in units}
    have = sorted({y for ys in present.values() for y in ys})
    missing = [y for y in years if y not in have]
    if missing or not have:
        raise BatchRefused(
            f"no report for {', '.join(map(str, missing)) or 'any year'} in {tidy_dir}: the data holds "
            f"{', '.join(map(str, have)) or 'no year'}. Put the report under data/raw/<year>/ and run `make data`.")
    chosen = {u: [y for y in ys if not years or y in years] for u, ys in present.items()}
    return {u: ys for u, ys in chosen.items() if ys}


def plan(years: list[int] | None, notebook_dir: Path, out_root: Path, tidy_dir: Path | None, kernel: str = KERNEL,
         extra: dict | None = None, force: bool = False, run_id: str = "",
         units: list[str] | None = None) -> list[Job]:
    """Every page to make, with its inputs hash and whether its notebook must run; raises BatchRefused."""
    default_tidy = tidy_dir is None
    tidy = Path(tidy_dir) if tidy_dir else paths.TIDY
    chosen = check_years(years or [], tidy, default_tidy, units=units)
    found = load_templates(Path(notebook_dir), Path(out_root) / ".build" / "templates.json")
    if not found:
        raise BatchRefused(f"no notebook templates in {notebook_dir}")
    extra = dict(extra or {})
    unknown = sorted(set(extra) - {name for t in found for name in t.parameters})
    if unknown:
        raise BatchRefused(f"no notebook declares the parameter(s) {', '.join(unknown)}: check the spelling "
                           f"against the parameters cells in {notebook_dir}")
    wrong = [p for p in (parameter_problem(name, value) for name, value in extra.items()) if p]
    if wrong:  # a value out of range would make every page say something false (17 projects below 8000%)
        raise BatchRefused("; ".join(wrong))
    tidy_digest, code_digest = cache.tidy_hash(tidy), cache.code_hash()
    every_year = sorted({y for ys in chosen.values() for y in ys})
    tabled = with_project_tables(tidy)
    jobs = []
    for template in found:
        if template.scope == ALL_UNITS:
            scopes = [(None, year, Path(out_root) / ALL_UNITS / str(year)) for year in every_year]
        elif template.scope == ALL_YEARS:
            scopes = [(unit, None, Path(out_root) / unit / ALL_YEARS) for unit in chosen]
        else:
            scopes = [(unit, year, Path(out_root) / unit / str(year)) for unit, ys in chosen.items() for year in ys
                      if not template.needs_project_tables or (unit, year) in tabled]
        for unit, year, out_dir in scopes:
            for lang in template.languages:
                given = {"year": year, "lang": lang, **({"tidy_dir": str(tidy)} if not default_tidy else {}),
                         "unit": unit, **extra}
                parameters = {k: v for k, v in given.items() if k in template.parameters and v is not None}
                inputs = cache.key("notebook", template.digest, {k: v for k, v in parameters.items()
                                                                 if k not in NOT_SHOWN}, tidy_digest, code_digest,
                                   kernel)
                job = Job(template, year, lang, out_dir, parameters, unit, kernel, run_id, inputs_hash=inputs)
                execute = force or cache.notebook_key(job.notebook) != inputs
                jobs.append(replace(job, execute=execute))
    return _with_chrome(jobs, tidy, cache.code_hash(part="page"))


def _with_chrome(jobs: list[Job], tidy: Path, page_code: str) -> list[Job]:
    """Give every job its page chrome (links, notice, footer) and the hash of its page's inputs."""
    package_version = version()
    groups: dict[tuple, list[Job]] = {}
    for job in jobs:
        groups.setdefault((job.out_dir, job.lang), []).append(job)
    errors = {(j.unit, j.year): error_count(j.year, tidy, j.unit) for j in jobs
              if j.year is not None and j.unit is not None}
    sources = {(j.unit, j.year): source_reports(j.year, tidy, j.unit) for j in jobs}
    done = []
    for job in jobs:
        siblings = groups[(job.out_dir, job.lang)]
        at = siblings.index(job)
        back = "../../index.html"

        def link(other: Job, lang: str = "") -> Link:
            return Link(other.page.name, other.template.title(other.lang, other.year), lang)

        twins = [j for j in jobs if j.template is job.template and j.year == job.year and j.unit == job.unit
                 and j.lang != job.lang]
        audit = next((j for j in siblings if j.name.endswith(AUDIT_PAGE_SUFFIX)), None)
        own_errors = errors.get((job.unit, job.year), 0)
        notice = notice_words(job.year, job.lang, own_errors) if job.year is not None else ("", "")
        notice_link = None
        if notice[0] and audit is not None and audit is not job:
            notice_link = Link(audit.page.name, phrase(job.lang, "notice_audit_link"))
        elif notice[0]:
            notice = (notice[0] + phrase(job.lang, "notice_audit_link") + notice[1], "")
        shown = {name: _shown_default(spec) for name, spec in job.template.parameters.items() if name not in NOT_SHOWN}
        shown.update({k: v for k, v in job.parameters.items() if k not in NOT_SHOWN})
        report_files = ", ".join(sources[(job.unit, job.year)]) or "?"
        unit = unit_label(tidy, job.lang, job.unit, job.year if job.unit is None else None)
        source = (phrase(job.lang, "source_report", year=job.year, report=report_files, unit=unit)
                  if job.year is not None else phrase(job.lang, "source_all_years", report=report_files, unit=unit))
        chrome = PageChrome(
            title=job.template.title(job.lang, job.year), lang=job.lang,
            index=Link(back, phrase(job.lang, "all_reports")),
            previous=link(siblings[at - 1]) if at > 0 else None,
            next=link(siblings[at + 1]) if at + 1 < len(siblings) else None,
            other_editions=tuple(Link(t.page.name, phrase(t.lang, "other_edition",  # in the twin's language
                                                          language=phrase(t.lang, "language_name")), t.lang)
                                 for t in twins),
            notice=notice, notice_link=notice_link, source=source, parameters=shown,
            version=package_version, inputs_hash=job.inputs_hash)
        page_hash = cache.key("page", job.inputs_hash, chrome.as_metadata(), job.template.hide_code, page_code)
        done.append(replace(job, chrome=chrome, page_hash=page_hash))
    return done


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
    import nbformat

    from helpers.publish.export import to_html
    from helpers.publish.kernels import ipc_kernel_manager, quiet

    quiet()
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


def write_index(out_root: Path, notebook_dir: Path = paths.NOTEBOOKS, tidy_dir: Path | None = None) -> Path:
    from helpers.publish.index import write_index as write

    return write(Path(out_root), Path(notebook_dir), Path(tidy_dir) if tidy_dir else paths.TIDY)


def _worker_init() -> None:
    """In a worker, Ctrl-C ends the process quietly (SystemExit): the batch's parent reports it."""
    import signal

    signal.signal(signal.SIGINT, lambda *_: sys.exit(130))


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


def run_batch(years: list[int] | None = None, *, units: list[str] | None = None,
              notebook_dir: Path = paths.NOTEBOOKS, out_root: Path = paths.REPORTS,
              tidy_dir: Path | None = None, workers: int | None = None, kernel: str = KERNEL,
              progress: bool = True, parameters: dict | None = None, force: bool = False,
              wait: float = 1800) -> BatchResult:
    """Execute and export every stale page for every unit, year and language; see the module docstring.
    `years` and `units` keep only those named (None or empty: every one present)."""
    out_root = Path(out_root)
    default_tidy = tidy_dir is None
    # refused before taking the lock
    check_years(years or [], Path(tidy_dir) if tidy_dir else paths.TIDY, default_tidy, units=units)
    lock = _lock(out_root, wait)
    try:
        return _run_locked(years, Path(notebook_dir), out_root, tidy_dir, workers, kernel, progress,
                           parameters, force, units)
    finally:
        lock.release()


def _run_locked(years, notebook_dir, out_root, tidy_dir, workers, kernel, progress, parameters, force, units):
    run_id = uuid.uuid4().hex[:12]
    everything = plan(years, notebook_dir, out_root, tidy_dir, kernel, parameters, force, run_id, units)
    stale = [j for j in everything if force or j.execute or cache.page_key(j.page) != j.page_hash]
    result = BatchResult(up_to_date=[j for j in everything if j not in stale])
    out_dirs = {job.out_dir for job in everything}
    remove_staged(out_dirs)  # we hold the lock: whatever is staged was left by a killed batch
    if stale:
        _run_jobs(stale, result, workers, kernel, progress, out_dirs, run_id)
    result.outcomes.sort(key=lambda o: (o.job.folder, o.job.name, o.job.lang))
    write_index(out_root, notebook_dir, tidy_dir)
    return result


def _run_jobs(stale, result, workers, kernel, progress, out_dirs, run_id) -> None:

    from helpers.publish.kernels import ensure_kernel, quiet, template_process

    executes = any(job.execute for job in stale)
    if executes:
        ensure_kernel(kernel)
    quiet()
    # The kernels' template process starts before the workers fork, so that they inherit its address.
    with template_process(kernel) if executes else contextlib.nullcontext():
        _run_pool(stale, result, workers, progress, out_dirs, run_id)


def _run_pool(stale, result, workers, progress, out_dirs, run_id) -> None:
    from tqdm import tqdm

    workers = max(1, min(workers or os.cpu_count() or 1, len(stale)))
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_init)
    try:
        futures = [pool.submit(run_job, job) for job in stale]
        with tqdm(total=len(stale), desc="notebooks", unit="nb", disable=not progress, file=sys.stderr) as bar:
            for future in as_completed(futures):
                outcome = future.result()
                result.outcomes.append(outcome)
                bar.update(1)
                if not outcome.ok:
                    bar.write(f"FAILED {outcome.job.label}: {outcome.error}")
    except BaseException:
        # Ctrl-C (or a crash): keep what finished, remove this run's staged files; the rest stays as it was.
        # The workers got the signal too; wait for them (briefly), or one could stage a file after the clean-up.
        workers_left = list(getattr(pool, "_processes", {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in workers_left:
            process.join(timeout=WORKER_EXIT_S)
        publish(result.outcomes)
        remove_staged(out_dirs, run_id)
        raise
    pool.shutdown(wait=True)
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
    parser.add_argument("--workers", type=int, help="parallel kernels (default: number of cores)")
    parser.add_argument("--out", type=Path, default=paths.REPORTS, help="output folder (default reports/)")
    parser.add_argument("--tidy", type=Path, help="tidy data folder (default data/tidy)")
    parser.add_argument("--notebooks", type=Path, default=paths.NOTEBOOKS, help="templates (default notebooks/)")
    parser.add_argument("--wait", type=float, default=1800, help="seconds to wait for another batch (default 1800)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        extra = {name: parse_value(value) for name, value in args.parameter}
        result = run_batch(args.years, units=args.units, notebook_dir=args.notebooks, out_root=args.out,
                           tidy_dir=args.tidy,
                           workers=args.workers, progress=not args.no_progress, parameters=extra,
                           force=args.force, wait=args.wait)
    except BatchRefused as exc:
        print(f"batch not started: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("batch interrupted: pages finished before the interrupt are in place, the others are as they "
              "were; run the same command again to finish", file=sys.stderr)
        return 130
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
