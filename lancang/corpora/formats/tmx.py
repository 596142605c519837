"""TMX 1.4b translation memories: one record per ``<tu>``, one side per ``<tuv>`` (n-way).

Reading streams with lxml ``iterparse`` and frees each ``<tu>`` once used, so memory stays flat
whatever the file size; UTF-8 and UTF-16 (with BOM), ``.gz`` and stdin are accepted. What is kept:

- record ``id`` = ``tuid`` (or the 1-based position of the ``<tu>`` when it has none); other ``<tu>``
  attributes, ``<prop>`` and ``<note>`` go to ``meta.tmx`` (``attrs``, ``props``, ``notes``);
- the ``<header>`` (attributes, props, notes, ``<ude>`` kept as XML) goes to ``meta.tmx.header`` of
  the *first* record, so a TMX -> JSONL -> TMX trip writes the same header back;
- each ``<tuv>``: side key = its ``xml:lang`` in BCP 47 canonical case (``EN-US`` -> ``en-US``; the
  spelling read is kept in ``meta.tmx.lang`` when it differs), attributes/props/notes in the side's
  ``meta.tmx``; the ``<seg>`` text, NFC (``meta.source_not_nfc`` when normalising changed it);
- inline ``bpt ept ph it ut hi`` (and ``sub`` inside them) as a stand-off ``codes`` layer (see
  :mod:`.xmlcodes`), written back as the same markup;
- lancang's own props round-trip what TMX has no place for: ``x-lancang:doc`` (the record's
  ``doc``) and ``x-lancang:meta`` (other record/side metadata, as JSON).

Writing is streamed through an atomic temporary file and is valid against the TMX 1.4b DTD:
attributes the DTD does not declare are left out, enumerated values it does not allow are replaced
or left out, and inline codes from other formats (XLIFF g, x, bx, ex, pc, sc, ec, mrk, ...) are
mapped onto TMX's (``bpt``/``ept``, ``it``, ``ph``, ``hi``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from importlib import resources
from typing import Any
from unicodedata import is_normalized, normalize

import orjson
from lxml import etree

from ... import __version__
from ...errors import InputError
from ..jsonl import PathLike
from . import MODEL_LIMITS, Format, Option, check_options
from .xmlcodes import PLACEHOLDER, SPANNING, CodeError, events, kinds_for, paired, public_attrs, read_content
from .xmlsafe import (
    VALIDATING,
    XML_NS,
    XmlInputError,
    attr_name,
    attrs_xml,
    bad_xml_char,
    check_doctype,
    check_entities,
    compiled,
    drop,
    escape_attr,
    escape_text,
    kept_xml,
    outer_xml,
    parse_fragment,
    root_tag,
    side_lang,
    xml_events,
    xml_output,
)

_LANG = "{" + XML_NS + "}lang"
#: the most elements one <tu> or <header> may hold (each is read whole: reader option max_unit_elements)
MAX_UNIT_ELEMENTS = 50_000
META_PROP = "x-lancang:meta"
DOC_PROP = "x-lancang:doc"
#: record meta key listing what a unit held that a lancang record cannot (reader option duplicate_lang=first)

SEGTYPES = ("block", "paragraph", "sentence", "phrase")
HEADER_ATTRS = frozenset(("creationtool", "creationtoolversion", "segtype", "o-tmf", "adminlang", "srclang",
                          "datatype", "o-encoding", "creationdate", "creationid", "changedate", "changeid"))
TU_ATTRS = frozenset(("tuid", "o-encoding", "datatype", "usagecount", "lastusagedate", "creationtool",
                      "creationtoolversion", "creationdate", "creationid", "changedate", "segtype", "changeid", "o-tmf",
                      "srclang"))
TUV_ATTRS = frozenset(("xml:lang", "o-encoding", "datatype", "usagecount", "lastusagedate", "creationtool",
                       "creationtoolversion", "creationdate", "creationid", "changedate", "o-tmf", "changeid", "lang"))
NOTE_ATTRS = frozenset(("o-encoding", "xml:lang", "lang"))
PROP_ATTRS = frozenset(("type", "xml:lang", "o-encoding", "lang"))
#: inline elements: (declared attributes, required attributes)
CODE_ATTRS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "bpt": (frozenset({"i", "x", "type"}), frozenset({"i"})),
    "ept": (frozenset({"i"}), frozenset({"i"})),
    "ph": (frozenset({"x", "assoc", "type"}), frozenset()),
    "it": (frozenset({"pos", "x", "type"}), frozenset({"pos"})),
    "ut": (frozenset({"x"}), frozenset()),
    "hi": (frozenset({"x", "type"}), frozenset()),
}
_SUB_CONTENT = {"sub", "bpt", "ept", "it", "ph", "hi", "ut"}


def default_header(srclang: str) -> dict[str, str]:
    return {"creationtool": "lancang", "creationtoolversion": __version__, "segtype": "sentence",
            "o-tmf": "lancang", "adminlang": "en", "srclang": srclang, "datatype": "plaintext"}


# ------------------------------------------------------------------------------------- reading

_KINDS = kinds_for(("",), hi=SPANNING, bpt=PLACEHOLDER, ept=PLACEHOLDER, ph=PLACEHOLDER, it=PLACEHOLDER,
                   ut=PLACEHOLDER)


def _entry(el: Any) -> dict[str, Any]:
    """A <prop> or <note> as ``{attributes..., "text": ...}``."""
    d = dict(el.items())
    if _LANG in d:
        d = {attr_name(k): v for k, v in d.items()}
    d["text"] = el.text or ""
    return d


class _Reader:
    def __init__(self, path: PathLike, duplicate_lang: str = "error"):
        self.name = str(path)
        self.langs: dict[str, tuple[str, str | None]] = {}
        self.keep_first = duplicate_lang == "first"

    def lang(self, raw: str | None, el: Any) -> tuple[str, str | None]:
        """(side key, original spelling if different)."""
        got = self.langs.get(raw)  # type: ignore[arg-type]
        if got is None:
            if not raw:
                raise XmlInputError("tmx-tuv-lang-missing", "<tuv> has no xml:lang", self.name, el.sourceline)
            key = side_lang(raw, self.name, el, "tmx-lang-invalid")
            got = self.langs[raw] = (key, None if key == raw else raw)
        return got

    def header(self, el: Any) -> dict[str, Any]:
        h: dict[str, Any] = {"attrs": {attr_name(k): v for k, v in el.attrib.items()}}
        for ch in el:
            tag = ch.tag
            if tag in ("prop", "note"):
                h.setdefault(tag + "s", []).append(_entry(ch))
            elif tag == "ude":
                h.setdefault("ude", []).append(kept_xml(ch))
            else:
                raise XmlInputError("tmx-element-unexpected", f"<{tag}> is not allowed in <header>", self.name,
                                    ch.sourceline)
        return h

    def meta_of(self, entries: Iterable[tuple[str, Any]], attrs: dict[str, str], el: Any,
                rec: dict[str, Any] | None) -> dict[str, Any]:
        """Split notes/props of a <tu> or <tuv> into ``meta`` (lancang props decoded)."""
        meta: dict[str, Any] = {}
        tmx: dict[str, Any] = {"attrs": attrs} if attrs else {}
        for tag, ch in entries:
            if tag == "prop":
                typ = ch.get("type")
                if typ is not None and typ.startswith("x-lancang:"):
                    if typ == META_PROP:
                        meta.update(self.lancang_meta(ch))
                        continue
                    if typ == DOC_PROP and rec is not None and ch.text:
                        rec["doc"] = ch.text
                        continue
                lst = tmx.get("props")
                if lst is None:
                    lst = tmx["props"] = []
            else:
                lst = tmx.get("notes")
                if lst is None:
                    lst = tmx["notes"] = []
            d = dict(ch.items())
            if _LANG in d:
                d = {attr_name(k): v for k, v in d.items()}
            d["text"] = ch.text or ""
            lst.append(d)
        if tmx:
            meta["tmx"] = tmx
        return meta

    def lancang_meta(self, ch: Any) -> dict[str, Any]:
        try:
            extra = orjson.loads(ch.text or "")
        except orjson.JSONDecodeError as exc:
            raise XmlInputError("tmx-lancang-meta-invalid", f"<prop type=\"{META_PROP}\"> is not JSON: {exc}",
                                self.name, ch.sourceline) from None
        if not isinstance(extra, dict):
            raise XmlInputError("tmx-lancang-meta-invalid", f"<prop type=\"{META_PROP}\"> must hold a JSON object",
                                self.name, ch.sourceline)
        return extra

    def tuv(self, el: Any) -> tuple[str, dict[str, Any]]:
        raw = el.get(_LANG)
        if raw is None:
            raw = el.get("lang")
        got = self.langs.get(raw)
        key, orig = got if got is not None else self.lang(raw, el)
        extra: list[tuple[str, Any]] | None = None
        if len(el) == 1 and el[0].tag == "seg":
            seg = el[0]
        else:
            seg, extra = self.tuv_children(el, raw)
        side: dict[str, Any]
        if len(seg):
            try:
                c = read_content(seg, _KINDS)
            except CodeError as exc:
                raise XmlInputError("tmx-" + exc.rule, str(exc), self.name, exc.line) from None
            side = {"text": c.text}
            if c.items:
                side["layers"] = {"codes": {"items": c.items}}
            changed = c.changed
        else:
            text = seg.text or ""
            changed = False
            if not text.isascii() and not is_normalized("NFC", text):
                text, changed = normalize("NFC", text), True
            side = {"text": text}
        nattr = len(el.attrib)
        if extra or orig is not None or changed or nattr > 1:
            attrs = {attr_name(k): v for k, v in el.attrib.items()} if nattr > 1 else {}
            attrs.pop("xml:lang", None)
            if "lang" in attrs and el.get(_LANG) is None:
                del attrs["lang"]  # the deprecated spelling of xml:lang: kept as the original tag below
            meta = self.meta_of(extra or (), attrs, el, None) if (extra or attrs) else {}
            if orig is not None:
                meta.setdefault("tmx", {})["lang"] = orig
            if changed:
                meta["source_not_nfc"] = True
            if meta:
                side["meta"] = meta
        return key, side

    def tuv_children(self, el: Any, raw: Any) -> tuple[Any, list[tuple[str, Any]]]:
        seg = None
        extra: list[tuple[str, Any]] = []
        for ch in el:
            tag = ch.tag
            if tag == "seg":
                if seg is not None:
                    raise XmlInputError("tmx-seg-twice", "<tuv> has more than one <seg>", self.name, ch.sourceline)
                seg = ch
            elif tag in ("prop", "note"):
                extra.append((tag, ch))
            else:
                raise XmlInputError("tmx-element-unexpected", f"<{tag}> is not allowed in <tuv>", self.name,
                                    ch.sourceline)
        if seg is None:
            raise XmlInputError("tmx-seg-missing", f"<tuv xml:lang=\"{raw}\"> has no <seg>", self.name, el.sourceline)
        return seg, extra

    def tu(self, el: Any, n: int) -> dict[str, Any]:
        sides: dict[str, Any] = {}
        extra: list[tuple[str, Any]] = []
        limits: list[str] = []
        langs = self.langs
        for ch in el:
            tag = ch.tag
            if tag == "tuv":
                # the common case inline: <tuv xml:lang="..."><seg>text</seg></tuv>, NFC, a known language
                if len(ch) == 1:
                    seg = ch[0]
                    if not len(seg) and seg.tag == "seg" and len(ch.attrib) == 1:
                        got = langs.get(ch.get(_LANG))
                        if got is not None and got[1] is None and got[0] not in sides:
                            text = seg.text or ""
                            if text.isascii() or is_normalized("NFC", text):
                                sides[got[0]] = {"text": text}
                                continue
                key, side = self.tuv(ch)
                if key in sides:
                    what = (f"<tu> (line {el.sourceline}) has a second <tuv> in {key} (line {ch.sourceline}): TMX "
                            "allows it, but a lancang record holds one text per language")
                    if not self.keep_first:
                        raise XmlInputError("tmx-duplicate-language", f"{what}, so this unit cannot be converted "
                                            "losslessly (a lancang model limit, not a TMX violation; -I "
                                            "duplicate_lang=first keeps the first and marks the record)", self.name,
                                            ch.sourceline)
                    limits.append(f"{what}; the second was not kept")
                    continue
                sides[key] = side
            elif tag == "prop" or tag == "note":
                extra.append((tag, ch))
            else:
                raise XmlInputError("tmx-element-unexpected", f"<{tag}> is not allowed in <tu>", self.name,
                                    ch.sourceline)
        if not sides:
            raise XmlInputError("tmx-tu-empty", "<tu> has no <tuv>", self.name, el.sourceline)
        attrib = el.attrib
        tuid = attrib.get("tuid")
        rec: dict[str, Any] = {"id": tuid if tuid else str(n)}
        if extra or len(attrib) > (tuid is not None):
            attrs = dict(el.items())
            if tuid is not None:
                del attrs["tuid"]
            for k in attrs:
                if k[0] == "{":
                    attrs = {attr_name(k): v for k, v in attrs.items()}
                    break
            meta = self.meta_of(extra, attrs, el, rec)
            if meta:
                rec["meta"] = meta
        if limits:
            rec.setdefault("meta", {})[MODEL_LIMITS] = limits
        rec["sides"] = sides
        return rec


def read(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    check_options(FORMAT, "reader", options)
    limit = options.get("max_unit_elements", MAX_UNIT_ELEMENTS)
    r = _Reader(path, options.get("duplicate_lang", "error"))
    name = r.name
    valid = _Validity(name) if options.get("validate", False) else None
    root: Any = None
    header: dict[str, Any] | None = None
    n = 0
    tu = r.tu
    ext = False
    started = False
    held = 0  # elements read since the last <tu> or <header> was used and freed: each is read whole
    with xml_events(path, ("end",)) as events_:
        for _, el in events_:
            if not started:
                started = True
                ext = check_doctype(el, name)
                root = el.getroottree().getroot()
                if root.tag != "tmx":
                    break
                if valid is not None:
                    valid.start(root)
                if not (root.get("version") or "1.4").startswith("1."):
                    raise XmlInputError("tmx-version", f"TMX version {root.get('version')!r} is not 1.x", name,
                                        root.sourceline)
            tag = el.tag
            if tag != "tu" and tag != "header":
                held += 1
                if held > limit:
                    raise XmlInputError("tmx-unit-too-large", f"more than {limit:,} elements in one <tu> or "
                                        "<header>; each is read whole, so lancang refuses it (split it, or raise "
                                        "the limit with -I max_unit_elements=N)", name, el.sourceline)
                if valid is not None:
                    valid.other(el, root)
                continue
            held = 0
            if ext:
                check_entities(el, name)
            if el.tag == "tu":
                if valid is not None:
                    valid.tu(el, root)
                n += 1
                rec = tu(el, n)
                if header is not None:
                    meta = rec.pop("meta", {})
                    tmx = meta.pop("tmx", {})
                    rec["meta"] = {"tmx": {"header": header, **tmx}, **meta}
                    rec["sides"] = rec.pop("sides")
                    header = None
                el.clear(keep_tail=True)
                parent = el.getparent()
                while el.getprevious() is not None:
                    del parent[0]
                yield rec
            else:
                if valid is not None:
                    valid.header(el, root)
                header = r.header(el)
                drop(el)
    if valid is not None and root is not None and root.tag == "tmx":
        valid.finish(root)
    if n == 0:
        tag, line = root_tag(path)
        if tag != "tmx":
            raise XmlInputError("tmx-not-tmx", f"the root element is <{tag or '?'}>, not <tmx>", name, line)


# ---------------------------------------------------------------------------------- validation

@compiled
def tmx_dtd() -> etree.DTD:
    """The TMX 1.4b DTD bundled with lancang (``formats/dtd/tmx14.dtd``, see its NOTICE.txt)."""
    with resources.files(__package__).joinpath("dtd", "tmx14.dtd").open("rb") as f:
        return etree.DTD(f)


#: libxml2 validating a subtree declares the XML namespace on the subtree's root; not the document's doing
_FAKE_NS_DECL = "attribute xmlns:xml of element"


class _Validity:
    """TMX 1.4b validity, streamed (reader option ``validate``): each ``<tu>`` is validated against the
    bundled DTD as it ends and is then freed; ``<tmx>``, ``<header>`` and ``<body>`` are validated at the
    end as a skeleton (the header kept, the body's units already checked); ``bpt``/``ept`` pairing, which a
    DTD cannot say, is checked per ``<seg>`` and ``<sub>``. The document's own DOCTYPE is never followed."""

    def __init__(self, name: str):
        self.name = name
        self.dtd = tmx_dtd()
        self.top: list[Any] = []  # copies of the children of <tmx> (the header whole, <body> empty)

    def fail(self, rule: str, message: str, line: int | None) -> XmlInputError:
        return XmlInputError(rule, message, self.name, line)

    def dtd_errors(self, el: Any) -> None:
        with VALIDATING:  # (the DTD's error log is its own: read it before another thread validates)
            if self.dtd.validate(el):
                return
            errors = [(e.message, e.line) for e in self.dtd.error_log]
        for message, line in errors:
            if _FAKE_NS_DECL not in message:
                raise self.fail("tmx-dtd-invalid", f"not valid against the TMX 1.4b DTD: {message}",
                                line or el.sourceline)

    def text_between(self, el: Any, where: str) -> None:
        """Character data where the DTD allows only elements (white space is allowed)."""
        if el is not None and el.tail and el.tail.strip():
            raise self.fail("tmx-dtd-invalid", f"text {el.tail.strip()[:30]!r} is not allowed in <{where}>",
                            el.sourceline)

    def tu(self, el: Any, root: Any) -> None:
        parent = el.getparent()
        if parent is None or parent.tag != "body" or parent.getparent() is not root:
            raise self.fail("tmx-dtd-invalid", f"<tu> is not allowed in <{parent.tag if parent is not None else '?'}>"
                            " (units belong in <tmx><body>)", el.sourceline)
        if el.getprevious() is None and parent.text and parent.text.strip():
            raise self.fail("tmx-dtd-invalid", f"text {parent.text.strip()[:30]!r} is not allowed in <body>",
                            parent.sourceline)
        self.text_between(el.getprevious(), "body")
        if el.getprevious() is None:
            self.need_header(root)
        self.dtd_errors(el)
        self.pairing(el)

    def other(self, el: Any, root: Any) -> None:
        """Any element but <tu>, as it ends: keep what the skeleton needs; refuse what <body> cannot hold."""
        parent = el.getparent()
        if parent is root:
            if el.tag == "body":
                self.text_between(el[-1] if len(el) else None, "body")
                body = etree.Element("body", dict(el.attrib))
                body.sourceline = el.sourceline
                self.top.append(body)
            elif el.tag != "header":
                self.top.append(copy.deepcopy(el))
        elif parent is not None and parent.tag == "body" and parent.getparent() is root:
            raise self.fail("tmx-dtd-invalid", f"<{el.tag}> is not allowed in <body> (only <tu>)", el.sourceline)

    def header(self, el: Any, root: Any) -> None:
        if el.getparent() is not root:
            raise self.fail("tmx-dtd-invalid", f"<header> is not allowed in <{el.getparent().tag}>", el.sourceline)
        self.dtd_errors(el)
        self.top.append(copy.deepcopy(el))

    def start(self, root: Any) -> None:
        version = root.get("version")
        if version != "1.4":
            raise self.fail("tmx-version", ("<tmx> has no version attribute" if version is None else
                                            f"TMX version {version!r}") + ": a TMX 1.4b document is "
                            "<tmx version=\"1.4\">", root.sourceline)

    def need_header(self, root: Any) -> None:
        if not any(c.tag == "header" for c in self.top):
            raise self.fail("tmx-header-missing", "<tmx> has no <header>: TMX 1.4b requires one before <body>",
                            root.sourceline)

    def finish(self, root: Any) -> None:
        self.need_header(root)
        if root.text and root.text.strip():
            raise self.fail("tmx-dtd-invalid", f"text {root.text.strip()[:30]!r} is not allowed in <tmx>",
                            root.sourceline)
        for ch in root:
            self.text_between(ch, "tmx")
        skeleton = etree.Element("tmx", dict(root.attrib))
        skeleton.sourceline = root.sourceline
        skeleton.extend(self.top)
        self.dtd_errors(skeleton)

    def pairing(self, tu: Any) -> None:
        """Every <bpt> has an <ept> with the same ``i`` after it in the same <seg> (or <sub>), and the other
        way round; ``i`` is unique among the <bpt> of a segment."""
        for flow in tu.iter("seg", "sub"):
            open_: dict[str, Any] = {}
            seen: set[str] = set()
            for code in _flow_codes(flow):
                i = code.get("i")
                if code.tag == "bpt":
                    if i in seen:
                        raise self.fail("tmx-bpt-i-duplicate", f"a second <bpt i=\"{i}\"> in the same <{flow.tag}>: "
                                        "i pairs a <bpt> with its <ept> and is unique in a segment", code.sourceline)
                    seen.add(i)
                    open_[i] = code
                elif open_.pop(i, None) is None:
                    raise self.fail("tmx-ept-unpaired", f"<ept i=\"{i}\"> has no <bpt i=\"{i}\"> before it in the same "
                                    f"<{flow.tag}>", code.sourceline)
            for i, code in open_.items():
                raise self.fail("tmx-bpt-unpaired", f"<bpt i=\"{i}\"> has no <ept i=\"{i}\"> after it in the same "
                                f"<{flow.tag}> (an isolated code is <it pos=\"begin\">)", code.sourceline)


def _flow_codes(flow: Any) -> Iterator[Any]:
    """The <bpt> and <ept> of one flow (a <seg> or a <sub>) in document order, through <hi>, not into <sub>."""
    for ch in flow:
        tag = ch.tag
        if tag == "bpt" or tag == "ept":
            yield ch
        elif tag == "hi":
            yield from _flow_codes(ch)


# ------------------------------------------------------------------------------------- writing

def _attrs(d: dict[str, Any] | None, allowed: frozenset[str], skip: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """The attributes of ``d`` the DTD declares for the element (in their order), valid values only."""
    if not d:
        return []
    out = []
    for k, v in d.items():
        if k in allowed and k not in skip and isinstance(v, str) and (k != "segtype" or v in SEGTYPES):
            out.append((k, v))
    return out


class _Writer:
    def __init__(self, langs: Any):
        self.langs = list(langs) if langs else None

    def fail(self, rid: Any, msg: str) -> InputError:
        return InputError(f"record {rid!r}: {msg}")

    def check_text(self, rid: Any, where: str, text: str) -> str:
        i = bad_xml_char(text)
        if i is not None:
            raise self.fail(rid, f"{where} holds U+{ord(text[i]):04X} at offset {i}, which XML 1.0 (and so TMX) "
                            "cannot hold")
        return escape_text(text)

    def entries(self, rid: Any, tag: str, items: Any, allowed: frozenset[str], indent: str) -> list[str]:
        if not items:
            return []
        out = []
        for e in items:
            if not isinstance(e, dict):
                raise self.fail(rid, f"meta.tmx {tag}s must be objects with a 'text'")
            attrs = _attrs(e, allowed)
            if tag == "prop" and not any(k == "type" for k, _ in attrs):
                attrs.insert(0, ("type", "x-untyped"))
            text = self.check_text(rid, f"a <{tag}>", str(e.get("text", "")))
            out.append(f"{indent}<{tag}{attrs_xml(attrs)}>{text}</{tag}>\n")
        return out

    def lancang_props(self, rid: Any, meta: dict[str, Any] | None, indent: str, doc: Any = None) -> list[str]:
        out = []
        if doc is not None:
            out.append(f'{indent}<prop type="{DOC_PROP}">{self.check_text(rid, "doc", str(doc))}</prop>\n')
        if meta:
            extra = {k: v for k, v in meta.items() if k != "tmx"}
            if extra:
                js = orjson.dumps(extra).decode()
                out.append(f'{indent}<prop type="{META_PROP}">{self.check_text(rid, "meta", js)}</prop>\n')
        return out

    def header(self, first: dict[str, Any] | None) -> str:
        h = ((first or {}).get("meta") or {}).get("tmx", {}).get("header") or {}
        src = (self.langs[0] if self.langs else
               next(iter((first or {}).get("sides") or {}), "*all*"))
        attrs = default_header(src)
        for k, v in _attrs(h.get("attrs"), HEADER_ATTRS):
            attrs[k] = v
        rid = (first or {}).get("id")
        body = (self.entries(rid, "note", h.get("notes"), NOTE_ATTRS, "  ")
                + self.entries(rid, "prop", h.get("props"), PROP_ATTRS, "  "))
        for u in h.get("ude") or ():
            try:
                frag = parse_fragment(u)
                if len(frag) != 1 or frag[0].tag != "ude" or any(m.tag != "map" for m in frag[0]):
                    raise ValueError("not a <ude> of <map> elements")
            except ValueError as exc:
                raise self.fail(rid, f"meta.tmx.header.ude: {exc}") from None
            body.append("  " + outer_xml(frag[0]) + "\n")
        head = f"<header{attrs_xml(attrs.items())}"
        return head + (">\n" + "".join(body) + "</header>\n" if body else "/>\n")

    def tu(self, rec: dict[str, Any]) -> str:
        rid = rec.get("id")
        meta = rec.get("meta")
        parts = []
        if meta:
            tmx = meta.get("tmx") or {}
            parts.append(f'<tu tuid="{escape_attr(str(rid))}"'
                         f'{attrs_xml(_attrs(tmx.get("attrs"), TU_ATTRS, ("tuid",)))}>\n')
            parts += self.entries(rid, "note", tmx.get("notes"), NOTE_ATTRS, "  ")
            parts += self.entries(rid, "prop", tmx.get("props"), PROP_ATTRS, "  ")
        else:
            parts.append(f'<tu tuid="{escape_attr(str(rid))}">\n')
        if meta or rec.get("doc") is not None:
            parts += self.lancang_props(rid, meta, "  ", rec.get("doc"))
        sides = rec.get("sides") or {}
        langs = [x for x in self.langs if x in sides] if self.langs else sides
        if not langs:
            raise self.fail(rid, f"no side to write (sides: {', '.join(sides) or 'none'})")
        for lang in langs:
            parts.append(self.tuv(rid, lang, sides[lang]))
        parts.append("</tu>\n")
        return "".join(parts)

    def tuv(self, rid: Any, lang: str, side: dict[str, Any]) -> str:
        smeta = side.get("meta")
        seg = self.seg(rid, lang, side)
        if not smeta:
            return f'  <tuv xml:lang="{escape_attr(lang)}"><seg>{seg}</seg></tuv>\n'
        tmx = smeta.get("tmx") or {}
        orig = tmx.get("lang")
        tag = orig if isinstance(orig, str) and orig.replace("_", "-").lower() == lang.lower() else lang
        attrs = [("xml:lang", tag)] + _attrs(tmx.get("attrs"), TUV_ATTRS, ("xml:lang", "lang"))
        inner = (self.entries(rid, "note", tmx.get("notes"), NOTE_ATTRS, "    ")
                 + self.entries(rid, "prop", tmx.get("props"), PROP_ATTRS, "    ")
                 + self.lancang_props(rid, smeta, "    "))
        if inner:
            return f'  <tuv{attrs_xml(attrs)}>\n{"".join(inner)}    <seg>{seg}</seg>\n  </tuv>\n'
        return f"  <tuv{attrs_xml(attrs)}><seg>{seg}</seg></tuv>\n"

    def seg(self, rid: Any, lang: str, side: dict[str, Any]) -> str:
        text = side.get("text", "")
        codes = ((side.get("layers") or {}).get("codes") or {}).get("items")
        if not codes:
            return self.check_text(rid, f"the {lang} text", text)
        self.check_text(rid, f"the {lang} text", text)
        try:
            return "".join(_seg_parts(text, codes))
        except CodeError as exc:
            raise self.fail(rid, f"side {lang}: codes: {exc} [{exc.rule}]") from None


def _native(it: dict[str, Any]) -> bool:
    """Whether a code item can be written as the TMX element of its kind, as it is."""
    spec = CODE_ATTRS.get(it.get("kind", ""))
    if spec is None or (it["kind"] == "hi") != ("end" in it) or "id" in it:
        return False
    attrs = public_attrs(it)
    allowed, required = spec
    if not (set(attrs) <= allowed and required <= set(attrs)):
        return False
    if it["kind"] == "it" and attrs.get("pos") not in ("begin", "end"):
        return False
    return all(isinstance(v, str) for v in attrs.values())


def _data_xml(it: dict[str, Any]) -> str:
    """The content of a code element: its native data, escaped, or its inner XML if valid in TMX."""
    data = it.get("data")
    if not data:
        return ""
    if (it.get("attrs") or {}).get("#xml"):
        try:
            frag = parse_fragment(data)
        except ValueError:
            frag = None
        if frag is not None and all(c.tag == "sub" for c in frag) and all(
                d.tag in _SUB_CONTENT for d in frag.iterdescendants()):
            return data
        text = "".join(frag.itertext()) if frag is not None else data
        return escape_text(text)
    i = bad_xml_char(data)
    if i is not None:
        raise CodeError("code-data-invalid-char", f"code data holds U+{ord(data[i]):04X}, which XML 1.0 cannot hold")
    return escape_text(data)


_BEGIN = {"bpt", "bx", "sc"}
_END = {"ept", "ex", "ec"}


def _key(it: dict[str, Any]) -> Any:
    a = it.get("attrs") or {}
    return a.get("i") or a.get("rid") or a.get("startRef") or it.get("id")


def _seg_parts(text: str, items: list[dict[str, Any]]) -> Iterator[str]:
    pairs = paired(items, _BEGIN, _END, _key)
    index = {id(it): k for k, it in enumerate(items)}
    used = {str(_key(it)) for it in items if it.get("kind") in _BEGIN | _END}
    fresh = iter(str(k) for k in range(1, 10**9) if str(k) not in used)
    span_i: dict[int, str] = {}
    for ev, it in events(text, items):
        if ev == "text":
            yield escape_text(it)
            continue
        kind = it.get("kind", "")
        if _native(it):
            a = attrs_xml((k, v) for k, v in public_attrs(it).items())
            if ev == "ph":
                yield f"<{kind}{a}>{_data_xml(it)}</{kind}>"
            elif ev == "open":
                yield f"<hi{a}>"
            else:
                yield "</hi>"
            continue
        a = public_attrs(it)
        typ = a.get("type") or a.get("ctype") or a.get("mtype") or a.get("subType")
        x = it.get("id") or a.get("x")
        extra = [(k, str(v)) for k, v in (("x", x), ("type", typ)) if v is not None]
        if ev == "open":
            if kind in ("mrk", "hi"):
                yield f"<hi{attrs_xml(extra)}>"
            else:
                span_i[id(it)] = i = next(fresh)
                yield f'<bpt{attrs_xml([("i", i)] + extra)}>{_data_xml(it)}</bpt>'
        elif ev == "close":
            if kind in ("mrk", "hi"):
                yield "</hi>"
            else:
                yield f'<ept i="{escape_attr(span_i.pop(id(it)))}"></ept>'
        elif kind in _BEGIN or kind in _END:
            begin = kind in _BEGIN
            if index[id(it)] in pairs:
                tag, first = ("bpt", [("i", str(_key(it)))]) if begin else ("ept", [("i", str(_key(it)))])
                attrs = first + (extra if begin else [])
            else:
                tag, attrs = "it", [("pos", "begin" if begin else "end")] + extra
            yield f"<{tag}{attrs_xml(attrs)}>{_data_xml(it)}</{tag}>"
        elif kind == "it" and a.get("pos") in ("begin", "end"):
            yield f'<it{attrs_xml([("pos", a["pos"])] + extra)}>{_data_xml(it)}</it>'
        else:
            assoc = [("assoc", a["assoc"])] if a.get("assoc") in ("p", "f", "b") else []
            yield f"<ph{attrs_xml(extra + assoc)}>{_data_xml(it)}</ph>"


def write(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    check_options(FORMAT, "writer", options)
    w = _Writer(langs)
    it = iter(records)
    first = next(it, None)
    n = 0
    with xml_output(path) as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n<tmx version="1.4">\n')
        f.write(w.header(first))
        f.write("<body>\n")
        if first is not None:
            f.write(w.tu(first))
            n = 1
            write_ = f.write
            tu = w.tu
            for rec in it:
                write_(tu(rec))
                n += 1
        f.write("</body>\n</tmx>\n")
    return n


FORMAT = Format("tmx", "TMX 1.4b translation memory (n languages a unit; inline codes, props and notes kept)",
                (".tmx",), frozenset({"sides>2", "codes", "meta", "doc"}), read, write,
                read_options={"max_unit_elements": Option(MAX_UNIT_ELEMENTS, "refuse a <tu> or <header> with "
                                                          "more elements than this (each is read whole)"),
                              "validate": Option(False, "validate against the bundled TMX 1.4b DTD (never the "
                                                 "DOCTYPE's), require <header> and version 1.4, pair bpt/ept "
                                                 "(lancang check always does)", (False, True)),
                              "duplicate_lang": Option("error", "a <tu> with two <tuv> in one language (valid TMX, "
                                                       "but a record holds one text per language): refuse, or keep "
                                                       "the first and list the rest in meta.model_limits",
                                                       ("error", "first"))},
                write_options={})
