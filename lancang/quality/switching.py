"""GB/T 2828.1-2012 (= ISO 2859-1:1999) switching rules between normal, tightened and reduced inspection,
and the history of inspected lots that drives them.

The rules (clause numbers of ISO 2859-1:1999 / GB/T 2828.1-2012; sources and confidence in
``docs/notes/switching.md``):

- 9.2  inspection starts on **normal** inspection (switching score 0);
- 9.3.1 normal → **tightened** when 2 of 5 or fewer consecutive lots on original normal inspection
  are not accepted;
- 9.3.2 tightened → normal when 5 consecutive lots on original tightened inspection are accepted;
- 9.3.3 normal → **reduced** when the switching score is at least 30, production is at a steady rate
  and the responsible authority considers reduced inspection desirable (the last two are inputs:
  ``allow_reduced``);
- 9.3.3.2 the switching score, updated after every lot on normal inspection (single sampling):
  Ac ≥ 2: +3 if the lot would have been accepted with the AQL one step tighter, else reset to 0;
  Ac 0 or 1: +2 if the lot is accepted, else reset to 0;
- 9.3.4 reduced → normal when a lot is not accepted, production becomes irregular or other conditions
  warrant it (here: when the next lot is inspected without ``allow_reduced``);
- 9.4  inspection is **discontinued** when the cumulative number of lots not accepted on tightened
  inspection reaches 5; it resumes, on tightened inspection, when the supplier has acted and the
  responsible authority agrees (``resume``).

:func:`next_state` is pure: a :class:`State` and one :class:`LotResult` in, the next state and the
:class:`Event` list out. The thresholds are data (:class:`Rules`). The history file is JSONL, one
line per lot; :func:`read_history` replays it and refuses a history whose lines are out of order,
edited, or mix AQLs or levels.

A history cannot be shortened unnoticed (docs/decisions.md, "Switching history integrity"): every line
carries ``prev``, the sha256 of the previous line's canonical JSON (sorted keys; null on lot 1), so a
missing, reordered or edited middle line breaks the chain; a last line cut mid-way is named as such;
and every append records the last lot and its hash in the history's lock sidecar (``<file>.lock``), so
whole lines cut from the end are found against it. Histories written before the chain are read as they
are; the chain starts at the next append.

>>> lot = LotResult(gb2828_plan(500, "2.5"), 3)      # H: n 50, Ac 3; one step tighter (1.5): Ac 2
>>> s2, ev = next_state(State(score=27), lot)
>>> s2.score, [e.rule for e in ev]
(0, ['score-reset'])
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from ..corpora.io import hold_lock, is_stdio, lock_path, locked
from ..corpora.jsonl import Parsed, PathLike, atomic_output, iter_lines, json_type
from ..corpora.model import now_iso
from ..errors import InputError, OutputError, UsageError
from .sampling import SEVERITIES, STANDARD, Plan, aql_values, gb2828_plan, parse_aql

HISTORY_ID = "lancang/switching-history/1"
CLAUSES = {
    "start": "9.2", "normal->tightened": "9.3.1", "tightened->normal": "9.3.2", "normal->reduced": "9.3.3.1",
    "score": "9.3.3.2", "reduced->normal": "9.3.4", "discontinue": "9.4", "resume": "9.4",
}


@dataclass(frozen=True)
class Rules:
    """The numbers of the switching rules; the defaults are those of the standard."""

    tighten_not_accepted: int = 2       # 9.3.1: 2 lots not accepted ...
    tighten_window: int = 5             # ... of 5 or fewer consecutive lots
    normal_after_accepted: int = 5      # 9.3.2: 5 consecutive lots accepted on tightened
    reduce_score: int = 30              # 9.3.3.1 a): switching score at least 30
    score_big_ac: int = 2               # 9.3.3.2 a): "acceptance number 2 or more"
    score_add_big_ac: int = 3           # 9.3.3.2 a) 1)
    score_add_small_ac: int = 2         # 9.3.3.2 a) 2)
    discontinue_not_accepted: int = 5   # 9.4: cumulative lots not accepted on tightened


STANDARD_RULES = Rules()


class SwitchingError(UsageError):
    """A lot does not fit the history (wrong severity, discontinued inspection, not a GB/T 2828.1 plan)."""


@dataclass(frozen=True)
class State:
    """Where a series of lots stands. ``recent`` holds, oldest first, whether each of the last lots on
    the current run of normal inspection was accepted (at most ``Rules.tighten_window``);
    ``consecutive_accepted`` and ``tightened_not_accepted`` count lots on the current run of tightened
    inspection; ``score`` is the switching score (normal inspection only, 0 elsewhere)."""

    severity: str = "normal"
    score: int = 0
    recent: tuple[bool, ...] = ()
    consecutive_accepted: int = 0
    tightened_not_accepted: int = 0
    discontinued: bool = False
    lots: int = 0

    def reduced_eligible(self, rules: Rules = STANDARD_RULES) -> bool:
        """The switching score allows reduced inspection (9.3.3.1 a); b) and c) are the user's to say)."""
        return self.severity == "normal" and not self.discontinued and self.score >= rules.reduce_score

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["recent"] = ["accepted" if a else "not accepted" for a in self.recent]
        return d

    @classmethod
    def from_dict(cls, d: Any) -> State:
        if not isinstance(d, dict) or set(d) != set(cls.__dataclass_fields__):
            raise ValueError(f"a state needs exactly the keys {', '.join(cls.__dataclass_fields__)}")
        return cls(severity=d["severity"], score=d["score"],
                   recent=tuple(x == "accepted" for x in d["recent"]),
                   consecutive_accepted=d["consecutive_accepted"],
                   tightened_not_accepted=d["tightened_not_accepted"], discontinued=d["discontinued"], lots=d["lots"])


@dataclass(frozen=True)
class LotResult:
    """One inspected lot: the plan used and the defects counted (nonconforming items or nonconformities,
    as ``plan.count`` says)."""

    plan: Plan
    defects: int

    @property
    def accepted(self) -> bool:
        return self.plan.decide(self.defects) == "accept"


@dataclass(frozen=True)
class Event:
    """Something the rules did: ``rule`` is a stable id, ``clause`` the clause of the standard."""

    rule: str
    text: str
    clause: str = field(default="")

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "clause": self.clause, "text": self.text}


def _ev(rule: str, text: str, clause_key: str) -> Event:
    return Event(rule, text, CLAUSES[clause_key])


def _fresh(severity: str, lots: int) -> State:
    return State(severity=severity, lots=lots)


# ----------------------------------------------------------------------------------- the machine

def begin_lot(state: State, *, allow_reduced: bool = False, force_severity: str | None = None,
              resume: bool = False, rules: Rules = STANDARD_RULES) -> tuple[str, State, list[Event]]:
    """The severity the next lot must be inspected with, the state that lot starts from (after the
    switches that happen before it) and the events of those switches.

    ``allow_reduced``: production is at a steady rate and the responsible authority approves reduced
    inspection (9.3.3.1 b, c); without it reduced inspection is not started, and a run of reduced
    inspection returns to normal (9.3.4 b, c). ``force_severity``: the responsible authority sets the
    severity by hand; the switching counters restart. ``resume``: inspection was discontinued (9.4),
    the supplier has acted and the authority agrees; it resumes on tightened inspection.
    """
    events: list[Event] = []
    if force_severity is not None:
        if force_severity not in SEVERITIES:
            raise SwitchingError(f"unknown inspection severity {force_severity!r}")
        if force_severity != state.severity or state.discontinued:
            events.append(_ev("forced", f"{state.severity} → {force_severity} inspection set by hand "
                                        "(--force-severity); the switching counters restart", "start"))
            return force_severity, _fresh(force_severity, state.lots), events
    if state.discontinued:
        if not resume:
            raise SwitchingError(
                f"inspection is discontinued: {state.tightened_not_accepted} lots not accepted on tightened "
                f"inspection (GB/T 2828.1 §9.4); when the supplier has improved the product and the responsible "
                "authority agrees, resume on tightened inspection with --resume")
        events.append(_ev("resume", "inspection resumes on tightened inspection (--resume: the supplier has "
                                    "acted and the responsible authority agrees)", "resume"))
        return "tightened", _fresh("tightened", state.lots), events
    if resume:
        raise SwitchingError("--resume: inspection is not discontinued, there is nothing to resume")
    if state.reduced_eligible(rules) and allow_reduced:
        events.append(_ev("normal->reduced", f"normal → reduced inspection: switching score {state.score} ≥ "
                                             f"{rules.reduce_score}, production steady and reduced inspection "
                                             "approved (--allow-reduced)", "normal->reduced"))
        return "reduced", _fresh("reduced", state.lots), events
    if state.severity == "reduced" and not allow_reduced:
        events.append(_ev("reduced->normal", "reduced → normal inspection: --allow-reduced not given (production "
                                             "irregular or reduced inspection no longer approved)", "reduced->normal"))
        return "normal", _fresh("normal", state.lots), events
    return state.severity, state, events


def tighter_plan(plan: Plan) -> Plan | None:
    """The normal-inspection plan for the same lot with the AQL one step tighter (the column to the left
    in table 2-A, arrows followed from the lot's code letter), or None at the tightest AQL."""
    cols = aql_values()
    i = cols.index(plan.aql)  # type: ignore[arg-type]
    if i == 0:
        return None
    return gb2828_plan(plan.lot_size, cols[i - 1], plan.level or "II", "normal", plan.count)


def _score(state: State, lot: LotResult, rules: Rules) -> tuple[int, Event]:
    p = lot.plan
    if not lot.accepted:
        return 0, _ev("score-reset", f"switching score {state.score} → 0: lot not accepted", "score")
    if p.ac >= rules.score_big_ac:
        t = tighter_plan(p)
        if t is None or t.sample_size != p.sample_size:
            why = ("no tighter AQL in the table" if t is None else
                   f"with AQL {t.aql} the lot needs a sample of {t.sample_size}, not {p.sample_size}, so this sample "
                   "cannot show it would have been accepted")
            return 0, _ev("score-reset", f"switching score {state.score} → 0: Ac {p.ac} ≥ {rules.score_big_ac} and "
                                         f"{why} (conservative reading)", "score")
        if lot.defects <= t.ac:
            new = state.score + rules.score_add_big_ac
            return new, _ev("score+3", f"switching score {state.score} → {new}: Ac {p.ac} ≥ {rules.score_big_ac} and "
                                       f"{lot.defects} ≤ Ac {t.ac} of AQL {t.aql} (one step tighter)", "score")
        return 0, _ev("score-reset", f"switching score {state.score} → 0: accepted, but {lot.defects} > Ac {t.ac} of "
                                     f"AQL {t.aql} (one step tighter)", "score")
    new = state.score + rules.score_add_small_ac
    return new, _ev("score+2", f"switching score {state.score} → {new}: Ac {p.ac} < {rules.score_big_ac} and the lot "
                               "is accepted", "score")


def next_state(state: State, lot: LotResult, *, allow_reduced: bool = False, force_severity: str | None = None,
               resume: bool = False, rules: Rules = STANDARD_RULES) -> tuple[State, list[Event]]:
    """The state after ``lot`` and the events on the way (see :func:`begin_lot` for the inputs).

    The lot's plan must be a GB/T 2828.1 plan of the severity the rules call for; otherwise
    :class:`SwitchingError`.
    """
    p = lot.plan
    if p.scheme != "gb-t-2828.1":
        raise SwitchingError("the switching rules apply to GB/T 2828.1 plans, not to fixed plans")
    severity, s, events = begin_lot(state, allow_reduced=allow_reduced, force_severity=force_severity,
                                    resume=resume, rules=rules)
    if p.severity != severity:
        raise SwitchingError(f"the lot was inspected on {p.severity} inspection, but the switching rules put it on "
                             f"{severity} inspection" + _hint(state, severity, p.severity, rules))
    s = replace(s, lots=s.lots + 1)
    ok = lot.accepted
    if severity == "normal":
        score, ev = _score(s, lot, rules)
        events.append(ev)
        recent = (*s.recent, ok)[-rules.tighten_window:]
        s = replace(s, score=score, recent=recent)
        bad = recent.count(False)
        if bad >= rules.tighten_not_accepted:
            events.append(_ev("normal->tightened", f"normal → tightened inspection: {bad} of the last {len(recent)} "
                                                   "lots not accepted", "normal->tightened"))
            s = _fresh("tightened", s.lots)
        elif s.reduced_eligible(rules):
            events.append(_ev("reduced-eligible", f"switching score {score} ≥ {rules.reduce_score}: reduced "
                                                  "inspection may be used from the next lot if production is steady "
                                                  "and the responsible authority approves (--allow-reduced)",
                              "normal->reduced"))
    elif severity == "tightened":
        s = replace(s, consecutive_accepted=s.consecutive_accepted + 1 if ok else 0,
                    tightened_not_accepted=s.tightened_not_accepted + (not ok))
        if s.tightened_not_accepted >= rules.discontinue_not_accepted:
            events.append(_ev("discontinue", f"inspection discontinued: {s.tightened_not_accepted} lots not accepted "
                                             "on tightened inspection", "discontinue"))
            s = replace(s, discontinued=True)
        elif s.consecutive_accepted >= rules.normal_after_accepted:
            events.append(_ev("tightened->normal", f"tightened → normal inspection: {s.consecutive_accepted} "
                                                   "consecutive lots accepted", "tightened->normal"))
            s = _fresh("normal", s.lots)
    else:  # reduced
        if not ok:
            events.append(_ev("reduced->normal", "reduced → normal inspection: a lot was not accepted",
                              "reduced->normal"))
            s = _fresh("normal", s.lots)
    return s, events


def _hint(state: State, want: str, got: str, rules: Rules) -> str:
    if got == "reduced" and state.reduced_eligible(rules):
        return " (the switching score allows reduced inspection: give --allow-reduced)"
    if got == "reduced" and state.severity == "reduced":
        return " (the history is on reduced inspection: give --allow-reduced to stay on it)"
    if state.discontinued:
        return " (inspection was discontinued; --resume resumes on tightened inspection)"
    return " (--force-severity sets the severity by hand)"


def describe(state: State, rules: Rules = STANDARD_RULES) -> str:
    """The state in one line."""
    if state.discontinued:
        return (f"inspection discontinued after {state.tightened_not_accepted} lots not accepted on tightened "
                "inspection (§9.4)")
    if state.severity == "normal":
        rec = "".join("A" if a else "R" for a in state.recent) or "-"
        text = f"normal inspection, switching score {state.score}, last lots {rec}"
        if state.reduced_eligible(rules):
            text += " (reduced inspection may be used: --allow-reduced)"
        return text
    if state.severity == "tightened":
        return (f"tightened inspection, {state.consecutive_accepted} consecutive lots accepted, "
                f"{state.tightened_not_accepted} not accepted")
    return "reduced inspection"


# -------------------------------------------------------------------------------------- history

@dataclass
class History:
    """A replayed history file: the state after its last lot and what later lots must match."""

    path: str
    state: State = field(default_factory=State)
    lots: int = 0
    params: dict[str, Any] | None = None   # aql, level, count of lot 1
    samples: dict[str, int] = field(default_factory=dict)  # sample digest -> lot number
    last_time: str | None = None
    head: str | None = None   # sha256 of the last line's canonical JSON (the next line's ``prev``)
    chained: bool = False     # a line carried ``prev``: every later line must


_LINE_KEYS = {"history", "lot", "time", "sample", "plan", "defects", "decision", "inputs", "events", "state"}
_CHAIN_KEY = "prev"  # absent only in lines written before the chain (they come first)
_INPUT_KEYS = {"allow_reduced", "force_severity", "resume"}


def plan_params(plan: Plan) -> dict[str, Any]:
    return {"aql": plan.aql, "level": plan.level, "count": plan.count}


def _params_text(p: dict[str, Any]) -> str:
    return f"AQL {p['aql']}, level {p['level']}, count {p['count']}"


def check_params(hist: History, plan: Plan) -> str | None:
    """Why ``plan`` cannot join ``hist`` (a different AQL, level or count), or None."""
    if hist.params is None or plan_params(plan) == hist.params:
        return None
    return (f"{_params_text(plan_params(plan))} differs from the history's ({hist.path}:1: "
            f"{_params_text(hist.params)}); one history per AQL, inspection level and count")


def read_history(path: PathLike, rules: Rules = STANDARD_RULES) -> History:
    """Replay a history file; a missing file is an empty history (normal inspection, score 0).

    Every line is checked: its lot number follows the previous one, its time does not go back, its plan
    is a GB/T 2828.1 plan of the tables with the AQL, level and count of line 1, its decision follows
    from its defects, its severity is the one the earlier lots call for, and its recorded state and
    events are exactly what the rules give, and its ``prev`` is the hash of the line before. The history
    must reach the last lot its lock sidecar records, with the same hash. The first line that fails is an
    input error with file:line.
    """
    hist = History(str(path))
    hold_lock(path)  # read-check-append: concurrent runs wait for this command to finish (lancang.corpora.io)
    head = read_head(path)
    src = Path(str(path))
    if not src.exists():
        if head is not None:
            raise InputError(f"{path}: no such file, but its lock sidecar {lock_path(path)} records lot "
                             f"{head['lots']}: the history was removed or moved; restore it, or remove the sidecar "
                             "to start a new history")
        return hist
    for item in iter_lines(path):
        if not isinstance(item, Parsed):
            if item.severity == "error":
                if item.code == "json-malformed" and _is_cut_last_line(src, item.line):
                    raise InputError(f"{path}:{item.line}: the last line is cut short (no line end; {item.message}): "
                                     f"lot {hist.lots + 1} was not written whole; restore the history from a backup")
                raise InputError(f"{path}:{item.line}: {item.message}")
            continue
        _replay_line(hist, item.line, item.value, rules)
        if head is not None and hist.lots == head["lots"] and hist.head != head["sha256"]:
            raise InputError(f"{path}:{item.line}: lot {hist.lots} is not the one its lock sidecar {lock_path(path)} "
                             "records (another sha256): the history was replaced or edited")
    if head is not None and hist.lots < head["lots"]:
        raise InputError(f"{path}:{hist.lots + 1}: the history ends after lot {hist.lots}, but its lock sidecar "
                         f"{lock_path(path)} records lot {head['lots']}: lines were cut from its end; restore them "
                         "from a backup")
    return hist


def line_hash(line: dict[str, Any]) -> str:
    """The sha256 of a history line's canonical JSON (sorted keys): what the next line's ``prev`` holds.
    The content is hashed, not the bytes, so reformatting a line keeps the chain and editing it breaks it."""
    return hashlib.sha256(orjson.dumps(line, option=orjson.OPT_SORT_KEYS)).hexdigest()


def read_head(path: PathLike) -> dict[str, Any] | None:
    """The last lot and its line hash as the lock sidecar records them (``{"lots", "sha256"}``), or None
    where nothing is recorded (no sidecar, an empty one left by a reader, a history of an older lancang)."""
    if is_stdio(path):
        return None
    lock = lock_path(path)
    try:
        data = lock.read_bytes()[:4096]
    except OSError:
        return None
    if not data.strip():
        return None
    try:
        head = orjson.loads(data)
    except orjson.JSONDecodeError:
        head = None
    if (not isinstance(head, dict) or head.get("history") != HISTORY_ID or isinstance(head.get("lots"), bool)
            or not isinstance(head.get("lots"), int) or not isinstance(head.get("sha256"), str)):
        raise InputError(f"{lock}: not the head of a lancang switching history; remove it only if the history "
                         f"{path} is known to be whole")
    return head


def _write_head(path: PathLike, line: dict[str, Any]) -> None:
    """Record the last lot and its hash in the lock sidecar (rewritten in place: renaming a lock file
    would race with a process waiting on it). Called under the lock, after the history is written."""
    if is_stdio(path):
        return
    lock = lock_path(path)
    data = orjson.dumps({"history": HISTORY_ID, "lots": line["lot"], "sha256": line_hash(line)}) + b"\n"
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
        finally:
            os.close(fd)
    except OSError as exc:
        raise OutputError(f"{lock}: cannot record the history's last lot: {exc.strerror or exc}") from None


def _is_cut_last_line(p: Path, line: int) -> bool:
    """Line ``line`` is the file's last and has no line end: the file was cut within it."""
    if _ends_with_newline(p):
        return False
    newlines = 0
    with p.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            newlines += chunk.count(b"\n")
    return newlines + 1 == line


def _replay_line(hist: History, line: int, v: Any, rules: Rules) -> None:
    where = f"{hist.path}:{line}"
    if not isinstance(v, dict):
        raise InputError(f"{where}: line is {json_type(v)}, not a lot of a switching history")
    if v.get("history") != HISTORY_ID:
        raise InputError(f"{where}: not a lancang switching history line (\"history\": {HISTORY_ID!r} missing)")
    keys = set(v) - {_CHAIN_KEY}
    if keys != _LINE_KEYS:
        extra, missing = sorted(keys - _LINE_KEYS), sorted(_LINE_KEYS - keys)
        raise InputError(f"{where}: keys differ from a history line's"
                         + (f"; unknown: {', '.join(extra)}" if extra else "")
                         + (f"; missing: {', '.join(missing)}" if missing else ""))
    if v["lot"] != hist.lots + 1:
        raise InputError(f"{where}: lot {v['lot']!r} where lot {hist.lots + 1} comes next: the lines are out of "
                         "order, or lots were removed or added")
    if _CHAIN_KEY in v:
        if v[_CHAIN_KEY] != hist.head:
            want = f"the sha256 of lot {hist.lots}'s line ({hist.head})" if hist.head else "null on lot 1"
            raise InputError(f"{where}: prev is {v[_CHAIN_KEY]!r}, not {want}: the hash chain is broken (a line before "
                             "it was edited, removed or replaced)")
        hist.chained = True
    elif hist.chained:
        raise InputError(f"{where}: prev is missing after lines that carry it: the hash chain is broken (a line was "
                         "replaced)")
    t = v["time"]
    if not isinstance(t, str):
        raise InputError(f"{where}: time must be an ISO 8601 string")
    if hist.last_time is not None and t < hist.last_time:
        raise InputError(f"{where}: time {t} is before the previous lot's ({hist.last_time}): lines out of order")
    try:
        plan = Plan.from_dict(v["plan"]) if isinstance(v["plan"], dict) else None
    except UsageError as exc:
        raise InputError(f"{where}: {exc}") from None
    if plan is None or plan.scheme != "gb-t-2828.1":
        raise InputError(f"{where}: the plan must be a GB/T 2828.1 plan")
    if hist.params is None:
        hist.params = plan_params(plan)
    why = check_params(hist, plan)
    if why:
        raise InputError(f"{where}: {why}")
    d = v["defects"]
    if isinstance(d, bool) or not isinstance(d, int) or d < 0:
        raise InputError(f"{where}: defects must be a whole number ≥ 0")
    lot = LotResult(plan, d)
    if v["decision"] != plan.decide(d):
        raise InputError(f"{where}: decision {v['decision']!r} does not follow from {d} defects with Ac {plan.ac}")
    inp = v["inputs"]
    if (not isinstance(inp, dict) or set(inp) != _INPUT_KEYS or not isinstance(inp["allow_reduced"], bool)
            or not isinstance(inp["resume"], bool) or inp["force_severity"] not in (None, *SEVERITIES)):
        raise InputError(f"{where}: inputs must be {{\"allow_reduced\": bool, \"force_severity\": null or a "
                         "severity, \"resume\": bool}")
    sample = v["sample"]
    digest = sample.get("digest") if isinstance(sample, dict) else None
    if not isinstance(digest, str):
        raise InputError(f"{where}: sample.digest is missing")
    if digest in hist.samples:
        raise InputError(f"{where}: the same sample as lot {hist.samples[digest]} (one reviewed sample, one lot)")
    try:
        state, events = next_state(hist.state, lot, rules=rules, **inp)
    except SwitchingError as exc:
        raise InputError(f"{where}: {exc}") from None
    if v["state"] != state.to_dict() or v["events"] != [e.to_dict() for e in events]:
        raise InputError(f"{where}: the recorded state or events do not follow from the lots (expected state "
                         f"{orjson.dumps(state.to_dict()).decode()}); was the history edited?")
    hist.state, hist.lots, hist.last_time, hist.head = state, hist.lots + 1, t, line_hash(v)
    hist.samples[digest] = hist.lots


def history_line(hist: History, lot: LotResult, state: State, events: list[Event], *, time: str,
                 sample: dict[str, Any], allow_reduced: bool = False, force_severity: str | None = None,
                 resume: bool = False) -> dict[str, Any]:
    """The history line for the next lot (``sample`` needs a ``digest``; path, source and seed are kept)."""
    return {"history": HISTORY_ID, "lot": hist.lots + 1, _CHAIN_KEY: hist.head, "time": time, "sample": sample,
            "plan": lot.plan.to_dict(), "defects": lot.defects, "decision": lot.plan.decide(lot.defects),
            "inputs": {"allow_reduced": allow_reduced, "force_severity": force_severity, "resume": resume},
            "events": [e.to_dict() for e in events], "state": state.to_dict()}


def check_flags(history: PathLike | None, *, allow_reduced: bool = False, force_severity: bool = False,
                resume: bool = False) -> None:
    """The switching flags need a history."""
    if history is None and (allow_reduced or force_severity or resume):
        raise UsageError("--allow-reduced, --force-severity and --resume go with --history")


def next_lot(history: PathLike, *, aql: Any = None, level: str | None = None, count: str | None = None,
             severity: str | None = None, allow_reduced: bool = False, force_severity: bool = False,
             resume: bool = False, plan_only: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the history says of the next lot: its plan parameters ``{aql, level, count, severity}`` (the
    history's AQL, level and count; the severity the switching rules call for) and the switching part
    of the result (state, events, next severity).

    Given parameters must agree with the history's; a ``severity`` that contradicts the rules is an
    error unless ``force_severity`` (the responsible authority's decision). ``plan_only`` shows a
    discontinued history (next severity None) instead of refusing it.
    """
    hist = read_history(history)
    aql = parse_aql(aql) if aql is not None else None
    if hist.params is not None:
        given = {"aql": aql, "level": level, "count": count}
        for key, value in given.items():
            if value is not None and value != hist.params[key]:
                raise UsageError(f"--{key} {value} differs from the history's ({history}:1: {key} "
                                 f"{hist.params[key]}); one history per AQL, inspection level and count")
        aql, level, count = hist.params["aql"], hist.params["level"], hist.params["count"]
    if force_severity and severity is None:
        raise UsageError("--force-severity needs --severity")
    try:
        next_sev, _start, events = begin_lot(hist.state, allow_reduced=allow_reduced,
                                             force_severity=severity if force_severity else None, resume=resume)
    except SwitchingError as exc:
        if not (plan_only and hist.state.discontinued and not resume):
            raise UsageError(f"{history}: {exc}") from None
        next_sev, events = None, []  # a plan-only look at the discontinued state
    if severity is not None and next_sev is not None and severity != next_sev:
        raise UsageError(f"--severity {severity} contradicts the history {history} ({hist.lots} lots: "
                         f"{describe(hist.state)}): the switching rules put the next lot on {next_sev} "
                         "inspection; --force-severity sets it by hand")
    switch = {"history": str(history), "lots": hist.lots, "state": hist.state.to_dict(), "next_severity": next_sev,
              "events": [e.to_dict() for e in events], "summary": describe(hist.state)}
    return {"aql": aql, "level": level, "count": count, "severity": next_sev}, switch


def record_lot(history: PathLike, plan: Plan, defects: int, *, sample: dict[str, Any], where: str,
               allow_reduced: bool = False, force_severity: bool = False, resume: bool = False,
               drawn_for: Any = None) -> dict[str, Any]:
    """Check an inspected lot against the history, append it, and return the metrics
    ``inspection.switching`` part. ``sample`` identifies the reviewed sample (its ``digest`` is what
    refuses the same sample twice); ``where`` names it in errors; ``force_severity`` takes the plan's
    severity as the responsible authority's decision. ``drawn_for``: the lot number the sample was
    drawn for (``meta.sample.lot``, written by ``sample --history``); a history that ends before the lot
    before it was cut."""
    if plan.scheme != "gb-t-2828.1":
        raise UsageError(f"{where}: the sample uses a fixed plan; --history runs the GB/T 2828.1 switching rules")
    hist = read_history(history)
    if isinstance(drawn_for, int) and not isinstance(drawn_for, bool) and drawn_for > hist.lots + 1:
        raise InputError(f"{where}: the sample was drawn for lot {drawn_for} of {history} (meta.sample.lot), but the "
                         f"history ends after lot {hist.lots}: lines were cut from its end; restore them from a backup")
    why = check_params(hist, plan)
    if why:
        raise InputError(f"{where}: the sample's {why}")
    digest = sample["digest"]
    if digest in hist.samples:
        raise InputError(f"{where}: this sample is already lot {hist.samples[digest]} of the history "
                         f"({history}:{hist.samples[digest]})")
    force = plan.severity if force_severity else None
    lot = LotResult(plan, defects)
    try:
        state, events = next_state(hist.state, lot, allow_reduced=allow_reduced, force_severity=force, resume=resume)
    except SwitchingError as exc:
        raise InputError(f"{where}: {exc} (history {history}: {hist.lots} lots; {describe(hist.state)})") from None
    time = now_iso()
    if hist.last_time is not None and time < hist.last_time:
        raise InputError(f"{history}: its last lot is dated {hist.last_time}, after now ({time}); check the clock")
    line = history_line(hist, lot, state, events, time=time, allow_reduced=allow_reduced, force_severity=force,
                        resume=resume, sample=sample)
    append_history(history, line)
    try:
        nxt, _s, _e = begin_lot(state, allow_reduced=allow_reduced)
    except SwitchingError:
        nxt = None
    return {"history": str(history), "lot": line["lot"], "severity": plan.severity, "events": line["events"],
            "state": line["state"], "next_severity": nxt, "reduced_eligible": state.reduced_eligible(),
            "summary": describe(state)}


def append_history(path: PathLike, line: dict[str, Any]) -> None:
    """Write ``path`` anew with ``line`` appended (temporary file renamed over it: all or nothing), under
    its lock (held since :func:`read_history` in a command), then record the line as the history's last
    lot in the lock sidecar (a crash between the two leaves the sidecar one lot behind, which reads)."""
    src = Path(str(path))
    with locked(path):
        with atomic_output(path, "wb", update=True) as f:
            if src.exists():
                with src.open("rb") as old:
                    shutil.copyfileobj(old, f)
                if src.stat().st_size and not _ends_with_newline(src):
                    f.write(b"\n")
            f.write(orjson.dumps(line) + b"\n")
        _write_head(path, line)


def _ends_with_newline(p: Path) -> bool:
    with p.open("rb") as f:
        f.seek(-1, 2)
        return f.read(1) == b"\n"


__all__ = [
    "STANDARD",
    "STANDARD_RULES",
    "Event",
    "History",
    "LotResult",
    "Rules",
    "State",
    "SwitchingError",
    "append_history",
    "begin_lot",
    "check_flags",
    "check_params",
    "describe",
    "history_line",
    "line_hash",
    "next_lot",
    "next_state",
    "plan_params",
    "read_head",
    "read_history",
    "record_lot",
    "tighter_plan",
]
