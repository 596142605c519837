"""The word-alignment model both built-in aligners train and share: :class:`WordModel`.

``ibm2`` (:mod:`.word`) and ``gibbs`` (:mod:`.gibbs`) learn the same parameters for each direction
-- a sparse lexical table ``t(f | e)``, a NULL probability, and either a diagonal prior's tension
(Model 2) or a jump distribution (HMM) -- so one model class holds, decodes, saves and loads
both. This module holds what the two aligners share and neither owns: the vocabularies, the
decoding tables, the cells of a chunk of sentence pairs that Model 2 decoding (and the ``ibm2``
EM) works on, the encoding of token pairs, the configuration check, and
:class:`TrainedAligner`, the ``fit`` / ``train_align`` shape of an aligner that keeps a model.
It imports neither aligner: a saved model names its aligner, and :meth:`WordModel.load` finds that
aligner's configuration class through the registry (:data:`~lancang.annotators.align.WORD_ALIGNERS`).

Every word aligner has one shape: ``fit(pairs, method=None) -> (model, links)`` reads the
(source tokens, target tokens) pairs once and returns the model it trained (``None`` when it keeps
none: eflomal) and the symmetrised links of the pairs where training produced them (``None`` when
the model is to align them: ``ibm2``, or ``gibbs`` beyond its memory budget); ``model.align(pairs,
method)`` aligns pairs with a trained model.

A trained :class:`WordModel` is saved to a directory holding ``model.json`` (format version,
aligner, configuration, vocabularies, learned tension and NULL probability) and ``tables.npz`` (for
each direction the sorted int64 pair keys ``e * (|Vf| + 1) + f``, float64 probabilities pruned
below ``prune``, and the HMM jump distribution where there is one) -- no pickle.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar

from ...errors import InputError, UsageError
from . import WORD_ALIGNERS, hmm
from ._np import np
from .symmetrize import METHODS, symmetrize

FORMAT = "lancang-word-aligner"
FORMAT_VERSION = 1
FLOOR = 1e-7
#: cells (target tokens × source positions) processed at once
CHUNK_CELLS = 2_000_000

Pair = tuple[Sequence[str], Sequence[str]]
Links = list[tuple[int, int, str]]


def checked_config(cls: Any, config: Mapping[str, Any] | None, who: str = "word aligner") -> Any:
    """A word aligner's configuration dataclass from a mapping: unknown keys and an unknown
    symmetrisation are errors (the checks every word aligner's configuration shares); ``who``
    starts the messages."""
    config = dict(config or {})
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(config) - known)
    if unknown:
        raise UsageError(f"{who}: unknown configuration key {', '.join(map(repr, unknown))} "
                         f"(known: {', '.join(sorted(known))})")
    for f in fields(cls):  # values of the type of the field's default; numbers finite
        if f.name not in config or f.default is MISSING or f.default is None:
            continue
        value, want = config[f.name], type(f.default)
        ok = (isinstance(value, bool) if want is bool
              else isinstance(value, int) and not isinstance(value, bool) if want is int
              else isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
              if want is float else isinstance(value, want))
        if not ok:
            kind = {bool: "true or false", int: "a whole number", float: "a finite number"}.get(want, want.__name__)
            raise UsageError(f"{who}: {f.name} must be {kind}, not {value!r}")
    cfg = cls(**config)
    if cfg.symmetrize not in METHODS:
        raise UsageError(f"{who}: symmetrize must be one of {', '.join(METHODS)}, not {cfg.symmetrize!r}")
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
class Table:
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


class Chunk:
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

    def posteriors(self, t: np.ndarray, tension: float, null_prob: float,
                   model2: bool) -> tuple[np.ndarray, np.ndarray]:
        post = t * self.distortion(tension, null_prob, model2)
        s = np.bincount(self.grp, weights=post, minlength=self.n_groups)
        return post / np.maximum(s[self.grp], 1e-300), s


def chunk_ranges(es: Sequence[np.ndarray], fs: Sequence[np.ndarray]) -> Iterator[tuple[int, int]]:
    start, cells = 0, 0
    for k, (e, f) in enumerate(zip(es, fs)):
        cells += len(f) * (len(e) + 1)
        if cells >= CHUNK_CELLS:
            yield start, k + 1
            start, cells = k + 1, 0
    if start < len(es):
        yield start, len(es)


def decode(es: Sequence[np.ndarray], fs: Sequence[np.ndarray], table: Table) -> list[set[tuple[int, int]]]:
    """(source, target) links of one direction: HMM posteriors when trained, else Model 2 Viterbi."""
    if table.jumps is not None:
        jm = hmm.Jumps((len(table.jumps) - 1) // 2, table.jumps)
        return hmm.decode(es, fs, table.lookup, table.vf, table.ve, jm, table.null_prob)
    return viterbi(es, fs, table)


def viterbi(es: Sequence[np.ndarray], fs: Sequence[np.ndarray], table: Table) -> list[set[tuple[int, int]]]:
    """Best source position of each target token; returns per pair the (source, target) links."""
    out: list[set[tuple[int, int]]] = [set() for _ in es]
    for a, b in chunk_ranges(es, fs):
        c = Chunk(es[a:b], fs[a:b], table.vf, table.ve)
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

    #: the trainer's configuration: a dataclass with ``lowercase``, ``prefix``, ``symmetrize`` and the
    #: class attribute ``aligner`` (the registered name of the aligner it configures)
    config: Any
    src_vocab: Vocab
    tgt_vocab: Vocab
    fwd: Table  # t(target | source)
    rev: Table  # t(source | target)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def aligner(self) -> str:
        """The registered name of the aligner that trained this model (``ibm2`` or ``gibbs``)."""
        return str(self.config.aligner)

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
    def load(cls, directory: str | Path) -> WordModel:
        d = Path(directory)
        try:
            meta = json.loads((d / "model.json").read_text(encoding="utf-8"))
            npz = np.load(d / "tables.npz", allow_pickle=False)
        except FileNotFoundError as exc:
            raise InputError(f"{d}: not a word-alignment model directory (missing {Path(exc.filename).name}); "
                             "train one with `lancang align --words --save-model DIR`") from None
        except (OSError, ValueError) as exc:
            raise InputError(f"{d}: cannot read the word-alignment model: {exc}") from None
        if meta.get("format") != FORMAT or meta.get("version") != FORMAT_VERSION:
            raise InputError(f"{d}/model.json: not a {FORMAT} model of version {FORMAT_VERSION}")
        kind = meta.get("aligner", "ibm2")
        trainer = WORD_ALIGNERS.get(kind) if kind in WORD_ALIGNERS else None
        if getattr(trainer, "Config", None) is None:
            raise InputError(f"{d}/model.json: unknown aligner {kind!r} (models are kept by: "
                             f"{', '.join(model_aligners())})")
        cfg = trainer.Config.from_config(meta["config"])  # type: ignore[union-attr]
        sv, tv = Vocab(meta["src_vocab"]), Vocab(meta["tgt_vocab"])
        fwd = Table(npz["fwd_keys"], npz["fwd_prob"].astype(np.float64), len(tv), len(sv), **meta["fwd"],
                     jumps=npz["fwd_jumps"] if "fwd_jumps" in npz.files else None)
        rev = Table(npz["rev_keys"], npz["rev_prob"].astype(np.float64), len(sv), len(tv), **meta["rev"],
                     jumps=npz["rev_jumps"] if "rev_jumps" in npz.files else None)
        return cls(cfg, sv, tv, fwd, rev, meta.get("info", {}))


def encode_pairs(config: Any, pairs: Iterable[Pair]
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


def model_aligners() -> list[str]:
    """The registered word aligners that keep a :class:`WordModel` (the others align only what they train on)."""
    return [name for name, cls in WORD_ALIGNERS if getattr(cls, "Config", None) is not None]


def align_in_batches(model: WordModel, pairs: Sequence[Pair], method: str | None, batch: int | None) -> list[Links]:
    """``model.align`` over ``pairs``, ``batch`` pairs at a time (all at once for ``None``)."""
    if batch is None:
        return model.align(pairs, method)
    links: list[Links] = []
    for k in range(0, len(pairs), batch):
        links += model.align(pairs[k:k + batch], method)
    return links


class TrainedAligner:
    """The shape of a word aligner that trains a :class:`WordModel` (``ibm2``, ``gibbs``).

    A subclass sets ``name`` (its registered name), ``Config`` (its configuration dataclass, whose
    ``aligner`` class attribute is ``name``) and ``fit``. Eflomal, which keeps no model, has the same
    ``from_config`` / ``fit`` / ``train_align`` / ``tool`` / ``version`` and no ``Config``.
    """

    name: ClassVar[str]
    Config: ClassVar[Any]
    #: pairs aligned at once by :meth:`train_align` when ``fit`` leaves the links to the model
    align_batch: ClassVar[int | None] = None

    def __init__(self, config: Mapping[str, Any] | Any | None = None):
        self.config = config if isinstance(config, self.Config) else self.Config.from_config(config)

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> Any:
        return cls(config)

    @classmethod
    def tool(cls) -> str:
        """The provenance tool name of the links this aligner makes."""
        return f"lancang.{cls.name}"

    @staticmethod
    def version() -> str:
        from ... import __version__

        return __version__

    def fit(self, pairs: Iterable[Pair], method: str | None = None) -> tuple[WordModel, list[Links] | None]:
        """Train on the pairs (read once); the model and, where training gave them, the pairs' links."""
        raise NotImplementedError

    def train(self, pairs: Iterable[Pair]) -> WordModel:
        """Train on the pairs and return the model."""
        return self.fit(pairs)[0]

    def train_align(self, pairs: Iterable[Pair], method: str | None = None) -> tuple[WordModel, list[Links]]:
        """Train on the pairs and return the model and every pair's symmetrised links."""
        pairs = list(pairs)
        model, links = self.fit(pairs, method)
        return model, links if links is not None else align_in_batches(model, pairs, method, self.align_batch)
