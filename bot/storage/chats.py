"""One chat's digests and alerts as a whole: paused while the bot may not post there, resumed
when it may again, and moved to a new chat id (a Telegram group upgraded to a supergroup).

A Telegram chat is a server and a channel at once: its id is the ``server_id`` of its settings,
and the ``server_id`` and ``channel_id`` of its subscription and alerts (a channel configured
from a private chat is its own server too). These functions match a chat id in either column.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.models import alerts, servers, subscriptions
from bot.storage.servers import ServersMixin

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChatMove:
    """What :meth:`ChatsMixin.move_chat` moved (and merged, when the new id had rows already)."""

    servers: int = 0
    subscriptions: int = 0
    alerts: int = 0
    merged_alerts: int = 0  # alerts the new chat had already: the old duplicate dropped


class ChatsMixin(ServersMixin):
    """Pause, resume and move everything of one chat."""

    def _in_chat(self, table: Any, platform: str, chat_id: str) -> Any:
        return (table.c.platform == platform) & or_(
            table.c.server_id == chat_id, table.c.channel_id == chat_id
        )

    async def pause_chat(self, platform: str, chat_id: str, reason: str) -> tuple[int, int]:
        """Pause the chat's enabled subscriptions and its alerts for ``reason`` (the bot was
        blocked or removed); (subscriptions, alerts) newly paused."""
        now, reason = self.now(), reason[:500]
        subs = (
            update(subscriptions)
            .where(
                self._in_chat(subscriptions, platform, chat_id),
                subscriptions.c.enabled.is_(True),
                or_(
                    subscriptions.c.paused_reason.is_(None),
                    subscriptions.c.paused_reason != reason,
                ),
            )
            .values(paused_reason=reason, updated_at=now)
        )
        chat_alerts = (
            update(alerts)
            .where(
                self._in_chat(alerts, platform, chat_id),
                or_(alerts.c.paused_reason.is_(None), alerts.c.paused_reason != reason),
            )
            .values(paused_reason=reason)
        )
        async with self.engine.begin() as conn:
            paused = (await conn.execute(subs)).rowcount, (await conn.execute(chat_alerts)).rowcount
        return paused

    async def pause_alerts(
        self, platform: str, server_id: str, channel_id: str, reason: str
    ) -> int:
        """Pause the alerts of one channel (it is gone); how many were newly paused. Adding
        one of them again (``add_alert``) resumes it."""
        stmt = (
            update(alerts)
            .where(
                alerts.c.platform == platform,
                alerts.c.server_id == server_id,
                alerts.c.channel_id == channel_id,
                or_(alerts.c.paused_reason.is_(None), alerts.c.paused_reason != reason[:500]),
            )
            .values(paused_reason=reason[:500])
        )
        async with self.engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount

    async def resume_chat(self, platform: str, chat_id: str) -> tuple[int, int]:
        """Clear the pause of the chat's subscriptions and alerts (the bot is back);
        (subscriptions, alerts) resumed. A disabled subscription stays disabled."""
        subs = (
            update(subscriptions)
            .where(
                self._in_chat(subscriptions, platform, chat_id),
                subscriptions.c.paused_reason.is_not(None),
            )
            .values(paused_reason=None, updated_at=self.now())
        )
        chat_alerts = (
            update(alerts)
            .where(self._in_chat(alerts, platform, chat_id), alerts.c.paused_reason.is_not(None))
            .values(paused_reason=None)
        )
        async with self.engine.begin() as conn:
            resumed = (
                (await conn.execute(subs)).rowcount,
                (await conn.execute(chat_alerts)).rowcount,
            )
        return resumed

    async def set_created_by(
        self, platform: str, server_id: str, channel_id: str, user_id: str
    ) -> None:
        """Record who scheduled the channel's digest (told when it is paused or stops)."""
        stmt = (
            update(subscriptions)
            .where(
                subscriptions.c.platform == platform,
                subscriptions.c.server_id == server_id,
                subscriptions.c.channel_id == channel_id,
            )
            .values(created_by=user_id)
        )
        async with self.engine.begin() as conn:
            await conn.execute(stmt)

    async def chat_people(self, platform: str, chat_id: str) -> list[str]:
        """Who set the chat's digests and alerts up (the subscription's ``created_by``, each
        alert's ``user_id``), each once, in that order: the people to tell when it stops."""
        subs = select(subscriptions.c.created_by).where(
            self._in_chat(subscriptions, platform, chat_id)
        )
        chat_alerts = (
            select(alerts.c.user_id)
            .where(self._in_chat(alerts, platform, chat_id))
            .order_by(alerts.c.id)
        )
        async with self.engine.connect() as conn:
            found = [
                *(await conn.execute(subs)).scalars(),
                *(await conn.execute(chat_alerts)).scalars(),
            ]
        return list(dict.fromkeys(str(user) for user in found if user))

    async def move_chat(self, platform: str, old_id: str, new_id: str) -> ChatMove:
        """Move the settings, subscriptions (with their delivery ledger) and alerts of chat
        ``old_id`` to ``new_id`` in one transaction, nothing lost.

        Where the new chat has rows already (someone used the supergroup before the bot saw the
        migration), they are merged: its settings keep what it set and take the rest from the
        old chat; its subscription takes the more recently changed options and keeps the old
        subscription's id (so today's ledger, and what was posted, stay with it); an alert it
        has already replaces the old one. Moving a chat twice, or one with nothing stored, is a
        no-op.
        """
        if old_id == new_id:
            return ChatMove()
        async with self.engine.begin() as conn:
            moved_servers = await self._move_server(conn, platform, old_id, new_id)
            moved_subs = await self._move_subscriptions(conn, platform, old_id, new_id)
            moved_alerts, merged = await self._move_alerts(conn, platform, old_id, new_id)
            await conn.execute(
                delete(servers).where(servers.c.platform == platform, servers.c.server_id == old_id)
            )
        self._languages.pop((platform, old_id), None)
        self._languages.pop((platform, new_id), None)
        self._server_writes += 1
        return ChatMove(moved_servers, moved_subs, moved_alerts, merged)

    async def _move_server(
        self, conn: AsyncConnection, platform: str, old_id: str, new_id: str
    ) -> int:
        def of(chat: str) -> Any:
            return select(servers).where(
                servers.c.platform == platform, servers.c.server_id == chat
            )

        old = (await conn.execute(of(old_id))).one_or_none()
        if old is None:
            return 0
        await self.ensure_server(conn, platform, new_id)
        new = (await conn.execute(of(new_id))).one()
        kept = {
            column: getattr(old, column)
            for column in ("language", "watchlist", "colors")
            if getattr(new, column) is None and getattr(old, column) is not None
        }
        await conn.execute(
            update(servers)
            .where(servers.c.id == new.id)
            .values(**kept, created_at=min(old.created_at, new.created_at), updated_at=self.now())
        )
        return 1

    async def _move_subscriptions(
        self, conn: AsyncConnection, platform: str, old_id: str, new_id: str
    ) -> int:
        rows = (
            await conn.execute(
                select(subscriptions).where(self._in_chat(subscriptions, platform, old_id))
            )
        ).all()
        for row in rows:
            server = new_id if row.server_id == old_id else row.server_id
            channel = new_id if row.channel_id == old_id else row.channel_id
            if server != row.server_id:
                await self.ensure_server(conn, platform, server)
            clash = (
                await conn.execute(
                    select(subscriptions).where(
                        subscriptions.c.platform == platform,
                        subscriptions.c.server_id == server,
                        subscriptions.c.channel_id == channel,
                    )
                )
            ).one_or_none()
            options: dict[str, Any] = {}
            if clash is not None:
                if clash.updated_at > row.updated_at:  # set in the supergroup since: it wins
                    options = {
                        column: getattr(clash, column)
                        for column in (
                            "schedule_time",
                            "timezone",
                            "language",
                            "enabled",
                            "disabled_reason",
                            "created_by",
                            "paused_reason",
                        )
                    }
                await conn.execute(delete(subscriptions).where(subscriptions.c.id == clash.id))
                log.info("chat move merged subscription=%d into subscription=%d", clash.id, row.id)
            await conn.execute(
                update(subscriptions)
                .where(subscriptions.c.id == row.id)
                .values(server_id=server, channel_id=channel, updated_at=self.now(), **options)
            )
        return len(rows)

    async def _move_alerts(
        self, conn: AsyncConnection, platform: str, old_id: str, new_id: str
    ) -> tuple[int, int]:
        rows = (
            await conn.execute(select(alerts).where(self._in_chat(alerts, platform, old_id)))
        ).all()
        merged = 0
        for row in rows:
            server = new_id if row.server_id == old_id else row.server_id
            channel = new_id if row.channel_id == old_id else row.channel_id
            if server != row.server_id:
                await self.ensure_server(conn, platform, server)
            clash = (
                await conn.execute(
                    select(alerts.c.id).where(
                        alerts.c.platform == platform,
                        alerts.c.server_id == server,
                        alerts.c.channel_id == channel,
                        alerts.c.ticker == row.ticker,
                    )
                )
            ).one_or_none()
            if clash is not None:  # the same alert, set in the new chat already
                await conn.execute(delete(alerts).where(alerts.c.id == row.id))
                merged += 1
                continue
            await conn.execute(
                update(alerts)
                .where(alerts.c.id == row.id)
                .values(server_id=server, channel_id=channel)
            )
        return len(rows) - merged, merged
