"""Find keys seen more than once in a stream, in bounded memory.

Used for unique record ids (and by the duplicate-record rules). The first ``spill_at`` keys are kept
in a dict and duplicates among them are reported at once; past that, keys go in batches to a
temporary SQLite table on disk, and :meth:`DuplicateIndex.late_duplicates` reports the rest when
the stream has ended. Memory therefore stays flat however long the stream.

:class:`SpillFile` is that temporary database: the one way lancang spills to disk (also used by the
record join, :mod:`lancang.quality.join`). :class:`FirstSeen` answers at once instead of at the end
(what came first under a key, for the cleaning filter that rejects duplicates as the stream goes),
in the same bounded memory.
"""

from __future__ import annotations

import contextlib
import operator
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

SPILL_AT = 50_000
_BATCH = 10_000


class SpillFile:
    """A temporary SQLite database on disk (journal and syncing off: it only lives for one run),
    deleted by :meth:`close`. ``schema`` is the SQL that creates its tables."""

    def __init__(self, schema: str, prefix: str = "lancang-spill-", tmpdir: str | None = None,
                 cache_kib: int = 8000):
        fd, self.path = tempfile.mkstemp(prefix=prefix, suffix=".sqlite", dir=tmpdir)
        os.close(fd)
        self.db: sqlite3.Connection | None = sqlite3.connect(self.path)
        self.db.executescript(f"PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-{int(cache_kib)};"
                              + schema)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)

    def __enter__(self) -> SpillFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DuplicateIndex:
    def __init__(self, spill_at: int = SPILL_AT, tmpdir: str | None = None):
        self.spill_at = spill_at
        self.tmpdir = tmpdir
        self._mem: dict[str, tuple[int, Any]] = {}
        self._spill_file: SpillFile | None = None
        self._db: sqlite3.Connection | None = None
        self._buf: list[tuple[str, int, Any]] = []

    def add(self, key: str, line: int, tag: Any = None) -> int | None:
        """Record ``key`` at ``line``. Returns the first line of ``key`` when a duplicate is known now.

        ``tag`` is kept with the key and returned by :meth:`late_duplicates` (e.g. whether the
        record was otherwise valid).
        """
        if self._db is None:
            first = self._mem.get(key)
            if first is not None:
                return first[0]
            self._mem[key] = (line, tag)
            if len(self._mem) >= self.spill_at:
                self._spill()
            return None
        self._buf.append((key, line, tag))
        if len(self._buf) >= _BATCH:
            self._flush()
        return None

    def _spill(self) -> None:
        self._spill_file = SpillFile("CREATE TABLE k (key TEXT, line INTEGER, tag);", "lancang-dupes-", self.tmpdir)
        self._db = self._spill_file.db
        assert self._db is not None
        self._db.executemany("INSERT INTO k VALUES (?, ?, ?)", ((k, ln, t) for k, (ln, t) in self._mem.items()))
        self._mem = {}

    def _flush(self) -> None:
        if self._buf and self._db is not None:
            self._db.executemany("INSERT INTO k VALUES (?, ?, ?)", self._buf)
            self._buf = []

    def late_duplicates(self) -> Iterator[tuple[str, int, int, Any]]:
        """After the stream: (key, first line, duplicate line, tag of the duplicate) not yet reported, by line."""
        if self._db is None:
            return
        self._flush()
        cur = self._db.execute(
            "SELECT key, first, line, tag FROM (SELECT key, line, tag, MIN(line) OVER (PARTITION BY key) AS first "
            "FROM k WHERE key IN (SELECT key FROM k GROUP BY key HAVING COUNT(*) > 1)) WHERE line > first "
            "ORDER BY line")
        yield from cur

    def close(self) -> None:
        if self._spill_file is not None:
            self._spill_file.close()
            self._spill_file = None
        self._db = None

    def __enter__(self) -> DuplicateIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FirstSeen:
    """The first value stored under each integer key, answered at once, in bounded memory.

    Keys are signed 64-bit integers (SQLite's; a numpy ``uint64`` hash viewed as ``int64`` is one).
    Values are tuples of ``width`` SQLite values (numbers, strings, bytes), or one such value when
    ``width`` is 1 (no tuple per key: the in-memory dict stays small). The first ``spill_at``
    keys live in a dict; past that, all of them go to a table of a :class:`SpillFile` keyed by the
    integer, queried in batches (:meth:`get_many`), so memory stays flat however long the stream.
    A key stored twice keeps its first value.
    """

    _CHUNK = 900  # parameters of one ``IN (...)`` query (SQLite allows at least 999)

    def __init__(self, width: int = 1, spill_at: int = SPILL_AT, tmpdir: str | None = None, cache_kib: int = 8000):
        self.width, self.spill_at, self.tmpdir, self.cache_kib = width, spill_at, tmpdir, cache_kib
        self._mem: dict[int, Any] = {}
        self._spill_file: SpillFile | None = None
        self._db: sqlite3.Connection | None = None
        self._n = 0

    @property
    def spilled(self) -> bool:
        return self._db is not None

    def __len__(self) -> int:
        return self._n

    def get_many(self, keys: Iterable[int]) -> dict[int, Any]:
        """The stored value of each of ``keys`` that has one."""
        if self._db is None:
            mem = self._mem
            return {k: mem[k] for k in keys if k in mem}
        out: dict[int, Any] = {}
        ids = sorted(set(keys))  # in key order the B-tree pages are visited once (40 % faster on random keys)
        one = self.width == 1
        for a in range(0, len(ids), self._CHUNK):
            part = ids[a:a + self._CHUNK]
            rows = self._db.execute(f"SELECT * FROM f WHERE k IN ({','.join('?' * len(part))})", part)
            for row in rows:
                out[row[0]] = row[1] if one else tuple(row[1:])
        return out

    def _rows(self, items: Iterable[tuple[int, Any]]) -> Iterator[tuple[Any, ...]]:
        if self.width == 1:
            return iter(items)
        return ((k, *v) for k, v in items)

    def put_many(self, items: Iterable[tuple[int, Any]]) -> None:
        """Store each (key, value) whose key has no value yet."""
        if self._db is None:
            mem = self._mem
            for k, v in items:
                if k not in mem:
                    mem[k] = v
            self._n = len(mem)
            if len(mem) >= self.spill_at:
                self._spill()
            return
        before = self._db.total_changes
        self._db.executemany(f"INSERT OR IGNORE INTO f VALUES (?{', ?' * self.width})",
                             self._rows(sorted(items, key=operator.itemgetter(0))))
        self._n += self._db.total_changes - before

    def _spill(self) -> None:
        cols = ", ".join(f"v{i}" for i in range(self.width))
        self._spill_file = SpillFile(f"CREATE TABLE f (k INTEGER PRIMARY KEY, {cols});", "lancang-first-", self.tmpdir,
                                     self.cache_kib)
        self._db = self._spill_file.db
        assert self._db is not None
        mem, self._mem = self._mem, {}
        self._db.executemany(f"INSERT INTO f VALUES (?{', ?' * self.width})", self._rows(sorted(mem.items())))

    def close(self) -> None:
        if self._spill_file is not None:
            self._spill_file.close()
            self._spill_file = None
        self._db = None
        self._mem = {}

    def __enter__(self) -> FirstSeen:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
