"""Where the bot keeps its state (settings such as /language, subscriptions, cached bars).

Said once and used everywhere: ``signalbot run`` says it at start-up, ``signalbot config``
shows it, and one-off commands open the database only when it is there already.
"""

from __future__ import annotations

from pathlib import Path

from bot.settings import Settings
from bot.storage.urls import parse_url, safe_url


def sqlite_file(settings: Settings) -> Path | None:
    """The SQLite file of the configured database, absolute; None for a server or in memory."""
    url = parse_url(settings.storage.database_url)
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):
        return None
    return Path(database).absolute()


def state_location(settings: Settings) -> str:
    """Where the bot keeps its state: the SQLite file's absolute path, or the server's URL
    without its password (``signalbot run`` says it at start-up, ``signalbot config`` too)."""
    path = sqlite_file(settings)
    return str(path) if path is not None else safe_url(settings.storage.database_url)
