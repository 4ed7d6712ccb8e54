"""The Feishu and Lark custom-bot kinds: signed interactive message cards.

Feishu's custom bot guide (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot;
Lark: https://open.larksuite.com/document/client-docs/bot-v3/add-custom-bot):

- Signature ("签名校验"): ``timestamp + "\\n" + secret`` is the HMAC-SHA256 *key*, the message is
  empty, the digest is Base64-encoded; ``timestamp`` (seconds, within one hour of Feishu's
  clock, e.g. 1599360473) and ``sign`` go in the JSON body. Signing is optional per bot.
- Limits: 100 messages a minute and 5 a second per bot, request body at most 20 KB.
- Answers: ``{"code": 0, "msg": "success"}`` (older bots ``StatusCode``); 19001 the webhook
  address is invalid, 19007 the bot is not enabled, 19021 "sign match fail or timestamp is not
  within one hour from current time", 19022 IP not allowed, 19024 "Key Words Not Found", 11232
  frequency limited; the OpenAPI gateway's 99991400 with HTTP 429 and ``x-ogw-ratelimit-reset``
  (https://open.feishu.cn/document/server-docs/api-call-guide/frequency-control).

The chart: a custom bot shows only images uploaded with an app's credentials (``image_key``).
The digest's first card is rendered with a placeholder for it and the chart attached
(:mod:`bot.webhooks.card_image`); the poster uploads it for a target given ``--app-id`` and
``--app-secret`` (:mod:`bot.webhooks.feishu_app`) and takes the placeholder out for one without.
When the research site is published (``SIGNALBOT_PUBLIC_URL``) the digest links its index and
the sample card the fund's page. A watchlist (at most 40 tickers) has one chart.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime

from bot.adapters.base import Attachment
from bot.delivery.poster import JSON, AlertMessage, Capabilities, Limits, Outgoing
from bot.webhooks.cn_answers import MINUTE, classify
from bot.webhooks.kind import (
    PLATFORM,
    Answer,
    Pause,
    Request,
    Response,
    Wait,
    parts,
)
from formatting.card import Card, Language
from formatting.colours import ColourScheme
from formatting.digest import Digest

#: Documented: 100 a minute, 5 a second per bot; one a second keeps well under both.
PER_MINUTE = 60.0
MAX_BODY = 20 * 1024
HEADERS = {"Content-Type": "application/json; charset=utf-8"}


def feishu_sign(secret: str, timestamp: int) -> str:
    """Feishu's ``sign``: HMAC-SHA256 keyed by ``f"{timestamp}\\n{secret}"`` over an empty
    message, Base64 (the guide's Python sample: ``hmac.new(key_enc, b"", sha256)``)."""
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def answers(platform: str) -> dict[int, Answer]:
    """What each documented code of ``platform`` (Feishu or Lark) means."""
    return {
        19001: Pause(
            f"{platform} says the webhook address is not valid: the bot was removed "
            "from the group or the URL is mistyped"
        ),
        19007: Pause(f"{platform} says the bot is not enabled in its group"),
        19021: Pause(
            f"{platform} refused the signature: the secret is not the bot's, or this "
            "server's clock is more than an hour off"
        ),
        19022: Pause(f"{platform} refused this server's IP address (the bot's IP allow list)"),
        19024: Pause(
            f"{platform} refused the message: it has none of the bot's keywords "
            "(remove the keyword rule, or use a signature instead)"
        ),
        11232: Wait(MINUTE, "11232 frequency limited"),
        99991400: Wait(MINUTE, "99991400 request trigger frequency limit"),
    }


class FeishuKind:
    """Feishu (``open.feishu.cn``) or, with ``lark=True``, Lark (``open.larksuite.com``)."""

    per_minute = PER_MINUTE
    max_body = MAX_BODY
    needs_secret = False
    extra_languages: tuple[str, ...] = ("auto",)

    def __init__(
        self, *, lark: bool = False, public_url: str | None = None, read_settings: bool = True
    ) -> None:
        if public_url is None and read_settings:
            from bot.settings.site import SiteSettings

            public_url = SiteSettings().public_url
        self.public_url = public_url
        self.name = "lark" if lark else "feishu"
        self.hosts: tuple[str, ...] = ("open.larksuite.com",) if lark else ("open.feishu.cn",)
        self._platform = "Lark" if lark else "Feishu"
        self._answers = answers(self._platform)
        self.capabilities = Capabilities(
            platform=PLATFORM, limits=Limits(max_chars=0), carries_images=True, posts_blind=True
        )

    def render_digest(
        self,
        digest: Digest,
        language: Language,
        *,
        subscription_id: int,
        images: Sequence[Attachment] = (),
        colors: ColourScheme | None = None,
    ) -> list[Outgoing]:
        """Every card of the digest (bilingual: one card per reader's client language); with
        ``images``, the first card has the chart's placeholder and carries the chart."""
        from bot.site.urls import absolute, index_path
        from bot.webhooks.card_image import PLACEHOLDER
        from formatting.feishu_card import digest_to_feishu

        base = self.public_url
        research = None if base is None else (lambda lang: absolute(base, index_path(lang)))
        key = PLACEHOLDER if images else None
        bodies = digest_to_feishu(digest, language, colors=colors, image_key=key, research=research)
        out = [Outgoing(body) for body in bodies]
        if images:
            out[0] = Outgoing(bodies[0], (images[0],))
        return out

    def render_alert(self, alert: AlertMessage) -> JSON:
        """One card with every change (several when too many for 20 KB)."""
        from formatting.feishu_card import alert_to_feishu

        bodies = alert_to_feishu(
            list(alert.changes), alert.session, alert.language, source=alert.source
        )
        return bodies[0] if len(bodies) == 1 else parts(bodies)

    def render_sample(
        self, card: Card, language: Language, *, colors: ColourScheme | None = None
    ) -> list[Outgoing]:
        """The sample card of ``webhook test``."""
        from bot.site.urls import absolute, fund_path
        from formatting.feishu_card import card_to_feishu

        base = self.public_url
        research = (
            None if base is None else (lambda lang: absolute(base, fund_path(card.ticker, lang)))
        )
        return [Outgoing(card_to_feishu(card, language, colors=colors, research=research))]

    def sign(self, url: str, secret: str | None, message: Outgoing, now: datetime) -> Request:
        """The body with ``timestamp`` and ``sign`` first when the bot has a secret."""
        from formatting.feishu_card import encode_body

        body = dict(message.payload)
        if secret:
            timestamp = int(now.timestamp())
            body = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **body}
        return Request(url=url, body=encode_body(body), headers=HEADERS)

    def classify(self, response: Response) -> Answer:
        """Success, a wait, a pause with the reason, or a failure."""
        return classify(response, self._platform, ("code", "StatusCode"), self._answers)
