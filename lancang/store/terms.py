"""What the search index holds for a side, and which index terms a query needs.

A side is indexed in one of three ways (its **kind**), decided by the side itself:

* ``tokens`` -- the side has a ``tokens`` layer: its terms are lancang's own tokens (case-folded);
* ``chars`` -- no tokens, and its language is written without spaces (:func:`lancang.corpora.langs.unspaced`:
  zh, ja, th, km, lo, my): every character and every character bigram of each run of letters;
* ``words`` -- no tokens, a spaced language: its words.

A term is a run of letters, digits and combining marks (``[\\p{L}\\p{N}\\p{M}]+``), case-folded; a token
such as ``học sinh`` or ``U.S.`` gives several terms. Terms hold no space and no ASCII punctuation, so
SQLite's FTS5 ``ascii`` tokenizer splits a space-joined term list exactly where lancang did, and
PostgreSQL keeps the same terms in a ``text[]`` column under a GIN index: both backends find a side
when it holds every term of the query (:func:`query_terms`), and the hits are then decided in Python on
the side's text (:mod:`lancang.store.search`), so both backends give the same hits.

>>> side_terms("zh-Hans", {"text": "北京大学"})
('chars', ['北', '北京', '京', '京大', '大', '大学', '学'])
>>> side_terms("vi", {"text": "Học sinh đi học.",
...                   "layers": {"tokens": {"spans": [[0, 8], [9, 11], [12, 15], [15, 16]]}}})
('tokens', ['học', 'sinh', 'đi'])
>>> query_terms("chars", "北京 大学"), query_terms("chars", "京"), query_terms("words", "The Cat")
(['北京', '大学'], ['京'], ['the', 'cat'])
"""

from __future__ import annotations

import unicodedata
from typing import Any

import regex

from ..corpora.langs import unspaced

KINDS = ("tokens", "chars", "words")

_PIECE = regex.compile(r"[\p{L}\p{N}\p{M}]+")


def pieces(text: str) -> list[str]:
    """The terms of a text: runs of letters, digits and marks, NFC and case-folded."""
    return _PIECE.findall(unicodedata.normalize("NFC", text).casefold())


def side_kind(lang: str, side: dict[str, Any]) -> str:
    """How a side is indexed (see the module's text)."""
    layers = side.get("layers") or {}
    tokens = layers.get("tokens") if isinstance(layers, dict) else None
    if isinstance(tokens, dict) and tokens.get("spans"):
        return "tokens"
    return "chars" if unspaced(lang, side.get("text") or "") else "words"


def _char_terms(piece: str) -> list[str]:
    out: list[str] = []
    for i, ch in enumerate(piece):
        out.append(ch)
        if i + 1 < len(piece):
            out.append(piece[i:i + 2])
    return out


def side_terms(lang: str, side: dict[str, Any]) -> tuple[str, list[str]]:
    """(kind, the side's distinct index terms in first-seen order)."""
    kind = side_kind(lang, side)
    text = side.get("text") or ""
    seen: dict[str, None] = {}
    if kind == "tokens":
        for span in side["layers"]["tokens"]["spans"]:
            for p in pieces(text[span[0]:span[1]]):
                seen[p] = None
    elif kind == "chars":
        for p in pieces(text):
            for t in _char_terms(p):
                seen[t] = None
    else:
        for p in pieces(text):
            seen[p] = None
    return kind, list(seen)


def query_terms(kind: str, text: str) -> list[str]:
    """The terms a side of ``kind`` must all hold to possibly contain ``text`` (empty: the index cannot
    narrow, e.g. a query of punctuation only)."""
    seen: dict[str, None] = {}
    for p in pieces(text):
        if kind == "chars":
            for t in ([p] if len(p) == 1 else [p[i:i + 2] for i in range(len(p) - 1)]):
                seen[t] = None
        else:
            seen[p] = None
    return list(seen)


__all__ = ["KINDS", "pieces", "query_terms", "side_kind", "side_terms"]
