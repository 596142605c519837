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

A trained :class:`WordModel` is saved to a directory holding ``model.json`` (format version,
configuration, vocabularies, learned tension and NULL probability) and ``tables.npz`` (for each
direction the sorted int64 pair keys ``e * (|Vf| + 1) + f`` and float64 probabilities, pruned below
``prune``) -- no pickle; it can align new sentence pairs (unknown pairs get a small floor
probability, so the diagonal prior decides).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ...errors import InputError, UsageError
from . import hmm
from ._np import np
from .symmetrize import METHODS, symmetrize

FORMAT = "lancang-word-aligner"
FORMAT_VERSION = 1
FLOOR = 1e-7
#: cells (target tokens × source positions) processed at once
CHUNK_CELLS = 2_000_000


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
    return acc + np.log(x) - 0.5 * inv - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))))


def checked_config(cls: Any, config: Mapping[str, Any] | None) -> Any:
    """A word aligner's configuration dataclass from a mapping: unknown keys and an unknown
    symmetrisation are errors (the checks every word aligner's configuration shares)."""
    config = dict(config or {})
    unknown = sorted(set(config) - set(cls.__dataclass_fields__))
    if unknown:
        raise UsageError(f"word aligner: unknown configuration key {', '.join(map(repr, unknown))} "
                         f"(known: {', '.join(sorted(cls.__dataclass_fields__))})")
    cfg = cls(**config)
    if cfg.symmetrize not in METHODS:
        raise UsageError(f"word aligner: symmetrize must be one of {', '.join(METHODS)}, not {cfg.symmetrize!r}")
    return cfg


@dataclass
class WordAlignerConfig:
    """Options of the built-in word aligner (unknown keys are errors)."""

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
    def from_config(cls, config: Mapping[str, Any] | None) -> "WordAlignerConfig":
        cfg = checked_config(cls, config)
        if not 0 < cfg.null_prob < 1:
            raise UsageError("word aligner: null_prob must be between 0 and 1")
        return cfg


class Vocab:
    def __init__(self, words: Sequence[str] = ()):
        self.words = list(words)
        self.ids = {w: i for i, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    def encode(self, tokens: Sequence[str], add: bool) -> np.ndarray:
        out = np.empty(len(tokens), np.int64)
        for k, t in enumerate(tokens):
            i = self.ids.get(t)
            if i is None:
                if add:
                    i = self.ids[t] = len(self.words)
                    self.words.append(t)
                else:
                    i = -1
            out[k] = i
        return out


@dataclass
class _Table:
    """t(f | e) of one direction: sorted pair keys and their probabilities; e = 0 is NULL."""

    keys: np.ndarray
    prob: np.ndarray
    vf: int
    ve: int
    tension: float
    null_prob: float
    #: HMM jump distribution c(d), d in [-D, D]; None = Model 2 decoding
    jumps: np.ndarray | None = None

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(self.keys, keys)
        pos = np.minimum(pos, len(self.keys) - 1) if len(self.keys) else pos
        if not len(self.keys):
            return np.full(len(keys), FLOOR)
        hit = self.keys[pos] == keys
        return np.where(hit, self.prob[pos], FLOOR)


def _cat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)


class _Chunk:
    """All (target token j, source position i) cells of a group of sentence pairs."""

    def __init__(self, es: Sequence[np.ndarray], fs: Sequence[np.ndarray], vf: int, ve: int):
        keys, grp, null, h, pair_of_grp, jpos = [], [], [], [], [], []
        g0 = 0
        ipos = []
        for p, (e, f) in enumerate(zip(es, fs)):
            n, m = len(e), len(f)
            if m == 0:
                continue
            # 0 = NULL; an unknown source token (-1) gets an id no key has
            e_ext = np.concatenate([[0], np.where(e < 0, ve + 1, e + 1)])
            jj = np.repeat(np.arange(m), n + 1)
            ii = np.tile(np.arange(n + 1), m)
            fk = np.where(f[jj] < 0, vf, f[jj])  # unknown target tokens get an id no key has
            keys.append(e_ext[ii] * (vf + 1) + fk)
            grp.append(g0 + jj)
            null.append(ii == 0)
            if n:
                h.append(np.where(ii == 0, 0.0, -np.abs((ii - 0.5) / n - (jj + 0.5) / m)))
            else:
                h.append(np.zeros(len(ii)))
            ipos.append(ii)
            pair_of_grp.append(np.full(m, p))
            jpos.append(np.arange(m))
            g0 += m
        self.n_groups = g0
        self.keys = _cat(keys, np.int64)
        self.grp = _cat(grp, np.int64)
        self.null = _cat(null, bool)
        self.h = _cat(h, np.float64)
        self.ipos = _cat(ipos, np.int64)
        self.pair_of_grp = _cat(pair_of_grp, np.int64)
        self.jpos = _cat(jpos, np.int64)
        self.kidx: np.ndarray | None = None

    def distortion(self, tension: float, null_prob: float, model2: bool) -> np.ndarray:
        if not model2:
            return np.ones(len(self.keys))
        w = np.where(self.null, 0.0, np.exp(tension * self.h))
        z = np.bincount(self.grp, weights=w, minlength=self.n_groups)
        d = (1.0 - null_prob) * w / np.maximum(z[self.grp], 1e-300)
        # a target token in a sentence pair with an empty source side can only be NULL-aligned
        return np.where(self.null, np.where(z[self.grp] > 0, null_prob, 1.0), d)

    def posteriors(self, t: np.ndarray, tension: float, null_prob: float, model2: bool) -> tuple[np.ndarray, np.ndarray]:
        post = t * self.distortion(tension, null_prob, model2)
        s = np.bincount(self.grp, weights=post, minlength=self.n_groups)
        return post / np.maximum(s[self.grp], 1e-300), s


def _chunks(es: Sequence[np.ndarray], fs: Sequence[np.ndarray]) -> Iterator[tuple[int, int]]:
    start, cells = 0, 0
    for k, (e, f) in enumerate(zip(es, fs)):
        cells += len(f) * (len(e) + 1)
        if cells >= CHUNK_CELLS:
            yield start, k + 1
            start, cells = k + 1, 0
    if start < len(es):
        yield start, len(es)


def _expected_h(chunks: list[_Chunk], tension: float, weights: list[np.ndarray]) -> tuple[float, float]:
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
        self.chunks = [_Chunk(es[a:b], fs[a:b], vf, ve) for a, b in ranges]
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

    def table(self) -> _Table:
        cfg = self.cfg
        prob, jumps = self.prob, None
        if cfg.hmm > 0 and len(self.keys):
            prob, jm = hmm.train_hmm(self.es, self.fs, self.keys, prob, self.vf, self.ve, cfg.hmm, self.p0,
                                     cfg.max_jump, cfg.alpha, self.ident, _digamma)
            jumps = jm.c
        # probabilities below ``prune`` are dropped here, not only when saving, so a model aligns
        # the same before and after a save; a missing pair gets FLOOR
        keep = prob >= cfg.prune
        return _Table(self.keys[keep], prob[keep].astype(np.float64), self.vf, self.ve, self.tension, self.p0, jumps)


def _cell_map(fc: _Chunk, es: Sequence[np.ndarray], fs: Sequence[np.ndarray]) -> np.ndarray:
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
               ident_fwd: np.ndarray | None, ident_rev: np.ndarray | None) -> tuple[_Table, _Table]:
    """EM for both directions. With ``agreement`` the two models share one E-step: the posterior of
    a link is the product of the two directions' posteriors (Liang, Taskar & Klein 2006)."""
    ranges = list(_chunks(es, fs))
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


def _agree(fc: _Chunk, rc: _Chunk, cmap: np.ndarray, pf: np.ndarray, pr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def decode(es: Sequence[np.ndarray], fs: Sequence[np.ndarray], table: _Table) -> list[set[tuple[int, int]]]:
    """(source, target) links of one direction: HMM posteriors when trained, else Model 2 Viterbi."""
    if table.jumps is not None:
        jm = hmm.Jumps((len(table.jumps) - 1) // 2, table.jumps)
        return hmm.decode(es, fs, table.lookup, table.vf, table.ve, jm, table.null_prob)
    return viterbi(es, fs, table)


def viterbi(es: Sequence[np.ndarray], fs: Sequence[np.ndarray], table: _Table) -> list[set[tuple[int, int]]]:
    """Best source position of each target token; returns per pair the (source, target) links."""
    out: list[set[tuple[int, int]]] = [set() for _ in es]
    for a, b in _chunks(es, fs):
        c = _Chunk(es[a:b], fs[a:b], table.vf, table.ve)
        if not len(c.keys):
            continue
        post, _ = c.posteriors(table.lookup(c.keys), table.tension, table.null_prob, True)
        order = np.lexsort((-post, c.grp))
        first = np.ones(len(order), bool)
        first[1:] = c.grp[order][1:] != c.grp[order][:-1]
        best = order[first]
        for cell in best[~c.null[best]]:
            g = c.grp[cell]
            out[a + int(c.pair_of_grp[g])].add((int(c.ipos[cell]) - 1, int(c.jpos[g])))
    return out


@dataclass
class WordModel:
    """A trained two-way word aligner: vocabularies, tables and configuration."""

    config: Any  # WordAlignerConfig or gibbs.BayesAlignerConfig (both have lowercase, prefix, symmetrize)
    src_vocab: Vocab
    tgt_vocab: Vocab
    fwd: _Table  # t(target | source)
    rev: _Table  # t(source | target)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def aligner(self) -> str:
        """The registered name of the aligner that trained this model (``ibm2`` or ``gibbs``)."""
        return "ibm2" if isinstance(self.config, WordAlignerConfig) else "gibbs"

    def normalize(self, tokens: Sequence[str]) -> list[str]:
        cfg = self.config
        out = [t.lower() if cfg.lowercase else t for t in tokens]
        if cfg.prefix > 0:
            out = [t[:cfg.prefix] for t in out]
        return out

    def align(self, pairs: Iterable[tuple[Sequence[str], Sequence[str]]],
              method: str | None = None) -> list[list[tuple[int, int, str]]]:
        """Symmetrised links ``(i, j, "S"|"P")`` for each (source tokens, target tokens) pair."""
        pairs = list(pairs)
        es = [self.src_vocab.encode(self.normalize(s), add=False) for s, _ in pairs]
        fs = [self.tgt_vocab.encode(self.normalize(t), add=False) for _, t in pairs]
        return self._align_encoded(es, fs, method)

    def _align_encoded(self, es: list[np.ndarray], fs: list[np.ndarray],
                       method: str | None) -> list[list[tuple[int, int, str]]]:
        fwd = decode(es, fs, self.fwd)
        rev = [{(i, j) for j, i in links} for links in decode(fs, es, self.rev)]
        how = method or self.config.symmetrize
        return [symmetrize(f, r, how) for f, r in zip(fwd, rev)]

    # ---------------------------------------------------------------- persistence
    def save(self, directory: str | Path) -> Path:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {}
        for name, tab in (("fwd", self.fwd), ("rev", self.rev)):
            arrays[f"{name}_keys"] = tab.keys
            arrays[f"{name}_prob"] = tab.prob
            if tab.jumps is not None:
                arrays[f"{name}_jumps"] = tab.jumps
        tmp = d / "tables.tmp.npz"
        np.savez_compressed(tmp, **arrays)
        tmp.replace(d / "tables.npz")
        meta = {"format": FORMAT, "version": FORMAT_VERSION, "aligner": self.aligner,
                "config": asdict(self.config),
                "fwd": {"tension": self.fwd.tension, "null_prob": self.fwd.null_prob},
                "rev": {"tension": self.rev.tension, "null_prob": self.rev.null_prob},
                "src_vocab": self.src_vocab.words, "tgt_vocab": self.tgt_vocab.words, "info": self.info}
        tmpj = d / "model.tmp.json"
        tmpj.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        tmpj.replace(d / "model.json")
        return d

    @classmethod
    def load(cls, directory: str | Path) -> "WordModel":
        d = Path(directory)
        try:
            meta = json.loads((d / "model.json").read_text(encoding="utf-8"))
            npz = np.load(d / "tables.npz", allow_pickle=False)
        except FileNotFoundError as exc:
            raise InputError(f"{d}: not a word-alignment model directory (missing {Path(exc.filename).name}); "
                             "train one with WordAligner.train(...).save(DIR)") from None
        except (OSError, ValueError) as exc:
            raise InputError(f"{d}: cannot read the word-alignment model: {exc}") from None
        if meta.get("format") != FORMAT or meta.get("version") != FORMAT_VERSION:
            raise InputError(f"{d}/model.json: not a {FORMAT} model of version {FORMAT_VERSION}")
        kind = meta.get("aligner", "ibm2")
        if kind not in _CONFIGS:
            raise InputError(f"{d}/model.json: unknown aligner {kind!r} (known: {', '.join(_CONFIGS)})")
        cfg = _config_class(kind).from_config(meta["config"])
        sv, tv = Vocab(meta["src_vocab"]), Vocab(meta["tgt_vocab"])
        fwd = _Table(npz["fwd_keys"], npz["fwd_prob"].astype(np.float64), len(tv), len(sv), **meta["fwd"],
                     jumps=npz["fwd_jumps"] if "fwd_jumps" in npz.files else None)
        rev = _Table(npz["rev_keys"], npz["rev_prob"].astype(np.float64), len(sv), len(tv), **meta["rev"],
                     jumps=npz["rev_jumps"] if "rev_jumps" in npz.files else None)
        return cls(cfg, sv, tv, fwd, rev, meta.get("info", {}))


def encode_pairs(config: Any, pairs: Iterable[tuple[Sequence[str], Sequence[str]]]
                 ) -> tuple[Vocab, Vocab, list[np.ndarray], list[np.ndarray]]:
    """New source and target vocabularies and the pairs as id arrays, tokens normalised as a model of
    ``config`` normalises them (lower case, prefix)."""
    sv, tv = Vocab(), Vocab()
    proto = WordModel(config, sv, tv, None, None)  # type: ignore[arg-type]
    es, fs = [], []
    for s, t in pairs:
        es.append(sv.encode(proto.normalize(s), add=True))
        fs.append(tv.encode(proto.normalize(t), add=True))
    return sv, tv, es, fs


def corpus_info(es: Sequence[np.ndarray], fs: Sequence[np.ndarray]) -> dict[str, Any]:
    """What a model records about its training pairs."""
    return {"pairs": len(es), "tokens": int(sum(len(x) for x in es) + sum(len(x) for x in fs))}


_CONFIGS = ("ibm2", "gibbs")


def _config_class(kind: str) -> Any:
    if kind == "gibbs":
        from .gibbs import BayesAlignerConfig

        return BayesAlignerConfig
    return WordAlignerConfig


class WordAligner:
    """The IBM Model 2 aligner: ``WordAligner(config).train(pairs)`` gives a :class:`WordModel`."""

    name = "ibm2"

    def __init__(self, config: Mapping[str, Any] | WordAlignerConfig | None = None):
        self.config = config if isinstance(config, WordAlignerConfig) else WordAlignerConfig.from_config(config)

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> "WordAligner":
        return cls(config)

    def train(self, pairs: Iterable[tuple[Sequence[str], Sequence[str]]]) -> WordModel:
        cfg = self.config
        sv, tv, es, fs = encode_pairs(cfg, pairs)
        ident_fwd = np.array([tv.ids.get(w, -1) for w in sv.words], np.int64)
        ident_rev = np.array([sv.ids.get(w, -1) for w in tv.words], np.int64)
        fwd, rev = train_pair(es, fs, len(sv), len(tv), cfg, ident_fwd, ident_rev)
        return WordModel(cfg, sv, tv, fwd, rev, corpus_info(es, fs))

    def train_align(self, pairs: Sequence[tuple[Sequence[str], Sequence[str]]],
                    method: str | None = None) -> tuple[WordModel, list[list[tuple[int, int, str]]]]:
        model = self.train(pairs)
        return model, model.align(pairs, method)


def _check_math() -> None:  # pragma: no cover - sanity helper for development
    assert abs(float(_digamma(np.array([1.0]))[0]) + 0.5772156649) < 1e-8
    assert abs(float(_digamma(np.array([10.0]))[0]) - (math.log(10) - 0.05 - 1 / 1200)) < 1e-4


def posterior_matrices(es: Sequence[np.ndarray], fs: Sequence[np.ndarray], table: _Table) -> list[np.ndarray]:
    """For each pair the matrix P[i, j] = p(target j is aligned to source i) (NULL left out)."""
    out: list[np.ndarray] = [np.zeros((len(e), len(f))) for e, f in zip(es, fs)]
    for a, b in _chunks(es, fs):
        c = _Chunk(es[a:b], fs[a:b], table.vf, table.ve)
        if not len(c.keys):
            continue
        post, _ = c.posteriors(table.lookup(c.keys), table.tension, table.null_prob, True)
        real = ~c.null
        pr = c.pair_of_grp[c.grp[real]]
        ii = c.ipos[real] - 1
        jj = c.jpos[c.grp[real]]
        pv = post[real]
        bounds = np.flatnonzero(np.diff(pr)) + 1
        for seg_i, seg_j, seg_p, seg_pr in zip(np.split(ii, bounds), np.split(jj, bounds), np.split(pv, bounds),
                                               np.split(pr, bounds)):
            if len(seg_pr):
                out[a + int(seg_pr[0])][seg_i, seg_j] = seg_p
    return out
