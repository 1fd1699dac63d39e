"""The indicator judgement the audit and the self-evaluation share: a performance indicator's target and result
(绩效指标: 指标值 against 实际完成值) as a reader of the report judges them.

Rows the report marks as leftovers (`helpers.data.leftovers`) are left out. Targets are read with
`rules/indicator_rules.csv`: grade-band definitions are not targets, cost indicators (成本指标) are caps, and a
"＝0" target with a result above it is a placeholder. The audit (`helpers.data.audit`) checks the scores against
this judgement; the self-evaluation page (`helpers.story.self_evaluation`) counts what it finds.
"""

from __future__ import annotations

import operator as op

import numpy as np
import pandas as pd

from helpers.data import rules, schema  # noqa: F401  (schema: pandas' text storage, set before any table)
from helpers.data.leftovers import leftover_mask

OPS = {"=": op.eq, ">=": op.ge, "<=": op.le, ">": op.gt, "<": op.lt}


def indicator_rule_mask(indicators: pd.DataFrame, kind: str) -> pd.Series:
    """True for rows an `indicator_rules.csv` rule of `kind` (grade_band, cap) matches."""
    mask = pd.Series(False, index=indicators.index)
    for rule in rules.rows("indicator_rules"):
        if rule.kind == kind:
            mask |= rules.text(indicators[rule.column]).str.contains(rule.pattern, regex=True)
    return mask


def judged_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    """Indicators with a numeric target, result and operator, as a reader of the report judges them.

    Leftover rows and grade-band definitions are left out; `judged_operator` reads an "＝" cost
    target as a cap ("<="); `placeholder` marks an "＝0" target with a larger result (nothing was
    planned, so nothing was missed); `met` compares the result with the target so judged;
    `full_marks` whether every point was kept; `proportional` whether the score is weight ×
    result ÷ target (a cap scored as if it were a spending target); `explained_excess` a result above
    a "≤" target with a stated reason.
    """
    ind = indicators[~leftover_mask(indicators) & ~indicator_rule_mask(indicators, "grade_band")]
    numeric = ind["target_value"].notna() & ind["actual_value"].notna() & ind["operator_symbol"].isin(list(OPS))
    ind = ind[numeric].copy()
    # Row by row on the columns' arrays, each new column set once: a Series operation per step cost more than the
    # step itself on a report's few hundred rows.
    cap = indicator_rule_mask(ind, "cap").to_numpy(dtype=bool)
    equals = ind["operator_symbol"].to_numpy(dtype=object) == "="
    ind["judged_operator"] = ind["operator_symbol"].where(~(cap & equals), "<=")
    judged = ind["judged_operator"].to_numpy(dtype=object)
    target, actual, score, weight = (ind[c].to_numpy(dtype="float64")
                                     for c in ("target_value", "actual_value", "score", "weight"))
    placeholder = equals & (target == 0) & (actual > 0)
    ind["placeholder"] = placeholder
    ind["met"] = [OPS[o](a, t) or bool(p) for o, a, t, p in zip(judged, actual, target, placeholder, strict=True)]
    met = ind["met"].to_numpy(dtype=bool)
    at_most = judged == "<="
    # A quantity above a "≤" target with a stated reason is a plan changed and explained, not a miss.
    # So is a quantity (数量指标) delivered above a "≤" target: more work than planned (rules/indicator_rules.csv).
    reason = np.array([str(r).strip() != "" for r in ind["shortfall_reason"].fillna("")], dtype=bool)
    over = indicator_rule_mask(ind, "over_delivery").to_numpy(dtype=bool)
    ind["explained_excess"] = at_most & ~met & (reason | (over & ~cap))
    full_marks = score >= weight - 1e-9
    ind["full_marks"] = full_marks
    with np.errstate(invalid="ignore"):
        proportional = weight * actual / np.where(target > 0, target, np.nan)
    tolerance = rules.threshold("proportional_score_tolerance")
    # weight × actual ÷ target, or that rounded down to a whole or half point (9.32 ÷ 11.03 × 4 = 3.38 scored 3)
    rounded_down = ((np.abs(score - np.floor(proportional + 1e-9)) <= tolerance)
                    | (np.abs(score - np.floor(2 * proportional + 1e-9) / 2) <= tolerance))
    exact = np.abs(score - proportional) <= tolerance
    ind["proportional"] = at_most & ~full_marks & (exact | rounded_down)
    ind["rounded_down"] = ind["proportional"].to_numpy(dtype=bool) & ~exact
    return ind
