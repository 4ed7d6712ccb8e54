"""Names that several surfaces show: a regime's catalog keys and a price source's display name.

Every ``regime.<id>.<part>`` key is built here, so how a regime is named is decided in one place:
every surface passes the fund's ticker, and funds whose price does not measure risk appetite
(Treasuries, gold …) get trend words for the four risk-appetite labels.
"""

from __future__ import annotations

from formatting.i18n import Lang, keys, t
from signals.asset_classes import trend_labels
from signals.funds import lookup
from signals.regimes import Regime

#: The four risk-appetite labels, which funds whose price does not measure risk appetite show in
#: trend words (SIGNALS.md): ``regime.<id>.trend_label`` / ``trend_meaning`` / ``trend_phrase``.
RISK_APPETITE: frozenset[Regime] = frozenset(
    {
        Regime.RISK_OFF_REGIME,
        Regime.DEFENSIVE_IMPULSE,
        Regime.RISK_ON_IMPULSE,
        Regime.RISK_ON_REGIME,
    }
)


def uses_trend_labels(ticker: str | None) -> bool:
    """True when ``ticker`` is a catalog fund whose price does not measure risk appetite
    (government and aggregate bonds, gold and precious metals, cash, currencies, volatility)."""
    fund = lookup(ticker) if ticker else None
    return fund is not None and trend_labels(fund.asset_class, fund.tracks.en)


def regime_key(regime: Regime, part: str = "label", ticker: str | None = None) -> str:
    """The catalog key of one part of a regime's wording (``label``, ``meaning``, ``phrase``),
    for the fund ``ticker`` when given (its asset class may call for the trend labels)."""
    if regime in RISK_APPETITE and uses_trend_labels(ticker):
        return f"regime.{regime.value}.trend_{part}"
    return f"regime.{regime.value}.{part}"


def regime_label(regime: Regime, lang: Lang, ticker: str | None = None) -> str:
    """Display label of ``regime`` in ``lang`` (e.g. ``defensive impulse`` / ``防御动能``; for a
    Treasury or gold fund ``short-term weakness`` / ``短线走弱``)."""
    return t(regime_key(regime, ticker=ticker), lang)


def regime_meaning(regime: Regime, lang: Lang, ticker: str | None = None) -> str:
    """One-sentence meaning of ``regime`` in ``lang`` (for the fund ``ticker`` when given)."""
    return t(regime_key(regime, "meaning", ticker), lang)


def regime_phrase(regime: Regime, lang: Lang, ticker: str | None = None) -> str:
    """The regime as the signal paragraph says it ("a defensive impulse" / 防御动能)."""
    return t(regime_key(regime, "phrase", ticker), lang)


def source_key(source: str) -> str:
    """The catalog key naming a source id (``csv:/data`` -> ``source.csv``)."""
    return f"source.{source.partition(':')[0]}"


def source_name(source: str, lang: Lang) -> str:
    """Display name of a price source id (``yfinance`` -> "Yahoo Finance" / "雅虎财经");
    several ids joined by ``+`` (a digest served by a chain) are named one after the other."""
    names = []
    for one in source.split("+"):
        key = source_key(one)
        names.append(t(key, lang) if key in keys(lang) else one)
    return " + ".join(names)
