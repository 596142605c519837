"""Issue 16: `lancang sample --format labelstudio` writes bilingual review tasks and their labelling
configuration; the reviewers choose pass/fail and defect types in Label Studio; `lancang inspect`
reads the export directly."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.formats.test_labelstudio_bilingual import ID_MS, ZH_TH


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    recs = []
    for k in range(6):
        rec = copy.deepcopy(ZH_TH if k % 2 == 0 else ID_MS)
        rec["id"] = f"r{k + 1}"
        if k == 1:  # a person's entities on one side: an annotation, the rest the machine's prediction
            rec["sides"]["id"]["layers"]["entities"]["provenance"] = {"method": "manual", "annotator": "ann-7"}
        recs.append(rec)
    p = tmp_path / "corpus.jsonl"
    p.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in recs))
    return p


def _sample(cli, corpus: Path, tmp_path: Path) -> tuple[list[dict[str, Any]], str]:
    tasks_path, cfg = tmp_path / "tasks.ls.json", tmp_path / "config.xml"
    res = cli("sample", str(corpus), str(tasks_path), "--plan", "tc260-003-9.2-manual", "--format", "labelstudio",
              "--seed", "3", "--config-out", str(cfg), "--defects", "segmentation,entity,alignment,other")
    assert res.exit_code == 0, res.output
    return json.loads(tasks_path.read_text(encoding="utf-8")), cfg.read_text(encoding="utf-8")


def _review(tasks: list[dict[str, Any]], verdicts: dict[int, tuple[str, list[str]]]) -> list[dict[str, Any]]:
    """The project's export after review: Label Studio's own task ids, one annotation per task by the
    reviewer, holding the verdict and defect choices (and the prediction's regions, copied)."""
    out = []
    for k, t in enumerate(tasks):
        t = copy.deepcopy(t)
        t["id"] = 900 + k
        verdict, defects = verdicts.get(k, ("pass", []))
        result = copy.deepcopy((t.get("predictions") or [{"result": []}])[0]["result"])
        result.append({"id": f"v{k}", "from_name": "verdict", "to_name": "text_1", "type": "choices",
                       "value": {"choices": [verdict]}})
        if defects:
            result.append({"id": f"d{k}", "from_name": "defects", "to_name": "text_1", "type": "choices",
                           "value": {"choices": defects}})
        t["annotations"] = t.get("annotations", [])[:0] + [
            {"id": 5000 + k, "completed_by": {"id": 9, "email": "rev@example.org"}, "result": result,
             "created_at": "2026-12-02T10:00:00Z"}]
        out.append(t)
    return out


def test_sample_review_in_label_studio_then_inspect(cli, corpus: Path, tmp_path: Path) -> None:
    tasks, xml = _sample(cli, corpus, tmp_path)
    assert len(tasks) == 6  # at least 4,000 items of a lot of 6: every record is inspected
    t = tasks[1]
    assert t["data"] == {"text_1": ID_MS["sides"]["id"]["text"], "text_2": ID_MS["sides"]["ms"]["text"]}
    assert t["meta"]["lancang_id"] == "r2" and t["meta"]["sample"]["position"] == 2
    assert t["meta"]["review"]["verdict"] is None
    assert t["annotations"][0]["completed_by"] == "ann-7"  # the person's layer, under review
    assert any(r["type"] == "relation" and r["labels"] == ["bead"] for r in t["predictions"][0]["result"])
    assert '<Choices name="verdict"' in xml and '<Choice value="alignment"/>' in xml
    assert '<Choice value="translation"/>' not in xml  # --defects replaced the default list
    li_mod = pytest.importorskip("label_studio_sdk.label_interface", reason="label-studio-sdk is a test extra")
    li = li_mod.LabelInterface(xml)
    li.validate()

    export = _review(tasks, {2: ("fail", ["alignment", "entity"])})
    for task in export:
        for x in task["annotations"] + task.get("predictions", []):
            assert li.validate_prediction(x, return_errors=True) == []
    # the person's annotation (the work under review) stays in the export next to the reviewer's
    export[1]["annotations"].insert(0, tasks[1]["annotations"][0])
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    res = cli("inspect", str(path), "--corpus", str(corpus), "--format", "json")
    assert res.exit_code == 1, res.output  # 96% must pass: one failing record of 6 rejects the lot
    insp = json.loads(res.stdout)["inspection"]
    assert (insp["reviewed"], insp["defective"], insp["nonconformities"], insp["decision"]) == (6, 1, 2, "reject")
    assert insp["reviewers"] == {"rev@example.org": 6}
    assert insp["defect_types"] == {"alignment": 1, "entity": 1}
    assert insp["per_annotator"]["ann-7"] == {"records": 1, "defective": 0, "defects": 0}
    # where the reviewer's annotation is the only one, its layers are the reviewer's (Label Studio copied the
    # prediction into it): flagged; task 2's layers are ann-7's work, reviewed by someone else
    assert insp["reviewer_is_annotator_count"] == 5, insp["reviewer_is_annotator"]
    assert "901" not in {x["record"] for x in insp["reviewer_is_annotator"]}


def test_inspect_label_studio_export_errors(cli, corpus: Path, tmp_path: Path) -> None:
    tasks, _ = _sample(cli, corpus, tmp_path)
    export = _review(tasks, {})
    export[3]["annotations"][0]["result"] = [r for r in export[3]["annotations"][0]["result"]
                                             if r.get("from_name") != "verdict"]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    res = cli("inspect", str(path))
    assert res.exit_code == 2 and "1 of 6 sampled records have no verdict" in res.stderr
    assert "[task 903 = record r4]" in res.stderr and "submit an annotation choosing the verdict" in res.stderr
    export = _review(tasks, {})
    export[0]["annotations"].append({**export[0]["annotations"][0], "id": 77})  # two verdicts on one task
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    res = cli("inspect", str(path))
    assert res.exit_code == 2 and "one verdict per sampled record" in res.stderr
    # a task swapped for another record of the corpus is caught against the corpus, by the record id
    export = _review(tasks, {})
    export[0]["meta"]["lancang_id"] = "r9"
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    res = cli("inspect", str(path), "--corpus", str(corpus))
    assert res.exit_code == 2 and "holds record 'r1', not 'r9'" in res.stderr


def test_config_out_needs_label_studio_tasks_in_a_file(cli, corpus: Path, tmp_path: Path) -> None:
    res = cli("sample", str(corpus), str(tmp_path / "s.jsonl"), "--aql", "10", "--config-out",
              str(tmp_path / "c.xml"))
    assert res.exit_code == 2 and "--format labelstudio" in res.stderr and not (tmp_path / "s.jsonl").exists()
