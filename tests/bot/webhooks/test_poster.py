"""The webhook poster against the fake receivers: signatures, pacing, rate limits, pauses,
bodies over the limit, and credentials kept out of logs and errors."""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import UTC, datetime

import pytest

from bot.adapters.base import Attachment, PostFailed, PostingPaused
from bot.storage import Storage
from bot.webhooks.kind import parts
from bot.webhooks.poster import WebhookPoster
from tests.bot.webhooks.conftest import VirtualClock, add_target
from tests.fakes.webhooks import FakeWebhooks, verify_json_signature

SECRET = "whsec-test-7f3a9c"


def body(n: int, key: str | None = None) -> dict[str, object]:
    return {"type": "test", "key": key or f"k{n}", "n": n}


async def test_json_post_is_signed_and_keyed(storage: Storage, fake: FakeWebhooks) -> None:
    target = await add_target(storage, "json", fake.json_hook("ops", secret=SECRET), secret=SECRET)
    poster = WebhookPoster(storage)
    try:
        message_id = await poster.send_message(str(target.id), body(1, key="d1s260608p1"))
    finally:
        await poster.stop()
    [got] = fake.of("ops")
    assert message_id == "d1s260608p1"
    assert got.headers["Idempotency-Key"] == "d1s260608p1"
    # an implementation of docs/webhooks.md written here, independent of both bot and fake
    header = got.headers["X-Signalbot-Signature"]
    t, v1 = (item.split("=", 1)[1] for item in header.split(","))
    raw = (t + ".").encode() + __import__("json").dumps(
        got.body, ensure_ascii=False, separators=(",", ":")
    ).encode()
    assert hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest() == v1
    assert abs(int(t) - datetime.now(UTC).timestamp()) < 60


def test_signature_verifier_refuses_tampering_and_stale_timestamps() -> None:
    raw = b'{"a":1}'
    t = 1_780_000_000
    good = hmac.new(b"s", f"{t}.".encode() + raw, hashlib.sha256).hexdigest()
    assert verify_json_signature("s", f"t={t},v1={good}", raw, t + 10)
    assert not verify_json_signature("s", f"t={t},v1={good}", b'{"a":2}', t)
    assert not verify_json_signature("s", f"t={t},v1={good}", raw, t + 301)  # a replay
    assert not verify_json_signature("other", f"t={t},v1={good}", raw, t)


async def test_a_wrong_secret_pauses_the_target_with_the_reason(
    storage: Storage, fake: FakeWebhooks, caplog: pytest.LogCaptureFixture
) -> None:
    url = fake.json_hook("ops", secret=SECRET)
    target = await add_target(storage, "json", url, secret="not-the-secret-42")
    poster = WebhookPoster(storage)
    caplog.set_level(logging.DEBUG, logger="bot")
    try:
        with pytest.raises(PostingPaused) as refused:
            await poster.send_message(str(target.id), body(1))
        requests = fake.requests
        with pytest.raises(PostingPaused):  # paused: not tried again at once
            await poster.send_message(str(target.id), body(2))
        assert fake.requests == requests
    finally:
        await poster.stop()
    assert "signature" in refused.value.reason
    stored = await storage.get_webhook(target.id)
    assert stored is not None and stored.paused_reason == refused.value.reason
    assert fake.messages == [] and [r[1] for r in fake.rejected] == [401]
    for text in (caplog.text, str(refused.value)):
        assert "not-the-secret-42" not in text and "/json/ops" not in text


async def test_rate_limit_answers_are_waited_out_never_a_burst(
    storage: Storage, fake: FakeWebhooks
) -> None:
    clock = VirtualClock()
    fake.clock = clock.monotonic
    target = await add_target(storage, "json", fake.json_hook("small", per_minute=2))
    poster = WebhookPoster(storage, sleep=clock.sleep, monotonic=clock.monotonic)
    try:
        for n in range(4):
            await poster.send_message(str(target.id), body(n))
    finally:
        await poster.stop()
    assert [m.body["n"] for m in fake.of("small")] == [0, 1, 2, 3]
    assert [r[1] for r in fake.rejected] == [429]  # the third: waited out, not retried at once
    times = [m.at for m in fake.of("small")]
    assert times[2] - times[0] >= 60 and times[3] - times[1] >= 60
    assert fake.requests == 5


async def test_each_target_is_paced_on_its_own(storage: Storage, fake: FakeWebhooks) -> None:
    """Many targets, three parts each: no target waits for another (the longest wait is
    one target's two intervals), and none goes over its kind's rate."""
    clock = VirtualClock(frozen=True)
    fake.clock = clock.monotonic
    targets = [
        await add_target(storage, "json", fake.json_hook(f"t{i}", per_minute=3)) for i in range(40)
    ]
    poster = WebhookPoster(storage, sleep=clock.sleep, monotonic=clock.monotonic)
    import asyncio

    async def three(target_id: int) -> None:
        for n in range(3):
            await poster.send_message(str(target_id), body(n, key=f"{target_id}-{n}"))

    try:
        await asyncio.gather(*(three(t.id) for t in targets))
    finally:
        await poster.stop()
    assert len(fake.messages) == 120 and fake.rejected == []
    assert max(clock.sleeps) == pytest.approx(2 * 60 / 60.0)  # JSON: 60 a minute per target


async def test_refused_as_too_large_is_not_cut(storage: Storage, fake: FakeWebhooks) -> None:
    target = await add_target(storage, "json", fake.json_hook("big"))
    poster = WebhookPoster(storage)
    try:
        with pytest.raises(PostFailed, match="nothing cut"):
            await poster.send_message(str(target.id), {"key": "k", "blob": "x" * 2_000_000})
    finally:
        await poster.stop()
    assert fake.requests == 0  # over the kind's limit: never sent


async def test_several_bodies_post_in_order(storage: Storage, fake: FakeWebhooks) -> None:
    target = await add_target(storage, "json", fake.json_hook("p"))
    poster = WebhookPoster(storage)
    try:
        ids = await poster.send_message(str(target.id), parts([body(1), body(2)]))
    finally:
        await poster.stop()
    assert ids == "k1,k2" and [m.body["n"] for m in fake.of("p")] == [1, 2]


async def test_discord_gets_files_and_returns_the_message_id(
    storage: Storage, fake: FakeWebhooks
) -> None:
    target = await add_target(storage, "discord", fake.discord_hook("tok"))
    poster = WebhookPoster(storage)
    png = Attachment("heatmap-0.png", b"\x89PNG fake", "heatmap")
    try:
        message_id = await poster.send_message(str(target.id), {"embeds": [{"title": "x"}]}, [png])
    finally:
        await poster.stop()
    [got] = fake.of("tok")
    assert message_id.isdigit() and got.files == [("heatmap-0.png", b"\x89PNG fake")]


async def test_deleted_discord_and_slack_webhooks_pause(
    storage: Storage, fake: FakeWebhooks
) -> None:
    discord = await add_target(storage, "discord", fake.discord_hook("gone"))
    slack = await add_target(storage, "slack", fake.slack_hook("gone2"))
    fake.hooks["gone"].deleted = fake.hooks["gone2"].deleted = True
    poster = WebhookPoster(storage)
    try:
        with pytest.raises(PostingPaused, match="does not exist"):
            await poster.send_message(str(discord.id), {"content": "hi"})
        with pytest.raises(PostingPaused, match="no_service"):
            await poster.send_message(str(slack.id), {"text": "hi"})
    finally:
        await poster.stop()
    listed = {t.id: t.paused_reason for t in await storage.list_webhooks()}
    assert listed[discord.id] and listed[slack.id]


async def test_a_post_that_works_resumes_a_paused_target(
    storage: Storage, fake: FakeWebhooks
) -> None:
    target = await add_target(storage, "slack", fake.slack_hook("s"))
    await storage.pause_webhook(target.id, "Slack says the webhook was removed")
    poster = WebhookPoster(storage)  # a new process: the stored pause is tried once
    try:
        await poster.send_message(str(target.id), {"text": "back"})
    finally:
        await poster.stop()
    stored = await storage.get_webhook(target.id)
    assert stored is not None and stored.paused_reason is None


async def test_unreachable_receiver_fails_without_the_url(storage: Storage) -> None:
    target = await add_target(storage, "json", "http://127.0.0.1:9/json/secret-path-token")
    poster = WebhookPoster(storage)
    try:
        with pytest.raises(PostFailed) as failed:
            await poster.send_message(str(target.id), body(1))
    finally:
        await poster.stop()
    assert "secret-path-token" not in str(failed.value)
    assert "could not reach" in str(failed.value)
