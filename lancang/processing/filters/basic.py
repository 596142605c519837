"""Filters that look at one record's sides directly: ``empty`` (blank sides, one-side records),
``untranslated`` (the target copies the source) and ``nonalpha`` (mostly not letters, or mostly
digits). Scores are per side (``{tag: value}``) or per pair (``{"src|tgt": value}``, the record's
first side against each other side); decisions use the scores and parameters only.
"""

from __future__ import annotations

from typing import Any

import regex

from ...corpora.langs import are_close
from .base import Filter, Reason, Scores
from .text import letter_share, nonspace, normalised, number_share, number_strings, pairs

#: something visible: not white space and not an invisible format character
_VISIBLE = regex.compile(r"[^\s\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")


class Empty(Filter):
    name = "empty"
    description = "Rejects a record with an empty or white-space-only side, or with fewer sides than min_sides"
    parameters = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "min_sides": {"type": "integer", "minimum": 1, "default": 2,
                          "description": "fewer sides than this is a one-side-only record (1 for monolingual corpora)"},
        },
    }
    direction = {"sides": "higher", "blank": "lower"}

    def score(self, record: dict[str, Any]) -> Scores:
        sides = record.get("sides") or {}
        return {"sides": len(sides),
                "blank": {tag: _VISIBLE.search(side.get("text", "")) is None for tag, side in sides.items()}}

    def decide(self, scores: Scores) -> list[Reason]:
        out = []
        need = self.params["min_sides"]
        if scores["sides"] < need:
            out.append(Reason(self.name, "one-side-only", scores["sides"], need,
                              f"{scores['sides']} side(s), at least {need} wanted"))
        out.extend(Reason(self.name, "blank", True, None, "the side is empty or white space only", tag)
                   for tag, blank in scores["blank"].items() if blank)
        return out


#: overlap is measured from this length ratio of the normalised texts up (below, it cannot reach 0.5)
_MIN_LENGTH_RATIO = 0.5
#: copy detection compares this many normalised characters of each side at most
_COMPARE = 2000


def _bigrams(s: str) -> set[str]:
    return set(map(str.__add__, s, s[1:])) if len(s) > 1 else {s}


def overlap(a: str, b: str) -> float:
    """How much of two normalised texts is shared: 1.0 for equal texts, else the share of character
    bigrams in common over the larger set; 0.0 when their lengths differ by more than half."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if min(len(a), len(b)) < _MIN_LENGTH_RATIO * max(len(a), len(b)) or set(a).isdisjoint(b):
        return 0.0  # (no letter in common, as between two scripts: no bigram either)
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / max(len(x), len(y))


def copy_kind(text: str, norm: str) -> str:
    """``numeric`` (only digits once normalised), ``name`` (every word of a cased script capitalised or
    a number) or ``text``."""
    if norm.isdigit():
        return "numeric"
    cased = False
    for w in text.split():
        first = next((c for c in w if c.isalnum()), None)
        if first is None or first.isdigit():
            continue
        if not first.isupper():
            return "text"
        cased = True
    return "name" if cased else "text"


class Untranslated(Filter):
    name = "untranslated"
    description = ("Rejects a target that copies its source (equal after case, space and punctuation are "
                   "removed, or sharing most character bigrams); short names and numbers may be kept")
    parameters = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "threshold": {"type": "number", "minimum": _MIN_LENGTH_RATIO, "maximum": 1, "default": 0.9,
                          "description": "reject at this overlap or more"},
            "allow_numeric": {"type": "boolean", "default": True,
                              "description": "keep identical pairs that are only numbers"},
            "close": {"type": "boolean", "default": False,
                      "description": "also compare sides in close languages (id and ms): off, since the same "
                                     "sentence is a good translation there"},
            "allow_names": {"type": "integer", "minimum": 0, "default": 30,
                            "description": "keep identical pairs of capitalised words (names) up to this many "
                                           "non-space characters (0: never)"},
        },
    }
    direction = {"overlap": "lower"}

    def __init__(self, **params: Any):
        super().__init__(**params)
        self._skip: dict[tuple[str, str], bool] = {}  # per pair of tags: not compared

    def _skipped(self, src: str, tgt: str) -> bool:
        got = self._skip.get((src, tgt))
        if got is None:
            if len(self._skip) >= 4096:  # (bounded, whatever tags a corpus uses)
                self._skip.clear()
            got = self._skip[src, tgt] = are_close(src, tgt) and not self.params["close"]
        return got

    def score(self, record: dict[str, Any]) -> Scores:
        ov: dict[str, float] = {}
        kind: dict[str, str] = {}
        chars: dict[str, int] = {}
        for key, src, stext, tgt, ttext in pairs(record):
            # one language written twice (tl and fil, zh-Hans and zh-Hant), or close languages where the
            # same sentence is a translation (Indonesian and Malay: "Ayah saya guru." in both)
            if self._skipped(src, tgt):
                continue
            a = normalised(stext[:_COMPARE * 2])[:_COMPARE]
            b = normalised(ttext[:_COMPARE * 2])[:_COMPARE]
            ov[key] = round(overlap(a, b), 3)
            kind[key] = copy_kind(ttext[:_COMPARE], b) if ov[key] >= _MIN_LENGTH_RATIO else "text"
            chars[key] = nonspace(ttext)
        return {"overlap": ov, "kind": kind, "chars": chars}

    def decide(self, scores: Scores) -> list[Reason]:
        p = self.params
        out = []
        for key, value in scores["overlap"].items():
            if value < p["threshold"]:
                continue
            kind = scores["kind"].get(key)
            if kind == "numeric" and p["allow_numeric"]:
                continue
            if kind == "name" and scores["chars"].get(key, 0) <= p["allow_names"]:
                continue
            out.append(Reason(self.name, "overlap", value, p["threshold"], "the target copies the source",
                              key.split("|", 1)[1]))
        return out


class NonAlphabetic(Filter):
    name = "nonalpha"
    description = ("Rejects a side whose share of letters (with their combining marks: Thai, Khmer, Lao and "
                   "Burmese vowel signs count) is too low, or whose share of digits is too high")
    parameters = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "min_alpha": {"type": ["number", "null"], "minimum": 0, "maximum": 1, "default": 0.3,
                          "description": "reject a side with a smaller share of letters among its non-space "
                                         "characters (null: never)"},
            "max_digits": {"type": ["number", "null"], "minimum": 0, "maximum": 1, "default": 0.5,
                           "description": "reject a side with a larger share of numbers among its units (a "
                                          "number counts as one word, or one character in unspaced scripts; "
                                          "null: never)"},
        },
    }
    direction = {"alpha": "higher", "digits": "lower"}

    def score(self, record: dict[str, Any]) -> Scores:
        alpha: dict[str, float | None] = {}
        digits: dict[str, float | None] = {}
        for tag, side in (record.get("sides") or {}).items():
            text = side.get("text", "")
            n = nonspace(text)
            if not n:
                alpha[tag] = digits[tag] = None
                continue
            numbers = number_strings(text)  # found once for both shares
            la = letter_share(text, numbers, n)
            alpha[tag] = None if la is None else round(la, 3)
            share = number_share(tag, text, numbers)
            digits[tag] = None if share is None else round(share, 3)
        return {"alpha": alpha, "digits": digits}

    def decide(self, scores: Scores) -> list[Reason]:
        p = self.params
        out = []
        if p["min_alpha"] is not None:
            out.extend(Reason(self.name, "alpha", v, p["min_alpha"], "too few letters", tag)
                       for tag, v in scores["alpha"].items() if v is not None and v < p["min_alpha"])
        if p["max_digits"] is not None:
            out.extend(Reason(self.name, "digits", v, p["max_digits"], "mostly digits", tag)
                       for tag, v in scores["digits"].items() if v is not None and v > p["max_digits"])
        return out
