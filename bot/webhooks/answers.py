"""Reading a platform's answer: its JSON (capped, never raising) and its wait hints."""

from __future__ import annotations

import json
from typing import Any

from bot.webhooks.kind import Response

#: Bytes of an answer the poster keeps (platforms answer in a few hundred bytes).
MAX_ANSWER = 64 * 1024
#: Seconds waited after a rate-limit answer that names no wait.
DEFAULT_WAIT = 60.0


def answer_json(response: Response) -> dict[str, Any]:
    """The answer's JSON object, or {} when it is not one."""
    try:
        value = json.loads(response.body[:MAX_ANSWER].decode("utf-8", "replace"))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def answer_text(response: Response, limit: int = 200) -> str:
    """The start of the answer's text on one line (for a log or an error)."""
    text = response.body[:limit].decode("utf-8", "replace")
    return " ".join(text.split())


def retry_after(response: Response, default: float = DEFAULT_WAIT) -> float:
    """Seconds from ``Retry-After`` (or Discord's JSON ``retry_after``), else ``default``."""
    for value in (response.headers.get("retry-after"), answer_json(response).get("retry_after")):
        try:
            seconds = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        if seconds >= 0:
            return min(seconds, 3600.0)
    return default
