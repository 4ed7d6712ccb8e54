"""The application commands: /signal, /language, /colors, /digest (group), /help, /about.

Names and options are the issue's contract; every description, option description and choice
name is a catalog string (see :mod:`.translator`). Permissions: ``default_member_permissions`` is
left unset on purpose: ``/language`` without an option and ``/digest status`` are for everyone,
and Discord can only restrict whole top-level commands. The bot checks Manage Server itself from
``interaction.permissions`` for setting the language and for every /digest subcommand except
``status``.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.autocomplete import server_watchlist, ticker_choices, timezone_choices
from bot.adapters.discord.errors import MissingManageServer
from bot.adapters.discord.interactions import PLATFORM, Interaction, InteractionHandler, place_of
from bot.adapters.discord.translator import choice_key, command_key, english, option_key
from bot.storage import Storage
from formatting.colours import COLOUR_SCHEMES
from formatting.languages import LANGUAGES

Choice = app_commands.Choice
#: Channels a digest can be posted in: text and announcement channels.
POSTABLE_CHANNELS = (discord.ChannelType.text, discord.ChannelType.news)


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


def _describe(path: str, *options: str) -> dict[str, app_commands.locale_str]:
    return {name: english(option_key(path, name, "description")) for name in options}


def _description(path: str) -> app_commands.locale_str:
    return english(command_key(path, "description"))


def build_tree(client: discord.Client, handler: InteractionHandler, storage: Storage) -> SignalTree:
    """The command tree of ``client``, with every command bound to ``handler``."""
    tree = SignalTree(client, handler)

    @tree.command(name="signal", description=_description("signal"))
    @app_commands.describe(**_describe("signal", "ticker"))
    @app_commands.check(handler.signal_cooldown)
    async def signal(interaction: Interaction, ticker: app_commands.Range[str, 1, 100]) -> None:
        await handler.run(interaction, "signal", {"ticker": ticker}, public=True)

    @signal.autocomplete("ticker")
    async def signal_ticker(interaction: Interaction, current: str) -> list[Choice[str]]:
        watchlist = await server_watchlist(storage, PLATFORM, place_of(interaction).server_id)
        return ticker_choices(current, watchlist)

    @tree.command(name="language", description=_description("language"))
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

    @tree.command(name="help", description=_description("help"))
    async def help_(interaction: Interaction) -> None:
        await handler.run(interaction, "help", {}, public=False)

    @tree.command(name="about", description=_description("about"))
    async def about(interaction: Interaction) -> None:
        await handler.run(interaction, "about", {}, public=False)

    return tree
