"""``lancang evaluate`` and lancang.quality.accuracy: SIGHAN-style scores, joins, missing records."""

from __future__ import annotations

import copy
from pathlib import Path

import orjson
import pytest

from lancang.annotators.gold import read_segmentation
from lancang.annotators.lexicon import Lexicon
from lancang.corpora.jsonl import write_records
from lancang.errors import InputError
from lancang.quality.accuracy import evaluate, join, score_spans

from .annotators.helpers import needs
from .conftest import shared, write_jsonl


def side(text: str, spans: list[list[int]] | None, layer: str = "tokens") -> dict:
    d: dict = {"text": text}
    if spans is not None:
        d["layers"] = {layer: {"spans": spans}}
    return d


def test_sighan_word_score_by_hand() -> None:
    # gold 中国|人民|银行 ; pred 中国人民|银行 : one of two predicted words right, one of three gold words
    s = score_spans([(0, 4), (4, 6)], [(0, 2), (2, 4), (4, 6)])
    assert (s.gold, s.pred, s.correct) == (3, 2, 1)
    assert s.precision == pytest.approx(1 / 2) and s.recall == pytest.approx(1 / 3)
    assert s.f1 == pytest.approx(2 * (1 / 2) * (1 / 3) / (1 / 2 + 1 / 3))


def test_oov_and_iv_recall() -> None:
    text = "中国人民银行"
    s = score_spans([(0, 2), (2, 4), (4, 6)], [(0, 2), (2, 4), (4, 6)], text, {"中国", "银行"})
    assert (s.oov_gold, s.oov_correct, s.oov_recall, s.iv_recall) == (1, 1, 1.0, 1.0)
    s = score_spans([(0, 2), (2, 6)], [(0, 2), (2, 4), (4, 6)], text, {"中国", "银行"})
    assert s.oov_recall == 0.0 and s.iv_recall == 0.5


def test_join_pairs_out_of_order_and_reports_one_sided_records() -> None:
    pred = [{"id": "b", "sides": {"zh": side("ab", [[0, 2]])}}, {"id": "a", "sides": {"zh": side("cd", [[0, 2]])}},
            {"id": "p", "sides": {"zh": side("x", [[0, 1]])}}]
    gold = [{"id": "a", "sides": {"zh": side("cd", [[0, 1], [1, 2]])}},
            {"id": "b", "sides": {"zh": side("ab", [[0, 2]])}}, {"id": "g", "sides": {"zh": side("y", [[0, 1]])}}]
    ev = evaluate(join(pred, gold, "tokens"), "tokens")
    assert ev.records == 2 and ev.only_pred.ids == ["p"] and ev.only_gold.ids == ["g"]
    assert (ev.overall.gold, ev.overall.pred, ev.overall.correct) == (3, 2, 1)


def test_sides_missing_or_without_the_layer_are_reported() -> None:
    pred = [{"id": "a", "sides": {"zh": side("ab", None), "en": side("x y", [[0, 1], [2, 3]])}}]
    gold = [{"id": "a", "sides": {"zh": side("ab", [[0, 2]]), "th": side("ก", [[0, 1]])}}]
    ev = evaluate(join(pred, gold, "tokens"), "tokens")
    assert ev.side_problems.ids == [("a", "en", "side only in prediction"), ("a", "th", "side only in gold"),
                                        ("a", "zh", "no tokens in prediction")]
    assert ev.overall.units == 0


def test_differing_texts_and_duplicate_ids_are_errors() -> None:
    pred = [{"id": "a", "sides": {"zh": side("我爱北京", [[0, 4]])}}]
    gold = [{"id": "a", "sides": {"zh": side("我爱南京", [[0, 4]])}}]
    with pytest.raises(InputError, match=r"record 'a', side 'zh': prediction and gold texts differ at offset 2"):
        evaluate(join(pred, gold, "tokens"), "tokens")
    with pytest.raises(InputError, match=r"gold.jsonl record 2: duplicate record id 'a' \(first at gold.jsonl"):
        evaluate(join(pred, pred + pred, "tokens", names=("pred.jsonl", "gold.jsonl")), "tokens")


def _pred_from_gold(recs: list[dict], drop_every: int) -> list[dict]:
    """A prediction that merges every n-th pair of gold tokens."""
    out = copy.deepcopy(recs)
    for r in out:
        for s in r["sides"].values():
            sp = s["layers"]["tokens"]["spans"]
            merged, i = [], 0
            while i < len(sp):
                if i % drop_every == 0 and i + 1 < len(sp):
                    merged.append([sp[i][0], sp[i + 1][1]])
                    i += 2
                else:
                    merged.append(sp[i])
                    i += 1
            s["layers"]["tokens"]["spans"] = merged
    return out


def test_cli_against_conllu_gold_text_and_json(cli, tmp_path: Path) -> None:
    gold_path = shared("ud", "tl_trg", "tl_trg-ud-test.conllu")
    gold = list(read_segmentation(gold_path, langs=["tl"]))
    pred = tmp_path / "pred.jsonl"
    write_records(pred, _pred_from_gold(gold[1:], 3))  # first record missing from the prediction
    res = cli("evaluate", str(pred), str(gold_path), "--lang", "tl")
    assert res.exit_code == 0, res.output
    assert "127 records joined" in res.stdout and "1 only in the gold" in res.stdout
    doc = orjson.loads(cli("evaluate", str(pred), str(gold_path), "--lang", "tl", "--format", "json").stdout)
    assert doc["metrics"] == "lancang/metrics/1" and doc["command"] == "evaluate"
    doc = doc["accuracy"]["tokens"]
    o = doc["overall"]
    gold_n = sum(len(r["sides"]["tl"]["layers"]["tokens"]["spans"]) for r in gold[1:])
    assert o["gold"] == gold_n and o["correct"] < o["pred"] < o["gold"]
    assert o["precision"] == pytest.approx(o["correct"] / o["pred"], abs=1e-6)
    assert doc["missing"]["only_in_gold"] == 1 and doc["missing"]["examples"]["only_in_gold"] == [gold[0]["id"]]
    assert cli("evaluate", str(pred), str(gold_path), "--lang", "tl", "--strict").exit_code == 1


@needs("newmm")
def test_cli_real_segmenter_with_lexicon_oov(cli, tmp_path: Path) -> None:
    train = shared("ud", "th_tud", "th_tud-ud-train.conllu")
    dev = shared("ud", "th_tud", "th_tud-ud-dev.conllu")
    lex = tmp_path / "tud.lex"
    assert cli("train", "lexicon", str(train), "-o", str(lex)).exit_code == 0
    texts = tmp_path / "dev.jsonl"
    write_records(texts, ({"id": r["id"], "sides": {"th": {"text": r["sides"]["th"]["text"]}}}
                          for r in read_segmentation(dev)))
    pred = tmp_path / "pred.jsonl"
    assert cli("annotate", str(texts), str(pred), "--layers", "tokens").exit_code == 0
    doc = orjson.loads(cli("evaluate", str(pred), str(dev), "--lexicon", str(lex), "--format", "json").stdout)
    doc = doc["accuracy"]["tokens"]
    th = doc["languages"]["th"]
    assert th["sides"] == 362 and th["gold"] == 7521
    assert 0.68 < th["f1"] < 0.75  # newmm against the TUD standard, without the lexicon
    assert 0 < th["oov_rate"] < 0.2 and th["oov_recall"] < th["iv_recall"]
    text = cli("evaluate", str(pred), str(dev), "--lexicon", str(lex)).stdout
    assert "OOV-R" in text and text.splitlines()[-1].startswith("overall")


def test_cli_sentences_layer_and_text_mismatch(cli, tmp_path: Path) -> None:
    g = write_jsonl(tmp_path / "g.jsonl",
                    [{"id": "a", "sides": {"en": side("A b. C d.", [[0, 4], [5, 9]], "sentences")}}])
    p = write_jsonl(tmp_path / "p.jsonl", [{"id": "a", "sides": {"en": side("A b. C d.", [[0, 9]], "sentences")}}])
    doc = orjson.loads(cli("evaluate", str(p), str(g), "--layer", "sentences", "--format", "json").stdout)
    doc = doc["accuracy"]["sentences"]
    assert doc["overall"]["recall"] == 0 and doc["layer"] == "sentences"
    q = write_jsonl(tmp_path / "q.jsonl", [{"id": "a", "sides": {"en": side("A b. C e.", [[0, 9]], "sentences")}}])
    res = cli("evaluate", str(q), str(g), "--layer", "sentences")
    assert res.exit_code == 2 and "texts differ at offset 7" in res.stderr


def test_lexicon_word_list_for_oov(tmp_path: Path) -> None:
    p = tmp_path / "w.txt"
    p.write_text("中国\n", encoding="utf-8")
    s = score_spans([(0, 2), (2, 4)], [(0, 2), (2, 4)], "中国人民", Lexicon.load(p))
    assert s.oov_gold == 1


def test_evaluate_beads_through_the_cli(cli) -> None:
    import orjson

    from lancang.corpora.samples import sample_path

    res = cli("evaluate", str(sample_path()), str(sample_path()), "--layer", "beads", "--format", "json")
    assert res.exit_code == 0, res.output
    full = orjson.loads(res.stdout)
    from lancang.schemas import load_schema
    from lancang.schemas.validator import SchemaEngine

    assert SchemaEngine(load_schema("metrics")).is_valid(full), SchemaEngine(load_schema("metrics")).errors(full)
    doc = full["accuracy"]["beads"]
    assert doc["skipped"] == 24  # the TALPCo records carry no beads
    assert doc["f1_strict"] == 1.0 and doc["f1_lax"] == 1.0 and doc["gold_beads"] == 24


def test_evaluate_beads_reports_a_missing_record(cli, tmp_path) -> None:
    from lancang.corpora.jsonl import read_records, write_records
    from lancang.corpora.samples import sample_path

    short = tmp_path / "short.jsonl"
    write_records(short, list(read_records(sample_path()))[:-1])
    res = cli("evaluate", str(short), str(sample_path()), "--layer", "beads")
    last = list(read_records(sample_path()))[-1]["id"]
    assert res.exit_code == 2
    assert f"record {last!r} is not in {short}: the records of the two files differ" in res.stderr


def test_records_on_one_side_only_are_counted_with_the_first_ids_kept_not_all() -> None:
    """Memory stays flat: an empty prediction against a large gold keeps a count and the first ids, not every id."""
    gold = [{"id": f"g{i}", "sides": {"zh": side("ab", [[0, 2]])}} for i in range(500, 0, -1)]
    ev = evaluate(join([], gold, "tokens"), "tokens")
    assert ev.only_gold.count == 500 and ev.only_gold.ids == [f"g{i}" for i in range(1, 21)]
    d = ev.to_dict(limit=5)["missing"]
    assert d["only_in_gold"] == 500 and d["examples"]["only_in_gold"] == ["g1", "g2", "g3", "g4", "g5"]
