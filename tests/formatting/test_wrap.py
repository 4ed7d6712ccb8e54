"""Terminal word wrap in English and Chinese: width in cells, Chinese line-break rules."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from formatting.wrap import wrap

CLOSING = "，。、：；！？）"


def test_english_breaks_at_spaces():
    """Latin words are never cut when they fit a line."""
    text = "/signal TICKER: Show the momentum card for one or more ETF tickers"
    lines = wrap(text, 20)
    assert lines == ["/signal TICKER: Show", "the momentum card", "for one or more ETF", "tickers"]


def test_chinese_breaks_between_characters_but_not_before_closing_punctuation():
    """Han text breaks anywhere, Latin runs stay whole, no line starts with ，。）."""
    text = "/colors [green-up|red-up]：查看或修改这里的涨跌颜色：green-up（绿涨红跌）或red-up（红涨绿跌）。"
    lines = wrap(text, 24)
    assert "".join(lines) == text.replace("/colors [", "/colors[")  # the space it broke at
    assert all(cell_len(line) <= 24 for line in lines)
    assert not any(line[0] in CLOSING for line in lines)
    assert "green-up" in "\n".join(lines)  # not cut inside


alphabet = st.sampled_from(list("ab cd/-") + list("动量信号卡片") + list(CLOSING) + ["（"])


@given(st.text(alphabet=alphabet, max_size=80), st.integers(min_value=4, max_value=40))
def test_lines_fit_and_keep_every_character(text, width):
    """Every line fits the width, nothing but spaces is lost, no line ends with a space."""
    lines = wrap(text, width)
    assert all(cell_len(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(line == line.rstrip() and line for line in lines)
