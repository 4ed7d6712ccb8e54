"""Who may change a chat's settings, asked of Telegram with ``getChatMember`` and remembered
briefly.

In a group or supergroup: its creator and administrators (``ChatMember`` status ``creator`` or
``administrator``, https://core.telegram.org/bots/api#chatmember), and an anonymous
administrator, whose messages come from the group itself (``sender_chat`` is the chat,
https://core.telegram.org/bots/api#message). In a private chat: the user, whose chat it is. A
channel (broadcast) is configured from a private chat with the bot by someone who is an
administrator there, and only when the bot is one too (it cannot post otherwise).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from telegram import Bot

log = logging.getLogger(__name__)

ADMIN_STATUSES = frozenset({"creator", "administrator"})
#: Seconds a role is remembered: a demoted admin loses the right within a minute.
ROLE_TTL = 60.0
ROLE_MEMORY = 10_000


class Roles:
    """``getChatMember`` answers, remembered for :data:`ROLE_TTL` seconds."""

    def __init__(self, bot: Bot, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.bot = bot
        self._clock = clock
        self._known: dict[tuple[str, int], tuple[str, float]] = {}

    async def status(self, chat_id: str | int, user_id: int) -> str:
        """The user's status in the chat (``left`` when Telegram refuses to say)."""
        from telegram.error import TelegramError

        key = (str(chat_id), user_id)
        now = self._clock()
        known = self._known.get(key)
        if known is not None and known[1] > now:
            return known[0]
        try:
            member = await self.bot.get_chat_member(chat_id, user_id)
            status = str(member.status)
        except TelegramError as exc:
            log.info("telegram getChatMember chat=%s user=%s refused: %s", chat_id, user_id, exc)
            return "left"
        if len(self._known) >= ROLE_MEMORY:
            self._known.clear()
        self._known[key] = (status, now + ROLE_TTL)
        return status

    async def is_admin(self, chat_id: str | int, user_id: int) -> bool:
        """The user is the chat's creator or one of its administrators."""
        return await self.status(chat_id, user_id) in ADMIN_STATUSES

    def forget(self, chat_id: str | int) -> None:
        """Drop what is remembered of a chat (its members changed, or it moved)."""
        for key in [k for k in self._known if k[0] == str(chat_id)]:
            del self._known[key]
