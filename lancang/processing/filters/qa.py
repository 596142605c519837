"""``qa``: translation QA between the sides of a pair, as translate-toolkit's pofilter does for PO
files, Thai- and CJK-aware. Each check is its own score, so thresholds and switches are per check:

* ``numbers``: a number of one side is changed in the other: numbers left unmatched on both sides,
  paired up (digits of every script read as ASCII: full-width, Thai, Khmer, Lao, Burmese...; every
  reading of the separators, so 1,000 = 1.000 = 1 000 and 3,5 = 3.5; a scale word read both ways,
  so 2210億 = 221bn and 150萬 = 1.5 million; the Chinese numerals that are unambiguous: 二〇二一,
  三百五十, 十五; see :func:`.text.number_values`);
* ``numbers_unpaired``: numbers one side writes in digits and the other does not (translations
  write them in words: 8 weeks / eight weeks, 4至6月 / April to June; a warning, off by default);
* ``urls``, ``emails``: the URLs or e-mail addresses differ;
* ``placeholders``: printf and brace variables differ (``%s``, ``%1$d``, ``%(name)s``, ``{0}``,
  ``{name}``, ``{{name}}``, ``${x}``, ``%1``);
* ``codes``: the sides' ``codes`` layers (inline markup kept stand-off) hold different kinds or
  numbers of codes;
* ``brackets``: brackets and quotes left unpaired in a side (（）「」『』《》【】“” and the ASCII ones),
  counted per side; a side is rejected when it has more unpaired marks than the source beyond the
  threshold (a source that is itself a fragment, such as a list ``1) ... 2) ...``, sets the bar);
* ``punctuation``: the sides end with different terminal marks, 。！？ counting as . ! ?; a side in
  Thai or Lao (which end a sentence with no mark) or Khmer or Burmese (whose ។ and ။ writers often
  leave out, and which close questions with them too) ending with no mark or a full stop matches any
  ending. Off by default (a warning-level check): translators legitimately change the final mark.

A count is the number of items one side has that the other lacks (both directions). The record's
first side is the source; every other side is a target.
"""

from __future__ import annotations

from typing import Any

from ...corpora.langs import UNMARKED_END_LANGS, primary
from .base import Filter, Reason, Scores
from .text import (
    brackets_unbalanced,
    emails,
    end_class,
    mismatches,
    number_mismatch,
    number_values,
    pairs,
    placeholders,
    urls,
)

_PAIR_CHECKS = ("numbers", "numbers_unpaired", "urls", "emails", "placeholders", "codes", "punctuation")
CHECKS = _PAIR_CHECKS[:6] + ("brackets", "punctuation")
#: checks that count but do not reject unless configured (warning level)
_WARNINGS = ("numbers_unpaired", "punctuation")
_SENTENCE_ENDS = frozenset({"none", "stop", "question", "exclamation"})


def _codes(side: dict[str, Any]) -> list[str] | None:
    lay = (side.get("layers") or {}).get("codes")
    if lay is None:
        return None
    return [str(it.get("kind", "")) for it in lay.get("items", ()) if isinstance(it, dict)]


def punctuation_mismatch(src_tag: str, src_end: str, tgt_tag: str, tgt_end: str) -> int:
    """1 when the two endings disagree, knowing which languages may end a sentence unmarked."""
    if src_end == tgt_end:
        return 0
    for tag, end, other in ((src_tag, src_end, tgt_end), (tgt_tag, tgt_end, src_end)):
        if primary(tag) in UNMARKED_END_LANGS and end in ("none", "stop") and other in _SENTENCE_ENDS:
            return 0
    return 1


class TranslationQA(Filter):
    name = "qa"
    description = ("Translation QA between source and target (pofilter-style, Thai- and CJK-aware): numbers, "
                   "URLs, e-mail, placeholders, inline codes, brackets and quotes, terminal punctuation")
    parameters = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            **{f"max_{c}": {"type": ["integer", "null"], "minimum": 0, "default": 0,
                            "description": f"reject when the {c} check counts more mismatches (null: never)"}
               for c in CHECKS if c not in _WARNINGS},
            **{f"max_{c}": {"type": ["integer", "null"], "minimum": 0, "default": None,
                            "description": f"reject when the {c} check counts more mismatches (null: never, the "
                                           "default: a warning-level check)"}
               for c in _WARNINGS},
        },
    }
    direction = dict.fromkeys(CHECKS, "lower")

    def score(self, record: dict[str, Any]) -> Scores:
        sides = record.get("sides") or {}
        out: Scores = {c: {} for c in CHECKS}
        got = pairs(record)
        if not got:
            return out
        src_tag = got[0][1]
        src_text = got[0][2]
        src = (number_values(src_text), urls(src_text), emails(src_text), placeholders(src_text),
               _codes(sides[src_tag]), end_class(src_text))
        out["brackets"][src_tag] = brackets_unbalanced(src_text)
        for key, _s, _st, tag, text in got:
            out["numbers"][key], out["numbers_unpaired"][key] = number_mismatch(src[0], number_values(text))
            out["urls"][key] = mismatches(src[1], urls(text))
            out["emails"][key] = mismatches(src[2], emails(text))
            out["placeholders"][key] = mismatches(src[3], placeholders(text))
            codes = _codes(sides[tag])
            out["codes"][key] = 0 if src[4] is None and codes is None else mismatches(src[4] or [], codes or [])
            out["punctuation"][key] = punctuation_mismatch(src_tag, src[5], tag, end_class(text))
            out["brackets"][tag] = brackets_unbalanced(text)
        return out

    def decide(self, scores: Scores) -> list[Reason]:
        p = self.params
        out = []
        for check in _PAIR_CHECKS:
            limit = p[f"max_{check}"]
            if limit is None:
                continue
            for key, n in scores[check].items():
                if n > limit:
                    out.append(Reason(self.name, check, n, limit, f"{n} {check} mismatch(es) between {key}",
                                      key.split("|", 1)[1]))
        limit = p["max_brackets"]
        brackets = scores["brackets"]
        if limit is not None and brackets:
            tags = list(brackets)
            base = brackets[tags[0]]
            for tag in tags[1:]:
                n = abs(brackets[tag] - base)
                if n > limit:
                    side = tag if brackets[tag] > base else tags[0]
                    other = min(base, brackets[tag])
                    out.append(Reason(self.name, "brackets", n, limit, f"{brackets[side]} unpaired bracket(s) or "
                                      f"quote(s) against {other} in the other side", side))
        return out
