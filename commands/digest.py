"""The ``digest`` command: schedule, watchlist, off, status and preview of the daily digest.

Adapters call it with ``args`` ``{"action": schedule|watchlist|off|status|preview, "channel":
<platform channel id>, "time": "HH:MM", "timezone": IANA name, "market": "hk", "tickers": "SPY
QQQ IWM"}`` (``time``, ``timezone``, ``market`` and ``tickers`` optional). The terminal passes
the words after the action as ``text`` instead. Every action but ``status`` needs
``request.is_admin``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

from commands.context import Request, Services
from commands.reply import Message, Reply, UserError
from commands.validation import (
    parse_market,
    parse_tickers,
    parse_time,
    parse_timezone,
    shown,
)
from formatting.digest import Digest, digest_lines
from formatting.digest_build import digest_from_results, previous_regimes, results_source
from formatting.i18n import ChannelRef, Term
from signals.calendar import MarketCalendar, zone_of
from signals.exchanges import is_us, shared_market
from signals.momentum import Signal
from signals.service import PriceService

ACTIONS: tuple[str, ...] = ("schedule", "watchlist", "off", "status", "preview")
ADMIN_ACTIONS = frozenset({"schedule", "watchlist", "off", "preview"})
#: Time zone of a schedule time given without one (the exchange's).
DEFAULT_TIMEZONE = "America/New_York"
#: Most tickers in a watchlist (the digest splits into several messages well before that).
MAX_WATCHLIST = 40
#: Terminal "channel" when the request names none.
CONSOLE_CHANNEL = "console"
_HHMM = re.compile(r"\d{1,2}:\d{2}")


class SubscriptionView(Protocol):
    """What the handlers read from a stored subscription (``bot.storage.Subscription``)."""

    @property
    def id(self) -> int: ...
    @property
    def channel_id(self) -> str: ...
    @property
    def time(self) -> str | None: ...
    @property
    def timezone(self) -> str: ...
    @property
    def enabled(self) -> bool: ...
    @property
    def disabled_reason(self) -> str | None: ...
    @property
    def paused_reason(self) -> str | None: ...
    @property
    def market(self) -> str: ...
    @property
    def market_auto(self) -> bool: ...


class DeliveryView(Protocol):
    """What the handlers read from a delivery ledger row (``bot.storage.Delivery``)."""

    @property
    def session(self) -> date: ...
    @property
    def state(self) -> str: ...


@runtime_checkable
class SubscriptionStore(Protocol):
    """Subscriptions, watchlists, the ledger and signal history (``bot.storage.Storage``)."""

    async def upsert_subscription(
        self,
        platform: str,
        server_id: str,
        channel_id: str,
        *,
        time: str | None,
        timezone: str,
        language: str | None = None,
        market: str = "XNYS",
        market_auto: bool = False,
    ) -> SubscriptionView:
        """Subscribe the channel (or restate and re-enable its subscription)."""
        ...

    async def follow_watchlist_market(self, platform: str, server_id: str, market: str) -> int:
        """Move the subscriptions that follow their watchlist's exchange to ``market``."""
        ...

    async def disable_subscription(
        self, platform: str, server_id: str, channel_id: str, reason: str
    ) -> bool:
        """Disable the channel's subscription; False if it had none enabled."""
        ...

    async def list_subscriptions(
        self,
        platform: str | None = None,
        server_id: str | None = None,
        enabled_only: bool = True,
    ) -> Sequence[SubscriptionView]:
        """Subscriptions, optionally of one platform or server."""
        ...

    async def get_watchlist(self, platform: str, server_id: str) -> list[str]:
        """The server's watchlist (the default one when none is set)."""
        ...

    async def set_watchlist(
        self, platform: str, server_id: str, tickers: Sequence[str] | None
    ) -> list[str]:
        """Replace the server's watchlist; None restores the default."""
        ...

    async def get_delivery(self, subscription_id: int, session: date) -> DeliveryView | None:
        """The ledger row of one subscription and session, if any."""
        ...

    async def previous_regime(self, ticker: str, before_session: date) -> str | None:
        """The regime id recorded for ``ticker`` on its latest session before ``before_session``."""
        ...


@dataclass(frozen=True, kw_only=True)
class DigestReply(Reply):
    """A preview: ``digest`` for adapters that render it (``formatting.digest_render``), and
    the same content as plain ``messages`` for those that do not."""

    digest: Digest


def digest_messages(digest: Digest) -> tuple[Message, ...]:
    """The digest as catalog messages, one per line (for adapters without a digest renderer)."""
    return tuple(Message(key=key, params=params) for key, params in digest_lines(digest))


def _store(services: Services) -> SubscriptionStore:
    store = services.settings
    if not isinstance(store, SubscriptionStore):
        raise UserError("error.unexpected", error_id="no-storage")
    return store


def _channel(request: Request) -> str:
    channel = (request.args.get("channel") or request.channel_id or "").strip()
    if not channel and request.platform == "terminal":
        return CONSOLE_CHANNEL
    if not channel:
        raise UserError("error.digest_channel")
    return channel


def _schedule_args(request: Request) -> tuple[str | None, str | None, str | None]:
    """``time``, ``timezone`` and ``market`` from their args, or from the terminal's free
    ``text`` (``17:00 Asia/Hong_Kong market hk``, ``market:hk``)."""
    time, zone = request.args.get("time"), request.args.get("timezone")
    market = request.args.get("market")
    words = request.args.get("text", "").split()
    while words:
        word = words.pop(0)
        low = word.lower()
        if market is None and low == "market" and words:
            market = words.pop(0)
        elif market is None and low.startswith(("market:", "market=")):
            market = word
        elif time is None and _HHMM.fullmatch(word):
            time = word
        elif zone is None:
            zone = word
    return (
        (time or "").strip() or None,
        (zone or "").strip() or None,
        (market or "").strip() or None,
    )


async def _schedule(request: Request, store: SubscriptionStore) -> Reply:
    raw_time, raw_zone, raw_market = _schedule_args(request)
    time = parse_time(raw_time).strftime("%H:%M") if raw_time else None
    if raw_market:  # named by the admin
        market, auto = parse_market(raw_market), False
    else:  # the exchange the watchlist's tickers share (New York for a mix), following it
        tickers = await store.get_watchlist(request.platform, request.server_id)
        market, auto = shared_market(tickers), True
    # a time without a zone is the followed exchange's time (New York's as before)
    zone = parse_timezone(raw_zone) if raw_zone else market_zone(market)
    channel = _channel(request)
    await store.upsert_subscription(
        request.platform,
        request.server_id,
        channel,
        time=time,
        timezone=zone,
        market=market,
        market_auto=auto,
    )
    where = ChannelRef(channel)
    if is_us(market):
        if time is None:
            params: dict[str, object] = {"channel": where}
            return Reply(messages=(Message(key="digest.scheduled_default", params=params),))
        params = {"time": time, "timezone": zone, "channel": where}
        return Reply(messages=(Message(key="digest.scheduled_at", params=params),))
    named = Term(f"market.{market}")
    if time is None:
        params = {"channel": where, "market": named, "timezone": zone}
        return Reply(messages=(Message(key="digest.scheduled_market", params=params),))
    params = {"time": time, "timezone": zone, "channel": where, "market": named}
    return Reply(messages=(Message(key="digest.scheduled_at_market", params=params),))


def market_zone(market: str) -> str:
    """The time zone of a schedule time given without one: the followed exchange's."""
    return DEFAULT_TIMEZONE if is_us(market) else zone_of(market)


def _tickers(request: Request) -> str:
    return (request.args.get("tickers") or request.args.get("text") or "").strip()


async def _watchlist(request: Request, store: SubscriptionStore) -> Reply:
    raw = _tickers(request)
    if raw.lower() in ("default", "reset"):
        tickers = await store.set_watchlist(request.platform, request.server_id, None)
    elif raw:
        parsed = parse_tickers(raw, max_count=MAX_WATCHLIST)
        tickers = await store.set_watchlist(request.platform, request.server_id, parsed)
    else:  # nothing given: show it, to the asker only
        tickers = await store.get_watchlist(request.platform, request.server_id)
    message = Message(key="digest.watchlist_set", params={"tickers": " ".join(tickers)})
    if raw:  # digests that follow the watchlist's exchange follow it to its new one
        await store.follow_watchlist_market(
            request.platform, request.server_id, shared_market(tickers)
        )
    return Reply(messages=(message,), ephemeral=not raw)


async def _off(request: Request, store: SubscriptionStore) -> Reply:
    channel = _channel(request)
    done = await store.disable_subscription(
        request.platform, request.server_id, channel, f"turned off by {request.user_id or 'admin'}"
    )
    key = "digest.off" if done else "digest.off_none"
    return Reply(messages=(Message(key=key, params={"channel": ChannelRef(channel)}),))


async def _last_delivery(
    store: SubscriptionStore, calendar: MarketCalendar, subscription_id: int, request: Request
) -> Message:
    session = calendar.last_completed_session(request.now)
    for _ in range(3):
        row = await store.get_delivery(subscription_id, session)
        if row is not None:
            key = f"digest.state.{row.state}"
            return Message(key=key, params={"date": row.session})
        session = calendar.previous_session(session)
    return Message(key="digest.state.none")


async def _status(request: Request, services: Services, store: SubscriptionStore) -> Reply:
    subs = await store.list_subscriptions(request.platform, request.server_id, enabled_only=False)
    watchlist = await store.get_watchlist(request.platform, request.server_id)
    lines = [Message(key="digest.status.watchlist", params={"tickers": " ".join(watchlist)})]
    if not subs:
        lines.append(Message(key="digest.status.none"))
    for sub in subs:
        where = ChannelRef(sub.channel_id)
        if not sub.enabled:
            reason = sub.disabled_reason or "-"
            params = {"channel": where, "reason": reason}
            lines.append(Message(key="digest.status.off_because", params=params))
            continue
        if sub.time is None:
            lines.append(Message(key="digest.status.entry_default", params={"channel": where}))
        else:
            params = {"channel": where, "time": sub.time, "timezone": sub.timezone}
            lines.append(Message(key="digest.status.entry_at", params=params))
        key = "digest.status.market_auto" if sub.market_auto else "digest.status.market"
        named = Term(f"market.{sub.market}")
        lines.append(Message(key=key, params={"channel": where, "market": named}))
        if sub.paused_reason:
            params = {"channel": where, "reason": sub.paused_reason}
            lines.append(Message(key="digest.status.paused", params=params))
        calendar = services.prices.calendar_of(sub.market)
        lines.append(await _last_delivery(store, calendar, sub.id, request))
    return Reply(messages=tuple(lines), ephemeral=True)


async def preview_digest(
    prices: PriceService,
    store: SubscriptionStore,
    tickers: Sequence[str],
    *,
    session: date,
    market: str = "XNYS",
) -> Digest:
    """The digest of ``tickers`` for ``session`` of the exchange ``market`` as it would be
    posted; UserError if all fail."""
    expected = await prices.sessions_of_digest(tickers, market, session)
    results = await prices.signals(tickers, session=expected)
    signals = [r for r in results.values() if isinstance(r, Signal)]
    previous = await previous_regimes(store, signals)
    source = results_source(results, prices.source.source_id)
    digest = digest_from_results(
        session, tickers, results, previous, source=source, expected=expected
    )
    if not digest.rows:
        first = digest.issues[0]
        raise UserError(first.key, **first.params)
    return digest


async def _preview(request: Request, services: Services, store: SubscriptionStore) -> Reply:
    raw = _tickers(request)
    tickers = (
        parse_tickers(raw, max_count=MAX_WATCHLIST)
        if raw
        else await store.get_watchlist(request.platform, request.server_id)
    )
    prices = services.prices
    market = shared_market(tickers)  # the exchange a digest of these tickers follows
    session = prices.session_for(request.now, exchange=market)
    digest = await preview_digest(prices, store, tickers, session=session, market=market)
    messages = (Message(key="digest.preview_note"), *digest_messages(digest))
    return DigestReply(digest=digest, messages=messages, ephemeral=True)


async def handle_digest(request: Request, services: Services) -> Reply:
    """Run one ``/digest`` action (see the module docstring for the arguments)."""
    action = request.args.get("action", "").strip().lower() or "status"
    if action not in ACTIONS:
        raise UserError("error.digest_action", value=shown(action))
    if action in ADMIN_ACTIONS and not request.is_admin:
        raise UserError("error.missing_permission")
    store = _store(services)
    if action == "schedule":
        return await _schedule(request, store)
    if action == "watchlist":
        return await _watchlist(request, store)
    if action == "off":
        return await _off(request, store)
    if action == "status":
        return await _status(request, services, store)
    return await _preview(request, services, store)
