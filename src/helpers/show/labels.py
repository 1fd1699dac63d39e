"""Column headings of a page's tables in the page's language (templates <lang>/audit_columns.j2)."""

from __future__ import annotations

import pandas as pd

from helpers.story import wording


def headers(lang: str, frame: pd.DataFrame, topic: str = "audit_columns") -> dict[str, str]:
    """{column: heading} for every column of `frame`; a column without a heading keeps its name."""
    return {c: wording.say(lang, topic, "column", key=c) for c in frame.columns}
