"""Table definitions (SQLAlchemy Core); migrations in ``migrations/versions`` must match them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    Double,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)

from formatting import colours, languages

#: Width of the language columns (both-hant is 9 characters) and of the colours column.
LANGUAGE_WIDTH = 16
COLOURS_WIDTH = 16
_LANGUAGE_CHECK = languages.sql_in("language")
_COLOURS_CHECK = colours.sql_in("colors")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store UTC; reject naive datetimes, which would be ambiguous."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Return aware UTC datetimes."""
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _timestamps() -> list[Column[Any]]:
    return [
        Column("created_at", UTCDateTime(), nullable=False),
        Column("updated_at", UTCDateTime(), nullable=False),
    ]


_PLATFORM_CHECK = "platform IN ('discord', 'slack', 'telegram', 'terminal', 'webhook')"

servers = Table(
    "servers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(16), nullable=False),
    Column("server_id", String(64), nullable=False),
    Column("language", String(LANGUAGE_WIDTH), nullable=True),  # NULL: the bot's default
    Column("watchlist", Text, nullable=True),  # JSON list of tickers; NULL: DEFAULT_WATCHLIST
    *_timestamps(),
    # green-up / red-up; NULL: the default of the server's language (formatting.colours)
    Column("colors", String(COLOURS_WIDTH), nullable=True),
    UniqueConstraint("platform", "server_id"),
    CheckConstraint(_PLATFORM_CHECK, name="platform"),
    CheckConstraint(_LANGUAGE_CHECK, name="language"),
    CheckConstraint(_COLOURS_CHECK, name="colors"),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(16), nullable=False),
    Column("server_id", String(64), nullable=False),
    Column("channel_id", String(64), nullable=False),
    Column("schedule_time", String(5), nullable=True),  # 'HH:MM'; NULL: 30 min after the close
    Column("timezone", String(64), nullable=False),
    Column("language", String(LANGUAGE_WIDTH), nullable=True),  # NULL: the server's language
    Column("enabled", Boolean, nullable=False),
    Column("disabled_reason", Text, nullable=True),
    *_timestamps(),
    Column("created_by", String(64), nullable=True),  # the user who scheduled it (Slack)
    # NULL: posting works; else why the bot may not post there now (retried every session)
    Column("paused_reason", Text, nullable=True),
    # the MIC of the exchange whose sessions the digest follows (issue 21); market_auto: it
    # follows the exchange the server's watchlist shares, and changes with the watchlist
    Column("market", String(8), nullable=False, server_default="XNYS"),
    Column("market_auto", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("platform", "server_id", "channel_id"),
    ForeignKeyConstraint(
        ["platform", "server_id"],
        ["servers.platform", "servers.server_id"],
        ondelete="CASCADE",
        name="fk_subscriptions_server",
    ),
    CheckConstraint(_PLATFORM_CHECK, name="platform"),
    CheckConstraint(_LANGUAGE_CHECK, name="language"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column(
        "subscription_id",
        Integer,
        ForeignKey("subscriptions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("session", Date, primary_key=True),
    Column(
        "part", Integer, primary_key=True, autoincrement=False, server_default="1"
    ),  # 1-based message number
    Column("parts", Integer, nullable=True),  # messages of the whole digest
    Column("claimed_until", UTCDateTime(), nullable=True),  # lease end, renewed by the holder
    Column("state", String(8), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("message_ids", Text, nullable=True),  # JSON list of platform message ids
    Column("claimed_by", String(128), nullable=False),  # the holder's process instance id
    Column("claimed_at", UTCDateTime(), nullable=False),  # first claim: recovery looks after it
    Column("sent_at", UTCDateTime(), nullable=True),
    Column("error", Text, nullable=True),
    CheckConstraint("state IN ('claimed', 'sent', 'failed')", name="state"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(16), nullable=False),
    Column("server_id", String(64), nullable=False),
    Column("channel_id", String(80), nullable=False),  # 'dm:<user id>' for a member's DMs
    Column("ticker", String(32), nullable=False),
    Column("user_id", String(64), nullable=True),  # who added it
    Column("created_at", UTCDateTime(), nullable=False),
    # NULL: posting works; else why the bot may not post there now (a Telegram chat that blocked
    # or removed the bot: resumed when it is added back)
    Column("paused_reason", Text, nullable=True),
    UniqueConstraint("platform", "server_id", "channel_id", "ticker", name="uq_alerts_target"),
    ForeignKeyConstraint(
        ["platform", "server_id"],
        ["servers.platform", "servers.server_id"],
        ondelete="CASCADE",
        name="fk_alerts_server",
    ),
    CheckConstraint(_PLATFORM_CHECK, name="platform"),
)

#: The alerts' exactly-once ledger: the digest ledger's rules, keyed by (alert, session).
alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True),
    Column("session", Date, primary_key=True),
    Column("state", String(8), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("message_ids", Text, nullable=True),
    Column("claimed_by", String(128), nullable=False),
    Column("claimed_at", UTCDateTime(), nullable=False),  # first claim: recovery looks after it
    Column("claimed_until", UTCDateTime(), nullable=True),  # lease end, renewed by the holder
    Column("sent_at", UTCDateTime(), nullable=True),
    Column("error", Text, nullable=True),
    CheckConstraint("state IN ('claimed', 'sent', 'failed')", name="state"),
)

signal_history = Table(
    "signal_history",
    metadata,
    Column("ticker", String(32), primary_key=True),
    Column("session", Date, primary_key=True),
    Column("regime", String(32), nullable=False),
    Column("close", Double, nullable=False),
    Column("r_1d", Double, nullable=False),
    Column("r_5d", Double, nullable=False),
    Column("r_1m", Double, nullable=False),
    Column("sigma", Double, nullable=False),
    Column("fast", Double, nullable=False),
    Column("slow", Double, nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
)

price_bars = Table(
    "price_bars",
    metadata,
    Column("source", String(512), primary_key=True),  # the source id that fetched the bars
    Column("ticker", String(32), primary_key=True),
    Column("session", Date, primary_key=True),
    Column("payload", Text, nullable=False),  # see bot.storage.barcodec
    Column("fetched_at", UTCDateTime(), nullable=False),
)

app_state = Table(
    "app_state",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)


#: A webhook target (issue 24): what only a webhook has. Its watchlist, colours and language
#: for renderers live on its server row, its digest is a subscription, its alerts are alerts
#: (platform ``webhook``, server_id ``<kind>-<id>``: ``bot.webhooks.kind.target_server_id``).
webhook_targets = Table(
    "webhook_targets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("url", Text, nullable=False),  # a credential: never logged nor shown unmasked
    Column("secret", Text, nullable=True),  # the signing secret, likewise
    Column("language", String(16), nullable=False),  # a language setting, or 'auto'
    Column("market", String(16), nullable=True),  # signals.exchanges market name; NULL: US
    Column("paused_reason", Text, nullable=True),  # NULL: posting works
    *_timestamps(),
    # Feishu/Lark app credentials for uploading the chart (0020); NULL: no app
    Column("app_id", Text, nullable=True),
    Column("app_secret", Text, nullable=True),
)


#: A Slack workspace's Enterprise Grid org and install kind, as seen on its requests.
slack_teams = Table(
    "slack_teams",
    metadata,
    Column("team_id", String(64), primary_key=True),
    Column("enterprise_id", String(64), nullable=True, index=True),
    Column("is_enterprise_install", Boolean, nullable=False, server_default=false()),
    Column("updated_at", UTCDateTime(), nullable=False),
)
