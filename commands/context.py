"""What a handler receives: the request, and the services it may use (behind protocols)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from formatting.card import Card, Language
from formatting.colours import ColourScheme
from formatting.memo import IdentityMemo
from signals.service import PriceService

#: What a member who is not an admin may do with regime alerts, as the adapter declares it:
#: "channel" (like an admin: a surface without roles), "dm" (an alert in their own direct
#: messages, never a channel's: Discord), "none" (admins only: Slack).
MemberAlerts = Literal["channel", "dm", "none"]


@dataclass(frozen=True, kw_only=True)
class Request:
    """One command invocation, platform-neutral; ``now`` is the clock (aware datetime)."""

    command: str
    args: Mapping[str, str] = field(default_factory=dict)
    language: Language = "both"
    colors: ColourScheme | None = None  # the server's choice; None: the language's default
    platform: str = "terminal"
    server_id: str = "local"
    channel_id: str | None = None
    user_id: str | None = None
    is_admin: bool = False
    member_alerts: MemberAlerts = "channel"
    max_tickers: int = 20  # a chat channel takes fewer cards per command than the CLI
    now: datetime


class ServerSettings(Protocol):
    """Per-server settings storage (implemented by ``bot.storage``)."""

    async def get_language(self, platform: str, server_id: str, default: str) -> str:
        """The server's language, or ``default`` when it never chose one."""
        ...

    async def set_language(self, platform: str, server_id: str, language: str) -> None:
        """Store the server's language durably before returning."""
        ...

    async def get_colors(self, platform: str, server_id: str) -> str | None:
        """The server's colour convention, or None when it never chose one."""
        ...

    async def set_colors(self, platform: str, server_id: str, scheme: str) -> None:
        """Store the server's colour convention durably before returning."""
        ...


class AlertStore(Protocol):
    """Regime alert storage (implemented by ``bot.storage``)."""

    async def add_alert(
        self,
        platform: str,
        server_id: str,
        channel_id: str,
        ticker: str,
        *,
        user_id: str | None,
        limit: int,
    ) -> str:
        """``added``, ``duplicate`` (nothing stored) or ``limit`` (nothing stored)."""
        ...

    async def remove_alert(
        self, platform: str, server_id: str, channel_id: str, ticker: str
    ) -> bool:
        """Remove one alert; False when there was none."""
        ...

    async def list_alerts(
        self, platform: str | None = None, server_id: str | None = None
    ) -> Sequence[AlertView]:
        """Alerts of a server, oldest first."""
        ...


class AlertView(Protocol):
    """What handlers read from a stored alert."""

    @property
    def channel_id(self) -> str: ...
    @property
    def ticker(self) -> str: ...


@dataclass(frozen=True, kw_only=True)
class Services:
    """Dependencies handed to every handler by the adapter that owns them."""

    prices: PriceService
    settings: ServerSettings | None = None
    default_language: Language = "both"
    about_source: str = "yfinance"  # a price source name; shown through the source.* keys
    alerts: AlertStore | None = None
    max_alerts: int = 25  # regime alerts per server (setting)
    #: Cards already built from the very same cached bars (a repeated ``/signal`` builds none).
    cards: IdentityMemo = field(default_factory=lambda: IdentityMemo(capacity=256))
    #: The research site a card links to (its public URL), or None: no page for that card.
    site: Callable[[Card], str | None] | None = None
