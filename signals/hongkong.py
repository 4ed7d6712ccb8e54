"""Hong Kong Chinese: the words Hong Kong writes differently from Taiwan, spelled once.

The Traditional texts of the catalog are written as Taiwan writes them; a Hong Kong desk keeps
the characters and changes the financial and everyday terms (美聯儲 not 聯準會, 通脹 not 通膨,
孳息率 not 殖利率, 納斯達克 not 那斯達克, 恒生 not 恆生, 收市 not 收盤, 信號 not 訊號,
動量 not 動能 ...; docs/glossary.md has the Hong Kong column).
:func:`to_hong_kong` applies :data:`TERMS` to a Taiwan text; it serves the fund and asset-class
texts here, and drafts the Hong Kong catalog (``formatting/locales/zh_Hant_HK``), which holds
only the messages Hong Kong writes differently and is read by a person.
Proper names (a manager's own fund name) are never passed through it.
"""

from __future__ import annotations

import re

#: Taiwan term -> Hong Kong term, longest first where one contains another.
TERMS: tuple[tuple[str, str], ...] = (
    # central bank, prices and yields
    ("聯準會", "美聯儲"),
    ("抗通膨公債", "通脹掛鈎國債"),
    ("通膨", "通脹"),
    ("殖利率", "孳息率"),
    ("非投資等級債", "高收益債券"),
    ("非投資等級", "高收益"),
    ("現金殖利率", "股息率"),
    ("公債", "國債"),
    # index and place names as Hong Kong writes them
    ("那斯達克", "納斯達克"),
    ("恆生", "恒生"),
    ("已開發市場", "發達市場"),
    ("中國大陸", "中國內地"),
    ("大陸", "內地"),
    ("港幣", "港元"),
    ("臺", "台"),
    # market words
    ("收盤", "收市"),
    ("開盤", "開市"),
    ("回檔", "回調"),
    ("訊號", "信號"),
    ("報酬率", "回報率"),
    ("報酬", "回報"),
    ("景氣循環", "經濟週期"),
    ("景氣", "經濟"),
    ("原物料", "原材料"),
    ("產業型基金", "行業基金"),
    ("產業", "行業"),
    ("大盤", "大市"),
    ("成長", "增長"),
    ("持股品質", "持股質素"),
    ("品質", "質素"),
    ("股票分割和配息", "拆股及派息"),
    ("過去績效", "過往表現"),
    ("發布", "發佈"),
    ("配息", "派息"),
    # everyday and computing words
    ("軟體", "軟件"),
    ("網路", "網絡"),
    ("位址", "地址"),
    ("行程", "進程"),
    ("連線", "連接"),
    ("金鑰", "密鑰"),
    ("字尾", "後綴"),
    ("收於", "收報"),
    ("掛牌", "上市"),
    ("營收", "收入"),
    ("投資人", "投資者"),
    # a Hong Kong reader's time-zone example
    ("Asia/Taipei", "Asia/Hong_Kong"),
)

#: 動能 (momentum in Taiwan) is 動量, except in the impulse labels 防禦動能 and 進攻動能; 道瓊
#: (Taiwan) is 道瓊斯; 資料 (data) is 數據, except in 資料庫/資料列/資料夾.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<!防禦)(?<!進攻)動能"), "動量"),
    (re.compile(r"道瓊(?!斯)"), "道瓊斯"),
    (re.compile(r"資料(?![庫列夾])"), "數據"),
)


def to_hong_kong(text: str) -> str:
    """``text`` (Traditional Chinese as Taiwan writes it) in Hong Kong's terms."""
    for taiwan, hong_kong in TERMS:
        text = text.replace(taiwan, hong_kong)
    for pattern, hong_kong in _PATTERNS:
        text = pattern.sub(hong_kong, text)
    return text
