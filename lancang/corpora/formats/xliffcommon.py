"""Pieces shared by the XLIFF 1.2 and 2.x readers and writers.

Both keep the document's structure in record metadata so a round trip rebuilds it:
``meta.xliff`` (1.2) or ``meta.xliff2`` (2.x) of each record names the file and the groups it sits
in (``file``, ``groups``), and the first record inside a file or group also carries that
container's own content under ``open`` (attributes, notes, other elements kept as XML). Metadata
that XLIFF has no element for (another format's record/side metadata, ``doc``) travels in a lancang
extension element, ``<lc:meta>`` / ``<lc:doc>`` in the namespace :data:`LC_NS`, which XLIFF allows
in units.
"""

from __future__ import annotations

import base64
import contextlib
import re
from collections.abc import Iterator
from typing import Any

import orjson
from lxml import etree

from ...errors import InputError
from ..jsonl import PathLike, atomic_output
from .xmlsafe import XML_NS, XmlInputError, attr_name, attrs_xml, escape_attr, lxml_name, parse_fragment

LC_NS = "https://lancang.dev/ns/xliff"
LC_RECORD = "{" + LC_NS + "}record"
#: the most elements an XLIFF 1.2 <trans-unit> or <header>, or an XLIFF 2 <unit>, may hold (each is read whole:
#: reader option max_unit_elements of xliff and xliff2)
MAX_UNIT_ELEMENTS = 50_000


def entry(el: Any) -> dict[str, Any]:
    """A <note> (or similar text element) as ``{attributes..., "text": ...}``."""
    d = {attr_name(k): v for k, v in el.attrib.items()}
    d["text"] = el.text or ""
    return d


def nsmap_json(nsmap: dict[str | None, str]) -> dict[str, str]:
    return {(k or ""): v for k, v in nsmap.items()}


def nsmap_lxml(nsmap: dict[str, str] | None) -> dict[str | None, str]:
    return {(k or None): v for k, v in (nsmap or {}).items()}


def set_attrs(el: Any, attrs: dict[str, Any] | None, rid: Any, skip: tuple[str, ...] = ()) -> None:
    for k, v in (attrs or {}).items():
        if k in skip or k.startswith("#"):
            continue
        if not isinstance(v, str):
            raise InputError(f"record {rid!r}: attribute {k!r} must be a string, not {type(v).__name__}")
        try:
            el.set(lxml_name(k), v)
        except ValueError as exc:
            raise InputError(f"record {rid!r}: attribute {k}={v!r}: {exc}") from None


def raw_elements(xml_list: Any, rid: Any, what: str) -> list[Any]:
    """Check kept XML snippets (each must be one well-formed element) and return placeholders for
    them: processing instructions that :meth:`XmlWriter.write` replaces with the snippet's text, so
    it is written exactly as kept (same prefixes and declarations), whatever its new context.
    Each placeholder has ``.tag_of`` set to the snippet element's tag."""
    out = []
    for x in xml_list or ():
        try:
            frag = parse_fragment(x) if isinstance(x, str) else None
        except ValueError as exc:
            raise InputError(f"record {rid!r}: {what}: not well-formed XML: {exc}") from None
        if frag is None or len(frag) != 1 or (frag.text or "").strip() or (frag[0].tail or "").strip():
            raise InputError(f"record {rid!r}: {what}: each entry must be one XML element")
        pi = etree.ProcessingInstruction(RAW_PI, base64.b64encode(x.encode("utf-8")).decode("ascii"))
        out.append(_Raw(pi, frag[0].tag))
    return out


RAW_PI = "lancang-kept-xml"
_RAW_RE = re.compile(r"<\?" + RAW_PI + r" ([A-Za-z0-9+/=]*)\?>")


class _Raw:
    __slots__ = ("pi", "tag")

    def __init__(self, pi: Any, tag: str):
        self.pi, self.tag = pi, tag


def record_element(rec: dict[str, Any], key: str, sides: Any, rid: str | None = None,
                   seg: int | None = None) -> Any:
    """A ``<lc:record>`` for what XLIFF has no element for, or None if nothing is needed: the record
    id when the unit id cannot carry it (``rid``), its ``doc``, and record/side metadata other than
    ``meta[key]`` (the XLIFF structure itself), as JSON."""
    body: dict[str, Any] = {}
    meta = {k: v for k, v in (rec.get("meta") or {}).items() if k != key}
    if meta:
        body["meta"] = meta
    smeta = {}
    for lang, side in (sides or {}).items():
        m = {k: v for k, v in (side.get("meta") or {}).items() if k != key}
        if m:
            smeta[lang] = m
    if smeta:
        body["sides"] = smeta
    if not body and rid is None and rec.get("doc") is None:
        return None
    el = etree.Element(LC_RECORD, nsmap={"lc": LC_NS})
    if rid is not None:  # not "id": XLIFF 2 extension identifiers must be NMTOKENs, a record id need not be
        el.set("record", rid)
    if rec.get("doc") is not None:
        el.set("doc", str(rec["doc"]))
    if seg is not None:
        el.set("seg", str(seg))
    if body:
        el.text = orjson.dumps(body).decode()
    return el


def read_record_element(el: Any, name: str) -> dict[str, Any]:
    """``{"id"?, "doc"?, "seg"?, "meta"?, "sides"?}`` from an ``<lc:record>``."""
    out: dict[str, Any] = {k: el.get(k) for k in ("id", "doc", "seg") if el.get(k) is not None}
    if el.get("record") is not None:  # written since issue 13; "id" before
        out["id"] = el.get("record")
    if (el.text or "").strip():
        try:
            body = orjson.loads(el.text)
        except orjson.JSONDecodeError as exc:
            raise XmlInputError("xliff-lancang-record-invalid", f"<lc:record> is not JSON: {exc}", name,
                                el.sourceline) from None
        if not isinstance(body, dict) or not all(isinstance(body.get(k, {}), dict) for k in ("meta", "sides")):
            raise XmlInputError("xliff-lancang-record-invalid", "<lc:record> must hold a JSON object with 'meta' "
                                "and 'sides' objects", name, el.sourceline)
        out.update(body)
    return out


_DECLS = re.compile(r'^<([^\s>/]+)((?:\s+xmlns(?::[^=\s]+)?="[^"]*")*)')
_DECL = re.compile(r'\s+xmlns(?::([^=\s]+))?="([^"]*)"')


class XmlWriter:
    """Streams an XML document by hand: open/close container elements to any depth, and write
    whole elements (serialised by lxml) inside them without repeating the root's namespace
    declarations."""

    def __init__(self, f: Any, nsmap: dict[str | None, str]):
        self.f = f
        self.nsmap = dict(nsmap)
        self.prefix = {u: p for p, u in self.nsmap.items()}
        self.stack: list[tuple[Any, str]] = []  # (key, qualified name)

    def qname(self, tag: str) -> str:
        if tag[0] != "{":
            return tag
        ns, _, name = tag[1:].partition("}")
        if ns == XML_NS:
            return "xml:" + name
        p = self.prefix.get(ns)
        if p is None and ns not in self.prefix:
            raise ValueError(f"namespace {ns!r} is not declared on the root element")
        return f"{p}:{name}" if p else name

    def open(self, key: Any, tag: str, attrib: dict[str, str] | None = None, root: bool = False) -> None:
        q = self.qname(tag)
        decls = ""
        if root:
            decls = "".join(f' xmlns{":" + p if p else ""}="{escape_attr(u)}"' for p, u in self.nsmap.items())
        attrs = []
        for k, v in (attrib or {}).items():
            if k[0] == "{" and k[1:].partition("}")[0] not in self.prefix and not k.startswith("{" + XML_NS):
                ns = k[1:].partition("}")[0]
                p = f"ns{len(self.prefix)}"
                self.prefix[ns] = p
                decls += f' xmlns:{p}="{escape_attr(ns)}"'
            attrs.append((self.qname(k), v))
        self.nl()
        self.f.write(f"<{q}{decls}{attrs_xml(attrs)}>")
        self.stack.append((key, q))

    def close_to(self, depth: int) -> None:
        while len(self.stack) > depth:
            _, q = self.stack.pop()
            self.f.write("\n" + "  " * len(self.stack) + f"</{q}>")

    def nl(self) -> None:
        if self.stack:
            self.f.write("\n" + "  " * len(self.stack))

    def element(self, tag: str) -> Any:
        """A new lxml element that serialises with the root's prefixes."""
        return etree.Element(tag, nsmap=self.nsmap)

    def write(self, el: Any) -> None:
        if isinstance(el, _Raw):
            el = el.pi
        s = etree.tostring(el, encoding="unicode")
        if "<?" + RAW_PI in s:
            s = _RAW_RE.sub(lambda m: base64.b64decode(m.group(1)).decode("utf-8"), s)
        m = _DECLS.match(s)
        if m and m.group(2):
            keep = "".join(d.group(0) for d in _DECL.finditer(m.group(2))
                           if self.nsmap.get(d.group(1)) != d.group(2))
            s = f"<{m.group(1)}{keep}" + s[m.end():]
        self.nl()
        self.f.write(s)

    @property
    def keys(self) -> list[Any]:
        return [k for k, _ in self.stack]


@contextlib.contextmanager
def xml_writer(path: PathLike, nsmap: dict[str | None, str]) -> Iterator[XmlWriter]:
    with atomic_output(path, "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        w = XmlWriter(f, nsmap)
        yield w
        w.close_to(0)
        f.write("\n")


def indent_children(el: Any, depth: int) -> None:
    """Put structural children of ``el`` on their own lines (never inside mixed content)."""
    pad = "\n" + "  " * (depth + 1)
    if len(el) and not (el.text or "").strip():
        el.text = pad
        for ch in el:
            ch.tail = pad
        el[-1].tail = "\n" + "  " * depth


def check_xml_text(rid: Any, lang: str, text: str) -> None:
    from .xmlsafe import bad_xml_char

    i = bad_xml_char(text)
    if i is not None:
        raise InputError(f"record {rid!r}: the {lang} text holds U+{ord(text[i]):04X} at offset {i}, which XML 1.0 "
                         "cannot hold")


def side_of(content: Any, attrs: dict[str, Any], key: str) -> dict[str, Any]:
    """A record side from read inline content (text + codes), with the element's attributes in
    ``meta[key]`` and ``meta.source_not_nfc`` when the text was normalised."""
    side: dict[str, Any] = {"text": content.text}
    if content.items:
        side["layers"] = {"codes": {"items": content.items}}
    meta: dict[str, Any] = {}
    if attrs:
        meta[key] = {"attrs": attrs}
    if content.changed:
        meta["source_not_nfc"] = True
    if meta:
        side["meta"] = meta
    return side
