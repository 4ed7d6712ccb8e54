"""A real ``signalbot run`` in a subprocess, for tests and benchmarks: its environment (CSV
prices, a private data dir, no real tokens), start and stop, and which modules it loaded."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

#: The checkout: the subprocess imports the project (and ``tests``) from here, whatever the cwd.
ROOT = Path(__file__).resolve().parents[2]


def bot_env(tmp_path: Path, prices: Path, **extra: str) -> dict[str, str]:
    """Environment for a bot subprocess: CSV prices, a private data dir, no real tokens."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SIGNALBOT_", "DISCORD_", "SLACK_", "TELEGRAM_"))
    }
    env.update(
        SIGNALBOT_PRICE_SOURCE=f"csv:{prices}",
        SIGNALBOT_DATA_DIR=str(tmp_path / "data"),
        SIGNALBOT_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


#: Heavy dependencies a terminal session must not load: each is imported at first use only.
LAZY_PACKAGES = frozenset(
    {
        "matplotlib",
        "PIL",
        "noto_cjk",
        "noto_cjk_sans_otc",
        "slack_sdk",
        "slack_bolt",
        "discord",
        "telegram",
        "httpx",
        "prometheus_client",
        "yfinance",
        "curl_cffi",
    }
)
#: ``python -c MODULE_RECORDER <path>``: ``signalbot run`` (reading stdin as usual), then at exit
#: the name of every loaded module, in load order, one a line, to ``<path>``.
MODULE_RECORDER = (
    "import atexit, runpy, sys\n"
    "path = sys.argv[1]\n"
    "def _dump():\n"
    "    with open(path, 'w') as out:\n"
    "        out.write('\\n'.join(sys.modules))\n"
    "atexit.register(_dump)\n"
    "sys.argv = ['signalbot', 'run']\n"
    "runpy.run_module('bot', run_name='__main__', alter_sys=True)\n"
)


def lazy_packages_loaded(modules: Iterable[str]) -> list[str]:
    """The :data:`LAZY_PACKAGES` among the top-level packages of ``modules``, sorted."""
    return sorted({name.split(".")[0] for name in modules} & LAZY_PACKAGES)


async def start_bot(env: dict[str, str], log_path: Path) -> asyncio.subprocess.Process:
    """A real ``signalbot run`` (``python -m bot run``) with ``env``, its output in ``log_path``."""
    with log_path.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            env=env, stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out,
        )  # fmt: skip


async def stop_bot(proc: asyncio.subprocess.Process) -> None:
    """SIGTERM a bot process still running; SIGKILL it if it has not ended within 30 s."""
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 30)
        except TimeoutError:
            proc.kill()
            await proc.wait()


def run_cli(
    env: dict[str, str],
    *args: str,
    cwd: Path | None = None,
    stdin: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``signalbot ARGS`` (``python -m bot``) run to its end (in ``cwd``, default this one): its
    output captured as text; ``stdin`` is what it reads (nothing when None)."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
