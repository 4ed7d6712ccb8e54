"""Slack adapter: ``/signal`` with subcommands, the App Home tab, and the digest's poster.

One bolt ``AsyncApp`` runs in the bot's event loop: over Socket Mode when ``SLACK_APP_TOKEN`` is
set, otherwise over HTTP on ``SIGNALBOT_HTTP_PORT`` at ``/slack/events`` (signatures verified).
"""

from __future__ import annotations

from bot.adapters.base import Adapter
from bot.adapters.slack.app import SlackAdapter, api_base_url
from bot.adapters.slack.digests import DigestPoster
from bot.adapters.slack.installs import create_installs
from bot.delivery.poster import Poster
from bot.dispatch import Dispatcher
from bot.settings import ChatSettings, SlackSettings
from bot.storage import Storage

__all__ = ["DigestPoster", "SlackAdapter", "create_slack_adapter", "open_digest_poster"]


def create_slack_adapter(
    settings: SlackSettings,
    chat: ChatSettings,
    dispatcher: Dispatcher,
    storage: Storage,
    *,
    port: int = 3000,
) -> SlackAdapter:
    """The Slack adapter for its group (an Adapter for the runtime, a Poster for digests)."""
    return SlackAdapter(settings, chat, dispatcher, storage, port=port)


async def open_digest_poster(
    settings: SlackSettings, chat: ChatSettings, storage: Storage
) -> DigestPoster | None:
    """The digest's Slack poster without the bolt app (``signalbot digest run``): with
    ``SLACK_BOT_TOKEN``, or with OAuth installs (Grid included, rotating tokens refreshed);
    None when neither is configured."""
    secret = settings.bot_token
    token = secret.get_secret_value().strip() if secret is not None else ""
    base_url = api_base_url(settings)
    installs = create_installs(settings, storage, base_url=base_url)
    if installs is None and not token:
        return None
    if installs is not None:
        await installs.create_tables()
    return DigestPoster(
        storage,
        base_url=base_url,
        bot_token=token or None,
        installs=installs,
        default_language=chat.default_language,
    )


def _protocols(adapter: SlackAdapter, poster: DigestPoster) -> tuple[Adapter, Poster, Poster]:
    """Never called: mypy checks here that the adapter satisfies both protocols."""
    return adapter, adapter, poster
