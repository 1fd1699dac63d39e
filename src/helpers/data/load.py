"""Load one year of tidy data for the notebooks, with English names beside the Chinese ones."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers import paths
from helpers.data.schema import read_table


@dataclass
class YearData:
    """The tidy tables of one report year, plus the prior-year figures the report states or implies."""

    year: int
    tidy_dir: Path
    facts: pd.DataFrame          # every fact row of this year and the prior year
    classes: pd.DataFrame        # functional classification of this year
    projects: pd.DataFrame       # projects with computed columns (see `project_view`)
    funding: pd.DataFrame
    indicators: pd.DataFrame
    findings: pd.DataFrame       # audit findings of this year, errors first
    checks: pd.DataFrame         # every audit check of this year, passed or not

    def value(self, metric: str, year: int | None = None) -> float:
        """The value of `metric` for `year` (default: the report year). KeyError names what is missing."""
        year = self.year if year is None else year
        rows = self.facts[(self.facts["metric"] == metric) & (self.facts["year"] == year)]
        if rows.empty:
            raise KeyError(f"{metric} for {year} is not in {self.tidy_dir / 'facts.csv'}")
        return float(rows.iloc[0]["value"])

    def has(self, metric: str, year: int | None = None) -> bool:
        year = self.year if year is None else year
        return bool(((self.facts["metric"] == metric) & (self.facts["year"] == year)).any())

    def line(self, metric: str, year: int | None = None) -> int:
        """The report line a figure was read from."""
        year = self.year if year is None else year
        rows = self.facts[(self.facts["metric"] == metric) & (self.facts["year"] == year)]
        return int(rows.iloc[0]["source_line"])

    @property
    def prior_year(self) -> int:
        return self.year - 1


@functools.lru_cache(maxsize=None)
def english_names(kind: str) -> dict[str, str]:
    """Chinese -> English names from data/names/<kind>.csv (classes, projects)."""
    path = paths.NAMES / f"{kind}.csv"
    if not path.exists():
        return {}
    names = pd.read_csv(path, dtype=str, keep_default_na=False)
    return dict(zip(names["name_zh"], names["name_en"]))


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


def available_years(tidy_dir: Path | str | None = None) -> list[int]:
    """The report years present in the tidy data."""
    tidy_dir = Path(tidy_dir) if tidy_dir else paths.TIDY
    return sorted(int(y) for y in read_table("projects", tidy_dir)["year"].unique())


def load_year(year: int, tidy_dir: Path | str | None = None) -> YearData:
    """Load the tidy tables of `year` from `tidy_dir` (default data/tidy, or $BUDGET_TIDY_DIR)."""
    tidy_dir = Path(tidy_dir) if tidy_dir else paths.TIDY
    facts = read_table("facts", tidy_dir)
    projects = read_table("projects", tidy_dir)
    years = sorted(int(y) for y in projects["year"].unique())
    if year not in years:
        raise ValueError(f"no report for {year} in {tidy_dir}: the tidy data holds {years or 'no year'}. "
                         f"Put the report under data/raw/{year}/ and run `make data`.")
    def of_year(df: pd.DataFrame) -> pd.DataFrame:
        return df[df["year"] == year].reset_index(drop=True)

    classes = of_year(read_table("functional_classification", tidy_dir))
    class_names = english_names("classes")
    for column in ("class_zh", "category_zh", "item_zh"):
        classes[column.replace("_zh", "_en")] = classes[column].map(class_names).fillna("")
    return YearData(
        year=year, tidy_dir=tidy_dir,
        facts=facts[facts["year"].isin([year, year - 1])].reset_index(drop=True),
        classes=classes, projects=project_view(of_year(projects)),
        funding=of_year(read_table("project_funding", tidy_dir)),
        indicators=of_year(read_table("indicators", tidy_dir)),
        findings=of_year(read_table("audit_findings", tidy_dir)), checks=of_year(read_table("audit_checks", tidy_dir)))
