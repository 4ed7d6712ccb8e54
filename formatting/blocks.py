"""Cards as Slack ``chat.postMessage`` bodies built with ``slack_sdk.models.blocks``."""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    ImageBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from formatting.card import Card, Language, languages
from formatting.i18n import t
from formatting.text import CardText, card_text

JSON = dict[str, Any]

# Slack Block Kit limits (https://api.slack.com/reference/block-kit/blocks)
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_CONTEXT_TEXT = 2000
MAX_ALT_TEXT = 2000
MAX_FALLBACK_TEXT = 4000  # Slack truncates "text" far later; keep notifications short

ELLIPSIS = "…"
_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_MRKDWN = re.compile(r"([*_~`])")
# not \b: Chinese text follows a ticker without a space ("@here动量信号"), and 动 is a word
# character, so a word boundary would let the broadcast through
_BROADCAST = re.compile(r"@(channel|everyone|here)(?![A-Za-z0-9_])")


def escape_text(text: str) -> str:
    """Escape Slack's control characters ``&``, ``<``, ``>`` (no mentions, links or commands),
    and break ``@here``-style words with a zero-width space."""
    return _BROADCAST.sub("@\u200b\\1", text.translate(_ENTITIES))


def escape_mrkdwn(text: str) -> str:
    """:func:`escape_text`, and ``* _ ~ ``` wrapped in zero-width spaces so they format nothing."""
    return _MRKDWN.sub("\u200b\\1\u200b", escape_text(text))


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis marking the cut (no broken entity)."""
    if len(text) <= limit:
        return text
    head = text[: max(limit - 1, 0)]
    amp = head.rfind("&")
    if amp != -1 and ";" not in head[amp:]:
        head = head[:amp]
    return head + ELLIPSIS


def link(url: str, words: str) -> str:
    """A Slack mrkdwn link ``<url|words>`` (``|`` and ``>`` cannot end it early)."""
    safe = url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
    return f"<{safe}|{escape_mrkdwn(words)}>"


def _mrkdwn(text: str, limit: int) -> MarkdownTextObject:
    return MarkdownTextObject(text=clip(text, limit))


def _plain(text: str, limit: int) -> PlainTextObject:
    return PlainTextObject(text=clip(escape_text(text), limit), emoji=False)


def text_to_blocks(text: CardText) -> list[Block]:
    """One language of a card as Slack blocks: header, the seed's four sections (signal details,
    market context, interpretation boundaries, what to watch next), then the footer."""
    esc = escape_mrkdwn
    kicker = [text.kicker, text.ticker] + ([text.fund_name] if text.fund_name else [])
    lines = [] if text.tracks is None else [esc(text.tracks)]
    lines += [f"*{esc(text.regime_label)}*", esc(text.meaning)]
    fields = [
        _mrkdwn(f"*{esc(label)}*\n{esc(value)}", MAX_FIELD_TEXT) for label, value in text.numbers
    ]
    blocks: list[Block] = [
        HeaderBlock(text=_plain(text.title, MAX_HEADER_TEXT)),
        ContextBlock(elements=[_plain(" · ".join(kicker), MAX_CONTEXT_TEXT)]),
        SectionBlock(text=_mrkdwn("\n".join(lines), MAX_SECTION_TEXT)),
        SectionBlock(fields=fields[:MAX_SECTION_FIELDS]),
        SectionBlock(
            text=_mrkdwn(f"*{esc(text.details_heading)}*\n{esc(text.paragraph)}", MAX_SECTION_TEXT)
        ),
    ]
    for heading, body in ((text.context_heading, text.context), (text.watch_heading, text.watch)):
        if body is not None:
            blocks.append(
                SectionBlock(text=_mrkdwn(f"*{esc(heading)}*\n{esc(body)}", MAX_SECTION_TEXT))
            )
    if text.track is not None:
        blocks.append(SectionBlock(text=_mrkdwn(esc(text.track), MAX_SECTION_TEXT)))
    boundaries = f"*{esc(text.boundaries_heading)}*\n{esc(text.boundaries)}"
    blocks.append(SectionBlock(text=_mrkdwn(boundaries, MAX_SECTION_TEXT)))
    notes = [f"{text.as_of} · {text.source}"]
    if text.stale is not None:
        notes.append(text.stale)
    notes.append(text.footer)
    elements = [_mrkdwn(esc(n), MAX_CONTEXT_TEXT) for n in notes]
    if text.page_url is not None:  # the card's research page: a link, no interaction to answer
        elements.append(_mrkdwn(link(text.page_url, text.page_link), MAX_CONTEXT_TEXT))
    blocks.append(ContextBlock(elements=elements[:MAX_CONTEXT_ELEMENTS]))
    return blocks


def fallback_text(text: CardText) -> str:
    """The plain notification line of one language: title, price and returns."""
    lang = text.lang
    numbers = t("card.number_sep", lang).join(
        t("card.number", lang, label=label, value=value) for label, value in text.numbers
    )
    return f"{text.title} · {numbers}"


def card_to_slack(
    card: Card, lang: Language, *, channel: str | None = None, image_url: str | None = None
) -> JSON:
    """The ``chat.postMessage`` body for ``card``: every language shown, English first.

    ``image_url`` (the chart) is shown after the first language's numbers.
    """
    texts = [card_text(card, lg) for lg in languages(lang)]
    blocks: list[Block] = []
    for i, text in enumerate(texts):
        if i:
            blocks.append(DividerBlock())
        part = text_to_blocks(text)
        if i == 0 and image_url is not None:
            alt = t("chart.title", text.lang, ticker=card.ticker, label=text.regime_label)
            part.insert(
                4, ImageBlock(image_url=image_url, alt_text=clip(escape_text(alt), MAX_ALT_TEXT))
            )
        blocks += part
    fallback = "\n".join(escape_mrkdwn(fallback_text(text)) for text in texts)
    body: JSON = {}
    if channel is not None:
        body["channel"] = channel
    body["text"] = clip(fallback, MAX_FALLBACK_TEXT)
    body["blocks"] = [b.to_dict() for b in blocks[:MAX_BLOCKS]]
    body["unfurl_links"] = False
    body["unfurl_media"] = False
    return body
