"""Krippendorff's alpha for unitizing (u-alpha) of labelled spans, from running sums.

A *continuum* is cut by each of ``m`` coders into labelled *units* and the *gaps* between them.
The corpus is many continuum *sections* (one per record side), measured in positions on the
section's own axis (the caller decides what a position is: a token, a character ...).

Two families are computed (definitions, sources, the decomposition into running sums and the
choices made are in ``docs/notes/unitizing.md``):

* Krippendorff's (1995; 2004) alpha_U per label ``c``: units of ``c`` against
  everything else, with his squared distance between overlapping segments (:func:`distance`);
  the overall figure pools the labels as DKPro Agreement's ``KrippendorffAlphaUnitizingAgreement``
  does: ``1 - mean_c D_o(c) / mean_c D_e(c)``.
* From Krippendorff, Mathet, Bouvry and Widlöcher (2016; Krippendorff 2019, sect. 12.6), which
  work on a coincidence matrix of intersection lengths: ``|u-alpha`` (units of any label against
  gaps: *binary*) and ``u-alpha`` (*nominal*: labels and gaps as values; defined only where
  every coder's units form a partition, i.e. units of different labels do not overlap).

Sections add up: :class:`UnitizingAlpha` keeps per-label counts, sums and two length histograms
(of units and of gaps), never the units themselves, so memory grows with the number of labels and
of distinct lengths, not with the corpus. A gap never runs across a section boundary.

All sums are integers; ratios are taken as fractions and turned into floats at the end.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

Span = tuple[int, int]


# ------------------------------------------------------------------------------ pure functions

def merge_overlaps(spans: Iterable[Span]) -> tuple[list[Span], int]:
    """Sort half-open spans, drop empty ones and merge those that share a position (their union).

    Spans that only touch (``end == start``) stay apart: Krippendorff's units may abut. Returns
    the spans and how many were merged into another.
    """
    out: list[Span] = []
    merged = 0
    for s, e in sorted(x for x in spans if x[1] > x[0]):
        if out and s < out[-1][1]:
            merged += 1
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out, merged


def gap_lengths(units: Sequence[Span], length: int) -> list[int]:
    """Lengths of the gaps a coder leaves in ``[0, length)``: the stretches outside the sorted,
    non-overlapping ``units`` (touching units leave no gap between them)."""
    out = []
    pos = 0
    for s, e in units:
        if s > pos:
            out.append(s - pos)
        pos = e
    if length > pos:
        out.append(length - pos)
    return out


def distance(g: tuple[int, int, bool], h: tuple[int, int, bool]) -> int:
    """Krippendorff's squared distance between segment ``g`` of one coder and ``h`` of another,
    each ``(start, end, is_unit)`` (a gap has ``is_unit`` false):

    * two units that overlap: ``(start_g - start_h)^2 + (end_g - end_h)^2``;
    * a unit inside a gap of the other coder (it overlaps none of the other's units): its length
      squared;
    * anything else (two gaps, a unit partly in a gap, segments that do not overlap): 0.
    """
    (bg, eg, ug), (bh, eh, uh) = g, h
    if ug and uh:
        return (bg - bh) ** 2 + (eg - eh) ** 2 if bg < eh and bh < eg else 0
    if ug and not uh:
        return (eg - bg) ** 2 if bh <= bg and eg <= eh else 0
    if uh and not ug:
        return (eh - bh) ** 2 if bg <= bh and eh <= eg else 0
    return 0


def pair_sums(a: Sequence[Span], b: Sequence[Span]) -> tuple[int, int]:
    """For two coders' sorted, non-overlapping units of one label in one section: the sum of
    :func:`distance` over all pairs of overlapping segments (units and gaps), and the length of the
    intersection of the two unit sets.

    Gap-gap pairs add nothing; a unit adds its squared length against the gap holding it exactly
    when it overlaps none of the other's units, so only the units are walked.
    """
    total = 0
    inter = 0
    hit_b = [False] * len(b)
    j0 = 0
    for s, e in a:
        while j0 < len(b) and b[j0][1] <= s:
            j0 += 1
        j = j0
        hit = False
        while j < len(b) and b[j][0] < e:
            bs, be = b[j]
            total += (s - bs) ** 2 + (e - be) ** 2
            inter += min(e, be) - max(s, bs)
            hit = hit_b[j] = True
            j += 1
        if not hit:
            total += (e - s) ** 2
    total += sum((e - s) ** 2 for (s, e), h in zip(b, hit_b) if not h)
    return total, inter


def intersection(a: Sequence[Span], b: Sequence[Span]) -> int:
    """Length of the intersection of two sorted lists of non-overlapping spans."""
    inter = 0
    i = j = 0
    while i < len(a) and j < len(b):
        s, e = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if e > s:
            inter += e - s
        if a[i][1] <= b[j][1]:
            i += 1
        else:
            j += 1
    return inter


def expected_sums(units: Mapping[int, int], gaps: Mapping[int, int]) -> tuple[int, int, int, int]:
    """The label's parts of Krippendorff's expected disagreement from histograms {length: count} of
    its units and of its gaps (all coders, all sections): ``(N, Q, T, X)`` with

    * ``N`` the number of units, ``Q = sum l(l-1)``, ``T = sum l(l-1)(2l-1)/3`` over units,
    * ``X = sum over units g of l_g^2 * sum over gaps h with l_h >= l_g of (l_h - l_g + 1)``
      (the number of places g fits in h), from suffix sums over the sorted gap lengths.
    """
    n = sum(units.values())
    q = sum(c * ln * (ln - 1) for ln, c in units.items())
    t = sum(c * (ln * (ln - 1) * (2 * ln - 1) // 3) for ln, c in units.items())
    hs = sorted(h for h, c in gaps.items() if c)
    cnt_suffix = [0] * (len(hs) + 1)
    w_suffix = [0] * (len(hs) + 1)
    for i in range(len(hs) - 1, -1, -1):
        c = gaps[hs[i]]
        cnt_suffix[i] = cnt_suffix[i + 1] + c
        w_suffix[i] = w_suffix[i + 1] + c * (hs[i] + 1)
    x = 0
    for ln, c in units.items():
        i = bisect.bisect_left(hs, ln)
        x += c * ln * ln * (w_suffix[i] - ln * cnt_suffix[i])
    return n, q, t, x


def label_disagreements(m: int, length: int, observed: int, units: Mapping[int, int],
                        gaps: Mapping[int, int]) -> tuple[Fraction | None, Fraction | None]:
    """Krippendorff's (2004) observed and expected disagreement of one label on a continuum of
    ``length`` positions coded by ``m`` coders:

    ``D_o = 2 * observed / (m (m-1) L^2)`` where ``observed`` sums :func:`distance` over unordered
    coder pairs; ``D_e = (2/L) ((N-1) T + X) / (m L (m L - 1) - Q)`` with :func:`expected_sums`.
    ``None`` where undefined (no length, fewer than two coders, a zero denominator).
    """
    if length <= 0 or m < 2:
        return None, None
    d_o = Fraction(2 * observed, m * (m - 1) * length * length)
    n, q, t, x = expected_sums(units, gaps)
    denom = length * (m * length * (m * length - 1) - q)
    if denom <= 0:
        return d_o, None
    return d_o, Fraction(2 * ((n - 1) * t + x), denom)


def alpha(d_o: Fraction | float | None, d_e: Fraction | float | None) -> float | None:
    """``1 - D_o / D_e``; ``None`` when either is undefined or ``D_e`` is 0 (DKPro answers 0.0 there)."""
    if d_o is None or d_e is None or d_e == 0:
        return None
    return float(1 - Fraction(d_o) / Fraction(d_e))


def project(spans: Iterable[Span], starts: Sequence[int], ends: Sequence[int]) -> list[Span]:
    """Map character spans onto positions of a unit axis: ``starts``/``ends`` are the sorted,
    non-overlapping character spans of the positions (tokens, characters). A span becomes
    ``[first position it overlaps, last + 1)``; one that overlaps no position is dropped."""
    out = []
    for s, e in spans:
        k0 = bisect.bisect_right(ends, s)
        k1 = bisect.bisect_left(starts, e)
        if k1 > k0:
            out.append((k0, k1))
    return out


# ---------------------------------------------------------------------------------- accumulator

class UnitizingAlpha:
    """Running sums for u-alpha over many sections coded by the same ``coders`` coders.

    :meth:`add_section` takes one section's length and, per coder, its units as
    ``(start, end, label)`` (label a string) on the section's axis; units of one coder and label
    that overlap are merged (counted in ``merged``), units are clipped to the section.
    """

    def __init__(self, coders: int):
        if coders < 2:
            raise ValueError("u-alpha needs at least two coders")
        self.m = coders
        self.length = 0
        self.sections = 0
        self.section_lengths: Counter[int] = Counter()
        self.merged = 0
        self.overlapping_labels = 0  # (coder, section) pairs whose units of different labels overlap
        # per label (Krippendorff 1995/2004)
        self.observed: Counter[str] = Counter()
        self.unit_lengths: dict[str, Counter[int]] = {}
        self.gap_delta: dict[str, Counter[int]] = {}
        # 2016 coincidences
        self.inter: Counter[str] = Counter()  # per label: sum over unordered coder pairs of |U_i^c & U_j^c|
        self.free_len = 0  # sum over coders of the length their units (any label) cover
        self.free_inter = 0  # sum over unordered coder pairs of |U_i & U_j| (any label)
        self.free_sq = 0  # sum of squared lengths of units with labels ignored

    def add_section(self, length: int, coders: Sequence[Iterable[tuple[int, int, str]]]) -> None:
        m = self.m
        if len(coders) != m:
            raise ValueError(f"{len(coders)} coders given, {m} expected")
        if length <= 0:
            return
        self.sections += 1
        self.length += length
        self.section_lengths[length] += 1
        by_label: dict[str, list[list[Span]]] = {}
        for k, units in enumerate(coders):
            for s, e, lab in units:
                s, e = max(s, 0), min(e, length)
                if e > s:
                    per = by_label.get(lab)
                    if per is None:
                        per = by_label[lab] = [[] for _ in range(m)]
                    per[k].append((s, e))
        if not by_label:
            return
        free: list[list[Span]] = [[] for _ in range(m)]
        for lab, per in by_label.items():
            hist = self.unit_lengths.get(lab)
            if hist is None:
                hist = self.unit_lengths[lab] = Counter()
                self.gap_delta[lab] = Counter()
            gaps = self.gap_delta[lab]
            for k in range(m):
                units = per[k]
                if not units:
                    continue
                if len(units) > 1:
                    units, n = merge_overlaps(units)
                    per[k] = units
                    self.merged += n
                free[k] += units
                gaps[length] -= 1
                pos = 0
                for s, e in units:
                    hist[e - s] += 1
                    if s > pos:
                        gaps[s - pos] += 1
                    pos = e
                if length > pos:
                    gaps[length - pos] += 1
            obs = inter = 0
            for a in range(m):
                for b in range(a + 1, m):
                    o, i = pair_sums(per[a], per[b])
                    obs += o
                    inter += i
            self.observed[lab] += obs
            self.inter[lab] += inter
        several = len(by_label) > 1
        for k in range(m):
            units = free[k]
            if several and len(units) > 1:
                units, n = merge_overlaps(units)
                if n:
                    self.overlapping_labels += 1
                free[k] = units
            for s, e in units:
                self.free_len += e - s
                self.free_sq += (e - s) * (e - s)
        if not several:  # one label: its units are all the units
            self.free_inter += inter
            return
        for a in range(m):
            for b in range(a + 1, m):
                self.free_inter += intersection(free[a], free[b])

    # ------------------------------------------------------------------ results
    def gaps(self, label: str) -> Counter[int]:
        """Histogram of the label's gap lengths: every coder's whole section where it has no unit of
        the label, corrected by the sections where it has some."""
        out: Counter[int] = Counter({ln: self.m * c for ln, c in self.section_lengths.items()})
        for ln, c in self.gap_delta.get(label, Counter()).items():
            out[ln] += c
        return +out

    def label_disagreements(self, label: str) -> tuple[Fraction | None, Fraction | None]:
        """Observed and expected disagreement of one label (``None`` where undefined)."""
        units = self.unit_lengths.get(label, Counter())
        return label_disagreements(self.m, self.length, self.observed[label], units, self.gaps(label))

    def label_result(self, label: str) -> dict[str, Any]:
        units = self.unit_lengths.get(label, Counter())
        d_o, d_e = self.label_disagreements(label)
        return {"alpha": alpha(d_o, d_e), "observed_disagreement": _f(d_o), "expected_disagreement": _f(d_e),
                "units": sum(units.values()), "length": sum(ln * c for ln, c in units.items())}

    def binary(self) -> float | None:
        """Krippendorff et al. (2016) |u-alpha: units of any label against gaps."""
        m, n_all = self.m, self.m * self.length
        g = n_all - self.free_len
        if not n_all or not g or not self.free_len:
            return None
        l_gv = Fraction((m - 1) * self.free_len - 2 * self.free_inter, m - 1)
        denom = n_all - Fraction(g + self.free_sq, n_all)
        return alpha(l_gv, Fraction(g * self.free_len) / denom)

    def nominal(self) -> float | None:
        """Krippendorff et al. (2016) u-alpha with the labels and the gap as nominal values; ``None``
        when some coder's units of different labels overlap (then they are not a partition)."""
        m, length = self.m, self.length
        n_all = m * length
        if not n_all or self.overlapping_labels:
            return None
        g = n_all - self.free_len
        gap_gap = Fraction(m * (m - 1) // 2 * length - (m - 1) * self.free_len + self.free_inter)
        diag_o = (2 * sum(self.inter.values()) + 2 * gap_gap) / (m - 1)
        denom = n_all - Fraction(g + self.free_sq, n_all)
        diag_e = Fraction(g * g - g)
        for hist in self.unit_lengths.values():
            a_c = sum(ln * c for ln, c in hist.items())
            diag_e += a_c * a_c - sum(ln * ln * c for ln, c in hist.items())
        return alpha(n_all - diag_o, n_all - diag_e / denom)

    def result(self) -> dict[str, Any]:
        """Overall alpha (labels pooled as DKPro does: mean D_o over mean D_e of the labels that
        occur), |u-alpha, u-alpha, and per label alpha, disagreements, units and their length."""
        labels = sorted(lab for lab, h in self.unit_lengths.items() if sum(h.values()))
        dis = [self.label_disagreements(lab) for lab in labels]
        d_o = d_e = None
        if dis and all(o is not None and e is not None for o, e in dis):
            d_o = sum((o for o, _e in dis), Fraction(0)) / len(dis)
            d_e = sum((e for _o, e in dis), Fraction(0)) / len(dis)
        return {"alpha": alpha(d_o, d_e), "observed_disagreement": _f(d_o), "expected_disagreement": _f(d_e),
                "binary_alpha": self.binary(), "nominal_alpha": self.nominal(),
                "per_label": {lab: self.label_result(lab) for lab in labels},
                "coders": self.m, "sections": self.sections, "length": self.length,
                "merged_overlaps": self.merged, "overlapping_labels": self.overlapping_labels}


def _f(x: Fraction | None) -> float | None:
    return None if x is None else float(x)
