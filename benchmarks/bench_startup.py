"""Start-up of ``signalbot run``: CPU time and RSS as ratios to the import floor of the
dependencies the session loads, measured in the same run.

The floor is a process that imports exactly the dependency modules a warm-up run of the bot
had loaded (recorded at its exit), except our own packages and the heavy ones that must stay
lazy; so the ratio is what our code and its start-up work cost on top of the libraries.

Two ways, each against its own floor: ``/quit`` piped into ``signalbot run`` (the whole process,
CPU user + system and peak RSS from ``wait4`` rusage; the floor imports and exits), and an
interactive session on a pseudo-terminal measured at its ``signalbot>`` prompt (CPU from
``/proc/<pid>/stat``, ``VmRSS`` from ``/proc/<pid>/status``; the floor when it has imported).
Runs alternate bot / floor so machine noise hits both; the figures are medians. The warm-up
(database created and migrated, ``.pyc`` written) is not counted: a restart is what a
supervisor does all day.

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

from tests.fakes.bot_process import LAZY_PACKAGES, MODULE_RECORDER, bot_env, lazy_packages_loaded
from tests.fakes.market import write_price_dir

#: Our own packages: their import and work is what the ratio measures.
PROJECT = frozenset({"bot", "commands", "formatting", "signals", "tests", "benchmarks"})
#: The floor: import the recorded dependency modules in order, not ours and not the heavy ones
#: that must stay lazy (LAZY_PACKAGES), so loading one at start-up shows in the ratio (and is
#: reported by name).
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


def _piped(argv: list[str], env: dict[str, str], stdin: bytes) -> tuple[float, float]:
    """Run ``argv`` with ``stdin`` piped to the end; (CPU seconds, peak RSS MB) from rusage."""
    proc = subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    assert proc.stdin is not None
    proc.stdin.write(stdin)
    proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[:3]} exited {proc.returncode}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _floor_for(modules: list[str], path: Path) -> list[str]:
    """The floor command for the dependency modules of a recorded session."""
    path.write_text(
        "\n".join(
            m for m in modules if m.split(".")[0] not in PROJECT | LAZY_PACKAGES | {"__main__"}
        )
    )
    return [sys.executable, "-c", FLOOR, str(path)]


def _summary(bots: list[tuple[float, float]], floors: list[tuple[float, float]]) -> dict[str, Any]:
    pairs = list(zip(bots, floors, strict=True))
    out: dict[str, Any] = {
        "bot_cpu_s": statistics.median(c for c, _ in bots),
        "bot_rss_mb": statistics.median(r for _, r in bots),
        "floor_cpu_s": statistics.median(c for c, _ in floors),
        "floor_rss_mb": statistics.median(r for _, r in floors),
        "cpu_ratio_min": min(c for c, _ in bots) / min(c for c, _ in floors),
        # each bot run next to its floor run shares the machine's load of that moment
        "cpu_ratio_paired": statistics.median(b / f for (b, _), (f, _) in pairs),
        "cpu_samples": " ".join(f"{b * 1000:.0f}/{f * 1000:.0f}" for (b, _), (f, _) in pairs),
    }
    out["cpu_ratio"] = out["bot_cpu_s"] / out["floor_cpu_s"]
    out["rss_ratio"] = out["bot_rss_mb"] / out["floor_rss_mb"]
    return out


def measure(runs: int = RUNS) -> dict[str, dict[str, Any]]:
    """Both ways of starting, each against its own floor: piped ``/quit`` (whole process, CPU
    and peak RSS from rusage) and the interactive prompt on a pty (at the prompt, from /proc)."""
    with tempfile.TemporaryDirectory() as tmp:
        prices = write_price_dir(Path(tmp) / "prices", {"IWM": 1.0, "SPY": 2.0})
        # the default log level: start-up logging is part of what the bot costs
        env = bot_env(Path(tmp), prices, SIGNALBOT_LOG_LEVEL="INFO", TERM="xterm")
        bot = [sys.executable, "-m", "bot", "run"]
        # warm-ups: migrate the database, write .pyc files, record what each session loads
        piped_list, prompt_list = Path(tmp) / "piped.txt", Path(tmp) / "prompt.txt"
        _piped([sys.executable, "-c", MODULE_RECORDER, str(piped_list)], env, b"/quit\n")
        _sample([sys.executable, "-c", MODULE_RECORDER, str(prompt_list)], env, PROMPT, b"/quit\r")
        results: dict[str, dict[str, Any]] = {}
        for mode, recorded in (("piped", piped_list), ("prompt", prompt_list)):
            modules = recorded.read_text().split()
            floor = _floor_for(modules, Path(tmp) / f"floor-{mode}.txt")
            bots, floors = [], []
            for _ in range(runs):
                if mode == "piped":
                    bots.append(_piped(bot, env, b"/quit\n"))
                    floors.append(_piped(floor, env, b"\n"))
                else:
                    bots.append(_sample(bot, env, PROMPT, b"/quit\r"))
                    floors.append(_sample(floor, env, READY, b"\r"))
            results[mode] = _summary(bots, floors)
            results[mode]["heavy_loaded"] = ",".join(lazy_packages_loaded(modules)) or "none"
    return results


def run() -> Iterator[str]:
    """Lines for ``python -m benchmarks startup``."""
    results = measure()
    titles = {
        "piped": "printf '/quit\\n' | signalbot run (whole process, rusage)",
        "prompt": "signalbot run on a pty, at its first prompt (/proc)",
    }
    for mode, m in results.items():
        yield f"startup: {titles[mode]}; {RUNS} alternating runs, medians"
        yield f"  heavy packages loaded: {m['heavy_loaded']}"
        yield (
            f"  CPU  bot {m['bot_cpu_s'] * 1000:.0f} ms, import floor "
            f"{m['floor_cpu_s'] * 1000:.0f} ms -> {m['cpu_ratio']:.2f}x (target <= 1.15x)"
        )
        yield (
            f"       median of paired ratios {m['cpu_ratio_paired']:.2f}x, min/min "
            f"{m['cpu_ratio_min']:.2f}x; bot/floor ms per pair: {m['cpu_samples']}"
        )
        yield (
            f"  RSS  bot {m['bot_rss_mb']:.1f} MB, import floor {m['floor_rss_mb']:.1f} MB"
            f" -> {m['rss_ratio']:.2f}x (target <= 1.10x)"
        )
