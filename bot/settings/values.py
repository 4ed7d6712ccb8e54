"""How the settings read one value: URLs, id lists, tickers, whole numbers, price source chains."""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr

#: A ticker as the demo source accepts it (the shape /signal accepts, see commands/validation.py).
_TICKER = re.compile(r"[A-Z0-9.\-^=]{1,15}")


def has(secret: SecretStr | None) -> bool:
    """The secret is set to something other than blanks."""
    return secret is not None and bool(secret.get_secret_value().strip())


def http_url(value: Any) -> Any:
    """An http(s) base URL without its trailing slash (None stays None)."""
    if value is None:
        return None
    text = str(value).strip()
    try:
        parts = urlsplit(text)
        _ = parts.port  # raises on a malformed port
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"must be an http(s) URL like https://host/api (got {_redact(text)!r})")
    return text.rstrip("/")


def _items(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def numeric_ids(value: Any) -> Any:
    """``"1, 22"`` as ``(1, 22)``."""
    if isinstance(value, str):
        items = _items(value)
        if not all(v.isdigit() for v in items):
            raise ValueError(f"must be comma-separated numeric ids (got {value!r})")
        return tuple(int(v) for v in items)
    return value


def slack_user_ids(value: Any) -> Any:
    """``"U1,U2"`` as ``("U1", "U2")``."""
    if isinstance(value, str):
        items = _items(value)
        if any(not v.isalnum() for v in items):
            raise ValueError(
                f"must be comma-separated Slack user ids like U012AB3CD (got {value!r})"
            )
        return tuple(items)
    return value


def tickers(value: Any) -> Any:
    """``" arkk, SOXX ,"`` as ``("ARKK", "SOXX")``."""
    if isinstance(value, str):
        items = [v.upper() for v in _items(value)]
        bad = [v for v in items if not _TICKER.fullmatch(v)]
        if bad:
            raise ValueError(f"must be comma-separated tickers like IWM,SPY (got {bad[0]!r})")
        return tuple(items)
    return value


def whole(value: Any, *, low: int, high: int | None) -> int:
    """A whole number between ``low`` and ``high`` (no upper bound when None)."""
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
        number = int(str(value).strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        raise ValueError(f"must be a whole number (got {value!r})") from None
    if number < low or (high is not None and number > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValueError(f"must be {bounds} (got {value})")
    return number


def non_negative(value: Any) -> float:
    """A finite number >= 0."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"must be a number (got {value!r})") from None
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"must be a number >= 0 (got {value!r})")
    return number


def one_of(value: Any, choices: tuple[str, ...], *, upper: bool = False) -> str:
    """``value`` stripped and case-folded, if it is one of ``choices``."""
    text = str(value).strip()
    text = text.upper() if upper else text.lower()
    if text not in choices:
        raise ValueError(f"must be one of {', '.join(choices)} (got {value!r})")
    return text


def price_chain(value: Any) -> str:
    """``SIGNALBOT_PRICE_SOURCE`` normalised: links separated by commas, none twice."""
    parts = [_one_source(part) for part in str(value).split(",")]
    if len(set(parts)) != len(parts):
        raise ValueError(f"names a source twice (got {value!r})")
    return ",".join(parts)


def _one_source(text: str) -> str:
    """One link of ``SIGNALBOT_PRICE_SOURCE``, normalised; ValueError if it is none."""
    text = text.strip()
    kind, sep, path = text.partition(":")
    if text.lower() in ("yfinance", "tiingo", "demo"):
        return text.lower()
    if sep and kind.lower() == "csv" and path.strip():
        return f"csv:{path.strip()}"
    raise ValueError(
        f"must be 'yfinance', 'tiingo', 'csv:/path/to/dir' or 'demo', or a comma-separated chain "
        f"of them (got {text!r})"
    )


def _redact(url: str) -> str:
    head, at, tail = url.rpartition("@")
    return f"{head.split('//')[0]}//***@{tail}" if at and "//" in head else url
