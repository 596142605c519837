"""A bilingual lexicon learned from sentence pairs that the length-based pass aligned with confidence.

This is the idea of hunalign's realignment (Varga et al. 2005): align by length and anchors,
learn word translations from the beads that came out confidently, realign with them. Here a pair
of units (u, v) enters the lexicon when it co-occurs in at least ``min_count`` beads and its
association, the phi coefficient of the 2×2 table of bead counts, is at least ``min_phi``; each
unit keeps its ``per_unit`` best partners. Phi, unlike Dice, does not reward pairs of merely
frequent units (``the`` and ``的`` co-occur in most beads without translating each other).

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
        keys: list[np.ndarray] = []
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
            return {}
        allk = np.concatenate([k[0] for k in keys])
        allc = np.concatenate([k[1] for k in keys])
        uk, inv = np.unique(allk, return_inverse=True)
        cnt = np.bincount(inv, weights=allc).astype(np.int64)
        keep = cnt >= self.min_count
        uk, cnt = uk[keep], cnt[keep]
        u, v = uk // V, uk % V
        cu, cv = s_df[u].astype(float), t_df[v].astype(float)
        num = n * cnt - cu * cv
        den = np.sqrt(cu * cv * (n - cu) * (n - cv))
        phi = np.where(den > 0, num / np.where(den > 0, den, 1), 0.0)
        good = phi >= self.min_phi
        u, v, phi = u[good], v[good], phi[good]
        order = np.lexsort((-phi, u))
        s_words, t_words = _words(s_vocab), _words(t_vocab)
        out: dict[str, list[str]] = {}
        for k in order:
            lst = out.setdefault(s_words[u[k]], [])
            if len(lst) < self.per_unit:
                lst.append(t_words[v[k]])
        return out


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
