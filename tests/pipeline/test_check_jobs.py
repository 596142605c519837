"""``lancang check --jobs N``: the checker's record pass in parts, merged in input order and finished once,
gives the report of one pass (merge(split(x)) == run(x)), on real records, for several profiles and cut
points, with duplicates across parts, findings beyond ``max_findings`` and bad lines located in the file."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest

import lancang.pipeline.oneoff as oneoff
from lancang.corpora.dupes import DuplicateIndex
from lancang.corpora.samples import sample_path
from lancang.errors import LancangError
from lancang.pipeline.oneoff import check_parts
from lancang.pipeline.shards import scan
from lancang.quality.document import metrics_document
from lancang.quality.sampling import Inspection, gb2828_plan
from lancang.standards.checker import Checker, load_metrics
from lancang.standards.profiles import load_profile

from ..conftest import shared

MANIFEST = sample_path("sample.manifest.json")
SAMPLE = [orjson.loads(line) for line in sample_path().read_bytes().splitlines()]


def corpus(path: Path, copies: int = 4, lines: dict[int, bytes] | None = None,
           same_id: tuple[int, int] | None = None) -> Path:
    """The bundled sample (real TALPCo and PUD records) repeated with new ids, so every copy after the first
    repeats the texts of the first (duplicate pairs); ``lines``: file lines replaced by these bytes;
    ``same_id``: the record at the second line takes the id of the record at the first (a repeated id)."""
    lines = lines or {}
    ids: dict[int, str] = {}
    with open(path, "wb") as f:
        n = 0
        for k in range(copies):
            for r in SAMPLE:
                n += 1
                if n in lines:
                    f.write(lines[n] + b"\n")
                    continue
                r = copy.deepcopy(r)
                r["id"] = f"{r['id']}-{k}"
                ids[n] = r["id"]
                if same_id and n == same_id[1]:
                    r["id"] = ids[same_id[0]]
                f.write(orjson.dumps(r) + b"\n")
    return path


def same(a: dict[str, Any], b: dict[str, Any]) -> None:
    """Equal reports but for the time they were made."""
    for rep in (a, b):
        rep["signature"] = {k: v for k, v in rep["signature"].items() if k != "created"}
    if a != b:  # the first requirement that differs, readably
        for x, y in zip(a["requirements"], b["requirements"], strict=True):
            assert x == y
    assert a == b


def both(c: Path, profiles: list[str], jobs: int = 2, **kw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(one pass, in parts): the parts run in the local pool and must have been more than one."""
    profs = [load_profile(p) for p in profiles]
    max_findings = kw.pop("max_findings", 5)
    one = Checker(profs, max_findings).run(c, kw.get("manifest"), kw.get("metrics"))
    parts = check_parts(Checker(profs, max_findings), c, jobs=jobs, **kw)
    assert parts is not None, "the corpus was not cut into parts"
    return one, parts


def cuts(c: Path, jobs: int = 2) -> list[int]:
    """The first line of every part ``check_parts`` cuts ``c`` into."""
    lines = c.read_bytes().count(b"\n")
    per = max(oneoff.MIN_SHARD_RECORDS, -(-lines // (jobs * oneoff.SHARDS_PER_JOB)))
    return [sh.line for sh in scan([str(c)], per, "jsonl")]


def part_of(line: int, starts: list[int]) -> int:
    return max(i for i, s in enumerate(starts) if s <= line)


def inspection(c: Path) -> dict[str, Any]:
    """A metrics document of a real GB/T 2828.1 inspection of ``c`` (the lot is its records), as `lancang
    inspect` writes it, so the profile's sampling requirement is judged."""
    lot = c.read_bytes().count(b"\n")
    plan = gb2828_plan(lot, "2.5", "II", "normal")
    return metrics_document("inspect", inputs=[c], inspection=Inspection(plan, reviewed=plan.sample_size,
                                                                          defective=0).to_dict())


@pytest.mark.parametrize("min_records", [37, 61, 100])
def test_gb_t_40035_in_parts_is_the_report_of_one_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       min_records: int) -> None:
    monkeypatch.setattr(oneoff, "MIN_SHARD_RECORDS", min_records)
    c = corpus(tmp_path / "c.jsonl", same_id=(3, 150))
    starts = cuts(c)
    assert len(starts) >= 2 and part_of(3, starts) != part_of(150, starts)  # the repeated id spans two parts
    mf = tmp_path / "m.json"
    mf.write_bytes(orjson.dumps(inspection(c)))
    one, parts = both(c, ["gb-t-40035-2021"], manifest=MANIFEST, metrics=load_metrics(mf))
    same(one, parts)
    dedup = next(q for q in parts["requirements"] if q["id"] == "dedup")
    # every copy after the first repeats the first's pairs (the repeated id's record too): far more than shown
    assert dedup["verdict"] == "fail" and dedup["findings"] > 100 and len(dedup["shown"]) == 5
    assert dedup["shown"][0]["line"] == len(SAMPLE) + 1
    sample = next(q for q in parts["requirements"] if q["kind"] == "sampling")
    assert sample["verdict"] == "pass"  # judged, on the lot of all the parts' records


def test_duplicates_past_the_index_spill_are_the_late_findings_of_one_pass(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ``spill_at`` keys the duplicate index reports at the end, ordered by line: the parts' keys go
    through one index in input order in the parent, so the report is still the one of a single pass."""
    monkeypatch.setattr(oneoff, "MIN_SHARD_RECORDS", 40)
    monkeypatch.setattr(DuplicateIndex.__init__, "__defaults__", (30, None))
    c = corpus(tmp_path / "c.jsonl", copies=3)
    one, parts = both(c, ["gb-t-40035-2021"], manifest=MANIFEST, max_findings=0)
    same(one, parts)
    dedup = next(q for q in parts["requirements"] if q["id"] == "dedup")
    assert dedup["findings"] == len(dedup["shown"]) == 2 * len(SAMPLE)


@pytest.mark.parametrize("profile", ["lancang-zh-asean-parallel", "tc609-5-2025-04", "lancang-text-hygiene"])
def test_other_profiles_in_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, profile: str) -> None:
    """Metrics requirements over the corpus's own metrics (rule rates, coverage), a score by share of
    records, and record rules only."""
    monkeypatch.setattr(oneoff, "MIN_SHARD_RECORDS", 45)
    c = corpus(tmp_path / "c.jsonl", copies=3)
    one, parts = both(c, [profile], manifest=MANIFEST, max_findings=3)
    same(one, parts)
    if profile == "tc609-5-2025-04":
        assert "score" in parts
    assert parts["metrics"]["corpus"]["records"] == 3 * len(SAMPLE)


def test_bad_lines_are_located_at_their_line_of_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A malformed line in the second part, a record that is not an object, a BOM at the start of a part
    (malformed there, as in one pass: only a file's first line may carry one) and a blank line."""
    monkeypatch.setattr(oneoff, "MIN_SHARD_RECORDS", 40)
    first = SAMPLE[0]
    bom = b"\xef\xbb\xbf" + orjson.dumps({**first, "id": "bom"})
    c = corpus(tmp_path / "c.jsonl", copies=3, lines={50: b"{not json", 81: bom, 90: b"[1, 2]", 100: b""})
    starts = cuts(c)
    assert part_of(50, starts) == 1 and 81 in starts
    one, parts = both(c, ["lancang-text-hygiene"], max_findings=0)
    same(one, parts)
    base = next(q for q in parts["requirements"] if q["id"] == "canonical-record")
    assert [(f["file"], f["line"]) for f in base["shown"]] == [(str(c), 50), (str(c), 81), (str(c), 90)]
    assert parts["summary"]["records"] == 3 * len(SAMPLE) - 4


def test_a_first_line_that_is_not_json_is_refused_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(oneoff, "MIN_SHARD_RECORDS", 40)
    c = corpus(tmp_path / "c.jsonl", copies=2, lines={1: b"not json at all"})
    prof = [load_profile("lancang-text-hygiene")]
    with pytest.raises(LancangError) as serial:
        Checker(prof).run(c)
    with pytest.raises(LancangError) as parts:
        check_parts(Checker(prof), c, jobs=2)
    assert str(parts.value) == str(serial.value)
    assert str(serial.value).startswith(f"{c}:1: not a JSONL corpus (malformed JSON: ")


def test_ud_records_from_shared_data_in_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A UD treebank converted to lancang JSONL (real Thai sentences with tokens, UPOS and trees)."""
    from lancang.corpora.convert import convert

    monkeypatch.setattr(oneoff, "MIN_SHARD_RECORDS", 60)
    c = tmp_path / "th.jsonl"
    convert(shared("parallel", "pud", "th_pud.conllu"), c, from_format="conllu", to_format="jsonl", langs=["th"])
    one, parts = both(c, ["conllu", "lancang-text-hygiene"], max_findings=4)
    same(one, parts)
    assert parts["summary"]["records"] == c.read_bytes().count(b"\n") > 200


def test_formats_that_are_not_lancang_jsonl_run_in_one_pass(tmp_path: Path) -> None:
    prof = [load_profile("conllu")]
    assert check_parts(Checker(prof), shared("parallel", "pud", "th_pud.conllu"), jobs=2) is None


def test_cli_check_jobs_2(cli, tmp_path: Path) -> None:
    c = corpus(tmp_path / "c.jsonl", copies=6, lines={260: b"{broken"})  # 288 lines: two parts of 250 and 38
    assert len(cuts(c)) == 2
    args = ["check", str(c), "--manifest", str(MANIFEST), "-p", "gb-t-40035-2021", "--format", "json"]
    one, two = cli(*args), cli(*args, "--jobs", "2")
    assert one.exit_code == two.exit_code == 1
    a, b = orjson.loads(one.stdout), orjson.loads(two.stdout)
    same(a, b)
    base = next(q for q in b["requirements"] if q["id"] == "canonical-record")
    assert base["shown"][0]["line"] == 260


def test_pipeline_check_step_equals_lancang_check(tmp_path: Path) -> None:
    """A check step on shards (record requirements only) merges into the check of the whole."""
    from lancang.pipeline.run import run_pipeline

    c = corpus(tmp_path / "in.jsonl", copies=3, lines={70: b"[]"})
    p = tmp_path / "p.json"
    p.write_bytes(orjson.dumps({"input": "in.jsonl", "output": "out", "shard_records": 40,
                                "steps": [{"step": "check", "profiles": ["lancang-text-hygiene", "tc609-5-2025-02"]}]}))
    summary = run_pipeline(p, jobs=2)
    assert summary["shards"] == 4
    whole = Checker([load_profile("lancang-text-hygiene"), load_profile("tc609-5-2025-02")]).run(c)
    got = summary["steps"][0]["detail"]
    assert got == {"verdict": whole["verdict"], "records": whole["summary"]["records"],
                   "findings": whole["summary"]["findings"],
                   "requirements": {f"{r['profile']}/{r['id']}": {k: r[k] for k in ("verdict", "severity", "findings")}
                                    for r in whole["requirements"]}}
    assert got["requirements"]["lancang/canonical-record"]["findings"] == 1


@pytest.mark.parametrize("failed_before", [True, False])
def test_a_requirement_that_stops_in_a_part_takes_nothing_from_the_parts_after(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failed_before: bool) -> None:
    """A pattern too costly on a value of part 2 stops its requirement there, as one pass stops: findings
    of part 3 do not count, and the verdict is fail only when a finding came before the stop."""
    from ..conftest import write_jsonl
    from ..standards.test_check import profile_file
    from ..standards.test_hostile_patterns import HOSTILE, LONG
    from ..standards.test_rules import RECORD

    monkeypatch.setattr(oneoff, "MIN_SHARD_RECORDS", 40)
    ids = ["aaa"] * 120
    ids[5 if failed_before else 100] = "x"  # does not match the pattern
    ids[50] = LONG  # reaches the backtracking bound
    ids[110] = "y"
    c = write_jsonl(tmp_path / "c.jsonl", [{**copy.deepcopy(RECORD), "id": rid} for rid in ids])
    starts = cuts(c)
    assert [part_of(n, starts) for n in (6, 51, 111)] == [0, 1, 2]
    prof = profile_file(tmp_path, "hostile", requirements=[
        {"id": "ids", "title": "ids", "clause": "1", "basis": "default", "kind": "record",
         "schema": {"properties": {"id": {"pattern": HOSTILE}}}}])
    one, parts = both(c, [str(prof)])
    same(one, parts)
    req = next(q for q in parts["requirements"] if q["id"] == "ids")
    assert (req["verdict"], req["findings"]) == (("fail", 1) if failed_before else ("not-checked", 0))
    assert f"{c}:51" in req["reason"]


def test_a_reader_option_jsonl_lacks_is_refused_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lancang.errors import UsageError
    from lancang.standards.checker import check

    check_file = oneoff.check_file
    monkeypatch.setattr(oneoff, "MIN_SHARD_RECORDS", 40)
    c = corpus(tmp_path / "c.jsonl", copies=2)
    prof = [load_profile("lancang-text-hygiene")]
    with pytest.raises(UsageError) as serial:
        check(c, prof, options={"validate": True})
    with pytest.raises(UsageError) as parts:
        check_file(c, prof, options={"validate": True}, jobs=2)
    assert str(parts.value) == str(serial.value) and "unknown reader option validate (-I)" in str(serial.value)
