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
from formatting.text import card_text
from tests.formatting.conftest import make_card
from tests.formatting.test_renderers import joined
from tests.formatting.test_typography import render_plain

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
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


def test_the_most_held_funds_have_a_market_context_naming_fund_and_index() -> None:
    """40 funds have a written sentence per script that names the fund; the card's market
    context opens with it; the Traditional text is not a conversion of the Simplified one."""
    from signals.fund_catalog.contexts import FUND_CONTEXT
    from signals.funds import FUNDS
    from tests.formatting.test_typography import simplified_only

    assert len(FUND_CONTEXT) == 40 and set(FUND_CONTEXT) <= set(FUNDS)
    for ticker, sentence in FUND_CONTEXT.items():
        code = ticker.split(".")[0]
        assert all(code in sentence.get(lg) for lg in ("en", "zh", "zh-hant", "zh-hk")), ticker
        assert sentence.hant and simplified_only(sentence.hant) == "", ticker
        assert not CJK.search(sentence.en), ticker
        context = card_text(make_card(ticker=ticker), "zh").context
        assert context is not None and context.startswith(sentence.zh), ticker
