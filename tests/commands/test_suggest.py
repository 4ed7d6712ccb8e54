"""“Did you mean”: difflib over the command words it is given."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from commands.registry import REGISTRY
from commands.suggest import did_you_mean

WORDS = [*REGISTRY, "quit", "exit", "clear", "q", "?"]


def test_one_typo_away_is_suggested():
    """sginal, signl, histroy, langauge, hlep: the command meant; case is ignored."""
    cases = {
        "sginal": "signal",
        "SIGNL": "signal",
        "histroy": "history",
        "langauge": "language",
        "hlep": "help",
    }
    for typed, meant in cases.items():
        assert did_you_mean(typed, WORDS) == meant


def test_unrelated_or_exact_words_get_no_suggestion():
    """frobnicate, xyz, a known word itself, nothing: no suggestion."""
    for typed in ("frobnicate", "xyz", "signal", "", "  "):
        assert did_you_mean(typed, WORDS) is None


def test_the_known_words_are_an_input():
    """Another list of words (a registry spelled differently) is used as given."""
    assert did_you_mean("sginal", ["Signal", "other"]) == "Signal"
    assert did_you_mean("sginal", []) is None


@given(st.text(max_size=30), st.lists(st.text(min_size=1, max_size=12), max_size=20))
def test_a_suggestion_is_always_one_of_the_known_words(typed, known):
    """Whatever is typed, the answer is None or a word of the list (never invented)."""
    found = did_you_mean(typed, known)
    assert found is None or found in known
