"""The close-price chart of a card (the digest heatmap lives in :mod:`formatting.heatmap`).

Every call builds its own :class:`~matplotlib.figure.Figure` on an Agg canvas (no pyplot, no
global ``rcParams`` changes), so rendering is safe from worker threads. Callers pass strings that
are already localised, and the currency of the closes: the price tag and the ticks are written by
:func:`formatting.numbers.price`, as the card's text writes its close. The same input gives the
same PNG bytes.

Layout is designed at 800 px wide and scales with ``width_px`` (the DPI is ``width_px / 8``), so
a 1600 px render is the same picture at twice the resolution.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, MaxNLocator

from formatting.colours import GREEN, RED
from formatting.fonts import cjk_font_properties, font_family
from formatting.heatmap import MAX_HEATMAP_ROWS, HeatmapRow, render_heatmap
from formatting.languages import Lang
from formatting.numbers import price
from formatting.plotting import (
    BASE_WIDTH_PX,
    BG,
    EDGE,
    GRID,
    INK,
    MUTED,
    fit_text,
    new_figure,
    plain,
    png_bytes,
)

#: Sessions before the as-of close that start each shaded window (SIGNALS.md: C[t-5], C[t-21]).
WINDOW_5D = 5
WINDOW_1M = 21

#: Regime tone (``signals.regimes.REGIME_TONE``) to line colour in the green-up convention:
#: red, amber, green (:func:`render_chart` takes the rise and fall colours of the server's).
TONE_COLOURS: dict[int, str] = {-1: RED, 0: "#b26a00", 1: GREEN}

#: The two windows differ in hue as well as depth, so they read apart at 400 px: the month a
#: pale blue, the last five sessions a warm sand.
_SHADE_1M = "#e3ecf7"
_SHADE_5D = "#f5e0bd"
#: Type sizes (points at 800 px wide), chosen to stay legible when shown 400 px wide.
_TICK_PT, _LEGEND_PT, _TITLE_PT, _FOOTER_PT, _TAG_PT = 12.0, 12.5, 17.0, 11.5, 12.5


@dataclass(frozen=True, kw_only=True)
class ChartLabels:
    """Localised strings drawn on a close chart."""

    title: str  # "IWM · defensive impulse" / "IWM · 防御动能" / both joined
    close: str  # legend of the price line: "Close" / "收盘价"
    window_5d: str  # "5D window" / "5日窗口"
    window_1m: str  # "1M window" / "1个月窗口"
    as_of: str  # "Data as of June 8, 2026 close", already formatted
    script: Lang = "zh"  # the Chinese the labels are written in: picks the CJK font face
    #: The currency of the closes (ISO 4217, Yahoo's ``GBp``; None: not reported, a bare number)
    #: and the language the price tag and ticks are written in, as the card's text writes them.
    currency: str | None = "USD"
    price_lang: Lang = "en"


def render_chart(
    closes: Sequence[tuple[date, float]],
    *,
    tone: int,
    labels: ChartLabels,
    up: str = GREEN,
    down: str = RED,
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
    colour = _tone_colour(tone, up=up, down=down)
    s = width_px / BASE_WIDTH_PX
    left, right, top, bottom = 74 * s, 104 * s, 84 * s, 78 * s
    if width_px < 320 or height_px < top + bottom + 80 * s:
        raise ValueError(f"chart size {width_px}x{height_px} px is too small")

    fig, dpi = new_figure(width_px, height_px)
    family = list(font_family(labels.script))
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
        handles.append(Patch(facecolor=_SHADE_1M, edgecolor=EDGE, lw=0.6))
        names.append(labels.window_1m)
    if n > WINDOW_5D:
        ax.axvspan(last_x - WINDOW_5D, last_x, color=_SHADE_5D, lw=0, zorder=0.1)
        handles.insert(1, Patch(facecolor=_SHADE_5D, edgecolor=EDGE, lw=0.6))
        names.insert(1, labels.window_5d)

    ax.axhline(last_y, color=colour, lw=0.8, ls=(0, (2, 3)), alpha=0.7, zorder=2)
    if n > 1:
        ax.plot(xs, ys, color=colour, lw=2.2, solid_joinstyle="round", zorder=3)
    ax.plot([last_x], [last_y], "o", ms=7, color=colour, mec=BG, mew=1.5, zorder=4, clip_on=False)
    tag = ax.annotate(
        plain(price(last_y, labels.price_lang, labels.currency)),
        xy=(1.0, last_y),
        xycoords=("axes fraction", "data"),
        xytext=(7, 0),
        textcoords="offset points",
        ha="left",
        va="center",
        fontsize=_TAG_PT,
        fontfamily=family,
        color=BG,
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
    ax.set_yticklabels(
        [plain(price(t, labels.price_lang, labels.currency, decimals=decimals)) for t in ticks]
    )
    positions = _date_positions(n)
    ax.xaxis.set_major_locator(FixedLocator(positions))
    ax.set_xticklabels([f"{points[i][0].month}/{points[i][0].day}" for i in positions])

    ax.set_facecolor(BG)
    ax.grid(axis="y", color=GRID, lw=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(EDGE)
    ax.tick_params(
        axis="both", labelsize=_TICK_PT, labelcolor=MUTED, labelfontfamily=family, length=0, pad=6
    )
    ax.tick_params(axis="x", length=3, color=EDGE)
    _room_for_prices(ax, tag, width_px, (left, right), s)

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
    title = _caption(
        fig, (title_x + 12 * s) / width_px, 1 - 28 * s / height_px, plain(labels.title),
        va="center", size=_TITLE_PT, family=family, color=INK,
    )  # fmt: skip
    fig.legend(
        handles,
        [plain(name) for name in names],
        loc="upper left",
        bbox_to_anchor=((title_x + 8 * s) / width_px, 1 - 52 * s / height_px),
        ncol=len(handles),
        frameon=False,
        prop=cjk_font_properties(_LEGEND_PT, labels.script),
        labelcolor=MUTED,
        handlelength=1.5,
        handleheight=0.8,
        columnspacing=1.6,
        borderaxespad=0,
        borderpad=0,
    )
    footer = _caption(
        fig, title_x / width_px, 8 * s / height_px, plain(labels.as_of),
        va="bottom", size=_FOOTER_PT, family=family, color=MUTED,
    )  # fmt: skip
    fit_text(title, width_px - title_x - 28 * s)
    fit_text(footer, width_px - 2 * title_x)
    return png_bytes(fig, dpi)


def _caption(
    fig: Figure,
    x: float,
    y: float,
    text: str,
    *,
    va: str,
    size: float,
    family: list[str],
    color: str,
) -> Text:
    """A left-aligned line of the figure (title, footer) at figure fraction (x, y)."""
    return fig.text(x, y, text, ha="left", va=va, fontsize=size, fontfamily=family, color=color)


def _tone_colour(tone: int, *, up: str = GREEN, down: str = RED) -> str:
    """The line colour of a regime tone in a convention (``up`` / ``down`` colours)."""
    if tone not in TONE_COLOURS:
        raise ValueError(f"tone must be -1, 0 or 1, not {tone!r}")
    return up if tone > 0 else down if tone < 0 else TONE_COLOURS[0]


def _room_for_prices(
    ax: Axes, tag: Text, width_px: int, margins: tuple[float, float], s: float
) -> None:
    """Narrow the plot when the widest price tick (``HK$316.5``, ``CN¥4.125``, ``¥32,500``) or the
    price tag need more than the (left, right) px designed for ``$281.65``: nothing is cut off."""
    widest = max((label.get_window_extent().width for label in ax.get_yticklabels()), default=0.0)
    left = max(margins[0], widest + 18 * s)  # the tick pad (6 pt) and a margin from the edge
    # the tag's offset (7 pt), its box's padding (0.35 em each side) and a margin from the edge
    right = max(margins[1], tag.get_window_extent().width + 32 * s)
    if (left, right) != margins:
        box = ax.get_position()
        ax.set_position((left / width_px, box.y0, 1 - (left + right) / width_px, box.height))


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


__all__ = [
    "MAX_HEATMAP_ROWS",
    "TONE_COLOURS",
    "ChartLabels",
    "HeatmapRow",
    "render_chart",
    "render_heatmap",
]
