"""/signal digest … through the bolt app: the digest contract's arguments, the admin check,
scheduling end to end and the ephemeral preview."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.adapters.slack.parsing import Parsed
from bot.dispatch import Dispatcher, Outcome
from formatting.i18n import t
from tests.bot.slack.support import run_slash
from tests.fakes.slack import TEAM
from tests.support import json_strings


def everything(body: Any) -> str:
    return "\n".join(json_strings(body))


class SpyDispatcher(Dispatcher):
    """Records what the adapter asks for, then behaves like the real dispatcher."""

    def __init__(self, services: Any) -> None:
        super().__init__(services)
        self.seen: list[tuple[str, dict[str, str], bool, str | None]] = []

    async def run(self, command: str, args: Any, **kwargs: Any) -> Outcome:
        self.seen.append((command, dict(args), kwargs["is_admin"], kwargs["channel_id"]))
        return await super().run(command, args, **kwargs)


@pytest.mark.parametrize(
    ("text", "args"),
    [
        (
            "digest schedule <#C0DIGEST1|markets> 16:30 America/New_York",
            {
                "action": "schedule",
                "channel": "C0DIGEST1",
                "time": "16:30",
                "timezone": "America/New_York",
            },
        ),
        (
            "digest schedule C0DIGEST1 Asia/Shanghai",
            {"action": "schedule", "channel": "C0DIGEST1", "timezone": "Asia/Shanghai"},
        ),
        ("digest schedule", {"action": "schedule", "channel": "C0GENERAL"}),
        ("digest watchlist SPY QQQ IWM", {"action": "watchlist", "tickers": "SPY QQQ IWM"}),
        ("digest off <#C0DIGEST1|>", {"action": "off", "channel": "C0DIGEST1"}),
        ("digest status", {"action": "status"}),
        ("digest", {"action": "status"}),
        ("digest preview", {"action": "preview"}),
        ("digest sometimes", {"action": "sometimes"}),
    ],
)
async def test_digest_subcommands_reach_the_digest_contract(
    make_adapter, fake, adapter, text, args
):
    """'/signal digest ...' becomes the digest command's arguments, with the admin check done."""
    spy = SpyDispatcher(adapter.commands.dispatcher.services)
    spied = await make_adapter(dispatcher=spy)
    fake.user("U0ADMIN", is_admin=True)
    replies = await run_slash(spied, fake, text, user="U0ADMIN")
    assert spy.seen == [("digest", args, True, "C0GENERAL")]
    assert replies and replies[0]["text"]  # answered
    assert Parsed("digest", args).needs_admin_check


async def test_digest_schedule_end_to_end(adapter, fake, store):
    """With the digest command: a member is refused and nothing is stored; an admin's
    '/signal digest schedule <#C…|name> 16:30 America/New_York' subscribes that channel."""
    fake.user("U0MEMBER")
    fake.user("U0ADMIN", is_owner=True)
    text = "digest schedule <#C0DIGEST1|markets> 16:30 America/New_York"
    (refused,) = await run_slash(adapter, fake, text, user="U0MEMBER")
    assert refused["response_type"] == "ephemeral"
    assert await store.list_subscriptions("slack", TEAM) == []
    await run_slash(adapter, fake, text, user="U0ADMIN")
    (sub,) = await store.list_subscriptions("slack", TEAM)
    assert (sub.channel_id, sub.time, sub.timezone) == ("C0DIGEST1", "16:30", "America/New_York")


async def test_digest_preview_is_block_kit_only_to_the_admin(make_adapter, fake, store):
    """'/signal digest preview' shows the digest's Block Kit ephemerally, after a note."""
    adapter = await make_adapter(language="en", slack_admin_user_ids="U0ADMIN")
    await store.set_watchlist("slack", TEAM, ["IWM", "SPY"])
    note, *parts = await run_slash(adapter, fake, "digest preview", user="U0ADMIN")
    assert note == {"text": t("digest.preview_note", "en"), "response_type": "ephemeral"}
    assert parts and all(p["response_type"] == "ephemeral" for p in parts)
    shown = everything(parts)
    assert "IWM" in shown and "SPY" in shown
    assert all(Block.parse(b).to_dict() == b for p in parts for b in p["blocks"])
    for part in parts:
        for block in part["blocks"]:
            Block.parse(block).validate_json()
