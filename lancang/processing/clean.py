"""``lancang clean``: repair, score and keep or reject every record of a corpus; nothing is lost.

The runner streams any readable corpus (:mod:`lancang.corpora.formats`) through the filters of the
registry (:mod:`lancang.processing.filters`), in their order:

1. **repairs**: filters with ``repairs=True`` change what can be changed without changing meaning;
2. **fit**: ``corpus`` filters learn from the repaired corpus, all in one streamed pass (batch-wise);
   the pass's items are kept (:class:`_Spill`: in memory, then a temporary file) so the next pass
   neither reads, checks nor repairs a record again;
3. **scores**: every filter scores every record (batches, so a filter can vectorise);
4. **decisions**: each filter turns its scores into reasons, from the scores and its parameters only.

A record with no reason goes to OUT (with ``meta.clean.repairs`` when it was repaired); a record with
reasons goes to REJECTS as it was read, with ``meta.clean.reasons`` (filter, score, value, threshold).
A record that breaks the model's invariants, or repeats an earlier record's id, is rejected by the
pseudo-filter ``record`` rather than stopping the run. Every record read is in exactly one of the two.
The ids are tracked once, here (:class:`~lancang.corpora.dupes.FirstSeen`, bounded memory): the
writer's guard still checks each kept record's invariants but not its id again.

Scores are kept apart from decisions (OpusFilter's design): :func:`score_file` writes every filter's
scores per record with what the corpus filters learnt and the input's hash; :func:`clean_file` with
``from_scores=`` re-decides from them with new parameters and does not score again (a scores file of
another corpus is refused).
"""

from __future__ import annotations

import functools
import gc
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import orjson

from ..corpora.dupes import FirstSeen
from ..corpora.formats import file_sha256, format_for_path, read_located, write_corpus
from ..corpora.invariants import check_record
from ..corpora.io import atomic_output
from ..corpora.jsonl import Parsed, iter_lines
from ..corpora.manifest import ProcessingLog
from ..errors import InputError, UsageError
from ..registry import missing_modules, require_modules
from .filters import FILTERS, Filter, Reason, Repair, filter_order

PathLike = str | os.PathLike
SCORES_ID = "lancang/scores/1"
BATCH = 1000
#: filters whose rejections are logged as the de-duplication step, not cleaning
DEDUP_FILTERS = ("duplicates",)


#: the cyclic collector's first threshold while cleaning (Python's default: 700 allocations)
GC_THRESHOLD = 10_000


def _fewer_collections(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``fn`` with the cyclic garbage collector's first threshold raised to :data:`GC_THRESHOLD`
    (restored after). Cleaning allocates a stream of small, acyclic objects (records, scores, reasons),
    and at Python's default every 700 of them start a collection that, every tenth and hundredth time,
    walks every object alive (lingua's detector, the caches, the duplicate indexes): on 22,318 real
    pairs 1,700 collections took about 10 % of ``clean``'s CPU time, 0.14 s at 10,000. Reference
    counting frees the records as before; only cycles wait a little longer."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        old = gc.get_threshold()
        gc.set_threshold(max(old[0], GC_THRESHOLD), *old[1:])
        try:
            return fn(*args, **kwargs)
        finally:
            gc.set_threshold(*old)

    return run


# ------------------------------------------------------------------------------------ building

def build_filters(config: Mapping[str, Any] | None = None) -> list[Filter]:
    """The filters to run, in registry order: the default ones, plus those configured; a filter
    configured ``false`` is off. ``config`` maps a filter name to its parameters (or ``true``/``false``)."""
    config = dict(config or {})
    names = filter_order()
    unknown = sorted(set(config) - set(names))
    if unknown:
        raise UsageError(f"unknown filter {unknown[0]!r}; known: {', '.join(names)}")
    out: list[Filter] = []
    for name in names:
        setting = config.get(name)
        if setting is False:
            continue
        cls = FILTERS.get(name)
        if setting is None and not cls.default:
            continue
        if setting is not None and setting is not True and not isinstance(setting, Mapping):
            raise UsageError(f"filter {name!r}: expected an object of parameters, true or false, got {setting!r}")
        require_modules("filter", name, cls.modules, cls.extra, f"or switch it off: --set {name}=false")
        out.append(cls(**(dict(setting) if isinstance(setting, Mapping) else {})))
    if not out:
        raise UsageError("no filter is on")
    return out


def describe_filters() -> list[dict[str, Any]]:
    rows = []
    for name in filter_order():
        cls = FILTERS.get(name)
        row = cls.describe()
        row["installed"] = not missing_modules(cls.modules)
        rows.append(row)
    return rows


# ------------------------------------------------------------------------------------- results

@dataclass
class CleanStats:
    records: int = 0
    kept: int = 0
    rejected: int = 0
    #: records each filter gave a reason to reject (a record may have several)
    rejected_by: dict[str, int] = field(default_factory=dict)
    #: records rejected by that filter alone
    only_by: dict[str, int] = field(default_factory=dict)
    #: repairs per filter and kind: places changed
    repairs: dict[str, dict[str, int]] = field(default_factory=dict)
    repaired_records: int = 0
    filters: list[str] = field(default_factory=list)
    #: what the corpus filters learnt
    learnt: dict[str, Any] = field(default_factory=dict)

    def add(self, reasons: Sequence[Reason], repairs: Sequence[Repair]) -> None:
        self.records += 1
        if repairs:
            self.repaired_records += 1
            for r in repairs:
                kinds = self.repairs.setdefault(r.filter, {})
                kinds[r.kind] = kinds.get(r.kind, 0) + r.count
        if not reasons:
            self.kept += 1
            return
        self.rejected += 1
        # in the reasons' order (filter order), not a set's: the counts' key order is in the processing
        # log, and a set of strings iterates in an order that follows PYTHONHASHSEED
        by = dict.fromkeys(r.filter for r in reasons)
        for f in by:
            self.rejected_by[f] = self.rejected_by.get(f, 0) + 1
        if len(by) == 1:
            (f,) = by
            self.only_by[f] = self.only_by.get(f, 0) + 1

    def to_dict(self) -> dict[str, Any]:
        return {"records": self.records, "kept": self.kept, "rejected": self.rejected,
                "repaired_records": self.repaired_records,
                "filters": [{"filter": f, "rejected": self.rejected_by.get(f, 0), "only": self.only_by.get(f, 0),
                             "repairs": self.repairs.get(f, {})} for f in ["record", *self.filters]
                            if f != "record" or self.rejected_by.get(f)],
                "learnt": self.learnt}


# ------------------------------------------------------------------------------------- reading

def _invalid(rec: dict[str, Any]) -> Reason | None:
    issues = check_record(rec)
    errors = [i for i in issues if i[1] == "error"]
    if not errors:
        return None
    code, _, ptr, msg = errors[0]
    return Reason("record", code, ptr or "/", message=msg)


def _repaired(rec: dict[str, Any], filters: Sequence[Filter]) -> tuple[dict[str, Any], list[Repair]]:
    done: list[Repair] = []
    for f in filters:
        if f.repairs:
            rec, rs = f.repair(rec)
            done.extend(rs)
    return rec, done


def _batches(items: Iterable[Any], n: int) -> Iterator[list[Any]]:
    it = iter(items)
    while batch := list(islice(it, n)):
        yield batch


@dataclass
class _Item:
    line: int | None
    original: dict[str, Any]
    record: dict[str, Any]
    repairs: list[Repair]
    invalid: Reason | None


def _id_key(rid: Any) -> int:
    import hashlib

    return int.from_bytes(hashlib.blake2b(str(rid).encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def _repeated_ids(batch: Sequence[tuple[int | None, dict[str, Any]]], bad: list[Reason | None], ids: Any) -> None:
    """Mark in ``bad`` the records of ``batch`` that repeat an earlier record's id (one look-up of the
    index per batch; ``ids`` maps an id's key to its first (id, line))."""
    keys = [None if b is not None else _id_key(rec.get("id")) for (_, rec), b in zip(batch, bad)]
    known = ids.get_many(k for k in keys if k is not None)
    new: dict[int, tuple[str, int | None]] = {}
    for i, ((line, rec), key) in enumerate(zip(batch, keys)):
        if key is None:
            continue
        rid = str(rec.get("id"))
        first = known[key] if key in known else new.get(key)
        if first is None:
            new[key] = (rid, line)
        elif first[0] == rid:  # (another id under the same key is a hash collision: not a repeat)
            where = f"line {first[1]}" if first[1] is not None else "an earlier record"
            bad[i] = Reason("record", "duplicate-id", rec.get("id"),
                            message=f"the id of the record on {where} (ids are unique in a corpus)")
    ids.put_many(new.items())


def item_batches(source: PathLike, filters: Sequence[Filter], fmt: str | None, langs: Any,
                 options: Mapping[str, Any] | None, size: int, ids: Any = None) -> Iterator[list[_Item]]:
    """Records as read, in batches, each with its repaired form; a record that breaks the model's
    invariants, or (with ``ids``, a :class:`~lancang.corpora.dupes.FirstSeen` of width 2: bounded memory)
    repeats an earlier record's id, carries the reason instead."""
    for batch in _batches(read_located(source, fmt, langs, **dict(options or {})), size):
        bad = [_invalid(rec) for _, rec in batch]
        if ids is not None:
            _repeated_ids(batch, bad, ids)
        items = []
        for (line, rec), reason in zip(batch, bad):
            if reason is not None:
                items.append(_Item(line, rec, rec, [], reason))
            else:
                fixed, repairs = _repaired(rec, filters)
                items.append(_Item(line, rec, fixed, repairs, None))
        yield items


#: the learning pass's first batches are kept as they are up to this many bytes (their pickled size)
SPILL_MEMORY = 8 << 20


class _Spill:
    """The learning pass's items (line, record as read, repaired record, repairs, invalid reason), kept
    once so the scoring pass reads them back instead of reading, checking and repairing every record
    again. The first batches stay in memory as they are while their pickled size is under ``memory``
    (a small corpus is never written out, and never unpickled); the rest go as one pickle per batch
    to an unnamed temporary file, read back one batch at a time: bounded memory."""

    def __init__(self, memory: int | None = None) -> None:
        self.memory = SPILL_MEMORY if memory is None else memory
        self.held: list[list[_Item]] = []  # the first batches, in order
        self.held_bytes = 0
        self.file: Any = None
        self.count = 0  # batches in the file

    def write(self, items: Sequence[_Item]) -> None:
        # a record that no repair changed is stored once; pickling the batch at once keeps every
        # object shared between a record as read and its repaired form shared
        data = pickle.dumps([(it.line, it.original, None if it.record is it.original else it.record,
                              [(r.filter, r.kind, r.side, r.count) for r in it.repairs],
                              None if it.invalid is None else _reason_fields(it.invalid)) for it in items],
                            protocol=pickle.HIGHEST_PROTOCOL)
        if self.file is None and self.held_bytes + len(data) <= self.memory:
            self.held.append(list(items))
            self.held_bytes += len(data)
            return
        if self.file is None:
            self.file = tempfile.TemporaryFile(prefix="lancang-clean-")  # noqa: SIM115 (closed by close())
        self.file.write(data)
        self.count += 1

    def _stored(self) -> Iterator[list[_Item]]:
        while self.held:  # released as they are read
            yield self.held.pop(0)
        if self.file is None:
            return
        self.file.seek(0)
        for _ in range(self.count):
            yield [_Item(line, orig, orig if rec is None else rec, [Repair(*r) for r in reps],
                         None if bad is None else Reason(*bad))
                   for line, orig, rec, reps, bad in pickle.load(self.file)]

    def batches(self, ids: Any = None) -> Iterator[list[_Item]]:
        """The items again, batch by batch; with ``ids`` (as :func:`item_batches` has it) a record that
        repeats an earlier record's id carries that reason instead of its repairs."""
        for items in self._stored():
            if ids is not None:
                bad_ = [it.invalid for it in items]
                _repeated_ids([(it.line, it.original) for it in items], bad_, ids)
                items = [it if b is it.invalid else _Item(it.line, it.original, it.original, [], b)
                         for it, b in zip(items, bad_)]
            yield items

    def close(self) -> None:
        self.held = []
        if self.file is not None:
            self.file.close()


def _reason_fields(r: Reason) -> tuple[Any, ...]:
    return (r.filter, r.score, r.value, r.threshold, r.message, r.side)


def _fit(source: PathLike | Sequence[PathLike], filters: Sequence[Filter], fmt: str | None, langs: Any,
         options: Mapping[str, Any] | None, batch_size: int = BATCH, spill: _Spill | None = None) -> bool:
    """The ``corpus`` filters learn from the valid, repaired records of ``source`` (one path or several
    read one after another) in ONE streamed pass, batch by batch (:meth:`Filter.fit_batch`). Repeated
    ids are not looked for here: a record whose id repeats is learnt from like any other (the scoring
    pass rejects it). A third-party filter that overrides :meth:`Filter.fit` alone gets a pass of its own.
    With ``spill``, the pass's items are kept in it for the scoring pass (True when they were: there was
    a pass)."""
    sources = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    learners = [f for f in filters if f.kind == "corpus"]
    batched = [f for f in learners if type(f).fit is Filter.fit]
    if batched:
        for src in sources:
            for items in item_batches(src, filters, fmt, langs, options, batch_size):
                valid = [it.record for it in items if it.invalid is None]
                for f in batched:
                    f.fit_batch(valid)
                if spill is not None:
                    spill.write(items)
        for f in batched:
            f.fit_end()
    for f in learners:
        if f not in batched:
            f.fit(it.record for src in sources
                  for items in item_batches(src, filters, fmt, langs, options, batch_size)
                  for it in items if it.invalid is None)
    return bool(batched) and spill is not None


def _learn(source: PathLike, filters: Sequence[Filter], fmt: str | None, langs: Any,
           options: Mapping[str, Any] | None, batch_size: int) -> _Spill | None:
    """:func:`_fit` on one corpus about to be scored: the learning pass's items kept for the scoring
    pass (None when there was no learning pass: the scoring pass reads the corpus itself)."""
    if not any(f.kind == "corpus" for f in filters):
        return None
    spill = _Spill()
    try:
        if _fit(source, filters, fmt, langs, options, batch_size, spill):
            return spill
    except BaseException:
        spill.close()
        raise
    spill.close()
    return None


@_fewer_collections
def fit_states(sources: Sequence[PathLike], config: Mapping[str, Any] | None = None, *, fmt: str | None = None,
               langs: Any = None, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What the ``corpus`` filters learn from ``sources`` read one after another, as :func:`clean_file`
    learns it: the global phase of a cleaning that then runs in parts (``clean_file(states=)``)."""
    filters = build_filters(config)
    try:
        _fit(sources, filters, fmt, langs, options)
        return {f.name: f.state() for f in filters if f.kind == "corpus"}
    finally:
        for f in filters:
            f.close()


def _scores_of(batch: Sequence[_Item], filters: Sequence[Filter]) -> list[dict[str, Any]]:
    valid = [it.record for it in batch if it.invalid is None]
    names = [f.name for f in filters]
    rows = zip(*(f.score_batch(valid) for f in filters))  # one row of every filter's scores per valid record
    return [{} if it.invalid is not None else dict(zip(names, next(rows))) for it in batch]


def _decide(item: _Item, scores: Mapping[str, Any], filters: Sequence[Filter]) -> list[Reason]:
    if item.invalid is not None:
        return [item.invalid]
    reasons: list[Reason] = []
    for f in filters:
        if f.name in scores:
            reasons.extend(f.decide(scores[f.name]))
    return reasons


def _with_meta(rec: dict[str, Any], key: str, value: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(rec)
    meta = dict(out.get("meta") or {})
    clean = dict(meta.get("clean") or {})
    clean[key] = value
    meta["clean"] = clean
    out["meta"] = meta
    return out


# ------------------------------------------------------------------------------------- running

def _settings(filters: Sequence[Filter]) -> dict[str, Any]:
    return {f.name: f.params for f in filters}


def log_steps(log: ProcessingLog, stats: CleanStats, filters: Sequence[Filter], source: PathLike,
               outputs: Sequence[PathLike], extra: Mapping[str, Any]) -> None:
    if not log:
        return
    settings = {**_settings(filters), **extra}
    dedup = [f.name for f in filters if f.name in DEDUP_FILTERS]
    cleaning = {k: v for k, v in stats.rejected_by.items() if k not in dedup}
    steps: list[dict[str, Any]] = [{
        "step": "cleaning", "settings": {k: v for k, v in settings.items() if k not in dedup},
        "counts": {"records": stats.records, "kept": stats.kept, "rejected": stats.rejected,
                   "rejected_by": cleaning, "repaired_records": stats.repaired_records,
                   "repairs": stats.repairs},
        "inputs": [source], "outputs": list(outputs), "records_in": stats.records, "records_out": stats.kept}]
    if dedup:
        steps.append({"step": "deduplication", "settings": {k: settings[k] for k in dedup},
                      "counts": {"records": stats.records,
                                 "rejected": sum(stats.rejected_by.get(k, 0) for k in dedup)},
                      "inputs": [source], "outputs": list(outputs), "records_in": stats.records,
                      "records_out": stats.kept})
    log.extend(steps)


@_fewer_collections
def clean_file(source: PathLike, target: PathLike, *, rejects: PathLike, config: Mapping[str, Any] | None = None,
               from_scores: PathLike | None = None, scores: PathLike | None = None, fmt: str | None = None,
               langs: Any = None, options: Mapping[str, Any] | None = None, out_format: str | None = None,
               write_options: Mapping[str, Any] | None = None, manifest: PathLike | None = None,
               batch_size: int = BATCH, progress: Callable[[int], None] | None = None,
               states: Mapping[str, Any] | None = None) -> CleanStats:
    """Clean ``source`` into ``target`` (kept records) and ``rejects`` (lancang JSONL, each rejected
    record as read with its reasons). ``from_scores`` re-decides from a scores file of the same input;
    ``scores`` also writes the scores file while cleaning. ``manifest`` gets the cleaning (and
    de-duplication) steps appended. ``states`` (from :func:`fit_states` over a whole corpus of which
    ``source`` is a part) is loaded into the corpus filters instead of fitting them on ``source``."""
    log = ProcessingLog(manifest, "clean")
    filters = build_filters(config)
    stats = CleanStats(filters=[f.name for f in filters])
    rej_format = format_for_path(rejects)
    if rej_format is not None and rej_format.name != "jsonl":
        raise UsageError(f"{rejects}: the rejects file is lancang JSONL (it keeps each record's reasons)")
    if out_format is None and (str(target) == "-" or format_for_path(target) is None):
        out_format = "jsonl"
    stored = None
    spill = None
    if from_scores is not None:
        stored = _open_scores(from_scores, source, filters)
    elif states is not None:
        for f in filters:
            if f.kind == "corpus":
                f.load_state(states.get(f.name) or {})
    else:
        spill = _learn(source, filters, fmt, langs, options, batch_size)
    stats.learnt = {f.name: f.state() for f in filters if f.state()}

    def decided(rej: Any, sc: Any, ids: Any) -> Iterator[dict[str, Any]]:
        batches = (spill.batches(ids) if spill is not None
                   else item_batches(source, filters, fmt, langs, options, batch_size, ids))
        for batch in batches:
            if stored is not None:
                all_scores = [_stored_line(stored, it, from_scores) for it in batch]
            else:
                all_scores = _scores_of(batch, filters)
                if sc is not None:
                    for it, s in zip(batch, all_scores):
                        sc.write(_score_line(it, s))
            for it, s in zip(batch, all_scores):
                reasons = _decide(it, s, filters)
                stats.add(reasons, it.repairs)
                if reasons:
                    rej.write(orjson.dumps(_with_meta(it.original, "reasons", [r.to_dict() for r in reasons]),
                                           option=orjson.OPT_APPEND_NEWLINE))
                elif it.repairs:
                    yield _with_meta(it.record, "repairs", [r.to_dict() for r in it.repairs])
                else:
                    yield it.record
            if progress:
                progress(stats.records)
        if stored is not None:
            _end_of_scores(stored, from_scores)

    try:
        with atomic_output(rejects) as rej, FirstSeen(width=2) as ids:
            if scores is not None:
                with atomic_output(scores) as sc:
                    sc.write(orjson.dumps(_header(source, filters), option=orjson.OPT_APPEND_NEWLINE))
                    write_corpus(decided(rej, sc, ids), target, out_format, langs, unique_ids=True,
                                 **dict(write_options or {}))
            else:
                write_corpus(decided(rej, None, ids), target, out_format, langs, unique_ids=True,
                             **dict(write_options or {}))
    finally:
        for f in filters:
            f.close()
        if stored is not None:
            stored.close()
        if spill is not None:
            spill.close()
    outputs = [target, rejects] + ([scores] if scores is not None else [])
    log_steps(log, stats, filters, source, outputs,
               {"from_scores": True} if from_scores is not None else {})
    return stats


# --------------------------------------------------------------------------------- scores files

def _header(source: PathLike, filters: Sequence[Filter]) -> dict[str, Any]:
    from .. import __version__

    return {"scores": SCORES_ID, "lancang": __version__,
            "input": {"path": "-" if str(source) == "-" else os.path.basename(str(source)),
                      "sha256": file_sha256(source)},
            "filters": {f.name: {"params": f.params, "state": f.state()} for f in filters}}


def _score_line(item: _Item, scores: Mapping[str, Any]) -> bytes:
    row: dict[str, Any] = {"id": item.original.get("id"), "scores": scores}
    if item.line is not None:
        row["line"] = item.line
    if item.invalid is not None:
        row["invalid"] = item.invalid.to_dict()
    return orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE)


@_fewer_collections
def score_file(source: PathLike, target: PathLike, *, config: Mapping[str, Any] | None = None,
               fmt: str | None = None, langs: Any = None, options: Mapping[str, Any] | None = None,
               batch_size: int = BATCH, progress: Callable[[int], None] | None = None) -> CleanStats:
    """Write every filter's scores for every record of ``source`` to ``target`` (JSONL: a header with
    the input's hash and what the corpus filters learnt, then one line per record); decide nothing."""
    filters = build_filters(config)
    stats = CleanStats(filters=[f.name for f in filters])
    spill = None
    try:
        spill = _learn(source, filters, fmt, langs, options, batch_size)
        stats.learnt = {f.name: f.state() for f in filters if f.state()}
        with atomic_output(target) as out, FirstSeen(width=2) as ids:
            out.write(orjson.dumps(_header(source, filters), option=orjson.OPT_APPEND_NEWLINE))
            batches = (spill.batches(ids) if spill is not None
                       else item_batches(source, filters, fmt, langs, options, batch_size, ids))
            for batch in batches:
                for it, s in zip(batch, _scores_of(batch, filters)):
                    stats.records += 1
                    out.write(_score_line(it, s))
                if progress:
                    progress(stats.records)
    finally:
        for f in filters:
            f.close()
        if spill is not None:
            spill.close()
    return stats


class _Stored:
    def __init__(self, lines: Iterator[Any]):
        self.lines = lines

    def close(self) -> None:
        close = getattr(self.lines, "close", None)
        if close:
            close()


def _open_scores(path: PathLike, source: PathLike, filters: Sequence[Filter]) -> _Stored:
    lines = iter_lines(path)
    first = next(lines, None)
    if first is None or not isinstance(first, Parsed) or not isinstance(first.value, dict) \
            or first.value.get("scores") != SCORES_ID:
        raise InputError(f"{path}:1: not a lancang scores file (its first line names {SCORES_ID!r})")
    head = first.value
    want = (head.get("input") or {}).get("sha256")
    have = file_sha256(source)
    if want is None or have is None:
        raise InputError(f"{path}: the scores and the corpus must both be files with a known hash to be matched")
    if want != have:
        raise InputError(f"{path}: these scores are of another corpus (input sha256 {want[:12]}…, "
                         f"{source} has {have[:12]}…); score it again with --scores-only")
    known = head.get("filters") or {}
    for f in filters:
        if f.name not in known:
            raise InputError(f"{path}: has no scores of filter {f.name!r} (scored: {', '.join(known) or 'none'}); "
                             f"switch it off (--set {f.name}=false) or score again")
        f.load_state((known[f.name] or {}).get("state") or {})
    return _Stored(lines)


def _stored_line(stored: _Stored, item: _Item, path: PathLike) -> dict[str, Any]:
    row = next(stored.lines, None)
    if row is None:
        raise InputError(f"{path}: ends before the corpus does (at record {item.original.get('id')!r})")
    if not isinstance(row, Parsed) or not isinstance(row.value, dict):
        raise InputError(f"{path}:{row.line}: not a scores line")
    if row.value.get("id") != item.original.get("id"):
        raise InputError(f"{path}:{row.line}: scores of record {row.value.get('id')!r} where the corpus has "
                         f"{item.original.get('id')!r}")
    return row.value.get("scores") or {}


def _end_of_scores(stored: _Stored, path: PathLike) -> None:
    extra = next(stored.lines, None)
    if extra is not None:
        raise InputError(f"{path}:{extra.line}: more scores than records in the corpus")

