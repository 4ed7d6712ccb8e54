"""Price sources behind the :class:`signals.bars.PriceSource` protocol."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from signals.bars import AsyncPriceSource, PriceSource
from signals.sources.csv import CsvSource
from signals.sources.demo import DemoSource
from signals.sources.tiingo import TiingoSource
from signals.sources.yahoo import YFinanceSource

__all__ = [
    "CsvSource",
    "DemoSource",
    "TiingoSource",
    "YFinanceSource",
    "source_from_spec",
    "sources_from_spec",
]


def sources_from_spec(
    spec: str,
    *,
    tiingo_key: Callable[[], str] | None = None,
    tiingo_base_url: str | None = None,
    demo_tickers: Sequence[str] = (),
) -> list[PriceSource | AsyncPriceSource]:
    """The ordered chain of ``SIGNALBOT_PRICE_SOURCE`` (``yfinance,tiingo``): one per link.

    ``demo_tickers`` are the tickers the demo source knows beyond the catalog's funds.
    """
    chain: list[PriceSource | AsyncPriceSource] = []
    for part in spec.split(","):
        if part.strip().lower() == "tiingo":
            if tiingo_key is None:
                raise ValueError("the tiingo price source needs TIINGO_API_KEY")
            chain.append(TiingoSource(tiingo_key, base_url=tiingo_base_url))
        else:
            chain.append(source_from_spec(part, demo_tickers=demo_tickers))
    return chain


def source_from_spec(spec: str, *, demo_tickers: Sequence[str] = ()) -> PriceSource:
    """Build a source from ``SIGNALBOT_PRICE_SOURCE``: ``yfinance``, ``csv:/dir`` or ``demo``."""
    text = spec.strip()
    if text.lower() == "yfinance":
        return YFinanceSource()
    if text.lower() == "demo":
        return DemoSource(extra=demo_tickers)
    if text.lower().startswith("csv:"):
        directory = Path(text[4:]).expanduser()
        if not text[4:] or not directory.is_dir():
            raise ValueError(f"csv price source: {directory} is not a directory")
        return CsvSource(directory)
    raise ValueError("price source must be 'yfinance', 'csv:/path/to/dir' or 'demo'")
