"""The model's invariants: what JSON Schema cannot say about a record, checked in one place.

Offsets inside the text, integers and in order; tokens not overlapping; sentences tiling the text;
per-token layers as long as the tokens; relation and link references that resolve; NFC text; speech
layers (``segments``, ``words``) with ``t0 <= t1``, inside the media's duration, segments ordered by
time, not overlapping in text, and not overlapping in time per speaker unless the layer allows it. The
validator (:mod:`lancang.schemas.validator`) runs :func:`check_invariants` on records that passed the
schema; writers of other formats and ``convert`` run :func:`check_record`, which also survives
records of the wrong shape, through :class:`RecordGuard` (unique ids too), so nothing is written that
``validate`` would reject. :func:`duplicate_key` finds a key repeated in one JSON object, which a JSON
parser would silently collapse.

Issues are ``(rule, severity, JSON pointer, message)``; the rule ids are the validator's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from itertools import chain
from operator import itemgetter
from typing import Any

import orjson

from ..errors import InputError
from ..findings import pointer
from .dupes import DuplicateIndex

Issue = tuple[str, str, str, str]  # rule, severity, pointer, message
_VALUE_LAYERS = ("pos", "xpos", "lemma", "feats", "head", "deprel", "deps", "misc")


def _not_int(a: Any, b: Any = 0) -> bool:
    """Whether an offset or index is not an integer (``1.0`` passes JSON Schema's "integer")."""
    return a.__class__ is not int or b.__class__ is not int


def _spans_ok(spans: list[list[int]], n: int) -> bool:
    """Fast path: spans are non-empty, ordered, disjoint and end inside the text.

    Only when this fails does :func:`_check_spans` run to say where and why.
    """
    prev = 0
    for s, e in spans:
        if s < prev or e <= s or s.__class__ is not int or e.__class__ is not int:
            return False
        prev = e
    return prev <= n


def _check_spans(spans: list[list[int]], n: int, base: str, kind: str, issues: list[Issue]) -> bool:
    """Spans inside [0, n], non-empty, ordered and disjoint: findings for each that is not.

    Returns True when all hold. Callers try :func:`_spans_ok` first.
    """
    ok = True
    prev_end = 0
    prev_start = -1
    for i, (s, e) in enumerate(spans):
        if _not_int(s, e):
            issues.append(("offset-not-integer", "error", f"{base}/{i}",
                           f"{kind} span [{s}, {e}]: offsets are integers"))
            ok = False
            continue
        if s < 0 or e > n:
            issues.append(("span-out-of-range", "error", f"{base}/{i}",
                           f"{kind} span [{s}, {e}] is not inside the text (length {n})"))
            ok = False
        if s > e:
            issues.append(("span-reversed", "error", f"{base}/{i}", f"{kind} span [{s}, {e}] ends before it starts"))
            ok = False
            continue
        if s == e:
            issues.append(("span-empty", "error", f"{base}/{i}", f"{kind} span [{s}, {e}] is empty"))
            ok = False
        if s < prev_start:
            issues.append(("spans-unordered", "error", f"{base}/{i}",
                           f"{kind} span [{s}, {e}] starts before the previous one (at {prev_start})"))
            ok = False
        elif s < prev_end:
            issues.append(("spans-overlap", "error", f"{base}/{i}",
                           f"{kind} span [{s}, {e}] overlaps the previous one (which ends at {prev_end})"))
            ok = False
        prev_start = s
        if e > prev_end:
            prev_end = e
    return ok


def _check_tiling(spans: list[list[int]], text: str, base: str, issues: list[Issue]) -> None:
    """Every character outside the sentences must be white space."""
    pos = 0
    for i, (s, e) in enumerate(spans):
        if s > pos and text[pos:s].strip():
            issues.append(("sentences-gap", "error", f"{base}/{i}",
                           f"text [{pos}, {s}] {text[pos:s][:20]!r} lies outside every sentence"))
        pos = max(pos, e)
    if text[pos:].strip():
        issues.append(("sentences-gap", "error", base,
                       f"text [{pos}, {len(text)}] {text[pos:][:20]!r} lies after the last sentence"))


def _first_non_nfc(text: str) -> int:
    for i in range(len(text)):
        if not unicodedata.is_normalized("NFC", text[max(0, i - 1):i + 1]):
            return i if not unicodedata.is_normalized("NFC", text[i]) else i - 1
    return 0


def _check_side(lang: str, side: dict[str, Any], issues: list[Issue]) -> None:
    text = side["text"]
    n = len(text)
    sp = "/sides/" + lang.replace("~", "~0").replace("/", "~1")  # pointer("sides", lang), inlined: once a side
    if not unicodedata.is_normalized("NFC", text):
        first = _first_non_nfc(text)
        issues.append(("text-not-nfc", "error", sp + "/text",
                       f"text is not in Unicode NFC (first difference near offset {first})"))
    layers = side.get("layers")
    if not layers:
        return
    lp = sp + "/layers"
    ntok = None
    tok = layers.get("tokens")
    if tok is not None:
        spans = tok["spans"]
        if not _spans_ok(spans, n):
            _check_spans(spans, n, lp + "/tokens/spans", "token", issues)
        ntok = len(spans)
    sent = layers.get("sentences")
    if sent is not None:
        spans = sent["spans"]
        if _spans_ok(spans, n) or _check_spans(spans, n, lp + "/sentences/spans", "sentence", issues):
            _check_tiling(spans, text, lp + "/sentences/spans", issues)
    for name in _VALUE_LAYERS:
        lay = layers.get(name)
        if lay is None:
            continue
        if ntok is None:
            issues.append(("layer-missing", "error", f"{lp}/{name}", f"per-token layer {name!r} needs a tokens layer"))
        elif len(lay["values"]) != ntok:
            issues.append(("layer-length-mismatch", "error", f"{lp}/{name}/values",
                           f"{name} has {len(lay['values'])} values for {ntok} tokens"))
    ents = layers.get("entities")
    if ents is not None:
        _check_entities(ents, n, lp + "/entities", issues)
    media = side.get("media")
    if "segments" in layers or "words" in layers or media:
        duration = media.get("duration") if media else None
        segs = layers.get("segments")
        if segs is not None:
            _check_segments(segs, n, duration, lp + "/segments", issues)
        words = layers.get("words")
        if words is not None:
            _check_times(words["spans"], n, duration, lp + "/words/spans", "word", issues)
        if duration is not None:
            _check_extents(layers, duration, lp, issues)
    codes = layers.get("codes")
    if codes is not None:
        for i, c in enumerate(codes["items"]):
            s = c["start"]
            e = c.get("end", s)
            if _not_int(s, e):
                issues.append(("offset-not-integer", "error", f"{lp}/codes/items/{i}",
                               f"code span [{s}, {e}]: offsets are integers"))
            elif s < 0 or s > e or e > n:
                issues.append(("span-out-of-range" if e > n else "span-reversed", "error",
                               f"{lp}/codes/items/{i}", f"code span [{s}, {e}] is not inside the text (length {n})"))


#: how far past the media's duration a time may end (seconds): formats round times to the millisecond
TIME_TOLERANCE = 0.001


def _check_times(items: list[dict[str, Any]], n: int, duration: float | None, base: str, kind: str,
                 issues: list[Issue]) -> None:
    """Each timed item (segment or word): integer offsets inside the text, ``t0 <= t1``, and ``t1``
    inside the media's duration (when known, with :data:`TIME_TOLERANCE`). Empty spans are allowed."""
    limit = None if duration is None else duration + TIME_TOLERANCE
    for i, it in enumerate(items):
        s, e, t0, t1 = it["start"], it["end"], it["t0"], it["t1"]
        if _not_int(s, e):
            issues.append(("offset-not-integer", "error", f"{base}/{i}",
                           f"{kind} span [{s}, {e}]: offsets are integers"))
        elif s > e:
            issues.append(("span-reversed", "error", f"{base}/{i}", f"{kind} span [{s}, {e}] ends before it starts"))
        elif s < 0 or e > n:
            issues.append(("span-out-of-range", "error", f"{base}/{i}",
                           f"{kind} span [{s}, {e}] is not inside the text (length {n})"))
        if t0 > t1:
            issues.append(("time-reversed", "error", f"{base}/{i}",
                           f"{kind} ends at {t1} s, before it starts ({t0} s)"))
        if limit is not None and t1 > limit:
            issues.append(("time-past-media", "error", f"{base}/{i}/t1",
                           f"{kind} ends at {t1} s, after the end of the media ({duration} s)"))


def _check_extents(layers: dict[str, Any], duration: float, base: str, issues: list[Issue]) -> None:
    """The time axis a tier document declares (``xmax`` of an ``x-`` layer: a TextGrid's, an EAF's last
    time slot) must end inside the media too: a tier that runs past the audio was made for another file."""
    for name, lay in layers.items():
        if name.startswith("x-") and isinstance(lay, dict):
            end = lay.get("xmax")
            if isinstance(end, (int, float)) and end > duration + TIME_TOLERANCE:
                issues.append(("time-past-media", "error", f"{base}/{name}/xmax",
                               f"the {name[2:]} time axis ends at {end} s, after the end of the media ({duration} s)"))


def _check_segments(lay: dict[str, Any], n: int, duration: float | None, base: str, issues: list[Issue]) -> None:
    """Segments: :func:`_check_times`, ordered by (t0, t1), text spans not overlapping each other, and
    no two segments of one speaker overlapping in time unless the layer says ``overlap``. A segment's
    speaker is its ``speaker``, else its ``tier``, else the side's one implicit speaker."""
    segs = lay["spans"]
    base_spans = base + "/spans"
    _check_times(segs, n, duration, base_spans, "segment", issues)
    if len(segs) < 2:
        return
    prev = None
    for i, it in enumerate(segs):
        key = (it["t0"], it["t1"])
        if prev is not None and key < prev:
            issues.append(("segments-unordered", "error", f"{base_spans}/{i}",
                           f"segment [{key[0]}, {key[1]}] s comes after [{prev[0]}, {prev[1]}] s; "
                           "segments are ordered by start then end time"))
        prev = key
    by_start = sorted(range(len(segs)), key=lambda k: (segs[k]["start"], segs[k]["end"]))
    end = -1
    last = -1
    for k in by_start:
        s, e = segs[k]["start"], segs[k]["end"]
        if s < end and s < e:
            issues.append(("spans-overlap", "error", f"{base_spans}/{k}",
                           f"segment span [{s}, {e}] overlaps the text of segment {last} (which ends at {end})"))
        if e > end:
            end, last = e, k
    if lay.get("overlap"):
        return
    ends: dict[Any, tuple[float, int]] = {}
    for i, it in enumerate(segs):
        who = it.get("speaker", it.get("tier"))
        before = ends.get(who)
        if before is not None and it["t0"] < before[0]:
            whom = f"speaker {who!r}" if who is not None else "the side's speaker"
            issues.append(("segments-overlap-in-time", "error", f"{base_spans}/{i}",
                           f"segment [{it['t0']}, {it['t1']}] s of {whom} starts before segment {before[1]} ends "
                           f"({before[0]} s); set the layer's overlap to true if that is meant"))
        if before is None or it["t1"] > before[0]:
            ends[who] = (it["t1"], i)


def _check_entities(ents: dict[str, Any], n: int, base: str, issues: list[Issue]) -> None:
    ids: set[str] = set()
    for i, it in enumerate(ents["items"]):
        s, e = it["start"], it["end"]
        ip = f"{base}/items/{i}"
        if _not_int(s, e):
            issues.append(("offset-not-integer", "error", ip, f"entity span [{s}, {e}]: offsets are integers"))
            continue
        if s < 0 or e > n:
            issues.append(("span-out-of-range", "error", ip,
                           f"entity span [{s}, {e}] is not inside the text (length {n})"))
        elif s > e:
            issues.append(("span-reversed", "error", ip, f"entity span [{s}, {e}] ends before it starts"))
        elif s == e:
            issues.append(("span-empty", "error", ip, f"entity span [{s}, {e}] is empty"))
        for j, (fs, fe) in enumerate(it.get("fragments", ())):
            if _not_int(fs, fe):
                issues.append(("offset-not-integer", "error", f"{ip}/fragments/{j}",
                               f"fragment [{fs}, {fe}]: offsets are integers"))
            elif fs < s or fe > e or fs > fe:
                issues.append(("fragment-outside", "error", f"{ip}/fragments/{j}",
                               f"fragment [{fs}, {fe}] is not inside the entity [{s}, {e}]"))
        eid = it.get("id")
        if eid is not None:
            if eid in ids:
                issues.append(("duplicate-entity-id", "error", ip + "/id", f"entity id {eid!r} used twice"))
            ids.add(eid)
    for i, rel in enumerate(ents.get("relations", ())):
        rp = f"{base}/relations/{i}"
        rid = rel.get("id")
        if rid is not None:
            if rid in ids:
                issues.append(("duplicate-entity-id", "error", rp + "/id",
                               f"relation id {rid!r} is already used by an entity or relation"))
            ids.add(rid)
        for j, arg in enumerate(rel["args"]):
            if arg["ref"] not in ids:
                issues.append(("relation-dangling-ref", "error", f"{rp}/args/{j}/ref",
                               f"relation argument {arg['role']} refers to {arg['ref']!r}, no entity of this side"))


def _check_links(rec: dict[str, Any], issues: list[Issue]) -> None:
    sides = rec["sides"]
    for li, link in enumerate(rec["links"]):
        base = f"/links/{li}"
        src, tgt = link["src"], link["tgt"]
        missing = [x for x in (src, tgt) if x not in sides]
        if missing:
            for m in missing:
                issues.append(("link-unknown-side", "error", base,
                               f"link names side {m!r}, which the record does not have"))
            continue
        if src == tgt:
            issues.append(("link-same-side", "error", base, f"link joins side {src!r} to itself"))
        if link["kind"] == "tokens":
            counts = [_layer_len(sides[x], "tokens") for x in (src, tgt)]
            if None in counts:
                x = (src, tgt)[counts.index(None)]
                issues.append(("layer-missing", "error", base, f"token link needs a tokens layer on side {x!r}"))
                continue
            ns, nt = counts
            pairs = link["pairs"]
            if not pairs or (max(map(_first, pairs)) < ns and max(map(_second, pairs)) < nt
                             and min(map(_first, pairs)) >= 0 and min(map(_second, pairs)) >= 0
                             and type(sum(map(_first, pairs)) + sum(map(_second, pairs))) is int
                             and len(set(map(_pair_key, pairs))) == len(pairs)):
                continue  # fast path: all in range, no duplicates
            seen: set[tuple[int, int]] = set()
            for pi, (i, j, _f) in enumerate(pairs):
                if _not_int(i, j):
                    issues.append(("offset-not-integer", "error", f"{base}/pairs/{pi}",
                                   f"token pair ({i}, {j}): indices are integers"))
                    continue
                if i >= ns or j >= nt or i < 0 or j < 0:
                    issues.append(("link-index-out-of-range", "error", f"{base}/pairs/{pi}",
                                   f"token pair ({i}, {j}) is out of range ({src} has {ns} tokens, {tgt} has {nt})"))
                if (i, j) in seen:
                    issues.append(("link-duplicate", "warning", f"{base}/pairs/{pi}",
                                   f"token pair ({i}, {j}) listed twice"))
                seen.add((i, j))
        else:
            counts = [_layer_len(sides[x], "sentences") for x in (src, tgt)]
            if None in counts:
                x = (src, tgt)[counts.index(None)]
                issues.append(("layer-missing", "error", base, f"sentence beads need a sentences layer on side {x!r}"))
                continue
            beads = link["beads"]
            si = list(chain.from_iterable(map(_src, beads)))
            ti = list(chain.from_iterable(map(_tgt, beads)))
            if ((not si or (max(si) < counts[0] and min(si) >= 0 and len(set(si)) == len(si)))
                    and (not ti or (max(ti) < counts[1] and min(ti) >= 0 and len(set(ti)) == len(ti)))
                    and type(sum(si) + sum(ti)) is int):
                continue  # fast path
            for key, lang, cnt in (("src", src, counts[0]), ("tgt", tgt, counts[1])):
                used: set[int] = set()
                for bi, bead in enumerate(link["beads"]):
                    for k, idx in enumerate(bead[key]):
                        if _not_int(idx):
                            issues.append(("offset-not-integer", "error", f"{base}/beads/{bi}/{key}/{k}",
                                           f"sentence index {idx}: indices are integers"))
                        elif idx >= cnt or idx < 0:
                            issues.append(("link-index-out-of-range", "error", f"{base}/beads/{bi}/{key}/{k}",
                                           f"sentence {idx} is out of range ({lang} has {cnt} sentences)"))
                        elif idx in used:
                            issues.append(("link-duplicate", "error", f"{base}/beads/{bi}/{key}/{k}",
                                           f"sentence {idx} of {lang} is in more than one bead"))
                        used.add(idx)


_first, _second = itemgetter(0), itemgetter(1)
_src, _tgt = itemgetter("src"), itemgetter("tgt")
_pair_key = itemgetter(0, 1)


def _layer_len(side: dict[str, Any], name: str) -> int | None:
    lay = side.get("layers", {}).get(name)
    return None if lay is None else len(lay["spans"])


def check_invariants(rec: dict[str, Any]) -> list[Issue]:
    """The model's invariants for one schema-valid record, as (rule, severity, pointer, message)."""
    issues: list[Issue] = []
    for lang, side in rec["sides"].items():
        _check_side(lang, side, issues)
    if "links" in rec:
        _check_links(rec, issues)
    return issues


# ------------------------------------------------------------------------------------ any record

def shape_issues(rec: Any) -> list[Issue]:
    """The least a record must be for :func:`check_invariants` to run (the schema's core, cheaply)."""
    if not isinstance(rec, dict):
        return [("record-not-object", "error", "", "a record is a JSON object")]
    if not isinstance(rec.get("id"), str) or not rec["id"]:
        return [("schema-required", "error", "/id", "a record has a non-empty string id")]
    sides = rec.get("sides")
    if not isinstance(sides, dict) or not sides:
        return [("schema-required", "error", "/sides", "a record has at least one side")]
    for lang, side in sides.items():
        if not isinstance(side, dict) or not isinstance(side.get("text"), str):
            return [("schema-type", "error", pointer("sides", lang, "text"), "a side has a text string")]
    return []


def check_record(rec: Any) -> list[Issue]:
    """Invariants of any record, schema-checked or not: a record of the wrong shape gives an issue, never
    an exception (this is what writers and ``convert`` run on records that did not pass the schema)."""
    issues = shape_issues(rec)
    if issues:
        return issues
    try:
        return check_invariants(rec)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        return [("record-malformed", "error", "", f"the record's layers or links are not of the model's shape "
                                                  f"({type(exc).__name__}: {exc})")]


def require_valid(rec: Any, where: str) -> Any:
    """``rec`` if :func:`check_record` finds no error in it, else :class:`~lancang.errors.InputError` with
    ``where`` (file and line), the record id and the JSON pointer of the first error."""
    for rule, severity, ptr, msg in check_record(rec):
        if severity == "error":
            rid = rec.get("id") if isinstance(rec, dict) else None
            raise InputError(f"{where}: record {rid!r} {ptr or '/'}: {msg} [{rule}]")
    return rec


class RecordGuard:
    """Checks a stream of records before they are written: invariants (:func:`check_record`) and unique
    ids (in bounded memory). Raises :class:`~lancang.errors.InputError` naming ``where``, the record id and
    the JSON pointer at the first error; call :meth:`finish` after the stream for ids repeated late.
    ``ids=False``: the caller has made the ids unique already (``clean`` rejects a repeated id), so they
    are not tracked a second time; ``invariants=False``: the caller has checked each record already."""

    def __init__(self, where: str, ids: bool = True, invariants: bool = True):
        self.where = where
        self.ids = DuplicateIndex() if ids else None
        self.invariants = invariants
        self.n = 0

    def check(self, rec: Any) -> Any:
        self.n += 1
        if self.invariants:
            require_valid(rec, self.where)
        first = None if self.ids is None else self.ids.add(rec["id"], self.n)
        if first is not None:
            raise InputError(f"{self.where}: record {rec['id']!r} /id: the id of record number {first} again "
                             f"(number {self.n}) [duplicate-id]; nothing was written")
        return rec

    def finish(self) -> None:
        if self.ids is None:
            return
        try:
            for key, first, dup, _tag in self.ids.late_duplicates():
                raise InputError(f"{self.where}: record {key!r} /id: the id of record number {first} again "
                                 f"(number {dup}) [duplicate-id]; nothing was written")
        finally:
            self.ids.close()


# ------------------------------------------------------------------------------------ duplicate keys

_KEY_END = re.compile(rb'"\s*:')
_KEY_SPACE = re.compile(rb'"\s+:')


def duplicate_key(raw: bytes, value: Any) -> str | None:
    """The JSON pointer of the first key repeated within one object of ``raw`` (``value`` is what a
    parser made of it, keeping only the last of repeated keys), or None.

    Cheap: ``value`` written again by orjson (C speed) has one ``":`` per key it kept, plus the same
    ``":`` inside strings as ``raw`` (both escape a quote in a string as ``\\"``). A line that is that
    rewrite (as lancang and orjson write them) has no repeated key; otherwise, when ``raw`` holds no more
    key ends than the rewrite, no key was repeated either, and only when it holds more is the line
    parsed again with a hook that sees every key. (A string spelling a quote as ``\\u0022`` before a
    colon could hide one repeat; no JSON writer does that.)
    """
    norm = orjson.dumps(value)
    if raw.startswith(norm) and len(raw) - len(norm) <= 2 and not raw[len(norm):].strip():
        return None
    ends = len(_KEY_END.findall(raw)) if _KEY_SPACE.search(raw) else raw.count(b'":')
    if ends <= norm.count(b'":'):
        return None
    return _first_repeat(raw)


def _first_repeat(raw: bytes) -> str | None:
    """The JSON pointer of the first key repeated in one object (parsed again, keeping every key)."""
    import json

    try:
        tree = json.loads(raw, object_pairs_hook=_Pairs)
    except ValueError:
        return None

    def walk(node: Any, path: str) -> str | None:
        if isinstance(node, _Pairs):
            seen: set[str] = set()
            for k, _v in node:
                if k in seen:
                    return path + pointer(k)
                seen.add(k)
            items: Any = iter(node)
        elif isinstance(node, list):
            items = enumerate(node)
        else:
            return None
        for k, v in items:
            hit = walk(v, path + pointer(k))
            if hit is not None:
                return hit
        return None

    return walk(tree, "")


class _Pairs(list):
    """A JSON object as the list of its (key, value) pairs, repeated keys kept."""


def guarded(records: Iterable[dict[str, Any]], where: str, ids: bool = True,
            invariants: bool = True) -> Iterator[dict[str, Any]]:
    """``records`` checked one by one as they stream (:class:`~lancang.corpora.invariants.RecordGuard`:
    offsets and references unless ``invariants`` is False, unique ids unless ``ids`` is False): the
    first that would be written wrong raises, so an atomic writer leaves nothing behind."""
    guard = RecordGuard(where, ids, invariants)
    try:
        for rec in records:
            yield guard.check(rec)
        guard.finish()
    finally:
        if guard.ids is not None:
            guard.ids.close()
