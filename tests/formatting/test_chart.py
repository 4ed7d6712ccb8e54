"""Chart and heatmap PNGs: size, determinism, CJK glyphs, edge cases, tone colours, threads."""

from __future__ import annotations

import logging
import math
import struct
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from io import BytesIO

import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imread

from formatting import chart, fonts, heatmap, plotting
from formatting.chart import (
    MAX_HEATMAP_ROWS,
    ChartLabels,
    HeatmapRow,
    render_chart,
    render_heatmap,
)
from formatting.colours import GREEN, RED

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
AS_OF = date(2026, 6, 8)

EN = ChartLabels(
    title="IWM · defensive impulse",
    close="Close",
    window_5d="5D window",
    window_1m="1M window",
    as_of="Data as of June 8, 2026 close",
)
ZH = ChartLabels(
    title="IWM · 防御动能 · 罗素2000",
    close="收盘价",
    window_5d="5日窗口",
    window_1m="1个月窗口",
    as_of="数据截至2026年6月8日收盘",
)
ZH_COLUMNS = ("1日", "5日", "1个月")


def weekdays_ending(end: date, count: int) -> list[date]:
    """The last ``count`` weekdays up to and including ``end`` (good enough for a chart axis)."""
    days: list[date] = []
    day = end
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return days[::-1]


def series(count: int = 63) -> list[tuple[date, float]]:
    """A deterministic, wavy close series ending on the as-of session at 281.65."""
    days = weekdays_ending(AS_OF, count)
    values = [281.65 + 8 * math.sin(i / 5) - 0.1 * (count - 1 - i) for i in range(count)]
    values[-1] = 281.65
    return list(zip(days, values, strict=True))


def heat_rows(count: int) -> list[HeatmapRow]:
    """``count`` watchlist rows with z-scores spread over -4..+4 and matching returns."""
    rows = []
    for i in range(count):
        z = -4 + 8 * i / max(count - 1, 1)
        rows.append(
            HeatmapRow(
                ticker=f"T{i:02d}",
                z_1d=z,
                z_5d=-z / 2,
                z_1m=z / 3,
                r_1d=z * 0.01,
                r_5d=-z * 0.015,
                r_1m=z * 0.02,
            )
        )
    return rows


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def pixels(data: bytes) -> np.ndarray:
    """The decoded RGB image as floats in 0..1 (height x width x 3)."""
    image = imread(BytesIO(data), format="png")
    return np.asarray(image)[..., :3]


def colour_pixels(rgb: np.ndarray) -> np.ndarray:
    """The strongly coloured (not white, grey or black) pixels, as an N x 3 array."""
    chroma = rgb.max(axis=2) - rgb.min(axis=2)
    return rgb[chroma > 0.3]


def count_colour(rgb: np.ndarray, hex_colour: str) -> int:
    """How many pixels are exactly ``hex_colour`` (to within one 8-bit step)."""
    target = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return int((np.abs(rgb - target) < 1.5 / 255).all(axis=2).sum())


def test_chart_is_png_of_default_size() -> None:
    """The chart is a PNG of 800 x 450 px, well under 200 KB."""
    data = render_chart(series(), tone=-1, labels=EN)
    assert png_size(data) == (800, 450)
    assert pixels(data).shape == (450, 800, 3)
    assert len(data) < 200_000


@pytest.mark.parametrize(("width", "height"), [(1600, 900), (640, 360), (1000, 563)])
def test_chart_honours_requested_pixels(width: int, height: int) -> None:
    """Custom sizes come out exactly, including ones that are not a multiple of the DPI."""
    assert png_size(
        render_chart(series(), tone=0, labels=EN, width_px=width, height_px=height)
    ) == (
        width,
        height,
    )


def test_chart_too_small_raises() -> None:
    """A size the layout cannot fit is refused."""
    with pytest.raises(ValueError, match="too small"):
        render_chart(series(), tone=0, labels=EN, width_px=800, height_px=120)


def test_same_input_gives_identical_bytes() -> None:
    """Rendering twice gives byte-identical PNGs with no software tag."""
    first = render_chart(series(), tone=1, labels=ZH)
    assert first == render_chart(series(), tone=1, labels=ZH)
    assert b"matplotlib" not in first.lower()
    assert render_heatmap(heat_rows(5), title="t", column_labels=ZH_COLUMNS) == render_heatmap(
        heat_rows(5), title="t", column_labels=ZH_COLUMNS
    )


def test_cjk_font_is_registered_once() -> None:
    """The Noto Sans CJK collection is found and registered without duplicating entries."""
    family = fonts.font_family()
    assert family[0].startswith("Noto Sans CJK")
    before = len(font_manager.fontManager.ttflist)
    assert fonts.font_family() == family
    assert fonts.cjk_font_properties(9).get_family() == list(family)
    assert len(font_manager.fontManager.ttflist) == before
    path = font_manager.findfont(fonts.cjk_font_properties(), fallback_to_default=False)
    assert str(path).endswith(".ttc")


def test_missing_glyph_check_can_fail() -> None:
    """Control: Chinese text in a Latin-only font does warn, so the checks below are meaningful."""
    fig = Figure(figsize=(2, 1))
    FigureCanvasAgg(fig)
    fig.text(0.1, 0.5, "防御动能", fontfamily="DejaVu Sans")
    with pytest.warns(UserWarning, match="missing from font"):
        fig.savefig(BytesIO(), format="png")


def test_chinese_labels_render_without_missing_glyphs() -> None:
    """Chinese chart and heatmap text renders with no glyph warnings (any warning fails)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        render_chart(series(), tone=-1, labels=ZH)
        render_heatmap(heat_rows(3), title="关注列表 · 2026年6月8日", column_labels=ZH_COLUMNS)


def test_chinese_text_is_drawn() -> None:
    """The Chinese title actually puts ink on the image (not blank or tofu-free nothing)."""
    blank = ChartLabels(title="", close="", window_5d="", window_1m="", as_of="")
    with_title = ChartLabels(title="防御动能", close="", window_5d="", window_1m="", as_of="")
    assert render_chart(series(), tone=0, labels=blank) != render_chart(
        series(), tone=0, labels=with_title
    )


@pytest.mark.parametrize("count", [1, 2, 5, 6, 10, 21, 22, 23])
def test_short_series_render(count: int) -> None:
    """Short histories, down to a single close, render at the requested size."""
    data = render_chart(series(count), tone=0, labels=ZH)
    assert png_size(data) == (800, 450)


def test_windows_drawn_only_when_they_fit() -> None:
    """The 1M shade needs 22 closes and the 5D shade 6; neither appears with fewer."""
    full = pixels(render_chart(series(63), tone=0, labels=EN))
    short = pixels(render_chart(series(10), tone=0, labels=EN))
    tiny = pixels(render_chart(series(4), tone=0, labels=EN))
    assert count_colour(full, chart._SHADE_1M) > 1000
    assert count_colour(full, chart._SHADE_5D) > 1000
    assert count_colour(short, chart._SHADE_1M) == 0
    assert count_colour(short, chart._SHADE_5D) > 1000
    assert count_colour(tiny, chart._SHADE_5D) == 0


def test_flat_series_renders() -> None:
    """A series with no movement (sigma 0) renders a flat line."""
    days = weekdays_ending(AS_OF, 30)
    data = render_chart([(d, 100.0) for d in days], tone=0, labels=EN)
    assert png_size(data) == (800, 450)


def test_nan_closes_are_dropped() -> None:
    """NaN, infinite and non-positive closes are skipped as if they were never there."""
    clean = series(40)
    dirty = list(clean)
    dirty.insert(10, (date(2026, 4, 1), float("nan")))
    dirty.insert(20, (date(2026, 4, 20), float("inf")))
    dirty.insert(30, (date(2026, 5, 2), 0.0))
    assert render_chart(dirty, tone=1, labels=EN) == render_chart(clean, tone=1, labels=EN)


@pytest.mark.parametrize("values", [[], [float("nan")] * 3])
def test_no_usable_close_raises(values: list[float]) -> None:
    """Nothing to draw is a ValueError, not an empty image."""
    days = weekdays_ending(AS_OF, len(values))
    with pytest.raises(ValueError, match="no closes"):
        render_chart(list(zip(days, values, strict=True)), tone=0, labels=EN)


def test_bad_tone_raises() -> None:
    """Only the three regime tones have a colour."""
    with pytest.raises(ValueError, match="tone"):
        render_chart(series(), tone=2, labels=EN)


def test_tone_colours_the_line() -> None:
    """Defensive charts are red, constructive green, neutral amber, judged on coloured pixels."""
    red, amber, green = (
        colour_pixels(pixels(render_chart(series(), tone=t, labels=EN))) for t in (-1, 0, 1)
    )
    for coloured in (red, amber, green):
        assert len(coloured) > 500
    r, g, b = red.mean(axis=0)
    assert r > g + 0.3
    assert r > b + 0.3
    r, g, b = green.mean(axis=0)
    assert g > r + 0.2
    assert g > b + 0.2
    r, g, b = amber.mean(axis=0)
    assert r > g > b


def test_dollar_signs_in_labels_are_literal() -> None:
    """A caller's "$" is text, never mathtext (two of them would otherwise switch modes)."""
    labels = ChartLabels(
        title="IWM $281.65 to $290", close="$", window_5d="5D", window_1m="1M", as_of="a $ b $"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert png_size(render_chart(series(), tone=0, labels=labels)) == (800, 450)


def test_long_title_still_renders() -> None:
    """A very long bilingual title is shrunk or cut rather than overflowing the image."""
    labels = ChartLabels(
        title=" · ".join(["IWM defensive impulse 防御动能"] * 6),
        close="Close",
        window_5d="5D window",
        window_1m="1M window",
        as_of="x",
    )
    assert png_size(render_chart(series(), tone=-1, labels=labels)) == (800, 450)


def test_percent_text_follows_signals_md() -> None:
    """Cell text is rounded to 2 decimals with a sign, zero unsigned, unknown as a dash."""
    assert plotting.percent(-0.0355) == "-3.55%"
    assert plotting.percent(0.004) == "+0.40%"
    assert plotting.percent(0.0) == "0.00%"
    assert plotting.percent(-0.00001) == "0.00%"
    assert plotting.percent(float("nan")) == "—"


def test_heatmap_height_grows_with_rows() -> None:
    """1, 10 and 60 rows render 800 px wide, each taller than the last."""
    sizes = [
        png_size(render_heatmap(heat_rows(n), title="Watchlist", column_labels=("1D", "5D", "1M")))
        for n in (1, 10, MAX_HEATMAP_ROWS)
    ]
    assert all(width == 800 for width, _ in sizes)
    heights = [height for _, height in sizes]
    assert heights == sorted(heights)
    assert len(set(heights)) == 3
    assert heights[0] >= 120


@pytest.mark.parametrize("count", [0, MAX_HEATMAP_ROWS + 1])
def test_heatmap_row_limits(count: int) -> None:
    """No rows, or more than one image holds, is a ValueError so callers split."""
    with pytest.raises(ValueError, match="row"):
        render_heatmap(heat_rows(count), title="t", column_labels=("1D", "5D", "1M"))


def test_heatmap_clips_z_scores() -> None:
    """Z-scores beyond ±3 get the same colour as ±3."""

    def one(z: float) -> bytes:
        row = HeatmapRow(ticker="X", z_1d=z, z_5d=-z, z_1m=0.0, r_1d=0.01, r_5d=0.01, r_1m=0.0)
        return render_heatmap([row], title="t", column_labels=("1D", "5D", "1M"))

    assert one(3.0) == one(7.5)
    assert one(3.0) != one(1.0)


def test_heatmap_colours_diverge() -> None:
    """A -3 cell is red and a +3 cell is green."""
    row = HeatmapRow(ticker="X", z_1d=-3.0, z_5d=3.0, z_1m=0.0, r_1d=-0.05, r_5d=0.05, r_1m=0.0)
    rgb = pixels(render_heatmap([row], title="t", column_labels=("1D", "5D", "1M")))
    assert count_colour(rgb, heatmap.heat_colours()[0]) > 1000
    assert count_colour(rgb, heatmap.heat_colours()[2]) > 1000


def test_red_up_reverses_heatmap_and_line_colours() -> None:
    """In the red-up convention a +3σ cell is red, a -3σ cell green, a defensive line green."""
    row = HeatmapRow(ticker="X", z_1d=-3.0, z_5d=3.0, z_1m=0.0, r_1d=-0.05, r_5d=0.05, r_1m=0.0)
    rgb = pixels(
        render_heatmap([row], title="t", column_labels=("1D", "5D", "1M"), up=RED, down=GREEN)
    )
    assert count_colour(rgb, RED) > 1000 and count_colour(rgb, GREEN) > 1000
    left = rgb[:, : rgb.shape[1] // 2]  # the -3σ cell (1D) is the left one: green
    assert count_colour(left, GREEN) > count_colour(left, RED)
    line = colour_pixels(pixels(render_chart(series(), tone=-1, labels=EN, up=RED, down=GREEN)))
    r, g, _ = line.mean(axis=0)
    assert g > r + 0.2


def test_heatmap_regime_column_and_legend_take_room() -> None:
    """A regime column and a two-line legend render (taller), with no font warnings."""
    rows = [
        HeatmapRow(ticker="IWM", z_1d=-2.9, z_5d=-0.9, z_1m=-0.1, r_1d=-0.0355, r_5d=-0.0233,
                   r_1m=-0.0022, regime="defensive impulse / 防御动能"),
    ]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bare = render_heatmap(rows, title="t", column_labels=("1D", "5D", "1M"))
        full = render_heatmap(
            rows, title="t", column_labels=("1D", "5D", "1M"), regime_label="Regime / 信号",
            legend="Colour: the move compared with the usual range\n颜色：涨跌幅相对平时波动",
        )  # fmt: skip
    assert png_size(full)[1] > png_size(bare)[1]


def test_heatmap_handles_missing_values() -> None:
    """NaN z-scores and returns render as neutral cells with a dash."""
    row = HeatmapRow(
        ticker="NEW",
        z_1d=math.nan,
        z_5d=math.nan,
        z_1m=math.nan,
        r_1d=0.01,
        r_5d=math.nan,
        r_1m=math.nan,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = render_heatmap([row], title="t", column_labels=("1D", "5D", "1M"))
    assert count_colour(pixels(data), heatmap._NO_DATA) > 1000


def test_threaded_renders_match_serial() -> None:
    """Eight renders at once in worker threads give the same bytes as one after another."""
    jobs = [
        *(lambda t=t: render_chart(series(), tone=t, labels=ZH) for t in (-1, 0, 1)),
        *(lambda t=t: render_chart(series(40), tone=t, labels=EN) for t in (-1, 1)),
        *(
            lambda n=n: render_heatmap(heat_rows(n), title="关注列表", column_labels=ZH_COLUMNS)
            for n in (1, 20, 60)
        ),
    ]
    serial = [job() for job in jobs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(lambda job: job(), jobs))
    assert threaded == serial


def test_font_falls_back_without_package(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Without noto_cjk the family is DejaVu Sans and a warning is logged."""
    monkeypatch.setattr(fonts, "_families", None)
    monkeypatch.setattr(fonts, "CJK_FAMILIES", ("No Such CJK Face",))
    monkeypatch.setitem(sys.modules, "noto_cjk", None)
    with caplog.at_level(logging.WARNING, logger="formatting.fonts"):
        assert fonts.font_family() == ("DejaVu Sans",)
    assert "fall back to DejaVu Sans" in caplog.text
