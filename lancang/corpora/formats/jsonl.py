"""lancang's own JSONL: the canonical records as they are (carries everything)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..jsonl import PathLike, read_records, write_records
from . import FEATURES, Format, no_options


def read(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    no_options(options, "reader")
    return read_records(path)


def write(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    no_options(options, "writer")
    return write_records(path, records)


FORMAT = Format("jsonl", "lancang canonical records, one JSON object per line (.gz too)", (".jsonl", ".ndjson"),
                frozenset(FEATURES), read, write)
