"""The chat platforms' part of ``signalbot doctor``: Discord over REST, Slack over the Web API.

Discord: the token (``GET /users/@me``), the application and its guild count
(``GET /oauth2/applications/@me``), the registered slash commands, and the permissions the bot
has in every subscribed channel (computed from the guild's roles and the channel's overwrites as
Discord documents it: base role permissions, then @everyone, role and member overwrites).
Slack: ``auth.test`` with the bot token, the scopes it granted (``x-oauth-scopes`` header)
against the ones the app needs, and the app-level token through ``apps.connections.open``.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.discord_permissions import ADMINISTRATOR, NEEDED
from bot.ops.checks import Check, ok, problem
from bot.settings import Settings

DISCORD_API = "https://discord.com/api/v10"
#: English name -> bit of each permission a digest post needs.
NEEDED_PERMISSIONS = {p.name: p.bit for p in NEEDED}


class DiscordRest:
    """A few authenticated GETs with one timeout each."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base.rstrip("/")

    async def get(self, path: str) -> tuple[int, Any]:
        async with self.session.get(self.base + path) as response:
            body = await response.json(content_type=None) if response.status != 204 else None
            return response.status, body


async def discord_checks(settings: Settings, limit: float) -> list[Check]:
    """Token, application, commands and channel permissions; stops early on a bad token."""
    from commands.registry import REGISTRY

    assert settings.discord.token is not None
    token = settings.discord.token.get_secret_value().strip()
    headers = {"Authorization": f"Bot {token}", "User-Agent": "DiscordBot (signalbot, 0.1)"}
    client_timeout = aiohttp.ClientTimeout(total=limit)
    async with aiohttp.ClientSession(headers=headers, timeout=client_timeout) as session:
        rest = DiscordRest(session, settings.discord.api_base_url or DISCORD_API)
        try:
            status, me = await rest.get("/users/@me")
        except (aiohttp.ClientError, TimeoutError) as exc:
            return [
                problem(
                    "discord token",
                    f"Discord's API did not answer ({type(exc).__name__})",
                    "check network access to discord.com (or DISCORD_API_BASE_URL)",
                )
            ]
        if status == 401:
            return [
                problem(
                    "discord token",
                    "DISCORD_TOKEN was refused (401 Unauthorized)",
                    "reset the token under Bot in the Discord developer portal and set it again",
                )
            ]
        if status != 200:
            return [problem("discord token", f"/users/@me answered {status}", "try again later")]
        checks = [ok("discord token", f"valid: bot user {me.get('username')} ({me.get('id')})")]
        status, app = await rest.get("/oauth2/applications/@me")
        if status != 200:
            checks.append(
                problem("discord app", f"application lookup answered {status}", "try again later")
            )
            return checks
        app_id = str(app.get("id"))
        guilds = app.get("approximate_guild_count")
        checks.append(ok("discord app", f"application {app_id}, in {guilds} server(s)"))
        checks.append(await _commands_check(rest, app_id, settings, set(REGISTRY)))
        checks += await _permission_checks(rest, settings, str(me.get("id")))
    return checks


async def _commands_check(
    rest: DiscordRest, app_id: str, settings: Settings, wanted: set[str]
) -> Check:
    scopes = [f"/guilds/{g}" for g in settings.discord.guild_ids] or [""]
    missing: set[str] = set()
    for scope in scopes:
        status, commands = await rest.get(f"/applications/{app_id}{scope}/commands")
        if status != 200:
            return problem("discord commands", f"listing answered {status}", "try again later")
        missing |= wanted - {c.get("name") for c in commands}
    where = "in DISCORD_GUILD_IDS" if settings.discord.guild_ids else "globally"
    if missing:
        return problem(
            "discord commands",
            f"not registered {where}: {', '.join('/' + m for m in sorted(missing))}",
            "start the bot once (`signalbot run` syncs commands at start-up); global commands "
            "can take a while to appear",
        )
    return ok("discord commands", f"all {len(wanted)} slash commands registered {where}")


def channel_permissions(
    guild: dict[str, Any], member: dict[str, Any], channel: dict[str, Any], user_id: str
) -> int:
    """The bot's permissions in ``channel``: roles, then @everyone, role and member overwrites."""
    guild_id = str(guild["id"])
    if str(guild.get("owner_id")) == user_id:
        return ~0
    roles = {str(r["id"]): int(r.get("permissions", 0)) for r in guild.get("roles", [])}
    mine = {str(r) for r in member.get("roles", [])}
    perms = roles.get(guild_id, 0)
    for role in mine:
        perms |= roles.get(role, 0)
    if perms & ADMINISTRATOR:
        return ~0
    overwrites = {str(o["id"]): o for o in channel.get("permission_overwrites", [])}

    def apply(allow: int, deny: int) -> None:
        nonlocal perms
        perms = (perms & ~deny) | allow

    if guild_id in overwrites:
        everyone = overwrites[guild_id]
        apply(int(everyone.get("allow", 0)), int(everyone.get("deny", 0)))
    allow = deny = 0
    for role in mine:
        if role in overwrites and overwrites[role].get("type", 0) == 0:
            allow |= int(overwrites[role].get("allow", 0))
            deny |= int(overwrites[role].get("deny", 0))
    apply(allow, deny)
    if user_id in overwrites:
        apply(int(overwrites[user_id].get("allow", 0)), int(overwrites[user_id].get("deny", 0)))
    return perms


async def _subscribed_channels(settings: Settings, platform: str) -> list[tuple[str, str]]:
    """(server id, channel id) of the enabled subscriptions, read without migrating."""
    from bot.storage import create_engine
    from bot.storage.repository import Storage

    storage = Storage(create_engine(settings.storage.async_database_url))
    try:
        subs = await storage.list_subscriptions(platform)
    finally:
        await storage.close()
    return [(s.server_id, s.channel_id) for s in subs]


async def _permission_checks(rest: DiscordRest, settings: Settings, user_id: str) -> list[Check]:
    try:
        channels = await _subscribed_channels(settings, "discord")
    except Exception as exc:
        return [
            problem(
                "discord channels",
                f"could not read the subscriptions ({type(exc).__name__})",
                "fix the database check above first",
            )
        ]
    if not channels:
        return [ok("discord channels", "no digest subscriptions yet")]
    lacking: list[str] = []
    for guild_id, channel_id in channels:
        statuses = []
        bodies = []
        for path in (
            f"/guilds/{guild_id}",
            f"/guilds/{guild_id}/members/{user_id}",
            f"/channels/{channel_id}",
        ):
            status, body = await rest.get(path)
            statuses.append(status)
            bodies.append(body)
        if any(s != 200 for s in statuses):
            lacking.append(f"#{channel_id}: not reachable ({max(statuses)})")
            continue
        perms = channel_permissions(bodies[0], bodies[1], bodies[2], user_id)
        missing = [name for name, bit in NEEDED_PERMISSIONS.items() if not perms & bit]
        if missing:
            lacking.append(f"#{channel_id} ({bodies[2].get('name', '?')}): {', '.join(missing)}")
    if lacking:
        return [
            problem(
                "discord channels",
                "missing permissions: " + "; ".join(lacking),
                "grant the bot these permissions in the channel (or its role), or "
                "`/digest off` there",
            )
        ]
    return [ok("discord channels", f"{len(channels)} subscribed channel(s) have every permission")]


def _header(response: Any, name: str) -> str:
    headers = getattr(response, "headers", None) or {}
    return next((str(v) for k, v in headers.items() if k.lower() == name), "")


async def slack_checks(settings: Settings, limit: float) -> list[Check]:
    """auth.test and scopes with the bot token; the app-level token when Socket Mode is on."""
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.adapters.slack.app import api_base_url
    from bot.adapters.slack.installs import BOT_SCOPES

    base = api_base_url(settings.slack)
    checks: list[Check] = []
    if settings.slack.bot_token is None:
        checks.append(ok("slack token", "OAuth: each workspace's token is in the database"))
    else:
        client = AsyncWebClient(
            token=settings.slack.bot_token.get_secret_value().strip(),
            base_url=base,
            timeout=int(max(1, limit)),
        )
        try:
            auth = await client.auth_test()
        except SlackApiError as exc:
            error = exc.response.get("error", "unknown") if exc.response else "unknown"
            return [
                problem(
                    "slack token",
                    f"auth.test refused SLACK_BOT_TOKEN ({error})",
                    "copy the Bot User OAuth Token (xoxb-) from OAuth & Permissions again, or "
                    "reinstall the app",
                )
            ]
        except Exception as exc:
            return [
                problem(
                    "slack token",
                    f"Slack's API did not answer ({type(exc).__name__})",
                    "check network access to slack.com (or SLACK_API_BASE_URL)",
                )
            ]
        checks.append(
            ok("slack token", f"valid: team {auth.get('team_id')}, bot user {auth.get('user_id')}")
        )
        granted = {s.strip() for s in _header(auth, "x-oauth-scopes").split(",") if s.strip()}
        missing = [s for s in BOT_SCOPES if s not in granted]
        if missing:
            checks.append(
                problem(
                    "slack scopes",
                    f"missing: {', '.join(missing)}",
                    "add them under OAuth & Permissions -> Bot Token Scopes, then reinstall",
                )
            )
        else:
            checks.append(ok("slack scopes", f"all {len(BOT_SCOPES)} needed scopes granted"))
    if settings.slack.socket_mode:
        checks.append(await _socket_token_check(settings, base, limit))
    else:
        checks.append(ok("slack transport", "HTTP mode (SLACK_SIGNING_SECRET); no app token"))
    return checks


async def _socket_token_check(settings: Settings, base: str, limit: float) -> Check:
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    assert settings.slack.app_token is not None
    app_token = settings.slack.app_token.get_secret_value().strip()
    if not app_token.startswith("xapp-"):
        return problem(
            "slack socket mode",
            "SLACK_APP_TOKEN does not start with xapp-",
            "create an app-level token with connections:write under Basic Information",
        )
    client = AsyncWebClient(base_url=base, timeout=int(max(1, limit)))
    try:
        await client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown") if exc.response else "unknown"
        return problem(
            "slack socket mode",
            f"apps.connections.open refused SLACK_APP_TOKEN ({error})",
            "enable Socket Mode and create an app-level token with connections:write",
        )
    except Exception as exc:
        return problem(
            "slack socket mode",
            f"Slack's API did not answer ({type(exc).__name__})",
            "check network access to slack.com",
        )
    return ok("slack socket mode", "SLACK_APP_TOKEN opens a Socket Mode connection")
