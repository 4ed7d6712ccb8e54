"""``/signal ...`` text to a registry command and its arguments (pure; no Slack calls).

Slack has one ``/signal`` command: every other registry command is its first word (``/signal
language zh``), its actions the second (``/signal digest off #channel``); action lists, who
must be an admin and the usage lines all come from :mod:`commands.registry`. Bare words are
tickers for ``signal`` (with ``history`` among them, the track record).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from commands import registry
from commands.reply import UserError
from commands.spec import Access, CommandSpec, Kind, SubcommandSpec, subcommand
from commands.validation import shown

#: Cards per ``/signal`` request: a ``response_url`` takes five messages, one is kept for errors.
MAX_CARDS = 4
#: Commands typed as tickers (``/signal IWM``, ``/signal IWM history``), not as a first word.
TICKER_COMMANDS = ("signal", "history")
#: How those are typed (the README's command table shows them).
TICKER_USAGE = {"signal": "/signal TICKER [YYYY-MM-DD]", "history": "/signal TICKER history"}
#: How each kind of option is shown in a usage line.
PLACEHOLDERS = {
    Kind.CHANNEL: "#channel",
    Kind.TIME: "HH:MM",
    Kind.TIMEZONE: "IANA timezone",
    Kind.MARKET: "market hk",
    Kind.TICKERS: "SPY QQQ IWM",
    Kind.TICKER: "IWM",
}

# Slack escapes a picked channel as <#C0123ABCD|name> (the name may be empty or missing).
_CHANNEL_LINK = re.compile(r"<#([CG][A-Z0-9]{2,20})(?:\|[^<>]*)?>")
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{6,20}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{1,2}:\d{2}")


@dataclass(frozen=True)
class Parsed:
    """A command for :meth:`bot.dispatch.Dispatcher.run`."""

    command: str
    args: dict[str, str] = field(default_factory=dict)

    @property
    def needs_admin_check(self) -> bool:
        """The command changes or shows workspace settings, so the user's role matters."""
        spec = registry.REGISTRY.get(self.command)
        if spec is None or spec.access is Access.EVERYONE:
            return False
        return spec.access is Access.ROLE_MATTERS or any(o.name in self.args for o in spec.options)


def action_usage(spec: CommandSpec, action: SubcommandSpec) -> str:
    """``/signal digest schedule #channel [HH:MM] [IANA timezone]``, from the registry."""
    words = ["/signal", spec.name, action.name]
    for option in action.options:
        shown = PLACEHOLDERS.get(option.kind, option.name.upper())
        words.append(shown if option.required else f"[{shown}]")
    return " ".join(words)


def channel_id(token: str) -> str:
    """``<#C0123ABCD|name>``, ``<#C0123ABCD>`` or ``C0123ABCD`` -> ``C0123ABCD``.

    A plain ``#name`` cannot be resolved without a directory lookup; it is refused with a hint.
    """
    link = _CHANNEL_LINK.fullmatch(token)
    if link:
        return link.group(1)
    if _CHANNEL_ID.fullmatch(token):
        return token
    raise UserError("slack.error.bad_channel", value=shown(token))


def _looks_like_channel(token: str) -> bool:
    return token.startswith(("<#", "#")) or bool(_CHANNEL_ID.fullmatch(token))


def _usage_error(action: str) -> UserError:
    spec = registry.REGISTRY["digest"]
    found = subcommand(spec, action)
    assert found is not None
    return UserError("slack.error.digest_usage", usage=action_usage(spec, found))


def _schedule(words: list[str], action: str, here: str | None) -> dict[str, str]:
    args: dict[str, str] = {"action": action}
    if words and (_looks_like_channel(words[0]) or action == "off"):
        args["channel"] = channel_id(words.pop(0))
    elif here is not None:
        args["channel"] = here  # no channel named: the channel the command was typed in
    if action == "off":
        if words:
            raise _usage_error(action)
        return args
    while words:
        word = words.pop(0)
        low = word.lower()
        if low == "market":  # market hk
            if not words or "market" in args:
                raise _usage_error(action)
            args["market"] = words.pop(0)
            continue
        if low.startswith(("market:", "market=")):  # market:hk, as Discord shows it
            name, word = "market", word[len("market:") :]
        else:
            name = "time" if _TIME.fullmatch(word) or ":" in word else "timezone"
        if name in args:
            raise _usage_error(action)
        args[name] = word
    return args


def parse_digest(words: list[str], here: str | None = None) -> Parsed:
    """``digest <action> ...`` as the digest command's arguments; a bare ``digest`` is status.

    ``here`` is the channel the command was typed in, used when no channel is named.
    """
    spec = registry.REGISTRY["digest"]
    action = words.pop(0).lower() if words else str(spec.default_action)
    if subcommand(spec, action) is None:  # the digest command names the valid actions
        return Parsed("digest", {"action": action})
    if action in ("schedule", "off"):
        return Parsed("digest", _schedule(words, action, here))
    if action == "watchlist":
        if not words:
            raise _usage_error(action)
        return Parsed("digest", {"action": action, "tickers": " ".join(words)})
    return Parsed("digest", {"action": action})


def parse_alert(words: list[str], here: str | None = None) -> Parsed:
    """``alert <add|list|remove> [TICKER] [#channel]``; without a channel, the one typed in."""
    action = words.pop(0).lower() if words else str(registry.REGISTRY["alert"].default_action)
    args: dict[str, str] = {"action": action}
    channels = [w for w in words if _looks_like_channel(w)]
    rest = [w for w in words if not _looks_like_channel(w)]
    if len(channels) > 1:
        raise UserError("slack.error.bad_channel", value=shown(" ".join(channels)))
    if channels:
        args["channel"] = channel_id(channels[0])
    elif here is not None:
        args["channel"] = here
    if rest:
        args["ticker"] = " ".join(rest)
    return Parsed("alert", args)


def parse_words(spec: CommandSpec, words: list[str], here: str | None = None) -> Parsed:
    """Any other registry command: its action (if it has actions), then its options.

    A channel option takes the word that names a channel (else the channel typed in); the
    other words go, joined, to the first other option (``/signal language zh``); a command
    without options ignores them (``/signal help me``).
    """
    args: dict[str, str] = {}
    options = spec.options
    if spec.subcommands:
        action = words.pop(0).lower() if words else str(spec.default_action)
        args["action"] = action
        found = subcommand(spec, action)
        options = found.options if found is not None else ()
    for option in options:
        if option.kind is Kind.CHANNEL:
            named = [w for w in words if _looks_like_channel(w)]
            words = [w for w in words if not _looks_like_channel(w)]
            if named:
                args[option.name] = channel_id(named[0])
            elif here is not None:
                args[option.name] = here
    rest = [o for o in options if o.kind is not Kind.CHANNEL]
    if rest and words:
        args[rest[0].name] = " ".join(words)
    return Parsed(spec.name, args)


def parse_command(text: str, here: str | None = None) -> Parsed:
    """The text after ``/signal``: a subcommand, or tickers (with an optional ``YYYY-MM-DD``).

    Raises :class:`~commands.reply.UserError` for text no command can take.
    """
    words = text.split()
    if not words:
        return Parsed("help")
    first = words[0].lower()
    if first == "digest":
        return parse_digest(words[1:], here)
    if first == "alert":  # /signal alert add IWM [#channel]
        return parse_alert(words[1:], here)
    spec = registry.REGISTRY.get(first)
    if spec is not None and first not in TICKER_COMMANDS:
        return parse_words(spec, words[1:], here)
    if "history" in (w.lower() for w in words):  # /signal IWM history (or history IWM)
        rest = [w for w in words if w.lower() != "history"]
        found = [w for w in rest if _DATE.fullmatch(w)]
        args = {"ticker": " ".join(w for w in rest if not _DATE.fullmatch(w))}
        if found:
            args["as_of"] = found[-1]
        return Parsed("history", args)
    dates = [w for w in words if _DATE.fullmatch(w)]
    # split like commands.validation does ("IWM,SPY" is two tickers), or commas dodge the cap
    tickers = [t for w in words if not _DATE.fullmatch(w) for t in re.split(r"[,;]+", w) if t]
    if len(tickers) > MAX_CARDS:
        raise UserError("error.too_many_tickers", max=MAX_CARDS)
    args = {"ticker": " ".join(tickers)}
    if dates:
        args["as_of"] = dates[-1]
    return Parsed("signal", args)
