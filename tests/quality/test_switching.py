"""GB/T 2828.1-2012 / ISO 2859-1:1999 §9 switching rules (`lancang/quality/switching.py`) and the lot history
of `lancang sample --history` / `lancang inspect --history`.

One test per rule with the smallest history that shows it; plans come from the real tables
(`sampling.gb2828_plan`), never from numbers typed here. Sources of the rules and of the worked
examples: docs/notes/switching.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest

from lancang.corpora.samples import sample_path
from lancang.errors import InputError
from lancang.quality import sampling as smp
from lancang.quality import switching as sw
from lancang.quality.switching import (
    LotResult,
    Rules,
    State,
    SwitchingError,
    begin_lot,
    next_state,
)
from lancang.schemas import load_schema

CORPUS = sample_path()
LOT = sum(1 for _ in CORPUS.open("rb"))

# Lot 10,000, level II: code letter L (n 200). AQL 1.0: Ac 5; one step tighter (0.65): Ac 3.
BIG = smp.gb2828_plan(10_000, "1.0")
# Lot 48, level II, AQL 1.0: D ↓ E (n 13), Ac 0.
SMALL = smp.gb2828_plan(48, "1.0")


def run(lots: list[tuple[smp.Plan, int]], state: State | None = None, **kw: Any) -> tuple[State, list[list[str]]]:
    """Feed lots (plan, defects) through the rules; the plan's severity is taken from the state each time."""
    s = state or State()
    rules: list[list[str]] = []
    for plan, d in lots:
        sev, _start, _ev = begin_lot(s, **kw)
        p = smp.gb2828_plan(plan.lot_size, plan.aql, plan.level, sev, plan.count)
        s, ev = next_state(s, LotResult(p, d), **kw)
        rules.append([e.rule for e in ev])
    return s, rules


def acc(plan: smp.Plan = SMALL) -> tuple[smp.Plan, int]:
    return plan, 0


def rej(plan: smp.Plan = SMALL) -> tuple[smp.Plan, int]:
    return plan, plan.re


# ------------------------------------------------------------------------------------------ rules

def test_start_is_normal_with_score_zero() -> None:  # 9.2, 9.3.3.2
    assert begin_lot(State())[0] == "normal" and State().score == 0


def test_score_plus_2_when_ac_0_or_1_and_accepted() -> None:  # 9.3.3.2 a) 2)
    assert SMALL.ac == 0
    s, rules = run([acc(), acc()])
    assert s.score == 4 and rules == [["score+2"], ["score+2"]]


def test_score_reset_when_ac_0_or_1_and_not_accepted() -> None:
    s, rules = run([acc(), acc(), rej()])
    assert s.score == 0 and rules[-1] == ["score-reset"] and s.severity == "normal"


def test_score_plus_3_when_ac_2_or_more_and_accepted_one_step_tighter() -> None:  # 9.3.3.2 a) 1)
    tighter = sw.tighter_plan(BIG)
    assert (BIG.ac, tighter.aql, tighter.sample_size, tighter.ac) == (5, "0.65", 200, 3)  # type: ignore[union-attr]
    s, rules = run([(BIG, 3)])
    assert s.score == 3 and rules == [["score+3"]]


def test_score_reset_when_accepted_but_not_one_step_tighter() -> None:
    s, rules = run([(BIG, 0), (BIG, 4)])  # 4 <= Ac 5 (accepted) but > Ac 3 of AQL 0.65
    assert s.score == 0 and rules[-1] == ["score-reset"]


def test_worked_example_exam_question_score_27_reset() -> None:
    """niusouti.com exam question on GB/T 2828.1 (see docs/notes/switching.md): 10 lots accepted on normal
    inspection, score 27; lot 11: N = 500, level II, AQL 2.5, d = 3. The normal plan is (50, 3): accepted;
    Ac > 2 so the plan of AQL one step tighter decides: (50, 2), d = 3 > 2: no points, the score is reset to
    0, and there is no switch to reduced inspection."""
    plan = smp.gb2828_plan(500, "2.5", "II")
    assert (plan.sample_size, plan.ac) == (50, 3)
    tighter = sw.tighter_plan(plan)
    assert tighter is not None and (tighter.sample_size, tighter.ac) == (50, 2)
    s, ev = next_state(State(score=27, lots=10, recent=(True,) * 5), LotResult(plan, 3))
    assert LotResult(plan, 3).accepted and s.score == 0 and s.severity == "normal"
    assert [e.rule for e in ev] == ["score-reset"] and not s.reduced_eligible()
    # the same lot with d = 2 would score: 27 + 3 = 30, and reduced inspection becomes possible
    s, ev = next_state(State(score=27, lots=10, recent=(True,) * 5), LotResult(plan, 2))
    assert s.score == 30 and [e.rule for e in ev] == ["score+3", "reduced-eligible"]


def test_score_arithmetic_reaches_30() -> None:
    """Ac 0/1 plans: 15 accepted lots x 2 = 30; Ac >= 2 plans: 10 lots x 3 = 30 (9.3.3.2)."""
    s, rules = run([acc()] * 15)
    assert s.score == 30 and rules[13] == ["score+2"] and rules[14] == ["score+2", "reduced-eligible"]
    s, rules = run([(BIG, 1)] * 10)
    assert s.score == 30 and rules[-1] == ["score+3", "reduced-eligible"]
    s, _ = run([(BIG, 1)] * 9 + [acc()])  # mixed plans still add up: 27 + 2
    assert s.score == 29 and not s.reduced_eligible()


def test_score_not_comparable_when_tighter_plan_needs_another_sample() -> None:
    """Lot 1,201, level III, AQL 10: code L, ↑ to K (n 125, Ac 21); with AQL 6.5 the plan is L (n 200, Ac 21):
    the 125 items inspected cannot show the lot would have passed 200; conservative reset (notes)."""
    plan = smp.gb2828_plan(1201, "10", "III")
    tighter = sw.tighter_plan(plan)
    assert (plan.sample_size, plan.ac) == (125, 21) and tighter is not None and tighter.sample_size == 200
    s, ev = next_state(State(score=9), LotResult(plan, 0))
    assert s.score == 0 and "cannot show" in ev[0].text


def test_normal_to_tightened_two_of_five() -> None:  # 9.3.1
    s, rules = run([rej(), acc(), acc(), acc(), rej()])
    assert s.severity == "tightened" and rules[-1] == ["score-reset", "normal->tightened"]
    s, _ = run([rej(), rej()])  # 2 of 2
    assert s.severity == "tightened"


def test_worked_example_two_of_three_tighten() -> None:
    """niusouti.com (same page, question 1): with 2 of 3 consecutive lots not accepted, the next lot is on
    tightened inspection ("连续5批或不到5批中有2批不接收")."""
    s, _ = run([rej(), acc(), rej()])
    assert s.severity == "tightened" and begin_lot(s)[0] == "tightened"


def test_normal_stays_when_rejections_are_six_lots_apart() -> None:
    s, _rules = run([rej(), acc(), acc(), acc(), acc(), rej()])  # the last 5 hold one rejection
    assert s.severity == "normal" and s.recent == (True, True, True, True, False)


def test_tightened_to_normal_after_five_consecutive_accepted() -> None:  # 9.3.2
    t = State(severity="tightened")
    s, rules = run([acc()] * 4 + [rej()] + [acc()] * 4, t)
    assert s.severity == "tightened" and s.consecutive_accepted == 4 and s.tightened_not_accepted == 1
    s, rules = run([acc()], s)
    assert s.severity == "normal" and rules == [["tightened->normal"]] and s.score == 0 and s.recent == ()


def test_score_not_counted_on_tightened_and_restarts_on_normal() -> None:
    s, _ = run([acc()] * 3 + [rej(), rej()] + [acc()] * 5)
    assert s.severity == "normal" and s.score == 0  # back on normal: the score starts again from 0
    s, _ = run([acc()], s)
    assert s.score == 2


def test_discontinue_after_five_not_accepted_on_tightened_cumulative() -> None:  # 9.4
    t = State(severity="tightened")
    s, rules = run([rej(), acc(), rej(), acc(), rej(), acc(), rej()], t)
    assert not s.discontinued and s.tightened_not_accepted == 4
    s, rules = run([rej()], s)
    assert s.discontinued and rules == [["discontinue"]]
    with pytest.raises(SwitchingError, match="discontinued"):
        begin_lot(s)
    with pytest.raises(SwitchingError, match="discontinued"):
        next_state(s, LotResult(smp.gb2828_plan(48, "1.0", "II", "tightened"), 0))
    sev, start, ev = begin_lot(s, resume=True)  # supplier acted, authority agrees: tightened, fresh counters
    assert sev == "tightened" and start.tightened_not_accepted == 0 and [e.rule for e in ev] == ["resume"]
    with pytest.raises(SwitchingError, match="nothing to resume"):
        begin_lot(State(), resume=True)


def test_normal_to_reduced_needs_score_30_and_the_authority() -> None:  # 9.3.3.1
    s, rules = run([acc()] * 15)
    assert s.severity == "normal" and s.reduced_eligible() and rules[-1][-1] == "reduced-eligible"
    assert begin_lot(s)[0] == "normal"  # without --allow-reduced: stays normal, score keeps growing
    s2, _ = run([acc()], s)
    assert s2.severity == "normal" and s2.score == 32
    sev, _start, ev = begin_lot(s, allow_reduced=True)
    assert sev == "reduced" and [e.rule for e in ev] == ["normal->reduced"]
    assert begin_lot(State(score=28), allow_reduced=True)[0] == "normal"  # 28 < 30: the flag alone is not enough


def test_reduced_to_normal_when_a_lot_is_not_accepted() -> None:  # 9.3.4 a)
    r = State(severity="reduced")
    s, rules = run([acc(), acc()], r, allow_reduced=True)
    assert s.severity == "reduced"
    s, rules = run([rej()], s, allow_reduced=True)
    assert s.severity == "normal" and rules == [["reduced->normal"]] and s.score == 0 and s.recent == ()


def test_reduced_to_normal_when_conditions_no_longer_hold() -> None:  # 9.3.4 b), c)
    sev, _start, ev = begin_lot(State(severity="reduced"))
    assert sev == "normal" and [e.rule for e in ev] == ["reduced->normal"]


def test_lot_on_the_wrong_severity_is_refused() -> None:
    with pytest.raises(SwitchingError, match="put it on normal"):
        next_state(State(), LotResult(smp.gb2828_plan(48, "1.0", "II", "tightened"), 0))
    with pytest.raises(SwitchingError, match="--allow-reduced"):
        next_state(State(score=30), LotResult(smp.gb2828_plan(48, "1.0", "II", "reduced"), 0))
    with pytest.raises(SwitchingError, match="fixed plans"):
        next_state(State(), LotResult(smp.fixed_plan(100, "tc260-003-9.3-generated"), 0))


def test_force_severity_restarts_the_counters() -> None:
    s = State(score=12, recent=(True, False))
    plan = smp.gb2828_plan(48, "1.0", "II", "tightened")
    s2, ev = next_state(s, LotResult(plan, 0), force_severity="tightened")
    assert s2.severity == "tightened" and s2.consecutive_accepted == 1 and ev[0].rule == "forced"


def test_rules_are_data() -> None:
    quick = Rules(reduce_score=4, tighten_not_accepted=1)
    s, _rules = run([acc(), acc()])
    assert s.score == 4 and s.reduced_eligible(quick) and not s.reduced_eligible()
    s, _ev = next_state(State(), LotResult(SMALL, SMALL.re), rules=quick)
    assert s.severity == "tightened"


def test_state_round_trips_through_json() -> None:
    s, _ = run([rej(), acc(), acc()])
    assert State.from_dict(orjson.loads(orjson.dumps(s.to_dict()))) == s


# ---------------------------------------------------------------------------------------- history

def write_history(path: Path, lots: list[tuple[smp.Plan, int]]) -> None:
    for k, (plan, d) in enumerate(lots):
        hist = sw.read_history(path)
        sev = begin_lot(hist.state)[0]
        p = smp.gb2828_plan(plan.lot_size, plan.aql, plan.level, sev, plan.count)
        lot = LotResult(p, d)
        state, events = next_state(hist.state, lot)
        sw.append_history(path, sw.history_line(hist, lot, state, events, time=f"2026-01-{k + 1:02d}T00:00:00Z",
                                                sample={"path": f"r{k}.jsonl", "digest": f"d{k}"}))


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def put(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def test_history_replays(tmp_path: Path) -> None:
    h = tmp_path / "lots.jsonl"
    assert sw.read_history(h).state == State() and sw.read_history(h).lots == 0  # absent: empty history
    write_history(h, [rej(), rej(), acc()])
    hist = sw.read_history(h)
    assert hist.lots == 3 and hist.state.severity == "tightened" and hist.state.consecutive_accepted == 1
    assert [r["plan"]["severity"] for r in lines(h)] == ["normal", "normal", "tightened"]


@pytest.mark.parametrize("edit,line,msg", [
    (lambda rows: rows.insert(1, rows.pop(2)), 2, "out of order"),
    (lambda rows: rows[1]["state"].update(score=6), 2, "do not follow from the lots"),
    (lambda rows: rows[1]["events"].pop(), 2, "do not follow from the lots"),
    (lambda rows: rows[1].update(defects=0, decision="accept"), 2, "do not follow from the lots"),
    (lambda rows: rows[0].update(decision="accept"), 1, "does not follow from 1 defects"),
    (lambda rows: rows[2].update(time="2025-01-01T00:00:00Z"), 3, "before the previous lot"),
    (lambda rows: rows[1]["sample"].update(digest="d0"), 2, "same sample as lot 1"),
    (lambda rows: rows[2].update(plan=smp.gb2828_plan(48, "1.0", "II", "normal").to_dict()), 3,
     "put it on tightened"),
    (lambda rows: rows[1].update(plan=smp.gb2828_plan(48, "2.5").to_dict()), 2, "differs from the history's"),
    (lambda rows: rows[1].update(plan=smp.gb2828_plan(48, "1.0", "III").to_dict()), 2, "level III"),
    (lambda rows: rows[1]["plan"].update(ac=3), 2, "does not match the GB/T 2828.1 tables"),
    (lambda rows: rows[0].update(extra=1), 1, "unknown: extra"),
    (lambda rows: rows[0].update(history="x"), 1, "not a lancang switching history"),
])
def test_bad_histories(tmp_path: Path, edit: Any, line: int, msg: str) -> None:
    h = tmp_path / "lots.jsonl"
    write_history(h, [rej(), rej(), acc()])
    rows = lines(h)
    edit(rows)
    put(h, rows)
    with pytest.raises(InputError) as exc:
        sw.read_history(h)
    assert f"{h}:{line}:" in str(exc.value) and msg in str(exc.value)


def test_bad_json_line_in_history(tmp_path: Path) -> None:
    h = tmp_path / "lots.jsonl"
    write_history(h, [acc()])
    h.write_text(h.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"lots.jsonl:2:"):
        sw.read_history(h)


def test_next_lot_and_record_lot_are_library_functions(tmp_path: Path) -> None:
    """The switching orchestration `sample --history` and `inspect --history` run, callable from Python."""
    h = tmp_path / "lots.jsonl"
    params, switch = sw.next_lot(h, aql="1")
    assert params == {"aql": "1.0", "level": None, "count": None, "severity": "normal"} and switch["lots"] == 0
    for k in range(2):
        plan = smp.gb2828_plan(48, "1.0", "II", sw.next_lot(h)[0]["severity"])
        w = sw.record_lot(h, plan, 1, sample={"path": f"r{k}", "digest": f"d{k}"}, where=f"r{k}.jsonl")
        assert w["lot"] == k + 1
    assert w["state"]["severity"] == "tightened" and w["next_severity"] == "tightened"
    params, switch = sw.next_lot(h)
    assert params == {"aql": "1.0", "level": "II", "count": "nonconforming", "severity": "tightened"}
    assert switch["lots"] == 2 and "tightened inspection" in switch["summary"]
    with pytest.raises(sw.UsageError, match="--aql 2.5 differs from the history's"):
        sw.next_lot(h, aql="2.5")
    with pytest.raises(sw.UsageError, match="contradicts the history"):
        sw.next_lot(h, severity="normal")
    assert sw.next_lot(h, severity="normal", force_severity=True)[0]["severity"] == "normal"
    with pytest.raises(InputError, match="already lot 1"):
        sw.record_lot(h, smp.gb2828_plan(48, "1.0", "II", "tightened"), 0, sample={"digest": "d0"}, where="again")
    with pytest.raises(sw.UsageError, match="fixed plan"):
        sw.record_lot(h, smp.fixed_plan(48, "tc260-003-9.3-generated"), 0, sample={"digest": "x"}, where="f")
    with pytest.raises(sw.UsageError, match="go with --history"):
        sw.check_flags(None, resume=True)
    assert sw.read_history(h).lots == 2


# ------------------------------------------------------------------------------------------- CLI

def review(path: Path, fails: int) -> None:
    """Reviewers' verdicts, filled in by code: the first ``fails`` sampled records fail."""
    rows = [orjson.loads(x) for x in path.read_bytes().splitlines()]
    for i, r in enumerate(rows):
        bad = i < fails
        r["meta"]["review"].update(verdict="fail" if bad else "pass", defects=["entity-span"] if bad else [],
                                   reviewer="rev-1")
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))


class Series:
    def __init__(self, cli: Any, tmp: Path) -> None:
        self.cli, self.tmp, self.k = cli, tmp, 0
        self.history = tmp / "lots.jsonl"

    def lot(self, fails: int, *flags: str, sample_flags: tuple[str, ...] = ()) -> tuple[Any, dict[str, Any]]:
        self.k += 1
        out = self.tmp / f"review{self.k}.jsonl"
        res = self.cli("sample", str(CORPUS), str(out), "--aql", "1.0", "--seed", str(self.k), "--history",
                       str(self.history), *flags, *sample_flags)
        assert res.exit_code == 0, res.stderr
        review(out, fails)
        before = out.read_bytes()
        res = self.cli("inspect", str(out), "--corpus", str(CORPUS), "--history", str(self.history), "--format", "json",
                       *flags)
        assert res.exit_code in (0, 1), res.stderr
        assert out.read_bytes() == before  # the reviewed sample is never modified
        doc = json.loads(res.stdout)
        assert doc["settings"]["verified"] and doc["inputs"][1]["path"] == str(CORPUS)
        return res, doc


def test_cli_series_switches_as_the_rules_say(cli, tmp_path: Path) -> None:
    s = Series(cli, tmp_path)
    validator = jsonschema.Draft202012Validator(load_schema("metrics"))
    seen: list[tuple[str, str, int]] = []
    script = [1, 0, 1] + [0] * 5 + [0] * 15   # R A R -> tightened; 5 A -> normal; 15 A -> score 30
    for fails in script:
        res, doc = s.lot(fails)
        assert not list(validator.iter_errors(doc))
        w = doc["inspection"]["switching"]
        seen.append((w["severity"], w["state"]["severity"], w["state"]["score"]))
        assert res.exit_code == (1 if fails else 0)
    sev = [x[0] for x in seen]
    assert sev == ["normal"] * 3 + ["tightened"] * 5 + ["normal"] * 15
    assert seen[2][1] == "tightened" and seen[7][1] == "normal" and seen[-1][2] == 30
    plan = json.loads(cli("sample", "--plan-only", "--history", str(s.history), "--lot-size", str(LOT),
                          "--format", "json").stdout)
    assert plan["plan"]["severity"] == "normal" and plan["switching"]["state"]["score"] == 30
    text = cli("sample", "--plan-only", "--history", str(s.history)).stdout
    assert "switching score 30" in text and "--allow-reduced" in text and "next lot: normal" in text
    # the authority approves: reduced (table 2-C); the inspect step must say so too
    out = tmp_path / "reduced.jsonl"
    res = cli("sample", str(CORPUS), str(out), "--history", str(s.history), "--allow-reduced", "--seed", "99")
    assert res.exit_code == 0 and "normal → reduced" in res.stderr and "table 2-C" in res.stderr
    review(out, 0)
    res = cli("inspect", str(out), "--history", str(s.history))
    assert res.exit_code == 2 and "--allow-reduced" in res.stderr and f"{out}" in res.stderr
    res = cli("inspect", str(out), "--history", str(s.history), "--allow-reduced")
    assert res.exit_code == 0 and "normal → reduced" in res.stdout
    res, doc = s.lot(1, "--allow-reduced")  # a lot not accepted on reduced: back to normal
    w = doc["inspection"]["switching"]
    assert w["severity"] == "reduced" and w["state"]["severity"] == "normal"
    assert [e["rule"] for e in w["events"]] == ["reduced->normal"]
    assert sw.read_history(s.history).lots == len(script) + 2


def test_cli_discontinue_and_resume(cli, tmp_path: Path) -> None:
    s = Series(cli, tmp_path)
    for _ in range(2):
        s.lot(1)
    for _ in range(5):
        res, doc = s.lot(1)
        assert doc["inspection"]["switching"]["severity"] == "tightened"
    w = doc["inspection"]["switching"]
    assert w["state"]["discontinued"] and w["next_severity"] is None
    res = cli("sample", str(CORPUS), str(tmp_path / "x.jsonl"), "--history", str(s.history))
    assert res.exit_code == 2 and "discontinued" in res.stderr and "--resume" in res.stderr
    assert "none until --resume" in cli("sample", "--plan-only", "--history", str(s.history)).stdout
    res, doc = s.lot(0, "--resume")
    w = doc["inspection"]["switching"]
    assert w["severity"] == "tightened" and [e["rule"] for e in w["events"]] == ["resume"]
    assert w["state"]["tightened_not_accepted"] == 0 and w["state"]["consecutive_accepted"] == 1


def test_cli_refusals(cli, tmp_path: Path) -> None:
    s = Series(cli, tmp_path)
    s.lot(1)
    s.lot(1)  # now tightened
    res = cli("sample", str(CORPUS), str(tmp_path / "n.jsonl"), "--history", str(s.history), "--severity", "normal")
    assert res.exit_code == 2 and "contradicts the history" in res.stderr and "tightened" in res.stderr
    res = cli("sample", str(CORPUS), str(tmp_path / "n.jsonl"), "--history", str(s.history), "--aql", "2.5")
    assert res.exit_code == 2 and "--aql 2.5 differs from the history's" in res.stderr
    # a sample drawn without the history on the wrong severity is refused by inspect, history untouched
    out = tmp_path / "plain.jsonl"
    assert cli("sample", str(CORPUS), str(out), "--aql", "1.0", "--seed", "50").exit_code == 0
    review(out, 0)
    before = s.history.read_bytes()
    res = cli("inspect", str(out), "--history", str(s.history))
    assert res.exit_code == 2 and "put it on tightened" in res.stderr and s.history.read_bytes() == before
    # --force-severity: the authority's decision, recorded
    res = cli("inspect", str(out), "--history", str(s.history), "--force-severity")
    assert res.exit_code == 0 and "set by hand" in res.stdout
    assert lines(s.history)[-1]["inputs"]["force_severity"] == "normal"
    # the same reviewed sample twice
    res = cli("inspect", str(out), "--history", str(s.history), "--force-severity")
    assert res.exit_code == 2 and "already lot 3" in res.stderr
    # another AQL
    out2 = tmp_path / "aql.jsonl"
    cli("sample", str(CORPUS), str(out2), "--aql", "2.5", "--seed", "51")
    review(out2, 0)
    res = cli("inspect", str(out2), "--history", str(s.history))
    assert res.exit_code == 2 and "AQL 2.5" in res.stderr and f"{s.history}:1" in res.stderr
    # fixed plans and flags without a history
    out3 = tmp_path / "fixed.jsonl"
    cli("sample", str(CORPUS), str(out3), "--plan", "tc260-003-9.3-generated", "--seed", "1")
    review(out3, 0)
    assert "fixed plan" in cli("inspect", str(out3), "--history", str(s.history)).stderr
    assert "go with --history" in cli("inspect", str(out3), "--allow-reduced").stderr
    assert "go with --history" in cli("sample", "--plan-only", "--lot-size", "9", "--aql", "1", "--resume").stderr
    # an edited history is an input error with its line
    rows = lines(s.history)
    rows[1]["defects"] = 0
    rows[1]["decision"] = "accept"
    put(s.history, rows)
    res = cli("sample", "--plan-only", "--history", str(s.history))
    assert res.exit_code == 2 and f"{s.history}:2:" in res.stderr
