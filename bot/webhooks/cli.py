"""``signalbot webhook add|list|test|remove`` (imported by the CLI when used).

URLs and secrets are credentials: ``list`` shows the URL's host and a masked rest, never the
secret; nothing here logs either.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urlsplit

from pydantic import SecretStr

from bot.settings import Settings
from bot.storage import Storage, open_storage
from bot.storage.webhooks import NewWebhook, WebhookTarget
from bot.webhooks.kinds import host_allowed, kind, names
from commands.digest import MAX_WATCHLIST
from commands.reply import UserError
from commands.validation import parse_tickers
from formatting.card import Card
from formatting.languages import LANGUAGES, Language
from signals.exchanges import MARKETS, market_mic, shared_market

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
#: Kinds whose targets take app credentials (``--app-id``, ``--app-secret``) for the chart.
APP_KINDS = ("feishu", "lark")
log = logging.getLogger(__name__)

#: A sample card for ``webhook test``: the target's first ticker (None when it cannot be made).
CardFor = Callable[[str], Awaitable[Card | None]]


def mask(url: SecretStr) -> str:
    """``https://host/…1a2b``: enough to tell targets apart, not enough to post."""
    value = url.get_secret_value()
    parts = urlsplit(value)
    tail = value[-4:] if len(value) > 12 else ""
    return f"{parts.scheme}://{parts.hostname or '?'}/…{tail}"


def _kind_checked(args: argparse.Namespace) -> None:
    """Kind, host, secret, language and market as the kind allows them (UserError if not)."""
    if args.kind not in names():
        raise UserError("error.webhook_kind", kind=args.kind, choices=", ".join(names()))
    chosen = kind(args.kind)
    parts = urlsplit(args.url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UserError("error.webhook_url")
    if not args.allow_any_host and not host_allowed(chosen, args.url):
        hosts = "any host" if "*" in chosen.hosts else ", ".join(chosen.hosts)
        raise UserError("error.webhook_host", kind=args.kind, hosts=hosts)
    if chosen.needs_secret and not args.secret:
        raise UserError("error.webhook_secret", kind=args.kind)
    app_id, app_secret = getattr(args, "app_id", None), getattr(args, "app_secret", None)
    if (app_id or app_secret) and (args.kind not in APP_KINDS or not (app_id and app_secret)):
        raise UserError("error.webhook_app", kind=args.kind)
    if args.target_lang is not None and args.target_lang not in (
        *LANGUAGES,
        *chosen.extra_languages,
    ):
        choices = ", ".join((*LANGUAGES, *chosen.extra_languages))
        raise UserError("error.webhook_language", kind=args.kind, choices=choices)
    if args.market is not None and market_mic(args.market) is None:
        raise UserError("error.webhook_market", market=args.market, choices=", ".join(MARKETS))


def _shown(setting: str) -> Language:
    """The language renderers get for a setting (``auto``: bilingual, each reader's own)."""
    return "both" if setting == "auto" else next(x for x in LANGUAGES if x == setting)


def _zone(market: str | None, watchlist: Sequence[str]) -> str:
    """The time zone of the digest's exchange: the named market's, else the one the watchlist
    shares (New York for a mixed one)."""
    from signals.calendar import calendar_for

    mic = market_mic(market) if market else None
    return str(calendar_for(mic or shared_market(watchlist)).tz)


async def cmd_add(args: argparse.Namespace, settings: Settings, storage: Storage) -> int:
    """Store the target; print its id (never its URL or secret)."""
    _kind_checked(args)
    watchlist = parse_tickers(args.watchlist, max_count=MAX_WATCHLIST)
    alerts = parse_tickers(args.alerts, max_count=MAX_WATCHLIST) if args.alerts else []
    setting = args.target_lang or settings.chat.default_language
    try:
        target = await storage.add_webhook(
            NewWebhook(
                kind=args.kind,
                url=SecretStr(args.url),
                secret=SecretStr(args.secret) if args.secret else None,
                language=setting,
                shown=_shown(setting),
                colors=args.colors,
                watchlist=watchlist,
                market=args.market.lower() if args.market else None,
                time=args.time,
                timezone=args.tz or _zone(args.market, watchlist),
                alert_tickers=alerts,
                app_id=_credential(getattr(args, "app_id", None)),
                app_secret=_credential(getattr(args, "app_secret", None)),
            )
        )
    except ValueError as exc:  # time or zone not valid: the message names the value
        raise UserError("error.webhook_invalid", problem=str(exc)) from None
    print(f"webhook {target.id} added: {target.kind} {mask(target.url)}")
    return EXIT_OK


def _credential(value: str | None) -> SecretStr | None:
    return SecretStr(value.strip()) if value and value.strip() else None


def describe(target: WebhookTarget) -> str:
    """One line of ``webhook list`` (URL masked, secret only as set / not set)."""
    when = f"{target.time or 'after close'} {target.timezone}"
    state = f"PAUSED: {target.paused_reason}" if target.paused_reason else "active"
    return (
        f"{target.id}\t{target.kind}\t{mask(target.url)}\t"
        f"secret {'set' if target.secret else 'not set'}"
        f"{', app set' if target.app_id else ''}\t{target.language}\t"
        f"{target.market or 'us'}\t{when}\t{','.join(target.watchlist)}\t"
        f"alerts {','.join(target.alert_tickers) or '-'}\t{state}"
    )


async def cmd_list(storage: Storage) -> int:
    """Every target, one a line."""
    targets = await storage.list_webhooks()
    if not targets:
        print("no webhook targets (add one with: signalbot webhook add)")
        return EXIT_OK
    print("id\tkind\turl\tsecret\tlanguage\tmarket\tdigest\twatchlist\talerts\tstate")
    for target in targets:
        print(describe(target))
    return EXIT_OK


async def cmd_test(
    args: argparse.Namespace, storage: Storage, card_for: CardFor, *, seconds: float = 30.0
) -> int:
    """Post a sample card; say in plain words what the platform answered."""
    from bot.adapters.base import PostFailed, PostingPaused
    from bot.webhooks.poster import WebhookPoster

    target = await storage.get_webhook(args.id)
    if target is None:
        raise UserError("error.webhook_unknown", id=args.id)
    ticker = target.watchlist[0] if target.watchlist else "SPY"
    card = await card_for(ticker)
    if card is None:
        print(f"webhook {target.id}: no sample card could be made for {ticker} (prices?)")
        return EXIT_FAILURE
    chosen = kind(target.kind)
    colors = next((c for c in ("green-up", "red-up") if c == target.colors), None)
    messages = chosen.render_sample(card, _shown(target.language), colors=colors)
    poster = WebhookPoster(storage, timeout=seconds, max_waits=1)
    try:
        message_id = await poster.post_sample(target, messages)
    except PostingPaused as exc:
        print(f"webhook {target.id} ({target.kind}): refused, target paused: {exc.reason}")
        return EXIT_FAILURE
    except PostFailed as exc:
        print(f"webhook {target.id} ({target.kind}): not posted: {exc}")
        return EXIT_FAILURE
    finally:
        await poster.stop()
    shown = "" if message_id in ("-", "") else f" (message {message_id})"
    print(f"webhook {target.id} ({target.kind}): posted{shown}; the platform accepted it")
    return EXIT_OK


async def cmd_remove(args: argparse.Namespace, storage: Storage) -> int:
    """Remove a target, its digest, ledger rows and alerts."""
    if not await storage.remove_webhook(args.id):
        raise UserError("error.webhook_unknown", id=args.id)
    print(f"webhook {args.id} removed")
    return EXIT_OK


async def cmd_webhook(args: argparse.Namespace, settings: Settings, card_for: CardFor) -> int:
    """``signalbot webhook ACTION``."""
    async with open_storage(
        settings.storage.async_database_url,
        busy_timeout=settings.storage.sqlite_busy_timeout_seconds,
    ) as storage:
        if args.webhook_command == "add":
            return await cmd_add(args, settings, storage)
        if args.webhook_command == "list":
            return await cmd_list(storage)
        if args.webhook_command == "test":
            return await cmd_test(args, storage, card_for)
        return await cmd_remove(args, storage)
