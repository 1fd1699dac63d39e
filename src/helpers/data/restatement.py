"""Restatements: the same figure for the same year, stated by two reports.

Every report restates last year's figures (the 2024 report's 2023 totals, 三公 and budgets, stated
outright or implied by a stated change). Each report keeps its own statement in the tidy data; this
check lines the two up. A difference within the rounding of both printed figures passes; a larger one
is a warning, not an error: neither report contradicts itself, one of them revised the figure.
"""

from __future__ import annotations

import pandas as pd

from helpers.data.audit import default_severity
from helpers.data.schema import frame

CHECK = "restatement"          # a key of rules/audit_checks.csv
RULE = "restatement_rounding"  # a key of rules/rounding_rules.csv


def tolerance(fact: pd.Series) -> float:
    """Largest rounding error of one fact: half its last printed unit; a whole unit when it is derived
    from two printed figures (value − change). Rates are fractions printed as percentages."""
    unit = 10.0 ** -int(fact["decimals"]) * (0.01 if fact["unit"] == "ratio" else 1.0)
    return unit * (1.0 if bool(fact["derived"]) else 0.5)


def restatements(facts: pd.DataFrame) -> pd.DataFrame:
    """One row per (metric, year) that two reports of one unit both state, kept under the later report.
    Reports of different units are never paired: each unit states its own figures."""
    rows = []
    reports = facts[["unit_id", "report", "report_year"]].drop_duplicates().sort_values(
        ["unit_id", "report_year", "report"])
    listed = list(reports.itertuples(index=False))
    for later in listed:
        earlier_reports = [earlier for earlier in listed
                           if earlier.unit_id == later.unit_id and earlier.report_year < later.report_year]
        if not earlier_reports:
            continue  # no report of this unit before it: nothing for it to restate
        mine = facts[facts["report"] == later.report]
        for earlier in earlier_reports:
            theirs = facts[facts["report"] == earlier.report].set_index(["year", "metric"])
            for fact in mine.itertuples(index=False):
                if (fact.year, fact.metric) not in theirs.index:
                    continue
                other = theirs.loc[(fact.year, fact.metric)]
                value, other_value = float(fact.value), float(other["value"])
                allowed = round(tolerance(pd.Series(fact._asdict())) + tolerance(other), 10)
                difference = round(value - other_value, 10)
                rows.append(dict(
                    unit_id=later.unit_id, report=later.report, report_year=int(later.report_year),
                    year=int(fact.year), metric=fact.metric,
                    value=value, source_line=int(fact.source_line), derived=bool(fact.derived),
                    other_report=earlier.report, other_report_year=int(earlier.report_year), other_value=other_value,
                    other_source_line=int(other["source_line"]), other_derived=bool(other["derived"]),
                    difference=difference, tolerance=allowed, passed=abs(difference) <= allowed + 1e-9))
    return frame("restatements", rows)


def restatement_checks(table: pd.DataFrame) -> pd.DataFrame:
    """The restatements as rows of audit_checks (check = "restatement"), in the audit's structured fields:
    `lines` is the later report's line, `related` names the earlier report, its line and its year
    ("report:line:year").
    The caller numbers them after the report's own checks."""
    rows = [dict(unit_id=r.unit_id, report=r.report, report_year=r.report_year, year=r.report_year, check_no=0,
                 check=CHECK,
                 subject=f"{r.metric} {r.year}", project_code="", indicator="", metrics=r.metric,
                 reported=r.value, computed=r.other_value, difference=r.difference, tolerance=r.tolerance,
                 rule=RULE, severity="" if r.passed else default_severity(CHECK), passed=r.passed,
                 lines=str(r.source_line),
                 detail="earlier_report", related=f"{r.other_report}:{r.other_source_line}:{r.other_report_year}")
            for r in table.itertuples(index=False)]
    return pd.DataFrame(rows)
