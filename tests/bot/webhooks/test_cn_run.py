"""``signalbot run`` posting a 60-ticker Chinese digest to Feishu, WeCom and DingTalk robots.

A real ``python -m bot run`` (CSV prices, no chat token: the stored webhook targets alone keep it
running) serves three targets on the local fakes of ``tests.fakes.webhooks_cn``, which check the
signature, the size of every body and the per-minute limits as the platforms document them. The
last session's digest is due at once (a long grace window). The bot is then killed with SIGKILL
after every part is marked, a fourth target is added, and a second bot started: it posts the new
target's digest (so its digest tick has run) and nothing again to the first three.
"""

from __future__ import annotations

import asyncio
import collections
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from bot.storage import Delivery, open_storage
from signals.calendar import MarketCalendar
from signals.regimes import Regime
from tests.bot.webhooks.conftest import add_target
from tests.digest.conftest import make_signal
from tests.fakes.bot_process import bot_env, start_bot, stop_bot
from tests.fakes.gate import Gate
from tests.fakes.market import last_due_session, write_price_dir
from tests.fakes.webhooks_cn import FakeCN, running

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

TICKERS = [f"T{i:03d}" for i in range(60)]
SECRET = "SECrun0123456789abcdef"
WAIT = 0.05  # polling step, seconds
BOUND = 120.0  # generous bound for anything to happen, seconds (never a sync point)


async def until(condition: Callable[[], bool], what: str, proc: asyncio.subprocess.Process) -> None:
    """Poll ``condition()`` until true; fail with ``what`` if the bot exits or it never is."""
    for _ in range(int(BOUND / WAIT)):
        if condition():
            return
        if proc.returncode is not None:
            break
        await asyncio.sleep(WAIT)
    raise AssertionError(f"never happened: {what} (bot exit code {proc.returncode})")


async def sent(db_url: str, session: date) -> list[Delivery]:
    async with open_storage(db_url) as storage:
        rows = await storage.deliveries_for(session)
    return [r for r in rows if r.state == "sent"]


def complete(rows: list[Delivery], subscriptions: int) -> bool:
    """Every part of ``subscriptions`` digests is marked sent."""
    by_sub = collections.Counter(r.subscription_id for r in rows)
    return len(by_sub) == subscriptions and all(
        n == r.parts for r in rows for n in [by_sub[r.subscription_id]]
    )


async def test_run_posts_each_kind_once_within_its_limits(db_url: str, tmp_path: Path) -> None:
    session = last_due_session()
    previous = MarketCalendar().previous_session(session)
    prices = write_price_dir(tmp_path / "prices", {t: 1 + i / 100 for i, t in enumerate(TICKERS)})
    async with running(FakeCN()) as cn:
        async with open_storage(db_url) as storage:
            for kind, secret, lang in (
                ("feishu", SECRET, "auto"),
                ("wecom", None, "zh"),
                ("dingtalk", SECRET, "zh-hant"),
            ):
                url = cn.add(kind, kind, secret)
                await add_target(
                    storage, kind, url, secret=secret, language=lang, watchlist=TICKERS
                )
            # every ticker was neutral the session before: sixty change lines too
            await storage.record_signals(
                [make_signal(t, previous, Regime.NEUTRAL) for t in TICKERS]
            )
        env = bot_env(
            tmp_path,
            prices,
            SIGNALBOT_DATABASE_URL=db_url,
            SIGNALBOT_LOG_LEVEL="INFO",
            SIGNALBOT_OPS_SERVER="off",
            SIGNALBOT_DIGEST_GRACE_HOURS="200",  # the last session's digest is due now
        )
        first = await start_bot(env, tmp_path / "first.log")
        try:
            await until(lambda: all(cn.accepted[k] for k in ("feishu", "wecom", "dingtalk")),
                        "a digest at each robot", first)  # fmt: skip
            for _ in range(int(BOUND / WAIT)):  # every part of the three digests marked
                if complete(await sent(db_url, session), 3):
                    break
                await asyncio.sleep(WAIT)
            else:
                raise AssertionError("the digests were never all marked sent")
            first.kill()  # SIGKILL after the mark
            await first.wait()
        finally:
            await stop_bot(first)
        posted = {k: len(v) for k, v in cn.accepted.items()}

        async with open_storage(db_url) as storage:
            await add_target(
                storage, "wecom", cn.add("wecom", "late"), language="zh", watchlist=TICKERS
            )
        second = await start_bot(env, tmp_path / "second.log")
        try:
            await until(lambda: bool(cn.accepted["late"]), "the new target's digest", second)
            for _ in range(int(BOUND / WAIT)):
                if complete(await sent(db_url, session), 4):
                    break
                await asyncio.sleep(WAIT)
        finally:
            await stop_bot(second)

    text = (tmp_path / "first.log").read_text() + (tmp_path / "second.log").read_text()
    assert "Traceback" not in text and SECRET not in text and cn.base_url not in text
    assert cn.refused == []  # no signature, size or rate refusal
    assert {k: len(v) for k, v in cn.accepted.items() if k != "late"} == posted
    # the 60 tickers in Chinese take several WeCom parts, each within 4,096 bytes; one image
    wecom = collections.Counter(m["msgtype"] for m in cn.accepted["wecom"])
    assert wecom["markdown"] >= 2 and wecom["image"] <= 1
    assert all(
        len(m["markdown"]["content"].encode()) <= 4096
        for m in cn.accepted["wecom"]
        if m["msgtype"] == "markdown"
    )
    assert posted["feishu"] >= 1 and posted["dingtalk"] >= 1
    assert len(cn.accepted["late"]) == len(cn.accepted["wecom"])


async def test_killed_before_the_wecom_post_one_digest_after_restart(
    db_url: str, tmp_path: Path
) -> None:
    """``signalbot run`` posting to a WeCom robot is killed (kill -9) while its first post waits
    at the fake, before WeCom keeps it; the fake drops it. The restart takes the dead claim over
    when its lease ends and posts the digest: every part once, nothing twice."""
    session = last_due_session()
    prices = write_price_dir(tmp_path / "prices", {"SPY": 2.4, "QQQ": 2.0}, end=session)
    async with running(FakeCN()) as cn:
        async with open_storage(db_url) as storage:
            await add_target(storage, "wecom", cn.add("wecom", "w"), language="zh")
        env = bot_env(
            tmp_path,
            prices,
            SIGNALBOT_DATABASE_URL=db_url,
            SIGNALBOT_LOG_LEVEL="INFO",
            SIGNALBOT_OPS_SERVER="off",
            SIGNALBOT_DIGEST_LEASE_SECONDS="3",
            SIGNALBOT_DIGEST_GRACE_HOURS="200",  # the last session's digest is due now
        )
        gate = cn.gate = Gate("store")
        first = await start_bot(env, tmp_path / "first.log")
        try:
            await until(lambda: gate.waiting >= 1, "the first post at WeCom", first)
            first.kill()  # kill -9 before the post was kept
            await first.wait()
        finally:
            await stop_bot(first)
        gate.open(drop=True)  # the dead sender's post is never kept
        cn.gate = None
        assert cn.accepted["w"] == []
        second = await start_bot(env, tmp_path / "second.log")
        try:
            for _ in range(int(BOUND / WAIT)):
                if complete(await sent(db_url, session), 1):
                    break
                await asyncio.sleep(WAIT)
            else:
                raise AssertionError("the restart never marked the digest sent")
        finally:
            await stop_bot(second)
    rows = await sent(db_url, session)
    messages = cn.accepted["w"]
    assert len(messages) == rows[0].parts  # each part once
    assert len({json.dumps(m, sort_keys=True) for m in messages}) == len(messages)
    text = (tmp_path / "second.log").read_text()
    assert "Traceback" not in text and cn.base_url not in text
    assert text.count("a duplicate is possible") == 1  # the claim taken over, said once
