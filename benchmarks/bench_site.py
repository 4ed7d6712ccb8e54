"""Research pages of one session: ``BENCH_SITE_FUNDS`` funds (default 500) in every catalog
language, written by ``write_site`` as the running bot writes them after a digest.

The cards are built first from CSV prices through the price service (``collect_cards``, as the
bot does, timed on its own); then the pages (each card's word-free chart once per colour
convention, its preview image and page per language, the fund pages, the market's day page with
its heatmaps, the index and the sitemap) are written into an empty folder by worker processes,
one per core. ``BENCH_SITE_RUNS`` runs (default 3), the median reported; the issue asks for
under a minute on a 2-core machine.
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from datetime import time as clock
from pathlib import Path

from bot.site.build import collect_cards, write_site
from commands.reply import Message
from formatting.card import Card
from formatting.card_json import card_json as _signal_json
from formatting.languages import LANGS
from signals.calendar import MarketCalendar
from signals.funds import FUNDS
from signals.service import PriceService
from signals.sources import CsvSource
from tests.fakes.market import last_session_now, write_price_dir

FUNDS_N = int(os.environ.get("BENCH_SITE_FUNDS", "500"))
RUNS = int(os.environ.get("BENCH_SITE_RUNS", "3"))


def _tickers(n: int) -> dict[str, float]:
    """The catalog's funds first (their pages have the most text), then made-up tickers."""
    names = sorted(t for t in FUNDS if t.isalpha())[:n]
    names += [f"Z{i:03d}" for i in range(n - len(names))]
    return {name: 0.5 + (i % 40) / 10 for i, name in enumerate(names)}


async def _cards(
    prices: PriceService, tickers: list[str], now: datetime
) -> tuple[dict[str, list[Card]], list[Message]]:
    """The cards, 50 funds at a time (one read of 500 CSV files can pass the source's timeout
    on a busy machine)."""
    cards: dict[str, list[Card]] = {}
    errors: list[Message] = []
    for i in range(0, len(tickers), 50):
        some, failed = await collect_cards(prices, tickers[i : i + 50], now=now, since=None)
        cards.update(some)
        errors += failed
    return cards, errors


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the pool's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        session = last_session_now()
        prices_dir = write_price_dir(tmp / "prices", _tickers(FUNDS_N), end=session)
        prices = PriceService(CsvSource(prices_dir), MarketCalendar(), deadline=None)
        now = datetime.combine(session, clock(23, 0), tzinfo=UTC)
        began = time.perf_counter()
        cards, errors = asyncio.run(_cards(prices, list(_tickers(FUNDS_N)), now))
        built = time.perf_counter() - began
        assert not errors, errors[:3]
        assert len(cards) == FUNDS_N
        samples, cpu, pages = [], [], 0
        for i in range(RUNS):
            out = tmp / f"site{i}"
            before = _cpu()
            began = time.perf_counter()
            pages = write_site(
                out,
                cards,
                langs=LANGS,
                base="https://example.org/research",
                signal_json=_signal_json,
            )
            samples.append(time.perf_counter() - began)
            cpu.append(_cpu() - before)
        yield (
            f"site: {FUNDS_N} funds x {len(LANGS)} languages, {pages} pages on "
            f"{os.cpu_count()} cores: written in median {statistics.median(samples):.1f} s "
            f"(runs {', '.join(f'{s:.1f}' for s in samples)} s), CPU median "
            f"{statistics.median(cpu):.1f} s (this process and its workers: on an idle machine "
            f"about CPU / cores); cards built in {built:.1f} s; load average "
            f"{os.getloadavg()[0]:.1f}"
        )
