"""The SQLite file at start-up, with real ``signalbot`` processes: private modes, a damaged file
refused, a lost file (its backup beside it) refused instead of a fresh empty start."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import stat
import sys
from pathlib import Path

import pytest

from bot.storage import open_storage, upgrade
from bot.storage.sqlite_file import backups_of, tighten
from commands.reply import UserError
from tests.fakes.bot_process import bot_env
from tests.fakes.market import write_price_dir

ROOT = Path(__file__).resolve().parents[2]
_LOG_LINE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d (INFO|WARNING) ")  # log, not errors


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def _signalbot(tmp_path: Path, *args: str) -> tuple[int, str]:
    """Run ``python -m bot <args>`` (terminal mode, ``/quit`` as its input); exit code and stderr."""
    prices = write_price_dir(tmp_path / "prices", {"SPY": 1.0})
    env = bot_env(tmp_path, prices, SIGNALBOT_LOG_LEVEL="INFO", PYTHONPATH=str(ROOT))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args,
        cwd=tmp_path, env=env, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    # a command on stdin: with none, a terminal-mode run has nothing to serve and exits 78
    _, err = await asyncio.wait_for(proc.communicate(b"/quit\n"), 120)
    assert proc.returncode is not None
    return proc.returncode, err.decode()


async def test_start_up_makes_data_dir_database_and_log_private_and_says_so_once(
    tmp_path: Path,
) -> None:
    """An existing 0755 data dir and 0644 database and log file become 0700 / 0600 when the bot
    starts, each said once in the log; a second start has nothing to say."""
    data = tmp_path / "data"
    data.mkdir()
    os.chmod(data, 0o755)
    database, log_file = data / "signalbot.db", data / "signalbot.log"
    await upgrade(f"sqlite:///{database}")
    log_file.write_text("")
    for path in (database, log_file):
        os.chmod(path, 0o644)
    code, _ = await _signalbot(tmp_path, "run")
    assert code == 0
    assert (_mode(data), _mode(database), _mode(log_file)) == (0o700, 0o600, 0o600)
    log = log_file.read_text()
    for path, old in ((data, "0755"), (database, "0644"), (log_file, "0644")):
        said = [line for line in log.splitlines() if f"permissions tightened path={path} " in line]
        assert len(said) == 1 and f"from={old}" in said[0], log
    code, _ = await _signalbot(tmp_path, "run")
    assert code == 0
    assert log_file.read_text().count("permissions tightened") == 3  # not again


async def test_a_new_log_file_is_created_private(tmp_path: Path) -> None:
    """The terminal-mode log file is created 0600 whatever the umask."""
    code, _ = await _signalbot(tmp_path, "run")
    assert code == 0
    assert _mode(tmp_path / "data" / "signalbot.log") == 0o600
    assert _mode(tmp_path / "data" / "signalbot.db") == 0o600
    assert "permissions tightened" not in (tmp_path / "data" / "signalbot.log").read_text()


def test_tighten_only_takes_permissions_away(tmp_path: Path) -> None:
    """0400 stays 0400 under a 0600 ceiling; a missing file is left alone."""
    path = tmp_path / "f"
    path.write_text("")
    os.chmod(path, 0o400)
    assert tighten(path, 0o600) is None
    assert _mode(path) == 0o400
    assert tighten(tmp_path / "missing", 0o600) is None


def _damage(path: Path) -> None:
    """Overwrite the second page (a table's b-tree page) with garbage, as a bad disk would."""
    with sqlite3.connect(path) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with path.open("r+b") as raw:
        raw.seek(page * 2)
        raw.write(b"\xa5" * page)


@pytest.mark.parametrize("command", [("run",), ("db", "upgrade")])
async def test_a_damaged_database_is_refused_at_start_with_one_line(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """quick_check finds the damage: exit 2, one line naming the file, nothing migrated."""
    database = tmp_path / "data" / "signalbot.db"
    await upgrade(f"sqlite:///{database}")
    async with open_storage(f"sqlite:///{database}") as storage:
        for n in range(200):  # enough rows for several pages
            await storage.set_language("discord", f"guild-{n:04d}", "zh")
    _damage(database)
    code, err = await _signalbot(tmp_path, *command)
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip() and not _LOG_LINE.match(line)]
    assert len(lines) == 1, err
    assert f"the database file {database} is damaged" in lines[0]
    assert not backups_of(database)


async def test_a_lost_database_file_with_its_backup_beside_it_is_refused(tmp_path: Path) -> None:
    """The file is gone but its backup is there: exit 2 naming both, no empty file created."""
    database = tmp_path / "data" / "signalbot.db"
    url = f"sqlite:///{database}"
    await upgrade(url, "0015")
    backup = await upgrade(url)
    assert backup is not None
    for leftover in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        leftover.unlink(missing_ok=True)
    code, err = await _signalbot(tmp_path, "run")
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip() and not _LOG_LINE.match(line)]
    assert len(lines) == 1 and "is missing" in lines[0] and str(backup) in lines[0], err
    assert not database.exists()
    with pytest.raises(UserError) as caught:
        async with open_storage(url, migrate=False):
            pass
    assert caught.value.key == "error.database_missing"
