"""XLIFF 1.2: one record per ``<trans-unit>``, source and target as two sides.

Sides are keyed by the ``<file>``'s ``source-language`` and ``target-language`` (BCP 47 canonical
case; a file without them takes ``--src``/``--tgt``, and a ``<target>`` its own ``xml:lang``). The record
``id`` is the trans-unit ``id`` (prefixed ``<n>/`` in the n-th ``<file>`` after the first).
Kept in ``meta.xliff`` so that writing rebuilds the document: the file (attributes and
``<header>``), the enclosing ``<group>`` and ``<bin-unit>`` elements (attributes, notes, other
children such as ``<context-group>`` as XML), and the trans-unit's attributes, notes, ``<seg-source>``
(as its own stand-off codes) and other children (``<alt-trans>``, ``<context-group>``, extension
elements) as XML. ``<source>``/``<target>`` attributes (``xml:lang``, ``state``, ...) are side metadata.
Inline ``g x bx ex ph bpt ept it mrk`` (with ``sub``) become the ``codes`` layer.

Reading streams (lxml iterparse, elements freed as they are used). Groups or bin-units holding no
trans-unit are not kept (a record needs a text). XLIFF 1.0/1.1 read too. A ``.xlf`` file that is
XLIFF 2 is handed to :mod:`.xliff2`, and records read from XLIFF 2 are written as XLIFF 2.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from lxml import etree

from ...errors import InputError
from ..jsonl import PathLike
from . import Format, Option, check_options
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
from .xmlcodes import PLACEHOLDER, SPANNING, CodeError, build_content, kinds_for, paired, public_attrs, read_content
from .xmlsafe import XmlInputError, attrs_of, drop, iterparse, kept_xml, local, ns_of, parse_fragment, side_lang

NS = "urn:oasis:names:tc:xliff:document:1.2"
NAMESPACES = (NS, "urn:oasis:names:tc:xliff:document:1.1", "")
KINDS = kinds_for(NAMESPACES, g=SPANNING, mrk=SPANNING, x=PLACEHOLDER, bx=PLACEHOLDER, ex=PLACEHOLDER,
                  ph=PLACEHOLDER, bpt=PLACEHOLDER, ept=PLACEHOLDER, it=PLACEHOLDER)
_COMMON = {"id", "xid", "equiv-text", "ctype", "clone", "css-style", "style", "exstyle", "ts", "crc", "assoc",
           "rid"}
#: inline elements: (attributes XLIFF 1.2 declares, attributes it requires)
CODE_ATTRS = {
    "g": (_COMMON, {"id"}), "x": (_COMMON, {"id"}), "bx": (_COMMON, {"id"}), "ex": (_COMMON, {"id"}),
    "ph": (_COMMON, {"id"}), "bpt": (_COMMON, {"id"}), "ept": (_COMMON, {"id"}),
    "it": (_COMMON | {"pos"}, {"id", "pos"}), "mrk": ({"mtype", "mid", "comment", "ts"}, {"mtype"}),
}
_SPANS = {"g", "mrk"}
_XLIFF2_ATTRS = {"canCopy", "canDelete", "canReorder", "canOverlap", "copyOf", "dataRef", "dataRefStart", "dataRefEnd",
                 "disp", "dispStart", "dispEnd", "equiv", "equivStart", "equivEnd", "subFlows", "subFlowsStart",
                 "subFlowsEnd", "subType", "startRef", "isolated", "dir", "translate", "value", "ref"}


def _key(it: dict[str, Any]) -> Any:
    a = it.get("attrs") or {}
    return a.get("rid") or a.get("i") or a.get("startRef") or it.get("id")


# ------------------------------------------------------------------------------------- reading

class _Reader:
    def __init__(self, path: PathLike, langs: Any):
        self.name = str(path)
        self.langs = list(langs or ())
        self.ns = NS
        self.file_no = 0
        self.pending: dict[str, Any] = {}  # container content to announce with the next record
        self.file: dict[str, Any] = {}
        self.src: str | None = None
        self.tgt: str | None = None
        self.stack: list[dict[str, Any]] = []  # open groups / bin-units
        self.groups_seen = 0
        self.body: Any = None

    def err(self, rule: str, msg: str, el: Any) -> XmlInputError:
        return XmlInputError(rule, msg, self.name, getattr(el, "sourceline", None))

    def core(self, el: Any) -> str:
        """The local name of an XLIFF 1.2 element, '' for elements of other namespaces."""
        tag = el.tag
        if not isinstance(tag, str):
            return ""
        if self.ns:
            return tag[len(self.ns) + 2:] if tag.startswith("{" + self.ns + "}") else ""
        return tag if tag[0] != "{" else ""

    def start(self, el: Any) -> None:
        name = self.core(el)
        if name == "file":
            self.file_no += 1
            self.stack = []
            self.groups_seen = 0
            attrs = attrs_of(el)
            src = attrs.get("source-language") or (self.langs[0] if self.langs else None)
            if not src:
                raise self.err("xliff-source-language-missing", "<file> has no source-language (give it with --src)",
                               el)
            self.src = side_lang(src, self.name, el, "xliff-lang-invalid")
            tgt = attrs.get("target-language") or (self.langs[1] if len(self.langs) > 1 else None)
            self.tgt = side_lang(tgt, self.name, el, "xliff-lang-invalid") if tgt else None
            self.file = {"attrs": attrs}
            self.pending["file"] = self.file
        elif name in ("group", "bin-unit"):
            self.groups_seen += 1
            attrs = attrs_of(el)
            key = attrs.get("id") or f"#{self.groups_seen}"
            desc = {"kind": name, "key": key, "attrs": attrs}
            self.stack.append({"el": el, "desc": desc, "announced": False})
        elif name == "body":
            self.body = el

    def end(self, el: Any) -> dict[str, Any] | None:
        name = self.core(el)
        parent = el.getparent()
        if name == "trans-unit":
            rec = self.unit(el)
            drop(el)
            return rec
        if name in ("group", "bin-unit"):
            self.stack.pop()
            drop(el)
        elif name == "header" and parent is not None and self.core(parent) == "file":
            self.file["header"] = self.header(el)
            drop(el)
        elif name == "file":
            drop(el)
            self.body = None
        elif self.stack and parent is self.stack[-1]["el"]:
            desc = self.stack[-1]["desc"]
            if self.stack[-1]["announced"]:
                raise self.err("xliff-element-after-units", f"<{local(el.tag)}> after the trans-units of its "
                               f"<{desc['kind']}> cannot be kept", el)
            if name == "note":
                desc.setdefault("notes", []).append(entry(el))
            else:
                desc.setdefault("xml", []).append(kept_xml(el))
            drop(el)
        elif parent is not None and parent is self.body:
            raise self.err("xliff-element-unexpected", f"<{local(el.tag)}> is not allowed in <body>", el)
        return None

    def header(self, el: Any) -> dict[str, Any]:
        h: dict[str, Any] = {}
        for ch in el:
            if self.core(ch) == "note":
                h.setdefault("notes", []).append(entry(ch))
            else:
                h.setdefault("xml", []).append(kept_xml(ch))
        return h

    def content(self, el: Any, lang: str) -> dict[str, Any]:
        try:
            c = read_content(el, KINDS, id_attr="id")
        except CodeError as exc:
            raise XmlInputError("xliff-" + exc.rule, str(exc), self.name, exc.line) from None
        return side_of(c, attrs_of(el), "xliff")

    def unit(self, el: Any) -> dict[str, Any]:
        attrs = attrs_of(el)
        uid = attrs.get("id")
        if not uid:
            raise self.err("xliff-trans-unit-id-missing", "<trans-unit> has no id", el)
        if self.src is None:
            raise self.err("xliff-element-unexpected", "<trans-unit> outside a <file>", el)
        source = target = segsrc = None
        unit: dict[str, Any] = {"attrs": attrs}
        extra: list[Any] = []
        for ch in el:
            name = self.core(ch)
            if name == "source" and source is None:
                source = ch
            elif name == "target" and target is None:
                target = ch
            elif name == "seg-source" and segsrc is None:
                segsrc = ch
            elif name == "note":
                unit.setdefault("notes", []).append(entry(ch))
            elif ch.tag == LC_RECORD:
                extra.append(ch)
            else:
                unit.setdefault("xml", []).append(kept_xml(ch))
        if source is None:
            raise self.err("xliff-source-missing", f"<trans-unit id=\"{uid}\"> has no <source>", el)
        sides = {self.src: self.content(source, self.src)}
        if segsrc is not None:
            seg = self.content(segsrc, self.src)
            ss: dict[str, Any] = {"codes": ((seg.get("layers") or {}).get("codes") or {}).get("items", [])}
            if seg["text"] != sides[self.src]["text"]:
                ss["text"] = seg["text"]
            if (seg.get("meta") or {}).get("xliff"):
                ss["attrs"] = seg["meta"]["xliff"]["attrs"]
            if (seg.get("meta") or {}).get("source_not_nfc"):
                ss["source_not_nfc"] = True
            unit["seg-source"] = ss
        if target is not None:
            tgt = self.tgt
            if tgt is None:
                raw = target.get("{http://www.w3.org/XML/1998/namespace}lang")
                if not raw:
                    raise self.err("xliff-target-language-missing", "<target> in a <file> without "
                                   "target-language, and without xml:lang: give the language with --tgt", target)
                tgt = side_lang(raw, self.name, target, "xliff-lang-invalid")
            if tgt == self.src:
                raise self.err("xliff-same-languages", f"source and target are both {tgt}; a record holds one "
                               "text per language", target)
            sides[tgt] = self.content(target, tgt)
        rid = uid if self.file_no == 1 else f"{self.file_no}/{uid}"
        rec: dict[str, Any] = {"id": rid}
        x: dict[str, Any] = {"file": self.file_no, "groups": [g["desc"]["key"] for g in self.stack], "unit": unit}
        opened = [g["desc"] for g in self.stack if not g["announced"]]
        for g in self.stack:
            g["announced"] = True
        if opened:
            self.pending["groups"] = opened
        if self.pending:
            x["open"] = self.pending
            self.pending = {}
        prune(x, self.src, self.tgt, rid)
        meta: dict[str, Any] = {"xliff": x} if x else {}
        for ch in extra:
            lc = read_record_element(ch, self.name)
            if "doc" in lc:
                rec["doc"] = lc["doc"]
            meta.update(lc.get("meta") or {})
            for lang, m in (lc.get("sides") or {}).items():
                s = sides.get(lang)
                if s is not None:
                    s.setdefault("meta", {}).update(m)
        if meta:
            rec["meta"] = meta
        rec["sides"] = sides
        return rec


def read(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    """Read XLIFF 1.x; an XLIFF 2 document (by its namespace) is handed to :mod:`.xliff2`."""
    from . import xliff2

    check_options(FORMAT, "reader", options)
    limit = options.get("max_unit_elements", MAX_UNIT_ELEMENTS)
    r = _Reader(path, langs)
    first = True
    whole: Any = None  # the <trans-unit> or <header> being read (each is read whole: its size is bounded)
    inside = 0
    for ev, el in iterparse(path, ("start", "end")):
        if whole is not None and ev == "start":
            inside += 1
            if inside > limit:
                raise r.err("xliff-unit-too-large", f"<{local(whole.tag)} id={whole.get('id')!r}> has more than "
                            f"{limit:,} elements; it is read whole, so lancang refuses it (split it, or raise the "
                            f"limit with -I max_unit_elements=N)", whole)
        elif ev == "start" and local(el.tag) in ("trans-unit", "header"):
            whole, inside = el, 0
        elif el is whole:
            whole = None
        if first:
            first = False
            if local(el.tag) != "xliff":
                raise r.err("xliff-not-xliff", f"the root element is <{local(el.tag)}>, not <xliff>", el)
            r.ns = ns_of(el.tag)
            version = el.get("version")
            if r.ns in xliff2.CORE_NS:
                if str(path) == "-":
                    raise r.err("xliff-version", "XLIFF 2 on standard input: give --from xliff2", el)
                break
            if r.ns not in NAMESPACES or (version and not version.startswith("1.")):
                raise r.err("xliff-version", f"XLIFF {version or '?'} in the namespace {r.ns or '(none)'!r} is "
                            "neither XLIFF 1.x nor 2.x", el)
            r.pending["xliff"] = {"attrs": attrs_of(el), "nsmap": nsmap_json(el.nsmap), "ns": r.ns}
            continue
        if ev == "start":
            r.start(el)
        else:
            rec = r.end(el)
            if rec is not None:
                yield rec
    else:
        return
    yield from xliff2.read(path, langs=langs, **options)


# ------------------------------------------------------------------------------------- writing

def _native(it: dict[str, Any]) -> bool:
    kind = it.get("kind")
    spec = CODE_ATTRS.get(kind or "")
    if spec is None or (kind in _SPANS) != ("end" in it):
        return False
    attrs = set(public_attrs(it)) | ({"id"} if "id" in it else set())
    required = spec[1]
    # attributes XLIFF 1.2 does not declare are kept (tools add their own), unless they are XLIFF 2's
    if not required <= attrs or attrs & _XLIFF2_ATTRS:
        return False
    return kind != "it" or (it.get("attrs") or {}).get("pos") in ("open", "close")


class _Writer:
    def __init__(self, langs: Any):
        self.langs = list(langs) if langs else None

    def q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}" if self.ns else name

    def setup(self, first: dict[str, Any] | None) -> tuple[dict[str, str], dict[str | None, str]]:
        root = (((first or {}).get("meta") or {}).get("xliff") or {}).get("open", {}).get("xliff") or {}
        nsmap = nsmap_lxml(root.get("nsmap"))
        attrs = dict(root.get("attrs") or {})
        self.ns = root.get("ns", NS) if root else NS
        if self.ns not in NAMESPACES:
            self.ns = NS
        if self.ns and self.ns not in nsmap.values():
            nsmap[None] = self.ns
        attrs.setdefault("version", "1.2" if self.ns != NAMESPACES[1] else "1.1")
        return attrs, nsmap

    def file_attrs(self, rec: dict[str, Any], desc: dict[str, Any] | None) -> dict[str, str]:
        sides = list(rec.get("sides") or {})
        order = self.langs or sides
        if desc is None:
            return default_file_attrs(order[0] if order else "und", order[1] if len(order) > 1 else None)
        attrs = dict(desc.get("attrs") or {})
        attrs.setdefault("original", "lancang")
        attrs.setdefault("datatype", "plaintext")
        attrs.setdefault("source-language", order[0] if order else "und")
        return attrs

    def pick(self, rec: dict[str, Any], fattrs: dict[str, str]) -> tuple[str | None, str | None]:
        sides = rec.get("sides") or {}
        low = {k.lower(): k for k in sides}
        src = low.get(fattrs.get("source-language", "").replace("_", "-").lower())
        tgt = low.get(fattrs.get("target-language", "").replace("_", "-").lower())
        if src is None:
            raise InputError(f"record {rec.get('id')!r}: no side in the file's source language "
                             f"{fattrs.get('source-language')!r} (sides: {', '.join(sides) or 'none'})")
        if tgt is None and fattrs.get("target-language") is None:
            rest = [k for k in sides if k != src]
            tgt = rest[0] if rest else None
        return src, tgt

    def unit(self, rec: dict[str, Any], x: dict[str, Any], src: str, tgt: str | None, depth: int) -> Any:
        rid = rec.get("id")
        unit = x.get("unit") or {}
        el = self.xw.element(self.q("trans-unit"))
        attrs = dict(unit.get("attrs") or {})
        attrs.setdefault("id", str(rid).rsplit("/", 1)[-1] if x.get("file", 1) != 1 else str(rid))
        set_attrs(el, attrs, rid)
        sides = rec["sides"]
        el.append(self.content("source", rid, src, sides[src]))
        ss = unit.get("seg-source")
        if isinstance(ss, dict):
            text = ss.get("text", sides[src].get("text", ""))
            el.append(self.content("seg-source", rid, src, {"text": text, "layers": {"codes": {
                "items": ss.get("codes") or []}}, "meta": {"xliff": {"attrs": ss.get("attrs") or {}}}}))
        if tgt is not None and tgt in sides:
            el.append(self.content("target", rid, tgt, sides[tgt]))
        kept = raw_elements(unit.get("xml"), rid, "meta.xliff.unit.xml")
        for e in kept:
            if e.tag.startswith("{" + self.ns + "}") or (not self.ns and e.tag[0] != "{"):
                el.append(e.pi)
        for n in unit.get("notes") or ():
            note = etree.SubElement(el, self.q("note"))
            set_attrs(note, {k: v for k, v in n.items() if k != "text"}, rid)
            note.text = str(n.get("text", ""))
        for e in kept:
            if not (e.tag.startswith("{" + self.ns + "}") or (not self.ns and e.tag[0] != "{")):
                el.append(e.pi)
        lc = record_element(rec, "xliff", {k: v for k, v in sides.items() if k in (src, tgt)})
        if lc is not None:
            el.append(lc)
        indent_children(el, depth)
        return el

    def content(self, tag: str, rid: Any, lang: str, side: dict[str, Any]) -> Any:
        el = etree.Element(self.q(tag))
        attrs = ((side.get("meta") or {}).get("xliff") or {}).get("attrs")
        set_attrs(el, attrs, rid)
        text = side.get("text", "")
        check_xml_text(rid, lang, text)
        items = ((side.get("layers") or {}).get("codes") or {}).get("items") or []
        try:
            build_content(el, text, items, _Maker(self, items))
        except CodeError as exc:
            raise InputError(f"record {rid!r}: side {lang}: codes: {exc} [{exc.rule}]") from None
        return el


class _Maker:
    """Builds XLIFF 1.2 inline elements for one content, mapping other formats' codes."""

    def __init__(self, w: _Writer, items: list[dict[str, Any]]):
        self.w = w
        self.pairs = paired(items, {"bpt", "bx", "sc"}, {"ept", "ex", "ec"}, _key)
        self.index = {id(it): k for k, it in enumerate(items)}
        self.auto = 0

    def new_id(self, it: dict[str, Any]) -> str:
        a = it.get("attrs") or {}
        v = it.get("id") or a.get("x") or a.get("i") or a.get("startRef")
        if v:
            return str(v)
        self.auto += 1
        return f"lc{self.auto}"

    def el(self, name: str, it: dict[str, Any], attrs: dict[str, Any], data: bool) -> Any:
        e = etree.Element(self.w.q(name))
        for k, v in attrs.items():
            e.set(k, str(v))
        if data and it.get("data"):
            fill_data(e, it, self.w.ns)
        return e

    def __call__(self, ev: str, it: dict[str, Any]) -> Any:
        kind = it.get("kind", "")
        if _native(it):
            if ev == "close":
                return None
            attrs = ({"id": it["id"]} if "id" in it else {}) | public_attrs(it)
            e = etree.Element(self.w.q(kind))
            set_attrs(e, attrs, None)
            if ev == "ph" and it.get("data"):
                fill_data(e, it, self.w.ns)
            return (e, True) if ev == "open" else e
        a = public_attrs(it)
        typ = a.get("ctype") or a.get("type") or a.get("subType")
        ctype = ({"ctype": typ if typ in _CTYPES or str(typ).startswith("x-") else f"x-{typ}"} if typ else {})
        if ev == "open":
            if kind in ("mrk", "hi"):
                m = a.get("mtype") or a.get("type") or "x-hi"
                return self.el("mrk", it, {"mtype": m if m in _MTYPES or m.startswith("x-") else f"x-{m}"},
                               False), True
            return self.el("g", it, {"id": self.new_id(it)} | ctype, False), True
        if ev == "close":
            return None
        if kind in ("bpt", "bx", "sc", "ept", "ex", "ec"):
            begin = kind in ("bpt", "bx", "sc")
            ident = str(_key(it) or self.new_id(it))
            if self.index[id(it)] in self.pairs:
                name = "bpt" if begin else "ept"
                return self.el(name, it, {"id": ident} | (ctype if begin else {}), True)
            return self.el("it", it, {"id": ident, "pos": "open" if begin else "close"} | ctype, True)
        if kind == "it":
            pos = {"begin": "open", "end": "close"}.get(a.get("pos", ""), a.get("pos"))
            if pos in ("open", "close"):
                return self.el("it", it, {"id": self.new_id(it), "pos": pos} | ctype, True)
        return self.el("ph" if it.get("data") else "x", it, {"id": self.new_id(it)} | ctype, bool(it.get("data")))


_CTYPES = {"image", "pb", "lb", "bold", "italic", "underlined", "link"}
_MTYPES = {"abbrev", "abbreviated-form", "abbreviation", "acronym", "appellation", "collocation", "common-name",
           "datetime", "equation", "expanded-form", "formula", "head-term", "initialism",
           "international-scientific-term",
           "internationalism", "logical-expression", "materials-management-unit", "name", "near-synonym",
           "part-number", "phrase", "phraseological-unit", "protected", "romanized-form", "seg", "set-phrase",
           "short-form", "sku", "standard-text", "symbol", "synonym", "synonymous-phrase", "term",
           "transcribed-form", "transliterated-form", "truncated-term", "variant"}


def fill_data(e: Any, it: dict[str, Any], ns: str) -> None:
    """Put a code's data inside element ``e``: text, or kept inner XML when it fits this namespace."""
    data = it["data"]
    if (it.get("attrs") or {}).get("#xml"):
        try:
            frag = parse_fragment(data)
        except ValueError:
            frag = None
        if frag is not None and all((d.tag.startswith("{" + ns + "}") if ns else d.tag[0] != "{")
                                    for d in frag.iterdescendants()):
            e.text = frag.text
            for c in list(frag):
                e.append(c)
            return
        data = "".join(frag.itertext()) if frag is not None else data
    e.text = data


def write(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    """Write XLIFF 1.2, or XLIFF 2 when the records were read from XLIFF 2 (``meta.xliff2``)."""
    check_options(FORMAT, "writer", options)
    it = iter(records)
    first = next(it, None)
    if first is not None and "xliff2" in (first.get("meta") or {}):
        from . import xliff2

        return xliff2.write(_chain([first], it), path, langs=langs)
    w = _Writer(langs)
    root_attrs, nsmap = w.setup(first)
    n = 0
    with xml_writer(path, nsmap) as xw:
        w.xw = xw
        xw.open("xliff", w.q("xliff"), root_attrs, root=True)
        cur_file: Any = None
        fattrs: dict[str, str] = {}
        recs = [first] if first is not None else []
        for rec in _chain(recs, it):
            x = (rec.get("meta") or {}).get("xliff") or {}
            opened = x.get("open") or {}
            fkey = x.get("file", 1)
            if cur_file is None or fkey != cur_file:
                xw.close_to(1)
                fdesc = opened.get("file")
                fattrs = w.file_attrs(rec, fdesc)
                xw.open(("file", fkey), w.q("file"), fattrs)
                header = (fdesc or {}).get("header")
                if isinstance(header, dict):
                    h = xw.element(w.q("header"))
                    kept = raw_elements(header.get("xml"), rec.get("id"), "meta.xliff.open.file.header")
                    for e in kept:
                        if e.tag.startswith("{" + w.ns + "}"):
                            h.append(e.pi)
                    for note in header.get("notes") or ():
                        ne = etree.SubElement(h, w.q("note"))
                        set_attrs(ne, {k: v for k, v in note.items() if k != "text"}, rec.get("id"))
                        ne.text = str(note.get("text", ""))
                    for e in kept:
                        if not e.tag.startswith("{" + w.ns + "}"):
                            h.append(e.pi)
                    indent_children(h, 2)
                    xw.write(h)
                xw.open(("body",), w.q("body"))
                cur_file = fkey
            groups = list(x.get("groups") or [])
            have = xw.keys[3:]
            common = 0
            while common < min(len(have), len(groups)) and have[common] == groups[common]:
                common += 1
            xw.close_to(3 + common)
            descs = {d.get("key"): d for d in (opened.get("groups") or ()) if isinstance(d, dict)}
            for g in groups[common:]:
                d = descs.get(g) or {"kind": "group", "attrs": {} if str(g).startswith("#") else {"id": str(g)}}
                kind = d.get("kind", "group") if d.get("kind") in ("group", "bin-unit") else "group"
                xw.open(g, w.q(kind), d.get("attrs") or {})
                for e in raw_elements(d.get("xml"), rec.get("id"), "meta.xliff.open.groups.xml"):
                    xw.write(e)
                for note in d.get("notes") or ():
                    ne = xw.element(w.q("note"))
                    set_attrs(ne, {k: v for k, v in note.items() if k != "text"}, rec.get("id"))
                    ne.text = str(note.get("text", ""))
                    xw.write(ne)
            src, tgt = w.pick(rec, fattrs)
            xw.write(w.unit(rec, x, src, tgt, len(xw.stack)))
            n += 1
    return n


def default_file_attrs(src: str, tgt: str | None) -> dict[str, str]:
    d = {"original": "lancang", "datatype": "plaintext", "source-language": src}
    if tgt:
        d["target-language"] = tgt
    return d


def prune(x: dict[str, Any], src: str, tgt: str | None, rid: str) -> None:
    """Drop from ``meta.xliff`` what the writer would produce anyway for a record without it, so a
    corpus written to XLIFF and read back is unchanged, and plain files give plain records."""
    if x.get("file") == 1:
        del x["file"]
    if not x.get("groups"):
        x.pop("groups", None)
    if x.get("unit") == {"attrs": {"id": rid}}:
        del x["unit"]
    op = x.get("open") or {}
    root = op.get("xliff")
    if (root is not None and root.get("attrs") == {"version": "1.2"} and root.get("nsmap") == {"": NS}
            and root.get("ns") == NS):
        del op["xliff"]
    f = op.get("file")
    if f is not None and f == {"attrs": default_file_attrs(src, tgt)}:
        del op["file"]
    if "open" in x and not op:
        del x["open"]


def _chain(a: list[Any], b: Iterator[Any]) -> Iterator[Any]:
    yield from a
    yield from b


FORMAT = Format("xliff", "XLIFF 1.2, one record per trans-unit (groups, notes, states, inline codes kept); "
                "hands XLIFF 2 to xliff2", (".xlf", ".xliff"), frozenset({"codes", "meta", "doc"}), read, write,
                max_sides=2, write_options={},
                read_options={"max_unit_elements": Option(MAX_UNIT_ELEMENTS, "refuse a <trans-unit> or <header> "
                                                          "(or XLIFF 2 <unit>) with more elements than this (each "
                                                          "is read whole)")})
