"""Inline codes kept stand-off: from nested XML markup to a ``codes`` layer and back.

A segment such as ``Click <bpt i="1">&lt;b></bpt>Save<ept i="1">&lt;/b></ept>`` becomes the plain
text ``Click Save`` and two code items ``{"kind": "bpt", "start": 6, "data": "<b>", "attrs":
{"i": "1"}}`` and ``{"kind": "ept", "start": 10, ...}``. The rules, shared by TMX and both XLIFFs:

- ``kind`` is the element's local name; ``id`` its ``id`` attribute (XLIFF); ``attrs`` its other
  attributes (``xml:lang`` style names for the XML namespace, ``{uri}name`` for others).
- A *placeholder* (an element whose content is not text of the segment: bpt, ept, ph, it, ut, x,
  bx, ex, sc, ec, sm, em) has ``start`` only. Its native code is ``data``: the element's text
  (unescaped, e.g. ``<b>``); if the element holds markup of its own (a ``<sub>`` sub-flow), ``data``
  is its inner XML instead and ``attrs["#xml"]`` is ``true``.
- A *spanning* code (hi, g, mrk, pc) has ``start`` and ``end`` around the text it encloses.
- Items are in document order (the order of their start tags). Where that and the offsets do not
  fix the nesting (a placeholder at the very end of a span, inside it), the span carries
  ``attrs["#n"]``, the number of items inside it. ``#`` cannot start an XML attribute name, so these
  two keys never clash with real attributes.
- Text is NFC, normalised chunk by chunk between codes so offsets stay exact; the caller marks the
  side ``source_not_nfc`` when anything changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from unicodedata import is_normalized, normalize

from .xmlsafe import attr_name, inner_xml, local

PLACEHOLDER, SPANNING, CHAR = "placeholder", "spanning", "char"


class CodeError(ValueError):
    """Inline markup that cannot be mapped (the caller adds file, line, record and side)."""

    def __init__(self, rule: str, message: str, line: int | None = None):
        super().__init__(message)
        self.rule, self.line = rule, line


@dataclass
class Content:
    """Plain text and code items read from one mixed-content element."""

    text: str = ""
    items: list[dict[str, Any]] = field(default_factory=list)
    changed: bool = False  # NFC normalisation changed something


def kinds_for(namespaces: tuple[str, ...], **names: str) -> dict[str, tuple[str, str]]:
    """The ``kinds`` table of :func:`read_content`: element tag -> (class, local name)."""
    out = {}
    for ns in namespaces:
        for name, cls in names.items():
            out[f"{{{ns}}}{name}" if ns else name] = (cls, name)
    return out


def read_content(el: Any, kinds: dict[str, tuple[str, str]], *, id_attr: str | None = None,
                 char_of: Callable[[Any], str] | None = None) -> Content:
    """Flatten the mixed content of ``el``.

    ``kinds`` maps a child's tag to (PLACEHOLDER | SPANNING | CHAR, local name); other children are
    not allowed (CodeError). ``id_attr`` names the attribute that becomes the item's ``id`` (XLIFF
    ``id``); ``char_of`` maps a CHAR element (XLIFF 2 ``cp``) to its character.
    """
    out = Content()
    parts: list[str] = []
    _walk(el, kinds, id_attr, char_of, parts, out, 0)
    out.text = "".join(parts)
    if out.changed and out.items and not is_normalized("NFC", out.text):
        raise CodeError("text-not-nfc-across-code", "the text is not in Unicode NFC across an inline code "
                        "(a combining mark right after a code); it cannot be normalised without moving the code",
                        el.sourceline)
    return out


def _walk(node: Any, kinds: dict[str, tuple[str, str]], id_attr: str | None, char_of: Any, parts: list[str],
          out: Content, pos: int) -> int:
    items = out.items
    s = node.text
    if s:
        if not s.isascii() and not is_normalized("NFC", s):
            s = normalize("NFC", s)
            out.changed = True
        parts.append(s)
        pos += len(s)
    for ch in node:
        kind = kinds.get(ch.tag)
        if kind is None:
            raise CodeError("inline-element-unexpected",
                            f"<{local(ch.tag)}> is not allowed inside <{local(node.tag)}>", ch.sourceline)
        cls = kind[0]
        if cls is PLACEHOLDER:
            items.append(_item(ch, kind[1], pos, id_attr, True))
        elif cls is SPANNING:
            item = _item(ch, kind[1], pos, id_attr, False)
            items.append(item)
            k = len(items)
            pos = _walk(ch, kinds, id_attr, char_of, parts, out, pos)
            item["end"] = pos
            if any(it["start"] == pos for it in items[k:]):  # the offsets alone would put them outside
                item.setdefault("attrs", {})["#n"] = len(items) - k
        else:
            assert char_of is not None
            parts.append(char_of(ch))  # a character XML cannot hold: never changed by NFC
            pos += 1
        s = ch.tail
        if s:
            if not s.isascii() and not is_normalized("NFC", s):
                s = normalize("NFC", s)
                out.changed = True
            parts.append(s)
            pos += len(s)
    return pos


def _item(ch: Any, kind: str, pos: int, id_attr: str | None, with_data: bool) -> dict[str, Any]:
    item: dict[str, Any] = {"kind": kind, "start": pos}
    attrs = dict(ch.items())
    if attrs:
        for k in attrs:
            if k[0] == "{":
                attrs = {attr_name(k): v for k, v in attrs.items()}
                break
        if id_attr and id_attr in attrs:
            item["id"] = attrs.pop(id_attr)
    if with_data:
        if len(ch):
            item["data"] = inner_xml(ch)
            attrs["#xml"] = True
        elif ch.text:
            item["data"] = ch.text
    if attrs:
        item["attrs"] = attrs
    return item


# ------------------------------------------------------------------------------------- writing

def events(text: str, items: list[dict[str, Any]]) -> Iterator[tuple[str, Any]]:
    """Re-nest stand-off codes: yields ``("text", s)``, ``("ph", item)``, ``("open", item)``,
    ``("close", item)`` in document order. Raises CodeError for items that cannot nest."""
    n = len(text)
    order = items
    if any(items[i]["start"] > items[i + 1]["start"] for i in range(len(items) - 1)):
        order = sorted(items, key=lambda it: it["start"])
    stack: list[tuple[dict[str, Any], int, int | None]] = []  # (item, its index, last index inside)
    pos = 0
    for k, it in enumerate(order):
        s = it["start"]
        if not isinstance(s, int) or s < 0 or s > n:
            raise CodeError("code-out-of-range", f"code {k} ({it.get('kind')}) starts at {s}, outside the text "
                            f"(length {n})")
        while stack and not _inside(stack[-1], k, s):
            top = stack.pop()[0]
            yield "text", text[pos:top["end"]]
            pos = top["end"]
            yield "close", top
        if stack and s > stack[-1][0]["end"]:
            raise CodeError("codes-cross", f"code {k} ({it.get('kind')}) at {s} is counted inside a span that "
                            f"ends at {stack[-1][0]['end']}")
        if s < pos:
            raise CodeError("codes-cross", f"code {k} ({it.get('kind')}) at {s} lies before the end of an "
                            "enclosing span it is not inside (spans cross)")
        if s > pos:
            yield "text", text[pos:s]
            pos = s
        if "end" in it:
            e = it["end"]
            if not isinstance(e, int) or e < s or e > n:
                raise CodeError("code-out-of-range", f"code {k} ({it.get('kind')}) spans [{s}, {e}], not inside "
                                f"the text (length {n})")
            if stack and e > stack[-1][0]["end"]:
                raise CodeError("codes-cross", f"code {k} ({it.get('kind')}) [{s}, {e}] overlaps the end of the "
                                f"span it starts in (ends at {stack[-1][0]['end']}); spans must nest")
            cnt = (it.get("attrs") or {}).get("#n")
            stack.append((it, k, k + cnt if isinstance(cnt, int) else None))
            yield "open", it
        else:
            yield "ph", it
    while stack:
        top = stack.pop()[0]
        yield "text", text[pos:top["end"]]
        pos = top["end"]
        yield "close", top
    if pos < n:
        yield "text", text[pos:]


def _inside(entry: tuple[dict[str, Any], int, int | None], k: int, s: int) -> bool:
    it, _, last = entry
    if last is not None:
        return k <= last
    return s < it["end"]


def public_attrs(item: dict[str, Any]) -> dict[str, Any]:
    """The item's XML attributes (without lancang's ``#`` keys)."""
    return {k: v for k, v in (item.get("attrs") or {}).items() if not k.startswith("#")}


def paired(items: list[dict[str, Any]], start_kinds: set[str], end_kinds: set[str],
           key: Callable[[dict[str, Any]], Any]) -> set[int]:
    """Indices of start/end placeholder items that pair up within one side (by ``key``)."""
    open_: dict[Any, list[int]] = {}
    done: set[int] = set()
    for i, it in enumerate(items):
        if "end" in it:
            continue
        if it["kind"] in start_kinds:
            open_.setdefault(key(it), []).append(i)
        elif it["kind"] in end_kinds:
            lst = open_.get(key(it))
            if lst:
                done.add(lst.pop())
                done.add(i)
    return done


def append_text(parent: Any, s: str) -> None:
    """Append text at the end of ``parent``'s content (lxml: its text or its last child's tail)."""
    if not s:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + s
    else:
        parent.text = (parent.text or "") + s


def build_content(parent: Any, text: str, items: list[dict[str, Any]],
                  make: Callable[[str, dict[str, Any]], Any],
                  add_text: Callable[[Any, str], None] = append_text) -> None:
    """Fill the lxml element ``parent`` with ``text`` and its codes re-nested as elements.

    ``make("ph", item)`` returns a placeholder element. ``make("open", item)`` returns
    ``(element, nests)``: ``nests`` is true when the span's content goes inside the element (pc, g,
    mrk), false when the element is a start marker and the content follows it (a span written as
    bpt ... ept). ``make("close", item)`` returns the end marker to append after the span, or None.
    """
    stack = [parent]
    for ev, it in events(text, items):
        cur = stack[-1]
        if ev == "text":
            add_text(cur, it)
        elif ev == "ph":
            cur.append(make("ph", it))
        elif ev == "open":
            el, nests = make("open", it)
            cur.append(el)
            stack.append(el if nests else cur)
        else:
            stack.pop()
            after = make("close", it)
            if after is not None:
                stack[-1].append(after)
