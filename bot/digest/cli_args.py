"""The ``signalbot digest`` arguments (kept apart so building the parser stays cheap)."""

from __future__ import annotations

from typing import Any

from formatting.card import LANGUAGES
from formatting.colours import COLOUR_SCHEMES


def add_digest_parser(sub: Any) -> None:
    """Add ``digest run`` and ``digest preview`` to the top-level subparsers ``sub``."""
    digest = sub.add_parser("digest", help="daily digests: run them now, or preview one")
    actions = digest.add_subparsers(dest="digest_command", metavar="ACTION", required=True)
    run = actions.add_parser(
        "run", help="post every subscription's digest of a session now (idempotent)"
    )
    run.add_argument("--session", metavar="YYYY-MM-DD", help="default: the last closed session")
    run.add_argument(
        "--max-wait",
        type=float,
        default=0.0,
        metavar="MINUTES",
        help="wait up to this long for the session's bars before posting older data (default 0)",
    )
    preview = actions.add_parser("preview", help="print a digest as a platform would get it")
    preview.add_argument("--tickers", nargs="+", required=True, metavar="TICKER")
    preview.add_argument("--lang", choices=LANGUAGES)
    preview.add_argument(
        "--colors", choices=COLOUR_SCHEMES, help="rise/fall colours (default: by language)"
    )
    preview.add_argument(
        "--heatmap", metavar="PATH", help="also write the first heatmap PNG to PATH"
    )
    preview.add_argument("--platform", choices=("discord", "slack", "text"), default="text")
    preview.add_argument("--session", metavar="YYYY-MM-DD")
    preview.add_argument(
        "--json", action="store_true", help="the digest's numbers, source and currencies as JSON"
    )
