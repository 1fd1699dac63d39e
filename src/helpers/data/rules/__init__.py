"""Rules the audit and the self-evaluation statistics rely on, as CSV tables a newcomer can extend.

Each table is one file beside this module; `table(name)` loads it as text (blanks stay '').
`audit_checks.csv`: every kind of check, its labels in each language and the severity it gets
when it fails; `rounding_rules.csv`: the tolerance rules a check applies; `leftover_markers.csv`:
how the report marks rows it carries over but no longer means (see `helpers.data.leftovers`);
`indicator_rules.csv`: indicators that are not targets (grade bands) or are caps (成本指标);
`indicator_facts.csv`: indicators that restate a figure of the prose; `balance_markers.csv`:
reasons that say money was received but paid the next year; `thresholds.csv`: numeric settings;
`table_name_prefixes.csv`: what a project table may print before the name a prose list gives it.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

RULES = Path(__file__).resolve().parent


@functools.cache
def load(folder: Path, name: str) -> pd.DataFrame:
    """The rules table `folder`/`name`.csv, every column text (blanks stay '', `#` starts a comment);
    a missing file says where. The one reader of the pandas stages' rules tables (this folder's,
    and story/rules/)."""
    path = folder / f"{name}.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: the rules tables live in {folder}")
    return pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")


def table(name: str) -> pd.DataFrame:
    """The audit's rules table `name` (file name without .csv)."""
    return load(RULES, name)


@functools.cache
def rows(name: str) -> tuple:
    """The rows of the audit's rules table `name` as named tuples (`table(name).itertuples()`, made once)."""
    return tuple(table(name).itertuples())


_TEXT = pd.Series([""]).astype(str).dtype  # what astype(str) gives: text read by pandas's default string engine


def text(column: pd.Series) -> pd.Series:
    """A column as text for a rule's pattern, blanks as '' (`column.fillna("").astype(str)`; a text column without
    blanks as it is)."""
    if column.dtype == _TEXT and not column.hasnans:
        return column
    return column.fillna("").astype(str)


def threshold(name: str) -> float:
    """A numeric setting of thresholds.csv, by name; KeyError names the file."""
    rows = table("thresholds")
    match = rows[rows["name"] == name]
    if match.empty:
        raise KeyError(f"no threshold {name!r} in {RULES / 'thresholds.csv'}")
    return float(match.iloc[0]["value"])
