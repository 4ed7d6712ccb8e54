"""The settings in groups, one per part of the bot; each group reads its own variables.

Like python-discord's ``EnvConfig``: a group is a ``BaseSettings`` with the prefix its variables
share (``DISCORD_`` + ``token`` reads ``DISCORD_TOKEN``); the few variables that do not share it
(``TIINGO_*``) name themselves. Each part of the bot receives only its group.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.settings import values
from bot.storage.sqlite_file import SQLITE_BUSY_TIMEOUT as SQLITE_BUSY_TIMEOUT
from bot.storage.urls import async_url, parse_url, safe_url
from formatting.languages import LANGUAGES, Language

LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
_Url = Annotated[str | None, BeforeValidator(values.http_url)]
_Ids = Annotated[tuple[int, ...], NoDecode, BeforeValidator(values.numeric_ids)]
_Seconds = Annotated[float, BeforeValidator(values.non_negative)]
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(
        env_prefix=prefix,
        extra="ignore",
        env_ignore_empty=True,  # VAR= in .env means "use the default"
        hide_input_in_errors=True,
    )


class Group(BaseSettings):
    """One group of settings; :meth:`env_name` is the variable a field is read from."""

    #: What the README and ``signalbot config`` print for a default that is not a plain value.
    default_text: ClassVar[dict[str, str]] = {}

    @classmethod
    def env_name(cls, field: str) -> str:
        """The environment variable of ``field`` (``token`` -> ``DISCORD_TOKEN``)."""
        alias = cls.model_fields[field].validation_alias
        return str(alias) if alias else f"{cls.model_config.get('env_prefix', '')}{field}".upper()


class DiscordSettings(Group):
    """The Discord adapter: token, API base, command sync guilds, shards."""

    model_config = _config("DISCORD_")

    token: SecretStr | None = Field(None, description="Discord bot token")
    api_base_url: _Url = Field(
        None, description="Discord REST API base URL (an API proxy, or tests)"
    )
    guild_ids: _Ids = Field(
        (), description="Comma-separated guild ids to sync commands to at once (dev)"
    )
    shard_count: int | None = Field(
        None, description="Number of gateway shards (default: Discord's suggestion)"
    )
    shard_ids: _Ids = Field(
        (),
        description="Comma-separated shard ids this process connects (default: leased "
        "automatically)",
    )

    @field_validator("shard_count", mode="before")
    @classmethod
    def _shards(cls, value: Any) -> Any:
        return None if value is None else values.whole(value, low=1, high=None)

    @model_validator(mode="after")
    def _shard_ids_need_a_count(self) -> DiscordSettings:
        if self.shard_ids:
            if self.shard_count is None:
                raise ValueError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT")
            bad = [i for i in self.shard_ids if i >= self.shard_count]
            if bad:
                raise ValueError(f"DISCORD_SHARD_IDS {bad} must be below DISCORD_SHARD_COUNT")
        return self

    @property
    def enabled(self) -> bool:
        """A Discord token is set."""
        return values.has(self.token)


class SlackSettings(Group):
    """The Slack adapter: tokens (Socket Mode or HTTP), OAuth, API base, admins."""

    model_config = _config("SLACK_")

    bot_token: SecretStr | None = Field(None, description="Slack bot token (xoxb-)")
    app_token: SecretStr | None = Field(
        None, description="Slack app-level token (xapp-); enables Socket Mode"
    )
    signing_secret: SecretStr | None = Field(
        None, description="Slack signing secret; enables HTTP (Events API) mode"
    )
    client_id: str | None = Field(None, description="Slack OAuth client id")
    client_secret: SecretStr | None = Field(None, description="Slack OAuth client secret")
    api_base_url: _Url = Field(None, description="Slack Web API base URL (an API proxy, or tests)")
    admin_user_ids: Annotated[tuple[str, ...], NoDecode, BeforeValidator(values.slack_user_ids)] = (
        Field((), description="Comma-separated Slack user ids allowed to run admin commands")
    )

    @property
    def oauth(self) -> bool:
        """OAuth client credentials are set: installations come from the database."""
        return bool(self.client_id) and values.has(self.client_secret)

    @property
    def enabled(self) -> bool:
        """A bot token or OAuth credentials, with an app token (Socket Mode) or signing secret."""
        return (values.has(self.bot_token) or self.oauth) and (
            values.has(self.app_token) or values.has(self.signing_secret)
        )

    @property
    def socket_mode(self) -> bool:
        """Slack runs over Socket Mode (an app token is set); otherwise over HTTP."""
        return self.enabled and values.has(self.app_token)


class TelegramSettings(Group):
    """The Telegram adapter: bot token, API base, webhook mode."""

    model_config = _config("TELEGRAM_")
    default_text: ClassVar[dict[str, str]] = {"api_base_url": "https://api.telegram.org/bot"}

    bot_token: SecretStr | None = Field(None, description="Telegram bot token (from @BotFather)")
    api_base_url: _Url = Field(
        None,
        description="Bot API base URL, called as {base}{token}/{method} (a local Bot API "
        "server, or tests)",
    )
    webhook_url: _Url = Field(
        None,
        description="Public HTTPS URL Telegram posts updates to (webhook mode, served on "
        "SIGNALBOT_HTTP_PORT at its path); default: long polling",
    )
    webhook_secret: SecretStr | None = Field(
        None,
        description="Secret Telegram sends in X-Telegram-Bot-Api-Secret-Token (webhook mode; "
        "1-256 of A-Z a-z 0-9 _ -); default: derived from the bot token",
    )

    @field_validator("webhook_url", mode="after")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        # https://core.telegram.org/bots/api#setwebhook: "HTTPS URL to send updates to"
        if value is not None and not value.startswith("https://"):
            raise ValueError("must be an https:// URL: Telegram posts updates over HTTPS only")
        return value

    @field_validator("webhook_secret", mode="after")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        # https://core.telegram.org/bots/api#setwebhook: secret_token "1-256 characters. Only
        # characters A-Z, a-z, 0-9, _ and - are allowed"
        if value is not None and not _WEBHOOK_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @property
    def enabled(self) -> bool:
        """A Telegram bot token is set."""
        return values.has(self.bot_token)

    @property
    def base_url(self) -> str:
        """The Bot API base in python-telegram-bot's sense (``{base}{token}/{method}``)."""
        return self.api_base_url or "https://api.telegram.org/bot"


class OpsSettings(Group):
    """Running the bot: the HTTP server (health, metrics, Slack HTTP mode) and the log."""

    model_config = _config("SIGNALBOT_")

    http_port: int = Field(
        3000,
        description=(
            "Port of the HTTP server: /healthz, /readyz, /metrics, and Slack HTTP mode; "
            "0: any free port, which the log names (http listening … port=N)"
        ),
    )
    http_host: str = Field(
        "0.0.0.0",  # noqa: S104 - Slack and health probes reach the bot from outside
        description="Address the HTTP server listens on (127.0.0.1: local only)",
    )
    ops_server: Literal["auto", "on", "off"] = Field(
        "auto",
        description="Serve /healthz, /readyz, /metrics: auto (not in a terminal session), on, off",
    )
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING, ERROR or CRITICAL")

    @field_validator("http_port", mode="before")
    @classmethod
    def _port(cls, value: Any) -> int:
        return values.whole(value, low=0, high=65535)  # 0: the OS picks a free port

    @field_validator("ops_server", mode="before")
    @classmethod
    def _ops_server(cls, value: Any) -> str:
        text = str(value).strip().lower()
        if text not in ("auto", "on", "off"):
            raise ValueError(f"must be auto, on or off (got {value!r})")
        return text

    @field_validator("http_host", mode="before")
    @classmethod
    def _host(cls, value: Any) -> str:
        text = str(value).strip()
        if not text or any(ch.isspace() or ch in "/@" for ch in text):
            raise ValueError(f"must be a host name or IP address like 127.0.0.1 (got {text!r})")
        return text

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value: Any) -> str:
        return values.one_of(value, LOG_LEVELS, upper=True)


class StorageSettings(Group):
    """Where the bot keeps its state: the data directory and the database."""

    model_config = _config("SIGNALBOT_")
    default_text: ClassVar[dict[str, str]] = {
        "data_dir": "./data",
        "database_url": "sqlite:///<SIGNALBOT_DATA_DIR>/signalbot.db",
    }

    data_dir: Path = Field(Path("data"), description="Directory for the SQLite database")
    database_url: str = Field(
        "", description="Database: sqlite:///path or postgresql://user@host/db"
    )
    sqlite_busy_timeout_seconds: _Seconds = Field(
        SQLITE_BUSY_TIMEOUT,
        description="How long a SQLite writer waits for another process's lock before it fails, "
        "in seconds",
    )

    @field_validator("database_url", mode="before")
    @classmethod
    def _database(cls, value: Any) -> Any:
        text = str(value).strip()
        if text:
            parse_url(text)  # its ValueError names the problem, never the password
        return text

    @model_validator(mode="after")
    def _default_database(self) -> StorageSettings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'signalbot.db'}"
        return self

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """Like pydantic's, with any database password hidden."""
        for name, value in super().__repr_args__():
            yield name, safe_url(value) if name == "database_url" else value

    @property
    def async_database_url(self) -> str:
        """The database URL with its async driver (sqlite+aiosqlite or postgresql+asyncpg)."""
        return async_url(self.database_url)


class PriceSettings(Group):
    """Where prices come from: the source chain, its deadline, the demo tickers, Tiingo."""

    model_config = _config("SIGNALBOT_")

    price_source: Annotated[str, BeforeValidator(values.price_chain)] = Field(
        "yfinance",
        description="Price data: yfinance, tiingo, csv:/path/to/dir or demo (synthetic prices, "
        "for offline tries); a comma-separated list is a chain (yfinance,tiingo: a ticker the "
        "first cannot serve comes from the next)",
    )
    price_deadline_seconds: float = Field(
        10.0,
        description="Longest a user waits for the price source, in seconds; the fetch goes on "
        "after it",
    )
    demo_tickers: Annotated[tuple[str, ...], NoDecode, BeforeValidator(values.tickers)] = Field(
        (),
        description="Comma-separated tickers the demo source invents prices for, beyond the fund "
        "catalog",
    )
    tiingo_api_key: SecretStr | None = Field(
        None, validation_alias="TIINGO_API_KEY", description="Tiingo API token"
    )
    tiingo_api_base_url: _Url = Field(
        None,
        validation_alias="TIINGO_API_BASE_URL",
        description="Tiingo API base URL (an API proxy, or tests)",
    )

    @field_validator("price_deadline_seconds")
    @classmethod
    def _deadline(cls, value: float) -> float:
        if not 0.5 <= value <= 600:
            raise ValueError(f"must be between 0.5 and 600 seconds (got {value!r})")
        return value

    @model_validator(mode="after")
    def _tiingo_key(self) -> PriceSettings:
        if "tiingo" in self.sources and not values.has(self.tiingo_api_key):
            raise ValueError("TIINGO_API_KEY must be set when SIGNALBOT_PRICE_SOURCE has tiingo")
        return self

    @property
    def sources(self) -> tuple[str, ...]:
        """The price source chain, in order (``("yfinance", "tiingo")``)."""
        return tuple(self.price_source.split(","))

    @property
    def csv_dir(self) -> Path | None:
        """The directory of the first ``csv:`` source in the chain, or None."""
        for spec in self.sources:
            if spec.startswith("csv:"):
                return Path(spec[4:])
        return None


class ChatSettings(Group):
    """What every chat surface (Discord, Slack, terminal) shares: language and cooldown."""

    model_config = _config("SIGNALBOT_")

    default_language: Language = Field(
        "both", description="Language of servers that chose none: " + ", ".join(LANGUAGES)
    )
    signal_cooldown_seconds: _Seconds = Field(
        10.0, description="Per-user cooldown of /signal, in seconds"
    )

    @field_validator("default_language", mode="before")
    @classmethod
    def _language(cls, value: Any) -> str:
        return values.one_of(value, LANGUAGES)


class DigestSettings(Group):
    """Scheduled digests and regime alerts: grace, limits, shutdown and claim leases."""

    model_config = _config("SIGNALBOT_")

    digest_grace_hours: _Seconds = Field(
        6.0, description="How late a missed digest may still be sent, in hours"
    )
    max_alerts_per_server: int = Field(
        25, description="Most regime alerts one server or workspace may have"
    )
    digest_stop_seconds: _Seconds = Field(
        20.0,
        description="On SIGTERM, how long digest posts already in flight may take to finish, in "
        "seconds",
    )
    digest_lease_seconds: _Seconds = Field(
        20.0,
        description="Lease of a digest claim, in seconds: a crashed process's claims are taken "
        "over after it",
    )

    @field_validator("max_alerts_per_server", mode="before")
    @classmethod
    def _alerts(cls, value: Any) -> int:
        return values.whole(value, low=1, high=10_000)
