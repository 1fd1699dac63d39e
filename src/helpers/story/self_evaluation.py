"""A hard look at the projects' performance self-evaluations (项目支出绩效自评表): results, not sentences.

Leftover rows (rows the report marks as prior-year data it cannot delete, see
helpers.data.leftovers) are left out of every statistic and counted apart, with the points
they carry. Targets are judged as the audit judges them (helpers.data.audit.judged_indicators):
cost targets are caps, grade-band definitions are not targets, "＝0" targets are placeholders.
The words are in story/templates/<lang>/selfeval.j2.
"""

from __future__ import annotations

import pandas as pd

from helpers.data import rules
from helpers.data.audit import OPS, judged_indicators
from helpers.data.leftovers import leftover_mask
from helpers.data.load import YearData
from helpers.story.common import report_rule
from helpers.story.low_execution import low_execution  # one low-execution set, one report rule


def leftover_points(data: YearData) -> dict:
    """Leftover indicator rows: how many, in how many projects, their weight and the points they scored, and how
    many of them have target and result both 0."""
    rows = data.indicators[leftover_mask(data.indicators)]
    return dict(rows=len(rows), projects=rows["project_code"].nunique(), weight=float(rows["weight"].sum()),
                score=float(rows["score"].sum()), full_marks=int((rows["score"] >= rows["weight"] - 1e-9).sum()),
                zero_zero=int(((rows["target_value"] == 0) & (rows["actual_value"] == 0)).sum()))


def leftover_table(data: YearData) -> pd.DataFrame:
    """The leftover rows, project by project: rows, weight, points scored."""
    rows = data.indicators[leftover_mask(data.indicators)].merge(
        data.projects[["project_code", "project_name"]], on="project_code")
    return (rows.groupby("project_name", sort=False).agg(rows=("indicator", "size"), weight=("weight", "sum"),
                                                         score=("score", "sum")).reset_index())


def numeric_indicators(data: YearData, include_leftovers: bool = False) -> pd.DataFrame:
    """Indicators with a numeric target, result and operator, `exact` when the result equals the target as
    printed. Leftovers are left out unless asked for (to show what counting them would do)."""
    ind = data.indicators if include_leftovers else data.indicators[~leftover_mask(data.indicators)]
    ind = ind[ind["target_value"].notna() & ind["actual_value"].notna() & ind["operator_symbol"].isin(list(OPS))].copy()
    ind["exact"] = ind["actual_value"] == ind["target_value"]
    ind["both_zero"] = (ind["actual_value"] == 0) & (ind["target_value"] == 0)
    return ind


def exactness(data: YearData) -> dict:
    """How often the result equals the target: counting the leftovers as the report prints them, and without."""
    everything, current = numeric_indicators(data, include_leftovers=True), numeric_indicators(data)
    return dict(all_rows=len(everything), all_exact=int(everything["exact"].sum()),
                all_rate=everything["exact"].mean() if len(everything) else float("nan"),
                rows=len(current), exact=int(current["exact"].sum()),
                rate=current["exact"].mean() if len(current) else float("nan"),
                both_zero=int(current["both_zero"].sum()), leftovers=len(everything) - len(current),
                suspicious_from=rules.threshold("exact_share_suspicious"))


def scored_indicators(data: YearData) -> pd.DataFrame:
    """This year's indicators as judged (see judged_indicators), with their project's name."""
    return judged_indicators(data.indicators).merge(data.projects[["project_code", "display_name", "project_name"]],
                                                    on="project_code")


def caps_scored_in_proportion(data: YearData) -> pd.DataFrame:
    """Caps ("≤" targets) met, yet scored weight × result ÷ target: spending under the cap cost points."""
    ind = scored_indicators(data)
    rows = ind[ind["met"] & ind["proportional"]].copy()
    rows["points_lost"] = rows["weight"] - rows["score"]
    return rows[["project_name", "indicator", "operator", "target", "actual", "unit", "weight", "score",
                 "points_lost", "source_line"]].reset_index(drop=True)


def missed_full_marks(data: YearData) -> pd.DataFrame:
    """Targets missed as written (and as a reader judges them) that still kept every point."""
    ind = scored_indicators(data)
    rows = ind[~ind["met"] & ind["full_marks"] & ~ind["explained_excess"]]
    return rows[["project_name", "indicator", "operator", "target", "unit", "actual", "weight", "score",
                 "source_line"]].reset_index(drop=True)


def strict_on_target(data: YearData) -> int:
    """Of the missed-with-full-marks rows: a strict ＞/＜ target whose result equals it (probably meant ≥/≤)."""
    ind = scored_indicators(data)
    rows = ind[~ind["met"] & ind["full_marks"] & ~ind["explained_excess"]]
    return int((rows["operator_symbol"].isin([">", "<"]) & (rows["actual_value"] == rows["target_value"])).sum())


def scores_vs_execution(data: YearData) -> pd.DataFrame:
    """Per project: execution rate, total score, and the points its current (non-leftover) indicators kept."""
    projects = data.projects[["project_name", "project_code", "execution_rate", "total_score"]].copy()
    current = data.indicators[~leftover_mask(data.indicators)]
    points = current.groupby("project_code").agg(weight=("weight", "sum"), score=("score", "sum"))
    projects = projects.join(points, on="project_code")
    projects["indicator_points_kept"] = projects["score"] / projects["weight"]
    return projects


def low_vs_rest(data: YearData, threshold: float) -> dict:
    """One low-execution set: every project with an execution rate under `threshold` (0% included), against the
    rest; their mean total scores, the points their indicators kept, and those with no indicators."""
    table = scores_vs_execution(data).dropna(subset=["execution_rate"])
    is_low = table["project_code"].isin(low_execution(data, threshold)["project_code"])
    low, high = table[is_low], table[~is_low]
    no_indicators = low[~(low["weight"] > 0)]
    return dict(threshold=threshold, report_rule=threshold == report_rule("low_execution_threshold"),
                low=len(low), high=len(high),
                low_score=low["total_score"].mean() if len(low) else float("nan"),
                high_score=high["total_score"].mean() if len(high) else float("nan"),
                low_kept=low["score"].sum() / low["weight"].sum() if low["weight"].sum() else float("nan"),
                unevaluated=list(no_indicators["project_name"]),
                unevaluated_scores=[float(s) for s in no_indicators["total_score"]],
                untouched_from=rules.threshold("points_kept_untouched"))


def above_weight(data: YearData) -> pd.DataFrame:
    ind = data.indicators[data.indicators["score"] > data.indicators["weight"] + 1e-9]
    return ind.merge(data.projects[["project_code", "project_name"]], on="project_code")[
        ["project_name", "indicator", "weight", "score", "source_line"]]


def weight_shares(data: YearData) -> pd.DataFrame:
    """Points of indicator weight by 一级指标 (output, outcome, satisfaction, cost), leftovers left out."""
    current = data.indicators[~leftover_mask(data.indicators)]
    points = current.groupby("level1")["weight"].sum()
    table = points.rename("points").reset_index()
    table["share"] = table["points"] / points.sum()
    return table.sort_values("share", ascending=False).reset_index(drop=True)
