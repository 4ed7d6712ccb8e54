"""Price source that reads Yahoo-format ``TICKER.csv`` files from a directory (offline runs).

An optional ``Currency`` column (ISO 4217 such as ``HKD``, or ``GBp`` for pence) says what the
prices are in; a file without it is in US dollars. One file is in one currency: a file whose
rows name different currencies (or leave it blank on some) is bad data, not a guess.

An optional ``Exchange`` column (an ISO 10383 MIC such as ``XHKG``) names the exchange whose
sessions the bars follow; it wins over the symbol's suffix. One file, one exchange, likewise.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd

from signals.bars import FetchResult, normalize_bars, with_currency
from signals.errors import BadData, NoData, SignalError, SourceUnavailable

log = logging.getLogger(__name__)

#: A currency code as sources write it: ISO 4217 (``HKD``) or a minor unit (``GBp``).
_CODE = re.compile(r"[A-Za-z]{3}")
#: An ISO 10383 MIC: four letters or digits.
_MIC = re.compile(r"[A-Za-z0-9]{4}")


class CsvSource:
    """``Date,Open,High,Low,Close,Adj Close,Volume`` files named ``TICKER.csv``."""

    name = "csv"

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        #: Bars cached from one folder are never served as another folder's.
        self.source_id = f"csv:{self.directory.resolve()}"

    def _path(self, ticker: str) -> Path | None:
        for candidate in (ticker, ticker.upper()):
            path = self.directory / f"{candidate}.csv"
            if path.is_file() and path.resolve().parent == self.directory.resolve():
                return path
        return None

    def fetch(self, tickers: Sequence[str], *, start: date, end: date) -> FetchResult:
        """Read each ticker's file and keep the rows in ``[start, end]``."""
        bars: dict[str, pd.DataFrame] = {}
        errors: dict[str, SignalError] = {}
        for ticker in tickers:
            path = self._path(ticker)
            if path is None:
                errors[ticker] = NoData(
                    ticker, f"no {ticker}.csv in the price directory", unknown=True
                )
                continue
            try:
                raw = pd.read_csv(path, index_col="Date", na_values=["null", ""])
                currency = _currency(ticker, raw, self.source_id)
                exchange = _one_value(ticker, raw, "Exchange", _MIC, self.source_id, "")
                frame = normalize_bars(raw)
            except (OSError, ValueError, TypeError, pd.errors.ParserError) as exc:
                log.warning("csv source: cannot read %s: %s", path, exc)
                errors[ticker] = SourceUnavailable(ticker, f"unreadable {path.name}")
                continue
            frame = frame.loc[
                (frame.index >= pd.Timestamp(start)) & (frame.index <= pd.Timestamp(end))
            ]
            if isinstance(currency, BadData):
                errors[ticker] = currency
            elif isinstance(exchange, BadData):
                errors[ticker] = exchange
            elif frame.empty:
                errors[ticker] = NoData(ticker, "no rows in range")
            else:
                bars[ticker] = with_currency(frame, currency)
        return FetchResult(bars=bars, errors=errors)

    def exchange_of(self, ticker: str) -> str | None:
        """The MIC the file's ``Exchange`` column names (upper case), None when it has none or
        the column is not one well-formed value (:meth:`fetch` then says it is bad data)."""
        path = self._path(ticker)
        if path is None:
            return None
        try:
            with path.open(encoding="utf-8") as handle:
                header = handle.readline()
            if "Exchange" not in [c.strip() for c in header.split(",")]:
                return None
            raw = pd.read_csv(path, usecols=["Date", "Exchange"], index_col="Date")
        except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError):
            return None
        found = _one_value(ticker, raw, "Exchange", _MIC, self.source_id, "")
        return found.upper() if isinstance(found, str) and found else None


def _currency(ticker: str, raw: pd.DataFrame, source: str) -> str | BadData:
    """The one currency of a file's ``Currency`` column (US dollars without one), or BadData
    naming the first row that disagrees with the first row's (or leaves it blank)."""
    return _one_value(ticker, raw, "Currency", _CODE, source, "USD")


def _one_value(
    ticker: str, raw: pd.DataFrame, column: str, pattern: re.Pattern[str], source: str, default: str
) -> str | BadData:
    """The one value of a file's ``column`` (``default`` without the column), or BadData naming
    the first row that disagrees with the first row's (or leaves it blank)."""
    if column not in raw.columns or raw.empty:
        return default
    values = raw[column].astype("string").str.strip()
    first = values.iloc[0]
    odd = values.isna() | (values != first)
    if pd.isna(first) or not pattern.fullmatch(str(first)) or bool(odd.any()):
        where = int(odd.to_numpy().argmax()) if bool(odd.any()) else 0
        day = pd.Timestamp(raw.index[where]).date()
        return BadData(ticker, f"missing or mixed {column.lower()}", day=day, source=source)
    return str(first)
