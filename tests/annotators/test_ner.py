"""``spacy-ner`` and ``lancang train ner`` on real NER data: a small model is trained once per session
on the first NERGrit (Indonesian) training sentences and used by the tests below."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path
from typing import Any

import orjson
import pytest

from lancang.annotators import spec
from lancang.annotators.base import ModelMissing
from lancang.annotators.pipeline import Pipeline, PipelineConfig
from lancang.corpora.formats import get_format
from lancang.errors import InputError, UsageError
from lancang.schemas.validator import RecordValidator

from ..conftest import shared, write_jsonl
from .helpers import needs

pytestmark = needs("spacy-ner")
spacy = pytest.importorskip("spacy")

NERGRIT = ("ner", "id_nergrit")
N_TRAIN = 300


def read(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(x) for x in path.read_bytes().splitlines()]


def gold(name: str, n: int | None = None) -> list[dict[str, Any]]:
    recs = get_format("conll").read(shared(*NERGRIT, name), langs=["id"])
    return list(islice(recs, n)) if n else list(recs)


def texts_only(recs: list[dict[str, Any]], prefix: str = "") -> list[dict[str, Any]]:
    return [{"id": r["id"], "sides": {"id": {"text": prefix + r["sides"]["id"]["text"]}}} for r in recs]


@pytest.fixture(scope="session")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A spaCy NER pipeline trained by lancang on 300 real NERGrit sentences (2 epochs: seconds)."""
    from lancang.annotators.ner import GoldStats, gold_sides, train, write_model

    st = GoldStats()
    nlp, history, best = train(gold_sides(iter(gold("train_preprocess.txt", N_TRAIN)), "id", st), "id",
                               epochs=2, seed=1, batch_size=8, stats=st, name="nergrit_test")
    assert (st.sides, len(history), best) == (N_TRAIN, 2, 2)
    out = tmp_path_factory.mktemp("ner") / "id-ner"
    write_model(nlp, out, force=False)
    return out


def pipeline(model: Path, **config: Any) -> Pipeline:
    return Pipeline.build(PipelineConfig(layers=("entities",), use={"id": ("spacy-ner",)},
                                         config={"spacy-ner": {"model": str(model), **config}}))


# ------------------------------------------------------------------------------- annotating

def test_entities_are_exact_code_point_spans_with_provenance(model: Path) -> None:
    recs = texts_only(gold("valid_preprocess.txt", 40))
    moved = texts_only(gold("valid_preprocess.txt", 40), prefix="𝐀𝐁😀 ")  # three non-BMP characters first
    p = pipeline(model)
    st = p.annotate_batch(recs)
    p.annotate_batch(moved)
    [(key, made)] = st.made.items()
    assert key == ("entities", "id", "spacy-ner") and made[0] == 40 and made[2] > 0
    v = RecordValidator()
    found = moved_found = 0
    blank = spacy.blank("id")
    for a, b in zip(recs, moved):
        text = a["sides"]["id"]["text"]
        ents = a["sides"]["id"]["layers"]["entities"]["items"]
        assert v.check(a) == []
        for e in ents:
            assert set(e) == {"start", "end", "label"} and 0 <= e["start"] < e["end"] <= len(text)
            surface = text[e["start"]:e["end"]]
            assert surface == surface.strip() and surface
        found += len(ents)
        # after three non-BMP characters the offsets still fall on token boundaries in code points
        # (UTF-16 offsets would be three units off); tokens from spaCy's blank tokenizer, independently
        moved_text = b["sides"]["id"]["text"]
        toks = blank(moved_text)
        starts, ends = {t.idx for t in toks}, {t.idx + len(t) for t in toks}
        for e in b["sides"]["id"]["layers"]["entities"]["items"]:
            assert e["start"] >= 4 and e["start"] in starts and e["end"] in ends, (moved_text, e)
            moved_found += 1
    assert found == made[2] and moved_found > 0
    prov = recs[0]["sides"]["id"]["layers"]["entities"]["provenance"]

    assert prov["method"] == "auto" and prov["tool"]["name"] == "spacy-ner"
    assert prov["tool"]["version"] == f"{spacy.__version__} (id_nergrit_test 0.1.0)"
    meta = prov["tool"]["settings"]["model_meta"]
    assert meta["lang"] == "id" and meta["labels"] == ["ORGANISATION", "PERSON", "PLACE"]
    assert prov["tool"]["settings"]["model"] == str(model)


def test_annotate_scores_as_the_trainer_does(cli, model: Path, tmp_path: Path) -> None:
    """The CLI's entities, scored by `lancang evaluate`, equal the trainer's own dev score."""
    from lancang.annotators.ner import GoldStats, gold_sides, score

    dev = gold("valid_preprocess.txt", 80)
    write_jsonl(tmp_path / "gold.jsonl", dev)
    src = write_jsonl(tmp_path / "texts.jsonl", texts_only(dev))
    before = src.read_bytes()
    res = cli("annotate", str(src), str(tmp_path / "out.jsonl"), "--layers", "entities", "--use", "id=spacy-ner",
              "--set", f"spacy-ner.model={model}")
    assert res.exit_code == 0, res.output
    assert "80 records; entities id (spacy-ner): 80 sides" in res.stderr and " entities" in res.stderr
    assert src.read_bytes() == before
    res = cli("evaluate", str(tmp_path / "out.jsonl"), str(tmp_path / "gold.jsonl"), "--layer", "entities",
              "--format", "json")
    ev = json.loads(res.stdout)["accuracy"]["entities"]["overall"]
    direct = score(pipeline(model).annotator("spacy-ner").nlp, list(gold_sides(dev, "id", GoldStats())))
    assert ev["exact"] == direct["exact"]
    assert 0.05 < ev["exact"]["f1"] < 1.0  # a small model: it finds some entities, not all


def test_side_tokens_are_fed_as_words(model: Path) -> None:
    """tokens=side: spaCy gets the side's own tokens, so every entity falls on their boundaries."""
    from lancang.annotators.ner import doc_from_spans

    recs = gold("valid_preprocess.txt", 30)
    for r in recs:
        del r["sides"]["id"]["layers"]["entities"]
        # coarser tokens: join every pair of gold tokens, so spaCy's own tokenizer would differ
        spans = r["sides"]["id"]["layers"]["tokens"]["spans"]
        r["sides"]["id"]["layers"] = {"tokens": {"spans": [[spans[k][0], spans[min(k + 1, len(spans) - 1)][1]]
                                                           for k in range(0, len(spans), 2)]}}
    p = pipeline(model, tokens="side")
    p.annotate_batch(recs)
    n = 0
    for r in recs:
        lay = r["sides"]["id"]["layers"]
        starts = {s for s, _ in lay["tokens"]["spans"]}
        ends = {e for _, e in lay["tokens"]["spans"]}
        for e in lay["entities"]["items"]:
            assert e["start"] in starts and e["end"] in ends
            n += 1
    assert n > 0
    # the Doc's text is the side's text whatever the gaps
    nlp = p.annotator("spacy-ner").nlp
    text = "  Joko\tWidodo  ke\n\nJakarta 𝐀 ."
    spans = [[2, 6], [7, 13], [15, 17], [19, 26], [27, 28], [29, 30]]
    doc = doc_from_spans(nlp.vocab, text, spans)
    assert doc.text == text
    assert [(t.idx, t.idx + len(t)) for t in doc if not t.is_space] == [tuple(s) for s in spans]
    with pytest.raises(InputError, match="out of order"):
        doc_from_spans(nlp.vocab, text, [[7, 13], [2, 6]])


def test_tokens_then_entities_in_one_run(model: Path) -> None:
    recs = texts_only(gold("valid_preprocess.txt", 5))
    p = Pipeline.build(PipelineConfig(layers=("tokens", "entities"), use={"id": ("spacy-ner",)},
                                      config={"spacy-ner": {"model": str(model), "tokens": "side"}}))
    p.annotate_batch(recs)
    for r in recs:
        assert set(r["sides"]["id"]["layers"]) == {"tokens", "entities"}
        assert r["sides"]["id"]["layers"]["tokens"]["provenance"]["tool"]["name"] == "spacy"


def test_missing_model_says_how_to_get_one(cli, tmp_path: Path) -> None:
    for model in (str(tmp_path / "nowhere"), "xx_no_such_pipeline_pkg"):
        with pytest.raises(ModelMissing) as exc:
            spec("spacy-ner").build({"model": model})
        assert "lancang train ner" in str(exc.value) and "pip install" in str(exc.value)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelMissing):
        spec("spacy-ner").build({"model": str(tmp_path / "empty")})
    with pytest.raises(UsageError, match="'model' is a required property"):
        spec("spacy-ner").build({})
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "1", "sides": {"id": {"text": "Joko ke Jakarta."}}}])
    res = cli("annotate", str(src), str(tmp_path / "out.jsonl"), "--layers", "entities", "--use", "id=spacy-ner",
              "--set", f"spacy-ner.model={tmp_path / 'nowhere'}")
    assert res.exit_code == 2 and "lancang train ner" in res.output
    assert not (tmp_path / "out.jsonl").exists()


def test_a_model_without_ner_is_refused(tmp_path: Path) -> None:
    spacy.blank("xx").to_disk(tmp_path / "blank")
    with pytest.raises(UsageError, match="has no ner component"):
        spec("spacy-ner").build({"model": str(tmp_path / "blank")})


def test_language_must_be_the_models(cli, model: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is for language 'id', not 'th'"):
        Pipeline.build(PipelineConfig(layers=("entities",), use={"th": ("spacy-ner",)},
                                      config={"spacy-ner": {"model": str(model)}}))
    ann = pipeline(model).annotator("spacy-ner")
    with pytest.raises(UsageError, match="spaCy code 'tl'"):
        ann.prepare("fil", "fil")
    ann.prepare("id-ID", "id")  # a region does not matter
    # a side in another language than the one --use chose: an error naming the side, nothing written
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "1", "sides": {"ms": {"text": "Saya ke Kuala Lumpur."}}}])
    res = cli("annotate", str(src), str(tmp_path / "out.jsonl"), "--layers", "entities", "--use", "ms=spacy-ner",
              "--set", f"spacy-ner.model={model}")
    assert res.exit_code == 2 and "is for language 'id', not 'ms'" in res.output
    res = cli("annotate", str(src), str(tmp_path / "out.jsonl"), "--layers", "entities")
    assert res.exit_code == 2 and "no entities annotator for language 'ms'" in res.output
    assert not (tmp_path / "out.jsonl").exists()


def test_existing_entities_are_kept_unless_overwrite(model: Path) -> None:
    mine = {"items": [{"start": 0, "end": 4, "label": "PERSON"}], "provenance": {"method": "manual", "annotator": "a"}}
    recs = [{"id": "1", "sides": {"id": {"text": "Joko Widodo berkunjung ke Jakarta .",
                                         "layers": {"entities": json.loads(json.dumps(mine))}}}}]
    st = pipeline(model).annotate_batch(recs)
    assert st.kept["entities"] == 1 and not st.made
    assert recs[0]["sides"]["id"]["layers"]["entities"] == mine
    p = Pipeline.build(PipelineConfig(layers=("entities",), use={"id": ("spacy-ner",)}, overwrite=True,
                                      config={"spacy-ner": {"model": str(model)}}))
    p.annotate_batch(recs)
    assert recs[0]["sides"]["id"]["layers"]["entities"]["provenance"]["method"] == "auto"
    # relations refer to entity ids: replacing the layer would orphan them
    recs[0]["sides"]["id"]["layers"]["entities"] = {
        "items": [{"id": "T1", "start": 0, "end": 11, "label": "PERSON"},
                  {"id": "T2", "start": 26, "end": 33, "label": "PLACE"}],
        "relations": [{"type": "visits", "args": [{"role": "from", "ref": "T1"}, {"role": "to", "ref": "T2"}]}]}
    with pytest.raises(InputError, match="1 relation"):
        p.annotate_batch(recs)


# --------------------------------------------------------------------------------- training

def test_train_ner_cli_end_to_end(cli, tmp_path: Path) -> None:
    train, dev = shared(*NERGRIT, "train_preprocess.txt"), shared(*NERGRIT, "valid_preprocess.txt")
    out = tmp_path / "m"
    args = ("train", "ner", str(train), "--format", "conll", "--lang", "id", "-o", str(out), "--dev", str(dev),
            "--limit", "150", "--epochs", "2", "--seed", "3", "--name", "cli")
    res = cli(*args)
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == f"dev {dev}: 209 sentences, 662 entities"
    assert lines[1].startswith(f"gold {train}: 150 sentences, ")
    assert lines[2].startswith("epoch 1/2: loss ") and ", dev exact P " in lines[2]
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["name"] == "cli" and meta["lang"] == "id" and meta["lancang"]["gold"]["sides"] == 150
    best = meta["lancang"]["best_epoch"]
    f1 = [float(x.split(" F1 ")[1].split()[0]) for x in lines[2:4]]
    assert meta["performance"]["ents_f"] == pytest.approx(max(f1), abs=1e-4) and f1[best - 1] == max(f1)
    assert lines[-1].startswith(f"{out}: spaCy pipeline id_cli 0.1.0, epoch {best} (dev exact F1 ")
    assert [p.name for p in tmp_path.iterdir()] == ["m"]  # no temporary directory left behind
    # the same seed gives the same model
    res2 = cli(*args[:8], str(tmp_path / "m2"), *args[9:])
    same = [x.split(" (")[0] for x in lines[2:4]]  # the time in brackets varies
    assert res2.exit_code == 0 and [x.split(" (")[0] for x in res2.stdout.splitlines()[2:4]] == same
    # an existing directory is refused without --force, replaced with it
    stamp = (out / "meta.json").stat().st_mtime_ns
    res = cli(*args)
    assert res.exit_code == 2 and "exists; give --force" in res.output
    assert (out / "meta.json").stat().st_mtime_ns == stamp
    res = cli(*args[:-4], "--epochs", "1", "--name", "cli", "--force")
    assert res.exit_code == 0, res.output
    assert json.loads((out / "meta.json").read_text(encoding="utf-8"))["lancang"]["epochs"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m", "m2"]


def test_train_ner_bad_inputs(cli, tmp_path: Path) -> None:
    no_ents = write_jsonl(tmp_path / "plain.jsonl", [
        {"id": "1", "sides": {"id": {"text": "Tidak ada entitas .", "layers": {"entities": {"items": []}}}}}])
    res = cli("train", "ner", str(no_ents), "--lang", "id", "-o", str(tmp_path / "m"))
    assert res.exit_code == 2 and "no entities to learn from" in res.output
    no_layer = write_jsonl(tmp_path / "nolayer.jsonl", [{"id": "1", "sides": {"id": {"text": "Halo ."}}}])
    res = cli("train", "ner", str(no_layer), "--lang", "id", "-o", str(tmp_path / "m"))
    assert res.exit_code == 2 and "no gold sides in language 'id' with an entities layer" in res.output
    res = cli("train", "ner", str(no_ents), "--lang", "zh", "-o", str(tmp_path / "m"))
    assert res.exit_code == 2 and "no gold sides in language 'zh'" in res.output
    txt = tmp_path / "raw.txt"
    txt.write_text("Joko ke Jakarta .\n", encoding="utf-8")
    res = cli("train", "ner", str(txt), "--lang", "id", "-o", str(tmp_path / "m"))
    assert res.exit_code == 2 and "carries no entities" in res.output and "--from" in res.output
    res = cli("train", "ner", str(no_ents), "--lang", "qaa", "-o", str(tmp_path / "m"))
    assert res.exit_code == 2 and "spaCy has no language 'qaa'" in res.output
    res = cli("train", "ner", str(no_ents), "--lang", "not a tag", "-o", str(tmp_path / "m"))
    assert res.exit_code == 2 and "not a BCP 47 language tag" in res.output
    (tmp_path / "exists").mkdir()
    res = cli("train", "ner", str(no_ents), "--lang", "id", "-o", str(tmp_path / "exists"))
    assert res.exit_code == 2 and "exists; give --force" in res.output
    assert not (tmp_path / "m").exists() and list((tmp_path / "exists").iterdir()) == []


def test_misaligned_and_overlapping_entities_are_counted(tmp_path: Path) -> None:
    from lancang.annotators.ner import GoldStats, example, gold_sides, train

    nlp = spacy.blank("id")
    st = GoldStats()
    text = "Warga Jakartanya pergi ke Bank Indonesia ."
    ex = example(nlp, text, [{"start": 6, "end": 13, "label": "PLACE"},  # inside the token Jakartanya
                             {"start": 26, "end": 40, "label": "ORGANISATION"},
                             {"start": 31, "end": 40, "label": "PLACE"},  # overlaps the previous one
                             {"start": 0, "end": 5, "label": "X", "fragments": [[0, 2], [3, 5]]}], st)
    assert (st.expanded, st.overlapping, st.fragmented) == (1, 1, 1)
    assert [(e.text, e.label_) for e in ex.reference.ents] == [("Jakartanya", "PLACE"),
                                                              ("Bank Indonesia", "ORGANISATION")]
    assert "1 widened to spaCy token boundaries; 1 left out (overlapping another); 1 left out" in st.describe()
    recs = [{"id": "1", "sides": {"id": {"text": text, "layers": {"entities": {"items": [
        {"start": 6, "end": 13, "label": "PLACE"}]}}}}}]
    st = GoldStats()
    train(gold_sides(recs, "id", st), "id", epochs=1, stats=st)
    assert st.expanded == 1


def test_thainer_trains_with_pythainlp_tokens(tmp_path: Path) -> None:
    """ThaiNER 1.5 through the inline reader and spaCy's Thai tokenizer (PyThaiNLP newmm): the entities
    that end inside a Thai word are widened and counted, never lost."""
    pytest.importorskip("pythainlp")
    from lancang.annotators.ner import GoldStats, gold_sides, train
    from lancang.corpora.formats.inline import read as read_inline

    def inline_records(path, lang):
        return read_inline(path, langs=[lang])

    st = GoldStats()
    recs = inline_records(shared("ner", "th_thainer15", "train.txt"), "th")
    nlp, _, _ = train(gold_sides(recs, "th", st, limit=60), "th", epochs=1, stats=st)
    assert st.sides == 60 and st.entities > 100
    used = len(nlp.get_pipe("ner").labels)
    assert used >= 5 and st.left_out() + st.expanded < st.entities
