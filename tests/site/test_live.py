"""The running bot keeps the site up to date: a digest run that posted has its pages written
afterwards (in a background task: the digest is never kept waiting for them), and the digest
links its market's day page in the reader's language."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.digest.claims import Target
from bot.digest.fanout import DigestRunner
from bot.site.live import SiteUpdater, start_site_updates
from bot.storage import Storage
from bot.storage.records import DEFAULT_WATCHLIST
from formatting.card_json import card_json as _signal_json
from signals.service import PriceService
from tests.digest.conftest import (  # noqa: F401
    SESSION,
    TICKERS,
    RecordingPoster,
    db_url,
    head_revision,
    pg_url,
    price_dir,
    prices,
    sqlite_template,
    storage,
)
from tests.site.htmlcheck import read_page

BASE = "https://example.org/research"
SLUGS = ("en", "zh-hans", "zh-hant")

pytestmark = pytest.mark.slow


def _wire(store: Storage, source: PriceService, runner: DigestRunner, folder: Path) -> SiteUpdater:
    """``run_bot``'s wiring (bot.app._start_site) around a runner, with the pages written in
    this process and a clock at the session's evening."""
    settings: Any = SimpleNamespace(site=SimpleNamespace(public_url=BASE, site_dir=folder))
    updater = start_site_updates(
        settings, store, source, SimpleNamespace(runner=runner), _signal_json
    )
    assert updater is not None
    updater.processes = 0
    updater.clock = lambda: datetime(2026, 6, 8, 22, 0, tzinfo=UTC)
    return updater


async def test_a_digest_run_with_the_site_on_writes_the_days_pages_after_posting(
    storage: Storage,  # noqa: F811
    prices: PriceService,  # noqa: F811
    tmp_path: Path,
) -> None:
    sub = await storage.upsert_subscription(
        "discord", "g1", "c1", time=None, timezone="America/New_York"
    )
    poster = RecordingPoster("discord")
    runner = DigestRunner(storage, prices, {"discord": poster}, heatmaps=False)
    seen: list[int] = []
    runner.on_report = lambda report: seen.append(report.sent)  # the metrics hook stays
    site = tmp_path / "site"
    updater = _wire(storage, prices, runner, site)

    report = await runner.run([Target(sub, SESSION)])
    assert report.sent == 1 and seen == [1]
    assert not (site / "markets").exists()  # the digest went out first; the pages come after
    [(_, payload, _)] = poster.sent
    urls = [embed.get("url") for embed in payload["embeds"]]
    day_url = f"{BASE}/markets/xnys/{SESSION}"
    assert urls == [f"{day_url}/en/", f"{day_url}/zh-hans/"]  # the server's "both": en + zh

    await updater.idle()
    assert updater.passes == 1 and updater.last is not None
    listed = [t for t in DEFAULT_WATCHLIST if t in TICKERS]
    assert listed and updater.last.cards == len(listed)
    for slug in SLUGS:
        day = read_page(site / "markets" / "xnys" / str(SESSION) / slug / "index.html")
        assert day.canonical == f"{BASE}/markets/xnys/{SESSION}/{slug}/"
        for ticker in listed:
            assert f"../../../../{ticker}/{SESSION}/{slug}/" in day.links
            assert (site / ticker / str(SESSION) / slug / "index.html").is_file()
        (heatmap,) = day.images
        assert heatmap["src"] == "heatmap.png" and str(len(listed)) in heatmap["alt"]
        assert (site / "markets" / "xnys" / str(SESSION) / slug / "heatmap.png").stat().st_size
    index = read_page(site / "en" / "index.html")
    assert f"../markets/xnys/{SESSION}/en/" in index.links
    assert not list(site.rglob(".*.tmp"))  # every file whole (written atomically)

    # the next run posts nothing: no pages to write; a run that posts again writes them again,
    # and unchanged cards are not redrawn
    chart = site / listed[0] / str(SESSION) / "chart-red-up.svg"
    drawn = chart.stat().st_mtime_ns
    await runner.run([Target(sub, SESSION)])
    await updater.idle()
    assert updater.passes == 1
    updater.request()
    await updater.idle()
    assert updater.passes == 2 and chart.stat().st_mtime_ns == drawn


async def test_a_failing_write_is_logged_and_the_bot_goes_on(
    storage: Storage,  # noqa: F811
    prices: PriceService,  # noqa: F811
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    blocker = tmp_path / "site"
    blocker.write_text("a file where the folder should be")
    runner = DigestRunner(storage, prices, {"discord": RecordingPoster("discord")}, heatmaps=False)
    updater = _wire(storage, prices, runner, blocker)
    updater.request()
    await updater.idle()
    assert updater.passes == 1
    assert "research pages could not be written" in caplog.text
