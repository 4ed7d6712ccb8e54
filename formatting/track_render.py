"""The history view as a Discord message body and as Slack blocks (pure; limits as constants)."""

from __future__ import annotations

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

from formatting.blocks import (
    MAX_ALT_TEXT,
    MAX_BLOCKS,
    MAX_CONTEXT_TEXT,
    MAX_FALLBACK_TEXT,
    MAX_HEADER_TEXT,
    MAX_SECTION_TEXT,
    escape_mrkdwn,
    escape_text,
)
from formatting.blocks import clip as slack_clip
from formatting.card import Language, languages
from formatting.embeds import (
    MAX_DESCRIPTION,
    MAX_FOOTER,
    MAX_TITLE,
    clip,
    escape,
    fit_embeds,
    no_mentions,
)
from formatting.track_chart import chart_title
from formatting.track_record import HistoryView, history_notes, history_table, monospace

JSON = dict[str, Any]
#: Embed colour of the history view (slate: it is about the past, not a signal).
HISTORY_COLOUR = 0x64748B


def _code(text: str) -> str:
    """A monospace block; a backtick in catalog text can never close it early."""
    return "```\n" + text.replace("`", "'") + "\n```"


def history_to_discord(view: HistoryView, language: Language, *, image: str | None = None) -> JSON:
    """One embed per language shown: notes, the table in a code block, "not a forecast"."""
    embeds: list[JSON] = []
    for lang in languages(language):
        notes = history_notes(view, lang)
        table = _code(monospace(history_table(view, lang)))
        description = "\n".join(escape(n) for n in notes[1:-1]) + "\n" + table
        embeds.append(
            {
                "title": clip(escape(notes[0]), MAX_TITLE),
                "description": clip(description, MAX_DESCRIPTION),
                "color": HISTORY_COLOUR,
                "footer": {"text": clip(notes[-1], MAX_FOOTER)},
                "fields": [],
            }
        )
    if image is not None:
        embeds[-1]["image"] = {"url": image}
    fit_embeds(embeds)
    return {"embeds": embeds, "allowed_mentions": no_mentions()}


def history_to_slack(
    view: HistoryView,
    language: Language,
    *,
    channel: str | None = None,
    image_url: str | None = None,
) -> JSON:
    """A ``chat.postMessage`` body: per language a header, notes, the table, "not a forecast"."""
    blocks: list[Block] = []
    fallback = []
    for i, lang in enumerate(languages(language)):
        notes = history_notes(view, lang)
        if i:
            blocks.append(DividerBlock())
        table = monospace(history_table(view, lang)).replace("`", "'")
        blocks += [
            HeaderBlock(
                text=PlainTextObject(
                    text=slack_clip(escape_text(notes[0]), MAX_HEADER_TEXT), emoji=False
                )
            ),
            SectionBlock(
                text=MarkdownTextObject(
                    text=slack_clip(escape_mrkdwn("\n".join(notes[1:-1])), MAX_SECTION_TEXT)
                )
            ),
            SectionBlock(
                text=MarkdownTextObject(
                    text=slack_clip(f"```{escape_text(table)}```", MAX_SECTION_TEXT)
                )
            ),
            ContextBlock(
                elements=[
                    MarkdownTextObject(text=slack_clip(escape_mrkdwn(notes[-1]), MAX_CONTEXT_TEXT))
                ]
            ),
        ]
        fallback.append(f"{notes[0]} {notes[-1]}")
    if image_url is not None:
        alt = slack_clip(escape_text(chart_title(view, language)), MAX_ALT_TEXT)
        blocks.append(ImageBlock(image_url=image_url, alt_text=alt))
    body: JSON = {}
    if channel is not None:
        body["channel"] = channel
    body["text"] = slack_clip(escape_mrkdwn("\n".join(fallback)), MAX_FALLBACK_TEXT)
    body["blocks"] = [b.to_dict() for b in blocks[:MAX_BLOCKS]]
    body["unfurl_links"] = False
    body["unfurl_media"] = False
    return body
