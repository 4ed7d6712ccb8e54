"""Peak memory of ``signalbot signal`` when the price source answers far too much.

The real bot, wired as it is (``python -m bot signal A B C D``: settings, SQLite store, the
source and its HTTP client, four fetches at once), runs in a subprocess against a fake on
127.0.0.1 whose every answer is ``BENCH_HUGE_MB`` MB (400 by default) of JSON: once with its
true ``Content-Length``, once chunked with no length. Its peak RSS (``wait4`` rusage
``ru_maxrss``, exact, no polling) is compared with the same command against normal answers.

Tiingo is reached through ``TIINGO_API_BASE_URL``. Yahoo has no such setting, so for it the
child changes one thing before ``main()``: the address its curl session sends ``*.yahoo.com`` to
(the bot's ``YahooSession``, or, in code from before it, the session ``yfinance`` makes itself).

``BENCH_HUGE_ROOT=/path/to/other/checkout`` runs that checkout's code (its ``.venv`` Python)
instead, to measure the code before a change with this same benchmark. Linux only.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.fakes.huge import Pour
from tests.fakes.market import scaled_bars
from tests.fakes.tiingo import KEY, FakeTiingo
from tests.fakes.yahoo import FakeYahoo
from tests.fakes.yahoo import running as yahoo_running

TICKERS = ("IWM", "SPY", "QQQ", "DIA")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@contextmanager
def serving(handler: Handler) -> Iterator[str]:
    """``handler`` for Tiingo's prices path on 127.0.0.1, in a thread of its own."""
    ready = threading.Event()
    stop: list[Callable[[], object]] = []
    url: list[str] = []

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/tiingo/daily/{ticker}/prices", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url.append(f"http://127.0.0.1:{runner.addresses[0][1]}")
        done = asyncio.Event()
        loop = asyncio.get_running_loop()
        stop.append(lambda: loop.call_soon_threadsafe(done.set))
        ready.set()
        await done.wait()
        await runner.cleanup()

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    ready.wait(30)
    try:
        yield url[0]
    finally:
        stop[0]()
        thread.join(30)


#: The child for Yahoo: route the curl session to argv[1], then run the CLI on the rest.
YAHOO_CHILD = """
import sys
from curl_cffi import requests as curl_requests

BASE = sys.argv.pop(1)


def routed(request):
    def send(self, method, url, *args, **kwargs):
        host, _, rest = str(url).partition("://")[2].partition("/")
        if host.endswith("yahoo.com"):
            url = f"{BASE}/{host}/{rest}"
        return request(self, method, url, *args, **kwargs)

    return send


try:
    from signals.sources.yahoo_http import YahooSession
except ImportError:  # before the capped session: yfinance's own
    YahooSession = curl_requests.Session
YahooSession.request = routed(YahooSession.request)
from bot.cli import main

sys.exit(main(sys.argv[1:]))
"""


def peak_rss_mb(base_url: str, home: Path, source: str = "tiingo") -> tuple[float, int, str]:
    """Run ``signalbot signal`` on TICKERS against ``base_url``: (peak RSS MB, exit code, the
    first line of its stderr)."""
    root = Path(os.environ.get("BENCH_HUGE_ROOT", Path.cwd())).resolve()
    python = root / ".venv" / "bin" / "python" if "BENCH_HUGE_ROOT" in os.environ else None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNALBOT_", "TIINGO_"))}
    env.update(
        PYTHONPATH=str(root),
        SIGNALBOT_PRICE_SOURCE=source,
        TIINGO_API_KEY=KEY,
        TIINGO_API_BASE_URL=base_url,
        SIGNALBOT_DATA_DIR=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),  # yfinance's timezone cache, private
        SIGNALBOT_DEFAULT_LANGUAGE="en",
        SIGNALBOT_PRICE_DEADLINE_SECONDS="120",
        SIGNALBOT_LOG_LEVEL="ERROR",
    )
    command = ["-m", "bot"] if source == "tiingo" else ["-c", YAHOO_CHILD, base_url]
    proc = subprocess.Popen(
        [str(python or sys.executable), *command, "signal", *TICKERS],
        env=env,
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    first = next((line for line in err.splitlines() if line.strip()), "")
    return usage.ru_maxrss / 1024, proc.returncode, first[:160]


def run() -> Iterator[str]:
    megabytes = int(os.environ.get("BENCH_HUGE_MB", "400"))
    sources = os.environ.get("BENCH_HUGE_SOURCES", "tiingo,yfinance").split(",")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        bars = scaled_bars(dict.fromkeys(TICKERS, 1.0))
        for source in sources:
            yield f"huge answer: `signalbot signal {' '.join(TICKERS)}` ({source}), {megabytes} MB"
            if source == "tiingo":
                fake: Any = FakeTiingo(bars={t.lower(): frame for t, frame in bars.items()})
                with serving(fake.prices) as url:
                    rss, code, _ = peak_rss_mb(url, home / f"{source}-normal", source)
            else:
                with yahoo_serving(FakeYahoo(bars=bars)) as url:
                    rss, code, _ = peak_rss_mb(url, home / f"{source}-normal", source)
            yield f"  normal answers:                peak RSS {rss:7.1f} MB (exit {code})"
            for kind in ("sized", "endless"):
                pour = Pour(limit=megabytes * 1024 * 1024)
                if source == "tiingo":
                    context = serving(getattr(pour, kind))
                else:
                    context = yahoo_serving(HugeCharts(pour, kind))
                with context as url:
                    rss, code, said = peak_rss_mb(url, home / f"{source}-{kind}", source)
                label = "with Content-Length" if kind == "sized" else "chunked, no length"
                yield (
                    f"  {megabytes} MB x4, {label:<20} peak RSS {rss:7.1f} MB (exit {code}); "
                    f"the fake sent {pour.sent / 2**20:.0f} MB in all"
                )
                yield f"    stderr: {said}"


class HugeCharts(FakeYahoo):
    """A fake Yahoo whose every chart answer is ``pour``'s ``kind`` of huge."""

    def __init__(self, pour: Pour, kind: str) -> None:
        super().__init__()
        self.handler: Handler = getattr(pour, kind)

    async def chart(self, request: web.Request) -> web.StreamResponse:
        return await self.handler(request)


@contextmanager
def yahoo_serving(fake: FakeYahoo) -> Iterator[str]:
    """``fake`` (tests/fakes/yahoo.py's routes) on 127.0.0.1, in a thread of its own."""
    ready = threading.Event()
    stop: list[Callable[[], object]] = []

    async def main() -> None:
        async with yahoo_running(fake):
            done = asyncio.Event()
            loop = asyncio.get_running_loop()
            stop.append(lambda: loop.call_soon_threadsafe(done.set))
            ready.set()
            await done.wait()

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    ready.wait(30)
    try:
        yield fake.base_url
    finally:
        stop[0]()
        thread.join(30)
