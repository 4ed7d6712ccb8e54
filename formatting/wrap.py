"""Word wrap for a terminal, in English and Chinese alike (``/help`` at the terminal's width).

Latin words break at spaces; Han text may break between any two characters, except that a line
never starts with closing punctuation (，。、：；！？）」) nor ends with opening punctuation
(（「), the usual line-breaking rule of Chinese typesetting. Widths are terminal cells (a Han
character is two), measured with rich.
"""

from __future__ import annotations

import re

from rich.cells import cell_len

_CLOSING = "，。、：；！？）」』》〉】’”…·"
_OPENING = "（「『《〈【‘“"
_WIDE = r"\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
#: One unit: a run of spaces, one wide character (with its punctuation kept on its side), or a
#: run of narrow non-space characters (a Latin word, a number, ``/signal``, ``[en|zh]``).
_UNIT = re.compile(rf"\s+|[{_OPENING}]*[{_WIDE}][{_CLOSING}]*|[^\s{_WIDE}]+[{_CLOSING}]*")


def wrap(text: str, width: int) -> list[str]:
    """``text`` (one paragraph) as lines of at most ``width`` cells; a unit wider than the whole
    line (a very long word) is cut where the line ends."""
    width = max(width, 2)
    lines: list[str] = []
    line = ""
    for unit in _UNIT.findall(text):
        if unit.isspace():
            if line and cell_len(line) + cell_len(unit) <= width:
                line += unit
            elif line:
                lines.append(line.rstrip())
                line = ""
            continue
        if cell_len(line) + cell_len(unit) <= width:
            line += unit
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = unit
        while cell_len(line) > width:  # longer than a line: cut it
            cut = _fit(line, width)
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _fit(text: str, width: int) -> int:
    """How many leading characters of ``text`` fit in ``width`` cells (at least one)."""
    used = 0
    for i, ch in enumerate(text):
        used += cell_len(ch)
        if used > width:
            return max(i, 1)
    return len(text)
