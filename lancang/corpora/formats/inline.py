"""Inline entity tags, one sentence a line: ``ตามที่[PERSON]นางประนอม ทองจันทร์[/PERSON] กับ ...``.

This is the form of ThaiNER (and of many NER sets made by hand in a text editor): a tag is an upper
case label in square brackets, ``[LABEL]`` opens an entity and ``[/LABEL]`` closes it; tags may nest.
One language (``--src`` names it), so the format is never guessed from a file name: give
``--from inline`` / ``--to inline``.

Reading: each line is a record ``<file name>:<line>`` whose side has the text without the tags (NFC)
and an ``entities`` layer (empty when the line has no tags); an empty line is a record with empty text
and no layers. A closing tag that does not close the innermost open entity closes it anyway (the
opening tag's label is kept) and is listed in ``meta.inline.repaired``; an opening tag never closed,
or a closing tag with nothing open, is an error with its line. Entity edges are trimmed of white
space; an entity left empty is listed in ``meta.inline.empty``.

Writing puts each record's side on one line with its entities as tags. What the form cannot hold is an
error naming the record: a line break in the text, text that would read back as a tag (``[ABC]``), an
empty entity, entities that cross (``[A]x[B]y[/A]z[/B]``), labels that are not upper case letters and
``_`` (they would not read back).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ...errors import InputError
from ..jsonl import PathLike, atomic_output, text_lines
from . import Format, check_options, given_lang, pick_side

TAG = re.compile(r"\[(/?)([A-Z][A-Z_]*)\]")
LABEL = re.compile(r"[A-Z][A-Z_]*")


def read(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    check_options(FORMAT, "reader", options)
    lang = given_lang(langs, path, "an inline-tagged file")
    name = Path(str(path)).name
    for n, line in text_lines(path):
        rid = f"{name}:{n}"
        if not line:
            yield {"id": rid, "sides": {lang: {"text": ""}}}
            continue
        text = ""
        stack: list[tuple[str, int]] = []
        items: list[dict[str, Any]] = []
        repaired: list[str] = []
        empty: list[str] = []
        last = 0
        for m in TAG.finditer(line):
            text += unicodedata.normalize("NFC", line[last:m.start()])
            last = m.end()
            if not m[1]:
                stack.append((m[2], len(text)))
                continue
            if not stack:
                raise InputError(f"{path}:{n}: closing tag {m[0]} with no entity open")
            label, s = stack.pop()
            if label != m[2]:
                repaired.append(f"[{label}]...{m[0]}")
            e = len(text)
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if s == e:
                empty.append(label)
                continue
            items.append({"start": s, "end": e, "label": label})
        text += unicodedata.normalize("NFC", line[last:])
        if stack:
            raise InputError(f"{path}:{n}: tag [{stack[-1][0]}] is never closed")
        items.sort(key=lambda x: (x["start"], -x["end"]))
        rec: dict[str, Any] = {"id": rid, "sides": {lang: {"text": text, "layers": {"entities": {"items": items}}}}}
        meta = {k: v for k, v in (("repaired", repaired), ("empty", empty)) if v}
        if meta:
            rec["meta"] = {"inline": meta}
        yield rec


def tagged_line(text: str, items: list[dict[str, Any]], where: str) -> str:
    """``text`` with its entities written as nested ``[LABEL]...[/LABEL]`` tags."""
    if "\n" in text or "\r" in text:
        raise InputError(f"{where}: the text has a line break, which inline tags cannot hold (one sentence a line)")
    m = TAG.search(text)
    if m:
        raise InputError(f"{where}: the text holds {m[0]!r} at offset {m.start()}, which would read back as a tag")
    spans = sorted(((int(it["start"]), int(it["end"]), str(it["label"])) for it in items),
                   key=lambda x: (x[0], -x[1]))
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    stack: list[tuple[int, int, str]] = []
    for s, e, lab in spans:
        if not LABEL.fullmatch(lab):
            raise InputError(f"{where}: label {lab!r} is not upper case letters and '_', so it would not read back")
        if not 0 <= s < e <= len(text):
            raise InputError(f"{where}: entity [{s}, {e}) {lab} is empty or outside the text")
        if text[s].isspace() or text[e - 1].isspace():
            raise InputError(f"{where}: entity [{s}, {e}) {lab} starts or ends with white space, which reading trims")
        while stack and stack[-1][1] <= s:
            stack.pop()
        if stack and e > stack[-1][1]:
            raise InputError(f"{where}: entities [{stack[-1][0]}, {stack[-1][1]}) {stack[-1][2]} and [{s}, {e}) {lab} "
                             "cross; inline tags can only nest")
        stack.append((s, e, lab))
        opens.setdefault(s, []).append(lab)
        closes.setdefault(e, []).insert(0, lab)
    out = []
    for k in range(len(text) + 1):
        out += [f"[/{lab}]" for lab in closes.get(k, [])]
        out += [f"[{lab}]" for lab in opens.get(k, [])]
        if k < len(text):
            out.append(text[k])
    return "".join(out)


def write(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    check_options(FORMAT, "writer", options)
    n = 0
    with atomic_output(path, "w") as f:
        for rec in records:
            lang = pick_side(rec, langs, "inline tags")
            side = rec["sides"][lang]
            items = ((side.get("layers") or {}).get("entities") or {}).get("items", [])
            f.write(tagged_line(side["text"], items, f"record {rec['id']!r} side {lang}") + "\n")
            n += 1
    return n


FORMAT = Format("inline", "one sentence a line with [LABEL]...[/LABEL] entity tags (ThaiNER), one language",
                (), frozenset({"entities"}), read, write, max_sides=1, needs_langs=True,
                read_options={}, write_options={})
