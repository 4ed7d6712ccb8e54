"""Chart PNGs: the close-price chart of a card and the watchlist heatmap of a digest.

Every call builds its own :class:`~matplotlib.figure.Figure` on an Agg canvas (no pyplot, no
global ``rcParams`` changes), so rendering is safe from worker threads. Callers pass strings that
are already localised; this module looks nothing up. The same input gives the same PNG bytes.

Layout is designed at 800 px wide and scales with ``width_px`` (the DPI is ``width_px / 8``), so
a 1600 px render is the same picture at twice the resolution.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, MaxNLocator

from formatting.fonts import cjk_font_properties, font_family

#: Sessions before the as-of close that start each shaded window (SIGNALS.md: C[t-5], C[t-21]).
WINDOW_5D = 5
WINDOW_1M = 21
#: Most rows in one heatmap image; callers split longer watchlists into several images.
MAX_HEATMAP_ROWS = 60
#: Heatmap colours are clipped to this many sigmas either side of zero.
Z_CLIP = 3.0

#: Regime tone (``signals.regimes.REGIME_TONE``) to line colour: red, amber, green.
TONE_COLOURS: dict[int, str] = {-1: "#c62828", 0: "#b26a00", 1: "#2e7d32"}

_BASE_WIDTH_PX = 800.0
_BASE_WIDTH_IN = 8.0
_BG = "#ffffff"
_INK = "#1f2937"
_MUTED = "#6b7280"
_GRID = "#e5e7eb"
_EDGE = "#cbd5e1"
_SHADE_1M = "#eef2f7"
_SHADE_5D = "#d5dfeb"
_NO_DATA = "#f3f4f6"
_HEAT_COLOURS = ("#c62828", "#eceff1", "#2e7d32")
_PNG_METADATA: dict[str, str | None] = {"Software": None}


@dataclass(frozen=True, kw_only=True)
class ChartLabels:
    """Localised strings drawn on a close chart."""

    title: str  # "IWM · defensive impulse" / "IWM · 防御动能" / both joined
    close: str  # legend of the price line: "Close" / "收盘价"
    window_5d: str  # "5D window" / "5日窗口"
    window_1m: str  # "1M window" / "1个月窗口"
    as_of: str  # "Data as of June 8, 2026 close", already formatted


@dataclass(frozen=True, kw_only=True)
class HeatmapRow:
    """One watchlist ticker: z-scores colour the cells, returns (fractions) are the cell text."""

    ticker: str
    z_1d: float
    z_5d: float
    z_1m: float
    r_1d: float
    r_5d: float
    r_1m: float


def render_chart(
    closes: Sequence[tuple[date, float]],
    *,
    tone: int,
    labels: ChartLabels,
    width_px: int = 800,
    height_px: int = 450,
) -> bytes:
    """Render about three months of closes (oldest first, last = as-of session) as a PNG.

    NaN, infinite and non-positive closes are dropped; sessions are positions among the rest, so
    the 1M window is the last 22 closes (C[t-21]..C[t]) and the 5D window the last 6 (C[t-5]..C[t]).
    A window that does not fit in the history is not drawn. Raises ValueError when no close is
    left, for a tone outside -1/0/+1, or for a size too small to lay out.
    """
    points = [(d, float(v)) for d, v in closes if math.isfinite(v) and v > 0]
    if not points:
        raise ValueError("no closes to chart")
    colour = _tone_colour(tone)
    s = width_px / _BASE_WIDTH_PX
    left, right, top, bottom = 62 * s, 92 * s, 74 * s, 50 * s
    if width_px < 320 or height_px < top + bottom + 80 * s:
        raise ValueError(f"chart size {width_px}x{height_px} px is too small")

    fig, dpi = _figure(width_px, height_px)
    family = list(font_family())
    ax = fig.add_axes(
        (
            left / width_px,
            bottom / height_px,
            1 - (left + right) / width_px,
            1 - (top + bottom) / height_px,
        )
    )
    n = len(points)
    xs = np.arange(n, dtype=float)
    ys = np.array([v for _, v in points])
    last_x, last_y = xs[-1], ys[-1]

    handles: list[Line2D | Patch] = [Line2D([], [], color=colour, lw=2.2)]
    names = [labels.close]
    if n > WINDOW_1M:
        ax.axvspan(last_x - WINDOW_1M, last_x, color=_SHADE_1M, lw=0, zorder=0)
        handles.append(Patch(facecolor=_SHADE_1M, edgecolor=_EDGE, lw=0.6))
        names.append(labels.window_1m)
    if n > WINDOW_5D:
        ax.axvspan(last_x - WINDOW_5D, last_x, color=_SHADE_5D, lw=0, zorder=0.1)
        handles.insert(1, Patch(facecolor=_SHADE_5D, edgecolor=_EDGE, lw=0.6))
        names.insert(1, labels.window_5d)

    ax.axhline(last_y, color=colour, lw=0.8, ls=(0, (2, 3)), alpha=0.7, zorder=2)
    if n > 1:
        ax.plot(xs, ys, color=colour, lw=2.2, solid_joinstyle="round", zorder=3)
    ax.plot([last_x], [last_y], "o", ms=7, color=colour, mec=_BG, mew=1.5, zorder=4, clip_on=False)
    ax.annotate(
        _plain(_dollars(last_y, 2)),
        xy=(1.0, last_y),
        xycoords=("axes fraction", "data"),
        xytext=(7, 0),
        textcoords="offset points",
        ha="left",
        va="center",
        fontsize=10,
        fontfamily=family,
        color=_BG,
        bbox={"boxstyle": "round,pad=0.35", "fc": colour, "ec": "none"},
        annotation_clip=False,
        zorder=5,
    )

    pad = max(0.6, n * 0.012)
    ax.set_xlim(-pad, last_x + pad)
    lo, hi = _price_limits(ys)
    ax.set_ylim(lo, hi)
    locator = MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10], min_n_ticks=4)
    ticks = [float(t) for t in locator.tick_values(lo, hi) if lo <= t <= hi]
    decimals = _decimals(ticks)
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.set_yticklabels([_plain(_dollars(t, decimals)) for t in ticks])
    positions = _date_positions(n)
    ax.xaxis.set_major_locator(FixedLocator(positions))
    ax.set_xticklabels([f"{points[i][0].month}/{points[i][0].day}" for i in positions])

    ax.set_facecolor(_BG)
    ax.grid(axis="y", color=_GRID, lw=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(_EDGE)
    ax.tick_params(
        axis="both", labelsize=9, labelcolor=_MUTED, labelfontfamily=family, length=0, pad=6
    )
    ax.tick_params(axis="x", length=3, color=_EDGE)

    title_x = 16 * s
    fig.add_artist(
        Rectangle(
            (title_x / width_px, 1 - 40 * s / height_px),
            4 * s / width_px,
            24 * s / height_px,
            transform=fig.transFigure,
            color=colour,
            lw=0,
        )
    )
    title = fig.text(
        (title_x + 12 * s) / width_px,
        1 - 28 * s / height_px,
        _plain(labels.title),
        ha="left",
        va="center",
        fontsize=14,
        fontfamily=family,
        color=_INK,
    )
    fig.legend(
        handles,
        [_plain(name) for name in names],
        loc="upper left",
        bbox_to_anchor=((title_x + 8 * s) / width_px, 1 - 48 * s / height_px),
        ncol=len(handles),
        frameon=False,
        prop=cjk_font_properties(9),
        labelcolor=_MUTED,
        handlelength=1.5,
        handleheight=0.8,
        columnspacing=1.6,
        borderaxespad=0,
        borderpad=0,
    )
    fig.text(
        title_x / width_px,
        10 * s / height_px,
        _plain(labels.as_of),
        ha="left",
        va="bottom",
        fontsize=8.5,
        fontfamily=family,
        color=_MUTED,
    )
    _fit(title, width_px - title_x - 28 * s)
    return _png(fig, dpi)


def render_heatmap(
    rows: Sequence[HeatmapRow],
    *,
    title: str,
    column_labels: tuple[str, str, str],
    width_px: int = 800,
) -> bytes:
    """Render a watchlist as a PNG: tickers down, 1D/5D/1M across, coloured by z-score.

    Colours run red (-3 sigma) through grey to green (+3 sigma), clipped; the cell text is the
    return as a percentage. The height grows with the rows (26 px each at 800 px wide). At most
    :data:`MAX_HEATMAP_ROWS` rows fit in one image: more, or none, raises ValueError, so callers
    split a long watchlist into several images. A NaN z-score is a grey cell, a NaN return "—".
    """
    n = len(rows)
    if n == 0:
        raise ValueError("a heatmap needs at least one row")
    if n > MAX_HEATMAP_ROWS:
        raise ValueError(f"{n} rows; at most {MAX_HEATMAP_ROWS} fit in one heatmap image")
    if width_px < 320:
        raise ValueError(f"heatmap width {width_px} px is too small")
    s = width_px / _BASE_WIDTH_PX
    row_h, top, bottom, side = 26 * s, 80 * s, 50 * s, 16 * s
    height_px = round(top + n * row_h + bottom)

    fig, dpi = _figure(width_px, height_px)
    family = list(font_family())
    label_w = _ticker_column_px(rows, fig, family, s)
    grid_left = side + label_w
    ax = fig.add_axes(
        (
            grid_left / width_px,
            bottom / height_px,
            (width_px - grid_left - side) / width_px,
            n * row_h / height_px,
        )
    )
    ax.set_xlim(0, 3)
    ax.set_ylim(n, 0)
    ax.set_axis_off()

    cmap = LinearSegmentedColormap.from_list("signalbot_diverging", _HEAT_COLOURS)
    norm = Normalize(vmin=-Z_CLIP, vmax=Z_CLIP, clip=True)
    col_w = (width_px - grid_left - side) / 3
    gap_x, gap_y = 1.5 * s / col_w, 1.5 * s / row_h
    boxes: list[Rectangle] = []
    fills: list[str | tuple[float, float, float, float]] = []
    for i, row in enumerate(rows):
        cells = ((row.z_1d, row.r_1d), (row.z_5d, row.r_5d), (row.z_1m, row.r_1m))
        for j, (z, r) in enumerate(cells):
            fill = cmap(norm(z)) if math.isfinite(z) else _NO_DATA
            boxes.append(Rectangle((j + gap_x, i + gap_y), 1 - 2 * gap_x, 1 - 2 * gap_y))
            fills.append(fill)
            ax.text(
                j + 0.5,
                i + 0.5,
                _percent(r),
                ha="center",
                va="center_baseline",
                fontsize=10,
                fontfamily=family,
                color=_text_on(fill),
            )
        ax.text(
            -8 * s / col_w,
            i + 0.5,
            _plain(row.ticker),
            ha="right",
            va="center_baseline",
            fontsize=10,
            fontfamily=family,
            color=_INK,
        )
    # One collection instead of a patch per cell: add_patch costs ~1 ms each.
    ax.add_collection(PatchCollection(boxes, facecolors=fills, linewidths=0), autolim=False)
    for j, name in enumerate(column_labels):
        ax.text(
            j + 0.5,
            -8 * s / row_h,
            _plain(name),
            ha="center",
            va="bottom",
            fontsize=10,
            fontfamily=family,
            color=_MUTED,
        )

    title_text = fig.text(
        side / width_px,
        1 - 26 * s / height_px,
        _plain(title),
        ha="left",
        va="center",
        fontsize=14,
        fontfamily=family,
        color=_INK,
    )
    _fit(title_text, width_px - 2 * side)
    _colour_key(fig, cmap, family, width_px, height_px, s)
    return _png(fig, dpi)


def _figure(width_px: int, height_px: int) -> tuple[Figure, float]:
    """A white figure of exactly ``width_px`` x ``height_px`` on its own Agg canvas."""
    dpi = width_px / _BASE_WIDTH_IN
    fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi, facecolor=_BG)
    FigureCanvasAgg(fig)
    return fig, dpi


def _png(fig: Figure, dpi: float) -> bytes:
    """The figure as PNG bytes, without the software tag, so equal input gives equal bytes."""
    buffer = BytesIO()
    fig.savefig(
        buffer,
        format="png",
        dpi=dpi,
        facecolor=_BG,
        edgecolor=_BG,
        bbox_inches=None,
        metadata=_PNG_METADATA,
    )
    return buffer.getvalue()


def _tone_colour(tone: int) -> str:
    """The line colour of a regime tone."""
    try:
        return TONE_COLOURS[tone]
    except KeyError:
        raise ValueError(f"tone must be -1, 0 or 1, not {tone!r}") from None


def _plain(text: str) -> str:
    """Escape dollar signs so matplotlib never parses caller text as mathtext."""
    return text.replace("$", r"\$")


def _dollars(value: float, decimals: int) -> str:
    """A price with a dollar sign and thousands separators: ``$281.65``."""
    return f"${value:,.{decimals}f}"


def _percent(fraction: float) -> str:
    """A return as SIGNALS.md shows it: ``-3.55%``, ``+0.40%``, ``0.00%``; ``—`` when unknown."""
    if not math.isfinite(fraction):
        return "—"
    value = round(fraction * 100, 2)
    return "0.00%" if value == 0 else f"{value:+.2f}%"


def _price_limits(ys: np.ndarray) -> tuple[float, float]:
    """Y limits with headroom; a flat series gets a band of about 2% around its price."""
    lo, hi = float(ys.min()), float(ys.max())
    span = hi - lo
    if span <= abs(hi) * 1e-9:
        half = max(abs(hi) * 0.01, 0.01)
        return lo - half, hi + half
    return lo - 0.12 * span, hi + 0.12 * span


def _decimals(ticks: Sequence[float]) -> int:
    """Fewest decimals (0 to 4) that print every tick exactly enough to tell them apart."""
    if len(ticks) < 2:
        return 2
    step = min(b - a for a, b in itertools.pairwise(ticks))
    for decimals in range(5):
        scaled = step * 10**decimals
        if abs(scaled - round(scaled)) < 1e-6 * max(1.0, scaled):
            return decimals
    return 4


def _date_positions(n: int) -> list[int]:
    """About six session positions to label, always including the last (the as-of session)."""
    step = max(1, math.ceil((n - 1) / 6))
    return sorted(range(n - 1, -1, -step))


def _fit(text: Text, max_px: float) -> None:
    """Shrink ``text`` (down to 9 pt), then cut it with an ellipsis, until it is ``max_px`` wide."""

    def width() -> float:
        return float(text.get_window_extent().width)

    size = float(text.get_fontsize())
    while width() > max_px and size > 9:
        size -= 0.5
        text.set_fontsize(size)
    full = text.get_text()
    cut = len(full)
    while width() > max_px and cut > 1:
        cut -= 1
        text.set_text(full[:cut].rstrip() + "…")


def _text_on(fill: str | tuple[float, float, float, float]) -> str:
    """White text on a dark cell, ink on a light one."""
    if isinstance(fill, str):
        return _INK
    red, green, blue = fill[:3]
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return _BG if luminance < 0.5 else _INK


def _ticker_column_px(
    rows: Sequence[HeatmapRow], fig: Figure, family: list[str], s: float
) -> float:
    """Width of the ticker column: the widest ticker plus a gap, at least 72 px at 800 wide."""
    probe = fig.text(0, 0, "", fontsize=10, fontfamily=family)
    widest = 0.0
    for row in rows:
        probe.set_text(_plain(row.ticker))
        widest = max(widest, float(probe.get_window_extent().width))
    probe.remove()
    return max(72 * s, widest + 20 * s)


def _colour_key(
    fig: Figure,
    cmap: LinearSegmentedColormap,
    family: list[str],
    width_px: int,
    height_px: int,
    s: float,
) -> None:
    """A small gradient bar at the bottom right with -3σ, 0 and +3σ under it."""
    key_w, key_h, side = 180 * s, 8 * s, 16 * s
    key = fig.add_axes(
        (
            (width_px - side - key_w) / width_px,
            24 * s / height_px,
            key_w / width_px,
            key_h / height_px,
        )
    )
    key.imshow(
        np.linspace(-Z_CLIP, Z_CLIP, 256).reshape(1, -1),
        cmap=cmap,
        vmin=-Z_CLIP,
        vmax=Z_CLIP,
        aspect="auto",
        extent=(-Z_CLIP, Z_CLIP, 0, 1),
        interpolation="nearest",
    )
    key.set_yticks([])
    key.set_xticks([-Z_CLIP, 0, Z_CLIP])
    key.set_xticklabels([f"−{Z_CLIP:g}σ", "0", f"+{Z_CLIP:g}σ"])
    key.tick_params(
        axis="x", length=0, pad=3, labelsize=8, labelcolor=_MUTED, labelfontfamily=family
    )
    for spine in key.spines.values():
        spine.set_visible(False)
