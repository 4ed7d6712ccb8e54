"""The unknown window on Telegram: from the Bot API's answer to the ledger's mark, on PostgreSQL.

A digest fan-out to ``BENCH_TG_CHATS`` private chats (default 400) through the real runner
(``concurrency`` 16, the default), ``TelegramPoster`` and python-telegram-bot, against the fake
Bot API in its own process, with the ledger on PostgreSQL (``SIGNALBOT_TEST_DATABASE_URL`` or
``BENCH_TG_DATABASE_URL``; a database of its own is created and dropped). For each part, the
window is the time from ``send_message`` returning (Telegram answered) to ``mark_sent``
returning (the row is committed ``sent``): a crash inside it leaves a possible duplicate.

``BENCH_TG_ROOTS`` (colon-separated checkouts, default this one) runs each checkout's code in a
child process, alternating, ``BENCH_TG_RUNS`` rounds (default 3): before/after in one run.
``BENCH_TG_GATE`` (claims written at once) and ``BENCH_TG_AUTOCOMMIT=0`` (marks in
BEGIN/COMMIT) try other settings of the ledger. Also reported: how long a claim takes (it
queues at the gate, before the post: outside the window) and the event loop's lag (a 10 ms
sleep's overshoot), which tell a busy loop from a database queue.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CHATS = int(os.environ.get("BENCH_TG_CHATS", "400"))
HERE = Path(__file__).resolve().parents[1]
_FAKE = """
import asyncio, sys
from tests.fakes.telegram import FakeTelegram
async def main(n):
    fake = FakeTelegram()
    for i in range(n):
        fake.private(10_000 + i)
    await fake.start()
    print(fake.base_url, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await fake.stop()
asyncio.run(main(int(sys.argv[1])))
"""


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _child(url: str, base_url: str) -> dict[str, Any]:
    from telegram import Bot

    from bot.adapters.telegram.poster import ChatPacer, TelegramPoster
    from bot.digest.claims import Target
    from bot.digest.fanout import DigestRunner
    from bot.storage import open_storage
    from signals.calendar import MarketCalendar
    from signals.service import PriceService
    from signals.sources import CsvSource
    from tests.fakes.market import last_session_now, write_price_dir
    from tests.fakes.telegram import BOT_TOKEN

    lags: list[float] = []

    async def lag() -> None:
        while True:
            t = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append(time.perf_counter() - t - 0.01)

    ticker = asyncio.create_task(lag())
    claims: list[float] = []
    answered: contextvars.ContextVar[float] = contextvars.ContextVar("answered")
    windows: list[float] = []
    session = last_session_now()
    with tempfile.TemporaryDirectory() as tmp:
        tickers = {"SPY": 2.4, "QQQ": 2.0, "IWM": 1.0, "DIA": 1.5}
        prices_dir = write_price_dir(Path(tmp) / "prices", tickers, end=session)
        async with open_storage(url) as storage:
            if os.environ.get("BENCH_TG_GATE"):
                storage.claims_at_once = int(os.environ["BENCH_TG_GATE"])
            if os.environ.get("BENCH_TG_AUTOCOMMIT") == "0":
                storage.marks_autocommit = False
            subs = []
            for i in range(CHATS):
                chat = str(10_000 + i)
                await storage.set_watchlist("telegram", chat, list(tickers))
                subs.append(
                    await storage.upsert_subscription(
                        "telegram", chat, chat, time=None, timezone="America/New_York"
                    )
                )
            bot = Bot(BOT_TOKEN, base_url=base_url)
            await bot.initialize()
            poster = TelegramPoster(bot, pacer=ChatPacer())
            send, mark, claim = poster.send_message, storage.mark_sent, storage.claim

            async def timed_claim(*args: Any, **kwargs: Any) -> Any:
                t = time.perf_counter()
                got = await claim(*args, **kwargs)
                claims.append(time.perf_counter() - t)
                return got

            storage.claim = timed_claim  # type: ignore[method-assign]

            async def timed_send(*args: Any, **kwargs: Any) -> str:
                message_id = await send(*args, **kwargs)
                answered.set(time.perf_counter())
                return message_id

            async def timed_mark(*args: Any, **kwargs: Any) -> bool:
                done = await mark(*args, **kwargs)
                windows.append(time.perf_counter() - answered.get())
                return done

            poster.send_message = timed_send  # type: ignore[method-assign]
            storage.mark_sent = timed_mark  # type: ignore[method-assign]
            prices = PriceService(CsvSource(prices_dir), MarketCalendar(), store=storage)
            runner = DigestRunner(
                storage, prices, {"telegram": poster}, heatmaps=False, rates={"telegram": 1000.0}
            )
            began = time.perf_counter()
            report = await runner.run([Target(sub, session) for sub in subs])
            elapsed = time.perf_counter() - began
            await bot.shutdown()
    ticker.cancel()
    return {
        "windows": windows,
        "claims": claims,
        "lags": lags,
        "sent": report.sent,
        "elapsed": elapsed,
    }


def _database(base: str) -> tuple[str, str]:
    from sqlalchemy.engine import make_url

    name = f"bench_tg_{secrets.token_hex(4)}"
    return name, make_url(base).set(database=name).render_as_string(hide_password=False)


async def _admin(base: str, sql: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    dsn = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _once(root: Path, base: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(root), "PTB_TIMEDELTA": "1"}
    fake = subprocess.Popen(
        [sys.executable, "-c", _FAKE, str(CHATS)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=root,
    )
    assert fake.stdout is not None
    assert fake.stdin is not None
    base_url = fake.stdout.readline().strip()
    name, url = _database(base)
    asyncio.run(_admin(base, f'CREATE DATABASE "{name}"'))
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child", url, base_url],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        fake.stdin.close()
        fake.wait(20)
        asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return dict(json.loads(out.strip().splitlines()[-1]))


def _median_ms(runs: list[dict[str, Any]], name: str) -> float:
    return float(statistics.median(x for r in runs for x in r[name])) * 1000


def run() -> list[str]:
    base = os.environ.get("BENCH_TG_DATABASE_URL") or os.environ.get("SIGNALBOT_TEST_DATABASE_URL")
    if not base:
        return ["telegram window: set SIGNALBOT_TEST_DATABASE_URL (PostgreSQL) to run it"]
    roots = [Path(r) for r in os.environ.get("BENCH_TG_ROOTS", str(HERE)).split(":")]
    rounds = max(1, int(os.environ.get("BENCH_TG_RUNS", "3")))
    results: dict[Path, list[dict[str, Any]]] = {r: [] for r in roots}
    for _ in range(rounds):
        for root in roots:
            results[root].append(_once(root, base))
    lines = [f"telegram window: {CHATS} chats, concurrency 16, PostgreSQL, {rounds} rounds"]
    for root, runs in results.items():
        ms = [w * 1000 for r in runs for w in r["windows"]]
        medians = ", ".join(f"{statistics.median(r['windows']) * 1000:.1f}" for r in runs)
        lines.append(
            f"  {root}: answer->mark median {statistics.median(ms):.1f} ms "
            f"(per run {medians}), p90 {_pct(ms, 0.9):.1f} ms, max {max(ms):.1f} ms, "
            f"claim median {_median_ms(runs, 'claims'):.1f} ms, "
            f"loop lag median {_median_ms(runs, 'lags'):.1f} ms, "
            f"sent {sum(r['sent'] for r in runs)}, "
            f"fan-out {statistics.median(r['elapsed'] for r in runs):.1f} s"
        )
    return lines


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(asyncio.run(_child(sys.argv[2], sys.argv[3]))))
    else:
        print("\n".join(run()))
