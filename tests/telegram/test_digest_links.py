"""A digest run to a Telegram chat with the research site on: each part links the market's day
page in the chat's language, and that page is the message's one link preview (issue 25 item 4)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.digest.claims import Target
from bot.digest.fanout import DigestRunner
from bot.site.live import start_site_updates
from bot.storage import Storage
from formatting.card_json import card_json
from signals.service import PriceService
from tests.digest.conftest import (  # noqa: F401
    SESSION,
    RecordingPoster,
    db_url,
    head_revision,
    pg_url,
    price_dir,
    prices,
    sqlite_template,
    storage,
)

BASE = "https://example.org/research"

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("language", "slug"), [("zh-hant", "zh-hant"), ("en", "en")])
async def test_a_telegram_digest_links_its_day_page(
    storage: Storage,  # noqa: F811
    prices: PriceService,  # noqa: F811
    tmp_path: Path,
    language: str,
    slug: str,
) -> None:
    sub = await storage.upsert_subscription(
        "telegram", "-100", "-100", time=None, timezone="America/New_York"
    )
    await storage.set_language("telegram", "-100", language)
    poster = RecordingPoster("telegram")
    runner = DigestRunner(storage, prices, {"telegram": poster}, heatmaps=False)
    settings: Any = SimpleNamespace(site=SimpleNamespace(public_url=BASE, site_dir=tmp_path))
    digests: Any = SimpleNamespace(runner=runner)
    updater = start_site_updates(settings, storage, prices, digests, card_json)
    assert updater is not None
    updater.processes = 0
    updater.clock = lambda: datetime(2026, 6, 8, 22, 0, tzinfo=UTC)

    report = await runner.run([Target(sub, SESSION)])
    assert report.sent == 1
    want = f"{BASE}/markets/xnys/{SESSION}/{slug}/"
    texts = [payload for _, payload, _ in poster.sent if payload.get("method") == "sendMessage"]
    assert texts
    for payload in texts:
        assert f'<a href="{want}">' in payload["text"]
        assert payload["preview_url"] == want
    await updater.idle()
    assert (tmp_path / "markets" / "xnys" / str(SESSION) / slug / "index.html").is_file()
