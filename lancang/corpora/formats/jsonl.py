"""lancang's own JSONL: the canonical records as they are (carries everything)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..jsonl import PathLike, read_records, write_records
from . import FEATURES, Format, check_options


def read(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    check_options(FORMAT, "reader", options)
    return read_records(path)


def write(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    check_options(FORMAT, "writer", options)
    return write_records(path, records)


FORMAT = Format("jsonl", "lancang canonical records, one JSON object per line (.gz too)", (".jsonl", ".ndjson"),
                frozenset(FEATURES), read, write, read_options={}, write_options={})
