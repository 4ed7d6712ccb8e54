"""Digest model and renderers: order, call-outs, notes, and long digests split within limits."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from formatting import blocks as sb
from formatting import embeds as de
from formatting.card import LANGUAGES, Language, languages
from formatting.digest import Digest, DigestIssue, build_digest, heatmap_specs
from formatting.digest_render import digest_to_discord, digest_to_slack, digest_to_text
from formatting.i18n import t
from formatting.messages import message_text
from signals.regimes import REGIME_ORDER, Regime
from tests.digest.conftest import PREVIOUS, SESSION, make_signal

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
CODE = re.compile(r"```\n?(.*?)\n?```", re.S)


def digest_of(n: int, *, changes: int = 0, issues: int = 0, stale: bool = False) -> Digest:
    """``n`` tickers over every regime; the first ``changes`` have a different previous regime."""
    regimes = list(Regime)
    as_of = PREVIOUS if stale else SESSION
    signals = [make_signal(f"T{i:03d}", as_of, regimes[i % 9], 100.0 + i) for i in range(n)]
    previous = {
        s.ticker: regimes[(i + 1) % 9] if i < changes else s.regime for i, s in enumerate(signals)
    }
    problems = [
        DigestIssue(ticker=f"BAD{i}", key="error.no_data", params={"ticker": f"BAD{i}"})
        for i in range(issues)
    ]
    return build_digest(SESSION, signals, previous=previous, issues=problems, source="csv")


def table_tickers(text: str) -> list[str]:
    """Tickers of every table row inside code blocks (header lines skipped)."""
    out = []
    for block in CODE.findall(text):
        out += [line.split()[0] for line in block.splitlines()[1:] if line.strip()]
    return out


def discord_texts(bodies: list[dict[str, Any]], k: int) -> list[str]:
    return [b["embeds"][k]["description"] for b in bodies]


def check_discord(digest: Digest, lang: Language, bodies: list[dict[str, Any]]) -> None:
    """Every Discord limit holds and every line of every language is there exactly once."""
    shown = languages(lang)
    for body in bodies:
        embeds = body["embeds"]
        assert len(embeds) == len(shown) <= de.MAX_EMBEDS
        assert sum(de.embed_chars(e) for e in embeds) <= de.MAX_TOTAL_CHARS
        assert body["allowed_mentions"] == {"parse": []}
        for embed in embeds:
            assert len(embed["title"]) <= de.MAX_TITLE
            assert len(embed["description"]) <= de.MAX_DESCRIPTION
            assert len(embed["footer"]["text"]) <= de.MAX_FOOTER
            assert "…" not in embed["description"]  # nothing clipped
    for k, lg in enumerate(shown):
        texts = discord_texts(bodies, k)
        assert table_tickers("\n".join(texts)) == [row.ticker for row in digest.rows]
        for row in digest.changes:
            line = t("digest.change", lg, ticker=row.ticker,
                     old=t(f"regime.{row.previous.value}.label", lg),  # type: ignore[union-attr]
                     new=t(f"regime.{row.signal.regime.value}.label", lg))  # fmt: skip
            assert sum(text.count(de.escape(line) + "\n") for text in texts) == 1
        for issue in digest.issues:
            # dates written out per language (2026年6月5日), as every catalog message
            shown_issue = message_text(issue.key, issue.params, lg)
            assert sum(text.count(shown_issue) for text in texts) == 1
        for body, text in zip(bodies, texts, strict=True):
            assert de.escape(t("card.scope", lg)) in text
            assert body["embeds"][k]["footer"]["text"] == t("card.footer", lg)


def check_slack(digest: Digest, lang: Language, bodies: list[dict[str, Any]]) -> None:
    """Every Block Kit limit holds and every table row is there exactly once per language."""
    shown = languages(lang)
    rows: dict[int, list[str]] = {k: [] for k in range(len(shown))}
    for body in bodies:
        blocks = body["blocks"]
        assert len(blocks) <= sb.MAX_BLOCKS
        assert len(body["text"]) <= sb.MAX_FALLBACK_TEXT
        k = -1
        for block in blocks:
            if block["type"] == "header":
                k += 1
                assert len(block["text"]["text"]) <= sb.MAX_HEADER_TEXT
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= sb.MAX_SECTION_TEXT
                rows[k] += table_tickers(block["text"]["text"])
            if block["type"] == "context":
                texts = [e["text"] for e in block["elements"]]
                assert len(texts) <= sb.MAX_CONTEXT_ELEMENTS
                assert all(len(x) <= sb.MAX_CONTEXT_TEXT for x in texts)
                assert sb.escape_mrkdwn(t("card.footer", shown[k])) in texts
                assert sb.escape_mrkdwn(t("card.scope", shown[k])) in texts
        assert k == len(shown) - 1
    for k in rows:
        assert rows[k] == [row.ticker for row in digest.rows]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_sixty_tickers_split_within_limits_with_nothing_dropped(lang: Language) -> None:
    """60 tickers with 20 changes and 3 issues: several messages, each valid, every line once."""
    digest = digest_of(60, changes=20, issues=3)
    bodies = digest_to_discord(digest, lang, image="attachment://heatmap.png")
    check_discord(digest, lang, bodies)
    assert len(bodies) >= (2 if lang == "both" else 1)
    assert bodies[0]["embeds"][0]["image"] == {"url": "attachment://heatmap.png"}
    assert all("image" not in e for b in bodies[1:] for e in b["embeds"])
    slack = digest_to_slack(digest, lang)
    check_slack(digest, lang, slack)
    if len(bodies) > 1:
        total = len(bodies)
        assert bodies[-1]["embeds"][0]["title"].endswith(
            de.escape(t("digest.part", languages(lang)[0], part=total, total=total))
        )


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(0, 90),
    changes=st.integers(0, 90),
    issues=st.integers(0, 6),
    stale=st.booleans(),
    lang=st.sampled_from(LANGUAGES),
)
def test_any_digest_renders_within_limits(
    n: int, changes: int, issues: int, stale: bool, lang: Language
) -> None:
    """Whatever the size, Discord and Slack bodies are valid and complete."""
    digest = digest_of(n, changes=min(changes, n), issues=issues, stale=stale)
    check_discord(digest, lang, digest_to_discord(digest, lang))
    check_slack(digest, lang, digest_to_slack(digest, lang))


def test_rows_sorted_by_regime_order_keeping_watchlist_order() -> None:
    """Most defensive regime first; equal regimes keep the watchlist order."""
    digest = digest_of(27)
    ranks = [REGIME_ORDER.index(row.signal.regime) for row in digest.rows]
    assert ranks == sorted(ranks)
    first = [row.ticker for row in digest.rows if row.signal.regime == REGIME_ORDER[0]]
    assert first == sorted(first)


def test_regime_change_is_called_out_first_in_both_languages() -> None:
    """'IWM: neutral → defensive impulse' leads the digest, in English and Chinese."""
    signals = [
        make_signal("SPY", SESSION, Regime.UPTREND),
        make_signal("IWM", SESSION, Regime.DEFENSIVE_IMPULSE),
    ]
    previous = {"SPY": Regime.UPTREND, "IWM": Regime.NEUTRAL}
    digest = build_digest(SESSION, signals, previous=previous)
    [body] = digest_to_discord(digest, "both")
    en, zh = (e["description"] for e in body["embeds"])
    assert en.index("IWM: neutral → defensive impulse") < en.index("```")
    assert zh.index("IWM：中性 → 防御动能") < zh.index("```")
    text = digest_to_text(digest, "en")
    assert "IWM: neutral → defensive impulse" in text
    assert "SPY: " not in text


def test_no_changes_line_only_when_history_is_known() -> None:
    """'No regime changes' appears when previous regimes are known, not on a first digest."""
    signals = [make_signal("IWM", SESSION, Regime.NEUTRAL)]
    known = build_digest(SESSION, signals, previous={"IWM": Regime.NEUTRAL})
    unknown = build_digest(SESSION, signals)
    assert t("digest.no_changes", "en") in digest_to_text(known, "en")
    assert t("digest.no_changes", "en") not in digest_to_text(unknown, "en")


def test_stale_data_is_said_explicitly() -> None:
    """Figures older than the session carry 'data as of <earlier session>' in each language."""
    digest = digest_of(3, stale=True)
    assert digest.stale and digest.data_as_of == PREVIOUS
    [body] = digest_to_discord(digest, "both")
    en, zh = (e["description"] for e in body["embeds"])
    assert "No closing prices for June 8, 2026 yet; this digest uses data as of June 5, 2026." in en
    assert "2026年6月8日的收盘价尚未更新，本日报数据截至2026年6月5日。" in zh
    assert "Data as of June 5, 2026 close" in en
    [slack] = digest_to_slack(digest, "en")
    assert "data as of June 5, 2026" in str(slack["blocks"])


def test_one_language_shows_no_other_language() -> None:
    """English digests have no CJK; Chinese ones have no English labels."""
    digest = digest_of(12, changes=4, issues=1, stale=True)
    assert not CJK.search(str(digest_to_discord(digest, "en")))
    assert not CJK.search(str(digest_to_slack(digest, "en")))
    zh = digest_to_text(digest, "zh")
    for word in ("Regime", "Ticker", "Scope", "defensive", "Data as of"):
        assert word not in zh


def test_heatmaps_split_at_sixty_rows() -> None:
    """One heatmap per 60 rows, in table order, titled in each language shown."""
    specs = heatmap_specs(digest_of(61), "both")
    assert [len(s.rows) for s in specs] == [60, 1]
    assert specs[0].title == "ETF momentum regimes, June 8, 2026 / 2026年6月8日ETF动量状态一览"
    assert specs[0].column_labels == ("1D / 单日", "5D / 5日", "1M / 1个月")
    assert heatmap_specs(digest_of(0), "en") == []


def test_text_has_everything() -> None:
    """The plain text has every ticker, issue, the scope and the footer."""
    digest = digest_of(45, changes=3, issues=2)
    text = digest_to_text(digest, "both")
    counts = Counter(line.split()[0] for line in text.splitlines() if line.startswith("T"))
    assert all(counts[row.ticker] == 2 for row in digest.rows)  # once per language
    assert text.count(t("card.footer", "zh")) == 1 and text.count(t("card.scope", "en")) == 1
    assert date(2026, 6, 8).strftime("%B") in text
