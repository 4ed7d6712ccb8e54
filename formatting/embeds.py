"""Cards as Discord message bodies (embeds), within every Discord limit, markup escaped."""

from __future__ import annotations

import re
from typing import Any

from formatting.card import Card, Language, languages
from formatting.colours import ColourScheme, Palette, resolve, rgb_int
from formatting.text import CardText, card_text

JSON = dict[str, Any]

# Discord limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
MAX_EMBEDS = 10
MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER = 2048
MAX_AUTHOR_NAME = 256
MAX_TOTAL_CHARS = 6000  # across every embed of one message
MAX_CONTENT = 2000

#: A field needs a name; this one shows nothing.
BLANK = "\u200b"
ELLIPSIS = "…"

_MD_ANYWHERE = re.compile(r"([\\*_~|`\[\]<])")
_MD_LINE_START = re.compile(r"^(\s*)(>(?:>>)?\s|#|-#|[-+*]\s|\d+\.\s)", re.MULTILINE)
_MENTION = re.compile(r"@(everyone|here|[!&]?\d{15,21})")


def no_mentions() -> JSON:
    """``allowed_mentions`` that pings nobody (users, roles, @everyone, @here)."""
    return {"parse": []}


def escape_mentions(text: str) -> str:
    """Break ``@everyone``, ``@here`` and raw id mentions with a zero-width space."""
    return _MENTION.sub("@\u200b\\1", text)


def escape_markdown(text: str) -> str:
    """Backslash-escape Discord markdown (emphasis, code, spoilers, links, mentions, quotes,
    headings, lists) so ``text`` shows literally; like ``discord.utils.escape_markdown``."""
    text = _MD_ANYWHERE.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def escape(text: str) -> str:
    """Make ``text`` safe to show in Discord markdown: no formatting, no pings."""
    return escape_markdown(escape_mentions(text))


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters (an ellipsis marks the cut; no dangling escape)."""
    if len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    head = text[: limit - 1]
    if (len(head) - len(head.rstrip("\\"))) % 2:
        head = head[:-1]
    return head + ELLIPSIS


def embed_chars(embed: JSON) -> int:
    """Characters Discord counts toward the 6000 limit: title, description, field names and
    values, footer text and author name."""
    total = len(embed.get("title", "")) + len(embed.get("description", ""))
    total += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", ()))
    total += len(embed.get("footer", {}).get("text", ""))
    total += len(embed.get("author", {}).get("name", ""))
    return total


def fit_embeds(embeds: list[JSON], *, budget: int = MAX_TOTAL_CHARS) -> list[JSON]:
    """Shrink ``embeds`` in place until their characters fit ``budget``.

    Drops the optional context fields first (last embed first), then clips descriptions, then
    titles; scope, numbers and the disclaimer footer are kept. Returns ``embeds``.
    """
    del embeds[MAX_EMBEDS:]

    def excess() -> int:
        return sum(embed_chars(e) for e in embeds) - budget

    for embed in reversed(embeds):
        fields = embed.get("fields", [])
        for field in [f for f in fields if f.get("optional")]:
            if excess() <= 0:
                break
            fields.remove(field)
    for part in ("description", "title"):
        for embed in reversed(embeds):
            over = excess()
            if over <= 0:
                break
            if part in embed:
                embed[part] = clip(embed[part], max(len(embed[part]) - over, 0))
                if not embed[part]:
                    del embed[part]
    while excess() > 0 and len(embeds) > 1:
        embeds.pop()
    return embeds


def _field(name: str, value: str, *, inline: bool, optional: bool = False) -> JSON:
    field: JSON = {
        "name": clip(name, MAX_FIELD_NAME) or BLANK,
        "value": clip(value, MAX_FIELD_VALUE) or BLANK,
        "inline": inline,
    }
    if optional:
        field["optional"] = True  # removed before sending
    return field


def text_to_embed(text: CardText, palette: Palette) -> JSON:
    """One language of a card as a Discord embed object, coloured by tone in ``palette``."""
    lines = []
    if text.tracks is not None:
        tracks = escape(text.tracks)
        lines.append(f"{tracks} · {escape(text.fund_name)}" if text.fund_name else tracks)
    lines += [f"**{escape(text.regime_label)}**", escape(text.meaning), ""]
    lines += [f"**{escape(text.details_heading)}**", escape(text.paragraph)]
    fields = [_field(escape(label), escape(value), inline=True) for label, value in text.numbers]
    if text.context is not None:
        fields.append(
            _field(escape(text.context_heading), escape(text.context), inline=False, optional=True)
        )
    if text.watch is not None:
        fields.append(
            _field(escape(text.watch_heading), escape(text.watch), inline=False, optional=True)
        )
    if text.track is not None:
        fields.append(_field(BLANK, escape(text.track), inline=False))
    fields.append(_field(escape(text.boundaries_heading), escape(text.boundaries), inline=False))
    notes = [f"{text.as_of} · {text.source}"]
    if text.stale is not None:
        notes.append(text.stale)
    fields.append(_field(BLANK, "\n".join(escape(n) for n in notes), inline=False))
    embed: JSON = {
        "author": {"name": clip(text.kicker, MAX_AUTHOR_NAME)},
        "title": clip(escape(text.title), MAX_TITLE),
        "description": clip("\n".join(lines), MAX_DESCRIPTION),
        "color": rgb_int(palette.for_tone(text.tone)),
        "fields": fields[:MAX_FIELDS],
        "footer": {"text": clip(text.footer, MAX_FOOTER)},
    }
    if text.page_url is not None:
        embed["url"] = text.page_url  # the title links to the card's research page
    return embed


def card_to_discord(
    card: Card, lang: Language, *, image: str | None = None, colors: ColourScheme | None = None
) -> JSON:
    """The Discord message body for ``card``: one embed per language shown (English first).

    ``image`` (e.g. ``attachment://IWM.png``) is shown on the first embed. ``colors`` is the
    server's convention (None: the language's default). Mentions are off.
    """
    palette = resolve(colors, lang)
    embeds = [text_to_embed(card_text(card, lg), palette) for lg in languages(lang)]
    if image is not None:
        embeds[0]["image"] = {"url": image}
    fit_embeds(embeds)
    for embed in embeds:
        for field in embed["fields"]:
            field.pop("optional", None)
    return {"embeds": embeds, "allowed_mentions": no_mentions()}
