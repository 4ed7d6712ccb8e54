"""Discord adapter (being built; see the Discord issue)."""

from __future__ import annotations

from bot.adapters.base import Adapter
from bot.dispatch import Dispatcher
from bot.settings import Settings
from bot.storage import Storage


def create_discord_adapter(settings: Settings, dispatcher: Dispatcher, storage: Storage) -> Adapter:
    """Not available yet: run_bot logs this and continues with the other adapters."""
    raise NotImplementedError("the Discord adapter is not built yet")
