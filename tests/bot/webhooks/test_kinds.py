"""Each kind on its own: hosts it takes, what its bodies hold, how it signs and reads answers."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.delivery.poster import Outgoing
from bot.webhooks.discord_kind import with_wait
from bot.webhooks.json_kind import signature
from bot.webhooks.kind import Failed, Pause, Posted, Response, TooLarge, Wait
from bot.webhooks.kinds import host_allowed, kind, names
from tests.fakes.webhooks import verify_json_signature
from tests.formatting.conftest import make_card

NOW = datetime(2026, 6, 8, 21, 0, tzinfo=UTC)


def test_every_kind_is_registered_with_a_name_and_limits() -> None:
    for name in names():
        found = kind(name)
        assert found.name == name and found.per_minute > 0 and found.max_body > 0
        assert found.capabilities.platform == "webhook" and found.capabilities.rate is None
        assert found.capabilities.posts_blind


@pytest.mark.parametrize(
    ("name", "url", "allowed"),
    [
        ("discord", "https://discord.com/api/webhooks/1/t", True),
        ("discord", "https://discordapp.com/api/webhooks/1/t", True),
        ("discord", "http://discord.com/api/webhooks/1/t", False),
        ("discord", "https://discord.com.evil.example/api/webhooks/1/t", False),
        ("discord", "https://evil.example/?u=https://discord.com/", False),
        ("slack", "https://hooks.slack.com/services/T/B/x", True),
        ("slack", "https://HOOKS.SLACK.COM/services/T/B/x", True),
        ("slack", "https://hooks.slack.com@evil.example/services", False),
        ("json", "https://anything.example/hook", True),
        ("json", "http://anything.example/hook", False),
    ],
)
def test_documented_hosts_only(name: str, url: str, allowed: bool) -> None:
    assert host_allowed(kind(name), url) is allowed


@given(st.from_regex(r"[a-z0-9-]{1,20}(\.[a-z0-9-]{1,10}){0,3}", fullmatch=True))
def test_no_other_host_passes_for_discord_or_slack(host: str) -> None:
    for name, own in (("discord", {"discord.com", "discordapp.com", "canary.discord.com",
                                    "ptb.discord.com"}), ("slack", {"hooks.slack.com"})):  # fmt: skip
        assert host_allowed(kind(name), f"https://{host}/x") is (host in own)


@given(st.binary(max_size=300), st.text(min_size=1, max_size=40), st.integers(0, 2**33))
def test_json_signature_verifies_by_the_documented_recipe(body: bytes, secret: str, t: int) -> None:
    header = f"t={t},v1={signature(secret, t, body)}"
    assert verify_json_signature(secret, header, body, t)
    expected = hmac.new(secret.encode(), str(t).encode() + b"." + body, hashlib.sha256)
    assert header.endswith(expected.hexdigest())


def test_json_sign_keeps_the_key_and_the_body_byte_for_byte() -> None:
    message = Outgoing({"key": "d1s260608p1", "text": {"zh": "收于281.65美元"}})
    request = kind("json").sign("https://r.example/h", "s", message, NOW)
    assert request.headers["Idempotency-Key"] == "d1s260608p1"
    assert json.loads(request.body) == message.payload and "收于".encode() in request.body
    t = int(NOW.timestamp())
    assert request.headers["X-Signalbot-Signature"] == f"t={t},v1={signature('s', t, request.body)}"
    unsigned = kind("json").sign("https://r.example/h", None, message, NOW)
    assert "X-Signalbot-Signature" not in unsigned.headers


def test_discord_wait_is_added_and_other_parameters_kept() -> None:
    assert with_wait("https://discord.com/api/webhooks/1/t") == (
        "https://discord.com/api/webhooks/1/t?wait=true"
    )
    assert with_wait("https://discord.com/api/webhooks/1/t?thread_id=9&wait=false").endswith(
        "?thread_id=9&wait=true"
    )


@pytest.mark.parametrize("name", ["json", "discord", "slack"])
@pytest.mark.parametrize("language", ["en", "zh", "zh-hant", "both"])
def test_a_sample_card_renders_in_every_language(name: str, language: str) -> None:
    [message] = kind(name).render_sample(make_card(), language)  # type: ignore[arg-type]
    text = json.dumps(message.payload, ensure_ascii=False)
    assert "IWM" in text
    if name == "discord":
        assert message.payload["allowed_mentions"] == {"parse": []}
    if name == "slack":
        assert "blocks" in message.payload and "channel" not in message.payload


def answer(status: int, body: bytes = b"", **headers: str) -> Response:
    return Response(status, {k.lower().replace("_", "-"): v for k, v in headers.items()}, body)


@pytest.mark.parametrize(
    ("name", "response", "expected"),
    [
        ("json", answer(200, b'{"id": "abc"}'), Posted("abc")),
        ("json", answer(204), Posted("")),
        ("json", answer(429, retry_after="12"), Wait(12.0, "HTTP 429")),
        ("json", answer(401), Pause),
        ("json", answer(410), Pause),
        ("json", answer(413), TooLarge),
        ("json", answer(500, b"boom"), Failed),
        ("discord", answer(200, b'{"id": "123"}'), Posted("123")),
        ("discord", answer(429, b'{"retry_after": 1.5}'), Wait(1.5, "HTTP 429")),
        ("discord", answer(404, b'{"code": 10015}'), Pause),
        ("discord", answer(401, b'{"code": 50027}'), Pause),
        ("discord", answer(400, b'{"code": 50035}'), Failed),
        ("slack", answer(200, b"ok"), Posted("")),
        ("slack", answer(404, b"no_service"), Pause),
        ("slack", answer(410, b"channel_is_archived"), Pause),
        ("slack", answer(403, b"action_prohibited"), Pause),
        ("slack", answer(400, b"invalid_payload"), Failed),
        ("slack", answer(429, retry_after="3"), Wait(3.0, "HTTP 429")),
    ],
)
def test_answers_are_read_as_the_platform_documents_them(
    name: str, response: Response, expected: object
) -> None:
    got = kind(name).classify(response)
    if isinstance(expected, type):
        assert isinstance(got, expected)
    else:
        assert got == expected
    if isinstance(got, Pause):
        assert got.reason and "http" not in got.reason.lower().replace("(http", "")
