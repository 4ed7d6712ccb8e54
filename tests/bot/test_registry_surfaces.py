"""Every command surface is generated from the registry: Discord's tree, Slack, the terminal."""

from __future__ import annotations

import discord
import pytest

from bot.adapters.discord.interactions import InteractionHandler
from bot.adapters.discord.sync import command_payload
from bot.adapters.discord.translator import CatalogTranslator
from bot.adapters.discord.tree import build_tree
from bot.cooldown import Cooldown
from commands import registry
from commands.context import Request, Services
from commands.reply import Message, Reply
from commands.spec import EVERYWHERE, CommandSpec, Kind, OptionSpec, SubcommandSpec, usage


async def _payload() -> list[dict]:
    client = discord.Client(intents=discord.Intents(guilds=True))
    handler = InteractionHandler(None, cooldown=Cooldown(0))  # type: ignore[arg-type]
    tree = build_tree(client, handler, None)  # type: ignore[arg-type]
    await tree.set_translator(CatalogTranslator())
    return await command_payload(tree)


def _options(spec: CommandSpec | SubcommandSpec) -> list[tuple[str, bool, tuple[str, ...]]]:
    required = sorted(spec.options, key=lambda o: o.required, reverse=True)  # Discord's order
    return [(o.name, o.required, o.choices) for o in required]


def _synced(command: dict) -> list[tuple[str, bool, tuple[str, ...]]]:
    return [
        (o["name"], o["required"], tuple(c["value"] for c in o.get("choices", ())))
        for o in command.get("options", [])
    ]


async def test_the_discord_tree_is_the_registry():
    """Each registry command is one Discord command with the registry's options, subcommands,
    choices, option descriptions and places; nothing else is in the tree."""
    payload = {c["name"]: c for c in await _payload()}
    assert list(payload) == list(registry.REGISTRY)
    for spec in registry.COMMANDS:
        synced = payload[spec.name]
        offered = spec.offered
        if offered.contexts is not None:
            wanted = {"guild": 0, "dm": 1, "private": 2}
            assert synced["contexts"] == sorted(wanted[c] for c in offered.contexts)
        assert synced["dm_permission"] is offered.dms
        if not spec.subcommands:
            assert _synced(synced) == _options(spec)
            descriptions = [o["description"] for o in synced.get("options", [])]
            required = sorted(spec.options, key=lambda o: o.required, reverse=True)
            assert descriptions == [registry_text(o.help_key) for o in required]
            continue
        subs = {s["name"]: s for s in synced["options"]}
        assert list(subs) == [s.name for s in spec.subcommands]
        for sub in spec.subcommands:
            assert _synced(subs[sub.name]) == _options(sub)


def registry_text(key: str) -> str:
    from formatting.i18n import t

    return t(key, "en")


async def _echo(request: Request, services: Services) -> Reply:
    return Reply(messages=(Message(key="help.title"),))


#: A command only this test registers: one ticker option and one action with a channel.
ECHO = CommandSpec(
    "echo",
    "help.help",
    _echo,
    (OptionSpec("ticker", "help.option.ticker", Kind.TICKER),),
    offered=EVERYWHERE,
)


@pytest.fixture
def echo_registered(monkeypatch):
    """The registry with ``/echo`` added, as a contributor would add it (one entry)."""
    commands = (*registry.COMMANDS, ECHO)
    monkeypatch.setattr(registry, "COMMANDS", commands)
    monkeypatch.setattr(registry, "REGISTRY", registry.build_registry(commands))


async def test_a_new_registry_command_reaches_discord(echo_registered):
    """Adding one entry to the registry puts the command in the synced Discord JSON."""
    echo = {c["name"]: c for c in await _payload()}["echo"]
    assert echo["contexts"] == [0, 1, 2]
    [ticker] = echo["options"]
    assert (ticker["name"], ticker["type"], ticker["required"]) == ("ticker", 3, True)
    assert ticker["description_localizations"]["zh-TW"] == registry_text_in(
        "help.option.ticker", "zh-hant"
    )


def registry_text_in(key: str, lang: str) -> str:
    from formatting.i18n import t

    return t(key, lang)  # type: ignore[arg-type]


def test_a_new_registry_command_reaches_slack_and_the_terminal(echo_registered):
    """The same one entry is ``/signal echo IWM`` on Slack and ``/echo IWM`` (or ``echo IWM``)
    in the terminal, with its option filled, and ``/help`` lists it on each platform."""
    from bot.adapters.slack.parsing import Parsed, parse_command
    from bot.adapters.terminal import completer, parse_line

    assert parse_command("echo IWM") == Parsed("echo", {"ticker": "IWM"})
    assert parse_command("ECHO") == Parsed("echo")
    assert parse_line("/echo IWM") == ("echo", {"ticker": "IWM"})
    assert parse_line("echo IWM") == ("echo", {"ticker": "IWM"})
    assert "/echo" in completer().words
    assert usage(ECHO, "slack") == "/signal echo TICKER"
    assert usage(ECHO, "terminal") == "/echo TICKER"


async def test_help_lists_the_new_command(echo_registered, tmp_path):
    """``/help`` is generated from the registry too."""
    from datetime import UTC, datetime

    from signals.calendar import MarketCalendar
    from signals.service import PriceService
    from signals.sources.csv import CsvSource

    services = Services(prices=PriceService(CsvSource(tmp_path), MarketCalendar()))
    now = datetime(2026, 6, 9, tzinfo=UTC)
    reply = await registry.dispatch(Request(command="help", platform="slack", now=now), services)
    usages = [m.params.get("usage") for m in reply.messages]
    assert "/signal echo TICKER" in usages


def test_a_new_action_is_parsed_on_slack_from_the_registry(monkeypatch):
    """A command with actions: the action words and a channel option come from the registry."""
    from bot.adapters.slack.parsing import Parsed, parse_command

    spec = CommandSpec(
        "watch",
        "help.help",
        _echo,
        subcommands=(
            SubcommandSpec(
                "start",
                (
                    OptionSpec("channel", "help.option.channel", Kind.CHANNEL, required=False),
                    OptionSpec("ticker", "help.option.ticker", Kind.TICKER),
                ),
            ),
        ),
        default_action="start",
    )
    commands = (*registry.COMMANDS, spec)
    monkeypatch.setattr(registry, "COMMANDS", commands)
    monkeypatch.setattr(registry, "REGISTRY", registry.build_registry(commands))
    assert parse_command("watch start IWM <#C0123ABCD|x>", "C0HERE123") == Parsed(
        "watch", {"action": "start", "channel": "C0123ABCD", "ticker": "IWM"}
    )
    assert parse_command("watch", "C0HERE123") == Parsed(
        "watch", {"action": "start", "channel": "C0HERE123"}
    )


def test_slack_usage_lines_are_the_registry():
    """The digest usage lines Slack shows are generated, and read as they always did."""
    from bot.adapters.slack.parsing import action_usage

    digest = registry.REGISTRY["digest"]
    lines = {s.name: action_usage(digest, s) for s in digest.subcommands}
    assert lines["schedule"] == (
        "/signal digest schedule #channel [HH:MM] [IANA timezone] [market hk]"
    )
    assert lines["watchlist"] == "/signal digest watchlist SPY QQQ IWM"
    assert lines["off"] == "/signal digest off #channel"
