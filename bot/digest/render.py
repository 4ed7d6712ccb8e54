"""Heatmap PNGs for a digest run, drawn off the event loop, each distinct image once.

matplotlib holds the GIL for most of a render (about 0.1 s for a watchlist), which is as long
as two Discord posts at the global rate; drawn in the bot's process, images would slow the
fan-out. So they are drawn in worker processes (``spawn``ed, so no state is inherited), and
:meth:`HeatmapRenderer.prefetch` queues them in the order deliveries need them. A worker exits
on its own within a second if the bot dies (``kill -9`` included), so none is left behind. If
the pool cannot start, images are drawn in one thread of this process instead.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from typing import Any

from formatting.digest import HeatmapSpec

log = logging.getLogger(__name__)


def default_processes() -> int:
    """Worker processes for drawing: one core left to the bot, at most two."""
    return max(1, min(2, (os.cpu_count() or 2) - 1))


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def _worker_init(parent: int) -> None:
    """In each worker: ignore Ctrl+C (the bot handles it) and exit when the bot is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


SpecKey = tuple[Any, ...]


def spec_key(spec: HeatmapSpec) -> SpecKey:
    """What makes two heatmaps the same picture (one drawing per distinct watchlist view): the
    whole spec, words and colours included (a red-up server's picture is not a green-up one's)."""
    return (spec,)


def _retrieve(future: asyncio.Future[bytes]) -> None:
    if not future.cancelled():
        future.exception()  # an image prefetched but never awaited: no "never retrieved"


class HeatmapRenderer:
    """Draws the heatmaps of one run; ``processes`` 0 draws in one thread instead."""

    def __init__(
        self, processes: int | None = None, *, images: dict[SpecKey, bytes] | None = None
    ) -> None:
        count = default_processes() if processes is None else processes
        #: finished PNGs by spec, shared with later runs of the session (drawn ahead of time)
        self.images: dict[SpecKey, bytes] = {} if images is None else images
        self._pool: Executor = self._thread_pool()
        if count > 0:
            self._pool = ProcessPoolExecutor(
                count,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_init,
                initargs=(os.getpid(),),
            )
        self._futures: dict[tuple[Any, ...], asyncio.Future[bytes]] = {}
        self.rendered = 0

    @staticmethod
    def _thread_pool() -> Executor:
        return ThreadPoolExecutor(1, thread_name_prefix="heatmap")

    def _submit(self, spec: HeatmapSpec) -> asyncio.Future[bytes]:
        draw = spec.render
        loop = asyncio.get_running_loop()
        try:
            return loop.run_in_executor(self._pool, draw)
        except RuntimeError:  # BrokenProcessPool, or processes not allowed here
            log.exception("heatmap worker processes unavailable; drawing in a thread")
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._thread_pool()
            return loop.run_in_executor(self._pool, draw)

    def _future(self, spec: HeatmapSpec) -> asyncio.Future[bytes]:
        key = spec_key(spec)
        future = self._futures.get(key)
        if future is None and key in self.images:
            future = asyncio.get_running_loop().create_future()
            future.set_result(self.images[key])
            self._futures[key] = future
        if future is None or (future.done() and (future.cancelled() or future.exception())):
            future = self._submit(spec)
            future.add_done_callback(_retrieve)
            future.add_done_callback(partial(self._keep, key))
            self._futures[key] = future
            self.rendered += 1
        return future

    def _keep(self, key: SpecKey, future: asyncio.Future[bytes]) -> None:
        if not future.cancelled() and future.exception() is None:
            self.images[key] = future.result()

    async def render_all(self, specs: Sequence[HeatmapSpec]) -> None:
        """Draw every one of ``specs`` not drawn yet (all workers busy) and wait for them.

        Called before a fan-out posts (and ahead of the due time by the scheduler), so no
        delivery waits for a drawing and posting runs at the platform's rate. A spec that fails
        is left out; its delivery tries once more and posts without the image if that fails.
        """
        self.prefetch(specs)
        futures = [self._future(spec) for spec in specs]
        await asyncio.gather(*(asyncio.shield(f) for f in futures), return_exceptions=True)

    def prefetch(self, specs: Sequence[HeatmapSpec]) -> None:
        """Start drawing ``specs`` now (in this order) so deliveries find them ready."""
        for spec in specs:
            self._future(spec)

    async def png(self, spec: HeatmapSpec) -> bytes:
        """The PNG of ``spec``."""
        return await asyncio.shield(self._future(spec))

    async def close(self) -> None:
        """Drop images not started yet and wait for the workers to exit."""
        for future in self._futures.values():
            if not future.done():
                future.cancel()
        self._futures.clear()
        await asyncio.to_thread(self._pool.shutdown, wait=True, cancel_futures=True)


def new_renderer(
    processes: int | None = None, *, images: dict[SpecKey, bytes] | None = None
) -> HeatmapRenderer:
    """A renderer with worker processes, or drawing in a thread when processes cannot start."""
    try:
        return HeatmapRenderer(processes, images=images)
    except (OSError, RuntimeError, ValueError) as exc:  # no POSIX semaphores, no spawn ...
        log.warning("heatmap worker processes unavailable (%s); drawing in a thread", exc)
        return HeatmapRenderer(0, images=images)
