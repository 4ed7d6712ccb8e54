"""send_message: chat.postMessage with files in the thread, Retry-After honoured, lost channels."""

from __future__ import annotations

import json
import time

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.base import Attachment, ChannelGone, PostFailed, PostingPaused
from bot.adapters.slack.poster import (
    MAX_ATTEMPTS,
    PAUSE_ERRORS,
    PERMANENT_ERRORS,
    SlackPoster,
    retry_after,
)
from formatting.messages import message_text

PAYLOAD = {"text": "Daily digest", "blocks": [{"type": "divider"}], "unfurl_links": False}


async def test_adapter_is_a_poster_that_posts_the_body_as_given(adapter, fake):
    """The payload goes to chat.postMessage in the named channel; the message ts comes back."""
    assert (adapter.name, adapter.platform) == ("slack", "slack")
    assert all(callable(getattr(adapter, m)) for m in ("run", "stop", "send_message"))
    ts = await adapter.send_message("C0DIGEST1", {**PAYLOAD, "channel": "C0IGNORED"})
    (call,) = fake.of("chat.postMessage")
    assert call.params["channel"] == "C0DIGEST1"
    assert call.params["blocks"] == PAYLOAD["blocks"]
    assert call.params["unfurl_links"] is False
    assert call.token == "xoxb-test-token"
    assert ts and "." in ts


async def test_files_are_image_blocks_inside_the_one_message(adapter, fake):
    """The heatmap is uploaded without a channel (no membership needed) and shown by an image
    block (slack_file id) at the end of the message's blocks: one message, valid Block Kit."""
    png = b"\x89PNG\r\n\x1a\nfake"
    fake.channel("C0DIGEST1", is_member=False)  # a channel upload would be not_in_channel here
    ts = await adapter.send_message(
        "C0DIGEST1", PAYLOAD, [Attachment("heatmap.png", png, "ETF heatmap")]
    )
    (upload,) = fake.of("upload")
    assert upload.raw == png
    (complete,) = fake.of("files.completeUploadExternal")
    assert "channel_id" not in complete.params
    (post,) = fake.of("chat.postMessage")
    blocks = post.params["blocks"]
    assert blocks[0] == PAYLOAD["blocks"][0]
    image = blocks[-1]
    assert image["slack_file"]["id"] == json.loads(complete.params["files"])[0]["id"]
    assert image["alt_text"] == "ETF heatmap"
    for block in blocks:
        Block.parse(block).validate_json()
    assert ts


async def test_refused_upload_posts_the_message_without_the_image(adapter, fake, caplog):
    """The upload is refused: the digest still goes out (text and table), the refusal logged."""
    fake.fail("files.completeUploadExternal", "internal_error")
    ts = await adapter.send_message("C0DIGEST1", PAYLOAD, [Attachment("a.png", b"x")])
    (post,) = fake.of("chat.postMessage")
    assert ts
    blocks = post.params["blocks"]
    assert all(b["type"] != "image" for b in blocks)
    assert blocks[-1]["type"] == "context"  # said in the digest itself, in its language
    assert blocks[-1]["elements"][0]["text"] == message_text("slack.heatmap_text_only", {}, "both")
    for block in blocks:
        Block.parse(block).validate_json()
    assert any("upload refused" in r.getMessage() for r in caplog.records)


async def test_image_not_processed_yet_is_sent_again(make_adapter, fake):
    """invalid_blocks 'invalid slack file' right after the upload: sent again after a short
    wait (no wall clock: the sleep is recorded), then it goes out with the image."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    adapter = await make_adapter(sleep=sleep)
    fake.fail("chat.postMessage", "invalid_blocks")
    ts = await adapter.send_message("C0DIGEST1", PAYLOAD, [Attachment("a.png", b"x")])
    assert ts and waits == [0.5]
    _, second = fake.of("chat.postMessage")
    assert second.params["blocks"][-1]["type"] == "image"


async def test_ratelimited_waits_retry_after_then_succeeds(adapter, fake):
    """HTTP 429 ratelimited with Retry-After: 1 -> wait about a second, post once more, succeed."""
    fake.fail("chat.postMessage", "ratelimited", status=429, Retry_After="1")
    began = time.perf_counter()
    ts = await adapter.send_message("C0DIGEST1", PAYLOAD)
    waited = time.perf_counter() - began
    assert ts
    assert len(fake.of("chat.postMessage")) == 2
    assert 0.9 <= waited < 5


async def test_ratelimited_is_bounded(fake):
    """Still rate limited after the bounded retries: PostFailed, each wait as Slack asked."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    client = AsyncWebClient(token="xoxb-x", base_url=f"{fake.url}/api/")

    async def client_for(channel_id: str, server_id: str | None) -> AsyncWebClient:
        return client

    fake.fail("chat.postMessage", "ratelimited", status=429, times=99, Retry_After="7")
    with pytest.raises(PostFailed, match="ratelimited"):
        await SlackPoster(client_for, sleep=sleep).send_message("C0DIGEST1", PAYLOAD)
    assert waits == [7.0] * (MAX_ATTEMPTS - 1)
    assert len(fake.of("chat.postMessage")) == MAX_ATTEMPTS


@pytest.mark.parametrize("error", sorted(PAUSE_ERRORS))
async def test_fixable_errors_pause_the_digest(adapter, fake, error):
    """not_in_channel (private channel), missing_scope...: PostingPaused, not ChannelGone."""
    fake.fail("chat.postMessage", error)
    with pytest.raises(PostingPaused) as paused:
        await adapter.send_message("C0DIGEST1", PAYLOAD)
    assert (paused.value.channel_id, paused.value.reason) == ("C0DIGEST1", error)
    assert len(fake.of("chat.postMessage")) == 1


@pytest.mark.parametrize("error", sorted(PERMANENT_ERRORS))
async def test_permanent_errors_raise_channel_gone(adapter, fake, error, caplog):
    """channel_not_found, not_in_channel, is_archived, revoked tokens...: ChannelGone, no retry."""
    fake.fail("chat.postMessage", error)
    with pytest.raises(ChannelGone) as gone:
        await adapter.send_message("C0DIGEST1", PAYLOAD)
    assert (gone.value.channel_id, gone.value.reason) == ("C0DIGEST1", error)
    assert len(fake.of("chat.postMessage")) == 1
    assert any(error in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)


@pytest.mark.parametrize(("error", "status"), [("msg_too_long", 200), ("internal_error", 500)])
async def test_other_errors_raise_post_failed(adapter, fake, error, status):
    """Anything else is PostFailed after one try (a retry could post the message twice)."""
    fake.fail("chat.postMessage", error, status=status)
    with pytest.raises(PostFailed, match=error):
        await adapter.send_message("C0DIGEST1", PAYLOAD)
    assert len(fake.of("chat.postMessage")) == 1


async def test_unreachable_slack_is_post_failed(make_adapter):
    """Connection refused is a PostFailed, not a crash of the fan-out."""
    adapter = await make_adapter(slack_api_base_url="http://127.0.0.1:9/api")
    with pytest.raises(PostFailed):
        await adapter.send_message("C0DIGEST1", PAYLOAD)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after": ["2"]}, 2.0),
        ({}, 1.0),
        ({"Retry-After": "x"}, 1.0),
        ({"Retry-After": "9999"}, 60.0),
    ],
)
def test_retry_after_header(headers, seconds):
    """Retry-After is read in any case, defaults to 1 s, and is capped."""
    assert retry_after(headers) == seconds
