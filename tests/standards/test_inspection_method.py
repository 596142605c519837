"""TC260-003 §9.2: the manual and the automated plan each take the inspection of their method.

An inspection records how its verdicts were reached (`lancang inspect --method manual|automated`);
`check` takes several metrics files; a sampling requirement with a ``method`` judges only the
inspection of that method, and is not-checked (with the reason) when none was given.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lancang.corpora.samples import sample_path
from lancang.errors import UsageError
from lancang.schemas import load_schema
from lancang.schemas.validator import SchemaEngine
from lancang.standards.checker import check, merge_metrics
from lancang.standards.html import render_html
from lancang.standards.profiles import load_profile


def inspected(cli, tmp_path: Path, plan: str, method: str | None, fail: int = 0) -> Path:
    """A real inspection of the sample corpus under a TC260-003 §9.2 plan: sample, review (``fail`` records
    failing), inspect with ``--method``."""
    name = f"{plan}-{method}-{fail}"
    review = tmp_path / f"{name}.review.jsonl"
    res = cli("sample", str(sample_path()), str(review), "--plan", plan, "--seed", "3")
    assert res.exit_code == 0, res.output
    recs = [json.loads(line) for line in review.read_text(encoding="utf-8").splitlines()]
    for i, r in enumerate(recs):
        r["meta"]["review"].update(verdict="fail" if i < fail else "pass", reviewer="rev-1",
                                   **({"defects": ["unsafe"]} if i < fail else {}))
    review.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    out = tmp_path / f"{name}.metrics.json"
    args = ["inspect", str(review), "--corpus", str(sample_path()), "--format", "json", "-o", str(out)]
    res = cli(*args, *(["--method", method] if method else []))
    assert res.exit_code in (0, 1), res.output
    return out


def tc260(metrics: list[Path]) -> dict[str, dict[str, Any]]:
    rep = check(sample_path(), [load_profile("tc260-003")], sample_path("sample.manifest.json"), metrics or None)
    return {q["id"]: q for q in rep["requirements"]}


def test_inspect_records_its_method(cli, tmp_path: Path) -> None:
    doc = json.loads(inspected(cli, tmp_path, "tc260-003-9.2-automated", "automated").read_text(encoding="utf-8"))
    assert doc["inspection"]["method"] == "automated" and doc["settings"]["method"] == "automated"
    doc = json.loads(inspected(cli, tmp_path, "tc260-003-9.2-manual", None).read_text(encoding="utf-8"))
    assert "method" not in doc["inspection"]


def test_each_plan_takes_the_inspection_of_its_method(cli, tmp_path: Path) -> None:
    manual = inspected(cli, tmp_path, "tc260-003-9.2-manual", "manual")
    auto = inspected(cli, tmp_path, "tc260-003-9.2-automated", "automated")
    reqs = tc260([manual, auto])
    assert reqs["manual-sample"]["verdict"] == "pass", reqs["manual-sample"]
    assert reqs["automated-sample"]["verdict"] == "pass", reqs["automated-sample"]


def test_a_failing_automated_screen_fails_only_the_automated_plan(cli, tmp_path: Path) -> None:
    manual = inspected(cli, tmp_path, "tc260-003-9.2-manual", "manual")
    auto = inspected(cli, tmp_path, "tc260-003-9.2-automated", "automated", fail=2)
    reqs = tc260([auto, manual])  # order does not matter: each requirement picks its method
    assert reqs["manual-sample"]["verdict"] == "pass"
    q = reqs["automated-sample"]
    assert q["verdict"] == "fail" and q["shown"][0]["pointer"] == "/inspections/0"
    assert q["shown"][0]["code"] == "sampling.rejected" and q["shown"][0]["params"]["defects"] == 2


def test_the_manual_plan_is_not_met_by_an_automated_inspection(cli, tmp_path: Path) -> None:
    """Before, one inspection meeting both plans passed both; now a plan without its method's inspection is
    not checked, and says why."""
    reqs = tc260([inspected(cli, tmp_path, "tc260-003-9.2-automated", "automated")])
    assert reqs["automated-sample"]["verdict"] == "pass"
    q = reqs["manual-sample"]
    assert q["verdict"] == "not-checked"
    assert q["reason"].startswith("no manual inspection result") and "automated" in q["reason"]
    assert q["reason_code"] == "reason.no-inspection-method" and q["reason_params"]["found"] == ["automated"]


def test_an_inspection_that_does_not_say_its_method_checks_neither_plan(cli, tmp_path: Path) -> None:
    reqs = tc260([inspected(cli, tmp_path, "tc260-003-9.2-manual", None)])
    for rid in ("manual-sample", "automated-sample"):
        assert reqs[rid]["verdict"] == "not-checked" and "(no method)" in reqs[rid]["reason"]


def test_a_plan_without_method_still_takes_the_one_inspection(cli, tmp_path: Path) -> None:
    metrics = inspected(cli, tmp_path, "tc260-003-9.2-manual", None)
    rep = check(sample_path(), [load_profile("gb-t-40035-2021")], sample_path("sample.manifest.json"), metrics)
    assert next(q for q in rep["requirements"] if q["kind"] == "sampling")["verdict"] != "not-checked"


def test_the_cli_takes_several_metrics_files_and_the_page_shows_both_inspections(cli, tmp_path: Path) -> None:
    manual = inspected(cli, tmp_path, "tc260-003-9.2-manual", "manual")
    auto = inspected(cli, tmp_path, "tc260-003-9.2-automated", "automated")
    out = tmp_path / "r.json"
    res = cli("check", str(sample_path()), "--manifest", str(sample_path("sample.manifest.json")), "-p", "tc260-003",
              "--metrics", str(manual), "--metrics", str(auto), "--format", "json", "-o", str(out))
    assert res.exit_code in (0, 1), res.output
    rep = json.loads(out.read_text(encoding="utf-8"))
    assert [i["method"] for i in rep["metrics"]["inspections"]] == ["manual", "automated"]
    assert SchemaEngine(load_schema("report")).errors(rep) == []
    assert [d["command"] for d in rep["metrics"]["documents"]] == ["inspect", "inspect"]
    page = render_html(rep, "zh")
    assert "人工抽检" in page and "自动化检测" in page


def test_the_same_metrics_part_twice_is_a_usage_error() -> None:
    doc = {"metrics": "lancang/metrics/1", "accuracy": {"tokens": {}}}
    with pytest.raises(UsageError, match="'accuracy' is also in a.json"):
        merge_metrics([("a.json", doc), ("b.json", doc)])


def test_an_unknown_method_is_refused(cli, tmp_path: Path) -> None:
    res = cli("inspect", str(tmp_path / "x.jsonl"), "--method", "oracle")
    assert res.exit_code == 2 and "oracle" in res.output


def test_profiles_show_names_each_plans_method(cli) -> None:
    out = cli("profiles", "show", "tc260-003").stdout
    assert "manual-sample" in out and "sampling, manual inspection" in out and "sampling, automated inspection" in out
