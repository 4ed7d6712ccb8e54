"""Command descriptions and choice names for Chinese clients, from the project's catalogs.

Keys are derived from where a string sits: ``discord.cmd.<path>.description`` (``path`` is the
qualified name with dots, e.g. ``digest.schedule``) and ``discord.choice.<option>.<value>``; an
option's description is its registry key (``help.option.*``, one per option, shared with
``/help``), passed explicitly. English (Discord's default locale) is the catalog's ``en`` text;
``zh-CN`` gets the Simplified and ``zh-TW`` the Traditional Chinese text.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot.adapters.discord.locales import translated_language
from formatting.i18n import keys, t

#: Command and option names stay as specified (/signal, ticker ...) in every locale, so members
#: of a bilingual server can tell each other what to type; descriptions and choices are localised.
NAME_LOCATIONS = frozenset({Where.command_name, Where.group_name, Where.parameter_name})


def command_key(path: str, field: str) -> str:
    """Catalog key of a command's (or group's) ``name`` or ``description``."""
    return f"discord.cmd.{path.replace(' ', '.')}.{field}"


def choice_key(option: str, value: str) -> str:
    """Catalog key of a choice's display name."""
    return f"discord.choice.{option}.{value}"


def english(key: str) -> app_commands.locale_str:
    """A translatable string whose default (English) text is the catalog's ``en`` entry."""
    return app_commands.locale_str(t(key, "en"), key=key)


def context_key(string: app_commands.locale_str, context: Any) -> str | None:
    """The catalog key for ``string`` at ``context`` (an explicit ``key`` extra wins; options
    always carry one)."""
    explicit = string.extras.get("key")
    if isinstance(explicit, str):
        return explicit
    location, data = context.location, context.data
    if location in (Where.command_name, Where.group_name):
        return command_key(data.qualified_name, "name")
    if location in (Where.command_description, Where.group_description):
        return command_key(data.qualified_name, "description")
    return None


class CatalogTranslator(app_commands.Translator):
    """``app_commands.Translator`` over ``formatting/locales``; unknown keys stay untranslated."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        """The Chinese text for Chinese locales, None (Discord's default text) otherwise."""
        lang = translated_language(locale)
        if lang is None or context.location in NAME_LOCATIONS:
            return None
        key = context_key(string, context)
        if key is None or key not in keys(lang):
            return None
        return t(key, lang)
