"""Safe, streaming XML input and small output helpers shared by the TMX and XLIFF formats.

Every XML file lancang reads goes through :func:`iterparse`: lxml's event parser with external
entities, DTD loading and network access off, libxml2's size limits on (``huge_tree=False``: text
nodes up to 10 MB, depth up to 256), comments and processing instructions dropped, and a resolver
that refuses every external resource. A document whose DOCTYPE declares entities (other than
redeclaring the five predefined ones) is rejected before its content is used
(``xml-entity-declared``): that one rule stops both "billion laughs" expansion and external-entity
(XXE) reads, and no translation format needs its own entities. Parse errors
become :class:`XmlInputError` with the file, line and column, never a traceback.
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from lxml import etree

from ...errors import InputError, LancangError
from ..jsonl import PathLike, atomic_output, open_input
from ..langs import canonical_tag, is_tag

XML_NS = "http://www.w3.org/XML/1998/namespace"
_XML_PREFIX = "{" + XML_NS + "}"

#: the parser options every reader uses (kept in one place so tests can assert them)
PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


#: held while a compiled validator (an lxml ``XMLSchema`` or ``DTD``) is built, validates or is asked for its
#: errors: such an object keeps its last errors in itself, so two threads validating with it at once (the
#: service's job workers check XLIFF 2 and TMX uploads side by side) could read each other's errors
VALIDATING = threading.RLock()


def compiled(build: Callable[..., Any]) -> Callable[..., Any]:
    """A validator built once a process (per arguments), under :data:`VALIDATING`. libxml2 compiling a
    schema whose imports go through lxml resolvers while another thread parses XML sometimes fails to
    resolve an import (lxml's resolver hook is process-wide; seen as "The QName value '{...}space' does not
    resolve" under load, and elsewhere, e.g. pyFF #315); the schemas are lancang's own bundled files, so such a
    failure is that race, and the build is tried again (three times at most)."""
    cache: dict[tuple[Any, ...], Any] = {}

    @functools.wraps(build)
    def get(*args: Any) -> Any:
        if args in cache:
            return cache[args]
        with VALIDATING:
            if args not in cache:
                for attempt in range(3):
                    try:
                        cache[args] = build(*args)
                        break
                    except (etree.XMLSchemaParseError, etree.DTDParseError):
                        if attempt == 2:
                            raise
        return cache[args]

    get.cache = cache  # type: ignore[attr-defined]  (tests start from nothing)
    return get


class XmlInputError(InputError):
    """A problem with an XML input, located: ``file:line[:column]: message [rule]``."""

    def __init__(self, rule: str, message: str, file: str = "", line: int | None = None,
                 column: int | None = None):
        self.rule, self.file, self.line, self.column = rule, file, line, column
        where = file
        if line:
            where += f":{line}" + (f":{column}" if column else "")
        super().__init__(f"{where}: {message} [{rule}]" if where else f"{message} [{rule}]")


class _RefuseAll(etree.Resolver):
    """Refuse every external resource (DTDs, entities, XInclude) whatever the parser flags say."""

    def resolve(self, url: str | None, pubid: str | None, context: Any) -> Any:
        raise XmlInputError("xml-external-resource", f"refused to load the external resource {url!r}")


_PREDEFINED = {"lt", "gt", "amp", "apos", "quot"}


def _entities_declared(names: list[str], external: list[str], name: str) -> XmlInputError:
    what = (f"external entit{'y' if len(external) == 1 else 'ies'} {', '.join(external)} (XXE)" if external
            else f"entit{'y' if len(names) == 1 else 'ies'} {', '.join(names[:5])}")
    return XmlInputError("xml-entity-declared",
                         f"the DOCTYPE declares {what}; documents that declare entities are refused "
                         "(entity expansion and external entities are attack vectors, and no translation "
                         "format needs them)", name, 1)


def _check_doctype(el: Any, name: str) -> None:
    dtd = el.getroottree().docinfo.internalDTD
    if dtd is None:
        return
    # the five predefined entities may be redeclared (tmx14.dtd does, so does a DTD copied inline)
    ents = [e for e in dtd.iterentities() if e.name not in _PREDEFINED or e.system_url]
    if ents:
        raise _entities_declared([e.name for e in ents], [e.name for e in ents if e.system_url], name)


_ENTITY_DECL = re.compile(r"<!ENTITY\s+(?:%\s+)?([^\s>]+)\s+(SYSTEM|PUBLIC)?")


def _prolog_entities(path: PathLike, name: str) -> XmlInputError | None:
    """The entity declarations of a document's internal DTD subset, read from its first bytes: for a
    parser that stops on an expansion (libxml2's amplification limit) before the first element event
    lets :func:`check_doctype` see the DOCTYPE."""
    try:
        with open_input(path) as f:
            head = f.read(1 << 20).decode("utf-8", "replace")
    except (OSError, LancangError):
        return None
    start = head.find("<!DOCTYPE")
    if start < 0:
        return None
    found = [(m.group(1), bool(m.group(2))) for m in _ENTITY_DECL.finditer(head, start)]
    found = [(n, ext) for n, ext in found if n not in _PREDEFINED or ext]
    if not found:
        return None
    return _entities_declared([n for n, _ in found], [n for n, ext in found if ext], name)


@contextlib.contextmanager
def xml_events(path: PathLike, events: tuple[str, ...] = ("end",), tag: Any = None) -> Iterator[Any]:
    """The raw lxml event iterator over an XML file (``-`` = stdin, ``.gz`` handled), safe options set.

    Use inside ``with``: parse errors raised while iterating become located :class:`XmlInputError`.
    Call :func:`check_doctype` on the first element seen. The caller frees elements it has used
    (see :func:`drop`) so memory stays flat. :func:`iterparse` does all of this for simple readers.
    """
    name = str(path)
    with open_input(path) as f:
        it = etree.iterparse(f, events=events, tag=tag, **PARSER_OPTIONS)
        it.resolvers.add(_RefuseAll())
        try:
            yield it
        except etree.XMLSyntaxError as exc:
            err = syntax_error(exc, name)
            if err.rule in ("xml-too-large", "xml-entity"):  # an expansion stopped before check_doctype ran
                err = _prolog_entities(path, name) or err
            raise err from None
        except XmlInputError as exc:
            if not exc.file:
                raise XmlInputError(exc.rule, str(exc).rsplit(" [", 1)[0], name) from None
            raise


def check_doctype(el: Any, name: str) -> bool:
    """Refuse a document whose DOCTYPE declares entities or elements (call on the first event).

    Returns whether the document names an external DTD: that DTD is never loaded, and libxml2 then
    leaves references to entities it would define in the tree; call :func:`check_entities` on
    each element used, so they are refused instead of silently dropped."""
    _check_doctype(el, name)
    di = el.getroottree().docinfo
    return bool(di.system_url or di.public_id)


def check_entities(el: Any, name: str, deep: bool = True) -> None:
    ent = next(el.iter(etree.Entity) if deep else el.iterchildren(etree.Entity), None)
    if ent is not None:
        raise XmlInputError("xml-entity-undefined", f"the entity {ent.text} is not defined: external DTDs are never "
                            "loaded, so only the five predefined entities and character references can be used",
                            name, ent.sourceline or el.sourceline)


def iterparse(path: PathLike, events: tuple[str, ...] = ("end",), tag: Any = None,
              ) -> Iterator[tuple[str, Any]]:
    """Stream ``(event, element)`` pairs from an XML file, safely (see :func:`xml_events`)."""
    name = str(path)
    with xml_events(path, events, tag) as it:
        checked = ext = False
        for ev, el in it:
            if not checked:
                ext = check_doctype(el, name)
                checked = True
            if ext and ev == "end":
                check_entities(el, name, deep=False)
            yield ev, el


def root_tag(path: PathLike) -> tuple[str, int | None]:
    """The root element's tag and line (reads only the start of the file)."""
    for _, el in iterparse(path, ("start",)):
        return el.tag, el.sourceline
    return "", None


#: libxml2's size limits (``huge_tree=False``) in words a user can act on: its own messages end with
#: "use XML_PARSE_HUGE option", a parser flag no lancang user can set.
_LIMITS = (
    ("excessive depth", "elements are nested deeper than 256 levels, lancang's limit for XML inputs"),
    ("text node too long", "a text node is longer than 10,000,000 bytes, lancang's limit for XML inputs"),
    ("buffer size limit", "a value (attribute or text) is longer than 10,000,000 bytes, lancang's limit for "
                          "XML inputs"),
    ("name too long", "an element or attribute name is longer than 50,000 characters, lancang's limit for XML inputs"),
    ("cdata section too big", "a CDATA section is longer than 10,000,000 bytes, lancang's limit for XML inputs"),
    ("comment too big", "a comment is longer than 10,000,000 bytes, lancang's limit for XML inputs"),
    ("amplification", "entity expansion grows the document too much (a 'billion laughs' input?), refused"),
    ("huge input lookup", "the document exceeds libxml2's input size limit, lancang's limit for XML inputs"),
)


def syntax_error(exc: etree.XMLSyntaxError, name: str) -> XmlInputError:
    msg = exc.msg or str(exc)
    msg = re.sub(r"\s*,? line \d+, column \d+.*$", "", msg, flags=re.S).strip()
    line, col = (exc.position if exc.position else (exc.lineno, None))
    rule = "xml-malformed"
    low = msg.lower()
    limit = next((text for key, text in _LIMITS if key in low), None)
    if limit is not None or "huge" in low or "too big" in low:
        rule = "xml-too-large"
        msg = limit or re.sub(r",?\s*(use|try) XML_PARSE_HUGE( option)?", "", msg).strip() + \
            " (a size limit lancang sets for XML inputs)"
        return XmlInputError(rule, msg, name, line or None, col or None)
    if "entity" in low:
        rule = "xml-entity"
    if not line and "Document is empty" in msg:
        return XmlInputError("xml-empty", "the file is empty (no XML document)", name)
    return XmlInputError(rule, f"not well-formed XML: {msg}", name, line or None, col or None)


def drop(el: Any) -> None:
    """Free an element that has been used, and the siblings before it, to keep memory flat."""
    el.clear(keep_tail=True)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def where(name: str, el: Any) -> str:
    return f"{name}:{el.sourceline}" if getattr(el, "sourceline", None) else name


def local(tag: Any) -> str:
    """The local name of an element tag (``{ns}name`` -> ``name``); '' for comments."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def ns_of(tag: str) -> str:
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def attr_name(key: str) -> str:
    """An lxml attribute key as kept in records: ``xml:lang`` for the XML namespace, else as is."""
    if key[0] == "{" and key.startswith(_XML_PREFIX):
        return "xml:" + key[len(_XML_PREFIX):]
    return key


def lxml_name(key: str) -> str:
    """Inverse of :func:`attr_name`."""
    if key.startswith("xml:"):
        return _XML_PREFIX + key[4:]
    return key


def attrs_of(el: Any, skip: Iterable[str] = ()) -> dict[str, str]:
    skip = set(skip)
    return {attr_name(k): v for k, v in el.attrib.items() if attr_name(k) not in skip}


def inner_xml(el: Any) -> str:
    """The content of ``el`` as XML text (its text, children and their tails), namespaces kept."""
    parts = [escape_text(el.text)] if el.text else []
    for ch in el:
        parts.append(etree.tostring(ch, encoding="unicode", with_tail=True))
    return "".join(parts)


def outer_xml(el: Any) -> str:
    return etree.tostring(el, encoding="unicode", with_tail=False)


def kept_xml(el: Any) -> str:
    """An element kept as XML text in a record: exclusive canonical XML, so the text does not depend
    on where the element sat (only the namespaces it uses are declared, attributes sorted)."""
    try:
        return etree.tostring(el, method="c14n", exclusive=True, with_comments=False).decode("utf-8")
    except etree.C14NError:  # e.g. a relative namespace URI, which C14N refuses
        import copy

        e = copy.deepcopy(el)
        e.tail = None
        etree.cleanup_namespaces(e)
        return etree.tostring(e, encoding="unicode")


_FRAGMENT_PARSER = etree.XMLParser(**{k: v for k, v in PARSER_OPTIONS.items() if k != "events"})


def parse_fragment(xml: str, wrapper: str = "w", nsmap: dict[str | None, str] | None = None) -> Any:
    """Parse ``xml`` as the content of a ``<wrapper>`` element (safe parser); raises ValueError."""
    decl = "".join(f' xmlns{":" + p if p else ""}="{escape_attr(u)}"' for p, u in (nsmap or {}).items())
    try:
        return etree.fromstring(f"<{wrapper}{decl}>{xml}</{wrapper}>", _FRAGMENT_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(str(exc.msg or exc)) from None


# ------------------------------------------------------------------------------------- writing

_BAD_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def bad_xml_char(text: str) -> int | None:
    """Offset of the first character XML 1.0 cannot hold, or None."""
    m = _BAD_XML_CHAR.search(text)
    return m.start() if m else None


def escape_text(s: str) -> str:
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    if "\r" in s:
        s = s.replace("\r", "&#13;")
    return s


def escape_attr(s: str) -> str:
    s = escape_text(s)
    if '"' in s:
        s = s.replace('"', "&quot;")
    for c, e in (("\t", "&#9;"), ("\n", "&#10;")):
        if c in s:
            s = s.replace(c, e)
    return s


def attrs_xml(attrs: Iterable[tuple[str, str]]) -> str:
    out = ""
    for k, v in attrs:
        out += f' {k}="{escape_attr(v)}"'
    return out


@contextlib.contextmanager
def xml_output(path: PathLike) -> Iterator[Any]:
    """An atomic UTF-8 text output for hand-serialised XML (``-`` = stdout)."""
    with atomic_output(path, "w") as f:
        yield f


# --------------------------------------------------------------------------- text and languages

def nfc(text: str) -> tuple[str, bool]:
    """``(NFC text, whether it changed)``."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text, False
    return unicodedata.normalize("NFC", text), True


#: well-formed BCP 47 (:mod:`lancang.corpora.langs`, the pattern the record schema carries)
bcp47_ok = is_tag
#: BCP 47 canonical case (``EN-us`` -> ``en-US``); ``_`` -> ``-``
canonical_lang = canonical_tag


def side_lang(raw: str, name: str, el: Any, rule: str) -> str:
    """The side key for a language tag read from a file: canonical case, checked well-formed."""
    tag = canonical_lang(raw)
    if not tag or not bcp47_ok(tag):
        raise XmlInputError(rule, f"{raw!r} is not a well-formed BCP 47 language tag", name,
                            getattr(el, "sourceline", None))
    return tag
