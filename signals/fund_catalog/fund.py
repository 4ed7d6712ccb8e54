"""One fund of the catalog: ticker, names, what it tracks, asset class, currency."""

from __future__ import annotations

from dataclasses import dataclass

from signals.asset_classes import ASSET_CLASSES, AssetClass, AssetClassInfo
from signals.texts import Bilingual


@dataclass(frozen=True)
class Fund:
    """One ETF of the catalog.

    ``name`` is the manager's English name (used in every language when the manager has no
    Chinese one, as US issuers do); ``names`` the manager's own names in English, Simplified and
    Traditional Chinese where it has them (Hong Kong, mainland and Taiwan funds).
    """

    ticker: str
    name: str  # official product name in English
    tracks: Bilingual
    asset_class: AssetClass
    names: Bilingual | None = None
    currency: str = "USD"  # of its prices on its exchange (ISO 4217, or GBp for pence)

    @property
    def info(self) -> AssetClassInfo:
        """Context of the fund's asset class."""
        return ASSET_CLASSES[self.asset_class]

    def name_in(self, lang: str) -> str:
        """The fund's name in ``lang`` (``en``, ``zh``, ``zh-hant``, ``zh-hk``): a proper name,
        so a Hong Kong reader gets the manager's Traditional name as it stands."""
        if self.names is None:
            return self.name
        return self.names.get("zh-hant" if lang == "zh-hk" else lang)
