"""Before a message is posted again, ask the platform whether an earlier attempt already did.

An earlier attempt (a holder that died, a timeout) may have posted and never marked the message
sent. Posters that implement :class:`~bot.delivery.poster.Recoverable` look the message's marker
up on the platform (Discord history, Slack metadata) from the first claim on. A poster that
cannot be asked (no such method, missing permission, API error) gets the message posted once,
with a warning that a duplicate is possible. A platform that keeps no history a bot may read
and takes no idempotency key (Telegram) cannot be asked at all: a retry there logs "possible
duplicate" once and posts. Digest parts and regime alerts both go through
:func:`find_before_posting`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.delivery.channels import channel_for, known
from bot.delivery.markers import nonce
from bot.delivery.poster import Poster, Recoverable
from bot.storage import Claim, DeliveryKey, Subscription

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lookup:
    """Which message to look for: where, its marker, since when; ``what`` names it in logs."""

    platform: str
    server_id: str
    channel_id: str
    marker: str
    since: datetime
    what: str


async def find_before_posting(poster: Poster, lookup: Lookup) -> str | None:
    """The id of the message already on the platform, or None (then post it)."""
    where = f"{lookup.what} platform={lookup.platform} channel={lookup.channel_id}"
    if not isinstance(poster, Recoverable):
        platform = lookup.platform
        channel = channel_for(platform, lookup.server_id) if known(platform) else None
        capabilities = None if channel is None else channel.capabilities
        if capabilities is None or capabilities.finds_history:
            log.warning("retry cannot ask the platform %s; a duplicate is possible", where)
        elif capabilities.posts_blind or not capabilities.idempotency_key:
            log.warning(
                "possible duplicate: retrying %s since %s; the platform cannot say whether the "
                "earlier attempt posted it, so a duplicate is possible",
                where,
                lookup.since.isoformat(timespec="seconds"),
            )
        return None
    try:
        found = await poster.find_posted(
            lookup.channel_id, lookup.marker, lookup.since, server_id=lookup.server_id
        )
    except Exception as exc:  # RecoveryUnavailable, or anything else: post once
        log.warning(
            "retry could not check the platform %s error=%s; posting once, a duplicate is possible",
            where,
            exc,
        )
        return None
    if found is not None:
        log.info("found already posted %s message=%s; marked sent", where, found)
    return found


async def find_earlier_post(
    poster: Poster, sub: Subscription, claim: Claim[DeliveryKey]
) -> str | None:
    """The id of the digest part's message already on the platform, or None (then post it)."""
    key = claim.key
    what = f"digest subscription={sub.id} session={key.session} part={key.part}"
    lookup = Lookup(
        sub.platform,
        sub.server_id,
        sub.channel_id,
        nonce(key.subscription_id, key.session, key.part),
        claim.since,
        what,
    )
    return await find_before_posting(poster, lookup)
