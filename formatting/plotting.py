"""Shared pieces of the PNG renderers: figure set-up, PNG bytes, colours, text fitting.

Every figure is built on its own Agg canvas (no pyplot, no global ``rcParams``), so rendering is
safe from worker threads, and PNGs carry no software tag, so equal input gives equal bytes.
"""

from __future__ import annotations

import math
from io import BytesIO

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from formatting.numbers import pct

BASE_WIDTH_PX = 800.0
BASE_WIDTH_IN = 8.0
BG = "#ffffff"
INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"
EDGE = "#cbd5e1"
PNG_METADATA: dict[str, str | None] = {"Software": None}


def new_figure(width_px: int, height_px: int) -> tuple[Figure, float]:
    """A white figure of exactly ``width_px`` x ``height_px`` on its own Agg canvas."""
    dpi = width_px / BASE_WIDTH_IN
    fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi, facecolor=BG)
    FigureCanvasAgg(fig)
    return fig, dpi


def png_bytes(fig: Figure, dpi: float) -> bytes:
    """The figure as PNG bytes, without the software tag, so equal input gives equal bytes."""
    buffer = BytesIO()
    fig.savefig(
        buffer,
        format="png",
        dpi=dpi,
        facecolor=BG,
        edgecolor=BG,
        bbox_inches=None,
        metadata=PNG_METADATA,
    )
    return buffer.getvalue()


def plain(text: str) -> str:
    """Escape dollar signs so matplotlib never parses caller text as mathtext."""
    return text.replace("$", r"\$")


def percent(fraction: float) -> str:
    """A return as SIGNALS.md shows it (``-3.55%``); ``—`` when unknown."""
    return pct(fraction, "en") if math.isfinite(fraction) else "—"


def fit_text(text: Text, max_px: float, *, min_pt: float = 9.0) -> None:
    """Shrink ``text`` (down to ``min_pt``), then cut it with an ellipsis, until it is ``max_px``
    wide."""

    def width() -> float:
        return float(text.get_window_extent().width)

    size = float(text.get_fontsize())
    while width() > max_px and size > min_pt:
        size -= 0.5
        text.set_fontsize(size)
    full = text.get_text()
    cut = len(full)
    while width() > max_px and cut > 1:
        cut -= 1
        text.set_text(full[:cut].rstrip() + "…")


def text_on(fill: str | tuple[float, float, float, float]) -> str:
    """White text on a dark cell, ink on a light one."""
    if isinstance(fill, str):
        return INK
    red, green, blue = fill[:3]
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return BG if luminance < 0.5 else INK
