"""What storage returns: frozen dataclasses, plain values and the constants they rely on."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, cast, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from formatting.colours import COLOUR_SCHEMES, ColourScheme
from formatting.languages import LANGUAGES, Language
from signals.exchanges import EXCHANGES

__all__ = ["LANGUAGES", "Language"]  # re-exported for storage callers

Platform = Literal["discord", "slack", "telegram", "terminal", "webhook"]
DeliveryState = Literal["claimed", "sent", "failed"]

PLATFORMS: tuple[str, ...] = get_args(Platform)

#: The watchlist of a server that has not set one.
DEFAULT_WATCHLIST: tuple[str, ...] = ("SPY", "QQQ", "IWM", "DIA", "TLT", "GLD")

_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


@dataclass(frozen=True, kw_only=True)
class Subscription:
    """A channel's daily digest; ``time`` None means the default (30 min after the close)."""

    id: int
    platform: Platform
    server_id: str
    channel_id: str
    time: str | None
    timezone: str
    language: Language | None  # None: the server's language
    enabled: bool
    disabled_reason: str | None
    created_at: datetime
    updated_at: datetime
    #: Why the bot may not post there for now (e.g. a missing permission); None when it can.
    #: A paused subscription stays enabled: it is retried every session and resumes by itself.
    paused_reason: str | None = None
    #: The MIC of the exchange whose sessions the digest follows (New York unless chosen).
    market: str = "XNYS"
    #: True when ``market`` follows the exchange the server's watchlist shares.
    market_auto: bool = False


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """One row of the exactly-once ledger: one message (``part``) of a digest for one session.

    ``claimed_by`` is the holder's process instance id, ``claimed_at`` the first claim (platform
    recovery looks for messages after it), ``claimed_until`` the end of the holder's lease.
    """

    subscription_id: int
    session: date
    state: DeliveryState
    attempts: int
    message_ids: tuple[str, ...]
    claimed_by: str
    claimed_at: datetime
    sent_at: datetime | None
    error: str | None
    part: int = 1
    parts: int | None = None
    claimed_until: datetime | None = None


def check_platform(platform: str) -> Platform:
    """``platform`` if it is a known platform, else ValueError."""
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r} (expected one of {', '.join(PLATFORMS)})")
    return cast(Platform, platform)


def check_language(language: str) -> Language:
    """``language`` if it is a language setting (:data:`LANGUAGES`), else ValueError."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r} (expected one of {', '.join(LANGUAGES)})")
    return language


def check_colors(scheme: str) -> ColourScheme:
    """``scheme`` if it is a colour convention (:data:`COLOUR_SCHEMES`), else ValueError."""
    if scheme not in COLOUR_SCHEMES:
        expected = ", ".join(COLOUR_SCHEMES)
        raise ValueError(f"unknown colour scheme {scheme!r} (expected one of {expected})")
    return scheme


def check_time(value: str | None) -> str | None:
    """``value`` if it is None or a 24-hour 'HH:MM', else ValueError."""
    if value is not None and not _TIME.fullmatch(value):
        raise ValueError(f"schedule time must be HH:MM (24-hour), got {value!r}")
    return value


def check_market(mic: str) -> str:
    """``mic`` if it is the MIC of an exchange the bot knows, else ValueError."""
    if mic not in EXCHANGES:
        raise ValueError(f"unknown exchange {mic!r}")
    return mic


def check_timezone(name: str) -> str:
    """``name`` if it is an IANA time zone known to this system, else ValueError."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None
    return name


def summary(rows: Sequence[Delivery]) -> Delivery:
    """One subscription's digest of one session from its part rows (at least one).

    ``sent`` only when every part of the digest is sent; else ``claimed`` while a part is held,
    else ``failed``. Message ids in part order; errors of the failed parts.
    """
    ordered = sorted(rows, key=lambda r: r.part)
    first = ordered[0]
    parts = max((r.parts or 0 for r in ordered), default=0) or len(ordered)
    states = {r.state for r in ordered}
    state: DeliveryState = "failed"
    if states == {"sent"} and len(ordered) >= parts:
        state = "sent"
    elif "claimed" in states or states == {"sent"}:
        state = "claimed"
    errors = [r.error for r in ordered if r.state == "failed" and r.error]
    return Delivery(
        subscription_id=first.subscription_id,
        session=first.session,
        part=0,
        parts=parts,
        state=state,
        attempts=max(r.attempts for r in ordered),
        message_ids=tuple(m for r in ordered for m in r.message_ids),
        claimed_by=first.claimed_by,
        claimed_at=min(r.claimed_at for r in ordered),
        claimed_until=max((r.claimed_until for r in ordered if r.claimed_until), default=None),
        sent_at=max((r.sent_at for r in ordered if r.sent_at), default=None),
        error="; ".join(errors) or None,
    )
