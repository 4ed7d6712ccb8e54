"""Charts inside the card: uploaded without a channel, shown by slack_file image blocks."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from formatting.messages import message_text
from tests.bot.slack.support import run_slash


async def test_signal_iwm_is_one_message_with_the_chart_inside(adapter, fake):
    """/signal IWM: one in-channel message whose blocks end with an image block naming the
    uploaded file (slack_file id); the upload names no channel, so no membership is needed."""
    fake.channel("C0GENERAL", is_member=False)  # a channel upload here would be not_in_channel
    (card,) = await run_slash(adapter, fake, "IWM")
    assert card["response_type"] == "in_channel"
    image = card["blocks"][-1]
    assert image["type"] == "image"
    assert image["slack_file"]["id"] in fake.files
    for block in card["blocks"]:
        Block.parse(block).validate_json()
    assert fake.of("chat.postMessage") == []


async def test_four_tickers_are_four_messages_not_eight(adapter, fake):
    """Several tickers: each card is one message with its own chart inside."""
    responses = await run_slash(adapter, fake, "IWM SPY")
    assert [r["response_type"] for r in responses] == ["in_channel", "in_channel"]
    ids = [r["blocks"][-1]["slack_file"]["id"] for r in responses]
    assert len(set(ids)) == 2


async def test_refused_upload_gives_a_text_only_card_said_once(adapter, fake):
    """The upload is refused: the cards go without charts, and the user is told once."""
    fake.fail("files.completeUploadExternal", "internal_error", times=2)
    first, second, note = await run_slash(adapter, fake, "IWM SPY")
    for card in (first, second):
        assert card["response_type"] == "in_channel"
        assert all(b["type"] != "image" for b in card["blocks"])
    assert note["response_type"] == "ephemeral"
    assert note["text"] == message_text("slack.chart_text_only", {}, "both")


async def test_chart_not_processed_yet_is_sent_again_then_text_only(adapter, fake):
    """Slack has not processed the file yet (invalid slack file): sent once more, then without
    the image; the card is never lost."""
    fake.files.add("never")  # keep the set non-empty; the uploaded id is taken away below
    original = fake._answer

    def forget(method, params):
        answer = original(method, params)
        if method == "files.completeUploadExternal":
            fake.files.clear()
        return answer

    fake._answer = forget
    card_tries = await run_slash(adapter, fake, "IWM")
    *tries, text_only, note = card_tries
    assert len(tries) == 2 and all(t["blocks"][-1]["type"] == "image" for t in tries)
    assert all(b["type"] != "image" for b in text_only["blocks"])
    assert note["text"] == message_text("slack.chart_text_only", {}, "both")
