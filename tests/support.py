"""Test-only helpers: closes with given log returns, SIGNALS.md computed by hand (the oracle
the signal tests compare against), and ports from the OS (bound as the server starts, read
back from its log). Bars, price directories and the bot subprocess that
benchmarks share too live in :mod:`tests.fakes`."""

from __future__ import annotations

import asyncio
import logging
import math
import re
import socket
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.settings import Settings


def closes_from_log_returns(log_returns: Sequence[float], start: float = 100.0) -> list[float]:
    """Closes that have exactly these daily log returns."""
    out = [start]
    for value in log_returns:
        out.append(out[-1] * math.exp(value))
    return out


def reference(closes: Sequence[float]) -> dict[str, float]:
    """SIGNALS.md by hand, in plain Python: the measures at the last of ``closes`` (adjusted)."""
    c = list(closes)[-64:]
    log_returns = [math.log(c[i] / c[i - 1]) for i in range(1, len(c))][-63:]
    mean = sum(log_returns) / len(log_returns)
    sigma = math.sqrt(sum((x - mean) ** 2 for x in log_returns) / (len(log_returns) - 1))
    r_1d, r_5d, r_1m = c[-1] / c[-2] - 1, c[-1] / c[-6] - 1, c[-1] / c[-22] - 1
    return {
        "r_1d": r_1d,
        "r_5d": r_5d,
        "r_1m": r_1m,
        "sigma": sigma,
        "z_1d": math.log1p(r_1d) / sigma,
        "z_5d": math.log1p(r_5d) / (sigma * math.sqrt(5)),
        "z_1m": math.log1p(r_1m) / (sigma * math.sqrt(21)),
    }


def json_strings(obj: object, *, skip: Iterable[str] = ()) -> list[str]:
    """Every string inside a JSON-like value (dicts, lists, tuples), in order; values under the
    keys in ``skip`` are left out."""
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for k, v in obj.items() if k not in skip for s in json_strings(v, skip=skip)]
    if isinstance(obj, list | tuple):
        return [s for v in obj for s in json_strings(v, skip=skip)]
    return []


@contextmanager
def refused_port() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses connections for as long as the block runs: bound by this
    process and not listening, so no other process can take it meanwhile (a port bound, then
    closed, could be anybody's by the time it is used)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


def any_port(settings: Settings, caplog: pytest.LogCaptureFixture) -> Settings:
    """``settings`` with the HTTP server on port 0 (``SIGNALBOT_HTTP_PORT=0``): the OS picks a
    free port as the server binds (:func:`bound_port` reads it back from the log), so nothing
    can take it in between."""
    caplog.set_level(logging.INFO, logger="bot.ops.http")
    settings.ops.http_port = 0
    return settings


async def bound_port(
    caplog: pytest.LogCaptureFixture, *, logger: str = "bot.ops.http", limit: float = 30.0
) -> int:
    """The port a server of this process listens on, from its ``… listening host=H port=N``
    line logged by ``logger`` (polled): the ops server, or ``bot.adapters.slack.server``."""
    async with asyncio.timeout(limit):
        while True:
            for record in caplog.records:
                if record.name == logger and " listening host=%s port=%d" in record.msg:
                    return int(record.args[1])  # type: ignore[index]  # (host, port, ...)
            await asyncio.sleep(0.05)


LISTENING = re.compile(r"\bhttp listening host=\S+ port=(\d+)")


def logged_port(log_path: Path) -> int | None:
    """The port a bot subprocess's ops server bound (``SIGNALBOT_HTTP_PORT=0``), from the
    ``http listening`` line in its log; None while it has not logged one."""
    found = LISTENING.findall(log_path.read_text(errors="replace"))
    return int(found[-1]) if found else None
