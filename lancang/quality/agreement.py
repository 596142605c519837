"""Inter-annotator agreement between two or more annotation files of the same records.

The files (any readable format) are joined record by record on ``id`` with the one join,
:func:`lancang.quality.join.join_records` (streaming when they are in the same order, a temporary
SQLite join when not). For each record every side's text must be the
same in all files: agreement on different texts is meaningless, so a difference is an input error.

What is compared, per layer:

* ``entities`` -- exact-match span F1 between each pair of annotators (labelled and unlabelled),
  and chance-corrected agreement on *units*: each unit (a token when all annotators' tokens on the
  side are identical, else each non-white-space character) gets the label of the entities that
  overlap it (``O`` for none, labels of overlapping entities joined by ``+``). On these items:
  Cohen's kappa per pair, Fleiss' kappa, Krippendorff's alpha (nominal), per-label kappa and F1,
  and confusion tables. A side where no annotator has an ``entities`` layer is left out; where some
  have it, an absent layer means "no entities".
* ``pos`` (and other per-token layers on request) -- the same categorical statistics on tokens,
  where all annotators' tokens are identical and all have the layer.
* ``tokens`` and ``sentences`` -- segmentation agreement: boundary F1 (boundaries are span starts
  and ends strictly inside the text) and span F1 (exact spans) per pair.
* ``links`` (word alignments) -- AER of each annotator against each other as reference (sure and
  possible links), and F1 of sure links; links are compared as pairs of character spans, so the
  annotators' tokenisations need not be the same.
* ``transcript`` (on request; two transcribers of the same recordings, whose texts differ) -- the
  error rate between each pair (:mod:`lancang.quality.wer`: the first file's segments as the
  reference frame, the edit count symmetric: 2 errors / (units of one + units of the other), and each
  direction apart), and segment-boundary agreement: precision, recall and F1 of the segments' start
  and end times matched one to one within a tolerance (seconds). With only this layer requested,
  texts may differ between the files.

Layers that an annotator lacks where another has them (tokens, sentences, per-token layers, links)
are skipped for that side and counted in ``skipped``.

All statistics are computed from small running counts (label-tuple histograms, pair counts), so
memory does not grow with the corpus. F1, precision, recall and AER come from
:mod:`lancang.quality.scores` (None where undefined).
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..corpora.formats import read_items
from ..corpora.jsonl import PathLike
from ..errors import InputError, UsageError
from .join import Missing, join_records
from .sampling import layer_annotators
from .scores import aer, mean, prf, ratio
from .unitizing import UnitizingAlpha, project

LAYERS = ("entities", "pos", "tokens", "sentences", "links")
#: layers compared only on request (not in the default list)
EXTRA_LAYERS = ("transcript",)
VALUE_LAYERS = ("pos", "xpos", "lemma", "feats", "deprel")
UNITS = ("auto", "token", "char")
OUTSIDE = "O"


# ------------------------------------------------------------------------- statistics (pure functions)

def cohen_kappa(confusion: Mapping[tuple[Any, Any], int]) -> float | None:
    """Cohen's kappa from a confusion histogram {(label_a, label_b): count}; None when undefined
    (no items, or both annotators always use one and the same label)."""
    n = sum(confusion.values())
    if not n:
        return None
    rows: Counter = Counter()
    cols: Counter = Counter()
    agree = 0
    for (a, b), c in confusion.items():
        rows[a] += c
        cols[b] += c
        if a == b:
            agree += c
    po = agree / n
    pe = sum(rows[k] * cols.get(k, 0) for k in rows) / (n * n)
    return None if pe == 1 else (po - pe) / (1 - pe)


def fleiss_kappa(items: Mapping[tuple[Any, ...], int]) -> float | None:
    """Fleiss' kappa from a histogram of label tuples (one label per annotator, all items complete)."""
    n_items = sum(items.values())
    if not n_items:
        return None
    m = len(next(iter(items)))
    if m < 2:
        return None
    totals: Counter = Counter()
    p_sum = 0.0
    for labels, w in items.items():
        counts = Counter(labels)
        p_sum += w * (sum(c * c for c in counts.values()) - m) / (m * (m - 1))
        for lab, c in counts.items():
            totals[lab] += w * c
    p_bar = p_sum / n_items
    pe = sum((t / (n_items * m)) ** 2 for t in totals.values())
    return None if pe == 1 else (p_bar - pe) / (1 - pe)


def fleiss_kappa_per_category(items: Mapping[tuple[Any, ...], int]) -> dict[Any, float | None]:
    """Fleiss' category-wise kappa (Fleiss 1971, eq. for kappa_j) for each label."""
    n_items = sum(items.values())
    if not n_items:
        return {}
    m = len(next(iter(items)))
    totals: Counter = Counter()
    disagree: Counter = Counter()
    for labels, w in items.items():
        counts = Counter(labels)
        for lab, c in counts.items():
            totals[lab] += w * c
            disagree[lab] += w * c * (m - c)
    out: dict[Any, float | None] = {}
    for lab, t in totals.items():
        p = t / (n_items * m)
        denom = n_items * m * (m - 1) * p * (1 - p)
        out[lab] = None if denom == 0 else 1 - disagree[lab] / denom
    return out


def krippendorff_alpha_nominal(items: Mapping[tuple[Any, ...], int]) -> float | None:
    """Krippendorff's alpha for nominal data from a histogram of label tuples; ``None`` in a tuple is a
    missing value (units with fewer than two values are not pairable and drop out)."""
    coincidence: Counter = Counter()
    for labels, w in items.items():
        values = [v for v in labels if v is not None]
        mu = len(values)
        if mu < 2:
            continue
        counts = Counter(values)
        for c, nc in counts.items():
            for k, nk in counts.items():
                pairs = nc * (nk - (c == k))
                if pairs:
                    coincidence[(c, k)] += w * pairs / (mu - 1)
    n_c: Counter = Counter()
    for (c, _k), o in coincidence.items():
        n_c[c] += o
    n = sum(n_c.values())
    if n <= 1:
        return None
    d_o = sum(o for (c, k), o in coincidence.items() if c != k)
    d_e = (n * n - sum(v * v for v in n_c.values())) / (n - 1)
    return None if d_e == 0 else 1 - d_o / d_e


@dataclass(frozen=True)
class Source:
    path: str
    name: str


# ------------------------------------------------------------------------------------- per layer

def _pair_names(names: Sequence[str]) -> list[tuple[int, int, str]]:
    return [(a, b, f"{names[a]}~{names[b]}") for a, b in itertools.combinations(range(len(names)), 2)]


class Categorical:
    """Items labelled by every annotator, kept as a histogram of label tuples."""

    def __init__(self, names: Sequence[str]):
        self.names = list(names)
        self.items: Counter = Counter()

    def add(self, label_lists: Sequence[Sequence[Any]]) -> None:
        self.items.update(zip(*label_lists))

    def result(self, outside: str | None = None) -> dict[str, Any]:
        out = self._stats(self.items)
        out["per_label"] = self._per_label(self.items, outside)
        out["confusion"] = {key: _nested(_pair_hist(self.items, a, b)) for a, b, key in _pair_names(self.names)}
        out["label_counts"] = {self.names[k]: dict(_marginal(self.items, k).most_common())
                               for k in range(len(self.names))}
        if outside is not None:
            some = Counter({t: w for t, w in self.items.items() if any(x != outside for x in t)})
            out["excluding_all_outside"] = self._stats(some)
        return out

    def _stats(self, items: Counter) -> dict[str, Any]:
        pairs = {key: cohen_kappa(_pair_hist(items, a, b)) for a, b, key in _pair_names(self.names)}
        n = sum(items.values())
        agree_pairs = {key: (sum(w for t, w in items.items() if t[a] == t[b]) / n if n else None)
                       for a, b, key in _pair_names(self.names)}
        return {
            "items": n,
            "observed_agreement": mean(agree_pairs.values()),
            "cohen_kappa": pairs,
            "cohen_kappa_mean": mean(pairs.values()),
            "fleiss_kappa": fleiss_kappa(items) if n else None,
            "alpha": krippendorff_alpha_nominal(items) if n else None,
        }

    def _per_label(self, items: Counter, outside: str | None) -> dict[str, Any]:
        per_cat = fleiss_kappa_per_category(items)
        out: dict[str, Any] = {}
        for lab in sorted(per_cat, key=str):
            f1s = {}
            for a, b, key in _pair_names(self.names):
                na = sum(w for t, w in items.items() if t[a] == lab)
                nb = sum(w for t, w in items.items() if t[b] == lab)
                both = sum(w for t, w in items.items() if t[a] == lab and t[b] == lab)
                f1s[key] = prf(both, na, nb).f1
            out[str(lab)] = {"kappa": per_cat[lab], "f1": f1s, "f1_mean": mean(f1s.values()),
                             "count": sum(w * t.count(lab) for t, w in items.items())}
        return out


def _pair_hist(items: Mapping[tuple[Any, ...], int], a: int, b: int) -> Counter:
    h: Counter = Counter()
    for t, w in items.items():
        h[(t[a], t[b])] += w
    return h


def _marginal(items: Mapping[tuple[Any, ...], int], k: int) -> Counter:
    h: Counter = Counter()
    for t, w in items.items():
        h[str(t[k])] += w
    return h


def _nested(hist: Mapping[tuple[Any, Any], int]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for (a, b), c in sorted(hist.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        out.setdefault(str(a), {})[str(b)] = c
    return out


class PairSets:
    """Per pair of annotators: overlap and sizes of their sets (spans, boundaries), also per label."""

    def __init__(self, names: Sequence[str]):
        self.names = list(names)
        self.pairs = _pair_names(names)
        self.c: dict[str, Counter] = {key: Counter() for _a, _b, key in self.pairs}

    def add(self, sets: Sequence[set[Any]], kind: str = "all") -> None:
        for a, b, key in self.pairs:
            c = self.c[key]
            c[(kind, "tp")] += len(sets[a] & sets[b])
            c[(kind, "a")] += len(sets[a])
            c[(kind, "b")] += len(sets[b])

    def kinds(self) -> list[str]:
        return sorted({k for c in self.c.values() for k, _ in c})

    def add_counts(self, key: str, tp: int, a: int, b: int, kind: str = "all") -> None:
        """Counts matched elsewhere (boundaries within a tolerance): ``tp`` shared of ``a`` and ``b``."""
        c = self.c[key]
        c[(kind, "tp")] += tp
        c[(kind, "a")] += a
        c[(kind, "b")] += b

    def scores(self, kind: str = "all") -> dict[str, dict[str, Any]]:
        """Per pair: F1, and precision and recall of the first annotator taking the second as reference."""
        out = {}
        for key, c in self.c.items():
            tp, na, nb = c[(kind, "tp")], c[(kind, "a")], c[(kind, "b")]
            p, r, f = prf(tp, na, nb)
            out[key] = {"f1": f, "precision": p, "recall": r, "tp": tp, "a": na, "b": nb}
        return out


def _spans_key(it: Mapping[str, Any]) -> tuple[Any, ...]:
    frags = tuple(tuple(f) for f in it.get("fragments", ()))
    return (it["start"], it["end"], it["label"], frags)


def _unit_labels(units: Sequence[tuple[int, int]], ents: Sequence[Mapping[str, Any]]) -> list[str]:
    """The label of each unit: entities overlapping it (via fragments when given), ``O`` for none."""
    starts = [u[0] for u in units]
    got: dict[int, set[str]] = {}
    for it in ents:
        for s, e in (it.get("fragments") or [(it["start"], it["end"])]):
            k = max(bisect.bisect_right(starts, s) - 1, 0)
            while k < len(units) and units[k][0] < e:
                if units[k][1] > s:
                    got.setdefault(k, set()).add(it["label"])
                k += 1
    return ["+".join(sorted(got[k])) if k in got else OUTSIDE for k in range(len(units))]


def _projected(ents: Sequence[Mapping[str, Any]], starts: Sequence[int],
               ends: Sequence[int]) -> list[tuple[int, int, str]]:
    """Entities (each fragment apart) as (first unit, last unit + 1, label) on the side's units."""
    out = []
    for it in ents:
        frags = it.get("fragments")
        lab = str(it["label"])
        out += [(s, e, lab) for s, e in project(frags or ((it["start"], it["end"]),), starts, ends)]
    return out


def _char_units(text: str) -> list[tuple[int, int]]:
    return [(i, i + 1) for i, ch in enumerate(text) if not ch.isspace()]


def matched_within(a: Sequence[float], b: Sequence[float], tolerance: float) -> int:
    """How many of the sorted times ``a`` and ``b`` pair one to one within ``tolerance`` (a maximum
    matching: on a line, pairing greedily from the left is optimal).

    >>> matched_within([0.0, 1.0, 2.0], [0.1, 1.5, 2.05], 0.2)
    2
    """
    i = j = n = 0
    while i < len(a) and j < len(b):
        if abs(a[i] - b[j]) <= tolerance + 1e-9:
            n += 1
            i += 1
            j += 1
        elif a[i] < b[j]:
            i += 1
        else:
            j += 1
    return n


def segment_times(layers: Mapping[str, Any]) -> list[float] | None:
    """The distinct start and end times of a side's segments, sorted; None without a segments layer."""
    lay = layers.get("segments")
    spans = lay.get("spans") if isinstance(lay, dict) else None
    if not isinstance(spans, list):
        return None
    return sorted({float(t) for s in spans for t in (s["t0"], s["t1"])})


def _boundaries(spans: Iterable[Sequence[int]], length: int) -> set[int]:
    out = set()
    for s, e in spans:
        out.add(s)
        out.add(e)
    out.discard(0)
    out.discard(length)
    return out


class Agreement:
    """Accumulates agreement statistics record by record; :meth:`result` is the metrics ``agreement`` part."""

    def __init__(self, sources: Sequence[Source], layers: Sequence[str] = LAYERS, unit: str = "auto",
                 units: str = "auto", normalize: Sequence[str] = (), tolerance: float = 0.2):
        if len(sources) < 2:
            raise UsageError("agreement needs at least two annotation files")
        if unit not in UNITS:
            raise UsageError(f"unknown unit {unit!r}; use one of {', '.join(UNITS)}")
        known = set(LAYERS) | set(VALUE_LAYERS) | set(EXTRA_LAYERS)
        bad = [x for x in layers if x not in known]
        if bad:
            raise UsageError(f"unknown layer(s) {', '.join(bad)}; known: {', '.join(sorted(known))}")
        self.sources = list(sources)
        self.names = [s.name for s in sources]
        self.layers = list(dict.fromkeys(layers))
        self.unit = unit
        self.records = 0
        self.sides = 0
        self.ent_units: Counter = Counter()
        self.ent_sides = 0
        self.entities = Categorical(self.names)
        self.unitizing = UnitizingAlpha(len(self.names))
        self.spans = PairSets(self.names)
        self.values = {name: Categorical(self.names) for name in self.layers if name in VALUE_LAYERS}
        self.segs = {name: PairSets(self.names) for name in ("tokens", "sentences") if name in self.layers}
        self.seg_sides: Counter = Counter()
        if tolerance < 0:
            raise UsageError(f"the boundary tolerance must be 0 or more seconds, not {tolerance}")
        self.tolerance = tolerance
        self.transcript: dict[str, Any] | None = None
        if "transcript" in self.layers:
            from .wer import Scorer, Tally

            self.scorer = Scorer(units, normalize)
            self.transcript = {key: Tally.new() for _a, _b, key in _pair_names(self.names)}
            self.boundaries = PairSets(self.names)
            self.tr_sides = 0
            self.timed_sides = 0
        self.links: dict[tuple[int, int], Counter] = {}
        self.link_sets = PairSets(self.names)
        self.link_groups = 0
        self.skipped: dict[str, Counter] = {}
        self.prov: list[Counter] = [Counter() for _ in sources]

    # ------------------------------------------------------------------ one record
    def add(self, rid: str, recs: Sequence[dict[str, Any]], where: Sequence[str | int]) -> None:
        """Add one record as every annotator has it; ``where`` locates each (``path:line`` or a line number)."""
        self.records += 1
        where = [w if isinstance(w, str) else f"{s.path}:{w}" for s, w in zip(self.sources, where)]
        sides = [r.get("sides") for r in recs]
        for k, s in enumerate(sides):
            if not isinstance(s, dict):
                raise InputError(f"{where[k]} [{rid}]: the record has no sides object")
        langs = set(sides[0])
        for k in range(1, len(recs)):
            if set(sides[k]) != langs:
                diff = sorted(set(sides[k]) ^ langs)
                raise InputError(f"[{rid}]: the annotators' records have different sides ({where[0]}: "
                                 f"{', '.join(sorted(langs))}; {where[k]}: {', '.join(sorted(sides[k]))}; differ "
                                 f"in {', '.join(diff)})")
        for lang in sorted(langs):
            for k, s in enumerate(sides):
                if not isinstance(s[lang], dict):
                    raise InputError(f"{where[k]} [{rid}]: side {lang} is not an object (run lancang validate)")
            texts = [s[lang].get("text") for s in sides]
            if self.transcript is not None:
                from .wer import transcript_side

                for k, s in enumerate(sides):
                    transcript_side(s[lang], f"{where[k]} [{rid}]", lang)
                self._transcript(lang, [s[lang] for s in sides])
                if len(self.layers) == 1:
                    self.sides += 1
                    continue
            for k in range(1, len(recs)):
                if texts[k] != texts[0]:
                    raise InputError(f"[{rid}] side {lang}: the text differs between {where[0]} and {where[k]} "
                                     f"({_first_diff(texts[0], texts[k])}); agreement on different texts is "
                                     "meaningless")
            self.sides += 1
            self._side(lang, texts[0] or "", [s[lang].get("layers") or {} for s in sides])
        if "links" in self.layers:
            self._links(rid, recs, where)
        for k, r in enumerate(recs):
            for _s, _l, who in layer_annotators(r):
                if who in self.prov[k] or len(self.prov[k]) < 50:
                    self.prov[k][who] += 1

    def _transcript(self, lang: str, sides: list[dict[str, Any]]) -> None:
        assert self.transcript is not None
        self.tr_sides += 1
        for a, b, key in _pair_names(self.names):
            self.transcript[key].add(self.scorer.side(lang, sides[a], sides[b]))
        times = [segment_times(s.get("layers") or {}) for s in sides]
        if all(t is None for t in times):
            return
        if any(t is None for t in times):
            self._skip("transcript", "segments missing in some file (boundaries not compared)")
            return
        self.timed_sides += 1
        for a, b, key in _pair_names(self.names):
            ta, tb = times[a], times[b]
            assert ta is not None and tb is not None
            self.boundaries.add_counts(key, matched_within(ta, tb, self.tolerance), len(ta), len(tb), "boundary")

    def _transcript_result(self) -> dict[str, Any]:
        assert self.transcript is not None
        pairs = {}
        for a, _b, key in _pair_names(self.names):
            t = self.transcript[key]
            row: dict[str, Any] = {}
            for name, c in (("error_rate", t.fit), ("cer", t.chars), ("wer", t.words)):
                row[name] = None if name == "wer" and not c.utterances else ratio(2 * c.errors, c.ref + c.hyp)
            row["reference"] = self.names[a]
            row["counts"] = t.to_dict()
            pairs[key] = row
        bound = self.boundaries.scores("boundary")
        return {"sides": self.tr_sides, "units": self.scorer.tokenizer.mode,
                "normalize": list(self.scorer.normalizer.steps),
                **{f"{m}_mean": mean(v[m] for v in pairs.values()) for m in ("error_rate", "cer", "wer")},
                "pairs": pairs, "tolerance": self.tolerance, "timed_sides": self.timed_sides,
                "boundary": bound,
                "boundary_f1_mean": mean(v["f1"] for v in bound.values()) if self.timed_sides else None}

    def _skip(self, layer: str, reason: str) -> None:
        self.skipped.setdefault(layer, Counter())[reason] += 1

    def _side(self, lang: str, text: str, layers: list[dict[str, Any]]) -> None:
        toks = [lay.get("tokens", {}).get("spans") if isinstance(lay.get("tokens"), dict) else None
                for lay in layers]
        same_tokens = all(t is not None for t in toks) and all(t == toks[0] for t in toks)
        if "entities" in self.layers and any("entities" in lay for lay in layers):
            self._entities(text, layers, toks[0] if same_tokens else None)
        for name, cat in self.values.items():
            if not any(name in lay for lay in layers):
                continue
            if not same_tokens:
                self._skip(name, "tokens differ or missing")
                continue
            vals = [lay.get(name, {}).get("values") if isinstance(lay.get(name), dict) else None for lay in layers]
            if any(v is None for v in vals):
                self._skip(name, "layer missing in some file")
                continue
            if any(len(v) != len(toks[0]) for v in vals):  # type: ignore[arg-type]
                self._skip(name, "values do not match the tokens")
                continue
            cat.add([["_" if x is None else str(x) for x in v] for v in vals])  # type: ignore[union-attr]
        for name, ps in self.segs.items():
            spans = [lay.get(name, {}).get("spans") if isinstance(lay.get(name), dict) else None for lay in layers]
            if all(s is None for s in spans):
                continue
            if any(s is None for s in spans):
                self._skip(name, "layer missing in some file")
                continue
            self.seg_sides[name] += 1
            ps.add([_boundaries(s, len(text)) for s in spans], "boundary")  # type: ignore[arg-type]
            ps.add([{(a, b) for a, b in s} for s in spans], "span")  # type: ignore[union-attr]

    def _entities(self, text: str, layers: list[dict[str, Any]], tokens: list[list[int]] | None) -> None:
        ents = [list(lay.get("entities", {}).get("items", ())) for lay in layers]
        self.ent_sides += 1
        sets = [{_spans_key(it) for it in e} for e in ents]
        self.spans.add(sets, "labelled")
        self.spans.add([{k[:2] + k[3:] for k in s} for s in sets], "unlabelled")
        for lab in {k[2] for s in sets for k in s}:
            self.spans.add([{k for k in s if k[2] == lab} for s in sets], f"label:{lab}")
        if self.unit == "token" and tokens is None:
            self._skip("entities", "tokens differ or missing (unit token)")
            return
        if self.unit != "char" and tokens is not None:
            units = [(s, e) for s, e in tokens]
            self.ent_units["token"] += len(units)
        else:
            units = _char_units(text)
            self.ent_units["char"] += len(units)
        self.entities.add([_unit_labels(units, e) for e in ents])
        starts, ends = [u[0] for u in units], [u[1] for u in units]
        self.unitizing.add_section(len(units), [_projected(e, starts, ends) for e in ents])

    def _links(self, rid: str, recs: Sequence[dict[str, Any]], where: list[str]) -> None:
        per: list[dict[tuple[str, str], set[tuple[Any, Any, str]]]] = []
        for k, r in enumerate(recs):
            mine: dict[tuple[str, str], set[tuple[Any, Any, str]]] = {}
            for n, link in enumerate(r.get("links") or ()):
                if not isinstance(link, dict) or link.get("kind") != "tokens":
                    continue
                src, tgt = link.get("src"), link.get("tgt")
                try:
                    ts = r["sides"][src]["layers"]["tokens"]["spans"]
                    tt = r["sides"][tgt]["layers"]["tokens"]["spans"]
                    got = mine.setdefault((src, tgt), set())
                    for i, j, flag in link.get("pairs", ()):
                        got.add((tuple(ts[i]), tuple(tt[j]), flag))
                except (KeyError, IndexError, TypeError, ValueError):
                    raise InputError(f"{where[k]} [{rid}] /links/{n}: the word alignment does not fit the "
                                     f"tokens of sides {src} and {tgt} (run lancang validate)") from None
            per.append(mine)
        keys = set().union(*per)
        for key in sorted(keys):
            if any(key not in p for p in per):
                self._skip("links", "alignment missing in some file")
                continue
            self.link_groups += 1
            sets = [p[key] for p in per]
            sure = [{(s, t) for s, t, f in x if f == "S"} for x in sets]
            every = [{(s, t) for s, t, _f in x} for x in sets]
            self.link_sets.add(sure, "sure")
            self.link_sets.add(every, "all")
            for a in range(len(sets)):
                for b in range(len(sets)):
                    if a == b:
                        continue
                    c = self.links.setdefault((a, b), Counter())
                    c["hyp"] += len(every[a])
                    c["sure"] += len(sure[b])
                    c["hyp_sure"] += len(every[a] & sure[b])
                    c["hyp_possible"] += len(every[a] & every[b])

    # ------------------------------------------------------------------ result
    def result(self) -> dict[str, Any]:
        layers: dict[str, Any] = {}
        if "entities" in self.layers and self.ent_sides:
            cat = self.entities.result(OUTSIDE)
            spans, unlabelled = self.spans.scores("labelled"), self.spans.scores("unlabelled")
            per_label = {}
            for kind in self.spans.kinds():
                if kind.startswith("label:"):
                    pr = self.spans.scores(kind)
                    per_label[kind[6:]] = {"f1": {k: v["f1"] for k, v in pr.items()},
                                           "f1_mean": mean(v["f1"] for v in pr.values())}
            uz = self.unitizing.result()
            for lab, v in cat["per_label"].items():
                v["unitizing_alpha"] = uz["per_label"][lab]["alpha"] if lab in uz["per_label"] else None
            layers["entities"] = {
                "sides": self.ent_sides, "units": dict(self.ent_units), **cat,
                "unitizing_alpha": uz["alpha"], "unitizing": uz,
                "spans": {"pairs": spans, "f1_mean": mean(v["f1"] for v in spans.values()),
                          "unlabelled": unlabelled, "unlabelled_f1_mean": mean(v["f1"] for v in unlabelled.values()),
                          "per_label": per_label},
            }
        for name, cat in self.values.items():
            if cat.items:
                layers[name] = cat.result()
        for name, ps in self.segs.items():
            if self.seg_sides[name]:
                b, s = ps.scores("boundary"), ps.scores("span")
                layers[name] = {"sides": self.seg_sides[name], "boundary": b, "span": s,
                                "boundary_f1_mean": mean(v["f1"] for v in b.values()),
                                "span_f1_mean": mean(v["f1"] for v in s.values())}
        if self.transcript is not None and self.tr_sides:
            layers["transcript"] = self._transcript_result()
        if "links" in self.layers and self.link_groups:
            directed = {f"{self.names[a]}->{self.names[b]}": {"aer": aer(c["hyp"], c["sure"], c["hyp_sure"],
                                                                        c["hyp_possible"]), **c}
                        for (a, b), c in sorted(self.links.items())}
            sure, every = self.link_sets.scores("sure"), self.link_sets.scores("all")
            layers["links"] = {"alignments": self.link_groups, "aer": directed,
                               "aer_mean": mean(v["aer"] for v in directed.values()),
                               "sure_f1": sure, "sure_f1_mean": mean(v["f1"] for v in sure.values()),
                               "all_f1": every, "all_f1_mean": mean(v["f1"] for v in every.values())}
        doc: dict[str, Any] = {
            "annotators": [{"name": s.name, "file": s.path, "provenance_annotators": dict(p.most_common(20))}
                           for s, p in zip(self.sources, self.prov)],
            "records": self.records,
            "sides": self.sides,
            "unit": self.unit,
        }
        doc.update(self._headline(layers))
        doc["layers"] = layers
        doc["per_annotator"] = self._per_annotator(layers)
        doc["skipped"] = {k: dict(v) for k, v in sorted(self.skipped.items())}
        return doc

    def _headline(self, layers: dict[str, Any]) -> dict[str, Any]:
        two = len(self.names) == 2
        h: dict[str, Any] = {"kappa": None, "kappa_method": "cohen" if two else "fleiss", "kappa_layer": None,
                             "alpha": None, "span_f1": None, "boundary_f1": None, "aer": None}
        for name in ("entities", *VALUE_LAYERS):
            lay = layers.get(name)
            if lay and lay.get("items"):
                h["kappa"] = lay["cohen_kappa_mean"] if two else lay["fleiss_kappa"]
                h["alpha"] = lay["alpha"]
                h["kappa_layer"] = name
                break
        if "entities" in layers:
            h["span_f1"] = layers["entities"]["spans"]["f1_mean"]
        if "tokens" in layers:
            h["boundary_f1"] = layers["tokens"]["boundary_f1_mean"]
        if "links" in layers:
            h["aer"] = layers["links"]["aer_mean"]
        return h

    def _per_annotator(self, layers: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.names:
            def mine(d: dict[str, Any], name: str = name) -> list[Any]:
                return [v for key, v in d.items() if name in key.replace("->", "~").split("~")]

            row: dict[str, Any] = {}
            for lay_name, lay in layers.items():
                if "cohen_kappa" in lay:
                    row[f"{lay_name}_kappa_mean"] = mean(mine(lay["cohen_kappa"]))
                if lay_name == "entities":
                    row["entities_span_f1_mean"] = mean(v["f1"] for v in mine(lay["spans"]["pairs"]))
                if lay_name in ("tokens", "sentences"):
                    row[f"{lay_name}_boundary_f1_mean"] = mean(v["f1"] for v in mine(lay["boundary"]))
                if lay_name == "links":
                    row["links_aer_mean"] = mean(v["aer"] for v in mine(lay["aer"]))
            out[name] = row
        return out


def _first_diff(a: str | None, b: str | None) -> str:
    if a is None or b is None:
        return "text missing in one"
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"first difference at character {i}: {x!r} vs {y!r}"
    return f"lengths {len(a)} and {len(b)}"


def names_for(paths: Sequence[PathLike], names: Sequence[str] | None = None) -> list[str]:
    """Annotator names: given, or the file names without extensions (made unique)."""
    if names:
        if len(names) != len(paths):
            raise UsageError(f"{len(names)} names for {len(paths)} files")
        if len(set(names)) != len(names):
            raise UsageError("annotator names must be distinct")
        return list(names)
    stems = []
    for p in paths:
        s = Path(str(p)).name
        for ext in (".gz", ".jsonl", ".json"):
            s = s.removesuffix(ext)
        stems.append(s or str(p))
    if len(set(stems)) != len(stems):
        stems = [f"{s}#{k + 1}" for k, s in enumerate(stems)]
    return stems


def agree(paths: Sequence[PathLike], names: Sequence[str] | None = None, layers: Sequence[str] = LAYERS,
          unit: str = "auto", intersect: bool = False, spill_dir: str | None = None, *, fmt: str | None = None,
          langs: Any = None, options: Mapping[str, Any] | None = None, units: str = "auto",
          normalize: Sequence[str] = (), tolerance: float = 0.2) -> dict[str, Any]:
    """Agreement between annotation files of the same records: the metrics ``agreement`` part.

    The files are read through the format hub (``fmt``, ``langs`` and reader ``options`` as for
    :func:`lancang.corpora.formats.read_corpus`; canonical JSONL keeps its line numbers in messages).
    Records missing from some file are an input error naming the ids and files, unless
    ``intersect`` (then agreement is computed on the records all files share, and the missing ids
    are reported in ``missing``: per file, how many and the smallest ids). ``units``, ``normalize``
    and ``tolerance`` (seconds) are the transcript layer's (:mod:`lancang.quality.wer`).
    """
    if len(paths) < 2:
        raise UsageError("agreement needs at least two annotation files")
    if sum(1 for p in paths if str(p) == "-") > 1:
        raise UsageError("only one of the files can be standard input (-)")
    sources = [Source(str(p), n) for p, n in zip(paths, names_for(paths, names))]
    acc = Agreement(sources, layers, unit, units, normalize, tolerance)
    missing: dict[int, Missing] = {}
    streams = [read_items(p, fmt, langs, **dict(options or {})) for p in paths]
    for grp in join_records(streams, [s.path for s in sources], spill_dir=spill_dir):
        if grp.complete:
            acc.add(grp.id, grp.records, grp.where)  # type: ignore[arg-type]
            continue
        for k, rec in enumerate(grp.records):
            if rec is None:
                missing.setdefault(k, Missing()).add(grp.id)
    report = {sources[k].path: {"count": v.count, "ids": v.ids} for k, v in sorted(missing.items())}
    if report and not intersect:
        parts = [f"{p}: {v['count']} missing ({', '.join(v['ids'])}{', ...' if v['count'] > len(v['ids']) else ''})"
                 for p, v in report.items()]
        raise InputError("the files do not hold the same records: " + "; ".join(parts) +
                         " (use --intersect to compare the records they share)")
    doc = acc.result()
    doc["missing"] = report
    return doc


def agreement_document(paths: Sequence[PathLike], *, names: Sequence[str] | None = None,
                       layers: Sequence[str] = LAYERS, unit: str = "auto", intersect: bool = False,
                       fmt: str | None = None, langs: Any = None,
                       options: Mapping[str, Any] | None = None, units: str = "auto",
                       normalize: Sequence[str] = (), tolerance: float = 0.2) -> dict[str, Any]:
    """`lancang agree` as a function: :func:`agree` wrapped in a signed metrics document."""
    from .document import metrics_document

    a = agree(paths, names, layers, unit, intersect, fmt=fmt, langs=langs, options=options, units=units,
              normalize=normalize, tolerance=tolerance)
    settings = {"layers": list(layers), "unit": unit, "intersect": intersect, "names": list(names) if names else None,
                "from": fmt, "langs": list(langs) if langs else None}
    if "transcript" in layers:
        settings.update({"units": units, "normalize": list(normalize), "tolerance": tolerance})
    return metrics_document("agree", inputs=list(paths), settings=settings, agreement=a)
