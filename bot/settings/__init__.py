"""Typed settings from the environment and ``.env``, in groups, read by :func:`load_settings`.

Each part of the bot receives only its group (:mod:`bot.settings.groups`): the Discord adapter
``settings.discord``, the Slack adapter ``settings.slack``, and so on. The variable names are the
ones documented in ``.env.example`` and the README.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import SettingsError as _SourceError

from bot.settings.groups import (
    LOG_LEVELS,
    SQLITE_BUSY_TIMEOUT,
    ChatSettings,
    DigestSettings,
    DiscordSettings,
    Group,
    OpsSettings,
    PriceSettings,
    SlackSettings,
    StorageSettings,
    TelegramSettings,
)
from bot.settings.site import SiteSettings

__all__ = [
    "LOG_LEVELS",
    "SQLITE_BUSY_TIMEOUT",
    "ChatSettings",
    "DigestSettings",
    "DiscordSettings",
    "OpsSettings",
    "PriceSettings",
    "Settings",
    "SettingsError",
    "SiteSettings",
    "SlackSettings",
    "StorageSettings",
    "TelegramSettings",
    "env_names",
    "load_settings",
    "setting_fields",
    "settings_table",
]


class SettingsError(ValueError):
    """A setting has a bad value; the message is one line naming the variable, never a secret."""


@dataclass(frozen=True)
class Settings:
    """Every knob of the bot, group by group (in the order the README lists them)."""

    discord: DiscordSettings
    slack: SlackSettings
    telegram: TelegramSettings
    ops: OpsSettings
    storage: StorageSettings
    prices: PriceSettings
    chat: ChatSettings
    digest: DigestSettings
    site: SiteSettings


#: The group class of each attribute of :class:`Settings`, in order.
GROUPS: dict[str, type[Group]] = {
    "discord": DiscordSettings,
    "slack": SlackSettings,
    "telegram": TelegramSettings,
    "ops": OpsSettings,
    "storage": StorageSettings,
    "prices": PriceSettings,
    "chat": ChatSettings,
    "digest": DigestSettings,
    "site": SiteSettings,
}
assert list(GROUPS) == [f.name for f in fields(Settings)]


def setting_fields() -> list[tuple[str, str, str]]:
    """(group, field, environment variable) of every setting, in the README's order."""
    return [
        (group, field, cls.env_name(field))
        for group, cls in GROUPS.items()
        for field in cls.model_fields
    ]


def env_names() -> list[str]:
    """Every environment variable the settings read."""
    return [name for _, _, name in setting_fields()]


#: The keyword ``load_settings`` takes for each setting: ``SIGNALBOT_HTTP_PORT`` is ``http_port``,
#: ``DISCORD_TOKEN`` is ``discord_token`` (the variable's name in lower case).
_OVERRIDES = {
    name.lower().removeprefix("signalbot_"): (group, field)
    for group, field, name in setting_fields()
}


def _one_line(exc: ValidationError, cls: type[Group]) -> list[str]:
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        loc = str(error["loc"][0]) if error["loc"] else ""
        name = cls.env_name(loc) if loc in cls.model_fields else loc
        message = error["msg"].removeprefix("Value error, ").replace("\n", " ")
        problems.append(f"{name}: {message}" if name else message)
    return problems


def load_settings(env_file: str | Path | None = ".env", **overrides: Any) -> Settings:
    """Read settings from the environment, then ``env_file`` (if it exists), then ``overrides``.

    ``overrides`` are named like the variables, in lower case and without ``SIGNALBOT_``
    (``http_port=8080``, ``discord_token="…"``); only the variables named in the groups are read
    (``SIGNALBOT_LOG_LEVEL``, never a bare ``LOG_LEVEL``). Raises :class:`SettingsError`.
    """
    unknown = sorted(set(overrides) - set(_OVERRIDES))
    if unknown:
        raise TypeError(f"unknown setting(s): {', '.join(unknown)}")
    given: dict[str, dict[str, Any]] = {group: {} for group in GROUPS}
    for key, value in overrides.items():
        group, field = _OVERRIDES[key]
        alias = GROUPS[group].model_fields[field].validation_alias
        given[group][str(alias) if alias else field] = value
    built: dict[str, Group] = {}
    problems: list[str] = []
    for group, cls in GROUPS.items():
        try:
            built[group] = cls(_env_file=env_file, **given[group])
        except ValidationError as exc:
            problems += _one_line(exc, cls)
        except _SourceError as exc:
            problems.append(str(exc).splitlines()[0])
    if problems:
        raise SettingsError("; ".join(problems)) from None
    return Settings(**built)  # type: ignore[arg-type]


def settings_table() -> list[tuple[str, str, str]]:
    """(environment variable, default, description) for every setting, for the README."""
    rows = []
    for group, field, name in setting_fields():
        cls = GROUPS[group]
        default = cls.model_fields[field].default
        if field in cls.default_text:
            text = cls.default_text[field]
        elif default is None or default == ():
            text = ""
        elif isinstance(default, float) and default.is_integer():
            text = str(int(default))
        else:
            text = str(default)
        rows.append((name, text, cls.model_fields[field].description or ""))
    return rows
