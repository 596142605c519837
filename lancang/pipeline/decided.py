"""Phase 3 of the duplicates global phase (:mod:`lancang.pipeline.dedup`) in a worker: the part is cleaned
by ``lancang clean``'s own runner with a ``duplicates`` filter whose scores are the decisions of the global
phase. (Apart from :mod:`~lancang.pipeline.dedup`, which runs the pool: a worker imports this.)"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

#: the decisions of the part this thread is cleaning (Dask's in-process workers are threads of one process)
_local = threading.local()


@contextlib.contextmanager
def decided_duplicates(folder: str | None, index: int) -> Iterator[None]:
    """While cleaning part ``index`` in this thread, ``duplicates`` scores from the decisions of the global
    phase (the filter's own scores of the records it rejects; every other record is no one's duplicate)."""
    if folder is None:
        yield
        return
    table = orjson.loads((Path(folder) / f"{index:06d}.json").read_bytes())
    _install()
    before = getattr(_local, "table", None)
    _local.table = table
    try:
        yield
    finally:
        _local.table = before


def _install() -> None:
    """Register, once per process, a ``duplicates`` that scores from this thread's decisions when it has
    some and is the filter itself otherwise (so nothing else in the process sees a difference)."""
    from ..processing.filters import FILTERS

    real = FILTERS.get("duplicates")
    if getattr(real, "decided", False):
        return

    class Decided(real):  # type: ignore[misc, valid-type]
        decided = True

        def score_batch(self, records: Any) -> list[dict[str, Any]]:
            table = getattr(_local, "table", None)
            if table is None:
                return super().score_batch(records)
            return [table.get(r.get("id")) or {"duplicate_of": None} for r in records]

    FILTERS.register("duplicates", Decided)
