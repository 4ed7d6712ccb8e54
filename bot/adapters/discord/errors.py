"""What a failed interaction tells the user: Discord's own errors, registered with the one error
policy (:func:`bot.dispatch.explain`), which maps everything else."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from bot.dispatch import Explained, register_error
from bot.dispatch import explain as explain_error
from commands.reply import Message

log = logging.getLogger(__name__)


class Refused(app_commands.CheckFailure):
    """The bot refuses an interaction for a reason the user must read (a catalog key)."""

    #: Lines shown after the message (e.g. one per missing permission).
    extra: tuple[Message, ...] = ()

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class MissingManageServer(Refused):
    """The member lacks Manage Server for a setting (checked from ``interaction.permissions``)."""

    def __init__(self) -> None:
        super().__init__("error.missing_permission")


class OnCooldown(Refused):
    """The member used /signal too recently."""

    def __init__(self, seconds: int) -> None:
        super().__init__("error.cooldown", seconds=seconds)


class Restarting(Refused):
    """The adapter is stopping and takes no new work."""

    def __init__(self) -> None:
        super().__init__("discord.error.restarting")


def discord_error(error: BaseException) -> Explained | None:
    """The message for an app-command error only Discord raises (None: not one of them)."""
    if isinstance(error, Refused):
        return Explained(Message(key=error.key, params=error.params), extra=error.extra)
    if isinstance(error, app_commands.NoPrivateMessage):
        return Explained(Message(key="discord.error.guild_only"))
    if isinstance(error, app_commands.MissingPermissions):
        return Explained(Message(key="error.missing_permission"))
    if isinstance(error, app_commands.TransformerError) and (
        error.type is discord.AppCommandOptionType.channel
    ):
        return Explained(Message(key="discord.error.bad_channel"))
    return None


def register() -> None:
    """Register Discord's own errors with the one error policy (the interaction handler does)."""
    register_error(app_commands.AppCommandError, discord_error)


def explain(error: app_commands.AppCommandError, *, command: str | None) -> Explained:
    """Map ``error`` to a user-facing message; unexpected errors are logged with a fresh id."""
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        # Discord still shows a definition this build does not have (sync pending).
        log.warning("stale command definition command=%s error=%s", command, error)
        return Explained(
            Message(key="discord.error.stale_command", params={"command": (command or "?")[:32]})
        )
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    return explain_error(original, what="interaction failed", command=command)
