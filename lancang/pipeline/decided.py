"""Phase 3 of the duplicates global phase (:mod:`lancang.pipeline.dedup`) in a worker: the part is cleaned
by ``lancang clean``'s own runner with a ``duplicates`` filter whose scores are the decisions of the global
phase. (Apart from :mod:`~lancang.pipeline.dedup`, which runs the pool: a worker imports this.)"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson


@contextlib.contextmanager
def decided_duplicates(folder: str | None, index: int) -> Iterator[None]:
    """While cleaning part ``index``, ``duplicates`` scores from the decisions of the global phase (the
    filter's own scores of the records it rejects; every other record is no one's duplicate)."""
    if folder is None:
        yield
        return
    from ..processing.filters import FILTERS

    table = orjson.loads((Path(folder) / f"{index:06d}.json").read_bytes())
    real = FILTERS.get("duplicates")

    class Decided(real):  # type: ignore[misc, valid-type]
        def score_batch(self, records: Any) -> list[dict[str, Any]]:
            return [table.get(r.get("id")) or {"duplicate_of": None} for r in records]

    FILTERS.register("duplicates", Decided)
    try:
        yield
    finally:
        FILTERS.register("duplicates", real)
