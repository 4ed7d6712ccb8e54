"""The one path every adapter takes: resolve language, run the command, turn errors into replies.

:func:`explain` is the project's one error policy: a user mistake or a signal error becomes its
catalog message; an error an adapter registered (:func:`register_error`, e.g. Discord's
app-command check failures) becomes the adapter's message; anything else is logged once with a
fresh id and the user reads ``error.unexpected`` with that id, never a traceback.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.clock import utc_now
from commands.context import MemberAlerts, Request, Services
from commands.lookup import message_for
from commands.registry import dispatch
from commands.reply import Message, Reply, UserError
from commands.validation import MAX_TICKERS
from formatting.card import LANGUAGES, Language
from formatting.colours import COLOUR_SCHEMES, ColourScheme
from signals.errors import SignalError

log = logging.getLogger(__name__)


#: Errors raised before the price source is asked: such a reply does not use up a cooldown.
NO_FETCH_ERRORS = frozenset(
    {
        "error.invalid_ticker",
        "error.no_ticker",
        "error.one_ticker",
        "error.too_many_tickers",
        "error.bad_date",
        "error.future_date",
        "error.date_out_of_range",
    }
)


@dataclass(frozen=True)
class Explained:
    """The message for an error, and the id it was logged under when it was unexpected."""

    message: Message
    error_id: str | None = None
    extra: tuple[Message, ...] = ()  # lines shown after the message (e.g. missing permissions)


#: Maps a platform-specific error to its message (None: not this adapter's to explain).
ErrorMapper = Callable[[BaseException], Explained | None]
_PLATFORM_ERRORS: list[tuple[type[BaseException], ErrorMapper]] = []


def register_error(kind: type[BaseException], mapper: ErrorMapper) -> None:
    """An adapter's own error (Discord's refusals, ...): ``mapper`` says what the user reads."""
    if (kind, mapper) not in _PLATFORM_ERRORS:
        _PLATFORM_ERRORS.append((kind, mapper))


def explain(error: BaseException, *, what: str, **context: object) -> Explained:
    """What the user reads for ``error``; an unexpected one is logged as ``what`` with an id."""
    if isinstance(error, UserError | SignalError):
        return Explained(message_for(error))
    for kind, mapper in _PLATFORM_ERRORS:
        if isinstance(error, kind):
            explained = mapper(error)
            if explained is not None:
                return explained
    error_id = uuid.uuid4().hex[:8]
    details = "".join(f" {name}={value}" for name, value in context.items())
    log.error(
        "%s error_id=%s%s",
        what,
        error_id,
        details,
        exc_info=(type(error), error, error.__traceback__),
    )
    return Explained(Message(key="error.unexpected", params={"error_id": error_id}), error_id)


#: Called after every command with (platform, command, status, seconds); see bot.ops.metrics.
CommandHook = Callable[[str, str, str, float], None]


@dataclass(frozen=True)
class Outcome:
    """A reply ready to render, in the language it must be rendered in."""

    reply: Reply
    language: Language
    colors: ColourScheme | None = None  # the server's choice; None: the language's default
    error_id: str | None = None  # set when an unexpected exception was logged under this id

    @property
    def fetched_nothing(self) -> bool:
        """The command failed on its input, before any upstream request (refund a cooldown)."""
        reply = self.reply
        return not reply.cards and any(m.key in NO_FETCH_ERRORS for m in reply.messages)


class Dispatcher:
    """Runs commands for any platform; one instance shared by all adapters."""

    def __init__(
        self,
        services: Services,
        *,
        clock: Callable[[], datetime] = utc_now,
        on_command: CommandHook | None = None,
    ) -> None:
        self.services = services
        self.clock = clock
        self.on_command = on_command  # metrics: (platform, command, status, seconds)

    async def language_for(self, platform: str, server_id: str) -> Language:
        """The server's stored language, or the configured default."""
        default = self.services.default_language
        if self.services.settings is None:
            return default
        stored = await self.services.settings.get_language(platform, server_id, default)
        return stored if stored in LANGUAGES else default

    async def safe_language_for(self, platform: str, server_id: str) -> Language:
        """Like :meth:`language_for`, but a storage failure falls back to the default (logged)."""
        try:
            return await self.language_for(platform, server_id)
        except Exception:
            log.exception("language lookup failed platform=%s server=%s", platform, server_id)
            return self.services.default_language

    async def colors_for(self, platform: str, server_id: str) -> ColourScheme | None:
        """The server's stored colour convention (None: none chosen, or storage failed)."""
        if self.services.settings is None:
            return None
        try:
            stored = await self.services.settings.get_colors(platform, server_id)
        except Exception:
            log.exception("colours lookup failed platform=%s server=%s", platform, server_id)
            return None
        for scheme in COLOUR_SCHEMES:
            if stored == scheme:
                return scheme
        return None

    async def run(
        self,
        command: str,
        args: Mapping[str, str],
        *,
        platform: str,
        server_id: str,
        channel_id: str | None = None,
        user_id: str | None = None,
        is_admin: bool = False,
        member_alerts: MemberAlerts = "channel",
        max_tickers: int = MAX_TICKERS,
    ) -> Outcome:
        """Run ``command``; user errors and crashes come back as ephemeral replies, never raise."""
        began = time.perf_counter()
        language = await self.safe_language_for(platform, server_id)
        colors = await self.colors_for(platform, server_id)
        request = Request(
            command=command,
            args=dict(args),
            language=language,
            colors=colors,
            platform=platform,
            server_id=server_id,
            channel_id=channel_id,
            user_id=user_id,
            is_admin=is_admin,
            member_alerts=member_alerts,
            max_tickers=max_tickers,
            now=self.clock(),
        )
        status = "ok"
        error_id: str | None = None
        try:
            reply = await dispatch(request, self.services)
            if command == "language":  # confirm a change in the language just chosen
                language = await self.safe_language_for(platform, server_id)
            if command == "colors":
                colors = await self.colors_for(platform, server_id)
        except Exception as exc:
            explained = explain(exc, what="command crashed", command=command)
            error_id = explained.error_id
            status = f"crash:{error_id}" if error_id else f"user_error:{explained.message.key}"
            reply = Reply(messages=(explained.message,), ephemeral=True)
        seconds = time.perf_counter() - began
        if self.on_command is not None:
            self.on_command(platform, command, status, seconds)
        log.info(
            "command=%s platform=%s server=%s channel=%s user=%s tickers=%s status=%s "
            "duration_ms=%.0f",
            command,
            platform,
            server_id,
            channel_id,
            user_id,
            ",".join(c.ticker for c in reply.cards) or "-",
            status,
            seconds * 1000,
        )
        return Outcome(reply=reply, language=language, colors=colors, error_id=error_id)
