"""Where a digest may be scheduled, what the confirmations say, who counts as an admin, and who
is told when a digest stops."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from slack_sdk.models.blocks import Block

from bot.adapters.base import ChannelGone, PostingPaused
from bot.adapters.slack.home import home_view
from bot.adapters.slack.wording import slack_params
from bot.storage import Delivery
from formatting.i18n import Term
from formatting.messages import message_text, message_to_slack
from tests.bot.slack.support import run_slash
from tests.fakes.slack import TEAM

ADMIN = "U0ADMIN"
SCHEDULE = "digest schedule <#C0PRIV|secret> 16:30 America/New_York"


@pytest.fixture
async def admin_adapter(make_adapter, fake):
    fake.user(ADMIN, is_admin=True)
    return await make_adapter(language="en")


@pytest.mark.parametrize(
    ("where", "text", "key", "params"),
    [
        pytest.param(
            {"is_private": True, "is_member": False},
            SCHEDULE,
            "slack.error.digest_not_member",
            {"channel": "C0PRIV", "invite": "/invite @signalbot"},
            id="private-non-member",
        ),
        pytest.param(
            {"is_archived": True},
            SCHEDULE,
            "slack.error.digest_archived",
            {"channel": "C0PRIV"},
            id="archived",
        ),
        pytest.param(
            {"is_mpim": True, "is_private": True},
            SCHEDULE,
            "slack.error.digest_dm",
            {"command": "/signal digest schedule #channel"},
            id="group-dm",
        ),
    ],
)
async def test_scheduling_where_no_digest_can_go_is_refused(
    admin_adapter, fake, store, where, text, key, params
):
    """conversations.info first: a private channel without the app, an archived channel or a
    group DM is refused with what to do, and nothing is stored."""
    fake.channel("C0PRIV", **where)
    (reply,) = await run_slash(admin_adapter, fake, text, user=ADMIN)
    assert reply["response_type"] == "ephemeral"
    assert (
        reply["text"] == message_to_slack(key, slack_params(params), "en", ephemeral=True)["text"]
    )
    assert "<#C0PRIV>" in reply["text"] or key == "slack.error.digest_dm"
    assert await store.list_subscriptions("slack", TEAM, enabled_only=False) == []


async def test_scheduling_in_a_dm_is_refused_and_nothing_stored(admin_adapter, fake, store):
    """Typed in a 1:1 DM without naming a channel: refused before conversations.info."""
    (reply,) = await run_slash(admin_adapter, fake, "digest schedule", user=ADMIN, channel="D0DM")
    assert "/signal digest schedule #channel" in reply["text"]
    assert "direct message" in reply["text"]
    assert fake.of("conversations.info") == []
    assert await store.list_subscriptions("slack", TEAM, enabled_only=False) == []


async def test_members_learn_nothing_about_channels(make_adapter, fake, store):
    """A non-admin is refused for permission first; no conversations.info is made for them."""
    adapter = await make_adapter(language="en")
    fake.user("U0MEMBER")
    (reply,) = await run_slash(adapter, fake, SCHEDULE, user="U0MEMBER")
    assert "workspace admin" in reply["text"] and "server" not in reply["text"]
    assert fake.of("conversations.info") == []


async def test_confirmation_names_the_channel_and_the_zone_as_typed(admin_adapter, fake, store):
    """Scheduling another channel than the one typed in: the confirmation names that channel
    (<#C…>), and the time zone is shown exactly as typed (no zero-width spaces)."""
    fake.channel("C0PRIV", is_private=True, is_member=True)
    (reply,) = await run_slash(admin_adapter, fake, SCHEDULE, user=ADMIN)
    assert reply["text"].startswith("Daily digest on for <#C0PRIV>:")
    assert "`America/New_York`" in reply["text"]
    assert "\u200b" not in reply["text"]
    assert "this channel" not in reply["text"]
    (sub,) = await store.list_subscriptions("slack", TEAM)
    assert sub.channel_id == "C0PRIV"
    assert await admin_adapter.poster.teams.created_by(TEAM, "C0PRIV") == ADMIN


async def test_digest_status_and_off_use_channel_links(admin_adapter, fake, store):
    """digest status lists <#C…> links (Slack shows names), and off names the channel."""
    await run_slash(
        admin_adapter, fake, "digest schedule <#C0ONE|one> 09:00 Asia/Shanghai", user=ADMIN
    )
    (status,) = await run_slash(admin_adapter, fake, "digest status", user=ADMIN)
    assert "<#C0ONE>" in status["text"] and "`Asia/Shanghai`" in status["text"]
    (off,) = await run_slash(admin_adapter, fake, "digest off <#C0ONE|one>", user=ADMIN)
    assert off["text"] == "Daily digest turned off for <#C0ONE>."


async def test_slack_connect_guest_admin_never_passes(admin_adapter, fake, store):
    """An admin of another organisation (Slack Connect): users.info says is_admin, but the
    user's team is not the command's; refused, nothing stored."""
    fake.user("U0GUEST", is_admin=True, team_id="T0ELSEWHERE")
    (reply,) = await run_slash(admin_adapter, fake, "language zh", user="U0GUEST")
    assert "workspace admin" in reply["text"]
    assert await store.get_language("slack", TEAM, "unset") == "unset"


async def test_grid_admin_of_the_org_passes(admin_adapter, fake, store):
    """In an Enterprise Grid, an org admin whose home workspace differs is still an admin."""
    fake.user(
        "U0ORGADMIN",
        is_admin=False,  # not an admin of this workspace, but of the org
        team_id="T0HOME",
        enterprise_user={"enterprise_id": "E0ORG", "is_admin": True},
    )
    await run_slash(admin_adapter, fake, "language zh", user="U0ORGADMIN", enterprise="E0ORG")
    assert await store.get_language("slack", TEAM, "unset") == "zh"


async def test_admin_of_another_org_in_a_grid_channel_never_passes(admin_adapter, fake, store):
    """A Slack Connect guest from another Grid org: admin there, not here."""
    fake.user(
        "U0OUTSIDER",
        is_admin=True,
        team_id="T0THEIRS",
        enterprise_user={"enterprise_id": "E0THEIRS", "is_admin": True},
    )
    await run_slash(admin_adapter, fake, "language zh", user="U0OUTSIDER", enterprise="E0ORG")
    assert await store.get_language("slack", TEAM, "unset") == "unset"


@pytest.mark.parametrize(
    ("error", "raised", "key"),
    [
        ("channel_not_found", ChannelGone, "slack.dm.digest_stopped"),
        ("not_in_channel", PostingPaused, "slack.dm.digest_paused"),
    ],
)
async def test_the_admin_who_scheduled_is_told_why_it_stopped(
    admin_adapter, fake, store, error, raised, key
):
    """The digest cannot be posted: the admin who scheduled it gets a DM with the channel and
    the reason in words; the error still reaches the fan-out."""
    await run_slash(admin_adapter, fake, "digest schedule <#C0GONE|gone>", user=ADMIN)
    fake.fail("chat.postMessage", error)
    with pytest.raises(raised):
        await admin_adapter.send_message("C0GONE", {"text": "digest"}, server_id=TEAM)
    _, dm = fake.of("chat.postMessage")
    assert dm.params["channel"] == ADMIN
    reason = Term(f"slack.reason.{error}")
    params = {"channel": "<#C0GONE>", "reason": reason, "command": "/signal digest schedule"}
    assert dm.params["text"].startswith(message_text(key, params, "en")[:30])
    assert "<#C0GONE>" in dm.params["text"]
    # the fan-out retries the delivery: the admin is not told again
    fake.fail("chat.postMessage", error)
    with pytest.raises(raised):
        await admin_adapter.send_message("C0GONE", {"text": "digest"}, server_id=TEAM)
    assert len(fake.of("chat.postMessage")) == 3


async def test_nobody_to_tell_is_fine(adapter, fake, store):
    """A digest stored without an admin (older rows): the error is raised, no DM attempted."""
    await store.upsert_subscription("slack", TEAM, "C0OLD", time=None, timezone="UTC")
    fake.fail("chat.postMessage", "is_archived")
    with pytest.raises(ChannelGone):
        await adapter.send_message("C0OLD", {"text": "digest"}, server_id=TEAM)
    assert len(fake.of("chat.postMessage")) == 1


async def test_home_tab_says_why_a_digest_stopped_and_validates(store):
    """The App Home shows the reason in words (not the error code) and is valid Block Kit."""
    sub = await store.upsert_subscription(
        "slack", TEAM, "C0X", time="16:30", timezone="America/New_York"
    )
    await store.disable_subscription("slack", TEAM, "C0X", "channel gone: is_archived")
    (stopped,) = await store.list_subscriptions("slack", TEAM, enabled_only=False)
    view = home_view(
        lang="en", watchlist=["IWM"], subscriptions=[stopped], deliveries={sub.id: None}
    )
    text = str(view)
    assert "the channel was archived" in text and "is_archived" not in text
    assert "`America/New_York`" in text and "\u200b" not in text
    for block in view["blocks"]:
        Block.parse(block).validate_json()


async def test_home_tab_says_why_a_paused_digest_failed(store):
    """A paused digest (not_in_channel) shows what to do, not the exception text."""

    sub = await store.upsert_subscription("slack", TEAM, "C0P", time=None, timezone="UTC")
    failed = Delivery(
        subscription_id=sub.id,
        session=date(2026, 6, 8),
        state="failed",
        attempts=1,
        message_ids=(),
        claimed_by="x",
        claimed_at=datetime(2026, 6, 8, 21, tzinfo=UTC),
        sent_at=None,
        error="PostingPaused('channel C0P: not_in_channel')",
    )
    view = home_view(lang="en", watchlist=["IWM"], subscriptions=[sub], deliveries={sub.id: failed})
    text = str(view)
    assert "invite @signalbot" in text and "PostingPaused" not in text


async def test_schedule_a_market_from_slack(admin_adapter, fake, store):
    """``/signal digest schedule #channel market hk``: the digest follows Hong Kong, and the
    confirmation and the App Home say so (issue 21)."""
    fake.channel("C0PRIV", is_private=True, is_member=True)
    (reply,) = await run_slash(
        admin_adapter, fake, "digest schedule <#C0PRIV|secret> market hk", user=ADMIN
    )
    assert reply["text"].startswith("Daily digest on for <#C0PRIV>: every Hong Kong trading day")
    (sub,) = await store.list_subscriptions("slack", TEAM)
    assert (sub.market, sub.market_auto, sub.timezone) == ("XHKG", False, "Asia/Hong_Kong")
    view = home_view(lang="en", watchlist=["2800.HK"], subscriptions=[sub], deliveries={})
    assert "Follows Hong Kong: its trading days and close" in str(view)


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("digest schedule market hk", {"market": "hk"}),
        ("digest schedule <#C0AAAAAAA|x> 17:00 market:jp", {"time": "17:00", "market": "jp"}),
        ("digest schedule 09:00 Asia/Taipei market tw", {"time": "09:00", "timezone":
         "Asia/Taipei", "market": "tw"}),
    ],
)  # fmt: skip
def test_slack_words_for_a_market(text, args):
    from bot.adapters.slack.parsing import parse_command

    parsed = parse_command(text, "C0HERE000")
    assert {k: v for k, v in parsed.args.items() if k not in ("action", "channel")} == args


def test_a_market_word_without_a_name_is_the_usage():
    from bot.adapters.slack.parsing import parse_command
    from commands.reply import UserError

    with pytest.raises(UserError) as raised:
        parse_command("digest schedule market", "C0HERE000")
    assert raised.value.key == "slack.error.digest_usage"
