"""A fake Slack Web API on 127.0.0.1 that records every call, plus request-signing helpers."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
TEAM = "T0TEST"


@dataclass
class Call:
    """One request the fake received: the API method (or ``response``/``upload``) and its data."""

    method: str
    params: dict[str, Any]
    token: str | None
    path: str
    raw: bytes = b""


@dataclass
class Failure:
    """A scripted answer for the next ``times`` calls of a method."""

    error: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


class FakeSlack:
    """``/api/<method>`` answers like Slack; ``/response/<n>`` stands in for response URLs."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.failures: dict[str, list[Failure]] = {}
        self.url = ""
        self._changed = asyncio.Condition()
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._ws: web.WebSocketResponse | None = None

    # --- scripting -------------------------------------------------------------------------
    def fail(self, method: str, error: str, *, status: int = 200, times: int = 1, **headers: str):
        """Answer the next ``times`` calls of ``method`` with ``{"ok": false, "error": error}``."""
        failure = Failure(
            error, status, {k.replace("_", "-"): v for k, v in headers.items()}, times
        )
        self.failures.setdefault(method, []).append(failure)

    def user(self, user_id: str, **flags: bool) -> None:
        """Define what ``users.info`` says about ``user_id`` (``is_admin=True``...)."""
        self.users[user_id] = {"id": user_id, "team_id": TEAM, **flags}

    # --- inspection ------------------------------------------------------------------------
    def of(self, method: str) -> list[Call]:
        """Every recorded call of ``method``."""
        return [c for c in self.calls if c.method == method]

    @property
    def responses(self) -> list[dict[str, Any]]:
        """Bodies posted to response URLs, in order."""
        return [c.params for c in self.of("response")]

    def response_url(self, name: str = "1") -> str:
        """A response URL served by this fake."""
        return f"{self.url}/response/{name}"

    async def wait_for(self, predicate: Callable[[], bool], seconds: float = 10.0) -> None:
        """Wait until ``predicate()`` holds (checked after every recorded call)."""
        async with asyncio.timeout(seconds), self._changed:
            await self._changed.wait_for(predicate)

    # --- server ----------------------------------------------------------------------------
    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)  # users.info is a GET
        app.router.add_post("/response/{name}", self._response)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _params(self, request: web.Request) -> tuple[dict[str, Any], bytes]:
        raw = await request.read()
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json" and raw:
            params.update(json.loads(raw))
        elif request.content_type == "application/x-www-form-urlencoded":
            params.update((await request.post()).items())
        return params, raw

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params, raw = await self._params(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or params.get("token")
        await self._record(Call(method, params, token, request.path, raw))
        queue = self.failures.get(method)
        if queue:
            failure = queue[0]
            failure.times -= 1
            if failure.times <= 0:
                queue.pop(0)
            return web.json_response(
                {"ok": False, "error": failure.error},
                status=failure.status,
                headers=failure.headers,
            )
        return web.json_response({"ok": True, **self._answer(method, params)})

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"team_id": TEAM, "user_id": "UBOT", "bot_id": "BBOT", "team": "Test"}
        if method == "users.info":
            user = params.get("user", "")
            return {"user": self.users.get(user, {"id": user, "team_id": TEAM})}
        if method == "chat.postMessage":
            return {
                "channel": params.get("channel"),
                "ts": f"{int(time.time())}.{next(self._ts):06d}",
            }
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            return {"file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = json.loads(params.get("files", "[]"))
            return {"files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if method == "apps.connections.open":
            return {"url": self.url.replace("http://", "ws://") + "/socket"}
        if method == "oauth.v2.access":
            return {
                "app_id": "A0TEST",
                "authed_user": {"id": "UINSTALLER"},
                "scope": "commands,chat:write",
                "token_type": "bot",
                "access_token": "xoxb-installed-T0OTHER",
                "bot_user_id": "UBOT2",
                "team": {"id": "T0OTHER", "name": "Other"},
                "enterprise": None,
                "is_enterprise_install": False,
            }
        return {}

    async def _response(self, request: web.Request) -> web.Response:
        params, raw = await self._params(request)
        await self._record(Call("response", params, None, request.path, raw))
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, record what the client sends (acks carry the envelope id)."""
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        async with self._changed:
            self._ws = ws
            self._changed.notify_all()
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {}})
        async for message in ws:
            if message.type == web.WSMsgType.TEXT:
                await self._record(Call("socket", json.loads(message.data), None, request.path))
        return ws

    async def socket_send(self, envelope: dict[str, Any]) -> None:
        """Push a Socket Mode envelope to the connected client."""
        await self.wait_for(lambda: self._ws is not None)
        assert self._ws is not None
        await self._ws.send_json(envelope)

    async def _upload(self, request: web.Request) -> web.Response:
        raw = await request.read()
        await self._record(
            Call("upload", {"file_id": request.match_info["file_id"]}, None, request.path, raw)
        )
        return web.Response(text="OK")


# --- signed requests --------------------------------------------------------------------------
def signed_headers(
    body: str,
    *,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    json_body: bool = False,
) -> dict[str, str]:
    """Headers Slack would send with ``body``, signed with ``secret`` at ``timestamp``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    content_type = "application/json" if json_body else "application/x-www-form-urlencoded"
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": ts,
        "x-slack-signature": signature,
    }


def slash_body(
    text: str,
    *,
    response_url: str,
    team: str = TEAM,
    user: str = "U0MEMBER",
    channel: str = "C0GENERAL",
) -> str:
    """A form-encoded ``/signal`` payload as Slack sends it."""
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": team,
            "team_domain": "test",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": "member",
            "command": "/signal",
            "text": text,
            "api_app_id": "A0TEST",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": "1.2.3",
        }
    )


def signed_request(body: str, **kwargs: Any) -> AsyncBoltRequest:
    """``body`` as a bolt request carrying a valid signature (override with ``kwargs``)."""
    json_body = body.startswith("{")
    return AsyncBoltRequest(body=body, headers=signed_headers(body, json_body=json_body, **kwargs))


def home_opened_body(*, user: str = "U0MEMBER", team: str = TEAM) -> str:
    """An ``app_home_opened`` Events API callback."""
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": team,
            "api_app_id": "A0TEST",
            "type": "event_callback",
            "event_id": "Ev0TEST",
            "event_time": int(time.time()),
            "event": {
                "type": "app_home_opened",
                "user": user,
                "channel": "D0HOME",
                "tab": "home",
                "event_ts": f"{time.time():.6f}",
            },
            "authorizations": [
                {"team_id": team, "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}
            ],
        }
    )
