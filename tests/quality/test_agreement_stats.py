"""Kappa and alpha against nltk.metrics.agreement and the krippendorff package (differential, to 1e-9)."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lancang.quality.agreement import cohen_kappa, fleiss_kappa, fleiss_kappa_per_category, krippendorff_alpha_nominal
from lancang.quality.scores import aer

nltk_agreement = pytest.importorskip("nltk.metrics.agreement")
krippendorff = pytest.importorskip("krippendorff")
np = pytest.importorskip("numpy")

TOL = 1e-9


@st.composite
def label_matrix(draw, missing: bool = False):
    """m annotators x n items over k labels; ensures no annotator pair has degenerate chance agreement."""
    m = draw(st.integers(2, 5))
    n = draw(st.integers(2, 40))
    k = draw(st.integers(2, 5))
    labels = [chr(ord("a") + i) for i in range(k)]
    cell = st.sampled_from(labels)
    if missing:
        cell = st.one_of(cell, st.none())
    rows = draw(st.lists(st.lists(cell, min_size=n, max_size=n), min_size=m, max_size=m))
    return rows


def _task(rows):
    data = [(f"c{a}", f"i{i}", lab) for a, row in enumerate(rows) for i, lab in enumerate(row)]
    return nltk_agreement.AnnotationTask(data)


def _close(a, b) -> bool:
    return abs(a - b) <= TOL


@settings(max_examples=150, deadline=None)
@given(label_matrix())
def test_cohen_kappa_matches_nltk(rows) -> None:
    task = _task(rows)
    for a in range(len(rows)):
        for b in range(a + 1, len(rows)):
            mine = cohen_kappa(Counter(zip(rows[a], rows[b])))
            labels_a, labels_b = Counter(rows[a]), Counter(rows[b])
            n = len(rows[a])
            pe = sum(labels_a[x] * labels_b[x] for x in labels_a) / (n * n)
            if pe == 1:
                assert mine is None
                continue
            assert _close(mine, task.kappa_pairwise(f"c{a}", f"c{b}"))


@settings(max_examples=150, deadline=None)
@given(label_matrix())
def test_fleiss_kappa_matches_nltk_multi_pi(rows) -> None:
    # nltk's pi() with more than two coders is Fleiss' kappa (Siegel and Castellan's K)
    hist = Counter(zip(*rows))
    totals = Counter(x for row in rows for x in row)
    if len(totals) == 1:
        assert fleiss_kappa(hist) is None
        return
    assert _close(fleiss_kappa(hist), _task(rows).pi())


@settings(max_examples=150, deadline=None)
@given(label_matrix())
def test_alpha_matches_nltk_and_krippendorff(rows) -> None:
    hist = Counter(zip(*rows))
    values = sorted({x for row in rows for x in row})
    mine = krippendorff_alpha_nominal(hist)
    if len(values) == 1:
        assert mine is None
        return
    assert _close(mine, _task(rows).alpha())
    data = np.array([[values.index(x) for x in row] for row in rows], dtype=float)
    assert _close(mine, krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


@settings(max_examples=150, deadline=None)
@given(label_matrix(missing=True))
def test_alpha_with_missing_values_matches_krippendorff(rows) -> None:
    values = sorted({x for row in rows for x in row if x is not None})
    pairable = [i for i in range(len(rows[0])) if sum(row[i] is not None for row in rows) >= 2]
    mine = krippendorff_alpha_nominal(Counter(zip(*rows)))
    vals_in_pairable = {row[i] for i in pairable for row in rows if row[i] is not None}
    if len(vals_in_pairable) < 2:
        assert mine is None
        return
    data = np.array([[np.nan if x is None else values.index(x) for x in row] for row in rows], dtype=float)
    assert _close(mine, krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def test_fleiss_1971_example() -> None:
    """The worked example reproduced in many textbooks (10 subjects, 14 raters, 5 categories,
    kappa = 0.210), and Fleiss' identity: kappa is the p_j q_j-weighted mean of the category kappas."""
    counts = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
              [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    hist: Counter = Counter()
    for row in counts:
        labels = tuple(c for c, n in enumerate(row) for _ in range(n))
        hist[labels] += 1
    assert round(fleiss_kappa(hist), 3) == 0.210
    per = fleiss_kappa_per_category(hist)
    total = 10 * 14
    p = {c: sum(row[c] for row in counts) / total for c in range(5)}
    weighted = sum(p[c] * (1 - p[c]) * per[c] for c in range(5)) / sum(p[c] * (1 - p[c]) for c in range(5))
    assert _close(weighted, fleiss_kappa(hist))
    assert round(p[0], 3) == 0.143 and round(p[4], 3) == 0.229  # the example's printed p_j


def test_degenerate_cases() -> None:
    assert cohen_kappa(Counter()) is None
    assert cohen_kappa(Counter({("O", "O"): 10})) is None  # both always say O: chance agreement is 1
    assert cohen_kappa(Counter({("a", "a"): 5, ("b", "b"): 5})) == 1.0
    assert cohen_kappa(Counter({("a", "b"): 5, ("b", "a"): 5})) == -1.0
    assert krippendorff_alpha_nominal(Counter({("a", None): 3})) is None
    assert fleiss_kappa(Counter()) is None


def test_aer_definition() -> None:
    # Och and Ney: A = {1,2,3}, S = {1,2}, P = {1,2,4}: 1 - (2 + 2) / (3 + 2) = 0.2
    assert math.isclose(aer(hyp=3, sure=2, hyp_and_sure=2, hyp_and_possible=2), 0.2)
    assert aer(0, 0, 0, 0) is None
    assert aer(2, 2, 2, 2) == 0.0
