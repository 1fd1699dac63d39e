"""Charts: one theme for every notebook, a CJK font for Chinese labels, and the story's chart types.

`use_theme()` runs on import. seaborn's `set_theme` resets matplotlib's font list, so the CJK
font (Noto Sans CJK SC, SIL Open Font License, shipped by the `mplfonts` package) is registered
after the theme, every time.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib import font_manager
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

CJK_FONT = "Noto Sans CJK SC"
PALETTE = {"this_year": "#1f5f8b", "prior_year": "#9bb7cc", "budget": "#c9d3dc", "executed": "#1f5f8b",
           "low": "#c0392b", "ok": "#1f5f8b", "neutral": "#7f8c8d"}


def cjk_font_path() -> Path:
    """Path of the Noto Sans CJK SC font file shipped by mplfonts."""
    import mplfonts

    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: reinstall with `make setup` (package mplfonts)")
    return path


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
               unit: str = "万元"):
    """Horizontal bars of parts of a whole, sorted, each labelled with its amount and share."""
    data = values.sort_values(value, ascending=False)
    fig, ax = plt.subplots(figsize=(7, 0.55 * len(data) + 1.2))
    sns.barplot(data, y=label, x=value, color=PALETTE["this_year"], ax=ax)
    total = data[value].sum()
    shares = data[share] if share else data[value] / total
    ax.bar_label(ax.containers[0], labels=[f"{v:,.2f} ({s:.1%})" if unit == "万元" else f"{v:,.0f} ({s:.1%})"
                                           for v, s in zip(data[value], shares)],
                 padding=3, fontsize=9)
    ax.set(title=title, xlabel=unit, ylabel="")
    ax.xaxis.set_major_formatter(wan_axis)
    ax.set_xlim(0, data[value].max() * 1.35 if len(data) else 1)
    return fig


def count_bars(values: pd.DataFrame, label: str, value: str, title: str, unit: str):
    """Horizontal bars of counts (vehicles by type, …)."""
    data = values.sort_values(value, ascending=False)
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(data) + 1.2))
    sns.barplot(data, y=label, x=value, color=PALETTE["this_year"], ax=ax)
    ax.bar_label(ax.containers[0], fmt="%d", padding=3, fontsize=9)
    ax.set(title=title, xlabel=unit, ylabel="")
    return fig


def budget_vs_executed(projects: pd.DataFrame, threshold: float, title: str):
    """Adjusted budget (grey) and executed amount (blue, red under `threshold`) for every project."""
    data = projects.sort_values("budget_adjusted")
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(data) + 1.5))
    y = range(len(data))
    ax.barh(y, data["budget_adjusted"], color=PALETTE["budget"], label="调整后预算数 adjusted budget")
    colors = [PALETTE["low"] if r < threshold else PALETTE["ok"] for r in data["execution_rate"]]
    ax.barh(y, data["executed"], height=0.45, color=colors, label="预算执行数 executed")
    for i, (executed, rate) in enumerate(zip(data["executed"], data["execution_rate"])):
        ax.text(max(executed, 0) + data["budget_adjusted"].max() * 0.01, i, f"{rate:.0%}", va="center", fontsize=8)
    ax.set_yticks(list(y), data["display_name"])
    ax.set(title=title, xlabel="万元")
    ax.xaxis.set_major_formatter(wan_axis)
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Patch(color=PALETTE["low"]))
    labels.append(f"executed below {threshold:.0%}")
    ax.legend(handles, labels, loc="lower right", fontsize=8)
    return fig


def scatter(data: pd.DataFrame, x: str, y: str, title: str, xlabel: str, ylabel: str, hue: str | None = None):
    fig, ax = plt.subplots(figsize=(7, 4.2))
    sns.scatterplot(data, x=x, y=y, hue=hue, s=70, ax=ax)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return fig
