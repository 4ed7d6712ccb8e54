"""The chart of a Feishu/Lark card, uploaded with the target's app credentials.

A custom bot cannot upload; an app can, and the ``image_key`` it gets is shown by the bot's card.
Feishu's server API (Lark: the same paths on ``open.larksuite.com``; the host is the target
URL's):

- ``POST /open-apis/auth/v3/tenant_access_token/internal`` with JSON ``{"app_id", "app_secret"}``
  answers ``{"code": 0, "msg": "ok", "tenant_access_token": "t-…", "expire": 7200}`` (seconds);
  a token lives at most two hours, and asked again within its last 30 minutes the endpoint
  gives a new one (https://open.feishu.cn/document/ukTMukTMukTM/ukDNz4SO0MjL5QzM/auth-v3/auth/
  tenant_access_token_internal). A wrong secret is code 10014 "app secret invalid", an unknown
  app 10003 "invalid param". The token is kept until :data:`MARGIN` before it expires.
- ``POST /open-apis/im/v1/images`` (``Authorization: Bearer <token>``, multipart/form-data with
  ``image_type=message`` and ``image``) answers ``{"code": 0, "data": {"image_key": "img_…"}}``;
  an image may hold at most 10 MB and not 0 bytes (https://open.feishu.cn/document/uAjLw4CM/
  ukTMukTMukTM/reference/im-v1/image/create). A token no longer valid is 99991663 "Invalid
  access token for authorization" (asked for a new one, once); an app without the
  ``im:resource`` permission 99991672.

Credentials that do not work pause the target with a plain reason (:class:`AppRefused`); any
other failure leaves the chart out of that card (logged). The token, the secret and the URL are
never in a log line or an error. One chart is uploaded once per app (by its bytes' SHA-256),
however many targets and retries post it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from bot.adapters.base import Attachment

log = logging.getLogger(__name__)

TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"  # noqa: S105 (a path)
IMAGES_PATH = "/open-apis/im/v1/images"
#: Documented: an image may hold at most 10 MB.
MAX_IMAGE = 10 * 1024 * 1024
#: Seconds before a token's expiry it is no longer used (the endpoint renews in the last 30 min).
MARGIN = 300.0
#: Codes of a token no longer valid (invalid, missing): fetch a new one and upload again once.
TOKEN_GONE = frozenset({99991663, 99991661})
#: Upload codes that mean the app itself cannot do it (no ``im:resource`` permission, or no bot).
APP_CANNOT = frozenset({99991672})
#: image_keys remembered (charts are one per digest and session, so this is many days' worth).
MAX_KEYS = 4096
MAX_ANSWER = 64 * 1024


class AppRefused(Exception):
    """The app's credentials (or its permissions) do not work: ``reason`` in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class App:
    """One app: the API's origin (the target URL's) and its credentials."""

    base: str
    app_id: str
    app_secret: str
    platform: str  # "Feishu" or "Lark", for the reasons shown


def api_base(url: str) -> str:
    """The origin of a webhook URL: where the same platform's server API answers."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class _Token:
    value: str
    until: float  # monotonic


class FeishuImages:
    """Tenant tokens (cached until near expiry) and uploaded charts' keys, shared by targets."""

    def __init__(
        self, session: Callable[[], aiohttp.ClientSession], monotonic: Callable[[], float]
    ) -> None:
        self._session = session
        self._monotonic = monotonic
        self._tokens: dict[tuple[str, str], _Token] = {}
        self._keys: dict[tuple[str, str, str], str] = {}
        self._locks: dict[tuple[str, str, str], asyncio.Lock] = {}
        self.token_requests = 0  # tests, benchmarks
        self.uploads = 0

    async def image_key(self, app: App, image: Attachment) -> str | None:
        """The chart's ``image_key`` (uploaded once per app), or None when it cannot be shown
        (logged); :class:`AppRefused` when the credentials do not work."""
        size = len(image.data)
        if not 0 < size <= MAX_IMAGE:
            log.warning("feishu chart of %d bytes left out: the limit is 10 MB, not empty", size)
            return None
        key = (app.base, app.app_id, hashlib.sha256(image.data).hexdigest())
        found = self._keys.get(key)
        if found is not None:
            return found
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:  # targets of one app posting the same chart at once: one upload
                found = self._keys.get(key)
                if found is None:
                    found = await self._upload(app, image)
                    if found is not None:
                        if len(self._keys) >= MAX_KEYS:
                            self._keys.clear()
                        self._keys[key] = found
        finally:
            self._locks.pop(key, None)
        return found

    async def _upload(self, app: App, image: Attachment) -> str | None:
        for attempt in range(2):
            token = await self._token(app)
            form = aiohttp.FormData()
            form.add_field("image_type", "message")
            form.add_field("image", image.data, filename=image.filename, content_type="image/png")
            self.uploads += 1
            status, data = await self._call(
                app, IMAGES_PATH, form, {"Authorization": f"Bearer {token}"}
            )
            code = data.get("code")
            inner = data.get("data")
            if code == 0 and isinstance(inner, dict) and isinstance(inner.get("image_key"), str):
                return str(inner["image_key"])
            if code in TOKEN_GONE and attempt == 0:
                self._tokens.pop((app.base, app.app_id), None)
                continue
            if code in TOKEN_GONE or code in APP_CANNOT:
                raise AppRefused(
                    f"{app.platform} would not let the app upload the chart (code {code}): give "
                    "the app the im:resource permission and its bot ability, or check --app-id"
                )
            log.warning(
                "feishu chart not uploaded (HTTP %d, code %s: %s); the card goes without it",
                status,
                code,
                str(data.get("msg", ""))[:200],
            )
            return None
        return None

    async def _token(self, app: App) -> str:
        cached = self._tokens.get((app.base, app.app_id))
        if cached is not None and self._monotonic() < cached.until:
            return cached.value
        self.token_requests += 1
        body = json.dumps({"app_id": app.app_id, "app_secret": app.app_secret}).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        status, data = await self._call(app, TOKEN_PATH, body, headers)
        token, expire = data.get("tenant_access_token"), data.get("expire")
        if data.get("code") == 0 and isinstance(token, str) and token:
            seconds = float(expire) if isinstance(expire, int | float) else 7200.0
            until = self._monotonic() + max(seconds - MARGIN, 0.0)
            self._tokens[(app.base, app.app_id)] = _Token(token, until)
            return token
        if status >= 500 or data.get("code") is None:
            raise _Unavailable(f"{app.platform}: no token (HTTP {status})")
        raise AppRefused(
            f"{app.platform} refused the app's credentials (code {data.get('code')}): check "
            "--app-id and --app-secret (webhook remove, then add again with the right ones)"
        )

    async def _call(
        self, app: App, path: str, data: Any, headers: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        """POST to the app's API; HTTP status and the JSON answer ({} when it is not JSON)."""
        try:
            async with self._session().post(app.base + path, data=data, headers=headers) as resp:
                raw = await resp.content.read(MAX_ANSWER)
                status = resp.status
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            # the exception's text may hold the URL: only its class is told
            raise _Unavailable(f"{app.platform}: not reachable ({type(exc).__name__})") from None
        try:
            answer = json.loads(raw.decode("utf-8", "replace"))
        except ValueError:
            answer = {}
        return status, answer if isinstance(answer, dict) else {}


class _Unavailable(Exception):
    """The API did not answer usefully (network, server error): the chart is left out."""


async def chart_key(images: FeishuImages, app: App, image: Attachment) -> str | None:
    """:meth:`FeishuImages.image_key`, with the API being down meaning no chart (logged)."""
    try:
        return await images.image_key(app, image)
    except _Unavailable as exc:
        log.warning("feishu chart not uploaded: %s; the card goes without it", exc)
        return None
