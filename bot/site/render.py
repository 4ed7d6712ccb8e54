"""Drawing and writing the pages of a batch of funds: what a build hands its worker processes.

Each card's chart carries no words (prices and ISO dates; its heading and its text alternative
are the page's, in the page's language), so it is drawn once per colour convention (green-up for
English, red-up for Chinese) and shared by the language versions:
``IWM/2026-06-08/chart-red-up.svg``. The preview image carries words: one per language. A card
whose data on disk is unchanged is not written again (the running bot writes after every digest).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.site.pages import SessionLink, SignalJson, card_page, fund_page
from bot.site.preview import preview_png
from bot.site.svgchart import chart_svg
from bot.site.urls import card_path, fund_path, relative
from bot.site.write import write_atomic
from formatting.card import Card
from formatting.colours import ColourScheme, default_scheme
from formatting.i18n import t
from formatting.languages import Lang
from formatting.numbers import long_date
from formatting.pagelinks import PREVIEW_FILE
from signals.regimes import REGIME_TONE

#: How many sessions a fund page shows (about three months).
FUND_SESSIONS = 60
TONE = {1: "up", -1: "down", 0: "flat"}


def public_json(data: dict[str, Any]) -> dict[str, Any]:
    """``signal --json``'s data for a public page: the price source by its kind only (a CSV
    source's id holds its folder's path, which is nobody's business)."""
    source = str(data.get("source", ""))
    return {**data, "source": "+".join(one.partition(":")[0] for one in source.split("+"))}


def chart_name(scheme: ColourScheme) -> str:
    """The shared chart's file name, beside the languages' folders."""
    return f"chart-{scheme}.svg"


@dataclass(frozen=True)
class Batch:
    """Funds for one worker: each fund's cards, oldest first."""

    out: Path
    histories: tuple[tuple[Card, ...], ...]
    langs: tuple[Lang, ...]
    base: str
    signal_json: SignalJson


def write_batch(batch: Batch) -> int:
    """Write every page of the batch's funds; how many pages were written."""
    return sum(_write_fund(batch, history) for history in batch.histories)


def _unchanged(folder: Path, data: str, paths: dict[Lang, str], out: Path) -> bool:
    try:
        same = (folder / "signal.json").read_text(encoding="utf-8") == data
    except OSError:
        return False
    return same and all((out / path / "index.html").is_file() for path in paths.values())


def _write_fund(batch: Batch, history: Sequence[Card]) -> int:
    out, langs = batch.out, batch.langs
    ticker = history[-1].ticker
    fund_paths = {lang: fund_path(ticker, lang) for lang in langs}
    pages = 0
    for card in history:
        paths = {lang: card_path(ticker, card.signal.as_of, lang) for lang in langs}
        folder = out / paths[langs[0]].rsplit("/", 2)[0]
        data = json.dumps(public_json(batch.signal_json(card)), indent=2)
        if _unchanged(folder, data, paths, out):
            continue
        for scheme in dict.fromkeys(default_scheme(lang) for lang in langs):
            write_atomic(folder / chart_name(scheme), chart_svg(card, scheme))
        for lang in langs:
            here = paths[lang]
            write_atomic(out / here / PREVIEW_FILE, preview_png(card, lang))
            html = card_page(
                card,
                lang,
                here=here,
                paths=paths,
                langs=langs,
                base=batch.base,
                fund_href=relative(here, fund_paths[lang]),
                signal_json=lambda c: public_json(batch.signal_json(c)),
                chart_src="../" + chart_name(default_scheme(lang)),
            )
            write_atomic(out / here / "index.html", html)
            pages += 1
        write_atomic(folder / "signal.json", data)  # last: a pass cut short is written again
    latest = history[-1]
    for lang in langs:
        here = fund_paths[lang]
        html = fund_page(
            ticker,
            lang,
            here=here,
            paths=fund_paths,
            langs=langs,
            base=batch.base,
            latest=latest,
            sessions=session_links(out, ticker, lang, here),
            latest_href=relative(here, card_path(ticker, latest.signal.as_of, lang)),
        )
        write_atomic(out / here / "index.html", html)
        pages += 1
    return pages


def tone_of(regime: str) -> str:
    """``up``, ``down`` or ``flat``: the tone of a regime's value (``uptrend`` …)."""
    return TONE[next(v for k, v in REGIME_TONE.items() if k.value == regime)]


def session_links(root: Path, ticker: str, lang: Lang, here: str) -> list[SessionLink]:
    """The fund's sessions on disk (this build's and earlier ones'), newest first."""
    found: list[SessionLink] = []
    folder = root / card_path(ticker, date(2000, 1, 1), lang).split("/")[0]
    for data in sorted(folder.glob("*/signal.json"), reverse=True)[:FUND_SESSIONS]:
        signal = json.loads(data.read_text(encoding="utf-8"))
        day = date.fromisoformat(signal["as_of"])
        regime = signal["regime"]
        found.append(
            SessionLink(
                day=day,
                when=long_date(day, lang),
                label=t(f"regime.{regime}.label", lang),
                tone=tone_of(regime),
                href=relative(here, card_path(ticker, day, lang)),
            )
        )
    return found
