"""Digests and alerts into Telegram chats: ``sendMessage`` / ``sendPhoto`` over python-telegram-bot.

Telegram's answers are mapped to what the delivery layer knows (:mod:`bot.adapters.base`),
by :mod:`bot.adapters.telegram.failures`. Three of them are *certain refusals* -- nothing was
posted -- and are handled here before anything is raised: 429 ``retry_after`` is waited out (the
chat gets no post before it ends, whoever sends it), a group upgraded to a supergroup
(``migrate_to_chat_id``) has its settings, subscriptions and alerts moved to the new id and the
post made there. An answer that never came (a timeout, a dropped connection) is *not* retried
here: the message may be in the chat, and only the delivery ledger's retry, which logs "possible
duplicate", may post it again.

Telegram's limits (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
about one message per second in a chat, 20 per minute in a group, 30 per second overall. The
poster spaces the posts of each chat (:class:`ChatPacer`); the fan-out spaces all of them
(:attr:`bot.adapters.telegram.channel.TelegramChannel.capabilities`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from bot.adapters.base import Attachment, PostFailed
from bot.adapters.telegram.channel import SEND_PHOTO
from bot.adapters.telegram.failures import Refusal, classify, retry_after_seconds, use_timedelta

if TYPE_CHECKING:
    from telegram import Bot

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
#: moves a chat's settings, subscriptions and alerts from the old id to the new one
OnMigrate = Callable[[str, str], Awaitable[None]]

#: Seconds between two posts in one private chat, and in one group or channel (20 a minute).
CHAT_INTERVAL = 1.0
GROUP_INTERVAL = 3.0
#: Refusals waited out or followed (429, migration) before the post is given up as failed.
MAX_TRIES = 5
#: A ``retry_after`` longer than this fails the post instead (the ledger retries it later).
MAX_RETRY_AFTER = 120.0


def is_group(chat_id: str) -> bool:
    """Groups, supergroups and channels have negative ids (https://core.telegram.org/bots/api#chat)."""
    return chat_id.startswith("-")


class ChatPacer:
    """Hands out send slots per chat: one per :data:`CHAT_INTERVAL` (a group's per
    :data:`GROUP_INTERVAL`), and none before a chat's ``retry_after`` has passed."""

    def __init__(
        self, *, sleep: Sleep = asyncio.sleep, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._next: dict[str, float] = {}
        self._sleep = sleep
        self._clock = clock

    async def wait(self, chat_id: str) -> None:
        """Wait for ``chat_id``'s next slot (slots are reserved in call order)."""
        now = self._clock()
        slot = max(now, self._next.get(chat_id, 0.0))
        self._next[chat_id] = slot + (GROUP_INTERVAL if is_group(chat_id) else CHAT_INTERVAL)
        if slot > now:
            await self._sleep(slot - now)

    def hold(self, chat_id: str, seconds: float) -> None:
        """No post to ``chat_id`` for ``seconds`` from now (Telegram's ``retry_after``)."""
        self._next[chat_id] = max(self._next.get(chat_id, 0.0), self._clock() + seconds)


class TelegramPoster:
    """The :class:`~bot.delivery.poster.Poster` of Telegram over one ``telegram.Bot``.

    ``payload`` is what :class:`~bot.adapters.telegram.channel.TelegramChannel` rendered;
    ``on_migrate`` moves a migrated group's rows (``Storage.move_chat``).
    """

    platform = "telegram"

    def __init__(
        self,
        bot: Bot,
        *,
        on_migrate: OnMigrate | None = None,
        pacer: ChatPacer | None = None,
        sleep: Sleep = asyncio.sleep,
        max_retry_after: float = MAX_RETRY_AFTER,
    ) -> None:
        use_timedelta()  # a 429's RetryAfter would warn each time otherwise
        self.bot = bot
        self.on_migrate = on_migrate
        self.pacer = pacer or ChatPacer(sleep=sleep)
        self.max_retry_after = max_retry_after
        self.migrated: dict[str, str] = {}  # old chat id -> new (seen this run)

    async def close(self) -> None:
        """Close the bot's HTTP connections (a poster opened by :func:`open_poster`)."""
        await self.bot.shutdown()

    async def send_message(
        self,
        channel_id: str,
        payload: dict[str, Any],
        files: Sequence[Attachment] = (),
        *,
        server_id: str | None = None,
    ) -> str:
        """Post ``payload`` (and, for a photo, its file) to chat ``channel_id``; the message
        id. An alert's ``more`` texts follow it; the last message's id is returned."""
        texts = [payload, *({"text": more} for more in payload.get("more") or ())]
        message_id = ""
        for body in texts:
            message_id = await self._send(channel_id, {**payload, **body}, files)
        return message_id

    async def _send(
        self, chat_id: str, payload: dict[str, Any], files: Sequence[Attachment]
    ) -> str:
        chat_id = self.migrated.get(chat_id, chat_id)
        for _ in range(MAX_TRIES):
            await self.pacer.wait(chat_id)
            try:
                return await self._call(chat_id, payload, files)
            except Exception as exc:
                refusal = classify(chat_id, exc, secret=self.bot.token)
                if refusal is None:
                    raise
            if refusal.kind == "retry_after":
                seconds = retry_after_seconds(refusal.cause)
                if seconds > self.max_retry_after:
                    self.pacer.hold(chat_id, seconds)
                    raise PostFailed(f"telegram flood control: retry after {seconds:.0f} s")
                log.warning("telegram flood control chat=%s: waiting %.0f s", chat_id, seconds)
                self.pacer.hold(chat_id, seconds)
                continue
            if refusal.kind == "migrated":
                chat_id = await self._migrate(chat_id, refusal)
                continue
            raise refusal.error from None  # the cause may quote the request (the token)
        raise PostFailed(f"telegram refused chat {chat_id} {MAX_TRIES} times")

    async def _migrate(self, old_id: str, refusal: Refusal) -> str:
        new_id = refusal.new_chat_id
        assert new_id is not None
        log.warning("telegram group migrated chat=%s to supergroup=%s; moving it", old_id, new_id)
        if self.on_migrate is not None:
            await self.on_migrate(old_id, new_id)
        self.migrated[old_id] = new_id
        return new_id

    async def _call(
        self, chat_id: str, payload: dict[str, Any], files: Sequence[Attachment]
    ) -> str:
        """One Bot API call; the new message's id. Nothing is done after the answer but reading
        the id: the window between the post and the ledger's mark stays as narrow as it can."""
        from telegram import LinkPreviewOptions
        from telegram.constants import ParseMode

        if payload.get("method") == SEND_PHOTO:
            if not files:
                raise PostFailed("a telegram photo payload without its photo")
            photo = files[0]
            message = await self.bot.send_photo(
                chat_id,
                photo=photo.data,
                filename=photo.filename,
                caption=payload.get("caption"),
                parse_mode=ParseMode.HTML,
            )
        else:
            preview = payload.get("preview_url")
            options = (
                LinkPreviewOptions(is_disabled=True)
                if preview is None
                else LinkPreviewOptions(url=str(preview))
            )
            message = await self.bot.send_message(
                chat_id,
                str(payload["text"]),
                parse_mode=ParseMode.HTML,
                link_preview_options=options,
            )
        return str(message.message_id)


async def open_poster(token: str, *, base_url: str, on_migrate: OnMigrate | None) -> TelegramPoster:
    """A poster over a bot of its own, logged in (``getMe``), for ``signalbot digest run``."""
    from telegram import Bot

    use_timedelta()
    bot = Bot(token, base_url=base_url)
    try:
        await bot.initialize()
    except BaseException:
        await bot.shutdown()
        raise
    return TelegramPoster(bot, on_migrate=on_migrate)
