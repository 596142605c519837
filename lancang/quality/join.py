"""The one join of record streams by id, for two or more inputs (evaluate, agree).

While every input lists the same ids in the same order the join zips them, one record per input in
memory. At the first difference the rest of every input goes into a temporary SQLite file on disk
(:class:`lancang.corpora.dupes.SpillFile`) and is joined there by id, so memory stays flat however
large and however shuffled the inputs; the groups after that point come out sorted by id.

Every id is yielded once, as a :class:`Group` with one record per input, ``None`` where an input
lacks it: the caller decides whether a record present in only some inputs is reported
(``evaluate``), an error, or left out (``agree --intersect``); :class:`Missing` tallies them.
A duplicate id within one input is an :class:`~lancang.errors.InputError` naming both places.

Inputs are iterables of record dicts (``lancang.corpora.formats.read_corpus``), located as
``NAME record K``; or the located items of ``read_items`` (``Parsed``/``Problem``), located as
``NAME:LINE`` where the format has lines (canonical JSONL), with a bad line an input error.

>>> a = [{"id": "x"}, {"id": "y"}, {"id": "z"}]
>>> b = [{"id": "z"}, {"id": "x"}]
>>> [(g.id, [r is not None for r in g.records]) for g in join_records([a, b], ["a", "b"])]
[('x', [True, True]), ('y', [True, False]), ('z', [True, True])]
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..corpora.dupes import DuplicateIndex, SpillFile
from ..corpora.jsonl import Parsed, Problem, json_type
from ..errors import InputError, UsageError

#: ids listed (the first in :func:`id_order`, so the list does not depend on the order of the inputs)
MAX_LISTED = 10
_DIGITS = re.compile(r"(\d+)")


def id_order(rid: str) -> tuple[Any, ...]:
    """Sort key for listing ids to people: runs of digits compare as numbers (``s2`` before ``s10``).

    >>> sorted(["s10", "s2", "a", "s2b"], key=id_order)
    ['a', 's2', 's2b', 's10']
    """
    return tuple((0, int(part), part) if k % 2 else (1, 0, part) for k, part in enumerate(_DIGITS.split(rid)))


@dataclass(frozen=True, slots=True)
class Group:
    """One id and its record in every input (``None`` where an input lacks it), with their locations."""

    id: str
    records: tuple[dict[str, Any] | None, ...]
    where: tuple[str | None, ...]

    @property
    def complete(self) -> bool:
        return all(r is not None for r in self.records)


@dataclass
class Missing:
    """Ids that one input lacks (or holds alone): how many, and the first :data:`MAX_LISTED` of them
    in :func:`id_order` (whatever the order of the inputs)."""

    count: int = 0
    ids: list[Any] = field(default_factory=list)
    #: the order the listed items are chosen in: :func:`id_order` of an id, or of a tuple's first member
    key: Callable[[Any], Any] = field(default=id_order, repr=False, compare=False)

    def add(self, rid: Any, limit: int = MAX_LISTED) -> None:
        self.count += 1
        if len(self.ids) < limit or self.key(rid) < self.key(self.ids[-1]):
            bisect.insort(self.ids, rid, key=self.key)
            del self.ids[limit:]


def first_id_order(item: tuple[str, ...]) -> tuple[Any, ...]:
    """The order of tuples that begin with an id (``(id, side, problem)``): the id's, then the rest."""
    return (id_order(item[0]), *item[1:])


#: (position for ordering: the line or the record number, location text, id, record)
_Item = tuple[int, str, str, dict[str, Any]]


def _located(stream: Iterable[Any], name: str) -> Iterator[_Item]:
    for k, item in enumerate(stream, 1):
        if isinstance(item, Problem):
            if item.severity == "error":
                raise InputError(f"{name}:{item.line}: {item.message}")
            continue
        line = None
        if isinstance(item, Parsed):
            line, item = item.line, item.value
        pos, where = (line, f"{name}:{line}") if line else (k, f"{name} record {k}")
        if not isinstance(item, dict):
            raise InputError(f"{where}: {json_type(item)} is not a record")
        rid = item.get("id")
        if not isinstance(rid, str):
            raise InputError(f"{where}: the record has no string id")
        yield pos, where, rid, item


def _where_of(name: str, pos: int, by_line: bool) -> str:
    return f"{name}:{pos}" if by_line else f"{name} record {pos}"


def _duplicate(name: str, rid: str, where: str, first: int | None, by_line: bool) -> InputError:
    return InputError(f"{where}: duplicate record id {rid!r} (first at {_where_of(name, first or 0, by_line)})")


def join_records(streams: Sequence[Iterable[Any]], names: Sequence[str], *,
                 spill_dir: str | None = None) -> Iterator[Group]:
    """Join ``streams`` (two or more) by record id; ``names`` (one per input) locate messages.

    Yields a :class:`Group` per id: in input order while the inputs agree, then sorted by id.
    Raises :class:`InputError` for an item that is not a record with a string id, for a bad line of
    a located input, and for an id that appears twice in one input.
    """
    if len(streams) < 2:
        raise UsageError("a join needs at least two inputs")
    if len(names) != len(streams):
        raise UsageError(f"{len(names)} names for {len(streams)} inputs")
    iters = [_located(s, n) for s, n in zip(streams, names, strict=True)]
    dupes = [DuplicateIndex(tmpdir=spill_dir) for _ in streams]
    by_line = [False] * len(streams)

    def see(k: int, item: _Item) -> None:
        pos, where, rid, _rec = item
        by_line[k] = where.startswith(f"{names[k]}:")
        first = dupes[k].add(rid, pos)
        if first is not None:
            raise _duplicate(names[k], rid, where, first, by_line[k])

    try:
        heads: list[_Item | None] = [next(it, None) for it in iters]
        while all(h is not None for h in heads):
            rid = heads[0][2]  # type: ignore[index]
            if any(h[2] != rid for h in heads):  # type: ignore[index]
                break
            for k, h in enumerate(heads):
                see(k, h)  # type: ignore[arg-type]
            yield Group(rid, tuple(h[3] for h in heads), tuple(h[1] for h in heads))  # type: ignore[index]
            heads = [next(it, None) for it in iters]
        if any(h is not None for h in heads):
            yield from _spilled(names, iters, heads, see, spill_dir)
        for k, d in enumerate(dupes):
            for key, first, pos, _tag in d.late_duplicates():
                raise _duplicate(names[k], key, _where_of(names[k], pos, by_line[k]), first, by_line[k])
    finally:
        for d in dupes:
            d.close()


def _spilled(names: Sequence[str], iters: list[Iterator[_Item]], heads: list[_Item | None], see: Any,
             spill_dir: str | None) -> Iterator[Group]:
    m = len(iters)
    with SpillFile("CREATE TABLE r (id TEXT, f INTEGER, pos INTEGER, loc TEXT, data BLOB);", "lancang-join-",
                   spill_dir, cache_kib=16000) as spill:
        db = spill.db
        assert db is not None
        for k in range(m):
            def rows(k: int = k) -> Iterator[tuple[str, int, int, str, bytes]]:
                for item in itertools.chain([heads[k]] if heads[k] is not None else [], iters[k]):
                    see(k, item)
                    pos, where, rid, rec = item  # type: ignore[misc]
                    yield rid, k, pos, where, orjson.dumps(rec)
            db.executemany("INSERT INTO r VALUES (?, ?, ?, ?, ?)", rows())
        db.execute("CREATE INDEX r_id ON r (id, f, pos)")
        cur = db.execute("SELECT id, f, loc, data FROM r ORDER BY id, f, pos")
        for rid, rows_ in itertools.groupby(cur, key=lambda row: row[0]):
            recs: list[dict[str, Any] | None] = [None] * m
            where: list[str | None] = [None] * m
            for _id, f, loc, data in rows_:
                if recs[f] is not None:  # a late duplicate (past the in-memory index): both places are known
                    raise InputError(f"{loc}: duplicate record id {rid!r} (first at {where[f]})")
                recs[f], where[f] = orjson.loads(data), loc
            yield Group(rid, tuple(recs), tuple(where))
