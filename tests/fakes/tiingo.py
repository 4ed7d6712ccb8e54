"""A local fake of Tiingo's end-of-day endpoint, ``GET /tiingo/daily/<ticker>/prices``.

Modelled on https://www.tiingo.com/documentation/end-of-day: ``Authorization: Token <key>``,
``startDate``/``endDate`` query parameters (inclusive), a JSON list of rows with ``date``
(``YYYY-MM-DDT00:00:00.000Z``), raw ``open high low close volume`` and ``adj*`` fields, plus
``divCash`` and ``splitFactor``; 404 with a ``detail`` for an unknown ticker, 401 for a bad token.

The meta endpoint, ``GET /tiingo/daily/<ticker>`` (same page, "Meta Data"), answers one JSON
object: ``ticker``, ``name``, ``exchangeCode``, ``startDate``, ``endDate``, ``description``
(e.g. ``{"ticker": "SPY", "name": "SPDR S&P 500 ETF Trust", "exchangeCode": "NYSE ARCA",
"startDate": "1993-01-29", ...}``; ``"NASDAQ"`` for AAPL).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pandas as pd
from aiohttp import web

KEY = "test-tiingo-key"


@dataclass
class FakeTiingo:
    """Serves ``bars`` per lower-case ticker; ``limited``/``broken``/``hanging`` tickers misbehave."""

    bars: dict[str, pd.DataFrame] = field(default_factory=dict)
    limited: set[str] = field(default_factory=set)
    broken: set[str] = field(default_factory=set)
    hanging: set[str] = field(default_factory=set)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    #: ``exchangeCode`` per lower-case ticker; a ticker with bars and none here says ``NYSE``
    exchange: dict[str, str] = field(default_factory=dict)
    meta_broken: set[str] = field(default_factory=set)
    meta_hanging: set[str] = field(default_factory=set)
    metas: list[tuple[str, str]] = field(default_factory=list)  # (ticker, Authorization)
    base_url: str = ""
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def prices(self, request: web.Request) -> web.StreamResponse:
        ticker = request.match_info["ticker"]
        self.requests.append((ticker, dict(request.query)))
        if request.headers.get("Authorization") != f"Token {KEY}":
            return web.json_response({"detail": "Invalid token."}, status=401)
        if ticker in self.limited:
            return web.json_response(
                {"detail": "Error: You have run over your hourly request allocation."},
                status=429,
            )
        if ticker in self.hanging:
            await self.release.wait()
        if ticker in self.broken:
            return web.Response(text="<html>upstream error</html>", content_type="text/html")
        frame = self.bars.get(ticker)
        if frame is None:
            return web.json_response({"detail": f"Error: Ticker '{ticker}' not found"}, status=404)
        start = pd.Timestamp(request.query.get("startDate", "1900-01-01"))
        end = pd.Timestamp(request.query.get("endDate", "2100-01-01"))
        rows = frame.loc[(frame.index >= start) & (frame.index <= end)]
        return web.json_response([_row(day, bar) for day, bar in rows.iterrows()])

    async def meta(self, request: web.Request) -> web.StreamResponse:
        ticker = request.match_info["ticker"]
        self.metas.append((ticker, request.headers.get("Authorization", "")))
        if request.headers.get("Authorization") != f"Token {KEY}":
            return web.json_response({"detail": "Invalid token."}, status=401)
        if ticker in self.meta_hanging:
            await self.release.wait()
        if ticker in self.meta_broken:
            return web.Response(
                status=502, text="<html>bad gateway</html>", content_type="text/html"
            )
        if ticker not in self.bars and ticker not in self.exchange:
            return web.json_response({"detail": f"Error: Ticker '{ticker}' not found"}, status=404)
        return web.json_response(
            {
                "ticker": ticker,
                "name": f"{ticker.upper()} FUND",
                "exchangeCode": self.exchange.get(ticker, "NYSE"),
                "startDate": "1993-01-29",
                "endDate": "2026-12-07",
                "description": "A fund.",
            }
        )


def _row(day: pd.Timestamp, bar: pd.Series) -> dict[str, object]:
    factor = float(bar["Adj Close"] / bar["Close"])
    return {
        "date": f"{day:%Y-%m-%d}T00:00:00.000Z",
        "open": float(bar["Open"]),
        "high": float(bar["High"]),
        "low": float(bar["Low"]),
        "close": float(bar["Close"]),
        "volume": int(bar["Volume"]),
        "adjOpen": float(bar["Open"]) * factor,
        "adjHigh": float(bar["High"]) * factor,
        "adjLow": float(bar["Low"]) * factor,
        "adjClose": float(bar["Adj Close"]),
        "adjVolume": int(bar["Volume"]),
        "divCash": 0.0,
        "splitFactor": 1.0,
    }


@asynccontextmanager
async def running(fake: FakeTiingo) -> AsyncIterator[FakeTiingo]:
    """Serve ``fake`` on 127.0.0.1 (a free port) for the duration."""
    app = web.Application()
    app.router.add_get("/tiingo/daily/{ticker}/prices", fake.prices)
    app.router.add_get("/tiingo/daily/{ticker}", fake.meta)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    fake.base_url = f"http://127.0.0.1:{port}"
    try:
        yield fake
    finally:
        fake.release.set()
        await runner.cleanup()
