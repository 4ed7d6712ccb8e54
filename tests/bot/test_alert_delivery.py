"""Alert deliveries on the digest's ledger: leases, takeover, recovery, a graceful stop, keys."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.alerts.runner import AlertRunner, alert_nonce
from bot.storage import AlertKey
from bot.storage.alerts import Alert
from tests.bot.lease_time import pass_time
from tests.bot.test_alerts import Poster, add, prices  # noqa: F401  (the fixture)
from tests.fakes.market import WORKED_SESSION


class RecoverablePoster(Poster):
    """A poster that can read its own messages back by marker, like the Discord and Slack ones."""

    def __init__(self, platform: str, found: dict[str, str]) -> None:
        super().__init__(platform)
        self.found = found
        self.asked: list[tuple[str, str, datetime]] = []

    async def find_posted(
        self, channel_id: str, marker: str, since: datetime, *, server_id: str | None = None
    ) -> str | None:
        self.asked.append((channel_id, marker, since))
        return self.found.get(marker)


async def test_alert_claims_hold_a_lease_that_is_renewed_and_taken_over(storage):
    """Another instance's live claim is left alone; once its lease ends, it is taken over as a
    retry (ask the platform first); the holder's heartbeat renews alert claims too."""
    await add(storage, "IWM")
    (alert,) = await storage.list_alerts()
    key = AlertKey(alert.id, WORKED_SESSION)
    first = await storage.claim_alert(key, "i-dead", lease=timedelta(seconds=20))
    assert first is not None and not first.retry
    assert await storage.claim_alert(key, "i-other") is None  # the lease runs
    await pass_time(storage, timedelta(seconds=15))
    assert await storage.renew_claims("i-dead", timedelta(seconds=20)) == 1  # alert rows too
    await pass_time(storage, timedelta(seconds=15))
    assert await storage.claim_alert(key, "i-other") is None  # renewed: still alive
    await pass_time(storage, timedelta(seconds=10))
    taken = await storage.claim_alert(key, "i-other")
    assert taken is not None and taken.retry and taken.since == first.since
    assert await storage.mark_alert_failed(key, "i-dead", "late") is False  # no longer its
    assert await storage.mark_alert_sent(key, ["m1"])
    assert await storage.claim_alert(key, "i-third") is None  # sent is never claimed again


async def test_a_retried_alert_found_on_the_platform_is_marked_sent_not_posted(storage, prices):  # noqa: F811
    """The holder died after posting: the retry finds the message by its key and posts nothing."""
    await add(storage, "IWM")
    await add(storage, "SPY")
    alerts = await storage.list_alerts()
    key = alert_nonce(alerts, WORKED_SESSION)
    for alert in alerts:
        assert await storage.claim_alert(AlertKey(alert.id, WORKED_SESSION), "i-dead")
    await pass_time(storage, timedelta(minutes=1))  # the dead holder's lease is over
    poster = RecoverablePoster("discord", {key: "m-earlier"})
    report = await AlertRunner(storage, prices, {"discord": poster}).run(WORKED_SESSION)
    assert (report.sent, report.recovered, report.messages) == (2, 2, 0) and poster.posts == []
    assert poster.asked[0][1] == key
    states = await storage.alert_states(WORKED_SESSION)
    assert {s for s, _ in states.values()} == {"sent"}


async def test_a_first_attempt_does_not_ask_and_a_retry_not_found_posts_once(storage, prices):  # noqa: F811
    await add(storage, "IWM")
    poster = RecoverablePoster("discord", {})
    report = await AlertRunner(storage, prices, {"discord": poster}).run(WORKED_SESSION)
    assert report.sent == 1 and poster.asked == [] and len(poster.posts) == 1


async def test_a_stopping_run_gives_its_claims_back_and_posts_nothing(storage, prices):  # noqa: F811
    """A graceful stop between claim and post: nothing posted, claims free at once."""
    await add(storage, "IWM")
    poster = Poster("discord")
    calls = iter([True, False])  # active for the channel loop, stopping before the post
    runner = AlertRunner(storage, prices, {"discord": poster})
    report = await runner.run(WORKED_SESSION, active=lambda: next(calls, False))
    assert report.stopped == 1 and report.sent == 0 and poster.posts == []
    assert await storage.alert_states(WORKED_SESSION) == {}  # a first attempt's row is gone
    again = await AlertRunner(storage, prices, {"discord": poster}).run(WORKED_SESSION)
    assert again.sent == 1 and len(poster.posts) == 1


def _alerts() -> list[Alert]:
    when = datetime(2026, 6, 1)
    return [
        Alert(
            id=12,
            platform="discord",
            server_id="g1",
            channel_id="111",
            ticker="IWM",
            user_id="u1",
            created_at=when,
        )
    ]


async def test_alert_messages_carry_their_key_on_discord_and_slack(storage, prices):  # noqa: F811
    """Discord: nonce plus a ``ref`` line read back from history; Slack: metadata."""
    await add(storage, "IWM")
    await add(storage, "IWM", channel="C1", platform="slack")
    posters: dict[str, Any] = {"discord": Poster("discord"), "slack": Poster("slack")}
    await AlertRunner(storage, prices, posters).run(WORKED_SESSION)
    (discord_alert,) = await storage.list_alerts("discord", "g1")
    (slack_alert,) = await storage.list_alerts("slack", "g1")
    ((_, discord_body),) = posters["discord"].posts
    ((_, slack_body),) = posters["slack"].posts
    key = alert_nonce([discord_alert], WORKED_SESSION)
    assert discord_body["nonce"] == key and discord_body["enforce_nonce"] is True
    assert discord_body["content"].endswith(f"-# ref {key}")
    assert len(discord_body["content"]) <= 2000
    metadata = slack_body["metadata"]
    assert metadata["event_type"] == "signalbot_alert"
    assert metadata["event_payload"]["key"] == alert_nonce([slack_alert], WORKED_SESSION)
    assert metadata["event_payload"]["alerts"] == [slack_alert.id]
    assert alert_nonce(_alerts(), WORKED_SESSION) == "a12s260608"


async def test_a_grouped_alert_is_marked_sent_in_one_statement(storage):
    """The alerts of one message are marked together (all or none): a crash between two marks
    cannot leave one marked and the other to be posted again on its own."""
    await add(storage, "IWM")
    await add(storage, "SPY")
    keys = [AlertKey(a.id, WORKED_SESSION) for a in await storage.list_alerts()]
    for key in keys:
        assert await storage.claim_alert(key, "i-1")
    assert await storage.mark_alerts_sent([], ["m0"]) == 0
    assert await storage.mark_alerts_sent(keys, ["m1"]) == 2
    assert await storage.mark_alerts_sent(keys, ["m2"]) == 0  # already sent: left as it was
    states = await storage.alert_states(WORKED_SESSION)
    assert {state for state, _ in states.values()} == {"sent"}
    assert [await storage.claim_alert(k, "i-2") for k in keys] == [None, None]
