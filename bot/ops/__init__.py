"""Operations: the health and metrics HTTP server, readiness of the parts, and ``doctor``.

Nothing heavy is imported here: ``run_bot`` asks :func:`ops_wanted` before importing the server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings


def ops_wanted(settings: Settings, *, terminal_mode: bool) -> bool:
    """``SIGNALBOT_OPS_SERVER``: on, off, or auto (every long-running mode but the terminal)."""
    if settings.ops.ops_server == "auto":
        return not terminal_mode
    return settings.ops.ops_server == "on"
