"""Translation catalogs: gettext ``.po`` files keyed by stable dotted ids, read with Babel.

The language is an argument of every call (never a global switch). ``msgid`` is the key and
``msgstr`` the text; a key missing from a catalog is a bug and raises :class:`KeyError`. The Hong
Kong catalog (``zh_Hant_HK``) holds only the texts Hong Kong writes differently from Taiwan; every
other key is read from the Taiwan catalog (:data:`formatting.languages.FALLBACK`).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from babel.messages.pofile import read_po

from formatting.channels import ChannelRef as ChannelRef  # one class; imported from here too
from formatting.languages import FALLBACK, LANGS, Lang, Language

__all__ = ["LANGS", "Lang", "Language", "Term", "keys", "language_name", "t", "text"]

DOMAIN = "signalbot"
LOCALES_DIR = Path(__file__).parent / "locales"
#: Directory (and Babel locale) of each language's catalog.
CATALOG_LOCALE: dict[Lang, str] = {
    "en": "en",
    "zh": "zh_Hans",
    "zh-hant": "zh_Hant",
    "zh-hk": "zh_Hant_HK",
}


@dataclass(frozen=True)
class Term:
    """A message parameter that is itself a catalog key, translated into each language shown."""

    key: str


def catalog_path(lang: Lang) -> Path:
    """Path of the ``.po`` file for ``lang``."""
    return LOCALES_DIR / CATALOG_LOCALE[lang] / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def own_texts(lang: Lang) -> Mapping[str, str]:
    """The texts of ``lang``'s own catalog file (for ``zh-hk``: only its differences)."""
    if lang not in CATALOG_LOCALE:
        raise ValueError(f"unknown language {lang!r}")
    with catalog_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=CATALOG_LOCALE[lang], domain=DOMAIN)
    texts: dict[str, str] = {}
    for message in catalog:
        key, value = message.id, message.string
        if isinstance(key, str) and key and isinstance(value, str) and value and not message.fuzzy:
            texts[key] = value
    return MappingProxyType(texts)


@cache
def _catalog(lang: Lang) -> Mapping[str, str]:
    """Every text of ``lang``: its own, over its fallback's (if it has one)."""
    fallback = FALLBACK.get(lang)
    if fallback is None:
        return own_texts(lang)
    return MappingProxyType({**_catalog(fallback), **own_texts(lang)})


def text(key: str, lang: Lang) -> str:
    """The raw catalog text of ``key`` in ``lang`` (placeholders not filled)."""
    try:
        return _catalog(lang)[key]
    except KeyError:
        raise KeyError(f"message {key!r} is missing from the {lang!r} catalog") from None


def t(key: str, lang: Lang, **params: Any) -> str:
    """The text of ``key`` in ``lang`` with ``{name}`` placeholders filled from ``params``.

    Raises :class:`KeyError` for an unknown key or a placeholder without a parameter; extra
    parameters are ignored.
    """
    template = text(key, lang)
    try:
        return template.format_map(params)
    except KeyError as exc:
        raise KeyError(f"message {key!r} needs parameter {exc.args[0]!r}") from None


def keys(lang: Lang) -> frozenset[str]:
    """Every key of the ``lang`` catalog."""
    return frozenset(_catalog(lang))


def placeholders(key: str, lang: Lang) -> frozenset[str]:
    """Names of the ``{name}`` placeholders in ``key``'s text in ``lang``."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text(key, lang)) if name)


def language_name(choice: Language, lang: Lang) -> str:
    """Display name of a language setting (``en``, ``zh``, ``both`` ...) in ``lang``."""
    return t(f"language.name.{choice}", lang)
