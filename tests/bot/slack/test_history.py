"""/signal IWM history through the bolt app: the table in blocks, its chart, bad input."""

from __future__ import annotations

from typing import Any

import pytest

from bot.adapters.slack.parsing import parse_command
from formatting.i18n import t
from tests.bot.slack.fake_slack import TEAM
from tests.bot.slack.support import run_slash


def strings(obj: Any) -> list[str]:
    """Every string inside a JSON-like value."""
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in strings(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in strings(v)]
    return []


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
    text = "\n".join(strings(body))
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
