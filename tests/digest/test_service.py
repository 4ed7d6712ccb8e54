"""Wiring: posters from adapters, the scheduler inside run_bot, and the digest CLI."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.base import Attachment
from bot.adapters.terminal import TerminalAdapter
from bot.app import run_bot
from bot.delivery.posters import TextPoster, adapter_posters
from bot.digest.scheduler import LEADER_JOB_ID, TICK_JOB_ID
from bot.digest.service import start_digests
from bot.dispatch import Dispatcher
from bot.settings import load_settings
from bot.storage import open_storage
from commands.context import Services
from formatting import embeds as de
from signals.calendar import MarketCalendar
from signals.service import PriceService
from signals.sources import CsvSource
from tests.fakes.bot_process import bot_env, run_cli
from tests.fakes.market import last_session_now, write_price_dir


class FakeDiscordAdapter:
    """An adapter that is also a Poster (like the Discord adapter)."""

    name = "discord"
    platform = "discord"

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def run(self) -> None: ...

    async def stop(self) -> None: ...

    async def send_message(
        self,
        channel_id: str,
        payload: dict[str, Any],
        files: list[Attachment] | tuple = (),
        *,
        server_id: str | None = None,
    ) -> str:
        self.sent.append((channel_id, payload))
        return "m1"


@pytest.fixture
def live_prices(tmp_path: Path) -> Path:
    """CSV prices ending on the last session closed at the real current time."""
    return write_price_dir(tmp_path / "prices", {"SPY": 2.4, "IWM": 1.0, "QQQ": 2.0})


async def test_posters_from_adapters_and_a_scheduled_run(tmp_path: Path, live_prices: Path) -> None:
    """Adapters with send_message and the terminal become posters; the scheduler posts to both."""
    settings = load_settings(
        env_file=None,
        price_source=f"csv:{live_prices}",
        data_dir=tmp_path / "data",
        digest_grace_hours=24 * 7,  # whatever the real time, the last session is within grace
    )
    out = io.StringIO()
    async with open_storage(settings.storage.async_database_url) as storage:
        prices = PriceService(CsvSource(live_prices), MarketCalendar(), store=storage)
        terminal = TerminalAdapter(Dispatcher(Services(prices=prices)), stdout=out, width=100)
        discord = FakeDiscordAdapter()
        posters = adapter_posters([discord, terminal])
        assert posters["discord"] is discord and isinstance(posters["terminal"], TextPoster)
        await storage.set_watchlist("discord", "g", ["SPY", "IWM"])
        await storage.upsert_subscription("discord", "g", "1", time=None, timezone="UTC")
        await storage.upsert_subscription("terminal", "local", "console", time=None, timezone="UTC")
        scheduler = await start_digests(settings, storage, prices, [discord, terminal])
        assert scheduler is not None and scheduler.scheduler is not None
        try:
            assert {j.id for j in scheduler.scheduler.get_jobs()} == {TICK_JOB_ID, LEADER_JOB_ID}
            assert await scheduler.check_leader()
            report = await scheduler.tick()
        finally:
            await scheduler.stop()
    assert report is not None and report.sent == 2
    [(channel, payload)] = discord.sent
    assert channel == "1" and payload["embeds"][0]["title"].startswith("Daily ETF momentum digest")
    assert "每日" not in payload["embeds"][0]["title"] and len(payload["embeds"]) == 2
    assert "Daily ETF momentum digest" in out.getvalue()


async def test_run_bot_terminal_session_with_digest_commands(
    tmp_path: Path, live_prices: Path
) -> None:
    """In the terminal, /digest schedule and status work while the scheduler runs and stops."""
    settings = load_settings(
        env_file=None, price_source=f"csv:{live_prices}", data_dir=tmp_path / "data"
    )
    stdout = io.StringIO()
    lines = "/digest schedule 17:00 Asia/Shanghai\n/digest watchlist spy iwm\n/digest status\n"
    code = await run_bot(settings, stdin=io.StringIO(lines), stdout=stdout)
    assert code == 0
    text = stdout.getvalue()
    assert "every trading day at 17:00 (Asia/Shanghai)" in text
    assert "Digest watchlist: SPY IWM" in text
    assert "Channel console: every trading day at 17:00 (Asia/Shanghai)" in text


def cli(tmp_path: Path, prices: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(bot_env(tmp_path, prices, SIGNALBOT_LOG_LEVEL="INFO"), *args)


@pytest.mark.slow
def test_cli_digest_preview_and_run(tmp_path: Path, live_prices: Path) -> None:
    """digest preview prints valid platform payloads; digest run posts to terminal channels."""
    result = cli(tmp_path, live_prices, "digest", "preview", "--tickers", "SPY", "IWM",
                 "--platform", "discord", "--lang", "both")  # fmt: skip
    assert result.returncode == 0, result.stderr
    [body] = json.loads(result.stdout)
    assert sum(de.embed_chars(e) for e in body["embeds"]) <= de.MAX_TOTAL_CHARS
    assert "SPY" in body["embeds"][0]["description"]
    text = cli(tmp_path, live_prices, "digest", "preview", "--tickers", "IWM", "--lang", "zh")
    assert text.returncode == 0 and "ETF动量日报" in text.stdout and "Daily" not in text.stdout
    png = tmp_path / "heat.png"
    hant = cli(tmp_path, live_prices, "digest", "preview", "--tickers", "IWM", "--lang", "zh-hant",
               "--platform", "discord", "--colors", "green-up", "--heatmap", str(png))  # fmt: skip
    assert hant.returncode == 0, hant.stderr
    [hant_body] = json.loads(hant.stdout)
    assert "ETF動能日報" in hant_body["embeds"][0]["title"]
    assert hant_body["embeds"][0]["color"] == 0xC62828  # defensive in green-up: red
    assert png.read_bytes().startswith(b"\x89PNG")
    bad = cli(tmp_path, live_prices, "digest", "preview", "--tickers", "NOPE")
    assert bad.returncode == 2 and "NOPE" in bad.stderr
    future = cli(tmp_path, live_prices, "digest", "run", "--session", "2099-01-02")
    assert future.returncode == 2 and "has not closed yet" in future.stderr
    empty = cli(tmp_path, live_prices, "digest", "run")
    assert empty.returncode == 0
    assert f"digest session={last_session_now()} subscriptions=0 sent=0" in empty.stdout
