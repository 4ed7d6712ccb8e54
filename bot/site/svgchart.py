"""A card's chart for the research pages as SVG: the closes of about three months, the 5D and
1M windows shaded, price ticks in the fund's currency (``HK$25.5``, written by
:func:`formatting.numbers.price` as the card's text writes its close) and a few dates. No words
of any language (the page's heading and the image's text alternative say what it is), so one
drawing serves every language that shares a colour convention; an SVG of a few kilobytes, made
in well under a millisecond, sharp at any width (the PNG chart, drawn by matplotlib, stays the
chat's)."""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

from formatting.card import Card
from formatting.colours import ColourScheme, resolve
from formatting.numbers import price
from signals.regimes import REGIME_TONE

W, H = 800, 450
LEFT, RIGHT, TOP, BOTTOM = 96, 24, 24, 56
#: Width of a tick's character at the phone's font size (30 px), in drawing units: the left margin
#: grows past ``LEFT`` for a long tick (``HK$345.5``, ``¥30,500``) so none is cut off.
PHONE_CHAR = 20
#: On a phone the drawing is shrunk to under half its size: its labels are drawn larger there
#: (a media query inside an SVG image answers to the image's own width).
STYLE = "<style>@media (max-width: 520px) { text { font-size: 30px; } }</style>"
MUTED = "#6b7280"
#: Sessions in each shaded window (SIGNALS.md: C[t-5]..C[t] and C[t-21]..C[t]).
WINDOWS = ((22, 0.08), (6, 0.16))


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    raw = (high - low) / max(count - 1, 1) or 1.0
    step = 10 ** math.floor(math.log10(raw))
    step *= next(m for m in (1, 2, 2.5, 5, 10) if step * m >= raw)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step) + 1)]


def _decimals(ticks: list[float]) -> int:
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    return max(0, min(4, -math.floor(math.log10(step)) + (1 if step < 1 else 0)))


def chart_svg(card: Card, scheme: ColourScheme) -> str:
    """The SVG of ``card``'s chart in the colours of ``scheme``."""
    points = [(d, v) for d, v in card.closes if math.isfinite(v) and v > 0]
    if not points:
        raise ValueError("no closes to chart")
    colour = resolve(scheme, "en").for_tone(REGIME_TONE[card.signal.regime])
    values = [v for _, v in points]
    low, high = min(values), max(values)
    pad = (high - low) * 0.08 or high * 0.01
    low, high = low - pad, high + pad
    n = len(points)
    ticks = [v for v in _ticks(low, high) if low <= v <= high]
    places = _decimals(ticks)
    marks = [escape(price(v, "en", card.signal.currency, decimals=places)) for v in ticks]
    left = max([LEFT] + [16 + PHONE_CHAR * len(mark) for mark in marks])

    def x(i: float) -> float:
        return left + (W - left - RIGHT) * (i / max(n - 1, 1))

    def y(v: float) -> float:
        return TOP + (H - TOP - BOTTOM) * (1 - (v - low) / (high - low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" '
        f'height="{H}" font-family="system-ui, sans-serif" font-size="16">',
        STYLE,
    ]
    for size, opacity in WINDOWS:
        if n >= size:
            x0 = x(n - size)
            parts.append(
                f'<rect x="{x0:.1f}" y="{TOP}" width="{x(n - 1) - x0:.1f}" '
                f'height="{H - TOP - BOTTOM}" fill="{colour}" fill-opacity="{opacity}"/>'
            )
    for v, mark in zip(ticks, marks, strict=True):
        parts.append(
            f'<line x1="{left}" x2="{W - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
            f'stroke="{MUTED}" stroke-opacity="0.25"/>'
            f'<text x="{left - 8}" y="{y(v) + 5:.1f}" text-anchor="end" fill="{MUTED}">'
            f"{mark}</text>"
        )
    for i in sorted({0, n // 2, n - 1}):
        anchor = "start" if i == 0 else "end" if i == n - 1 else "middle"
        parts.append(
            f'<text x="{x(i):.1f}" y="{H - 12}" text-anchor="{anchor}" fill="{MUTED}">'
            f"{escape(points[i][0].isoformat())}</text>"
        )
    line = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, (_, v) in enumerate(points))
    parts.append(
        f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2.5" '
        'stroke-linejoin="round"/>'
        f'<circle cx="{x(n - 1):.1f}" cy="{y(values[-1]):.1f}" r="5" fill="{colour}"/>'
    )
    parts.append("</svg>")
    return "".join(parts) + "\n"
