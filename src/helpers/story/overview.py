"""Notebook 01 (overview): totals and their reasons, income, the structure of spending, the 类/款/项 lines
against their budget, staff and per-head costs, procurement, and the previous year's own report. Results only;
the words are in templates/<lang>/overview.j2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from helpers.data.audit import HALF_CENT
from helpers.data.load import YearData, available_years, load_year
from helpers.story.common import (
    Change,
    StatedReason,
    change_of,
    decimals_of,
    printed_differs,
    rate_range,
    reason_en,
    reason_pattern,
    rules_table,
    stated_reason,
    strip_year,
)
from helpers.story.low_execution import low_execution


def totals_table(data: YearData) -> pd.DataFrame:
    """Total income and spending in both years: measure (metric key), year, value."""
    return pd.DataFrame([dict(measure=metric, year=year, value=data.value(metric, year))
                         for metric in ("total_income", "total_expenditure")
                         for year in (data.prior_year, data.year) if data.has(metric, year)])


@dataclass(frozen=True)
class Totals:
    spending: Change
    income: Change
    reason: StatedReason | None

    @property
    def income_equals_spending(self) -> bool:
        return self.income.current == self.spending.current and self.income.prior == self.spending.prior


def totals(data: YearData) -> Totals:
    return Totals(change_of(data, "total_expenditure"), change_of(data, "total_income", "total_expenditure_change"),
                  stated_reason(data, "total_expenditure_change"))


INCOME_SOURCES = ("fiscal_appropriation_income", "government_fund_income", "other_income")


def income_sources(data: YearData) -> pd.DataFrame:
    """Income by the sources the report states: source (metric key), amount, printed and computed share."""
    total = data.value("total_income")
    rows = [dict(source=m, amount=data.value(m),
                 printed_share=data.value(f"{m}_share") if data.has(f"{m}_share") else float("nan"),
                 computed_share=data.value(m) / total) for m in INCOME_SOURCES if data.has(m)]
    return pd.DataFrame(rows, columns=["source", "amount", "printed_share", "computed_share"])


def structure_table(data: YearData) -> pd.DataFrame:
    """Basic vs project spending: part (metric key), amount, printed share, computed share."""
    total = data.value("total_expenditure")
    return pd.DataFrame([dict(part=m, amount=data.value(m), printed_share=data.value(f"{m}_share"),
                              computed_share=data.value(m) / total)
                         for m in ("basic_expenditure", "project_expenditure")])


@dataclass(frozen=True)
class Structure:
    total: float
    basic: float
    project: float
    personnel: float
    public: float
    basic_share: float          # as printed
    project_share: float        # as printed


def structure(data: YearData) -> Structure:
    return Structure(data.value("total_expenditure"), data.value("basic_expenditure"),
                     data.value("project_expenditure"), data.value("personnel_expenditure"),
                     data.value("public_expenditure"), data.value("basic_expenditure_share"),
                     data.value("project_expenditure_share"))


def class_table(data: YearData) -> pd.DataFrame:
    """The 类 with amount, the share the report prints and the share computed from the amounts.

    `share_differs` marks a class whose computed share, rounded as printed, is not the printed one
    (公共安全支出: printed 91.2%, 15,737.52 ÷ 17,211.32 = 91.4%).
    """
    classes = data.classes[data.classes["level"] == "类"].copy()
    total = data.value("total_expenditure")
    classes["printed_share"] = classes["reported_share"]
    classes["computed_share"] = classes["amount"] / total
    classes["share_differs"] = [printed_differs(c, p, decimals_of(p) + 2) if p == p else False
                                for c, p in zip(classes["computed_share"], classes["printed_share"], strict=True)]
    return classes[["class_zh", "class_en", "amount", "printed_share", "computed_share", "share_differs",
                    "source_line"]].sort_values("amount", ascending=False).reset_index(drop=True)


def items_table(data: YearData) -> pd.DataFrame:
    """The 类/款/项 lines with amount, printed completion rate and stated reason (in Chinese, as printed, with its
    English gloss of data/names/reasons.csv in `note_en`: the English page shows it, the Chinese page quotes it)."""
    items = data.classes[data.classes["level"] == "项"].copy()
    items["note_en"] = [reason_en(n) if isinstance(n, str) and n else "" for n in items["note"]]
    return items[["class_zh", "category_zh", "item_zh", "item_en", "amount", "completion_rate", "note", "note_en",
                  "source_line"]].reset_index(drop=True)


def items_below(data: YearData, threshold: float) -> pd.DataFrame:
    """Budget lines whose printed completion rate is below `threshold`, lowest first."""
    items = items_table(data)
    return items[items["completion_rate"] < threshold].sort_values("completion_rate").reset_index(drop=True)


@dataclass(frozen=True)
class BudgetOutcome:
    """The general budget from start to end of the year against the completion rate the report prints."""

    initial: float                 # 年初预算
    adjusted: float                # 调整后全年财政下达预算
    spent: float                   # 一般公共预算支出决算数
    printed_completion: float      # 完成预算 (line 39 of the 2023 report: 75%)
    completion_line: int

    @property
    def computed_completion(self) -> float:
        return self.spent / self.adjusted if self.adjusted else float("nan")

    @property
    def completion_differs(self) -> bool:
        return printed_differs(self.computed_completion, self.printed_completion,
                               decimals_of(self.printed_completion) + 2)


def budget_outcome(data: YearData) -> BudgetOutcome | None:
    needed = ("expenditure_budget_initial", "expenditure_budget_adjusted", "general_budget_final",
              "budget_completion_rate")
    if not all(data.has(m) for m in needed):
        return None
    return BudgetOutcome(*(data.value(m) for m in needed), data.line("budget_completion_rate"))


@dataclass(frozen=True)
class BudgetExecution:
    """Which budget the year's spending was executed against: the budget the items' completion rates imply (a
    range, from the rates' rounding), the one the printed overall rate implies (a range), the printed adjusted
    budget, and what the project tables left unspent. Figures that cannot all be right are named by the page."""

    spent: float                   # 一般公共预算支出决算数
    items_budget: tuple[float, float]      # sum of amount ÷ rate over the items, lowest and highest
    printed_rate: float                    # 完成预算 (75% on line 39 of 2023)
    printed_rate_line: int
    printed_budget: tuple[float, float]    # spent ÷ printed rate, lowest and highest
    adjusted: float                        # 调整后全年财政下达预算 (17,211.32 on lines 140, 143)
    adjusted_line: int
    initial: float
    projects_unspent: float                # project tables within 项目支出 (the audit's project_sum finding)
    projects_left_out: list[str]           # project tables outside 项目支出
    projects_rise: float                   # Σ (adjusted − initial budget) of the project tables
    balance_stated: bool                   # the report says nothing was carried over (无结转结余)
    items_lines: tuple[int, int]           # first and last line of the items' rates

    @property
    def items_rate(self) -> tuple[float, float]:
        return self.spent / self.items_budget[1], self.spent / self.items_budget[0]

    @property
    def items_unspent(self) -> tuple[float, float]:
        return self.items_budget[0] - self.spent, self.items_budget[1] - self.spent

    @property
    def printed_rate_holds(self) -> bool:
        return self.printed_budget[0] <= self.items_budget[1] and self.items_budget[0] <= self.printed_budget[1]

    @property
    def adjusted_holds(self) -> bool:
        return self.items_budget[0] - HALF_CENT <= self.adjusted <= self.items_budget[1] + HALF_CENT

    @property
    def whole_rise(self) -> float:
        return self.adjusted - self.initial


def budget_execution(data: YearData) -> BudgetExecution | None:
    """The budget-execution reading (None when the report lacks the overall rate, the items' rates or the
    adjusted budget)."""
    needed = ("general_budget_final", "budget_completion_rate", "expenditure_budget_adjusted",
              "expenditure_budget_initial")
    items = data.classes[(data.classes["level"] == "项") & (data.classes["completion_rate"] > 0)]
    if not all(data.has(m) for m in needed) or items.empty:
        return None
    ranges = [rate_range(r.amount, r.completion_rate) for r in items.itertuples()]
    spent, rate = data.value("general_budget_final"), data.value("budget_completion_rate")
    outside = data.findings[(data.findings["check"] == "project_sum")
                            & (data.findings["detail"] == "explained_by_projects")]
    left_out = [c for r in outside["related"] for c in r.split(";") if c]
    within = data.projects[~data.projects["project_code"].isin(left_out)]
    names = data.projects.set_index("project_code")["project_name"]
    return BudgetExecution(
        spent, (sum(lo for lo, _ in ranges), sum(hi for _, hi in ranges)), rate, data.line("budget_completion_rate"),
        rate_range(spent, rate), data.value("expenditure_budget_adjusted"),
        data.line("expenditure_budget_adjusted"), data.value("expenditure_budget_initial"),
        round(float((within["budget_adjusted"] - within["executed"]).sum()), 2), [names[c] for c in left_out],
        round(float((data.projects["budget_adjusted"] - data.projects["budget_initial"]).sum()), 2),
        data.has("carryover_balance") and data.value("carryover_balance") == 0,
        (int(items["source_line"].min()), int(items["source_line"].max())))


_DATE = re.compile(r"\d{1,2}月\d{1,2}日")


@dataclass(frozen=True)
class ItemAndProject:
    """A budget line that fell short, and the project whose stated reason names the same date."""

    item_zh: str
    completion_rate: float      # as printed
    amount: float
    project_name: str
    project_budget: float
    project_executed: float
    date: str                   # the date both reasons name (e.g. 12月14日)
    item_line: int
    project_line: int

    @property
    def implied_budget(self) -> float:
        """amount ÷ printed completion rate: the budget the line's own figures imply."""
        return self.amount / self.completion_rate

    @property
    def implied_unspent(self) -> float:
        return self.implied_budget - self.amount

    @property
    def explains_most(self) -> bool:
        """The project's unspent money is more than half of the line's implied unspent money."""
        return (self.project_budget - self.project_executed) > self.implied_unspent / 2


def items_and_projects(data: YearData, threshold: float) -> list[ItemAndProject]:
    """Budget lines below `threshold` whose reason names a date that a low project's reason also names
    (执法办案 37.6%, '12月14日才下达' ↔ 2023年省级政法转移支付资金结转, 1,316 budgeted, 0 spent)."""
    low = low_execution(data, threshold)
    budget_line = data.projects.set_index("project_code")["budget_line"]   # the line of its 1,316.00 (7281)
    found = []
    for item in items_below(data, threshold).itertuples(index=False):
        for date in set(_DATE.findall(item.note or "")):
            for project in low[low["shortfall_reason"].str.contains(date, regex=False)].itertuples(index=False):
                found.append(ItemAndProject(item.item_zh, float(item.completion_rate), float(item.amount),
                                            project.project_name, float(project.budget_adjusted),
                                            float(project.executed), date, int(item.source_line),
                                            int(budget_line[project.project_code])))
    return found


@dataclass(frozen=True)
class PerHead:
    """A project's spending per person it pays, against the project's own cost cap per person."""

    project_name: str
    executed: float              # 万元
    staff: int
    staff_line: int
    cap_yuan: float | None       # the project's cost indicator, 元 per person and year
    cap_line: int | None
    cap_as_written: str

    @property
    def per_head_wan(self) -> float:
        return self.executed / self.staff

    @property
    def above_cap(self) -> bool | None:
        return None if self.cap_yuan is None else self.per_head_wan * 10000 > self.cap_yuan


def per_head(data: YearData) -> list[PerHead]:
    """story/rules/per_head.csv: each project paid per person, its spending per head and its own cap."""
    found = []
    for rule in rules_table("per_head").itertuples(index=False):
        project = data.projects[data.projects["project_name"] == rule.project_name]
        if project.empty or not data.has(rule.staff_metric):
            continue
        p = project.iloc[0]
        caps = data.indicators[(data.indicators["project_code"] == p["project_code"])
                               & (data.indicators["unit"] == rule.cap_unit)]
        cap = caps.iloc[0] if len(caps) else None
        found.append(PerHead(rule.project_name, float(p["executed"]), int(data.value(rule.staff_metric)),
                             data.line(rule.staff_metric),
                             None if cap is None else float(cap["target_value"]),
                             None if cap is None else int(cap["source_line"]),
                             "" if cap is None else str(cap["actual"])))
    return found


STAFF_KINDS = ("staff_police", "staff_civil_servants", "staff_workers", "staff_auxiliary_police")


def staff_kinds(data: YearData) -> list[str]:
    """The kinds of staff in post the report counts (metric keys of STAFF_KINDS it states), in that order."""
    return [m for m in STAFF_KINDS if data.has(m)]


def staff_total(data: YearData) -> int:
    """Staff in post the report counts (line 135 of the 2023 report): police, civil servants, workers, auxiliaries."""
    return sum(int(data.value(m)) for m in staff_kinds(data))


def procurement(data: YearData) -> pd.DataFrame:
    """Government procurement as printed: part (metric key), amount, printed share of the total."""
    if not data.has("procurement_total"):
        return pd.DataFrame(columns=["part", "amount", "printed_share"])
    rows = [dict(part=m, amount=data.value(m),
                 printed_share=data.value(f"{m}_share") if data.has(f"{m}_share") else float("nan"))
            for m in ("procurement_total", "procurement_goods", "procurement_services", "sme_contracts",
                      "small_micro_contracts") if data.has(m)]
    return pd.DataFrame(rows)


RESTATEMENT_COLUMNS = ["metric", "year", "value", "other_report", "other_value", "difference", "source_line",
                       "other_source_line"]


def restatements(data: YearData) -> pd.DataFrame:
    """Figures this report states for an earlier year differently from that year's own report
    (restatements.csv, C1), one row each; an empty table when there are none."""
    path = data.tidy_dir / "restatements.csv"
    report = getattr(data, "report", "")
    if not path.exists() or not report:
        return pd.DataFrame(columns=RESTATEMENT_COLUMNS)
    table = pd.read_csv(path, keep_default_na=False)
    if table.empty:
        return pd.DataFrame(columns=RESTATEMENT_COLUMNS)
    differing = table[(table["report"] == report) & ~table["passed"].astype(str).isin(["True", "true", "1"])]
    return differing[RESTATEMENT_COLUMNS].reset_index(drop=True)


@dataclass(frozen=True)
class PreviousReport:
    """This report's figure for last year against what last year's own report printed."""

    year: int
    metric: str
    as_printed_then: float
    as_stated_now: float

    @property
    def restated(self) -> bool:
        return round(self.as_printed_then, 2) != round(self.as_stated_now, 2)


def previous_report(data: YearData, metric: str = "total_expenditure") -> PreviousReport | None:
    """Compare with the previous year's own report, when the tidy data holds one."""
    if data.prior_year not in available_years(data.tidy_dir, data.unit_id):
        return None
    previous = load_year(data.prior_year, data.tidy_dir, data.unit_id)
    return PreviousReport(data.prior_year, metric, previous.value(metric), data.value(metric, data.prior_year))

@dataclass(frozen=True)
class ReasonConflict:
    """A stated reason ('项目已完工验收，2023年未安排支出') against a project of the same name in this year's tables."""

    metric: str
    reason_line: int
    clause: str                  # the words of the reason, as printed
    stated_project: str
    nothing_budgeted_in: int
    table_project: str
    budget_adjusted: float
    executed: float
    table_line: int


def reason_conflicts(data: YearData, metric: str = "total_expenditure_change") -> list[ReasonConflict]:
    """Where the report's stated reason says nothing was budgeted, but its own tables show a budget."""
    reason = stated_reason(data, metric)
    if reason is None:
        return []
    found = []
    for m in reason_pattern("completed_nothing_budgeted").finditer(reason.text_zh):
        stem = strip_year(m["project"])
        same = data.projects[data.projects["project_name"].map(strip_year) == stem]
        for _, p in same[same["budget_adjusted"] > 0].iterrows():
            found.append(ReasonConflict(metric, reason.line, m[0], m["project"], int(m["year"]), p["project_name"],
                                        float(p["budget_adjusted"]), float(p["executed"]), int(p["budget_line"])))
    return found
