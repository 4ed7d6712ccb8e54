"""Engines (SQLite tuned for durability, PostgreSQL by URL) and Alembic run from code."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.storage.urls import parse_url, safe_url

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
#: pg_advisory_xact_lock key held while migrating, so two processes never migrate at once.
MIGRATION_LOCK_KEY = 0x5167_6E61_6C62  # "Sgnalb"
#: How long a SQLite writer waits for another writer before failing (seconds).
SQLITE_BUSY_TIMEOUT = 30.0
#: How long connecting to PostgreSQL may take before it fails (seconds).
PG_CONNECT_TIMEOUT = 10.0


def private_dir(path: Path) -> None:
    """Create ``path`` and its missing parents readable by this user only (0700)."""
    missing = []
    while not path.exists() and path != path.parent:
        missing.append(path)
        path = path.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):
            directory.mkdir(mode=0o700)
            os.chmod(directory, 0o700)  # mkdir's mode is reduced by the umask


def private_file(path: Path) -> None:
    """Create the SQLite file 0600 in a 0700 directory if missing (it holds Slack OAuth tokens).

    SQLite gives its -wal and -shm files the permissions of the database file.
    """
    private_dir(path.parent)
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _sqlite_path(url: URL) -> Path | None:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url`` (sync spellings accepted); SQLite gets WAL + synchronous=FULL.

    SQLite transactions start with ``BEGIN IMMEDIATE``: writers queue on the busy timeout instead
    of failing with "database is locked" when a read transaction later tries to write.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        connect_args = kwargs.pop("connect_args", {})
        connect_args.setdefault("timeout", PG_CONNECT_TIMEOUT)  # asyncpg waits 60 s otherwise
        return create_async_engine(parsed, connect_args=connect_args, **kwargs)
    path = _sqlite_path(parsed)
    if path is not None:
        private_file(path)
    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT)
    engine = create_async_engine(parsed, connect_args=connect_args, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")  # fsync the WAL on every commit
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT * 1000)}")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config built in code (no alembic.ini), optionally bound to ``connection``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["connection"] = connection
    return cfg


async def _run_alembic(url: str, action: Callable[[Config], None]) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
            await conn.run_sync(lambda sync_conn: action(alembic_config(sync_conn)))
    finally:
        await engine.dispose()


async def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (idempotent; safe to run from several processes)."""
    log.info("migrating database=%s to=%s", safe_url(url), revision)
    await _run_alembic(url, lambda cfg: command.upgrade(cfg, revision))


async def downgrade(url: str, revision: str = "base") -> None:
    """Revert migrations down to ``revision`` (``base`` drops every table)."""
    log.warning("downgrading database=%s to=%s", safe_url(url), revision)
    await _run_alembic(url, lambda cfg: command.downgrade(cfg, revision))


async def current_revision(url: str) -> str | None:
    """The revision the database is at, or None before the first migration."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_revision)
    finally:
        await engine.dispose()


def _revision(sync_conn: Connection) -> str | None:
    return MigrationContext.configure(sync_conn).get_current_revision()
