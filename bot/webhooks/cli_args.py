"""The ``signalbot webhook`` arguments (kept apart so building the parser stays cheap)."""

from __future__ import annotations

from typing import Any

from formatting.colours import COLOUR_SCHEMES
from formatting.languages import LANGUAGES

#: Every kind ``--kind`` takes, for the help text (checked against the registry when used).
KINDS_HELP = "feishu, lark, wecom, dingtalk, discord, slack or json"


def add_webhook_parser(sub: Any) -> None:
    """Add ``webhook add|list|test|remove`` to the top-level subparsers ``sub``."""
    webhook = sub.add_parser(
        "webhook", help="digests and alerts to Feishu/Lark, WeCom, DingTalk, Discord, Slack, JSON"
    )
    actions = webhook.add_subparsers(dest="webhook_command", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add",
        help="add a webhook target (URL and secret are stored as credentials)",
        description="add a webhook target: its digest at its time on its market's sessions, "
        "its alerts after the close (URL and secret are stored as credentials, never shown)",
    )
    add.add_argument("--kind", required=True, metavar="KIND", help=KINDS_HELP)
    add.add_argument("--url", required=True, metavar="URL", help="the webhook URL (HTTPS)")
    add.add_argument("--secret", metavar="SECRET", help="the signing secret, if the robot has one")
    add.add_argument(
        "--app-id", metavar="ID", help="Feishu/Lark: the app whose credentials upload the chart"
    )
    add.add_argument(
        "--app-secret", metavar="SECRET", help="Feishu/Lark: that app's secret (a credential)"
    )
    add.add_argument(
        "--lang",
        dest="target_lang",  # the target's language, not this command's (``--lang`` elsewhere)
        choices=(*LANGUAGES, "auto"),
        default=None,
        help="language (auto: Feishu/Lark show each reader their own); default: the bot's",
    )
    add.add_argument("--colors", choices=COLOUR_SCHEMES, help="rise/fall colours")
    add.add_argument(
        "--watchlist", required=True, metavar="TICKERS", help="comma-separated: SPY,QQQ"
    )
    add.add_argument("--market", metavar="MARKET", help="whose sessions (us, hk, cn ...)")
    add.add_argument("--time", metavar="HH:MM", help="digest time (default: after the close)")
    add.add_argument("--tz", metavar="ZONE", help="time zone of --time (default: the market's)")
    add.add_argument("--alerts", metavar="TICKERS", help="regime-change alerts: SPY,QQQ")
    add.add_argument(
        "--allow-any-host",
        action="store_true",
        help="allow plain http and hosts the kind does not document (JSON webhooks, tests)",
    )
    actions.add_parser("list", help="list webhook targets (URLs and secrets masked)")
    test = actions.add_parser(
        "test", help="post a sample card to a target and say what the platform answered"
    )
    test.add_argument("id", type=int, metavar="ID")
    remove = actions.add_parser("remove", help="remove a webhook target and its alerts")
    remove.add_argument("id", type=int, metavar="ID")
