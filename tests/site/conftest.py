"""The site built once per test session: ``signalbot site build`` on CSV prices (a subprocess)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.fakes.bot_process import bot_env
from tests.fakes.market import scaled_bars, write_price_dir

BASE = "https://example.org/research"
TICKERS = {"IWM": 1.0, "SPY": 2.3}


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], list[date]]:
    tmp = tmp_path_factory.mktemp("site")
    prices = write_price_dir(tmp / "prices", TICKERS)
    days = [d.date() for d in scaled_bars(TICKERS)["IWM"].index[-3:]]
    env = bot_env(tmp, prices, SIGNALBOT_PUBLIC_URL=BASE + "/")
    out = tmp / "out"
    done = cli(env, "site", "build", str(out), "--tickers", *TICKERS, "--since", str(days[0]))
    assert done.returncode == 0, done.stderr
    assert "pages" in done.stdout
    assert done.stderr == ""
    return out, env, days
