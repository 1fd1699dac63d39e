"""Charts: one theme for every notebook, a CJK font for Chinese labels, and the story's chart types.

`use_theme()` runs on import. seaborn's `set_theme` resets matplotlib's font list, so the CJK
font (Noto Sans CJK SC, SIL Open Font License, shipped by the `mplfonts` package) is registered
after the theme, every time.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib import font_manager
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from helpers.paths import cjk_font_path
from helpers.story import fmt

CJK_FONT = "Noto Sans CJK SC"
PALETTE = {"this_year": "#1f5f8b", "prior_year": "#9bb7cc", "budget": "#c9d3dc", "executed": "#1f5f8b",
           "low": "#c0392b", "ok": "#1f5f8b", "neutral": "#7f8c8d", "rise": "#d68910"}


def use_theme() -> None:
    """Set the seaborn theme, then register the CJK font so Chinese labels render."""
    sns.set_theme(style="whitegrid", context="notebook")
    path = cjk_font_path()
    if CJK_FONT not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(path))
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.sans-serif"] = [CJK_FONT, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False  # the CJK font has no U+2212 glyph
    plt.rcParams["figure.dpi"] = 96
    plt.rcParams["savefig.bbox"] = "tight"


use_theme()

wan_axis = FuncFormatter(lambda x, _: f"{x:,.0f}")
pct_axis = FuncFormatter(lambda x, _: f"{x:.0%}")


def _label_bars(ax, fmt: str = "{:,.2f}") -> None:
    for container in ax.containers:
        ax.bar_label(container, labels=[fmt.format(v) if v == v else "" for v in container.datavalues],
                     padding=3, fontsize=9)


def change_bars(prior_year: int, prior: float, year: int, current: float, title: str, change_label: str,
                unit: str = "万元"):
    """A small waterfall: last year's bar, the change as a floating bar (red for a fall), this year's bar."""
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    colour = PALETTE["low"] if current < prior else PALETTE["rise"]
    x = [str(prior_year), textwrap.fill(change_label, 22, break_long_words=True), str(year)]
    bars = ax.bar(x, [prior, abs(current - prior), current], bottom=[0, min(prior, current), 0],
                  color=[PALETTE["prior_year"], colour, PALETTE["this_year"]], width=0.6)
    for bar, value in zip(bars, (prior, None, current), strict=True):
        if value is not None:
            ax.text(bar.get_x() + bar.get_width() / 2, value, f"{value:,.2f}", ha="center", va="bottom", fontsize=9)
    ax.plot([0.3, 0.7], [prior, prior], color=PALETTE["neutral"], lw=0.8, ls=":")
    ax.plot([1.3, 1.7], [current, current], color=PALETTE["neutral"], lw=0.8, ls=":")
    ax.set(title=title, xlabel="", ylabel=unit)
    top = max(prior, current)
    ax.set_ylim(0, top * 1.12 if top else 1)
    ax.yaxis.set_major_formatter(wan_axis)
    ax.tick_params(axis="x", labelsize=9)
    for label in ax.get_xticklabels()[1:2]:
        label.set_color(colour)
    return fig


def year_comparison(values: pd.DataFrame, title: str, value_label: str = "万元"):
    """Bars of one or more measures for two years. `values`: columns measure, year, value."""
    fig, ax = plt.subplots(figsize=(7, 3.6))
    order = sorted(values["year"].unique())
    palette = [PALETTE["prior_year"], PALETTE["this_year"]][-len(order):]
    sns.barplot(values, x="measure", y="value", hue="year", hue_order=order, palette=palette, ax=ax)
    _label_bars(ax)
    ax.set(title=title, xlabel="", ylabel=value_label)
    ax.yaxis.set_major_formatter(wan_axis)
    ax.legend(title="")
    return fig


def share_bars(values: pd.DataFrame, label: str, value: str, title: str, share: str | None = None,
               unit: str = "万元", computed: str | None = None, differs: str | None = None,
               computed_word: str = "computed"):
    """Horizontal bars of parts of a whole, sorted, each labelled with its amount and share.

    `share` names the column of printed shares; where the boolean column `differs` is true, the
    computed share (column `computed`) is added in brackets, labelled with `computed_word`.
    """
    data = values.sort_values(value, ascending=False)
    fig, ax = plt.subplots(figsize=(7, 0.55 * len(data) + 1.2))
    sns.barplot(data, y=label, x=value, color=PALETTE["this_year"], ax=ax)
    shares = data[share] if share else data[value] / data[value].sum()
    texts = []
    for i, (v, s) in enumerate(zip(data[value], shares, strict=True)):
        text = f"{v:,.2f} ({fmt.pct_as_printed(s) if share else fmt.rate(s)}"
        if computed and differs and bool(data[differs].iloc[i]):
            text += f"; {computed_word} {fmt.pct(data[computed].iloc[i])}"
        texts.append(text + ")")
    ax.bar_label(ax.containers[0], labels=texts, padding=3, fontsize=9)
    ax.set(title=title, xlabel=unit, ylabel="")
    ax.xaxis.set_major_formatter(wan_axis)
    ax.set_xlim(0, data[value].max() * 1.6 if len(data) else 1)
    return fig


def count_bars(values: pd.DataFrame, label: str, value: str, title: str, unit: str):
    """Horizontal bars of counts (vehicles by type, …)."""
    data = values.sort_values(value, ascending=False)
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(data) + 1.2))
    sns.barplot(data, y=label, x=value, color=PALETTE["this_year"], ax=ax)
    ax.bar_label(ax.containers[0], fmt="%d", padding=3, fontsize=9)
    ax.set(title=title, xlabel=unit, ylabel="")
    return fig


def budget_vs_executed(projects: pd.DataFrame, threshold: float, title: str, label: str = "project_name",
                       budget_label: str = "adjusted budget", executed_label: str = "executed",
                       below_label: str = "executed below threshold", unit: str = "万元"):
    """Adjusted budget (grey) and executed amount (blue, red under `threshold`) for every project.

    Each bar carries its computed rate as `fmt.rate` writes it (99.53% stays 99.5%, never 100%);
    a project that spent nothing gets a red mark at zero so it does not vanish.
    """
    data = projects.dropna(subset=["execution_rate"]).sort_values("budget_adjusted")
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(data) + 1.5))
    y = list(range(len(data)))
    ax.barh(y, data["budget_adjusted"], color=PALETTE["budget"], label=budget_label)
    colors = [PALETTE["low"] if r < threshold else PALETTE["ok"] for r in data["execution_rate"]]
    ax.barh(y, data["executed"], height=0.45, color=colors, label=executed_label)
    width = data["budget_adjusted"].max() if len(data) else 1
    for i, (executed, rate) in enumerate(zip(data["executed"], data["execution_rate"], strict=True)):
        if executed <= 0:
            ax.plot([0], [i], marker="|", markersize=14, color=PALETTE["low"], markeredgewidth=3)
        ax.text(max(executed, 0) + width * 0.01, i, fmt.rate(rate), va="center", fontsize=8)
    ax.set_yticks(y, data[label])
    ax.set(title=title, xlabel=unit)
    ax.xaxis.set_major_formatter(wan_axis)
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Patch(color=PALETTE["low"]))
    labels.append(below_label)
    ax.legend(handles, labels, loc="lower right", fontsize=8)
    return fig


def trend_lines(values: pd.DataFrame, x: str, columns: dict[str, str], title: str, unit: str = "万元"):
    """One line per column of `values` over `x` (years); `columns` maps column -> legend label."""
    fig, ax = plt.subplots(figsize=(7, 3.8))
    for column, label in columns.items():
        ax.plot(values[x].astype(str), values[column], marker="o", label=label)
        for xv, yv in zip(values[x].astype(str), values[column], strict=True):
            ax.annotate(f"{yv:,.2f}", (xv, yv), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8)
    ax.set(title=title, xlabel="", ylabel=unit)
    ax.yaxis.set_major_formatter(wan_axis)
    ax.legend(fontsize=8)
    return fig


def scatter(data: pd.DataFrame, x: str, y: str, title: str, xlabel: str, ylabel: str, hue: str | None = None):
    fig, ax = plt.subplots(figsize=(7, 4.2))
    sns.scatterplot(data, x=x, y=y, hue=hue, s=70, ax=ax)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return fig


def unit_bars(values: pd.DataFrame, label: str, value: str, title: str, unit: str = "万元", as_rate: bool = False):
    """Horizontal bars, one per unit, largest first, each labelled with its amount (or rate). Rows without a value
    are left out: the page says which units do not report it."""
    data = values.dropna(subset=[value]).sort_values(value, ascending=False)
    fig, ax = plt.subplots(figsize=(7, 0.55 * len(data) + 1.2))
    sns.barplot(data, y=label, x=value, color=PALETTE["this_year"], ax=ax)
    texts = [fmt.rate(v) if as_rate else f"{v:,.2f}" for v in data[value]]
    if ax.containers:
        ax.bar_label(ax.containers[0], labels=texts, padding=3, fontsize=9)
    ax.set(title=title, xlabel=unit, ylabel="")
    if not as_rate:
        ax.xaxis.set_major_formatter(wan_axis)
    ax.set_xlim(0, (data[value].max() * 1.4 if len(data) and data[value].max() > 0 else 1))
    return fig
