"""The fan-out: one batched fetch, history, exactly once, isolation of failing channels."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.delivery.posters import TextPoster
from bot.digest.fanout import DigestRunner, Target
from bot.storage import DeliveryKey, Storage, Subscription, create_engine
from signals.calendar import MarketCalendar
from signals.regimes import Regime
from signals.service import PriceService
from signals.sources import CsvSource
from tests.digest.conftest import PREVIOUS, SESSION, RecordingPoster, make_signal
from tests.fakes.market import write_price_dir


async def subscribe(
    storage: Storage, count: int, *, server: str = "g1", platform: str = "discord", first: int = 1
) -> list[Subscription]:
    return [
        await storage.upsert_subscription(
            platform, server, f"{first + i}", time=None, timezone="America/New_York"
        )
        for i in range(count)
    ]


def targets(subs: list[Subscription], *, allow_stale: bool = True) -> list[Target]:
    return [Target(s, SESSION, allow_stale=allow_stale) for s in subs]


def runner(
    storage: Storage, prices: PriceService, poster: RecordingPoster, **kw: object
) -> DigestRunner:
    kw.setdefault("heatmaps", False)
    kw.setdefault("rates", {})
    return DigestRunner(storage, prices, {poster.platform: poster}, **kw)  # type: ignore[arg-type]


async def test_one_batched_fetch_for_all_subscriptions_and_history_recorded(
    storage: Storage, prices: PriceService
) -> None:
    """Three servers, overlapping watchlists: one upstream call, every signal recorded once."""
    await storage.set_watchlist("discord", "g2", ["SPY", "XLE"])
    await storage.set_watchlist("discord", "g3", ["IWM", "XLE", "GLD"])
    subs = await subscribe(storage, 2) + await subscribe(storage, 2, server="g2", first=10)
    subs += await subscribe(storage, 2, server="g3", first=20)
    poster = RecordingPoster()
    report = await runner(storage, prices, poster).run(targets(subs))
    assert (report.sent, report.failed, report.upstream_calls) == (6, 0, 1)
    assert prices.upstream_calls == 1
    assert prices.upstream_tickers == 7  # the union: SPY QQQ IWM DIA TLT GLD XLE
    assert sorted(poster.channels()) == sorted(s.channel_id for s in subs)
    for ticker in ("SPY", "XLE", "GLD", "TLT"):
        assert await storage.previous_regime(ticker, SESSION + timedelta(days=1)) == (
            "defensive_impulse"
        )
    again = await runner(storage, prices, poster).run(targets(subs))
    assert (again.sent, again.skipped, again.upstream_calls) == (0, 6, 0)
    assert len(poster.sent) == 6


async def test_regime_change_since_previous_session_is_called_out(
    storage: Storage, prices: PriceService
) -> None:
    """With IWM recorded as neutral on the previous session, the digest leads with the change."""
    await storage.record_signals([make_signal("IWM", PREVIOUS, Regime.NEUTRAL)])
    subs = await subscribe(storage, 1)
    poster = RecordingPoster()
    await runner(storage, prices, poster).run(targets(subs))
    [(_, payload, _)] = poster.sent
    en, zh = (e["description"] for e in payload["embeds"])
    assert "IWM: neutral → defensive impulse" in en
    assert "IWM：中性 → 防御动能" in zh
    assert "SPY:" not in en


async def test_two_runners_at_once_deliver_each_channel_exactly_once(
    db_url: str, storage: Storage, prices: PriceService, price_dir: Path
) -> None:
    """Two fan-outs (separate engines, claimers and price services) race: one post per channel."""
    subs = await subscribe(storage, 12)
    poster = RecordingPoster()
    other_storage = Storage(create_engine(db_url))
    try:
        other_prices = PriceService(CsvSource(price_dir), MarketCalendar(), store=other_storage)
        first = runner(storage, prices, poster, concurrency=3)
        second = runner(other_storage, other_prices, poster, concurrency=3)
        reports = await asyncio.gather(first.run(targets(subs)), second.run(targets(subs)))
    finally:
        await other_storage.close()
    assert sorted(poster.channels()) == sorted(s.channel_id for s in subs)
    assert sum(r.sent for r in reports) == 12
    rows = await storage.deliveries_for(SESSION)
    assert [r.state for r in rows] == ["sent"] * 12
    assert all(r.message_ids for r in rows)


async def test_channel_gone_disables_the_subscription(
    storage: Storage, prices: PriceService, caplog: pytest.LogCaptureFixture
) -> None:
    """A gone channel is disabled with a log line; the others are delivered."""
    subs = await subscribe(storage, 4)
    poster = RecordingPoster(gone=["2"])
    with caplog.at_level(logging.WARNING, logger="bot.digest.fanout"):
        report = await runner(storage, prices, poster).run(targets(subs))
    assert (report.sent, report.gone) == (3, 1)
    assert sorted(poster.channels()) == ["1", "3", "4"]
    assert [s.channel_id for s in await storage.list_subscriptions()] == ["1", "3", "4"]
    everyone = await storage.list_subscriptions(enabled_only=False)
    gone = everyone[1]
    assert (gone.channel_id, gone.enabled) == ("2", False)
    assert "Unknown Channel" in (gone.disabled_reason or "")
    assert any(
        "subscription disabled" in r.message and "channel=2" in r.message for r in caplog.records
    )


async def test_failing_and_hanging_channels_do_not_block_the_others(
    storage: Storage, prices: PriceService
) -> None:
    """One channel errors, one never answers: with 2 slots the other six still go out."""
    subs = await subscribe(storage, 8)
    poster = RecordingPoster(failing=["1"], hang=["2"])
    report = await runner(storage, prices, poster, concurrency=2, post_timeout=0.5).run(
        targets(subs)
    )
    assert sorted(poster.channels()) == ["3", "4", "5", "6", "7", "8"]
    assert (report.sent, report.failed) == (6, 2)
    states = {r.subscription_id: r.state for r in await storage.deliveries_for(SESSION)}
    assert [states[s.id] for s in subs[:2]] == ["failed", "failed"]
    healthy = RecordingPoster()
    retry = await runner(storage, prices, healthy, retry_backoff=timedelta(0)).run(targets(subs))
    assert (retry.sent, retry.skipped) == (2, 6)
    assert sorted(healthy.channels()) == ["1", "2"]
    rows = {r.subscription_id: r for r in await storage.deliveries_for(SESSION)}
    assert rows[subs[0].id].attempts == 2 and rows[subs[0].id].state == "sent"


async def test_stale_data_waits_then_posts_with_a_note(storage: Storage, tmp_path: Path) -> None:
    """Without the session's bar: deferred while allowed to wait, then posted saying so."""
    stale_dir = write_price_dir(tmp_path / "stale", {"SPY": 1.0, "IWM": 1.2}, end=PREVIOUS)
    await storage.set_watchlist("discord", "g1", ["SPY", "IWM"])
    prices = PriceService(CsvSource(stale_dir), MarketCalendar(), store=storage)
    subs = await subscribe(storage, 2)
    poster = RecordingPoster()
    waiting = await runner(storage, prices, poster).run(targets(subs, allow_stale=False))
    assert (waiting.deferred, waiting.sent, poster.sent) == (2, 0, [])
    assert await storage.deliveries_for(SESSION) == []
    report = await runner(storage, prices, poster).run(targets(subs, allow_stale=True))
    assert report.sent == 2
    description = poster.sent[0][1]["embeds"][0]["description"]
    assert "No closing prices for June 8, 2026 yet; this digest uses data as of June 5, 2026." in (
        description
    )


async def test_claim_whose_lease_ended_is_taken_over_and_a_live_one_respected(
    storage: Storage, prices: PriceService, caplog: pytest.LogCaptureFixture
) -> None:
    """A claim whose holder stopped renewing it is re-sent (the poster cannot be asked: posted
    once with a warning); one under a running lease is left alone and reported as held."""
    dead_subs = await subscribe(storage, 1)
    live_subs = await subscribe(storage, 1, first=2)
    dead = DeliveryKey(dead_subs[0].id, SESSION, 1)
    assert await storage.claim(dead, "i-dead", lease=timedelta(seconds=-1))
    assert await storage.claim(DeliveryKey(live_subs[0].id, SESSION, 1), "i-live")
    poster = RecordingPoster()
    report = await runner(storage, prices, poster).run(targets(dead_subs + live_subs))
    assert poster.channels() == ["1"]
    assert (report.sent, report.skipped, report.held) == (1, 1, 1)
    assert report.lease_ends is not None
    row = await storage.get_delivery(dead_subs[0].id, SESSION)
    assert row is not None and (row.state, row.attempts) == ("sent", 2)
    assert "a duplicate is possible" in caplog.text


async def test_payloads_carry_heatmap_language_and_idempotency_key(
    storage: Storage, prices: PriceService
) -> None:
    """Discord bodies have a nonce per part and the heatmap on the first; languages honoured."""
    await storage.set_language("discord", "g2", "zh")
    subs = await subscribe(storage, 1) + await subscribe(storage, 1, server="g2", first=5)
    poster = RecordingPoster()
    await runner(storage, prices, poster, heatmaps=True).run(targets(subs))
    sent = {channel: (payload, files) for channel, payload, files in poster.sent}
    payload, files = sent["1"]
    assert payload["nonce"] == f"d{subs[0].id}s260608p1" and payload["enforce_nonce"] is True
    assert [f.filename for f in files] == ["heatmap.png"] and files[0].data[:4] == b"\x89PNG"
    assert payload["attachments"][0]["filename"] == "heatmap.png"
    assert len(payload["embeds"]) == 2
    zh_payload, _ = sent["5"]
    assert len(zh_payload["embeds"]) == 1 and "日报" in zh_payload["embeds"][0]["title"]


async def test_terminal_and_missing_platforms(storage: Storage, prices: PriceService) -> None:
    """Terminal subscriptions get text; a platform without a poster is skipped, not claimed."""
    term = await subscribe(storage, 1, platform="terminal", server="local")
    slack = await subscribe(storage, 1, platform="slack", server="T1", first=9)
    printed: list[str] = []

    async def post(channel: str, text: str) -> str:
        printed.append(text)
        return "t1"

    run = DigestRunner(storage, prices, {"terminal": TextPoster(post)}, heatmaps=False)
    report = await run.run(targets(term + slack))
    assert (report.sent, report.skipped) == (1, 1)
    assert "Daily ETF momentum digest, June 8, 2026" in printed[0]
    assert [r.subscription_id for r in await storage.deliveries_for(SESSION)] == [term[0].id]


async def test_no_claims_once_leadership_is_lost(storage: Storage, prices: PriceService) -> None:
    """With ``active`` false the runner claims nothing."""
    subs = await subscribe(storage, 3)
    poster = RecordingPoster()
    report = await runner(storage, prices, poster).run(targets(subs), active=lambda: False)
    assert (report.sent, poster.sent) == (0, [])
    assert await storage.deliveries_for(SESSION) == []


async def test_a_platform_outage_never_uses_up_the_sessions_digest(
    storage: Storage, prices: PriceService
) -> None:
    """Five failed attempts (a longer outage than 3 x 2 min) and the digest still goes out."""
    subs = await subscribe(storage, 1)
    down = RecordingPoster(failing=["1"])
    for _ in range(5):
        report = await runner(storage, prices, down, retry_backoff=timedelta(0)).run(targets(subs))
        assert report.failed == 1
    up = RecordingPoster()
    report = await runner(storage, prices, up, retry_backoff=timedelta(0)).run(targets(subs))
    assert (report.sent, up.channels()) == (1, ["1"])


async def test_a_source_outage_never_posts_an_empty_digest(
    storage: Storage, tmp_path: Path
) -> None:
    """Every ticker unavailable: nothing is posted or claimed, even when stale data is allowed."""
    from signals.bars import FetchResult
    from signals.errors import SourceUnavailable

    class Down:
        name = "down"

        def fetch(self, tickers, *, start, end):
            return FetchResult(errors={t: SourceUnavailable(t, "503") for t in tickers})

    prices = PriceService(Down(), MarketCalendar(), store=storage)
    subs = await subscribe(storage, 2)
    poster = RecordingPoster()
    report = await runner(storage, prices, poster).run(targets(subs, allow_stale=True))
    assert (report.sent, report.deferred, poster.sent) == (0, 2, [])
    assert await storage.deliveries_for(SESSION) == []
