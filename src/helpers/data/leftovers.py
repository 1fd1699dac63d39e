"""Rows the report itself marks as leftovers: prior-year indicator rows it carries but does not mean.

The 2023 report prints, among the project tables' indicators, rows whose 偏差原因 reads
"2022年数据，系统默认导出，无法删除" (2022 data the system exports by default and cannot
delete). They are not 2023 targets or results: the audit does not check them and the
self-evaluation statistics leave them out, and the pages say how many points they carry.
The markers live in `rules/leftover_markers.csv` (field, pattern, meaning).
"""

from __future__ import annotations

import pandas as pd

from helpers.data import rules, schema  # noqa: F401  (schema: pandas' text storage, set before any table)


def leftover_mask(indicators: pd.DataFrame) -> pd.Series:
    """True for each indicator row a leftover marker matches (index aligned with `indicators`)."""
    mask = pd.Series(False, index=indicators.index)
    for marker in rules.rows("leftover_markers"):
        if marker.field not in indicators:
            raise KeyError(f"leftover_markers.csv names column {marker.field!r}, which indicators do not have")
        mask |= rules.text(indicators[marker.field]).str.contains(marker.pattern, regex=True)
    return mask


def leftovers(indicators: pd.DataFrame) -> pd.DataFrame:
    """The leftover indicator rows."""
    return indicators[leftover_mask(indicators)]


def without_leftovers(indicators: pd.DataFrame) -> pd.DataFrame:
    """The indicator rows that are this year's: every row no leftover marker matches."""
    return indicators[~leftover_mask(indicators)]
