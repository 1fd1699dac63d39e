"""Units side by side: one year's figures of every unit in the tidy data, computed the way each unit's own
pages compute them (notebook 08_compare). Numbers and tables only; the words are in templates/<lang>/compare.j2.

A figure a unit's report does not give is NaN (shown as "not reported"), never 0: a unit without project
self-evaluation tables has no execution or score figures, which is not the same as none spent or none scored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers import paths
from helpers.data import corpus
from helpers.data.load import YearData, english_names
from helpers.story import audit, overview, self_evaluation

NOT_REPORTED = float("nan")

# The columns of `unit_table`, in order; amounts in 万元, shares and rates as fractions.
COLUMNS = ["unit_id", "unit_zh", "unit_en", "total_expenditure", "prior_total_expenditure", "total_change",
           "total_change_rate", "basic_expenditure", "project_expenditure", "basic_share", "three_public_total",
           "staff", "three_public_per_head", "has_project_tables", "projects", "project_budget",
           "low_execution_budget", "low_execution_budget_share", "unspent", "mean_score", "low_score", "rest_score",
           "error_causes",
           "warning_causes"]


def _value(data: YearData, metric: str, year: int | None = None) -> float:
    return float(data.value(metric, year)) if data.has(metric, year=year) else NOT_REPORTED


def _causes(data: YearData) -> dict[str, int]:
    """Causes by severity, counted as the unit's audit page counts them: once each, at their worst severity."""
    severity = audit.causes(data)["severity"]
    return {kind: int((severity == kind).sum()) for kind in ("error", "warning")}


def unit_row(data: YearData, threshold: float) -> dict:
    """One unit's figures for the comparison (see COLUMNS)."""
    total, prior = _value(data, "total_expenditure"), _value(data, "total_expenditure", data.prior_year)
    basic, project = _value(data, "basic_expenditure"), _value(data, "project_expenditure")
    three_public = _value(data, "three_public_total")
    staff = overview.staff_total(data) if overview.staff_kinds(data) else 0
    projects = data.projects
    has_tables = not projects.empty
    budgets = float(projects["budget_adjusted"].sum()) if has_tables else NOT_REPORTED
    low = projects[projects["execution_rate"] < threshold] if has_tables else projects
    scores = self_evaluation.low_vs_rest(data, threshold) if has_tables else {}
    low_budget = round(float(low["budget_adjusted"].sum()), 2) if has_tables else NOT_REPORTED
    causes = _causes(data)
    return dict(
        unit_id=data.unit_id, unit_zh=data.unit_zh, unit_en=english_names("units").get(data.unit_zh, ""),
        total_expenditure=total, prior_total_expenditure=prior,
        total_change=round(total - prior, 2), total_change_rate=(total - prior) / prior if prior else NOT_REPORTED,
        basic_expenditure=basic, project_expenditure=project,
        basic_share=basic / total if total and not math.isnan(basic) else NOT_REPORTED,
        three_public_total=three_public, staff=staff if staff else NOT_REPORTED,
        three_public_per_head=three_public / staff if staff and not math.isnan(three_public) else NOT_REPORTED,
        has_project_tables=has_tables, projects=len(projects),
        project_budget=round(budgets, 2) if has_tables else NOT_REPORTED,
        low_execution_budget=low_budget,
        low_execution_budget_share=low_budget / budgets if has_tables and budgets else NOT_REPORTED,
        unspent=round(float(projects["unspent"].sum()), 2) if has_tables else NOT_REPORTED,
        mean_score=float(projects["total_score"].mean()) if has_tables and projects["total_score"].notna().any()
        else NOT_REPORTED,
        low_score=scores["low_score"] if has_tables else NOT_REPORTED,
        rest_score=scores["high_score"] if has_tables else NOT_REPORTED,
        error_causes=causes["error"], warning_causes=causes["warning"])


def unit_table(year: int, tidy_dir: Path | str | None = None, threshold: float = 0.9) -> pd.DataFrame:
    """Every unit with its own report of `year`: one row each (COLUMNS), largest spending first. The units' data
    is read from the corpus store with DuckDB, a batch of units at a time (helpers.data.corpus.iter_year): only
    each unit's row is kept, so memory does not grow with every unit's tables."""
    rows = [unit_row(data, threshold) for data in corpus.iter_year(year, tidy_dir or paths.TIDY)]
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.sort_values(["total_expenditure", "unit_id"], ascending=[False, True],
                             na_position="last").reset_index(drop=True)


@dataclass(frozen=True)
class Ranked:
    """The unit with the highest and the lowest value of one column, among the units that report it."""

    column: str
    reported: int            # units that report the figure
    not_reported: list[str]  # unit ids that do not
    top: dict | None
    bottom: dict | None


def ranked(table: pd.DataFrame, column: str) -> Ranked:
    """Highest and lowest of `column` among the units that report it; the others listed by id."""
    known = table[table[column].notna()].sort_values([column, "unit_id"], ascending=[False, True])
    missing = table.loc[table[column].isna(), "unit_id"].tolist()
    if known.empty:
        return Ranked(column, 0, missing, None, None)
    return Ranked(column, len(known), missing, known.iloc[0].to_dict(), known.iloc[-1].to_dict())


def not_reported(table: pd.DataFrame, column: str) -> list[dict]:
    """The units (rows as dicts) that do not report `column`."""
    return table[table[column].isna()].to_dict("records")
