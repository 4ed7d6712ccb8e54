"""The watchlist heatmap of a digest: tickers x 1D / 5D / 1M, coloured by z-score.

Callers pass localised strings; at most :data:`MAX_HEATMAP_ROWS` rows go in one image.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.collections import PatchCollection
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from formatting.fonts import font_family
from formatting.plotting import (
    BASE_WIDTH_PX,
    INK,
    MUTED,
    fit_text,
    new_figure,
    percent,
    plain,
    png_bytes,
    text_on,
)

#: Most rows in one heatmap image; callers split longer watchlists into several images.
MAX_HEATMAP_ROWS = 60
#: Heatmap colours are clipped to this many sigmas either side of zero.
Z_CLIP = 3.0
_NO_DATA = "#f3f4f6"
_HEAT_COLOURS = ("#c62828", "#eceff1", "#2e7d32")


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
    s = width_px / BASE_WIDTH_PX
    row_h, top, bottom, side = 26 * s, 80 * s, 50 * s, 16 * s
    height_px = round(top + n * row_h + bottom)

    fig, dpi = new_figure(width_px, height_px)
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
                percent(r),
                ha="center",
                va="center_baseline",
                fontsize=10,
                fontfamily=family,
                color=text_on(fill),
            )
        ax.text(
            -8 * s / col_w,
            i + 0.5,
            plain(row.ticker),
            ha="right",
            va="center_baseline",
            fontsize=10,
            fontfamily=family,
            color=INK,
        )
    # One collection instead of a patch per cell: add_patch costs ~1 ms each.
    ax.add_collection(PatchCollection(boxes, facecolors=fills, linewidths=0), autolim=False)
    for j, name in enumerate(column_labels):
        ax.text(
            j + 0.5,
            -8 * s / row_h,
            plain(name),
            ha="center",
            va="bottom",
            fontsize=10,
            fontfamily=family,
            color=MUTED,
        )

    title_text = fig.text(
        side / width_px,
        1 - 26 * s / height_px,
        plain(title),
        ha="left",
        va="center",
        fontsize=14,
        fontfamily=family,
        color=INK,
    )
    fit_text(title_text, width_px - 2 * side)
    _colour_key(fig, cmap, family, width_px, height_px, s)
    return png_bytes(fig, dpi)


def _ticker_column_px(
    rows: Sequence[HeatmapRow], fig: Figure, family: list[str], s: float
) -> float:
    """Width of the ticker column: the widest ticker plus a gap, at least 72 px at 800 wide."""
    probe = fig.text(0, 0, "", fontsize=10, fontfamily=family)
    widest = 0.0
    for row in rows:
        probe.set_text(plain(row.ticker))
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
        axis="x", length=0, pad=3, labelsize=8, labelcolor=MUTED, labelfontfamily=family
    )
    for spine in key.spines.values():
        spine.set_visible(False)
