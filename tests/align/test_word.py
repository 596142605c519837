"""Word alignment: AER on real gold, symmetrisation, saved models, eflomal, bad input."""

from __future__ import annotations

import pytest

pytest.importorskip("numpy", reason='the aligners need numpy: pip install "lancang[align]"')

import importlib.util
import json

import numpy as np

from lancang.annotators.align import word_aligner
from lancang.annotators.align.symmetrize import symmetrize
from lancang.annotators.align.word import WordAligner, WordModel, _digamma
from lancang.errors import InputError, UsageError
from lancang.quality.alignment import link_scores

from ..conftest import shared
from .helpers import align_data


def gold_set(name: str):
    shared("alignment", "word_zhen150" if name == "zhen" else "word")
    return align_data.word_gold(name)


@pytest.mark.parametrize("name,limit", [("enfr", 0.32), ("roen", 0.52), ("zhen", 0.52)])
def test_aer_on_gold(name, limit):
    gold = gold_set(name)
    pairs = [(s, t) for s, t, _ in gold]
    model, links = WordAligner().train_align(pairs)
    s = link_scores(links, [g for _, _, g in gold])
    assert s["aer"] < limit, s
    # every link is inside the sentence pair, flags are S or P
    for (src, tgt), ls in zip(pairs, links):
        assert all(0 <= i < len(src) and 0 <= j < len(tgt) and f in "SP" for i, j, f in ls)
    # sure links are more precise than possible ones
    sure = link_scores([[x for x in ls if x[2] == "S"] for ls in links], [g for _, _, g in gold])
    assert sure["precision"] > s["precision"]


def test_model2_beats_model1_and_stages_work():
    gold = gold_set("enfr")
    pairs = [(s, t) for s, t, _ in gold]
    g = [x for _, _, x in gold]
    ibm1 = link_scores(WordAligner({"iterations": 0}).train_align(pairs)[1], g)["aer"]
    model, links = WordAligner().train_align(pairs)
    m2 = link_scores(links, g)["aer"]
    assert m2 < ibm1
    assert model.fwd.tension != 4.0 and 1.0 < model.fwd.tension < 20.0  # learned, not the start value
    hmm = link_scores(WordAligner({"hmm": 3}).train_align(pairs)[1], g)["aer"]
    agree = link_scores(WordAligner({"agreement": True}).train_align(pairs)[1], g)["aer"]
    assert hmm < 0.32 and agree < 0.32


def test_symmetrization_heuristics():
    fwd = {(0, 0), (1, 1), (2, 1), (3, 3)}
    rev = {(0, 0), (1, 1), (1, 2), (4, 4)}
    assert symmetrize(fwd, rev, "intersection") == [(0, 0, "S"), (1, 1, "S")]
    union = symmetrize(fwd, rev, "union")
    assert {(i, j) for i, j, _ in union} == fwd | rev
    gd = {(i, j) for i, j, _ in symmetrize(fwd, rev, "grow-diag")}
    assert gd == {(0, 0), (1, 1), (2, 1), (1, 2)}  # neighbours of the intersection
    gdfa = {(i, j) for i, j, _ in symmetrize(fwd, rev, "grow-diag-final-and")}
    assert gdfa == gd | {(3, 3), (4, 4)}  # isolated links whose both ends are free
    flags = {(i, j): f for i, j, f in symmetrize(fwd, rev)}
    assert flags[(0, 0)] == "S" and flags[(2, 1)] == "P"
    with pytest.raises(ValueError):
        symmetrize(fwd, rev, "grow")


def test_save_load_and_align_new_data(tmp_path):
    gold = gold_set("enfr")
    pairs = [(s, t) for s, t, _ in gold]
    model = WordAligner().train(pairs[:400])
    d = model.save(tmp_path / "m")
    meta = json.loads((d / "model.json").read_text())
    assert meta["format"] == "lancang-word-aligner" and meta["version"] == 1
    assert (d / "tables.npz").stat().st_size < 2_000_000
    with np.load(d / "tables.npz", allow_pickle=False) as z:  # no pickle inside
        assert set(z.files) == {"fwd_keys", "fwd_prob", "rev_keys", "rev_prob"}
    again = WordModel.load(d)
    held = pairs[400:]
    a, b = model.align(held), again.align(held)
    same = sum(x == y for x, y in zip(a, b)) / len(a)
    assert same > 0.95  # pruning tiny probabilities may change a rare tie
    s = link_scores(b, [g for _, _, g in gold[400:]])
    assert s["aer"] < 0.45  # unseen sentences, unknown words included
    assert again.align([(["zzz-unknown"], ["yyy-unknown"])])[0] in ([], [(0, 0, "S")], [(0, 0, "P")])


def test_bad_model_directory(tmp_path):
    with pytest.raises(InputError, match="not a word-alignment model"):
        WordModel.load(tmp_path)
    (tmp_path / "model.json").write_text('{"format": "other"}')
    np.savez(tmp_path / "tables.npz", x=np.zeros(1))
    with pytest.raises(InputError, match="not a lancang-word-aligner"):
        WordModel.load(tmp_path)


def test_empty_and_degenerate_pairs():
    pairs = [([], ["a"]), (["a"], []), ([], []), (["x", "y"], ["x", "y"]), (["x"], ["x"])]
    model, links = WordAligner().train_align(pairs)
    assert links[0] == links[1] == links[2] == []
    assert {(i, j) for i, j, _ in links[3]} == {(0, 0), (1, 1)}
    assert WordAligner().train_align([])[1] == []


def test_configuration_errors():
    with pytest.raises(UsageError, match="unknown configuration key 'iters'"):
        word_aligner("ibm2", {"iters": 3})
    with pytest.raises(UsageError, match="symmetrize"):
        WordAligner({"symmetrize": "grow"})
    with pytest.raises(UsageError, match="unknown word aligner"):
        word_aligner("giza")


def test_digamma():
    x = np.array([0.5, 1.0, 2.5, 10.0, 100.0])
    ref = [-1.9635100260214235, -0.5772156649015329, 0.7031566406452432, 2.251752589066721, 4.600161852738087]
    assert np.allclose(_digamma(x), ref, atol=1e-9)


NO_EFLOMAL = importlib.util.find_spec("eflomal") is None


@pytest.mark.skipif(NO_EFLOMAL, reason='eflomal not installed (pip install "lancang[eflomal]")')
def test_eflomal_backend_on_gold():
    gold = gold_set("enfr")
    pairs = [(s, t) for s, t, _ in gold]
    _, links = word_aligner("eflomal").train_align(pairs)
    s = link_scores(links, [g for _, _, g in gold])
    assert s["aer"] < 0.25, s
    # a token with a space inside (Vietnamese words) keeps the indices right; empty pairs get nothing
    _, links = word_aligner("eflomal").train_align([(["học sinh", "tốt"], ["good", "student"]), ([], ["x"])])
    assert all(i < 2 and j < 2 for i, j, _ in links[0]) and links[1] == []
