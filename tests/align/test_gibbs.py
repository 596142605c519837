"""The default word aligner: a Bayesian HMM with fertility trained by collapsed Gibbs sampling."""

from __future__ import annotations

import pytest

pytest.importorskip("numpy", reason='the aligners need numpy: pip install "lancang[align]"')
pytest.importorskip("numba", reason='the Gibbs aligner needs numba: pip install "lancang[align]"')

import json

import numpy as np

from lancang.annotators.align import gibbs, word_aligner
from lancang.annotators.align.gibbs import BayesAligner, BayesAlignerConfig, _Cells, _chain
from lancang.annotators.align.word import Vocab, WordAligner, WordModel
from lancang.annotators.base import BackendMissing
from lancang.errors import UsageError
from lancang.quality.alignment import link_scores

from ..conftest import shared
from .helpers import align_data


def gold_set(name: str):
    shared("alignment", "word_zhen150" if name == "zhen" else "word")
    return align_data.word_gold(name)


@pytest.fixture(scope="module")
def enfr():
    gold = gold_set("enfr")
    return [(s, t) for s, t, _ in gold], [g for _, _, g in gold]


@pytest.fixture(scope="module")
def enfr_trained(enfr):
    pairs, _ = enfr
    return BayesAligner().train_align(pairs)


def test_default_aligner_is_gibbs():
    assert isinstance(word_aligner(), BayesAligner)


def test_beats_ibm2_on_real_gold(enfr, enfr_trained):
    pairs, g = enfr
    _, links = enfr_trained
    ours = link_scores(links, g)
    ibm2 = link_scores(WordAligner().train_align(pairs)[1], g)
    # measured 0.167-0.170 on this set (eflomal 0.178, ibm2 0.287): see docs/benchmarks.md
    assert ours["aer"] < 0.21, ours
    assert ours["aer"] < ibm2["aer"] - 0.05
    for (s, t), ls in zip(pairs, links):
        assert all(0 <= i < len(s) and 0 <= j < len(t) and f in "SP" for i, j, f in ls)


@pytest.mark.parametrize("name,limit", [("roen", 0.42), ("zhen", 0.40)])
def test_other_gold_sets(name, limit):
    gold = gold_set(name)
    _, links = BayesAligner().train_align([(s, t) for s, t, _ in gold])
    assert link_scores(links, [x for _, _, x in gold])["aer"] < limit


def test_same_seed_same_links_other_seed_other_sample(enfr):
    pairs, _ = enfr
    few = pairs[:120]
    a = BayesAligner({"seed": 5, "threads": 1}).train_align(few)[1]
    b = BayesAligner({"seed": 5, "threads": 2}).train_align(few)[1]
    c = BayesAligner({"seed": 6}).train_align(few)[1]
    assert a == b  # the result does not depend on how many threads ran the chains
    assert a != c


def test_sampler_keeps_its_counts_consistent(enfr):
    """After the sweeps, the counts are exactly those of the final alignment (nothing leaked)."""
    pairs, _ = enfr
    sv, tv = Vocab(), Vocab()
    es = [sv.encode([w.lower() for w in s], True) for s, _ in pairs[:150]]
    fs = [tv.encode([w.lower() for w in t], True) for _, t in pairs[:150]]
    cells = _Cells(es, fs, len(tv))
    cfg = BayesAlignerConfig.from_config({"ibm1": 2, "hmm": 3, "fertility": 4})
    res = _chain(cells, cells.em_posteriors(cfg.em), len(tv), len(sv), cfg, 3)
    tokens = sum(len(f) for f in fs)
    assert res.c.sum() == tokens and res.ce.sum() == tokens
    assert res.cn.sum() == tokens
    assert res.cj.sum() == res.cn[1]  # one jump into every non-NULL token
    assert np.all(res.c >= 0) and np.all(res.cj >= 0)
    # the marginals of the last stage's second half: each target token's row sums to the sweeps counted
    per_row = res.marg.sum() / tokens
    assert per_row == pytest.approx(4 - 4 // 2)


def test_save_load_and_align_new_data(tmp_path, enfr):
    pairs, g = enfr
    model, _ = BayesAligner().train_align(pairs[:400])
    d = model.save(tmp_path / "m")
    meta = json.loads((d / "model.json").read_text())
    assert meta["aligner"] == "gibbs" and meta["config"]["alpha_lex"] == 0.001
    with np.load(d / "tables.npz", allow_pickle=False) as z:
        assert {"fwd_jumps", "rev_jumps"} <= set(z.files)
    again = WordModel.load(d)
    assert isinstance(again.config, BayesAlignerConfig)
    held = pairs[400:]
    a, b = model.align(held), again.align(held)
    assert a == b
    s = link_scores(b, g[400:])
    assert s["aer"] < 0.35, s  # unseen sentences, HMM decoding of the posterior-mean parameters


def test_empty_identical_and_degenerate_pairs():
    pairs = [([], ["a"]), (["a"], []), ([], []), (["x", "y", "z"], ["x", "y", "z"]), (["x"], ["x"])]
    _, links = BayesAligner().train_align(pairs)
    assert links[0] == links[1] == links[2] == []
    assert {(i, j) for i, j, _ in links[3]} == {(0, 0), (1, 1), (2, 2)}
    assert BayesAligner().train_align([])[1] == []


def test_one_side_ten_times_longer(enfr):
    pairs, _ = enfr
    long = [(s, t * 10) for s, t in pairs[:50]]
    _, links = BayesAligner({"threads": 1}).train_align(long)
    assert all(0 <= j < len(t) for (_, t), ls in zip(long, links) for _, j, _ in ls)


def test_configuration_errors():
    with pytest.raises(UsageError, match="unknown configuration key 'sweeps'"):
        word_aligner("gibbs", {"sweeps": 3})
    with pytest.raises(UsageError, match="null_prior"):
        BayesAligner({"null_prior": 1.5})
    with pytest.raises(UsageError, match="alpha_lex must be positive"):
        BayesAligner({"alpha_lex": 0})
    with pytest.raises(UsageError, match="automatic"):
        BayesAligner({"hmm": -3})
    assert BayesAlignerConfig().sweeps(100) == (0, 0, 100)
    assert BayesAlignerConfig(hmm=-1).sweeps(100) == (0, 50, 100)
    assert BayesAlignerConfig().sweeps(10_000_000) == (0, 0, 4)


def test_missing_numba_says_what_to_install(monkeypatch):
    monkeypatch.setattr(gibbs, "numba", None)
    with pytest.raises(BackendMissing, match=r'pip install "lancang\[align\]"'):
        BayesAligner().train_align([(["a"], ["b"])])


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_kernel_conditional_matches_the_textbook_formula(enfr, seed):
    """The first draw of a sweep uses the conditional of the first token given every other one: the
    kernel's (shortcut) arithmetic must give the same distribution as the model written out."""
    pairs, _ = enfr
    rnd = np.random.default_rng(seed)
    pick = rnd.choice(len(pairs), 60, replace=False)
    sub = [pairs[k] for k in pick]
    sv, tv = Vocab(), Vocab()
    es = [sv.encode([w.lower() for w in s], True) for s, _ in sub]
    fs = [tv.encode([w.lower() for w in t], True) for _, t in sub]
    cells = _Cells(es, fs, len(tv))
    cfg = BayesAlignerConfig.from_config({"max_jump": 3, "max_fertility": 2})  # clipping and capping used
    sweep, jump_counts, fertility_counts, _ = gibbs._kernels()
    ve, vf = len(sv), len(tv)
    a = gibbs._start(cells, cells.em_posteriors(cfg.em), rnd)
    cell_of = cells.row_start + a
    c = np.bincount(cells.pidx[cell_of], minlength=len(cells.keys)).astype(float)
    ce = np.bincount(cells.pe, weights=c, minlength=ve + 2)
    cn = np.array([float((a == 0).sum()), float((a != 0).sum())])
    cj = np.zeros(2 * cfg.max_jump + 1)
    jump_counts(a, cells.foff, cells.jlen, cj, cfg.max_jump)
    fert = np.zeros(int(cells.ilen.sum()), np.int64)
    cf = np.zeros((ve + 2, cfg.max_fertility + 1))
    fertility_counts(a, cells.pidx, cells.pe, cells.coff, cells.foff, cells.eoff, cells.ilen, cells.jlen, fert, cf)
    # the reference: remove token 0 of sentence 0 from copies of the counts
    n, m = len(es[0]), len(fs[0])
    e_ext = [0] + [int(x) + 1 for x in es[0]]
    key = {k: idx for idx, k in enumerate(cells.keys.tolist())}
    pair = [key[e * (vf + 1) + int(fs[0][0])] for e in e_ext]
    D = cfg.max_jump
    b = lambda d: max(-D, min(D, d)) + D  # noqa: E731
    old = int(a[0])
    nxt = next((int(x) - 1 for x in a[1:m] if x != 0), None)
    rc, rce, rcn, rcj, rcf = c.copy(), ce.copy(), cn.copy(), cj.copy(), cf.copy()
    rc[pair[old]] -= 1
    rce[e_ext[old]] -= 1
    rcn[0 if old == 0 else 1] -= 1
    if old:
        rcj[b(old - 1 + 1)] -= 1
        if nxt is not None:
            rcj[b(nxt - (old - 1))] -= 1
        phi = int(fert[old - 1])
        rcf[e_ext[old], min(phi, 2)] -= 1
        rcf[e_ext[old], min(phi - 1, 2)] += 1
    elif nxt is not None:
        rcj[b(nxt + 1)] -= 1
    fert_now = fert[:n].copy()
    if old:
        fert_now[old - 1] -= 1
    J = lambda d: (rcj[b(d)] + cfg.alpha_jump) / (rcj.sum() + cfg.alpha_jump * (2 * D + 1))  # noqa: E731
    p_null = (rcn[0] + 0.4) / (rcn.sum() + 2.0)  # Beta(2 * 0.2, 2 * 0.8)
    ref = []
    for i in range(n + 1):
        lex = (rc[pair[i]] + cfg.alpha_lex) / (rce[e_ext[i]] + cfg.alpha_lex * vf)
        if i == 0:
            ref.append(lex * p_null * (J(nxt + 1) if nxt is not None else 1.0))
            continue
        p = lex * (1 - p_null) * J(i - 1 + 1) * (J(nxt - (i - 1)) if nxt is not None else 1.0)
        phi = int(fert_now[i - 1])
        if phi < 2:
            # this position's own count sits at phi in rcf (the removal above already moved it)
            p *= (rcf[e_ext[i], phi + 1] + cfg.alpha_fertility) / (rcf[e_ext[i], phi] - 1 + cfg.alpha_fertility)
        ref.append(p)
    ref = np.array(ref) / sum(ref)
    marg = np.zeros(len(cells.pidx))
    sweep(cells.pidx, cells.pe, cells.coff, cells.foff, cells.eoff, cells.ilen, cells.jlen, a, c, ce, cj, cn, fert,
          cf, marg, 1, True, True, 0, cfg.alpha_lex, cfg.alpha_lex * vf, cfg.alpha_jump, 0.4, 1.6, D, 0.2,
          cfg.alpha_fertility)
    assert np.allclose(marg[:n + 1], ref, rtol=1e-9, atol=1e-12)


def test_over_the_memory_budget_trains_on_a_sample_and_decodes_the_rest(enfr):
    pairs, g = enfr
    from lancang.annotators.align.gibbs import TrainingSample, pair_cells

    total = sum(pair_cells(s, t) for s, t in pairs)
    budget = total // 4
    sample = BayesAligner({"max_cells": budget}).sample(pairs)
    assert not sample.complete and sample.seen == len(pairs)
    assert 0.15 * len(pairs) < len(sample.pairs) < 0.4 * len(pairs)
    assert sum(pair_cells(s, t) for s, t in sample.pairs) < 1.3 * budget
    # not just the first pairs: the reservoir reaches the end of the input
    assert any(p is pairs[-k] for k in range(1, 120) for p in sample.pairs)
    model, links = BayesAligner({"max_cells": budget}).train_align(pairs)
    assert len(links) == len(pairs)
    assert link_scores(links, g)["aer"] < 0.33
    again = BayesAligner({"max_cells": budget}).train_align(pairs)[1]
    assert again == links  # the sample is seeded
    small = TrainingSample(1, 0)
    small.add((["a"], ["b"]))  # one pair over the budget is still trained on
    assert small.complete and len(small.pairs) == 1


def test_cli_streams_past_the_budget(cli, tmp_path, enfr):
    from ..conftest import write_jsonl
    from .helpers import side

    pairs, _ = enfr
    recs = [{"id": f"p{k}", "sides": {"en": side(s), "fr": side(t)}} for k, (s, t) in enumerate(pairs)]
    src = write_jsonl(tmp_path / "pairs.jsonl", recs)
    out = tmp_path / "links.jsonl"
    res = cli("align", str(src), str(out), "--words", "--set", "max_cells=50000", "--save-model", str(tmp_path / "m"))
    assert res.exit_code == 0, res.stderr
    assert sum(1 for _ in out.open()) == len(pairs)
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    assert meta["info"]["sampled"]["of"] == len(pairs) and meta["info"]["sampled"]["pairs"] < len(pairs)
