"""The terminal's wrapping of a Chinese paragraph: lines fit, nothing is lost, and kinsoku holds
(no line starts with closing punctuation or ends with opening punctuation)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from formatting.terminal import ChineseParagraph

#: Kinsoku in the tests' own words: no line starts with these ...
CLOSING = "，。、；：？！）」』》”…%).,"
#: ... and none ends with these.
OPENING = "（「『《“("


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet="价格动量偏弱，。：（）IWM 281.65% abcdef", min_size=0, max_size=120),
    width=st.integers(min_value=4, max_value=60),
)
def test_chinese_paragraph_wraps_within_width_and_loses_nothing(text: str, width: int) -> None:
    """Any text: lines fit the width and no character is lost; closing punctuation starts a line
    only when nothing could move down with it (the line before is one character and a run of
    closing punctuation wider than the line)."""
    lines = ChineseParagraph(text).lines(width)
    assert all(cell_len(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for before, line in itertools.pairwise(lines):
        assert line[0] not in CLOSING or len(before.strip(CLOSING + " ")) <= 1


#: Chinese as it is written: Han characters and Latin runs (numbers, tickers, names), each maybe
#: after an opening bracket or quote and before up to two closing marks ("%）。", "”，"); some
#: Latin runs are wider than a line.
_HAN = st.sampled_from("价格动量偏弱中小盘股的收于美元单日下跌累计上涨")
_LATIN = st.from_regex(
    r"[A-Za-z]{1,12}|[+-]?[0-9]{1,4}(\.[0-9]{2})?%?|\$[0-9]{1,3}\.[0-9]{2}|[A-Z0-9][A-Z0-9.%]{12,40}",
    fullmatch=True,
)
_SEGMENT = st.tuples(
    st.sampled_from(["", "", "", *OPENING]),
    st.one_of(_HAN, _HAN, _LATIN),
    st.text(alphabet=CLOSING, max_size=2),
    st.sampled_from(["", "", "", " "]),
).map("".join)


@settings(max_examples=300, deadline=None)
@given(segments=st.lists(_SEGMENT, max_size=40), width=st.integers(min_value=8, max_value=60))
def test_chinese_paragraph_keeps_punctuation_with_its_character(
    segments: list[str], width: int
) -> None:
    """Mixed Chinese and Latin text at any width the terminal uses: no line starts with closing
    punctuation or ends with opening punctuation, lines fit, and no character is lost."""
    text = "".join(segments)
    lines = ChineseParagraph(text).lines(width)
    assert all(cell_len(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(line and line[0] not in CLOSING for line in lines)
    assert all(line[-1] not in OPENING for line in lines)


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        # the /signal IWM card: "，" after "0.56%" at the end of a line takes "0.56%" down with it
        (19, ["美元，单日下跌", "0.56%，累计上涨"]),
        # a Han character before closing punctuation moves down with it
        (8, ["单日下", "跌。」"]),
        # opening punctuation stays with what follows it
        (13, ["ETF收于美元", "（IWM）"]),
    ],
)
def test_chinese_paragraph_kinsoku_examples(width: int, expected: list[str]) -> None:
    """The line breaks kinsoku asks for, spelled out."""
    assert ChineseParagraph("".join(expected)).lines(width) == expected
