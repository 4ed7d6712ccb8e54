"""Price source backed by yfinance: one batched ``yf.download`` for all requested tickers.

``yf.download`` keeps only the frames: the chart metadata of each answer, where Yahoo says the
currency (``"currency": "HKD"``, ``"GBp"`` for pence), is dropped with the ``Ticker`` it built
(yfinance 1.7 ``multi._download_one``). So the currency is asked once per ticker and process with
``Ticker.get_history_metadata()`` (the same ``/v8/finance/chart`` answer's ``meta``, for a 5-day
range), remembered, and carried with the bars into the caches (``DataFrame.attrs``). The same
``meta`` names the listing's exchange (``"exchangeName": "HKG"``, ``"exchangeTimezoneName":
"Asia/Hong_Kong"``; the fields of Yahoo's ``/v8/finance/chart`` ``meta`` as its clients read
them, e.g. YahooFinanceApi's ``ChartResultMeta``): :meth:`YFinanceSource.exchanges_of` turns
Yahoo's exchange codes into MICs, so a listing's exchange comes from Yahoo over the suffix guess.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_all
from contextlib import contextmanager
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from signals.bars import FetchResult, normalize_bars, with_currency
from signals.errors import BAD_ANSWER, NoData, RateLimited, SignalError, SourceUnavailable
from signals.sources.http import cause_in

if TYPE_CHECKING:
    from signals.sources.yahoo_http import YahooSession

log = logging.getLogger(__name__)

Download = Callable[..., "pd.DataFrame | None"]
#: ``ticker -> Yahoo's chart metadata`` (``Ticker.get_history_metadata``).
Metadata = Callable[[str], Mapping[str, Any]]
#: At most this many metadata lookups at once (the first fetch of a large watchlist).
METADATA_THREADS = 4

#: Yahoo's ``exchangeName`` codes -> MIC, for the exchanges :mod:`signals.exchanges` knows
#: (codes as Yahoo's chart ``meta`` gives them: ``NYQ`` NYSE, ``PCX`` NYSE Arca, ``NMS``/``NGM``/
#: ``NCM`` Nasdaq, ``HKG``, ``SHH``/``SHZ`` Shanghai/Shenzhen, ``TAI``/``TWO`` Taiwan/TPEx,
#: ``JPX`` Tokyo, ``KSC``/``KOE`` KRX/KOSDAQ, ``LSE``, ``GER`` Xetra, ``NSI`` NSE). A code not
#: here leaves the exchange to the symbol's suffix.
YAHOO_EXCHANGES: dict[str, str] = {
    "NYQ": "XNYS",
    "PCX": "ARCX",
    "NMS": "XNAS",
    "NGM": "XNAS",
    "NCM": "XNAS",
    "NAS": "XNAS",
    "ASE": "XASE",
    "BTS": "BATS",
    "HKG": "XHKG",
    "SHH": "XSHG",
    "SHZ": "XSHE",
    "TAI": "XTAI",
    "TWO": "ROCO",
    "JPX": "XTKS",
    "KSC": "XKRX",
    "KOE": "XKOS",
    "SES": "XSES",
    "NSI": "XNSE",
    "BSE": "XBOM",
    "ASX": "XASX",
    "LSE": "XLON",
    "GER": "XETR",
    "FRA": "XFRA",
    "PAR": "XPAR",
    "AMS": "XAMS",
    "EBS": "XSWX",
    "MIL": "XMIL",
    "TOR": "XTSE",
    "VAN": "XTSX",
}

_RATE_LIMIT_MARKERS = ("YFRateLimitError", "Too Many Requests", "Rate limited")
#: How yfinance 1.x words "this symbol has no data" (YFTickerMissingError, PriceHistory errors).
_NO_DATA_MARKERS = (
    "possibly delisted",
    "No data found",
    "no price data found",
    "symbol may be delisted",
    "YFTickerMissingError",
    "YFPricesMissingError",
    "Quote not found",
    "404 Client Error",
)
#: Yahoo said it has no such symbol (its quote lookups answer 404 / "Quote not found").
_UNKNOWN_MARKERS = ("Quote not found", "404 Client Error")
#: yfinance 1.7 words a chart request that hung or answered garbage while it looked up the
#: symbol's timezone as "possibly delisted; no timezone found" (seen against the local fake in
#: tests/signals/test_yahoo_http.py): an outage, not a verdict on the ticker.
_NO_ANSWER_MARKERS = ("no timezone found", "No timezone found")


class _ErrorCapture(logging.Handler):
    """Collects the per-ticker failures that ``yf.download`` logs instead of raising."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def failures(self, ticker: str) -> str:
        """The logged failure text that names ``ticker`` (yfinance logs ``['IWM']: error``)."""
        return " ".join(m for m in self.messages if f"'{ticker}'" in m)


@contextmanager
def _capture_yf_errors() -> Iterator[_ErrorCapture]:
    logger = logging.getLogger("yfinance")
    handler = _ErrorCapture()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def _default_download() -> Download:
    import yfinance as yf  # imported lazily: it is slow to import and only needed here

    # yfinance switches its own DeprecationWarnings on at import; the ones it raises are pandas 3
    # deprecations inside yfinance, which users of this bot cannot act on.
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="^yfinance")
    return yf.download  # type: ignore[no-any-return]


def yahoo_metadata(ticker: str, *, session: Any = None) -> Mapping[str, Any]:
    """Yahoo's chart metadata for ``ticker`` (``currency``, ``exchangeName``, ...), through
    yfinance (``session``: its requests session, as ``yf.download`` takes one)."""
    import yfinance as yf

    return yf.Ticker(ticker, session=session).get_history_metadata()  # type: ignore[no-any-return]


def _is_rate_limit(text: str) -> bool:
    return any(marker in text for marker in _RATE_LIMIT_MARKERS)


def split_download(frame: pd.DataFrame | None, tickers: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Split a ``yf.download`` frame into per-ticker bars.

    yfinance 1.x returns ``(Price, Ticker)`` MultiIndex columns with ``group_by='column'`` (also
    for one ticker, as ``multi_level_index`` defaults to True) and ``(Ticker, Price)`` with
    ``group_by='ticker'``; a frame with flat columns is a single ticker's. Tickers whose columns
    are all NaN (yfinance's way of reporting a failed ticker) are left out.
    """
    if frame is None or frame.empty:
        return {}
    out: dict[str, pd.DataFrame] = {}
    columns = frame.columns
    if isinstance(columns, pd.MultiIndex):
        names = [str(n) if n is not None else "" for n in columns.names]
        level = (
            names.index("Ticker")
            if "Ticker" in names
            else (1 if "Close" in columns.get_level_values(0) else 0)
        )
        present = {str(t).upper(): t for t in columns.get_level_values(level).unique()}
        for ticker in tickers:
            key = present.get(ticker.upper())
            if key is None:
                continue
            sub = frame.xs(key, axis=1, level=level)
            bars = normalize_bars(sub if isinstance(sub, pd.DataFrame) else sub.to_frame())
            if not bars.empty:
                out[ticker] = bars
    elif len(tickers) == 1:
        bars = normalize_bars(frame)
        if not bars.empty:
            out[tickers[0]] = bars
    return out


class YFinanceSource:
    """Daily bars from Yahoo Finance via yfinance, with bounded retries on rate limits."""

    name = "yfinance"
    source_id = "yfinance"

    def __init__(
        self,
        *,
        download: Download | None = None,
        retries: int = 3,
        backoff: float = 2.0,
        timeout: float = 15.0,
        sleep: Callable[[float], None] = time.sleep,
        metadata: Metadata | None = None,
        session: YahooSession | None = None,
    ) -> None:
        self._download = download
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self._sleep = sleep
        self._metadata = metadata
        # the session yfinance is given (capped reads, causes kept): built at the first fetch
        self._http = session
        self._http_lock = threading.Lock()
        self._currencies: dict[str, str] = {}  # a listing's currency does not change
        self._exchanges: dict[str, str] = {}  # nor its exchange (a MIC)
        self._currencies_lock = threading.Lock()

    def _session(self) -> YahooSession | None:
        """The session yfinance is given; None when a test's own ``download`` is used."""
        if self._download is not None:
            return self._http
        with self._http_lock:
            if self._http is None:
                from signals.sources.yahoo_http import YahooSession

                self._http = YahooSession()
            return self._http

    def _call(self, tickers: list[str], start: date, end: date) -> tuple[Any, _ErrorCapture]:
        session = self._session()
        download = self._download or functools.partial(_default_download(), session=session)
        if session is not None:
            session.forget(tickers)
        # No process-wide lock: yfinance 1.x keeps each download's frames and errors in a context
        # of its own (multi._DownloadCtx); the service bounds how many run at once.
        with _capture_yf_errors() as capture:
            frame = download(
                tickers,
                start=start.isoformat(),
                end=(end + timedelta(days=1)).isoformat(),  # yfinance's end is exclusive
                interval="1d",
                auto_adjust=False,  # keep both Close and Adj Close
                actions=False,
                group_by="column",
                threads=True,
                progress=False,
                timeout=self.timeout,
                multi_level_index=True,
            )
        return frame, capture

    def fetch(self, tickers: Sequence[str], *, start: date, end: date) -> FetchResult:
        """Download all ``tickers`` in one batched call; retry only the rate-limited ones."""
        pending = list(dict.fromkeys(tickers))
        result = FetchResult()
        delay = self.backoff
        for attempt in range(1, self.retries + 1):
            try:
                frame, capture = self._call(pending, start, end)
            except Exception as exc:  # yfinance raises a zoo of exception types
                text = f"{type(exc).__name__}: {exc}"
                if _is_rate_limit(text) and attempt < self.retries:
                    log.warning(
                        "yfinance rate-limited (attempt %d); retry in %.1fs", attempt, delay
                    )
                    self._sleep(delay)
                    delay *= 2
                    continue
                errors: dict[str, SignalError] = {
                    t: self._error_for(t, text, rate_limited=_is_rate_limit(text)) for t in pending
                }
                return result.merged(FetchResult(errors=errors))
            got = split_download(frame, pending)
            errors = {}
            limited: list[str] = []
            for ticker in pending:
                if ticker in got:
                    continue
                text = capture.failures(ticker.upper())
                if _is_rate_limit(text):
                    limited.append(ticker)
                errors[ticker] = self._error_for(ticker, text, rate_limited=_is_rate_limit(text))
            result = result.merged(FetchResult(bars=got, errors=errors))
            if not limited or attempt == self.retries:
                break
            log.warning(
                "yfinance rate-limited %d ticker(s) (attempt %d); retry in %.1fs",
                len(limited),
                attempt,
                delay,
            )
            self._sleep(delay)
            delay *= 2
            pending = limited
        currencies = self.currencies(list(result.bars))
        for ticker, frame in result.bars.items():
            with_currency(frame, currencies.get(ticker))
        return result

    def currencies(self, tickers: Sequence[str]) -> dict[str, str]:
        """The currency Yahoo reports for each of ``tickers`` it could tell within the timeout
        (asked once per ticker; a failed lookup is not remembered, so it is asked again)."""
        with self._currencies_lock:
            known = {
                t: self._currencies[t.upper()] for t in tickers if t.upper() in self._currencies
            }
        unknown = [t for t in tickers if t not in known]
        if unknown:
            self._lookup(unknown)
        with self._currencies_lock:
            known.update(
                {t: self._currencies[t.upper()] for t in unknown if t.upper() in self._currencies}
            )
        return known

    def exchanges_of(self, tickers: Sequence[str]) -> dict[str, str]:
        """The MIC of each of ``tickers`` whose exchange Yahoo's chart metadata names (one
        lookup per ticker and process, shared with :meth:`currencies`); the others are left
        to the symbol's suffix."""
        if self._metadata is None and self._session() is None:
            return {}  # a test's own download and no metadata: nothing to ask
        with self._currencies_lock:
            asked = [
                t
                for t in tickers
                if t.upper() not in self._currencies and t.upper() not in self._exchanges
            ]
        if asked:
            self._lookup(asked)
        with self._currencies_lock:
            return {t: self._exchanges[t.upper()] for t in tickers if t.upper() in self._exchanges}

    def exchange_of(self, ticker: str) -> str | None:
        """:meth:`exchanges_of` for one ticker (None: Yahoo did not say, or not a known code)."""
        return self.exchanges_of([ticker]).get(ticker)

    def _lookup(self, tickers: Sequence[str]) -> None:
        """Ask Yahoo's chart metadata of ``tickers`` at once (bounded by the timeout) and keep
        each one's currency and exchange."""
        pool = ThreadPoolExecutor(min(METADATA_THREADS, len(tickers)), "yahoo-metadata")
        try:
            lookup = self._metadata or functools.partial(yahoo_metadata, session=self._session())
            futures = {pool.submit(lookup, t): t for t in tickers}
            done, _ = wait_all(futures, timeout=self.timeout)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        for future in done:
            ticker = futures[future]
            try:
                meta = future.result()
            except Exception as exc:  # yfinance raises a zoo of exception types
                log.warning("no currency from Yahoo for %s: %s", ticker, type(exc).__name__)
                continue
            currency, code = meta.get("currency"), meta.get("exchangeName")
            with self._currencies_lock:
                if isinstance(currency, str) and currency.strip():
                    self._currencies[ticker.upper()] = currency.strip()
                mic = YAHOO_EXCHANGES.get(code.strip().upper()) if isinstance(code, str) else None
                if mic is not None:
                    self._exchanges[ticker.upper()] = mic

    def _error_for(self, ticker: str, text: str, *, rate_limited: bool) -> SignalError:
        """Classify a failure: only Yahoo's own "no data" answers mean the ticker has no data.

        Anything else (no network, HTTP 5xx, an HTML error page that is not JSON, a dropped
        connection) is the source being unavailable, which is not cached and invites a retry;
        its cause is what the session saw (yfinance words most of them "no timezone found"),
        else what the failure's text says.
        """
        if rate_limited:
            return RateLimited(
                ticker, "Yahoo Finance rate limit", retry_after=60.0, source=self.name
            )
        seen = self._http.cause(ticker) if self._http is not None else ""
        general = self._http.cause("") if self._http is not None else ""
        if seen:
            return self._unavailable(ticker, seen)
        if any(marker in text for marker in _NO_ANSWER_MARKERS):
            return self._unavailable(ticker, general or BAD_ANSWER)
        if not text and general:
            return self._unavailable(ticker, general)
        if not text or any(marker in text for marker in _NO_DATA_MARKERS):
            # "Quote not found" / a 404 on the quote lookups: Yahoo knows no such symbol at all
            unknown = any(marker in text for marker in _UNKNOWN_MARKERS)
            return NoData(ticker, "no price data (unknown or delisted ticker?)", unknown=unknown)
        return self._unavailable(ticker, cause_in(text))

    def _unavailable(self, ticker: str, cause: str) -> SourceUnavailable:
        """Yahoo Finance failed for ``ticker`` with ``cause`` (``""``: no known cause)."""
        detail = f"Yahoo Finance failed ({cause})" if cause else "Yahoo Finance failed"
        return SourceUnavailable(ticker, detail, source=self.name, cause=cause)
