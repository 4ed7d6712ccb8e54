"""Parts are deliveries: a retry sends only the missing parts, after asking the platform."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.adapters.base import PostFailed, RecoveryUnavailable
from bot.delivery.poster import Outgoing
from bot.digest import fanout
from bot.digest.claims import Outcome, Target
from bot.digest.fanout import DigestRunner
from bot.storage import DeliveryKey, Storage
from signals.service import PriceService
from tests.digest.conftest import SESSION, RecordingPoster

PARTS = 3


@pytest.fixture(autouse=True)
def three_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every digest is three messages whose payload names its part."""

    async def build(platform: str, digest: Any, language: Any, **kw: Any) -> list[Outgoing]:
        return [Outgoing({"text": f"part {n}", "part": n}) for n in range(1, PARTS + 1)]

    monkeypatch.setattr(fanout, "build_messages", build)


class PartPoster(RecordingPoster):
    """Fails the listed parts once each; can be asked for earlier posts (or not)."""

    def __init__(self, *, fail_once: set[int], posted: dict[str, str] | None = None) -> None:
        super().__init__("discord")
        self.fail_once = set(fail_once)
        self.posted = posted  # marker -> message id already on the platform; None: cannot ask
        self.asked: list[tuple[str, datetime]] = []

    async def send_message(self, channel_id, payload, files=(), *, server_id=None):  # type: ignore[no-untyped-def,override]
        if payload["part"] in self.fail_once:
            self.fail_once.discard(payload["part"])
            raise PostFailed("HTTP 500")
        return await super().send_message(channel_id, payload, files)

    async def find_posted(
        self, channel_id: str, marker: str, since: datetime, *, server_id: str | None = None
    ) -> str | None:
        self.asked.append((marker, since))
        if self.posted is None:
            raise RecoveryUnavailable("403 Missing Access")
        return self.posted.get(marker)


async def subscribe(storage: Storage) -> Target:
    sub = await storage.upsert_subscription("discord", "g1", "1", time=None, timezone="UTC")
    return Target(sub, SESSION)


def make_runner(storage: Storage, prices: PriceService, poster: RecordingPoster) -> DigestRunner:
    return DigestRunner(storage, prices, {"discord": poster}, heatmaps=False, rates={},
                        retry_backoff=timedelta(0))  # fmt: skip


async def test_part_two_failing_resends_only_part_two_and_three(
    storage: Storage, prices: PriceService
) -> None:
    target = await subscribe(storage)
    poster = PartPoster(fail_once={2}, posted={})
    first = await make_runner(storage, prices, poster).run([target])
    assert [p["part"] for _, p, _ in poster.sent] == [1]
    assert (first.sent, first.failed) == (0, 1)
    summary = await storage.get_delivery(target.subscription.id, SESSION)
    assert summary is not None and summary.state == "failed"
    second = await make_runner(storage, prices, poster).run([target])
    assert [p["part"] for _, p, _ in poster.sent] == [1, 2, 3]  # part 1 never again
    assert second.sent == 1
    assert [marker for marker, _ in poster.asked] == [f"d{target.subscription.id}s260608p2"]
    rows = await storage.deliveries_for(SESSION)
    assert [(r.part, r.parts, r.state) for r in rows] == [(n, 3, "sent") for n in (1, 2, 3)]
    summary = await storage.get_delivery(target.subscription.id, SESSION)
    assert summary is not None and summary.state == "sent" and len(summary.message_ids) == 3


async def test_a_part_found_on_the_platform_is_marked_not_posted(
    storage: Storage, prices: PriceService
) -> None:
    """An abandoned claim (holder died after posting) is reconciled: found, marked, no post."""
    target = await subscribe(storage)
    sid = target.subscription.id
    key = DeliveryKey(sid, SESSION, 1)
    dead = await storage.claim(key, "i-dead", parts=PARTS, lease=timedelta(seconds=-1))
    assert dead is not None
    poster = PartPoster(fail_once=set(), posted={f"d{sid}s260608p1": "m-earlier"})
    report = await make_runner(storage, prices, poster).run([target])
    assert [p["part"] for _, p, _ in poster.sent] == [2, 3]
    assert poster.asked == [(f"d{sid}s260608p1", dead.since)]  # since the first claim
    assert (report.sent, report.recovered) == (1, 1)
    [one, *_] = await storage.deliveries_for(SESSION)
    assert (one.state, one.message_ids) == ("sent", ("m-earlier",))


async def test_platform_that_cannot_be_asked_posts_once_with_a_warning(
    storage: Storage, prices: PriceService, caplog: pytest.LogCaptureFixture
) -> None:
    target = await subscribe(storage)
    key = DeliveryKey(target.subscription.id, SESSION, 1)
    assert await storage.claim(key, "i-dead", parts=PARTS, lease=timedelta(seconds=-1))
    poster = PartPoster(fail_once=set(), posted=None)
    report = await make_runner(storage, prices, poster).run([target])
    assert [p["part"] for _, p, _ in poster.sent] == [1, 2, 3]
    assert report.sent == 1
    assert "posting once, a duplicate is possible" in caplog.text
    assert "403 Missing Access" in caplog.text


async def test_stopping_runner_claims_nothing(storage: Storage, prices: PriceService) -> None:
    target = await subscribe(storage)
    poster = PartPoster(fail_once=set(), posted={})
    report = await make_runner(storage, prices, poster).run([target], active=lambda: False)
    assert poster.sent == [] and report.stopped == 1
    assert await storage.deliveries_for(SESSION) == []
    assert Outcome.STOPPED.value == "stopped"
