"""Before a part is posted again, ask the platform whether an earlier attempt already did.

An earlier attempt (a holder that died, a timeout) may have posted and never marked the part
sent. Posters that implement :class:`~bot.adapters.base.Recoverable` look the part's key up on
the platform (Discord history, Slack metadata) from the first claim on. A poster that cannot be
asked (no such method, missing permission, API error) gets the part posted once, with a
warning that a duplicate is possible.
"""

from __future__ import annotations

import logging
from typing import cast

from bot.adapters.base import Poster, Recoverable
from bot.digest.payloads import nonce
from bot.storage import Claim, Subscription

log = logging.getLogger(__name__)


async def find_earlier_post(poster: Poster, sub: Subscription, claim: Claim) -> str | None:
    """The id of the part's message already on the platform, or None (then post it)."""
    key = claim.key
    marker = nonce(key.subscription_id, key.session, key.part)
    where = f"platform={sub.platform} channel={sub.channel_id} subscription={sub.id} "
    where += f"session={key.session} part={key.part}"
    if getattr(poster, "find_posted", None) is None:
        if sub.platform != "terminal":
            log.warning("digest retry cannot ask the platform %s; a duplicate is possible", where)
        return None
    try:
        found = await cast(Recoverable, poster).find_posted(
            sub.channel_id, marker, claim.since, server_id=sub.server_id
        )
    except Exception as exc:  # RecoveryUnavailable, or anything else: post once
        log.warning(
            "digest retry could not check the platform %s error=%s; posting once, "
            "a duplicate is possible",
            where,
            exc,
        )
        return None
    if found is not None:
        log.info("digest part found already posted %s message=%s; marked sent", where, found)
    return found
