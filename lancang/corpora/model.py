"""The canonical record, as a thin typed view over its JSON dict.

A record on disk is plain JSON (see ``lancang/schemas/record.schema.json``). These classes do not
copy it into objects: :class:`Record`, :class:`Side` and :class:`Link` wrap the dict and read and
write it in place, so a record read from JSONL can be edited and written back unchanged apart from
what was edited, and the dict stays the single source of truth.

>>> r = Record.new("s1")
>>> zh = r.add_side("zh-Hans", "我爱北京。")
>>> zh.set_tokens([(0, 1), (1, 2), (2, 4), (4, 5)], provenance=Provenance.auto("jieba", "0.42.1"))
>>> zh.add_entity(2, 4, "LOC").label
'LOC'
>>> en = r.add_side("en", "I love Beijing.")
>>> r.link_tokens("zh-Hans", "en", [(0, 0), (1, 1), (2, 2)])
>>> sorted(r.sides)
['en', 'zh-Hans']
>>> zh.token_texts()
['我', '爱', '北京', '。']
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

SPAN_LAYERS = ("tokens", "sentences")
TIMED_LAYERS = ("segments", "words")
MEDIA_KEYS = ("uri", "sha256", "duration", "sample_rate", "channels", "channel")
VALUE_LAYERS = ("pos", "xpos", "lemma", "feats", "head", "deprel", "deps", "misc")
METHODS = ("manual", "auto", "assisted")


def now_iso() -> str:
    """The current UTC time as ISO 8601 with seconds, as written into provenance."""
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class Provenance:
    """Builders for provenance dicts (``{"method": ..., "tool": ..., ...}``)."""

    @staticmethod
    def auto(tool: str, version: str | None = None, settings: Mapping[str, Any] | None = None,
             time: str | None = None) -> dict[str, Any]:
        t: dict[str, Any] = {"name": tool}
        if version is not None:
            t["version"] = version
        if settings:
            t["settings"] = dict(settings)
        return {"method": "auto", "tool": t, "time": time or now_iso()}

    @staticmethod
    def manual(annotator: str, time: str | None = None) -> dict[str, Any]:
        p: dict[str, Any] = {"method": "manual", "annotator": annotator}
        if time:
            p["time"] = time
        return p

    @staticmethod
    def assisted(tool: str, annotator: str, version: str | None = None,
                 time: str | None = None) -> dict[str, Any]:
        p = Provenance.auto(tool, version, time=time)
        p["method"] = "assisted"
        p["annotator"] = annotator
        return p


@dataclass(frozen=True)
class Entity:
    """A read-only view of one entity of a side."""

    start: int
    end: int
    label: str
    id: str | None = None
    text: str = ""


@dataclass(frozen=True)
class Segment:
    """A read-only view of one time-aligned segment: ``text`` (= the side's text[start:end]) spoken
    from ``t0`` to ``t1`` seconds of the side's media."""

    start: int
    end: int
    t0: float
    t1: float
    speaker: str | None = None
    tier: str | None = None
    id: str | None = None
    text: str = ""


@dataclass(frozen=True)
class Word:
    """A read-only view of one word (or character) timing of a side."""

    start: int
    end: int
    t0: float
    t1: float
    conf: float | None = None
    text: str = ""


def _timed_dict(item: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    """A segment or word dict from a :class:`Segment`/:class:`Word`, a mapping or a tuple
    ``(start, end, t0, t1, *optional keys in order)``; optional keys that are None are left out."""
    if isinstance(item, (Segment, Word)):
        vals = [getattr(item, k) for k in ("start", "end", "t0", "t1") + keys]
    elif isinstance(item, Mapping):
        vals = [item["start"], item["end"], item["t0"], item["t1"]] + [item.get(k) for k in keys]
    else:
        vals = list(item) + [None] * (4 + len(keys) - len(item))
    d: dict[str, Any] = {"start": int(vals[0]), "end": int(vals[1]), "t0": vals[2], "t1": vals[3]}
    for k, v in zip(keys, vals[4:]):
        if v is not None:
            d[k] = v
    return d


_SEGMENT_KEYS = ("speaker", "tier", "id")
_WORD_KEYS = ("conf",)


class Side:
    """One language of a record: its text and stand-off layers (a view over the side's dict)."""

    __slots__ = ("lang", "data")

    def __init__(self, lang: str, data: dict[str, Any]):
        self.lang = lang
        self.data = data

    @property
    def text(self) -> str:
        return self.data["text"]

    @property
    def layers(self) -> dict[str, Any]:
        return self.data.setdefault("layers", {})

    def has(self, layer: str) -> bool:
        return layer in self.data.get("layers", {})

    def layer(self, name: str) -> dict[str, Any] | None:
        return self.data.get("layers", {}).get(name)

    def spans(self, layer: str) -> list[list[int]]:
        """The spans of a span layer (``tokens`` or ``sentences``); empty if absent."""
        lay = self.layer(layer)
        return lay["spans"] if lay else []

    @property
    def tokens(self) -> list[list[int]]:
        return self.spans("tokens")

    @property
    def sentences(self) -> list[list[int]]:
        return self.spans("sentences")

    def set_spans(self, layer: str, spans: Iterable[tuple[int, int] | list[int]],
                  provenance: Mapping[str, Any] | None = None) -> None:
        if layer not in SPAN_LAYERS:
            raise ValueError(f"{layer!r} is not a span layer (one of {', '.join(SPAN_LAYERS)})")
        lay: dict[str, Any] = {"spans": [[int(s), int(e)] for s, e in spans]}
        if provenance is not None:
            lay["provenance"] = dict(provenance)
        self.layers[layer] = lay

    def set_tokens(self, spans: Iterable[tuple[int, int] | list[int]],
                   provenance: Mapping[str, Any] | None = None) -> None:
        self.set_spans("tokens", spans, provenance)

    def set_sentences(self, spans: Iterable[tuple[int, int] | list[int]],
                      provenance: Mapping[str, Any] | None = None) -> None:
        self.set_spans("sentences", spans, provenance)

    def set_values(self, layer: str, values: Iterable[Any],
                   provenance: Mapping[str, Any] | None = None) -> None:
        """Set a per-token layer (pos, lemma, ...): one value per token."""
        if layer not in VALUE_LAYERS:
            raise ValueError(f"{layer!r} is not a per-token layer (one of {', '.join(VALUE_LAYERS)})")
        lay: dict[str, Any] = {"values": list(values)}
        if provenance is not None:
            lay["provenance"] = dict(provenance)
        self.layers[layer] = lay

    def values(self, layer: str) -> list[Any]:
        lay = self.layer(layer)
        return lay["values"] if lay else []

    def token_texts(self) -> list[str]:
        t = self.text
        return [t[s:e] for s, e in self.tokens]

    def sentence_texts(self) -> list[str]:
        t = self.text
        return [t[s:e] for s, e in self.sentences]

    def add_entity(self, start: int, end: int, label: str, id: str | None = None,
                   attrs: Mapping[str, Any] | None = None) -> Entity:
        lay = self.layers.setdefault("entities", {"items": []})
        item: dict[str, Any] = {"start": int(start), "end": int(end), "label": label}
        if id is not None:
            item["id"] = id
        if attrs:
            item["attrs"] = dict(attrs)
        lay["items"].append(item)
        return Entity(start, end, label, id, self.text[start:end])

    def add_relation(self, label: str, args: Iterable[tuple[str, str]], id: str | None = None) -> None:
        """Add a relation between entities given as (role, entity id) pairs."""
        lay = self.layers.setdefault("entities", {"items": []})
        rel: dict[str, Any] = {"label": label, "args": [{"role": r, "ref": ref} for r, ref in args]}
        if id is not None:
            rel["id"] = id
        lay.setdefault("relations", []).append(rel)

    def entities(self) -> Iterator[Entity]:
        lay = self.layer("entities")
        if not lay:
            return
        t = self.text
        for it in lay["items"]:
            yield Entity(it["start"], it["end"], it["label"], it.get("id"), t[it["start"]:it["end"]])

    # ------------------------------------------------------------------ speech: media and timed layers

    @property
    def media(self) -> dict[str, Any] | None:
        """The side's media dict (``uri`` and the facts known: sha256, duration, sample_rate, channels,
        channel), or None. The dict is the record's own: editing it edits the record."""
        return self.data.get("media")

    def set_media(self, uri: str, **facts: Any) -> dict[str, Any]:
        """Set the side's media: ``uri`` and any of sha256, duration, sample_rate, channels, channel
        (None values are left out). Returns the media dict."""
        unknown = sorted(set(facts) - set(MEDIA_KEYS))
        if unknown:
            raise ValueError(f"unknown media fact(s) {', '.join(unknown)} (known: {', '.join(MEDIA_KEYS[1:])})")
        m: dict[str, Any] = {"uri": uri}
        m.update((k, facts[k]) for k in MEDIA_KEYS[1:] if facts.get(k) is not None)
        self.data["media"] = m
        return m

    def segments(self) -> list[Segment]:
        """The segments (time-aligned stretches of the text), in layer order; empty if absent."""
        lay = self.layer("segments")
        if not lay:
            return []
        t = self.text
        return [Segment(d["start"], d["end"], d["t0"], d["t1"], d.get("speaker"), d.get("tier"), d.get("id"),
                        t[d["start"]:d["end"]]) for d in lay["spans"]]

    def set_segments(self, segments: Iterable[Segment | Mapping[str, Any] | tuple[Any, ...]],
                     provenance: Mapping[str, Any] | None = None, overlap: bool = False) -> None:
        """Set the ``segments`` layer. Each segment is a :class:`Segment`, a mapping or a tuple
        ``(start, end, t0, t1[, speaker[, tier[, id]]])``; they are stored sorted by (t0, t1) (a
        stable sort: equal times keep their order). ``overlap=True`` allows one speaker's segments to
        overlap in time. Times are kept as given (seconds, never rounded)."""
        spans = sorted((_timed_dict(x, _SEGMENT_KEYS) for x in segments), key=_time_key)
        lay: dict[str, Any] = {"spans": spans}
        if overlap:
            lay["overlap"] = True
        if provenance is not None:
            lay["provenance"] = dict(provenance)
        self.layers["segments"] = lay

    def words(self) -> list[Word]:
        """The word timings, in layer order; empty if absent."""
        lay = self.layer("words")
        if not lay:
            return []
        t = self.text
        return [Word(d["start"], d["end"], d["t0"], d["t1"], d.get("conf"), t[d["start"]:d["end"]])
                for d in lay["spans"]]

    def set_words(self, words: Iterable[Word | Mapping[str, Any] | tuple[Any, ...]],
                  provenance: Mapping[str, Any] | None = None) -> None:
        """Set the ``words`` layer from :class:`Word`, mappings or tuples ``(start, end, t0, t1[, conf])``,
        kept in the order given (text order)."""
        lay: dict[str, Any] = {"spans": [_timed_dict(x, _WORD_KEYS) for x in words]}
        if provenance is not None:
            lay["provenance"] = dict(provenance)
        self.layers["words"] = lay

    def set_provenance(self, layer: str, provenance: Mapping[str, Any]) -> None:
        lay = self.layer(layer)
        if lay is None:
            raise KeyError(f"side {self.lang!r} has no layer {layer!r}")
        lay["provenance"] = dict(provenance)

    def __repr__(self) -> str:
        return f"Side({self.lang!r}, {self.text[:30]!r}, layers={sorted(self.data.get('layers', {}))})"


class Link:
    """A view over one link dict (sentence beads or token pairs between two sides)."""

    __slots__ = ("data",)

    def __init__(self, data: dict[str, Any]):
        self.data = data

    kind = property(lambda self: self.data["kind"])
    src = property(lambda self: self.data["src"])
    tgt = property(lambda self: self.data["tgt"])

    def pairs(self) -> list[tuple[int, int, str]]:
        return [(i, j, f) for i, j, f in self.data.get("pairs", [])]

    def beads(self) -> list[tuple[list[int], list[int]]]:
        return [(b["src"], b["tgt"]) for b in self.data.get("beads", [])]


_time_key = itemgetter("t0", "t1")


class Record:
    """A view over one record dict. ``Record(d)`` wraps, ``Record.new(id)`` creates."""

    __slots__ = ("data",)

    def __init__(self, data: dict[str, Any]):
        if not isinstance(data, dict):
            raise TypeError(f"a record is a JSON object, not {type(data).__name__}")
        self.data = data

    @classmethod
    def new(cls, id: str, doc: str | None = None, **meta: Any) -> Record:
        d: dict[str, Any] = {"id": id}
        if doc is not None:
            d["doc"] = doc
        if meta:
            d["meta"] = meta
        d["sides"] = {}
        return cls(d)

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def doc(self) -> str | None:
        return self.data.get("doc")

    @property
    def meta(self) -> dict[str, Any]:
        return self.data.setdefault("meta", {})

    @property
    def sides(self) -> dict[str, Side]:
        return {k: Side(k, v) for k, v in self.data.get("sides", {}).items()}

    @property
    def langs(self) -> list[str]:
        return list(self.data.get("sides", {}))

    def side(self, lang: str) -> Side:
        try:
            return Side(lang, self.data["sides"][lang])
        except KeyError:
            raise KeyError(f"record {self.data.get('id')!r} has no side {lang!r} "
                           f"(sides: {', '.join(self.langs) or 'none'})") from None

    def add_side(self, lang: str, text: str, normalize: bool = True) -> Side:
        """Add a side. Text is NFC-normalised unless ``normalize=False`` (then validation flags it)."""
        if normalize:
            text = unicodedata.normalize("NFC", text)
        sides = self.data.setdefault("sides", {})
        if lang in sides:
            raise ValueError(f"record {self.id!r} already has a side {lang!r}")
        sides[lang] = {"text": text}
        return Side(lang, sides[lang])

    def add_transcript(self, lang: str, utterances: Iterable[Mapping[str, Any]],
                       provenance: Mapping[str, Any] | None = None, overlap: bool = False,
                       keep_empty: bool = False) -> Side:
        """Add a side made of time-aligned utterances, as the tier formats do: each utterance is a
        mapping with ``text``, ``t0``, ``t1`` and optional ``speaker``, ``tier``, ``id``. They are
        sorted by (t0, t1) (stable), their texts (NFC) joined by "\n" into the side's text, and
        each becomes a segment spanning its text. Utterances whose text is empty or white space are
        dropped unless ``keep_empty`` (then they are empty segments). A text that NFC changed marks the
        side ``meta.source_not_nfc``, as every reader does."""
        items = sorted((u for u in utterances if keep_empty or str(u["text"]).strip()), key=_time_key)
        parts: list[str] = []
        segs: list[dict[str, Any]] = []
        pos = 0
        changed = False
        for u in items:
            t = unicodedata.normalize("NFC", u["text"])
            changed = changed or t != u["text"]
            if parts:
                pos += 1
            seg: dict[str, Any] = {"start": pos, "end": pos + len(t), "t0": u["t0"], "t1": u["t1"]}
            for k in _SEGMENT_KEYS:
                if u.get(k) is not None:
                    seg[k] = u[k]
            segs.append(seg)
            parts.append(t)
            pos += len(t)
        side = self.add_side(lang, "\n".join(parts), normalize=False)
        side.set_segments(segs, provenance=provenance, overlap=overlap)
        if changed:
            side.data["meta"] = {"source_not_nfc": True}
        return side

    @property
    def links(self) -> list[Link]:
        return [Link(x) for x in self.data.get("links", [])]

    def link_tokens(self, src: str, tgt: str, pairs: Iterable[tuple[int, int] | tuple[int, int, str]],
                    provenance: Mapping[str, Any] | None = None) -> None:
        """Add a word alignment; pairs are (i, j) (sure) or (i, j, "S"|"P")."""
        out = []
        for p in pairs:
            flag = p[2] if len(p) > 2 else "S"  # type: ignore[misc]
            out.append([int(p[0]), int(p[1]), flag])
        link: dict[str, Any] = {"kind": "tokens", "src": src, "tgt": tgt, "pairs": out}
        if provenance is not None:
            link["provenance"] = dict(provenance)
        self.data.setdefault("links", []).append(link)

    def link_sentences(self, src: str, tgt: str,
                       beads: Iterable[tuple[Iterable[int], Iterable[int]]
                                       | tuple[Iterable[int], Iterable[int], float]],
                       provenance: Mapping[str, Any] | None = None) -> None:
        """Add a sentence alignment; beads are (src indices, tgt indices[, score])."""
        out = []
        for b in beads:
            bead: dict[str, Any] = {"src": [int(i) for i in b[0]], "tgt": [int(i) for i in b[1]]}
            if len(b) > 2:
                bead["score"] = float(b[2])  # type: ignore[misc]
            out.append(bead)
        link: dict[str, Any] = {"kind": "beads", "src": src, "tgt": tgt, "beads": out}
        if provenance is not None:
            link["provenance"] = dict(provenance)
        self.data.setdefault("links", []).append(link)

    def to_dict(self) -> dict[str, Any]:
        return self.data

    def __repr__(self) -> str:
        return f"Record({self.data.get('id')!r}, sides={self.langs})"
