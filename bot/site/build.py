"""``signalbot site build``: the cards of the chosen funds and sessions, written as pages.

The cards are the ``signal`` command's own (``commands.lookup.build_cards`` with the track
record attached as ``signal`` does), so a page's numbers are ``signal --json``'s for that
session; each card's data is also kept beside its page as ``signal.json``.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from bot.site.pages import (
    FundLink,
    SessionLink,
    SignalJson,
    card_page,
    fund_page,
    index_page,
    root_page,
)
from bot.site.preview import preview_png
from bot.site.urls import card_path, fund_path, index_path, relative
from bot.site.write import sitemap, write_atomic
from bot.storage import Storage
from bot.storage.models import alerts, servers
from bot.storage.records import DEFAULT_WATCHLIST
from commands.history import with_track_lines
from commands.lookup import build_cards, error_message, resolve_sessions
from commands.reply import Message
from formatting.card import Card
from formatting.cardchart import chart_png
from formatting.i18n import t
from formatting.languages import Lang
from formatting.numbers import long_date
from signals.errors import SignalError
from signals.funds import lookup
from signals.regimes import REGIME_TONE
from signals.service import PriceService

#: How many sessions a fund page lists (about three months).
FUND_SESSIONS = 60
TONE = {1: "up", -1: "down", 0: "flat"}
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


def _session_links(root: Path, ticker: str, lang: Lang, here: str) -> list[SessionLink]:
    """The fund's sessions on disk (this build's and earlier ones'), newest first."""
    found: list[SessionLink] = []
    folder = root / card_path(ticker, date(2000, 1, 1), lang).split("/")[0]
    for data in sorted(folder.glob("*/signal.json"), reverse=True)[:FUND_SESSIONS]:
        signal = json.loads(data.read_text(encoding="utf-8"))
        day = date.fromisoformat(signal["as_of"])
        regime = signal["regime"]
        found.append(
            SessionLink(
                day=day,
                when=long_date(day, lang),
                label=t(f"regime.{regime}.label", lang),
                tone=_tone_of(regime),
                href=relative(here, card_path(ticker, day, lang)),
            )
        )
    return found


def _tone_of(regime: str) -> str:
    return TONE[next(v for k, v in REGIME_TONE.items() if k.value == regime)]


def write_site(
    out: Path,
    cards: dict[str, list[Card]],
    *,
    langs: Sequence[Lang],
    base: str,
    signal_json: SignalJson,
) -> int:
    """Write every page of ``cards`` under ``out`` (blocking: run it in a worker thread).

    Returns the number of pages written. The index and the sitemap cover every fund and page on
    disk, so a build with ``--tickers`` adds to an earlier one instead of hiding it.
    """
    pages = 0
    for ticker, history in cards.items():
        fund_paths = {lang: fund_path(ticker, lang) for lang in langs}
        for card in history:
            paths = {lang: card_path(ticker, card.signal.as_of, lang) for lang in langs}
            folder = out / paths[langs[0]].split("/")[0] / card.signal.as_of.isoformat()
            write_atomic(folder / "signal.json", json.dumps(signal_json(card), indent=2))
            for lang in langs:
                here = paths[lang]
                # the chart carries words (title, legend, as-of line): one per language
                write_atomic(out / here / "chart.png", chart_png(card, lang))
                write_atomic(out / here / "preview.png", preview_png(card, lang))
                html = card_page(
                    card,
                    lang,
                    here=here,
                    paths=paths,
                    langs=langs,
                    base=base,
                    fund_href=relative(here, fund_paths[lang]),
                    signal_json=signal_json,
                )
                write_atomic(out / here / "index.html", html)
                pages += 1
        latest = history[-1]
        for lang in langs:
            here = fund_paths[lang]
            html = fund_page(
                ticker,
                lang,
                here=here,
                paths=fund_paths,
                langs=langs,
                base=base,
                latest=latest,
                sessions=_session_links(out, ticker, lang, here),
                latest_href=relative(here, card_path(ticker, latest.signal.as_of, lang)),
            )
            write_atomic(out / here / "index.html", html)
            pages += 1
    pages += _write_indexes(out, langs=langs, base=base)
    write_atomic(out / "site.css", (STATIC / "site.css").read_bytes())
    write_atomic(out / "sitemap.xml", sitemap(out, base))
    return pages


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
                    tone=_tone_of(regime),
                    when=long_date(date.fromisoformat(str(signal["as_of"])), lang),
                    href=relative(here, fund_path(ticker, lang)),
                )
            )
        html = index_page(lang, here=here, paths=paths, langs=langs, base=base, funds=funds)
        write_atomic(out / here / "index.html", html)
    write_atomic(out / "index.html", root_page(paths=paths, langs=langs, base=base))
    return len(langs) + 1


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
) -> SiteReport:
    """Fetch the cards, then write the pages off the event loop."""
    cards, errors = await collect_cards(prices, tickers, now=now, since=since)
    report = SiteReport(errors=errors, cards=sum(len(h) for h in cards.values()))
    if cards:
        report.pages = await asyncio.to_thread(
            write_site, out, cards, langs=langs, base=base, signal_json=signal_json
        )
    return report
