"""``/research/``: the built site served from the ops HTTP server (``SIGNALBOT_SITE_SERVE=on``).

Only the site's own kinds of file are served, each with its content type; a folder answers with
its ``index.html`` (never a listing); nothing outside the folder is reachable: no ``..``, no
hidden or temporary file (the atomic writer's ``.name.tmp``), no symbolic link anywhere on the
way. aiohttp's FileResponse sends the file off the event loop and answers conditional requests
(``ETag``, ``Last-Modified``, 304).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path, PurePosixPath

from aiohttp import web

PREFIX = "/research/"
#: The content type of each kind of file the site has; anything else is not served.
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/json",
}
#: Pages and data change after each session; images and the stylesheet rarely.
CACHE = {
    ".html": "public, max-age=300",
    ".xml": "public, max-age=300",
    ".json": "public, max-age=300",
    ".png": "public, max-age=86400",
    ".svg": "public, max-age=86400",
    ".css": "public, max-age=86400",
}


def _inside(root: Path, tail: str) -> Path | None:
    """The real file or folder ``tail`` names under ``root``, or None when it would leave the
    folder, pass through a symbolic link, or name a hidden file."""
    path = PurePosixPath(tail)
    if path.is_absolute() or tail.startswith("/"):
        return None  # "/research//etc/x": root / "/etc" would be /etc itself
    parts = path.parts
    if any(part in ("..", ".") or part.startswith(".") or "\\" in part for part in parts):
        return None
    target = root
    for part in parts:
        target = target / part
        if target.is_symlink():
            return None
    if os.path.realpath(target) != str(target) or not target.is_relative_to(root):
        return None
    return target


def research_handler(folder: Path) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The handler of ``GET /research/{tail:.*}`` over ``folder``."""
    root = Path(os.path.realpath(folder))

    async def handle(request: web.Request) -> web.StreamResponse:
        tail = request.match_info.get("tail", "")
        raw = request.raw_path.split("?", 1)[0]
        if "%2e" in raw.lower() or "%2f" in raw.lower() or "%5c" in raw.lower():
            raise web.HTTPNotFound()  # an encoded dot or slash is never one of the site's names
        target = _inside(root, tail)
        if target is None or not target.exists():
            raise web.HTTPNotFound()
        if target.is_dir():
            if not raw.endswith("/"):
                raise web.HTTPMovedPermanently(raw + "/")  # relative links need the slash
            target = target / "index.html"
            if not target.is_file() or target.is_symlink():
                raise web.HTTPNotFound()  # a folder without a page: no listing
        kind = target.suffix.lower()
        if kind not in TYPES or not target.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(
            target,
            headers={
                "Content-Type": TYPES[kind],
                "Cache-Control": CACHE[kind],
                "X-Content-Type-Options": "nosniff",
            },
        )

    return handle


def add_research_routes(app: web.Application, folder: Path) -> None:
    """Serve ``folder`` at ``/research/`` on ``app`` (``/research`` redirects there)."""
    handler = research_handler(folder)

    async def bare(request: web.Request) -> web.StreamResponse:
        raise web.HTTPMovedPermanently(PREFIX)

    app.router.add_get(PREFIX.rstrip("/"), bare)
    app.router.add_get(PREFIX + "{tail:.*}", handler)
