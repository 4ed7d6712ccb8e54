"""Runtime wiring: persistent price cache, secret redaction, adapter isolation."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.app import run_bot
from bot.logs import RedactSecrets, configure_logging
from bot.services import price_service
from bot.settings import load_settings
from bot.storage import open_storage
from tests.fakes.market import write_price_dir


def settings_for(tmp_path: Path, prices: Path, **extra):
    extra.setdefault("ops_server", "off")  # no listener on the default port (tests/bot/ops)
    return load_settings(
        env_file=None, price_source=f"csv:{prices}", data_dir=tmp_path / "data", **extra
    )


async def test_restart_the_same_evening_refetches_nothing(tmp_path):
    """Bars cached in the database serve a new process: zero upstream calls after a restart."""
    prices = write_price_dir(tmp_path / "prices", {"IWM": 1.0, "SPY": 2.0})
    settings = settings_for(tmp_path, prices)
    async with open_storage(settings.storage.async_database_url) as storage:
        first = price_service(settings, storage)
        session = first.calendar.last_completed_session(datetime.now(UTC))
        await first.signals(["IWM", "SPY"], session=session)
        assert first.upstream_calls == 1
    async with open_storage(settings.storage.async_database_url) as storage:
        second = price_service(settings, storage)
        result = await second.signals(["IWM", "SPY"], session=session)
        assert second.upstream_calls == 0
        assert all(isinstance(r.as_of, date) for r in result.values())


def test_secrets_never_reach_the_log(tmp_path, capsys):
    """Configured secrets and anything token-shaped are replaced in messages and tracebacks."""
    secret = "xoxb-1234567890-abcdefghijkl"
    discord_like = "MTA" + "x" * 21 + ".AbCdEf." + "y" * 27
    configure_logging("INFO", secrets=("my-signing-secret",))
    log = logging.getLogger("tests.secret")
    log.info("token=%s signing=%s discord=%s", secret, "my-signing-secret", discord_like)
    try:
        raise RuntimeError(f"failed with {secret}")
    except RuntimeError:
        log.exception("boom")
    err = capsys.readouterr().err
    assert "xoxb-1234567890" not in err and "my-signing-secret" not in err
    assert discord_like not in err
    assert err.count("***") >= 4
    assert RedactSecrets().redact("nothing secret here") == "nothing secret here"


class Crashing:
    name = "crashing"

    async def run(self) -> None:
        raise RuntimeError("gateway exploded")

    async def stop(self) -> None:
        return None


class Healthy:
    name = "healthy"

    def __init__(self) -> None:
        self.stopped = asyncio.Event()
        self.served = 0

    async def run(self) -> None:
        while True:
            self.served += 1
            if self.served == 5:  # after the other adapter has crashed, ask the process to stop
                os.kill(os.getpid(), signal.SIGTERM)
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        self.stopped.set()


async def test_one_adapter_failing_never_stops_the_others(tmp_path, caplog):
    """A crashing adapter is logged; the other keeps serving until SIGTERM stops it cleanly."""
    prices = write_price_dir(tmp_path / "prices", {"IWM": 1.0})
    healthy = Healthy()
    with caplog.at_level(logging.INFO):
        code = await run_bot(
            settings_for(tmp_path, prices), extra_adapters=lambda _d: [Crashing(), healthy]
        )
    assert code == 0
    assert healthy.served >= 5 and healthy.stopped.is_set()
    assert "adapter=crashing crashed" in caplog.text
    assert "stopped" in caplog.text


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SIGNALBOT_DEFAULT_LANGUAGE", "fr"),
        ("SIGNALBOT_DATABASE_URL", "mysql://x"),
        ("SIGNALBOT_PRICE_SOURCE", "bloomberg"),
    ],
)
def test_bad_settings_name_the_variable(monkeypatch, variable, value):
    """Each bad value is one line that names its variable."""
    from bot.settings import SettingsError

    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(env_file=None)
    assert variable in str(caught.value) and "\n" not in str(caught.value)


async def test_exit_code_is_1_when_every_adapter_crashed(tmp_path):
    """A bot whose only adapter crashed exits 1 so a supervisor restarts it."""
    prices = write_price_dir(tmp_path / "prices", {"IWM": 1.0})
    code = await run_bot(settings_for(tmp_path, prices), extra_adapters=lambda _d: [Crashing()])
    assert code == 1


async def test_language_lookup_failure_falls_back_to_default(tmp_path):
    """A storage error while resolving the language never escapes the dispatcher."""
    from bot.dispatch import Dispatcher
    from commands.context import Services
    from signals.calendar import MarketCalendar
    from signals.service import PriceService
    from signals.sources.csv import CsvSource

    class BrokenSettings:
        async def get_language(self, platform, server_id, default):
            raise ConnectionRefusedError("could not connect to postgresql://bot:hunter2@db/x")

        async def set_language(self, platform, server_id, language):
            raise AssertionError("not called")

        async def get_colors(self, platform, server_id):
            raise ConnectionRefusedError("could not connect")

        async def set_colors(self, platform, server_id, scheme):
            raise AssertionError("not called")

    prices = PriceService(
        CsvSource(write_price_dir(tmp_path / "p", {"IWM": 1.0})), MarketCalendar()
    )
    dispatcher = Dispatcher(
        Services(prices=prices, settings=BrokenSettings(), default_language="en")
    )
    outcome = await dispatcher.run("help", {}, platform="terminal", server_id="local")
    assert outcome.language == "en"
    assert outcome.colors is None  # the language's default colours
    assert outcome.reply.messages[0].key == "help.title"


async def test_outcome_carries_the_servers_colours(tmp_path):
    """The dispatcher reads the stored colour convention and re-reads it after /colors."""
    from bot.dispatch import Dispatcher
    from bot.storage import open_storage
    from commands.context import Services
    from signals.calendar import MarketCalendar
    from signals.service import PriceService
    from signals.sources.csv import CsvSource

    prices = PriceService(
        CsvSource(write_price_dir(tmp_path / "p", {"IWM": 1.0})), MarketCalendar()
    )
    async with open_storage(f"sqlite:///{tmp_path / 'bot.db'}") as storage:
        dispatcher = Dispatcher(Services(prices=prices, settings=storage, default_language="zh"))
        before = await dispatcher.run("help", {}, platform="slack", server_id="T1")
        assert before.colors is None
        changed = await dispatcher.run(
            "colors", {"scheme": "green-up"}, platform="slack", server_id="T1", is_admin=True
        )
        assert changed.colors == "green-up"
        assert await storage.get_colors("slack", "T1") == "green-up"
