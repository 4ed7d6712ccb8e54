"""Settings: defaults, sources, one-line errors, secret hygiene and the documented variables."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from bot.settings import SettingsError, env_names, load_settings, settings_table

ROOT = Path(__file__).resolve().parents[2]
ENV_NAMES = env_names()
SECRET = "xoxb-sekrit-value-123"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test without any of the bot's variables from the real environment."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


def test_defaults() -> None:
    """With nothing set: terminal only, SQLite under ./data, bilingual, port 3000."""
    settings = load_settings(None)
    assert not settings.discord.enabled
    assert not settings.slack.enabled
    assert settings.ops.http_port == 3000
    assert settings.storage.data_dir == Path("./data")
    assert settings.storage.database_url == "sqlite:///data/signalbot.db"
    assert settings.storage.async_database_url == "sqlite+aiosqlite:///data/signalbot.db"
    assert (settings.prices.price_source, settings.prices.csv_dir) == ("yfinance", None)
    assert (settings.chat.default_language, settings.ops.log_level) == ("both", "INFO")
    assert (settings.chat.signal_cooldown_seconds, settings.digest.digest_grace_hours) == (10, 6)


def test_env_file_environment_and_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """.env supplies values, the environment beats .env, keyword overrides beat both."""
    env = tmp_path / ".env"
    env.write_text(
        "SIGNALBOT_HTTP_PORT=8080\nSIGNALBOT_DEFAULT_LANGUAGE=zh\nSIGNALBOT_DATA_DIR=/srv/bot\n"
        "SIGNALBOT_LOG_LEVEL=\nDISCORD_GUILD_IDS=1, 22 ,333\nSLACK_ADMIN_USER_IDS=U1,U2\n"
        "SIGNALBOT_PRICE_SOURCE=csv:/tmp/prices\nUNRELATED=1\n"
    )
    monkeypatch.setenv("SIGNALBOT_DEFAULT_LANGUAGE", "EN")
    settings = load_settings(env, log_level="debug")
    assert settings.ops.http_port == 8080
    assert settings.chat.default_language == "en"
    assert settings.ops.log_level == "DEBUG"
    assert settings.storage.database_url == "sqlite:////srv/bot/signalbot.db"
    assert settings.discord.guild_ids == (1, 22, 333)
    assert settings.slack.admin_user_ids == ("U1", "U2")
    assert settings.prices.csv_dir == Path("/tmp/prices")


def test_only_the_named_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bare field names in the environment (LOG_LEVEL, HTTP_PORT) are not settings."""
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    monkeypatch.setenv("HTTP_PORT", "1234")
    settings = load_settings(None)
    assert (settings.ops.log_level, settings.ops.http_port) == ("INFO", 3000)
    with pytest.raises(TypeError, match="htp_port"):
        load_settings(None, htp_port=1)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///rel/bot.db", "sqlite+aiosqlite:///rel/bot.db"),
        ("sqlite:////abs/bot.db", "sqlite+aiosqlite:////abs/bot.db"),
        ("postgresql://u@db:5432/bot", "postgresql+asyncpg://u@db:5432/bot"),
        ("postgres://u@db/bot", "postgresql+asyncpg://u@db/bot"),
        ("postgresql+asyncpg://u:p@db/bot", "postgresql+asyncpg://u:p@db/bot"),
    ],
)
def test_async_database_url(url: str, expected: str) -> None:
    """Sync spellings of the database URL map to the async drivers."""
    assert load_settings(None, database_url=url).storage.async_database_url == expected


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SIGNALBOT_HTTP_PORT", "70000", "must be between 0 and 65535 (got 70000)"),
        ("SIGNALBOT_HTTP_PORT", "-1", "must be between 0 and 65535 (got -1)"),
        ("SIGNALBOT_HTTP_PORT", "http", "must be a whole number"),
        (
            "SIGNALBOT_DEFAULT_LANGUAGE",
            "fr",
            "must be one of en, zh, zh-hant, zh-hk, both, both-hant, both-hk (got 'fr')",
        ),
        ("DISCORD_API_BASE_URL", "discord.com/api", "must be an http(s) URL"),
        ("SLACK_API_BASE_URL", "https://x:99999999", "must be an http(s) URL"),
        (
            "SIGNALBOT_PRICE_SOURCE",
            "bloomberg",
            "must be 'yfinance', 'tiingo', 'csv:/path/to/dir' or 'demo'",
        ),
        (
            "SIGNALBOT_PRICE_SOURCE",
            "csv:",
            "must be 'yfinance', 'tiingo', 'csv:/path/to/dir' or 'demo'",
        ),
        ("SIGNALBOT_DATABASE_URL", "mysql://u@h/db", "unsupported database 'mysql'"),
        ("SIGNALBOT_DATABASE_URL", "not a url", "must be a URL"),
        ("SIGNALBOT_DATABASE_URL", "postgresql://h", "needs a database name"),
        ("DISCORD_GUILD_IDS", "123,abc", "comma-separated numeric ids"),
        ("DISCORD_SHARD_COUNT", "0", "must be at least 1"),
        ("SLACK_ADMIN_USER_IDS", "U1,not an id", "comma-separated Slack user ids"),
        ("SIGNALBOT_LOG_LEVEL", "chatty", "must be one of CRITICAL"),
        ("SIGNALBOT_SIGNAL_COOLDOWN_SECONDS", "-1", "must be a number >= 0"),
        ("SIGNALBOT_DIGEST_GRACE_HOURS", "soon", "must be a number"),
    ],
)
def test_bad_value_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    """A bad value raises SettingsError: one line, the variable first, no secret in it."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", SECRET)
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(None)
    text = str(caught.value)
    assert text.startswith(f"{name}: ")
    assert message in text
    assert "\n" not in text
    assert SECRET not in text
    assert caught.value.__suppress_context__  # no pydantic dump chained into the traceback


def test_several_bad_values_still_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two bad variables are reported together on one line."""
    monkeypatch.setenv("SIGNALBOT_HTTP_PORT", "99999")
    monkeypatch.setenv("SIGNALBOT_DEFAULT_LANGUAGE", "de")
    with pytest.raises(SettingsError, match=r"^SIGNALBOT_HTTP_PORT: .+; SIGNALBOT_DEFAULT") as c:
        load_settings(None)
    assert "\n" not in str(c.value)


def test_database_password_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    """The database password is hidden in repr and absent from a database URL error."""
    settings = load_settings(None, database_url="postgresql://bot:hunter2@db/bot")
    assert "hunter2" not in repr(settings)
    assert "hunter2" not in str(settings)
    monkeypatch.setenv("SIGNALBOT_DATABASE_URL", "mysql://bot:hunter2@db/bot")
    with pytest.raises(SettingsError) as caught:
        load_settings(None)
    assert "hunter2" not in str(caught.value)


def test_secrets_never_in_repr_or_logs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Token values never appear in repr(), str() or any log record."""
    names = ["DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET",
             "SLACK_CLIENT_SECRET"]  # fmt: skip
    for i, name in enumerate(names):
        monkeypatch.setenv(name, f"{SECRET}-{i}")
    with caplog.at_level(logging.DEBUG):
        settings = load_settings(None)
        logging.getLogger("test").info("settings: %s %r", settings, settings)
    for shown in (repr(settings), str(settings), caplog.text):
        assert SECRET not in shown
    assert settings.discord.token is not None
    assert settings.discord.token.get_secret_value() == f"{SECRET}-0"


@pytest.mark.parametrize(
    ("env", "enabled", "socket"),
    [
        ({"SLACK_BOT_TOKEN": "b"}, False, False),
        ({"SLACK_BOT_TOKEN": "b", "SLACK_APP_TOKEN": "a"}, True, True),
        ({"SLACK_BOT_TOKEN": "b", "SLACK_SIGNING_SECRET": "s"}, True, False),
        ({"SLACK_APP_TOKEN": "a", "SLACK_SIGNING_SECRET": "s"}, False, False),
        ({"SLACK_BOT_TOKEN": "", "SLACK_APP_TOKEN": "a"}, False, False),
        # OAuth (several workspaces): no bot token; installations come from the database
        (
            {"SLACK_CLIENT_ID": "c", "SLACK_CLIENT_SECRET": "x", "SLACK_SIGNING_SECRET": "s"},
            True,
            False,
        ),
        ({"SLACK_CLIENT_ID": "c", "SLACK_SIGNING_SECRET": "s"}, False, False),
    ],
)
def test_slack_modes(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], enabled: bool, socket: bool
) -> None:
    """Slack needs a bot token or OAuth, plus an app token (Socket Mode) or a signing secret."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(None)
    assert (settings.slack.enabled, settings.slack.socket_mode) == (enabled, socket)


def test_discord_enabled_by_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Discord token turns Discord on; a blank one does not."""
    monkeypatch.setenv("DISCORD_TOKEN", " ")
    assert not load_settings(None).discord.enabled
    monkeypatch.setenv("DISCORD_TOKEN", "token")
    assert load_settings(None).discord.enabled


def test_env_example_documents_exactly_the_settings() -> None:
    """.env.example lists every variable once, each under a comment, and nothing else."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    listed = []
    for i, line in enumerate(lines):
        match = re.match(r"#?\s*([A-Z][A-Z0-9_]*)=", line)
        if match:
            listed.append(match.group(1))
            assert lines[i - 1].startswith("#"), f"{match.group(1)} has no comment above it"
    assert sorted(listed) == sorted(ENV_NAMES)


def test_env_example_loads_cleanly() -> None:
    """The example file itself is a valid configuration."""
    settings = load_settings(ROOT / ".env.example")
    assert settings.ops.http_port == 3000
    assert not settings.discord.enabled


def test_settings_table_describes_every_variable() -> None:
    """The README table has every variable with a description and readable defaults."""
    table = {name: (default, description) for name, default, description in settings_table()}
    assert sorted(table) == sorted(ENV_NAMES)
    assert all(description for _, description in table.values())
    assert table["SIGNALBOT_HTTP_PORT"][0] == "3000"
    assert table["SIGNALBOT_DATA_DIR"][0] == "./data"
    assert table["SIGNALBOT_SIGNAL_COOLDOWN_SECONDS"][0] == "10"
    assert table["DISCORD_TOKEN"][0] == ""
