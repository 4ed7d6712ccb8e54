"""``signalbot digest run`` and ``signalbot digest preview`` (imported by the CLI when used)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import cast

from bot.delivery.posters import TextPoster, standalone_posters
from bot.digest.claims import RunReport, Target
from bot.digest.fanout import DigestRunner
from bot.digest.service import digest_prices
from bot.settings import Settings
from commands.digest import MAX_WATCHLIST, preview_digest
from commands.signal import resolve_session
from commands.validation import parse_date, parse_tickers
from formatting.card import Language
from formatting.digest import heatmap_specs
from formatting.digest_render import digest_to_slack, digest_to_text
from signals.service import PriceService

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
RETRY_EVERY = 60.0  # seconds between attempts while waiting for the session's bars
MAX_LEASE_WAITS = 5  # runs that wait for another process's leases before giving up
log = logging.getLogger(__name__)


def _session(prices: PriceService, raw: str | None) -> date:
    """The session asked for (validated like /signal's as_of), or the last closed one."""
    return resolve_session(prices, datetime.now(UTC), parse_date(raw) if raw else None)


async def _print_post(channel_id: str, text: str) -> str:
    print(f"--- digest for terminal channel {channel_id}\n{text}\n", flush=True)
    return f"terminal-{channel_id}"


def _add(total: RunReport, part: RunReport) -> None:
    for name in ("sent", "failed", "gone", "messages", "upstream_calls", "recovered", "stopped"):
        setattr(total, name, getattr(total, name) + getattr(part, name))
    total.skipped, total.deferred = part.skipped, part.deferred


async def _drained(run: asyncio.Task[RunReport], stop: asyncio.Event, bound: float) -> RunReport:
    """The run's report; after ``stop`` it gets ``bound`` seconds to finish posts in flight."""
    stopper = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({run, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if not run.done():
        log.info("digest stop: letting posts in flight finish (at most %.0f s)", bound)
        done, _ = await asyncio.wait({run}, timeout=bound)
        if not done:
            log.warning("digest posts still in flight after %.0f s; stopping anyway", bound)
            run.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await run
            return RunReport(stopped=1)
    return run.result()


async def cmd_digest_run(args: argparse.Namespace, settings: Settings) -> int:
    """Post every enabled subscription's digest of the session (the ledger skips sent ones).

    SIGTERM/SIGINT stop it like ``signalbot run``: nothing new is claimed, posts in flight get
    ``SIGNALBOT_DIGEST_STOP_SECONDS`` to finish. Claims another process still holds are waited
    for until their lease ends (the holder finishes them, or died and they are taken over).
    """
    from bot.services import price_service
    from bot.storage import open_storage

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with open_storage(
        settings.storage.async_database_url,
        busy_timeout=settings.storage.sqlite_busy_timeout_seconds,
    ) as storage:
        prices = digest_prices(price_service(settings, storage))
        session = _session(prices, args.session)
        posters, opened = await standalone_posters(settings, storage)
        posters["terminal"] = TextPoster(_print_post)
        try:
            runner = DigestRunner(
                storage,
                prices,
                posters,
                default_language=settings.chat.default_language,
                retry_backoff=timedelta(0),
                lease=timedelta(seconds=settings.digest.digest_lease_seconds),
            )
            subs = await storage.list_subscriptions()
            deadline = time.monotonic() + max(args.max_wait, 0.0) * 60
            lease_waits = 0
            total = RunReport(sessions=[session])
            while not stop.is_set():
                allow_stale = time.monotonic() >= deadline
                targets = [Target(s, session, allow_stale=allow_stale) for s in subs]
                run = asyncio.create_task(runner.run(targets, active=lambda: not stop.is_set()))
                part = await _drained(run, stop, settings.digest.digest_stop_seconds)
                _add(total, part)
                if part.held and part.lease_ends is not None and lease_waits < MAX_LEASE_WAITS:
                    lease_waits += 1  # another process holds claims: wait for its lease
                    wait = (part.lease_ends - await storage.db_now()).total_seconds() + 0.5
                    await _sleep(stop, min(max(wait, 0.1), runner.lease.total_seconds() + 1))
                    continue
                if not total.deferred or allow_stale:
                    break
                await _sleep(stop, min(RETRY_EVERY, max(deadline - time.monotonic(), 0.0)))
        finally:
            for poster in opened:
                await poster.close()
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(sig)
    print(
        f"digest session={session} subscriptions={len(subs)} sent={total.sent} "
        f"messages={total.messages} failed={total.failed} disabled={total.gone} "
        f"skipped={total.skipped} deferred={total.deferred} recovered={total.recovered} "
        f"stopped={'yes' if stop.is_set() else 'no'} upstream_calls={total.upstream_calls}"
    )
    return EXIT_FAILURE if total.failed or stop.is_set() else EXIT_OK


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def cmd_digest_preview(args: argparse.Namespace, settings: Settings) -> int:
    """Print the digest of ``--tickers`` as the chosen platform would get it."""
    from bot.services import oneoff_database, price_service
    from bot.storage import open_storage

    language = cast(Language, args.lang or settings.chat.default_language)
    tickers = parse_tickers(args.tickers, max_count=MAX_WATCHLIST)
    async with oneoff_database(settings) as url, open_storage(url) as storage:
        prices = price_service(settings, storage)
        session = _session(prices, args.session)
        digest = await preview_digest(prices, storage, tickers, session=session)
    if args.heatmap:
        specs = heatmap_specs(digest, language, colors=args.colors)
        if specs:
            png = await asyncio.to_thread(specs[0].render)
            await asyncio.to_thread(Path(args.heatmap).write_bytes, png)
    if args.json:
        from formatting.digest_json import digest_json

        print(json.dumps(digest_json(digest), ensure_ascii=False, indent=2))
    elif args.platform == "discord":
        from bot.adapters.discord.channel import digest_bodies

        payloads = digest_bodies(digest, language, image=True, colors=args.colors)
        print(json.dumps(payloads, ensure_ascii=False, indent=2))
    elif args.platform == "slack":
        print(json.dumps(digest_to_slack(digest, language), ensure_ascii=False, indent=2))
    else:
        print(digest_to_text(digest, language))
    return EXIT_OK


async def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    """``signalbot digest ...``."""
    if args.digest_command == "preview":
        return await cmd_digest_preview(args, settings)
    if args.max_wait < 0:
        print("signalbot: --max-wait must be >= 0", file=sys.stderr)
        return EXIT_USAGE
    return await cmd_digest_run(args, settings)
