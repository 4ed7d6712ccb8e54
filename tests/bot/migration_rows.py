"""Rows a database holds at each revision of the migration chain, and what each migration does
to the rows before it: the data of :mod:`tests.bot.test_migrations`.

Every revision in ``bot/storage/migrations/versions`` needs an entry in :data:`REVISIONS` (the
test fails naming the one missing): ``fill`` gives the rows a database at that revision holds
(every table, every column, starting from the previous revision's rows) and ``migrate`` says
what upgrading to it does to the previous revision's rows (new columns and their values for old
rows, rows dropped on purpose). The test upgrades every revision's rows to head and compares.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

Rows = dict[str, list[dict[str, Any]]]

T0 = datetime(2026, 6, 8, 20, 30, 1, 123456, tzinfo=UTC)
T1 = datetime(2026, 6, 9, 20, 31, 2, 654321, tzinfo=UTC)
D0 = date(2026, 6, 8)
D1 = date(2026, 6, 9)


@dataclass(frozen=True)
class Revision:
    """``fill``: previous revision's rows -> rows at this one; ``migrate``: what upgrading to
    this revision makes of the previous revision's rows."""

    fill: Callable[[Rows], Rows]
    migrate: Callable[[Rows], Rows]


def _with(rows: Rows, table: str, **values: Any) -> Rows:
    """``rows`` with ``values`` set in every row of ``table`` (a new column and its value)."""
    out = copy.deepcopy(rows)
    out[table] = [{**row, **values} for row in out.get(table, [])]
    return out


def _add(rows: Rows, table: str, *new: dict[str, Any]) -> Rows:
    out = copy.deepcopy(rows)
    out.setdefault(table, []).extend(copy.deepcopy(list(new)))
    return out


def _fill_0001(_: Rows) -> Rows:
    stamps = {"created_at": T0, "updated_at": T1}
    return {
        "servers": [
            {"id": 1, "platform": "discord", "server_id": "g1", "language": "zh",
             "watchlist": '["SPY", "QQQ"]', **stamps},
            {"id": 2, "platform": "slack", "server_id": "T1", "language": None,
             "watchlist": None, **stamps},
            {"id": 3, "platform": "terminal", "server_id": "local", "language": "both",
             "watchlist": None, **stamps},
        ],
        "subscriptions": [
            {"id": 1, "platform": "discord", "server_id": "g1", "channel_id": "c1",
             "schedule_time": "16:30", "timezone": "America/New_York", "language": "both",
             "enabled": True, "disabled_reason": None, **stamps},
            {"id": 2, "platform": "slack", "server_id": "T1", "channel_id": "C1",
             "schedule_time": None, "timezone": "UTC", "language": None,
             "enabled": False, "disabled_reason": "channel_not_found", **stamps},
            {"id": 3, "platform": "discord", "server_id": "g1", "channel_id": "c2",
             "schedule_time": "09:00", "timezone": "Asia/Taipei", "language": "en",
             "enabled": True, "disabled_reason": None, **stamps},
        ],
        "deliveries": [
            {"subscription_id": 1, "session": D0, "state": "sent", "attempts": 1,
             "message_ids": '["m1", "m2"]', "claimed_by": "host:1", "claimed_at": T0,
             "sent_at": T1, "error": None},
            {"subscription_id": 2, "session": D0, "state": "failed", "attempts": 3,
             "message_ids": None, "claimed_by": "host:2", "claimed_at": T0,
             "sent_at": None, "error": "channel_not_found"},
            {"subscription_id": 3, "session": D1, "state": "claimed", "attempts": 1,
             "message_ids": None, "claimed_by": "host:3", "claimed_at": T1,
             "sent_at": None, "error": None},
        ],
        "signal_history": [
            {"ticker": "SPY", "session": D0, "regime": "strong_uptrend", "close": 512.25,
             "r_1d": 0.0123, "r_5d": -0.5, "r_1m": 1e-9, "sigma": 0.18, "fast": 505.5,
             "slow": 480.125, "recorded_at": T0},
            {"ticker": "TLT", "session": D1, "regime": "downtrend", "close": 91.0,
             "r_1d": -0.01, "r_5d": 0.0, "r_1m": -0.25, "sigma": 0.3, "fast": 92.0,
             "slow": 95.0, "recorded_at": T1},
        ],
        "price_bars": [
            {"ticker": "SPY", "session": D0, "payload": '{"bars": []}', "fetched_at": T0},
        ],
        "app_state": [
            {"key": "digest:last_run", "value": "2026-06-08", "updated_at": T0},
        ],
    }  # fmt: skip


def _fill_0009(rows: Rows) -> Rows:
    bars = {"session": D0, "payload": '{"v": 2}', "fetched_at": T1}
    return {
        **rows,
        "price_bars": [
            {"source": "yfinance", "ticker": "SPY", **bars},
            {"source": "csv:/srv/prices", "ticker": "QQQ", **bars},
        ],
    }


def _fill_0010(rows: Rows) -> Rows:
    rows = _with(rows, "deliveries", part=1, parts=1, claimed_until=None)
    second = {**rows["deliveries"][0], "part": 2, "parts": 2, "message_ids": '["m3"]'}
    rows["deliveries"][0]["parts"] = 2
    leased = {**rows["deliveries"][2], "parts": None, "claimed_until": T1}
    return {**rows, "deliveries": [rows["deliveries"][0], second, rows["deliveries"][1], leased]}


def _fill_0011(rows: Rows) -> Rows:
    rows = _with(rows, "subscriptions", created_by=None)
    rows["subscriptions"][1]["created_by"] = "U123"
    return _add(
        rows,
        "slack_teams",
        {"team_id": "T1", "enterprise_id": "E1", "is_enterprise_install": True, "updated_at": T0},
        {"team_id": "T2", "enterprise_id": None, "is_enterprise_install": False, "updated_at": T1},
    )


def _fill_0012(rows: Rows) -> Rows:
    rows = _with(rows, "subscriptions", paused_reason=None)
    rows["subscriptions"][2]["paused_reason"] = "missing_permissions"
    return rows


def _fill_0014(rows: Rows) -> Rows:
    rows = _with(rows, "servers", colors=None)
    rows["servers"][0]["colors"] = "red-up"
    rows["servers"][1]["language"] = "zh-hant"
    rows["subscriptions"][2]["language"] = "both-hant"
    return rows


def _fill_0015(rows: Rows) -> Rows:
    rows = _add(
        rows,
        "alerts",
        {"id": 1, "platform": "discord", "server_id": "g1", "channel_id": "c1",
         "ticker": "SPY", "user_id": "u1", "created_at": T0},
        {"id": 2, "platform": "slack", "server_id": "T1", "channel_id": "dm:U123",
         "ticker": "TLT", "user_id": None, "created_at": T1},
    )  # fmt: skip
    return _add(
        rows,
        "alert_deliveries",
        {"alert_id": 1, "session": D0, "state": "sent", "attempts": 1, "message_ids": '["a1"]',
         "claimed_by": "i-1", "claimed_at": T0, "sent_at": T1, "error": None},
        {"alert_id": 2, "session": D1, "state": "claimed", "attempts": 2, "message_ids": None,
         "claimed_by": "i-2", "claimed_at": T1, "sent_at": None, "error": "timeout"},
    )  # fmt: skip


def _fill_0016(rows: Rows) -> Rows:
    rows = _with(rows, "alert_deliveries", claimed_until=None)
    rows["alert_deliveries"][1]["claimed_until"] = T1
    return rows


def _fill_0017(rows: Rows) -> Rows:
    rows = _with(rows, "subscriptions", market="XNYS", market_auto=False)
    rows["subscriptions"][1]["market"] = "XHKG"
    rows["subscriptions"][1]["market_auto"] = True
    return rows


def _fill_0018(rows: Rows) -> Rows:
    """A webhook target: its row, its server, subscription, delivery and alert (``webhook``)."""
    rows = _add(
        rows,
        "webhook_targets",
        {"id": 1, "kind": "json", "url": "https://hooks.example.com/x", "secret": "s3cret",
         "language": "auto", "market": "hk", "paused_reason": "refused", "created_at": T0,
         "updated_at": T1},
    )  # fmt: skip
    rows = _add(
        rows,
        "servers",
        {"id": 4, "platform": "webhook", "server_id": "json-1", "language": "both",
         "watchlist": '["SPY"]', "colors": "red-up", "created_at": T0, "updated_at": T1},
    )  # fmt: skip
    rows = _add(
        rows,
        "subscriptions",
        {**copy.deepcopy(rows["subscriptions"][0]), "id": 9, "platform": "webhook",
         "server_id": "json-1", "channel_id": "1", "language": "both"},
    )  # fmt: skip
    return _add(
        rows,
        "alerts",
        {"id": 9, "platform": "webhook", "server_id": "json-1", "channel_id": "1",
         "ticker": "SPY", "user_id": None, "created_at": T1},
    )  # fmt: skip


def _fill_0019(rows: Rows) -> Rows:
    rows = _with(rows, "alerts", paused_reason=None)
    rows["alerts"][0]["paused_reason"] = "bot was kicked"
    stamps = {"created_at": T0, "updated_at": T1}
    rows = _add(
        rows,
        "servers",
        {"id": 5, "platform": "telegram", "server_id": "-1001", "language": "zh-hant",
         "watchlist": None, "colors": "red-up", **stamps},
    )  # fmt: skip
    return _add(
        rows,
        "alerts",
        {"id": 3, "platform": "telegram", "server_id": "-1001", "channel_id": "-1001",
         "ticker": "0050.TW", "user_id": "42", "created_at": T1, "paused_reason": None},
    )  # fmt: skip


def _fill_0020(rows: Rows) -> Rows:
    rows = copy.deepcopy(rows)
    rows["servers"][2]["language"] = "zh-hk"
    rows["subscriptions"][0]["language"] = "both-hk"
    return rows


def _fill_0021(rows: Rows) -> Rows:
    rows = _with(rows, "webhook_targets", app_id=None, app_secret=None)
    rows["webhook_targets"][0].update(app_id="cli_a1", app_secret="app-s3cret")
    return rows


def _unchanged(rows: Rows) -> Rows:
    return rows


#: Every revision of the chain, oldest first. A new migration adds its entry here.
REVISIONS: dict[str, Revision] = {
    "0001": Revision(fill=_fill_0001, migrate=_unchanged),
    # the bars cache is dropped on purpose (0009's docstring): old rows have no source
    "0009": Revision(fill=_fill_0009, migrate=lambda rows: {**rows, "price_bars": []}),
    "0010": Revision(
        fill=_fill_0010,
        migrate=lambda rows: _with(rows, "deliveries", part=1, parts=1, claimed_until=None),
    ),
    "0011": Revision(
        fill=_fill_0011,
        migrate=lambda rows: {**_with(rows, "subscriptions", created_by=None), "slack_teams": []},
    ),
    "0012": Revision(
        fill=_fill_0012, migrate=lambda rows: _with(rows, "subscriptions", paused_reason=None)
    ),
    "0014": Revision(fill=_fill_0014, migrate=lambda rows: _with(rows, "servers", colors=None)),
    "0015": Revision(
        fill=_fill_0015, migrate=lambda rows: {**rows, "alerts": [], "alert_deliveries": []}
    ),
    "0016": Revision(
        fill=_fill_0016, migrate=lambda rows: _with(rows, "alert_deliveries", claimed_until=None)
    ),
    # existing subscriptions stay on New York, not following their watchlist (issue 21)
    "0017": Revision(
        fill=_fill_0017,
        migrate=lambda rows: _with(rows, "subscriptions", market="XNYS", market_auto=False),
    ),
    "0018": Revision(fill=_fill_0018, migrate=lambda rows: {**rows, "webhook_targets": []}),
    "0019": Revision(
        fill=_fill_0019, migrate=lambda rows: _with(rows, "alerts", paused_reason=None)
    ),
    "0020": Revision(fill=_fill_0020, migrate=_unchanged),
    "0021": Revision(
        fill=_fill_0021,
        migrate=lambda rows: _with(rows, "webhook_targets", app_id=None, app_secret=None),
    ),
}


def rows_at(chain: list[str], revision: str) -> Rows:
    """The rows a database at ``revision`` holds (each fill applied in chain order)."""
    rows: Rows = {}
    for each in chain[: chain.index(revision) + 1]:
        rows = REVISIONS[each].fill(rows)
    return rows


def expected_at_head(chain: list[str], revision: str) -> Rows:
    """What :func:`rows_at` ``revision`` must become once upgraded to the head of ``chain``."""
    rows = rows_at(chain, revision)
    for each in chain[chain.index(revision) + 1 :]:
        rows = REVISIONS[each].migrate(rows)
    return rows
