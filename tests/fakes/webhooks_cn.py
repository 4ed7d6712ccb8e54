"""Local fakes of the Feishu/Lark custom bot, the WeCom group robot and the DingTalk custom robot.

One aiohttp server on 127.0.0.1 (a free port) answers all three at their documented paths:

- Feishu/Lark ``POST /open-apis/bot/v2/hook/<token>``
  (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot): with a secret, the body's
  ``timestamp`` (seconds) and ``sign`` must be Base64(HMAC-SHA256(key=timestamp+"\\n"+secret,
  message="")) and the timestamp within one hour, else code 19021 "sign match fail or timestamp
  is not within one hour from current time"; an unknown token is 19001; a body over 20 KB is
  refused (the guide gives the limit, not the code: 9499 "request body too large" here); 100
  messages a minute per bot, then 11232 "frequency limited"; ``msg_type`` other than text, post,
  image, share_chat, interactive is 9499 "unsupported msg_type".
- WeCom ``POST /cgi-bin/webhook/send?key=<key>``
  (https://developer.work.weixin.qq.com/document/path/91770): an unknown key is 93000 "invalid
  webhook url"; ``markdown.content`` over 4,096 UTF-8 bytes is 40058 "markdown.content exceed max
  length 4096"; an image over 2 MB or whose MD5 is not that of its bytes is 40009; the 21st
  message in a minute is 45009 "api freq out of limit"; an unknown ``msgtype`` is 40008.
- DingTalk ``POST /robot/send?access_token=<token>[&timestamp=<ms>&sign=<sign>]``
  (https://open.dingtalk.com/document/robots/custom-robot-access): with a secret, ``sign`` must be
  Base64(HMAC-SHA256(key=secret, message=timestamp+"\\n"+secret)) (URL-decoded from the query) and
  the timestamp within one hour, else 310000 "sign not match" / "invalid timestamp"; an unknown
  token is 300001; the 21st message in a minute is 130101 "send too fast, exceed 20 times per
  minute" and every message for ten minutes after it too; a body over 20,000 bytes is 460101
  "message too long"; an unknown ``msgtype`` is 40035.

The clock is passed in (``clock``: epoch seconds), so a test moves time instead of sleeping.
Every accepted message is kept in :attr:`FakeCN.accepted` by robot.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.feishu_open import FeishuOpen
from tests.fakes.gate import Gate

JSON = dict[str, Any]
HOUR = 3600.0
FEISHU_MAX_BODY = 20 * 1024
FEISHU_PER_MINUTE = 100
FEISHU_TYPES = {"text", "post", "image", "share_chat", "interactive"}
WECOM_MAX_MARKDOWN = 4096
WECOM_MAX_IMAGE = 2 * 1024 * 1024
WECOM_TYPES = {"text", "markdown", "image", "news", "file", "template_card"}
DINGTALK_MAX_BODY = 20_000
DINGTALK_TYPES = {"text", "link", "markdown", "actionCard", "feedCard"}
PER_MINUTE = 20
DINGTALK_BLOCK = 600.0


def feishu_expected(secret: str, timestamp: str) -> str:
    """The sign Feishu expects (written here independently of the bot's signer)."""
    mac = hmac.new(f"{timestamp}\n{secret}".encode(), digestmod=hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def dingtalk_expected(secret: str, timestamp: str) -> str:
    """The (URL-decoded) sign DingTalk expects."""
    mac = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), digestmod=hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


@dataclass
class Robot:
    """One robot: its platform, secret (None: unsigned), and what it has accepted."""

    platform: str
    secret: str | None = None
    sent: deque[float] = field(default_factory=deque)
    blocked_until: float = 0.0


@dataclass
class FakeCN:
    """The three platforms' robots by token; ``clock`` is the platforms' time (epoch seconds)."""

    clock: Callable[[], float] = time.time
    robots: dict[str, Robot] = field(default_factory=dict)
    accepted: dict[str, list[JSON]] = field(default_factory=lambda: defaultdict(list))
    refused: list[tuple[str, int]] = field(default_factory=list)
    base_url: str = ""
    #: The Feishu server API (token, image upload) on the same origin, when a test needs it.
    open_api: FeishuOpen | None = None
    #: Where WeCom posts wait (tests/fakes/gate.py): ``store`` holds them before they are kept.
    gate: Gate | None = None

    def add(self, platform: str, token: str, secret: str | None = None) -> str:
        """Register a robot; returns its webhook URL on this fake."""
        self.robots[token] = Robot(platform, secret)
        return self.url(platform, token)

    def url(self, platform: str, token: str) -> str:
        """The webhook URL of ``token`` on ``platform`` (``feishu``, ``lark``, ``wecom``, ...)."""
        if platform in ("feishu", "lark"):
            return f"{self.base_url}/open-apis/bot/v2/hook/{token}"
        if platform == "wecom":
            return f"{self.base_url}/cgi-bin/webhook/send?key={token}"
        return f"{self.base_url}/robot/send?access_token={token}"

    # --- shared ----------------------------------------------------------------------------

    def _over_rate(self, robot: Robot, limit: int, now: float) -> bool:
        """Record a message at ``now``; True when it is over ``limit`` in the last minute."""
        while robot.sent and robot.sent[0] <= now - 60.0:
            robot.sent.popleft()
        if len(robot.sent) >= limit:
            return True
        robot.sent.append(now)
        return False

    def _answer(self, token: str, key: str, code: int, msg: str, status: int = 200) -> web.Response:
        if code:
            self.refused.append((token, code))
        return web.json_response(
            {key: code, "msg" if key == "code" else "errmsg": msg}, status=status
        )

    # --- Feishu / Lark ---------------------------------------------------------------------

    async def feishu(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        raw = await request.read()
        robot = self.robots.get(token)
        if robot is None or robot.platform not in ("feishu", "lark"):
            return self._answer(
                token, "code", 19001, "param invalid: incoming webhook access token invalid"
            )
        if len(raw) > FEISHU_MAX_BODY:
            return self._answer(token, "code", 9499, "request body too large", status=400)
        body = json.loads(raw)
        if robot.secret is not None:
            stamp = str(body.get("timestamp", ""))
            fresh = stamp.isdigit() and abs(self.clock() - int(stamp)) <= HOUR
            good = hmac.compare_digest(
                str(body.get("sign", "")), feishu_expected(robot.secret, stamp)
            )
            if not (fresh and good):
                return self._answer(
                    token,
                    "code",
                    19021,
                    "sign match fail or timestamp is not within one hour from current time",
                )
        if body.get("msg_type") not in FEISHU_TYPES:
            return self._answer(
                token, "code", 9499, "Bad Request: unsupported msg_type", status=400
            )
        if self._over_rate(robot, FEISHU_PER_MINUTE, self.clock()):
            return self._answer(token, "code", 11232, "frequency limited")
        self.accepted[token].append(body)
        return web.json_response({"code": 0, "data": {}, "msg": "success"})

    # --- WeCom -----------------------------------------------------------------------------

    async def wecom(self, request: web.Request) -> web.Response:
        token = request.query.get("key", "")
        robot = self.robots.get(token)
        if robot is None or robot.platform != "wecom":
            return self._answer(token, "errcode", 93000, "invalid webhook url")
        body = json.loads(await request.read())
        kind = body.get("msgtype")
        if kind not in WECOM_TYPES:
            return self._answer(token, "errcode", 40008, "invalid message type")
        if kind == "markdown":
            content = str(body.get("markdown", {}).get("content", ""))
            if len(content.encode("utf-8")) > WECOM_MAX_MARKDOWN:
                return self._answer(
                    token, "errcode", 40058, "markdown.content exceed max length 4096"
                )
        if kind == "image":
            data = base64.b64decode(body["image"]["base64"])
            md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
            if len(data) > WECOM_MAX_IMAGE or md5 != body["image"].get("md5"):
                return self._answer(token, "errcode", 40009, "invalid image size")
        if self._over_rate(robot, PER_MINUTE, self.clock()):
            return self._answer(token, "errcode", 45009, "api freq out of limit")
        gate = self.gate  # the gate of the moment the post came in
        if gate is not None and gate.where == "store" and not await gate.wait():
            return web.json_response({"errcode": -1, "errmsg": "system busy"}, status=500)
        self.accepted[token].append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    # --- DingTalk --------------------------------------------------------------------------

    async def dingtalk(self, request: web.Request) -> web.Response:
        token = request.query.get("access_token", "")
        robot = self.robots.get(token)
        if robot is None or robot.platform != "dingtalk":
            return self._answer(token, "errcode", 300001, "token is not exist")
        raw = await request.read()
        now = self.clock()
        if robot.secret is not None:
            stamp = request.query.get("timestamp", "")
            if not stamp.isdigit() or abs(now * 1000 - int(stamp)) > HOUR * 1000:
                return self._answer(token, "errcode", 310000, "invalid timestamp")
            if not hmac.compare_digest(
                request.query.get("sign", ""), dingtalk_expected(robot.secret, stamp)
            ):
                return self._answer(token, "errcode", 310000, "sign not match")
        if len(raw) > DINGTALK_MAX_BODY:
            return self._answer(token, "errcode", 460101, "message too long")
        body = json.loads(raw)
        if body.get("msgtype") not in DINGTALK_TYPES:
            return self._answer(token, "errcode", 40035, "unsupported msgtype")
        if now < robot.blocked_until:
            return self._answer(
                token, "errcode", 130101, "send too fast, exceed 20 times per minute"
            )
        if self._over_rate(robot, PER_MINUTE, now):
            robot.blocked_until = now + DINGTALK_BLOCK
            return self._answer(
                token, "errcode", 130101, "send too fast, exceed 20 times per minute"
            )
        self.accepted[token].append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})


@asynccontextmanager
async def running(fake: FakeCN) -> AsyncIterator[FakeCN]:
    """Serve ``fake`` on 127.0.0.1 (a free port) for the duration."""
    app = web.Application(client_max_size=16 * 1024 * 1024)  # room for a 10 MB image
    app.router.add_post("/open-apis/bot/v2/hook/{token}", fake.feishu)
    app.router.add_post("/cgi-bin/webhook/send", fake.wecom)
    app.router.add_post("/robot/send", fake.dingtalk)
    if fake.open_api is not None:
        fake.open_api.routes(app)
    runner = web.AppRunner(app, access_log=None)  # the bot's log is under test, not the fake's
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    fake.base_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield fake
    finally:
        await runner.cleanup()
