"""The ``history`` command (track record) and the card's track-record line."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from commands.context import Request, Services
from commands.lookup import error_message, resolve_sessions, split_words
from commands.reply import Reply, UserError
from commands.validation import parse_date, parse_tickers
from formatting.card import Card
from formatting.memo import IdentityMemo
from formatting.track_record import HistoryView
from signals.errors import NoData, SignalError
from signals.service import PriceService, Sessions
from signals.sessions import session_of
from signals.track_record import HISTORY_SESSIONS, Stats, TrackRecord, track_records

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class HistoryReply(Reply):
    """A reply carrying the history view; adapters render it as a table and a chart."""

    history: HistoryView


async def fetch_track_records(
    prices: PriceService,
    tickers: Sequence[str],
    *,
    session: Sessions,
    memo: IdentityMemo | None = None,
) -> dict[str, TrackRecord | SignalError]:
    """Track records as of ``session``: 20 years of bars, fetched once per ticker per session.

    With ``memo``, a record is computed once for the same bars (same source, session, length,
    last row): a warm ``/signal`` does not recompute 5,040 sessions of regimes.
    """
    fetched = await prices.history(tickers, session=session, sessions=HISTORY_SESSIONS)
    out: dict[str, TrackRecord | SignalError] = {}
    for ticker in dict.fromkeys(tickers):
        error = fetched.errors.get(ticker)
        frame = fetched.bars.get(ticker)
        if error is not None or frame is None:
            out[ticker] = error or NoData(ticker, "no bars")
            continue
        last = tuple(frame.iloc[-1].tolist()) if len(frame) else ()
        day = session_of(session, ticker)
        key = ("track", ticker, fetched.sources.get(ticker), day, len(frame), last)
        found = memo.find((), key) if memo is not None else None
        if found is None:
            found = track_records(
                {ticker: frame},
                as_of=day,
                thresholds=prices.thresholds,
                exchanges=fetched.exchanges,
            )[ticker]
            if memo is not None and isinstance(found, TrackRecord):
                memo.put((), key, found)
        out[ticker] = found
    return out


def check_record(record: TrackRecord) -> None:
    """Raise the user's message when the record has nothing to show (flat or too short)."""
    if record.baseline.n > 0 or record.current is not None:
        return
    if not record.moved and record.sessions > 1:
        raise UserError("error.history_flat", ticker=record.ticker, sessions=record.sessions)
    raise UserError("error.history_too_short", ticker=record.ticker, closes=record.sessions)


async def with_track_lines(
    prices: PriceService, cards: Sequence[Card], *, memo: IdentityMemo | None = None
) -> tuple[Card, ...]:
    """The cards with their track record attached; a card whose history fails keeps none.

    With ``memo`` (the command's card memo) the same card and record give the same card
    object again, so the renderers' memo of its text still applies.
    """
    if not cards:
        return ()
    try:
        records = await fetch_track_records(
            prices,
            [c.ticker for c in cards],
            session={c.ticker: c.expected_session for c in cards},
            memo=memo,
        )
    except Exception:  # the card is still right without its line; never lose the card
        log.warning("track record failed for %s", ",".join(c.ticker for c in cards), exc_info=True)
        return tuple(cards)
    out = []
    for card in cards:
        record = records.get(card.ticker)
        if isinstance(record, TrackRecord) and record.as_of == card.signal.as_of:
            plain = card

            def attach(c: Card = plain, r: TrackRecord = record) -> Card:
                return dataclasses.replace(c, track=r)

            card = memo.get((plain, record), "with_track", attach) if memo else attach()
        out.append(card)
    return tuple(out)


async def handle_history(request: Request, services: Services) -> Reply:
    """The track record of one ticker as of the last close (or ``as_of``)."""
    words, in_text = split_words(request.args.get("ticker", ""))
    raw_as_of = request.args.get("as_of")
    as_of = parse_date(raw_as_of) if raw_as_of else in_text
    tickers = parse_tickers(words, max_count=1) if words.strip() else []
    if len(tickers) != 1:
        raise UserError("error.one_ticker")
    session = await resolve_sessions(services.prices, tickers, request.now, as_of)
    result = (
        await fetch_track_records(services.prices, tickers, session=session, memo=services.cards)
    )[tickers[0]]
    if isinstance(result, SignalError):
        message = error_message(result)
        raise UserError(message.key, **message.params)
    check_record(result)
    return HistoryReply(history=HistoryView(record=result, source=services.prices.source.name))


def stats_json(stats: Stats) -> dict[str, Any]:
    """The statistics as JSON (unrounded fractions, null when there is no occurrence)."""
    return {
        "n": stats.n,
        "up5": stats.up5,
        "med5": stats.med5,
        "n21": stats.n21,
        "up21": stats.up21,
        "med21": stats.med21,
    }


async def history_provenance(
    prices: PriceService, ticker: str, session: Sessions, default: str
) -> tuple[str, str | None]:
    """The id of the source ``ticker``'s long history came from (``default`` when unknown) and
    the currency of its prices; the history is the one just fetched, answered from memory."""
    fetched = await prices.history([ticker], session=session, sessions=HISTORY_SESSIONS)
    return fetched.sources.get(ticker) or default, fetched.currencies.get(ticker)


def record_json(record: TrackRecord, *, source: str, currency: str | None = None) -> dict[str, Any]:
    """The track record as JSON: per regime, the baseline, since, as_of (SIGNALS.md fields),
    with its provenance: the source and the currency of the prices (fractions have none)."""
    return {
        "ticker": record.ticker,
        "as_of": record.as_of.isoformat(),
        "exchange": record.exchange,
        "since": record.since.isoformat() if record.since else None,
        "source": source,
        "currency": currency,
        "sessions": record.sessions,
        "current": record.current.value if record.current else None,
        "starts_after": record.starts_after.isoformat() if record.starts_after else None,
        "regimes": [{"regime": r.value, **stats_json(s)} for r, s in record.regimes.items()],
        "baseline": stats_json(record.baseline),
    }
