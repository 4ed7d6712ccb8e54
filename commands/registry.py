"""One table of commands: names, options, permission, help keys, handlers.

Every command surface is generated from :data:`COMMANDS`: the Discord tree
(``bot/adapters/discord/tree.py``), the Slack ``/signal …`` parser, the terminal, ``/help`` and
the README's command table. ``options`` are the command as typed in words (Slack, terminal,
``/help``); ``subcommands`` its actions with their own options (Discord's subcommands).
"""

from __future__ import annotations

import dataclasses

from commands.alert import ACTIONS as ALERT_ACTIONS
from commands.alert import handle_alert
from commands.context import Request, Services
from commands.digest import ACTIONS as DIGEST_ACTIONS
from commands.digest import handle_digest
from commands.history import handle_history
from commands.reply import Message, Reply, UserError
from commands.signal import handle_signal
from commands.spec import (
    EVERYWHERE,
    SERVERS,
    Access,
    Autocomplete,
    CommandSpec,
    Kind,
    Offered,
    OptionSpec,
    SubcommandSpec,
    usage,
)
from commands.validation import parse_colors, parse_language
from formatting.colours import COLOUR_SCHEMES, default_scheme
from formatting.i18n import Term
from formatting.languages import LANGUAGES


async def handle_help(request: Request, services: Services) -> Reply:
    """List every command with how to type it and what it does."""
    lines = [Message(key="help.title")]
    lines += [
        Message(
            key="help.entry",
            params={"usage": usage(spec, request.platform), "text": Term(spec.help_key)},
        )
        for spec in REGISTRY.values()
    ]
    return Reply(messages=tuple(lines), ephemeral=True)


async def handle_about(request: Request, services: Services) -> Reply:
    """The method in plain words, the data source and the disclaimer."""
    return Reply(
        messages=(
            Message(key="about.title"),
            Message(key="about.method"),
            Message(
                key="about.data_source", params={"source": Term(f"source.{services.about_source}")}
            ),
            Message(key="card.footer"),
        ),
        ephemeral=True,
    )


async def handle_language(request: Request, services: Services) -> Reply:
    """Show the server's language, or set it (admins only)."""
    choice = request.args.get("choice", "").strip()
    if not choice:
        return Reply(
            messages=(
                Message(
                    key="language.current",
                    params={"language": Term(f"language.name.{request.language}")},
                ),
            ),
            ephemeral=True,
        )
    language = parse_language(choice)
    if not request.is_admin:
        raise UserError("error.missing_permission")
    if services.settings is None:
        raise UserError("error.unexpected", error_id="no-storage")
    await services.settings.set_language(request.platform, request.server_id, language)
    return Reply(
        messages=(
            Message(key="language.set", params={"language": Term(f"language.name.{language}")}),
        )
    )


async def handle_colors(request: Request, services: Services) -> Reply:
    """Show the server's colour convention, or set it (admins only)."""
    choice = request.args.get("scheme", "").strip()
    if not choice:
        scheme = request.colors or default_scheme(request.language)
        key = "colors.current" if request.colors else "colors.default"
        return Reply(
            messages=(Message(key=key, params={"scheme": Term(f"colors.name.{scheme}")}),),
            ephemeral=True,
        )
    scheme = parse_colors(choice)
    if not request.is_admin:
        raise UserError("error.missing_permission")
    if services.settings is None:
        raise UserError("error.unexpected", error_id="no-storage")
    await services.settings.set_colors(request.platform, request.server_id, scheme)
    return Reply(
        messages=(Message(key="colors.set", params={"scheme": Term(f"colors.name.{scheme}")}),)
    )


#: Options shared by several commands (one catalog key each).
TICKER_ONE = OptionSpec(
    "ticker", "help.option.ticker_one", Kind.TICKER, autocomplete=Autocomplete.WATCHLIST
)
TIME = OptionSpec("time", "help.option.time", Kind.TIME, required=False, max_length=5)
TIMEZONE = OptionSpec(
    "timezone",
    "help.option.timezone",
    Kind.TIMEZONE,
    required=False,
    max_length=64,
    autocomplete=Autocomplete.TIMEZONE,
)
TICKERS = OptionSpec("tickers", "help.option.tickers", Kind.TICKERS, max_length=200)
#: The market a digest follows (its sessions and close): hk, cn, jp … or a MIC.
MARKET = OptionSpec("market", "help.option.market", Kind.MARKET, required=False, max_length=8)

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "signal",
        "help.signal",
        handle_signal,
        (
            OptionSpec(
                "ticker", "help.option.ticker", Kind.TICKER, autocomplete=Autocomplete.WATCHLIST
            ),
        ),
        offered=EVERYWHERE,
        cooldown=True,
        public=True,
    ),
    CommandSpec(
        "history", "help.history", handle_history, (TICKER_ONE,), cooldown=True, public=True
    ),
    CommandSpec(
        "language",
        "help.language",
        handle_language,
        (OptionSpec("choice", "help.option.choice", Kind.CHOICE, False, LANGUAGES),),
        access=Access.ADMIN_TO_SET,
        offered=SERVERS,
    ),
    CommandSpec(
        "colors",
        "help.colors",
        handle_colors,
        (OptionSpec("scheme", "help.option.scheme", Kind.CHOICE, False, COLOUR_SCHEMES),),
        access=Access.ADMIN_TO_SET,
        offered=SERVERS,
    ),
    CommandSpec(
        "digest",
        "help.digest",
        handle_digest,
        (
            OptionSpec("action", "help.option.action", Kind.CHOICE, choices=DIGEST_ACTIONS),
            TIME,
            TIMEZONE,
            MARKET,
            dataclasses.replace(TICKERS, required=False),
        ),
        subcommands=(
            SubcommandSpec(
                "schedule",
                (
                    OptionSpec("channel", "help.option.digest_channel", Kind.CHANNEL),
                    TIME,
                    TIMEZONE,
                    MARKET,
                ),
                admin=True,
            ),
            SubcommandSpec("watchlist", (TICKERS,), admin=True),
            SubcommandSpec(
                "off",
                (OptionSpec("channel", "help.option.digest_off_channel", Kind.CHANNEL),),
                admin=True,
            ),
            SubcommandSpec("status"),
            SubcommandSpec("preview", admin=True),
        ),
        default_action="status",
        access=Access.ROLE_MATTERS,
        offered=Offered(("guild",), ("guild",), dms=False),  # subscriptions belong to a server
    ),
    CommandSpec(
        "alert",
        "help.alert",
        handle_alert,
        (
            OptionSpec("action", "help.option.alert_action", Kind.CHOICE, choices=ALERT_ACTIONS),
            dataclasses.replace(TICKER_ONE, required=False),
            OptionSpec("channel", "help.option.channel", Kind.CHANNEL, required=False),
        ),
        subcommands=(
            SubcommandSpec(
                "add",
                (
                    dataclasses.replace(TICKER_ONE, autocomplete=None),
                    OptionSpec("channel", "help.option.channel", Kind.CHANNEL, required=False),
                ),
            ),
            SubcommandSpec("list"),
            SubcommandSpec(
                "remove",
                (
                    OptionSpec("ticker", "help.option.alert_ticker", Kind.TICKER),
                    OptionSpec(
                        "channel", "help.option.alert_channel", Kind.CHANNEL, required=False
                    ),
                ),
            ),
        ),
        default_action="list",
        access=Access.ROLE_MATTERS,
        who="Discord: admins for channels, any member for their own DMs; Slack: workspace admins",
        # alerts belong to a server (a member's own go to their DMs)
        offered=Offered(("guild",), None, dms=False),
    ),
    CommandSpec("help", "help.help", handle_help, offered=EVERYWHERE),
    CommandSpec("about", "help.about", handle_about, offered=EVERYWHERE),
)


def build_registry(specs: tuple[CommandSpec, ...]) -> dict[str, CommandSpec]:
    """Name -> spec; a name used twice is a programming error caught at import time."""
    registry: dict[str, CommandSpec] = {}
    for spec in specs:
        if spec.name in registry:
            raise ValueError(f"command name {spec.name!r} is registered twice")
        registry[spec.name] = spec
    return registry


REGISTRY: dict[str, CommandSpec] = build_registry(COMMANDS)


async def dispatch(request: Request, services: Services) -> Reply:
    """Run the command named in ``request``; user mistakes raise :class:`UserError`."""
    spec = REGISTRY.get(request.command)
    if spec is None:
        raise UserError("error.unknown_command", command=request.command[:32])
    if spec.admin_only and not request.is_admin:
        raise UserError("error.missing_permission")
    return await spec.handler(request, services)
