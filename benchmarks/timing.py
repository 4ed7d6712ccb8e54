"""Small timing helpers: medians and percentiles of repeated runs (no wall-clock assertions)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """Summary of repeated timings, in milliseconds."""

    runs: int
    median_ms: float
    p99_ms: float
    min_ms: float

    def __str__(self) -> str:
        return (
            f"median {self.median_ms:.3f} ms, p99 {self.p99_ms:.3f} ms, "
            f"min {self.min_ms:.3f} ms ({self.runs} runs)"
        )


def summarize(samples: list[float]) -> Timing:
    """Median, p99 and min of ``samples`` (seconds) in milliseconds."""
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return Timing(len(ordered), statistics.median(ordered) * 1e3, p99 * 1e3, ordered[0] * 1e3)


def measure(fn: Callable[[], object], *, runs: int, warmup: int = 2) -> Timing:
    """Time ``fn`` ``runs`` times after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - began)
    return summarize(samples)


async def measure_async(
    fn: Callable[[], Awaitable[object]], *, runs: int, warmup: int = 2
) -> Timing:
    """Time the coroutine factory ``fn`` ``runs`` times after ``warmup`` untimed calls."""
    for _ in range(warmup):
        await fn()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        await fn()
        samples.append(time.perf_counter() - began)
    return summarize(samples)
