"""What ``site build`` builds without ``--tickers`` (every watchlist's and alert's funds), how it
reports a fund it cannot read, and the atomic writer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.site.write import write_atomic
from bot.storage import open_storage
from tests.fakes.bot_process import bot_env
from tests.fakes.market import write_price_dir
from tests.site.conftest import cli


@pytest.mark.slow
async def test_default_funds_are_every_watchlist_and_alert(tmp_path: Path) -> None:
    prices = write_price_dir(tmp_path / "prices", {"IWM": 1.0, "SPY": 2.3, "GLD": 0.7})
    database = tmp_path / "bot.db"
    async with open_storage(f"sqlite+aiosqlite:///{database}") as storage:
        await storage.set_watchlist("discord", "1", ["IWM"])
        await storage.add_alert("discord", "1", "42", "SPY", user_id=None, limit=25)
    env = bot_env(tmp_path, prices, SIGNALBOT_DATABASE_URL=f"sqlite:///{database}")
    done = cli(env, "site", "build", str(tmp_path / "out"), "--lang", "en")
    assert done.returncode == 0, done.stderr
    built = sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir())
    assert built == [
        "IWM",
        "SPY",
        "en",
        "markets",
    ]  # GLD has prices but no watchlist or alert names it


@pytest.mark.slow
def test_a_fund_that_fails_is_named_and_the_others_are_built(tmp_path: Path) -> None:
    prices = write_price_dir(tmp_path / "prices", {"IWM": 1.0})
    env = bot_env(tmp_path, prices)
    done = cli(env, "site", "build", str(tmp_path / "out"), "--tickers", "IWM", "NOPE")
    assert done.returncode == 2
    assert "NOPE" in done.stderr
    assert "Traceback" not in done.stderr
    assert (tmp_path / "out" / "IWM" / "en" / "index.html").is_file()
    bad = cli({**env, "SIGNALBOT_PUBLIC_URL": "example.org"}, "site", "build", str(tmp_path / "o2"))
    assert bad.returncode == 2
    assert "SIGNALBOT_PUBLIC_URL" in bad.stderr
    assert not (tmp_path / "o2").exists()


def test_atomic_write_replaces_whole_files_and_leaves_no_temporary(tmp_path: Path) -> None:
    page = tmp_path / "IWM" / "en" / "index.html"
    write_atomic(page, "old")
    write_atomic(page, "new ✓")
    assert page.read_text(encoding="utf-8") == "new ✓"
    assert os.listdir(page.parent) == ["index.html"]


def test_a_failed_write_keeps_the_old_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "index.html"
    write_atomic(page, "old")

    def broken(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(page, "new")
    assert page.read_text() == "old"
    assert os.listdir(tmp_path) == ["index.html"]


def test_every_language_has_a_preview_face() -> None:
    """The share image draws each catalog language in its own script's face (a new language
    without one failed the whole build with a KeyError)."""
    from bot.site.preview import FACE
    from formatting.languages import LANGS

    assert set(FACE) == set(LANGS)
    assert FACE["zh-hk"] != FACE["zh-hant"] != FACE["zh"]
