"""The card chart's price tag and axis ticks are in the fund's own currency, written by the same
function as the card's text (issue 22/21: a Hong Kong fund's chart said "$" while its card said
HK$): never a guessed dollar."""

from __future__ import annotations

from dataclasses import replace

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from formatting import chart
from formatting.card import Card, Language
from formatting.cardchart import chart_labels
from formatting.numbers import price
from signals.regimes import REGIME_TONE
from tests.formatting.test_cardchart import worked_card


def card_in(ticker: str, currency: str | None, scale: float = 1.0) -> Card:
    """The worked example's card as if ``ticker`` quoted it in ``currency`` (closes x ``scale``)."""
    card = worked_card()
    closes = tuple((d, v * scale) for d, v in card.closes)
    signal = replace(card.signal, ticker=ticker, currency=currency, close=closes[-1][1])
    return replace(card, signal=signal, closes=closes)


def drawn(
    card: Card, language: Language, monkeypatch: pytest.MonkeyPatch, width_px: int = 800
) -> Figure:
    """The figure of ``card``'s chart, drawn as the PNG was."""
    figures: list[Figure] = []
    original = chart.png_bytes

    def keep(fig: Figure, dpi: float) -> bytes:
        data = original(fig, dpi)  # drawing it fills in the tick labels
        figures.append(fig)
        return data

    monkeypatch.setattr(chart, "png_bytes", keep)
    chart.render_chart(
        card.closes,
        tone=REGIME_TONE[card.signal.regime],
        labels=chart_labels(card, language),
        width_px=width_px,
        height_px=width_px * 450 // 800,
    )
    (fig,) = figures
    return fig


def drawn_text(card: Card, language: Language, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every string matplotlib drew on ``card``'s chart (title, legend, tag, ticks, footer)."""
    fig = drawn(card, language, monkeypatch)
    # plain() escapes "$" as "\\$" so matplotlib draws it literally (never as mathtext)
    return [t.get_text().replace("\\$", "$") for t in fig.findobj(Text) if t.get_text()]


def tick_labels(texts: list[str], mark: str) -> list[str]:
    return [text for text in texts if text.startswith(mark)]


@pytest.mark.parametrize(
    ("ticker", "currency", "scale", "mark", "language"),
    [
        ("2800.HK", "HKD", 0.12, "HK$", "zh-hk"),
        ("2800.HK", "HKD", 0.12, "HK$", "both-hk"),
        ("510300.SS", "CNY", 0.02, "CN¥", "zh"),
        ("1306.T", "JPY", 14.0, "¥", "en"),
        ("1306.T", "JPY", 14.0, "¥", "zh-hant"),
    ],
)
def test_chart_carries_the_funds_currency(
    ticker: str,
    currency: str,
    scale: float,
    mark: str,
    language: Language,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tag is the card's close as the card writes it; every tick carries the mark; no "$"
    stands alone anywhere on the picture."""
    card = card_in(ticker, currency, scale)
    texts = drawn_text(card, language, monkeypatch)
    lang = "en" if language.startswith("both") or language == "en" else language
    assert price(card.signal.close, lang, currency) in texts  # type: ignore[arg-type]
    assert len(tick_labels(texts, mark)) >= 5  # the tag and at least four ticks
    assert not [text for text in texts if "$" in text.replace("HK$", "")]


def test_usd_chart_is_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    """A US fund keeps its plain "$" tag and "$" ticks."""
    card = worked_card()
    texts = drawn_text(card, "zh", monkeypatch)
    assert f"${card.signal.close:,.2f}" in texts
    assert len(tick_labels(texts, "$")) >= 5
    assert not [text for text in texts if "HK$" in text or "¥" in text]


@pytest.mark.parametrize("width_px", [800, 400])
@pytest.mark.parametrize(
    ("ticker", "currency", "scale"), [("2800.HK", "HKD", 1.125), ("1306.T", "JPY", 110.0)]
)
def test_long_prices_stay_inside_the_picture(
    ticker: str, currency: str, scale: float, width_px: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``HK$345`` ticks and a ``¥30,981.50`` tag are longer than the ``$281.65`` the margins were
    drawn for: the plot narrows so no tick and no tag is cut at the picture's edges."""
    fig = drawn(card_in(ticker, currency, scale), "both-hk", monkeypatch, width_px)
    (ax,) = fig.axes
    (tag,) = ax.texts
    for text in [tag, *ax.get_yticklabels()]:
        box = text.get_window_extent()
        assert box.x0 > 0 and box.x1 < width_px, text.get_text()
    assert tag.get_window_extent().x1 + 8 * width_px / 800 < width_px  # its box's pad fits too


def test_unreported_currency_is_a_bare_number(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the source did not say the currency, the chart guesses none."""
    card = card_in("XYZ", None)
    texts = drawn_text(card, "en", monkeypatch)
    assert f"{card.signal.close:,.2f}" in texts
    assert not [text for text in texts if "$" in text]


@pytest.mark.parametrize(
    ("x", "decimals", "expected"),
    [(3000.0, 0, "¥3,000"), (25.5, 1, "¥25.5"), (0.1234, 4, "¥0.1234"), (-1.25, 1, "-¥1.2")],
)
def test_price_takes_the_ticks_decimals(x: float, decimals: int, expected: str) -> None:
    """An axis tick is the card's price with the decimals the ticks need (half to even)."""
    assert price(x, "en", "JPY", decimals=decimals) == expected


@pytest.mark.parametrize("decimals", [-1, 5])
def test_price_refuses_decimals_out_of_range(decimals: int) -> None:
    with pytest.raises(ValueError, match="decimals"):
        price(1.0, "en", decimals=decimals)
