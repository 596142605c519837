"""XLIFF 2.0, 2.1 and 2.2: one record per ``<segment>``, validated while it is read.

Sides are keyed by ``srcLang`` and ``trgLang`` (BCP 47 canonical case). Record ids are the unit
id, plus ``/<segment id>`` (or ``/#<n>`` for a segment without id) when a unit has several
segments, prefixed ``<file id>/`` in every ``<file>`` after the first. ``meta.xliff2`` keeps what
rebuilds the document: ``file``, ``groups`` (ids) and ``unit`` (id) the segment sits in, the
segment's attributes (``segment``: id, state, subState, ...), the ``<ignorable>`` elements
``before`` (and, for a unit's last segment, ``after``) it, and on the first record of each file,
group and unit their content under ``open``: attributes, notes, ``<originalData>`` (``data``), the
skeleton, and module or extension elements (``<mtc:matches>``, ``<mda:metadata>``, ...) as XML.
``<source>``/``<target>`` attributes (``xml:space``, ``order``) are side metadata. What equals the
writer's defaults is left out (file ``f1``, no groups, a one-segment unit named like the record),
so plain documents give plain records; the first record always keeps the ``<xliff>`` element's
description (``open.xliff``), which also tells the ``xliff`` format to write XLIFF 2 back. Record
ids and metadata that XLIFF has no place for travel in an ``<lc:record>`` extension element.

Inline ``ph pc sc ec mrk sm em`` become the ``codes`` layer (``cp`` becomes the character it
stands for); a code's ``data`` is its original data (``dataRef``), kept with its ``dataRef``.

Every unit is checked against the Core constraints and processing requirements
(:mod:`.xliff2rules`), then against the bundled OASIS XLIFF 2.2 schemas (reader option ``validate``),
before its records are given out: an invalid document fails at its first violation, naming the
requirement, the file and the line. ``srcLang`` = ``trgLang`` is lancang's model limit, not a
violation (reader option ``duplicate_lang``). Reading streams: one unit at a time is
held, plus the unit ids of the current ``<file>`` (to check their uniqueness and sub-flow refs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from lxml import etree

from ...errors import InputError
from ..jsonl import PathLike
from . import MODEL_LIMITS, Format, Option, check_options
from .xliff2rules import (
    CORE_NS,
    NS20,
    Ctx,
    check_attrs,
    check_extension,
    check_module_place,
    check_notes,
    check_root,
    check_schema,
    check_unit,
    fail,
    local,
)
from .xliffcommon import (
    LC_RECORD,
    MAX_UNIT_ELEMENTS,
    check_xml_text,
    entry,
    indent_children,
    nsmap_json,
    nsmap_lxml,
    raw_elements,
    read_record_element,
    record_element,
    set_attrs,
    side_of,
    xml_writer,
)
from .xmlcodes import (
    CHAR,
    PLACEHOLDER,
    SPANNING,
    CodeError,
    build_content,
    kinds_for,
    paired,
    public_attrs,
    read_content,
)
from .xmlsafe import XmlInputError, attr_name, attrs_of, bad_xml_char, canonical_lang, drop, iterparse, kept_xml, ns_of

KINDS = kinds_for(CORE_NS, cp=CHAR, ph=PLACEHOLDER, sc=PLACEHOLDER, ec=PLACEHOLDER, sm=PLACEHOLDER, em=PLACEHOLDER,
                  pc=SPANNING, mrk=SPANNING)
DEFAULT_VERSION = "2.1"
_NOT_NMTOKEN = re.compile(r"[^\w.\-:\u00b7\u0300-\u036f\u203f\u2040]")


def nmtoken(s: str) -> str:
    return _NOT_NMTOKEN.sub("_", s) or "_"


def _cp(el: Any) -> str:
    return chr(int(el.get("hex"), 16))


def _data_text(el: Any) -> str:
    parts = [el.text or ""]
    for c in el:
        parts.append(_cp(c))
        parts.append(c.tail or "")
    return "".join(parts)


# ------------------------------------------------------------------------------------- reading

class _Reader:
    def __init__(self, path: PathLike, duplicate_lang: str = "error", validate: bool = True):
        self.name = str(path)
        self.keep_first = duplicate_lang == "first"
        self.same_lang = False
        self.validate = validate
        self.ctx: Ctx | None = None
        self.src = ""
        self.trg: str | None = None
        self.pending: dict[str, Any] = {}
        self.file_ids: set[str] = set()
        self.file_no = 0
        self.fid = ""
        self.group_ids: set[str] = set()
        self.units: set[str] = set()
        self.refs: list[tuple[str, Any]] = []
        self.stack: list[dict[str, Any]] = []  # file and groups: {"el", "kind", "desc", "announced", "phase"}
        self.root: Any = None
        self.root_phase = 0
        self.root_ext: set[tuple[str, str]] = set()
        self.in_unit: Any = None

    def root_start(self, el: Any) -> None:
        ns = ns_of(el.tag)
        if el.tag.rpartition("}")[2] != "xliff":
            raise XmlInputError("xliff2-not-xliff", f"the root element is <{el.tag}>, not <xliff>", self.name,
                                el.sourceline)
        if ns not in CORE_NS:
            hint = " (XLIFF 1.2: use the 'xliff' format)" if "1." in ns or not ns else ""
            raise XmlInputError("xliff2-namespace", f"<xliff> is in the namespace {ns or '(none)'!r}, not an XLIFF 2 "
                                f"Core namespace{hint}", self.name, el.sourceline)
        self.ctx = Ctx(self.name, ns, "", None)
        attrs = check_root(self.ctx, el)
        self.src = canonical_lang(attrs["srcLang"])
        self.trg = canonical_lang(attrs["trgLang"]) if attrs.get("trgLang") else None
        if self.trg is not None and self.trg == self.src:
            what = (f"srcLang and trgLang are both {self.src}: XLIFF 2 allows it, but a lancang record holds one "
                    "text per language")
            if not self.keep_first:
                raise XmlInputError("xliff2-same-languages", f"{what}, so the targets cannot be converted "
                                    "losslessly (a lancang model limit, not an XLIFF 2 violation; -I "
                                    "duplicate_lang=first keeps the sources and marks the records)", self.name,
                                    el.sourceline)
            self.same_lang = True
        self.ctx.src, self.ctx.trg = self.src, self.trg
        self.root = el
        self.pending["xliff"] = {"attrs": {attr_name(k): v for k, v in el.attrib.items()},
                                 "nsmap": nsmap_json(el.nsmap)}

    def start(self, el: Any) -> None:
        ctx = self.ctx
        assert ctx is not None
        name = local(ctx, el)
        parent = el.getparent()
        if name == "unit":
            self.content_starts(parent, el)
            self.in_unit = el
        elif name == "file":
            if parent is not self.root:
                raise fail(ctx, "element-unexpected", "<file> must be a child of <xliff>", el, "§file")
            self.root_phase = 3
            a = check_attrs(ctx, "file", el)
            if a["id"] in self.file_ids:
                raise fail(ctx, "id-unique", f"<file id=\"{a['id']}\"> repeats a file id", el,
                           "§id: unique among all <file> ids within the enclosing <xliff>")
            self.file_ids.add(a["id"])
            self.file_no += 1
            self.fid = a["id"]
            self.group_ids = set()
            self.units = set()
            self.refs = []
            desc = {"attrs": attrs_of(el)}
            self.stack = [{"el": el, "kind": "file", "desc": desc, "phase": 0, "ext": set()}]
            self.pending["file"] = desc
        elif name == "group":
            self.content_starts(parent, el)
            a = check_attrs(ctx, "group", el)
            if a["id"] in self.group_ids:
                raise fail(ctx, "id-unique", f"<group id=\"{a['id']}\"> repeats a group id of this <file>", el,
                           "§id: unique among all <group> ids within the enclosing <file>")
            self.group_ids.add(a["id"])
            self.stack.append({"el": el, "kind": "group", "desc": {"attrs": attrs_of(el)}, "phase": 0,
                               "announced": False, "ext": set()})

    def content_starts(self, parent: Any, el: Any) -> None:
        ctx = self.ctx
        assert ctx is not None
        if not self.stack or parent is not self.stack[-1]["el"]:
            raise fail(ctx, "element-unexpected", f"<{local(ctx, el)}> must be in a <file> or <group>", el,
                       f"§{local(ctx, el)}")
        self.stack[-1]["phase"] = 4

    def end(self, el: Any) -> list[dict[str, Any]] | None:
        ctx = self.ctx
        assert ctx is not None
        name = local(ctx, el)
        if name == "unit":
            self.in_unit = None
            check_unit(ctx, el, self.units, self.refs)
            if self.validate:
                check_schema(ctx, el)
            recs = self.unit(el)
            drop(el)
            return recs
        parent = el.getparent()
        if name in ("file", "group"):
            top = self.stack.pop()
            if name == "file":
                if top["phase"] < 4:
                    raise fail(ctx, "file-empty", f"<file id=\"{self.fid}\"> has no <unit> or <group>", el,
                               "§file: one or more <unit> or <group> elements")
                for ref, at in self.refs:
                    if ref not in self.units:
                        raise fail(ctx, "subflow-unresolved", f"sub-flow {ref!r} names no <unit> of this <file>",
                                   at, "§subFlows: each value MUST be the id of a <unit> in the same <file>")
            drop(el)
            return None
        if parent is self.root:
            self.root_child(el, name)
        elif self.stack and parent is self.stack[-1]["el"]:
            self.container_child(el, name)
        return None

    def root_child(self, el: Any, name: str | None) -> None:
        ctx = self.ctx
        assert ctx is not None
        x = self.pending.setdefault("xliff", {})
        if self.validate:
            check_schema(ctx, el)
        if name == "notes" and ctx.ns != NS20 and self.root_phase < 1:
            check_notes(ctx, el)
            x["notes"] = [entry(n) for n in el]
            self.root_phase = 1
        elif name is None and ctx.ns != NS20 and self.root_phase < 2:
            check_module_place(ctx, "xliff", el, {})
            check_extension(ctx, el, self.root_ext)
            x.setdefault("xml", []).append(kept_xml(el))
            self.root_phase = 2
        else:
            raise fail(ctx, "element-unexpected", f"<{name or el.tag}> is not allowed here in <xliff>", el, "§xliff")
        drop(el)

    def container_child(self, el: Any, name: str | None) -> None:
        ctx = self.ctx
        assert ctx is not None
        top = self.stack[-1]
        desc, kind, phase = top["desc"], top["kind"], top["phase"]
        if self.validate:
            check_schema(ctx, el)
        if name == "skeleton" and kind == "file" and phase == 0:
            check_attrs(ctx, "skeleton", el)
            has_content = bool((el.text or "").strip()) or len(el)
            if bool(el.get("href")) == bool(has_content):
                raise fail(ctx, "skeleton", "<skeleton> must have either href or content, not both or neither", el,
                           "§skeleton")
            desc["skeleton"] = kept_xml(el)
            top["phase"] = 1
        elif name is None and phase <= 2:
            check_module_place(ctx, kind, el, top.setdefault("mods", {}))
            check_extension(ctx, el, top["ext"])
            desc.setdefault("xml", []).append(kept_xml(el))
            top["phase"] = 2
        elif name == "notes" and phase <= 2:
            check_notes(ctx, el)
            desc["notes"] = [entry(n) for n in el]
            top["phase"] = 3
        elif name is not None and name not in ("skeleton", "notes"):
            raise fail(ctx, "element-unexpected", f"<{name}> is not allowed in <{kind}>", el, f"§{kind}")
        else:
            raise fail(ctx, "element-order", f"<{name or el.tag}> is not allowed here in <{kind}>", el,
                       f"§{kind}: skeleton, then extensions, then notes, then units and groups")
        drop(el)

    def content(self, el: Any, data: dict[str, Any]) -> dict[str, Any]:
        try:
            c = read_content(el, KINDS, id_attr="id", char_of=_cp)
        except CodeError as exc:
            raise XmlInputError("xliff2-" + exc.rule, str(exc), self.name, exc.line) from None
        for it in c.items:
            ref = (it.get("attrs") or {}).get("dataRef")
            if ref in data:
                it["data"] = data[ref]["text"]
        return side_of(c, attrs_of(el), "xliff2")

    def part(self, el: Any, data: dict[str, Any]) -> dict[str, Any]:
        """An <ignorable> kept in meta."""
        d: dict[str, Any] = {}
        a = attrs_of(el)
        if a:
            d["attrs"] = a
        for flow, c in zip(("source", "target"), el):
            side = self.content(c, data)
            e: dict[str, Any] = {"text": side["text"]}
            if "layers" in side:
                e["codes"] = side["layers"]["codes"]["items"]
            if (side.get("meta") or {}).get("xliff2"):
                e["attrs"] = side["meta"]["xliff2"]["attrs"]
            if (side.get("meta") or {}).get("source_not_nfc"):
                e["source_not_nfc"] = True
            d[flow] = e
        return d

    def unit(self, el: Any) -> list[dict[str, Any]]:
        ctx = self.ctx
        assert ctx is not None
        uid = el.get("id")
        desc: dict[str, Any] = {"attrs": attrs_of(el)}
        data: dict[str, Any] = {}
        lcs: dict[int, dict[str, Any]] = {}
        parts: list[tuple[str, Any]] = []
        for ch in el:
            name = local(ctx, ch)
            if name is None:
                if ch.tag == LC_RECORD:
                    lc = read_record_element(ch, self.name)
                    lcs[int(lc.get("seg", 1))] = lc
                else:
                    desc.setdefault("xml", []).append(kept_xml(ch))
            elif name == "notes":
                desc["notes"] = [entry(n) for n in ch]
            elif name == "originalData":
                for d in ch:
                    item: dict[str, Any] = {"text": _data_text(d)}
                    a = attrs_of(d, ("id",))
                    if a:
                        item["attrs"] = a
                    data[d.get("id")] = item
            else:
                parts.append((name, ch))
        if data:
            desc["data"] = data
        nseg = sum(1 for n, _ in parts if n == "segment")
        prefix = "" if self.file_no == 1 else f"{self.fid}/"
        recs: list[dict[str, Any]] = []
        before: list[dict[str, Any]] = []
        k = 0
        for name, ch in parts:
            if name == "ignorable":
                before.append(self.part(ch, data))
                continue
            k += 1
            sattrs = attrs_of(ch)
            rid = prefix + uid + ("" if nseg == 1 else f"/{sattrs.get('id') or f'#{k}'}")
            sides = {self.src: self.content(ch[0], data)}
            dropped = len(ch) > 1 and self.same_lang
            if len(ch) > 1 and not dropped:
                sides[self.trg] = self.content(ch[1], data)  # type: ignore[index]
            x: dict[str, Any] = {"file": self.fid, "groups": [g["desc"]["attrs"]["id"] for g in self.stack[1:]],
                                 "unit": uid}
            if sattrs:
                x["segment"] = sattrs
            if before:
                x["before"] = before
                before = []
            rec: dict[str, Any] = {"id": rid}
            lc = lcs.get(k)
            if lc is not None:
                if "id" in lc:
                    rec["id"] = lc["id"]
                if "doc" in lc:
                    rec["doc"] = lc["doc"]
            rec["meta"] = {"xliff2": x, **((lc or {}).get("meta") or {})}
            if dropped:
                rec["meta"][MODEL_LIMITS] = [f"the <target> (line {ch[1].sourceline}) is in {self.src}, the language "
                                             "of the source (srcLang = trgLang), and was not kept"]
            for lang, m in ((lc or {}).get("sides") or {}).items():
                if lang in sides:
                    sides[lang].setdefault("meta", {}).update(m)
            rec["sides"] = sides
            recs.append(rec)
        if before:
            recs[-1]["meta"]["xliff2"]["after"] = before
        first = recs[0]["meta"]["xliff2"]
        opened = [g["desc"] for g in self.stack[1:] if not g["announced"]]
        for g in self.stack[1:]:
            g["announced"] = True
        op = self.pending
        self.pending = {}
        if opened:
            op["groups"] = opened
        op["unit"] = desc
        first["open"] = op
        for r in recs:
            self.prune(r, nseg)
        return recs

    def prune(self, rec: dict[str, Any], nseg: int) -> None:
        """Leave out what the writer produces anyway for a record without ``meta.xliff2``."""
        x = rec["meta"]["xliff2"]
        if self.file_no == 1 and x.get("file") == "f1":
            del x["file"]
        if not x["groups"]:
            del x["groups"]
        uid = x["unit"]
        if nseg == 1 and uid == nmtoken(rec["id"]):
            del x["unit"]
        op = x.get("open")
        if op is not None:  # the root's description stays: it tells that the records came from XLIFF 2
            if op.get("file") == {"attrs": {"id": "f1"}}:
                del op["file"]
            if op.get("unit") == {"attrs": {"id": uid}}:
                del op["unit"]
            if not op:
                del x["open"]
        if not x:
            del rec["meta"]["xliff2"]
        if not rec["meta"]:
            del rec["meta"]


def read(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    check_options(FORMAT, "reader", options)
    limit = options.get("max_unit_elements", MAX_UNIT_ELEMENTS)
    r = _Reader(path, options.get("duplicate_lang", "error"), options.get("validate", True))
    first = True
    held = 0  # elements since the last unit was read and freed: a unit, or what lies between units
    for ev, el in iterparse(path, ("start", "end")):
        if first:
            r.root_start(el)
            first = False
            continue
        if ev == "start":
            held += 1
            if held > limit:
                what = (f"<unit id={r.in_unit.get('id')!r}> has" if r.in_unit is not None
                        else "the notes, groups and metadata before this point hold")
                raise XmlInputError("xliff2-unit-too-large", f"{what} more than {limit:,} elements, which are kept "
                                    f"whole, so lancang refuses them (split the unit or file, or raise the limit "
                                    f"with -I max_unit_elements=N)", str(path),
                                    (el if r.in_unit is None else r.in_unit).sourceline)
        if r.in_unit is not None and el is not r.in_unit:
            continue  # inside a unit: it is handled whole at its end
        if ev == "start":
            r.start(el)
        else:
            if el is r.in_unit:
                held = 0
            recs = r.end(el)
            if recs:
                yield from recs
    if first:
        raise XmlInputError("xliff2-empty", "no XML document", str(path))
    if r.file_no == 0:
        assert r.ctx is not None
        raise fail(r.ctx, "no-file", "<xliff> has no <file>", r.root, "§xliff: one or more <file> elements")


# ------------------------------------------------------------------------------------- writing

_CODE2 = {"ph", "pc", "sc", "ec", "mrk", "sm", "em"}
_SPANS2 = {"pc", "mrk"}
_ALLOWED = {
    "ph": {"canCopy", "canDelete", "canReorder", "copyOf", "disp", "equiv", "dataRef", "subFlows", "subType", "type"},
    "pc": {"canCopy", "canDelete", "canOverlap", "canReorder", "copyOf", "dispEnd", "dispStart", "equivEnd",
           "equivStart", "dataRefEnd", "dataRefStart", "subFlowsEnd", "subFlowsStart", "subType", "type", "dir"},
    "sc": {"canCopy", "canDelete", "canOverlap", "canReorder", "copyOf", "dataRef", "dir", "disp", "equiv",
           "isolated", "subFlows", "subType", "type"},
    "ec": {"canCopy", "canDelete", "canOverlap", "canReorder", "copyOf", "dataRef", "dir", "disp", "equiv",
           "isolated", "startRef", "subFlows", "subType", "type"},
    "mrk": {"translate", "type", "ref", "value"}, "sm": {"translate", "type", "ref", "value"}, "em": {"startRef"},
}


def _native(it: dict[str, Any]) -> bool:
    kind = it.get("kind", "")
    if kind not in _CODE2 or (kind in _SPANS2) != ("end" in it):
        return False
    if kind == "em":
        return "id" not in it and "startRef" in (it.get("attrs") or {})
    if "id" not in it and kind != "ec":
        return False
    return all(k in _ALLOWED[kind] or k.startswith("{") for k in public_attrs(it))


class _Unit:
    """Builds one <unit> from the records of its segments."""

    def __init__(self, w: _Writer, recs: list[dict[str, Any]]):
        self.w = w
        self.recs = recs
        first = (recs[0].get("meta") or {}).get("xliff2") or {}
        self.desc = (first.get("open") or {}).get("unit") or {}
        self.data: dict[str, dict[str, Any]] = {k: v for k, v in (self.desc.get("data") or {}).items()
                                               if isinstance(v, dict)}
        self.data_by_text: dict[str, str] = {}
        self.rid = recs[0].get("id")

    def data_ref(self, text: str) -> str:
        """The id of a <data> holding ``text`` (new ones d1, d2, ... as needed)."""
        ref = self.data_by_text.get(text)
        if ref is None:
            k = len(self.data) + 1
            while f"d{k}" in self.data:
                k += 1
            ref = f"d{k}"
            self.data[ref] = {"text": text}
            self.data_by_text[text] = ref
        return ref

    def build(self, uid: str, depth: int) -> Any:
        w = self.w
        q = w.q
        u = w.xw.element(q("unit"))
        attrs = dict(self.desc.get("attrs") or {})
        attrs["id"] = uid
        set_attrs(u, attrs, self.rid)
        for k, rec in enumerate(self.recs, 1):
            x = (rec.get("meta") or {}).get("xliff2") or {}
            own = rec.get("id") if (len(self.recs) == 1 and uid != rec.get("id") and "unit" not in x) else None
            lc = record_element(rec, "xliff2", rec.get("sides"), rid=own, seg=k if len(self.recs) > 1 else None)
            if lc is not None:
                u.append(lc)
        for e in raw_elements(self.desc.get("xml"), self.rid, "meta.xliff2.open.unit.xml"):
            u.append(e.pi)
        notes = self.desc.get("notes")
        segs = []
        for rec in self.recs:
            x = (rec.get("meta") or {}).get("xliff2") or {}
            for ig in x.get("before") or ():
                segs.append(self.part("ignorable", ig, rec, depth + 1))
            segs.append(self.segment(rec, x, depth + 1))
            for ig in x.get("after") or ():
                segs.append(self.part("ignorable", ig, rec, depth + 1))
        if notes:
            ns = etree.SubElement(u, q("notes"))
            for n in notes:
                ne = etree.SubElement(ns, q("note"))
                set_attrs(ne, {k: v for k, v in n.items() if k != "text"}, self.rid)
                ne.text = str(n.get("text", ""))
            indent_children(ns, depth + 1)
        if self.data:
            od = etree.SubElement(u, q("originalData"))
            for ref, d in self.data.items():
                de = etree.SubElement(od, q("data"))
                de.set("id", ref)
                set_attrs(de, d.get("attrs"), self.rid, skip=("id",))
                self.w.text(de, str(d.get("text", "")))
            indent_children(od, depth + 1)
        for s in segs:
            u.append(s)
        indent_children(u, depth)
        return u

    def segment(self, rec: dict[str, Any], x: dict[str, Any], depth: int) -> Any:
        w = self.w
        seg = etree.Element(w.q("segment"))
        set_attrs(seg, x.get("segment"), rec.get("id"))
        sides = rec.get("sides") or {}
        src, tgt = w.pick(rec)
        seg.append(self.flow("source", rec.get("id"), src, sides[src]))
        if tgt is not None:
            seg.append(self.flow("target", rec.get("id"), tgt, sides[tgt]))
        indent_children(seg, depth)
        return seg

    def part(self, tag: str, ig: Any, rec: dict[str, Any], depth: int) -> Any:
        if not isinstance(ig, dict) or not isinstance(ig.get("source"), dict):
            raise InputError(f"record {rec.get('id')!r}: meta.xliff2 ignorable entries need a 'source'")
        el = etree.Element(self.w.q(tag))
        set_attrs(el, ig.get("attrs"), rec.get("id"))
        for flow in ("source", "target"):
            f = ig.get(flow)
            if isinstance(f, dict):
                side = {"text": f.get("text", ""), "layers": {"codes": {"items": f.get("codes") or []}},
                        "meta": {"xliff2": {"attrs": f.get("attrs") or {}}}}
                el.append(self.flow(flow, rec.get("id"), flow, side))
        indent_children(el, depth)
        return el

    def flow(self, tag: str, rid: Any, lang: str, side: dict[str, Any]) -> Any:
        el = etree.Element(self.w.q(tag))
        set_attrs(el, ((side.get("meta") or {}).get("xliff2") or {}).get("attrs"), rid)
        items = ((side.get("layers") or {}).get("codes") or {}).get("items") or []
        try:
            build_content(el, side.get("text", ""), items, _Maker(self, items), add_text=self.w.text)
        except CodeError as exc:
            raise InputError(f"record {rid!r}: side {lang}: codes: {exc} [{exc.rule}]") from None
        return el


class _Maker:
    """XLIFF 2 inline elements for one content; codes of other formats are mapped (see module doc)."""

    def __init__(self, u: _Unit, items: list[dict[str, Any]]):
        self.u = u
        self.q = u.w.q
        self.pairs = paired(items, {"bpt", "bx", "sc"}, {"ept", "ex", "ec"}, _key)
        self.index = {id(it): k for k, it in enumerate(items)}
        self.n = 0
        self.used: set[str] = set()

    def ident(self, it: dict[str, Any], cls: str) -> str:
        """A stable id for a mapped code: the class letter and the code's own id (x, i, ...), so the
        same code gets the same id in source and target; a suffix keeps ids unique in the side."""
        a = it.get("attrs") or {}
        v = it.get("id") or a.get("x") or a.get("i") or a.get("rid") or a.get("startRef")
        if v is None:
            self.n += 1
            v = str(self.n)
        base = nmtoken(f"{cls}{v}")
        ident, k = base, 1
        while ident in self.used:
            k += 1
            ident = f"{base}_{k}"
        self.used.add(ident)
        return ident

    def el(self, name: str, attrs: dict[str, str], it: dict[str, Any]) -> Any:
        e = etree.Element(self.q(name))
        for k, v in attrs.items():
            e.set(k, v)
        if it.get("data") and name in ("ph", "sc", "ec"):
            e.set("dataRef", self.u.data_ref(_flat(it)))
        return e

    def __call__(self, ev: str, it: dict[str, Any]) -> Any:
        kind = it.get("kind", "")
        if _native(it):
            if ev == "close":
                return None
            e = etree.Element(self.q(kind))
            attrs = ({"id": it["id"]} if "id" in it else {}) | public_attrs(it)
            ref = attrs.get("dataRef")
            if it.get("data") and (ref is None or ref not in self.u.data):
                attrs["dataRef"] = self.u.data_ref(_flat(it))
            set_attrs(e, attrs, self.u.rid)
            return (e, True) if ev == "open" else e
        a = public_attrs(it)
        typ = {"type": "fmt"} if kind in ("bpt", "ept", "it", "g", "bx", "ex") else {}
        if ev == "open":
            if kind in ("mrk", "hi"):
                # a generic annotation needs translate (XLIFF 2 §Translate Annotation); yes is the default
                return self.el("mrk", {"id": self.ident(it, "m"), "translate": "yes"}, it), True
            return self.el("pc", {"id": self.ident(it, "g")} | typ, it), True
        if ev == "close":
            return None
        if kind in ("bpt", "bx", "sc", "ept", "ex", "ec"):
            begin = kind in ("bpt", "bx", "sc")
            key = f"c{_key(it)}" if _key(it) is not None else None
            if self.index[id(it)] in self.pairs and key:
                ident = nmtoken(key)
                if begin:
                    self.used.add(ident)
                return self.el("sc", {"id": ident} | typ, it) if begin else self.el("ec", {"startRef": ident} | typ,
                                                                                    it)
            return self.el("sc" if begin else "ec", {"id": self.ident(it, "i"), "isolated": "yes"} | typ, it)
        if kind == "it" and a.get("pos") in ("begin", "end", "open", "close"):
            begin = a["pos"] in ("begin", "open")
            return self.el("sc" if begin else "ec", {"id": self.ident(it, "i"), "isolated": "yes"} | typ, it)
        return self.el("ph", {"id": self.ident(it, "p")}, it)


def _key(it: dict[str, Any]) -> Any:
    a = it.get("attrs") or {}
    return a.get("i") or a.get("rid") or a.get("startRef") or it.get("id")


def _flat(it: dict[str, Any]) -> str:
    data = it.get("data", "")
    if (it.get("attrs") or {}).get("#xml"):
        from .xmlsafe import parse_fragment

        try:
            return "".join(parse_fragment(data).itertext())
        except ValueError:
            return data
    return data


class _Writer:
    def __init__(self, langs: Any):
        self.langs = list(langs) if langs else None
        self.ns = NS20
        self.xw: Any = None
        self.src = ""
        self.trg: str | None = None

    def q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def text(self, parent: Any, s: str) -> None:
        """Append text, writing characters XML cannot hold as <cp hex="..."/>."""
        from .xmlcodes import append_text

        while s:
            i = bad_xml_char(s)
            if i is None:
                append_text(parent, s)
                return
            append_text(parent, s[:i])
            etree.SubElement(parent, self.q("cp")).set("hex", f"{ord(s[i]):04X}")
            s = s[i + 1:]

    def setup(self, first: dict[str, Any] | None) -> tuple[dict[str, str], dict[str | None, str]]:
        x = ((first or {}).get("meta") or {}).get("xliff2") or {}
        root = (x.get("open") or {}).get("xliff") or {}
        sides = list((first or {}).get("sides") or {})
        order = self.langs or sides
        attrs = dict(root.get("attrs") or {})
        if not attrs:
            attrs = {"version": DEFAULT_VERSION, "srcLang": order[0] if order else "und"}
            f12 = ((((first or {}).get("meta") or {}).get("xliff") or {}).get("open") or {}).get("file") or {}
            tgt = order[1] if len(order) > 1 else (f12.get("attrs") or {}).get("target-language")
            if tgt:
                attrs["trgLang"] = canonical_lang(tgt)
        nsmap = nsmap_lxml(root.get("nsmap")) or {None: NS20}
        self.ns = next((u for u in nsmap.values() if u in CORE_NS), NS20)
        if self.ns not in nsmap.values():
            nsmap[None] = self.ns
        self.src = attrs.get("srcLang", "und")
        self.trg = attrs.get("trgLang")
        return attrs, nsmap

    def pick(self, rec: dict[str, Any]) -> tuple[str, str | None]:
        sides = rec.get("sides") or {}
        low = {k.lower(): k for k in sides}
        src = low.get(canonical_lang(self.src).lower())
        if src is None:
            raise InputError(f"record {rec.get('id')!r}: no side in srcLang {self.src} (sides: "
                             f"{', '.join(sides) or 'none'})")
        tgt = low.get(canonical_lang(self.trg).lower()) if self.trg else None
        if tgt == src:  # srcLang = trgLang: the record holds the source only
            tgt = None
        if tgt is None and len(sides) > 1:
            other = [k for k in sides if k != src]
            raise InputError(f"record {rec.get('id')!r}: side {other[0]} is not the document's trgLang "
                             f"({self.trg or 'none'}); give the languages with --src/--tgt")
        for lang in (src, tgt):
            if lang is not None:
                check_xml_text_ok(rec, lang)
        return src, tgt


def check_xml_text_ok(rec: dict[str, Any], lang: str) -> None:
    """XLIFF 2 writes characters XML cannot hold as <cp>; only lone surrogates are impossible."""
    t = rec["sides"][lang].get("text", "")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in t):
        check_xml_text(rec.get("id"), lang, t)


def _ukey(rec: dict[str, Any], n: int) -> tuple[Any, ...]:
    x = (rec.get("meta") or {}).get("xliff2") or {}
    unit = x.get("unit")
    if unit is None:
        return (x.get("file", "f1"), tuple(x.get("groups") or ()), "#rec", n)
    return (x.get("file", "f1"), tuple(x.get("groups") or ()), unit)


def _units(records: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    cur: list[dict[str, Any]] = []
    key: Any = None
    for n, rec in enumerate(records):
        k = _ukey(rec, n)
        if cur and k != key:
            yield cur
            cur = []
        key = k
        cur.append(rec)
    if cur:
        yield cur


def write(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    check_options(FORMAT, "writer", options)
    w = _Writer(langs)
    it = iter(records)
    first = next(it, None)
    root_attrs, nsmap = w.setup(first)
    n = 0
    used: set[str] = set()
    cur_file: Any = None
    with xml_writer(path, nsmap) as xw:
        w.xw = xw
        xw.open("xliff", w.q("xliff"), root_attrs, root=True)
        x0 = ((first or {}).get("meta") or {}).get("xliff2") or {}
        rootd = (x0.get("open") or {}).get("xliff") or {}
        if rootd.get("notes"):
            ns = xw.element(w.q("notes"))
            for note in rootd["notes"]:
                ne = etree.SubElement(ns, w.q("note"))
                set_attrs(ne, {k: v for k, v in note.items() if k != "text"}, None)
                ne.text = str(note.get("text", ""))
            indent_children(ns, 1)
            xw.write(ns)
        for e in raw_elements(rootd.get("xml"), None, "meta.xliff2.open.xliff.xml"):
            xw.write(e)
        for recs in _units(_chain(first, it)):
            rec = recs[0]
            x = (rec.get("meta") or {}).get("xliff2") or {}
            op = x.get("open") or {}
            fkey = x.get("file", "f1")
            if fkey != cur_file:
                xw.close_to(1)
                fdesc = op.get("file") or {}
                fattrs = dict(fdesc.get("attrs") or {})
                fattrs["id"] = str(fkey)
                xw.open(("file", fkey), w.q("file"), fattrs)
                if fdesc.get("skeleton"):
                    xw.write(raw_elements([fdesc["skeleton"]], rec.get("id"), "meta.xliff2.open.file.skeleton")[0])
                _head(w, fdesc, rec)
                cur_file = fkey
                used = set()
            groups = [str(g) for g in x.get("groups") or ()]
            have = xw.keys[2:]
            common = 0
            while common < min(len(have), len(groups)) and have[common] == groups[common]:
                common += 1
            xw.close_to(2 + common)
            descs = {str((d.get("attrs") or {}).get("id")): d for d in (op.get("groups") or ()) if isinstance(d, dict)}
            for g in groups[common:]:
                d = descs.get(g) or {}
                gattrs = dict(d.get("attrs") or {})
                gattrs["id"] = g
                xw.open(g, w.q("group"), gattrs)
                _head(w, d, rec)
            uid = str(x.get("unit") or nmtoken(str(rec.get("id"))))
            if uid in used:
                k = 2
                while f"{uid}_{k}" in used:
                    k += 1
                uid = f"{uid}_{k}"
            used.add(uid)
            xw.write(_Unit(w, recs).build(uid, len(xw.stack)))
            n += len(recs)
        if first is None:  # no records: the smallest valid document (a <file> needs a unit or group)
            xw.open(("file", "f1"), w.q("file"), {"id": "f1"})
            xw.open("g1", w.q("group"), {"id": "g1"})
    return n


def _head(w: _Writer, desc: dict[str, Any], rec: dict[str, Any]) -> None:
    for e in raw_elements(desc.get("xml"), rec.get("id"), "meta.xliff2.open xml"):
        w.xw.write(e)
    if desc.get("notes"):
        ns = w.xw.element(w.q("notes"))
        for note in desc["notes"]:
            ne = etree.SubElement(ns, w.q("note"))
            set_attrs(ne, {k: v for k, v in note.items() if k != "text"}, rec.get("id"))
            ne.text = str(note.get("text", ""))
        indent_children(ns, len(w.xw.stack))
        w.xw.write(ns)


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    if first is not None:
        yield first
    yield from rest


FORMAT = Format("xliff2", "XLIFF 2.0/2.1/2.2, one record per segment, validated (notes, states, modules, inline "
                "codes kept)", (".xlf", ".xliff"), frozenset({"codes", "meta", "doc"}), read, write, max_sides=2,
                read_options={"max_unit_elements": Option(MAX_UNIT_ELEMENTS, "refuse a <unit> with more elements "
                                                                             "than this (a unit is read whole)"),
                              "validate": Option(True, "validate each unit and module element against the bundled "
                                                 "OASIS XLIFF 2.2 schemas (the coded processing requirements always "
                                                 "run)", (True, False)),
                              "duplicate_lang": Option("error", "srcLang equal to trgLang (valid XLIFF 2, but a "
                                                       "record holds one text per language): refuse, or keep the "
                                                       "sources and list the dropped targets in meta.model_limits",
                                                       ("error", "first"))},
                write_options={})
