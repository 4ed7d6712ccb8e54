"""One digest run: due subscriptions in, one batched fetch, history recorded, claim -> post -> mark.

Exactly once rests on the delivery ledger (``bot.storage.ledger``): each digest part is claimed
before it is posted and marked sent after, so a ``sent`` part is never posted again and runners
have one winner per (subscription, session, part). Claims hold a lease the run's heartbeat renews
(:mod:`bot.delivery.lease`); a dead holder's claim is taken over when its lease ends. A retried
part asks the platform first (:mod:`bot.delivery.reconcile`). A stopping run claims nothing new.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from bot.adapters.base import ChannelGone, PostFailed, PostingPaused
from bot.delivery.channels import channel_for
from bot.delivery.lease import Holding, renewing
from bot.delivery.poster import Outgoing, Poster
from bot.delivery.ratelimit import spacer_for
from bot.delivery.reconcile import find_earlier_post
from bot.delivery.retry import RETRY
from bot.digest.claims import (
    Outcome,
    PartResult,
    RunReport,
    Target,
    by_session,
    count_outcome,
    log_report,
    open_targets,
)
from bot.digest.digests import image_specs, plan_digests
from bot.digest.payloads import build_messages
from bot.digest.render import HeatmapRenderer, SpecKey, new_renderer
from bot.storage import LEASE, Delivery, DeliveryKey, Storage, Subscription, new_instance_id
from bot.storage.ledger import Claim
from formatting.card import Language
from formatting.colours import ColourScheme
from formatting.digest import Digest
from signals.service import PriceService

log = logging.getLogger(__name__)
#: Start of a delivery's error when the post was refused for a fixable reason (issue 12).
PAUSED_PREFIX = "paused: "


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
    platform's posts (requests per second; None: each channel's declared rate); a delivery taking
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
        self.spacers = {p: s for p in self.posters if (s := spacer_for(p, rates)) is not None}
        self.rendered = 0  # heatmap images drawn (observability, benchmarks)
        self.images: dict[SpecKey, bytes] = {}  # pictures of the session, drawn once each
        self._images_session: date | None = None
        self.on_report: Callable[[RunReport], None] | None = None  # metrics, research site
        self.site_url: str | None = None  # research site: each digest links its day page
        self._warned: set[str] = set()
        self.holding = Holding()  # the claims being worked on (the heartbeat renews these)

    async def run(
        self, targets: Sequence[Target], *, active: Callable[[], bool] = lambda: True
    ) -> RunReport:
        """Deliver every target not yet delivered; ``active`` False stops claiming new ones."""
        began, calls = time.perf_counter(), self.prices.upstream_calls
        renderer = None
        if self.heatmaps and targets:
            renderer = new_renderer(self.render_processes, images=self.images)
        run = _Run(RunReport(), active, renderer)
        sessions = by_session(targets)
        try:
            async with renewing(self.storage, self.claimer_id, self.lease, self.holding):
                for session, group in sessions.items():
                    run.report.sessions.append(session)
                    await self._run_session(session, group, run)
        finally:
            if renderer is not None:
                await renderer.close()
                self.rendered += renderer.rendered
        report = run.report
        report.upstream_calls = self.prices.upstream_calls - calls
        if self.on_report is not None:
            self.on_report(report)
        for platform in sorted(report.no_poster - self._warned):
            log.warning("digest has no poster for platform=%s; its subscriptions wait", platform)
            self._warned.add(platform)
        log_report(report, len(targets), time.perf_counter() - began)
        return report

    async def prerender(self, targets: Sequence[Target]) -> int:
        """Draw the heatmaps of ``targets`` ahead of their due time; how many were drawn.

        Only digests whose data is complete are drawn (an incomplete one would change when the
        bars come in). The pictures stay in :attr:`images` for the runs of that session.
        """
        if not self.heatmaps or not targets:
            return 0
        drawn = 0
        renderer = new_renderer(self.render_processes, images=self.images)
        try:
            for session, group in by_session(targets).items():
                self._keep_images_of(session)
                planned = await plan_digests(
                    self.storage,
                    self.prices,
                    session,
                    group,
                    default_language=self.default_language,
                    record=False,
                )
                await renderer.render_all(image_specs([p for p in planned if not p.incomplete]))
        finally:
            await renderer.close()
            drawn = renderer.rendered
            self.rendered += drawn
        if drawn:
            log.info("digest heatmaps drawn ahead=%d", drawn)
        return drawn

    def _keep_images_of(self, session: date) -> None:
        """Pictures are kept for one session at a time (a few MB per hundred watchlists)."""
        if self._images_session != session:
            self.images.clear()
            self._images_session = session

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
        planned = await plan_digests(
            self.storage,
            self.prices,
            session,
            pending,
            default_language=self.default_language,
            record=True,
        )
        ready = []
        for item in planned:
            if (item.incomplete and not item.target.allow_stale) or not item.digest.rows:
                # nothing to show (source down): wait, never spend the session on an empty post
                run.report.deferred += 1
                continue
            ready.append(item)
        if run.renderer is not None and ready:
            # every picture first (each distinct one once), so no post waits for a drawing
            self._keep_images_of(session)
            began = time.perf_counter()
            await run.renderer.render_all(image_specs(ready))
            log.info(
                "digest heatmaps ready session=%s drawn=%d in %.0f ms",
                session,
                run.renderer.rendered,
                (time.perf_counter() - began) * 1000,
            )
        semaphores = {
            p: asyncio.Semaphore(channel_for(p).capabilities.concurrency or self.concurrency)
            for p in self.posters
        }
        jobs = [
            self._deliver(
                item.target,
                item.digest,
                item.language,
                semaphores[item.target.subscription.platform],
                run,
                item.colors,
            )
            for item in ready
        ]
        for outcome in await asyncio.gather(*jobs, return_exceptions=True):
            if isinstance(outcome, BaseException) and not isinstance(outcome, Outcome):
                if isinstance(outcome, asyncio.CancelledError):
                    raise outcome
                # a database error, most often: a claim it left is retried once its lease ends
                run.report.crashed += 1
                log.error("digest delivery crashed: %r", outcome, exc_info=outcome)
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
        colors: ColourScheme | None = None,
    ) -> Outcome:
        """Each part of one subscription's digest: claim, (recover or) post, mark."""
        sub, session, report = target.subscription, target.session, run.report
        async with semaphore:
            if not run.active():
                report.stopped += 1
                return Outcome.STOPPED
            if await self._paused_this_session(sub, session):
                report.skipped += 1
                return Outcome.SKIPPED
            if self.site_url is not None:
                digest = replace(digest, site_url=self.site_url)
            messages = await build_messages(
                sub.platform,
                digest,
                language,
                subscription_id=sub.id,
                heatmaps=run.renderer,
                colors=colors,
                server_id=sub.server_id,
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
            resumed = outcome is Outcome.SENT and sub.paused_reason is not None
            if resumed and await self.storage.resume_subscription(sub.id):  # posting works again
                log.info("digest subscription resumed subscription=%d", sub.id)
        count_outcome(report, sub, session, outcome, ids)
        return outcome

    async def _deliver_part(
        self, sub: Subscription, key: DeliveryKey, parts: int, message: Outgoing, run: _Run
    ) -> PartResult:
        if not run.active():
            return PartResult(Outcome.STOPPED)
        claim = await self.storage.claim(
            key, self.claimer_id, parts=parts, lease=self.lease, max_attempts=RETRY.max_attempts
        )
        if claim is None:
            return PartResult(Outcome.SKIPPED)
        with self.holding.hold(key):
            return await self._post_part(sub, key, message, run, claim)

    async def _post_part(
        self,
        sub: Subscription,
        key: DeliveryKey,
        message: Outgoing,
        run: _Run,
        claim: Claim[DeliveryKey],
    ) -> PartResult:
        """(Recover or) post one claimed part, then mark it (the claim is held meanwhile)."""
        posting = False
        try:
            if claim.retry:
                found = await find_earlier_post(self.posters[sub.platform], sub, claim)
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
        except PostingPaused as exc:  # an admin can fix it: keep it, retry next session
            await self._pause(sub, key, exc)
            return PartResult(Outcome.PAUSED)
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

    async def _paused_this_session(self, sub: Subscription, session: date) -> bool:
        """A paused subscription is retried at the next session, not every backoff (each
        refused post counts against Discord's invalid-request limit); an admin's
        /digest schedule clears the pause at once."""
        if sub.paused_reason is None:
            return False
        row = await self.storage.get_delivery(sub.id, session)
        return row is not None and row.state == "failed" and PAUSED_PREFIX in (row.error or "")

    async def _pause(self, sub: Subscription, key: DeliveryKey, exc: PostingPaused) -> None:
        """A permission problem pauses the subscription (never disables it)."""
        await self._failed(key, f"{PAUSED_PREFIX}{exc.reason}")
        if await self.storage.pause_subscription(sub.id, exc.reason):
            log.warning(
                "digest subscription paused platform=%s server=%s channel=%s subscription=%d "
                "reason=%s",
                sub.platform,
                sub.server_id,
                sub.channel_id,
                sub.id,
                exc.reason,
            )

    async def _failed(self, key: DeliveryKey, reason: str) -> None:
        await self.storage.mark_failed(
            key.subscription_id, key.session, self.claimer_id, reason, part=key.part
        )
