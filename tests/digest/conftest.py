"""Digest fixtures: storage on SQLite (and PostgreSQL when configured), CSV prices, fake posters."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.base import Attachment, ChannelGone, PostFailed
from bot.storage import Storage, open_storage
from signals.calendar import MarketCalendar
from signals.momentum import Signal
from signals.regimes import Regime
from signals.service import PriceService
from signals.sources import CsvSource
from tests.bot.conftest import (  # noqa: F401  (fixtures, re-exported)
    db_url,
    head_revision,
    pg_url,
    sqlite_template,
)
from tests.fakes.market import write_price_dir

#: A Monday session with a normal close; the previous session is Friday 2026-06-05.
SESSION = date(2026, 6, 8)
PREVIOUS = date(2026, 6, 5)
TICKERS = {"SPY": 2.4, "QQQ": 2.0, "IWM": 1.0, "DIA": 1.5, "TLT": 0.3, "GLD": 0.8, "XLE": 0.33}


class RecordingPoster:
    """A poster that records what it sends; some channels are gone, fail or never answer."""

    def __init__(
        self,
        platform: str = "discord",
        *,
        gone: Sequence[str] = (),
        failing: Sequence[str] = (),
        hang: Sequence[str] = (),
    ) -> None:
        self.platform = platform
        self.gone, self.failing, self.hang = set(gone), set(failing), set(hang)
        self.sent: list[tuple[str, dict[str, Any], tuple[Attachment, ...]]] = []

    async def send_message(
        self,
        channel_id: str,
        payload: dict[str, Any],
        files: Sequence[Attachment] = (),
        *,
        server_id: str | None = None,
    ) -> str:
        await asyncio.sleep(0)
        if channel_id in self.gone:
            raise ChannelGone(channel_id, "Unknown Channel")
        if channel_id in self.failing:
            raise PostFailed(f"channel {channel_id}: boom")
        if channel_id in self.hang:
            await asyncio.Event().wait()
        self.sent.append((channel_id, payload, tuple(files)))
        return f"m{len(self.sent)}"

    def channels(self) -> list[str]:
        return [channel for channel, _, _ in self.sent]


def make_signal(ticker: str, as_of: date, regime: Regime, close: float = 100.0) -> Signal:
    """A signal with round numbers (for history rows and renderer tests)."""
    return Signal(
        ticker=ticker,
        as_of=as_of,
        close=close,
        r_1d=-0.0355,
        r_5d=-0.0233,
        r_1m=-0.0022,
        sigma=0.012,
        z_1d=-2.9,
        z_5d=-0.9,
        z_1m=-0.1,
        fast=-1.9,
        slow=-0.1,
        regime=regime,
        closes=90,
    )


@pytest.fixture
def price_dir(tmp_path: Path) -> Path:
    """CSV prices for :data:`TICKERS` ending on :data:`SESSION` (all ``defensive_impulse``)."""
    return write_price_dir(tmp_path / "prices", TICKERS, end=SESSION)


@pytest.fixture
async def storage(db_url: str) -> AsyncIterator[Storage]:  # noqa: F811
    """Storage on each backend (SQLite always, PostgreSQL with SIGNALBOT_TEST_DATABASE_URL)."""
    async with open_storage(db_url) as opened:
        yield opened


@pytest.fixture
def prices(price_dir: Path, storage: Storage) -> PriceService:
    """A price service over the CSV prices, caching bars in the storage."""
    return PriceService(CsvSource(price_dir), MarketCalendar(), store=storage)
