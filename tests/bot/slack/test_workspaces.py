"""Real workspaces: Enterprise Grid installs, rotating tokens, uninstalls, the digest run CLI."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.models.blocks import Block

from bot.adapters.base import ChannelGone
from bot.adapters.slack import open_digest_poster
from bot.delivery.posters import adapter_posters, standalone_posters
from bot.digest.fanout import DigestRunner, Target
from bot.storage import Storage
from signals.calendar import MarketCalendar
from signals.service import PriceService
from signals.sources.csv import CsvSource
from tests.bot.slack.support import run_slash, slack_settings, until
from tests.bot.slack.test_oauth import install
from tests.fakes.bot_process import bot_env
from tests.fakes.market import last_session_now
from tests.fakes.slack import GRID_TEAM, ORG, FakeSlack, event_body, signed_headers

pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")

OAUTH = {"slack_bot_token": None, "slack_client_id": "111.222", "slack_client_secret": "s3cret"}


@pytest.fixture
async def oauth_adapter(make_adapter):
    adapter = await make_adapter(**OAUTH)
    await adapter.prepare()
    return adapter


async def run_digest(store: Storage, prices: Path, posters: dict[str, Any]) -> Any:
    """One digest run over every enabled subscription (IWM and SPY), heatmaps included."""
    service = PriceService(CsvSource(prices), MarketCalendar(), store=store)
    runner = DigestRunner(store, service, posters, rates={}, heatmaps=True)
    session = last_session_now()
    subs = await store.list_subscriptions()
    return await runner.run([Target(s, session, allow_stale=True) for s in subs])


async def grid_subscription(adapter, fake, store, *, org_install: bool) -> str:
    """Install into the Grid, then an admin of the Grid workspace schedules a digest."""
    fake.install_kind = "org" if org_install else "grid"
    assert await install(adapter) == 200
    fake.user("U0GRIDADMIN", is_admin=True, team_id=GRID_TEAM)
    await run_slash(
        adapter,
        fake,
        "digest schedule <#C0GRIDDIGEST|markets>",
        team=GRID_TEAM,
        enterprise=ORG,
        org_install=org_install,
        user="U0GRIDADMIN",
    )
    (sub,) = await store.list_subscriptions("slack", GRID_TEAM)
    await store.set_watchlist("slack", GRID_TEAM, ["IWM", "SPY"])
    return sub.channel_id


@pytest.mark.parametrize("org_install", [False, True], ids=["grid-workspace", "org-wide"])
async def test_grid_install_through_the_redirect_gets_its_digest(
    oauth_adapter, fake, store, prices, org_install
):
    """A workspace install inside a Grid, or an org-wide install (no team id): the redirect
    stores it, the digest finds it by enterprise and team and posts with its token, one
    message with the heatmap inside."""
    channel = await grid_subscription(oauth_adapter, fake, store, org_install=org_install)
    report = await run_digest(store, prices, adapter_posters([oauth_adapter]))
    assert (report.sent, report.gone, report.failed) == (1, 0, 0)
    posts = [p for p in fake.of("chat.postMessage") if p.params["channel"] == channel]
    token = f"xoxb-installed-{ORG if org_install else GRID_TEAM}"
    assert posts and {p.token for p in posts} == {token}
    blocks = posts[0].params["blocks"]
    assert blocks[-1]["type"] == "image" and blocks[-1]["slack_file"]["id"] in fake.files
    for block in blocks:
        Block.parse(block).validate_json()
    (sub,) = await store.list_subscriptions("slack", GRID_TEAM)
    assert sub.enabled


async def test_expired_rotating_token_is_refreshed_before_the_digest_posts(
    oauth_adapter, fake, store, prices
):
    """Token rotation: the stored token expires within two hours, so it is refreshed with the
    refresh token first (oauth.v2.access grant_type=refresh_token), the refreshed installation
    is stored, and the digest posts with the new token (the old one is token_expired)."""
    fake.rotating, fake.expires_in = True, 60
    assert await install(oauth_adapter) == 200
    await store.upsert_subscription("slack", "T0OTHER", "C0ROTATE", time=None, timezone="UTC")
    await store.set_watchlist("slack", "T0OTHER", ["IWM"])
    report = await run_digest(store, prices, adapter_posters([oauth_adapter]))
    assert report.sent == 1
    refresh = [c for c in fake.of("oauth.v2.access") if c.params.get("grant_type")]
    assert [c.params["refresh_token"] for c in refresh] == ["xoxe-1-T0OTHER"]
    (post,) = fake.of("chat.postMessage")
    assert post.token == "xoxb-refreshed-1"
    stored = await oauth_adapter.installs.store.async_find_installation(
        enterprise_id=None, team_id="T0OTHER"
    )
    assert stored is not None and stored.bot_token == "xoxb-refreshed-1"
    # a token valid for long is used as it is
    assert await oauth_adapter.installs.bot_token("T0OTHER") == "xoxb-refreshed-1"
    assert len([c for c in fake.of("oauth.v2.access") if c.params.get("grant_type")]) == 1


async def test_refused_refresh_token_is_channel_gone(oauth_adapter, fake, store):
    """The workspace revoked the app's refresh token: the digest reports the workspace gone."""
    fake.rotating, fake.expires_in = True, 60
    assert await install(oauth_adapter) == 200
    fake.fail("oauth.v2.access", "invalid_refresh_token")
    with pytest.raises(ChannelGone, match="token_revoked"):
        await oauth_adapter.send_message("C0X", {"text": "d"}, server_id="T0OTHER")
    assert fake.of("chat.postMessage") == []


async def test_app_home_refreshes_an_expiring_token(oauth_adapter, fake):
    """App Home opened with an expiring token: bolt's authorize refreshes it (same rotator
    settings), and views.publish uses the refreshed token."""
    fake.rotating, fake.expires_in = True, 60
    assert await install(oauth_adapter) == 200
    body = event_body(
        {"type": "app_home_opened", "user": "U1", "tab": "home", "channel": "D1"},
        team="T0OTHER",
    )
    request = AsyncBoltRequest(body=body, headers=signed_headers(body, json_body=True))
    assert (await oauth_adapter.app.async_dispatch(request)).status == 200
    await fake.wait_for(lambda: bool(fake.of("views.publish")))
    await oauth_adapter.idle()
    (publish,) = fake.of("views.publish")
    assert publish.token == "xoxb-refreshed-1"


async def no_subscriptions(store: Storage, team: str) -> bool:
    return await store.list_subscriptions("slack", team) == []


async def no_install(adapter: Any, team: str) -> bool:
    return await adapter.installs.find(team) is None


def uninstall_body(kind: str, **where: Any) -> str:
    event = {"type": kind}
    if kind == "tokens_revoked":
        event["tokens"] = {"bot": ["UBOT2"], "oauth": []}
    return event_body(event, event_id=f"Ev{kind}", **where)


@pytest.mark.parametrize("kind", ["app_uninstalled", "tokens_revoked"])
async def test_uninstall_deletes_installs_and_disables_subscriptions(
    oauth_adapter, fake, store, kind
):
    """app_uninstalled / tokens_revoked: the workspace's installation is deleted and every
    digest of it disabled at once (another workspace's digests are untouched)."""
    assert await install(oauth_adapter) == 200
    await store.upsert_subscription("slack", "T0OTHER", "C0A", time=None, timezone="UTC")
    await store.upsert_subscription("slack", "T0OTHER", "C0B", time=None, timezone="UTC")
    await store.upsert_subscription("slack", "T0KEEP", "C0K", time=None, timezone="UTC")
    body = uninstall_body(kind, team="T0OTHER")
    request = AsyncBoltRequest(body=body, headers=signed_headers(body, json_body=True))
    assert (await oauth_adapter.app.async_dispatch(request)).status == 200
    await until(lambda: no_subscriptions(store, "T0OTHER"))
    assert await oauth_adapter.installs.bot_token("T0OTHER") is None
    stopped = await store.list_subscriptions("slack", "T0OTHER", enabled_only=False)
    assert len(stopped) == 2 and all(s.disabled_reason for s in stopped)
    assert len(await store.list_subscriptions("slack", "T0KEEP")) == 1


async def test_org_wide_uninstall_stops_every_workspace_of_the_org(oauth_adapter, fake, store):
    """An org-wide install removed: the digests of every workspace seen in the org stop."""
    await grid_subscription(oauth_adapter, fake, store, org_install=True)
    body = uninstall_body("app_uninstalled", team=None, enterprise=ORG, org_install=True)
    request = AsyncBoltRequest(body=body, headers=signed_headers(body, json_body=True))
    assert (await oauth_adapter.app.async_dispatch(request)).status == 200
    await until(lambda: no_subscriptions(store, GRID_TEAM))
    await until(lambda: no_install(oauth_adapter, GRID_TEAM))


async def test_uninstall_with_a_single_bot_token_disables_subscriptions(adapter, store):
    """Without OAuth (SLACK_BOT_TOKEN), app_uninstalled still stops that workspace's digests."""
    await store.upsert_subscription("slack", "T0TEST", "C0A", time=None, timezone="UTC")
    body = uninstall_body("app_uninstalled", team="T0TEST")
    request = AsyncBoltRequest(body=body, headers=signed_headers(body, json_body=True))
    assert (await adapter.app.async_dispatch(request)).status == 200
    await until(lambda: no_subscriptions(store, "T0TEST"))


async def test_digest_run_cli_posts_in_oauth_mode(fake: FakeSlack, store, prices, make_adapter):
    """``signalbot digest run`` with only SLACK_CLIENT_ID/SECRET: a Slack poster exists and
    posts with the workspace's installation (it used to log 'no poster for platform=slack')."""
    adapter = await make_adapter(**OAUTH)
    await adapter.prepare()
    fake.install_kind = "grid"
    assert await install(adapter) == 200
    await store.upsert_subscription("slack", GRID_TEAM, "C0CLI", time=None, timezone="UTC")
    await store.set_watchlist("slack", GRID_TEAM, ["IWM"])
    settings = slack_settings(fake, **OAUTH)
    posters, opened = await standalone_posters(settings, store)
    assert opened == [] and "slack" in posters
    report = await run_digest(store, prices, posters)
    assert report.sent == 1
    (post,) = fake.of("chat.postMessage")
    assert post.token == f"xoxb-installed-{GRID_TEAM}"
    assert json.dumps(post.params["blocks"]).count('"slack_file"') == 1


async def test_no_slack_credentials_no_digest_poster(fake, store):
    """Neither a bot token nor OAuth: no Slack poster (the fan-out says so once)."""
    assert (
        await open_digest_poster(
            (settings := slack_settings(fake, slack_bot_token=None)).slack, settings.chat, store
        )
        is None
    )


async def test_concurrent_digests_refresh_a_workspace_token_once(oauth_adapter, fake):
    """Several digests of one workspace at once: one refresh, every post with the new token."""
    fake.rotating, fake.expires_in = True, 60
    assert await install(oauth_adapter) == 200
    tokens = await asyncio.gather(*(oauth_adapter.installs.bot_token("T0OTHER") for _ in range(5)))
    assert set(tokens) == {"xoxb-refreshed-1"}
    assert len([c for c in fake.of("oauth.v2.access") if c.params.get("grant_type")]) == 1


@pytest.mark.slow
async def test_signalbot_digest_run_subprocess_posts_to_a_grid_workspace(
    fake: FakeSlack, store, prices, tmp_path, make_adapter
):
    """The real CLI in a subprocess, OAuth credentials only: the Grid workspace's digest goes
    out with its installation's token (it used to log 'no poster for platform=slack')."""
    adapter = await make_adapter(**OAUTH)
    await adapter.prepare()
    fake.install_kind = "grid"
    assert await install(adapter) == 200
    await store.upsert_subscription("slack", GRID_TEAM, "C0SUB", time=None, timezone="UTC")
    await store.set_watchlist("slack", GRID_TEAM, ["IWM", "SPY"])
    env = bot_env(
        tmp_path,
        prices,
        SIGNALBOT_DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite",
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="s3cret",
        SLACK_API_BASE_URL=f"{fake.url}/api",
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "digest", "run",
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, err.decode()
    assert "sent=1" in out.decode(), out.decode() + err.decode()
    (post,) = fake.of("chat.postMessage")
    assert (post.params["channel"], post.token) == ("C0SUB", f"xoxb-installed-{GRID_TEAM}")
    assert "no poster" not in err.decode()
