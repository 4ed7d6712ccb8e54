"""``signalbot doctor`` accepts every documented ``SIGNALBOT_PRICE_SOURCE`` (README "Price
sources", .env.example: ``yfinance``, ``tiingo``, ``csv:/path/to/dir``, ``demo`` and
comma-separated chains such as ``yfinance,tiingo``) and checks each link as the bot builds it.

Yahoo is reached through the bot's own session class, patched to send its URLs to the local fake
(tests/fakes/yahoo_curl.py); Tiingo through ``TIINGO_API_BASE_URL``. Nothing touches the
internet: an unreachable Yahoo is a ``.invalid`` host, which never resolves (RFC 6761).
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yfinance as yf
from yfinance.data import YfData

import signals.sources.yahoo_http
from bot.ops.doctor import cmd_doctor, prices_checks
from bot.settings import Settings, load_settings
from bot.storage import open_storage
from tests.fakes import tiingo as fake_tiingo
from tests.fakes import yahoo as fake_yahoo
from tests.fakes.market import scaled_bars, write_price_dir
from tests.fakes.tiingo import KEY, FakeTiingo
from tests.fakes.yahoo import FakeYahoo
from tests.fakes.yahoo_curl import routed_to


@pytest.fixture(autouse=True)
def _private_yfinance_cache(tmp_path: Path) -> None:
    """yfinance's caches private and empty: its timezone cache on disk, and the answers it keeps
    in memory for past date ranges (``YfData.cache_get``, an ``lru_cache``), which would answer a
    later test's SPY without asking its fake."""
    yf.set_tz_cache_location(str(tmp_path / "yf-cache"))
    YfData.cache_get.cache_clear()


@pytest.fixture
async def yahoo(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeYahoo]:
    """A fake Yahoo with SPY up to the last completed session; the bot's session goes there."""
    async with fake_yahoo.running(FakeYahoo(bars=scaled_bars({"SPY": 2.4}))) as fake:
        monkeypatch.setattr(signals.sources.yahoo_http, "YahooSession", routed_to(fake.base_url))
        yield fake


@pytest.fixture
async def tiingo() -> AsyncIterator[FakeTiingo]:
    async with fake_tiingo.running(FakeTiingo(bars=scaled_bars({"spy": 2.4}))) as fake:
        yield fake


def settings_for(tmp_path: Path, spec: str, tiingo: FakeTiingo, **extra: Any) -> Settings:
    prices = write_price_dir(tmp_path / "prices", {"SPY": 2.4})
    values: dict[str, Any] = {
        "price_source": spec.replace("DIR", str(prices)),
        "data_dir": tmp_path / "data",
        "tiingo_api_key": KEY,
        "tiingo_api_base_url": tiingo.base_url,
    }
    values.update(extra)
    return load_settings(env_file=None, **values)


@pytest.mark.parametrize(
    "spec",
    [
        "yfinance",
        "tiingo",
        "csv:DIR",
        "demo",
        "yfinance,tiingo",
        "tiingo,yfinance",
        "yfinance,csv:DIR",
        "tiingo,demo",
        "yfinance,tiingo,csv:DIR,demo",
    ],
)
async def test_every_documented_source_and_chain_passes(
    tmp_path: Path, spec: str, yahoo: FakeYahoo, tiingo: FakeTiingo
) -> None:
    """Each link answers SPY: one ok line per link, named after its place in the chain."""
    checks = await prices_checks(settings_for(tmp_path, spec, tiingo), limit=20)
    links = spec.split(",")
    assert [c.ok for c in checks] == [True] * len(links), checks
    if len(links) == 1:
        assert [c.name for c in checks] == ["price source"]
    else:
        assert [c.name for c in checks] == [
            f"price source {n}/{len(links)}" for n in range(1, len(links) + 1)
        ]
    names = {"yfinance": "yfinance", "tiingo": "tiingo", "csv:DIR": "csv", "demo": "demo"}
    for check, link in zip(checks, links, strict=True):
        assert check.detail.startswith(f"{names[link]} answers: SPY closed at"), check
    if "yfinance" in links:
        assert "SPY" in yahoo.charts
    if "tiingo" in links:
        assert [ticker for ticker, _ in tiingo.requests] == ["spy"]


async def test_a_failing_link_is_its_own_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiingo: FakeTiingo
) -> None:
    """Yahoo unreachable in ``yfinance,tiingo``: its line says so, with the offline advice;
    Tiingo's line is still checked and ok."""
    monkeypatch.setattr(
        signals.sources.yahoo_http, "YahooSession", routed_to("http://finance.yahoo.invalid")
    )
    first, second = await prices_checks(settings_for(tmp_path, "yfinance,tiingo", tiingo), 20)
    assert not first.ok and first.name == "price source 1/2"
    assert "yfinance did not answer for SPY" in first.detail and "network" in first.detail
    assert "SIGNALBOT_PRICE_SOURCE=demo" in first.fix
    assert second.ok and second.detail.startswith("tiingo answers")


async def test_doctor_exits_0_for_a_chain(
    tmp_path: Path, yahoo: FakeYahoo, tiingo: FakeTiingo
) -> None:
    """The deploy gate: ``SIGNALBOT_PRICE_SOURCE=yfinance,tiingo`` with both answering is 0."""
    settings = settings_for(tmp_path, "yfinance,tiingo", tiingo)
    async with open_storage(settings.storage.async_database_url):
        pass  # created and migrated, as the bot leaves it
    out = io.StringIO()
    code = await cmd_doctor(settings, limit=20, out=out)
    text = out.getvalue()
    assert code == 0, text
    assert "ok       price source 1/2   yfinance answers" in text
    assert "ok       price source 2/2   tiingo answers" in text
