"""The one scoring core: P/R/F1/AER with None for undefined values, and the one join of record streams."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import orjson
import pytest

from lancang.corpora.formats import read_items
from lancang.corpora.jsonl import Parsed, Problem
from lancang.errors import InputError, UsageError
from lancang.quality.agreement import agree
from lancang.quality.evaluate import evaluate_files
from lancang.quality.join import Missing, id_order, join_records
from lancang.quality.scores import aer, harmonic, mean, prf, shown
from lancang.schemas import load_schema
from lancang.schemas.validator import SchemaEngine

from ..conftest import write_jsonl

# ---------------------------------------------------------------------------------------------- scores


def test_prf_by_hand_and_undefined_values_are_none() -> None:
    assert prf(2, 4, 5) == (0.5, 0.4, pytest.approx(2 * 0.5 * 0.4 / 0.9))
    assert prf(0, 0, 3) == (None, 0.0, 0.0)  # nothing predicted: no precision, nothing found
    assert prf(0, 3, 0) == (0.0, None, 0.0)  # no gold: no recall, every prediction wrong
    assert prf(0, 0, 0) == (None, None, None)  # nothing on either side: nothing is defined
    assert prf(0, 2, 2).f1 == 0.0


def test_aer_harmonic_mean_and_shown() -> None:
    assert aer(hyp=3, sure=2, hyp_and_sure=2, hyp_and_possible=2) == pytest.approx(0.2)
    assert aer(0, 0, 0, 0) is None and aer(0, 2, 0, 0) == 1.0
    assert harmonic(0.5, 1.0) == pytest.approx(2 / 3) and harmonic(None, 0.0) == 0.0 and harmonic(None, 0.4) is None
    assert mean([None, 1.0, 0.5]) == 0.75 and mean([None, 1.0], undefined_as=0.0) == 0.5 and mean([None]) is None
    assert shown(None) == "-" and shown(0.25) == "0.2500"


def _link_record(rid: str, pairs: list[list]) -> dict:
    return {"id": rid, "sides": {"zh": {"text": "甲乙", "layers": {"tokens": {"spans": [[0, 1], [1, 2]]}}},
                                 "en": {"text": "a b", "layers": {"tokens": {"spans": [[0, 1], [2, 3]]}}}},
            "links": [{"kind": "tokens", "src": "zh", "tgt": "en", "pairs": pairs}]}


def test_an_aer_maximum_does_not_pass_on_empty_links(tmp_path: Path) -> None:
    """The bug this core fixes: AER was 0.0 on data without links, so `maximum: 0.3` passed."""
    pred = write_jsonl(tmp_path / "pred.jsonl", [_link_record("a", [])])
    gold = write_jsonl(tmp_path / "gold.jsonl", [_link_record("a", [])])
    doc, _missing = evaluate_files(str(pred), str(gold), layer="links")
    links = doc["accuracy"]["links"]
    assert links["aer"] is None and links["precision"] is None and links["recall"] is None and links["f1"] is None
    assert b'"aer":null' in orjson.dumps(doc)
    assert SchemaEngine(load_schema("metrics")).is_valid(doc)
    requirement = {"type": "object", "required": ["accuracy"], "properties": {"accuracy": {
        "type": "object", "properties": {"links": {"type": "object", "required": ["aer"], "properties": {
            "aer": {"type": "number", "maximum": 0.3}}}}}}}
    assert not SchemaEngine(requirement).is_valid(doc)
    # with links, the same requirement passes or fails on the number
    pred = write_jsonl(tmp_path / "pred.jsonl", [_link_record("a", [[0, 0, "S"], [1, 1, "S"]])])
    gold = write_jsonl(tmp_path / "gold.jsonl", [_link_record("a", [[0, 0, "S"], [1, 1, "S"]])])
    doc, _missing = evaluate_files(str(pred), str(gold), layer="links")
    assert doc["accuracy"]["links"]["aer"] == 0.0 and SchemaEngine(requirement).is_valid(doc)


def test_undefined_token_scores_are_null_and_shown_as_dash(cli, tmp_path: Path) -> None:
    rec = {"id": "a", "sides": {"zh": {"text": "中国", "layers": {"tokens": {"spans": []}}}}}
    p = write_jsonl(tmp_path / "p.jsonl", [rec])
    res = cli("evaluate", str(p), str(p), "--format", "json")
    assert res.exit_code == 0, res.output
    o = orjson.loads(res.stdout)["accuracy"]["tokens"]["overall"]
    assert (o["precision"], o["recall"], o["f1"]) == (None, None, None)
    row = cli("evaluate", str(p), str(p)).stdout.splitlines()[-1]
    assert row.split()[-3:] == ["-", "-", "-"], row


# ------------------------------------------------------------------------------------------------ join


def recs(*ids: str) -> list[dict]:
    return [{"id": i, "n": k} for k, i in enumerate(ids)]


def test_same_order_is_zipped_without_spilling(tmp_path: Path) -> None:
    a, b, c = recs("x", "y", "z"), recs("x", "y", "z"), recs("x", "y", "z")
    seen = []
    for g in join_records([a, b, c], ["a", "b", "c"], spill_dir=str(tmp_path)):
        seen.append((g.id, g.complete, g.where))
        assert not list(tmp_path.iterdir())  # nothing on disk while the orders agree
    assert seen == [("x", True, ("a record 1", "b record 1", "c record 1")),
                    ("y", True, ("a record 2", "b record 2", "c record 2")),
                    ("z", True, ("a record 3", "b record 3", "c record 3"))]


def test_different_orders_spill_to_disk_and_report_one_sided_records(tmp_path: Path) -> None:
    a = recs("r1", "r2", "r3", "r4")
    b = recs("r1", "r4", "r2", "r9")
    c = recs("r1", "r3", "r2", "r4")
    groups = []
    for g in join_records([a, b, c], ["a", "b", "c"], spill_dir=str(tmp_path)):
        groups.append(g)
        if g.id != "r1":  # after the first difference the rest is joined in a temporary SQLite file
            assert [p.suffix for p in tmp_path.iterdir()] == [".sqlite"]
    assert not list(tmp_path.iterdir())  # and removed afterwards
    assert [g.id for g in groups] == ["r1", "r2", "r3", "r4", "r9"]
    by_id = {g.id: g for g in groups}
    assert [r is not None for r in by_id["r3"].records] == [True, False, True]
    assert by_id["r3"].where == ("a record 3", None, "c record 2")
    assert [r is not None for r in by_id["r9"].records] == [False, True, False]
    assert by_id["r4"].records[1] == {"id": "r4", "n": 1}


@pytest.mark.parametrize("a, b", [
    (recs("x", "y", "x"), recs("x", "y", "x")),          # both in the zipped part
    (recs("x", "y", "z", "x"), recs("z", "y", "x", "x")),  # both after the spill
    (recs("x", "y", "x"), recs("x", "z", "y")),          # one before and one after
])
def test_duplicate_ids_are_located_errors(a: list, b: list) -> None:
    with pytest.raises(InputError, match=r"^a record \d: duplicate record id 'x' \(first at a record 1\)$"):
        list(join_records([a, b], ["a", "b"]))


def test_duplicates_past_the_in_memory_index_are_found_on_disk(tmp_path: Path) -> None:
    n = 50_001  # more ids than DuplicateIndex keeps in memory
    a = [{"id": f"r{k}"} for k in range(n)] + [{"id": "r7"}]
    b = list(reversed(a[:-1]))
    with pytest.raises(InputError, match=rf"^a record {n + 1}: duplicate record id 'r7' \(first at a record 8\)$"):
        list(join_records([a, b], ["a", "b"], spill_dir=str(tmp_path)))
    assert not list(tmp_path.iterdir())


def test_located_items_keep_lines_and_bad_input_is_an_error(tmp_path: Path) -> None:
    f = tmp_path / "a.jsonl"
    f.write_text('{"id": "x"}\n\n{"id": "y"}\n', encoding="utf-8")
    g = tmp_path / "b.jsonl"
    g.write_text('{"id": "y"}\n{"id": "x"}\n', encoding="utf-8")
    got = {grp.id: grp.where for grp in join_records([read_items(f), read_items(g)], [str(f), str(g)])}
    assert got == {"x": (f"{f}:1", f"{g}:2"), "y": (f"{f}:3", f"{g}:1")}
    with pytest.raises(InputError, match=r"^b:4: broken$"):
        list(join_records([[Parsed(1, {"id": "x"})], [Problem(4, "json-malformed", "broken")]], ["a", "b"]))
    with pytest.raises(InputError, match=r"^b record 2: the record has no string id$"):
        list(join_records([recs("x", "y"), [{"id": "x"}, {"id": 3}]], ["a", "b"]))
    with pytest.raises(InputError, match=r"^a:2: an array is not a record$"):
        list(join_records([[Parsed(2, [1])], recs("x")], ["a", "b"]))
    with pytest.raises(UsageError, match="at least two"):
        list(join_records([recs("x")], ["a"]))


def test_missing_lists_the_first_ids_whatever_the_order() -> None:
    ids = [f"s{k}" for k in range(1, 30)]
    lists = []
    for seed in range(3):
        random.Random(seed).shuffle(ids)
        m = Missing()
        for i in ids:
            m.add(i, limit=4)
        lists.append((m.count, m.ids))
    assert lists == [(29, ["s1", "s2", "s3", "s4"])] * 3
    assert sorted(["b10", "b9", "a"], key=id_order) == ["a", "b9", "b10"]


# ------------------------------------------------------------------------------- reordered gold files


def _corpus(n: int, seed: int, noise: float) -> list[dict]:
    """Records with every layer evaluate scores; ``noise`` perturbs them (the same text either way)."""
    out = []
    for k in range(n):
        base, rnd = random.Random(k), random.Random(f"{seed}-{k}")  # base: what gold and prediction share
        text = "".join(base.choice("甲乙丙丁戊己庚辛") for _ in range(12))
        cuts = sorted(base.sample(range(1, 12), 5))
        if rnd.random() < noise:
            cuts = sorted(set(cuts[1:]) | {rnd.randrange(1, 12)})
        bounds = [0, *cuts, 12]
        tokens = [[a, b] for a, b in itertools.pairwise(bounds)]
        sents = [[0, 6], [6, 12]] if rnd.random() > noise else [[0, 12]]
        labels = ["PER", "LOC", "ORG"]
        ents = [{"start": a, "end": b, "label": labels[(k + j) % 3]} for j, (a, b) in enumerate(tokens[::2])]
        if rnd.random() < noise:
            ents = ents[1:] + [{"start": 0, "end": 2, "label": rnd.choice(labels)}]
        en, en_tokens = "w w w w w w", [[2 * j, 2 * j + 1] for j in range(6)]
        pairs = [[j, j, "S" if j % 3 else "P"] for j in range(min(len(tokens), 6))]
        beads = [{"src": [0], "tgt": [0]}, {"src": [1], "tgt": [1]}]
        if rnd.random() < noise:
            pairs = pairs[1:] + [[0, 1, "S"]]
            beads = [{"src": [0, 1], "tgt": [0, 1]}]
        out.append({"id": f"r{k}", "sides": {
            "zh": {"text": text, "layers": {"tokens": {"spans": tokens}, "sentences": {"spans": sents},
                                            "entities": {"items": ents}}},
            "en": {"text": en, "layers": {"tokens": {"spans": en_tokens}}}},
            "links": [{"kind": "beads", "src": "zh", "tgt": "en", "beads": beads},
                      {"kind": "tokens", "src": "zh", "tgt": "en", "pairs": pairs}]})
    return out


@pytest.mark.parametrize("layer", ["tokens", "sentences", "entities", "beads", "links"])
def test_a_reordered_gold_file_gives_the_same_metrics(tmp_path: Path, layer: str) -> None:
    gold = _corpus(40, 1, 0.0)
    pred = _corpus(40, 1, 0.4)  # the same texts, perturbed layers
    if layer not in ("beads", "links"):  # records on one side only are reported (beads/links refuse them)
        pred, gold = pred[:-3], gold[2:]
    shuffled = gold[:]
    random.Random(7).shuffle(shuffled)
    assert [r["id"] for r in shuffled] != [r["id"] for r in gold]
    p = write_jsonl(tmp_path / "pred.jsonl", pred)
    g1 = write_jsonl(tmp_path / "gold.jsonl", gold)
    g2 = write_jsonl(tmp_path / "shuffled.jsonl", shuffled)
    docs = []
    for g in (g1, g2):
        doc, missing = evaluate_files(str(p), str(g), layer=layer)
        docs.append(({k: v for k, v in doc.items() if k not in ("created", "inputs")}, missing))
    assert docs[0] == docs[1]
    scores = docs[0][0]["accuracy"][layer]
    if layer in ("beads", "links"):
        f1 = scores["f1_strict" if layer == "beads" else "f1"]
    else:
        f1 = scores["overall"]["exact"]["f1"] if layer == "entities" else scores["overall"]["f1"]
        assert scores["missing"]["only_in_pred"] == 2 and scores["missing"]["only_in_gold"] == 3
        sides = 0 if layer == "tokens" else 35  # the English sides have no sentences nor entities
        assert scores["missing"]["sides"] == sides and docs[0][1] == 5 + sides
    assert 0.3 < f1 < 1.0  # the perturbation bites, and the scores are real


def test_a_reordered_annotation_file_gives_the_same_agreement(tmp_path: Path) -> None:
    a = _corpus(30, 2, 0.0)
    b = _corpus(30, 2, 0.5)
    for r in a + b:
        del r["links"][0]  # agreement compares word links, not beads
    shuffled = b[:]
    random.Random(3).shuffle(shuffled)
    fa = write_jsonl(tmp_path / "a.jsonl", a)
    docs = []
    for name, recs_b in (("b.jsonl", b), ("b-shuffled.jsonl", shuffled)):
        fb = write_jsonl(tmp_path / name, recs_b)
        doc = agree([fa, fb], names=["a", "b"])
        for x in doc["annotators"]:
            x.pop("file")
        docs.append(doc)
    assert docs[0] == docs[1]
    assert docs[0]["records"] == 30 and docs[0]["kappa"] is not None and docs[0]["aer"] is not None
