"""`lancang merge` through click: summary, JSON stats, exit codes (0 with conflicts, 1 with --fail-on-conflict,
2 for bad input in one line), the processing log, and a Label Studio export read by its own reader."""

from __future__ import annotations

import copy
from pathlib import Path

import orjson
import pytest

from tests.conftest import write_jsonl
from tests.processing.test_merge import GOLD_MS2, GOLD_TH1, base_records, ents_of, read, review, spans_of, three_reviews


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, list[Path]]:
    b = base_records()
    base = write_jsonl(tmp_path / "machine.jsonl", b)
    names = ("alice", "bob", "carol")
    return base, [write_jsonl(tmp_path / f"{n}.jsonl", r) for n, r in zip(names, three_reviews(b))]


def test_merge_reports_conflicts_and_exits_0(cli, files: tuple[Path, list[Path]], tmp_path: Path) -> None:
    base, (alice, bob, _carol) = files
    out = tmp_path / "merged.jsonl"
    res = cli("merge", str(base), str(alice), str(bob), "-o", str(out))
    assert res.exit_code == 0, res.output
    assert f"{base} + 2 reviewed -> {out}: 4 records, 2 reviewed (4 reviews, policy first); layers corrected 2" \
        in res.output
    assert "conflicts: disagreement 1" in res.output
    assert f"{base}:2 [r2] side ms entities: disagreement between alice, bob (1 not held by all)" in res.output
    merged = read(out)
    assert [r["id"] for r in merged] == ["r1", "r2", "r3", "r4"]
    assert ents_of(merged[1], "ms") == spans_of(base_records()[1], "ms", GOLD_MS2)


def test_fail_on_conflict_exits_1(cli, files: tuple[Path, list[Path]], tmp_path: Path) -> None:
    base, (alice, bob, _carol) = files
    out = tmp_path / "merged.jsonl"
    assert cli("merge", str(base), str(alice), "-o", str(out), "--fail-on-conflict").exit_code == 0
    res = cli("merge", str(base), str(alice), str(bob), "-o", str(out), "--fail-on-conflict")
    assert res.exit_code == 1 and out.exists()


def test_json_stats_on_stdout(cli, files: tuple[Path, list[Path]], tmp_path: Path) -> None:
    base, reviews = files
    out = tmp_path / "merged.jsonl"
    res = cli("merge", str(base), *map(str, reviews), "-o", str(out), "--policy", "majority", "--format", "json",
              "--no-progress")
    assert res.exit_code == 0, res.output
    doc = orjson.loads(res.stdout)
    assert doc["policy"] == "majority" and doc["records"] == 4 and doc["reviewed"] == 2 and doc["reviews"] == 6
    assert doc["conflicts"] == {"disagreement": 2, "tie": 0, "text-changed": 0}
    assert doc["layers"] == {"accepted": 0, "corrected": 2, "rejected": 0}
    assert {c["record"] for c in doc["conflict_list"]} == {"r1", "r2"} and doc["orphans"] == {"count": 0, "ids": []}
    merged = read(out)
    assert ents_of(merged[0], "th") == spans_of(base_records()[0], "th", GOLD_TH1)


def test_curator_and_manifest(cli, files: tuple[Path, list[Path]], tmp_path: Path) -> None:
    base, reviews = files
    m = tmp_path / "manifest.json"
    assert cli("manifest", "init", str(base), "-o", str(m), "--license", "CC-BY-4.0", "--source", "x").exit_code == 0
    out = tmp_path / "merged.jsonl"
    res = cli("merge", str(base), *map(str, reviews), "-o", str(out), "--policy", "curator", "--curator", "carol",
              "--manifest", str(m))
    assert res.exit_code == 0, res.output
    step = orjson.loads(m.read_bytes())["processing"][-1]
    assert step["step"] == "review" and step["settings"] == {"policy": "curator", "layers": ["entities"],
                                                             "curator": "carol"}
    assert read(out)[0]["sides"]["th"]["layers"]["entities"]["provenance"]["annotator"] == "carol"


def test_orphans_are_listed(cli, files: tuple[Path, list[Path]], tmp_path: Path) -> None:
    base, _ = files
    ghost = copy.deepcopy(base_records()[1])
    ghost["id"] = "r77"
    rv = write_jsonl(tmp_path / "late.jsonl", [review(ghost, "dewi", {"ms": GOLD_MS2})])
    res = cli("merge", str(base), str(rv), "-o", str(tmp_path / "m.jsonl"))
    assert res.exit_code == 0
    assert "orphans: reviews of 1 record id(s) BASE lacks, not merged: r77" in res.output
    assert cli("merge", str(base), str(rv), "-o", str(tmp_path / "m.jsonl"), "--fail-on-conflict").exit_code == 1


@pytest.mark.parametrize("case", ["side", "same-reviewer", "curator", "json-stdout", "missing"])
def test_bad_input_is_one_line_exit_2(cli, files: tuple[Path, list[Path]], tmp_path: Path, case: str) -> None:
    base, (alice, _bob, _carol) = files
    out = tmp_path / "merged.jsonl"
    args = [str(base), str(alice), "-o", str(out)]
    if case == "side":
        r = review(base_records()[1], "eko", {"ms": GOLD_MS2})
        r["sides"]["tl"] = r["sides"].pop("ms")
        args[1] = str(write_jsonl(tmp_path / "eko.jsonl", [r]))
        expect = "side 'tl', which record 'r2' of BASE"
    elif case == "same-reviewer":
        args.insert(2, str(alice))
        expect = "reviewer 'alice' reviewed record 'r1' twice"
    elif case == "curator":
        args += ["--policy", "curator"]
        expect = "--policy curator needs --curator REVIEWER"
    elif case == "json-stdout":
        args[-1] = "-"
        args += ["--format", "json"]
        expect = "--format json writes the summary to standard output"
    else:
        args[1] = str(tmp_path / "nobody.jsonl")
        expect = "nobody.jsonl"
    res = cli("merge", *args)
    assert res.exit_code == 2, res.output
    assert expect in res.output and "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert not out.exists()


def test_a_label_studio_export_merges_through_its_reader(cli, tmp_path: Path) -> None:
    """Today's one-side loop: BASE -> Label Studio tasks (machine entities as predictions) -> a reviewer's
    export (annotations with completed_by and parent_prediction) -> merge, reviewer read from completed_by."""
    recs = []
    for rec in base_records()[1::2]:  # the Indonesian sides of r2 and r4
        recs.append({"id": rec["id"], "sides": {"id": rec["sides"]["id"]}})
    base = write_jsonl(tmp_path / "machine.jsonl", recs)
    tasks = tmp_path / "tasks.ls.json"
    assert cli("convert", str(base), str(tasks), "--allow-loss").exit_code == 0  # tasks hold no tokens
    exported = []
    for task in orjson.loads(tasks.read_bytes()):
        [pred] = task.pop("predictions")
        result = copy.deepcopy(pred["result"])
        if task["id"] == "r4":  # the reviewer relabels Universitas Malaya
            result[0]["value"]["labels"] = ["LOC"]
        task["annotations"] = [{"id": 11, "completed_by": {"id": 3, "email": "alice@example.org"}, "result": result,
                                "parent_prediction": pred.get("id", 1), "created_at": "2026-12-02T10:00:00.000000Z"}]
        exported.append(task)
    export = tmp_path / "alice.ls.json"
    export.write_bytes(orjson.dumps(exported))
    out = tmp_path / "merged.jsonl"
    res = cli("merge", str(base), str(export), "-o", str(out))
    assert res.exit_code == 0, res.output
    merged = read(out)
    assert [r["id"] for r in merged] == ["r2", "r4"]
    r2, r4 = (m["sides"]["id"]["layers"]["entities"] for m in merged)
    assert ents_of(merged[0], "id") == ents_of(recs[0], "id")  # region ids aside, the machine's entities
    assert r2["provenance"]["method"] == "assisted" and r2["provenance"]["tool"]["name"] == "crf-ner"
    assert "annotator" not in r2["provenance"]  # the machine's layer, accepted as it was: alice reviewed it
    assert r2["provenance"]["review"] == {"status": "accepted", "reviewer": "alice@example.org"}
    assert r4["provenance"]["review"]["status"] == "corrected" and r4["items"][0]["label"] == "LOC"
    assert r4["provenance"]["annotator"] == "alice@example.org"  # her correction, reviewed by no one else
    assert merged[0]["sides"]["id"]["layers"]["tokens"] == recs[0]["sides"]["id"]["layers"]["tokens"]


def test_a_merged_sample_is_inspected(cli, tmp_path: Path) -> None:
    """sample -> two reviewers' verdicts -> merge (majority) -> inspect reads the merged meta.review."""
    from itertools import islice

    from lancang.corpora.formats import read_corpus
    from tests.conftest import shared

    corpus = write_jsonl(tmp_path / "corpus.jsonl",
                         list(islice(read_corpus(shared("ner", "id_idner2k", "dev.txt"), "conll", ["id"]), 200)))
    sample = tmp_path / "sample.jsonl"
    res = cli("sample", str(corpus), str(sample), "--aql", "2.5", "--seed", "7")
    assert res.exit_code == 0, res.output
    drawn = read(sample)
    files = []
    for who in ("alice", "bob"):
        rs = []
        for k, rec in enumerate(drawn):
            fail = k == 0 or (who == "bob" and k == 1)  # both fail the first record, bob alone the second
            text_only = {tag: {"text": side["text"]} for tag, side in rec["sides"].items()}  # a verdict, no layers
            rs.append({"id": rec["id"], "sides": text_only, "meta": {"review": {
                "reviewer": who, "verdict": "fail" if fail else "pass",
                "defects": [{"type": "missing-entity"}] if fail else []}}})
        files.append(write_jsonl(tmp_path / f"{who}.jsonl", rs))
    merged = tmp_path / "merged.jsonl"
    res = cli("merge", str(sample), *map(str, files), "-o", str(merged), "--policy", "majority")
    assert res.exit_code == 0, res.output
    out = read(merged)
    assert [r["meta"]["review"]["verdict"] for r in out[:3]] == ["fail", "fail", "pass"]  # a 1-1 tie fails
    assert out[0]["meta"]["sample"] == drawn[0]["meta"]["sample"]
    res = cli("inspect", str(merged), "--format", "json")
    doc = orjson.loads(res.stdout)
    assert doc["inspection"]["reviewed"] == len(drawn) and doc["inspection"]["defective"] == 2, res.output


def test_a_bilingual_label_studio_export_with_two_reviewers(cli, tmp_path: Path) -> None:
    """The bilingual loop: zh-Hans–th and id–ms records -> one Label Studio task each (machine entities and
    links as the prediction) -> Label Studio renumbers the tasks; alice and bob each submit an annotation
    with a verdict -> merge reads the export by its reader and finds BASE's records by meta.lancang_id."""
    from tests.processing.test_merge import ALIGNER, MACHINE

    b = base_records()[:2]
    for rec in b:
        for lk in rec["links"]:
            lk["provenance"] = ALIGNER
    base = write_jsonl(tmp_path / "machine.jsonl", b)
    tasks = tmp_path / "tasks.ls.json"
    res = cli("convert", str(base), str(tasks), "--allow-loss")  # the record's doc has no place in a task
    assert res.exit_code == 0, res.output
    th = b[0]["sides"]["th"]["text"]
    ms = b[1]["sides"]["ms"]["text"]

    def region(n: int, text: str, s: int, e: int, label: str, rid: str) -> dict:
        return {"id": rid, "from_name": f"label_{n}", "to_name": f"text_{n}", "type": "labels",
                "value": {"start": s, "end": e, "text": text[s:e], "labels": [label]}}  # BMP text: UTF-16 = code points

    exported = []
    for k, task in enumerate(orjson.loads(tasks.read_bytes())):
        [pred] = task["predictions"]
        task["id"] = 9000 + k  # Label Studio renumbers tasks on import
        anns = []
        for j, who in enumerate(("alice", "bob")):
            result = [r for r in copy.deepcopy(pred["result"])
                      if not (r.get("to_name") == "text_2" and r.get("value", {}).get("labels") == ["LOC"])]
            if k == 0:  # th: ประเทศไทย is no LOC; ธนาคารแห่งประเทศไทย is an ORG (bob misses it), กรุงเทพฯ a LOC
                result.append(region(2, th, 43, 51, "LOC", f"{who}-loc"))
                if who == "alice":
                    result.append(region(2, th, 22, 41, "ORG", "alice-org"))
            else:  # ms: Kuala Lumpur is a LOC
                result.append(region(2, ms, 29, 41, "LOC", f"{who}-kl"))
            result.append({"id": f"{who}-v", "from_name": "verdict", "to_name": "text_1", "type": "choices",
                           "value": {"choices": ["fail"]}})
            anns.append({"id": 100 * (k + 1) + j, "completed_by": {"id": j + 1, "email": f"{who}@example.org"},
                         "result": result, "parent_prediction": pred.get("id"),
                         "created_at": f"2026-12-02T1{j}:00:00.000000Z"})
        task["annotations"] = anns
        exported.append(task)
    export = tmp_path / "export.ls.json"
    export.write_bytes(orjson.dumps(exported))
    out = tmp_path / "merged.jsonl"
    res = cli("merge", str(base), str(export), "-o", str(out), "--format", "json")
    assert res.exit_code == 0, res.output
    doc = orjson.loads(res.stdout)
    assert doc["records"] == 2 and doc["reviewed"] == 2 and doc["reviews"] == 4 and doc["orphans"]["count"] == 0
    assert doc["conflicts"] == {"disagreement": 1, "tie": 0, "text-changed": 0}  # bob missed the ORG
    merged = read(out)
    assert sorted(ents_of(merged[0], "th")) == spans_of(b[0], "th", GOLD_TH1)  # first: alice's
    assert sorted(ents_of(merged[1], "ms")) == spans_of(b[1], "ms", GOLD_MS2)
    assert merged[0]["links"] == b[0]["links"] and merged[0]["doc"] == "news-1"  # not asked, not lost
    lay = merged[0]["sides"]["th"]["layers"]["entities"]
    assert lay["provenance"]["method"] == "assisted" and lay["provenance"]["tool"] == MACHINE["tool"]
    assert lay["provenance"]["annotator"] == "alice@example.org"
    assert lay["provenance"]["review"]["status"] == "corrected"
    zh = merged[0]["sides"]["zh-Hans"]["layers"]["entities"]["provenance"]["review"]
    assert zh["status"] == "rejected"  # unchanged under a fail verdict
    assert merged[0]["meta"]["review"]["verdict"] == "fail"
    assert [r["reviewer"] for r in merged[0]["meta"]["review"]["reviews"]] == ["alice@example.org", "bob@example.org"]
    res = cli("merge", str(base), str(export), "-o", str(out), "--policy", "majority")
    assert res.exit_code == 0 and "tie" in res.output
    assert ents_of(read(out)[0], "th") == spans_of(b[0], "th", [(0, 1, "PER"), (7, 8, "LOC")])  # ORG: 1 of 2
    res = cli("merge", str(base), str(export), "-o", str(out), "--layers", "entities,links")
    assert res.exit_code == 0, res.output
    links = read(out)[0]["links"]
    assert [lk.get("pairs") or lk.get("beads") for lk in links] == \
        [lk.get("pairs") or lk.get("beads") for lk in b[0]["links"]]
    assert {lk["provenance"]["review"]["status"] for lk in links} == {"rejected"}  # unchanged, verdict fail
    assert {lk["provenance"]["method"] for lk in links} == {"auto"}
