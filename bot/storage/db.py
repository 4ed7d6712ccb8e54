"""Engines (SQLite tuned for durability, PostgreSQL by URL) and Alembic run from code."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.storage.sqlite_file import SQLITE_BUSY_TIMEOUT as SQLITE_BUSY_TIMEOUT
from bot.storage.sqlite_file import (
    backup,
    check_not_lost,
    check_sound,
    private_file,
)
from bot.storage.sqlite_file import private_dir as private_dir  # where callers import it from
from bot.storage.urls import parse_url, safe_url
from commands.reply import UserError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
#: pg_advisory_xact_lock key held while migrating, so two processes never migrate at once.
MIGRATION_LOCK_KEY = 0x5167_6E61_6C62  # "Sgnalb"
#: How long connecting to PostgreSQL may take before it fails (seconds).
PG_CONNECT_TIMEOUT = 10.0


def _sqlite_path(url: URL) -> Path | None:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite ``url`` (None for PostgreSQL and in-memory databases)."""
    parsed = parse_url(url)
    return _sqlite_path(parsed) if parsed.get_backend_name() == "sqlite" else None


def create_engine(
    url: str,
    *,
    foreign_keys: bool = True,
    busy_timeout: float = SQLITE_BUSY_TIMEOUT,
    **kwargs: Any,
) -> AsyncEngine:
    """An async engine for ``url`` (sync spellings accepted); SQLite gets WAL + synchronous=FULL.

    SQLite transactions start with ``BEGIN IMMEDIATE``: writers queue for ``busy_timeout``
    seconds instead of failing with "database is locked" when a read transaction later tries to
    write. SQLite enforces foreign keys unless ``foreign_keys`` is False (migrations only: see
    :func:`_run_alembic`). A SQLite file that is missing while backups of it lie beside it is an
    error (:func:`~bot.storage.sqlite_file.check_not_lost`), not a new empty database.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        connect_args = kwargs.pop("connect_args", {})
        connect_args.setdefault("timeout", PG_CONNECT_TIMEOUT)  # asyncpg waits 60 s otherwise
        return create_async_engine(parsed, connect_args=connect_args, **kwargs)
    path = _sqlite_path(parsed)
    if path is not None:
        check_not_lost(path)
        private_file(path)
    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("timeout", busy_timeout)
    engine = create_async_engine(parsed, connect_args=connect_args, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")  # fsync the WAL on every commit
            cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
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


def _target(revision: str) -> str | None:
    """The revision id ``revision`` names (``head``, ``base``, an id); "?" when it is relative."""
    try:
        found = ScriptDirectory.from_config(alembic_config()).get_revisions(revision)
    except Exception:
        return "?"
    return found[0].revision if found and found[0] is not None else None


def _check_foreign_keys(sync_conn: Connection, database: str) -> None:
    """Abort the migration (its transaction rolls back) when a row points to no parent row."""
    rows = sync_conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if not rows:
        return
    first = rows[0]
    problem = (
        f"{len(rows)} row(s) would break a foreign key, e.g. {first[0]} rowid {first[1]} "
        f"points to no {first[2]} row"
    )
    raise UserError(
        "error.database_migration_refused",
        database=database,
        problem=problem,
        command="signalbot db upgrade",
    )


async def _run_alembic(
    url: str,
    action: Callable[[Config], None],
    revision: str,
    busy_timeout: float = SQLITE_BUSY_TIMEOUT,
) -> Path | None:
    """Run ``action`` in one transaction; on SQLite, back up first and check foreign keys last.

    SQLite migrations run with foreign keys off: Alembic's batch mode re-creates a table (drop,
    copy back) and with them on, dropping ``servers`` cascaded to every subscription and
    delivery. ``PRAGMA foreign_key_check`` before the commit refuses a result with a broken
    reference (nothing is changed). Returns the backup written, if any.
    """
    database = safe_url(url)
    path = sqlite_path(url)
    if path is not None:
        check_not_lost(path)
        await asyncio.to_thread(check_sound, path)
    engine = create_engine(url, foreign_keys=False, busy_timeout=busy_timeout)
    saved: Path | None = None
    try:
        async with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
            if path is not None:  # BEGIN IMMEDIATE holds off writers until the commit
                current = await conn.run_sync(_revision)
                if current is not None and current != _target(revision):
                    saved = await asyncio.to_thread(backup, path, current)
            await conn.run_sync(lambda sync_conn: action(alembic_config(sync_conn)))
            if conn.dialect.name == "sqlite":
                await conn.run_sync(_check_foreign_keys, database)
    finally:
        await engine.dispose()
    return saved


async def upgrade(
    url: str, revision: str = "head", *, busy_timeout: float = SQLITE_BUSY_TIMEOUT
) -> Path | None:
    """Apply migrations up to ``revision`` (idempotent; safe to run from several processes).

    Returns the backup of a SQLite file made before migrating it (None when nothing was pending).
    """
    log.info("migrating database=%s to=%s", safe_url(url), revision)
    return await _run_alembic(
        url, lambda cfg: command.upgrade(cfg, revision), revision, busy_timeout
    )


async def downgrade(url: str, revision: str = "base") -> Path | None:
    """Revert migrations down to ``revision`` (``base`` drops every table)."""
    log.warning("downgrading database=%s to=%s", safe_url(url), revision)
    return await _run_alembic(url, lambda cfg: command.downgrade(cfg, revision), revision)


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
