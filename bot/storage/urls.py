"""Database URLs: the sync spellings users write, the async drivers the engine needs."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


def parse_url(url: str) -> URL:
    """Parse ``url`` and switch it to its async driver; ValueError names what is wrong."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError("must be a URL like sqlite:///path or postgresql://host/db") from None
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    if driver is None:
        raise ValueError(
            f"unsupported database {parsed.drivername!r}: use sqlite:///path or postgresql://..."
        )
    if driver.startswith("postgresql") and not parsed.database:
        raise ValueError("a postgresql URL needs a database name (postgresql://host/db)")
    if driver.startswith("sqlite") and not parsed.database:
        raise ValueError("a sqlite URL needs a file path (sqlite:///path/to/file.db)")
    return parsed.set(drivername=driver)


def async_url(url: str) -> str:
    """``url`` with the async driver (aiosqlite or asyncpg), password kept."""
    return parse_url(url).render_as_string(hide_password=False)


def safe_url(url: str) -> str:
    """``url`` with any password hidden, for logs and reprs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"
