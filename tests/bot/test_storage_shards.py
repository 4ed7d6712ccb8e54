"""Shard leases (one advisory lock per shard id) and migrations started by several processes."""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.storage import create_engine, current_revision
from bot.storage.shards import ShardLeases
from tests.bot.conftest import PG_ENV, _admin


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_two_processes_share_the_shards_and_a_closed_one_hands_them_over(db_url: str):
    """Automatic leases: fair shares (2 + 2 of 4), never one shard twice; when one process's
    connection goes, the other takes every shard at its next tick."""
    engines = [create_engine(db_url), create_engine(db_url)]
    a, b = (ShardLeases(e, 4) for e in engines)
    try:
        first = await a.tick()
        assert first.acquired == {0, 1, 2, 3}  # alone: every shard
        await b.tick()  # b joins: nothing free yet
        plan = await a.tick()  # a gives up its surplus ...
        assert len(plan.release) == 2
        await a.release(plan.release)
        await b.tick()  # ... and b takes it
        assert len(a.held) == len(b.held) == 2 and not a.held & b.held
        was_a = a.held
        await a.close()  # the process died: its connection and locks are gone
        taken = await b.tick()
        assert b.held == {0, 1, 2, 3} and taken.acquired == was_a
    finally:
        await a.close()
        await b.close()
        for engine in engines:
            await engine.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_explicit_shard_ids_wait_for_a_holder(db_url: str):
    """DISCORD_SHARD_IDS: a process leases exactly those; one held elsewhere is taken later."""
    engine = create_engine(db_url)
    a, b = ShardLeases(engine, 3, [1]), ShardLeases(engine, 3, [0, 1])
    try:
        assert (await a.tick()).acquired == {1}
        assert (await b.tick()).acquired == {0}
        await a.close()
        assert (await b.tick()).acquired == {1}
    finally:
        await a.close()
        await b.close()
        await engine.dispose()


async def test_sqlite_grants_every_shard(tmp_path: Path):
    """SQLite: one process by design, every shard, no lock."""
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    leases = ShardLeases(engine, 3)
    try:
        assert not leases.coordinated
        assert (await leases.tick()).acquired == {0, 1, 2}
        assert (await leases.tick()).acquired == frozenset()
    finally:
        await engine.dispose()
    with pytest.raises(ValueError, match="outside"):
        ShardLeases(engine, 2, [2])


async def test_processes_starting_together_do_not_race_on_migrations(tmp_path: Path):
    """Three `signalbot db upgrade` at once on an empty database: all succeed (an advisory lock
    serialises them), the schema is at the head revision."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"set {PG_ENV} to run the PostgreSQL tests")
    name = f"signalbot_test_{secrets.token_hex(6)}"
    await _admin(base, f'CREATE DATABASE "{name}"')
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNALBOT_", "DISCORD_"))}
        env.update(
            SIGNALBOT_DATABASE_URL=url, SIGNALBOT_DATA_DIR=str(tmp_path), PYTHONPATH=os.getcwd()
        )
        procs = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "db",
                "upgrade",
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            for _ in range(3)
        ]
        outputs = [await asyncio.wait_for(p.communicate(), 120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], [o[0].decode()[-2000:] for o in outputs]
        from alembic.script import ScriptDirectory

        from bot.storage.db import alembic_config

        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert await current_revision(url) == head
    finally:
        await _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
