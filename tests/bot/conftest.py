"""Storage fixtures: a SQLite file per test always; a throwaway PostgreSQL database when configured.

Set ``SIGNALBOT_TEST_DATABASE_URL`` (e.g. ``postgresql://postgres@127.0.0.1:5432/test``) to run
the storage suite on PostgreSQL too: one ``signalbot_test_<random>`` database is created on that
server for the test session, migrated, emptied before each test and dropped at the end.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio
from sqlalchemy.engine import make_url

from bot.storage import Storage, open_storage, upgrade
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


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest, tmp_path, pg_url: str | None) -> str:
    """A database URL per backend: a fresh SQLite file, or the session's emptied PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'signalbot.db'}"
    if pg_url is None:
        pytest.skip(f"set {PG_ENV} to run the storage suite on PostgreSQL")
    await upgrade(pg_url)  # a test may have downgraded it
    tables = ", ".join(t.name for t in metadata.sorted_tables)
    await _admin(pg_url, f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    return pg_url


@pytest.fixture
async def storage(db_url: str) -> AsyncIterator[Storage]:
    """Storage opened (and migrated) on each backend."""
    async with open_storage(db_url) as opened:
        yield opened
