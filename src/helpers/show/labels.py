"""Column headings of a page's tables in the page's language (templates <lang>/audit_columns.j2)."""

from __future__ import annotations

import pandas as pd

from helpers.story import wording

# Machine keys a table carries beside their words in the page's language (a check kind beside its label): the
# analyst has them in the DataFrame; the page leaves them out (an empty heading, see display.table).
KEY_BESIDE_LABEL = {"check": "label"}


def headers(lang: str, frame: pd.DataFrame, topic: str = "audit_columns") -> dict[str, str]:
    """{column: heading} for every column of `frame`; a column without a heading keeps its name, and a key shown
    beside its label (KEY_BESIDE_LABEL) gets none, so that the page shows the label only."""
    return {c: "" if KEY_BESIDE_LABEL.get(c) in frame.columns else wording.say(lang, topic, "column", key=c)
            for c in frame.columns}
