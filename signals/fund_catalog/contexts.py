# ruff: noqa: E501 (sentences in three languages: one per line reads and diffs best)
"""Market context that names the fund and its index, for the 40 most-held funds of the catalog.

The card's market-context section opens with this sentence, then the asset class's context (the
seed's 市场背景 names the fund and what it holds before the general point). Written by the
project in English, Simplified Chinese (as the mainland writes it) and Traditional Chinese (as
Taiwan writes it: 公債, 投資等級, 非投資等級, 已開發市場, 大型股, 配息, 檔); Hong Kong takes the
Taiwan text in its own terms (:func:`signals.hongkong.to_hong_kong`).
"""

from __future__ import annotations

from signals.texts import Bilingual as B

FUND_CONTEXT: dict[str, B] = {
    "SPY": B(
        "SPY, the oldest US-listed ETF, holds the 500 large US companies of the S&P 500, weighted by market value.",
        "SPY是美国最早上市的ETF，持有标普500指数的500家美国大型公司，按市值加权。",
        "SPY是美國最早上市的ETF，持有標普500指數的500家美國大型企業，依市值加權。",
    ),
    "IVV": B(
        "IVV holds the same 500 companies of the S&P 500 as SPY, at a lower annual fee.",
        "IVV与SPY一样持有标普500指数的500家公司，但年费率更低。",
        "IVV與SPY一樣持有標普500指數的500家企業，但費用率更低。",
    ),
    "VOO": B(
        "VOO is Vanguard's S&P 500 fund: the same 500 large US companies, weighted by market value.",
        "VOO是先锋领航的标普500基金，同样持有按市值加权的500家美国大型公司。",
        "VOO是先鋒集團的標普500基金，同樣持有依市值加權的500家美國大型企業。",
    ),
    "VTI": B(
        "VTI holds nearly every listed US stock, about 3,500 companies of the CRSP US Total Market index, small and mid caps included.",
        "VTI持有CRSP美国全市场指数约3,500只股票，几乎涵盖所有美国上市公司，也包括中小盘股。",
        "VTI持有CRSP美國全市場指數約3,500檔股票，幾乎涵蓋所有美國上市公司，中小型股也包括在內。",
    ),
    "QQQ": B(
        "QQQ holds the 100 largest non-financial companies listed on Nasdaq; technology and internet giants dominate the Nasdaq-100.",
        "QQQ持有在纳斯达克上市的100家最大的非金融公司；纳斯达克100指数以科技和互联网巨头为主。",
        "QQQ持有在那斯達克上市的100家最大非金融企業；那斯達克100指數以科技和網路巨頭為主。",
    ),
    "DIA": B(
        "DIA holds the 30 stocks of the Dow Jones Industrial Average, weighted by share price rather than market value.",
        "DIA持有道琼斯工业平均指数的30只成分股，按股价而非市值加权。",
        "DIA持有道瓊工業平均指數的30檔成分股，依股價而非市值加權。",
    ),
    "IWM": B(
        "IWM holds the roughly 2,000 small US companies of the Russell 2000, the usual gauge of US small caps.",
        "IWM持有罗素2000指数约2,000家美国小型公司，该指数是衡量美国小盘股的常用指标。",
        "IWM持有羅素2000指數約2,000家美國小型企業，該指數是衡量美國小型股的常用指標。",
    ),
    "IJH": B(
        "IJH holds the 400 mid-sized US companies of the S&P MidCap 400.",
        "IJH持有标普中盘400指数的400家美国中型公司。",
        "IJH持有標普中型股400指數的400家美國中型企業。",
    ),
    "IJR": B(
        "IJR holds the 600 small US companies of the S&P SmallCap 600, an index that admits only profitable companies.",
        "IJR持有标普小盘600指数的600家美国小型公司，该指数只纳入盈利的公司。",
        "IJR持有標普小型股600指數的600家美國小型企業，該指數只納入有獲利的公司。",
    ),
    "VUG": B(
        "VUG holds the growth half of large US companies (CRSP US Large Cap Growth), led by the biggest technology names.",
        "VUG持有CRSP美国大盘成长指数中的成长型大公司，权重集中在最大的科技公司。",
        "VUG持有CRSP美國大型成長股指數中的成長型大型企業，權重集中在最大的科技公司。",
    ),
    "VTV": B(
        "VTV holds the value half of large US companies (CRSP US Large Cap Value), where banks, health care, energy and industrials weigh more.",
        "VTV持有CRSP美国大盘价值指数中的价值型大公司，银行、医疗保健、能源和工业的权重较高。",
        "VTV持有CRSP美國大型價值股指數中的價值型大型企業，銀行、醫療保健、能源和工業類股的權重較高。",
    ),
    "SCHD": B(
        "SCHD holds the 100 US companies of the Dow Jones U.S. Dividend 100: long dividend records, screened for cash flow and balance-sheet strength.",
        "SCHD持有道琼斯美国红利100指数的100家美国公司，它们长期派息，并经过现金流和资产负债表的筛选。",
        "SCHD持有道瓊美國紅利100指數的100家美國企業，這些企業長期配息，並經過現金流量和財務體質的篩選。",
    ),
    "XLK": B(
        "XLK holds the technology companies of the S&P 500; a few of the largest make up much of its weight.",
        "XLK持有标普500指数中的科技公司，少数几家最大的公司占了很大权重。",
        "XLK持有標普500指數中的科技企業，少數幾家最大的公司就佔了很大的權重。",
    ),
    "XLF": B(
        "XLF holds the S&P 500's banks, insurers and other financial companies.",
        "XLF持有标普500指数中的银行、保险公司和其他金融公司。",
        "XLF持有標普500指數中的銀行、保險公司和其他金融企業。",
    ),
    "XLE": B(
        "XLE holds the S&P 500's oil and gas companies, so it moves with crude prices.",
        "XLE持有标普500指数中的石油和天然气公司，因此随原油价格波动。",
        "XLE持有標普500指數中的石油和天然氣企業，因此隨原油價格波動。",
    ),
    "SMH": B(
        "SMH holds the 25 largest US-listed chip makers and chip-equipment companies (MVIS US Listed Semiconductor 25).",
        "SMH持有MVIS美国上市半导体25指数，即在美国上市的25家最大的芯片制造和设备公司。",
        "SMH持有MVIS美國上市半導體25指數，即在美國掛牌的25家最大晶片製造和設備企業。",
    ),
    "VNQ": B(
        "VNQ holds US real estate investment trusts (REITs) that own offices, housing, warehouses, towers and data centres.",
        "VNQ持有美国房地产投资信托（REITs），其资产包括写字楼、住宅、仓库、通信塔和数据中心。",
        "VNQ持有美國不動產投資信託（REITs），其資產包括辦公大樓、住宅、倉庫、電信塔和資料中心。",
    ),
    "TLT": B(
        "TLT holds US Treasury bonds with more than 20 years to maturity, so of all Treasury funds it moves most when long-term rates change.",
        "TLT持有剩余期限20年以上的美国国债，长期利率变动时，它的波动在国债基金中最大。",
        "TLT持有剩餘年期20年以上的美國公債，長期利率變動時，它的波動在公債基金中最大。",
    ),
    "IEF": B(
        "IEF holds US Treasury bonds maturing in 7 to 10 years, around the benchmark 10-year yield.",
        "IEF持有7至10年期美国国债，对应基准10年期收益率所在的期限段。",
        "IEF持有7至10年期美國公債，涵蓋基準10年期殖利率所在的年期區間。",
    ),
    "TIP": B(
        "TIP holds Treasury Inflation-Protected Securities, whose principal rises with US consumer prices.",
        "TIP持有美国通胀保值国债（TIPS），其本金随美国消费者物价上涨而增加。",
        "TIP持有美國抗通膨公債（TIPS），其本金隨美國消費者物價上漲而增加。",
    ),
    "AGG": B(
        "AGG holds the US investment-grade bond market (Bloomberg US Aggregate): Treasuries, mortgage-backed bonds and corporate bonds.",
        "AGG持有彭博美国综合债券指数所代表的美国投资级债券市场：国债、抵押贷款支持债券和公司债。",
        "AGG持有彭博美國綜合債券指數所代表的美國投資等級債券市場：公債、房貸抵押債券和公司債。",
    ),
    "BND": B(
        "BND is Vanguard's fund of the same US investment-grade bond market, with about 11,000 bonds.",
        "BND是先锋领航跟踪同一美国投资级债券市场的基金，持有约11,000只债券。",
        "BND是先鋒集團追蹤同一美國投資等級債券市場的基金，持有約11,000檔債券。",
    ),
    "LQD": B(
        "LQD holds US-dollar investment-grade corporate bonds, so credit spreads as well as Treasury yields move it.",
        "LQD持有美元投资级公司债，因此信用利差和美债收益率都会影响其价格。",
        "LQD持有美元投資等級公司債，因此信用利差和美債殖利率都會影響其價格。",
    ),
    "HYG": B(
        "HYG holds US-dollar high-yield corporate bonds, which tend to move with stocks more than with Treasuries.",
        "HYG持有美元高收益公司债，其走势往往更接近股票而不是国债。",
        "HYG持有美元非投資等級公司債，其走勢往往更接近股票而非公債。",
    ),
    "GLD": B(
        "GLD holds gold bars in London vaults, valued at the LBMA Gold Price; it pays no income.",
        "GLD持有存放在伦敦金库的实物黄金，按LBMA黄金价格估值，不产生收益。",
        "GLD持有存放在倫敦金庫的實體黃金，依LBMA黃金價格計價，不會配息。",
    ),
    "IAU": B(
        "IAU also holds physical gold valued at the LBMA Gold Price, at a lower fee than GLD.",
        "IAU同样持有按LBMA黄金价格估值的实物黄金，费率低于GLD。",
        "IAU同樣持有依LBMA黃金價格計價的實體黃金，費用率低於GLD。",
    ),
    "SLV": B(
        "SLV holds physical silver, which swings more than gold because industry uses much of it.",
        "SLV持有实物白银；由于工业需求占比大，白银的波动大于黄金。",
        "SLV持有實體白銀；由於工業需求佔比高，白銀的波動大於黃金。",
    ),
    "EFA": B(
        "EFA holds large and mid caps of developed markets outside North America (MSCI EAFE), mostly in Europe, Japan and Australia.",
        "EFA持有MSCI欧澳远东指数的大中盘股，即北美以外的发达市场，主要来自欧洲、日本和澳大利亚。",
        "EFA持有MSCI歐澳遠東指數的大型及中型股，即北美以外的已開發市場，主要來自歐洲、日本和澳洲。",
    ),
    "VEA": B(
        "VEA holds developed-market stocks outside the US, Canada and small caps included (FTSE Developed All Cap ex US).",
        "VEA持有富时发达市场（除美国）全市值指数的股票，涵盖加拿大在内的美国以外发达市场，也包括小盘股。",
        "VEA持有富時已開發市場（除美國）全市值指數的股票，涵蓋加拿大在內的美國以外已開發市場，也包括小型股。",
    ),
    "EEM": B(
        "EEM holds large and mid caps of emerging markets (MSCI Emerging Markets), led by China, Taiwan, India and Korea.",
        "EEM持有MSCI新兴市场指数的大中盘股，权重以中国、台湾、印度和韩国为主。",
        "EEM持有MSCI新興市場指數的大型及中型股，權重以中國、臺灣、印度和南韓為主。",
    ),
    "VWO": B(
        "VWO holds emerging-market stocks, China's A shares included; FTSE counts Korea as developed, so Korea is not in it.",
        "VWO持有富时新兴市场全市值（含A股）指数的股票，包括中国A股；富时将韩国列为发达市场，因此不含韩国。",
        "VWO持有富時新興市場全市值（含A股）指數的股票，包括中國A股；富時將南韓列為已開發市場，因此不含南韓。",
    ),
    "IBIT": B(
        "IBIT holds bitcoin itself, valued at the CME CF Bitcoin Reference Rate.",
        "IBIT直接持有比特币，按CME CF比特币参考价格估值。",
        "IBIT直接持有比特幣，依CME CF比特幣參考價格計價。",
    ),
    "2800.HK": B(
        "The Tracker Fund of Hong Kong (2800.HK) holds the stocks of the Hang Seng Index, the benchmark of Hong Kong's largest listed companies.",
        "盈富基金（2800.HK）持有恒生指数成分股，恒生指数是香港最大上市公司的基准指数。",
        "盈富基金（2800.HK）持有恆生指數成分股，恆生指數是香港最大上市企業的基準指數。",
    ),
    "2828.HK": B(
        "2828.HK holds the Hang Seng China Enterprises Index: mainland companies listed in Hong Kong (H shares and red chips).",
        "2828.HK持有恒生中国企业指数成分股，即在香港上市的内地企业（H股和红筹股）。",
        "2828.HK持有恆生中國企業指數成分股，即在香港掛牌的中國大陸企業（H股和紅籌股）。",
    ),
    "3033.HK": B(
        "3033.HK holds the Hang Seng TECH Index: the 30 largest technology companies listed in Hong Kong.",
        "3033.HK持有恒生科技指数成分股，即在香港上市的30家最大的科技公司。",
        "3033.HK持有恆生科技指數成分股，即在香港掛牌的30家最大科技企業。",
    ),
    "510300.SS": B(
        "510300.SS holds the CSI 300: the 300 largest A shares listed in Shanghai and Shenzhen.",
        "510300持有沪深300指数成分股，即在上海和深圳上市的300只最大的A股。",
        "510300持有滬深300指數成分股，即在上海和深圳掛牌的300檔最大A股。",
    ),
    "159915.SZ": B(
        "159915.SZ holds the ChiNext Index: the 100 largest growth companies of Shenzhen's ChiNext board.",
        "159915持有创业板指数成分股，即深圳创业板市值最大的100家成长型公司。",
        "159915持有創業板指數成分股，即深圳創業板市值最大的100家成長型企業。",
    ),
    "0050.TW": B(
        "0050.TW holds Taiwan's 50 largest listed companies (FTSE TWSE Taiwan 50); TSMC alone is about half of it.",
        "0050持有富时台湾证交所台湾50指数成分股，即台湾市值最大的50家上市公司；台积电一家约占一半权重。",
        "0050持有臺灣50指數成分股，即臺灣市值最大的50家上市公司；臺積電一檔就佔約一半權重。",
    ),
    "0056.TW": B(
        "0056.TW holds the 50 Taiwanese stocks with the highest forecast dividend yields and pays out quarterly.",
        "0056持有预测股息率最高的50只台湾股票，按季分配收益。",
        "0056持有預估現金殖利率最高的50檔臺股，按季配息。",
    ),
    "00878.TW": B(
        "00878.TW holds 30 Taiwanese stocks screened for ESG scores and dividend yield, and pays out quarterly.",
        "00878持有经ESG评分和股息率筛选的30只台湾股票，按季分配收益。",
        "00878持有經ESG評分和現金殖利率篩選的30檔臺股，按季配息。",
    ),
}
