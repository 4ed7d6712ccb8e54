"""The platform-neutral message model: one :class:`Card` per signal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from formatting.languages import LANGUAGES, Language, languages
from signals.funds import Fund
from signals.momentum import Signal

__all__ = ["LANGUAGES", "Card", "Language", "languages"]


@dataclass(frozen=True, kw_only=True)
class Card:
    """Everything a momentum card shows, before any words or markup.

    ``closes`` are the unadjusted closes of about three months up to ``signal.as_of`` (the chart);
    ``expected_session`` is the session the request was about: when the source has no bar for it
    yet, ``signal.as_of`` is earlier and the card says so.
    """

    signal: Signal
    fund: Fund | None
    closes: tuple[tuple[date, float], ...]
    expected_session: date
    source: str = "yfinance"

    @property
    def ticker(self) -> str:
        """The ticker, upper case."""
        return self.signal.ticker

    @property
    def stale(self) -> bool:
        """True when the data ends before the session the card is about."""
        return self.signal.as_of < self.expected_session
