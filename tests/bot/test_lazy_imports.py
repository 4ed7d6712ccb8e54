"""A terminal session never loads matplotlib, the CJK font, slack_sdk, discord.py, prometheus or
yfinance (the list is :data:`tests.support.LAZY_PACKAGES`, shared with the start-up benchmark)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.fakes.bot_process import MODULE_RECORDER, bot_env, lazy_packages_loaded
from tests.fakes.market import write_price_dir


@pytest.mark.slow
def test_terminal_session_loads_no_heavy_package(tmp_path):
    """Start-up, a card, help and quit: none of the heavy packages is imported."""
    prices = write_price_dir(tmp_path / "prices", {"IWM": 1.0})
    loaded = tmp_path / "modules.txt"
    result = subprocess.run(
        [sys.executable, "-c", MODULE_RECORDER, str(loaded)],
        input="/signal IWM\n/help\n/quit\n",
        env=bot_env(tmp_path, prices),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "IWM tracks Russell 2000" in result.stdout, result.stdout
    modules = loaded.read_text().split()
    assert "commands.signal" in modules  # the record is of the session that made the card
    assert lazy_packages_loaded(modules) == []
