"""Daily-digest subscriptions, one per channel."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Row, or_, select, update

from bot.storage.models import subscriptions
from bot.storage.records import (
    Platform,
    Subscription,
    check_language,
    check_market,
    check_platform,
    check_time,
    check_timezone,
)
from bot.storage.servers import ServersMixin
from formatting.languages import Language


def _subscription(row: Row[Any]) -> Subscription:
    return Subscription(
        id=row.id,
        platform=cast(Platform, row.platform),
        server_id=row.server_id,
        channel_id=row.channel_id,
        time=row.schedule_time,
        timezone=row.timezone,
        language=cast(Language | None, row.language),
        enabled=bool(row.enabled),
        disabled_reason=row.disabled_reason,
        created_at=row.created_at,
        updated_at=row.updated_at,
        paused_reason=row.paused_reason,
        market=row.market,
        market_auto=bool(row.market_auto),
    )


class SubscriptionsMixin(ServersMixin):
    """Create, disable and list subscriptions; they always belong to a server row."""

    async def upsert_subscription(
        self,
        platform: str,
        server_id: str,
        channel_id: str,
        *,
        time: str | None,
        timezone: str,
        language: str | None = None,
        market: str = "XNYS",
        market_auto: bool = False,
    ) -> Subscription:
        """Subscribe the channel, or restate an existing subscription (re-enabling it).

        Every option is replaced: ``time`` None is the default time, ``language`` None follows
        the server's language, ``market`` is the MIC of the exchange the digest follows
        (``market_auto``: the one the watchlist shares, see :meth:`follow_watchlist_market`).
        """
        now = self.now()
        values = {
            "platform": check_platform(platform),
            "server_id": server_id,
            "channel_id": channel_id,
            "schedule_time": check_time(time),
            "timezone": check_timezone(timezone),
            "language": check_language(language) if language is not None else None,
            "market": check_market(market),
            "market_auto": market_auto,
            "enabled": True,
            "disabled_reason": None,
            "paused_reason": None,
            "created_at": now,
            "updated_at": now,
        }
        changed = [
            "schedule_time",
            "timezone",
            "language",
            "market",
            "market_auto",
            "enabled",
            "disabled_reason",
            "paused_reason",
        ]
        stmt = self.upsert(
            subscriptions,
            values,
            keys=["platform", "server_id", "channel_id"],
            update=[*changed, "updated_at"],
        ).returning(*subscriptions.c)
        async with self.engine.begin() as conn:
            await self.ensure_server(conn, platform, server_id)
            row = (await conn.execute(stmt)).one()
        return _subscription(row)

    async def follow_watchlist_market(self, platform: str, server_id: str, market: str) -> int:
        """Move the server's subscriptions that follow their watchlist's exchange to ``market``
        (a MIC); the count of those that changed. Chosen markets are left alone."""
        stmt = (
            update(subscriptions)
            .where(
                subscriptions.c.platform == platform,
                subscriptions.c.server_id == server_id,
                subscriptions.c.market_auto.is_(True),
                subscriptions.c.market != check_market(market),
            )
            .values(market=market, updated_at=self.now())
        )
        async with self.engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount

    async def disable_subscription(
        self, platform: str, server_id: str, channel_id: str, reason: str
    ) -> bool:
        """Disable an enabled subscription; False if there was none enabled."""
        stmt = (
            update(subscriptions)
            .where(
                subscriptions.c.platform == platform,
                subscriptions.c.server_id == server_id,
                subscriptions.c.channel_id == channel_id,
                subscriptions.c.enabled.is_(True),
            )
            .values(enabled=False, disabled_reason=reason, updated_at=self.now())
        )
        async with self.engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount > 0

    async def disable_server(self, platform: str, server_id: str, reason: str) -> int:
        """Disable every enabled subscription of a server (e.g. the bot was removed); the count."""
        stmt = (
            update(subscriptions)
            .where(
                subscriptions.c.platform == platform,
                subscriptions.c.server_id == server_id,
                subscriptions.c.enabled.is_(True),
            )
            .values(enabled=False, disabled_reason=reason, updated_at=self.now())
        )
        async with self.engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount

    async def pause_subscription(self, subscription_id: int, reason: str) -> bool:
        """Mark an enabled subscription paused for ``reason``; True if it was not paused so."""
        stmt = (
            update(subscriptions)
            .where(
                subscriptions.c.id == subscription_id,
                subscriptions.c.enabled.is_(True),
                or_(
                    subscriptions.c.paused_reason.is_(None),
                    subscriptions.c.paused_reason != reason,
                ),
            )
            .values(paused_reason=reason[:500], updated_at=self.now())
        )
        async with self.engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount > 0

    async def resume_subscription(self, subscription_id: int) -> bool:
        """Clear a subscription's pause (a post succeeded again); True if it was paused."""
        stmt = (
            update(subscriptions)
            .where(
                subscriptions.c.id == subscription_id,
                subscriptions.c.paused_reason.is_not(None),
            )
            .values(paused_reason=None, updated_at=self.now())
        )
        async with self.engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount > 0

    async def get_subscription(self, subscription_id: int) -> Subscription | None:
        """One subscription by id, enabled or not."""
        query = select(subscriptions).where(subscriptions.c.id == subscription_id)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).one_or_none()
        return _subscription(row) if row is not None else None

    async def list_subscriptions(
        self,
        platform: str | None = None,
        server_id: str | None = None,
        enabled_only: bool = True,
    ) -> list[Subscription]:
        """Subscriptions (by id), optionally of one platform or server, enabled ones by default."""
        query = select(subscriptions).order_by(subscriptions.c.id)
        if platform is not None:
            query = query.where(subscriptions.c.platform == platform)
        if server_id is not None:
            query = query.where(subscriptions.c.server_id == server_id)
        if enabled_only:
            query = query.where(subscriptions.c.enabled.is_(True))
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_subscription(row) for row in rows]
