"""The nine regimes of SIGNALS.md: stable ids and the fast x slow table."""

from __future__ import annotations

from enum import StrEnum


class Regime(StrEnum):
    """Stable regime identifiers (stored, serialised, tested); labels live in catalogs."""

    RISK_OFF_REGIME = "risk_off_regime"
    DEFENSIVE_IMPULSE = "defensive_impulse"
    PULLBACK = "pullback"
    DOWNTREND = "downtrend"
    NEUTRAL = "neutral"
    UPTREND = "uptrend"
    RELIEF_BOUNCE = "relief_bounce"
    RISK_ON_IMPULSE = "risk_on_impulse"
    RISK_ON_REGIME = "risk_on_regime"


class Direction(StrEnum):
    """A horizon's state after thresholding its z-score."""

    DOWN = "down"
    FLAT = "flat"
    UP = "up"


#: Row = fast (impulse), column = slow (regime); order down, flat, up.
REGIME_TABLE: tuple[tuple[Regime, Regime, Regime], ...] = (
    (Regime.RISK_OFF_REGIME, Regime.DEFENSIVE_IMPULSE, Regime.PULLBACK),
    (Regime.DOWNTREND, Regime.NEUTRAL, Regime.UPTREND),
    (Regime.RELIEF_BOUNCE, Regime.RISK_ON_IMPULSE, Regime.RISK_ON_REGIME),
)

_DIRECTION_INDEX = {Direction.DOWN: 0, Direction.FLAT: 1, Direction.UP: 2}

#: Regimes in a "most defensive first" order, used to sort digests.
REGIME_ORDER: tuple[Regime, ...] = (
    Regime.RISK_OFF_REGIME,
    Regime.DEFENSIVE_IMPULSE,
    Regime.DOWNTREND,
    Regime.PULLBACK,
    Regime.NEUTRAL,
    Regime.RELIEF_BOUNCE,
    Regime.UPTREND,
    Regime.RISK_ON_IMPULSE,
    Regime.RISK_ON_REGIME,
)

#: -1 defensive, 0 neutral, +1 constructive: used for colours.
REGIME_TONE: dict[Regime, int] = {
    Regime.RISK_OFF_REGIME: -1,
    Regime.DEFENSIVE_IMPULSE: -1,
    Regime.DOWNTREND: -1,
    Regime.PULLBACK: 0,
    Regime.NEUTRAL: 0,
    Regime.RELIEF_BOUNCE: 0,
    Regime.UPTREND: 1,
    Regime.RISK_ON_IMPULSE: 1,
    Regime.RISK_ON_REGIME: 1,
}


def regime_for(fast: Direction, slow: Direction) -> Regime:
    """Look up the regime for a (fast, slow) pair of directions."""
    return REGIME_TABLE[_DIRECTION_INDEX[fast]][_DIRECTION_INDEX[slow]]
