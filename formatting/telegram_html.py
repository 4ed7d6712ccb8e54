"""Cards, digests and regime alerts as Telegram HTML, escaped and split within Telegram's limits.

Telegram's HTML parse mode (https://core.telegram.org/bots/api#html-style) knows a few tags
(``<b>``, ``<i>``, ``<code>``, ``<pre>``, ``<a href>`` ...) and wants every ``<``, ``>`` and
``&`` that is not markup written as an entity; anything else is refused with 400 "can't parse
entities" and the whole message is lost. So nothing here writes markup by hand: a message is
made of :class:`Line` values (runs of plain text, each with at most one style), and only
:func:`render` turns them into HTML, escaping every string it is given.

A message holds 1-4096 characters and a caption 0-1024 "after entities parsing"
(https://core.telegram.org/bots/api#sendmessage, #sendphoto). :func:`html_length` counts the
HTML itself in UTF-16 code units, which is never less than what Telegram counts, so a part
within the limit here is within it there. :func:`split` cuts at line boundaries only (a
``<pre>`` run is closed at the end of a part and opened again in the next), and a single line
too long for a message at word boundaries; every part is valid HTML on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

from formatting.card import Card, Language, languages
from formatting.i18n import t
from formatting.text import CardText, card_text

if TYPE_CHECKING:
    from formatting.alerts import RegimeChange
    from formatting.digest import Digest, DigestText
    from formatting.digest_render import Page

#: https://core.telegram.org/bots/api#sendmessage: "1-4096 characters after entities parsing"
MAX_MESSAGE = 4096
#: https://core.telegram.org/bots/api#sendphoto: "0-1024 characters after entities parsing"
MAX_CAPTION = 1024

Style = Literal["", "b", "i", "code"]
_PRE_OPEN, _PRE_CLOSE = "<pre>", "</pre>"
_WORD = re.compile(r"\S+\s*|\s+")


#: After an ``@``, so that ``@name`` in a text is no mention (Telegram links and notifies it)
WORD_JOINER = "\u2060"


def escape(text: str) -> str:
    """``text`` shown literally in Telegram HTML: ``&``, ``<`` and ``>`` as entities, and no
    ``@name`` a mention (a word joiner after the ``@``, invisible)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("@", "@" + WORD_JOINER)


def escape_attribute(text: str) -> str:
    """``text`` inside a double-quoted attribute (a link's ``href``)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def html_length(html: str) -> int:
    """The length Telegram's limits are checked against, bounded from above: UTF-16 code units
    of the HTML (tags and entities count, so the text Telegram parses out is never longer)."""
    return len(html.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Span:
    """A run of plain text with one style (``b``, ``i``, ``code``) or a link (``href``)."""

    text: str
    style: Style = ""
    href: str | None = None

    def html(self) -> str:
        """The run as HTML, its text escaped."""
        body = escape(self.text)
        if self.href is not None:
            body = f'<a href="{escape_attribute(self.href)}">{body}</a>'
        return f"<{self.style}>{body}</{self.style}>" if self.style and body else body


@dataclass(frozen=True)
class Line:
    """One line of a message; ``pre`` lines (tables) are shown in a fixed-width ``<pre>``."""

    spans: tuple[Span, ...] = ()
    pre: bool = False

    @property
    def blank(self) -> bool:
        """True when the line shows nothing (no text, or spaces only)."""
        return all(not span.text.strip() for span in self.spans)

    def html(self) -> str:
        """The line's HTML (without the ``<pre>`` around a run of pre lines)."""
        return "".join(span.html() for span in self.spans)


BLANK = Line()


def line(text: str, style: Style = "") -> Line:
    """A line of one run of ``text``."""
    return Line((Span(text, style),))


def render(lines: Sequence[Line]) -> str:
    """The HTML of ``lines``: one per text line, runs of pre lines in one ``<pre>``."""
    out: list[str] = []
    for i, item in enumerate(lines):
        opens = item.pre and (i == 0 or not lines[i - 1].pre)
        closes = item.pre and (i == len(lines) - 1 or not lines[i + 1].pre)
        out.append((_PRE_OPEN if opens else "") + item.html() + (_PRE_CLOSE if closes else ""))
    return "\n".join(out)


def _trim(lines: Sequence[Line]) -> list[Line]:
    """Without the blank lines at either end (Telegram drops them anyway)."""
    items = list(lines)
    while items and items[0].blank:
        items.pop(0)
    while items and items[-1].blank:
        items.pop()
    return items


def fits(lines: Sequence[Line], limit: int = MAX_MESSAGE) -> bool:
    """Do ``lines`` make one message (or, with ``MAX_CAPTION``, one caption)?"""
    return html_length(render(_trim(lines))) <= limit


def caption(lines: Sequence[Line]) -> str | None:
    """``lines`` as a photo caption, or None when they do not fit in one."""
    items = _trim(lines)
    html = render(items)
    return html if html_length(html) <= MAX_CAPTION else None


def _break(item: Line, limit: int) -> list[Line]:
    """A line too long for one message as several, cut between words (a single word longer
    than a message, which no text of ours has, is cut between characters)."""
    overhead = len(_PRE_OPEN) + len(_PRE_CLOSE) + 20  # the <pre> around it, a style's tags
    room = max(limit - overhead, 1)
    pieces: list[Line] = []
    current: list[Span] = []
    size = 0
    for span in item.spans:
        for token in _WORD.findall(span.text) or [span.text]:
            chunks = [token]
            if html_length(escape(token)) > room:  # one "word" longer than a message
                step = max(room // 5, 1)  # an escaped character is at most 5 units ("&amp;")
                chunks = [token[i : i + step] for i in range(0, len(token), step)]
            for chunk in chunks:
                cost = html_length(Span(chunk, span.style, span.href).html())
                if current and size + cost > room:
                    pieces.append(_joined(current, item.pre))
                    current, size = [], 0
                current.append(Span(chunk, span.style, span.href))
                size += cost
    if current:
        pieces.append(_joined(current, item.pre))
    return pieces


def _joined(spans: list[Span], pre: bool) -> Line:
    """Adjacent runs of one style merged (fewer tags), trailing space dropped."""
    merged: list[Span] = []
    for span in spans:
        if merged and (merged[-1].style, merged[-1].href) == (span.style, span.href):
            merged[-1] = Span(merged[-1].text + span.text, span.style, span.href)
        else:
            merged.append(span)
    last = merged[-1]
    merged[-1] = Span(last.text.rstrip() or last.text, last.style, last.href)
    return Line(tuple(merged), pre)


def split(lines: Sequence[Line], limit: int = MAX_MESSAGE) -> list[str]:
    """``lines`` as messages of at most ``limit`` (each valid HTML on its own), cut at line
    boundaries; at least one message when there is any text."""
    items: list[Line] = []
    for item in lines:
        items += [item] if html_length(render([item])) <= limit else _break(item, limit)
    parts: list[list[Line]] = []
    current: list[Line] = []
    size = 0
    for item in items:
        if not current and item.blank:
            continue  # no part starts with a blank line
        cost = _cost(item, current)
        if current and size + cost > limit:
            parts.append(current)
            current, size = [], 0
            if item.blank:
                continue
            cost = _cost(item, current)
        current.append(item)
        size += cost
    if current:
        parts.append(current)
    return [html for part in parts if (html := render(_trim(part)))]


def _cost(item: Line, before: Sequence[Line]) -> int:
    """What ``item`` adds to a part holding ``before``: itself, its newline, and the
    ``<pre>``/``</pre>`` when it starts a run of pre lines."""
    cost = html_length(item.html()) + (1 if before else 0)
    if item.pre and not (before and before[-1].pre):
        cost += len(_PRE_OPEN) + len(_PRE_CLOSE)
    return cost


def plain(text: str, style: Style = "") -> list[Line]:
    """A plain text (a reply, an error) as lines, each escaped."""
    return [line(row, style) if row else BLANK for row in text.split("\n")]


# --- cards ---------------------------------------------------------------------------------


def _card_lines(text: CardText) -> list[Line]:
    lang = text.lang
    lines = [line(text.title, "b")]
    kicker = [text.kicker, *([text.tracks] if text.tracks else [])]
    if text.fund_name:
        kicker.append(text.fund_name)
    lines.append(line(" · ".join(kicker), "i"))
    lines.append(Line((Span(text.regime_label, "b"), Span(" — " + text.meaning))))
    numbers = t("card.number_sep", lang).join(
        t("card.number", lang, label=label, value=value) for label, value in text.numbers
    )
    lines += [line(numbers), BLANK, line(text.paragraph)]
    for heading, body in ((text.context_heading, text.context), (text.watch_heading, text.watch)):
        if body is not None:
            lines += [BLANK, line(heading, "b"), *plain(body)]
    if text.track is not None:
        lines += [BLANK, line(text.track)]
    notes = [text.scope, f"{text.as_of} · {text.source}"]
    if text.stale is not None:
        notes.append(text.stale)
    notes.append(text.footer)
    lines += [BLANK, *(line(note, "i") for note in notes)]
    return lines


def link_line(url: str, words: str) -> Line:
    """A line that is one link (a research page)."""
    return Line((Span(words, href=url),))


def card_lines(
    card: Card, language: Language, *, link: tuple[str, str] | None = None
) -> list[Line]:
    """Every language of ``card`` (English first), each followed by its research page in that
    language when the site is on (``Card.site_url``); ``link`` (url, label) is added last when
    given. The research page is the only link a card's message previews."""
    lines: list[Line] = []
    for lang in languages(language):
        if lines:
            lines.append(BLANK)
        text = card_text(card, lang)
        lines += _card_lines(text)
        if text.page_url is not None:
            lines += [BLANK, link_line(text.page_url, text.page_link)]
    if link is not None:
        url, label = link
        lines += [BLANK, link_line(url, label)]
    return lines


def card_page(card: Card, language: Language) -> str | None:
    """The research page of ``card`` in the first language shown, or None (site off): the one
    link a message of the card may preview."""
    return card_text(card, languages(language)[0]).page_url


@dataclass(frozen=True)
class TelegramCard:
    """A card as Telegram shows it: the chart photo with the card as its ``caption`` when it
    fits, else the photo (no caption) followed by ``texts``."""

    caption: str | None
    texts: tuple[str, ...]
    #: the research page: the one link whose preview is shown (None: previews off)
    link: str | None = None


def card_to_telegram(
    card: Card, language: Language, *, link: tuple[str, str] | None = None
) -> TelegramCard:
    """The card's caption or messages (see :class:`TelegramCard`)."""
    lines = card_lines(card, language, link=link)
    url = card_page(card, language) if link is None else link[0]
    fitted = caption(lines)
    if fitted is not None:
        return TelegramCard(caption=fitted, texts=(), link=url)
    return TelegramCard(caption=None, texts=tuple(split(lines)), link=url)


# --- digests -------------------------------------------------------------------------------


def _digest_lines(text: DigestText, page: Page, part: int, total: int) -> list[Line]:
    from formatting.digest import table_lines

    lines = [line(text.part_title(part, total), "b")]
    if page.changes:
        lines += [BLANK, line(text.changes_heading, "b")]
        lines += [line(text.changes[i]) for i in page.changes]
    elif page.first and text.no_changes is not None:
        lines += [BLANK, line(text.no_changes)]
    if page.rows:
        table = table_lines(text.header, [text.rows[i] for i in page.rows])
        lines += [BLANK, *(Line((Span(row),), pre=True) for row in table)]
    if page.issues:
        lines += [BLANK, *(line(text.issues[i]) for i in page.issues)]
    if text.page_url is not None:  # the market's day page, in this language
        lines += [BLANK, link_line(text.page_url, text.page_link)]
    notes = [text.as_of, *([text.stale] if text.stale else []), text.scope, text.footer]
    lines += [BLANK, *(line(note, "i") for note in notes)]
    return lines


def digest_to_telegram(digest: Digest, language: Language) -> list[str]:
    """One HTML message per part of ``digest``, every language shown in each (English first),
    each part within :data:`MAX_MESSAGE` with its title, as-of, scope and disclaimer."""
    from formatting.digest import digest_text
    from formatting.digest_render import paginate

    texts = [digest_text(digest, lang) for lang in languages(language)]

    def page_lines(page: Page, part: int, total: int) -> list[Line]:
        lines: list[Line] = []
        for text in texts:
            if lines:
                lines.append(BLANK)
            lines += _digest_lines(text, page, part, total)
        return lines

    reserved = 99  # part numbers assumed while packing: "(part i of n)" is never longer
    pages = paginate(digest, lambda p: fits(page_lines(p, reserved, reserved)))
    return [render(_trim(page_lines(p, i, len(pages)))) for i, p in enumerate(pages, start=1)]


def digest_page(digest: Digest, language: Language) -> str | None:
    """The market's day page in the first language shown, or None (site off): the one link a
    digest's message may preview."""
    from formatting.digest import digest_text

    return digest_text(digest, languages(language)[0]).page_url


# --- regime alerts -------------------------------------------------------------------------


def alert_lines(blocks: Iterable[Sequence[str]]) -> list[Line]:
    """The languages' blocks of :func:`formatting.alerts.alert_blocks`: the title in bold, a
    research page (:class:`formatting.alerts.Link`) as a link."""
    from formatting.alerts import Link

    lines: list[Line] = []
    for block in blocks:
        if lines:
            lines.append(BLANK)
        for i, row in enumerate(block):
            if isinstance(row, Link):
                lines.append(link_line(row.url, row.words))
            else:
                lines.append(line(row, "b") if i == 0 else line(row) if row else BLANK)
    return lines


def alert_page(changes: Sequence[RegimeChange], language: Language) -> str | None:
    """The first change's research page in the first language shown, or None (site off or no
    change): the one link an alert's message may preview."""
    if not changes:
        return None
    return card_text(changes[0].card, languages(language)[0]).page_url


def alert_to_telegram(
    changes: Sequence[RegimeChange], session: date, language: Language, *, source: str
) -> list[str]:
    """A channel's grouped regime alert as HTML messages (one unless it is very long)."""
    from formatting.alerts import alert_blocks

    return split(alert_lines(alert_blocks(list(changes), session, language, source=source)))
