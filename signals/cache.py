"""Where fetched bars are kept: the persistent store protocol and a small in-memory LRU."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import Protocol

import pandas as pd

#: (source id, ticker, session): bars belong to the source that fetched them.
BarKey = tuple[str, str, date]


class BarStore(Protocol):
    """Persistent cache of bars keyed by (source, ticker, session); storage implements it."""

    async def load_bars(self, source: str, ticker: str, session: date) -> pd.DataFrame | None:
        """Bars ``source`` gave for ``ticker`` when fetched for ``session``, or None."""
        ...

    async def save_bars(self, source: str, ticker: str, session: date, bars: pd.DataFrame) -> None:
        """Remember bars ``source`` gave for ``ticker`` fetched for ``session``."""
        ...


class MemoryBarStore:
    """In-process :class:`BarStore` (tests, benchmarks and one-shot CLI runs)."""

    def __init__(self) -> None:
        self._data: dict[BarKey, pd.DataFrame] = {}

    async def load_bars(self, source: str, ticker: str, session: date) -> pd.DataFrame | None:
        """Bars ``source`` gave for ``ticker`` when fetched for ``session``, or None."""
        return self._data.get((source, ticker, session))

    async def save_bars(self, source: str, ticker: str, session: date, bars: pd.DataFrame) -> None:
        """Remember bars ``source`` gave for ``ticker`` fetched for ``session``."""
        self._data[(source, ticker, session)] = bars


class NoBarStore:
    """A :class:`BarStore` that keeps nothing: for long histories, whose bounded
    :class:`BarLRU` in front is the only cache (an unbounded store would grow every session)."""

    async def load_bars(self, source: str, ticker: str, session: date) -> pd.DataFrame | None:
        """Nothing is kept."""
        return None

    async def save_bars(self, source: str, ticker: str, session: date, bars: pd.DataFrame) -> None:
        """Nothing is kept."""


class BarLRU:
    """At most ``capacity`` recently used bar frames, so a warm request makes no SQL query."""

    def __init__(self, capacity: int = 512) -> None:
        if capacity < 0:
            raise ValueError("capacity must not be negative")
        self.capacity = capacity
        self._data: OrderedDict[BarKey, pd.DataFrame] = OrderedDict()

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: BarKey) -> pd.DataFrame | None:
        """The frame for ``key`` (now the most recently used), or None."""
        frame = self._data.get(key)
        if frame is not None:
            self._data.move_to_end(key)
        return frame

    def put(self, key: BarKey, frame: pd.DataFrame) -> None:
        """Keep ``frame`` for ``key``, evicting the least recently used beyond capacity."""
        if self.capacity == 0:
            return
        self._data[key] = frame
        self._data.move_to_end(key)
        while len(self._data) > self.capacity:
            self._data.popitem(last=False)

    def forget_before(self, session: date, ticker: Callable[[str], bool] | None = None) -> None:
        """Drop frames fetched for sessions before ``session`` (of the tickers ``ticker`` picks:
        each exchange starts its sessions at its own time)."""
        for key in [k for k in self._data if k[2] < session and (ticker is None or ticker(k[1]))]:
            del self._data[key]
