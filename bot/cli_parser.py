"""The ``signalbot`` argument parser: every command and option the CLI takes (also the source of
the README's command-line table, :mod:`bot.cli_doc`)."""

from __future__ import annotations

import argparse

from formatting.card import LANGUAGES
from formatting.colours import COLOUR_SCHEMES


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also the source of the README's command-line table, ``bot.cli_doc``)."""
    parser = argparse.ArgumentParser(
        prog="signalbot",
        description="Bilingual ETF momentum signals for Discord, Slack and the terminal.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser(
        "run",
        help="run the bot (terminal mode when no chat tokens are set)",
        description="the long-running bot: Discord, Slack when configured, else the terminal",
    )

    signal = sub.add_parser(
        "signal",
        help="print momentum cards for one or more tickers",
        description="momentum cards, or JSON with unrounded numbers, its source, currency and "
        "exchange; exit 2 when a ticker fails",
    )
    signal.add_argument("tickers", nargs="+", metavar="TICKER")
    signal.add_argument(
        "--lang", choices=LANGUAGES, help=f"{', '.join(LANGUAGES)} (default: setting)"
    )
    signal.add_argument(
        "--colors", choices=COLOUR_SCHEMES, help="rise/fall colours (default: by language)"
    )
    signal.add_argument("--as-of", metavar="YYYY-MM-DD", help="a past session instead of the last")
    signal.add_argument("--json", action="store_true", help="machine-readable output")

    preview = sub.add_parser("preview", help="print exactly the payload a platform would get")
    preview.add_argument("ticker", metavar="TICKER")
    preview.add_argument("--platform", choices=("discord", "slack", "text"), default="text")
    preview.add_argument("--lang", choices=LANGUAGES)
    preview.add_argument("--colors", choices=COLOUR_SCHEMES)
    preview.add_argument("--as-of", metavar="YYYY-MM-DD")

    history = sub.add_parser(
        "history",
        help="print the track record of one ticker",
        description="the track record: what happened after each regime (JSON: per regime n, "
        "up5, med5, n21, up21, med21, plus baseline, since, as_of; unrounded fractions)",
    )
    history.add_argument("ticker", metavar="TICKER")
    history.add_argument(
        "--lang", choices=LANGUAGES, help=f"{', '.join(LANGUAGES)} (default: setting)"
    )
    history.add_argument("--as-of", metavar="YYYY-MM-DD", help="a past session instead of the last")
    history.add_argument("--json", action="store_true", help="machine-readable output")

    config = sub.add_parser(
        "config", help="print the settings in effect (secrets only as set / not set)"
    )
    config.add_argument(
        "--markdown", action="store_true", help="the README's table of variables and defaults"
    )

    doctor = sub.add_parser(
        "doctor", help="check the configuration against the real services; exit 1 on a problem"
    )
    doctor.add_argument(
        "--timeout", type=float, default=10.0, metavar="SECONDS", help="seconds per check"
    )

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser(
        "upgrade",
        help="apply migrations up to the latest",
        description="apply migrations up to the latest (also done at start-up); a SQLite file "
        "is backed up beside itself first",
    )

    from bot.digest.cli_args import add_digest_parser

    add_digest_parser(sub)
    from bot.site.cli import add_site_parser

    add_site_parser(sub)
    from bot.webhooks.cli_args import add_webhook_parser

    add_webhook_parser(sub)
    return parser
