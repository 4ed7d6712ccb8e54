"""Catalog text in English, Simplified and Traditional Chinese, and an asset class's texts."""

from __future__ import annotations

from dataclasses import dataclass

from signals.hongkong import to_hong_kong
from signals.traditional import TRADITIONAL


@dataclass(frozen=True)
class Bilingual:
    """One piece of text in English and Simplified Chinese; the Traditional text is ``hant``
    when given (written as Taiwan and Hong Kong desks write it), else the table's."""

    en: str
    zh: str
    hant: str = ""

    @property
    def zh_hant(self) -> str:
        """The Traditional Chinese text (``hant``, or :data:`signals.traditional.TRADITIONAL`)."""
        return self.hant or TRADITIONAL[self.zh]

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``en``, ``zh``, ``zh-hant``, or ``zh-hk``: the Traditional
        text in Hong Kong's terms, :func:`signals.hongkong.to_hong_kong`)."""
        if lang == "zh":
            return self.zh
        if lang == "zh-hk":
            return to_hong_kong(self.zh_hant)
        return self.zh_hant if lang == "zh-hant" else self.en


@dataclass(frozen=True)
class AssetClassInfo:
    """Display name, market context and what to watch next for an asset class."""

    name: Bilingual
    context: Bilingual
    watch: Bilingual
