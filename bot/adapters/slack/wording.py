"""Slack's own wording of shared messages: workspace words, channel links, time zones as typed.

Shared catalog messages are written for every platform; on Slack a few become their
``slack.``-prefixed twins (workspace rather than "server or workspace", confirmations that name
the channel). Parameters are rendered the Slack way: a channel id as a ``<#C…>`` link (Slack
shows its name) and an IANA time zone inside a code span, so ``America/New_York`` is shown and
copied exactly as typed (plain mrkdwn would need zero-width spaces around the underscore).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_CHANNEL = re.compile(r"[CGD][A-Z0-9]{2,30}")
_ZONE = re.compile(r"[A-Za-z0-9_+\-/]{1,64}")

#: Shared keys Slack words its own way (the twin takes the same parameters, plus ``channel``).
SLACK_KEYS = {
    "error.missing_permission": "slack.error.missing_permission",
    "digest.scheduled_default": "slack.digest.scheduled_default",
    "digest.scheduled_at": "slack.digest.scheduled_at",
    "digest.off": "slack.digest.off",
    "digest.off_none": "slack.digest.off_none",
}
#: Twins that name the channel: used only when the channel is known.
NEEDS_CHANNEL = frozenset(
    {"digest.scheduled_default", "digest.scheduled_at", "digest.off", "digest.off_none"}
)


class Mrkdwn:
    """Ready-made, safe mrkdwn for a message parameter (not escaped again when rendered)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __format__(self, spec: str) -> str:
        return format(self.text, spec)

    def __str__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mrkdwn) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def channel_param(value: str) -> Any:
    """A well-formed channel id as a ``<#C…>`` link; anything else stays text (escaped)."""
    return Mrkdwn(f"<#{value}>") if _CHANNEL.fullmatch(value) else value


def zone_param(value: str) -> Any:
    """A time zone name in a code span, shown and copied exactly as typed."""
    return Mrkdwn(f"`{value}`") if _ZONE.fullmatch(value) else value


def slack_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with channels as links and time zones as typed."""
    out = dict(params)
    channel, zone = out.get("channel"), out.get("timezone")
    if isinstance(channel, str):
        out["channel"] = channel_param(channel)
    if isinstance(zone, str):
        out["timezone"] = zone_param(zone)
    return out


def slack_message(
    key: str, params: Mapping[str, Any], channel: str | None = None
) -> tuple[str, dict[str, Any]]:
    """The Slack key and parameters for a shared message; ``channel`` is the one it is about."""
    twin = SLACK_KEYS.get(key)
    values = dict(params)
    if twin is not None and key in NEEDS_CHANNEL:
        if channel is None:
            twin = None
        else:
            values.setdefault("channel", channel)
    return twin or key, slack_params(values)
