"""The exchange calendar built at first use: building XNYS costs ~0.3 s of CPU at start-up."""

from __future__ import annotations

from typing import Any

from signals.calendar import MarketCalendar


class LazyCalendar(MarketCalendar):
    """A :class:`MarketCalendar` that builds its exchange data the first time it is asked.

    ``signalbot run`` shows its prompt (or connects) without it; the first ``/signal`` or the
    digest scheduler's first tick builds it. After that it is an ordinary MarketCalendar: the
    built calendar's attributes are copied onto this instance, so lookups are direct.
    """

    def __init__(self, name: str = "XNYS") -> None:  # the parent's __init__ runs at first use
        self._lazy_name = name
        self.name = name  # known without building: the price service picks calendars by it

    def __getattr__(self, attr: str) -> Any:
        # called only for attributes the instance does not have yet (before the build)
        if attr.startswith("__") or "_lazy_name" not in self.__dict__:
            raise AttributeError(attr)
        MarketCalendar.__init__(self, self._lazy_name)
        return object.__getattribute__(self, attr)
