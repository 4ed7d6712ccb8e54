"""The built site in a real headless Chromium, served from 127.0.0.1: each page type in each
language at 390 px (a phone) and 1280 px (a desktop) loads with no console error and no failed
request, has no horizontal scroll, and draws Chinese in a CJK face. The screenshots are kept
(under the test's temporary folder, or ``SIGNALBOT_SITE_SCREENSHOTS`` when set)."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.site.cdp import Browser, chromium

ROOT = Path(__file__).parents[2]
#: axe-core from the npm registry, installed by .ci/run (npm install --prefix .test-tools axe-core)
AXE = Path(
    os.environ.get("SIGNALBOT_AXE_JS", ROOT / ".test-tools/node_modules/axe-core/axe.min.js")
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        chromium() is None,
        reason="chromium is not installed (apt-get install -y chromium; .ci/run installs it)",
    ),
]

WIDTHS = (390, 1280)
LANGS = ("en", "zh-hans", "zh-hant")
CJK = ("Noto Sans CJK", "Noto Serif CJK", "Droid Sans Fallback", "WenQuanYi", "AR PL")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(built) -> Iterator[str]:
    out = built[0]
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("SIGNALBOT_SITE_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _page_types(days: list[date]) -> dict[str, str]:
    return {
        "index": "{lang}/",
        "fund": "IWM/{lang}/",
        "card": f"IWM/{days[-1]}/" + "{lang}/",
        "day": f"markets/xnys/{days[-1]}/" + "{lang}/",
    }


async def test_every_page_type_renders_cleanly(
    built, served: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    _, _, days = built
    shots = _shots(tmp_path_factory)
    pages = _page_types(days)
    problems = []
    async with Browser(tmp_path / "profile") as browser:
        for kind, pattern in pages.items():
            for lang in LANGS:
                for width in WIDTHS:
                    visit = await browser.visit(served + pattern.format(lang=lang), width, ("h1",))
                    (shots / f"{kind}-{lang}-{width}.png").write_bytes(visit.screenshot)
                    where = f"{kind} {lang} {width}px"
                    problems += [f"{where}: {error}" for error in visit.errors]
                    if visit.scroll_width > visit.client_width:
                        problems.append(f"{where}: scrolls sideways ({visit.scroll_width}px)")
                    fonts = visit.fonts["h1"]
                    if lang != "en" and not any(f.startswith(CJK) for f in fonts):
                        problems.append(f"{where}: heading drawn in {fonts}, no CJK face")
        for lang in LANGS:  # dark: the same checks, and its screenshot to look at
            visit = await browser.visit(served + pages["card"].format(lang=lang), 390, dark=True)
            (shots / f"card-{lang}-390-dark.png").write_bytes(visit.screenshot)
            problems += [f"dark card {lang}: {error}" for error in visit.errors]
        root = await browser.visit(served, 390)
        problems += [f"root: {error}" for error in root.errors]
    assert problems == []


#: Runs axe on the page; the serious and critical violations, one line each.
AXE_RUN = """
axe.run(document, {resultTypes: ["violations"]}).then(result => result.violations
  .filter(v => v.impact === "serious" || v.impact === "critical")
  .map(v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")))
"""


def _axe_script() -> str:
    return AXE.read_text(encoding="utf-8") + ";" + AXE_RUN


@pytest.mark.skipif(
    not AXE.is_file(),
    reason=f"axe-core is not installed at {AXE} (npm install --prefix .test-tools axe-core; "
    ".ci/run installs it when npm is there)",
)
async def test_axe_finds_no_serious_or_critical_violation(
    built, served: str, tmp_path: Path
) -> None:
    """axe-core (https://github.com/dequelabs/axe-core) on each page type in each language, in
    light and dark: headings, names, landmarks, contrast, language attributes..."""
    _, _, days = built
    script = _axe_script()
    problems = []
    async with Browser(tmp_path / "profile") as browser:
        for kind, pattern in _page_types(days).items():
            for lang in LANGS:
                for dark in (False, True):
                    url = served + pattern.format(lang=lang)
                    visit = await browser.visit(url, 390, dark=dark, evaluate=script)
                    where = f"{kind} {lang} {'dark' if dark else 'light'}"
                    problems += [f"{where}: {line}" for line in visit.evaluated]
    assert problems == []
