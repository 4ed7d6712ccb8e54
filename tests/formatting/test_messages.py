"""Messages (replies that are not cards) in every renderer: languages, dates, escaping, flags."""

from __future__ import annotations

from datetime import date

import pytest

from formatting.i18n import Term, t
from formatting.messages import message_text, message_to_discord, message_to_slack


def test_message_text_both_is_english_then_chinese() -> None:
    """Bilingual messages are the English line then the Chinese line, terms translated."""
    text = message_text("language.set", {"language": Term("language.name.both")}, "both")
    assert text.split("\n") == [
        t("language.set", "en", language="English and Simplified Chinese"),
        t("language.set", "zh", language="中英双语（简体）"),
    ]


def test_message_dates_are_localised() -> None:
    """Date parameters are written as long dates in each language."""
    text = message_text(
        "error.future_date", {"date": date(2026, 6, 9), "latest": date(2026, 6, 8)}, "zh"
    )
    assert text.startswith("2026年6月9日") and "2026年6月8日" in text


def test_message_to_discord() -> None:
    """Discord messages ping nobody, escape user text and set the ephemeral flag on request."""
    body = message_to_discord(
        "error.invalid_ticker", {"ticker": "@everyone *X*"}, "en", ephemeral=True
    )
    assert body["flags"] == 64
    assert body["allowed_mentions"] == {"parse": []}
    assert body["content"].startswith("@\u200beveryone \\*X\\* ")
    public = message_to_discord("help.help", {}, "zh", ephemeral=False)
    assert "flags" not in public and public["content"] == t("help.help", "zh")


def test_message_to_slack() -> None:
    """Slack messages escape control characters and choose the response type."""
    body = message_to_slack("error.bad_date", {"value": "<!channel> & co"}, "both", ephemeral=True)
    assert body["response_type"] == "ephemeral"
    assert "<!channel>" not in body["text"] and "&lt;!channel&gt; &amp; co" in body["text"]
    assert len(body["text"].split("\n")) == 2
    assert message_to_slack("help.help", {}, "en", ephemeral=False)["response_type"] == "in_channel"


def test_message_unknown_key_raises() -> None:
    """Rendering an unknown key fails loudly."""
    with pytest.raises(KeyError):
        message_text("error.nope", {}, "en")
