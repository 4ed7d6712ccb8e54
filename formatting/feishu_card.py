"""Cards, digests and regime alerts as Feishu / Lark interactive message cards (card JSON 1.0).

A bilingual setting (``both``, ``both-hant``; a target's ``auto`` arrives as one of them) is not
stacked as on the chat platforms: the card carries each language in ``i18n_elements`` and a header
title with ``i18n``, and the Feishu client shows the reader the one of their client language
(en_us English; zh_cn, zh_tw and zh_hk the setting's Chinese; any other client language falls
back to a configured one). Card JSON 1.0 and multi-language cards:
https://open.feishu.cn/document/feishu-cards/configure-multi-language-content and
https://open.feishu.cn/document/uAjLw4CM/ukzMukzMukzM/feishu-cards/card-json-structure; the
header's ``title.i18n`` keys (zh_cn, en_us, ja_jp, zh_hk, zh_tw):
https://open.larksuite.com/document/common-capabilities/message-card/message-cards-content/card-header.

A custom bot's request body may hold at most 20 KB (https://open.feishu.cn/document/client-docs/
bot-v3/add-custom-bot: "发送消息时，请求体的数据大小不能超过 20 KB"): a digest is split by whole
lines into cards that each stand alone, measured as the poster encodes them (:func:`encode_body`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from formatting.alerts import Link, RegimeChange, alert_blocks
from formatting.card import Card, Language, languages
from formatting.colours import GREEN, GREY, RED, ColourScheme, Palette, resolve
from formatting.digest import Digest, DigestText, digest_text
from formatting.i18n import Lang, t
from formatting.text import card_text
from signals.regimes import REGIME_TONE

JSON = dict[str, Any]
#: The request body limit of a custom bot: 20 KB.
MAX_BODY_BYTES = 20 * 1024
#: Room kept in the body for ``timestamp`` and ``sign`` (added by the poster) and the wrapper.
_SIGNATURE_ROOM = 160
#: Part numbers assumed while packing, so the final "(part i of n)" is never longer.
_RESERVED_PART = 99
#: Card locales of English and of the setting's Chinese (Simplified or Traditional alike).
LOCALES: dict[str, tuple[str, ...]] = {"en": ("en_us",), "zh": ("zh_cn", "zh_tw", "zh_hk")}
#: ``lark_md`` font colours and header templates of the palette colours.
_FONT = {GREEN: "green", RED: "red", GREY: "grey"}
_TEMPLATE = {GREEN: "green", RED: "red", GREY: "grey"}

# lark_md shows HTML character references literally; markdown and tag characters become one
# (Feishu card Markdown, "特殊字符转义": https://open.feishu.cn/document/ukTMukTMukTM/
# uADOwUjLwgDM14CM4ATN), so a fund name or ticker never formats, links or mentions (<at ...>).
_LARK_MD = str.maketrans({c: f"&#{ord(c)};" for c in "&<>*_~`[]\\"})


def escape_lark_md(text: str) -> str:
    """``text`` shown literally in a ``lark_md`` text: no formatting, links, tags or mentions."""
    return text.translate(_LARK_MD)


def body_bytes(body: JSON) -> int:
    """Bytes of ``body`` as the Feishu poster sends it (compact UTF-8 JSON)."""
    return len(encode_body(body))


def encode_body(body: JSON) -> bytes:
    """The request body bytes: compact JSON in UTF-8 (Chinese is 3 bytes, not a 6-byte escape)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _locales(lang: Lang) -> tuple[str, ...]:
    return LOCALES["en" if lang == "en" else "zh"]


def _md(content: str) -> JSON:
    return {"tag": "div", "text": {"tag": "lark_md", "content": content}}


def _note(lines: Sequence[str]) -> JSON:
    return {"tag": "note", "elements": [{"tag": "plain_text", "content": x} for x in lines]}


def _font(text: str, colour: str) -> str:
    return f"<font color='{_FONT[colour]}'>{text}</font>"


def _card(
    titles: dict[Lang, str],
    elements: Callable[[Lang], list[JSON]],
    colour: str,
) -> JSON:
    """A message card in the languages of ``titles``: one, or one per client locale."""
    header: JSON = {"template": _TEMPLATE[colour]}
    card: JSON = {"config": {"wide_screen_mode": True, "enable_forward": True}, "header": header}
    last = list(titles)[-1]
    header["title"] = {"tag": "plain_text", "content": titles[last]}
    if len(titles) == 1:
        card["elements"] = elements(last)
    else:
        header["title"]["i18n"] = {loc: titles[lg] for lg in titles for loc in _locales(lg)}
        built = {lg: elements(lg) for lg in titles}
        card["i18n_elements"] = {loc: built[lg] for lg in titles for loc in _locales(lg)}
    return {"msg_type": "interactive", "card": card}


def fits(body: JSON) -> bool:
    """True when ``body`` (with room for the signature) is within the 20 KB limit."""
    return body_bytes(body) + _SIGNATURE_ROOM <= MAX_BODY_BYTES


# --- digests -------------------------------------------------------------------------------


def _row(text: DigestText, digest: Digest, i: int, palette: Palette) -> str:
    ticker, close, r1, r5, rm, label = (escape_lark_md(x) for x in text.rows[i])
    _, _, h1, h5, hm, _ = (escape_lark_md(x) for x in text.header)
    signal = digest.rows[i].signal
    day = _font(r1, palette.for_value(signal.r_1d))
    regime = _font(label, palette.for_tone(REGIME_TONE[signal.regime]))
    return f"**{ticker}** {close} · {h1} {day} · {h5} {r5} · {hm} {rm} · {regime}"


def _digest_elements(text: DigestText, digest: Digest, units: range, p: Palette) -> list[JSON]:
    n_changes, n_rows = len(text.changes), len(text.rows)
    changes = [escape_lark_md(text.changes[i]) for i in units if i < n_changes]
    rows = [
        _row(text, digest, i - n_changes, p) for i in units if n_changes <= i < n_changes + n_rows
    ]
    issues = [
        escape_lark_md(text.issues[i - n_changes - n_rows])
        for i in units
        if i >= n_changes + n_rows
    ]
    out: list[JSON] = []
    if changes:
        out.append(_md("\n".join([f"**{escape_lark_md(text.changes_heading)}**", *changes])))
    elif units.start == 0 and text.no_changes is not None:
        out.append(_md(escape_lark_md(text.no_changes)))
    if rows:
        out.append(_md("\n".join(rows)))
    if issues:
        out.append(_md("\n".join(issues)))
    notes = [text.as_of, *([text.stale] if text.stale else []), text.scope, text.footer]
    out.append(_note(notes))
    return out


def digest_to_feishu(
    digest: Digest,
    language: Language,
    *,
    colors: ColourScheme | None = None,
    image_key: str | None = None,
    research: Callable[[Lang], str] | None = None,
) -> list[JSON]:
    """Request bodies (without the signature) of ``digest``: cards within 20 KB each.

    ``image_key`` (the heatmap uploaded with the app's credentials) shows on the first card;
    every card links the market's day page in its language when the digest carries the site
    (``Digest.site_url``); else ``research`` (the research site's index URL in a language, when
    it is published) is linked from the first card (below the image when there is one).
    """
    texts = {lang: digest_text(digest, lang) for lang in languages(language)}
    palette = resolve(colors, language)
    total = len(digest.changes) + len(digest.rows) + len(digest.issues)

    def render(units: range, part: int, of: int) -> JSON:
        titles = {lang: x.part_title(part, of) for lang, x in texts.items()}

        def elements(lang: Lang) -> list[JSON]:
            text = texts[lang]
            out = _digest_elements(text, digest, units, palette)
            if text.page_url is not None:  # the market's day page, every part (standing alone)
                out.insert(-1, _link(text.page_link, text.page_url))
            elif part == 1 and research is not None:
                out.insert(0, _link(t("site.index_title", lang), research(lang)))
            if part == 1 and image_key is not None:
                out.insert(0, _image(image_key, titles[lang]))
            return out

        return _card(titles, elements, palette.for_tone(digest.tone))

    # the first card is measured as the first (with the chart and the research link it carries)
    pages = _pack(
        total, lambda u: fits(render(u, 1 if u.start == 0 else _RESERVED_PART, _RESERVED_PART))
    )
    return [render(u, i, len(pages)) for i, u in enumerate(pages, start=1)]


def _link(label: str, url: str) -> JSON:
    """A link in ``lark_md`` (the URL is ours: the published research site)."""
    return _md(f"[{escape_lark_md(label)}]({url.replace(')', '%29')})")


def _image(image_key: str, alt: str) -> JSON:
    return {"tag": "img", "img_key": image_key, "alt": {"tag": "plain_text", "content": alt}}


def _pack(total: int, ok: Callable[[range], bool]) -> list[range]:
    """Greedy split of ``total`` lines into ranges ``ok`` accepts; at least one range."""
    ranges: list[range] = []
    start = 0
    while start < total or not ranges:
        end = min(start + 1, total)
        if not ok(range(start, end)):
            raise ValueError("one line does not fit in a Feishu card")
        while end < total and ok(range(start, end + 1)):
            end += 1
        ranges.append(range(start, end))
        start = end
    return ranges


# --- cards and alerts ----------------------------------------------------------------------


def card_to_feishu(
    card: Card,
    language: Language,
    *,
    colors: ColourScheme | None = None,
    image_key: str | None = None,
    research: Callable[[Lang], str] | None = None,
) -> JSON:
    """One signal card (the ``webhook test`` sample) as a request body; ``research`` (the
    fund's research page in a language, when the site is published) is linked from it."""
    palette = resolve(colors, language)
    texts = {lang: card_text(card, lang) for lang in languages(language)}
    tone = REGIME_TONE[card.signal.regime]

    def elements(lang: Lang) -> list[JSON]:
        c = texts[lang]
        figures = " · ".join(f"{escape_lark_md(k)} {escape_lark_md(v)}" for k, v in c.numbers)
        regime = _font(escape_lark_md(c.regime_label), palette.for_tone(tone))
        out: list[JSON] = [
            _md(f"**{escape_lark_md(c.regime_heading)}** {regime}\n{figures}"),
            _md(escape_lark_md(c.paragraph)),
        ]
        if c.track:
            out.append(_md(escape_lark_md(c.track)))
        if image_key is not None:
            out.append(_image(image_key, c.title))
        if c.page_url is not None:  # the card's research page (Card.site_url)
            out.append(_link(c.page_link, c.page_url))
        elif image_key is None and research is not None:
            out.append(_link(t("site.fund_title", lang, ticker=card.ticker), research(lang)))
        notes = [c.as_of, *([c.stale] if c.stale else []), c.source, c.scope, c.footer]
        return [*out, _note(notes)]

    titles = {lang: texts[lang].title for lang in texts}
    return _card(titles, elements, palette.for_tone(tone))


def alert_to_feishu(
    changes: Sequence[RegimeChange],
    session: date,
    language: Language,
    *,
    source: str,
    colors: ColourScheme | None = None,
) -> list[JSON]:
    """The grouped alert as request bodies: one card unless the changes are too many."""
    palette = resolve(colors, language)
    shown = languages(language)

    def render(group: range) -> JSON:
        picked = [changes[i] for i in group]
        blocks = dict(zip(shown, _alert_blocks(picked, session, shown, source), strict=True))
        tone = sum(REGIME_TONE[c.card.signal.regime] for c in picked)

        def elements(lang: Lang) -> list[JSON]:
            _, *rest = blocks[lang]
            body = [_alert_line(line) for line in rest[:-2]]
            paragraphs = "\n".join(body).strip("\n").split("\n\n")
            return [*(_md(p) for p in paragraphs), _note(rest[-2:])]

        titles = {lang: blocks[lang][0] for lang in shown}
        return _card(titles, elements, palette.for_tone((tone > 0) - (tone < 0)))

    pages = _pack(len(changes), lambda g: fits(render(g)))
    return [render(g) for g in pages]


def _alert_blocks(
    changes: list[RegimeChange], session: date, shown: tuple[Lang, ...], source: str
) -> list[list[str]]:
    out = []
    for lang in shown:
        out += alert_blocks(changes, session, lang, source=source)
    return out


def _alert_line(line: str) -> str:
    """A line of :func:`formatting.alerts.alert_blocks`: a research page as a link."""
    if isinstance(line, Link):
        return f"[{escape_lark_md(line.words)}]({line.url.replace(')', '%29')})"
    return escape_lark_md(line)
