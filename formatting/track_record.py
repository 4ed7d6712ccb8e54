"""Words of the track record: the card's one line, and the history view's table and notes."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from formatting.card import Language, languages
from formatting.i18n import Lang, t
from formatting.labels import regime_label, source_name
from formatting.languages import CHINESE
from formatting.numbers import long_date, pct
from signals.regimes import REGIME_ORDER
from signals.track_record import MIN_OCCURRENCES, Stats, TrackRecord

#: Row order of the history table: most defensive first, as in the digest.
TABLE_ORDER = REGIME_ORDER
COLUMNS: tuple[str, ...] = ("regime", "n", "up5", "med5", "n21", "up21", "med21")


@dataclass(frozen=True, kw_only=True)
class HistoryView:
    """What ``/history`` shows: one ticker's track record and the source it came from."""

    record: TrackRecord
    source: str

    @property
    def ticker(self) -> str:
        """The ticker, upper case."""
        return self.record.ticker


def share(fraction: float, lang: Lang) -> str:
    """A share of sessions to 0 decimals: ``54%``."""
    del lang  # the same in both languages
    return f"{round(fraction * 100):.0f}%"


def track_line(record: TrackRecord, lang: Lang) -> str | None:
    """The card's line for its current regime (with "not a forecast"), or None without one."""
    stats = record.current_stats
    if record.current is None or stats is None or record.since is None:
        return None
    label = regime_label(record.current, lang, record.ticker)
    if stats.n < MIN_OCCURRENCES or stats.up5 is None or stats.med5 is None:
        line = t("track.too_few", lang, label=label, n=stats.n)
    else:
        base = record.baseline
        # a regime with n > 0 means the baseline has n > 0 too
        assert base.up5 is not None
        assert base.med5 is not None
        line = t(
            "track.line",
            lang,
            label=label,
            n=stats.n,
            year=record.since.year,
            up5=share(stats.up5, lang),
            med5=pct(stats.med5, lang),
            base_up5=share(base.up5, lang),
            base_med5=pct(base.med5, lang),
        )
    space = " " if lang == "en" else ""  # Chinese sentences follow each other without one
    return f"{line}{space}{t('track.not_forecast', lang)}"


def _cells(stats: Stats, lang: Lang) -> list[str]:
    def five() -> list[str]:
        if stats.n < MIN_OCCURRENCES or stats.up5 is None or stats.med5 is None:
            return [str(stats.n), t("history.too_few", lang, n=stats.n), ""]
        return [str(stats.n), share(stats.up5, lang), pct(stats.med5, lang)]

    def month() -> list[str]:
        if stats.n21 < MIN_OCCURRENCES or stats.up21 is None or stats.med21 is None:
            return [str(stats.n21), t("history.too_few", lang, n=stats.n21), ""]
        return [str(stats.n21), share(stats.up21, lang), pct(stats.med21, lang)]

    return five() + month()


def history_table(view: HistoryView, lang: Lang) -> list[list[str]]:
    """Header row, the nine regimes, then the baseline; "too few (n)" below 20 occurrences."""
    record = view.record
    rows = [[t(f"history.col.{c}", lang) for c in COLUMNS]]
    for regime in TABLE_ORDER:
        marker = " *" if regime is record.current else ""
        rows.append(
            [
                regime_label(regime, lang, record.ticker) + marker,
                *_cells(record.regimes[regime], lang),
            ]
        )
    rows.append([t("history.baseline", lang), *_cells(record.baseline, lang)])
    return rows


def history_notes(view: HistoryView, lang: Lang) -> list[str]:
    """Title, period and source, current regime, a cut history, and "not a forecast"."""
    record = view.record
    lines = [t("history.title", lang, ticker=record.ticker)]
    since = long_date(record.since, lang) if record.since is not None else "—"
    lines.append(
        t(
            "history.period",
            lang,
            sessions=record.sessions,
            since=since,
            as_of=long_date(record.as_of, lang),
            source=source_name(view.source, lang),
        )
    )
    if record.current is not None:
        lines.append(
            t("history.current", lang, label=regime_label(record.current, lang, record.ticker))
        )
    else:
        lines.append(t("history.no_current", lang))
    if record.starts_after is not None:
        lines.append(
            t(
                "track.starts_after",
                lang,
                date=long_date(record.starts_after, lang),
                source=source_name(view.source, lang),
            )
        )
    lines.append(t("track.not_forecast", lang))
    return lines


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospace font (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def monospace(rows: list[list[str]]) -> str:
    """Rows as an aligned plain-text table (first column left, the others right)."""
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - display_width(cell))
            cells.append(cell + pad if i == 0 else pad + cell)
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def history_text(view: HistoryView, language: Language) -> str:
    """The whole view as plain text, one block per language shown (English first)."""
    blocks = []
    for lang in languages(language):
        notes = history_notes(view, lang)
        blocks.append("\n".join([*notes[:-1], "", monospace(history_table(view, lang)), notes[-1]]))
    return "\n\n".join(blocks)


def history_to_terminal(view: HistoryView, language: Language) -> RenderableType:
    """The view for a terminal: per language, the notes and a table of the nine regimes."""
    parts: list[RenderableType] = []
    for lang in languages(language):
        notes = history_notes(view, lang)
        rows = history_table(view, lang)
        table = Table(box=None, padding=(0, 2, 0, 0), show_edge=False)
        for i, header in enumerate(rows[0]):
            table.add_column(
                header, header_style="bold", justify="left" if i == 0 else "right", no_wrap=True
            )
        for row in rows[1:]:
            table.add_row(*(Text(cell) for cell in row))
        parts += [Text(notes[0], style="bold"), *(Text(n, style="dim") for n in notes[1:-1])]
        style = "dim" if lang in CHINESE else "italic"  # Chinese has no italics
        parts += [table, Text(notes[-1], style=style), Text("")]
    return Group(*parts)
