"""Sentence alignment of document pairs into n–m beads: length, anchors and a learned lexicon.

The model scores a bead by three kinds of evidence, as log-probabilities that add up:

* **bead type** -- a prior over 0–1, 1–0, 1–1, 2–1, 1–2, 2–2, 1–3, 3–1 (re-estimated from the
  first pass, smoothed towards the defaults);
* **length** -- Gale & Church (1993): ``z = (ls - lt/c) / sqrt(s2 * (ls + lt/c) / 2)`` on
  lengths in non-space characters, scored as the two-sided tail ``log 2(1 - Φ(|z|))``. The ratio
  ``c`` (target characters per source character) and the variance ``s2`` are estimated from the
  data of the language pair, not fixed: a Chinese character carries about as much text as three
  or four English, Thai or Indonesian ones. Plain Gale–Church (``c = 1``, ``s2 = 6.8``, its own
  priors) is :func:`gale_church`;
* **lexical** -- every matchable item of the bead (anchors: numbers, URLs, Latin names; units that
  the learned lexicon knows) is either matched by an item on the other side of the bead or not,
  scored as a log-likelihood ratio between "a true bead" and "a chance pairing":
  ``w * (matched * log(p1/p0) + unmatched * log((1-p1)/(1-p0)))`` with ``p1`` and ``p0`` measured on
  the confident beads of the previous pass and on shifted (wrong) pairs of them.

:meth:`SentenceAligner.fit` learns a :class:`SentenceModel` from a corpus of document pairs: pass 1
aligns by length and anchors, the confident 1–1 beads give ``c``, ``s2``, the bead priors, the
lexicon (:mod:`.lexicon`) and ``p1``/``p0``; later passes realign with all of it. :meth:`align`
aligns one document pair with a fitted model (fitting on that document alone when none is given).

Each bead gets a ``score`` in (0, 1): the logistic of how much more its content looks like a
translation than like a chance pairing (the lexical log-likelihood ratio, unbounded, plus the
length log-probability, plus a bias of 2: perfect lengths and no lexical evidence give 0.88).
0–1 and 1–0 beads get 0. Beads under 0.5 are worth a reviewer's look. The search is banded
(:mod:`.dp`), so a document of tens of thousands of sentences aligns in linear time and memory.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ...errors import UsageError
from . import dp
from ._np import np
from .evidence import sentence_items
from .lexicon import LexiconLearner

BEAD_TYPES: tuple[tuple[int, int], ...] = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2), (1, 3), (3, 1))

#: default priors (Gale & Church's, with 1–3 and 3–1 added and the rest scaled down to make room)
DEFAULT_PRIORS = {(1, 1): 0.89, (1, 0): 0.005, (0, 1): 0.005, (2, 1): 0.04, (1, 2): 0.04, (2, 2): 0.01,
                  (1, 3): 0.005, (3, 1): 0.005}

#: Gale & Church (1993): their six bead types and priors, c = 1, s2 = 6.8
GC_PRIORS = {(1, 1): 0.89, (1, 0): 0.0099 / 2, (0, 1): 0.0099 / 2, (2, 1): 0.089 / 2, (1, 2): 0.089 / 2,
             (2, 2): 0.011}

#: (source sentences, target sentences) of one document pair
DocPair = tuple[Sequence[str], Sequence[str]]
#: a bead: (source sentence indices, target sentence indices, score)
Bead = tuple[list[int], list[int], float]


def _key(t: tuple[int, int]) -> str:
    return f"{t[0]}-{t[1]}"


@dataclass
class SentenceModel:
    """What :meth:`SentenceAligner.fit` learns; plain data, saved as JSON by :meth:`to_dict`."""

    ratio: float = 1.0
    variance: float = 6.8
    priors: dict[tuple[int, int], float] = field(default_factory=lambda: dict(DEFAULT_PRIORS))
    lexicon: dict[str, list[str]] = field(default_factory=dict)
    #: mean and concentration (a + b) of the beta-binomial share of matched items in true beads
    p_match: float = 0.5
    c_match: float = 4.0
    #: the same in chance pairings of one sentence with one sentence
    p_chance: float = 0.05
    c_chance: float = 20.0
    anchors: bool = True
    #: Gale–Church scores the length of 1–0 and 0–1 beads too; lancang scores them by prior only
    null_length: bool = False
    lexical_weight: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["priors"] = {_key(k): v for k, v in self.priors.items()}
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SentenceModel:
        d = dict(d)
        if "priors" in d:
            d["priors"] = {tuple(int(x) for x in k.split("-")): float(v) for k, v in d["priors"].items()}
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise UsageError(f"sentence model: unknown keys {', '.join(sorted(unknown))}")
        return cls(**d)


def _log_erfc(x: np.ndarray) -> np.ndarray:
    """log(erfc(x)) for x >= 0 (Abramowitz & Stegun 7.1.26; no underflow for large x)."""
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return np.log(poly) - x * x


def _length(s: str) -> int:
    return len("".join(s.split()))


NMAX = 256
#: the most a bead's lexical evidence can count against it, in nats
LLR_FLOOR = 6.0
#: log-odds of a bead whose lengths match perfectly and that has no lexical evidence either way
SCORE_BIAS = 2.0
_TABLES: dict[tuple[float, ...], np.ndarray] = {}


def _lgamma(x: np.ndarray) -> np.ndarray:
    return np.array([math.lgamma(v) for v in x.ravel()]).reshape(x.shape)


def _bb_table(mean: float, conc: float) -> np.ndarray:
    """T[n, k] = log of the beta-binomial probability of k of n, without the binomial coefficient."""
    a, b = mean * conc, (1 - mean) * conc
    k = np.arange(NMAX + 1, dtype=float)
    la, lb, lab = _lgamma(k + a), _lgamma(k + b), _lgamma(k + a + b)
    n = np.arange(NMAX + 1)[:, None]
    kk = np.arange(NMAX + 1)[None, :]
    valid = kk <= n
    t = la[kk] + lb[np.where(valid, n - kk, 0)] - lab[n] - (math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b))
    return np.where(valid, t, 0.0)


def _llr_table(model: SentenceModel, size: int) -> np.ndarray:
    """Log-likelihood ratio table for beads whose larger side has ``size`` sentences: an item is
    matched by its true partner or by chance in any of the ``size - 1`` other sentences."""
    p1 = min(max(model.p_match, 0.02), 0.98)
    p0 = min(max(model.p_chance, 0.001), p1 * 0.9)
    q = 1 - (1 - p1) * (1 - p0) ** (size - 1)
    r = 1 - (1 - p0) ** size
    key = (round(q, 6), round(model.c_match, 4), round(r, 6), round(model.c_chance, 4))
    t = _TABLES.get(key)
    if t is None:
        t = _bb_table(q, model.c_match) - _bb_table(r, model.c_chance)
        if len(_TABLES) > 64:
            _TABLES.clear()
        _TABLES[key] = t
    return t


def _lookup(table: np.ndarray, k: np.ndarray, n: np.ndarray) -> np.ndarray:
    n = np.broadcast_to(np.asarray(n, float), k.shape)
    big = n > NMAX
    if big.any():
        k = np.where(big, np.round(k * NMAX / np.maximum(n, 1)), k)
        n = np.where(big, NMAX, n)
    ki, ni = k.astype(np.int64), n.astype(np.int64)
    return table[ni, np.minimum(ki, ni)]


class _Doc:
    """One document pair prepared for the search: lengths, item sets and pairwise match counts."""

    def __init__(self, src: Sequence[str], tgt: Sequence[str], model: SentenceModel,
                 src_tokens: Sequence[Sequence[str]] | None = None,
                 tgt_tokens: Sequence[Sequence[str]] | None = None):
        self.model = model
        self.n, self.m = len(src), len(tgt)
        self.ls = np.array([_length(s) for s in src], float)
        self.lt = np.array([_length(t) for t in tgt], float)
        self.cs = np.concatenate([[0.0], np.cumsum(self.ls)])
        self.ct = np.concatenate([[0.0], np.cumsum(self.lt)])
        sx = [sentence_items(s, src_tokens[k] if src_tokens else None) for k, s in enumerate(src)]
        tx = [sentence_items(t, tgt_tokens[k] if tgt_tokens else None) for k, t in enumerate(tgt)]
        self.src_items, self.tgt_items = sx, tx
        self.lex = model.anchors or bool(model.lexicon)
        self.logprior = {t: math.log(p) for t, p in model.priors.items() if p > 0}
        self.types = [t for t in BEAD_TYPES if t in self.logprior]
        if self.lex:
            self._items(sx, tx)

    # ------------------------------------------------------------------ items and match counts
    def _items(self, sx: list[tuple[list[str], list[str]]], tx: list[tuple[list[str], list[str]]]) -> None:
        model = self.model
        ids: dict[str, int] = {}

        def iid(key: str) -> int:
            i = ids.get(key)
            if i is None:
                i = ids[key] = len(ids)
            return i

        lex = model.lexicon
        rev: dict[str, list[str]] = {}
        for u, vs in lex.items():
            for v in vs:
                rev.setdefault(v, []).append(u)
        self.S: list[frozenset[int]] = []
        self.S_cov: list[frozenset[int]] = []  # target item ids matched by source sentence k
        for anchors, units in sx:
            items = {iid("a" + a) for a in anchors} if model.anchors else set()
            cov = set(items)
            for u in units:
                vs = lex.get(u)
                if vs:
                    items.add(iid("s" + u))
                    cov.update(iid("t" + v) for v in vs)
            self.S.append(frozenset(items))
            self.S_cov.append(frozenset(cov))
        self.T: list[frozenset[int]] = []
        self.T_cov: list[frozenset[int]] = []  # source item ids matched by target sentence l
        for anchors, units in tx:
            items = {iid("a" + a) for a in anchors} if model.anchors else set()
            cov = set(items)
            for v in units:
                us = rev.get(v)
                if us:
                    items.add(iid("t" + v))
                    cov.update(iid("s" + u) for u in us)
            self.T.append(frozenset(items))
            self.T_cov.append(frozenset(cov))
        self.Ws = np.array([len(x) for x in self.S], float)
        self.Wt = np.array([len(x) for x in self.T], float)
        self.llr = {k: _llr_table(model, k) for k in (1, 2, 3)}

    def windows(self, lo: np.ndarray, hi: np.ndarray) -> None:
        """Match counts of each source sentence with every target sentence it can share a bead with.

        ``MS[k, l - elo[k]]``: items of source sentence k matched by target sentence l;
        ``MT[k, l - elo[k]]``: items of target sentence l matched by source sentence k.
        """
        n, m = self.n, self.m
        a = np.maximum(0, lo[1:] - 3)
        b = hi[np.minimum(n, np.arange(n) + 3)]
        b = np.minimum(m, np.maximum(a, b))
        self.elo = a.astype(np.int64)
        ww = int((b - a).max()) if n else 0
        self.MS = np.zeros((n, max(1, ww)))
        self.MT = np.zeros((n, max(1, ww)))
        T, Tc = self.T, self.T_cov
        for k in range(n):
            S, Sc = self.S[k], self.S_cov[k]
            if not S and not Sc:
                continue
            for col, lj in enumerate(range(int(a[k]), int(b[k]))):
                if S:
                    self.MS[k, col] = len(S & Tc[lj])
                if T[lj]:
                    self.MT[k, col] = len(T[lj] & Sc)

    def _pair(self, arr: np.ndarray, K: np.ndarray, L: np.ndarray) -> np.ndarray:
        idx = L - self.elo[K]
        ok = (idx >= 0) & (idx < arr.shape[1]) & (L >= 0)
        return np.where(ok, arr[K, np.where(ok, idx, 0)], 0.0)

    # ------------------------------------------------------------------ bead log-probabilities
    def length_lp(self, a: int, b: int, R: np.ndarray, J: np.ndarray) -> np.ndarray:
        """Gale–Church log-probability of the lengths of beads (a, b) ending at rows R, columns J."""
        model = self.model
        if (a == 0 or b == 0) and not model.null_length:
            return np.zeros(np.broadcast_shapes(np.shape(R), np.shape(J)))
        ls = self.cs[R] - self.cs[np.maximum(R - a, 0)]
        lt = self.ct[J] - self.ct[np.maximum(J - b, 0)]
        lt_n = lt / model.ratio
        mean = (ls + lt_n) / 2.0
        z = np.abs(ls - lt_n) / np.sqrt(model.variance * np.maximum(mean, 1e-9))
        return np.where(mean > 0, _log_erfc(z / math.sqrt(2.0)), 0.0)

    def lexical_lp(self, a: int, b: int, R: np.ndarray, J: np.ndarray, floor: float = LLR_FLOOR) -> np.ndarray:
        """Beta-binomial log-likelihood ratio (true bead / chance) of the number of matched items."""
        shape = np.broadcast_shapes(np.shape(R), np.shape(J))
        if not self.lex or a == 0 or b == 0:
            return np.zeros(shape)
        ms = np.zeros(shape)
        mt_sum = [np.zeros(shape) for _ in range(b)]
        ws = np.zeros(np.shape(R))
        for d in range(1, a + 1):
            K = np.maximum(R - d, 0)
            wk = self.Ws[K]
            ws = ws + wk
            row = np.zeros(shape)
            for t in range(1, b + 1):
                row += self._pair(self.MS, K, J - t)
                mt_sum[t - 1] += self._pair(self.MT, K, J - t)
            ms += np.minimum(row, wk)
        mt = np.zeros(shape)
        wt = np.zeros(shape)
        for t in range(1, b + 1):
            w = self.Wt[np.maximum(J - t, 0)]
            wt += w
            mt += np.minimum(mt_sum[t - 1], w)
        llr = _lookup(self.llr[max(a, b)], ms + mt, ws + wt)
        # absence of matches is weak evidence where the lexicon is thin: bound the penalty
        return np.maximum(llr, -floor) * self.model.lexical_weight

    def logprob(self, a: int, b: int, R: np.ndarray, J: np.ndarray) -> np.ndarray:
        return self.logprior[(a, b)] + self.length_lp(a, b, R, J) + self.lexical_lp(a, b, R, J)

    def block(self, rows: np.ndarray, J: np.ndarray) -> dict[int, np.ndarray]:
        R = rows[:, None]
        return {k: self.logprob(a, b, R, J) for k, (a, b) in enumerate(self.types)}

    def log_odds(self, i0: int, i1: int, j0: int, j1: int) -> float:
        """How much more the bead's content looks like a translation than a chance pairing: the
        lexical log-likelihood ratio (not bounded here) plus the length log-probability."""
        a, b = i1 - i0, j1 - j0
        if a == 0 or b == 0:
            return -math.inf
        R, J = np.array([i1]), np.array([j1])
        length = float(self.length_lp(a, b, R, J)[0])
        lex = float(self.lexical_lp(a, b, R, J, floor=math.inf)[0]) if self.lex else 0.0
        return SCORE_BIAS + max(length, -20.0) + lex


@dataclass
class SentenceAligner:
    """Configuration of the sentence aligner (every option has a default; unknown keys are errors)."""

    #: half-width of the search band around the length diagonal, in sentences
    band: int = 30
    #: the band is doubled while the path touches its edge, up to this half-width
    max_band: int = 2000
    #: use anchors (numbers, URLs, Latin names) as evidence
    anchors: bool = True
    #: learn a bilingual lexicon from the first pass and realign with it
    lexicon: bool = True
    #: realignment passes after the first (each relearns ratio, variance, priors, lexicon)
    passes: int = 2
    #: beads whose score is at least this train the next pass
    confident: float = 0.2
    #: weight of lexical evidence (independence of items is over-counted, so below 1)
    lexical_weight: float = 1.0
    #: bead types allowed, as "a-b" strings
    types: tuple[str, ...] = tuple(_key(t) for t in BEAD_TYPES)
    max_lexicon_beads: int = 20000
    #: the largest share of the lexicon's pairs that may be chance co-occurrences, estimated by
    #: pairing the same beads at random (0 = keep every pair over the count and phi thresholds)
    lexicon_fdr: float = 0.2
    #: learn from the first N document pairs only (0 = all); each pass reads them again
    fit_limit: int = 0

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> SentenceAligner:
        config = dict(config or {})
        unknown = sorted(set(config) - set(cls.__dataclass_fields__))
        if unknown:
            raise UsageError(f"sentence aligner: unknown configuration key {', '.join(map(repr, unknown))} "
                             f"(known: {', '.join(sorted(cls.__dataclass_fields__))})")
        if "types" in config:
            config["types"] = tuple(config["types"])
            bad = [t for t in config["types"] if t not in {_key(b) for b in BEAD_TYPES}]
            if bad or "1-1" not in config["types"]:
                raise UsageError(f"sentence aligner: bead types must include 1-1 and be among "
                                 f"{', '.join(_key(b) for b in BEAD_TYPES)} (got {', '.join(config['types'])})")
        return cls(**config)

    # ------------------------------------------------------------------ alignment of one document
    def initial_model(self) -> SentenceModel:
        allowed = set(self.types)
        pri = {t: p for t, p in DEFAULT_PRIORS.items() if _key(t) in allowed}
        z = sum(pri.values())
        return SentenceModel(priors={t: p / z for t, p in pri.items()}, anchors=self.anchors,
                             lexical_weight=self.lexical_weight)

    def align(self, src: Sequence[str], tgt: Sequence[str], model: SentenceModel | None = None,
              src_tokens: Sequence[Sequence[str]] | None = None,
              tgt_tokens: Sequence[Sequence[str]] | None = None) -> list[Bead]:
        """Beads of one document pair. Without a model, one is fitted on this document alone."""
        if model is None:
            model = self.fit([(src, tgt)])
        return align_with(src, tgt, model, self.band, self.max_band, src_tokens, tgt_tokens)

    # ------------------------------------------------------------------ learning from a corpus
    def fit(self, docs: Iterable[DocPair] | Callable[[], Iterable[DocPair]]) -> SentenceModel:
        """Learn the model from document pairs (a list, or a callable giving a fresh iterator per pass)."""
        source = docs if callable(docs) else _reiterable(docs)
        if self.fit_limit > 0:
            source = _limited(source, self.fit_limit)
        # first guess of the ratio: the ratio of median sentence lengths (sampled), which, unlike
        # the ratio of total lengths, is not thrown off when one side has content the other lacks
        ls_sample: list[int] = []
        lt_sample: list[int] = []
        for src, tgt in source():
            if len(ls_sample) < 50000:
                ls_sample.extend(_length(x) for x in src)
            if len(lt_sample) < 50000:
                lt_sample.extend(_length(x) for x in tgt)
        model = self.initial_model()
        ms = float(np.median(ls_sample)) if ls_sample else 0.0
        mt = float(np.median(lt_sample)) if lt_sample else 0.0
        if ms > 0 and mt > 0:
            model.ratio = mt / ms
        model.variance = 6.8 / max(model.ratio, 1.0)
        for _ in range(1 + max(0, self.passes)):
            stats = _PassStats(self)
            for src, tgt in source():
                if not src or not tgt:
                    continue
                doc = _Doc(src, tgt, model)
                beads = _search(doc, self.band, self.max_band)
                stats.add(doc, beads)
            model = stats.update(model)
        return model


def _limited(source: Callable[[], Iterable[DocPair]], n: int) -> Callable[[], Iterable[DocPair]]:
    def first() -> Iterator[DocPair]:
        for k, d in enumerate(source()):
            if k >= n:
                return
            yield d

    return first


def _reiterable(docs: Iterable[DocPair]) -> Callable[[], Iterable[DocPair]]:
    lst = docs if isinstance(docs, list) else list(docs)
    return lambda: lst


def _search(doc: _Doc, width: int, max_width: int) -> list[tuple[int, int, int, int]]:
    n, m = doc.n, doc.m
    if n == 0 or m == 0:
        return [(k, k + 1, 0, 0) for k in range(n)] + [(n, n, j, j + 1) for j in range(m)]
    g = dp.guide(doc.ls, doc.lt)
    full = max(n, m)
    width = min(max(3, width), full)
    while True:
        lo, hi = dp.band(g, m, width)
        if doc.lex:
            doc.windows(lo, hi)
        beads, _ = dp.search(n, m, lo, hi, doc.types, doc.block)
        if beads and (width >= full or not dp.touches_edge(beads, lo, hi, m)):
            return beads
        if beads and width >= max_width:
            return beads
        if width >= full:
            raise UsageError("no alignment path within the allowed bead types: allow 1-0 and 0-1 beads")
        width = min(width * 2, full)


def _empty_sides(src: Sequence[str], tgt: Sequence[str]) -> list[Bead]:
    return [([k], [], 0.0) for k in range(len(src))] + [([], [j], 0.0) for j in range(len(tgt))]


def _score(log_odds: float) -> float:
    if log_odds == -math.inf:
        return 0.0
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, log_odds))))


def align_with(src: Sequence[str], tgt: Sequence[str], model: SentenceModel, band: int = 30,
               max_band: int = 2000, src_tokens: Sequence[Sequence[str]] | None = None,
               tgt_tokens: Sequence[Sequence[str]] | None = None) -> list[Bead]:
    """Align one document pair with a given model (the function a worker calls per record)."""
    if not src or not tgt:
        return _empty_sides(src, tgt)
    doc = _Doc(src, tgt, model, src_tokens, tgt_tokens)
    path = _search(doc, band, max_band)
    out: list[Bead] = []
    for i0, i1, j0, j1 in path:
        score = _score(doc.log_odds(i0, i1, j0, j1))
        out.append((list(range(i0, i1)), list(range(j0, j1)), round(score, 4)))
    return out


class _PassStats:
    """What one pass over the corpus tells the next: confident beads and their measurements."""

    def __init__(self, cfg: SentenceAligner):
        self.cfg = cfg
        self.types: dict[tuple[int, int], int] = {}
        self.ls: list[float] = []
        self.lt: list[float] = []
        self.learner = LexiconLearner(max_beads=cfg.max_lexicon_beads, fdr=cfg.lexicon_fdr)
        self.pairs: list[tuple[set[str], set[str]]] = []  # (src items, tgt items) of confident 1-1 beads

    def add(self, doc: _Doc, path: list[tuple[int, int, int, int]]) -> None:
        for i0, i1, j0, j1 in path:
            t = (i1 - i0, j1 - j0)
            self.types[t] = self.types.get(t, 0) + 1
            if t != (1, 1):
                continue
            sa, su = doc.src_items[i0]
            ta, tu = doc.tgt_items[j0]
            # match rates are measured on beads chosen by length alone (choosing them by their
            # lexical score would make true beads look more alike than they are)
            if len(self.pairs) < 20000 and doc.length_lp(1, 1, np.array([i1]), np.array([j1]))[0] > -1.0:
                self.pairs.append(({"a" + x for x in sa} | {"s" + x for x in su},
                                   {"a" + x for x in ta} | {"t" + x for x in tu}))
            # ratio and variance come from every 1-1 bead (the estimator is robust to the wrong
            # ones; choosing beads by a score that includes length would shrink the variance)
            if len(self.ls) < 200000:
                self.ls.append(doc.ls[i0])
                self.lt.append(doc.lt[j0])
            if _score(doc.log_odds(i0, i1, j0, j1)) < self.cfg.confident:
                continue
            if self.cfg.lexicon:
                self.learner.add(su, tu)

    def update(self, model: SentenceModel) -> SentenceModel:
        new = SentenceModel(**{**asdict(model), "priors": dict(model.priors), "lexicon": dict(model.lexicon)})
        ls, lt = np.array(self.ls), np.array(self.lt)
        if len(ls) >= 10 and ls.sum() > 0 and lt.sum() > 0:
            new.ratio = float(np.median(lt / np.maximum(ls, 1.0)) if len(ls) < 30 else _trimmed_ratio(ls, lt))
            lt_n = lt / new.ratio
            mean = np.maximum((ls + lt_n) / 2, 1.0)
            # median of a chi-square with one degree of freedom is 0.455: a robust variance
            new.variance = float(max(0.5, np.median((ls - lt_n) ** 2 / mean) / 0.455))
        if self.cfg.lexicon and len(self.learner) >= 20:
            new.lexicon = self.learner.learn()
        self._match_rates(new)
        return new

    def _match_rates(self, model: SentenceModel) -> None:
        """p1: share of matchable items matched in confident beads; p0: the same in shifted pairs."""
        if len(self.pairs) < 10:
            return
        lex = model.lexicon
        rev: dict[str, set[str]] = {}
        for u, vs in lex.items():
            for v in vs:
                rev.setdefault(v, set()).add(u)

        def matchable(src: set[str], tgt: set[str]) -> tuple[int, int]:
            s_items = [x for x in src if x[0] == "a" and model.anchors or x[0] == "s" and x[1:] in lex]
            t_items = [x for x in tgt if x[0] == "a" and model.anchors or x[0] == "t" and x[1:] in rev]
            tgt_words = {x[1:] for x in tgt if x[0] == "t"}
            src_words = {x[1:] for x in src if x[0] == "s"}
            hit = sum(1 for x in s_items if (x in tgt if x[0] == "a" else any(v in tgt_words for v in lex[x[1:]])))
            hit += sum(1 for x in t_items if (x in src if x[0] == "a" else any(u in src_words for u in rev[x[1:]])))
            return hit, len(s_items) + len(t_items)

        true, chance = [], []
        n = len(self.pairs)
        for k, (s, t) in enumerate(self.pairs):
            true.append(matchable(s, t))
            chance.append(matchable(s, self.pairs[(k + max(1, n // 2)) % n][1]))
        fit1, fit0 = _fit_beta_binomial(true), _fit_beta_binomial(chance)
        if fit1 and fit0:
            model.p_match, model.c_match = fit1
            model.p_chance, model.c_chance = fit0
            model.p_match = min(0.95, max(0.1, model.p_match))
            model.p_chance = min(model.p_match / 2, max(0.002, model.p_chance))


def _trimmed_ratio(ls: np.ndarray, lt: np.ndarray) -> float:
    """Σ lt / Σ ls over the 1-1 beads whose own ratio is within the central 80 %."""
    r = lt / np.maximum(ls, 1.0)
    lo, hi = np.quantile(r, [0.1, 0.9])
    keep = (r >= lo) & (r <= hi)
    return float(lt[keep].sum() / max(ls[keep].sum(), 1.0))


def _fit_beta_binomial(obs: list[tuple[int, int]]) -> tuple[float, float] | None:
    """Mean and concentration of a beta-binomial by the method of moments, from (k, n) pairs."""
    obs = [(k, n) for k, n in obs if n >= 3]
    if len(obs) < 10:
        return None
    k = np.array([o[0] for o in obs], float)
    n = np.array([o[1] for o in obs], float)
    mu = float(k.sum() / n.sum())
    if mu <= 0 or mu >= 1:
        return None
    p = k / n
    var = float(np.average((p - mu) ** 2, weights=n))
    inv_n = float(np.mean(1 / n))
    base = mu * (1 - mu)
    rho = (var - base * inv_n) / (base * (1 - inv_n)) if inv_n < 1 else 0.5
    rho = min(0.5, max(0.1, rho))
    return mu, 1 / rho - 1


def gale_church(src: Sequence[str], tgt: Sequence[str], band: int | None = None) -> list[Bead]:
    """Plain Gale & Church (1993): length only, c = 1, s2 = 6.8, their priors, full search.

    The baseline the benchmark compares with; ``band`` limits the search as lancang's does.
    """
    model = SentenceModel(ratio=1.0, variance=6.8, priors=dict(GC_PRIORS), anchors=False, null_length=True)
    width = band if band is not None else max(len(src), len(tgt), 1)
    return align_with(src, tgt, model, width, width)


class GaleChurch:
    """Plain Gale–Church as an aligner with the same interface (the baseline; nothing is learned)."""

    def __init__(self, band: int = 200):
        self.band = band

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> GaleChurch:
        config = dict(config or {})
        unknown = sorted(set(config) - {"band"})
        if unknown:
            raise UsageError(f"gale-church: unknown configuration key {', '.join(map(repr, unknown))} (known: band)")
        return cls(**config)

    def fit(self, docs: Any) -> SentenceModel:
        return SentenceModel(ratio=1.0, variance=6.8, priors=dict(GC_PRIORS), anchors=False, null_length=True)

    def align(self, src: Sequence[str], tgt: Sequence[str], model: SentenceModel | None = None,
              src_tokens: Any = None, tgt_tokens: Any = None) -> list[Bead]:
        return align_with(src, tgt, model or self.fit(()), self.band, max(self.band, len(src), len(tgt)))
