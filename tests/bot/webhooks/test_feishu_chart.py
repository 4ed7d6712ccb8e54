"""The digest's chart in a Feishu/Lark card: uploaded with the target's app credentials through
the real poster against the local fake of Feishu's server API (tests/fakes/feishu_open.py).

Once per chart and app however many targets and retries post it, the tenant token kept until
its expiry (and fetched again when the platform no longer takes it); wrong credentials pause
the target with a plain reason; without credentials the card is the one without a chart, with
the research link; the token and the secrets are never logged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from bot.adapters.base import Attachment, PostingPaused
from bot.delivery.poster import Outgoing
from bot.digest.claims import Target as DigestTarget
from bot.digest.fanout import DigestRunner
from bot.storage import Storage
from bot.storage.webhooks import NewWebhook, WebhookTarget
from bot.webhooks.card_image import PLACEHOLDER, with_image
from bot.webhooks.feishu import FeishuKind
from bot.webhooks.feishu_app import MAX_IMAGE
from bot.webhooks.poster import WebhookPoster
from signals.service import PriceService
from tests.bot.webhooks.cn_support import NOW, watchlist
from tests.bot.webhooks.conftest import VirtualClock
from tests.digest.conftest import SESSION, price_dir, prices  # noqa: F401  (fixtures)
from tests.fakes.feishu_open import FeishuOpen
from tests.fakes.webhooks_cn import FakeCN, running

APP_ID, APP_SECRET = "cli_chart01", "appSECRETchart0123456789"
RESEARCH = "https://research.example.com"


def png(tag: int, size: int = 2048) -> Attachment:
    return Attachment("heatmap-1.png", b"\x89PNG\r\n\x1a\n" + bytes([tag]) * size, "heatmap")


@pytest.fixture
async def cn() -> AsyncIterator[FakeCN]:
    fake = FakeCN(clock=NOW.timestamp, open_api=FeishuOpen(clock=NOW.timestamp))
    assert fake.open_api is not None
    fake.open_api.add_app(APP_ID, APP_SECRET)
    async with running(fake) as served:
        yield served


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
async def poster(storage: Storage, clock: VirtualClock) -> AsyncIterator[WebhookPoster]:
    posting = WebhookPoster(
        storage, clock=lambda: NOW, monotonic=clock.monotonic, sleep=clock.sleep
    )
    yield posting
    await posting.stop()


async def target(
    storage: Storage, cn: FakeCN, token: str, *, app: tuple[str, str] | None, lang: str = "en"
) -> WebhookTarget:
    return await storage.add_webhook(
        NewWebhook(
            kind="feishu",
            url=SecretStr(cn.add("feishu", token)),
            secret=None,
            language=lang,
            shown="both" if lang == "auto" else lang,
            colors=None,
            watchlist=["SPY"],
            market=None,
            time=None,
            timezone="America/New_York",
            app_id=SecretStr(app[0]) if app else None,
            app_secret=SecretStr(app[1]) if app else None,
        )
    )


def digest_messages(image: Attachment | None, lang: str = "en") -> list[Outgoing]:
    kind = FeishuKind(public_url=RESEARCH, read_settings=False)
    shown = "both" if lang == "auto" else lang
    images = [image] if image is not None else []
    return kind.render_digest(watchlist(12), shown, subscription_id=1, images=images)  # type: ignore[arg-type]


async def post(poster: WebhookPoster, to: WebhookTarget, messages: list[Outgoing]) -> None:
    for message in messages:
        await poster.send_message(str(to.id), message.payload, message.files)


def bot_log(caplog: pytest.LogCaptureFixture) -> str:
    """What the bot logged (the storage driver's debug lines quote the test's own inserts)."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))


def images_in(body: dict[str, Any]) -> list[str]:
    """Every ``img_key`` in a posted card (all locales)."""
    card = body["card"]
    lists = [card.get("elements", []), *card.get("i18n_elements", {}).values()]
    return [e["img_key"] for elements in lists for e in elements if e.get("tag") == "img"]


async def test_the_chart_is_uploaded_once_and_shown_in_every_locale(
    storage: Storage, cn: FakeCN, poster: WebhookPoster, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api = cn.open_api
    assert api is not None
    first = await target(storage, cn, "f1", app=(APP_ID, APP_SECRET), lang="auto")
    second = await target(storage, cn, "f2", app=(APP_ID, APP_SECRET), lang="auto")
    messages = digest_messages(png(1), "auto")
    assert len(messages) >= 1 and messages[0].files
    await post(poster, first, messages)
    await post(poster, second, messages)
    await post(poster, first, messages)  # a retry of the same digest
    assert api.uploads == 1 and api.token_requests == 1
    [key] = api.images
    for token in ("f1", "f2"):
        shown = images_in(cn.accepted[token][0])
        assert shown and set(shown) == {key}  # one img element per client locale
        assert len(shown) == len(cn.accepted[token][0]["card"]["i18n_elements"])
        assert RESEARCH in json.dumps(cn.accepted[token][0], ensure_ascii=False)
        bodies = cn.accepted[token]  # the chart on each first card only
        assert [bool(images_in(b)) for b in bodies] == [
            i % len(messages) == 0 for i in range(len(bodies))
        ]
    assert PLACEHOLDER not in json.dumps(cn.accepted, ensure_ascii=False)
    text = bot_log(caplog)
    assert APP_SECRET not in text and not any(t in text for t in api.tokens)


async def test_without_credentials_the_card_has_no_image_but_the_research_link(
    storage: Storage, cn: FakeCN, poster: WebhookPoster
) -> None:
    api = cn.open_api
    assert api is not None
    plain = await target(storage, cn, "plain", app=None)
    with_chart = digest_messages(png(2))
    await post(poster, plain, with_chart)
    [body, *_] = cn.accepted["plain"]
    assert images_in(body) == [] and api.uploads == 0 and api.token_requests == 0
    # exactly the card rendered without a chart
    assert body == digest_messages(None)[0].payload
    assert RESEARCH in json.dumps(body, ensure_ascii=False)


@pytest.mark.parametrize("app", [(APP_ID, "wrong-secret"), ("cli_unknown", APP_SECRET)])
async def test_bad_credentials_pause_the_target_with_a_plain_reason(
    storage: Storage,
    cn: FakeCN,
    poster: WebhookPoster,
    caplog: pytest.LogCaptureFixture,
    app: tuple[str, str],
) -> None:
    caplog.set_level(logging.DEBUG)
    bad = await target(storage, cn, "bad", app=app)
    with pytest.raises(PostingPaused) as raised:
        await post(poster, bad, digest_messages(png(3)))
    assert "refused the app's credentials" in raised.value.reason
    stored = await storage.get_webhook(bad.id)
    assert stored is not None and stored.paused_reason == raised.value.reason
    assert app[1] not in stored.paused_reason and "Traceback" not in caplog.text
    assert cn.accepted["bad"] == []  # nothing posted while paused
    assert app[1] not in bot_log(caplog) and "webhook paused" in bot_log(caplog)


async def test_the_token_is_kept_until_it_expires(
    storage: Storage, cn: FakeCN, poster: WebhookPoster, clock: VirtualClock
) -> None:
    api = cn.open_api
    assert api is not None
    to = await target(storage, cn, "tok", app=(APP_ID, APP_SECRET))
    await post(poster, to, digest_messages(png(4)))
    await post(poster, to, digest_messages(png(5)))  # another chart: the same token
    assert (api.token_requests, api.uploads) == (1, 2)
    clock.now += 7200  # the token's two hours have passed
    await post(poster, to, digest_messages(png(6)))
    assert (api.token_requests, api.uploads) == (2, 3)


async def test_a_token_the_platform_no_longer_takes_is_fetched_again_once(
    storage: Storage, cn: FakeCN, poster: WebhookPoster
) -> None:
    api = cn.open_api
    assert api is not None
    to = await target(storage, cn, "rev", app=(APP_ID, APP_SECRET))
    await post(poster, to, digest_messages(png(7)))
    api.tokens.clear()  # revoked on the platform's side
    await post(poster, to, digest_messages(png(8)))
    assert api.refused == [99991663] and api.token_requests == 2 and api.uploads == 2
    assert all(images_in(body) for body in cn.accepted["rev"][:1])


async def test_a_chart_over_10_mb_goes_without_the_image(
    storage: Storage, cn: FakeCN, poster: WebhookPoster, caplog: pytest.LogCaptureFixture
) -> None:
    api = cn.open_api
    assert api is not None
    to = await target(storage, cn, "big", app=(APP_ID, APP_SECRET))
    huge = Attachment("heatmap-1.png", b"\x89PNG" + bytes(MAX_IMAGE), "heatmap")
    await post(poster, to, digest_messages(huge))
    assert images_in(cn.accepted["big"][0]) == [] and api.uploads == 0
    assert "10 MB" in caplog.text


async def test_the_fake_refuses_images_over_10_mb_and_empty_ones(cn: FakeCN) -> None:
    """The fake's own checks, as the upload page documents them."""
    api = cn.open_api
    assert api is not None
    async with aiohttp.ClientSession() as http:
        async with http.post(
            cn.base_url + "/open-apis/auth/v3/tenant_access_token/internal",
            json={"app_id": APP_ID, "app_secret": APP_SECRET},
        ) as resp:
            token = (await resp.json())["tenant_access_token"]
        for size, code in ((MAX_IMAGE + 1, 234006), (0, 234006), (MAX_IMAGE, 0)):
            form = aiohttp.FormData()
            form.add_field("image_type", "message")
            form.add_field("image", bytes(size), filename="x.png", content_type="image/png")
            async with http.post(
                cn.base_url + "/open-apis/im/v1/images",
                data=form,
                headers={"Authorization": f"Bearer {token}"},
            ) as resp:
                assert (await resp.json())["code"] == code


async def test_the_digest_runner_puts_the_heatmap_in_the_card(
    storage: Storage,
    prices: PriceService,  # noqa: F811
    cn: FakeCN,
    poster: WebhookPoster,
) -> None:
    """Through the real digest runner (heatmaps drawn): the heatmap PNG is what is uploaded, its
    key is in the card, and a second run of the session posts and uploads nothing."""
    api = cn.open_api
    assert api is not None
    to = await target(storage, cn, "run", app=(APP_ID, APP_SECRET), lang="zh")
    assert to.subscription_id is not None
    sub = await storage.get_subscription(to.subscription_id)
    assert sub is not None
    runner = DigestRunner(storage, prices, {"webhook": poster}, heatmaps=True, render_processes=0)
    report = await runner.run([DigestTarget(sub, SESSION)])
    assert report.failed == 0 and report.paused == 0
    [key] = api.images
    assert api.images[key].startswith(b"\x89PNG") and api.uploads == 1
    assert images_in(cn.accepted["run"][0]) == [key]
    again = await runner.run([DigestTarget(sub, SESSION)])
    assert again.sent == 0 and api.uploads == 1 and len(cn.accepted["run"]) == report.sent


@pytest.mark.parametrize("n", [12, 40, 60])
@pytest.mark.parametrize("lang", ["en", "zh", "both", "both-hant"])
def test_every_card_fits_20_kb_with_the_chart_and_the_research_link(n: int, lang: str) -> None:
    """The first card is measured with what only it carries (the chart's element, the research
    link), so once signed each card is within Feishu's 20 KB, the chart shown or not."""
    kind = FeishuKind(public_url=RESEARCH, read_settings=False)
    digest = watchlist(n, changes=n)
    messages = kind.render_digest(digest, lang, subscription_id=1, images=[png(9)])  # type: ignore[arg-type]
    for key in ("img_v3_02ab_7d5c1b1a-93b3-4b66-9d8b-1e2f3a4b5c6g", None):
        for message in messages:
            shown = Outgoing(with_image(message.payload, key))
            signed = kind.sign("https://open.feishu.cn/x", "SECsecret", shown, NOW)
            assert len(signed.body) <= kind.max_body
