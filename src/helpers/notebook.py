"""Small display helpers for the notebooks: narrative sentences and formatted tables."""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown, display


def say(*sentences: str) -> None:
    """Show computed sentences as one Markdown paragraph."""
    display(Markdown(" ".join(s for s in sentences if s)))


def bullets(lines: list[str]) -> None:
    """Show computed lines as a Markdown list."""
    display(Markdown("\n".join(f"- {line}" for line in lines) if lines else "_(none)_"))


def table(df: pd.DataFrame, amounts: tuple[str, ...] = (), rates: tuple[str, ...] = (),
          counts: tuple[str, ...] = (), rename: dict[str, str] | None = None):
    """A table for reading: 万元 with two decimals and thousands separators, rates as %, no index."""
    formats = {c: "{:,.2f}" for c in amounts if c in df}
    formats |= {c: "{:.1%}" for c in rates if c in df}
    formats |= {c: "{:,.0f}" for c in counts if c in df}
    styler = df.style.format(formats, na_rep="–").hide(axis="index")
    if rename:
        styler = styler.relabel_index([rename.get(c, c) for c in df.columns], axis="columns")
    return styler
