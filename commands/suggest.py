"""“Did you mean”: the known command word closest to a mistyped one (``sginal`` -> ``signal``).

It takes the list of known words as input, so whoever spells the commands (the registry, the
terminal's own words) passes its list and nothing here needs to change with it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

#: How alike (difflib's ratio, 0..1) a known word must be to be suggested: 0.75 takes one swapped,
#: missing or extra letter in a word of four letters or more (``hlep``, ``signl``), not ``xyz``.
CUTOFF = 0.75


def did_you_mean(word: str, known: Iterable[str], *, cutoff: float = CUTOFF) -> str | None:
    """The known word most like ``word`` (case ignored), or None when none is alike enough."""
    by_lower: dict[str, str] = {}
    for candidate in known:
        by_lower.setdefault(candidate.lower(), candidate)
    typed = word.strip().lower()
    if not typed or typed in by_lower:
        return None
    found = difflib.get_close_matches(typed, list(by_lower), n=1, cutoff=cutoff)
    return by_lower[found[0]] if found else None
