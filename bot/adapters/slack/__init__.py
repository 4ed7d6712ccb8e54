"""Slack adapter: ``/signal`` with subcommands, the App Home tab, and the digest's poster.

One bolt ``AsyncApp`` runs in the bot's event loop: over Socket Mode when ``SLACK_APP_TOKEN`` is
set, otherwise over HTTP on ``SIGNALBOT_HTTP_PORT`` at ``/slack/events`` (signatures verified).
"""

from __future__ import annotations

from bot.adapters.base import Adapter, Poster
from bot.adapters.slack.app import SlackAdapter
from bot.dispatch import Dispatcher
from bot.settings import Settings
from bot.storage import Storage

__all__ = ["SlackAdapter", "create_slack_adapter"]


def create_slack_adapter(
    settings: Settings, dispatcher: Dispatcher, storage: Storage
) -> SlackAdapter:
    """The Slack adapter for ``settings`` (an Adapter for the runtime, a Poster for digests)."""
    return SlackAdapter(settings, dispatcher, storage)


def _protocols(adapter: SlackAdapter) -> tuple[Adapter, Poster]:
    """Never called: mypy checks here that the adapter satisfies both protocols."""
    return adapter, adapter
