"""``length`` (per side, in units that fit the script) and ``length-ratio`` (between the sides of a
pair, with bounds learnt from the corpus per language pair).

Units: a side in an unspaced script (zh, ja, th, km, lo, my by its tag, or an unknown tag whose
text is in such a script; :func:`lancang.corpora.langs.unspaced`) is measured in non-space
characters, every other side in words. A ratio is always taken in non-space characters on both
sides: characters are the unit every script shares (Gale and Church's length model), they are many
enough to make the ratio of a short sentence stable, and since the bounds are learnt per pair the
constant factor between, say, Chinese and English characters is learnt rather than assumed.

The bounds of ``length-ratio`` come from a streamed pass over the corpus (:meth:`LengthRatio.fit_batch`):
the log ratio of every pair that is not short goes into a fixed histogram per language pair
(bins of 0.01 over [-6, 6]; memory is flat whatever the corpus size), and the bounds are
``median ± k · 1.4826 · MAD`` of the log ratio, with the scaled MAD floored at ``min_spread``.
Median and MAD are the state (:meth:`LengthRatio.state`), so ``--from-scores`` re-decides with a
new ``k`` without the corpus; ``bounds`` fixes a pair's bounds by hand.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Mapping, Sequence
from typing import Any

from .base import Filter, Reason, Scores
from .robust import Spread, spread
from .text import nonspace, pairs, units


class Length(Filter):
    name = "length"
    description = ("Rejects a side shorter or longer than the bounds, in characters for unspaced scripts "
                   "(zh, th, km, lo, my) and in words elsewhere")
    parameters = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "min_chars": {"type": "integer", "minimum": 0, "default": 1},
            "max_chars": {"type": ["integer", "null"], "minimum": 1, "default": 1000,
                          "description": "longest side in non-space characters (null: no bound)"},
            "min_words": {"type": "integer", "minimum": 0, "default": 1},
            "max_words": {"type": ["integer", "null"], "minimum": 1, "default": 400,
                          "description": "longest side in words (null: no bound)"},
        },
    }
    direction = {"length": "higher"}

    def score(self, record: dict[str, Any]) -> Scores:
        length: dict[str, int] = {}
        unit: dict[str, str] = {}
        for tag, side in (record.get("sides") or {}).items():
            length[tag], unit[tag] = units(tag, side.get("text", ""))
        return {"length": length, "unit": unit}

    def decide(self, scores: Scores) -> list[Reason]:
        p = self.params
        out = []
        for tag, n in scores["length"].items():
            kind = "chars" if scores["unit"][tag] == "char" else "words"
            lo, hi = p[f"min_{kind}"], p[f"max_{kind}"]
            if n < lo:
                out.append(Reason(self.name, "length", n, lo, f"shorter than {lo} {kind}", tag))
            elif hi is not None and n > hi:
                out.append(Reason(self.name, "length", n, hi, f"longer than {hi} {kind}", tag))
        return out


_LOW, _HIGH, _STEP = -6.0, 6.0, 0.01
_BINS = int(round((_HIGH - _LOW) / _STEP))


def _bin(x: float) -> int:
    return min(_BINS - 1, max(0, int((x - _LOW) / _STEP)))


def _centre(i: int) -> float:
    return _LOW + (i + 0.5) * _STEP


def histogram_median_mad(hist: array) -> tuple[int, float, float]:
    """(n, median, MAD) of the values counted in a histogram of log ratios (bins read as their centres)."""
    got = spread(((_centre(i), c) for i, c in enumerate(hist) if c), binned=True)
    return got.n, got.median, got.mad


class LengthRatio(Filter):
    name = "length-ratio"
    kind = "corpus"
    description = ("Rejects a pair whose length ratio (non-space characters, target over source) lies outside "
                   "median ± k scaled MADs of the log ratio learnt from the corpus for its language pair")
    parameters = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "k": {"type": "number", "exclusiveMinimum": 0, "default": 3.5,
                  "description": "how many scaled MADs of the log ratio from the median a pair may lie"},
            "short": {"type": "integer", "minimum": 0, "default": 10,
                      "description": "a pair whose sides both have fewer non-space characters is exempt"},
            "min_pairs": {"type": "integer", "minimum": 1, "default": 50,
                          "description": "a language pair with fewer learnt pairs gets no bounds"},
            "min_spread": {"type": "number", "minimum": 0, "default": 0.05,
                           "description": "floor on the scaled MAD of the log ratio"},
            "bounds": {"type": "object", "default": {},
                       "description": "bounds fixed by hand: {\"src|tgt\": [low, high]} ratios of target "
                                      "to source characters",
                       "additionalProperties": {"type": "array", "prefixItems": [{"type": "number", "minimum": 0},
                                                                                {"type": "number", "minimum": 0}],
                                                "minItems": 2, "maxItems": 2}},
        },
    }
    direction = {"ratio": "higher"}

    def __init__(self, **params: Any):
        super().__init__(**params)
        self._learnt: dict[str, dict[str, float]] = {}
        self._bounds: dict[str, tuple[float, float] | None] = {}
        self._hists: dict[str, array] = {}  # while fitting: log-ratio histogram per language pair

    # ---------------------------------------------------------------------------- learning
    def fit_batch(self, records: Sequence[dict[str, Any]]) -> None:
        hists = self._hists
        short = self.params["short"]
        for rec in records:
            for key, _src, stext, _tgt, ttext in pairs(rec):
                a, b = nonspace(stext), nonspace(ttext)
                if not a or not b or (a < short and b < short):
                    continue
                h = hists.get(key)
                if h is None:
                    h = hists[key] = array("q", bytes(8 * _BINS))
                h[_bin(math.log(b / a))] += 1

    mergeable = True

    def fit_part(self) -> dict[str, bytes]:
        return {key: h.tobytes() for key, h in self._hists.items()}

    def fit_merge(self, parts: Sequence[Mapping[str, bytes]]) -> None:
        hists = self._hists  # counts add up; pairs in the order they first appear in the corpus
        for part in parts:
            for key, raw in part.items():
                add = array("q", raw)
                h = hists.get(key)
                if h is None:
                    hists[key] = add
                else:
                    for i, c in enumerate(add):
                        if c:
                            h[i] += c

    def fit_end(self) -> None:
        learnt = {}
        for key, h in self._hists.items():
            n, med, mad = histogram_median_mad(h)
            learnt[key] = {"n": n, "median": round(med, 4), "mad": round(mad, 4)}
        self._hists = {}
        self.load_state({"unit": "char", "pairs": learnt})

    def state(self) -> dict[str, Any]:
        return {"unit": "char", "pairs": {k: dict(v) for k, v in self._learnt.items()}}

    def load_state(self, state: Mapping[str, Any]) -> None:
        self._learnt = {k: dict(v) for k, v in (state.get("pairs") or {}).items()}
        self._bounds = {}

    def bounds(self, key: str) -> tuple[float, float] | None:
        """(low, high) ratio bounds of a language pair: fixed by hand, else learnt, else None."""
        if key in self._bounds:
            return self._bounds[key]
        p = self.params
        fixed = p["bounds"].get(key)
        if fixed is not None:
            out: tuple[float, float] | None = (float(fixed[0]), float(fixed[1]))
        else:
            got = self._learnt.get(key)
            if got is None or got["n"] < p["min_pairs"]:
                out = None
            else:
                width = Spread(got["n"], got["median"], got["mad"], 0.0).sigma(p["min_spread"]) * p["k"]
                out = (round(math.exp(got["median"] - width), 4), round(math.exp(got["median"] + width), 4))
        self._bounds[key] = out
        return out

    # ---------------------------------------------------------------------------- scores
    def score(self, record: dict[str, Any]) -> Scores:
        chars: dict[str, int] = {}
        ratio: dict[str, float | None] = {}
        for key, src, stext, tgt, ttext in pairs(record):
            if src not in chars:
                chars[src] = nonspace(stext)
            chars[tgt] = b = nonspace(ttext)
            a = chars[src]
            ratio[key] = round(b / a, 4) if a and b else None
        return {"chars": chars, "ratio": ratio}

    def decide(self, scores: Scores) -> list[Reason]:
        short = self.params["short"]
        out = []
        chars = scores["chars"]
        for key, r in scores["ratio"].items():
            if r is None:
                continue
            src, tgt = key.split("|", 1)
            if chars.get(src, 0) < short and chars.get(tgt, 0) < short:
                continue
            b = self.bounds(key)
            if b is None:
                continue
            if r < b[0] or r > b[1]:
                out.append(Reason(self.name, "ratio", r, list(b),
                                  f"length ratio {r} outside [{b[0]}, {b[1]}] for {key}", tgt))
        return out
