"""Feishu/Lark, WeCom and DingTalk kinds against local fakes that check what the platforms check."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest

from bot.adapters.base import Attachment
from bot.delivery.poster import Outgoing
from bot.webhooks.dingtalk import DingTalkKind
from bot.webhooks.feishu import FeishuKind
from bot.webhooks.kind import PARTS, Failed, Pause, Posted, TooLarge, Wait, WebhookKind
from bot.webhooks.kinds import kind, names
from bot.webhooks.wecom import WeComKind
from tests.bot.webhooks.cn_support import NOW, alert, deliver, watchlist
from tests.fakes.webhooks_cn import FakeCN, running
from tests.formatting.conftest import make_card

SECRET = "SECtest0123456789"


class Clock:
    """The platforms' clock, moved by the test."""

    def __init__(self) -> None:
        self.now = NOW.timestamp()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def fake() -> AsyncIterator[FakeCN]:
    async with running(FakeCN(clock=Clock())) as served:
        yield served


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def clock(fake: FakeCN) -> Clock:
    assert isinstance(fake.clock, Clock)
    return fake.clock


def test_the_four_kinds_are_registered() -> None:
    """``webhook add --kind`` offers feishu, lark, wecom and dingtalk, each on its own hosts."""
    assert {"feishu", "lark", "wecom", "dingtalk"} <= set(names())
    assert kind("feishu").hosts == ("open.feishu.cn",)
    assert kind("lark").hosts == ("open.larksuite.com",)
    assert kind("wecom").hosts == ("qyapi.weixin.qq.com",)
    assert kind("dingtalk").hosts == ("oapi.dingtalk.com",)
    assert kind("feishu").extra_languages == ("auto",)


# --- a 60-ticker watchlist in Chinese: split, every part accepted ---------------------------


@pytest.mark.parametrize("language", ["zh", "zh-hant", "both", "both-hant"])
async def test_feishu_digest_of_sixty_tickers_is_accepted(
    fake: FakeCN, http: aiohttp.ClientSession, language: str
) -> None:
    """Every card of a long digest is signed, within 20 KB and accepted; none refused."""
    url = fake.add("feishu", "fs1", SECRET)
    k = FeishuKind()
    bodies = k.render_digest(watchlist(), language, subscription_id=1)  # type: ignore[arg-type]
    for body in bodies:
        assert len(k.sign(url, SECRET, body, NOW).body) <= k.max_body
        assert await deliver(http, k, url, SECRET, body) == Posted()
    assert len(fake.accepted["fs1"]) == len(bodies) and fake.refused == []


@pytest.mark.parametrize("language", ["zh", "zh-hant", "both", "en"])
async def test_wecom_digest_of_sixty_tickers_is_split_and_accepted(
    fake: FakeCN, http: aiohttp.ClientSession, language: str
) -> None:
    """A 60-ticker digest is split into Markdown parts of at most 4,096 bytes, all accepted."""
    url = fake.add("wecom", "wc1")
    k = WeComKind()
    bodies = k.render_digest(watchlist(), language, subscription_id=1)  # type: ignore[arg-type]
    assert len(bodies) > 1
    for body in bodies:
        assert len(body.payload["markdown"]["content"].encode()) <= 4096
        assert await deliver(http, k, url, None, body) == Posted()
    assert fake.refused == []
    posted = "".join(b["markdown"]["content"] for b in fake.accepted["wc1"])
    assert all(f"**{t}**" in posted for t in ("2800.HK", "T053"))


@pytest.mark.parametrize("language", ["zh", "both-hant"])
async def test_dingtalk_digest_of_sixty_tickers_is_accepted(
    fake: FakeCN, http: aiohttp.ClientSession, language: str
) -> None:
    """A signed DingTalk digest is accepted, each part with a title and nobody mentioned."""
    url = fake.add("dingtalk", "dt1", SECRET)
    k = DingTalkKind(read_settings=False)
    bodies = k.render_digest(watchlist(), language, subscription_id=1)  # type: ignore[arg-type]
    for body in bodies:
        assert body.payload["at"]["isAtAll"] is False and body.payload["markdown"]["title"]
        assert await deliver(http, k, url, SECRET, body) == Posted()
    assert len(fake.accepted["dt1"]) == len(bodies) and fake.refused == []


async def test_wecom_posts_the_heatmap_as_an_image(
    fake: FakeCN, http: aiohttp.ClientSession
) -> None:
    """The heatmap goes as an ``image`` message (Base64 + MD5) after the first part; one over
    2 MB is left out, never sent to be refused."""
    url = fake.add("wecom", "wc2")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    big = Attachment("big.png", b"\x89PNG" + b"0" * (2 * 1024 * 1024 + 1))
    k = WeComKind()
    bodies = k.render_digest(
        watchlist(12), "zh", subscription_id=1, images=[Attachment("h.png", png), big]
    )
    assert [b.payload["msgtype"] for b in bodies][:2] == ["markdown", "image"]
    assert sum(b.payload["msgtype"] == "image" for b in bodies) == 1
    for body in bodies:
        assert await deliver(http, k, url, None, body) == Posted()
    assert fake.refused == []


# --- alerts and the sample card ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["feishu", "wecom", "dingtalk"])
@pytest.mark.parametrize("n", [1, 60])
async def test_alerts_are_accepted(
    fake: FakeCN, http: aiohttp.ClientSession, name: str, n: int
) -> None:
    """A grouped alert (one change, or sixty in both languages: then several parts) is accepted."""
    kinds: dict[str, WebhookKind] = {
        "feishu": FeishuKind(),
        "wecom": WeComKind(),
        "dingtalk": DingTalkKind("https://r.example/research"),
    }
    k = kinds[name]
    secret = None if name == "wecom" else SECRET
    url = fake.add(name, f"{name}-a", secret)
    body = k.render_alert(alert("both", n))
    bodies = body.get(PARTS, [body])
    # sixty changes in two languages: over 4,096 bytes for WeCom and 20 KB for Feishu
    assert len(bodies) == (1 if n == 1 or name == "dingtalk" else {"feishu": 2, "wecom": 4}[name])
    for one in bodies:
        assert await deliver(http, k, url, secret, Outgoing(one)) == Posted()
    assert fake.refused == []


async def test_dingtalk_alert_shows_charts_only_by_public_url() -> None:
    """With the research site's public URL the alert shows the chart from it; without, none."""
    with_site = DingTalkKind("https://r.example/research").render_alert(alert("zh", 1))
    text = with_site["markdown"]["text"]
    assert "![IWM](https://r.example/research/IWM/2026-06-08/zh-hans/preview.png)" in text
    without = DingTalkKind(read_settings=False).render_alert(alert("zh", 1))
    assert "![" not in without["markdown"]["text"]


@pytest.mark.parametrize("name", ["feishu", "lark", "wecom", "dingtalk"])
async def test_sample_card_is_accepted(
    fake: FakeCN, http: aiohttp.ClientSession, name: str
) -> None:
    """``webhook test``'s sample card is accepted by each platform."""
    k = kind(name)
    secret = None if name == "wecom" else SECRET
    url = fake.add(name, f"{name}-s", secret)
    for body in k.render_sample(make_card(), "both"):
        assert await deliver(http, k, url, secret, body) == Posted()


# --- refusals: said plainly, the target paused --------------------------------------------------


async def test_feishu_bad_or_stale_signature_pauses(
    fake: FakeCN, http: aiohttp.ClientSession
) -> None:
    """A wrong secret, a clock an hour off, or no signature: 19021, a pause with the reason."""
    url = fake.add("feishu", "fs2", SECRET)
    k, card = FeishuKind(), k_card()
    for secret, now in [("wrong", NOW), (SECRET, NOW - timedelta(hours=1, seconds=5)), (None, NOW)]:
        answer = await deliver(http, k, url, secret, card, now)
        assert isinstance(answer, Pause) and "signature" in answer.reason
    assert await deliver(http, k, url, SECRET, card, NOW - timedelta(minutes=59)) == Posted()
    assert fake.refused == [("fs2", 19021)] * 3


async def test_unknown_robots_pause(fake: FakeCN, http: aiohttp.ClientSession) -> None:
    """A deleted robot: Feishu 19001, WeCom 93000, DingTalk 300001, each a pause in plain words."""
    robots: list[tuple[WebhookKind, str]] = [
        (FeishuKind(), fake.url("feishu", "gone")),
        (WeComKind(), fake.url("wecom", "gone")),
        (DingTalkKind(read_settings=False), fake.url("dingtalk", "gone")),
    ]
    for k, url in robots:
        answer = await deliver(http, k, url, None, k_card())
        assert isinstance(answer, Pause), answer
        assert "removed" in answer.reason and "gone" not in answer.reason


async def test_dingtalk_bad_or_stale_signature_pauses(
    fake: FakeCN, http: aiohttp.ClientSession
) -> None:
    """310000: the reason names the signature or the clock."""
    url = fake.add("dingtalk", "dt2", SECRET)
    k = DingTalkKind(read_settings=False)
    wrong = await deliver(http, k, url, "SECwrong", k_card())
    stale = await deliver(http, k, url, SECRET, k_card(), NOW + timedelta(hours=2))
    assert isinstance(wrong, Pause) and "signature" in wrong.reason
    assert isinstance(stale, Pause) and "clock" in stale.reason


async def test_over_the_limits_is_too_large_and_odd_types_fail(
    fake: FakeCN, http: aiohttp.ClientSession
) -> None:
    """Markdown over 4,096 bytes, a Feishu body over 20 KB, a DingTalk body over 20,000 bytes:
    too large (a rendering bug, never truncated); an unknown message type: failed."""
    wc, fs, dt = fake.add("wecom", "wc3"), fake.add("feishu", "fs3"), fake.add("dingtalk", "dt3")
    long_md = Outgoing({"msgtype": "markdown", "markdown": {"content": "动" * 1366}})
    assert isinstance(await deliver(http, WeComKind(), wc, None, long_md), TooLarge)
    fs_big = Outgoing({"msg_type": "text", "content": {"text": "x" * 21000}})
    assert isinstance(await deliver(http, FeishuKind(), fs, None, fs_big), TooLarge)
    dt_big = Outgoing({"msgtype": "markdown", "markdown": {"title": "t", "text": "x" * 20001}})
    ding = DingTalkKind(read_settings=False)
    assert isinstance(await deliver(http, ding, dt, None, dt_big), TooLarge)
    assert isinstance(
        await deliver(http, WeComKind(), wc, None, Outgoing({"msgtype": "x"})), Failed
    )
    assert isinstance(await deliver(http, ding, dt, None, Outgoing({"msgtype": "x"})), Failed)


# --- rate limits: waited out, and kept ------------------------------------------------------


async def test_wecom_21st_message_in_a_minute_waits(
    fake: FakeCN, http: aiohttp.ClientSession
) -> None:
    """The 21st message within a minute is 45009: wait a minute, then it is accepted."""
    url = fake.add("wecom", "wc4")
    k = WeComKind()
    answers = [await deliver(http, k, url, None, k_card()) for _ in range(21)]
    assert answers[:20] == [Posted()] * 20
    assert isinstance(answers[20], Wait) and answers[20].seconds == 60
    clock(fake).now += answers[20].seconds
    assert await deliver(http, k, url, None, k_card()) == Posted()


async def test_dingtalk_21st_message_blocks_ten_minutes(
    fake: FakeCN, http: aiohttp.ClientSession
) -> None:
    """The 21st message blocks the robot for ten minutes (130101): the answer says wait 600 s."""
    url = fake.add("dingtalk", "dt4")
    k = DingTalkKind(read_settings=False)
    for _ in range(20):
        assert await deliver(http, k, url, None, k_card()) == Posted()
    blocked = await deliver(http, k, url, None, k_card())
    assert isinstance(blocked, Wait) and blocked.seconds == 600
    clock(fake).now += 300
    assert isinstance(await deliver(http, k, url, None, k_card()), Wait)
    clock(fake).now += 301
    assert await deliver(http, k, url, None, k_card()) == Posted()


@pytest.mark.parametrize("name", ["feishu", "wecom", "dingtalk"])
async def test_paced_at_the_declared_rate_nothing_is_refused(
    fake: FakeCN, http: aiohttp.ClientSession, name: str
) -> None:
    """Posting at the kind's ``per_minute`` (evenly spaced, as the poster paces a target) for
    three minutes never meets the platform's limit."""
    k = kind(name)
    url = fake.add(name, f"{name}-r")
    step = 60.0 / k.per_minute
    for _ in range(int(k.per_minute * 3)):
        assert await deliver(http, k, url, None, k_card()) == Posted()
        clock(fake).now += step
    assert fake.refused == []


def k_card() -> Outgoing:
    """A small message every kind's platform takes (a WeCom/DingTalk/Feishu text-like body)."""
    return _CARD


_CARD = Outgoing(
    {
        "msgtype": "markdown",
        "msg_type": "interactive",
        "markdown": {"content": "ok", "title": "ok", "text": "ok"},
        "card": {"elements": []},
    }
)


def test_bodies_are_compact_utf8() -> None:
    """Chinese goes as UTF-8 (3 bytes a character), not as 6-byte ``\\u`` escapes."""
    body = WeComKind().sign("u", None, Outgoing({"t": "动量"}), NOW).body
    assert body == '{"t":"动量"}'.encode() and json.loads(body) == {"t": "动量"}


def test_feishu_links_the_research_site_when_it_is_published() -> None:
    """No app credentials, so no chart: the digest links the site's index and the sample card
    the fund's page, in each reader's language; without a published site, no link."""
    k = FeishuKind(public_url="https://r.example/research")
    [digest] = k.render_digest(watchlist(3), "both", subscription_id=1)
    elements = digest.payload["card"]["i18n_elements"]
    assert "(https://r.example/research/zh-hans/)" in json.dumps(elements["zh_cn"])
    assert "(https://r.example/research/en/)" in json.dumps(elements["en_us"])
    [sample] = k.render_sample(make_card(), "zh")
    assert "https://r.example/research/IWM/zh-hans/" in json.dumps(sample.payload)
    bare = FeishuKind(read_settings=False).render_digest(watchlist(3), "zh", subscription_id=1)
    assert "https://" not in json.dumps(bare[0].payload)
