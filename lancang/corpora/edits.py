"""Change a side's text and carry every stand-off layer along: the one place that edits text.

Cleaning repairs (markup, control characters) and masking (a phone number becomes ``[PHONE]``)
replace stretches of a side's text. :func:`apply_edits` replaces them and remaps every offset layer
of the side: ``tokens`` and ``sentences`` spans, ``segments`` and ``words`` (their start/end; the
times t0/t1 are kept), ``entities`` (start/end and fragments), ``codes`` and any ``x-`` layer whose
items have ``start``/``end``. Indices (per-token layers, links, sentence
beads) stay valid because no span is ever added or removed.

A boundary outside every replaced stretch moves by the length change before it. A boundary strictly
inside a replaced stretch has no exact image: the span is **cut**. It is snapped outward to cover
the whole replacement and reported in :attr:`EditResult.cuts`, and the caller decides whether that
is acceptable (the record stays valid), to re-segment, or to report. A span that a deletion
empties (``"&amp;"`` -> nothing is never a repair, but a control character alone in a token is) is
reported too.

>>> spans = [[0, 4], [5, 8], [9, 13], [14, 18], [19, 22]]
>>> side = {"text": "call 138 0013 8000 now", "layers": {"tokens": {"spans": spans}}}
>>> r = apply_edits(side, [(5, 18, "[PHONE]")])
>>> r.side["text"], r.side["layers"]["tokens"]["spans"]
('call [PHONE] now', [[0, 4], [5, 12], [5, 12], [5, 12], [13, 16]])
>>> [(c.layer, c.index, c.reason) for c in r.cuts]
[('tokens', 1, 'cut'), ('tokens', 2, 'cut'), ('tokens', 3, 'cut')]
>>> side["text"]
'call 138 0013 8000 now'
"""

from __future__ import annotations

import bisect
import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError


@dataclass(frozen=True)
class Cut:
    """A span the edits cut (a boundary inside a replaced stretch) or emptied."""

    layer: str
    index: int
    reason: str  # "cut" | "emptied"

    def to_dict(self) -> dict[str, Any]:
        return {"layer": self.layer, "index": self.index, "reason": self.reason}


@dataclass
class EditResult:
    side: dict[str, Any]
    cuts: list[Cut] = field(default_factory=list)
    #: code points removed minus added (how much shorter the text became)
    delta: int = 0


class _Mapper:
    """Maps old offsets to new ones for sorted, non-overlapping replacements."""

    def __init__(self, edits: Sequence[tuple[int, int, str]]):
        self.starts = [s for s, _, _ in edits]
        self.ends = [e for _, e, _ in edits]
        self.new_starts: list[int] = []
        self.new_ends: list[int] = []
        shift = 0
        for s, e, r in edits:
            self.new_starts.append(s + shift)
            shift += len(r) - (e - s)
            self.new_ends.append(e + shift)
        self.shifts_after = [ne - e for e, ne in zip(self.ends, self.new_ends)]

    def point(self, o: int, side: str) -> tuple[int, bool]:
        """The image of boundary ``o``; ``side`` is "start" or "end" (which way a cut snaps).
        Returns (new offset, inside) where inside says ``o`` was strictly inside a replaced stretch."""
        k = bisect.bisect_right(self.starts, o) - 1
        if k < 0:
            return o, False
        s, e = self.starts[k], self.ends[k]
        if o == s:
            return self.new_starts[k], False
        if o >= e:
            return o + self.shifts_after[k], False
        return (self.new_starts[k] if side == "start" else self.new_ends[k]), True

    def span(self, a: int, b: int) -> tuple[int, int, str | None]:
        # a span [a, b) that starts exactly where a replaced stretch ends starts after the replacement;
        # one that ends exactly where a stretch starts ends before it (both by point()).
        na, ina = self.point(a, "start")
        nb, inb = self.point(b, "end")
        if a < b and nb <= na:
            return na, max(na, nb), "emptied"
        return na, nb, "cut" if (ina or inb) else None


def _check(text: str, edits: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    out = sorted((int(s), int(e), str(r)) for s, e, r in edits)
    prev = 0
    for s, e, _ in out:
        if s < prev or e < s or e > len(text):
            raise InputError(f"edit [{s}, {e}) overlaps another or falls outside the text (length {len(text)})")
        prev = e
    return out


def apply_edits(side: dict[str, Any], edits: Sequence[tuple[int, int, str]]) -> EditResult:
    """Replace ``[start, end)`` stretches of ``side["text"]`` and remap the side's layers.

    ``side`` is not changed; the result holds a new side dict. Edits must not overlap.
    """
    text = side.get("text", "")
    todo = [x for x in _check(text, edits) if text[x[0]:x[1]] != x[2]]
    if not todo:
        return EditResult(side=side)
    pieces, last = [], 0
    for s, e, r in todo:
        pieces.append(text[last:s])
        pieces.append(r)
        last = e
    pieces.append(text[last:])
    new = {k: v for k, v in side.items() if k != "layers"}
    new["text"] = "".join(pieces)
    result = EditResult(side=new, delta=len(text) - len(new["text"]))
    layers = side.get("layers")
    if layers is None:
        return result
    m = _Mapper(todo)
    out_layers = copy.deepcopy(layers)
    for name, lay in out_layers.items():
        if not isinstance(lay, dict):
            continue
        if isinstance(lay.get("spans"), list):
            for i, sp in enumerate(lay["spans"]):
                if isinstance(sp, dict):  # a timed span (segments, words): offsets move, times stay
                    na, nb, why = m.span(sp["start"], sp["end"])
                    sp["start"], sp["end"] = na, nb
                else:
                    na, nb, why = m.span(sp[0], sp[1])
                    sp[0], sp[1] = na, nb
                if why:
                    result.cuts.append(Cut(name, i, why))
        if isinstance(lay.get("items"), list):
            for i, it in enumerate(lay["items"]):
                if not isinstance(it, dict) or not isinstance(it.get("start"), int):
                    continue
                end = it.get("end", it["start"])
                if end == it["start"]:  # a placeholder point (inline code): stays at its boundary
                    na, inside = m.point(it["start"], "start")
                    it["start"] = na
                    if "end" in it:
                        it["end"] = na
                    if inside:
                        result.cuts.append(Cut(name, i, "cut"))
                    continue
                na, nb, why = m.span(it["start"], end)
                it["start"] = na
                if "end" in it:
                    it["end"] = nb
                for frag in it.get("fragments", ()):
                    fa, fb, fwhy = m.span(frag[0], frag[1])
                    frag[0], frag[1] = fa, fb
                    why = why or fwhy
                if why:
                    result.cuts.append(Cut(name, i, why))
    new["layers"] = out_layers
    return result
