"""Run benchmarks: ``python -m benchmarks`` (all) or ``python -m benchmarks signals warm``."""

from __future__ import annotations

import importlib
import platform
import sys

BENCHES = {
    "signals": "benchmarks.bench_signals",
    "warm": "benchmarks.bench_warm_signal",
    "fanout": "benchmarks.bench_fanout",
    "track": "benchmarks.bench_track_record",
    "startup": "benchmarks.bench_startup",
    "huge": "benchmarks.bench_huge_answer",
    "webhooks": "benchmarks.bench_webhooks",
    "site": "benchmarks.bench_site",
    "tgwindow": "benchmarks.bench_telegram_window",
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHES)}")
        return 2
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    for name in names:
        module = importlib.import_module(BENCHES[name])
        for line in module.run():
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
