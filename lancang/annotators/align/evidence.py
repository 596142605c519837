"""What a sentence offers as lexical evidence for alignment, without a tokenizer or a model.

Two kinds of items are taken from each sentence:

* **anchors** match themselves across languages: numbers (any script's decimal digits, with
  thousands and decimal separators removed, so ``1,000``, ``1.000`` and ``๑๐๐๐`` agree), URLs and
  e-mail addresses, and Latin-script names (capitalised or mixed-case words that do not start the
  sentence, all-caps acronyms, and any Latin word on a side written mostly in another script);
* **units** are what a bilingual lexicon is learned over: lower-cased words for scripts that
  separate words with spaces, single characters for Han, overlapping character trigrams for Thai,
  Lao, Khmer, Burmese and kana runs (no spaces between words there), and classes of punctuation
  (question, exclamation, quotation, brackets, colon, percent). When a side has a ``tokens`` layer
  its tokens are the units instead.

Items are plain strings with a kind prefix (``#`` number, ``U:`` url, ``L:`` Latin name, ``P:``
punctuation); :class:`ItemIndex` turns them into small integer ids.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import regex

_TOKEN = regex.compile(
    r"(?P<url>(?:https?://|www\.)[A-Za-z0-9._~:/?#@!$&*+,;=%-]+|[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
    r"|(?P<num>\d+(?:[.,:/]\d+)*)"
    r"|(?P<latin>\p{Latin}[\p{Latin}\p{M}\d'’-]*)"
    r"|(?P<han>\p{Han})"
    r"|(?P<sea>[\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Hiragana}\p{Katakana}ー\p{M}]+)"
    r"|(?P<word>[\w\p{M}]+)"
    r"|(?P<punct>[?？!！\"“”„«»「」『』《》〈〉()（）\[\]【】:：%％])",
    regex.V1,
)

_PUNCT_CLASS = {
    "?": "q", "？": "q", "!": "x", "！": "x", ":": "c", "：": "c", "%": "pc", "％": "pc",
    "(": "b", ")": "b", "（": "b", "）": "b", "[": "b", "]": "b", "【": "b", "】": "b",
}

NGRAM = 3


def _digits(s: str) -> str:
    return "".join(str(unicodedata.digit(c)) for c in s if c.isdigit())


def _latin_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    latin = sum(1 for c in letters if c < "\u0250" or "\u1e00" <= c <= "\u1eff")
    return latin / len(letters)


def sentence_items(text: str, tokens: Sequence[str] | None = None) -> tuple[list[str], list[str]]:
    """(anchors, units) of one sentence; see the module documentation."""
    anchors: list[str] = []
    units: list[str] = []
    mostly_latin = _latin_share(text) >= 0.5
    first_word = True
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        s = m.group()
        if kind == "url":
            anchors.append("U:" + s.lower().rstrip(".,;"))
        elif kind == "num":
            d = _digits(s)
            if d:
                anchors.append("#" + d)
        elif kind == "latin":
            low = s.lower()
            # a Latin word is an anchor in a text mostly in another script, or when capitalised
            # where a sentence does not start, all capitals, or with capitals inside
            if len(s) > 1 and (not mostly_latin or (not first_word and s[0].isupper()) or s.isupper()
                               or any(c.isupper() for c in s[1:])):
                anchors.append("L:" + low)
            units.append(low)
            first_word = False
        elif kind == "han":
            units.append(s)
            first_word = False
        elif kind == "sea":
            first_word = False
            if len(s) <= NGRAM:
                units.append(s)
            else:
                units.extend(s[k:k + NGRAM] for k in range(len(s) - NGRAM + 1))
        elif kind == "word":
            units.append(s.lower())
            first_word = False
        elif kind == "punct":
            units.append("P:" + _PUNCT_CLASS.get(s, "quote"))
    if tokens is not None:
        punct = [u for u in units if u.startswith("P:")]
        units = [t.lower() for t in tokens if any(c.isalpha() for c in t)] + punct
    return anchors, units


class ItemIndex:
    """String items to integer ids, one shared space for anchors and one per side for units."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def id(self, item: str) -> int:
        i = self.ids.get(item)
        if i is None:
            i = self.ids[item] = len(self.ids)
        return i

    def get(self, item: str) -> int | None:
        return self.ids.get(item)
