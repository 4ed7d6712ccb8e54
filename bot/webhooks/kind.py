"""What one kind of webhook is: a :class:`~bot.delivery.poster.Channel` plus how to reach it.

A kind (``json``, ``discord``, ``slack``, ``feishu``, ``lark``, ``wecom``, ``dingtalk``) renders
platform-neutral pieces (a digest, a regime alert, a sample card) into its own bodies, each of
which stands alone, signs one body into an HTTP request, and reads the platform's answer into an
:data:`Answer`. It does no I/O: the one :class:`~bot.webhooks.poster.WebhookPoster` posts for
every kind (targets in parallel, each kept under its kind's rate, answers acted upon).

Every webhook target is a digest :class:`~bot.storage.Subscription` of platform ``webhook``
whose ``server_id`` is :func:`target_server_id` (the kind's name and the target's id), so the
ledger, claims, leases, scheduler and graceful stop serve it as they serve a chat channel; the
channel of such a subscription is its kind (:func:`bot.webhooks.kinds.channel_of`).

Rules for a kind:

- ``render_digest`` returns every part; each must fit :attr:`WebhookKind.max_body` (and the
  platform's own text limits) once signed: split, never truncate silently. Put the delivery's key
  (:func:`bot.delivery.markers.nonce`) in the body where :meth:`WebhookKind.sign` finds it again if
  the kind sends one (the JSON kind's ``Idempotency-Key``).
- ``render_alert`` returns one body, or :func:`parts` of several when one would be too large.
- ``sign`` is pure: the same inputs give the same request (``now`` is passed in).
- ``classify`` never raises: anything unexpected is :class:`Failed`.
- Mentions off; user text escaped for the platform's markup.
- Language: kinds get a :data:`~formatting.languages.Language`. The setting ``auto`` (a kind
  listing it in :attr:`WebhookKind.extra_languages`, Feishu/Lark) is stored on the target and
  given to the kind as ``both`` (or ``both-hant``): a kind that can show each reader their own
  client's language renders a bilingual setting that way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from bot.delivery.poster import JSON, Channel, Outgoing
from bot.storage.webhooks import WEBHOOK, target_server_id

__all__ = ["target_server_id"]  # re-exported: kinds name targets by it

if TYPE_CHECKING:
    from formatting.card import Card, Language
    from formatting.colours import ColourScheme

#: The ``platform`` of every webhook target's subscription (see :data:`bot.storage.Platform`).
PLATFORM = WEBHOOK
#: A body of :meth:`WebhookKind.render_alert` that is really several messages: ``{PARTS: [...]}``.
PARTS = "signalbot_parts"


def parts(bodies: Sequence[JSON]) -> JSON:
    """An alert too large for one message, as several bodies posted in order."""
    return {PARTS: list(bodies)}


def kind_of(server_id: str) -> str:
    """The kind's name in a webhook subscription's ``server_id`` (see :func:`target_server_id`)."""
    return server_id.rpartition("-")[0]


@dataclass(frozen=True)
class Request:
    """One signed HTTP request, ready to send (always a POST)."""

    url: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Response:
    """The platform's answer: HTTP status, headers (lower-case names) and (capped) body."""

    status: int
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class Posted:
    """Accepted; ``message_id`` as the platform gives it ("" when it gives none)."""

    message_id: str = ""


@dataclass(frozen=True)
class Wait:
    """Rate-limited: send nothing to this target for ``seconds``, then try again."""

    seconds: float
    detail: str = ""


@dataclass(frozen=True)
class Pause:
    """Refused for a reason an admin must fix (bad signature, robot deleted): pause the target.

    ``reason`` is shown in ``webhook list`` and ``doctor``: plain words, no URL or secret.
    """

    reason: str


@dataclass(frozen=True)
class TooLarge:
    """The body was over the platform's limit (a rendering bug: parts are made to fit)."""

    detail: str


@dataclass(frozen=True)
class Failed:
    """Any other failure (server error, bad request): retried by the ledger's policy."""

    detail: str


Answer = Posted | Wait | Pause | TooLarge | Failed


class WebhookKind(Channel, Protocol):
    """One kind of webhook; also the :class:`~bot.delivery.poster.Channel` of its targets
    (``capabilities.platform`` is :data:`PLATFORM`; ``capabilities.rate`` None: paced per
    target by the poster at :attr:`per_minute`)."""

    #: The name used in ``webhook add --kind`` and in storage (lower case, no ``-``).
    name: str
    #: HTTPS hosts its URLs may name: exact host names, ``.example.com`` for any subdomain,
    #: ``*`` for any host (the JSON kind: the receiver is the operator's own).
    hosts: tuple[str, ...]
    #: Messages per minute one target accepts (kept with room to spare, never bursting).
    per_minute: float
    #: Bytes one request body may hold.
    max_body: int
    #: Whether the kind needs a signing secret (``webhook add`` refuses it without one).
    needs_secret: bool
    #: Language settings beyond :data:`~formatting.languages.LANGUAGES` (Feishu: ``("auto",)``).
    extra_languages: tuple[str, ...]

    def render_sample(
        self, card: Card, language: Language, *, colors: ColourScheme | None = None
    ) -> list[Outgoing]:
        """The bodies of one sample card (``webhook test``), each standing alone."""
        ...

    def sign(self, url: str, secret: str | None, message: Outgoing, now: datetime) -> Request:
        """The request posting ``message`` (a body this kind rendered) to ``url``, signed with
        ``secret`` at ``now``."""
        ...

    def classify(self, response: Response) -> Answer:
        """What the platform's answer means."""
        ...
