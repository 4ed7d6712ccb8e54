"""One alert run for a session: which tickers changed regime, then claim -> post -> mark.

``R(t)`` and ``R(t-1)`` come from the same bars (one batched fetch, cache first). A ticker whose
bars do not reach the session yet (a holiday has no session; missing data waits) or that has no
regime at ``t-1`` posts nothing. Alerts of one channel that change on the same session share one
message; each alert is claimed in the alert ledger (``bot.storage.alert_ledger``) before the post
and marked sent after, so a sent (alert, session) is never posted again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from bot.adapters.base import ChannelGone, Poster
from bot.storage import Storage, new_claimer_id
from bot.storage.alert_ledger import ALERT_CLAIM_STALE
from bot.storage.alerts import DM_PREFIX, Alert
from commands.history import with_track_lines
from commands.signal import build_cards
from formatting.alerts import RegimeChange, alert_text, alert_to_discord, alert_to_slack
from formatting.card import LANGUAGES, Card, Language
from signals.bars import bars_until
from signals.momentum import Signal, compute_signals
from signals.regimes import Regime
from signals.service import PriceService

log = logging.getLogger(__name__)

JSON = dict[str, Any]


@runtime_checkable
class DirectMessages(Protocol):
    """A poster that can reach a member's direct messages (the Discord adapter)."""

    async def open_dm(self, user_id: str) -> str:
        """The id of the DM channel with ``user_id`` (opened if needed)."""
        ...


@dataclass
class AlertReport:
    """What one run did (observability and tests)."""

    changed: list[str] = field(default_factory=list)  # tickers whose regime changed
    waiting: list[str] = field(default_factory=list)  # tickers without the session's bar yet
    messages: int = 0
    sent: int = 0  # alerts marked sent
    skipped: int = 0  # alerts already sent or claimed elsewhere
    failed: int = 0


def regime_changes(
    bars: Mapping[str, Any], session: date, previous: date, *, prices: PriceService
) -> tuple[dict[str, Regime], list[str]]:
    """Ticker -> R(t-1) for tickers whose regime changed at ``session``; and the waiting ones."""
    complete = {t: f for t, f in bars.items() if len(f) and f.index[-1].date() >= session}
    waiting = [t for t in bars if t not in complete]
    now = compute_signals(complete, as_of=session, thresholds=prices.thresholds)
    before = compute_signals(
        {t: bars_until(f, previous) for t, f in complete.items()},
        as_of=previous,
        thresholds=prices.thresholds,
    )
    changed: dict[str, Regime] = {}
    for ticker in complete:
        a, b = before.get(ticker), now.get(ticker)
        if not (isinstance(a, Signal) and isinstance(b, Signal)):
            continue  # no regime on one of the two sessions: nothing to compare
        if a.as_of == previous and b.as_of == session and a.regime is not b.regime:
            changed[ticker] = a.regime
    return changed, waiting


def alert_nonce(alerts: Sequence[Alert], session: date) -> str:
    """The grouped message's idempotency key (Discord allows 25 characters)."""
    return f"a{min(a.id for a in alerts)}s{session:%y%m%d}"[:25]


class AlertRunner:
    """Evaluates and delivers the regime alerts of a session; posters by platform."""

    def __init__(
        self,
        storage: Storage,
        prices: PriceService,
        posters: Mapping[str, Poster],
        *,
        default_language: Language = "both",
        claimer_id: str | None = None,
        post_timeout: float = 60.0,
        stale_after: timedelta = ALERT_CLAIM_STALE,
    ) -> None:
        self.storage = storage
        self.prices = prices
        self.posters = dict(posters)
        self.default_language = default_language
        self.claimer_id = claimer_id or new_claimer_id()
        self.post_timeout = post_timeout
        #: A claim older than this, held by another process, is taken over (it died mid-post);
        #: longer than any post may take (``post_timeout``).
        self.stale_after = stale_after

    async def run(
        self,
        session: date,
        *,
        due_at: datetime | None = None,
        active: Callable[[], bool] = lambda: True,
    ) -> AlertReport:
        """Post every changed alert of ``session`` not posted yet (alerts made after ``due_at``
        wait for the next session)."""
        report = AlertReport()
        states = await self.storage.alert_states(session)
        alerts = [
            a
            for a in await self.storage.list_alerts()
            if states.get(a.id, ("", ""))[0] != "sent"
            and a.platform in self.posters
            and (due_at is None or a.created_at <= due_at)
        ]
        if not alerts:
            return report
        tickers = list(dict.fromkeys(a.ticker for a in alerts))
        fetched = await self.prices.bars(tickers, session=session)
        previous = self.prices.calendar.previous_session(session)
        changed, report.waiting = regime_changes(
            fetched.bars, session, previous, prices=self.prices
        )
        report.changed = sorted(changed)
        if not changed:
            return report
        built = await build_cards(self.prices, list(changed), session=session)
        cards = await with_track_lines(
            self.prices, [c for c in built.values() if isinstance(c, Card)]
        )
        by_ticker = {c.ticker: RegimeChange(previous=changed[c.ticker], card=c) for c in cards}
        groups: dict[tuple[str, str, str], list[Alert]] = {}
        for alert in alerts:
            if alert.ticker in by_ticker:
                groups.setdefault((alert.platform, alert.server_id, alert.channel_id), []).append(
                    alert
                )
        for (platform, server_id, channel_id), members in groups.items():
            if not active():
                break
            await self._deliver(
                platform, server_id, channel_id, members, by_ticker, session, report
            )
        return report

    async def _language(self, platform: str, server_id: str) -> Language:
        stored = await self.storage.get_language(platform, server_id, self.default_language)
        return stored if stored in LANGUAGES else self.default_language

    def _payload(
        self,
        platform: str,
        changes: list[RegimeChange],
        session: date,
        language: Language,
        key: str,
    ) -> JSON:
        source = self.prices.source.name
        if platform == "discord":
            # Discord returns the message already made with this nonce instead of a second one,
            # which closes the window between "posted" and "marked sent" (as the digest does)
            body = alert_to_discord(changes, session, language, source=source)
            return {**body, "nonce": key, "enforce_nonce": True}
        if platform == "slack":
            return alert_to_slack(changes, session, language, source=source)
        return {"text": alert_text(changes, session, language, source=source)}

    async def _deliver(
        self,
        platform: str,
        server_id: str,
        channel_id: str,
        members: Sequence[Alert],
        by_ticker: Mapping[str, RegimeChange],
        session: date,
        report: AlertReport,
    ) -> None:
        claimed = [
            a
            for a in members
            if await self.storage.claim_alert(
                a.id, session, self.claimer_id, stale_after=self.stale_after
            )
        ]
        report.skipped += len(members) - len(claimed)
        if not claimed:
            return
        changes = [by_ticker[a.ticker] for a in claimed]
        language = await self._language(platform, server_id)
        payload = self._payload(platform, changes, session, language, alert_nonce(claimed, session))
        try:
            async with asyncio.timeout(self.post_timeout):
                poster = self.posters[platform]
                target = channel_id
                if channel_id.startswith(DM_PREFIX):
                    if not isinstance(poster, DirectMessages):
                        raise ChannelGone(channel_id, f"{platform} has no direct messages")
                    target = await poster.open_dm(channel_id.removeprefix(DM_PREFIX))
                message_id = await poster.send_message(target, payload, server_id=server_id)
        except Exception as exc:  # ChannelGone, PostFailed, a timeout or a bug: this channel only
            if not isinstance(exc, ChannelGone):
                log.warning("alert post failed platform=%s channel=%s", platform, channel_id)
            for alert in claimed:
                await self.storage.mark_alert_failed(alert.id, session, self.claimer_id, repr(exc))
            report.failed += len(claimed)
            return
        for alert in claimed:
            await self.storage.mark_alert_sent(alert.id, session, [message_id])
        report.sent += len(claimed)
        report.messages += 1
        log.info(
            "alert sent platform=%s channel=%s session=%s tickers=%s",
            platform,
            channel_id,
            session,
            ",".join(c.ticker for c in changes),
        )
