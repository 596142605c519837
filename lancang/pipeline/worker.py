"""The work of one shard, in a worker process (or a Dask worker): copy its range, run every shard
step file to file, then write its part, rejects, metrics and, last, its completion marker."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import orjson

from ..corpora.io import atomic_output
from ..errors import LancangError
from .shards import Shard, file_sha256, fresh_dir, materialise
from .spec import is_global
from .steps import run_step

RUN_ID = "lancang/run/1"


def write_json(path: Path, doc: Any) -> None:
    with atomic_output(path) as f:
        f.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))


def read_json(path: Path) -> Any:
    try:
        return orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None


# ------------------------------------------------------------------------------------- a shard

def run_shard(plan: dict[str, Any], shard: dict[str, Any]) -> dict[str, Any]:
    """Run every shard step on one shard, in a worker; write its part, rejects, metrics and marker.
    A lancang error (bad input) comes back as ``{"error": ...}``, anything else is raised (retried).
    A plan with a ``task`` (``"module:function"``, called with the plan and the :class:`Shard`) runs that
    instead: a one-off verb's part (:mod:`lancang.pipeline.oneoff`)."""
    sh = Shard(**shard)
    try:
        if plan.get("task"):
            from ..registry import load_object

            return load_object(plan["task"])(plan, sh)
        return _run_shard(plan, sh)
    except LancangError as exc:
        return {"index": sh.index, "error": _located(str(exc), Path(plan["output"]) / "shards" / sh.name / "work", sh)}


def _located(message: str, work: Path, sh: Shard) -> str:
    """A shard's error located in the input: its copy's line n is the file's line ``sh.line + n - 1``;
    a later step's file is named by the step."""
    if sh.start is not None:
        message = re.sub(re.escape(str(work / "input.jsonl")) + r":(\d+)",
                         lambda m: f"{sh.path}:{sh.line + int(m.group(1)) - 1}", message)
    return re.sub(re.escape(str(work)) + r"/step-(\d+)\.jsonl",
                  lambda m: f"(shard {sh.name}, the output of /steps/{m.group(1)})", message)


def _run_shard(plan: dict[str, Any], sh: Shard) -> dict[str, Any]:
    from ..corpora.convert import convert

    sdir = Path(plan["output"]) / "shards" / sh.name
    work = fresh_dir(sdir / "work")
    if sh.start is None:  # a whole file of another format: its records in lancang JSONL
        copy = work / Path(sh.path).name
        materialise(sh, copy)
        cur = work / "input.jsonl"
        convert(copy, cur, from_format=plan["from_format"], to_format="jsonl", langs=plan["langs"])
    else:
        cur = work / "input.jsonl"
        materialise(sh, cur)
    metrics = []
    rejects: list[Path] = []
    steps = [(i, s) for i, s in enumerate(plan["steps"]) if not is_global(s)]
    for i, step in steps:
        rej = work / f"rejects-{i}.jsonl"
        fitted = plan["fitted"].get(str(i))
        cur, m = run_step(step, cur, work / f"step-{i}.jsonl", rej, plan["time"],
                          {**fitted, "part": sh.index} if fitted else None)
        metrics.append(m)
        if step["step"] == "clean":
            rejects.append(rej)
    os.replace(cur, sdir / "part.jsonl")
    with atomic_output(sdir / "rejects.jsonl") as out:
        for r in rejects:
            with open(r, "rb") as f:
                shutil.copyfileobj(f, out)
    write_json(sdir / "metrics.json", metrics)
    shutil.rmtree(work, ignore_errors=True)  # before the marker: a shard with its marker has nothing left over
    marker = {"marker": RUN_ID, "shard": sh.to_dict(), "input_sha256": sh.sha256, "pipeline_sha256": plan["sha256"],
              "steps": [s for _, s in steps], "time": plan["time"],
              "files": {n: file_sha256(sdir / n) for n in ("part.jsonl", "rejects.jsonl", "metrics.json")}}
    write_json(sdir / "done.json", marker)
    return {"index": sh.index}
