"""The history view's chart: 5-session moves after the current regime vs all sessions (PNG).

Every text is in each language shown (one title line per language, the rest joined with " / "),
drawn in the CJK face of the Chinese shown; the current regime's bars take its tone's colour in
the server's convention (a downtrend is never drawn in the colour of a rise). Sizes are points at
800 px wide, chosen so the smallest text is still 8 px high when the picture is shown 400 px wide.
"""

from __future__ import annotations

import numpy as np

from formatting.card import Language, languages
from formatting.colours import ColourScheme, resolve
from formatting.fonts import font_family
from formatting.i18n import Lang, t
from formatting.labels import regime_label
from formatting.languages import script_of
from formatting.plotting import GRID, INK, MUTED, fit_text, new_figure, plain, png_bytes
from formatting.track_record import HistoryView
from signals.regimes import REGIME_TONE

WIDTH_PX = 800
#: Height at 800 px wide: one title line per language shown (bilingual: a legend line per item).
HEIGHT_PX: dict[int, int] = {1: 380, 2: 450}
BINS = 40
#: The baseline's bars; a neutral current regime is amber (as on the card chart).
ALL = "#94a3b8"
NEUTRAL = "#b26a00"
#: Type sizes (points at 800 px, 100 dpi): 11.5 pt is 16 px there, 8 px at 400 px wide.
_TICK_PT, _AXIS_PT, _LEGEND_PT, _TITLE_PT, _FOOTER_PT = 12.0, 12.0, 12.0, 15.0, 11.5


def _label(view: HistoryView, lang: Lang) -> str:
    record = view.record
    return regime_label(record.current, lang, record.ticker) if record.current else "—"


def chart_title(view: HistoryView, language: Language) -> str:
    """The chart's title (and alt text) in each language shown, joined with " / "."""
    ticker = view.record.ticker
    return " / ".join(
        t("history.chart.title", lang, ticker=ticker, label=_label(view, lang))
        for lang in languages(language)
    )


def current_colour(view: HistoryView, language: Language, colors: ColourScheme | None) -> str:
    """The colour of the current regime's bars: its tone in the server's convention."""
    regime = view.record.current
    tone = REGIME_TONE[regime] if regime else 0
    return NEUTRAL if tone == 0 else resolve(colors, language).for_tone(tone)


def history_chart_png(
    view: HistoryView, language: Language, colors: ColourScheme | None = None
) -> bytes:
    """Share of sessions per 5-session move, after the current regime and after all sessions.

    Blocking (call it in a worker thread). Both histograms are normalised to shares, so a rare
    regime is comparable with the baseline; the medians are marked. ``colors`` is the server's
    convention (None: the language's default).
    """
    shown = languages(language)
    record = view.record
    height = HEIGHT_PX[len(shown)]
    fig, dpi = new_figure(WIDTH_PX, height)
    family = list(font_family(script_of(language)))
    legend_lines = 2 if len(shown) > 1 else 1  # bilingual items are too long to share a line
    top = 32 + 26 * (len(shown) + legend_lines)  # title and legend lines, px from the top
    bottom = 74  # axis label and footer
    ax = fig.add_axes((0.09, bottom / height, 0.88, 1 - (top + bottom + 8) / height))
    everything = np.asarray(record.f5_all, dtype=float) * 100
    current = np.asarray(record.f5_current, dtype=float) * 100
    mine = current_colour(view, language, colors)
    if len(everything):
        low, high = np.percentile(everything, [0.5, 99.5])
        edges = np.linspace(min(low, -1.0), max(high, 1.0), BINS + 1)
        for values, colour, alpha in ((everything, ALL, 0.55), (current, mine, 0.55)):
            if len(values):
                weights = np.full(len(values), 100.0 / len(values))
                ax.hist(
                    np.clip(values, edges[0], edges[-1]),
                    bins=list(edges),
                    weights=weights,
                    color=colour,
                    alpha=alpha,
                    lw=0,
                )
                ax.axvline(float(np.median(values)), color=colour, lw=1.6)
    ax.axvline(0.0, color=INK, lw=0.8)
    ax.grid(axis="y", color=GRID, lw=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=MUTED, labelsize=_TICK_PT, labelfontfamily=family)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:+.0f}%" if round(x) else "0%")
    ax.yaxis.set_major_formatter(lambda y, _pos: f"{y:.0f}%")
    axis = " / ".join(t("history.chart.axis", lang) for lang in shown)
    ax.set_xlabel(plain(axis), color=MUTED, family=family, fontsize=_AXIS_PT)

    room = WIDTH_PX - 2 * 0.02 * WIDTH_PX
    for i, lang in enumerate(shown):
        title = t("history.chart.title", lang, ticker=record.ticker, label=_label(view, lang))
        line = fig.text(
            0.02, 1 - (14 + 26 * i) / height, plain(title), color=INK, family=family,
            fontsize=_TITLE_PT, va="top",
        )  # fmt: skip
        fit_text(line, room, min_pt=_FOOTER_PT)
    legend = [
        (mine, " / ".join(
            t("history.chart.current", lang, label=_label(view, lang), n=len(current))
            for lang in shown
        )),
        (ALL, " / ".join(t("history.chart.all", lang, n=len(everything)) for lang in shown)),
    ]  # fmt: skip
    x, y = 0.02, 18 + 26 * len(shown)
    for colour, text in legend:
        item = fig.text(
            x, 1 - y / height, "■ " + plain(text), color=colour if colour != ALL else MUTED,
            family=family, fontsize=_LEGEND_PT, va="top",
        )  # fmt: skip
        fit_text(item, room if legend_lines > 1 else room / 2 - 8, min_pt=_FOOTER_PT)
        if legend_lines > 1:
            y += 26
        else:
            x += (item.get_window_extent().width + 24) / WIDTH_PX
    footer = fig.text(
        0.98,
        0.015,
        plain(" / ".join(t("track.not_forecast", lang) for lang in shown)),
        color=MUTED,
        family=family,
        fontsize=_FOOTER_PT,
        ha="right",
    )
    fit_text(footer, room, min_pt=_FOOTER_PT)
    return png_bytes(fig, dpi)


def history_chart_filename(view: HistoryView) -> str:
    """A safe attachment file name for the history chart."""
    safe = "".join(ch if ch.isalnum() else "_" for ch in view.ticker)
    return f"{safe}_history_{view.record.as_of:%Y%m%d}.png"
