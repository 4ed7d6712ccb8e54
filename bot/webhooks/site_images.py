"""The research site's pictures by public URL, for the webhook kinds that show images only so.

Slack incoming webhooks take no files and DingTalk robots no uploads: a chart reaches them only
as a URL the platform fetches, and neither shows SVG. The research site (issue 25) writes a
1200×630 PNG beside every card page (``IWM/2026-06-08/zh-hant/preview.png``, the page's
``og:image``) and the heatmap beside every day page (``markets/xnys/2026-06-08/en/heatmap.png``);
those are the pictures linked here, under the base URL the card or digest carries
(``Card.site_url`` / ``Digest.site_url``: ``SIGNALBOT_PUBLIC_URL``, set by the runners).

A picture is linked only when it is there: with ``SIGNALBOT_SITE_DIR`` set, the file must exist
in that folder (the bot writes a session's pages after its digests, so a digest's own day page may
not be written yet when the digest goes). Slack refuses a whole message whose image it cannot
download (``invalid_blocks``, "downloading image failed",
https://github.com/slackapi/python-slack-sdk/issues/1782), so a kind that cannot risk that asks
with ``unchecked=False`` and gets no picture when the site is published from elsewhere (no
folder to look in); DingTalk shows a broken image and keeps the message, so it trusts the URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from formatting.card import Language, languages
from formatting.pagelinks import absolute, day_image_path, main_market, preview_path

if TYPE_CHECKING:
    from formatting.card import Card
    from formatting.digest import Digest


class SiteImages:
    """Where the research site's folder is (``SIGNALBOT_SITE_DIR``, read when not given)."""

    def __init__(self, folder: Path | None = None, *, read_settings: bool = True) -> None:
        if folder is None and read_settings:
            from bot.settings.site import SiteSettings

            folder = SiteSettings().site_dir
        self.folder = folder

    def _url(self, base: str | None, path: str, *, unchecked: bool) -> str | None:
        if base is None:
            return None
        if self.folder is None:
            return absolute(base, path) if unchecked else None
        return absolute(base, path) if (self.folder / path).is_file() else None

    def card(
        self, card: Card, language: Language, *, base: str | None = None, unchecked: bool
    ) -> str | None:
        """The card page's preview PNG in the first language shown (``base``: the site's URL
        when the card carries none), or None."""
        lang = languages(language)[0]
        path = preview_path(card.ticker, card.signal.as_of, lang)
        return self._url(card.site_url or base, path, unchecked=unchecked)

    def day(self, digest: Digest, language: Language, *, unchecked: bool) -> str | None:
        """The digest's day page heatmap in the first language shown, or None."""
        market = main_market(row.signal.exchange for row in digest.rows)
        if market is None:
            return None
        path = day_image_path(market, digest.session, languages(language)[0])
        return self._url(digest.site_url, path, unchecked=unchecked)
