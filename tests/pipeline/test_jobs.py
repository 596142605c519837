"""``--jobs N`` on the one-off verbs (validate, check, annotate, clean): the same bytes for N=1 and N=2
on a real corpus (PUD zh-en and TALPCo vi-en from ../shared/data), counts merged exactly, and what a run
in parts refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from lancang.cli import main
from lancang.pipeline import oneoff
from tests.conftest import shared


def _talpco(name: str) -> dict[str, str]:
    path = shared("parallel", "talpco", name)
    rows = (line.split("\t", 1) for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line)
    return {k.strip(): v.strip() for k, v in rows}


def _pud(lang: str) -> list[str]:
    path = shared("parallel", "pud", f"{lang}_pud.conllu")
    head = "# text = "
    return [line[len(head):].strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith(head)]


def real_corpus(path: Path, repeats: int = 0, broken_at: int | None = None) -> Path:
    """PUD zh-en (300 pairs) and TALPCo vi-en (1,372 pairs) as lancang records; with ``repeats``, that
    many real pairs again later under new ids (exact duplicates); a line that is not JSON at ``broken_at``."""
    zh, en = _pud("zh"), _pud("en")
    vi, ven = _talpco("vie_data_vie.txt"), _talpco("eng_data_eng.txt")
    recs: list[dict[str, Any]] = [{"id": f"pud-{i}", "sides": {"zh-Hans": {"text": a}, "en": {"text": b}}}
                                  for i, (a, b) in enumerate(zip(zh, en))]
    recs += [{"id": f"talpco-{k}", "sides": {"vi": {"text": vi[k]}, "en": {"text": ven[k]}}} for k in vi if k in ven]
    recs += [{**recs[(i * 37) % len(recs)], "id": f"again-{i}"} for i in range(repeats)]
    with open(path, "wb") as f:
        for n, r in enumerate(recs, 1):
            f.write(b"{not json\n" if n == broken_at else orjson.dumps(r) + b"\n")
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return real_corpus(tmp_path_factory.mktemp("jobs") / "real.jsonl")


def run(*args: str) -> Any:
    res = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return res


def test_the_input_is_cut_into_several_parts(corpus: Path) -> None:
    parts = oneoff.parts_of(corpus, 2)
    assert len(parts) >= 4
    assert sum(p.lines for p in parts) == oneoff.count_lines(corpus) == 1672
    assert [p.line for p in parts] == [1 + sum(q.lines for q in parts[:i]) for i in range(len(parts))]


# ------------------------------------------------------------------------------------ annotate

def test_annotate_jobs_2_writes_the_bytes_of_jobs_1(corpus: Path, tmp_path: Path) -> None:
    from lancang.annotators.pipeline import Pipeline, PipelineConfig

    outs, stats = [], []
    for jobs in (1, 2):
        p = Pipeline.build(PipelineConfig(layers=("tokens", "sentences")))
        p.time = "2026-12-03T12:00:00Z"
        out = tmp_path / f"ann-{jobs}.jsonl"
        st = oneoff.annotate_file(corpus, out, p, jobs=jobs)
        outs.append(out.read_bytes())
        stats.append(st.to_dict())
    assert outs[0] == outs[1]
    assert stats[0] == stats[1]
    assert stats[0]["records"] == 1672 and stats[0]["layers"]


def test_annotate_cli_jobs_and_another_output_format(corpus: Path, tmp_path: Path) -> None:
    for jobs in ("1", "2"):
        res = run("annotate", corpus, tmp_path / f"a{jobs}.tmx", "--layers", "tokens", "--jobs", jobs)
        assert res.exit_code == 0, res.output
    # TMX keeps no layers, so its bytes do not depend on the annotation time
    assert (tmp_path / "a1.tmx").read_bytes() == (tmp_path / "a2.tmx").read_bytes()
    assert (tmp_path / "a1.tmx").read_bytes().count(b"<tu ") == 1672


def test_a_bad_line_is_named_in_the_input_not_the_part(tmp_path: Path) -> None:
    src = real_corpus(tmp_path / "bad.jsonl", broken_at=1400)
    res = run("annotate", src, tmp_path / "out.jsonl", "--jobs", "2", "--layers", "tokens")
    assert res.exit_code == 2
    assert f"{src}:1400" in res.output
    assert "input.jsonl" not in res.output and not (tmp_path / "out.jsonl").exists()


def test_a_repeated_id_is_refused_before_any_work(tmp_path: Path) -> None:
    src = real_corpus(tmp_path / "dup.jsonl")
    with open(src, "ab") as f:
        f.write(orjson.dumps({"id": "pud-3", "sides": {"en": {"text": "Again."}}}) + b"\n")
    for verb in (["annotate", src, tmp_path / "o.jsonl"], ["clean", src, tmp_path / "o.jsonl", "--rejects",
                                                           tmp_path / "r.jsonl", "--set", "duplicates=false"]):
        res = run(*verb, "--jobs", "2")
        assert res.exit_code == 2
        assert "record id 'pud-3'" in res.output and "--jobs 1" in res.output


# ------------------------------------------------------------------------------------ clean

def clean_twice(src: Path, folder: Path, *settings: str) -> dict[str, Any]:
    """`lancang clean --jobs 1` and `--jobs 2` with ``--set`` settings: the same kept records, rejects and
    summary; the summary."""
    docs = []
    for jobs in ("1", "2"):
        sets = [x for setting in settings for x in ("--set", setting)]
        res = run("clean", src, folder / f"c{jobs}.jsonl", "--rejects", folder / f"r{jobs}.jsonl", *sets,
                  "--jobs", jobs, "--format", "json")
        assert res.exit_code == 0, res.output
        docs.append(orjson.loads(res.stdout))
    assert (folder / "c1.jsonl").read_bytes() == (folder / "c2.jsonl").read_bytes()
    assert (folder / "r1.jsonl").read_bytes() == (folder / "r2.jsonl").read_bytes()
    assert docs[0] == docs[1]
    return docs[0]


def test_clean_cli_jobs_2_equals_jobs_1(corpus: Path, tmp_path: Path) -> None:
    doc = clean_twice(corpus, tmp_path, "duplicates=false", "adequacy=false")
    assert doc["rejected"] > 0 and doc["kept"] > 1000 and doc["learnt"]  # length-ratio learnt


def test_clean_with_adequacy_learns_once_over_the_whole_input(corpus: Path, tmp_path: Path) -> None:
    stats = []
    for jobs in (1, 2):
        st = oneoff.clean_file(corpus, tmp_path / f"c{jobs}.jsonl", rejects=tmp_path / f"r{jobs}.jsonl",
                               config={"duplicates": False, "langid": False}, jobs=jobs)
        stats.append(st.to_dict())
    assert (tmp_path / "c1.jsonl").read_bytes() == (tmp_path / "c2.jsonl").read_bytes()
    assert (tmp_path / "r1.jsonl").read_bytes() == (tmp_path / "r2.jsonl").read_bytes()
    assert stats[0] == stats[1]
    assert "adequacy" in stats[0]["learnt"]


def test_clean_jobs_logs_the_step_of_one_run(corpus: Path, tmp_path: Path) -> None:
    steps = []
    for jobs in ("1", "2"):
        m = tmp_path / f"m{jobs}.json"
        assert run("manifest", "init", corpus, "-o", m).exit_code == 0
        res = run("clean", corpus, tmp_path / "c.jsonl", "--rejects", tmp_path / "r.jsonl", "--set",
                  "duplicates=false", "--set", "adequacy=false", "--jobs", jobs, "--manifest", m)
        assert res.exit_code == 0, res.output
        log = orjson.loads(m.read_bytes())["processing"]
        steps.append([{k: v for k, v in s.items() if k not in ("time", "duration")} for s in log[1:]])
    assert steps[0] == steps[1] and steps[0][0]["step"] == "cleaning"


# ------------------------------------------------------------------------------------ validate

def test_validate_jobs_2_equals_jobs_1(tmp_path: Path) -> None:
    src = real_corpus(tmp_path / "v.jsonl", broken_at=1500)
    with open(src, "ab") as f:  # an invalid record late in the file: a finding with its line
        f.write(orjson.dumps({"id": "bad", "sides": {"en": {"text": "x", "tokens": [[0, 5]]}}}) + b"\n")
    outs = []
    for jobs in ("1", "2"):
        for fmt in ("text", "json"):
            res = run("validate", src, "--format", fmt, "--jobs", jobs, "--max-findings", "0")
            assert res.exit_code == 1
            outs.append(res.stdout)
    assert outs[0] == outs[2] and outs[1] == outs[3]
    assert f"{src}:1500" in outs[0] and f"{src}:1673" in outs[0]


def test_validate_a_file_with_a_repeated_id_in_one_process(tmp_path: Path) -> None:
    src = real_corpus(tmp_path / "v.jsonl")
    with open(src, "ab") as f:
        f.write(orjson.dumps({"id": "pud-3", "sides": {"en": {"text": "Again."}}}) + b"\n")
    outs = [run("validate", src, "--jobs", jobs).stdout for jobs in ("1", "2")]
    assert outs[0] == outs[1] and "duplicate-id" in outs[0] and "line 4" in outs[0]


# ------------------------------------------------------------------------------------ duplicates

def test_duplicates_in_parts_decide_as_one_clean(tmp_path: Path) -> None:
    """Exact repeats of real pairs (later, under new ids) and near ones (a word changed) across parts:
    hash-partitioned keys, then the filter's own decisions, give the rejects of one process."""
    src = real_corpus(tmp_path / "d.jsonl", repeats=80)
    with open(src, "ab") as f:  # near duplicates: a PUD pair with its last English word changed
        for i, line in enumerate(src.read_bytes().splitlines()[:300:10]):
            r = orjson.loads(line)
            words = r["sides"]["en"]["text"].split()
            r = {"id": f"near-{i}", "sides": {**r["sides"], "en": {"text": " ".join(words[:-1] + ["again."])}}}
            f.write(orjson.dumps(r) + b"\n")
    doc = clean_twice(src, tmp_path, "adequacy=false", "langid=false")
    by = {row["filter"]: row["rejected"] for row in doc["filters"]}
    assert by["duplicates"] >= 80 + 20
    reasons = [r["meta"]["clean"]["reasons"] for r in map(orjson.loads, (tmp_path / "r2.jsonl").read_bytes()
                                                            .splitlines())]
    kinds = {x["score"] for rs in reasons for x in rs if x["filter"] == "duplicates"}
    assert kinds == {"duplicate_of", "similarity"}  # exact and near both decided in the global phase


def test_the_partitions_find_every_shared_key(tmp_path: Path) -> None:
    """Phase 2 alone: the positions it groups include every record the filter calls a duplicate."""
    from lancang.pipeline.dedup import decide_duplicates
    from lancang.pipeline.parts import workspace

    src = real_corpus(tmp_path / "d.jsonl", repeats=30)
    parts = oneoff.parts_of(src, 2)
    config = {"adequacy": False, "langid": False}
    with workspace() as folder:
        out = decide_duplicates(parts, 2, {"filters": config, "options": {}}, folder)
        decided = {k: v for p in parts for k, v in orjson.loads((out / f"{p.index:06d}.json").read_bytes()).items()}
    assert {f"again-{i}" for i in range(30)} <= set(decided)
    assert all(v["duplicate_of"] for v in decided.values())


def test_repeated_ids_are_found_by_the_pool_and_named_in_order(tmp_path: Path) -> None:
    from lancang.pipeline.dedup import repeated_id
    from lancang.pipeline.shards import cross_shard_duplicate

    src = real_corpus(tmp_path / "ids.jsonl")
    parts = oneoff.parts_of(src, 2)
    assert repeated_id(parts, 2) is None
    with open(src, "ab") as f:  # the id of line 5 again at the end, and a line that is not a record
        f.write(b"[1, 2]\n" + orjson.dumps({"id": "pud-4", "sides": {"en": {"text": "Again."}}}) + b"\n")
    parts = oneoff.parts_of(src, 2)
    found = repeated_id(parts, 2)
    assert found == cross_shard_duplicate(parts, "jsonl", within=True)
    assert found[0] == "pud-4" and "shard 000000" in found[1] and f"shard {parts[-1].name}" in found[2]


@pytest.mark.parametrize("dedup", [True, False])
def test_the_corpus_filters_learn_in_the_pool_what_one_pass_learns(tmp_path: Path, dedup: bool) -> None:
    """The global phase of a clean in parts: length-ratio learns in the workers (with the duplicates
    filter's keys, or in a pass of its own) exactly what ``fit_states`` learns in one pass, in the same
    order of language pairs; a filter that cannot learn in parts (adequacy) learns in one pass."""
    from lancang.pipeline.fit import fit_clean
    from lancang.pipeline.parts import workspace
    from lancang.processing.clean import fit_states

    src = real_corpus(tmp_path / "fit.jsonl", repeats=40)
    config = {"adequacy": False, "langid": False, "duplicates": dedup}
    want = fit_states([src], config)
    assert len(want["length-ratio"]["pairs"]) >= 2  # (zh-en and vi-en: the order of pairs is part of the state)
    fit = ["length-ratio"] + (["duplicates"] if dedup else [])
    for jobs in (1, 2, 3):
        parts = oneoff.parts_of(src, jobs)
        with workspace() as folder:
            got = fit_clean({"filters": config, "fit": fit}, [str(src)], folder / "fit", "jsonl", None,
                            parts=parts, jobs=jobs, work=folder / "dedup")
            assert ("decided" in got) is dedup
        assert orjson.dumps(got["states"]) == orjson.dumps(want)  # values and key order
    # a learner that is not mergeable: the whole phase learns in one pass, as before
    from lancang.processing.filters import FILTERS

    assert FILTERS.get("length-ratio").mergeable and not FILTERS.get("adequacy").mergeable


def test_clean_jobs_2_learns_in_the_pool_and_keeps_the_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``clean --jobs 2`` never reads the whole input in the driver to learn: fit_states is not called."""
    import lancang.processing.clean as clean_mod

    src = real_corpus(tmp_path / "c.jsonl", repeats=25)
    one = clean_mod.clean_file(src, tmp_path / "k1.jsonl", rejects=tmp_path / "r1.jsonl",
                               config={"adequacy": False, "langid": False})

    def refuse(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("the driver learnt in one pass")

    monkeypatch.setattr(clean_mod, "fit_states", refuse)
    two = oneoff.clean_file(src, tmp_path / "k2.jsonl", rejects=tmp_path / "r2.jsonl",
                            config={"adequacy": False, "langid": False}, jobs=2)
    assert (tmp_path / "k1.jsonl").read_bytes() == (tmp_path / "k2.jsonl").read_bytes()
    assert (tmp_path / "r1.jsonl").read_bytes() == (tmp_path / "r2.jsonl").read_bytes()
    assert one.learnt == two.learnt and one.rejected_by == two.rejected_by


def test_components_are_those_of_a_union_find() -> None:
    """Phase 3's groups: min-label propagation gives every node its component's first node."""
    import random

    import numpy as np

    from lancang.pipeline.dedup import components

    rnd = random.Random(7)
    nodes = np.array(sorted(rnd.sample(range(1 << 40), 3000)), np.int64)
    pairs = [(rnd.randrange(3000), rnd.randrange(3000)) for _ in range(2000)]
    pairs += [(i, i + 1) for i in range(100, 400)]  # a long chain: many rounds of propagation
    edges = np.array([(nodes[a], nodes[b]) for a, b in pairs], np.int64)
    parent = list(range(3000))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        parent[max(ra, rb)] = min(ra, rb)
    want = [find(i) for i in range(3000)]  # (the root is the component's smallest node: union by min)
    assert components(nodes, edges).tolist() == want
    assert components(nodes, np.zeros((0, 2), np.int64)).tolist() == list(range(3000))
