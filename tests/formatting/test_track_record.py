"""Words of the track record: the card line, "too few", the table, "not a forecast" everywhere."""

from __future__ import annotations

import re
from datetime import date

from formatting.card import languages
from formatting.i18n import t
from formatting.track_record import (
    HistoryView,
    display_width,
    history_table,
    history_text,
    monospace,
    track_line,
)
from signals.regimes import Regime
from signals.track_record import Stats, TrackRecord

NONE = Stats(n=0, up5=None, med5=None, n21=0, up21=None, med21=None)


def record(n: int = 87, *, n21: int = 80) -> TrackRecord:
    """A record whose defensive impulse has the issue's example figures."""
    regimes = dict.fromkeys(Regime, NONE)
    regimes[Regime.DEFENSIVE_IMPULSE] = Stats(
        n=n, up5=0.54, med5=0.0041, n21=n21, up21=0.6, med21=0.012
    )
    return TrackRecord(
        ticker="IWM",
        as_of=date(2026, 6, 8),
        sessions=5040,
        since=date(2006, 7, 3),
        current=Regime.DEFENSIVE_IMPULSE,
        previous=Regime.NEUTRAL,
        regimes=regimes,
        baseline=Stats(n=5000, up5=0.56, med5=0.0028, n21=4980, up21=0.6, med21=0.01),
        starts_after=None,
    )


def test_card_line_matches_the_issue_example():
    """The English line is the issue's example, then "not a forecast"."""
    assert track_line(record(), "en") == (
        "After past defensive impulse sessions (n=87 since 2006): up over the next 5 sessions "
        "54% of the time, median +0.41%; all sessions: 56%, +0.28%. "
        "This describes the past and is not a forecast."
    )
    zh = track_line(record(), "zh")
    assert zh is not None
    assert zh.startswith("以往出现防御动能后（2006年以来共87次）")
    assert zh.endswith("以上为历史统计，过往表现不代表未来表现。")


def test_too_few_below_twenty():
    """n = 19 says "too few past occurrences (19)"; n = 20 shows figures."""
    few = track_line(record(19), "en")
    assert few is not None and "too few past occurrences (19)" in few and "%" not in few
    assert "too few" not in (track_line(record(20), "en") or "")


def test_table_has_nine_regimes_and_the_baseline_in_each_language():
    """Header, nine regimes, baseline; the 21-session figures say too few below n21 = 20."""
    view = HistoryView(record=record(n21=5), source="yfinance")
    for lang in ("en", "zh"):
        rows = history_table(view, lang)
        assert len(rows) == 11
        assert rows[-1][0] == t("history.baseline", lang)
        current = next(r for r in rows if r[0].endswith(" *"))
        assert current[1:4] == ["87", "54%", "+0.41%"]
        assert current[5] == t("history.too_few", lang, n=5)


def test_history_text_says_not_a_forecast_in_every_language_shown():
    """Bilingual view: both the English and the Chinese sentence; English-only has no CJK."""
    view = HistoryView(record=record(), source="yfinance")
    both = history_text(view, "both")
    for lang in languages("both"):
        assert t("track.not_forecast", lang) in both
    assert not re.search(r"[\u4e00-\u9fff]", history_text(view, "en"))


def test_monospace_aligns_cjk_by_display_width():
    """Columns line up when cells mix Chinese (two columns wide) and ASCII."""
    lines = monospace([["状态", "n"], ["中性", "402"], ["All", "5"]]).splitlines()
    assert len({display_width(line) for line in lines}) == 1
