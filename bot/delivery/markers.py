"""The key every delivered message carries, so the bot can tell later whether it was posted.

A digest part's key names its (subscription, session, part), an alert message's its lowest alert
id and session. Each channel puts the key where it can read it back (see its
:class:`~bot.delivery.poster.Channel`): Discord as ``nonce`` and a ``ref`` marker in the message,
Slack in the message ``metadata`` (``event_type`` below). These formats are read back from
messages posted by earlier versions: do not change them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

JSON = dict[str, Any]
#: Slack metadata ``event_type`` of digest messages and of regime alerts.
DIGEST_EVENT = "signalbot_digest"
ALERT_EVENT = "signalbot_alert"


def nonce(subscription_id: int, session: date, part: int) -> str:
    """A digest part's idempotency key (Discord allows 25 characters)."""
    return f"d{subscription_id}s{session:%y%m%d}p{part}"[:25]


def alert_key(alert_ids: Iterable[int], session: date) -> str:
    """A grouped alert message's idempotency key (Discord allows 25 characters)."""
    return f"a{min(alert_ids)}s{session:%y%m%d}"[:25]


def marker_text(key: str) -> str:
    """How a key shows in a message's text (short, readable, found by substring)."""
    return f"ref {key}"


def slack_metadata(event_type: str, key: str, **fields: object) -> JSON:
    """A Slack message's ``metadata``: what ``conversations.history`` gives back for recovery."""
    return {"event_type": event_type, "event_payload": {"key": key, **fields}}
