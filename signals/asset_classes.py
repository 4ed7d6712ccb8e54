"""Asset classes of the fund catalog: display name, market context, what to watch, in en and zh."""

from __future__ import annotations

import re
from enum import StrEnum

from signals.market_classes import MARKET_CLASSES
from signals.texts import AssetClassInfo, Bilingual

__all__ = ["ASSET_CLASSES", "AssetClass", "AssetClassInfo", "Bilingual", "trend_labels"]


class AssetClass(StrEnum):
    """Broad asset classes; each has a context sentence and a what-to-watch sentence."""

    US_EQUITY = "us_equity"
    US_SIZE = "us_size"
    US_STYLE = "us_style"
    US_SECTOR = "us_sector"
    REAL_ESTATE = "real_estate"
    TREASURIES = "treasuries"
    CREDIT = "credit"
    COMMODITIES = "commodities"
    INTL_DEVELOPED = "intl_developed"
    EMERGING = "emerging"
    CRYPTO = "crypto"
    # markets beyond New York (issue 21): one class per market, its context in each language
    HK_EQUITY = "hk_equity"
    CN_EQUITY = "cn_equity"
    TW_EQUITY = "tw_equity"
    JP_EQUITY = "jp_equity"
    KR_EQUITY = "kr_equity"
    EU_UCITS = "eu_ucits"
    CA_EQUITY = "ca_equity"
    AU_EQUITY = "au_equity"
    SG_EQUITY = "sg_equity"


B = Bilingual
A = AssetClass

ASSET_CLASSES: dict[AssetClass, AssetClassInfo] = {
    A.US_EQUITY: AssetClassInfo(
        B("US large-cap equities", "美国大盘股"),
        B(
            "Broad US equity benchmarks reflect overall risk appetite and are dominated by the "
            "largest companies.",
            "美国宽基股指反映整体风险偏好，权重集中在最大的几家公司。",
        ),
        B(
            "Watch whether the move broadens across sectors and how rate expectations shift.",
            "关注走势是否扩散到更多行业，以及利率预期的变化。",
        ),
    ),
    A.US_SIZE: AssetClassInfo(
        B("US small and mid caps", "美国中小盘股"),
        B(
            "Small and mid caps are more sensitive to domestic growth and short-term rates than "
            "large caps.",
            "中小盘股对美国国内经济增长和短期利率的敏感度高于大盘股。",
        ),
        B(
            "Watch domestic growth data and the next five sessions of price action.",
            "关注美国国内经济数据，以及未来5个交易日的价格走势。",
        ),
    ),
    A.US_STYLE: AssetClassInfo(
        B("US equity style and factor", "美国股票风格与因子"),
        B(
            "Style and factor funds show which kinds of stocks the market is rewarding, not the "
            "direction of the whole market.",
            "风格与因子基金反映市场偏好哪类股票，而不是整个市场的方向。",
        ),
        B(
            "Compare with the broad market to see whether leadership is rotating.",
            "与宽基指数对比，观察市场领涨风格是否在切换。",
        ),
    ),
    A.US_SECTOR: AssetClassInfo(
        B("US equity sector", "美国行业股票"),
        B(
            "Sector funds concentrate on one industry, so company news and industry cycles move "
            "them more than the broad market.",
            "行业基金集中于单一行业，受公司消息和行业周期的影响大于宽基指数。",
        ),
        B(
            "Watch the sector's relative strength against the S&P 500 and upcoming earnings.",
            "关注该行业相对标普500的强弱，以及即将公布的财报。",
        ),
    ),
    A.REAL_ESTATE: AssetClassInfo(
        B("US real estate", "美国房地产"),
        B(
            "Real estate funds hold REITs, which are sensitive to long-term interest rates and "
            "credit conditions.",
            "房地产基金持有REITs，对长期利率和信贷环境较为敏感。",
        ),
        B(
            "Watch long-term Treasury yields alongside the price trend.",
            "在关注价格趋势的同时，留意长期美债收益率。",
        ),
    ),
    A.TREASURIES: AssetClassInfo(
        B("US Treasuries", "美国国债"),
        B(
            "Treasury fund prices move opposite to yields; longer maturities move more for the "
            "same change in rates.",
            "国债基金价格与收益率反向变动；期限越长，对同样利率变化的反应越大。",
        ),
        B(
            "Watch inflation data and central-bank communication.",
            "关注通胀数据和美联储的政策沟通。",
        ),
    ),
    A.CREDIT: AssetClassInfo(
        B("US bonds and credit", "美国债券与信用债"),
        B(
            "Bond and credit funds respond to both interest rates and credit spreads; high yield "
            "behaves more like equities.",
            "债券与信用债基金同时受利率和信用利差影响；高收益债的表现更接近股票。",
        ),
        B(
            "Watch credit spreads and Treasury yields over the coming sessions.",
            "关注未来几个交易日的信用利差和美债收益率。",
        ),
    ),
    A.COMMODITIES: AssetClassInfo(
        B("commodities", "大宗商品"),
        B(
            "Commodity funds follow spot prices or futures and react to supply, demand, the dollar "
            "and real rates.",
            "商品基金跟踪现货或期货价格，受供需、美元和实际利率影响。",
        ),
        B(
            "Watch the US dollar, real yields and supply news.",
            "关注美元、实际利率和供给方面的消息。",
        ),
    ),
    A.INTL_DEVELOPED: AssetClassInfo(
        B("international developed equities", "国际发达市场股票"),
        B(
            "International funds add currency moves to local stock returns, so a strong dollar "
            "weighs on them.",
            "国际基金的回报包含汇率变动，美元走强会拖累其表现。",
        ),
        B(
            "Watch the dollar and the regions' own economic data.",
            "关注美元走势和相关地区的经济数据。",
        ),
    ),
    A.EMERGING: AssetClassInfo(
        B("emerging-market equities", "新兴市场股票"),
        B(
            "Emerging markets are sensitive to global growth, the dollar and policy in a few large "
            "economies.",
            "新兴市场对全球增长、美元以及少数大型经济体的政策较为敏感。",
        ),
        B(
            "Watch the dollar, China's data and capital-flow news.",
            "关注美元、中国经济数据和资本流动相关消息。",
        ),
    ),
    A.CRYPTO: AssetClassInfo(
        B("crypto assets", "加密资产"),
        B(
            "Spot crypto funds follow a highly volatile asset that trades around the clock, while "
            "the fund trades only in exchange hours.",
            "现货加密基金跟踪一种全天候交易、波动极大的资产，而基金只在交易所开市时交易。",
        ),
        B(
            "Watch overnight moves in the underlying asset and regulatory news.",
            "关注标的资产的隔夜波动和监管消息。",
        ),
    ),
    **{AssetClass(name): info for name, info in MARKET_CLASSES.items()},
}

#: Classes whose price does not measure risk appetite (SIGNALS.md, "Labels for funds whose price
#: does not measure risk appetite"): a rally in Treasuries is often the opposite of "risk-on".
TREND_LABEL_CLASSES: frozenset[AssetClass] = frozenset({AssetClass.TREASURIES})
#: What such a fund tracks, where its class is mixed: aggregate and government bonds among
#: credit, gold and precious metals among commodities, cash-like funds, currencies, volatility.
_TREND_LABEL_TRACKS = re.compile(
    r"\b(?:aggregate|treasury|treasuries|government|gilts?|bunds?|t-bills?|money market|cash"
    r"|gold|silver|platinum|palladium|precious metals?|currency|dollar index|vix"
    r"|volatility index)\b",
    re.IGNORECASE,
)


def trend_labels(asset_class: AssetClass, tracks: str) -> bool:
    """True when a fund of ``asset_class`` tracking ``tracks`` (its English index name) gets the
    trend labels (broad downtrend, short-term weakness …) instead of the risk-appetite ones."""
    return asset_class in TREND_LABEL_CLASSES or bool(_TREND_LABEL_TRACKS.search(tracks))
