"""The warm /signal path: cache hit -> Card -> rendered Discord payload (and with the chart PNG)."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from benchmarks.timing import Timing, measure_async
from commands.context import Request, Services
from commands.registry import dispatch
from formatting.card import Card
from formatting.cardchart import chart_filename, chart_png
from formatting.embeds import card_to_discord
from signals.calendar import MarketCalendar
from signals.service import PriceService
from signals.sources.csv import CsvSource
from tests.support import last_session_now, write_price_dir


async def _bench(directory: Path) -> tuple[Timing, Timing, Timing, int]:
    prices = PriceService(CsvSource(directory), MarketCalendar())
    services = Services(prices=prices, default_language="both")
    request = Request(command="signal", args={"ticker": "IWM"}, language="both", now=_now())
    await dispatch(request, services)  # cold: fills the cache
    calls_after_cold = prices.upstream_calls

    async def payload_only() -> None:
        reply = await dispatch(request, services)
        card: Card = reply.cards[0]
        card_to_discord(card, "both", image=f"attachment://{chart_filename(card)}")

    async def with_chart() -> None:
        reply = await dispatch(request, services)
        card = reply.cards[0]
        card_to_discord(card, "both", image=f"attachment://{chart_filename(card)}")
        await asyncio.to_thread(chart_png, card, "both")

    async def first_chart() -> None:
        reply = await dispatch(request, services)
        await asyncio.to_thread(chart_png.__wrapped__, reply.cards[0], "both")

    fast = await measure_async(payload_only, runs=300, warmup=10)
    charted = await measure_async(with_chart, runs=300, warmup=3)
    uncached = await measure_async(first_chart, runs=30, warmup=3)
    return fast, charted, uncached, prices.upstream_calls - calls_after_cold


def _now():  # the real clock, as the bot uses it
    from datetime import UTC, datetime

    return datetime.now(UTC)


def run() -> list[str]:
    """Run the benchmark and return report lines."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = write_price_dir(Path(tmp), {"IWM": 1.0}, end=last_session_now())
        fast, charted, uncached, extra_calls = asyncio.run(_bench(directory))
    return [
        "warm /signal IWM (language both): cache hit -> Card -> Discord payload",
        f"  without chart: {fast}",
        f"  with chart PNG (memoised per card, the steady state): {charted}",
        f"  with the chart rendered afresh in a worker thread (first request): {uncached}",
        f"  upstream fetches during the warm runs: {extra_calls} (expected 0)",
    ]
