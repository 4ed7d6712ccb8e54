"""The history command and the card's track-record line, end to end over a counting source."""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest

from commands.context import Request, Services
from commands.history import HistoryReply, record_json
from commands.registry import dispatch
from commands.reply import UserError
from signals.bars import FetchResult, bars_until
from signals.calendar import MarketCalendar
from signals.errors import NoData
from signals.regimes import Regime
from signals.service import PriceService
from tests.fakes.market import bars_from_closes

SESSION = date(2026, 6, 8)
EVENING = datetime(2026, 6, 8, 23, 0, tzinfo=UTC)


def known_closes(cycles: int = 100) -> list[float]:
    """Every defensive impulse followed by five sessions of +0.8% (see the engine's tests)."""
    cycle = [0.001, -0.001] * 15 + [0.008] * 5 + [-0.04] + [0.008] * 10
    return list(100 * np.exp(np.cumsum([0.0, *(cycle * cycles)])))


def flat_bars() -> pd.DataFrame:
    """Twenty years (5,040 business days) of one unchanging close, ending on SESSION."""
    index = pd.bdate_range(end=pd.Timestamp(SESSION), periods=5040, name="Date")
    return pd.DataFrame({"Close": 50.0, "Adj Close": 50.0}, index=index)


class Source:
    """Serves fixed bars within the requested window and records every call (start, tickers)."""

    name = "counting"

    def __init__(self, bars: dict[str, pd.DataFrame]) -> None:
        self.data = bars
        self.calls: list[tuple[date, list[str]]] = []
        self.lock = threading.Lock()

    def fetch(self, tickers: Sequence[str], *, start: date, end: date) -> FetchResult:
        with self.lock:
            self.calls.append((start, list(tickers)))
        bars, errors = {}, {}
        for t in tickers:
            frame = self.data.get(t)
            if frame is None:
                errors[t] = NoData(t, "unknown")
                continue
            bars[t] = bars_until(frame.loc[frame.index >= pd.Timestamp(start)], end)
        return FetchResult(bars=bars, errors=errors)


@pytest.fixture
def source() -> Source:
    rng = np.random.default_rng(3)
    walk = list(100 * np.exp(np.cumsum(rng.normal(0, 0.01, 400))))
    return Source(
        {
            "KNOWN": bars_from_closes(known_closes(), end=SESSION),
            "IWM": bars_from_closes(walk, end=SESSION),
            "NEW": bars_from_closes(walk[:15], end=SESSION),
            "FLAT": flat_bars(),
        }
    )


def services(source: Source) -> Services:
    return Services(prices=PriceService(source, MarketCalendar()))


def request(command: str, **args: str) -> Request:
    return Request(command=command, args=args, now=EVENING, language="both")


async def test_history_reply_carries_the_record(source):
    """/history KNOWN: every defensive impulse was followed by a rise, from 20 years of bars."""
    reply = await dispatch(request("history", ticker="KNOWN"), services(source))
    assert isinstance(reply, HistoryReply)
    record = reply.history.record
    assert record.as_of == SESSION
    stats = record.regimes[Regime.DEFENSIVE_IMPULSE]
    assert stats.up5 == 1.0 and stats.med5 == pytest.approx(math.exp(0.04) - 1)
    assert reply.history.source == "counting"
    (start, _), *_ = source.calls
    assert (SESSION - start).days > 7000  # asked for 20 years


async def test_long_history_fetched_once_per_ticker_per_session(source):
    """Two /history and a /signal for the same ticker and session: one long fetch."""
    svc = services(source)
    await dispatch(request("history", ticker="IWM"), svc)
    await dispatch(request("history", ticker="iwm"), svc)
    await dispatch(request("signal", ticker="IWM"), svc)
    long_calls = [c for c in source.calls if (SESSION - c[0]).days > 7000]
    assert long_calls == [(long_calls[0][0], ["IWM"])]


async def test_signal_card_gains_its_track_line(source):
    """/signal IWM: the card carries the track record of its own as-of session."""
    reply = await dispatch(request("signal", ticker="IWM"), services(source))
    (card,) = reply.cards
    assert card.track is not None and card.track.current is card.signal.regime


async def test_as_of_in_the_past(source):
    """/history IWM 2026-03-02 stops there: nothing after the as-of session is used."""
    reply = await dispatch(request("history", ticker="IWM 2026-03-02"), services(source))
    assert isinstance(reply, HistoryReply)
    assert reply.history.record.as_of == date(2026, 3, 2)


@pytest.mark.parametrize(
    ("args", "key"),
    [
        ({"ticker": "NOPE"}, "error.no_data"),
        ({"ticker": "NEW"}, "error.history_too_short"),
        ({"ticker": "FLAT"}, "error.history_flat"),
        ({"ticker": "X" * 500}, "error.invalid_ticker"),
        ({"ticker": "IWM SPY"}, "error.too_many_tickers"),
        ({"ticker": ""}, "error.one_ticker"),
        ({"ticker": "IWM", "as_of": "2030-01-01"}, "error.future_date"),
    ],
)
async def test_bad_input_is_a_clear_error(source, args, key):
    """Unknown, too short, 20 years flat, 500 characters, two tickers, none, future: a message."""
    with pytest.raises(UserError) as info:
        await dispatch(request("history", **args), services(source))
    assert info.value.key == key


async def test_json_fields(source):
    """JSON: per regime regime/n/up5/med5/n21/up21/med21, plus baseline, since, as_of."""
    reply = await dispatch(request("history", ticker="KNOWN"), services(source))
    assert isinstance(reply, HistoryReply)
    data = record_json(reply.history.record, source="counting")
    assert {"baseline", "since", "as_of", "regimes"} <= set(data)
    assert len(data["regimes"]) == 9
    row = next(r for r in data["regimes"] if r["regime"] == "defensive_impulse")
    assert set(row) == {"regime", "n", "up5", "med5", "n21", "up21", "med21"}
    assert row["up5"] == 1.0 and row["med5"] == pytest.approx(math.exp(0.04) - 1, abs=0)
    assert set(data["baseline"]) == {"n", "up5", "med5", "n21", "up21", "med21"}
