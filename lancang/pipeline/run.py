"""``lancang run PIPELINE``: plan the shards, run the unfinished ones under an executor, and put the
results together in input order.

The output folder::

    run.json                     the plan: pipeline file (path, sha256, content), run time, shards
    shards/000000/part.jsonl     the shard's records after the last step
    shards/000000/rejects.jsonl  the records its clean steps rejected, with their reasons
    shards/000000/metrics.json   per step: records in/out/rejected, seconds, the verb's counts
    shards/000000/done.json      the completion marker (input, pipeline and part hashes), written last
    output.jsonl  rejects.jsonl  the parts concatenated in input order
    metrics.json                 per step, the shards' metrics merged exactly
    <convert output>             a final convert step's file

Every file is written atomically (:func:`lancang.corpora.io.atomic_output`, or a rename of a
finished file): a killed run leaves whole shards with markers and nothing half-written that a
resume would trust. ``--resume`` runs only the shards without a valid marker and ends with the same
bytes an uninterrupted run writes (the run's time, stamped on every annotation layer, is kept).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import LancangError, UsageError
from .executors import EXECUTORS
from .fit import fit_clean
from .parts import concat
from .shards import Shard, cross_shard_duplicate, file_sha256, scan
from .spec import Plan, changes, is_global, load_plan
from .steps import merge_metrics, merge_step, run_step, train_align
from .worker import RUN_ID, read_json, write_json


class ShardsFailed(LancangError):
    """Shards failed every try; the run wrote no final output."""

    def __init__(self, message: str, failed: dict[int, str]):
        super().__init__(message)
        self.failed = failed


def _done(out: Path, sh: Shard, plan: Plan) -> bool:
    sdir = out / "shards" / sh.name
    m = read_json(sdir / "done.json")
    if not isinstance(m, dict) or m.get("input_sha256") != sh.sha256 or m.get("pipeline_sha256") != plan.sha256:
        return False
    files = m.get("files") or {}
    return all((sdir / n).is_file() and file_sha256(sdir / n) == h for n, h in files.items()) and len(files) == 3


# --------------------------------------------------------------------------------------- a run

def _claim(plan: Plan, resume: bool) -> dict[str, Any] | None:
    """The run file of the run in the output folder after checking it is this pipeline's (None: the
    folder is new or empty)."""
    out = Path(plan.output)
    state = out / "run.json"
    if state.exists():
        old = read_json(state)
        if not isinstance(old, dict) or old.get("run") != RUN_ID:
            raise UsageError(f"{state}: not a lancang run file; choose another output folder")
        if old["pipeline"]["path"] != plan.path:
            raise UsageError(f"{out}: holds the run of another pipeline ({old['pipeline']['path']}); "
                             f"choose another output folder")
        if not resume:
            raise UsageError(f"{out}: holds a run of this pipeline already; --resume finishes it, or choose "
                             f"another output folder")
        if old["pipeline"]["sha256"] != plan.sha256:
            what = ", ".join(changes(old["pipeline"]["doc"], plan.doc)[:5])
            raise UsageError(f"{plan.path}: changed since the run in {out} began ({what}); resuming would mix "
                             f"two pipelines: restore it or start a new run in another folder")
        return old
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: the output is a folder, and this is a file")
    if out.is_dir() and any(out.iterdir()):
        raise UsageError(f"{out}: the output folder is not empty and holds no lancang run; choose an empty or new one")
    return None


def _prepare(plan: Plan, resume: bool, jobs: int | None = None, display: Any = None) -> list[Shard]:
    """The shards of the run; on resume, those of the run in the folder after checking it is this one.
    A plan that has its time already (a stage of a staged run) keeps it."""
    from ..corpora.model import now_iso

    out = Path(plan.output)
    state = out / "run.json"
    old = _claim(plan, resume)
    shards = scan(plan.inputs, plan.shard_records, plan.from_format)
    if old is not None:
        if [s.to_dict() for s in shards] != old["shards"]:
            raise UsageError(f"{out}: the input changed since the run began (its shards differ); start a new run "
                             f"in another folder")
        plan.time = old["time"]
        plan.fitted = old.get("fitted") or {}
        if len(plan.fitted) < sum(1 for s in plan.steps if s.get("fit") or s.get("train")):  # killed in a global phase
            _fit(plan, state, old, shards, jobs, display)
        return shards
    cleans = any(s["step"] == "clean" for s in plan.steps)
    if len(shards) > 1 and (cleans or any(s["step"] == "validate" for s in plan.steps)):
        # clean rejects a repeated id with the line of its first use: a line of the shard, not of the input
        if cleans and all(s.start is not None for s in shards):  # JSONL line ranges: hashed by the pool first
            from .dedup import repeated_id

            dup = repeated_id(shards, jobs or os.cpu_count() or 1)
        else:
            dup = cross_shard_duplicate(shards, plan.from_format, plan.langs, within=cleans)
        if dup is not None:
            raise UsageError(f"record id {dup[0]!r} is in {dup[1]} and again in {dup[2]}: ids are unique in a "
                             f"corpus, and clean and validate see one shard at a time; `lancang validate` lists "
                             f"the repeated ids")
    out.mkdir(parents=True, exist_ok=True)
    plan.time = plan.time or now_iso()
    doc = {"run": RUN_ID, "pipeline": {"path": plan.path, "sha256": plan.sha256, "doc": plan.doc},
           "time": plan.time, "shards": [s.to_dict() for s in shards], "fitted": {}}
    write_json(state, doc)
    _fit(plan, state, doc, shards, jobs, display)
    return shards


def _fit(plan: Plan, state: Path, doc: dict[str, Any], shards: list[Shard], jobs: int | None,
         display: Any = None) -> None:
    """The global phase of the clean steps whose filters learn from the whole corpus, and of their
    duplicates filter (:mod:`lancang.pipeline.dedup`, in the local pool); what they learnt and decided
    goes into run.json and the output folder, so a resume applies the same."""
    for i, s in enumerate(plan.steps):
        if s.get("train") and str(i) not in plan.fitted:
            done = _phase(display, f"step {i} (align): the {' and '.join(s['train'])} aligner learns from the input")
            t = time.perf_counter()
            plan.fitted[str(i)] = train_align(s, plan.inputs[0], Path(plan.output) / "fit" / f"step-{i}-align",
                                              plan.from_format)
            plan.fitted[str(i)]["seconds"] = round(time.perf_counter() - t, 3)
            done()
        if s.get("fit") and str(i) not in plan.fitted:
            folder = Path(plan.output) / "fit" / f"step-{i}-adequacy"
            done = _phase(display, f"step {i} ({s['step']}): {', '.join(s['fit'])} over the whole input")
            t = time.perf_counter()
            fitted = fit_clean(s, plan.inputs, folder, plan.from_format, plan.langs, parts=shards,
                               jobs=jobs or os.cpu_count() or 1,
                               work=Path(plan.output) / "fit" / f"step-{i}-duplicates")
            fitted["seconds"] = round(time.perf_counter() - t, 3)  # (the driver's wall time: run.json)
            plan.fitted[str(i)] = fitted
            done()
    doc["fitted"] = plan.fitted
    write_json(state, doc)


def _phase(display: Any, label: str) -> Callable[[], None]:
    """A row for a phase that runs once (a global phase, a final step), shown when it starts; the
    function returned marks it done."""
    tick = display.task(label, total=None, unit="phase") if display is not None else None
    return (lambda: tick(1, 1)) if tick is not None else (lambda: None)


def run_pipeline(path: str | os.PathLike, *, executor: str = "local", jobs: int | None = None,
                 scheduler: str | None = None, resume: bool = False, display: Any = None,
                 **executor_options: Any) -> dict[str, Any]:
    """Run the pipeline file at ``path``; return the run summary (also in ``OUTPUT/metrics.json``).
    Raises :class:`ShardsFailed` naming the shards that failed every try; nothing final is written then.
    ``display`` (a :class:`lancang.pipeline.progress.Display`) shows the global phases, the shards and
    the records they hold (rate, time left) and the final steps as they run."""
    plan = load_plan(path)
    run = EXECUTORS.get(executor)
    if scheduler and executor == "local":
        raise UsageError("--scheduler is for --executor dask")
    if any(s.get("stage") for s in plan.steps):
        return _run_stages(plan, run, jobs, scheduler, resume, display, executor_options)
    return _run_plan(plan, run, jobs, scheduler, resume, display, executor_options)


def _run_plan(plan: Plan, run: Any, jobs: int | None, scheduler: str | None, resume: bool, display: Any,
              executor_options: dict[str, Any]) -> dict[str, Any]:
    """One run: the shards planned (or found), the unfinished ones run, the parts put together."""
    t0 = time.perf_counter()
    shards = _prepare(plan, resume, jobs, display)
    out = Path(plan.output)
    todo = [s for s in shards if not _done(out, s, plan)]
    finished = len(shards) - len(todo)
    waiting = {s.index for s in todo}
    records = sum(s.lines for s in shards if s.index not in waiting)
    lines = {s.index: s.lines for s in shards}
    show = display.task if display is not None else (lambda *a, **k: None)
    tick_shards = show(f"shards ({', '.join(st['step'] for st in plan.shard_steps)})", len(shards), "shards")
    tick_records = show("records in the shards", sum(lines.values()), "records")

    def on_result(res: dict[str, Any]) -> None:
        nonlocal finished, records
        finished += 1
        records += lines[res["index"]]
        if tick_shards:
            tick_shards(finished)
        if tick_records:
            tick_records(records)

    if tick_shards:
        tick_shards(finished)
    if tick_records:
        tick_records(records)

    failed = run(plan.to_dict(), [s.to_dict() for s in todo], jobs=jobs, scheduler=scheduler, on_result=on_result,
                 **executor_options) if todo else {}
    if failed:
        first = min(failed)
        sh = shards[first]
        raise ShardsFailed(
            f"{len(failed)} of {len(shards)} shards failed ({', '.join(shards[i].name for i in sorted(failed))}); "
            f"the first, {sh.name} ({sh.path} lines {sh.line}-{sh.line + max(sh.lines, 1) - 1}): {failed[first]}. "
            f"Nothing final was written; --resume runs the failed shards again", failed)
    return _finish(plan, shards, len(todo), time.perf_counter() - t0, display)


def _stages(plan: Plan) -> list[Plan]:
    """The stages of a plan: a step with a global phase over what earlier steps made (``stage``) starts a
    stage whose input is the output of the stage before it, in a folder ``stage-K`` of the output."""
    from .spec import doc_sha256

    starts = [0] + [i for i, s in enumerate(plan.steps) if s.get("stage")]  # (a stage at 0: a first, empty
    # stage makes the inputs one lancang JSONL file)
    bounds = list(zip(starts, [*starts[1:], len(plan.steps)]))
    out = Path(plan.output)
    stages = []
    for k, (a, b) in enumerate(bounds):
        steps = [{key: v for key, v in s.items() if key != "stage"} for s in plan.steps[a:b]]
        stages.append(Plan(path=plan.path, sha256=doc_sha256([plan.sha256, k]), doc={"stage": k, "steps": [a, b]},
                           inputs=plan.inputs if k == 0 else [str(out / f"stage-{k - 1}" / "output.jsonl")],
                           output=str(out / f"stage-{k}"), steps=steps,
                           from_format=plan.from_format if k == 0 else None, langs=plan.langs,
                           shard_records=plan.shard_records, retries=plan.retries, time=plan.time))
    return stages


def _run_stages(plan: Plan, run: Any, jobs: int | None, scheduler: str | None, resume: bool, display: Any,
                executor_options: dict[str, Any]) -> dict[str, Any]:
    """A staged run: every stage a run of its own (shards, markers, resume) in ``OUTPUT/stage-K``, the next
    stage reading the output of the one before; then the output, the rejects and the metrics of the
    whole in OUTPUT, as an unstaged run has them."""
    from ..corpora.model import now_iso

    t0 = time.perf_counter()
    out = Path(plan.output)
    old = _claim(plan, resume)
    plan.time = old["time"] if old is not None else now_iso()
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "run.json", {"run": RUN_ID, "pipeline": {"path": plan.path, "sha256": plan.sha256,
                                                             "doc": plan.doc}, "time": plan.time, "staged": True})
    summaries = []
    for sub in _stages(plan):
        summaries.append(_run_plan(sub, run, jobs, scheduler, (Path(sub.output) / "run.json").exists(), display,
                                   executor_options))
    last = Path(summaries[-1]["output"])
    os.replace(last / "output.jsonl", out / "output.jsonl")
    for s in plan.steps[len(plan.steps) - len(summaries[-1]["steps"]):]:
        if s["step"] == "convert":
            os.replace(last / s["output"], out / s["output"])
    cleaned = [Path(x["output"]) / "rejects.jsonl" for x in summaries
               if any(st["step"] == "clean" for st in x["steps"])]
    if cleaned:
        concat(cleaned, out / "rejects.jsonl")
    summary = {"run": RUN_ID, "pipeline": plan.path, "pipeline_sha256": plan.sha256, "time": plan.time,
               "output": str(out), "shards": sum(x["shards"] for x in summaries),
               "shards_run": sum(x["shards_run"] for x in summaries),
               "shards_resumed": sum(x["shards_resumed"] for x in summaries),
               "seconds": time.perf_counter() - t0, "steps": [st for x in summaries for st in x["steps"]],
               "global_seconds": round(sum(x["global_seconds"] for x in summaries), 3),
               "stages": [{"output": x["output"], "shards": x["shards"], "steps": len(x["steps"])} for x in summaries]}
    write_json(out / "metrics.json", summary)
    return summary


def _concat(out: Path, shards: list[Shard], part_name: str, name: str) -> None:
    concat([out / "shards" / s.name / part_name for s in shards], out / name)


def _finish(plan: Plan, shards: list[Shard], ran: int, seconds: float, display: Any = None) -> dict[str, Any]:
    from ..corpora.convert import convert

    out = Path(plan.output)
    _concat(out, shards, "part.jsonl", "output.jsonl")
    if any(s["step"] == "clean" for s in plan.steps):
        _concat(out, shards, "rejects.jsonl", "rejects.jsonl")
    per_shard = [read_json(out / "shards" / s.name / "metrics.json") for s in shards]
    merged = iter(merge_metrics(per_shard))
    steps = []
    for s in plan.steps:  # the global steps, once on the whole output, in their place
        if not is_global(s):  # (an input without a line has no shard: nothing to merge)
            steps.append(next(merged, None) or {"step": s["step"], "in": 0, "out": 0, "rejected": 0, "seconds": 0.0,
                                                "detail": {}})
            continue
        t = time.perf_counter()
        done = _phase(display, f"step {len(steps)} ({s['step']}) on the whole output")
        if s["step"] == "convert":
            rep = convert(out / "output.jsonl", out / s["output"], to_format=s.get("format"),
                          allow_loss=s.get("allow_loss", False), write_options=s.get("write_options"))
            steps.append({"step": "convert", "in": rep.records, "out": rep.records, "rejected": 0,
                          "seconds": time.perf_counter() - t, "detail": rep.to_dict()})
        else:
            _, m = run_step(s, out / "output.jsonl", out / "unused", out / "unused", plan.time)
            steps.append({**m, "detail": merge_step(s["step"], [m["detail"]])})
        done()
    summary = {"run": RUN_ID, "pipeline": plan.path, "pipeline_sha256": plan.sha256, "time": plan.time,
               "output": str(out), "shards": len(shards), "shards_run": ran, "shards_resumed": len(shards) - ran,
               "seconds": seconds, "steps": steps,
               # the global phases' wall time in the driver, before the shards (in the run that did them)
               "global_seconds": round(sum(f.get("seconds", 0.0) for f in plan.fitted.values()), 3)}
    write_json(out / "metrics.json", summary)
    return summary


def findings(summary: dict[str, Any]) -> list[str]:
    """What the measuring steps found (validate errors, a check verdict other than conformant)."""
    out = []
    for i, s in enumerate(summary["steps"]):
        d = s["detail"]
        if s["step"] == "validate" and d.get("errors"):
            out.append(f"step {i} (validate): {d['errors']:,} errors in {d['records']:,} records")
        if s["step"] == "check" and d.get("verdict") != "conformant":
            out.append(f"step {i} (check): {d['verdict']}, {d['findings']:,} findings")
    return out
