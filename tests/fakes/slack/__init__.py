"""One fake Slack for every test and benchmark: the Web API server (:mod:`.api`) with its
channels' messages (:mod:`.messages`), and requests as Slack sends them to the app
(:mod:`.requests`: signed slash commands and events)."""

from tests.fakes.slack.api import Call, Failure, FakeSlack
from tests.fakes.slack.messages import Posted
from tests.fakes.slack.requests import (
    BOT_TOKEN,
    GRID_TEAM,
    ORG,
    SIGNING_SECRET,
    TEAM,
    event_body,
    home_opened_body,
    signed_headers,
    signed_request,
    slash_body,
)

__all__ = [
    "BOT_TOKEN",
    "GRID_TEAM",
    "ORG",
    "SIGNING_SECRET",
    "TEAM",
    "Call",
    "Failure",
    "FakeSlack",
    "Posted",
    "event_body",
    "home_opened_body",
    "signed_headers",
    "signed_request",
    "slash_body",
]
