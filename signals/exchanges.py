"""Which exchange a ticker trades on (an ISO 10383 MIC) and whose calendar gives its sessions.

A ticker's exchange comes from its source when the source says (a CSV file's ``Exchange`` column,
Yahoo's chart metadata, Tiingo's meta ``exchangeCode``), else from the symbol's suffix (Yahoo's
convention: ``2800.HK``, ``510300.SS``, ``7203.T``), else New York for a symbol without one. An
unknown suffix is the user's to fix (:class:`UnknownExchange`), never a New York guess.

A few exchanges keep another exchange's sessions and have no calendar of their own in
exchange_calendars: Shenzhen (XSHE) trades Shanghai's (XSHG) sessions, the Taipei Exchange (ROCO,
``.TWO``) the Taiwan Stock Exchange's (XTAI), KOSDAQ (XKOS, ``.KQ``) the Korea Exchange's.
Pure data and lookups: nothing here builds a calendar (see :func:`signals.calendar.calendar_for`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: The exchange of a symbol without a suffix (``IWM``, ``SPY``).
DEFAULT_MIC = "XNYS"


class UnknownExchange(ValueError):
    """A symbol's suffix (or a named exchange) is not one this bot knows."""

    key = "error.unknown_exchange"

    def __init__(self, ticker: str, suffix: str) -> None:
        super().__init__(f"{ticker}: unknown exchange suffix {suffix!r}")
        self.ticker = ticker
        self.suffix = suffix


@dataclass(frozen=True)
class Exchange:
    """One exchange: its MIC, the exchange_calendars calendar of its sessions, its market."""

    mic: str
    calendar: str  # exchange_calendars name whose sessions it keeps
    market: str  # the market name people use (``hk``, ``us``): see MARKETS
    currency: str  # ISO 4217 of its usual quote (the CSV source's default stays USD)


_E = Exchange

#: Every exchange the bot knows, by MIC. Calendars checked against exchange_calendars 4.13
#: (``get_calendar_names``); each of these builds and covers the whole of 2026 (tests/signals
#: check ``last_session`` reaches 2026-12-31). Athens (ASEX) and Tel Aviv (XTAE) are left out:
#: their calendars fail to build with the pandas in use (an OrthodoxEaster offset; Sunday
#: sessions), so ``.AT`` and ``.TA`` symbols are an unknown suffix, not a wrong calendar.
EXCHANGES: dict[str, Exchange] = {
    e.mic: e
    for e in (
        # United States: suffix-less symbols; NYSE's calendar for every US venue
        _E("XNYS", "XNYS", "us", "USD"),
        _E("XNAS", "XNYS", "us", "USD"),
        _E("ARCX", "XNYS", "us", "USD"),
        _E("BATS", "XNYS", "us", "USD"),
        _E("XASE", "XNYS", "us", "USD"),
        # Greater China
        _E("XHKG", "XHKG", "hk", "HKD"),
        _E("XSHG", "XSHG", "cn", "CNY"),
        _E("XSHE", "XSHG", "sz", "CNY"),  # Shenzhen keeps Shanghai's sessions
        _E("XTAI", "XTAI", "tw", "TWD"),
        _E("ROCO", "XTAI", "tw", "TWD"),  # Taipei Exchange (TPEx), Taiwan's sessions
        # Asia-Pacific
        _E("XTKS", "XTKS", "jp", "JPY"),
        _E("XKRX", "XKRX", "kr", "KRW"),
        _E("XKOS", "XKRX", "kr", "KRW"),  # KOSDAQ, the Korea Exchange's sessions
        _E("XSES", "XSES", "sg", "SGD"),
        _E("XBOM", "XBOM", "in", "INR"),
        _E("XNSE", "XBOM", "in", "INR"),  # NSE keeps the same sessions as BSE
        _E("XASX", "XASX", "au", "AUD"),
        _E("XNZE", "XNZE", "nz", "NZD"),
        _E("XKLS", "XKLS", "my", "MYR"),
        _E("XBKK", "XBKK", "th", "THB"),
        _E("XIDX", "XIDX", "id", "IDR"),
        _E("XPHS", "XPHS", "ph", "PHP"),
        # Europe
        _E("XLON", "XLON", "uk", "GBP"),
        _E("XETR", "XETR", "de", "EUR"),
        _E("XFRA", "XFRA", "de", "EUR"),
        _E("XPAR", "XPAR", "fr", "EUR"),
        _E("XAMS", "XAMS", "nl", "EUR"),
        _E("XBRU", "XBRU", "be", "EUR"),
        _E("XLIS", "XLIS", "pt", "EUR"),
        _E("XMAD", "XMAD", "es", "EUR"),
        _E("XMIL", "XMIL", "it", "EUR"),
        _E("XSWX", "XSWX", "ch", "CHF"),
        _E("XWBO", "XWBO", "at", "EUR"),
        _E("XSTO", "XSTO", "se", "SEK"),
        _E("XHEL", "XHEL", "fi", "EUR"),
        _E("XCSE", "XCSE", "dk", "DKK"),
        _E("XOSL", "XOSL", "no", "NOK"),
        _E("XDUB", "XDUB", "ie", "EUR"),
        _E("XWAR", "XWAR", "pl", "PLN"),
        _E("XPRA", "XPRA", "cz", "CZK"),
        _E("XBUD", "XBUD", "hu", "HUF"),
        _E("XIST", "XIST", "tr", "TRY"),
        _E("XICE", "XICE", "is", "ISK"),
        _E("XTAL", "XTAL", "ee", "EUR"),
        _E("XRIS", "XRIS", "lv", "EUR"),
        _E("XLIT", "XLIT", "lt", "EUR"),
        _E("XDUS", "XDUS", "de", "EUR"),
        _E("XHAM", "XHAM", "de", "EUR"),
        _E("XSTU", "XSTU", "de", "EUR"),
        # the Americas, Africa, Middle East
        _E("XTSE", "XTSE", "ca", "CAD"),
        _E("XTSX", "XTSE", "ca", "CAD"),  # TSX Venture, Toronto's sessions
        _E("BVMF", "BVMF", "br", "BRL"),
        _E("XMEX", "XMEX", "mx", "MXN"),
        _E("XSGO", "XSGO", "cl", "CLP"),
        _E("XBUE", "XBUE", "ar", "ARS"),
        _E("XLIM", "XLIM", "pe", "PEN"),
        _E("XJSE", "XJSE", "za", "ZAR"),
        _E("XSAU", "XSAU", "sa", "SAR"),
    )
}

#: Yahoo's symbol suffixes (``.HK``) -> MIC (Yahoo Finance's "Exchanges and data providers" list).
SUFFIXES: dict[str, str] = {
    "HK": "XHKG",
    "SS": "XSHG",
    "SZ": "XSHE",
    "TW": "XTAI",
    "TWO": "ROCO",
    "T": "XTKS",
    "KS": "XKRX",
    "KQ": "XKOS",
    "SI": "XSES",
    "NS": "XNSE",
    "BO": "XBOM",
    "AX": "XASX",
    "NZ": "XNZE",
    "KL": "XKLS",
    "BK": "XBKK",
    "JK": "XIDX",
    "PS": "XPHS",
    "L": "XLON",
    "IL": "XLON",
    "DE": "XETR",
    "F": "XFRA",
    "PA": "XPAR",
    "AS": "XAMS",
    "BR": "XBRU",
    "LS": "XLIS",
    "MC": "XMAD",
    "MI": "XMIL",
    "SW": "XSWX",
    "VI": "XWBO",
    "ST": "XSTO",
    "HE": "XHEL",
    "CO": "XCSE",
    "OL": "XOSL",
    "IR": "XDUB",
    "WA": "XWAR",
    "PR": "XPRA",
    "BD": "XBUD",
    "IS": "XIST",
    "IC": "XICE",
    "TL": "XTAL",
    "RG": "XRIS",
    "VS": "XLIT",
    "DU": "XDUS",
    "HM": "XHAM",
    "SG": "XSTU",
    "TO": "XTSE",
    "V": "XTSX",
    "SA": "BVMF",
    "MX": "XMEX",
    "SN": "XSGO",
    "BA": "XBUE",
    "LM": "XLIM",
    "JO": "XJSE",
    "SR": "XSAU",
}

#: Market names people use (``/digest schedule … market:hk``) -> MIC of the calendar followed.
#: ``eu`` follows Xetra, where most UCITS ETFs by turnover trade; every MIC is a name as well.
MARKETS: dict[str, str] = {
    "us": "XNYS",
    "ny": "XNYS",
    "hk": "XHKG",
    "cn": "XSHG",
    "sh": "XSHG",
    "sz": "XSHE",
    "tw": "XTAI",
    "jp": "XTKS",
    "kr": "XKRX",
    "uk": "XLON",
    "gb": "XLON",
    "eu": "XETR",
    "de": "XETR",
    "fr": "XPAR",
    "nl": "XAMS",
    "ch": "XSWX",
    "it": "XMIL",
    "ca": "XTSE",
    "au": "XASX",
    "sg": "XSES",
    "in": "XNSE",
}


def exchange(mic: str) -> Exchange:
    """The exchange of ``mic`` (upper-cased); :class:`UnknownExchange` for one not known."""
    found = EXCHANGES.get(mic.strip().upper())
    if found is None:
        raise UnknownExchange(mic, mic)
    return found


def suffix_of(ticker: str) -> str | None:
    """The exchange suffix of a symbol (``HK`` of ``2800.HK``), None without one.

    Index symbols (``^HSI``) and Yahoo's currency and futures forms (``EURUSD=X``) have none.
    """
    if ticker.startswith("^") or "=" in ticker:
        return None
    base, dot, suffix = ticker.rpartition(".")
    return suffix.upper() if dot and base and suffix else None


def exchange_for(ticker: str) -> str:
    """The MIC of ``ticker`` from its suffix; New York for a symbol without one.

    Raises :class:`UnknownExchange` for a suffix that is not in :data:`SUFFIXES`.
    """
    suffix = suffix_of(ticker)
    if suffix is None:
        return DEFAULT_MIC
    mic = SUFFIXES.get(suffix)
    if mic is None:
        raise UnknownExchange(ticker, suffix)
    return mic


def calendar_name(mic: str) -> str:
    """The exchange_calendars name whose sessions ``mic`` keeps (``XSHE`` -> ``XSHG``)."""
    found = EXCHANGES.get(mic)
    return found.calendar if found is not None else mic


def market_mic(name: str) -> str | None:
    """The MIC a market name stands for (``hk`` -> ``XHKG``, ``XHKG`` -> ``XHKG``), or None."""
    text = name.strip()
    found = MARKETS.get(text.lower())
    if found is not None:
        return found
    return text.upper() if text.upper() in EXCHANGES else None


def is_us(mic: str) -> bool:
    """True for the US venues (their cards keep the plain "Data as of … close" line)."""
    found = EXCHANGES.get(mic)
    return found is not None and found.market == "us"


def shared_market(tickers: Iterable[str]) -> str:
    """The MIC of the exchange ``tickers`` share, for a digest to follow by default.

    All on one exchange: that one (``2800.HK 3033.HK`` -> ``XHKG``); on several that keep one
    calendar: the calendar's (``510300.SS 159915.SZ`` -> ``XSHG``); none, a mix, or only
    unknown suffixes: New York.
    """
    mics: set[str] = set()
    for ticker in tickers:
        try:
            mics.add(exchange_for(ticker))
        except UnknownExchange:
            continue
    if len(mics) == 1:
        return mics.pop()
    calendars = {calendar_name(mic) for mic in mics}
    if len(calendars) == 1:
        return calendars.pop()
    return DEFAULT_MIC
