"""Japan, Korea, Australia and Singapore: the largest funds by assets on each exchange.

The managers of these funds publish no Chinese names, so the card shows the manager's English
name in every language (as for US funds) and only what the fund tracks is translated. Names are
as the manager lists the fund in English on its exchange (JPX, KRX, ASX, SGX), to the best of our
knowledge; they were not re-checked with the search tool this round. Korean funds are known by
their brand (KODEX, TIGER) in English letters in Korea as well.
"""

from __future__ import annotations

from signals.asset_classes import AssetClass
from signals.fund_catalog.fund import Fund
from signals.texts import Bilingual

B = Bilingual
A = AssetClass

TOPIX = B("TOPIX", "东证股价指数TOPIX", "東證股價指數TOPIX")
NIKKEI = B("Nikkei 225", "日经225", "日經225")
KOSPI200 = B("KOSPI 200", "韩国KOSPI 200", "韓國KOSPI 200")
SP500 = B("S&P 500", "标普500", "標普500")
ASX200 = B("S&P/ASX 200", "标普/澳证所200", "標普/澳洲證交所200")

ASIA_PACIFIC: tuple[Fund, ...] = (
    # Tokyo (JPX, JPY)
    Fund("1306.T", "NEXT FUNDS TOPIX Exchange Traded Fund", TOPIX, A.JP_EQUITY, currency="JPY"),
    Fund(
        "1321.T", "NEXT FUNDS Nikkei 225 Exchange Traded Fund", NIKKEI, A.JP_EQUITY, currency="JPY"
    ),
    Fund("1305.T", "iFreeETF TOPIX (Yearly Dividend Type)", TOPIX, A.JP_EQUITY, currency="JPY"),
    Fund("1330.T", "Nikko Listed Index Fund 225", NIKKEI, A.JP_EQUITY, currency="JPY"),
    Fund("1348.T", "MAXIS TOPIX ETF", TOPIX, A.JP_EQUITY, currency="JPY"),
    Fund("1475.T", "iShares Core TOPIX ETF", TOPIX, A.JP_EQUITY, currency="JPY"),
    Fund(
        "1343.T",
        "NEXT FUNDS REIT INDEX ETF",
        B("Tokyo Stock Exchange REIT Index", "东证REIT指数", "東證REIT指數"),
        A.JP_EQUITY,
        currency="JPY",
    ),
    Fund("2558.T", "MAXIS S&P500 US Equity ETF", SP500, A.US_EQUITY, currency="JPY"),
    # Korea Exchange (KRW)
    Fund("069500.KS", "KODEX 200", KOSPI200, A.KR_EQUITY, currency="KRW"),
    Fund("102110.KS", "TIGER 200", KOSPI200, A.KR_EQUITY, currency="KRW"),
    Fund("360750.KS", "TIGER US S&P500", SP500, A.US_EQUITY, currency="KRW"),
    Fund(
        "133690.KS",
        "TIGER US NASDAQ100",
        B("Nasdaq-100", "纳斯达克100", "那斯達克100"),
        A.US_EQUITY,
        currency="KRW",
    ),
    Fund("379800.KS", "KODEX US S&P500TR", SP500, A.US_EQUITY, currency="KRW"),
    # Australian Securities Exchange (AUD)
    Fund(
        "VAS.AX",
        "Vanguard Australian Shares Index ETF",
        B("S&P/ASX 300", "标普/澳证所300", "標普/澳洲證交所300"),
        A.AU_EQUITY,
        currency="AUD",
    ),
    Fund("IVV.AX", "iShares S&P 500 ETF", SP500, A.US_EQUITY, currency="AUD"),
    Fund(
        "VGS.AX",
        "Vanguard MSCI Index International Shares ETF",
        B("MSCI World ex-Australia", "MSCI世界（除澳大利亚）", "MSCI世界（除澳洲）"),
        A.AU_EQUITY,
        currency="AUD",
    ),
    Fund("STW.AX", "SPDR S&P/ASX 200 Fund", ASX200, A.AU_EQUITY, currency="AUD"),
    Fund(
        "A200.AX",
        "Betashares Australia 200 ETF",
        B("Solactive Australia 200", "Solactive澳大利亚200", "Solactive澳洲200"),
        A.AU_EQUITY,
        currency="AUD",
    ),
    Fund(
        "NDQ.AX",
        "Betashares Nasdaq 100 ETF",
        B("Nasdaq-100", "纳斯达克100", "那斯達克100"),
        A.US_EQUITY,
        currency="AUD",
    ),
    # Singapore Exchange (SGD)
    Fund(
        "ES3.SI",
        "SPDR Straits Times Index ETF",
        B("Straits Times Index", "海峡时报指数", "海峽時報指數"),
        A.SG_EQUITY,
        currency="SGD",
    ),
)
