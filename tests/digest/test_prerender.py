"""Heatmaps drawn once per distinct watchlist per session, before posting (and ahead of it)."""

from __future__ import annotations

from bot.digest.claims import Target
from bot.digest.fanout import DigestRunner
from bot.storage import Storage
from signals.service import PriceService
from tests.digest.conftest import SESSION, RecordingPoster


async def subscribe(storage: Storage) -> list[Target]:
    await storage.set_watchlist("discord", "g1", ["SPY", "QQQ", "IWM"])
    await storage.set_watchlist("discord", "g2", ["SPY", "QQQ", "IWM"])  # same picture as g1
    await storage.set_watchlist("discord", "g3", ["TLT", "GLD"])
    for server in ("g1", "g2", "g3"):
        await storage.set_language("discord", server, "en")
    targets = []
    for n, server in enumerate(["g1", "g1", "g2", "g3", "g3"]):
        sub = await storage.upsert_subscription(
            "discord", server, str(n), time=None, timezone="UTC"
        )
        targets.append(Target(sub, SESSION))
    return targets


async def test_drawn_ahead_then_posted_without_drawing_again(
    storage: Storage, prices: PriceService
) -> None:
    targets = await subscribe(storage)
    poster = RecordingPoster()
    runner = DigestRunner(storage, prices, {"discord": poster}, rates={}, render_processes=0)
    assert await runner.prerender(targets) == 2  # two distinct watchlists, one language
    assert poster.sent == [] and await storage.deliveries_for(SESSION) == []
    report = await runner.run(targets)
    assert report.sent == 5 and runner.rendered == 2  # nothing drawn while posting
    pictures = {files[0].data for _, _, files in poster.sent}
    assert len(pictures) == 2 and all(p[:4] == b"\x89PNG" for p in pictures)


async def test_a_run_draws_every_picture_once_before_it_posts(
    storage: Storage, prices: PriceService
) -> None:
    targets = await subscribe(storage)
    poster = RecordingPoster()
    runner = DigestRunner(storage, prices, {"discord": poster}, rates={}, render_processes=0)
    report = await runner.run(targets)
    assert report.sent == 5 and runner.rendered == 2
    assert all(len(files) == 1 for _, _, files in poster.sent)
