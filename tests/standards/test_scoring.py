"""Scores and grades as data (issue 13): a profile's `scoring` block, its validation, the arithmetic and
the report's `score` in JSON, text and JUnit."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest
from lxml import etree

from lancang.corpora.samples import sample_path
from lancang.schemas import load_schema
from lancang.schemas.validator import SchemaEngine
from lancang.standards.checker import check
from lancang.standards.profiles import ProfileError, load_profile
from lancang.standards.scoring import score

from .test_check import corpus, profile_file

REPORT = SchemaEngine(load_schema("report"))
PROFILE = SchemaEngine(load_schema("profile"))

PASS = {"id": "labels-ok", "clause": "1", "basis": "default", "kind": "rule", "rule": "entity-labels",
        "params": {"labels": ["LOC"]}, "title": "labels pass"}
FAIL = {"id": "labels-bad", "clause": "2", "basis": "default", "kind": "rule", "rule": "entity-labels",
        "params": {"labels": ["PER"]}, "title": "labels fail"}
UNCHECKED = {"id": "sample", "clause": "3", "basis": "default", "kind": "sampling", "title": "no inspection given",
             "plan": {"scheme": "fixed", "min_sample": 10, "min_pass_rate": 0.9}}


def ind(iid: str, weight: float, reqs: list[str], **more: Any) -> dict[str, Any]:
    return {"id": iid, "title": {"en": iid, "zh": iid}, "weight": weight, "basis": "default", "requirements": reqs,
            **more}


#: checked by hand below: A = (3 x 50 + 1 x 100) / 4 = 62.5 >= 60; B in [0, 50] < 90 whatever the unknown is
SCORING = {
    "rule": "every-dimension-pass", "basis": "default",
    "dimensions": [
        {"id": "A", "title": {"en": "dimension A", "zh": "维度 A"}, "pass": 60, "basis": "default",
         "indicators": [ind("a1", 3, ["labels-ok", "labels-bad"]), ind("a2", 1, ["labels-ok"])]},
        {"id": "B", "title": "dimension B", "pass": 90, "basis": "default",
         "indicators": [ind("b1", 1, ["labels-bad"]), ind("b2", 1, ["sample"])]},
    ],
    "grades": [{"grade": "A", "min": 90, "basis": "default", "title": "A"},
               {"grade": "B", "min": 50, "basis": "default", "title": "B"},
               {"grade": "C", "min": 0, "basis": "default", "title": "C"}],
}


def scored_profile(tmp_path: Path, scoring: dict[str, Any] | None = None, name: str = "scored", **doc: Any) -> Path:
    return profile_file(tmp_path, name, requirements=[PASS, FAIL, UNCHECKED],
                        scoring=copy.deepcopy(SCORING if scoring is None else scoring), **doc)


def doc_with(scoring: dict[str, Any]) -> dict[str, Any]:
    return {"profile": "lancang/profile/1", "id": "x", "title": "x", "issuer": "t", "level": "project",
            "status": "draft", "requirements": [PASS], "scoring": scoring}


# ---------------------------------------------------------------------------------------------- the schema
def test_schema_accepts_a_scoring_block_and_refuses_broken_ones() -> None:
    assert PROFILE.is_valid(doc_with(SCORING)), PROFILE.errors(doc_with(SCORING))
    bad = copy.deepcopy(SCORING)
    bad["dimensions"][0]["pass"] = 101
    bad["dimensions"][0]["indicators"][0]["weight"] = 0
    bad["dimensions"][1]["basis"] = "secondary"  # a number read in a secondary source says where
    bad["grades"][0]["colour"] = "green"
    ptrs = {p for p, _kw, _m in PROFILE.errors(doc_with(bad))}
    assert {"/scoring/dimensions/0/pass", "/scoring/dimensions/0/indicators/0/weight", "/scoring/dimensions/1",
            "/scoring/grades/0"} <= ptrs, ptrs
    assert not PROFILE.is_valid(doc_with({**SCORING, "rule": "most-dimensions-pass"}))
    assert not PROFILE.is_valid(doc_with({k: v for k, v in SCORING.items() if k != "basis"}))


def test_profiles_validate_names_an_unknown_requirement_in_one_line(cli, tmp_path: Path) -> None:
    ok = scored_profile(tmp_path)
    res = cli("profiles", "validate", str(ok))
    assert res.exit_code == 0, res.output
    sc = copy.deepcopy(SCORING)
    sc["dimensions"][1]["indicators"][1]["requirements"] = ["sampel"]
    res = cli("profiles", "validate", str(scored_profile(tmp_path, sc, name="typo")))
    assert res.exit_code == 2
    [line] = res.output.splitlines()
    assert "/scoring/dimensions/1/indicators/1/requirements/0" in line and "no requirement 'sampel'" in line
    with pytest.raises(ProfileError, match="sampel"):
        load_profile(str(tmp_path / "typo.json"))


def test_scoring_problems_ids_grades_and_sources(tmp_path: Path) -> None:
    sc = copy.deepcopy(SCORING)
    sc["dimensions"][1]["id"] = "A"
    sc["dimensions"][1]["indicators"][0]["id"] = "a1"
    sc["grades"] = [{"grade": "A", "min": 90, "basis": "default", "title": "A"},
                    {"grade": "A+", "min": 90, "basis": "default", "title": "A+"}]
    sc["dimensions"][0].update(basis="secondary", source="docs/standards/tc609-5-2025.md#no-such-fact")
    with pytest.raises(ProfileError) as exc:
        load_profile(str(scored_profile(tmp_path, sc, name="muddled")))
    msg = str(exc.value)
    assert "/scoring/dimensions/1/id: dimension id 'A' is used twice" in msg
    assert "/scoring/dimensions/1/indicators/0/id: indicator id 'a1' is used twice" in msg
    assert "/scoring/grades/1/min: grades 'A' and 'A+' both start at 90" in msg
    assert "/scoring/grades: no band starts at 0" in msg
    assert "/scoring/dimensions/0/source" in msg and "points nowhere" in msg


def test_an_inherited_requirement_may_be_scored(tmp_path: Path) -> None:
    base = profile_file(tmp_path, "base", requirements=[PASS, FAIL, UNCHECKED])
    sc = copy.deepcopy(SCORING)
    child = profile_file(tmp_path, "child", extends=[str(base)], requirements=[], scoring=sc)
    assert load_profile(str(child)).doc["scoring"]["rule"] == "every-dimension-pass"


# ---------------------------------------------------------------------------------------------- arithmetic
def test_arithmetic_checked_by_hand() -> None:
    v = {"labels-ok": "pass", "labels-bad": "fail", "sample": "not-checked"}
    sc = score(SCORING, v)
    a, b = sc["dimensions"]
    assert [i["score"] for i in a["indicators"]] == [50.0, 100.0]
    assert a["score"] == 62.5 and a["passed"] is True  # (3 x 50 + 100) / 4
    assert [i["score"] for i in b["indicators"]] == [0.0, None]
    assert b["score"] is None and b["passed"] is False  # at best (0 + 100) / 2 = 50 < 90
    # total in [(62.5 + 0) / 2, (62.5 + 50) / 2] = [31.25, 56.25]: grade C or B, so unknown
    assert sc["total"] is None and sc["grade"] is None and sc["passed"] is False
    assert b["title"] == {"en": "dimension B"} and a["indicators"][0]["weight"] == 3.0
    assert a["indicators"][0]["requirements"] == ["labels-ok", "labels-bad"]

    v["sample"] = "pass"  # B = (0 + 100) / 2 = 50; total (62.5 + 50) / 2 = 56.25: grade B
    sc = score(SCORING, v)
    assert sc["dimensions"][1]["score"] == 50.0 and sc["total"] == 56.25 and sc["grade"] == "B"
    assert sc["passed"] is False

    everything = dict.fromkeys(v, "pass")
    sc = score(SCORING, everything)
    assert sc["total"] == 100.0 and sc["grade"] == "A" and sc["passed"] is True


def test_unknown_parts_that_cannot_change_the_outcome_still_decide_it() -> None:
    sc = copy.deepcopy(SCORING)
    sc["dimensions"][1]["pass"] = 50  # B in [50, 100] with b1 passing: passes whatever the sample says
    out = score(sc, {"labels-ok": "pass", "labels-bad": "pass", "sample": "not-checked"})
    assert out["dimensions"][1]["score"] is None and out["dimensions"][1]["passed"] is True
    assert out["passed"] is True
    assert out["total"] is None and out["grade"] is None  # total in [(100 + 50) / 2, 100] = [75, 100]: B or A
    sc["grades"][0]["min"] = 75  # both ends of [75, 100] are in A now
    out = score(sc, {"labels-ok": "pass", "labels-bad": "pass", "sample": "not-checked"})
    assert out["total"] is None and out["grade"] == "A"


def test_an_indicator_the_profile_does_not_check_is_unknown_not_zero() -> None:
    sc = {"rule": "every-dimension-pass", "basis": "default",
          "dimensions": [{"id": "D", "title": "d", "pass": 90, "basis": "default",
                          "indicators": [ind("d1", 1, ["labels-ok"]), ind("d2", 1, [])]}]}
    out = score(sc, {"labels-ok": "pass"})
    assert out["dimensions"][0]["indicators"][1]["score"] is None
    assert out["dimensions"][0]["score"] is None and out["passed"] is None and out["grade"] is None


def test_weights_like_eighths_meet_a_mark_exactly() -> None:
    sc = {"rule": "every-dimension-pass", "basis": "default",
          "dimensions": [{"id": "D", "title": "d", "pass": 87.5, "basis": "default",
                          "indicators": [ind(f"d{i}", 0.1, ["labels-ok" if i else "labels-bad"]) for i in range(8)]}]}
    out = score(sc, {"labels-ok": "pass", "labels-bad": "fail"})
    assert out["dimensions"][0]["score"] == 87.5 and out["passed"] is True


# ---------------------------------------------------------------------------------------------- the report
def test_check_reports_the_score_in_json_text_and_junit(cli, tmp_path: Path) -> None:
    c, m = corpus(tmp_path)
    prof = scored_profile(tmp_path)
    res = cli("check", str(c), "-p", str(prof), "--format", "json")
    rep = orjson.loads(res.stdout)
    assert REPORT.is_valid(rep), REPORT.errors(rep)
    assert rep["verdict"] == "not-conformant" and res.exit_code == 1
    assert rep["score"] == score(SCORING, {"labels-ok": "pass", "labels-bad": "fail", "sample": "not-checked"})
    assert list(rep["score"]) == ["total", "grade", "passed", "rule", "dimensions"]
    assert list(rep["score"]["dimensions"][0]) == ["id", "title", "score", "pass", "passed", "indicators"]

    res = cli("check", str(c), "-p", str(prof))
    lines = res.stdout.splitlines()
    assert lines[-1] == "VERDICT: NOT-CONFORMANT — score unknown, grade unknown; every-dimension-pass: fail"
    assert "PASS A dimension A: 62.5 (pass mark 60)" in lines
    assert "FAIL B dimension B: unknown (pass mark 90)" in lines
    res = cli("check", str(c), "-p", str(prof), "--lang", "zh")
    assert "PASS A 维度 A: 62.5 (pass mark 60)" in res.stdout.splitlines()

    out = tmp_path / "r.xml"
    cli("check", str(c), "-p", str(prof), "--format", "junit", "-o", str(out))
    root = etree.parse(str(out)).getroot()
    [suite] = root.findall("testsuite[@name='score']")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("2", "1", "0")
    assert suite.find("testcase[@name='B dimension B']/failure").get("message") == "score unknown, pass mark 90"
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props == {"rule": "every-dimension-pass", "total": "unknown", "grade": "unknown", "passed": "fail"}
    assert root.get("tests") == str(4 + 2) and root.get("failures") == str(1 + 1)


def test_no_score_without_scoring_and_one_score_per_report(cli, tmp_path: Path) -> None:
    c, m = corpus(tmp_path)
    plain = profile_file(tmp_path, "plain", requirements=[PASS])
    res = cli("check", str(c), "-p", str(plain), "--format", "json")
    assert "score" not in orjson.loads(res.stdout)
    assert "score" not in cli("check", str(c), "-p", str(plain)).stdout.splitlines()[-1]
    res = cli("check", str(c), "-p", str(scored_profile(tmp_path)), "-p", str(scored_profile(tmp_path, name="other")))
    assert res.exit_code == 2
    [line] = res.output.splitlines()
    assert "scored, other each declare a score" in line


def test_tc609_04_on_the_demo_sample() -> None:
    """Dimension 01 is checked: 0103 passes (sources, collection method, processing, guidelines, version are all
    in the sample's manifest), 0101, 0102 and 0104 miss items, so 01 = (0 + 0 + 100 + 0) / 4 = 25 < 90 and the
    90-point rule fails; in 02 only 0203 is checked: no sample record carries the TC609-02 annotation fields, so
    it scores 0 (the share of conforming records) and 02 can reach at most 87.5 < 90 (failed, score unknown);
    03 is declared but not checked, so the total and the grade stay unknown."""
    rep = check(sample_path("sample.jsonl"), [load_profile("tc609-5-2025-04")], sample_path("sample.manifest.json"))
    assert REPORT.is_valid(rep), REPORT.errors(rep)
    sc = rep["score"]
    d01, d02, d03 = sc["dimensions"]
    assert [(i["id"], i["score"]) for i in d01["indicators"]] == [("0101", 0.0), ("0102", 0.0), ("0103", 100.0),
                                                                  ("0104", 0.0)]
    assert (d01["score"], d01["pass"], d01["passed"]) == (25.0, 90.0, False)
    assert d01["title"] == {"zh": "说明文档", "en": "Documentation"}
    assert (d02["score"], d02["passed"], len(d02["indicators"])) == (None, False, 8)
    assert [(i["id"], i["score"], i.get("measure")) for i in d02["indicators"][2:4]] == [("0203", 0.0, "share"),
                                                                                        ("0204", None, None)]
    assert (d03["score"], d03["passed"], len(d03["indicators"])) == (None, None, 5)
    assert (sc["total"], sc["grade"], sc["passed"], sc["rule"]) == (None, None, False, "every-dimension-pass")
    assert sum(i["weight"] for i in d02["indicators"]) == 1.0 and sum(i["weight"] for i in d03["indicators"]) == 1.0


def test_tc609_04_defaults_say_so_in_their_titles() -> None:
    doc = load_profile("tc609-5-2025-04").doc["scoring"]
    for dim in doc["dimensions"]:
        assert dim["pass"] == 90 and dim["basis"] == "secondary" and dim["source"].endswith("#04-pass")
        for i in dim["indicators"]:
            assert i["basis"] == "default"
            assert "lancang default" in i["title"]["en"] and "lancang 默认" in i["title"]["zh"]
    for g in doc["grades"]:
        assert g["basis"] == "default" and "lancang default" in g["title"]["en"] and "lancang 默认" in g["title"]["zh"]


def test_profiles_show_prints_the_scoring_block(cli) -> None:
    res = cli("profiles", "show", "tc609-5-2025-04")
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "scoring (every-dimension-pass):" in out and "dimension 01" in out and "pass mark 90" in out
    assert "0103     weight 0.25: 0103-process" in out
    assert "0201     weight 0.125: (no requirement checks it yet: unknown)" in out
    assert "grade A from 90" in out


def test_tc609_04_0203_scores_the_share_of_records_that_follow_the_annotation_rule(tmp_path: Path) -> None:
    """0203 is measured as records that follow the annotation rules ÷ all records: 3 of 4 records conform, so
    the indicator scores 75 (a verdict score would give 0), and the requirement reports the failing records."""
    import json

    recs = [json.loads(line) for line in sample_path("sample.jsonl").read_text(encoding="utf-8").splitlines()[:4]]
    for i, r in enumerate(recs):
        r.setdefault("meta", {})["annotation"] = ({"label": ["翻译"], "annotation_method": "人工标注"} if i else
                                                 {"label": [], "annotator": "路人"})
    c = tmp_path / "c.jsonl"
    c.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    rep = check(c, [load_profile("tc609-5-2025-04")], sample_path("sample.manifest.json"))
    assert REPORT.is_valid(rep), REPORT.errors(rep)
    q = next(q for q in rep["requirements"] if q["id"] == "0203-annotation")
    assert (q["verdict"], q["records_failed"], q["findings"]) == ("fail", 1, 2)
    ind = rep["score"]["dimensions"][1]["indicators"][2]
    assert (ind["id"], ind["score"], ind["measure"]) == ("0203", 75.0, "share")
