"""Small display helpers for the notebooks: narrative sentences and formatted tables.

Sentences carry text from the report (project names, reasons, indicator names). Those are
data, not markup: HTML and Markdown link syntax in them are escaped here, so a report that
contains `<script>` or `[x](javascript:…)` shows it literally and runs nothing.
"""

from __future__ import annotations

import html
import re

import pandas as pd
from IPython.display import Markdown, display

from helpers.story import citations, fmt

# Rate columns that hold a rate as the report prints it: shown with the report's own decimals (100%, 75%, 91.2%);
# every other rate column is computed and shown by fmt.rate (one decimal, a whole 100% only when exact).
PRINTED_RATE_COLUMNS = {"printed_share", "reported_share", "completion_rate", "budget_completion_rate",
                        "execution_rate_reported"}

_LINK_SYNTAX = re.compile(r"([\[\]`])")


def safe(text: str) -> str:
    """Text safe to show as Markdown: HTML escaped, link and code syntax neutralised.

    Emphasis (`**…**`, `*…*`) added by our own sentence templates still works; a citation of the report
    (helpers.story.citations) becomes a <span> with its line in the tooltip.
    """
    return citations.as_html(_LINK_SYNTAX.sub(r"\\\1", html.escape(text, quote=False)))


def say(*sentences: str) -> None:
    """Show computed sentences as one Markdown paragraph."""
    display(Markdown(safe(" ".join(s for s in sentences if s))))


def bullets(lines: list[str]) -> None:
    """Show computed lines as a Markdown list."""
    display(Markdown("\n".join(f"- {safe(line)}" for line in lines) if lines else "_(none)_"))


def table(df: pd.DataFrame, amounts: tuple[str, ...] = (), rates: tuple[str, ...] = (),
          counts: tuple[str, ...] = (), rename: dict[str, str] | None = None, missing: str = "–"):
    """A table for reading: 万元 with two decimals and thousands separators, rates as % (printed rates as printed,
    computed ones by fmt.rate: never a rounded 100.0%), no index; an empty cell shows `missing`.

    Every cell is HTML-escaped. A column `rename` gives an empty heading (a machine key beside its words, see
    helpers.show.labels.KEY_BESIDE_LABEL) is left out.
    """
    if rename:
        df = df.drop(columns=[c for c in df.columns if rename.get(c, c) == ""])
    formats = {c: "{:,.2f}" for c in amounts if c in df}
    formats |= {c: (fmt.pct_as_printed if c in PRINTED_RATE_COLUMNS else fmt.rate) for c in rates if c in df}
    formats |= {c: "{:,.0f}" for c in counts if c in df}
    styler = df.style.format(formats, na_rep=missing, escape="html").format_index(escape="html", axis="columns")
    styler = styler.hide(axis="index")
    # Text columns get the class `text` (left-aligned by the page's CSS); numbers keep the right alignment.
    text = [i for i, c in enumerate(df.columns) if c not in formats and not pd.api.types.is_numeric_dtype(df[c])]
    styler = styler.set_td_classes(pd.DataFrame([["text" if i in text else "" for i in range(df.shape[1])]]
                                                * len(df), index=df.index, columns=df.columns))
    styler = styler.set_table_styles([{"selector": f"th.col{i}", "props": "text-align: left"} for i in text])
    styler = styler.set_table_attributes('tabindex="0"')  # a table that scrolls sideways takes the keyboard too
    if rename:
        styler = styler.relabel_index([rename.get(c, c) for c in df.columns], axis="columns")
    return styler
