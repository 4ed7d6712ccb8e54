"""``signalbot webhook add|list|test|remove`` as an operator runs it (real subprocesses; the
receivers are the local fakes): clear errors and exit codes, hosts per kind, credentials never
shown, a sample card posted and the platform's answer said in plain words."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from tests.fakes.bot_process import ROOT, bot_env
from tests.fakes.market import write_price_dir
from tests.fakes.webhooks import FakeWebhooks

pytestmark = pytest.mark.timeout(300)
SECRET = "whsec-cli-test-5e5e5e"


async def signalbot(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """Run ``signalbot ARGS``: (exit code, stdout, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args,
        env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    prices = write_price_dir(tmp_path / "prices", {"SPY": 2.4, "QQQ": 2.0})
    return bot_env(
        tmp_path,
        prices,
        SIGNALBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'signalbot.db'}",
        SIGNALBOT_DEFAULT_LANGUAGE="en",
        SIGNALBOT_LOG_LEVEL="DEBUG",  # even so, no credential in any output
    )


async def test_add_list_test_remove(env: dict[str, str], fake: FakeWebhooks) -> None:
    url = fake.json_hook("ops", secret=SECRET)
    code, out, err = await signalbot(
        env, "webhook", "add", "--kind", "json", "--url", url, "--secret", SECRET,
        "--lang", "zh", "--watchlist", "SPY,QQQ", "--time", "17:30", "--tz",
        "America/New_York", "--alerts", "SPY", "--allow-any-host",
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith("webhook 1 added: json http://127.0.0.1/…")
    code, out, err = await signalbot(env, "webhook", "list")
    assert code == 0, err
    assert "secret set" in out and "17:30 America/New_York" in out and "SPY,QQQ" in out
    assert "alerts SPY" in out and "active" in out
    code, out, err = await signalbot(env, "webhook", "test", "1")
    assert code == 0, err
    assert "webhook 1 (json): posted" in out
    [got] = fake.of("ops")
    assert got.body["type"] == "card" and got.body["ticker"] == "SPY"
    assert got.body["language"] == "zh"
    code, out, err = await signalbot(env, "webhook", "remove", "1")
    assert (code, out.strip()) == (0, "webhook 1 removed")
    code, out, err = await signalbot(env, "webhook", "remove", "1")
    assert code == 2 and "there is no webhook 1" in err
    code, out, _ = await signalbot(env, "webhook", "list")
    assert code == 0 and "no webhook targets" in out


async def test_a_refused_test_pauses_and_list_says_why(
    env: dict[str, str], fake: FakeWebhooks
) -> None:
    url = fake.json_hook("ops", secret=SECRET)
    add = ("webhook", "add", "--kind", "json", "--url", url, "--watchlist", "SPY")
    code, _, err = await signalbot(env, *add, "--secret", "wrong-secret-123", "--allow-any-host")
    assert code == 0, err
    code, out, err = await signalbot(env, "webhook", "test", "1")
    assert code == 1
    assert "refused, target paused: the receiver refused the signature (HTTP 401)" in out
    code, out, _ = await signalbot(env, "webhook", "list")
    assert "PAUSED: the receiver refused the signature" in out
    for text in (out, err):
        assert "wrong-secret-123" not in text and "/json/ops" not in text


@pytest.mark.parametrize(
    ("kind", "url", "extra", "says"),
    [
        (
            "discord",
            "http://127.0.0.1:1/api/webhooks/1/t",
            (),
            "must be an HTTPS URL on discord.com",
        ),
        ("discord", "https://discord.evil.example/api/webhooks/1/t", (), "discord.com"),
        ("slack", "https://hooks.slack.com.evil.example/services/x", (), "hooks.slack.com"),
        ("json", "http://example.com/hook", (), "any host"),
        ("nosuch", "https://example.com/", (), "not a webhook kind"),
        ("json", "ftp://example.com/", ("--allow-any-host",), "must start with https://"),
        ("json", "https://example.com/", ("--lang", "auto"), "shows one of these languages"),
        ("json", "https://example.com/", ("--market", "zz"), "zz is not a market"),
        ("json", "https://example.com/", ("--time", "25:00"), "HH:MM"),
        ("json", "https://example.com/", ("--tz", "Mars/Olympus"), "unknown time zone"),
    ],
)
async def test_add_refuses_with_one_clear_line(
    env: dict[str, str], kind: str, url: str, extra: tuple[str, ...], says: str
) -> None:
    code, out, err = await signalbot(
        env, "webhook", "add", "--kind", kind, "--url", url, "--watchlist", "SPY", *extra
    )
    assert code == 2 and out == ""
    lines = [line for line in err.splitlines() if line.startswith("signalbot")]
    assert len(lines) == 1 and says in lines[0], err
    assert "Traceback" not in err


async def test_documented_hosts_are_taken_and_the_market_sets_the_zone(
    env: dict[str, str],
) -> None:
    token = "tok-ABCDEFGHIJKLMNOP-secret"
    for kind, url in (
        ("discord", f"https://discord.com/api/webhooks/123/{token}"),
        ("slack", f"https://hooks.slack.com/services/T1/B1/{token}"),
    ):
        code, out, err = await signalbot(
            env, "webhook", "add", "--kind", kind, "--url", url, "--watchlist", "0700.HK",
            "--market", "hk",
        )  # fmt: skip
        assert code == 0, err
        assert token not in out + err
    code, out, err = await signalbot(env, "webhook", "list")
    assert out.count("Asia/Hong_Kong") == 2 and out.count("\thk\t") == 2
    assert token not in out + err and "secret not set" in out


async def test_doctor_names_a_paused_target_and_why(env: dict[str, str]) -> None:
    from bot.storage import open_storage

    code, _, err = await signalbot(
        env, "webhook", "add", "--kind", "slack", "--url",
        "https://hooks.slack.com/services/T1/B1/xyz", "--watchlist", "SPY",
    )  # fmt: skip
    assert code == 0, err
    async with open_storage(env["SIGNALBOT_DATABASE_URL"]) as storage:
        await storage.pause_webhook(1, "Slack says the webhook was removed (no_service)")
    code, out, _ = await signalbot(env, "doctor", "--timeout", "5")
    assert "webhook 1" in out and "slack target paused: Slack says the webhook was removed" in out
    assert "signalbot webhook test 1" in out and "/B1/xyz" not in out


async def test_feishu_app_credentials_are_stored_and_never_shown(env: dict[str, str]) -> None:
    """``--app-id`` with ``--app-secret`` on a Feishu target: stored (list says so, shows
    neither); either alone, or on another kind, is refused in plain words."""
    app_secret = "appSECRETcli0123456789"
    url = "https://open.feishu.cn/open-apis/bot/v2/hook/0123456789abcdef"
    base = ("webhook", "add", "--url", url, "--watchlist", "SPY")
    for extra in (
        ("--kind", "feishu", "--app-id", "cli_x"),
        ("--kind", "wecom", "--app-id", "cli_x", "--app-secret", app_secret, "--allow-any-host"),
    ):
        code, out, err = await signalbot(env, *base, *extra)  # fmt: skip
        assert code == 2 and "--app-id and --app-secret go together" in err
        assert "Traceback" not in err and app_secret not in out + err
    code, out, err = await signalbot(
        env, *base, "--kind", "feishu", "--app-id", "cli_x", "--app-secret", app_secret
    )
    assert code == 0, err
    code, out, err = await signalbot(env, "webhook", "list")
    assert code == 0 and "app set" in out
    assert app_secret not in out + err and "cli_x" not in out
