"""lancang's own JSONL: the canonical records as they are (carries everything)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..jsonl import PathLike, read_records, write_records
from . import FEATURES, Format


def read(path: PathLike, *, langs: Any = None, **_: Any) -> Iterator[dict[str, Any]]:
    return read_records(path)


def write(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **_: Any) -> int:
    return write_records(path, records)


FORMAT = Format("jsonl", "lancang canonical records, one JSON object per line (.gz too)", (".jsonl", ".ndjson"),
                frozenset(FEATURES), read, write)
