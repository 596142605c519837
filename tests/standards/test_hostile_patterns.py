"""A hostile regular expression in a profile (issue 12, "harden"): a ``pattern`` that backtracks without end
is bounded, and a value where it reaches the bound leaves the requirement not-checked (with the reason, the
pattern's JSON pointer and the first value's location) instead of failing the record."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson

from lancang.schemas import load_schema
from lancang.schemas.validator import COSTLY, PATTERN_BACKTRACK_LIMIT, SchemaEngine, needs_backtracking
from lancang.standards.checker import check
from lancang.standards.profiles import load_profile, pattern_warnings

from ..conftest import write_jsonl
from .test_check import profile_file
from .test_rules import MANIFEST, RECORD

#: a negative lookahead in a nested repetition: exponential backtracking on "aaa…ab" (fancy-regex only)
HOSTILE = r"^((a+)(?!b))+$"
LONG = "a" * 30 + "b"


def records(tmp_path: Path, ids: list[str], **extra: Any) -> Path:
    recs = []
    for rid in ids:
        r = copy.deepcopy(RECORD)
        r["id"] = rid
        r.update(extra)
        recs.append(r)
    return write_jsonl(tmp_path / "c.jsonl", recs)


def profile(tmp_path: Path, schema: dict[str, Any], kind: str = "record") -> Path:
    return profile_file(tmp_path, "hostile", requirements=[
        {"id": "ids", "title": "ids", "clause": "1", "basis": "default", "kind": kind, "schema": schema}])


def requirement(report: dict[str, Any]) -> dict[str, Any]:
    [req] = [r for r in report["requirements"] if r["id"] == "ids"]
    return req


def test_engine_reports_a_costly_pattern_apart_from_a_mismatch() -> None:
    eng = SchemaEngine({"properties": {"id": {"pattern": HOSTILE}}})
    [(ptr, kw, msg)] = eng.errors({"id": LONG})
    assert (ptr, kw) == ("/id", COSTLY)
    assert HOSTILE in msg and "/properties/id/pattern" in msg and f"{PATTERN_BACKTRACK_LIMIT:,}" in msg
    assert eng.errors({"id": "c"})[0][1] == "pattern"  # a plain mismatch stays a failure
    assert eng.is_valid({"id": "aaa"})


def test_costly_pattern_leaves_the_requirement_not_checked(tmp_path: Path) -> None:
    """Record 1 reaches the bound; records 2 and 3 do not match the pattern, but are not checked."""
    c = records(tmp_path, [LONG, "x", "y"])
    prof = profile(tmp_path, {"properties": {"id": {"pattern": HOSTILE}}})
    rep = check(c, [load_profile(str(prof))])
    req = requirement(rep)
    assert req["verdict"] == "not-checked" and req["findings"] == 0 and req["shown"] == []
    assert "pattern too costly" in req["reason"] and "/properties/id/pattern" in req["reason"]
    assert f"{c}:1, record {LONG}, /id" in req["reason"]
    assert rep["verdict"] == "incomplete"
    assert SchemaEngine(load_schema("report")).is_valid(rep)


def test_a_failure_before_the_costly_value_stays_a_failure(tmp_path: Path) -> None:
    c = records(tmp_path, ["c", LONG, "aaa"])
    prof = profile(tmp_path, {"properties": {"id": {"pattern": HOSTILE}}})
    req = requirement(check(c, [load_profile(str(prof))]))
    assert req["verdict"] == "fail" and req["findings"] == 1 and req["shown"][0]["line"] == 1
    assert f"{c}:2, record {LONG}" in req["reason"]


def test_lookaround_patterns_within_the_bound_still_check(tmp_path: Path) -> None:
    c = records(tmp_path, ["r1", "q2", "r3"])
    prof = profile(tmp_path, {"properties": {"id": {"pattern": r"^(?=r)\w(?<=r)\d$"}}})
    req = requirement(check(c, [load_profile(str(prof))]))
    assert req["verdict"] == "fail" and req["findings"] == 1 and req["shown"][0]["record"] == "q2"


def test_costly_pattern_in_a_manifest_schema(tmp_path: Path) -> None:
    c = records(tmp_path, ["r1"])
    m = tmp_path / "manifest.json"
    m.write_bytes(orjson.dumps({**MANIFEST, "title": LONG}))
    prof = profile(tmp_path, {"properties": {"title": {"pattern": HOSTILE}}}, kind="manifest")
    req = requirement(check(c, [load_profile(str(prof))], manifest=m))
    assert req["verdict"] == "not-checked" and req["findings"] == 0
    assert f"{m}, /title" in req["reason"] and "/properties/title/pattern" in req["reason"]


def test_cli_check_reports_not_checked(cli, tmp_path: Path) -> None:
    c = records(tmp_path, [LONG, LONG + "x"])
    prof = profile(tmp_path, {"properties": {"id": {"pattern": HOSTILE}}})
    res = cli("check", str(c), "-p", str(prof), "--format", "json")
    assert "Traceback" not in res.output
    req = requirement(orjson.loads(res.stdout))
    assert req["verdict"] == "not-checked" and "pattern too costly" in req["reason"]


def test_needs_backtracking() -> None:
    assert needs_backtracking(HOSTILE) and needs_backtracking(r"(?<=a)b") and needs_backtracking(r"(a)\1")
    assert not needs_backtracking(r"^(a+)+$")  # nested, but the linear-time engine runs it
    assert not needs_backtracking(r"^[a-z]{2,3}(-[A-Z]{2})?$")


def test_profiles_validate_warns_of_backtracking_patterns(cli, tmp_path: Path) -> None:
    prof = profile(tmp_path, {"properties": {"id": {"pattern": HOSTILE}, "doc": {"pattern": "^(a+)+$"}},
                              "patternProperties": {"(?<=x)y": {}}})
    res = cli("profiles", "validate", str(prof))
    assert res.exit_code == 0 and "valid" in res.stdout
    warnings = res.stderr.strip().splitlines()
    assert len(warnings) == 2 and all(str(prof) in w and "warning:" in w for w in warnings)
    assert any("/requirements/0/schema/properties/id/pattern" in w and HOSTILE in w for w in warnings)
    assert any("/requirements/0/schema/patternProperties/(?<=x)y" in w for w in warnings)
    assert pattern_warnings(load_profile(str(prof)).doc, "p") == [w.replace(str(prof), "p", 1) for w in warnings]
