"""Feishu, WeCom and DingTalk targets through the real runners and the webhook poster: posted
once at the session, paused on a refusal with the reason, rate limits waited out, never burst."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.alerts.runner import AlertRunner
from bot.digest.claims import Target
from bot.digest.fanout import DigestRunner
from bot.storage import Storage, Subscription
from bot.webhooks.poster import WebhookPoster
from signals.service import PriceService
from tests.bot.test_alerts import prices as alert_prices  # noqa: F401  (the fixture)
from tests.bot.webhooks.cn_support import NOW
from tests.bot.webhooks.conftest import VirtualClock, add_target
from tests.digest.conftest import SESSION, price_dir, prices  # noqa: F401  (fixtures)
from tests.fakes.market import WORKED_SESSION
from tests.fakes.webhooks_cn import FakeCN, running

SECRET = "SECdelivery0123456789"


@pytest.fixture
async def cn() -> AsyncIterator[FakeCN]:
    async with running(FakeCN()) as served:
        yield served


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


async def test_a_digest_reaches_feishu_wecom_and_dingtalk_once(
    storage: Storage,
    prices: PriceService,  # noqa: F811
    cn: FakeCN,
    poster: WebhookPoster,
) -> None:
    """Each kind gets the digest once (WeCom with the heatmap as an image); a second run of the
    same session posts nothing: the ledger holds it."""
    fs = await add_target(
        storage, "feishu", cn.add("feishu", "f", SECRET), secret=SECRET, language="auto"
    )
    wc = await add_target(storage, "wecom", cn.add("wecom", "w"), language="zh")
    dt = await add_target(
        storage, "dingtalk", cn.add("dingtalk", "d", SECRET), secret=SECRET, language="zh-hant"
    )
    subs = [await subscription_of(storage, t.id) for t in (fs, wc, dt)]
    runner = DigestRunner(storage, prices, {"webhook": poster}, heatmaps=True, render_processes=0)
    report = await runner.run([Target(s, SESSION) for s in subs])
    assert report.failed == 0 and report.paused == 0 and cn.refused == []
    [card] = cn.accepted["f"]
    assert set(card["card"]["i18n_elements"]) == {"en_us", "zh_cn", "zh_tw", "zh_hk"}
    assert [m["msgtype"] for m in cn.accepted["w"]] == ["markdown", "image"]
    assert "SPY" in cn.accepted["w"][0]["markdown"]["content"]
    [ding] = cn.accepted["d"]
    assert "日報" in ding["markdown"]["title"] and ding["at"]["isAtAll"] is False
    posted = sum(len(v) for v in cn.accepted.values())
    again = await runner.run([Target(s, SESSION) for s in subs])
    assert again.sent == 0 and sum(len(v) for v in cn.accepted.values()) == posted
    for sub in subs:
        row = await storage.get_delivery(sub.id, SESSION)
        assert row is not None and row.state == "sent"


@pytest.mark.parametrize(
    ("kind", "secret", "words"),
    [
        ("feishu", "wrong", "signature"),
        ("dingtalk", "SECwrong", "signature"),
        ("wecom", None, "removed"),
    ],
)
async def test_a_refusal_pauses_the_target_with_a_plain_reason(
    storage: Storage,
    prices: PriceService,  # noqa: F811
    cn: FakeCN,
    poster: WebhookPoster,
    kind: str,
    secret: str | None,
    words: str,
) -> None:
    """A wrong secret (19021, 310000) or a removed robot (93000) pauses the target; the reason
    is stored for ``webhook list`` and ``doctor`` and names neither URL nor secret."""
    url = cn.add(kind, "r", SECRET) if kind != "wecom" else cn.url("wecom", "removed")
    target = await add_target(storage, kind, url, secret=secret)
    sub = await subscription_of(storage, target.id)
    runner = DigestRunner(storage, prices, {"webhook": poster}, heatmaps=False)
    report = await runner.run([Target(sub, SESSION)])
    assert report.paused == 1 and not cn.accepted
    stored = await storage.get_webhook(target.id)
    reason = (stored.paused_reason if stored else None) or ""
    assert words in reason and cn.base_url not in reason and "SEC" not in reason


async def test_alerts_after_a_regime_change_reach_each_kind(
    storage: Storage,
    alert_prices: PriceService,  # noqa: F811
    cn: FakeCN,
    poster: WebhookPoster,
) -> None:
    """One alert message per target, once."""
    for kind, secret in (("feishu", SECRET), ("wecom", None), ("dingtalk", SECRET)):
        url = cn.add(kind, f"a-{kind}", secret)
        await add_target(storage, kind, url, secret=secret, alerts=("IWM", "SPY", "CALM"))
    runner = AlertRunner(storage, alert_prices, {"webhook": poster}, default_language="zh")
    report = await runner.run(WORKED_SESSION)
    assert report.messages == 3 and cn.refused == []
    assert all(len(cn.accepted[f"a-{k}"]) == 1 for k in ("feishu", "wecom", "dingtalk"))
    assert "IWM" in cn.accepted["a-wecom"][0]["markdown"]["content"]
    again = await runner.run(WORKED_SESSION)
    assert again.sent == 0


@pytest.mark.parametrize("kind", ["wecom", "dingtalk"])
async def test_sixty_messages_to_one_robot_are_paced_never_refused(
    storage: Storage, kind: str
) -> None:
    """Sixty bodies to one robot: the poster spaces them at the kind's rate (under 20 a minute),
    so the platform refuses none (DingTalk would block the robot for ten minutes)."""
    clock = VirtualClock()
    fake = FakeCN(clock=lambda: NOW.timestamp() + clock.now)
    async with running(fake):
        target = await add_target(storage, kind, fake.add(kind, "p"))
        poster = WebhookPoster(
            storage,
            sleep=clock.sleep,
            monotonic=clock.monotonic,
            clock=lambda: NOW + timedelta(seconds=clock.now),
        )
        body = {"msgtype": "markdown", "markdown": {"content": "x", "title": "x", "text": "x"}}
        try:
            for _ in range(60):
                await poster.send_message(str(target.id), body)
        finally:
            await poster.stop()
    assert len(fake.accepted["p"]) == 60 and fake.refused == []
    assert clock.now - 1_000.0 >= 59 * 60 / 20  # no burst: at least three minutes


async def test_a_blocked_dingtalk_robot_is_waited_out_not_hammered(storage: Storage) -> None:
    """A robot DingTalk blocked for ten minutes (130101): the poster waits 600 s once, then the
    same body is accepted; one refused request, not a burst of them."""
    clock = VirtualClock()
    fake = FakeCN(clock=lambda: NOW.timestamp() + clock.now)
    async with running(fake):
        target = await add_target(storage, "dingtalk", fake.add("dingtalk", "b"))
        fake.robots["b"].blocked_until = NOW.timestamp() + clock.now + 30
        poster = WebhookPoster(
            storage,
            sleep=clock.sleep,
            monotonic=clock.monotonic,
            clock=lambda: NOW + timedelta(seconds=clock.now),
        )
        body = {"msgtype": "markdown", "markdown": {"title": "x", "text": "x"}}
        try:
            await poster.send_message(str(target.id), body)
        finally:
            await poster.stop()
    assert fake.refused == [("b", 130101)] and len(fake.accepted["b"]) == 1
    assert 600 in clock.sleeps
