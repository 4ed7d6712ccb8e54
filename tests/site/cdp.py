"""A headless Chromium driven over the Chrome DevTools Protocol (aiohttp's websocket client),
just enough for the site's browser tests: open a page at a width, wait for its load, report its
console errors and failed requests, measure it, name the fonts of a node, take a screenshot.

The pages themselves run no JavaScript; ``Runtime.evaluate`` is the test's own measurement.
Protocol reference: https://chromedevtools.github.io/devtools-protocol/ (Target.attachToTarget
with ``flatten`` gives a sessionId carried on every message of that page; the browser writes
its chosen port to ``DevToolsActivePort`` in the profile folder when started with
``--remote-debugging-port=0``).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
)


def chromium() -> str | None:
    """The Chromium binary, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Visit:
    """What one page load showed."""

    errors: list[str] = field(default_factory=list)
    scroll_width: int = 0
    client_width: int = 0
    fonts: dict[str, list[str]] = field(default_factory=dict)  # selector -> font families
    screenshot: bytes = b""
    evaluated: Any = None  # what the visit's ``evaluate`` expression gave


class Browser:
    """One Chromium process and its browser websocket."""

    def __init__(self, profile: Path) -> None:
        self.profile = profile
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def __aenter__(self) -> Browser:
        binary = chromium()
        assert binary is not None
        self.process = subprocess.Popen(  # noqa: ASYNC220 - started once, ended in __aexit__
            [binary, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = self.profile / "DevToolsActivePort"
        for _ in range(600):  # the browser writes the file once it listens (bounded wait)
            if port_file.exists() and port_file.read_text().count("\n") >= 1:
                break
            await asyncio.sleep(0.05)
        port, path = port_file.read_text().split("\n")[:2]
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        self.ws = await self.http.ws_connect(f"ws://127.0.0.1:{port}{path}", max_msg_size=0)
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._reader.cancel()
        await self.ws.close()
        await self.http.close()
        self.process.terminate()
        self.process.wait(timeout=30)

    async def _read(self) -> None:
        async for message in self.ws:
            data = json.loads(message.data)
            if "id" in data and data["id"] in self._waiting:
                self._waiting.pop(data["id"]).set_result(data)
            else:
                await self._events.put(data)

    async def send(self, method: str, session: str | None = None, **params: Any) -> Any:
        """One command; its result (raises on a protocol error)."""
        number = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[number] = future
        message: dict[str, Any] = {"id": number, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        await self.ws.send_str(json.dumps(message))
        reply = await asyncio.wait_for(future, 60)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def visit(
        self,
        url: str,
        width: int,
        selectors: tuple[str, ...] = (),
        *,
        dark: bool = False,
        evaluate: str | None = None,
    ) -> Visit:
        """Load ``url`` at ``width`` CSS pixels (``dark``: as a reader who prefers a dark colour
        scheme); errors, widths, fonts and a full screenshot, and the value of ``evaluate`` (a
        test's own script, run after the load and awaited if it gives a promise)."""
        target = (await self.send("Target.createTarget", url="about:blank"))["targetId"]
        session = (await self.send("Target.attachToTarget", targetId=target, flatten=True))[
            "sessionId"
        ]
        for domain in ("Page", "Network", "Runtime", "Log", "DOM", "CSS"):
            await self.send(f"{domain}.enable", session)
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            session,
            width=width,
            height=900,
            deviceScaleFactor=1,
            mobile=width < 600,
        )
        scheme = {"name": "prefers-color-scheme", "value": "dark" if dark else "light"}
        await self.send("Emulation.setEmulatedMedia", session, features=[scheme])
        visit = Visit()
        await self.send("Page.navigate", session, url=url)
        while True:
            event = await asyncio.wait_for(self._events.get(), 60)
            if event.get("sessionId") != session:
                continue
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                visit.errors.append(str(params["exceptionDetails"].get("text")))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                visit.errors.append(params["entry"]["text"])
            elif method == "Runtime.consoleAPICalled" and params["type"] == "error":
                visit.errors.append(str(params["args"]))
            elif method == "Network.loadingFailed":
                visit.errors.append(f"failed request: {params.get('errorText')}")
            elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
                visit.errors.append(f"{params['response']['status']} {params['response']['url']}")
            elif method == "Page.loadEventFired":
                break
        measured = await self.send(
            "Runtime.evaluate",
            session,
            expression="[document.documentElement.scrollWidth, document.documentElement.clientWidth]",
            returnByValue=True,
        )
        visit.scroll_width, visit.client_width = measured["result"]["value"]
        root = (await self.send("DOM.getDocument", session))["root"]["nodeId"]
        for selector in selectors:
            node = await self.send("DOM.querySelector", session, nodeId=root, selector=selector)
            fonts = await self.send("CSS.getPlatformFontsForNode", session, nodeId=node["nodeId"])
            visit.fonts[selector] = [f["familyName"] for f in fonts["fonts"]]
        shot = await self.send(
            "Page.captureScreenshot", session, format="png", captureBeyondViewport=True
        )
        visit.screenshot = base64.b64decode(shot["data"])
        if evaluate is not None:
            done = await self.send(
                "Runtime.evaluate",
                session,
                expression=evaluate,
                awaitPromise=True,
                returnByValue=True,
            )
            if "exceptionDetails" in done:
                raise RuntimeError(str(done["exceptionDetails"]))
            visit.evaluated = done["result"].get("value")
        await self.send("Target.closeTarget", targetId=target)
        return visit
