"""The site's stable paths and absolute URLs: ``/IWM/2026-06-08/zh-hant/``.

Every page is a folder with an ``index.html``; a path here is relative to the site's root, with
no leading slash and a trailing one (``IWM/2026-06-08/en/``); the index of one language is
``en/``, the root ``""``.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from formatting.languages import LANGS, Lang

#: The folder of each catalog language in a URL.
SLUG: dict[Lang, str] = {"en": "en", "zh": "zh-hans", "zh-hant": "zh-hant", "zh-hk": "zh-hk"}
#: The BCP 47 tag of each catalog language, for ``<html lang>`` and ``hreflang``.
HTML_LANG: dict[Lang, str] = {"en": "en", "zh": "zh-Hans", "zh-hant": "zh-Hant", "zh-hk": "zh-HK"}
#: OpenGraph locales (``og:locale``).
OG_LOCALE: dict[Lang, str] = {"en": "en_US", "zh": "zh_CN", "zh-hant": "zh_TW", "zh-hk": "zh_HK"}

__all__ = ["HTML_LANG", "LANGS", "OG_LOCALE", "SLUG", "absolute", "card_path", "fund_path"]


def _ticker(ticker: str) -> str:
    return quote(ticker, safe="")


def card_path(ticker: str, day: date, lang: Lang) -> str:
    """``IWM/2026-06-08/zh-hant/``."""
    return f"{_ticker(ticker)}/{day.isoformat()}/{SLUG[lang]}/"


def fund_path(ticker: str, lang: Lang) -> str:
    """``IWM/zh-hant/``: the fund's page in one language."""
    return f"{_ticker(ticker)}/{SLUG[lang]}/"


def index_path(lang: Lang) -> str:
    """``zh-hant/``: the index in one language."""
    return f"{SLUG[lang]}/"


def absolute(base: str, path: str) -> str:
    """``path`` under the public base URL (``https://example.org/research/`` + ``IWM/…``)."""
    return base.rstrip("/") + "/" + path


def relative(from_path: str, to_path: str) -> str:
    """A relative link from the page at ``from_path`` to ``to_path`` (both folder paths), so the
    site works from any prefix and from ``file://``."""
    depth = from_path.count("/")
    return "../" * depth + to_path
