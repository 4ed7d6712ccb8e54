"""A local fake of the Yahoo endpoints ``yf.download`` uses, and a session that routes to it.

What yfinance 1.7 asks (read in its source, ``yfinance/data.py`` and ``scrapers/history.py``):
``GET https://fc.yahoo.com`` for a cookie, ``GET https://query1.finance.yahoo.com/v1/test/getcrumb``
for a crumb (text; 429 means rate limited), then ``GET {_BASE_URL_}/v8/finance/chart/{symbol}``
with ``period1``/``period2``/``interval=1d``/``events`` and the crumb, answering
``{"chart": {"result": [{"meta", "timestamp", "indicators": {"quote", "adjclose"}}], "error"}}``
(an unknown symbol is a 404 whose ``chart.error.description`` says "No data found, symbol may be
delisted"). The cookie and crumb URLs are literals in ``data.py``, not ``const`` values, so
patching ``_BASE_URL_`` alone cannot reach a local server; yfinance's own ``session=`` argument
(a ``requests.Session``, which ``YfData`` accepts) can: :class:`LocalYahoo` rewrites
``https://<host>/<path>`` to ``http://127.0.0.1:<port>/<host>/<path>``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import pandas as pd
import requests
from aiohttp import web

NEW_YORK = ZoneInfo("America/New_York")


class LocalYahoo(requests.Session):
    """A requests session that sends every Yahoo URL to the local fake instead."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(str(url))
        if parts.hostname and parts.hostname.endswith("yahoo.com"):
            local = urlsplit(self.base_url)
            url = urlunsplit(
                ("http", local.netloc, f"/{parts.hostname}{parts.path or '/'}", parts.query, "")
            )
        return super().request(method, url, *args, **kwargs)


@dataclass
class FakeYahoo:
    """Chart answers per symbol; symbols in ``limited``/``failing``/``hanging``/``garbled`` misbehave."""

    bars: dict[str, pd.DataFrame] = field(default_factory=dict)
    limited: set[str] = field(default_factory=set)
    failing: set[str] = field(default_factory=set)
    hanging: set[str] = field(default_factory=set)
    garbled: set[str] = field(default_factory=set)
    currency: dict[str, str] = field(default_factory=dict)
    #: symbol -> (Yahoo's ``exchangeName`` code, ``exchangeTimezoneName``); default NYSE Arca.
    #: Yahoo's chart ``meta`` names the listing's exchange and zone so (e.g. ``"HKG"``,
    #: ``"Asia/Hong_Kong"`` for 2800.HK: YahooFinanceApi's ChartResultMeta reads these fields),
    #: and its timestamps are the session opens in that zone.
    exchange: dict[str, tuple[str, str]] = field(default_factory=dict)
    charts: list[str] = field(default_factory=list)
    base_url: str = ""
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def cookie(self, request: web.Request) -> web.StreamResponse:
        response = web.Response(text="")
        response.set_cookie("A3", "fake-cookie", domain=".yahoo.com")
        return response

    async def crumb(self, request: web.Request) -> web.StreamResponse:
        return web.Response(text="fake-crumb")

    def known(self, symbol: str) -> bool:
        """Yahoo has a quote for ``symbol`` (even if its chart misbehaves)."""
        odd = self.limited | self.failing | self.hanging | self.garbled
        return symbol in self.bars or symbol in odd

    async def quote_summary(self, request: web.Request) -> web.StreamResponse:
        """yfinance asks this after a failed chart, to tell "no such symbol" from an outage."""
        symbol = request.match_info["symbol"]
        if not self.known(symbol):
            error = {"code": "Not Found", "description": f"Quote not found for symbol: {symbol}"}
            return web.json_response({"quoteSummary": {"result": None, "error": error}}, status=404)
        quote = {"quoteType": {"symbol": symbol, "quoteType": "ETF", "exchange": "PCX"}}
        return web.json_response({"quoteSummary": {"result": [quote], "error": None}})

    async def quote(self, request: web.Request) -> web.StreamResponse:
        """``/v7/finance/quote?symbols=``: yfinance's other existence check."""
        symbols = [s for s in request.query.get("symbols", "").split(",") if self.known(s)]
        result = [
            {"symbol": s, "quoteType": "ETF", "exchangeTimezoneName": "America/New_York"}
            for s in symbols
        ]
        return web.json_response({"quoteResponse": {"result": result, "error": None}})

    async def chart(self, request: web.Request) -> web.StreamResponse:
        symbol = request.match_info["symbol"]
        self.charts.append(symbol)
        if symbol in self.limited:
            return web.Response(status=429, text="Too Many Requests")
        if symbol in self.failing:
            return web.Response(status=503, text="<html>Service Unavailable</html>")
        if symbol in self.hanging:
            await self.release.wait()
        if symbol in self.garbled:
            return web.Response(text='{"chart": {"result": [', content_type="application/json")
        frame = self.bars.get(symbol)
        if frame is None:
            error = {"code": "Not Found", "description": "No data found, symbol may be delisted"}
            return web.json_response({"chart": {"result": None, "error": error}}, status=404)
        start = pd.Timestamp(int(request.query.get("period1", "0")), unit="s")
        end = pd.Timestamp(int(request.query.get("period2", "4102444800")), unit="s")
        rows = frame.loc[(frame.index >= start.normalize()) & (frame.index < end)]
        return web.json_response(self._chart(symbol, rows))

    def _chart(self, symbol: str, rows: pd.DataFrame) -> dict[str, Any]:
        code, zone = self.exchange.get(symbol, ("PCX", str(NEW_YORK)))
        opens = [
            int(pd.Timestamp(d).replace(hour=9, minute=30).tz_localize(zone).timestamp())
            for d in rows.index
        ]
        meta = {
            "currency": self.currency.get(symbol, "USD"),
            "symbol": symbol,
            "exchangeName": code,
            "instrumentType": "ETF",
            "firstTradeDate": opens[0] if opens else 0,
            "regularMarketTime": opens[-1] if opens else 0,
            "gmtoffset": -14400,
            "timezone": "EDT",
            "exchangeTimezoneName": zone,
            "priceHint": 2,
            "dataGranularity": "1d",
            "range": "",
            "validRanges": ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"],
        }
        quote = {
            "open": rows["Open"].tolist(),
            "high": rows["High"].tolist(),
            "low": rows["Low"].tolist(),
            "close": rows["Close"].tolist(),
            "volume": [int(v) for v in rows["Volume"]],
        }
        indicators = {"quote": [quote], "adjclose": [{"adjclose": rows["Adj Close"].tolist()}]}
        result = {"meta": meta, "timestamp": opens, "indicators": indicators}
        return json.loads(json.dumps({"chart": {"result": [result], "error": None}}))


@asynccontextmanager
async def running(fake: FakeYahoo) -> AsyncIterator[FakeYahoo]:
    """Serve ``fake`` on 127.0.0.1 (a free port) for the duration."""
    app = web.Application()
    app.router.add_get("/fc.yahoo.com/", fake.cookie)
    app.router.add_get("/query1.finance.yahoo.com/v1/test/getcrumb", fake.crumb)
    app.router.add_get("/query2.finance.yahoo.com/v1/test/getcrumb", fake.crumb)
    for host in ("query1.finance.yahoo.com", "query2.finance.yahoo.com"):
        app.router.add_get(f"/{host}/v8/finance/chart/{{symbol}}", fake.chart)
        app.router.add_get(f"/{host}/v10/finance/quoteSummary/{{symbol}}", fake.quote_summary)
        app.router.add_get(f"/{host}/v7/finance/quote", fake.quote)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    fake.base_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield fake
    finally:
        fake.release.set()
        await runner.cleanup()
