"""The checker's verdicts: a requirement that examined nothing is not-checked (never pass); a lot
inspected under a switching history is judged against the plan the switching rules call for."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest

from lancang.quality.document import metrics_document
from lancang.quality.sampling import Inspection, gb2828_plan
from lancang.quality.switching import record_lot
from lancang.standards.checker import Checker
from lancang.standards.profiles import load_profile

from ..conftest import write_jsonl
from .test_check import profile_file
from .test_rules import RECORD


def recs(n: int, mutate: Any = None) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        r = copy.deepcopy(RECORD)
        r["id"] = f"r{i}"
        if mutate is not None:
            mutate(r)
        out.append(r)
    return out


def req(rep: dict[str, Any], rid: str) -> dict[str, Any]:
    return next(q for q in rep["requirements"] if q["id"] == rid)


def run(tmp_path: Path, records: list[dict[str, Any]], requirements: list[dict[str, Any]],
        metrics: dict[str, Any] | None = None) -> dict[str, Any]:
    c = write_jsonl(tmp_path / "c.jsonl", records)
    prof = load_profile(str(profile_file(tmp_path, "p", requirements=requirements)))
    return Checker([prof]).run(c, metrics=metrics)


UPOS = {"id": "upos", "clause": "1", "basis": "default", "kind": "rule", "rule": "layer-values", "title": "t",
        "params": {"layer": "pos", "values": ["PRON", "VERB", "PROPN"]}}
SCHEMA = {"id": "ids", "clause": "2", "basis": "default", "kind": "record", "title": "t",
          "schema": {"properties": {"id": {"pattern": "^r"}}}}


# --------------------------------------------------------------------------------- examined nothing

def test_a_rule_whose_layer_no_record_has_is_not_checked(tmp_path: Path) -> None:
    rep = run(tmp_path, recs(3, lambda r: r["sides"]["th"]["layers"].pop("pos")), [UPOS])
    q = req(rep, "upos")
    assert q["verdict"] == "not-checked"
    assert q["reason"] == "none of the 3 valid records has a pos layer, so nothing was examined"
    assert rep["verdict"] == "incomplete"


def test_a_rule_that_examined_one_record_passes(tmp_path: Path) -> None:
    rs = recs(3, lambda r: r["sides"]["th"]["layers"].pop("pos"))
    rs[1] = recs(1)[0] | {"id": "r1"}
    rep = run(tmp_path, rs, [UPOS])
    assert req(rep, "upos")["verdict"] == "pass" and rep["verdict"] == "conformant"


def test_when_every_record_fails_the_canonical_schema_nothing_is_examined(tmp_path: Path) -> None:
    bad = recs(2, lambda r: r["sides"]["th"].update(text=7))
    rep = run(tmp_path, bad, [UPOS, SCHEMA])
    assert req(rep, "canonical-record")["verdict"] == "fail"
    for rid in ("upos", "ids"):
        q = req(rep, rid)
        assert q["verdict"] == "not-checked", q
        assert q["reason"].startswith("no record was examined: all 2 records failed lancang/canonical-record")


@pytest.mark.parametrize("rule, params, mutate, what", [
    ("dependency-tree", {}, lambda r: r["sides"]["th"]["layers"].pop("head"), "a head layer"),
    ("entity-labels", {"labels": ["LOC"]}, lambda r: r["sides"]["zh-Hans"]["layers"].pop("entities"),
     "an entities layer"),
    ("tmx-header", {}, None, "a TMX header (meta.tmx.header)"),
])
def test_other_rules_that_look_at_part_of_a_record(tmp_path: Path, rule: str, params: dict[str, Any],
                                                   mutate: Any, what: str) -> None:
    r = {"id": "x", "clause": "1", "basis": "default", "kind": "rule", "rule": rule, "title": "t", "params": params}
    q = req(run(tmp_path, recs(2, mutate), [r]), "x")
    assert q["verdict"] == "not-checked" and q["reason"] == f"none of the 2 valid records has {what}, so nothing " \
                                                          "was examined"


# --------------------------------------------------------------------------- sampling and switching

AQL = {"id": "sample", "clause": "9", "basis": "default", "kind": "sampling", "title": "s",
       "plan": {"scheme": "gb-t-2828.1", "aql": 2.5, "level": "II"}}
LOT = 100


def reduced_history(tmp_path: Path) -> dict[str, Any]:
    """A real switching history: 15 accepted lots on normal inspection (Ac 1: +2 each, score 30), then a lot
    on reduced inspection (approved); returns that lot's ``inspection.switching`` part."""
    hist = tmp_path / "lots.jsonl"
    normal = gb2828_plan(LOT, "2.5", "II", "normal")
    for k in range(15):
        record_lot(hist, normal, 0, sample={"digest": f"s{k}"}, where="t")
    return record_lot(hist, gb2828_plan(LOT, "2.5", "II", "reduced"), 1, sample={"digest": "s15"}, where="t",
                      allow_reduced=True)


def inspection(c: Path, severity: str, defects: int, switching: dict[str, Any] | None) -> dict[str, Any]:
    plan = gb2828_plan(LOT, "2.5", "II", severity)
    insp = Inspection(plan, reviewed=plan.sample_size, defective=defects).to_dict()
    if switching is not None:
        insp["switching"] = switching
    return metrics_document("inspect", inputs=[c], inspection=insp)


def sampling(tmp_path: Path, severity: str, defects: int, switching: dict[str, Any] | None) -> dict[str, Any]:
    c = write_jsonl(tmp_path / "c.jsonl", recs(LOT))
    prof = load_profile(str(profile_file(tmp_path, "p", requirements=[AQL])))
    return req(Checker([prof]).run(c, metrics=inspection(c, severity, defects, switching)), "sample")


def test_a_lot_on_reduced_inspection_is_judged_against_the_reduced_plan(tmp_path: Path) -> None:
    switch = reduced_history(tmp_path)
    assert switch["severity"] == "reduced"
    q = sampling(tmp_path, "reduced", 1, switch)
    assert q["verdict"] == "pass", q
    assert "on reduced inspection, as the switching rules call for" in q["reason"] and "lot 16" in q["reason"]


def test_without_a_history_a_reduced_sample_is_too_small(tmp_path: Path) -> None:
    q = sampling(tmp_path, "reduced", 1, None)
    assert q["verdict"] == "fail"
    assert q["shown"][0]["message"] == ("the inspection used n=13, Ac=1; the profile's plan for a lot of 100 needs "
                                        "n>=20, Ac<=1")


def test_a_rejected_lot_on_reduced_inspection_still_fails(tmp_path: Path) -> None:
    switch = reduced_history(tmp_path)
    q = sampling(tmp_path, "reduced", 2, switch)
    assert q["verdict"] == "fail" and q["shown"][0]["message"].startswith("inspection rejected the lot: 2 defects")


def test_a_switching_record_that_disagrees_with_the_plan_is_refused(tmp_path: Path) -> None:
    switch = reduced_history(tmp_path)
    q = sampling(tmp_path, "normal", 0, {**switch, "severity": "tightened"})
    assert q["verdict"] == "fail"
    assert "switching record says 'tightened' inspection but its plan is on 'normal'" in q["shown"][0]["message"]


def test_the_cli_prints_the_plan_the_history_called_for(cli, tmp_path: Path) -> None:
    switch = reduced_history(tmp_path)
    c = write_jsonl(tmp_path / "c.jsonl", recs(LOT))
    mf = tmp_path / "m.json"
    mf.write_bytes(orjson.dumps(inspection(c, "reduced", 0, switch)))
    prof = profile_file(tmp_path, "p", requirements=[AQL])
    res = cli("check", str(c), "-p", str(prof), "--metrics", str(mf))
    assert res.exit_code == 0, res.stdout
    assert "on reduced inspection, as the switching rules call for" in res.stdout
