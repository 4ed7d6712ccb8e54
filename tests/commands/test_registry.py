"""The command registry: unique names, help keys in both catalogs, usage per platform."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from commands.context import Request, Services
from commands.registry import COMMANDS, REGISTRY, build_registry, dispatch, usage
from commands.reply import UserError
from formatting.i18n import keys
from signals.calendar import MarketCalendar
from signals.service import PriceService
from signals.sources.csv import CsvSource


def test_names_unique_and_keys_in_both_languages():
    """No two commands share a name; every help and option key exists in en and zh."""
    names = [spec.name for spec in COMMANDS]
    assert len(names) == len(set(names))
    assert list(REGISTRY) == names
    for spec in COMMANDS:
        needed = {spec.help_key, *(o.help_key for o in spec.options)}
        for lang in ("en", "zh", "zh-hant"):
            assert needed <= keys(lang), (spec.name, lang, needed - keys(lang))


def test_a_duplicate_name_is_refused():
    """Registering a name twice fails loudly instead of silently replacing the first."""
    with pytest.raises(ValueError, match="twice"):
        build_registry((COMMANDS[0], COMMANDS[0]))


def test_usage_per_platform():
    """Slack has one /signal command with subcommands; the others have one command each."""
    assert usage(REGISTRY["signal"], "discord") == "/signal TICKER"
    choices = "[en|zh|zh-hant|zh-hk|both|both-hant|both-hk]"
    assert usage(REGISTRY["language"], "slack") == f"/signal language {choices}"
    assert usage(REGISTRY["language"], "terminal") == f"/language {choices}"


@pytest.fixture
def services(tmp_path) -> Services:
    return Services(prices=PriceService(CsvSource(tmp_path), MarketCalendar()))


async def test_unknown_command_and_permissions(services):
    """Unknown names and non-admin language changes raise user errors with message keys."""
    now = datetime(2026, 6, 9, tzinfo=UTC)
    with pytest.raises(UserError, match=r"error\.unknown_command"):
        await dispatch(Request(command="nope", now=now), services)
    with pytest.raises(UserError, match=r"error\.missing_permission"):
        await dispatch(Request(command="language", args={"choice": "zh"}, now=now), services)
    shown = await dispatch(Request(command="language", now=now), services)
    assert shown.messages[0].key == "language.current"


async def test_signal_accepts_a_date_among_the_words(tmp_path):
    """'/signal IWM 2026-06-05' is IWM as of that session; two dates are refused."""
    from tests.fakes.market import worked_example_bars, write_csv

    write_csv(tmp_path, "IWM", worked_example_bars())
    services = Services(prices=PriceService(CsvSource(tmp_path), MarketCalendar()))
    now = datetime(2026, 6, 9, 22, 0, tzinfo=UTC)
    reply = await dispatch(
        Request(command="signal", args={"ticker": "IWM 2026-06-05"}, now=now), services
    )
    assert reply.cards[0].signal.as_of.isoformat() == "2026-06-05"
    with pytest.raises(UserError, match=r"error\.bad_date"):
        await dispatch(
            Request(command="signal", args={"ticker": "IWM 2026-06-05 2026-06-04"}, now=now),
            services,
        )
    with pytest.raises(UserError, match=r"error\.no_ticker"):
        await dispatch(Request(command="signal", args={"ticker": " , "}, now=now), services)


class MemorySettings:
    """ServerSettings in memory (the protocol of commands.context)."""

    def __init__(self) -> None:
        self.colors: dict[tuple[str, str], str] = {}

    async def get_language(self, platform: str, server_id: str, default: str) -> str:
        return default

    async def set_language(self, platform: str, server_id: str, language: str) -> None:
        raise AssertionError("not used")

    async def get_colors(self, platform: str, server_id: str) -> str | None:
        return self.colors.get((platform, server_id))

    async def set_colors(self, platform: str, server_id: str, scheme: str) -> None:
        self.colors[(platform, server_id)] = scheme


@pytest.mark.parametrize(
    ("language", "default"),
    [("en", "green-up"), ("both", "green-up"), ("both-hant", "green-up"),
     ("zh", "red-up"), ("zh-hant", "red-up")],
)  # fmt: skip
async def test_colors_show_the_default_of_the_language(services, language, default):
    """/colors with no option shows the server's convention: by default, the language's."""
    now = datetime(2026, 6, 9, tzinfo=UTC)
    reply = await dispatch(Request(command="colors", language=language, now=now), services)
    [message] = reply.messages
    assert (message.key, message.params["scheme"].key) == (
        "colors.default",
        f"colors.name.{default}",
    )
    assert reply.ephemeral


async def test_colors_are_set_by_admins_only(tmp_path):
    """Members get missing_permission; an admin's choice is stored and then shown as chosen."""
    settings = MemorySettings()
    services = Services(
        prices=PriceService(CsvSource(tmp_path), MarketCalendar()), settings=settings
    )
    now = datetime(2026, 6, 9, tzinfo=UTC)
    ask = {"command": "colors", "args": {"scheme": "red-up"}, "platform": "slack", "now": now}
    with pytest.raises(UserError, match=r"error\.missing_permission"):
        await dispatch(Request(**ask), services)
    with pytest.raises(UserError, match=r"error\.bad_colors"):
        await dispatch(Request(**{**ask, "args": {"scheme": "pink"}, "is_admin": True}), services)
    assert settings.colors == {}
    done = await dispatch(Request(**ask, is_admin=True), services)
    assert done.messages[0].key == "colors.set" and not done.ephemeral
    assert settings.colors == {("slack", "local"): "red-up"}
    shown = await dispatch(Request(command="colors", colors="red-up", now=now), services)
    assert shown.messages[0].key == "colors.current"


def test_actions_and_their_options_are_declared_once():
    """A command's action choices are its subcommands (and the handler's actions); every
    subcommand option has its one catalog key in every language, short enough for Discord."""
    from commands.alert import ACTIONS as ALERT_ACTIONS
    from commands.digest import ACTIONS as DIGEST_ACTIONS
    from formatting.i18n import t

    assert [s.name for s in REGISTRY["digest"].subcommands] == list(DIGEST_ACTIONS)
    assert [s.name for s in REGISTRY["alert"].subcommands] == list(ALERT_ACTIONS)
    for spec in COMMANDS:
        if spec.subcommands:
            [action] = [o for o in spec.options if o.name == "action"]
            assert action.choices == tuple(s.name for s in spec.subcommands)
        names = [s.name for s in spec.subcommands]
        assert len(names) == len(set(names)), spec.name
        options = [*spec.options, *(o for s in spec.subcommands for o in s.options)]
        for option in options:
            for lang in ("en", "zh", "zh-hant"):
                assert 1 <= len(t(option.help_key, lang)) <= 100, (option.help_key, lang)
