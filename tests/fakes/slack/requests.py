"""Requests as Slack sends them: signed headers (with retry headers), slash commands, events."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
TEAM = "T0TEST"
ORG = "E0ORG"  # an Enterprise Grid org
GRID_TEAM = "T0GRID"  # a workspace of that org


# --- signed requests --------------------------------------------------------------------------
def signed_headers(
    body: str,
    *,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    json_body: bool = False,
    retry_num: int | None = None,
) -> dict[str, str]:
    """Headers Slack would send with ``body``, signed with ``secret`` at ``timestamp``; a retry
    carries ``X-Slack-Retry-Num`` and ``X-Slack-Retry-Reason``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    content_type = "application/json" if json_body else "application/x-www-form-urlencoded"
    headers = {
        "content-type": content_type,
        "x-slack-request-timestamp": ts,
        "x-slack-signature": signature,
    }
    if retry_num is not None:
        headers |= {"x-slack-retry-num": str(retry_num), "x-slack-retry-reason": "http_timeout"}
    return headers


def slash_body(
    text: str,
    *,
    response_url: str,
    team: str = TEAM,
    user: str = "U0MEMBER",
    channel: str = "C0GENERAL",
    enterprise: str | None = None,
    org_install: bool = False,
) -> str:
    """A form-encoded ``/signal`` payload as Slack sends it (Grid: ``enterprise_id`` too)."""
    grid = {"enterprise_id": enterprise} if enterprise else {}
    return urlencode(
        grid
        | {
            "token": "legacy-verification-token",
            "team_id": team,
            "team_domain": "test",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": "member",
            "command": "/signal",
            "text": text,
            "api_app_id": "A0TEST",
            "is_enterprise_install": "true" if org_install else "false",
            "response_url": response_url,
            "trigger_id": "1.2.3",
        }
    )


def signed_request(body: str, **kwargs: Any) -> AsyncBoltRequest:
    """``body`` as a bolt request carrying a valid signature (override with ``kwargs``)."""
    json_body = body.startswith("{")
    return AsyncBoltRequest(body=body, headers=signed_headers(body, json_body=json_body, **kwargs))


def home_opened_body(*, user: str = "U0MEMBER", team: str = TEAM, event_id: str = "Ev0TEST") -> str:
    """An ``app_home_opened`` Events API callback."""
    return event_body(
        {
            "type": "app_home_opened",
            "user": user,
            "channel": "D0HOME",
            "tab": "home",
            "event_ts": "1700000000.000100",
        },
        team=team,
        event_id=event_id,
    )


def event_body(
    event: dict[str, Any],
    *,
    team: str | None = TEAM,
    enterprise: str | None = None,
    org_install: bool = False,
    event_id: str = "Ev0TEST",
) -> str:
    """An Events API callback carrying ``event``."""
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": team,
            "enterprise_id": enterprise,
            "api_app_id": "A0TEST",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": 1700000000,
            "event": event,
            "is_enterprise_install": org_install,
            "authorizations": [
                {
                    "team_id": team,
                    "enterprise_id": enterprise,
                    "user_id": "UBOT",
                    "is_bot": True,
                    "is_enterprise_install": org_install,
                }
            ],
        }
    )
