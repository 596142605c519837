"""The global phase of the ``duplicates`` filter when a corpus is cleaned in parts.

The filter keeps the first of equal or near-equal records in input order, so its decision on a record
depends on every record before it. In parts, it is decided in three phases whose result is exactly that
of one ``lancang clean`` over the whole corpus:

1. **keys** (every part, in parallel): each record the filter would score (valid, after the repairs) gets
   its keys from the filter itself (:meth:`Duplicates._sides` normalises; :meth:`~Duplicates.signatures`
   and :meth:`~Duplicates._band_keys` give the LSH band keys): an exact key and, with ``near``, its band
   keys. ``(key, position)`` pairs go to ``P`` partition files by the key's hash; the key sides go to
   the part's own file.
2. **partitions** (every partition, in parallel): a key that two positions share makes both *grouped*.
   A record that shares no key with any other record is never anyone's duplicate or candidate: the
   filter keeps it, whatever else the corpus holds.
3. **decisions** (in the pool): phase 2 also gives, per shared key, edges from each of its positions to
   its first; the parent joins them into groups (connected components: records linked by shared keys,
   directly or through others) and deals the groups to buckets. The filter's decision on a record reads
   only the keys the record holds, so records of different groups never decide anything about each
   other: each bucket runs the filter's own :meth:`~Duplicates.score_batch` on its records in input
   order, and first-wins, near candidates and their similarities are those of one pass over the whole
   corpus. Then every part is cleaned with a ``duplicates`` whose scores are these decisions
   (:func:`lancang.pipeline.decided.decided_duplicates`).

Phase 3 reads only records that share a key: on a corpus without duplicates it is nearly nothing; on a
corpus of nothing but duplicates it is the filter alone, spread over the workers (one group that holds
most of the corpus would fall to one worker).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from .shards import Shard

#: partitions of the key space per worker
PARTITIONS_PER_JOB = 4
BATCH = 1000
#: positions are (part index << 32) | ordinal in the part: input order
_PART_SHIFT = 32


def _params(config: Mapping[str, Any]) -> dict[str, Any]:
    given = config.get("duplicates")
    return dict(given) if isinstance(given, Mapping) else {}


def _filter(config: Mapping[str, Any]) -> Any:
    from ..processing.filters import FILTERS

    return FILTERS.get("duplicates")(**_params(config))


def decide_duplicates(parts: list[Shard], jobs: int, args: Mapping[str, Any], folder: Path,
                      learners: Sequence[Any] = ()) -> Path:
    """Phases 1-3 over the parts (see the module); returns the folder of per-part decisions. ``learners``
    (``mergeable`` corpus filters of the same clean) learn in phase 1's pass over the records
    (:meth:`~lancang.processing.filters.base.Filter.fit_merge` of what every part learnt; the caller
    calls ``fit_end``)."""
    import numpy as np

    from .parts import part_dir, run_parts

    nparts = max(1, jobs * PARTITIONS_PER_JOB)
    keys_args = {**args, "partitions": nparts, "learn": [f.name for f in learners]}
    res = run_parts(f"{__name__}:_dedup_keys_part", parts, jobs, keys_args, folder)
    _merge_fits(learners, res)
    # the partitions as pseudo-shards of the same pool (a partition reads its file of every part)
    parts_dirs = [str(part_dir({"output": folder}, p)) for p in parts]
    pseudo = [Shard(i, "", None, None, 1, 0, "") for i in range(nparts)]
    run_parts(f"{__name__}:_dedup_partition", pseudo, jobs, {"parts": parts_dirs}, folder)
    dirs = [part_dir({"output": folder}, s) for s in pseudo]
    grouped = np.unique(np.concatenate([np.fromfile(d / "grouped.bin", np.int64) for d in dirs]
                                       or [np.zeros(0, np.int64)]))
    out = folder / "decided"
    out.mkdir()
    if len(grouped):
        # phase 3 in the pool: records that share no key never decide anything about each other, so the
        # groups of records linked by shared keys are decided apart, each in input order, a bucket of
        # groups per task
        edges = np.concatenate([np.fromfile(d / "edges.bin", np.int64).reshape(-1, 2) for d in dirs])
        nbuckets = max(1, jobs * PARTITIONS_PER_JOB)
        np.save(folder / "grouped.npy", grouped)
        np.save(folder / "bucket.npy", components(grouped, edges) % nbuckets)
        run_parts(f"{__name__}:_route_part", parts, jobs, {"buckets": nbuckets}, folder)
        buckets = [Shard(b, "", None, None, 1, 0, "") for b in range(nbuckets)]
        run_parts(f"{__name__}:_decide_bucket", buckets, jobs,
                  {"filters": args["filters"], "parts": [p.index for p in parts]}, folder)
    bucket_dirs = [part_dir({"output": folder}, b) for b in buckets] if len(grouped) else []
    for p in parts:
        table: dict[str, Any] = {}
        for d in bucket_dirs:
            f = d / f"decided-{p.index:06d}.json"
            if f.exists():
                table.update(orjson.loads(f.read_bytes()))
        (out / f"{p.index:06d}.json").write_bytes(orjson.dumps(table))
    return out


def components(nodes: Any, edges: Any) -> Any:
    """The connected component of each of ``nodes`` (sorted positions) under ``edges`` (pairs of them), as
    the index in ``nodes`` of the component's first node (min-label propagation with pointer jumping)."""
    import numpy as np

    label = np.arange(len(nodes), dtype=np.int64)
    if not len(edges):
        return label
    a = np.searchsorted(nodes, edges[:, 0])
    b = np.searchsorted(nodes, edges[:, 1])
    while True:
        m = np.minimum(label[a], label[b])
        new = label.copy()
        np.minimum.at(new, a, m)
        np.minimum.at(new, b, m)
        while True:  # pointer jumping: a label's label, until it is its own
            jumped = new[new]
            if np.array_equal(jumped, new):
                break
            new = jumped
        if np.array_equal(new, label):
            return label
        label = new


def _decide(dup: Any, batch: list[dict[str, Any]], table: dict[str, Any]) -> None:
    for rec, score in zip(batch, dup.score_batch(batch)):
        if score.get("duplicate_of") is not None:
            table[rec["id"]] = score
    batch.clear()


def _route_part(plan: Mapping[str, Any], sh: Shard) -> dict[str, Any]:
    """Phase 3, first half, on one part: the key sides of its grouped records to their buckets' files
    (``route-PART.jsonl`` in the bucket's folder), in input order."""
    import numpy as np

    from .parts import part_dir

    folder = Path(plan["output"])
    grouped = np.load(folder / "grouped.npy")
    bucket = np.load(folder / "bucket.npy")
    lo, hi = np.searchsorted(grouped, [sh.index << _PART_SHIFT, (sh.index + 1) << _PART_SHIFT])
    mine = dict(zip(grouped[lo:hi].tolist(), bucket[lo:hi].tolist()))
    files: dict[int, Any] = {}
    n = 0
    try:
        with open(part_dir(plan, sh) / "sides.jsonl", "rb") as f:
            for line in f:  # {"pos":N,...}: the position without parsing the rest
                b = mine.get(int(line[7:line.index(b",", 7)]))
                if b is None:
                    continue
                if b not in files:
                    d = part_dir(plan, Shard(b, "", None, None, 1, 0, ""))
                    d.mkdir(parents=True, exist_ok=True)
                    files[b] = open(d / f"route-{sh.index:06d}.jsonl", "wb")  # noqa: SIM115 (closed below)
                files[b].write(line)
                n += 1
    finally:
        for f in files.values():
            f.close()
    return {"index": sh.index, "records": n}


def _decide_bucket(plan: Mapping[str, Any], sh: Shard) -> dict[str, Any]:
    """Phase 3, second half, on one bucket: the filter's own scores of its records, part after part in
    input order; the decisions (records that duplicate an earlier one) per part."""
    from ..corpora.io import atomic_output
    from .parts import part_dir

    d = part_dir(plan, sh)
    dup = _filter(plan["args"]["filters"])
    n = 0
    try:
        for p in plan["args"]["parts"]:
            src = d / f"route-{p:06d}.jsonl"
            if not src.exists():
                continue
            table: dict[str, Any] = {}
            batch: list[dict[str, Any]] = []
            with open(src, "rb") as f:
                for line in f:
                    rec = orjson.loads(line)
                    del rec["pos"]
                    batch.append(rec)
                    if len(batch) >= BATCH:
                        n += len(batch)
                        _decide(dup, batch, table)
            n += len(batch)
            if batch:
                _decide(dup, batch, table)
            with atomic_output(d / f"decided-{p:06d}.json") as out:
                out.write(orjson.dumps(table))
    finally:
        dup.close()
    return {"index": sh.index, "records": n}


# ------------------------------------------------------------------------------ in the workers

def learn_in_parts(parts: list[Shard], jobs: int, args: Mapping[str, Any], folder: Path,
                   learners: Sequence[Any]) -> None:
    """The ``mergeable`` corpus filters ``learners`` learn from every part in the pool (the valid, repaired
    records, as :func:`lancang.processing.clean.fit_states` reads them) and merge what the parts learnt
    in input order: exactly what one pass over the whole input learns. The caller calls ``fit_end``."""
    from .parts import run_parts

    res = run_parts(f"{__name__}:_learn_part", parts, jobs, {**args, "learn": [f.name for f in learners]}, folder)
    _merge_fits(learners, res)


def _merge_fits(learners: Sequence[Any], results: list[dict[str, Any]]) -> None:
    for f in learners:
        f.fit_merge([r["fits"][f.name] for r in results])


def _valid_batches(src: Path, filters: Sequence[Any], options: Mapping[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """A part's records as the filters score them, in batches (``lancang clean``'s own reading, checking
    and repairs, :func:`lancang.processing.clean.item_batches`): those that break no invariant and repeat
    no id of the part (clean rejects those as records: the filters never see them), repaired."""
    from ..processing.clean import item_batches

    seen: set[Any] = set()  # ids of the part (a part is a bounded number of lines)
    for items in item_batches(src, filters, "jsonl", None, options, BATCH):
        batch = []
        for it in items:
            if it.invalid is None and it.original.get("id") not in seen:
                seen.add(it.original.get("id"))
                batch.append(it.record)
        if batch:
            yield batch


def _learners(filters: Sequence[Any], names: Sequence[str]) -> list[Any]:
    return [f for f in filters if f.name in names]


def _learn_part(plan: Mapping[str, Any], sh: Shard) -> dict[str, Any]:
    """What the corpus filters ``learn`` learn from one part (:meth:`Filter.fit_part`)."""
    from ..processing.clean import build_filters
    from .parts import part_input

    a = plan["args"]
    filters = build_filters(a["filters"])
    learners = _learners(filters, a["learn"])
    n = 0
    try:
        for batch in _valid_batches(part_input(plan, sh), filters, a["options"]):
            for f in learners:
                f.fit_batch(batch)
            n += len(batch)
        return {"index": sh.index, "records": n, "fits": {f.name: f.fit_part() for f in learners}}
    finally:
        for f in filters:
            f.close()


def _dedup_keys_part(plan: Mapping[str, Any], sh: Shard) -> dict[str, Any]:
    """Phase 1 on one part: the repaired records' keys into the partition files, their key sides aside;
    the corpus filters ``learn`` learn from the same records."""
    import numpy as np

    from ..processing.clean import build_filters
    from .parts import part_dir, part_input

    a = plan["args"]
    src = part_input(plan, sh)
    d = part_dir(plan, sh)
    nparts = a["partitions"]
    filters = build_filters(a["filters"])
    dup = next(f for f in filters if f.name == "duplicates")
    learners = _learners(filters, a.get("learn") or ())
    pairs: list[Any] = []
    n = 0
    try:
        with open(d / "sides.jsonl", "wb") as side_file:
            for batch in _valid_batches(src, filters, a["options"]):
                for f in learners:
                    f.fit_batch(batch)
                sides_of = [dup._sides(r) for r in batch]
                pos = np.arange(n, n + len(batch), dtype=np.int64) | np.int64(sh.index << _PART_SHIFT)
                exact = np.array([_exact_key(s) for s in sides_of], np.int64)
                has_exact = np.array([bool(s) and any(t for _, t in s) for s in sides_of])
                pairs.append(np.stack([exact[has_exact], pos[has_exact]], 1))
                if dup.params["near"]:
                    sig, has = dup.signatures(sides_of)
                    bands = dup._band_keys(sig).view(np.int64)[has]
                    pairs.append(np.stack([bands.ravel(), np.repeat(pos[has], bands.shape[1])], 1))
                for rec, p in zip(batch, pos.tolist()):
                    side_file.write(orjson.dumps({"pos": p, "id": rec.get("id"), "sides": {
                        t: {"text": s["text"]} for t, s in (rec.get("sides") or {}).items()
                        if isinstance(s, dict) and isinstance(s.get("text"), str)}}, option=orjson.OPT_APPEND_NEWLINE))
                n += len(batch)
        fits = {f.name: f.fit_part() for f in learners}
    finally:
        for f in filters:
            f.close()
    _partition(pairs, d, nparts)
    return {"index": sh.index, "records": n, "fits": fits}


def _partition(pairs: list[Any], folder: Path, nparts: int) -> None:
    """(key, position) rows into ``keys-K.bin`` of ``folder``, K the key's hash partition."""
    import numpy as np

    allp = np.concatenate(pairs) if pairs else np.zeros((0, 2), np.int64)
    which = (allp[:, 0].view(np.uint64) % np.uint64(nparts)).astype(np.int64)
    for k in range(nparts):
        allp[which == k].tofile(folder / f"keys-{k}.bin")


def _exact_key(sides: list[tuple[str, str]]) -> int:
    """A 64-bit key of the normalised key sides: equal sides, equal keys (a rare collision only groups
    two records more, which decides nothing: phase 3 is the filter's own)."""
    return int.from_bytes(hashlib.blake2b(orjson.dumps(sides), digest_size=8).digest(), "little", signed=True)


def _dedup_partition(plan: Mapping[str, Any], sh: Shard) -> dict[str, Any]:
    """Phase 2 on one partition: the positions that share a key with another position."""
    import numpy as np

    from .parts import part_dir

    k = sh.index
    rows = [np.fromfile(Path(p) / f"keys-{k}.bin", np.int64).reshape(-1, 2) for p in plan["args"]["parts"]]
    allp = np.concatenate(rows) if rows else np.zeros((0, 2), np.int64)
    keys, inverse, counts = np.unique(allp[:, 0], return_inverse=True, return_counts=True)
    shared = counts[inverse] > 1
    grouped = np.unique(allp[shared, 1])
    # the edges of the groups: every position of a shared key linked to the key's first position
    inv, pos = inverse[shared], allp[shared, 1]
    order = np.lexsort((pos, inv))
    inv, pos = inv[order], pos[order]
    starts = np.concatenate([[0], np.nonzero(inv[1:] != inv[:-1])[0] + 1]) if len(inv) else np.zeros(0, np.int64)
    first = np.repeat(pos[starts], np.diff(np.concatenate([starts, [len(pos)]]))) if len(inv) else pos
    edges = np.stack([pos, first], 1)[pos != first]
    d = part_dir(plan, sh)
    d.mkdir(parents=True, exist_ok=True)
    grouped.tofile(d / "grouped.bin")
    edges.tofile(d / "edges.bin")
    return {"index": k, "records": 0, "grouped": len(grouped)}


# ------------------------------------------------------------------------------ repeated ids

def repeated_id(parts: list[Shard], jobs: int) -> tuple[str, str, str] | None:
    """The first record id the input repeats, as (id, first place, second place), or None: the check a
    run in parts makes before its work, with the pool. Every part hashes its ids into partitions, every
    partition looks for a key held twice; only then is the input read again in order
    (:func:`~lancang.pipeline.shards.cross_shard_duplicate`) to name the places (or to find that two
    ids only shared a hash)."""
    from .parts import part_dir, run_parts, workspace
    from .shards import cross_shard_duplicate

    if jobs > 1 and len(parts) > 1:
        nparts = jobs * PARTITIONS_PER_JOB
        with workspace() as folder:
            run_parts(f"{__name__}:_id_keys_part", parts, jobs, {"partitions": nparts}, folder)
            dirs = [str(part_dir({"output": folder}, p)) for p in parts]
            pseudo = [Shard(i, "", None, None, 1, 0, "") for i in range(nparts)]
            res = run_parts(f"{__name__}:_dedup_partition", pseudo, jobs, {"parts": dirs}, folder)
        if not any(r["grouped"] for r in res):
            return None
    return cross_shard_duplicate(parts, "jsonl", within=True)


def _id_keys_part(plan: Mapping[str, Any], sh: Shard) -> dict[str, Any]:
    """The 64-bit keys of a part's record ids into the partition files."""
    import numpy as np

    from ..corpora.jsonl import Parsed, iter_lines
    from .parts import part_dir, part_input

    keys: list[int] = []
    for item in iter_lines(part_input(plan, sh)):
        rid = item.value.get("id") if isinstance(item, Parsed) and isinstance(item.value, dict) else None
        if isinstance(rid, str):
            keys.append(int.from_bytes(hashlib.blake2b(rid.encode(), digest_size=8).digest(), "little", signed=True))
    pos = np.arange(len(keys), dtype=np.int64) | np.int64(sh.index << _PART_SHIFT)
    _partition([np.stack([np.array(keys, np.int64), pos], 1)], part_dir(plan, sh), plan["args"]["partitions"])
    return {"index": sh.index, "records": len(keys)}
