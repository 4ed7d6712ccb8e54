"""Cards for renderer tests: the worked example, every regime, catalog and non-catalog funds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from formatting.card import Card
from signals.funds import FUNDS, Fund
from signals.momentum import Signal
from signals.regimes import Regime

WORKED_AS_OF = date(2026, 6, 8)
#: Closes of the worked example (SIGNALS.md): t, t-1, t-5, t-21.
WORKED_CLOSE, WORKED_PREV_1D, WORKED_PREV_5D, WORKED_PREV_1M = 281.65, 292.02, 288.37, 282.27

#: The catalog fund with the most text (name + index in both languages): the worst case.
LONGEST_FUND: Fund = max(
    FUNDS.values(), key=lambda f: len(f.name) + len(f.tracks.en) + len(f.tracks.zh)
)
NON_CATALOG = "ZZZZ"

CardFactory = Callable[..., Card]


def make_card(
    *,
    ticker: str = "IWM",
    regime: Regime = Regime.DEFENSIVE_IMPULSE,
    close: float = WORKED_CLOSE,
    r_1d: float = WORKED_CLOSE / WORKED_PREV_1D - 1,
    r_5d: float = WORKED_CLOSE / WORKED_PREV_5D - 1,
    r_1m: float = WORKED_CLOSE / WORKED_PREV_1M - 1,
    as_of: date = WORKED_AS_OF,
    stale_days: int = 0,
    catalog: bool = True,
    currency: str | None = "USD",
) -> Card:
    """A card built directly from a :class:`Signal` (the measures are not recomputed here)."""
    signal = Signal(
        ticker=ticker,
        as_of=as_of,
        close=close,
        r_1d=r_1d,
        r_5d=r_5d,
        r_1m=r_1m,
        sigma=0.012,
        z_1d=-2.9,
        z_5d=-0.9,
        z_1m=-0.04,
        fast=-1.9,
        slow=-0.04,
        regime=regime,
        closes=95,
        currency=currency,
    )
    fund = FUNDS.get(ticker) if catalog else None
    return Card(
        signal=signal,
        fund=fund,
        closes=((as_of - timedelta(days=1), close * 1.01), (as_of, close)),
        expected_session=as_of + timedelta(days=stale_days),
    )


@pytest.fixture
def card_factory() -> CardFactory:
    """Build cards with keyword overrides of the worked example."""
    return make_card


@pytest.fixture
def worked_card() -> Card:
    """The SIGNALS.md worked example: IWM on 2026-06-08, defensive impulse."""
    return make_card()


@pytest.fixture(params=list(Regime), ids=lambda r: r.value)
def regime(request: pytest.FixtureRequest) -> Regime:
    """Every regime id."""
    return Regime(request.param)


@pytest.fixture(params=[LONGEST_FUND.ticker, NON_CATALOG])
def ticker(request: pytest.FixtureRequest) -> str:
    """The catalog fund with the longest texts, and a ticker not in the catalog."""
    return str(request.param)


@pytest.fixture
def any_card(regime: Regime, ticker: str) -> Card:
    """A card for every regime x (longest catalog fund, non-catalog ticker)."""
    return make_card(ticker=ticker, regime=regime, close=1234.5, r_1d=0.0123, r_5d=-0.04567)
