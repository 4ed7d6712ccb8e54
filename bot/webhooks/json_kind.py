"""The JSON webhook: the card, digest or alert as a documented JSON body, signed.

Body (``docs/webhooks.md``): ``type`` (``digest`` / ``alert`` / ``card``), ``key`` (the delivery's
key, also the ``Idempotency-Key`` header: the same on every retry of one delivery), the same
fields as ``signal --json`` / ``digest preview --json``, and ``text``: the rendered text in each
catalog language; with the research site on (``SIGNALBOT_PUBLIC_URL``), ``page_url``: the
page in each catalog language (a digest's market day page; each alert change's and the card's
own page). Signed with HMAC-SHA256 over ``f"{t}.{body}"`` in ``X-Signalbot-Signature:
t=<unix seconds>,v1=<hex>`` (the timestamp lets a receiver refuse replays).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import datetime

from bot.adapters.base import Attachment
from bot.delivery.markers import JSON, nonce
from bot.delivery.poster import AlertMessage, Capabilities, Limits, Outgoing
from bot.webhooks.answers import answer_json, answer_text, retry_after
from bot.webhooks.kind import (
    PLATFORM,
    Answer,
    Failed,
    Pause,
    Posted,
    Request,
    Response,
    TooLarge,
    Wait,
)
from formatting.card import Card, Language
from formatting.colours import ColourScheme
from formatting.digest import Digest
from formatting.i18n import LANGS

SIGNATURE_HEADER = "X-Signalbot-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
#: The body format's version (a receiver can tell a later change).
VERSION = 1


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``v1`` signature: hex HMAC-SHA256 of ``f"{timestamp}."`` + body under ``secret``."""
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def _dump(body: JSON) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


class JsonKind:
    """The JSON webhook (see :class:`bot.webhooks.kind.WebhookKind`)."""

    name = "json"
    hosts: tuple[str, ...] = ("*",)  # any HTTPS host: the receiver is the operator's own
    per_minute = 60.0
    max_body = 1024 * 1024
    needs_secret = False
    extra_languages: tuple[str, ...] = ()
    capabilities = Capabilities(
        platform=PLATFORM, limits=Limits(max_chars=0), idempotency_key=True, posts_blind=True
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
        """One body: the digest's JSON and its text in each language."""
        from formatting.digest_json import digest_json
        from formatting.digest_render import digest_to_text

        body: JSON = {
            "version": VERSION,
            "type": "digest",
            "key": nonce(subscription_id, digest.session, 1),
            "language": language,
            **digest_json(digest),
            "text": {lang: digest_to_text(digest, _one(lang)) for lang in LANGS},
            **_digest_pages(digest),
        }
        return [Outgoing(body)]

    def render_alert(self, alert: AlertMessage) -> JSON:
        """One body: every change's card JSON, previous regime, and the text per language."""
        from formatting.alerts import alert_text
        from formatting.card_json import card_json

        changes = [
            {**card_json(c.card), "previous": c.previous.value, **_card_pages(c.card)}
            for c in alert.changes
        ]
        text = {
            lang: alert_text(list(alert.changes), alert.session, _one(lang), source=alert.source)
            for lang in LANGS
        }
        return {
            "version": VERSION,
            "type": "alert",
            "key": alert.key,
            "session": alert.session.isoformat(),
            "language": alert.language,
            "changes": changes,
            "text": text,
        }

    def render_sample(
        self, card: Card, language: Language, *, colors: ColourScheme | None = None
    ) -> list[Outgoing]:
        """One body: the card's JSON and its text per language."""
        from formatting.card_json import card_json
        from formatting.text import signal_paragraph

        body: JSON = {
            "version": VERSION,
            "type": "card",
            "key": f"test-{card.ticker}-{card.signal.as_of:%Y%m%d}",
            "language": language,
            **card_json(card),
            "text": {lang: signal_paragraph(card, lang) for lang in LANGS},
            **_card_pages(card),
        }
        return [Outgoing(body)]

    def sign(self, url: str, secret: str | None, message: Outgoing, now: datetime) -> Request:
        """JSON body; signature and idempotency key in headers."""
        body = _dump(message.payload)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        key = message.payload.get("key")
        if key:
            headers[IDEMPOTENCY_HEADER] = str(key)
        if secret:
            t = int(now.timestamp())
            headers[SIGNATURE_HEADER] = f"t={t},v1={signature(secret, t, body)}"
        return Request(url, body, headers)

    def classify(self, response: Response) -> Answer:
        """2xx posted (``id`` of a JSON answer kept); 429/503 wait; 401/403/404/410 pause."""
        status = response.status
        if 200 <= status < 300:
            return Posted(str(answer_json(response).get("id") or ""))
        if status in (429, 503):
            return Wait(retry_after(response), f"HTTP {status}")
        if status in (401, 403):
            return Pause(f"the receiver refused the signature (HTTP {status})")
        if status in (404, 410):
            return Pause(f"the receiver's URL is gone (HTTP {status})")
        if status == 413:
            return TooLarge(f"HTTP 413: {answer_text(response)}")
        return Failed(f"HTTP {status}: {answer_text(response)}")


def _one(lang: str) -> Language:
    """A catalog language as the language setting that shows only it."""
    return "zh" if lang == "zh" else "zh-hant" if lang == "zh-hant" else "en"


def _card_pages(card: Card) -> JSON:
    """``{"page_url": {lang: url}}``: the card's research page per language; {} when the site is
    off (the card carries no ``site_url``)."""
    from formatting.pagelinks import page_url

    if card.site_url is None:
        return {}
    as_of = card.signal.as_of
    return {"page_url": {lang: page_url(card.site_url, card.ticker, as_of, lang) for lang in LANGS}}


def _digest_pages(digest: Digest) -> JSON:
    """``{"page_url": {lang: url}}``: the market's day page per language; {} with the site off."""
    from formatting.digest import digest_text

    urls = {lang: digest_text(digest, lang).page_url for lang in LANGS}
    return {"page_url": urls} if all(urls.values()) else {}
