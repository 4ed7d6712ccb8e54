"""Parsing and validation of user input; every failure is a UserError with a message key."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, time
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from commands.reply import UserError
from formatting.colours import COLOUR_SCHEMES, ColourScheme
from formatting.languages import LANGUAGES, Language
from signals.exchanges import market_mic
from signals.symbols import SymbolProblem, fold, normalize_symbol

_C = TypeVar("_C", bound=str)  # a choice: Language, ColourScheme

TICKER_RE = re.compile(r"[A-Z0-9.\-^=]{1,15}")
_SPLIT_RE = re.compile(r"[\s,;]+")
_DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}")  # 2026-06-05 is a date, not a ticker
MAX_TICKERS = 20
#: The market names an "unknown market" message offers (MICs are accepted as well).
MARKET_NAMES = "us, hk, cn, sh, sz, tw, jp, kr, uk, eu, ca, au, sg, in"
_SHOW_MAX = 24


def visible(ch: str) -> str:
    """``ch`` itself when printable, else its escape as Python writes it (``\\u200d``)."""
    if ch.isprintable():
        return ch
    code = ord(ch)
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )


def shown(raw: str) -> str:
    """User input made safe to quote back, shortened: runs of whitespace become one space, and
    every other invisible character (zero-width, bidi override, control) is shown escaped, so
    ``I\\u200dWM`` is quoted as ``I\\u200dWM``, never as a misleading ``IWM``."""
    pieces = [visible(ch) for ch in " ".join(raw.split())]
    if sum(map(len, pieces)) <= _SHOW_MAX:
        return "".join(pieces)
    out, size = [], 0
    for piece in pieces:  # an escape is never cut in half
        if size + len(piece) > _SHOW_MAX - 1:
            break
        out.append(piece)
        size += len(piece)
    return "".join(out) + "…"


def parse_ticker(raw: str) -> str:
    """Upper-case ticker of 1-15 letters, digits, ``.``, ``-``, ``^`` or ``=``; ``$IWM`` is ok."""
    text = raw.strip()
    if text.startswith("$"):
        text = text[1:]
    ticker = text.upper()
    # ASCII first: "ß".upper() is "SS" and "ﬁ".upper() is "FI", which would pass the pattern
    if not text.isascii() or not TICKER_RE.fullmatch(ticker) or _DATE_LIKE.fullmatch(ticker):
        raise UserError("error.invalid_ticker", ticker=shown(raw))
    return ticker


def parse_symbol(raw: str) -> str:
    """A ticker as people type it (``ＩＷＭ``, ``510300``, ``2800.HK``) as the sources know it;
    see :mod:`signals.symbols` (full-width folded, mainland codes placed, bare numbers asked)."""
    try:
        return normalize_symbol(parse_ticker(fold(raw)))
    except SymbolProblem as exc:
        raise UserError(exc.key, **exc.params) from None


def parse_tickers(raw: str | Iterable[str], *, max_count: int = MAX_TICKERS) -> list[str]:
    """Tickers separated by spaces or commas, validated, de-duplicated, order kept."""
    if isinstance(raw, str):
        raw = fold(raw)  # full-width spaces and commas separate too
    parts = (
        _SPLIT_RE.split(raw)
        if isinstance(raw, str)
        else [p for r in raw for p in _SPLIT_RE.split(fold(r))]
    )
    words = [p for p in parts if p]
    if not words:
        raise UserError("error.no_ticker")
    tickers = list(dict.fromkeys(parse_symbol(w) for w in words))
    if len(tickers) > max_count:
        raise UserError("error.too_many_tickers", max=max_count)
    return tickers


#: Other spellings of the language settings (every setting also matches itself).
_LANGUAGE_ALIASES: dict[str, Language] = {
    "en": "en",
    "english": "en",
    "英文": "en",
    "英语": "en",
    "英語": "en",
    "zh": "zh",
    "cn": "zh",
    "zh-cn": "zh",
    "zh_cn": "zh",
    "zh-hans": "zh",
    "chinese": "zh",
    "中文": "zh",
    "简体中文": "zh",
    "簡體中文": "zh",
    "简体": "zh",
    "簡體": "zh",
    "zh-tw": "zh-hant",
    "zh_tw": "zh-hant",
    "zh_hant": "zh-hant",
    "tw": "zh-hant",
    "traditional": "zh-hant",
    "繁体中文": "zh-hant",
    "繁體中文": "zh-hant",
    "繁體": "zh-hant",
    "繁体": "zh-hant",
    "繁體中文（台灣）": "zh-hant",
    "繁體中文（臺灣）": "zh-hant",
    "臺灣": "zh-hant",
    "繁体中文（台湾）": "zh-hant",
    "台灣": "zh-hant",
    "台湾": "zh-hant",
    "zh_hk": "zh-hk",
    "hk": "zh-hk",
    "hong kong": "zh-hk",
    "香港": "zh-hk",
    "港繁": "zh-hk",
    "香港繁體": "zh-hk",
    "香港繁体": "zh-hk",
    "繁體中文（香港）": "zh-hk",
    "繁体中文（香港）": "zh-hk",
    "bilingual": "both",
    "双语": "both",
    "中英": "both",
    "中英双语": "both",
    "中英双语（简体）": "both",
    "中英雙語（簡體）": "both",
    "both_hant": "both-hant",
    "中英雙語": "both-hant",
    "中英雙語（台灣繁體）": "both-hant",
    "中英雙語（臺灣繁體）": "both-hant",
    "中英双语（台湾繁体）": "both-hant",
    "both_hk": "both-hk",
    "中英雙語（香港繁體）": "both-hk",
    "中英双语（香港繁体）": "both-hk",
}
_COLOUR_ALIASES: dict[str, ColourScheme] = {
    "green": "green-up",
    "greenup": "green-up",
    "绿涨红跌": "green-up",
    "綠漲紅跌": "green-up",
    "red": "red-up",
    "redup": "red-up",
    "红涨绿跌": "red-up",
    "紅漲綠跌": "red-up",
}


def parse_language(raw: str) -> Language:
    """A language setting (:data:`formatting.languages.LANGUAGES`: ``en``, ``zh``, ``zh-hant``,
    ``zh-hk``, ``both``, ``both-hant``, ``both-hk``), also common spellings such as ``中文``,
    ``cn``, ``繁體中文``, ``繁体`` or ``繁體中文（香港）``."""
    return _choice(raw, LANGUAGES, _LANGUAGE_ALIASES, "error.bad_language")


def parse_colors(raw: str) -> ColourScheme:
    """``green-up`` or ``red-up`` (also ``green``, ``red``, ``红涨绿跌`` ...)."""
    return _choice(raw, COLOUR_SCHEMES, _COLOUR_ALIASES, "error.bad_colors")


def _choice(raw: str, values: Sequence[_C], aliases: Mapping[str, _C], error: str) -> _C:
    """One of ``values`` (case-insensitive) or of ``aliases`` (full-width brackets and letters
    read as their half-width forms); else UserError ``error``."""
    key = fold(raw).strip().lower()
    for value in values:
        if key == value:
            return value
    found = aliases.get(key)
    if found is None:
        found = next((v for k, v in aliases.items() if fold(k) == key), None)
    if found is None:
        raise UserError(error, value=shown(raw))
    return found


def parse_date(raw: str) -> date:
    """A calendar date written ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise UserError("error.bad_date", value=shown(raw)) from None


def parse_time(raw: str) -> time:
    """A wall-clock time ``HH:MM`` (24-hour)."""
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", raw.strip())
    if not match:
        raise UserError("error.bad_time", value=shown(raw))
    return time(int(match.group(1)), int(match.group(2)))


def parse_timezone(raw: str) -> str:
    """An IANA timezone name such as ``America/New_York`` or ``Asia/Shanghai``."""
    name = raw.strip()
    if name not in available_timezones():
        raise UserError("error.bad_timezone", value=shown(raw))
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError("error.bad_timezone", value=shown(raw)) from None
    return name


def parse_market(raw: str) -> str:
    """The MIC of a market as people name it (``hk``, ``cn``, ``jp``, ``XHKG``), for a digest
    to follow; ``market:hk`` and ``market=hk`` as typed in words are accepted too."""
    name = raw.strip()
    for prefix in ("market:", "market=", "market "):
        if name.lower().startswith(prefix):
            name = name[len(prefix) :].strip()
    mic = market_mic(fold(name)) if name else None
    if mic is None:
        raise UserError("error.unknown_market", value=shown(raw), names=MARKET_NAMES)
    return mic
