"""``lancang run``: build-time errors, equality with the verbs run one after another, kill -9 and
resume, a changed pipeline refused, exact metric merges, and a real Dask LocalCluster."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from lancang.cli import main
from lancang.errors import InputError, UsageError
from lancang.pipeline.run import ShardsFailed, run_pipeline
from lancang.pipeline.spec import load_plan
from lancang.pipeline.steps import _stats, merge_stats

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "lancang" / "corpora" / "samples" / "sample.jsonl"
LANCANG = Path(sys.executable).parent / "lancang"
#: the cleaning filters that need the whole corpus are refused in a sharded pipeline
RECORD_FILTERS = {"length-ratio": False, "adequacy": False, "duplicates": False}
CLEAN = {"step": "clean", "filters": RECORD_FILTERS}
ANNOTATE = {"step": "annotate", "layers": ["sentences"], "use": {"en": ["punct"]}, "sides": ["en"]}


def corpus(path: Path, copies: int = 7, broken_at: int | None = None, pii: bool = False) -> Path:
    """The bundled sample repeated with new ids (48 records a copy); a broken line at ``broken_at``;
    with ``pii``, an e-mail address at the end of every English side without layers."""
    recs = [orjson.loads(line) for line in SAMPLE.read_bytes().splitlines()]
    with open(path, "wb") as f:
        n = 0
        for k in range(copies):
            for r in recs:
                n += 1
                if n == broken_at:
                    f.write(b"{not json\n")
                    continue
                r = {**r, "id": f"{r['id']}-{k}"}
                en = r["sides"].get("en")
                if pii and en is not None and not en.get("layers"):
                    r["sides"] = {**r["sides"], "en": {**en, "text": en["text"] + f" Mail: u{n}@example.com"}}
                f.write(orjson.dumps(r) + b"\n")
    return path


def pipeline(folder: Path, steps: list[dict[str, Any]], name: str = "pipeline.json", **more: Any) -> Path:
    doc = {"input": "in.jsonl", "output": "out", "shard_records": 50, "steps": steps, **more}
    p = folder / name
    p.write_bytes(orjson.dumps(doc))
    return p


def run_time(out: Path) -> str:
    return orjson.loads((out / "run.json").read_bytes())["time"]


def verbs(src: Path, folder: Path, time_: str) -> tuple[bytes, bytes, Any, Any]:
    """clean then annotate, the functions `lancang clean` and `lancang annotate` call, one after the other."""
    from lancang.annotators.pipeline import Pipeline, annotate_file
    from lancang.pipeline.spec import annotate_config
    from lancang.processing.clean import clean_file

    folder.mkdir()
    cs = clean_file(src, folder / "clean.jsonl", rejects=folder / "rejects.jsonl", config=RECORD_FILTERS)
    p = Pipeline.build(annotate_config(ANNOTATE))
    p.time = time_
    annotate_file(folder / "clean.jsonl", folder / "out.jsonl", p)
    return (folder / "out.jsonl").read_bytes(), (folder / "rejects.jsonl").read_bytes(), cs, None


# ------------------------------------------------------------------------------ build-time errors

def test_unknown_key_is_named_with_its_pointer(tmp_path: Path) -> None:
    corpus(tmp_path / "in.jsonl", 1)
    p = pipeline(tmp_path, [CLEAN, {"step": "stats", "colour": "red"}])
    with pytest.raises(InputError, match=r"/steps/1/colour: unknown key 'colour'"):
        load_plan(p)
    p = pipeline(tmp_path, [CLEAN], shards=3)
    with pytest.raises(InputError, match=r"/shards: unknown key"):
        load_plan(p)
    res = CliRunner().invoke(main, ["run", str(p)])
    assert res.exit_code == 2 and "/shards: unknown key" in res.output and "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_unknown_step_is_refused(tmp_path: Path) -> None:
    corpus(tmp_path / "in.jsonl", 1)
    with pytest.raises(InputError, match=r"/steps/0/step: 'dance' is not one of"):
        load_plan(pipeline(tmp_path, [{"step": "dance"}]))


def test_a_required_layer_no_step_provides(tmp_path: Path) -> None:
    from lancang.annotators import ANNOTATORS
    from lancang.annotators.base import AnnotatorSpec

    corpus(tmp_path / "in.jsonl", 1)
    ANNOTATORS.register("x-ner", AnnotatorSpec(name="x-ner", description="needs tokens", provides=("entities",),
                                               languages=("*",), factory="tests.pipeline.test_run:NoNer",
                                               requires=("tokens",)))
    try:
        p = pipeline(tmp_path, [{"step": "annotate", "layers": ["entities"], "use": {"en": ["x-ner"]}}])
        with pytest.raises(UsageError, match=r"/steps/0 \(annotate\): annotator 'x-ner' requires the tokens layer"):
            load_plan(p)
    finally:
        ANNOTATORS._objects.pop("x-ner")


class NoNer:
    def __init__(self, config: dict[str, Any]):
        self.provenance_settings: dict[str, Any] = {}


def test_whole_corpus_filters_and_misplaced_convert_are_refused(tmp_path: Path) -> None:
    corpus(tmp_path / "in.jsonl", 1)
    assert load_plan(pipeline(tmp_path, [{"step": "clean"}])).steps[0]["fit"] == ["length-ratio", "adequacy",
                                                                                  "duplicates"]
    (tmp_path / "in.tmx").write_text("<tmx/>")  # duplicates' phase reads line ranges: a first stage converts
    assert load_plan(pipeline(tmp_path, [{"step": "clean"}], input="in.tmx")).steps[0]["stage"] is True
    # a learning clean step after a step that changes records starts a stage (it learns from their output)
    staged = load_plan(pipeline(tmp_path, [ANNOTATE, {"step": "clean", "filters": {"duplicates": False}}]))
    assert [s.get("stage") for s in staged.steps] == [None, True]
    with pytest.raises(UsageError, match=r"/steps/0 \(convert\): convert writes the final output; it is the last"):
        load_plan(pipeline(tmp_path, [{"step": "convert", "output": "out.tmx"}, CLEAN]))
    with pytest.raises(UsageError, match=r"unknown annotator 'nope'"):
        load_plan(pipeline(tmp_path, [{"step": "annotate", "layers": ["tokens"], "use": {"zh": ["nope"]}}]))


# ------------------------------------------------------------------------------ equal to the verbs

def test_two_steps_equal_the_verbs_and_metrics_merge_exactly(tmp_path: Path) -> None:
    from lancang.corpora.stats import corpus_stats

    src = corpus(tmp_path / "in.jsonl", 7)
    p = pipeline(tmp_path, [CLEAN, ANNOTATE, {"step": "stats"}])
    summary = run_pipeline(p, jobs=2)
    out = tmp_path / "out"
    assert summary["shards"] == 7 and summary["shards_run"] == 7
    want, rejects, cs, _ = verbs(src, tmp_path / "verbs", run_time(out))
    assert (out / "output.jsonl").read_bytes() == want
    assert (out / "rejects.jsonl").read_bytes() == rejects
    clean, annotate, stats = summary["steps"]
    assert clean["detail"] == cs.to_dict() and (clean["in"], clean["out"], clean["rejected"]) == (
        cs.records, cs.kept, cs.rejected)
    assert annotate["detail"]["records"] == cs.kept
    assert stats["detail"] == corpus_stats(tmp_path / "verbs" / "out.jsonl").to_dict()
    assert orjson.loads((out / "metrics.json").read_bytes())["steps"][2]["detail"] == stats["detail"]


def test_check_merged_across_shards_equals_check_of_the_whole(tmp_path: Path) -> None:
    from lancang.standards.checker import check
    from lancang.standards.profiles import load_profile

    src = corpus(tmp_path / "in.jsonl", 3)
    step = {"step": "check", "profiles": ["gb-t-40035-2021"]}
    with pytest.raises(UsageError, match=r"/steps/0 \(check\): the profile has manifest requirements"):
        load_plan(pipeline(tmp_path, [step]))
    manifest = str(SAMPLE.with_name("sample.manifest.json"))
    summary = run_pipeline(pipeline(tmp_path, [{**step, "manifest": manifest}]), jobs=2)
    whole = check(src, [load_profile("gb-t-40035-2021")], manifest=manifest, max_findings=0)
    got = summary["steps"][0]["detail"]
    assert got["verdict"] == whole["verdict"]
    assert {k: (r["verdict"], r["findings"]) for k, r in got["requirements"].items()} == {
        f"{r['profile']}/{r['id']}": (r["verdict"], r["findings"]) for r in whole["requirements"]}
    assert summary["steps"][0]["detail"]["requirements"]["gb-t-40035-2021/dedup"]["findings"] == 96
    plan = load_plan(tmp_path / "pipeline.json")
    assert plan.steps[0]["phase"] == "global"  # dedup is a corpus rule: once, on the whole output
    with pytest.raises(UsageError, match=r"/steps/1 \(clean\): changes records after /steps/0 \(check\), which "
                                         r"runs once on the whole output \(gb-t-40035-2021/dedup judges"):
        load_plan(pipeline(tmp_path, [{**step, "manifest": manifest}, CLEAN], name="m.json"))
    record_only = run_pipeline(pipeline(tmp_path, [{"step": "check", "profiles": ["conllu"]}], name="c.json",
                                        output="out-c"), jobs=2)
    whole = check(src, [load_profile("conllu")], max_findings=0)
    got = record_only["steps"][0]["detail"]
    assert "phase" not in load_plan(tmp_path / "c.json").steps[0] and record_only["shards"] == 3
    assert got["verdict"] == whole["verdict"] and got["findings"] == whole["summary"]["findings"]


def test_corpus_filters_learn_in_a_global_phase_then_clean_shards_as_the_verb(tmp_path: Path) -> None:
    from lancang.processing.clean import clean_file

    src = tmp_path / "in.jsonl"  # sentence pairs (two sides each: the adequacy filter scores pairs)
    with open(src, "wb") as f:
        recs = [orjson.loads(line) for line in SAMPLE.read_bytes().splitlines()]
        for k in range(6):
            for j, r in enumerate(recs):
                tags = [t for t in r["sides"] if t in ("zh-Hant", "vi")]
                # the last copy pairs each text with the next record's English: misaligned pairs
                en = recs[(j + 1) % len(recs) if k == 5 else j]["sides"]["en"]["text"]
                sides = {tags[0]: {"text": r["sides"][tags[0]]["text"]}, "en": {"text": en}}
                f.write(orjson.dumps({"id": f"{r['id']}-{k}", "sides": sides}) + b"\n")
    step = {"step": "clean", "filters": {"duplicates": False, "adequacy": {"min_pairs": 20, "max_cells": 20000}}}
    p = pipeline(tmp_path, [step], shard_records=60)
    summary = run_pipeline(p, jobs=2)
    cs = clean_file(src, tmp_path / "clean.jsonl", rejects=tmp_path / "rejects.jsonl", config=step["filters"])
    assert cs.learnt["length-ratio"]["pairs"] and cs.learnt["adequacy"]["pairs"]  # both learnt something
    assert cs.rejected_by.get("length-ratio") or cs.rejected_by.get("adequacy")
    out = tmp_path / "out"
    assert summary["steps"][0]["detail"] == cs.to_dict()
    assert (out / "output.jsonl").read_bytes() == (tmp_path / "clean.jsonl").read_bytes()
    assert (out / "rejects.jsonl").read_bytes() == (tmp_path / "rejects.jsonl").read_bytes()
    assert orjson.loads((out / "run.json").read_bytes())["fitted"]["0"]["states"]["length-ratio"]["pairs"]


def test_stats_merge_of_a_split_equals_the_whole(tmp_path: Path) -> None:
    from lancang.corpora.stats import corpus_stats

    src = corpus(tmp_path / "in.jsonl", 2)
    lines = src.read_bytes().splitlines(keepends=True)
    parts = []
    for i, (a, b) in enumerate([(0, 1), (1, 30), (30, 31), (31, 96)]):  # cuts inside documents
        part = tmp_path / f"part{i}.jsonl"
        part.write_bytes(b"".join(lines[a:b]))
        parts.append(_stats(part))
    whole = corpus_stats(src).to_dict()
    assert merge_stats(parts) == whole
    assert list(merge_stats(parts)["labels"]) == list(whole["labels"])


@pytest.mark.parametrize("gz", [False, True])
def test_shards_cover_every_line_in_order(tmp_path: Path, gz: bool) -> None:
    import gzip

    from lancang.pipeline.shards import materialise, scan

    data = b"".join(b'{"id":"r%d"}\n' % i for i in range(23)) + b'{"id":"last, no newline"}'
    src = tmp_path / ("in.jsonl.gz" if gz else "in.jsonl")
    src.write_bytes(gzip.compress(data) if gz else data)
    shards = scan([str(src)], 5)
    assert [(s.line, s.lines) for s in shards] == [(1, 5), (6, 5), (11, 5), (16, 5), (21, 4)]
    got = b""
    for s in shards:
        materialise(s, tmp_path / "part")
        got += (tmp_path / "part").read_bytes()
    assert got == data
    src.write_bytes(gzip.compress(data[:-3] + b"X\"}") if gz else data[:-3] + b"X\"}")
    with pytest.raises(InputError, match=r"lines 21-24 changed since the run was planned"):
        materialise(shards[-1], tmp_path / "part")


def test_an_empty_input_runs_to_empty_outputs(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_bytes(b"")
    summary = run_pipeline(pipeline(tmp_path, [CLEAN, {"step": "stats"}]), jobs=1)
    assert summary["shards"] == 0 and [s["in"] for s in summary["steps"]] == [0, 0]
    assert (tmp_path / "out" / "output.jsonl").read_bytes() == b""


# ------------------------------------------------------------------------------ kill -9 and resume

def test_kill_9_then_resume_is_byte_identical(tmp_path: Path) -> None:
    src = corpus(tmp_path / "in.jsonl", 7)
    p = pipeline(tmp_path, [CLEAN, ANNOTATE], shard_records=8)  # 42 shards
    out = tmp_path / "out"
    proc = subprocess.Popen([str(LANCANG), "run", str(p), "--jobs", "1"], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300  # (a loaded machine: the loop ends at the third marker)
    while time.monotonic() < deadline and len(list(out.glob("shards/*/done.json"))) < 3:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list(out.glob("shards/*/done.json")))
    assert 3 <= done < 42, "the run must be killed half-way"
    assert not (out / "output.jsonl").exists()
    summary = run_pipeline(p, jobs=2, resume=True)
    assert summary["shards_resumed"] >= done and summary["shards_run"] == 42 - summary["shards_resumed"]
    want, rejects, _, _ = verbs(src, tmp_path / "verbs", run_time(out))
    assert (out / "output.jsonl").read_bytes() == want
    assert (out / "rejects.jsonl").read_bytes() == rejects
    assert not list(out.glob("shards/*/work"))


def test_changed_pipeline_and_another_pipelines_folder_are_refused(tmp_path: Path) -> None:
    corpus(tmp_path / "in.jsonl", 2)
    p = pipeline(tmp_path, [CLEAN])
    run_pipeline(p, jobs=1)
    with pytest.raises(UsageError, match="holds a run of this pipeline already; --resume"):
        run_pipeline(p, jobs=1)
    pipeline(tmp_path, [{**CLEAN, "filters": {**RECORD_FILTERS, "length": {"max_chars": 300}}}])
    with pytest.raises(UsageError, match=r"changed since the run .*\(/steps/0/filters/length \(added\)\)"):
        run_pipeline(p, jobs=1, resume=True)
    other = pipeline(tmp_path, [CLEAN], name="other.json")
    with pytest.raises(UsageError, match=r"holds the run of another pipeline \(.*pipeline.json\)"):
        run_pipeline(other, jobs=1, resume=True)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="not empty and holds no lancang run"):
        run_pipeline(pipeline(tmp_path, [CLEAN], name="third.json", output="busy"), jobs=1)


def test_an_id_in_two_shards_is_refused_before_any_shard(tmp_path: Path) -> None:
    src = corpus(tmp_path / "in.jsonl", 2)
    lines = src.read_bytes().splitlines(keepends=True)
    src.write_bytes(b"".join(lines + [lines[3]]))  # record 4 again, in the last shard
    p = pipeline(tmp_path, [{"step": "validate"}])
    with pytest.raises(UsageError, match=r"record id 'pud-n01002032-0' is in \S*in.jsonl \(shard 000000\) and "
                                         r"again in \S*in.jsonl \(shard 000001\)"):
        run_pipeline(p, jobs=1)
    src.write_bytes(b"".join(lines + [lines[60]]))  # a repeat inside one shard: the step itself reports it
    summary = run_pipeline(pipeline(tmp_path, [{"step": "validate"}], name="p2.json", output="out2"), jobs=1)
    assert summary["steps"][0]["detail"]["rules"] == {"duplicate-id": 1}


def test_resume_reruns_a_damaged_shard_and_refuses_a_changed_input(tmp_path: Path) -> None:
    src = corpus(tmp_path / "in.jsonl", 2)
    p = pipeline(tmp_path, [CLEAN, ANNOTATE], shard_records=30)
    run_pipeline(p, jobs=2)
    out = tmp_path / "out"
    before = (out / "output.jsonl").read_bytes()
    part = out / "shards" / "000001" / "part.jsonl"
    part.write_bytes(part.read_bytes()[:100])  # a part its marker does not vouch for
    (out / "output.jsonl").unlink()
    summary = run_pipeline(p, jobs=2, resume=True)
    assert (summary["shards_run"], summary["shards_resumed"]) == (1, 3)
    assert (out / "output.jsonl").read_bytes() == before
    src.write_bytes(src.read_bytes().replace(b"pud-n01001011-0", b"pud-n01001011-x"))
    with pytest.raises(UsageError, match="the input changed since the run began"):
        run_pipeline(p, jobs=2, resume=True)


def test_the_pipeline_schema_is_a_valid_draft_2020_12_schema() -> None:
    import jsonschema

    from lancang.schemas import load_schema

    jsonschema.Draft202012Validator.check_schema(load_schema("pipeline"))


def test_a_shard_that_fails_is_named_and_nothing_final_is_written(tmp_path: Path) -> None:
    corpus(tmp_path / "in.jsonl", 2, broken_at=60)
    p = pipeline(tmp_path, [ANNOTATE])
    with pytest.raises(ShardsFailed, match=r"1 of 2 shards failed \(000001\); the first, 000001 .*lines 51-96\): "
                                           r"\S*in.jsonl:60: "):
        run_pipeline(p, jobs=2)
    assert not (tmp_path / "out" / "output.jsonl").exists()
    assert (tmp_path / "out" / "shards" / "000000" / "done.json").exists()
    res = CliRunner().invoke(main, ["run", str(p), "--resume"])
    assert res.exit_code == 1 and "shard 000001:" in res.output and "Traceback" not in res.output


def test_cli_summary(tmp_path: Path) -> None:
    corpus(tmp_path / "in.jsonl", 2)
    p = pipeline(tmp_path, [CLEAN, {"step": "validate"}, {"step": "convert", "output": "corpus.jsonl.gz"}])
    res = CliRunner().invoke(main, ["run", str(p), "--jobs", "2", "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = orjson.loads(res.stdout)
    assert [s["step"] for s in doc["steps"]] == ["clean", "validate", "convert"]
    assert doc["steps"][1]["detail"]["errors"] == 0 and doc["steps"][2]["out"] == doc["steps"][0]["out"]
    assert (tmp_path / "out" / "corpus.jsonl.gz").exists()


def test_mask_layers_carry_the_run_time_on_every_shard(tmp_path: Path) -> None:
    from lancang.processing.mask import mask_file

    src = corpus(tmp_path / "in.jsonl", 2, pii=True)
    p = pipeline(tmp_path, [{"step": "mask", "strategy": "tag", "types": ["EMAIL"]}])
    summary = run_pipeline(p, jobs=2)
    out = tmp_path / "out"
    st = mask_file(src, tmp_path / "masked.jsonl", strategy="tag", types=["EMAIL"], time=run_time(out))
    assert st.counts["EMAIL"] == 48
    assert (out / "output.jsonl").read_bytes() == (tmp_path / "masked.jsonl").read_bytes()
    assert summary["steps"][0]["detail"]["masked"] == {"EMAIL": 48}


class DiesOnce:
    """A third-party annotator whose worker process dies (os._exit) while its flag file is absent, or
    always with ``always``: the executor must try the shard again, then give up."""

    def __init__(self, config: dict[str, Any]):
        self.config = config
        self.provenance_settings: dict[str, Any] = {}

    def run(self, layer: str, batch: list[str], lang: str) -> list[list[tuple[int, int]]]:
        flag = Path(self.config["flag"])
        if self.config.get("always") or not flag.exists():
            flag.touch()
            os._exit(3)
        return [[(0, len(t))] if t else [] for t in batch]


@pytest.mark.parametrize("always", [False, True])
def test_a_worker_that_dies_is_retried_then_reported(tmp_path: Path, always: bool) -> None:
    from lancang.annotators import ANNOTATORS
    from lancang.annotators.base import AnnotatorSpec

    corpus(tmp_path / "in.jsonl", 1)
    conf = {"type": "object", "properties": {"flag": {"type": "string"}, "always": {"type": "boolean"}},
            "additionalProperties": False}
    ANNOTATORS.register("x-dies", AnnotatorSpec(name="x-dies", description="dies", provides=("sentences",),
                                                languages=("*",), factory="tests.pipeline.test_run:DiesOnce",
                                                config=conf))
    try:
        step = {"step": "annotate", "layers": ["sentences"], "use": {"en": ["x-dies"]}, "sides": ["en"],
                "config": {"x-dies": {"flag": str(tmp_path / "flag"), "always": always}}}
        p = pipeline(tmp_path, [step], retries=1)
        if always:
            with pytest.raises(ShardsFailed, match=r"000000.*its worker died \(tried 2 times\)"):
                run_pipeline(p, jobs=1)
            assert not (tmp_path / "out" / "output.jsonl").exists()
        else:
            summary = run_pipeline(p, jobs=1)
            assert summary["steps"][0]["out"] == 48
            assert summary["steps"][0]["detail"]["layers"][0]["sides"] == 24  # the English sides without sentences
            assert (tmp_path / "flag").exists()
    finally:
        ANNOTATORS._objects.pop("x-dies")


def test_a_yaml_pipeline_ending_in_a_parquet_export(tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    pytest.importorskip("pyarrow")
    from lancang.corpora.convert import convert

    corpus(tmp_path / "in.jsonl", 2)
    p = tmp_path / "pipeline.yaml"
    p.write_text("input: in.jsonl\noutput: out\nshard_records: 40\nsteps:\n"
                 "  - {step: clean, filters: {length-ratio: false, adequacy: false, duplicates: false}}\n"
                 "  - step: convert\n    output: corpus.parquet\n", encoding="utf-8")
    summary = run_pipeline(p, jobs=2)
    assert summary["shards"] == 3 and summary["steps"][1]["out"] == summary["steps"][0]["out"]
    convert(tmp_path / "out" / "corpus.parquet", tmp_path / "back.jsonl")
    assert (tmp_path / "back.jsonl").read_bytes() == (tmp_path / "out" / "output.jsonl").read_bytes()
    p.write_text("input: in.jsonl\noutput: out\nsteps: [{step: stats, colour: red}]\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"pipeline.yaml: /steps/0/colour: unknown key"):
        load_plan(p)


def test_executor_options_are_checked(tmp_path: Path) -> None:
    corpus(tmp_path / "in.jsonl", 1)
    p = str(pipeline(tmp_path, [CLEAN]))
    res = CliRunner().invoke(main, ["run", p, "--executor", "slurm"])
    assert res.exit_code == 2 and "unknown executor 'slurm'; known: dask, local" in res.output
    res = CliRunner().invoke(main, ["run", p, "--scheduler", "tcp://127.0.0.1:9"])
    assert res.exit_code == 2 and "--scheduler is for --executor dask" in res.output
    assert not (tmp_path / "out").exists()  # refused before anything was written


# ------------------------------------------------------------------------------ Dask

def test_dask_local_cluster_equals_local(tmp_path: Path) -> None:
    from lancang.processing.clean import clean_file

    pytest.importorskip("distributed")
    src = corpus(tmp_path / "in.jsonl", 4)
    p = pipeline(tmp_path, [CLEAN, ANNOTATE, {"step": "stats"}])
    summary = run_pipeline(p, executor="dask", jobs=2, processes=False)
    out = tmp_path / "out"
    want, rejects, cs, _ = verbs(src, tmp_path / "verbs", run_time(out))
    assert (out / "output.jsonl").read_bytes() == want
    assert (out / "rejects.jsonl").read_bytes() == rejects
    assert summary["steps"][0]["detail"] == cs.to_dict()

    # duplicates decided in the global phase, the shards cleaned by threads of one process at once
    filters = {"adequacy": False, "langid": False, "length-ratio": False}
    dask = run_pipeline(pipeline(tmp_path, [{"step": "clean", "filters": filters}], "p2.json", output="out2"),
                        executor="dask", jobs=2, processes=False)
    cs = clean_file(src, tmp_path / "c.jsonl", rejects=tmp_path / "r.jsonl", config=filters)
    assert cs.rejected_by["duplicates"] == 3 * 48  # the three copies of the sample
    assert dask["steps"][0]["detail"] == cs.to_dict()
    assert (tmp_path / "out2" / "output.jsonl").read_bytes() == (tmp_path / "c.jsonl").read_bytes()
    assert (tmp_path / "out2" / "rejects.jsonl").read_bytes() == (tmp_path / "r.jsonl").read_bytes()
    from lancang.processing.filters import FILTERS
    from lancang.processing.filters.dupes import Duplicates

    assert FILTERS.get("duplicates") is Duplicates  # the threads' decided filter is gone from the registry


def test_a_scheduler_that_does_not_answer(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    corpus(tmp_path / "in.jsonl", 1)
    p = pipeline(tmp_path, [CLEAN])
    t0 = time.monotonic()
    with pytest.raises(UsageError, match=r"--scheduler tcp://127.0.0.1:9: no Dask scheduler answered within 2 s"):
        run_pipeline(p, executor="dask", scheduler="tcp://127.0.0.1:9", timeout=2)
    assert time.monotonic() - t0 < 20


def test_duplicates_in_a_sharded_pipeline_equal_lancang_clean(tmp_path: Path) -> None:
    """The duplicates filter's global phase in `lancang run`: exact and near repeats across shards are
    rejected as one `lancang clean` rejects them; a resume reuses the decisions kept in the folder."""
    from lancang.processing.clean import clean_file
    from tests.pipeline.test_jobs import real_corpus

    src = real_corpus(tmp_path / "in.jsonl", repeats=60)
    filters = {"adequacy": False, "langid": False}
    p = pipeline(tmp_path, [{"step": "clean", "filters": filters}], shard_records=300)
    summary = run_pipeline(p, jobs=2)
    cs = clean_file(src, tmp_path / "clean.jsonl", rejects=tmp_path / "rejects.jsonl", config=filters)
    out = tmp_path / "out"
    assert cs.rejected_by["duplicates"] >= 60
    assert summary["steps"][0]["detail"] == cs.to_dict()
    assert (out / "output.jsonl").read_bytes() == (tmp_path / "clean.jsonl").read_bytes()
    assert (out / "rejects.jsonl").read_bytes() == (tmp_path / "rejects.jsonl").read_bytes()
    decided = Path(orjson.loads((out / "run.json").read_bytes())["fitted"]["0"]["decided"])
    assert decided.is_dir() and not (decided.parent / "shards").exists()
    with open(src, "ab") as f:  # an id repeated inside one shard: clean would name a line of the shard
        f.write(orjson.dumps({"id": "again-59", "sides": {"en": {"text": "Anything."}}}) + b"\n")
    with pytest.raises(UsageError, match=r"record id 'again-59' is in .* \(shard 000005\) and again in .*000005"):
        run_pipeline(pipeline(tmp_path, [{"step": "clean", "filters": filters}], shard_records=300,
                              output="out-2"), jobs=2)


def test_a_learning_clean_after_annotate_runs_as_a_second_stage(tmp_path: Path) -> None:
    """annotate -> clean (length-ratio learning, duplicates deciding over the whole): the clean step's
    global phases read the annotated output of every shard, and the output is the verbs one after the
    other, rejects included."""
    from lancang.annotators.pipeline import Pipeline, annotate_file
    from lancang.pipeline.spec import annotate_config
    from lancang.processing.clean import clean_file

    src = corpus(tmp_path / "in.jsonl", 4)  # the sample four times: copies the duplicates filter rejects
    filters = {"adequacy": False, "langid": False}
    summary = run_pipeline(pipeline(tmp_path, [ANNOTATE, {"step": "clean", "filters": filters}]), jobs=2)
    out = tmp_path / "out"
    p = Pipeline.build(annotate_config(ANNOTATE))
    p.time = run_time(out)
    annotate_file(src, tmp_path / "ann.jsonl", p)
    cs = clean_file(tmp_path / "ann.jsonl", tmp_path / "clean.jsonl", rejects=tmp_path / "rej.jsonl", config=filters)
    assert cs.rejected_by["duplicates"] >= 3 * 40
    assert (out / "output.jsonl").read_bytes() == (tmp_path / "clean.jsonl").read_bytes()
    assert (out / "rejects.jsonl").read_bytes() == (tmp_path / "rej.jsonl").read_bytes()
    assert summary["steps"][1]["detail"] == cs.to_dict()
