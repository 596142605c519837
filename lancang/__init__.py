"""lancang: a toolkit and CLI for multilingual corpus annotation and standards conformance."""

from __future__ import annotations

__version__ = "0.1.0"

from .corpora.formats.parquet import to_pandas  # noqa: E402  (pyarrow is imported when it is called)
from .corpora.jsonl import iter_lines, read_records, write_records  # noqa: E402
from .corpora.model import Link, Provenance, Record, Side  # noqa: E402
from .findings import Finding  # noqa: E402

__all__ = ["__version__", "Record", "Side", "Link", "Provenance", "Finding", "read_records", "write_records",
           "iter_lines", "to_pandas"]
