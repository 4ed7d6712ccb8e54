"""The application commands: /signal, /history, /language, /colors, /digest, /alert, /help, /about.

Names and options are the issue's contract; every description, option description and choice
name is a catalog string (see :mod:`.translator`). Permissions: ``default_member_permissions`` is
left unset on purpose: ``/language`` without an option and ``/digest status`` are for everyone,
and Discord can only restrict whole top-level commands. The bot checks Manage Server itself from
``interaction.permissions`` for setting the language and for every /digest subcommand except
``status``.
"""

from __future__ import annotations

from typing import Any, TypeVar

import discord
from discord import app_commands

from bot.adapters.discord.autocomplete import (
    LABEL_SEPARATOR,
    server_watchlist,
    ticker_choices,
    timezone_choices,
)
from bot.adapters.discord.errors import MissingManageServer
from bot.adapters.discord.interactions import PLATFORM, Interaction, InteractionHandler, place_of
from bot.adapters.discord.permissions import CannotPost, missing_permissions
from bot.adapters.discord.translator import choice_key, command_key, english, option_key
from bot.storage import Storage
from formatting.colours import COLOUR_SCHEMES
from formatting.languages import LANGUAGES

Choice = app_commands.Choice
#: Channels a digest can be posted in: text and announcement channels.
POSTABLE_CHANNELS = (discord.ChannelType.text, discord.ChannelType.news)
T = TypeVar("T")


class PostableChannel(app_commands.Transformer[discord.Client]):
    """A channel option limited to text/announcement channels; the value is the channel id."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        """Discord option type: channel."""
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        """The channel picker shows only these."""
        return list(POSTABLE_CHANNELS)

    async def transform(self, interaction: Interaction, value: Any, /) -> str:
        """The picked channel's id (its resolved object needs no cache)."""
        if getattr(value, "type", None) not in POSTABLE_CHANNELS:
            raise app_commands.TransformerError(value, self.type, self)
        return str(value.id)


def bot_can_post(interaction: Interaction, channel_id: str | None) -> bool:
    """Whether the bot may send messages in the alert's channel, as far as Discord tells us.

    For the channel the command was typed in, ``app_permissions`` are the bot's own; for another
    channel, the cached guild (when the gateway has it) answers; otherwise the first post will.
    """
    if channel_id is None or channel_id == str(interaction.channel_id):
        return bool(interaction.app_permissions.send_messages)
    guild = interaction.guild
    target = guild.get_channel(int(channel_id)) if guild is not None else None
    me = guild.me if guild is not None else None
    if target is None or me is None:
        return True
    return bool(target.permissions_for(me).send_messages)


class SignalTree(app_commands.CommandTree[discord.Client]):
    """The command tree: one error handler, one admission check, both in the handler."""

    def __init__(self, client: discord.Client, handler: InteractionHandler) -> None:
        super().__init__(client, fallback_to_global=True)
        self.handler = handler

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        """Track every interaction; refuse new commands while the adapter stops."""
        return self.handler.admit(interaction)

    async def on_error(
        self, interaction: Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        """Every command error, in one place."""
        await self.handler.on_error(interaction, error)


def everywhere(func: T) -> T:
    """Installable on servers and by users; usable in servers, the bot's DM and group DMs."""
    func = app_commands.allowed_installs(guilds=True, users=True)(func)
    return app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)(func)


def servers_only(func: T) -> T:
    """A server setting: installed with the server, used in it only."""
    func = app_commands.allowed_installs(guilds=True, users=False)(func)
    return app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)(func)


def _describe(path: str, *options: str) -> dict[str, app_commands.locale_str]:
    return {name: english(option_key(path, name, "description")) for name in options}


def _description(path: str) -> app_commands.locale_str:
    return english(command_key(path, "description"))


def build_tree(client: discord.Client, handler: InteractionHandler, storage: Storage) -> SignalTree:
    """The command tree of ``client``, with every command bound to ``handler``."""
    tree = SignalTree(client, handler)

    @tree.command(name="signal", description=_description("signal"))
    @everywhere
    @app_commands.describe(**_describe("signal", "ticker"))
    @app_commands.check(handler.signal_cooldown)
    async def signal(interaction: Interaction, ticker: app_commands.Range[str, 1, 100]) -> None:
        # a client that submits the autocomplete label sends "SPY QQQ — Invesco QQQ Trust"
        ticker = ticker.split(LABEL_SEPARATOR, 1)[0]
        await handler.run(interaction, "signal", {"ticker": ticker}, public=True)

    @signal.autocomplete("ticker")
    async def signal_ticker(interaction: Interaction, current: str) -> list[Choice[str]]:
        watchlist = await server_watchlist(storage, PLATFORM, place_of(interaction).server_id)
        return ticker_choices(current, watchlist)

    @tree.command(name="history", description=_description("history"))
    @app_commands.describe(**_describe("history", "ticker"))
    @app_commands.check(handler.signal_cooldown)
    async def history(interaction: Interaction, ticker: app_commands.Range[str, 1, 100]) -> None:
        await handler.run(interaction, "history", {"ticker": ticker}, public=True)

    @history.autocomplete("ticker")
    async def history_ticker(interaction: Interaction, current: str) -> list[Choice[str]]:
        watchlist = await server_watchlist(storage, PLATFORM, place_of(interaction).server_id)
        return ticker_choices(current, watchlist)

    @tree.command(name="language", description=_description("language"))
    @servers_only
    @app_commands.describe(**_describe("language", "choice"))
    @app_commands.choices(
        choice=[Choice(name=english(choice_key("choice", v)), value=v) for v in LANGUAGES]
    )
    async def language(interaction: Interaction, choice: Choice[str] | None = None) -> None:
        if choice is None:
            await handler.run(interaction, "language", {}, public=False)
            return
        if not place_of(interaction).is_admin:
            raise MissingManageServer()
        await handler.run(interaction, "language", {"choice": choice.value}, public=True)

    @tree.command(name="colors", description=_description("colors"))
    @servers_only
    @app_commands.describe(**_describe("colors", "scheme"))
    @app_commands.choices(
        scheme=[Choice(name=english(choice_key("scheme", v)), value=v) for v in COLOUR_SCHEMES]
    )
    async def colors(interaction: Interaction, scheme: Choice[str] | None = None) -> None:
        if scheme is None:
            await handler.run(interaction, "colors", {}, public=False)
            return
        if not place_of(interaction).is_admin:
            raise MissingManageServer()
        await handler.run(interaction, "colors", {"scheme": scheme.value}, public=True)

    digest = app_commands.Group(
        name="digest",
        description=_description("digest"),
        guild_only=True,  # subscriptions belong to a server
        allowed_contexts=app_commands.AppCommandContext(guild=True),
        allowed_installs=app_commands.AppInstallationType(guild=True, user=False),
    )

    @digest.command(name="schedule", description=_description("digest.schedule"))
    @app_commands.describe(**_describe("digest.schedule", "channel", "time", "timezone"))
    @app_commands.check(handler.manage_server)
    async def schedule(
        interaction: Interaction,
        channel: app_commands.Transform[str, PostableChannel],
        time: app_commands.Range[str, 1, 5] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
    ) -> None:
        missing = missing_permissions(interaction.guild, int(channel))
        if missing:
            raise CannotPost(int(channel), missing)
        args = {"action": "schedule", "channel": channel}
        if time:
            args["time"] = time
        if timezone:
            args["timezone"] = timezone
        await handler.run(interaction, "digest", args, public=False)

    @schedule.autocomplete("timezone")
    async def schedule_timezone(interaction: Interaction, current: str) -> list[Choice[str]]:
        return timezone_choices(current)

    @digest.command(name="watchlist", description=_description("digest.watchlist"))
    @app_commands.describe(**_describe("digest.watchlist", "tickers"))
    @app_commands.check(handler.manage_server)
    async def watchlist(interaction: Interaction, tickers: app_commands.Range[str, 1, 200]) -> None:
        await handler.run(
            interaction, "digest", {"action": "watchlist", "tickers": tickers}, public=False
        )

    @digest.command(name="off", description=_description("digest.off"))
    @app_commands.describe(**_describe("digest.off", "channel"))
    @app_commands.check(handler.manage_server)
    async def off(
        interaction: Interaction, channel: app_commands.Transform[str, PostableChannel]
    ) -> None:
        await handler.run(
            interaction, "digest", {"action": "off", "channel": channel}, public=False
        )

    @digest.command(name="status", description=_description("digest.status"))
    async def status(interaction: Interaction) -> None:
        await handler.run(interaction, "digest", {"action": "status"}, public=False)

    @digest.command(name="preview", description=_description("digest.preview"))
    @app_commands.check(handler.manage_server)
    async def preview(interaction: Interaction) -> None:
        await handler.run(interaction, "digest", {"action": "preview"}, public=False)

    tree.add_command(digest)

    alert = app_commands.Group(
        name="alert",
        description=_description("alert"),
        guild_only=True,  # alerts belong to a server (a member's own go to their DMs)
        allowed_contexts=app_commands.AppCommandContext(guild=True),
    )

    @alert.command(name="add", description=_description("alert.add"))
    @app_commands.describe(**_describe("alert.add", "ticker", "channel"))
    async def alert_add(
        interaction: Interaction,
        ticker: app_commands.Range[str, 1, 100],
        channel: app_commands.Transform[str, PostableChannel] | None = None,
    ) -> None:
        args = {"action": "add", "ticker": ticker, **({"channel": channel} if channel else {})}
        if place_of(interaction).is_admin and not bot_can_post(interaction, channel):
            args["postable"] = "no"
        await handler.run(interaction, "alert", args, public=False)

    @alert.command(name="list", description=_description("alert.list"))
    async def alert_list(interaction: Interaction) -> None:
        await handler.run(interaction, "alert", {"action": "list"}, public=False)

    @alert.command(name="remove", description=_description("alert.remove"))
    @app_commands.describe(**_describe("alert.remove", "ticker", "channel"))
    async def alert_remove(
        interaction: Interaction,
        ticker: app_commands.Range[str, 1, 100],
        channel: app_commands.Transform[str, PostableChannel] | None = None,
    ) -> None:
        args = {"action": "remove", "ticker": ticker, **({"channel": channel} if channel else {})}
        await handler.run(interaction, "alert", args, public=False)

    tree.add_command(alert)

    @tree.command(name="help", description=_description("help"))
    @everywhere
    async def help_(interaction: Interaction) -> None:
        await handler.run(interaction, "help", {}, public=False)

    @tree.command(name="about", description=_description("about"))
    @everywhere
    async def about(interaction: Interaction) -> None:
        await handler.run(interaction, "about", {}, public=False)

    return tree
