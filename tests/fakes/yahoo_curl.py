"""The bot's own Yahoo session (curl_cffi, capped reads) with its Yahoo URLs sent elsewhere.

:class:`signals.sources.yahoo_http.YahooSession` is what production hands yfinance; this subclass
changes only the address: ``https://<host>.yahoo.com/<path>`` becomes ``<base_url>/<host>/<path>``
(the paths tests/fakes/yahoo.py serves). yfinance's cookie and crumb URLs are literals in
``yfinance/data.py``, so the session is the one place that can redirect every request.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from signals.sources.yahoo_http import YahooSession


class LocalCurlYahoo(YahooSession):
    """The bot's Yahoo session, its ``*.yahoo.com`` URLs sent to ``base_url`` instead."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url

    def request(self, method: Any, url: str, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(str(url))
        if parts.hostname and parts.hostname.endswith("yahoo.com"):
            local = urlsplit(self.base_url)
            assert isinstance(local.netloc, str)
            path = f"/{parts.hostname}{parts.path or '/'}"
            query = f"?{parts.query}" if parts.query else ""
            url = f"{local.scheme}://{local.netloc}{path}{query}"
        return super().request(method, url, *args, **kwargs)


def routed_to(base_url: str) -> type[YahooSession]:
    """A YahooSession class whose instances all go to ``base_url`` (to patch in for the class the
    bot builds its session from)."""

    class Routed(LocalCurlYahoo):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(base_url, **kwargs)

    return Routed
