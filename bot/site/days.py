"""A market's day page: the digest's table and heatmap of every fund on the site for one session.

The rows are read back from the funds' ``signal.json`` on disk (this build's and earlier ones'),
so a build of a few funds adds them to the day instead of hiding the others. The heatmap carries
words (its title, column labels and legend): one set of images per language.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.site.pages import alternates, common_context, environment
from bot.site.render import tone_of
from bot.site.urls import card_path, day_path, relative
from bot.site.write import write_atomic
from formatting.digest import build_digest, digest_text, heatmap_name, heatmap_specs
from formatting.i18n import t
from formatting.languages import Lang
from formatting.numbers import long_date
from signals.momentum import Signal
from signals.regimes import Regime

Day = tuple[str, date]  # (market MIC, session)


def _signal(data: Mapping[str, Any]) -> Signal:
    """A signal from its ``signal.json`` (the z-scores follow from the returns and sigma)."""
    sigma = float(data["sigma"])
    r = {k: float(data[k]) for k in ("r_1d", "r_5d", "r_1m")}
    return Signal(
        ticker=str(data["ticker"]),
        as_of=date.fromisoformat(str(data["as_of"])),
        close=float(data["close"]),
        **r,
        sigma=sigma,
        z_1d=math.log1p(r["r_1d"]) / sigma,
        z_5d=math.log1p(r["r_5d"]) / (sigma * math.sqrt(5)),
        z_1m=math.log1p(r["r_1m"]) / (sigma * math.sqrt(21)),
        fast=float(data["fast"]),
        slow=float(data["slow"]),
        regime=Regime(data["regime"]),
        closes=0,
        source=str(data.get("source", "")),
        currency=data.get("currency"),
        exchange=str(data.get("exchange", "XNYS")),
    )


def signals_on_disk(out: Path, days: Iterable[Day]) -> dict[Day, list[Signal]]:
    """Every fund's signal of each of ``days`` found under ``out``, by ticker."""
    wanted = set(days)
    found: dict[Day, list[Signal]] = defaultdict(list)
    for session in {day for _, day in wanted}:
        for data in sorted(out.glob(f"*/{session.isoformat()}/signal.json")):
            signal = _signal(json.loads(data.read_text(encoding="utf-8")))
            if (signal.exchange, session) in wanted:
                found[(signal.exchange, session)].append(signal)
    return found


@dataclass(frozen=True)
class DayJob:
    """One market's day page in one language (a worker process's task: its heatmaps are the
    costly part, so the languages are drawn side by side)."""

    out: Path
    market: str
    session: date
    signals: tuple[Signal, ...]
    langs: tuple[Lang, ...]  # every language of the site (the page links them all)
    base: str
    lang: Lang


def write_day(job: DayJob) -> int:
    """Write the day page of ``job``; how many pages (one)."""
    digest = build_digest(job.session, job.signals, source=job.signals[0].source)
    paths = {lang: day_path(job.market, job.session, lang) for lang in job.langs}
    env = environment()
    for lang in (job.lang,):
        here = paths[lang]
        images = []
        for i, spec in enumerate(heatmap_specs(digest, lang)):
            write_atomic(job.out / here / heatmap_name(i), spec.render())
            images.append(heatmap_name(i))
        text = digest_text(digest, lang)
        rows = [
            {
                "cells": cells,
                "href": relative(here, card_path(row.ticker, row.signal.as_of, lang)),
                "tone": tone_of(row.signal.regime.value),
                "moves": [_direction(cell) for cell in cells[2:5]],
            }
            for row, cells in zip(digest.rows, text.rows, strict=True)
        ]
        alts = alternates(job.base, here, paths, job.langs)
        context = common_context(lang, here, job.base, alts, paths[job.langs[0]])
        title = day_title(job.market, job.session, lang)
        context.update(
            title=title,
            description=text.title,
            text=text,
            rows=rows,
            images=images,
            heatmap_alt=t("site.heatmap_alt", lang, n=len(rows)),
            headings={
                "heatmap": t("site.heading.heatmap", lang),
                "table": t("site.heading.table", lang),
                "scope": t("site.heading.scope", lang),
            },
            og_image=None,
        )
        write_atomic(job.out / here / "index.html", env.get_template("day.html").render(context))
    return 1


def day_title(market: str, session: date, lang: Lang) -> str:
    """ "New York: ETF momentum, June 8, 2026" (or zh)."""
    return t(
        "site.day_title", lang, market=t(f"market.{market}", lang), date=long_date(session, lang)
    )


def _direction(shown: str) -> str:
    return "down" if shown.startswith("-") else "up" if shown.startswith("+") else "flat"


def day_jobs(out: Path, days: Iterable[Day], *, langs: Sequence[Lang], base: str) -> list[DayJob]:
    """The day pages of ``days`` in each language, each with every fund of its market on disk."""
    return [
        DayJob(out, market, session, tuple(signals), tuple(langs), base, lang)
        for (market, session), signals in sorted(signals_on_disk(out, days).items())
        if signals
        for lang in langs
    ]
