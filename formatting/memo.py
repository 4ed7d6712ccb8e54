"""A small bounded memo of pure results, keyed by the identity of the object they came from."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class IdentityMemo:
    """At most ``capacity`` results of pure functions of an object, found again while that very
    object is in use (the entry holds it, so its ``id`` cannot be reused by another meanwhile).

    For values derived from frozen inputs that are expensive to hash or compare (a card, a bars
    frame from the cache): a new object, even an equal one, is simply a miss. Thread-safe.
    """

    def __init__(self, capacity: int = 256) -> None:
        if capacity < 0:
            raise ValueError("capacity must not be negative")
        self.capacity = capacity
        self._data: OrderedDict[tuple[Hashable, ...], tuple[tuple[Any, ...], Any]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def find(self, objects: tuple[Any, ...], key: Hashable) -> Any | None:
        """The value kept for ``objects`` (by identity) and ``key``, or None."""
        full = (*(id(o) for o in objects), key)
        with self._lock:
            hit = self._data.get(full)
            if hit is None or not all(a is b for a, b in zip(hit[0], objects, strict=True)):
                return None
            self._data.move_to_end(full)
            return hit[1]

    def put(self, objects: tuple[Any, ...], key: Hashable, value: Any) -> None:
        """Keep ``value`` for ``objects`` and ``key``, dropping the least recently used."""
        if not self.capacity:
            return
        full = (*(id(o) for o in objects), key)
        with self._lock:
            self._data[full] = (objects, value)
            self._data.move_to_end(full)
            while len(self._data) > self.capacity:
                self._data.popitem(last=False)

    def get(self, objects: tuple[Any, ...], key: Hashable, build: Callable[[], T]) -> T:
        """The value kept for ``objects`` and ``key``, else ``build()`` (then kept)."""
        found = self.find(objects, key)
        if found is not None:
            value: T = found
            return value
        value = build()
        self.put(objects, key, value)
        return value
