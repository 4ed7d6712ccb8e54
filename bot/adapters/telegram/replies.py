"""A dispatcher :class:`~bot.dispatch.Outcome` sent to a Telegram chat: cards, charts, messages.

Everything goes out in HTML parse mode, made by :mod:`formatting.telegram_html` (every string
escaped, every message within Telegram's limits), with link previews off except the research
page's (:mod:`formatting.pagelinks`, when ``SIGNALBOT_PUBLIC_URL`` is set). A card is its chart
as a photo with the card as the caption when the card fits in a caption (1,024 characters),
else the photo and then the card's text (https://core.telegram.org/bots/api#sendphoto). Telegram
has no ephemeral messages: a reply meant for the asker only answers their message instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bot.dispatch import Outcome
from commands.digest import DigestReply
from commands.history import HistoryReply
from commands.reply import Message
from formatting.card import Card, Language
from formatting.colours import ColourScheme
from formatting.messages import message_text

if TYPE_CHECKING:
    from telegram import Bot

log = logging.getLogger(__name__)

#: Counts a message sent to Telegram: (kind, outcome), see ``bot.ops.metrics``.
OnPost = Callable[[str, str], None]
#: Shared messages Telegram words its own way (a group, not a server or workspace).
TELEGRAM_KEYS = {"error.missing_permission": "telegram.error.missing_permission"}


def messages_html(messages: Sequence[Message], lang: Language) -> list[str]:
    """Catalog messages as HTML messages (escaped, split within the limit)."""
    from formatting.telegram_html import BLANK, Line, plain, split

    lines: list[Line] = []
    for message in messages:
        if lines:
            lines.append(BLANK)
        key = TELEGRAM_KEYS.get(message.key, message.key)
        lines += plain(message_text(key, message.params, lang))
    return split(lines)


class Replier:
    """Sends replies into one chat, each answering the message ``reply_to`` (when given)."""

    def __init__(
        self,
        bot: Bot,
        chat_id: int | str,
        reply_to: int | None = None,
        *,
        on_post: OnPost | None = None,
    ) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self.reply_to = reply_to
        self.on_post = on_post

    def _count(self, outcome: str) -> None:
        if self.on_post is not None:
            self.on_post("reply", outcome)

    def _answering(self) -> dict[str, object]:
        from telegram import ReplyParameters

        if self.reply_to is None:
            return {}
        # the asker's message may be gone by now: send anyway
        return {
            "reply_parameters": ReplyParameters(self.reply_to, allow_sending_without_reply=True)
        }

    async def text(self, html: str, *, preview_url: str | None = None) -> None:
        """One HTML message; link previews off, except ``preview_url`` (a research page)."""
        from telegram import LinkPreviewOptions
        from telegram.constants import ParseMode

        options = (
            LinkPreviewOptions(is_disabled=True)
            if preview_url is None
            else LinkPreviewOptions(url=preview_url)
        )
        try:
            await self.bot.send_message(
                self.chat_id,
                html,
                parse_mode=ParseMode.HTML,
                link_preview_options=options,
                **self._answering(),  # type: ignore[arg-type]
            )
        except Exception:
            self._count("failed")
            raise
        self._count("ok")

    async def photo(self, png: bytes, filename: str, caption: str | None = None) -> None:
        """One photo, with an HTML caption when given."""
        from telegram.constants import ParseMode

        try:
            await self.bot.send_photo(
                self.chat_id,
                png,
                filename=filename,
                caption=caption,
                parse_mode=ParseMode.HTML if caption else None,
                **self._answering(),  # type: ignore[arg-type]
            )
        except Exception:
            self._count("failed")
            raise
        self._count("ok")

    async def messages(self, messages: Sequence[Message], lang: Language) -> None:
        for html in messages_html(messages, lang):
            await self.text(html)

    async def say(self, key: str, lang: Language, **params: object) -> None:
        """One catalog message."""
        await self.messages([Message(key=key, params=params)], lang)

    async def card(self, card: Card, lang: Language, colors: ColourScheme | None) -> None:
        """The chart photo with the card as its caption, or the photo then the card's text;
        the text alone when the chart could not be drawn."""
        from formatting.cardchart import chart_filename, chart_png
        from formatting.telegram_html import card_to_telegram

        shown = card_to_telegram(card, lang)
        try:
            png: bytes | None = await asyncio.to_thread(chart_png, card, lang, colors)
        except Exception:  # a chart bug must not lose the card: it goes without the image
            log.exception("telegram chart failed ticker=%s; card sent without it", card.ticker)
            png = None
        if png is not None:
            await self.photo(png, chart_filename(card), shown.caption)
        if shown.caption is not None and png is None:
            await self.text(shown.caption, preview_url=shown.link)
        for html in shown.texts:
            await self.text(html, preview_url=shown.link)

    async def outcome(self, outcome: Outcome) -> None:
        """The whole reply: a digest preview, a track record, or cards then messages."""
        reply, lang = outcome.reply, outcome.language
        if isinstance(reply, DigestReply):
            from formatting.telegram_html import digest_page, digest_to_telegram

            await self.say("digest.preview_note", lang)
            page = digest_page(reply.digest, lang)
            for html in digest_to_telegram(reply.digest, lang):
                await self.text(html, preview_url=page)
            return
        if isinstance(reply, HistoryReply):
            await self._history(reply, lang)
            return
        for card in reply.cards:
            await self.card(card, lang, outcome.colors)
        if reply.messages:
            await self.messages(reply.messages, lang)

    async def _history(self, reply: HistoryReply, lang: Language) -> None:
        from formatting.telegram_html import Line, Span, split
        from formatting.track_chart import chart_title, history_chart_filename, history_chart_png
        from formatting.track_record import history_text

        view = reply.history
        try:
            png = await asyncio.to_thread(history_chart_png, view, lang)
        except Exception:  # the table still goes
            log.exception("telegram history chart failed ticker=%s", view.ticker)
        else:
            from formatting.telegram_html import escape

            await self.photo(png, history_chart_filename(view), escape(chart_title(view, lang)))
        rows = history_text(view, lang).split("\n")
        for html in split([Line((Span(row),), pre=True) for row in rows]):
            await self.text(html)
