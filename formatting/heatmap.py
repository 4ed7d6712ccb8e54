"""The watchlist heatmap of a digest: tickers x 1D / 5D / 1M, coloured by z-score, and the regime.

Callers pass localised strings; at most :data:`MAX_HEATMAP_ROWS` rows go in one image. The cell
colour is the move in sigmas (the fund's usual daily range scaled to the window), the cell text
the return; a legend under the grid says so in words, because the two differ (a +28% month of a
volatile fund can be paler than a +12% month of a calm one). Sizes are chosen so the picture
reads when Discord shows it about 400 px wide.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.collections import PatchCollection
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from formatting.colours import GREEN, RED
from formatting.fonts import font_family
from formatting.languages import Lang
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
_MIDDLE = "#eceff1"
#: Narrowest cell (px at 800 wide): room for "+11.67%" with a margin either side.
_MIN_COL = 118
#: Font sizes (points at 800 px wide): at a 400 px display the cell text is about 9 px high.
_CELL_PT, _LABEL_PT, _TITLE_PT, _LEGEND_PT = 15.0, 14.0, 17.0, 13.0


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
    regime: str = ""  # the regime label, shown in the last column ("" leaves it out)


def heat_colours(up: str = GREEN, down: str = RED) -> tuple[str, str, str]:
    """The colour ramp from -3σ to +3σ for a convention: fall colour, grey, rise colour."""
    return (down, _MIDDLE, up)


def render_heatmap(
    rows: Sequence[HeatmapRow],
    *,
    title: str,
    column_labels: tuple[str, str, str],
    regime_label: str = "",
    legend: str = "",
    up: str = GREEN,
    down: str = RED,
    width_px: int = 800,
    script: Lang = "zh",
) -> bytes:
    """Render a watchlist as a PNG: tickers down, 1D/5D/1M across, coloured by z-score.

    Colours run ``down`` (-3 sigma) through grey to ``up`` (+3 sigma), clipped; the cell text is
    the return as a percentage. With ``regime_label`` a last column shows each row's regime.
    ``legend`` (one line per language) is written under the grid, above the colour key. The
    height grows with the rows (38 px each at 800 px wide; 56 when a bilingual regime column is
    set on two lines to leave the cells room). At most :data:`MAX_HEATMAP_ROWS`
    rows fit in one image: more, or none, raises ValueError, so callers split a long watchlist.
    A NaN z-score is a grey cell, a NaN return "—".
    """
    n = len(rows)
    if n == 0:
        raise ValueError("a heatmap needs at least one row")
    if n > MAX_HEATMAP_ROWS:
        raise ValueError(f"{n} rows; at most {MAX_HEATMAP_ROWS} fit in one heatmap image")
    if width_px < 320:
        raise ValueError(f"heatmap width {width_px} px is too small")
    s = width_px / BASE_WIDTH_PX
    legend_lines = [line for line in legend.splitlines() if line.strip()]
    side = 16 * s
    probe_fig, _ = new_figure(width_px, 100)
    family = list(font_family(script))  # the face of the labels' Chinese script
    label_w = _text_column_px([r.ticker for r in rows], probe_fig, family, s, minimum=80)
    regimes = [r.regime for r in rows]
    regime_w = (
        _text_column_px([*regimes, regime_label], probe_fig, family, s, minimum=0)
        if regime_label
        else 0.0
    )
    # A bilingual regime column too wide to leave the cells room for "+11.67%": each language
    # on its own line (the column headers too), in taller rows.
    stacked = bool(regime_label) and width_px - 2 * side - label_w - regime_w < 3 * _MIN_COL * s
    if stacked:
        regimes = [_stack(r) for r in regimes]
        regime_label = _stack(regime_label)
        column_labels = (
            _stack(column_labels[0]), _stack(column_labels[1]), _stack(column_labels[2])
        )  # fmt: skip
        regime_w = _text_column_px([*regimes, regime_label], probe_fig, family, s, minimum=0)
    lines = max(name.count("\n") + 1 for name in (*column_labels, regime_label))
    row_h = (56 if stacked else 38) * s
    top = (96 + 22 * (lines - 1)) * s
    bottom = (64 + 26 * len(legend_lines)) * s
    height_px = round(top + n * row_h + bottom)

    fig, dpi = new_figure(width_px, height_px)
    grid_left = side + label_w
    cells_w = min(width_px - grid_left - side - regime_w, 3 * 170 * s)
    col_w = cells_w / 3
    ax = fig.add_axes(
        (grid_left / width_px, bottom / height_px, cells_w / width_px, n * row_h / height_px)
    )
    ax.set_xlim(0, 3)
    ax.set_ylim(n, 0)
    ax.set_axis_off()

    cmap = LinearSegmentedColormap.from_list("signalbot_diverging", heat_colours(up, down))
    norm = Normalize(vmin=-Z_CLIP, vmax=Z_CLIP, clip=True)
    gap_x, gap_y = 2 * s / col_w, 2 * s / row_h
    boxes: list[Rectangle] = []
    fills: list[str | tuple[float, float, float, float]] = []
    text: dict[str, Any] = {"va": "center_baseline", "fontfamily": family}
    for i, row in enumerate(rows):
        cells = ((row.z_1d, row.r_1d), (row.z_5d, row.r_5d), (row.z_1m, row.r_1m))
        for j, (z, r) in enumerate(cells):
            fill = cmap(norm(z)) if math.isfinite(z) else _NO_DATA
            boxes.append(Rectangle((j + gap_x, i + gap_y), 1 - 2 * gap_x, 1 - 2 * gap_y))
            fills.append(fill)
            ax.text(
                j + 0.5, i + 0.5, percent(r), ha="center", fontsize=_CELL_PT,
                color=text_on(fill), **text,
            )  # fmt: skip
        ax.text(
            -10 * s / col_w, i + 0.5, plain(row.ticker), ha="right", fontsize=_CELL_PT,
            color=INK, **text,
        )  # fmt: skip
        if regime_label:
            ax.text(
                3 + 12 * s / col_w, i + 0.5, plain(regimes[i]), ha="left", fontsize=_LABEL_PT,
                color=INK, linespacing=1.15, **text,
            )  # fmt: skip
    # One collection instead of a patch per cell: add_patch costs ~1 ms each.
    ax.add_collection(PatchCollection(boxes, facecolors=fills, linewidths=0), autolim=False)
    headers = [(j + 0.5, name, "center") for j, name in enumerate(column_labels)]
    if regime_label:
        headers.append((3 + 12 * s / col_w, regime_label, "left"))
    for x, name, align in headers:
        ax.text(
            x, -10 * s / row_h, plain(name), ha=align, va="bottom", fontsize=_LABEL_PT,
            fontfamily=family, color=MUTED, linespacing=1.15, multialignment=align,
        )  # fmt: skip

    title_text = fig.text(
        side / width_px, 1 - 30 * s / height_px, plain(title), ha="left", va="center",
        fontsize=_TITLE_PT, fontfamily=family, color=INK,
    )  # fmt: skip
    fit_text(title_text, width_px - 2 * side)
    for k, line in enumerate(legend_lines):
        note = fig.text(
            side / width_px, (bottom - (14 + 26 * k) * s) / height_px, plain(line), ha="left",
            va="top", fontsize=_LEGEND_PT, fontfamily=family, color=MUTED,
        )  # fmt: skip
        fit_text(note, width_px - 2 * side)
    _colour_key(fig, cmap, family, width_px, height_px, s)
    return png_bytes(fig, dpi)


def _stack(text: str) -> str:
    """``English / 中文`` as two lines."""
    return text.replace(" / ", "\n")


def _text_column_px(
    texts: Sequence[str], fig: Figure, family: list[str], s: float, *, minimum: float
) -> float:
    """Width of a text column: the widest text plus a gap, at least ``minimum`` px at 800 wide."""
    probe = fig.text(0, 0, "", fontsize=_CELL_PT, fontfamily=family, linespacing=1.15)
    widest = 0.0
    for value in texts:
        probe.set_text(plain(value))
        widest = max(widest, float(probe.get_window_extent().width))
    probe.remove()
    return max(minimum * s, widest + 24 * s)


def _colour_key(
    fig: Figure,
    cmap: LinearSegmentedColormap,
    family: list[str],
    width_px: int,
    height_px: int,
    s: float,
) -> None:
    """A gradient bar at the bottom left with −3σ, 0 and +3σ under it."""
    key_w, key_h, side = 260 * s, 12 * s, 16 * s
    left = side + 24 * s  # room for the "−3σ" label centred under the bar's left end
    key = fig.add_axes((left / width_px, 32 * s / height_px, key_w / width_px, key_h / height_px))
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
        axis="x", length=0, pad=3, labelsize=_LEGEND_PT, labelcolor=MUTED, labelfontfamily=family
    )
    for spine in key.spines.values():
        spine.set_visible(False)
