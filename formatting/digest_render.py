"""Digests as Discord message bodies, Slack ``chat.postMessage`` bodies and plain text.

A long watchlist is split into several messages, each within every platform limit (named
constants in :mod:`formatting.embeds` and :mod:`formatting.blocks`); nothing is clipped. The
split is by whole lines: regime changes first, then table rows, then tickers without data. Every
message carries the as-of line, the scope line and the disclaimer in each language shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from formatting.blocks import (
    MAX_BLOCKS,
    MAX_CONTEXT_ELEMENTS,
    MAX_CONTEXT_TEXT,
    MAX_FALLBACK_TEXT,
    MAX_HEADER_TEXT,
    MAX_SECTION_TEXT,
    escape_mrkdwn,
    escape_text,
    link,
)
from formatting.card import Language, languages
from formatting.colours import ColourScheme, Palette, resolve, rgb_int
from formatting.digest import Digest, DigestText, digest_text, table_lines
from formatting.embeds import (
    MAX_DESCRIPTION,
    MAX_EMBEDS,
    MAX_FOOTER,
    MAX_TITLE,
    MAX_TOTAL_CHARS,
    embed_chars,
    escape,
    no_mentions,
)

JSON = dict[str, Any]
#: Part numbers assumed while packing, so the final "(part i of n)" is never longer.
_RESERVED_PART = 99


@dataclass(frozen=True)
class Page:
    """The lines of one message: index ranges into changes, table rows and issues."""

    changes: range
    rows: range
    issues: range
    first: bool


def _page(digest: Digest, start: int, end: int) -> Page:
    """Units ``[start, end)`` of the sequence changes + rows + issues as a :class:`Page`."""
    n_changes, n_rows = len(digest.changes), len(digest.rows)
    bounds = (0, n_changes, n_changes + n_rows, n_changes + n_rows + len(digest.issues))

    def part(i: int) -> range:
        lo, hi = bounds[i], bounds[i + 1]
        return range(max(start, lo) - lo, max(min(end, hi), lo) - lo)

    return Page(changes=part(0), rows=part(1), issues=part(2), first=start == 0)


def paginate(digest: Digest, fits: Callable[[Page], bool]) -> list[Page]:
    """Greedy split into pages that ``fits`` accepts; at least one page, every line once."""
    total = len(digest.changes) + len(digest.rows) + len(digest.issues)
    pages: list[Page] = []
    start = 0
    while start < total or not pages:
        end = min(start + 1, total)
        if not fits(_page(digest, start, end)):
            raise ValueError("one line of the digest does not fit in a message")
        while end < total and fits(_page(digest, start, end + 1)):
            end += 1
        pages.append(_page(digest, start, end))
        start = end
    return pages


def _texts(digest: Digest, lang: Language) -> list[DigestText]:
    return [digest_text(digest, lg) for lg in languages(lang)]


# --- Discord -------------------------------------------------------------------------------


def _code_block(text: DigestText, rows: range) -> str:
    lines = table_lines(text.header, [text.rows[i] for i in rows])
    return "```\n" + "\n".join(lines).replace("`", "'") + "\n```"


def _discord_embed(
    text: DigestText, page: Page, part: int, total: int, tone: int, palette: Palette
) -> JSON:
    lines: list[str] = []
    if page.changes:
        lines.append(f"**{escape(text.changes_heading)}**")
        lines += [escape(text.changes[i]) for i in page.changes]
    elif page.first and text.no_changes is not None:
        lines.append(escape(text.no_changes))
    if page.rows:
        lines.append(_code_block(text, page.rows))
    lines += [escape(text.issues[i]) for i in page.issues]
    notes = [text.as_of, *([text.stale] if text.stale else []), text.scope]
    # italics for the English notes only: Chinese has no italics (a slanted Han reads as wrong)
    mark = "*" if text.lang == "en" else ""
    lines += ["", *(f"{mark}{escape(note)}{mark}" for note in notes)]
    embed: JSON = {
        "title": escape(text.part_title(part, total)),
        "description": "\n".join(lines),
        "color": rgb_int(palette.for_tone(tone)),
        "footer": {"text": text.footer},
    }
    if text.page_url is not None:
        embed["url"] = text.page_url  # the title links to the market's day page
    return embed


def discord_fits(embeds: Sequence[JSON]) -> bool:
    """True when ``embeds`` make one valid Discord message (every length limit)."""
    return (
        len(embeds) <= MAX_EMBEDS
        and sum(embed_chars(e) for e in embeds) <= MAX_TOTAL_CHARS
        and all(
            len(e["title"]) <= MAX_TITLE
            and len(e["description"]) <= MAX_DESCRIPTION
            and len(e["footer"]["text"]) <= MAX_FOOTER
            for e in embeds
        )
    )


def digest_to_discord(
    digest: Digest,
    lang: Language,
    *,
    image: str | None = None,
    colors: ColourScheme | None = None,
) -> list[JSON]:
    """Discord message bodies for ``digest``: one embed per language shown in each message.

    ``image`` (e.g. ``attachment://heatmap.png``) is shown in the first message; ``colors`` is
    the server's convention (None: the language's default). Mentions off.
    """
    texts = _texts(digest, lang)
    palette = resolve(colors, lang)

    def embeds(page: Page, part: int, total: int) -> list[JSON]:
        return [_discord_embed(text, page, part, total, digest.tone, palette) for text in texts]

    pages = paginate(digest, lambda p: discord_fits(embeds(p, _RESERVED_PART, _RESERVED_PART)))
    bodies = []
    for part, page in enumerate(pages, start=1):
        body_embeds = embeds(page, part, len(pages))
        if part == 1 and image is not None:
            body_embeds[0]["image"] = {"url": image}
        bodies.append({"embeds": body_embeds, "allowed_mentions": no_mentions()})
    return bodies


# --- Slack ---------------------------------------------------------------------------------


def _slack_sections(text: DigestText, page: Page) -> list[str]:
    """The mrkdwn texts of one language's sections on ``page``."""
    sections = []
    if page.changes:
        lines = [f"*{escape_mrkdwn(text.changes_heading)}*"]
        lines += [escape_mrkdwn(text.changes[i]) for i in page.changes]
        sections.append("\n".join(lines))
    elif page.first and text.no_changes is not None:
        sections.append(escape_mrkdwn(text.no_changes))
    if page.rows:
        table = table_lines(text.header, [text.rows[i] for i in page.rows])
        sections.append("```" + escape_text("\n".join(table)).replace("`", "'") + "```")
    if page.issues:
        sections.append("\n".join(escape_mrkdwn(text.issues[i]) for i in page.issues))
    return sections


def _slack_blocks(text: DigestText, page: Page, part: int, total: int) -> list[Block]:
    notes = [text.as_of, *([text.stale] if text.stale else []), text.scope, text.footer]
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=escape_text(text.part_title(part, total))))
    ]
    blocks += [SectionBlock(text=MarkdownTextObject(text=s)) for s in _slack_sections(text, page)]
    elements = [MarkdownTextObject(text=escape_mrkdwn(n)) for n in notes]
    if text.page_url is not None:
        elements.append(MarkdownTextObject(text=link(text.page_url, text.page_link)))
    blocks.append(ContextBlock(elements=elements))
    return blocks


def slack_fits(texts: Sequence[DigestText], page: Page) -> bool:
    """True when ``page`` makes one valid ``chat.postMessage`` (every Block Kit limit)."""
    blocks = 0
    for text in texts:
        title = escape_text(text.part_title(_RESERVED_PART, _RESERVED_PART))
        notes = [text.as_of, *([text.stale] if text.stale else []), text.scope, text.footer]
        sections = _slack_sections(text, page)
        if len(title) > MAX_HEADER_TEXT or len(notes) + 1 > MAX_CONTEXT_ELEMENTS:
            return False
        if any(len(escape_mrkdwn(n)) > MAX_CONTEXT_TEXT for n in notes):
            return False
        if any(len(s) > MAX_SECTION_TEXT for s in sections):
            return False
        blocks += 3 + len(sections)  # header, sections, context, divider
    return blocks - 1 <= MAX_BLOCKS


def digest_to_slack(digest: Digest, lang: Language, *, channel: str | None = None) -> list[JSON]:
    """``chat.postMessage`` bodies for ``digest``: every language shown, English first."""
    texts = _texts(digest, lang)
    pages = paginate(digest, lambda p: slack_fits(texts, p))
    bodies = []
    for part, page in enumerate(pages, start=1):
        blocks: list[Block] = []
        for i, text in enumerate(texts):
            if i:
                blocks.append(DividerBlock())
            blocks += _slack_blocks(text, page, part, len(pages))
        fallback = "\n".join(escape_mrkdwn(x.part_title(part, len(pages))) for x in texts)
        body: JSON = {} if channel is None else {"channel": channel}
        body["text"] = fallback[:MAX_FALLBACK_TEXT]
        body["blocks"] = [b.to_dict() for b in blocks]
        body["unfurl_links"] = False
        body["unfurl_media"] = False
        bodies.append(body)
    return bodies


# --- plain text ----------------------------------------------------------------------------


def digest_to_text(digest: Digest, lang: Language) -> str:
    """The whole digest as plain text (terminal, logs, previews); never split."""
    out: list[str] = []
    for text in _texts(digest, lang):
        if out:
            out.append("")
        out += [text.title, ""]
        if text.changes:
            out += [text.changes_heading, *(f"  {line}" for line in text.changes), ""]
        elif text.no_changes is not None:
            out += [text.no_changes, ""]
        if text.rows:
            out += [*table_lines(text.header, text.rows), ""]
        if text.issues:
            out += [*text.issues, ""]
        out += [text.as_of, *([text.stale] if text.stale else []), text.scope, text.footer]
    return "\n".join(out)
