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
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import cast

from bot.adapters.base import ChannelGone, Poster, PostFailed, PostingPaused
from bot.digest.claims import DIGEST_MAX_ATTEMPTS, RunReport, Target, open_targets
from bot.digest.payloads import build_messages
from bot.digest.ratelimit import DEFAULT_RATES, RateSpacer
from bot.digest.render import HeatmapRenderer, new_renderer
from bot.storage import Storage, Subscription, new_claimer_id
from commands.digest import digest_from_results, previous_regimes, results_source
from formatting.card import LANGUAGES, Language
from formatting.colours import COLOUR_SCHEMES, ColourScheme
from formatting.digest import Digest, heatmap_specs
from signals.errors import SourceUnavailable
from signals.momentum import Signal
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
        self.claimer_id = claimer_id or new_claimer_id()
        self.heatmaps = heatmaps
        self.render_processes = render_processes
        chosen = DEFAULT_RATES if rates is None else rates
        self.spacers = {platform: RateSpacer(rate) for platform, rate in chosen.items()}
        self.rendered = 0  # heatmap images drawn (observability, benchmarks)
        self.on_report: Callable[[RunReport], None] | None = None  # metrics hook (bot.ops)
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
        try:
            for session, group in sorted(by_session.items()):
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

    async def _colours(
        self, targets: Sequence[Target]
    ) -> dict[tuple[str, str], ColourScheme | None]:
        """Each server's colour convention (None: the language's default, or lookup failed)."""
        out: dict[tuple[str, str], ColourScheme | None] = {}
        for target in targets:
            key = (target.subscription.platform, target.subscription.server_id)
            if key in out:
                continue
            try:
                stored = await self.storage.get_colors(*key)
            except Exception:
                log.exception("digest colours lookup failed platform=%s server=%s", *key)
                stored = None
            out[key] = next((s for s in COLOUR_SCHEMES if s == stored), None)
        return out

    async def _run_session(self, session: date, targets: Sequence[Target], run: _Run) -> None:
        pending = await open_targets(
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
        colours = await self._colours(pending)
        union = list(dict.fromkeys(t for tickers in watchlists.values() for t in tickers))
        results = await self.prices.signals(union, session=session)  # one batched fetch
        signals = [r for r in results.values() if isinstance(r, Signal)]
        await self.storage.record_signals(signals)
        previous = await previous_regimes(self.storage, signals)
        digests: dict[tuple[str, ...], tuple[Digest, bool]] = {}
        for tickers in dict.fromkeys(watchlists.values()):
            digest = digest_from_results(
                session,
                tickers,
                results,
                previous,
                source=results_source(results, self.prices.source.source_id),
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
            language, colors = languages[sub.id], colours[(sub.platform, sub.server_id)]
            if run.renderer is not None and sub.platform in ("discord", "slack"):
                run.renderer.prefetch(heatmap_specs(digest, language, colors=colors))
            jobs.append(
                self._deliver(target, digest, language, semaphores[sub.platform], run, colors)
            )
        for outcome in await asyncio.gather(*jobs, return_exceptions=True):
            if isinstance(outcome, Exception):
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
        colors: ColourScheme | None = None,
    ) -> None:
        sub, session, report = target.subscription, target.session, run.report
        async with semaphore:
            if await self._paused_this_session(sub, session):
                report.skipped += 1
                return
            if not run.active() or not await self.storage.claim_delivery(
                sub.id, session, self.claimer_id, max_attempts=DIGEST_MAX_ATTEMPTS
            ):
                report.skipped += 1
                return
            try:
                async with asyncio.timeout(self.post_timeout):
                    ids = await self._post(sub, digest, language, run.renderer, colors)
            except ChannelGone as exc:
                reason = f"channel gone: {exc.reason}"
                await self.storage.disable_subscription(
                    sub.platform, sub.server_id, sub.channel_id, reason
                )
                await self.storage.mark_failed(sub.id, session, self.claimer_id, reason)
                log.warning(
                    "digest subscription disabled platform=%s server=%s channel=%s "
                    "subscription=%d reason=%s",
                    sub.platform,
                    sub.server_id,
                    sub.channel_id,
                    sub.id,
                    exc.reason,
                )
                report.gone += 1
                return
            except PostingPaused as exc:  # an admin can fix it: keep it, retry next session
                await self._pause(sub, session, exc)
                report.failed += 1
                return
            except Exception as exc:  # PostFailed, a timeout, or a bug: this channel only
                if not isinstance(exc, PostFailed | TimeoutError):
                    log.exception("digest post crashed subscription=%d", sub.id)
                await self.storage.mark_failed(sub.id, session, self.claimer_id, repr(exc))
                log.warning(
                    "digest failed platform=%s channel=%s subscription=%d session=%s error=%r",
                    sub.platform,
                    sub.channel_id,
                    sub.id,
                    session,
                    exc,
                )
                report.failed += 1
                return
            await self.storage.mark_sent(sub.id, session, ids)
            if sub.paused_reason is not None and await self.storage.resume_subscription(sub.id):
                log.info("digest subscription resumed subscription=%d", sub.id)
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

    async def _paused_this_session(self, sub: Subscription, session: date) -> bool:
        """Issue 12: a paused subscription is retried at the next session, not every backoff
        (each refused post counts against Discord's invalid-request limit); an admin's
        /digest schedule clears the pause at once."""
        if sub.paused_reason is None:
            return False
        row = await self.storage.get_delivery(sub.id, session)
        return row is not None and row.state == "failed" and PAUSED_PREFIX in (row.error or "")

    async def _pause(self, sub: Subscription, session: date, exc: PostingPaused) -> None:
        """Issue 12: a permission problem pauses the subscription (never disables it)."""
        error = f"{PAUSED_PREFIX}{exc.reason}"
        await self.storage.mark_failed(sub.id, session, self.claimer_id, error)
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

    async def _post(
        self,
        sub: Subscription,
        digest: Digest,
        language: Language,
        renderer: HeatmapRenderer | None,
        colors: ColourScheme | None = None,
    ) -> list[str]:
        poster = self.posters[sub.platform]
        messages = await build_messages(
            sub.platform,
            digest,
            language,
            subscription_id=sub.id,
            heatmaps=renderer,
            colors=colors,
        )
        spacer = self.spacers.get(sub.platform)
        ids = []
        for message in messages:
            if spacer is not None:
                await spacer.wait()
            ids.append(
                await poster.send_message(
                    sub.channel_id, message.payload, message.files, server_id=sub.server_id
                )
            )
        return ids
