"""Whether long polling really works: the outcome of each ``getUpdates``, for ``/readyz`` and logs.

python-telegram-bot's updater keeps running while every ``getUpdates`` fails (it retries with a
growing pause, https://docs.python-telegram-bot.org/en/stable/telegram.ext.updater.html), so
"the updater runs" says nothing about updates arriving. :class:`PollingRequest` is the
``get_updates_request`` of the application (the request object python-telegram-bot uses for
``getUpdates`` only): it notes when the last poll answered and whether it failed.
:class:`PollWatch` turns that into health (the last poll answered, recently) and into one
warning per outage (the first failure) and one line when polling works again -- not a line per
retry.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)

#: A poll that answered longer ago than this (seconds) is stale: the long poll waits at most
#: ``POLL_TIMEOUT`` (10 s) on Telegram's side, so a working loop answers far more often.
STALE_AFTER = 60.0


class PollWatch:
    """The outcome of the last ``getUpdates`` (``clock``: seconds, monotonic)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.last_ok: float | None = None
        self.failures = 0  # consecutive failed polls (0: polling works)
        self.outage_since: float | None = None
        self.asking_since: float | None = None  # a poll is waiting for its answer

    def began(self) -> None:
        self.asking_since = self.clock()

    def succeeded(self) -> None:
        if self.failures:
            down = self.clock() - (self.outage_since or self.clock())
            log.info(
                "telegram getUpdates works again after %d failed polls (%.0f s)",
                self.failures,
                down,
            )
        self.failures, self.outage_since, self.asking_since = 0, None, None
        self.last_ok = self.clock()

    def failed(self, reason: str) -> None:
        """One warning for the first failure of an outage; the retries are counted only."""
        self.failures += 1
        self.asking_since = None
        if self.failures == 1:
            self.outage_since = self.clock()
            log.warning("telegram getUpdates failed (%s); retrying until it answers", reason)

    def healthy(self) -> bool:
        """No failure since the last answer, and a poll answered or was sent at most
        :data:`STALE_AFTER` seconds ago (the first long poll after the start answers only when
        an update comes or its 10 s are up; one hanging longer than that is not working)."""
        if self.failures:
            return False
        now = self.clock()
        return any(
            at is not None and now - at <= STALE_AFTER for at in (self.last_ok, self.asking_since)
        )


class PollingRequest(HTTPXRequest):
    """python-telegram-bot's HTTP request for ``getUpdates``, reporting each outcome to a
    :class:`PollWatch` (one connection, as python-telegram-bot's default for polling; the
    request's timeouts are python-telegram-bot's, which lengthens the read timeout of a long
    poll by its ``timeout``)."""

    def __init__(self, watch: PollWatch, **kwargs: Any) -> None:
        kwargs.setdefault("connection_pool_size", 1)
        super().__init__(**kwargs)
        self.watch = watch

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        self.watch.began()
        try:
            status, payload = await super().do_request(*args, **kwargs)
        except Exception as exc:  # no answer: a timeout, a refused or dropped connection
            self.watch.failed(f"{type(exc).__name__}: {exc}")
            raise
        if status == HTTPStatus.OK:
            self.watch.succeeded()
        else:  # python-telegram-bot raises the matching error after this returns
            self.watch.failed(f"HTTP {status}: {_description(payload)}")
        return status, payload


def _description(payload: bytes) -> str:
    """The Bot API's ``description`` of a refusal (https://core.telegram.org/bots/api#making-requests)."""
    try:
        answer = json.loads(payload)
    except ValueError:
        return "no Bot API answer"
    description = answer.get("description") if isinstance(answer, dict) else None
    return " ".join(str(description or "no description").split())[:200]
