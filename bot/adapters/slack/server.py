"""HTTP mode: an aiohttp server in the bot's loop for Slack's signed requests and OAuth pages."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
SHUTDOWN_TIMEOUT = 2.0  # seconds an open HTTP request gets when the bot stops


def web_app(bolt_app: Any, *, events: bool) -> web.Application:
    """Routes: ``POST /slack/events`` (signature checked by bolt) when ``events``; the install
    and redirect pages when the bolt app has an OAuth flow."""

    async def dispatch(request: web.Request) -> web.Response:
        response: web.Response = await to_aiohttp_response(
            await bolt_app.async_dispatch(await to_bolt_request(request))
        )
        return response

    flow = bolt_app.oauth_flow

    async def install(request: web.Request) -> web.Response:
        response: web.Response = await to_aiohttp_response(
            await flow.handle_installation(await to_bolt_request(request))
        )
        return response

    async def redirect(request: web.Request) -> web.Response:
        response: web.Response = await to_aiohttp_response(
            await flow.handle_callback(await to_bolt_request(request))
        )
        return response

    app = web.Application()
    if events:
        app.router.add_post(EVENTS_PATH, dispatch)
    if flow is not None:
        app.router.add_get(flow.install_path, install)
        app.router.add_get(flow.redirect_uri_path, redirect)
    return app


class HttpServer:
    """Serves :func:`web_app` on ``host:port`` until :meth:`stop`; port 0 takes any free port,
    and :attr:`port` holds the one bound once :meth:`start` returns."""

    def __init__(self, app: web.Application, *, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)

    async def start(self) -> None:
        """Bind and listen."""
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        if self.port == 0:  # the OS picked the port (tests bind 0 so no two can race for one)
            self.port = int(self._runner.addresses[0][1])
        log.info("slack http listening host=%s port=%d path=%s", self.host, self.port, EVENTS_PATH)

    async def stop(self) -> None:
        """Stop listening; open requests get :data:`SHUTDOWN_TIMEOUT` seconds."""
        await self._runner.cleanup()
