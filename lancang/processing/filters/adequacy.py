"""``adequacy``: does each side translate the other? A lexical score from lancang's own word aligner.

Two fluent sentences that are not translations of each other (a misaligned pair) pass every
length, script and language test; what gives them away is that their words do not translate each
other. This filter measures that without a neural model, with the IBM-style lexical tables
``t(f | e)`` of lancang's word aligner (:class:`~lancang.annotators.align.word.WordAligner`,
``ibm2``), trained by EM on the corpus itself (:meth:`Adequacy.fit_batch` samples it while the
corpus streams by, :meth:`Adequacy.fit_end` trains), or loaded from a saved model (``model``):

* each side becomes units as the sentence aligner's evidence sees them
  (:func:`~lancang.annotators.align.evidence.sentence_items`: lower-cased words, single Han
  characters, character trigrams of Thai, Lao, Khmer and Burmese -- no segmenter needed -- plus
  numbers, URLs and punctuation classes), or the side's ``tokens`` layer where it has one;
* the score of a direction is the mean, over the target units the model knows, of the log
  probability of the unit's best link: ``1/m Σ_j max_i log t(f_j | e_i)``. The pairs are those of
  every filter (:func:`~lancang.processing.filters.text.pairs`: the record's first side against each
  other side), each keyed by its tags in tag order (``"a|b"``: one model per language pair whichever
  side comes first); per pair, ``fwd`` is ``b`` given ``a``, ``rev`` the other way, ``score`` their
  mean (``{"score": {"a|b": value}, "fwd": {...}, "rev": {...}}``). A true
  pair has most units translated by something on the other side; a wrong pair has few.

One model per language pair, trained on a seeded uniform sample of that pair's records within
``max_cells`` (source × target units; the sample is streamed, memory stays bounded). The threshold
is the pair's own: ``median - k · 1.4826 · MAD`` of the scores of the training sample (:mod:`.robust`; robust to
the misaligned pairs in it); the median and the spread are kept in :meth:`state`, so a re-decision
with another ``k`` needs no second look at the corpus; ``threshold`` fixes one instead. A record of
another language pair than those trained (score ``None``), with fewer than two sides (no scores), or
with no unit the model knows, is not scored; a pair under its threshold rejects the record.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from ...errors import InputError
from .base import Filter, Reason, Scores
from .robust import spread
from .text import pairs

STATE_FILE = "adequacy.json"


def units(side: Mapping[str, Any]) -> list[str]:
    """The units of one side: its ``tokens`` layer's strings when it has one, else the aligner's
    evidence units; numbers and URLs as anchors that match themselves across languages."""
    from ...annotators.align.evidence import sentence_items

    text = side["text"]
    tokens = None
    layer = (side.get("layers") or {}).get("tokens")
    spans = layer.get("spans") if isinstance(layer, dict) else None
    if isinstance(spans, list) and spans:
        try:
            tokens = [text[s[0]:s[1]] for s in spans]
        except (TypeError, IndexError, KeyError):
            tokens = None
    anchors, found = sentence_items(text, tokens)
    return found + [a for a in anchors if a[0] in "#U"]


class Adequacy(Filter):
    name = "adequacy"
    description = ("Translation adequacy without neural models: mean best-link log t(f|e) both ways from lancang's "
                   "word aligner trained on the corpus; threshold median - k*MAD per language pair.")
    languages = ("*",)
    kind = "corpus"
    parameters: ClassVar[Mapping[str, Any]] = {
        "type": "object", "additionalProperties": False,
        "properties": {
            "threshold": {"type": ["number", "null"], "default": None,
                          "description": "fixed threshold of score (mean log-probability); null: learnt per pair"},
            "k": {"type": "number", "minimum": 0, "default": 2.5,
                  "description": "learnt threshold: median - k * 1.4826 * MAD of the training sample's scores"},
            "max_cells": {"type": "integer", "minimum": 1000, "default": 6_000_000,
                          "description": "training budget per language pair in (source x target) unit cells; "
                                         "a seeded uniform sample of the records past it"},
            "ibm1": {"type": "integer", "minimum": 1, "maximum": 20, "default": 5,
                     "description": "EM passes of IBM Model 1"},
            "iterations": {"type": "integer", "minimum": 0, "maximum": 20, "default": 2,
                           "description": "EM passes of Model 2 after them"},
            "alpha": {"type": "number", "minimum": 0, "default": 0.0,
                      "description": "Dirichlet prior of t(f|e); 0 (maximum likelihood) separates wrong pairs best"},
            "min_pairs": {"type": "integer", "minimum": 2, "default": 100,
                          "description": "a language pair with fewer records gets no model (not scored)"},
            "model": {"type": ["string", "null"], "default": None,
                      "description": "directory of saved models (from save_model): used instead of training"},
            "save_model": {"type": ["string", "null"], "default": None,
                           "description": "directory to save the trained models to"},
            "seed": {"type": "integer", "minimum": 0, "default": 1},
        },
    }
    direction: ClassVar[Mapping[str, str]] = {"score": "higher", "fwd": "higher", "rev": "higher"}
    modules = ("numpy",)
    default = True

    def __init__(self, **params: Any):
        super().__init__(**params)
        self._models: dict[str, Any] = {}  # "src|tgt" -> WordModel
        self._learnt: dict[str, dict[str, Any]] = {}
        self._loaded = False
        self._samples: dict[str, Any] = {}  # while fitting: "src|tgt" -> TrainingSample

    # ------------------------------------------------------------------ models
    def _config(self) -> dict[str, Any]:
        return {k: self.params[k] for k in ("ibm1", "iterations", "alpha")}

    def _load(self) -> None:
        """The saved models of ``model`` (once)."""
        if self._loaded or not self.params["model"]:
            self._loaded = True
            return
        from ...annotators.align.model import WordModel

        root = Path(self.params["model"])
        index = root / STATE_FILE
        try:
            pairs = json.loads(index.read_text(encoding="utf-8"))["pairs"]
        except FileNotFoundError:
            raise InputError(f"{index}: no adequacy model here (save one with --set adequacy.save_model=DIR)") from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{index}: cannot read the adequacy model index: {exc}") from None
        for key, sub in pairs.items():
            self._models[key] = WordModel.load(root / sub)
        self._loaded = True

    def save(self, directory: str | os.PathLike[str]) -> Path:
        """Save the trained models (one word-aligner model directory per language pair) and their index."""
        root = Path(directory)
        root.mkdir(parents=True, exist_ok=True)
        pairs = {}
        for key, model in sorted(self._models.items()):
            sub = key.replace("|", "__")
            model.save(root / sub)
            pairs[key] = sub
        tmp = root / (STATE_FILE + ".tmp")
        tmp.write_text(json.dumps({"pairs": pairs, "learnt": self._learnt}, ensure_ascii=False, indent=1),
                       encoding="utf-8")
        tmp.replace(root / STATE_FILE)
        return root

    def fit_batch(self, records: Sequence[dict[str, Any]]) -> None:
        """Sample each language pair's records (streamed, within ``max_cells``)."""
        from ...annotators.align.gibbs import TrainingSample

        self._load()
        samples = self._samples
        for rec in records:
            for key, pair in self._pairs(rec):
                if not pair[0] or not pair[1]:
                    continue
                if key not in samples:
                    samples[key] = TrainingSample(self.params["max_cells"], self.params["seed"])
                samples[key].add(pair)

    def fit_end(self) -> None:
        """Train a model per language pair (unless ``model`` gives them) and learn each pair's threshold
        from the scores of its sample."""
        from ...annotators.align.word import WordAligner

        self._load()
        samples, self._samples = self._samples, {}
        for key, sample in sorted(samples.items()):
            if key not in self._models:
                if len(sample.pairs) < self.params["min_pairs"]:
                    continue
                self._models[key] = WordAligner(self._config()).train(sample.pairs)
            scores = [x for x in self._score_pairs(key, sample.pairs)[2] if x is not None]
            if scores:
                self._learnt[key] = self._robust(scores, sample.seen)
        if self.params["save_model"]:
            self.save(self.params["save_model"])

    @staticmethod
    def _pairs(rec: dict[str, Any]) -> list[tuple[str, tuple[list[str], list[str]]]]:
        """("a|b", (units of a, units of b)) of the record's pairs (:func:`~.text.pairs`: its first side
        against each other side), each in tag order: the score is symmetric, so a language pair has one
        model whichever of its sides a record gives first."""
        sides = rec.get("sides") or {}
        out = []
        first = None
        for _key, src, _stext, tgt, _ttext in pairs(rec):
            if first is None:
                first = units(sides[src])
            other = units(sides[tgt])
            out.append((f"{src}|{tgt}", (first, other)) if src <= tgt else (f"{tgt}|{src}", (other, first)))
        return out

    def _robust(self, scores: list[float], seen: int) -> dict[str, Any]:
        got = spread((x, 1) for x in scores)
        # a robust standard deviation; when more than half the scores are equal, the mean absolute
        # deviation's; 0 when all are: then nothing is rejected
        sigma = got.sigma(fallback=True)
        threshold = round(got.median - self.params["k"] * sigma, 4) if sigma else None
        return {"records": seen, "sample": len(scores), "median": round(got.median, 4), "mad": round(got.mad, 4),
                "sigma": round(sigma, 4), "threshold": threshold}

    def state(self) -> dict[str, Any]:
        return {"pairs": self._learnt} if self._learnt else {}

    def load_state(self, state: Mapping[str, Any]) -> None:
        pairs = state.get("pairs") or {}
        if not isinstance(pairs, dict):
            raise InputError("adequacy: the stored state has no per-pair thresholds")
        self._learnt = {k: dict(v) for k, v in pairs.items()}

    # ------------------------------------------------------------------ scores
    @staticmethod
    def _direction(es: Sequence[Any], fs: Sequence[Any], table: Any) -> list[float | None]:
        """Per pair of id arrays, the mean over the known target units of the log t of their best
        known source unit (no NULL): ``1/m Σ_j max_i log t(f_j | e_i)``; None when there is none.
        Vectorised over all (target unit, source unit) cells of a chunk of pairs."""
        from ...annotators.align._np import np
        from ...annotators.align.model import FLOOR, chunk_ranges

        out: list[float | None] = [None] * len(es)
        for a, b in chunk_ranges(es, fs):
            e_keep = [e[e >= 0] for e in es[a:b]]  # unknown source units link nothing
            n = np.array([len(e) for e in e_keep], np.int64)
            m = np.array([len(f) for f in fs[a:b]], np.int64)
            if not n.any() or not m.any():
                continue
            F = np.concatenate(fs[a:b])
            E = np.concatenate(e_keep)
            e_start = np.concatenate([[0], np.cumsum(n)[:-1]])
            pair_of = np.repeat(np.arange(b - a), m)  # per target unit (a group of cells)
            size = n[pair_of] * (F >= 0)  # cells of each group; unknown target units get none
            groups = np.nonzero(size)[0]
            if not len(groups):
                continue
            size = size[groups]
            cell_group = np.repeat(np.arange(len(groups)), size)
            first = np.concatenate([[0], np.cumsum(size)[:-1]])
            k = np.arange(len(cell_group)) - first[cell_group]
            src = E[e_start[pair_of[groups]][cell_group] + k]
            keys = (src + 1) * (table.vf + 1) + F[groups][cell_group]
            order = np.argsort(keys)  # sorted needles: searchsorted is about 3x faster on them
            t = np.empty(len(keys))
            t[order] = table.lookup(keys[order])
            best = np.maximum.reduceat(t, first)
            logp = np.log(np.maximum(best, FLOOR))
            owner = pair_of[groups]
            cnt = np.bincount(owner, minlength=b - a)
            total = np.bincount(owner, weights=logp, minlength=b - a)
            for j in np.nonzero(cnt)[0]:
                out[a + int(j)] = float(total[j] / cnt[j])
        return out

    def _score_pairs(self, key: str, pairs: Sequence[tuple[list[str], list[str]]]
                     ) -> tuple[list[float | None], list[float | None], list[float | None]]:
        model = self._models[key]
        es = [model.src_vocab.encode(model.normalize(s), add=False) for s, _ in pairs]
        fs = [model.tgt_vocab.encode(model.normalize(t), add=False) for _, t in pairs]
        fwd = self._direction(es, fs, model.fwd)
        rev = self._direction(fs, es, model.rev)
        both = [None if f is None or r is None else (f + r) / 2 for f, r in zip(fwd, rev)]
        return fwd, rev, both

    def score_batch(self, records: Sequence[dict[str, Any]]) -> list[Scores]:
        self._load()
        out: list[Scores] = [{} for _ in records]
        groups: dict[str, list[tuple[int, tuple[list[str], list[str]]]]] = {}
        for i, rec in enumerate(records):
            got = self._pairs(rec)
            if not got:
                continue
            out[i] = {"score": {key: None for key, _ in got}}
            for key, pair in got:
                if key in self._models:
                    groups.setdefault(key, []).append((i, pair))
        for key, items in groups.items():
            fwd, rev, both = self._score_pairs(key, [p for _, p in items])
            for (i, _), f, r, x in zip(items, fwd, rev, both):
                out[i].setdefault("fwd", {})[key] = _round(f)
                out[i].setdefault("rev", {})[key] = _round(r)
                out[i]["score"][key] = _round(x)
        return out

    def score(self, record: dict[str, Any]) -> Scores:
        return self.score_batch([record])[0]

    def decide(self, scores: Scores) -> list[Reason]:
        out = []
        for key, value in (scores.get("score") or {}).items():
            if value is None:
                continue
            threshold = self.params["threshold"]
            if threshold is None:
                learnt = self._learnt.get(key)
                if not learnt or not learnt.get("sigma"):
                    continue
                # from the learnt statistics and the k of now, so a re-decision with another k applies it
                threshold = round(learnt["median"] - self.params["k"] * learnt["sigma"], 4)
            if value < threshold:
                out.append(Reason(self.name, "score", value, threshold,
                                  message=f"the sides' words do not translate each other ({key}: lexical "
                                          "translation probability)"))
        return out


def _round(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else round(x, 4)


__all__ = ["Adequacy", "units"]
