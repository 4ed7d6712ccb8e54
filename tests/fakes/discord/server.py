"""The fake Discord: REST, channel messages and gateway on one aiohttp server on 127.0.0.1.

One class serves every use: the adapter tests (login, command sync, interactions pushed through
the gateway, follow-ups), the digest tests (channel messages with nonces, a rate limit, history
and a :class:`~tests.fakes.gate.Gate`), a full ``signalbot run`` (all of it) and the fan-out
benchmark, which runs it as a process (``python -m tests.fakes.discord``).
"""

from __future__ import annotations

from aiohttp import web

from tests.fakes.discord.channels import ChannelMessages
from tests.fakes.discord.gateway import Gateway
from tests.fakes.discord.payloads import API_PREFIX, BOT_USER_ID, json_response
from tests.fakes.discord.rest import Rest
from tests.fakes.gate import connections


class FakeDiscord(Rest, ChannelMessages, Gateway):
    """The fake server; ``base_url`` is what ``DISCORD_API_BASE_URL`` should be.

    ``guild_count`` is the application's approximate guild count; ``rate``, ``delay``,
    ``dedupe`` and ``author_id`` shape the channel messages (see
    :class:`~tests.fakes.discord.channels.ChannelMessages`).
    """

    def __init__(
        self,
        *,
        guild_count: int = 3,
        rate: float = 50.0,
        delay: float = 0.0,
        dedupe: bool = True,
        author_id: str = str(BOT_USER_ID),
    ) -> None:
        Rest.__init__(self)
        ChannelMessages.__init__(self, rate=rate, delay=delay, dedupe=dedupe, author_id=author_id)
        Gateway.__init__(self)
        self.guild_count = guild_count
        self.port = 0
        self.base_url = ""
        self.gateway_url = ""
        self._runner: web.AppRunner | None = None

    @property
    def connections(self) -> int:
        """Connections open to the server (see :func:`tests.fakes.gate.connections`)."""
        return connections(self._runner)

    async def start(self, port: int = 0) -> FakeDiscord:
        """Listen on ``port`` of 127.0.0.1 (0: a free one the OS picks)."""
        app = web.Application(client_max_size=32 * 1024 * 1024)  # digests carry heatmaps
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self.handle)
        app.router.add_get("/gateway", self.gateway)
        app.router.add_get("/_record", self._summary)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{self.port}{API_PREFIX}"
        self.gateway_url = f"ws://127.0.0.1:{self.port}/gateway"
        return self

    async def stop(self) -> None:
        """Close the gateway sockets and stop listening."""
        await self.close_sockets()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _summary(self, request: web.Request) -> web.Response:
        return json_response(self.summary())
