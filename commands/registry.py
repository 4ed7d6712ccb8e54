"""One table of commands: names, options, permission, help keys, handlers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from commands.alert import ACTIONS as ALERT_ACTIONS
from commands.alert import handle_alert
from commands.context import Request, Services
from commands.digest import ACTIONS as DIGEST_ACTIONS
from commands.digest import handle_digest
from commands.history import handle_history
from commands.reply import Message, Reply, UserError
from commands.signal import handle_signal
from commands.validation import parse_colors, parse_language
from formatting.colours import COLOUR_SCHEMES, default_scheme
from formatting.i18n import Term
from formatting.languages import LANGUAGES

Handler = Callable[[Request, Services], Awaitable[Reply]]


@dataclass(frozen=True)
class OptionSpec:
    """A command option: its name, help key, and whether it must be given."""

    name: str
    help_key: str
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommandSpec:
    """A command as every adapter exposes it."""

    name: str
    help_key: str
    handler: Handler
    options: tuple[OptionSpec, ...] = ()
    admin_only: bool = False  # the whole command needs admin rights (see also handler checks)


def usage(spec: CommandSpec, platform: str) -> str:
    """How to type ``spec`` on ``platform`` (Slack has one /signal command with subcommands)."""
    words = (
        [f"/{spec.name}"]
        if platform != "slack" or spec.name == "signal"
        else ["/signal", spec.name]
    )
    for option in spec.options:
        shown = option.name.upper() if not option.choices else "|".join(option.choices)
        words.append(shown if option.required else f"[{shown}]")
    return " ".join(words)


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


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "signal",
        "help.signal",
        handle_signal,
        (OptionSpec("ticker", "help.option.ticker"),),
    ),
    CommandSpec(
        "history",
        "help.history",
        handle_history,
        (OptionSpec("ticker", "help.option.ticker_one"),),
    ),
    CommandSpec(
        "language",
        "help.language",
        handle_language,
        (OptionSpec("choice", "help.option.choice", required=False, choices=LANGUAGES),),
    ),
    CommandSpec(
        "colors",
        "help.colors",
        handle_colors,
        (OptionSpec("scheme", "help.option.scheme", required=False, choices=COLOUR_SCHEMES),),
    ),
    CommandSpec(
        "digest",
        "help.digest",
        handle_digest,
        (
            OptionSpec("action", "help.option.action", choices=DIGEST_ACTIONS),
            OptionSpec("time", "help.option.time", required=False),
            OptionSpec("timezone", "help.option.timezone", required=False),
            OptionSpec("tickers", "help.option.tickers", required=False),
        ),
    ),
    CommandSpec(
        "alert",
        "help.alert",
        handle_alert,
        (
            OptionSpec("action", "help.option.alert_action", choices=ALERT_ACTIONS),
            OptionSpec("ticker", "help.option.ticker_one", required=False),
            OptionSpec("channel", "help.option.channel", required=False),
        ),
    ),
    CommandSpec("help", "help.help", handle_help),
    CommandSpec("about", "help.about", handle_about),
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
