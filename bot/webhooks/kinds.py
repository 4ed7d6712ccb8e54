"""The kinds of webhook by name: one line per kind in :data:`BUILT_IN`.

Kinds load on first use (a kind's module imports only what it renders with).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from bot.delivery.poster import Capabilities, Limits
from bot.delivery.text import TextChannel
from bot.webhooks import cn_kinds
from bot.webhooks.kind import PLATFORM, WebhookKind, kind_of

#: Webhook deliveries in flight at once (each target is paced on its own by the poster). Each
#: delivery claims and marks its parts in the ledger: 1,024 at once ran the database's
#: connection pool dry on SQLite under load (bench_webhooks: 30 s pool timeouts); at 256 the
#: ledger's writes, not this, bound a large fan-out.
CONCURRENCY = 256


def _json() -> WebhookKind:
    from bot.webhooks.json_kind import JsonKind

    return JsonKind()


def _discord() -> WebhookKind:
    from bot.webhooks.discord_kind import DiscordKind

    return DiscordKind()


def _slack() -> WebhookKind:
    from bot.webhooks.slack_kind import SlackKind

    return SlackKind()


#: kind name -> how to load it (``webhook add --kind`` offers these, in this order)
BUILT_IN: dict[str, Callable[[], WebhookKind]] = {
    "json": _json,
    "discord": _discord,
    "slack": _slack,
    "feishu": cn_kinds.feishu,
    "lark": cn_kinds.lark,
    "wecom": cn_kinds.wecom,
    "dingtalk": cn_kinds.dingtalk,
}
_loaded: dict[str, WebhookKind] = {}


class AnyWebhook(TextChannel):
    """What the platform ``webhook`` declares as a whole (each target renders as its kind):
    paced per target, not per platform; nothing to ask after a crash."""

    def __init__(self) -> None:
        super().__init__(PLATFORM)
        self.capabilities = Capabilities(
            platform=PLATFORM,
            limits=Limits(max_chars=0),
            carries_images=True,
            posts_blind=True,
            concurrency=CONCURRENCY,
        )


def register(found: WebhookKind) -> None:
    """Add (or replace) a kind by its name (tests, benchmarks; built-in kinds are in BUILT_IN)."""
    _loaded[found.name] = found
    BUILT_IN.setdefault(found.name, lambda: found)


def names() -> tuple[str, ...]:
    """Every kind's name."""
    return tuple(BUILT_IN)


def kind(name: str) -> WebhookKind:
    """The kind called ``name``; KeyError when there is none."""
    found = _loaded.get(name)
    if found is None:
        found = _loaded[name] = BUILT_IN[name]()
    return found


def channel_of(server_id: str) -> WebhookKind:
    """The kind (the channel) of the webhook subscription with ``server_id``."""
    return kind(kind_of(server_id))


def host_allowed(kind_: WebhookKind, url: str) -> bool:
    """Is ``url`` HTTPS on one of ``kind_``'s documented hosts?"""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host:
        return False
    for allowed in kind_.hosts:
        if allowed == "*":
            return True
        if allowed.startswith(".") and host.endswith(allowed):
            return True
        if host == allowed:
            return True
    return False
