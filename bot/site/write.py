"""Writing the site: every file atomically (a temporary file in the same folder, then a rename),
so a reader or a web server never sees half a page; the sitemap from what is on disk."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape


def write_atomic(path: Path, data: bytes | str, *, durable: bool = False) -> None:
    """Write ``data`` to ``path``: a temporary file beside it, then ``os.replace``.

    A reader sees the old file or the new one, never a part. ``durable`` also syncs the file to
    disk first (a power cut cannot leave it empty); the pages do without it (thousands of syncs
    a session; a page lost that way is written again by the next pass)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
            if durable:
                out.flush()
                os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def page_paths(root: Path) -> list[str]:
    """Every page on disk (``IWM/2026-06-08/en/``, …), sorted; the root page is ``""``."""
    found = []
    for index in root.rglob("index.html"):
        rel = index.parent.relative_to(root).as_posix()
        found.append("" if rel == "." else rel + "/")
    return sorted(found)


def sitemap(root: Path, base: str) -> str:
    """``sitemap.xml`` listing every page under ``root`` at its URL under ``base``."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    lines += [
        f"  <url><loc>{escape(base.rstrip('/') + '/' + path)}</loc></url>"
        for path in page_paths(root)
    ]
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"
