"""Discord adapter: slash commands, per-server language, embeds with charts, digest posting."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.adapters.discord.client import DiscordAdapter
from bot.adapters.discord.interactions import DEFER_AFTER
from bot.dispatch import Dispatcher
from bot.settings import ChatSettings, DiscordSettings
from bot.storage import Storage

__all__ = ["DiscordAdapter", "create_discord_adapter"]


def create_discord_adapter(
    settings: DiscordSettings,
    chat: ChatSettings,
    dispatcher: Dispatcher,
    storage: Storage,
    *,
    defer_after: float = DEFER_AFTER,
    clock: Callable[[], float] = time.monotonic,
) -> DiscordAdapter:
    """The Discord adapter for its settings group (and the shared ``chat`` one): an Adapter
    (run/stop) and a Poster ("discord").

    ``defer_after`` (seconds before a slow command is deferred) and ``clock`` (the cooldown's
    monotonic clock) are for tests and tuning.
    """
    return DiscordAdapter(settings, chat, dispatcher, storage, defer_after=defer_after, clock=clock)
