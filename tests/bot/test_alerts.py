"""Regime alerts: storage, the /alert command's rules, and runs that post exactly once."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pytest

from bot.adapters.discord.interactions import MEMBER_ALERTS as DISCORD_MEMBERS
from bot.adapters.slack.handlers import MEMBER_ALERTS as SLACK_MEMBERS
from bot.alerts.runner import AlertRunner
from bot.storage import Storage
from commands.context import MemberAlerts, Request, Services
from commands.registry import dispatch
from commands.reply import UserError
from formatting.messages import message_text
from signals.bars import FetchResult, bars_until
from signals.calendar import MarketCalendar
from signals.errors import NoData
from signals.service import PriceService
from tests.fakes.market import WORKED_SESSION, bars_from_closes, worked_example_bars

EVENING = datetime(2026, 6, 8, 23, 0, tzinfo=UTC)


class Source:
    """Fixed bars (within the requested window); counts calls."""

    name = "counting"

    def __init__(self, bars: dict[str, Any]) -> None:
        self.data = bars
        self.calls = 0

    def fetch(self, tickers: Sequence[str], *, start: date, end: date) -> FetchResult:
        self.calls += 1
        bars, errors = {}, {}
        for t in tickers:
            if t in self.data:
                bars[t] = bars_until(self.data[t], end)
            else:
                errors[t] = NoData(t, "unknown")
        return FetchResult(bars=bars, errors=errors)


def steady_bars():
    """A calm random walk: neutral on both of the last two sessions."""
    rng = np.random.default_rng(4)
    closes = list(100 * np.exp(np.cumsum(rng.normal(0, 0.002, 90))))
    return bars_from_closes(closes, end=WORKED_SESSION)


@pytest.fixture
def prices() -> PriceService:
    worked = worked_example_bars()  # neutral on June 5, defensive impulse on June 8
    source = Source(
        {
            "IWM": worked,
            "SPY": worked * 2.4,
            "CALM": steady_bars(),
            "LATE": bars_until(worked, date(2026, 6, 5)),  # no bar for June 8 yet
        }
    )
    return PriceService(source, MarketCalendar())


class Poster:
    """Records every post; optionally fails."""

    def __init__(self, platform: str, *, fail: bool = False) -> None:
        self.platform = platform
        self.fail = fail
        self.posts: list[tuple[str, dict[str, Any]]] = []

    async def send_message(
        self, channel_id: str, payload: dict[str, Any], files: Sequence[Any] = (), *, server_id=None
    ) -> str:
        if self.fail:
            from bot.adapters.base import PostFailed

            raise PostFailed("boom")
        self.posts.append((channel_id, payload))
        return f"m{len(self.posts)}"


#: What each adapter declares members may do with alerts.
MEMBER_ALERTS: dict[str, MemberAlerts] = {"discord": DISCORD_MEMBERS, "slack": SLACK_MEMBERS}


def request(platform: str = "discord", *, admin: bool = True, **args: str) -> Request:
    return Request(
        command="alert",
        args=args,
        platform=platform,
        server_id="g1",
        channel_id="111",
        user_id="u1",
        is_admin=admin,
        member_alerts=MEMBER_ALERTS.get(platform, "channel"),
        now=EVENING,
        language="en",
    )


def services(storage: Storage, prices: PriceService, limit: int = 3) -> Services:
    return Services(prices=prices, alerts=storage, max_alerts=limit)


async def test_add_list_remove(storage, prices):
    """An admin adds a channel alert, lists it, removes it; the words say where."""
    svc = services(storage, prices)
    reply = await dispatch(request(action="add", ticker="iwm"), svc)
    (added,) = reply.messages
    assert message_text(added.key, added.params, "en").startswith(
        "Regime alert added: IWM in <#111>"
    )
    listed = await dispatch(request(action="list"), svc)
    assert [m.key for m in listed.messages] == ["alert.list_title", "alert.list_entry"]
    await dispatch(request(action="remove", ticker="IWM"), svc)
    assert await storage.list_alerts() == []


async def test_member_alert_goes_to_their_dms_and_channel_needs_admin(storage, prices):
    """A Discord member without a channel gets a DM alert; naming a channel is refused."""
    svc = services(storage, prices)
    reply = await dispatch(request(admin=False, action="add", ticker="IWM"), svc)
    assert "your direct messages" in message_text(
        reply.messages[0].key, reply.messages[0].params, "en"
    )
    (alert,) = await storage.list_alerts()
    assert alert.channel_id == "dm:u1" and alert.dm_user == "u1"
    with pytest.raises(UserError) as info:
        await dispatch(request(admin=False, action="add", ticker="SPY", channel="222"), svc)
    assert info.value.key == "alert.members_dm_only"
    assert len(await storage.list_alerts()) == 1


async def test_slack_members_cannot_manage_alerts(storage, prices):
    """Slack: only workspace admins manage alerts (channels only)."""
    with pytest.raises(UserError) as info:
        await dispatch(
            request("slack", admin=False, action="add", ticker="IWM"), services(storage, prices)
        )
    assert info.value.key == "alert.admins_only"
    assert await storage.list_alerts() == []


@pytest.mark.parametrize(
    ("args", "key"),
    [
        ({"action": "add", "ticker": "X" * 500}, "error.invalid_ticker"),
        ({"action": "add", "ticker": ""}, "error.one_ticker"),
        ({"action": "add", "ticker": "IWM SPY"}, "error.one_ticker"),
        ({"action": "add", "ticker": "IWM", "postable": "no"}, "alert.cannot_post"),
        ({"action": "explode", "ticker": "IWM"}, "alert.bad_action"),
    ],
)
async def test_bad_input_changes_nothing(storage, prices, args, key):
    """500 characters, no or two tickers, a channel the bot cannot post in, a bad action."""
    with pytest.raises(UserError) as info:
        await dispatch(request(**args), services(storage, prices))
    assert info.value.key == key
    assert await storage.list_alerts() == []


async def test_duplicate_and_limit_store_nothing(storage, prices):
    """A second identical alert is refused; beyond the per-server limit too."""
    svc = services(storage, prices, limit=2)
    await dispatch(request(action="add", ticker="IWM"), svc)
    with pytest.raises(UserError) as info:
        await dispatch(request(action="add", ticker="IWM"), svc)
    assert info.value.key == "alert.duplicate"
    await dispatch(request(action="add", ticker="SPY"), svc)
    with pytest.raises(UserError) as info:
        await dispatch(request(action="add", ticker="QQQ"), svc)
    assert info.value.key == "alert.limit" and info.value.params["limit"] == 2
    assert [a.ticker for a in await storage.list_alerts()] == ["IWM", "SPY"]


async def test_remove_missing_says_so(storage, prices):
    """Removing an alert that does not exist: not found, nothing changed."""
    reply = await dispatch(request(action="remove", ticker="QQQ"), services(storage, prices))
    assert reply.messages[0].key == "alert.not_found" and reply.ephemeral


async def add(
    storage: Storage, ticker: str, channel: str = "111", platform: str = "discord"
) -> None:
    result = await storage.add_alert(platform, "g1", channel, ticker, user_id="u1", limit=50)
    assert result == "added"


async def test_changes_of_one_channel_are_one_message_and_posted_once(storage, prices):
    """IWM and SPY change (neutral -> defensive impulse): one grouped post; a rerun posts none."""
    for ticker in ("IWM", "SPY", "CALM"):
        await add(storage, ticker)
    await add(storage, "IWM", channel="222")
    poster = Poster("discord")
    runner = AlertRunner(storage, prices, {"discord": poster}, default_language="en")
    report = await runner.run(WORKED_SESSION)
    assert report.changed == ["IWM", "SPY"] and report.messages == 2 and report.sent == 3
    by_channel = {c: p["content"] for c, p in poster.posts}
    assert set(by_channel) == {"111", "222"}
    text = by_channel["111"]
    assert "IWM: neutral → defensive impulse" in text and "SPY: neutral → defensive impulse" in text
    assert "CALM" not in text and "$281.65" in text and "not investment advice" in text
    assert poster.posts[0][1]["allowed_mentions"] == {"parse": []}
    again = await runner.run(WORKED_SESSION)
    assert again.sent == 0 and len(poster.posts) == 2


async def test_no_change_missing_data_and_failures(storage, prices):
    """No change posts nothing; a ticker without the session's bar waits; a failed post retries."""
    await add(storage, "CALM")
    await add(storage, "LATE")
    poster = Poster("discord")
    runner = AlertRunner(storage, prices, {"discord": poster})
    report = await runner.run(WORKED_SESSION)
    assert report.changed == [] and report.waiting == ["LATE"] and poster.posts == []
    await add(storage, "IWM")
    failing = AlertRunner(storage, prices, {"discord": Poster("discord", fail=True)})
    assert (await failing.run(WORKED_SESSION)).failed == 1
    assert (await runner.run(WORKED_SESSION)).sent == 1  # the failed claim is retried
    assert len(poster.posts) == 1


async def test_alert_made_after_the_due_time_waits(storage, prices):
    """An alert created after the session's alerts fell due is not posted for that session."""
    await add(storage, "IWM")
    poster = Poster("discord")
    runner = AlertRunner(storage, prices, {"discord": poster})
    report = await runner.run(WORKED_SESSION, due_at=datetime(2026, 6, 8, 20, 30, tzinfo=UTC))
    assert report.sent == 0 and poster.posts == []


class DmPoster(Poster):
    """A Discord-like poster that opens DM channels."""

    async def open_dm(self, user_id: str) -> str:
        return f"dmchan-{user_id}"


async def test_member_dm_alert_is_posted_in_their_dm_channel(storage, prices):
    """An alert for dm:u1 opens the member's DM channel and posts there, once."""
    await add(storage, "IWM", channel="dm:u1")
    poster = DmPoster("discord")
    runner = AlertRunner(storage, prices, {"discord": poster}, default_language="zh")
    assert (await runner.run(WORKED_SESSION)).sent == 1
    ((channel, payload),) = poster.posts
    assert channel == "dmchan-u1" and "IWM：中性→防御动能" in payload["content"]


async def test_dm_alert_without_direct_messages_fails_cleanly(storage, prices):
    """A platform without DMs: the claim is released as failed, nothing posted."""
    await add(storage, "IWM", channel="dm:u1")
    poster = Poster("discord")
    report = await AlertRunner(storage, prices, {"discord": poster}).run(WORKED_SESSION)
    assert report.failed == 1 and poster.posts == []


class Leader:
    """Stands in for the digest scheduler: its leadership and its count of posting runs."""

    def __init__(self, leader: bool) -> None:
        self.is_leader = leader
        self.scheduler = None
        self.posting_runs = 0

    def active(self) -> bool:
        return self.is_leader

    @contextlib.contextmanager
    def posting(self) -> Iterator[None]:
        self.posting_runs += 1
        yield


async def test_alert_clock_runs_on_the_leader_when_due(storage, prices):
    """Due 30 minutes after the close, on the leader only; a weekend past the grace: nothing."""
    from datetime import timedelta

    from bot.alerts.service import AlertClock
    from bot.digest.schedule import DigestSchedule

    storage._clock = lambda: datetime(2026, 6, 1, tzinfo=UTC)  # the alert exists since June 1
    await add(storage, "IWM")
    poster = Poster("discord")
    runner = AlertRunner(storage, prices, {"discord": poster})
    schedule = DigestSchedule(MarketCalendar())
    times = iter(
        [
            datetime(2026, 6, 8, 20, 10, tzinfo=UTC),  # closed, not yet due: June 5 past grace
            datetime(2026, 6, 8, 20, 32, tzinfo=UTC),  # due, leader
            datetime(2026, 6, 13, 15, 0, tzinfo=UTC),  # Saturday: June 12 is past the grace
        ]
    )
    leader = Leader(False)
    clock = AlertClock(
        runner,
        leader,
        schedule,
        grace=timedelta(hours=6),
        clock=lambda: next(times),  # type: ignore[arg-type]
    )
    leader.is_leader = True
    assert await clock.tick() is None
    leader.is_leader = False
    assert await clock.tick() is None  # due, but not the leader (the clock is not even read)
    leader.is_leader = True
    report = await clock.tick()
    assert report is not None and report.sent == 1 and len(poster.posts) == 1
    assert leader.posting_runs == 1  # a stop would have let that post finish
    assert await clock.tick() is None
