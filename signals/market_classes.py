# ruff: noqa: E501 (sentences in three languages: one per line reads and diffs best)
"""The markets beyond New York as asset classes: name, market context and what to watch.

Written by the project in English, Simplified Chinese and Traditional Chinese; the Traditional
text is written as Taiwan and Hong Kong desks write it (配息, 臺股, 央行, 資金), not converted.
Keyed by the :class:`signals.asset_classes.AssetClass` value.
"""

from __future__ import annotations

from signals.texts import AssetClassInfo, Bilingual

B = Bilingual

MARKET_CLASSES: dict[str, AssetClassInfo] = {
    "hk_equity": AssetClassInfo(
        B("Hong Kong equities", "港股", "港股"),
        B(
            "Hong Kong-listed funds are priced in Hong Kong dollars, pegged to the US dollar, while most of their companies earn in mainland China; policy in Beijing and US rates both move them.",
            "港股基金以与美元挂钩的港元计价，而成分公司的收入大多来自中国内地；北京的政策和美国利率都会影响其走势。",
            "港股基金以與美元掛鉤的港幣計價，而成分公司的營收多來自中國大陸；北京的政策和美國利率都會牽動走勢。",
        ),
        B(
            "Watch mainland policy news, southbound flows from the mainland and the US dollar.",
            "关注内地政策消息、南向资金流向和美元走势。",
            "留意大陸政策消息、南向資金流向和美元走勢。",
        ),
    ),
    "cn_equity": AssetClassInfo(
        B("mainland China A shares", "A股", "A股"),
        B(
            "Mainland funds trade in Shanghai and Shenzhen in renminbi, with a daily price limit and a market led by domestic investors, so policy signals and liquidity weigh more than abroad.",
            "内地基金在上海和深圳以人民币交易，设有涨跌幅限制，市场以境内投资者为主，政策信号和流动性的影响比海外市场更大。",
            "陸股基金在上海和深圳以人民幣交易，設有漲跌幅限制，市場以境內投資人為主，政策訊號和資金面的影響比海外市場更大。",
        ),
        B(
            "Watch policy meetings, the renminbi and northbound and margin-financing flows.",
            "关注政策会议、人民币汇率以及北向资金和融资余额的变化。",
            "留意政策會議、人民幣匯率以及北向資金和融資餘額的變化。",
        ),
    ),
    "tw_equity": AssetClassInfo(
        B("Taiwan equities", "台股", "臺股"),
        B(
            "Taiwan's market is dominated by semiconductors and electronics exporters; high-dividend funds are popular with local savers and distribute quarterly or monthly.",
            "台湾股市以半导体和电子出口企业为主；高股息基金深受本地投资者欢迎，按季或按月分配收益。",
            "臺股以半導體和電子出口企業為主；高股息ETF深受國人喜愛，按季或按月配息。",
        ),
        B(
            "Watch the chip cycle, the New Taiwan dollar and foreign investors' net buying.",
            "关注半导体景气周期、新台币汇率和外资买卖超。",
            "留意半導體景氣循環、新臺幣匯率和外資買賣超。",
        ),
    ),
    "jp_equity": AssetClassInfo(
        B("Japanese equities", "日本股票", "日股"),
        B(
            "Japanese funds follow exporters and banks that respond to the yen and to the Bank of Japan's exit from ultra-low rates.",
            "日本股票基金跟踪的出口企业和银行对日元汇率以及日本央行退出超低利率的进程较为敏感。",
            "日股基金追蹤的出口企業和銀行對日圓匯率以及日本央行退出超低利率的進程較為敏感。",
        ),
        B(
            "Watch the yen, Bank of Japan meetings and corporate governance reforms.",
            "关注日元汇率、日本央行议息会议和公司治理改革。",
            "留意日圓匯率、日本央行利率會議和公司治理改革。",
        ),
    ),
    "kr_equity": AssetClassInfo(
        B("Korean equities", "韩国股票", "韓股"),
        B(
            "Korea's market leans on memory chips, autos and batteries, so global trade and the technology cycle drive it, with the won amplifying foreign flows.",
            "韩国股市倚重存储芯片、汽车和电池，受全球贸易和科技周期驱动，韩元汇率会放大外资流动的影响。",
            "韓股倚重記憶體、汽車和電池，受全球貿易和科技景氣驅動，韓圜匯率會放大外資進出的影響。",
        ),
        B(
            "Watch export data, the memory-chip cycle and the won.",
            "关注出口数据、存储芯片周期和韩元汇率。",
            "留意出口數據、記憶體景氣循環和韓圜匯率。",
        ),
    ),
    "eu_ucits": AssetClassInfo(
        B("UCITS ETFs in London and Europe", "伦敦及欧洲UCITS ETF", "倫敦及歐洲UCITS ETF"),
        B(
            "UCITS funds listed in London and on European exchanges often hold global or US shares; the listing currency can differ from the currency of what the fund holds.",
            "在伦敦和欧洲交易所上市的UCITS基金常持有全球或美国股票；上市交易币种可能与基金持仓的币种不同。",
            "在倫敦和歐洲交易所上市的UCITS基金常持有全球或美國股票；掛牌交易幣別可能與基金持股的幣別不同。",
        ),
        B(
            "Watch the exchange rate between the listing currency and the US dollar, and European Central Bank and Bank of England decisions.",
            "关注上市币种兑美元的汇率，以及欧洲央行和英国央行的决议。",
            "留意掛牌幣別兌美元的匯率，以及歐洲央行和英國央行的決議。",
        ),
    ),
    "ca_equity": AssetClassInfo(
        B("Canadian-listed funds", "加拿大上市基金", "加拿大掛牌基金"),
        B(
            "Canada's market is heavy in banks and energy and miners, so oil prices and domestic rates weigh on it; many Canadian-listed funds hold US shares in Canadian dollars.",
            "加拿大股市以银行、能源和矿业为主，受油价和本国利率影响；许多加拿大上市基金以加元持有美国股票。",
            "加拿大股市以銀行、能源和礦業為主，受油價和國內利率影響；許多加拿大掛牌基金以加幣持有美國股票。",
        ),
        B(
            "Watch oil prices, Bank of Canada decisions and the Canadian dollar.",
            "关注油价、加拿大央行的决议和加元汇率。",
            "留意油價、加拿大央行的決議和加幣匯率。",
        ),
    ),
    "au_equity": AssetClassInfo(
        B("Australian-listed funds", "澳大利亚上市基金", "澳洲掛牌基金"),
        B(
            "Australia's market is weighted to banks and miners, tying it to China's demand for iron ore and to domestic rates; Australian-listed funds also give access to US and global shares in Australian dollars.",
            "澳大利亚股市以银行和矿业为主，与中国的铁矿石需求和本国利率紧密相关；澳大利亚上市基金也以澳元提供美国和全球股票的敞口。",
            "澳洲股市以銀行和礦業為主，與中國的鐵礦砂需求和國內利率緊密相關；澳洲掛牌基金也以澳幣提供美國和全球股票的曝險。",
        ),
        B(
            "Watch iron-ore prices, Reserve Bank of Australia decisions and the Australian dollar.",
            "关注铁矿石价格、澳大利亚央行的决议和澳元汇率。",
            "留意鐵礦砂價格、澳洲央行的決議和澳幣匯率。",
        ),
    ),
    "sg_equity": AssetClassInfo(
        B("Singapore equities", "新加坡股票", "新加坡股票"),
        B(
            "Singapore's market is led by banks, property trusts and telecoms, so it behaves defensively and pays steady dividends.",
            "新加坡股市以银行、房地产信托和电信为主，表现偏防御，派息稳定。",
            "新加坡股市以銀行、不動產投資信託和電信為主，表現偏防禦，配息穩定。",
        ),
        B(
            "Watch regional interest rates and the Singapore dollar.",
            "关注区域利率和新加坡元汇率。",
            "留意區域利率和新加坡幣匯率。",
        ),
    ),
}
