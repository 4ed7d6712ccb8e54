"""London and Europe (UCITS) and Canada: the largest funds by assets on each exchange.

The managers publish no Chinese names for these funds, so the card shows the manager's English
name in every language; only what the fund tracks is translated. Names are the manager's product
names as listed on the exchange (LSE, Xetra, Euronext, TSX) to the best of our knowledge; they
were not re-checked with the search tool this round. The currency is the listing's trading
currency (CSPX.L trades in US dollars in London; ISF.L in pence).
"""

from __future__ import annotations

from signals.asset_classes import AssetClass
from signals.fund_catalog.fund import Fund
from signals.texts import Bilingual

B = Bilingual
A = AssetClass

SP500 = B("S&P 500", "标普500", "標普500")
WORLD = B("MSCI World", "MSCI世界", "MSCI世界")
ALL_WORLD = B("FTSE All-World", "富时全球", "富時全球")

EUROPE_AMERICAS: tuple[Fund, ...] = (
    # London Stock Exchange
    Fund("CSPX.L", "iShares Core S&P 500 UCITS ETF USD (Acc)", SP500, A.EU_UCITS, currency="USD"),
    Fund(
        "VUSA.L", "Vanguard S&P 500 UCITS ETF (USD) Distributing", SP500, A.EU_UCITS, currency="GBP"
    ),
    Fund(
        "SWDA.L", "iShares Core MSCI World UCITS ETF USD (Acc)", WORLD, A.EU_UCITS, currency="GBp"
    ),
    Fund(
        "VWRL.L",
        "Vanguard FTSE All-World UCITS ETF (USD) Distributing",
        ALL_WORLD,
        A.EU_UCITS,
        currency="GBP",
    ),
    Fund(
        "ISF.L",
        "iShares Core FTSE 100 UCITS ETF GBP (Dist)",
        B("FTSE 100", "富时100", "富時100"),
        A.EU_UCITS,
        currency="GBp",
    ),
    # Xetra (Deutsche Börse)
    Fund(
        "EUNL.DE", "iShares Core MSCI World UCITS ETF USD (Acc)", WORLD, A.EU_UCITS, currency="EUR"
    ),
    Fund("SXR8.DE", "iShares Core S&P 500 UCITS ETF USD (Acc)", SP500, A.EU_UCITS, currency="EUR"),
    Fund(
        "VWCE.DE",
        "Vanguard FTSE All-World UCITS ETF (USD) Accumulating",
        ALL_WORLD,
        A.EU_UCITS,
        currency="EUR",
    ),
    Fund(
        "EXS1.DE",
        "iShares Core DAX UCITS ETF (DE)",
        B("DAX", "德国DAX指数", "德國DAX指數"),
        A.EU_UCITS,
        currency="EUR",
    ),
    # Euronext Amsterdam and Paris
    Fund(
        "IWDA.AS", "iShares Core MSCI World UCITS ETF USD (Acc)", WORLD, A.EU_UCITS, currency="EUR"
    ),
    Fund("CW8.PA", "Amundi MSCI World UCITS ETF", WORLD, A.EU_UCITS, currency="EUR"),
    # Toronto Stock Exchange (CAD)
    Fund(
        "XIU.TO",
        "iShares S&P/TSX 60 Index ETF",
        B("S&P/TSX 60", "标普/多伦多证交所60", "標普/多倫多證交所60"),
        A.CA_EQUITY,
        currency="CAD",
    ),
    Fund(
        "XIC.TO",
        "iShares Core S&P/TSX Capped Composite Index ETF",
        B(
            "S&P/TSX Capped Composite",
            "标普/多伦多证交所上限综合指数",
            "標普/多倫多證交所上限綜合指數",
        ),
        A.CA_EQUITY,
        currency="CAD",
    ),
    Fund("VFV.TO", "Vanguard S&P 500 Index ETF", SP500, A.CA_EQUITY, currency="CAD"),
    Fund("ZSP.TO", "BMO S&P 500 Index ETF", SP500, A.CA_EQUITY, currency="CAD"),
    Fund(
        "XEQT.TO",
        "iShares Core Equity ETF Portfolio",
        B("global equity ETF portfolio", "全球股票ETF组合", "全球股票ETF組合"),
        A.CA_EQUITY,
        currency="CAD",
    ),
    Fund(
        "VEQT.TO",
        "Vanguard All-Equity ETF Portfolio",
        B("global equity ETF portfolio", "全球股票ETF组合", "全球股票ETF組合"),
        A.CA_EQUITY,
        currency="CAD",
    ),
    Fund(
        "ZEB.TO",
        "BMO Equal Weight Banks Index ETF",
        B(
            "Solactive Equal Weight Canada Banks",
            "Solactive加拿大银行等权重指数",
            "Solactive加拿大銀行等權重指數",
        ),
        A.CA_EQUITY,
        currency="CAD",
    ),
)
