"""The digests one session needs: watchlists, languages, one batched fetch, one digest each.

Shared by the fan-out (which then posts) and the heatmap pre-render (which draws the pictures
ahead of the due time); both see the same digests, so a picture drawn ahead is the one posted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.delivery.channels import channel_for
from bot.digest.claims import Target
from bot.storage import Storage
from formatting.card import LANGUAGES, Language
from formatting.colours import COLOUR_SCHEMES, ColourScheme
from formatting.digest import Digest, HeatmapSpec, heatmap_specs
from formatting.digest_build import digest_from_results, previous_regimes, results_source
from signals.errors import SourceUnavailable
from signals.momentum import Signal
from signals.service import PriceService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Planned:
    """One target's digest, language, colours, and whether its data is still incomplete."""

    target: Target
    digest: Digest
    language: Language
    incomplete: bool
    colors: ColourScheme | None = None  # the server's convention; None: the language's default


async def languages(
    storage: Storage, targets: Sequence[Target], default: Language
) -> dict[int, Language]:
    """Each target's language: its own, else its server's, else ``default``."""
    servers: dict[tuple[str, str], Language] = {}
    out: dict[int, Language] = {}
    for target in targets:
        sub = target.subscription
        key = (sub.platform, sub.server_id)
        if sub.language is not None:
            out[sub.id] = sub.language
            continue
        if key not in servers:
            stored = await storage.get_language(*key, default)
            servers[key] = stored if stored in LANGUAGES else default
        out[sub.id] = servers[key]
    return out


async def colours(
    storage: Storage, targets: Sequence[Target]
) -> dict[tuple[str, str], ColourScheme | None]:
    """Each server's colour convention (None: the language's default, or the lookup failed)."""
    out: dict[tuple[str, str], ColourScheme | None] = {}
    for target in targets:
        key = (target.subscription.platform, target.subscription.server_id)
        if key in out:
            continue
        try:
            stored = await storage.get_colors(*key)
        except Exception:
            log.exception("digest colours lookup failed platform=%s server=%s", *key)
            stored = None
        out[key] = next((s for s in COLOUR_SCHEMES if s == stored), None)
    return out


async def plan_digests(
    storage: Storage,
    prices: PriceService,
    session: date,
    targets: Sequence[Target],
    *,
    default_language: Language,
    record: bool,
) -> list[Planned]:
    """The digest of every target (one batched fetch); ``record`` stores the signal history."""
    watchlists: dict[tuple[str, str], tuple[str, ...]] = {}
    for target in targets:
        key = (target.subscription.platform, target.subscription.server_id)
        if key not in watchlists:
            watchlists[key] = tuple(await storage.get_watchlist(*key))
    chosen = await languages(storage, targets, default_language)
    schemes = await colours(storage, targets)
    markets: dict[str, list[tuple[str, ...]]] = {}  # market -> the watchlists that follow it
    for target in targets:
        sub = target.subscription
        lists = markets.setdefault(sub.market, [])
        if watchlists[(sub.platform, sub.server_id)] not in lists:
            lists.append(watchlists[(sub.platform, sub.server_id)])
    digests: dict[tuple[str, tuple[str, ...]], tuple[Digest, bool]] = {}
    for market, lists in markets.items():
        union = list(dict.fromkeys(t for tickers in lists for t in tickers))
        expected = await prices.sessions_of_digest(union, market, session)
        results = await prices.signals(union, session=expected)  # one batched fetch per market
        signals = [r for r in results.values() if isinstance(r, Signal)]
        if record:
            await storage.record_signals(signals)
        previous = await previous_regimes(storage, signals)
        for tickers in lists:
            digest = digest_from_results(
                session,
                tickers,
                results,
                previous,
                source=results_source(results, prices.source.source_id),
                expected=expected,
            )
            transient = any(isinstance(results[t], SourceUnavailable) for t in tickers)
            digests[(market, tickers)] = (digest, digest.stale or transient)
    planned = []
    for target in targets:
        sub = target.subscription
        watchlist = watchlists[(sub.platform, sub.server_id)]
        digest, incomplete = digests[(sub.market, watchlist)]
        scheme = schemes[(sub.platform, sub.server_id)]
        planned.append(Planned(target, digest, chosen[sub.id], incomplete, scheme))
    return planned


def image_specs(planned: Sequence[Planned]) -> list[HeatmapSpec]:
    """The distinct heatmaps of ``planned`` (channels that carry images, digests with rows)."""
    specs: dict[HeatmapSpec, HeatmapSpec] = {}
    for item in planned:
        sub = item.target.subscription
        carries = channel_for(sub.platform, sub.server_id).capabilities.carries_images
        if not carries or not item.digest.rows:
            continue
        for spec in heatmap_specs(item.digest, item.language, colors=item.colors):
            specs.setdefault(spec, spec)
    return list(specs.values())
