"""The fake Discord as a process: ``python -m tests.fakes.discord --rate 50 [--delay 0.05]``
prints ``PORT <n>`` once listening (the fan-out benchmark reads what it created at ``/_record``)."""

from __future__ import annotations

import argparse
import asyncio

from tests.fakes.discord.server import FakeDiscord


async def _serve(args: argparse.Namespace) -> None:
    fake = await FakeDiscord(rate=args.rate, delay=args.delay).start(args.port)
    print(f"PORT {fake.port}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--delay", type=float, default=0.0)
    asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()
