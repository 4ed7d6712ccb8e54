"""The App Home tab: published on app_home_opened with the workspace's settings and digests."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from slack_sdk.models.views import View

from bot.adapters.slack.home import MAX_HOME_BLOCKS, home_view
from bot.storage import Subscription
from formatting.i18n import t
from formatting.numbers import long_date
from signals.calendar import MarketCalendar
from tests.fakes.slack import TEAM, home_opened_body, signed_request


async def published(adapter, fake) -> None:
    """Wait for the views.publish call (bolt runs event listeners after its ack) to finish."""
    await fake.wait_for(lambda: bool(fake.of("views.publish")))
    await adapter.idle()


def texts(view: dict) -> str:
    return json.dumps(view, ensure_ascii=False)


async def test_home_tab_shows_language_watchlist_digests_and_last_status(adapter, fake, store):
    """Opening the Home tab publishes a view with the stored settings and each digest's state."""
    await store.set_language("slack", TEAM, "en")
    await store.set_watchlist("slack", TEAM, ["SPY", "QQQ"])
    sent = await store.upsert_subscription(
        "slack", TEAM, "C0DIGEST1", time="16:30", timezone="America/New_York"
    )
    await store.upsert_subscription("slack", TEAM, "C0GONE", time=None, timezone="Asia/Shanghai")
    await store.disable_subscription("slack", TEAM, "C0GONE", "channel_not_found")
    await store.upsert_subscription("slack", "T0ELSEWHERE", "C0NOTOURS", time=None, timezone="UTC")
    session = MarketCalendar().last_completed_session(datetime.now(UTC))
    assert await store.claim_delivery(sent.id, session, "test")
    await store.mark_sent(sent.id, session, ["1.2"])

    response = await adapter.app.async_dispatch(signed_request(home_opened_body(user="U0VIEWER")))
    assert response.status == 200
    await published(adapter, fake)
    (publish,) = fake.of("views.publish")
    assert publish.params["user_id"] == "U0VIEWER"
    view = publish.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["type"] == "home"
    assert View(**view).to_dict()["blocks"] == view["blocks"]  # parses as a Slack view
    shown = texts(view)
    assert t("language.current", "en", language="English") in shown
    assert "SPY QQQ" in shown
    assert "<#C0DIGEST1>" in shown and "<#C0GONE>" in shown and "C0NOTOURS" not in shown
    assert t("slack.home.last_sent", "en", date=long_date(session, "en")) in shown
    reason = t("slack.reason.channel_not_found", "en")  # words, not the error code
    assert t("slack.home.stopped", "en", reason=reason) in shown
    assert t("slack.home.after_close", "en") in shown
    assert "`America/New_York`" in shown  # shown (and copied) as typed
    assert "\u200b" not in shown


async def test_home_tab_in_chinese_without_digests(adapter, fake, store):
    """A Chinese workspace with no digest sees Chinese only, and how to start one."""
    await store.set_language("slack", TEAM, "zh")
    await adapter.app.async_dispatch(signed_request(home_opened_body()))
    await published(adapter, fake)
    (publish,) = fake.of("views.publish")
    view = publish.params["view"]
    shown = texts(json.loads(view) if isinstance(view, str) else view)
    assert t("slack.home.digests", "zh") in shown
    assert t("slack.home.no_digests", "zh", command="/signal digest schedule #channel") in shown
    assert "Daily digests" not in shown


async def test_home_publish_failure_is_logged_not_raised(adapter, fake, caplog):
    """views.publish failing leaves a log line; the event was already acknowledged."""
    fake.fail("views.publish", "invalid_arguments")
    response = await adapter.app.async_dispatch(signed_request(home_opened_body()))
    await published(adapter, fake)
    assert response.status == 200
    assert any("home not published" in r.getMessage() for r in caplog.records)


def test_home_view_stays_within_limits_with_many_digests():
    """Hundreds of subscriptions still make a valid view of at most 100 blocks."""
    now = datetime.now(UTC)
    subs = [
        Subscription(
            id=i,
            platform="slack",
            server_id=TEAM,
            channel_id=f"C{i:08d}",
            time="09:00",
            timezone="Europe/London",
            language=None,
            enabled=True,
            disabled_reason=None,
            created_at=now,
            updated_at=now,
        )
        for i in range(300)
    ]
    view = home_view(lang="both", watchlist=["SPY"], subscriptions=subs, deliveries={})
    assert len(view["blocks"]) <= MAX_HOME_BLOCKS
    assert t("slack.home.more", "en", count=260) in texts(view)
