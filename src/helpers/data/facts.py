"""The figures one report states in its prose, keyed by (year, metric): the one facts store.

A report states figures of its own year and of the year before (the prior year stated outright,
or derived from a stated change: 2022's 18,100.64 万元 follows from 2023's 17,211.32 and the
change of -889.32 on line 10). `Facts` holds the rows of ONE report's facts table
(one `report`) and answers, for a metric and a year, its value, the line it was read from, the
decimals it was printed with and whether it is stated or derived. The audit checks a report
against it; `helpers.data.load.YearData` holds one for the pages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.data.schema import records


def printed_decimals(value: float) -> int:
    """Number of decimals a figure shows when printed without trailing zeros (12.50 -> 1, 7 -> 0)."""
    if value is None or math.isnan(value):
        return 0
    s = f"{value:.10f}".rstrip("0")
    return len(s.split(".")[1]) if "." in s and s.split(".")[1] else 0


@dataclass(frozen=True)
class Fact:
    """One figure of a report: its value, the line it was read from, how it was printed."""

    value: float
    line: int
    decimals: int | None   # decimals as printed (of the percentage, for a rate); None when not recorded
    derived: bool          # True when the report does not state it but it follows from a stated change
    unit: str = ""
    label_zh: str = ""


class Facts:
    """Value, line, decimals and stated-vs-derived of every (year, metric) one report gives.

    `year` is the year the report is about: the default year of every lookup. Built from a facts
    table (tidy `facts.csv` rows, or the rows the reader parsed before they are stamped with their
    report); `source` (the file it came from) is named when a figure is missing. Rows of more than one
    report, or two rows for one (year, metric), are refused.
    """

    def __init__(self, year: int, table: pd.DataFrame, source: str | Path = "") -> None:
        if "report" in table and table["report"].nunique() > 1:
            raise ValueError(f"facts of {table['report'].nunique()} reports given, expected one: "
                             f"{sorted(table['report'].unique())}")
        repeated = table[table.duplicated(["year", "metric"], keep=False)]
        if len(repeated):
            first = repeated.iloc[0]
            same = repeated[(repeated["year"] == first["year"]) & (repeated["metric"] == first["metric"])]
            raise ValueError(f"{first['metric']} for {first['year']} is given {len(same)} times (lines "
                             f"{', '.join(map(str, same['source_line']))}): expected once per report")
        self.year = int(year)
        self.source = str(source)
        self.report = str(table["report"].iloc[0]) if "report" in table and len(table) else ""
        self.table = table
        self._facts: dict[tuple[int, str], Fact] = {
            (int(r["year"]), r["metric"]): Fact(
                value=float(r["value"]), line=int(r["source_line"]),
                decimals=None if pd.isna(r.get("decimals")) else int(r["decimals"]),
                derived=bool(r.get("derived", False)), unit=str(r.get("unit", "")),
                label_zh=str(r.get("label_zh", "")))
            for r in records(table)}

    def fact(self, metric: str, year: int | None = None) -> Fact | None:
        """The fact of `metric` for `year` (default: the report's year), or None when the report gives none."""
        return self._facts.get((self.year if year is None else int(year), metric))

    def _required(self, metric: str, year: int | None) -> Fact:
        fact = self.fact(metric, year)
        if fact is None:
            where = self.source or f"the facts of {self.report or self.year}"
            raise KeyError(f"{metric} for {self.year if year is None else year} is not in {where}")
        return fact

    def value(self, metric: str, year: int | None = None) -> float:
        """The value of `metric` for `year`; KeyError names what is missing."""
        return self._required(metric, year).value

    def get(self, metric: str, year: int | None = None) -> float | None:
        """The value of `metric` for `year`, or None when the report gives none."""
        fact = self.fact(metric, year)
        return fact.value if fact else None

    def has(self, *metrics: str, year: int | None = None) -> bool:
        """True when the report gives every one of `metrics` for `year`."""
        return all(self.fact(m, year) is not None for m in metrics)

    def line(self, metric: str, year: int | None = None) -> int:
        """The report line the figure was read from; KeyError names what is missing."""
        return self._required(metric, year).line

    def lines_of(self, *metrics: str, year: int | None = None) -> list[int]:
        """The lines of those of `metrics` the report gives (the others are left out)."""
        return [fact.line for m in metrics if (fact := self.fact(m, year)) is not None]

    def stated(self, metric: str, year: int | None = None) -> Fact | None:
        """The fact when the report states it outright, None when it is derived from a change or not given."""
        fact = self.fact(metric, year)
        return fact if fact is not None and not fact.derived else None

    def decimals(self, metric: str, year: int | None = None) -> int:
        """Decimals the figure was printed with (for a rate: of its percentage); 0 when not given."""
        fact = self.fact(metric, year)
        if fact is None:
            return 0
        return fact.decimals if fact.decimals is not None else printed_decimals(fact.value)

    def unit(self, metric: str) -> str:
        """The unit of `metric` (万元, ratio, or a counting word), from the latest year that gives it; '' if none."""
        return next((f.unit for f in self._latest(metric)), "")

    def label_zh(self, metric: str) -> str:
        """The report's words for `metric`, from the latest year that has them; '' if none."""
        return next((f.label_zh for f in self._latest(metric) if f.label_zh), "")

    def _latest(self, metric: str) -> list[Fact]:
        return [fact for (year, m), fact in sorted(self._facts.items(), key=lambda kv: -kv[0][0]) if m == metric]

    def __len__(self) -> int:
        return len(self._facts)
