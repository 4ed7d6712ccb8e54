"""The application commands, generated from :data:`commands.registry.COMMANDS`.

Each registry command becomes a slash command (a group when it has subcommands); each option
becomes a parameter typed after its kind, with its limits, choices and autocomplete. Every
description, option description and choice name is a catalog string (see :mod:`.translator`).
The few Discord-only steps before a command runs (a channel the bot must be able to post in)
are in :data:`PREPARE`. Permissions: ``default_member_permissions`` is
left unset on purpose: ``/language`` without an option and ``/digest status`` are for everyone,
and Discord can only restrict whole top-level commands. The bot checks Manage Server itself from
``interaction.permissions`` for setting the language and for every /digest subcommand except
``status``.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

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
from bot.adapters.discord.translator import choice_key, command_key, english
from bot.storage import Storage
from commands import registry
from commands.spec import (
    Access,
    Autocomplete,
    CommandSpec,
    Kind,
    Offered,
    OptionSpec,
    SubcommandSpec,
)
from formatting.i18n import keys

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


#: Discord's context and install names for the registry's :class:`~commands.spec.Offered`.
CONTEXTS = {"guild": "guild", "dm": "dm_channel", "private": "private_channel"}
INSTALLS = {"guild": "guild", "user": "user"}

#: Discord-only steps before a command (path) runs: check the interaction, adjust the arguments.
Prepare = Callable[[Interaction, dict[str, str]], None]
Callback = Callable[..., Awaitable[None]]


def _schedule(interaction: Interaction, args: dict[str, str]) -> None:
    """A digest needs a channel the bot can post in: refuse now, before anything is stored."""
    channel = int(args["channel"])
    missing = missing_permissions(interaction.guild, channel)
    if missing:
        raise CannotPost(channel, missing)


def _alert_add(interaction: Interaction, args: dict[str, str]) -> None:
    """An admin's alert in a channel the bot cannot post in is stored with a warning."""
    if place_of(interaction).is_admin and not bot_can_post(interaction, args.get("channel")):
        args["postable"] = "no"


PREPARE: dict[str, Prepare] = {"digest schedule": _schedule, "alert add": _alert_add}


def description_key(path: str, help_key: str) -> str:
    """Discord's own short description (at most 100 characters) when the catalogs have one,
    else the command's help text."""
    key = command_key(path, "description")
    return key if key in keys("en") else help_key


def annotation(option: OptionSpec) -> Any:
    """The parameter type discord.py reads: a channel picker, a choice, or bounded text."""
    if option.kind is Kind.CHANNEL:
        kind: Any = app_commands.Transform[str, PostableChannel]
    elif option.choices:
        kind = Choice[str]
    else:
        kind = app_commands.Range[str, 1, option.max_length]
    return kind if option.required else kind | None


def _signature(options: tuple[OptionSpec, ...]) -> inspect.Signature:
    first = inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    params = [first]
    for option in options:
        params.append(
            inspect.Parameter(
                option.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=annotation(option),
                default=inspect.Parameter.empty if option.required else None,
            )
        )
    return inspect.Signature(params)


def _offer(func: Callback, offered: Offered) -> None:
    if offered.installs is not None:
        installs = offered.installs
        app_commands.allowed_installs(guilds="guild" in installs, users="user" in installs)(func)
    if offered.contexts is not None:
        contexts = offered.contexts
        app_commands.allowed_contexts(
            guilds="guild" in contexts, dms="dm" in contexts, private_channels="private" in contexts
        )(func)


class _Builder:
    """Turns registry specs into app commands bound to one handler."""

    def __init__(self, handler: InteractionHandler, storage: Storage) -> None:
        self.handler = handler
        self.storage = storage

    async def watchlist(self, interaction: Interaction, current: str) -> list[Choice[str]]:
        server = place_of(interaction).server_id
        return ticker_choices(current, await server_watchlist(self.storage, PLATFORM, server))

    async def timezones(self, interaction: Interaction, current: str) -> list[Choice[str]]:
        return timezone_choices(current)

    def command(
        self,
        spec: CommandSpec,
        path: str,
        options: tuple[OptionSpec, ...],
        *,
        action: str | None = None,
        admin: bool = False,
        parent: app_commands.Group | None = None,
    ) -> app_commands.Command[Any, ..., None]:
        """One slash command (or subcommand) that runs ``spec`` with its options as arguments."""
        handler, prepare = self.handler, PREPARE.get(path)

        async def callback(interaction: Interaction, **values: Any) -> None:
            args = {} if action is None else {"action": action}
            for option in options:
                value = values.get(option.name)
                if isinstance(value, Choice):
                    value = value.value
                if value:
                    if option.autocomplete is Autocomplete.WATCHLIST:
                        # a client that submits the autocomplete label sends
                        # "SPY QQQ — Invesco QQQ Trust"
                        value = value.split(LABEL_SEPARATOR, 1)[0]
                    args[option.name] = value
            given = any(o.name in args for o in options)
            if spec.access is Access.ADMIN_TO_SET and given and not place_of(interaction).is_admin:
                raise MissingManageServer()
            if prepare is not None:
                prepare(interaction, args)
            public = spec.public or (spec.access is Access.ADMIN_TO_SET and given)
            await handler.run(interaction, spec.name, args, public=public)

        callback.__signature__ = _signature(options)  # type: ignore[attr-defined]
        name = path.rpartition(" ")[2]
        keyed = path.replace(" ", ".")
        describe = {o.name: english(o.help_key) for o in options}
        app_commands.describe(**describe)(callback)
        choices = {
            o.name: [Choice(name=english(choice_key(o.name, v)), value=v) for v in o.choices]
            for o in options
            if o.choices
        }
        if choices:
            app_commands.choices(**choices)(callback)
        sources = {Autocomplete.WATCHLIST: self.watchlist, Autocomplete.TIMEZONE: self.timezones}
        completers = {o.name: sources[o.autocomplete] for o in options if o.autocomplete}
        if completers:
            app_commands.autocomplete(**completers)(callback)
        if spec.cooldown:
            app_commands.check(handler.signal_cooldown)(callback)
        if admin:
            app_commands.check(handler.manage_server)(callback)
        if parent is None:
            _offer(callback, spec.offered)
        return app_commands.Command(
            name=name,
            description=english(description_key(keyed, spec.help_key)),
            callback=callback,
            parent=parent,
        )

    def group(self, spec: CommandSpec) -> app_commands.Group:
        """A command with subcommands: one group, one subcommand per action."""
        offered = spec.offered
        installs = offered.installs
        group = app_commands.Group(
            name=spec.name,
            description=english(description_key(spec.name, spec.help_key)),
            guild_only=not offered.dms,
            allowed_contexts=app_commands.AppCommandContext(
                **{CONTEXTS[k]: True for k in offered.contexts or ()}
            )
            if offered.contexts is not None
            else None,
            allowed_installs=app_commands.AppInstallationType(
                **{INSTALLS[k]: k in installs for k in INSTALLS}
            )
            if installs is not None
            else None,
        )
        for sub in spec.subcommands:
            group.add_command(self.subcommand(spec, sub, group))
        return group

    def subcommand(
        self, spec: CommandSpec, sub: SubcommandSpec, group: app_commands.Group
    ) -> app_commands.Command[Any, ..., None]:
        path = f"{spec.name} {sub.name}"
        return self.command(spec, path, sub.options, action=sub.name, admin=sub.admin, parent=group)


def build_tree(
    client: discord.Client,
    handler: InteractionHandler,
    storage: Storage,
    commands: tuple[CommandSpec, ...] | None = None,
) -> SignalTree:
    """The command tree of ``client``: every registry command, bound to ``handler``."""
    tree = SignalTree(client, handler)
    builder = _Builder(handler, storage)
    for spec in registry.COMMANDS if commands is None else commands:
        if spec.subcommands:
            tree.add_command(builder.group(spec))
        else:
            tree.add_command(builder.command(spec, spec.name, spec.options))
    return tree
