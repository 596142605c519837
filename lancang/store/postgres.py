"""The server backend: PostgreSQL through psycopg 3 (``pip install "lancang[store]"``), the search
index a ``text[]`` of terms under a GIN index (``terms @> query terms``)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import orjson

from ..errors import InputError, UsageError
from .base import Store

_PASSWORD = re.compile(r"(//[^:/@]*:)[^@]*@")
_PASSWORD_PARAM = re.compile(r"(password=)[^&\s]*", re.IGNORECASE)


def redact(url: str) -> str:
    """The URL with its password hidden (for messages).

    >>> redact("postgresql://me:secret@db/lib"), redact("postgresql://db/lib?user=me&password=secret&x=1")
    ('postgresql://me:***@db/lib', 'postgresql://db/lib?user=me&password=***&x=1')
    """
    return _PASSWORD_PARAM.sub(r"\1***", _PASSWORD.sub(r"\1***@", url))


class PostgresStore(Store):
    backend = "postgresql"
    _windows = True

    def __init__(self, url: str):
        self.url = redact(url)
        try:
            import psycopg
            from psycopg.types.json import set_json_dumps, set_json_loads
        except ImportError:
            raise UsageError('a PostgreSQL store needs psycopg: pip install "lancang[store]"') from None
        self._psycopg = psycopg
        try:
            self.conn = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError(f"{self.url}: cannot connect: {first}") from None
        # no server-side prepared statements: after five runs psycopg would prepare a query, and
        # PostgreSQL's generic plan for a search (parameters unknown) was 10-50x slower than a custom one
        self.conn.prepare_threshold = None
        set_json_loads(orjson.loads, self.conn)
        set_json_dumps(lambda v: orjson.dumps(v).decode("utf-8"), self.conn)

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self._sql(sql), tuple(params))  # type: ignore[arg-type]

    def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(self._sql(sql), rows)  # type: ignore[arg-type]

    def _insert(self, sql: str, params: Sequence[Any]) -> int:
        row = self.conn.execute(self._sql(sql) + " RETURNING id", tuple(params)).fetchone()  # type: ignore[arg-type]
        assert row is not None
        return int(row[0])

    @contextlib.contextmanager
    def _transaction(self, exclusive: bool) -> Iterator[None]:
        with self.conn.transaction():
            if exclusive:
                self.conn.execute("SELECT pg_advisory_xact_lock(7405901)")
            yield

    def _json(self, value: Any) -> Any:
        # typed json (not jsonb): a JSON column (records) keeps the record's key order; JSONB columns
        # take it by PostgreSQL's assignment cast
        from psycopg.types.json import Json

        return Json(value)

    def _from_json(self, value: Any) -> Any:
        return orjson.loads(value) if isinstance(value, (str, bytes)) else value

    def _insert_many(self, table: str, cols: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
        # ids drawn from the identity's sequence in one round trip, then one pipelined executemany
        if not rows:
            return []
        ids = [int(r[0]) for r in self._fetchall(
            "SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, ?)", (table, len(rows)))]
        marks = ", ".join("?" for _ in range(len(cols) + 1))
        self._executemany(f"INSERT INTO {table} (id, {', '.join(cols)}) VALUES ({marks})",
                          [(i, *row) for i, row in zip(ids, rows)])
        return ids

    def _insert_sides(self, rows: Sequence[tuple[int, int, str, str, str, list[str]]]) -> None:
        self._insert_many("sides", ("record", "corpus", "lang", "text", "kind", "terms"), rows)

    def _write_terms(self, rows: Sequence[tuple[int, str, list[str]]]) -> None:
        self._executemany("UPDATE sides SET kind = ?, terms = ? WHERE id = ?", [(k, ts, sid) for sid, k, ts in rows])

    def _match_sql(self, terms: list[str]) -> tuple[str, str, list[Any], str]:
        return "sides s", "s.terms @> ?::text[]", [list(terms)], "s.id"

    def analyze(self) -> None:
        # a plan made on stale statistics walked every record of a corpus for a GIN lookup (100x slower)
        self._execute("ANALYZE sides")
        self._execute("ANALYZE records")
        # move what a bulk load left in the GIN index's pending list into the index proper (a query
        # scans that list linearly until autovacuum gets to it)
        self._execute("SELECT gin_clean_pending_list('sides_terms'::regclass)")

    def close(self) -> None:
        self.conn.close()
