"""Helpers shared by tests (and benchmarks): build daily bars on real XNYS sessions, write
Yahoo-style CSVs, run the bot in a subprocess and see which modules it loaded."""

from __future__ import annotations

import asyncio
import math
import signal
import sys
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from signals.calendar import MarketCalendar

WORKED_SESSION = date(2026, 6, 8)
WORKED_CLOSES = {0: 281.65, 1: 292.02, 5: 288.37, 21: 282.27}  # sessions back from t -> close


def sessions_ending(end: date, count: int) -> list[date]:
    """The last ``count`` XNYS sessions up to and including ``end``."""
    cal = MarketCalendar()
    days = cal.sessions_in_range(end - timedelta(days=count * 2 + 30), end)
    assert len(days) >= count
    return days[-count:]


def bars_from_closes(
    closes: Sequence[float], *, end: date, adj_factor: Sequence[float] | None = None
) -> pd.DataFrame:
    """Bars whose Close is ``closes`` on the sessions ending at ``end``; Adj Close = Close x factor."""
    days = sessions_ending(end, len(closes))
    close = np.asarray(closes, dtype="float64")
    factor = np.ones_like(close) if adj_factor is None else np.asarray(adj_factor, dtype="float64")
    frame = pd.DataFrame(
        {
            "Open": close * 0.999,
            "High": close * 1.01,
            "Low": close * 0.99,
            "Close": close,
            "Adj Close": close * factor,
            "Volume": np.full(len(close), 1_000_000.0),
        },
        index=pd.DatetimeIndex([pd.Timestamp(d) for d in days], name="Date"),
    )
    return frame


def closes_from_log_returns(log_returns: Sequence[float], start: float = 100.0) -> list[float]:
    """Closes that have exactly these daily log returns."""
    out = [start]
    for value in log_returns:
        out.append(out[-1] * math.exp(value))
    return out


def worked_example_bars(sessions: int = 90) -> pd.DataFrame:
    """IWM-like bars ending 2026-06-08 with the closes of the SIGNALS.md worked example.

    The older part is a seeded random walk; a dividend adjustment (Adj Close = 0.99 x Close) sits
    on rows older than 40 sessions, so returns over the last month equal Close ratios while
    sigma's window crosses the adjustment.
    """
    rng = np.random.default_rng(20260608)
    # Walk backwards from C[t-21] so the history joins the fixed closes without a jump.
    older = 282.27 * np.exp(-np.cumsum(rng.normal(0.0, 0.008, sessions - 22)))[::-1]
    month = np.linspace(282.27, 288.37, 17) * np.exp(rng.normal(0.0, 0.004, 17))
    month[0], month[-1] = 282.27, 288.37
    closes = [*older, *month, 289.5, 290.8, 291.4, 292.02, 281.65]
    assert len(closes) == sessions
    factor = [0.99 if i < sessions - 40 else 1.0 for i in range(sessions)]
    return bars_from_closes(closes, end=WORKED_SESSION, adj_factor=factor)


def write_csv(directory: Path, ticker: str, bars: pd.DataFrame) -> Path:
    """Write ``bars`` as Yahoo's CSV export (``Date,Open,High,Low,Close,Adj Close,Volume``)."""
    path = directory / f"{ticker}.csv"
    out = bars.copy()
    out.index = out.index.strftime("%Y-%m-%d")
    out.to_csv(path, index_label="Date", float_format="%.6f")
    return path


def last_session_now() -> date:
    """The last completed XNYS session at the real current time (for subprocess tests)."""
    from datetime import UTC, datetime

    return MarketCalendar().last_completed_session(datetime.now(UTC))


def write_price_dir(directory: Path, tickers: dict[str, float], *, end: date | None = None) -> Path:
    """CSV files for ``tickers`` (name -> scale of the worked-example series) ending at ``end``.

    Each series has the worked example's shape, so its regime is ``defensive_impulse`` whatever
    the scale; ``end`` defaults to the last completed session now, so the data is never stale.
    """
    directory.mkdir(parents=True, exist_ok=True)
    for ticker, frame in scaled_bars(tickers, end=end).items():
        write_csv(directory, ticker, frame)
    return directory


def scaled_bars(tickers: dict[str, float], *, end: date | None = None) -> dict[str, pd.DataFrame]:
    """The bars :func:`write_price_dir` writes, by ticker (for a fake upstream to serve)."""
    session = end or last_session_now()
    base = worked_example_bars()
    out = {}
    for ticker, scale in tickers.items():
        bars = bars_from_closes(list(base["Close"] * scale), end=session, adj_factor=None)
        bars["Adj Close"] = base["Adj Close"].to_numpy() * scale
        out[ticker] = bars
    return out


def bot_env(tmp_path: Path, prices: Path, **extra: str) -> dict[str, str]:
    """Environment for a bot subprocess: CSV prices, a private data dir, no real tokens."""
    import os

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SIGNALBOT_", "DISCORD_", "SLACK_"))
    }
    env.update(
        SIGNALBOT_PRICE_SOURCE=f"csv:{prices}",
        SIGNALBOT_DATA_DIR=str(tmp_path / "data"),
        SIGNALBOT_LOG_LEVEL="WARNING",
        PYTHONPATH=os.getcwd(),
    )
    env.update(extra)
    return env


#: Heavy dependencies a terminal session must not load: each is imported at first use only.
LAZY_PACKAGES = frozenset(
    {
        "matplotlib",
        "PIL",
        "noto_cjk",
        "noto_cjk_sans_otc",
        "slack_sdk",
        "slack_bolt",
        "discord",
        "prometheus_client",
        "yfinance",
        "curl_cffi",
    }
)
#: ``python -c MODULE_RECORDER <path>``: ``signalbot run`` (reading stdin as usual), then at exit
#: the name of every loaded module, in load order, one a line, to ``<path>``.
MODULE_RECORDER = (
    "import atexit, runpy, sys\n"
    "path = sys.argv[1]\n"
    "def _dump():\n"
    "    with open(path, 'w') as out:\n"
    "        out.write('\\n'.join(sys.modules))\n"
    "atexit.register(_dump)\n"
    "sys.argv = ['signalbot', 'run']\n"
    "runpy.run_module('bot', run_name='__main__', alter_sys=True)\n"
)


def lazy_packages_loaded(modules: Iterable[str]) -> list[str]:
    """The :data:`LAZY_PACKAGES` among the top-level packages of ``modules``, sorted."""
    return sorted({name.split(".")[0] for name in modules} & LAZY_PACKAGES)


async def start_bot(env: dict[str, str], log_path: Path) -> asyncio.subprocess.Process:
    """A real ``signalbot run`` (``python -m bot run``) with ``env``, its output in ``log_path``."""
    with log_path.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            env=env, stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out,
        )  # fmt: skip


async def stop_bot(proc: asyncio.subprocess.Process) -> None:
    """SIGTERM a bot process still running; SIGKILL it if it has not ended within 30 s."""
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 30)
        except TimeoutError:
            proc.kill()
            await proc.wait()


def reference(closes: Sequence[float]) -> dict[str, float]:
    """SIGNALS.md by hand, in plain Python: the measures at the last of ``closes`` (adjusted)."""
    c = list(closes)[-64:]
    log_returns = [math.log(c[i] / c[i - 1]) for i in range(1, len(c))][-63:]
    mean = sum(log_returns) / len(log_returns)
    sigma = math.sqrt(sum((x - mean) ** 2 for x in log_returns) / (len(log_returns) - 1))
    r_1d, r_5d, r_1m = c[-1] / c[-2] - 1, c[-1] / c[-6] - 1, c[-1] / c[-22] - 1
    return {
        "r_1d": r_1d,
        "r_5d": r_5d,
        "r_1m": r_1m,
        "sigma": sigma,
        "z_1d": math.log1p(r_1d) / sigma,
        "z_5d": math.log1p(r_5d) / (sigma * math.sqrt(5)),
        "z_1m": math.log1p(r_1m) / (sigma * math.sqrt(21)),
    }


def json_strings(obj: object, *, skip: Iterable[str] = ()) -> list[str]:
    """Every string inside a JSON-like value (dicts, lists, tuples), in order; values under the
    keys in ``skip`` are left out."""
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for k, v in obj.items() if k not in skip for s in json_strings(v, skip=skip)]
    if isinstance(obj, list | tuple):
        return [s for v in obj for s in json_strings(v, skip=skip)]
    return []
