"""A dispatcher :class:`~bot.dispatch.Outcome` sent back to Slack: cards, charts, messages."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.base import Attachment
from bot.adapters.slack.images import (
    ImagesNotReady,
    Uploaded,
    send_with_images,
    upload_files,
    with_images,
)
from bot.adapters.slack.wording import slack_message
from bot.dispatch import Outcome
from commands.digest import DigestReply
from commands.history import HistoryReply
from commands.reply import Message
from formatting.blocks import MAX_FALLBACK_TEXT, card_to_slack, clip
from formatting.card import Card, Language, languages
from formatting.cardchart import chart_filename, chart_labels, chart_png
from formatting.colours import ColourScheme
from formatting.digest_render import digest_to_slack
from formatting.messages import message_to_slack
from formatting.track_chart import chart_title, history_chart_filename, history_chart_png
from formatting.track_record import HistoryView
from formatting.track_render import history_to_slack

log = logging.getLogger(__name__)

JSON = dict[str, Any]
#: Digest preview messages sent through one response_url (Slack takes five; one is the note).
MAX_PREVIEW_PARTS = 4
#: Waits before sending a card again whose chart Slack has not processed yet.
RESPOND_WAITS = (1.0,)
#: bolt's ``respond``: posts a body to the command's ``response_url``.
Respond = Callable[..., Awaitable[Any]]


def message_body(
    key: str,
    params: Mapping[str, Any],
    lang: Language,
    *,
    ephemeral: bool = True,
    channel: str | None = None,
) -> JSON:
    """One catalog message as a ``response_url`` body (ephemeral unless told otherwise), in
    Slack's wording (see :mod:`bot.adapters.slack.wording`); ``channel``: the one it is about."""
    key, values = slack_message(key, params, channel)
    return message_to_slack(key, values, lang, ephemeral=ephemeral)


def messages_body(
    messages: Sequence[Message], lang: Language, *, ephemeral: bool, channel: str | None = None
) -> JSON:
    """Messages as one body: for two or more, every message in English, then each in Chinese."""
    if len(messages) == 1:
        one = messages[0]
        return message_body(one.key, one.params, lang, ephemeral=ephemeral, channel=channel)
    parts = [
        "\n".join(
            message_body(m.key, m.params, one, ephemeral=ephemeral, channel=channel)["text"]
            for m in messages
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


async def chart_images(
    client: AsyncWebClient, card: Card, lang: Language, colors: ColourScheme | None = None
) -> list[Uploaded]:
    """The card's chart (in the workspace's colours) uploaded without a channel (so it works
    wherever the command does); empty when Slack refused the upload."""
    try:
        png = await asyncio.to_thread(chart_png, card, lang, colors)
    except Exception:  # a chart bug must not lose the card: it goes without the image
        log.exception("slack chart failed ticker=%s; card sent without it", card.ticker)
        return []
    title = chart_labels(card, lang).title
    return await upload_files(client, [Attachment(chart_filename(card), png, title)])


async def respond_card(respond: Respond, body: JSON) -> bool:
    """Send a card (with its image blocks); a card whose image Slack has not processed yet is
    sent again once a second later, then without it (a response URL takes five messages, so
    retries are few). True when the image went out."""

    async def send(one: JSON) -> None:
        response = await respond(**one)
        status = getattr(response, "status_code", 200)
        text = str(getattr(response, "body", ""))
        if status != 200 and "invalid_blocks" in text and "image" in str(one.get("blocks")):
            raise ImagesNotReady
        if status != 200:
            log.warning("slack response_url refused status=%s body=%s", status, text)

    _, shown = await send_with_images(send, body, waits=RESPOND_WAITS)
    return shown


async def history_images(
    client: AsyncWebClient,
    view: HistoryView,
    lang: Language,
    colors: ColourScheme | None = None,
) -> list[Uploaded]:
    """The history chart uploaded without a channel, like the card's; empty when refused."""
    try:
        png = await asyncio.to_thread(history_chart_png, view, lang, colors)
    except Exception:  # a chart bug must not lose the table: it goes without the image
        log.exception("slack history chart failed ticker=%s; sent without it", view.ticker)
        return []
    title = chart_title(view, lang)
    return await upload_files(client, [Attachment(history_chart_filename(view), png, title)])


async def send_outcome(
    outcome: Outcome, respond: Respond, client: AsyncWebClient, channel_id: str | None
) -> None:
    """Cards in the channel, each one message with its chart inside, then messages.

    Messages next to cards are the tickers that failed, so they are shown only to the user. A
    card whose chart could not be attached goes text-only, and that is said once.
    ``channel_id`` is the channel the messages are about (named in confirmations).
    """
    reply, lang = outcome.reply, outcome.language
    if isinstance(reply, DigestReply):  # a preview: the digest's own Block Kit, only to the user
        await respond_with(respond, message_body("digest.preview_note", {}, lang))
        for body in digest_to_slack(reply.digest, lang)[:MAX_PREVIEW_PARTS]:
            await respond_with(respond, {**body, "response_type": "ephemeral"})
        return
    if isinstance(reply, HistoryReply):  # /signal IWM history: the table with its chart inside
        images = await history_images(client, reply.history, lang, outcome.colors)
        body = with_images(
            {**history_to_slack(reply.history, lang), "response_type": "in_channel"}, images
        )
        shown = await respond_card(respond, body) if images else False
        if not images:
            await respond_with(respond, body)
        if not shown:
            await respond_with(respond, message_body("slack.chart_text_only", {}, lang))
        return
    text_only = False
    # charts drawn and uploaded together (in threads), then the cards sent in order
    charts = await asyncio.gather(
        *(chart_images(client, card, lang, outcome.colors) for card in reply.cards)
    )
    for card, images in zip(reply.cards, charts, strict=True):
        body = with_images({**card_to_slack(card, lang), "response_type": "in_channel"}, images)
        shown = await respond_card(respond, body) if images else False
        if not images:
            await respond_with(respond, body)
        text_only = text_only or not shown
    if text_only:  # said once, after the cards
        await respond_with(respond, message_body("slack.chart_text_only", {}, lang))
    if reply.messages:
        ephemeral = reply.ephemeral or bool(reply.cards)
        body = messages_body(reply.messages, lang, ephemeral=ephemeral, channel=channel_id)
        await respond_with(respond, body)
