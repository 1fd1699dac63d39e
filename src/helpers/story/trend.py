"""Notebook 07 (trend): each year's own report side by side, and projects matched across years by code.
Results only; the words are in templates/<lang>/trend.j2 (a year's change is a `common.Change`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers import paths
from helpers.data import corpus
from helpers.data.load import YearData, resolve_unit
from helpers.story.common import Change

TREND_METRICS = ("total_expenditure", "basic_expenditure", "project_expenditure", "three_public_total",
                 "vehicle_purchase", "vehicle_operation", "fleet_total", "budget_completion_rate")


# Where a year's figures come from (the `figures` column of trend_table; words in show/labels.csv)
OWN_REPORT, STATED_BY_NEXT, WORKED_BACK_BY_NEXT = "own_report", "stated_by_next_report", "worked_back_by_next_report"


def _stated(data: YearData, metric: str, year: int) -> tuple[float, bool] | None:
    """(value, derived) of `metric` for `year` as `data`'s report states it, or None when it states none."""
    rows = data.facts[(data.facts["metric"] == metric) & (data.facts["year"] == year)]
    if rows.empty:
        return None
    return float(rows.iloc[0]["value"]), str(rows.iloc[0]["derived"]) in ("True", "true", "1")


def _reports(tidy_dir: Path | str | None, unit: str) -> dict[int, YearData]:
    """Each year's own report of `unit` (empty: the only unit), by year, read from the corpus store with DuckDB:
    one query per table over that unit's partitions only (helpers.data.corpus.read_unit)."""
    tidy = Path(tidy_dir) if tidy_dir else paths.TIDY
    return {data.year: data for data in corpus.read_unit(resolve_unit(unit, tidy), tidy)}


def trend_table(tidy_dir: Path | str | None = None, unit: str = "") -> pd.DataFrame:
    """Each year of `unit` (empty: the only unit) the reports give figures for: one row per year, one column per
    metric in TREND_METRICS, the projects' overall execution (executed ÷ adjusted budget over all projects) and
    `figures`, where they come from: the year's own report (OWN_REPORT), or, for the year before the first
    report, that report's figures for it (STATED_BY_NEXT; WORKED_BACK_BY_NEXT when one of them is worked back
    from a stated change). One report already gives two years: 2022's total of 18,100.64 and “三公” of 180.00
    follow from the 2023 report's stated changes."""
    reports = _reports(tidy_dir, unit)
    years = sorted(reports)
    rows = []
    if years:
        first = reports[years[0]]
        stated = {m: _stated(first, m, first.prior_year) for m in TREND_METRICS}
        if any(stated.values()):
            worked_back = any(v[1] for v in stated.values() if v)
            rows.append({"year": first.prior_year} | {m: v[0] if v else float("nan") for m, v in stated.items()}
                        | {"project_execution": float("nan"),
                           "figures": WORKED_BACK_BY_NEXT if worked_back else STATED_BY_NEXT})
    for year in years:
        data = reports[year]
        row = {"year": year} | {m: data.value(m) if data.has(m) else float("nan") for m in TREND_METRICS}
        budgets = data.projects["budget_adjusted"].sum()
        row["project_execution"] = data.projects["executed"].sum() / budgets if budgets else float("nan")
        rows.append(row | {"figures": OWN_REPORT})
    return pd.DataFrame(rows, columns=["year", *TREND_METRICS, "project_execution", "figures"])


def own_reports(by_year: pd.DataFrame) -> int:
    """How many of trend_table's years have a report of their own."""
    return int((by_year["figures"] == OWN_REPORT).sum())


def steps(by_year: pd.DataFrame, metric: str, tidy_dir: Path | str | None = None, unit: str = "") -> list[Change]:
    """The change of `metric` from each year of trend_table to the next, as the later year's own report states the
    earlier year (its restated or worked-back figure, as its summary page does), else as the earlier row gives
    it: the trend and each year's summary agree on the direction."""
    found = []
    reports = _reports(tidy_dir, unit) if (by_year["figures"] == OWN_REPORT).any() else {}
    for a, b in zip(by_year.to_dict("records"), by_year.iloc[1:].to_dict("records"), strict=False):
        prior, derived = a[metric], a["figures"] == WORKED_BACK_BY_NEXT
        if b["figures"] == OWN_REPORT:
            stated = _stated(reports[int(b["year"])], metric, int(a["year"]))
            if stated:
                prior, derived = stated
        found.append(Change(metric, int(b["year"]), int(a["year"]), prior, b[metric], prior_derived=derived))
    return found


def across(by_year: pd.DataFrame, metric: str) -> Change:
    """`metric` from the first year of trend_table that gives it to the last year: a year before the first report
    that its report does not give (basic spending in 2022) is skipped, unless no earlier year gives it (then the
    change cannot be computed and the templates say so)."""
    last = by_year.iloc[-1]
    earlier = by_year.iloc[:-1]
    given = earlier[earlier[metric].notna()]
    first = given.iloc[0] if len(given) else by_year.iloc[0]
    return Change(metric, int(last["year"]), int(first["year"]), first[metric], last[metric],
                  prior_derived=first["figures"] == WORKED_BACK_BY_NEXT and pd.notna(first[metric]))


def projects_across_years(tidy_dir: Path | str | None = None, unit: str = "") -> pd.DataFrame:
    """Projects matched across years by project code: project_code, project_name, year, budget_adjusted,
    executed, execution_rate (long form; pivot on year to compare)."""
    frames = [data.projects.assign(year=year) for year, data in sorted(_reports(tidy_dir, unit).items())]
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
        return pd.DataFrame(columns=["project_code", "project_name", "first", "last", "change", "first_year",
                                     "last_year"])
    both = wide[[years[0], years[-1]]].dropna().reset_index()
    both.columns = ["project_code", "project_name", "first", "last"]
    both["change"] = both["last"] - both["first"]
    both["first_year"], both["last_year"] = int(years[0]), int(years[-1])
    return both.reindex(both["change"].abs().sort_values(ascending=False).index).reset_index(drop=True)
