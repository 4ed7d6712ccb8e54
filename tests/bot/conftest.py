"""Storage fixtures: a SQLite file per test always; a throwaway PostgreSQL database when configured.

Set ``SIGNALBOT_TEST_DATABASE_URL`` (e.g. ``postgresql://postgres@127.0.0.1:5432/test``) to run
the storage suite on PostgreSQL too: one ``signalbot_test_<random>`` database is created on that
server for the test session, migrated, emptied before each test and dropped at the end.

Migrations run once per test session (each xdist worker is a session), not once per test: the
SQLite file of a test is a copy of a file migrated at the start, and the PostgreSQL database is
upgraded again only when a test left it below head (a downgrade test).
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio
from sqlalchemy.engine import make_url

from bot.storage import Storage, current_revision, open_storage, upgrade
from bot.storage.models import metadata

PG_ENV = "SIGNALBOT_TEST_DATABASE_URL"


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def pg_url() -> AsyncIterator[str | None]:
    """A migrated, throwaway PostgreSQL database for this test session (None when not set)."""
    base = os.environ.get(PG_ENV)
    if not base:
        yield None
        return
    name = f"signalbot_test_{secrets.token_hex(6)}"
    await _admin(base, f'CREATE DATABASE "{name}"')
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        await upgrade(url)
        yield url
    finally:
        await _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrated_copy(template: Path, path: Path) -> str:
    """The URL of ``path``, a copy of the migrated ``template`` (its WAL too, if one is left),
    readable by its owner only, as the bot creates its database files."""
    for suffix in ("", "-wal"):
        source = template.with_name(template.name + suffix)
        if source.exists():
            target = path.with_name(path.name + suffix)
            shutil.copyfile(source, target)
            target.chmod(0o600)
    return f"sqlite:///{path}"


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once for the session; each test gets a copy of it."""
    path = tmp_path_factory.mktemp("sqlite-template") / "signalbot.db"
    await upgrade(f"sqlite:///{path}")
    return path


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def head_revision(sqlite_template: Path) -> str | None:
    """The head revision (what a freshly migrated database records)."""
    return await current_revision(f"sqlite:///{sqlite_template}")


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    pg_url: str | None,
    sqlite_template: Path,
    head_revision: str | None,
) -> str:
    """A database URL per backend, migrated: a fresh SQLite file (a copy of the session's
    migrated one), or the session's emptied PostgreSQL."""
    if request.param == "sqlite":
        return migrated_copy(sqlite_template, tmp_path / "signalbot.db")
    if pg_url is None:
        pytest.skip(f"set {PG_ENV} to run the storage suite on PostgreSQL")
    conn = await asyncpg.connect(_asyncpg_dsn(pg_url))
    try:
        migrated = await conn.fetchval("SELECT to_regclass('alembic_version') IS NOT NULL")
        at = await conn.fetchval("SELECT version_num FROM alembic_version") if migrated else None
        if at != head_revision:
            await upgrade(pg_url)  # a test downgraded it
        tables = ", ".join(t.name for t in metadata.sorted_tables)
        await conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()
    return pg_url


@pytest.fixture
async def storage(db_url: str) -> AsyncIterator[Storage]:
    """Storage opened (and migrated) on each backend."""
    async with open_storage(db_url) as opened:
        yield opened


@pytest.fixture
async def store(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[Storage]:
    """A migrated SQLite database for the test (``db.sqlite`` in its tmp dir)."""
    async with open_storage(migrated_copy(sqlite_template, tmp_path / "db.sqlite")) as opened:
        yield opened
