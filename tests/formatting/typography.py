"""The typographic rule for Chinese text (docs/glossary.md), as a checker tests share.

Chinese text uses full-width ，。：；（）！？; ASCII punctuation stays only inside Latin runs
("S&P 500", "3.55%", "16:30", "HH:MM", "1,234.50"). No space between a Han character and a Latin
letter, a digit or a placeholder ("IWM追踪罗素2000指数", "收于281.65美元"); spaces between Latin
words, and two or more spaces of table padding, stay.
"""

from __future__ import annotations

import re

HAN = r"\u3400-\u4dbf\u4e00-\u9fff"
FULL_PUNCT = "，。：；（）！？、「」『』《》…—"
_HAN_OR_FULL = f"[{HAN}{FULL_PUNCT}]"
#: A single space between Han and Latin/digit/placeholder, either order.
_SPACE = re.compile(
    rf"(?<![ ])(?:(?<=[{HAN}]) (?=[A-Za-z0-9{{$+\-])|(?<=[A-Za-z0-9}}%]) (?=[{HAN}]))(?! )"
)
#: ASCII , : ; ( ) ! ? next to Han or full-width punctuation (ignoring spaces).
_ASCII_NEAR_HAN = re.compile(rf"(?:{_HAN_OR_FULL}\s*[,:;()!?])|(?:[,:;()!?]\s*{_HAN_OR_FULL})")
#: A Latin-only parenthesis is fine ("(e.g. C0123)" inside English), one holding Han is not.
_PAREN_WITH_HAN = re.compile(rf"\([^()]*[{HAN}][^()]*\)")
#: A single space right before or after full-width punctuation ("日报 （第1部分）").
_SPACE_AT_FULL = re.compile(r"(?<! ) [，。：；（）！？](?! )|(?<![ ])(?<=[，。：；（）！？]) (?! )")
#: A sentence-final ASCII full stop right after Han.
_HAN_PERIOD = re.compile(rf"[{HAN}]\.(?!\d)")


def violations(text: str) -> list[str]:
    """Every breach of the rule in ``text``, each with a little context, for a clear failure."""
    found = []
    for pattern, what in (
        (_SPACE, "space between Han and Latin"),
        (_ASCII_NEAR_HAN, "half-width punctuation in Chinese text"),
        (_PAREN_WITH_HAN, "half-width parentheses around Chinese"),
        (_HAN_PERIOD, "half-width full stop after Chinese"),
        (_SPACE_AT_FULL, "space next to full-width punctuation"),
    ):
        for match in pattern.finditer(text):
            start, end = max(match.start() - 8, 0), match.end() + 8
            found.append(f"{what}: …{text[start:end]}…")
    return found


def fix(text: str) -> str:
    """A mechanical first pass over Simplified/Traditional text (read the result afterwards)."""
    text = re.sub(rf"(?<=[{HAN}]) +(?=[A-Za-z0-9{{$+\-])", "", text)
    text = re.sub(rf"(?<=[A-Za-z0-9}}%]) +(?=[{HAN}])", "", text)
    text = _PAREN_WITH_HAN.sub(lambda m: "（" + m.group(0)[1:-1] + "）", text)
    table = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"}
    for _ in range(3):
        text = _ASCII_NEAR_HAN.sub(lambda m: "".join(table.get(ch, ch) for ch in m.group(0)), text)
    text = re.sub(rf"(?<=[{HAN}])\.(?!\d)", "。", text)
    return re.sub(r"(?<=[，。：；（）]) +| +(?=[，。：；（）])", "", text)
