"""Notebook 02 (三公): the “三公” spending against last year, its items and completion rates, the vehicles
bought against the project that bought them, and the fleet. Results only; the words are in
templates/<lang>/three_public.j2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from helpers.data.audit import HALF_CENT
from helpers.data.load import YearData
from helpers.story.common import RULES, Change, StatedReason, change_of, rate_range, rules_table, stated_reason

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
        whole_hi = rate_range(self.change.current, self.completion_rate)[1]
        part_lo = rate_range(self.vehicles, self.vehicles_completion)[0]
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
        # the line of its 年度目标完成情况, where the vehicles bought are named (else the table's first line)
        int(project.get("goal_line") or project["source_line"]),
        float(row["actual_value"]),
        int(row.get("actual_line") or row["source_line"]),   # the result 477.72 (line 7185), not the target
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
