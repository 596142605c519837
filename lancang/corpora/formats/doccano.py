"""doccano JSONL: one document a line, with labelled spans and relations.

Both span forms doccano has used are read:

* sequence labelling: ``{"text": ..., "label": [[start, end, "LABEL"], ...]}`` (``labels`` in some
  versions);
* relation projects: ``{"text": ..., "entities": [{"id", "label", "start_offset", "end_offset"}],
  "relations": [{"id", "from_id", "to_id", "type"}]}``.

Entity ids become ``T<id>`` and relation ids ``R<id>`` (doccano numbers them in separate tables,
so bare numbers could clash); relations have the roles ``from`` and ``to``. The record id is the
document ``id`` (the line number when there is none); every other key (``Comments``, metadata
columns, a classification ``label`` list) is kept in the record's ``meta`` and written back.
``meta.doccano.form`` remembers which span form the file used.

Language: doccano has no field for it. The writer adds a ``lancang_lang`` key to each line (doccano
keeps unknown keys as the document's metadata and exports them); the reader names the side with
``--src`` if given, else with that key, else it is an error naming the line: never ``und``.

Several sides: doccano shows one text per document, so a record with several sides (unless ``--src``
picks one) is one line per side, next to each other: the side's text and spans, ``lancang_lang`` its
tag, ``lancang_id`` the record id and ``lancang_langs`` the record's tags in side order (doccano keeps
these keys as the document's metadata); the line ``id`` is ``<record>/<tag>``. Reading groups
consecutive lines of one ``lancang_id`` back into one record; a side without its line, a side twice
or a tag not in ``lancang_langs`` is an error naming the line. doccano cannot hold what joins the
sides (sentence beads, word links) nor sentences and tokens: converting such records needs
``--allow-loss`` (use Label Studio to review alignment).

Offsets: doccano counts JavaScript UTF-16 code units (doccano 1.x; its issue 2290), or grapheme
clusters when the project counts "grapheme clusters as one character"; doccano 0.x after 2019
exported code points. ``offsets`` = ``utf16`` (default) | ``grapheme`` | ``codepoint`` says which;
doccano quotes no span text, so this cannot be detected. Offsets are mapped exactly to code points
of the NFC text (or refused with the line). The writer uses the same option.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from ...errors import InputError
from ..invariants import require_valid
from ..jsonl import Parsed, PathLike, atomic_output, iter_lines, json_type
from ..offsets import OffsetError, UnitIndex, nfc_map
from . import Format, Option, check_options, given_lang, pick_side
from .labelstudio import side_tags

_UNITS = ("utf16", "grapheme", "codepoint")
#: the key of a doccano line that holds the language of its text (doccano has no field for it)
_LANG_KEY = "lancang_lang"
_FORMS = ("label", "labels", "entities")
#: the keys of the lines of a record with several sides: the record id, the side tags in order
_ID_KEY, _LANGS_KEY = "lancang_id", "lancang_langs"


_OFFSETS = Option("utf16", "what the offsets count: utf16 (doccano 1.x), grapheme (projects counting grapheme "
                            "clusters) or codepoint (doccano 0.x); cannot be detected", _UNITS)


# ---------------------------------------------------------------------------------- reading

def read(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    check_options(FORMAT, "reader", options)
    unit = options.get("offsets", "utf16")
    group: list[tuple[int, dict[str, Any]]] = []  # the lines of one record with several sides
    for item in iter_lines(path):
        if not isinstance(item, Parsed):
            if item.severity == "error":
                raise InputError(f"{path}:{item.line}: {item.message}")
            continue
        if not isinstance(item.value, dict):
            raise InputError(f"{path}:{item.line}: a doccano line is a JSON object, not {json_type(item.value)}")
        doc = item.value
        if group and (_LANGS_KEY not in doc or doc.get(_ID_KEY) != group[0][1].get(_ID_KEY)):
            yield grouped_record(group, langs, unit, path)
            group = []
        if _LANGS_KEY in doc:
            group.append((item.line, doc))
            continue
        yield require_valid(document_record(doc, langs, unit, f"{path}:{item.line}", item.line),
                            f"{path}:{item.line}")  # dangling relations, repeated entity ids
    if group:
        yield grouped_record(group, langs, unit, path)


def grouped_record(group: list[tuple[int, dict[str, Any]]], langs: Any, unit: str, path: PathLike) -> dict[str, Any]:
    """The record whose sides are the consecutive lines ``group`` (one per side, ``lancang_langs`` in order);
    ``langs`` (``--src``/``--tgt``) rename the sides in that order."""
    from ..langs import is_tag

    line0, first = group[0]
    where = f"{path}:{line0}"
    named = first.get(_LANGS_KEY)
    rid = first.get(_ID_KEY)
    if not isinstance(rid, (str, int)) or isinstance(rid, bool):
        raise InputError(f"{where}: a doccano line with {_LANGS_KEY} needs its record id in {_ID_KEY}")
    if not isinstance(named, list) or len(named) < 2 or not all(isinstance(t, str) and is_tag(t) for t in named):
        raise InputError(f"{where}: {_LANGS_KEY} is {named!r}, not a list of two or more BCP 47 tags")
    tags = list(langs) if langs and len(langs) == len(named) else named
    rename = dict(zip(named, tags))
    sides: dict[str, Any] = {}
    meta = None
    for line, doc in group:
        tag = doc.get(_LANG_KEY)
        if doc.get(_LANGS_KEY) != named or tag not in rename:
            raise InputError(f"{path}:{line}: a line of record {rid!r} names side {tag!r} and sides "
                             f"{doc.get(_LANGS_KEY)!r}; the record's first line names {named!r}")
        if rename[tag] in sides:
            raise InputError(f"{path}:{line}: record {rid!r} has a second line for side {tag!r}")
        one = {k: v for k, v in doc.items() if k not in (_ID_KEY, _LANGS_KEY)}
        rec = document_record(one, [rename[tag]], unit, f"{path}:{line}", line)
        sides[rename[tag]] = rec["sides"][rename[tag]]
        if meta is None:
            meta = rec.get("meta")
    missing = [t for t in named if rename[t] not in sides]
    if missing:
        raise InputError(f"{where}: record {rid!r} has no line for side(s) {', '.join(missing)} (the lines of a "
                         "record are kept together)")
    out: dict[str, Any] = {"id": str(rid)}
    if meta:
        out["meta"] = meta
    out["sides"] = {rename[t]: sides[rename[t]] for t in named}
    return require_valid(out, where)


def _is_span(x: Any) -> bool:
    return isinstance(x, list) and len(x) == 3 and all(isinstance(v, int) and not isinstance(v, bool) for v in x[:2]) \
        and isinstance(x[2], str)


def document_record(doc: dict[str, Any], langs: Any, unit: str, where: str, line: int = 1) -> dict[str, Any]:
    """One doccano line as a record; its side is named by ``langs[0]`` (``--src``), else by the
    ``lancang_lang`` key lancang wrote into the line."""
    raw = doc.get("text", doc.get("data"))
    if not isinstance(raw, str):
        raise InputError(f"{where}: a doccano document has a text string")
    text_key = "text" if "text" in doc else "data"
    text, nfc = nfc_map(raw)
    ix = UnitIndex(raw, unit)
    rid = str(doc["id"]) if "id" in doc else str(line)
    lang = given_lang(langs, where, f"doccano document {rid}", doc.get(_LANG_KEY))
    meta = {k: v for k, v in doc.items()
            if k not in ("id", text_key, "entities", "relations", "lancang_side", _LANG_KEY)}
    form = None
    items: list[dict[str, Any]] = []
    for key in ("label", "labels"):
        spans = doc.get(key)
        if isinstance(spans, list) and all(_is_span(x) for x in spans) and (spans or "entities" not in doc):
            form = key
            meta.pop(key)
            for s, e, label in spans:
                items.append({"start": s, "end": e, "label": label})
            break
    relations: list[dict[str, Any]] = []
    if "entities" in doc:
        if form is not None:
            raise InputError(f"{where}: both {form!r} spans and 'entities'; which are the annotations?")
        form = "entities"
        ents = doc["entities"]
        if not isinstance(ents, list):
            raise InputError(f"{where}: 'entities' is a list")
        for e in ents:
            if not isinstance(e, dict) or not {"start_offset", "end_offset", "label"} <= set(e):
                raise InputError(f"{where}: an entity has label, start_offset and end_offset")
            it = {"start": e["start_offset"], "end": e["end_offset"], "label": e["label"]}
            if "id" in e:
                it = {"id": f"T{e['id']}", **it}
            items.append(it)
        ids = {it.get("id") for it in items}
        for r in doc.get("relations") or ():
            if not isinstance(r, dict) or "from_id" not in r or "to_id" not in r or not r.get("type"):
                raise InputError(f"{where}: a relation has from_id, to_id and type")
            roles = r.get("roles") or ["from", "to"]
            rel: dict[str, Any] = {}
            if "id" in r:
                rel["id"] = f"R{r['id']}"
            rel["label"] = r["type"]
            rel["args"] = [{"role": roles[0], "ref": f"T{r['from_id']}"}, {"role": roles[1], "ref": f"T{r['to_id']}"}]
            for a in rel["args"]:
                if a["ref"] not in ids:
                    raise InputError(f"{where}: relation {r.get('id')} refers to entity {a['ref'][1:]}, "
                                     "which the line does not have")
            relations.append(rel)
    for it in items:
        if not isinstance(it["label"], str) or not it["label"]:
            raise InputError(f"{where}: a span has no label")
        try:
            s, e = ix.span_to_cp(it["start"], it["end"])
            it["start"], it["end"] = nfc.forward(s), nfc.forward(e)
        except OffsetError as exc:
            raise InputError(f"{where}: span [{it['start']}, {it['end']}] {it['label']}: {exc} "
                             f"({unit} offsets)") from None
    side: dict[str, Any] = {"text": text}
    smeta = dict(doc["lancang_side"]) if isinstance(doc.get("lancang_side"), dict) else {}
    if text != raw:
        smeta["source_not_nfc"] = True
    if smeta:
        side["meta"] = smeta
    if form is not None:
        lay: dict[str, Any] = {"items": items}
        if relations:
            lay["relations"] = relations
        side["layers"] = {"entities": lay}
    dmeta = {"form": form} if form else {}
    if text_key != "text":
        dmeta["text_key"] = text_key
    if dmeta:
        meta["doccano"] = dmeta
    rec: dict[str, Any] = {"id": rid}
    if meta:
        rec["meta"] = meta
    rec["sides"] = {lang: side}
    return rec


# ---------------------------------------------------------------------------------- writing

def write(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    check_options(FORMAT, "writer", options)
    unit = options.get("offsets", "utf16")
    form = options.get("form")
    n = 0
    with atomic_output(path, "wb") as f:
        for rec in records:
            for doc in documents(rec, langs, unit, form):
                f.write(orjson.dumps(doc, option=orjson.OPT_APPEND_NEWLINE))
            n += 1
    return n


def documents(rec: dict[str, Any], langs: Any, unit: str = "utf16", form: str | None = None
              ) -> Iterator[dict[str, Any]]:
    """A record as doccano lines: one, or one per side (``langs``, else all) with the record id and tags."""
    tags = side_tags(rec, langs)
    if len(tags) == 1:
        yield document(rec, tags, unit, form)
        return
    for tag in tags:
        one = {k: v for k, v in rec.items() if k not in ("sides", "links")}
        one["sides"] = {tag: rec["sides"][tag]}
        doc = document(one, [tag], unit, form)
        doc["id"] = f"{rec['id']}/{tag}"
        doc[_ID_KEY] = rec["id"]
        doc[_LANGS_KEY] = tags
        yield doc


def _pick_side(rec: dict[str, Any], langs: Any) -> str:
    return pick_side(rec, langs, "a doccano document")


def _num(x: str, prefix: str) -> int | str:
    m = re.fullmatch(prefix + r"([0-9]+)", x)
    return int(m.group(1)) if m else x


def document(rec: dict[str, Any], langs: Any, unit: str = "utf16", form: str | None = None) -> dict[str, Any]:
    """One record as a doccano JSON object."""
    rid = rec["id"]
    lang = _pick_side(rec, langs)
    side = rec["sides"][lang]
    text = side["text"]
    meta = dict(rec.get("meta") or {})
    dmeta = meta.pop("doccano", None) or {}
    lay = (side.get("layers") or {}).get("entities")
    items = lay.get("items", []) if lay else []
    relations = lay.get("relations", []) if lay else []
    form = form or dmeta.get("form") or ("entities" if relations or any(it.get("id") for it in items) else "label")
    if relations and form != "entities":
        raise InputError(f"record {rid!r}: relations need the 'entities' form of doccano")
    ix = UnitIndex(text, unit)
    out: dict[str, Any] = {}
    out["id"] = int(rid) if rid.isdigit() else rid
    out[dmeta.get("text_key", "text")] = text
    for it in items:
        if it.get("fragments"):
            raise InputError(f"record {rid!r}: entity {it.get('id', it['label'])!r} is discontinuous; "
                             "doccano spans are one piece")
        if it.get("attrs"):
            raise InputError(f"record {rid!r}: entity {it.get('id', it['label'])!r} has attributes, "
                             "which doccano cannot hold")
    spans = [(ix.from_cp(it["start"]), ix.from_cp(it["end"]), it) for it in items]
    if form == "entities" and lay is not None:
        ids: dict[str, int] = {}
        taken = {v for it in items if isinstance(v := _num(it.get("id") or "", "T"), int)}
        fresh = iter(k for k in range(1, len(items) + len(taken) + 2) if k not in taken)
        ents = []
        for s, e, it in spans:
            num = _num(it.get("id") or "", "T")
            if not isinstance(num, int):
                num = next(fresh)
            if it.get("id"):
                ids[it["id"]] = num
            ents.append({"id": num, "label": it["label"], "start_offset": s, "end_offset": e})
        rels = []
        for rel in relations:
            args = rel["args"]
            if len(args) != 2 or any(a["ref"] not in ids for a in args):
                raise InputError(f"record {rid!r}: relation {rel.get('id', rel['label'])!r}: doccano relations "
                                 "join two entities of the document")
            if rel.get("attrs"):
                raise InputError(f"record {rid!r}: relation {rel.get('id', rel['label'])!r} has attributes, "
                                 "which doccano cannot hold")
            r: dict[str, Any] = {"id": _num(rel["id"], "R")} if rel.get("id") else {}
            r.update({"from_id": ids[args[0]["ref"]], "to_id": ids[args[1]["ref"]], "type": rel["label"]})
            roles = [a["role"] for a in args]
            if roles != ["from", "to"]:
                r["roles"] = roles
            rels.append(r)
        out["entities"] = ents
        out["relations"] = rels
    elif lay is not None:  # no layer, no key: "not annotated" is not "nothing found"
        out[form] = [[s, e, it["label"]] for s, e, it in spans]
    for k, v in meta.items():
        out.setdefault(k, v)
    smeta = {k: v for k, v in (side.get("meta") or {}).items() if k != "source_not_nfc"}
    if smeta:
        out["lancang_side"] = smeta
    out[_LANG_KEY] = lang  # doccano keeps an unknown key as metadata; lancang reads the language back from it
    return out


FORMAT = Format(
    "doccano", "doccano JSONL (sequence labelling and relation projects)", (".doccano.jsonl",),
    frozenset({"entities", "relations", "meta", "sides>2"}), read, write, max_sides=None,
    read_options={"offsets": _OFFSETS},
    write_options={"offsets": _OFFSETS,
                   "form": Option(None, "span form: label, labels or entities (default: the one read, kept in "
                                        "meta.doccano.form; entities when there are relations, else label)",
                                  (None, *_FORMS))},
)
