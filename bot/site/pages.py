"""The pages of the site as Jinja2 renders them: a card page per fund, session and language, a
fund page per language, an index per language and the root's language choice.

Every word comes from the formatting layer (``card_text`` for a card's lines, the catalogs for
the page's own headings); every number is the card's, so a page says what ``signal`` says.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from bot.site.urls import HTML_LANG, OG_LOCALE, SLUG, absolute, relative
from formatting.card import Card
from formatting.colours import default_scheme
from formatting.i18n import language_name, t
from formatting.languages import Lang
from formatting.numbers import long_date
from formatting.pagelinks import PREVIEW_FILE
from formatting.text import card_text

SignalJson = Callable[[Card], dict[str, Any]]


@cache
def environment() -> Environment:
    """The templates, autoescaped (every field is escaped unless a template says otherwise)."""
    return Environment(
        loader=PackageLoader("bot.site", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@dataclass(frozen=True)
class Alternate:
    """One language version of a page, for ``hreflang`` and the language links."""

    hreflang: str
    url: str  # absolute, under the public URL
    href: str  # relative to the page
    name: str  # the language's own name
    current: bool


@dataclass(frozen=True)
class Number:
    """A figure with the word and arrow that say its direction beside its colour."""

    label: str
    value: str
    direction: str  # "up", "down" or "flat": the CSS class
    word: str  # "up" / "上涨" …
    arrow: str  # ▲ ▼ or –


def _direction(shown: str, lang: Lang) -> Number:
    direction = "down" if shown.startswith("-") else "up" if shown.startswith("+") else "flat"
    arrow = {"up": "▲", "down": "▼", "flat": "–"}[direction]
    return Number("", shown, direction, t(f"site.{direction}", lang), arrow)


def alternates(
    base: str, here: str, paths: Mapping[Lang, str], langs: Sequence[Lang]
) -> list[Alternate]:
    """The language versions of one page (``paths``: each language's path), ``here`` included."""
    return [
        Alternate(
            hreflang=HTML_LANG[lang],
            url=absolute(base, paths[lang]),
            href=relative(here, paths[lang]) if paths[lang] != here else "./",
            name=language_name(lang, lang),
            current=paths[lang] == here,
        )
        for lang in langs
    ]


def common_context(
    lang: Lang, here: str, base: str, alts: list[Alternate], default: str
) -> dict[str, Any]:
    return {
        "html_lang": HTML_LANG[lang],
        "og_locale": OG_LOCALE[lang],
        "canonical": absolute(base, here),
        "alternates": alts,
        "x_default": absolute(base, default),
        "css": relative(here, "site.css"),
        "colours": default_scheme(lang),
        "languages_label": t("site.languages", lang),
        "back": t("site.back", lang),
        "back_href": relative(here, f"{SLUG[lang]}/"),
    }


def chart_alt(card: Card, lang: Lang) -> str:
    """The chart's text alternative: the span of closes it draws and the card's numbers."""
    text = card_text(card, lang)
    numbers = t("card.number_sep", lang).join(
        t("card.number", lang, label=label, value=value) for label, value in text.numbers
    )
    return t(
        "site.chart_alt",
        lang,
        ticker=card.ticker,
        n=len(card.closes),
        first=long_date(card.closes[0][0], lang),
        last=long_date(card.closes[-1][0], lang),
        numbers=numbers,
        label=text.regime_label,
    )


def card_page(
    card: Card,
    lang: Lang,
    *,
    here: str,
    paths: Mapping[Lang, str],
    langs: Sequence[Lang],
    base: str,
    fund_href: str,
    signal_json: SignalJson,
    chart_src: str = "chart.png",
) -> str:
    """The HTML of one card in one language (``chart_src``: its chart, relative to the page)."""
    text = card_text(card, lang)
    alts = alternates(base, here, paths, langs)
    returns = [
        Number(label, value, n.direction, n.word, n.arrow)
        for label, value in text.returns
        for n in [_direction(value, lang)]
    ]
    tone = {1: "up", -1: "down", 0: "flat"}[text.tone]
    context = common_context(lang, here, base, alts, paths[langs[0]])
    context.update(
        text=text,
        tone=tone,
        returns=returns,
        chart_alt=chart_alt(card, lang),
        chart_src=chart_src,
        og_image=absolute(base, here + PREVIEW_FILE),
        headings={
            "signal": t("site.heading.signal", lang),
            "scope": t("site.heading.scope", lang),
            "track": t("site.heading.track", lang),
            "chart": t("site.heading.chart", lang),
        },
        fund_href=fund_href,
        fund_title=t("site.fund_title", lang, ticker=card.ticker),
        data=json.dumps(signal_json(card), ensure_ascii=False, sort_keys=True),
    )
    return environment().get_template("card.html").render(context)


@dataclass(frozen=True)
class SessionLink:
    """One session on a fund page: its date, regime label and tone, and its link."""

    day: date
    when: str
    label: str
    tone: str
    href: str


def fund_page(
    ticker: str,
    lang: Lang,
    *,
    here: str,
    paths: Mapping[Lang, str],
    langs: Sequence[Lang],
    base: str,
    latest: Card,
    sessions: Sequence[SessionLink],
    latest_href: str,
) -> str:
    """The HTML of a fund's page in one language: the latest session, then every session."""
    alts = alternates(base, here, paths, langs)
    context = common_context(lang, here, base, alts, paths[langs[0]])
    text = card_text(latest, lang)
    context.update(
        title=t("site.fund_title", lang, ticker=ticker),
        text=text,
        tone={1: "up", -1: "down", 0: "flat"}[text.tone],
        latest_heading=t("site.latest", lang),
        latest_href=latest_href,
        sessions_heading=t("site.sessions", lang),
        strip_heading=t("site.strip", lang, n=len(sessions)),
        sessions=sessions,
        og_image=absolute(base, _resolve(here, latest_href) + PREVIEW_FILE),
    )
    return environment().get_template("fund.html").render(context)


def _resolve(here: str, href: str) -> str:
    """The site path ``href`` (relative to ``here``) points at."""
    parts = here.rstrip("/").split("/") if here else []
    for part in href.split("/"):
        if part == "..":
            parts.pop()
        elif part and part != ".":
            parts.append(part)
    return "/".join(parts) + "/"


@dataclass(frozen=True)
class FundLink:
    """One fund on the index: its title, latest label and tone, and its link."""

    ticker: str
    name: str
    label: str
    tone: str
    when: str
    href: str


@dataclass(frozen=True)
class MarketLink:
    """One market's latest day page on the index."""

    title: str
    href: str


def index_page(
    lang: Lang,
    *,
    here: str,
    paths: Mapping[Lang, str],
    langs: Sequence[Lang],
    base: str,
    funds: Sequence[FundLink],
    markets: Sequence[MarketLink] = (),
) -> str:
    """The HTML of the index in one language: every fund with its latest regime."""
    alts = alternates(base, here, paths, langs)
    context = common_context(lang, here, base, alts, "")
    context.update(
        title=t("site.index_title", lang),
        kicker=t("card.kicker", lang),
        funds_heading=t("site.funds", lang),
        funds=funds,
        markets_heading=t("site.markets", lang),
        markets=markets,
        og_image=None,
    )
    return environment().get_template("index.html").render(context)


def root_page(*, paths: Mapping[Lang, str], langs: Sequence[Lang], base: str) -> str:
    """The root: the index's title in each language, each linking to its index."""
    alts = alternates(base, "", paths, langs)
    first = langs[0]
    context = common_context(first, "", base, alts, "")
    context.update(
        titles=[(a, t("site.index_title", lang)) for a, lang in zip(alts, langs, strict=True)],
        title=" / ".join(t("site.index_title", lang) for lang in langs),
        og_image=None,
    )
    return environment().get_template("root.html").render(context)
