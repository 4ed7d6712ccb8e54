"""Charts per script (issue 22): the CJK face follows the script, the history chart follows the
languages shown and the server's colours, and a bilingual heatmap leaves its cells room."""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO

import pytest
from matplotlib.image import imread

from formatting import fonts
from formatting.chart import ChartLabels, render_chart
from formatting.colours import GREEN, RED
from formatting.heatmap import HeatmapRow, render_heatmap
from formatting.i18n import Lang
from formatting.track_chart import NEUTRAL, chart_title, current_colour, history_chart_png
from formatting.track_record import HistoryView
from signals.regimes import Regime
from tests.formatting.test_chart import series
from tests.formatting.test_track_record import record

FACE: dict[Lang, str] = {
    "zh": "Noto Sans CJK SC",
    "zh-hant": "Noto Sans CJK TC",
    "zh-hk": "Noto Sans CJK HK",
}


def has_regional_faces() -> bool:
    fonts.font_family()
    return all(face in fonts._known for face in FACE.values())


regional = pytest.mark.skipif(
    not has_regional_faces(), reason="the Noto Sans CJK collection's regional faces are missing"
)


@regional
@pytest.mark.parametrize("lang", list(FACE))
def test_the_face_follows_the_script(lang: Lang) -> None:
    """Simplified text takes the SC face, Taiwan the TC face, Hong Kong the HK face."""
    assert fonts.font_family(lang)[0] == FACE[lang]


@regional
def test_traditional_punctuation_is_drawn_in_the_traditional_face() -> None:
    """The same title drawn for a Taiwan reader differs from the mainland drawing (the
    full-width colon is centred in TC, bottom-left in SC)."""
    labels = ChartLabels(
        title="IWM：防禦動能", close="收盤價", window_5d="近5日", window_1m="近1個月",
        as_of="資料截至2026年6月8日收盤",
    )  # fmt: skip
    sc = render_chart(series(), tone=-1, labels=replace(labels, script="zh"))
    tc = render_chart(series(), tone=-1, labels=replace(labels, script="zh-hant"))
    assert sc != tc


def view(regime: Regime) -> HistoryView:
    rec = replace(
        record(), current=regime, f5_all=tuple((i % 21 - 10) / 400 for i in range(400)),
        f5_current=tuple((i % 7 - 3) / 300 for i in range(60)),
    )  # fmt: skip
    return HistoryView(record=rec, source="yfinance")


def test_history_bars_take_the_regime_colour_in_each_scheme() -> None:
    """A downtrend is drawn in the colour of a fall: red under green-up, green under red-up."""
    down, up = view(Regime.DOWNTREND), view(Regime.UPTREND)
    assert current_colour(down, "en", "green-up") == RED
    assert current_colour(down, "en", "red-up") == GREEN
    assert current_colour(up, "zh", None) == RED  # mainland default: red-up
    assert current_colour(up, "zh-hk", None) == GREEN  # Hong Kong default: green-up
    assert current_colour(view(Regime.NEUTRAL), "zh", "red-up") == NEUTRAL


def test_history_chart_in_every_language_shown() -> None:
    """The bilingual chart carries both languages (title, and a taller picture)."""
    assert chart_title(view(Regime.DOWNTREND), "both-hk").count(" / ") == 1
    one = imread(BytesIO(history_chart_png(view(Regime.DOWNTREND), "zh-hk")))
    two = imread(BytesIO(history_chart_png(view(Regime.DOWNTREND), "both-hk", "red-up")))
    assert one.shape[1] == two.shape[1] == 800
    assert two.shape[0] > one.shape[0]


def test_bilingual_heatmap_stacks_a_long_regime_column() -> None:
    """At 400 px the longest bilingual label goes on two lines and the rows grow."""
    row = HeatmapRow(
        ticker="510300.SS", z_1d=2.5, z_5d=-1, z_1m=3, r_1d=0.1167, r_5d=-0.1167, r_1m=-0.3567,
        regime="pullback in uptrend / 上升趨勢中的回調",
    )  # fmt: skip
    short = replace(row, regime="neutral / 中性")
    args = {"title": "t", "column_labels": ("1D / 單日", "5D / 5日", "1M / 1個月"),
            "regime_label": "Regime / 動量狀態", "width_px": 400, "script": "zh-hk"}  # fmt: skip
    tall = imread(BytesIO(render_heatmap([row, row], **args)))  # type: ignore[arg-type]
    flat = imread(BytesIO(render_heatmap([short, short], **args)))  # type: ignore[arg-type]
    assert tall.shape[0] > flat.shape[0]
