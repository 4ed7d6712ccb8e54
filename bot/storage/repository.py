"""``Storage``: every persistent thing the bot keeps, behind one object."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import utc_now
from bot.storage.alert_ledger import AlertLedgerMixin
from bot.storage.alerts import AlertsMixin
from bot.storage.db import SQLITE_BUSY_TIMEOUT, create_engine, upgrade
from bot.storage.leader import LeaderLock
from bot.storage.ledger import LedgerMixin
from bot.storage.market import MarketMixin
from bot.storage.subscriptions import SubscriptionsMixin
from bot.storage.urls import safe_url
from bot.storage.webhooks import WebhooksMixin
from commands.reply import UserError

log = logging.getLogger(__name__)


def _problem(exc: BaseException) -> str:
    """The innermost cause of ``exc`` on one short line (drivers wrap their errors)."""
    inner: BaseException = exc
    while getattr(inner, "orig", None) is not None:
        inner = inner.orig  # type: ignore[attr-defined]
    while inner.__cause__ is not None:
        inner = inner.__cause__
    text = " ".join(str(inner).split()) or type(inner).__name__
    return text[:200]


def database_error(
    url: str, exc: BaseException, *, busy_timeout: float = SQLITE_BUSY_TIMEOUT
) -> UserError:
    """The one-line error for a database that could not be opened at start-up."""
    log.debug("database could not be opened", exc_info=exc)
    problem = _problem(exc)
    database = safe_url(url)
    if "database is locked" in problem:
        return UserError("error.database_locked", database=database, seconds=int(busy_timeout))
    return UserError("error.database_unreachable", database=database, problem=problem)


class Storage(
    SubscriptionsMixin, AlertLedgerMixin, LedgerMixin, MarketMixin, AlertsMixin, WebhooksMixin
):
    """Servers, subscriptions, the delivery ledger, signal history, bars cache and app state.

    Each method is one short transaction, committed before it returns. Implements
    :class:`signals.service.BarStore`.
    """

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__(engine, clock=clock)
        self.leader = LeaderLock(engine)

    async def try_advisory_lock(self, key: int) -> bool:
        """Become leader for ``key`` without waiting (always True on SQLite)."""
        return await self.leader.try_advisory_lock(key)

    async def release_advisory_lock(self) -> None:
        """Give up leadership, if held."""
        await self.leader.release_advisory_lock()

    async def close(self) -> None:
        """Release the leader lock and close every connection."""
        await self.leader.release_advisory_lock()
        await self.engine.dispose()


@asynccontextmanager
async def open_storage(
    url: str,
    *,
    migrate: bool = True,
    clock: Callable[[], datetime] = utc_now,
    busy_timeout: float = SQLITE_BUSY_TIMEOUT,
) -> AsyncIterator[Storage]:
    """Migrate the database at ``url`` to head (unless ``migrate`` is False) and open it.

    A database that cannot be opened (unreachable server, bad URL or password, a SQLite file
    locked by another process, no permission) raises :class:`~commands.reply.UserError` with
    one line saying which database, what failed and what to check; the CLI prints it. So do a
    corrupted or lost SQLite file and a migration refused (see :mod:`bot.storage.db`).
    """
    try:
        if migrate:
            await upgrade(url, busy_timeout=busy_timeout)
        storage = Storage(create_engine(url, busy_timeout=busy_timeout), clock=clock)
    except UserError:
        raise  # already one line naming the database and what to do
    except Exception as exc:
        raise database_error(url, exc, busy_timeout=busy_timeout) from None
    log.info("storage open database=%s", safe_url(url))
    try:
        yield storage
    finally:
        await storage.close()
