"""The ``signalbot`` command line: run the bot, one-shot signals, previews, database, digests."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from bot.cli_parser import build_parser
from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings
from bot.signal_json import signal_json as _signal_json
from commands.advice import offline_advised, offline_command
from commands.lookup import build_cards, error_message, message_for, resolve_sessions
from commands.reply import Message, UserError
from commands.validation import parse_date, parse_symbol
from formatting.card import Card, Language, languages
from formatting.i18n import LANGS
from formatting.messages import message_text
from signals.errors import SignalError

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def _one_line(key: str, params: dict[str, Any], language: Language) -> str:
    """A message on one line in every language shown (``English / 中文`` for both)."""
    return " / ".join(message_text(key, params, lang) for lang in languages(language))


def _print_errors(messages: Sequence[Message], language: Language, settings: Settings) -> None:
    """Each failure on stderr on one line; then, if the source could not be reached, how to try
    the bot offline (the command as this install runs it), as the terminal says it."""
    for message in messages:
        print(_one_line(message.key, dict(message.params), language), file=sys.stderr)
    if offline_advised([m.key for m in messages], settings.prices.sources[0]):
        hint = {"command": offline_command()}
        print(_one_line("terminal.offline_hint", hint, language), file=sys.stderr)


def _language(settings: Settings, choice: str | None) -> Language:
    return cast(Language, choice or settings.chat.default_language)


async def _cards(
    settings: Settings, raw: Sequence[str], as_of_raw: str | None
) -> dict[str, Card | SignalError | UserError]:
    """A card or an error for each requested word, in request order (invalid ones included)."""
    from bot.services import open_price_service

    entries: list[tuple[str, str | UserError]] = []
    for word in raw:
        try:
            entries.append((word, parse_symbol(word)))
        except UserError as exc:
            entries.append((word, exc))
    valid = list(dict.fromkeys(item for _, item in entries if isinstance(item, str)))
    as_of = parse_date(as_of_raw) if as_of_raw else None
    async with open_price_service(settings) as prices:
        session = await resolve_sessions(prices, valid, datetime.now(UTC), as_of)
        cards = await build_cards(prices, valid, session=session) if valid else {}
        from commands.history import with_track_lines

        good = [c for c in cards.values() if isinstance(c, Card)]
        cards.update({c.ticker: c for c in await with_track_lines(prices, good)})
    results: dict[str, Card | SignalError | UserError] = {}
    for word, item in entries:
        if isinstance(item, UserError):
            results[word] = item
        else:
            results[item] = cards[item]
    return results


def _error_json(error: SignalError | UserError) -> dict[str, Any]:
    message = message_for(error)
    return {
        "code": message.key,
        # message_text, not t: a source is a Term, a date a long date, in each language
        "message": {lang: message_text(message.key, message.params, lang) for lang in LANGS},
    }


async def cmd_signal(args: argparse.Namespace, settings: Settings) -> int:
    """``signalbot signal``: cards to the terminal, or JSON."""
    from rich.console import Console

    from formatting.terminal import card_to_terminal

    language = _language(settings, args.lang)
    results = await _cards(settings, args.tickers, args.as_of)
    failed = False
    if args.json:
        out: list[dict[str, Any]] = []
        for ticker, result in results.items():
            if isinstance(result, Card):
                out.append(_signal_json(result))
            else:
                failed = True
                out.append({"ticker": ticker, "error": _error_json(result)})
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return EXIT_USAGE if failed else EXIT_OK
    console = Console(highlight=False)
    for result in results.values():
        if isinstance(result, Card):
            console.print(card_to_terminal(result, language, colors=args.colors))
    messages = [message_for(result) for result in results.values() if not isinstance(result, Card)]
    _print_errors(messages, language, settings)
    return EXIT_USAGE if messages else EXIT_OK


async def cmd_preview(args: argparse.Namespace, settings: Settings) -> int:
    """``signalbot preview``: the exact platform payload for one card."""
    from formatting.blocks import card_to_slack
    from formatting.embeds import card_to_discord
    from formatting.terminal import card_to_terminal, render_plain

    language = _language(settings, args.lang)
    results = await _cards(settings, [args.ticker], args.as_of)
    result = next(iter(results.values()))
    if not isinstance(result, Card):
        _print_errors([message_for(result)], language, settings)
        return EXIT_USAGE
    if args.platform == "discord":
        filename = f"{result.ticker}.png"
        payload = card_to_discord(
            result, language, image=f"attachment://{filename}", colors=args.colors
        )
        payload["attachments"] = [{"id": 0, "filename": filename}]
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    elif args.platform == "slack":
        print(json.dumps(card_to_slack(result, language), ensure_ascii=False, indent=2))
    else:
        print(render_plain(card_to_terminal(result, language, colors=args.colors)))
    return EXIT_OK


async def cmd_history(args: argparse.Namespace, settings: Settings) -> int:
    """``signalbot history``: the track record as tables, or JSON (unrounded fractions)."""
    from rich.console import Console

    from bot.services import open_price_service
    from commands.history import (
        check_record,
        fetch_track_records,
        history_provenance,
        record_json,
    )
    from formatting.track_record import HistoryView, history_to_terminal

    language = _language(settings, args.lang)
    ticker = parse_symbol(args.ticker)
    as_of = parse_date(args.as_of) if args.as_of else None
    currency: str | None = None
    async with open_price_service(settings) as prices:
        session = await resolve_sessions(prices, [ticker], datetime.now(UTC), as_of)
        result = (await fetch_track_records(prices, [ticker], session=session))[ticker]
        source = prices.source.name
        if args.json and not isinstance(result, SignalError):
            source, currency = await history_provenance(prices, ticker, session, source)
    if isinstance(result, SignalError):
        if args.json:
            print(json.dumps({"ticker": ticker, "error": _error_json(result)}, ensure_ascii=False))
        else:
            _print_errors([error_message(result)], language, settings)
        return EXIT_USAGE
    try:
        check_record(result)
    except UserError as exc:
        if not args.json:
            raise
        print(json.dumps({"ticker": ticker, "error": _error_json(exc)}, ensure_ascii=False))
        return EXIT_USAGE
    if args.json:
        data = record_json(result, source=source, currency=currency)
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    view = HistoryView(record=result, source=source)
    Console(highlight=False).print(history_to_terminal(view, language))
    return EXIT_OK


async def cmd_db_upgrade(settings: Settings) -> int:
    """``signalbot db upgrade``: apply migrations."""
    from bot.storage.db import upgrade

    await upgrade(settings.storage.async_database_url)
    print("database is up to date")
    return EXIT_OK


def cmd_config(args: argparse.Namespace, settings: Settings) -> int:
    """``signalbot config``: the settings in effect, or (``--markdown``) the README's table."""
    from bot.settings_doc import markdown_table, text_table

    print(markdown_table() if args.markdown else text_table(settings))
    return EXIT_OK


async def cmd_run(settings: Settings) -> int:
    """``signalbot run``: the long-running bot."""
    from bot.app import run_bot

    return await run_bot(settings)


def _secrets(settings: Settings) -> tuple[str, ...]:
    """Every configured secret value, so the log filter can redact it verbatim."""
    values = (
        settings.discord.token,
        settings.slack.bot_token,
        settings.slack.app_token,
        settings.slack.signing_secret,
        settings.slack.client_secret,
        settings.prices.tiingo_api_key,
    )
    return tuple(v.get_secret_value() for v in values if v is not None)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``signalbot`` console script."""
    try:
        code = _main(argv)
        sys.stdout.flush()  # a reader that left (``| head``) shows here, not at interpreter exit
    except BrokenPipeError:
        # the reader has all it wanted: no traceback; stdout to devnull so the interpreter's
        # final flush does not fail again (the recipe of Python's signal module docs, SIGPIPE)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE
    return code


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["run"])
    try:
        settings = load_settings()
    except SettingsError as exc:
        if args.command == "doctor":  # the checklist's first line, then stop: nothing else runs
            from bot.ops.checks import format_check, problem

            fix = "fix that variable in the environment or .env (see .env.example)"
            print(format_check(problem("settings", str(exc), fix)))
            return EXIT_FAILURE
        print(f"signalbot: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    terminal_mode = args.command == "run" and not (
        settings.discord.enabled or settings.slack.enabled
    )
    configure_logging(
        settings.ops.log_level,
        quiet=args.command in ("signal", "preview", "history", "config", "doctor", "site")
        or getattr(args, "digest_command", None) == "preview",
        log_file=settings.storage.data_dir / "signalbot.log" if terminal_mode else None,
        secrets=_secrets(settings),
    )
    language = _language(settings, getattr(args, "lang", None))
    try:
        if args.command == "config":
            return cmd_config(args, settings)
        if args.command == "doctor":
            from bot.ops.doctor import cmd_doctor

            return asyncio.run(cmd_doctor(settings, limit=args.timeout))
        if args.command == "signal":
            return asyncio.run(cmd_signal(args, settings))
        if args.command == "preview":
            return asyncio.run(cmd_preview(args, settings))
        if args.command == "history":
            return asyncio.run(cmd_history(args, settings))
        if args.command == "digest":
            from bot.digest.cli import cmd_digest

            return asyncio.run(cmd_digest(args, settings))
        if args.command == "db":
            return asyncio.run(cmd_db_upgrade(settings))
        if args.command == "site":
            from bot.site.cli import cmd_site

            return asyncio.run(cmd_site(args, settings, _signal_json))
        return asyncio.run(cmd_run(settings))
    except UserError as exc:
        print(_one_line(exc.key, exc.params, language), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        raise  # the reader left (``| head``): main() ends quietly, this is no failure to report
    except Exception as exc:  # every command fails on one line, as `run` does
        return _failed(args, settings, language, exc)


def _failed(
    args: argparse.Namespace, settings: Settings, language: Language, exc: Exception
) -> int:
    """One line on stderr naming the command and the cause (secrets redacted); the traceback
    only with ``SIGNALBOT_LOG_LEVEL=DEBUG``."""
    from signals.sources.http import redacted

    sub = (
        getattr(args, "db_command", None)
        or getattr(args, "digest_command", None)
        or getattr(args, "site_command", None)
    )
    command = " ".join(str(part) for part in (args.command, sub) if part)
    if settings.ops.log_level.upper() == "DEBUG":
        traceback.print_exception(exc, file=sys.stderr)
    inner = getattr(exc, "orig", None)  # a database driver's own error, without SQLAlchemy's
    cause = inner if isinstance(inner, BaseException) else exc  # "Background on..." link
    text = " ".join(str(cause).split())
    for secret in _secrets(settings):
        text = text.replace(secret, "***")
    text = redacted(text)
    text = text if len(text) <= 200 else text[:199] + "…"
    problem = f"{type(cause).__name__}: {text}" if text else type(cause).__name__
    print(
        _one_line("cli.failed", {"command": command, "problem": problem}, language), file=sys.stderr
    )
    return EXIT_FAILURE
