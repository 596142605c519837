"""Scores of alignments against gold: sentence beads (strict/lax P/R/F1) and word links (AER).

**Beads.** Strict and lax precision, recall and F1 as defined by Sennrich & Volk (2011) and
implemented in the scorers of Vecalign (``score.py``) and Bertalign (``eval.py``), which agree:

* a bead is a pair (source sentence indices, target sentence indices); beads empty on both sides
  are ignored;
* *precision* is counted over the test beads: a test bead is a strict hit when the identical bead
  is in the gold; otherwise it is a lax hit when one of its target sentences is, in the gold,
  aligned to one of its source sentences (so a test bead with an empty side is never a lax hit
  unless it is a strict one);
* *recall* is the same count with gold and test swapped, after removing the insertions and
  deletions (beads with an empty side) from both: it measures how many gold beads with content on
  both sides were found, strictly or partially;
* F1 is the harmonic mean of the micro-averaged precision and recall. Counts are summed over all
  documents before dividing (micro average), as ``score_multiple`` does.

**Links.** Alignment error rate with sure (S) and possible (P) links, S ⊆ P (Och & Ney 2003):
``AER = 1 - (|A∩S| + |A∩P|) / (|A| + |S|)``; precision ``|A∩P| / |A|``, recall ``|A∩S| / |S|``
and their F1, micro-averaged over sentence pairs. A possible-only gold link is in P and not in S;
a sure link is in both. The hypothesis's own S/P flags are ignored (every proposed link counts).

Both scorers accumulate small counts (:class:`BeadCounts`, :class:`LinkCounts`), so a corpus is
scored in one streaming pass; :func:`bead_scores` and :func:`link_scores` are the one-call forms.
Every function takes the prediction first, then the gold. Scores come from
:mod:`lancang.quality.scores`: one that is undefined for the data (no test beads, no links on
either side) is None, never 0.0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import InputError
from .join import join_records
from .scores import aer, harmonic, ratio

Bead = tuple[Sequence[int], Sequence[int]]


def _as_beads(beads: Iterable[Any]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Accept (src, tgt) pairs, (src, tgt, score) triples or record bead dicts."""
    out = []
    for b in beads:
        if isinstance(b, Mapping):
            s, t = b["src"], b["tgt"]
        else:
            s, t = b[0], b[1]
        out.append((tuple(int(i) for i in s), tuple(int(j) for j in t)))
    return out


def _hits(reference: list[tuple[tuple[int, ...], tuple[int, ...]]],
          test: list[tuple[tuple[int, ...], tuple[int, ...]]]) -> tuple[int, int, int]:
    """(strict hits, lax hits, number of test beads) of ``test`` judged against ``reference``."""
    ref = {b for b in reference if b[0] or b[1]}
    tst = {b for b in test if b[0] or b[1]}
    ref_targets: dict[int, set[int]] = {}
    for s, t in ref:
        for i in s:
            ref_targets.setdefault(i, set()).update(t)
    strict = lax = 0
    for s, t in tst:
        if (s, t) in ref:
            strict += 1
            lax += 1
            continue
        reachable: set[int] = set()
        for i in s:
            reachable |= ref_targets.get(i, set())
        if reachable.intersection(t):
            lax += 1
    return strict, lax, len(tst)


@dataclass
class BeadCounts:
    """Running counts for strict/lax bead precision and recall (add documents with :meth:`add`)."""

    p_strict: int = 0
    p_lax: int = 0
    p_total: int = 0
    r_strict: int = 0
    r_lax: int = 0
    r_total: int = 0
    documents: int = 0

    def add(self, test: Iterable[Any], gold: Iterable[Any]) -> None:
        """Add one document: its predicted (test) beads, then its gold beads."""
        g, t = _as_beads(gold), _as_beads(test)
        s, lx, n = _hits(g, t)
        self.p_strict += s
        self.p_lax += lx
        self.p_total += n
        g_full = [b for b in g if b[0] and b[1]]
        t_full = [b for b in t if b[0] and b[1]]
        s, lx, n = _hits(t_full, g_full)
        self.r_strict += s
        self.r_lax += lx
        self.r_total += n
        self.documents += 1

    def scores(self) -> dict[str, Any]:
        """Precision is counted over the test beads and recall over the gold beads (different hits), so F1
        is :func:`lancang.quality.scores.harmonic` of the two."""
        ps, pl = ratio(self.p_strict, self.p_total), ratio(self.p_lax, self.p_total)
        rs, rl = ratio(self.r_strict, self.r_total), ratio(self.r_lax, self.r_total)
        return {"precision_strict": ps, "recall_strict": rs, "f1_strict": harmonic(ps, rs),
                "precision_lax": pl, "recall_lax": rl, "f1_lax": harmonic(pl, rl),
                "test_beads": self.p_total, "gold_beads": self.r_total, "documents": self.documents}


def bead_scores(test_docs: Iterable[Iterable[Any]], gold_docs: Iterable[Iterable[Any]]) -> dict[str, Any]:
    """Strict and lax P/R/F1 of test beads against gold beads, one bead list per document.

    >>> gold = [[([0], [0]), ([1], [1, 2]), ([2], [])]]
    >>> test = [[([0], [0]), ([1], [1]), ([], [2]), ([2], [])]]
    >>> s = bead_scores(test, gold)
    >>> round(s["precision_strict"], 3), round(s["recall_strict"], 3), round(s["recall_lax"], 3)
    (0.5, 0.5, 1.0)
    >>> bead_scores([[]], [[]])["f1_strict"] is None
    True
    """
    c = BeadCounts()
    for t, g in zip(test_docs, gold_docs, strict=True):
        c.add(t, g)
    return c.scores()


Pair = tuple[int, int]


def parse_links(pairs: Iterable[Any]) -> tuple[set[Pair], set[Pair]]:
    """(sure, possible) link sets from ``[i, j, "S"|"P"]`` triples or ``(i, j)`` pairs (sure).

    The possible set includes the sure links (S ⊆ P), as AER requires.
    """
    sure: set[Pair] = set()
    possible: set[Pair] = set()
    for p in pairs:
        i, j = int(p[0]), int(p[1])
        flag = p[2] if len(p) > 2 else "S"
        possible.add((i, j))
        if flag == "S":
            sure.add((i, j))
    return sure, possible


@dataclass
class LinkCounts:
    """Running counts for AER / precision / recall of word links (add sentence pairs with :meth:`add`)."""

    hyp: int = 0
    sure: int = 0
    hyp_sure: int = 0
    hyp_possible: int = 0
    pairs: int = 0

    def add(self, test: Iterable[Any], gold: Iterable[Any]) -> None:
        """Add one sentence pair: its predicted (test) links, then its gold links."""
        s, p = parse_links(gold)
        a = {(int(x[0]), int(x[1])) for x in test}
        self.hyp += len(a)
        self.sure += len(s)
        self.hyp_sure += len(a & s)
        self.hyp_possible += len(a & p)
        self.pairs += 1

    def scores(self) -> dict[str, Any]:
        """AER; precision |A∩P|/|A| and recall |A∩S|/|S| (their hits differ, so F1 is their harmonic mean)."""
        prec, rec = ratio(self.hyp_possible, self.hyp), ratio(self.hyp_sure, self.sure)
        return {"aer": aer(self.hyp, self.sure, self.hyp_sure, self.hyp_possible), "precision": prec, "recall": rec,
                "f1": harmonic(prec, rec), "links": self.hyp, "sure": self.sure, "pairs": self.pairs}


def link_scores(test: Iterable[Iterable[Any]], gold: Iterable[Iterable[Any]]) -> dict[str, Any]:
    """AER, precision, recall and F1 of test links against gold, one link list per sentence pair.

    >>> s = link_scores([[(0, 0), (1, 2)]], [[(0, 0, "S"), (1, 1, "P")]])
    >>> round(s["aer"], 3), s["precision"], s["recall"]
    (0.333, 0.5, 1.0)
    >>> link_scores([[]], [[]])["aer"] is None
    True
    """
    c = LinkCounts()
    for t, g in zip(test, gold, strict=True):
        c.add(t, g)
    return c.scores()


def evaluate_records(pred: Iterable[Mapping[str, Any]], gold: Iterable[Mapping[str, Any]],
                     layer: str, src: str | None = None, tgt: str | None = None,
                     names: tuple[str, str] = ("PRED", "GOLD"), spill_dir: str | None = None) -> dict[str, Any]:
    """Score the ``beads`` or ``links`` (token links) of predicted records against gold records.

    Records are joined by id (:func:`lancang.quality.join.join_records`, in any order); a record in
    one input only is an input error naming it and where it is (``names`` locate the inputs). In
    each record the first link of the kind (``beads`` or ``tokens``) between ``src`` and ``tgt``
    (any pair when not given) is compared. A record whose gold has no such link is skipped and
    counted in ``skipped``; a predicted record without one counts as an empty alignment. This is
    the function ``lancang evaluate --layer beads|links`` calls.
    """
    kind = {"beads": "beads", "links": "tokens"}.get(layer)
    if kind is None:
        raise ValueError(f"layer must be 'beads' or 'links', not {layer!r}")
    counts: BeadCounts | LinkCounts = BeadCounts() if kind == "beads" else LinkCounts()
    skipped = 0
    for grp in join_records([pred, gold], names, spill_dir=spill_dir):
        p, g = grp.records
        if p is None or g is None:
            has, lacks = (0, 1) if g is None else (1, 0)
            raise InputError(f"{grp.where[has]}: record {grp.id!r} is not in {names[lacks]}: the records of the two "
                             "files differ (beads and links are scored on records present in both)")
        gl = _find_link(g, kind, src, tgt)
        if gl is None:
            skipped += 1
            continue
        pl = _find_link(p, kind, gl["src"], gl["tgt"])
        key = "beads" if kind == "beads" else "pairs"
        counts.add(pl[key] if pl else [], gl[key])
    out = counts.scores()
    out["skipped"] = skipped
    return out


def _find_link(rec: Mapping[str, Any], kind: str, src: str | None, tgt: str | None) -> dict[str, Any] | None:
    for link in rec.get("links", []):
        if link.get("kind") == kind and (src is None or link["src"] == src) and (tgt is None or link["tgt"] == tgt):
            return link
    return None
