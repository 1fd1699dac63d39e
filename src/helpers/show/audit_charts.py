"""Charts of the audit (05) and self-evaluation (06) pages; labels come in the page's language.

Uses the theme, CJK font and phone-first layout of helpers.show.charts (CHART_WIDTH wide, no text under
MIN_FONT_PT, names wrapped).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D

from helpers.show import charts  # noqa: F401  (theme and CJK font)
from helpers.show.charts import MIN_FONT_PT, PALETTE, figure, names, pct_axis, title_of, wrap


def kinds_bars(table: pd.DataFrame, *, title: str, xlabel: str, rows_label: str, causes_label: str):
    """Horizontal bars per kind of check (`label`): checks not passed and the causes behind them."""
    table = table.iloc[::-1]
    shown = names(table, "label", 22)
    fig, ax = figure(0.3 * sum(n.count("\n") + 1 for n in shown) + 0.3 * len(table) + 1.6)
    y = range(len(table))
    ax.barh([i + 0.2 for i in y], table["not_passed"], height=0.4, color=PALETTE["budget"], label=rows_label)
    ax.barh([i - 0.2 for i in y], table["causes"], height=0.4, color=PALETTE["low"], label=causes_label)
    ax.set_yticks(list(y), shown)
    for container in ax.containers:
        ax.bar_label(container, fmt="%d", padding=3, fontsize=MIN_FONT_PT)
    ax.set_xlabel(wrap(xlabel, 44))
    title_of(ax, title)
    fig.legend(loc="outside lower center")
    return fig


def money_bars(table: pd.DataFrame, *, title: str, xlabel: str, severity_labels: dict[str, str]):
    """Horizontal bars of the 万元 at stake per cause (`label`, `at_stake`, `severity`), contradictions, doubtful
    figures and notes apart (colour and legend), largest first within each, on a log scale: 28,002 and 10 on one
    axis. Causes about rates, scores or counts carry no money and are not drawn."""
    table = table[table["at_stake"].notna() & (table["at_stake"] > 0)].iloc[::-1]
    colours = {"error": PALETTE["low"], "warning": PALETTE["rise"], "info": PALETTE["neutral"]}
    shown = names(table, "label", 22)
    fig, ax = figure(0.3 * sum(n.count("\n") + 1 for n in shown) + 0.2 * len(table) + 1.8)
    y = list(range(len(table)))
    bars = ax.barh(y, table["at_stake"], color=[colours[s] for s in table["severity"]], height=0.6)
    ax.bar_label(bars, labels=[f"{v:,.2f}" for v in table["at_stake"]], padding=3, fontsize=MIN_FONT_PT)
    ax.set_yticks(y, shown)
    ax.set_xscale("log")
    if len(table):
        ax.set_xlim(right=table["at_stake"].max() * 30)  # room for the largest bar's label
    ax.set_xlabel(wrap(xlabel, 44))
    title_of(ax, title)
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
    fig, ax = figure(4.6)
    low = shown["execution_rate"] < threshold
    ax.scatter(shown.loc[~low, "execution_rate"], shown.loc[~low, "total_score"], color=PALETTE["ok"], s=40)
    ax.scatter(shown.loc[low, "execution_rate"], shown.loc[low, "total_score"], color=PALETTE["low"], s=40)
    # the low ones are the story (the rest crowd at 100%); neighbours' names go above and below in turn
    ordered = shown[low].sort_values("execution_rate")
    for i, (name, row) in enumerate(zip(names(ordered, "project_name", 18), ordered.itertuples(), strict=True)):
        # a name of several lines grows away from its point: upwards above it, downwards below it
        ax.annotate(name, (row.execution_rate, row.total_score), fontsize=MIN_FONT_PT,
                    xytext=(4, 4 if i % 2 == 0 else -4), textcoords="offset points",
                    va="bottom" if i % 2 == 0 else "top")
    line = ax.axvline(threshold, color=PALETTE["neutral"], linestyle="--", linewidth=1)
    ax.xaxis.set_major_formatter(pct_axis)
    ax.set_xlabel(wrap(xlabel, 44))
    ax.set_ylabel(wrap(ylabel, 30))
    title_of(ax, title)
    # Under the axes, one block constrained layout keeps room for: the line's label (inside the axes it met the
    # names of the projects close to the line, which run across it) and the note naming the projects left off.
    handles, labels = [line], [threshold_label]
    for r in outliers.itertuples():
        handles.append(Line2D([], [], linestyle="none"))
        labels.append(wrap(outlier_label(r.project_name, r.execution_rate, r.total_score), 50))
    legend = fig.legend(handles, labels, loc="outside lower left", fontsize=MIN_FONT_PT, frameon=False)
    for text in legend.get_texts()[1:]:
        text.set_color(PALETTE["low"])
    return fig


def points_bars(table: pd.DataFrame, *, label: str, value: str, share: str, title: str, xlabel: str, unit: str):
    """Horizontal bars of points (not money) with each bar's points and share."""
    table = table.iloc[::-1]
    fig, ax = figure(0.55 * len(table) + 1.2)
    bars = ax.barh(names(table, label, 16), table[value], color=PALETTE["this_year"])
    ax.bar_label(bars, labels=[f"{v:,.0f} {unit} ({s:.0%})" for v, s in zip(table[value], table[share], strict=True)],
                 padding=3, fontsize=MIN_FONT_PT)
    ax.set_xlabel(wrap(xlabel, 44))
    title_of(ax, title)
    ax.set_xlim(0, table[value].max() * 1.6)
    return fig
