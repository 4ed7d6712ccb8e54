"""A small reader of the site's pages (stdlib html.parser): the facts the tests check."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any


@dataclass
class Page:
    """What a page declares: its language, links, meta tags, headings, images and text."""

    lang: str | None = None
    canonical: str | None = None
    alternates: dict[str, str] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    headings: list[tuple[int, str]] = field(default_factory=list)
    images: list[dict[str, str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    signal: dict[str, Any] | None = None
    scripts: int = 0
    text: str = ""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._heading: int | None = None
        self._buffer: list[str] = []
        self._chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.page.lang = a.get("lang")
        elif tag == "link" and a.get("rel") == "canonical":
            assert self.page.canonical is None, "two canonical links"
            self.page.canonical = a["href"]
        elif tag == "link" and a.get("rel") == "alternate" and "hreflang" in a:
            assert a["hreflang"] not in self.page.alternates, f"hreflang {a['hreflang']} twice"
            self.page.alternates[a["hreflang"]] = a["href"]
        elif tag == "meta" and ("property" in a or "name" in a):
            self.page.meta[a.get("property") or a["name"]] = a.get("content", "")
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading, self._buffer = int(tag[1]), []
        elif tag == "img":
            self.page.images.append(a)
        elif tag == "a" and "href" in a:
            self.page.links.append(a["href"])
        elif tag == "script":
            self.page.scripts += 1
        if "data-signal" in a:
            self.page.signal = json.loads(a["data-signal"])

    def handle_endtag(self, tag: str) -> None:
        if self._heading is not None and tag == f"h{self._heading}":
            self.page.headings.append((self._heading, "".join(self._buffer).strip()))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._buffer.append(data)
        self._chunks.append(data)

    def close(self) -> None:
        super().close()
        self.page.text = " ".join(" ".join(self._chunks).split())


def read_page(path: Path) -> Page:
    """Parse one ``index.html``."""
    reader = _Reader()
    reader.feed(path.read_text(encoding="utf-8"))
    reader.close()
    return reader.page
