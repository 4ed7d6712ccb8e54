"""A strict reader of Telegram HTML for tests: what Telegram's parser accepts, and the text it shows.

https://core.telegram.org/bots/api#html-style: the supported tags; "All <, > and & symbols that
are not a part of a tag or an HTML entity must be replaced with the corresponding HTML
entities"; the named entities &lt; &gt; &amp; &quot; (and numeric ones) are supported. Tags must
be closed in order, otherwise the API answers 400 "can't parse entities".
"""

from __future__ import annotations

import html
import re

TAGS = ("b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "a")
_TAG = re.compile(r'<(/?)([a-z]+)((?: href="[^"<>]*")?)>')
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


class Malformed(ValueError):
    """The HTML Telegram would refuse ("can't parse entities")."""


def parse(message: str) -> str:
    """The text Telegram shows for ``message``, or :class:`Malformed`."""
    stack: list[str] = []
    out: list[str] = []
    pos = 0
    for match in _TAG.finditer(message):
        out.append(_text(message[pos : match.start()]))
        closing, name, attrs = match.groups()
        if name not in TAGS or (attrs and name != "a"):
            raise Malformed(f"unsupported tag {match.group(0)!r}")
        if closing:
            if not stack or stack.pop() != name:
                raise Malformed(f"unbalanced {match.group(0)!r}")
        else:
            stack.append(name)
        pos = match.end()
    out.append(_text(message[pos:]))
    if stack:
        raise Malformed(f"unclosed {stack}")
    return "".join(out)


def _text(chunk: str) -> str:
    if "<" in chunk or ">" in chunk:
        raise Malformed(f"bare < or > in {chunk[:40]!r}")
    if "&" in _ENTITY.sub("", chunk):
        raise Malformed(f"bare & in {chunk[:40]!r}")
    return html.unescape(chunk)


def utf16_len(text: str) -> int:
    """Telegram's length: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2
