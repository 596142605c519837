"""``lancang evaluate --layer entities``: exact and partial match, per label, micro and macro, joins."""

from __future__ import annotations

import copy
import json
import random
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

from lancang.corpora.formats import get_format
from lancang.corpora.jsonl import write_records
from lancang.errors import InputError
from lancang.quality.accuracy import evaluate_entities, join, match_entities

from .conftest import shared, write_jsonl

TEXT = "Budi tinggal di Jakarta Selatan dan bekerja di Bank Indonesia."


def at(word: str, label: str, text: str = TEXT) -> dict[str, Any]:
    s = text.index(word)
    return {"start": s, "end": s + len(word), "label": label}


def rec(rid: str, ents: list[dict[str, Any]] | None, text: str = TEXT, lang: str = "id") -> dict[str, Any]:
    side: dict[str, Any] = {"text": text}
    if ents is not None:
        side["layers"] = {"entities": {"items": ents}}
    return {"id": rid, "sides": {lang: side}}


GOLD = [at("Budi", "PER"), at("Jakarta Selatan", "LOC"), at("Bank Indonesia", "ORG")]
PRED = [at("Budi", "PER"),            # exact
        at("Jakarta", "LOC"),         # partial only: overlaps the gold LOC
        at("Bank", "LOC"),            # wrong label: matches in neither mode
        at("dan", "PER")]             # spurious


def run(pred: list[dict[str, Any]], gold: list[dict[str, Any]]) -> dict[str, Any]:
    return evaluate_entities(join(pred, gold, "entities")).to_dict()


def test_exact_partial_per_label_micro_macro_by_hand() -> None:
    o = run([rec("1", PRED)], [rec("1", GOLD)])["overall"]
    assert (o["gold"], o["pred"]) == (3, 4)
    ex, pa = o["exact"], o["partial"]
    assert ex["correct"] == 1 and pa["correct"] == 2
    assert ex["micro"] == {"precision": 0.25, "recall": pytest.approx(1 / 3, abs=1e-6),
                           "f1": pytest.approx(2 * 0.25 * (1 / 3) / (0.25 + 1 / 3), abs=1e-6)}
    assert pa["precision"] == 0.5 and pa["recall"] == pytest.approx(2 / 3, abs=1e-6)
    assert ex["labels"]["PER"] == {"gold": 1, "pred": 2, "correct": 1, "precision": 0.5, "recall": 1.0,
                                   "f1": pytest.approx(2 / 3, abs=1e-6)}
    assert ex["labels"]["LOC"]["correct"] == 0 and pa["labels"]["LOC"]["correct"] == 1
    # nothing predicted as ORG: its precision is undefined (null), never 0.0; recall and F1 are 0
    assert ex["labels"]["ORG"] == {"gold": 1, "pred": 0, "correct": 0, "precision": None, "recall": 0.0, "f1": 0.0}
    # macro: the unweighted mean over the three labels PER, LOC, ORG
    assert ex["macro"]["precision"] == pytest.approx(0.5 / 3, abs=1e-6)
    assert ex["macro"]["recall"] == pytest.approx(1 / 3, abs=1e-6)
    assert ex["macro"]["f1"] == pytest.approx((2 / 3) / 3, abs=1e-6)
    assert pa["macro"]["f1"] == pytest.approx((2 / 3 + 2 / 3) / 3, abs=1e-6)
    assert pa["macro"]["recall"] == pytest.approx(2 / 3, abs=1e-6)  # PER 1, LOC 1, ORG 0
    # micro and macro really differ here
    assert ex["micro"]["f1"] != ex["macro"]["f1"]


def test_partial_is_one_to_one_and_a_maximum_matching() -> None:
    gold = [("LOC", ((0, 10),))]
    pred = [("LOC", ((0, 4),)), ("LOC", ((5, 10),))]
    assert match_entities(pred, gold)["partial"]["LOC"] == 1  # one gold entity matches one prediction
    # x overlaps both gold entities, y only the first: taking x for the first would leave y unmatched
    gold = [("LOC", ((0, 5),)), ("LOC", ((5, 10),))]
    pred = [("LOC", ((3, 7),)), ("LOC", ((0, 2),))]
    c = match_entities(pred, gold)
    assert c["partial"]["LOC"] == 2 and c["exact"]["LOC"] == 0
    # touching spans do not overlap ([start, end) offsets)
    assert match_entities([("LOC", ((5, 8),))], [("LOC", ((0, 5),))])["partial"]["LOC"] == 0


def test_duplicates_and_fragments() -> None:
    c = match_entities([("PER", ((0, 4),)), ("PER", ((0, 4),))], [("PER", ((0, 4),))])
    assert c["exact"]["PER"] == 1 and c["pred"]["PER"] == 2
    g = {"start": 0, "end": 31, "label": "LOC", "fragments": [[0, 4], [16, 31]]}
    p_same = {"start": 0, "end": 31, "label": "LOC", "fragments": [[16, 31], [0, 4]]}
    p_one = {"start": 16, "end": 31, "label": "LOC"}
    assert run([rec("1", [p_same])], [rec("1", [g])])["overall"]["exact"]["correct"] == 1
    o = run([rec("1", [p_one])], [rec("1", [g])])["overall"]
    assert (o["exact"]["correct"], o["partial"]["correct"]) == (0, 1)


def test_missing_records_and_sides_are_reported_not_dropped() -> None:
    gold = [rec("1", GOLD), rec("2", GOLD), rec("3", GOLD)]
    pred = [rec("1", GOLD), rec("3", None), rec("4", GOLD)]
    d = run(pred, gold)
    assert d["records"] == 2 and d["overall"]["sides"] == 1 and d["overall"]["gold"] == 3
    m = d["missing"]
    assert (m["only_in_pred"], m["only_in_gold"], m["sides"]) == (1, 1, 1)
    assert m["examples"]["only_in_gold"] == ["2"] and m["examples"]["only_in_pred"] == ["4"]
    assert m["examples"]["sides"] == [{"id": "3", "side": "id", "problem": "no entities in prediction"}]
    # a side present in one file only
    two = rec("1", GOLD)
    two["sides"]["en"] = {"text": "x", "layers": {"entities": {"items": []}}}
    assert run([two], [rec("1", GOLD)])["missing"]["examples"]["sides"][0] == \
        {"id": "1", "side": "en", "problem": "side only in prediction"}


def test_differing_text_is_an_error_with_id_and_side() -> None:
    with pytest.raises(InputError, match=r"record '7', side 'id': prediction and gold texts differ at offset 0"):
        run([rec("7", GOLD, text="X" + TEXT[1:])], [rec("7", GOLD)])


def test_malformed_entity_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"record 1 \(id '1'\), side 'id': malformed entities"):
        run([rec("1", [{"start": 0, "end": 4}])], [rec("1", GOLD)])


def test_cli_text_json_and_strict(cli, tmp_path: Path) -> None:
    p = write_jsonl(tmp_path / "pred.jsonl", [rec("1", PRED), rec("9", PRED)])
    g = write_jsonl(tmp_path / "gold.jsonl", [rec("1", GOLD)])
    res = cli("evaluate", str(p), str(g), "--layer", "entities")
    assert res.exit_code == 0, res.output
    assert "exact match:" in res.stdout and "partial match:" in res.stdout
    assert "1 records only in the prediction (e.g. 9)" in res.stdout
    assert any(line.split()[:4] == ["PER", "1", "2", "1"] for line in res.stdout.splitlines())
    res = cli("evaluate", str(p), str(g), "--layer", "entities", "--format", "json")
    doc = json.loads(res.stdout)
    assert doc["metrics"] == "lancang/metrics/1" and doc["command"] == "evaluate"
    assert doc["accuracy"]["entities"]["overall"]["partial"]["correct"] == 2
    assert cli("evaluate", str(p), str(g), "--layer", "entities", "--strict").exit_code == 1
    res = cli("evaluate", str(p), str(g), "--layer", "entities", "--lexicon", str(g))
    assert res.exit_code == 2 and "does not apply" in res.stderr


# --------------------------------------------------------------------------- real gold, perturbed

def _perturb(records: list[dict[str, Any]], seed: int) -> tuple[list[dict[str, Any]], list[str]]:
    """A 'prediction': entities dropped, shifted, relabelled, invented; some records left out."""
    rnd = random.Random(seed)
    labels = sorted({e["label"] for r in records for e in r["sides"]["id"]["layers"]["entities"]["items"]})
    out = []
    gone = set(rnd.sample(range(len(records)), 3))
    dropped = [r["id"] for k, r in enumerate(records) if k in gone]
    for k, r in enumerate(records):
        if k in gone:
            continue
        r = copy.deepcopy(r)
        side = r["sides"]["id"]
        del side["layers"]["tokens"]
        n = len(side["text"])
        items = []
        for e in side["layers"]["entities"]["items"]:
            x = rnd.random()
            if x < 0.1:
                continue
            if x < 0.25:
                d = rnd.choice([-2, -1, 1, 2])
                s, t = max(0, e["start"] + d), min(n, e["end"] + d)
                if s < t:
                    e = {**e, "start": s, "end": t}
            elif x < 0.35:
                e = {**e, "label": rnd.choice([lab for lab in labels if lab != e["label"]])}
            elif x < 0.4:
                e = {**e, "end": max(e["start"] + 1, e["end"] - 3)}  # truncated: partial only
            items.append(e)
        if n > 6 and rnd.random() < 0.1:
            s = rnd.randrange(0, n - 5)
            items.append({"start": s, "end": s + 5, "label": rnd.choice(labels)})
        side["layers"]["entities"]["items"] = items
        out.append(r)
    return out, dropped


def _ents(r: dict[str, Any]) -> list[tuple[str, int, int]]:
    return [(e["label"], e["start"], e["end"]) for e in r["sides"]["id"]["layers"]["entities"]["items"]]


def _exact(p: list[tuple[str, int, int]], g: list[tuple[str, int, int]]) -> list[str]:
    """Labels of the exact matches, by merging the two sorted lists."""
    p, g = sorted(p), sorted(g)
    i = j = 0
    hits = []
    while i < len(p) and j < len(g):
        if p[i] == g[j]:
            hits.append(p[i][0])
            i += 1
            j += 1
        elif p[i] < g[j]:
            i += 1
        else:
            j += 1
    return hits


def _partial(p: list[tuple[str, int, int]], g: list[tuple[str, int, int]], lab: str) -> int:
    """The largest one-to-one pairing of overlapping spans, by exhaustive search (the groups are small)."""
    ps = [(s, e) for x, s, e in p if x == lab]
    gs = [(s, e) for x, s, e in g if x == lab]

    def best(i: int, used: frozenset[int]) -> int:
        if i == len(ps):
            return 0
        s, e = ps[i]
        return max([best(i + 1, used)] + [1 + best(i + 1, used | {j}) for j, (t, f) in enumerate(gs)
                                          if j not in used and s < f and t < e])

    return best(0, frozenset())


@pytest.mark.parametrize("seed", [3, 11])
def test_perturbed_real_gold_scores_equal_independent_counts(cli, tmp_path: Path, seed: int) -> None:
    path = shared("ner", "id_nergrit", "valid_preprocess.txt")
    gold = list(islice(get_format("conll").read(path, langs=["id"]), 150))
    pred, dropped = _perturb(gold, seed)
    write_records(tmp_path / "gold.jsonl", gold)
    write_records(tmp_path / "pred.jsonl", pred)
    res = cli("evaluate", str(tmp_path / "pred.jsonl"), str(tmp_path / "gold.jsonl"), "--layer", "entities",
              "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)["accuracy"]["entities"]

    by_id = {r["id"]: r for r in gold}
    exp: dict[str, dict[str, int]] = {}
    for r in pred:
        p, g = _ents(r), _ents(by_id[r["id"]])
        for lab in {x for x, _, _ in p + g}:
            c = exp.setdefault(lab, {"gold": 0, "pred": 0, "exact": 0, "partial": 0})
            c["gold"] += sum(x == lab for x, _, _ in g)
            c["pred"] += sum(x == lab for x, _, _ in p)
            c["exact"] += _exact(p, g).count(lab)
            c["partial"] += _partial(p, g, lab)
    o = doc["overall"]
    for mode in ("exact", "partial"):
        got = {lab: (v["gold"], v["pred"], v["correct"]) for lab, v in o[mode]["labels"].items()}
        assert got == {lab: (c["gold"], c["pred"], c[mode]) for lab, c in exp.items()}
        tc = sum(c[mode] for c in exp.values())
        tp, tg = sum(c["pred"] for c in exp.values()), sum(c["gold"] for c in exp.values())
        assert o[mode]["correct"] == tc
        assert o[mode]["micro"]["precision"] == pytest.approx(tc / tp, abs=1e-6)
        assert o[mode]["micro"]["recall"] == pytest.approx(tc / tg, abs=1e-6)
        f1s = []
        for c in exp.values():
            pp = c[mode] / c["pred"] if c["pred"] else 0.0
            rr = c[mode] / c["gold"] if c["gold"] else 0.0
            f1s.append(2 * pp * rr / (pp + rr) if pp + rr else 0.0)
        assert o[mode]["macro"]["f1"] == pytest.approx(sum(f1s) / len(f1s), abs=1e-6)
    # the perturbation really bites, and partial credit is really larger than exact
    assert 0.5 < o["exact"]["f1"] < 0.95 and o["partial"]["correct"] > o["exact"]["correct"]
    assert doc["records"] == len(pred) and doc["languages"]["id"]["sides"] == len(pred)
    assert doc["missing"]["only_in_gold"] == len(dropped) > 0
    assert doc["missing"]["examples"]["only_in_gold"] == dropped


@pytest.mark.skipif(__import__("importlib").util.find_spec("spacy") is None, reason="spaCy not installed")
def test_ner_training_with_an_undefined_dev_f1_keeps_the_first_epoch() -> None:
    """A dev set without entities on which nothing is predicted has no F1 (None, not 0.0); choosing the
    best epoch must not compare None with numbers, and the progress line shows it as -."""
    from lancang.annotators.ner import GoldStats, gold_sides, score, train

    st = GoldStats()
    sides = gold_sides(iter([rec(str(k), GOLD) for k in range(3)]), "id", st)
    dev = [("d1", "id", "", [])]  # no gold entities, and nothing can be predicted on an empty text
    nlp, history, best = train(sides, "id", dev_sides=dev, epochs=2, seed=1, batch_size=2, stats=st)
    assert [ep.dev_f1 for ep in history] == [None, None] and best == 1
    exact = history[0].dev["exact"]
    assert (exact["precision"], exact["recall"], exact["f1"]) == (None, None, None)
    # with gold entities and predictions, the dev F1 is a number again
    assert score(nlp, [("d2", "id", TEXT, GOLD)])["exact"]["recall"] is not None
