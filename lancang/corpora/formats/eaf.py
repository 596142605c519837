"""ELAN EAF (2.x and 3.0): tiers of time-aligned and symbolic annotations over a media file.

**Reading.** An EAF file is one record, id = the file stem (a folder of ``.eaf`` files is one record
per file). XML goes through :mod:`lancang.corpora.formats.xmlsafe` (no DTD, no network, no
entities). The transcript tiers (reader option ``tier``: tier ids joined by ``,``, or ``*`` for every
top-level tier) are by default the top-level time-alignable tiers that name a ``PARTICIPANT``; when
none does, those whose id or linguistic type is a transcript name
(:data:`~lancang.corpora.formats.textgrid.TRANSCRIPT_NAMES`: utterance, transcript, ...); else the
first top-level tier. Their annotations become the side's ``segments`` (``t0``/``t1`` = the time
slots in seconds, ``tier`` = the tier id, ``speaker`` = the tier's participant, or its id when several
tiers without participants are read, ``id`` = the annotation id) and its text (values joined by
``\\n``, in time order); empty values are dropped unless ``keep_empty=true``. Two annotations of one
tier that overlap in time are an :class:`~lancang.errors.InputError` (ELAN cannot make them);
segments of one speaker on two tiers may overlap (the layer says ``overlap``).

Time slots without a value: ELAN leaves the inner boundaries of a ``Time_Subdivision`` or
``Included_In`` annotation chain unaligned and shows them spread evenly between the aligned slots
around them. lancang interpolates them the same way, linearly by position in the ``TIME_ORDER``
(which ELAN keeps in time order), and only where it needs a time for such a tier (a transcript or
words tier of that kind); an annotation of any other tier on an unaligned slot is an InputError
naming the slot's line. Unaligned slots of tiers lancang only keeps are kept as they are.

The side's language is ``--src``, else the ``LANG_REF`` of the transcript tiers (ELAN's ISO 639-3
``LANG_ID`` folded: ``eng`` -> ``en``), else a usage error. The media is the first
audio ``MEDIA_DESCRIPTOR`` (else the first): its ``RELATIVE_MEDIA_URL`` (``file:/./a.wav`` is
``./a.wav``), else its ``MEDIA_URL``; with ``media_facts`` (default) and the file found (against
``media_root``, else the EAF's folder), the side's media gets its duration, rate, channels and hash.
A child tier (``Time_Subdivision``/``Included_In``) of the transcript tier whose id or type says
``word`` (or the tier given by ``words``) also becomes the ``words`` layer when its values are found
in the segments' text.

Everything else is kept in the side's ``x-eaf`` layer so the same EAF is written back: the
document's attributes, the header's children (media descriptors, properties; as XML), the time
order, every other tier with its annotations (alignable: time slot ids; ``REF_ANNOTATION``: the
annotation it refers to, its previous annotation; ``CVE_REF``, ``EXT_REF``, ``LANG_REF`` kept), the
transcript tiers' attributes, slot ids and dropped empty annotations, and, as XML, the linguistic
types, constraints, controlled vocabularies, languages, locales, lexicon and external references.
``xmax`` is the last aligned time (seconds), checked against the media's duration by the validator.

**Writing.** One record per file, like the TextGrid writer (a path ending in ``.eaf`` takes one
record, any other is a folder). A record read from an EAF is written from its ``x-eaf`` layout
(segments whose times changed get new time slots, in time order); any other record gets an EAF 3.0
document: one tier per segment ``tier`` (else speaker, else ``transcript``) of the ``default-lt``
type, ``PARTICIPANT`` = the speaker, ``LANG_REF`` = the side's language, and the media descriptor of
the side's media. Times are written in whole milliseconds, EAF's unit.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ...errors import InputError, UsageError
from ..jsonl import PathLike
from ..langs import canonical_tag, is_tag, primary
from ..media import media_of
from ..model import Record
from . import Format, Option, check_options, given_lang
from .textgrid import TRANSCRIPT_NAMES, document_files, locate_words, write_documents
from .timed import KEEP_EMPTY_OPTION
from .xmlsafe import XmlInputError, attrs_xml, bad_xml_char, escape_text, iterparse, kept_xml, local

LAYER = "x-eaf"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
#: linguistic-type constraints whose unaligned time slots ELAN spreads between aligned neighbours
INTERPOLATED = ("Time_Subdivision", "Included_In")
#: a fixed DATE for documents lancang makes (the same record always gives the same bytes)
DEFAULT_DATE = "1970-01-01T00:00:00+00:00"
_STANDARD_CONSTRAINTS = (
    ("Time subdivision of parent annotation's time interval, no time gaps allowed within this interval",
     "Time_Subdivision"),
    ("Symbolic subdivision of a parent annotation. Annotations refering to the same parent are ordered",
     "Symbolic_Subdivision"),
    ("1-1 association with a parent annotation", "Symbolic_Association"),
    ("Time alignable annotations within the parent annotation's time interval, gaps are allowed", "Included_In"),
)
_SLOT_ATTRS = ("ANNOTATION_ID", "TIME_SLOT_REF1", "TIME_SLOT_REF2")
#: the linguistic type of a words tier lancang writes
WORDS_TYPE = "words-lt"


# --------------------------------------------------------------------------------------- reading

def _root(path: Path) -> Any:
    root = None
    for _ev, el in iterparse(path):
        root = el
    while root is not None and root.getparent() is not None:  # pragma: no cover - the last end is the root
        root = root.getparent()
    if root is None or local(root.tag) != "ANNOTATION_DOCUMENT":
        raise XmlInputError("eaf-not-eaf", f"the root element is {local(root.tag) if root is not None else 'none'}, "
                            "not ANNOTATION_DOCUMENT", str(path), getattr(root, "sourceline", None))
    return root


def _root_attrs(root: Any) -> list[list[str]]:
    out = [[f"xmlns:{p}" if p else "xmlns", u] for p, u in root.nsmap.items()]
    rev = {u: p for p, u in root.nsmap.items()}
    for k, v in root.attrib.items():
        if k.startswith("{"):
            uri, _, name = k[1:].partition("}")
            k = f"{rev.get(uri, 'xsi' if uri == XSI else 'ns')}:{name}"
        out.append([k, v])
    return out


def _value(ann: Any) -> str:
    for ch in ann:
        if local(ch.tag) == "ANNOTATION_VALUE":
            return ch.text or ""
    return ""


class _Doc:
    """An EAF document as lancang reads it."""

    def __init__(self, path: Path):
        self.where = str(path)
        root = _root(path)
        self.root = root
        self.attrs = _root_attrs(root)
        self.header_attrs: dict[str, str] = {}
        self.header: list[str] = []
        self.media: list[dict[str, str]] = []
        self.slots: list[list[Any]] = []  # [id, ms or None]
        self.slot_line: dict[str, int] = {}
        self.tiers: list[dict[str, Any]] = []
        self.tail: list[str] = []
        self.types: dict[str, dict[str, str]] = {}
        self.languages: dict[str, str] = {}
        for el in root:
            name = local(el.tag)
            if name == "HEADER":
                self.header_attrs = dict(el.attrib)
                for ch in el:
                    if isinstance(ch.tag, str):
                        self.header.append(kept_xml(ch))
                        if local(ch.tag) == "MEDIA_DESCRIPTOR":
                            self.media.append(dict(ch.attrib))
            elif name == "TIME_ORDER":
                for ts in el:
                    if not isinstance(ts.tag, str):
                        continue
                    sid, raw = ts.get("TIME_SLOT_ID"), ts.get("TIME_VALUE")
                    if sid is None:
                        raise InputError(f"{self.where}:{ts.sourceline}: a TIME_SLOT without TIME_SLOT_ID")
                    if raw is not None and not re.fullmatch(r"[0-9]+", raw.strip()):
                        raise InputError(f"{self.where}:{ts.sourceline}: time slot {sid!r} has TIME_VALUE {raw!r}, "
                                         "not a whole number of milliseconds")
                    self.slots.append([sid, None if raw is None else int(raw)])
                    self.slot_line[sid] = ts.sourceline
            elif name == "TIER":
                self.tiers.append(self._tier(el))
            elif isinstance(el.tag, str):
                self.tail.append(kept_xml(el))
                if name == "LINGUISTIC_TYPE":
                    self.types[el.get("LINGUISTIC_TYPE_ID", "")] = dict(el.attrib)
                elif name == "LANGUAGE":
                    self.languages[el.get("LANG_ID", "")] = el.get("LANG_ID", "")
        self.times = dict(self.slots)

    def _tier(self, el: Any) -> dict[str, Any]:
        anns = []
        for a in el:
            if local(a.tag) != "ANNOTATION":
                continue
            for inner in a:
                kind = local(inner.tag)
                if kind in ("ALIGNABLE_ANNOTATION", "REF_ANNOTATION"):
                    anns.append({"kind": "alignable" if kind == "ALIGNABLE_ANNOTATION" else "ref",
                                 "attrs": dict(inner.attrib), "value": _value(inner), "line": inner.sourceline})
        return {"attrs": dict(el.attrib), "annotations": anns, "line": el.sourceline}

    # -- times ---------------------------------------------------------------------------------
    def constraint(self, tier: dict[str, Any]) -> str | None:
        return self.types.get(tier["attrs"].get("LINGUISTIC_TYPE_REF", ""), {}).get("CONSTRAINTS")

    def seconds(self, sid: str, tier: dict[str, Any], ann: dict[str, Any]) -> float:
        """The time of a slot in seconds, interpolated where ELAN would (see the module docstring)."""
        if sid not in self.times:
            raise InputError(f"{self.where}:{ann['line']}: annotation {ann['attrs'].get('ANNOTATION_ID')!r} refers "
                             f"to time slot {sid!r}, which the TIME_ORDER does not have")
        v = self.times[sid]
        if v is not None:
            return v / 1000
        tid = tier["attrs"].get("TIER_ID")
        if self.constraint(tier) not in INTERPOLATED:
            raise InputError(f"{self.where}:{self.slot_line[sid]}: time slot {sid!r} has no TIME_VALUE, and annotation "
                             f"{ann['attrs'].get('ANNOTATION_ID')!r} of tier {tid!r} (line {ann['line']}) is not on a "
                             "Time_Subdivision or Included_In tier, where ELAN leaves slots unaligned")
        i = next(k for k, (s, _) in enumerate(self.slots) if s == sid)
        before = next(((k, self.slots[k][1]) for k in range(i - 1, -1, -1) if self.slots[k][1] is not None), None)
        after = next(((k, self.slots[k][1]) for k in range(i + 1, len(self.slots)) if self.slots[k][1] is not None),
                     None)
        if before is None or after is None:
            raise InputError(f"{self.where}:{self.slot_line[sid]}: time slot {sid!r} has no TIME_VALUE and no aligned "
                             f"slot {'before' if before is None else 'after'} it to interpolate from")
        (p, vp), (n, vn) = before, after
        return (vp + (vn - vp) * (i - p) / (n - p)) / 1000

    def span(self, tier: dict[str, Any], ann: dict[str, Any]) -> tuple[float, float]:
        a = ann["attrs"]
        return (self.seconds(a.get("TIME_SLOT_REF1", ""), tier, ann),
                self.seconds(a.get("TIME_SLOT_REF2", ""), tier, ann))


def _tid(tier: dict[str, Any]) -> str:
    return tier["attrs"].get("TIER_ID", "")


def _top_level(doc: _Doc) -> list[int]:
    return [i for i, t in enumerate(doc.tiers) if "PARENT_REF" not in t["attrs"]
            and doc.types.get(t["attrs"].get("LINGUISTIC_TYPE_REF", ""), {}).get("TIME_ALIGNABLE", "true") != "false"]


def _choose(doc: _Doc, option: Any) -> list[int]:
    top = _top_level(doc)
    if option in (None, ""):
        with_speaker = [i for i in top if doc.tiers[i]["attrs"].get("PARTICIPANT", "").strip()]
        if with_speaker:
            return with_speaker
        named = [i for i in top if {_tid(doc.tiers[i]).strip().lower(),
                                    doc.tiers[i]["attrs"].get("LINGUISTIC_TYPE_REF", "").strip().lower()}
                 & set(TRANSCRIPT_NAMES)]
        return named or top[:1]
    if option == "*":
        return top
    ids = [_tid(t) for t in doc.tiers]
    wanted = [str(option)] if str(option) in ids else str(option).split(",")
    out = []
    for w in wanted:
        if w not in ids:
            known = ", ".join(map(repr, ids)) or "none"
            raise UsageError(f"{doc.where}: no tier {w!r} (-I tier=...; the tiers: {known})")
        i = ids.index(w)
        if any(a["kind"] == "ref" for a in doc.tiers[i]["annotations"]):
            raise InputError(f"{doc.where}:{doc.tiers[i]['line']}: tier {w!r} holds symbolic (REF_) annotations, "
                             "without times of their own: it cannot be the transcript")
        out.append(i)
    return out


def _lang(doc: _Doc, chosen: list[int]) -> str | None:
    """The BCP 47 tag the transcript tiers name by LANG_REF (a LANGUAGE element alone says nothing of
    the transcript: ELAN also declares the languages of controlled-vocabulary descriptions)."""
    refs = {doc.tiers[i]["attrs"].get("LANG_REF") for i in chosen} - {None}
    if len(refs) != 1:
        return None
    parts = refs.pop().split("-")
    parts[0] = primary(parts[0])  # ISO 639-3 (ELAN's LANG_ID) folded: tha -> th, eng -> en
    tag = canonical_tag("-".join(parts))
    return tag if tag and is_tag(tag) else None


def _media(doc: _Doc, path: Path, options: dict[str, Any]) -> dict[str, Any] | None:
    if not doc.media:
        return None
    desc = next((m for m in doc.media if m.get("MIME_TYPE", "").startswith("audio")), doc.media[0])
    rel = desc.get("RELATIVE_MEDIA_URL", "")
    uri = re.sub(r"^file:/?(?=\.{1,2}/)", "", rel) if rel else desc.get("MEDIA_URL", "")
    if not uri:
        return None
    return media_of(uri, options.get("media_root"), path.parent, options.get("media_facts", True))


def read_file(path: Path, langs: Any, options: dict[str, Any]) -> dict[str, Any]:
    doc = _Doc(path)
    chosen = _choose(doc, options.get("tier"))
    lang = given_lang(langs, path, "an EAF tier without LANG_REF", _lang(doc, chosen))
    keep_empty = bool(options.get("keep_empty"))
    several_unnamed = len(chosen) > 1
    utts: list[dict[str, Any]] = []
    blanks: dict[int, list[dict[str, Any]]] = {}
    for i in chosen:
        tier = doc.tiers[i]
        who = tier["attrs"].get("PARTICIPANT", "").strip() or (_tid(tier) if several_unnamed else None)
        prev: tuple[float, float, int] | None = None
        timed = sorted(((doc.span(tier, a), a) for a in tier["annotations"]), key=lambda x: x[0])
        for (t0, t1), a in timed:
            if t1 < t0:
                raise InputError(f"{doc.where}:{a['line']}: annotation {a['attrs'].get('ANNOTATION_ID')!r} ends before "
                                 "it starts")
            if prev is not None and t0 < prev[1]:
                raise InputError(f"{doc.where}:{a['line']}: annotation {a['attrs'].get('ANNOTATION_ID')!r} of tier "
                                 f"{_tid(tier)!r} overlaps the one on line {prev[2]} in time")
            prev = (t0, t1, a["line"])
            if not keep_empty and not a["value"].strip():
                blanks.setdefault(i, []).append(a)
                continue
            u: dict[str, Any] = {"text": a["value"], "t0": t0, "t1": t1, "tier": _tid(tier),
                                 "id": a["attrs"].get("ANNOTATION_ID")}
            if who:
                u["speaker"] = who
            utts.append(u)
    rec = Record.new(path.stem)
    side = rec.add_transcript(lang, utts, keep_empty=keep_empty)
    segs = side.layers["segments"]["spans"]
    if _overlaps(segs):
        side.layers["segments"]["overlap"] = True
    words_at = _words(doc, chosen, segs, side.text, options.get("words"))
    if words_at is not None:
        side.set_words(words_at[1])
    media = _media(doc, path, options)
    if media:
        side.data["media"] = media
    layout = _layout(doc, chosen, blanks, words_at[0] if words_at else None)
    if layout != default_layout({**side.data, "media": {"uri": media["uri"]}} if media else side.data, lang):
        side.layers[LAYER] = layout
    if not segs:
        del side.layers["segments"]
    if not side.layers:
        del side.data["layers"]
    return rec.data


def _overlaps(segs: list[dict[str, Any]]) -> bool:
    ends: dict[Any, float] = {}
    for s in segs:
        who = s.get("speaker", s.get("tier"))
        if who in ends and s["t0"] < ends[who]:
            return True
        ends[who] = max(ends.get(who, 0.0), s["t1"])
    return False


def _words(doc: _Doc, chosen: list[int], segs: list[dict[str, Any]], text: str,
           option: Any) -> tuple[int, list[dict[str, Any]]] | None:
    names = {_tid(doc.tiers[i]) for i in chosen}
    if option not in (None, ""):
        ids = [_tid(t) for t in doc.tiers]
        if str(option) not in ids:
            raise UsageError(f"{doc.where}: no tier {option!r} (-I words=...; the tiers: {', '.join(map(repr, ids))})")
        if str(option) in names:
            raise UsageError(f"{doc.where}: the words tier {option!r} must be a tier other than the transcript")
        cands = [ids.index(str(option))]
    else:
        cands = [i for i, t in enumerate(doc.tiers) if t["attrs"].get("PARENT_REF") in names
                 and doc.constraint(t) in INTERPOLATED
                 and "word" in (_tid(t) + " " + t["attrs"].get("LINGUISTIC_TYPE_REF", "")).lower()]
    for i in cands:
        tier = doc.tiers[i]
        parent = tier["attrs"].get("PARENT_REF")
        mine = [s for s in segs if s.get("tier") == parent] if parent in names else segs
        if any(a["kind"] == "ref" for a in tier["annotations"]) or not mine:
            found = None
        else:
            items = sorted((*doc.span(tier, a), a["value"]) for a in tier["annotations"])
            found = locate_words(items, text, mine)
        if found is not None:
            return i, found
        if option not in (None, ""):
            raise InputError(f"{doc.where}:{tier['line']}: a value of the words tier {_tid(tier)!r} is not found in "
                             "the transcript where its time falls")
    return None


def _layout(doc: _Doc, chosen: list[int], blanks: dict[int, list[dict[str, Any]]],
            words_at: int | None) -> dict[str, Any]:
    tiers = []
    for i, t in enumerate(doc.tiers):
        entry: dict[str, Any] = {"attrs": t["attrs"]}
        if i in chosen:
            entry["role"] = "segments"
            entry["slots"] = {a["attrs"]["ANNOTATION_ID"]: [a["attrs"].get("TIME_SLOT_REF1"),
                                                            a["attrs"].get("TIME_SLOT_REF2")]
                              for a in t["annotations"]}
            extra = {a["attrs"]["ANNOTATION_ID"]: {k: v for k, v in a["attrs"].items() if k not in _SLOT_ATTRS}
                     for a in t["annotations"]}
            extra = {k: v for k, v in extra.items() if v}
            if extra:
                entry["ann_attrs"] = extra
            if blanks.get(i):
                entry["blank"] = [{"attrs": a["attrs"], "value": a["value"]} for a in blanks[i]]
        else:
            entry["annotations"] = [{"kind": a["kind"], "attrs": a["attrs"], "value": a["value"]}
                                    for a in t["annotations"]]
            if i == words_at:
                entry["words"] = True  # the words layer's source, written back as it was read
        tiers.append(entry)
    aligned = [v for _, v in doc.slots if v is not None]
    return {"attrs": doc.attrs, "header_attrs": doc.header_attrs, "header": doc.header, "time_order": doc.slots,
            "tiers": tiers, "tail": doc.tail, "xmax": max(aligned) / 1000 if aligned else 0.0}


def read(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    check_options(FORMAT, "reader", options)
    for f in document_files(Path(path), ".eaf"):
        yield read_file(f, langs, options)


# --------------------------------------------------------------------------------------- writing

def _tier_key(seg: dict[str, Any]) -> str:
    return seg.get("tier") or seg.get("speaker") or "transcript"


def _ms(t: float) -> int:
    return int(round(t * 1000))


def default_layout(side: dict[str, Any], lang: str) -> dict[str, Any]:
    """The ``x-eaf`` layout the writer derives for a side that has none (an EAF 3.0 document)."""
    segs = ((side.get("layers") or {}).get("segments") or {}).get("spans") or []
    media = side.get("media")
    header = []
    if media:
        mime = mimetypes.guess_type(media["uri"])[0] or "audio/*"
        header.append(f'<MEDIA_DESCRIPTOR MEDIA_URL="{_attr(media["uri"])}" MIME_TYPE="{_attr(mime)}">'
                      "</MEDIA_DESCRIPTOR>")
    slots, tiers, by_tier = [], [], {}
    for n, s in enumerate(segs):
        slots += [[f"ts{2 * n + 1}", _ms(s["t0"])], [f"ts{2 * n + 2}", _ms(s["t1"])]]
        key = _tier_key(s)
        if key not in by_tier:
            attrs = {"LANG_REF": lang, "LINGUISTIC_TYPE_REF": "default-lt"}
            if s.get("speaker"):
                attrs["PARTICIPANT"] = s["speaker"]
            attrs["TIER_ID"] = key
            by_tier[key] = {"attrs": attrs, "role": "segments", "slots": {}}
            tiers.append(by_tier[key])
        by_tier[key]["slots"][s.get("id") or f"a{n + 1}"] = [f"ts{2 * n + 1}", f"ts{2 * n + 2}"]
    tail = ['<LINGUISTIC_TYPE GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="default-lt" TIME_ALIGNABLE="true">'
            "</LINGUISTIC_TYPE>"]
    words = ((side.get("layers") or {}).get("words") or {}).get("spans") or []
    if words and tiers:
        tail.append(f'<LINGUISTIC_TYPE CONSTRAINTS="Included_In" GRAPHIC_REFERENCES="false" '
                    f'LINGUISTIC_TYPE_ID="{WORDS_TYPE}" TIME_ALIGNABLE="true"></LINGUISTIC_TYPE>')
        tiers.append(_words_tier(side["text"], words, tiers[0]["attrs"]["TIER_ID"], slots, lang))
    tail.append(f'<LANGUAGE LANG_ID="{_attr(lang)}"></LANGUAGE>')
    tail += [f'<CONSTRAINT DESCRIPTION="{_attr(d)}" STEREOTYPE="{s}"></CONSTRAINT>' for d, s in _STANDARD_CONSTRAINTS]
    return {"attrs": [["xmlns:xsi", XSI], ["AUTHOR", ""], ["DATE", DEFAULT_DATE], ["FORMAT", "3.0"], ["VERSION", "3.0"],
                      ["xsi:noNamespaceSchemaLocation", "http://www.mpi.nl/tools/elan/EAFv3.0.xsd"]],
            "header_attrs": {"MEDIA_FILE": "", "TIME_UNITS": "milliseconds"}, "header": header,
            "time_order": slots, "tiers": tiers, "tail": tail,
            "xmax": max([v for _, v in slots], default=0) / 1000}


def _words_tier(text: str, words: list[dict[str, Any]], parent: str, slots: list[list[Any]],
                lang: str) -> dict[str, Any]:
    """A words layer as an ``Included_In`` tier under the first transcript tier (new slots appended)."""
    anns = []
    for j, w in enumerate(words):
        n = len(slots)
        slots += [[f"ts{n + 1}", _ms(w["t0"])], [f"ts{n + 2}", _ms(w["t1"])]]
        anns.append({"kind": "alignable", "attrs": {"ANNOTATION_ID": f"w{j + 1}", "TIME_SLOT_REF1": f"ts{n + 1}",
                                                    "TIME_SLOT_REF2": f"ts{n + 2}"},
                     "value": text[w["start"]:w["end"]]})
    return {"attrs": {"LANG_REF": lang, "LINGUISTIC_TYPE_REF": WORDS_TYPE, "PARENT_REF": parent, "TIER_ID": "words"},
            "annotations": anns, "words": True}


def _attr(s: str) -> str:
    from .xmlsafe import escape_attr

    return escape_attr(s)


def _ann_xml(kind: str, attrs: dict[str, str], value: str) -> list[str]:
    tag = "ALIGNABLE_ANNOTATION" if kind == "alignable" else "REF_ANNOTATION"
    return ["        <ANNOTATION>", f"            <{tag}{attrs_xml(attrs.items())}>",
            f"                <ANNOTATION_VALUE>{escape_text(value)}</ANNOTATION_VALUE>",
            f"            </{tag}>", "        </ANNOTATION>"]


def render(rec: dict[str, Any], lang: str) -> str:
    """The EAF document of one side of a record."""
    side = rec["sides"][lang]
    bad = bad_xml_char(side["text"])
    if bad is not None:
        raise InputError(f"record {rec['id']!r}: the {lang} text has {side['text'][bad]!r} at offset {bad}, which XML "
                         "1.0 (an EAF) cannot hold")
    layers = side.get("layers") or {}
    layout = layers.get(LAYER) or default_layout(side, lang)
    text = side["text"]
    segs = (layers.get("segments") or {}).get("spans") or []
    slots = [list(x) for x in layout["time_order"]]
    value_of = dict(slots)
    used = {int(m.group(1)) for sid, _ in slots if (m := re.fullmatch(r"ts(\d+)", sid))}
    next_slot = max(used, default=0) + 1
    entries = list(layout["tiers"])
    known = {e["attrs"].get("TIER_ID") for e in entries if e.get("role") == "segments"}
    roles = [e for e in entries if e.get("role") == "segments"]
    for name in dict.fromkeys(_tier_key(s) for s in segs):
        if name not in known:
            e = {"attrs": {"LINGUISTIC_TYPE_REF": "default-lt", "TIER_ID": name}, "role": "segments", "slots": {}}
            entries.append(e)
            roles.append(e)
    ids_taken = {a for e in entries for a in (e.get("slots") or {})}
    ids_taken |= {a["attrs"].get("ANNOTATION_ID") for e in entries for a in e.get("annotations", [])}
    new_id = 0
    blocks: list[str] = []
    for e in entries:
        blocks.append(f"    <TIER{attrs_xml(e['attrs'].items())}>")
        if e.get("role") != "segments":
            for a in e.get("annotations", []):
                blocks += _ann_xml(a["kind"], a["attrs"], a["value"])
            blocks.append("    </TIER>")
            continue
        mine = [s for s in segs if _tier_key(s) == e["attrs"].get("TIER_ID") or len(roles) == 1]
        anns: list[tuple[float, float, dict[str, str], str]] = []
        for s in mine:
            aid = s.get("id")
            if not aid:
                while True:
                    new_id += 1
                    aid = f"a{new_id}" if f"a{new_id}" not in ids_taken else None
                    if aid:
                        break
                ids_taken.add(aid)
            pair = (e.get("slots") or {}).get(aid)
            want = (_ms(s["t0"]), _ms(s["t1"]))
            if not pair or (value_of.get(pair[0]), value_of.get(pair[1])) != want:
                pair = []
                for v in want:
                    sid = f"ts{next_slot}"
                    next_slot += 1
                    slots.append([sid, v])
                    value_of[sid] = v
                    pair.append(sid)
            attrs = {"ANNOTATION_ID": aid, **(e.get("ann_attrs") or {}).get(aid, {}),
                     "TIME_SLOT_REF1": pair[0], "TIME_SLOT_REF2": pair[1]}
            anns.append((s["t0"], s["t1"], attrs, text[s["start"]:s["end"]]))
        for b in e.get("blank", []):
            r1, r2 = b["attrs"].get("TIME_SLOT_REF1"), b["attrs"].get("TIME_SLOT_REF2")
            anns.append(((value_of.get(r1) or 0) / 1000, (value_of.get(r2) or 0) / 1000, b["attrs"], b["value"]))
        for _t0, _t1, attrs, value in sorted(anns, key=lambda x: (x[0], x[1])):
            blocks += _ann_xml("alignable", attrs, value)
        blocks.append("    </TIER>")
    if len(slots) > len(layout["time_order"]):  # new slots: keep the time order sorted as ELAN does
        slots.sort(key=lambda x: (x[1] is None, x[1] if x[1] is not None else 0))
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f"<ANNOTATION_DOCUMENT{attrs_xml((k, v) for k, v in layout['attrs'])}>",
           f"    <HEADER{attrs_xml(layout['header_attrs'].items())}>"]
    out += [f"        {x}" for x in layout["header"]]
    out.append("    </HEADER>")
    out.append("    <TIME_ORDER>")
    for sid, v in slots:
        value = "" if v is None else f' TIME_VALUE="{v}"'
        out.append(f'        <TIME_SLOT TIME_SLOT_ID="{_attr(sid)}"{value}/>')
    out.append("    </TIME_ORDER>")
    out += blocks
    out += [f"    {x}" for x in layout["tail"]]
    out.append("</ANNOTATION_DOCUMENT>")
    return "\n".join(out) + "\n"


def write(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    check_options(FORMAT, "writer", options)
    return write_documents(records, path, langs, ".eaf", "an EAF", render)


FORMAT = Format(
    "eaf", "ELAN annotation document (EAF 2.x/3.0; tiers, time slots, symbolic annotations; one record per file)",
    (".eaf",), frozenset({"segments", "words", "media", "extension-layers"}), read, write, max_sides=1,
    x_layers=frozenset({LAYER}),
    read_options={
        "tier": Option(None, "the transcript tier ids, joined by ',', or '*' for every top-level tier (default: the "
                             "top-level tiers with a participant, else those named utterance/transcript/..., else the "
                             "first)"),
        "words": Option(None, "a tier to read as word timings (default: a Time_Subdivision/Included_In child of a "
                              "transcript tier named like 'word', when its values are found in the transcript)"),
        "keep_empty": KEEP_EMPTY_OPTION,
        "media_root": Option(None, "the folder relative media URLs are resolved against (default: the EAF's folder)"),
        "media_facts": Option(True, "read the media file's duration, rate, channels and sha256 when it is found",
                              (True, False)),
    },
    write_options={},
)
