"""Krippendorff's alpha for unitizing (lancang.quality.unitizing, `lancang agree`).

Checked against
* published worked examples: Krippendorff (1995: 57; 2004: 254; 2019: 340, Fig. 12.11), with
  the numbers as reproduced in DKPro Agreement's tests (dkpro/dkpro-statistics,
  ``unitizing/Krippendorff1995Test.java``, ``Krippendorff2004Test.java``) and the quallmer R
  package's tests (cran/quallmer ``tests/testthat/test-alpha_u.R``);
* DKPro Agreement's own computed values (``UnitizingAgreementTest.java``, ``testVaryingLengths``);
* a direct implementation written here from the textbook formulas: all pairs of segments of all
  coders (O(n^2)), on the concatenation of the sections, with exact fractions;
* properties (hypothesis): perfect agreement, symmetry in the coders, section order and
  concatenation, running sums against the direct formulas;
* `lancang agree` on real data (NERGrit validation, Indonesian) against a seeded perturbation.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lancang.quality.agreement import Agreement, Source, agree
from lancang.quality.unitizing import (
    UnitizingAlpha,
    distance,
    expected_sums,
    gap_lengths,
    merge_overlaps,
    project,
)
from lancang.schemas import load_schema
from tests.conftest import shared, write_jsonl

Units = list[tuple[int, int, str]]
Study = tuple[int, list[tuple[int, list[Units]]]]  # (coders, [(section length, [units per coder])])


def compute(m: int, sections: list[tuple[int, list[Units]]]) -> dict[str, Any]:
    u = UnitizingAlpha(m)
    for length, coders in sections:
        u.add_section(length, coders)
    return u.result()


# ------------------------------------------------------------------------------ direct formulas

def delta2(g: tuple[int, int, str | None], h: tuple[int, int, str | None], c: str) -> int:
    """Krippendorff's (2004) squared distance of segments (begin, length, value), for label c."""
    (bg, lg, vg), (bh, lh, vh) = g, h
    if vg == c and vh == c and bh - lg < bg < bh + lh:
        return (bg - bh) ** 2 + (bg + lg - bh - lh) ** 2
    if vg == c and vh != c and bh <= bg and bg + lg <= bh + lh:
        return lg * lg
    if vg != c and vh == c and bg <= bh and bh + lh <= bg + lg:
        return lh * lh
    return 0


def concatenated(m: int, sections, keep=lambda lab: True) -> tuple[int, list[list[tuple[int, int, str | None]]]]:
    """Each coder's segments (begin, length, value or None for a gap) on the concatenated continuum;
    a gap ends at a section boundary. Units must not overlap."""
    segs: list[list[tuple[int, int, str | None]]] = [[] for _ in range(m)]
    offset = 0
    for length, coders in sections:
        for k, units in enumerate(coders):
            pos = 0
            for s, e, lab in sorted(u for u in units if keep(u[2])):
                if s > pos:
                    segs[k].append((offset + pos, s - pos, None))
                segs[k].append((offset + s, e - s, lab))
                pos = e
            if length > pos:
                segs[k].append((offset + pos, length - pos, None))
        offset += length
    return offset, segs


def direct_label(m: int, sections, c: str) -> tuple[Fraction, Fraction]:
    """D_o and D_e of label c, Krippendorff (2004), term by term."""
    length, segs = concatenated(m, sections, keep=lambda lab: lab == c)
    obs = sum(delta2(g, h, c) for i in range(m) for j in range(m) if i != j for g in segs[i] for h in segs[j])
    d_o = Fraction(obs, m * (m - 1) * length ** 2)
    units = [ln for s in segs for _b, ln, v in s if v == c]
    gaps = [ln for s in segs for _b, ln, v in s if v is None]
    n = len(units)
    num = sum(Fraction((n - 1) * (2 * ln ** 3 - 3 * ln ** 2 + ln), 3) +
              ln * ln * sum(h - ln + 1 for h in gaps if h >= ln) for ln in units)
    den = m * length * (m * length - 1) - sum(ln * (ln - 1) for ln in units)
    return d_o, Fraction(2, length) * num / den


def direct_2016(m: int, sections) -> tuple[Fraction | None, Fraction | None]:
    """u-alpha and |u-alpha of Krippendorff, Mathet, Bouvry and Widlöcher (2016), from the full
    coincidence matrix of intersection lengths (every pair of segments of two coders)."""
    _length, segs = concatenated(m, sections)
    coin: dict[tuple[Any, Any], Fraction] = {}
    for i in range(m):
        for j in range(m):
            if i == j:
                continue
            for bg, lg, vg in segs[i]:
                for bh, lh, vh in segs[j]:
                    x = min(bg + lg, bh + lh) - max(bg, bh)
                    if x > 0:
                        coin[(vg, vh)] = coin.get((vg, vh), Fraction(0)) + Fraction(x, m - 1)
    values = {v for s in segs for _b, _l, v in s}
    marg = {c: sum(x for (a, _b), x in coin.items() if a == c) for c in values}
    total = sum(marg.values())
    corr = {c: sum((ln if v is None else ln * ln) for s in segs for _b, ln, v in s if v == c) for c in values}
    exp = {(c, k): total * (marg[c] * marg[k] - (corr[c] if c == k else 0)) / (total ** 2 - sum(corr.values()))
           for c in values for k in values}
    d_o = total - sum(coin.get((c, c), 0) for c in values)
    d_e = total - sum(exp[(c, c)] for c in values)
    nominal = None if d_e == 0 else 1 - d_o / d_e
    bo = sum(coin.get((None, k), 0) for k in values if k is not None)
    be = sum(exp[(None, k)] for k in values if k is not None) if None in values else 0
    binary = None if be == 0 else 1 - bo / be
    return nominal, binary


# ----------------------------------------------------------------------- published and DKPro values

def test_distance_published() -> None:
    # Krippendorff (2004), as in DKPro Krippendorff2004Test.testDistanceMetric1/2: (begin, length)
    def seg(b: int, ln: int, unit: bool) -> tuple[int, int, bool]:
        return (b, b + ln, unit)
    assert distance(seg(2, 3, False), seg(2, 2, True)) + distance(seg(5, 6, True), seg(4, 7, False)) == 40
    assert distance(seg(3, 2, False), seg(3, 2, True)) + distance(seg(5, 6, True), seg(5, 6, False)) == 40
    assert [distance(seg(5, 6, True), seg(b, ln, True)) for b, ln in ((4, 2), (5, 2), (6, 2), (7, 2), (6, 4), (5, 6))] \
        == [26, 16, 10, 8, 2, 0]
    assert distance(seg(225, 70, True), seg(220, 80, True)) == 50
    assert distance(seg(370, 30, True), seg(355, 20, True)) == 850
    assert distance(seg(400, 50, False), seg(400, 20, True)) == 400
    # DKPro UnitizingAgreementTest.testDistanceMetric
    assert distance(seg(0, 1, False), seg(0, 2, False)) == 0
    assert [distance(seg(1, 8, True), seg(b, ln, u)) for b, ln, u in
            ((0, 2, False), (2, 1, True), (3, 1, False), (4, 1, True), (5, 1, False), (6, 1, True), (7, 4, False))] \
        == [0, 37, 0, 25, 0, 29, 0]


def krippendorff_2004() -> Study:
    """Krippendorff (2004: 254): two observers, continuum 150-450, categories c and k."""
    ann0 = [(225, 295, "c"), (370, 400, "c"), (180, 240, "k"), (300, 350, "k")]
    ann1 = [(220, 300, "c"), (355, 375, "c"), (400, 420, "c"), (180, 240, "k"), (300, 350, "k")]
    return 2, [(300, [[(s - 150, e - 150, c) for s, e, c in a] for a in (ann0, ann1)])]


def test_krippendorff_2004_example() -> None:
    r = compute(*krippendorff_2004())
    c, k = r["per_label"]["c"], r["per_label"]["k"]
    # published to 4 decimals (as asserted in DKPro's Krippendorff2004Test)
    assert abs(c["observed_disagreement"] - 0.0144) < 1e-4
    assert abs(c["expected_disagreement"] - 0.0532) < 1e-4
    assert abs(c["alpha"] - 0.7286) < 1e-4
    assert k["observed_disagreement"] == 0 and abs(k["expected_disagreement"] - 0.0490) < 1e-4 and k["alpha"] == 1
    # the book's overall 0.8591 is 1 - 0.0144 / (0.0532 + 0.0490) from the rounded parts; unrounded it is
    # 0.8587, inside DKPro's tolerance of 0.0005
    assert abs(r["alpha"] - 0.8591) < 5e-4
    d_o = sum(direct_label(*krippendorff_2004(), lab)[0] for lab in "ck")
    d_e = sum(direct_label(*krippendorff_2004(), lab)[1] for lab in "ck")
    assert r["alpha"] == pytest.approx(float(1 - d_o / d_e), abs=1e-15)


def krippendorff_1995(stretch: float) -> Study:
    """Krippendorff (1995: 57), four pairs of coders on a continuum of 24 (A Bertha/Bill, B John/Jill,
    C Gerret/Gill, D Heather/Hill), coded as four categories; positions scaled as DKPro does."""
    data = {
        "A": [(2, 8, 0), (14, 6, 0), (4, 4, 1), (15, 2, 1)],
        "B": [(0, 18, 0), (0, 2, 1), (2, 1, 1), (3, 1, 1), (4, 1, 1), (5, 1, 1), (6, 3, 1), (9, 1, 1)],
        "C": [(2, 6, 0), (10, 2, 0), (14, 4, 0), (20, 2, 0), (0, 2, 1), (4, 4, 1), (10, 4, 1), (16, 2, 1),
              (20, 2, 1)],
        "D": [(0, 2, 0), (2, 8, 0), (10, 4, 0), (14, 6, 0), (20, 4, 0), (0, 4, 1), (4, 4, 1), (8, 7, 1),
              (15, 2, 1), (17, 7, 1)],
    }
    coders: list[Units] = [[], []]
    for lab, units in data.items():
        for b, ln, k in units:
            coders[k].append((int(b * stretch), int(b * stretch) + int(ln * stretch), lab))
    return 2, [(int(24 * stretch), coders)]


def test_krippendorff_1995_examples() -> None:
    per = compute(*krippendorff_1995(1))["per_label"]
    # observed disagreements at the published scale (DKPro Krippendorff1995Test.testAgreement, 1e-5)
    for lab, want in {"A": 0.03125, "B": 2.26736, "C": 0.02777, "D": 0.38715}.items():
        assert abs(per[lab]["observed_disagreement"] - want) < 1e-5, lab
    # expected disagreement and alpha: the paper's values hold in the limit of a fine continuum; DKPro
    # notes a small error in the paper's D_e and checks them with these tolerances at stretch 50,000
    per = compute(*krippendorff_1995(1200000 / 24))["per_label"]
    for lab, d_e, a in (("A", 0.06990, 0.553), ("B", 1.17731, -0.926), ("C", 0.08642, 0.679), ("D", 0.41445, 0.066)):
        assert abs(per[lab]["observed_disagreement"] - compute(*krippendorff_1995(1))["per_label"][lab][
            "observed_disagreement"]) < 1e-12
        assert abs(per[lab]["expected_disagreement"] - d_e) < 5e-3, lab
        assert abs(per[lab]["alpha"] - a) < 0.02, lab


def test_dkpro_computed_values() -> None:
    # DKPro Krippendorff1995Test.testVaryingLengths, example C on a continuum of 12 (tolerance 1e-5)
    c = compute(*krippendorff_1995(12 / 24))["per_label"]["C"]
    assert abs(c["observed_disagreement"] - 0.02777) < 1e-5
    assert abs(c["expected_disagreement"] - 0.05494) < 1e-5
    assert abs(c["alpha"] - 0.494) < 1e-3
    # DKPro UnitizingAgreementTest.testAgreement: r0 -11111111- against r1 --1-1-1---
    a = compute(2, [(10, [[(1, 9, "A")], [(2, 3, "A"), (4, 5, "A"), (6, 7, "A")]])])["per_label"]["A"]
    assert abs(a["observed_disagreement"] - 0.9100) < 1e-4
    assert abs(a["expected_disagreement"] - 0.5351) < 1e-4
    assert abs(a["alpha"] - -0.7003) < 1e-4
    # testSingleAnnotationUnit: one unit of one of three raters gives D_o = D_e, alpha 0
    assert compute(3, [(20, [[(0, 1, "X")], [], []])])["alpha"] == 0
    # testEmptyAnnotationSet: DKPro answers NaN, we answer None
    r = compute(3, [(20, [[], [], []])])
    assert r["alpha"] is None and r["per_label"] == {} and r["binary_alpha"] is None


def krippendorff_2019() -> Study:
    """Krippendorff (2019: 340, Fig. 12.11), three observers on a continuum of 60, values 1-7; the
    positions (1-based, inclusive) as transcribed in quallmer's test-alpha_u.R."""
    alex = [(1, 7, "1"), (8, 13, "2"), (31, 32, "5"), (33, 37, "6"), (38, 44, "6"), (45, 60, "7")]
    paul = [(1, 7, "1"), (8, 13, "3"), (14, 21, "5"), (33, 44, "6")]
    suzan = [(1, 7, "1"), (8, 13, "4"), (14, 21, "5"), (33, 37, "6"), (38, 41, "6"), (42, 44, "6")]
    return 3, [(60, [[(s - 1, e, v) for s, e, v in x] for x in (alex, paul, suzan)])]


def test_krippendorff_2019_family() -> None:
    r = compute(*krippendorff_2019())
    assert round(r["nominal_alpha"], 3) == 0.510  # published u-alpha
    # published |u-alpha .413; unrounded it is 0.4136 (quallmer checks it with a tolerance of 0.002)
    assert abs(r["binary_alpha"] - 0.413) < 1e-3
    nominal, binary = direct_2016(*krippendorff_2019())
    assert r["nominal_alpha"] == pytest.approx(float(nominal), abs=1e-15)
    assert r["binary_alpha"] == pytest.approx(float(binary), abs=1e-15)


# ---------------------------------------------------------------------------------------- pieces

def test_merge_gaps_project() -> None:
    assert merge_overlaps([(5, 8), (0, 2), (2, 4), (3, 6), (9, 9), (1, 2)]) == ([(0, 2), (2, 8)], 3)
    assert gap_lengths([(0, 2), (2, 8)], 10) == [2] and gap_lengths([], 4) == [4] and gap_lengths([(1, 3)], 3) == [1]
    # tokens at characters [0,4) [5,9) [10,11): a span is the tokens it overlaps
    starts, ends = [0, 5, 10], [4, 9, 11]
    assert project([(0, 4), (5, 11), (2, 6), (4, 5), (9, 10), (11, 12)], starts, ends) == [(0, 1), (1, 3), (0, 2)]
    # expected sums: units {2: 1, 3: 2}, gaps {1: 4, 3: 1, 5: 2}
    n, q, t, x = expected_sums({2: 1, 3: 2}, {1: 4, 3: 1, 5: 2})
    assert (n, q, t) == (3, 2 + 2 * 6, 2 + 2 * 10)
    assert x == 4 * ((3 - 2 + 1) + 2 * (5 - 2 + 1)) + 2 * 9 * ((3 - 3 + 1) + 2 * (5 - 3 + 1))


def test_overlaps_merged_and_reported() -> None:
    whole = compute(2, [(20, [[(2, 9, "A")], [(3, 9, "A")]])])
    split = compute(2, [(20, [[(2, 6, "A"), (4, 9, "A"), (5, 7, "A")], [(3, 9, "A")]])])
    assert split["per_label"] == whole["per_label"] and split["merged_overlaps"] == 2
    assert whole["nominal_alpha"] is not None and split["overlapping_labels"] == 0
    nested = compute(2, [(20, [[(2, 9, "ORG"), (2, 4, "PER")], [(2, 9, "ORG"), (2, 4, "PER")]])])
    assert nested["overlapping_labels"] == 2 and nested["nominal_alpha"] is None
    assert nested["alpha"] == 1 and nested["binary_alpha"] == 1
    # units are clipped to the section
    assert compute(2, [(5, [[(3, 9, "A")], [(3, 5, "A")]])])["per_label"]["A"]["alpha"] == 1


# ----------------------------------------------------------------------------------- properties

@st.composite
def studies(draw, labels: tuple[str, ...] = ("A", "B"), lead: bool = False) -> Study:
    """m coders partition each section into pieces that are units of a label or gaps. With ``lead``
    every coder's section starts with a unit (so no gap can join the previous section's last gap)."""
    m = draw(st.integers(2, 4))
    sections = []
    for _ in range(draw(st.integers(1, 4))):
        length = draw(st.integers(1 if lead else 0, 24))
        coders = []
        for _k in range(m):
            units: Units = []
            pos = 0
            while pos < length:
                piece = min(draw(st.integers(1, 7)), length - pos)
                lab = draw(st.sampled_from(labels)) if lead and pos == 0 else draw(st.sampled_from((*labels, None)))
                if lab is not None:
                    units.append((pos, pos + piece, lab))
                pos += piece
            coders.append(units)
        sections.append((length, coders))
    return m, sections


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(studies())
def test_running_sums_match_direct_formulas(study: Study) -> None:
    m, sections = study
    r = compute(m, sections)
    dis = []
    for lab, v in r["per_label"].items():
        d_o, d_e = direct_label(m, sections, lab)
        dis.append((d_o, d_e))
        assert v["observed_disagreement"] == pytest.approx(float(d_o), rel=1e-12, abs=1e-15)
        assert v["expected_disagreement"] == pytest.approx(float(d_e), rel=1e-12, abs=1e-15)
        assert v["alpha"] == (None if d_e == 0 else pytest.approx(float(1 - d_o / d_e), rel=1e-9, abs=1e-12))
    if dis and all(e for _o, e in dis):
        want = 1 - sum(o for o, _e in dis) / sum(e for _o, e in dis)
        assert r["alpha"] == pytest.approx(float(want), rel=1e-9, abs=1e-12)
    nominal, binary = direct_2016(m, sections)
    assert r["nominal_alpha"] == (None if nominal is None else pytest.approx(float(nominal), rel=1e-9, abs=1e-12))
    assert r["binary_alpha"] == (None if binary is None else pytest.approx(float(binary), rel=1e-9, abs=1e-12))


@SETTINGS
@given(studies(), st.randoms(use_true_random=False))
def test_symmetric_in_coders_and_sections(study: Study, rnd: random.Random) -> None:
    m, sections = study
    base = compute(m, sections)
    order = list(range(m))
    rnd.shuffle(order)
    shuffled = [(ln, [coders[k] for k in order]) for ln, coders in sections]
    rnd.shuffle(shuffled)
    assert compute(m, shuffled) == base


def concat(sections) -> list[tuple[int, list[Units]]]:
    m = len(sections[0][1])
    out: list[Units] = [[] for _ in range(m)]
    offset = 0
    for length, coders in sections:
        for k, units in enumerate(coders):
            out[k] += [(s + offset, e + offset, lab) for s, e, lab in units]
        offset += length
    return [(offset, out)]


@SETTINGS
@given(studies())
def test_coincidence_family_is_invariant_under_concatenation(study: Study) -> None:
    m, sections = study
    whole, parts = compute(m, concat(sections)), compute(m, sections)
    for key in ("binary_alpha", "nominal_alpha"):
        assert (whole[key] is None) == (parts[key] is None)
        assert whole[key] is None or abs(whole[key] - parts[key]) < 1e-12
    for lab, v in parts["per_label"].items():  # D_o always adds up
        assert whole["per_label"][lab]["observed_disagreement"] == pytest.approx(v["observed_disagreement"],
                                                                                 rel=1e-12)


@SETTINGS
@given(studies(labels=("A",), lead=True))
def test_per_label_alpha_is_invariant_under_concatenation(study: Study) -> None:
    """Where no gap ends a section and another starts the next, the sections are one continuum."""
    m, sections = study
    _close(compute(m, concat(sections)), compute(m, sections))


def _close(a: dict[str, Any], b: dict[str, Any]) -> None:
    for key in ("alpha", "observed_disagreement", "expected_disagreement", "binary_alpha"):
        x, y = a[key], b[key]
        assert (x is None) == (y is None) and (x is None or abs(x - y) < 1e-12), key
    assert a["per_label"].keys() == b["per_label"].keys()
    for lab in a["per_label"]:
        for key in ("alpha", "observed_disagreement", "expected_disagreement"):
            x, y = a["per_label"][lab][key], b["per_label"][lab][key]
            assert (x is None) == (y is None) and (x is None or abs(x - y) < 1e-12), (lab, key)


@SETTINGS
@given(studies())
def test_perfect_agreement_is_one(study: Study) -> None:
    m, sections = study
    same = [(ln, [coders[0]] * m) for ln, coders in sections]
    r = compute(m, same)
    for v in r["per_label"].values():
        assert v["observed_disagreement"] == 0 and v["alpha"] in (1.0, None)
    assert r["alpha"] in (1.0, None) and r["binary_alpha"] in (1.0, None) and r["nominal_alpha"] in (1.0, None)
    if r["expected_disagreement"]:
        assert r["alpha"] == 1.0


# -------------------------------------------------------------------------------- in `agree`

def side(text: str, ents, tokens=None) -> dict[str, Any]:
    layers: dict[str, Any] = {}
    if ents is not None:
        layers["entities"] = {"items": [{"start": s, "end": e, "label": lab} for s, e, lab in ents]}
    if tokens is not None:
        layers["tokens"] = {"spans": tokens}
    return {"text": text, "layers": layers}


def test_agreement_units_missing_layer_and_whitespace() -> None:
    text = "Joko Widodo ke Bali"  # non-space characters: 16
    a = Agreement([Source("a", "a"), Source("b", "b")], ["entities"], "char")
    # b's PER takes the space after the name (whitespace is not a position); b has no entities layer
    # on the second side, which counts as "no entities"; a third side without any entities layer is out
    a.add("r1", [{"sides": {"id": side(text, [(0, 11, "PER"), (15, 19, "LOC")])}},
                 {"sides": {"id": side(text, [(0, 12, "PER"), (15, 19, "LOC")])}}], [1, 1])
    a.add("r2", [{"sides": {"id": side("di Jakarta", [(3, 10, "LOC")])}},
                 {"sides": {"id": side("di Jakarta", None)}}], [2, 2])
    a.add("r3", [{"sides": {"id": side("tidak", None)}}, {"sides": {"id": side("tidak", None)}}], [3, 3])
    ent = a.result()["layers"]["entities"]
    uz = ent["unitizing"]
    assert uz["sections"] == 2 and uz["length"] == 16 + 9 == ent["items"]
    assert uz["per_label"]["PER"]["alpha"] == 1.0 and uz["per_label"]["LOC"]["alpha"] < 1
    want = compute(2, [(16, [[(0, 10, "PER"), (12, 16, "LOC")], [(0, 10, "PER"), (12, 16, "LOC")]]),
                       (9, [[(2, 9, "LOC")], []])])
    assert uz == want
    assert ent["unitizing_alpha"] == want["alpha"]
    assert ent["per_label"]["LOC"]["unitizing_alpha"] == want["per_label"]["LOC"]["alpha"]
    assert ent["per_label"]["O"]["unitizing_alpha"] is None


# -------------------------------------------------------------------------- NERGrit, real data

def bio_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    out, start, label = [], None, None
    for i, t in enumerate([*tags, "O"]):
        if start is not None and not (t.startswith("I-") and t[2:] == label):
            out.append((start, i, label))
            start = None
        if t.startswith("B-") or (t.startswith("I-") and start is None):
            start, label = i, t[2:]
    return out


def nergrit() -> list[tuple[list[str], list[tuple[int, int, str]]]]:
    """(tokens, entity token spans) per sentence, read here independently of lancang's reader."""
    sents, toks, tags = [], [], []
    for line in shared("ner", "id_nergrit", "valid_preprocess.txt").read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if toks:
                sents.append((toks, bio_spans(tags)))
            toks, tags = [], []
            continue
        tok, tag = line.split("\t")
        toks.append(tok)
        tags.append(tag)
    return sents


def perturb(spans: list[tuple[int, int, str]], n: int, rnd: random.Random) -> list[tuple[int, int, str]]:
    """Drop, relabel, move a boundary by one token (never into another entity), all seeded."""
    out: list[tuple[int, int, str]] = []
    for k, (s, e, lab) in enumerate(spans):
        r = rnd.random()
        if r < 0.08:
            continue
        if r < 0.18:
            lab = rnd.choice([x for x in ("PERSON", "PLACE", "ORGANISATION") if x != lab])
        elif r < 0.35:
            s2, e2 = (s - 1, e) if rnd.random() < 0.5 else (s, e + 1 if rnd.random() < 0.5 else e - 1)
            if 0 <= s2 < e2 <= n and all(e2 <= a or b <= s2 for a, b, _l in out + spans[k + 1:]):
                s, e = s2, e2
        out.append((s, e, lab))
    return out


def to_records(sents, spans_per_sent) -> list[dict[str, Any]]:
    recs = []
    for i, ((toks, _gold), spans) in enumerate(zip(sents, spans_per_sent)):
        starts, pos = [], 0
        for t in toks:
            starts.append(pos)
            pos += len(t) + 1
        tokens = [[a, a + len(t)] for a, t in zip(starts, toks)]
        recs.append({"id": f"nergrit-valid-{i:04d}", "sides": {"id": {"text": " ".join(toks), "layers": {
            "tokens": {"spans": tokens},
            "entities": {"items": [{"start": tokens[s][0], "end": tokens[e - 1][1], "label": lab}
                                   for s, e, lab in spans]}}}}})
    return recs


@pytest.fixture(scope="module")
def nergrit_files(tmp_path_factory) -> dict[str, Any]:
    from lancang.corpora.formats import conll

    sents = nergrit()
    tmp = tmp_path_factory.mktemp("nergrit")
    path = shared("ner", "id_nergrit", "valid_preprocess.txt")
    a = [{**r, "id": f"nergrit-valid-{i:04d}"} for i, r in enumerate(conll.read(path, langs=["id"]))]
    rnd = random.Random(7)
    b_spans = [perturb(gold, len(toks), rnd) for toks, gold in sents]
    # annotator A through lancang's CoNLL reader; B built here from the perturbed token spans
    assert [r["sides"]["id"]["text"] for r in a] == [" ".join(t) for t, _g in sents]
    return {"a": write_jsonl(tmp / "a.jsonl", a), "b": write_jsonl(tmp / "b.jsonl", to_records(sents, b_spans)),
            "sents": sents, "b_spans": b_spans}


def test_nergrit_identical_files(cli, nergrit_files) -> None:
    f = str(nergrit_files["a"])
    res = cli("agree", f, f, "--layers", "entities", "--format", "json")
    assert res.exit_code == 0, res.stderr
    ent = json.loads(res.stdout)["agreement"]["layers"]["entities"]
    uz = ent["unitizing"]
    assert ent["unitizing_alpha"] == 1.0 and uz["binary_alpha"] == 1.0 and uz["nominal_alpha"] == 1.0
    assert set(uz["per_label"]) == {"PERSON", "PLACE", "ORGANISATION"}
    assert all(v["alpha"] == 1.0 for v in uz["per_label"].values())
    assert uz["sections"] == 209 and uz["length"] == sum(len(t) for t, _g in nergrit_files["sents"])  # tokens


def test_nergrit_perturbed_matches_direct_computation(cli, nergrit_files, tmp_path: Path) -> None:
    res = cli("agree", str(nergrit_files["a"]), str(nergrit_files["b"]), "--format", "json", "-o",
              str(tmp_path / "m.json"))
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert list(jsonschema.Draft202012Validator(load_schema("metrics")).iter_errors(doc)) == []
    ent = doc["agreement"]["layers"]["entities"]
    uz = ent["unitizing"]
    assert ent["units"] == {"token": uz["length"]}
    sections = [(len(toks), [gold, b]) for (toks, gold), b in zip(nergrit_files["sents"], nergrit_files["b_spans"])]
    dis = {lab: direct_label(2, sections, lab) for lab in ("PERSON", "PLACE", "ORGANISATION")}
    for lab, (d_o, d_e) in dis.items():
        assert uz["per_label"][lab]["alpha"] == pytest.approx(float(1 - d_o / d_e), abs=1e-12)
        assert ent["per_label"][lab]["unitizing_alpha"] == uz["per_label"][lab]["alpha"]
    want = 1 - sum(o for o, _e in dis.values()) / sum(e for _o, e in dis.values())
    assert ent["unitizing_alpha"] == pytest.approx(float(want), abs=1e-12)
    assert 0.5 < ent["unitizing_alpha"] < 0.99  # really disagrees, not wildly
    nominal, binary = direct_2016(2, sections)
    assert uz["nominal_alpha"] == pytest.approx(float(nominal), abs=1e-12)
    assert uz["binary_alpha"] == pytest.approx(float(binary), abs=1e-12)
    assert uz["binary_alpha"] > uz["nominal_alpha"]  # relabelling costs the nominal, not the binary one
    text = cli("agree", str(nergrit_files["a"]), str(nergrit_files["b"]), "--layers", "entities").stdout
    assert "unitizing alpha (u-alpha, labels pooled)" in text and "u-alpha " in text
    assert f"{ent['unitizing_alpha']:.4f}" in text


def test_three_annotators_and_agree_function(nergrit_files, tmp_path: Path) -> None:
    rnd = random.Random(11)
    c_spans = [perturb(gold, len(toks), rnd) for toks, gold in nergrit_files["sents"]]
    fc = write_jsonl(tmp_path / "c.jsonl", to_records(nergrit_files["sents"], c_spans))
    a = agree([nergrit_files["a"], nergrit_files["b"], fc], layers=["entities"])
    uz = a["layers"]["entities"]["unitizing"]
    sections = [(len(toks), [gold, b, c]) for (toks, gold), b, c in
                zip(nergrit_files["sents"], nergrit_files["b_spans"], c_spans)]
    assert uz["coders"] == 3
    d_o, d_e = direct_label(3, sections, "PLACE")
    assert uz["per_label"]["PLACE"]["alpha"] == pytest.approx(float(1 - d_o / d_e), abs=1e-12)
