"""One poster for every webhook target: look the target up, let its kind sign, post, act on the
platform's answer.

- **Per target, never a burst.** Each target has its own :class:`Pacer` at its kind's
  ``per_minute``; a rate-limit answer (:class:`~bot.webhooks.kind.Wait`) holds that target's
  pacer for the time the platform names, and the same body is sent again after it.
- **Targets in parallel.** Nothing is shared between targets but the HTTP session, so a fan-out
  to a thousand targets takes about as long as one target takes (``benchmarks/bench_webhooks``).
- **Refusals pause.** A refused signature or a deleted robot pauses the target
  (:meth:`~bot.storage.Storage.pause_webhook`, shown in ``webhook list`` and ``doctor``) and
  raises :class:`~bot.adapters.base.PostingPaused`; a paused target is tried again at most once
  per :data:`PAUSE_RETRY` (a digest once a session), and a post that works resumes it.
- **Nothing cut.** A body over the kind's limit is not sent: the delivery fails, saying so
  (kinds split their parts to fit).
- **Charts in Feishu/Lark cards.** A card holding the chart's placeholder
  (:mod:`bot.webhooks.card_image`) gets the chart uploaded with the target's app credentials
  (:mod:`bot.webhooks.feishu_app`: once per chart and app), or, without them, goes without it;
  credentials that do not work pause the target.
- **Credentials.** URLs and secrets never appear in a log line or an error: targets are named by
  id and kind.

It is also an :class:`~bot.adapters.base.Adapter` (nothing to serve; ``stop`` closes the HTTP
session), so ``signalbot run`` hands it to the digest and alert runners as the ``webhook`` poster.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import aiohttp

from bot.adapters.base import Attachment, PostFailed, PostingPaused
from bot.clock import utc_now
from bot.delivery.poster import Outgoing
from bot.storage import Storage
from bot.storage.webhooks import WebhookTarget
from bot.webhooks.answers import MAX_ANSWER
from bot.webhooks.card_image import has_image, with_image
from bot.webhooks.feishu_app import App, AppRefused, FeishuImages, api_base, chart_key
from bot.webhooks.kind import (
    PARTS,
    PLATFORM,
    Answer,
    Failed,
    Pause,
    Posted,
    Response,
    TooLarge,
    Wait,
    WebhookKind,
)
from bot.webhooks.kinds import kind as kind_named

log = logging.getLogger(__name__)

#: Seconds one request may take (connect, send, answer).
TIMEOUT = 30.0
#: Rate-limit answers waited out for one message before the delivery fails (retried later).
MAX_WAITS = 5
#: A paused target is tried again at most this often (seconds).
PAUSE_RETRY = 3600.0
#: Targets are read again when the last read is this old (seconds; the digest ticks each minute).
RELOAD = 60.0
USER_AGENT = "signalbot-webhooks"

Sleep = Callable[[float], Awaitable[None]]


class Pacer:
    """Send slots of one target: at most ``per_minute``, evenly spaced, in call order."""

    def __init__(self, per_minute: float, *, sleep: Sleep, clock: Callable[[], float]) -> None:
        self.interval = 60.0 / per_minute
        self._next = 0.0
        self._sleep = sleep
        self._clock = clock

    async def wait(self) -> None:
        """Wait for this target's next slot."""
        now = self._clock()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await self._sleep(slot - now)

    def hold(self, seconds: float) -> None:
        """The platform asked for a pause: no slot before ``seconds`` from now."""
        self._next = max(self._next, self._clock() + seconds)


class WebhookPoster:
    """Posts rendered webhook bodies (see the module docstring)."""

    platform = PLATFORM
    name = PLATFORM

    def __init__(
        self,
        storage: Storage,
        *,
        timeout: float = TIMEOUT,
        clock: Callable[[], datetime] = utc_now,
        sleep: Sleep = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        max_waits: int = MAX_WAITS,
    ) -> None:
        self.storage = storage
        self.timeout = timeout
        self.clock = clock
        self.sleep = sleep
        self.monotonic = monotonic
        self.max_waits = max_waits
        self._session: aiohttp.ClientSession | None = None
        self._targets: dict[int, WebhookTarget] = {}
        self._loaded_at: float | None = None  # monotonic time of the last read of every target
        self._loading = asyncio.Lock()
        self._pacers: dict[int, Pacer] = {}
        self._refused: dict[int, float] = {}  # target id -> monotonic time of its last refusal
        self._stop = asyncio.Event()
        self._charts: FeishuImages | None = None
        self.requests = 0  # HTTP requests sent (benchmarks, tests)

    # --- the Adapter side -------------------------------------------------------------------

    async def health(self) -> dict[str, bool]:
        """Nothing held open to report."""
        return {}

    async def run(self) -> None:
        """Nothing to serve: wait until stopped."""
        await self._stop.wait()

    async def stop(self) -> None:
        """Close the HTTP session."""
        self._stop.set()
        if self._session is not None:
            await self._session.close()
            self._session = None

    # --- posting ----------------------------------------------------------------------------

    async def send_message(
        self,
        channel_id: str,
        payload: dict[str, Any],
        files: Sequence[Attachment] = (),
        *,
        server_id: str | None = None,
    ) -> str:
        """Post ``payload`` (several bodies when it holds :data:`PARTS`) to target
        ``channel_id``; the platform's message id ("-" when it gives none)."""
        target = await self._target(channel_id)
        kind = kind_named(target.kind)
        self._check_pause(target)
        bodies = payload.get(PARTS, [payload])
        ids = []
        for i, body in enumerate(bodies):
            if has_image(body):
                body = with_image(body, await self._chart_key(target, files))
            message = Outgoing(body, tuple(files) if i == 0 else ())
            ids.append(await self._post(target, kind, message))
        if target.paused_reason is not None or target.id in self._refused:
            self._refused.pop(target.id, None)
            if await self.storage.resume_webhook(target.id):
                log.info("webhook resumed target=%d kind=%s", target.id, target.kind)
            self._targets[target.id] = _with_pause(target, None)
        return ",".join(i or "-" for i in ids)

    async def post_sample(self, target: WebhookTarget, messages: Sequence[Outgoing]) -> str:
        """``webhook test``: post ``messages`` to ``target`` now, whether paused or not."""
        self._targets[target.id] = target
        self._refused.pop(target.id, None)
        payloads = [m.payload for m in messages]
        files = messages[0].files if messages else ()
        payload = {PARTS: payloads} if len(payloads) != 1 else payloads[0]
        return await self.send_message(str(target.id), payload, files)

    async def _target(self, channel_id: str) -> WebhookTarget:
        """The target ``channel_id`` as stored: every target is read again (one read) when the
        last read is :data:`RELOAD` old, so targets added, changed or removed while the bot
        runs are seen within about a digest tick; one added since is read at once."""
        target_id = int(channel_id)
        if self._loaded_at is None or self.monotonic() - self._loaded_at >= RELOAD:
            async with self._loading:
                if self._loaded_at is None or self.monotonic() - self._loaded_at >= RELOAD:
                    await self._reload()
        target = self._targets.get(target_id)
        if target is None:  # added since the last read
            target = await self.storage.get_webhook(target_id)
            if target is None:
                self._forget(target_id)
                raise PostFailed(f"webhook target {target_id} does not exist (removed)")
            self._targets[target_id] = target
        return target

    async def _reload(self) -> None:
        """Every target in one read; a removed target's pacer and refusal are dropped."""
        fresh = {t.id: t for t in await self.storage.list_webhooks()}
        for gone in set(self._targets) - set(fresh):
            self._forget(gone)
            log.info("webhook target=%d removed; no longer posted to", gone)
        self._targets = fresh
        self._loaded_at = self.monotonic()

    def _forget(self, target_id: int) -> None:
        self._targets.pop(target_id, None)
        self._pacers.pop(target_id, None)
        self._refused.pop(target_id, None)

    @property
    def charts(self) -> FeishuImages:
        """Feishu/Lark tokens and uploaded charts (made on first use)."""
        if self._charts is None:
            self._charts = FeishuImages(self._http, self.monotonic)
        return self._charts

    async def _chart_key(self, target: WebhookTarget, files: Sequence[Attachment]) -> str | None:
        """The chart's ``image_key`` for a Feishu/Lark card; None: the card goes without it."""
        if not files or target.app_id is None or target.app_secret is None:
            return None
        app = App(
            base=api_base(target.url.get_secret_value()),
            app_id=target.app_id.get_secret_value(),
            app_secret=target.app_secret.get_secret_value(),
            platform="Lark" if target.kind == "lark" else "Feishu",
        )
        try:
            return await chart_key(self.charts, app, files[0])
        except AppRefused as exc:
            where = f"target={target.id} kind={target.kind}"
            await self._refused_with(target, where, Pause(exc.reason))
            raise  # not reached: a pause raises PostingPaused

    def _check_pause(self, target: WebhookTarget) -> None:
        refused = self._refused.get(target.id)
        if refused is not None and self.monotonic() - refused < PAUSE_RETRY:
            raise PostingPaused(str(target.id), target.paused_reason or "paused")

    def _pacer(self, target: WebhookTarget, kind: WebhookKind) -> Pacer:
        pacer = self._pacers.get(target.id)
        if pacer is None:
            pacer = Pacer(kind.per_minute, sleep=self.sleep, clock=self.monotonic)
            self._pacers[target.id] = pacer
        return pacer

    async def _post(self, target: WebhookTarget, kind: WebhookKind, message: Outgoing) -> str:
        """One body: paced, signed, sent, its answer acted upon; the message id."""
        where = f"target={target.id} kind={target.kind}"
        pacer = self._pacer(target, kind)
        for _ in range(self.max_waits + 1):
            await pacer.wait()
            secret = target.secret.get_secret_value() if target.secret is not None else None
            request = kind.sign(target.url.get_secret_value(), secret, message, self.clock())
            if len(request.body) > kind.max_body:
                raise PostFailed(
                    f"webhook {where}: a body of {len(request.body)} bytes is over the "
                    f"platform's {kind.max_body}; not sent, nothing cut"
                )
            answer = await self._send(where, request.url, request.body, request.headers, kind)
            # a send held up (connections busy, a slow answer) must not bring the next one
            # closer than the interval: the platform counts what arrives
            pacer.hold(pacer.interval)
            if isinstance(answer, Posted):
                return answer.message_id
            if isinstance(answer, Wait):
                log.info("webhook rate-limited %s; waiting %.1f s", where, answer.seconds)
                pacer.hold(answer.seconds)
                continue
            await self._refused_with(target, where, answer)
        raise PostFailed(f"webhook {where}: still rate-limited after {self.max_waits} waits")

    async def _refused_with(self, target: WebhookTarget, where: str, answer: Answer) -> None:
        if isinstance(answer, Pause):
            self._refused[target.id] = self.monotonic()
            self._targets[target.id] = _with_pause(target, answer.reason)
            if await self.storage.pause_webhook(target.id, answer.reason):
                log.warning("webhook paused %s reason=%s", where, answer.reason)
            raise PostingPaused(str(target.id), answer.reason)
        if isinstance(answer, TooLarge):
            log.error("webhook %s refused a body as too large: %s", where, answer.detail)
            raise PostFailed(f"webhook {where}: too large ({answer.detail}); nothing cut")
        detail = answer.detail if isinstance(answer, Failed) else repr(answer)
        raise PostFailed(f"webhook {where}: {detail}")

    async def _send(
        self, where: str, url: str, body: bytes, headers: Any, kind: WebhookKind
    ) -> Answer:
        session = self._http()
        self.requests += 1
        try:
            async with session.post(url, data=body, headers=headers) as resp:
                data = await resp.content.read(MAX_ANSWER)
                answer = Response(
                    resp.status, {k.lower(): v for k, v in resp.headers.items()}, data
                )
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            # the exception's text may hold the URL (a credential): only its class is told
            raise PostFailed(
                f"webhook {where}: could not reach the platform ({type(exc).__name__})"
            ) from None
        return kind.classify(answer)

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=256),
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                headers={"User-Agent": USER_AGENT},
            )
        return self._session


def _with_pause(target: WebhookTarget, reason: str | None) -> WebhookTarget:
    return replace(target, paused_reason=reason)
