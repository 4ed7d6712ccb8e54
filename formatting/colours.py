"""The colour convention of rises and falls, spelled once: green-up or red-up (红涨绿跌).

Western readers expect green for a rise and red for a fall; Chinese-speaking investors read the
reverse. A server chooses with ``/colors``; until it does, the convention follows its language
(:func:`default_scheme`: red-up when the first language shown is mainland or Taiwan Chinese,
else green-up: Hong Kong quotes rises in green, and a bilingual card, English first, keeps the
English convention). Every picture and colour (card
chart, heatmap, embed colour, terminal styles) takes the :class:`Palette` of the scheme.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from formatting.languages import Lang, Language, languages

ColourScheme = Literal["green-up", "red-up"]
COLOUR_SCHEMES: tuple[ColourScheme, ...] = get_args(ColourScheme)

GREEN, RED, GREY = "#2e7d32", "#c62828", "#95a5a6"


@dataclass(frozen=True)
class Palette:
    """Colours for rises and falls; ``flat`` for neither."""

    up: str
    down: str
    flat: str = GREY

    def for_tone(self, tone: int) -> str:
        """The colour of a tone: +1 constructive (up), -1 defensive (down), 0 neutral."""
        return self.up if tone > 0 else self.down if tone < 0 else self.flat

    def for_value(self, value: float) -> str:
        """The colour of a signed number (a return or a z-score)."""
        return self.up if value > 0 else self.down if value < 0 else self.flat


PALETTES: dict[ColourScheme, Palette] = {
    "green-up": Palette(up=GREEN, down=RED),
    "red-up": Palette(up=RED, down=GREEN),
}


#: Terminal (rich) colour names of the palette colours: the 16-colour names every terminal has.
TERMINAL_NAMES: dict[str, str] = {GREEN: "green", RED: "red", GREY: "grey62"}


#: Catalog languages whose readers expect red for a rise (mainland and Taiwan quotes).
RED_UP_READERS: frozenset[Lang] = frozenset({"zh", "zh-hant"})


def default_scheme(language: Language) -> ColourScheme:
    """red-up for ``zh`` and ``zh-hant``; green-up for ``zh-hk`` (Hong Kong quotes rises in
    green), ``en`` and the bilingual settings (English first)."""
    return "red-up" if languages(language)[0] in RED_UP_READERS else "green-up"


def resolve(scheme: ColourScheme | None, language: Language) -> Palette:
    """The palette of ``scheme``, or of the language's default when the server chose none."""
    return PALETTES[scheme or default_scheme(language)]


def rgb_int(colour: str) -> int:
    """``#2e7d32`` as the integer Discord wants for an embed colour."""
    return int(colour.lstrip("#"), 16)


def sql_in(column: str) -> str:
    """``column IN ('green-up', 'red-up')``: the CHECK constraint text of a colours column."""
    return f"{column} IN ({', '.join(repr(s) for s in COLOUR_SCHEMES)})"
