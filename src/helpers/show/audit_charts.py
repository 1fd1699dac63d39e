"""Charts of the audit (05) and self-evaluation (06) pages; labels come in the page's language.

Uses the theme, CJK font and phone-first layout of helpers.show.charts (CHART_WIDTH wide, no text under
MIN_FONT_PT, names wrapped).
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox

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
    legend = _note(fig, handles, labels)
    # the low ones are the story (the rest crowd at 100%): each is named where its name reads as its point's
    ordered = shown[low].sort_values("execution_rate")
    if ordered.empty:
        return fig
    limits = ax.get_ylim()
    if _name_points(fig, ax, ordered, shown, threshold):
        return _laid_out(fig)
    # No place for every name: the points are numbered and their names listed under the axes, in that order.
    ax.set_ylim(*limits)
    legend.remove()
    key = [f"{i}  {name}" for i, name in enumerate(names(ordered, "project_name", 50), 1)]
    _note(fig, handles + [Line2D([], [], linestyle="none")] * len(key), labels + key, key=len(key))
    numbered = ordered.assign(number=[str(i) for i in range(1, len(ordered) + 1)])
    # projects at the same rate and score share one point: its label lists their numbers
    at = numbered.groupby(["execution_rate", "total_score"], sort=False)
    spots = at.head(1).assign(number=at["number"].transform(", ".join))
    _name_points(fig, ax, spots, shown, threshold, spots["number"].tolist())
    return _laid_out(fig)


def _laid_out(fig):
    """`fig` as _name_points laid it out: that layout is final (the names take no part in it), so drawing it does
    not run constrained layout once more (the same image, one layout pass less)."""
    fig.set_layout_engine("none")
    return fig


def _note(fig, handles, labels, key: int = 0):
    """The block under the axes: the line, the projects left off (in red) and `key` numbered names (last)."""
    legend = fig.legend(handles, labels, loc="outside lower left", fontsize=MIN_FONT_PT, frameon=False)
    for text in legend.get_texts()[1:len(labels) - key]:
        text.set_color(PALETTE["low"])
    return legend


# Where a point's name may go, in order of preference: (x, y) offset in points and the text's alignment.
_PLACES = [((4, 4), "left", "bottom"), ((4, -4), "left", "top"), ((-4, 4), "right", "bottom"),
           ((-4, -4), "right", "top"), ((6, 0), "left", "center"), ((-6, 0), "right", "center"),
           ((0, 6), "center", "bottom"), ((0, -6), "center", "top")]
_MARKER_PT = 3.5  # half the side of the square a scatter marker (s=40: 6.3 points across) is kept clear in, points


def _name_points(fig, ax, ordered: pd.DataFrame, shown: pd.DataFrame, line_x: float,
                 numbers: list[str] | None = None) -> bool:
    """Name the points of `ordered` (execution_rate, total_score, project_name), each at a place of _PLACES where
    its name stays inside the axes, meets no other name, no point of `shown` and not the line at `line_x`, and
    starts nearer its own point than any other. Names are wrapped at the narrowest of _NAME_WIDTHS that lets every
    one find such a place; the y-axis gains room at each end if none does (_ROOM_STEPS). The layout is fixed
    first (the names take no part in it), so what is measured here is what is drawn. Whether every name found its
    place; with `numbers`, those short labels are placed instead, and where even they find none each stays at the
    first place (the key under the axes still names it)."""
    fig.get_layout_engine().execute(fig)
    points = list(zip(shown["execution_rate"], shown["total_score"], strict=True))
    bottom, top = ax.get_ylim()
    for room in range(_ROOM_STEPS):
        if room:  # a tenth of the scores' range more at each end: room for names above the top and below the bottom
            ax.set_ylim(bottom - room * (top - bottom) / 10, top + room * (top - bottom) / 10)
            fig.get_layout_engine().execute(fig)
        for width in _NAME_WIDTHS[:1] if numbers else _NAME_WIDTHS:
            for text in list(ax.texts):
                text.remove()
            labels = numbers or names(ordered, "project_name", width)
            for x, y, label in zip(ordered["execution_rate"], ordered["total_score"], labels, strict=True):
                ax.annotate(label, (x, y), xytext=_PLACES[0][0], fontsize=MIN_FONT_PT,
                            textcoords="offset points").set_in_layout(False)
            if _place_names(fig, ax, points, line_x):
                return True
    return False  # every label left at the first place, where _place_names measured it


# Name widths tried, in columns (a Chinese character is two): narrow names first, wider ones take fewer lines.
_NAME_WIDTHS = (18, 34)
_ROOM_STEPS = 3  # the scores' own range, then one and two tenths more at each end
_SEARCH_STEPS = 20_000  # places tried in all before the names are numbered instead


def _place_names(fig, ax, points, line_x: float) -> bool:
    """Place every name of `ax` (see _name_points) as the axes are now laid out: the first choice of places, in
    _PLACES' order name by name, where no two names meet (a name that cannot go anywhere sends the one before it to
    its next place), searched for at most _SEARCH_STEPS steps. Whether every name has its place."""
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    scale = fig.dpi / 72  # display units per point
    pad = _MARKER_PT * scale
    centres = [tuple(c) for c in ax.transData.transform(points)]
    markers = [Bbox.from_extents(px - pad, py - pad, px + pad, py + pad) for px, py in centres]
    line = ax.transData.transform((line_x, 0))[0]
    texts = list(ax.texts)
    options: list[list[tuple[int, Bbox]]] = []  # for each name, the places clear of the edge, line and markers
    for text in texts:
        # measured once; the places only move the box (an unrotated text's size does not depend on its alignment)
        _put(text, _PLACES[0])
        size = text.get_window_extent(renderer)
        px, py = tuple(ax.transData.transform(text.xy))
        # every point but this name's own (another at the same place too: then no name reads as either's)
        others = list(centres)
        del others[min(range(len(others)), key=lambda k: math.dist(others[k], (px, py)))]
        clear = []
        for i, ((dx, dy), ha, va) in enumerate(_PLACES):
            sx, sy = px + dx * scale, py + dy * scale  # where the name starts: its corner or edge by its point
            x = sx - {"left": 0, "center": size.width / 2, "right": size.width}[ha]
            y = sy - {"bottom": 0, "center": size.height / 2, "top": size.height}[va]
            box = Bbox.from_bounds(x, y, size.width, size.height)
            # a name is read as the name of the point nearest to where it starts: that must be its own point,
            # nearer by half a marker than any other
            own = math.hypot(sx - px, sy - py)
            if (frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
                    and not box.x0 <= line <= box.x1 and not any(box.overlaps(m) for m in markers)
                    and all(math.hypot(sx - qx, sy - qy) > own + pad for qx, qy in others)):
                clear.append((i, box))
        if not clear:
            return False
        options.append(clear)
    chosen: list[tuple[int, Bbox]] = []
    tried = [0] * len(texts)  # the next option to try, name by name
    for _ in range(_SEARCH_STEPS):
        n = len(chosen)
        if n == len(texts):
            break
        for k in range(tried[n], len(options[n])):
            box = options[n][k][1]
            if not any(box.overlaps(other) for _, other in chosen):
                chosen.append(options[n][k])
                tried[n] = k + 1
                break
        else:
            if n == 0:
                return False
            tried[n] = 0
            chosen.pop()
    if len(chosen) < len(texts):  # the steps ran out
        return False
    for text, (i, _) in zip(texts, chosen, strict=True):
        _put(text, _PLACES[i])
    return True


def _put(text, place) -> None:
    offset, ha, va = place
    text.set_position(offset)
    text.set_horizontalalignment(ha)
    text.set_verticalalignment(va)


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
