"""Persistence: SQLite by default, PostgreSQL by URL; schema managed by Alembic migrations."""

from bot.storage.alert_ledger import AlertKey
from bot.storage.db import create_engine, current_revision, downgrade, upgrade
from bot.storage.leader import LeaderLock
from bot.storage.ledger import (
    LEASE,
    MAX_ATTEMPTS,
    Claim,
    DeliveryKey,
    new_claimer_id,
    new_instance_id,
    summary,
)
from bot.storage.records import (
    DEFAULT_WATCHLIST,
    PLATFORMS,
    Delivery,
    DeliveryState,
    Platform,
    Subscription,
)
from bot.storage.repository import Storage, open_storage
from bot.storage.urls import async_url, safe_url
from formatting.languages import LANGUAGES, Language

__all__ = [
    "DEFAULT_WATCHLIST",
    "LANGUAGES",
    "LEASE",
    "MAX_ATTEMPTS",
    "PLATFORMS",
    "AlertKey",
    "Claim",
    "Delivery",
    "DeliveryKey",
    "DeliveryState",
    "Language",
    "LeaderLock",
    "Platform",
    "Storage",
    "Subscription",
    "async_url",
    "create_engine",
    "current_revision",
    "downgrade",
    "new_claimer_id",
    "new_instance_id",
    "open_storage",
    "safe_url",
    "summary",
    "upgrade",
]
