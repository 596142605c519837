"""Tab-separated bitext: ``src<TAB>tgt[<TAB>more]``, one segment pair (or n-tuple) a line.

Each column is one language, named in order by ``--src``/``--tgt`` (or by a header line with
``header=True``: ``zh-Hans<TAB>vi``). With ``id_column=True`` the first column is the record id
(as in TALPCo's ``id<TAB>sentence`` files) and the languages name the columns after it. A line
with another number of columns is an error with its line number. Reading strips a BOM and CR and
normalises to NFC (``meta.source_not_nfc`` on a side that changed); the record id is the line
number. Writing refuses a text with a tab or line break; ``header=True`` writes the language tags
as the first line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ...errors import InputError, UsageError
from ..jsonl import PathLike, atomic_output, open_input
from . import Format, Option, check_options
from .moses import nfc_side, raw_line

_OPTIONS = {
    "header": Option(False, "the first line names the columns' languages (zh-Hans<TAB>vi)", (True, False)),
    "id_column": Option(False, "the first column is the record id", (True, False)),
}


def read(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    check_options(FORMAT, "reader", options)
    header = bool(options.get("header"))
    with_id = bool(options.get("id_column"))
    names = list(langs) if langs else None
    with open_input(path) as f:
        for n, raw in enumerate(f, 1):
            cells = raw_line(raw, f"{path}:{n}", n == 1).split("\t")
            rid = str(n - (1 if header else 0))
            if with_id and not (n == 1 and header):
                rid = cells.pop(0)
                if not rid:
                    raise InputError(f"{path}:{n}: the id column is empty")
            elif with_id:
                cells = cells[1:]
            if n == 1 and header:
                if names and cells != names:
                    raise InputError(f"{path}:1: the header names {', '.join(cells)} but --src/--tgt give "
                                     f"{', '.join(names)}")
                names = cells
                continue
            if names is None:
                raise UsageError(f"tsv: name the languages of the columns of {path} with --src and --tgt "
                                 "(or header=True)")
            if len(cells) != len(names):
                raise InputError(f"{path}:{n}: {len(cells)} column{'s' if len(cells) != 1 else ''}, "
                                 f"{len(names)} expected ({', '.join(names)})")
            yield {"id": rid, "sides": {lang: nfc_side(cell) for lang, cell in zip(names, cells)}}


def write(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    check_options(FORMAT, "writer", options)
    with_id = bool(options.get("id_column"))
    names = list(langs) if langs else None
    n = 0
    with atomic_output(path, "w") as f:
        for rec in records:
            if names is None:
                names = list(rec["sides"])
            if n == 0 and options.get("header"):
                f.write("\t".join((["id"] if with_id else []) + names) + "\n")
            cells = [rec["id"]] if with_id else []
            for lang in names:
                side = rec["sides"].get(lang)
                if side is None:
                    raise InputError(f"record {rec['id']!r} has no side {lang!r}")
                t = side["text"]
                if "\t" in t or "\n" in t or "\r" in t:
                    raise InputError(f"record {rec['id']!r}: the {lang} text has a tab or line break, which a "
                                     "TSV cell cannot hold")
                cells.append(t)
            f.write("\t".join(cells) + "\n")
            n += 1
    return n


FORMAT = Format(
    "tsv", "tab-separated bitext, one language a column (n-way)", (".tsv",),
    frozenset({"sides>2"}), read, write,
    read_options=_OPTIONS, write_options=_OPTIONS,
)
