"""The terminal adapter: piped and in-process sessions of the real bot with CSV prices."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest

from bot.adapters.terminal import parse_line
from bot.app import run_bot
from bot.settings import load_settings
from tests.fakes import bot_process
from tests.fakes.bot_process import bot_env
from tests.fakes.market import write_price_dir

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def prices(tmp_path: Path) -> Path:
    return write_price_dir(tmp_path / "prices", {"IWM": 1.0, "SPY": 2.4})


def run_cli(
    tmp_path: Path, prices: Path, stdin: str, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = bot_env(tmp_path, prices, **env)
    return bot_process.run_cli(environment, *args, cwd=tmp_path, stdin=stdin, timeout=60)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/signal IWM", ("signal", {"ticker": "IWM"})),
        ("  /SIGNAL iwm spy ", ("signal", {"ticker": "iwm spy"})),
        ("IWM", ("signal", {"ticker": "IWM"})),
        ("/language zh", ("language", {"choice": "zh"})),
        ("/language", ("language", {})),
        ("/colors red-up", ("colors", {"scheme": "red-up"})),
        ("/language zh-hant", ("language", {"choice": "zh-hant"})),
        ("/help", ("help", {})),
        ("/nope x", ("nope", {"text": "x"})),
        ("iwm, spy", ("signal", {"ticker": "iwm, spy"})),
        ("help", ("help", {})),
        ("HELP", ("help", {})),
        ("帮助", ("help", {})),
        ("about", ("about", {})),
        ("clear", ("clear", {})),
        ("/clear", ("clear", {})),
        ("quit", ("quit", {})),
        ("exit", ("quit", {})),
        ("/exit", ("quit", {})),
        ("退出", ("quit", {})),
        ("language zh", ("language", {"choice": "zh"})),
        ("digest status", ("digest", {"action": "status", "text": ""})),
        ("what is IWM?", ("", {"text": "what is IWM?"})),
        ("📈", ("", {"text": "📈"})),
        ("", None),
        ("# a comment", None),
    ],
)
def test_parse_line(line, expected):
    """Slash commands map onto registry options; a bare word is a command word or a ticker."""
    assert parse_line(line) == expected


def test_piped_session_prints_three_replies_and_exits(tmp_path, prices):
    """printf '/signal IWM\\n/language zh\\n/signal SPY\\n' | signalbot run: three replies, exit 0."""
    result = run_cli(tmp_path, prices, "/signal IWM\n/language zh\n/signal SPY\n", "run")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    first, _, rest = out.partition("IWM追踪罗素2000")  # the IWM card is bilingual (default both)
    assert "IWM tracks Russell 2000" in first and "defensive impulse" in first
    assert "显示语言已设为简体中文" in rest or "简体中文" in rest
    spy = rest[rest.index("SPY") :]
    assert "防御动能" in spy and "defensive impulse" not in spy  # now Chinese only
    assert "Traceback" not in result.stderr


def test_language_survives_restart(tmp_path, prices):
    """The terminal is one server with a stored language: a second run remembers zh."""
    run_cli(tmp_path, prices, "/language en\n", "run")
    again = run_cli(tmp_path, prices, "/signal IWM\n", "run")
    assert "IWM tracks Russell 2000" in again.stdout
    assert not CJK.search(again.stdout)


def test_bad_input_is_a_clear_message_and_changes_nothing(tmp_path, prices):
    """Garbage, emoji, 500 characters and injection get one-line errors; the language stays."""
    lines = [
        "/signal 📈",
        "/signal " + "A" * 500,
        "/signal IWM'; DROP TABLE servers;--",
        "/language klingon",
        "/frobnicate",
        "/language",
    ]
    result = run_cli(
        tmp_path, prices, "\n".join(lines) + "\n", "run", SIGNALBOT_DEFAULT_LANGUAGE="en"
    )
    assert result.returncode == 0
    out = result.stdout
    assert out.count("is not a valid ticker") == 3
    assert "klingon is not a language option" in out
    assert "frobnicate" in out
    assert "Language here: English" in out
    assert "A" * 30 not in out  # long input is shortened when quoted back
    assert "Traceback" not in out + result.stderr


async def test_in_process_session_uses_stored_language(tmp_path, prices):
    """run_bot with in-memory stdin/stdout: the reply follows a language change at once."""
    settings = load_settings(
        env_file=None,
        price_source=f"csv:{prices}",
        data_dir=tmp_path / "data",
        default_language="en",
    )
    stdout = io.StringIO()
    code = await run_bot(
        settings, stdin=io.StringIO("/signal IWM\n/language zh\n/signal IWM\n"), stdout=stdout
    )
    assert code == 0
    english, _, chinese = stdout.getvalue().partition("显示语言")
    assert "IWM tracks Russell 2000" in english and not CJK.search(english)
    assert "IWM追踪罗素2000" in chinese and "tracks" not in chinese


def test_cli_signal_json_and_errors(tmp_path, prices):
    """signalbot signal --json: numbers unrounded, labels in both languages, errors in place."""
    import json

    result = run_cli(tmp_path, prices, "", "signal", "IWM", "ZZZZ", "--json")
    assert result.returncode == 2
    data = json.loads(result.stdout)
    assert [d["ticker"] for d in data] == ["IWM", "ZZZZ"]
    iwm = data[0]
    assert iwm["regime"] == "defensive_impulse"
    assert iwm["label"] == {
        "en": "defensive impulse", "zh": "防御动能", "zh-hant": "防禦動能", "zh-hk": "防禦動能",
    }  # fmt: skip
    assert f"{iwm['r_1d'] * 100:+.2f}%" == "-3.55%"
    assert data[1]["error"]["code"] == "error.no_data"


def test_cli_bad_config_is_one_line(tmp_path, prices):
    """A bad setting stops start-up with one line naming the variable, exit 2, no traceback."""
    result = run_cli(tmp_path, prices, "", "signal", "IWM", SIGNALBOT_HTTP_PORT="70000")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "SIGNALBOT_HTTP_PORT" in result.stderr


@pytest.mark.parametrize("platform", ["discord", "slack", "text"])
def test_cli_preview(tmp_path, prices, platform):
    """signalbot preview prints the exact payload per platform."""
    import json

    result = run_cli(tmp_path, prices, "", "preview", "IWM", "--platform", platform, "--lang", "zh")
    assert result.returncode == 0, result.stderr
    if platform == "discord":
        payload = json.loads(result.stdout)
        assert payload["allowed_mentions"] == {"parse": []}
        assert payload["embeds"][0]["image"]["url"].startswith("attachment://IWM")
    elif platform == "slack":
        payload = json.loads(result.stdout)
        assert payload["blocks"][0]["type"] == "header"
    else:
        assert "防御动能" in result.stdout


async def test_offline_hint_once_when_yahoo_is_unreachable(tmp_path):
    """With yfinance unreachable, the terminal says how to try the demo, once per session."""
    from bot.adapters.terminal import TerminalAdapter
    from bot.dispatch import Dispatcher
    from commands.context import Services
    from signals.calendar import MarketCalendar
    from signals.service import PriceService
    from signals.sources.yahoo import YFinanceSource

    def unreachable(*_args, **_kwargs):
        raise ConnectionError("Could not resolve host: query1.finance.yahoo.com")

    prices = PriceService(YFinanceSource(download=unreachable), MarketCalendar())
    out = io.StringIO()
    adapter = TerminalAdapter(
        Dispatcher(Services(prices=prices, default_language="en")),
        stdin=io.StringIO("/signal IWM\n/signal SPY\n"),
        stdout=out,
        interactive=False,
    )
    await adapter.run()
    text = out.getvalue()
    assert text.count("The price source is not responding") == 2
    assert text.count("SIGNALBOT_PRICE_SOURCE=demo ./dev run") == 1


def test_digest_commands_in_the_terminal(tmp_path, prices):
    """The terminal is a channel: set a watchlist and schedule, see status, preview as a table."""
    lines = [
        "/digest watchlist IWM SPY",
        "/digest schedule 17:00 Asia/Shanghai",
        "/digest status",
        "/digest preview",
    ]
    result = run_cli(
        tmp_path, prices, "\n".join(lines) + "\n", "run", SIGNALBOT_DEFAULT_LANGUAGE="both"
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "17:00" in out and "Asia/Shanghai" in out
    english, _, chinese = out.partition("ETF动量日报")
    assert re.search(r"Ticker\s+Close\s+1D\s+5D\s+1M\s+Regime", english)
    assert re.search(r"IWM\s+\$281\.65\s+-3\.55%\s+-2\.33%\s+-0\.22%\s+defensive impulse", english)
    assert re.search(r"IWM\s+\$281\.65\s+-3\.55%\s+-2\.33%\s+-0\.22%\s+防御动能", chinese)


@pytest.fixture
def long_prices(tmp_path: Path) -> Path:
    """IWM with about ten years of seeded random-walk closes (the worked example's CSV layout)."""
    import numpy as np

    from tests.fakes.market import bars_from_closes, last_session_now, write_csv

    directory = tmp_path / "long"
    directory.mkdir()
    rng = np.random.default_rng(15)
    closes = list(100 * np.exp(np.cumsum(rng.normal(0.0003, 0.012, 2500))))
    write_csv(directory, "IWM", bars_from_closes(closes, end=last_session_now()))
    return directory


def test_terminal_history_table_in_both_languages(tmp_path, long_prices):
    """/history IWM in the terminal: the table and "not a forecast" in English and Chinese."""
    result = run_cli(tmp_path, long_prices, "/history IWM\n/history NOPE\n", "run")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "IWM: what happened after each regime" in out and "IWM：各动量状态之后的表现" in out
    assert "This describes the past and is not a forecast." in out
    assert "以上为历史统计，过往表现不代表未来表现。" in out
    assert "All sessions" in out and "全部交易日" in out
    assert "Traceback" not in result.stderr


def test_cli_history_json_and_text(tmp_path, long_prices):
    """signalbot history IWM --json: nine regimes, baseline, since, as_of; unrounded fractions."""
    import json

    result = run_cli(tmp_path, long_prices, "", "history", "IWM", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["regimes"]) == 9 and data["baseline"]["n"] > 2000
    assert {"since", "as_of", "baseline"} <= set(data)
    assert any(len(repr(r["up5"])) > 6 for r in data["regimes"] if r["up5"] is not None)
    text = run_cli(tmp_path, long_prices, "", "history", "IWM", "--lang", "zh")
    assert text.returncode == 0 and "以上为历史统计，过往表现不代表未来表现。" in text.stdout
    assert "not a forecast" not in text.stdout
    bad = run_cli(tmp_path, long_prices, "", "history", "NOPE", "--lang", "en")
    assert bad.returncode == 2 and "NOPE" in bad.stderr and "Traceback" not in bad.stderr
    signal = run_cli(tmp_path, long_prices, "", "signal", "IWM", "--lang", "en")
    assert "After past" in signal.stdout and "forecast" in signal.stdout


def test_terminal_alerts_add_list_duplicate(tmp_path, prices):
    """/alert add IWM, /alert list, /alert add IWM again: added, listed, a duplicate refused."""
    result = run_cli(
        tmp_path, prices, "/language en\n/alert add IWM\n/alert list\n/alert add iwm\n", "run"
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Regime alert added: IWM in #console" in out
    assert "IWM in #console" in out.split("Regime alerts here:")[1]
    assert "There is already a regime alert for IWM in #console; nothing changed." in out


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/alert add IWM", ("alert", {"action": "add", "ticker": "IWM"})),
        (
            "/alert remove IWM general",
            ("alert", {"action": "remove", "ticker": "IWM", "channel": "general"}),
        ),
        ("/alert", ("alert", {"action": "list"})),
        ("/history IWM", ("history", {"ticker": "IWM"})),
    ],
)
def test_parse_alert_and_history_lines(line, expected):
    """The terminal spells /alert and /history like the chat platforms."""
    assert parse_line(line) == expected


def test_command_words_are_not_tickers_and_errors_name_slash_help(tmp_path, prices):
    """help/clear run as commands (no HELP or CLEAR card); bad input points to /help; bye."""
    lines = ["help", "clear", "hello there!", "/frobnicate", "IWM", "quit", "/signal SPY"]
    result = run_cli(
        tmp_path, prices, "\n".join(lines) + "\n", "run", SIGNALBOT_DEFAULT_LANGUAGE="en"
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "/signal TICKER" in out  # the help text
    assert "HELP" not in out and "CLEAR" not in out
    assert "“hello there!” is neither a command nor a ticker. Type /help" in out
    assert "Unknown command: /frobnicate. Type /help to see the commands." in out
    assert "IWM tracks Russell 2000" in out
    assert out.rstrip().endswith("Goodbye.")  # quit ends the session: SPY is never asked

    assert "Traceback" not in out + result.stderr


def test_chinese_command_words_answer_in_chinese(tmp_path, prices):
    """帮助 is help and 退出 quits, answered in the terminal's language."""
    result = run_cli(tmp_path, prices, "帮助\n退出\n", "run", SIGNALBOT_DEFAULT_LANGUAGE="zh")
    assert result.returncode == 0, result.stderr
    assert "/signal TICKER" in result.stdout
    assert result.stdout.rstrip().endswith("再见。")


@pytest.mark.parametrize(
    ("word", "command"),
    [("說明", "help"), ("幫助", "help"), ("说明", "help"), ("關於", "about"), ("語言", "language"),
     ("日報", "digest"), ("歷史", "history"), ("離開", "quit"), ("清除", "clear")],
)  # fmt: skip
def test_traditional_command_words_are_commands(word, command):
    """The words a Traditional reader types (the terminal's own zh-hant texts use them) are
    commands, never tickers or "not understood"."""
    from bot.adapters.terminal import command_word

    assert command_word(word) == command
