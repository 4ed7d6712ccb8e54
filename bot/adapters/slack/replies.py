"""A dispatcher :class:`~bot.dispatch.Outcome` sent back to Slack: cards, charts, messages."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.base import ChannelGone, PostFailed
from bot.adapters.slack.poster import call_slack
from bot.dispatch import Outcome
from commands.digest import DigestReply
from commands.reply import Message
from formatting.blocks import MAX_FALLBACK_TEXT, card_to_slack, clip
from formatting.card import Card, Language, languages
from formatting.cardchart import chart_filename, chart_labels, chart_png
from formatting.colours import ColourScheme
from formatting.digest_render import digest_to_slack
from formatting.messages import message_to_slack

log = logging.getLogger(__name__)

JSON = dict[str, Any]
#: Digest preview messages sent through one response_url (Slack takes five; one is the note).
MAX_PREVIEW_PARTS = 4
#: bolt's ``respond``: posts a body to the command's ``response_url``.
Respond = Callable[..., Awaitable[Any]]


def message_body(
    key: str, params: Mapping[str, Any], lang: Language, *, ephemeral: bool = True
) -> JSON:
    """One catalog message as a ``response_url`` body (ephemeral unless told otherwise)."""
    return message_to_slack(key, params, lang, ephemeral=ephemeral)


def messages_body(messages: Sequence[Message], lang: Language, *, ephemeral: bool) -> JSON:
    """Messages as one body: for two or more, every message in English, then each in Chinese."""
    if len(messages) == 1:
        return message_to_slack(messages[0].key, messages[0].params, lang, ephemeral=ephemeral)
    parts = [
        "\n".join(
            message_to_slack(m.key, m.params, one, ephemeral=ephemeral)["text"] for m in messages
        )
        for one in languages(lang)
    ]
    return {
        "text": clip("\n\n".join(parts), MAX_FALLBACK_TEXT),
        "response_type": "ephemeral" if ephemeral else "in_channel",
    }


async def respond_with(respond: Respond, body: JSON) -> None:
    """Send ``body`` through ``respond``; a refused ``response_url`` is logged, not raised."""
    response = await respond(**body)
    status = getattr(response, "status_code", 200)
    if status != 200:
        log.warning(
            "slack response_url refused status=%s body=%s", status, getattr(response, "body", "")
        )


async def upload_chart(
    client: AsyncWebClient,
    card: Card,
    lang: Language,
    channel_id: str,
    colors: ColourScheme | None = None,
) -> bool:
    """Upload the card's chart into the channel; False when the app cannot post there."""
    png = await asyncio.to_thread(chart_png, card, lang, colors)
    title = chart_labels(card, lang).title
    try:
        await call_slack(
            channel_id,
            lambda: client.files_upload_v2(
                channel=channel_id,
                file=png,
                filename=chart_filename(card),
                title=title,
                alt_txt=title,
            ),
        )
    except ChannelGone:
        return False
    except PostFailed as exc:
        log.warning("slack chart not posted ticker=%s channel=%s: %s", card.ticker, channel_id, exc)
    return True


async def send_outcome(
    outcome: Outcome, respond: Respond, client: AsyncWebClient, channel_id: str | None
) -> None:
    """Cards in the channel (each followed by its chart), then messages.

    Messages next to cards are the tickers that failed, so they are shown only to the user.
    """
    reply, lang = outcome.reply, outcome.language
    if isinstance(reply, DigestReply):  # a preview: the digest's own Block Kit, only to the user
        await respond_with(respond, message_body("digest.preview_note", {}, lang))
        for body in digest_to_slack(reply.digest, lang)[:MAX_PREVIEW_PARTS]:
            await respond_with(respond, {**body, "response_type": "ephemeral"})
        return
    charts = channel_id is not None
    for card in reply.cards:
        await respond_with(respond, {**card_to_slack(card, lang), "response_type": "in_channel"})
        if (
            charts
            and channel_id is not None
            and not await upload_chart(client, card, lang, channel_id, outcome.colors)
        ):
            charts = False
            await respond_with(respond, message_body("slack.chart_unavailable", {}, lang))
    if reply.messages:
        ephemeral = reply.ephemeral or bool(reply.cards)
        await respond_with(respond, messages_body(reply.messages, lang, ephemeral=ephemeral))
