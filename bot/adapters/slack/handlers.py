"""The ``/signal`` slash command: ack at once, then parse, check rights, run, respond."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.channels import check_channel
from bot.adapters.slack.parsing import MAX_CARDS, Parsed, parse_command
from bot.adapters.slack.replies import Respond, message_body, respond_with, send_outcome
from bot.adapters.slack.teams import Teams
from bot.cooldown import Cooldown
from bot.dispatch import Dispatcher, explain
from bot.settings import ChatSettings, SlackSettings
from commands.context import MemberAlerts
from commands.reply import Message, UserError
from formatting.card import Language

log = logging.getLogger(__name__)

PLATFORM = "slack"
COMMAND = "/signal"
ADMIN_FLAGS = ("is_admin", "is_owner", "is_primary_owner")
#: Only workspace admins manage regime alerts (channel alerts; no direct messages).
MEMBER_ALERTS: MemberAlerts = "none"

Spawn = Callable[[Coroutine[Any, Any, None]], None]


def workspace_id(body: Mapping[str, Any]) -> str:
    """The workspace a request comes from (the org for an org-wide Enterprise Grid request)."""
    return str(body.get("team_id") or body.get("enterprise_id") or "")


class SlashCommand:
    """Handles ``/signal``; slow work runs in tasks handed to ``spawn`` after the ack."""

    def __init__(
        self,
        settings: SlackSettings,
        chat: ChatSettings,
        dispatcher: Dispatcher,
        *,
        spawn: Spawn,
        teams: Teams | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.dispatcher = dispatcher
        self.teams = teams
        self._spawn = spawn
        self.cooldown = Cooldown(chat.signal_cooldown_seconds, clock=monotonic)

    async def on_command(
        self, ack: Any, body: dict[str, Any], respond: Any, client: AsyncWebClient
    ) -> None:
        """bolt listener: acknowledge first (nothing is read before), then work in a task."""
        await ack()
        self._spawn(self.serve(body, respond, client))

    async def serve(
        self, body: Mapping[str, Any], respond: Respond, client: AsyncWebClient
    ) -> None:
        """Run the command in ``body`` and answer through ``respond``; never raises."""
        team = workspace_id(body)
        try:
            await self._serve(team, body, respond, client)
        except Exception as exc:  # the one error policy says what the user reads
            explained = explain(exc, what="slack command crashed", team=team)
            try:
                await self._tell(team, respond, explained.message)
            except Exception:
                log.exception("slack could not report error_id=%s", explained.error_id)

    async def _tell(self, team: str, respond: Respond, message: Message) -> None:
        lang = await self._language(team)
        await respond_with(respond, message_body(message.key, message.params, lang))

    async def _language(self, team: str) -> Language:
        try:
            return await self.dispatcher.language_for(PLATFORM, team)
        except Exception:
            log.exception("slack language lookup failed team=%s", team)
            return self.dispatcher.services.default_language

    async def _serve(
        self, team: str, body: Mapping[str, Any], respond: Respond, client: AsyncWebClient
    ) -> None:
        user = str(body.get("user_id") or "")
        channel = str(body.get("channel_id") or "") or None
        try:
            parsed = parse_command(str(body.get("text") or ""), channel)
            self._check_cooldown(team, user, parsed)
        except UserError as exc:
            log.info("slack command refused team=%s user=%s key=%s", team, user, exc.key)
            await self._tell(team, respond, explain(exc, what="slack command").message)
            return
        admin = await self.is_admin(client, user, body) if parsed.needs_admin_check else False
        target = parsed.args.get("channel") or channel
        schedule = parsed.command == "digest" and parsed.args.get("action") == "schedule"
        alert = parsed.command == "alert" and parsed.args.get("action") == "add"
        if (schedule or alert) and admin and target is not None:
            what = "digest" if schedule else "alert"
            try:  # before anything is stored: a digest or an alert must be postable there
                await check_channel(client, target, what=what)
            except UserError as exc:
                log.info("slack %s refused team=%s channel=%s key=%s", what, team, target, exc.key)
                await self._tell(team, respond, explain(exc, what="slack command").message)
                return
        outcome = await self.dispatcher.run(
            parsed.command,
            parsed.args,
            platform=PLATFORM,
            server_id=team,
            channel_id=channel,
            user_id=user,
            is_admin=admin,
            member_alerts=MEMBER_ALERTS,
            max_tickers=MAX_CARDS,
        )
        if parsed.command == "signal" and outcome.fetched_nothing:
            self.cooldown.refund(f"{team}:{user}")  # a typo does not use up the cooldown
        scheduled = any(m.key.startswith("digest.scheduled") for m in outcome.reply.messages)
        if schedule and scheduled and target is not None and self.teams is not None:
            try:  # who to tell when this digest stops
                await self.teams.set_created_by(team, target, user)
            except Exception:
                log.exception("slack could not record the digest's admin channel=%s", target)
        await send_outcome(outcome, respond, client, target)

    def _check_cooldown(self, team: str, user: str, parsed: Parsed) -> None:
        if parsed.command != "signal":
            return
        seconds = self.cooldown.take(f"{team}:{user}")
        if seconds:
            raise UserError("error.cooldown", seconds=seconds)

    async def is_admin(
        self, client: AsyncWebClient, user_id: str, body: Mapping[str, Any] | None = None
    ) -> bool:
        """Listed in ``SLACK_ADMIN_USER_IDS``, or an admin or owner of the command's own
        workspace (or Grid org) per ``users.info``. A Slack Connect guest is an admin of another
        organisation at most, so never passes."""
        if user_id in self.settings.admin_user_ids:
            return True
        try:
            response = await client.users_info(user=user_id)
        except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("slack users.info failed user=%s: %s", user_id, exc)
            return False
        return own_admin(response.get("user") or {}, body or {})


def own_admin(user: Mapping[str, Any], body: Mapping[str, Any]) -> bool:
    """``users.info``'s user is an admin or owner of the workspace the command came from, or of
    its Enterprise Grid org (``enterprise_user``); a guest or an outsider never is."""
    if user.get("is_stranger") or user.get("is_restricted") or user.get("is_ultra_restricted"):
        return False
    team = str(body.get("team_id") or "")
    if team and user.get("team_id") == team and any(user.get(f) for f in ADMIN_FLAGS):
        return True
    enterprise = str(body.get("enterprise_id") or "")
    grid = user.get("enterprise_user") or {}
    if not enterprise or grid.get("enterprise_id") != enterprise:
        return False
    return any(user.get(f) or grid.get(f) for f in ADMIN_FLAGS)
