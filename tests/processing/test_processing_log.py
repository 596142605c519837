"""The processing log writes itself: `manifest init`, then every verb given --manifest appends its step
(kind, tool, version, settings, counts, input and output sha256), atomically and once per same data; the
GB/T 40035 processing-flow rule counts only evidenced steps on the corpus it checks."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

from lancang.corpora.formats import file_sha256
from lancang.corpora.manifest import ProcessingLog
from lancang.corpora.samples import sample_path
from lancang.errors import InputError
from lancang.standards.rules import RULES

SAMPLE = sample_path("sample.jsonl")


def steps(m: Path) -> list[dict]:
    return orjson.loads(m.read_bytes())["processing"]


@pytest.fixture
def manifest(tmp_path: Path, cli) -> Path:
    m = tmp_path / "manifest.json"
    res = cli("manifest", "init", str(SAMPLE), "-o", str(m), "--license", "CC-BY-4.0", "--source", "PUD, TALPCo")
    assert res.exit_code == 0, res.output
    return m


def test_init_scaffolds_a_valid_manifest_with_an_evidenced_preparation_step(manifest: Path, cli) -> None:
    doc = orjson.loads(manifest.read_bytes())
    assert doc["languages"][0] == "en" and set(doc["languages"]) >= {"zh-Hant", "th", "my"}
    assert doc["size"]["records"] == 48
    [prep] = doc["processing"]
    assert prep["step"] == "preparation" and prep["tool"] == "lancang manifest init"
    assert prep["inputs"] == [{"path": "sample.jsonl", "sha256": file_sha256(SAMPLE)}]
    assert cli("validate", str(manifest)).exit_code == 0
    again = cli("manifest", "init", str(SAMPLE), "-o", str(manifest))
    assert again.exit_code == 2 and "--force" in again.output


def test_convert_appends_once_per_same_data(manifest: Path, tmp_path: Path, cli) -> None:
    out = tmp_path / "c.tmx"
    for _ in range(2):
        res = cli("convert", str(SAMPLE), str(out), "--allow-loss", "--manifest", str(manifest))
        assert res.exit_code == 0, res.output
    log = steps(manifest)
    assert [s["step"] for s in log] == ["preparation", "conversion"]
    conv = log[1]
    assert conv["tool"] == "lancang convert" and conv["counts"]["records"] == 48
    assert conv["outputs"] == [{"path": "c.tmx", "sha256": file_sha256(out)}]
    assert conv["settings"]["to"] == "tmx"
    # other settings on the same data are another step
    res = cli("convert", str(SAMPLE), str(tmp_path / "c.jsonl"), "--manifest", str(manifest))
    assert res.exit_code == 0
    assert [s["step"] for s in steps(manifest)] == ["preparation", "conversion", "conversion"]
    assert cli("validate", str(manifest)).exit_code == 0


def test_annotate_sample_inspect_append_their_steps(manifest: Path, tmp_path: Path, cli) -> None:
    ann = tmp_path / "a.jsonl"
    res = cli("annotate", str(SAMPLE), str(ann), "--layers", "sentences", "--manifest", str(manifest))
    assert res.exit_code == 0, res.output
    review = tmp_path / "review.jsonl"
    res = cli("sample", str(ann), str(review), "--aql", "4.0", "--level", "S-1", "--seed", "3",
              "--manifest", str(manifest))
    assert res.exit_code == 0, res.output
    rows = [orjson.loads(x) for x in review.read_bytes().splitlines()]
    for r in rows:
        r["meta"]["review"].update(verdict="pass", reviewer="rev-1")
    review.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    res = cli("inspect", str(review), "--corpus", str(ann), "--manifest", str(manifest))
    assert res.exit_code == 0, res.output
    log = steps(manifest)
    assert [s["step"] for s in log] == ["preparation", "annotation", "sampling", "review"]
    assert log[1]["settings"]["layers"] == ["sentences"] and log[1]["records_out"] == 48
    assert log[2]["counts"]["sample_size"] == len(rows)
    assert log[3]["counts"]["accepted"] == 1 and log[3]["counts"]["reviewed"] == len(rows)
    assert {x["sha256"] for x in log[3]["inputs"]} == {file_sha256(review), file_sha256(ann)}
    assert cli("validate", str(manifest)).exit_code == 0


def test_a_missing_manifest_stops_before_any_output(tmp_path: Path, cli) -> None:
    out = tmp_path / "o.jsonl"
    res = cli("convert", str(SAMPLE), str(out), "--manifest", str(tmp_path / "nope.json"))
    assert res.exit_code == 2 and "manifest init" in res.output
    assert not out.exists()
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    res = cli("annotate", str(SAMPLE), str(out), "--layers", "sentences", "--manifest", str(bad))
    assert res.exit_code == 2 and "JSON object" in res.output and not out.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only file")
def test_an_unwritable_manifest_stops_before_any_output(manifest: Path, tmp_path: Path, cli) -> None:
    manifest.chmod(0o444)
    out = tmp_path / "o.jsonl"
    res = cli("convert", str(SAMPLE), str(out), "--manifest", str(manifest))
    assert res.exit_code == 2 and "not writable" in res.output and not out.exists()


def test_a_manifest_in_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "m.json").write_text("{}")
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    folder.chmod(0o555)
    try:
        with pytest.raises(Exception, match="not writable"):
            ProcessingLog(folder / "m.json", "clean")
    finally:
        folder.chmod(0o755)


def test_stdin_is_not_a_manifest() -> None:
    with pytest.raises(InputError, match="not standard input"):
        ProcessingLog("-", "clean")


def test_concurrent_appends_all_land(manifest: Path, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    files = []
    for i in range(6):
        f = tmp_path / f"in{i}.jsonl"
        f.write_text(f'{{"id": "x{i}", "sides": {{"en": {{"text": "t{i}"}}}}}}\n')
        files.append(f)

    def one(f: Path) -> None:
        ProcessingLog(manifest, "clean").append(step="cleaning", inputs=[f], outputs=[f])

    with ThreadPoolExecutor(3) as pool:
        list(pool.map(one, files))
    assert sum(s["step"] == "cleaning" for s in steps(manifest)) == 6


# ------------------------------------------------------------------------------------ evidence rule

def _check(doc: dict, corpus_sha: str | None = None) -> list[str]:
    params = {"steps": ["preparation", "cleaning"], "ordered": True, "evidence": True}
    if corpus_sha:
        params["_corpus_sha256"] = corpus_sha
    return [m for _p, m in RULES.get("processing-steps").check(doc, params)]


def test_declared_steps_are_not_evidence(manifest: Path, tmp_path: Path) -> None:
    doc = orjson.loads(manifest.read_bytes())
    doc["processing"].append({"step": "cleaning", "description": "we cleaned it"})
    msgs = _check(doc)
    assert msgs == ["the cleaning step is declared, not evidenced: no tool, version and input sha256 "
                    "(a step logged by a lancang verb with --manifest is)"]
    out = tmp_path / "o.jsonl"
    out.write_bytes(SAMPLE.read_bytes()[:2000].rsplit(b"\n", 1)[0] + b"\n")
    ProcessingLog(manifest, "clean").append(step="cleaning", inputs=[SAMPLE], outputs=[out])
    doc = orjson.loads(manifest.read_bytes())
    assert _check(doc, file_sha256(out)) == []
    assert _check(doc, "0" * 64) == ["the processing log does not describe this corpus: its sha256 is in no "
                                     "logged step's outputs"]
    # the raw corpus does not pass on the log of the cleaned copy made from it
    assert _check(doc, file_sha256(SAMPLE)) == ["the cleaning step was logged after this corpus was made: it "
                                                "applies to a later version, not to this one"]
    # without evidence the declaration is enough (profiles that ask only for a datasheet)
    params = {"steps": ["preparation", "cleaning"]}
    doc["processing"] = [{"step": "preparation"}, {"step": "cleaning"}]
    assert list(RULES.get("processing-steps").check(doc, params)) == []
