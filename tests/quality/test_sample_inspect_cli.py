"""`lancang sample` and `lancang inspect` end to end on the bundled sample corpus (real PUD and TALPCo text)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest

from lancang.corpora.samples import sample_path
from lancang.quality import sampling as smp
from lancang.schemas import load_schema
from lancang.schemas.validator import RecordValidator
from tests.conftest import write_jsonl

CORPUS = sample_path()
LOT = sum(1 for _ in CORPUS.open("rb"))


def read(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(x) for x in path.read_bytes().splitlines()]


def metrics_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(load_schema("metrics"))


def test_plan_only_text_and_json(cli) -> None:
    res = cli("sample", "--plan-only", "--lot-size", "10000", "--aql", "1.0", "--level", "II")
    assert res.exit_code == 0 and "code letter L" in res.stdout and "sample size 200, Ac 5, Re 6" in res.stdout
    res = cli("sample", "--plan-only", "--lot-size", "10000", "--aql", "0.10", "--format", "json")
    plan = json.loads(res.stdout)
    assert (plan["code_letter"], plan["arrow"], plan["plan_letter"], plan["sample_size"], plan["ac"], plan["re"]) == \
        ("L", "↑", "K", 125, 0, 1)
    schema = load_schema("metrics")
    jsonschema.validate(plan, {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/plan"})
    res = cli("sample", "--plan-only", str(CORPUS), "--aql", "2.5")  # lot size counted from the corpus
    assert f"lot size {LOT}" in res.stdout


@pytest.mark.parametrize("args,msg", [
    (["--lot-size", "0", "--aql", "1.0"], "lot size is 0"),
    (["--lot-size", "100", "--aql", "0.7"], "AQL 0.7 is not in the GB/T 2828.1 tables"),
    (["--lot-size", "100"], "either --aql"),
    (["--lot-size", "100", "--aql", "1.0", "--plan", "tc260-003-9.2-manual"], "either --aql"),
    (["--aql", "1.0"], "--lot-size"),
])
def test_plan_only_bad_input(cli, args: list[str], msg: str) -> None:
    res = cli("sample", "--plan-only", *args)
    assert res.exit_code == 2 and msg in res.stderr and "Traceback" not in res.stderr


def test_draw_jsonl(cli, tmp_path: Path) -> None:
    out = tmp_path / "review.jsonl"
    res = cli("sample", str(CORPUS), str(out), "--aql", "1.0", "--seed", "7")
    assert res.exit_code == 0, res.stderr
    plan = smp.gb2828_plan(LOT, "1.0")
    recs = read(out)
    assert len(recs) == plan.sample_size == 13  # 48 records: code D, 1.0 is ↓ to E (13)
    ids = [json.loads(x)["id"] for x in CORPUS.read_text(encoding="utf-8").splitlines()]
    positions = [r["meta"]["sample"]["position"] for r in recs]
    assert positions == sorted(positions) and [ids[p - 1] for p in positions] == [r["id"] for r in recs]
    for r in recs:
        assert r["meta"]["review"] == {"verdict": None, "defects": [], "reviewer": None, "time": None, "note": None}
        assert r["meta"]["sample"]["plan"] == plan.to_dict() and r["meta"]["sample"]["seed"] == 7
        assert RecordValidator().check(r) == []
    again = tmp_path / "again.jsonl"
    cli("sample", str(CORPUS), str(again), "--aql", "1.0", "--seed", "7")
    assert again.read_bytes() == out.read_bytes()
    other = tmp_path / "other.jsonl"
    cli("sample", str(CORPUS), str(other), "--aql", "1.0", "--seed", "8")
    assert other.read_bytes() != out.read_bytes()
    assert "seed 7" in res.stderr


def test_draw_from_stdin_is_spooled(cli, tmp_path: Path) -> None:
    data = CORPUS.read_bytes()
    res = cli("sample", "-", str(tmp_path / "o.jsonl"), "--aql", "1.0", "--seed", "1", input=data)
    assert res.exit_code == 0, res.stderr  # counted from a temporary copy, then drawn
    assert cli("sample", str(CORPUS), str(tmp_path / "f.jsonl"), "--aql", "1.0", "--seed", "1").exit_code == 0
    got, want = read(tmp_path / "o.jsonl"), read(tmp_path / "f.jsonl")
    assert len(got) == 13 and [(r["id"], r["meta"]["sample"]["position"]) for r in got] == \
        [(r["id"], r["meta"]["sample"]["position"]) for r in want]
    res = cli("sample", "-", str(tmp_path / "o.jsonl"), "--aql", "1.0", "--lot-size", str(LOT), "--seed", "1",
              input=data)
    assert res.exit_code == 0 and len(read(tmp_path / "o.jsonl")) == 13
    res = cli("sample", "-", str(tmp_path / "p.jsonl"), "--aql", "1.0", "--lot-size", "50", "--seed", "1", input=data)
    assert res.exit_code == 2 and "not the lot size 50" in res.stderr
    assert not (tmp_path / "p.jsonl").exists()  # nothing half-written


def test_empty_corpus_and_bad_line(cli, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    res = cli("sample", str(empty), str(tmp_path / "o.jsonl"), "--aql", "1.0")
    assert res.exit_code == 2 and "lot size 0" in res.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(CORPUS.read_bytes() + b"{oops\n")
    res = cli("sample", str(bad), str(tmp_path / "o.jsonl"), "--aql", "1.0")
    assert res.exit_code == 2 and f"bad.jsonl:{LOT + 1}" in res.stderr


def test_fixed_plan_draw(cli, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    res = cli("sample", str(CORPUS), str(out), "--plan", "tc260-003-9.2-manual", "--seed", "3")
    assert res.exit_code == 0
    recs = read(out)
    assert len(recs) == LOT  # fewer than 4000 records: every one is inspected
    assert recs[0]["meta"]["sample"]["plan"]["full_inspection"] is True


def test_labelstudio_sample_through_the_format_writer(cli, tmp_path: Path) -> None:
    from lancang.corpora.formats import get_format

    text = "𠀀𠀁住在北京。"  # two characters outside the BMP (two UTF-16 units each) before the entity
    rec = {"id": "x1", "sides": {"zh-Hans": {"text": text, "layers": {
        "tokens": {"spans": [[0, 1], [1, 2], [2, 3], [3, 4], [4, 6], [6, 7]]},
        "entities": {"items": [{"start": 4, "end": 6, "label": "LOC"}],
                     "provenance": {"method": "manual", "annotator": "ann-1"}}}},
                                 "vi": {"text": "Sống ở Bắc Kinh."}}}
    corpus = write_jsonl(tmp_path / "c.jsonl", [rec, {**rec, "id": "x2"}])
    out = tmp_path / "tasks.json"
    res = cli("sample", str(corpus), "-o", str(out), "--aql", "1.0", "--format", "labelstudio", "--seed", "1")
    assert res.exit_code == 0, res.stderr
    tasks = json.loads(out.read_text(encoding="utf-8"))
    # one task per record with every side (issue 16), the record id kept for Label Studio's renumbering
    assert [t["id"] for t in tasks] == ["x1", "x2"]
    assert tasks[0]["data"] == {"text_1": text, "text_2": "Sống ở Bắc Kinh."}
    assert tasks[0]["meta"]["lancang_langs"] == ["zh-Hans", "vi"] and tasks[0]["meta"]["lancang_id"] == "x1"
    [ann] = tasks[0]["annotations"]
    [ent] = ann["result"]
    assert (ent["from_name"], ent["to_name"]) == ("label_1", "text_1")
    assert ent["value"]["start"] == 6 and ent["value"]["end"] == 8 and ent["value"]["labels"] == ["LOC"]
    units = text.encode("utf-16-le")
    assert units[2 * 6:2 * 8].decode("utf-16-le") == ent["value"]["text"] == "北京"
    assert ann["completed_by"] == "ann-1"
    assert tasks[1]["meta"]["sample"]["position"] == 2 and tasks[1]["meta"]["review"]["verdict"] is None
    # the one Label Studio reader gives the sampled records back, sample and review slots included
    back = list(get_format("labelstudio").read(out))
    assert [r["id"] for r in back] == ["x1", "x2"]
    assert back[0]["sides"]["zh-Hans"]["layers"]["tokens"] == rec["sides"]["zh-Hans"]["layers"]["tokens"]
    item = back[0]["sides"]["zh-Hans"]["layers"]["entities"]["items"][0]
    assert (item["start"], item["end"], item["label"]) == (4, 6, "LOC")
    assert back[0]["meta"]["sample"]["plan"] == smp.gb2828_plan(2, "1.0").to_dict()


def test_one_label_studio_writer() -> None:
    """The house issue's done-criterion: no second Label Studio task writer or UTF-16 code in lancang."""
    import re

    root = Path(smp.__file__).resolve().parents[1]
    hits = [str(f) for f in root.rglob("*.py") if re.search(r"labelstudio_tasks|_utf16", f.read_text(encoding="utf-8"))]
    assert hits == []


def _review(path: Path, out: Path, verdicts: dict[int, Any], reviewer: str = "rev-1") -> Path:
    recs = read(path)
    for k, r in enumerate(recs):
        v = verdicts.get(k, "pass")
        if v is not None:
            r["meta"]["review"]["verdict"] = v if isinstance(v, str) else v[0]
            if not isinstance(v, str):
                r["meta"]["review"]["defects"] = v[1]
            r["meta"]["review"]["reviewer"] = reviewer
        else:
            r["meta"]["review"]["verdict"] = None
    return write_jsonl(out, recs)


@pytest.fixture
def drawn(cli, tmp_path: Path) -> Path:
    out = tmp_path / "review.jsonl"
    assert cli("sample", str(CORPUS), str(out), "--aql", "6.5", "--seed", "11").exit_code == 0
    return out  # 48 records, D, 6.5: 1/2 with n = 8


def test_inspect_accept_and_reject(cli, drawn: Path, tmp_path: Path) -> None:
    plan = smp.gb2828_plan(LOT, "6.5")
    assert (plan.sample_size, plan.ac, plan.re) == (8, 1, 2)
    wrong = {"type": "wrong-token", "layer": "tokens", "side": "en"}
    ok = _review(drawn, tmp_path / "ok.jsonl", {2: ("fail", [wrong])})
    res = cli("inspect", str(ok))
    assert res.exit_code == 0 and "ACCEPT" in res.stdout
    res = cli("inspect", str(ok), "--format", "json", "-o", str(tmp_path / "m.json"))
    doc = json.loads(res.stdout)
    assert doc == json.loads((tmp_path / "m.json").read_text())
    assert list(metrics_validator().iter_errors(doc)) == []
    insp = doc["inspection"]
    assert (insp["reviewed"], insp["defective"], insp["defects"], insp["ac"], insp["decision"]) == \
        (8, 1, 1, 1, "accept")
    rec2 = read(ok)[2]
    en_annotators = {smp._who(lay.get("provenance")) for lay in rec2["sides"]["en"]["layers"].values()} - {None}
    for who in en_annotators:
        assert insp["per_annotator"][who]["defects"] >= 1 and insp["per_annotator"][who]["defective"] >= 1
    assert sum(c["records"] for c in insp["per_annotator"].values()) >= 8
    bad = _review(drawn, tmp_path / "bad.jsonl", {0: ("fail", ["missing-entity"]), 5: ("fail", [])})
    res = cli("inspect", str(bad))
    assert res.exit_code == 1 and "REJECT" in res.stdout


def test_inspect_counts_nonconformities(cli, tmp_path: Path) -> None:
    out = tmp_path / "s.jsonl"
    cli("sample", str(CORPUS), str(out), "--aql", "10", "--count", "nonconformities", "--seed", "2")
    plan = smp.gb2828_plan(LOT, "10", count="nonconformities")  # D/10: 2/3, n = 8
    r = _review(out, tmp_path / "r.jsonl", {0: ("fail", ["a", "b", "c"])})
    res = cli("inspect", str(r), "--format", "json")
    insp = json.loads(res.stdout)["inspection"]
    assert (insp["defective"], insp["nonconformities"], insp["defects"]) == (1, 3, 3)
    assert insp["decision"] == plan.decide(3) == "reject" and res.exit_code == 1


def test_inspect_missing_verdicts(cli, drawn: Path, tmp_path: Path) -> None:
    r = _review(drawn, tmp_path / "r.jsonl", {1: None, 4: None})
    recs = read(r)
    res = cli("inspect", str(r))
    assert res.exit_code == 2
    assert "2 of 8 sampled records have no verdict" in res.stderr
    assert f"r.jsonl:2 [{recs[1]['id']}]" in res.stderr and f"r.jsonl:5 [{recs[4]['id']}]" in res.stderr


@pytest.mark.parametrize("change,msg", [
    (lambda recs: recs[0]["meta"]["review"].update(verdict="ok"), "use one of pass, fail"),
    (lambda recs: recs[0]["meta"]["review"].update(defects=["x"]), "verdict is pass but 1 defect"),
    (lambda recs: recs[0]["meta"]["review"].update(verdict="fail", defects=[{"type": "x", "colour": 1}]),
     "unknown key(s) colour"),
    (lambda recs: recs[0]["meta"]["sample"]["plan"].update(ac=5), "does not match"),
    (lambda recs: recs[1]["meta"]["sample"].update(plan={**recs[1]["meta"]["sample"]["plan"], "aql": "1.0"}),
     "differs from the first record"),
    (lambda recs: recs.pop(), "sample size is 8"),
    (lambda recs: recs[3]["meta"].pop("sample"), "no meta.sample.plan"),
    (lambda recs: recs.__setitem__(5, recs[2]), "appears twice in the sample"),
])
def test_inspect_bad_reviews(cli, drawn: Path, tmp_path: Path, change, msg: str) -> None:
    recs = read(_review(drawn, tmp_path / "r.jsonl", {}))
    change(recs)
    path = write_jsonl(tmp_path / "x.jsonl", recs)
    res = cli("inspect", str(path))
    assert res.exit_code == 2 and msg in res.stderr, res.stderr


def test_reviewer_who_annotated_is_flagged(cli, drawn: Path, tmp_path: Path) -> None:
    recs = read(drawn)
    who = min(smp.record_annotators(recs[0]))
    r = _review(drawn, tmp_path / "r.jsonl", {}, reviewer=who)
    insp = json.loads(cli("inspect", str(r), "--format", "json").stdout)["inspection"]
    assert insp["reviewer_is_annotator_count"] >= 1 and insp["reviewer_is_annotator"][0]["reviewer"] == who


# ------------------------------------------------------------------- inspections verified, not believed

def sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def sampling_profile(tmp_path: Path, aql: str) -> Path:
    p = tmp_path / "prof.json"
    p.write_bytes(orjson.dumps({
        "profile": "lancang/profile/1", "id": "sampled", "title": {"en": "sampled"}, "issuer": "test",
        "level": "project", "status": "draft",
        "requirements": [{"id": "sample", "clause": "9", "basis": "default", "kind": "sampling", "title": "s",
                          "plan": {"scheme": "gb-t-2828.1", "aql": float(aql), "level": "II"}}]}))
    return p


def test_inspect_verified_against_the_corpus_is_accepted_by_check(cli, drawn: Path, tmp_path: Path) -> None:
    ok = _review(drawn, tmp_path / "ok.jsonl", {3: ("fail", ["entity-span"])})
    m = tmp_path / "m.json"
    res = cli("inspect", str(ok), "--corpus", str(CORPUS), "-o", str(m))
    assert res.exit_code == 0 and "ACCEPT" in res.stdout and "--corpus" not in res.stderr, res.stderr
    doc = json.loads(m.read_text(encoding="utf-8"))
    assert list(metrics_validator().iter_errors(doc)) == []
    assert doc["inputs"] == [{"path": str(ok), "sha256": sha256(ok)}, {"path": str(CORPUS), "sha256": sha256(CORPUS)}]
    assert doc["settings"] == {"seed": 11, "verified": True}
    prof = sampling_profile(tmp_path, "6.5")
    res = cli("check", str(CORPUS), "-p", str(prof), "--metrics", str(m))
    assert res.exit_code == 0, res.stdout + res.stderr
    # without --corpus: said on stderr, and check refuses the document (it does not name the corpus)
    m2 = tmp_path / "m2.json"
    res = cli("inspect", str(ok), "-o", str(m2))
    assert res.exit_code == 0 and "--corpus" in res.stderr and "check --metrics" in res.stderr
    assert json.loads(m2.read_text(encoding="utf-8"))["settings"]["verified"] is False
    res = cli("check", str(CORPUS), "-p", str(prof), "--metrics", str(m2))
    assert res.exit_code == 2 and "not on" in res.stderr


def _swap(drawn: Path, tmp_path: Path, keep_position: bool) -> tuple[Path, str]:
    """The reviewers' file with its two failing records: the first one replaced by a passing record the
    seed did not draw (at its own position, or pretending to sit at the failing record's position)."""
    recs = read(_review(drawn, tmp_path / "r.jsonl", {0: ("fail", ["x"]), 1: ("fail", ["y"])}))
    corpus = read(CORPUS)
    drawn_pos = {r["meta"]["sample"]["position"] for r in recs}
    q = next(k for k in range(1, LOT + 1) if k not in drawn_pos)
    new = corpus[q - 1]
    new["meta"] = {**new.get("meta", {}), "sample": {**recs[0]["meta"]["sample"]},
                   "review": {**recs[2]["meta"]["review"]}}
    if not keep_position:
        new["meta"]["sample"]["position"] = q
    recs[0] = new
    recs.sort(key=lambda r: r["meta"]["sample"]["position"])
    return write_jsonl(tmp_path / "swapped.jsonl", recs), new["id"]


@pytest.mark.parametrize("keep_position,msg", [(False, "is not one that seed 11 draws"), (True, "holds record")])
def test_inspect_catches_a_swapped_record(cli, drawn: Path, tmp_path: Path, keep_position: bool, msg: str) -> None:
    path, swapped = _swap(drawn, tmp_path, keep_position)
    assert cli("inspect", str(path)).exit_code == 0  # believed without the corpus: 1 defect, Ac 1
    res = cli("inspect", str(path), "--corpus", str(CORPUS))
    assert res.exit_code == 2 and msg in res.stderr and repr(swapped) in res.stderr, res.stderr
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_inspect_refuses_another_corpus(cli, drawn: Path, tmp_path: Path) -> None:
    ok = _review(drawn, tmp_path / "ok.jsonl", {})
    lines = CORPUS.read_bytes().splitlines(keepends=True)
    short = tmp_path / "short.jsonl"
    short.write_bytes(b"".join(lines[:-1]))
    res = cli("inspect", str(ok), "--corpus", str(short))
    assert res.exit_code == 2 and f"has {LOT - 1} records, not the sample's lot size {LOT}" in res.stderr
    longer = tmp_path / "long.jsonl"
    extra = orjson.loads(lines[0])
    extra["id"] = "extra"
    longer.write_bytes(b"".join(lines) + orjson.dumps(extra) + b"\n")
    res = cli("inspect", str(ok), "--corpus", str(longer))
    assert res.exit_code == 2 and f"more than {LOT} records" in res.stderr
    renamed = tmp_path / "renamed.jsonl"
    recs = read(CORPUS)
    for r in recs:
        r["id"] = "other-" + r["id"]
    write_jsonl(renamed, recs)
    res = cli("inspect", str(ok), "--corpus", str(renamed))
    assert res.exit_code == 2 and "holds record 'other-" in res.stderr
    # the sample checked in the order it was drawn
    rev = list(reversed(read(ok)))
    res = cli("inspect", str(write_jsonl(tmp_path / "rev.jsonl", rev)), "--corpus", str(CORPUS))
    assert res.exit_code == 2 and "corpus order" in res.stderr
    # one seed per sample
    recs = read(ok)
    recs[4]["meta"]["sample"]["seed"] = 12
    res = cli("inspect", str(write_jsonl(tmp_path / "seed.jsonl", recs)))
    assert res.exit_code == 2 and "one sample, one seed" in res.stderr and ":5 [" in res.stderr
    # reading options describe the corpus: without it they are a usage error, not ignored
    res = cli("inspect", str(ok), "--from", "tmx")
    assert res.exit_code == 2 and "give it with --corpus" in res.stderr
    # the output is never one of the inputs
    before = ok.read_bytes()
    for target in (ok, CORPUS):
        res = cli("inspect", str(ok), "--corpus", str(CORPUS), "-o", str(target))
        assert res.exit_code == 2 and "is the same file as the input" in res.stderr
    assert ok.read_bytes() == before


def test_sample_and_inspect_a_tmx_corpus(cli, tmp_path: Path) -> None:
    from lancang.corpora.formats import read_corpus, write_corpus

    recs = [{"id": f"tu{k}", "sides": {"zh-Hans": {"text": f"第{k}句。"}, "vi": {"text": f"Câu {k}."}}}
            for k in range(1, 41)]
    tmx = tmp_path / "memory.tmx"
    write_corpus(recs, tmx)
    ids = [r["id"] for r in read_corpus(tmx)]
    out = tmp_path / "review.jsonl"
    res = cli("sample", str(tmx), "-o", str(out), "--aql", "6.5", "--seed", "5")
    assert res.exit_code == 0, res.stderr
    sampled = read(out)
    plan = smp.gb2828_plan(40, "6.5")
    assert len(sampled) == plan.sample_size
    assert [r["id"] for r in sampled] == [ids[r["meta"]["sample"]["position"] - 1] for r in sampled]
    assert all(r["meta"]["sample"]["line"] is None for r in sampled)
    reviewed = _review(out, tmp_path / "r.jsonl", {})
    m = tmp_path / "m.json"
    res = cli("inspect", str(reviewed), "--corpus", str(tmx), "--from", "tmx", "-o", str(m))
    assert res.exit_code == 0, res.stderr
    assert json.loads(m.read_text(encoding="utf-8"))["inputs"][1] == {"path": str(tmx), "sha256": sha256(tmx)}
    # a bad reader option is one line, exit 2
    res = cli("sample", str(tmx), "-o", str(tmp_path / "x.jsonl"), "--aql", "6.5", "-I", "nope=1")
    assert res.exit_code == 2 and "nope" in res.stderr and "Traceback" not in res.stderr


def test_inspect_a_label_studio_sample(cli, tmp_path: Path) -> None:
    tasks_path = tmp_path / "tasks.ls.json"
    assert cli("sample", str(CORPUS), str(tasks_path), "--aql", "6.5", "--seed", "11", "--format",
               "labelstudio").exit_code == 0
    tasks = json.loads(tasks_path.read_text(encoding="utf-8"))
    assert len(tasks) == 8 and all(len(t["data"]) == len(t["meta"]["lancang_langs"]) > 1 for t in tasks)
    # each task's languages travel in the task (issues 11 and 16), so inspect reads the review back
    # without --src, never as und
    assert {t["meta"]["lancang_langs"][0] for t in tasks} == {"en", "zh-Hant"}
    for k, t in enumerate(tasks):
        t["meta"]["review"].update(verdict="fail" if k == 0 else "pass", defects=["x"] if k == 0 else [],
                                   reviewer="rev-1")
    reviewed = tmp_path / "reviewed.ls.json"
    reviewed.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    res = cli("inspect", str(reviewed), "--corpus", str(CORPUS), "--format", "json")
    assert res.exit_code == 0, res.stderr
    insp = json.loads(res.stdout)["inspection"]
    assert (insp["reviewed"], insp["defective"], insp["decision"]) == (8, 1, "accept")
    tasks[2]["meta"]["review"]["verdict"] = None
    reviewed.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    res = cli("inspect", str(reviewed))
    assert res.exit_code == 2 and "1 of 8 sampled records have no verdict" in res.stderr
    assert "submit an annotation choosing the verdict" in res.stderr


def test_library_functions(tmp_path: Path) -> None:
    from lancang.quality import acceptance as acc

    out = tmp_path / "s.jsonl"
    res = acc.sample_corpus(CORPUS, out, aql="6.5", seed=11)
    assert (res["written"], res["lot_size"], res["seed"], res["plan"].sample_size) == (8, LOT, 11, 8)
    plan_only = acc.sample_corpus(None, None, aql="6.5", lot_size=LOT, plan_only=True)
    assert plan_only["plan"] == res["plan"] and plan_only["written"] is None
    reviewed = _review(out, tmp_path / "r.jsonl", {})
    doc = acc.inspect_sample(reviewed, corpus=CORPUS)
    assert doc["inspection"]["decision"] == "accept" and doc["settings"]["verified"] is True
    with pytest.raises(TypeError):
        acc.inspect_sample(reviewed, CORPUS)  # type: ignore[misc]  # keyword-only beyond the input


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_pipes_are_read_once(cli, drawn: Path, tmp_path: Path) -> None:
    """A named pipe (as `<(cat f)` gives) can be read once: sample counts and draws from its replayed
    copy, and inspect --corpus signs the bytes it read (the file's sha256)."""
    from tests.test_safety_io import fifo_feeder

    with fifo_feeder(tmp_path / "pipe", CORPUS.read_bytes()):  # no extension: sniffed, then read
        res = cli("sample", str(tmp_path / "pipe"), str(tmp_path / "s.jsonl"), "--aql", "6.5", "--seed", "11")
    assert res.exit_code == 0, res.stderr
    assert [r["id"] for r in read(tmp_path / "s.jsonl")] == [r["id"] for r in read(drawn)]
    reviewed = _review(drawn, tmp_path / "ok.jsonl", {})
    with fifo_feeder(tmp_path / "corpus", CORPUS.read_bytes()):
        res = cli("inspect", str(reviewed), "--corpus", str(tmp_path / "corpus"), "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["inputs"][1] == {"path": str(tmp_path / "corpus"), "sha256": sha256(CORPUS)}


def test_reviewed_sample_from_stdin(cli, drawn: Path, tmp_path: Path) -> None:
    ok = _review(drawn, tmp_path / "ok.jsonl", {})
    res = cli("inspect", "-", "--corpus", str(CORPUS), "--format", "json", input=ok.read_bytes())
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["inputs"] == [{"path": "-", "sha256": None},
                                                {"path": str(CORPUS), "sha256": sha256(CORPUS)}]
    bad = read(ok)
    bad[2]["meta"]["review"]["verdict"] = "maybe"
    res = cli("inspect", "-", input=b"".join(orjson.dumps(r) + b"\n" for r in bad))
    assert res.exit_code == 2 and res.stderr.startswith("Error: -:3 [")  # named as given, not the copy


def test_label_studio_corpus_sampled_one_task_per_record(cli, tmp_path: Path) -> None:
    """Records read from Label Studio (two annotations of one task are two records) stay two review
    tasks: the writer must not merge them back into their task and lose a record's meta.sample."""
    text = "Budi tinggal di Jakarta."
    region = {"from_name": "label", "to_name": "text", "type": "labels",
              "value": {"start": 16, "end": 23, "text": "Jakarta", "labels": ["LOC"]}}
    tasks = [{"id": k, "data": {"text": text},
              "annotations": [{"id": 10 * k + j, "completed_by": j, "result": [{**region, "id": f"r{j}"}]}
                              for j in (1, 2)]} for k in (1, 2)]
    corpus = tmp_path / "export.json"
    corpus.write_text(json.dumps(tasks), encoding="utf-8")
    out = tmp_path / "review.ls.json"
    res = cli("sample", str(corpus), str(out), "--aql", "1.0", "--seed", "4", "--format", "labelstudio", "--src", "id")
    assert res.exit_code == 0, res.stderr
    written = json.loads(out.read_text(encoding="utf-8"))
    assert [t["id"] for t in written] == ["1/a11", "1/a12", "2/a21", "2/a22"]  # lot 4: all inspected
    assert [t["meta"]["sample"]["position"] for t in written] == [1, 2, 3, 4]
    for t in written:
        t["meta"]["review"].update(verdict="pass", reviewer="rev")
    out.write_text(json.dumps(written), encoding="utf-8")
    res = cli("inspect", str(out), "--corpus", str(corpus), "--src", "id")
    assert res.exit_code == 0, res.stderr


def test_a_gzipped_corpus_has_one_hash_from_inspect_to_check(cli, tmp_path: Path) -> None:
    """The sha256 an inspection signs is that of the corpus's content (after gunzip), as the checker's
    report names it, so `check --metrics` accepts an inspection of that very gzipped file."""
    import gzip

    gz = tmp_path / "corpus.jsonl.gz"
    gz.write_bytes(gzip.compress(CORPUS.read_bytes()))
    sample = tmp_path / "review.jsonl"
    assert cli("sample", str(gz), str(sample), "--aql", "6.5", "--seed", "11").exit_code == 0
    ok = _review(sample, tmp_path / "ok.jsonl", {})
    m = tmp_path / "m.json"
    res = cli("inspect", str(ok), "--corpus", str(gz), "-o", str(m))
    assert res.exit_code == 0, res.output
    assert json.loads(m.read_text(encoding="utf-8"))["inputs"][1] == {"path": str(gz), "sha256": sha256(CORPUS)}
    res = cli("check", str(gz), "-p", str(sampling_profile(tmp_path, "6.5")), "--metrics", str(m), "--format", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["signature"]["corpus_sha256"] == sha256(CORPUS)
