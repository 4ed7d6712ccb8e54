"""The ``alert`` command: add, list and remove regime alerts (a post when a regime changes).

``args``: ``action`` (add, list, remove), ``ticker``, optional ``channel`` (a platform channel
id) and ``postable`` (``"no"`` when the adapter knows the bot cannot post in the channel).
Rights: admins manage channel alerts. What members may do is what the adapter declares
(``request.member_alerts``): on Discord a member without a channel gets an alert in their own
direct messages; on Slack only admins manage alerts (channels only).
"""

from __future__ import annotations

from commands.context import Request, Services
from commands.reply import Message, Reply, UserError
from commands.validation import parse_ticker
from formatting.channels import ChannelRef
from formatting.i18n import Term

ACTIONS: tuple[str, ...] = ("add", "list", "remove")
DM_PREFIX = "dm:"  # the storage's channel id of a member's direct messages
CONSOLE_CHANNEL = "console"


def _where(platform: str, channel_id: str) -> object:
    return (
        Term("alert.where_dm")
        if channel_id.startswith(DM_PREFIX)
        else ChannelRef(channel_id, platform)
    )


def _target(request: Request) -> str:
    """The channel (or ``dm:<user>``) an add/remove is about; raises when not allowed."""
    channel = (request.args.get("channel") or "").strip()
    if request.member_alerts == "none" and not request.is_admin:
        raise UserError("alert.admins_only")
    if channel:
        if not request.is_admin:
            raise UserError("alert.members_dm_only")
        return channel
    if request.member_alerts == "dm" and not request.is_admin:
        if not request.user_id:
            raise UserError("alert.members_dm_only")
        return f"{DM_PREFIX}{request.user_id}"
    return request.channel_id or CONSOLE_CHANNEL


async def handle_alert(request: Request, services: Services) -> Reply:
    """Add, list or remove a regime alert; every refusal changes nothing."""
    action = (request.args.get("action") or "list").strip().lower()
    if action not in ACTIONS:
        raise UserError("alert.bad_action")
    store = services.alerts
    if store is None:
        raise UserError("error.unexpected", error_id="no-storage")
    if action == "list":
        own = f"{DM_PREFIX}{request.user_id}"
        rows = [
            a
            for a in await store.list_alerts(request.platform, request.server_id)
            if not a.channel_id.startswith(DM_PREFIX) or a.channel_id == own
        ]
        if not rows:
            return Reply(messages=(Message(key="alert.list_empty"),), ephemeral=True)
        lines = [Message(key="alert.list_title")] + [
            Message(
                key="alert.list_entry",
                params={"ticker": a.ticker, "where": _where(request.platform, a.channel_id)},
            )
            for a in rows
        ]
        return Reply(messages=tuple(lines), ephemeral=True)
    raw = (request.args.get("ticker") or "").strip()
    if not raw or len(raw.split()) > 1:
        raise UserError("error.one_ticker")
    ticker = parse_ticker(raw)
    target = _target(request)
    params = {"ticker": ticker, "where": _where(request.platform, target)}
    if action == "remove":
        removed = await store.remove_alert(request.platform, request.server_id, target, ticker)
        key = "alert.removed" if removed else "alert.not_found"
        return Reply(messages=(Message(key=key, params=params),), ephemeral=not removed)
    if request.args.get("postable") == "no":
        raise UserError("alert.cannot_post", where=_where(request.platform, target))
    result = await store.add_alert(
        request.platform,
        request.server_id,
        target,
        ticker,
        user_id=request.user_id,
        limit=services.max_alerts,
    )
    if result == "duplicate":
        raise UserError("alert.duplicate", **params)
    if result == "limit":
        raise UserError("alert.limit", limit=services.max_alerts)
    return Reply(messages=(Message(key="alert.added", params=params),), ephemeral=True)
