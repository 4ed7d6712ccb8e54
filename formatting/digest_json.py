"""The digest as JSON (``signalbot digest preview --json``): numbers unrounded, with provenance.

Every row names the source its closes came from and the currency of its close, so a digest
made from demo prices or a CSV folder never reads as market data.
"""

from __future__ import annotations

from typing import Any

from formatting.digest import Digest
from formatting.i18n import LANGS
from formatting.messages import message_text


def digest_json(digest: Digest) -> dict[str, Any]:
    """The digest's session, source, rows (table order) and issues, machine-readable."""
    return {
        "session": digest.session.isoformat(),
        "source": digest.source,
        "rows": [
            {
                "ticker": row.ticker,
                "as_of": row.signal.as_of.isoformat(),
                "close": row.signal.close,
                "currency": row.signal.currency,
                "source": row.signal.source or digest.source,
                "r_1d": row.signal.r_1d,
                "r_5d": row.signal.r_5d,
                "r_1m": row.signal.r_1m,
                "fast": row.signal.fast,
                "slow": row.signal.slow,
                "regime": row.signal.regime.value,
                "previous": row.previous.value if row.previous is not None else None,
                "changed": row.changed,
            }
            for row in digest.rows
        ],
        "issues": [
            {
                "ticker": issue.ticker,
                "code": issue.key,
                "message": {lang: message_text(issue.key, issue.params, lang) for lang in LANGS},
            }
            for issue in digest.issues
        ],
    }
