"""Catalog tooling for maintainers (not used at run time).

* :func:`missing` lists the keys of one catalog that another lacks (e.g. Simplified keys that
  have no Traditional text yet, after merging branches that only added ``zh_Hans`` entries).
* :func:`draft_traditional` turns those Simplified entries into Traditional drafts with OpenCC
  (``s2twp``: Taiwan phrases), ready to paste at the end of ``zh_Hant/.../signalbot.po``; every
  draft must then be read by a person (see ``docs/glossary.md``).
* :func:`draft_hong_kong` drafts the Hong Kong catalog: the Taiwan entries that Hong Kong writes
  differently (:func:`signals.hongkong.to_hong_kong`), each read by a person before it is kept.
* :func:`opencc_identical` lists the Traditional entries that are byte-identical to an OpenCC
  conversion of their Simplified text (converted mainland copy, to be re-read by a Taiwan desk).
* :func:`set_msgstr` rewrites one entry's text in place, keeping the rest of the file as it is.

From the repository root::

    .venv/bin/python -m tests.formatting.catalog_tools            # list missing zh_Hant keys
    .venv/bin/python -m tests.formatting.catalog_tools --draft    # print .po drafts for them
    .venv/bin/python -m tests.formatting.catalog_tools --hong-kong  # Hong Kong drafts
    .venv/bin/python -m tests.formatting.catalog_tools --converted  # zh_Hant = OpenCC(zh_Hans)

The draft needs the dev-only package ``opencc-python-reimplemented``.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from babel.messages.pofile import read_po

from formatting.i18n import CATALOG_LOCALE, Lang, catalog_path
from signals.hongkong import to_hong_kong

#: The OpenCC configuration for Traditional drafts (Simplified -> Taiwan standard with phrases).
OPENCC_CONFIG = "s2twp"
#: Conversions OpenCC gets wrong for this project (finance usage in Taiwan), fixed after s2twp.
TRADITIONAL_FIXES: dict[str, str] = {
    "程式碼": "代號",  # 代码 (a ticker) is 代號 in Taiwanese finance, not program code
    "自選列表": "自選清單",
    "列表": "清單",
    "許可權": "權限",
    "回撥": "回檔",  # 回调 (a pullback) is 回檔 in Taiwan; 回撥 is a software callback
    "持倉質量": "持股品質",
    "收益率": "報酬率",
    "釋出": "發布",  # 发布 (to post) is 發布; 釋出 is a software release
    "免責宣告": "免責聲明",
    "視窗": "區間",  # the shaded 5D/1M window of the chart
    "演示": "示範",
    "獲取": "取得",
    "反饋": "回報",
    "拆股和分紅": "股票分割和配息",
    "當前": "目前",
    "幫助": "說明",
    "應用邀請": "應用程式邀請",
}


def entries(lang: Lang) -> dict[str, tuple[str, str]]:
    """Key -> (extracted comment, text) of every entry of ``lang``'s catalog, in file order."""
    with catalog_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=CATALOG_LOCALE[lang])
    out: dict[str, tuple[str, str]] = {}
    for message in catalog:
        if isinstance(message.id, str) and message.id and isinstance(message.string, str):
            out[message.id] = ("\n".join(message.auto_comments), message.string)
    return out


def missing(source: Lang = "zh", target: Lang = "zh-hant") -> list[str]:
    """Keys of ``source``'s catalog that ``target``'s catalog lacks, in ``source`` file order."""
    have = entries(target)
    return [key for key in entries(source) if key not in have]


def to_traditional(text: str) -> str:
    """``text`` converted with OpenCC ``s2twp``, then :data:`TRADITIONAL_FIXES` applied."""
    from opencc import OpenCC  # dev-only dependency

    converted: str = OpenCC(OPENCC_CONFIG).convert(text)
    for wrong, right in TRADITIONAL_FIXES.items():
        converted = converted.replace(wrong, right)
    return converted


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def draft_traditional(keys: list[str] | None = None) -> str:
    """``.po`` entries (Traditional drafts) for ``keys`` (default: every missing key)."""
    source = entries("zh")
    blocks = []
    for key in missing() if keys is None else keys:
        comment, text = source[key]
        lines = [f"#. {line}" for line in comment.splitlines() if line]
        lines += [f"msgid {_quote(key)}", f"msgstr {_quote(to_traditional(text))}"]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def draft_hong_kong() -> str:
    """``.po`` entries for the Hong Kong catalog: every Taiwan text that :func:`to_hong_kong`
    changes and the Hong Kong catalog does not hold yet."""
    have = entries("zh-hk")
    blocks = []
    for key, (comment, text) in entries("zh-hant").items():
        hong_kong = to_hong_kong(text)
        if hong_kong != text and key not in have:
            lines = [f"#. {line}" for line in comment.splitlines() if line]
            lines += [f"msgid {_quote(key)}", f"msgstr {_quote(hong_kong)}"]
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def opencc_identical() -> list[str]:
    """Keys whose Traditional text is byte-identical to OpenCC ``s2twp`` of the Simplified text
    with :data:`TRADITIONAL_FIXES` (ASCII-only texts left out: there is nothing to convert)."""
    simplified = entries("zh")
    out = []
    for key, (_, text) in entries("zh-hant").items():
        source = simplified.get(key)
        if source is not None and not text.isascii() and to_traditional(source[1]) == text:
            out.append(key)
    return out


def set_msgstr(path: Path, key: str, text: str) -> None:
    """Replace the text of ``key`` in the ``.po`` file at ``path`` (one line, rest untouched)."""
    source = path.read_text(encoding="utf-8")
    pattern = re.compile(
        rf'^(msgid {re.escape(_quote(key))}\n)msgstr (?:"(?:[^"\\]|\\.)*"\n?)+', re.MULTILINE
    )
    updated, count = pattern.subn(lambda m: f"{m.group(1)}msgstr {_quote(text)}\n", source)
    if count != 1:
        raise KeyError(f"{key!r} found {count} times in {path}")
    path.write_text(updated, encoding="utf-8")


def main() -> None:
    """List the Simplified keys without Traditional text, or print drafts for them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draft", action="store_true", help="print .po drafts (needs OpenCC)")
    parser.add_argument("--hong-kong", action="store_true", help="print Hong Kong drafts")
    parser.add_argument("--converted", action="store_true", help="list converted entries")
    args = parser.parse_args()
    if args.hong_kong:
        print(draft_hong_kong(), end="")
    elif args.converted:
        print("\n".join(opencc_identical()))
    elif args.draft:
        print(draft_traditional(), end="")
    else:
        print("\n".join(missing()))


if __name__ == "__main__":
    main()
