"""The docs ship with the repository and agree with the code.

README and docs/ link only to files inside the repository; the worked example of
docs/signals.md comes out of the momentum engine as written there.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from signals.momentum import compute_signals
from signals.regimes import Regime
from tests.fakes.market import WORKED_CLOSES, WORKED_SESSION, worked_example_bars

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_every_relative_link_stays_inside_the_repository():
    """No link leaves the repository (../shared ...) and every linked file exists."""
    assert (ROOT / "docs" / "signals.md").exists() and (ROOT / "docs" / "architecture.md").exists()
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    for doc in DOCS:
        text = doc.read_text()
        assert "../shared" not in text, doc
        for target in LINK.findall(text):
            if re.match(r"[a-z]+://", target) or target.startswith("mailto:"):
                continue
            resolved = (doc.parent / target).resolve()
            assert resolved.is_relative_to(ROOT), f"{doc.name} links outside: {target}"
            assert resolved.exists(), f"{doc.name} links to a missing file: {target}"


def test_worked_example_of_the_docs_matches_the_engine():
    """IWM on 2026-06-08: the doc's returns, its sigma = 1% arithmetic, and the engine's label."""
    doc = (ROOT / "docs" / "signals.md").read_text()
    c = WORKED_CLOSES
    r_1d, r_5d, r_1m = c[0] / c[1] - 1, c[0] / c[5] - 1, c[0] / c[21] - 1
    for shown in (f"{r_1d:+.6f}", f"{r_5d:+.6f}", f"{r_1m:+.6f}"):
        assert f"= {shown}" in doc
    sigma = 0.01
    z_1d = math.log(1 + r_1d) / sigma
    z_5d = math.log(1 + r_5d) / (sigma * math.sqrt(5))
    z_1m = math.log(1 + r_1m) / (sigma * math.sqrt(21))
    for shown in (f"{z_1d:.3f}", f"{z_5d:.3f}", f"{z_1m:.3f}", f"{(z_1d + z_5d) / 2:.3f}"):
        assert shown in doc
    signal = compute_signals({"IWM": worked_example_bars()})["IWM"]
    assert signal.as_of == WORKED_SESSION and signal.regime is Regime.DEFENSIVE_IMPULSE
    assert (round(signal.r_1d * 100, 2), round(signal.r_5d * 100, 2)) == (-3.55, -2.33)
    assert round(signal.r_1m * 100, 2) == -0.22
    # the doc says any sigma between 0.05% and 2.33% gives this label
    assert 0.0005 < signal.sigma < 0.0233
