"""Long price history for the track record: up to 20 years, fetched once per ticker per session.

A sibling :class:`~signals.service.PriceService` with a 20-year lookback over the same source
(so bars stay keyed by the source that produced them) and a bounded in-memory cache, so a
long history is never confused with the short bars of the persistent cache.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date

import pandas as pd

from signals.track_record import HISTORY_SESSIONS

#: Calendar days covering 5,040 sessions (252 a year) plus a margin for holidays.
HISTORY_LOOKBACK_DAYS = HISTORY_SESSIONS * 366 // 252 + 20
#: Long histories kept in memory (about 250 KB each).
HISTORY_CACHE_ENTRIES = 256


class BoundedBarStore:
    """An in-memory bar store that keeps the ``limit`` most recently used entries."""

    def __init__(self, limit: int = HISTORY_CACHE_ENTRIES) -> None:
        self.limit = limit
        self._data: OrderedDict[tuple[str, date], pd.DataFrame] = OrderedDict()

    async def load_bars(self, ticker: str, session: date) -> pd.DataFrame | None:
        """Bars for ``ticker`` fetched for ``session``, or None."""
        key = (ticker, session)
        frame = self._data.get(key)
        if frame is not None:
            self._data.move_to_end(key)
        return frame

    async def save_bars(self, ticker: str, session: date, bars: pd.DataFrame) -> None:
        """Remember bars for ``ticker`` fetched for ``session``; drop the oldest beyond limit."""
        self._data[(ticker, session)] = bars
        self._data.move_to_end((ticker, session))
        while len(self._data) > self.limit:
            self._data.popitem(last=False)
