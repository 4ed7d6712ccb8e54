"""``/readyz`` sees the database: a deleted, replaced, read-only or full SQLite file and a
PostgreSQL database that takes no writes are "not ready", with what is wrong in the body."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from bot.app import run_bot
from bot.ops.health import Readiness
from bot.storage import Storage, open_storage
from bot.storage.sqlite_file import file_problem, identity
from tests.bot.conftest import PG_ENV, _admin
from tests.bot.ops.conftest import get
from tests.bot.ops.test_http import Probe, settings
from tests.support import any_port, bound_port


@pytest.fixture
async def sqlite_storage(tmp_path: Path) -> AsyncIterator[Storage]:
    async with open_storage(f"sqlite:///{tmp_path / 'signalbot.db'}") as storage:
        yield storage


async def _report(storage: Storage, min_free: int = 0) -> tuple[bool, dict[str, Any]]:
    readiness = Readiness(storage, (), None, expect_digests=False, min_free=min_free)
    ready, body = await readiness.report()
    return ready, body


async def test_a_sound_sqlite_file_is_ready(sqlite_storage: Storage) -> None:
    assert await _report(sqlite_storage) == (
        True,
        {"status": "ok", "down": [], "leader": False, "database": True, "adapters": {},
         "problems": {}},
    )  # fmt: skip


@pytest.mark.slow
async def test_readyz_of_a_running_bot_names_a_deleted_database_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A running bot whose SQLite file is deleted answers 503 saying so (it was ready before)."""
    probe = Probe()
    task = asyncio.create_task(
        run_bot(any_port(settings(tmp_path), caplog), extra_adapters=probe.bind)
    )
    try:
        base = f"http://127.0.0.1:{await bound_port(caplog)}"
        await asyncio.wait_for(probe.answered.wait(), 30)
        status, body = await get(f"{base}/readyz")
        assert status == 200, body
        (tmp_path / "data" / "signalbot.db").unlink()
        status, body = await get(f"{base}/readyz")
        assert status == 503
        assert body["down"] == ["database"]
        assert "signalbot.db no longer exists" in body["problems"]["database"]
    finally:
        probe.finish.set()
        assert await asyncio.wait_for(task, 30) == 0


async def test_a_replaced_sqlite_file_is_not_ready(sqlite_storage: Storage, tmp_path: Path) -> None:
    path = tmp_path / "signalbot.db"
    readiness = Readiness(sqlite_storage, (), None, expect_digests=False)
    path.rename(tmp_path / "moved.db")
    path.write_bytes((tmp_path / "moved.db").read_bytes())  # a copy: same name, other file
    ready, body = await readiness.report()
    assert not ready
    assert "was replaced by another file" in body["problems"]["database"]


async def test_a_full_disk_is_not_ready(sqlite_storage: Storage) -> None:
    """The disk's real free space, measured against a floor above it."""
    ready, body = await _report(sqlite_storage, min_free=2**62)
    assert not ready
    assert "is full" in body["problems"]["database"]


def test_a_read_only_file_is_not_writable(tmp_path: Path) -> None:
    """A file this process may not write (as root: on a read-only bind mount)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "signalbot.db"
    path.write_bytes(b"")
    opened = identity(path)
    if os.geteuid() != 0:
        os.chmod(path, 0o444)
        problem = file_problem(path, opened, min_free=0)
    else:
        mounted = subprocess.run(["mount", "--bind", folder, folder], capture_output=True)
        if mounted.returncode != 0:
            pytest.skip("root without mount: a read-only file cannot be made here")
        try:
            ro = ["mount", "-o", "remount,ro,bind", str(folder), str(folder)]
            if subprocess.run(ro, capture_output=True).returncode != 0:
                pytest.skip("root, and the bind mount cannot be made read-only here")
            problem = file_problem(path, opened, min_free=0)
        finally:
            subprocess.run(["umount", folder], check=True)
    assert problem is not None and "is not writable" in problem


@pytest.fixture
async def own_pg_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database of this test's own (its settings are changed)."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"set {PG_ENV} to probe PostgreSQL")
    name = f"signalbot_ready_{secrets.token_hex(6)}"
    await _admin(base, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_postgresql_that_takes_no_writes_is_not_ready(own_pg_url: str) -> None:
    """A write transaction is probed (and rolled back): a read-only database is named."""
    async with open_storage(own_pg_url) as storage:
        ready, body = await _report(storage)
        assert ready, body
    name = make_url(own_pg_url).database
    await _admin(own_pg_url, f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    async with open_storage(own_pg_url, migrate=False) as storage:
        ready, body = await _report(storage)
    assert not ready
    assert "read-only" in body["problems"]["database"]
