"""Price source that reads Yahoo-format ``TICKER.csv`` files from a directory (offline runs)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd

from signals.bars import FetchResult, normalize_bars
from signals.errors import NoData, SignalError, SourceUnavailable

log = logging.getLogger(__name__)


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
                frame = normalize_bars(raw)
            except (OSError, ValueError, TypeError, pd.errors.ParserError) as exc:
                log.warning("csv source: cannot read %s: %s", path, exc)
                errors[ticker] = SourceUnavailable(ticker, f"unreadable {path.name}")
                continue
            frame = frame.loc[
                (frame.index >= pd.Timestamp(start)) & (frame.index <= pd.Timestamp(end))
            ]
            if frame.empty:
                errors[ticker] = NoData(ticker, "no rows in range")
            else:
                bars[ticker] = frame
        return FetchResult(bars=bars, errors=errors)
