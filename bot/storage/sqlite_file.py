"""The SQLite database file itself: private modes, backups before migrating, integrity, identity.

A SQLite file holds Slack OAuth tokens, so it and its directory are private (0600 / 0700). Before
a migration changes it, a consistent copy is written beside it
(``signalbot.db.backup-20261207T192644.123456Z-from-0012``, 0600, the last
:data:`BACKUPS_KEPT` kept): restore one by stopping the bot and copying it over the database
file (removing the ``-wal`` and ``-shm`` files beside it).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

from commands.reply import UserError

log = logging.getLogger(__name__)

#: How long a SQLite writer waits for another writer before failing, by default (seconds;
#: ``SIGNALBOT_SQLITE_BUSY_TIMEOUT_SECONDS``).
SQLITE_BUSY_TIMEOUT = 30.0

#: How many backups of a database file are kept beside it (the oldest beyond are deleted).
BACKUPS_KEPT = 3
_BACKUP_MARK = ".backup-"


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


def tighten(path: Path, mode: int, *, announce: bool = True) -> int | None:
    """Take from ``path`` every permission ``mode`` does not grant; log it (once: when it happens).

    Returns the mode it had when it changed, else None. A missing path is left alone.
    """
    try:
        current = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return None
    if current & ~mode == 0:
        return None
    os.chmod(path, current & mode)
    if announce:
        announce_tightened(path, current, current & mode)
    return current


def announce_tightened(path: Path, old: int, new: int) -> None:
    """The one log line saying ``path`` was made private."""
    log.warning(
        "permissions tightened path=%s from=%04o to=%04o (it may hold secrets)", path, old, new
    )


def private_file(path: Path) -> None:
    """Create the SQLite file 0600 in a 0700 directory if missing (it holds Slack OAuth tokens).

    An existing file (and its ``-wal`` / ``-shm`` files) is tightened to 0600. SQLite gives the
    ``-wal`` and ``-shm`` files it creates the permissions of the database file.
    """
    private_dir(path.parent)
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    for each in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        tighten(each, 0o600)


def backups_of(path: Path) -> list[Path]:
    """The backups beside ``path``, oldest first (their names sort by time)."""
    pattern = f"{path.name}{_BACKUP_MARK}*"
    return sorted(p for p in path.parent.glob(pattern) if p.is_file())


def check_not_lost(path: Path) -> None:
    """Refuse to start a fresh, empty database where one existed (a backup of it is beside it)."""
    if path.exists():
        return
    found = backups_of(path)
    if found:
        raise UserError("error.database_missing", database=str(path), backup=str(found[-1]))


def backup(path: Path, revision: str) -> Path:
    """Copy ``path`` consistently (SQLite's online backup) to a new 0600 file beside it.

    Keeps the last :data:`BACKUPS_KEPT` backups. Blocking: run it in a thread.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    target = path.with_name(f"{path.name}{_BACKUP_MARK}{stamp}-from-{revision}")
    os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        source = sqlite3.connect(path, timeout=30)
        try:
            copy = sqlite3.connect(target)
            try:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                copy.close()
        finally:
            source.close()
        with open(target, "rb") as written:
            os.fsync(written.fileno())
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    for old in backups_of(path)[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)
    log.warning("database backed up before migrating path=%s backup=%s", path, target)
    return target


def corruption(path: Path) -> str | None:
    """What ``PRAGMA quick_check`` finds wrong with the file at ``path`` (None: it is sound).

    Blocking: run it in a thread. A file that is not a SQLite database counts as corrupted.
    """
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(path, timeout=30)
        try:
            rows = conn.execute("PRAGMA quick_check").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and "malformed" not in str(exc):
            raise  # locked, unreadable: not a verdict on the file's content
        return " ".join(str(exc).split())
    problems = [" ".join(str(row[0]).split()) for row in rows if row[0] != "ok"]
    return "; ".join(problems)[:300] if problems else None


def check_sound(path: Path) -> None:
    """Refuse a corrupted database file with one line naming it (blocking: run in a thread)."""
    problem = corruption(path)
    if problem is not None:
        raise UserError("error.database_corrupt", database=str(path), problem=problem)


#: Free space below which the disk of a SQLite file counts as full for readiness (bytes).
MIN_FREE_BYTES = 64 * 1024 * 1024


def identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of ``path``: which file it is (None when missing)."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


def file_problem(
    path: Path, opened: tuple[int, int] | None, *, min_free: int = MIN_FREE_BYTES
) -> str | None:
    """What stops the bot writing to the SQLite file it opened (None: nothing); blocking.

    The file must still be at ``path`` and be the one opened (``opened``: its identity then),
    writable by this process, on a disk with at least ``min_free`` bytes free.
    """
    now = identity(path)
    if now is None:
        return (
            f"database file {path} no longer exists (deleted or moved): writes go to a file "
            "that is gone at the next restart; put it back or restore a backup, then restart"
        )
    if opened is not None and now != opened:
        return f"database file {path} was replaced by another file since start-up; restart"
    if not os.access(path, os.W_OK):
        return f"database file {path} is not writable by this process (read-only)"
    disk = os.statvfs(path.parent)
    free = disk.f_bavail * disk.f_frsize
    if free < min_free:
        return (
            f"disk of database file {path} is full: {free // 1024} KiB free, "
            f"{min_free // 1024} KiB needed"
        )
    return None
