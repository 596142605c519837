"""Moses / OPUS plain bitext: one file per language, line *i* of each file is segment *i*.

Paths: the path given is a prefix and each language is a file ``<prefix>.<lang>``; a path ending
in ``.moses`` drops that suffix first, so ``corpus.moses`` with ``--src zh-Hans --tgt vi`` means
``corpus.zh-Hans`` and ``corpus.vi`` (as Moses and OPUS name them). Any number of languages can be
given (n-way corpora); reading needs them (``--src``/``--tgt``), writing takes them from the
records when not given.

Reading strips a BOM and CR before LF, normalises to NFC (``meta.source_not_nfc`` on a side that
changed) and makes record ``<line number>``. Files of different lengths are an error naming the
short file and the line. Writing refuses a text with a line break (one segment a line).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ...errors import InputError, UsageError
from ..jsonl import PathLike, atomic_output, decode_line, open_input
from . import Format, check_options, nfc_side


def paths(path: PathLike, langs: list[str]) -> list[Path]:
    """The file of each language for a prefix (``corpus.moses`` -> ``corpus.<lang>``)."""
    p = str(path)
    if p.endswith(".moses"):
        p = p[: -len(".moses")]
    return [Path(f"{p}.{lang}") for lang in langs]


def raw_line(raw: bytes, where: str, first: bool) -> str:
    return decode_line(raw, where, first)


def read(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    check_options(FORMAT, "reader", options)
    if not langs:
        raise UsageError(f"moses: name the languages of {path} with --src and --tgt (files <prefix>.<lang>)")
    files = paths(path, list(langs))
    with contextlib.ExitStack() as stack:
        handles = [stack.enter_context(open_input(p)) for p in files]
        n = 0
        while True:
            n += 1
            raws = [h.readline() for h in handles]
            if not any(raws):
                return
            if not all(raws):
                short = [str(p) for p, r in zip(files, raws) if not r]
                longer = next(str(p) for p, r in zip(files, raws) if r)
                raise InputError(f"{short[0]}:{n}: the file ends here but {longer} goes on (line {n}); "
                                 "Moses files are line-aligned")
            sides = {lang: nfc_side(raw_line(raw, f"{p}:{n}", n == 1)) for lang, p, raw in zip(langs, files, raws)}
            yield {"id": str(n), "sides": sides}


def write(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    check_options(FORMAT, "writer", options)
    it = iter(records)
    first = next(it, None)
    if langs:
        langs = list(langs)
    elif first is not None:
        langs = list(first["sides"])
    else:
        raise UsageError(f"moses: no records and no languages: cannot name the files of {path}")
    n = 0
    with contextlib.ExitStack() as stack:
        outs = [stack.enter_context(atomic_output(p, "w")) for p in paths(path, langs)]
        for rec in _chain(first, it):
            for lang, f in zip(langs, outs):
                f.write(segment(rec, lang) + "\n")
            n += 1
    return n


def _chain(first: dict[str, Any] | None, rest: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    if first is not None:
        yield first
    yield from rest


def segment(rec: dict[str, Any], lang: str) -> str:
    """The text of one side, refusing what a line cannot hold."""
    side = rec["sides"].get(lang)
    if side is None:
        raise InputError(f"record {rec['id']!r} has no side {lang!r}")
    text = side["text"]
    if "\n" in text or "\r" in text:
        raise InputError(f"record {rec['id']!r}: the {lang} text has a line break, which a one-segment-a-line "
                         "file cannot hold")
    return text


FORMAT = Format(
    "moses", "Moses/OPUS bitext: <prefix>.<lang> files, line-aligned (n-way)", (".moses",),
    frozenset({"sides>2"}), read, write, needs_langs=True,
    read_options={}, write_options={},
)
