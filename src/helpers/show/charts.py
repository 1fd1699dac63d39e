"""Charts: one theme for every notebook, a CJK font for Chinese labels, and the story's chart types.

Laid out for a phone first: every chart is CHART_WIDTH inches wide (about 460 px) with no text under
MIN_FONT_PT, names wrapped onto several lines (`wrap`), bars horizontal where there are many names, so that
shrunk to a 390 px screen its smallest text is still about 10 px. Names are in the page's language
(`use_language`, set by helpers.show.page.Page): an English page shows the English gloss of a name where
data/names/ has one (the frame's `*_en` column), the name as printed otherwise.

`use_theme()` runs on import. seaborn's `set_theme` resets matplotlib's font list, so the CJK
font (Noto Sans CJK SC, SIL Open Font License, shipped by the `mplfonts` package) is registered
after the theme, every time.
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib import font_manager
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from helpers.data.load import gloss_column
from helpers.paths import cjk_font_path
from helpers.story import fmt

CHART_DPI = 96      # pixels per inch of the PNGs (72 points per inch: a 10 pt label is 13.3 px at full size)
CHART_WIDTH = 4.8   # inches: 461 px
MIN_FONT_PT = 10    # the smallest text of any chart: 13 px at full size, over 9 px on a 390 px screen
_LANGUAGE = ["zh"]


def use_language(lang: str) -> None:
    """Name things in `lang` in the charts drawn from now on (the page's language)."""
    _LANGUAGE[0] = lang


def _is_wide(char: str) -> bool:
    return "\u2e80" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef" or "\u3000" <= char <= "\u303f"


_TOKENS = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]|[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+\s*|\s+")


OPENING, CLOSING = "(（《“‘[【", ")）》”’]】,，.。、:：;；!！?？%"
SHORT_BRACKET = 10  # columns: a bracketed word up to this wide is never broken
# an opening bracket, what follows it up to the first closing bracket or mark, and the marks right after that
_BRACKETED = re.compile(f"[{re.escape(OPENING)}][^\\s{re.escape(OPENING + CLOSING)}]*[{re.escape(CLOSING)}]+")


def _columns(text: str) -> int:
    return sum(2 if _is_wide(c) else 1 for c in text)


def _tokens(text: str, width: int) -> list[str]:
    """The pieces a line may break between: words (one longer than a line cut into lines), single Chinese
    characters, and short bracketed words whole ((万元), not (万 / 元)); an opening bracket joined to what follows
    it and a closing bracket or mark to what precedes it, so that no line ends in "(" or starts with ")"."""
    pieces, done = [], 0
    for short in (m for m in _BRACKETED.finditer(text) if _columns(m.group()) <= SHORT_BRACKET):
        pieces += [*_TOKENS.findall(text[done:short.start()]), short.group()]
        done = short.end()
    pieces += _TOKENS.findall(text[done:])
    pieces = [cut for piece in pieces for cut in ([piece[i:i + width] for i in range(0, len(piece), width)]
                                                  if len(piece) > width else [piece])]
    bound: list[str] = []
    for piece in pieces:
        core = piece.strip()
        joins_previous = core and all(c in CLOSING for c in core)
        after_opening = bound and bound[-1].strip() and all(c in OPENING for c in bound[-1])
        if bound and (joins_previous or after_opening):
            bound[-1] += piece
        else:
            bound.append(piece)
    return bound


def wrap(text: str, width: int = 22) -> str:
    """`text` on lines of at most `width` columns (a Chinese character counts two), broken between words or
    between Chinese characters: a long project name becomes two or three short lines beside its bar."""
    lines, line, used = [], "", 0
    for token in _tokens(str(text), width):
        size = _columns(token.rstrip())
        if used + size > width and line.strip():
            lines.append(line.rstrip())
            line, used = "", 0
            token = token.lstrip()
        line += token
        used += len(token) - len(token.rstrip()) + size
    line = line.rstrip()
    # no Chinese character alone on the last line (道路交通组织优化项 / 目): the one before it goes down too, with
    # the closing marks after it (so that no line starts with one) and not away from an opening bracket
    if lines and len(line) == 1 and _is_wide(line):
        before = lines[-1]
        k = len(before) - 1
        while k > 0 and before[k] in CLOSING:
            k -= 1
        if k > 0 and _is_wide(before[k]) and before[k] not in CLOSING and before[k - 1] not in OPENING:
            lines[-1], line = before[:k], before[k:] + line
    return "\n".join([*lines, line])


def names(data: pd.DataFrame, column: str, width: int = 22) -> list[str]:
    """The names of `column` for the chart, wrapped, in the page's language: on a non-Chinese page the English
    gloss where the frame has one (the column `helpers.data.load.gloss_column` names: name_en for project_name,
    class_en for class_zh, indicator_en for indicator), else the name as printed."""
    shown = [str(v) for v in data[column]]
    if _LANGUAGE[0] != "zh":
        gloss = gloss_column(column)
        if gloss in data.columns:
            shown = [str(g) if isinstance(g, str) and g else n for g, n in zip(data[gloss], shown, strict=True)]
    return [wrap(n, width) for n in shown]


def title_of(ax, text: str) -> None:
    """`text` as the chart's title, wrapped, centred on the figure (not on the axes, which long names push to the
    right: centred on them, a long title ran out of the figure) in the room constrained layout keeps for it."""
    ax.figure.suptitle(wrap(text, 44), fontsize=plt.rcParams["axes.titlesize"])


def figure(height: float):
    """A figure CHART_WIDTH wide whose labels are laid out inside it (so a phone shrinks it no further)."""
    return plt.subplots(figsize=(CHART_WIDTH, height), layout="constrained")


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
    plt.rcParams["figure.dpi"] = CHART_DPI
    # Every chart is laid out by constrained layout, which keeps each label inside the figure: saved as it stands
    # (not cut to its contents, which costs a second layout of every label), a chart is drawn once.
    plt.rcParams["savefig.bbox"] = "standard"
    for key in ("font.size", "axes.labelsize", "xtick.labelsize", "ytick.labelsize", "legend.fontsize",
                "legend.title_fontsize"):
        plt.rcParams[key] = MIN_FONT_PT
    plt.rcParams["axes.titlesize"] = MIN_FONT_PT + 2


use_theme()

wan_axis = FuncFormatter(lambda x, _: f"{x:,.0f}")
pct_axis = FuncFormatter(lambda x, _: f"{x:.0%}")


def _label_bars(ax, fmt: str = "{:,.2f}") -> None:
    for container in ax.containers:
        ax.bar_label(container, labels=[fmt.format(v) if v == v else "" for v in container.datavalues],
                     padding=3, fontsize=MIN_FONT_PT)


def change_bars(prior_year: int, prior: float, year: int, current: float, title: str, change_label: str,
                unit: str = "万元"):
    """A small waterfall: last year's bar, the change as a floating bar (red for a fall), this year's bar."""
    fig, ax = figure(3.8)
    colour = PALETTE["low"] if current < prior else PALETTE["rise"]
    x = [str(prior_year), wrap(change_label, 16), str(year)]
    bars = ax.bar(x, [prior, abs(current - prior), current], bottom=[0, min(prior, current), 0],
                  color=[PALETTE["prior_year"], colour, PALETTE["this_year"]], width=0.6)
    for bar, value in zip(bars, (prior, None, current), strict=True):
        if value is not None:
            ax.text(bar.get_x() + bar.get_width() / 2, value, f"{value:,.2f}", ha="center", va="bottom",
                    fontsize=MIN_FONT_PT)
    ax.plot([0.3, 0.7], [prior, prior], color=PALETTE["neutral"], lw=0.8, ls=":")
    ax.plot([1.3, 1.7], [current, current], color=PALETTE["neutral"], lw=0.8, ls=":")
    ax.set(xlabel="", ylabel=unit)
    title_of(ax, title)
    top = max(prior, current)
    ax.set_ylim(0, top * 1.12 if top else 1)
    ax.yaxis.set_major_formatter(wan_axis)
    ax.tick_params(axis="x", labelsize=MIN_FONT_PT)
    for label in ax.get_xticklabels()[1:2]:
        label.set_color(colour)
    return fig


def year_comparison(values: pd.DataFrame, title: str, value_label: str = "万元"):
    """Bars of one or more measures for two years. `values`: columns measure, year, value."""
    fig, ax = figure(3.6)
    values = values.assign(measure=[wrap(m, 14) for m in values["measure"]])
    order = sorted(values["year"].unique())
    palette = [PALETTE["prior_year"], PALETTE["this_year"]][-len(order):]
    sns.barplot(values, x="measure", y="value", hue="year", hue_order=order, palette=palette, ax=ax)
    _label_bars(ax)
    ax.set(xlabel="", ylabel=value_label)
    title_of(ax, title)
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
    data = data.assign(**{label: names(data, label, 16)})
    fig, ax = figure(0.6 * sum(n.count("\n") + 1 for n in data[label]) + 1.4)
    sns.barplot(data, y=label, x=value, color=PALETTE["this_year"], ax=ax)
    shares = data[share] if share else data[value] / data[value].sum()
    texts = []
    for i, (v, s) in enumerate(zip(data[value], shares, strict=True)):
        text = f"{v:,.2f} ({fmt.pct_as_printed(s) if share else fmt.rate(s)}"
        if computed and differs and bool(data[differs].iloc[i]):
            text += f";\n{computed_word} {fmt.pct(data[computed].iloc[i])}"
        texts.append(text + ")")
    ax.bar_label(ax.containers[0], labels=texts, padding=3, fontsize=MIN_FONT_PT)
    ax.set(xlabel=unit, ylabel="")
    title_of(ax, title)
    ax.xaxis.set_major_formatter(wan_axis)
    ax.xaxis.set_major_locator(MaxNLocator(3))
    ax.set_xlim(0, data[value].max() * 2.1 if len(data) else 1)
    return fig


def count_bars(values: pd.DataFrame, label: str, value: str, title: str, unit: str):
    """Horizontal bars of counts (vehicles by type, …)."""
    data = values.sort_values(value, ascending=False)
    data = data.assign(**{label: names(data, label, 16)})
    fig, ax = figure(0.5 * len(data) + 1.2)
    sns.barplot(data, y=label, x=value, color=PALETTE["this_year"], ax=ax)
    ax.bar_label(ax.containers[0], fmt="%d", padding=3, fontsize=MIN_FONT_PT)
    ax.set(xlabel=unit, ylabel="")
    title_of(ax, title)
    return fig


def budget_vs_executed(projects: pd.DataFrame, threshold: float, title: str, label: str = "project_name",
                       budget_label: str = "adjusted budget", executed_label: str = "executed",
                       below_label: str = "executed below threshold", unit: str = "万元"):
    """Adjusted budget (grey) and executed amount (blue, red under `threshold`) for every project.

    Each bar carries its computed rate as `fmt.rate` writes it (99.53% stays 99.5%, never 100%);
    a project that spent nothing gets a red mark at zero so it does not vanish.
    """
    data = projects.dropna(subset=["execution_rate"]).sort_values("budget_adjusted")
    shown = names(data, label, 18)
    fig, ax = figure(0.3 * sum(n.count("\n") + 1 for n in shown) + 0.2 * len(data) + 1.6)
    y = list(range(len(data)))
    ax.barh(y, data["budget_adjusted"], color=PALETTE["budget"], label=budget_label)
    colors = [PALETTE["low"] if r < threshold else PALETTE["ok"] for r in data["execution_rate"]]
    ax.barh(y, data["executed"], height=0.45, color=colors, label=executed_label)
    width = data["budget_adjusted"].max() if len(data) else 1
    for i, (executed, rate) in enumerate(zip(data["executed"], data["execution_rate"], strict=True)):
        if executed <= 0:
            ax.plot([0], [i], marker="|", markersize=14, color=PALETTE["low"], markeredgewidth=3)
        ax.text(max(executed, 0) + width * 0.01, i, fmt.rate(rate), va="center", fontsize=MIN_FONT_PT)
    ax.set_yticks(y, shown)
    ax.set(xlabel=unit)
    title_of(ax, title)
    ax.xaxis.set_major_formatter(wan_axis)
    ax.xaxis.set_major_locator(MaxNLocator(3))
    ax.set_xlim(0, width * 1.25)
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Patch(color=PALETTE["low"]))
    labels.append(below_label)
    # below the chart, not over the bars: the chart is narrow
    fig.legend(handles, [wrap(t, 40) for t in labels], loc="outside lower center", fontsize=MIN_FONT_PT, ncols=1)
    return fig


def trend_lines(values: pd.DataFrame, x: str, columns: dict[str, str], title: str, unit: str = "万元"):
    """One line per column of `values` over `x` (years); `columns` maps column -> legend label."""
    fig, ax = figure(3.8)
    years = values[x].astype(str)
    for column, label in columns.items():
        ax.plot(years, values[column], marker="o", label=label)
    # each year's values labelled apart from one another: the highest above its point, the lowest below, any
    # between them to its right (two close values, 8,814.42 and 8,396.90, overprinted when all went above)
    for i, year in enumerate(years):
        shown = sorted((v, c) for c in columns if (v := values[c].iloc[i]) == v)
        for rank, (value, _) in enumerate(shown):
            place = ("above" if rank == len(shown) - 1 else "below" if rank == 0 else "right")
            offset, align = {"above": ((0, 6), dict(ha="center", va="bottom")),
                             "below": ((0, -6), dict(ha="center", va="top")),
                             "right": ((7, 0), dict(ha="left", va="center"))}[place]
            ax.annotate(f"{value:,.2f}", (year, value), textcoords="offset points", xytext=offset,
                        fontsize=MIN_FONT_PT, **align)
    ax.set(xlabel="", ylabel=unit)
    title_of(ax, title)
    ax.yaxis.set_major_formatter(wan_axis)
    ax.legend(fontsize=MIN_FONT_PT)
    return fig


def scatter(data: pd.DataFrame, x: str, y: str, title: str, xlabel: str, ylabel: str, hue: str | None = None):
    fig, ax = figure(4.2)
    sns.scatterplot(data, x=x, y=y, hue=hue, s=70, ax=ax)
    ax.set(xlabel=xlabel, ylabel=ylabel)
    title_of(ax, title)
    return fig


# The most units a chart of units draws: the largest so many (the page's table lists every unit). At 500 units a bar
# each made a chart 300 inches tall that no reader could use, and most of the comparison page's memory.
MOST_UNITS = 30


def unit_bars(values: pd.DataFrame, label: str, value: str, title: str, unit: str = "万元", as_rate: bool = False):
    """Horizontal bars, one per unit, largest first (the MOST_UNITS largest), each labelled with its amount (or
    rate). Rows without a value are left out: the page says which units do not report it."""
    data = values.dropna(subset=[value]).sort_values(value, ascending=False).head(MOST_UNITS)
    data = data.assign(**{label: names(data, label, 16)})
    fig, ax = figure(0.6 * sum(n.count("\n") + 1 for n in data[label]) + 1.2)
    sns.barplot(data, y=label, x=value, color=PALETTE["this_year"], ax=ax)
    texts = [fmt.rate(v) if as_rate else f"{v:,.2f}" for v in data[value]]
    if ax.containers:
        ax.bar_label(ax.containers[0], labels=texts, padding=3, fontsize=MIN_FONT_PT)
    ax.set(xlabel=unit, ylabel="")
    title_of(ax, title)
    ax.xaxis.set_major_locator(MaxNLocator(3))
    if not as_rate:
        ax.xaxis.set_major_formatter(wan_axis)
    ax.set_xlim(0, (data[value].max() * 1.6 if len(data) and data[value].max() > 0 else 1))
    return fig
