"""A hard look at the projects' performance self-evaluations (项目支出绩效自评表)."""

from __future__ import annotations

import pandas as pd

from helpers.story import fmt
from helpers.data.audit import OPS
from helpers.data.load import YearData
LEVEL_EN = {"产出指标": "output", "效益指标": "outcome", "满意度指标": "satisfaction", "成本指标": "cost"}


def scored_indicators(data: YearData) -> pd.DataFrame:
    """Indicators with numeric target and actual, whether the target was met, and whether full marks were kept."""
    ind = data.indicators.copy()
    numeric = ind["target_value"].notna() & ind["actual_value"].notna() & ind["operator_symbol"].isin(list(OPS))
    ind = ind[numeric].copy()
    ind["met"] = [OPS[o](a, t) for o, a, t in zip(ind["operator_symbol"], ind["actual_value"], ind["target_value"])]
    ind["exact"] = ind["actual_value"] == ind["target_value"]
    ind["full_marks"] = ind["score"] >= ind["weight"] - 1e-9
    return ind


def scores_vs_execution(data: YearData) -> pd.DataFrame:
    """Per project: execution rate, total score and the indicators' share of points kept."""
    projects = data.projects[["display_name", "project_code", "execution_rate", "total_score"]].copy()
    points = data.indicators.groupby("project_code").agg(weight=("weight", "sum"), score=("score", "sum"))
    projects = projects.join(points, on="project_code")
    projects["indicator_points_kept"] = projects["score"] / projects["weight"]
    return projects


def execution_score_sentence(data: YearData, threshold: float) -> str:
    table = scores_vs_execution(data).dropna(subset=["execution_rate"])
    evaluated = table[table["weight"] > 0]
    low = evaluated[evaluated["execution_rate"] < threshold]
    high = evaluated[evaluated["execution_rate"] >= threshold]
    text = (f"Projects that spent at least {fmt.pct(threshold, 0)} of their budget scored {high['total_score'].mean():.1f} "
            f"points on average; the {len(low)} that spent less scored {low['total_score'].mean():.1f}."
            if len(low) and len(high) else "")
    if len(low):
        text += (f" Even those kept {fmt.pct(low['score'].sum() / low['weight'].sum())} of their indicator points: "
                 "spending well under budget barely touched the performance scores.")
    unevaluated = table[~(table["weight"] > 0)]
    if len(unevaluated):
        text += f" {fmt.count(len(unevaluated), 'project')} filled in no indicators at all."
    return text


def exactness_sentence(data: YearData) -> str:
    ind = scored_indicators(data)
    if ind.empty:
        return "No indicator has a numeric target and actual value."
    exact = ind["exact"].mean()
    return (f"Of {len(ind)} indicators with a numeric target and result, {fmt.pct(exact, 0)} report a result exactly "
            f"equal to the target ({int(ind['exact'].sum())}). Results that land exactly on target this often suggest "
            "the targets were set after the fact, or the results copied from the targets.")


def missed_full_marks(data: YearData) -> pd.DataFrame:
    ind = scored_indicators(data)
    rows = ind[~ind["met"] & ind["full_marks"]].merge(data.projects[["project_code", "display_name"]], on="project_code")
    return rows[["display_name", "indicator", "operator", "target", "unit", "actual", "weight", "score", "source_line"]]


def missed_sentence(data: YearData) -> str:
    ind = scored_indicators(data)
    missed = ind[~ind["met"]]
    kept = missed[missed["full_marks"]]
    strict = kept[kept["operator_symbol"].isin([">", "<"]) & kept["exact"]]
    text = (f"{fmt.count(len(missed), 'indicator')} missed the target as written; {len(kept)} of them still got full "
            "marks.")
    if len(strict):
        text += (f" In {len(strict)} of those the target was a strict comparison (＞ or ＜) and the result was exactly "
                 "the target value: probably meant as ≥ or ≤, but as written, missed.")
    return text


def above_weight(data: YearData) -> pd.DataFrame:
    ind = data.indicators[data.indicators["score"] > data.indicators["weight"] + 1e-9]
    return ind.merge(data.projects[["project_code", "display_name"]], on="project_code")[
        ["display_name", "indicator", "weight", "score", "source_line"]]


def above_weight_sentence(data: YearData) -> str:
    rows = above_weight(data)
    if rows.empty:
        return "No indicator scored more than its weight."
    return (f"{fmt.count(len(rows), 'indicator')} scored more than its weight allows: " + fmt.listing(
        [f"{r['indicator']} in {r['display_name']} ({r['score']:g} of {r['weight']:g}, line {r['source_line']})"
         for _, r in rows.iterrows()]) + ".")


def weight_shares(data: YearData) -> pd.DataFrame:
    """Share of indicator weight by 一级指标 (output, outcome, satisfaction, cost)."""
    weights = data.indicators.groupby("level1")["weight"].sum()
    table = (weights / weights.sum()).rename("share").reset_index()
    table["label"] = [f"{LEVEL_EN.get(z, '')} {z}".strip() for z in table["level1"]]
    table["weight"] = table["level1"].map(weights)
    return table.sort_values("share", ascending=False).reset_index(drop=True)


def weight_sentence(data: YearData) -> str:
    table = weight_shares(data)
    parts = [f"{row['label']} {fmt.pct(row['share'], 0)}" for _, row in table.iterrows()]
    return f"Indicator weight is split {fmt.listing(parts)}."
