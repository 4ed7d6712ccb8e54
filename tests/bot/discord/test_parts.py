"""The adapter's pure parts: catalog keys of the command tree, text chunks, the cooldown."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands

from bot.adapters.discord.interactions import InteractionHandler
from bot.adapters.discord.render import chunks
from bot.adapters.discord.translator import CatalogTranslator, choice_key, command_key
from bot.adapters.discord.tree import build_tree
from bot.cooldown import Cooldown
from formatting.i18n import keys, t


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _tree() -> app_commands.CommandTree[discord.Client]:
    client = discord.Client(intents=discord.Intents(guilds=True))
    handler = InteractionHandler(None, cooldown=Cooldown(0))  # type: ignore[arg-type]
    return build_tree(client, handler, None)  # type: ignore[arg-type]


def _option_key(command: app_commands.Command, name: str) -> str:
    """The catalog key of an option's description (one key per registry option)."""
    return command._params[name].description.extras["key"]


def _tree_keys() -> set[str]:
    """Every catalog key the translator looks up for the tree (names, descriptions, choices)."""
    found = set()
    for command in _tree().walk_commands():
        path = command.qualified_name
        found |= {command_key(path, "name"), command_key(path, "description")}
        if isinstance(command, app_commands.Command):
            for param in command.parameters:
                found.add(_option_key(command, param.name))
                found |= {choice_key(param.name, str(c.value)) for c in param.choices}
    return found


def test_every_tree_string_is_in_every_catalog():
    """Each command, subcommand, option and choice has its English, Simplified and Traditional
    catalog text."""
    wanted = _tree_keys()
    # commands (name and description), the 13 option keys (14 options: /history and /alert add
    # share "one ETF ticker"), 7 language and 2 colour choices
    assert len(wanted) == 16 * 2 + 13 + 7 + 2
    assert wanted <= keys("en") & keys("zh") & keys("zh-hant")


def test_english_names_are_the_canonical_names():
    """The catalog's English name of each command is the name Discord receives; option names
    are the registry's."""
    for command in _tree().walk_commands():
        path = command.qualified_name
        assert t(command_key(path, "name"), "en") == command.name
        if isinstance(command, app_commands.Command):
            for param in command.parameters:
                assert param.name in {o.name for o in _registry_options(path)}


def _registry_options(path: str):
    from commands.registry import REGISTRY
    from commands.spec import subcommand

    name, _, sub = path.partition(" ")
    spec = REGISTRY[name]
    found = subcommand(spec, sub) if sub else spec
    assert found is not None
    return found.options


async def test_translator_serves_chinese_locales_only():
    """zh-CN gets the Simplified text, zh-TW the Traditional; other locales keep the default."""
    translator = CatalogTranslator()
    string = app_commands.locale_str("x", key="discord.cmd.signal.description")
    context = app_commands.TranslationContext(app_commands.TranslationContextLocation.other, None)
    zh = t("discord.cmd.signal.description", "zh")
    hant = t("discord.cmd.signal.description", "zh-hant")
    assert zh != hant
    assert await translator.translate(string, discord.Locale.chinese, context) == zh
    assert await translator.translate(string, discord.Locale.taiwan_chinese, context) == hant
    assert await translator.translate(string, discord.Locale.japanese, context) is None
    unknown = app_commands.locale_str("x", key="discord.no.such.key")
    assert await translator.translate(unknown, discord.Locale.chinese, context) is None


@pytest.mark.parametrize(
    ("blocks", "limit", "expected"),
    [
        ([["a", "b"], ["c"]], 100, ["a\nb\n\nc"]),
        ([["a" * 6, "b" * 6], ["c" * 6]], 14, ["aaaaaa\nbbbbbb", "cccccc"]),
        ([["x" * 30]], 10, ["x" * 9 + "…"]),
        ([], 10, []),
    ],
)
def test_chunks_keep_language_blocks_within_the_limit(blocks, limit, expected):
    """Texts join per language, split between lines, and never exceed the limit."""
    out = chunks(blocks, limit)
    assert out == expected
    assert all(len(text) <= limit for text in out)


def test_cooldown_charges_refunds_and_expires():
    """A charged key waits ``seconds``; a refund frees it; 0 seconds turns the cooldown off."""
    clock = _Clock()
    cooldown = Cooldown(10.0, clock=clock)
    assert cooldown.retry_after("u") == 0.0
    cooldown.charge("u")
    clock.now += 4.2
    assert cooldown.retry_after("u") == pytest.approx(5.8)
    assert Cooldown.shown_seconds(cooldown.retry_after("u")) == 6
    assert cooldown.retry_after("other") == 0.0
    cooldown.refund("u")
    assert cooldown.retry_after("u") == 0.0
    cooldown.charge("u")
    clock.now += 10.0
    assert cooldown.retry_after("u") == 0.0
    off = Cooldown(0.0, clock=clock)
    off.charge("u")
    assert off.retry_after("u") == 0.0
    assert Cooldown.shown_seconds(0.01) == 1


def test_autocomplete_labels_start_with_the_full_value_within_100_characters():
    """Label = value + name (name cut first); a value too long for a name is the label alone."""
    from bot.adapters.discord.autocomplete import MAX_CHOICE_TEXT, choice_label, ticker_choices

    assert choice_label("SPY QQQ", "Invesco QQQ Trust") == "SPY QQQ — Invesco QQQ Trust"
    long_value = "SPY " * 24 + "QQQ"
    assert choice_label(long_value, "Invesco QQQ Trust") == long_value
    label = choice_label("QQQ", "x" * 200)
    assert label.startswith("QQQ — ") and len(label) == MAX_CHOICE_TEXT
    for choice in ticker_choices("SPY QQ", []):
        assert choice.name.startswith(choice.value) and len(choice.name) <= MAX_CHOICE_TEXT


async def test_a_submitted_autocomplete_label_runs_as_its_value(make_bot):
    """Clients that send the label instead of the value still get the card (no '—' error)."""
    from tests.fakes.discord import interaction, option

    bot = await make_bot()
    calls = await bot.send(
        interaction("signal", option("ticker", "IWM — iShares Russell 2000 ETF"))
    )
    [answer] = [c for c in calls if c.path.endswith("/callback")]
    assert answer.json["type"] == 4 and answer.json["data"]["embeds"]


async def test_a_stale_command_is_named_from_the_interaction(make_bot):
    """A command Discord still shows but this build lacks: named from data.name, ephemeral."""
    from tests.fakes.discord import interaction

    bot = await make_bot()
    calls = await bot.send(interaction("oldstuff"))
    [answer] = [c for c in calls if c.path.endswith("/callback")]
    text = answer.json["data"]["content"]
    assert "/oldstuff is no longer a command" in text and "?" not in text.split("\n")[0][:12]
    assert answer.json["data"]["flags"] & 64
