"""What ``signalbot run`` says at start-up and end: where its state lives, and nothing to serve.

A terminal session says once, on standard error, where settings such as ``/language`` persist
(a piped ``/language zh`` changes every later run). A session with no chat token whose standard
input is not a terminal and ends before any command (a container started without its ``.env``
gets ``/dev/null``) has nothing to serve: it exits :data:`EXIT_NOTHING_TO_SERVE` with one line
saying what to set, instead of 0 in silence, which a ``restart`` policy would turn into a loop.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO, cast

from bot.settings import Settings
from bot.state import sqlite_file, state_location
from formatting.card import Language
from formatting.messages import message_text

#: sysexits.h EX_CONFIG: the unit's ``RestartPreventExitStatus`` does not restart on it.
EXIT_NOTHING_TO_SERVE = 78
NOTHING_TO_SERVE = (
    "signalbot: nothing to serve: no chat token is set and standard input gave no command; set "
    "DISCORD_TOKEN, TELEGRAM_BOT_TOKEN, or SLACK_BOT_TOKEN (or SLACK_CLIENT_ID and "
    "SLACK_CLIENT_SECRET) with SLACK_APP_TOKEN or SLACK_SIGNING_SECRET, in the environment or "
    ".env (see .env.example)"
)


def state_message(settings: Settings, language: Language) -> str:
    """The terminal's line saying where its settings persist, in ``language``."""
    key = "terminal.state_file" if sqlite_file(settings) else "terminal.state_database"
    return message_text(key, {"where": state_location(settings)}, language)


class WatchedInput:
    """Standard input that notes its first command (a line neither blank nor a ``#`` comment)
    and calls ``on_first`` then; everything else is the wrapped stream's."""

    def __init__(self, stream: TextIO, on_first: Callable[[], None]) -> None:
        self.stream = stream
        self.on_first = on_first
        self.commands = 0

    def isatty(self) -> bool:
        """Whether the wrapped stream is a terminal."""
        return self.stream.isatty()

    def readline(self) -> str:
        """The next line of the wrapped stream, counted when it is a command."""
        line = self.stream.readline()
        text = line.strip()
        if text and not text.startswith("#"):
            self.commands += 1
            if self.commands == 1:
                self.on_first()
        return line

    def __getattr__(self, name: str) -> object:
        return getattr(self.stream, name)


def watched_stdin(stdin: TextIO | None, say: str) -> tuple[TextIO, WatchedInput | None]:
    """The terminal's input: on a terminal ``say`` is printed at once (to standard error) and
    nothing is watched; otherwise it is printed with the first command, and the returned
    watcher tells afterwards whether any came."""
    stream = stdin or sys.stdin
    if stream.isatty():
        print(say, file=sys.stderr, flush=True)
        return stream, None
    watcher = WatchedInput(stream, lambda: print(say, file=sys.stderr, flush=True))
    return cast(TextIO, watcher), watcher
