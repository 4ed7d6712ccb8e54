"""``main()`` of the long-running bot: wires storage, prices, scheduler and adapters."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from bot.adapters.base import Adapter, AdapterUnusable
from bot.adapters.terminal import TerminalAdapter
from bot.alerts.service import start_alerts
from bot.delivery.posters import adapter_posters
from bot.digest.service import start_digests
from bot.dispatch import Dispatcher
from bot.ops import ops_wanted
from bot.services import price_service
from bot.settings import Settings
from bot.site.live import SiteUpdater, site_for, start_site_updates
from bot.startup import (
    EXIT_NOTHING_TO_SERVE,
    NOTHING_TO_SERVE,
    WatchedInput,
    state_message,
    watched_stdin,
)
from bot.state import state_location
from bot.storage import Storage, open_storage
from bot.storage.sqlite_file import private_dir, tighten
from commands.context import Services
from signals.service import PriceService

if TYPE_CHECKING:
    from bot.digest.scheduler import DigestScheduler
    from bot.ops.http import OpsServer
    from bot.ops.metrics import Metrics

log = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT = 8.0  # seconds for in-flight replies, after the digests drained (deploy/: 30 s)


def platform_adapters(
    settings: Settings, dispatcher: Dispatcher, storage: Storage
) -> list[Adapter]:
    """The Discord, Slack and Telegram adapters the settings enable; one failing never stops
    the others."""
    adapters: list[Adapter] = []
    if settings.discord.enabled:
        try:
            from bot.adapters.discord import create_discord_adapter

            adapters.append(
                create_discord_adapter(settings.discord, settings.chat, dispatcher, storage)
            )
        except Exception:
            log.exception("adapter=discord could not be created; continuing without it")
    if settings.slack.enabled:
        try:
            from bot.adapters.slack import create_slack_adapter

            adapters.append(
                create_slack_adapter(
                    settings.slack, settings.chat, dispatcher, storage, port=settings.ops.http_port
                )
            )
        except Exception:
            log.exception("adapter=slack could not be created; continuing without it")
    if settings.telegram.enabled:
        try:
            from bot.adapters.telegram import create_telegram_adapter

            adapters.append(
                create_telegram_adapter(
                    settings.telegram,
                    settings.chat,
                    dispatcher,
                    storage,
                    port=settings.ops.http_port,
                    host=settings.ops.http_host,
                )
            )
        except Exception:
            log.exception("adapter=telegram could not be created; continuing without it")
    return adapters


async def webhook_poster(storage: Storage, *, standby: bool = False) -> Adapter | None:
    """The webhook poster when webhook targets are stored (``signalbot webhook add``), else None,
    or with ``standby`` (a chat platform runs) one anyway: the caller hands it to the digest and
    alert runners, not to the adapters, so targets added while the bot runs are served without
    a restart and it never keeps a bot whose chat adapters all stopped running. The poster reads
    targets again each digest tick (:data:`bot.webhooks.poster.RELOAD`)."""
    try:
        if not await storage.list_webhooks() and not standby:
            return None
    except Exception:
        log.exception("webhook targets could not be read; the bot runs without them")
        return None
    from bot.webhooks.poster import WebhookPoster

    return WebhookPoster(storage)


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
    configured = (
        extra_adapters is not None
        or settings.discord.enabled
        or settings.slack.enabled
        or settings.telegram.enabled
    )
    tighten(settings.storage.data_dir, 0o700)  # an existing data dir holds the database and log
    async with open_storage(
        settings.storage.async_database_url,
        busy_timeout=settings.storage.sqlite_busy_timeout_seconds,
    ) as storage:
        webhooks = await webhook_poster(storage)
        standby = None  # no target yet, a chat platform runs: the poster waits for targets
        if webhooks is None and configured:
            standby = await webhook_poster(storage, standby=True)
        if webhooks is not None and not configured:  # webhooks alone: no terminal session
            from bot.logs import console_at

            console_at(settings.ops.log_level)
            configured = True
        terminal_mode = not configured
        metrics: Metrics | None = None
        if ops_wanted(settings, terminal_mode=terminal_mode):
            from bot.ops import metrics as ops_metrics  # prometheus is imported only when served

            metrics = ops_metrics.Metrics()
        prices = price_service(settings, storage)
        if metrics is not None:
            from bot.ops.runtime import instrument_prices

            instrument_prices(prices, metrics)
        services = Services(
            prices=prices,
            settings=storage,
            default_language=settings.chat.default_language,
            about_source=prices.source.name,
            alerts=storage,
            max_alerts=settings.digest.max_alerts_per_server,
            site=site_for(settings),
        )
        dispatcher = Dispatcher(services, on_command=metrics.command if metrics else None)
        adapters: list[Adapter] = (
            list(extra_adapters(dispatcher))
            if extra_adapters
            else platform_adapters(settings, dispatcher, storage)
        )
        if webhooks is not None:
            adapters.append(webhooks)
        if configured and not adapters:
            log.error("no chat adapter could be started; see the errors above")
            return 1
        watcher: WatchedInput | None = None
        if terminal_mode:
            private_dir(settings.storage.data_dir)
            language = await dispatcher.safe_language_for("terminal", "local")
            stdin, watcher = watched_stdin(stdin, state_message(settings, language))
            adapters.append(
                TerminalAdapter(
                    dispatcher,
                    stdin=stdin,
                    stdout=stdout,
                    history_path=settings.storage.data_dir / "terminal_history",
                )
            )
        log.info(
            "starting adapters=%s database=%s price_source=%s state=%s",
            ",".join(a.name for a in adapters),
            storage.dialect,
            prices.source.name,
            state_location(settings),
        )
        waiting = adapter_posters([standby]) if standby is not None else {}
        digests = await start_digests(settings, storage, prices, adapters, extra=waiting)
        posters = {**waiting, **adapter_posters(adapters)}
        alerts = start_alerts(settings, storage, prices, posters, digests)
        if alerts is not None:
            alerts.runner.site_url = settings.site.public_url
        ops: OpsServer | None = None
        if metrics is not None:
            from bot.ops.runtime import start_ops

            if digests is not None:
                digests.runner.on_report = metrics.digest_report
            try:
                ops = await start_ops(settings, storage, adapters, digests, metrics)
            except OSError as exc:
                log.error(
                    "http server could not listen on %s:%d (%s); set SIGNALBOT_HTTP_PORT to a "
                    "free port or SIGNALBOT_OPS_SERVER=off",
                    settings.ops.http_host,
                    settings.ops.http_port,
                    exc.strerror or exc,
                )
                if digests is not None:
                    await digests.stop()
                return 1
        site = _start_site(settings, storage, prices, digests)
        stop = asyncio.Event()
        signalled: list[int] = []  # SIGINT/SIGTERM came (not the end of input)

        def on_signal(sig: int) -> None:
            signalled.append(sig)
            stop.set()

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, on_signal, sig)

        crashed: set[str] = set()

        async def supervise(adapter: Adapter) -> None:
            try:
                await adapter.run()
            except asyncio.CancelledError:
                raise
            except AdapterUnusable as exc:  # a configuration problem: one line says what to fix
                log.error("adapter=%s cannot start: %s", adapter.name, exc)
                crashed.add(adapter.name)
                return
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
        if site is not None:
            await site.aclose()
        await _stop_all([*adapters, *([standby] if standby is not None else [])])
        if ops is not None:
            await ops.stop()
        await prices.aclose()
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
    if watcher is not None and not watcher.commands and not signalled:
        print(NOTHING_TO_SERVE, file=sys.stderr)  # not 0 in silence: a restart loop
        return EXIT_NOTHING_TO_SERVE
    # every adapter crashed: fail, so a supervisor (systemd, Docker) restarts the bot
    return 1 if crashed and len(crashed) == len(adapters) else 0


def _start_site(
    settings: Settings, storage: Storage, prices: PriceService, digests: DigestScheduler | None
) -> SiteUpdater | None:
    """Digests and alerts link to the research site; its pages are written after digests."""
    from formatting.card_json import card_json  # the pages' data is signal --json's

    return start_site_updates(settings, storage, prices, digests, card_json)
