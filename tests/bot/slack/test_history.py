"""/signal IWM history through the bolt app: the table in blocks, its chart, bad input."""

from __future__ import annotations

import pytest

from bot.adapters.slack.parsing import parse_command
from bot.adapters.slack.wording import slack_params
from formatting.i18n import t
from formatting.messages import message_to_slack
from tests.bot.slack.support import run_slash
from tests.fakes.slack import TEAM
from tests.support import json_strings


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("IWM history", {"ticker": "IWM"}),
        ("history IWM", {"ticker": "IWM"}),
        ("iwm HISTORY 2026-06-05", {"ticker": "iwm", "as_of": "2026-06-05"}),
    ],
)
def test_history_spellings(text, args):
    """``/signal IWM history`` (the documented form) and ``history IWM`` both parse."""
    parsed = parse_command(text)
    assert (parsed.command, parsed.args) == ("history", args)


async def test_history_table_and_chart(make_adapter, fake, store):
    """A bilingual workspace: header, table and "not a forecast" in each language; one PNG."""
    adapter = await make_adapter(language="en")
    await store.set_language("slack", TEAM, "both")
    (body,) = await run_slash(adapter, fake, "IWM history")
    assert body["response_type"] == "in_channel"
    text = "\n".join(json_strings(body))
    for lang in ("en", "zh"):
        assert t("history.title", lang, ticker="IWM") in text
        assert t("track.not_forecast", lang) in text
    assert "```" in text
    (upload,) = fake.of("upload")
    assert upload.raw.startswith(b"\x89PNG")


async def test_history_unknown_ticker_is_private(make_adapter, fake):
    """``/signal NOPE history``: an ephemeral message naming the ticker, nothing posted."""
    adapter = await make_adapter(language="en")
    (body,) = await run_slash(adapter, fake, "NOPE history")
    assert body["response_type"] == "ephemeral" and "NOPE" in body["text"]
    assert fake.of("upload") == []


@pytest.mark.parametrize(
    ("text", "args"),
    [
        (
            "alert add IWM <#C0123ABCD|general>",
            {"action": "add", "ticker": "IWM", "channel": "C0123ABCD"},
        ),
        ("alert add IWM", {"action": "add", "ticker": "IWM", "channel": "C0HERE000"}),
        ("alert", {"action": "list", "channel": "C0HERE000"}),
    ],
)
def test_alert_spellings(text, args):
    """``/signal alert add IWM #channel``; without a channel, the one the command was typed in."""
    parsed = parse_command(text, "C0HERE000")
    assert (parsed.command, parsed.args) == ("alert", args)
    assert parsed.needs_admin_check


async def test_admin_alert_in_this_channel_and_member_refused(make_adapter, fake, store):
    """An admin adds an alert for the channel typed in (a channel link); a member is refused."""
    adapter = await make_adapter(language="en", slack_admin_user_ids="U0BOSS")
    (added,) = await run_slash(adapter, fake, "alert add IWM", user="U0BOSS")
    assert added["response_type"] == "ephemeral"
    assert added["text"].startswith("Regime alert added: IWM in <#C")
    (again,) = await run_slash(adapter, fake, "alert add iwm", user="U0BOSS")
    assert "already a regime alert" in again["text"]
    fake.user("U0MEMBER", is_admin=False, is_owner=False)
    (refused,) = await run_slash(adapter, fake, "alert add SPY", user="U0MEMBER")
    assert refused["text"] == t("alert.admins_only", "en")
    assert [a.ticker for a in await store.list_alerts("slack", TEAM)] == ["IWM"]


@pytest.mark.parametrize(
    ("where", "key", "params"),
    [
        pytest.param(
            {"is_private": True, "is_member": False},
            "slack.error.alert_not_member",
            {"channel": "C0PRIV", "invite": "/invite @signalbot"},
            id="private-non-member",
        ),
        pytest.param(
            {"is_archived": True},
            "slack.error.alert_archived",
            {"channel": "C0PRIV"},
            id="archived",
        ),
        pytest.param(
            {"is_mpim": True, "is_private": True},
            "slack.error.alert_dm",
            {"command": "/signal alert add TICKER #channel"},
            id="group-dm",
        ),
    ],
)
async def test_an_alert_where_the_bot_cannot_post_is_refused(
    make_adapter, fake, store, where, key, params
):
    """conversations.info first, as for a digest: a private channel without the app, an archived
    channel or a group DM is refused with what to do, in the reader's words; nothing stored."""
    adapter = await make_adapter(language="en", slack_admin_user_ids="U0BOSS")
    fake.channel("C0PRIV", **where)
    (reply,) = await run_slash(adapter, fake, "alert add IWM <#C0PRIV|secret>", user="U0BOSS")
    assert reply["response_type"] == "ephemeral"
    expected = message_to_slack(key, slack_params(params), "en", ephemeral=True)["text"]
    assert reply["text"] == expected and "Nothing changed" in reply["text"]
    assert [c.params["channel"] for c in fake.of("conversations.info")] == ["C0PRIV"]
    assert await store.list_alerts("slack", TEAM) == []


async def test_an_alert_typed_in_a_dm_is_refused_in_chinese_before_any_call(
    make_adapter, fake, store
):
    """In a 1:1 DM without a channel: refused at once (no conversations.info), in Chinese."""
    adapter = await make_adapter(language="zh", slack_admin_user_ids="U0BOSS")
    (reply,) = await run_slash(adapter, fake, "alert add IWM", user="U0BOSS", channel="D0DM")
    assert "私信" in reply["text"] and "/signal alert add TICKER #channel" in reply["text"]
    assert fake.of("conversations.info") == []
    assert await store.list_alerts("slack", TEAM) == []


async def test_an_alert_check_that_slack_cannot_answer_changes_nothing(make_adapter, fake, store):
    """conversations.info fails (an outage): "try again", nothing stored, no traceback."""
    adapter = await make_adapter(language="en", slack_admin_user_ids="U0BOSS")
    fake.fail("conversations.info", "internal_error")
    (reply,) = await run_slash(adapter, fake, "alert add IWM <#C0PUB|pub>", user="U0BOSS")
    assert "try again" in reply["text"] and "Traceback" not in reply["text"]
    assert await store.list_alerts("slack", TEAM) == []
