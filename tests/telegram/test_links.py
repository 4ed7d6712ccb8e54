"""Research-page links on Telegram (issue 25 item 4, issue 23 item 4): with SIGNALBOT_PUBLIC_URL
set, cards, digests and alerts link their page in the reader's language, and that page is the one
link a message previews; without it, no link and every preview off."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot

from bot.adapters.telegram import create_telegram_adapter
from bot.adapters.telegram.channel import TelegramChannel
from bot.adapters.telegram.poster import ChatPacer, TelegramPoster
from bot.delivery.poster import AlertMessage
from bot.dispatch import Dispatcher
from bot.settings import load_settings
from bot.storage import Storage
from commands.context import Services
from formatting.alerts import RegimeChange
from formatting.digest import build_digest
from formatting.pagelinks import day_url, page_url
from signals.calendar import MarketCalendar
from signals.regimes import Regime
from signals.service import PriceService
from signals.sources.csv import CsvSource
from tests.fakes.telegram import BOT_TOKEN, FakeTelegram
from tests.fakes.telegram.records import Sent
from tests.formatting.conftest import WORKED_AS_OF, make_card

BASE = "https://example.org/research"


def preview(sent: Sent) -> dict[str, Any]:
    """The ``link_preview_options`` the bot sent (python-telegram-bot sends them as JSON)."""
    raw = sent.params.get("link_preview_options")
    return json.loads(raw) if isinstance(raw, str) else dict(raw or {})


def links(sent: Sent) -> list[str]:
    """The URLs of the message's links (``text_link`` entities)."""
    return [str(e["url"]) for e in sent.parsed.entities if e["type"] == "text_link"]


async def _adapter(
    fake: FakeTelegram, store: Storage, prices: Path, *, site: str | None
) -> tuple[Any, asyncio.Task[None]]:
    service = PriceService(CsvSource(prices), MarketCalendar(), store=store)
    services = Services(
        prices=service,
        settings=store,
        default_language="en",
        alerts=store,
        site=None if site is None else (lambda card: site),
    )
    settings = load_settings(
        env_file=None,
        telegram_bot_token=BOT_TOKEN,
        telegram_api_base_url=fake.base_url,
        signal_cooldown_seconds=0,
    )
    adapter = create_telegram_adapter(
        settings.telegram, settings.chat, Dispatcher(services), store, port=0, host="127.0.0.1"
    )
    adapter.login_wait = 0.0
    task = asyncio.create_task(adapter.run())
    await fake.wait_for(lambda: bool(fake.of("getUpdates")))
    return adapter, task


@pytest.mark.parametrize(
    ("code", "slug"),
    [("en", "en"), ("zh-tw", "zh-hant"), ("zh-cn", "zh-hans")],
)
async def test_a_card_links_its_page_in_the_readers_language(
    fake: FakeTelegram, store: Storage, prices: Path, code: str, slug: str
) -> None:
    fake.private(7, language_code=code)
    adapter, task = await _adapter(fake, store, prices, site=BASE)
    try:
        fake.message(7, 7, "/signal IWM")
        await adapter.handlers.wait_handled(1)
    finally:
        await adapter.stop()
        await task
    sent = fake.sent_to(7)
    found = [url for s in sent for url in links(s)]
    assert found and all(url.startswith(f"{BASE}/IWM/") for url in found)
    assert all(url.endswith(f"/{slug}/") for url in found)
    for s in sent:  # previews: off, or the research page only
        if s.method == "sendMessage":
            options = preview(s)
            assert options.get("is_disabled") or options.get("url") in found


async def test_no_link_and_no_preview_without_a_public_url(
    fake: FakeTelegram, store: Storage, prices: Path
) -> None:
    fake.private(7)
    adapter, task = await _adapter(fake, store, prices, site=None)
    try:
        fake.message(7, 7, "/signal IWM SPY")
        await adapter.handlers.wait_handled(1)
    finally:
        await adapter.stop()
        await task
    sent = fake.sent_to(7)
    assert sent and not [url for s in sent for url in links(s)]
    assert all(preview(s).get("is_disabled") for s in sent if s.method == "sendMessage")


# --- digests and alerts through the channel and the poster -----------------------------------


@pytest.fixture
async def poster(fake: FakeTelegram) -> AsyncIterator[TelegramPoster]:
    bot = Bot(BOT_TOKEN, base_url=fake.base_url)
    await bot.initialize()

    async def no_sleep(seconds: float) -> None:
        return None

    async def on_migrate(old: str, new: str) -> None:
        return None

    pacer = ChatPacer(sleep=no_sleep, clock=lambda: 0.0)
    yield TelegramPoster(bot, on_migrate=on_migrate, pacer=pacer, sleep=no_sleep)
    await bot.shutdown()


def _digest(site: str | None) -> Any:
    card = make_card()
    return replace(build_digest(WORKED_AS_OF, [card.signal], source="csv"), site_url=site)


@pytest.mark.parametrize(
    ("language", "slug"),
    [("en", "en"), ("zh", "zh-hans"), ("zh-hant", "zh-hant"), ("zh-hk", "zh-hk")],
)
async def test_a_digest_links_its_day_page(
    fake: FakeTelegram, poster: TelegramPoster, language: str, slug: str
) -> None:
    fake.private(7)
    out = TelegramChannel().render_digest(_digest(BASE), language, subscription_id=1)  # type: ignore[arg-type]
    for message in out:
        await poster.send_message("7", message.payload, message.files)
    want = f"{BASE}/markets/xnys/{WORKED_AS_OF.isoformat()}/{slug}/"
    assert want == day_url(BASE, "XNYS", WORKED_AS_OF, language)  # type: ignore[arg-type]
    for s in fake.sent_to(7):
        assert links(s) == [want]
        assert preview(s).get("url") == want


async def test_a_digest_without_the_site_has_no_link(
    fake: FakeTelegram, poster: TelegramPoster
) -> None:
    fake.private(7)
    for message in TelegramChannel().render_digest(_digest(None), "both", subscription_id=1):
        await poster.send_message("7", message.payload, message.files)
    sent = fake.sent_to(7)
    assert sent and all(not links(s) and preview(s).get("is_disabled") for s in sent)


async def test_an_alert_links_each_change_in_every_language_shown(
    fake: FakeTelegram, poster: TelegramPoster
) -> None:
    fake.private(7)
    card = replace(make_card(), site_url=BASE)
    change = RegimeChange(previous=Regime.UPTREND, card=card)
    alert = AlertMessage((change,), WORKED_AS_OF, "both-hant", "csv", "k", [1])
    body = TelegramChannel().render_alert(alert)
    await poster.send_message("7", body)
    (sent,) = fake.sent_to(7)
    en, hant = (page_url(BASE, "IWM", WORKED_AS_OF, lang) for lang in ("en", "zh-hant"))
    assert links(sent) == [en, hant]
    assert preview(sent).get("url") == en
    plain = replace(make_card(), site_url=None)
    body = TelegramChannel().render_alert(
        AlertMessage(
            (RegimeChange(previous=Regime.UPTREND, card=plain),),
            WORKED_AS_OF,
            "en",
            "csv",
            "k2",
            [1],
        )
    )
    await poster.send_message("7", body)
    assert not links(fake.sent_to(7)[-1]) and preview(fake.sent_to(7)[-1]).get("is_disabled")
