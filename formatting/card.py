"""The platform-neutral message model: one :class:`Card` per signal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from formatting.languages import LANGUAGES, Language, languages
from signals.calendar import sessions_between
from signals.funds import Fund
from signals.momentum import Signal
from signals.track_record import TrackRecord

__all__ = ["LANGUAGES", "Card", "Language", "languages"]


@dataclass(frozen=True, kw_only=True)
class Card:
    """Everything a momentum card shows, before any words or markup.

    ``closes`` are the unadjusted closes of about three months up to ``signal.as_of`` (the chart);
    ``expected_session`` is the session the request was about: when the source has no bar for it
    yet, ``signal.as_of`` is earlier and the card says so. ``track`` gives the card its
    track-record line (absent when the long history could not be read); ``site_url`` the research
    site the card's page is on (None: no link).
    """

    signal: Signal
    fund: Fund | None
    closes: tuple[tuple[date, float], ...]
    expected_session: date
    source: str = "yfinance"
    # the ticker's track record, for the card's one line; not part of equality or the hash
    # (the memoised chart keys on the card, and the record holds a mapping)
    track: TrackRecord | None = field(default=None, compare=False)
    # the research site's public URL (SIGNALBOT_PUBLIC_URL) when the card has a page there: the
    # renderers link to it (``CardText.page_url``); not part of equality either
    site_url: str | None = field(default=None, compare=False)

    @property
    def ticker(self) -> str:
        """The ticker, upper case."""
        return self.signal.ticker

    @property
    def stale(self) -> bool:
        """True when the data ends before the session the card is about."""
        return self.signal.as_of < self.expected_session

    @property
    def sessions_behind(self) -> int:
        """Exchange sessions between the card's data and the session it is about."""
        return sessions_between(self.signal.as_of, self.expected_session, self.signal.exchange)
