"""One alert run for a session: which tickers changed regime, then claim -> post -> mark.

``R(t)`` and ``R(t-1)`` come from the same bars (one batched fetch, cache first). A ticker whose
bars do not reach the session yet (a holiday has no session; missing data waits) or that has no
regime at ``t-1`` posts nothing. Alerts of one channel that change on the same session share one
message; each alert is claimed in the alert ledger (``bot.storage.alert_ledger``, the digest
ledger's rules: instance id, lease, heartbeat) before the post and marked sent after, so a sent
(alert, session) is never posted again. A claim cut off by a database error is not renewed and is
retried by the next run once its lease ends, this process's too.

Every alert message carries a key (:func:`alert_nonce`), put where its channel can read it back
(:meth:`bot.delivery.poster.Channel.render_alert`). Retries follow the one policy of
:mod:`bot.delivery.retry` (attempts capped like a digest part's, so an outage cannot use up an
alert). A claim that is a retry (its holder died after
posting, perhaps) asks the platform for that key before posting again
(``bot.delivery.reconcile``), as a digest part does. A graceful stop gives unposted claims back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from bot.adapters.base import ChannelGone
from bot.delivery.channels import channel_for
from bot.delivery.lease import Holding, renewing
from bot.delivery.markers import alert_key
from bot.delivery.poster import AlertMessage, Poster
from bot.delivery.reconcile import Lookup, find_before_posting
from bot.delivery.retry import RETRY
from bot.storage import LEASE, AlertKey, Claim, Storage, new_instance_id
from bot.storage.alerts import DM_PREFIX, Alert
from commands.history import with_track_lines
from commands.signal import build_cards
from formatting.alerts import RegimeChange
from formatting.card import LANGUAGES, Card, Language
from signals.bars import bars_until
from signals.exchanges import DEFAULT_MIC, calendar_name
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
    recovered: int = 0  # of the sent: found already posted by an earlier attempt
    skipped: int = 0  # alerts already sent or claimed elsewhere
    stopped: int = 0  # claims given back by a graceful stop
    failed: int = 0

    def merged(self, other: AlertReport) -> AlertReport:
        """This run's report and ``other``'s together (the runs of several exchanges)."""
        return AlertReport(
            changed=sorted({*self.changed, *other.changed}),
            waiting=[*self.waiting, *other.waiting],
            messages=self.messages + other.messages,
            sent=self.sent + other.sent,
            recovered=self.recovered + other.recovered,
            skipped=self.skipped + other.skipped,
            stopped=self.stopped + other.stopped,
            failed=self.failed + other.failed,
        )


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
    return alert_key((a.id for a in alerts), session)


@dataclass(frozen=True)
class _Channel:
    """Where one grouped alert message goes, and for which session."""

    platform: str
    server_id: str
    channel_id: str
    session: date


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
        lease: timedelta = LEASE,
    ) -> None:
        self.storage = storage
        self.prices = prices
        self.posters = dict(posters)
        self.default_language = default_language
        self.claimer_id = claimer_id or new_instance_id()  # this process's instance id
        self.post_timeout = post_timeout
        self.lease = max(lease, timedelta(seconds=1))
        self.holding = Holding()  # the claims being worked on (the heartbeat renews these)
        self.site_url: str | None = None  # research site: each change links its page

    async def markets(self) -> list[str]:
        """One MIC per exchange calendar the alerts' tickers trade on (New York first)."""
        found: dict[str, str] = {}
        for alert in await self.storage.list_alerts():
            mic = self.prices.exchange_or_default(alert.ticker)
            found.setdefault(calendar_name(mic), mic)
        return sorted(found.values(), key=lambda mic: (mic != DEFAULT_MIC, mic))

    def _on(self, ticker: str, market: str | None) -> bool:
        """Is ``ticker`` on the calendar of ``market`` (None: every ticker)?"""
        if market is None:
            return True
        mine = calendar_name(self.prices.exchange_or_default(ticker))
        return mine == calendar_name(market)

    async def run(
        self,
        session: date,
        *,
        due_at: datetime | None = None,
        active: Callable[[], bool] = lambda: True,
        market: str | None = None,
    ) -> AlertReport:
        """Post every changed alert of ``session`` not posted yet (alerts made after ``due_at``
        wait for the next session). ``market`` (a MIC): only the alerts whose tickers keep that
        exchange's sessions, ``session`` being one of them; None: every alert, on New York's."""
        report = AlertReport()
        states = await self.storage.alert_states(session)
        alerts = [
            a
            for a in await self.storage.list_alerts()
            if states.get(a.id, ("", ""))[0] != "sent"
            and a.platform in self.posters
            and a.paused_reason is None  # the bot was blocked or removed: wait to be added back
            and (due_at is None or a.created_at <= due_at)
            and self._on(a.ticker, market)
        ]
        if not alerts:
            return report
        tickers = list(dict.fromkeys(a.ticker for a in alerts))
        fetched = await self.prices.bars(tickers, session=session)
        previous = self.prices.calendar_of(market or DEFAULT_MIC).previous_session(session)
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
        cards = tuple(replace(c, site_url=self.site_url) for c in cards)
        by_ticker = {c.ticker: RegimeChange(previous=changed[c.ticker], card=c) for c in cards}
        groups: dict[tuple[str, str, str], list[Alert]] = {}
        for alert in alerts:
            if alert.ticker in by_ticker:
                groups.setdefault((alert.platform, alert.server_id, alert.channel_id), []).append(
                    alert
                )
        async with renewing(self.storage, self.claimer_id, self.lease, self.holding):
            for (platform, server_id, channel_id), members in groups.items():
                if not active():
                    break
                await self._deliver(
                    _Channel(platform, server_id, channel_id, session),
                    members,
                    by_ticker,
                    report,
                    active,
                )
        return report

    async def _language(self, platform: str, server_id: str) -> Language:
        stored = await self.storage.get_language(platform, server_id, self.default_language)
        return stored if stored in LANGUAGES else self.default_language

    def _payload(
        self,
        platform: str,
        server_id: str,
        changes: list[RegimeChange],
        session: date,
        language: Language,
        key: str,
        alerts: Sequence[Alert],
    ) -> JSON:
        source = self.prices.source.name
        alert = AlertMessage(changes, session, language, source, key, [a.id for a in alerts])
        return channel_for(platform, server_id).render_alert(alert)

    async def _claim(
        self, where: _Channel, members: Sequence[Alert]
    ) -> list[tuple[Alert, Claim[AlertKey]]]:
        claims = []
        for alert in members:
            key = AlertKey(alert.id, where.session)
            claim = await self.storage.claim_alert(
                key, self.claimer_id, lease=self.lease, max_attempts=RETRY.max_attempts
            )
            if claim is not None:
                claims.append((alert, claim))
        return claims

    async def _deliver(
        self,
        where: _Channel,
        members: Sequence[Alert],
        by_ticker: Mapping[str, RegimeChange],
        report: AlertReport,
        active: Callable[[], bool],
    ) -> None:
        claims = await self._claim(where, members)
        report.skipped += len(members) - len(claims)
        if not claims:
            return
        keys = [c.key for _, c in claims]
        with self.holding.hold(*keys):  # a claim left by an error is not renewed: retried later
            await self._post(where, claims, by_ticker, report, active)

    async def _post(
        self,
        where: _Channel,
        claims: Sequence[tuple[Alert, Claim[AlertKey]]],
        by_ticker: Mapping[str, RegimeChange],
        report: AlertReport,
        active: Callable[[], bool],
    ) -> None:
        """(Recover or) post one channel's claimed alerts as one message, then mark them."""
        claimed = [a for a, _ in claims]
        keys = [c.key for _, c in claims]
        changes = [by_ticker[a.ticker] for a in claimed]
        language = await self._language(where.platform, where.server_id)
        key = alert_nonce(claimed, where.session)
        payload = self._payload(
            where.platform, where.server_id, changes, where.session, language, key, claimed
        )
        poster = self.posters[where.platform]
        posting = False
        try:
            async with asyncio.timeout(self.post_timeout):
                target = where.channel_id
                if target.startswith(DM_PREFIX):
                    if not isinstance(poster, DirectMessages):
                        raise ChannelGone(target, f"{where.platform} has no direct messages")
                    target = await poster.open_dm(target.removeprefix(DM_PREFIX))
                retried = [c.since for _, c in claims if c.retry]
                if retried:  # an earlier attempt may have posted and died before marking
                    what = f"alert key={key} session={where.session}"
                    lookup = Lookup(
                        where.platform, where.server_id, target, key, min(retried), what
                    )
                    found = await find_before_posting(poster, lookup)
                    if found is not None:
                        await self._mark_sent(keys, found, report)
                        report.recovered += len(keys)
                        return
                if not active():  # stopping: nothing was posted, give the claims back
                    await self._release(keys)
                    report.stopped += len(keys)
                    return
                posting = True
                message_id = await poster.send_message(target, payload, server_id=where.server_id)
        except asyncio.CancelledError:
            if not posting:  # cancelled before the post: nothing can have gone out
                with contextlib.suppress(Exception):
                    await asyncio.shield(self._release(keys))
            raise  # else the claims stay: their lease ends and the next holder asks first
        except Exception as exc:  # ChannelGone, PostFailed, a timeout or a bug: this channel only
            if not isinstance(exc, ChannelGone):
                log.warning(
                    "alert post failed platform=%s channel=%s error=%r",
                    where.platform,
                    where.channel_id,
                    exc,
                )
            for k in keys:
                await self.storage.mark_alert_failed(k, self.claimer_id, repr(exc))
            report.failed += len(keys)
            if isinstance(exc, ChannelGone):  # never retried every tick: /alert add resumes
                paused = await self.storage.pause_alerts(
                    where.platform, where.server_id, where.channel_id, f"gone: {exc.reason}"
                )
                log.warning(
                    "alerts paused platform=%s channel=%s alerts=%d reason=%s",
                    where.platform,
                    where.channel_id,
                    paused,
                    exc.reason,
                )
            return
        await self._mark_sent(keys, message_id, report)
        report.messages += 1
        log.info(
            "alert sent platform=%s channel=%s session=%s tickers=%s",
            where.platform,
            where.channel_id,
            where.session,
            ",".join(c.ticker for c in changes),
        )

    async def _mark_sent(
        self, keys: Sequence[AlertKey], message_id: str, report: AlertReport
    ) -> None:
        await self.storage.mark_alerts_sent(keys, [message_id])  # one statement: all or none
        report.sent += len(keys)

    async def _release(self, keys: Sequence[AlertKey]) -> None:
        for k in keys:
            await self.storage.release_alert(k, self.claimer_id)
