"""Bars belong to their source: switching sources in one data dir never shows another's prices."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from bot.services import open_price_service
from bot.settings import load_settings
from bot.storage.db import upgrade
from commands.context import Request, Services
from commands.registry import dispatch
from formatting.card import Card
from formatting.text import card_text
from signals.errors import BadData
from signals.sources.csv import CsvSource
from tests.fakes.market import WORKED_SESSION, write_price_dir

EVENING = datetime(2026, 6, 8, 23, 0, tzinfo=UTC)


async def _card(tmp_path: Path, source: str, ticker: str = "IWM") -> Card:
    settings = load_settings(
        env_file=None, price_source=source, data_dir=tmp_path / "data", database_url=""
    )
    # an installed bot's database (one-off commands use it when it exists, see oneoff_database)
    await upgrade(settings.storage.async_database_url)
    async with open_price_service(settings) as prices:
        services = Services(prices=prices, default_language="en")
        request = Request(command="signal", args={"ticker": ticker}, language="en", now=EVENING)
        reply = await dispatch(request, services)
    [card] = reply.cards
    return card


async def test_demo_then_csv_then_demo_each_show_their_own_prices(tmp_path: Path) -> None:
    """demo, then a CSV folder, then demo again, one SQLite data dir: each card is its source's."""
    prices = write_price_dir(tmp_path / "csv", {"IWM": 1.0}, end=WORKED_SESSION)
    demo = await _card(tmp_path, "demo")
    csv = await _card(tmp_path, f"csv:{prices}")
    again = await _card(tmp_path, "demo")
    assert demo.source == again.source == "demo"
    assert csv.source == f"csv:{prices.resolve()}"
    assert csv.signal.close == 281.65  # the worked example's close, not the demo walk's
    assert demo.signal.close != 281.65
    assert again.signal == demo.signal


async def test_two_csv_folders_are_two_sources(tmp_path: Path) -> None:
    """Two CSV folders with different prices for IWM never share cached bars."""
    one = write_price_dir(tmp_path / "one", {"IWM": 1.0}, end=WORKED_SESSION)
    two = write_price_dir(tmp_path / "two", {"IWM": 2.0}, end=WORKED_SESSION)
    first = await _card(tmp_path, f"csv:{one}")
    second = await _card(tmp_path, f"csv:{two}")
    assert (first.signal.close, second.signal.close) == (281.65, 563.3)


async def test_repeated_signal_makes_no_sql_query_for_bars(tmp_path: Path) -> None:
    """The second /signal IWM is served by the in-memory layer: no statement touches price_bars."""
    from typing import Any

    from sqlalchemy import event

    from benchmarks.bench_warm_signal import wired

    prices = write_price_dir(tmp_path / "csv", {"IWM": 1.0})
    (tmp_path / "data").mkdir()
    async with wired(prices, tmp_path / "data") as (dispatcher, service, storage):
        first = await dispatcher.run("signal", {"ticker": "IWM"}, platform="discord", server_id="1")
        assert first.reply.cards
        statements: list[str] = []

        def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            statements.append(statement)

        event.listen(storage.engine.sync_engine, "before_cursor_execute", record)
        again = await dispatcher.run("signal", {"ticker": "IWM"}, platform="discord", server_id="1")
        event.remove(storage.engine.sync_engine, "before_cursor_execute", record)
    assert again.reply.cards[0] is first.reply.cards[0]  # the card memo: nothing recomputed
    assert not [s for s in statements if "price_bars" in s]
    assert service.upstream_calls == 1


def _with_currency(directory: Path, ticker: str, values: list[str]) -> None:
    """Add a ``Currency`` column to ``ticker``'s CSV (one value per row, the last repeated)."""
    path = directory / f"{ticker}.csv"
    lines = path.read_text().splitlines()
    body = [f"{line},{values[min(i, len(values) - 1)]}" for i, line in enumerate(lines[1:])]
    path.write_text("\n".join([f"{lines[0]},Currency", *body]) + "\n")


async def test_csv_currency_column_reaches_the_card_and_the_cache(tmp_path: Path) -> None:
    """A CSV whose Currency column says HKD gives a card priced in HK$ (both languages), also
    when the next run answers from the database's cached bars; GBp is shown as pence."""
    # issue 21: a bare "0700" is a Hong Kong and a Taiwan code (the user is asked which)
    prices = write_price_dir(tmp_path / "csv", {"0700.HK": 1.0, "VOD": 1.0}, end=WORKED_SESSION)
    _with_currency(prices, "0700.HK", ["HKD"])
    _with_currency(prices, "VOD", ["GBp"])
    first = await _card(tmp_path, f"csv:{prices}", "0700.HK")
    (prices / "0700.HK.csv").unlink()  # the second run can only answer from price_bars
    cached = await _card(tmp_path, f"csv:{prices}", "0700.HK")
    assert first.signal.currency == cached.signal.currency == "HKD"
    assert card_text(cached, "en").price == card_text(cached, "zh").price == "HK$281.65"
    pence = await _card(tmp_path, f"csv:{prices}", "VOD")
    assert (card_text(pence, "en").price, card_text(pence, "zh").price) == (
        "281.65p",
        "281.65便士",
    )


async def test_csv_with_mixed_currencies_is_bad_data(tmp_path: Path) -> None:
    """Rows in two currencies (or one left blank) are bad data naming the first odd row."""
    prices = write_price_dir(tmp_path / "csv", {"MIX": 1.0}, end=WORKED_SESSION)
    _with_currency(prices, "MIX", ["HKD", "HKD", "USD"])
    result = CsvSource(prices).fetch(["MIX"], start=date(2026, 1, 1), end=WORKED_SESSION)
    error = result.errors["MIX"]
    assert isinstance(error, BadData)
    frame = pd.read_csv(prices / "MIX.csv", index_col="Date")
    assert error.day == date.fromisoformat(str(frame.index[2]))
