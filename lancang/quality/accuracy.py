"""Accuracy against gold: precision, recall and F1 of tokens, sentences and entities.

The score is the SIGHAN bakeoff's (Emerson 2005, the ``score`` script): a predicted word counts as
correct if and only if both of its boundaries match a gold word, so P = correct / predicted,
R = correct / gold, F1 = 2PR / (P + R). With a lexicon (the training words), gold words outside it
give the OOV recall and those inside it the IV recall. Sentences are scored the same way (a sentence
is right when both its ends are).

Pure functions over spans and records; reading files is the caller's business. :func:`join`
pairs prediction and gold records by id (the one join, :mod:`lancang.quality.join`: streaming while
the orders agree, spilling to disk when not), and :func:`evaluate` scores the pairs per side
language and overall, reporting what could not be paired instead of ignoring it. P, R and F1 come
from :mod:`lancang.quality.scores`: undefined values (nothing predicted, no gold) are None.

Entities (:func:`evaluate_entities`) are scored twice, per label and overall: *exact* (same
span, fragments included, and same label) and *partial* (same label, spans sharing at least one
code point; each gold entity matches at most one predicted entity and the pairs are a maximum
matching, so the count does not depend on item order). Micro scores pool the counts of all labels;
macro scores are the unweighted means of the per-label P, R and F1 over every label in the gold or
the prediction.

>>> s = score_spans([(0, 2), (2, 3), (3, 4)], [(0, 2), (2, 4)])
>>> (s.correct, round(s.precision, 3), round(s.recall, 3), round(s.f1, 3))
(1, 0.333, 0.5, 0.4)
>>> score_spans([], []).precision is None
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from .join import Missing, first_id_order, join_records
from .scores import PRF, mean, prf, ratio, rounded

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
    def scores(self) -> PRF:
        """Precision, recall and F1 (:func:`lancang.quality.scores.prf`; None where undefined)."""
        return prf(self.correct, self.pred, self.gold)

    precision = property(lambda self: self.scores.precision)
    recall = property(lambda self: self.scores.recall)
    f1 = property(lambda self: self.scores.f1)

    @property
    def oov_recall(self) -> float | None:
        return ratio(self.oov_correct, self.oov_gold)

    @property
    def iv_recall(self) -> float | None:
        return ratio(self.correct - self.oov_correct, self.gold - self.oov_gold)

    def add(self, other: Score) -> None:
        self.gold += other.gold
        self.pred += other.pred
        self.correct += other.correct
        self.oov_gold += other.oov_gold
        self.oov_correct += other.oov_correct
        self.units += other.units

    def to_dict(self, lexicon: bool = False) -> dict[str, Any]:
        p, r, f = self.scores
        d: dict[str, Any] = {"sides": self.units, "gold": self.gold, "pred": self.pred, "correct": self.correct,
                             "precision": rounded(p), "recall": rounded(r), "f1": rounded(f)}
        if lexicon:
            d.update({"oov_gold": self.oov_gold, "oov_rate": rounded(ratio(self.oov_gold, self.gold)),
                      "oov_recall": rounded(self.oov_recall), "iv_recall": rounded(self.iv_recall)})
        return d


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
    spans: list[Any] | None  # the layer's spans (or what ``extract`` made of it); None: no such layer


def _spans(layer: dict[str, Any]) -> list[Span]:
    return [tuple(s) for s in layer["spans"]]


def _reduce(rec: dict[str, Any], layer: str, where: str,
            extract: Callable[[dict[str, Any]], list[Any]] = _spans) -> dict[str, Side]:
    if not isinstance(rec.get("sides"), dict):
        raise InputError(f"{where} (id {rec['id']!r}): the record has no sides object")
    out = {}
    for tag, side in rec["sides"].items():
        lay = side.get("layers", {}).get(layer) if isinstance(side, dict) else None
        try:
            out[tag] = Side(side.get("text", ""), extract(lay) if lay else None)
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{where} (id {rec['id']!r}), side {tag!r}: malformed {layer} layer: {exc}") from None
    return out


Pair = tuple[str, "dict[str, Side] | None", "dict[str, Side] | None"]


def join(pred: Iterable[Any], gold: Iterable[Any], layer: str,
         names: tuple[str, str] = ("PRED", "GOLD"),
         extract: Callable[[dict[str, Any]], list[Any]] | None = None,
         spill_dir: str | None = None) -> Iterator[Pair]:
    """Pair records by id (:func:`lancang.quality.join.join_records`): yields ``(id, pred sides, gold
    sides)``; a side of the pair is None when that file lacks the record. ``extract`` turns a side's
    layer into what :class:`Side` keeps (default: its spans; for entities, :func:`entity_items`)."""
    if extract is None:
        extract = entity_items if layer == "entities" else _spans
    for g in join_records([pred, gold], names, spill_dir=spill_dir):
        p, q = (None if rec is None else _reduce(rec, layer, where or "", extract)
                for rec, where in zip(g.records, g.where, strict=True))
        yield g.id, p, q


#: ids (and sides) of what was not scored that an evaluation lists: the first in :func:`id_order`
EXAMPLES = 20


@dataclass
class Evaluation:
    layer: str
    languages: dict[str, Score] = field(default_factory=dict)
    overall: Score = field(default_factory=Score)
    records: int = 0
    #: records in one file only: counted, the first :data:`EXAMPLES` ids kept (memory stays flat)
    only_pred: Missing = field(default_factory=Missing)
    only_gold: Missing = field(default_factory=Missing)
    #: (record id, side, what): sides in one file only, or without the layer
    side_problems: Missing = field(default_factory=lambda: Missing(key=first_id_order))
    lexicon: bool = False

    @property
    def missing(self) -> int:
        return self.only_pred.count + self.only_gold.count + self.side_problems.count

    def paired(self, rid: str, pred: Any, gold: Any) -> bool:
        """Whether a joined record is in both files; one found in one file only is noted, never scored."""
        if pred is None or gold is None:
            (self.only_gold if pred is None else self.only_pred).add(rid, EXAMPLES)
            return False
        self.records += 1
        return True

    def side_problem(self, rid: str, tag: str, problem: str) -> None:
        """A side not scored: in one file only, or without the layer."""
        self.side_problems.add((rid, tag, problem), EXAMPLES)

    def to_dict(self, limit: int = EXAMPLES) -> dict[str, Any]:
        """The ``accuracy.<layer>`` part of a metrics document. The examples of what was not scored are the
        first ids in :func:`~lancang.quality.join.id_order`, so the document does not depend on the
        order of the inputs."""
        return {"layer": self.layer, "records": self.records,
                "languages": {k: v.to_dict(self.lexicon) for k, v in sorted(self.languages.items())},
                "overall": self.overall.to_dict(self.lexicon),
                "missing": {"only_in_pred": self.only_pred.count, "only_in_gold": self.only_gold.count,
                            "sides": self.side_problems.count,
                            "examples": {"only_in_pred": self.only_pred.ids[:limit],
                                         "only_in_gold": self.only_gold.ids[:limit],
                                         "sides": [{"id": i, "side": s, "problem": w}
                                                   for i, s, w in self.side_problems.ids[:limit]]}}}


def _same_text(rid: str, tag: str, p: Side, g: Side) -> None:
    if p.text != g.text:
        k = next((i for i, (a, b) in enumerate(zip(p.text, g.text)) if a != b), min(len(p.text), len(g.text)))
        raise InputError(f"record {rid!r}, side {tag!r}: prediction and gold texts differ at offset {k} "
                         f"({p.text[k:k + 15]!r} vs {g.text[k:k + 15]!r})")


def _scorable(pairs: Iterable[tuple[str, dict[str, Side] | None, dict[str, Side] | None]], ev: Any,
              layer: str) -> Iterator[tuple[str, str, Side, Side]]:
    """(record id, side, prediction, gold) for every side present in both with the layer; records and
    sides found on one side only, or without the layer, are noted on ``ev``; differing texts raise."""
    for rid, pred, gold in pairs:
        if not ev.paired(rid, pred, gold):
            continue
        for tag in sorted(set(pred) | set(gold)):
            p, g = pred.get(tag), gold.get(tag)
            if p is None or g is None:
                ev.side_problem(rid, tag, "side only in " + ("gold" if p is None else "prediction"))
                continue
            _same_text(rid, tag, p, g)
            if g.spans is None or p.spans is None:
                ev.side_problem(rid, tag, f"no {layer} in " + ("gold" if g.spans is None else "prediction"))
                continue
            yield rid, tag, p, g


def evaluate(pairs: Iterable[tuple[str, dict[str, Side] | None, dict[str, Side] | None]], layer: str,
             lexicon: Container[str] | None = None) -> Evaluation:
    """Score joined records per side language. Texts that differ are an error (with id and side)."""
    ev = Evaluation(layer, lexicon=lexicon is not None)
    for _rid, tag, p, g in _scorable(pairs, ev, layer):
        sc = score_spans(p.spans, g.spans, g.text, lexicon)
        ev.languages.setdefault(tag, Score()).add(sc)
        ev.overall.add(sc)
    return ev


# ------------------------------------------------------------------------------------ entities

#: an entity as scored: (label, fragments), fragments = ((start, end), ...) in text order
Entity = tuple[str, tuple[Span, ...]]
MODES = ("exact", "partial")


def entity_items(layer: dict[str, Any]) -> list[Entity]:
    """The entities of a layer as ``(label, fragments)``; a contiguous entity has one fragment."""
    out = []
    for k, it in enumerate(layer.get("items", [])):
        if not isinstance(it, dict) or not isinstance(it.get("label"), str):
            raise TypeError(f"entity {k} has no label")
        frags = it.get("fragments") or [[it["start"], it["end"]]]
        spans = tuple(sorted((int(a), int(b)) for a, b in frags))
        if any(a >= b for a, b in spans):
            raise ValueError(f"entity {k} has an empty or reversed span {list(spans)}")
        out.append((it["label"], spans))
    return out


def _overlap(a: tuple[Span, ...], b: tuple[Span, ...]) -> bool:
    return any(s < f and t < e for s, e in a for t, f in b)


def _max_matching(pred: Sequence[tuple[Span, ...]], gold: Sequence[tuple[Span, ...]]) -> int:
    """Size of a maximum one-to-one matching of overlapping spans (augmenting paths; sides are small)."""
    return maximum_matching([[j for j, g in enumerate(gold) if _overlap(p, g)] for p in pred])


def maximum_matching(adj: Sequence[Sequence[int]]) -> int:
    """Size of a maximum matching of a bipartite graph given as, for each left item, the right items it may
    pair with (augmenting paths: quadratic, for small sides)."""
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in adj[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    return sum(augment(i, set()) for i in range(len(adj)) if adj[i])


def match_entities(pred: Iterable[Entity], gold: Iterable[Entity]) -> dict[str, Counter]:
    """Counts for one side: ``{"gold": Counter(label), "pred": ..., "exact": ..., "partial": ...}``
    where exact and partial count the correct predictions per label."""
    p, g = list(pred), list(gold)
    out = {"gold": Counter(lab for lab, _ in g), "pred": Counter(lab for lab, _ in p)}
    exact: Counter = Counter()
    for (lab, _), n in (Counter(p) & Counter(g)).items():  # multiset intersection: duplicates count once each
        exact[lab] += n
    out["exact"] = exact
    partial: Counter = Counter()
    for lab in out["gold"].keys() & out["pred"].keys():
        partial[lab] = _max_matching([s for x, s in p if x == lab], [s for x, s in g if x == lab])
    out["partial"] = +partial
    return out


@dataclass
class EntityScore:
    units: int = 0  # sides scored
    gold: Counter = field(default_factory=Counter)
    pred: Counter = field(default_factory=Counter)
    correct: dict[str, Counter] = field(default_factory=lambda: {m: Counter() for m in MODES})

    def add_counts(self, counts: dict[str, Counter], units: int = 1) -> None:
        self.units += units
        self.gold.update(counts["gold"])
        self.pred.update(counts["pred"])
        for m in MODES:
            self.correct[m].update(counts[m])

    def add(self, other: EntityScore) -> None:
        self.add_counts({"gold": other.gold, "pred": other.pred, **other.correct}, other.units)

    def mode(self, m: str) -> dict[str, Any]:
        """Per label, micro and macro P/R/F1 for one mode (exact or partial). A label never predicted has
        no precision (None); the macro mean counts it as 0, as the CoNLL and scikit-learn scorers do."""
        c = self.correct[m]
        labels = {}
        per = []
        for lab in sorted(self.gold.keys() | self.pred.keys()):
            s = prf(c[lab], self.pred[lab], self.gold[lab])
            per.append(s)
            labels[lab] = {"gold": self.gold[lab], "pred": self.pred[lab], "correct": c[lab],
                           **{k: rounded(v) for k, v in s._asdict().items()}}
        tc = sum(c.values())
        micro = {k: rounded(v) for k, v in prf(tc, sum(self.pred.values()), sum(self.gold.values()))._asdict().items()}
        macro = {k: rounded(mean((x[i] for x in per), undefined_as=0.0)) for i, k in enumerate(PRF._fields)}
        return {"correct": tc, **micro, "micro": dict(micro), "macro": macro, "labels": labels}

    def to_dict(self, lexicon: bool = False) -> dict[str, Any]:
        return {"sides": self.units, "gold": sum(self.gold.values()), "pred": sum(self.pred.values()),
                **{m: self.mode(m) for m in MODES}}


@dataclass
class EntityEvaluation(Evaluation):
    languages: dict[str, EntityScore] = field(default_factory=dict)  # type: ignore[assignment]
    overall: EntityScore = field(default_factory=EntityScore)  # type: ignore[assignment]

    def to_dict(self, limit: int = 20) -> dict[str, Any]:
        d = super().to_dict(limit)
        d["languages"] = {k: v.to_dict() for k, v in sorted(self.languages.items())}
        d["overall"] = self.overall.to_dict()
        return d


def evaluate_entities(pairs: Iterable[Pair]) -> EntityEvaluation:
    """Score joined records' entities (``join(..., "entities")``) per side language and overall, exact
    and partial. Records or sides on one side only, or without entities, are reported; texts that
    differ are an error with the record id and side."""
    ev = EntityEvaluation("entities")
    for _rid, tag, p, g in _scorable(pairs, ev, "entities"):
        counts = match_entities(p.spans, g.spans)
        ev.languages.setdefault(tag, EntityScore()).add_counts(counts)
        ev.overall.add_counts(counts)
    return ev
