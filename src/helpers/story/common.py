"""What every story module shares: the rules tables of story/rules/, a figure's change between two years
(`Change`), the reasons the report states, and how a printed figure is compared with a computed one.

Each story module (overview, three_public, low_execution, audit, self_evaluation, trend, compare) takes a
`YearData` (the one facts store every page reads) and returns numbers, signs, tables and the report lines they
come from, never prose. Sentences are made from these by the templates in `story/templates/<lang>/` (see
`helpers.story.wording`), so the same result reads as Chinese or English, and a year in which spending rose
reads as a rise.

Rules the results rely on (the report's own 90% rule, the patterns that read stated reasons, the kinds of
vehicles a project lists) live in the tables of `story/rules/`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.data import rules
from helpers.data.load import YearData, english_names

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



def rate_range(amount: float, rate: float) -> tuple[float, float]:
    """amount ÷ rate for the lowest and highest rate that prints as `rate`."""
    half = 0.5 * 10 ** (-decimals_of(rate)) / 100
    return amount / (rate + half), amount / max(rate - half, 1e-12)


def strip_year(name: str) -> str:
    return re.sub(r"^\d{4}年(新增)?", "", name)
