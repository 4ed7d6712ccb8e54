"""Research-page links and pictures in every webhook kind (issue 25 item 4, issue 24).

With the site on, a digest carries ``site_url`` and an alert's cards carry theirs (the runners set
them from ``SIGNALBOT_PUBLIC_URL``): every kind links the page in the target's language, and the
kinds that show images only by URL (Slack incoming, DingTalk) link PNGs the site really writes —
checked here against a site written by :func:`bot.site.build.write_site` itself. Without it, no
link and no picture.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.delivery.poster import AlertMessage, Outgoing
from bot.site.build import write_site
from bot.webhooks.dingtalk import DingTalkKind
from bot.webhooks.kinds import kind
from bot.webhooks.site_images import SiteImages
from bot.webhooks.slack_kind import SlackKind
from formatting.alerts import RegimeChange
from formatting.card import Card, Language
from formatting.card_json import card_json
from formatting.digest import Digest, build_digest
from formatting.languages import LANGS, Lang
from formatting.pagelinks import day_url, page_url
from signals.regimes import Regime
from tests.formatting.conftest import WORKED_AS_OF, make_card

BASE = "https://example.org/research"
SESSION: date = WORKED_AS_OF
KINDS = ("json", "discord", "slack", "feishu", "wecom", "dingtalk")
#: A language setting and the one catalog language it shows.
SINGLE: list[tuple[Language, Lang]] = [
    ("en", "en"),
    ("zh", "zh"),
    ("zh-hant", "zh-hant"),
    ("zh-hk", "zh-hk"),
]


@pytest.fixture(autouse=True)
def _no_site_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kinds read SIGNALBOT_PUBLIC_URL / SIGNALBOT_SITE_DIR: the tests say what they use."""
    for name in ("SIGNALBOT_PUBLIC_URL", "SIGNALBOT_SITE_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """IWM's and SPY's pages of the session and the market's day page, as the bot writes them."""
    out = tmp_path_factory.mktemp("links") / "site"
    cards = {t: [make_card(ticker=t)] for t in ("IWM", "SPY")}
    write_site(out, cards, langs=LANGS, base=BASE, signal_json=card_json, processes=0)
    return out


def cards(site_url: str | None, *tickers: str) -> list[Card]:
    return [replace(make_card(ticker=t), site_url=site_url) for t in tickers]


def alert(language: Language, site_url: str | None, *tickers: str) -> AlertMessage:
    changes = [RegimeChange(previous=Regime.NEUTRAL, card=c) for c in cards(site_url, *tickers)]
    return AlertMessage(changes, SESSION, language, "csv", "a1s260608", [1])


def digest(site_url: str | None) -> Digest:
    signals = [c.signal for c in cards(None, "IWM", "SPY")]
    return replace(build_digest(SESSION, signals, source="csv"), site_url=site_url)


def dumped(bodies: list[Outgoing] | Any) -> str:
    payloads = [b.payload for b in bodies] if isinstance(bodies, list) else [bodies]
    return json.dumps(payloads, ensure_ascii=False)


def other_langs(lang: Lang) -> list[Lang]:
    return [x for x in LANGS if x != lang]


# --- links: every kind, in the target's language -------------------------------------------


@pytest.mark.parametrize("name", KINDS)
@pytest.mark.parametrize(("language", "lang"), SINGLE)
def test_an_alert_links_each_changes_page_in_the_targets_language(
    name: str, language: Language, lang: Lang
) -> None:
    body = dumped(kind(name).render_alert(alert(language, BASE, "IWM", "SPY")))
    for ticker in ("IWM", "SPY"):
        assert page_url(BASE, ticker, SESSION, lang) in body
        for other in other_langs(lang) if name != "json" else []:  # JSON: every language
            assert page_url(BASE, ticker, SESSION, other) not in body


@pytest.mark.parametrize("name", KINDS)
@pytest.mark.parametrize(("language", "lang"), SINGLE)
def test_a_digest_links_its_day_page_in_the_targets_language(
    name: str, language: Language, lang: Lang
) -> None:
    parts = kind(name).render_digest(digest(BASE), language, subscription_id=1)
    want = day_url(BASE, "XNYS", SESSION, lang)
    assert want in dumped(parts[:1])
    for other in other_langs(lang) if name != "json" else []:  # JSON: every language
        assert day_url(BASE, "XNYS", SESSION, other) not in dumped(parts)


@pytest.mark.parametrize("name", KINDS)
def test_a_bilingual_target_gets_both_languages_links(name: str) -> None:
    body = dumped(kind(name).render_alert(alert("both-hant", BASE, "IWM")))
    assert page_url(BASE, "IWM", SESSION, "en") in body
    assert page_url(BASE, "IWM", SESSION, "zh-hant") in body


@pytest.mark.parametrize("name", KINDS)
def test_no_link_without_the_site(name: str) -> None:
    found = kind(name)
    assert BASE not in dumped(found.render_alert(alert("both", None, "IWM", "SPY")))
    assert BASE not in dumped(found.render_digest(digest(None), "both", subscription_id=1))
    assert BASE not in dumped(found.render_sample(make_card(), "both"))


def test_the_json_body_names_the_pages_in_every_language() -> None:
    (body,) = kind("json").render_digest(digest(BASE), "en", subscription_id=1)
    assert body.payload["page_url"] == {x: day_url(BASE, "XNYS", SESSION, x) for x in LANGS}
    changes = kind("json").render_alert(alert("zh", BASE, "IWM"))["changes"]
    assert changes[0]["page_url"] == {x: page_url(BASE, "IWM", SESSION, x) for x in LANGS}
    (sample,) = kind("json").render_sample(cards(BASE, "IWM")[0], "en")
    assert sample.payload["page_url"]["zh-hant"] == page_url(BASE, "IWM", SESSION, "zh-hant")
    assert "page_url" not in kind("json").render_alert(alert("zh", None, "IWM"))["changes"][0]


def test_discord_embeds_link_the_page_by_their_url() -> None:
    parts = kind("discord").render_digest(digest(BASE), "zh-hant", subscription_id=1)
    assert parts[0].payload["embeds"][0]["url"] == day_url(BASE, "XNYS", SESSION, "zh-hant")
    (sample,) = kind("discord").render_sample(cards(BASE, "IWM")[0], "zh")
    assert sample.payload["embeds"][0]["url"] == page_url(BASE, "IWM", SESSION, "zh")


# --- pictures by URL: files the site writes -------------------------------------------------


def on_disk(site: Path, url: str) -> Path:
    """The site's file behind a public URL; it must exist and be a PNG."""
    assert url.startswith(BASE + "/")
    path = site / url.removeprefix(BASE + "/")
    assert path.is_file(), f"{url} is not a file the site wrote"
    with Image.open(io.BytesIO(path.read_bytes())) as image:
        assert image.format == "PNG"
    return path


def image_blocks(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in body["blocks"] if b["type"] == "image"]


@pytest.mark.parametrize(("language", "lang"), SINGLE)
def test_slack_shows_each_changes_preview_png_from_the_site(
    site: Path, language: Language, lang: Lang
) -> None:
    slack = SlackKind(SiteImages(site))
    blocks = image_blocks(slack.render_alert(alert(language, BASE, "IWM", "SPY")))
    assert [b["image_url"] for b in blocks] == [
        f"{page_url(BASE, t, SESSION, lang)}preview.png" for t in ("IWM", "SPY")
    ]
    for block in blocks:
        with Image.open(on_disk(site, block["image_url"])) as image:
            assert image.size == (1200, 630)  # the page's og:image
        assert block["alt_text"]


def test_slack_shows_no_picture_the_site_does_not_have(site: Path) -> None:
    slack = SlackKind(SiteImages(site))
    blocks = image_blocks(slack.render_alert(alert("en", BASE, "IWM", "QQQ")))  # no QQQ page
    assert [b["image_url"] for b in blocks] == [
        f"{page_url(BASE, 'IWM', SESSION, 'en')}preview.png"
    ]
    # published from elsewhere: nothing to check the file against, and Slack refuses a whole
    # message whose image it cannot download, so no picture rather than a lost alert
    unchecked = SlackKind(SiteImages(None, read_settings=False))
    assert not image_blocks(unchecked.render_alert(alert("en", BASE, "IWM")))
    assert not image_blocks(slack.render_alert(alert("en", None, "IWM")))


def test_slack_digest_and_sample_pictures(site: Path) -> None:
    slack = SlackKind(SiteImages(site))
    first = slack.render_digest(digest(BASE), "zh", subscription_id=1)[0].payload
    (block,) = image_blocks(first)
    assert block["image_url"] == day_url(BASE, "XNYS", SESSION, "zh") + "heatmap.png"
    on_disk(site, block["image_url"])
    (sample,) = slack.render_sample(cards(BASE, "SPY")[0], "zh-hant")
    (block,) = image_blocks(sample.payload)
    on_disk(site, block["image_url"])
    assert not image_blocks(slack.render_digest(digest(None), "zh", subscription_id=1)[0].payload)


@pytest.mark.parametrize(("language", "lang"), SINGLE)
def test_dingtalk_pictures_are_the_sites_pngs(site: Path, language: Language, lang: Lang) -> None:
    ding = DingTalkKind(read_settings=False, images=SiteImages(site))
    text = ding.render_alert(alert(language, BASE, "IWM"))["markdown"]["text"]
    url = f"{page_url(BASE, 'IWM', SESSION, lang)}preview.png"
    assert f"![IWM]({url})" in text
    on_disk(site, url)
    (part, *_) = ding.render_digest(digest(BASE), language, subscription_id=1)
    heatmap = day_url(BASE, "XNYS", SESSION, lang) + "heatmap.png"
    assert f"({heatmap})" in part.payload["markdown"]["text"]
    on_disk(site, heatmap)


def test_dingtalk_without_the_site_shows_no_picture(site: Path) -> None:
    ding = DingTalkKind(read_settings=False, images=SiteImages(site))
    assert "![" not in ding.render_alert(alert("zh", None, "IWM"))["markdown"]["text"]
    (part, *_) = ding.render_digest(digest(None), "zh", subscription_id=1)
    assert "![" not in part.payload["markdown"]["text"]


@pytest.mark.parametrize("language", ["zh", "both-hant"])
def test_wecom_parts_with_links_stay_within_4096_bytes(language: Language) -> None:
    from formatting.webhook_markdown import WECOM_MAX_BYTES
    from tests.bot.webhooks.cn_support import watchlist

    long = replace(watchlist(60), site_url=BASE)
    parts = kind("wecom").render_digest(long, language, subscription_id=1)
    texts = [p.payload["markdown"]["content"] for p in parts if p.payload["msgtype"] == "markdown"]
    assert len(texts) > 1
    for text in texts:
        assert len(text.encode()) <= WECOM_MAX_BYTES
        assert "](https://example.org/research/markets/" in text  # every part links the day
