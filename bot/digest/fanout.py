"""One digest run: due subscriptions in, one batched fetch, history recorded, claim -> post -> mark.

Exactly once rests on the delivery ledger (``bot.storage.ledger``): a delivery is claimed before
anything is posted and marked sent after, so a row that is ``sent`` is never posted again and
concurrent runners (tasks or processes) have one winner per (subscription, session). A claim
left behind by a process that died (same host, pid gone) is released at once; one from another
host is taken over when it is older than the ledger's claim timeout. The window between "posted"
and "marked sent" is closed by the platform idempotency keys of :mod:`bot.digest.payloads`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import cast

from bot.adapters.base import ChannelGone, Poster, PostFailed, Recoverable
from bot.digest.claims import (
    DIGEST_MAX_ATTEMPTS,
    Outcome,
    PartResult,
    RunReport,
    Target,
    open_targets,
)
from bot.digest.payloads import Outgoing, build_messages, nonce
from bot.digest.ratelimit import DEFAULT_RATES, RateSpacer
from bot.digest.render import HeatmapRenderer, new_renderer
from bot.storage import LEASE, Claim, Delivery, DeliveryKey, Storage, Subscription, new_instance_id
from commands.digest import digest_from_results, previous_regimes
from formatting.card import LANGUAGES, Language
from formatting.digest import Digest, heatmap_specs
from signals.errors import SourceUnavailable
from signals.momentum import Signal
from signals.service import PriceService

log = logging.getLogger(__name__)


@dataclass
class _Run:
    """State of one run shared by its deliveries."""

    report: RunReport
    active: Callable[[], bool]
    renderer: HeatmapRenderer | None
    ledger: dict[int, dict[int, Delivery]] = field(default_factory=dict)


class DigestRunner:
    """Runs digests for given targets; posters by platform (``discord``, ``slack``, ...).

    ``concurrency`` deliveries per platform are in flight at once; ``rates`` paces each
    platform's posts (requests per second, see :mod:`bot.digest.ratelimit`); a delivery taking
    longer than ``post_timeout`` seconds fails (and is retried by a later run).
    """

    def __init__(
        self,
        storage: Storage,
        prices: PriceService,
        posters: Mapping[str, Poster],
        *,
        default_language: Language = "both",
        concurrency: int = 16,
        post_timeout: float = 120.0,
        retry_backoff: timedelta = timedelta(minutes=2),
        claimer_id: str | None = None,
        lease: timedelta = LEASE,
        heatmaps: bool = True,
        render_processes: int | None = None,
        rates: Mapping[str, float] | None = None,
    ) -> None:
        self.storage = storage
        self.prices = prices
        self.posters = dict(posters)
        self.default_language = default_language
        self.concurrency = concurrency
        self.post_timeout = post_timeout
        self.retry_backoff = retry_backoff
        self.claimer_id = claimer_id or new_instance_id()  # this process's instance id
        self.lease = max(lease, timedelta(seconds=1))
        self.heatmaps = heatmaps
        self.render_processes = render_processes
        chosen = DEFAULT_RATES if rates is None else rates
        self.spacers = {platform: RateSpacer(rate) for platform, rate in chosen.items()}
        self.rendered = 0  # heatmap images drawn (observability, benchmarks)
        self._warned: set[str] = set()

    async def run(
        self, targets: Sequence[Target], *, active: Callable[[], bool] = lambda: True
    ) -> RunReport:
        """Deliver every target not yet delivered; ``active`` False stops claiming new ones."""
        began, calls = time.perf_counter(), self.prices.upstream_calls
        renderer = new_renderer(self.render_processes) if self.heatmaps and targets else None
        run = _Run(RunReport(), active, renderer)
        by_session: dict[date, list[Target]] = {}
        for target in targets:
            by_session.setdefault(target.session, []).append(target)
        heartbeat = asyncio.create_task(self._heartbeat(), name="digest-heartbeat")
        try:
            for session, group in sorted(by_session.items()):
                run.report.sessions.append(session)
                await self._run_session(session, group, run)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            if renderer is not None:
                await renderer.close()
                self.rendered += renderer.rendered
        report = run.report
        report.upstream_calls = self.prices.upstream_calls - calls
        for platform in sorted(report.no_poster - self._warned):
            log.warning("digest has no poster for platform=%s; its subscriptions wait", platform)
            self._warned.add(platform)
        log.log(
            logging.INFO if report.eventful else logging.DEBUG,
            "digest run sessions=%s targets=%d sent=%d failed=%d gone=%d skipped=%d "
            "deferred=%d messages=%d upstream_calls=%d duration_ms=%.0f",
            ",".join(str(s) for s in report.sessions),
            len(targets),
            report.sent,
            report.failed,
            report.gone,
            report.skipped,
            report.deferred,
            report.messages,
            report.upstream_calls,
            (time.perf_counter() - began) * 1000,
        )
        return report

    async def _heartbeat(self) -> None:
        """Renew this instance's claims every third of the lease while the run lasts."""
        every = max(self.lease.total_seconds() / 3, 0.05)
        while True:
            await asyncio.sleep(every)
            try:
                await self.storage.renew_claims(self.claimer_id, self.lease)
            except Exception as exc:  # the database blinked: the next beat tries again
                log.warning("digest claim heartbeat failed: %s", exc)

    async def _languages(self, targets: Sequence[Target]) -> dict[int, Language]:
        servers: dict[tuple[str, str], Language] = {}
        out: dict[int, Language] = {}
        for target in targets:
            sub = target.subscription
            key = (sub.platform, sub.server_id)
            if sub.language is not None:
                out[sub.id] = sub.language
                continue
            if key not in servers:
                stored = await self.storage.get_language(*key, self.default_language)
                known = stored in LANGUAGES
                servers[key] = cast(Language, stored) if known else self.default_language
            out[sub.id] = servers[key]
        return out

    async def _run_session(self, session: date, targets: Sequence[Target], run: _Run) -> None:
        pending, run.ledger = await open_targets(
            self.storage,
            session,
            targets,
            claimer_id=self.claimer_id,
            posters=self.posters.keys(),
            retry_backoff=self.retry_backoff,
            report=run.report,
        )
        if not pending:
            return
        pending = sorted(pending, key=lambda t: (t.subscription.platform, t.subscription.server_id))
        watchlists: dict[tuple[str, str], tuple[str, ...]] = {}
        for target in pending:
            key = (target.subscription.platform, target.subscription.server_id)
            if key not in watchlists:
                watchlists[key] = tuple(await self.storage.get_watchlist(*key))
        languages = await self._languages(pending)
        union = list(dict.fromkeys(t for tickers in watchlists.values() for t in tickers))
        results = await self.prices.signals(union, session=session)  # one batched fetch
        signals = [r for r in results.values() if isinstance(r, Signal)]
        await self.storage.record_signals(signals)
        previous = await previous_regimes(self.storage, signals)
        digests: dict[tuple[str, ...], tuple[Digest, bool]] = {}
        for tickers in dict.fromkeys(watchlists.values()):
            digest = digest_from_results(
                session, tickers, results, previous, source=self.prices.source.name
            )
            transient = any(isinstance(results[t], SourceUnavailable) for t in tickers)
            digests[tickers] = (digest, digest.stale or transient)
        semaphores = {p: asyncio.Semaphore(self.concurrency) for p in self.posters}
        jobs = []
        for target in pending:
            sub = target.subscription
            digest, incomplete = digests[watchlists[(sub.platform, sub.server_id)]]
            if (incomplete and not target.allow_stale) or not digest.rows:
                # nothing to show (source down): wait, never spend the session on an empty post
                run.report.deferred += 1
                continue
            language = languages[sub.id]
            if run.renderer is not None and sub.platform in ("discord", "slack"):
                run.renderer.prefetch(heatmap_specs(digest, language))
            jobs.append(self._deliver(target, digest, language, semaphores[sub.platform], run))
        for outcome in await asyncio.gather(*jobs, return_exceptions=True):
            if isinstance(outcome, BaseException) and not isinstance(outcome, Outcome):
                if isinstance(outcome, asyncio.CancelledError):
                    raise outcome
                log.error("digest delivery crashed", exc_info=outcome)
        if run.report.deferred:
            log.info(
                "digest deferred session=%s subscriptions=%d: data not complete yet",
                session,
                run.report.deferred,
            )

    async def _deliver(
        self,
        target: Target,
        digest: Digest,
        language: Language,
        semaphore: asyncio.Semaphore,
        run: _Run,
    ) -> Outcome:
        """Each part of one subscription's digest: claim, (recover or) post, mark."""
        sub, session, report = target.subscription, target.session, run.report
        async with semaphore:
            if not run.active():
                report.stopped += 1
                return Outcome.STOPPED
            messages = await build_messages(
                sub.platform, digest, language, subscription_id=sub.id, heatmaps=run.renderer
            )
            rows = run.ledger.get(sub.id, {})
            ids: list[str] = []
            outcome = Outcome.SKIPPED
            for part, message in enumerate(messages, start=1):
                row = rows.get(part)
                if row is not None and row.state == "sent":
                    continue
                key = DeliveryKey(sub.id, session, part)
                result = await self._deliver_part(sub, key, len(messages), message, run)
                if result.message_id is not None:
                    ids.append(result.message_id)
                if result.outcome not in (Outcome.SENT, Outcome.RECOVERED):
                    outcome = result.outcome  # the digest is not complete
                    break  # parts go out in order: the rest waits for the next run
                outcome = Outcome.SENT
        self._count(sub, session, outcome, report, ids)
        return outcome

    def _count(
        self, sub: Subscription, session: date, outcome: Outcome, report: RunReport, ids: list[str]
    ) -> None:
        if outcome is Outcome.SENT:
            report.sent += 1
            report.messages += len(ids)
            log.info(
                "digest sent platform=%s channel=%s subscription=%d session=%s messages=%d",
                sub.platform,
                sub.channel_id,
                sub.id,
                session,
                len(ids),
            )
        elif outcome is Outcome.FAILED:
            report.failed += 1
        elif outcome is Outcome.GONE:
            report.gone += 1
        elif outcome is Outcome.STOPPED:
            report.stopped += 1
        else:
            report.skipped += 1

    async def _deliver_part(
        self, sub: Subscription, key: DeliveryKey, parts: int, message: Outgoing, run: _Run
    ) -> PartResult:
        if not run.active():
            return PartResult(Outcome.STOPPED)
        claim = await self.storage.claim(
            key, self.claimer_id, parts=parts, lease=self.lease, max_attempts=DIGEST_MAX_ATTEMPTS
        )
        if claim is None:
            return PartResult(Outcome.SKIPPED)
        posting = False
        try:
            if claim.retry:
                found = await self._recover(sub, claim)
                if found is not None:
                    await self.storage.mark_sent(
                        key.subscription_id, key.session, [found], part=key.part
                    )
                    run.report.recovered += 1
                    return PartResult(Outcome.RECOVERED, found)
            spacer = self.spacers.get(sub.platform)
            if spacer is not None:
                await spacer.wait()
            if not run.active():  # stopping: give the claim back, nothing was posted
                await self.storage.release(key, self.claimer_id)
                return PartResult(Outcome.STOPPED)
            posting = True
            async with asyncio.timeout(self.post_timeout):
                message_id = await self.posters[sub.platform].send_message(
                    sub.channel_id, message.payload, message.files, server_id=sub.server_id
                )
        except ChannelGone as exc:
            reason = f"channel gone: {exc.reason}"
            await self.storage.disable_subscription(
                sub.platform, sub.server_id, sub.channel_id, reason
            )
            await self._failed(key, reason)
            log.warning(
                "digest subscription disabled platform=%s server=%s channel=%s "
                "subscription=%d reason=%s",
                sub.platform,
                sub.server_id,
                sub.channel_id,
                sub.id,
                exc.reason,
            )
            return PartResult(Outcome.GONE)
        except asyncio.CancelledError:
            if not posting:  # cancelled before the post started: nothing can have gone out
                with contextlib.suppress(Exception):
                    await asyncio.shield(self.storage.release(key, self.claimer_id))
            raise  # else the claim stays: its lease ends and the next holder reconciles
        except Exception as exc:  # PostFailed, a timeout, or a bug: this channel only
            if not isinstance(exc, PostFailed | TimeoutError):
                log.exception("digest post crashed subscription=%d", sub.id)
            await self._failed(key, repr(exc))
            log.warning(
                "digest failed platform=%s channel=%s subscription=%d session=%s part=%d error=%r",
                sub.platform,
                sub.channel_id,
                sub.id,
                key.session,
                key.part,
                exc,
            )
            return PartResult(Outcome.FAILED)
        await self.storage.mark_sent(key.subscription_id, key.session, [message_id], part=key.part)
        return PartResult(Outcome.SENT, message_id)

    async def _failed(self, key: DeliveryKey, reason: str) -> None:
        await self.storage.mark_failed(
            key.subscription_id, key.session, self.claimer_id, reason, part=key.part
        )

    async def _recover(self, sub: Subscription, claim: Claim) -> str | None:
        """Ask the platform whether an earlier attempt posted this part (None: post it)."""
        key = claim.key
        marker = nonce(key.subscription_id, key.session, key.part)
        poster = self.posters[sub.platform]
        find = getattr(poster, "find_posted", None)
        where = f"platform={sub.platform} channel={sub.channel_id} subscription={sub.id} "
        where += f"session={key.session} part={key.part}"
        if find is None:
            if sub.platform != "terminal":
                log.warning(
                    "digest retry cannot ask the platform %s; a duplicate is possible", where
                )
            return None
        try:
            found = await cast(Recoverable, poster).find_posted(
                sub.channel_id, marker, claim.since, server_id=sub.server_id
            )
        except Exception as exc:  # RecoveryUnavailable, or anything else: post once
            log.warning(
                "digest retry could not check the platform %s error=%s; posting once, "
                "a duplicate is possible",
                where,
                exc,
            )
            return None
        if found is not None:
            log.info("digest part found already posted %s message=%s; marked sent", where, found)
        return found
