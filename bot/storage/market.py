"""Market data kept between runs: signal history, the bars cache (by source) and app state."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

import pandas as pd
from sqlalchemy import delete, select

from bot.storage import barcodec
from bot.storage._base import StorageBase
from bot.storage.models import app_state, price_bars, signal_history
from signals.momentum import Signal

log = logging.getLogger(__name__)

_HISTORY_VALUES = ("close", "r_1d", "r_5d", "r_1m", "sigma", "fast", "slow")


class MarketMixin(StorageBase):
    """Signal history, the :class:`~signals.service.BarStore` protocol and key/value state."""

    async def record_signals(self, signals: Iterable[Signal]) -> int:
        """Upsert each signal into the history (one row per ticker and session); the count."""
        now = self.now()
        rows = [
            {
                "ticker": s.ticker,
                "session": s.as_of,
                "regime": s.regime.value,
                **{name: float(getattr(s, name)) for name in _HISTORY_VALUES},
                "recorded_at": now,
            }
            for s in signals
        ]
        if not rows:
            return 0
        stmt = self.upsert(
            signal_history,
            rows,
            keys=["ticker", "session"],
            update=["regime", *_HISTORY_VALUES, "recorded_at"],
        )
        async with self.engine.begin() as conn:
            await conn.execute(stmt, rows)
        return len(rows)

    async def previous_regime(self, ticker: str, before_session: date) -> str | None:
        """The regime id recorded for ``ticker`` on its latest session before ``before_session``."""
        query = (
            select(signal_history.c.regime)
            .where(signal_history.c.ticker == ticker, signal_history.c.session < before_session)
            .order_by(signal_history.c.session.desc())
            .limit(1)
        )
        async with self.engine.connect() as conn:
            return (await conn.execute(query)).scalar_one_or_none()

    async def load_bars(self, source: str, ticker: str, session: date) -> pd.DataFrame | None:
        """Bars ``source`` gave for ``ticker`` fetched for ``session``, or None (also for an
        unreadable entry)."""
        query = select(price_bars.c.payload).where(
            price_bars.c.source == source,
            price_bars.c.ticker == ticker,
            price_bars.c.session == session,
        )
        async with self.engine.connect() as conn:
            payload = (await conn.execute(query)).scalar_one_or_none()
        if payload is None:
            return None
        try:
            return barcodec.load_bars(payload)
        except ValueError:
            log.warning("ignoring unreadable cached bars ticker=%s session=%s", ticker, session)
            return None

    async def save_bars(self, source: str, ticker: str, session: date, bars: pd.DataFrame) -> None:
        """Remember bars ``source`` gave for ``ticker`` fetched for ``session`` (replacing an
        older copy from the same source)."""
        values = {
            "source": source,
            "ticker": ticker,
            "session": session,
            "payload": barcodec.dump_bars(bars),
            "fetched_at": self.now(),
        }
        stmt = self.upsert(
            price_bars,
            values,
            keys=["source", "ticker", "session"],
            update=["payload", "fetched_at"],
        )
        async with self.engine.begin() as conn:
            await conn.execute(stmt)

    async def prune_bars(self, before_session: date) -> int:
        """Drop cached bars fetched for sessions before ``before_session``; how many."""
        stmt = delete(price_bars).where(price_bars.c.session < before_session)
        async with self.engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount

    async def get_state(self, key: str) -> str | None:
        """A value from the key/value app state, or None."""
        query = select(app_state.c.value).where(app_state.c.key == key)
        async with self.engine.connect() as conn:
            return (await conn.execute(query)).scalar_one_or_none()

    async def set_state(self, key: str, value: str) -> None:
        """Set a key/value app state entry."""
        values = {"key": key, "value": value, "updated_at": self.now()}
        stmt = self.upsert(app_state, values, keys=["key"], update=["value", "updated_at"])
        async with self.engine.begin() as conn:
            await conn.execute(stmt)
