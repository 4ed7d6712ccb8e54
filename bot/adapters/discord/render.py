"""A dispatcher :class:`~bot.dispatch.Outcome` as the Discord messages that answer it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import Any

from bot.adapters.base import Attachment
from bot.adapters.discord.channel import digest_bodies
from bot.delivery.poster import Outgoing
from bot.dispatch import Outcome
from commands.digest import DigestReply
from commands.history import HistoryReply
from commands.reply import Message
from formatting.card import Card, Language, languages
from formatting.cardchart import chart_filename, chart_png
from formatting.colours import ColourScheme
from formatting.digest import Digest, heatmap_name, heatmap_specs
from formatting.embeds import MAX_CONTENT, card_to_discord
from formatting.i18n import Lang, t
from formatting.labels import regime_label
from formatting.messages import message_to_discord
from formatting.track_chart import chart_title, history_chart_filename, history_chart_png
from formatting.track_record import HistoryView
from formatting.track_render import history_to_discord

JSON = dict[str, Any]


def chart_description(card: Card, lang: Lang) -> str:
    """Alt text of a card's chart: its title in the first language shown."""
    label = regime_label(card.signal.regime, lang, card.ticker)
    return t("chart.title", lang, ticker=card.ticker, label=label)


async def card_message(
    card: Card, lang: Language, *, ephemeral: bool, colors: ColourScheme | None = None
) -> Outgoing:
    """The card's embeds with its chart attached (rendered in a worker thread)."""
    filename = chart_filename(card)
    body = card_to_discord(card, lang, image=f"attachment://{filename}", colors=colors)
    png = await asyncio.to_thread(chart_png, card, lang, colors)
    chart = Attachment(filename, png, chart_description(card, languages(lang)[0]))
    return Outgoing.message(embeds=body["embeds"], files=(chart,), ephemeral=ephemeral)


async def history_message(
    view: HistoryView, lang: Language, *, ephemeral: bool, colors: ColourScheme | None = None
) -> Outgoing:
    """The history view's embeds with its chart attached (rendered in a worker thread)."""
    filename = history_chart_filename(view)
    body = history_to_discord(view, lang, image=f"attachment://{filename}")
    png = await asyncio.to_thread(history_chart_png, view, lang, colors)
    chart = Attachment(filename, png, chart_title(view, lang))
    return Outgoing.message(embeds=body["embeds"], files=(chart,), ephemeral=ephemeral)


async def digest_messages(
    digest: Digest, lang: Language, *, ephemeral: bool, colors: ColourScheme | None = None
) -> list[Outgoing]:
    """A digest as Discord messages (the channel's own bodies, without a delivery key); the
    heatmap (drawn in a thread) goes with the first."""
    specs = heatmap_specs(digest, lang, colors=colors)
    bodies = digest_bodies(digest, lang, image=bool(specs), colors=colors)
    files: tuple[Attachment, ...] = ()
    if specs and bodies:
        spec = specs[0]
        png = await asyncio.to_thread(spec.render)
        files = (Attachment(heatmap_name(0), png, spec.title),)
    return [
        Outgoing.message(embeds=b["embeds"], files=files if i == 0 else (), ephemeral=ephemeral)
        for i, b in enumerate(bodies)
    ]


def message_lines(messages: Sequence[Message], lang: Lang) -> list[str]:
    """Each message as one line of Discord text in ``lang``; titles in bold."""
    lines = []
    for message in messages:
        text = message_to_discord(message.key, message.params, lang, ephemeral=False)["content"]
        lines.append(f"**{text}**" if message.key.endswith(".title") else text)
    return lines


def chunks(blocks: Iterable[list[str]], limit: int = MAX_CONTENT) -> list[str]:
    """Join line blocks (one per language) into as few texts of at most ``limit`` as possible.

    Blocks are separated by a blank line and kept whole when they fit; a block too long for one
    message is split between lines (a single over-long line is cut).
    """
    out: list[str] = []
    current = ""
    for block in blocks:
        for i, line in enumerate(block):
            line = line if len(line) <= limit else line[: limit - 1] + "…"
            sep = ("\n\n" if i == 0 else "\n") if current else ""
            if len(current) + len(sep) + len(line) > limit:
                out.append(current)
                current, sep = "", ""
            current += sep + line
    if current:
        out.append(current)
    return out


async def outgoing(outcome: Outcome, *, reader: Language | None = None) -> list[Outgoing]:
    """Cards first (one message each, chart attached), then the text messages.

    Messages next to cards are the tickers that failed: only the asker sees them. Public
    messages are in ``outcome.language`` (the server's); private ones in ``reader`` (the asker's
    own language, see :func:`reader_language`) when given.
    """
    reply, lang, colors = outcome.reply, outcome.language, outcome.colors
    mine = reader or lang
    if isinstance(reply, DigestReply):  # a preview: the digest exactly as it would be posted
        shown = mine if reply.ephemeral else lang
        return await digest_messages(reply.digest, shown, ephemeral=reply.ephemeral, colors=colors)
    if isinstance(reply, HistoryReply):
        shown = mine if reply.ephemeral else lang
        return [
            await history_message(reply.history, shown, ephemeral=reply.ephemeral, colors=colors)
        ]
    card_lang = mine if reply.ephemeral else lang
    cards = [
        await card_message(card, card_lang, ephemeral=reply.ephemeral, colors=colors)
        for card in reply.cards
    ]
    private = reply.ephemeral or bool(cards)
    text_lang = mine if private else lang
    texts = chunks(message_lines(reply.messages, lg) for lg in languages(text_lang))
    return [*cards, *(Outgoing.message(content=text, ephemeral=private) for text in texts)]
