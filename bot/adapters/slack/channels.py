"""Where a digest may be scheduled or an alert added: ``conversations.info`` before anything is
stored.

Slack's ``conversations.info`` answers ``channel`` with ``is_im`` / ``is_mpim`` (direct
messages), ``is_private``, ``is_archived`` and ``is_member`` (whether the app is in it). A private
channel the app is not in is invisible to it: ``channel_not_found``. With ``chat:write.public``
the app may post in any public channel without joining; everything else needs membership.
"""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.poster import slack_error
from commands.reply import UserError

log = logging.getLogger(__name__)

SCHEDULE_COMMAND = "/signal digest schedule #channel"
ALERT_COMMAND = "/signal alert add TICKER #channel"
INVITE_COMMAND = "/invite @signalbot"
#: conversations.info errors after which the app cannot see the conversation at all.
INVISIBLE = frozenset(
    {"channel_not_found", "not_in_channel", "method_not_supported_for_channel_type"}
)
#: The refusal keys (direct message, not a member, archived) and the command to name a channel,
#: by what is being set up.
_WORDS = {
    "digest": (
        "slack.error.digest_dm",
        "slack.error.digest_not_member",
        "slack.error.digest_archived",
        SCHEDULE_COMMAND,
    ),
    "alert": (
        "slack.error.alert_dm",
        "slack.error.alert_not_member",
        "slack.error.alert_archived",
        ALERT_COMMAND,
    ),
}


async def check_channel(client: AsyncWebClient, channel_id: str, *, what: str) -> None:
    """Raise :class:`UserError` (with what to do) when a digest or alert (``what``) could never
    be posted in ``channel_id``: a direct message, an archived channel, a private channel
    without the app."""
    dm, not_member, archived, command = _WORDS[what]
    if channel_id.startswith("D"):
        raise UserError(dm, command=command)
    try:
        response = await client.conversations_info(channel=channel_id)
    except SlackApiError as exc:
        error = slack_error(exc)
        if error in INVISIBLE:
            raise UserError(not_member, channel=channel_id, invite=INVITE_COMMAND) from None
        if error == "missing_scope":  # installed before the app asked for channels:read
            log.warning("slack conversations.info missing_scope channel=%s; allowed", channel_id)
            return
        log.warning("slack conversations.info failed channel=%s error=%s", channel_id, error)
        raise UserError("slack.error.channel_check_failed", channel=channel_id) from None
    except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
        log.warning("slack conversations.info failed channel=%s: %s", channel_id, exc)
        raise UserError("slack.error.channel_check_failed", channel=channel_id) from None
    channel = response.get("channel") or {}
    if channel.get("is_im") or channel.get("is_mpim"):
        raise UserError(dm, command=command)
    if channel.get("is_archived"):
        raise UserError(archived, channel=channel_id)
    private = bool(channel.get("is_private") or channel.get("is_group"))
    if private and not channel.get("is_member"):
        raise UserError(not_member, channel=channel_id, invite=INVITE_COMMAND)
