"""Answers too large to read, for the body cap (signals/sources/http.py): a ``Content-Length``
far over any cap, or a chunked body with no length that goes on and on.

Both are what a misbehaving upstream or a proxy's error page can send: HTTP/1.1 lets a server
announce any ``Content-Length`` (RFC 9110 section 8.6) or send ``Transfer-Encoding: chunked``
with no length at all (RFC 9112 section 7.1), so a client can only protect itself by checking
the one and counting the other. The body is JSON whitespace inside a list (``[   ...   ]``), so
a client that reads it whole also parses it: the memory is spent on reading, not on objects.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

#: The announced length of a "huge" answer: 10 GiB.
HUGE_LENGTH = 10 * 1024**3
CHUNK = b" " * (256 * 1024)


@dataclass
class Pour:
    """How much an endless answer may send (so a broken client still ends) and what it sent."""

    limit: int = 400 * 1024 * 1024
    sent: int = 0
    answers: int = 0

    async def huge_length(self, request: web.Request) -> web.StreamResponse:
        """``Content-Length: 10 GiB``, then as much of it as the client takes (up to ``limit``)."""
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.content_length = HUGE_LENGTH
        return await self._pour(request, response)

    async def endless(self, request: web.Request) -> web.StreamResponse:
        """A chunked answer with no length: ``limit`` bytes, then ``]`` (valid JSON, if read)."""
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        return await self._pour(request, response)

    async def sized(self, request: web.Request) -> web.StreamResponse:
        """An honest answer of ``limit`` bytes with its true ``Content-Length``."""
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.content_length = self.limit + 2
        return await self._pour(request, response)

    async def _pour(self, request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
        self.answers += 1
        await response.prepare(request)
        try:
            await response.write(b"[")
            poured = 0
            while poured < self.limit:
                piece = CHUNK[: self.limit - poured]
                await response.write(piece)
                poured += len(piece)
                self.sent += len(piece)
            await response.write(b"]")
            await response.write_eof()
        except (ConnectionError, RuntimeError):  # the client hung up: what a cap does
            pass
        return response
