"""Bars frames to compact JSON text and back, exactly (floats by repr, index unit and freq kept,
and the currency the source reported, from the frame's ``attrs``)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from signals.bars import currency_of, with_currency

FORMAT_VERSION = 1


def dump_bars(bars: pd.DataFrame) -> str:
    """Serialise a bars frame (DatetimeIndex, numeric columns) to one JSON line."""
    index = pd.DatetimeIndex(bars.index)
    midnight = bool((index == index.normalize()).all())
    stamps = index.tz_localize(None) if index.tz is not None else index
    payload: dict[str, Any] = {
        "v": FORMAT_VERSION,
        "index_name": index.name,
        "unit": index.unit,
        "tz": str(index.tz) if index.tz is not None else None,
        "freq": index.freqstr,
        "index": [t.strftime("%Y-%m-%d") if midnight else t.isoformat() for t in stamps],
        "columns": [str(c) for c in bars.columns],
        "dtypes": [str(t) for t in bars.dtypes],
        # Python's float repr round-trips exactly; NaN/Infinity use json's extension tokens.
        "data": [bars[c].tolist() for c in bars.columns],
        # optional (rows written before it have none: currency not reported)
        "currency": currency_of(bars),
    }
    return json.dumps(payload, separators=(",", ":"))


def load_bars(text: str) -> pd.DataFrame:
    """Rebuild the frame written by :func:`dump_bars`; ValueError if the text is not one."""
    try:
        payload = json.loads(text)
        if payload.get("v") != FORMAT_VERSION:
            raise ValueError(f"unknown bars payload version {payload.get('v')!r}")
        index = pd.DatetimeIndex(pd.to_datetime(payload["index"]), name=payload["index_name"])
        index = index.as_unit(payload["unit"])
        if payload["tz"] is not None:
            index = index.tz_localize(payload["tz"])
        if payload["freq"] is not None:
            index = pd.DatetimeIndex(index, freq=payload["freq"])
        columns = {
            name: pd.Series(values, index=index, dtype=dtype)
            for name, dtype, values in zip(
                payload["columns"], payload["dtypes"], payload["data"], strict=True
            )
        }
        currency = payload.get("currency")
        if currency is not None and not isinstance(currency, str):
            raise ValueError(f"malformed currency {currency!r}")
        return with_currency(pd.DataFrame(columns, index=index), currency)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed bars payload: {exc}") from exc
