"""The corpus store's one interface; :mod:`.sqlite` and :mod:`.postgres` supply the connection.

A :class:`Store` is one database connection: open one per thread (``open_store`` is cheap) and close it
(or use it as a context manager). Every method that writes runs in its own transaction unless called
inside :meth:`Store.transaction`. Rows come back as plain values: :class:`Corpus` and :class:`Job`
dataclasses, records and reports as dicts.

SQL is written once with ``?`` placeholders; the PostgreSQL backend turns them into ``%s``. JSON is
``TEXT`` in SQLite and ``JSON``/``JSONB`` in PostgreSQL; :meth:`Store._json` and :meth:`Store._from_json`
hide the difference. Times are ISO 8601 UTC text in both.
"""

from __future__ import annotations

import contextlib
import heapq
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..corpora.model import now_iso
from ..errors import UsageError
from .terms import side_terms

#: the states of a job and the moves between them (``running -> queued`` is a restart's recovery)
JOB_STATES = ("queued", "running", "done", "failed")
JOB_MOVES = {("queued", "running"), ("running", "done"), ("running", "failed"), ("running", "queued"),
             ("queued", "failed")}


class DuplicateRecord(UsageError):
    """A record id already stored in the corpus."""

    def __init__(self, corpus: str, rid: str):
        super().__init__(f"record id {rid!r} is already in corpus {corpus!r}")
        self.rid = rid


@dataclass
class Corpus:
    id: int
    name: str
    languages: list[str]
    licence: str | None
    owner: str | None
    private: bool
    manifest: dict[str, Any] | None
    stats: dict[str, Any] | None
    state: str
    records: int
    created: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Job:
    id: int
    kind: str
    corpus: int | None
    state: str
    params: dict[str, Any]
    result: Any
    error: str | None
    attempts: int
    created: str
    updated: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Candidate:
    """A side that the index says may hold a hit. Its record (with the record's id and position) is read
    when first asked for: most candidates of a phrase are decided on their text alone, and reading every
    candidate's record cost more than the rest of the search."""
    side_id: int
    lang: str
    text: str
    kind: str
    corpus: str
    _rid: str | None = None
    _position: int | None = None
    _record: dict[str, Any] | None = field(default=None, repr=False)
    _load: Callable[[], tuple[str, int, dict[str, Any]]] | None = field(default=None, repr=False, compare=False)

    def _fill(self) -> None:
        assert self._load is not None
        self._rid, self._position, self._record = self._load()

    @property
    def record_id(self) -> str:
        if self._rid is None:
            self._fill()
        assert self._rid is not None
        return self._rid

    @property
    def position(self) -> int:
        if self._position is None:
            self._fill()
        assert self._position is not None
        return self._position

    @property
    def record(self) -> dict[str, Any]:
        if self._record is None:
            self._fill()
        assert self._record is not None
        return self._record


_CORPUS_COLS = "id, name, languages, licence, owner, private, manifest, stats, state, records, created"
_JOB_COLS = "id, kind, corpus, state, params, result, error, attempts, created, updated"


class Store:
    """The corpus library: corpora with their manifests and stats, records and sides, the search index,
    stored reports and jobs. Subclasses set ``backend`` and implement the connection primitives."""

    backend = ""
    url = ""
    #: read the candidates of a term query in windows of side ids (growing 4x while they hold too few): for
    #: an index that cannot yield its rows in id order (PostgreSQL's GIN) a page then reads the matches of
    #: one window, not every match of a frequent term sorted to keep 32
    _windows = False
    _first_window = 1 << 14

    # ------------------------------------------------------------------ connection primitives
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        raise NotImplementedError

    def _insert(self, sql: str, params: Sequence[Any]) -> int:
        """Run an INSERT and return the new row's id."""
        raise NotImplementedError

    def _transaction(self, exclusive: bool) -> contextlib.AbstractContextManager[None]:
        raise NotImplementedError

    def _json(self, value: Any) -> Any:
        raise NotImplementedError

    def _from_json(self, value: Any) -> Any:
        raise NotImplementedError

    def _insert_many(self, table: str, cols: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
        """Insert rows and return their new ids in order."""
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
        return [self._insert(sql, row) for row in rows]

    def _insert_sides(self, rows: Sequence[tuple[int, int, str, str, str, list[str]]]) -> None:
        """Store sides (record id, corpus id, lang, text, kind, terms) with their search index entries."""
        ids = self._insert_many("sides", ("record", "corpus", "lang", "text", "kind"), [r[:5] for r in rows])
        self._write_terms([(sid, r[4], r[5]) for sid, r in zip(ids, rows)])

    def _write_terms(self, rows: Sequence[tuple[int, str, list[str]]]) -> None:
        """Store (side id, kind, terms) in the search index."""
        raise NotImplementedError

    def _match_sql(self, terms: list[str]) -> tuple[str, str, list[Any], str]:
        """(FROM clause naming the sides ``s``, WHERE condition, parameters, the column that orders the
        candidates: ``s.id`` or an index's own row id equal to it) that keep the sides holding every term."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def analyze(self) -> None:
        """Refresh the planner's statistics (after a large load)."""

    # ------------------------------------------------------------------ helpers
    def _fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self._execute(sql, params).fetchall())

    def _fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        return self._execute(sql, params).fetchone()

    @contextlib.contextmanager
    def transaction(self, exclusive: bool = False) -> Iterator[None]:
        """One transaction (nested calls join the outer one); ``exclusive`` serialises writers (migrations)."""
        if getattr(self, "_depth", 0):
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._depth = 1
        try:
            with self._transaction(exclusive):
                yield
        finally:
            self._depth = 0

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def schema_version(self) -> int:
        row = self._fetchone("SELECT MAX(version) FROM schema_version")
        return int(row[0]) if row and row[0] is not None else 0

    # ------------------------------------------------------------------ corpora
    def _corpus(self, row: tuple[Any, ...] | None) -> Corpus | None:
        if row is None:
            return None
        (cid, name, langs, licence, owner, private, manifest, stats, state, records, created) = row
        return Corpus(int(cid), name, self._from_json(langs) or [], licence, owner, bool(private),
                      self._from_json(manifest), self._from_json(stats), state, int(records), created)

    def create_corpus(self, name: str, *, languages: Sequence[str] = (), licence: str | None = None,
                      owner: str | None = None, private: bool = False,
                      manifest: dict[str, Any] | None = None) -> Corpus:
        """A new, empty corpus (state ``indexing``); a name already used is a UsageError."""
        if not name or not name.strip():
            raise UsageError("a corpus name cannot be empty")
        if self.corpus(name) is not None:
            raise UsageError(f"{self.url}: a corpus named {name!r} exists already")
        with self.transaction():
            self._insert("INSERT INTO corpora (name, languages, licence, owner, private, manifest, created) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (name, self._json(sorted(languages)), licence, owner, bool(private),
                          self._json(manifest) if manifest is not None else None, now_iso()))
        out = self.corpus(name)
        assert out is not None
        return out

    def corpus(self, name: str) -> Corpus | None:
        """The corpus called ``name``, or None."""
        return self._corpus(self._fetchone(f"SELECT {_CORPUS_COLS} FROM corpora WHERE name = ?", (name,)))

    def corpus_by_id(self, corpus_id: int) -> Corpus | None:
        return self._corpus(self._fetchone(f"SELECT {_CORPUS_COLS} FROM corpora WHERE id = ?", (corpus_id,)))

    def corpora(self, *, viewer: str | None = None, everything: bool = False, lang: str | None = None,
                licence: str | None = None) -> list[Corpus]:
        """Corpora by name: public ones and ``viewer``'s private ones (all with ``everything``), optionally
        only those with a side in language range ``lang`` or under ``licence``."""
        from ..corpora.langs import tag_matches

        out = []
        for row in self._fetchall(f"SELECT {_CORPUS_COLS} FROM corpora ORDER BY name"):
            c = self._corpus(row)
            assert c is not None
            if c.private and not everything and (viewer is None or c.owner != viewer):
                continue
            if lang is not None and not any(tag_matches(x, [lang]) for x in c.languages):
                continue
            if licence is not None and (c.licence or "").lower() != licence.lower():
                continue
            out.append(c)
        return out

    def update_corpus(self, name: str, /, **fields: Any) -> None:
        """Set fields of a corpus: languages, licence, owner, private, manifest, stats, state."""
        allowed = {"languages", "licence", "owner", "private", "manifest", "stats", "state"}
        unknown = set(fields) - allowed
        if unknown:
            raise UsageError(f"cannot set {', '.join(sorted(unknown))} of a corpus")
        if not fields:
            return
        sets, params = [], []
        for key, value in fields.items():
            sets.append(f"{key} = ?")
            if key in ("languages", "manifest", "stats"):
                value = None if value is None else self._json(sorted(value) if key == "languages" else value)
            elif key == "private":
                value = bool(value)
            params.append(value)
        with self.transaction():
            self._execute(f"UPDATE corpora SET {', '.join(sets)} WHERE name = ?", (*params, name))

    def delete_corpus(self, name: str) -> bool:
        """Remove a corpus with its records, sides, index entries and reports; False if there was none."""
        with self.transaction():
            row = self._fetchone("SELECT id FROM corpora WHERE name = ?", (name,))
            if row is None:
                return False
            self._execute("DELETE FROM corpora WHERE id = ?", (row[0],))
        return True

    # ------------------------------------------------------------------ records
    def add_records(self, corpus: Corpus, items: Sequence[tuple[int, dict[str, Any]]]) -> None:
        """Store records ``(position, record)`` of ``corpus`` with their sides and index terms in one
        transaction, and advance the corpus's committed count past the last position (the point an
        interrupted index run resumes from). An id already stored in the corpus is a :class:`DuplicateRecord`."""
        if not items:
            return
        with self.transaction():
            rids = [rec["id"] for _, rec in items]
            marks = ", ".join("?" for _ in rids)
            dup = self._fetchone(f"SELECT rid FROM records WHERE corpus = ? AND rid IN ({marks}) LIMIT 1",
                                 (corpus.id, *rids))
            if dup is not None:
                raise DuplicateRecord(corpus.name, dup[0])
            langs = set(corpus.languages)
            ids = self._insert_many("records", ("corpus", "rid", "position", "data"),
                                    [(corpus.id, rec["id"], pos, self._json(rec)) for pos, rec in items])
            sides = []
            for rid, (_, rec) in zip(ids, items):
                for lang, side in rec["sides"].items():
                    sides.append((rid, corpus.id, lang, side.get("text") or "", *side_terms(lang, side)))
                    langs.add(lang)
            self._insert_sides(sides)
            self._execute("UPDATE corpora SET records = ?, languages = ? WHERE id = ?",
                          (items[-1][0] + 1, self._json(sorted(langs)), corpus.id))
            corpus.records, corpus.languages = items[-1][0] + 1, sorted(langs)

    def record_id_at(self, corpus: Corpus, position: int) -> str | None:
        row = self._fetchone("SELECT rid FROM records WHERE corpus = ? AND position = ?", (corpus.id, position))
        return row[0] if row else None

    def record(self, corpus: Corpus, rid: str) -> dict[str, Any] | None:
        row = self._fetchone("SELECT data FROM records WHERE corpus = ? AND rid = ?", (corpus.id, rid))
        return self._from_json(row[0]) if row else None

    def records(self, corpus: Corpus, batch: int = 500) -> Iterator[dict[str, Any]]:
        """A corpus's records in their original order, fetched ``batch`` at a time (no long-held cursor)."""
        last = -1
        while True:
            rows = self._fetchall("SELECT position, data FROM records WHERE corpus = ? AND position > ? "
                                  "ORDER BY position LIMIT ?", (corpus.id, last, batch))
            if not rows:
                return
            for _, data in rows:
                yield self._from_json(data)
            last = rows[-1][0]

    # ------------------------------------------------------------------ reports
    def add_report(self, corpus: Corpus | None, kind: str, data: dict[str, Any]) -> int:
        """Keep a report (a checker's JSON report, a metrics document...) for ``corpus``; returns its id."""
        with self.transaction():
            return self._insert("INSERT INTO reports (corpus, kind, created, data) VALUES (?, ?, ?, ?)",
                                (corpus.id if corpus else None, kind, now_iso(), self._json(data)))

    def reports(self, corpus: Corpus) -> list[dict[str, Any]]:
        """The reports kept for a corpus, newest first: id, kind, created."""
        rows = self._fetchall("SELECT id, kind, created FROM reports WHERE corpus = ? ORDER BY id DESC", (corpus.id,))
        return [{"id": int(i), "kind": k, "created": c} for i, k, c in rows]

    def report(self, report_id: int) -> dict[str, Any] | None:
        row = self._fetchone("SELECT id, corpus, kind, created, data FROM reports WHERE id = ?", (report_id,))
        if row is None:
            return None
        return {"id": int(row[0]), "corpus": row[1], "kind": row[2], "created": row[3],
                "data": self._from_json(row[4])}

    # ------------------------------------------------------------------ jobs
    def _job(self, row: tuple[Any, ...] | None) -> Job | None:
        if row is None:
            return None
        jid, kind, corpus, state, params, result, error, attempts, created, updated = row
        return Job(int(jid), kind, corpus, state, self._from_json(params) or {}, self._from_json(result), error,
                   int(attempts), created, updated)

    def submit_job(self, kind: str, params: dict[str, Any] | None = None, corpus: Corpus | None = None) -> Job:
        """A new job in state ``queued``."""
        now = now_iso()
        with self.transaction():
            jid = self._insert("INSERT INTO jobs (kind, corpus, state, params, created, updated) "
                               "VALUES (?, ?, 'queued', ?, ?, ?)",
                               (kind, corpus.id if corpus else None, self._json(params or {}), now, now))
        job = self.job(jid)
        assert job is not None
        return job

    def job(self, job_id: int) -> Job | None:
        return self._job(self._fetchone(f"SELECT {_JOB_COLS} FROM jobs WHERE id = ?", (job_id,)))

    def jobs(self, *, state: str | None = None, corpus: Corpus | None = None) -> list[Job]:
        where, params = [], []
        if state is not None:
            where.append("state = ?")
            params.append(state)
        if corpus is not None:
            where.append("corpus = ?")
            params.append(corpus.id)
        cond = f" WHERE {' AND '.join(where)}" if where else ""
        return [j for r in self._fetchall(f"SELECT {_JOB_COLS} FROM jobs{cond} ORDER BY id", params)
                if (j := self._job(r)) is not None]

    def _move(self, job_id: int, old: str, new: str, **fields: Any) -> bool:
        if (old, new) not in JOB_MOVES:
            raise UsageError(f"job {job_id}: no move from {old} to {new}")
        sets, params = ["state = ?", "updated = ?"], [new, now_iso()]
        for key, value in fields.items():
            sets.append(f"{key} = ?")
            params.append(self._json(value) if key == "result" else value)
        with self.transaction():
            cur = self._execute(f"UPDATE jobs SET {', '.join(sets)} WHERE id = ? AND state = ?",
                                (*params, job_id, old))
            return bool(cur.rowcount)

    def claim_job(self, kinds: Sequence[str] | None = None) -> Job | None:
        """Take the oldest queued job (of ``kinds``) for this worker: queued -> running, attempts + 1.
        Two workers never get the same job (the move is conditional on the state)."""
        while True:
            cond, params = "", []
            if kinds:
                cond = f" AND kind IN ({', '.join('?' for _ in kinds)})"
                params = list(kinds)
            row = self._fetchone(f"SELECT id, attempts FROM jobs WHERE state = 'queued'{cond} ORDER BY id LIMIT 1",
                                 params)
            if row is None:
                return None
            if self._move(int(row[0]), "queued", "running", attempts=int(row[1]) + 1):
                return self.job(int(row[0]))

    def finish_job(self, job_id: int, result: Any = None) -> None:
        """running -> done with its result; a job not running is a UsageError."""
        if not self._move(job_id, "running", "done", result=result):
            raise UsageError(f"job {job_id} is not running")

    def fail_job(self, job_id: int, error: str) -> None:
        """running (or queued) -> failed with the error's one line."""
        job = self.job(job_id)
        if job is None or not self._move(job_id, job.state, "failed", error=error):
            raise UsageError(f"job {job_id} is not running or queued")

    def recover_jobs(self, max_attempts: int = 3) -> tuple[list[int], list[int]]:
        """After a restart: every job left ``running`` goes back to ``queued``, or to ``failed`` once it has
        been tried ``max_attempts`` times (no job is lost silently). Returns (requeued ids, failed ids)."""
        requeued, failed = [], []
        for job in self.jobs(state="running"):
            if job.attempts >= max_attempts:
                if self._move(job.id, "running", "failed",
                              error=f"interrupted {job.attempts} times (the server stopped while it ran)"):
                    failed.append(job.id)
            elif self._move(job.id, "running", "queued"):
                requeued.append(job.id)
        return requeued, failed

    # ------------------------------------------------------------------ API tokens
    def add_token(self, name: str, role: str, digest: str) -> int:
        """Keep an API token of user ``name`` with ``role`` (read, submit, admin) by its hash ``digest``;
        returns its id."""
        if not name or not name.strip():
            raise UsageError("a token needs a user name")
        with self.transaction():
            return self._insert("INSERT INTO tokens (name, role, hash, created) VALUES (?, ?, ?, ?)",
                                (name, role, digest, now_iso()))

    def token(self, digest: str | None = None, *, token_id: int | None = None) -> dict[str, Any] | None:
        """The live (not revoked) token with hash ``digest`` (or id ``token_id``): id, name, role, created;
        or None."""
        key, value = ("hash", digest) if token_id is None else ("id", token_id)
        row = self._fetchone(f"SELECT id, name, role, created FROM tokens WHERE {key} = ? AND revoked = ?",
                             (value, False))
        return None if row is None else {"id": int(row[0]), "name": row[1], "role": row[2], "created": row[3]}

    def tokens(self) -> list[dict[str, Any]]:
        """Every token by id: id, name, role, created, revoked (never the hash)."""
        return [{"id": int(i), "name": n, "role": r, "created": c, "revoked": bool(v)}
                for i, n, r, c, v in self._fetchall("SELECT id, name, role, created, revoked FROM tokens ORDER BY id")]

    def revoke_token(self, token_id: int) -> bool:
        """Revoke a token; False if there is no live token with that id."""
        with self.transaction():
            cur = self._execute("UPDATE tokens SET revoked = ? WHERE id = ? AND revoked = ?", (True, token_id, False))
            return bool(cur.rowcount)

    # ------------------------------------------------------------------ search
    def _candidates(self, kind: str, terms: list[str] | None, langs: Sequence[str], names: dict[int, str],
                    batch: int = 500) -> Iterator[Candidate]:
        """Sides of ``kind`` in ``langs`` and the corpora ``names`` (id -> name) that hold every term (all of
        them when ``terms`` is None), by side id, fetched ``batch`` at a time."""
        if not langs or not names:
            return
        corpus_ids = list(names)
        source, cond, mparams, key = ("sides s", "", [], "s.id") if terms is None else self._match_sql(terms)
        lmarks = ", ".join("?" for _ in langs)
        cmarks = ", ".join("?" for _ in corpus_ids)
        # the sides are chosen (and limited) on their own table; they are ordered and resumed by ``key``, so
        # an index that yields its rows in that order (FTS5's rowid) is read from the last candidate on, a
        # batch at a time, never in full and sorted. Records are joined only where the matcher needs them
        # (tokens sides: the tokens layer); elsewhere they are read for the hits alone (Candidate.record)
        windowed = self._windows and terms is not None
        inner = (f"SELECT s.id, s.record, s.corpus, s.lang, s.text, s.kind FROM {source} "
                 f"WHERE s.kind = ? AND s.lang IN ({lmarks}) AND s.corpus IN ({cmarks}) "
                 f"{('AND ' + cond) if cond else ''} AND {key} > ? {f'AND {key} <= ? ' if windowed else ''}"
                 f"ORDER BY {key} LIMIT ?")
        if kind == "tokens":
            sql = (f"SELECT s.id, s.lang, s.text, s.kind, s.corpus, s.record, r.rid, r.position, r.data "
                   f"FROM ({inner}) s JOIN records r ON r.id = s.record ORDER BY s.id")
        else:
            sql = f"SELECT id, lang, text, kind, corpus, record, NULL, NULL, NULL FROM ({inner}) s ORDER BY id"
        # batches grow to ``batch``: a first page needs few candidates; in windows every statement reads the
        # terms' whole posting lists again (GIN has no range scan), so a window is read in one statement
        last, size = 0, batch if windowed else 32
        top, window = 0, self._first_window
        if windowed:
            row = self._fetchone("SELECT MAX(id) FROM sides")
            top = int(row[0]) if row and row[0] is not None else 0
        while True:
            bound = (last + window,) if windowed else ()
            rows = self._fetchall(sql, (kind, *langs, *corpus_ids, *mparams, last, *bound, size))
            for sid, lang, text, knd, cid, rec, rid, pos, data in rows:
                yield Candidate(int(sid), lang, text, knd, names[int(cid)], rid, None if pos is None else int(pos),
                                None if data is None else self._from_json(data), self._record_loader(int(rec)))
            if len(rows) == size:
                last, size = rows[-1][0], min(batch, size * 4)
            elif windowed and last + window < top:  # this window is read: the next, larger one
                last, window = last + window, window * 4
            else:
                return

    def _record_loader(self, rec: int) -> Callable[[], tuple[str, int, dict[str, Any]]]:
        def load() -> tuple[str, int, dict[str, Any]]:
            row = self._fetchone("SELECT rid, position, data FROM records WHERE id = ?", (rec,))
            assert row is not None, f"record {rec} of a candidate is gone"
            return row[0], int(row[1]), self._from_json(row[2])

        return load

    def _kinds_present(self, kinds: Sequence[str], langs: Sequence[str], corpus_ids: Sequence[int]) -> set[str]:
        """Which of ``kinds`` some side in ``langs`` of ``corpus_ids`` is indexed as: one statement of index
        probes, one per kind and corpus, each ``min(lang)`` so that PostgreSQL reads the (corpus, kind, lang)
        index (with ``LIMIT 1`` it expected an early row and scanned the table, to its end when there is
        none); one round trip, however many corpora the library holds."""
        lmarks = ", ".join("?" for _ in langs)
        probe = (f"SELECT CAST(? AS TEXT) AS kind, (SELECT MIN(lang) FROM sides WHERE corpus = ? AND kind = ? "
                 f"AND lang IN ({lmarks})) AS found")
        pairs = [(k, cid) for k in kinds for cid in corpus_ids]
        out: set[str] = set()
        for at in range(0, len(pairs), 200):
            chunk = pairs[at:at + 200]
            rows = self._fetchall(" UNION ALL ".join(probe for _ in chunk),
                                  [v for k, cid in chunk for v in (k, cid, k, *langs)])
            out.update(k for k, found in rows if found is not None)
        return out

    def candidates(self, plan: dict[str, list[str] | None], langs: Sequence[str],
                   corpus_ids: Sequence[int]) -> Iterator[Candidate]:
        """The candidates of every kind in ``plan`` (kind -> terms, None = no narrowing), merged by side id.
        A kind no side of these languages and corpora has is not asked for: its terms can be frequent
        under another kind (a zh word is a character bigram of every zh side indexed by characters), and
        the index would be read to its end for no candidate."""
        if not langs or not corpus_ids:
            return iter(())
        present = self._kinds_present(list(plan), langs, corpus_ids)
        marks = ", ".join("?" for _ in corpus_ids)
        names = {int(i): n for i, n in self._fetchall(f"SELECT id, name FROM corpora WHERE id IN ({marks})",
                                                      list(corpus_ids))}
        streams = [self._candidates(kind, terms, langs, names) for kind, terms in plan.items() if kind in present]
        return heapq.merge(*streams, key=lambda c: c.side_id)

    def search(self, query: Any) -> Any:
        """A page of concordance hits for a :class:`lancang.store.search.Query`."""
        from .search import run_search

        return run_search(self, query)


__all__ = ["JOB_MOVES", "JOB_STATES", "Candidate", "Corpus", "DuplicateRecord", "Job", "Store"]
