"""Price sources behind the :class:`signals.bars.PriceSource` protocol."""

from __future__ import annotations

from pathlib import Path

from signals.bars import PriceSource
from signals.sources.csv import CsvSource
from signals.sources.demo import DemoSource
from signals.sources.yahoo import YFinanceSource

__all__ = ["CsvSource", "DemoSource", "YFinanceSource", "source_from_spec", "sources_from_spec"]


def sources_from_spec(spec: str) -> list[PriceSource]:
    """The ordered chain of ``SIGNALBOT_PRICE_SOURCE`` (``yfinance,csv:/dir``): one per link."""
    return [source_from_spec(part) for part in spec.split(",")]


def source_from_spec(spec: str) -> PriceSource:
    """Build a source from ``SIGNALBOT_PRICE_SOURCE``: ``yfinance``, ``csv:/dir`` or ``demo``."""
    text = spec.strip()
    if text.lower() == "yfinance":
        return YFinanceSource()
    if text.lower() == "demo":
        return DemoSource()
    if text.lower().startswith("csv:"):
        directory = Path(text[4:]).expanduser()
        if not text[4:] or not directory.is_dir():
            raise ValueError(f"csv price source: {directory} is not a directory")
        return CsvSource(directory)
    raise ValueError("price source must be 'yfinance', 'csv:/path/to/dir' or 'demo'")
