"""`lancang mask` through the CLI: strategies, summaries, bad input as one line with exit 2, and the
original values written nowhere (every output file, stdout and stderr are searched for them)."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from .processing.test_mask import KEY, VALUES, corpus


def write(path: Path, records: list) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def manifest(path: Path) -> Path:
    path.write_text('{"manifest": "lancang/manifest/1", "id": "c", "title": "C", "processing": []}\n',
                    encoding="utf-8")
    return path


def test_redact_summary_on_stderr(cli, tmp_path: Path) -> None:
    src = write(tmp_path / "c.jsonl", corpus())
    out = tmp_path / "m.jsonl"
    res = cli("mask", str(src), str(out), "--no-progress")
    assert res.exit_code == 0, res.output
    assert re.search(r"c\.jsonl -> .*m\.jsonl: 5 records, 4 changed; masked: .*PHONE \d+", res.stderr)
    assert "re-segmented: tokens merged" in res.stderr
    assert f"{src}:3 [th-en] side th tokens 1: merged 3" in res.stderr
    assert len(out.read_bytes().splitlines()) == 5


def test_json_summary_and_types(cli, tmp_path: Path) -> None:
    src = write(tmp_path / "c.jsonl", corpus())
    res = cli("mask", str(src), str(tmp_path / "m.jsonl"), "--types", "EMAIL", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = orjson.loads(res.stdout)
    assert doc["masked"] == {"EMAIL": 3} and doc["records"] == 5 and doc["changed"] == 1


def test_tag_then_check_residual_with_a_profile_rule(cli, tmp_path: Path) -> None:
    src = write(tmp_path / "c.jsonl", corpus())
    tagged = tmp_path / "t.jsonl"
    assert cli("mask", str(src), str(tagged), "--strategy", "tag").exit_code == 0
    rec = orjson.loads(tagged.read_bytes().splitlines()[1])
    assert rec["sides"]["vi"]["layers"]["x-pii"]["items"][0]["type"] == "PHONE"


def test_pseudonymise_key_errors_are_one_line_exit_2(cli, tmp_path: Path) -> None:
    src = write(tmp_path / "c.jsonl", corpus())
    out = tmp_path / "p.jsonl"
    res = cli("mask", str(src), str(out), "--strategy", "pseudonymise")
    assert res.exit_code == 2 and "--key-file" in res.stderr and "Traceback" not in res.output
    res = cli("mask", str(src), str(out), "--strategy", "pseudonymise", "--key-file", str(tmp_path / "nokey"))
    assert res.exit_code == 2 and res.stderr.strip().endswith("nokey: no such key file")
    assert len(res.stderr.strip().splitlines()) == 1
    (tmp_path / "short").write_bytes(b"0123456789")
    res = cli("mask", str(src), str(out), "--strategy", "pseudonymise", "--key-file", str(tmp_path / "short"))
    assert res.exit_code == 2 and "the key file has 10 bytes" in res.stderr
    assert not out.exists()


def test_bad_detector_setting_and_missing_manifest(cli, tmp_path: Path) -> None:
    src = write(tmp_path / "c.jsonl", corpus())
    res = cli("mask", str(src), str(tmp_path / "o.jsonl"), "--set", "no-such-detector.x=1")
    assert res.exit_code == 2 and "no-such-detector" in res.stderr and "Traceback" not in res.output
    res = cli("mask", str(src), str(tmp_path / "o.jsonl"), "--manifest", str(tmp_path / "absent.json"))
    assert res.exit_code == 2 and "no such manifest" in res.stderr
    res = cli("mask", str(src), "-", "--format", "json")
    assert res.exit_code == 2 and "standard output" in res.stderr


def _value_pattern(value: str) -> re.Pattern[str]:
    """The value, also written with other separators (or none) between its letters and digits."""
    chars = [c for c in value if c.isalnum()]
    return re.compile(r"[\s\-.]*".join(map(re.escape, chars)))


@pytest.mark.parametrize("strategy", ["redact", "pseudonymise", "tag"])
def test_original_values_are_written_nowhere(cli, tmp_path: Path, strategy: str) -> None:
    (tmp_path / "in").mkdir()
    src = write(tmp_path / "in" / "c.jsonl", corpus())
    key = tmp_path / "in" / "k"
    key.write_bytes(KEY)
    work = tmp_path / "out"
    work.mkdir()
    man = manifest(work / "manifest.json")
    printed = []
    res = cli("mask", str(src), str(work / "m.jsonl"), "--strategy", strategy, "--key-file", str(key),
              "--manifest", str(man), "--format", "json")
    assert res.exit_code == 0, res.output
    printed.append(res.stdout + res.stderr)
    res = cli("mask", str(src), str(work / "m.tmx"), "--strategy", strategy, "--key-file", str(key),
              "--manifest", str(man), "--no-progress")
    assert res.exit_code == 0, res.output
    printed.append(res.stdout + res.stderr)
    # the residual rule on the masked corpus: its findings name types and spans, never values
    res = cli("check", str(work / "m.jsonl"), "-p", "gb-t-40035-2021", "--manifest", str(man),
              "--format", "json", "-o", str(work / "report.json"))
    printed.append(res.stdout + res.stderr)
    res = cli("check", str(src), "-p", "gb-t-40035-2021", "--manifest", str(man), "--format", "text")
    printed.append(res.stdout + res.stderr)
    assert re.search(r"FAIL gb-t-40035-2021/desensitisation-residual .*\n.*c\.jsonl:1 \[zh-en\] /sides/zh-Hans/text: "
                     r"PHONE at \[3, 16\] \(detector phone\) is not masked", printed[-1]), printed[-1]
    report = orjson.loads((work / "report.json").read_bytes())
    [req] = [r for r in report["requirements"] if r["id"] == "desensitisation-residual"]
    assert req["verdict"] == ("fail" if strategy == "tag" else "pass"), req
    files = sorted(p for p in work.rglob("*") if p.is_file())
    assert {p.name for p in files} >= {"m.jsonl", "m.tmx", "manifest.json", "report.json"}
    # tag leaves the text for a reviewer, so only its OUT may hold the values
    masked_out = [] if strategy == "tag" else [p for p in files if p.name.startswith("m.")]
    others = [p for p in files if not p.name.startswith("m.")]
    blobs = {str(p): p.read_bytes().decode("utf-8") for p in masked_out + others}
    blobs.update({f"printed {i}": x for i, x in enumerate(printed)})
    assert "Traceback" not in "".join(printed)
    for where, blob in blobs.items():
        for v in VALUES:
            assert not _value_pattern(v).search(blob), f"{v!r} found in {where}"


def test_detectors_lists_the_registry(cli) -> None:
    from lancang.processing.detectors import detector_order

    res = cli("detectors", "--format", "json")
    assert res.exit_code == 0
    rows = orjson.loads(res.stdout)["detectors"]
    assert [r["name"] for r in rows] == detector_order()
    phone = next(r for r in rows if r["name"] == "phone")
    assert phone["types"] == ["PHONE"] and phone["installed"] is True
    text = cli("detectors").stdout
    assert re.search(r"^cn-resident-id\s+on\s+CN_RESIDENT_ID\s", text, re.M)


def test_residual_rule_without_the_privacy_extra_is_not_checked(cli, tmp_path: Path, monkeypatch) -> None:
    import sys

    from lancang.processing.mask import residual_detectors

    src = write(tmp_path / "c.jsonl", corpus())
    man = manifest(tmp_path / "manifest.json")
    residual_detectors.cache_clear()
    monkeypatch.setitem(sys.modules, "phonenumbers", None)  # as if `lancang[privacy]` were not installed
    try:
        res = cli("check", str(src), "-p", "gb-t-40035-2021", "--manifest", str(man), "--format", "json")
    finally:
        residual_detectors.cache_clear()
    assert res.exit_code == 1, res.output  # the unmasked corpus fails other requirements
    [req] = [r for r in orjson.loads(res.stdout)["requirements"] if r["id"] == "desensitisation-residual"]
    assert req["verdict"] == "not-checked" and 'pip install "lancang[privacy]"' in req["reason"]


def test_detector_settings_from_set_and_config(cli, tmp_path: Path) -> None:
    src = write(tmp_path / "c.jsonl", corpus()[:1])
    res = cli("mask", str(src), str(tmp_path / "a.jsonl"), "--set", "entities=false", "--format", "json")
    assert res.exit_code == 0, res.output
    assert "PERSON" not in orjson.loads(res.stdout)["masked"]
    conf = tmp_path / "det.json"
    conf.write_text('{"entities": {"labels": {"PER": "NAME"}}, "cn-resident-id": false}', encoding="utf-8")
    res = cli("mask", str(src), str(tmp_path / "b.jsonl"), "--config", str(conf), "--format", "json")
    assert res.exit_code == 0, res.output
    doc = orjson.loads(res.stdout)
    assert doc["masked"] == {"NAME": 1, "PHONE": 2}
    assert "[NAME]" in orjson.loads((tmp_path / "b.jsonl").read_bytes())["sides"]["zh-Hans"]["text"]
    res = cli("mask", str(src), str(tmp_path / "d.jsonl"), "--set", "phone.no_such_key=1")
    assert res.exit_code == 2 and "no_such_key" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_text_summary_lists_the_first_locations(cli, tmp_path: Path) -> None:
    from .processing.test_mask import TH_MOBILE, record, side

    recs = [record(f"r{i}", th=side(f"โทร {TH_MOBILE} นะ", "th")) for i in range(25)]
    res = cli("mask", str(write(tmp_path / "c.jsonl", recs)), str(tmp_path / "o.jsonl"))
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("  ")]
    assert len(lines) == 21 and lines[-1] == "  ... 5 more (--format json lists the first 1,000)"
