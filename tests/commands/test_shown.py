"""Quoted input shows invisible characters escaped: ``I\\u200dWM`` is never quoted as ``IWM``."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commands.reply import UserError
from commands.validation import parse_ticker, shown, visible

#: Characters a reader cannot see and that are not spaces: format (Cf: zero-width joiner, bidi
#: overrides), control (Cc) and the like.
invisible = st.characters(
    categories=("Cc", "Cf", "Co", "Cn", "Cs"),
    exclude_characters="\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85",
)
printable = st.characters(categories=("L", "N", "P", "S"), exclude_characters=" ").filter(
    str.isprintable
)


def test_zero_width_joiner_is_shown() -> None:
    with pytest.raises(UserError) as caught:
        parse_ticker("I\u200dWM")
    assert caught.value.key == "error.invalid_ticker"
    assert caught.value.params["ticker"] == "I\\u200dWM"


def test_escapes_follow_pythons_spelling() -> None:
    assert shown("a\x00b\u202ec\U000e0001") == "a\\x00b\\u202ec\\U000e0001"
    assert shown("  two\t\nwords\u00a0here ") == "two words here"


@given(st.text(printable, max_size=6), invisible, st.text(printable, max_size=6))
def test_an_invisible_character_is_never_dropped(left: str, hidden: str, right: str) -> None:
    """Short input with an invisible character comes back with it escaped, in place."""
    assert shown(left + hidden + right) == left + visible(hidden) + right
    assert visible(hidden) != "" and visible(hidden).startswith("\\")


@given(st.text(max_size=400))
def test_quoted_text_is_printable_bounded_and_never_cuts_an_escape(raw: str) -> None:
    """At most 24 printable characters: the input's first characters, each whole (a printable
    one as is, an invisible one escaped), then "…" if it was cut."""
    out = shown(raw)
    assert len(out) <= 24 and all(ch.isprintable() for ch in out)
    pieces = [visible(ch) for ch in " ".join(raw.split())]
    prefixes = {"".join(pieces[:k]) for k in range(len(pieces) + 1)}
    if out.endswith("…") and out != "".join(pieces):
        assert out[:-1] in prefixes
    else:
        assert out == "".join(pieces)


@given(st.text(max_size=60))
def test_printable_input_is_unchanged_but_for_spaces(raw: str) -> None:
    """Text a reader sees as is (printable, single spaces) is quoted as is, if short."""
    text = "".join(ch for ch in raw if ch.isprintable() and not ch.isspace())[:24]
    assert shown(text) == text
