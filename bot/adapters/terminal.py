"""The terminal adapter: slash commands on standard input, replies rendered for a terminal."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from pathlib import Path
from typing import TextIO

from prompt_toolkit.completion import WordCompleter
from rich.console import Console

from bot.dispatch import Dispatcher, Outcome
from commands.digest import DigestReply
from commands.registry import REGISTRY
from formatting.card import Language
from formatting.digest_render import digest_to_text
from formatting.messages import message_text
from formatting.terminal import card_to_terminal
from signals.funds import FUNDS

log = logging.getLogger(__name__)

PLATFORM = "terminal"
SERVER_ID = "local"
QUIT = {"/quit", "/exit", "/q"}
OFFLINE_COMMAND = "SIGNALBOT_PRICE_SOURCE=demo ./dev run"


def parse_line(line: str) -> tuple[str, dict[str, str]] | None:
    """``/signal IWM SPY`` -> ("signal", {"ticker": "IWM SPY"}); a bare ``IWM`` means /signal."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    if not text.startswith("/"):
        return "signal", {"ticker": text}
    name, _, rest = text[1:].partition(" ")
    name = name.lower()
    rest = rest.strip()
    spec = REGISTRY.get(name)
    if spec is None:
        return name, {"text": rest}
    if name == "digest":
        sub, _, more = rest.partition(" ")
        return name, {"action": sub.lower(), "text": more.strip()}
    if spec.options and rest:
        return name, {spec.options[0].name: rest}
    return name, {}


def completer() -> WordCompleter:
    """Tab completes the commands, /quit and the catalog's tickers (``/si`` -> ``/signal``)."""
    words = [f"/{name}" for name in REGISTRY] + ["/quit", *FUNDS]
    return WordCompleter(words, ignore_case=True, WORD=True)  # WORD: "/" is part of a word


class TerminalAdapter:
    """Reads one command per line; interactive with history and completion on a TTY."""

    name = "terminal"

    def __init__(
        self,
        dispatcher: Dispatcher,
        *,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        history_path: Path | None = None,
        interactive: bool | None = None,
        width: int | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.history_path = history_path
        self.interactive = self.stdin.isatty() if interactive is None else interactive
        self.console = Console(
            file=self.stdout,
            width=width,
            force_terminal=self.interactive,
            no_color=not self.interactive,
            highlight=False,
            soft_wrap=False,
        )
        self._stopping = asyncio.Event()
        self._busy = asyncio.Lock()
        self._hinted = False

    async def handle(self, line: str) -> bool:
        """Run one line; False when the user asked to quit."""
        if line.strip().lower() in QUIT:
            return False
        parsed = parse_line(line)
        if parsed is None:
            return True
        command, args = parsed
        async with self._busy:  # stop() waits for an in-flight reply
            outcome = await self.dispatcher.run(
                command,
                args,
                platform=PLATFORM,
                server_id=SERVER_ID,
                user_id="console",
                is_admin=True,
            )
            self.show(outcome)
        return True

    def show(self, outcome: Outcome) -> None:
        """Print a reply: cards as panels, then messages, in the reply's language."""
        for card in outcome.reply.cards:
            self.console.print(card_to_terminal(card, outcome.language, colors=outcome.colors))
        messages = outcome.reply.messages
        if isinstance(outcome.reply, DigestReply):  # a preview: the note, then the digest laid out
            messages = tuple(m for m in messages if m.key == "digest.preview_note")
        for message in messages:
            # markup off: "[en|zh|both]" is text; soft wrap: the terminal wraps CJK lines itself
            self.console.print(
                message_text(message.key, message.params, outcome.language),
                markup=False,
                soft_wrap=True,
            )
        if isinstance(outcome.reply, DigestReply):
            text = digest_to_text(outcome.reply.digest, outcome.language)
            self.console.print(text, markup=False, soft_wrap=True)
        if self._offline_hint_due(outcome):
            hint = message_text(
                "terminal.offline_hint", {"command": OFFLINE_COMMAND}, outcome.language
            )
            self.console.print(hint, style="dim", markup=False, soft_wrap=True)
        self.console.print()

    def _offline_hint_due(self, outcome: Outcome) -> bool:
        """Once per session, when Yahoo Finance is unreachable, say how to try the bot offline."""
        if self._hinted or self.dispatcher.services.prices.source.name != "yfinance":
            return False
        self._hinted = any(m.key == "error.source_unavailable" for m in outcome.reply.messages)
        return self._hinted

    async def _lines_piped(self) -> None:
        # A daemon thread reads stdin: a blocked readline() must not keep the process alive
        # after SIGTERM (the default executor would wait for it at interpreter exit).
        loop = asyncio.get_running_loop()
        lines: asyncio.Queue[str] = asyncio.Queue()

        def reader() -> None:
            while True:
                line = self.stdin.readline()
                loop.call_soon_threadsafe(lines.put_nowait, line)
                if not line:
                    return

        threading.Thread(target=reader, name="terminal-stdin", daemon=True).start()
        while not self._stopping.is_set():
            line = await lines.get()
            if not line or not await self.handle(line):
                return

    async def _lines_interactive(self) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory, InMemoryHistory

        history = FileHistory(str(self.history_path)) if self.history_path else InMemoryHistory()
        session: PromptSession[str] = PromptSession(history=history, completer=completer())
        await self.welcome()
        while not self._stopping.is_set():
            try:
                line = await session.prompt_async("signalbot> ")
            except (EOFError, KeyboardInterrupt):
                return
            if not await self.handle(line):
                return

    async def welcome(self) -> None:
        """Greet an interactive user in the terminal's language."""
        language: Language = await self.dispatcher.safe_language_for(PLATFORM, SERVER_ID)
        self.console.print(
            message_text("terminal.welcome", {}, language),
            style="bold",
            markup=False,
            soft_wrap=True,
        )
        self.console.print()

    async def run(self) -> None:
        """Serve until end of input, /quit, or stop()."""
        if self.interactive:
            await self._lines_interactive()
        else:
            await self._lines_piped()

    async def stop(self) -> None:
        """Stop reading; an in-flight command finishes first."""
        self._stopping.set()
        async with self._busy:
            pass

    async def post(self, channel_id: str, text: str) -> str:
        """Print a scheduled message (the terminal's 'channel' is the screen)."""
        self.console.print(text, markup=False, soft_wrap=True)
        return f"terminal-{channel_id}"
