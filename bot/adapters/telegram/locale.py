"""The one map from a Telegram user's ``language_code`` to the catalog languages.

Telegram sends the IETF tag of the user's app language with each message (``User.language_code``,
https://core.telegram.org/bots/api#user). A chat takes the language of the first person who
talks to the bot there until ``/language`` changes it: ``zh-hans`` / ``zh-cn`` / ``zh-sg`` and a
bare ``zh`` read Simplified, ``zh-hant`` / ``zh-tw`` Traditional as Taiwan writes it, ``zh-hk`` /
``zh-mo`` Hong Kong's own wording (``zh-hk``, green-up); every other language reads English.
"""

from __future__ import annotations

from formatting.languages import Language

SIMPLIFIED = frozenset({"zh", "zh-hans", "zh-cn", "zh-sg", "zh-my"})
TRADITIONAL = frozenset({"zh-hant", "zh-tw"})
HONG_KONG = frozenset({"zh-hk", "zh-mo"})


def chat_language(language_code: str | None) -> Language | None:
    """The catalog language for ``language_code`` (None: Telegram did not say)."""
    if not language_code:
        return None
    code = language_code.strip().lower().replace("_", "-")
    if code in HONG_KONG or code.startswith(("zh-hk-", "zh-mo-", "zh-hant-hk", "zh-hant-mo")):
        return "zh-hk"
    if code in TRADITIONAL or code.startswith(("zh-hant-", "zh-tw-")):
        return "zh-hant"
    if code in SIMPLIFIED or code.startswith("zh-"):
        return "zh"
    return "en"
