"""What every adapter provides to the runtime and the digest scheduler."""

from __future__ import annotations

from typing import Protocol


class Adapter(Protocol):
    """A chat surface run by the runtime: started, stopped, and able to post digests."""

    name: str

    async def run(self) -> None:
        """Serve until stopped; return when the surface is finished (e.g. end of input)."""
        ...

    async def stop(self) -> None:
        """Stop taking new work, let in-flight replies finish, release connections."""
        ...
