"""Where the chart goes in a Feishu/Lark card before it is known whether it can be shown.

A kind renders the first card of a digest with an ``img`` element whose ``img_key`` is
:data:`PLACEHOLDER` (as long as a real ``image_key`` is, so the card's 20 KB budget counts it)
and attaches the chart's PNG to that message. At posting time the poster either uploads the chart
with the target's app credentials and puts the real key in (:func:`with_image`), or, for a target
without them, takes the element out: the card is then the one without a chart (the research
link, when the site is published, stays; its lines are split as if the chart were there).
"""

from __future__ import annotations

from typing import Any

#: The ``img_key`` of a chart not uploaded yet: 64 characters (Feishu keys are about 50).
PLACEHOLDER = "signalbot-chart-" + "0" * 48

JSON = dict[str, Any]


def _lists(card: JSON) -> list[list[Any]]:
    """The element lists of a card: ``elements`` and each locale's ``i18n_elements``."""
    found: list[list[Any]] = []
    if isinstance(card.get("elements"), list):
        found.append(card["elements"])
    i18n = card.get("i18n_elements")
    if isinstance(i18n, dict):
        found.extend(v for v in i18n.values() if isinstance(v, list))
    return found


def _is_placeholder(element: Any) -> bool:
    return (
        isinstance(element, dict)
        and element.get("tag") == "img"
        and element.get("img_key") == PLACEHOLDER
    )


def has_image(body: JSON) -> bool:
    """Does ``body`` (a request body with a ``card``) hold the chart's placeholder?"""
    card = body.get("card")
    return isinstance(card, dict) and any(
        _is_placeholder(e) for elements in _lists(card) for e in elements
    )


def with_image(body: JSON, image_key: str | None) -> JSON:
    """``body`` with the placeholder's ``img_key`` set to ``image_key``, or (None) without it."""
    card = body.get("card")
    if not isinstance(card, dict):
        return body

    def fixed(elements: list[Any]) -> list[Any]:
        out = []
        for element in elements:
            if not _is_placeholder(element):
                out.append(element)
            elif image_key is not None:
                out.append({**element, "img_key": image_key})
        return out

    new_card = dict(card)
    if isinstance(card.get("elements"), list):
        new_card["elements"] = fixed(card["elements"])
    i18n = card.get("i18n_elements")
    if isinstance(i18n, dict):
        new_card["i18n_elements"] = {
            k: fixed(v) if isinstance(v, list) else v for k, v in i18n.items()
        }
    return {**body, "card": new_card}
