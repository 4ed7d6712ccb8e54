"""The WeCom (企业微信) group-robot kind: Markdown within 4,096 bytes, the chart as an image.

WeCom's group robot (https://developer.work.weixin.qq.com/document/path/91770):

- No signature: the robot's ``key`` in the URL is the credential
  (``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…``).
- ``markdown.content`` at most 4,096 bytes of UTF-8; ``image`` is ``base64`` of the picture and
  the ``md5`` of the picture before encoding, at most 2 MB, JPG or PNG.
- "每个机器人发送的消息不能超过20条/分钟": 20 messages a minute per robot.
- Answers ``{"errcode": 0, "errmsg": "ok"}``; 93000 "invalid webhook url", 45009 "api freq
  out of limit", 40058 with "exceed max length" for Markdown over the limit, 40009 invalid image
  size (https://developer.work.weixin.qq.com/document/path/90313, global error codes).
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime

from bot.adapters.base import Attachment
from bot.delivery.poster import JSON, AlertMessage, Capabilities, Limits, Outgoing
from bot.webhooks.cn_answers import MINUTE, classify, encode_json
from bot.webhooks.kind import (
    PLATFORM,
    Answer,
    Pause,
    Request,
    Response,
    TooLarge,
    Wait,
    parts,
)
from formatting.card import Card, Language
from formatting.colours import ColourScheme
from formatting.digest import Digest

log = logging.getLogger(__name__)

#: Documented 20 a minute; 18 keeps every sliding minute under it.
PER_MINUTE = 18.0
#: An image message: 2 MB of picture as Base64 (4/3) and the JSON around it.
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_BODY = MAX_IMAGE_BYTES * 4 // 3 + 1024
HEADERS = {"Content-Type": "application/json; charset=utf-8"}

ANSWERS: dict[int, Answer] = {
    93000: Pause(
        "WeCom says the webhook URL is not valid: the robot was removed from the group "
        "or its key is mistyped"
    ),
    45009: Wait(MINUTE, "45009 api freq out of limit"),
    40009: TooLarge("WeCom 40009: invalid image size"),
}


def markdown_body(content: str) -> JSON:
    """A ``markdown`` message."""
    return {"msgtype": "markdown", "markdown": {"content": content}}


def image_body(png: bytes) -> JSON:
    """An ``image`` message: the picture in Base64 and the MD5 of its bytes."""
    return {
        "msgtype": "image",
        "image": {
            "base64": base64.b64encode(png).decode("ascii"),
            "md5": hashlib.md5(png, usedforsecurity=False).hexdigest(),
        },
    }


class WeComKind:
    """WeCom group robots (``qyapi.weixin.qq.com``)."""

    name = "wecom"
    hosts: tuple[str, ...] = ("qyapi.weixin.qq.com",)
    per_minute = PER_MINUTE
    max_body = MAX_BODY
    needs_secret = False
    extra_languages: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.capabilities = Capabilities(
            platform=PLATFORM, limits=Limits(max_chars=0), carries_images=True, posts_blind=True
        )
        self._said_too_big = False

    def render_digest(
        self,
        digest: Digest,
        language: Language,
        *,
        subscription_id: int,
        images: Sequence[Attachment] = (),
        colors: ColourScheme | None = None,
    ) -> list[Outgoing]:
        """The Markdown parts, each within 4,096 bytes, then the heatmaps as images."""
        from formatting.webhook_markdown import WECOM, digest_parts

        texts = digest_parts(WECOM, digest, language, colors)
        out = [Outgoing(markdown_body(text)) for text in texts]
        pictures = []
        for image in images:
            if len(image.data) > MAX_IMAGE_BYTES:
                if not self._said_too_big:
                    log.warning(
                        "WeCom takes images up to 2 MB: a heatmap of %d bytes is left out",
                        len(image.data),
                    )
                    self._said_too_big = True
                continue
            pictures.append(Outgoing(image_body(image.data)))
        out[1:1] = pictures
        return out

    def render_alert(self, alert: AlertMessage) -> JSON:
        """One Markdown message with every change (several when over 4,096 bytes)."""
        from formatting.webhook_markdown import WECOM, alert_parts

        texts = alert_parts(
            WECOM, list(alert.changes), alert.session, alert.language, source=alert.source
        )
        bodies = [markdown_body(text) for text in texts]
        return bodies[0] if len(bodies) == 1 else parts(bodies)

    def render_sample(
        self, card: Card, language: Language, *, colors: ColourScheme | None = None
    ) -> list[Outgoing]:
        """The sample card of ``webhook test``."""
        from formatting.webhook_markdown import WECOM, card_markdown

        return [Outgoing(markdown_body(card_markdown(WECOM, card, language, colors)))]

    def sign(self, url: str, secret: str | None, message: Outgoing, now: datetime) -> Request:
        """The body as is: the key in the URL is the robot's only credential."""
        return Request(url=url, body=encode_json(message.payload), headers=HEADERS)

    def classify(self, response: Response) -> Answer:
        """Success, a wait, a pause with the reason, or a failure."""
        return classify(response, "WeCom", ("errcode",), ANSWERS)
