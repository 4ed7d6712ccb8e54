"""The App Home tab: the workspace's language, watchlist, digests and their last delivery."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Coroutine, Mapping, Sequence
from datetime import date
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.digests import reason_term
from bot.adapters.slack.events import REVOKED, UNINSTALLED
from bot.adapters.slack.wording import slack_params
from bot.dispatch import Dispatcher
from bot.storage import Delivery, Storage, Subscription
from formatting.blocks import MAX_HEADER_TEXT, MAX_SECTION_TEXT, clip, escape_text
from formatting.card import Language, languages
from formatting.i18n import Term, t
from formatting.messages import message_to_slack

log = logging.getLogger(__name__)

PLATFORM = "slack"
MAX_HOME_BLOCKS = 100  # Slack's limit for a Home tab view
MAX_SHOWN = 40  # subscriptions listed; the rest are counted
HELP_COMMAND = "/signal help"
SCHEDULE_COMMAND = "/signal digest schedule #channel"
_SAFE_ID = re.compile(r"[A-Z0-9]{2,30}")

Spawn = Callable[[Coroutine[Any, Any, None]], None]


def _text(key: str, params: Mapping[str, Any], lang: Language) -> str:
    return str(message_to_slack(key, slack_params(params), lang, ephemeral=False)["text"])


_SLACK_CODE = re.compile(
    r"\b(not_in_channel|missing_scope|restricted_action|channel_not_found|is_archived)\b"
)


def failure_reason(error: str | None) -> object:
    """A failed delivery's error: a Slack error an admin can act on (a paused digest) in words,
    anything else as stored."""
    found = _SLACK_CODE.search(error or "")
    if found is None:
        return error or "-"
    return reason_term(found.group(1))


def stop_reason(reason: str | None) -> object:
    """Why a digest stopped, in words: a Slack error code (alone or as the fan-out's
    ``channel gone: <code>``) and the uninstall reasons become catalog terms; anything else
    (``turned off by U…``) is shown as stored."""
    if not reason:
        return "-"
    code = reason.removeprefix("channel gone: ").strip()
    if code in ("token_revoked", UNINSTALLED, REVOKED):
        code = "app_uninstalled"
    term = reason_term(code)
    return reason if term.key == "slack.reason.other" and code == reason else term


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(text, MAX_SECTION_TEXT)))


def _header(key: str, lang: Language) -> HeaderBlock:
    title = " / ".join(t(key, one) for one in languages(lang))
    return HeaderBlock(text=PlainTextObject(text=clip(title, MAX_HEADER_TEXT), emoji=False))


def channel_link(channel_id: str) -> str:
    """``<#C123>`` for a well-formed channel id (Slack shows its name), else the escaped text."""
    return f"<#{channel_id}>" if _SAFE_ID.fullmatch(channel_id) else escape_text(channel_id)


def _last_delivery(delivery: Delivery | None, lang: Language) -> str:
    if delivery is None:
        return _text("slack.home.last_none", {}, lang)
    if delivery.state == "sent":
        return _text("slack.home.last_sent", {"date": delivery.session}, lang)
    if delivery.state == "failed":
        error = failure_reason(delivery.error)
        return _text("slack.home.last_failed", {"date": delivery.session, "error": error}, lang)
    return _text("slack.home.last_sending", {"date": delivery.session}, lang)


def _subscription(sub: Subscription, delivery: Delivery | None, lang: Language) -> str:
    when: object = sub.time if sub.time is not None else Term("slack.home.after_close")
    lines = [
        f"*{channel_link(sub.channel_id)}*",
        _text("slack.home.schedule", {"time": when, "timezone": sub.timezone}, lang),
        _text("slack.home.market", {"market": Term(f"market.{sub.market}")}, lang),
    ]
    if not sub.enabled:
        lines.append(
            _text("slack.home.stopped", {"reason": stop_reason(sub.disabled_reason)}, lang)
        )
    lines.append(_last_delivery(delivery, lang))
    return "\n".join(lines)


def home_view(
    *,
    lang: Language,
    watchlist: Sequence[str],
    subscriptions: Sequence[Subscription],
    deliveries: Mapping[int, Delivery | None],
) -> dict[str, Any]:
    """The ``views.publish`` view (a pure function of what storage holds)."""
    language = Term(f"language.name.{lang}")
    blocks: list[Block] = [
        _header("slack.home.title", lang),
        _section(_text("language.current", {"language": language}, lang)),
        _section(_text("slack.home.watchlist", {"tickers": " ".join(watchlist)}, lang)),
        DividerBlock(),
        _header("slack.home.digests", lang),
    ]
    for sub in subscriptions[:MAX_SHOWN]:
        blocks.append(_section(_subscription(sub, deliveries.get(sub.id), lang)))
    if len(subscriptions) > MAX_SHOWN:
        more = {"count": len(subscriptions) - MAX_SHOWN}
        blocks.append(_section(_text("slack.home.more", more, lang)))
    if not subscriptions:
        blocks.append(_section(_text("slack.home.no_digests", {"command": SCHEDULE_COMMAND}, lang)))
    blocks.append(DividerBlock())
    help_text = _text("slack.home.help", {"command": HELP_COMMAND}, lang)
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(help_text, 2000))]))
    return View(type="home", blocks=blocks[:MAX_HOME_BLOCKS]).to_dict()


class HomeTab:
    """Publishes the Home tab when a user opens it."""

    def __init__(self, dispatcher: Dispatcher, storage: Storage, *, spawn: Spawn) -> None:
        self.dispatcher = dispatcher
        self.storage = storage
        self._spawn = spawn

    async def on_home_opened(
        self, event: dict[str, Any], body: dict[str, Any], client: Any
    ) -> None:
        """bolt listener for ``app_home_opened`` (already acknowledged by bolt)."""
        if event.get("tab", "home") != "home":
            return
        team = str(body.get("team_id") or "")
        self._spawn(self.publish(client, team, str(event.get("user") or "")))

    async def _deliveries(self, subs: Sequence[Subscription]) -> dict[int, Delivery | None]:
        prices = self.dispatcher.services.prices
        now = self.dispatcher.clock()
        by_market: dict[str, tuple[date, ...]] = {}  # each digest on its market's sessions
        found: dict[int, Delivery | None] = {}
        for sub in subs[:MAX_SHOWN]:
            sessions = by_market.get(sub.market)
            if sessions is None:
                calendar = prices.calendar_of(sub.market)
                latest = calendar.last_completed_session(now)
                sessions = by_market[sub.market] = (latest, calendar.previous_session(latest))
            found[sub.id] = None
            for session in sessions:  # the latest session's row, else the one before
                delivery = await self.storage.get_delivery(sub.id, session)
                if delivery is not None:
                    found[sub.id] = delivery
                    break
        return found

    async def view(self, team_id: str) -> dict[str, Any]:
        """The Home tab of ``team_id`` from storage."""
        lang = await self.dispatcher.language_for(PLATFORM, team_id)
        subs = await self.storage.list_subscriptions(PLATFORM, team_id, enabled_only=False)
        return home_view(
            lang=lang,
            watchlist=await self.storage.get_watchlist(PLATFORM, team_id),
            subscriptions=subs,
            deliveries=await self._deliveries(subs),
        )

    async def publish(self, client: AsyncWebClient, team_id: str, user_id: str) -> None:
        """``views.publish`` the Home tab for ``user_id``; failures are logged."""
        try:
            view = await self.view(team_id)
            await client.views_publish(user_id=user_id, view=view)
        except SlackApiError as exc:
            log.warning(
                "slack home not published team=%s user=%s error=%s",
                team_id,
                user_id,
                exc.response.get("error"),
            )
            return
        except Exception:
            log.exception("slack home not published team=%s user=%s", team_id, user_id)
            return
        log.info("slack home published team=%s user=%s", team_id, user_id)
