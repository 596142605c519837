"""Accuracy against gold: precision, recall and F1 of tokens and sentences.

The score is the SIGHAN bakeoff's (Emerson 2005, the ``score`` script): a predicted word counts as
correct if and only if both of its boundaries match a gold word, so P = correct / predicted,
R = correct / gold, F1 = 2PR / (P + R). With a lexicon (the training words), gold words outside it
give the OOV recall and those inside it the IV recall. Sentences are scored the same way (a sentence
is right when both its ends are).

Pure functions over spans and records; reading files is the caller's business. :func:`join`
pairs prediction and gold records by id in one pass, holding only out-of-order records, and
:func:`evaluate` scores the pairs per side language and overall, reporting what could not be
paired instead of ignoring it.

>>> s = score_spans([(0, 2), (2, 3), (3, 4)], [(0, 2), (2, 4)])
>>> (s.correct, round(s.precision, 3), round(s.recall, 3), round(s.f1, 3))
(1, 0.333, 0.5, 0.4)
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any

from ..errors import InputError

Span = tuple[int, int]


@dataclass
class Score:
    gold: int = 0
    pred: int = 0
    correct: int = 0
    oov_gold: int = 0
    oov_correct: int = 0
    units: int = 0  # sides (or records) scored

    @property
    def precision(self) -> float:
        return self.correct / self.pred if self.pred else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def oov_recall(self) -> float | None:
        return self.oov_correct / self.oov_gold if self.oov_gold else None

    @property
    def iv_recall(self) -> float | None:
        iv = self.gold - self.oov_gold
        return (self.correct - self.oov_correct) / iv if iv else None

    def add(self, other: "Score") -> None:
        self.gold += other.gold
        self.pred += other.pred
        self.correct += other.correct
        self.oov_gold += other.oov_gold
        self.oov_correct += other.oov_correct
        self.units += other.units

    def to_dict(self, lexicon: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {"sides": self.units, "gold": self.gold, "pred": self.pred, "correct": self.correct,
                             "precision": round(self.precision, 6), "recall": round(self.recall, 6),
                             "f1": round(self.f1, 6)}
        if lexicon:
            d.update({"oov_gold": self.oov_gold, "oov_rate": round(self.oov_gold / self.gold, 6) if self.gold else None,
                      "oov_recall": _r(self.oov_recall), "iv_recall": _r(self.iv_recall)})
        return d


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def score_spans(pred: Iterable[Sequence[int]], gold: Iterable[Sequence[int]], text: str | None = None,
                lexicon: Container[str] | None = None) -> Score:
    """Score one segmentation; with ``text`` and ``lexicon``, also count OOV gold words."""
    p = {(int(a), int(b)) for a, b in pred}
    g = [(int(a), int(b)) for a, b in gold]
    sc = Score(gold=len(g), pred=len(p), units=1)
    for span in g:
        hit = span in p
        sc.correct += hit
        if lexicon is not None and text is not None and text[span[0]:span[1]] not in lexicon:
            sc.oov_gold += 1
            sc.oov_correct += hit
    return sc


# ------------------------------------------------------------------------------ joining records

@dataclass
class Side:
    text: str
    spans: list[Span] | None  # None: the side has no such layer


def _reduce(rec: Any, layer: str, where: str) -> tuple[str, dict[str, Side]]:
    if not isinstance(rec, dict) or not isinstance(rec.get("id"), str) or not isinstance(rec.get("sides"), dict):
        raise InputError(f"{where}: not a record with an id and sides")
    out = {}
    for tag, side in rec["sides"].items():
        lay = side.get("layers", {}).get(layer) if isinstance(side, dict) else None
        out[tag] = Side(side.get("text", ""), [tuple(s) for s in lay["spans"]] if lay else None)
    return rec["id"], out


Pair = tuple[str, "dict[str, Side] | None", "dict[str, Side] | None"]


def join(pred: Iterable[Any], gold: Iterable[Any], layer: str,
         names: tuple[str, str] = ("PRED", "GOLD")) -> Iterator[Pair]:
    """Pair records by id: yields ``(id, pred sides, gold sides)``; a side of the pair is None when
    that file lacks the record. Streams both inputs in step; only records met out of order wait."""
    waiting: tuple[dict[str, dict[str, Side]], dict[str, dict[str, Side]]] = ({}, {})
    seen: tuple[set[str], set[str]] = (set(), set())
    for k, (p, g) in enumerate(zip_longest(pred, gold, fillvalue=None), 1):
        for which, rec in ((0, p), (1, g)):
            if rec is None:
                continue
            rid, sides = _reduce(rec, layer, f"{names[which]} record {k}")
            if rid in seen[which]:
                raise InputError(f"{names[which]}: record id {rid!r} appears twice")
            seen[which].add(rid)
            other = waiting[1 - which]
            if rid in other:
                mine = other.pop(rid)
                yield (rid, sides, mine) if which == 0 else (rid, mine, sides)
            else:
                waiting[which][rid] = sides
    for rid, sides in waiting[0].items():
        yield rid, sides, None
    for rid, sides in waiting[1].items():
        yield rid, None, sides


@dataclass
class Evaluation:
    layer: str
    languages: dict[str, Score] = field(default_factory=dict)
    overall: Score = field(default_factory=Score)
    records: int = 0
    only_pred: list[str] = field(default_factory=list)
    only_gold: list[str] = field(default_factory=list)
    #: (record id, side, what): sides in one file only, or without the layer
    side_problems: list[tuple[str, str, str]] = field(default_factory=list)
    lexicon: bool = False

    @property
    def missing(self) -> int:
        return len(self.only_pred) + len(self.only_gold) + len(self.side_problems)

    def to_dict(self, limit: int = 20) -> dict[str, Any]:
        return {"layer": self.layer, "records": self.records,
                "languages": {k: v.to_dict(self.lexicon) for k, v in sorted(self.languages.items())},
                "overall": self.overall.to_dict(self.lexicon),
                "missing": {"only_in_pred": len(self.only_pred), "only_in_gold": len(self.only_gold),
                            "sides": len(self.side_problems),
                            "examples": {"only_in_pred": self.only_pred[:limit], "only_in_gold": self.only_gold[:limit],
                                         "sides": [{"id": i, "side": s, "problem": w} for i, s, w in
                                                   self.side_problems[:limit]]}}}


def evaluate(pairs: Iterable[tuple[str, dict[str, Side] | None, dict[str, Side] | None]], layer: str,
             lexicon: Container[str] | None = None) -> Evaluation:
    """Score joined records per side language. Texts that differ are an error (with id and side)."""
    ev = Evaluation(layer, lexicon=lexicon is not None)
    for rid, pred, gold in pairs:
        if pred is None:
            ev.only_gold.append(rid)
            continue
        if gold is None:
            ev.only_pred.append(rid)
            continue
        ev.records += 1
        for tag in sorted(set(pred) | set(gold)):
            p, g = pred.get(tag), gold.get(tag)
            if p is None or g is None:
                ev.side_problems.append((rid, tag, "side only in " + ("gold" if p is None else "prediction")))
                continue
            if p.text != g.text:
                k = next((i for i, (a, b) in enumerate(zip(p.text, g.text)) if a != b), min(len(p.text), len(g.text)))
                raise InputError(f"record {rid!r}, side {tag!r}: prediction and gold texts differ at offset {k} "
                                 f"({p.text[k:k + 15]!r} vs {g.text[k:k + 15]!r})")
            if g.spans is None or p.spans is None:
                ev.side_problems.append((rid, tag, f"no {layer} in " + ("gold" if g.spans is None else "prediction")))
                continue
            sc = score_spans(p.spans, g.spans, g.text, lexicon)
            ev.languages.setdefault(tag, Score()).add(sc)
            ev.overall.add(sc)
    return ev
