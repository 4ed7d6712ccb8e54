"""A private PostgreSQL server a test starts and stops itself (never the shared one).

``initdb`` into a temporary directory, run as the ``postgres`` OS user through ``runuser``
(PostgreSQL refuses to run as root). It listens on a Unix socket in that directory and on no
TCP port: a server cannot be given port 0, and a port picked free beforehand could be taken by
another test before the server (or its restart) binds it; a private directory has no rival.
:func:`private_pg` skips the test with the reason when the binaries or that user are missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

BIN = Path(os.environ.get("SIGNALBOT_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


#: Names the socket file (``.s.PGSQL.5432``) in the server's own directory; no TCP port.
SOCKET_PORT = 5432


class PrivatePostgres:
    """One throwaway cluster: :meth:`start`, :meth:`stop` (fast: sessions are cut), a URL."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"

    def dsn(self, database: str) -> str:
        """A URL of ``database`` through the socket (libpq, asyncpg and SQLAlchemy read a
        directory in ``host=`` as a Unix socket's)."""
        return f"postgresql://postgres@/{database}?host={self.root}&port={SOCKET_PORT}"

    @property
    def url(self) -> str:
        return self.dsn("signalbot")

    async def _as_postgres(self, *args: str) -> None:
        proc = await asyncio.create_subprocess_exec(
            "runuser", "-u", "postgres", "--", *args,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        out, _ = await proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {out.decode(errors='replace')[-2000:]}")

    async def init(self) -> None:
        await self._as_postgres(
            str(BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-N"
        )

    async def start(self) -> None:
        options = f"-p {SOCKET_PORT} -k {self.root} -c listen_addresses='' -c fsync=off"
        log = str(self.root / "server.log")
        await self._as_postgres(
            str(BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", "start"
        )

    async def stop(self) -> None:
        await self._as_postgres(
            str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"
        )

    async def create_database(self) -> None:
        conn = await asyncpg.connect(self.dsn("postgres"))
        try:
            await conn.execute("CREATE DATABASE signalbot")
        finally:
            await conn.close()


@asynccontextmanager
async def private_pg() -> AsyncIterator[PrivatePostgres]:
    """A started private server with an empty ``signalbot`` database; stopped and removed after."""
    missing = [b for b in ("initdb", "pg_ctl") if not (BIN / b).exists()]
    if missing or shutil.which("runuser") is None:
        pytest.skip(f"no PostgreSQL server binaries ({', '.join(missing) or 'runuser'}) in {BIN}")
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no 'postgres' OS user to run a private PostgreSQL server as")
    root = Path(tempfile.mkdtemp(prefix="signalbot-pg-"))
    os.chown(root, user.pw_uid, user.pw_gid)
    server = PrivatePostgres(root)
    try:
        await server.init()
        await server.start()
        await server.create_database()
        yield server
    finally:
        with contextlib.suppress(RuntimeError):  # stopped already
            await server.stop()
        shutil.rmtree(root, ignore_errors=True)
