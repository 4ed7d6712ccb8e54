"""Start-up of ``signalbot run`` in a terminal: CPU time and idle RSS at the first prompt, as
ratios to the import floor of the dependencies that session needs, measured in the same run.

Both sides are real processes on a pseudo-terminal, measured the same way: CPU (user + system)
from ``/proc/<pid>/stat`` and ``VmRSS`` from ``/proc/<pid>/status`` at the moment they are
ready. "Ready" is the ``signalbot>`` prompt for the bot (then ``/quit`` is typed), and a line
printed after importing the dependencies for the floor. Runs alternate bot / floor so machine
noise hits both; the figures are medians. The first bot run (it creates and migrates the
database) is a warm-up and not counted: a restart is what a supervisor does all day.

Targets (issue 13): CPU <= 1.15x and RSS <= 1.10x the floor. Linux only (``/proc``).
"""

from __future__ import annotations

import os
import pty
import select
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.support import write_price_dir

#: Our own packages: their import and work is what the ratio measures.
PROJECT = frozenset({"bot", "commands", "formatting", "signals", "tests", "benchmarks"})
#: Heavy dependencies a terminal session must not load: never part of the floor, so loading one
#: at start-up shows in the ratio (and is reported by name).
MUST_BE_LAZY = frozenset(
    {
        "matplotlib",
        "PIL",
        "noto_cjk",
        "noto_cjk_sans_otc",
        "slack_sdk",
        "slack_bolt",
        "discord",
        "prometheus_client",
        "yfinance",
        "curl_cffi",
    }
)
#: Run by the warm-up: the bot, then (at exit) every loaded module, in load order, to a file.
RECORDER = (
    "import atexit, runpy, sys\n"
    "path = sys.argv[1]\n"
    "def _dump():\n"
    "    with open(path, 'w') as out:\n"
    "        out.write('\\n'.join(sys.modules))\n"
    "atexit.register(_dump)\n"
    "sys.argv = ['signalbot', 'run']\n"
    "runpy.run_module('bot', run_name='__main__', alter_sys=True)\n"
)
#: The floor: import the recorded dependency modules (not ours, not the lazy ones) in order.
FLOOR = (
    "import importlib, sys\n"
    "for name in open(sys.argv[1]).read().split():\n"
    "    try:\n"
    "        importlib.import_module(name)\n"
    "    except Exception:\n"
    "        pass\n"
    "print('floor ready')\n"
    "input()\n"
)
RUNS = 7
READY = b"floor ready"
PROMPT = b"signalbot>"
TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _until(fd: int, needle: bytes, proc: subprocess.Popen[bytes], limit: float = 120.0) -> None:
    """Read the terminal until ``needle``; answer prompt_toolkit's cursor-position query."""
    seen = b""
    deadline = time.monotonic() + limit
    while needle not in seen:
        if time.monotonic() > deadline or proc.poll() is not None:
            raise RuntimeError(f"no {needle!r}; output: {seen[-400:]!r}")
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            chunk = os.read(fd, 65536)
            seen += chunk
            if b"\x1b[6n" in chunk:
                os.write(fd, b"\x1b[1;1R")


def _sample(
    argv: list[str], env: dict[str, str], needle: bytes, quit_text: bytes
) -> tuple[float, float]:
    """Spawn ``argv`` on a pty; (CPU seconds, RSS MB) when ``needle`` appears; then quit."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    try:
        _until(master, needle, proc)
        cpu, rss = _cpu_seconds(proc.pid), _rss_mb(proc.pid)
        os.write(master, quit_text)
        proc.wait(60)
        return cpu, rss
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)


def measure(runs: int = RUNS) -> dict[str, Any]:
    """Medians of CPU and RSS for the bot and the floor, and their ratios."""
    out: dict[str, Any]
    with tempfile.TemporaryDirectory() as tmp:
        prices = write_price_dir(Path(tmp) / "prices", {"IWM": 1.0, "SPY": 2.0})
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SIGNALBOT_", "DISCORD_", "SLACK_"))
        }
        env.update(
            SIGNALBOT_PRICE_SOURCE=f"csv:{prices}",
            SIGNALBOT_DATA_DIR=str(Path(tmp) / "data"),
            TERM="xterm",
        )
        bot = [sys.executable, "-m", "bot", "run"]
        loaded = Path(tmp) / "modules.txt"
        floor_list = Path(tmp) / "floor.txt"
        # warm-up: migrates the database, writes .pyc files, records what the session loads
        _sample([sys.executable, "-c", RECORDER, str(loaded)], env, PROMPT, b"/quit\r")
        modules = loaded.read_text().split()
        lazy_loaded = sorted({m.split(".")[0] for m in modules} & MUST_BE_LAZY)
        floor_list.write_text(
            "\n".join(
                m for m in modules if m.split(".")[0] not in PROJECT | MUST_BE_LAZY | {"__main__"}
            )
        )
        floor = [sys.executable, "-c", FLOOR, str(floor_list)]
        bots, floors = [], []
        for _ in range(runs):
            bots.append(_sample(bot, env, PROMPT, b"/quit\r"))
            floors.append(_sample(floor, env, READY, b"\r"))
    out = {
        "bot_cpu_s": statistics.median(c for c, _ in bots),
        "bot_rss_mb": statistics.median(r for _, r in bots),
        "floor_cpu_s": statistics.median(c for c, _ in floors),
        "floor_rss_mb": statistics.median(r for _, r in floors),
    }
    out["cpu_ratio"] = out["bot_cpu_s"] / out["floor_cpu_s"]
    out["rss_ratio"] = out["bot_rss_mb"] / out["floor_rss_mb"]
    out["cpu_ratio_min"] = min(c for c, _ in bots) / min(c for c, _ in floors)
    # each bot run next to its floor run shares the machine's load of that moment
    out["cpu_ratio_paired"] = statistics.median(
        b / f for (b, _), (f, _) in zip(bots, floors, strict=True)
    )
    out["cpu_samples"] = " ".join(
        f"{b * 1000:.0f}/{f * 1000:.0f}" for (b, _), (f, _) in zip(bots, floors, strict=True)
    )
    out["heavy_loaded"] = ",".join(lazy_loaded) or "none"
    return out


def run() -> Iterator[str]:
    """Lines for ``python -m benchmarks startup``."""
    m = measure()
    yield f"startup: signalbot run to the first prompt ({RUNS} runs each, medians, same run)"
    yield f"  heavy packages loaded at the prompt: {m['heavy_loaded']}"
    yield (
        f"  CPU  bot {m['bot_cpu_s'] * 1000:.0f} ms, import floor {m['floor_cpu_s'] * 1000:.0f} ms"
        f" -> {m['cpu_ratio']:.2f}x (target <= 1.15x)"
    )
    yield (
        f"       median of paired ratios {m['cpu_ratio_paired']:.2f}x, min/min "
        f"{m['cpu_ratio_min']:.2f}x; bot/floor ms per pair: {m['cpu_samples']}"
    )
    yield (
        f"  RSS  bot {m['bot_rss_mb']:.1f} MB, import floor {m['floor_rss_mb']:.1f} MB"
        f" -> {m['rss_ratio']:.2f}x (target <= 1.10x)"
    )
