"""A Telegram message's text to a registry command and its arguments (pure; no Bot API calls).

Telegram sends a command as the message's text with a ``bot_command`` entity: ``/signal IWM``,
or ``/signal@botname IWM`` in groups, where several bots may share the command
(https://core.telegram.org/bots/features#commands). A command addressed to another bot is not
ours. Everything after the command word is parsed the terminal's way, which is generated from
:mod:`commands.registry` (:func:`bot.adapters.terminal.parse_line`), so the words are the same
everywhere: in a private chat people may also type without the slash (``IWM``, ``help``,
``帮助``), as in the terminal. A channel is named by its public ``@username`` or its id
(``-100…``), for digests and alerts posted there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.adapters.terminal import CLEAR, NOT_UNDERSTOOD, QUIT, command_word, parse_line
from commands import registry
from commands.spec import Access

#: ``/start`` is what Telegram sends when someone opens the bot (https://core.telegram.org/bots/features#global-commands).
ALIASES = {"start": "help", "settings": "language"}
#: A channel named in a digest or alert command: ``@username`` (5-32 characters,
#: https://telegram.org/faq#q-what-can-i-use-as-my-username) or a chat id.
CHANNEL = re.compile(r"@[A-Za-z][A-Za-z0-9_]{3,31}|-100\d{5,}")
_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?")


@dataclass(frozen=True)
class Parsed:
    """What the text asks: a registry command and its arguments, or not understood
    (``command`` is :data:`NOT_UNDERSTOOD`, or an unknown command word with ``unknown``)."""

    command: str
    args: dict[str, str] = field(default_factory=dict)
    unknown: bool = False

    @property
    def target(self) -> str | None:
        """The channel the command names (a digest or an alert posted there), if any."""
        return self.args.get("channel")

    @property
    def needs_admin_check(self) -> bool:
        """The command changes or shows chat settings, so the user's role matters."""
        spec = registry.REGISTRY.get(self.command)
        if spec is None or spec.access is Access.EVERYONE:
            return False
        if spec.access is Access.ROLE_MATTERS:
            return True
        return any(self.args.get(o.name) for o in spec.options)


def _channel_words(words: list[str]) -> tuple[list[str], str | None]:
    named = [w for w in words if CHANNEL.fullmatch(w)]
    rest = [w for w in words if not CHANNEL.fullmatch(w)]
    return rest, (named[0] if named else None)


def _with_channel(command: str, args: dict[str, str]) -> dict[str, str]:
    """Digest and alert words with the channel among them moved to ``channel``."""
    if command == "digest":
        words, channel = _channel_words(args.get("text", "").split())
        out = {k: v for k, v in args.items() if k != "text"}
        if words:
            out["text"] = " ".join(words)
        if channel is not None:
            out["channel"] = channel
        return out
    if command == "alert":
        words = [args[k] for k in ("ticker", "channel") if args.get(k)]
        rest, channel = _channel_words(" ".join(words).split())
        out = {"action": args.get("action", "list")}
        if rest:
            out["ticker"] = " ".join(rest)
        if channel is not None:
            out["channel"] = channel
        return out
    return args


def parse_text(text: str, *, username: str, private: bool) -> Parsed | None:
    """The command in ``text``; None when it is not for this bot (another bot's command, or
    chat in a group). ``username`` is the bot's own, ``private``: a chat with one user."""
    text = text.strip()
    if not text:
        return None
    if text.startswith("/"):
        match = _COMMAND.match(text)
        if match is None:
            return None if not private else Parsed(NOT_UNDERSTOOD, {"text": text})
        name, addressed = match.group(1).lower(), match.group(2)
        if addressed is not None and addressed.lower() != username.lower():
            return None
        name = ALIASES.get(name, name)
        text = f"/{name} {text[match.end() :].strip()}".strip()
    elif not private:
        return None  # group talk is not for the bot
    parsed = parse_line(text)
    if parsed is None:
        return None
    command, args = parsed
    if command in (QUIT, CLEAR):  # terminal words: nothing to quit or clear in a chat
        return Parsed(NOT_UNDERSTOOD, {"text": text})
    if command == NOT_UNDERSTOOD:
        return Parsed(NOT_UNDERSTOOD, args)
    if command not in registry.REGISTRY:
        return Parsed(command, args, unknown=True)
    return Parsed(command, _with_channel(command, args))


def command_words() -> list[str]:
    """Every word a mistyped command may be close to (for "did you mean")."""
    from bot.adapters.terminal import COMMAND_WORDS

    return [w for w in [*COMMAND_WORDS, *registry.REGISTRY] if command_word(w) not in (QUIT, CLEAR)]
