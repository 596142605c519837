"""Plain text, one segment per line, one language (``--src`` names it).

Reading strips a leading BOM and the line ending (LF or CRLF), normalises to NFC (a side whose text
changed gets ``meta.source_not_nfc``) and gives each line a record ``<line number>``. Writing puts
one side's text per line; a text containing a line break cannot be written and is an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ...errors import InputError, UsageError
from ..jsonl import PathLike, atomic_output, text_lines
from . import Format, check_options, nfc_side, one_lang


def read(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    check_options(FORMAT, "reader", options)
    lang = one_lang(langs, "plain text", f"reading {path}")
    for n, line in text_lines(path):
        yield {"id": str(n), "sides": {lang: nfc_side(line)}}


def write(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    check_options(FORMAT, "writer", options)
    n = 0
    with atomic_output(path, "w") as f:
        for rec in records:
            sides = rec["sides"]
            lang = langs[0] if langs else (next(iter(sides)) if len(sides) == 1 else None)
            if lang is None:
                raise UsageError(f"record {rec['id']!r} has {len(sides)} sides; choose one with --src")
            if lang not in sides:
                raise InputError(f"record {rec['id']!r} has no side {lang!r}")
            text = sides[lang]["text"]
            if "\n" in text or "\r" in text:
                raise InputError(f"record {rec['id']!r}: the {lang} text has a line break, which plain text "
                                 "cannot hold (one segment a line)")
            f.write(text + "\n")
            n += 1
    return n


FORMAT = Format("text", "plain text, one segment a line, one language", (".txt",), frozenset(), read, write,
                max_sides=1, needs_langs=True, read_options={}, write_options={})
