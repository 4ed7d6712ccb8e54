"""The storage suite, run against SQLite always and PostgreSQL when configured (see conftest)."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event, inspect, text
from sqlalchemy.exc import IntegrityError

from bot.storage import (
    DEFAULT_WATCHLIST,
    Storage,
    create_engine,
    current_revision,
    downgrade,
    open_storage,
    upgrade,
)
from bot.storage.barcodec import dump_bars, load_bars
from bot.storage.db import alembic_config
from bot.storage.models import metadata, servers
from formatting.languages import LANGUAGES
from signals.bars import currency_of, with_currency
from signals.cache import BarStore
from signals.momentum import Signal
from signals.regimes import Regime

ROOT = Path(__file__).resolve().parents[2]
SESSION = date(2026, 6, 8)
#: the one head of the migration chain (several heads would fail here)
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()
TABLES = {
    "servers",
    "subscriptions",
    "deliveries",
    "signal_history",
    "price_bars",
    "app_state",
    "slack_teams",
    "alerts",
    "alert_deliveries",
}


async def test_migrations_apply_idempotently_and_match_models(db_url: str) -> None:
    """Upgrading twice is a no-op, every table exists and the schema equals the models."""
    await upgrade(db_url)
    await upgrade(db_url)
    assert await current_revision(db_url) == HEAD
    engine = create_engine(db_url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
            diff = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), metadata)
            )
    finally:
        await engine.dispose()
    assert names >= TABLES
    assert diff == []


async def test_downgrade_to_base_then_upgrade(db_url: str) -> None:
    """The initial migration is reversible."""
    await upgrade(db_url)
    await downgrade(db_url, "base")
    assert await current_revision(db_url) is None
    await upgrade(db_url)
    assert await current_revision(db_url) == HEAD


async def test_sqlite_runs_wal_with_full_sync_and_foreign_keys(tmp_path: Path) -> None:
    """SQLite connections use WAL, synchronous=FULL and enforce foreign keys."""
    engine = create_engine(f"sqlite:///{tmp_path / 'new' / 'bot.db'}")  # creates the directory
    try:
        async with engine.connect() as conn:
            assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
            assert (await conn.exec_driver_sql("PRAGMA synchronous")).scalar() == 2
            assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
    finally:
        await engine.dispose()


async def test_language_default_and_set(storage: Storage) -> None:
    """A server without a language gets the default; a set language sticks per server."""
    assert await storage.get_language("discord", "g1", "both") == "both"
    await storage.set_language("discord", "g1", "zh")
    await storage.set_language("discord", "g1", "en")
    assert await storage.get_language("discord", "g1", "both") == "en"
    assert await storage.get_language("slack", "g1", "zh") == "zh"
    with pytest.raises(ValueError, match="unknown language"):
        await storage.set_language("discord", "g1", "fr")
    with pytest.raises(ValueError, match="unknown platform"):
        await storage.set_language("irc", "g1", "en")


@pytest.mark.parametrize("language", LANGUAGES)
async def test_every_language_setting_is_stored(storage: Storage, language: str) -> None:
    """Each setting of formatting.languages passes the CHECK constraint and reads back."""
    await storage.set_language("discord", "g1", language)
    assert await storage.get_language("discord", "g1", "en") == language


def test_schema_checks_match_the_one_language_and_colour_scheme() -> None:
    """The CHECKs of the latest migration spell formatting's schemes: a new language or colour
    convention needs a migration, and every setting fits the column."""
    import importlib.util

    from bot.storage.models import COLOURS_WIDTH, LANGUAGE_WIDTH
    from formatting import colours, languages

    path = ROOT / "bot/storage/migrations/versions/0020_hong_kong_language.py"
    spec = importlib.util.spec_from_file_location("migration_0017", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert languages.sql_in("language") == migration._LANGUAGE
    colours_path = ROOT / "bot/storage/migrations/versions/0014_languages_and_colours.py"
    colours_spec = importlib.util.spec_from_file_location("migration_0014", colours_path)
    assert colours_spec is not None and colours_spec.loader is not None
    colours_migration = importlib.util.module_from_spec(colours_spec)
    colours_spec.loader.exec_module(colours_migration)
    assert colours.sql_in("colors") == colours_migration._COLOURS
    assert languages.MAX_LANGUAGE_LENGTH <= LANGUAGE_WIDTH
    assert max(len(s) for s in colours.COLOUR_SCHEMES) <= COLOURS_WIDTH


async def test_colors_unset_then_set_per_server(storage: Storage) -> None:
    """No colour convention until chosen (None: the language's default); then it sticks."""
    assert await storage.get_colors("discord", "g1") is None
    await storage.set_colors("discord", "g1", "red-up")
    await storage.set_language("discord", "g1", "en")  # the language leaves the colours alone
    assert await storage.get_colors("discord", "g1") == "red-up"
    await storage.set_colors("discord", "g1", "green-up")
    assert await storage.get_colors("discord", "g1") == "green-up"
    assert await storage.get_colors("slack", "g1") is None
    with pytest.raises(ValueError, match="unknown colour scheme"):
        await storage.set_colors("discord", "g1", "blue-up")


async def test_constraints_refuse_unknown_values(storage: Storage) -> None:
    """The database itself refuses a language or colour outside the scheme (CHECK, not only code)."""
    await storage.set_language("discord", "g1", "en")
    for column, value in (("language", "fr"), ("colors", "blue-up")):
        with pytest.raises(IntegrityError):
            async with storage.engine.begin() as conn:
                await conn.execute(servers.update().values({column: value}))


async def test_downgrade_maps_traditional_to_simplified(db_url: str) -> None:
    """Going back before 0014 keeps a Traditional server readable: zh-hant becomes zh."""
    await upgrade(db_url)
    async with open_storage(db_url) as storage:
        await storage.set_language("discord", "g1", "both-hant")
        await storage.set_colors("discord", "g1", "red-up")
    await downgrade(db_url, "0001")
    await upgrade(db_url)
    async with open_storage(db_url) as storage:
        assert await storage.get_language("discord", "g1", "en") == "both"
        assert await storage.get_colors("discord", "g1") is None


async def test_language_is_remembered_for_a_bounded_time(db_url: str) -> None:
    """A read language is answered from memory (no SQL) for ``language_ttl`` seconds; this
    process sees its own change at once, another process (a second Storage on the same
    database) at most ``language_ttl`` later."""
    clock = [0.0]
    async with open_storage(db_url) as one, open_storage(db_url, migrate=False) as two:
        one._monotonic = two._monotonic = lambda: clock[0]
        assert await two.get_language("discord", "g9", "both") == "both"
        await one.set_language("discord", "g9", "zh")
        assert await one.get_language("discord", "g9", "both") == "zh"
        assert await two.get_language("discord", "g9", "both") == "both"  # within the TTL
        clock[0] += two.language_ttl
        assert await two.get_language("discord", "g9", "both") == "zh"
        statements: list[str] = []

        def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            statements.append(statement)

        event.listen(two.engine.sync_engine, "before_cursor_execute", record)
        assert await two.get_language("discord", "g9", "both") == "zh"
        event.remove(two.engine.sync_engine, "before_cursor_execute", record)
        assert statements == []


async def test_watchlist_default_set_and_reset(storage: Storage) -> None:
    """The default watchlist until one is set; duplicates dropped; None restores the default."""
    assert await storage.get_watchlist("slack", "T1") == list(DEFAULT_WATCHLIST)
    assert DEFAULT_WATCHLIST == ("SPY", "QQQ", "IWM", "DIA", "TLT", "GLD")
    assert await storage.set_watchlist("slack", "T1", ["IWM", "TLT", "IWM"]) == ["IWM", "TLT"]
    assert await storage.get_watchlist("slack", "T1") == ["IWM", "TLT"]
    assert await storage.get_watchlist("slack", "T2") == list(DEFAULT_WATCHLIST)
    with pytest.raises(ValueError, match="at least one ticker"):
        await storage.set_watchlist("slack", "T1", [])
    await storage.set_watchlist("slack", "T1", None)
    assert await storage.get_watchlist("slack", "T1") == list(DEFAULT_WATCHLIST)


async def test_subscription_upsert_disable_reenable(storage: Storage) -> None:
    """Upsert creates then restates; disable hides it; a new upsert re-enables the same row."""
    sub = await storage.upsert_subscription("discord", "g1", "c1", time=None, timezone="UTC")
    assert (sub.time, sub.enabled, sub.language) == (None, True, None)
    again = await storage.upsert_subscription(
        "discord", "g1", "c1", time="08:30", timezone="Asia/Shanghai", language="zh"
    )
    assert (again.id, again.time, again.timezone, again.language) == (
        sub.id, "08:30", "Asia/Shanghai", "zh",
    )  # fmt: skip
    assert await storage.disable_subscription("discord", "g1", "c1", "unsubscribed")
    assert not await storage.disable_subscription("discord", "g1", "c1", "again")
    assert await storage.list_subscriptions() == []
    [disabled] = await storage.list_subscriptions(enabled_only=False)
    assert (disabled.enabled, disabled.disabled_reason) == (False, "unsubscribed")
    back = await storage.upsert_subscription("discord", "g1", "c1", time=None, timezone="UTC")
    assert (back.id, back.enabled, back.disabled_reason) == (sub.id, True, None)
    assert await storage.get_subscription(sub.id) == back


async def test_subscription_rejects_bad_values(storage: Storage) -> None:
    """Malformed times and unknown time zones never reach the table."""
    with pytest.raises(ValueError, match="HH:MM"):
        await storage.upsert_subscription("slack", "T1", "C1", time="24:00", timezone="UTC")
    with pytest.raises(ValueError, match="time zone"):
        await storage.upsert_subscription("slack", "T1", "C1", time=None, timezone="Mars/Base")
    assert await storage.list_subscriptions(enabled_only=False) == []


async def test_disable_server_and_list_filters(storage: Storage) -> None:
    """Disabling a server disables all its channels only; list filters by platform and server."""
    for platform, server, channel in [("discord", "g1", "a"), ("discord", "g1", "b"),
                                      ("discord", "g2", "a"), ("slack", "g1", "a")]:  # fmt: skip
        await storage.upsert_subscription(platform, server, channel, time=None, timezone="UTC")
    assert await storage.disable_server("discord", "g1", "removed from server") == 2
    assert await storage.disable_server("discord", "g1", "removed from server") == 0
    remaining = await storage.list_subscriptions()
    assert [(s.platform, s.server_id) for s in remaining] == [("discord", "g2"), ("slack", "g1")]
    assert len(await storage.list_subscriptions("discord")) == 1
    assert len(await storage.list_subscriptions(server_id="g1", enabled_only=False)) == 3


def _signal(ticker: str, session: date, regime: Regime, close: float) -> Signal:
    values = dict(r_1d=-0.0355, r_5d=-0.0233, r_1m=-0.0022, sigma=0.012, z_1d=-2.5, z_5d=-1.0,
                  z_1m=-0.1, fast=-1.75, slow=-0.1)  # fmt: skip
    return Signal(ticker=ticker, as_of=session, close=close, regime=regime, closes=64, **values)


async def test_signal_history_upsert_and_previous_regime(storage: Storage) -> None:
    """Signals upsert per (ticker, session); previous_regime looks strictly before a session."""
    day1, day2, day3 = date(2026, 6, 4), date(2026, 6, 5), date(2026, 6, 8)
    await storage.record_signals([_signal("IWM", day1, Regime.NEUTRAL, 290.0)])
    n = await storage.record_signals(
        [_signal("IWM", day1, Regime.UPTREND, 291.0), _signal("IWM", day2, Regime.PULLBACK, 292.0)]
    )
    assert n == 2
    assert await storage.record_signals([]) == 0
    assert await storage.previous_regime("IWM", day3) == "pullback"
    assert await storage.previous_regime("IWM", day2) == "uptrend"
    assert await storage.previous_regime("IWM", day1) is None
    assert await storage.previous_regime("SPY", day3) is None
    async with storage.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT close FROM signal_history"))).scalars().all()
    assert sorted(rows) == [291.0, 292.0]


def _bars(rows: int) -> pd.DataFrame:
    index = pd.DatetimeIndex(pd.bdate_range("2026-01-02", periods=rows), name="Date")
    rng = np.random.default_rng(7)
    columns = ["Open", "High", "Low", "Close", "Adj Close", "Volume"]
    frame = pd.DataFrame(rng.random((rows, 6)) * 300, index=index, columns=columns)
    frame.iloc[3, 4] = np.nan
    frame.iloc[4, 0] = 0.1 + 0.2  # a float with no short decimal form
    return frame


async def test_bars_round_trip_exactly(storage: Storage) -> None:
    """Cached bars come back equal: dates, column names, dtypes and float bits."""
    store: BarStore = storage
    bars = _bars(95)
    assert await store.load_bars("yfinance", "IWM", SESSION) is None
    await store.save_bars("yfinance", "IWM", SESSION, bars.iloc[:-1])
    await store.save_bars("yfinance", "IWM", SESSION, bars)  # replaces
    loaded = await store.load_bars("yfinance", "IWM", SESSION)
    assert loaded is not None
    pd.testing.assert_frame_equal(loaded, bars, check_exact=True)
    assert await storage.prune_bars(SESSION) == 0
    assert await storage.prune_bars(SESSION + timedelta(days=1)) == 1


async def test_cached_bars_keep_their_currency(storage: Storage) -> None:
    """The currency a source reported travels with its cached bars; a row without one (written
    before currencies were kept) loads as "not reported", never as dollars."""
    store: BarStore = storage
    await store.save_bars("yfinance", "VOD.L", SESSION, with_currency(_bars(30), "GBp"))
    await store.save_bars("yfinance", "IWM", SESSION, with_currency(_bars(30), None))
    pence = await store.load_bars("yfinance", "VOD.L", SESSION)
    plain = await store.load_bars("yfinance", "IWM", SESSION)
    assert pence is not None and currency_of(pence) == "GBp"
    assert plain is not None and currency_of(plain) is None
    old = json.loads(dump_bars(_bars(5)))
    del old["currency"]
    assert currency_of(load_bars(json.dumps(old))) is None


async def test_cached_bars_belong_to_their_source(storage: Storage) -> None:
    """Bars saved by one source are never loaded as another source's (demo vs csv vs yahoo)."""
    demo, csv = _bars(10), _bars(12)
    await storage.save_bars("demo", "IWM", SESSION, demo)
    await storage.save_bars("csv:/data/prices", "IWM", SESSION, csv)
    assert await storage.load_bars("yfinance", "IWM", SESSION) is None
    assert await storage.load_bars("csv:/elsewhere", "IWM", SESSION) is None
    loaded_demo = await storage.load_bars("demo", "IWM", SESSION)
    loaded_csv = await storage.load_bars("csv:/data/prices", "IWM", SESSION)
    assert loaded_demo is not None and loaded_csv is not None
    pd.testing.assert_frame_equal(loaded_demo, demo, check_exact=True)
    pd.testing.assert_frame_equal(loaded_csv, csv, check_exact=True)


async def test_unreadable_cached_bars_are_a_miss(storage: Storage) -> None:
    """A corrupt cache entry is ignored rather than crashing a request."""
    await storage.save_bars("yfinance", "SPY", SESSION, _bars(5))
    async with storage.engine.begin() as conn:
        await conn.execute(text("UPDATE price_bars SET payload = '{\"v\": 99}'"))
    assert await storage.load_bars("yfinance", "SPY", SESSION) is None


_FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64)


@settings(deadline=None)  # exactness is the property; a loaded machine is not a failure
@given(st.lists(st.tuples(*[_FLOATS] * 6), max_size=30))
def test_bar_codec_is_exact_for_any_floats(rows: list[tuple[float, ...]]) -> None:
    """Any float64 values, NaN and infinities included, survive the codec bit for bit."""
    columns = ["Open", "High", "Low", "Close", "Adj Close", "Volume"]
    index = pd.DatetimeIndex(pd.bdate_range("2020-01-01", periods=len(rows)), name="Date")
    frame = pd.DataFrame(rows or None, index=index, columns=columns, dtype="float64")
    pd.testing.assert_frame_equal(load_bars(dump_bars(frame)), frame, check_exact=True)


async def test_app_state(storage: Storage) -> None:
    """Key/value state is missing until set and then overwritten."""
    assert await storage.get_state("discord.command_hash") is None
    await storage.set_state("discord.command_hash", "abc")
    await storage.set_state("discord.command_hash", "def")
    assert await storage.get_state("discord.command_hash") == "def"


_KILLED_WRITER = """
import asyncio, os, signal, sys
from bot.storage import open_storage

async def main():
    async with open_storage(sys.argv[1]) as storage:
        await storage.set_language("discord", "g1", "zh")
        print("ok", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

asyncio.run(main())
"""


@pytest.mark.slow
async def test_acknowledged_write_survives_sigkill(tmp_path: Path) -> None:
    """A SQLite write that returned survives the writer being killed with SIGKILL."""
    path = tmp_path / "bot.db"
    url = f"sqlite:///{path}"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _KILLED_WRITER, url, cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert out.decode().strip() == "ok"
    wal = await asyncio.to_thread(lambda: Path(f"{path}-wal").stat().st_size)
    assert wal > 0  # the acknowledged write is still only in the WAL
    async with open_storage(url) as storage:
        assert await storage.get_language("discord", "g1", "both") == "zh"
