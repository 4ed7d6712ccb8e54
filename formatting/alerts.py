"""Regime alerts as messages: "IWM: neutral → defensive impulse", the figures, the track line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from formatting.card import Card, Language, languages
from formatting.embeds import MAX_CONTENT, clip, escape, no_mentions
from formatting.i18n import Lang, t
from formatting.labels import regime_label, source_name
from formatting.numbers import long_date, pct, price
from formatting.pagelinks import page_url
from formatting.track_record import track_line
from signals.regimes import Regime

JSON = dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class RegimeChange:
    """One alert's news: the ticker's regime at the session before and at the session."""

    previous: Regime
    card: Card

    @property
    def ticker(self) -> str:
        """The ticker, upper case."""
        return self.card.ticker


class Link(str):
    """A line that is a link to a research page: its text is "Research page: url" (plain);
    the chat renderers make it a link of their own markup from ``url`` and ``words``."""

    url: str
    words: str

    def __new__(cls, url: str, words: str, text: str) -> Link:
        line = super().__new__(cls, text)
        line.url, line.words = url, words
        return line


def change_lines(change: RegimeChange, lang: Lang) -> list[str]:
    """The change, the card's figures, its track-record line when known, and the link to the
    card's research page when the site is on (``Card.site_url``)."""
    s = change.card.signal
    lines = [
        t(
            "alert.change",
            lang,
            ticker=change.ticker,
            old=regime_label(change.previous, lang, change.ticker),
            new=regime_label(s.regime, lang, change.ticker),
        ),
        f"{t('card.price', lang)} {price(s.close, lang)} · {t('card.r_1d', lang)} "
        f"{pct(s.r_1d, lang)} · {t('card.r_5d', lang)} {pct(s.r_5d, lang)} · "
        f"{t('card.r_1m', lang)} {pct(s.r_1m, lang)}",
    ]
    if change.card.track is not None:
        line = track_line(change.card.track, lang)
        if line is not None:
            lines.append(line)
    card = change.card
    if card.site_url is not None:
        url = page_url(card.site_url, card.ticker, card.signal.as_of, lang)
        lines.append(Link(url, t("site.link", lang), t("site.link_line", lang, url=url)))
    return lines


def _discord_line(line: str) -> str:
    if isinstance(line, Link):  # a masked link; <> keeps Discord from embedding a preview
        return f"[{escape(line.words)}](<{line.url}>)"
    return escape(line)


def alert_blocks(
    changes: list[RegimeChange], session: date, language: Language, *, source: str
) -> list[list[str]]:
    """Per language shown: the title, every change, the source and the disclaimer."""
    out = []
    for lang in languages(language):
        lines = [t("alert.title", lang, date=long_date(session, lang))]
        for change in changes:
            lines += ["", *change_lines(change, lang)]
        lines += [
            "",
            t("card.source", lang, source=source_name(source, lang)),
            t("card.footer", lang),
        ]
        out.append(lines)
    return out


def alert_text(
    changes: list[RegimeChange], session: date, language: Language, *, source: str
) -> str:
    """The grouped alert as plain text (the terminal)."""
    return "\n\n".join(
        "\n".join(block) for block in alert_blocks(changes, session, language, source=source)
    )


def alert_to_discord(
    changes: list[RegimeChange], session: date, language: Language, *, source: str
) -> JSON:
    """One Discord message for every change of a channel; pings nobody."""
    blocks = alert_blocks(changes, session, language, source=source)
    text = "\n\n".join(
        "\n".join(
            f"**{escape(line)}**" if i == 0 else _discord_line(line) for i, line in enumerate(b)
        )
        for b in blocks
    )
    return {"content": clip(text, MAX_CONTENT), "allowed_mentions": no_mentions()}


def alert_to_slack(
    changes: list[RegimeChange], session: date, language: Language, *, source: str
) -> JSON:
    """One ``chat.postMessage`` body for every change of a channel."""
    # imported here: slack_sdk is loaded only when Slack is used (see tests/bot/test_lazy_imports)
    from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

    from formatting.blocks import MAX_FALLBACK_TEXT, MAX_SECTION_TEXT, escape_mrkdwn, link
    from formatting.blocks import clip as slack_clip

    def line(x: str) -> str:
        return link(x.url, x.words) if isinstance(x, Link) else escape_mrkdwn(x)

    blocks = alert_blocks(changes, session, language, source=source)
    sections = [
        SectionBlock(
            text=MarkdownTextObject(
                text=slack_clip(
                    "\n".join([f"*{escape_mrkdwn(b[0])}*", *(line(x) for x in b[1:])]),
                    MAX_SECTION_TEXT,
                )
            )
        ).to_dict()
        for b in blocks
    ]
    fallback = " / ".join(b[0] for b in blocks)
    return {
        "text": slack_clip(escape_mrkdwn(fallback), MAX_FALLBACK_TEXT),
        "blocks": sections,
        "unfurl_links": False,
        "unfurl_media": False,
    }
