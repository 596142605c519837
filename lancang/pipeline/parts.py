"""Parts of a one-off run: the pool of ``lancang run`` working on line ranges of one input, each part in a
folder of its own under a temporary workspace (:mod:`lancang.pipeline.oneoff`, :mod:`lancang.pipeline.dedup`)."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import LancangError
from .shards import Shard, fresh_dir, materialise
from .spec import DEFAULT_RETRIES


class PartsFailed(LancangError):
    """A part failed every try (its worker died, or it raised something other than an input error)."""


@contextlib.contextmanager
def workspace() -> Iterator[Path]:
    """A temporary folder for the parts (removed afterwards, whatever happens)."""
    folder = Path(tempfile.mkdtemp(prefix="lancang-jobs-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_parts(task: str, parts: list[Shard], jobs: int, args: Mapping[str, Any], folder: Path,
              progress: Callable[[dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """Run ``task`` (``"module:function"``) on every part in the ``local`` executor's pool; the results in
    input order. An input error in a part is raised located in the input file."""
    from .executors import EXECUTORS

    plan = {"task": task, "output": str(folder), "retries": DEFAULT_RETRIES,
            "sha256": uuid.uuid4().hex, "args": dict(args)}
    results: dict[int, dict[str, Any]] = {}

    def on_result(res: dict[str, Any]) -> None:
        results[res["index"]] = res
        if progress:
            progress(res)

    failed = EXECUTORS.get("local")(plan, [p.to_dict() for p in parts], jobs=jobs, on_result=on_result)
    if failed:
        first = min(failed)
        why = failed[first]
        if "(tried " not in why:  # an input error, located by the worker in the input file
            raise LancangError(why)
        sh = parts[first]
        raise PartsFailed(f"{sh.path} lines {sh.line}-{sh.line + max(sh.lines, 1) - 1}: {why}")
    return [results[p.index] for p in parts]


def concat(files: list[Path], target: str | Path) -> None:
    """The files' bytes one after another into ``target`` (atomically; ``-`` is stdout, ``.gz`` compressed)."""
    from ..corpora.io import atomic_output

    with atomic_output(target) as out:
        for f in files:
            with open(f, "rb") as part:
                shutil.copyfileobj(part, out)


def part_dir(plan: Mapping[str, Any], sh: Shard) -> Path:
    return Path(plan["output"]) / "shards" / sh.name


def part_input(plan: Mapping[str, Any], sh: Shard) -> Path:
    """The part's lines copied to a file of its own (checked against the hash of the scan)."""
    work = fresh_dir(part_dir(plan, sh) / "work")
    src = work / "input.jsonl"
    materialise(sh, src)
    return src
