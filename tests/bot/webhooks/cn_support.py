"""What the tests of the Feishu/Lark, WeCom and DingTalk kinds share: digests, alerts, a poster."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp

from bot.delivery.poster import AlertMessage, Outgoing
from bot.webhooks.kind import Answer, Response, WebhookKind
from formatting.alerts import RegimeChange
from formatting.card import Language
from formatting.digest import Digest, build_digest
from signals.regimes import Regime
from tests.digest.conftest import SESSION, make_signal
from tests.formatting.conftest import make_card

#: The platforms' clock in these tests: 2026-06-08 22:00 UTC, after the session's close.
NOW = datetime(2026, 6, 8, 22, 0, tzinfo=UTC)
#: Hong Kong and mainland funds by their Chinese names: the longest lines of a watchlist.
CHINESE_TICKERS = ["2800.HK", "2828.HK", "3067.HK", "510300.SS", "159915.SZ", "512880.SS"]


def watchlist(n: int = 60, *, changes: int = 8) -> Digest:
    """``n`` tickers over every regime (catalog funds of Hong Kong and the mainland first); the
    first ``changes`` changed regime since the session before."""
    regimes = list(Regime)
    names = [*CHINESE_TICKERS, *(f"T{i:03d}" for i in range(n))][:n]
    signals = [make_signal(t, SESSION, regimes[i % 9], 100.0 + i) for i, t in enumerate(names)]
    previous = {
        s.ticker: regimes[(i + 1) % 9] if i < changes else s.regime for i, s in enumerate(signals)
    }
    return build_digest(SESSION, signals, previous=previous, source="csv")


def alert(language: Language, n: int = 2) -> AlertMessage:
    """A grouped alert of ``n`` regime changes."""
    tickers = ["IWM", "SPY", "QQQ", "TLT", "GLD", "XLE"] * 20
    changes = [
        RegimeChange(previous=Regime.NEUTRAL, card=make_card(ticker=tickers[i])) for i in range(n)
    ]
    return AlertMessage(
        changes=changes,
        session=SESSION,
        language=language,
        source="csv",
        key="a1s260608",
        alert_ids=list(range(1, n + 1)),
    )


async def deliver(
    session: aiohttp.ClientSession,
    kind: WebhookKind,
    url: str,
    secret: str | None,
    message: Outgoing,
    now: datetime = NOW,
) -> Answer:
    """Sign ``message`` as ``kind`` does, post it, and read the answer as ``kind`` does."""
    request = kind.sign(url, secret, message, now)
    async with session.post(request.url, data=request.body, headers=request.headers) as resp:
        body = await resp.read()
        headers = {k.lower(): v for k, v in resp.headers.items()}
        return kind.classify(Response(status=resp.status, headers=headers, body=body))
