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

from helpers.data import rules
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
    cap = indicator_rule_mask(ind, "cap") & (ind["operator_symbol"] == "=")
    ind["judged_operator"] = ind["operator_symbol"].where(~cap, "<=")
    ind["placeholder"] = (ind["operator_symbol"] == "=") & (ind["target_value"] == 0) & (ind["actual_value"] > 0)
    ind["met"] = [
        OPS[o](actual, target) or bool(placeholder)
        for o, actual, target, placeholder in zip(
            ind["judged_operator"], ind["actual_value"], ind["target_value"], ind["placeholder"], strict=True
        )
    ]
    # A quantity above a "≤" target with a stated reason is a plan changed and explained, not a miss.
    # So is a quantity (数量指标) delivered above a "≤" target: more work than planned (rules/indicator_rules.csv).
    ind["explained_excess"] = ((ind["judged_operator"] == "<=") & ~ind["met"]
                               & ((ind["shortfall_reason"].fillna("").str.strip() != "")
                                  | (indicator_rule_mask(ind, "over_delivery") & ~indicator_rule_mask(ind, "cap"))))
    ind["full_marks"] = ind["score"] >= ind["weight"] - 1e-9
    proportional = ind["weight"] * ind["actual_value"] / ind["target_value"].where(ind["target_value"] > 0)
    tolerance = rules.threshold("proportional_score_tolerance")
    # weight × actual ÷ target, or that rounded down to a whole or half point (9.32 ÷ 11.03 × 4 = 3.38 scored 3)
    rounded_down = (((ind["score"] - np.floor(proportional + 1e-9)).abs() <= tolerance)
                    | ((ind["score"] - np.floor(2 * proportional + 1e-9) / 2).abs() <= tolerance))
    exact = (ind["score"] - proportional).abs() <= tolerance
    ind["proportional"] = (ind["judged_operator"] == "<=") & ~ind["full_marks"] & (exact | rounded_down)
    ind["rounded_down"] = ind["proportional"] & ~exact
    return ind
