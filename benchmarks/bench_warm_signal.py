"""The warm /signal path as ``bot/app.py`` wires it: real settings, a SQLite store, the dispatcher.

A repeated ``/signal IWM`` (language, cache hit, Card, Discord payload) is timed, and the
SQL statements touching ``price_bars`` during the warm runs are counted (expected: none, the
in-memory LRU answers).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event

from benchmarks.timing import Timing, measure_async
from bot.dispatch import Dispatcher
from bot.services import price_service
from bot.settings import load_settings
from bot.storage import open_storage
from commands.context import Services
from formatting.card import Card
from formatting.cardchart import chart_filename, chart_png
from formatting.embeds import card_to_discord
from tests.fakes.market import last_session_now, write_price_dir


@dataclass
class Warm:
    """Timings of the warm path and what it cost besides time."""

    payload: Timing
    charted: Timing
    bar_queries: int
    upstream_calls: int


@asynccontextmanager
async def wired(directory: Path, data_dir: Path) -> AsyncIterator[tuple[Dispatcher, Any, Any]]:
    """The dispatcher, price service and storage exactly as ``run_bot`` builds them."""
    settings = load_settings(
        env_file=None, price_source=f"csv:{directory}", data_dir=data_dir, database_url=""
    )
    async with open_storage(settings.storage.async_database_url) as storage:
        prices = price_service(settings, storage)
        services = Services(
            prices=prices,
            settings=storage,
            default_language=settings.chat.default_language,
            about_source=prices.source.name,
        )
        yield Dispatcher(services), prices, storage


async def _bench(directory: Path, data_dir: Path, runs: int) -> Warm:
    async with wired(directory, data_dir) as (dispatcher, prices, storage):
        queries = [0]

        def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            if "price_bars" in statement:
                queries[0] += 1

        async def one(chart: bool) -> None:
            outcome = await dispatcher.run(
                "signal", {"ticker": "IWM"}, platform="discord", server_id="1"
            )
            card: Card = outcome.reply.cards[0]
            card_to_discord(card, outcome.language, image=f"attachment://{chart_filename(card)}")
            if chart:
                await asyncio.to_thread(chart_png, card, outcome.language)

        await one(True)  # cold: fetches and caches the bars, renders the chart once
        calls = prices.upstream_calls
        event.listen(storage.engine.sync_engine, "before_cursor_execute", count)
        try:
            payload = await measure_async(lambda: one(False), runs=runs, warmup=10)
            charted = await measure_async(lambda: one(True), runs=runs // 2, warmup=3)
        finally:
            event.remove(storage.engine.sync_engine, "before_cursor_execute", count)
        return Warm(payload, charted, queries[0], prices.upstream_calls - calls)


def run(runs: int = 400) -> list[str]:
    """Run the benchmark and return report lines."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = write_price_dir(Path(tmp) / "prices", {"IWM": 1.0}, end=last_session_now())
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        warm = asyncio.run(_bench(directory, data_dir, runs))
    return [
        "warm /signal IWM as wired in bot/app.py (settings, SQLite store, dispatcher)",
        f"  cache hit -> Card -> Discord payload: {warm.payload}",
        f"  with the chart PNG (memoised per card): {warm.charted}",
        f"  SQL statements on price_bars during the warm runs: {warm.bar_queries} (expected 0)",
        f"  upstream fetches during the warm runs: {warm.upstream_calls} (expected 0)",
    ]
