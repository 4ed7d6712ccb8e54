"""The yfinance source, driven through the real ``yf.download`` with ``Ticker`` faked (no network)."""

from __future__ import annotations

import threading
from datetime import date
from types import SimpleNamespace

import pandas as pd
import pytest
import yfinance
import yfinance.multi
from yfinance.exceptions import YFRateLimitError

from signals.bars import currency_of
from signals.errors import NoData, RateLimited, SourceUnavailable
from signals.sources.yahoo import YFinanceSource, split_download
from tests.fakes.market import worked_example_bars


def yahoo_history(bars: pd.DataFrame) -> pd.DataFrame:
    """Shape bars like ``Ticker.history(auto_adjust=False)``: New York tz index named Date."""
    out = bars.copy()
    out.index = out.index.tz_localize("America/New_York")
    out.index.name = "Date"
    return out[["Open", "High", "Low", "Close", "Adj Close", "Volume"]]


class FakeYahoo:
    """Stands in for ``yfinance.Ticker``: per-symbol frames or exceptions, with a call log."""

    def __init__(self, plan: dict[str, object], currency: dict[str, str] | None = None) -> None:
        self.plan = plan
        self.currency = currency or {}
        self.calls: list[tuple[str, dict[str, object]]] = []
        self.metadata_calls: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, symbol: str, session: object = None) -> SimpleNamespace:
        fake = self

        def get_history_metadata() -> dict[str, object]:
            with fake.lock:
                fake.metadata_calls.append(symbol)
            return {"symbol": symbol, "currency": fake.currency.get(symbol, "USD")}

        def history(**kwargs: object) -> pd.DataFrame:
            with fake.lock:
                fake.calls.append((symbol, kwargs))
                outcome = fake.plan.get(symbol)
                if isinstance(outcome, list):  # a sequence of outcomes, one per call
                    outcome = outcome.pop(0) if len(outcome) > 1 else outcome[0]
            if isinstance(outcome, BaseException):
                raise outcome
            if outcome is None:
                ticker.ns._price_history._last_error = f"${symbol}: possibly delisted; no data"
                return yfinance.utils.empty_df()
            assert isinstance(outcome, pd.DataFrame)
            return outcome

        ticker = SimpleNamespace(history=history, get_history_metadata=get_history_metadata)
        ticker.ns = ticker
        ticker._price_history = SimpleNamespace(_last_error=None)
        return ticker


@pytest.fixture
def fake_yahoo(monkeypatch):
    """Patch the ``Ticker`` class that ``yf.download`` instantiates per symbol (and the one the
    currency lookup uses)."""

    def install(plan: dict[str, object], currency: dict[str, str] | None = None) -> FakeYahoo:
        fake = FakeYahoo(plan, currency)
        monkeypatch.setattr(yfinance.multi, "Ticker", fake)
        monkeypatch.setattr(yfinance, "Ticker", fake)
        return fake

    return install


START, END = date(2026, 1, 2), date(2026, 6, 8)


def test_batched_download_splits_many_tickers(fake_yahoo):
    """One download for three symbols; each comes back with its own adjusted closes."""
    iwm = worked_example_bars()
    spy = iwm * 2.0
    fake = fake_yahoo(
        {"IWM": yahoo_history(iwm), "SPY": yahoo_history(spy), "QQQ": yahoo_history(iwm * 3)}
    )
    result = YFinanceSource(sleep=lambda _: None).fetch(["IWM", "SPY", "QQQ"], start=START, end=END)
    assert set(result.bars) == {"IWM", "SPY", "QQQ"} and not result.errors
    got = result.bars["SPY"]
    assert got.index.tz is None and got.index[-1] == pd.Timestamp(END)
    pd.testing.assert_series_equal(
        got["Adj Close"], spy["Adj Close"], check_names=False, check_freq=False
    )
    assert sorted(symbol for symbol, _ in fake.calls) == ["IWM", "QQQ", "SPY"]
    kwargs = fake.calls[0][1]
    assert kwargs["auto_adjust"] is False
    assert kwargs["start"] == "2026-01-02" and kwargs["end"] == "2026-06-09"  # end is exclusive


def test_single_ticker_multiindex(fake_yahoo):
    """yfinance 1.x keeps the (Price, Ticker) MultiIndex for one symbol; it is handled."""
    fake_yahoo({"IWM": yahoo_history(worked_example_bars())})
    result = YFinanceSource().fetch(["IWM"], start=START, end=END)
    assert list(result.bars) == ["IWM"]
    assert result.bars["IWM"]["Close"].iloc[-1] == pytest.approx(281.65)


def test_one_failing_ticker_does_not_sink_the_others(fake_yahoo):
    """An unknown symbol (NaN columns in the batch) becomes NoData; the rest are fine."""
    fake_yahoo({"IWM": yahoo_history(worked_example_bars()), "NOPE": None})
    result = YFinanceSource().fetch(["IWM", "NOPE"], start=START, end=END)
    assert list(result.bars) == ["IWM"]
    assert isinstance(result.errors["NOPE"], NoData)


def test_rate_limit_is_retried_with_backoff_then_succeeds(fake_yahoo):
    """A rate-limited symbol is retried alone after a backoff and then succeeds."""
    bars = yahoo_history(worked_example_bars())
    fake = fake_yahoo({"IWM": [YFRateLimitError(), YFRateLimitError(), bars], "SPY": bars})
    sleeps: list[float] = []
    result = YFinanceSource(sleep=sleeps.append, backoff=1.5).fetch(
        ["IWM", "SPY"], start=START, end=END
    )
    assert set(result.bars) == {"IWM", "SPY"} and not result.errors
    assert sleeps == [1.5, 3.0]
    assert [s for s, _ in fake.calls].count("SPY") == 1  # only the limited symbol is retried


def test_rate_limit_gives_up_after_bounded_retries(fake_yahoo):
    """A persistent rate limit ends in RateLimited with a retry hint, after `retries` attempts."""
    fake = fake_yahoo({"IWM": YFRateLimitError()})
    sleeps: list[float] = []
    result = YFinanceSource(sleep=sleeps.append, retries=3).fetch(["IWM"], start=START, end=END)
    error = result.errors["IWM"]
    assert isinstance(error, RateLimited) and error.retry_after > 0
    assert len(fake.calls) == 3 and len(sleeps) == 2


def test_timeout_is_source_unavailable(fake_yahoo):
    """A network timeout is reported as the source being unavailable, not as an unknown ticker."""
    fake_yahoo({"IWM": TimeoutError("Timeout was reached")})
    result = YFinanceSource().fetch(["IWM"], start=START, end=END)
    assert isinstance(result.errors["IWM"], SourceUnavailable)
    assert not isinstance(result.errors["IWM"], RateLimited)


def test_download_raising_is_contained():
    """An exception out of download itself becomes per-ticker errors, never propagates."""

    def broken(*_args: object, **_kwargs: object) -> pd.DataFrame:
        raise ConnectionError("Connection refused")

    result = YFinanceSource(download=broken).fetch(["IWM", "SPY"], start=START, end=END)
    assert set(result.errors) == {"IWM", "SPY"}
    assert all(isinstance(e, SourceUnavailable) for e in result.errors.values())


def test_split_download_handles_ticker_grouping_and_flat_frames():
    """(Ticker, Price) columns and a flat single-ticker frame are split too."""
    bars = worked_example_bars()
    by_ticker = pd.concat({"IWM": bars, "SPY": bars * 2}, axis=1, names=["Ticker", "Price"])
    split = split_download(by_ticker, ["IWM", "SPY"])
    assert split["SPY"]["Close"].iloc[-1] == pytest.approx(2 * 281.65)
    assert split_download(bars, ["IWM"])["IWM"]["Close"].iloc[-1] == pytest.approx(281.65)
    assert split_download(None, ["IWM"]) == {}


def test_server_errors_are_unavailable_not_unknown(fake_yahoo):
    """HTTP 5xx or a non-JSON error page is 'source unavailable' (retried), never 'no data'."""
    fake_yahoo(
        {
            "IWM": RuntimeError("HTTP Error 503: Service Unavailable"),
            "SPY": ValueError("Expecting value: line 1 column 1 (char 0)"),
        }
    )
    result = YFinanceSource().fetch(["IWM", "SPY"], start=START, end=END)
    assert all(type(e) is SourceUnavailable for e in result.errors.values())
    assert set(result.errors) == {"IWM", "SPY"}


def test_currency_comes_from_metadata_once_per_ticker(fake_yahoo):
    """Each ticker's bars carry the currency Yahoo's metadata names; a second fetch of the same
    ticker does not ask again; a failed lookup leaves the currency unknown (never USD)."""
    bars = yahoo_history(worked_example_bars())
    fake = fake_yahoo(
        {"0700.HK": bars, "VOD.L": bars, "IWM": bars}, {"0700.HK": "HKD", "VOD.L": "GBp"}
    )
    source = YFinanceSource()
    first = source.fetch(["0700.HK", "VOD.L", "IWM"], start=START, end=END)
    assert {t: currency_of(f) for t, f in first.bars.items()} == {
        "0700.HK": "HKD",
        "VOD.L": "GBp",
        "IWM": "USD",
    }
    again = source.fetch(["0700.HK"], start=START, end=END)
    assert currency_of(again.bars["0700.HK"]) == "HKD"
    assert sorted(fake.metadata_calls) == ["0700.HK", "IWM", "VOD.L"]

    def broken(ticker: str) -> dict[str, object]:
        raise ConnectionError("metadata down")

    unknown = YFinanceSource(metadata=broken).fetch(["IWM"], start=START, end=END)
    assert currency_of(unknown.bars["IWM"]) is None
