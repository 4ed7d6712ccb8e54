"""The site's stable paths and absolute URLs: ``/IWM/2026-06-08/zh-hant/`` (spelled in
:mod:`formatting.pagelinks`, which the chat renderers link with).

Every page is a folder with an ``index.html``; a path here is relative to the site's root, with
no leading slash and a trailing one (``IWM/2026-06-08/en/``); the index of one language is
``en/``, the root ``""``.
"""

from __future__ import annotations

from formatting.languages import LANGS, Lang
from formatting.pagelinks import SLUG, absolute, card_path, day_path, fund_path, index_path

#: The BCP 47 tag of each catalog language, for ``<html lang>`` and ``hreflang``.
HTML_LANG: dict[Lang, str] = {"en": "en", "zh": "zh-Hans", "zh-hant": "zh-Hant", "zh-hk": "zh-HK"}
#: OpenGraph locales (``og:locale``).
OG_LOCALE: dict[Lang, str] = {"en": "en_US", "zh": "zh_CN", "zh-hant": "zh_TW", "zh-hk": "zh_HK"}

__all__ = [
    "HTML_LANG",
    "LANGS",
    "OG_LOCALE",
    "SLUG",
    "absolute",
    "card_path",
    "day_path",
    "fund_path",
    "index_path",
    "relative",
]


def relative(from_path: str, to_path: str) -> str:
    """A relative link from the page at ``from_path`` to ``to_path`` (both folder paths), so the
    site works from any prefix and from ``file://``."""
    depth = from_path.count("/")
    return "../" * depth + to_path
