"""The ``signal`` command: momentum cards for one or more tickers."""

from __future__ import annotations

from dataclasses import replace

from commands.context import Request, Services
from commands.history import with_track_lines
from commands.lookup import (
    build_cards,
    error_message,
    resolve_session,
    resolve_sessions,
    split_words,
)
from commands.reply import Reply, UserError
from commands.validation import parse_date, parse_tickers
from formatting.card import Card
from signals.errors import SignalError

#: Re-exported for the modules that import them from here (the CLI, the alerts runner).
__all__ = [
    "build_cards",
    "error_message",
    "handle_signal",
    "resolve_session",
    "resolve_sessions",
    "split_words",
]


async def handle_signal(request: Request, services: Services) -> Reply:
    """Cards for the requested tickers; failures become messages next to the cards that worked."""
    words, in_text = split_words(request.args.get("ticker", ""))
    raw_as_of = request.args.get("as_of")
    as_of = parse_date(raw_as_of) if raw_as_of else in_text
    tickers = parse_tickers(words, max_count=request.max_tickers)
    sessions = await resolve_sessions(services.prices, tickers, request.now, as_of)
    results = await build_cards(services.prices, tickers, session=sessions, memo=services.cards)
    cards = await with_track_lines(
        services.prices, [r for r in results.values() if isinstance(r, Card)], memo=services.cards
    )
    if services.site is not None:  # each card links to its research page when it has one
        cards = tuple(replace(c, site_url=url) if (url := services.site(c)) else c for c in cards)
    errors = tuple(error_message(r) for r in results.values() if isinstance(r, SignalError))
    if not cards:
        first = errors[0]
        raise UserError(first.key, **first.params)
    return Reply(cards=cards, messages=errors)
