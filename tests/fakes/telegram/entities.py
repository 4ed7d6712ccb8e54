"""Telegram's HTML parse mode as the fake reads it: tags into entities, or the 400 Telegram gives.

Behaviour from the Bot API documentation, "Formatting options" / "HTML style"
(https://core.telegram.org/bots/api#html-style):

- supported tags: ``b``/``strong``, ``i``/``em``, ``u``/``ins``, ``s``/``strike``/``del``,
  ``span class="tg-spoiler"``/``tg-spoiler``, ``a href``, ``tg-emoji emoji-id``, ``code``,
  ``pre``, ``blockquote`` (``expandable``); tag names are case-insensitive;
- "All <, > and & symbols that are not a part of a tag or an HTML entity must be replaced with
  the corresponding HTML entities"; only the named entities ``&lt;`` ``&gt;`` ``&amp;``
  ``&quot;`` are supported, and every numerical entity;
- message and caption limits count the text *after* entities parsing (sendMessage: "1-4096
  characters after entities parsing"; sendPhoto caption: "0-1024 characters after entities
  parsing", https://core.telegram.org/bots/api#sendmessage, #sendphoto).

What Telegram answers to markup it cannot parse is a 400 whose description starts
``Bad Request: can't parse entities:`` followed by the reason and a UTF-8 byte offset, as in
the threads where bots lost messages to it (teknologi-umum/bot#87: "Unmatched end tag at byte
offset 490, expected "</i>", found "</a>"", "Unsupported start tag "script" at byte offset
1893"; eternnoir/pyTelegramBotAPI#758: "Unexpected end of name token at byte offset 291";
dmcallejo/ASFBot#5 and irazasyed/telegram-bot-sdk#581: "Can't find end of the entity starting
at byte offset 7"). Like tdlib, a ``&`` that starts no entity is kept as a character (it is not
an error), and a literal ``>`` is text; a literal ``<`` always starts a tag.

Lengths are counted in UTF-16 code units, the unit of Telegram's entity offsets
(https://core.telegram.org/api/entities#entity-length): never fewer than the characters, so
text that fits here fits on Telegram.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: tag name -> the entity type it makes
TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);")
_NAME = re.compile(r"[a-zA-Z0-9-]+")
_ATTR = re.compile(r"\s*([a-zA-Z-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")

CANT_PARSE = "Bad Request: can't parse entities: "


class ParseError(Exception):
    """The markup Telegram refuses; ``str()`` is the whole 400 description."""

    def __init__(self, reason: str) -> None:
        super().__init__(CANT_PARSE + reason)


@dataclass
class Parsed:
    """The text a reader sees and the entities over it (offsets and lengths in UTF-16 units)."""

    text: str
    entities: list[dict[str, object]] = field(default_factory=list)

    @property
    def length(self) -> int:
        return utf16_length(self.text)

    def of_type(self, kind: str) -> list[str]:
        """The text covered by each entity of ``kind`` (``bold``, ``text_link`` ...)."""
        units = self.text.encode("utf-16-le")
        return [
            units[
                2 * int(str(e["offset"])) : 2 * (int(str(e["offset"])) + int(str(e["length"])))
            ].decode("utf-16-le")
            for e in self.entities
            if e["type"] == kind
        ]


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _decode(entity: str) -> str | None:
    if entity.startswith("#x"):
        return chr(int(entity[2:], 16))
    if entity.startswith("#"):
        return chr(int(entity[1:]))
    return NAMED.get(entity.lower())


def parse_html(source: str) -> Parsed:
    """Parse ``source`` as Telegram's HTML parse mode, or raise :class:`ParseError`."""
    out: list[str] = []
    units = 0  # UTF-16 length of what is in ``out``
    stack: list[tuple[str, int, int, dict[str, str]]] = []  # tag, start units, byte offset, attrs
    entities: list[dict[str, object]] = []
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == "&":
            match = _ENTITY.match(source, i)
            decoded = _decode(match.group(1)) if match else None
            if match and decoded is not None:
                out.append(decoded)
                units += utf16_length(decoded)
                i = match.end()
                continue
        if ch != "<":
            out.append(ch)
            units += utf16_length(ch)
            i += 1
            continue
        start = i
        closing = source.startswith("</", i)
        i += 2 if closing else 1
        name_match = _NAME.match(source, i)
        if name_match is None:
            raise ParseError(
                f"Unexpected end of name token at byte offset {_byte_offset(source, i)}"
            )
        name = name_match.group(0).lower()
        i = name_match.end()
        end = source.find(">", i)
        if end < 0:
            raise ParseError(f"Unclosed start tag at byte offset {_byte_offset(source, start)}")
        if closing:
            if source[i:end].strip():
                raise ParseError(f"Unexpected end tag at byte offset {_byte_offset(source, start)}")
            if not stack:
                raise ParseError(f"Unexpected end tag at byte offset {_byte_offset(source, start)}")
            open_name, open_units, _, attrs = stack.pop()
            if open_name != name:
                raise ParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(source, start)}, "
                    f'expected "</{open_name}>", found "</{name}>"'
                )
            if units > open_units:
                entities.append(_entity(open_name, open_units, units - open_units, attrs))
            i = end + 1
            continue
        if name not in TAGS:
            raise ParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, start)}'
            )
        attrs = _attributes(source[i:end], source, start)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise ParseError('Tag "span" must have class "tg-spoiler"')
        if name == "a" and "href" not in attrs:
            attrs["href"] = ""
        if stack and stack[-1][0] in ("code", "pre") and name != "code":
            raise ParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, start)}'
                " inside a code block"
            )
        stack.append((name, units, _byte_offset(source, start), attrs))
        i = end + 1
    if stack:
        name, _, offset, _ = stack[-1]
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{name}"'
                         f" at byte offset {offset}")  # fmt: skip
    entities.sort(key=lambda e: (int(str(e["offset"])), -int(str(e["length"]))))
    return Parsed("".join(out), entities)


def _attributes(raw: str, source: str, start: int) -> dict[str, str]:
    attrs: dict[str, str] = {}
    pos = 0
    raw = raw.rstrip("/")
    while pos < len(raw) and raw[pos:].strip():
        match = _ATTR.match(raw, pos)
        if match is None or match.end() == pos:
            raise ParseError(
                f"Unexpected end of name token at byte offset {_byte_offset(source, start)}"
            )
        value = match.group(2) or ""
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        attrs[match.group(1).lower()] = _ENTITY.sub(
            lambda m: _decode(m.group(1)) or m.group(0), value
        )
        pos = match.end()
    return attrs


def _entity(name: str, offset: int, length: int, attrs: dict[str, str]) -> dict[str, object]:
    entity: dict[str, object] = {"type": TAGS[name], "offset": offset, "length": length}
    if name == "a":
        entity["url"] = attrs.get("href", "")
    if name == "pre" and "language" in attrs:
        entity["language"] = attrs["language"]
    if name == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    return entity
