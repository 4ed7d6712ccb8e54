"""Cards for the terminal: a rich Panel per language, and plain-text rendering of any renderable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import StringIO

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from formatting.card import Card, Language, languages
from formatting.colours import TERMINAL_NAMES, ColourScheme, Palette, resolve
from formatting.languages import CHINESE
from formatting.text import CardText, card_text

DEFAULT_WIDTH = 100


#: Latin runs stay whole ("iShares", "281.65", "3.55%"); any other character may end a line.
#: A run does not start with punctuation ("%", ".", ","), which keeps to the character before.
_TOKEN = re.compile(r"[A-Za-z0-9$+\-/&][A-Za-z0-9$%.,+\-/&'’]*|\s+|.")
#: Kinsoku: characters a line must not start with (closing punctuation) ...
_CLOSING = frozenset("，。、；：？！）」』》〉】〕］｝”’…‥·・％%,.;:?!)]}")
#: ... and characters a line must not end with (opening punctuation).
_OPENING = frozenset("（「『《〈【〔［｛“‘([{")


def _units(text: str) -> list[tuple[str, str]]:
    """``text`` as (separator, unit) pairs a line may break between: a unit is a Latin run or one
    character, with the closing punctuation after it and what follows opening punctuation; the
    separator is " " where the text had white space, else ""."""
    units: list[tuple[str, str]] = []
    sep = ""
    for token in _TOKEN.findall(text):
        if token.isspace():
            sep = " " if units else ""
        elif units and (token in _CLOSING or units[-1][1][-1] in _OPENING):
            units[-1] = (units[-1][0], units[-1][1] + sep + token)
            sep = ""
        else:
            units.append((sep, token))
            sep = ""
    return units


def _cut(unit: str, width: int) -> int:
    """Where to break a unit wider than a line: after as many characters as fit, moved back so
    the rest does not start with closing punctuation (first) nor the line end with opening
    punctuation; a character followed by more closing punctuation than fits has to break."""
    fit, cells = 0, 0
    while fit < len(unit) and cells + cell_len(unit[fit]) <= width:
        cells += cell_len(unit[fit])
        fit += 1
    fit = max(fit, 1)
    starts_ok = [c for c in range(fit, 0, -1) if unit[c:].lstrip()[:1] not in _CLOSING]
    both_ok = [c for c in starts_ok if unit[:c].rstrip()[-1:] not in _OPENING]
    return (both_ok or starts_ok or [fit])[0]


class ChineseParagraph:
    """Chinese text wrapped the way Chinese is set: a line may break between any two Han
    characters (rich breaks only at spaces, which pushed "ETF（IWM）收于…" to a line of its own),
    never before closing punctuation nor after opening punctuation (the character next to it
    moves to the next line with it, a Latin run such as "0.56%" as a whole), and never inside a
    Latin run that fits on a line."""

    def __init__(self, text: str, style: str = "") -> None:
        self.text = text
        self.style = style

    def lines(self, width: int) -> list[str]:
        """The wrapped lines at ``width`` terminal cells."""
        out: list[str] = []
        line = ""
        for sep, unit in _units(self.text):
            if not line or cell_len(line) + cell_len(sep + unit) <= width:
                line += (sep if line else "") + unit
            else:
                out.append(line)
                line = unit
            while cell_len(line) > width and len(line) > 1:  # a unit wider than a line
                cut = _cut(line, width)
                out.append(line[:cut].rstrip())
                line = line[cut:].lstrip()
        if line:
            out.append(line)
        return out

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        """One Text per wrapped line, at the width the panel gives."""
        for line in self.lines(max(options.max_width, 8)):
            yield Text(line, style=self.style, no_wrap=True, overflow="fold")


def _para(text: str, lang: str, style: str = "") -> RenderableType:
    """``text`` as a renderable: Chinese wrapped by :class:`ChineseParagraph`."""
    return ChineseParagraph(text, style) if lang in CHINESE else Text(text, style=style)


def text_to_panel(text: CardText, palette: Palette) -> Panel:
    """One language of a card as a bordered panel in the regime's colour (of ``palette``)."""
    colour = TERMINAL_NAMES[palette.for_tone(text.tone)]
    parts: list[RenderableType] = [
        Text(text.kicker, style="dim"),
        Text(text.title, style=f"bold {colour}"),
    ]
    if text.tracks is not None:
        line = Text(text.tracks)
        if text.fund_name:
            line.append(f" · {text.fund_name}", style="dim")
        parts.append(line)
    parts.append(Text(text.regime_label, style=f"bold {colour}"))
    parts.append(_para(text.meaning, text.lang))
    numbers = Table(box=None, padding=(0, 3, 0, 0), show_edge=False)
    for label, _ in text.numbers:
        numbers.add_column(label, header_style="bold", justify="right", no_wrap=True)
    numbers.add_row(*(Text(value) for _, value in text.numbers))
    parts += [Text(""), Text(text.details_heading, style="bold"), numbers, Text("")]
    parts += [_para(text.paragraph, text.lang), Text("")]
    for heading, body in ((text.context_heading, text.context), (text.watch_heading, text.watch)):
        if body is not None:
            parts += [Text(heading, style="bold"), _para(body, text.lang)]
    if text.track is not None:
        parts += [Text(""), _para(text.track, text.lang)]
    # italics for English only: Chinese has no italics
    style = "dim" if text.lang in CHINESE else "italic"
    parts += [Text(""), Text(text.boundaries_heading, style="bold")]
    parts.append(_para(text.boundaries, text.lang, style))
    parts.append(_para(f"{text.as_of} · {text.source}", text.lang, "dim"))
    if text.stale is not None:
        parts.append(_para(text.stale, text.lang, "yellow"))
    parts.append(_para(text.footer, text.lang, "dim"))
    return Panel(
        Group(*parts),
        title=Text(text.ticker, style=f"bold {colour}"),
        title_align="left",
        border_style=colour,
    )


def card_to_terminal(
    card: Card, lang: Language, *, colors: ColourScheme | None = None
) -> RenderableType:
    """The card as a rich renderable: one panel per language shown, English first.

    ``colors`` is the server's convention (None: the language's default).
    """
    palette = resolve(colors, lang)
    panels = [text_to_panel(card_text(card, lg), palette) for lg in languages(lang)]
    return panels[0] if len(panels) == 1 else Group(*panels)


def render_plain(
    renderable: RenderableType, *, width: int = DEFAULT_WIDTH, color: bool = False
) -> str:
    """Render ``renderable`` to a string (ANSI colours only when ``color``)."""
    out = StringIO()
    console = Console(
        file=out,
        width=width,
        color_system="truecolor" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        legacy_windows=False,
    )
    console.print(renderable)
    return out.getvalue()
