"""OAuth installs: slack_sdk's SQLAlchemy stores on the bot's database, tokens per workspace."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from slack_bolt.request.async_request import AsyncBoltRequest
from sqlalchemy import inspect

from bot.adapters.base import ChannelGone, PostFailed
from formatting.messages import message_text
from tests.bot.slack.support import run_slash
from tests.fakes.slack import TEAM, signed_request, slash_body

# slack_sdk's oauth.v2.access call still uses aiohttp.BasicAuth
pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")

OTHER = "T0OTHER"
OTHER_TOKEN = "xoxb-installed-T0OTHER"


@pytest.fixture
async def oauth_adapter(make_adapter):
    """An adapter with OAuth credentials and no bot token; tables created as run() would."""
    adapter = await make_adapter(
        slack_bot_token=None, slack_client_id="111.222", slack_client_secret="oauth-secret"
    )
    await adapter.prepare()
    return adapter


async def install(adapter, headers=None) -> int:
    """Walk the install page and the redirect as a browser would; the callback's status."""
    flow = adapter.app.oauth_flow
    page = await flow.handle_installation(AsyncBoltRequest(body="", query="", headers={}))
    assert page.status == 200
    location = next(u for u in page.body.split('"') if u.startswith("https://slack.com/oauth"))
    state = parse_qs(urlsplit(location.replace("&amp;", "&")).query)["state"][0]
    cookie = page.headers["set-cookie"][0].split(";")[0]
    callback = AsyncBoltRequest(
        body="", query=f"code=the-code&state={state}", headers=headers or {"cookie": cookie}
    )
    return (await flow.handle_callback(callback)).status


async def test_install_stores_the_workspace_token_in_the_bot_database(oauth_adapter, fake, store):
    """The redirect exchanges the code (oauth.v2.access) and saves the install in our database."""
    assert await install(oauth_adapter) == 200
    (exchange,) = fake.of("oauth.v2.access")
    assert exchange.params["code"] == "the-code"
    assert await oauth_adapter.installs.bot_token(OTHER) == OTHER_TOKEN
    tables = await store_tables(store)
    assert {"slack_installations", "slack_bots", "slack_oauth_states"} <= tables


async def test_callback_with_a_forged_state_installs_nothing(oauth_adapter, fake):
    """A state that was not issued (or its cookie missing) is refused; no code exchange."""
    status = await install(oauth_adapter, headers={"cookie": "slack-app-oauth-state=forged"})
    assert status >= 400
    assert fake.of("oauth.v2.access") == []
    assert await oauth_adapter.installs.bot_token(OTHER) is None


async def test_commands_use_the_installing_workspace_token(oauth_adapter, fake, store):
    """After the install, a command from that workspace calls Slack with its own bot token."""
    await install(oauth_adapter)
    fake.user("U0ADMIN", is_admin=True, team_id=OTHER)
    await run_slash(oauth_adapter, fake, "language zh", team=OTHER, user="U0ADMIN")
    (info,) = fake.of("users.info")
    assert info.token == OTHER_TOKEN
    assert await store.get_language("slack", OTHER, "unset") == "zh"


async def test_command_from_a_workspace_without_install_is_refused(oauth_adapter, fake, store):
    """No installation for the team: bolt refuses before the listener; nothing runs."""
    body = slash_body("language zh", response_url=fake.response_url(), team=TEAM)
    response = await oauth_adapter.app.async_dispatch(signed_request(body))
    await oauth_adapter.idle()
    assert response.status == 200
    assert fake.responses == [{"text": message_text("slack.error.not_installed", {}, "both")}]
    assert await store.get_language("slack", TEAM, "unset") == "unset"


async def test_digest_posts_with_the_subscribed_workspace_token(oauth_adapter, fake, store):
    """send_message finds the channel's workspace in the subscriptions and uses its token."""
    await install(oauth_adapter)
    await store.upsert_subscription("slack", OTHER, "C0OTHERDIGEST", time=None, timezone="UTC")
    await oauth_adapter.send_message("C0OTHERDIGEST", {"text": "digest"})
    (post,) = fake.of("chat.postMessage")
    assert post.token == OTHER_TOKEN


async def test_digest_uses_the_subscription_workspace_not_a_guess(oauth_adapter, fake, store):
    """A channel id typed into another workspace's subscription never borrows a token."""
    await install(oauth_adapter)
    # an older subscription in the default workspace names the same channel id
    await store.upsert_subscription("slack", TEAM, "C0SHARED", time=None, timezone="UTC")
    await store.upsert_subscription("slack", OTHER, "C0SHARED", time=None, timezone="UTC")
    await oauth_adapter.send_message("C0SHARED", {"text": "digest"}, server_id=OTHER)
    (post,) = fake.of("chat.postMessage")
    assert post.token == OTHER_TOKEN


async def test_digest_to_an_uninstalled_workspace_is_channel_gone(oauth_adapter, fake, store):
    """The workspace removed the app (its install deleted): ChannelGone; unknown channel: PostFailed."""
    await store.upsert_subscription("slack", "T0GONE", "C0GONE1", time=None, timezone="UTC")
    with pytest.raises(ChannelGone, match="app_uninstalled"):
        await oauth_adapter.send_message("C0GONE1", {"text": "digest"})
    with pytest.raises(PostFailed):
        await oauth_adapter.send_message("C0NOBODY", {"text": "digest"})
    assert fake.of("chat.postMessage") == []


async def store_tables(store) -> set[str]:
    async with store.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
