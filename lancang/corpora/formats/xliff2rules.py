"""XLIFF 2.0/2.1/2.2 Core constraints and processing requirements, checked while reading.

The XSD catches only part of what makes an XLIFF 2 document invalid (about 30 of the 119 invalid
core files of the OASIS 2.2 test suite); the rest are prose constraints. Each check below has a
stable rule id (``xliff2-...``) and cites the clause it enforces (``Spec.where``: the element or
attribute section of the XLIFF 2 Core specification). A reader stops at the first violation with
``file:line: message [rule]``.

Every unit, and every module element outside units, is also validated against the bundled OASIS
XLIFF 2.2 schemas (:func:`check_schema`; imports resolve to package files only). Module elements get
the checks their prose adds (fs:subFs, val:rule, ids unique per namespace, fragment identifiers).

Deliberately not enforced: the "only if" half of "trgLang is REQUIRED if and only if the document
has <target> elements" (the OASIS suite's own valid files declare trgLang without any target). The
list of what is coded and what is not is docs/notes/xliff2-validation.md.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from .xmlsafe import VALIDATING, XML_NS, XmlInputError, bad_xml_char, bcp47_ok, canonical_lang, compiled

NS20 = "urn:oasis:names:tc:xliff:document:2.0"
NS22 = "urn:oasis:names:tc:xliff:document:2.2"
CORE_NS = (NS20, NS22)
#: the namespaces of the modules (Format Style, Size and Length Restriction, Translation Candidates, Glossary,
#: Metadata, Resource Data, Validation) and of ITS
FS_NS = "urn:oasis:names:tc:xliff:fs:2.0"
SLR_NS = "urn:oasis:names:tc:xliff:sizerestriction:2.0"
MTC, GLS, MDA = ("urn:oasis:names:tc:xliff:matches:2.0", "urn:oasis:names:tc:xliff:glossary:2.0",
                 "urn:oasis:names:tc:xliff:metadata:2.0")
RES, VAL_NS, ITS = ("urn:oasis:names:tc:xliff:resourcedata:2.0", "urn:oasis:names:tc:xliff:validation:2.0",
                    "http://www.w3.org/2005/11/its")
VERSIONS = ("2.0", "2.1", "2.2")
_XML = "{" + XML_NS + "}"

NMTOKEN = re.compile(r"^[\w.\-:\u00b7\u0300-\u036f\u203f\u2040]+$")
USER_VALUE = re.compile(r"^[^\s:]+:[^\s:]+$")
YES_NO = ("yes", "no")
DIRS = ("ltr", "rtl", "auto")
STATES = ("initial", "translated", "reviewed", "final")
CODE_TYPES = ("fmt", "ui", "quote", "link", "image", "other")
MRK_TYPES = ("generic", "comment", "term")

#: XLIFF 2.2 Core attributes (local names) per element; attributes of other namespaces are allowed
#: where the schema has ``anyAttribute namespace="##other"`` (OTHER), never on the rest.
ATTRS: dict[str, set[str]] = {
    "xliff": {"version", "srcLang", "trgLang", "xml:space"},
    "file": {"id", "canResegment", "original", "translate", "srcDir", "trgDir", "xml:space"},
    "skeleton": {"href"},
    "group": {"id", "name", "canResegment", "translate", "srcDir", "trgDir", "type", "xml:space"},
    "unit": {"id", "name", "canResegment", "translate", "srcDir", "trgDir", "xml:space", "type"},
    "segment": {"id", "canResegment", "state", "subState"},
    "ignorable": {"id"},
    "notes": set(),
    "note": {"id", "appliesTo", "category", "priority", "ref"},
    "originalData": set(),
    "data": {"id", "dir", "xml:space"},
    "source": {"xml:lang", "xml:space"},
    "target": {"xml:lang", "xml:space", "order"},
    "cp": {"hex"},
    "ph": {"canCopy", "canDelete", "canReorder", "copyOf", "disp", "equiv", "id", "dataRef", "subFlows", "subType",
           "type"},
    "pc": {"canCopy", "canDelete", "canOverlap", "canReorder", "copyOf", "dispEnd", "dispStart", "equivEnd",
           "equivStart", "id", "dataRefEnd", "dataRefStart", "subFlowsEnd", "subFlowsStart", "subType", "type", "dir"},
    "sc": {"canCopy", "canDelete", "canOverlap", "canReorder", "copyOf", "dataRef", "dir", "disp", "equiv", "id",
           "isolated", "subFlows", "subType", "type"},
    "ec": {"canCopy", "canDelete", "canOverlap", "canReorder", "copyOf", "dataRef", "dir", "disp", "equiv", "id",
           "isolated", "startRef", "subFlows", "subType", "type"},
    "mrk": {"id", "translate", "type", "ref", "value"},
    "sm": {"id", "translate", "type", "ref", "value"},
    "em": {"startRef"},
}
OTHER = {"xliff", "file", "skeleton", "group", "unit", "note", "ph", "pc", "sc", "ec", "mrk", "sm"}
REQUIRED = {"xliff": ("version", "srcLang"), "file": ("id",), "group": ("id",), "unit": ("id",), "data": ("id",),
            "cp": ("hex",), "ph": ("id",), "pc": ("id",), "sc": ("id",), "mrk": ("id",), "sm": ("id",),
            "em": ("startRef",)}
#: the subType values XLIFF defines (prefix xlf:) and the type each requires
XLF_SUBTYPES = {"xlf:lb": "fmt", "xlf:pb": "fmt", "xlf:b": "fmt", "xlf:i": "fmt", "xlf:u": "fmt", "xlf:var": "ui"}
ENUMS = {"canResegment": YES_NO, "translate": YES_NO, "srcDir": DIRS, "trgDir": DIRS, "dir": DIRS, "xml:space":
         ("default", "preserve"), "state": STATES, "appliesTo": ("source", "target"), "canCopy": YES_NO,
         "canDelete": YES_NO, "canOverlap": YES_NO, "canReorder": ("yes", "no", "firstNo"), "isolated": YES_NO}
INLINE = ("cp", "ph", "pc", "sc", "ec", "mrk", "sm", "em")
CODES = ("ph", "pc", "sc", "ec")
#: the only namespaces whose attributes codes may carry (Format Style, Size and Length Restriction)
CODE_MODULES = (FS_NS, SLR_NS)
_CITE = {
    "xliff": "§xliff", "file": "§file", "group": "§group", "unit": "§unit", "segment": "§segment",
    "ignorable": "§ignorable", "note": "§note", "data": "§data", "source": "§source", "target": "§target",
    "cp": "§cp", "ph": "§ph", "pc": "§pc", "sc": "§sc", "ec": "§ec", "mrk": "§mrk", "sm": "§sm", "em": "§em",
}


@dataclass
class Ctx:
    """What the checks need to know about the document."""

    name: str
    ns: str
    src: str
    trg: str | None


def fail(ctx: Ctx, rule: str, msg: str, el: Any, cite: str) -> XmlInputError:
    part = "XLIFF 2" if "Module" in cite else "XLIFF 2 Core"
    return XmlInputError("xliff2-" + rule, f"{msg} ({part} {cite})", ctx.name, getattr(el, "sourceline", None))


def local(ctx: Ctx, el: Any) -> str | None:
    """The core local name of ``el``, or None for elements of other namespaces."""
    tag = el.tag
    if isinstance(tag, str) and tag.startswith("{" + ctx.ns + "}"):
        return tag[len(ctx.ns) + 2:]
    return None


def attr_key(k: str) -> str:
    return "xml:" + k[len(_XML):] if k.startswith(_XML) else k


def check_attrs(ctx: Ctx, name: str, el: Any) -> dict[str, str]:
    """Allowed, required and enumerated attributes of a core element; returns them (xml: names)."""
    cite = _CITE.get(name, "§" + name)
    out: dict[str, str] = {}
    allowed = ATTRS.get(name, set())
    for k, v in el.attrib.items():
        key = attr_key(k)
        if key[0] == "{" or (key.startswith("xml:") and key not in allowed):
            if name not in OTHER or (name in ("mrk", "sm") and key.startswith("xml:")):
                raise fail(ctx, "attribute-not-allowed", f"<{name}> does not allow attributes of other namespaces "
                           f"({key})", el, cite)
        elif key not in allowed:
            raise fail(ctx, "attribute-not-allowed", f"<{name}> has no attribute {key!r}", el, cite)
        if name in CODES and key[0] == "{" and key[1:].partition("}")[0] not in CODE_MODULES:
            raise fail(ctx, "attribute-not-allowed", f"<{name}> allows attributes of other namespaces only from the "
                       f"Format Style and Size Restriction modules ({key})", el,
                       f"{cite}: only fs and slr attributes; no other attributes MUST be used")
        ok = ENUMS.get(key)
        if ok and key[0] != "{" and v not in ok and not (key == "xml:space" and name == "data"):
            raise fail(ctx, "attribute-value", f"{key}={v!r} on <{name}> is not one of {', '.join(ok)}", el,
                       f"{cite}, §{key}")
        out[key] = v
    if any(k[0] == "{" for k in el.attrib):
        check_module_attrs(ctx, el)
    for r in REQUIRED.get(name, ()):
        if r not in out:
            raise fail(ctx, "attribute-required", f"<{name}> has no {r}", el, f"{cite} ({r} is REQUIRED)")
    for k in ("id", "startRef", "copyOf", "dataRef", "dataRefStart", "dataRefEnd"):
        if k in out and not NMTOKEN.match(out[k]):
            raise fail(ctx, "attribute-value", f"{k}={out[k]!r} on <{name}> is not an NMTOKEN", el, f"{cite}, §{k}")
    if name == "data" and out.get("xml:space", "preserve") != "preserve":
        raise fail(ctx, "attribute-value", "xml:space on <data> is fixed to 'preserve'", el, "§data")
    if "type" in out:
        typ = out["type"]
        if name in CODES and typ not in CODE_TYPES:
            raise fail(ctx, "attribute-value", f"type={typ!r} is not one of {', '.join(CODE_TYPES)}", el, "§type")
        if name in ("mrk", "sm") and typ not in MRK_TYPES and not USER_VALUE.match(typ):
            raise fail(ctx, "attribute-value", f"type={typ!r} is neither generic, comment, term nor prefix:value",
                       el, "§type (annotations)")
        if name in ("group", "unit") and not USER_VALUE.match(typ):
            raise fail(ctx, "attribute-value", f"type={typ!r} must be prefix:value", el, "§type")
        if name in ("group", "unit") and typ.startswith("xlf:"):
            raise fail(ctx, "attribute-value", f"type={typ!r} on <{name}> uses the prefix xlf, which is reserved", el,
                       "§type: on <group> and <unit> the prefix xlf is reserved")
    if "subType" in out:
        if not USER_VALUE.match(out["subType"]):
            raise fail(ctx, "attribute-value", f"subType={out['subType']!r} must be prefix:value", el, "§subType")
        if "type" not in out:
            raise fail(ctx, "subtype-without-type", f"<{name}> has subType but no type", el,
                       "§subType: if subType is used, type MUST be specified")
        want = XLF_SUBTYPES.get(out["subType"], "?") if out["subType"].startswith("xlf:") else None
        if want is not None and want != out["type"]:
            raise fail(ctx, "subtype-value", f"subType={out['subType']!r} with type={out['type']!r}" + (
                       " (xlf: defines only lb, pb, b, i, u with type fmt and var with type ui)" if want == "?" else
                       f" (it needs type {want!r})"), el, "§subType: values of the xlf prefix and the type they imply")
    if "priority" in out and (not out["priority"].isdigit() or not 1 <= int(out["priority"]) <= 10):
        raise fail(ctx, "attribute-value", f"priority={out['priority']!r} is not an integer from 1 to 10", el,
                   "§priority")
    if "order" in out and (not out["order"].isdigit() or int(out["order"]) < 1):
        raise fail(ctx, "attribute-value", f"order={out['order']!r} is not a positive integer", el, "§order")
    if name == "cp":
        h = out["hex"]
        if not re.fullmatch(r"[0-9A-Fa-f]{1,6}", h) or int(h, 16) > 0x10FFFF or 0xD800 <= int(h, 16) <= 0xDFFF:
            raise fail(ctx, "cp-invalid", f"hex={h!r} is not a Unicode code point", el, "§cp, §hex")
        if bad_xml_char(chr(int(h, 16))) is None:
            raise fail(ctx, "cp-valid-char", f"<cp hex=\"{h}\"/> encodes U+{int(h, 16):04X}, a character XML can hold",
                       el, "§cp: Writers MUST NOT encode valid XML characters of the content using <cp/>")
    if name in CODES:
        check_editing_hints(ctx, name, out, el)
    if name == "pc":
        for a, b in (("dataRefStart", "dataRefEnd"), ("subFlowsStart", "subFlowsEnd")):
            if (a in out) != (b in out):
                raise fail(ctx, "attribute-pair", f"<pc> has {a if a in out else b} without "
                           f"{b if a in out else a}", el, f"§{a}, §{b}: used as a pair")
    return out


def check_lang(ctx: Ctx, el: Any, attrs: dict[str, str], which: str) -> None:
    """The explicit or inherited xml:lang of a <source>/<target> equals srcLang/trgLang."""
    v = attrs.get("xml:lang")
    if v is None:
        up = next((a for a in el.iterancestors() if a.get(_XML + "lang") is not None), None)
        if up is None:
            return
        v = up.get(_XML + "lang")
    want = ctx.src if which == "source" else ctx.trg
    if want is None or canonical_lang(v).lower() != want.lower():
        raise fail(ctx, f"{which}-lang-mismatch", f"xml:lang={v!r} on <{which}> differs from "
                   f"{'srcLang' if which == 'source' else 'trgLang'} ({want})", el,
                   f"§{which}: xml:lang, if present, MUST be the same as "
                   f"{'srcLang' if which == 'source' else 'trgLang'}")


def _space(el: Any) -> str:
    """The xml:space in force on an element: its own, else its nearest ancestor's, else 'default'."""
    for e in (el, *el.iterancestors()):
        v = e.get(_XML + "space")
        if v is not None:
            return v
    return "default"


def check_root(ctx: Ctx, el: Any) -> dict[str, str]:
    attrs = check_attrs(ctx, "xliff", el)
    if attrs["version"] not in VERSIONS:
        raise fail(ctx, "version", f"version={attrs['version']!r} is not one of {', '.join(VERSIONS)}", el,
                   "§version")
    # the 2.2 schema takes 2.0 and 2.1 in the 2.2 namespace "for backward compatibility"; a 2.2
    # document needs the 2.2 namespace
    if ctx.ns == NS20 and attrs["version"] == "2.2":
        raise fail(ctx, "version", f"version={attrs['version']!r} does not match the namespace {ctx.ns}", el,
                   "§version, §namespaces")
    for k in ("srcLang", "trgLang"):
        if k in attrs and not bcp47_ok(attrs[k]):
            raise fail(ctx, "lang-invalid", f"{k}={attrs[k]!r} is not a BCP 47 language tag", el, f"§{k}")
    return attrs


# ------------------------------------------------------------------------------------------ units

@dataclass
class _Code:
    name: str
    attrs: dict[str, str]
    el: Any
    flow: str  # "source" | "target"
    part: Any = None  # the <segment>/<ignorable>


def check_unit(ctx: Ctx, unit: Any, file_units: set[str], subflow_refs: list[tuple[str, Any]]) -> None:
    """Every Core constraint that can be checked within one <unit> (the element is complete)."""
    attrs = check_attrs(ctx, "unit", unit)
    uid = attrs["id"]
    if uid in file_units:
        raise fail(ctx, "id-unique", f"<unit id=\"{uid}\"> repeats a unit id of this <file>", unit,
                   "§id: unique among all <unit> ids within the enclosing <file>")
    file_units.add(uid)
    phase = 0  # 0 extensions, 1 notes, 2 originalData, 3 segments
    data_ids: set[str] = set()
    segs = 0
    parts = 0
    ids: dict[str, str] = {}  # source-side ids (segments, ignorables, source inline) -> what
    target_ids: set[str] = set()
    codes: list[_Code] = []
    ext_ids: set[tuple[str, str]] = set()
    mod_counts: dict[str, int] = {}
    note_ids: set[str] = set()
    for ch in unit:
        name = local(ctx, ch)
        if name is None:
            if phase > 0:
                raise fail(ctx, "element-order", f"<{ch.tag}> (an extension or module element) after <notes>, "
                           "<originalData> or segments", ch, "§unit: extension elements come first")
            check_module_place(ctx, "unit", ch, mod_counts)
            check_extension(ctx, ch, ext_ids)
            continue
        if name == "notes":
            if phase >= 1:
                raise fail(ctx, "element-order", "<notes> twice or after <originalData>/segments", ch, "§unit")
            phase = 1
            note_ids = check_notes(ctx, ch)
        elif name == "originalData":
            if phase >= 2:
                raise fail(ctx, "element-order", "<originalData> twice or after segments", ch, "§unit")
            phase = 2
            if len(ch) == 0:
                raise fail(ctx, "element-required", "<originalData> has no <data>", ch, "§originalData")
            for d in ch:
                if local(ctx, d) != "data":
                    raise fail(ctx, "element-unexpected", f"<{d.tag}> in <originalData>", d, "§originalData")
                da = check_attrs(ctx, "data", d)
                if da["id"] in data_ids:
                    raise fail(ctx, "id-unique", f"<data id=\"{da['id']}\"> twice in the unit", d,
                               "§id: unique among <data> ids within the enclosing <unit>")
                data_ids.add(da["id"])
                for c in d:
                    if local(ctx, c) != "cp":
                        raise fail(ctx, "element-unexpected", f"<{c.tag}> in <data> (only <cp>)", c, "§data")
                    check_attrs(ctx, "cp", c)
        elif name in ("segment", "ignorable"):
            phase = 3
            parts += 1
            sa = check_attrs(ctx, name, ch)
            if name == "segment":
                segs += 1
                if "subState" in sa and "state" not in sa:
                    raise fail(ctx, "substate-without-state", "<segment> has subState but no state", ch,
                               "§subState: if subState is used, state MUST be explicitly set")
                if "subState" in sa and not USER_VALUE.match(sa["subState"]):
                    raise fail(ctx, "attribute-value", f"subState={sa['subState']!r} must be prefix:value", ch,
                               "§subState")
                if sa.get("state", "initial") != "initial" and len(ch) < 2:
                    raise fail(ctx, "state-without-target", f"<segment state=\"{sa['state']}\"> has no <target>",
                               ch, "§state: translated, reviewed and final need a <target>")
            if "id" in sa:
                _claim(ctx, ids, sa["id"], f"<{name}>", ch)
            kids = list(ch)
            knames = [local(ctx, c) for c in kids]
            if not knames or knames[0] != "source" or len(kids) > 2 or (len(kids) == 2 and knames[1] != "target"):
                raise fail(ctx, "element-order", f"<{name}> must hold one <source> and at most one <target>, in "
                           f"that order (has {', '.join(str(k or c.tag) for k, c in zip(knames, kids)) or 'nothing'})",
                           ch, f"§{name}")
            if len(kids) == 2 and _space(kids[0]) != _space(kids[1]):
                raise fail(ctx, "xml-space", f"xml:space is {_space(kids[1])!r} on the <target> but "
                           f"{_space(kids[0])!r} on its <source> (explicit or inherited)", kids[1],
                           "§target: xml:space, explicit or inherited, MUST be the same as on the <source>")
            for flow, c in zip(("source", "target"), kids):
                fa = check_attrs(ctx, flow, c)
                check_lang(ctx, c, fa, flow)
                if flow == "target" and ctx.trg is None:
                    raise fail(ctx, "trglang-required", "a <target> exists but <xliff> has no trgLang", c,
                               "§xliff: trgLang is REQUIRED if the document contains <target> in <segment> or "
                               "<ignorable>")
                _inline(ctx, c, flow, codes)
        else:
            raise fail(ctx, "element-unexpected", f"<{name}> is not allowed in <unit>", ch, "§unit")
    if segs == 0:
        raise fail(ctx, "unit-no-segment", f"<unit id=\"{uid}\"> has no <segment>", unit,
                   "§unit: a <unit> MUST contain at least one <segment>")
    _check_orders(ctx, unit, parts)
    _check_codes(ctx, codes, ids, target_ids, data_ids, subflow_refs)
    _check_annotations(ctx, codes, note_ids, uid)
    _check_match_refs(ctx, unit, uid, ids, target_ids)
    _check_reorder(ctx, codes)
    _check_final(ctx, codes)


def check_notes(ctx: Ctx, notes: Any) -> set[str]:
    if len(notes) == 0:
        raise fail(ctx, "element-required", "<notes> has no <note>", notes, "§notes")
    seen: set[str] = set()
    for n in notes:
        if local(ctx, n) != "note":
            raise fail(ctx, "element-unexpected", f"<{n.tag}> in <notes>", n, "§notes")
        a = check_attrs(ctx, "note", n)
        if len(n):
            raise fail(ctx, "element-unexpected", "<note> holds elements (text only)", n, "§note")
        if "id" in a:
            if a["id"] in seen:
                raise fail(ctx, "id-unique", f"<note id=\"{a['id']}\"> twice in one <notes>", n,
                           "§id: unique among <note> ids of the immediate enclosing element")
            seen.add(a["id"])
    return seen


def _claim(ctx: Ctx, ids: dict[str, str], v: str, what: str, el: Any) -> None:
    if v in ids:
        raise fail(ctx, "id-unique", f"{what} id={v!r} is already used by {ids[v]} in this unit", el,
                   "§id: segment, ignorable and inline ids are unique within the enclosing <unit>")
    ids[v] = what


def _inline(ctx: Ctx, el: Any, flow: str, codes: list[_Code]) -> None:
    for d in el.iterdescendants():
        name = local(ctx, d)
        if name not in INLINE:
            raise fail(ctx, "element-unexpected", f"<{name or d.tag}> is not an inline element of <{flow}>", d,
                       "§source/§target: inline content only")
        if name in ("cp", "ph", "sc", "ec", "sm", "em") and len(d):
            raise fail(ctx, "element-unexpected", f"<{name}> is always empty", d, f"§{name}")
        a = check_attrs(ctx, name, d)
        if name != "cp":
            codes.append(_Code(name, a, d, flow, el.getparent()))


def _check_orders(ctx: Ctx, unit: Any, parts: int) -> None:
    seen: set[int] = set()
    for t in unit.iter(f"{{{ctx.ns}}}target"):
        o = t.get("order")
        if o is None:
            continue
        v = int(o)
        if v > parts:
            raise fail(ctx, "order-range", f"order={v} but the unit has only {parts} segments and ignorables", t,
                       "§order: the value MUST be between 1 and the number of <segment> and <ignorable> elements")
        if v in seen:
            raise fail(ctx, "order-unique", f"order={v} is used twice in the unit", t, "§order")
        seen.add(v)
    kids = [c for c in unit if local(ctx, c) in ("segment", "ignorable")]
    taken: dict[int, Any] = {}
    for pos, part in enumerate(kids, 1):
        t = next((c for c in part if local(ctx, c) == "target"), None)
        v = int(t.get("order")) if t is not None and t.get("order") is not None else pos
        if v in taken:
            raise fail(ctx, "order-conflict", f"the target of the {_nth(pos)} segment/ignorable takes position {v}, "
                       "which another target already has (explicitly or as its implicit position)",
                       part if t is None else t,
                       "§order: explicit order MUST NOT conflict with the implicit order of targets without one")
        taken[v] = part


def _nth(n: int) -> str:
    return f"{n}{'tsnrhtdd'[(n // 10 % 10 != 1) * (n % 10 < 4) * n % 10::4]}"


def _check_codes(ctx: Ctx, codes: list[_Code], ids: dict[str, str], target_ids: set[str], data_ids: set[str],
                 subflow_refs: list[tuple[str, Any]]) -> None:
    src_inline: set[str] = set()
    for c in codes:
        a = c.attrs
        ident = a.get("id")
        if c.name == "ec":
            iso = a.get("isolated", "no") == "yes"
            if iso and ("id" not in a or "startRef" in a):
                raise fail(ctx, "ec-isolated", "an isolated <ec> must have id and no startRef", c.el,
                           "§ec: iff isolated='yes', id MUST be used instead of startRef")
            if not iso and ("startRef" not in a or "id" in a):
                raise fail(ctx, "ec-isolated", "a non-isolated <ec> must have startRef and no id", c.el,
                           "§ec: startRef MUST be used unless isolated='yes'")
            if not iso and "dir" in a:
                raise fail(ctx, "ec-dir", "dir is only allowed on an isolated <ec>", c.el,
                           "§ec: dir MUST NOT be used unless isolated='yes'")
        if ident is not None:
            if c.flow == "source":
                _claim(ctx, ids, ident, f"<{c.name}>", c.el)
                src_inline.add(ident)
            else:
                if ident in target_ids:
                    raise fail(ctx, "id-unique", f"<{c.name}> id={ident!r} is used twice in the targets of the unit",
                               c.el, "§id: unique within the enclosing <unit>")
                if ident in ids and ident not in src_inline:
                    raise fail(ctx, "id-unique", f"<{c.name}> id={ident!r} in a target repeats the id of "
                               f"{ids[ident]}", c.el, "§id: target inline ids may only repeat their source "
                               "counterparts' ids")
                target_ids.add(ident)
        for k in ("dataRef", "dataRefStart", "dataRefEnd"):
            if k in a and a[k] not in data_ids:
                raise fail(ctx, "dataref-unresolved", f"{k}={a[k]!r} names no <data> of the unit's <originalData>",
                           c.el, f"§{k}: MUST be the id of a <data> element in the same unit")
        for k in ("subFlows", "subFlowsStart", "subFlowsEnd"):
            for ref in a.get(k, "").split():
                subflow_refs.append((ref, c.el))
        if c.name in ("mrk", "sm") and a.get("type") == "comment" and "value" not in a and "ref" not in a:
            raise fail(ctx, "comment-annotation", f"<{c.name} type=\"comment\"> has neither value nor ref", c.el,
                       "§comment annotation: value or ref MUST be used")
    for flow in ("source", "target"):
        _pairs(ctx, [c for c in codes if c.flow == flow], flow)
    by_id = {c.attrs["id"]: c for c in codes if "id" in c.attrs}
    for c in codes:
        if "copyOf" not in c.attrs:
            continue
        base = by_id.get(c.attrs["copyOf"])
        if base is None:
            raise fail(ctx, "copyof-unresolved", f"copyOf={c.attrs['copyOf']!r} names no inline code of the unit",
                       c.el, "§copyOf: MUST be the id of a code in the same unit")
        for who, a in (("this code", c.attrs), (f"its base code <{base.name} id=\"{c.attrs['copyOf']}\">", base.attrs)):
            ref = next((k for k in ("dataRef", "dataRefStart", "dataRefEnd") if k in a), None)
            if ref is not None:
                raise fail(ctx, "copyof-data", f"copyOf={c.attrs['copyOf']!r} but {who} has original data ({ref})",
                           c.el, "§Duplicating Existing Code: copyOf is used when, and only when, the base code has "
                           "no associated original data")
        if base.attrs.get("canCopy") == "no":
            raise fail(ctx, "copyof-cancopy", f"copyOf={c.attrs['copyOf']!r} copies a code with canCopy='no'", c.el,
                       "§Editing Hints: a code with canCopy='no' MUST NOT be copied")


def _pairs(ctx: Ctx, codes: Iterable[_Code], flow: str) -> None:
    sc: dict[str, _Code] = {}
    ended: set[str] = set()
    sm: dict[str, _Code] = {}
    for c in codes:
        a = c.attrs
        if c.name == "sc":
            sc[a["id"]] = c
        elif c.name == "ec" and "startRef" in a:
            start = sc.get(a["startRef"])
            if start is None:
                raise fail(ctx, "ec-unpaired", f"<ec startRef=\"{a['startRef']}\"> has no <sc> before it in the "
                           f"unit's {flow}", c.el, "§startRef: MUST be the id of an <sc> in the same unit")
            if start.attrs.get("isolated", "no") == "yes":
                raise fail(ctx, "sc-isolated", f"<sc id=\"{a['startRef']}\"> is isolated but has an <ec> in the unit",
                           c.el, "§sc: isolated MUST be 'yes' iff the corresponding <ec> is not in the same unit")
            for k in ("canCopy", "canDelete", "canOverlap"):
                if start.attrs.get(k, "yes") != a.get(k, "yes"):
                    raise fail(ctx, "sc-ec-mismatch", f"{k} differs between <sc id=\"{a['startRef']}\"> and its <ec>",
                               c.el, f"§sc/§ec: {k} MUST be the same on both")
            sr, er = start.attrs.get("canReorder", "yes"), a.get("canReorder", "yes")
            if (sr == "firstNo" and er != "no") or (sr != "firstNo" and sr != er):
                raise fail(ctx, "sc-ec-mismatch", f"canReorder={er!r} on the <ec> of <sc canReorder=\"{sr}\">", c.el,
                           "§ec: canReorder MUST be 'no' if the <sc> has 'firstNo', the same otherwise")
            ended.add(a["startRef"])
        elif c.name == "sm":
            sm[a["id"]] = c
        elif c.name == "em" and a["startRef"] not in sm:
            raise fail(ctx, "em-unpaired", f"<em startRef=\"{a['startRef']}\"> has no <sm> before it in the "
                       f"unit's {flow}", c.el, "§em: startRef MUST be the id of an <sm> in the same unit")
        elif c.name == "em":
            sm.pop(a["startRef"])
    for k, c in sm.items():
        raise fail(ctx, "sm-unpaired", f"<sm id=\"{k}\"> has no <em> after it in the unit's {flow}", c.el,
                   "§sm: the <em/> that ends the annotation is in the same unit")
    for k, c in sc.items():
        if c.attrs.get("isolated", "no") != "yes" and k not in ended:
            raise fail(ctx, "sc-unpaired", f"<sc id=\"{k}\"> has no <ec> in the unit's {flow} and is not isolated",
                       c.el, "§sc: isolated MUST be 'yes' iff the corresponding <ec> is not in the same unit")


# ------------------------------------------------------------------------------ the OASIS schemas

#: the bundled OASIS XLIFF 2.2 schemas (core and modules; see xsd/xliff22/SOURCE.txt and NOTICE.txt)
XSD_DIR = Path(__file__).parent / "xsd" / "xliff22"
#: module namespaces validated with their schema; ITS (its.xsd, itsm.xsd) is left out: that schema is
#: written against the 2.0 core and rejects ITS-conformant local attributes on its:provenanceRecord
XSD_MODULES = ("fs.xsd", "glossary.xsd", "matches.xsd", "metadata.xsd", "resource_data.xsd", "size_restriction.xsd",
               "validation.xsd", "plural_gender_select.xsd")


class _Bundled(etree.Resolver):
    """Resolves schema imports to the bundled files only (never the network). For the 2.0
    namespace (XLIFF 2.0 and 2.1 documents) every file is read with the 2.2 core namespace
    replaced by the 2.0 one: the 2.2 core schema is the 2.1 one plus what the coded checks
    refuse in 2.0/2.1 documents (notes and extensions on <xliff>)."""

    def __init__(self, ns: str):
        self.ns = ns

    def resolve(self, url: str | None, pubid: str | None, context: Any) -> Any:
        name = (url or "").rsplit("/", 1)[-1]
        if name == "xliff_core_2.0.xsd":
            name = "xliff_core_2.2.xsd"
        path = XSD_DIR / name
        if name not in XSD_MODULES + ("xml.xsd", "xliff_core_2.2.xsd") or not path.is_file():
            raise XmlInputError("xliff2-schema-missing", f"the XLIFF 2 schemas import {url!r}, which is not bundled "
                                "(schemas are never fetched)")
        return self.resolve_string(path.read_text(encoding="utf-8").replace(NS22, self.ns), context)


@functools.cache
def _module_schemas() -> tuple[tuple[str, str], ...]:
    """(target namespace, file) of each bundled module schema, read once."""
    return tuple((etree.parse(str(XSD_DIR / name)).getroot().get("targetNamespace"), name) for name in XSD_MODULES)


@compiled
def schema(ns: str) -> Any:
    """The compiled XML Schema (core + modules) for an XLIFF 2 core namespace, built once."""
    imports = [(ns, "xliff_core_2.2.xsd"), *_module_schemas()]
    driver = ('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:lancang:xliff2">'
              + "".join(f'<xs:import namespace="{n}" schemaLocation="{f}"/>' for n, f in imports)
              + "</xs:schema>")
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    parser.resolvers.add(_Bundled(ns))
    root = etree.fromstring(driver.encode(), parser, base_url=str(XSD_DIR / "driver.xsd"))
    return etree.XMLSchema(etree.ElementTree(root))


@functools.cache
def schema_namespaces() -> frozenset[str]:
    """The namespaces whose elements the bundled schemas declare (core excluded)."""
    return frozenset(target for target, _name in _module_schemas())


def check_schema(ctx: Ctx, el: Any) -> None:
    """Validate a complete element (a <unit>, or a module element outside units) against the OASIS
    schemas; elements of namespaces the schemas do not declare (extensions) are not validated, as
    the schemas' own ``processContents="lax"`` wildcards do."""
    ns = el.tag[1:].partition("}")[0] if isinstance(el.tag, str) and el.tag[0] == "{" else ""
    if ns != ctx.ns and ns not in schema_namespaces():
        return
    s = schema(ctx.ns)
    with VALIDATING:  # (the schema's error log is its own: read it before another thread validates)
        if s.validate(el):
            return
        err = s.error_log.last_error
    msg = re.sub(r"\{urn:oasis:names:tc:xliff:document:2\.[02]\}", "", err.message)
    line = err.line or getattr(el, "sourceline", None)
    raise XmlInputError("xliff2-schema", f"not valid against the OASIS XLIFF 2.2 XML Schema: {msg}", ctx.name,
                        line)


# ------------------------------------------------------------------- editing hints and annotations

def check_editing_hints(ctx: Ctx, name: str, a: dict[str, str], el: Any) -> None:
    if a.get("canReorder", "yes") != "yes" and (a.get("canCopy") != "no" or a.get("canDelete") != "no"):
        raise fail(ctx, "can-reorder", f"<{name}> has canReorder={a['canReorder']!r} but canCopy/canDelete are not "
                   "both 'no'", el, "§canReorder: when canReorder is no or firstNo, canCopy and canDelete MUST also "
                   "be no")


def _check_match_refs(ctx: Ctx, unit: Any, uid: str, ids: dict[str, str], target_ids: set[str]) -> None:
    """A translation candidate's or glossary entry's ref points to a span of text within its unit."""
    for m in unit.iter(f"{{{MTC}}}match", f"{{{GLS}}}glossEntry", f"{{{GLS}}}translation"):
        ref = m.get("ref")
        if ref is None or not ref.startswith("#"):
            continue  # the schema requires ref; a ref that is not a fragment cannot be checked
        sels = check_fragid(ctx, ref, m)
        unit_sel = next((v for p, v in sels if p == "u"), uid)
        prefix, last = sels[-1]
        found = (last in ids) if prefix is None else (last in target_ids) if prefix == "t" else False
        if unit_sel != uid or not found:
            module = "Translation Candidates" if m.tag.startswith(f"{{{MTC}}}") else "Glossary"
            raise fail(ctx, "match-ref", f"<{m.tag.rpartition('}')[2]} ref={ref!r}> names no segment or inline span "
                       f"of unit {uid!r}", m, f"{module} Module §ref: MUST point to a span of text within the same "
                       "<unit>")


def _check_reorder(ctx: Ctx, codes: list[_Code]) -> None:
    """A code with canReorder='no' continues a sequence that a code with 'firstNo' opened, with no
    reorderable code between them (in each flow of the unit, in document order)."""
    for flow in ("source", "target"):
        prev: _Code | None = None
        for c in codes:
            if c.flow != flow or c.name not in CODES:
                continue
            if c.attrs.get("canReorder") == "no" and (prev is None or prev.attrs.get("canReorder", "yes") == "yes"):
                what = f"<{prev.name}> with canReorder='yes'" if prev is not None else "no code with 'firstNo'"
                raise fail(ctx, "reorder-sequence", f"<{c.name}> has canReorder='no' but {what} precedes it", c.el,
                           "§canReorder: a non-reorderable sequence starts with a code with 'firstNo' and goes on "
                           "with codes with 'no'")
            prev = c


def _check_final(ctx: Ctx, codes: list[_Code]) -> None:
    """A code with canDelete='no' in a source whose segment or ignorable has a target is in a target
    of the unit (it may move to another segment's target, as the OASIS suite's valid and invalid
    cases show; a part without a target is not translated yet)."""
    in_targets = {(c.name, c.attrs["id"]) for c in codes if c.flow == "target" and "id" in c.attrs}
    for c in codes:
        if (c.flow == "source" and c.attrs.get("canDelete") == "no" and c.part is not None and "id" in c.attrs
                and any(local(ctx, k) == "target" for k in c.part)
                and (c.name, c.attrs["id"]) not in in_targets):
            raise fail(ctx, "candelete-final", f"<{c.name} id=\"{c.attrs['id']}\"> has canDelete='no' but is in no "
                       "target of the unit, though its segment has one", c.el,
                       "§Editing Hints: codes with canDelete='no' MUST NOT be deleted")


def _check_annotations(ctx: Ctx, codes: list[_Code], note_ids: set[str], uid: str) -> None:
    for c in codes:
        if c.name not in ("mrk", "sm"):
            continue
        a = c.attrs
        typ = a.get("type", "generic")
        if typ == "generic" and "translate" not in a:
            raise fail(ctx, "translate-annotation", f"<{c.name} type=\"generic\"> has no translate", c.el,
                       "§Translate Annotation: translate is REQUIRED")
        if typ == "comment" and "value" in a and "ref" in a:
            raise fail(ctx, "comment-annotation", f"<{c.name} type=\"comment\"> has both value and ref", c.el,
                       "§Comment Annotation: value or ref, not both")
        if typ == "mtc:match" and "ref" in a:
            raise fail(ctx, "match-annotation", f"<{c.name} type=\"mtc:match\"> has ref", c.el,
                       "§Translation Candidates Module: ref is not used on a match annotation")
        ref = a.get("ref")
        if ref is None:
            continue
        sels = check_fragid(ctx, ref, c.el) if ref.startswith("#") else None
        if typ == "comment":
            # the note is named by the n= selector (a selector without prefix names a segment or an
            # inline element, not a note); container selectors, if any, lead to this very unit
            target = None
            if sels and sels[-1][0] == "n":
                units = [v for p, v in sels if p == "u"]
                if not any(p in _CONTAINERS for p, _ in sels[:-1]) or units == [uid]:
                    target = sels[-1][1]
            if target is None or target not in note_ids:
                raise fail(ctx, "comment-ref", f"<{c.name} type=\"comment\" ref={ref!r}> names no <note> of the unit",
                           c.el, "§Comment Annotation: ref points to a <note> of the same unit (#n=id)")


# ----------------------------------------------------------------------------- fragment identifiers

CORE_PREFIXES = ("f", "g", "u", "n", "d", "t")
_CONTAINERS = ("f", "g", "u")


def check_fragid(ctx: Ctx, ref: str, el: Any) -> list[tuple[str | None, str]]:
    """Parse an XLIFF fragment identifier (``#f=f1/u=u1/t=2``, ``#n=n1``, ``#/f=f1/u=u1/s1``) and
    check it against the Fragment Identification constraints; returns ``[(prefix or None, id)]``.

    ``"#" ["/"] selector {"/" selector}``, ``selector = [prefix "="] id`` (both NMTOKEN); no prefix
    twice; f, g, u in that order; at most one selector of a note, data, target inline element,
    segment/ignorable/source inline element (no prefix) or module/extension, and it comes last;
    a module or extension prefix is longer than one character."""
    cite = "§Fragment Identification"
    body = ref[1:]
    if body.startswith("/"):
        body = body[1:]
    sels: list[tuple[str | None, str]] = []
    for part in body.split("/"):
        bits = part.split("=")
        if len(bits) > 2 or not all(NMTOKEN.match(b) for b in bits):
            raise fail(ctx, "fragid-syntax", f"{ref!r}: selector {part!r} is not [prefix=]id (NMTOKENs)", el, cite)
        prefix = bits[0] if len(bits) == 2 else None
        if prefix is not None:
            if len(prefix) == 1 and prefix not in CORE_PREFIXES:
                raise fail(ctx, "fragid-prefix", f"{ref!r}: {prefix!r} is not an XLIFF selector prefix "
                           f"({', '.join(CORE_PREFIXES)}) and module or extension prefixes are longer than one "
                           "character", el, cite)
            if any(p == prefix for p, _ in sels):
                raise fail(ctx, "fragid-unique", f"{ref!r}: the prefix {prefix!r} is used twice", el,
                           f"{cite}: there MUST NOT be two identical prefixes")
        sels.append((prefix, bits[-1]))
    order = [_CONTAINERS.index(p) for p, _ in sels if p in _CONTAINERS]
    if order != sorted(order):
        raise fail(ctx, "fragid-order", f"{ref!r}: file, group and unit selectors must come in that order", el, cite)
    for p, _ in sels[:-1]:
        if p not in _CONTAINERS:
            raise fail(ctx, "fragid-order", f"{ref!r}: {p + '=' if p else 'a selector without prefix'} must be the "
                       "last selector (one note, data, inline, segment, module or extension selector, at the end)",
                       el, cite)
    return sels


# ------------------------------------------------------------------------- modules and extensions

#: the modules whose elements' ref is a fragment identifier
_REF_NS = (MTC, GLS, RES)


def check_module_attrs(ctx: Ctx, el: Any) -> None:
    """What the fs and slr modules require of their attributes beyond the schemas."""
    a = el.attrib
    fs, sub = a.get(f"{{{FS_NS}}}fs"), a.get(f"{{{FS_NS}}}subFs")
    if ctx.ns == NS22 and f"{{{SLR_NS}}}sizeInfo" in a and f"{{{SLR_NS}}}sizeInfoRef" in a:
        raise fail(ctx, "slr-sizeinfo", "slr:sizeInfo and slr:sizeInfoRef together", el,
                   "Size and Length Restriction Module §sizeInfo: they MUST NOT be specified at the same time")
    for k in a:
        if k.startswith(f"{{{FS_NS}}}") and k not in (f"{{{FS_NS}}}fs", f"{{{FS_NS}}}subFs"):
            raise fail(ctx, "fs-attribute", f"fs:{k.rpartition('}')[2]} is not an attribute of the Format Style "
                       "Module (fs, subFs)", el, "Format Style Module: the module defines fs and subFs only")
    if fs is not None and fs not in fs_values():
        raise fail(ctx, "fs-value", f"fs:fs={fs!r} is not one of the HTML element names the module allows", el,
                   "Format Style Module §fs: one of the listed HTML element names (the module's schema)")
    # on a non-isolated <ec> only in the 2.2 namespace: the OASIS 2.2 suite rejects it there
    # (bad_InvalidFSAttributeOnEc) and accepts it in a 2.0 document (valid/withModulesAttributesInEc)
    if ctx.ns == NS22 and el.tag == f"{{{ctx.ns}}}ec" and a.get("isolated", "no") != "yes":
        for ns, names, rule, module in ((FS_NS, ("fs", "subFs"), "fs-ec", "Format Style Module"),
                                        (SLR_NS, ("sizeInfo", "sizeInfoRef"), "slr-ec", "Size and Length "
                                         "Restriction Module")):
            used = [n for n in names if f"{{{ns}}}{n}" in a]
            if used:
                raise fail(ctx, rule, f"{used[0]} on an <ec> that is not isolated (the <sc> carries it for both)",
                           el, f"{module} §{used[0]}: on <ec> only when isolated='yes'")
    if sub is not None:
        if fs is None:
            raise fail(ctx, "fs-subfs", "fs:subFs without fs:fs", el, "Format Style Module §subFs: used only with fs")
        for pair in _subfs_pairs(sub):
            if len(pair) != 2 or not pair[0]:
                raise fail(ctx, "fs-subfs", f"fs:subFs={sub!r}: {pair!r} is not name,value (pairs are separated by "
                           "\\, and \\ and , in values escaped with \\)", el, "Format Style Module §subFs")


@functools.cache
def fs_values() -> frozenset[str]:
    """fs:fs's values, read from the bundled fs.xsd (the module's schema is the one list)."""
    doc = etree.parse(str(XSD_DIR / "fs.xsd"))
    return frozenset(doc.xpath("//xs:attribute[@name='fs']//xs:enumeration/@value | "
                               "//xs:simpleType//xs:enumeration/@value",
                               namespaces={"xs": "http://www.w3.org/2001/XMLSchema"}))


def _subfs_pairs(v: str) -> list[list[str]]:
    """fs:subFs as ``[[name, value], ...]``: pairs separated by a backslash, name and value by a
    comma; a comma or a backslash inside a value is escaped with a backslash."""
    pairs: list[list[str]] = [[""]]
    i = 0
    while i < len(v):
        ch = v[i]
        if ch == "\\" and i + 1 < len(v) and v[i + 1] in ",\\":
            pairs[-1][-1] += v[i + 1]
            i += 2
            continue
        if ch == "\\":
            pairs.append([""])
        elif ch == ",":
            pairs[-1].append("")
        else:
            pairs[-1][-1] += ch
        i += 1
    return pairs


#: where the modules' elements may stand (XLIFF 2.2 §file, §group, §unit Constraints): element -> most
#: occurrences (0 = any number); the namespaces listed here are checked, others are extensions
MODULE_PLACES: dict[str, dict[str, int]] = {
    "unit": {f"{{{MTC}}}matches": 1, f"{{{GLS}}}glossary": 1, f"{{{MDA}}}metadata": 1, f"{{{RES}}}resourceData": 1,
             f"{{{SLR_NS}}}data": 1, f"{{{VAL_NS}}}validation": 1, f"{{{ITS}}}locQualityIssues": 0,
             f"{{{ITS}}}provenanceRecords": 0},
    "file": {f"{{{MDA}}}metadata": 1, f"{{{RES}}}resourceData": 1, f"{{{SLR_NS}}}profiles": 1, f"{{{SLR_NS}}}data": 1,
             f"{{{VAL_NS}}}validation": 1, f"{{{ITS}}}provenanceRecords": 0},
    "group": {f"{{{MDA}}}metadata": 1, f"{{{SLR_NS}}}data": 1, f"{{{VAL_NS}}}validation": 1,
              f"{{{ITS}}}provenanceRecords": 0},
    "xliff": {f"{{{MDA}}}metadata": 1},
}
MODULE_NS = (MTC, GLS, MDA, RES, SLR_NS, VAL_NS, ITS)


def check_module_place(ctx: Ctx, where: str, el: Any, counts: dict[str, int]) -> None:
    """A module element stands only where its module allows it, at most as often as allowed."""
    tag = el.tag
    ns = tag[1:].partition("}")[0] if isinstance(tag, str) and tag[0] == "{" else ""
    if ns not in MODULE_NS:
        if where == "xliff":
            raise fail(ctx, "module-place", f"<{tag}> on <xliff>: only <notes> and <mda:metadata> come before the "
                       "files", el, "§xliff: notes, then mda:metadata, then files")
        return
    most = MODULE_PLACES[where].get(tag)
    if most is None:
        raise fail(ctx, "module-place", f"<{tag}> is not allowed in <{where}>", el,
                   f"§{where} Constraints: the module elements allowed there")
    counts[tag] = counts.get(tag, 0) + 1
    if most and counts[tag] > most:
        raise fail(ctx, "module-place", f"<{tag}> twice in one <{where}>", el,
                   f"§{where} Constraints: zero or one <{tag.rpartition('}')[2]}>")


def check_extension(ctx: Ctx, el: Any, seen: set[tuple[str, str]]) -> None:
    """A module or extension element (complete): ids unique per namespace within the enclosing core
    element, module attributes, validation rules, fragment identifiers in module refs."""
    for d in el.iter():
        if not isinstance(d.tag, str):
            continue
        ns = d.tag[1:].partition("}")[0] if d.tag[0] == "{" else ""
        if ns in CORE_NS:
            if local(ctx, d) is not None:
                check_module_attrs(ctx, d)
            continue
        check_module_attrs(ctx, d)
        for ident in (d.get("id"), d.get(_XML + "id")):
            if ident is None:
                continue
            if not NMTOKEN.match(ident):
                raise fail(ctx, "extension-id", f"<{d.tag}> has the identifier {ident!r}, not an NMTOKEN", d,
                           "§Extension Mechanisms, Constraints: identifier values MUST be xs:NMTOKEN")
            if (ns, ident) in seen:
                raise fail(ctx, "id-unique", f"<{d.tag}> id={ident!r} repeats an identifier of its namespace in "
                           "this file, group or unit", d, "§Extension Mechanisms, Constraints: extension "
                           "identifiers MUST be unique within their immediate <file>, <group> or <unit>")
            seen.add((ns, ident))
        if ns in _REF_NS and (d.get("ref") or "").startswith("#"):
            check_fragid(ctx, d.get("ref"), d)
        if d.tag == f"{{{VAL_NS}}}rule":
            _check_val_rule(ctx, d)


def _check_val_rule(ctx: Ctx, el: Any) -> None:
    a = el.attrib
    kinds = [k for k in ("isPresent", "isNotPresent", "startsWith", "endsWith") if k in a]
    custom = any(k.startswith("{") for k in a)
    cite = "Validation Module §rule"
    if len(kinds) + (custom and not kinds) != 1:
        raise fail(ctx, "val-rule", f"<val:rule> needs exactly one of isPresent, isNotPresent, startsWith, endsWith "
                   f"or a custom rule (has {', '.join(kinds) or 'none'})", el, cite)
    if "existsInSource" in a and kinds not in (["isPresent"], ["startsWith"], ["endsWith"]):
        raise fail(ctx, "val-rule", "existsInSource needs isPresent, startsWith or endsWith in the same rule", el,
                   "Validation Module §existsInSource")
