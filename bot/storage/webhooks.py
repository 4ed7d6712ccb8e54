"""Webhook targets (issue 24): one row each, plus the server, subscription and alerts that let
the shared delivery layer serve it (platform ``webhook``, server_id ``<kind>-<id>``).

URL and secret are credentials: they come back as :class:`~pydantic.SecretStr` and are never
part of a log line or an error.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import SecretStr
from sqlalchemy import Row, delete, select, update

from bot.storage.models import alerts, servers, subscriptions, webhook_targets
from bot.storage.records import check_colors, check_language, check_time, check_timezone
from bot.storage.servers import ServersMixin
from signals.exchanges import market_mic, shared_market

#: The platform of every webhook target's server, subscription and alerts.
WEBHOOK = "webhook"


@dataclass(frozen=True, kw_only=True)
class WebhookTarget:
    """One webhook target as stored; ``server_id`` names its server and subscription."""

    id: int
    kind: str
    url: SecretStr
    secret: SecretStr | None
    language: str  # a language setting, or 'auto' (kinds that show each reader's own)
    market: str | None
    paused_reason: str | None
    created_at: datetime
    server_id: str = ""
    subscription_id: int | None = None
    time: str | None = None
    timezone: str = "UTC"
    watchlist: tuple[str, ...] = ()
    colors: str | None = None
    alert_tickers: tuple[str, ...] = ()
    #: Feishu/Lark app credentials for uploading the chart (None: the card without it)
    app_id: SecretStr | None = None
    app_secret: SecretStr | None = None


@dataclass(frozen=True, kw_only=True)
class NewWebhook:
    """What ``webhook add`` stores: ``language`` the setting (``auto`` too), ``shown`` the
    language setting renderers get for it."""

    kind: str
    url: SecretStr
    secret: SecretStr | None
    language: str
    shown: str
    colors: str | None
    watchlist: Sequence[str]
    market: str | None
    time: str | None
    timezone: str
    alert_tickers: Sequence[str] = ()
    app_id: SecretStr | None = None
    app_secret: SecretStr | None = None


def target_server_id(kind: str, target_id: int) -> str:
    """The server (and subscription) id of a webhook target (``wecom-3``)."""
    return f"{kind}-{target_id}"


def _secret(value: str | None) -> SecretStr | None:
    return SecretStr(value) if value else None


def _plain(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def _target(row: Row[Any]) -> WebhookTarget:
    secret = row.secret
    return WebhookTarget(
        id=row.id,
        kind=row.kind,
        url=SecretStr(row.url),
        secret=SecretStr(secret) if secret else None,
        language=row.language,
        market=row.market,
        paused_reason=row.paused_reason,
        created_at=row.created_at,
        server_id=target_server_id(row.kind, row.id),
        app_id=_secret(row.app_id),
        app_secret=_secret(row.app_secret),
    )


class WebhooksMixin(ServersMixin):
    """Add, list, pause and remove webhook targets."""

    async def add_webhook(self, new: NewWebhook) -> WebhookTarget:
        """Store a target with its server, subscription and alerts (one transaction)."""
        shown = check_language(new.shown)
        colors = check_colors(new.colors) if new.colors is not None else None
        check_time(new.time)
        check_timezone(new.timezone)
        tickers = list(dict.fromkeys(t.strip() for t in new.watchlist if t.strip()))
        if not tickers:
            raise ValueError("a watchlist needs at least one ticker")
        now = self.now()
        insert = (
            self.insert(webhook_targets)
            .values(
                kind=new.kind,
                url=new.url.get_secret_value(),
                secret=new.secret.get_secret_value() if new.secret is not None else None,
                language=new.language,
                market=new.market,
                app_id=_plain(new.app_id),
                app_secret=_plain(new.app_secret),
                created_at=now,
                updated_at=now,
            )
            .returning(webhook_targets.c.id)
        )
        async with self.engine.begin() as conn:
            target_id = int((await conn.execute(insert)).scalar_one())
            server_id = target_server_id(new.kind, target_id)
            await self.ensure_server(conn, WEBHOOK, server_id)
            await conn.execute(
                update(servers)
                .where(servers.c.platform == WEBHOOK, servers.c.server_id == server_id)
                .values(language=shown, colors=colors, watchlist=json.dumps(tickers))
            )
            await conn.execute(
                self.insert(subscriptions).values(
                    platform=WEBHOOK,
                    server_id=server_id,
                    channel_id=str(target_id),
                    schedule_time=new.time,
                    timezone=new.timezone,
                    language=shown,
                    # the digest follows the named market's close and sessions, else the
                    # exchange its watchlist shares (as a chat digest does)
                    market=market_mic(new.market) if new.market else shared_market(tickers),
                    market_auto=new.market is None,
                    enabled=True,
                    created_at=now,
                    updated_at=now,
                )
            )
            for ticker in dict.fromkeys(new.alert_tickers):
                await conn.execute(
                    self.insert(alerts).values(
                        platform=WEBHOOK,
                        server_id=server_id,
                        channel_id=str(target_id),
                        ticker=ticker,
                        user_id=None,
                        created_at=now,
                    )
                )
        found = await self.get_webhook(target_id)
        assert found is not None
        return found

    async def get_webhook(self, target_id: int) -> WebhookTarget | None:
        """One target with its schedule, watchlist, colours and alerts; None if there is none."""
        found = await self.list_webhooks(only=target_id)
        return found[0] if found else None

    async def list_webhooks(self, *, only: int | None = None) -> list[WebhookTarget]:
        """Every target (by id), or the one with id ``only``."""
        query = select(webhook_targets).order_by(webhook_targets.c.id)
        if only is not None:
            query = query.where(webhook_targets.c.id == only)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
            if not rows:
                return []
            mine = [subscriptions.c.platform == WEBHOOK]
            their = [servers.c.platform == WEBHOOK]
            theirs = [alerts.c.platform == WEBHOOK]
            if only is not None:  # one target: its rows only (the poster looks targets up)
                server_id = target_server_id(rows[0].kind, rows[0].id)
                mine.append(subscriptions.c.server_id == server_id)
                their.append(servers.c.server_id == server_id)
                theirs.append(alerts.c.server_id == server_id)
            subs = {r.server_id: r for r in await conn.execute(select(subscriptions).where(*mine))}
            srvs = {r.server_id: r for r in await conn.execute(select(servers).where(*their))}
            tickers: dict[str, list[str]] = {}
            query_alerts = select(alerts).where(*theirs).order_by(alerts.c.id)
            for r in await conn.execute(query_alerts):
                tickers.setdefault(r.server_id, []).append(r.ticker)
        out = []
        for row in rows:
            base = _target(row)
            sub, srv = subs.get(base.server_id), srvs.get(base.server_id)
            watch = tuple(json.loads(srv.watchlist)) if srv is not None and srv.watchlist else ()
            out.append(
                WebhookTarget(
                    **{
                        **base.__dict__,
                        "subscription_id": sub.id if sub is not None else None,
                        "time": sub.schedule_time if sub is not None else None,
                        "timezone": sub.timezone if sub is not None else "UTC",
                        "watchlist": watch,
                        "colors": srv.colors if srv is not None else None,
                        "alert_tickers": tuple(tickers.get(base.server_id, ())),
                    }
                )
            )
        return out

    async def remove_webhook(self, target_id: int) -> bool:
        """Remove a target with its server, subscription (and its ledger) and alerts."""
        async with self.engine.begin() as conn:
            row = (
                await conn.execute(select(webhook_targets).where(webhook_targets.c.id == target_id))
            ).one_or_none()
            if row is None:
                return False
            server_id = target_server_id(row.kind, row.id)
            for table in (alerts, subscriptions, servers):
                await conn.execute(
                    delete(table).where(table.c.platform == WEBHOOK, table.c.server_id == server_id)
                )
            await conn.execute(delete(webhook_targets).where(webhook_targets.c.id == target_id))
        return True

    async def pause_webhook(self, target_id: int, reason: str) -> bool:
        """Pause a target for ``reason`` (plain words, no credential); True if it changed."""
        stmt = (
            update(webhook_targets)
            .where(webhook_targets.c.id == target_id)
            .where(
                webhook_targets.c.paused_reason.is_(None)
                | (webhook_targets.c.paused_reason != reason)
            )
            .values(paused_reason=reason[:500], updated_at=self.now())
        )
        async with self.engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount > 0

    async def resume_webhook(self, target_id: int) -> bool:
        """Clear a target's pause; True if it was paused."""
        stmt = (
            update(webhook_targets)
            .where(webhook_targets.c.id == target_id, webhook_targets.c.paused_reason.is_not(None))
            .values(paused_reason=None, updated_at=self.now())
        )
        async with self.engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount > 0
