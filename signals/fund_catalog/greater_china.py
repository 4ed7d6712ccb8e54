"""Hong Kong, mainland China (Shanghai, Shenzhen) and Taiwan: the largest funds by assets.

Names are the manager's own, as it lists the fund on its exchange: Hong Kong funds carry an
English and a Traditional Chinese name on HKEX (the Simplified one is the manager's Simplified
page where it has one, else the Traditional name in Simplified characters); mainland funds have
their Simplified name on SSE/SZSE (the English is the manager's English name; the Traditional a
character-for-character transcription, mainland managers publish none); Taiwan funds have their
Traditional name on TWSE/TPEx (the Simplified a transcription). Checked with the search tool
where noted "checked"; the others are the names as listed on the exchange to the best of our
knowledge and were not re-checked this round.
"""

from __future__ import annotations

from signals.asset_classes import AssetClass
from signals.fund_catalog.fund import Fund
from signals.texts import Bilingual

B = Bilingual
A = AssetClass

HSI = B("Hang Seng Index", "恒生指数", "恆生指數")  # Taiwan writes 恆; Hang Seng itself 恒
HSTECH = B("Hang Seng TECH Index", "恒生科技指数", "恆生科技指數")
CSI300 = B("CSI 300", "沪深300", "滬深300")
CSI500 = B("CSI 500", "中证500", "中證500")
TW50 = B("FTSE TWSE Taiwan 50", "富时台湾证交所台湾50指数", "臺灣50指數")

GREATER_CHINA: tuple[Fund, ...] = (
    # Hong Kong (HKEX, HKD)
    # checked: trahk.com.hk (the manager's site) "Tracker Fund of Hong Kong (2800)", 盈富基金
    Fund(
        "2800.HK",
        "Tracker Fund of Hong Kong",
        HSI,
        A.HK_EQUITY,
        B("Tracker Fund of Hong Kong", "盈富基金", "盈富基金"),
        "HKD",
    ),
    # Hang Seng Investment Management's names
    Fund(
        "2833.HK",
        "Hang Seng Index ETF",
        HSI,
        A.HK_EQUITY,
        B("Hang Seng Index ETF", "恒生指数ETF", "恒生指數ETF"),
        "HKD",
    ),
    Fund(
        "2828.HK",
        "Hang Seng China Enterprises Index ETF",
        B("Hang Seng China Enterprises Index", "恒生中国企业指数", "恆生中國企業指數"),
        A.HK_EQUITY,
        B("Hang Seng China Enterprises Index ETF", "恒生中国企业指数ETF", "恒生中國企業指數ETF"),
        "HKD",
    ),
    # checked: CSOP's site "CSOP Hang Seng TECH Index ETF"
    Fund(
        "3033.HK",
        "CSOP Hang Seng TECH Index ETF",
        HSTECH,
        A.HK_EQUITY,
        B("CSOP Hang Seng TECH Index ETF", "南方东英恒生科技指数ETF", "南方東英恒生科技指數ETF"),
        "HKD",
    ),
    Fund(
        "3032.HK",
        "Hang Seng TECH Index ETF",
        HSTECH,
        A.HK_EQUITY,
        B("Hang Seng TECH Index ETF", "恒生科技指数ETF", "恒生科技指數ETF"),
        "HKD",
    ),
    Fund(
        "3067.HK",
        "iShares Hang Seng TECH ETF",
        HSTECH,
        A.HK_EQUITY,
        B("iShares Hang Seng TECH ETF", "安硕恒生科技ETF", "安碩恒生科技ETF"),
        "HKD",
    ),
    Fund(
        "2822.HK",
        "CSOP FTSE China A50 ETF",
        B("FTSE China A50", "富时中国A50", "富時中國A50"),
        A.HK_EQUITY,
        B("CSOP FTSE China A50 ETF", "南方东英富时中国A50 ETF", "南方東英富時中國A50 ETF"),
        "HKD",
    ),
    Fund(
        "2823.HK",
        "iShares FTSE China A50 ETF",
        B("FTSE China A50", "富时中国A50", "富時中國A50"),
        A.HK_EQUITY,
        B("iShares FTSE China A50 ETF", "安硕富时A50中国指数ETF", "安碩富時A50中國指數ETF"),
        "HKD",
    ),
    Fund(
        "3188.HK",
        "ChinaAMC CSI 300 Index ETF",
        CSI300,
        A.HK_EQUITY,
        B("ChinaAMC CSI 300 Index ETF", "华夏沪深三百指数ETF", "華夏滬深三百指數ETF"),
        "HKD",
    ),
    Fund(
        "2801.HK",
        "iShares Core MSCI China ETF",
        B("MSCI China", "MSCI中国", "MSCI中國"),
        A.HK_EQUITY,
        B("iShares Core MSCI China ETF", "安硕核心MSCI中国指数ETF", "安碩核心MSCI中國指數ETF"),
        "HKD",
    ),
    # Shanghai (SSE, CNY): the names on SSE's fund list
    Fund(
        "510300.SS",
        "Huatai-PineBridge CSI 300 ETF",
        CSI300,
        A.CN_EQUITY,
        B("Huatai-PineBridge CSI 300 ETF", "华泰柏瑞沪深300ETF", "華泰柏瑞滬深300ETF"),
        "CNY",
    ),
    Fund(
        "510330.SS",
        "ChinaAMC CSI 300 ETF",
        CSI300,
        A.CN_EQUITY,
        B("ChinaAMC CSI 300 ETF", "华夏沪深300ETF", "華夏滬深300ETF"),
        "CNY",
    ),
    Fund(
        "510050.SS",
        "ChinaAMC SSE 50 ETF",
        B("SSE 50", "上证50", "上證50"),
        A.CN_EQUITY,
        B("ChinaAMC SSE 50 ETF", "华夏上证50ETF", "華夏上證50ETF"),
        "CNY",
    ),
    Fund(
        "510500.SS",
        "China Southern CSI 500 ETF",
        CSI500,
        A.CN_EQUITY,
        B("China Southern CSI 500 ETF", "南方中证500ETF", "南方中證500ETF"),
        "CNY",
    ),
    Fund(
        "512100.SS",
        "China Southern CSI 1000 ETF",
        B("CSI 1000", "中证1000", "中證1000"),
        A.CN_EQUITY,
        B("China Southern CSI 1000 ETF", "南方中证1000ETF", "南方中證1000ETF"),
        "CNY",
    ),
    Fund(
        "563360.SS",
        "Huatai-PineBridge CSI A500 ETF",
        B("CSI A500", "中证A500", "中證A500"),
        A.CN_EQUITY,
        B("Huatai-PineBridge CSI A500 ETF", "华泰柏瑞中证A500ETF", "華泰柏瑞中證A500ETF"),
        "CNY",
    ),
    Fund(
        "588000.SS",
        "ChinaAMC SSE STAR 50 ETF",
        B("SSE STAR 50", "上证科创板50", "上證科創板50"),
        A.CN_EQUITY,
        B("ChinaAMC SSE STAR 50 ETF", "华夏上证科创板50成份ETF", "華夏上證科創板50成份ETF"),
        "CNY",
    ),
    Fund(
        "512880.SS",
        "Guotai CSI All Share Securities Companies ETF",
        B("CSI All Share Securities Companies", "中证全指证券公司", "中證全指證券公司"),
        A.CN_EQUITY,
        B(
            "Guotai CSI All Share Securities Companies ETF",
            "国泰中证全指证券公司ETF",
            "國泰中證全指證券公司ETF",
        ),
        "CNY",
    ),
    Fund(
        "518880.SS",
        "Huaan Gold ETF",
        B("SGE Gold 9999", "上海黄金交易所Au99.99", "上海黃金交易所Au99.99"),
        A.COMMODITIES,
        B("Huaan Gold ETF", "华安黄金易ETF", "華安黃金易ETF"),
        "CNY",
    ),
    Fund(
        "513100.SS",
        "Guotai NASDAQ-100 ETF",
        B("Nasdaq-100", "纳斯达克100", "那斯達克100"),
        A.US_EQUITY,
        B("Guotai NASDAQ-100 ETF", "国泰纳斯达克100ETF", "國泰那斯達克100ETF"),
        "CNY",
    ),
    Fund(
        "513500.SS",
        "Bosera S&P 500 ETF",
        B("S&P 500", "标普500", "標普500"),
        A.US_EQUITY,
        B("Bosera S&P 500 ETF", "博时标普500ETF", "博時標普500ETF"),
        "CNY",
    ),
    # Shenzhen (SZSE, CNY): the names on SZSE's fund list
    Fund(
        "159915.SZ",
        "E Fund ChiNext ETF",
        B("ChiNext Index", "创业板指数", "創業板指數"),
        A.CN_EQUITY,
        B("E Fund ChiNext ETF", "易方达创业板ETF", "易方達創業板ETF"),
        "CNY",
    ),
    Fund(
        "159919.SZ",
        "Harvest CSI 300 ETF",
        CSI300,
        A.CN_EQUITY,
        B("Harvest CSI 300 ETF", "嘉实沪深300ETF", "嘉實滬深300ETF"),
        "CNY",
    ),
    Fund(
        "159922.SZ",
        "Harvest CSI 500 ETF",
        CSI500,
        A.CN_EQUITY,
        B("Harvest CSI 500 ETF", "嘉实中证500ETF", "嘉實中證500ETF"),
        "CNY",
    ),
    Fund(
        "159901.SZ",
        "E Fund SZSE 100 ETF",
        B("SZSE 100", "深证100", "深證100"),
        A.CN_EQUITY,
        B("E Fund SZSE 100 ETF", "易方达深证100ETF", "易方達深證100ETF"),
        "CNY",
    ),
    Fund(
        "159949.SZ",
        "Huaan ChiNext 50 ETF",
        B("ChiNext 50", "创业板50", "創業板50"),
        A.CN_EQUITY,
        B("Huaan ChiNext 50 ETF", "华安创业板50ETF", "華安創業板50ETF"),
        "CNY",
    ),
    Fund(
        "159920.SZ",
        "ChinaAMC Hang Seng ETF",
        HSI,
        A.HK_EQUITY,
        B("ChinaAMC Hang Seng ETF", "华夏恒生ETF", "華夏恒生ETF"),
        "CNY",
    ),
    Fund(
        "159941.SZ",
        "GF NASDAQ-100 ETF",
        B("Nasdaq-100", "纳斯达克100", "那斯達克100"),
        A.US_EQUITY,
        B("GF NASDAQ-100 ETF", "广发纳斯达克100ETF", "廣發那斯達克100ETF"),
        "CNY",
    ),
    # Taiwan (TWSE .TW, TPEx .TWO; TWD): the names on TWSE/TPEx
    Fund(
        "0050.TW",
        "Yuanta Taiwan Top 50 ETF",
        TW50,
        A.TW_EQUITY,
        B("Yuanta Taiwan Top 50 ETF", "元大台湾50", "元大台灣50"),
        "TWD",
    ),
    Fund(
        "006208.TW",
        "Fubon FTSE TWSE Taiwan 50 ETF",
        TW50,
        A.TW_EQUITY,
        B("Fubon FTSE TWSE Taiwan 50 ETF", "富邦台50", "富邦台50"),
        "TWD",
    ),
    Fund(
        "0056.TW",
        "Yuanta Taiwan Dividend Plus ETF",
        B("FTSE TWSE Taiwan Dividend+", "台湾高股息指数", "臺灣高股息指數"),
        A.TW_EQUITY,
        B("Yuanta Taiwan Dividend Plus ETF", "元大高股息", "元大高股息"),
        "TWD",
    ),
    # checked: etfstrategy.com on the listing, "Cathay MSCI Taiwan ESG Sustainability High
    # Dividend Yield ETF (00878 TT)"; 國泰永續高股息, MSCI臺灣ESG永續高股息精選30指數 (news
    # quoting 國泰投信)
    Fund(
        "00878.TW",
        "Cathay MSCI Taiwan ESG Sustainability High Dividend Yield ETF",
        B(
            "MSCI Taiwan Select ESG Sustainability High Yield Top 30",
            "MSCI台湾ESG永续高股息精选30指数",
            "MSCI臺灣ESG永續高股息精選30指數",
        ),
        A.TW_EQUITY,
        B(
            "Cathay MSCI Taiwan ESG Sustainability High Dividend Yield ETF",
            "国泰永续高股息",
            "國泰永續高股息",
        ),
        "TWD",
    ),
    Fund(
        "00919.TW",
        "Capital TIP Customized Taiwan Select High Dividend ETF",
        B(
            "TIP Customized Taiwan Select High Dividend",
            "特选台湾上市上柜高股息指数",
            "特選臺灣上市上櫃高股息指數",
        ),
        A.TW_EQUITY,
        B(
            "Capital TIP Customized Taiwan Select High Dividend ETF",
            "群益台湾精选高息",
            "群益台灣精選高息",
        ),
        "TWD",
    ),
    Fund(
        "00713.TW",
        "Yuanta Taiwan High-yield Leading Company ETF",
        B(
            "FTSE4Good TIP Taiwan ESG High Yield Low Volatility",
            "台湾指数公司特选高股息低波动指数",
            "臺灣指數公司特選高股息低波動指數",
        ),
        A.TW_EQUITY,
        B("Yuanta Taiwan High-yield Leading Company ETF", "元大台湾高息低波", "元大台灣高息低波"),
        "TWD",
    ),
    Fund(
        "00929.TW",
        "Fuh Hwa Taiwan Technology Dividend Highlight ETF",
        B(
            "TIP Customized Taiwan Technology Dividend Highlight",
            "特选台湾科技优息指数",
            "特選臺灣科技優息指數",
        ),
        A.TW_EQUITY,
        B(
            "Fuh Hwa Taiwan Technology Dividend Highlight ETF",
            "复华台湾科技优息",
            "復華台灣科技優息",
        ),
        "TWD",
    ),
    Fund(
        "00679B.TWO",
        "Yuanta U.S. Treasury 20+ Year Bond ETF",
        B("ICE US Treasury 20+ Year", "ICE美国20年期以上国债", "ICE美國20年期以上公債"),
        A.TREASURIES,
        B("Yuanta U.S. Treasury 20+ Year Bond ETF", "元大美债20年", "元大美債20年"),
        "TWD",
    ),
)
