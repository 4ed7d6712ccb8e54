"""Price source backed by Tiingo's end-of-day API (aiohttp; one request per ticker).

Tiingo documents ``GET /tiingo/daily/<ticker>/prices?startDate=YYYY-MM-DD&endDate=YYYY-MM-DD``
with an ``Authorization: Token <key>`` header; the answer is a JSON list of daily rows with
``date`` (``2026-06-08T00:00:00.000Z``), raw ``open high low close volume`` and CRSP-adjusted
``adjOpen adjHigh adjLow adjClose adjVolume`` (https://www.tiingo.com/documentation/end-of-day).
An unknown ticker is a 404, a bad key 401, a spent hourly or daily allowance 429.
Prices are taken as US dollars (the US listings this bot asks Tiingo for): neither the price rows
nor the ticker's metadata (``GET /tiingo/daily/<ticker>``: name, exchangeCode, startDate,
endDate, description) carry a currency. The metadata's ``exchangeCode`` names the listing's
exchange (``{"ticker": "SPY", "exchangeCode": "NYSE ARCA", ...}``, ``"NASDAQ"`` for AAPL):
:meth:`TiingoSource.exchanges_of_async` turns the US codes into MICs, once per ticker.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import aiohttp
import pandas as pd

from signals.bars import FetchResult, normalize_bars, with_currency
from signals.errors import (
    BAD_ANSWER,
    REJECTED,
    NoData,
    RateLimited,
    SignalError,
    SourceUnavailable,
)
from signals.sources.http import TooMuchData, aread_capped, cause_of, check_length, describe

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.tiingo.com"
#: Requests to Tiingo at once for one batch (the free plan counts each ticker as one request).
PARALLEL = 4
#: Tiingo field -> bars column.
FIELDS = {
    "open": "Open",
    "high": "High",
    "low": "Low",
    "close": "Close",
    "adjClose": "Adj Close",
    "volume": "Volume",
}
#: Tiingo's ``exchangeCode`` values for US listings -> MIC (all on New York's calendar, see
#: :mod:`signals.exchanges`). The codes are those of Tiingo's supported-tickers list (``NYSE``,
#: ``NASDAQ``, ``NYSE ARCA``, ``NYSE MKT``, ``AMEX``, ``BATS``); any other code (its non-US
#: and mutual-fund codes among them) leaves the exchange to the symbol's suffix.
TIINGO_EXCHANGES: dict[str, str] = {
    "NYSE": "XNYS",
    "NASDAQ": "XNAS",
    "NYSE ARCA": "ARCX",
    "NYSE MKT": "XASE",
    "AMEX": "XASE",
    "BATS": "BATS",
}


def rows_to_bars(rows: Any) -> pd.DataFrame:
    """Tiingo's JSON rows as canonical bars; ValueError when it is not a list of rows."""
    if not isinstance(rows, list) or not all(isinstance(r, dict) and "date" in r for r in rows):
        raise ValueError("not a list of daily rows")
    frame = pd.DataFrame(
        {column: [r.get(field) for r in rows] for field, column in FIELDS.items()},
        index=pd.to_datetime([str(r["date"])[:10] for r in rows], format="%Y-%m-%d"),
    )
    return with_currency(normalize_bars(frame), "USD")


class TiingoSource:
    """Daily bars from Tiingo; needs an API key (``TIINGO_API_KEY``)."""

    name = "tiingo"
    source_id = "tiingo"

    def __init__(
        self,
        api_key: Callable[[], str],
        *,
        base_url: str | None = None,
        timeout: float = 15.0,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self._api_key = api_key  # a callable, so the key never sits in a repr or a log record
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = timeout
        self._session = session
        self._own_session = session is None
        # ticker (upper-case) -> MIC, or None when Tiingo's answer names no exchange we know;
        # a failed lookup is not kept (a listing's exchange does not change)
        self._exchanges: dict[str, str | None] = {}

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
            self._own_session = True
        return self._session

    async def aclose(self) -> None:
        """Close the HTTP session this source opened."""
        if self._own_session and self._session is not None:
            await self._session.close()

    async def fetch_async(self, tickers: Sequence[str], *, start: date, end: date) -> FetchResult:
        """Bars for every ticker, a few requests at a time; each failure is that ticker's."""
        slots = asyncio.Semaphore(PARALLEL)

        async def one(ticker: str) -> pd.DataFrame | SignalError:
            async with slots:
                return await self._one(ticker, start, end)

        answers = await asyncio.gather(*(one(t) for t in tickers))
        bars = {t: a for t, a in zip(tickers, answers, strict=True) if isinstance(a, pd.DataFrame)}
        errors = {t: a for t, a in zip(tickers, answers, strict=True) if isinstance(a, SignalError)}
        return FetchResult(bars=bars, errors=errors)

    async def _one(self, ticker: str, start: date, end: date) -> pd.DataFrame | SignalError:
        url = f"{self.base_url}/tiingo/daily/{ticker.lower()}/prices"
        params = {"startDate": start.isoformat(), "endDate": end.isoformat(), "format": "json"}
        headers = {"Authorization": f"Token {self._api_key()}", "Accept": "application/json"}
        try:
            async with self._client().get(url, params=params, headers=headers) as response:
                status = response.status
                if status == 200:
                    # the body read with a cap (signals.sources.http): never a whole huge answer
                    check_length("Tiingo", response.headers.get("Content-Length"))
                    body = await aread_capped("Tiingo", response.content.iter_any())
                    bars = rows_to_bars(json.loads(body))
                    if bars.empty:
                        return NoData(ticker, "Tiingo has no rows in range")
                    return bars
                retry_after = response.headers.get("Retry-After", "")
        except (TimeoutError, aiohttp.ClientError, ValueError, TooMuchData) as exc:
            cause = cause_of(exc)
            log.warning("tiingo ticker=%s failed: %s: %s", ticker, cause, describe(exc))
            return SourceUnavailable(
                ticker, f"Tiingo failed ({type(exc).__name__})", source=self.name, cause=cause
            )
        return _status_error(ticker, status, retry_after)

    async def exchanges_of_async(self, tickers: Sequence[str]) -> dict[str, str]:
        """The MIC of each of ``tickers`` whose exchange Tiingo's metadata names (one request
        per ticker and process, a few at a time, all within the timeout); the others are left
        to the symbol's suffix."""
        asked = [t for t in dict.fromkeys(tickers) if t.upper() not in self._exchanges]
        if asked:
            slots = asyncio.Semaphore(PARALLEL)

            async def one(ticker: str) -> None:
                async with slots:
                    said, mic = await self._meta_exchange(ticker)
                if said:
                    self._exchanges[ticker.upper()] = mic

            try:
                async with asyncio.timeout(self.timeout):
                    await asyncio.gather(*(one(t) for t in asked))
            except TimeoutError:
                log.warning("tiingo meta timed out after %.1fs", self.timeout)
        return {t: mic for t in tickers if (mic := self._exchanges.get(t.upper()))}

    async def _meta_exchange(self, ticker: str) -> tuple[bool, str | None]:
        """``(True, MIC or None)`` when Tiingo answered about ``ticker``'s listing (None: no
        code, or one not in :data:`TIINGO_EXCHANGES`); ``(False, None)`` when it failed."""
        url = f"{self.base_url}/tiingo/daily/{ticker.lower()}"
        headers = {"Authorization": f"Token {self._api_key()}", "Accept": "application/json"}
        try:
            async with self._client().get(url, headers=headers) as response:
                status = response.status
                if status == 200:
                    check_length("Tiingo", response.headers.get("Content-Length"))
                    meta = json.loads(await aread_capped("Tiingo", response.content.iter_any()))
                    code = meta.get("exchangeCode") if isinstance(meta, dict) else None
                    if not isinstance(code, str):
                        return True, None
                    return True, TIINGO_EXCHANGES.get(" ".join(code.upper().split()))
        except (TimeoutError, aiohttp.ClientError, ValueError, TooMuchData) as exc:
            cause = cause_of(exc)
            log.warning("tiingo meta ticker=%s failed: %s: %s", ticker, cause, describe(exc))
            return False, None
        if status == 404:
            return True, None  # Tiingo does not know it: the suffix decides, the fetch says
        log.warning("tiingo meta ticker=%s failed: HTTP %d", ticker, status)
        return False, None


def _status_error(ticker: str, status: int, retry_after: str) -> SignalError:
    """Tiingo's HTTP errors as ours (the key is never part of the detail)."""
    if status == 404:
        return NoData(ticker, "Tiingo does not know this ticker", unknown=True)
    if status == 429:
        seconds = float(retry_after) if retry_after.isdigit() else 3600.0  # hourly allowance
        log.warning("tiingo ticker=%s failed: rate limited (HTTP 429)", ticker)
        return RateLimited(ticker, "Tiingo rate limit", retry_after=seconds, source="tiingo")
    if status in (401, 403):
        log.error("tiingo rejected the API key (HTTP %d); check TIINGO_API_KEY", status)
        return SourceUnavailable(
            ticker, "Tiingo rejected the API key", source="tiingo", cause=REJECTED
        )
    log.warning("tiingo ticker=%s failed: bad answer (HTTP %d)", ticker, status)
    return SourceUnavailable(
        ticker, f"Tiingo answered HTTP {status}", source="tiingo", cause=BAD_ANSWER
    )
