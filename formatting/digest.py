"""The platform-neutral daily digest: a watchlist's signals for one session, and its words.

:class:`Digest` holds numbers only (no words, no markup); :func:`digest_text` turns it into the
lines of one language, which the renderers in :mod:`formatting.digest_render` lay out and split.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len

from formatting.card import Language, languages
from formatting.colours import ColourScheme, resolve
from formatting.i18n import Lang, Term, t
from formatting.labels import regime_key, regime_label, source_name
from formatting.languages import script_of
from formatting.numbers import long_date, pct, price
from formatting.pagelinks import DAY_IMAGE_FILE, day_url, main_market
from signals.calendar import sessions_between
from signals.momentum import Signal
from signals.regimes import REGIME_ORDER, REGIME_TONE, Regime

if TYPE_CHECKING:  # formatting.heatmap loads matplotlib: only when a heatmap is wanted
    from formatting.heatmap import HeatmapRow

_RANK = {regime: i for i, regime in enumerate(REGIME_ORDER)}


@dataclass(frozen=True, kw_only=True)
class DigestRow:
    """One watchlist ticker: its signal, and its regime on the previous recorded session."""

    signal: Signal
    previous: Regime | None = None

    @property
    def ticker(self) -> str:
        """The ticker, upper case."""
        return self.signal.ticker

    @property
    def changed(self) -> bool:
        """True when the regime differs from the previous recorded session's."""
        return self.previous is not None and self.previous != self.signal.regime


@dataclass(frozen=True, kw_only=True)
class DigestIssue:
    """A watchlist ticker without a signal, as a catalog message (key and parameters)."""

    ticker: str
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Digest:
    """A watchlist's digest for ``session``; ``rows`` sorted most defensive regime first."""

    session: date
    rows: tuple[DigestRow, ...]
    issues: tuple[DigestIssue, ...] = ()
    source: str = "yfinance"
    site_url: str | None = None  # the research site (SIGNALBOT_PUBLIC_URL): link its day page
    #: The session each ticker is expected at when it is not ``session`` (a ticker of another
    #: exchange in a mixed watchlist: its own exchange's last session closed by then).
    expected: tuple[tuple[str, date], ...] = ()

    def expected_of(self, ticker: str) -> date:
        """The session ``ticker``'s figures should be for (``session`` unless it trades on
        another exchange than the one the digest follows)."""
        return next((day for name, day in self.expected if name == ticker), self.session)

    @property
    def changes(self) -> tuple[DigestRow, ...]:
        """Rows whose regime changed since the previous session, in table order."""
        return tuple(row for row in self.rows if row.changed)

    @property
    def data_as_of(self) -> date:
        """The session the oldest figures of the digest's own exchange are for (``session``
        unless the source lags); rows of other exchanges say their own date."""
        own = [r.signal.as_of for r in self.rows if self.expected_of(r.ticker) == self.session]
        return min(own, default=self.session)

    @property
    def stale(self) -> bool:
        """True when some figures are older than the session expected of them."""
        return any(row.signal.as_of < self.expected_of(row.ticker) for row in self.rows)

    @property
    def has_history(self) -> bool:
        """True when some row's previous regime is known (so "no changes" means something)."""
        return any(row.previous is not None for row in self.rows)

    @property
    def tone(self) -> int:
        """-1, 0 or +1: the sign of the summed regime tones (colours)."""
        total = sum(REGIME_TONE[row.signal.regime] for row in self.rows)
        return (total > 0) - (total < 0)


def sort_rows(rows: Sequence[DigestRow]) -> tuple[DigestRow, ...]:
    """Rows by :data:`~signals.regimes.REGIME_ORDER`; equal regimes keep the watchlist order."""
    return tuple(sorted(rows, key=lambda row: _RANK[row.signal.regime]))


def build_digest(
    session: date,
    signals: Sequence[Signal],
    *,
    previous: Mapping[str, Regime | None] | None = None,
    issues: Sequence[DigestIssue] = (),
    source: str = "yfinance",
    expected: Mapping[str, date] | None = None,
) -> Digest:
    """A digest of ``signals`` (watchlist order) with their previous regimes, sorted.

    ``expected``: each ticker's own session where it is not ``session`` (another exchange).
    """
    before = previous or {}
    own = {t: day for t, day in (expected or {}).items() if day != session}
    rows = [DigestRow(signal=s, previous=before.get(s.ticker)) for s in signals]
    notes = (*_stale_rows(session, signals, own), *issues)
    return Digest(
        session=session,
        rows=sort_rows(rows),
        issues=notes,
        source=source,
        expected=tuple(sorted(own.items())),
    )


@dataclass(frozen=True, kw_only=True)
class DigestText:
    """Every line of a digest in one language, unescaped and unsplit."""

    lang: Lang
    title: str
    changes_heading: str
    changes: tuple[str, ...]  # one line per regime change, table order
    no_changes: str | None  # "no regime changes", when the previous regimes are known
    header: tuple[str, ...]  # table column names: ticker, close, 1D, 5D, 1M, regime
    rows: tuple[tuple[str, ...], ...]  # table cells, same order as ``header``
    issues: tuple[str, ...]
    as_of: str
    stale: str | None
    scope: str
    footer: str
    page_url: str | None = None  # the market's day page on the research site, this language
    page_link: str = ""

    def part_title(self, part: int, total: int) -> str:
        """The title, with ``(part 2 of 3)`` when the digest takes several messages."""
        if total <= 1:
            return self.title
        suffix = t("digest.part", self.lang, part=part, total=total)
        return t("digest.titled_part", self.lang, title=self.title, part=suffix)


def digest_text(digest: Digest, lang: Lang) -> DigestText:
    """The lines of ``digest`` in ``lang``."""
    session = long_date(digest.session, lang)
    as_of = long_date(digest.data_as_of, lang)
    changes = tuple(
        t(
            "digest.change",
            lang,
            ticker=row.ticker,
            old=regime_label(row.previous, lang, row.ticker) if row.previous else "",
            new=regime_label(row.signal.regime, lang, row.ticker),
        )
        for row in digest.changes
    )
    rows = tuple(
        (
            row.ticker,
            price(row.signal.close, lang, row.signal.currency),
            pct(row.signal.r_1d, lang),
            pct(row.signal.r_5d, lang),
            pct(row.signal.r_1m, lang),
            regime_label(row.signal.regime, lang, row.ticker),
        )
        for row in digest.rows
    )
    source = t("card.source", lang, source=source_name(digest.source, lang))
    as_of_line = t("card.as_of", lang, date=as_of)
    return DigestText(
        lang=lang,
        title=t("digest.title", lang, date=session),
        changes_heading=t("digest.changes", lang),
        changes=changes,
        no_changes=None if changes or not digest.has_history else t("digest.no_changes", lang),
        header=(
            t("digest.col.ticker", lang),
            t("digest.col.close", lang),
            t("card.r_1d", lang),
            t("card.r_5d", lang),
            t("card.r_1m", lang),
            t("card.regime", lang),
        ),
        rows=rows,
        issues=tuple(t(issue.key, lang, **_written(issue.params, lang)) for issue in digest.issues),
        as_of=f"{as_of_line} · {source}",
        stale=(
            t("digest.stale", lang, expected=session, as_of=as_of)
            if digest.data_as_of < digest.session
            else None
        ),
        scope=t("card.scope", lang),
        footer=t("card.footer", lang),
        page_url=_day_url(digest, lang),
        page_link=t("site.day_link", lang),
    )


def _day_url(digest: Digest, lang: Lang) -> str | None:
    market = main_market(row.signal.exchange for row in digest.rows)
    if digest.site_url is None or market is None:
        return None
    return day_url(digest.site_url, market, digest.session, lang)


def _written(params: Mapping[str, Any], lang: Lang) -> dict[str, Any]:
    """``params`` written in ``lang``: dates in full (``June 8, 2026`` / ``2026年6月8日``), each
    :class:`Term` translated."""
    return {
        k: long_date(v, lang)
        if isinstance(v, date)
        else t(v.key, lang)
        if isinstance(v, Term)
        else v
        for k, v in params.items()
    }


def _stale_rows(
    session: date, signals: Sequence[Signal], expected: Mapping[str, date]
) -> list[DigestIssue]:
    """One "latest close available: <date> (N sessions ago)" line per ticker whose data is
    older than the session expected of it (counted on its own exchange's calendar), and one
    "as of <date> close (<exchange>)" line per ticker of another exchange whose session is not
    the digest's (the date written out in each language: 2026年12月2日)."""
    issues = []
    for signal in signals:
        own = expected.get(signal.ticker, session)
        if signal.as_of < own:
            behind = sessions_between(signal.as_of, own, signal.exchange)
            key = "digest.row_latest_close_one" if behind == 1 else "digest.row_latest_close"
            params = {"ticker": signal.ticker, "date": signal.as_of, "sessions": behind}
            issues.append(DigestIssue(ticker=signal.ticker, key=key, params=params))
        elif signal.as_of != session:
            params = {
                "ticker": signal.ticker,
                "date": signal.as_of,
                "market": Term(f"market.{signal.exchange}"),
            }
            issues.append(DigestIssue(ticker=signal.ticker, key="digest.row_as_of", params=params))
    return issues


def digest_lines(digest: Digest) -> list[tuple[str, dict[str, Any]]]:
    """The digest as (catalog key, parameters) lines: a fallback for surfaces that show
    catalog messages only (a ``Term`` is translated, a ``date`` written out, per language)."""
    lines: list[tuple[str, dict[str, Any]]] = [("digest.title", {"date": digest.session})]
    for row in digest.changes:
        params = {
            "ticker": row.ticker,
            "old": Term(regime_key(row.previous, ticker=row.ticker)) if row.previous else "",
            "new": Term(regime_key(row.signal.regime, ticker=row.ticker)),
        }
        lines.append(("digest.change", params))
    for row in digest.rows:
        s = row.signal
        params = {
            "ticker": s.ticker,
            # numbers read the same in both catalogs' locales
            "close": price(s.close, "en", s.currency),
            **{name: pct(getattr(s, name), "en") for name in ("r_1d", "r_5d", "r_1m")},
            "label": Term(regime_key(s.regime, ticker=s.ticker)),
        }
        lines.append(("digest.row", params))
    lines += [(issue.key, dict(issue.params)) for issue in digest.issues]
    lines.append(("card.as_of", {"date": digest.data_as_of}))
    if digest.data_as_of < digest.session:
        lines.append(("digest.stale", {"expected": digest.session, "as_of": digest.data_as_of}))
    return [*lines, ("card.scope", {}), ("card.footer", {})]


def table_lines(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A monospace table: ticker left-aligned, numbers right-aligned, the label last (unpadded).

    Widths count terminal cells, so Chinese headers (two cells per character) still line up.
    """
    width = [max(cell_len(line[i]) for line in (header, *rows)) for i in range(len(header) - 1)]

    def line(cells: Sequence[str]) -> str:
        out = [cells[0] + " " * (width[0] - cell_len(cells[0]))]
        out += [" " * (width[i] - cell_len(c)) + c for i, c in enumerate(cells[1:-1], start=1)]
        return "  ".join([*out, cells[-1]])

    return [line(header), *(line(r) for r in rows)]


@dataclass(frozen=True, kw_only=True)
class HeatmapSpec:
    """One heatmap image of a digest: its rows (table order), words and colours."""

    rows: tuple[HeatmapRow, ...]
    title: str
    column_labels: tuple[str, str, str]
    regime_label: str
    legend: str
    up: str  # colour of a rise in the server's convention
    down: str
    script: Lang = "zh"  # the Chinese of the words: picks the CJK font face

    def render(self, *, width_px: int = 800) -> bytes:
        """The PNG (blocking: call it in a worker thread or process)."""
        # matplotlib and the CJK font load with the first heatmap, not at start-up
        from formatting.heatmap import render_heatmap

        return render_heatmap(
            self.rows,
            title=self.title,
            column_labels=self.column_labels,
            regime_label=self.regime_label,
            legend=self.legend,
            up=self.up,
            down=self.down,
            width_px=width_px,
            script=self.script,
        )


def heatmap_specs(
    digest: Digest, lang: Language, *, colors: ColourScheme | None = None
) -> list[HeatmapSpec]:
    """The heatmaps of ``digest`` (one per ``MAX_HEATMAP_ROWS`` rows; none without rows)."""
    from formatting.heatmap import MAX_HEATMAP_ROWS, HeatmapRow

    shown = languages(lang)
    palette = resolve(colors, lang)
    title = " / ".join(t("heatmap.title", lg, date=long_date(digest.session, lg)) for lg in shown)
    labels = tuple(
        " / ".join(t(key, lg) for lg in shown) for key in ("card.r_1d", "card.r_5d", "card.r_1m")
    )
    cells = [
        HeatmapRow(
            ticker=row.ticker,
            regime=" / ".join(regime_label(row.signal.regime, lg, row.ticker) for lg in shown),
            z_1d=row.signal.z_1d,
            z_5d=row.signal.z_5d,
            z_1m=row.signal.z_1m,
            r_1d=row.signal.r_1d,
            r_5d=row.signal.r_5d,
            r_1m=row.signal.r_1m,
        )
        for row in digest.rows
    ]
    return [
        HeatmapSpec(
            rows=tuple(cells[i : i + MAX_HEATMAP_ROWS]),
            title=title,
            column_labels=(labels[0], labels[1], labels[2]),
            regime_label=" / ".join(t("heatmap.col.regime", lg) for lg in shown),
            legend="\n".join(t("heatmap.legend", lg) for lg in shown),
            up=palette.up,
            down=palette.down,
            script=script_of(lang),
        )
        for i in range(0, len(cells), MAX_HEATMAP_ROWS)
    ]


#: File name of a digest's first heatmap image (the others are numbered from 2).
HEATMAP_FILE = DAY_IMAGE_FILE  # the research site links the day page's by this name


def heatmap_name(index: int) -> str:
    """File name of the ``index``-th heatmap image of a digest."""
    return HEATMAP_FILE if index == 0 else f"heatmap-{index + 1}.png"
