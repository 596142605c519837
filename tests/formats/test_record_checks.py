"""Records are checked before they are written (issue 12): convert refuses out-of-range, reversed and
fractional offsets, dangling relations and repeated ids with the record id and JSON pointer, never
clipping; duplicate JSON keys are an error (``json-duplicate-key``), never a silently lost object."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest

from lancang.corpora.convert import convert
from lancang.corpora.invariants import check_record, duplicate_key
from lancang.errors import InputError

from ..conftest import VALID_RECORD, write_jsonl


def _rec(**entity: Any) -> dict[str, Any]:
    r = copy.deepcopy(VALID_RECORD)
    r["sides"]["zh-Hans"]["layers"]["entities"]["items"][0].update(entity)
    return r


@pytest.mark.parametrize(("entity", "rule", "fragment"), [
    ({"start": 2, "end": 40}, "span-out-of-range", "entity span [2, 40] is not inside the text (length 8)"),
    ({"start": -1, "end": 4}, "span-out-of-range", "entity span [-1, 4]"),
    ({"start": 4, "end": 2}, "span-reversed", "entity span [4, 2] ends before it starts"),
    ({"start": 2.0, "end": 4}, "offset-not-integer", "entity span [2.0, 4]: offsets are integers"),
])
@pytest.mark.parametrize("target", ["out.jsonl", "out.conll", "out.ls.json", "out.doccano.jsonl"])
def test_convert_refuses_bad_offsets(tmp_path: Path, entity: dict, rule: str, fragment: str, target: str) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [_rec(**entity)])
    out = tmp_path / target
    with pytest.raises(InputError) as exc:
        convert(src, out, langs=["zh-Hans"], allow_loss=True)
    msg = str(exc.value)
    assert "record 'r1' /sides/zh-Hans/layers/entities/items/0" in msg and fragment in msg and f"[{rule}]" in msg
    assert not out.exists()


def test_fractional_token_offsets_and_link_indices(tmp_path: Path) -> None:
    r = copy.deepcopy(VALID_RECORD)
    r["sides"]["en"]["layers"]["tokens"]["spans"][1] = [2, 6.0]
    issues = check_record(r)
    assert ("offset-not-integer", "error", "/sides/en/layers/tokens/spans/1",
            "token span [2, 6.0]: offsets are integers") in issues
    r = copy.deepcopy(VALID_RECORD)
    r["links"][1]["pairs"][0] = [0.0, 0, "S"]
    assert [i[:3] for i in check_record(r)] == [("offset-not-integer", "error", "/links/1/pairs/0")]
    r = copy.deepcopy(VALID_RECORD)
    r["links"][0]["beads"][1]["tgt"] = [1.0]
    assert [i[:3] for i in check_record(r)] == [("offset-not-integer", "error", "/links/0/beads/1/tgt/0")]
    assert check_record(VALID_RECORD) == []


def test_validate_reports_fractional_offsets(cli, tmp_path: Path) -> None:
    """``validate`` accepted ``1.0`` (JSON Schema's integer does); then convert and train crashed."""
    src = write_jsonl(tmp_path / "in.jsonl", [_rec(start=2.0)])
    res = cli("validate", str(src), "--format", "json")
    assert res.exit_code == 1
    assert "offset-not-integer" in res.stdout


def test_shapeless_records_are_issues_not_exceptions() -> None:
    assert check_record([]) == [("record-not-object", "error", "", "a record is a JSON object")]
    assert check_record({"id": "x", "sides": {"en": {"text": "ab", "layers": {"tokens": {"spans": 3}}}}})[0][0] \
        == "record-malformed"
    assert check_record({"id": "x", "sides": {"en": {"text": 3}}})[0][:3] == ("schema-type", "error", "/sides/en/text")


def test_convert_refuses_repeated_record_ids(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [VALID_RECORD, VALID_RECORD])
    with pytest.raises(InputError, match=r"record 'r1' /id: the id of record number 1 again \(number 2\) "
                                         r"\[duplicate-id\]"):
        convert(src, tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()


def test_repeated_ids_past_the_memory_index_are_found_at_the_end(tmp_path: Path, monkeypatch) -> None:
    from lancang.corpora import dupes

    monkeypatch.setattr(dupes, "SPILL_AT", 3)
    monkeypatch.setattr(dupes.DuplicateIndex.__init__, "__defaults__", (3, None))
    recs = [{"id": f"r{i}", "sides": {"th": {"text": "ก"}}} for i in (0, 1, 2, 3, 4, 5, 4)]
    src = write_jsonl(tmp_path / "in.jsonl", recs)
    with pytest.raises(InputError, match=r"record 'r4' /id: .*\[duplicate-id\]"):
        convert(src, tmp_path / "out.txt", langs=["th"])
    assert not (tmp_path / "out.txt").exists()


LS_TASK = {"id": 7, "data": {"text": "Budi di Jakarta"}, "annotations": [{"id": 1, "result": [
    {"id": "a", "type": "labels", "from_name": "label", "to_name": "text",
     "value": {"start": 0, "end": 4, "text": "Budi", "labels": ["PER"]}},
    {"id": "b", "type": "labels", "from_name": "label", "to_name": "text",
     "value": {"start": 8, "end": 15, "text": "Jakarta", "labels": ["LOC"]}},
    {"type": "relation", "from_id": "a", "to_id": "b", "direction": "right"}]}]}


@pytest.mark.parametrize(("change", "rule"), [
    (lambda t: t["annotations"][0]["result"][2].update(to_id="zz"), "relation-dangling-ref"),
    (lambda t: t["annotations"][0]["result"][1].update(id="a"), "duplicate-entity-id"),
])
def test_labelstudio_dangling_relation_and_repeated_ids_are_read_errors(cli, tmp_path: Path, change, rule) -> None:
    task = copy.deepcopy(LS_TASK)
    change(task)
    src = tmp_path / "export.ls.json"
    src.write_bytes(orjson.dumps([task]))
    out = tmp_path / "out.jsonl"
    res = cli("convert", str(src), str(out), "--src", "id")
    assert res.exit_code == 2, res.output
    assert f"{src}:1: record '7' /sides/id/layers/entities/" in res.stderr and f"[{rule}]" in res.stderr
    assert not out.exists()


def test_labelstudio_valid_task_still_reads(tmp_path: Path) -> None:
    src = tmp_path / "export.ls.json"
    src.write_bytes(orjson.dumps([LS_TASK]))
    convert(src, tmp_path / "out.jsonl", langs=["id"])
    [rec] = [orjson.loads(x) for x in (tmp_path / "out.jsonl").read_bytes().splitlines()]
    assert rec["sides"]["id"]["layers"]["entities"]["relations"][0]["args"][1]["ref"] == "b"


@pytest.mark.parametrize(("doc", "message"), [
    ({"id": 1, "text": "Budi di Jakarta", "entities": [
        {"id": 1, "label": "PER", "start_offset": 0, "end_offset": 4},
        {"id": 1, "label": "LOC", "start_offset": 8, "end_offset": 15}], "relations": []},
     r"record '1' /sides/id/layers/entities/items/1/id: entity id 'T1' used twice \[duplicate-entity-id\]"),
    ({"id": 1, "text": "Budi di Jakarta", "entities": [
        {"id": 1, "label": "PER", "start_offset": 0, "end_offset": 4}],
      "relations": [{"id": 1, "from_id": 1, "to_id": 9, "type": "lives"}]}, "relation 1 refers to entity 9"),
])
def test_doccano_dangling_relation_and_repeated_ids_are_read_errors(tmp_path: Path, doc: dict, message: str) -> None:
    src = tmp_path / "in.doccano.jsonl"
    src.write_bytes(orjson.dumps(doc) + b"\n")
    with pytest.raises(InputError, match=rf"{src}:1: {message}"):
        convert(src, tmp_path / "out.jsonl", langs=["id"])
    assert not (tmp_path / "out.jsonl").exists()


DUP_SIDES = b'{"id":"r1","sides":{"zh-Hans":{"text":"\xe6\x88\x91"},"zh-Hans":{"text":"\xe4\xbd\xa0"}}}\n'


def test_duplicate_json_keys_in_validate_and_convert(cli, tmp_path: Path) -> None:
    src = tmp_path / "dup.jsonl"
    src.write_bytes(orjson.dumps(VALID_RECORD) + b"\n" + DUP_SIDES)
    res = cli("validate", str(src), "--format", "json")
    assert res.exit_code == 1
    findings = [f for f in orjson.loads(res.stdout)["findings"] if f["rule"] == "json-duplicate-key"]
    assert len(findings) == 1 and findings[0]["line"] == 2 and "/sides/zh-Hans" in findings[0]["message"]
    res = cli("convert", str(src), str(tmp_path / "out.jsonl"))
    assert res.exit_code == 2 and ":2:" in res.stderr and "/sides/zh-Hans appears twice" in res.stderr
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize(("raw", "where"), [
    (DUP_SIDES, "/sides/zh-Hans"),
    (b'{"id" : "a", "id": "b"}', "/id"),  # white space before the colon
    (b'{"id":"a","sides":{"th":{"text":"x","layers":{"tokens":{"spans":[]},"tokens":{"spans":[[0,1]]}}}}}',
     "/sides/th/layers/tokens"),
    (b'{"links":[{"kind":"tokens","kind":"beads"}]}', "/links/0/kind"),
    (b'{"a":[[1,{"x":1,"x":2}]]}', "/a/0/1/x"),
    (b'{"a/b":{"k~":1,"k~":2}}', "/a~1b/k~0"),  # keys escaped as JSON pointer parts (RFC 6901)
    (b'{"id":"a","t":"\\":\\":\\":"}', None),  # key-like text inside a string is not a key
    (orjson.dumps(VALID_RECORD), None),
])
def test_duplicate_key_finds_the_repeated_key(raw: bytes, where: str | None) -> None:
    assert duplicate_key(raw, orjson.loads(raw)) == where


def test_doccano_documents_with_the_same_id_are_refused_by_convert(cli, tmp_path: Path) -> None:
    src = tmp_path / "in.doccano.jsonl"
    doc = {"id": 5, "text": "Budi", "label": [[0, 4, "PER"]]}
    src.write_bytes(orjson.dumps(doc) + b"\n" + orjson.dumps(doc) + b"\n")
    out = tmp_path / "out.jsonl"
    res = cli("convert", str(src), str(out), "--src", "id")
    assert res.exit_code == 2
    assert "record '5' /id: the id of record number 1 again (number 2) [duplicate-id]" in res.stderr
    assert not out.exists()
