"""Regime alerts: one row per (server, channel or member's DMs, ticker), at most N per server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import Row, delete, func, select, update

from bot.storage.models import alerts
from bot.storage.records import Platform, check_platform
from bot.storage.servers import ServersMixin

AddResult = Literal["added", "duplicate", "limit"]
#: ``channel_id`` prefix of an alert that goes to a member's direct messages.
DM_PREFIX = "dm:"


@dataclass(frozen=True, kw_only=True)
class Alert:
    """A regime alert: post in ``channel_id`` (or ``dm:<user id>``) when ``ticker`` changes."""

    id: int
    platform: Platform
    server_id: str
    channel_id: str
    ticker: str
    user_id: str | None
    created_at: datetime
    #: why the bot may not post there for now (blocked or removed from the chat); None: it can
    paused_reason: str | None = None

    @property
    def dm_user(self) -> str | None:
        """The member whose DMs get the alert, or None for a channel alert."""
        return self.channel_id.removeprefix(DM_PREFIX) if self.is_dm else None

    @property
    def is_dm(self) -> bool:
        """True for an alert in a member's direct messages."""
        return self.channel_id.startswith(DM_PREFIX)


def _alert(row: Row[Any]) -> Alert:
    return Alert(
        id=row.id,
        platform=cast(Platform, row.platform),
        server_id=row.server_id,
        channel_id=row.channel_id,
        ticker=row.ticker,
        user_id=row.user_id,
        created_at=row.created_at,
        paused_reason=row.paused_reason,
    )


class AlertsMixin(ServersMixin):
    """Add, remove and list regime alerts."""

    async def add_alert(
        self,
        platform: str,
        server_id: str,
        channel_id: str,
        ticker: str,
        *,
        user_id: str | None,
        limit: int,
    ) -> AddResult:
        """Store the alert unless it exists (``duplicate``; a paused one is resumed) or the
        server has ``limit``."""
        where = (alerts.c.platform == platform, alerts.c.server_id == server_id)
        stmt = (
            self.insert(alerts)
            .values(
                platform=check_platform(platform),
                server_id=server_id,
                channel_id=channel_id,
                ticker=ticker,
                user_id=user_id,
                created_at=self.now(),
            )
            .on_conflict_do_nothing(
                index_elements=["platform", "server_id", "channel_id", "ticker"]
            )
            .returning(alerts.c.id)
        )
        async with self.engine.begin() as conn:
            await self.ensure_server(conn, platform, server_id)
            existing = (
                await conn.execute(
                    select(alerts.c.id).where(
                        *where, alerts.c.channel_id == channel_id, alerts.c.ticker == ticker
                    )
                )
            ).first()
            if existing is not None:  # restated: a paused alert (its channel was gone) resumes
                await conn.execute(
                    update(alerts).where(alerts.c.id == existing.id).values(paused_reason=None)
                )
                return "duplicate"
            count = (await conn.execute(select(func.count()).where(*where))).scalar_one()
            if count >= limit:
                return "limit"
            added = (await conn.execute(stmt)).scalar_one_or_none()
        return "added" if added is not None else "duplicate"

    async def remove_alert(
        self, platform: str, server_id: str, channel_id: str, ticker: str
    ) -> bool:
        """Remove the alert; False when there was none."""
        stmt = delete(alerts).where(
            alerts.c.platform == platform,
            alerts.c.server_id == server_id,
            alerts.c.channel_id == channel_id,
            alerts.c.ticker == ticker,
        )
        async with self.engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount > 0

    async def list_alerts(
        self, platform: str | None = None, server_id: str | None = None
    ) -> list[Alert]:
        """Alerts by id, optionally of one platform and server."""
        query = select(alerts).order_by(alerts.c.id)
        if platform is not None:
            query = query.where(alerts.c.platform == platform)
        if server_id is not None:
            query = query.where(alerts.c.server_id == server_id)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_alert(row) for row in rows]
