"""Scores and grades as data: a profile's ``scoring`` block turned into the report's ``score``.

Where a standard defines a score rather than pass/fail (TC609-5-2025-04: an indicator tree and
"三大维度均达到 90 分"), a profile declares weighted indicators grouped in dimensions, a pass mark per
dimension, grade bands and the pass rule (schema: ``$defs/scoring`` of profile.schema.json).

Arithmetic (docs/decisions.md, "Scores and grades"):

- a requirement scores 100 when it passes and 0 when it fails, whatever its severity; a requirement
  that was not checked has no score: it is *unknown*, never 0 and never left out (leaving it out would
  let one checked indicator speak for a whole dimension; counting it 0 would fail a dataset for what
  nobody measured);
- an indicator scores the mean of its requirements; with an unknown one, or none declared, its score is
  unknown (null); an indicator with ``"measure": "share"`` (a standard that measures "records that meet
  X ÷ all records", TC609-5-2025-04 0203) scores a checked record requirement by 100 × the share of the
  records without a finding instead of 100 or 0;
- a dimension scores the weighted mean of its indicators (weights need not sum to 1); the total is the
  mean of the dimension scores; either is null when one of its parts is;
- a pass or a grade is still decided when the unknown parts cannot change it: each unknown requirement
  is bounded by 0 and 100, so a dimension whose best case stays below its pass mark has ``passed``
  false, and a total whose worst and best cases fall in one band has that grade;
- ``every-dimension-pass``: passed when every dimension passed, not when one did not, null otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..findings import pointer

#: a requirement's score by its verdict; any other verdict (``not-checked``) is unknown
VERDICT_SCORE = {"pass": 100.0, "fail": 0.0}

Bounds = tuple[float, float]  # the lowest and highest score the unknown parts allow


def scoring_problems(scoring: dict[str, Any], requirement_ids: Iterable[str], source: str,
                     fact_problem: Callable[[str], str | None]) -> list[str]:
    """Every problem of a (schema-valid) scoring block, as "source pointer: message": a requirement id the
    profile (with what it extends) does not have, a dimension or indicator id used twice, grade bands
    that leave a total without a grade or give one twice, a ``source`` that points to no fact (what
    ``fact_problem`` says of it: the profile loader's source resolution)."""
    known = set(requirement_ids)
    out: list[str] = []

    def where(*parts: Any) -> str:
        return f"{source} {pointer('scoring', *parts)}"

    def sourced(obj: dict[str, Any], *parts: Any) -> None:
        if "source" in obj:
            problem = fact_problem(obj["source"])
            if problem:
                out.append(f"{where(*parts, 'source')}: {problem}")

    sourced(scoring)
    dims: set[str] = set()
    inds: set[str] = set()
    for d, dim in enumerate(scoring["dimensions"]):
        if dim["id"] in dims:
            out.append(f"{where('dimensions', d, 'id')}: dimension id {dim['id']!r} is used twice")
        dims.add(dim["id"])
        sourced(dim, "dimensions", d)
        for i, ind in enumerate(dim["indicators"]):
            at = ("dimensions", d, "indicators", i)
            if ind["id"] in inds:
                out.append(f"{where(*at, 'id')}: indicator id {ind['id']!r} is used twice")
            inds.add(ind["id"])
            sourced(ind, *at)
            for r, rid in enumerate(ind["requirements"]):
                if rid not in known:
                    out.append(f"{where(*at, 'requirements', r)}: no requirement {rid!r} in the profile "
                               f"(known: {', '.join(sorted(known)) or 'none'})")
    grades = scoring.get("grades", [])
    mins: dict[float, str] = {}
    for g, band in enumerate(grades):
        sourced(band, "grades", g)
        if band["min"] in mins:
            out.append(f"{where('grades', g, 'min')}: grades {mins[band['min']]!r} and {band['grade']!r} both start "
                       f"at {band['min']}")
        mins.setdefault(band["min"], band["grade"])
    if grades and 0 not in mins:
        out.append(f"{where('grades')}: no band starts at 0, so a low total would have no grade")
    return out


def _title(value: Any) -> dict[str, str]:
    return dict(value) if isinstance(value, dict) else {"en": value}


def _mean(pairs: list[tuple[Bounds, float]]) -> Bounds:
    """Weighted mean of bounds."""
    total = sum(w for _b, w in pairs)  # rounded so that weights like 0.125 x 8 do not miss a mark by 1e-14
    return (round(sum(b[0] * w for b, w in pairs) / total, 9), round(sum(b[1] * w for b, w in pairs) / total, 9))


def _known(b: Bounds) -> float | None:
    return round(b[0], 4) if b[0] == b[1] else None


def _decided(b: Bounds, mark: float) -> bool | None:
    if b[0] >= mark:
        return True
    if b[1] < mark:
        return False
    return None


def _grade(total: float, grades: list[dict[str, Any]]) -> str | None:
    reached = [g for g in grades if total >= g["min"]]
    return max(reached, key=lambda g: g["min"])["grade"] if reached else None


def score(scoring: dict[str, Any], verdicts: Mapping[str, str],
          shares: Mapping[str, float] | None = None) -> dict[str, Any]:
    """The report's ``score`` from a profile's scoring block and its requirements' verdicts (id -> verdict);
    ``shares`` (id -> share of the records without a finding, for record requirements) scores the indicators
    whose measure is ``share``."""
    dims_out = []
    dim_bounds: list[Bounds] = []
    for dim in scoring["dimensions"]:
        inds_out, pairs = [], []
        for ind in dim["indicators"]:
            by_share = ind.get("measure") == "share"
            reqs = [100.0 * shares[rid] if by_share and shares and rid in shares and verdicts.get(rid) in VERDICT_SCORE
                    else VERDICT_SCORE.get(verdicts.get(rid, "")) for rid in ind["requirements"]]
            if reqs:
                known = sum(s for s in reqs if s is not None)
                unknown = sum(1 for s in reqs if s is None)
                b = (known / len(reqs), (known + 100.0 * unknown) / len(reqs))
            else:  # the profile does not check this indicator
                b = (0.0, 100.0)
            pairs.append((b, float(ind["weight"])))
            inds_out.append({"id": ind["id"], "title": _title(ind["title"]), "score": _known(b),
                             **({"measure": "share"} if by_share else {}),
                             "weight": float(ind["weight"]), "requirements": list(ind["requirements"])})
        db = _mean(pairs)
        dim_bounds.append(db)
        dims_out.append({"id": dim["id"], "title": _title(dim["title"]), "score": _known(db),
                         "pass": float(dim["pass"]), "passed": _decided(db, dim["pass"]), "indicators": inds_out})
    tb = _mean([(b, 1.0) for b in dim_bounds])
    grades = scoring.get("grades", [])
    low, high = _grade(tb[0], grades), _grade(tb[1], grades)
    flags = [d["passed"] for d in dims_out]
    passed = False if False in flags else (True if all(flags) else None)
    return {"total": _known(tb), "grade": low if low == high else None, "passed": passed,
            "rule": scoring["rule"], "dimensions": dims_out}


__all__ = ["VERDICT_SCORE", "score", "scoring_problems"]
