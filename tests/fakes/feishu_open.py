"""A local fake of the two Feishu/Lark server API endpoints that put a chart in a bot's card.

Served by the same server as :mod:`tests.fakes.webhooks_cn` (``FakeCN(open_api=FeishuOpen())``),
so a target's webhook URL and its app's API share an origin, as on open.feishu.cn:

- ``POST /open-apis/auth/v3/tenant_access_token/internal`` (https://open.feishu.cn/document/
  ukTMukTMukTM/ukDNz4SO0MjL5QzM/auth-v3/auth/tenant_access_token_internal): JSON ``app_id`` and
  ``app_secret``; answers ``{"code": 0, "msg": "ok", "tenant_access_token": "t-…", "expire":
  7200}``. An unknown app is 10003 "invalid param", a wrong secret 10014 "app secret invalid"
  (the codes real answers carry). Asked again while the token has 30 minutes or more left, the
  same token; with less, a new one (the old stays valid until it expires).
- ``POST /open-apis/im/v1/images`` (https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/
  reference/im-v1/image/create): ``Authorization: Bearer <tenant_access_token>``, multipart
  ``image_type`` (``message``) and ``image``; answers ``{"code": 0, "msg": "success", "data":
  {"image_key": "img_v3_…"}}``. A missing token is 99991661, an unknown or expired one 99991663
  "Invalid access token for authorization"; an image over 10 MB or of 0 bytes is refused (the
  page gives the limits, not the code: 234006 "image size exceeds limit" here), an
  ``image_type`` other than message/avatar 234001 "invalid request param".

The clock (epoch seconds) is passed in: a test moves time instead of sleeping. Uploaded images
are kept in :attr:`FeishuOpen.images` by key.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

MAX_IMAGE = 10 * 1024 * 1024
TOKEN_LIFE = 7200
RENEW_WITHIN = 1800  # documented: a new token is given in the last 30 minutes


@dataclass
class FeishuOpen:
    """Apps by id (their secrets), the tokens given, and the images uploaded."""

    clock: Callable[[], float] = time.time
    apps: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)  # token -> (app, expiry)
    images: dict[str, bytes] = field(default_factory=dict)
    token_requests: int = 0
    uploads: int = 0
    refused: list[int] = field(default_factory=list)

    def add_app(self, app_id: str, secret: str) -> None:
        self.apps[app_id] = secret

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/open-apis/auth/v3/tenant_access_token/internal", self.token)
        app.router.add_post("/open-apis/im/v1/images", self.upload)

    def _fail(self, code: int, msg: str, status: int = 200) -> web.Response:
        self.refused.append(code)
        return web.json_response({"code": code, "msg": msg}, status=status)

    async def token(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        body = json.loads(await request.read())
        app_id, secret = str(body.get("app_id", "")), str(body.get("app_secret", ""))
        if app_id not in self.apps:
            return self._fail(10003, "invalid param", status=400)
        if self.apps[app_id] != secret:
            return self._fail(10014, "app secret invalid", status=400)
        now = self.clock()
        live = [(t, exp) for t, (a, exp) in self.tokens.items() if a == app_id and exp > now]
        token, expiry = max(live, key=lambda x: x[1]) if live else ("", 0.0)
        if not live or expiry - now < RENEW_WITHIN:
            token, expiry = f"t-{app_id}-{len(self.tokens) + 1:04d}", now + TOKEN_LIFE
            self.tokens[token] = (app_id, expiry)
        return web.json_response(
            {"code": 0, "msg": "ok", "tenant_access_token": token, "expire": int(expiry - now)}
        )

    async def upload(self, request: web.Request) -> web.Response:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return self._fail(99991661, "Missing access token for authorization", status=400)
        given = self.tokens.get(auth.removeprefix("Bearer "))
        if given is None or given[1] <= self.clock():
            return self._fail(99991663, "Invalid access token for authorization", status=400)
        form = await request.post()
        image = form.get("image")
        if form.get("image_type") not in ("message", "avatar") or not isinstance(
            image, web.FileField
        ):
            return self._fail(234001, "invalid request param", status=400)
        data = image.file.read()
        if not 0 < len(data) <= MAX_IMAGE:
            return self._fail(234006, "image size exceeds limit", status=400)
        self.uploads += 1
        key = f"img_v3_{given[0]}_{len(self.images) + 1:04d}"
        self.images[key] = data
        return web.json_response({"code": 0, "msg": "success", "data": {"image_key": key}})
