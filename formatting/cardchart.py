"""The chart of a card: localised labels handed to the pure renderer in formatting.chart."""

from __future__ import annotations

from functools import lru_cache

from formatting.card import Card, Language, languages
from formatting.chart import ChartLabels, render_chart
from formatting.colours import ColourScheme, resolve
from formatting.i18n import t
from formatting.labels import regime_label
from formatting.languages import script_of
from formatting.numbers import long_date
from signals.regimes import REGIME_TONE


def _joined(key: str, language: Language, **params: object) -> str:
    return " / ".join(t(key, lang, **params) for lang in languages(language))


def chart_labels(card: Card, language: Language) -> ChartLabels:
    """Chart labels for ``card`` in every language shown (``English / 中文`` for both)."""
    label = " / ".join(
        regime_label(card.signal.regime, lang, card.ticker) for lang in languages(language)
    )
    return ChartLabels(
        title=t("chart.title", languages(language)[0], ticker=card.ticker, label=label),
        close=_joined("chart.close", language),
        window_5d=_joined("chart.window_5d", language),
        window_1m=_joined("chart.window_1m", language),
        as_of=" / ".join(
            t("card.as_of", lang, date=long_date(card.signal.as_of, lang))
            for lang in languages(language)
        ),
        script=script_of(language),
        currency=card.signal.currency,
        price_lang=languages(language)[0],
    )


@lru_cache(maxsize=256)
def chart_png(card: Card, language: Language, colors: ColourScheme | None = None) -> bytes:
    """The PNG chart for ``card`` (blocking: call it in a worker thread).

    ``colors`` is the server's convention (None: the language's default). Rendering costs tens
    of milliseconds and the bytes depend only on the (immutable) card, language and colours, so
    repeated requests for a ticker in one session reuse the PNG.
    """
    palette = resolve(colors, language)
    return render_chart(
        card.closes,
        tone=REGIME_TONE[card.signal.regime],
        labels=chart_labels(card, language),
        up=palette.up,
        down=palette.down,
    )


def chart_filename(card: Card) -> str:
    """A safe attachment file name for the card's chart."""
    safe = "".join(ch if ch.isalnum() else "_" for ch in card.ticker)
    return f"{safe}_{card.signal.as_of:%Y%m%d}.png"
