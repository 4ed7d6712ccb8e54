"""/signal through the bolt app: ack first, cards and charts, languages, permissions, errors."""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import time
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.cooldown import Cooldown
from formatting.i18n import t
from formatting.numbers import long_date
from tests.bot.slack.support import GatedSource, RateLimitedSource, run_slash, slash
from tests.fakes.market import last_session_now
from tests.fakes.slack import TEAM
from tests.support import json_strings

CJK = re.compile(r"[\u4e00-\u9fff]")
ERROR_ID = re.compile(r"\b[0-9a-f]{8}\b")


def everything(body: dict[str, Any]) -> str:
    return "\n".join(json_strings(body))


async def test_ack_returns_before_the_price_fetch_finishes(make_adapter, fake, prices):
    """The ack is the HTTP answer; the fetch is still blocked when it arrives, the card follows."""
    source = GatedSource(prices)
    adapter = await make_adapter(source)
    began = time.perf_counter()
    ack = await slash(adapter, fake, "IWM")
    acked_in = time.perf_counter() - began
    assert ack.status == 200
    assert acked_in < 1.0
    assert not source.finished.is_set()  # nothing fetched yet when Slack got its ack
    assert fake.responses == []
    await asyncio.to_thread(source.started.wait, 5)  # the fetch runs after the ack
    source.release.set()
    await adapter.idle()
    assert source.finished.is_set()
    (card,) = fake.responses
    assert card["response_type"] == "in_channel"
    assert "IWM" in everything(card)


@pytest.mark.parametrize("language", ["en", "zh", "both"])
async def test_card_in_the_workspace_language(make_adapter, fake, store, language):
    """The card (blocks) and its chart come in the language the workspace stored."""
    adapter = await make_adapter(language="en")
    await store.set_language("slack", TEAM, language)
    (card,) = await run_slash(adapter, fake, "iwm")
    assert card["response_type"] == "in_channel"
    headers = [b["text"]["text"] for b in card["blocks"] if b["type"] == "header"]
    shown = {"en": ["en"], "zh": ["zh"], "both": ["en", "zh"]}[language]
    assert len(headers) == len(shown)
    text = everything(card)
    for lang, header in zip(shown, headers, strict=True):
        assert t("regime.defensive_impulse.label", lang) in header
        assert t("card.footer", lang) in text
        assert t("card.scope", lang) in text
    assert bool(CJK.search(text)) == (language != "en")
    assert ("defensive impulse" in text) == (language != "zh")
    # the chart: a PNG uploaded without a channel, shown inside the card
    (upload,) = fake.of("upload")
    assert upload.raw.startswith(b"\x89PNG")
    (complete,) = fake.of("files.completeUploadExternal")
    assert "channel_id" not in complete.params
    assert complete.token == "xoxb-test-token"
    (uploaded,) = json.loads(complete.params["files"])
    assert card["blocks"][-1]["slack_file"] == {"id": uploaded["id"]}


async def test_bilingual_card_stays_within_block_kit_limits(adapter, fake):
    """A bilingual card: at most 50 blocks, 3000 chars a section, 10 fields, 150-char headers."""
    (card,) = await run_slash(adapter, fake, "IWM")
    blocks = card["blocks"]
    assert 0 < len(blocks) <= 50
    for block in blocks:
        assert Block.parse(block).to_dict() == block
        Block.parse(block).validate_json()
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert len(block.get("text", {}).get("text", "")) <= 3000
            assert len(block.get("fields", [])) <= 10
        if block["type"] == "context":
            assert 1 <= len(block["elements"]) <= 10
    assert 0 < len(card["text"]) <= 4000


async def test_several_tickers_give_several_cards_and_failures_only_to_the_user(adapter, fake):
    """Each good ticker is a card in the channel; a failed one is an ephemeral note after them."""
    responses = await run_slash(adapter, fake, "IWM SPY ZZZZ")
    assert [r["response_type"] for r in responses] == ["in_channel", "in_channel", "ephemeral"]
    assert "ZZZZ" in responses[-1]["text"]
    assert len(fake.of("files.completeUploadExternal")) == 2


async def test_more_tickers_than_a_response_url_takes_is_refused(adapter, fake):
    """Five tickers would need more than Slack's five responses: refused before any fetch."""
    (reply,) = await run_slash(adapter, fake, "IWM SPY QQQ DIA TLT")
    assert reply["response_type"] == "ephemeral"
    assert t("error.too_many_tickers", "en", max=4) in reply["text"]


# ---- permissions -------------------------------------------------------------------------------


async def test_member_cannot_change_the_language(adapter, fake, store):
    """users.info says neither admin nor owner: refused, ephemeral, nothing stored."""
    fake.user("U0MEMBER", is_admin=False, is_owner=False)
    (reply,) = await run_slash(adapter, fake, "language zh", user="U0MEMBER")
    assert reply["response_type"] == "ephemeral"
    assert t("slack.error.missing_permission", "en") in reply["text"]
    assert "server" not in reply["text"]
    assert [c.params["user"] for c in fake.of("users.info")] == ["U0MEMBER"]
    assert await store.get_language("slack", TEAM, "unset") == "unset"


@pytest.mark.parametrize("flag", ["is_admin", "is_owner", "is_primary_owner"])
async def test_workspace_admin_or_owner_changes_the_language(adapter, fake, store, flag):
    """An admin or owner per users.info sets the language; the confirmation is in the new one."""
    fake.user("U0ADMIN", **{flag: True})
    (reply,) = await run_slash(adapter, fake, "language zh", user="U0ADMIN")
    assert await store.get_language("slack", TEAM, "unset") == "zh"
    assert reply["text"] == t("language.set", "zh", language=t("language.name.zh", "zh"))
    (card,) = await run_slash(adapter, fake, "IWM")
    assert t("card.footer", "en") not in everything(card)


async def test_colors_in_slack_need_a_workspace_admin(adapter, fake, store):
    """/signal colors red-up: a member is refused; an admin's choice is stored and confirmed."""
    fake.user("U0MEMBER", is_admin=False, is_owner=False)
    (refused,) = await run_slash(adapter, fake, "colors red-up", user="U0MEMBER")
    assert t("slack.error.missing_permission", "en") in refused["text"]
    assert await store.get_colors("slack", TEAM) is None
    fake.user("U0ADMIN", is_admin=True)
    (done,) = await run_slash(adapter, fake, "colors red-up", user="U0ADMIN")
    assert await store.get_colors("slack", TEAM) == "red-up"
    assert t("colors.set", "en", scheme=t("colors.name.red-up", "en")) in done["text"]
    (shown,) = await run_slash(adapter, fake, "colors", user="U0MEMBER")
    assert t("colors.name.red-up", "en") in shown["text"]


async def test_listed_admin_ids_need_no_users_info(make_adapter, fake, store):
    """A member listed in SLACK_ADMIN_USER_IDS may set the language; users.info is not asked."""
    adapter = await make_adapter(slack_admin_user_ids="U0BOSS,U0OTHER")
    await run_slash(adapter, fake, "language en", user="U0BOSS")
    assert await store.get_language("slack", TEAM, "unset") == "en"
    assert fake.of("users.info") == []


async def test_showing_the_language_needs_no_rights(adapter, fake, store):
    """/signal language shows the setting to anyone, without asking users.info."""
    await store.set_language("slack", TEAM, "en")
    (reply,) = await run_slash(adapter, fake, "language")
    assert reply["text"] == t("language.current", "en", language="English")
    assert fake.of("users.info") == []


async def test_users_info_failure_means_not_admin(adapter, fake, store):
    """If users.info fails the user is treated as a member: refused, nothing stored."""
    fake.fail("users.info", "user_not_found")
    (reply,) = await run_slash(adapter, fake, "language zh")
    assert reply["response_type"] == "ephemeral"
    assert await store.get_language("slack", TEAM, "unset") == "unset"


# ---- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I$$", t("error.invalid_ticker", "en", ticker="I$$")),
        ("ZZZZ", t("error.no_data", "en", ticker="ZZZZ")),
        ("NEW", t("error.not_enough_history", "en", ticker="NEW", closes=10)),
        ("2999-01-04", t("error.no_ticker", "en")),
        (
            "IWM 2999-01-04",
            # the latest session is read when the test runs, not at collection (a run may span
            # a close)
            lambda: t(
                "error.future_date",
                "en",
                date="January 4, 2999",
                latest=long_date(last_session_now(), "en"),
            ),
        ),
        ("digest off #general", t("slack.error.bad_channel", "en", value="#general")),
        (
            "digest watchlist",
            t("slack.error.digest_usage", "en", usage="/signal digest watchlist SPY QQQ IWM"),
        ),
    ],
)
async def test_user_errors_are_specific_and_ephemeral(make_adapter, fake, text, expected):
    """Each mistake gets its own message, only to the user, in the workspace's language."""
    adapter = await make_adapter(language="en")
    (reply,) = await run_slash(adapter, fake, text)
    if callable(expected):
        expected = expected()
    assert reply == {"text": expected, "response_type": "ephemeral"}


async def test_errors_use_the_workspace_language(make_adapter, fake, store):
    """A Chinese workspace gets the Chinese message only."""
    adapter = await make_adapter(language="en")
    await store.set_language("slack", TEAM, "zh")
    (reply,) = await run_slash(adapter, fake, "ZZZZ")
    assert reply["text"] == t("error.no_data", "zh", ticker="ZZZZ")


async def test_rate_limited_source(make_adapter, fake):
    """An upstream rate limit says when to try again."""
    adapter = await make_adapter(RateLimitedSource(), language="en")
    (reply,) = await run_slash(adapter, fake, "IWM")
    assert reply == {
        "text": t("error.rate_limited", "en", ticker="IWM", minutes=2),
        "response_type": "ephemeral",
    }


async def test_crash_gives_an_error_id_and_no_stack_trace(make_adapter, fake, caplog):
    """A bug is logged with an id; the user sees the id, never the exception."""
    adapter = await make_adapter(broken=True, language="both")
    (reply,) = await run_slash(adapter, fake, "IWM")
    assert reply["response_type"] == "ephemeral"
    error_id = ERROR_ID.search(reply["text"]).group(0)
    assert reply["text"] == "\n".join(
        t("error.unexpected", lang, error_id=error_id) for lang in ("en", "zh")
    )
    assert "boom" not in reply["text"] and "Traceback" not in reply["text"]
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)


async def test_adapter_crash_after_the_ack_is_reported_with_an_id(
    adapter, fake, monkeypatch, caplog
):
    """A failure in the adapter itself (rendering, Slack calls) also ends in an id, not silence."""

    async def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("render bug")

    monkeypatch.setattr("bot.adapters.slack.handlers.send_outcome", explode)
    (reply,) = await run_slash(adapter, fake, "IWM")
    error_id = ERROR_ID.search(reply["text"]).group(0)
    assert reply["response_type"] == "ephemeral"
    assert "render bug" not in reply["text"]
    assert any(error_id in r.getMessage() for r in caplog.records)


async def test_cooldown_between_signal_requests(make_adapter, fake):
    """A second /signal within the cooldown is refused with the seconds left; settings are not."""
    adapter = await make_adapter(signal_cooldown_seconds=30, language="en")
    adapter.commands.cooldown = Cooldown(30, clock=lambda: 1000.0)  # time stands still
    (card,) = await run_slash(adapter, fake, "IWM")
    (refused,) = await run_slash(adapter, fake, "SPY")
    assert card["response_type"] == "in_channel"
    assert refused == {"text": t("error.cooldown", "en", seconds=30), "response_type": "ephemeral"}
    (help_reply,) = await run_slash(adapter, fake, "help")
    assert help_reply["response_type"] == "ephemeral"
    (other_user,) = await run_slash(adapter, fake, "SPY", user="U0SOMEONE")
    assert other_user["response_type"] == "in_channel"


async def test_a_typo_does_not_use_up_the_cooldown(make_adapter, fake):
    """An invalid ticker is answered without a fetch, so the next /signal is not refused."""
    adapter = await make_adapter(signal_cooldown_seconds=30, language="en")
    (typo,) = await run_slash(adapter, fake, "IWM!!")
    assert typo["text"] == t("error.invalid_ticker", "en", ticker="IWM!!")
    (card,) = await run_slash(adapter, fake, "IWM")
    assert card["response_type"] == "in_channel"


async def test_commas_do_not_dodge_the_card_cap(make_adapter, fake):
    """'IWM,SPY,QQQ,DIA,TLT' is five tickers: over the cap, refused before any card is posted."""
    adapter = await make_adapter(language="en")
    (refused,) = await run_slash(adapter, fake, "IWM,SPY,QQQ,DIA,TLT")
    assert refused["text"] == t("error.too_many_tickers", "en", max=4)
    assert fake.of("files.completeUploadExternal") == []


# ---- escaping ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["<!channel>", "<!here|here>", "<@U0VICTIM>", "@here", "@channel", "<!subteam^S1|@team>"],
)
async def test_mentions_from_input_never_ping(make_adapter, fake, text):
    """Slack markup typed by a user comes back escaped: no @channel, @here or user mention."""
    adapter = await make_adapter(language="both")
    (reply,) = await run_slash(adapter, fake, text)
    shown = reply["text"]
    assert "<!" not in shown and "<@" not in shown
    assert "@channel" not in shown and "@here" not in shown
    assert "&lt;" in shown or "@\u200b" in shown


async def test_bad_channel_text_is_escaped(adapter, fake):
    """The channel argument is quoted back escaped too."""
    (reply,) = await run_slash(adapter, fake, "digest schedule <#general&x>")
    assert "<#" not in reply["text"]
    assert "&lt;#general&amp;x&gt;" in reply["text"]


# ---- help, about, digest contract ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["help", "", "HELP"])
async def test_help_lists_the_slack_spelling(make_adapter, fake, text):
    """/signal help (or a bare /signal) lists '/signal language [en|zh|...]' and friends."""
    adapter = await make_adapter(language="en")
    (reply,) = await run_slash(adapter, fake, text)
    assert reply["response_type"] == "ephemeral"
    assert "/signal language [en|zh|zh-hant|zh-hk|both|both-hant|both-hk]" in reply["text"]
    assert "/signal TICKER" in reply["text"]


async def test_about_has_the_disclaimer(make_adapter, fake):
    """/signal about explains the method and carries the footer."""
    adapter = await make_adapter(language="zh")
    (reply,) = await run_slash(adapter, fake, "about")
    assert t("card.footer", "zh") in reply["text"]
    assert t("card.footer", "en") not in reply["text"]


async def test_ack_latency_over_twenty_commands(adapter, fake):
    """Twenty signed /signal commands: every ack well inside Slack's 3 s (median far below)."""
    await run_slash(adapter, fake, "IWM")  # first request pays auth.test and the cold cache
    times = []
    for _ in range(20):
        began = time.perf_counter()
        ack = await slash(adapter, fake, "IWM")
        times.append(time.perf_counter() - began)
        assert ack.status == 200
    await adapter.idle()
    assert max(times) < 1.0
    assert statistics.median(times) < 0.25
