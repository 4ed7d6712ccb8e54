"""Replies that are not cards: the track record, a digest preview, alerts, help, errors."""

from __future__ import annotations

from bot.storage import Storage
from tests.fakes.telegram import FakeTelegram
from tests.telegram.conftest import Running

GROUP = -6001
OWNER, MEMBER = 31, 32


async def test_history_is_its_chart_then_the_table(fake: FakeTelegram, running: Running) -> None:
    fake.private(7)
    adapter = await running()
    fake.message(7, 7, "/history IWM")
    await adapter.handlers.wait_handled(1)
    photo, *tables = fake.sent_to(7)
    assert photo.method == "sendPhoto" and photo.photo
    assert tables and all(t.parsed.of_type("pre") for t in tables)


async def test_digest_preview_and_alerts_in_a_group(
    fake: FakeTelegram, running: Running, store: Storage
) -> None:
    fake.group(GROUP, kind="supergroup", creator=OWNER, members=(MEMBER,))
    adapter = await running()
    fake.message(GROUP, OWNER, "/digest preview")
    await adapter.handlers.wait_handled(1)
    texts = [s.text for s in fake.sent_to(GROUP)]
    assert len(texts) >= 2 and "IWM" in "".join(texts)
    fake.message(GROUP, MEMBER, "/alert add IWM")
    await adapter.handlers.wait_handled(2)
    assert await store.list_alerts("telegram", str(GROUP)) == []
    fake.message(GROUP, OWNER, "/alert add IWM")
    await adapter.handlers.wait_handled(3)
    (alert,) = await store.list_alerts("telegram", str(GROUP))
    assert (alert.channel_id, alert.ticker) == (str(GROUP), "IWM")


async def test_help_and_a_failing_ticker(fake: FakeTelegram, running: Running) -> None:
    fake.private(7, language_code="zh-tw")
    adapter = await running(language="both")
    fake.message(7, 7, "/help")
    fake.message(7, 7, "/signal NOPE_<b>")
    await adapter.handlers.wait_handled(2)
    texts = [s.text for s in fake.sent_to(7)]
    assert any("/signal" in t and "/digest" in t for t in texts)
    assert len(texts) == 2 and all(not s.photo for s in fake.sent_to(7))
