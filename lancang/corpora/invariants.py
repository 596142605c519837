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
                           f"{kind} span [{s!r}, {e!r}]: offsets are integers"))
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
                               f"code span [{s!r}, {e!r}]: offsets are integers"))
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
                           f"{kind} span [{s!r}, {e!r}]: offsets are integers"))
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
            issues.append(("offset-not-integer", "error", ip, f"entity span [{s!r}, {e!r}]: offsets are integers"))
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
                               f"fragment [{fs!r}, {fe!r}]: offsets are integers"))
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
                                   f"token pair ({i!r}, {j!r}): indices are integers"))
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
                                           f"sentence index {idx!r}: indices are integers"))
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
    an exception (this is what writers and ``convert`` run on records that did not pass the schema).

    The invariants run first, as if the record had the model's shape; only when they meet a value of
    another shape (an exception) are the layers and links walked by :func:`layer_shape_issues`, which
    names each wrong value by its JSON pointer. A well-formed record pays nothing for this."""
    issues = shape_issues(rec)
    if issues:
        return issues
    try:
        return check_invariants(rec)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        found = layer_shape_issues(rec)
        if found:
            return found
        return [("record-malformed", "error", "", f"the record's layers or links are not of the model's shape "
                                                  f"({type(exc).__name__}: {exc})")]


# ------------------------------------------------------------------------------------ layer shapes
#
# What check_invariants reads, and so what a record that skipped the schema must be for it to run. Each shape
# rule says what the record schema says of that value, under the id the schema engine gives it (so
# `validate` and `convert` name one wrong value alike), or an invariant id where the model has one; a pass
# and a fail fixture each in tests/corpora/test_invariants_shape.py:
#
#   container   the layers object, a layer, media, or a list a layer or link holds (spans, items, values,
#               relations, args, fragments, links, pairs, beads, a bead's src and tgt) of another JSON type:
#               record-malformed
#   item        an entity, relation, argument, segment, word, code, link, bead or side not an object:
#               schema-type
#   member      a member the model requires is absent (spans, items, values, start, end, t0, t1, args, ref,
#               kind, src, tgt, pairs, beads), the pointer naming the missing member: schema-required
#   pair        a span or fragment not a [start, end] array, a token pair not [i, j, S|P]: schema-type,
#               schema-min-items, schema-max-items
#   offset      an offset or index that is not a number: offset-not-integer (as 1.0 is, found by the invariants)
#   time        t0, t1 or a media duration that is not a finite number of seconds: schema-type
#   string      an id, a reference, a speaker or tier, a link's side that is not a string: schema-type

_LIST_MEMBERS = {"tokens": "spans", "sentences": "spans", "segments": "spans", "words": "spans",
                 "entities": "items", "codes": "items", **dict.fromkeys(_VALUE_LAYERS, "values")}


def _kind(v: Any) -> str:
    """A JSON value's type as a message names it ("a string", "an array of 3", "an object", "null")."""
    if isinstance(v, dict):
        return "an object"
    if isinstance(v, (list, tuple)):
        return f"an array of {len(v)}"
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, str):
        return "a string"
    return type(v).__name__


def _shown(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


class _Shapes:
    """Collects shape issues: one method per kind of value the invariants read."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, issue: Issue) -> None:
        self.issues.append(issue)

    def container(self, v: Any, ptr: str, what: str, kind: type) -> bool:
        if isinstance(v, kind):
            return True
        want = "an object" if kind is dict else "an array"
        self.add(("record-malformed", "error", ptr, f"{what} is {_kind(v)}, not {want}"))
        return False

    def item(self, v: Any, ptr: str, what: str) -> bool:
        if isinstance(v, dict):
            return True
        self.add(("schema-type", "error", ptr, f"{what} is {_kind(v)}, not an object"))
        return False

    def member(self, obj: dict[str, Any], key: str, ptr: str, what: str) -> bool:
        if key in obj:
            return True
        self.add(("schema-required", "error", f"{ptr}/{key}", f"{what} has no {key}"))
        return False

    def list_member(self, obj: dict[str, Any], key: str, ptr: str, what: str, required: bool = True) -> list[Any]:
        """``obj[key]`` when it is a list; [] (and an issue) when it is not, or absent and required."""
        if key not in obj:
            if required:
                self.add(("schema-required", "error", f"{ptr}/{key}", f"{what} has no {key}"))
            return []
        v = obj[key]
        return v if self.container(v, f"{ptr}/{key}", f"{what}'s {key}", list) else []

    def offset(self, v: Any, ptr: str, what: str) -> None:
        if not isinstance(v, (int, float)):  # a boolean is an int: offset-not-integer says the rest
            self.add(("offset-not-integer", "error", ptr, f"{what} is {_kind(v)} ({_shown(v)}), not a number"))

    def time(self, v: Any, ptr: str, what: str) -> None:
        if v.__class__ not in (int, float) or v != v or v in (float("inf"), float("-inf")):
            self.add(("schema-type", "error", ptr, f"{what} is {_shown(v)}, not a time in seconds"))

    def string(self, v: Any, ptr: str, what: str) -> None:
        if not isinstance(v, str):
            self.add(("schema-type", "error", ptr, f"{what} is {_kind(v)} ({_shown(v)}), not a string"))

    def pair(self, v: Any, n: int, ptr: str, what: str, want: str) -> bool:
        """``v`` an array of ``n`` (the schema's type, then minItems and maxItems)."""
        if isinstance(v, (list, tuple)) and len(v) == n:
            return True
        if not isinstance(v, (list, tuple)):
            self.add(("schema-type", "error", ptr, f"{what} is {_kind(v)}, not {want}"))
        elif len(v) < n:
            self.add(("schema-min-items", "error", ptr, f"{what} is {_kind(v)}, not {want}"))
        else:
            self.add(("schema-max-items", "error", ptr, f"{what} is {_kind(v)}, not {want}"))
        return False

    def span(self, v: Any, ptr: str, what: str) -> None:
        if not self.pair(v, 2, ptr, what, "a [start, end] pair"):
            return
        self.offset(v[0], f"{ptr}/0", f"{what}'s start")
        self.offset(v[1], f"{ptr}/1", f"{what}'s end")

    def spans(self, lay: dict[str, Any], ptr: str, what: str) -> None:
        for i, sp in enumerate(self.list_member(lay, "spans", ptr, f"{what} layer")):
            self.span(sp, f"{ptr}/spans/{i}", f"{what} span")

    def timed(self, lay: dict[str, Any], ptr: str, what: str) -> None:
        for i, it in enumerate(self.list_member(lay, "spans", ptr, f"{what}s layer")):
            ip = f"{ptr}/spans/{i}"
            if not self.item(it, ip, what):
                continue
            for key in ("start", "end"):
                if self.member(it, key, ip, what):
                    self.offset(it[key], f"{ip}/{key}", f"{what} {key}")
            for key in ("t0", "t1"):
                if self.member(it, key, ip, what):
                    self.time(it[key], f"{ip}/{key}", f"{what} {key}")
            for key in ("speaker", "tier"):
                if it.get(key) is not None:
                    self.string(it[key], f"{ip}/{key}", f"{what} {key}")

    def entities(self, lay: dict[str, Any], ptr: str) -> None:
        for i, it in enumerate(self.list_member(lay, "items", ptr, "entities layer")):
            ip = f"{ptr}/items/{i}"
            if not self.item(it, ip, "entity"):
                continue
            for key in ("start", "end"):
                if self.member(it, key, ip, "entity"):
                    self.offset(it[key], f"{ip}/{key}", f"entity {key}")
            if "id" in it:
                self.string(it["id"], f"{ip}/id", "entity id")
            for j, fr in enumerate(self.list_member(it, "fragments", ip, "entity", required=False)):
                self.span(fr, f"{ip}/fragments/{j}", "fragment")
        for i, rel in enumerate(self.list_member(lay, "relations", ptr, "entities layer", required=False)):
            rp = f"{ptr}/relations/{i}"
            if not self.item(rel, rp, "relation"):
                continue
            if "id" in rel:
                self.string(rel["id"], f"{rp}/id", "relation id")
            for j, arg in enumerate(self.list_member(rel, "args", rp, "relation")):
                ap = f"{rp}/args/{j}"
                if self.item(arg, ap, "relation argument") and self.member(arg, "ref", ap, "relation argument"):
                    self.string(arg["ref"], f"{ap}/ref", "relation argument's ref")

    def codes(self, lay: dict[str, Any], ptr: str) -> None:
        for i, it in enumerate(self.list_member(lay, "items", ptr, "codes layer")):
            ip = f"{ptr}/items/{i}"
            if self.item(it, ip, "code") and self.member(it, "start", ip, "code"):
                self.offset(it["start"], f"{ip}/start", "code start")
                if "end" in it:
                    self.offset(it["end"], f"{ip}/end", "code end")

    def side(self, side: Any, sp: str, only: Iterable[str] | None = None) -> None:
        if not self.item(side, sp, "side"):
            return
        if "text" in side and not isinstance(side["text"], str):
            self.add(("schema-type", "error", f"{sp}/text", f"a side's text is {_kind(side['text'])}, not a string"))
        media = side.get("media")
        if only is None and media is not None and self.container(media, f"{sp}/media", "media", dict) \
                and media.get("duration") is not None:
            self.time(media["duration"], f"{sp}/media/duration", "media duration")
        layers = side.get("layers")
        if layers is None or not self.container(layers, f"{sp}/layers", "layers", dict):
            return
        for name in (layers if only is None else [n for n in only if n in layers]):
            lp = f"{sp}/layers/" + name.replace("~", "~0").replace("/", "~1")
            member = _LIST_MEMBERS.get(name)
            if member is None:  # an x- layer or one the model does not define: the invariants do not read it
                continue
            lay = layers[name]
            if not self.container(lay, lp, f"{name} layer", dict):
                continue
            if name in ("tokens", "sentences"):
                self.spans(lay, lp, name[:-1])
            elif name in ("segments", "words"):
                self.timed(lay, lp, name[:-1])
            elif name == "entities":
                self.entities(lay, lp)
            elif name == "codes":
                self.codes(lay, lp)
            else:
                self.list_member(lay, "values", lp, f"{name} layer")

    def links(self, rec: dict[str, Any]) -> None:
        for li, link in enumerate(self.list_member(rec, "links", "", "record", required=False)):
            lp = f"/links/{li}"
            if not self.item(link, lp, "link"):
                continue
            for key in ("src", "tgt"):
                if self.member(link, key, lp, "link"):
                    self.string(link[key], f"{lp}/{key}", f"link {key}")
            if not self.member(link, "kind", lp, "link"):
                continue
            if link["kind"] == "tokens":
                for pi, pair in enumerate(self.list_member(link, "pairs", lp, "token link")):
                    pp = f"{lp}/pairs/{pi}"
                    if not self.pair(pair, 3, pp, "token pair", "[source, target, S or P]"):
                        continue
                    self.offset(pair[0], f"{pp}/0", "token pair's source index")
                    self.offset(pair[1], f"{pp}/1", "token pair's target index")
            else:
                for bi, bead in enumerate(self.list_member(link, "beads", lp, "bead link")):
                    bp = f"{lp}/beads/{bi}"
                    if not self.item(bead, bp, "bead"):
                        continue
                    for key in ("src", "tgt"):
                        for k, idx in enumerate(self.list_member(bead, key, bp, "bead")):
                            self.offset(idx, f"{bp}/{key}/{k}", "sentence index")


def side_shape_issues(side: Any, base: str, layers: Iterable[str] | None = None) -> list[Issue]:
    """Shape issues of one side (``base``: its JSON pointer, ``/sides/zh``): an object, a string text,
    media an object with a duration in seconds, the layers an object, and each layer (only those named in
    ``layers`` when given, and then media is not looked at) of the model's shape. See
    :func:`layer_shape_issues`."""
    sh = _Shapes()
    sh.side(side, base, layers)
    return sh.issues


def layer_shape_issues(rec: dict[str, Any]) -> list[Issue]:
    """Every value of a record's sides, layers and links that is not of the model's shape, with its JSON
    pointer (the rule ids are listed above): what :func:`check_record` reports when the invariants meet a
    value they cannot read. ``rec`` has passed :func:`shape_issues`."""
    sh = _Shapes()
    for lang, side in rec["sides"].items():
        sh.side(side, pointer("sides", lang))
    sh.links(rec)
    return sh.issues


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
