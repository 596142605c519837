"""Metrics that `lancang check` computes while it streams, and the names profiles may constrain.

The metrics document is one JSON object. `check` fills ``corpus`` (sizes and rates measured on the
corpus) and ``rules`` (hits and hit rate of every rule it ran); the quality commands (`evaluate`,
`agree`, `inspect`) write the other top-level parts, described by ``schemas/metrics.schema.json``,
and come in through ``--metrics``. A profile's ``metrics`` requirement is a JSON Schema over this
document, so thresholds are data and kept apart from the scores.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator
from typing import Any

from ..schemas import load_schema

#: what `check` computes itself (leaf names under "corpus")
CORPUS_METRICS = {
    "records": "number of records",
    "sides": "number of sides",
    "languages": "languages present (list)",
    "empty_segment_rate": "share of sides whose text is empty or white space",
    "layer_coverage": "per layer, share of non-empty sides that have it",
    "provenance_methods": "per method, number of layers and links with that provenance method",
    "bead_types": "per n-m bead type (\"1-1\", \"2-1\", \"1-0\"...), number of sentence beads",
    "bead_scores": "per score band of width 0.1 (\"0.9-1.0\"), number of scored sentence beads",
    "segment_lengths": "per length band in characters (\"1-10\", \"11-20\"...), number of non-empty sides",
    "length_ratios": "per band of the second side's length over the first's (characters), number of records "
                     "with two non-empty sides",
}

#: upper bounds (inclusive) of the segment-length bands, in characters; longer sides fall in the last band
LENGTH_BANDS = (10, 20, 40, 80, 160, 320, 640, 1280)
#: upper bounds (exclusive) of the length-ratio bands; larger ratios fall in the last band
RATIO_BANDS = (0.25, 0.5, 0.8, 1.25, 2.0, 4.0)


_LENGTH_NAMES = [f"{low}-{high}" for low, high in zip((1, *(h + 1 for h in LENGTH_BANDS)), LENGTH_BANDS)] \
    + [f">{LENGTH_BANDS[-1]}"]
_RATIO_NAMES = [f"{low:g}-{high:g}" for low, high in zip((0.0, *RATIO_BANDS), RATIO_BANDS)] + [f">={RATIO_BANDS[-1]:g}"]


def length_band(n: int) -> str:
    """The segment-length band of ``n`` characters ("1-10", "11-20", ..., ">1280")."""
    return _LENGTH_NAMES[bisect_left(LENGTH_BANDS, n)]


def ratio_band(r: float) -> str:
    """The length-ratio band of ``r`` ("0-0.25", ..., "0.8-1.25", ..., ">=4")."""
    return _RATIO_NAMES[bisect_right(RATIO_BANDS, r)]


def score_band(score: float) -> str:
    i = min(max(int(score * 10), 0), 9)
    return f"{i / 10:.1f}-{(i + 1) / 10:.1f}"


def _in_order(counts: Counter[str], bands: list[str]) -> dict[str, int]:
    return {b: counts[b] for b in bands if counts[b]}


class CorpusMetrics:
    def __init__(self) -> None:
        self.records = 0
        self.sides = 0
        self.empty = 0
        self.nonempty = 0
        self.langs: Counter[str] = Counter()
        self.layers: Counter[str] = Counter()
        self.methods: Counter[str] = Counter()
        self.bead_types: Counter[str] = Counter()
        self.bead_scores: Counter[str] = Counter()
        self.lengths: Counter[str] = Counter()
        self.ratios: Counter[str] = Counter()

    def add(self, rec: dict[str, Any]) -> None:
        self.records += 1
        sides = rec["sides"]
        self.sides += len(sides)
        langs, layers, methods = self.langs, self.layers, self.methods
        sizes = []
        for lang, side in sides.items():
            langs[lang] += 1
            if side["text"].strip():
                self.nonempty += 1
                sizes.append(len(side["text"]))
                self.lengths[length_band(sizes[-1])] += 1
                lays = side.get("layers")
                if lays:
                    layers.update(lays.keys())
                    for lay in lays.values():
                        prov = lay.get("provenance")
                        if prov:
                            methods[prov["method"]] += 1
            else:
                self.empty += 1
        if len(sizes) >= 2:
            self.ratios[ratio_band(sizes[1] / sizes[0])] += 1
        for link in rec.get("links", ()):
            if link.get("provenance"):
                self.methods[link["provenance"]["method"]] += 1
            for bead in link.get("beads", ()):
                self.bead_types[f"{len(bead['src'])}-{len(bead['tgt'])}"] += 1
                if "score" in bead:
                    self.bead_scores[score_band(bead["score"])] += 1

    _COUNTS = ("records", "sides", "empty", "nonempty")
    _COUNTERS = ("langs", "layers", "methods", "bead_types", "bead_scores", "lengths", "ratios")

    def state(self) -> dict[str, Any]:
        """The counts as plain JSON (counters keep the order their keys were first met), for a merge."""
        return {**{k: getattr(self, k) for k in self._COUNTS}, **{k: dict(getattr(self, k)) for k in self._COUNTERS}}

    @classmethod
    def from_state(cls, d: dict[str, Any]) -> CorpusMetrics:
        cm = cls()
        for k in cls._COUNTS:
            setattr(cm, k, d[k])
        for k in cls._COUNTERS:
            setattr(cm, k, Counter(d[k]))
        return cm

    def merge(self, other: CorpusMetrics) -> None:
        """Add the counts of the records after these (keys new to this one come after its own, in the order
        ``other`` met them: one pass over both would have met them so)."""
        for k in self._COUNTS:
            setattr(self, k, getattr(self, k) + getattr(other, k))
        for k in self._COUNTERS:
            getattr(self, k).update(getattr(other, k))

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "sides": self.sides,
            "languages": sorted(self.langs),
            "empty_segment_rate": self.empty / self.sides if self.sides else 0.0,
            "layer_coverage": {k: v / self.nonempty for k, v in sorted(self.layers.items())} if self.nonempty else {},
            "provenance_methods": dict(sorted(self.methods.items())),
            "bead_types": dict(self.bead_types.most_common()),
            "bead_scores": dict(sorted(self.bead_scores.items())),
            "segment_lengths": _in_order(self.lengths, _LENGTH_NAMES),
            "length_ratios": _in_order(self.ratios, _RATIO_NAMES),
        }


def _known_tree() -> dict[str, Any]:
    """Known metric names as a tree of dicts; ``None`` marks a subtree whose names are free."""
    tree: dict[str, Any] = {"corpus": dict.fromkeys(CORPUS_METRICS), "rules": None}
    try:
        schema = load_schema("metrics")
    except (KeyError, FileNotFoundError):
        return tree

    def walk(s: Any) -> Any:
        if not isinstance(s, dict):
            return None
        if "$ref" in s and s["$ref"].startswith("#/$defs/"):
            s = schema.get("$defs", {}).get(s["$ref"].split("/")[-1], {})
        props = s.get("properties")
        if not props or s.get("additionalProperties") not in (None, False) or s.get("patternProperties"):
            return None if not props else {**{k: walk(v) for k, v in props.items()}, "*": None}
        return {k: walk(v) for k, v in props.items()}

    for k, v in (schema.get("properties") or {}).items():
        tree.setdefault(k, walk(v))
    return tree


def unknown_metrics(schema: Any, tree: dict[str, Any] | None = None, ptr: str = "") -> Iterator[tuple[str, str]]:
    """(JSON pointer in the schema, name) for every property a metrics schema names that is not a metric."""
    if tree is None:
        tree = _known_tree()
    if not isinstance(schema, dict):
        return
    for key in ("allOf", "anyOf", "oneOf"):
        for i, sub in enumerate(schema.get(key, ())):
            yield from unknown_metrics(sub, tree, f"{ptr}/{key}/{i}")
    for name, sub in (schema.get("properties") or {}).items():
        here = f"{ptr}/properties/{name}"
        if name not in tree and "*" not in tree:
            yield here, name
        elif isinstance(tree.get(name), dict):
            yield from unknown_metrics(sub, tree[name], here)
    for i, name in enumerate(schema.get("required", ())):
        if name not in tree and "*" not in tree:
            yield f"{ptr}/required/{i}", name
