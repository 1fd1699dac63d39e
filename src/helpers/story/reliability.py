"""How reliable are the figures: the audit findings told for readers who are not accountants."""

from __future__ import annotations

import pandas as pd

from helpers.story import fmt
from helpers.data.load import YearData

SEVERITY_WORDS = {"error": "contradiction", "warning": "doubtful figure", "info": "note"}


def counts(data: YearData) -> dict[str, int]:
    """Checks run and passed, and findings by severity."""
    by = data.findings["severity"].value_counts()
    return {"checks": len(data.checks), "passed": int(data.checks["passed"].sum()),
            **{s: int(by.get(s, 0)) for s in ("error", "warning", "info")}}


def summary_sentence(data: YearData) -> str:
    c = counts(data)
    return (f"The audit ran {c['checks']} arithmetic checks on the {data.year} report; {c['passed']} passed "
            f"({fmt.pct(c['passed'] / c['checks']) if c['checks'] else 'n/a'}). It found "
            f"{fmt.count(c['error'], 'contradiction')} (figures that cannot all be right), "
            f"{fmt.count(c['warning'], 'doubtful figure')} (off by one printed digit, or questionable) and "
            f"{fmt.count(c['info'], 'note')}.")


def checks_by_kind(data: YearData) -> pd.DataFrame:
    """Per kind of check: how many ran, passed and failed."""
    table = data.checks.groupby("check").agg(ran=("passed", "size"), passed=("passed", "sum")).reset_index()
    table["not_passed"] = table["ran"] - table["passed"]
    return table.sort_values(["not_passed", "ran"], ascending=False).reset_index(drop=True)


def findings_table(data: YearData, severity: str | None = None) -> pd.DataFrame:
    rows = data.findings if severity is None else data.findings[data.findings["severity"] == severity]
    return rows[["severity", "location", "explanation"]].reset_index(drop=True)


def finding_lines(data: YearData, severity: str, limit: int | None = None) -> list[str]:
    """One bullet per finding: where, then what, in plain words."""
    rows = data.findings[data.findings["severity"] == severity]
    if limit is not None:
        rows = rows.head(limit)
    return [f"*{row['location']}*: {row['explanation']}" for _, row in rows.iterrows()]


def reliability_sentence(data: YearData) -> str:
    """A short paragraph for the summary report."""
    c = counts(data)
    text = summary_sentence(data)
    if c["error"]:
        kinds = data.findings[data.findings["severity"] == "error"]["check"].value_counts()
        text += (" The most frequent kinds: " + fmt.listing(
            [f"{CHECK_WORDS.get(k, k)} ({n})" for k, n in kinds.head(3).items()]) + ".")
    else:
        text += " None of the figures contradict each other."
    return text + " " + headline_sentence(data)


def headline_lines(data: YearData) -> list[int]:
    """Report lines of the story's headline figures: totals, “三公” spending, the projects' budget rows."""
    metrics = ["total_expenditure", "total_income_expenditure", "three_public_total", "vehicle_purchase_operation",
               "vehicle_purchase_operation_change"]
    return sorted({data.line(m) for m in metrics if data.has(m)} | set(data.projects["budget_line"].astype(int)))


def headline_sentence(data: YearData) -> str:
    """Whether any contradiction touches a figure the story's headlines rest on."""
    involved = headline_findings_involved(data, headline_lines(data))
    if involved.empty:
        return ("None of the contradictions involve the figures this story's headlines rest on (the totals, "
                "“三公” spending and the projects' budgets and spending).")
    return (f"{fmt.count(len(involved), 'contradiction')} involve{'s' if len(involved) == 1 else ''} lines the "
            "headlines rest on: " + " ".join(involved["explanation"]))


CHECK_WORDS = {
    "whole_vs_parts": "totals that do not match their parts",
    "stated_share": "stated shares that do not match the amounts",
    "stated_change": "stated changes that do not match the two years",
    "stated_change_pct": "stated percentage changes",
    "implied_budget": "completion rates that imply different budgets",
    "stated_count": "counts that do not match the tables",
    "total_score": "self-evaluation totals that do not add up",
    "score_within_weight": "scores above the maximum",
    "execution_rate": "execution rates",
    "budget_score": "budget scores",
    "funding_vs_total": "funding sources that do not add up",
}


def headline_findings_involved(data: YearData, lines: list[int]) -> pd.DataFrame:
    """Error findings that involve any of the given report lines."""
    errors = data.findings[data.findings["severity"] == "error"]
    mask = errors["location"].apply(lambda loc: any(f" {n}" in f" {loc.replace(',', ' ')} " for n in map(str, lines)))
    return errors[mask]
