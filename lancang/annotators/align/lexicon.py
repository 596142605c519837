"""A bilingual lexicon learned from sentence pairs that the length-based pass aligned with confidence.

This is the idea of hunalign's realignment (Varga et al. 2005): align by length and anchors,
learn word translations from the beads that came out confidently, realign with them. Here a pair
of units (u, v) enters the lexicon when it co-occurs in at least ``min_count`` beads and its
association, the phi coefficient of the 2×2 table of bead counts, is at least ``min_phi``; each
unit keeps its ``per_unit`` best partners. Phi, unlike Dice, does not reward pairs of merely
frequent units (``the`` and ``的`` co-occur in most beads without translating each other).

In a small corpus most pairs that pass those two thresholds are chance: a Han character and a Thai
trigram that happen to meet in two of 300 beads have phi near 1. Worse, the beads are those of the
aligner's own previous pass, so the chance pairs of a wrong bead support that same wrong bead in
the next pass. So the pairs are also counted over the same beads paired at random
(``permutations`` times), and only pairs whose association (Dunning's G2) is above the lowest
threshold at which the random pairings' pairs are at most ``fdr`` of the kept ones enter the
lexicon. On 1,000 beads (TALPCo) the threshold lets every pair through; on a 300-sentence
document it drops about a third of the lexicon (PUD zh–th: 685 source units → 472).

Counting is vectorised: units become integer ids, each bead's co-occurrences become int64 keys
``u * V + v``, and counts come from ``np.unique``. At most ``max_beads`` beads are used (a uniform
sample when more are offered), so memory stays bounded on any corpus.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ._np import np


@dataclass
class LexiconLearner:
    min_count: int = 2
    min_phi: float = 0.3
    per_unit: int = 3
    #: units in more than this share of beads are ignored (too common to tell beads apart)
    max_share: float = 0.25
    max_beads: int = 20000
    #: at most this share of the lexicon's pairs may be chance co-occurrences: the share is
    #: estimated by counting again over the same beads paired at random (0: no such filter)
    fdr: float = 0.2
    #: random pairings the chance counts are averaged over
    permutations: int = 3
    seed: int = 7
    _sample: list[tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=list, repr=False)
    _seen: int = field(default=0, repr=False)

    def add(self, src_units: Iterable[str], tgt_units: Iterable[str]) -> None:
        """Offer one confident bead (reservoir sampling keeps at most ``max_beads``)."""
        item = (tuple(sorted(set(src_units))), tuple(sorted(set(tgt_units))))
        self._seen += 1
        if len(self._sample) < self.max_beads:
            self._sample.append(item)
            return
        k = random.Random(self.seed + self._seen).randrange(self._seen)
        if k < self.max_beads:
            self._sample[k] = item

    def __len__(self) -> int:
        return len(self._sample)

    def learn(self) -> dict[str, list[str]]:
        """The lexicon: each source unit with its best target units, best first."""
        beads = self._sample
        n = len(beads)
        if n < 2:
            return {}
        s_vocab, t_vocab = _vocab(b[0] for b in beads), _vocab(b[1] for b in beads)
        s_df = np.zeros(len(s_vocab), np.int64)
        t_df = np.zeros(len(t_vocab), np.int64)
        s_ids = [np.fromiter((s_vocab[u] for u in b[0]), np.int64, len(b[0])) for b in beads]
        t_ids = [np.fromiter((t_vocab[v] for v in b[1]), np.int64, len(b[1])) for b in beads]
        for a in s_ids:
            s_df[a] += 1
        for a in t_ids:
            t_df[a] += 1
        cap = max(self.min_count, int(self.max_share * n))
        s_ok = (s_df >= self.min_count) & (s_df <= cap)
        t_ok = (t_df >= self.min_count) & (t_df <= cap)
        V = len(t_vocab)
        u, v, cnt = _cooccurrences(s_ids, t_ids, s_ok, t_ok, V, self.min_count)
        phi = _phi(n, cnt, s_df[u], t_df[v])
        good = phi >= self.min_phi
        u, v, cnt, phi = u[good], v[good], cnt[good], phi[good]
        if self.fdr > 0 and len(u):
            # In a small corpus most pairs that pass min_count and min_phi co-occur by chance (a
            # Han character and a Thai trigram found together in two beads); the same counts over
            # beads paired at random say how many: keep the pairs whose association (G2) is
            # above the lowest threshold at which those are at most fdr of what is kept.
            g = _g2(n, cnt, s_df[u], t_df[v])
            rng = np.random.default_rng(self.seed)
            null = []
            for _ in range(max(1, self.permutations)):
                perm = rng.permutation(n)
                nu, nv, ncnt = _cooccurrences(s_ids, [t_ids[k] for k in perm], s_ok, t_ok, V, self.min_count)
                nphi = _phi(n, ncnt, s_df[nu], t_df[nv])
                keep = nphi >= self.min_phi
                null.append(_g2(n, ncnt[keep], s_df[nu[keep]], t_df[nv[keep]]))
            t = _g2_threshold(g, np.concatenate(null), self.fdr, max(1, self.permutations))
            good = g >= t
            u, v, phi = u[good], v[good], phi[good]
        order = np.lexsort((-phi, u))
        s_words, t_words = _words(s_vocab), _words(t_vocab)
        out: dict[str, list[str]] = {}
        for k in order:
            lst = out.setdefault(s_words[u[k]], [])
            if len(lst) < self.per_unit:
                lst.append(t_words[v[k]])
        return out


def _cooccurrences(s_ids: list[np.ndarray], t_ids: list[np.ndarray], s_ok: np.ndarray, t_ok: np.ndarray,
                   V: int, min_count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(source id, target id, number of beads) of the unit pairs that co-occur in ``min_count`` beads."""
    keys: list[tuple[np.ndarray, np.ndarray]] = []
    pending: list[np.ndarray] = []
    size = 0
    for a, b in zip(s_ids, t_ids):
        a, b = a[s_ok[a]], b[t_ok[b]]
        if len(a) and len(b):
            pending.append((a[:, None] * V + b[None, :]).ravel())
            size += pending[-1].size
        if size > 2_000_000:
            keys.append(_count(pending))
            pending, size = [], 0
    if pending:
        keys.append(_count(pending))
    if not keys:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    allk = np.concatenate([k[0] for k in keys])
    allc = np.concatenate([k[1] for k in keys])
    uk, inv = np.unique(allk, return_inverse=True)
    cnt = np.bincount(inv, weights=allc).astype(np.int64)
    keep = cnt >= min_count
    uk, cnt = uk[keep], cnt[keep]
    return uk // V, uk % V, cnt


def _phi(n: int, cnt: np.ndarray, cu: np.ndarray, cv: np.ndarray) -> np.ndarray:
    """Phi coefficient of the 2x2 table of bead counts."""
    cu, cv = cu.astype(float), cv.astype(float)
    num = n * cnt - cu * cv
    den = np.sqrt(cu * cv * (n - cu) * (n - cv))
    return np.where(den > 0, num / np.where(den > 0, den, 1), 0.0)


def _g2(n: int, cnt: np.ndarray, cu: np.ndarray, cv: np.ndarray) -> np.ndarray:
    """Dunning's log-likelihood ratio G2 of the 2x2 table of bead counts, negative for a negative
    association."""
    cu, cv, a = cu.astype(float), cv.astype(float), cnt.astype(float)
    obs = (a, cu - a, cv - a, n - cu - cv + a)
    exp = (cu * cv / n, cu * (n - cv) / n, (n - cu) * cv / n, (n - cu) * (n - cv) / n)
    g = np.zeros(len(a))
    for o, e in zip(obs, exp):
        g += np.where(o > 0, o * np.log(np.maximum(o, 1e-300) / np.maximum(e, 1e-300)), 0.0)
    return np.where(a * n >= cu * cv, 2 * g, -2 * g)


def _g2_threshold(real: np.ndarray, null: np.ndarray, fdr: float, rounds: int = 1) -> float:
    """The lowest t such that the pairs of ``rounds`` random pairings with G2 >= t, per round, are at
    most ``fdr`` of the real pairs with G2 >= t (like Benjamini–Hochberg's step-up rule, with the
    null distribution counted rather than assumed). ``inf`` when no t qualifies."""
    r = np.sort(real)[::-1]
    if not len(r):
        return float("inf")
    ns = np.sort(null)
    n_null = (len(ns) - np.searchsorted(ns, r, side="left")) / rounds
    ok = n_null <= fdr * np.arange(1, len(r) + 1)
    if not ok.any():
        return float("inf")
    return float(r[np.nonzero(ok)[0].max()])


def _vocab(groups: Iterable[Sequence[str]]) -> dict[str, int]:
    voc: dict[str, int] = {}
    for g in groups:
        for x in g:
            if x not in voc:
                voc[x] = len(voc)
    return voc


def _words(voc: dict[str, int]) -> list[str]:
    out = [""] * len(voc)
    for w, i in voc.items():
        out[i] = w
    return out


def _count(chunks: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    k, c = np.unique(np.concatenate(chunks), return_counts=True)
    return k, c
