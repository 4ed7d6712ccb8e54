"""Telegram adapter: every registry command in private chats, groups and channels, cards as
photos with HTML captions, digests and alerts through the delivery layer.

python-telegram-bot is imported only when a Telegram adapter is created (a terminal session
never loads it): this package's own import is light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.dispatch import Dispatcher
from bot.settings import ChatSettings, TelegramSettings
from bot.storage import Storage

if TYPE_CHECKING:
    from bot.adapters.telegram.app import TelegramAdapter

__all__ = ["create_telegram_adapter"]


def create_telegram_adapter(
    settings: TelegramSettings,
    chat: ChatSettings,
    dispatcher: Dispatcher,
    storage: Storage | None,
    *,
    port: int = 3000,
    host: str = "0.0.0.0",  # noqa: S104 - Telegram reaches the webhook from outside
) -> TelegramAdapter:
    """The Telegram adapter for its group (an Adapter for the runtime, a Poster for
    deliveries)."""
    from bot.adapters.telegram.app import TelegramAdapter

    return TelegramAdapter(settings, chat, dispatcher, storage, port=port, host=host)
