"""Reading a digest message back from the platform (real clients against the local fakes)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.base import RecoveryUnavailable
from bot.adapters.slack import recovery as slack_recovery
from bot.adapters.slack.poster import SlackPoster
from bot.delivery.posters import DiscordHttpPoster
from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import FakeSlack

CHANNEL = "900000000000000001"


@pytest.fixture
async def discord() -> AsyncIterator[tuple[FakeDiscord, DiscordHttpPoster]]:
    fake = await FakeDiscord(dedupe=False).start()
    poster = DiscordHttpPoster("fake-token", base_url=fake.base_url)
    await poster.open()
    yield fake, poster
    await poster.close()
    await fake.stop()


async def test_discord_finds_its_marker_in_the_footer_after_the_claim(
    discord: tuple[FakeDiscord, DiscordHttpPoster],
) -> None:
    fake, poster = discord
    since = datetime.now(UTC)
    for n in (1, 2):
        body = {
            "embeds": [
                {"title": "t", "description": "d", "footer": {"text": f"f · ref d7s260608p{n}"}}
            ]
        }
        await poster.send_message(CHANNEL, body)
    second = fake.created[1].id
    assert await poster.find_posted(CHANNEL, "ref d7s260608p2", since) == second
    assert await poster.find_posted(CHANNEL, "ref d7s260608p3", since) is None
    later = since + timedelta(hours=1)  # messages before the claim are not looked at
    assert await poster.find_posted(CHANNEL, "ref d7s260608p2", later) is None


async def test_discord_pages_forward_past_100_messages(
    discord: tuple[FakeDiscord, DiscordHttpPoster],
) -> None:
    fake, poster = discord
    since = datetime.now(UTC)
    for n in range(130):
        await poster.send_message(CHANNEL, {"content": f"noise {n}"})
    await poster.send_message(CHANNEL, {"content": "x\n-# ref d7s260608p1"})
    assert await poster.find_posted(CHANNEL, "ref d7s260608p1", since) == fake.created[-1].id
    assert fake.history_calls == 2


async def test_discord_without_read_message_history_cannot_be_asked(
    discord: tuple[FakeDiscord, DiscordHttpPoster],
) -> None:
    fake, poster = discord
    fake.no_history.add(CHANNEL)
    with pytest.raises(RecoveryUnavailable, match="HTTP 403 code 50001"):
        await poster.find_posted(CHANNEL, "ref d7s260608p1", datetime.now(UTC))


@pytest.fixture
async def slack() -> AsyncIterator[tuple[FakeSlack, SlackPoster]]:
    fake = await FakeSlack().start()
    client = AsyncWebClient(token="xoxb-fake", base_url=fake.api_url)

    async def client_for(channel: str, server: str | None) -> AsyncWebClient:
        return client

    yield fake, SlackPoster(client_for)
    await fake.stop()


def _meta(key: str) -> dict[str, object]:
    return {"event_type": "signalbot_digest", "event_payload": {"key": key, "part": 1}}


async def test_slack_finds_the_message_by_metadata_across_pages(
    slack: tuple[FakeSlack, SlackPoster], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, poster = slack
    monkeypatch.setattr(slack_recovery, "PAGE", 2)
    since = datetime.now(UTC)
    ts = await poster.send_message("C1", {"text": "digest", "metadata": _meta("d7s260608p1")})
    for n in range(5):
        await poster.send_message("C1", {"text": f"chat {n}"})
    assert await poster.find_posted("C1", "d7s260608p1", since) == ts
    assert fake.history_calls == 3  # newest first: the digest is on the third page
    assert await poster.find_posted("C1", "d7s260608p2", since) is None
    assert await poster.find_posted("C2", "d7s260608p1", since) is None


async def test_slack_without_history_scope_cannot_be_asked(
    slack: tuple[FakeSlack, SlackPoster],
) -> None:
    fake, poster = slack
    fake.no_history.add("C1")
    with pytest.raises(RecoveryUnavailable, match="missing_scope"):
        await poster.find_posted("C1", "d7s260608p1", datetime.now(UTC))
