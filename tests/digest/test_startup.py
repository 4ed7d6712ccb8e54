"""Start-up against a database that cannot be opened: one clear line, non-zero exit; and the
SQLite file and data directory are private to the user (they hold Slack OAuth tokens)."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest

from bot.storage import open_storage
from tests.fakes.bot_process import bot_env, run_cli
from tests.fakes.market import write_price_dir


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    prices = write_price_dir(tmp_path / "prices", {"SPY": 1.0})
    return bot_env(tmp_path, prices, SIGNALBOT_DEFAULT_LANGUAGE="en")


def assert_one_clear_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize("command", [["digest", "run"], ["run"]])
def test_unreachable_postgresql_says_which_database_and_what_to_check(
    env: dict[str, str], command: list[str]
) -> None:
    env["SIGNALBOT_DATABASE_URL"] = "postgresql://bot:s3cret-pw@127.0.0.1:1/signals"
    result = run_cli(env, *command)
    assert_one_clear_line(result, "cannot open the database", "127.0.0.1:1/signals",
                          "SIGNALBOT_DATABASE_URL")  # fmt: skip
    assert "s3cret-pw" not in result.stderr + result.stdout


def test_bad_url_is_one_line(env: dict[str, str]) -> None:
    env["SIGNALBOT_DATABASE_URL"] = "postgresql://bot@no-such-host.invalid/signals"
    assert_one_clear_line(run_cli(env, "digest", "run"), "cannot open the database", "no-such-host")


@pytest.mark.slow
def test_locked_sqlite_is_one_line_after_the_busy_wait(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    env["SIGNALBOT_DATABASE_URL"] = f"sqlite:///{path}"
    env["SIGNALBOT_SQLITE_BUSY_TIMEOUT_SECONDS"] = "2"  # the busy wait, short: seconds, not 30
    path.touch(mode=0o600)  # private already: start-up has no permission line to add
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        result = run_cli(env, "digest", "run")
    finally:
        holder.close()
    assert_one_clear_line(result, "is locked by another process", str(path))
    assert "database is locked" not in result.stderr  # the driver's words are not the message


async def test_sqlite_file_and_data_dir_are_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "nested" / "signalbot.db"
    old = os.umask(0o022)
    try:
        async with open_storage(f"sqlite:///{path}") as storage:
            await storage.set_watchlist("slack", "T1", ["SPY"])
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    for extra in path.parent.glob("signalbot.db-*"):  # -wal / -shm follow the database file
        assert stat.S_IMODE(extra.stat().st_mode) & 0o077 == 0, extra


def test_digest_run_creates_a_private_data_dir(env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli(env, "digest", "run")
    assert result.returncode == 0, result.stderr
    data = tmp_path / "data"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "signalbot.db").stat().st_mode) == 0o600
