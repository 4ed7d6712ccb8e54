"""The seed's four card sections (issue 22): signal details, market context, interpretation
boundaries (with "not a judgement of long-term investment value") and what to watch next, in
each language shown, on Discord, Slack and the terminal."""

from __future__ import annotations

import re

import pytest

from formatting import blocks as sb
from formatting import embeds as de
from formatting.card import LANGUAGES, Language, languages
from formatting.i18n import t
from formatting.terminal import card_to_terminal
from tests.formatting.conftest import make_card
from tests.formatting.test_renderers import joined
from tests.formatting.test_typography import render_plain

SECTIONS = ("card.details", "card.context", "card.boundaries", "card.watch")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_surface_has_the_four_sections(lang: Language) -> None:
    """Each heading and the long-term sentence, in every language shown."""
    card = make_card()
    discord = joined(de.card_to_discord(card, lang))
    slack = joined(sb.card_to_slack(card, lang))
    terminal = re.sub(r"[\s│]+", "", render_plain(card_to_terminal(card, lang), width=80))
    for lg in languages(lang):
        headings = [t(key, lg) for key in SECTIONS]
        long_term = re.sub(r"\s+", "", t("card.long_term", lg))
        for rendered in (discord, slack):
            assert all(h in rendered for h in headings), (lg, headings)
            assert t("card.long_term", lg) in rendered
        assert all(h.replace(" ", "") in terminal for h in headings)
        assert long_term in terminal
