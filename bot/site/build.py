"""``signalbot site build``: the cards of the chosen funds and sessions, written as pages.

The cards are the ``signal`` command's own (``commands.lookup.build_cards`` with the track
record attached as ``signal`` does), so a page's numbers are ``signal --json``'s for that
session; each card's data is also kept beside its page as ``signal.json``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import os
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from bot.digest.render import _worker_init
from bot.site.days import day_jobs, day_title, write_day
from bot.site.pages import FundLink, MarketLink, SignalJson, index_page, root_page
from bot.site.render import Batch, tone_of, write_batch
from bot.site.urls import day_path, fund_path, index_path, relative
from bot.site.write import sitemap, write_atomic
from bot.storage import Storage
from bot.storage.models import alerts, servers
from bot.storage.records import DEFAULT_WATCHLIST
from commands.history import with_track_lines
from commands.lookup import build_cards, error_message, resolve_sessions
from commands.reply import Message
from formatting.card import Card
from formatting.i18n import t
from formatting.languages import Lang
from formatting.numbers import long_date
from signals.errors import SignalError
from signals.funds import lookup
from signals.service import PriceService

STATIC = Path(__file__).parent / "static"


async def known_tickers(storage: Storage) -> list[str]:
    """The funds of every watchlist (a server without one has the default) and every alert; the
    default watchlist when the bot knows no server yet."""
    async with storage.engine.connect() as conn:
        lists = (await conn.execute(select(servers.c.watchlist))).scalars().all()
        alerted = (await conn.execute(select(alerts.c.ticker).order_by(alerts.c.id))).scalars()
        alerted_list = list(alerted.all())
    found: list[str] = []
    for stored in lists:
        found += json.loads(stored) if stored is not None else DEFAULT_WATCHLIST
    found += alerted_list
    return list(dict.fromkeys(found)) or list(DEFAULT_WATCHLIST)


@dataclass
class SiteReport:
    """What a build wrote, and what it could not."""

    pages: int = 0
    cards: int = 0
    errors: list[Message] = field(default_factory=list)


async def collect_cards(
    prices: PriceService, tickers: Sequence[str], *, now: datetime, since: date | None
) -> tuple[dict[str, list[Card]], list[Message]]:
    """Each ticker's cards, oldest first: its last session's, and with ``since`` every session
    from then on that its chart's closes hold (about three months at most)."""
    latest_sessions = await resolve_sessions(prices, tickers, now, None)
    latest = await build_cards(prices, tickers, session=latest_sessions)
    errors = [error_message(r) for r in latest.values() if isinstance(r, SignalError)]
    good = [c for c in latest.values() if isinstance(c, Card)]
    out: dict[str, list[Card]] = {c.ticker: [] for c in good}
    by_day: dict[date, list[str]] = defaultdict(list)
    if since is not None:
        for card in good:
            for day, _ in card.closes:
                if since <= day < card.signal.as_of:
                    by_day[day].append(card.ticker)
    for day in sorted(by_day):
        past = await build_cards(prices, by_day[day], session={t: day for t in by_day[day]})
        cards = [c for c in past.values() if isinstance(c, Card)]
        errors += [error_message(r) for r in past.values() if isinstance(r, SignalError)]
        for card in await with_track_lines(prices, cards):
            out[card.ticker].append(card)
    for card in await with_track_lines(prices, good):
        out[card.ticker].append(card)
    return out, errors


#: At most this many funds per task handed to a worker process.
BATCH = 25


def _batches(cards: dict[str, list[Card]], size: int) -> list[tuple[tuple[Card, ...], ...]]:
    histories = [tuple(h) for h in cards.values() if h]
    return [tuple(histories[i : i + size]) for i in range(0, len(histories), size)]


def write_site(
    out: Path,
    cards: dict[str, list[Card]],
    *,
    langs: Sequence[Lang],
    base: str,
    signal_json: SignalJson,
    processes: int | None = None,
) -> int:
    """Write every page of ``cards`` under ``out`` (blocking: run it in a worker thread).

    The funds' pages are drawn and written in ``processes`` worker processes (default: one per
    core), then each market's day page of the sessions written; the index and the sitemap cover
    every fund and page on disk, so a build with ``--tickers`` adds to an earlier one instead of
    hiding it. Returns the number of pages written.
    """
    langs = tuple(langs)
    workers = (os.cpu_count() or 1) if processes is None else processes
    batches = [
        Batch(out, histories, langs, base, signal_json)
        for histories in _batches(cards, max(1, min(BATCH, len(cards) // max(workers * 4, 1))))
    ]
    days = {(c.signal.exchange, c.signal.as_of) for h in cards.values() for c in h}
    with _pool(workers) as pool:
        pages = sum(pool.map(write_batch, batches))
        pages += sum(pool.map(write_day, day_jobs(out, days, langs=langs, base=base)))
    pages += _write_indexes(out, langs=langs, base=base)
    write_atomic(out / "site.css", (STATIC / "site.css").read_bytes())
    write_atomic(out / "sitemap.xml", sitemap(out, base))
    return pages


def _pool(workers: int) -> Executor:
    """``workers`` worker processes (``spawn``ed: nothing of the bot's threads is inherited;
    each exits if the bot dies), or this thread alone for 0 (small builds, tests)."""
    if workers <= 0:
        return ThreadPoolExecutor(max_workers=1)
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_init,
        initargs=(os.getpid(),),
    )


def _latest_on_disk(out: Path) -> dict[str, dict[str, object]]:
    """Each fund's newest ``signal.json`` under ``out``, by ticker."""
    found: dict[str, dict[str, object]] = {}
    for data in sorted(out.glob("*/*/signal.json")):
        signal = json.loads(data.read_text(encoding="utf-8"))
        found[str(signal["ticker"])] = signal  # sorted: the last one read is the newest
    return found


def _write_indexes(out: Path, *, langs: Sequence[Lang], base: str) -> int:
    latest = _latest_on_disk(out)
    paths = {lang: index_path(lang) for lang in langs}
    for lang in langs:
        here = paths[lang]
        funds = []
        for ticker, signal in sorted(latest.items()):
            fund = lookup(ticker)
            regime = str(signal["regime"])
            funds.append(
                FundLink(
                    ticker=ticker,
                    name=fund.name_in(lang) if fund is not None else "",
                    label=t(f"regime.{regime}.label", lang),
                    tone=tone_of(regime),
                    when=long_date(date.fromisoformat(str(signal["as_of"])), lang),
                    href=relative(here, fund_path(ticker, lang)),
                )
            )
        html = index_page(
            lang,
            here=here,
            paths=paths,
            langs=langs,
            base=base,
            funds=funds,
            markets=_market_links(out, lang, here),
        )
        write_atomic(out / here / "index.html", html)
    write_atomic(out / "index.html", root_page(paths=paths, langs=langs, base=base))
    return len(langs) + 1


def _market_links(out: Path, lang: Lang, here: str) -> list[MarketLink]:
    """Each market's latest day page on disk."""
    latest: dict[str, date] = {}
    for folder in out.glob("markets/*/*/"):
        with contextlib.suppress(ValueError):
            day = date.fromisoformat(folder.name)
            latest[folder.parent.name] = max(day, latest.get(folder.parent.name, day))
    return [
        MarketLink(
            title=day_title(mic.upper(), day, lang),
            href=relative(here, day_path(mic.upper(), day, lang)),
        )
        for mic, day in sorted(latest.items())
    ]


async def build_site(
    prices: PriceService,
    tickers: Sequence[str],
    out: Path,
    *,
    now: datetime,
    since: date | None,
    langs: Sequence[Lang],
    base: str,
    signal_json: SignalJson,
    processes: int | None = None,
) -> SiteReport:
    """Fetch the cards, then write the pages off the event loop."""
    cards, errors = await collect_cards(prices, tickers, now=now, since=since)
    report = SiteReport(errors=errors, cards=sum(len(h) for h in cards.values()))
    if cards:
        report.pages = await asyncio.to_thread(
            write_site,
            out,
            cards,
            langs=langs,
            base=base,
            signal_json=signal_json,
            processes=processes,
        )
    return report
