"""The 1200×630 preview image of a card page (``og:image``): the card's essentials drawn large
enough to read in a chat's link preview (Discord, Slack and Telegram show OpenGraph images)."""

from __future__ import annotations

from formatting.card import Card
from formatting.colours import resolve
from formatting.fonts import font_family
from formatting.languages import Lang
from formatting.plotting import INK, MUTED, fit_text, new_figure, plain, png_bytes
from formatting.text import card_text

WIDTH, HEIGHT = 1200, 630
ARROW = {1: "▲", -1: "▼", 0: "–"}


def preview_png(card: Card, lang: Lang) -> bytes:
    """The preview of ``card`` in ``lang`` (blocking: call it off the event loop)."""
    text = card_text(card, lang)
    palette = resolve(None, lang)
    fig, dpi = new_figure(WIDTH, HEIGHT)
    family = list(font_family())
    px = 72 / dpi  # points per pixel at this figure's dpi

    def put(x: float, y: float, words: str, size_px: float, **kw: object) -> None:
        drawn = fig.text(
            x / WIDTH,
            1 - y / HEIGHT,
            plain(words),
            fontsize=size_px * px,
            family=family,
            va="top",
            **kw,  # type: ignore[arg-type]
        )
        fit_text(drawn, WIDTH - x - 60)

    tone = palette.for_tone(text.tone)
    put(60, 50, f"{text.kicker} · {text.tracks}" if text.tracks else text.kicker, 30, color=MUTED)
    put(60, 100, text.ticker, 84, color=INK)
    put(60, 210, f"{ARROW[text.tone]} {text.regime_label}", 60, color=tone)
    put(60, 300, f"{text.price_label} {text.price}", 44, color=INK)
    x = 60.0
    for label, value in text.returns:  # the shown (rounded) sign decides colour and arrow
        up, down = value.startswith("+"), value.startswith("-")
        colour = palette.up if up else palette.down if down else palette.flat
        sign = "▲" if up else "▼" if down else "–"
        put(x, 380, label, 30, color=MUTED)
        put(x, 420, f"{sign} {value}", 44, color=colour)
        x += 360
    put(60, 540, text.as_of, 28, color=MUTED)
    return png_bytes(fig, dpi)
