"""A terminal session never loads matplotlib, the CJK font, slack_sdk, discord.py or prometheus."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support import bot_env, write_price_dir

HEAVY = (
    "matplotlib",
    "PIL",
    "noto_cjk",
    "noto_cjk_sans_otc",
    "slack_sdk",
    "slack_bolt",
    "discord",
    "prometheus_client",
)
SESSION = """
import asyncio, io, sys
from bot.app import run_bot
from bot.settings import load_settings
settings = load_settings(env_file=None)
out = io.StringIO()
code = asyncio.run(run_bot(settings, stdin=io.StringIO(sys.argv[1]), stdout=out))
assert code == 0, out.getvalue()
assert sys.argv[2] in out.getvalue(), out.getvalue()
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[3].split()))
print("loaded:", " ".join(heavy) or "none")
"""


@pytest.mark.slow
def test_terminal_session_loads_no_heavy_package(tmp_path):
    """Start-up, a card, help and quit: none of the heavy packages is imported."""
    prices = write_price_dir(tmp_path / "prices", {"IWM": 1.0})
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            SESSION,
            "/signal IWM\n/help\n/quit\n",
            "IWM tracks Russell 2000",
            " ".join(HEAVY),
        ],
        env=bot_env(tmp_path, prices),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("loaded: none"), result.stdout
