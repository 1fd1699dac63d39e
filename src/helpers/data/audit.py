"""Check the report's own arithmetic over the tidy tables.

Every relation the report states or implies is checked: wholes against their parts, stated
shares and changes against the amounts, completion and execution rates against amounts (and
the budgets they imply), the project tables' scores, funding rows and counts. Each check
records the rounding rule it applies: a difference within half a unit of the last printed digit
(summed over the figures involved) is rounding and passes; a difference of at most one unit is
a `warning` (the figure was truncated, or rounded once too often); anything larger is an `error`.
Observations that are explained, or that need a reader's judgement, are `info`.

`run_checks(tables)` returns one row per check; `audit_findings(tables)` the ones that did not
pass, errors first.
"""

from __future__ import annotations

import itertools
import math
import operator as op

import pandas as pd

from helpers.story import fmt

CENT = 0.01          # amounts are printed in 万元 with two decimals
HALF_CENT = 0.005
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
CHECK_COLUMNS = ["year", "check", "subject", "reported", "computed", "difference", "tolerance", "rule",
                 "severity", "passed", "location", "explanation"]


def decimals(value: float) -> int:
    """Number of decimals a figure shows when printed without trailing zeros."""
    if value is None or math.isnan(value):
        return 0
    s = f"{value:.10f}".rstrip("0")
    return len(s.split(".")[1]) if "." in s and s.split(".")[1] else 0


def lines(*numbers) -> str:
    """'line 36' or 'lines 36, 40, 42' from line numbers (ints or iterables of ints)."""
    flat = sorted({int(n) for x in numbers for n in (x if isinstance(x, (list, tuple, set, pd.Series)) else [x])
                   if n and not (isinstance(n, float) and math.isnan(n))})
    return ("line " if len(flat) == 1 else "lines ") + ", ".join(map(str, flat))


class Facts:
    """Fact lookup for one year: value, line and printed decimals of a metric (None when not stated)."""

    def __init__(self, year: int, table: pd.DataFrame) -> None:
        self.year = year
        self.table = table
        has_decimals = "decimals" in table
        self._rows = {(int(r.year), r.metric): (float(r.value), int(r.source_line),
                                                 int(r.decimals) if has_decimals else None, bool(r.derived))
                      for r in table.itertuples()}

    def get(self, metric: str, year: int | None = None) -> float | None:
        row = self._rows.get((self.year if year is None else year, metric))
        return row[0] if row else None

    def line(self, metric: str, year: int | None = None) -> int:
        row = self._rows.get((self.year if year is None else year, metric))
        return row[1] if row else 0

    def stated(self, metric: str, year: int) -> tuple[float, int] | None:
        """(value, line) when the report states the figure outright (not derived from a change)."""
        row = self._rows.get((year, metric))
        return (row[0], row[1]) if row and not row[3] else None

    def decimals(self, metric: str) -> int:
        """Decimals the figure was printed with (for a rate: of its percentage)."""
        row = self._rows.get((self.year, metric))
        if row and row[2] is not None:
            return row[2]
        return decimals(row[0]) if row else 0

    def has(self, *metrics: str) -> bool:
        return all(self.get(m) is not None for m in metrics)


class Audit:
    """Collects check results for one year."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.rows: list[dict] = []

    def compare(self, check: str, subject: str, reported: float, computed: float, tolerance: float, rule: str,
                location: str, explain: str, *, unit: float | None = None, fail: str = "error") -> bool:
        """Record reported vs computed; passes within `tolerance`, a warning within one `unit`, else `fail`."""
        difference = round(reported - computed, 10)
        passed = abs(difference) <= tolerance + 1e-9
        if passed:
            severity = ""
        elif unit is not None and abs(difference) <= unit + 1e-9:
            severity = "warning"
        else:
            severity = fail
        self.rows.append(dict(year=self.year, check=check, subject=subject, reported=reported,
                              computed=round(computed, 10), difference=difference, tolerance=round(tolerance, 10),
                              rule=rule, severity=severity, passed=passed, location=location,
                              explanation="" if passed else explain))
        return passed

    def note(self, check: str, subject: str, location: str, explain: str, severity: str = "info",
             reported: float = math.nan, computed: float = math.nan, rule: str = "") -> None:
        """Record an observation that is not a pass/fail comparison of two figures."""
        difference = reported - computed if not (math.isnan(reported) or math.isnan(computed)) else math.nan
        self.rows.append(dict(year=self.year, check=check, subject=subject, reported=reported, computed=computed,
                              difference=difference, tolerance=math.nan, rule=rule, severity=severity, passed=False,
                              location=location, explanation=explain))


def _sum_rule(n: int) -> tuple[float, str]:
    tolerance = HALF_CENT * (n + 1)
    return tolerance, f"sum of {n} amounts printed to 0.01: each may be rounded by up to 0.005 (±{tolerance:.3f})"


def _share_rule(digits: int) -> tuple[float, float, str]:
    half = 0.5 * 10 ** (-digits) / 100
    return half, 2 * half, f"share printed to {digits} decimal(s) of a percent: ±{half * 100:.{digits + 1}f} points"


# --- wholes and parts ---------------------------------------------------------------------------

WHOLES = [  # whole, parts, what it is in words
    ("total_expenditure", ["basic_expenditure", "project_expenditure"], "total spending = basic + project spending"),
    ("total_income", ["fiscal_appropriation_income"], "total income = its stated sources"),
    ("basic_expenditure", ["personnel_expenditure", "public_expenditure"], "basic spending = personnel + public costs"),
    ("three_public_total", ["overseas_travel", "vehicle_purchase_operation", "official_reception"],
     "“三公” total = overseas travel + vehicles + hospitality"),
    ("vehicle_purchase_operation", ["vehicle_purchase", "vehicle_operation"],
     "vehicle spending = purchase + operation"),
    ("procurement_total", ["procurement_goods", "procurement_services"], "procurement = goods + services"),
    ("vehicle_purchase", ["vehicle_purchase_sedan", "vehicle_purchase_other"],
     "vehicle purchase = the purchases listed by type"),
    ("fixed_assets", ["fixed_assets_in_use", "fixed_assets_idle", "fixed_assets_pending_disposal"],
     "fixed assets = in use + idle + awaiting disposal"),
    ("intangible_assets", ["intangible_assets_in_use", "intangible_assets_idle", "intangible_assets_pending_disposal"],
     "intangible assets = in use + idle + awaiting disposal"),
]
COUNT_WHOLES = [
    ("fleet_total", ["fleet_sedan", "fleet_suv", "fleet_small_bus", "fleet_medium_large_bus", "fleet_other_type"],
     "fleet = vehicles by type"),
    ("vehicles_total", ["fleet_law_enforcement", "fleet_other_use"], "fleet = vehicles by use"),
    ("vehicles_bought", ["vehicles_bought_sedan", "vehicles_bought_other"], "vehicles bought = bought by type"),
]
SAME_FIGURE = [  # the same figure stated twice
    ("total_income", "total_expenditure", "income and spending totals (收、支总计均为)"),
    ("total_income_expenditure", "total_expenditure", "the totals sentence and the spending section"),
    ("general_budget_expenditure", "total_expenditure", "general-budget spending and total spending"),
    ("general_budget_final", "general_budget_expenditure", "general-budget spending, stated twice"),
    ("basic_expenditure_fiscal", "basic_expenditure", "basic spending, stated twice"),
    ("vehicle_purchase_operation_detail", "vehicle_purchase_operation", "vehicle spending, stated twice"),
    ("sme_contracts_evaluation", "sme_contracts", "SME contracts in the annex and the main text"),
    ("small_micro_contracts_evaluation", "small_micro_contracts", "small/micro contracts in the annex and main text"),
    ("expenditure_budget_adjusted", "total_expenditure", "adjusted budget issued and total spending"),
    ("vehicles_total", "fleet_total", "fleet size in the assets section and the “三公” section"),
    ("vehicles_bought_patrol", "vehicles_bought", "patrol vehicles bought, stated twice"),
]
SHARES = [  # part, share metric, whole
    ("basic_expenditure", "basic_expenditure_share", "total_expenditure"),
    ("project_expenditure", "project_expenditure_share", "total_expenditure"),
    ("fiscal_appropriation_income", "fiscal_appropriation_income_share", "total_income"),
    ("overseas_travel", "overseas_travel_share", "three_public_total"),
    ("vehicle_purchase_operation", "vehicle_purchase_operation_share", "three_public_total"),
    ("official_reception", "official_reception_share", "three_public_total"),
    ("sme_contracts", "sme_contracts_share", "procurement_total"),
    ("small_micro_contracts", "small_micro_contracts_share", "procurement_total"),
]
CHANGES = [  # metric, change metric (amount), change pct metric, where the prior year comes from
    ("total_expenditure", "total_expenditure_change", "total_expenditure_change_pct"),
    ("total_expenditure", "fiscal_total_change", "fiscal_total_change_pct"),
    ("general_budget_expenditure", "general_budget_expenditure_change", "general_budget_expenditure_change_pct"),
    ("three_public_total", "three_public_change", "three_public_change_pct"),
    ("vehicle_purchase_operation", "vehicle_purchase_operation_change", "vehicle_purchase_operation_change_pct"),
    ("agency_operating_expenditure", "agency_operating_expenditure_change", "agency_operating_expenditure_change_pct"),
    ("expenditure_budget_adjusted", "expenditure_budget_change", "expenditure_budget_change_pct"),
    ("income_budget_adjusted", "income_budget_change", "income_budget_change_pct"),
]


def check_wholes(a: Audit, f: Facts) -> None:
    for whole, parts, words in WHOLES:
        if not f.has(whole, *parts):
            continue
        total = sum(f.get(p) for p in parts)
        tolerance, rule = _sum_rule(len(parts))
        where = lines(f.line(whole), [f.line(p) for p in parts])
        a.compare("whole_vs_parts", words, f.get(whole), total, tolerance, rule, where,
                  f"The report gives {whole} as {fmt.wan(f.get(whole))}, but its parts ("
                  + ", ".join(f"{p} {fmt.wan(f.get(p))}" for p in parts)
                  + f") add up to {fmt.wan(total)}: {fmt.wan(abs(f.get(whole) - total))} "
                  + ("more" if f.get(whole) > total else "less") + " than the whole.",
                  fail="warning" if whole == "vehicle_purchase" else "error")
    for whole, parts, words in COUNT_WHOLES:
        if not f.has(whole, *parts):
            continue
        total = sum(f.get(p) for p in parts)
        a.compare("whole_vs_parts", words, f.get(whole), total, 0, "counts must add up exactly",
                  lines(f.line(whole), [f.line(p) for p in parts]),
                  f"The report counts {int(f.get(whole))} for {whole} but its parts add up to {int(total)}.")
    for one, other, words in SAME_FIGURE:
        if not f.has(one, other):
            continue
        a.compare("same_figure_twice", words, f.get(one), f.get(other), 0, "the same figure must be printed alike",
                  lines(f.line(one), f.line(other)),
                  f"The report gives {fmt.wan(f.get(one)) if f.get(one) > 50 else f.get(one)} in one place and "
                  f"{fmt.wan(f.get(other)) if f.get(other) > 50 else f.get(other)} in another for {words}.")


def check_shares(a: Audit, f: Facts, classes: pd.DataFrame) -> None:
    for part, share, whole in SHARES:
        if not f.has(part, share, whole) or not f.get(whole):
            continue
        digits = f.decimals(share)
        tolerance, unit, rule = _share_rule(digits)
        computed = f.get(part) / f.get(whole)
        a.compare("stated_share", f"{share}: {part} / {whole}", f.get(share), computed, tolerance, rule,
                  lines(f.line(share), f.line(part), f.line(whole)),
                  f"The report says {part} is {fmt.pct(f.get(share), digits)} of {whole}; "
                  f"{fmt.wan(f.get(part))} / {fmt.wan(f.get(whole))} is {fmt.pct(computed, digits + 2)}.", unit=unit)
    class_rows = classes[classes["level"] == "类"]
    items = classes[classes["level"] == "项"]
    total = f.get("general_budget_expenditure") or f.get("total_expenditure")
    if total is None:
        return
    for _, row in class_rows.iterrows():
        if math.isnan(row["reported_share"]):
            continue
        digits = decimals(row["reported_share"] * 100)
        tolerance, unit, rule = _share_rule(digits)
        computed = row["amount"] / total
        item_sum = items.loc[items["class_zh"] == row["class_zh"], "amount"].sum()
        agrees_with_items = abs(item_sum / total - row["reported_share"]) <= tolerance + 1e-9 if item_sum else False
        explain = (f"The report says {row['class_zh']} is {fmt.pct(row['reported_share'], digits)} of spending, but its "
                   f"stated amount {fmt.wan(row['amount'])} is {fmt.pct(computed, digits + 2)} of {fmt.wan(total)}.")
        if agrees_with_items:
            explain += (f" The share does agree with the sum of the class's 项 lines ({fmt.wan(item_sum)}, "
                        f"{fmt.pct(item_sum / total, digits + 2)}), so the class amount is the figure out of line.")
        a.compare("stated_share", f"{row['class_zh']} share of general-budget spending", row["reported_share"],
                  computed, tolerance, rule, lines(row["source_line"]), explain, unit=unit)


def check_classes(a: Audit, f: Facts, classes: pd.DataFrame) -> None:
    class_rows = classes[classes["level"] == "类"]
    items = classes[classes["level"] == "项"]
    total = f.get("general_budget_expenditure") or f.get("total_expenditure")
    if total is not None and len(class_rows):
        tolerance, rule = _sum_rule(len(class_rows))
        a.compare("whole_vs_parts", "general-budget spending = its 类 (classes)", total, class_rows["amount"].sum(),
                  tolerance, rule, lines(f.line("general_budget_expenditure"), class_rows["source_line"]),
                  f"The classes add up to {fmt.wan(class_rows['amount'].sum())}, not the {fmt.wan(total)} total.")
    if total is not None and len(items):
        tolerance, rule = _sum_rule(len(items))
        a.compare("whole_vs_parts", "general-budget spending = its 项 (item lines)", total, items["amount"].sum(),
                  tolerance, rule, lines(f.line("general_budget_final"), items["source_line"]),
                  f"The item lines add up to {fmt.wan(items['amount'].sum())}, not the {fmt.wan(total)} total.")
    for _, row in class_rows.iterrows():
        mine = items[items["class_zh"] == row["class_zh"]]
        if mine.empty:
            continue
        tolerance, rule = _sum_rule(len(mine))
        item_total = mine["amount"].sum()
        explain = (f"The class {row['class_zh']} is given as {fmt.wan(row['amount'])} (line {row['source_line']}), "
                   f"but its {len(mine)} item lines add up to {fmt.wan(item_total)}: a gap of "
                   f"{fmt.wan(abs(row['amount'] - item_total))}.")
        if total is not None and abs(items["amount"].sum() - total) <= _sum_rule(len(items))[0] + 1e-9:
            explain += f" The item lines do add up to the {fmt.wan(total)} total, so the class figure is the odd one out."
        a.compare("whole_vs_parts", f"{row['class_zh']} (类) = its 项 lines", row["amount"], item_total, tolerance,
                  rule, lines(row["source_line"], mine["source_line"]), explain)


def check_changes(a: Audit, f: Facts) -> None:
    prior_year = f.year - 1
    for metric, change, pct in CHANGES:
        if f.get(metric) is None or f.get(change) is None:
            continue
        stated_prior = f.stated(metric, prior_year)
        if stated_prior:  # a prior year stated outright: the change amount can be checked
            prior, prior_line = stated_prior
            tolerance, rule = _sum_rule(2)
            a.compare("stated_change", f"{change} = {metric} {f.year} − {prior_year}", f.get(change),
                      f.get(metric) - prior, tolerance, rule, lines(f.line(change), prior_line),
                      f"The stated change {fmt.signed_wan(f.get(change))} does not match "
                      f"{fmt.wan(f.get(metric))} − {fmt.wan(prior)} = {fmt.signed_wan(f.get(metric) - prior)}.")
        else:
            prior = f.get(metric) - f.get(change)
        if f.get(pct) is None or not prior:
            continue
        digits = f.decimals(pct)
        tolerance, unit, _ = _share_rule(digits)
        computed = (f.get(metric) - prior) / prior
        rule = (f"change printed to {digits} decimal(s) of a percent: ±{tolerance * 100:.{digits + 1}f} points; "
                "within one unit it counts as truncation")
        a.compare("stated_change_pct", f"{pct}: change / {prior_year} value", f.get(pct), computed, tolerance, rule,
                  lines(f.line(pct)),
                  f"The report states a change of {fmt.signed_pct(f.get(pct), digits)}; "
                  f"{fmt.signed_wan(f.get(metric) - prior)} on {fmt.wan(prior)} is {fmt.signed_pct(computed, digits + 2)}"
                  + (", so the printed figure was cut off rather than rounded." if abs(f.get(pct) - computed) <= unit
                     else "."), unit=unit)


def _implied_budget(amount: float, rate: float, rate_digits: int) -> tuple[float, float]:
    """Budget implied by amount / rate, and how far it can move with the rate's rounding."""
    half = 0.5 * 10 ** (-rate_digits) / 100
    budget = amount / rate
    return budget, amount / max(rate - half, 1e-12) - budget


def check_completion(a: Audit, f: Facts, classes: pd.DataFrame) -> None:
    items = classes[(classes["level"] == "项") & classes["completion_rate"].notna() & (classes["completion_rate"] > 0)]
    whole_rate = f.get("budget_completion_rate")
    whole = f.get("general_budget_final")
    if whole_rate and whole is not None and len(items):
        whole_budget, whole_slack = _implied_budget(whole, whole_rate, f.decimals("budget_completion_rate"))
        parts = [_implied_budget(r["amount"], r["completion_rate"], decimals(r["completion_rate"] * 100))
                 for _, r in items.iterrows()]
        parts_budget = sum(b for b, _ in parts)
        slack = whole_slack + sum(s for _, s in parts)
        a.compare("implied_budget", "budget implied by the overall completion rate vs the sum of the items' implied "
                  "budgets", whole_budget, parts_budget, slack,
                  "implied budget = amount / completion rate; tolerance from each rate's rounding",
                  lines(f.line("budget_completion_rate"), items["source_line"]),
                  f"Spending of {fmt.wan(whole)} at {fmt.pct(whole_rate, 0)} completion implies a budget of "
                  f"{fmt.wan(whole_budget)}, but the item lines (amount ÷ their completion rates) imply budgets adding "
                  f"up to {fmt.wan(parts_budget)}. The two cannot both be right."
                  + (f" The adjusted budget issued for the year is stated as {fmt.wan(f.get('expenditure_budget_adjusted'))}."
                     if f.get("expenditure_budget_adjusted") else ""))
    tp, tp_rate = f.get("three_public_total"), f.get("three_public_completion_rate")
    vp, vp_rate = f.get("vehicle_purchase_operation"), f.get("vehicle_purchase_operation_completion_rate")
    if tp and tp_rate and vp and vp_rate:
        whole_budget, s1 = _implied_budget(tp, tp_rate, f.decimals("three_public_completion_rate"))
        part_budget, s2 = _implied_budget(vp, vp_rate, f.decimals("vehicle_purchase_operation_completion_rate"))
        others = 0.0  # overseas travel and hospitality: 0 spent, so their budgets cannot be implied
        a.compare("implied_budget", "“三公” budget implied by its completion rate vs the vehicle budget implied by "
                  "its own", whole_budget - others, part_budget, s1 + s2,
                  "a part's implied budget cannot exceed the whole's; tolerance from each rate's rounding",
                  lines(f.line("three_public_completion_rate"), f.line("vehicle_purchase_operation_completion_rate")),
                  f"“三公” spending of {fmt.wan(tp)} at {fmt.pct(tp_rate)} of budget implies a “三公” budget of "
                  f"{fmt.wan(whole_budget)}; vehicle spending of {fmt.wan(vp)} at {fmt.pct(vp_rate)} implies a "
                  f"vehicle budget of {fmt.wan(part_budget)}, more than the whole. The two rates contradict each other.",
                  fail="error")


# --- project tables ---------------------------------------------------------------------------

OPS = {"=": op.eq, ">=": op.ge, "<=": op.le, ">": op.gt, "<": op.lt}


def check_projects(a: Audit, projects: pd.DataFrame, funding: pd.DataFrame, indicators: pd.DataFrame) -> None:
    indicators_of = dict(list(indicators.groupby("project_code", sort=False)))
    funding_of = dict(list(funding.groupby("project_code", sort=False)))
    for _, p in projects.iterrows():
        name, where = p["project_name"], p["budget_line"]
        if p["budget_adjusted"] > 0:
            computed = p["executed"] / p["budget_adjusted"]
            a.compare("execution_rate", f"{name}: 预算执行率 = 执行数 / 调整后预算数", p["execution_rate_reported"],
                      computed, 0.00005, "rate printed to 0.01%: ±0.005 points", lines(where),
                      f"{name}: {fmt.wan(p['executed'])} of {fmt.wan(p['budget_adjusted'])} is "
                      f"{fmt.pct(computed, 3)}, the table prints {fmt.pct(p['execution_rate_reported'], 2)}.",
                      unit=0.0001, fail="error")
        if math.isnan(p["budget_score"]):
            a.note("budget_score_blank", f"{name}: budget-execution score (得分) left blank", lines(where),
                   f"{name}: the budget-execution score is blank; its total score "
                   f"{p['total_score']:g} can only be reached if it counts as {p['budget_weight']:g}.")
        elif p["budget_adjusted"] > 0:
            computed = min(p["budget_weight"] * p["execution_rate_reported"], p["budget_weight"])
            digits = decimals(p["budget_score"])
            tolerance = 0.5 * 10 ** (-digits) + p["budget_weight"] * 0.00005
            a.compare("budget_score", f"{name}: budget score = weight × execution rate", p["budget_score"], computed,
                      tolerance, f"score printed to {digits} decimal(s)", lines(where),
                      f"{name}: {p['budget_weight']:g} points × {fmt.pct(p['execution_rate_reported'], 2)} = "
                      f"{computed:.3f}, the table gives {p['budget_score']:g}.", unit=10 ** (-digits))
        mine = indicators_of.get(p["project_code"], indicators.iloc[:0])
        if mine.empty:
            a.note("no_indicators", f"{name}: no performance indicators filled in", lines(p["source_line"]),
                   f"{name}: the indicator rows of the table are empty, so its performance was not evaluated.",
                   severity="warning")
        else:
            _check_indicators(a, p, mine)
        own = funding_of.get(p["project_code"], funding.iloc[:0])
        for column, words in (("budget_initial", "年初预算"), ("budget_adjusted", "调整后预算数"), ("executed", "执行数")):
            values = own[column].dropna()
            if values.empty:
                continue
            tolerance, rule = _sum_rule(len(values))
            a.compare("funding_vs_total", f"{name}: {words} = sum of funding sources", p[column], values.sum(),
                      tolerance, rule, lines(where, own["source_line"]),
                      f"{name}: the funding sources' {words} add up to {fmt.wan(values.sum())}, the total row says "
                      f"{fmt.wan(p[column])}.")


def _check_indicators(a: Audit, p: pd.Series, mine: pd.DataFrame) -> None:
    name = p["project_name"]
    for ind in mine.to_dict("records"):
        label = f"{name} / {ind['indicator']}"
        if not math.isnan(ind["score"]) and not math.isnan(ind["weight"]):
            a.compare("score_within_weight", f"{label}: score ≤ weight", ind["score"], min(ind["score"], ind["weight"]),
                      0, "a score cannot exceed the indicator's weight", lines(ind["source_line"]),
                      f"{label}: scored {ind['score']:g} points out of a weight of {ind['weight']:g}.")
        compare = OPS.get(ind["operator_symbol"])
        target, actual = ind["target_value"], ind["actual_value"]
        if compare and not math.isnan(target) and not math.isnan(actual) and not math.isnan(ind["score"]):
            met = compare(actual, target)
            full = ind["score"] >= ind["weight"] - 1e-9
            if not met and full:
                a.note("target_missed_full_marks", f"{label}: target {ind['operator']}{ind['target']}, actual "
                       f"{ind['actual']}", lines(ind["source_line"]),
                       f"{label}: the target was {ind['operator']} {ind['target']} {ind['unit']} and the actual was "
                       f"{ind['actual']}, which misses it, yet the indicator kept all {ind['weight']:g} points.",
                       severity="warning", reported=ind["score"], computed=ind["weight"])
            elif met and not full:
                a.note("target_met_points_lost", f"{label}: target met but points deducted", lines(ind["source_line"]),
                       f"{label}: the actual {ind['actual']} meets the target {ind['operator']} {ind['target']}, yet "
                       f"the indicator scored {ind['score']:g} of {ind['weight']:g}.", reported=ind["score"],
                       computed=ind["weight"])
    weights = mine["weight"].dropna()
    if not math.isnan(p["indicator_weight"]):
        a.compare("indicator_weights", f"{name}: indicator weights add up to {p['indicator_weight']:g}",
                  p["indicator_weight"], weights.sum(), 0.005 * len(weights), "weights as printed",
                  lines(p["source_line"], p["total_line"]),
                  f"{name}: the indicator weights add up to {weights.sum():g}, not the {p['indicator_weight']:g} "
                  "points the table assigns to indicators.")
    scores = mine["score"].dropna()
    budget = p["budget_score"]
    if math.isnan(budget):  # left blank: take the score the execution rate earns
        budget = min(p["budget_weight"] * p["execution_rate_reported"], p["budget_weight"])
    computed = budget + scores.sum()
    parts = [budget, *scores]
    tolerance = 0.5 * 10 ** (-decimals(p["total_score"])) + sum(0.5 * 10 ** (-decimals(s)) for s in parts if decimals(s))
    a.compare("total_score", f"{name}: total score = budget score + indicator scores", p["total_score"], computed,
              tolerance, "sum of scores, each as printed", lines(p["total_line"]),
              f"{name}: the budget score ({budget:g}) and the {len(scores)} indicator scores add up to "
              f"{computed:.2f}, the table's total (自评总分) is {p['total_score']:g}.", fail="error")


def check_counts(a: Audit, f: Facts, projects: pd.DataFrame) -> None:
    tables = len(projects)
    words = {"projects_self_evaluated": "self-evaluated", "projects_monitored": "monitored during the year",
             "projects_with_targets": "given performance targets"}
    for metric in ("projects_self_evaluated", "projects_monitored", "projects_with_targets"):
        if f.get(metric) is not None:
            extra = ""
            if f.get(metric) < tables:
                newest = projects.sort_values("project_code").iloc[-1]
                extra = (f" The report appends {tables} tables; the one with the newest project code is "
                         f"{newest['project_name']} ({newest['project_code']}).")
            a.compare("stated_count", f"{metric} vs project tables in the report", f.get(metric), tables, 0,
                      "counts must agree exactly", lines(f.line(metric), projects["source_line"].min()),
                      f"The report says {int(f.get(metric))} projects were {words[metric]} but contains {tables} "
                      f"self-evaluation tables.{extra}")
    if f.has("recurring_projects", "one_off_projects"):
        a.compare("stated_count", "recurring + one-off projects vs self-evaluated projects",
                  f.get("recurring_projects") + f.get("one_off_projects"),
                  f.get("projects_self_evaluated") if f.get("projects_self_evaluated") is not None else tables, 0,
                  "counts must agree exactly", lines(f.line("recurring_projects"), f.line("projects_self_evaluated")),
                  "The number of recurring and one-off projects does not add up to the number evaluated.")
    if f.has("one_off_projects_budget", "one_off_projects_execution") and f.get("one_off_projects") == 1:
        match = projects[(projects["budget_initial"] - f.get("one_off_projects_budget")).abs() < HALF_CENT]
        if len(match) == 1:
            row = match.iloc[0]
            a.compare("cross_reference", f"one-off project execution vs the table of {row['project_name']}",
                      f.get("one_off_projects_execution"), row["execution_rate_reported"], 0.00005,
                      "rate printed to 0.01%", lines(f.line("one_off_projects_execution"), row["budget_line"]),
                      "The annex's execution of the one-off project does not match its table.")
            if f.get("recurring_projects_over_10pct_balance") is not None:
                others = projects[projects["project_code"] != row["project_code"]]
                over = int(((others["budget_adjusted"] - others["executed"]) > 0.1 * others["budget_adjusted"]).sum())
                a.compare("stated_count", "recurring projects with more than 10% of budget unspent",
                          f.get("recurring_projects_over_10pct_balance"), over, 0, "counts must agree exactly",
                          lines(f.line("recurring_projects_over_10pct_balance")),
                          f"The annex counts {int(f.get('recurring_projects_over_10pct_balance'))} recurring projects "
                          f"with more than 10% of budget unspent; the tables, without the one-off project "
                          f"{row['project_name']}, have {over}.", fail="warning")
    if f.has("vehicles_bought_patrol", "motorcycles_bought", "vehicles_bought") and f.get("motorcycles_bought") > 0:
        a.note("vehicles_listed", "vehicles bought vs vehicles listed with amounts",
               lines(f.line("motorcycles_bought"), f.line("vehicles_bought")),
               f"The report mentions {int(f.get('motorcycles_bought'))} police motorcycles bought, but its purchase "
               f"list covers only {int(f.get('vehicles_bought'))} cars.",
               reported=f.get("motorcycles_bought") + f.get("vehicles_bought_patrol"), computed=f.get("vehicles_bought"))


def check_project_spending(a: Audit, f: Facts, projects: pd.DataFrame, funding: pd.DataFrame) -> None:
    """The sum of project spending vs the reported 项目支出, explaining the gap when projects account for it."""
    reported = f.get("project_expenditure")
    if reported is None or projects.empty:
        return
    total = projects["executed"].sum()
    tolerance, rule = _sum_rule(len(projects))
    where = lines(f.line("project_expenditure"), projects["budget_line"])
    if abs(total - reported) <= tolerance + 1e-9:
        a.compare("project_sum", "项目支出 = sum of the projects' spending", reported, total, tolerance, rule, where, "")
        return
    # Spending paid from the unit's own money (单位资金) is outside the fiscal appropriation the report totals.
    fiscal = funding[funding["source_zh"] == "财政资金"].groupby("project_code")["executed"].sum()
    non_fiscal = projects[(projects["executed"] > 0) & (projects["project_code"].map(fiscal).fillna(0) < HALF_CENT)]
    residual = total - non_fiscal["executed"].sum() - reported
    candidates = projects[~projects["project_code"].isin(non_fiscal["project_code"]) & (projects["executed"] > 0)]
    explained = None
    for size in (1, 2, 3):
        for combo in itertools.combinations(candidates.itertuples(), size):
            if abs(sum(c.executed for c in combo) - residual) <= tolerance:
                explained = combo
                break
        if explained:
            break
    excluded = [f"{r.project_name} ({fmt.wan(r.executed)}, paid from 单位资金, not fiscal appropriations)"
                for r in non_fiscal.itertuples()]
    if explained is not None:
        excluded += [f"{c.project_name} ({fmt.wan(c.executed)}, which matches the rest of the gap; it is likely booked "
                     "under basic spending)" for c in explained]
        severity = "info"
    else:
        severity = "error"
    a.note("project_sum", "项目支出 vs the sum of the projects' spending", where,
           f"The {len(projects)} project tables spent {fmt.wan(total)} in all, while the report's 项目支出 is "
           f"{fmt.wan(reported)}: {fmt.wan(total - reported)} more. "
           + (f"Leaving out {fmt.listing(excluded)} closes the gap to within rounding." if explained is not None else
              f"{'Leaving out ' + fmt.listing(excluded) + ' does not close it; ' if excluded else ''}"
              "no project or pair of projects accounts for the difference."),
           severity=severity, reported=reported, computed=total, rule=rule)


def run_checks(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every check for every report year in `tables` (tidy DataFrames by table name)."""
    rows = []
    years = sorted(int(y) for y in tables["projects"]["year"].unique())
    for year in years:
        a = Audit(year)
        f = Facts(year, tables["facts"])
        of = {name: tables[name][tables[name]["year"] == year] for name in
              ("functional_classification", "projects", "project_funding", "indicators")}
        check_wholes(a, f)
        check_classes(a, f, of["functional_classification"])
        check_shares(a, f, of["functional_classification"])
        check_changes(a, f)
        check_completion(a, f, of["functional_classification"])
        check_projects(a, of["projects"], of["project_funding"], of["indicators"])
        check_counts(a, f, of["projects"])
        check_project_spending(a, f, of["projects"], of["project_funding"])
        rows += a.rows
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def audit_tables(tables: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(findings, checks): the checks that did not pass, errors first, then warnings, then info, in
    report order within each; and every check that ran, passed or not."""
    from helpers.data.schema import frame

    checks = run_checks(tables)
    checks["check_no"] = checks.groupby("year").cumcount() + 1
    findings = checks[~checks["passed"]].copy()
    findings["first_line"] = findings["location"].str.extract(r"(\d+)", expand=False).astype(float)
    findings["order"] = findings["severity"].map(SEVERITY_ORDER)
    findings = findings.sort_values(["year", "order", "first_line", "check_no"], kind="stable")
    findings["finding_no"] = findings.groupby("year").cumcount() + 1
    return (frame("audit_findings", findings.to_dict("records")),
            frame("audit_checks", checks.to_dict("records")))
