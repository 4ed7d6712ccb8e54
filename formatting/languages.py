"""The language scheme, spelled once: catalog languages and the settings a server can choose.

A *catalog language* (:data:`Lang`) is one set of words: ``en`` (English), ``zh`` (Simplified
Chinese) or ``zh-hant`` (Traditional Chinese). A *language setting* (:data:`Language`) is what a
server, a subscription or a CLI flag chooses: one catalog language, or English followed by one
Chinese (``both`` = English + Simplified, ``both-hant`` = English + Traditional). Everything else
(storage CHECK constraints, validation, Discord choices, settings) is derived from here.
"""

from __future__ import annotations

from typing import Literal, get_args

Lang = Literal["en", "zh", "zh-hant"]
LANGS: tuple[Lang, ...] = get_args(Lang)

Language = Literal["en", "zh", "zh-hant", "both", "both-hant"]
LANGUAGES: tuple[Language, ...] = get_args(Language)

#: The catalog languages a setting shows, in display order (bilingual is English first).
SHOWN: dict[Language, tuple[Lang, ...]] = {
    "en": ("en",),
    "zh": ("zh",),
    "zh-hant": ("zh-hant",),
    "both": ("en", "zh"),
    "both-hant": ("en", "zh-hant"),
}
#: Catalog languages written in Chinese.
CHINESE: frozenset[Lang] = frozenset({"zh", "zh-hant"})

#: The longest setting, for storage column widths.
MAX_LANGUAGE_LENGTH = max(len(choice) for choice in LANGUAGES)


def languages(choice: Language) -> tuple[Lang, ...]:
    """The catalog languages ``choice`` shows, in display order."""
    return SHOWN[choice]


def sql_in(column: str) -> str:
    """``column IN ('en', 'zh', ...)``: the CHECK constraint text of a language column."""
    return f"{column} IN ({', '.join(repr(choice) for choice in LANGUAGES)})"
