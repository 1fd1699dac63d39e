"""Notebook 03 (low execution): THE low-execution set of projects (every page and the self-evaluation use
`low_execution`), the money that arrived late, the reasons the report gives, timing effects, and outputs two
projects report alike. Results only; the words are in templates/<lang>/low_execution.j2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from helpers.data.leftovers import leftover_mask
from helpers.data.load import YearData
from helpers.story.common import reason_en, reason_pattern, report_rule, strip_year


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


def class_line_reasons(data: YearData, project_name: str) -> pd.DataFrame:
    """Clauses of the 类/款/项 reasons (完成预算… 主要原因) that name the project: clause, source_line.

    The class lines give reasons the project tables leave out (line 42: the office lease's 80万
    covered 15 months, 6 of them paid in 2023).
    """
    stem = strip_year(project_name)
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
class CostSplit:
    """Where the spending of a project that built none of its building went, as its cost indicators (成本指标) tell:
    the ones priced in 万元 with their results, and the rest of the spending, computed, on the sub-items the table
    prices per unit only (二大队业务技术用房新建项目: 518.61 spent, 0 on 主楼+副楼基础设施建设, 115.07 on
    项目前期筹备费用, so 403.54 on the camera poles, cameras and radars priced per unit)."""

    project_name: str
    executed: float
    executed_line: int
    areas: tuple[tuple[str, int], ...]          # floor-area targets reported at 0 平方米: (indicator, line)
    priced: tuple[tuple[str, float, int, str], ...]  # cost indicators in 万元: (indicator, result, its line,
                                                     # the result as printed: "0", not 0.00 it does not print)
    per_unit: tuple[str, ...]                   # cost indicators priced per unit (元/套, 元/台): no total printed

    @property
    def lines(self) -> list[int]:
        """The report lines of the figures the split rests on: the spending, the areas, the 万元 cost results."""
        return [self.executed_line, *(line for _, line in self.areas), *(line for _, _, line, _ in self.priced)]

    @property
    def remainder(self) -> float:
        """Spending the 万元 cost indicators do not account for (executed − their results), computed."""
        return round(self.executed - sum(result for _, result, _, _ in self.priced), 2)


def cost_splits(data: YearData, low: pd.DataFrame) -> list[CostSplit]:
    """For each low-execution project whose floor area was not delivered (the audit's `area_not_delivered`
    finding), the split of its spending its cost indicators give (see CostSplit)."""
    findings = data.findings[data.findings["check"] == "area_not_delivered"]
    current = data.indicators[~leftover_mask(data.indicators)]
    splits = []
    for finding in findings.itertuples():
        project = data.projects[data.projects["project_code"] == finding.project_code]
        if project.empty or finding.project_code not in set(low["project_code"]):
            continue
        project = project.iloc[0]
        own = current[current["project_code"] == finding.project_code]
        costs = own[(own["level1"] == "成本指标") & own["actual_value"].notna()]
        in_wan = costs[costs["unit"] == "万元"]
        areas = own[own["indicator"].isin(str(finding.metrics).split(";"))]
        splits.append(CostSplit(
            str(project["project_name"]), float(project["executed"]), int(project["executed_line"]),
            tuple((r.indicator, int(r.actual_line)) for r in areas.itertuples()),
            tuple((r.indicator, float(r.actual_value), int(r.actual_line), str(r.actual)) for r in in_wan.itertuples()),
            tuple(dict.fromkeys(costs.loc[costs["unit"] != "万元", "indicator"]))))
    return splits


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
