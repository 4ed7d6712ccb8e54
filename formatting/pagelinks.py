"""Where a research page is: the site's stable paths and the public URL of a card's or a day's page.

One place spells the site's URLs, so the pages (``bot.site``) and every chat renderer that links
to them agree: ``IWM/2026-06-08/zh-hant/`` for a fund's session, ``IWM/zh-hant/`` for the fund,
``markets/xnys/2026-06-08/en/`` for a market's day (the digest's table and heatmap), ``en/`` for
the index. A path is relative to the site's root, with no leading slash and a trailing one.

Channels link with :func:`page_url` (a card or an alert: the fund's page of that session) and
:func:`day_url` (a digest: its market's day page), in the reader's language; ``base`` is
``SIGNALBOT_PUBLIC_URL`` (a card carries it as ``Card.site_url`` when the site is on).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from urllib.parse import quote

from formatting.languages import Lang

#: The folder of each catalog language in a URL.
SLUG: dict[Lang, str] = {"en": "en", "zh": "zh-hans", "zh-hant": "zh-hant", "zh-hk": "zh-hk"}
#: The 1200×630 PNG beside each card page's ``index.html`` (its ``og:image``): the picture the
#: webhook kinds that show images only by URL (Slack incoming, DingTalk) link (they show no SVG).
PREVIEW_FILE = "preview.png"
#: The first heatmap PNG beside a day page's ``index.html`` (a digest's picture by URL).
DAY_IMAGE_FILE = "heatmap.png"


def _ticker(ticker: str) -> str:
    return quote(ticker, safe="")


def card_path(ticker: str, day: date, lang: Lang) -> str:
    """``IWM/2026-06-08/zh-hant/``: a fund's page of one session."""
    return f"{_ticker(ticker)}/{day.isoformat()}/{SLUG[lang]}/"


def fund_path(ticker: str, lang: Lang) -> str:
    """``IWM/zh-hant/``: the fund's page in one language."""
    return f"{_ticker(ticker)}/{SLUG[lang]}/"


def day_path(market: str, day: date, lang: Lang) -> str:
    """``markets/xnys/2026-06-08/en/``: a market's day page (``market``: its MIC)."""
    return f"markets/{quote(market.lower(), safe='')}/{day.isoformat()}/{SLUG[lang]}/"


def index_path(lang: Lang) -> str:
    """``zh-hant/``: the index in one language."""
    return f"{SLUG[lang]}/"


def preview_path(ticker: str, day: date, lang: Lang) -> str:
    """``IWM/2026-06-08/zh-hant/preview.png``: a card page's preview image."""
    return card_path(ticker, day, lang) + PREVIEW_FILE


def day_image_path(market: str, day: date, lang: Lang) -> str:
    """``markets/xnys/2026-06-08/en/heatmap.png``: a day page's (first) heatmap."""
    return day_path(market, day, lang) + DAY_IMAGE_FILE


def absolute(base: str, path: str) -> str:
    """``path`` under the public base URL (``https://example.org/research/`` + ``IWM/…``)."""
    return base.rstrip("/") + "/" + path


def page_url(base: str, ticker: str, session: date, lang: Lang) -> str:
    """The public URL of ``ticker``'s page for ``session`` in ``lang``."""
    return absolute(base, card_path(ticker, session, lang))


def day_url(base: str, market: str, session: date, lang: Lang) -> str:
    """The public URL of ``market``'s day page for ``session`` in ``lang``."""
    return absolute(base, day_path(market, session, lang))


def main_market(exchanges: Iterable[str]) -> str | None:
    """The market most of a digest's funds trade on (the first of equals), or None if none."""
    counts = Counter(exchanges)
    return max(counts, key=lambda mic: counts[mic]) if counts else None
