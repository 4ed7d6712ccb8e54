"""The language scheme, spelled once: catalog languages and the settings a server can choose.

A *catalog language* (:data:`Lang`) is one set of words: ``en`` (English), ``zh`` (Simplified
Chinese as the mainland writes it), ``zh-hant`` (Traditional Chinese as Taiwan writes it) or
``zh-hk`` (Traditional Chinese as Hong Kong writes it: its catalog holds only the texts Hong Kong
writes differently and falls back to ``zh-hant`` for the rest, :data:`FALLBACK`). A *language
setting* (:data:`Language`) is what a server, a subscription or a CLI flag chooses: one catalog
language, or English followed by one Chinese (``both`` = English + Simplified, ``both-hant`` =
English + Taiwan, ``both-hk`` = English + Hong Kong). Everything else (storage CHECK constraints,
validation, Discord choices, settings) is derived from here.
"""

from __future__ import annotations

from typing import Literal, get_args

Lang = Literal["en", "zh", "zh-hant", "zh-hk"]
LANGS: tuple[Lang, ...] = get_args(Lang)

Language = Literal["en", "zh", "zh-hant", "zh-hk", "both", "both-hant", "both-hk"]
LANGUAGES: tuple[Language, ...] = get_args(Language)

#: The catalog languages a setting shows, in display order (bilingual is English first).
SHOWN: dict[Language, tuple[Lang, ...]] = {
    "en": ("en",),
    "zh": ("zh",),
    "zh-hant": ("zh-hant",),
    "zh-hk": ("zh-hk",),
    "both": ("en", "zh"),
    "both-hant": ("en", "zh-hant"),
    "both-hk": ("en", "zh-hk"),
}
#: Catalog languages written in Chinese.
CHINESE: frozenset[Lang] = frozenset({"zh", "zh-hant", "zh-hk"})
#: Catalog languages written in Traditional characters.
TRADITIONAL: frozenset[Lang] = frozenset({"zh-hant", "zh-hk"})
#: A catalog language that holds only its differences, and the language it falls back to.
FALLBACK: dict[Lang, Lang] = {"zh-hk": "zh-hant"}

#: The longest setting, for storage column widths.
MAX_LANGUAGE_LENGTH = max(len(choice) for choice in LANGUAGES)


def languages(choice: Language) -> tuple[Lang, ...]:
    """The catalog languages ``choice`` shows, in display order."""
    return SHOWN[choice]


def script_of(choice: Language) -> Lang:
    """The catalog language whose font face a picture in ``choice`` takes: its Chinese, if any
    (the CJK face of that script also draws the English of a bilingual picture)."""
    shown = SHOWN[choice]
    return next((lang for lang in shown if lang in CHINESE), shown[0])


def sql_in(column: str) -> str:
    """``column IN ('en', 'zh', ...)``: the CHECK constraint text of a language column."""
    return f"{column} IN ({', '.join(repr(choice) for choice in LANGUAGES)})"
