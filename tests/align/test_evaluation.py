"""Bead (strict/lax, Vecalign/Bertalign definition) and link (AER) scores."""

from __future__ import annotations

import doctest

import pytest

import lancang.quality.alignment as qa
from lancang.errors import InputError
from lancang.quality.alignment import BeadCounts, bead_scores, evaluate_records, link_scores


def test_doctests():
    assert doctest.testmod(qa).failed == 0


def test_perfect_beads():
    gold = [[([0], [0]), ([1, 2], [1]), ([3], [])]]
    s = bead_scores(gold, gold)
    assert s["f1_strict"] == s["f1_lax"] == 1.0


def test_null_beads_count_in_precision_not_recall():
    gold = [[([0], [0]), ([1], [1])]]
    test = [[([0], [0]), ([1], [1]), ([], [2])]]  # an extra insertion
    s = bead_scores(test, gold)
    assert s["precision_strict"] == pytest.approx(2 / 3)
    assert s["recall_strict"] == 1.0  # recall ignores beads with an empty side
    assert s["precision_lax"] == pytest.approx(2 / 3)  # an empty side is never a lax hit


def test_lax_partial_overlap():
    gold = [[([0, 1], [0]), ([2], [1])]]
    test = [[([0], [0]), ([1], []), ([2], [1])]]
    s = bead_scores(test, gold)
    # test ([0],[0]) overlaps gold ([0,1],[0]): lax hit; ([1],[]) is neither
    assert (s["precision_strict"], s["precision_lax"]) == (pytest.approx(1 / 3), pytest.approx(2 / 3))
    # recall: gold ([0,1],[0]) partially found, ([2],[1]) exactly
    assert (s["recall_strict"], s["recall_lax"]) == (0.5, 1.0)


def test_micro_average_over_documents():
    c = BeadCounts()
    c.add([([0], [0])], [([0], [0])])
    c.add([([0, 1], [0, 1]), ([2], [2])], [([0], [0]), ([1], [1]), ([2], [2])])  # (test, gold)
    s = c.scores()
    assert s["documents"] == 2
    assert s["precision_strict"] == pytest.approx(2 / 3)
    assert s["recall_strict"] == pytest.approx(2 / 4)


def test_aer_sure_and_possible():
    gold = [[(0, 0, "S"), (1, 1, "S"), (2, 2, "P")]]
    assert link_scores([[(0, 0), (1, 1)]], gold)["aer"] == 0.0
    assert link_scores([[(0, 0), (1, 1), (2, 2)]], gold)["aer"] == 0.0  # possible links never hurt
    s = link_scores([[(0, 0), (1, 2)]], gold)
    # |A|=2, |S|=2, |A∩S|=1, |A∩P|=1 -> 1 - 2/4
    assert s["aer"] == pytest.approx(0.5)
    assert s["precision"] == pytest.approx(0.5) and s["recall"] == pytest.approx(0.5)
    assert link_scores([[]], gold)["aer"] == 1.0


def test_evaluate_records_beads_and_links():
    def rec(rid, beads, pairs):
        return {"id": rid, "sides": {"zh": {"text": "x"}, "en": {"text": "y"}}, "links": [
            {"kind": "beads", "src": "zh", "tgt": "en", "beads": [{"src": s, "tgt": t} for s, t in beads]},
            {"kind": "tokens", "src": "zh", "tgt": "en", "pairs": pairs}]}

    gold = [rec("a", [([0], [0]), ([1], [1])], [[0, 0, "S"], [1, 1, "P"]])]
    test = [rec("a", [([0, 1], [0, 1])], [[0, 0, "S"]])]
    b = evaluate_records(test, gold, "beads")
    assert b["f1_strict"] == 0.0 and b["f1_lax"] == 1.0
    w = evaluate_records(test, gold, "links")
    assert w["aer"] == 0.0 and w["pairs"] == 1
    with pytest.raises(InputError, match="differ"):
        evaluate_records([rec("b", [], [])], gold, "beads")
    with pytest.raises(InputError, match="GOLD record 1: record 'a' is not in PRED"):
        evaluate_records([rec("b", [], [])], gold, "beads")
    with pytest.raises(ValueError):
        evaluate_records(test, gold, "tokens")
