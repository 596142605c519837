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
#: the threads cleaning with decisions now, and the filter class they replaced while they do
_lock = threading.Lock()
_users = 0
_real: Any = None


@contextlib.contextmanager
def decided_duplicates(folder: str | None, index: int) -> Iterator[None]:
    """While cleaning part ``index`` in this thread, ``duplicates`` scores from the decisions of the global
    phase (the filter's own scores of the records it rejects; every other record is no one's duplicate).
    Meanwhile the registry's ``duplicates`` is a subclass that is the filter itself in a thread without
    decisions; the filter is back in the registry when the last such thread is done."""
    if folder is None:
        yield
        return
    table = orjson.loads((Path(folder) / f"{index:06d}.json").read_bytes())
    _enter()
    before = getattr(_local, "table", None)
    _local.table = table
    try:
        yield
    finally:
        _local.table = before
        _leave()


def _enter() -> None:
    global _users, _real
    from ..processing.filters import FILTERS

    with _lock:
        if _users == 0:
            _real = FILTERS.get("duplicates")
            FILTERS.register("duplicates", _decided(_real))
        _users += 1


def _leave() -> None:
    global _users
    from ..processing.filters import FILTERS

    with _lock:
        _users -= 1
        if _users == 0:
            FILTERS.register("duplicates", _real)


def _decided(real: Any) -> Any:
    class Decided(real):  # type: ignore[misc, valid-type]
        def score_batch(self, records: Any) -> list[dict[str, Any]]:
            table = getattr(_local, "table", None)
            if table is None:
                return super().score_batch(records)
            return [table.get(r.get("id")) or {"duplicate_of": None} for r in records]

    return Decided
