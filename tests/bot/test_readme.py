"""The README stays true: the quick-start commands and the generated configuration and command
tables."""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings_doc import readme_block

ROOT = Path(__file__).resolve().parents[2]


def test_configuration_table_matches_settings():
    """The README's table is exactly what the Settings class generates (regenerate if not)."""
    readme = (ROOT / "README.md").read_text()
    assert readme_block() in readme


def test_quick_start_has_exactly_two_commands():
    """The quick start is two commands: run and test, through ./dev."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [line.split("#")[0].strip() for line in section.splitlines()[1:] if line.strip()]
    assert commands == ["./dev run", "./dev test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^\./dev test\b", ci, re.M)


def test_command_table_matches_the_registry():
    """The README's command table is what the registry generates (regenerate with
    ``python -m bot.commands_doc`` if not)."""
    from bot.commands_doc import readme_block as commands_block

    readme = (ROOT / "README.md").read_text()
    assert commands_block() in readme


def test_command_line_table_matches_the_parser():
    """The README's `signalbot` table is what the CLI's parser generates: every command with
    every option it takes (regenerate with ``python -m bot.cli_doc`` if not)."""
    from bot.cli_doc import readme_block as cli_block

    readme = (ROOT / "README.md").read_text()
    assert cli_block() in readme
    assert "--lang en\\|zh\\|both]" not in readme  # the old hand-written list of three languages
