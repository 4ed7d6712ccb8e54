"""Typed settings from the environment and ``.env``; loaded only when :func:`load_settings` runs."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings import SettingsError as _SourceError

from bot.storage.urls import async_url, parse_url, safe_url
from formatting.languages import LANGUAGES, Language

#: A ticker as the demo source accepts it (the shape /signal accepts, see commands/validation.py).
_TICKER = re.compile(r"[A-Z0-9.\-^=]{1,15}")
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
_DEFAULT_TEXT = {
    "data_dir": "./data",
    "database_url": "sqlite:///<SIGNALBOT_DATA_DIR>/signalbot.db",
}


class SettingsError(ValueError):
    """A setting has a bad value; the message is one line naming the variable, never a secret."""


def _env(name: str, default: Any, description: str) -> Any:
    return Field(default, validation_alias=name, description=description)


class Settings(BaseSettings):
    """Every knob of the bot; each field is read from the environment variable it names."""

    model_config = SettingsConfigDict(
        extra="ignore",
        env_ignore_empty=True,  # VAR= in .env means "use the default"
        hide_input_in_errors=True,
    )

    discord_token: SecretStr | None = _env("DISCORD_TOKEN", None, "Discord bot token")
    discord_api_base_url: str | None = _env(
        "DISCORD_API_BASE_URL", None, "Discord REST API base URL (an API proxy, or tests)"
    )
    discord_guild_ids: Annotated[tuple[int, ...], NoDecode] = _env(
        "DISCORD_GUILD_IDS", (), "Comma-separated guild ids to sync commands to at once (dev)"
    )
    discord_shard_count: int | None = _env(
        "DISCORD_SHARD_COUNT", None, "Number of gateway shards (default: Discord's suggestion)"
    )
    discord_shard_ids: Annotated[tuple[int, ...], NoDecode] = _env(
        "DISCORD_SHARD_IDS",
        (),
        "Comma-separated shard ids this process connects (default: leased automatically)",
    )
    slack_bot_token: SecretStr | None = _env("SLACK_BOT_TOKEN", None, "Slack bot token (xoxb-)")
    slack_app_token: SecretStr | None = _env(
        "SLACK_APP_TOKEN", None, "Slack app-level token (xapp-); enables Socket Mode"
    )
    slack_signing_secret: SecretStr | None = _env(
        "SLACK_SIGNING_SECRET", None, "Slack signing secret; enables HTTP (Events API) mode"
    )
    slack_client_id: str | None = _env("SLACK_CLIENT_ID", None, "Slack OAuth client id")
    slack_client_secret: SecretStr | None = _env(
        "SLACK_CLIENT_SECRET", None, "Slack OAuth client secret"
    )
    slack_api_base_url: str | None = _env(
        "SLACK_API_BASE_URL", None, "Slack Web API base URL (an API proxy, or tests)"
    )
    slack_admin_user_ids: Annotated[tuple[str, ...], NoDecode] = _env(
        "SLACK_ADMIN_USER_IDS", (), "Comma-separated Slack user ids allowed to run admin commands"
    )
    http_port: int = _env(
        "SIGNALBOT_HTTP_PORT",
        3000,
        "Port of the HTTP server: /healthz, /readyz, /metrics, and Slack HTTP mode",
    )
    http_host: str = _env(
        "SIGNALBOT_HTTP_HOST",
        "0.0.0.0",  # noqa: S104 - Slack and health probes reach the bot from outside
        "Address the HTTP server listens on (127.0.0.1: local only)",
    )
    ops_server: Literal["auto", "on", "off"] = _env(
        "SIGNALBOT_OPS_SERVER",
        "auto",
        "Serve /healthz, /readyz, /metrics: auto (not in a terminal session), on, off",
    )
    data_dir: Path = _env("SIGNALBOT_DATA_DIR", Path("data"), "Directory for the SQLite database")
    database_url: str = _env(
        "SIGNALBOT_DATABASE_URL", "", "Database: sqlite:///path or postgresql://user@host/db"
    )
    price_source: str = _env(
        "SIGNALBOT_PRICE_SOURCE",
        "yfinance",
        "Price data: yfinance, tiingo, csv:/path/to/dir or demo (synthetic prices, for offline "
        "tries); a comma-separated list is a chain (yfinance,tiingo: a ticker the first cannot "
        "serve comes from the next)",
    )
    price_deadline_seconds: float = _env(
        "SIGNALBOT_PRICE_DEADLINE_SECONDS",
        10.0,
        "Longest a user waits for the price source, in seconds; the fetch goes on after it",
    )
    demo_tickers: Annotated[tuple[str, ...], NoDecode] = _env(
        "SIGNALBOT_DEMO_TICKERS",
        (),
        "Comma-separated tickers the demo source invents prices for, beyond the fund catalog",
    )
    tiingo_api_key: SecretStr | None = _env("TIINGO_API_KEY", None, "Tiingo API token")
    tiingo_api_base_url: str | None = _env(
        "TIINGO_API_BASE_URL", None, "Tiingo API base URL (an API proxy, or tests)"
    )
    default_language: Language = _env(
        "SIGNALBOT_DEFAULT_LANGUAGE",
        "both",
        "Language of servers that chose none: " + ", ".join(LANGUAGES),
    )
    log_level: str = _env("SIGNALBOT_LOG_LEVEL", "INFO", "DEBUG, INFO, WARNING, ERROR or CRITICAL")
    signal_cooldown_seconds: float = _env(
        "SIGNALBOT_SIGNAL_COOLDOWN_SECONDS", 10.0, "Per-user cooldown of /signal, in seconds"
    )
    digest_grace_hours: float = _env(
        "SIGNALBOT_DIGEST_GRACE_HOURS", 6.0, "How late a missed digest may still be sent, in hours"
    )
    max_alerts_per_server: int = _env(
        "SIGNALBOT_MAX_ALERTS_PER_SERVER", 25, "Most regime alerts one server or workspace may have"
    )
    digest_stop_seconds: float = _env(
        "SIGNALBOT_DIGEST_STOP_SECONDS",
        20.0,
        "On SIGTERM, how long digest posts already in flight may take to finish, in seconds",
    )
    digest_lease_seconds: float = _env(
        "SIGNALBOT_DIGEST_LEASE_SECONDS",
        20.0,
        "Lease of a digest claim, in seconds: a crashed process's claims are taken over after it",
    )
    public_url: str | None = _env(
        "SIGNALBOT_PUBLIC_URL",
        None,
        "Public http(s) URL of the research site (canonical links, previews, sitemap)",
    )
    """Where ``signalbot site build``'s folder is published, e.g. ``https://example.org/research``:
    the base of every page's canonical, ``hreflang`` and OpenGraph URL and of ``sitemap.xml``.
    Unset: the built folder's own ``file://`` URL (a local preview)."""
    site_dir: Path | None = _env(
        "SIGNALBOT_SITE_DIR", None, "Folder of the research site (signalbot site build's OUT)"
    )
    """The built research site, served at ``/research/`` when ``SIGNALBOT_SITE_SERVE=on``."""
    site_serve: Literal["on", "off"] = _env(
        "SIGNALBOT_SITE_SERVE", "off", "Serve SIGNALBOT_SITE_DIR at /research/ on the HTTP server"
    )
    """``on``: the ops HTTP server also serves the research site (``SIGNALBOT_SITE_DIR``)."""

    @field_validator(
        "discord_api_base_url", "slack_api_base_url", "tiingo_api_base_url", mode="before"
    )
    @classmethod
    def _url(cls, value: Any) -> Any:
        if value is None:
            return None
        text = str(value).strip()
        try:
            parts = urlsplit(text)
            _ = parts.port  # raises on a malformed port
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"must be an http(s) URL like https://host/api (got {_redact(text)!r})"
            )
        return text.rstrip("/")

    @field_validator("discord_guild_ids", "discord_shard_ids", mode="before")
    @classmethod
    def _guild_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            items = [v.strip() for v in value.split(",") if v.strip()]
            if not all(v.isdigit() for v in items):
                raise ValueError(f"must be comma-separated numeric ids (got {value!r})")
            return tuple(int(v) for v in items)
        return value

    @field_validator("slack_admin_user_ids", mode="before")
    @classmethod
    def _user_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            items = [v.strip() for v in value.split(",") if v.strip()]
            if any(not v.isalnum() for v in items):
                raise ValueError(
                    f"must be comma-separated Slack user ids like U012AB3CD (got {value!r})"
                )
            return tuple(items)
        return value

    @field_validator("demo_tickers", mode="before")
    @classmethod
    def _demo_tickers(cls, value: Any) -> Any:
        if isinstance(value, str):
            items = [v.strip().upper() for v in value.split(",") if v.strip()]
            bad = [v for v in items if not _TICKER.fullmatch(v)]
            if bad:
                raise ValueError(f"must be comma-separated tickers like IWM,SPY (got {bad[0]!r})")
            return tuple(items)
        return value

    @field_validator("discord_shard_count", mode="before")
    @classmethod
    def _shards(cls, value: Any) -> Any:
        return None if value is None else _int(value, low=1, high=None)

    @field_validator("max_alerts_per_server", mode="before")
    @classmethod
    def _alerts(cls, value: Any) -> int:
        return _int(value, low=1, high=10_000)

    @field_validator("http_port", mode="before")
    @classmethod
    def _port(cls, value: Any) -> int:
        return _int(value, low=1, high=65535)

    @field_validator(
        "signal_cooldown_seconds",
        "digest_grace_hours",
        "digest_stop_seconds",
        "digest_lease_seconds",
        mode="before",
    )
    @classmethod
    def _non_negative(cls, value: Any) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"must be a number (got {value!r})") from None
        if not math.isfinite(number) or number < 0:
            raise ValueError(f"must be a number >= 0 (got {value!r})")
        return number

    @field_validator("database_url", mode="before")
    @classmethod
    def _database(cls, value: Any) -> Any:
        text = str(value).strip()
        if text:
            parse_url(text)  # its ValueError names the problem, never the password
        return text

    @field_validator("price_source", mode="before")
    @classmethod
    def _price_source(cls, value: Any) -> str:
        parts = [_one_source(part) for part in str(value).split(",")]
        if len(set(parts)) != len(parts):
            raise ValueError(f"names a source twice (got {value!r})")
        return ",".join(parts)

    @field_validator("price_deadline_seconds")
    @classmethod
    def _deadline(cls, value: float) -> float:
        if not 0.5 <= value <= 600:
            raise ValueError(f"must be between 0.5 and 600 seconds (got {value!r})")
        return value

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

    @field_validator("default_language", mode="before")
    @classmethod
    def _language(cls, value: Any) -> str:
        text = str(value).strip().lower()
        if text not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)} (got {value!r})")
        return text

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value: Any) -> str:
        text = str(value).strip().upper()
        if text not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)} (got {value!r})")
        return text

    @model_validator(mode="after")
    def _shard_ids_need_a_count(self) -> Settings:
        if self.discord_shard_ids:
            count = self.discord_shard_count
            if count is None:
                raise ValueError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT")
            bad = [i for i in self.discord_shard_ids if i >= count]
            if bad:
                raise ValueError(f"DISCORD_SHARD_IDS {bad} must be below DISCORD_SHARD_COUNT")
        return self

    @model_validator(mode="after")
    def _tiingo_key(self) -> Settings:
        if "tiingo" in self.price_sources and not _has(self.tiingo_api_key):
            raise ValueError("TIINGO_API_KEY must be set when SIGNALBOT_PRICE_SOURCE has tiingo")
        return self

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'signalbot.db'}"
        return self

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """Like pydantic's, with any database password hidden (secrets are SecretStr already)."""
        for name, value in super().__repr_args__():
            yield name, safe_url(value) if name == "database_url" else value

    @property
    def discord_enabled(self) -> bool:
        """A Discord token is set."""
        return _has(self.discord_token)

    @property
    def slack_oauth(self) -> bool:
        """OAuth client credentials are set: installations come from the database."""
        return bool(self.slack_client_id) and _has(self.slack_client_secret)

    @property
    def slack_enabled(self) -> bool:
        """A bot token or OAuth credentials, with an app token (Socket Mode) or signing secret."""
        return (_has(self.slack_bot_token) or self.slack_oauth) and (
            _has(self.slack_app_token) or _has(self.slack_signing_secret)
        )

    @property
    def slack_socket_mode(self) -> bool:
        """Slack runs over Socket Mode (an app token is set); otherwise over HTTP."""
        return self.slack_enabled and _has(self.slack_app_token)

    @property
    def async_database_url(self) -> str:
        """The database URL with its async driver (sqlite+aiosqlite or postgresql+asyncpg)."""
        return async_url(self.database_url)

    @property
    def price_sources(self) -> tuple[str, ...]:
        """The price source chain, in order (``("yfinance", "tiingo")``)."""
        return tuple(self.price_source.split(","))

    @property
    def csv_price_dir(self) -> Path | None:
        """The directory of the first ``csv:`` source in the chain, or None."""
        for spec in self.price_sources:
            if spec.startswith("csv:"):
                return Path(spec[4:])
        return None


def _one_source(text: str) -> str:
    """One link of ``SIGNALBOT_PRICE_SOURCE``, normalised; ValueError if it is none."""
    text = text.strip()
    kind, sep, path = text.partition(":")
    if text.lower() in ("yfinance", "tiingo", "demo"):
        return text.lower()
    if sep and kind.lower() == "csv" and path.strip():
        return f"csv:{path.strip()}"
    raise ValueError(
        f"must be 'yfinance', 'tiingo', 'csv:/path/to/dir' or 'demo', or a comma-separated chain "
        f"of them (got {text!r})"
    )


def _has(secret: SecretStr | None) -> bool:
    return secret is not None and bool(secret.get_secret_value().strip())


def _int(value: Any, *, low: int, high: int | None) -> int:
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
        number = int(str(value).strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        raise ValueError(f"must be a whole number (got {value!r})") from None
    if number < low or (high is not None and number > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValueError(f"must be {bounds} (got {value})")
    return number


def _redact(url: str) -> str:
    head, at, tail = url.rpartition("@")
    return f"{head.split('//')[0]}//***@{tail}" if at and "//" in head else url


_ENV_NAMES = {name: str(f.validation_alias) for name, f in Settings.model_fields.items()}


def _one_line(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        loc = str(error["loc"][0]) if error["loc"] else ""
        name = _ENV_NAMES.get(loc, loc)
        message = error["msg"].removeprefix("Value error, ").replace("\n", " ")
        problems.append(f"{name}: {message}" if name else message)
    return "; ".join(problems)


def load_settings(env_file: str | Path | None = ".env", **overrides: Any) -> Settings:
    """Read settings from the environment, then ``env_file`` (if it exists), then ``overrides``.

    ``overrides`` use field names (``http_port=8080``); only the variables named in the fields
    are read (``SIGNALBOT_LOG_LEVEL``, never a bare ``LOG_LEVEL``). Raises :class:`SettingsError`.
    """
    unknown = sorted(set(overrides) - set(_ENV_NAMES))
    if unknown:
        raise TypeError(f"unknown setting(s): {', '.join(unknown)}")
    values = {_ENV_NAMES[name]: value for name, value in overrides.items()}
    try:
        return Settings(_env_file=env_file, **values)
    except ValidationError as exc:
        raise SettingsError(_one_line(exc)) from None
    except _SourceError as exc:
        raise SettingsError(str(exc).splitlines()[0]) from None


def settings_table() -> list[tuple[str, str, str]]:
    """(environment variable, default, description) for every setting, for the README."""
    rows = []
    for name, field in Settings.model_fields.items():
        default = field.default
        if name in _DEFAULT_TEXT:
            text = _DEFAULT_TEXT[name]
        elif default is None or default == ():
            text = ""
        elif isinstance(default, float) and default.is_integer():
            text = str(int(default))
        else:
            text = str(default)
        rows.append((_ENV_NAMES[name], text, field.description or ""))
    return rows
