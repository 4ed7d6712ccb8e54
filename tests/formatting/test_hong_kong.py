"""Hong Kong Chinese (issue 22): its own words over the Taiwan text, green-up, its font face.

The Hong Kong catalog (``zh_Hant_HK``) holds only the texts Hong Kong writes differently; every
other key falls back to Taiwan's. These tests keep it that way: a Taiwan text that
:func:`signals.hongkong.to_hong_kong` changes must have a Hong Kong entry (after a merge that adds
Taiwan texts, draft them with ``python -m tests.formatting.catalog_tools --hong-kong`` and read
them), and no Hong Kong output carries Taiwan's words.
"""

from __future__ import annotations

import re

import pytest

from formatting import i18n
from formatting.colours import default_scheme
from formatting.i18n import keys, text
from formatting.languages import LANGUAGES, script_of
from signals.asset_classes import ASSET_CLASSES
from signals.funds import FUNDS
from signals.hongkong import to_hong_kong

#: Taiwan's words where Hong Kong writes 美聯儲, 通脹, 孳息率, 納斯達克, 恒生, 收市, 信號, 動量,
#: 回調, 高收益債, 回報, 行業, 發達市場, 數據 (proper names are never checked).
NOT_HONG_KONG = re.compile(
    r"聯準會|通膨|殖利率|那斯達克|恆生|收盤|訊號|(?<!防禦)(?<!進攻)動能|回檔|非投資等級|報酬|產業|已開發市場|"
    r"資料(?![庫列夾])|道瓊(?!斯)|網路|原物料"
)


def test_hong_kong_catalog_holds_only_its_differences() -> None:
    """Every Hong Kong entry differs from the Taiwan text; its keys are Taiwan keys."""
    own = i18n.own_texts("zh-hk")
    assert own, "the Hong Kong catalog is empty"
    same = {key for key, value in own.items() if value == text(key, "zh-hant")}
    assert same == set()
    assert set(own) <= keys("zh-hant")
    assert keys("zh-hk") == keys("zh-hant")


def test_every_taiwan_text_hong_kong_writes_differently_has_an_entry() -> None:
    """A Taiwan text with Taiwan's words (聯準會, 收盤 …) has a Hong Kong entry."""
    own = i18n.own_texts("zh-hk")
    missing = sorted(
        key
        for key in keys("zh-hant")
        if to_hong_kong(text(key, "zh-hant")) != text(key, "zh-hant") and key not in own
    )
    assert missing == [], "run: python -m tests.formatting.catalog_tools --hong-kong"


def test_hong_kong_output_has_no_taiwan_words() -> None:
    """No 聯準會, 通膨, 殖利率, 那斯達克, 收盤, 訊號, 動能 … in any zh-hk text or fund text."""
    found = {key: text(key, "zh-hk") for key in keys("zh-hk")}
    for fund in FUNDS.values():
        found[f"{fund.ticker} tracks"] = fund.tracks.get("zh-hk")
    for asset_class, info in ASSET_CLASSES.items():
        for part in ("name", "context", "watch"):
            found[f"{asset_class} {part}"] = getattr(info, part).get("zh-hk")
    assert {key: body for key, body in found.items() if NOT_HONG_KONG.search(body)} == {}


def test_hong_kong_terms() -> None:
    """The issue's examples, as Hong Kong writes them; proper names stay as the issuer wrote."""
    assert to_hong_kong("關注通膨數據和聯準會的政策溝通。") == "關注通脹數據和美聯儲的政策溝通。"
    assert to_hong_kong("長期美債殖利率") == "長期美債孳息率"
    assert to_hong_kong("道瓊工業平均指數") == "道瓊斯工業平均指數"
    assert to_hong_kong("資料截至6月8日收盤；資料庫") == "數據截至6月8日收市；資料庫"
    assert FUNDS["QQQ"].tracks.get("zh-hk") == "納斯達克100"
    assert FUNDS["QQQ"].tracks.get("zh-hant") == "那斯達克100"
    tracker = FUNDS["2800.HK"]
    assert tracker.name_in("zh-hk") == tracker.name_in("zh-hant")  # the manager's own name


def test_hong_kong_reads_green_up_and_taiwan_red_up() -> None:
    """Hong Kong quotes rises in green; mainland and Taiwan in red; bilingual keeps English's."""
    assert default_scheme("zh-hk") == "green-up"
    assert default_scheme("both-hk") == "green-up"
    assert default_scheme("zh-hant") == "red-up"
    assert default_scheme("zh") == "red-up"


def test_every_setting_has_a_script_and_names() -> None:
    """Each setting's pictures take the face of its Chinese; every setting is named."""
    assert [script_of(choice) for choice in LANGUAGES] == [
        "en", "zh", "zh-hant", "zh-hk", "zh", "zh-hant", "zh-hk",
    ]  # fmt: skip
    assert text("language.name.zh-hk", "zh-hant") == "繁體中文（香港）"
    assert text("language.name.zh-hant", "zh-hant") == "繁體中文（臺灣）"


@pytest.mark.parametrize(
    ("raw", "choice"),
    [("zh-HK", "zh-hk"), ("香港", "zh-hk"), ("繁體中文（香港）", "zh-hk"), ("繁體中文(香港)", "zh-hk"),
     ("both-hk", "both-hk"), ("繁体", "zh-hant"), ("简体", "zh"), ("簡體", "zh"),
     ("繁體中文（臺灣）", "zh-hant")],
)  # fmt: skip
def test_language_words(raw: str, choice: str) -> None:
    """/language takes the Hong Kong settings and the names the bot prints itself."""
    from commands.validation import parse_language

    assert parse_language(raw) == choice
