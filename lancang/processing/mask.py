"""``lancang mask``: find personal data on every side of a corpus and redact, pseudonymise or tag it.

The detectors (:mod:`lancang.processing.detectors`) find the values; this module decides what becomes
of them and keeps the record valid:

* ``redact`` replaces a value with a typed placeholder, one language-neutral convention for every
  side: ``[`` + the detector's type in upper-case ASCII + ``]`` (``[PHONE]``, ``[CN_ID]``, ``[EMAIL]``);
  the same token on a Chinese side and on its Vietnamese translation, so aligners and reviewers see
  that the two sides held the same kind of value;
* ``pseudonymise`` replaces it with the detector's format-keeping surrogate, chosen by
  HMAC-SHA256(key, type + U+001F + normalised value) with a key file of at least 32 bytes: the same
  value gets the same surrogate in every side, record and file masked with the same key, and a
  checksum stays valid where the format has one. Where the surrogate is as long as the value it is
  written character by character, so every offset keeps its place and no span is cut.
  The surrogates' spans are kept in the side's ``x-pii`` layer (``"surrogate": true``, type and
  detector, never a value): a surrogate looks like a real phone number, and this is how masking again
  and the ``pii-residual`` rule know it is not one;
* ``tag`` leaves the text alone and adds the ``x-pii`` layer (start, end, type, detector, score) for a
  person to review.

Every offset layer is remapped by :func:`lancang.corpora.edits.apply_edits`. A span that a
replacement cuts (a value over several tokens, a sentence boundary inside a value, an entity or an
inline code that overlaps a value) is re-segmented: overlapping tokens (or sentences) become one
token (sentence) covering the replacement, per-token values, token links and sentence beads follow
the new indices; entities and codes are widened to cover the replacement. Where that cannot keep the
record valid (a dependency tree over tokens that had to merge), the tree layers of that side are
dropped. Each such change is reported in the summary with its location (file, line, record, side,
layer, index). The result is checked with :func:`lancang.corpora.invariants.check_record`; a record
masking would break stops the run, it is never written.

Strings in record and side ``meta`` (CoNLL-U ``# text =`` comments, translations, TMX notes and
attributes: copies of the text readers keep) are masked like the text, surrogates marked in
``meta["x-pii"]`` by JSON pointer; ``tag`` leaves them alone.

Masking is idempotent: placeholders and marked surrogates are not masked again, and a record with
nothing left to mask is written as it was read. Original values are never written anywhere but
(replaced) into OUT: the summary, the errors and the processing log carry counts per type and
locations only.
"""

from __future__ import annotations

import bisect
import copy
import functools
import hashlib
import hmac
import os
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex

from ..corpora.edits import apply_edits
from ..corpora.invariants import check_record
from ..corpora.model import VALUE_LAYERS, Provenance, now_iso
from ..errors import InputError, UsageError
from ..findings import pointer

PathLike = str | os.PathLike
STRATEGIES = ("redact", "pseudonymise", "tag")
#: the review / surrogate layer (an ``x-`` layer: every reader keeps it, apply_edits remaps it)
PII_LAYER = "x-pii"
MIN_KEY_BYTES = 32
#: how many located changes the summary lists (the counts are always complete)
MAX_LOCATIONS = 1000
#: masking runs on its own output until nothing new is found, at most this many times
MAX_PASSES = 4
#: layers that make a dependency tree over token indices: dropped where tokens had to merge
TREE_LAYERS = ("head", "deprel", "deps")
_PLACEHOLDER = regex.compile(r"\[[A-Z][A-Z0-9_]*\]")
_NOT_ALNUM = regex.compile(r"[^A-Z0-9]+")
_SEPARATORS = regex.compile(r"[\s\-.()/]+")


def placeholder(pii_type: str) -> str:
    """The redaction placeholder of a type: ``phone`` -> ``[PHONE]``, ``cn-id`` -> ``[CN_ID]``."""
    return "[" + (_NOT_ALNUM.sub("_", pii_type.upper()).strip("_") or "PII") + "]"


def is_placeholder(text: str) -> bool:
    return _PLACEHOLDER.fullmatch(text) is not None


def load_key(path: PathLike | None) -> bytes:
    """The pseudonymisation key: the bytes of a file of at least :data:`MIN_KEY_BYTES` bytes."""
    if path is None:
        raise UsageError("--strategy pseudonymise needs --key-file K (at least 32 random bytes, "
                         "e.g. `head -c 32 /dev/urandom > K`; keep it secret and keep it: the same key "
                         "gives the same surrogates)")
    try:
        key = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such key file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the key file: {exc.strerror or exc}") from None
    if len(key) < MIN_KEY_BYTES:
        raise InputError(f"{path}: the key file has {len(key)} bytes; a pseudonymisation key has at least "
                         f"{MIN_KEY_BYTES} (e.g. `head -c 32 /dev/urandom > {Path(path).name}`)")
    return key


def key_id(key: bytes) -> str:
    """A short name of a key that does not reveal it (logged, so runs with the same key can be told apart)."""
    return hmac.new(key, b"lancang mask key id", hashlib.sha256).hexdigest()[:16]


def normalised(value: str) -> str:
    """The form of a value its surrogate is keyed on when its detector has no ``normalise``: digits of
    every script and full-width forms as ASCII (:func:`~lancang.processing.detectors.base.fold`), NFKC,
    case folded, separators (white space, dashes, dots, brackets, slashes) removed: ``138-0013-8000``
    and ``１３８ ００１３ ８０００`` are one value."""
    from .detectors.base import fold

    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", fold(value)).casefold())


# ------------------------------------------------------------------------------------ statistics

@dataclass
class MaskStats:
    strategy: str = "redact"
    records: int = 0
    #: records whose text or layers changed
    changed: int = 0
    #: values masked (or tagged) per type
    counts: Counter[str] = field(default_factory=Counter)
    #: values found again that are already masked (placeholders, marked surrogates)
    already: int = 0
    #: spans a replacement cut, per "layer action" (merged: groups of spans made one; widened; dropped)
    adjusted: Counter[str] = field(default_factory=Counter)
    #: where they were (at most MAX_LOCATIONS): file, line, record, side, layer, index, action
    locations: list[dict[str, Any]] = field(default_factory=list)

    def note(self, where: Mapping[str, Any], side: str, layer: str, index: int | None, action: str) -> None:
        self.adjusted[f"{layer} {action.split()[0]}"] += 1
        if len(self.locations) < MAX_LOCATIONS:
            loc = {**where, "side": side, "layer": layer, "action": action}
            if index is not None:
                loc["index"] = index
            self.locations.append(loc)

    def to_dict(self) -> dict[str, Any]:
        return {"strategy": self.strategy, "records": self.records, "changed": self.changed,
                "masked": dict(sorted(self.counts.items())), "already_masked": self.already,
                "adjusted": dict(sorted(self.adjusted.items())), "locations": list(self.locations),
                "locations_truncated": sum(self.adjusted.values()) > len(self.locations)}


# ------------------------------------------------------------------------------------ masking

class Masker:
    """Masks records one at a time with the given detectors and strategy (plain data in, new record out:
    the input record is never changed)."""

    def __init__(self, detectors: Sequence[Any], strategy: str = "redact", key: bytes | None = None,
                 time: str | None = None):
        if strategy not in STRATEGIES:
            raise UsageError(f"--strategy must be one of {', '.join(STRATEGIES)}, not {strategy!r}")
        if strategy == "pseudonymise" and (key is None or len(key) < MIN_KEY_BYTES):
            raise UsageError(f"pseudonymise needs a key of at least {MIN_KEY_BYTES} bytes")
        self.detectors = list(detectors)
        self.by_name = {d.name: d for d in self.detectors}
        self.strategy = strategy
        self.key = key
        from .. import __version__

        self.provenance = Provenance.auto("lancang mask", __version__, {"strategy": strategy}, time=time or now_iso())

    # ------------------------------------------------------------------------------ one record

    def mask(self, rec: dict[str, Any], stats: MaskStats, where: Mapping[str, Any]) -> dict[str, Any]:
        """The masked copy of ``rec`` (``rec`` itself when nothing was masked).

        Masking runs again on its own result until nothing new is found (at most :data:`MAX_PASSES`
        passes): a value that a neighbouring one hid from a detector (``138 0013 8000 0812-3456-7890``
        read as one run of digits) is found once its neighbour is a placeholder, and masking the result
        again changes nothing."""
        stats.records += 1
        out = rec
        for n in range(MAX_PASSES):
            new = self._pass(out, stats, where, first=n == 0)
            if new is out:
                break
            out = new
        else:
            raise InputError(f"{_here(where)}: masking found new values after {MAX_PASSES} passes; "
                             "nothing was written (a detector keeps finding its own output)")
        if out is not rec:
            stats.changed += 1
        return out

    def _pass(self, rec: dict[str, Any], stats: MaskStats, where: Mapping[str, Any], first: bool) -> dict[str, Any]:
        sides = rec["sides"]
        new_sides: dict[str, Any] = {}
        token_maps: dict[str, list[int]] = {}
        sentence_maps: dict[str, list[int]] = {}
        changed = False
        for tag, side in sides.items():
            new_side, tmap, smap = self._text(side, tag, stats, where, first)
            if self.strategy != "tag" and isinstance(side.get("meta"), dict):
                meta = self._meta(side["meta"], tag, stats, where, first)
                if meta is not side["meta"]:
                    new_side = {**new_side, "meta": meta}
            if new_side is not side:
                changed = True
            new_sides[tag] = new_side
            if tmap is not None:
                token_maps[tag] = tmap
            if smap is not None:
                sentence_maps[tag] = smap
        meta = rec.get("meta")
        if self.strategy != "tag" and isinstance(meta, dict) and sides:
            meta = self._meta(meta, next(iter(sides)), stats, where, first)
        if not changed and meta is rec.get("meta"):
            return rec
        out = {**rec, "sides": new_sides}
        if meta is not rec.get("meta"):
            out["meta"] = meta
        if (token_maps or sentence_maps) and rec.get("links"):
            out["links"] = _remap_links(rec["links"], token_maps, sentence_maps)
        _require_valid(out, where, "masking would leave the record invalid")
        return out

    def _text(self, side: dict[str, Any], tag: str, stats: MaskStats, where: Mapping[str, Any], first: bool
              ) -> tuple[dict[str, Any], list[int] | None, list[int] | None]:
        """One side (or one string of a meta object, as a side without layers) masked."""
        from .detectors import find_all

        existing = _items(side)
        found = find_all(side["text"], tag, side, self.detectors)
        hits = unmasked(found, side, existing)
        if self.strategy == "tag":  # tagged before: nothing new to say
            have = {(it["start"], it["end"], it.get("type")) for it in existing}
            hits = [h for h in hits if (h.start, h.end, h.type) not in have]
        if first:  # later passes see the placeholders and marks the earlier ones wrote
            stats.already += len(found) - len(hits)
        if not hits:
            return side, None, None
        for h in hits:
            stats.counts[h.type] += 1
        return self._side(side, hits, existing, stats, where, tag)

    def _meta(self, meta: dict[str, Any], tag: str, stats: MaskStats, where: Mapping[str, Any], first: bool
              ) -> dict[str, Any]:
        """A ``meta`` object with every string in it masked like a side's text (readers keep copies of the
        text there: CoNLL-U ``# text =`` comments, translations, transliterations). Surrogates are marked
        in ``meta["x-pii"]``: JSON pointer (inside the meta object) -> the string's ``x-pii`` items."""
        old_marks = meta.get(PII_LAYER) if isinstance(meta.get(PII_LAYER), dict) else {}
        marks = dict(old_marks)
        changed: list[tuple[tuple[Any, ...], str]] = []
        for at, text in _strings(meta, ()):
            ptr = pointer(*at)
            side = _meta_side(text, old_marks, ptr)
            new, _, _ = self._text(side, tag, stats, where, first)
            if new is not side:
                changed.append((at, new["text"]))
                if _items(new):
                    marks[ptr] = _items(new)
        if not changed:
            return meta
        out = copy.deepcopy(meta)
        for at, text in changed:
            parent = out
            for k in at[:-1]:
                parent = parent[k]
            parent[at[-1]] = text
        if marks:
            out[PII_LAYER] = marks
        return out

    def _side(self, side: dict[str, Any], hits: list[Any], existing: list[dict[str, Any]], stats: MaskStats,
              where: Mapping[str, Any], tag: str) -> tuple[dict[str, Any], list[int] | None, list[int] | None]:
        text = side["text"]
        if self.strategy == "tag":
            return _with_items(side, existing + [self._item(h) for h in hits], self.provenance), None, None
        edits: list[tuple[int, int, str]] = []
        items: list[dict[str, Any]] = []
        for h in hits:
            value = text[h.start:h.end]
            if self.strategy == "redact":
                edits.append((h.start, h.end, placeholder(h.type)))
                continue
            sur = self.surrogate(h, value)
            edits.extend(_runs(h.start, value, sur))
            items.append({**self._item(h), "surrogate": True})
        if items:  # added before the edits, so apply_edits maps them onto the surrogates
            side = _with_items(side, existing + items, self.provenance)
        res = apply_edits(side, edits)
        new = res.side
        if new is side and not items:
            return side, None, None
        tmap = smap = None
        cut = {c.layer for c in res.cuts}
        for c in res.cuts:
            if c.layer not in ("tokens", "sentences"):
                stats.note(where, tag, c.layer, c.index, "widened")
        if "tokens" in cut:
            tmap = _merge_layer(new, "tokens")
            if tmap is not None:
                _merge_values(new, tmap, stats, where, tag)
        if "sentences" in cut:
            smap = _merge_layer(new, "sentences")
        _relemma(new, edits)
        for layer, mapping in (("tokens", tmap), ("sentences", smap)):
            merged = {i for g in _groups(mapping) for i in g} if mapping is not None else set()
            for c in res.cuts:
                if c.layer == layer and c.index not in merged:
                    stats.note(where, tag, layer, c.index, "widened")
            if mapping is not None:
                for g in _groups(mapping):
                    stats.note(where, tag, layer, g[0], f"merged {len(g)}")
        return new, tmap, smap

    def _item(self, h: Any) -> dict[str, Any]:
        it: dict[str, Any] = {"start": h.start, "end": h.end, "type": h.type, "detector": h.detector}
        if h.score is not None:
            it["score"] = round(float(h.score), 4)
        return it

    def surrogate(self, hit: Any, value: str) -> str:
        det = self.by_name[hit.detector]
        norm = getattr(det, "normalise", None)
        key_value = norm(value, hit.type) if norm is not None else normalised(value)
        assert self.key is not None
        digest = hmac.new(self.key, f"{hit.type}\x1f{key_value}".encode(), hashlib.sha256).digest()
        return det.surrogate(value, hit.type, digest)


def unmasked(hits: Sequence[Any], side: dict[str, Any], existing: list[dict[str, Any]] | None = None) -> list[Any]:
    """The detectors' hits on a side that are not already masked: placeholders (``[PHONE]``) and
    surrogates marked in the side's ``x-pii`` layer are left out."""
    text = side["text"]
    marked = {(it["start"], it["end"]) for it in (_items(side) if existing is None else existing)
              if it.get("surrogate")}
    return [h for h in hits if not is_placeholder(text[h.start:h.end]) and (h.start, h.end) not in marked]


def residual(rec: dict[str, Any], detectors: Sequence[Any], tags: Collection[str] | None = None
             ) -> Iterator[tuple[str, Any]]:
    """``(JSON pointer of the string, hit)`` for personal data left in a record: every side's text and
    every string of record and side ``meta`` (placeholders and marked surrogates left out). ``tags``
    limits the sides (record meta goes with the first side)."""
    from .detectors import find_all

    sides = rec["sides"]
    for n, (tag, side) in enumerate(sides.items()):
        if tags is not None and tag not in tags:
            continue
        for h in unmasked(find_all(side["text"], tag, side, detectors), side):
            yield pointer("sides", tag, "text"), h
        places = [(("sides", tag, "meta"), side.get("meta"))] + ([(("meta",), rec.get("meta"))] if n == 0 else [])
        for base, meta in places:
            if not isinstance(meta, dict):
                continue
            marks = meta.get(PII_LAYER) if isinstance(meta.get(PII_LAYER), dict) else {}
            for at, text in _strings(meta, ()):
                pseudo = _meta_side(text, marks, pointer(*at))
                for h in unmasked(find_all(text, tag, None, detectors), pseudo):
                    yield pointer(*base, *at), h


def _meta_side(text: str, marks: Mapping[str, Any], ptr: str) -> dict[str, Any]:
    """A string of a meta object as a side: its text, and its surrogate marks as the ``x-pii`` layer."""
    side: dict[str, Any] = {"text": text}
    if isinstance(marks.get(ptr), list):
        side["layers"] = {PII_LAYER: {"items": marks[ptr]}}
    return side


def _strings(value: Any, at: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, str):
        yield at, value
    elif isinstance(value, dict):
        for k, v in value.items():
            if not (not at and k == PII_LAYER):
                yield from _strings(v, (*at, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, (*at, i))


@functools.lru_cache(maxsize=8)
def residual_detectors(types: tuple[str, ...] = ()) -> list[Any]:
    """The default detectors (of ``types`` only, when given), built once per process: what the
    ``pii-residual`` rule re-scans with. A detector library that is not installed is an
    :class:`ImportError` (the checker reports the requirement not checked, with the extra to install)."""
    import importlib.util

    from .detectors import DETECTORS, build_detectors, detector_order

    try:
        return build_detectors({}, list(types) or None)
    except UsageError as exc:
        if any(importlib.util.find_spec(m) is None for n in detector_order() for m in DETECTORS.get(n).modules):
            raise ImportError(str(exc)) from None
        raise


def _require_valid(rec: dict[str, Any], where: Mapping[str, Any], what: str) -> None:
    """Stop at the first error of the model's invariants, named by rule and JSON pointer only (their
    messages may quote the text, and the text may hold the values being masked)."""
    for rule, severity, ptr, _msg in check_record(rec):
        if severity == "error":
            raise InputError(f"{_here(where)}: {what} at {ptr or '/'} [{rule}]; nothing was written")


def _here(where: Mapping[str, Any]) -> str:
    at = str(where.get("file", "-"))
    if where.get("line") is not None:
        at += f":{where['line']}"
    return f"{at}: record {where.get('record')!r}"


def _items(side: dict[str, Any]) -> list[dict[str, Any]]:
    lay = (side.get("layers") or {}).get(PII_LAYER)
    items = lay.get("items") if isinstance(lay, dict) else None
    if not isinstance(items, list):
        return []
    return [it for it in items if isinstance(it, dict) and isinstance(it.get("start"), int)
            and isinstance(it.get("end"), int)]


def _with_items(side: dict[str, Any], items: list[dict[str, Any]], prov: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``side`` whose ``x-pii`` layer has ``items`` (sorted), with lancang mask's provenance."""
    layers = dict(side.get("layers") or {})
    old = layers.get(PII_LAYER)
    lay = dict(old) if isinstance(old, dict) else {}
    lay["items"] = sorted(items, key=lambda it: (it["start"], it["end"]))
    lay.setdefault("provenance", copy.deepcopy(prov))
    layers[PII_LAYER] = lay
    return {**side, "layers": layers}


def _runs(start: int, value: str, sur: str) -> list[tuple[int, int, str]]:
    """Edits turning ``value`` (at ``start``) into ``sur``: where both are as long, one per character
    that differs (every offset keeps its place, so no span is cut), else one replacement."""
    if len(value) != len(sur):
        return [(start, start + len(value), sur)]
    return [(start + i, start + i + 1, b) for i, (a, b) in enumerate(zip(value, sur)) if a != b]


# ------------------------------------------------------------------------------------ re-segmenting

def _merge_layer(side: dict[str, Any], layer: str) -> list[int] | None:
    """Merge the spans of ``layer`` that overlap after a cut (each group becomes one span covering
    them). Returns old index -> new index, or None when nothing overlapped."""
    lay = side["layers"][layer]
    spans = lay["spans"]
    new: list[list[int]] = []
    mapping: list[int] = []
    for s, e in spans:
        if new and s < new[-1][1]:
            new[-1][1] = max(new[-1][1], e)
        else:
            new.append([s, e])
        mapping.append(len(new) - 1)
    if len(new) == len(spans):
        return None
    side["layers"][layer] = {**lay, "spans": new}
    return mapping


def _groups(mapping: list[int]) -> Iterator[list[int]]:
    """The old indices that merged, group by group (groups of more than one)."""
    start = 0
    for i in range(1, len(mapping) + 1):
        if i == len(mapping) or mapping[i] != mapping[start]:
            if i - start > 1:
                yield list(range(start, i))
            start = i


def _merge_values(side: dict[str, Any], mapping: list[int], stats: MaskStats, where: Mapping[str, Any],
                  tag: str) -> None:
    """Per-token layers after tokens merged: a merged token keeps its first token's value (its lemma is
    then rewritten by :func:`_relemma`); a dependency tree cannot be merged safely, so its layers are
    dropped (and reported)."""
    layers = side["layers"]
    first = [g[0] for g in _by_new(mapping)]
    for name in VALUE_LAYERS:
        lay = layers.get(name)
        if lay is None:
            continue
        if name in TREE_LAYERS:
            del layers[name]
            stats.note(where, tag, name, None, "dropped")
            continue
        values = lay["values"]
        layers[name] = {**lay, "values": [values[i] for i in first]}


def _relemma(side: dict[str, Any], edits: list[tuple[int, int, str]]) -> None:
    """The lemma of every token a replacement touched becomes the token's new text: a lemma copies its
    word, so the old one would still hold the value (``13800138000`` under ``[PHONE]``)."""
    layers = side.get("layers") or {}
    lemma, tokens = layers.get("lemma"), layers.get("tokens")
    if lemma is None or tokens is None or not edits:
        return
    ranges, shift = [], 0
    for s, e, r in sorted(edits):
        ranges.append((s + shift, s + shift + len(r)))
        shift += len(r) - (e - s)
    starts = [a for a, _ in ranges]
    text, values = side["text"], list(lemma["values"])
    for k, (a, b) in enumerate(tokens["spans"]):
        i = bisect.bisect_left(starts, b) - 1  # the last replacement starting before the token ends
        if i >= 0 and ranges[i][1] > a and values[k] is not None:
            values[k] = text[a:b]
    layers["lemma"] = {**lemma, "values": values}


def _by_new(mapping: list[int]) -> list[list[int]]:
    out: list[list[int]] = [[] for _ in range(max(mapping) + 1 if mapping else 0)]
    for old, k in enumerate(mapping):
        out[k].append(old)
    return out


def _remap_links(links: list[Any], tokens: dict[str, list[int]], sentences: dict[str, list[int]]) -> list[Any]:
    out = []
    for link in links:
        if not isinstance(link, dict):
            out.append(link)
            continue
        src, tgt = link.get("src"), link.get("tgt")
        if link.get("kind") == "tokens" and (src in tokens or tgt in tokens):
            ms, mt = tokens.get(src), tokens.get(tgt)
            pairs, seen = [], set()
            for p in link.get("pairs", []):
                i = ms[p[0]] if ms is not None else p[0]
                j = mt[p[1]] if mt is not None else p[1]
                if (i, j) in seen:
                    continue
                seen.add((i, j))
                pairs.append([i, j, *p[2:]])
            link = {**link, "pairs": pairs}
        elif link.get("kind") == "beads" and (src in sentences or tgt in sentences):
            link = {**link, "beads": _remap_beads(link.get("beads", []), sentences.get(src), sentences.get(tgt))}
        out.append(link)
    return out


def _remap_beads(beads: list[dict[str, Any]], ms: list[int] | None, mt: list[int] | None) -> list[dict[str, Any]]:
    """Beads over merged sentences: indices mapped, and beads that now share a sentence joined."""
    mapped = []
    for b in beads:
        src = sorted({ms[i] for i in b["src"]} if ms is not None else set(b["src"]))
        tgt = sorted({mt[i] for i in b["tgt"]} if mt is not None else set(b["tgt"]))
        mapped.append({**b, "src": src, "tgt": tgt})
    out: list[dict[str, Any]] = []
    owner: dict[tuple[str, int], int] = {}
    for b in mapped:
        hits = sorted({owner[(k, i)] for k in ("src", "tgt") for i in b[k] if (k, i) in owner})
        if not hits:
            owner.update({(k, i): len(out) for k in ("src", "tgt") for i in b[k]})
            out.append(b)
            continue
        keep = hits[0]
        target = out[keep]
        for other in [b] + [out[h] for h in hits[1:]]:
            for k in ("src", "tgt"):
                target[k] = sorted(set(target[k]) | set(other[k]))
        for h in reversed(hits[1:]):
            out[h] = None  # type: ignore[call-overload]
        owner.update({(k, i): keep for k in ("src", "tgt") for i in target[k]})
    return [b for b in out if b is not None]


# ------------------------------------------------------------------------------------ the runner

def mask_file(source: PathLike, target: PathLike, *, strategy: str = "redact", types: Sequence[str] | None = None,
              config: Mapping[str, Any] | None = None, key_file: PathLike | None = None, fmt: str | None = None,
              langs: Any = None, options: Mapping[str, Any] | None = None, out_format: str | None = None,
              write_options: Mapping[str, Any] | None = None, manifest: PathLike | None = None,
              progress: Callable[[int], None] | None = None, time: str | None = None) -> MaskStats:
    """Stream ``source`` (any readable format) through the detectors, mask every side with ``strategy``
    and write ``target`` atomically (lancang JSONL unless ``out_format`` or the name says otherwise).

    ``types`` limits the types masked; ``config`` maps a detector name to its parameters (or false);
    ``key_file`` is required by ``pseudonymise``. With ``manifest``, the desensitisation step (settings,
    counts per type, input and output hashes; never a value) is appended to its processing log; the
    manifest is checked before any record is read. ``time`` is stamped on the layers masking makes
    (default: now; ``lancang run`` gives every shard the run's time).
    """
    from ..corpora.formats import format_for_path, read_located, write_corpus
    from ..corpora.manifest import ProcessingLog
    from .detectors import build_detectors

    if strategy not in STRATEGIES:
        raise UsageError(f"--strategy must be one of {', '.join(STRATEGIES)}, not {strategy!r}")
    log = ProcessingLog(manifest, "mask")
    key = load_key(key_file) if strategy == "pseudonymise" else None
    detectors = build_detectors(dict(config or {}), list(types) if types else None)
    masker = Masker(detectors, strategy, key, time)
    stats = MaskStats(strategy=strategy)

    def masked() -> Iterator[dict[str, Any]]:
        for line, rec in read_located(source, fmt, langs, **dict(options or {})):
            where = {"file": str(source), "line": line, "record": rec.get("id")}
            _require_valid(rec, where, "the record is not valid (`lancang validate` says why)")
            yield masker.mask(rec, stats, where)
            if progress and stats.records % 1000 == 0:
                progress(stats.records)
        if progress:
            progress(stats.records)

    if out_format is None and (str(target) == "-" or format_for_path(target) is None):
        out_format = "jsonl"
    # every record was checked as it came in and again when masking changed it (_require_valid)
    write_corpus(masked(), target, out_format, langs, checked=True, **dict(write_options or {}))
    if log:
        settings: dict[str, Any] = {"strategy": strategy, "types": sorted(types) if types else "all",
                                    "detectors": {d.name: dict(getattr(d, "params", {}) or {}) for d in detectors}}
        if key is not None:
            settings["key_id"] = key_id(key)
        counts = {"records": stats.records, "changed": stats.changed, "masked": dict(sorted(stats.counts.items())),
                  "already_masked": stats.already, "adjusted": sum(stats.adjusted.values())}
        log.append(step="desensitisation", settings=settings, counts=counts, inputs=[source], outputs=[target],
                   records_in=stats.records, records_out=stats.records)
    return stats
