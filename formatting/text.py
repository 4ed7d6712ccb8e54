"""The words of a card in one language: every line a renderer lays out, as plain text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from formatting.card import Card
from formatting.i18n import Lang, t
from formatting.labels import regime_label, regime_meaning, regime_phrase, source_name
from formatting.languages import CHINESE
from formatting.memo import IdentityMemo
from formatting.numbers import long_date, magnitude, pct, price
from formatting.pagelinks import page_url
from formatting.track_record import track_line
from signals.exchanges import is_us
from signals.fund_catalog.contexts import FUND_CONTEXT
from signals.momentum import Signal
from signals.regimes import REGIME_TABLE, REGIME_TONE


@dataclass(frozen=True, kw_only=True)
class CardText:
    """Every line of a card in one language, unescaped; ``None`` for lines the card lacks.

    ``tracks``, ``fund_name``, ``context`` and ``watch`` come from the fund catalog and are
    ``None`` for a ticker that is not in it. ``ticker`` is raw user-facing input: renderers
    escape every field for their markup.
    """

    lang: Lang
    ticker: str
    tone: int  # -1 defensive, 0 neutral, +1 constructive
    title: str
    kicker: str
    tracks: str | None
    fund_name: str | None
    regime_heading: str
    regime_label: str
    meaning: str
    price_label: str
    price: str
    returns: tuple[tuple[str, str], ...]  # (label, value) for 1D, 5D, 1M
    scope: str
    paragraph: str  # the seed's "The Signal" sentence (SIGNALS.md "The signal paragraph")
    details_heading: str  # the seed's four sections: signal details (figures and paragraph),
    boundaries_heading: str  # market context, interpretation boundaries (scope and long_term)
    long_term: str  # and what to watch next
    context_heading: str
    context: str | None
    watch_heading: str
    watch: str | None
    as_of: str
    stale: str | None
    source: str
    footer: str
    track: str | None = None  # the track-record line (with "not a forecast"), when known
    page_url: str | None = None  # the card's research page in this language (Card.site_url)
    page_link: str = ""  # the words of that link ("Research page")

    @property
    def boundaries(self) -> str:
        """The interpretation boundaries: the scope line, then "not a long-term judgement"."""
        return f"{self.scope}{'' if self.lang in CHINESE else ' '}{self.long_term}"

    @property
    def numbers(self) -> tuple[tuple[str, str], ...]:
        """Price then 1D, 5D, 1M as (label, value) pairs."""
        return ((self.price_label, self.price), *self.returns)


def as_of_line(signal: Signal, lang: Lang) -> str:
    """ "Data as of <date> close", naming the exchange outside the US: "… close (Hong Kong)"."""
    when = long_date(signal.as_of, lang)
    if is_us(signal.exchange):
        return t("card.as_of", lang, date=when)
    return t("card.as_of_market", lang, date=when, market=t(f"market.{signal.exchange}", lang))


def latest_close(as_of: date, sessions: int, lang: Lang) -> str:
    """The card's stale line: "Latest close available: <date> (N sessions ago)"."""
    key = "card.latest_close_one" if sessions == 1 else "card.latest_close"
    return t(key, lang, date=long_date(as_of, lang), sessions=sessions)


#: The lines of recently rendered cards: a card shown again (the same object, from the command's
#: card memo) is not worded again for every renderer and request.
_TEXTS = IdentityMemo(capacity=512)


#: The three returns of the paragraph and the catalog key that places each one.
_MOVES = (("r_1d", "card.move.1d"), ("r_5d", "card.move.5d"), ("r_1m", "card.move.1m"))


def _moves(card: Card, lang: Lang) -> str:
    """ "down 3.55% on the day, 2.33% over five sessions and 0.22% over one month" (or zh).

    A direction is said again only when it changes (English drops a repeated "down"; Chinese
    catalogs say it every time); a return that rounds to 0.00% is "unchanged" / "持平".
    """
    parts, previous = [], ""
    for field, key in _MOVES:
        size = magnitude(getattr(card.signal, field), lang)
        direction = "flat" if size is None else "down" if getattr(card.signal, field) < 0 else "up"
        word = direction if direction != previous or direction == "flat" else f"{direction}_again"
        move = t(f"card.move.{word}", lang, pct=size or "")
        parts.append(t(key, lang, move=move))
        previous = direction
    return t("card.move.list", lang, first=parts[0], second=parts[1], last=parts[2])


def _close(close: float, currency: str | None, lang: Lang) -> str:
    """The close in the paragraph: "$281.65" / "281.65美元" for dollars; other currencies (and an
    unreported one) as :func:`~formatting.numbers.price` shows them."""
    if currency == "USD":
        return t("card.dollars", lang, amount=price(close, lang).replace("$", "", 1))
    return price(close, lang, currency)


def signal_paragraph(card: Card, lang: Lang) -> str:
    """The card's one plain sentence, in the seed's form, from the card's own numbers."""
    signal, fund = card.signal, card.fund
    params = {
        "date": long_date(signal.as_of, lang),
        "ticker": card.ticker,
        "price": _close(signal.close, signal.currency, lang),
        "moves": _moves(card, lang),
        "phrase": regime_phrase(signal.regime, lang, card.ticker),
    }
    # "short-term" only where the fast score is not flat (SIGNALS.md, the signal paragraph)
    flat = "_flat" if signal.regime in REGIME_TABLE[1] else ""
    if fund is None:
        return t(f"card.signal_ticker{flat}", lang, **params)
    return t(f"card.signal{flat}", lang, name=fund.name_in(lang), **params)


def _context(ticker: str, general: str, lang: Lang) -> str:
    """The market context: the fund and its index (the most-held funds), then its asset class."""
    fund = FUND_CONTEXT.get(ticker)
    if fund is None:
        return general
    return f"{fund.get(lang)}{'' if lang in CHINESE else ' '}{general}"


def card_text(card: Card, lang: Lang) -> CardText:
    """The lines of ``card`` in ``lang`` (pure; remembered for the same card object)."""
    return _TEXTS.get((card,), lang, lambda: _card_text(card, lang))


def _card_text(card: Card, lang: Lang) -> CardText:
    signal, fund = card.signal, card.fund
    label = regime_label(signal.regime, lang, card.ticker)
    if fund is not None:
        index = fund.tracks.get(lang)
        title = t("card.title", lang, ticker=card.ticker, index=index, label=label)
        tracks: str | None = t("card.tracks", lang, ticker=card.ticker, index=index)
        info = fund.info
        context: str | None = _context(card.ticker, info.context.get(lang), lang)
        watch: str | None = info.watch.get(lang)
        fund_name: str | None = fund.name_in(lang)
    else:
        title = t("card.title_ticker", lang, ticker=card.ticker, label=label)
        tracks = context = watch = fund_name = None
    stale = latest_close(signal.as_of, card.sessions_behind, lang) if card.stale else None
    return CardText(
        lang=lang,
        ticker=card.ticker,
        tone=REGIME_TONE[signal.regime],
        title=title,
        kicker=t("card.kicker", lang),
        tracks=tracks,
        fund_name=fund_name,
        regime_heading=t("card.regime", lang),
        regime_label=label,
        meaning=t("card.meaning", lang, text=regime_meaning(signal.regime, lang, card.ticker)),
        price_label=t("card.price", lang),
        price=price(signal.close, lang, signal.currency),
        returns=(
            (t("card.r_1d", lang), pct(signal.r_1d, lang)),
            (t("card.r_5d", lang), pct(signal.r_5d, lang)),
            (t("card.r_1m", lang), pct(signal.r_1m, lang)),
        ),
        scope=t("card.scope", lang),
        paragraph=signal_paragraph(card, lang),
        details_heading=t("card.details", lang),
        boundaries_heading=t("card.boundaries", lang),
        long_term=t("card.long_term", lang),
        context_heading=t("card.context", lang),
        context=context,
        watch_heading=t("card.watch", lang),
        watch=watch,
        as_of=as_of_line(signal, lang),
        stale=stale,
        source=t("card.source", lang, source=source_name(card.source, lang)),
        footer=t("card.footer", lang),
        track=track_line(card.track, lang) if card.track is not None else None,
        page_url=None
        if card.site_url is None
        else page_url(card.site_url, card.ticker, signal.as_of, lang),
        page_link=t("site.link", lang),
    )
