"""Feishu and DingTalk signatures, checked against documented and independently computed values."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.delivery.poster import Outgoing
from bot.webhooks.dingtalk import DingTalkKind, dingtalk_sign, signed_url
from bot.webhooks.feishu import FeishuKind, feishu_sign
from tests.fakes.webhooks_cn import dingtalk_expected, feishu_expected

#: Feishu's guide gives 1599360473 as its example timestamp ("例如，1599360473") and this Python
#: sample: key = f"{timestamp}\n{secret}", hmac.new(key_enc, b"", sha256), Base64. The sign for
#: secret "demo" was computed here with openssl (printf '' | openssl dgst -sha256 -hmac
#: "$(printf '1599360473\ndemo')" -binary | base64) and is the value public Feishu clients test
#: against ("official HMAC format").
FEISHU_TS, FEISHU_SECRET = 1599360473, "demo"
FEISHU_SIGN = "l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8="
#: DingTalk's guide gives its algorithm as Python (timestamp in ms, hmac.new(secret_enc,
#: string_to_sign_enc, sha256), urllib.parse.quote_plus(base64)); no worked value, so this one
#: was computed with openssl: printf '1577262236757\nSEC0…0' | openssl dgst -sha256 -hmac SEC0…0.
DING_TS, DING_SECRET = 1577262236757, "SEC000000000000000000000"
DING_SIGN_B64 = "xOJIB8eNoYWeLy26EMZOlc2RjOJbtPv9HYjm+E3uALU="


def test_feishu_sign_matches_the_documented_example() -> None:
    """The Feishu signer gives the sign of the guide's example timestamp."""
    assert feishu_sign(FEISHU_SECRET, FEISHU_TS) == FEISHU_SIGN
    assert feishu_expected(FEISHU_SECRET, str(FEISHU_TS)) == FEISHU_SIGN


def test_feishu_sign_is_the_key_not_the_message() -> None:
    """The secret line is the HMAC key over an empty message, not DingTalk's way round."""
    wrong = hmac.new(FEISHU_SECRET.encode(), f"{FEISHU_TS}\n{FEISHU_SECRET}".encode(), "sha256")
    assert feishu_sign(FEISHU_SECRET, FEISHU_TS) != base64.b64encode(wrong.digest()).decode()


def test_dingtalk_sign_matches_the_documented_algorithm() -> None:
    """The DingTalk signer gives the openssl value, Base64 then URL-encoded (+ / = escaped)."""
    assert dingtalk_sign(DING_SECRET, DING_TS) == urllib.parse.quote_plus(DING_SIGN_B64)
    assert "%2B" in dingtalk_sign(DING_SECRET, DING_TS)
    assert dingtalk_expected(DING_SECRET, str(DING_TS)) == DING_SIGN_B64


def test_feishu_body_carries_timestamp_and_sign_in_seconds() -> None:
    """A signed Feishu body holds the timestamp in seconds (a string) and its sign."""
    now = datetime.fromtimestamp(FEISHU_TS, UTC)
    request = FeishuKind().sign("https://open.feishu.cn/x", "demo", Outgoing({"a": 1}), now)
    import json

    body = json.loads(request.body)
    assert body["timestamp"] == "1599360473" and body["sign"] == FEISHU_SIGN and body["a"] == 1
    unsigned = json.loads(FeishuKind().sign("u", None, Outgoing({"a": 1}), now).body)
    assert unsigned == {"a": 1}


def test_dingtalk_url_carries_milliseconds_and_the_encoded_sign() -> None:
    """``&timestamp=<ms>&sign=<url-encoded>`` is appended to the access_token URL."""
    now = datetime.fromtimestamp(DING_TS / 1000, UTC)
    url = signed_url("https://oapi.dingtalk.com/robot/send?access_token=t", DING_SECRET, now)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["timestamp"] == [str(DING_TS)]
    assert query["sign"] == [DING_SIGN_B64]
    kind = DingTalkKind(read_settings=False)
    assert kind.sign("https://x/robot/send?access_token=t", None, Outgoing({}), now).url.endswith(
        "access_token=t"
    )


@given(st.text(min_size=1, max_size=40), st.integers(0, 4_102_444_800_000))
def test_signers_agree_with_the_fake_verifiers(secret: str, stamp: int) -> None:
    """For any secret and timestamp, the bot's signers and the fakes' verifiers agree."""
    assert feishu_sign(secret, stamp // 1000) == feishu_expected(secret, str(stamp // 1000))
    decoded = urllib.parse.unquote_plus(dingtalk_sign(secret, stamp))
    assert decoded == dingtalk_expected(secret, str(stamp))
    assert (
        base64.b64decode(decoded)
        == hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    )
