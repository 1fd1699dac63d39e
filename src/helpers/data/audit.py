"""Check the report's own arithmetic over the tidy tables.

Every relation the report states or implies is checked: wholes against their parts, stated
shares and changes against the amounts, completion and execution rates against amounts (and
the budgets they imply), the project tables' scores, funding rows and counts, and statements
of the prose against the tables. Each check records its tolerance rule (a key of
`rules/rounding_rules.csv`): a difference within half a unit of the last printed digit (summed
over the figures involved) is rounding and passes; at most one unit is a `warning` (a figure cut
off, or rounded once too often); more is the severity `rules/audit_checks.csv` gives the kind of
check (usually `error`). Observations that are explained, or need a reader's judgement, are `info`.

Results are structured: no sentence is stored; the pages word a finding from its
check, figures, lines and `detail` key. Findings that share one cause share a `cause` id, so
one wrong figure that breaks three checks is counted once.

Rows the report marks as leftovers (`helpers.data.leftovers`) are not checked. Indicator targets
are read with `rules/indicator_rules.csv`: grade-band definitions are not targets, cost
indicators (成本指标) are caps, and a "＝0" target with a result above it is a placeholder.

`run_checks(tables)` returns one row per check; `audit_tables(tables)` the findings (errors
first, with cause ids) and every check.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.data import rules
from helpers.data.facts import Facts
from helpers.data.facts import printed_decimals as decimals
from helpers.data.indicators import indicator_rule_mask, judged_indicators
from helpers.data.leftovers import leftover_mask
from helpers.data.schema import records

HALF_CENT = rules.threshold("half_cent")  # amounts are printed in 万元 with two decimals
RATE_HALF_UNIT = rules.threshold("rate_half_unit")
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
CHECK_COLUMNS = ["year", "check", "subject", "project_code", "indicator", "metrics", "reported", "computed",
                 "difference", "tolerance", "rule", "severity", "passed", "status", "reason", "lines", "detail",
                 "related", "cause_key"]
STATUSES = ("passed", "failed", "not_applicable", "not_enough_data")


def lines(*numbers) -> str:
    """'36;40;42' from line numbers (ints or iterables of ints), ascending, without blanks or zeros."""
    if len(numbers) == 1 and type(numbers[0]) is int:  # one line: most checks cite one
        return str(numbers[0]) if numbers[0] else ""
    flat = sorted({int(n) for x in numbers for n in (x if isinstance(x, (list, tuple, set, pd.Series)) else [x])
                   if n and not (isinstance(n, float) and math.isnan(n))})
    return ";".join(map(str, flat))


def keys(*values) -> str:
    """';'-joined keys (metrics, project codes), in the order given, without blanks."""
    return ";".join(str(v) for v in values if v)


@functools.cache  # the rules tables are read once (rules.load); a lookup per finding is not a scan of one
def default_severity(check: str) -> str:
    """The severity a failed check of this kind gets (rules/audit_checks.csv)."""
    table = rules.table("audit_checks")
    match = table[table["check"] == check]
    if match.empty:
        raise KeyError(f"check {check!r} is not described in {rules.RULES / 'audit_checks.csv'}: add a row")
    return match.iloc[0]["severity"]


class Audit:
    """Collects check results for one year."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.rows: list[dict] = []

    def compare(self, check: str, subject: str, reported: float, computed: float, tolerance: float, rule: str,
                where: str, *, metrics: str = "", project_code: str = "", indicator: str = "", detail: str = "",
                related: str = "", cause: str = "", unit: float | None = None, fail: str | None = None) -> bool:
        """Record reported vs computed; passes within `tolerance`, a warning within one `unit`, else `fail`
        (default: the check kind's severity). `cause` groups findings with one cause (default: this row)."""
        difference = round(reported - computed, 10)
        passed = abs(difference) <= tolerance + 1e-9
        if passed:
            severity = ""
        elif unit is not None and abs(difference) <= unit + 1e-9:
            severity = "warning"
        else:
            severity = fail or default_severity(check)
        self.rows.append(dict(year=self.year, check=check, subject=subject, project_code=project_code,
                              indicator=indicator, metrics=metrics, reported=reported, computed=round(computed, 10),
                              difference=difference, tolerance=round(tolerance, 10), rule=rule, severity=severity,
                              passed=passed, status="passed" if passed else "failed", reason="", lines=where,
                              detail="" if passed else detail, related="" if passed else related, cause_key=cause))
        return passed

    def note(self, check: str, subject: str, where: str, *, severity: str | None = None, reported: float = math.nan,
             computed: float = math.nan, rule: str = "", metrics: str = "", project_code: str = "",
             indicator: str = "", detail: str = "", related: str = "", cause: str = "") -> None:
        """Record an observation that is not a pass/fail comparison of two figures."""
        difference = reported - computed if not (math.isnan(reported) or math.isnan(computed)) else math.nan
        self.rows.append(dict(year=self.year, check=check, subject=subject, project_code=project_code,
                              indicator=indicator, metrics=metrics, reported=reported, computed=computed,
                              difference=difference, tolerance=math.nan, rule=rule,
                              severity=severity or default_severity(check), passed=False, status="failed",
                              reason="", lines=where, detail=detail, related=related, cause_key=cause))

    def not_run(self, check: str, subject: str, reason: str, *, status: str = "not_enough_data", where: str = "",
                metrics: str = "", project_code: str = "", indicator: str = "") -> None:
        """Record a check that could not run: never passed, never a finding, with its `reason` (a key, then the
        metrics or figures concerned)."""
        if status not in STATUSES[2:]:
            raise ValueError(f"a check that did not run is not_applicable or not_enough_data, not {status!r}")
        default_severity(check)  # every kind of check is described in rules/audit_checks.csv
        self.rows.append(dict(year=self.year, check=check, subject=subject, project_code=project_code,
                              indicator=indicator, metrics=metrics, reported=math.nan, computed=math.nan,
                              difference=math.nan, tolerance=math.nan, rule="", severity="", passed=False,
                              status=status, reason=reason, lines=where, detail="", related="", cause_key=""))

    def has(self, f: Facts, check: str, subject: str, *metrics: str, context: tuple[str, ...] = ()) -> bool:
        """Whether `f` states every metric the check needs; when not, record it as not run: not_applicable when
        the report states none of them (`context`, a whole other checks share, does not count), not_enough_data
        (with the missing ones) when it states some."""
        missing = [m for m in metrics if f.get(m) is None]
        if not missing:
            return True
        stated = [m for m in metrics if m not in missing and m not in context]
        self.not_run(check, subject, "missing:" + keys(*missing), status="not_enough_data" if stated
                     else "not_applicable", where=lines([f.line(m) for m in stated]), metrics=keys(*metrics))
        return False


def _sum_tolerance(n: int) -> float:
    """n amounts summed and compared with a whole: each of the n + 1 may be rounded by half a cent."""
    return HALF_CENT * (n + 1)


def _ratio_slack(numerator: float, denominator: float) -> float:
    """How far numerator ÷ denominator can move when each is a rounded amount (half a cent either way): a
    rate printed from the unrounded amounts may differ from the rate of the printed ones by this much."""
    return HALF_CENT / denominator + abs(numerator) * HALF_CENT / (denominator * (denominator - HALF_CENT))


def _share_tolerance(digits: int) -> tuple[float, float]:
    """(half a unit, one unit) of a share printed to `digits` decimals of a percent, as fractions."""
    half = 0.5 * 10 ** (-digits) / 100
    return half, 2 * half


# --- wholes and parts ---------------------------------------------------------------------------

# Every source of income the reader takes (read/rules/sentences.csv): a report lists the ones it has, so the
# sources it leaves out count as none.
INCOME_SOURCES = ["fiscal_appropriation_income", "government_fund_income", "state_capital_income",
                  "superior_subsidy_income", "public_service_income", "business_income",
                  "subsidiary_remittance_income", "other_income"]
WHOLES_OF_LISTED_PARTS = {"total_income"}
WHOLES = [  # whole, parts
    ("total_expenditure", ["basic_expenditure", "project_expenditure"]),
    ("total_income", INCOME_SOURCES),
    ("basic_expenditure", ["personnel_expenditure", "public_expenditure"]),
    ("three_public_total", ["overseas_travel", "vehicle_purchase_operation", "official_reception"]),
    ("vehicle_purchase_operation", ["vehicle_purchase", "vehicle_operation"]),
    ("procurement_total", ["procurement_goods", "procurement_services"]),
    ("vehicle_purchase", ["vehicle_purchase_sedan", "vehicle_purchase_other"]),
    ("fixed_assets", ["fixed_assets_in_use", "fixed_assets_idle", "fixed_assets_pending_disposal"]),
    ("intangible_assets", ["intangible_assets_in_use", "intangible_assets_idle", "intangible_assets_pending_disposal"]),
]
# The purchase list prices only some of the vehicles bought (the rest are in a project table): doubtful, not wrong.
WHOLES_DOUBTFUL = {"vehicle_purchase"}
COUNT_WHOLES = [
    ("fleet_total", ["fleet_sedan", "fleet_suv", "fleet_small_bus", "fleet_medium_large_bus", "fleet_other_type"]),
    ("vehicles_total", ["fleet_law_enforcement", "fleet_other_use"]),
    ("vehicles_bought", ["vehicles_bought_sedan", "vehicles_bought_other"]),
]
SAME_FIGURE = [  # the same figure stated twice
    ("total_income", "total_expenditure"),
    ("total_income_expenditure", "total_expenditure"),
    ("general_budget_expenditure", "total_expenditure"),
    ("general_budget_final", "general_budget_expenditure"),
    ("basic_expenditure_fiscal", "basic_expenditure"),
    ("vehicle_purchase_operation_detail", "vehicle_purchase_operation"),
    ("sme_contracts_evaluation", "sme_contracts"),
    ("small_micro_contracts_evaluation", "small_micro_contracts"),
    ("vehicles_total", "fleet_total"),
    ("vehicles_bought_patrol", "vehicles_bought"),
]
SHARES = [  # part, share metric, whole
    ("basic_expenditure", "basic_expenditure_share", "total_expenditure"),
    ("project_expenditure", "project_expenditure_share", "total_expenditure"),
    ("fiscal_appropriation_income", "fiscal_appropriation_income_share", "total_income"),
    *[(source, f"{source}_share", "total_income") for source in INCOME_SOURCES[1:]],
    ("overseas_travel", "overseas_travel_share", "three_public_total"),
    ("vehicle_purchase_operation", "vehicle_purchase_operation_share", "three_public_total"),
    ("official_reception", "official_reception_share", "three_public_total"),
    ("sme_contracts", "sme_contracts_share", "procurement_total"),
    ("small_micro_contracts", "small_micro_contracts_share", "procurement_total"),
]
CHANGES = [  # metric, change metric (amount), change pct metric
    ("total_expenditure", "total_expenditure_change", "total_expenditure_change_pct"),
    ("total_expenditure", "fiscal_total_change", "fiscal_total_change_pct"),
    ("general_budget_expenditure", "general_budget_expenditure_change", "general_budget_expenditure_change_pct"),
    ("three_public_total", "three_public_change", "three_public_change_pct"),
    ("vehicle_purchase_operation", "vehicle_purchase_operation_change", "vehicle_purchase_operation_change_pct"),
    ("agency_operating_expenditure", "agency_operating_expenditure_change", "agency_operating_expenditure_change_pct"),
    ("expenditure_budget_adjusted", "expenditure_budget_change", "expenditure_budget_change_pct"),
    ("income_budget_adjusted", "income_budget_change", "income_budget_change_pct"),
]


class Indicators:
    """One report's indicators read once for all the checks that read them: every row as a record (in row order),
    and this year's rows (leftovers left out, helpers.data.leftovers) as a frame and as records."""

    def __init__(self, frame: pd.DataFrame) -> None:
        leftover = leftover_mask(frame)
        self.frame, self.rows = frame, records(frame)
        self.current = frame[~leftover]
        self.current_rows = [row for row, left in zip(self.rows, leftover.tolist(), strict=True) if not left]


def _read(indicators: pd.DataFrame | Indicators) -> Indicators:
    return indicators if isinstance(indicators, Indicators) else Indicators(indicators)


def check_wholes(a: Audit, f: Facts, indicators: pd.DataFrame | Indicators) -> None:
    booked_in = rules.table("purchases_in_projects")
    coded = [(row["indicator"], row["project_code"]) for row in _read(indicators).current_rows]
    for whole, parts in WHOLES:
        if whole in WHOLES_OF_LISTED_PARTS:
            parts = [p for p in parts if f.has(p)] or parts
        if not a.has(f, "whole_vs_parts", whole, whole, *parts):
            continue
        # a project table that books the same kind of purchase (rules/purchases_in_projects.csv)
        names = set(booked_in.loc[booked_in["whole"] == whole, "indicator"])
        projects = list(dict.fromkeys(code for indicator, code in coded if indicator in names))
        a.compare("whole_vs_parts", whole, f.get(whole), sum(f.get(p) for p in parts), _sum_tolerance(len(parts)),
                  "sum_rounding", lines(f.line(whole), [f.line(p) for p in parts]), metrics=keys(whole, *parts),
                  detail="bought_in_project" if projects else "", related=keys(*projects),
                  fail="warning" if whole in WHOLES_DOUBTFUL else None,
                  cause=f"vehicles_bought|{a.year}" if whole == "vehicle_purchase" else "")
    for whole, parts in COUNT_WHOLES:
        if not a.has(f, "whole_vs_parts", whole, whole, *parts):
            continue
        a.compare("whole_vs_parts", whole, f.get(whole), sum(f.get(p) for p in parts), 0, "exact_count",
                  lines(f.line(whole), [f.line(p) for p in parts]), metrics=keys(whole, *parts))
    for one, other in SAME_FIGURE:
        if not a.has(f, "same_figure_twice", one, one, other):
            continue
        a.compare("same_figure_twice", one, f.get(one), f.get(other), 0, "exact_figure",
                  lines(f.line(one), f.line(other)), metrics=keys(one, other))


def _classes_and_items(classes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return classes[classes["level"] == "类"], classes[classes["level"] == "项"]


def check_classes(a: Audit, f: Facts, classes: pd.DataFrame) -> None:
    """The 类 totals and the 项 lines against the total and each other, and the printed class shares.

    When the class totals and the item lines both add up to the total, a class that differs from
    its items is money booked under another class: the gaps cancel out (`detail` class_totals_agree,
    `related` the other classes off their items). A printed share that matches the items, not the
    class amount, singles the class amount out (share_agrees_with_items). All are one cause.
    """
    class_rows, items = _classes_and_items(classes)
    total = f.get("general_budget_expenditure") or f.get("total_expenditure")
    total_metric = "general_budget_expenditure" if f.get("general_budget_expenditure") else "total_expenditure"
    cause = f"classes|{lines(class_rows['source_line'])}"
    classes_agree = items_agree = False
    if total is not None and len(class_rows):
        classes_agree = a.compare("whole_vs_parts", "类", total, class_rows["amount"].sum(),
                                  _sum_tolerance(len(class_rows)), "sum_rounding",
                                  lines(f.line(total_metric), class_rows["source_line"]), metrics=total_metric,
                                  cause=cause)
    if total is not None and len(items):
        items_agree = a.compare("whole_vs_parts", "项", total, items["amount"].sum(), _sum_tolerance(len(items)),
                                "sum_rounding", lines(f.lines_of("general_budget_final"), items["source_line"]),
                                metrics=keys("general_budget_final" if f.get("general_budget_final") else total_metric),
                                cause=cause)
    item_sums = items.groupby("class_zh")["amount"].sum()
    off = [
        r["class_zh"]
        for _, r in class_rows.iterrows()
        if r["class_zh"] in item_sums.index
        and abs(r["amount"] - item_sums[r["class_zh"]])
        > _sum_tolerance(int((items["class_zh"] == r["class_zh"]).sum())) + 1e-9
    ]
    for _, row in class_rows.iterrows():
        mine = items[items["class_zh"] == row["class_zh"]]
        if mine.empty:
            continue
        a.compare("whole_vs_parts", row["class_zh"], row["amount"], mine["amount"].sum(), _sum_tolerance(len(mine)),
                  "sum_rounding", lines(row["source_line"], mine["source_line"]),
                  detail="class_totals_agree" if classes_agree and items_agree else "",
                  related=keys(*[c for c in off if c != row["class_zh"]]), cause=cause)
    if total is None:
        return
    for _, row in class_rows.iterrows():
        if math.isnan(row["reported_share"]):
            continue
        digits = decimals(row["reported_share"] * 100)
        tolerance, unit = _share_tolerance(digits)
        item_sum = item_sums.get(row["class_zh"], 0.0)
        agrees_with_items = bool(item_sum) and abs(item_sum / total - row["reported_share"]) <= tolerance + 1e-9
        a.compare("stated_share", row["class_zh"], row["reported_share"], row["amount"] / total, tolerance,
                  "share_rounding", lines(row["source_line"]), metrics=total_metric,
                  detail="share_agrees_with_items" if agrees_with_items else "", cause=cause, unit=unit)


def check_shares(a: Audit, f: Facts) -> None:
    for part, share, whole in SHARES:
        if not a.has(f, "stated_share", share, share, part, whole, context=(whole,)):
            continue
        if not f.get(whole):
            a.not_run("stated_share", share, f"zero_whole:{whole}", status="not_applicable",
                      where=lines(f.line(share), f.line(whole)), metrics=keys(share, part, whole))
            continue
        tolerance, unit = _share_tolerance(f.decimals(share))
        a.compare("stated_share", share, f.get(share), f.get(part) / f.get(whole), tolerance, "share_rounding",
                  lines(f.line(share), f.line(part), f.line(whole)), metrics=keys(share, part, whole), unit=unit)


def check_changes(a: Audit, f: Facts) -> None:
    prior_year = f.year - 1
    for metric, change, pct in CHANGES:
        if not a.has(f, "stated_change", change, change, metric, context=(metric,)):
            continue
        stated_prior = f.stated(metric, prior_year)
        if stated_prior:  # a prior year stated outright: the change amount can be checked
            prior, prior_line = stated_prior.value, stated_prior.line
            a.compare("stated_change", change, f.get(change), f.get(metric) - prior, _sum_tolerance(2), "sum_rounding",
                      lines(f.line(change), prior_line), metrics=keys(change, metric))
        else:  # the prior year only follows from the change: the change cannot be checked against it
            prior = f.get(metric) - f.get(change)
            a.not_run("stated_change", change, f"prior_year_derived:{metric}", status="not_applicable",
                      where=lines(f.line(change)), metrics=keys(change, metric))
        if f.get(pct) is None:
            a.not_run("stated_change_pct", pct, f"missing:{pct}", status="not_applicable", metrics=keys(pct, metric))
            continue
        if not prior:  # a change rate on a prior year of zero is undefined: it cannot be checked, nor passed
            a.not_run("stated_change_pct", pct, f"zero_prior_year:{metric}", where=lines(f.line(pct)),
                      metrics=keys(pct, change, metric))
            continue
        tolerance, unit = _share_tolerance(f.decimals(pct))
        computed = (f.get(metric) - prior) / prior
        # The same printed rate on the same figures (三公 and its vehicles, all of it) is one cause.
        a.compare("stated_change_pct", pct, f.get(pct), computed, tolerance, "change_pct_rounding", lines(f.line(pct)),
                  metrics=keys(pct, change, metric), detail="truncated" if abs(f.get(pct) - computed) <= unit else "",
                  cause=f"stated_change_pct|{f.get(pct)!r}|{computed:.10f}", unit=unit)


def _implied_budget(amount: float, rate: float, rate_digits: int) -> tuple[float, float]:
    """Budget implied by amount / rate, and how far it can move with the rate's rounding."""
    half = 0.5 * 10 ** (-rate_digits) / 100
    budget = amount / rate
    return budget, amount / max(rate - half, 1e-12) - budget


def check_completion(a: Audit, f: Facts, classes: pd.DataFrame) -> None:
    all_items = classes[classes["level"] == "项"]
    items = all_items[all_items["completion_rate"].notna() & (all_items["completion_rate"] > 0)]
    whole_rate = f.get("budget_completion_rate")
    whole = f.get("general_budget_final")
    if not a.has(f, "implied_budget", "budget_completion_rate", "budget_completion_rate", "general_budget_final"):
        pass
    elif not whole_rate or items.empty:
        a.not_run("implied_budget", "budget_completion_rate", "zero_rate" if not whole_rate else "no_item_rates",
                  where=lines(f.line("budget_completion_rate")), metrics="budget_completion_rate")
    elif not all_items["completion_rate"].notna().all():
        # An item printed without its rate has a budget nothing implies: the parts' budgets cannot be summed.
        a.not_run("implied_budget", "budget_completion_rate", "item_without_rate",
                  where=lines(f.line("budget_completion_rate"), all_items.loc[all_items["completion_rate"].isna(),
                                                                                 "source_line"]),
                  metrics="budget_completion_rate")
    else:
        whole_budget, whole_slack = _implied_budget(whole, whole_rate, f.decimals("budget_completion_rate"))
        parts = [_implied_budget(r["amount"], r["completion_rate"], decimals(r["completion_rate"] * 100))
                 for _, r in items.iterrows()]
        cause = f"budget_execution|{a.year}"   # the budgets the items imply against every other statement of it
        a.compare("implied_budget", "budget_completion_rate", whole_budget, sum(b for b, _ in parts),
                  whole_slack + sum(s for _, s in parts), "implied_budget",
                  lines(f.line("budget_completion_rate"), items["source_line"]),
                  metrics=keys("budget_completion_rate", "general_budget_final"), cause=cause)
        # The adjusted budget the prose states (调整后全年财政下达预算) against the same implied budgets: equal to
        # spending, it says 100% was executed.
        if f.get("expenditure_budget_adjusted") is not None:
            a.compare("implied_budget", "expenditure_budget_adjusted", f.get("expenditure_budget_adjusted"),
                      sum(b for b, _ in parts), HALF_CENT + sum(s for _, s in parts), "implied_budget",
                      lines(f.line("expenditure_budget_adjusted"), items["source_line"]),
                      metrics=keys("expenditure_budget_adjusted", "general_budget_final"), cause=cause)
    tp, tp_rate = f.get("three_public_total"), f.get("three_public_completion_rate")
    vp, vp_rate = f.get("vehicle_purchase_operation"), f.get("vehicle_purchase_operation_completion_rate")
    if not a.has(f, "implied_budget", "three_public_completion_rate", "three_public_total",
                 "three_public_completion_rate", "vehicle_purchase_operation",
                 "vehicle_purchase_operation_completion_rate"):
        pass
    elif not (tp and tp_rate and vp and vp_rate):
        a.not_run("implied_budget", "three_public_completion_rate", "zero_amount_or_rate",
                  where=lines(f.line("three_public_completion_rate")), metrics="three_public_completion_rate")
    else:
        whole_budget, s1 = _implied_budget(tp, tp_rate, f.decimals("three_public_completion_rate"))
        part_budget, s2 = _implied_budget(vp, vp_rate, f.decimals("vehicle_purchase_operation_completion_rate"))
        # overseas travel and hospitality spent 0, so their budgets cannot be implied: the part is all we have
        a.compare("implied_budget", "three_public_completion_rate", whole_budget, part_budget, s1 + s2,
                  "part_within_whole",
                  lines(f.line("three_public_completion_rate"), f.line("vehicle_purchase_operation_completion_rate")),
                  metrics=keys("three_public_completion_rate", "three_public_total",
                               "vehicle_purchase_operation_completion_rate", "vehicle_purchase_operation"))


# --- the prose against the figures ---------------------------------------------------------------

def check_rates_on_zero(a: Audit, f: Facts) -> None:
    """A completion rate printed for an amount of 0 (rules/completion_rates.csv): 100% of nothing implies a
    budget of 0 (0 ÷ 0), a doubtful figure; 0% of nothing says nothing about the budget: not applicable."""
    for rule in rules.table("completion_rates").itertuples():
        rate = f.get(rule.rate)
        amount_metric = next((m for m in rule.amount.split(";") if f.get(m) is not None), None)
        if rate is None or amount_metric is None or f.get(amount_metric) > HALF_CENT:
            continue
        where = lines(f.line(rule.rate), f.line(amount_metric))
        if rate > 0:
            a.note("rate_on_zero_amount", rule.rate, where, reported=rate, computed=0.0,
                   metrics=keys(rule.rate, amount_metric))
        else:
            a.not_run("implied_budget", rule.rate, f"zero_amount_zero_rate:{amount_metric}", status="not_applicable",
                      where=where, metrics=keys(rule.rate, amount_metric))


def check_gap_reasons(a: Audit, f: Facts, classes: pd.DataFrame, explanations: pd.DataFrame | None,
                      prose: list[str] | None = None) -> None:
    """Items (项) and the whole that spent less than their budget without a stated reason: notes, one cause, each
    with the 万元 the gap implies (amount ÷ rate − amount) as its computed figure."""
    cause = f"gap_without_reason|{a.year}"
    explained = set(explanations["metric"]) if explanations is not None else set()
    rate = f.get("budget_completion_rate")
    marker = "|".join(f"(?:{p})" for p in rules.table("reason_markers")["pattern"])
    if rate is not None and prose is not None and re.search(marker, prose[f.line("budget_completion_rate") - 1]):
        explained.add("budget_completion_rate")  # a reason on the line itself, whether or not a fact holds it
    if rate is not None and 0 < rate < 1 and f.get("general_budget_final") is not None \
            and "budget_completion_rate" not in explained:
        amount = f.get("general_budget_final")
        a.note("gap_without_reason", "budget_completion_rate", lines(f.line("budget_completion_rate")),
               reported=amount, computed=amount / rate, metrics="budget_completion_rate", cause=cause)
    items = classes[(classes["level"] == "项") & classes["completion_rate"].notna()
                    & (classes["completion_rate"] > 0) & (classes["completion_rate"] < 1)
                    & (classes["note"].fillna("").str.strip() == "")]
    for row in records(items):
        a.note("gap_without_reason", row["item_zh"], lines(row["source_line"]), reported=row["amount"],
               computed=row["amount"] / row["completion_rate"], cause=cause)


def check_reasons(a: Audit, f: Facts, explanations: pd.DataFrame | None) -> None:
    """A stated reason whose words would move the figure the other way (rules/reason_directions.csv), and
    机关运行经费 equal to 公用经费 to the cent (they are different measures; one may be copied for the other)."""
    if explanations is not None and len(explanations):
        for rule in rules.table("reason_directions").itertuples():
            change = f.get(rule.metric)
            reasons = explanations[(explanations["metric"] == rule.metric)
                                   & explanations["text_zh"].str.contains(rule.pattern, regex=True)]
            if change is None or reasons.empty or change == 0:
                continue
            if (change > 0) != (int(rule.direction) > 0):
                figure = rule.metric.removesuffix("_change")
                a.note("reason_against_direction", rule.metric, lines(f.line(rule.metric), reasons["source_line"]),
                       reported=change, computed=0.0, metrics=keys(figure, rule.metric),
                       cause=f"agency_operating|{a.year}")
    if f.has("agency_operating_expenditure", "public_expenditure") and \
            abs(f.get("agency_operating_expenditure") - f.get("public_expenditure")) < HALF_CENT:
        a.note("same_as_other_figure", "agency_operating_expenditure",
               lines(f.line("agency_operating_expenditure"), f.line("public_expenditure")),
               reported=f.get("agency_operating_expenditure"), computed=f.get("public_expenditure"),
               metrics=keys("agency_operating_expenditure", "public_expenditure"), cause=f"agency_operating|{a.year}")


def check_prose_statements(a: Audit, f: Facts, prose: list[str] | None) -> None:
    """Statements of the prose (rules/prose_statements.csv) against the figures: "不涉及…政府采购" against the
    procurement total, direction words that contradict each other. Without the prose text, not run."""
    for rule in rules.table("prose_statements").itertuples():
        if prose is None:
            a.not_run(rule.check, rule.key, "no_prose_text", status="not_enough_data")
            continue
        hits = [(n, m.group(0)) for n, text in enumerate(prose, start=1) if (m := re.search(rule.pattern, text))]
        if not hits:
            a.not_run(rule.check, rule.key, "statement_not_made", status="not_applicable")
            continue
        for line, words in hits:
            if not rule.against:
                a.note(rule.check, rule.key, lines(line), related=words, cause=f"{rule.check}|{line}")
            elif not a.has(f, rule.check, rule.key, rule.against):
                continue
            else:
                a.compare(rule.check, rule.key, 0.0, f.get(rule.against), HALF_CENT, "stated_balance",
                          lines(line, f.line(rule.against)), metrics=rule.against, cause=f"{rule.check}|{line}")


def check_areas_delivered(a: Audit, projects: pd.DataFrame, indicators: pd.DataFrame | Indicators) -> None:
    """A project that spent money while its floor-area targets (indicator_rules.csv, built_area) report 0: the
    money went to its other outputs. 二大队业务技术用房新建项目 spent 518.61 万元; its 副楼3楼 and 主楼5楼
    (≥500 平方米 each) are 0, the building's cost (主楼+副楼基础设施建设, ≤513.64 万元) 0; its surveillance outputs
    were delivered."""
    ind = _read(indicators)  # row by row: a few projects, each a filter of pandas's cost more than its rows
    current, rows = ind.current, ind.current_rows
    built_area = indicator_rule_mask(current, "built_area").tolist()
    cap = indicator_rule_mask(current, "cap").tolist()
    unbuilt: dict[str, list[dict]] = {}  # by project, in the order of their first row (groupby's, without blanks)
    for row, area in zip(rows, built_area, strict=True):
        if area and row["target_value"] > 0 and row["actual_value"] == 0 and not pd.isna(row["project_code"]):
            unbuilt.setdefault(row["project_code"], []).append(row)
    project_of: dict[str, dict] = {}
    for p in records(projects):
        project_of.setdefault(p["project_code"], p)
    for code, areas in unbuilt.items():
        p = project_of.get(code)
        if p is None or not p["executed"] > 0:
            continue
        mine = [(row, is_cap) for row, is_cap in zip(rows, cap, strict=True) if row["project_code"] == code]
        costs = [row for row, is_cap in mine
                 if is_cap and row["unit"] == "万元" and not math.isnan(row["actual_value"])]
        unbuilt_cost = [row for row in costs if row["actual_value"] == 0]
        listed = {id(row) for row in areas}
        delivered = [row for row, _ in mine if row["level2"] == "数量指标" and row["actual_value"] > 0
                     and id(row) not in listed]
        a.note("area_not_delivered", p["project_name"],
               lines(p["executed_line"], [row["actual_line"] for row in areas],
                     [row["actual_line"] for row in unbuilt_cost]),
               reported=p["executed"], computed=float(_stated(unbuilt_cost, "actual_value").sum()), project_code=code,
               metrics=keys(*[row["indicator"] for row in areas]),
               related=keys(*[row["indicator"] for row in delivered]),
               detail="building_cost_zero" if unbuilt_cost else "", cause=f"area_not_delivered|{code}")


def check_cost_results(a: Audit, projects: pd.DataFrame, indicators: pd.DataFrame | Indicators) -> None:
    """A project's cost results in 万元 (成本指标) cannot add up to more than the project spent."""
    ind = _read(indicators)
    cap = indicator_rule_mask(ind.current, "cap").tolist()
    of_project = _by_project([row for row, is_cap in zip(ind.current_rows, cap, strict=True)  # in row order
                              if is_cap and row["unit"] == "万元" and not math.isnan(row["actual_value"])])
    for p in records(projects):
        mine = of_project.get(p["project_code"])
        if mine is None:
            continue
        total = _stated(mine, "actual_value").sum()
        a.compare("cost_results_vs_spending", p["project_name"], total, min(total, p["executed"]),
                  _sum_tolerance(len(mine)), "sum_rounding",
                  lines(p["executed_line"], [r["actual_line"] for r in mine]),
                  project_code=p["project_code"])



# --- project tables ---------------------------------------------------------------------------

def check_projects(a: Audit, projects: pd.DataFrame, funding: pd.DataFrame,
                   indicators: pd.DataFrame | Indicators) -> None:
    funding_of = _records_by_project(funding)
    cut_words = "|".join(rules.table("budget_cut_markers")["pattern"])
    # Every mask and judgement is row by row: done once for all projects, then looked up per project.
    ind = _read(indicators)
    indicators, current = ind.frame, ind.current
    judged = judged_indicators(current).dropna(subset=["score"])
    # A result left blank cannot have met its target: points kept for it are points for nothing shown.
    blank = current[current["target_value"].notna() & current["actual"].fillna("").str.strip().eq("")
                    & (current["score"] > 0)]
    # A target of 0 met by a result of 0 scored points: nothing planned, nothing done, points given.
    zero = current[(current["target_value"] == 0) & (current["actual_value"] == 0) & (current["score"] > 0)]
    # current, blank and zero are rows of indicators: converted once, picked by their index labels
    subsets = (("all", indicators), ("current", current), ("blank", blank), ("zero", zero))
    if indicators.index.is_unique:
        row_of = dict(zip(indicators.index, ind.rows, strict=True))
        rows_of = {kind: _by_project([row_of[label] for label in df.index]) for kind, df in subsets}
    else:
        rows_of = {kind: _records_by_project(df) for kind, df in subsets}
    rows_of["judged"] = _records_by_project(judged)
    for p in records(projects):
        name, code, where = p["project_name"], p["project_code"], p["budget_line"]
        if not p["budget_adjusted"] > 0:
            a.not_run("execution_rate", name, "zero_budget", status="not_applicable", where=lines(where),
                      project_code=code)
        else:
            a.compare("execution_rate", name, p["execution_rate_reported"], p["executed"] / p["budget_adjusted"],
                      RATE_HALF_UNIT + _ratio_slack(p["executed"], p["budget_adjusted"]), "rate_of_rounded_amounts",
                      lines(where), project_code=code, unit=2 * RATE_HALF_UNIT)
        if p["budget_adjusted"] < p["budget_initial"] - HALF_CENT and \
                not re.search(cut_words, str(p["shortfall_reason"] or "")):
            # a reason that is there but speaks of something else (the delay) still leaves the cut unexplained
            a.note("budget_cut_without_reason", name, lines(where), reported=p["budget_initial"],
                   computed=p["budget_adjusted"], project_code=code, cause=f"budget_cut_without_reason|{a.year}",
                   detail="reason_not_about_cut" if str(p["shortfall_reason"] or "").strip() else "")
        if math.isnan(p["budget_score"]):
            a.note("budget_score_blank", name, lines(where), project_code=code, reported=p["total_score"],
                   computed=p["budget_weight"])
        elif p["budget_adjusted"] > 0:
            computed = min(p["budget_weight"] * p["execution_rate_reported"], p["budget_weight"])
            digits = decimals(p["budget_score"])
            a.compare("budget_score", name, p["budget_score"], computed,
                      0.5 * 10 ** (-digits) + p["budget_weight"] * RATE_HALF_UNIT, "score_rounding", lines(where),
                      project_code=code, unit=10 ** (-digits))
        if code not in rows_of["all"]:
            a.note("no_indicators", name, lines(p["source_line"]), project_code=code)
        else:
            _check_indicators(a, p, {kind: rows.get(code, []) for kind, rows in rows_of.items()})
        own = funding_of.get(code, [])
        for column in ("budget_initial", "budget_adjusted", "executed"):
            values = _stated(own, column)
            if not len(values):
                continue
            a.compare("funding_vs_total", name, p[column], values.sum(), _sum_tolerance(len(values)), "sum_rounding",
                      lines(where, [row["source_line"] for row in own]), project_code=code, metrics=column)


def _records_by_project(df: pd.DataFrame) -> dict[str, list[dict]]:
    """The rows of `df` as records, by project code, in row order (rows without a code left out, as groupby
    leaves them): one conversion for all projects instead of one per project."""
    return _by_project(records(df))


def _by_project(records_: list[dict]) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {}
    for row in records_:
        if not pd.isna(row["project_code"]):
            rows.setdefault(row["project_code"], []).append(row)
    return rows


def _stated(rows: list[dict], column: str) -> np.ndarray:
    """The figures of `column` the rows state (blanks left out), in row order, summed as pandas sums a column."""
    return np.array([row[column] for row in rows if not math.isnan(row[column])], dtype="float64")


def _check_indicators(a: Audit, p: dict, rows: dict[str, list[dict]]) -> None:
    """One project's indicator checks; `rows` its indicators as records: "all" of them, "current" without
    leftovers, of which "blank" the results left blank that scored, "zero" the targets of 0 met by 0 that scored,
    and "judged" those `judged_indicators` reads (a numeric target, result and score)."""
    name, code = p["project_name"], p["project_code"]
    for ind in rows["current"]:
        if not math.isnan(ind["score"]) and not math.isnan(ind["weight"]):
            a.compare("score_within_weight", name, ind["score"], min(ind["score"], ind["weight"]), 0,
                      "score_within_weight", lines(ind["source_line"]), project_code=code, indicator=ind["indicator"])
    for ind in rows["blank"]:  # see check_projects
        a.note("blank_result_scored", name, lines(ind["source_line"]), reported=ind["score"], computed=ind["weight"],
               project_code=code, indicator=ind["indicator"], cause=f"blank_result_scored|{code}")
    # When the project's goal names the activity (annual_goal), it was planned after all and the 0 hides it.
    goal = str(p.get("annual_goal") or "")
    for ind in rows["zero"]:
        activity = re.sub(r"每(?:处|个|辆|套)$", "", ind["indicator"])
        a.note("zero_target_scored", name, lines(ind["source_line"]), reported=ind["score"], computed=ind["weight"],
               project_code=code, indicator=ind["indicator"], cause=f"zero_target_scored|{code}",
               detail="named_in_goal" if activity and activity in goal else "")
    for ind in rows["judged"]:
        where, label = lines(ind["source_line"]), dict(project_code=code, indicator=ind["indicator"])
        reason = str(ind["shortfall_reason"] or "").strip()
        if not ind["met"] and ind["full_marks"] and not ind["explained_excess"]:
            # one convention, one cause: a strict target (＞) met exactly, across projects; else one project's misses
            # with one stated reason
            strict_equal = ind["judged_operator"] == ">" and ind["actual_value"] == ind["target_value"]
            a.note("target_missed_full_marks", name, where, reported=ind["score"], computed=ind["weight"],
                   detail="strict_target_met_exactly" if strict_equal else "",
                   cause=(f"strict_target_met_exactly|{a.year}" if strict_equal
                          else f"target_missed_full_marks|{code}|{reason}" if reason else ""), **label)
        elif ind["met"] and ind["proportional"]:
            # the verdict "spending less lost points" holds only where the reason is a saving
            saving = re.search("|".join(rules.table("saving_markers")["pattern"]), reason) is not None
            a.note("cap_scored_as_spending", name, where, reported=ind["score"], computed=ind["weight"],
                   detail="saving" if saving else "work_not_done" if reason else "no_reason",
                   related="rounded_down" if ind["rounded_down"] else "",
                   cause=f"cap_scored_as_spending|{a.year}", **label)
        elif ind["met"] and not ind["full_marks"]:
            a.note("target_met_points_lost", name, where, reported=ind["score"], computed=ind["weight"], **label)
    weights = _stated(rows["all"], "weight")
    if not math.isnan(p["indicator_weight"]):
        a.compare("indicator_weights", name, p["indicator_weight"], weights.sum(), 0.005 * len(weights),
                  "score_rounding", lines(p["source_line"], p["total_line"]), project_code=code)
    scores = _stated(rows["all"], "score")
    budget = p["budget_score"]
    if math.isnan(budget):  # left blank: take the score the execution rate earns
        budget = min(p["budget_weight"] * p["execution_rate_reported"], p["budget_weight"])
    parts = [budget, *scores.tolist()]
    tolerance = 0.5 * 10 ** (-decimals(p["total_score"])) + sum(
        0.5 * 10 ** (-decimals(s)) for s in parts if decimals(s)
    )
    a.compare("total_score", name, p["total_score"], budget + scores.sum(), tolerance, "score_rounding",
              lines(p["total_line"]), project_code=code)


def same_project(listed: str, table: str) -> bool:
    """Whether the name a prose list prints is the project of a table: the same name, or the table's name with a
    prefix of rules/table_name_prefixes.csv (a year) before it."""
    return re.fullmatch(f"(?:{_table_name_prefixes()})?{re.escape(listed)}", table) is not None


@functools.cache
def _table_name_prefixes() -> str:
    return "|".join(f"(?:{p})" for p in rules.table("table_name_prefixes")["pattern"])


TABLES_NOT_NAMED = "tables_not_named"  # in `related`, parts the listed names without a table from the tables left out


def list_against_tables(listed: pd.DataFrame, projects: pd.DataFrame) -> list[str]:
    """The listed names that have no project table (as printed), then, after the key TABLES_NOT_NAMED, the
    codes of the tables the list does not name; empty when the list names exactly the tables."""
    names, tables = (
        list(listed["project_name"]),
        list(zip(projects["project_code"], projects["project_name"], strict=True)),
    )
    # same_project's pattern of each listed name, made once for all the tables
    patterns = [re.compile(f"(?:{_table_name_prefixes()})?{re.escape(n)}") for n in names]
    without_table = [n for n, pattern in zip(names, patterns, strict=True)
                     if not any(pattern.fullmatch(table) for _, table in tables)]
    not_named = [code for code, table in tables if not any(pattern.fullmatch(table) for pattern in patterns)]
    return without_table + ([TABLES_NOT_NAMED, *not_named] if not_named else [])


def check_counts(a: Audit, f: Facts, projects: pd.DataFrame, named_projects: pd.DataFrame | None = None,
                 indicators: pd.DataFrame | None = None) -> None:
    """Counts the prose states against the project tables.

    The counts of one sentence (line 86 in 2023: self-evaluated, monitored, given targets) share
    one cause. No table is named as the odd one out: the sentence's own list of projects does not
    match the tables either, and the finding says how (detail list_differs_from_tables: the listed
    names without a table, then the tables the list leaves out).
    """
    tables = len(projects)
    with_indicators = set(indicators["project_code"]) if indicators is not None else set(projects["project_code"])
    empty_forms = [c for c in projects["project_code"] if c not in with_indicators]
    for metric in ("projects_self_evaluated", "projects_monitored", "projects_with_targets"):
        if f.get(metric) is not None and empty_forms and f.get(metric) == tables - len(empty_forms):
            # the count leaves out the tables that are empty forms (no indicator at all): a note, not a contradiction;
            # the listed names without a table of their own come after the empty forms in `related`
            listed = (named_projects[named_projects["source_line"] == f.line(metric)]
                      if named_projects is not None else None)
            differences = list_against_tables(listed, projects) if listed is not None and len(listed) else []
            without_table = differences[:differences.index(TABLES_NOT_NAMED)] if TABLES_NOT_NAMED in differences \
                else differences
            a.note("stated_count", metric, lines(f.line(metric), projects["source_line"].min()), severity="info",
                   reported=f.get(metric), computed=tables, rule="exact_count", metrics=metric,
                   detail="empty_form_not_counted", related=keys(*empty_forms, *without_table),
                   cause=f"stated_count|{f.line(metric)}|{f.get(metric)}|{tables}")
        elif f.get(metric) is not None and not tables:
            # a report without self-evaluation tables (published apart) has nothing to count them against
            a.not_run("stated_count", metric, "no_project_tables", status="not_applicable",
                      where=lines(f.line(metric)), metrics=metric)
        elif f.get(metric) is not None:
            where = lines(f.line(metric), projects["source_line"].min())
            listed = (named_projects[named_projects["source_line"] == f.line(metric)]
                      if named_projects is not None else named_projects)
            differences = list_against_tables(listed, projects) if listed is not None and len(listed) else []
            a.compare("stated_count", metric, f.get(metric), tables, 0, "exact_count", where, metrics=metric,
                      detail="list_differs_from_tables" if differences else "", related=keys(*differences),
                      cause=f"stated_count|{f.line(metric)}|{f.get(metric)}|{tables}")
    if f.has("recurring_projects", "one_off_projects"):
        _check_project_kinds(a, f, projects)
    if f.has("vehicles_bought_patrol", "motorcycles_bought", "vehicles_bought") and f.get("motorcycles_bought") > 0:
        a.note(
            "vehicles_listed",
            "vehicles_bought",
            lines(f.line("motorcycles_bought"), f.line("vehicles_bought")),
            reported=f.get("motorcycles_bought") + f.get("vehicles_bought_patrol"),
            computed=f.get("vehicles_bought"),
            metrics=keys("motorcycles_bought", "vehicles_bought_patrol", "vehicles_bought"),
            cause=f"vehicles_bought|{a.year}",   # the motorcycles are also the purchases the list leaves unpriced
        )


def _check_project_kinds(a: Audit, f: Facts, projects: pd.DataFrame) -> None:
    """The stated counts of recurring and one-off projects against the self-evaluated and the tables."""
    tables = len(projects)
    stated_projects = f.get("recurring_projects") + f.get("one_off_projects")
    evaluated = f.get("projects_self_evaluated") if f.get("projects_self_evaluated") is not None else tables
    a.compare("stated_count", "recurring_projects", stated_projects, evaluated, 0, "exact_count",
              lines(f.lines_of("recurring_projects", "projects_self_evaluated")),
              metrics=keys("recurring_projects", "one_off_projects", "projects_self_evaluated"))
    match = projects[(projects["budget_initial"] - f.get("one_off_projects_budget")).abs() < HALF_CENT] \
        if f.has("one_off_projects_budget") else projects.iloc[:0]
    if f.has("one_off_projects_budget", "one_off_projects_execution") and f.get("one_off_projects") == 1:
        if not tables:  # the self-evaluation tables are published apart: nothing to look the project up in
            a.not_run("cross_reference", "one_off_projects_execution", "no_project_tables", status="not_applicable",
                      where=lines(f.line("one_off_projects_execution")), metrics="one_off_projects_execution")
            return
        if len(match) != 1:  # ambiguous (or no table with that budget): fails closed, a doubtful figure
            a.note("cross_reference", "one_off_projects_execution", lines(f.line("one_off_projects_budget")),
                   severity="warning", reported=f.get("one_off_projects_budget"), computed=float(len(match)),
                   metrics="one_off_projects_budget", detail="ambiguous" if len(match) else "no_table_named",
                   related=keys(*match["project_code"]))
            return
        row = match.iloc[0]
        a.compare("cross_reference", "one_off_projects_execution", f.get("one_off_projects_execution"),
                  row["execution_rate_reported"], RATE_HALF_UNIT, "rate_rounding",
                  lines(f.line("one_off_projects_execution"), row["budget_line"]),
                  metrics="one_off_projects_execution", project_code=row["project_code"])
        # Which tables are the recurring projects can only be told when the stated counts cover every table.
        if f.get("recurring_projects_over_10pct_balance") is not None and stated_projects != tables:
            a.not_run("stated_count", "recurring_projects_over_10pct_balance",
                      f"ambiguous:{stated_projects:g} projects counted against {tables} tables",
                      where=lines(f.line("recurring_projects_over_10pct_balance")),
                      metrics="recurring_projects_over_10pct_balance")
        elif f.get("recurring_projects_over_10pct_balance") is not None:
            others = projects[projects["project_code"] != row["project_code"]]
            over = int(((others["budget_adjusted"] - others["executed"]) > 0.1 * others["budget_adjusted"]).sum())
            a.compare("stated_count", "recurring_projects_over_10pct_balance",
                      f.get("recurring_projects_over_10pct_balance"), over, 0, "exact_count",
                      lines(f.line("recurring_projects_over_10pct_balance")),
                      metrics="recurring_projects_over_10pct_balance", fail="warning")


def check_project_spending(a: Audit, f: Facts, projects: pd.DataFrame, funding: pd.DataFrame) -> None:
    """The sum of project spending vs the reported 项目支出, explaining the gap when projects account for it."""
    reported = f.get("project_expenditure")
    if reported is None or projects.empty:
        return
    total = projects["executed"].sum()
    tolerance = _sum_tolerance(len(projects))
    where = lines(f.line("project_expenditure"), projects["budget_line"])
    if abs(total - reported) <= tolerance + 1e-9:
        a.compare("project_sum", "project_expenditure", reported, total, tolerance, "sum_rounding", where,
                  metrics="project_expenditure")
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
    related = list(non_fiscal["project_code"]) + [c.project_code for c in (explained or ())]
    a.note("project_sum", "project_expenditure", where, severity="info" if explained is not None else "error",
           reported=reported, computed=total, rule="sum_rounding", metrics="project_expenditure",
           detail="explained_by_projects" if explained is not None else "not_explained", related=keys(*related))


def check_statements(a: Audit, f: Facts, projects: pd.DataFrame, indicators: pd.DataFrame | Indicators) -> None:
    """Statements of the prose against the tables.

    An indicator that restates a figure of the prose (`rules/indicator_facts.csv`, e.g. 交通警察人数
    against the police counted in the staff sentence) must agree with it. A statement that nothing
    was carried over or left at year end (facts `carryover_balance`, `year_end_budget_balance`,
    value 0) contradicts projects whose stated reason says money received was paid the next year
    (`rules/balance_markers.csv`): their unspent budget is that balance.
    """
    current = _read(indicators).current_rows
    name_of: dict[str, str] = {}  # each project code's first project name
    for code, project_name in zip(projects["project_code"].tolist(), projects["project_name"].tolist(), strict=True):
        name_of.setdefault(code, project_name)
    for rule in rules.table("indicator_facts").itertuples():
        if f.get(rule.metric) is None:
            continue
        rows = [ind for ind in current if ind["indicator"] == rule.indicator and ind["unit"] == rule.unit
                and not pd.isna(ind["actual_value"])]
        joined = f.get(rule.joined) if isinstance(rule.joined, str) and rule.joined else None
        left = f.get(rule.left) if isinstance(rule.left, str) and rule.left else None
        for ind in rows:
            name = name_of.get(ind["project_code"], ind["project_code"])
            if (joined is not None and left is not None and ind["actual_value"] != f.get(rule.metric)
                    and ind["actual_value"] == f.get(rule.metric) - joined + left):
                # the count at the start of the year: year-end − joined + left (159 − 2 + 9 = 166 in 2023)
                a.note("indicator_vs_fact", name,
                       lines(ind["source_line"], f.line(rule.metric)), severity="info", reported=ind["actual_value"],
                       computed=f.get(rule.metric), metrics=keys(rule.metric, rule.joined, rule.left),
                       project_code=ind["project_code"], indicator=ind["indicator"], detail="start_of_year_count",
                       related=keys(f"{joined:g}", f"{left:g}"))
                continue
            a.compare("indicator_vs_fact", name, ind["actual_value"],
                      f.get(rule.metric), 0, "exact_count", lines(ind["source_line"], f.line(rule.metric)),
                      metrics=rule.metric, project_code=ind["project_code"], indicator=ind["indicator"])
    pattern = "|".join(f"(?:{p})" for p in rules.table("balance_markers")["pattern"])
    deferred = projects[projects["shortfall_reason"].fillna("").str.contains(pattern, regex=True)
                        & (projects["budget_adjusted"] - projects["executed"] > HALF_CENT)]
    carried = (deferred["budget_adjusted"] - deferred["executed"]).sum()
    for metric in ("carryover_balance", "year_end_budget_balance"):
        if f.get(metric) is None or deferred.empty:
            continue
        a.compare("balance_statement", metric, f.get(metric), carried, HALF_CENT, "stated_balance",
                  lines(f.line(metric), deferred["budget_line"]), metrics=metric,
                  related=keys(*deferred["project_code"]), cause=f"balance_statement|{a.year}")


def _report_rows(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """reports.csv when given: it has a row for every report read, also one without project tables."""
    return tables["reports"] if "reports" in tables else tables["projects"]


def reports(tables: dict[str, pd.DataFrame]) -> list[tuple[str | None, int]]:
    """(report, report year) of every report in `tables`, by year. Tables without the report identity of
    one report per unit and year holds: (None, year)."""
    projects = _report_rows(tables)
    if "report" in projects:
        return sorted({(str(r), int(y)) for r, y in zip(projects["report"], projects["report_year"], strict=True)},
                      key=lambda ry: (ry[1], ry[0]))
    return [(None, int(y)) for y in sorted(projects["year"].unique())]


def of_report(df: pd.DataFrame, report: str | None, year: int, *, prior_years: bool = False) -> pd.DataFrame:
    """The rows one report states: all its rows (prior-year figures too) when asked, else those of its year."""
    if report is not None and "report" in df:
        df = df[df["report"] == report]
        return df if prior_years else df[df["year"] == year]
    return df if prior_years else df[df["year"] == year]


def run_checks(tables: dict[str, pd.DataFrame], prose: dict[str | None, list[str]] | None = None) -> pd.DataFrame:
    """Every check of every report in `tables` (tidy DataFrames by table name), each report on its own figures;
    `prose` the normalised prose lines of each report (by report, None for tables without the report column),
    for the checks of its statements."""
    rows = []
    for report, year in reports(tables):
        a = Audit(year)
        f = Facts(year, of_report(tables["facts"], report, year, prior_years=True))
        of = {name: of_report(tables[name], report, year) for name in
              ("functional_classification", "projects", "project_funding", "indicators")}
        of["indicators"] = Indicators(of["indicators"])
        check_wholes(a, f, of["indicators"])
        check_classes(a, f, of["functional_classification"])
        check_shares(a, f)
        check_changes(a, f)
        check_completion(a, f, of["functional_classification"])
        check_projects(a, of["projects"], of["project_funding"], of["indicators"])
        check_counts(a, f, of["projects"],
                     of_report(tables["named_projects"], report, year) if "named_projects" in tables else None,
                     of["indicators"].frame)
        check_project_spending(a, f, of["projects"], of["project_funding"])
        check_statements(a, f, of["projects"], of["indicators"])
        check_rates_on_zero(a, f)
        check_gap_reasons(a, f, of["functional_classification"],
                          of_report(tables["explanations"], report, year) if "explanations" in tables else None,
                          (prose or {}).get(report))
        check_reasons(a, f, of_report(tables["explanations"], report, year) if "explanations" in tables else None)
        check_prose_statements(a, f, (prose or {}).get(report))
        check_cost_results(a, of["projects"], of["indicators"])
        check_areas_delivered(a, of["projects"], of["indicators"])
        identity = {} if report is None else {"report": report, "report_year": year}
        rows += [dict(row, **identity) for row in a.rows]
    checks = pd.DataFrame(rows, columns=CHECK_COLUMNS + (["report", "report_year"] if "report" in _report_rows(tables)
                                                         else []))
    return checks


def cause_keys(findings: pd.DataFrame) -> pd.Series:
    """The key that groups findings of one cause: the check's own cause key, else the finding itself."""
    own_key = findings["check"] + "|" + findings["subject"] + "|" + findings["project_code"] + "|" \
        + findings["indicator"] + "|" + findings["lines"]
    return findings["cause_key"].where(findings["cause_key"] != "", own_key)


def assign_causes(findings: pd.DataFrame) -> pd.Series:
    """'C1', 'C2' … per report (per year without C1's report column), in finding order; findings with the same
    cause key share an id."""
    key = cause_keys(findings)
    per_report = ["report", "year"] if "report" in findings else ["year"]
    numbers = findings.assign(_key=key).groupby(per_report)["_key"].transform(
        lambda k: k.map({v: i + 1 for i, v in enumerate(dict.fromkeys(k))}))
    return "C" + numbers.astype(int).astype(str)


AUDIT_INPUTS = ("facts", "functional_classification", "projects", "project_funding", "indicators", "named_projects",
                "explanations")


def prose_evidence(prose: list[str]) -> list[str]:
    """What the audit reads from the prose text: the lines a statement pattern matches, with its key ('170|
    no_procurement'), and those with a reason marker on the line of a stated rate. Spacing and page breaks do not
    count: the same report as .txt, .docx or PDF gives the same evidence."""
    found = [f"{n}|{rule.key}" for rule in rules.table("prose_statements").itertuples()
             for n, text in enumerate(prose, start=1) if re.search(rule.pattern, text)]
    marker = "|".join(f"(?:{p})" for p in rules.table("reason_markers")["pattern"])
    return found + [f"{n}|reason" for n, text in enumerate(prose, start=1)
                    if "完成预算" in text and re.search(marker, text)]


def _code_and_rules() -> hashlib._Hash:
    """sha256 of this module, the indicator judgement (data/indicators.py) and the rules tables (data/rules/*.csv)."""
    from helpers.data import indicators

    digest = hashlib.sha256(Path(__file__).read_bytes() + Path(indicators.__file__).read_bytes())
    for path in sorted(rules.RULES.glob("*.csv")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest


def fingerprint(tables: dict[str, pd.DataFrame], prose: dict[str | None, list[str]] | None = None, *,
                framed: bool = False) -> str:
    """sha256 (16 hex digits) of this module and the indicator judgement it applies (data/indicators.py), the rules
    tables it reads (data/rules/*.csv) and the tidy input tables: the same fingerprint means the same figures
    audited by the same code and rules. `framed`: the tables are `schema.frame`'s own, one report's
    before its identity is stamped (what `as_framed` would give them again)."""
    from helpers.data.schema import as_framed

    digest = _code_and_rules()
    for name in AUDIT_INPUTS:
        if name in tables:  # the figures as written to data/tidy, whether or not the report identity is stamped yet
            table = tables[name] if framed else as_framed(name, tables[name])
            digest.update(name.encode() + b"\0" + table.to_csv(index=False, lineterminator="\n").encode())
    for lines_ in (prose or {}).values():
        digest.update(b"prose\0" + "\n".join(prose_evidence(lines_)).encode())
    return digest.hexdigest()[:16]


def at_stake(findings: pd.DataFrame) -> pd.Series:
    """万元 at stake per finding: |reported − computed| for kinds that compare amounts (rules/audit_checks.csv
    at_stake = difference), NaN for rates, scores and counts."""
    amounts = findings["check"].isin(_money_checks()) & (findings["rule"] != "exact_count")
    return (findings["reported"] - findings["computed"]).abs().round(2).where(amounts)


@functools.cache
def _money_checks() -> frozenset[str]:
    """The kinds of check that compare amounts (rules/audit_checks.csv at_stake = difference)."""
    table = rules.table("audit_checks")
    return frozenset(table.loc[table["at_stake"] == "difference", "check"])


def _nan_last(value: float) -> tuple:
    """A sort key that puts a blank (NaN) after every number, as pandas's sort_values does."""
    return (1, 0.0) if value != value else (0, value)


def _cause_key(row: dict) -> str:
    """`cause_keys` of one finding."""
    return row["cause_key"] or "|".join(str(row[c]) for c in ("check", "subject", "project_code", "indicator", "lines"))


def _at_stake(findings: list[dict]) -> list[float]:
    """`at_stake` of findings as rows: the same arithmetic on the same arrays."""
    money = _money_checks()
    reported = np.array([r["reported"] for r in findings], dtype="float64")
    computed = np.array([r["computed"] for r in findings], dtype="float64")
    amounts = np.array([r["check"] in money and r["rule"] != "exact_count" for r in findings], dtype=bool)
    return np.where(amounts, np.round(np.abs(reported - computed), 2), np.nan).tolist()


def audit_tables(tables: dict[str, pd.DataFrame], prose: dict[str | None, list[str]] | None = None, *,
                 framed: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(findings, checks): the checks that did not pass, grouped by cause: causes with an error first, then
    warnings, then info, each by the 万元 at stake (then in report order), each with its cause id; and every check
    that ran, passed or not."""
    from helpers.data.schema import frame

    key = _inputs_key(tables, prose)
    if key in _AUDITED:  # these very figures and lines were audited by this code and these rules in this process
        return tuple(df.copy() for df in _AUDITED[key])
    checks = run_checks(tables, prose)
    stamp = fingerprint(tables, prose, framed=framed)
    # Numbered, sorted and grouped as rows (a few hundred checks, tens of findings), not as frames: pandas's sorts
    # and group transforms cost more than the rows they order.
    per_report = ["report", "year"] if "report" in checks else ["year"]
    rows = records(checks)
    numbered: dict[tuple, int] = {}
    for row in rows:
        group = tuple(row[c] for c in per_report)
        numbered[group] = numbered.get(group, 0) + 1
        row["fingerprint"], row["check_no"] = stamp, numbered[group]
    findings = [dict(row) for row in rows if row["status"] == "failed"]
    for row in findings:
        first = re.match(r"^(\d+)", row["lines"])
        row["first_line"] = float(first.group(1)) if first else math.nan
        row["order"] = SEVERITY_ORDER.get(row["severity"], math.nan)
    findings.sort(key=lambda r: (*(r[c] for c in per_report), _nan_last(r["order"]), _nan_last(r["first_line"]),
                                 r["check_no"]))
    for row, stake in zip(findings, _at_stake(findings), strict=True):
        row["at_stake"] = stake
    # Causes in the order a reader weighs them: contradictions, doubtful figures, notes, each by the 万元 at stake
    # (largest first; causes without money after them, in report order), so Problem 1 is the largest contradiction.
    causes: dict[tuple, dict] = {}
    for position, row in enumerate(findings):
        cause = causes.setdefault((*(row[c] for c in per_report), _cause_key(row)),
                                  {"order": math.nan, "money": math.nan, "first": position})
        if row["order"] == row["order"] and not row["order"] >= cause["order"]:  # the lowest, blanks left out
            cause["order"] = row["order"]
        if row["at_stake"] == row["at_stake"] and not row["at_stake"] <= cause["money"]:  # the highest
            cause["money"] = row["at_stake"]
        row["_cause"] = cause
    findings.sort(key=lambda r: (*(r[c] for c in per_report), _nan_last(r["_cause"]["order"]),
                                 -(r["_cause"]["money"] if r["_cause"]["money"] == r["_cause"]["money"] else -1.0),
                                 r["_cause"]["first"]))
    numbered, cause_no = {}, {}
    for row in findings:
        group = tuple(row[c] for c in per_report)
        numbered[group] = numbered.get(group, 0) + 1
        row["finding_no"] = numbered[group]
        ids = cause_no.setdefault(group, {})
        row["cause"] = "C" + str(ids.setdefault(_cause_key(row), len(ids) + 1))
    audited = frame("audit_findings", findings), frame("audit_checks", rows)
    _AUDITED[key] = audited
    while len(_AUDITED) > AUDITS_KEPT:
        del _AUDITED[next(iter(_AUDITED))]  # the oldest
    return tuple(df.copy() for df in audited)


# The audit is a function of its input tables and prose, the code and the rules (so is its fingerprint): a process that
# audits the same figures again (the test suite audits the 2023 report, and variants of it that give the same tables,
# dozens of times) takes the result it made before, found by a hash of all of them.
AUDITS_KEPT = 16
_AUDITED: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}


def _inputs_key(tables: dict[str, pd.DataFrame], prose: dict[str | None, list[str]] | None) -> str:
    """sha256 of everything run_checks (and the fingerprint) reads, exactly: the code and rules, each table's
    columns, types, index and values (the tables named in AUDIT_INPUTS, and reports), each report's prose lines."""
    def exactly(values: pd.Index | pd.Series) -> bytes:  # numbers as their bytes; text, blanks and objects as JSON
        array = values.to_numpy()
        if array.dtype.kind in "biuf":
            return array.tobytes()
        return json.dumps(values.tolist(), ensure_ascii=False, default=repr).encode()

    digest = hashlib.sha256(_code_and_rules().digest())
    for name in sorted(set(tables) & {*AUDIT_INPUTS, "reports"}):
        df = tables[name]
        digest.update(f"\0{name}\0{list(df.columns)}\0{[str(t) for t in df.dtypes]}\0".encode() + exactly(df.index))
        for position in range(df.shape[1]):
            digest.update(b"\0" + exactly(df.iloc[:, position]))
    for report, lines_ in sorted((prose or {}).items(), key=lambda item: str(item[0])):
        digest.update(f"\0{report}\0".encode() + json.dumps(lines_, ensure_ascii=False).encode())
    return digest.hexdigest()
