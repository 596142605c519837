"""``lancang index``: stream a corpus in any readable format into the store, resumably.

Records are read through the format hub (:func:`lancang.corpora.formats.read_located`) and stored
``batch`` at a time, each batch in one transaction that also moves the corpus's committed count. A
run that stops (a crash, a kill, a bad line) leaves whole batches; the next run with the same corpus
name reads the input again, checks that the record at the last committed position has the id the
store holds (else the input changed: ``replace=True`` starts over), skips what is stored and goes on.
The corpus's stats (:class:`lancang.corpora.stats.CorpusStats`, over every record read) and languages
are written when the input has been read to its end, and its state becomes ``ready``.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..corpora.formats import read_located
from ..corpora.jsonl import json_type
from ..corpora.manifest import load_manifest
from ..corpora.stats import CorpusStats
from ..errors import InputError, UsageError
from .base import DuplicateRecord, Store


@dataclass
class IndexResult:
    corpus: str
    records: int
    added: int
    already: int
    seconds: float
    cpu_seconds: float

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def corpus_name(path: str | Path) -> str:
    """The default corpus name: the file name without its extensions (``talpco.zh-th.jsonl.gz`` ->
    ``talpco.zh-th``)."""
    name = Path(str(path)).name
    for _ in range(2):
        stem, dot, ext = name.rpartition(".")
        if dot and stem and ext.lower() in {"gz", "jsonl", "json", "tmx", "xlf", "xliff", "conllu", "conll", "tsv",
                                             "txt", "parquet", "sdlxliff", "spacy", "ann"}:
            name = stem
    return name


def _check(rec: dict[str, Any], where: str) -> None:
    rid = rec.get("id")
    if not isinstance(rid, str) or not rid:
        raise InputError(f"{where}: /id: a record needs a non-empty string id")
    sides = rec.get("sides")
    if not isinstance(sides, dict):
        raise InputError(f"{where}: record {rid!r}: /sides is {json_type(sides)}, not an object")
    for lang, side in sides.items():
        if not isinstance(side, dict) or not isinstance(side.get("text", ""), str):
            raise InputError(f"{where}: record {rid!r}: /sides/{lang}/text is not a string")


def index_corpus(store: Store, path: str | Path, *, name: str | None = None, manifest: str | Path | None = None,
                 fmt: str | None = None, langs: Any = None, options: dict[str, Any] | None = None,
                 owner: str | None = None, private: bool = False, replace: bool = False, batch: int = 500,
                 progress: Callable[[int], None] | None = None) -> IndexResult:
    """Index the corpus at ``path`` into ``store`` as ``name`` (default :func:`corpus_name`), resuming an
    interrupted run of the same name (see the module's text)."""
    if batch < 1:
        raise UsageError("the batch size is at least 1")
    t0, c0 = time.perf_counter(), time.process_time()
    if not name and str(path) == "-":
        raise UsageError("a corpus read from standard input needs a name: give --name")
    name = name or corpus_name(path)
    doc = load_manifest(manifest) if manifest else None
    records = read_located(path, fmt, langs, **(options or {}))
    first = next(records, None)  # the format, languages and options are checked before the store changes
    corpus = store.corpus(name)
    if corpus is not None and replace:
        store.delete_corpus(name)
        corpus = None
    if corpus is None:
        corpus = store.create_corpus(name, owner=owner, private=private, manifest=doc,
                                     licence=(doc or {}).get("license"))
    elif doc is not None:
        store.update_corpus(name, manifest=doc, licence=doc.get("license"))
    done = corpus.records
    last_rid = store.record_id_at(corpus, done - 1) if done else None
    stats = CorpusStats()
    pending: list[tuple[int, dict[str, Any]]] = []
    ids: dict[str, str] = {}
    pos = already = 0
    for line, rec in itertools.chain([first] if first is not None else [], records):
        where = f"{path}:{line}" if line is not None else f"{path}: record {pos + 1}"
        _check(rec, where)
        stats.add(rec)
        if pos < done:
            if pos == done - 1 and rec["id"] != last_rid:
                raise UsageError(f"{where}: record {rec['id']!r} is where the store has {last_rid!r}: the input "
                                 f"is not the one corpus {name!r} was indexed from; use --replace to start over")
            already += 1
            pos += 1
            continue
        if rec["id"] in ids:
            raise InputError(f"{where}: record id {rec['id']!r} repeats an earlier record of this batch")
        ids[rec["id"]] = where
        pending.append((pos, rec))
        pos += 1
        if len(pending) >= batch:
            _flush(store, corpus, pending, ids)
            pending, ids = [], {}
            if progress:
                progress(pos)
    if pos < done:
        raise UsageError(f"{path}: has {pos:,} records, fewer than the {done:,} corpus {name!r} holds: the input "
                         f"changed; use --replace to start over")
    _flush(store, corpus, pending, ids)
    if progress:
        progress(pos)
    st = stats.to_dict()
    store.update_corpus(name, stats=st, languages=list(st["languages"]), state="ready")
    if pos > already:
        store.analyze()
    return IndexResult(name, pos, pos - already, already, time.perf_counter() - t0, time.process_time() - c0)


def _flush(store: Store, corpus: Any, pending: list[tuple[int, dict[str, Any]]], where: dict[str, str]) -> None:
    try:
        store.add_records(corpus, pending)
    except DuplicateRecord as exc:  # an id stored by an earlier batch
        raise InputError(f"{where[exc.rid]}: record id {exc.rid!r} repeats an earlier record") from None


__all__ = ["IndexResult", "corpus_name", "index_corpus"]
