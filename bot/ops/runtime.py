"""Wiring of the ops server into ``run_bot``: metrics hooks, Slack routes, start-up."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.adapters.base import Adapter
from bot.ops.health import Readiness, Scheduler
from bot.ops.http import OpsServer
from bot.ops.metrics import CountingSource, CountingStore, Metrics
from bot.settings import Settings
from bot.storage import Storage
from signals.service import PriceService

log = logging.getLogger(__name__)


def instrument_prices(prices: PriceService, metrics: Metrics) -> PriceService:
    """Count upstream calls (by source, each link of the chain) and bar-cache hits of
    ``prices``, in place; services derived from it later (digest, long history) count too."""
    prices.sources = tuple(CountingSource(link, metrics) for link in prices.sources)
    prices.source = prices.sources[0]
    prices.store = CountingStore(prices.store, metrics)
    return prices


async def start_ops(
    settings: Settings,
    storage: Storage,
    adapters: Sequence[Adapter],
    digests: Scheduler | None,
    metrics: Metrics,
) -> OpsServer:
    """Listen on ``SIGNALBOT_HTTP_PORT``, with the Slack HTTP routes mounted when Slack has any
    and Telegram's webhook route in webhook mode.

    Raises OSError when the port cannot be bound (the caller stops with a clear message).
    """
    if digests is not None:
        metrics.watch_leader(lambda: bool(digests.is_leader))
    server = OpsServer(
        Readiness(storage, adapters, digests),
        metrics,
        host=settings.ops.http_host,
        port=settings.ops.http_port,
    )
    if settings.slack.enabled:
        from bot.adapters.slack.app import SlackAdapter

        for adapter in adapters:
            if isinstance(adapter, SlackAdapter) and (routes := adapter.http_app()) is not None:
                server.mount(routes)
                adapter.serve_http = False  # one port: the ops server answers Slack too
    if settings.telegram.enabled:
        from bot.adapters.telegram.app import TelegramAdapter

        for adapter in adapters:
            if not isinstance(adapter, TelegramAdapter):
                continue
            adapter.handlers.on_post = metrics.telegram_post
            if (hook := adapter.http_app()) is not None:
                server.mount(hook)
                adapter.serve_http = False  # one port: the ops server answers Telegram too
    if settings.site.site_serve == "on":
        from bot.site.serve import add_research_routes

        if settings.site.site_dir is None or not settings.site.site_dir.is_dir():
            log.error(
                "SIGNALBOT_SITE_SERVE=on but SIGNALBOT_SITE_DIR=%s is not a folder: "
                "/research/ answers 404 until signalbot site build writes it",
                settings.site.site_dir,
            )
        add_research_routes(
            server.app, settings.site.site_dir or settings.storage.data_dir / "site"
        )
    await server.start()
    return server
