"""Every ``signalbot`` command fails on one line (the traceback only at DEBUG), and a price
source that cannot be reached is answered with its name, the cause and the offline hint, as
this install runs the bot. Real subprocesses; prices from a ``.invalid`` host, which never
resolves (RFC 6761 section 6.4), so nothing touches the internet.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.bot_process import bot_env, run_cli
from tests.fakes.market import write_price_dir
from tests.support import refused_port

ROOT = Path(__file__).resolve().parents[3]
KEY = "tiingo-secret-key-for-tests"


def signalbot(
    env: dict[str, str], *args: str, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    """``signalbot ARGS`` importing this checkout, wherever ``cwd`` is."""
    return run_cli({**env, "PYTHONPATH": str(ROOT)}, *args, cwd=cwd)


@pytest.fixture
def broken_database(tmp_path: Path) -> dict[str, str]:
    """Settings whose SQLite database is a file that is not a database."""
    bad = tmp_path / "not-a-database.db"
    bad.write_bytes(b"this is not SQLite " * 64)
    prices = write_price_dir(tmp_path / "prices", {"IWM": 1.0})
    return bot_env(
        tmp_path,
        prices,
        SIGNALBOT_DATABASE_URL=f"sqlite:///{bad}",
        SIGNALBOT_DEFAULT_LANGUAGE="en",
        SIGNALBOT_LOG_LEVEL="ERROR",
    )


@pytest.mark.parametrize(
    "args",
    [("db", "upgrade"), ("signal", "IWM"), ("history", "IWM"), ("preview", "IWM")],
)
def test_a_failing_command_says_one_line(
    broken_database: dict[str, str], args: tuple[str, ...]
) -> None:
    done = signalbot(broken_database, *args)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "not-a-database.db" in lines[0]


@pytest.fixture
def unreachable_database(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Settings whose PostgreSQL server refuses connections (a port bound here, not listening)."""
    prices = write_price_dir(tmp_path / "prices", {"IWM": 1.0})
    with refused_port() as port:
        yield bot_env(
            tmp_path,
            prices,
            SIGNALBOT_DATABASE_URL=f"postgresql://postgres@127.0.0.1:{port}/nothing",
            SIGNALBOT_DEFAULT_LANGUAGE="en",
            SIGNALBOT_LOG_LEVEL="ERROR",
        )


def test_db_upgrade_names_the_command_and_the_cause(unreachable_database: dict[str, str]) -> None:
    """A failure no handler words (here: the server refuses) is still one line: the command, the
    cause, and where the details are."""
    done = signalbot(unreachable_database, "db", "upgrade")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("signalbot db upgrade: ConnectionRefusedError: ")
    assert "SIGNALBOT_LOG_LEVEL=DEBUG" in lines[0]


def test_the_traceback_at_debug(unreachable_database: dict[str, str]) -> None:
    done = signalbot({**unreachable_database, "SIGNALBOT_LOG_LEVEL": "DEBUG"}, "db", "upgrade")
    assert done.returncode == 1
    assert "Traceback (most recent call last)" in done.stderr
    assert done.stderr.rstrip().splitlines()[-1].startswith("signalbot db upgrade: ")


def offline_env(tmp_path: Path) -> dict[str, str]:
    prices = write_price_dir(tmp_path / "prices", {"IWM": 1.0})
    return bot_env(
        tmp_path,
        prices,
        SIGNALBOT_PRICE_SOURCE="tiingo",
        TIINGO_API_KEY=KEY,
        TIINGO_API_BASE_URL="http://api.tiingo.invalid",
        SIGNALBOT_DEFAULT_LANGUAGE="en",
        SIGNALBOT_LOG_LEVEL="WARNING",
    )


def test_no_network_names_source_cause_and_hint_from_a_checkout(tmp_path: Path) -> None:
    """In the checkout (``./dev`` beside the code) the hint is ``./dev run``; the cause is
    logged at WARNING with its detail, and the key never."""
    done = signalbot(offline_env(tmp_path), "signal", "IWM")
    assert done.returncode == 2
    assert (
        "The price source is not responding for IWM: Tiingo cannot be reached "
        "(no network, or its address does not resolve)" in done.stderr
    )
    assert "offline with synthetic prices: SIGNALBOT_PRICE_SOURCE=demo ./dev run" in done.stderr
    warnings = [line for line in done.stderr.splitlines() if " WARNING " in line]
    # the exchange lookup (Tiingo's meta endpoint) fails first, then the prices: each says why
    assert any("tiingo meta ticker=IWM failed: network" in line for line in warnings)
    warning = next(line for line in warnings if "tiingo ticker=IWM" in line)
    assert "tiingo ticker=IWM failed: network" in warning and "api.tiingo.invalid" in warning
    assert KEY not in done.stderr + done.stdout


def test_no_network_hint_elsewhere_is_signalbot_run(tmp_path: Path) -> None:
    """Run from any other directory (as an installed package is), the hint is ``signalbot run``."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = signalbot(offline_env(tmp_path), "signal", "IWM", cwd=elsewhere)
    assert "SIGNALBOT_PRICE_SOURCE=demo signalbot run" in done.stderr
    assert "./dev" not in done.stderr


def test_no_hint_for_a_local_source(tmp_path: Path) -> None:
    """A CSV source that lacks the ticker is not a network problem: no offline hint."""
    prices = write_price_dir(tmp_path / "prices", {"SPY": 1.0})
    env = bot_env(tmp_path, prices, SIGNALBOT_DEFAULT_LANGUAGE="en")
    done = signalbot(env, "signal", "IWM")
    assert done.returncode == 2 and "SIGNALBOT_PRICE_SOURCE=demo" not in done.stderr


def test_run_from_the_checkout_is_detected() -> None:
    from commands.advice import offline_command, run_command

    assert run_command(ROOT) == "./dev run"
    assert run_command(ROOT / "tests") == "signalbot run"
    assert offline_command(Path(os.sep)) == "SIGNALBOT_PRICE_SOURCE=demo signalbot run"
