"""Cards for the terminal: a rich Panel per language, and plain-text rendering of any renderable."""

from __future__ import annotations

from io import StringIO

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from formatting.card import Card, Language, languages
from formatting.colours import TERMINAL_NAMES, ColourScheme, Palette, resolve
from formatting.text import CardText, card_text

DEFAULT_WIDTH = 100


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
    parts.append(Text(text.meaning))
    numbers = Table(box=None, padding=(0, 3, 0, 0), show_edge=False)
    for label, _ in text.numbers:
        numbers.add_column(label, header_style="bold", justify="right", no_wrap=True)
    numbers.add_row(*(Text(value) for _, value in text.numbers))
    parts += [Text(""), numbers, Text(""), Text(text.paragraph), Text("")]
    for heading, body in ((text.context_heading, text.context), (text.watch_heading, text.watch)):
        if body is not None:
            parts.append(Text.assemble((heading, "bold"), "\n", body))
    parts += [Text(""), Text(text.scope, style="italic")]
    notes = Text(f"{text.as_of} · {text.source}", style="dim")
    if text.stale is not None:
        notes.append(f"\n{text.stale}", style="yellow")
    parts += [notes, Text(text.footer, style="dim")]
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
