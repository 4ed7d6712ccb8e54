"""Cards, digests and regime alerts in the Markdown of the WeCom and DingTalk group robots.

Neither robot has tables, code blocks or embeds: a digest is one line per ticker (ticker, close,
1D/5D/1M, the regime in the target's colours), and a long one is split at line boundaries into
parts that each stand alone (title with "(part i of n)", every section heading it holds, the
as-of, scope and disclaimer lines). Limits are measured in UTF-8 *bytes*, as WeCom counts them.

- WeCom ``markdown.content``: at most 4,096 bytes of UTF-8; headings, bold, links, inline code,
  quotes and ``<font color="info|comment|warning">`` (green, grey, orange-red)
  (https://developer.work.weixin.qq.com/document/path/91770, "markdown类型").
- DingTalk ``markdown`` (``title`` + ``text``): headings, quotes, bold, links, images and lists;
  a line break needs a blank line between lines
  (https://open.dingtalk.com/document/robots/custom-robot-access, "markdown类型").

User and fund strings pass through :func:`escape_wecom` / :func:`escape_dingtalk` (the Feishu
card's ``lark_md`` has its own escape in :mod:`formatting.feishu_card`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from formatting.alerts import Link, RegimeChange, alert_blocks
from formatting.card import Card, Language, languages
from formatting.colours import GREEN, GREY, RED, ColourScheme, Palette, resolve
from formatting.digest import Digest, DigestText, digest_text
from formatting.text import card_text
from signals.regimes import REGIME_TONE

#: WeCom: ``markdown.content`` at most 4,096 bytes of UTF-8 (document/path/91770).
WECOM_MAX_BYTES = 4096
#: DingTalk: the whole request body is kept within 20,000 bytes; the text gets this much of it
#: (title, JSON keys and escapes take the rest).
DINGTALK_MAX_BYTES = 18_000
#: Part numbers assumed while packing, so the final "(part i of n)" is never longer.
_RESERVED_PART = 99

# Markdown that would format or link, shown literally with a backslash; "#" and ">" matter only
# at the start of a line (a heading, a quote). "(" and "!" need no escape once "[" has one.
_MD_CHARS = re.compile(r"([\\`*_~\[\]])")
_LINE_START = re.compile(r"^(\s*)(#|[>+-](?=\s))", re.MULTILINE)
# "<" starts WeCom's <@userid> mentions and <font> tags, DingTalk's HTML: never raw.
_ANGLE = str.maketrans({"<": "\uff1c", ">": "\uff1e"})
# a DingTalk text mentions a member by "@<mobile or userid>" when the body names it in ``at``;
# the bodies here name nobody, and "@all" is broken with a zero-width space all the same
_AT_ALL = re.compile(r"@(all|所有人)", re.IGNORECASE)


def escape_wecom(text: str) -> str:
    """``text`` shown literally in WeCom markdown: no formatting, tags or mentions."""
    return _LINE_START.sub(r"\1\\\2", _MD_CHARS.sub(r"\\\1", text.translate(_ANGLE)))


def escape_dingtalk(text: str) -> str:
    """``text`` shown literally in DingTalk markdown: no formatting, tags or ``@all``."""
    return _AT_ALL.sub("@\u200b\\1", escape_wecom(text))


def utf8_len(text: str) -> int:
    """Bytes of ``text`` in UTF-8 (WeCom's unit)."""
    return len(text.encode("utf-8"))


@dataclass(frozen=True)
class Dialect:
    """How one robot's Markdown says bold, colour, a note and a line break."""

    escape: Callable[[str], str]
    colour: Callable[[str, str], str]  # (escaped text, palette colour) -> markup
    line_break: str
    max_bytes: int

    def bold(self, text: str) -> str:
        """Escaped ``text`` in bold."""
        return f"**{self.escape(text)}**"

    def note(self, text: str) -> str:
        """Escaped ``text`` in grey (as-of, scope, disclaimer)."""
        return self.colour(self.escape(text), GREY)

    def link(self, words: str, url: str) -> str:
        """A link of escaped ``words`` to ``url`` (ours: a research page)."""
        return f"[{self.escape(words)}]({_url(url)})"

    def line(self, line: str) -> str:
        """A line of :func:`formatting.alerts.alert_blocks`: a research page as a link."""
        return self.link(line.words, line.url) if isinstance(line, Link) else self.escape(line)


def _url(url: str) -> str:
    """``url`` safe inside Markdown's ``(…)``."""
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def image(d: Dialect, alt: str, url: str) -> str:
    """A picture by URL (DingTalk's Markdown shows it)."""
    return f"![{d.escape(alt)}]({_url(url)})"


#: WeCom's three named colours (document/path/91770: info green, comment grey, warning red).
_WECOM_COLOURS = {GREEN: "info", GREY: "comment", RED: "warning"}

WECOM = Dialect(
    escape=escape_wecom,
    colour=lambda text, colour: f'<font color="{_WECOM_COLOURS[colour]}">{text}</font>',
    line_break="\n",
    max_bytes=WECOM_MAX_BYTES,
)
DINGTALK = Dialect(
    escape=escape_dingtalk,
    colour=lambda text, colour: f'<font color="{colour}">{text}</font>',
    line_break="\n\n",
    max_bytes=DINGTALK_MAX_BYTES,
)


# --- digests -------------------------------------------------------------------------------


def _row_line(d: Dialect, text: DigestText, digest: Digest, i: int, palette: Palette) -> str:
    ticker, close, r1, r5, rm, label = text.rows[i]
    signal = digest.rows[i].signal
    _, _, h1, h5, hm, _ = text.header
    tone = REGIME_TONE[signal.regime]
    day = d.colour(d.escape(r1), palette.for_value(signal.r_1d))
    return (
        f"{d.bold(ticker)} {d.escape(close)} · {d.escape(h1)} {day} · "
        f"{d.escape(h5)} {d.escape(r5)} · {d.escape(hm)} {d.escape(rm)} · "
        f"{d.colour(d.escape(label), palette.for_tone(tone))}"
    )


def _digest_lines(
    d: Dialect,
    text: DigestText,
    digest: Digest,
    units: range,
    part: int,
    total: int,
    p: Palette,
    image_url: str | None = None,
) -> list[str]:
    n_changes, n_rows = len(text.changes), len(text.rows)
    lines = [d.bold(text.part_title(part, total))]
    if units.start == 0 and not text.changes and text.no_changes is not None:
        lines.append(d.escape(text.no_changes))
    for i in units:
        if i < n_changes:
            if i == units.start:
                lines.append(d.bold(text.changes_heading))
            lines.append(d.escape(text.changes[i]))
        elif i < n_changes + n_rows:
            lines.append(_row_line(d, text, digest, i - n_changes, p))
        else:
            lines.append(d.escape(text.issues[i - n_changes - n_rows]))
    if image_url is not None and part == 1:
        lines.append(image(d, text.title, image_url))
    if text.page_url is not None:  # the market's day page on the research site
        lines.append(d.link(text.page_link, text.page_url))
    notes = [text.as_of, *([text.stale] if text.stale else []), text.scope, text.footer]
    return [*lines, *(d.note(n) for n in notes)]


def _pack(total: int, fits: Callable[[range], bool]) -> list[range]:
    """Greedy split of ``total`` lines into ranges ``fits`` accepts; at least one range."""
    ranges: list[range] = []
    start = 0
    while start < total or not ranges:
        end = min(start + 1, total)
        if not fits(range(start, end)):
            raise ValueError("one line of the digest does not fit in a message")
        while end < total and fits(range(start, end + 1)):
            end += 1
        ranges.append(range(start, end))
        start = end
    return ranges


def digest_parts(
    d: Dialect,
    digest: Digest,
    language: Language,
    colors: ColourScheme | None = None,
    *,
    image_url: str | None = None,
) -> list[str]:
    """The digest as Markdown texts, each within ``d.max_bytes`` and standing alone: every
    language shown in each part (English first), one line per regime change, ticker and issue,
    the day's research page when the site is on; ``image_url`` (the day page's heatmap, for
    DingTalk) shown in the first part, first language."""
    texts = [digest_text(digest, lang) for lang in languages(language)]
    palette = resolve(colors, language)
    total = len(digest.changes) + len(digest.rows) + len(digest.issues)

    def render(units: range, part: int, of: int) -> str:
        blocks = [
            d.line_break.join(
                _digest_lines(
                    d, text, digest, units, part, of, palette, image_url if i == 0 else None
                )
            )
            for i, text in enumerate(texts)
        ]
        return (d.line_break * 2).join(blocks)

    pages = _pack(
        total, lambda u: utf8_len(render(u, _RESERVED_PART, _RESERVED_PART)) <= d.max_bytes
    )
    return [render(u, i, len(pages)) for i, u in enumerate(pages, start=1)]


def digest_title(digest: Digest, language: Language, part: int = 1, total: int = 1) -> str:
    """The plain title of a part (DingTalk's ``title``: the notification's text)."""
    return " / ".join(
        digest_text(digest, lang).part_title(part, total) for lang in languages(language)
    )


# --- cards and alerts ----------------------------------------------------------------------


def card_markdown(
    d: Dialect,
    card: Card,
    language: Language,
    colors: ColourScheme | None = None,
    *,
    chart_url: str | None = None,
) -> str:
    """One signal card (the ``webhook test`` sample): title, regime, figures, the sentence,
    and the chart when it has a public URL (DingTalk)."""
    palette = resolve(colors, language)
    blocks: list[str] = []
    for lang in languages(language):
        c = card_text(card, lang)
        figures = " · ".join(f"{d.escape(k)} {d.escape(v)}" for k, v in c.numbers)
        lines = [
            d.bold(c.title),
            f"{d.escape(c.regime_heading)}: "
            f"{d.colour(d.escape(c.regime_label), palette.for_tone(c.tone))}",
            figures,
            d.escape(c.paragraph),
            *([d.escape(c.track)] if c.track else []),
            *([image(d, c.ticker, chart_url)] if chart_url and not blocks else []),
            *([d.link(c.page_link, c.page_url)] if c.page_url else []),
            *(d.note(n) for n in (c.as_of, *([c.stale] if c.stale else []), c.source)),
            d.note(c.scope),
            d.note(c.footer),
        ]
        blocks.append(d.line_break.join(lines))
    return (d.line_break * 2).join(blocks)


def alert_parts(
    d: Dialect,
    changes: Sequence[RegimeChange],
    session: date,
    language: Language,
    *,
    source: str,
    chart_url: Callable[[RegimeChange], str | None] | None = None,
) -> list[str]:
    """The grouped alert as Markdown texts within ``d.max_bytes``: one part unless the changes
    are too many, then split between changes, each part with its title and disclaimer.

    ``chart_url`` gives a change's chart by public URL (DingTalk shows images only so), shown
    after the changes of the first language."""

    def render(group: range) -> str:
        picked = [changes[i] for i in group]
        blocks = alert_blocks(picked, session, language, source=source)
        urls = [(c.ticker, chart_url(c)) for c in picked] if chart_url is not None else []
        images = [image(d, ticker, url) for ticker, url in urls if url]
        out = []
        for i, block in enumerate(blocks):
            title, *rest = block
            body = [d.line(line) for line in rest if line][:-2]
            if i == 0:
                body += images
            out.append(d.line_break.join([d.bold(title), *body, *map(d.note, rest[-2:])]))
        return (d.line_break * 2).join(out)

    pages = _pack(len(changes), lambda g: utf8_len(render(g)) <= d.max_bytes)
    return [render(g) for g in pages]
