"""The demo source: synthetic, deterministic, on real sessions, with a spread of regimes."""

from __future__ import annotations

from datetime import date

import pandas as pd

from signals.errors import NoData
from signals.funds import FUNDS
from signals.momentum import Signal, compute_signals
from signals.sources import DemoSource, source_from_spec


def test_deterministic_on_real_sessions():
    """The same ticker gives the same bars; bars sit on XNYS sessions inside the range."""
    source = source_from_spec("demo")
    assert isinstance(source, DemoSource)
    first = source.fetch(["IWM"], start=date(2026, 6, 1), end=date(2026, 11, 27))
    again = DemoSource().fetch(["IWM"], start=date(2026, 6, 1), end=date(2026, 11, 27))
    pd.testing.assert_frame_equal(first.bars["IWM"], again.bars["IWM"])
    index = first.bars["IWM"].index
    assert index[0] >= pd.Timestamp("2026-06-01") and index[-1] == pd.Timestamp("2026-11-27")
    assert pd.Timestamp("2026-11-26") not in index  # Thanksgiving


def test_history_does_not_depend_on_the_requested_start():
    """A shorter range is a suffix of a longer one (so cached and fresh fetches agree)."""
    long = DemoSource().fetch(["SPY"], start=date(2026, 1, 5), end=date(2026, 6, 8)).bars["SPY"]
    short = DemoSource().fetch(["SPY"], start=date(2026, 5, 1), end=date(2026, 6, 8)).bars["SPY"]
    pd.testing.assert_frame_equal(long.loc[short.index], short)


def test_catalog_gets_a_spread_of_regimes_and_sane_prices():
    """Across the catalog the demo shows several regimes, with prices in a believable range."""
    fetched = DemoSource().fetch(list(FUNDS), start=date(2026, 5, 1), end=date(2026, 11, 23))
    signals = compute_signals(fetched.bars)
    assert all(isinstance(s, Signal) for s in signals.values())
    regimes = {s.regime for s in signals.values() if isinstance(s, Signal)}
    assert len(regimes) >= 4
    assert all(5 < s.close < 5000 for s in signals.values() if isinstance(s, Signal))


def test_words_outside_the_catalog_are_unknown_like_a_real_source_says():
    """hello, IWMM, ABCDEFGHIJKLMN: no invented card, NoData(unknown) as Tiingo or a CSV folder."""
    words = ["hello", "IWMM", "ABCDEFGHIJKLMN"]
    fetched = DemoSource().fetch(["IWM", *words], start=date(2026, 5, 1), end=date(2026, 6, 8))
    assert list(fetched.bars) == ["IWM"]
    for word in words:
        error = fetched.errors[word]
        assert isinstance(error, NoData) and error.unknown and error.ticker == word


def test_extra_tickers_get_prices_too():
    """SIGNALBOT_DEMO_TICKERS adds tickers beyond the catalog (any case, spaces ignored)."""
    source = source_from_spec("demo", demo_tickers=[" iwmm ", "ABC"])
    fetched = source.fetch(["IWMM", "ABC", "HELLO"], start=date(2026, 5, 1), end=date(2026, 6, 8))
    assert set(fetched.bars) == {"IWMM", "ABC"} and set(fetched.errors) == {"HELLO"}
    # an extra ticker's walk is the one it always had: adding it changes no other ticker's bars
    plain = DemoSource().fetch(["IWM"], start=date(2026, 5, 1), end=date(2026, 6, 8)).bars["IWM"]
    more = source.fetch(["IWM"], start=date(2026, 5, 1), end=date(2026, 6, 8)).bars["IWM"]
    pd.testing.assert_frame_equal(plain, more)
