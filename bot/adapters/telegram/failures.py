"""Telegram's refusals as the delivery layer's errors, each said plainly and never with the token.

Bot API answers (https://core.telegram.org/bots/api#making-requests: ``ok`` false with
``error_code``, ``description`` and ``parameters``) arrive as python-telegram-bot exceptions:

- 429 with ``parameters.retry_after`` -> ``RetryAfter``: wait, then the same post again.
- 400 with ``parameters.migrate_to_chat_id`` -> ``ChatMigrated``: the group became a
  supergroup with a new id (https://core.telegram.org/bots/api#responseparameters).
- 403 "bot was blocked by the user", "bot was kicked from the group chat", "bot is not a
  member of the channel chat" -> ``Forbidden``: an admin (or the user) can fix it by adding the
  bot back, so the chat is paused (:class:`~bot.adapters.base.PostingPaused`);
  "user is deactivated" cannot be fixed: gone.
- 400 "chat not found" -> ``BadRequest``: the chat is gone
  (:class:`~bot.adapters.base.ChannelGone`); "not enough rights to send ..." is an admin's
  to fix: paused.
- anything else -> :class:`~bot.adapters.base.PostFailed` (retried by the ledger).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

from bot.adapters.base import ChannelGone, PostFailed, PostingPaused

if TYPE_CHECKING:
    from bot.storage import Storage

log = logging.getLogger(__name__)
PLATFORM = "telegram"

Kind = Literal["retry_after", "migrated", "paused", "gone", "failed"]

_GONE = ("chat not found", "user is deactivated", "chat_id is empty", "peer_id_invalid")
_PAUSED = ("not enough rights", "have no rights", "administrator rights", "chat_write_forbidden")


@dataclass(frozen=True)
class Refusal:
    """What Telegram's answer means: ``kind``, the error to raise, the new chat of a migration."""

    kind: Kind
    cause: BaseException
    error: Exception
    new_chat_id: str | None = None


#: python-telegram-bot 22.2+ reads this (at each use) to give durations such as
#: ``RetryAfter.retry_after`` as ``timedelta``; without it, it warns (``PTBDeprecationWarning``)
#: every time one is read as an int, its own ``RetryAfter()`` included: a warning per 429
#: (https://docs.python-telegram-bot.org/en/stable/telegram.error.html#telegram.error.RetryAfter).
PTB_TIMEDELTA = "PTB_TIMEDELTA"


def use_timedelta() -> None:
    """Opt in to python-telegram-bot's ``timedelta`` durations (the coming default), for this
    process; called before the first ``telegram.Bot`` of the adapter or the poster is made."""
    if os.environ.get(PTB_TIMEDELTA, "").lower().strip() not in ("true", "1"):
        os.environ[PTB_TIMEDELTA] = "true"


def retry_after_seconds(exc: BaseException) -> float:
    """A ``RetryAfter``'s wait in seconds (a timedelta with :func:`use_timedelta`, an int in
    python-telegram-bot before 22.2 or without it: both are read)."""
    value = getattr(exc, "retry_after", 1)
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    return max(seconds, 0.0)


def reason_of(exc: BaseException, secret: str | None = None) -> str:
    """Telegram's description, short, with ``secret`` (the bot token) blanked out should a
    network error quote the request's URL."""
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    text = " ".join(str(text).split())
    if secret:
        text = text.replace(secret, "***")
    return text[:200]


def classify(chat_id: str, exc: BaseException, *, secret: str | None = None) -> Refusal | None:
    """The refusal ``exc`` is, or None when it is not an answer from Telegram at all."""
    from telegram.error import (
        BadRequest,
        ChatMigrated,
        Forbidden,
        NetworkError,
        RetryAfter,
        TelegramError,
        TimedOut,
    )

    reason = reason_of(exc, secret)
    if isinstance(exc, RetryAfter):
        return Refusal("retry_after", exc, PostFailed(reason))
    if isinstance(exc, ChatMigrated):
        return Refusal("migrated", exc, PostFailed(reason), new_chat_id=str(exc.new_chat_id))
    lowered = reason.lower()
    if isinstance(exc, Forbidden):
        if any(word in lowered for word in _GONE):
            return Refusal("gone", exc, ChannelGone(chat_id, reason))
        return Refusal("paused", exc, PostingPaused(chat_id, reason))
    if isinstance(exc, BadRequest):
        if any(word in lowered for word in _GONE):
            return Refusal("gone", exc, ChannelGone(chat_id, reason))
        if any(word in lowered for word in _PAUSED):
            return Refusal("paused", exc, PostingPaused(chat_id, reason))
        return Refusal("failed", exc, PostFailed(f"telegram refused the message: {reason}"))
    if isinstance(exc, TimedOut | NetworkError):
        # no answer: the message may be in the chat; the ledger's retry says "possible duplicate"
        failed = PostFailed(f"telegram did not answer ({reason}); it may have posted")
        return Refusal("failed", exc, failed)
    if isinstance(exc, TelegramError):
        return Refusal("failed", exc, PostFailed(f"telegram: {reason}"))
    return None


@dataclass(frozen=True)
class StatusChange:
    """What a change of the bot's own status in a chat did (``my_chat_member``).

    ``tell``: who set the chat's digests and alerts up (Telegram user ids), for the adapter to
    tell in a private chat why they stopped or that they are back; empty when nothing changed.
    """

    chat_id: str
    paused: bool
    subscriptions: int
    alerts: int
    reason: str | None
    tell: tuple[str, ...] = ()


#: https://core.telegram.org/bots/api#chatmember: the statuses in which the bot cannot post
_GONE_STATUSES = ("kicked", "left")


def status_reason(chat_type: str, status: str, can_send: bool | None = None) -> str | None:
    """Why the bot cannot post in a chat where its status is ``status`` (None: it can).

    A private chat's ``kicked`` is the user blocking the bot; a group's is the bot removed
    (the wording Telegram's 403 uses, so one pause has one reason whichever came first).
    """
    if status in _GONE_STATUSES:
        if chat_type == "private":
            return "Forbidden: bot was blocked by the user"
        kind = "group" if chat_type == "group" else chat_type
        return f"Forbidden: bot was kicked from the {kind} chat"
    if status == "restricted" and can_send is False:
        return "Forbidden: bot can't send messages in this chat (restricted)"
    return None


async def bot_status_changed(
    storage: Storage,
    chat_id: str,
    chat_type: str,
    status: str,
    *,
    can_send: bool | None = None,
) -> StatusChange:
    """Pause the chat's digests and alerts when the bot may no longer post there, resume them
    when it may again (the adapter calls this on a ``my_chat_member`` update). Nothing is
    deleted: a paused chat keeps every setting and is resumed as it was."""
    reason = status_reason(chat_type, status, can_send)
    if reason is not None:
        subs, chat_alerts = await storage.pause_chat(PLATFORM, chat_id, reason)
        verb = "paused"
    else:
        subs, chat_alerts = await storage.resume_chat(PLATFORM, chat_id)
        verb = "resumed"
    tell: tuple[str, ...] = ()
    if subs or chat_alerts:
        log.warning(
            "telegram chat %s chat=%s subscriptions=%d alerts=%d reason=%s",
            verb,
            chat_id,
            subs,
            chat_alerts,
            reason or "-",
        )
        people = await storage.chat_people(PLATFORM, chat_id)
        # a private chat that blocked the bot is its only person: nobody else to tell
        tell = tuple(p for p in people if not (reason is not None and p == chat_id))
    return StatusChange(chat_id, reason is not None, subs, chat_alerts, reason, tell)
