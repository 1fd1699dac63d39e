"""The budget story's numbers and sentences, computed from one year of tidy data.

Each function takes a `YearData` and returns either a small table or a sentence built from the
figures, so that a notebook shows a sentence and the reader can trace every number in it to the
tidy data (and from there, via `source_line`, to the report).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from helpers.story import fmt
from helpers.data.load import YearData, english_names
from helpers.data.schema import read_table


def reason_text(text_zh: str) -> str:
    """A stated reason as 'English (中文)' when data/names/reasons.csv translates it, else the Chinese."""
    text_zh = text_zh.strip()
    english = english_names("reasons").get(text_zh, "")
    return f"{english} (“{text_zh}”)" if english else f"“{text_zh}”"


def explanation(data: YearData, metric: str) -> str:
    """The reason the report states for `metric`, or '' when it states none."""
    path = data.tidy_dir / "explanations.csv"
    if not path.exists():
        return ""
    table = read_table("explanations", data.tidy_dir)
    rows = table[(table["year"] == data.year) & (table["metric"] == metric)]
    return rows.iloc[0]["text_zh"] if len(rows) else ""


@dataclass
class Change:
    """A figure in two years: computed change and the change the report states."""

    metric: str
    prior: float
    current: float
    stated_change: float | None
    stated_pct: float | None

    @property
    def change(self) -> float:
        return round(self.current - self.prior, 2)

    @property
    def pct(self) -> float:
        return self.change / self.prior if self.prior else float("nan")

    def pct_phrase(self) -> str:
        """'−4.9%', or '+243.0% (the report prints +242.9%)' when the stated rate reads otherwise."""
        computed = fmt.signed_pct(self.pct)
        if self.stated_pct is None:
            return computed
        stated = fmt.signed_pct(self.stated_pct)
        return computed if stated == computed else f"{computed} (the report prints {stated})"


def change_of(data: YearData, metric: str, change_metric: str | None = None) -> Change:
    """`metric` this year and last year, with the stated change and % change when the report gives them."""
    change_metric = change_metric or f"{metric}_change"
    stated = data.value(change_metric) if data.has(change_metric) else None
    stated_pct = data.value(f"{change_metric}_pct") if data.has(f"{change_metric}_pct") else None
    return Change(metric, data.value(metric, data.prior_year), data.value(metric), stated, stated_pct)


# --- 1. totals -------------------------------------------------------------------------------

def totals_table(data: YearData) -> pd.DataFrame:
    """Total income and spending in both years (long form: measure, year, value)."""
    rows = []
    for metric, measure in (("total_income", "收入 income"), ("total_expenditure", "支出 spending")):
        for year in (data.prior_year, data.year):
            if data.has(metric, year):
                rows.append(dict(measure=measure, year=year, value=data.value(metric, year)))
    return pd.DataFrame(rows)


def decline_sentence(data: YearData) -> str:
    c = change_of(data, "total_expenditure")
    return (f"In {data.year} the detachment spent {fmt.wan(c.current)} (about {fmt.yuan_m(c.current)}), "
            f"against {fmt.wan(c.prior)} in {data.prior_year}: spending {fmt.change_verb(c.change)} by "
            f"{fmt.wan(abs(c.change))}, or {c.pct_phrase()}.")


def decline_reason_sentence(data: YearData) -> str:
    reason = explanation(data, "total_expenditure_change")
    if not reason:
        return "The report gives no reason for the change."
    return f"The report's reasons (line {data.line('total_expenditure_change')}): {reason_text(reason)}"


def income_table(data: YearData) -> pd.DataFrame:
    """Income by source as the report states it (the other sources it names are not stated when zero)."""
    rows = [("fiscal_appropriation_income", "一般公共预算财政拨款收入 general budget appropriations")]
    return pd.DataFrame([dict(source=label, amount=data.value(m), share=data.value(m) / data.value("total_income"))
                         for m, label in rows if data.has(m)])


def structure_table(data: YearData) -> pd.DataFrame:
    """Basic vs project spending: amount, stated share and computed share."""
    total = data.value("total_expenditure")
    rows = []
    for metric, label in (("basic_expenditure", "基本支出 basic (running costs)"),
                          ("project_expenditure", "项目支出 project")):
        amount = data.value(metric)
        rows.append(dict(part=label, amount=amount, reported_share=data.value(f"{metric}_share"),
                         computed_share=amount / total))
    return pd.DataFrame(rows)


def structure_sentence(data: YearData) -> str:
    basic, project = data.value("basic_expenditure"), data.value("project_expenditure")
    personnel, public = data.value("personnel_expenditure"), data.value("public_expenditure")
    total = data.value("total_expenditure")
    return (f"Basic spending (基本支出), which keeps the unit running, was {fmt.wan(basic)} "
            f"({fmt.pct(basic / total)} of the total): {fmt.wan(personnel)} on staff (人员经费) and "
            f"{fmt.wan(public)} on office running costs (公用经费). Project spending (项目支出) was "
            f"{fmt.wan(project)} ({fmt.pct(project / total)}).")


def income_sentence(data: YearData) -> str:
    income, fiscal = data.value("total_income"), data.value("fiscal_appropriation_income")
    return (f"All income came from the general public budget: {fmt.wan(fiscal)} of fiscal appropriations "
            f"(一般公共预算财政拨款收入) out of total income of {fmt.wan(income)} ({fmt.pct(fiscal / income)}).")


def class_table(data: YearData) -> pd.DataFrame:
    """The 类 (functional classes) with amount, stated share and computed share."""
    classes = data.classes[data.classes["level"] == "类"].copy()
    total = data.value("total_expenditure")
    classes["computed_share"] = classes["amount"] / total
    classes["label"] = [f"{en} {zh}" if en else zh for en, zh in zip(classes["class_en"], classes["class_zh"])]
    return classes[["label", "class_zh", "amount", "reported_share", "computed_share"]].sort_values(
        "amount", ascending=False).reset_index(drop=True)


def class_sentence(data: YearData) -> str:
    table = class_table(data)
    top = table.iloc[0]
    return (f"By function, {top['label']} took {fmt.wan(top['amount'])}, "
            f"{fmt.pct(top['computed_share'])} of spending; the other {len(table) - 1} classes shared the rest.")


def items_table(data: YearData) -> pd.DataFrame:
    """The 类/款/项 item lines with amount, completion rate and stated reason."""
    items = data.classes[data.classes["level"] == "项"].copy()
    items["label"] = [f"{en} {zh}" if en else zh for en, zh in zip(items["item_en"], items["item_zh"])]
    return items[["class_zh", "category_zh", "label", "amount", "completion_rate", "note"]].reset_index(drop=True)


def completion_sentence(data: YearData) -> str:
    items = items_table(data)
    low = items[items["completion_rate"] < 0.9].sort_values("completion_rate")
    parts = [f"{row['label']} ({fmt.pct(row['completion_rate'])})" for _, row in low.iterrows()]
    overall = data.value("budget_completion_rate")
    text = f"Overall the general budget was {fmt.pct(overall, 0)} completed (完成预算)."
    if parts:
        text += f" Items below 90% of budget: {fmt.listing(parts)}."
    return text


# --- 2. 三公 ------------------------------------------------------------------------------------

def three_public_sentence(data: YearData) -> str:
    c = change_of(data, "three_public_total", "three_public_change")
    vehicles = data.value("vehicle_purchase_operation")
    share = vehicles / c.current if c.current else float("nan")
    return (f"“三公” spending (overseas travel, official vehicles and official hospitality) was "
            f"{fmt.wan(c.current)} in {data.year}, against {fmt.wan(c.prior)} in {data.prior_year}: "
            f"{fmt.change_verb(c.change)} by {fmt.wan(abs(c.change))}, or {c.pct_phrase()}. "
            f"Official vehicles account for {fmt.pct(share, 0)} of it.")


def three_public_table(data: YearData) -> pd.DataFrame:
    rows = [("overseas_travel", "因公出国（境）费 overseas travel"),
            ("vehicle_purchase", "公务用车购置 vehicle purchase"),
            ("vehicle_operation", "公务用车运行维护 vehicle operation"),
            ("official_reception", "公务接待费 official hospitality")]
    return pd.DataFrame([dict(item=label, amount=data.value(metric)) for metric, label in rows if data.has(metric)])


def vehicle_sentence(data: YearData) -> str:
    purchase, operation = data.value("vehicle_purchase"), data.value("vehicle_operation")
    text = (f"Of the vehicle spending, {fmt.wan(purchase)} bought vehicles and {fmt.wan(operation)} ran the fleet "
            f"(fuel, repairs, tolls, insurance).")
    if data.has("vehicles_bought_patrol") and data.has("motorcycles_bought"):
        text += (f" The report attributes the rise to {fmt.count(data.value('vehicles_bought_patrol'), 'new patrol car')}"
                 f" and {fmt.count(data.value('motorcycles_bought'), 'police motorcycle')}.")
    return text


def purchase_table(data: YearData) -> pd.DataFrame:
    rows = []
    for kind, count_metric, amount_metric in (("轿车 sedans", "vehicles_bought_sedan", "vehicle_purchase_sedan"),
                                              ("其他车型 other", "vehicles_bought_other", "vehicle_purchase_other")):
        if data.has(count_metric):
            rows.append(dict(kind=kind, vehicles=int(data.value(count_metric)),
                             amount=data.value(amount_metric) if data.has(amount_metric) else float("nan")))
    return pd.DataFrame(rows)


def purchase_sentence(data: YearData) -> str:
    table = purchase_table(data)
    if table.empty:
        return "The report does not break the vehicle purchases down."
    listed = table["amount"].sum()
    purchase = data.value("vehicle_purchase")
    text = (f"The report lists {fmt.count(table['vehicles'].sum(), 'vehicle')} bought for {fmt.wan(listed)}, "
            f"{fmt.wan(purchase - listed)} less than the {fmt.wan(purchase)} it books as vehicle purchase")
    if data.has("motorcycles_bought"):
        text += (f"; the {fmt.count(data.value('motorcycles_bought'), 'motorcycle')} it mentions are not in that list"
                 ", which may account for the difference")
    return text + "."


def fleet_table(data: YearData) -> pd.DataFrame:
    rows = [("fleet_sedan", "轿车 sedans"), ("fleet_suv", "越野车 SUVs"), ("fleet_small_bus", "小型客车 small buses"),
            ("fleet_medium_large_bus", "中型客车和大型客车 medium/large buses"), ("fleet_other_type", "其他车型 other")]
    return pd.DataFrame([dict(kind=label, vehicles=int(data.value(m))) for m, label in rows if data.has(m)])


def fleet_sentence(data: YearData) -> str:
    total = int(data.value("fleet_total"))
    text = f"At the end of {data.year} the detachment had {fmt.count(total, 'official vehicle')}"
    if data.has("fleet_law_enforcement"):
        text += (f", {int(data.value('fleet_law_enforcement'))} of them for law enforcement and patrol (执法执勤用车) "
                 f"and {int(data.value('fleet_other_use'))} for other uses")
    return text + "."


# --- 3. low execution -----------------------------------------------------------------------

def low_execution(data: YearData, threshold: float) -> pd.DataFrame:
    """Projects whose execution (executed / adjusted budget) is below `threshold`, lowest first."""
    projects = data.projects
    low = projects[projects["execution_rate"] < threshold].sort_values("execution_rate")
    low = low.assign(reason=[reason_text(r) if r else "(no reason given)" for r in low["shortfall_reason"]])
    return low[["display_name", "project_name", "budget_adjusted", "executed", "unspent", "execution_rate",
                "execution_rate_reported", "reason", "source_line"]].reset_index(drop=True)


def low_execution_sentence(data: YearData, threshold: float) -> str:
    low = low_execution(data, threshold)
    total = len(data.projects)
    if low.empty:
        return f"All {total} projects executed at least {fmt.pct(threshold, 0)} of their adjusted budget."
    unspent = low["unspent"].sum()
    share = unspent / data.projects["budget_adjusted"].sum()
    worst = low.iloc[0]
    return (f"{fmt.count(len(low), 'project')} of {total} executed less than {fmt.pct(threshold, 0)} of their "
            f"adjusted budget (the report's own threshold for explaining a shortfall). Together they left "
            f"{fmt.wan(unspent)} unspent, {fmt.pct(share)} of all project budgets. The lowest was "
            f"{worst['display_name']}: {fmt.wan(worst['executed'])} of {fmt.wan(worst['budget_adjusted'])}, "
            f"{fmt.pct(worst['execution_rate'])}.")


def unexplained_sentence(data: YearData, threshold: float) -> str:
    low = low_execution(data, threshold)
    missing = low[low["reason"] == "(no reason given)"]
    if missing.empty:
        return "Every one of them states a reason."
    names = [f"{row['display_name']} ({fmt.pct(row['execution_rate'])})" for _, row in missing.iterrows()]
    return (f"{fmt.count(len(missing), 'project')} below the threshold give no reason, although the form asks for "
            f"one: {fmt.listing(names)}.")


def project_line(row: pd.Series) -> str:
    """One bullet for a low-execution project."""
    return (f"**{row['display_name']}**: {fmt.wan(row['executed'])} of {fmt.wan(row['budget_adjusted'])} "
            f"({fmt.pct(row['execution_rate'])}), {fmt.wan(row['unspent'])} unspent. Reason: {row['reason']}")
