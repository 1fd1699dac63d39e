"""Notebook 07 (trend): each year's own report side by side, and projects matched across years by code.
Results only; the words are in templates/<lang>/trend.j2 (a year's change is a `common.Change`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers import paths
from helpers.data import corpus
from helpers.data.load import YearData, resolve_unit

TREND_METRICS = ("total_expenditure", "basic_expenditure", "project_expenditure", "three_public_total",
                 "vehicle_purchase", "vehicle_operation", "fleet_total", "budget_completion_rate")


def unit_years(tidy_dir: Path | str | None = None, unit: str = "") -> list[YearData]:
    """Each year's own report of `unit` (empty: the only unit), oldest first, read from the corpus store with
    DuckDB in one query per table (helpers.data.corpus.read_unit): what load_year gives year by year."""
    tidy = Path(tidy_dir) if tidy_dir else paths.TIDY
    return corpus.read_unit(resolve_unit(unit, tidy), tidy)


def trend_table(tidy_dir: Path | str | None = None, unit: str = "") -> pd.DataFrame:
    """Each year's own report of `unit` (empty: the only unit): one row per year, one column per metric in
    TREND_METRICS, plus the projects' overall execution (executed ÷ adjusted budget over all projects)."""
    rows = []
    for data in unit_years(tidy_dir, unit):
        row = {"year": data.year} | {m: data.value(m) if data.has(m) else float("nan") for m in TREND_METRICS}
        budgets = data.projects["budget_adjusted"].sum()
        row["project_execution"] = data.projects["executed"].sum() / budgets if budgets else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def projects_across_years(tidy_dir: Path | str | None = None, unit: str = "") -> pd.DataFrame:
    """Projects matched across years by project code: project_code, project_name, year, budget_adjusted,
    executed, execution_rate (long form; pivot on year to compare)."""
    frames = [data.projects.assign(year=data.year) for data in unit_years(tidy_dir, unit)]
    if not frames:
        return pd.DataFrame(columns=["project_code", "project_name", "year", "budget_adjusted", "executed",
                                     "execution_rate"])
    projects = pd.concat(frames, ignore_index=True)
    # the name of a code is the one its latest report prints
    latest = projects.sort_values("year").groupby("project_code")["project_name"].last()
    projects["project_name"] = projects["project_code"].map(latest)
    return projects[["project_code", "project_name", "year", "budget_adjusted", "executed",
                     "execution_rate"]].sort_values(["project_code", "year"]).reset_index(drop=True)


def execution_changes(projects: pd.DataFrame) -> pd.DataFrame:
    """Projects in both the first and the last year of `projects_across_years`: project_code, project_name,
    first and last execution rate and the change, largest change (either way) first."""
    if projects.empty:
        return pd.DataFrame(columns=["project_code", "project_name", "first", "last", "change"])
    years = sorted(projects["year"].unique())
    wide = projects.pivot_table(index=["project_code", "project_name"], columns="year", values="execution_rate")
    if len(years) < 2 or years[0] not in wide or years[-1] not in wide:
        return pd.DataFrame(columns=["project_code", "project_name", "first", "last", "change"])
    both = wide[[years[0], years[-1]]].dropna().reset_index()
    both.columns = ["project_code", "project_name", "first", "last"]
    both["change"] = both["last"] - both["first"]
    return both.reindex(both["change"].abs().sort_values(ascending=False).index).reset_index(drop=True)
