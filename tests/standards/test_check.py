"""`lancang check` and `lancang profiles`: verdicts, reports, and bad profiles and inputs (exit 2)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest
from lxml import etree

from lancang.schemas import load_schema
from lancang.schemas.validator import SchemaEngine
from lancang.standards.profiles import ProfileError, available, load_profile

from ..conftest import write_jsonl
from .test_rules import MANIFEST, RECORD

SHIPPED = sorted(available())


def corpus(tmp_path: Path, n: int = 3, **changes: Any) -> tuple[Path, Path]:
    recs = []
    for i in range(n):
        r = copy.deepcopy(RECORD)
        r["id"] = f"r{i}"
        recs.append(r)
    m = copy.deepcopy(MANIFEST)
    m.update(changes)
    mp = tmp_path / "manifest.json"
    mp.write_bytes(orjson.dumps(m))
    return write_jsonl(tmp_path / "c.jsonl", recs), mp


def profile_file(tmp_path: Path, name: str, **doc: Any) -> Path:
    base = {"profile": "lancang/profile/1", "id": name, "title": {"en": name}, "issuer": "test", "level": "project",
            "status": "draft", "requirements": []}
    base.update(doc)
    p = tmp_path / f"{name}.json"
    p.write_bytes(orjson.dumps(base))
    return p


@pytest.mark.parametrize("pid", SHIPPED)
def test_shipped_profiles_validate(pid: str) -> None:
    p = load_profile(pid)
    assert p.requirements
    for r in p.requirements:
        assert r["basis"] in ("text", "secondary", "default")
        assert r["clause"]
    if p.doc["status"] == "proposal":
        assert "PROPOSAL" in p.doc["description"]["en"]


def test_all_expected_profiles_are_shipped() -> None:
    assert {"gb-t-42755-2023", "gb-t-40035-2021", "tc260-003", "tc609-5-2025-02", "tc609-5-2025-04",
            "db14-t-2465-2022", "lancang-zh-asean-parallel"} <= set(SHIPPED)


def test_conformant_and_report_formats(cli, tmp_path: Path) -> None:
    c, m = corpus(tmp_path)
    prof = profile_file(tmp_path, "mini", requirements=[
        {"id": "labels", "clause": "4.2", "basis": "text", "kind": "rule", "rule": "entity-labels",
         "params": {"labels": ["LOC"]}, "title": {"en": "labels", "zh": "标签"}},
        {"id": "roles", "clause": "5", "basis": "default", "kind": "rule", "rule": "manifest-roles",
         "params": {"roles": ["annotator", "reviewer"]}, "title": "roles"},
        {"id": "rate", "clause": "6", "basis": "default", "kind": "metrics", "title": "empty",
         "schema": {"properties": {"corpus": {"properties": {"empty_segment_rate": {"maximum": 0}}}}}}])
    res = cli("check", str(c), "--manifest", str(m), "-p", str(prof), "--format", "json")
    assert res.exit_code == 0, res.output
    rep = orjson.loads(res.stdout)
    assert SchemaEngine(load_schema("report")).is_valid(rep), SchemaEngine(load_schema("report")).errors(rep)
    assert rep["verdict"] == "conformant" and rep["summary"]["records"] == 3
    assert rep["signature"]["profiles"][0]["id"] == "mini" and len(rep["signature"]["corpus_sha256"]) == 64
    assert rep["metrics"]["corpus"]["empty_segment_rate"] == 0.0
    out = tmp_path / "r.xml"
    res = cli("check", str(c), "--manifest", str(m), "-p", str(prof), "--format", "junit", "-o", str(out))
    assert res.exit_code == 0
    xml = etree.parse(str(out))
    assert xml.getroot().get("failures") == "0" and len(xml.findall(".//testcase")) == 4
    html = tmp_path / "r.html"
    res = cli("check", str(c), "--manifest", str(m), "-p", str(prof), "--format", "html", "-o", str(html))
    assert res.exit_code == 0, res.output
    page = html.read_text(encoding="utf-8")
    assert 'id="verdict">conformant<' in page and "标签" in page and "http" not in page.split("<body>")[1].lower()


def test_not_conformant_with_located_evidence_and_exact_counts(cli, tmp_path: Path) -> None:
    c, m = corpus(tmp_path, n=30)
    prof = profile_file(tmp_path, "labels", requirements=[
        {"id": "labels", "clause": "4.2", "basis": "text", "kind": "rule", "rule": "entity-labels",
         "params": {"labels": ["PER"]}, "title": "labels"}])
    res = cli("check", str(c), "-p", str(prof), "--format", "json", "--max-findings", "5")
    assert res.exit_code == 1
    rep = orjson.loads(res.stdout)
    [req] = [q for q in rep["requirements"] if q["id"] == "labels"]
    assert req["verdict"] == "fail" and req["findings"] == 30 and len(req["shown"]) == 5
    assert req["shown"][0] == {"rule": "entity-labels", "message": "label 'LOC' is not in the label set",
                               "severity": "error", "file": str(c), "line": 1, "record": "r0",
                               "pointer": "/sides/zh-Hans/layers/entities/items/0/label", "clause": "4.2",
                               "code": "entity-labels", "params": {"label": "LOC"}}
    res = cli("check", str(c), "-p", str(prof))
    assert "FAIL labels/labels §4.2" in res.stdout and "(10 more)" in res.stdout
    assert "VERDICT: NOT-CONFORMANT" in res.stdout


def test_missing_metrics_make_it_incomplete_and_metrics_file_completes_it(cli, tmp_path: Path) -> None:
    c, m = corpus(tmp_path)
    prof = profile_file(tmp_path, "kappa", requirements=[
        {"id": "sample", "clause": "9.2", "basis": "text", "kind": "sampling", "title": "s",
         "plan": {"scheme": "fixed", "min_sample": 4000, "min_pass_rate": 0.96}}])
    res = cli("check", str(c), "-p", str(prof), "--format", "json")
    rep = orjson.loads(res.stdout)
    assert res.exit_code == 1 and rep["verdict"] == "incomplete"
    assert "lancang inspect" in rep["requirements"][-1]["reason"]
    mf = tmp_path / "metrics.json"
    from lancang.quality.document import metrics_document

    mf.write_bytes(orjson.dumps(metrics_document("inspect", inputs=[c], inspection={
        "decision": "accept", "sample_size": 3, "lot_size": 3, "ac": 0, "re": 1, "defects": 0})))
    res = cli("check", str(c), "-p", str(prof), "--metrics", str(mf))
    assert res.exit_code == 0, res.stdout  # a lot smaller than 4,000 is inspected in full
    mf.write_bytes(orjson.dumps(metrics_document("inspect", inputs=[c], inspection={
        "decision": "accept", "sample_size": 3, "lot_size": 3, "ac": 1, "re": 2, "defects": 0})))
    res = cli("check", str(c), "-p", str(prof), "--metrics", str(mf))
    assert res.exit_code == 1 and "needs n>=3, Ac<=0" in res.stdout


def test_shipped_asean_profile_on_the_demo_sample(cli, tmp_path: Path) -> None:
    from lancang.corpora.samples import sample_path

    res = cli("check", str(sample_path()), "--manifest", str(sample_path("sample.manifest.json")),
              "-p", "lancang-zh-asean-parallel", "--format", "json")
    rep = orjson.loads(res.stdout)
    verdicts = {q["id"]: q["verdict"] for q in rep["requirements"]}
    assert verdicts["languages"] == "pass" and verdicts["script"] == "pass" and verdicts["nfc"] == "pass"
    assert verdicts["chinese-side"] == "fail"  # the TALPCo records have no Chinese side
    assert verdicts["accuracy-inspection"] == "not-checked"


@pytest.mark.parametrize("case,expected", [
    ("typo", "Additional properties are not allowed ('requirments' was unexpected)"),
    ("unknown-rule", "no rule 'entity-lables'"),
    ("bad-params", "/requirements/0/params"),
    ("unknown-metric", "unknown metric 'kappa_score'"),
    ("circular", "circular extends: a -> b -> a"),
    ("duplicate-id", "requirement id 'x' is used twice"),
])
def test_bad_profiles_exit_2(cli, tmp_path: Path, case: str, expected: str) -> None:
    c, _m = corpus(tmp_path)
    req = {"id": "x", "clause": "1", "basis": "default", "kind": "rule", "rule": "segment-empty", "title": "t"}
    if case == "typo":
        p = profile_file(tmp_path, "a", requirments=[])
    elif case == "unknown-rule":
        p = profile_file(tmp_path, "a", requirements=[{**req, "rule": "entity-lables"}])
    elif case == "bad-params":
        p = profile_file(tmp_path, "a", requirements=[{**req, "rule": "entity-labels", "params": {"label": ["X"]}}])
    elif case == "unknown-metric":
        p = profile_file(tmp_path, "a", requirements=[{"id": "m", "clause": "1", "basis": "default", "kind": "metrics",
                                                       "title": "t",
                                                       "schema": {"properties": {"kappa_score": {"minimum": 0.8}}}}])
    elif case == "circular":
        profile_file(tmp_path, "b", extends=[str(tmp_path / "a.json")], requirements=[req])
        p = profile_file(tmp_path, "a", extends=[str(tmp_path / "b.json")], requirements=[req])
    else:
        p = profile_file(tmp_path, "a", requirements=[req, req])
    res = cli("check", str(c), "-p", str(p))
    assert res.exit_code == 2, res.output
    assert expected in res.stderr and "Traceback" not in res.output
    assert str(p) in res.stderr or case == "circular"
    with pytest.raises(ProfileError):
        load_profile(str(p))


def test_bad_inputs_exit_2(cli, tmp_path: Path) -> None:
    c, m = corpus(tmp_path)
    notjsonl = tmp_path / "x.jsonl"
    notjsonl.write_text("<tmx version='1.4'>\n", encoding="utf-8")
    res = cli("check", str(notjsonl), "-p", "lancang-text-hygiene")
    assert res.exit_code == 2 and f"{notjsonl}:1: not a JSONL corpus" in res.stderr
    res = cli("check", str(c), "-p", "tc260-003")
    assert res.exit_code == 2 and "give the corpus's manifest with --manifest" in res.stderr
    res = cli("check", str(c), "-p", "no-such-profile")
    assert res.exit_code == 2 and "unknown profile 'no-such-profile'" in res.stderr
    res = cli("check", str(tmp_path), "-p", "lancang-text-hygiene")
    assert res.exit_code == 2 and "is a directory" in res.stderr


def test_profiles_commands(cli, tmp_path: Path) -> None:
    res = cli("profiles", "list", "--format", "json")
    assert {r["id"] for r in orjson.loads(res.stdout)} == set(SHIPPED)
    res = cli("profiles", "show", "tc260-003", "--lang", "zh")
    assert "§5.3 a)" in res.stdout and "同一任务中同一人员不得承担多种角色" in res.stdout
    res = cli("profiles", "new", "acme", "--extends", "lancang-zh-asean-parallel")
    p = tmp_path / "acme.json"
    p.write_text(res.stdout, encoding="utf-8")
    res = cli("profiles", "validate", str(p))
    assert res.exit_code == 0 and "valid (acme" in res.stdout
    p.write_text(p.read_text(encoding="utf-8") + "}", encoding="utf-8")
    res = cli("profiles", "validate", str(p))
    assert res.exit_code == 2 and "not valid JSON" in res.stdout


def test_evaluate_metrics_feed_a_threshold(cli, tmp_path: Path) -> None:
    """The human-machine loop's last step: evaluate writes metrics, a profile's threshold judges them."""
    from lancang.corpora.samples import sample_path

    res = cli("evaluate", str(sample_path()), str(sample_path()), "--format", "json")
    mf = tmp_path / "metrics.json"
    mf.write_bytes(res.stdout.encode())
    prof = profile_file(tmp_path, "acc", requirements=[
        {"id": "f1", "clause": "5.5.2", "basis": "default", "kind": "metrics", "title": "token F1 >= 0.95",
         "schema": {"required": ["accuracy"], "properties": {"accuracy": {"required": ["tokens"], "properties": {
             "tokens": {"properties": {"overall": {"properties": {"f1": {"minimum": 0.95}}}}}}}}}}])
    res = cli("check", str(sample_path()), "-p", str(prof), "--metrics", str(mf))
    assert res.exit_code == 0, res.stdout
    res = cli("check", str(sample_path()), "-p", str(prof))
    assert res.exit_code == 1 and "metrics not supplied" in res.stdout


def test_corpus_hash_taken_while_streaming(cli, tmp_path: Path) -> None:
    """The signature's corpus hash is the SHA-256 of the corpus's bytes, computed in the checking
    pass: the same for a plain file, its gzipped copy and standard input."""
    import gzip
    import hashlib

    c, _m = corpus(tmp_path)
    want = hashlib.sha256(c.read_bytes()).hexdigest()
    gz = tmp_path / "c.jsonl.gz"
    gz.write_bytes(gzip.compress(c.read_bytes()))
    prof = profile_file(tmp_path, "hash", requirements=[
        {"id": "labels", "clause": "1", "basis": "default", "kind": "rule", "rule": "entity-labels",
         "params": {"labels": ["LOC"]}, "title": "labels"}])
    got = []
    for args, stdin in (([str(c)], None), ([str(gz)], None), (["-"], c.read_bytes())):
        res = cli("check", *args, "-p", str(prof), "--format", "json", input=stdin)
        assert res.exit_code == 0, res.output
        got.append(orjson.loads(res.stdout)["signature"]["corpus_sha256"])
    assert got == [want, want, want]
