"""Rule-based sentence splitting for any language, knowing each script's sentence-final marks.

Which marks end a sentence (checked against the Unicode names and each script's usage):

* Chinese: 。！？ and the fullwidth/halfwidth forms, ``…``/``……`` and ASCII ``!``/``?`` end a
  sentence wherever they stand (Chinese puts no space after them); closing quotes and brackets
  that follow (”’」』）》】) stay with the sentence. ASCII ``.`` ends one only before white space,
  so 3.14 and URLs survive.
* Khmer: ។ (U+17D4 KHAN) and ៕ (U+17D5 BARIYOOSAN), ៚ (U+17DA KOOMUUT) end sentences;
  ៖ (a colon), ៗ (repetition) and ៛ (the riel sign) do not, although khmer-nltk splits at them.
* Burmese: ။ (U+104B SECTION) ends a sentence; ၊ (U+104A LITTLE SECTION) is a comma.
* Lao: no sentence mark of its own; ``.``, ``!``, ``?`` end sentences. ໆ (U+0EC6 KO LA) is the
  repetition mark and ຯ (U+0EAF ELLIPSIS) an abbreviation mark: neither ends a sentence.
* Thai writes a space between sentences and has no full stop in use (๚ and ๛ are archaic): use
  ``crfcut`` for Thai; here a Thai text splits only at ``!``, ``?``, ``.`` before a space, and lines.
* Others: ``.``, ``!``, ``?``, ``…`` before white space (not before a lower-case letter, not after
  a single capital or a listed abbreviation), plus ؟ ۔ । ॥ ‼ ⁇ ⁈ ⁉ anywhere.

Line breaks end sentences too (``lines: any``), or only blank lines (``blank``), or never.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..corpora.langs import language
from .base import Annotator, AnnotatorSpec
from .spans import Span, normalize_spans

PUNCT = AnnotatorSpec(
    name="punct",
    description="Sentences from punctuation rules that know each script's sentence-final marks (any language)",
    provides=("sentences",),
    languages=("*",),
    factory="lancang.annotators.rules:Punct",
    tool="lancang.punct",
    config={"type": "object", "properties": {
        "lines": {"enum": ["any", "blank", "none"], "default": "any",
                  "description": "Which line breaks end a sentence: every one, only blank lines, or none."},
        "abbreviations": {"type": "array", "items": {"type": "string"}, "default": [],
                          "description": "Words that a full stop does not end a sentence after (e.g. Dr, Tn)."},
    }},
)

_STRONG = "。！？｡។៕៚။؟۔।॥‼⁇⁈⁉"
_STRONG_ZH = _STRONG + "…!?"
_CLOSERS = "\"'”’」』）)］]】》〉›»"
_RUN = re.compile(r"[.!?…" + _STRONG + r"]+[" + re.escape(_CLOSERS) + r"]*")
_WORD_BEFORE = re.compile(r"(\w+)$")
_DEFAULT_ABBR = {"dr", "mr", "mrs", "ms", "prof", "st", "no", "vs", "etc", "e.g", "i.e", "jl", "tn", "ny", "sdr"}


class Punct(Annotator):
    def __init__(self, config: Mapping[str, Any]):
        super().__init__(config)
        self._lines = config.get("lines", "any")
        self._abbr = _DEFAULT_ABBR | {a.lower().rstrip(".") for a in config.get("abbreviations", [])}

    def sentences(self, text: str, lang: str) -> list[Span]:
        return normalize_spans(text, _spans(boundaries(text, lang, self._lines, self._abbr), len(text)),
                               "sentences")


def boundaries(text: str, lang: str, lines: str = "any", abbr: set[str] | None = None) -> list[int]:
    """Positions after which a sentence ends, in order."""
    strong = _STRONG_ZH if language(lang) == "zh" else _STRONG
    abbr = _DEFAULT_ABBR if abbr is None else abbr
    cuts: set[int] = set()
    n = len(text)
    for m in _RUN.finditer(text):
        s, e = m.span()
        run = m.group()
        if any(c in strong for c in run):
            cuts.add(e)
            continue
        if e < n and not text[e].isspace():
            continue
        if run.rstrip(_CLOSERS) == "." and _abbreviation(text, s, e, abbr):
            continue
        cuts.add(e)
    if lines == "any":
        cuts.update(m.end() for m in re.finditer(r"\n", text))
    elif lines == "blank":
        cuts.update(m.end() for m in re.finditer(r"\n[ \t\r\f\v]*\n", text))
    return sorted(c for c in cuts if 0 < c < n)


def _abbreviation(text: str, s: int, e: int, abbr: set[str]) -> bool:
    """A lone full stop that more likely ends an abbreviation or initial than a sentence."""
    rest = text[e:].lstrip()
    if rest[:1].islower():
        return True
    m = _WORD_BEFORE.search(text[max(0, s - 20):s])
    if not m:
        return False
    word = m.group(1)
    return (len(word) == 1 and word.isupper()) or word.lower() in abbr


def _spans(cuts: list[int], n: int) -> list[Span]:
    out, start = [], 0
    for c in cuts:
        out.append((start, c))
        start = c
    out.append((start, n))
    return out
