"""/healthz, /readyz and /metrics of a real run_bot on a real port."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path
from typing import Any

import pytest

from bot.app import run_bot
from bot.dispatch import Dispatcher
from bot.ops.health import Readiness
from bot.settings import load_settings
from bot.storage import Storage, create_engine
from tests.bot.ops.conftest import get
from tests.fakes.market import write_price_dir
from tests.support import any_port, bound_port, refused_port


class Probe:
    """An adapter that answers one /signal through the dispatcher, then waits to be finished."""

    name = "probe"

    def __init__(self) -> None:
        self.up = True
        self.answered = asyncio.Event()
        self.finish = asyncio.Event()
        self.dispatcher: Dispatcher | None = None

    def bind(self, dispatcher: Dispatcher) -> list[Any]:
        self.dispatcher = dispatcher
        return [self]

    async def run(self) -> None:
        assert self.dispatcher is not None
        await self.dispatcher.run("signal", {"ticker": "IWM"}, platform="probe", server_id="s")
        await self.dispatcher.run("signal", {"ticker": "I$$"}, platform="probe", server_id="s")
        self.answered.set()
        await self.finish.wait()

    async def health(self) -> dict[str, bool]:
        return {"link": self.up}

    async def stop(self) -> None:
        self.finish.set()


def settings(tmp_path: Path, **extra: Any):
    prices = write_price_dir(tmp_path / "prices", {"IWM": 1.0})
    return load_settings(
        env_file=None,
        price_source=f"csv:{prices}",
        data_dir=tmp_path / "data",
        http_host="127.0.0.1",
        **extra,
    )


@pytest.mark.slow
async def test_health_ready_and_metrics_while_running(tmp_path, caplog):
    """Alive: 200; ready while every part is up, 503 naming the part that went down; metrics
    count the commands, the upstream call and the cache; the leader flag is exported."""
    probe = Probe()
    task = asyncio.create_task(
        run_bot(any_port(settings(tmp_path), caplog), extra_adapters=probe.bind)
    )
    try:
        base = f"http://127.0.0.1:{await bound_port(caplog)}"
        assert await get(f"{base}/healthz") == (200, {"status": "ok"})
        await asyncio.wait_for(probe.answered.wait(), 30)
        status, body = await get(f"{base}/readyz")
        assert status == 200, body
        assert body["status"] == "ok" and body["down"] == []
        assert body["database"] is True and body["scheduler"] is True
        assert body["adapters"] == {"probe": {"link": True}}
        assert isinstance(body["leader"], bool)

        probe.up = False
        status, body = await get(f"{base}/readyz")
        assert status == 503
        assert body["status"] == "unavailable" and body["down"] == ["probe.link"]

        status, text = await get(f"{base}/metrics")
        assert status == 200
        lines = text.splitlines()
        ok = 'signalbot_commands_total{command="signal",outcome="ok",platform="probe"} 1.0'
        bad = 'signalbot_commands_total{command="signal",outcome="user_error",platform="probe"} 1.0'
        assert ok in lines and bad in lines
        assert 'signalbot_reply_seconds_count{platform="probe"} 2.0' in lines
        # one call for the card's window, one for the track record's long history
        assert 'signalbot_upstream_price_calls_total{source="csv"} 2.0' in lines
        assert not any(
            line.startswith("signalbot_upstream_price_failures_total{") for line in lines
        )
        assert 'signalbot_price_cache_lookups_total{result="miss"} 1.0' in lines
        assert 'signalbot_digest_deliveries_total{outcome="sent"} 0.0' in lines
        assert any(line.startswith("signalbot_digest_leader ") for line in lines)
    finally:
        probe.finish.set()
        code = await asyncio.wait_for(task, 30)
    assert code == 0


async def test_a_taken_port_stops_start_up_with_a_clear_message(tmp_path, caplog):
    """The port is in use: exit 1, and the log says which variable to change."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with caplog.at_level(logging.ERROR):
            code = await run_bot(settings(tmp_path, http_port=port), extra_adapters=Probe().bind)
    assert code == 1
    assert f"could not listen on 127.0.0.1:{port}" in caplog.text
    assert "SIGNALBOT_HTTP_PORT" in caplog.text


async def test_unreachable_database_is_not_ready():
    """A database that refuses connections makes /readyz 503 with database false."""
    with refused_port() as port:
        storage = Storage(create_engine(f"postgresql://postgres@127.0.0.1:{port}/nothing"))
        ready, body = await Readiness(storage, (), None, expect_digests=True).report()
        await storage.close()
    assert not ready
    assert body["database"] is False and body["scheduler"] is False
    assert body["down"] == ["database", "scheduler"]


async def test_terminal_mode_serves_nothing_unless_asked(tmp_path):
    """auto: no listener in a terminal session; on: served there too."""
    from bot.ops import ops_wanted

    auto = settings(tmp_path)
    assert not ops_wanted(auto, terminal_mode=True) and ops_wanted(auto, terminal_mode=False)
    forced = settings(tmp_path, ops_server="on")
    assert ops_wanted(forced, terminal_mode=True)
    assert not ops_wanted(settings(tmp_path, ops_server="off"), terminal_mode=False)
