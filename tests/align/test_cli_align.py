"""`lancang align` end to end through click: outputs validate, bad input gets one clear line."""

from __future__ import annotations

import pytest

pytest.importorskip("numpy", reason='the aligners need numpy: pip install "lancang[align]"')

import random

import orjson

from lancang.schemas.validator import RecordValidator

from ..conftest import shared, write_jsonl
from .helpers import align_data, doc_side, side


def read(path):
    return [orjson.loads(x) for x in path.read_bytes().splitlines()]


def pud_docs(tmp_path, n=40):
    shared("parallel", "pud")
    docs = align_data.pud_documents("zh", "en")[:n]
    rnd = random.Random(4)
    recs, golds = [], []
    for k, (x, y) in enumerate(docs):
        xs, ys, gold = align_data.perturb(x, y, rnd, ("zh", "en"))
        recs.append({"id": f"doc{k}", "sides": {"zh-Hant": doc_side(xs, ""), "en": doc_side(ys)}})
        golds.append(gold)
    return write_jsonl(tmp_path / "docs.jsonl", recs), golds


def test_sentences_end_to_end(cli, tmp_path):
    src, golds = pud_docs(tmp_path)
    out = tmp_path / "out.jsonl"
    res = cli("align", str(src), str(out), "--sentences")
    assert res.exit_code == 0, res.stderr
    assert "40 records" in res.stderr
    recs = read(out)
    v = RecordValidator()
    for r in recs:
        assert v.check(r) == []
    from lancang.quality.alignment import bead_scores

    test = [[(b["src"], b["tgt"]) for b in r["links"][0]["beads"]] for r in recs]
    assert bead_scores(test, golds)["f1_strict"] > 0.85
    link = recs[0]["links"][0]
    assert link["src"] == "zh-Hant" and link["provenance"]["tool"]["name"] == "lancang.align.lancang"
    assert all(0 <= b["score"] <= 1 for r in recs for b in r["links"][0]["beads"])
    # again: a beads link exists already
    res = cli("align", str(out), str(tmp_path / "o2.jsonl"), "--sentences")
    assert res.exit_code == 2 and "already has a beads link" in res.stderr and "--replace" in res.stderr
    assert cli("align", str(out), str(tmp_path / "o2.jsonl"), "--sentences", "--replace").exit_code == 0
    # the plain baseline through the registry, with stdin and stdout
    res = cli("align", "-", "-", "--sentences", "--aligner", "gale-church", input=src.read_bytes())
    assert res.exit_code == 0 and len(res.stdout.splitlines()) == 40


def test_sentences_missing_layer_and_split(cli, tmp_path):
    rec = {"id": "r1", "sides": {"zh-Hans": {"text": "我有一本书。他在2019年去了北京。"},
                                 "en": {"text": "I have a book. He went to Beijing in 2019."}}}
    src = write_jsonl(tmp_path / "in.jsonl", [rec])
    out = tmp_path / "out.jsonl"
    res = cli("align", str(src), str(out), "--sentences")
    assert res.exit_code == 2
    assert "in.jsonl:1: record 'r1': side 'zh-Hans' has no sentences layer" in res.stderr
    assert "lancang annotate --layers sentences" in res.stderr and "Traceback" not in res.stderr
    assert not out.exists()
    res = cli("align", str(src), str(out), "--sentences", "--split")
    assert res.exit_code == 0, res.stderr
    (r,) = read(out)
    assert RecordValidator().check(r) == []
    assert r["sides"]["zh-Hans"]["layers"]["sentences"]["spans"] == [[0, 6], [6, 18]]
    assert [(b["src"], b["tgt"]) for b in r["links"][0]["beads"]] == [([0], [0]), ([1], [1])]


def test_usage_errors(cli, tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "r", "sides": {"a": {"text": "x"}, "b": {"text": "y"},
                                                                    "c": {"text": "z"}}}])
    res = cli("align", str(src), str(tmp_path / "o.jsonl"))
    assert res.exit_code == 2 and "choose --sentences" in res.stderr
    res = cli("align", str(src), str(tmp_path / "o.jsonl"), "--sentences", "--split")
    assert res.exit_code == 2 and "has 3 sides" in res.stderr and "--src" in res.stderr
    res = cli("align", str(src), str(tmp_path / "o.jsonl"), "--sentences", "--set", "bandwidth=3")
    assert res.exit_code == 2 and "unknown configuration key 'bandwidth'" in res.stderr
    res = cli("align", str(tmp_path / "missing.jsonl"), str(tmp_path / "o.jsonl"), "--words")
    assert res.exit_code == 2 and "no such file" in res.stderr
    res = cli("align", str(src), str(tmp_path / "o.jsonl"), "--words", "--src", "a", "--tgt", "x")
    assert res.exit_code == 2 and "has no side 'x'" in res.stderr


def test_words_end_to_end_save_and_reuse_model(cli, tmp_path):
    shared("alignment", "word")
    gold = align_data.word_gold("enfr")
    recs = [{"id": f"p{k}", "sides": {"en": side(s), "fr": side(t)}} for k, (s, t, _) in enumerate(gold)]
    src = write_jsonl(tmp_path / "pairs.jsonl", recs)
    out = tmp_path / "links.jsonl"
    res = cli("align", str(src), str(out), "--words", "--save-model", str(tmp_path / "m"))
    assert res.exit_code == 0, res.stderr
    got = read(out)
    v = RecordValidator()
    assert all(v.check(r) == [] for r in got)
    from lancang.quality.alignment import evaluate_records

    gold_recs = [{"id": r["id"], "links": [{"kind": "tokens", "src": "en", "tgt": "fr",
                                             "pairs": [list(x) for x in g]}]} for r, (_, _, g) in zip(recs, gold)]
    assert evaluate_records(got, gold_recs, "links")["aer"] < 0.32
    res = cli("align", str(src), str(tmp_path / "again.jsonl"), "--words", "--model", str(tmp_path / "m"),
              "--symmetrize", "intersection")
    assert res.exit_code == 0
    again = read(tmp_path / "again.jsonl")
    assert all(p[2] == "S" for r in again for p in r["links"][0]["pairs"])
    res = cli("align", str(src), str(tmp_path / "x.jsonl"), "--words", "--model", str(tmp_path / "nope"))
    assert res.exit_code == 2 and "not a word-alignment model directory" in res.stderr


def test_words_missing_tokens(cli, tmp_path):
    rec = {"id": "r9", "sides": {"zh-Hans": side(["我", "爱", "你"], ""), "en": {"text": "I love you"}}}
    src = write_jsonl(tmp_path / "in.jsonl", [rec])
    res = cli("align", str(src), str(tmp_path / "o.jsonl"), "--words")
    assert res.exit_code == 2
    assert "in.jsonl:1: record 'r9': side 'en' has no tokens layer" in res.stderr
    assert "lancang annotate --layers tokens" in res.stderr


def test_words_within_beads(cli, tmp_path):
    # two sentences a side, aligned crosswise by the beads link: tokens are aligned inside beads only
    zh = {"text": "猫 睡觉 。 狗 跑 。", "layers": {
        "sentences": {"spans": [[0, 6], [7, 12]]},
        "tokens": {"spans": [[0, 1], [2, 4], [5, 6], [7, 8], [9, 10], [11, 12]]}}}
    en = {"text": "dog runs . cat sleeps .", "layers": {
        "sentences": {"spans": [[0, 10], [11, 23]]},
        "tokens": {"spans": [[0, 3], [4, 8], [9, 10], [11, 14], [15, 21], [22, 23]]}}}
    rec = {"id": "b1", "sides": {"zh": zh, "en": en}, "links": [
        {"kind": "beads", "src": "zh", "tgt": "en", "beads": [{"src": [0], "tgt": [1]}, {"src": [1], "tgt": [0]}]}]}
    src = write_jsonl(tmp_path / "in.jsonl", [rec] * 3)
    out = tmp_path / "o.jsonl"
    res = cli("align", str(src), str(out), "--words")
    assert res.exit_code == 0, res.stderr
    r = read(out)[0]
    assert RecordValidator().check(r) == []
    pairs = r["links"][1]["pairs"]
    assert pairs and all((i < 3) == (j >= 3) for i, j, _ in pairs)  # never across beads


def test_eflomal_through_cli(cli, tmp_path):
    import importlib.util

    if importlib.util.find_spec("eflomal") is None:
        pytest.skip('eflomal not installed (pip install "lancang[eflomal]")')
    recs = [{"id": f"p{k}", "sides": {"en": side(["the", "cat", str(k)]), "fr": side(["le", "chat", str(k)])}}
            for k in range(30)]
    src = write_jsonl(tmp_path / "in.jsonl", recs)
    res = cli("align", str(src), str(tmp_path / "o.jsonl"), "--words", "--aligner", "eflomal")
    assert res.exit_code == 0, res.stderr
    r = read(tmp_path / "o.jsonl")[0]
    assert r["links"][0]["provenance"]["tool"]["name"] == "eflomal"
    assert [2, 2, "S"] in r["links"][0]["pairs"]
    res = cli("align", str(src), str(tmp_path / "o.jsonl"), "--words", "--aligner", "eflomal", "--model", "x")
    assert res.exit_code == 2 and "ibm2" in res.stderr
