"""``main()`` of the long-running bot: wires storage, prices, scheduler and adapters."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable
from typing import TextIO

from bot.adapters.base import Adapter
from bot.adapters.terminal import TerminalAdapter
from bot.digest.service import start_digests
from bot.dispatch import Dispatcher
from bot.services import price_service
from bot.settings import Settings
from bot.storage import Storage, open_storage
from bot.storage.db import private_dir
from commands.context import Services

log = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT = 8.0  # seconds for in-flight replies; the whole stop stays under 10 s


def platform_adapters(
    settings: Settings, dispatcher: Dispatcher, storage: Storage
) -> list[Adapter]:
    """The Discord and Slack adapters the settings enable; one failing never stops the other."""
    adapters: list[Adapter] = []
    if settings.discord_enabled:
        try:
            from bot.adapters.discord import create_discord_adapter

            adapters.append(create_discord_adapter(settings, dispatcher, storage))
        except Exception:
            log.exception("adapter=discord could not be created; continuing without it")
    if settings.slack_enabled:
        try:
            from bot.adapters.slack import create_slack_adapter

            adapters.append(create_slack_adapter(settings, dispatcher, storage))
        except Exception:
            log.exception("adapter=slack could not be created; continuing without it")
    return adapters


async def _stop_all(adapters: list[Adapter]) -> None:
    async def stop(adapter: Adapter) -> None:
        try:
            await asyncio.wait_for(adapter.stop(), SHUTDOWN_TIMEOUT)
        except Exception:
            log.exception("adapter=%s failed to stop cleanly", adapter.name)

    await asyncio.gather(*(stop(a) for a in adapters))


async def run_bot(
    settings: Settings,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    extra_adapters: Callable[[Dispatcher], list[Adapter]] | None = None,
) -> int:
    """Run until SIGINT/SIGTERM (or, in terminal mode, end of input); returns the exit code."""
    async with open_storage(settings.async_database_url) as storage:
        prices = price_service(settings, storage)
        services = Services(
            prices=prices,
            settings=storage,
            default_language=settings.default_language,
            about_source=prices.source.name,
        )
        dispatcher = Dispatcher(services)
        adapters: list[Adapter] = (
            list(extra_adapters(dispatcher))
            if extra_adapters
            else platform_adapters(settings, dispatcher, storage)
        )
        configured = (
            extra_adapters is not None or settings.discord_enabled or settings.slack_enabled
        )
        terminal_mode = not configured
        if configured and not adapters:
            log.error("no chat adapter could be started; see the errors above")
            return 1
        if terminal_mode:
            private_dir(settings.data_dir)
            adapters.append(
                TerminalAdapter(
                    dispatcher,
                    stdin=stdin,
                    stdout=stdout,
                    history_path=settings.data_dir / "terminal_history",
                )
            )
        log.info(
            "starting adapters=%s database=%s price_source=%s",
            ",".join(a.name for a in adapters),
            storage.dialect,
            prices.source.name,
        )
        digests = await start_digests(settings, storage, prices, adapters)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)

        crashed: set[str] = set()

        async def supervise(adapter: Adapter) -> None:
            try:
                await adapter.run()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("adapter=%s crashed; the others keep running", adapter.name)
                crashed.add(adapter.name)
                return
            log.info("adapter=%s finished", adapter.name)
            if terminal_mode:
                stop.set()  # end of input ends a terminal session

        tasks = [asyncio.create_task(supervise(a), name=f"adapter-{a.name}") for a in adapters]
        all_done = asyncio.create_task(asyncio.wait(tasks))
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait({all_done, stopper}, return_when=asyncio.FIRST_COMPLETED)
        log.info("shutting down")
        if digests is not None:
            await digests.stop()
        await _stop_all(adapters)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        stopper.cancel()
        all_done.cancel()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
    log.info("stopped")
    sys.stdout.flush()
    # every adapter crashed: fail, so a supervisor (systemd, Docker) restarts the bot
    return 1 if crashed and len(crashed) == len(adapters) else 0
