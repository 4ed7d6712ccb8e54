"""A real alert run in its own process, for the kill -9 tests: ``python -m tests.bot.alert_child``.

Arguments: the database URL and the lease in seconds. The platforms come from the environment
exactly as ``signalbot digest run`` takes them (``DISCORD_TOKEN`` + ``DISCORD_API_BASE_URL``,
``SLACK_BOT_TOKEN`` + ``SLACK_API_BASE_URL``): the real discord.py and slack_sdk clients,
through the bot's own posters (``bot.delivery.posters.standalone_posters``), against the fakes of
``tests.digest``. Prints one summary line of the run's report.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta

from bot.alerts.runner import AlertRunner
from bot.delivery.posters import standalone_posters
from bot.settings import load_settings
from bot.storage import open_storage
from signals.calendar import MarketCalendar
from signals.service import PriceService
from tests.bot.test_alerts import Source
from tests.fakes.market import WORKED_SESSION, worked_example_bars


async def main(db_url: str, lease_seconds: str) -> None:
    worked = worked_example_bars()  # neutral on June 5, defensive impulse on June 8
    prices = PriceService(Source({"IWM": worked, "SPY": worked * 2.4}), MarketCalendar())
    settings = load_settings(env_file=None)
    async with open_storage(db_url) as storage:
        posters, opened = await standalone_posters(settings, storage)
        try:
            runner = AlertRunner(
                storage, prices, posters, lease=timedelta(seconds=float(lease_seconds))
            )
            report = await runner.run(WORKED_SESSION)
        finally:
            for poster in opened:
                await poster.close()
    print(
        f"sent={report.sent} recovered={report.recovered} messages={report.messages} "
        f"skipped={report.skipped} failed={report.failed}"
    )


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:3]))
