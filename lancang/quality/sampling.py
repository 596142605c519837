"""Acceptance sampling: GB/T 2828.1 (= ISO 2859-1) single sampling plans and fixed plans, drawing a
reproducible review sample from a corpus, and deciding on the lot from the reviewers' verdicts.

The tables are data (``lancang/quality/tables/*.json``, sources in the README there); this module
only reads them. A plan is looked up in three steps: lot size and inspection level give the code
letter (table 1); the code letter and the AQL give a cell of the master table of the inspection
severity (table 2-A normal, 2-B tightened, 2-C reduced); an arrow in that cell is followed to the
first plan below (↓) or above (↑) it, which changes the code letter and so the sample size. When the
sample size is at least the lot size, every item is inspected (100% inspection) with the plan's Ac
and Re.

>>> p = gb2828_plan(10_000, "1.0", "II")
>>> p.code_letter, p.sample_size, p.ac, p.re
('L', 200, 5, 6)
>>> p = gb2828_plan(10_000, "0.10", "II")        # L at 0.10 is an arrow: ↑ to K (125, 0/1)
>>> p.plan_letter, p.arrow, p.sample_size, p.ac
('K', '↑', 125, 0)
>>> fixed_plan(100_000, "tc260-003-9.2-manual").sample_size
4000
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import random
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

from ..corpora.dupes import DuplicateIndex
from ..corpora.formats import read_items, resolve_format
from ..corpora.jsonl import Parsed, PathLike, json_type
from ..errors import InputError, UsageError

LEVELS = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")
SEVERITIES = ("normal", "tightened", "reduced")
COUNTS = ("nonconforming", "nonconformities")
VERDICTS = ("pass", "fail")
SCHEMES = ("gb-t-2828.1", "fixed")
STANDARD = "GB/T 2828.1-2012 (ISO 2859-1:1999)"
_TABLE_FILES = {"normal": "gb2828_2a_normal.json", "tightened": "gb2828_2b_tightened.json",
                "reduced": "gb2828_2c_reduced.json"}
#: AQLs above this apply to nonconformities per 100 items only (the tables' percent-nonconforming range ends at 10).
MAX_PERCENT_AQL = Decimal(10)


# ------------------------------------------------------------------------------------------ tables

@functools.cache
def load_table(name: str) -> dict[str, Any]:
    """A table file of ``lancang/quality/tables`` as a dict (cached; do not mutate)."""
    data = resources.files(__package__).joinpath("tables", name).read_bytes()
    return orjson.loads(data)


def master_table(severity: str) -> dict[str, Any]:
    if severity not in SEVERITIES:
        raise UsageError(f"unknown inspection severity {severity!r}; use one of {', '.join(SEVERITIES)}")
    return load_table(_TABLE_FILES[severity])


def aql_values() -> list[str]:
    """The AQL columns of the master tables, as printed ("0.010" ... "1000")."""
    return list(master_table("normal")["aql"])


def parse_aql(aql: str | float | Decimal) -> str:
    """The table's spelling of an AQL ("1" and "1.00" -> "1.0"); a value not in the table is a usage error."""
    try:
        want = Decimal(str(aql))
    except InvalidOperation:
        raise UsageError(f"AQL {aql!r} is not a number") from None
    for col in aql_values():
        if Decimal(col) == want:
            return col
    raise UsageError(f"AQL {aql} is not in the GB/T 2828.1 tables; use one of {', '.join(aql_values())}")


def code_letter(lot_size: int, level: str = "II") -> str:
    """Table 1: the sample size code letter for a lot size and an inspection level."""
    if level not in LEVELS:
        raise UsageError(f"unknown inspection level {level!r}; use one of {', '.join(LEVELS)}")
    _check_lot(lot_size)
    for row in load_table("gb2828_1_code_letters.json")["rows"]:
        lo, hi = row["lot"]
        if lot_size >= lo and (hi is None or lot_size <= hi):
            return row["letters"][level]
    # lot size 1: the table starts at 2; one item is inspected whatever the plan says
    return load_table("gb2828_1_code_letters.json")["rows"][0]["letters"][level]


def _check_lot(lot_size: int) -> None:
    if isinstance(lot_size, bool) or not isinstance(lot_size, int):
        raise UsageError(f"lot size must be a whole number, not {lot_size!r}")
    if lot_size < 1:
        raise UsageError(f"lot size is {lot_size}: there is nothing to sample (a lot needs at least one item)")


# ------------------------------------------------------------------------------------------- plans

@dataclass(frozen=True)
class Plan:
    """A single sampling plan for one lot: how many items to inspect and the acceptance numbers."""

    scheme: str
    lot_size: int
    sample_size: int
    ac: int
    re: int
    count: str = "nonconforming"
    full_inspection: bool = False
    # gb-t-2828.1
    level: str | None = None
    aql: str | None = None
    severity: str | None = None
    table: str | None = None
    code_letter: str | None = None
    plan_letter: str | None = None
    arrow: str | None = None
    arrow_path: tuple[str, ...] = ()
    table_sample_size: int | None = None
    # fixed
    name: str | None = None
    basis: str | None = None
    min_sample: int | None = None
    min_fraction: str | None = None
    min_pass_rate: str | None = None

    def decide(self, defects: int) -> str:
        """``accept`` when the defects found are at most Ac, ``reject`` from Re on."""
        if defects < 0:
            raise ValueError("a defect count cannot be negative")
        return "accept" if defects <= self.ac else "reject"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"scheme": self.scheme}
        if self.scheme == "gb-t-2828.1":
            d.update(standard=STANDARD, table=self.table, severity=self.severity, level=self.level, aql=self.aql,
                     count=self.count, code_letter=self.code_letter, arrow=self.arrow, plan_letter=self.plan_letter,
                     arrow_path=list(self.arrow_path), table_sample_size=self.table_sample_size)
        else:
            d.update(name=self.name, basis=self.basis, min_sample=self.min_sample, min_fraction=self.min_fraction,
                     min_pass_rate=self.min_pass_rate, count=self.count)
        d.update(lot_size=self.lot_size, sample_size=self.sample_size, ac=self.ac, re=self.re,
                 full_inspection=self.full_inspection)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Plan:
        """Rebuild a plan written by :meth:`to_dict` (e.g. from a review sample); checks it against the tables."""
        try:
            if d["scheme"] == "gb-t-2828.1":
                plan = gb2828_plan(d["lot_size"], d["aql"], d["level"], d["severity"], d.get("count", "nonconforming"))
            elif d["scheme"] == "fixed":
                plan = fixed_plan(d["lot_size"], d.get("name"), min_sample=d.get("min_sample"),
                                  min_fraction=d.get("min_fraction"), min_pass_rate=d.get("min_pass_rate"),
                                  count=d.get("count", "nonconforming"))
            else:
                raise UsageError(f"unknown sampling scheme {d['scheme']!r}")
        except (KeyError, TypeError) as exc:
            raise UsageError(f"the sampling plan is incomplete ({exc})") from None
        if plan.to_dict() != {k: (list(v) if isinstance(v, tuple) else v) for k, v in d.items()}:
            raise UsageError("the sampling plan in the sample does not match the GB/T 2828.1 tables of this "
                             "lancang version (was it edited?)")
        return plan


def gb2828_plan(lot_size: int, aql: str | float | Decimal, level: str = "II", severity: str = "normal",
                count: str = "nonconforming") -> Plan:
    """The GB/T 2828.1 single sampling plan for a lot (tables 1 and 2-A/2-B/2-C, arrows followed)."""
    if count not in COUNTS:
        raise UsageError(f"unknown count {count!r}; use one of {', '.join(COUNTS)}")
    col = parse_aql(aql)
    if count == "nonconforming" and Decimal(col) > MAX_PERCENT_AQL:
        raise UsageError(f"AQL {col} is above 10: the tables give such AQLs for nonconformities per 100 items "
                         "only; count nonconformities (--count nonconformities) or choose an AQL of 10 or less")
    letter = code_letter(lot_size, level)
    table = master_table(severity)
    rows = table["rows"]
    j = table["aql"].index(col)
    i = next(k for k, r in enumerate(rows) if r["letter"] == letter)
    path = [letter]
    cell = rows[i]["cells"][j]
    arrow = cell if isinstance(cell, str) else None
    while not isinstance(cell, list):
        # an empty cell, or an arrow turning back, would be a defect of the table data (tests rule both out)
        if cell != arrow or cell not in ("↓", "↑"):
            raise AssertionError(f"table {table['table']}: no plan reached from {letter}/{col} ({path})")
        i += 1 if cell == "↓" else -1
        path.append(rows[i]["letter"])
        cell = rows[i]["cells"][j]
    n = rows[i]["n"]
    return Plan(scheme="gb-t-2828.1", lot_size=lot_size, sample_size=min(n, lot_size), ac=cell[0], re=cell[1],
                count=count, full_inspection=n >= lot_size, level=level, aql=col, severity=severity,
                table=table["table"], code_letter=letter, plan_letter=rows[i]["letter"], arrow=arrow,
                arrow_path=tuple(path), table_sample_size=n)


def fixed_plans() -> dict[str, dict[str, Any]]:
    """The named fixed plans (TC260-003 §9.2 and §9.3)."""
    return load_table("fixed_plans.json")["plans"]


def _fraction(value: Any, what: str) -> Fraction:
    try:
        f = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise UsageError(f"{what} must be a number between 0 and 1, not {value!r}") from None
    if not 0 <= f <= 1:
        raise UsageError(f"{what} must be between 0 and 1, not {value}")
    return f


def fixed_plan(lot_size: int, name: str | None = None, *, min_sample: int | None = None,
               min_fraction: Any = None, min_pass_rate: Any = None, count: str = "nonconforming") -> Plan:
    """A fixed plan: at least ``min_sample`` items and at least ``min_fraction`` of the lot, capped at the
    lot; accepted when at least ``min_pass_rate`` of the sample passes (Ac = floor(n x (1 - rate)))."""
    _check_lot(lot_size)
    basis = None
    if name is not None:
        plans = fixed_plans()
        if name not in plans:
            raise UsageError(f"unknown fixed plan {name!r}; known: {', '.join(plans)}")
        spec = plans[name]
        basis = spec["basis"]
        min_sample = spec.get("min_sample") if min_sample is None else min_sample
        min_fraction = spec.get("min_fraction") if min_fraction is None else min_fraction
        min_pass_rate = spec.get("min_pass_rate") if min_pass_rate is None else min_pass_rate
    if min_pass_rate is None:
        raise UsageError("a fixed plan needs min_pass_rate")
    if min_sample is None and min_fraction is None:
        raise UsageError("a fixed plan needs min_sample, min_fraction or both")
    if min_sample is not None and (isinstance(min_sample, bool) or not isinstance(min_sample, int) or min_sample < 1):
        raise UsageError(f"min_sample must be a whole number of at least 1, not {min_sample!r}")
    rate = _fraction(min_pass_rate, "min_pass_rate")
    frac = _fraction(min_fraction, "min_fraction") if min_fraction is not None else None
    want = max(min_sample or 0, math.ceil(frac * lot_size) if frac is not None else 0, 1)
    n = min(want, lot_size)
    ac = math.floor(n * (1 - rate))
    return Plan(scheme="fixed", lot_size=lot_size, sample_size=n, ac=ac, re=ac + 1, count=count,
                full_inspection=want >= lot_size, name=name, basis=basis, min_sample=min_sample,
                min_fraction=_decimal_str(min_fraction), min_pass_rate=_decimal_str(min_pass_rate))


def _decimal_str(v: Any) -> str | None:
    return None if v is None else format(Decimal(str(v)).normalize(), "f")


_SPEC_KEYS = {"scheme", "level", "aql", "severity", "min_sample", "min_pass_rate", "min_fraction", "name", "count"}


def plan_from_spec(spec: Mapping[str, Any], lot_size: int) -> Plan:
    """The plan a profile's ``sampling`` requirement describes (``profile.schema.json`` ``plan``)."""
    unknown = sorted(set(spec) - _SPEC_KEYS)
    if unknown:
        raise UsageError(f"unknown key(s) in sampling plan: {', '.join(unknown)} "
                         f"(known: {', '.join(sorted(_SPEC_KEYS))})")
    scheme = spec.get("scheme")
    count = spec.get("count", "nonconforming")
    if scheme == "gb-t-2828.1":
        if "aql" not in spec:
            raise UsageError("a gb-t-2828.1 sampling plan needs an aql")
        return gb2828_plan(lot_size, spec["aql"], spec.get("level", "II"), spec.get("severity", "normal"), count)
    if scheme == "fixed":
        return fixed_plan(lot_size, spec.get("name"), min_sample=spec.get("min_sample"),
                          min_fraction=spec.get("min_fraction"), min_pass_rate=spec.get("min_pass_rate"), count=count)
    raise UsageError(f"unknown sampling scheme {scheme!r}; use one of {', '.join(SCHEMES)}")


# ------------------------------------------------------------------------------------------ drawing

def where(path: PathLike, line: int | None, rid: Any = None) -> str:
    """A record's location: ``file:line`` for JSONL, ``file`` and the id for other formats."""
    loc = f"{path}:{line}" if line is not None else str(path)
    return loc if rid is None else f"{loc} [{rid}]"


def read_numbered(path: PathLike, *, fmt: str | None = None, langs: Any = None, options: dict[str, Any] | None = None,
                  digest: Any = None) -> Iterator[tuple[int | None, dict[str, Any]]]:
    """(line, record) of a corpus in any readable format, through the format hub (line is None outside
    JSONL); the first bad line or record is an input error with its location. ``digest`` (a hashlib
    object) gets the input's bytes."""
    for item in read_items(path, fmt, langs, digest=digest, **(options or {})):
        if isinstance(item, Parsed):
            if isinstance(item.value, dict) and isinstance(item.value.get("id"), str):
                yield item.line, item.value
                continue
            what = "has no string id" if isinstance(item.value, dict) else f"is {json_type(item.value)}, not a record"
            raise InputError(f"{where(path, item.line)}: {'line' if item.line is not None else 'a record'} {what}")
        if item.severity == "error":
            raise InputError(f"{where(path, item.line)}: {item.message}")


def count_records(path: PathLike, *, fmt: str | None = None, langs: Any = None,
                  options: dict[str, Any] | None = None) -> int:
    """The lot size of a corpus: its number of records (a bad line is an input error)."""
    return sum(1 for _ in read_numbered(path, fmt=fmt, langs=langs, options=options))


def select(lot_size: int, n: int, seed: int) -> Iterator[bool]:
    """For each of ``lot_size`` items in order, whether it is in the sample: exactly ``n`` of them, every
    n-subset equally likely, reproducible from ``seed`` (selection sampling, Knuth's Algorithm S;
    constant memory)."""
    rng = random.Random(seed)
    need = min(n, lot_size)
    for t in range(lot_size):
        if need and rng.random() * (lot_size - t) < need:
            need -= 1
            yield True
        else:
            yield False


def new_seed() -> int:
    return int.from_bytes(os.urandom(4), "big")


def review_slot() -> dict[str, Any]:
    """The empty review a reviewer fills in: verdict ``pass``/``fail``, defects, reviewer id."""
    return {"verdict": None, "defects": [], "reviewer": None, "time": None, "note": None}


def draw(path: PathLike, plan: Plan, seed: int, *, fmt: str | None = None, langs: Any = None,
         options: dict[str, Any] | None = None, source: str | None = None,
         lot: int | None = None) -> Iterator[dict[str, Any]]:
    """Stream the sampled records of ``path`` (in corpus order, any readable format), each with empty
    review slots in ``meta.review`` and the plan, seed, position and ``source`` (default: the file's
    name) in ``meta.sample``, and ``lot``, the number of the lot in a switching history, when given.
    The corpus must hold exactly ``plan.lot_size`` records."""
    picks = select(plan.lot_size, plan.sample_size, seed)
    plan_d = plan.to_dict()
    if source is None:
        source = Path(str(path)).name if str(path) != "-" else "-"
    seen = 0
    for line, rec in read_numbered(path, fmt=fmt, langs=langs, options=options):
        seen += 1
        if seen > plan.lot_size:
            raise InputError(f"{where(path, line, rec['id'])}: the corpus has more records than the lot size "
                             f"{plan.lot_size}")
        if not next(picks):
            continue
        meta = rec.setdefault("meta", {})
        if not isinstance(meta, dict):
            raise InputError(f"{where(path, line, rec['id'])}: meta is {json_type(meta)}, not an object")
        if meta.get("sample") is not None:
            raise InputError(f"{where(path, line, rec['id'])}: the record already has meta.sample "
                             "(is this already a review sample?); draw from the corpus itself")
        meta["sample"] = {"plan": plan_d, "seed": seed, "source": source, "position": seen, "line": line}
        if lot is not None:
            meta["sample"]["lot"] = lot
        if meta.get("review") is not None:  # an earlier review (e.g. a Label Studio annotation's): kept apart
            meta["sample"]["prior_review"] = meta["review"]
        meta["review"] = review_slot()
        yield rec
    if seen != plan.lot_size:
        raise InputError(f"{path}: the corpus has {seen} records, not the lot size {plan.lot_size}")


def review_task(rec: dict[str, Any]) -> dict[str, Any]:
    """A sampled record as one Label Studio review task: every side and its links (the Label Studio writer
    makes one task of them, with ``meta.sample`` and the ``meta.review`` slot in the task's meta and the
    record id in ``meta.lancang_id``), never grouped with its neighbours: a record read from Label Studio
    loses ``meta.labelstudio``, whose task would merge the annotations of one task into one task and
    whose annotation would make the task's layers one reviewer's."""
    out = dict(rec)
    if isinstance(rec.get("meta"), dict) and "labelstudio" in rec["meta"]:
        out["meta"] = {k: v for k, v in rec["meta"].items() if k != "labelstudio"}
    return out


def record_id(rec: dict[str, Any]) -> str:
    """The id of the corpus record a reviewed record stands for: the id lancang wrote into a Label Studio
    task (``meta.labelstudio.record_id``; Label Studio renumbers tasks on import), else its own."""
    ls = (rec.get("meta") or {}).get("labelstudio")
    rid = ls.get("record_id") if isinstance(ls, dict) else None
    return rid if isinstance(rid, str) else rec["id"]


# --------------------------------------------------------------------------------------- inspection

def _who(prov: Any) -> str | None:
    if not isinstance(prov, dict):
        return None
    if prov.get("annotator"):
        return str(prov["annotator"])
    tool = prov.get("tool")
    if isinstance(tool, dict) and tool.get("name"):
        return f"auto:{tool['name']}"
    return None


def layer_annotators(rec: dict[str, Any]) -> Iterator[tuple[str | None, str, str]]:
    """(side or None for links, layer name, annotator) for every layer and link with provenance."""
    for lang, side in rec.get("sides", {}).items():
        if not isinstance(side, dict):
            continue
        for name, lay in (side.get("layers") or {}).items():
            who = _who(lay.get("provenance")) if isinstance(lay, dict) else None
            if who:
                yield lang, name, who
    for k, link in enumerate(rec.get("links") or ()):
        who = _who(link.get("provenance")) if isinstance(link, dict) else None
        if who:
            yield None, f"links/{k}", who


def record_annotators(rec: dict[str, Any]) -> set[str]:
    return {who for _s, _l, who in layer_annotators(rec)}


_DEFECT_KEYS = {"type", "note", "side", "layer", "start", "end", "severity"}


def _defects(value: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise InputError(f"{where}: meta.review.defects is {json_type(value)}, not an array")
    out = []
    for k, d in enumerate(value):
        if isinstance(d, str) and d:
            d = {"type": d}
        if not isinstance(d, dict) or not isinstance(d.get("type"), str) or not d["type"]:
            raise InputError(f"{where}: meta.review.defects/{k} must be a defect type (string) or an object with "
                             "a non-empty \"type\"")
        extra = sorted(k2 for k2 in set(d) - _DEFECT_KEYS if not k2.startswith("x-"))
        if extra:
            raise InputError(f"{where}: meta.review.defects/{k} has unknown key(s) {', '.join(extra)} "
                             f"(known: {', '.join(sorted(_DEFECT_KEYS))}, or x-* for your own)")
        out.append(d)
    return out


@dataclass
class Inspection:
    """The reviewers' verdicts on a sample, summed up; :meth:`to_dict` is the metrics ``inspection`` part."""

    plan: Plan
    reviewed: int = 0
    defective: int = 0
    nonconformities: int = 0
    reviewers: Counter = field(default_factory=Counter)
    defect_types: Counter = field(default_factory=Counter)
    annotators: dict[str, Counter] = field(default_factory=dict)
    unattributed_defects: int = 0
    reviewer_is_annotator: list[dict[str, Any]] = field(default_factory=list)
    #: the first record's meta.sample seed and source, and a hash of the sampled (position, id) pairs:
    #: what tells one reviewed sample from another in a switching history
    seed: Any = None
    source: Any = None
    lot: Any = None  # the lot number in a switching history the sample was drawn for (meta.sample.lot)
    sample_hash: Any = field(default_factory=hashlib.sha256, repr=False)

    @property
    def sample_digest(self) -> str:
        return self.sample_hash.hexdigest()

    @property
    def defects(self) -> int:
        """The count the decision uses: defective items, or nonconformities (plan.count)."""
        return self.nonconformities if self.plan.count == "nonconformities" else self.defective

    @property
    def decision(self) -> str:
        return self.plan.decide(self.defects)

    def to_dict(self) -> dict[str, Any]:
        n = self.reviewed
        return {
            "plan": self.plan.to_dict(),
            "lot_size": self.plan.lot_size,
            "sample_size": self.plan.sample_size,
            "ac": self.plan.ac,
            "re": self.plan.re,
            "count": self.plan.count,
            "reviewed": n,
            "defective": self.defective,
            "nonconformities": self.nonconformities,
            "defects": self.defects,
            "pass_rate": (n - self.defective) / n if n else None,
            "decision": self.decision,
            "reviewers": dict(sorted(self.reviewers.items())),
            "defect_types": dict(self.defect_types.most_common()),
            "per_annotator": {k: dict(v) for k, v in sorted(self.annotators.items())},
            "unattributed_defects": self.unattributed_defects,
            "reviewer_is_annotator": self.reviewer_is_annotator[:20],
            "reviewer_is_annotator_count": len(self.reviewer_is_annotator),
        }


MAX_LISTED = 10


class DrawCheck:
    """Re-derive, from the corpus, which records a plan and seed draw, and check a reviewed sample
    against them while both stream: every reviewed record's ``meta.sample.position`` must be a drawn
    position of the corpus and hold the record's id there. The sample must be in position order (as
    :func:`draw` writes it) and the corpus must have exactly the plan's lot size; ``digest`` (a hashlib
    object) gets the corpus's bytes on the way."""

    def __init__(self, corpus: PathLike, *, fmt: str | None = None, langs: Any = None,
                 options: dict[str, Any] | None = None, digest: Any = None):
        self.corpus = corpus
        self._reading = {"fmt": fmt, "langs": langs, "options": options, "digest": digest}
        self._stream: Iterator[tuple[int | None, dict[str, Any]]] | None = None
        self._picks: Iterator[bool] = iter(())
        self.plan: Plan | None = None
        self.seed: int | None = None
        self.pos = 0          # corpus records read so far
        self._last = 0        # position of the previous reviewed record
        self._missing: tuple[int, str] | None = None  # the first drawn position the sample skipped

    def start(self, plan: Plan, seed: Any, where_: str) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise InputError(f"{where_}: meta.sample.seed is {seed!r}, not a whole number: the drawn records "
                             "cannot be re-derived")
        self.plan, self.seed = plan, seed
        self._stream = read_numbered(self.corpus, **self._reading)
        self._picks = select(plan.lot_size, plan.sample_size, seed)

    def _next(self) -> tuple[dict[str, Any], bool] | None:
        assert self._stream is not None and self.plan is not None
        for _line, rec in self._stream:
            self.pos += 1
            if self.pos > self.plan.lot_size:
                raise InputError(f"{self.corpus}: the corpus has more than {self.plan.lot_size} records, the lot size "
                                 "of the sample: the sample was not drawn from this corpus")
            return rec, next(self._picks)
        return None

    def _short(self) -> InputError:
        assert self.plan is not None
        return InputError(f"{self.corpus}: the corpus has {self.pos} records, not the sample's lot size "
                          f"{self.plan.lot_size}: the sample was not drawn from this corpus")

    def check(self, position: Any, rid: str, where_: str) -> None:
        """Check one reviewed record (in sample order)."""
        assert self.plan is not None
        lot = self.plan.lot_size
        if isinstance(position, bool) or not isinstance(position, int) or not 1 <= position <= lot:
            raise InputError(f"{where_}: meta.sample.position {position!r} is not a position of a lot of {lot}")
        if position <= self._last:
            raise InputError(f"{where_}: position {position} comes after position {self._last}: to check the sample "
                             "against the corpus, keep it in corpus order (as `lancang sample` wrote it)")
        self._last = position
        got = None
        while self.pos < position:
            got = self._next()
            if got is None:
                raise self._short()
            if self.pos < position and got[1] and self._missing is None:
                self._missing = (self.pos, got[0]["id"])
        assert got is not None
        rec, drawn = got
        if not drawn:
            gone = (f"; the drawn record {self._missing[1]!r} (position {self._missing[0]}) is not in the sample: "
                    "was it swapped?" if self._missing else "")
            raise InputError(f"{where_}: record {rid!r} (position {position}) is not one that seed {self.seed} draws "
                             f"from {self.corpus}{gone}")
        if rec["id"] != rid:
            raise InputError(f"{where_}: position {position} of {self.corpus} holds record {rec['id']!r}, not "
                             f"{rid!r}: the record was swapped, or the sample comes from another corpus")

    def finish(self) -> None:
        """Read the rest of the corpus: it must have exactly the lot size, and no drawn record may be missing."""
        assert self.plan is not None
        while (got := self._next()) is not None:
            if got[1] and self._missing is None:
                self._missing = (self.pos, got[0]["id"])
        if self.pos != self.plan.lot_size:
            raise self._short()
        if self._missing:
            raise InputError(f"{self.corpus}: the drawn record {self._missing[1]!r} (position {self._missing[0]}) "
                             "is not in the sample")


def inspect(path: PathLike, *, check: DrawCheck | None = None, digest: Any = None) -> Inspection:
    """Read a reviewed sample (written by :func:`draw`, verdicts filled in; JSONL, or Label Studio tasks
    whose ``meta`` carries ``sample`` and ``review``) and sum it up.

    Every record must carry the same plan and seed in ``meta.sample`` and a verdict in ``meta.review``;
    records without a verdict, unknown verdicts and a sample of the wrong size are input errors that
    name their file, line and record id. With ``check`` (a :class:`DrawCheck` on the corpus), every
    record must be one the seed draws from that corpus. ``digest`` gets the sample's bytes.
    """
    fmt = resolve_format(path, None, "input").name
    if fmt not in ("jsonl", "labelstudio"):
        raise UsageError(f"{path}: a reviewed sample is JSONL or Label Studio JSON, not {fmt}")
    plan_d: dict[str, Any] | None = None
    result: Inspection | None = None
    missing: list[str] = []
    n_missing = 0
    # positions seen, in bounded memory: a fixed plan may sample millions of records
    with DuplicateIndex() as positions:
        numbered = read_numbered(path, digest=digest)
        for k, (line, rec) in enumerate(_reviews_of_tasks(numbered) if fmt == "labelstudio" else numbered, 1):
            rid = record_id(rec)
            task = ((rec.get("meta") or {}).get("labelstudio") or {}).get("task") or {}
            shown = f"task {task['id']}" if isinstance(task, dict) and "id" in task else rec["id"]
            here = where(path, line, shown if rid == shown else f"{shown} = record {rid}")
            meta = rec.get("meta")
            sample = meta.get("sample") if isinstance(meta, dict) else None
            review = meta.get("review") if isinstance(meta, dict) else None
            if not isinstance(sample, dict) or not isinstance(sample.get("plan"), dict):
                raise InputError(f"{here}: no meta.sample.plan; inspect reads a sample drawn by `lancang sample`")
            if result is None:
                plan_d = sample["plan"]
                try:
                    result = Inspection(Plan.from_dict(plan_d), seed=sample.get("seed"), source=sample.get("source"),
                                        lot=sample.get("lot"))
                except UsageError as exc:
                    raise InputError(f"{here}: {exc}") from None
                if check is not None:
                    check.start(result.plan, result.seed, here)
            elif sample["plan"] != plan_d:
                raise InputError(f"{here}: meta.sample.plan differs from the first record's; one sample, one plan")
            elif sample.get("seed") != result.seed:
                raise InputError(f"{here}: meta.sample.seed {sample.get('seed')!r} differs from the first record's "
                                 f"({result.seed!r}); one sample, one seed")
            elif sample.get("lot") != result.lot:
                raise InputError(f"{here}: meta.sample.lot {sample.get('lot')!r} differs from the first record's "
                                 f"({result.lot!r}); one sample, one lot")
            first = positions.add(str(sample.get("position")), line if line is not None else k)
            if first is not None:
                twice = (" (a Label Studio task with several annotations: one verdict per sampled record; "
                         "export the review project's annotations, one per task)" if fmt == "labelstudio" else "")
                raise InputError(f"{here}: position {sample.get('position')} of the lot is also on "
                                 f"{'line' if line is not None else 'record'} {first}: a record appears twice in the "
                                 f"sample{twice}")
            if check is not None:
                check.check(sample.get("position"), rid, here)
            result.sample_hash.update(f"{sample.get('position')}\t{rid}\n".encode())
            verdict = review.get("verdict") if isinstance(review, dict) else None
            if verdict is None:
                n_missing += 1
                if len(missing) < MAX_LISTED:
                    missing.append(here)
                continue
            if verdict not in VERDICTS:
                raise InputError(f"{here}: meta.review.verdict is {verdict!r}; use one of {', '.join(VERDICTS)}")
            defects = _defects(review.get("defects", []), here)
            if verdict == "pass" and defects:
                raise InputError(f"{here}: verdict is pass but {len(defects)} defect(s) are listed; make it fail "
                                 "or remove the defects")
            _tally(result, rec, review, verdict, defects)  # type: ignore[arg-type]
        for key, first, line, _tag in positions.late_duplicates():
            raise InputError(f"{path}:{line}: position {key} of the lot is also on line {first}: a record appears "
                             "twice in the sample")
    if result is None:
        raise InputError(f"{path}: no records: nothing was reviewed")
    if n_missing:
        more = f" (and {n_missing - len(missing)} more)" if n_missing > len(missing) else ""
        ls = (" (Label Studio tasks: submit an annotation choosing the verdict pass or fail; the labelling "
              "configuration `lancang sample --config-out` writes has that choice)" if fmt == "labelstudio" else "")
        raise InputError(f"{path}: {n_missing} of {n_missing + result.reviewed} sampled records have no verdict "
                         f"(meta.review.verdict is missing or null): {'; '.join(missing)}{more}{ls}")
    if result.reviewed != result.plan.sample_size:
        raise InputError(f"{path}: the sample has {result.reviewed} records but the plan's sample size is "
                         f"{result.plan.sample_size}: records were removed or added after drawing")
    if check is not None:
        check.finish()
    return result


def _reviews_of_tasks(numbered: Iterator[tuple[int | None, dict[str, Any]]]
                      ) -> Iterator[tuple[int | None, dict[str, Any]]]:
    """The records of a Label Studio review export, one per sampled task: of the annotations of one task
    (consecutive records at one sample position), the one that chose a verdict, its layers credited to
    the annotators of the others (the work under review); a task with several verdicts yields them all
    (an error then: one verdict per sampled record)."""
    group: list[tuple[int | None, dict[str, Any]]] = []

    def position(rec: dict[str, Any]) -> Any:
        sample = (rec.get("meta") or {}).get("sample")
        return sample.get("position") if isinstance(sample, dict) else None

    def verdict(rec: dict[str, Any]) -> Any:
        review = (rec.get("meta") or {}).get("review")
        return review.get("verdict") if isinstance(review, dict) else None

    def flush() -> Iterator[tuple[int | None, dict[str, Any]]]:
        judged = [(n, r) for n, r in group if verdict(r) is not None]
        if len(judged) != 1 or len(group) == 1:
            yield from group
            return
        line, rec = judged[0]
        work = [r for _n, r in group if r is not rec]
        sides = {}
        for lang, side in rec["sides"].items():
            layers: dict[str, Any] = {}
            for r in work:
                layers.update((r["sides"].get(lang) or {}).get("layers") or {})
            sides[lang] = {**side, "layers": layers}
        rec = {**rec, "sides": sides, "links": next((r["links"] for r in work if r.get("links")), [])}
        yield line, rec

    for item in numbered:
        if group and (position(item[1]) is None or position(item[1]) != position(group[0][1])):
            yield from flush()
            group = []
        group.append(item)
    yield from flush()


def _tally(result: Inspection, rec: dict[str, Any], review: dict[str, Any], verdict: str,
           defects: list[dict[str, Any]]) -> None:
    result.reviewed += 1
    reviewer = review.get("reviewer")
    result.reviewers[str(reviewer) if reviewer else "(unknown)"] += 1
    layers = list(layer_annotators(rec))
    who_all = {w for _s, _l, w in layers}
    if reviewer and str(reviewer) in who_all and len(result.reviewer_is_annotator) < 1000:
        result.reviewer_is_annotator.append({"record": rec["id"], "reviewer": str(reviewer)})
    failed = verdict == "fail"
    if failed:
        result.defective += 1
        result.nonconformities += max(1, len(defects))
    for who in (who_all or {"(no provenance)"}):
        c = result.annotators.setdefault(who, Counter({"records": 0, "defective": 0, "defects": 0}))
        c["records"] += 1
        c["defective"] += failed
    for d in defects:
        result.defect_types[d["type"]] += 1
        if "layer" not in d:
            result.unattributed_defects += 1
            continue
        hit = {w for s, lay, w in layers if lay == d["layer"] and (d.get("side") is None or s == d["side"])}
        if not hit:
            result.unattributed_defects += 1
        for who in hit:
            result.annotators[who]["defects"] += 1
