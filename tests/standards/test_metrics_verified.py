"""`check --metrics` verifies a metrics document instead of believing it (issues 11 and 12)."""

from __future__ import annotations

from pathlib import Path

import orjson

from lancang.quality.document import file_sha256, metrics_document

from .test_check import corpus, profile_file


def _sampling_profile(tmp_path: Path) -> Path:
    return profile_file(tmp_path, "insp", requirements=[
        {"id": "sample", "clause": "9.2", "basis": "text", "kind": "sampling", "title": "s",
         "plan": {"scheme": "gb-t-2828.1", "aql": 1.0, "level": "II"}}])


def test_metrics_documents_are_signed_with_their_inputs(tmp_path: Path, cli) -> None:
    c, _ = corpus(tmp_path)
    res = cli("evaluate", str(c), str(c), "--format", "json")
    doc = orjson.loads(res.stdout)
    assert res.exit_code == 0
    assert doc["lancang"] and doc["command"] == "evaluate" and doc["settings"]["layer"] == "tokens"
    assert [x["sha256"] for x in doc["inputs"]] == [file_sha256(c)] * 2
    assert len(file_sha256(c)) == 64


def test_unsigned_or_foreign_metrics_are_refused(tmp_path: Path, cli) -> None:
    c, _ = corpus(tmp_path)
    prof = _sampling_profile(tmp_path)
    insp = {"decision": "accept", "sample_size": 3, "lot_size": 3, "ac": 0, "re": 1, "defects": 0}
    mf = tmp_path / "m.json"
    mf.write_bytes(orjson.dumps({"metrics": "lancang/metrics/1", "inspection": insp}))
    res = cli("check", str(c), "-p", str(prof), "--metrics", str(mf))
    assert res.exit_code == 2 and "not signed" in res.stderr and "Traceback" not in res.output
    other = tmp_path / "other"
    other.mkdir()
    c2, _ = corpus(other, n=4)
    mf.write_bytes(orjson.dumps(metrics_document("inspect", inputs=[c2], inspection=insp)))
    res = cli("check", str(c), "-p", str(prof), "--metrics", str(mf))
    assert res.exit_code == 2 and "not on" in res.stderr and str(c) in res.stderr
    mf.write_bytes(orjson.dumps(metrics_document("inspect", inputs=[c], inspection=insp)))
    res = cli("check", str(c), "-p", str(prof), "--metrics", str(mf))
    assert res.exit_code == 0, res.output


def test_lot_size_comes_from_the_corpus_and_the_decision_must_add_up(tmp_path: Path, cli) -> None:
    c, _ = corpus(tmp_path, n=5)
    prof = _sampling_profile(tmp_path)
    mf = tmp_path / "m.json"
    # an inspection of a 3-record lot does not describe this 5-record corpus
    mf.write_bytes(orjson.dumps(metrics_document("inspect", inputs=[c], inspection={
        "decision": "accept", "sample_size": 3, "lot_size": 3, "ac": 0, "re": 1, "defects": 0})))
    res = cli("check", str(c), "-p", str(prof), "--metrics", str(mf))
    assert res.exit_code == 1 and "lot of 3 records; the corpus checked has 5" in res.stdout
    # "accept" with more defects than Ac is not an acceptance
    mf.write_bytes(orjson.dumps(metrics_document("inspect", inputs=[c], inspection={
        "decision": "accept", "sample_size": 5, "lot_size": 5, "ac": 0, "re": 1, "defects": 2})))
    res = cli("check", str(c), "-p", str(prof), "--metrics", str(mf))
    assert res.exit_code == 1 and "does not add up" in res.stdout
