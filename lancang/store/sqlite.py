"""The embedded backend: one SQLite file (WAL journal), FTS5 for the search index."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from ..errors import InputError
from .base import Store


class SQLiteStore(Store):
    backend = "sqlite"

    def __init__(self, path: str, *, create: bool = True):
        self.url = path
        if path != ":memory:":
            p = Path(path)
            if not create and not p.exists():
                raise InputError(f"{path}: no such corpus library (make one with `lancang index CORPUS --db {path}`)")
            if p.is_dir():
                raise InputError(f"{path}: is a directory, not a corpus library")
            if not p.parent.is_dir():
                raise InputError(f"{path}: the folder {p.parent} does not exist")
        try:
            self.conn = sqlite3.connect(path, isolation_level=None, timeout=30.0, check_same_thread=False)
            self.conn.execute("PRAGMA foreign_keys = ON")
            if path != ":memory:":
                self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            names = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise InputError(f"{path}: not a corpus library ({exc})") from None
        if names and "schema_version" not in names:  # another program's database: never add tables to it
            self.conn.close()
            raise InputError(f"{path}: a SQLite database of another kind, not a corpus library")

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(sql, tuple(params))

    def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def _insert(self, sql: str, params: Sequence[Any]) -> int:
        return int(self.conn.execute(sql, tuple(params)).lastrowid)

    @contextlib.contextmanager
    def _transaction(self, exclusive: bool) -> Iterator[None]:
        # every transaction here writes: IMMEDIATE takes the write lock first (waiting up to the busy
        # timeout); a deferred one that read first fails at once with "database is locked" when another
        # connection wrote in between (WAL's snapshot rule), as two job workers did
        del exclusive
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _json(self, value: Any) -> Any:
        return orjson.dumps(value).decode("utf-8")

    def _from_json(self, value: Any) -> Any:
        return orjson.loads(value) if isinstance(value, (str, bytes)) else value

    def _write_terms(self, rows: Sequence[tuple[int, str, list[str]]]) -> None:
        self.conn.executemany("UPDATE sides SET kind = ? WHERE id = ?", [(k, sid) for sid, k, _ in rows])
        self.conn.executemany("INSERT INTO side_fts (rowid, terms) VALUES (?, ?)",
                              [(sid, " ".join(ts)) for sid, _, ts in rows])

    def _match_sql(self, terms: list[str]) -> tuple[str, str, list[Any], str]:
        expr = " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)
        # the full-text index drives the join (CROSS JOIN fixes SQLite's loop order: without it the planner
        # may walk every side of the language and match each against the index), and the candidates are
        # ordered and resumed by its rowid (= the side's id): FTS5 then reads its posting lists from the
        # last candidate on in rowid order, where ``s.id`` made SQLite read every match and sort them
        # (1.5 s a page for a frequent term on 1M records)
        return ("side_fts CROSS JOIN sides s ON s.id = side_fts.rowid", "side_fts MATCH ?", [expr],
                "side_fts.rowid")

    def analyze(self) -> None:
        # PRAGMA optimize reads the statistics, then may write them (ANALYZE): in a deferred transaction that
        # upgrade fails at once with "database is locked" when another connection wrote in between (WAL's
        # snapshot rule; two job workers indexing at once did), so it takes the write lock first
        with self.transaction():
            self.conn.execute("PRAGMA optimize")

    def close(self) -> None:
        self.conn.close()
