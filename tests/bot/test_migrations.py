"""Upgrades keep every row: each revision of the chain, filled with rows in every table, upgraded
to head on SQLite and (with SIGNALBOT_TEST_DATABASE_URL) on a fresh PostgreSQL database.

The chain is read from the migrations directory, so a new migration is tested as soon as it
exists; its rows live in :mod:`tests.bot.migration_rows` (the test names a missing entry).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
import stat
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, select
from sqlalchemy.engine import make_url

from bot.storage import create_engine, current_revision, downgrade, upgrade
from bot.storage.db import alembic_config
from bot.storage.sqlite_file import BACKUPS_KEPT, backups_of
from commands.reply import UserError
from tests.bot.conftest import PG_ENV, _admin
from tests.bot.migration_rows import REVISIONS, Rows, expected_at_head, rows_at
from tests.fakes.bot_process import bot_env
from tests.fakes.market import write_price_dir

ROOT = Path(__file__).resolve().parents[2]
_SCRIPT = ScriptDirectory.from_config(alembic_config())
#: every revision id, oldest first (one head: several would fail here)
CHAIN = [script.revision for script in reversed(list(_SCRIPT.walk_revisions()))]
HEAD = CHAIN[-1]


def test_every_revision_has_a_row_fill() -> None:
    """A new migration must say which rows a database at it holds and what it does to old rows."""
    missing = [rev for rev in CHAIN if rev not in REVISIONS]
    assert not missing, (
        f"revision(s) {missing} have no entry in tests/bot/migration_rows.py REVISIONS: add the "
        "rows a database at that revision holds (every table) and what upgrading does to them"
    )
    assert list(REVISIONS) == CHAIN, "REVISIONS must list the chain's revisions, oldest first"


@pytest.fixture(params=["sqlite", "postgresql"])
async def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of this test's own: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'signalbot.db'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"set {PG_ENV} to upgrade every revision on PostgreSQL too")
    name = f"signalbot_mig_{secrets.token_hex(6)}"
    await _admin(base, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _normal(value: Any) -> Any:
    """Datetimes as naive UTC (SQLite keeps them naive; PostgreSQL answers aware ones)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(
        ({k: _normal(v) for k, v in row.items()} for row in rows),
        key=lambda r: sorted((k, repr(v)) for k, v in r.items()),
    )


def _fill(sync_conn: Connection, rows: Rows) -> None:
    meta = MetaData()
    meta.reflect(sync_conn)
    tables = {t.name for t in meta.sorted_tables} - {"alembic_version"}
    empty = tables - {name for name, found in rows.items() if found}
    assert not empty, f"the row fill leaves table(s) {sorted(empty)} empty: add rows for them"
    assert set(rows) <= tables, f"rows for tables the schema lacks: {set(rows) - tables}"
    for table in meta.sorted_tables:
        for row in rows.get(table.name, []):
            columns = set(table.columns.keys())
            assert set(row) == columns, f"{table.name} row {row} vs columns {sorted(columns)}"
        if rows.get(table.name):
            sync_conn.execute(table.insert(), rows[table.name])


def _read(sync_conn: Connection) -> Rows:
    meta = MetaData()
    meta.reflect(sync_conn)
    return {
        table.name: [dict(row._mapping) for row in sync_conn.execute(select(table))]
        for table in meta.sorted_tables
        if table.name != "alembic_version"
    }


async def _run(url: str, fn: Any, *args: Any) -> Any:
    engine = create_engine(url)  # foreign keys on: the fill must be consistent
    try:
        async with engine.begin() as conn:
            return await conn.run_sync(fn, *args)
    finally:
        await engine.dispose()


def _same(actual: Rows, expected: Rows) -> None:
    assert set(actual) == set(expected), "tables at head differ from what the migrations say"
    for table in sorted(expected):
        assert _sorted(actual[table]) == _sorted(expected[table]), f"rows of {table} differ"


def _counts(rows: Rows) -> dict[str, int]:
    return {table: len(found) for table, found in sorted(rows.items())}


@pytest.mark.parametrize("revision", CHAIN)
async def test_every_revision_upgrades_to_head_keeping_every_row(
    fresh_url: str, revision: str
) -> None:
    """Rows in every table at ``revision``, upgraded to head: each row is there, unchanged but for
    what the migrations after it say (new columns' values; the bars cache dropped by 0009)."""
    await upgrade(fresh_url, revision)
    filled = rows_at(CHAIN, revision)
    await _run(fresh_url, _fill, filled)
    backup = await upgrade(fresh_url)
    assert await current_revision(fresh_url) == HEAD
    actual = await _run(fresh_url, _read)
    print(f"{revision}: before {_counts(filled)} after {_counts(actual)}")
    _same(actual, expected_at_head(CHAIN, revision))
    if fresh_url.startswith("sqlite") and revision != HEAD:
        assert backup is not None and stat.S_IMODE(backup.stat().st_mode) == 0o600
        backup_url = f"sqlite:///{backup}"
        assert await current_revision(backup_url) == revision
        _same(await _run(backup_url, _read), filled)  # the backup is the database as it was
    else:
        assert backup is None  # PostgreSQL, or nothing pending: no copy


def _sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("servers", "subscriptions", "deliveries")
        }


@pytest.mark.parametrize("command", [("db", "upgrade"), ("run",)])
async def test_db_upgrade_and_start_keep_subscriptions_and_deliveries(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """The reported case with real processes: ``python -m bot db upgrade`` (or a start, which
    migrates) on a file at 0012 with servers, subscriptions and deliveries keeps them all, and
    says where its backup is."""
    path = tmp_path / "data" / "signalbot.db"
    url = f"sqlite:///{path}"
    await upgrade(url, "0012")
    await _run(url, _fill, rows_at(CHAIN, "0012"))
    before = _sqlite_counts(path)
    prices = write_price_dir(tmp_path / "prices", {"SPY": 1.0})
    env = bot_env(tmp_path, prices, SIGNALBOT_DATABASE_URL=url, PYTHONPATH=str(ROOT))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *command,
        cwd=ROOT, env=env, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    # a command on stdin: with none, a terminal-mode run has nothing to serve and exits 78
    _out, err = await asyncio.wait_for(proc.communicate(b"/quit\n"), 120)
    assert proc.returncode == 0, err.decode()
    after = _sqlite_counts(path)
    print(f"0012 -> head with python -m bot {' '.join(command)}: before {before} after {after}")
    assert before == {"servers": 3, "subscriptions": 3, "deliveries": 4}
    assert after == before
    (backup,) = backups_of(path)
    assert str(backup) in err.decode()  # the operator is told where the copy is
    assert _sqlite_counts(backup) == before


async def test_a_broken_foreign_key_aborts_the_upgrade_and_changes_nothing(
    tmp_path: Path,
) -> None:
    """A subscription whose server row is missing (written with foreign keys off) stops the
    upgrade with one line naming the table; the file stays at its revision with its rows."""
    path = tmp_path / "signalbot.db"
    url = f"sqlite:///{path}"
    await upgrade(url, "0012")
    await _run(url, _fill, rows_at(CHAIN, "0012"))
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM servers WHERE server_id = 'T1'")  # foreign keys off here
    before = _sqlite_counts(path)
    with pytest.raises(UserError) as caught:
        await upgrade(url)
    assert caught.value.key == "error.database_migration_refused"
    assert "subscriptions" in caught.value.params["problem"]
    assert caught.value.params["database"] == url
    assert await current_revision(url) == "0012"
    assert _sqlite_counts(path) == before


async def test_only_the_last_backups_are_kept(tmp_path: Path) -> None:
    """Each migration of the file makes a backup; the oldest beyond the last three go; none when
    nothing is pending."""
    url = f"sqlite:///{tmp_path / 'signalbot.db'}"
    await upgrade(url)
    assert await upgrade(url) is None  # nothing pending: no copy
    made = []
    for _ in range(BACKUPS_KEPT + 2):
        await downgrade(url, CHAIN[-2])  # a downgrade is backed up too
        made.append(await upgrade(url))
    kept = backups_of(tmp_path / "signalbot.db")
    assert len(kept) == BACKUPS_KEPT
    assert made[-1] in kept
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in kept)
