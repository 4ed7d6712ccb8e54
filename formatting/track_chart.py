"""The history view's chart: 5-session moves after the current regime vs all sessions (PNG)."""

from __future__ import annotations

import numpy as np

from formatting.card import Language, languages
from formatting.fonts import font_family
from formatting.i18n import t
from formatting.labels import regime_label
from formatting.plotting import GRID, INK, MUTED, new_figure, plain, png_bytes
from formatting.track_record import HistoryView

WIDTH_PX, HEIGHT_PX = 800, 360
BINS = 40
CURRENT = "#dc2626"
ALL = "#94a3b8"


def chart_title(view: HistoryView, language: Language) -> str:
    """The chart's title (and alt text) in the first language shown."""
    lang = languages(language)[0]
    record = view.record
    label = regime_label(record.current, lang, record.ticker) if record.current else "—"
    return t("history.chart.title", lang, ticker=record.ticker, label=label)


def history_chart_png(view: HistoryView, language: Language) -> bytes:
    """Share of sessions per 5-session move, after the current regime and after all sessions.

    Blocking (call it in a worker thread). Both histograms are normalised to shares, so a rare
    regime is comparable with the baseline; the medians are marked.
    """
    lang = languages(language)[0]
    record = view.record
    fig, dpi = new_figure(WIDTH_PX, HEIGHT_PX)
    family = list(font_family())
    ax = fig.add_axes((0.08, 0.16, 0.9, 0.66))
    everything = np.asarray(record.f5_all, dtype=float) * 100
    current = np.asarray(record.f5_current, dtype=float) * 100
    if len(everything):
        low, high = np.percentile(everything, [0.5, 99.5])
        edges = np.linspace(min(low, -1.0), max(high, 1.0), BINS + 1)
        for values, colour, alpha in ((everything, ALL, 0.55), (current, CURRENT, 0.55)):
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
    ax.tick_params(colors=MUTED, labelsize=9)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:+.0f}%")
    ax.yaxis.set_major_formatter(lambda y, _pos: f"{y:.0f}%")
    ax.set_xlabel(plain(t("history.chart.axis", lang)), color=MUTED, family=family, fontsize=10)
    fig.text(
        0.08,
        0.93,
        plain(chart_title(view, language)),
        color=INK,
        family=family,
        fontsize=13,
    )
    label = regime_label(record.current, lang, record.ticker) if record.current else "—"
    legend = [
        (CURRENT, t("history.chart.current", lang, label=label, n=len(current))),
        (ALL, t("history.chart.all", lang, n=len(everything))),
    ]
    for i, (colour, text) in enumerate(legend):
        fig.text(
            0.08 + 0.42 * i, 0.86, "■ " + plain(text), color=colour, family=family, fontsize=10
        )
    fig.text(
        0.98,
        0.02,
        plain(t("track.not_forecast", lang)),
        color=MUTED,
        family=family,
        fontsize=8,
        ha="right",
    )
    return png_bytes(fig, dpi)


def history_chart_filename(view: HistoryView) -> str:
    """A safe attachment file name for the history chart."""
    safe = "".join(ch if ch.isalnum() else "_" for ch in view.ticker)
    return f"{safe}_history_{view.record.as_of:%Y%m%d}.png"
