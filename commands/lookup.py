"""Looking tickers up: cards for a session, the session a request is about, the words of a
request, and the message for a signal error.

The library below the ``signal``, ``history`` and ``digest`` commands, the alerts and the CLI
(so that none of them imports another command module for it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

import pandas as pd

from commands.reply import Message, UserError
from commands.validation import parse_date
from formatting.card import Card
from formatting.memo import IdentityMemo
from formatting.signal_errors import error_params
from signals.errors import SignalError
from signals.exchanges import UnknownExchange
from signals.funds import lookup
from signals.momentum import Signal, compute_signals
from signals.service import PriceService, SessionNotClosed, SessionOutOfRange, Sessions
from signals.sessions import session_of

CHART_SESSIONS = 63  # about three months of closes on the chart
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def error_message(error: SignalError) -> Message:
    """The user-facing message for a signal error."""
    return Message(key=error.key, params=error_params(error))


def message_for(error: SignalError | UserError) -> Message:
    """The message for any of the project's own errors (a user mistake or a signal error)."""
    return error_message(error) if isinstance(error, SignalError) else error.message


async def build_cards(
    prices: PriceService,
    tickers: Sequence[str],
    *,
    session: Sessions,
    memo: IdentityMemo | None = None,
) -> dict[str, Card | SignalError]:
    """Cards (signal + fund + chart closes) for ``tickers`` as of ``session`` (one for all, or
    each ticker's own exchange's), cache first.

    With ``memo``, a ticker whose bars are the very frame a card was built from before (a warm
    request answered by the in-memory cache) gets that card again without recomputing it.
    """
    fetched = await prices.bars(tickers, session=session)
    out: dict[str, Card | SignalError] = {}
    fresh: list[str] = []
    for ticker in tickers:
        frame = fetched.bars.get(ticker)
        if ticker in fetched.errors or frame is None:
            continue
        key = (
            ticker,
            session_of(session, ticker),
            fetched.sources.get(ticker),
            fetched.currencies.get(ticker),
        )
        known = memo.find((frame,), key) if memo is not None else None
        if isinstance(known, Card):
            out[ticker] = known
        else:
            fresh.append(ticker)
    computed = compute_signals(
        {t: fetched.bars[t] for t in fresh},
        as_of=session,
        thresholds=prices.thresholds,
        sources=fetched.sources,
        currencies=fetched.currencies,
        exchanges=fetched.exchanges,
    )
    for ticker in tickers:
        if ticker in out:
            continue
        result = fetched.errors.get(ticker) or computed[ticker]
        if not isinstance(result, Signal):
            out[ticker] = result
            continue
        frame = fetched.bars[ticker]
        close = frame["Close"]
        close = close.loc[close.index <= pd.Timestamp(result.as_of)].tail(CHART_SESSIONS)
        card = Card(
            signal=result,
            fund=lookup(ticker),
            closes=tuple(
                (d.date(), float(v)) for d, v in zip(close.index, close.to_numpy(), strict=True)
            ),
            expected_session=session_of(session, ticker),
            source=result.source,
        )
        if memo is not None:
            key = (
                ticker,
                session_of(session, ticker),
                fetched.sources.get(ticker),
                fetched.currencies.get(ticker),
            )
            memo.put((frame,), key, card)
        out[ticker] = card
    return {t: out[t] for t in tickers}


async def resolve_sessions(
    prices: PriceService, tickers: Sequence[str], now: datetime, as_of: date | None
) -> dict[str, date]:
    """Each ticker's session: its own exchange's last close, or ``as_of`` there (validated)."""
    try:
        return await prices.sessions_for(tickers, now, as_of)
    except UnknownExchange as exc:
        raise UserError("error.unknown_exchange", ticker=exc.ticker, suffix=exc.suffix) from None
    except SessionOutOfRange as exc:
        raise UserError("error.date_out_of_range", date=exc.requested, first=exc.first) from None
    except SessionNotClosed as exc:
        raise UserError("error.future_date", date=exc.requested, latest=exc.latest) from None


def resolve_session(prices: PriceService, now: datetime, as_of: date | None) -> date:
    """The session a request is about: ``as_of`` if given (validated), else the last close."""
    try:
        return prices.session_for(now, as_of)
    except SessionOutOfRange as exc:
        raise UserError("error.date_out_of_range", date=exc.requested, first=exc.first) from None
    except SessionNotClosed as exc:
        raise UserError("error.future_date", date=exc.requested, latest=exc.latest) from None


def split_words(text: str) -> tuple[str, date | None]:
    """Tickers and an optional ISO date among the words (``IWM SPY 2026-06-05``)."""
    words = text.split()
    dates = [w for w in words if ISO_DATE.fullmatch(w)]
    if len(dates) > 1:
        raise UserError("error.bad_date", value=" ".join(dates))
    tickers = " ".join(w for w in words if w not in dates)
    return tickers, parse_date(dates[0]) if dates else None
