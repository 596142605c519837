"""Statistical word alignment: IBM Model 1, then a reparameterised Model 2 (fast_align), both ways.

The model of one direction generates each target token from one source token or from NULL
(Brown et al. 1993; Dyer, Chahuneau & Smith 2013):

* ``p(a_j = 0) = p0`` (NULL) and, for a source position ``i``,
  ``p(a_j = i) = (1 - p0) * exp(-λ |(i + ½)/n - (j + ½)/m|) / Z_j`` -- a prior that favours the
  diagonal, with the tension ``λ`` learned from the data (Newton steps matching the expected
  distance from the diagonal under the prior to that under the posteriors, after each EM pass);
* ``t(f | e)`` is a sparse table over the source–target token pairs that co-occur in a sentence
  pair, re-estimated by EM with a Dirichlet prior (variational Bayes, ``alpha``) that keeps rare
  tokens from soaking up alignments, and a pseudo-count ``identical`` for token pairs written the
  same on both sides (numbers, names, punctuation);
* ``ibm1`` EM passes with a uniform distortion (IBM Model 1) initialise ``t``; then ``iterations``
  passes of the Model 2 above.

EM is vectorised with numpy over all (target token, source position) cells of a chunk of sentence
pairs at once: posteriors by ``bincount`` over the cell groups, expected counts by ``bincount``
over the table's pair index. Each direction gives the best source position of every target token
(Viterbi links); the two directions are symmetrised (:mod:`.symmetrize`), links both directions
agree on are sure (S), the others possible (P).

The trained tables make a :class:`~.model.WordModel` (:mod:`.model`, shared with the ``gibbs``
aligner), saved and loaded without pickle; it can align new sentence pairs (unknown pairs get a
small floor probability, so the diagonal prior decides).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ...errors import UsageError
from . import hmm
from ._np import np
from .model import (
    FLOOR,
    Chunk,
    Links,
    Pair,
    Table,
    TrainedAligner,
    Vocab,
    WordModel,
    checked_config,
    chunk_ranges,
    corpus_info,
    encode_pairs,
)

__all__ = ["FLOOR", "Vocab", "WordAligner", "WordAlignerConfig", "WordModel", "train_pair"]


def _digamma(x: np.ndarray) -> np.ndarray:
    """ψ(x) for x > 0: recurrence up to x >= 6, then the asymptotic series."""
    x = np.asarray(x, dtype=np.float64).copy()
    acc = np.zeros_like(x)
    small = x < 6.0
    while small.any():
        acc[small] -= 1.0 / x[small]
        x[small] += 1.0
        small = x < 6.0
    inv = 1.0 / x
    inv2 = inv * inv
    series = 1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132)))
    return acc + np.log(x) - 0.5 * inv - inv2 * series


@dataclass
class WordAlignerConfig:
    """Options of the built-in word aligner (unknown keys are errors)."""

    aligner: ClassVar[str] = "ibm2"

    ibm1: int = 5
    iterations: int = 5
    #: EM passes of an HMM stage after Model 2 (0 = stop at Model 2, fast_align's model)
    hmm: int = 0
    #: jumps longer than this share the HMM's end bins
    max_jump: int = 8
    #: train the two directions together, each Model 2 E-step using the product of their posteriors
    agreement: bool = False
    null_prob: float = 0.08
    tension: float = 4.0
    optimize_tension: bool = True
    #: Dirichlet prior of t(f|e) (variational Bayes); 0 = plain maximum likelihood
    alpha: float = 0.01
    #: pseudo-count added to t(f|e) for identical source and target tokens
    identical: float = 1.0
    lowercase: bool = True
    #: keep only the first N characters of each token (a poor man's stemmer; 0 = whole tokens)
    prefix: int = 0
    symmetrize: str = "grow-diag-final-and"
    #: probabilities below this are dropped from the trained tables (FLOOR stands in for them)
    prune: float = 1e-4

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> WordAlignerConfig:
        cfg = checked_config(cls, config)
        if not 0 < cfg.null_prob < 1:
            raise UsageError("word aligner: null_prob must be between 0 and 1")
        return cfg


def _expected_h(chunks: list[Chunk], tension: float, weights: list[np.ndarray]) -> tuple[float, float]:
    """Σ_g w_g E_λ[h | g] and its derivative Σ_g w_g Var_λ[h | g] over the non-null positions."""
    e1 = e2 = 0.0
    for c, w_g in zip(chunks, weights):
        w = np.where(c.null, 0.0, np.exp(tension * c.h))
        z = np.bincount(c.grp, weights=w, minlength=c.n_groups)
        zh = np.bincount(c.grp, weights=w * c.h, minlength=c.n_groups)
        zhh = np.bincount(c.grp, weights=w * c.h * c.h, minlength=c.n_groups)
        ok = z > 0
        mean = np.where(ok, zh / np.where(ok, z, 1), 0.0)
        var = np.where(ok, zhh / np.where(ok, z, 1), 0.0) - mean * mean
        e1 += float((w_g * mean).sum())
        e2 += float((w_g * var).sum())
    return e1, e2


class _Direction:
    """The EM state of one direction: chunks of cells, the table keys and t(f|e), the tension."""

    def __init__(self, es: Sequence[np.ndarray], fs: Sequence[np.ndarray], ve: int, vf: int,
                 ranges: Sequence[tuple[int, int]], cfg: WordAlignerConfig, identical: np.ndarray | None):
        self.es, self.fs, self.ve, self.vf, self.cfg = es, fs, ve, vf, cfg
        self.chunks = [Chunk(es[a:b], fs[a:b], vf, ve) for a, b in ranges]
        keys = [c.keys for c in self.chunks if len(c.keys)]
        self.keys = np.unique(np.concatenate(keys)) if keys else np.zeros(0, np.int64)
        for c in self.chunks:
            c.kidx = np.searchsorted(self.keys, c.keys)
        K = len(self.keys)
        self.e_of = self.keys // (vf + 1)
        f_of = self.keys % (vf + 1)
        # IBM1 start: uniform over the target tokens each source token co-occurs with
        self.row_size = np.bincount(self.e_of, minlength=ve + 2).astype(float)
        self.prob = 1.0 / self.row_size[self.e_of] if K else np.zeros(0)
        self.ident = np.zeros(K)
        if identical is not None and cfg.identical > 0 and K:
            # identical[e_id] = target id of the same string, or -1
            e_real = self.e_of - 1
            has = (e_real >= 0) & (e_real < len(identical))
            same = np.zeros(K, bool)
            same[has] = identical[e_real[has]] == f_of[has]
            self.ident = same * cfg.identical
        self.tension, self.p0 = cfg.tension, cfg.null_prob
        self.begin()

    def begin(self) -> None:
        self.counts = np.zeros(len(self.keys))
        self.emp_h = 0.0
        self.masses: list[np.ndarray] = []

    def posteriors(self, k: int, model2: bool) -> np.ndarray:
        c = self.chunks[k]
        return c.posteriors(self.prob[c.kidx], self.tension, self.p0, model2)[0]

    def collect(self, k: int, post: np.ndarray, model2: bool) -> None:
        c = self.chunks[k]
        self.counts += np.bincount(c.kidx, weights=post, minlength=len(self.keys))
        if model2 and self.cfg.optimize_tension:
            self.emp_h += float((post * np.where(c.null, 0.0, c.h)).sum())
            self.masses.append(1.0 - np.bincount(c.grp, weights=np.where(c.null, post, 0.0), minlength=c.n_groups))

    def maximize(self, model2: bool) -> None:
        cfg = self.cfg
        counts = self.counts + self.ident
        tot = np.bincount(self.e_of, weights=counts, minlength=self.ve + 2)
        if cfg.alpha > 0:
            num = np.exp(_digamma(counts + cfg.alpha))
            den = np.exp(_digamma(np.maximum(tot + self.row_size * cfg.alpha, 1e-9)))
            self.prob = num / den[self.e_of]
        else:
            self.prob = counts / np.maximum(tot[self.e_of], 1e-300)
        if model2 and cfg.optimize_tension and self.masses:
            for _ in range(6):
                mod, var = _expected_h(self.chunks, self.tension, self.masses)
                if var <= 1e-12:
                    break
                self.tension = float(min(50.0, max(0.1, self.tension + (self.emp_h - mod) / var)))

    def table(self) -> Table:
        cfg = self.cfg
        prob, jumps = self.prob, None
        if cfg.hmm > 0 and len(self.keys):
            prob, jm = hmm.train_hmm(self.es, self.fs, self.keys, prob, self.vf, self.ve, cfg.hmm, self.p0,
                                     cfg.max_jump, cfg.alpha, self.ident, _digamma)
            jumps = jm.c
        # probabilities below ``prune`` are dropped here, not only when saving, so a model aligns
        # the same before and after a save; a missing pair gets FLOOR
        keep = prob >= cfg.prune
        return Table(self.keys[keep], prob[keep].astype(np.float64), self.vf, self.ve, self.tension, self.p0, jumps)


def _cell_map(fc: Chunk, es: Sequence[np.ndarray], fs: Sequence[np.ndarray]) -> np.ndarray:
    """For each real cell (target j, source i) of the forward chunk, the index of the cell
    (source i, target j) in the reverse chunk built over the same pairs."""
    n = np.array([len(e) for e in es])
    m = np.array([len(f) for f in fs])
    start = np.concatenate([[0], np.cumsum(n * (m + 1))])
    real = ~fc.null
    p = fc.pair_of_grp[fc.grp[real]]
    j = fc.jpos[fc.grp[real]]
    i = fc.ipos[real] - 1
    return start[p] + i * (m[p] + 1) + (j + 1)


def train_pair(es: Sequence[np.ndarray], fs: Sequence[np.ndarray], ve: int, vf: int, cfg: WordAlignerConfig,
               ident_fwd: np.ndarray | None, ident_rev: np.ndarray | None) -> tuple[Table, Table]:
    """EM for both directions. With ``agreement`` the two models share one E-step: the posterior of
    a link is the product of the two directions' posteriors (Liang, Taskar & Klein 2006)."""
    ranges = list(chunk_ranges(es, fs))
    fwd = _Direction(es, fs, ve, vf, ranges, cfg, ident_fwd)
    rev = _Direction(fs, es, vf, ve, ranges, cfg, ident_rev)
    maps = [_cell_map(c, es[a:b], fs[a:b]) for c, (a, b) in zip(fwd.chunks, ranges)] if cfg.agreement else []
    for it in range(cfg.ibm1 + cfg.iterations):
        model2 = it >= cfg.ibm1
        fwd.begin()
        rev.begin()
        for k in range(len(ranges)):
            pf, pr = fwd.posteriors(k, model2), rev.posteriors(k, model2)
            if cfg.agreement and model2:
                pf, pr = _agree(fwd.chunks[k], rev.chunks[k], maps[k], pf, pr)
            fwd.collect(k, pf, model2)
            rev.collect(k, pr, model2)
        fwd.maximize(model2)
        rev.maximize(model2)
    return fwd.table(), rev.table()


def _agree(fc: Chunk, rc: Chunk, cmap: np.ndarray, pf: np.ndarray, pr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    real = ~fc.null
    q = pf[real] * pr[cmap]
    qf = np.zeros_like(pf)
    qf[real] = q
    # NULL keeps each model's own posterior: the mass the product drops is not evidence for NULL
    qf[fc.null] = pf[fc.null]
    qr = np.zeros_like(pr)
    qr[cmap] = q
    qr[rc.null] = pr[rc.null]
    return qf, qr


class WordAligner(TrainedAligner):
    """The IBM Model 2 aligner: ``WordAligner(config).fit(pairs)`` trains a :class:`WordModel` on a
    stream of pairs (read once) and leaves the aligning to the model."""

    name = "ibm2"
    Config = WordAlignerConfig

    def fit(self, pairs: Iterable[Pair], method: str | None = None) -> tuple[WordModel, list[Links] | None]:
        cfg = self.config
        sv, tv, es, fs = encode_pairs(cfg, pairs)
        ident_fwd = np.array([tv.ids.get(w, -1) for w in sv.words], np.int64)
        ident_rev = np.array([sv.ids.get(w, -1) for w in tv.words], np.int64)
        fwd, rev = train_pair(es, fs, len(sv), len(tv), cfg, ident_fwd, ident_rev)
        return WordModel(cfg, sv, tv, fwd, rev, corpus_info(es, fs)), None
