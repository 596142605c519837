"""apply_edits: text replaced, every offset layer remapped, cuts reported, input untouched."""

from __future__ import annotations

import copy
import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lancang.corpora.edits as edits_mod
from lancang.corpora.edits import apply_edits
from lancang.corpora.invariants import check_invariants
from lancang.errors import InputError


def test_doctests() -> None:
    res = doctest.testmod(edits_mod)
    assert res.failed == 0 and res.attempted > 0


def test_thai_markup_repair_keeps_tokens_entities_codes() -> None:
    text = "ผม&amp;เธอ ไป <b>ตลาด</b>"
    side = {"text": text, "layers": {
        "tokens": {"spans": [[0, 2], [2, 7], [7, 10], [11, 13], [14, 17], [17, 21], [21, 25]]},
        "entities": {"items": [{"start": 17, "end": 21, "label": "LOC"}]},
        "codes": {"items": [{"kind": "ph", "start": 13}]}}}
    before = copy.deepcopy(side)
    r = apply_edits(side, [(2, 7, "&"), (14, 17, ""), (21, 25, "")])
    assert side == before
    assert r.side["text"] == "ผม&เธอ ไป ตลาด"
    toks = [r.side["text"][a:b] for a, b in r.side["layers"]["tokens"]["spans"]]
    assert toks == ["ผม", "&", "เธอ", "ไป", "", "ตลาด", ""]
    assert [(c.index, c.reason) for c in r.cuts] == [(4, "emptied"), (6, "emptied")]
    ent = r.side["layers"]["entities"]["items"][0]
    assert r.side["text"][ent["start"]:ent["end"]] == "ตลาด"
    assert r.side["layers"]["codes"]["items"][0]["start"] == 9


def test_replacement_inside_entity_and_sentence_tiling_valid() -> None:
    text = "请拨打13800138000。谢谢。"
    side = {"text": text, "layers": {"sentences": {"spans": [[0, 15], [15, 18]]},
                                     "entities": {"items": [{"start": 3, "end": 14, "label": "PHONE"}]}}}
    r = apply_edits(side, [(3, 14, "[电话]")])
    assert r.side["text"] == "请拨打[电话]。谢谢。"
    assert r.cuts == []
    rec = {"id": "r1", "sides": {"zh": r.side}}
    assert check_invariants(rec) == []
    e = r.side["layers"]["entities"]["items"][0]
    assert r.side["text"][e["start"]:e["end"]] == "[电话]"


def test_overlapping_edits_refused() -> None:
    with pytest.raises(InputError, match="overlaps"):
        apply_edits({"text": "abcdef"}, [(0, 3, "x"), (2, 4, "y")])
    with pytest.raises(InputError, match="outside"):
        apply_edits({"text": "abc"}, [(2, 9, "x")])


@given(st.text(alphabet="ab ก中", min_size=1, max_size=30), st.data())
def test_boundaries_outside_edits_keep_their_text(text: str, data: st.DataObject) -> None:
    n = len(text)
    cuts = sorted(data.draw(st.lists(st.integers(0, n), min_size=2, max_size=6)))
    edits = []
    for i in range(0, len(cuts) - 1, 2):
        if cuts[i] < cuts[i + 1] and (not edits or cuts[i] >= edits[-1][1]):
            edits.append((cuts[i], cuts[i + 1], data.draw(st.text(alphabet="XY", max_size=3))))
    bounds = sorted(data.draw(st.lists(st.integers(0, n), min_size=2, max_size=8)))
    spans = [[bounds[i], bounds[i + 1]] for i in range(len(bounds) - 1)]
    side = {"text": text, "layers": {"tokens": {"spans": spans}}}
    r = apply_edits(side, edits)
    cut = {c.index for c in r.cuts}
    inside = lambda o: any(s < o < e for s, e, _ in edits)  # noqa: E731
    for i, ((a, b), (na, nb)) in enumerate(zip(spans, r.side["layers"]["tokens"]["spans"])):
        assert 0 <= na <= nb <= len(r.side["text"])
        if i not in cut and not any(a <= s and e <= b for s, e, _ in edits):
            assert r.side["text"][na:nb] == text[a:b]
        if inside(a) or inside(b):
            assert i in cut
