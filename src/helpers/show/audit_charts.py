"""Charts of the audit (05) and self-evaluation (06) pages; labels come in the page's language.

Uses the theme and CJK font of helpers.show.charts (imported for its side effect).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from helpers.show import charts  # noqa: F401  (theme and CJK font)
from helpers.show.charts import PALETTE, pct_axis


def kinds_bars(table: pd.DataFrame, *, title: str, xlabel: str, rows_label: str, causes_label: str):
    """Horizontal bars per kind of check (`label`): checks not passed and the causes behind them."""
    table = table.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(table) + 1.2))
    y = range(len(table))
    ax.barh([i + 0.2 for i in y], table["not_passed"], height=0.4, color=PALETTE["budget"], label=rows_label)
    ax.barh([i - 0.2 for i in y], table["causes"], height=0.4, color=PALETTE["low"], label=causes_label)
    ax.set_yticks(list(y), table["label"])
    for container in ax.containers:
        ax.bar_label(container, fmt="%d", padding=3, fontsize=9)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.legend(loc="lower right")
    return fig


def money_bars(table: pd.DataFrame, *, title: str, xlabel: str, severity_labels: dict[str, str]):
    """Horizontal bars of the 万元 at stake per cause (`label`, `at_stake`, `severity`), contradictions, doubtful
    figures and notes apart (colour and legend), largest first within each, on a log scale: 28,002 and 10 on one
    axis. Causes about rates, scores or counts carry no money and are not drawn."""
    table = table[table["at_stake"].notna() & (table["at_stake"] > 0)].iloc[::-1]
    colours = {"error": PALETTE["low"], "warning": PALETTE["rise"], "info": PALETTE["neutral"]}
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(table) + 1.4))
    y = list(range(len(table)))
    bars = ax.barh(y, table["at_stake"], color=[colours[s] for s in table["severity"]], height=0.6)
    ax.bar_label(bars, labels=[f"{v:,.2f}" for v in table["at_stake"]], padding=3, fontsize=9)
    ax.set_yticks(y, table["label"])
    ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[s]) for s in ("error", "warning", "info")
               if s in set(table["severity"])]
    ax.legend(handles, [severity_labels[s] for s in ("error", "warning", "info") if s in set(table["severity"])],
              loc="lower right")
    return fig


def score_scatter(table: pd.DataFrame, threshold: float, *, title: str, xlabel: str, ylabel: str,
                  threshold_label: str, outlier_label) -> plt.Figure:
    """Total score against execution rate, a vertical line at `threshold`. Projects that executed nothing and
    scored nothing would squash the others to the top: they are left off the axes and named in a note
    (`outlier_label(name, rate, score)` words it)."""
    outliers = table[(table["execution_rate"] <= 0) & (table["total_score"] <= 0)]
    shown = table.drop(outliers.index)
    fig, ax = plt.subplots(figsize=(8, 5))
    low = shown["execution_rate"] < threshold
    ax.scatter(shown.loc[~low, "execution_rate"], shown.loc[~low, "total_score"], color=PALETTE["ok"], s=40)
    ax.scatter(shown.loc[low, "execution_rate"], shown.loc[low, "total_score"], color=PALETTE["low"], s=40)
    # the low ones are the story (the rest crowd at 100%); neighbours' names go above and below in turn
    for i, row in enumerate(shown[low].sort_values("execution_rate").itertuples()):
        ax.annotate(row.project_name, (row.execution_rate, row.total_score), fontsize=7,
                    xytext=(4, 3 if i % 2 == 0 else -10), textcoords="offset points")
    ax.axvline(threshold, color=PALETTE["neutral"], linestyle="--", linewidth=1)
    ax.text(threshold, ax.get_ylim()[1], " " + threshold_label, va="top", fontsize=9, color=PALETTE["neutral"])
    ax.xaxis.set_major_formatter(pct_axis)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if len(outliers):
        note = "\n".join(outlier_label(r.project_name, r.execution_rate, r.total_score) for r in outliers.itertuples())
        fig.text(0.01, -0.02, note, fontsize=8, color=PALETTE["low"], va="top")
    return fig


def points_bars(table: pd.DataFrame, *, label: str, value: str, share: str, title: str, xlabel: str, unit: str):
    """Horizontal bars of points (not money) with each bar's points and share."""
    table = table.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(table) + 1.2))
    bars = ax.barh(table[label], table[value], color=PALETTE["this_year"])
    ax.bar_label(bars, labels=[f"{v:,.0f} {unit} ({s:.0%})" for v, s in zip(table[value], table[share], strict=True)],
                 padding=3, fontsize=9)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.set_xlim(0, table[value].max() * 1.25)
    return fig
