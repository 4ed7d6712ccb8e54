"""``signalbot site build`` on CSV prices, run as the user runs it (a subprocess), its pages read
back with html.parser: languages, canonical and hreflang links, OpenGraph, headings, the chart's
text alternative, and every number against ``signalbot signal --json`` for the same session."""

from __future__ import annotations

import json
import re
from itertools import pairwise
from pathlib import Path

import pytest
from PIL import Image

from formatting.numbers import pct, price
from tests.site.conftest import BASE, TICKERS, cli
from tests.site.htmlcheck import Page, read_page

LANGS = {"en": "en", "zh-hans": "zh-Hans", "zh-hant": "zh-Hant"}
CATALOG = {"en": "en", "zh-hans": "zh", "zh-hant": "zh-hant"}

pytestmark = pytest.mark.slow


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_colours_have_sufficient_contrast_light_and_dark() -> None:
    """WCAG 2 AA (4.5:1) for every text colour of the stylesheet on both of its backgrounds."""
    css = (Path(__file__).parents[2] / "bot" / "site" / "static" / "site.css").read_text()
    light, dark = css.split("@media (prefers-color-scheme: dark)")[:2]
    for block in (light, dark.split("}")[0]):
        colours = dict(re.findall(r"--([a-z]+): (#[0-9a-f]{6})", block))
        for background in ("bg", "panel"):
            for text in ("fg", "muted", "link", "green", "red", "grey"):
                ratio = _contrast(colours[text], colours[background])
                assert ratio >= 4.5, (text, background, ratio)


def _pages(out: Path) -> dict[str, Page]:
    return {
        "/" + p.parent.relative_to(out).as_posix() + "/": read_page(p)
        for p in out.rglob("index.html")
    }


def test_every_card_page_is_written_in_every_language(built) -> None:
    out, _, days = built
    for ticker in TICKERS:
        for day in days:
            for slug, tag in LANGS.items():
                page = read_page(out / ticker / day.isoformat() / slug / "index.html")
                assert page.lang == tag
                assert page.canonical == f"{BASE}/{ticker}/{day}/{slug}/"
                (chart,) = page.images  # word-free: one per colour convention, shared
                scheme = "green-up" if slug == "en" else "red-up"
                assert chart["src"] == f"../chart-{scheme}.svg"
                assert (out / ticker / day.isoformat() / f"chart-{scheme}.svg").stat().st_size
                assert page.scripts == 0  # no JavaScript


def test_hreflang_is_reciprocal_and_lists_itself(built) -> None:
    out, _, _ = built
    pages = _pages(out)
    by_url = {page.canonical: page for page in pages.values()}
    assert None not in by_url
    for url, page in by_url.items():
        alternates = page.alternates
        assert "x-default" in alternates, url
        versions = {k: v for k, v in alternates.items() if k != "x-default"}
        if alternates["x-default"] != url:  # every language version lists itself
            assert versions[page.lang] == url  # (the root is the language choice itself)
        for other in versions.values():
            assert other in by_url, f"{url} links to {other}, which is not built"
            assert by_url[other].alternates == alternates, f"{url} and {other} disagree"


def test_sitemap_lists_every_page(built) -> None:
    out, _, _ = built
    text = (out / "sitemap.xml").read_text(encoding="utf-8")
    for page in _pages(out).values():
        assert f"<loc>{page.canonical}</loc>" in text


def test_sharing_tags_and_accessible_structure(built) -> None:
    out, _, days = built
    page = read_page(out / "IWM" / days[-1].isoformat() / "zh-hant" / "index.html")
    assert page.meta["og:url"] == page.canonical
    assert page.meta["og:image"].endswith(f"/IWM/{days[-1]}/zh-hant/preview.png")
    assert page.meta["twitter:card"] == "summary_large_image"
    with Image.open(out / "IWM" / str(days[-1]) / "zh-hant" / "preview.png") as preview:
        assert preview.size == (1200, 630)
    assert (page.meta["og:image:width"], page.meta["og:image:height"]) == ("1200", "630")
    assert page.meta["og:locale"] == "zh_TW"
    for path, each in _pages(out).items():  # headings in order on every page
        levels = [level for level, _ in each.headings]
        assert levels[0] == 1 and levels.count(1) == 1, path
        assert all(b - a <= 1 for a, b in pairwise(levels)), path
        assert all(text for _, text in each.headings), path
    (chart,) = page.images
    assert "281.65" in chart["alt"] and "-3.55%" in chart["alt"] and "防禦動能" in chart["alt"]
    # colour is never alone: a sign, and a word beside each return
    assert "-3.55% 下跌" in page.text


def test_numbers_equal_signal_json_for_each_session(built) -> None:
    out, env, days = built
    for day in (days[0], days[-1]):
        done = cli(env, "signal", *TICKERS, "--json", "--as-of", day.isoformat())
        assert done.returncode == 0, done.stderr
        for expected in json.loads(done.stdout):
            assert expected["source"].startswith("csv:/")  # the CLI says where; pages do not
            expected["source"] = "csv"
            ticker = expected["ticker"]
            kept = json.loads((out / ticker / day.isoformat() / "signal.json").read_text())
            assert kept == expected
            for slug, lang in CATALOG.items():
                page = read_page(out / ticker / day.isoformat() / slug / "index.html")
                assert page.signal == expected
                shown = [price(expected["close"], lang, expected["currency"])] + [
                    pct(expected[k], lang) for k in ("r_1d", "r_5d", "r_1m")
                ]
                for value in shown:
                    assert value in page.text, (ticker, day, slug, value)
                assert expected["label"][lang] in page.text


def test_fund_page_links_each_session_and_the_index_each_fund(built) -> None:
    out, _, days = built
    fund = read_page(out / "IWM" / "en" / "index.html")
    for day in days:
        assert f"../../IWM/{day}/en/" in fund.links
    index = read_page(out / "en" / "index.html")
    assert {"../IWM/en/", "../SPY/en/"} <= set(index.links)
    root = read_page(out / "index.html")
    assert set(root.links) >= {"en/", "zh-hans/", "zh-hant/"}
    assert (out / "site.css").is_file()


def test_a_day_page_per_market_and_session_and_a_strip_of_regimes(built) -> None:
    out, _, days = built
    for day in days:
        for slug, tag in LANGS.items():
            page = read_page(out / "markets" / "xnys" / str(day) / slug / "index.html")
            assert page.lang == tag
            assert page.canonical == f"{BASE}/markets/xnys/{day}/{slug}/"
            for ticker in TICKERS:  # the digest's table: each fund, linking its page
                assert f"../../../../{ticker}/{day}/{slug}/" in page.links
            (heatmap,) = page.images
            assert (out / "markets" / "xnys" / str(day) / slug / heatmap["src"]).stat().st_size
            assert str(len(TICKERS)) in heatmap["alt"]
    index = read_page(out / "zh-hant" / "index.html")
    assert f"../markets/xnys/{days[-1]}/zh-hant/" in index.links
    fund = read_page(out / "IWM" / "zh-hans" / "index.html")
    latest, *strip = [link for link in fund.links if link.startswith("../../IWM/20")]
    assert latest == f"../../IWM/{days[-1]}/zh-hans/"
    # the strip (oldest first) and the list (newest first) both link every session
    assert strip == [f"../../IWM/{d}/zh-hans/" for d in days] + [
        f"../../IWM/{d}/zh-hans/" for d in reversed(days)
    ]


def test_the_csv_sources_folder_is_never_published(built) -> None:
    out, env, _ = built
    folder = env["SIGNALBOT_PRICE_SOURCE"].removeprefix("csv:")
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml", ".svg"):
            assert folder not in path.read_text(encoding="utf-8"), path
    page = read_page(out / "IWM" / str(built[2][-1]) / "en" / "index.html")
    assert page.signal is not None and page.signal["source"] == "csv"
    assert "CSV files" in page.text  # named generically
