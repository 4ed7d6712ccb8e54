"""The fund catalog: enough funds, both languages everywhere, lookups and search."""

from __future__ import annotations

import re

from commands.validation import parse_ticker
from signals.funds import ASSET_CLASSES, FUNDS, AssetClass, lookup, search

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_catalog_is_broad_and_bilingual():
    """At least 40 funds over every asset class; English without CJK, Chinese with it."""
    assert len(FUNDS) >= 40
    assert {f.asset_class for f in FUNDS.values()} == set(AssetClass)
    for fund in FUNDS.values():
        assert parse_ticker(fund.ticker) == fund.ticker
        assert fund.name and not CJK.search(fund.name + fund.tracks.en)
        assert fund.tracks.zh
    for info in ASSET_CLASSES.values():
        for text in (info.name, info.context, info.watch):
            assert not CJK.search(text.en) and CJK.search(text.zh)


def test_lookup_and_search():
    """Lookups ignore case; search ranks ticker prefixes before name matches."""
    assert lookup("iwm") is FUNDS["IWM"]
    assert lookup("AAPL") is None
    assert [f.ticker for f in search("XL")][:3] == ["XLK", "XLF", "XLE"]
    assert "IWM" in [f.ticker for f in search("Russell")]
    assert "IWM" in [f.ticker for f in search("罗素")]
