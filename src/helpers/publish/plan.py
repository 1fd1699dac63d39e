"""What a batch makes: the notebook templates, the units and years of the tidy data, and one job per page.

Planning reads the templates (their declared parameters and `budget_story` metadata), the units and
years in the tidy data (through `helpers.data.load`), and gives every page its parameters, the hash of
its inputs and its chrome (links, notice, footer). It runs nothing: `helpers.publish.batch` runs the jobs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from helpers import paths
from helpers.constants import KERNEL, LANGUAGES, SINGLE_EDITION_LANG
from helpers.files import atomic_write
from helpers.publish import cache
from helpers.publish.chrome import Link, PageChrome, phrase, unit_label
from helpers.publish.parameters import problem as parameter_problem

# helpers.data (and pandas with it) is imported by the functions that read the tidy data, not with this module: the
# batch imports it before it starts its kernel template process, which then imports pandas on the other core.

ALL_YEARS = "all_years"  # folder and scope of a notebook that runs once per unit over its years
ALL_UNITS = "all_units"  # folder and scope of a notebook that runs once per year over every unit (not a unit id:
                         # ids have no underscore, helpers.read.identity.UNIT_ID)
AUDIT_PAGE_SUFFIX = "_audit"  # the template whose page the audit notice links to
STAGED = ".staged"  # suffix of a page written by a job and not yet moved into place
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
    from helpers.publish.kernels import skip_iri_grammars

    skip_iri_grammars()
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


def tidy_reports(tidy_dir: Path) -> list[dict]:
    """reports.csv: one row per report (unit_id, unit_zh, report, report_year), by unit, then year; none when the
    tidy data has no reports.csv (not built yet: the batch then refuses, saying which years it holds)."""
    from helpers.data import catalog

    if not (Path(tidy_dir) / "reports.csv").exists():
        return []
    return catalog.reports(Path(tidy_dir))


def tidy_units(tidy_dir: Path) -> dict[str, list[int]]:
    """Each unit in the tidy data -> the years it has its own report for."""
    units: dict[str, list[int]] = {}
    for row in tidy_reports(tidy_dir):
        units.setdefault(row["unit_id"], []).append(int(row["report_year"]))
    return units


def tidy_years(tidy_dir: Path) -> list[int]:
    """Years that have a report of some unit in the tidy data."""
    return sorted({year for years in tidy_units(tidy_dir).values() for year in years})


def source_reports(year: int | None, tidy_dir: Path, unit: str | None = None,
                   reports: list[dict] | None = None) -> list[str]:
    """The report file(s) a page comes from: reports of `unit` (None: every unit) for `year` (None: every year).
    `reports`: `tidy_reports(tidy_dir)`, when the caller has it already."""
    rows = tidy_reports(tidy_dir) if reports is None else reports
    return sorted({r["report"] for r in rows if year in (None, int(r["report_year"])) and unit in (None, r["unit_id"])})


def error_count(year: int, tidy_dir: Path, unit: str | None = None, errors=None) -> int:
    """How many contradictions the audit found in the year's own report (of `unit`; None: the only unit), counted
    as the audit page counts them: one per cause (findings that share a cause, such as a class amount and its
    printed share, count once). `errors`: `catalog.audit_errors(tidy_dir)`, when the caller has it already."""
    from helpers.data import catalog

    errors = catalog.audit_errors(Path(tidy_dir)) if errors is None else errors
    own = [e for e in errors if e["report_year"] == year and unit in (None, e["unit_id"])]
    return len({e["cause"] or f"row {n}" for n, e in enumerate(own)})


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


def _from_tidy(read, tidy: Path):
    """`read(tidy)`; a table missing from the tidy data, or one not as the schema has it, refuses the batch (the
    message names the file and says to run `make data`)."""
    try:
        return read(tidy)
    except (FileNotFoundError, ValueError) as exc:
        raise BatchRefused(str(exc)) from None


def plan(years: list[int] | None, notebook_dir: Path, out_root: Path, tidy_dir: Path | None, kernel: str = KERNEL,
         extra: dict | None = None, force: bool = False, run_id: str = "",
         units: list[str] | None = None) -> list[Job]:
    """Every page to make, with its inputs hash and whether its notebook must run; raises BatchRefused."""
    from helpers.data import catalog

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
    tabled = _from_tidy(catalog.reports_with_project_tables, tidy)
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
    from helpers.data import catalog

    package_version = version()
    groups: dict[tuple, list[Job]] = {}
    for job in jobs:
        groups.setdefault((job.out_dir, job.lang), []).append(job)
    every_error = _from_tidy(catalog.audit_errors, tidy)
    errors = {(j.unit, j.year): error_count(j.year, tidy, j.unit, every_error) for j in jobs
              if j.year is not None and j.unit is not None}
    reports = tidy_reports(tidy)
    sources = {(j.unit, j.year): source_reports(j.year, tidy, j.unit, reports) for j in jobs}
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

