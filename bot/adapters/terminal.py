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
from commands import registry
from commands.advice import offline_advised, offline_command
from commands.digest import DigestReply
from commands.history import HistoryReply
from commands.reply import UserError
from commands.suggest import did_you_mean
from commands.validation import MAX_TICKERS, parse_ticker, shown
from formatting.card import Language
from formatting.messages import message_text
from formatting.terminal import card_to_terminal
from formatting.track_record import history_to_terminal
from formatting.wrap import wrap
from signals.funds import FUNDS

log = logging.getLogger(__name__)

PLATFORM = "terminal"
SERVER_ID = "local"
#: Terminal-only actions (not in the command registry).
QUIT, CLEAR = "quit", "clear"
#: Bare words that mean a command, in both languages; they are never read as tickers. Every
#: registry command's own name is one too (``history``, ``alert`` ...), see :func:`command_word`.
COMMAND_WORDS = {
    "?": "help",
    "帮助": "help",
    "幫助": "help",
    "说明": "help",
    "說明": "help",
    "关于": "about",
    "關於": "about",
    "lang": "language",
    "语言": "language",
    "語言": "language",
    "日报": "digest",
    "日報": "digest",
    "历史": "history",
    "歷史": "history",
    "提醒": "alert",
    "quit": QUIT,
    "exit": QUIT,
    "q": QUIT,
    "bye": QUIT,
    "退出": QUIT,
    "離開": QUIT,
    "clear": CLEAR,
    "cls": CLEAR,
    "清屏": CLEAR,
    "清除": CLEAR,
}
#: What ``parse_line`` returns for input that is neither a command nor tickers.
NOT_UNDERSTOOD = ""


def command_word(word: str) -> str | None:
    """The command a bare word means: an alias above, or a registry command's own name."""
    word = word.lower()
    return COMMAND_WORDS.get(word) or (word if word in registry.REGISTRY else None)


def _looks_like_tickers(text: str) -> bool:
    """Every word is shaped like a ticker (``IWM``, ``iwm``, ``$SPY``, ``BRK-B``, ``^GSPC``)."""
    words = text.replace(",", " ").split()
    if not words or len(words) > MAX_TICKERS:
        return False
    try:
        for word in words:
            parse_ticker(word)
    except UserError:
        return False
    return True


def parse_line(line: str) -> tuple[str, dict[str, str]] | None:
    """``/signal IWM SPY`` -> ("signal", {"ticker": "IWM SPY"}); a bare ``IWM`` means /signal.

    A bare first word that is a command word (``help``, ``quit``, ``帮助`` ...) is that command;
    other bare input is a ticker list only when every word looks like a ticker, otherwise
    :data:`NOT_UNDERSTOOD` (the reply points to ``/help``).
    """
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    if not text.startswith("/"):
        first, _, rest = text.partition(" ")
        word = command_word(first)
        if word is not None:
            text = f"/{word} {rest}".strip()
        elif _looks_like_tickers(text):
            return "signal", {"ticker": text}
        else:
            return NOT_UNDERSTOOD, {"text": text}
    name, _, rest = text[1:].partition(" ")
    name = command_word(name) or name.lower()
    rest = rest.strip()
    if name in (QUIT, CLEAR):
        return name, {}
    spec = registry.REGISTRY.get(name)
    if spec is None:
        return name, {"text": rest}
    if name == "digest":
        sub, _, more = rest.partition(" ")
        return name, {"action": sub.lower(), "text": more.strip()}
    if name == "alert":  # /alert add IWM [channel]
        words = rest.split()
        alert = {"action": words[0].lower() if words else "list"}
        alert.update({k: v for k, v in zip(("ticker", "channel"), words[1:3], strict=False)})
        if len(words) > 3:
            alert["ticker"] = " ".join(words[1:])  # too many words: the handler says so
        return name, alert
    options = spec.options
    args: dict[str, str] = {}
    if spec.subcommands:  # /name action [words for the action's first option]
        action, _, rest = rest.partition(" ")
        args["action"] = action.lower() or str(spec.default_action)
        options = next((s.options for s in spec.subcommands if s.name == args["action"]), ())
        rest = rest.strip()
    if options and rest:
        args[options[0].name] = rest
    return name, args


def completer() -> WordCompleter:
    """Tab completes the commands, /quit and the catalog's tickers (``/si`` -> ``/signal``)."""
    words = [f"/{name}" for name in registry.REGISTRY] + ["/quit", "/clear", *FUNDS]
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
        parsed = parse_line(line)
        if parsed is None:
            return True
        command, args = parsed
        if command == QUIT:
            await self.say("terminal.goodbye")
            return False
        if command == CLEAR:
            if self.interactive:
                self.console.clear()
            return True
        if command not in registry.REGISTRY:
            if command == NOT_UNDERSTOOD:
                await self.say("terminal.not_understood", text=shown(args["text"]))
            elif suggestion := did_you_mean(command, [*COMMAND_WORDS, *registry.REGISTRY]):
                typed, known = shown(f"/{command}"), f"/{suggestion}"
                await self.say("terminal.did_you_mean", command=typed, suggestion=known)
            else:
                await self.say("terminal.unknown_command", command=shown(f"/{command}"))
            return True
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

    async def say(self, key: str, **params: str) -> None:
        """One catalog message in the terminal's language, then a blank line."""
        language: Language = await self.dispatcher.safe_language_for(PLATFORM, SERVER_ID)
        self.console.print(message_text(key, params, language), markup=False, soft_wrap=True)
        self.console.print()

    def show(self, outcome: Outcome) -> None:
        """Print a reply: cards as panels, then messages, in the reply's language."""
        for card in outcome.reply.cards:
            self.console.print(card_to_terminal(card, outcome.language, colors=outcome.colors))
        messages = outcome.reply.messages
        if isinstance(outcome.reply, DigestReply):  # a preview: the note, then the digest laid out
            messages = tuple(m for m in messages if m.key == "digest.preview_note")
        wrapped = any(m.key == "help.title" for m in messages)  # /help: to the terminal's width
        for message in messages:
            text = message_text(message.key, message.params, outcome.language)
            if wrapped:
                width = self.console.width
                text = "\n".join(line for part in text.split("\n") for line in wrap(part, width))
            # markup off: "[en|zh|both]" is text; soft wrap: the terminal wraps CJK lines itself
            self.console.print(text, markup=False, soft_wrap=True)
        if isinstance(outcome.reply, HistoryReply):
            self.console.print(history_to_terminal(outcome.reply.history, outcome.language))
        if isinstance(outcome.reply, DigestReply):
            from formatting.digest_render import digest_to_text  # loads slack_sdk: when needed

            text = digest_to_text(outcome.reply.digest, outcome.language)
            self.console.print(text, markup=False, soft_wrap=True)
        if self._offline_hint_due(outcome):
            hint = message_text(
                "terminal.offline_hint", {"command": offline_command()}, outcome.language
            )
            self.console.print(hint, style="dim", markup=False, soft_wrap=True)
        self.console.print()

    def _offline_hint_due(self, outcome: Outcome) -> bool:
        """Once per session, when the price source is unreachable, say how to try it offline."""
        if self._hinted:
            return False
        keys = [m.key for m in outcome.reply.messages]
        self._hinted = offline_advised(keys, self.dispatcher.services.prices.source.name)
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
            except (EOFError, KeyboardInterrupt):  # Ctrl-D, Ctrl-C
                await self.say("terminal.goodbye")
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

    async def health(self) -> dict[str, bool]:
        """Reading input until stopped."""
        return {"input": not self._stopping.is_set()}

    async def stop(self) -> None:
        """Stop reading; an in-flight command finishes first."""
        self._stopping.set()
        async with self._busy:
            pass

    async def post(self, channel_id: str, text: str) -> str:
        """Print a scheduled message (the terminal's 'channel' is the screen)."""
        self.console.print(text, markup=False, soft_wrap=True)
        return f"terminal-{channel_id}"
