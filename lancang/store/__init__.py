"""The corpus library: corpora, their manifests, stats, reports and jobs, and a bilingual concordance
search, behind one interface with two backends.

>>> with open_store(":memory:") as store:
...     c = store.create_corpus("demo", licence="CC-BY-4.0")
...     store.add_records(c, [(0, {"id": "r1", "sides": {"zh-Hans": {"text": "我爱北京。"},
...                                                      "th": {"text": "ฉันรักปักกิ่ง"}}})])
...     page = store.search(Query("北京", side="zh", tgt="th"))
...     [(h.record, h.left, h.match, h.right, h.aligned[0].text) for h in page.hits]
[('r1', '我爱', '北京', '。', 'ฉันรักปักกิ่ง')]

* :func:`open_store` -- ``sqlite:///path`` or a plain path (SQLite, created on first use), ``:memory:``,
  or ``postgresql://user@host/db`` (PostgreSQL through psycopg 3: ``pip install "lancang[store]"``). The
  schema is brought to the latest version on open (:mod:`lancang.store.migrations`).
* :class:`Store` -- corpora (:meth:`~Store.create_corpus`, :meth:`~Store.corpus`, :meth:`~Store.corpora`
  with private corpora visible to their owner only, :meth:`~Store.update_corpus`,
  :meth:`~Store.delete_corpus`), records (:meth:`~Store.add_records`, :meth:`~Store.records` in order,
  :meth:`~Store.record`), reports (:meth:`~Store.add_report`, :meth:`~Store.reports`,
  :meth:`~Store.report`), jobs (:meth:`~Store.submit_job`, :meth:`~Store.claim_job`,
  :meth:`~Store.finish_job`, :meth:`~Store.fail_job`, :meth:`~Store.recover_jobs` after a restart), and
  :meth:`~Store.search` with a :class:`Query` (:mod:`lancang.store.search`).
* :func:`index_corpus` -- stream a corpus in any readable format into a store, resumably.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from .base import JOB_STATES, Corpus, DuplicateRecord, Job, Store
from .ingest import IndexResult, corpus_name, index_corpus
from .migrations import LATEST, migrate
from .search import Hit, Query, SearchPage


def open_store(url: str | Path, *, create: bool = True, upgrade: bool = True) -> Store:
    """The store at ``url`` (see the module's text). ``create=False``: a SQLite file that does not exist
    is an InputError (for readers such as ``lancang search``). ``upgrade=False`` leaves the schema as
    it is (tests of the migrations)."""
    text = str(url)
    scheme, sep, rest = text.partition("://")
    store: Store
    if sep and scheme.lower() in ("postgresql", "postgres"):
        from .postgres import PostgresStore

        store = PostgresStore(text)
    elif sep and scheme.lower() == "sqlite":
        from .sqlite import SQLiteStore

        if not rest.startswith("/"):
            raise UsageError(f"{text}: a SQLite URL is sqlite:///relative/path or sqlite:////absolute/path")
        store = SQLiteStore(rest[1:] or ":memory:", create=create)
    elif sep and len(scheme) > 1:
        raise UsageError(f"{text}: unknown store; give a file path, sqlite:///PATH or postgresql://...")
    else:
        from .sqlite import SQLiteStore

        store = SQLiteStore(text, create=create)
    if upgrade:
        try:
            migrate(store)
        except BaseException:
            store.close()
            raise
    return store


__all__ = ["JOB_STATES", "LATEST", "Corpus", "DuplicateRecord", "Hit", "IndexResult", "Job", "Query", "SearchPage",
           "Store", "corpus_name", "index_corpus", "migrate", "open_store"]
