"""The ops HTTP server: ``/healthz``, ``/readyz`` and ``/metrics`` on ``SIGNALBOT_HTTP_PORT``.

When Slack runs in HTTP mode (or serves OAuth pages) on the same port, its routes are mounted on
this server's application (:meth:`OpsServer.mount`) and the Slack adapter does not listen itself,
so one port answers both and health stays up even when Slack is down.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.ops.health import Readiness
from bot.ops.metrics import CONTENT_TYPE_LATEST, Metrics

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"
SHUTDOWN_TIMEOUT = 2.0  # seconds an open request gets when the bot stops


class OpsServer:
    """Serves health, readiness and metrics (plus mounted routes) on ``host:port``."""

    def __init__(self, readiness: Readiness, metrics: Metrics, *, host: str, port: int) -> None:
        self.readiness = readiness
        self.metrics = metrics
        self.host = host
        self.port = port
        self.app = web.Application()
        self.app.router.add_get(HEALTH_PATH, self.healthz)
        self.app.router.add_get(READY_PATH, self.readyz)
        self.app.router.add_get(METRICS_PATH, self.metrics_page)
        self._runner: web.AppRunner | None = None

    def mount(self, other: web.Application) -> None:
        """Serve ``other``'s routes too (before :meth:`start`); paths must not collide."""
        for route in other.router.routes():
            info = route.resource.canonical if route.resource is not None else None
            if info is None or route.method == "HEAD":
                continue  # aiohttp adds HEAD for each GET again below
            if route.method == "GET":
                self.app.router.add_get(info, route.handler)
            else:
                self.app.router.add_route(route.method, info, route.handler)

    async def healthz(self, request: web.Request) -> web.Response:
        """The process is alive and its event loop answers."""
        return web.json_response({"status": "ok"})

    async def readyz(self, request: web.Request) -> web.Response:
        """200 when every part is up, else 503; the body names what is down."""
        ready, body = await self.readiness.report()
        return web.json_response(body, status=200 if ready else 503)

    async def metrics_page(self, request: web.Request) -> web.Response:
        """Every metric in the Prometheus text format."""
        return web.Response(
            body=self.metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    async def start(self) -> None:
        """Bind and listen."""
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self.port == 0:  # the OS picked the port (tests bind 0 so no two can race for one)
            self.port = int(self._runner.addresses[0][1])
        log.info(
            "http listening host=%s port=%d paths=%s,%s,%s",
            self.host,
            self.port,
            HEALTH_PATH,
            READY_PATH,
            METRICS_PATH,
        )

    async def stop(self) -> None:
        """Stop listening; open requests get :data:`SHUTDOWN_TIMEOUT` seconds."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
