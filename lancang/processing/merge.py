"""``lancang merge``: fold people's reviews back into the corpus the machine annotated.

``merge_files(BASE, [REVIEWED, ...], OUT)`` streams BASE (any readable format) and writes every
BASE record to OUT, in BASE order; a record that was reviewed gets the reviewed layers in place of
the machine's. Nothing of BASE that was not reviewed changes: records, sides, other layers, links
and meta pass through as they were read.

**Reviews.** Every REVIEWED file is read through the format hub (a Label Studio export by its reader,
one record per annotation; lancang JSONL the same way). A review names the BASE record it reviews by
``meta.labelstudio.record_id``, else by its own id, and carries its record-level review in
``meta.review`` (``reviewer``, ``verdict`` pass/fail/null, ``defects``, ``time``). Reviews are grouped
by BASE id in bounded memory (as JSON bytes): past :data:`~lancang.corpora.dupes.SPILL_AT` reviews or
:data:`MAX_BYTES` of them they go to a temporary SQLite file (:class:`~lancang.corpora.dupes.SpillFile`)
and are looked up there, one BASE record at a time. Reviews of one record are taken in the order of
the REVIEWED files, then of the annotations in a file.

**One reviewer.** Per side and per merged layer (``layers``, default ``entities``), the reviewed layer
replaces BASE's. Its provenance becomes ``assisted`` (BASE's layer was the machine's, ``method:
auto``; its tool is kept), or ``manual`` (BASE had no such layer); a layer a person made before keeps
its method. ``annotator`` is who made the reviewed layer (its provenance, else the reviewer), and
``review = {status, reviewer, time}``: ``accepted`` when the layer is what BASE had, ``corrected`` when
it changed, ``rejected`` when unchanged under a ``fail`` verdict whose defects fall on it (a defect
naming a side or layer falls on those only; BASE's layer and method are kept then: a person looked
and did not vouch for it). The record's ``meta.review`` is the review's.

**Several reviewers** of one record: where their versions of a layer differ, a ``disagreement``
conflict is reported (record, side, layer, reviewers, how many entities are not held by all of
them) and the policy decides: ``first`` (the first review), ``curator`` (the named reviewer's
version where they reviewed, else the first), ``majority`` (entity by entity: an entity is kept
when more than half of the reviewers have it with the same span and label; an entity held by
exactly half is a ``tie``, reported and left out; word links vote pair by pair the same way; other
layers vote on the whole layer, the first version winning a tie).

**Links.** With ``links`` among ``layers``, each link of a review (sentence beads or word links between
two sides) is merged like a layer against BASE's link of the same kind and sides (added where BASE
has none); a review's link touching a side whose text it changed is not merged.

**What is reported, not merged** (exit 0 unless the caller fails on conflicts): a review whose side
text differs from BASE's (``text-changed``: BASE's side is kept, the other sides of that review are
merged); reviews of ids BASE lacks (``orphans``, counted and listed); empty review slots (``meta.review``
with no reviewer and no verdict: a sample nobody filled in, a task nobody submitted), counted.

**What stops the run** (:class:`~lancang.errors.InputError`, located): a review of a side BASE's
record lacks, two reviews of one record by the same reviewer id, a bad verdict, and a merged record
that breaks the model's invariants (e.g. BASE's links pointing to tokens a merged ``tokens`` layer
no longer has: :func:`lancang.corpora.invariants.check_record`). Nothing is written then.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..corpora.dupes import SPILL_AT, SpillFile
from ..corpora.invariants import check_record, require_valid
from ..errors import InputError, UsageError
from ..quality.join import Missing

PathLike = str | os.PathLike
POLICIES = ("first", "majority", "curator")
CONFLICT_KINDS = ("disagreement", "tie", "text-changed")
STATUSES = ("accepted", "corrected", "rejected")
VERDICTS = ("pass", "fail")
#: what ``layers`` calls the record's links, and the name of a token link's versions
LINKS = "links"
TOKEN_LINKS = "links/tokens"
#: reviews kept in memory (as JSON) up to this many bytes, then spilled to disk with the rest
MAX_BYTES = 64 << 20
#: conflicts listed in the stats (the counts are always complete)
MAX_CONFLICTS = 1000


# ------------------------------------------------------------------------------------ statistics

@dataclass
class MergeStats:
    policy: str = "first"
    #: BASE records read (= written)
    records: int = 0
    #: BASE records that had at least one review
    reviewed: int = 0
    #: review records read from the REVIEWED files
    reviews: int = 0
    #: of them, empty review slots (meta.review with no reviewer and no verdict): not merged
    empty: int = 0
    #: merged layers (per side) by review status
    layers: Counter[str] = field(default_factory=Counter)
    conflicts: Counter[str] = field(default_factory=Counter)
    #: the first MAX_CONFLICTS conflicts: kind, where, record, side, layer, reviewers, count
    listed: list[dict[str, Any]] = field(default_factory=list)
    #: reviews of record ids BASE lacks
    orphans: Missing = field(default_factory=Missing)

    def conflict(self, **c: Any) -> None:
        self.conflicts[c["kind"]] += 1
        if len(self.listed) < MAX_CONFLICTS:
            self.listed.append(c)

    @property
    def findings(self) -> int:
        """Conflicts of every kind plus orphan reviews: what ``--fail-on-conflict`` fails on."""
        return sum(self.conflicts.values()) + self.orphans.count

    def to_dict(self) -> dict[str, Any]:
        return {"policy": self.policy, "records": self.records, "reviewed": self.reviewed, "reviews": self.reviews,
                "empty_reviews": self.empty,
                "layers": {k: self.layers[k] for k in STATUSES},
                "conflicts": {k: self.conflicts[k] for k in CONFLICT_KINDS},
                "conflict_list": list(self.listed),
                "conflicts_truncated": sum(self.conflicts.values()) > len(self.listed),
                "orphans": {"count": self.orphans.count, "ids": list(self.orphans.ids)}}


# ------------------------------------------------------------------------------------ reviews

@dataclass(eq=False)
class Review:
    """One review record and where it was read (two reviews are the same only when they are one object)."""

    file: int
    pos: int
    where: str
    rec: dict[str, Any]

    @property
    def meta(self) -> dict[str, Any]:
        review = (self.rec.get("meta") or {}).get("review")
        return review if isinstance(review, dict) else {}

    @property
    def reviewer(self) -> str | None:
        """The reviewer's id: ``meta.review.reviewer``, else the annotator of a reviewed layer."""
        who = self.meta.get("reviewer")
        if who not in (None, ""):
            return str(who)
        for side in self.rec.get("sides", {}).values():
            for lay in (side.get("layers") or {}).values():
                who = (lay.get("provenance") or {}).get("annotator") if isinstance(lay, dict) else None
                if who:
                    return str(who)
        return None

    @property
    def name(self) -> str:
        """How reports name the reviewer: the id, else the review's location."""
        return self.reviewer or self.where

    @property
    def verdict(self) -> str | None:
        return self.meta.get("verdict")

    @property
    def empty(self) -> bool:
        """An empty review slot: ``meta.review`` present with neither a reviewer (nor an annotator in a
        layer's provenance) nor a verdict, as `lancang sample` writes it and as a task nobody submitted
        reads: nobody reviewed this."""
        review = (self.rec.get("meta") or {}).get("review")
        return isinstance(review, dict) and self.reviewer is None and self.verdict is None


def base_id(rec: dict[str, Any]) -> str | None:
    """The BASE record a review reviews: ``meta.labelstudio.record_id``, else the review's own id."""
    ls = (rec.get("meta") or {}).get("labelstudio")
    rid = ls.get("record_id") if isinstance(ls, dict) else None
    rid = rid if rid is not None else rec.get("id")
    return str(rid) if rid is not None else None


def _where(path: PathLike, line: int | None, k: int) -> str:
    return f"{path}:{line}" if line is not None else f"{path} record {k}"


class ReviewStore:
    """Reviews grouped by BASE id: in memory as JSON bytes up to ``spill_at`` reviews or ``max_bytes`` of
    them, then in a :class:`SpillFile` (a parsed review takes several times its JSON size: reviews are
    parsed again only when their BASE record comes)."""

    def __init__(self, spill_at: int = SPILL_AT, tmpdir: str | None = None, max_bytes: int = MAX_BYTES):
        self.spill_at, self.tmpdir, self.max_bytes = spill_at, tmpdir, max_bytes
        self._mem: dict[str, list[tuple[int, int, str, bytes]]] = {}
        self._n = self._bytes = 0
        self._spill: SpillFile | None = None

    @property
    def spilled(self) -> bool:
        return self._spill is not None

    def add(self, key: str, review: Review) -> None:
        row = (review.file, review.pos, review.where, orjson.dumps(review.rec))
        if self._spill is None:
            self._mem.setdefault(key, []).append(row)
            self._n += 1
            self._bytes += len(row[3])
            if self._n >= self.spill_at or self._bytes >= self.max_bytes:
                self._to_disk()
            return
        self._insert([(key, *row)])

    def _to_disk(self) -> None:
        self._spill = SpillFile("CREATE TABLE r (id TEXT, f INTEGER, pos INTEGER, loc TEXT, data BLOB);"
                                "CREATE INDEX r_id ON r (id);", "lancang-merge-", self.tmpdir)
        mem, self._mem = self._mem, {}
        self._insert((k, *row) for k, rows in mem.items() for row in rows)

    def _insert(self, rows: Iterable[tuple[str, int, int, str, bytes]]) -> None:
        assert self._spill is not None and self._spill.db is not None
        self._spill.db.executemany("INSERT INTO r VALUES (?, ?, ?, ?, ?)", rows)

    def take(self, key: str) -> list[Review]:
        """The reviews of ``key`` in file and file order, removed from the store."""
        if self._spill is None:
            rows = self._mem.pop(key, [])
        else:
            db = self._spill.db
            assert db is not None
            rows = db.execute("SELECT f, pos, loc, data FROM r WHERE id = ? ORDER BY f, pos", (key,)).fetchall()
            if rows:
                db.execute("DELETE FROM r WHERE id = ?", (key,))
        return [Review(f, pos, loc, orjson.loads(data)) for f, pos, loc, data in rows]

    def leftovers(self) -> Iterator[str]:
        """The BASE ids of the reviews never taken, each once."""
        if self._spill is None:
            yield from self._mem
            return
        assert self._spill.db is not None
        for (key,) in self._spill.db.execute("SELECT DISTINCT id FROM r"):
            yield key

    def close(self) -> None:
        if self._spill is not None:
            self._spill.close()
            self._spill = None
        self._mem = {}

    def __enter__(self) -> ReviewStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def load_reviews(paths: Sequence[PathLike], store: ReviewStore, stats: MergeStats, *, fmt: str | None = None,
                 langs: Any = None, options: Mapping[str, Any] | None = None) -> None:
    """Read every REVIEWED file into ``store`` (each review checked: a record, an id, a valid verdict)."""
    from ..corpora.formats import read_located

    for f, path in enumerate(paths):
        for k, (line, rec) in enumerate(read_located(path, fmt, langs, **dict(options or {})), 1):
            where = _where(path, line, k)
            require_valid(rec, where)
            key = base_id(rec)
            if key is None:
                raise InputError(f"{where}: the review has no record id")
            review = Review(f, k, where, rec)
            if review.verdict not in (None, *VERDICTS):
                raise InputError(f"{where}: record {rec.get('id')!r} /meta/review/verdict is {review.verdict!r}; "
                                 f"use {' or '.join(VERDICTS)} (or null)")
            stats.reviews += 1
            if review.empty:
                stats.empty += 1
                continue
            store.add(key, review)


# ------------------------------------------------------------------------------------ comparing layers

def _entity_key(it: dict[str, Any]) -> tuple[int, int, str]:
    return (it["start"], it["end"], it["label"])


def _relation_key(rel: dict[str, Any], keys: Mapping[str, tuple[int, int, str]]) -> tuple[Any, ...]:
    return ("relation", rel.get("label"), tuple((a.get("role"), keys.get(a.get("ref"))) for a in rel.get("args", [])))


def version(name: str, layer: dict[str, Any] | None) -> frozenset[Any]:
    """What two versions of a layer are compared by: the entities' (start, end, label) and the relations
    between them (ids and attributes aside) for ``entities``; the (source, target, sure/possible) pairs of
    a token link (``links/tokens``); the whole layer (or link) but its provenance else."""
    if layer is None:
        return frozenset()
    if name == "entities":
        items = layer.get("items", [])
        keys = {it["id"]: _entity_key(it) for it in items if "id" in it}
        return frozenset([_entity_key(it) for it in items]
                         + [_relation_key(r, keys) for r in layer.get("relations", [])])
    if name == TOKEN_LINKS:
        return frozenset(tuple(p) for p in layer.get("pairs", []))
    body = {k: v for k, v in layer.items() if k != "provenance"}
    return frozenset([orjson.dumps(body, option=orjson.OPT_SORT_KEYS)])


def _majority_entities(layers: list[dict[str, Any]]) -> tuple[dict[str, Any], int]:
    """The entities (and relations between kept entities) that more than half of ``layers`` hold, with the
    item of the first layer that holds each; and how many were held by exactly half (ties)."""
    n = len(layers)
    votes: Counter[Any] = Counter()
    first: dict[Any, tuple[dict[str, Any], dict[str, tuple[int, int, str]]]] = {}
    for lay in layers:
        keys = {it["id"]: _entity_key(it) for it in lay.get("items", []) if "id" in it}
        for it in lay.get("items", []):
            k = _entity_key(it)
            if k not in first:
                first[k] = (it, keys)
        for rel in lay.get("relations", []):
            k = _relation_key(rel, keys)
            if k not in first:
                first[k] = (rel, keys)
        votes.update(version("entities", lay))
    kept = {k for k, v in votes.items() if 2 * v > n}
    ties = sum(1 for v in votes.values() if 2 * v == n)
    items, ids, used = [], {}, set()
    for k in sorted((k for k in kept if k[0] != "relation"), key=lambda k: (k[0], k[1], k[2])):
        it = dict(first[k][0])
        if "id" in it:
            new, n_ = it["id"], 1
            while new in used:
                n_ += 1
                new = f"{it['id']}-{n_}"
            used.add(new)
            it["id"] = new
            ids[k] = new
        items.append(it)
    out: dict[str, Any] = {"items": items}
    rels = []
    for k in kept:
        if k[0] != "relation":
            continue
        rel, keys = first[k]
        args = [{**a, "ref": ids.get(keys.get(a.get("ref")))} for a in rel.get("args", [])]
        if all(a["ref"] is not None for a in args):  # every argument is a kept entity
            rels.append({**rel, "args": args})
    if rels:
        out["relations"] = sorted(rels, key=lambda r: orjson.dumps(r, option=orjson.OPT_SORT_KEYS))
    return out, ties


# ------------------------------------------------------------------------------------ merging one record

@dataclass
class Merger:
    """Merges the reviews of one BASE record at a time (plain data in, new record out)."""

    policy: str = "first"
    curator: str | None = None
    layers: tuple[str, ...] = ("entities",)

    def __post_init__(self) -> None:
        if self.policy not in POLICIES:
            raise UsageError(f"--policy must be one of {', '.join(POLICIES)}, not {self.policy!r}")
        if self.policy == "curator" and not self.curator:
            raise UsageError("--policy curator needs --curator REVIEWER (the reviewer id whose version wins)")
        if self.curator and self.policy != "curator":
            raise UsageError(f"--curator is for --policy curator, not {self.policy}")
        if not self.layers:
            raise UsageError("--layers names at least one layer (entities, tokens, ..., or links)")

    def merge(self, rec: dict[str, Any], reviews: list[Review], stats: MergeStats, where: str) -> dict[str, Any]:
        require_valid(rec, where)
        _one_per_reviewer(reviews, rec["id"])
        base_sides = rec["sides"]
        meta_review = self._record_review(reviews)
        per_side: dict[str, list[Review]] = {}
        for r in reviews:
            for tag, side in r.rec.get("sides", {}).items():
                if tag not in base_sides:
                    have = ", ".join(base_sides) or "none"
                    raise InputError(f"{r.where}: review {r.rec.get('id')!r} has side {tag!r}, which record "
                                     f"{rec['id']!r} of BASE ({where}) lacks (it has {have})")
                if side.get("text") != base_sides[tag].get("text"):
                    stats.conflict(kind="text-changed", where=where, record=rec["id"], side=tag, reviewers=[r.name],
                                   review=r.where)
                    continue
                per_side.setdefault(tag, []).append(r)
        sides = dict(base_sides)
        for tag, revs in per_side.items():
            side = sides[tag]
            new_layers = dict(side.get("layers") or {})
            changed = False
            for name in self.layers:
                if name == LINKS:
                    continue
                cands = [(r, r.rec["sides"][tag]["layers"][name]) for r in revs
                         if name in (r.rec["sides"][tag].get("layers") or {})]
                if not cands:
                    continue
                new_layers[name] = self._layer(name, new_layers.get(name), cands, meta_review, stats,
                                               where=where, rid=rec["id"], tag=tag)
                changed = True
            if changed:
                sides[tag] = {**side, "layers": new_layers}
        out = {**rec, "sides": sides, "meta": {**(rec.get("meta") or {}), "review": meta_review}}
        if LINKS in self.layers:
            links = self._links(rec, per_side, meta_review, stats, where)
            if links is not None:
                out["links"] = links
        for rule, severity, ptr, msg in check_record(out):
            if severity == "error":
                raise InputError(f"{where}: record {rec['id']!r} {ptr or '/'}: merging the reviews of "
                                 f"{', '.join(r.where for r in reviews)} leaves it invalid: {msg} [{rule}]; "
                                 "nothing was written")
        return out

    def _links(self, rec: dict[str, Any], per_side: dict[str, list[Review]], meta_review: dict[str, Any],
               stats: MergeStats, where: str) -> list[dict[str, Any]] | None:
        """BASE's links with each (kind, source side, target side) that reviews hold merged like a layer; a
        review's link between sides of which it changed a text is not merged. None: nothing reviewed."""
        cands: dict[tuple[str, str, str], list[tuple[Review, dict[str, Any]]]] = {}
        for r in _unique(x for revs in per_side.values() for x in revs):
            for lk in r.rec.get("links") or ():
                if r in per_side.get(lk["src"], ()) and r in per_side.get(lk["tgt"], ()):
                    cands.setdefault((lk["kind"], lk["src"], lk["tgt"]), []).append((r, lk))
        if not cands:
            return None
        out = []
        for lk in rec.get("links") or ():
            key = (lk["kind"], lk["src"], lk["tgt"])
            found = cands.pop(key, None)
            out.append(lk if found is None else self._link(key, lk, found, meta_review, stats, where, rec["id"]))
        out += [self._link(key, None, found, meta_review, stats, where, rec["id"]) for key, found in cands.items()]
        return out

    def _link(self, key: tuple[str, str, str], base: dict[str, Any] | None, cands: list[tuple[Review, dict[str, Any]]],
              meta_review: dict[str, Any], stats: MergeStats, where: str, rid: str) -> dict[str, Any]:
        kind, src, tgt = key
        lk = self._layer(f"{LINKS}/{kind}", base, cands, meta_review, stats, where=where, rid=rid, tag=f"{src}>{tgt}")
        return {"kind": kind, "src": src, "tgt": tgt, **lk}

    # ------------------------------------------------------------------ one layer of one side

    def _layer(self, name: str, base: dict[str, Any] | None, cands: list[tuple[Review, dict[str, Any]]],
               meta_review: dict[str, Any], stats: MergeStats, *, where: str, rid: str, tag: str) -> dict[str, Any]:
        versions = [version(name, lay) for _r, lay in cands]
        names = [r.name for r, _lay in cands]
        if len(set(versions)) > 1:
            differing = len(frozenset.union(*versions) - frozenset.intersection(*versions))
            stats.conflict(kind="disagreement", where=where, record=rid, side=tag, layer=name, reviewers=names,
                           count=differing)
        note = None
        if self.policy == "majority" and len(cands) > 1:
            body, ties = self._majority(name, [lay for _r, lay in cands])
            if ties:
                stats.conflict(kind="tie", where=where, record=rid, side=tag, layer=name, reviewers=names, count=ties)
            won = version(name, body)  # provenance from a reviewer who holds the result, else the first
            chosen, chosen_layer = next((c for c, v in zip(cands, versions) if v == won), cands[0])
            note = f"majority of {len(cands)} reviewers: {', '.join(names)}"
            verdict, defects = meta_review.get("verdict"), meta_review.get("defects")
        else:
            chosen, chosen_layer = cands[0]
            if self.policy == "curator":
                chosen, chosen_layer = next(((r, lay) for r, lay in cands if r.reviewer == self.curator), cands[0])
            body = {k: v for k, v in chosen_layer.items() if k != "provenance"}
            verdict, defects = chosen.verdict, chosen.meta.get("defects")
        unchanged = version(name, body) == version(name, base)
        failed = verdict == "fail" and _blamed(defects, tag, name)
        status = "corrected" if not unchanged else ("rejected" if failed else "accepted")
        stats.layers[status] += 1
        won = version(name, body)  # another reviewer who gave the same result confirms it (role separation)
        second = next((r for (r, _lay), v in zip(cands, versions) if v == won and r is not chosen and r.reviewer), None)
        prov = _provenance(base, chosen_layer.get("provenance") or {}, chosen, status, note, second)
        if status == "rejected" and base is not None:
            return {**base, "provenance": prov}
        return {**body, "provenance": prov}

    def _majority(self, name: str, layers: list[dict[str, Any]]) -> tuple[dict[str, Any], int]:
        if name == "entities":
            return _majority_entities(layers)
        if name == TOKEN_LINKS:  # pair by pair, as entities
            votes = Counter(p for lay in layers for p in version(name, lay))
            kept = sorted(p for p, v in votes.items() if 2 * v > len(layers))
            body = {k: v for k, v in layers[0].items() if k not in ("provenance", "pairs")}
            return {**body, "pairs": [list(p) for p in kept]}, sum(1 for v in votes.values() if 2 * v == len(layers))
        votes = Counter(version(name, lay) for lay in layers)
        best = next((v for v, n in votes.items() if 2 * n > len(layers)), None)
        pick = layers[0] if best is None else next(lay for lay in layers if version(name, lay) == best)
        return {k: v for k, v in pick.items() if k != "provenance"}, int(best is None)

    # ------------------------------------------------------------------ the record's review

    def _record_review(self, reviews: list[Review]) -> dict[str, Any]:
        """``meta.review`` of the merged record: the deciding review's, and every review's when several."""
        def summary(r: Review) -> dict[str, Any]:
            m = dict(r.meta)
            if r.reviewer is not None:
                m["reviewer"] = r.reviewer
            m.setdefault("verdict", None)
            m.setdefault("defects", [])
            return m

        if len(reviews) == 1:
            return summary(reviews[0])
        if self.policy == "majority":
            verdicts = [r.verdict for r in reviews if r.verdict is not None]
            passed = sum(v == "pass" for v in verdicts)
            verdict = None if not verdicts else ("pass" if 2 * passed > len(verdicts) else "fail")
            defects: list[Any] = []
            for r in reviews:
                for d in (r.meta.get("defects") or []) if r.verdict == "fail" else []:
                    if d not in defects:
                        defects.append(d)
            times = [str(r.meta["time"]) for r in reviews if r.meta.get("time")]
            out: dict[str, Any] = {"reviewer": reviews[0].reviewer, "verdict": verdict,
                                   "defects": defects if verdict == "fail" else [], "time": max(times, default=None)}
        else:
            deciding = reviews[0]
            if self.policy == "curator":
                deciding = next((r for r in reviews if r.reviewer == self.curator), reviews[0])
            out = summary(deciding)
        out["policy"] = self.policy
        out["reviews"] = [summary(r) for r in reviews]
        return out


def _blamed(defects: Any, tag: str, name: str) -> bool:
    """Whether a fail verdict's defects fall on this side (``src>tgt`` for a link) and layer: a defect
    naming no side and no layer (a bare type, as Label Studio's choices give) falls on every layer, as
    does a fail with no defects listed."""
    if not isinstance(defects, list) or not defects:
        return True
    sides = tag.split(">")
    for d in defects:
        if not isinstance(d, dict) or (d.get("side") is None and d.get("layer") is None):
            return True
        layer = d.get("layer")
        if (d.get("side") is None or d["side"] in sides) and (layer is None or name == layer
                                                              or name.startswith(f"{layer}/")):
            return True
    return False


def _unique(reviews: Iterable[Review]) -> list[Review]:
    """Each review once, in file and file order."""
    seen: dict[tuple[int, int], Review] = {}
    for r in reviews:
        seen.setdefault((r.file, r.pos), r)
    return [seen[k] for k in sorted(seen)]


def _one_per_reviewer(reviews: list[Review], rid: str) -> None:
    seen: dict[str, Review] = {}
    for r in reviews:
        who = r.reviewer
        if who is None:
            continue
        if who in seen:
            raise InputError(f"{r.where}: reviewer {who!r} reviewed record {rid!r} twice (also at {seen[who].where}); "
                             "one review per reviewer and record: drop one, or give each reviewer their own id")
        seen[who] = r


def _provenance(base: dict[str, Any] | None, reviewed: dict[str, Any], review: Review, status: str,
                note: str | None, second: Review | None = None) -> dict[str, Any]:
    """The merged layer's provenance: assisted over a machine layer, manual where BASE had none, the method
    of a layer a person made before; the review's status.

    ``annotator`` is who made the content: for a corrected layer the reviewed layer's annotator (else the
    reviewer); for an accepted one BASE's annotator, or the reviewed layer's when it is not the reviewer
    (a machine layer accepted as it was has none: the person reviewed it). The reviewer is the deciding
    review's, or, where that would make the annotator their own reviewer, ``second``: another reviewer
    who gave the same result."""
    old = (base or {}).get("provenance") or {}
    if status == "rejected" and base is not None:
        prov = dict(old) if old else {"method": "manual"}
    else:
        if base is None:
            prov = {"method": "manual"}
        elif old.get("method") == "auto":
            prov = {"method": "assisted", "tool": old["tool"]} if "tool" in old else {"method": "assisted"}
        elif old.get("method") in ("manual", "assisted"):
            prov = {k: old[k] for k in ("method", "tool") if k in old}
        else:  # BASE's layer does not say who made it: the review's word
            method = reviewed.get("method") if reviewed.get("method") in ("manual", "assisted") else "manual"
            prov = {"method": method, **({"tool": reviewed["tool"]} if "tool" in reviewed else {})}
        annotator = reviewed.get("annotator") or review.reviewer
        time = reviewed.get("time") or review.meta.get("time")
        if status == "accepted":
            own = annotator if annotator is not None and str(annotator) != review.reviewer else None
            annotator = old.get("annotator") or own
            time = old.get("time")  # made when BASE's layer was; the review has its own time
        if annotator:
            prov["annotator"] = str(annotator)
        if time:
            prov["time"] = str(time)
    by = review
    if second is not None and prov.get("annotator") == review.reviewer:
        by = second
    rv: dict[str, Any] = {"status": status}
    if by.reviewer:
        rv["reviewer"] = by.reviewer
    if by.meta.get("time"):
        rv["time"] = str(by.meta["time"])
    if note:
        rv["note"] = note
    prov["review"] = rv
    return prov


# ------------------------------------------------------------------------------------ the runner

def merge_files(base: PathLike, reviewed: Sequence[PathLike], output: PathLike, *, policy: str = "first",
                curator: str | None = None, layers: Sequence[str] = ("entities",), fmt: str | None = None,
                langs: Any = None, options: Mapping[str, Any] | None = None, review_fmt: str | None = None,
                review_options: Mapping[str, Any] | None = None, out_format: str | None = None,
                write_options: Mapping[str, Any] | None = None, manifest: PathLike | None = None,
                progress: Callable[[int], None] | None = None, spill_at: int = SPILL_AT) -> MergeStats:
    """Fold the reviews in ``reviewed`` into ``base`` and write ``output`` atomically (lancang JSONL unless
    ``out_format`` or its name says otherwise); see the module's documentation. ``fmt``/``langs``/``options``
    read BASE (``langs`` also names the sides of review files whose format does not); ``review_fmt`` and
    ``review_options`` read the reviews. With ``manifest``, a ``review`` step is appended to its log."""
    from ..corpora.formats import format_for_path, read_located, write_corpus
    from ..corpora.manifest import ProcessingLog

    if not reviewed:
        raise UsageError("give at least one REVIEWED file")
    merger = Merger(policy, curator, tuple(layers))
    log = ProcessingLog(manifest, "merge")
    stats = MergeStats(policy=policy)
    with ReviewStore(spill_at) as store:
        load_reviews(reviewed, store, stats, fmt=review_fmt, langs=langs, options=review_options)

        def merged() -> Iterator[dict[str, Any]]:
            for k, (line, rec) in enumerate(read_located(base, fmt, langs, **dict(options or {})), 1):
                stats.records += 1
                rid = rec.get("id")
                reviews = store.take(str(rid)) if rid is not None else []
                if reviews:
                    stats.reviewed += 1
                    rec = merger.merge(rec, reviews, stats, _where(base, line, k))
                yield rec
                if progress and stats.records % 1000 == 0:
                    progress(stats.records)
            if progress:
                progress(stats.records)
            for key in store.leftovers():
                stats.orphans.add(key)

        if out_format is None and (str(output) == "-" or format_for_path(output) is None):
            out_format = "jsonl"
        write_corpus(merged(), output, out_format, langs, **dict(write_options or {}))
    if log:
        settings = {"policy": policy, "layers": list(layers)}
        if curator:
            settings["curator"] = curator
        counts = {"records": stats.records, "reviewed": stats.reviewed, "reviews": stats.reviews,
                  "empty_reviews": stats.empty, "layers": {k: stats.layers[k] for k in STATUSES},
                  "conflicts": {k: stats.conflicts[k] for k in CONFLICT_KINDS}, "orphans": stats.orphans.count}
        log.append(step="review", settings=settings, counts=counts, inputs=[base, *reviewed], outputs=[output],
                   records_in=stats.records, records_out=stats.records)
    return stats
