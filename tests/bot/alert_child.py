"""A real alert run in its own process (for the kill -9 test): ``python -m tests.bot.alert_child``.

Arguments: database URL, platform file, mode (``normal``, ``kill-before-post``,
``kill-after-post``). The poster stands for Discord: it keeps messages in the platform file and,
like Discord's ``enforce_nonce`` (the API docs: a message with a nonce already used by the same
author in the last few minutes is returned instead of created), answers a repeated nonce with
the message it already has. The kill modes SIGKILL this process right around the post.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import signal
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.alerts.runner import AlertRunner
from bot.storage import open_storage
from signals.calendar import MarketCalendar
from signals.service import PriceService
from tests.bot.test_alerts import Source
from tests.support import WORKED_SESSION, worked_example_bars


class FilePlatform:
    """Discord-like messages in a JSON-lines file, deduplicated by nonce."""

    platform = "discord"

    def __init__(self, path: Path, mode: str) -> None:
        self.path = path
        self.mode = mode

    async def send_message(
        self, channel_id: str, payload: dict[str, Any], files: Sequence[Any] = (), *, server_id=None
    ) -> str:
        if self.mode == "kill-before-post":
            os.kill(os.getpid(), signal.SIGKILL)
        with self.path.open("a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            fh.seek(0)
            rows = [json.loads(line) for line in fh if line.strip()]
            same = [r for r in rows if r["nonce"] == payload.get("nonce")]
            if same:
                return str(same[0]["id"])
            row = {"id": len(rows) + 1, "channel": channel_id, "nonce": payload.get("nonce")}
            fh.write(json.dumps(row) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        if self.mode == "kill-after-post":
            os.kill(os.getpid(), signal.SIGKILL)
        return str(row["id"])


async def main(db_url: str, platform_file: str, mode: str) -> None:
    worked = worked_example_bars()
    prices = PriceService(Source({"IWM": worked, "SPY": worked * 2.4}), MarketCalendar())
    async with open_storage(db_url) as storage:
        poster = FilePlatform(Path(platform_file), mode)
        # the killed run's claim is taken over at once: the restart comes after that process died
        runner = AlertRunner(storage, prices, {"discord": poster}, stale_after=timedelta(0))
        report = await runner.run(WORKED_SESSION)
    print(f"sent={report.sent} messages={report.messages} skipped={report.skipped}")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
