"""The chart font: Noto Sans CJK from PyPI (``noto-cjk[sans]``), registered with matplotlib once.

The package ships one OpenType collection (``NotoSansCJK-Regular.ttc``). matplotlib 3.10+
registers every face of a collection, so the Simplified Chinese face ("Noto Sans CJK SC") is
used; older versions register face 0 only ("Noto Sans CJK JP", which also covers Simplified
Chinese). Without the package, charts fall back to DejaVu Sans (bundled with matplotlib) and a
warning is logged: Latin text still renders, Chinese text does not.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from matplotlib import font_manager
from matplotlib.font_manager import FontProperties

logger = logging.getLogger(__name__)

FALLBACK_FAMILY = "DejaVu Sans"
#: Face names in order of preference once the collection is registered.
CJK_FAMILIES: tuple[str, ...] = ("Noto Sans CJK SC", "Noto Sans CJK JP")

_lock = threading.Lock()
_families: tuple[str, ...] | None = None


def _otc_path() -> Path | None:
    """The Noto Sans CJK collection installed from PyPI, or None with a logged warning."""
    try:
        import noto_cjk

        path = Path(noto_cjk.otc_path("sans"))
    except (ImportError, RuntimeError) as exc:  # FontNotInstalled is a RuntimeError
        logger.warning("CJK font unavailable (%s); charts fall back to %s", exc, FALLBACK_FAMILY)
        return None
    if not path.is_file():
        logger.warning("CJK font file %s missing; charts fall back to %s", path, FALLBACK_FAMILY)
        return None
    return path


def _register() -> tuple[str, ...]:
    """Add the collection to matplotlib's font manager (unless already known) and pick a face."""
    manager = font_manager.fontManager
    known = {entry.name for entry in manager.ttflist}
    if not any(name in known for name in CJK_FAMILIES):
        path = _otc_path()
        if path is None:
            return (FALLBACK_FAMILY,)
        try:
            manager.addfont(str(path))
        except (OSError, RuntimeError, ValueError) as exc:
            logger.warning(
                "cannot load %s (%s); charts fall back to %s", path, exc, FALLBACK_FAMILY
            )
            return (FALLBACK_FAMILY,)
        known = {entry.name for entry in manager.ttflist}
    for name in CJK_FAMILIES:
        if name in known:
            # DejaVu Sans second: matplotlib falls back per glyph for anything Noto lacks.
            return (name, FALLBACK_FAMILY)
    logger.warning("no Noto Sans CJK face registered; charts fall back to %s", FALLBACK_FAMILY)
    return (FALLBACK_FAMILY,)


def font_family() -> tuple[str, ...]:
    """Font family names for every chart text, CJK face first; registers the font on first use.

    Thread-safe and idempotent: the font is added to matplotlib's font manager at most once.
    """
    global _families
    if _families is None:
        with _lock:
            if _families is None:
                _families = _register()
    return _families


def cjk_font_properties(size: float | None = None) -> FontProperties:
    """A fresh :class:`FontProperties` for :func:`font_family` (optionally with a point size)."""
    return FontProperties(family=list(font_family()), size=size)
