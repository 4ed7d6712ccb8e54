"""Digests and alerts reach webhook targets through the shared runners: one subscription per
target, rendered by its kind, posted by the webhook poster, marked in the ledger."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest

from bot.alerts.runner import AlertRunner
from bot.digest.claims import Target
from bot.digest.fanout import DigestRunner
from bot.storage import DeliveryKey, Storage, Subscription
from bot.webhooks.poster import WebhookPoster
from formatting.languages import Language
from signals.service import PriceService
from tests.bot.test_alerts import prices as alert_prices  # noqa: F401  (the fixture)
from tests.bot.webhooks.conftest import add_target
from tests.digest.conftest import SESSION, price_dir, prices  # noqa: F401  (fixtures)
from tests.fakes.market import WORKED_SESSION
from tests.fakes.webhooks import FakeWebhooks

SECRET = "whsec-delivery-test"


@pytest.fixture
async def poster(storage: Storage) -> AsyncIterator[WebhookPoster]:
    posting = WebhookPoster(storage)
    yield posting
    await posting.stop()


async def subscription_of(storage: Storage, target_id: int) -> Subscription:
    target = await storage.get_webhook(target_id)
    assert target is not None and target.subscription_id is not None
    sub = await storage.get_subscription(target.subscription_id)
    assert sub is not None
    return sub


async def test_a_digest_reaches_each_kind_once(
    storage: Storage,
    prices: PriceService,  # noqa: F811
    fake: FakeWebhooks,
    poster: WebhookPoster,
) -> None:
    json_t = await add_target(
        storage, "json", fake.json_hook("j", secret=SECRET), secret=SECRET, language="both"
    )
    discord_t = await add_target(storage, "discord", fake.discord_hook("d"), language="zh")
    slack_t = await add_target(storage, "slack", fake.slack_hook("s"))
    subs = [await subscription_of(storage, t.id) for t in (json_t, discord_t, slack_t)]
    runner = DigestRunner(storage, prices, {"webhook": poster}, heatmaps=True, render_processes=0)
    report = await runner.run([Target(s, SESSION) for s in subs])
    assert report.sent == 3 and report.failed == 0
    [j] = fake.of("j")
    assert j.body["type"] == "digest" and j.body["session"] == SESSION.isoformat()
    assert [r["ticker"] for r in j.body["rows"]] == ["SPY", "QQQ"]
    assert set(j.body["text"]) == {"en", "zh", "zh-hant", "zh-hk"} and "SPY" in j.body["text"]["zh"]
    assert j.headers["Idempotency-Key"] == j.body["key"]
    [d] = fake.of("d")
    assert d.body["embeds"] and d.files and d.files[0][0].endswith(".png")
    assert d.body["allowed_mentions"] == {"parse": []}
    [s] = fake.of("s")
    assert s.body["blocks"] and "metadata" not in s.body
    again = await runner.run([Target(s, SESSION) for s in subs])  # the ledger: nothing twice
    assert again.sent == 0 and len(fake.messages) == 3
    for sub in subs:
        row = await storage.get_delivery(sub.id, SESSION)
        assert row is not None and row.state == "sent"


async def test_a_refused_robot_pauses_the_subscription_until_next_session(
    storage: Storage,
    prices: PriceService,  # noqa: F811
    fake: FakeWebhooks,
    poster: WebhookPoster,
) -> None:
    target = await add_target(storage, "slack", fake.slack_hook("gone"))
    fake.hooks["gone"].deleted = True
    sub = await subscription_of(storage, target.id)
    runner = DigestRunner(storage, prices, {"webhook": poster}, heatmaps=False)
    report = await runner.run([Target(sub, SESSION)])
    assert report.paused == 1 and fake.messages == []
    stored = await storage.get_webhook(target.id)
    assert stored is not None and "removed" in (stored.paused_reason or "")


async def test_a_retry_across_the_unknown_window_says_a_duplicate_is_possible(
    storage: Storage,
    prices: PriceService,  # noqa: F811
    fake: FakeWebhooks,
    poster: WebhookPoster,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A holder died between post and mark: nobody can ask a webhook what it got, so the
    part is posted once more and the log says a duplicate is possible (once)."""
    target = await add_target(storage, "json", fake.json_hook("j"))
    sub = await subscription_of(storage, target.id)
    key = DeliveryKey(sub.id, SESSION, 1)
    assert await storage.claim(key, "i-dead", parts=1, lease=timedelta(seconds=-1))
    caplog.set_level(logging.INFO, logger="bot")
    runner = DigestRunner(storage, prices, {"webhook": poster}, heatmaps=False)
    report = await runner.run([Target(sub, SESSION)])
    assert report.sent == 1 and len(fake.messages) == 1
    assert caplog.text.count("a duplicate is possible") == 1
    assert "/json/j" not in caplog.text


async def test_alerts_after_a_regime_change_reach_a_webhook(
    storage: Storage,
    alert_prices: PriceService,  # noqa: F811
    fake: FakeWebhooks,
    poster: WebhookPoster,
) -> None:
    await add_target(storage, "json", fake.json_hook("a"), alerts=("IWM", "SPY", "CALM"))
    runner = AlertRunner(storage, alert_prices, {"webhook": poster}, default_language="en")
    report = await runner.run(WORKED_SESSION)
    assert report.sent == 2 and report.messages == 1
    [got] = fake.of("a")
    assert got.body["type"] == "alert"
    assert sorted(c["ticker"] for c in got.body["changes"]) == ["IWM", "SPY"]
    assert got.headers["Idempotency-Key"] == got.body["key"]
    again = await runner.run(WORKED_SESSION)
    assert again.sent == 0 and len(fake.messages) == 1


@pytest.mark.parametrize("name", ["json", "discord", "slack"])
async def test_sixty_tickers_in_chinese_reach_each_kind_within_its_limits(
    storage: Storage, fake: FakeWebhooks, poster: WebhookPoster, name: str
) -> None:
    """Sixty tickers in Traditional and Simplified Chinese: every part fits the platform (the
    fake refuses what the platform refuses) and every ticker is in what arrived."""
    from bot.webhooks.kinds import kind
    from tests.digest.test_render import digest_of

    digest = digest_of(60, changes=10, issues=2)
    hooks: dict[str, Callable[[str], str]] = {
        "json": fake.json_hook,
        "discord": fake.discord_hook,
        "slack": fake.slack_hook,
    }
    target = await add_target(storage, name, hooks[name]("big"))
    languages: tuple[Language, ...] = ("zh", "zh-hant", "both")
    for language in languages:
        parts = kind(name).render_digest(digest, language, subscription_id=1)
        for part in parts:
            await poster.send_message(str(target.id), part.payload, part.files)
    assert fake.rejected == []
    arrived = json.dumps([m.body for m in fake.of("big")], ensure_ascii=False)
    for row in digest.rows:
        assert row.ticker in arrived
