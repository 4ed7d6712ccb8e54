"""The one map from Discord's locales to the catalog languages.

Discord sends a reader's locale with every interaction and a guild's community locale on join;
the command tree is translated for the same locales. ``zh-CN`` reads Simplified, ``zh-TW``
(Discord's 繁體中文 client) Traditional as Taiwan writes it, every ``en-*`` English. Discord
has no Hong Kong locale (its list stops at ``zh-CN`` and ``zh-TW``:
https://discord.com/developers/docs/reference#locales, as discord-api-types' ``Locale`` enum
spells it), so a Hong Kong server chooses ``zh-hk`` with ``/language``.
"""

from __future__ import annotations

from formatting.i18n import Lang, Language

#: Discord locale -> the catalog language its readers get.
LOCALES: dict[str, Lang] = {
    "zh-CN": "zh",
    "zh-TW": "zh-hant",  # Discord's 繁體中文 client: Traditional
    "en-US": "en",
    "en-GB": "en",
}


def reader_language(locale: object) -> Language | None:
    """The catalog language of a Discord locale (zh-CN, zh-TW -> zh-hant, en-*), else None.

    ``locale`` is a ``discord.Locale`` or its text. The rule: public messages follow the server,
    private ones follow the reader.
    """
    value = str(getattr(locale, "value", locale) or "")
    return LOCALES.get(value) or ("en" if value.startswith("en-") else None)


def translated_language(locale: object) -> Lang | None:
    """The catalog language the command tree is translated into for ``locale``; None where
    Discord shows the default (English) text."""
    value = str(getattr(locale, "value", locale) or "")
    lang = LOCALES.get(value)
    return None if lang == "en" else lang
