"""The chart font: Noto Sans CJK from PyPI (``noto-cjk[sans]``), registered with matplotlib once.

The package ships one OpenType collection (``NotoSansCJK-Regular.ttc``) with a face per region:
SC (mainland), TC (Taiwan), HK (Hong Kong), JP and KR. The face follows the script of the text
(:data:`FACES`): the same character takes its regional shape, and full-width punctuation sits
bottom-left in SC but centred in TC and HK. matplotlib 3.10+ registers every face of a
collection; older versions register face 0 only ("Noto Sans CJK JP", which covers every Chinese
character but in Japanese shapes), used then for every script. Without the package, charts
fall back to DejaVu Sans (bundled with matplotlib) and a warning is logged: Latin text still
renders, Chinese text does not.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from matplotlib import font_manager
from matplotlib.font_manager import FontProperties

from formatting.languages import Lang

logger = logging.getLogger(__name__)

FALLBACK_FAMILY = "DejaVu Sans"
#: Face names in order of preference once the collection is registered.
CJK_FAMILIES: tuple[str, ...] = ("Noto Sans CJK SC", "Noto Sans CJK JP")
#: The face of each catalog language's script (English text takes the Simplified face: its
#: Latin letters are the same in every face).
FACES: dict[Lang, str] = {
    "en": "Noto Sans CJK SC",
    "zh": "Noto Sans CJK SC",
    "zh-hant": "Noto Sans CJK TC",
    "zh-hk": "Noto Sans CJK HK",
}

_lock = threading.Lock()
_families: tuple[str, ...] | None = None
_known: frozenset[str] = frozenset()


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
    global _known
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
    _known = frozenset(known)
    for name in CJK_FAMILIES:
        if name in known:
            # DejaVu Sans second: matplotlib falls back per glyph for anything Noto lacks.
            return (name, FALLBACK_FAMILY)
    logger.warning("no Noto Sans CJK face registered; charts fall back to %s", FALLBACK_FAMILY)
    return (FALLBACK_FAMILY,)


def font_family(lang: Lang = "zh") -> tuple[str, ...]:
    """Font family names for chart text in ``lang``, its script's CJK face first (:data:`FACES`,
    else the face the collection registered); registers the font on first use.

    Thread-safe and idempotent: the font is added to matplotlib's font manager at most once.
    """
    global _families
    if _families is None:
        with _lock:
            if _families is None:
                _families = _register()
    face = FACES[lang]
    if face in _known and _families[0] != FALLBACK_FAMILY:
        return (face, FALLBACK_FAMILY)
    return _families


def cjk_font_properties(size: float | None = None, lang: Lang = "zh") -> FontProperties:
    """A fresh :class:`FontProperties` for :func:`font_family` (optionally with a point size)."""
    return FontProperties(family=list(font_family(lang)), size=size)
