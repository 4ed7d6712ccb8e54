"""``signalbot site build OUT``: the argument parser and the command."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from commands.reply import UserError
from commands.validation import parse_date, parse_symbol
from formatting.languages import LANGS, Lang

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.site.pages import SignalJson


def add_site_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``site build OUT [--tickers …] [--since DATE] [--lang …]``."""
    site = sub.add_parser("site", help="the research site: static pages per fund and session")
    site_sub = site.add_subparsers(dest="site_command", metavar="ACTION", required=True)
    build = site_sub.add_parser(
        "build",
        help="write the pages into a folder",
        description="the research pages as a static site, one page per fund, session and "
        "language (see the README's Research pages); exit 2 when a fund fails",
    )
    build.add_argument("out", metavar="OUT", type=Path, help="the folder to write")
    build.add_argument(
        "--tickers",
        nargs="+",
        metavar="TICKER",
        help="these funds (default: every watchlist's and alert's)",
    )
    build.add_argument(
        "--since", metavar="YYYY-MM-DD", help="also every session since (about 3 months back)"
    )
    build.add_argument(
        "--lang",
        nargs="+",
        dest="site_langs",  # not "lang": the CLI reads args.lang as one language setting
        choices=LANGS,
        default=list(LANGS),
        help=f"languages to write ({', '.join(LANGS)}; default: all)",
    )


async def cmd_site(args: argparse.Namespace, settings: Settings, signal_json: SignalJson) -> int:
    """Build the site; each fund that failed is named on stderr (exit 2 if any failed)."""
    from bot.services import oneoff_database, price_service
    from bot.site.build import build_site, known_tickers
    from bot.storage import open_storage
    from formatting.messages import message_text

    since = parse_date(args.since) if args.since else None
    base = settings.site.public_url
    if base is not None:
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UserError("site.bad_public_url", url=base)
    langs: list[Lang] = list(dict.fromkeys(args.site_langs))
    if "en" in langs:  # English first: x-default points at it
        langs.remove("en")
        langs.insert(0, "en")
    async with oneoff_database(settings) as url, open_storage(url) as storage:
        tickers = (
            [parse_symbol(word) for word in args.tickers]
            if args.tickers
            else await known_tickers(storage)
        )
        prices = price_service(settings, storage)
        try:
            report = await build_site(
                prices,
                list(dict.fromkeys(tickers)),
                args.out,
                now=datetime.now(UTC),
                since=since,
                langs=langs,
                base=base or args.out.resolve().as_uri(),
                signal_json=signal_json,
            )
        finally:
            await prices.aclose()
    for message in report.errors:
        line = " / ".join(message_text(message.key, message.params, lang) for lang in langs)
        print(line, file=sys.stderr)
    if not report.cards:
        raise UserError("site.nothing_built")
    print(f"{report.pages} pages for {report.cards} cards written to {args.out}")
    return 2 if report.errors else 0
