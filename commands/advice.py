"""What to suggest when the price source cannot be reached: the offline demo, as this install runs.

A checkout runs the bot with ``./dev run`` (the developers' script beside ``pyproject.toml``); an
installed package (pip, the container) with ``signalbot run``. The advice names the one that works
here, so nobody is told to run a ``./dev`` they do not have.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

#: Message keys after which trying the demo source offline is good advice: the source could not
#: be reached, refused, timed out, or failed for a reason the bot could not tell.
OFFLINE_KEYS = frozenset(
    {
        "error.source_unavailable",
        "error.source_failed",
        "error.source_network",
        "error.source_refused",
        "error.source_timeout",
    }
)
#: Sources that never need the network: the advice would be wrong for them.
LOCAL_SOURCES = frozenset({"demo", "csv"})


def run_command(cwd: Path | None = None) -> str:
    """``./dev run`` when the working directory is the checkout this code runs from, else
    ``signalbot run``."""
    here = (cwd or Path.cwd()).resolve()
    checkout = Path(__file__).resolve().parent.parent
    if here == checkout and (here / "dev").is_file() and (here / "pyproject.toml").is_file():
        return "./dev run"
    return "signalbot run"


def offline_command(cwd: Path | None = None) -> str:
    """The command that runs this bot offline on synthetic prices."""
    return f"SIGNALBOT_PRICE_SOURCE=demo {run_command(cwd)}"


def offline_advised(keys: Iterable[str], source: str) -> bool:
    """Whether messages with ``keys``, from the source named ``source``, call for the advice."""
    return source.partition(":")[0] not in LOCAL_SOURCES and any(k in OFFLINE_KEYS for k in keys)
