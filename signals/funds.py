"""Catalog of widely held ETFs: name, what each tracks, asset class, in en and zh.

US-listed funds are here; the funds of other markets are in :mod:`signals.fund_catalog`.
"""

from __future__ import annotations

from signals.asset_classes import ASSET_CLASSES, AssetClass, AssetClassInfo, Bilingual
from signals.fund_catalog.asia_pacific import ASIA_PACIFIC
from signals.fund_catalog.europe_americas import EUROPE_AMERICAS
from signals.fund_catalog.fund import Fund
from signals.fund_catalog.greater_china import GREATER_CHINA

B = Bilingual
A = AssetClass

_FUNDS: tuple[Fund, ...] = (
    # broad US equity
    Fund("SPY", "SPDR S&P 500 ETF Trust", B("S&P 500", "标普500"), A.US_EQUITY),
    Fund("IVV", "iShares Core S&P 500 ETF", B("S&P 500", "标普500"), A.US_EQUITY),
    Fund("VOO", "Vanguard S&P 500 ETF", B("S&P 500", "标普500"), A.US_EQUITY),
    Fund(
        "VTI",
        "Vanguard Total Stock Market ETF",
        B("CRSP US Total Market", "CRSP美国全市场"),
        A.US_EQUITY,
    ),
    Fund("QQQ", "Invesco QQQ Trust", B("Nasdaq-100", "纳斯达克100"), A.US_EQUITY),
    Fund(
        "DIA",
        "SPDR Dow Jones Industrial Average ETF Trust",
        B("Dow Jones Industrial Average", "道琼斯工业平均指数"),
        A.US_EQUITY,
    ),
    Fund(
        "RSP",
        "Invesco S&P 500 Equal Weight ETF",
        B("S&P 500 Equal Weight", "标普500等权重"),
        A.US_EQUITY,
    ),
    # size
    Fund("IWM", "iShares Russell 2000 ETF", B("Russell 2000", "罗素2000"), A.US_SIZE),
    Fund("IJR", "iShares Core S&P Small-Cap ETF", B("S&P SmallCap 600", "标普小盘600"), A.US_SIZE),
    Fund("IJH", "iShares Core S&P Mid-Cap ETF", B("S&P MidCap 400", "标普中盘400"), A.US_SIZE),
    Fund("MDY", "SPDR S&P MidCap 400 ETF Trust", B("S&P MidCap 400", "标普中盘400"), A.US_SIZE),
    # style and factor
    Fund(
        "IWF",
        "iShares Russell 1000 Growth ETF",
        B("Russell 1000 Growth", "罗素1000成长"),
        A.US_STYLE,
    ),
    Fund(
        "IWD", "iShares Russell 1000 Value ETF", B("Russell 1000 Value", "罗素1000价值"), A.US_STYLE
    ),
    Fund(
        "VUG", "Vanguard Growth ETF", B("CRSP US Large Cap Growth", "CRSP美国大盘成长"), A.US_STYLE
    ),
    Fund("VTV", "Vanguard Value ETF", B("CRSP US Large Cap Value", "CRSP美国大盘价值"), A.US_STYLE),
    Fund(
        "SCHD",
        "Schwab U.S. Dividend Equity ETF",
        B("Dow Jones U.S. Dividend 100", "道琼斯美国红利100"),
        A.US_STYLE,
    ),
    Fund(
        "USMV",
        "iShares MSCI USA Min Vol Factor ETF",
        B("MSCI USA Minimum Volatility", "MSCI美国最小波动"),
        A.US_STYLE,
    ),
    Fund(
        "MTUM",
        "iShares MSCI USA Momentum Factor ETF",
        B("MSCI USA Momentum", "MSCI美国动量"),
        A.US_STYLE,
    ),
    # sectors
    Fund(
        "XLK",
        "Technology Select Sector SPDR Fund",
        B("Technology Select Sector", "科技精选行业"),
        A.US_SECTOR,
    ),
    Fund(
        "XLF",
        "Financial Select Sector SPDR Fund",
        B("Financial Select Sector", "金融精选行业"),
        A.US_SECTOR,
    ),
    Fund(
        "XLE",
        "Energy Select Sector SPDR Fund",
        B("Energy Select Sector", "能源精选行业"),
        A.US_SECTOR,
    ),
    Fund(
        "XLV",
        "Health Care Select Sector SPDR Fund",
        B("Health Care Select Sector", "医疗保健精选行业"),
        A.US_SECTOR,
    ),
    Fund(
        "XLI",
        "Industrial Select Sector SPDR Fund",
        B("Industrial Select Sector", "工业精选行业"),
        A.US_SECTOR,
    ),
    Fund(
        "XLY",
        "Consumer Discretionary Select Sector SPDR Fund",
        B("Consumer Discretionary Select Sector", "非必需消费品精选行业"),
        A.US_SECTOR,
    ),
    Fund(
        "XLP",
        "Consumer Staples Select Sector SPDR Fund",
        B("Consumer Staples Select Sector", "必需消费品精选行业"),
        A.US_SECTOR,
    ),
    Fund(
        "XLU",
        "Utilities Select Sector SPDR Fund",
        B("Utilities Select Sector", "公用事业精选行业"),
        A.US_SECTOR,
    ),
    Fund(
        "XLB",
        "Materials Select Sector SPDR Fund",
        B("Materials Select Sector", "原材料精选行业"),
        A.US_SECTOR,
    ),
    Fund(
        "XLC",
        "Communication Services Select Sector SPDR Fund",
        B("Communication Services Select Sector", "通信服务精选行业"),
        A.US_SECTOR,
    ),
    Fund(
        "SMH",
        "VanEck Semiconductor ETF",
        B("MVIS US Listed Semiconductor 25", "MVIS美国上市半导体25"),
        A.US_SECTOR,
    ),
    Fund(
        "KRE",
        "SPDR S&P Regional Banking ETF",
        B("S&P Regional Banks Select Industry", "标普地区银行精选行业"),
        A.US_SECTOR,
    ),
    # real estate
    Fund(
        "XLRE",
        "Real Estate Select Sector SPDR Fund",
        B("Real Estate Select Sector", "房地产精选行业"),
        A.REAL_ESTATE,
    ),
    Fund(
        "VNQ",
        "Vanguard Real Estate ETF",
        B("MSCI US IMI Real Estate 25/50", "MSCI美国可投资市场房地产25/50"),
        A.REAL_ESTATE,
    ),
    # Treasuries
    Fund(
        "TLT",
        "iShares 20+ Year Treasury Bond ETF",
        B("ICE US Treasury 20+ Year", "ICE美国20年期以上国债"),
        A.TREASURIES,
    ),
    Fund(
        "IEF",
        "iShares 7-10 Year Treasury Bond ETF",
        B("ICE US Treasury 7-10 Year", "ICE美国7-10年期国债"),
        A.TREASURIES,
    ),
    Fund(
        "SHY",
        "iShares 1-3 Year Treasury Bond ETF",
        B("ICE US Treasury 1-3 Year", "ICE美国1-3年期国债"),
        A.TREASURIES,
    ),
    Fund(
        "TIP",
        "iShares TIPS Bond ETF",
        B("ICE US Treasury Inflation Linked", "ICE美国通胀保值国债"),
        A.TREASURIES,
    ),
    # bonds and credit
    Fund(
        "AGG",
        "iShares Core U.S. Aggregate Bond ETF",
        B("Bloomberg US Aggregate Bond", "彭博美国综合债券"),
        A.CREDIT,
    ),
    Fund(
        "BND",
        "Vanguard Total Bond Market ETF",
        B("Bloomberg US Aggregate Float Adjusted", "彭博美国综合债券流通调整"),
        A.CREDIT,
    ),
    Fund(
        "LQD",
        "iShares iBoxx $ Investment Grade Corporate Bond ETF",
        B("iBoxx USD Liquid Investment Grade", "iBoxx美元流动性投资级公司债"),
        A.CREDIT,
    ),
    Fund(
        "HYG",
        "iShares iBoxx $ High Yield Corporate Bond ETF",
        B("iBoxx USD Liquid High Yield", "iBoxx美元流动性高收益债"),
        A.CREDIT,
    ),
    # commodities
    Fund("GLD", "SPDR Gold Shares", B("LBMA Gold Price", "LBMA黄金价格"), A.COMMODITIES),
    Fund("IAU", "iShares Gold Trust", B("LBMA Gold Price", "LBMA黄金价格"), A.COMMODITIES),
    Fund("SLV", "iShares Silver Trust", B("LBMA Silver Price", "LBMA白银价格"), A.COMMODITIES),
    Fund("USO", "United States Oil Fund", B("WTI Crude Oil Futures", "WTI原油期货"), A.COMMODITIES),
    Fund(
        "DBC",
        "Invesco DB Commodity Index Tracking Fund",
        B("DBIQ Optimum Yield Diversified Commodity", "德银优化收益多元化商品指数"),
        A.COMMODITIES,
    ),
    # international
    Fund("EFA", "iShares MSCI EAFE ETF", B("MSCI EAFE", "MSCI欧澳远东"), A.INTL_DEVELOPED),
    Fund(
        "VEA",
        "Vanguard FTSE Developed Markets ETF",
        B("FTSE Developed All Cap ex US", "富时发达市场（除美国）全市值"),
        A.INTL_DEVELOPED,
    ),
    Fund("EWJ", "iShares MSCI Japan ETF", B("MSCI Japan", "MSCI日本"), A.INTL_DEVELOPED),
    Fund(
        "EEM",
        "iShares MSCI Emerging Markets ETF",
        B("MSCI Emerging Markets", "MSCI新兴市场"),
        A.EMERGING,
    ),
    Fund(
        "VWO",
        "Vanguard FTSE Emerging Markets ETF",
        B("FTSE Emerging Markets All Cap China A Inclusion", "富时新兴市场全市值（含A股）"),
        A.EMERGING,
    ),
    Fund("FXI", "iShares China Large-Cap ETF", B("FTSE China 50", "富时中国50"), A.EMERGING),
    Fund("MCHI", "iShares MSCI China ETF", B("MSCI China", "MSCI中国"), A.EMERGING),
    Fund("INDA", "iShares MSCI India ETF", B("MSCI India", "MSCI印度"), A.EMERGING),
    Fund("EWZ", "iShares MSCI Brazil ETF", B("MSCI Brazil 25/50", "MSCI巴西25/50"), A.EMERGING),
    # crypto
    Fund(
        "IBIT",
        "iShares Bitcoin Trust ETF",
        B("CME CF Bitcoin Reference Rate", "CME CF比特币参考价格"),
        A.CRYPTO,
    ),
)

_FUNDS += GREATER_CHINA + ASIA_PACIFIC + EUROPE_AMERICAS

FUNDS: dict[str, Fund] = {f.ticker: f for f in _FUNDS}


def lookup(ticker: str) -> Fund | None:
    """The catalog entry for ``ticker`` (case-insensitive), or None for funds not in it."""
    return FUNDS.get(ticker.upper())


def search(prefix: str, *, limit: int = 25) -> list[Fund]:
    """Funds whose ticker starts with, or whose name or index contains, ``prefix``."""
    needle = prefix.strip().upper()
    if not needle:
        return list(_FUNDS[:limit])
    starts = [f for f in _FUNDS if f.ticker.startswith(needle)]
    contains = [
        f
        for f in _FUNDS
        if f not in starts
        and (
            needle in f.name.upper()
            or needle in f.tracks.en.upper()
            or needle in f.tracks.zh
            or needle in f.tracks.zh_hant
            or (f.names is not None and (needle in f.names.zh or needle in f.names.zh_hant))
        )
    ]
    return (starts + contains)[:limit]


__all__ = [
    "ASSET_CLASSES",
    "FUNDS",
    "AssetClass",
    "AssetClassInfo",
    "Bilingual",
    "Fund",
    "lookup",
    "search",
]
