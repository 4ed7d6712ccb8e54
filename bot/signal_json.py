"""A card's data as ``signalbot signal --json`` prints it (the research pages keep the same)."""

from __future__ import annotations

from typing import Any

from formatting.card import Card
from formatting.labels import regime_label
from formatting.languages import LANGS


def signal_json(card: Card) -> dict[str, Any]:
    """The numbers of ``card``, its regime and label in every language, source and currency."""
    s = card.signal
    return {
        "ticker": s.ticker,
        "as_of": s.as_of.isoformat(),
        "exchange": s.exchange,
        "close": s.close,
        "r_1d": s.r_1d,
        "r_5d": s.r_5d,
        "r_1m": s.r_1m,
        "sigma": s.sigma,
        "fast": s.fast,
        "slow": s.slow,
        "regime": s.regime.value,
        "label": {lang: regime_label(s.regime, lang, s.ticker) for lang in LANGS},
        "source": card.source,  # provenance: demo or CSV prices never read as market data
        "currency": s.currency,
    }
