"""A newcomer's first hour, as real ``signalbot`` processes: demo answers, JSON provenance,
no files left by one-off commands, where settings live, no silent exit, no broken-pipe trace."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.startup import EXIT_NOTHING_TO_SERVE
from tests.fakes.bot_process import bot_env, run_cli

ROOT = Path(__file__).resolve().parents[2]


def newcomer_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A fresh shell: demo prices, no token, the default data directory (./data)."""
    env = bot_env(tmp_path, tmp_path, SIGNALBOT_PRICE_SOURCE="demo", PYTHONPATH=str(ROOT), **extra)
    env.pop("SIGNALBOT_DATA_DIR")
    return env


@pytest.fixture
def work(tmp_path: Path) -> Path:
    directory = tmp_path / "work"
    directory.mkdir()
    return directory


def test_one_off_commands_leave_no_files_and_their_json_names_source_and_currency(
    tmp_path: Path, work: Path
) -> None:
    """signal/history/digest preview --json and preview in an empty directory: provenance on
    every JSON, demo words outside the catalog are unknown symbols, and no ./data appears."""
    env = newcomer_env(tmp_path)
    signal = run_cli(env, "signal", "IWM", "hello", "IWMM", "ABCDEFGHIJKLMN", "--json", cwd=work)
    assert signal.returncode == 2, signal.stderr
    iwm, *unknown = json.loads(signal.stdout)
    assert (iwm["source"], iwm["currency"], iwm["regime"] != "") == ("demo", "USD", True)
    assert [u["error"]["code"] for u in unknown] == ["error.no_data"] * 3  # as a real source's
    assert "No price data found for HELLO" in unknown[0]["error"]["message"]["en"]

    history = run_cli(env, "history", "IWM", "--json", cwd=work)
    assert history.returncode == 0, history.stderr
    record = json.loads(history.stdout)
    assert (record["source"], record["currency"]) == ("demo", "USD")

    digest = run_cli(env, "digest", "preview", "--tickers", "SPY", "IWM", "--json", cwd=work)
    assert digest.returncode == 0, digest.stderr
    data = json.loads(digest.stdout)
    assert data["source"] == "demo" and {r["ticker"] for r in data["rows"]} == {"SPY", "IWM"}
    assert {(r["source"], r["currency"]) for r in data["rows"]} == {("demo", "USD")}

    preview = run_cli(env, "preview", "IWM", cwd=work)
    assert preview.returncode == 0 and "IWM" in preview.stdout, preview.stderr
    assert list(work.iterdir()) == []  # no ./data, no database, no log


def test_an_installed_database_is_used_and_config_says_where(tmp_path: Path, work: Path) -> None:
    """After `db upgrade` (an install), a one-off signal caches its bars in ./data/signalbot.db;
    `signalbot config` shows the data directory and the database."""
    env = newcomer_env(tmp_path)
    assert run_cli(env, "db", "upgrade", cwd=work).returncode == 0
    database = work / "data" / "signalbot.db"
    assert run_cli(env, "signal", "IWM", cwd=work).returncode == 0
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM price_bars").fetchone()[0] > 0
    config = run_cli(env, "config", cwd=work)
    where = {line.split("  ")[0]: line for line in config.stdout.splitlines()}
    assert f" {work / 'data'} " in where["data directory"]
    assert f" {database} " in where["state"]


@pytest.mark.parametrize("stdin", [None, "", "\n# nothing\n\n"])
def test_run_with_nothing_to_serve_exits_non_zero_with_one_line(
    tmp_path: Path, work: Path, stdin: str | None
) -> None:
    """No token and no command on a non-terminal stdin (/dev/null, empty, blank): exit 78 and
    one line naming what to set, not exit 0 in silence (a restart loop under a supervisor)."""
    result = run_cli(newcomer_env(tmp_path), "run", stdin=stdin, cwd=work)
    assert result.returncode == EXIT_NOTHING_TO_SERVE
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "nothing to serve" in lines[0] and "DISCORD_TOKEN" in lines[0]
    assert "SLACK_BOT_TOKEN" in lines[0] and ".env" in lines[0]
    assert result.stdout.strip() == ""


def test_piped_commands_answer_exit_0_say_where_settings_live_and_suggest(
    tmp_path: Path, work: Path
) -> None:
    """printf '/sginal IWM\\n/signal IWM\\n' | signalbot run: a suggestion, a card, exit 0, and
    one line on stderr saying where /language persists and how to reset it."""
    env = newcomer_env(tmp_path, SIGNALBOT_DEFAULT_LANGUAGE="en")
    result = run_cli(env, "run", stdin="/sginal IWM\n/signal IWM\n", cwd=work)
    assert result.returncode == 0, result.stderr
    assert "Unknown command: /sginal. Did you mean /signal?" in result.stdout
    assert "IWM tracks Russell 2000" in result.stdout
    database = work / "data" / "signalbot.db"
    state = [line for line in result.stderr.splitlines() if "persist" in line]
    assert state == [
        f"Settings such as /language are kept in {database} and persist between runs; "
        "delete that file to reset them."
    ]


def test_preview_into_a_closed_pipe_ends_without_a_traceback(tmp_path: Path, work: Path) -> None:
    """signalbot preview IWM | head: the reader left before the payload; no BrokenPipeError."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "preview", "IWM", "--platform", "discord"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=newcomer_env(tmp_path),
        cwd=work,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # closed before the bot writes anything: its write gets EPIPE
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) != 0
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_dev_help_prints_usage() -> None:
    """./dev --help prints its commands (not a line of the script), exit 0, and sets nothing up."""
    result = subprocess.run(
        ["bash", str(ROOT / "dev"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHON": "/nonexistent"},  # setup would fail: it is not run
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: ./dev")
    for command in ("./dev run", "./dev test", "./dev check", "./dev bench", "./dev signalbot"):
        assert command in result.stdout
    assert "set -euo" not in result.stdout + result.stderr
    bad = subprocess.run(
        ["bash", str(ROOT / "dev"), "nope"], capture_output=True, text=True, timeout=60, check=False
    )
    assert bad.returncode == 2 and "unknown command: nope" in bad.stderr


@pytest.mark.parametrize("language", ["en", "zh", "both-hant"])
async def test_help_is_wrapped_to_the_terminal_width(language: str) -> None:
    """/help in a 40-column terminal: every line fits, in English and Chinese alike."""
    import io

    from rich.cells import cell_len

    from bot.adapters.terminal import TerminalAdapter
    from bot.dispatch import Dispatcher
    from commands.context import Services
    from signals.calendar import MarketCalendar
    from signals.service import PriceService
    from signals.sources import DemoSource

    out = io.StringIO()
    prices = PriceService(DemoSource(), MarketCalendar())
    services = Services(prices=prices, default_language=language)
    adapter = TerminalAdapter(Dispatcher(services), stdout=out, width=40)
    assert await adapter.handle("/help")
    lines = out.getvalue().splitlines()
    assert any(line.startswith("/signal TICKER") for line in lines)
    assert max(cell_len(line) for line in lines) <= 40, out.getvalue()


@pytest.mark.parametrize("command", ["signal", "history"])
def test_lang_help_lists_every_language(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`signalbot history --help` names the five languages, not `en, zh or both`."""
    from bot.cli import main
    from formatting.languages import LANGUAGES

    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert ", ".join(LANGUAGES) in text


def test_json_errors_name_the_source_and_the_date_in_words() -> None:
    """A bad-data error in --json output says "CSV files" and "June 5, 2026", not a Term repr."""
    from datetime import date

    from bot.cli import _error_json
    from signals.errors import BadData

    error = _error_json(BadData("IWM", "bad close", day=date(2026, 6, 5), source="csv:/prices"))
    assert error["code"] == "error.bad_data"
    assert error["message"]["en"].startswith(
        "Bad price data from CSV files for IWM on June 5, 2026"
    )
    assert "Term(" not in str(error) and "2026年6月5日" in error["message"]["zh"]


def test_state_location_of_a_server_database_hides_its_password() -> None:
    """PostgreSQL: the state is the URL without its password, and one-off commands use it."""
    import asyncio

    from bot.services import oneoff_database
    from bot.settings import load_settings
    from bot.state import sqlite_file, state_location

    settings = load_settings(env_file=None, database_url="postgresql://bot:s3cret@db:5432/sig")
    assert sqlite_file(settings) is None
    assert state_location(settings) == "postgresql://bot:***@db:5432/sig"

    async def opened() -> str:
        async with oneoff_database(settings) as url:
            return url

    assert asyncio.run(opened()) == settings.storage.async_database_url


def test_an_interactive_terminal_hears_where_state_lives_at_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """On a terminal the line is printed when the session starts (nothing is watched); piped,
    with the first command, once."""
    import io

    from bot.startup import watched_stdin

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream, watcher = watched_stdin(Tty(""), "kept in /x/signalbot.db")
    assert watcher is None and isinstance(stream, Tty)
    assert capsys.readouterr().err == "kept in /x/signalbot.db\n"
    piped, watcher = watched_stdin(io.StringIO("\n# c\n/help\n/about\n"), "kept here")
    assert watcher is not None and capsys.readouterr().err == ""
    assert [piped.readline() for _ in range(5)][-1] == ""
    assert watcher.commands == 2 and capsys.readouterr().err == "kept here\n"


def test_demo_tickers_setting_is_checked_and_reaches_the_source() -> None:
    """SIGNALBOT_DEMO_TICKERS: tickers upper-cased; a word that is no ticker stops start-up."""
    from bot.services import price_service
    from bot.settings import SettingsError, load_settings
    from signals.sources import DemoSource

    settings = load_settings(env_file=None, price_source="demo", demo_tickers=" arkk, SOXX ,")
    assert settings.prices.demo_tickers == ("ARKK", "SOXX")
    source = price_service(settings, None).sources[0].source  # type: ignore[arg-type]
    assert isinstance(source, DemoSource) and {"ARKK", "SOXX", "IWM"} <= source.known
    with pytest.raises(SettingsError, match="SIGNALBOT_DEMO_TICKERS: must be comma-separated"):
        load_settings(env_file=None, demo_tickers="ARKK,not a ticker")
