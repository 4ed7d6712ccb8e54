"""Interactive terminal mode through prompt_toolkit's pipe input: prompt, history, completion."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from prompt_toolkit.application import create_app_session
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from bot.adapters.terminal import TerminalAdapter, completer
from bot.dispatch import Dispatcher
from bot.storage import open_storage
from commands.context import Services
from signals.calendar import MarketCalendar
from signals.service import PriceService
from signals.sources.csv import CsvSource
from tests.fakes.market import write_price_dir


async def wait_for(buffer: io.StringIO, needle: str, limit: float = 20.0) -> None:
    """Poll the adapter's output (a StringIO has no change notification) until ``needle``."""

    async def poll() -> None:
        while needle not in buffer.getvalue():  # noqa: ASYNC110
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), limit)


async def test_interactive_session_with_history(tmp_path: Path):
    """Typed lines are answered, the welcome is shown, and history is written to the data dir."""
    prices = write_price_dir(tmp_path / "prices", {"IWM": 1.0})
    history = tmp_path / "history"
    async with open_storage(f"sqlite:///{tmp_path}/db.sqlite") as storage:
        services = Services(
            prices=PriceService(CsvSource(prices), MarketCalendar(), store=storage),
            settings=storage,
            default_language="en",
        )
        out = io.StringIO()
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
            adapter = TerminalAdapter(
                Dispatcher(services), stdout=out, interactive=True, history_path=history, width=100
            )
            task = asyncio.create_task(adapter.run())
            await wait_for(out, "Type a ticker")
            pipe.send_text("/signal IWM\r")
            await wait_for(out, "IWM tracks Russell 2000")
            pipe.send_text("/language zh\r")
            await wait_for(out, "简体中文")
            pipe.send_text("/quit\r")
            await asyncio.wait_for(task, 20)
    assert "/signal IWM" in history.read_text()
    assert "/language zh" in history.read_text()


async def test_ctrl_d_and_ctrl_c_say_goodbye(tmp_path: Path):
    """Ctrl-D (end of input) and Ctrl-C at the prompt end the session with a goodbye."""
    async with open_storage(f"sqlite:///{tmp_path}/db.sqlite") as storage:
        services = Services(
            prices=PriceService(CsvSource(tmp_path), MarketCalendar(), store=storage),
            settings=storage,
            default_language="en",
        )
        for key in ("\x04", "\x03"):  # Ctrl-D, Ctrl-C
            out = io.StringIO()
            with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
                adapter = TerminalAdapter(Dispatcher(services), stdout=out, interactive=True)
                task = asyncio.create_task(adapter.run())
                await wait_for(out, "Type a ticker")
                pipe.send_text(key)
                await asyncio.wait_for(task, 20)
            assert out.getvalue().rstrip().endswith("Goodbye."), repr(key)


def test_completion_offers_commands_and_tickers():
    """Tab completes command names and catalog tickers, case-insensitively."""
    words = completer()

    def complete(text: str) -> list[str]:
        return [c.text for c in words.get_completions(Document(text), CompleteEvent())]

    assert "/signal" in complete("/si")
    assert "IWM" in complete("iw")
    assert "IWM" in complete("/signal iw")
    assert complete("/zzz") == []
