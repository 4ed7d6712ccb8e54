"""What the Feishu/Lark, WeCom and DingTalk robots answer, read the same way for all three.

Each answers HTTP 200 with a JSON body carrying a numeric code (Feishu ``code``, older Feishu
``StatusCode``, WeCom and DingTalk ``errcode``; 0 is success) and a message. The kind's table maps
a code to what to do; this module reads the body and the HTTP statuses that mean the same thing
on every platform (429 wait, 413 too large, 404/410 gone, 5xx try again later).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from bot.webhooks.kind import Answer, Failed, Pause, Posted, Response, TooLarge, Wait

#: Seconds to wait after a rate-limit answer that says no time (the platforms count per minute).
MINUTE = 60.0


@dataclass(frozen=True)
class Code:
    """The platform's code and message in an answer (code None: no JSON code in the body)."""

    code: int | None
    message: str


def encode_json(body: Mapping[str, object]) -> bytes:
    """A request body: compact JSON in UTF-8 (Chinese as 3 bytes, not a 6-byte ``\\u`` escape)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def read_code(response: Response, *fields: str) -> Code:
    """The first of ``fields`` holding an integer in the JSON body, and its ``msg``/``errmsg``."""
    try:
        data = json.loads(response.body.decode("utf-8", "replace"))
    except ValueError:
        return Code(None, "")
    if not isinstance(data, dict):
        return Code(None, "")
    message = next(
        (str(data[k]) for k in ("msg", "errmsg", "StatusMessage") if isinstance(data.get(k), str)),
        "",
    )
    for name in fields:
        value = data.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return Code(value, message[:200])
    return Code(None, message[:200])


def retry_after(headers: Mapping[str, str], *names: str, default: float = MINUTE) -> float:
    """Seconds named by the first header of ``names`` that holds a number, else ``default``."""
    for name in names:
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value)
        except ValueError:
            continue
        if seconds >= 0:
            return max(seconds, 1.0)
    return default


def by_status(response: Response, platform: str) -> Answer | None:
    """The answer an HTTP status alone gives (None: read the body's code)."""
    status = response.status
    if status == 429:
        return Wait(retry_after(response.headers, "retry-after", "x-ogw-ratelimit-reset"), "429")
    if status == 413:
        return TooLarge(f"{platform}: HTTP 413, body too large")
    if status in (404, 410):
        return Pause(f"{platform} says the webhook address does not exist (HTTP {status})")
    if status in (401, 403):
        return Pause(f"{platform} refused the webhook address (HTTP {status})")
    if status >= 500:
        return Failed(f"{platform}: HTTP {status}")
    return None


def classify(
    response: Response,
    platform: str,
    fields: tuple[str, ...],
    table: Mapping[int, Answer],
    *,
    too_large_words: tuple[str, ...] = ("too large", "too long", "exceed"),
) -> Answer:
    """``response`` by its HTTP status, then by its code in ``table``; never raises."""
    try:
        by_http = by_status(response, platform)
        code = read_code(response, *fields)
        if by_http is not None and code.code in (None, 0):
            return by_http
        if code.code == 0 and 200 <= response.status < 300:
            return Posted()
        if code.code is None:
            if 200 <= response.status < 300:
                return Failed(f"{platform}: an answer without a code (HTTP {response.status})")
            return by_http or Failed(f"{platform}: HTTP {response.status}")
        known = table.get(code.code)
        if known is not None:
            return known
        if by_http is not None:
            return by_http
        if any(word in code.message.lower() for word in too_large_words):
            return TooLarge(f"{platform} {code.code}: {code.message}")
        return Failed(f"{platform} {code.code}: {code.message}")
    except Exception as exc:  # classify never raises (see WebhookKind)
        return Failed(f"{platform}: unreadable answer ({type(exc).__name__})")
