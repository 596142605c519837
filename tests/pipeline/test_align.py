"""Alignment steps in `lancang run`: the sentence aligner learns once over the whole input and every shard
is aligned with that model (the output of `lancang align --sentences`); the word aligner is trained in a
global phase, saved, and applied per shard (the output of `lancang align --words --model`); gale-church
and a given word model need no global phase. Real pairs: PUD zh-en and TALPCo vi-en."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from lancang.errors import UsageError
from lancang.pipeline.run import run_pipeline
from lancang.pipeline.spec import load_plan
from tests.pipeline.test_jobs import real_corpus
from tests.pipeline.test_run import run_time


def pipeline(folder: Path, steps: list[dict[str, Any]], src: str, **more: Any) -> Path:
    doc = {"input": src, "output": "out", "shard_records": 400, "steps": steps, **more}
    p = folder / "pipeline.json"
    p.write_bytes(orjson.dumps(doc))
    return p


@pytest.fixture(scope="module")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real pairs with tokens (lancang's default segmenters)."""
    from lancang.annotators.pipeline import Pipeline, PipelineConfig, annotate_file

    folder = tmp_path_factory.mktemp("align")
    src = real_corpus(folder / "pairs.jsonl")
    p = Pipeline.build(PipelineConfig(layers=("tokens",)))
    p.time = "2026-12-03T12:00:00Z"
    annotate_file(src, folder / "tokens.jsonl", p)
    return folder / "tokens.jsonl"


def documents(path: Path, size: int = 8) -> Path:
    """Document pairs: every ``size`` consecutive real pairs joined into one record with sentences layers."""
    recs = [orjson.loads(line) for line in real_corpus(path.with_suffix(".pairs.jsonl")).read_bytes().splitlines()]
    with open(path, "wb") as f:
        for k in range(0, len(recs), size):
            group = recs[k:k + size]
            tags = list(group[0]["sides"])
            group = [r for r in group if list(r["sides"]) == tags]
            sides = {}
            for tag in tags:
                text, spans = "", []
                for r in group:
                    start = len(text) + (1 if text else 0)
                    text = (text + " " if text else "") + r["sides"][tag]["text"]
                    spans.append([start, len(text)])
                sides[tag] = {"text": text, "layers": {"sentences": {"spans": spans}}}
            f.write(orjson.dumps({"id": f"doc-{k}", "sides": sides}) + b"\n")
    return path


def test_sentences_learn_once_and_equal_lancang_align(tmp_path: Path) -> None:
    from lancang.annotators.align.records import align_sentences_file

    src = documents(tmp_path / "docs.jsonl")
    p = pipeline(tmp_path, [{"step": "align", "sentences": True}], "docs.jsonl", layers=["sentences"],
                 shard_records=60)
    assert load_plan(p).steps[0]["train"] == ["sentences"]
    summary = run_pipeline(p, jobs=2)
    assert summary["shards"] >= 2
    align_sentences_file(src, tmp_path / "verb.jsonl", time=run_time(tmp_path / "out"))
    assert (tmp_path / "out" / "output.jsonl").read_bytes() == (tmp_path / "verb.jsonl").read_bytes()
    assert summary["steps"][0]["detail"]["sentences"]["beads"] > 200


def test_gale_church_aligns_per_shard_without_a_global_phase(tmp_path: Path) -> None:
    from lancang.annotators.align.records import align_sentences_file

    src = documents(tmp_path / "docs.jsonl")
    p = pipeline(tmp_path, [{"step": "align", "sentences": True, "sentence_aligner": "gale-church"}], "docs.jsonl",
                 layers=["sentences"], shard_records=60)
    assert "train" not in load_plan(p).steps[0]
    run_pipeline(p, jobs=2)
    align_sentences_file(src, tmp_path / "verb.jsonl", aligner="gale-church", time=run_time(tmp_path / "out"))
    assert (tmp_path / "out" / "output.jsonl").read_bytes() == (tmp_path / "verb.jsonl").read_bytes()


def test_words_train_then_apply_equals_the_verb_with_the_saved_model(tokens: Path, tmp_path: Path) -> None:
    from lancang.annotators.align.records import align_words_file

    (tmp_path / "in.jsonl").write_bytes(tokens.read_bytes())
    p = pipeline(tmp_path, [{"step": "align", "words": True, "word_aligner": "ibm2"}], "in.jsonl", layers=["tokens"])
    summary = run_pipeline(p, jobs=2)
    model = Path(orjson.loads((tmp_path / "out" / "run.json").read_bytes())["fitted"]["0"]["word_model"])
    assert (model / "model.json").is_file() or any(model.iterdir())
    align_words_file(tokens, tmp_path / "verb.jsonl", model_dir=model, time=run_time(tmp_path / "out"))
    assert (tmp_path / "out" / "output.jsonl").read_bytes() == (tmp_path / "verb.jsonl").read_bytes()
    assert summary["steps"][0]["detail"]["words"]["links"] > 5000
    # a saved model is applied per shard, anywhere in a pipeline (no global phase)
    p2 = pipeline(tmp_path, [{"step": "align", "words": True, "model": str(model)}], "in.jsonl", layers=["tokens"],
                  output="out2")
    assert "train" not in load_plan(p2).steps[0]
    run_pipeline(p2, jobs=2)
    align_words_file(tokens, tmp_path / "verb2.jsonl", model_dir=model, time=run_time(tmp_path / "out2"))
    assert (tmp_path / "out2" / "output.jsonl").read_bytes() == (tmp_path / "verb2.jsonl").read_bytes()


def test_what_an_align_step_refuses(tmp_path: Path) -> None:
    real_corpus(tmp_path / "in.jsonl")
    with pytest.raises(UsageError, match=r"/steps/0 \(align\): aligning words reads the tokens layer"):
        load_plan(pipeline(tmp_path, [{"step": "align", "words": True}], "in.jsonl"))
    with pytest.raises(UsageError, match=r"say what to align"):
        load_plan(pipeline(tmp_path, [{"step": "align"}], "in.jsonl"))
    with pytest.raises(UsageError, match=r"keeps no model"):
        load_plan(pipeline(tmp_path, [{"step": "align", "words": True, "word_aligner": "eflomal"}], "in.jsonl",
                           layers=["tokens"]))


def test_annotate_then_train_words_runs_in_two_stages(tmp_path: Path) -> None:
    """annotate -> align words (trained): the aligner learns from the annotated output of every shard (a
    second stage), and the result is the verbs one after the other; a resume redoes only what is missing."""
    from lancang.annotators.align.records import align_words_file
    from lancang.annotators.pipeline import Pipeline, PipelineConfig, annotate_file

    src = real_corpus(tmp_path / "in.jsonl")
    steps = [{"step": "annotate", "layers": ["tokens"]}, {"step": "align", "words": True, "word_aligner": "ibm2"}]
    p = pipeline(tmp_path, steps, "in.jsonl")
    assert load_plan(p).steps[1]["stage"] is True
    summary = run_pipeline(p, jobs=2)
    out = tmp_path / "out"
    assert [s["step"] for s in summary["steps"]] == ["annotate", "align"] and len(summary["stages"]) == 2
    time_ = run_time(out)
    ann = Pipeline.build(PipelineConfig(layers=("tokens",)))
    ann.time = time_
    annotate_file(src, tmp_path / "tokens.jsonl", ann)
    assert (out / "stage-0" / "output.jsonl").read_bytes() == (tmp_path / "tokens.jsonl").read_bytes()
    model = orjson.loads((out / "stage-1" / "run.json").read_bytes())["fitted"]["0"]["word_model"]
    align_words_file(tmp_path / "tokens.jsonl", tmp_path / "verb.jsonl", model_dir=model, time=time_)
    first = (out / "output.jsonl").read_bytes()
    assert first == (tmp_path / "verb.jsonl").read_bytes()
    # lose a finished shard of the second stage and the final output: --resume redoes them alone
    (out / "stage-1" / "shards" / "000002" / "done.json").unlink()
    (out / "output.jsonl").unlink()
    again = run_pipeline(p, jobs=2, resume=True)
    assert (out / "output.jsonl").read_bytes() == first
    assert again["shards_run"] == 1 and again["shards_resumed"] == again["shards"] - 1
    with pytest.raises(UsageError, match="holds a run of this pipeline already"):
        run_pipeline(p, jobs=2)
