"""``/research/`` on the ops server's aiohttp application: pages with their content types and
caching headers, a folder's page but no listing, and no way out of the folder (``..``, encoded
dots and slashes, hidden files, symbolic links). Requests are written on a raw socket so the
path reaches the server exactly as typed (an HTTP client would normalise ``..`` away)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.site.serve import add_research_routes


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[tuple[int, Path]]:
    site = tmp_path / "site"
    (site / "IWM" / "2026-06-08" / "en").mkdir(parents=True)
    (site / "IWM" / "2026-06-08" / "en" / "index.html").write_text("<p>IWM</p>")
    (site / "IWM" / "2026-06-08" / "en" / "chart.png").write_bytes(b"\x89PNG fake")
    (site / "IWM" / "2026-06-08" / "signal.json").write_text("{}")
    (site / "site.css").write_text("body{}")
    (site / "sitemap.xml").write_text("<urlset/>")
    (site / "empty").mkdir()
    (site / ".index.html.x.tmp").write_text("half a page")
    (site / "notes.txt").write_text("not a site file")
    (tmp_path / "secret.html").write_text("outside")
    (site / "link.html").symlink_to(tmp_path / "secret.html")
    (site / "inner.html").symlink_to(site / "IWM" / "2026-06-08" / "en" / "index.html")
    (site / "out").symlink_to(tmp_path, target_is_directory=True)
    app = web.Application()
    add_research_routes(app, site)
    runner = web.AppRunner(app)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = runner.addresses[0][1]
    yield port, site
    await runner.cleanup()


async def _get(port: int, path: str, *extra: str) -> tuple[int, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [f"GET {path} HTTP/1.1", "Host: localhost", "Connection: close", *extra, "", ""]
    writer.write("\r\n".join(lines).encode())
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


async def test_pages_and_files_with_their_types_and_caching(server) -> None:
    port, _ = server
    status, headers, body = await _get(port, "/research/IWM/2026-06-08/en/")
    assert (status, body) == (200, b"<p>IWM</p>")
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "public, max-age=300"
    assert headers["x-content-type-options"] == "nosniff"
    assert "etag" in headers
    again = await _get(port, "/research/IWM/2026-06-08/en/", f"If-None-Match: {headers['etag']}")
    assert again[0] == 304
    for path, kind in [
        ("/research/IWM/2026-06-08/en/chart.png", "image/png"),
        ("/research/site.css", "text/css; charset=utf-8"),
        ("/research/sitemap.xml", "application/xml; charset=utf-8"),
        ("/research/IWM/2026-06-08/signal.json", "application/json"),
    ]:
        status, headers, _ = await _get(port, path)
        assert (status, headers["content-type"]) == (200, kind), path


async def test_a_folder_without_its_slash_is_redirected(server) -> None:
    port, _ = server
    status, headers, _ = await _get(port, "/research/IWM/2026-06-08/en")
    assert status == 301
    assert headers["location"] == "/research/IWM/2026-06-08/en/"
    status, headers, _ = await _get(port, "/research")
    assert (status, headers["location"]) == (301, "/research/")


@pytest.mark.parametrize(
    "path",
    [
        "/research/empty/",  # a folder without a page: no listing
        "/research/IWM/",
        "/research/notes.txt",  # not one of the site's kinds of file
        "/research/.index.html.x.tmp",  # the atomic writer's temporary file
        "/research/../secret.html",
        "/research/IWM/../../secret.html",
        "/research/%2e%2e/secret.html",
        "/research/%2E%2E/secret.html",
        "/research/IWM%2f..%2f..%2fsecret.html",
        "/research/..%5csecret.html",
        "/research/link.html",  # a symbolic link out of the folder
        "/research/inner.html",  # or one inside it
        "/research/out/secret.html",  # a linked folder
        "/research//etc/passwd",
        "/research/{outside}",  # an absolute path after the prefix
        "/research/missing/",
    ],
)
async def test_nothing_outside_the_site_is_served(server, path: str) -> None:
    port, site = server
    path = path.replace("{outside}", str(site.parent / "secret.html"))
    status, _, body = await _get(port, path)
    assert status == 404, path
    assert b"outside" not in body
    assert b"half a page" not in body


async def test_the_running_bots_http_server_serves_research_when_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.ops.metrics import Metrics
    from bot.ops.runtime import start_ops
    from bot.settings import load_settings
    from bot.storage import open_storage

    for name in ("SIGNALBOT_SITE_DIR", "SIGNALBOT_SITE_SERVE", "SIGNALBOT_HTTP_PORT"):
        monkeypatch.delenv(name, raising=False)
    site = tmp_path / "site"
    (site / "en").mkdir(parents=True)
    (site / "en" / "index.html").write_text("<p>index</p>")
    async with open_storage(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}") as storage:
        for serve, expected in (("on", 200), ("off", 404)):
            loaded = load_settings(None, http_host="127.0.0.1", site_dir=site, site_serve=serve)
            # any free port (0 is no valid setting)
            settings = dataclasses.replace(
                loaded, ops=loaded.ops.model_copy(update={"http_port": 0})
            )
            ops = await start_ops(settings, storage, [], None, Metrics())
            try:
                assert ops._runner is not None
                port = ops._runner.addresses[0][1]
                status, _, _ = await _get(port, "/research/en/")
                assert status == expected, serve
            finally:
                await ops.stop()
