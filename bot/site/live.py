"""The research site kept up to date by the running bot (``SIGNALBOT_SITE_DIR``).

After a digest run has posted something, the pages of every fund the bot knows (each watchlist's
and alert's) are written for their latest session: in a background task, so no digest waits for
them, with the drawing and rendering in worker processes (:func:`bot.site.build.build_site`), and
every file written atomically. A run that ends while pages are being written asks for one more
pass after this one (never two at once). Cards link to their page (``Card.site_url``) when it is
on disk, digests and alerts always (their pages are written right after them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.digest.render import default_processes
from formatting.card import Card
from formatting.languages import LANGS, Lang
from formatting.pagelinks import card_path

if TYPE_CHECKING:  # the pages' modules (Jinja2, Pillow) load with the first pass, not at start
    from bot.digest.claims import RunReport
    from bot.digest.scheduler import DigestScheduler
    from bot.settings import Settings
    from bot.site.build import SiteReport
    from bot.site.pages import SignalJson
    from bot.storage import Storage
    from signals.service import PriceService

log = logging.getLogger(__name__)


class SiteUpdater:
    """Writes the site's pages after digest runs, one pass at a time, off the posting path."""

    def __init__(
        self,
        storage: Storage,
        prices: PriceService,
        folder: Path,
        *,
        base: str,
        signal_json: SignalJson,
        langs: tuple[Lang, ...] = LANGS,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        processes: int | None = None,
    ) -> None:
        self.storage = storage
        self.prices = prices
        self.folder = folder
        self.base = base
        self.signal_json = signal_json
        self.langs = langs
        self.clock = clock
        self.processes = default_processes() if processes is None else processes
        self.passes = 0  # passes finished (observability, tests)
        self.last: SiteReport | None = None
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def after_report(self, report: RunReport) -> None:
        """The digest runner's report hook: a run that posted something brings new pages."""
        if report.sent or report.recovered:
            self.request()

    def request(self) -> None:
        """Write the pages soon (once more after the pass under way, if one is)."""
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.create_task(self._passes(), name="research-site")

    async def _passes(self) -> None:
        while True:
            self._again = False
            began = time.perf_counter()
            try:
                self.last = await self.write_once()
                log.info(
                    "research pages written pages=%d cards=%d failed=%d in %.1f s",
                    self.last.pages,
                    self.last.cards,
                    len(self.last.errors),
                    time.perf_counter() - began,
                )
            except asyncio.CancelledError:
                raise
            except Exception:  # the site is a by-product: the bot and its digests go on
                log.exception("research pages could not be written; the next digest retries")
            self.passes += 1
            if not self._again:
                return

    async def write_once(self) -> SiteReport:
        """One pass: every known fund's pages for its latest session."""
        from bot.site.build import build_site, known_tickers

        tickers = await known_tickers(self.storage)
        return await build_site(
            self.prices,
            tickers,
            self.folder,
            now=self.clock(),
            since=None,
            langs=self.langs,
            base=self.base,
            signal_json=self.signal_json,
            processes=self.processes,
        )

    async def idle(self) -> None:
        """Wait for the passes under way (tests; a stop that lets them finish)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def aclose(self) -> None:
        """Stop: a pass under way is cancelled (every file it wrote is whole)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task


def site_for(settings: Settings) -> Callable[[Card], str | None] | None:
    """What a command's card links to: the public URL when its page exists in the site folder
    (any page when the site is published from elsewhere); None when no public URL is set."""
    base, folder = settings.site.public_url, settings.site.site_dir
    if base is None:
        return None

    def link(card: Card) -> str | None:
        if folder is None:
            return base
        page = folder / card_path(card.ticker, card.signal.as_of, "en")
        return base if page.is_dir() else None

    return link


def start_site_updates(
    settings: Settings,
    storage: Storage,
    prices: PriceService,
    digests: DigestScheduler | None,
    signal_json: SignalJson,
) -> SiteUpdater | None:
    """For ``run_bot``: digests link to the site, and with ``SIGNALBOT_SITE_DIR`` set the pages
    are written after each digest run that posted. None when nothing is written."""
    base, folder = settings.site.public_url, settings.site.site_dir
    if digests is None:
        return None
    digests.runner.site_url = base
    if folder is None:
        return None
    updater = SiteUpdater(
        storage,
        digests.runner.prices,
        folder,
        base=base or folder.resolve().as_uri(),
        signal_json=signal_json,
    )
    earlier = digests.runner.on_report

    def hook(report: RunReport) -> None:
        if earlier is not None:
            earlier(report)
        updater.after_report(report)

    digests.runner.on_report = hook
    log.info("research pages are written after each digest into %s", folder)
    return updater
