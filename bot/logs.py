"""Logging set-up: one greppable line per event, secrets redacted, level from settings."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import warnings
from pathlib import Path

from pandas.errors import Pandas4Warning

_TOKEN_PATTERNS = (
    re.compile(r"xox[abposr]-[A-Za-z0-9-]{8,}"),  # Slack bot/user/app-config tokens
    re.compile(r"xapp-[A-Za-z0-9-]{8,}"),  # Slack app-level tokens
    re.compile(r"[MN][A-Za-z\d_-]{23,25}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,}"),  # Discord bot token
)


class RedactSecrets(logging.Filter):
    """Replaces anything shaped like a Discord or Slack token, and any known secret, by ``***``."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if len(s) >= 6)

    def redact(self, text: str) -> str:
        """``text`` with every secret removed."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        for pattern in _TOKEN_PATTERNS:
            text = pattern.sub("***", text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def configure_logging(
    level: str = "INFO",
    *,
    quiet: bool = False,
    log_file: Path | None = None,
    secrets: tuple[str, ...] = (),
) -> None:
    """Log ``time level logger message`` lines with secrets redacted.

    Normally to stderr at ``level``. ``quiet`` (one-shot commands) shows warnings only. With
    ``log_file`` (terminal mode, where stderr shares the screen with the conversation) the full
    log goes to the file and only warnings reach stderr.
    """
    formatter = logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S"
    )
    redact = RedactSecrets(secrets)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING if quiet or log_file else level.upper())
    handlers: list[logging.Handler] = [console]
    tightened: int | None = None
    if log_file is not None:
        from bot.storage.sqlite_file import private_dir, tighten

        private_dir(log_file.parent)
        with contextlib.suppress(FileExistsError):  # created private: it may quote user input
            os.close(os.open(log_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        tightened = tighten(log_file, 0o600, announce=False)
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(redact)
        root.addHandler(handler)
    root.setLevel(logging.WARNING if quiet else level.upper())
    # httpx logs every request's URL at INFO, and a Telegram Bot API URL holds the bot token
    quiet_loggers = ("peewee", "matplotlib", "asyncio", "urllib3", "aiosqlite", "discord.gateway",
                     "httpx", "httpcore", "telegram.ext.Updater")  # fmt: skip
    for noisy in quiet_loggers:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # pandas 3.1 deprecations inside yfinance / exchange_calendars are not the operator's business
    warnings.filterwarnings("ignore", category=Pandas4Warning)
    # yfinance logs every failed ticker at ERROR; the source reads those records itself and
    # reports one line per fetch, so keep them off the operator's console.
    logging.getLogger("yfinance").propagate = False
    if log_file is not None and tightened is not None:
        from bot.storage.sqlite_file import announce_tightened

        announce_tightened(log_file, tightened, tightened & 0o600)


def console_at(level: str) -> None:
    """Show ``level`` and above on stderr again (``signalbot run`` serving only webhook targets:
    no terminal conversation shares the screen, so the log belongs on stderr)."""
    for handler in logging.getLogger().handlers:
        if type(handler) is logging.StreamHandler and handler.stream is sys.stderr:
            handler.setLevel(level.upper())
