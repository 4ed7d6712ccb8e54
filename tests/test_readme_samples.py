"""The README's samples are the code's output: the card and the doctor checklist.

The card sample is the worked example (IWM on 2026-06-08, docs/signals.md) rendered by the
terminal renderer; the doctor sample's lines are laid out by ``format_check``, its settings and
database lines are what the checks say for that configuration (the database at the latest
migration), and every check it names is one the doctor runs. When the code changes what they
print, ``SIGNALBOT_WRITE_README=1 ./dev test tests/test_readme_samples.py`` rewrites the card.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bot.ops.doctor import Check, database_check, format_check, settings_check
from bot.settings import load_settings
from commands.history import with_track_lines
from commands.signal import build_cards
from formatting.terminal import card_to_terminal, render_plain
from signals.calendar import MarketCalendar
from signals.service import PriceService
from signals.sources.csv import CsvSource
from tests.fakes.market import WORKED_SESSION, write_price_dir

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CARD_START = (
    "<!-- card-sample:start (the worked example; checked by tests/test_readme_samples.py) -->"
)
CARD_END = "<!-- card-sample:end -->"
DOCTOR_START = "<!-- doctor-sample:start (checked by tests/test_readme_samples.py) -->"
DOCTOR_END = "<!-- doctor-sample:end -->"


def between(text: str, start: str, end: str) -> str:
    assert start in text and end in text, f"README lost its markers {start!r}"
    return text.split(start, 1)[1].split(end, 1)[0]


async def card_sample(tmp_path: Path) -> str:
    """The worked example's card in English, as `signalbot signal IWM` prints it (78 columns)."""
    directory = write_price_dir(tmp_path / "prices", {"IWM": 1.0}, end=WORKED_SESSION)
    prices = PriceService(CsvSource(directory), MarketCalendar())
    card = (await build_cards(prices, ["IWM"], session=WORKED_SESSION))["IWM"]
    [card] = await with_track_lines(prices, [card])  # type: ignore[list-item]
    return render_plain(card_to_terminal(card, "en"), width=78).rstrip("\n")


async def test_card_sample_is_the_renderers_output(tmp_path: Path) -> None:
    """The README's card is exactly the terminal renderer's card of the worked example."""
    block = f"\n```\n{await card_sample(tmp_path)}\n```\n"
    text = README.read_text()
    if os.environ.get("SIGNALBOT_WRITE_README") == "1":
        head, rest = text.split(CARD_START, 1)
        README.write_text(head + CARD_START + block + CARD_END + rest.split(CARD_END, 1)[1])
        text = README.read_text()
    assert between(text, CARD_START, CARD_END) == block


def doctor_sample() -> list[Check]:
    """The README's checklist read back into checks (each layout checked on the way)."""
    block = between(README.read_text(), DOCTOR_START, DOCTOR_END)
    lines = block.split("```")[1].strip("\n").splitlines()
    checks: list[Check] = []
    for line in lines:
        fix = re.fullmatch(r" {27} -> (.+)", line)
        if fix:
            last = checks.pop()
            checks.append(Check(last.name, last.ok, last.detail, fix.group(1)))
            continue
        found = re.fullmatch(r"(ok|problem) +(\S+(?: \S+)*?) {2,}(.+)", line)
        assert found, f"not a doctor line: {line!r}"
        checks.append(Check(found.group(2), found.group(1) == "ok", found.group(3)))
    assert "\n".join(format_check(c) for c in checks) == "\n".join(lines)
    return checks


def doctor_names() -> set[str]:
    """Every check name the doctor can print (from its sources)."""
    names: set[str] = set()
    for module in ("doctor.py", "doctor_chat.py"):
        source = (ROOT / "bot" / "ops" / module).read_text()
        names |= set(re.findall(r"\b(?:ok|problem)\(\s*\"([a-z ]+)\"", source))
    return names


async def test_doctor_sample_is_what_the_doctor_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    """Layout from format_check; settings and database lines from the checks themselves (the
    database at the latest migration); every name one the doctor uses."""
    from alembic.script import ScriptDirectory

    import bot.storage.db as db

    checks = {c.name: c for c in doctor_sample()}
    assert set(checks) <= doctor_names()
    settings = load_settings(
        env_file=None,
        discord_token="x",
        slack_bot_token="xoxb-x",
        slack_app_token="xapp-x",
        database_url="postgresql://signalbot:pw@db:5432/signalbot",
    )
    assert settings_check(settings) == checks["settings"]
    [head] = ScriptDirectory.from_config(db.alembic_config()).get_heads()

    async def at_head(url: str) -> str:
        return head

    monkeypatch.setattr(db, "current_revision", at_head)
    assert await database_check(settings, 1.0) == checks["database"]
