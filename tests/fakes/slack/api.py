"""The fake Slack Web API on 127.0.0.1: records every call, answers like Slack.

What it imitates, and from where (slack_sdk 3.48 / slack_bolt 1.30 sources in the venv, and the
public docs and issue threads named here):

- ``oauth.v2.access`` with a code answers a plain workspace install, a workspace inside an
  Enterprise Grid (``team`` and ``enterprise``), or an org-wide install (``team: null``,
  ``is_enterprise_install: true``), optionally with token rotation (``refresh_token``,
  ``expires_in``); with ``grant_type=refresh_token`` it issues a new token and the old one is
  answered ``token_expired`` from then on (slack_sdk ``AsyncTokenRotator``).
- ``conversations.info``: ``is_im``, ``is_private``, ``is_member``, ``is_archived``; a private
  channel the app is not in is ``channel_not_found`` (it cannot see it).
- ``files.completeUploadExternal`` with ``channel_id`` of a channel the app is not in is
  ``not_in_channel`` (``chat:write.public`` does not cover it, python-slack-sdk #1359); without
  a channel the file is shared nowhere. A message whose image block names a ``slack_file`` id
  that was never uploaded is ``invalid_blocks`` "invalid slack file" (python-slack-sdk #1658,
  #1521), on ``chat.postMessage`` and on response URLs alike.
- Events are retried with ``X-Slack-Retry-Num`` / ``X-Slack-Retry-Reason`` (Events API docs).
- ``chat.postMessage`` and ``conversations.history`` keep the channels' messages, with a gate
  and history pages (:mod:`tests.fakes.slack.messages`); the external file upload
  (``files.getUploadURLExternal``, the upload URL, ``files.completeUploadExternal``) is
  accepted and counted (``uploads``).

Requests as Slack sends them to the app (signed slash commands, events) are in
:mod:`tests.fakes.slack.requests`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.gate import connections
from tests.fakes.slack.messages import Messages
from tests.fakes.slack.requests import GRID_TEAM, ORG, TEAM


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


class FakeSlack(Messages):
    """``/api/<method>`` answers like Slack; ``/response/<n>`` stands in for response URLs.

    ``url`` is the server's root (``f"{url}/api"`` or :attr:`api_url` is the Web API base)."""

    def __init__(self, *, delay: float = 0.0) -> None:
        Messages.__init__(self, delay=delay)
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.failures: dict[str, list[Failure]] = {}
        self.channels: dict[str, dict[str, Any]] = {}  # conversations.info answers by id
        self.files: set[str] = set()  # uploaded (completed) file ids
        self.install_kind = "workspace"  # or "grid" (a workspace in a Grid org) or "org"
        self.rotating = False  # installs get a refresh token and expires_in
        self.expires_in = 43_200
        self.expired: set[str] = set()  # tokens refreshed away: token_expired
        self._refreshes = itertools.count(1)
        self._current: dict[str, str] = {}  # refresh token -> the access token it last issued
        self.url = ""
        self._changed = asyncio.Condition()
        self._file_ids = itertools.count(1)
        self.uploads = 0  # files uploaded to an upload URL
        self._runner: web.AppRunner | None = None
        self._ws: web.WebSocketResponse | None = None

    # --- scripting -------------------------------------------------------------------------
    def fail(self, method: str, error: str, *, status: int = 200, times: int = 1, **headers: str):
        """Answer the next ``times`` calls of ``method`` with ``{"ok": false, "error": error}``."""
        failure = Failure(
            error, status, {k.replace("_", "-"): v for k, v in headers.items()}, times
        )
        self.failures.setdefault(method, []).append(failure)

    def user(self, user_id: str, **fields: Any) -> None:
        """Define what ``users.info`` says about ``user_id`` (``is_admin=True``, ``team_id``...)."""
        self.users[user_id] = {"id": user_id, "team_id": TEAM, **fields}

    def channel(self, channel_id: str, **fields: Any) -> None:
        """Define what ``conversations.info`` says (``is_private=True, is_member=False``...);
        a private channel the app is not in is invisible (``channel_not_found``)."""
        self.channels[channel_id] = {"id": channel_id, "is_member": True, **fields}

    # --- inspection ------------------------------------------------------------------------
    @property
    def api_url(self) -> str:
        """The Web API base with its trailing slash (``SLACK_API_BASE_URL``)."""
        return f"{self.url}/api/"

    @property
    def connections(self) -> int:
        """Connections open to the server (see :func:`tests.fakes.gate.connections`)."""
        return connections(self._runner)

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
        app = web.Application(client_max_size=32 * 1024 * 1024)  # digests carry heatmaps
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
        if token in self.expired:
            return web.json_response({"ok": False, "error": "token_expired"})
        queue = self.failures.get(method)
        if queue:
            failure = queue[0]
            failure.times -= 1
            if failure.times <= 0:
                queue.pop(0)
            answer: dict[str, Any] = {"ok": False, "error": failure.error}
            if failure.error == "invalid_blocks":  # as Slack names a file not processed yet
                answer["errors"] = ["invalid slack file [json-pointer:/blocks/1/slack_file]"]
            return web.json_response(
                answer,
                status=failure.status,
                headers=failure.headers,
            )
        refused = self._refusal(method, params)
        if refused is not None:
            return web.json_response({"ok": False, **refused})
        if method == "chat.postMessage":
            return await self.post_message(params)
        if method == "conversations.history":
            return self.history(params)
        return web.json_response({"ok": True, **self._answer(method, params)})

    def bad_files(self, blocks: Any) -> list[str]:
        """JSON pointers of image blocks naming a ``slack_file`` that was never uploaded."""
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        return [
            f"invalid slack file [json-pointer:/blocks/{i}/slack_file]"
            for i, b in enumerate(blocks or [])
            if b.get("type") == "image"
            and "slack_file" in b
            and b["slack_file"].get("id") not in self.files
        ]

    def _refusal(self, method: str, params: dict[str, Any]) -> dict[str, Any] | None:
        if method == "conversations.info":
            channel = self.channels.get(params.get("channel", ""))
            if channel is not None and channel.get("is_private") and not channel["is_member"]:
                return {"error": "channel_not_found"}
        if method == "files.completeUploadExternal":
            channel = self.channels.get(params.get("channel_id", ""))
            if channel is not None and not channel["is_member"]:
                return {"error": "not_in_channel"}
        if method == "chat.postMessage":
            errors = self.bad_files(params.get("blocks"))
            if errors:
                return {"error": "invalid_blocks", "errors": errors}
        return None

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"team_id": TEAM, "user_id": "UBOT", "bot_id": "BBOT", "team": "Test"}
        if method == "users.info":
            user = params.get("user", "")
            return {"user": self.users.get(user, {"id": user, "team_id": TEAM})}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._file_ids):08d}"
            return {"file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = json.loads(params.get("files", "[]"))
            self.files.update(f["id"] for f in files)
            return {"files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if method == "conversations.info":
            channel_id = params.get("channel", "")
            default = {"id": channel_id, "is_member": True, "is_private": False}
            return {"channel": self.channels.get(channel_id, default)}
        if method == "apps.connections.open":
            return {"url": self.url.replace("http://", "ws://") + "/socket"}
        if method == "oauth.v2.access":
            if params.get("grant_type") == "refresh_token":
                return self._refresh(params)
            return self._install()
        return {}

    def _install(self) -> dict[str, Any]:
        team, enterprise = {"id": "T0OTHER", "name": "Other"}, None
        if self.install_kind == "grid":
            team, enterprise = {"id": GRID_TEAM, "name": "Grid team"}, {"id": ORG, "name": "Org"}
        elif self.install_kind == "org":
            team, enterprise = None, {"id": ORG, "name": "Org"}
        key = team["id"] if team else ORG
        answer: dict[str, Any] = {
            "app_id": "A0TEST",
            "authed_user": {"id": "UINSTALLER"},
            "scope": "commands,chat:write",
            "token_type": "bot",
            "access_token": f"xoxb-installed-{key}",
            "bot_user_id": "UBOT2",
            "team": team,
            "enterprise": enterprise,
            "is_enterprise_install": self.install_kind == "org",
        }
        if self.rotating:
            answer |= {"refresh_token": f"xoxe-1-{key}", "expires_in": self.expires_in}
            self._current[f"xoxe-1-{key}"] = answer["access_token"]
        return answer

    def _refresh(self, params: dict[str, Any]) -> dict[str, Any]:
        n = next(self._refreshes)
        refresh = str(params.get("refresh_token"))
        if refresh not in self._current:
            return {"ok": False, "error": "invalid_refresh_token"}
        self.expired.add(self._current[refresh])
        self._current[refresh] = f"xoxb-refreshed-{n}"
        return {
            "app_id": "A0TEST",
            "token_type": "bot",
            "access_token": f"xoxb-refreshed-{n}",
            "refresh_token": params.get("refresh_token"),
            "expires_in": 43_200,
            "scope": "commands,chat:write",
        }

    async def _response(self, request: web.Request) -> web.Response:
        params, raw = await self._params(request)
        await self._record(Call("response", params, None, request.path, raw))
        if self.bad_files(params.get("blocks")):
            return web.Response(status=400, text="invalid_blocks")
        return web.Response(text="ok")

    async def socket_drop(self) -> None:
        """Close the Socket Mode connection from Slack's side."""
        await self.wait_for(lambda: self._ws is not None)
        assert self._ws is not None
        ws, self._ws = self._ws, None
        await ws.close()

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
        self.uploads += 1
        await self._record(
            Call("upload", {"file_id": request.match_info["file_id"]}, None, request.path, raw)
        )
        return web.Response(text="OK")
