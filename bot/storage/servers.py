"""Per-server settings: language, colours and the one watchlist a server's subscriptions share."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage._base import StorageBase
from bot.storage.models import servers
from bot.storage.records import (
    DEFAULT_WATCHLIST,
    check_colors,
    check_language,
    check_platform,
)


class ServersMixin(StorageBase):
    """Language and watchlist per (platform, server)."""

    async def ensure_server(self, conn: AsyncConnection, platform: str, server_id: str) -> None:
        """Create the server row if missing (inside the caller's transaction)."""
        now = self.now()
        row = {"platform": check_platform(platform), "server_id": server_id}
        stmt = self.insert(servers).values(**row, created_at=now, updated_at=now)
        await conn.execute(stmt.on_conflict_do_nothing(index_elements=["platform", "server_id"]))

    async def get_language(self, platform: str, server_id: str, default: str) -> str:
        """The server's language, or ``default`` when it has not chosen one."""
        query = select(servers.c.language).where(
            servers.c.platform == platform, servers.c.server_id == server_id
        )
        async with self.engine.connect() as conn:
            language = (await conn.execute(query)).scalar_one_or_none()
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
        async with self.engine.begin() as conn:
            await conn.execute(stmt)

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
