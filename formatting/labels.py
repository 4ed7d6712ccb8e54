"""Names that several surfaces show: a regime's catalog keys and a price source's display name.

Every ``regime.<id>.<part>`` key is built here, so a change to how a regime is named (for example
labels that depend on the fund's asset class) is made in one place.
"""

from __future__ import annotations

from formatting.i18n import Lang, keys, t
from signals.regimes import Regime


def regime_key(regime: Regime, part: str = "label") -> str:
    """The catalog key of one part of a regime's wording (``label``, ``meaning``, ``phrase``)."""
    return f"regime.{regime.value}.{part}"


def regime_label(regime: Regime, lang: Lang) -> str:
    """Display label of ``regime`` in ``lang`` (e.g. ``defensive impulse`` / ``防御动能``)."""
    return t(regime_key(regime), lang)


def regime_meaning(regime: Regime, lang: Lang) -> str:
    """One-sentence meaning of ``regime`` in ``lang``."""
    return t(regime_key(regime, "meaning"), lang)


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
