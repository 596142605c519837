"""`lancang validate` on bad input: each gets one clear line with its location, and the run goes on."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest

from .conftest import valid_record, write_jsonl


def lines_with(out: str, rule: str) -> list[str]:
    return [ln for ln in out.splitlines() if f" {rule}: " in ln]


def three_lines(tmp_path: Path, middle: bytes, name: str = "c.jsonl") -> Path:
    """A file whose second line is `middle`, between two valid records (ids a and c)."""
    p = tmp_path / name
    p.write_bytes(orjson.dumps(valid_record(id="a")) + b"\n" + middle + b"\n"
                  + orjson.dumps(valid_record(id="c")) + b"\n")
    return p


def assert_one_finding_then_continues(res, path: Path, rule: str, line: int = 2) -> str:
    assert "Traceback" not in res.output
    found = lines_with(res.stdout, rule)
    assert len(found) == 1, res.stdout
    assert found[0].startswith(f"{path}:{line}"), found[0]
    assert f"{path}: 3 records" in res.stdout or f"{path}: 2 records" in res.stdout, res.stdout
    return found[0]


def test_valid_file_exit_0(cli, tmp_path: Path) -> None:
    p = write_jsonl(tmp_path / "ok.jsonl", [valid_record(id=f"r{i}") for i in range(3)])
    res = cli("validate", str(p))
    assert res.exit_code == 0, res.output
    assert f"{p}: 3 records, 3 valid, 0 errors, 0 warnings" in res.stdout
    assert res.stdout.rstrip().endswith("VALID")


def test_malformed_json_line(cli, tmp_path: Path) -> None:
    p = three_lines(tmp_path, b'{"id": "b", "sides": ')
    res = cli("validate", str(p))
    assert res.exit_code == 1
    assert_one_finding_then_continues(res, p, "json-malformed")


def test_record_not_object(cli, tmp_path: Path) -> None:
    p = three_lines(tmp_path, b'["b", 1]')
    res = cli("validate", str(p))
    assert res.exit_code == 1
    line = assert_one_finding_then_continues(res, p, "record-not-object")
    assert "not an array" in line


def test_unknown_top_level_key(cli, tmp_path: Path) -> None:
    p = three_lines(tmp_path, orjson.dumps(valid_record(id="b", colour="red")))
    res = cli("validate", str(p))
    assert res.exit_code == 1
    line = assert_one_finding_then_continues(res, p, "schema-additional-properties")
    assert "[b]" in line and "colour" in line


def test_offsets_past_text(cli, tmp_path: Path) -> None:
    r = valid_record(id="b")
    r["sides"]["en"]["layers"]["tokens"]["spans"][-1] = [23, 40]
    p = three_lines(tmp_path, orjson.dumps(r))
    res = cli("validate", str(p))
    assert res.exit_code == 1
    line = assert_one_finding_then_continues(res, p, "span-out-of-range")
    assert "[b] /sides/en/layers/tokens/spans/6" in line and "length 24" in line


def test_overlapping_tokens(cli, tmp_path: Path) -> None:
    r = valid_record(id="b")
    r["sides"]["en"]["layers"]["tokens"]["spans"][2] = [5, 14]
    p = three_lines(tmp_path, orjson.dumps(r))
    res = cli("validate", str(p))
    assert res.exit_code == 1
    line = assert_one_finding_then_continues(res, p, "spans-overlap")
    assert "/sides/en/layers/tokens/spans/2" in line


def test_non_nfc_text(cli, tmp_path: Path) -> None:
    r = valid_record(id="b")
    r["sides"]["vi"] = {"text": "Vie\u0302\u0323t Nam"}  # decomposed: NFD
    p = three_lines(tmp_path, orjson.dumps(r))
    res = cli("validate", str(p))
    assert res.exit_code == 1
    line = assert_one_finding_then_continues(res, p, "text-not-nfc")
    assert "/sides/vi/text" in line and "offset 2" in line


def test_bom_is_a_warning_and_the_record_still_validates(cli, tmp_path: Path) -> None:
    p = tmp_path / "bom.jsonl"
    p.write_bytes(b"\xef\xbb\xbf" + orjson.dumps(valid_record(id="a")) + b"\n")
    res = cli("validate", str(p))
    assert res.exit_code == 0, res.output
    [line] = lines_with(res.stdout, "bom")
    assert line.startswith(f"{p}:1:1: warning")
    assert f"{p}: 1 records, 1 valid, 0 errors, 1 warnings" in res.stdout


def test_invalid_utf8(cli, tmp_path: Path) -> None:
    p = three_lines(tmp_path, b'{"id": "b", "sides": {"th": {"text": "\xe0\xb8"}}}')
    res = cli("validate", str(p))
    assert res.exit_code == 1
    line = assert_one_finding_then_continues(res, p, "utf8-invalid")
    assert "0xe0" in line and "column 39" in line


def test_empty_file(cli, tmp_path: Path) -> None:
    p = tmp_path / "empty.jsonl"
    p.write_bytes(b"")
    res = cli("validate", str(p))
    assert res.exit_code == 0
    [line] = lines_with(res.stdout, "empty-file")
    assert line.startswith(f"{p}: warning")


def test_ten_megabyte_single_line(cli, tmp_path: Path) -> None:
    big = "ก" * (10 * 1024 * 1024 // 3)  # ~10 MB of Thai in UTF-8
    r = {"id": "big", "sides": {"th": {"text": big, "layers": {"tokens": {"spans": [[0, len(big) + 1]]}}}}}
    p = three_lines(tmp_path, orjson.dumps(r))
    assert p.stat().st_size > 10_000_000
    res = cli("validate", str(p))
    assert res.exit_code == 1
    line = assert_one_finding_then_continues(res, p, "span-out-of-range")
    assert "[big]" in line


def test_ten_megabyte_garbage_line(cli, tmp_path: Path) -> None:
    p = three_lines(tmp_path, b'{"id": "' + b"x" * 10_000_000)
    res = cli("validate", str(p))
    assert res.exit_code == 1
    line = assert_one_finding_then_continues(res, p, "json-malformed")
    assert len(line) < 400


def test_line_over_limit_is_skipped_in_bounded_memory(tmp_path: Path) -> None:
    from lancang.corpora.jsonl import Parsed, Problem, iter_lines

    p = three_lines(tmp_path, b'{"id": "' + b"x" * 5000 + b'"}')
    items = list(iter_lines(p, max_line_bytes=1000))
    assert [type(i) for i in items] == [Parsed, Problem, Parsed]
    assert items[1].code == "line-too-long" and items[1].line == 2 and "5,011 bytes" in items[1].message


def test_directory_given_as_file(cli, tmp_path: Path) -> None:
    ok = write_jsonl(tmp_path / "ok.jsonl", [valid_record()])
    res = cli("validate", str(tmp_path), str(ok))
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert f"{tmp_path}: is a directory" in res.stderr
    assert f"{ok}: 1 records, 1 valid" in res.stdout, "the other file is still validated"


def test_missing_file(cli, tmp_path: Path) -> None:
    res = cli("validate", str(tmp_path / "nope.jsonl"))
    assert res.exit_code == 2
    assert "no such file" in res.stderr


def test_duplicate_ids_name_the_first_line(cli, tmp_path: Path) -> None:
    p = write_jsonl(tmp_path / "d.jsonl", [valid_record(id="a"), valid_record(id="b"), valid_record(id="a")])
    res = cli("validate", str(p))
    assert res.exit_code == 1
    [line] = lines_with(res.stdout, "duplicate-id")
    assert line.startswith(f"{p}:3 [a] /id") and "line 1" in line


def test_gzip_and_stdin(cli, tmp_path: Path) -> None:
    recs = [valid_record(id=f"r{i}") for i in range(4)]
    gz = write_jsonl(tmp_path / "c.jsonl.gz", recs, gz=True)
    res = cli("validate", str(gz))
    assert res.exit_code == 0 and f"{gz}: 4 records, 4 valid" in res.stdout
    res = cli("validate", "-", input=b"".join(orjson.dumps(r) + b"\n" for r in recs))
    assert res.exit_code == 0 and "-: 4 records, 4 valid" in res.stdout
    res = cli("validate", "-", input=gzip.compress(b"".join(orjson.dumps(r) + b"\n" for r in recs)))
    assert res.exit_code == 0 and "-: 4 records, 4 valid" in res.stdout, res.output


def test_truncated_gzip(cli, tmp_path: Path) -> None:
    data = gzip.compress(b"".join(orjson.dumps(valid_record(id=f"r{i}")) + b"\n" for i in range(200)))
    p = tmp_path / "cut.jsonl.gz"
    p.write_bytes(data[: len(data) // 2])
    res = cli("validate", str(p))
    assert res.exit_code == 1
    [line] = lines_with(res.stdout, "gzip-corrupt")
    assert line.startswith(f"{p}:")


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_machine_formats(cli, tmp_path: Path, fmt: str) -> None:
    r = valid_record(id="b")
    r["sides"]["en"]["layers"]["tokens"]["spans"][2] = [5, 14]
    p = three_lines(tmp_path, orjson.dumps(r))
    res = cli("validate", str(p), "--format", fmt)
    assert res.exit_code == 1
    if fmt == "json":
        doc = orjson.loads(res.stdout)
        assert doc["status"] == "invalid"
        assert doc["files"][0] == {"path": str(p), "kind": "records", "records": 3, "unreadable": 0, "valid": 2,
                                   "errors": 1, "warnings": 0}
        findings = doc["findings"]
    else:
        findings = [orjson.loads(ln) for ln in res.stdout.splitlines()]
    assert findings == [{"rule": "spans-overlap", "severity": "error", "file": str(p), "line": 2, "record": "b",
                         "pointer": "/sides/en/layers/tokens/spans/2",
                         "message": "token span [5, 14] overlaps the previous one (which ends at 6)"}]


def test_max_findings_keeps_counts(cli, tmp_path: Path) -> None:
    p = write_jsonl(tmp_path / "m.jsonl", [["x"]] * 7)
    res = cli("validate", str(p), "--max-findings", "2")
    assert len(lines_with(res.stdout, "record-not-object")) == 2
    assert f"{p}: 7 records, 0 valid, 7 errors" in res.stdout
    assert "5 more findings not shown" in res.stdout


def test_manifest_validation(cli, tmp_path: Path) -> None:
    m = tmp_path / "m.json"
    m.write_bytes(orjson.dumps({"manifest": "lancang/manifest/1", "id": "x", "title": "X", "languages": ["th"],
                                "license": "CC-BY-4.0", "people": [{"id": "a", "roles": ["annotator"]},
                                                                  {"id": "a", "roles": ["reviewer"]}]}))
    res = cli("validate", str(m))
    assert res.exit_code == 1
    [line] = lines_with(res.stdout, "manifest-duplicate-person")
    assert line.startswith(f"{m} /people/1/id")
    m.write_bytes(b'{"manifest": "lancang/manifest/1",\n "id": "x",\n "title": X}')
    res = cli("validate", str(m))
    [line] = lines_with(res.stdout, "json-malformed")
    assert line.startswith(f"{m}:3:"), line
    m.write_bytes(orjson.dumps({"manifest": "lancang/manifest/1", "id": "x", "title": "X", "languages": ["th"],
                                "license": "MIT", "licence": "MIT"}))
    res = cli("validate", str(m))
    [line] = lines_with(res.stdout, "schema-additional-properties")
    assert "licence" in line


def test_bundled_sample_is_valid(cli) -> None:
    from lancang.corpora.samples import sample_path

    res = cli("validate", str(sample_path()), str(sample_path("sample.manifest.json")))
    assert res.exit_code == 0, res.stdout
    assert "48 records, 48 valid, 0 errors, 0 warnings" in res.stdout


def test_duplicate_ids_past_the_spill_threshold(tmp_path: Path) -> None:
    """Past the in-memory threshold ids go to disk; duplicates are still all found, with both lines."""
    from lancang.schemas.validator import RecordValidator

    ids = [f"r{i}" for i in range(30)] + ["r3", "r25", "r29"] + [f"s{i}" for i in range(5)] + ["s1"]
    recs = [valid_record(id=i) for i in ids]
    recs[-1]["sides"]["zh-Hans"]["layers"]["pos"]["values"].pop()  # s1 again, and broken too
    p = write_jsonl(tmp_path / "d.jsonl", recs)
    rv = RecordValidator(spill_at=10)
    from lancang.schemas.validator import FileReport

    rep = FileReport(str(p))
    found = [(f.rule, f.line, f.record, f.message) for f in rv.validate_file(p, rep) if f.rule == "duplicate-id"]
    assert found == [("duplicate-id", 31, "r3", "id 'r3' was already used on line 4"),
                     ("duplicate-id", 32, "r25", "id 'r25' was already used on line 26"),
                     ("duplicate-id", 33, "r29", "id 'r29' was already used on line 30"),
                     ("duplicate-id", 39, "s1", "id 's1' was already used on line 35")]
    assert rep.records == 39 and rep.errors == 5 and rep.valid == 35


def test_records_checked_against_manifest(cli, tmp_path: Path) -> None:
    m = tmp_path / "m.json"
    m.write_bytes(orjson.dumps({"manifest": "lancang/manifest/1", "id": "x", "title": "X", "languages": ["zh-Hans"],
                                "license": "CC-BY-4.0", "people": [{"id": "a1", "roles": ["annotator"]}]}))
    p = write_jsonl(tmp_path / "c.jsonl", [valid_record(id="a"), valid_record(id="b")])
    res = cli("validate", str(p), str(m))
    assert res.exit_code == 0, res.output  # warnings only
    out = res.stdout.splitlines()
    assert out.index(f"{m}: 1 manifest, 1 valid, 0 errors, 0 warnings") < out.index(
        f"{p}: 2 records, 2 valid, 0 errors, 2 warnings"), "manifests are validated first"
    [lang] = lines_with(res.stdout, "language-not-in-manifest")
    assert lang.startswith(f"{p}:1 [a] /sides/en: warning") and "'en'" in lang
    [person] = lines_with(res.stdout, "person-not-in-manifest")
    assert "/sides/zh-Hans/layers/entities/provenance/review/reviewer" in person and "'r1'" in person
    assert f"{p}: 2 records, 2 valid, 0 errors, 2 warnings" in res.stdout
