"""The story's results: small typed values and tables computed from one year of tidy data, no prose.

Each function takes a `YearData` (the one facts store every page reads) and returns numbers, signs,
tables and the report lines they come from. Sentences are made from these by the templates in
`story/templates/<lang>/` (see `helpers.story.wording`), so the same result reads as Chinese or
English, and a year in which spending rose reads as a rise.

Rules the results rely on (the report's own 90% rule, the patterns that read stated reasons, the
kinds of vehicles a project lists) live in the tables of `story/rules/`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers.data import rules
from helpers.data.audit import HALF_CENT
from helpers.data.load import YearData, available_years, english_names, load_year

RULES = Path(__file__).resolve().parent / "rules"


def rules_table(name: str) -> pd.DataFrame:
    """story/rules/<name>.csv as strings."""
    return rules.load(RULES, name)


def report_rule(rule: str) -> float:
    """A threshold the report itself prints (story/rules/report_rules.csv), e.g. its 90% execution rule."""
    rows = rules_table("report_rules")
    match = rows[rows["rule"] == rule]
    if match.empty:
        raise KeyError(f"no rule {rule!r} in {RULES / 'report_rules.csv'}")
    return float(match.iloc[0]["value"])


def reason_pattern(kind: str) -> re.Pattern:
    rows = rules_table("reason_patterns")
    return re.compile(rows[rows["kind"] == kind].iloc[0]["pattern"])


def printed_differs(computed: float, printed: float | None, digits: int) -> bool:
    """True when `computed`, rounded as the report prints it, is not the printed figure."""
    return printed is not None and round(computed, digits) != round(printed, digits)


def decimals_of(value: float) -> int:
    """How many decimals a printed fraction carries as a percentage: 0.912 -> 1, 0.75 -> 0, 0.6281 -> 2."""
    text = f"{value * 100:.6f}".rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


# --- changes ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    """A figure in two years, the computed change and the change the report states."""

    metric: str
    year: int
    prior_year: int
    prior: float
    current: float
    stated_change: float | None = None
    stated_pct: float | None = None
    prior_derived: bool = False  # the report prints no prior figure: it is this year's less the stated change

    @property
    def change(self) -> float:
        return round(float(self.current) - float(self.prior), 2)

    @property
    def pct(self) -> float:
        return self.change / self.prior if self.prior else float("nan")

    @property
    def direction(self) -> int:
        """+1 rise, -1 fall, 0 unchanged: the templates pick their word from this."""
        return (self.change > 0) - (self.change < 0)

    @property
    def pct_printed_differs(self) -> bool:
        """True when the computed % change, rounded as printed, is not the printed one (242.98% vs 242.9%)."""
        return self.stated_pct is not None and printed_differs(
            self.pct, self.stated_pct, decimals_of(self.stated_pct) + 2
        )


def change_of(data: YearData, metric: str, change_metric: str | None = None) -> Change:
    """`metric` this year and last, with the stated change and % change where the report gives them."""
    change_metric = change_metric or f"{metric}_change"
    stated = data.value(change_metric) if data.has(change_metric) else None
    stated_pct = data.value(f"{change_metric}_pct") if data.has(f"{change_metric}_pct") else None
    prior = data.facts[(data.facts["metric"] == metric) & (data.facts["year"] == data.prior_year)]
    derived = bool(not prior.empty and str(prior.iloc[0]["derived"]) == "True")
    return Change(metric, data.year, data.prior_year, data.value(metric, data.prior_year), data.value(metric),
                  stated, stated_pct, derived)


@dataclass(frozen=True)
class StatedReason:
    """A reason the report states (主要原因), in its own words, with the English gloss of data/names/reasons.csv."""

    metric: str
    text_zh: str
    text_en: str
    line: int


def reason_en(text_zh: str) -> str:
    return english_names("reasons").get(text_zh.strip(), "")


def stated_reason(data: YearData, metric: str) -> StatedReason | None:
    """The reason the report states for `metric`, or None when it states none."""
    table = data.explanations
    rows = table[(table["year"] == data.year) & (table["metric"] == metric)]
    if rows.empty:
        return None
    row = rows.iloc[0]
    return StatedReason(metric, row["text_zh"].strip(), reason_en(row["text_zh"]), int(row["source_line"]))


# --- 1. overview ------------------------------------------------------------------------------

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
    """The 类/款/项 lines with amount, printed completion rate and stated reason (in Chinese, as printed)."""
    items = data.classes[data.classes["level"] == "项"].copy()
    return items[["class_zh", "category_zh", "item_zh", "item_en", "amount", "completion_rate", "note",
                  "source_line"]].reset_index(drop=True)


def items_below(data: YearData, threshold: float) -> pd.DataFrame:
    """Budget lines whose printed completion rate is below `threshold`, lowest first."""
    items = items_table(data)
    below = items[items["completion_rate"] < threshold].sort_values("completion_rate").reset_index(drop=True)
    # the English page glosses each reason from data/names/reasons.csv; the Chinese page quotes it as printed
    return below.assign(note_en=[reason_en(n) if isinstance(n, str) and n else "" for n in below["note"]])


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


def _rate_range(amount: float, rate: float) -> tuple[float, float]:
    """amount ÷ rate for the lowest and highest rate that prints as `rate`."""
    half = 0.5 * 10 ** (-decimals_of(rate)) / 100
    return amount / (rate + half), amount / max(rate - half, 1e-12)


def budget_execution(data: YearData) -> BudgetExecution | None:
    """The budget-execution reading (None when the report lacks the overall rate, the items' rates or the
    adjusted budget)."""
    needed = ("general_budget_final", "budget_completion_rate", "expenditure_budget_adjusted",
              "expenditure_budget_initial")
    items = data.classes[(data.classes["level"] == "项") & (data.classes["completion_rate"] > 0)]
    if not all(data.has(m) for m in needed) or items.empty:
        return None
    ranges = [_rate_range(r.amount, r.completion_rate) for r in items.itertuples()]
    spent, rate = data.value("general_budget_final"), data.value("budget_completion_rate")
    outside = data.findings[(data.findings["check"] == "project_sum")
                            & (data.findings["detail"] == "explained_by_projects")]
    left_out = [c for r in outside["related"] for c in r.split(";") if c]
    within = data.projects[~data.projects["project_code"].isin(left_out)]
    names = data.projects.set_index("project_code")["project_name"]
    return BudgetExecution(
        spent, (sum(lo for lo, _ in ranges), sum(hi for _, hi in ranges)), rate, data.line("budget_completion_rate"),
        _rate_range(spent, rate), data.value("expenditure_budget_adjusted"),
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
    found = []
    for item in items_below(data, threshold).itertuples(index=False):
        for date in set(_DATE.findall(item.note or "")):
            for project in low[low["shortfall_reason"].str.contains(date, regex=False)].itertuples(index=False):
                found.append(ItemAndProject(item.item_zh, float(item.completion_rate), float(item.amount),
                                            project.project_name, float(project.budget_adjusted),
                                            float(project.executed), date, int(item.source_line),
                                            int(project.source_line)))
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


# --- 2. 三公 ------------------------------------------------------------------------------------

THREE_PUBLIC_ITEMS = ("overseas_travel", "vehicle_purchase", "vehicle_operation", "official_reception")


def three_public_table(data: YearData) -> pd.DataFrame:
    """The 三公 items: item (metric key), amount."""
    return pd.DataFrame([dict(item=m, amount=data.value(m)) for m in THREE_PUBLIC_ITEMS if data.has(m)])


@dataclass(frozen=True)
class ThreePublic:
    change: Change
    vehicles: float              # 公务用车购置及运行维护费
    purchase: float
    operation: float
    completion_rate: float | None  # as printed
    reason: StatedReason | None
    vehicles_completion: float | None = None   # 公务用车购置及运行维护费 完成预算, as printed
    reception: float | None = None             # 公务接待费
    reception_completion: float | None = None  # as printed

    completion_line: int | None = None
    vehicles_completion_line: int | None = None

    @property
    def vehicle_share(self) -> float:
        return self.vehicles / self.change.current if self.change.current else float("nan")

    @property
    def implied_budgets(self) -> tuple[float, float] | None:
        """(三公 budget, vehicles budget) implied by amount ÷ printed completion rate, or None without both rates."""
        if not (self.completion_rate and self.vehicles_completion):
            return None
        return self.change.current / self.completion_rate, self.vehicles / self.vehicles_completion

    @property
    def rates_conflict(self) -> bool:
        """The vehicles' rate implies a budget larger than the whole 三公 budget, beyond the rates' rounding (95.3%
        of 617.37 against 93.6% of 617.37: 647.82 < 659.58)."""
        budgets = self.implied_budgets
        if budgets is None:
            return False
        whole_hi = _rate_range(self.change.current, self.completion_rate)[1]
        part_lo = _rate_range(self.vehicles, self.vehicles_completion)[0]
        return part_lo > whole_hi + HALF_CENT


def three_public(data: YearData) -> ThreePublic:
    rate = data.value("three_public_completion_rate") if data.has("three_public_completion_rate") else None
    def optional(metric: str) -> float | None:
        return data.value(metric) if data.has(metric) else None

    return ThreePublic(change_of(data, "three_public_total", "three_public_change"),
                       data.value("vehicle_purchase_operation"), data.value("vehicle_purchase"),
                       data.value("vehicle_operation"), rate, stated_reason(data, "vehicle_purchase_operation_change"),
                       optional("vehicle_purchase_operation_completion_rate"), optional("official_reception"),
                       optional("official_reception_completion_rate"),
                       data.line("three_public_completion_rate") if rate is not None else None,
                       data.line("vehicle_purchase_operation_completion_rate")
                       if data.has("vehicle_purchase_operation_completion_rate") else None)


def glossary_line(data: YearData, term_zh: str) -> int | None:
    """The report line that defines `term_zh` in its glossary (名词解释), or None when it defines no such term."""
    rows = data.glossary[data.glossary["term_zh"] == term_zh]
    return None if rows.empty else int(rows.iloc[0]["source_line"])


def purchase_table(data: YearData) -> pd.DataFrame:
    """The purchases the 三公 section lists: kind (metric suffix), vehicles, amount."""
    rows = [
        dict(
            kind=kind,
            vehicles=int(data.value(f"vehicles_bought_{kind}")),
            amount=data.value(f"vehicle_purchase_{kind}") if data.has(f"vehicle_purchase_{kind}") else float("nan"),
        )
        for kind in ("sedan", "other")
        if data.has(f"vehicles_bought_{kind}")
    ]
    return pd.DataFrame(rows, columns=["kind", "vehicles", "amount"])


_VEHICLE_COUNT = re.compile(r"(?:购买)?(?P<kind>[\u4e00-\u9fff]+?)(?P<n>\d+)辆")


def project_vehicles(text: str, project: str) -> pd.DataFrame:
    """Vehicles a project says it bought ('购买清障车1辆、执勤执法汽车4辆…'): kind_zh, kind_en, vehicles, counted_with.

    A kind missing from story/rules/vehicle_kinds.csv is an error, never a guess.
    """
    kinds = rules_table("vehicle_kinds").set_index("kind_zh")
    rows = []
    for m in _VEHICLE_COUNT.finditer(text):
        kind = m["kind"]
        if kind not in kinds.index:
            raise ValueError(
                f"project {project}: vehicle kind {kind!r} ({m[0]}) is not in "
                f"{RULES / 'vehicle_kinds.csv'}; add it with its English name and how the 三公 list counts it"
            )
        rows.append(dict(kind_zh=kind, kind_en=kinds.loc[kind, "kind_en"], vehicles=int(m["n"]),
                         counted_with=kinds.loc[kind, "counted_with"]))
    return pd.DataFrame(rows, columns=["kind_zh", "kind_en", "vehicles", "counted_with"])


@dataclass(frozen=True)
class VehiclePurchases:
    """The 三公 section's vehicle purchases against the project table that bought them."""

    purchase_total: float          # 公务用车购置 in the 三公 section
    listed: pd.DataFrame           # purchase_table
    project: str | None            # the project whose indicators book 公务用车购置
    project_line: int | None
    project_booked: float | None   # its 公务用车购置 indicator (万元)
    project_booked_line: int | None
    bought: pd.DataFrame = field(default_factory=pd.DataFrame)  # project_vehicles
    project_initial: float | None = None   # the project's 年初预算: 0 when the purchases were not planned
    named: int | None = None               # vehicles outside the list the 三公 reason names (警用摩托车38辆)
    named_line: int | None = None

    @property
    def listed_amount(self) -> float:
        return round(float(self.listed["amount"].sum()), 2)

    @property
    def listed_vehicles(self) -> int:
        return int(self.listed["vehicles"].sum())

    @property
    def gap(self) -> float:
        return round(self.purchase_total - self.listed_amount, 2)

    @property
    def in_list(self) -> pd.DataFrame:
        """The project's kinds the 三公 list counts (none when the section lists no vehicle)."""
        return self.bought[self.bought["counted_with"] == "listed_purchase"]

    @property
    def not_in_list(self) -> pd.DataFrame:
        return self.bought[self.bought["counted_with"] != "listed_purchase"]

    @property
    def named_kinds(self) -> pd.DataFrame:
        """Kinds outside the list whose count the 三公 section's reason names (38 motorcycles, line 65): not "not
        listed" but bought with the 三公 money, priced in the gap."""
        return self.bought[self.bought["counted_with"] == NAMED_IN_REASON]

    @property
    def other_kinds(self) -> pd.DataFrame:
        return self.bought[self.bought["counted_with"] == "not_listed"]

    @property
    def named_unit_price(self) -> float | None:
        """The gap ÷ the named vehicles: what each costs if they close it (190.93 ÷ 38 = 5.02)."""
        n = int(self.named_kinds["vehicles"].sum())
        return round(self.gap / n, 2) if n and self.gap > 0 else None

    @property
    def other_unit_price(self) -> float | None:
        """The project's booking beyond the 三公 purchases ÷ the other kinds (30.35 ÷ 30 e-bikes = 1.01)."""
        n = int(self.other_kinds["vehicles"].sum())
        gap = self.project_booked_gap
        return round(gap / n, 2) if n and gap and gap > 0 else None

    @property
    def project_booked_gap(self) -> float | None:
        """The project's 公务用车购置 indicator less the 三公 section's 公务用车购置 (477.72 − 447.37 = 30.35)."""
        return None if self.project_booked is None else round(self.project_booked - self.purchase_total, 2)

    @property
    def project_matches_list(self) -> bool:
        """The project's listed kinds add up to the vehicles the 三公 section lists (15 = 1 + 4 + 10)."""
        return not self.bought.empty and int(self.in_list["vehicles"].sum()) == self.listed_vehicles


NAMED_IN_REASON = "named_in_reason"  # counted_with of a kind outside the list the 三公 reason names (38 motorcycles)


def _mark_named(bought: pd.DataFrame, named: int | None) -> pd.DataFrame:
    """Kinds outside the list bought in the number the 三公 reason names (警用摩托车38辆, line 65): named_in_reason."""
    if named is None:
        return bought
    match = (bought["counted_with"] == "not_listed") & (bought["vehicles"] == named)
    return bought.assign(counted_with=bought["counted_with"].where(~match, NAMED_IN_REASON))


def vehicle_purchases(data: YearData) -> VehiclePurchases:
    listed = purchase_table(data)
    booked = data.indicators[data.indicators["indicator"] == "公务用车购置"]
    if booked.empty:
        return VehiclePurchases(data.value("vehicle_purchase"), listed, None, None, None, None)
    row = booked.iloc[0]
    project = data.projects[data.projects["project_code"] == row["project_code"]].iloc[0]
    bought = project_vehicles(project["goal_completion"], project["project_name"])
    return VehiclePurchases(
        data.value("vehicle_purchase"),
        listed,
        project["project_name"],
        int(project["source_line"]),
        float(row["actual_value"]),
        int(row["source_line"]),
        # what the project bought is matched with the 三公 list only when the section lists vehicles at all
        _mark_named(bought, int(data.value("motorcycles_bought")) if data.has("motorcycles_bought") else None)
        if not listed.empty else bought.assign(counted_with="no_list"),
        float(project["budget_initial"]),
        int(data.value("motorcycles_bought")) if data.has("motorcycles_bought") else None,
        data.line("motorcycles_bought") if data.has("motorcycles_bought") else None,
    )


@dataclass(frozen=True)
class Renewal:
    """The vehicles bought in the year against the fleet at year end (line 66: 全年按规定更新购置公务用车15辆 …
    共有公务用车112辆). `is_renewal` when the report calls the purchase 更新购置 (replacing vehicles)."""

    bought: int
    bought_line: int
    is_renewal: bool
    fleet: int
    fleet_line: int

    @property
    def share_of_fleet(self) -> float:
        return self.bought / self.fleet if self.fleet else float("nan")


def renewal(data: YearData) -> Renewal | None:
    """None when the report states no vehicles bought (or none at all) or no fleet at year end."""
    if not (data.has("vehicles_bought") and data.has("fleet_total")) or not data.value("vehicles_bought"):
        return None
    label = data.facts[(data.facts["metric"] == "vehicles_bought") & (data.facts["year"] == data.year)].iloc[0][
        "label_zh"
    ]
    return Renewal(int(data.value("vehicles_bought")), data.line("vehicles_bought"), "更新" in label,
                   int(data.value("fleet_total")), data.line("fleet_total"))


def fleet_table(data: YearData) -> pd.DataFrame:
    """Vehicles at year end by type: kind (metric key), vehicles."""
    kinds = ("fleet_sedan", "fleet_suv", "fleet_small_bus", "fleet_medium_large_bus", "fleet_other_type")
    return pd.DataFrame([dict(kind=m, vehicles=int(data.value(m))) for m in kinds if data.has(m)])


# --- 3. low execution -------------------------------------------------------------------------

def low_execution(data: YearData, threshold: float) -> pd.DataFrame:
    """THE low-execution set: projects whose execution (executed ÷ adjusted budget) is below `threshold`.

    Lowest first, a 0%-executed project included. Columns: project_code, project_name, name_en,
    budget_adjusted, executed, unspent, execution_rate, execution_rate_reported, total_score,
    shortfall_reason (as printed, '' when the report gives none), reason_en (gloss or ''), source_line.
    Every page and the self-evaluation use this one function.
    """
    projects = data.projects
    low = projects[projects["execution_rate"] < threshold].sort_values(["execution_rate", "project_code"])
    low = low.assign(shortfall_reason=low["shortfall_reason"].fillna("").str.strip(),
                     reason_en=[reason_en(r) for r in low["shortfall_reason"].fillna("")])
    return low[["project_code", "project_name", "name_en", "budget_adjusted", "executed", "unspent", "execution_rate",
                "execution_rate_reported", "total_score", "shortfall_reason", "reason_en",
                "source_line"]].reset_index(drop=True)


@dataclass(frozen=True)
class LowExecution:
    threshold: float             # the reader's threshold (the notebooks' low_execution_threshold)
    is_report_rule: bool         # the threshold is the report's own rule (预算执行率未达到90%的需说明原因)
    projects: int                # all projects with an adjusted budget
    table: pd.DataFrame          # low_execution() at the reader's threshold
    all_budgets: float
    report_rule: float           # the report's own rule: below it the form asks for a reason
    below_rule: pd.DataFrame     # low_execution() at the report's rule, whatever the reader's threshold

    @property
    def count(self) -> int:
        return len(self.table)

    @property
    def unspent(self) -> float:
        return round(float(self.table["unspent"].sum()), 2)

    @property
    def unspent_share(self) -> float:
        return self.unspent / self.all_budgets if self.all_budgets else float("nan")

    @property
    def lowest(self) -> pd.Series | None:
        return self.table.iloc[0] if len(self.table) else None

    @property
    def without_reason(self) -> pd.DataFrame:
        """Projects below the report's own rule that state no reason, although its form asks for one there: the
        report's rule decides, not the reader's threshold (at 95% a project at 92.9% owes no reason)."""
        return self.below_rule[self.below_rule["shortfall_reason"] == ""]


def low_execution_summary(data: YearData, threshold: float) -> LowExecution:
    rated = data.projects.dropna(subset=["execution_rate"])
    rule = report_rule("low_execution_threshold")
    return LowExecution(threshold, threshold == rule, len(rated), low_execution(data, threshold),
                        float(rated["budget_adjusted"].sum()), rule, low_execution(data, rule))


@dataclass(frozen=True)
class LateMoney:
    """How much of the low-execution projects' unspent budget is money that arrived late: a project whose reason
    says it arrived on a date near year end (`arrived`, paid the next year: 结转, not 结余), and the transfer projects
    (转移支付) with it; and what the low execution looks like without the late arrival."""

    unspent: float                 # all low-execution projects
    arrived: pd.DataFrame          # project_name, unspent, year, month, day, source_line of the late arrivals
    transfers: float               # unspent of the transfer projects, late arrivals included
    without: int                   # low-execution projects without the late arrivals
    without_unspent: float
    without_share: float           # of all project budgets less the late arrivals' budgets

    @property
    def arrived_unspent(self) -> float:
        return round(float(self.arrived["unspent"].sum()), 2)

    @property
    def arrived_share(self) -> float:
        return self.arrived_unspent / self.unspent if self.unspent else float("nan")

    @property
    def transfers_share(self) -> float:
        return self.transfers / self.unspent if self.unspent else float("nan")


def late_money(data: YearData, low: LowExecution) -> LateMoney | None:
    """The late-money reading of the low-execution set (None when no project's reason dates a late arrival)."""
    arrived_pattern, transfer = reason_pattern("arrived_late"), reason_pattern("transfer_project")
    rows = [dict(project_name=r.project_name, budget_adjusted=r.budget_adjusted, unspent=r.unspent,
                 year=int(m["year"]), month=int(m["month"]), day=int(m["day"]), source_line=int(r.source_line))
            for r in low.table.itertuples() if (m := arrived_pattern.search(r.shortfall_reason))]
    if not rows:
        return None
    arrived = pd.DataFrame(rows)
    names = set(arrived["project_name"])
    transfers = low.table[low.table["project_name"].str.contains(transfer) | low.table["project_name"].isin(names)]
    rest = low.table[~low.table["project_name"].isin(names)]
    rest_budgets = low.all_budgets - float(arrived["budget_adjusted"].sum())
    return LateMoney(low.unspent, arrived, round(float(transfers["unspent"].sum()), 2), len(rest),
                     round(float(rest["unspent"].sum()), 2),
                     float(rest["unspent"].sum()) / rest_budgets if rest_budgets else float("nan"))


def _strip_year(name: str) -> str:
    return re.sub(r"^\d{4}年(新增)?", "", name)


def class_line_reasons(data: YearData, project_name: str) -> pd.DataFrame:
    """Clauses of the 类/款/项 reasons (完成预算… 主要原因) that name the project: clause, source_line.

    The class lines give reasons the project tables leave out (line 42: the office lease's 80万
    covered 15 months, 6 of them paid in 2023).
    """
    stem = _strip_year(project_name)
    rows = [dict(clause=clause.strip(), source_line=int(line))
            for note, line in zip(data.classes["note"].fillna(""), data.classes["source_line"], strict=True)
            for clause in re.split(r"[；;]", note) if stem and stem in clause]
    return pd.DataFrame(rows, columns=["clause", "source_line"])


@dataclass(frozen=True)
class MonthsPaid:
    """A budget for `covered` months of which `paid` fell in the year: a timing effect, not a saving."""

    project_name: str
    covered: int
    paid: int
    source_line: int
    budget: float | None = None        # the budget for the `covered` months (本年预算80万元)
    paid_amount: float | None = None   # what the project's reason says was paid (实际租赁支付33.33万元)

    @property
    def pro_rata(self) -> float | None:
        """What `paid` months of a `covered`-month budget come to: 6 ÷ 15 × 80 = 32.00."""
        return round(self.budget * self.paid / self.covered, 2) if self.budget and self.covered else None


def timing_effects(data: YearData, low: pd.DataFrame) -> list[MonthsPaid]:
    pattern, paid_pattern = reason_pattern("months_paid"), reason_pattern("amount_paid")
    reasons = dict(zip(low["project_name"], low["shortfall_reason"].fillna(""), strict=True))
    found = []
    for name in low["project_name"]:
        for clause, line in class_line_reasons(data, name).itertuples(index=False):
            if m := pattern.search(clause):
                paid = paid_pattern.search(reasons.get(name, ""))
                found.append(MonthsPaid(name, int(m["covered"]), int(m["paid"]), int(line),
                                        float(m["budget"]) if m["budget"] else None,
                                        float(paid["amount"]) if paid else None))
    return found


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
        stem = _strip_year(m["project"])
        same = data.projects[data.projects["project_name"].map(_strip_year) == stem]
        for _, p in same[same["budget_adjusted"] > 0].iterrows():
            found.append(ReasonConflict(metric, reason.line, m[0], m["project"], int(m["year"]), p["project_name"],
                                        float(p["budget_adjusted"]), float(p["executed"]), int(p["source_line"])))
    return found


@dataclass(frozen=True)
class SharedOutput:
    """One quantity indicator (数量指标) that several projects report with the same name, unit and result
    (聘请交通文明劝导员人数 = 500 人 in two projects): the same output may be counted, and paid for, twice."""

    indicator: str
    unit: str
    actual: float
    projects: tuple[tuple[str, int], ...]   # (project name, report line of its indicator)


def shared_outputs(data: YearData) -> list[SharedOutput]:
    ind = data.indicators[(data.indicators["level2"] == "数量指标") & data.indicators["actual_value"].notna()].copy()
    ind["name"] = ind["indicator"].str.replace(r"^\d{4}年", "", regex=True)
    names = data.projects.set_index("project_code")["project_name"]
    found = []
    for (name, unit, actual), rows in ind.groupby(["name", "unit", "actual_value"], sort=True):
        first = rows.drop_duplicates("project_code")
        if len(first) > 1:
            found.append(
                SharedOutput(
                    name,
                    unit,
                    float(actual),
                    tuple(
                        (names.get(code, code), int(line))
                        for code, line in zip(first["project_code"], first["source_line"], strict=True)
                    ),
                )
            )
    return found


# --- 4. across years --------------------------------------------------------------------------

TREND_METRICS = ("total_expenditure", "basic_expenditure", "project_expenditure", "three_public_total",
                 "vehicle_purchase", "vehicle_operation", "fleet_total", "budget_completion_rate")


def trend_table(tidy_dir: Path | str | None = None, unit: str = "") -> pd.DataFrame:
    """Each year's own report of `unit` (empty: the only unit): one row per year, one column per metric in
    TREND_METRICS, plus the projects' overall execution (executed ÷ adjusted budget over all projects)."""
    rows = []
    for year in available_years(tidy_dir, unit):
        data = load_year(year, tidy_dir, unit)
        row = {"year": year} | {m: data.value(m) if data.has(m) else float("nan") for m in TREND_METRICS}
        budgets = data.projects["budget_adjusted"].sum()
        row["project_execution"] = data.projects["executed"].sum() / budgets if budgets else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def projects_across_years(tidy_dir: Path | str | None = None, unit: str = "") -> pd.DataFrame:
    """Projects matched across years by project code: project_code, project_name, year, budget_adjusted,
    executed, execution_rate (long form; pivot on year to compare)."""
    frames = [load_year(y, tidy_dir, unit).projects.assign(year=y) for y in available_years(tidy_dir, unit)]
    if not frames:
        return pd.DataFrame(columns=["project_code", "project_name", "year", "budget_adjusted", "executed",
                                     "execution_rate"])
    projects = pd.concat(frames, ignore_index=True)
    # the name of a code is the one its latest report prints
    latest = projects.sort_values("year").groupby("project_code")["project_name"].last()
    projects["project_name"] = projects["project_code"].map(latest)
    return projects[["project_code", "project_name", "year", "budget_adjusted", "executed",
                     "execution_rate"]].sort_values(["project_code", "year"]).reset_index(drop=True)


def execution_changes(projects: pd.DataFrame) -> pd.DataFrame:
    """Projects in both the first and the last year of `projects_across_years`: project_code, project_name,
    first and last execution rate and the change, largest change (either way) first."""
    if projects.empty:
        return pd.DataFrame(columns=["project_code", "project_name", "first", "last", "change"])
    years = sorted(projects["year"].unique())
    wide = projects.pivot_table(index=["project_code", "project_name"], columns="year", values="execution_rate")
    if len(years) < 2 or years[0] not in wide or years[-1] not in wide:
        return pd.DataFrame(columns=["project_code", "project_name", "first", "last", "change"])
    both = wide[[years[0], years[-1]]].dropna().reset_index()
    both.columns = ["project_code", "project_name", "first", "last"]
    both["change"] = both["last"] - both["first"]
    return both.reindex(both["change"].abs().sort_values(ascending=False).index).reset_index(drop=True)
