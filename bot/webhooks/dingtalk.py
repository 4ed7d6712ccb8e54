"""The DingTalk (钉钉) custom-robot kind: signed URL, Markdown, images only by public URL.

DingTalk's custom robot (https://open.dingtalk.com/document/robots/custom-robot-access and
https://open.dingtalk.com/document/orgapp/customize-robot-security-settings):

- Signature ("加签"): ``timestamp`` in *milliseconds* (within one hour of DingTalk's clock);
  ``sign`` = Base64 of HMAC-SHA256 with the secret (``SEC…``) as key over
  ``timestamp + "\\n" + secret``, then URL-encoded; both appended to the webhook URL as
  ``&timestamp=…&sign=…``.
- ``markdown`` messages have a ``title`` (the notification) and a ``text``; a member is
  mentioned only when named in ``at`` (here: nobody). Images show only from a URL.
- "每个机器人每分钟最多发送20条消息到群里，如果超过20条，会限流10分钟": 20 a minute; the 21st
  blocks the robot for ten minutes (errcode 130101 "send too fast, exceed 20 times per minute").
- Answers ``{"errcode": 0, "errmsg": "ok"}``; 310000 the security settings refused the message
  ("keywords not in content", "sign not match", "ip … not in whitelist", "invalid timestamp"),
  300001 the token is not valid, 400013 the group is dissolved, 460101 the message is too long.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import quote_plus

from bot.adapters.base import Attachment
from bot.delivery.poster import JSON, AlertMessage, Capabilities, Limits, Outgoing
from bot.webhooks.cn_answers import classify, encode_json, read_code
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
from bot.webhooks.site_images import SiteImages
from formatting.alerts import RegimeChange
from formatting.card import Card, Language, languages
from formatting.colours import ColourScheme
from formatting.digest import Digest

log = logging.getLogger(__name__)

#: Documented 20 a minute, the 21st blocking for ten minutes: 18 keeps room to spare.
PER_MINUTE = 18.0
#: The request body is kept within 20,000 bytes (the renderer keeps the text within 18,000).
MAX_BODY = 20_000
BLOCKED_SECONDS = 600.0
HEADERS = {"Content-Type": "application/json; charset=utf-8"}

ANSWERS: dict[int, Answer] = {
    300001: Pause(
        "DingTalk says the robot's access token is not valid: the robot was removed "
        "or the URL is mistyped"
    ),
    400013: Pause("DingTalk says the robot's group was dissolved"),
    130101: Wait(BLOCKED_SECONDS, "130101 send too fast: the robot is blocked for ten minutes"),
    460101: TooLarge("DingTalk 460101: message too long"),
}
#: 310000 names the security setting that refused the message: the reason said for each.
SECURITY = (
    (
        "keyword",
        "the message has none of the robot's keywords (remove the keyword rule, or "
        "use a signature instead)",
    ),
    (
        "sign",
        "the signature was refused: the secret is not the robot's, or this server's "
        "clock is more than an hour off",
    ),
    ("timestamp", "the signature was refused: this server's clock is more than an hour off"),
    ("ip", "this server's IP address is not in the robot's allow list"),
)


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's ``sign``, URL-encoded: Base64 of HMAC-SHA256 keyed by the secret over
    ``f"{timestamp_ms}\\n{secret}"`` (the guide's ``urllib.parse.quote_plus(base64…)``)."""
    message = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def signed_url(url: str, secret: str, now: datetime) -> str:
    """``url`` with ``timestamp`` (milliseconds) and ``sign`` appended."""
    timestamp = int(now.timestamp() * 1000)
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp}&sign={dingtalk_sign(secret, timestamp)}"


def markdown_body(title: str, text: str) -> JSON:
    """A ``markdown`` message that mentions nobody."""
    return {
        "msgtype": "markdown",
        "markdown": {"title": title, "text": text},
        "at": {"atMobiles": [], "atUserIds": [], "isAtAll": False},
    }


class DingTalkKind:
    """DingTalk custom robots (``oapi.dingtalk.com``).

    ``public_url`` is the published research site (``SIGNALBOT_PUBLIC_URL``, read when None is
    given) for the sample card; a digest or an alert links the site its pieces carry
    (``Digest.site_url``, ``Card.site_url``). The pictures are the site's PNGs
    (:class:`~bot.webhooks.site_images.SiteImages`: the card page's preview, the day page's
    heatmap); without the site, none.
    """

    name = "dingtalk"
    hosts: tuple[str, ...] = ("oapi.dingtalk.com",)
    per_minute = PER_MINUTE
    max_body = MAX_BODY
    needs_secret = False
    extra_languages: tuple[str, ...] = ()

    def __init__(
        self,
        public_url: str | None = None,
        *,
        read_settings: bool = True,
        images: SiteImages | None = None,
    ) -> None:
        if public_url is None and read_settings:
            from bot.settings.site import SiteSettings

            public_url = SiteSettings().public_url
        self.public_url = public_url
        self.images = SiteImages(read_settings=read_settings) if images is None else images
        self.capabilities = Capabilities(
            platform=PLATFORM, limits=Limits(max_chars=0), posts_blind=True
        )
        self._said_no_images = False

    def _no_images(self, what: str) -> None:
        if not self._said_no_images:
            log.info("DingTalk shows images only from a public URL: %s", what)
            self._said_no_images = True

    def chart_url(self, card: Card, language: Language) -> str | None:
        """The public URL of ``card``'s picture on its research page (the page's PNG preview:
        DingTalk shows no SVG), or None."""
        return self.images.card(card, language, base=self.public_url, unchecked=True)

    def render_digest(
        self,
        digest: Digest,
        language: Language,
        *,
        subscription_id: int,
        images: Sequence[Attachment] = (),
        colors: ColourScheme | None = None,
    ) -> list[Outgoing]:
        """The Markdown parts, each standing alone; the heatmap by its URL on the day page when
        the research site has it (the site writes the day after its digests: often not yet)."""
        from formatting.webhook_markdown import DINGTALK, digest_parts, digest_title

        url = self.images.day(digest, language, unchecked=False)
        texts = digest_parts(DINGTALK, digest, language, colors, image_url=url)
        if images and url is None:
            self._no_images("a digest's heatmap is posted only from the research site")
        return [
            Outgoing(markdown_body(digest_title(digest, language, i, len(texts)), text))
            for i, text in enumerate(texts, start=1)
        ]

    def render_alert(self, alert: AlertMessage) -> JSON:
        """One Markdown message with every change (several when too long), with the charts
        from the research site when it is configured."""
        from formatting.alerts import alert_blocks
        from formatting.webhook_markdown import DINGTALK, alert_parts

        def chart(change: RegimeChange) -> str | None:
            return self.chart_url(change.card, alert.language)

        if not any(c.card.site_url or self.public_url for c in alert.changes):
            self._no_images("set SIGNALBOT_PUBLIC_URL to show the charts of alerts")

        changes = list(alert.changes)
        texts = alert_parts(
            DINGTALK, changes, alert.session, alert.language, source=alert.source, chart_url=chart
        )
        blocks = alert_blocks(changes, alert.session, alert.language, source=alert.source)
        title = " / ".join(block[0] for block in blocks)
        bodies = [markdown_body(title, text) for text in texts]
        return bodies[0] if len(bodies) == 1 else parts(bodies)

    def render_sample(
        self, card: Card, language: Language, *, colors: ColourScheme | None = None
    ) -> list[Outgoing]:
        """The sample card of ``webhook test``."""
        from formatting.text import card_text
        from formatting.webhook_markdown import DINGTALK, card_markdown

        url = self.chart_url(card, language)
        text = card_markdown(DINGTALK, card, language, colors, chart_url=url)
        title = card_text(card, languages(language)[0]).title
        return [Outgoing(markdown_body(title, text))]

    def sign(self, url: str, secret: str | None, message: Outgoing, now: datetime) -> Request:
        """The URL signed when the robot has a secret; the body as is."""
        target = signed_url(url, secret, now) if secret else url
        return Request(url=target, body=encode_json(message.payload), headers=HEADERS)

    def classify(self, response: Response) -> Answer:
        """Success, a wait, a pause with the reason, or a failure."""
        code = read_code(response, "errcode")
        if code.code == 310000:
            text = code.message.lower()
            reason = next(
                (why for word, why in SECURITY if word in text),
                "the robot's security settings refused the message (keywords, signature or IP)",
            )
            return Pause(f"DingTalk: {reason}")
        return classify(response, "DingTalk", ("errcode",), ANSWERS)
