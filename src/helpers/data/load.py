"""Load one unit's year of tidy data for the notebooks, with English names beside the Chinese ones."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers import paths
from helpers.data import catalog
from helpers.data.facts import Facts
from helpers.data.schema import frame, read_table


@dataclass
class YearData:
    """The tidy tables of one year's own report, with what that report states or implies about the prior year.

    Figures another report states about this year (next year's report restating it) are not here: they
    are in restatements.csv.
    """

    year: int
    tidy_dir: Path
    facts: pd.DataFrame          # every fact row of the year's report: this year and the prior year
    classes: pd.DataFrame        # functional classification of this year
    projects: pd.DataFrame       # projects with computed columns (see `project_view`)
    funding: pd.DataFrame
    indicators: pd.DataFrame
    findings: pd.DataFrame       # audit findings of this year, errors first
    checks: pd.DataFrame         # every audit check of this year, passed or not
    report: str = ""             # the report the data comes from (its file name without extension)
    unit_id: str = ""            # the publishing unit's id (reports.csv unit_id)
    # the reasons the report states for a figure (主要原因), loaded once: `helpers.story.common.stated_reason`
    explanations: pd.DataFrame = field(default_factory=lambda: frame("explanations", []))
    glossary: pd.DataFrame = field(default_factory=lambda: frame("glossary", []))   # the report's 名词解释
    unit_zh: str = ""            # the publishing unit, as the report names it (reports.csv)
    # the page each line was printed on, when the report is a PDF (source_locations.csv); empty otherwise
    pages: dict[int, int] = field(default_factory=dict)
    # the report's sections and project tables with the lines each spans (sections.csv): what pages cite lines by
    sections: pd.DataFrame = field(default_factory=lambda: frame("sections", []))
    fact_store: Facts = field(init=False, repr=False)  # value, line, decimals of `facts` by (year, metric)

    def __post_init__(self) -> None:
        self.fact_store = Facts(self.year, self.facts, source=Path(self.tidy_dir) / "facts.csv")

    def value(self, metric: str, year: int | None = None) -> float:
        """The value of `metric` for `year` (default: the report year). KeyError names what is missing."""
        return self.fact_store.value(metric, year)

    def has(self, metric: str, year: int | None = None) -> bool:
        return self.fact_store.has(metric, year=year)

    def line(self, metric: str, year: int | None = None) -> int:
        """The report line a figure was read from. KeyError names what is missing."""
        return self.fact_store.line(metric, year)

    @property
    def prior_year(self) -> int:
        return self.year - 1


@functools.cache
def english_names(kind: str) -> dict[str, str]:
    """Chinese -> English names from data/names/<kind>.csv (classes, projects, indicators, indicator_levels,
    measurement_units, reasons, units)."""
    return catalog.english_names(paths.NAMES, kind)


# The names table of data/names/ that glosses each column of names a table may carry: an English page shows the
# gloss beside the name as printed (`with_glosses`), a chart shows it instead (helpers.show.charts.names).
NAME_KINDS = {"project_name": "projects", "class_zh": "classes", "category_zh": "classes", "item_zh": "classes",
              "indicator": "indicators", "level1": "indicator_levels", "level2": "indicator_levels",
              "unit": "measurement_units"}


def gloss_column(column: str) -> str:
    """The column holding the English gloss of a column of names, for the tables (`with_glosses`) and the charts
    (helpers.show.charts.names): project_name -> name_en (as `project_view` names it), class_zh -> class_en,
    indicator -> indicator_en."""
    return "name_en" if column == "project_name" else column.removesuffix("_zh") + "_en"


def gloss(name: object, kind: str) -> str:
    """The English gloss of a name as printed (data/names/<kind>.csv), '' when there is none or no name."""
    if not isinstance(name, str) or not name:
        return ""
    names = english_names(kind)
    return names.get(name) or names.get(name.strip(), "")


def with_glosses(table: pd.DataFrame) -> pd.DataFrame:
    """`table` with the English gloss of each column of names it has (NAME_KINDS) right after that column, unless
    the table already carries it; a name without a gloss gets ''."""
    glossed = table.copy()
    for column, kind in NAME_KINDS.items():
        target = gloss_column(column)
        if column in glossed.columns and target not in glossed.columns:
            glossed.insert(glossed.columns.get_loc(column) + 1, target, [gloss(n, kind) for n in glossed[column]])
    return glossed


def display_name(name_zh: str, names: dict[str, str]) -> str:
    """'English (中文)' when an English name is known, else the Chinese name alone."""
    english = names.get(name_zh, "")
    return f"{english} ({name_zh})" if english else name_zh


def project_view(projects: pd.DataFrame) -> pd.DataFrame:
    """Projects with the figures the story needs computed from the stated amounts.

    Adds `execution_rate` (executed / adjusted budget), `unspent` (adjusted budget - executed),
    `name_en` and `display_name`.
    """
    names = english_names("projects")
    view = projects.copy()
    view["execution_rate"] = (view["executed"] / view["budget_adjusted"]).where(view["budget_adjusted"] > 0)
    view["unspent"] = (view["budget_adjusted"] - view["executed"]).round(2)
    view["name_en"] = view["project_name"].map(names).fillna("")
    view["display_name"] = [display_name(n, names) for n in view["project_name"]]
    return view


def units(tidy_dir: Path | str | None = None) -> pd.DataFrame:
    """One row per report in the tidy data: unit_id, unit_zh (as printed), report_year, report; by unit, then year."""
    path = (Path(tidy_dir) if tidy_dir else paths.TIDY) / "reports.csv"
    try:
        found = path.stat()
        stamp = (found.st_mtime_ns, found.st_size, found.st_ino)
    except OSError:
        stamp = None  # read_table says what is missing
    return _units(path.parent, stamp).copy()


@functools.lru_cache(maxsize=8)
def _units(tidy_dir: Path, stamp: tuple | None) -> pd.DataFrame:
    # a page asks several times (its unit, its years, the comparison's units): reports.csv is read once per version
    return _frame(catalog.reports(tidy_dir), ["unit_id", "unit_zh", "report_year", "report"])


def reports_with_project_tables(tidy_dir: Path | str | None = None) -> set[tuple[str, int]]:
    """(unit_id, report_year) of every report with project self-evaluation tables (rows in projects.csv)."""
    return catalog.reports_with_project_tables(Path(tidy_dir) if tidy_dir else paths.TIDY)


def audit_errors(tidy_dir: Path | str | None = None) -> pd.DataFrame:
    """The contradictions (audit findings of severity "error") of every report: unit_id, report_year, cause,
    in the order of audit_findings.csv."""
    return _frame(catalog.audit_errors(Path(tidy_dir) if tidy_dir else paths.TIDY), ["unit_id", "report_year", "cause"])


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """`rows` of helpers.data.catalog as a table typed as the schema types them (text, report_year int64)."""
    table = pd.DataFrame(rows, columns=columns)
    return table.astype({c: "int64" if c == "report_year" else "str" for c in columns})


def resolve_unit(unit: str = "", tidy_dir: Path | str | None = None) -> str:
    """The unit id to load: `unit` when the tidy data holds it; empty means the only unit present.
    Several units and no choice, or a unit not present, is a ValueError that lists the units present."""
    present = units(tidy_dir)
    ids = list(dict.fromkeys(present["unit_id"]))
    listed = "; ".join(f"{u} ({present[present['unit_id'] == u].iloc[0]['unit_zh']})" for u in ids) or "no unit"
    if unit:
        if unit not in ids:
            raise ValueError(f"no report of unit {unit!r} in {tidy_dir or paths.TIDY}: the tidy data holds {listed}")
        return unit
    if len(ids) != 1:
        raise ValueError(f"the tidy data in {tidy_dir or paths.TIDY} holds {len(ids)} units: {listed}; "
                         "choose one with the `unit` parameter")
    return ids[0]


def reports_by_year(tidy_dir: Path | str | None = None, unit: str = "") -> dict[int, str]:
    """Each year that has its own report of `unit` (empty: the only unit present) -> that report."""
    present = units(tidy_dir)
    mine = present[present["unit_id"] == resolve_unit(unit, tidy_dir)]
    return {int(y): str(r) for y, r in zip(mine["report_year"], mine["report"], strict=True)}


def available_years(tidy_dir: Path | str | None = None, unit: str = "") -> list[int]:
    """The years that have their own report of `unit` (empty: the only unit present) in the tidy data."""
    return sorted(reports_by_year(tidy_dir, unit))


def load_year(year: int, tidy_dir: Path | str | None = None, unit: str = "", *,
              from_corpus: bool | None = None) -> YearData:
    """Load the tables of `unit`'s own report of `year` from `tidy_dir` (default data/tidy, or $BUDGET_TIDY_DIR).

    `unit` is a unit id (reports.csv `unit_id`); empty means the only unit in the tidy data. The rows come from
    that report's own partition of the corpus store (helpers.data.corpus) when the tidy folder has a corpus
    written with its CSV files as they are (`from_corpus=None`): nothing of another unit or year is read, so
    memory does not grow with the number of reports. Else (no corpus, or one older than the CSV files) from
    the CSV files, each read whole and filtered; `from_corpus=False` asks for that, `True` for the corpus.
    Both give the same YearData (tested).
    """
    tidy_dir = Path(tidy_dir) if tidy_dir else paths.TIDY
    unit = resolve_unit(unit, tidy_dir)
    reports = reports_by_year(tidy_dir, unit)
    if year not in reports:
        raise ValueError(f"no report for {year} of {unit} in {tidy_dir}: the tidy data holds "
                         f"{sorted(reports) or 'no year'} for it. Put the report under data/raw/{year}/ and run "
                         "`make data`.")
    report = reports[year]
    from helpers.data import corpus  # it imports this module

    if corpus.is_current(tidy_dir) if from_corpus is None else from_corpus:
        return corpus.read_report(unit, year, tidy_dir)

    def of_year(name: str) -> pd.DataFrame:
        df = _optional_table(name, tidy_dir) if name in OPTIONAL_TABLES else read_table(name, tidy_dir)
        return df[df["report"] == report].reset_index(drop=True)

    return year_data(year, tidy_dir, unit, report, of_year)


# The tables a YearData holds, each with the rows of its one report.
YEAR_TABLES = ["facts", "functional_classification", "projects", "project_funding", "indicators", "audit_findings",
               "audit_checks", "explanations", "glossary", "reports", "source_locations", "sections"]
# Tables that tidy data written before them lacks (read as empty).
OPTIONAL_TABLES = ("source_locations", "sections")


def year_data(year: int, tidy_dir: Path, unit: str, report: str, table) -> YearData:
    """A YearData of `report` from `table(name)`, which returns that report's rows of the tidy table `name`
    (CSV or corpus: helpers.data.corpus reads every unit's year at once)."""
    classes = table("functional_classification")
    class_names = english_names("classes")
    for column in ("class_zh", "category_zh", "item_zh"):
        classes[column.replace("_zh", "_en")] = classes[column].map(class_names).fillna("")
    return YearData(
        year=year, tidy_dir=tidy_dir, report=report, unit_id=unit, facts=table("facts"),
        classes=classes, projects=project_view(table("projects")), funding=table("project_funding"),
        indicators=table("indicators"), findings=table("audit_findings"), checks=table("audit_checks"),
        explanations=table("explanations"), glossary=table("glossary"),
        unit_zh=str(table("reports").iloc[0]["unit_zh"]), pages=_pages(table("source_locations")),
        sections=table("sections"))


def _optional_table(name: str, tidy_dir: Path) -> pd.DataFrame:
    """A table that tidy data written before it existed may lack (source_locations.csv): empty when absent."""
    return read_table(name, tidy_dir) if (Path(tidy_dir) / f"{name}.csv").exists() else frame(name, [])


def _pages(locations: pd.DataFrame) -> dict[int, int]:
    return {int(line): int(page) for line, page in zip(locations["source_line"], locations["page"], strict=True)}
