"""What a command is, once for every surface: its options, who may use it, where it is offered.

:mod:`commands.registry` lists the commands; the Discord tree, the Slack ``/signal …`` parser,
the terminal's parser, ``/help`` and the README's command table are generated from these specs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from commands.context import Request, Services
from commands.reply import Reply

Handler = Callable[[Request, Services], Awaitable[Reply]]


class Kind(StrEnum):
    """What an option holds; each surface parses and offers it accordingly."""

    TICKER = "ticker"  # ticker text (one or several, the handler says how many)
    TICKERS = "tickers"  # a space-separated ticker list (a watchlist)
    CHANNEL = "channel"  # a channel the bot posts in
    TIME = "time"  # a time of day, HH:MM
    TIMEZONE = "timezone"  # an IANA time zone
    MARKET = "market"  # a market as people name it (hk, cn, jp) or a MIC
    CHOICE = "choice"  # one of ``choices``
    TEXT = "text"  # free text


class Autocomplete(StrEnum):
    """Where an option's suggestions come from."""

    WATCHLIST = "watchlist"  # the server's watchlist, then the fund catalog
    TIMEZONE = "timezone"  # IANA time zones


class Access(StrEnum):
    """Who may use a command."""

    EVERYONE = "everyone"
    #: Everyone may look; giving the option changes a server setting (admins only).
    ADMIN_TO_SET = "admin_to_set"
    #: The handler decides per action, so every adapter finds out the user's role first.
    ROLE_MATTERS = "role_matters"


@dataclass(frozen=True)
class OptionSpec:
    """A command option: its name, its one catalog key, its kind and limits."""

    name: str
    help_key: str
    kind: Kind = Kind.TEXT
    required: bool = True
    choices: tuple[str, ...] = ()
    max_length: int = 100
    autocomplete: Autocomplete | None = None


@dataclass(frozen=True)
class Offered:
    """Where a command is offered (guild, bot DM, group DM; guild or user install).

    ``None`` leaves the platform's default. ``dms=False`` also hides the command in DMs on
    clients that predate contexts (Discord's ``dm_permission``).
    """

    contexts: tuple[str, ...] | None = None  # of "guild", "dm", "private"
    installs: tuple[str, ...] | None = None  # of "guild", "user"
    dms: bool = True


#: Read-only commands: in servers, the bot's DMs and group DMs; server or user install.
EVERYWHERE = Offered(("guild", "dm", "private"), ("guild", "user"))
#: A server setting: installed with the server, used in it only.
SERVERS = Offered(("guild",), ("guild",))


@dataclass(frozen=True)
class SubcommandSpec:
    """One action of a command with actions (``/digest schedule``); ``admin``: admins only."""

    name: str
    options: tuple[OptionSpec, ...] = ()
    admin: bool = False


@dataclass(frozen=True)
class CommandSpec:
    """A command as every adapter exposes it."""

    name: str
    help_key: str
    handler: Handler
    options: tuple[OptionSpec, ...] = ()
    admin_only: bool = False  # the whole command needs admin rights (see also handler checks)
    subcommands: tuple[SubcommandSpec, ...] = ()
    #: The action a bare ``/signal digest`` means where actions are typed as words.
    default_action: str | None = None
    access: Access = Access.EVERYONE
    offered: Offered = Offered()
    #: Charges the per-user cooldown (it asks the price source).
    cooldown: bool = False
    #: The answer is shown to the whole channel (else only to the asker where possible).
    public: bool = False
    #: The README's "Who" column when the handler's rule needs words (else from ``access``).
    who: str = ""


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


def subcommand(spec: CommandSpec, name: str) -> SubcommandSpec | None:
    """``spec``'s action called ``name``, if it has one."""
    return next((s for s in spec.subcommands if s.name == name), None)
