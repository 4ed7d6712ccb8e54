"""With SIGNALBOT_PUBLIC_URL set, every card, digest and alert links to its research page in
the reader's language: the Discord embed's URL (its title becomes the link), a Slack mrkdwn
link (``<url|words>``, https://api.slack.com/reference/surfaces/formatting#linking-urls; no
button, which would send an interaction the bot has to answer), a masked link in an alert's
Discord content (https://discord.com/developers/docs/reference#message-formatting)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from commands.context import Request, Services
from commands.signal import handle_signal
from formatting.alerts import RegimeChange, alert_text, alert_to_discord, alert_to_slack
from formatting.blocks import card_to_slack
from formatting.digest import build_digest
from formatting.digest_render import digest_to_discord, digest_to_slack
from formatting.embeds import card_to_discord
from formatting.pagelinks import day_url, main_market, page_url
from signals.calendar import MarketCalendar
from signals.regimes import Regime
from signals.service import PriceService
from signals.sources import CsvSource
from tests.fakes.market import write_price_dir
from tests.formatting.conftest import WORKED_AS_OF, make_card

BASE = "https://example.org/research"


def test_page_urls_are_the_sites_stable_paths() -> None:
    assert page_url(BASE + "/", "IWM", WORKED_AS_OF, "zh-hant") == (
        f"{BASE}/IWM/2026-06-08/zh-hant/"
    )
    assert day_url(BASE, "XHKG", WORKED_AS_OF, "zh") == f"{BASE}/markets/xhkg/2026-06-08/zh-hans/"
    assert page_url(BASE, "BRK/B", WORKED_AS_OF, "en") == f"{BASE}/BRK%2FB/2026-06-08/en/"
    assert main_market(["XNYS", "XHKG", "XNYS"]) == "XNYS" and main_market([]) is None


def test_cards_link_their_page_in_each_language_shown() -> None:
    card = replace(make_card(), site_url=BASE)
    embeds = card_to_discord(card, "both-hant")["embeds"]
    assert [e["url"] for e in embeds] == [
        f"{BASE}/IWM/2026-06-08/en/",
        f"{BASE}/IWM/2026-06-08/zh-hant/",
    ]
    slack = str(card_to_slack(card, "zh")["blocks"])
    assert f"<{BASE}/IWM/2026-06-08/zh-hans/|研究页面>" in slack
    assert "url" not in card_to_discord(make_card(), "en")["embeds"][0]  # no site: no link
    assert BASE not in str(card_to_slack(make_card(), "en"))


def test_digests_link_their_markets_day_page() -> None:
    signals = [make_card(ticker=t).signal for t in ("IWM", "SPY")]
    digest = replace(build_digest(WORKED_AS_OF, signals), site_url=BASE)
    [body] = digest_to_discord(digest, "both")
    assert [e["url"] for e in body["embeds"]] == [
        f"{BASE}/markets/xnys/2026-06-08/en/",
        f"{BASE}/markets/xnys/2026-06-08/zh-hans/",
    ]
    [slack] = digest_to_slack(digest, "zh-hant")
    assert f"<{BASE}/markets/xnys/2026-06-08/zh-hant/|當日研究頁面>" in str(slack["blocks"])


def test_alerts_link_each_changed_funds_page() -> None:
    change = RegimeChange(previous=Regime.NEUTRAL, card=replace(make_card(), site_url=BASE))
    discord = alert_to_discord([change], WORKED_AS_OF, "en", source="csv")["content"]
    assert f"[Research page](<{BASE}/IWM/2026-06-08/en/>)" in discord
    slack = str(alert_to_slack([change], WORKED_AS_OF, "zh", source="csv")["blocks"])
    assert f"<{BASE}/IWM/2026-06-08/zh-hans/|研究页面>" in slack
    text = alert_text([change], WORKED_AS_OF, "zh-hant", source="csv")
    assert f"研究頁面：{BASE}/IWM/2026-06-08/zh-hant/" in text


async def test_a_signal_card_links_only_to_a_page_that_exists(tmp_path: Path) -> None:
    prices = PriceService(
        CsvSource(write_price_dir(tmp_path / "prices", {"IWM": 1.0, "SPY": 2.0})),
        MarketCalendar(),
    )
    written = {"IWM"}  # the site has IWM's page, not SPY's
    services = Services(prices=prices, site=lambda card: BASE if card.ticker in written else None)
    request = Request(command="signal", args={"ticker": "IWM SPY"}, now=datetime.now(UTC))
    reply = await handle_signal(request, services)
    links = {card.ticker: card.site_url for card in reply.cards}
    assert links == {"IWM": BASE, "SPY": None}
    await prices.aclose()
