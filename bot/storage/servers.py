"""Per-server settings: language, colours and the one watchlist a server's subscriptions share."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.clock import utc_now
from bot.storage._base import StorageBase
from bot.storage.models import servers
from bot.storage.records import (
    DEFAULT_WATCHLIST,
    check_colors,
    check_language,
    check_platform,
)

#: Seconds a server's language is answered from memory (the warm ``/signal`` path makes no SQL
#: query for it). A change made through this process is seen at once; on PostgreSQL, a change
#: made by another bot process is seen here at most this long after.
LANGUAGE_TTL = 5.0
#: Servers whose language is remembered at once (beyond it the memory starts afresh).
LANGUAGE_MEMORY = 10_000


class ServersMixin(StorageBase):
    """Language and watchlist per (platform, server)."""

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__(engine, clock=clock)
        self.language_ttl = LANGUAGE_TTL
        self._monotonic: Callable[[], float] = time.monotonic
        # (platform, server id) -> (stored language or None, monotonic time it expires)
        self._languages: dict[tuple[str, str], tuple[str | None, float]] = {}
        self._server_writes = 0  # a read that overlapped a write is not remembered

    async def ensure_server(self, conn: AsyncConnection, platform: str, server_id: str) -> None:
        """Create the server row if missing (inside the caller's transaction)."""
        now = self.now()
        row = {"platform": check_platform(platform), "server_id": server_id}
        stmt = self.insert(servers).values(**row, created_at=now, updated_at=now)
        await conn.execute(stmt.on_conflict_do_nothing(index_elements=["platform", "server_id"]))

    async def get_language(self, platform: str, server_id: str, default: str) -> str:
        """The server's language, or ``default`` when it has not chosen one (from memory for
        :data:`LANGUAGE_TTL` seconds after it was read)."""
        key = (platform, server_id)
        now = self._monotonic()
        remembered = self._languages.get(key)
        if remembered is not None and remembered[1] > now:
            language = remembered[0]
        else:
            writes = self._server_writes
            query = select(servers.c.language).where(
                servers.c.platform == platform, servers.c.server_id == server_id
            )
            async with self.engine.connect() as conn:
                language = (await conn.execute(query)).scalar_one_or_none()
            if writes == self._server_writes:
                if len(self._languages) >= LANGUAGE_MEMORY:
                    self._languages.clear()
                self._languages[key] = (language, now + self.language_ttl)
        return language if language is not None else default

    async def set_language(self, platform: str, server_id: str, language: str) -> None:
        """Set the server's language (one of :data:`formatting.languages.LANGUAGES`)."""
        await self._set_column(platform, server_id, "language", check_language(language))

    async def get_colors(self, platform: str, server_id: str) -> str | None:
        """The server's colour convention (``green-up`` / ``red-up``), None if it chose none."""
        query = select(servers.c.colors).where(
            servers.c.platform == platform, servers.c.server_id == server_id
        )
        async with self.engine.connect() as conn:
            colors: str | None = (await conn.execute(query)).scalar_one_or_none()
        return colors

    async def set_colors(self, platform: str, server_id: str, scheme: str) -> None:
        """Set the server's colour convention (one of :data:`formatting.colours.COLOUR_SCHEMES`)."""
        await self._set_column(platform, server_id, "colors", check_colors(scheme))

    async def _set_column(self, platform: str, server_id: str, column: str, value: Any) -> None:
        """Create the server row if needed and set one of its columns (one transaction)."""
        now = self.now()
        values = {
            "platform": check_platform(platform),
            "server_id": server_id,
            column: value,
            "created_at": now,
            "updated_at": now,
        }
        stmt = self.upsert(
            servers, values, keys=["platform", "server_id"], update=[column, "updated_at"]
        )
        self._server_writes += 1
        try:
            async with self.engine.begin() as conn:
                await conn.execute(stmt)
        finally:
            self._server_writes += 1
            self._languages.pop((platform, server_id), None)  # this process sees its own change

    async def get_watchlist(self, platform: str, server_id: str) -> list[str]:
        """The server's tickers, or :data:`DEFAULT_WATCHLIST` when none are set."""
        query = select(servers.c.watchlist).where(
            servers.c.platform == platform, servers.c.server_id == server_id
        )
        async with self.engine.connect() as conn:
            stored = (await conn.execute(query)).scalar_one_or_none()
        return list(json.loads(stored)) if stored is not None else list(DEFAULT_WATCHLIST)

    async def set_watchlist(
        self, platform: str, server_id: str, tickers: Sequence[str] | None
    ) -> list[str]:
        """Replace the watchlist (duplicates dropped, order kept); None restores the default."""
        if tickers is not None:
            tickers = list(dict.fromkeys(t.strip() for t in tickers if t.strip()))
            if not tickers:
                raise ValueError(
                    "a watchlist needs at least one ticker (None restores the default)"
                )
        stored = json.dumps(tickers) if tickers is not None else None
        await self._set_column(platform, server_id, "watchlist", stored)
        return list(tickers) if tickers is not None else list(DEFAULT_WATCHLIST)
