"""The 1200×630 preview image of a card page (``og:image``): the card's essentials drawn large
enough to read in a chat's link preview (Discord, Slack and Telegram show OpenGraph images).

Drawn with Pillow (a few milliseconds; matplotlib took a tenth of a second per image, and a
session writes one per fund and language) in Noto Sans CJK: the Simplified face for English and
Simplified Chinese, the Traditional (Taiwan) face for Traditional Chinese. Without the font
package, Pillow's own font draws the Latin text.
"""

from __future__ import annotations

import io
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from formatting.card import Card
from formatting.colours import resolve
from formatting.languages import Lang
from formatting.plotting import INK, MUTED
from formatting.text import card_text

WIDTH, HEIGHT = 1200, 630
ARROW = {1: "▲", -1: "▼", 0: "–"}
#: The face of the Noto Sans CJK collection for each language (JP 0, KR 1, SC 2, TC 3, HK 4).
FACE: dict[Lang, int] = {"en": 2, "zh": 2, "zh-hant": 3, "zh-hk": 4}
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _font(lang: Lang, size: int) -> Font:
    try:
        import noto_cjk

        return ImageFont.truetype(noto_cjk.otc_path("sans"), size, index=FACE[lang])
    except (ImportError, OSError, RuntimeError):
        return ImageFont.load_default(size)


def preview_png(card: Card, lang: Lang) -> bytes:
    """The preview of ``card`` in ``lang`` (blocking: call it off the event loop)."""
    text = card_text(card, lang)
    palette = resolve(None, lang)
    image = Image.new("RGB", (WIDTH, HEIGHT), "#ffffff")
    draw = ImageDraw.Draw(image)

    def put(x: float, y: float, words: str, size: int, colour: str) -> None:
        room = WIDTH - x - 60
        font = _font(lang, size)
        while draw.textlength(words, font=font) > room and size > 12:
            size -= 2
            font = _font(lang, size)
        draw.text((x, y), words, font=font, fill=colour)

    tone = palette.for_tone(text.tone)
    put(60, 50, f"{text.kicker} · {text.tracks}" if text.tracks else text.kicker, 30, MUTED)
    put(60, 100, text.ticker, 84, INK)
    put(60, 210, f"{ARROW[text.tone]} {text.regime_label}", 60, tone)
    put(60, 300, f"{text.price_label} {text.price}", 44, INK)
    x = 60.0
    for label, value in text.returns:  # the shown (rounded) sign decides colour and arrow
        up, down = value.startswith("+"), value.startswith("-")
        colour = palette.up if up else palette.down if down else palette.flat
        sign = "▲" if up else "▼" if down else "–"
        put(x, 380, label, 30, MUTED)
        put(x, 420, f"{sign} {value}", 44, colour)
        x += 360
    put(60, 540, text.as_of, 28, MUTED)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)  # fast: the encoding is most of the cost
    return out.getvalue()
