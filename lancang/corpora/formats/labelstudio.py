"""Label Studio JSON: tasks with annotations and predictions (text spans and relations).

Reading accepts Label Studio's JSON export (an array of tasks, read one task at a time, never the
whole file), a JSONL file of tasks, or a single task object. Each annotation and each prediction of
a task becomes one record (the same text, its own entities), so several annotators of one task
stay apart for agreement; a task with none becomes one record with its text only. The record id is
the task id when the task has one annotation or prediction, else ``<task>/a<id>`` or ``<task>/p<id>``.

* ``labels`` regions -> entities (the region id, ``labels[0]``; more labels -> ``attrs.labels``,
  a region ``score``/``meta`` -> ``attrs``); ``relation`` results -> relations with the roles
  ``from`` and ``to`` (``direction`` other than ``right`` and extra labels -> ``attrs``);
* provenance: a prediction is ``auto`` (tool = ``model_version``); an annotation is ``manual``, or
  ``assisted`` when it started from a prediction (``parent_prediction``), with the annotator
  (``completed_by``: the user id, or the e-mail when the export embeds the user), its time, and the
  last of its ``reviews`` (accepted or rejected, by whom, when);
* everything else (task fields, data fields other than the text, annotation fields, other result
  types such as choices or textarea) is kept under ``meta.labelstudio`` and written back.

Offsets: Label Studio counts JavaScript UTF-16 code units. They are mapped exactly to code points
of the NFC text; ``offsets="codepoint"`` reads files made by tools that counted code points, and the
default ``offsets="auto"`` takes UTF-16 unless the quoted region texts only fit code points. A
region that ends inside a surrogate pair or inside a sequence NFC composes is an error.

Writing groups consecutive records of the same task back into one task; records from other formats
become one task each (an annotation, or a prediction when the entities' provenance is ``auto``).
Canonical details Label Studio has no field for (relation ids and role names, entity and relation
attributes such as brat's, the full provenance) go in extra keys (``id``, ``roles``, ``attrs``,
``provenance``) that Label Studio ignores on import.

Language: Label Studio has no field for the language of a text. The writer puts the side's tag in the
task's ``meta.lancang_lang`` (kept by Label Studio's import and export); the reader names the side
with ``--src`` if given, else with that tag, else it is an error naming the task: never ``und``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from ...errors import InputError
from ..invariants import require_valid
from ..jsonl import PathLike, atomic_output, open_input
from ..offsets import OffsetError, UnitIndex, nfc_map
from . import Format, Option, check_options, given_lang, pick_side

#: the task ``meta`` key that holds the language of the text (Label Studio has no field for it)
_LANG_KEY = "lancang_lang"

READ_OPTIONS = {
    "offsets": Option("auto", "what the offsets count: utf16 (Label Studio), codepoint, or auto (utf16 unless the "
                              "quoted region texts only fit code points)", ("auto", "utf16", "codepoint")),
    "text_field": Option(None, "the data field holding the text (default: the one the regions name, else text)"),
}
WRITE_OPTIONS = {
    "offsets": Option("utf16", "what the offsets count: utf16 (Label Studio) or codepoint", ("utf16", "codepoint")),
    "text_field": Option(None, "the data field to write the text to (default: the one read, else text)"),
    "from_name": Option(None, "the labels control's name in results (default: the one read, else label)"),
    "to_name": Option(None, "the text object's name in results (default: the one read, else text)"),
}


# ------------------------------------------------------------------------ streaming JSON input

_STRUCT = re.compile(rb'[\[\]{}"\\]')
_CHUNK = 1 << 20


def iter_json_values(path: PathLike) -> Iterator[tuple[int, Any]]:
    """``(line, value)`` for each element of a top-level JSON array, each line of a JSONL file, or
    the one object of a JSON file. Arrays and JSONL are read piece by piece, never whole."""
    with open_input(path) as f:
        head = f.read(_CHUNK)
        if head.startswith(b"\xef\xbb\xbf"):
            head = head[3:]
        lead = head.lstrip()
        if lead.startswith(b"["):
            yield from _array_elements(path, f, head)
            return
        first = lead.split(b"\n", 1)[0]
        try:
            orjson.loads(first)
            jsonl = True
        except orjson.JSONDecodeError:
            jsonl = False
        if not jsonl:  # one JSON object over several lines: a single task
            text = head + f.read()
            try:
                yield 1 + text[:len(text) - len(text.lstrip())].count(b"\n"), orjson.loads(text)
            except orjson.JSONDecodeError as exc:
                raise InputError(f"{path}: not JSON: {exc}") from None
            return
        for n, line in enumerate(_lines(head, f), 1):
            if not line.strip():
                continue
            try:
                yield n, orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise InputError(f"{path}:{n}: malformed JSON: {exc}") from None


def _lines(head: bytes, f: Any) -> Iterator[bytes]:
    parts = head.split(b"\n")
    yield from parts[:-1]
    last: bytes | None = parts[-1]
    for line in f:
        if last is not None:
            line, last = last + line, None
        yield line.rstrip(b"\n")
    if last:
        yield last


def _array_elements(path: PathLike, f: Any, chunk: bytes) -> Iterator[tuple[int, Any]]:
    """The elements of a top-level array, found by tracking brackets and strings chunk by chunk."""
    depth = 0
    in_str = False
    escaped_first = False  # the previous chunk ended with a backslash inside a string
    line = 1  # the line at chunk[seg]
    elem_line = 0
    buf = bytearray()

    def gap_check(gap: bytes, at_line: int) -> None:
        if gap.strip(b" \t\r\n,"):
            raise InputError(f"{path}:{at_line}: expected a task object in the top-level array")

    while chunk:
        seg = 0
        skip = 0 if escaped_first else -1
        escaped_first = False
        for m in _STRUCT.finditer(chunk):
            i = m.start()
            if i == skip:
                continue
            c = chunk[i]
            if in_str:
                if c == 0x5C:  # a backslash escapes the next byte
                    if i + 1 == len(chunk):
                        escaped_first = True
                    skip = i + 1
                elif c == 0x22:
                    in_str = False
                continue
            if c == 0x22:
                in_str = True
            elif c in b"[{":
                depth += 1
                if depth == 1:
                    if chunk[seg:i].strip():
                        raise InputError(f"{path}:{line}: expected a JSON array")
                    line += chunk[seg:i].count(b"\n")
                    seg = i + 1
                elif depth == 2:
                    gap_check(chunk[seg:i], line)
                    line += chunk[seg:i].count(b"\n")
                    elem_line = line
                    seg = i
            elif depth == 2:  # an element ends
                depth = 1
                buf += chunk[seg:i + 1]
                line += chunk[seg:i + 1].count(b"\n")
                seg = i + 1
                try:
                    value = orjson.loads(bytes(buf))
                except orjson.JSONDecodeError as exc:
                    raise InputError(f"{path}:{elem_line}: malformed JSON: {exc}") from None
                buf.clear()
                yield elem_line, value
            else:
                depth -= 1
                if depth == 0:
                    gap_check(chunk[seg:i], line)
                    return
                if depth < 0:
                    raise InputError(f"{path}:{line}: unbalanced brackets")
        if depth >= 2:
            buf += chunk[seg:]
        elif depth == 1:
            gap_check(chunk[seg:], line)
        line += chunk[seg:].count(b"\n")
        chunk = f.read(_CHUNK)
    raise InputError(f"{path}:{line}: the JSON array is not closed (file truncated?)")


# ---------------------------------------------------------------------------------- reading

def read(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    check_options(FORMAT, "reader", options)
    unit = options.get("offsets", "auto")
    for k, (line, task) in enumerate(iter_json_values(path), 1):
        if not isinstance(task, dict):
            raise InputError(f"{path}:{line}: a Label Studio task is a JSON object")
        for rec in task_records(task, langs, where=f"{path}:{line}", unit=unit,
                                text_field=options.get("text_field"), index=k):
            yield require_valid(rec, f"{path}:{line}")  # dangling relations, repeated region ids


def _text_field(task: dict[str, Any], where: str, text_field: str | None) -> str:
    data = task.get("data")
    if not isinstance(data, dict):
        raise InputError(f"{where}: task {task.get('id')!r} has no data object")
    if text_field:
        if not isinstance(data.get(text_field), str):
            raise InputError(f"{where}: task {task.get('id')!r} has no text in data.{text_field}")
        return text_field
    if isinstance(data.get("text"), str):
        return "text"
    strings = [k for k, v in data.items() if isinstance(v, str)]
    if len(strings) == 1:
        return strings[0]
    raise InputError(f"{where}: task {task.get('id')!r}: cannot tell which data field is the text "
                     f"({', '.join(strings) or 'none'}); give text_field")


def task_records(task: dict[str, Any], langs: Any, *, where: str, unit: str = "auto",
                 text_field: str | None = None, index: int = 1) -> Iterator[dict[str, Any]]:
    """The records of one task: one per annotation and prediction, their side named by ``langs[0]``
    (``--src``), else by the ``meta.lancang_lang`` lancang wrote into the task."""
    field = _text_field(task, where, text_field)
    raw = task["data"][field]
    text, nfc = nfc_map(raw)
    tid = str(task.get("id", index))
    task_meta = task.get("meta")
    lang = given_lang(langs, where, f"Label Studio task {tid}",
                      task_meta.get(_LANG_KEY) if isinstance(task_meta, dict) else None)
    rest = {k: v for k, v in task.items() if k not in ("annotations", "predictions", "completions")}
    rest["data"] = {k: v for k, v in task["data"].items() if k != field}
    rest.pop("meta", None)
    sets: list[tuple[str, dict[str, Any]]] = []
    for key, kind in (("annotations", "a"), ("completions", "a"), ("predictions", "p")):
        for x in task.get(key) or ():
            if not isinstance(x, dict) or not isinstance(x.get("result", []), list):
                raise InputError(f"{where}: task {tid}: each of {key} is an object with a result list")
            sets.append((kind, x))
    base_meta: dict[str, Any] = {"task": rest, "text_field": field}
    side_meta = None
    if isinstance(task_meta, dict):
        task_meta = dict(task_meta)
        side_meta = task_meta.pop("lancang_side", None)
        task_meta.pop(_LANG_KEY, None)
    if not sets:
        rec: dict[str, Any] = {"id": tid, "sides": {lang: _side(text, raw, side_meta)}}
        _put_meta(rec, base_meta, task_meta)
        yield rec
        return
    preds = {p.get("id"): p for k, p in sets if k == "p"}
    for i, (kind, x) in enumerate(sets):
        rid = tid if len(sets) == 1 else f"{tid}/{kind}{x.get('id', i + 1)}"
        side = _side(text, raw, side_meta)
        layer, names = _entities(x, raw, nfc, where=f"{where}: task {tid}", unit=unit)
        prov = _provenance(kind, x, preds)
        layer = layer or {"items": []}  # annotated, nothing found: still a layer, with its provenance
        if prov:
            layer["provenance"] = prov
        side["layers"] = {"entities": layer}
        meta = dict(base_meta)
        if names:
            meta["names"] = names
        meta["prediction" if kind == "p" else "annotation"] = {
            k: v for k, v in x.items() if k not in ("result", "provenance")}
        others = [r for r in x.get("result", []) if not _is_region(r) and not _is_relation(r)]
        if others:
            meta["results"] = others
        rec = {"id": rid, "sides": {lang: side}}
        _put_meta(rec, meta, task_meta)
        yield rec


def _side(text: str, raw: str, side_meta: Any) -> dict[str, Any]:
    side: dict[str, Any] = {"text": text}
    meta = dict(side_meta) if isinstance(side_meta, dict) else {}
    if text != raw:
        meta["source_not_nfc"] = True
    if meta:
        side["meta"] = meta
    return side


def _put_meta(rec: dict[str, Any], ls: dict[str, Any], task_meta: Any) -> None:
    meta: dict[str, Any] = {}
    if isinstance(task_meta, dict):
        meta.update(task_meta)
    elif task_meta is not None:
        ls["task"]["meta"] = task_meta
    meta["labelstudio"] = ls
    rec["meta"] = meta


def _is_region(r: Any) -> bool:
    return isinstance(r, dict) and isinstance(r.get("value"), dict) and "start" in r["value"] and \
        "end" in r["value"] and r.get("type") != "relation"


def _is_relation(r: Any) -> bool:
    return isinstance(r, dict) and r.get("type") == "relation"


def _entities(x: dict[str, Any], raw: str, nfc: Any, *, where: str, unit: str
              ) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The entity layer of one annotation or prediction, and the usual from_name/to_name."""
    regions = [r for r in x.get("result", []) if _is_region(r)]
    rels = [r for r in x.get("result", []) if _is_relation(r)]
    if not regions and not rels:
        return None, {}
    units = ["utf16", "codepoint"] if unit == "auto" else [unit]
    err = None
    for u in units:
        try:
            items = _regions(regions, raw, nfc, u, where, check_text=True)
            break
        except _TextMismatch as exc:
            err = err or exc
    else:
        assert err is not None
        raise InputError(str(err))
    common = _common_names(regions)
    for it, r in zip(items, regions):
        for k in ("from_name", "to_name"):
            if r.get(k) != common.get(k):
                it.setdefault("attrs", {})[k] = r.get(k)
    layer: dict[str, Any] = {"items": items}
    if rels:
        layer["relations"] = [_relation(r, where) for r in rels]
    return layer, {k: v for k, v in common.items() if v is not None}


class _TextMismatch(InputError):
    pass


def _regions(regions: list[dict[str, Any]], raw: str, nfc: Any, unit: str, where: str,
             check_text: bool) -> list[dict[str, Any]]:
    ix = UnitIndex(raw, unit)
    items = []
    for r in regions:
        v = r["value"]
        rid = r.get("id")
        try:
            s, e = ix.span_to_cp(v["start"], v["end"])
            cs, ce = nfc.forward(s), nfc.forward(e)
        except OffsetError as exc:
            raise InputError(f"{where}: region {rid!r}: {exc}") from None
        quoted = v.get("text")
        if check_text and isinstance(quoted, str) and not _same_text(quoted, raw[s:e]):
            raise _TextMismatch(f"{where}: region {rid!r} quotes {quoted!r} but the text has {raw[s:e]!r} at "
                                f"{v['start']}..{v['end']} ({unit} offsets)")
        labels = [lab for key in ("labels", "hypertextlabels") for lab in (v.get(key) or [])]
        if not labels or not all(isinstance(lab, str) and lab for lab in labels):
            raise InputError(f"{where}: region {rid!r} has no label")
        it: dict[str, Any] = {}
        if rid is not None:
            it["id"] = str(rid)
        it.update({"start": cs, "end": ce, "label": labels[0]})
        attrs = {}
        if len(labels) > 1:
            attrs["labels"] = labels
        for k in ("score", "meta"):
            if k in r:
                attrs[k] = r[k]
        if r.get("type", "labels") != "labels":
            attrs["type"] = r["type"]
        if isinstance(r.get("attrs"), dict):
            attrs.update(r["attrs"])
        if attrs:
            it["attrs"] = attrs
        items.append(it)
    return items


def _same_text(quoted: str, actual: str) -> bool:
    """Label Studio may collapse white space in the quoted text (its issue 3078)."""
    return quoted == actual or " ".join(quoted.split()) == " ".join(actual.split())


def _common_names(regions: list[dict[str, Any]]) -> dict[str, Any]:
    out = {}
    for k in ("from_name", "to_name"):
        vals = [r.get(k) for r in regions]
        out[k] = max(set(vals), key=vals.count) if vals else None
    return out


def _relation(r: dict[str, Any], where: str) -> dict[str, Any]:
    if not r.get("from_id") or not r.get("to_id"):
        raise InputError(f"{where}: a relation needs from_id and to_id")
    labels = r.get("labels") or []
    roles = r.get("roles") or ["from", "to"]
    rel: dict[str, Any] = {}
    if r.get("id"):
        rel["id"] = str(r["id"])
    rel["label"] = labels[0] if labels else "relation"
    rel["args"] = [{"role": roles[0], "ref": str(r["from_id"])}, {"role": roles[1], "ref": str(r["to_id"])}]
    attrs = {}
    if r.get("direction", "right") != "right":
        attrs["direction"] = r["direction"]
    if len(labels) != 1:
        attrs["labels"] = labels
    if isinstance(r.get("attrs"), dict):
        attrs.update(r["attrs"])
    if attrs:
        rel["attrs"] = attrs
    return rel


def _provenance(kind: str, x: dict[str, Any], preds: dict[Any, dict[str, Any]]) -> dict[str, Any] | None:
    if isinstance(x.get("provenance"), dict):
        return x["provenance"]
    time = x.get("updated_at") or x.get("created_at")
    if kind == "p":
        p: dict[str, Any] = {"method": "auto", "tool": _tool(x.get("model_version"))}
        if isinstance(time, str):
            p["time"] = time
        return p
    who = x.get("completed_by")
    if isinstance(who, dict):
        who = who.get("email") or who.get("id")
    parent = x.get("parent_prediction")
    if who is None and parent is None and not isinstance(time, str) and not _review(x.get("reviews")):
        return None
    p = {"method": "assisted" if parent is not None else "manual"}
    if parent is not None:
        p["tool"] = _tool((preds.get(parent) or {}).get("model_version"))
    if who is not None:
        p["annotator"] = str(who)
    if isinstance(time, str):
        p["time"] = time
    review = _review(x.get("reviews"))
    if review:
        p["review"] = review
    return p


def _review(reviews: Any) -> dict[str, Any] | None:
    """The last review of an annotation (Label Studio Enterprise exports ``reviews``)."""
    if not isinstance(reviews, list) or not reviews or not isinstance(reviews[-1], dict):
        return None
    r = reviews[-1]
    if not isinstance(r.get("accepted"), bool):
        return None
    out: dict[str, Any] = {"status": "accepted" if r["accepted"] else "rejected"}
    who = r.get("created_by")
    if isinstance(who, dict):
        who = who.get("email") or who.get("id")
    if who is not None:
        out["reviewer"] = str(who)
    if isinstance(r.get("created_at"), str):
        out["time"] = r["created_at"]
    return out


def _tool(model_version: Any) -> dict[str, Any]:
    """A prediction's ``model_version`` as a provenance tool (``name==version`` is split)."""
    name, _, version = str(model_version or "prediction").partition("==")
    tool: dict[str, Any] = {"name": name}
    if version:
        tool["version"] = version
    return tool


# ---------------------------------------------------------------------------------- writing

def write(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    check_options(FORMAT, "writer", options)
    unit = options.get("offsets", "utf16")
    n = 0
    first = True
    with atomic_output(path, "wb") as f:
        f.write(b"[\n")
        group: list[dict[str, Any]] = []
        for rec in records:
            n += 1
            if group and _task_key(rec) is not None and _task_key(rec) == _task_key(group[0]):
                group.append(rec)
                continue
            if group:
                f.write((b"" if first else b",\n") + orjson.dumps(_task(group, langs, unit, options)))
                first = False
            group = [rec]
        if group:
            f.write((b"" if first else b",\n") + orjson.dumps(_task(group, langs, unit, options)))
        f.write(b"\n]\n")
    return n


def _task_key(rec: dict[str, Any]) -> Any:
    ls = (rec.get("meta") or {}).get("labelstudio")
    if isinstance(ls, dict) and isinstance(ls.get("task"), dict):
        return orjson.dumps(ls["task"], option=orjson.OPT_SORT_KEYS)
    return None


def _pick_side(rec: dict[str, Any], langs: Any) -> str:
    return pick_side(rec, langs, "a Label Studio task")


def _task(group: list[dict[str, Any]], langs: Any, unit: str, options: dict[str, Any]) -> dict[str, Any]:
    first = group[0]
    meta = dict(first.get("meta") or {})
    ls = meta.pop("labelstudio", None) or {}
    lang = _pick_side(first, langs)
    side = first["sides"][lang]
    text = side["text"]
    field = options.get("text_field") or ls.get("text_field") or "text"
    task: dict[str, Any] = dict(ls.get("task") or {"id": first["id"]})
    data = dict(task.get("data") or {})
    task["data"] = {field: text, **data}
    side_meta = {k: v for k, v in (side.get("meta") or {}).items() if k != "source_not_nfc"}
    if side_meta:
        meta["lancang_side"] = side_meta
    if meta or isinstance(task.get("meta"), (dict, type(None))):
        meta[_LANG_KEY] = lang  # Label Studio cannot say the text's language; lancang reads it back from here
        task["meta"] = meta
    # else the task's own meta is not an object: kept as it was, and reading it back needs --src
    annotations, predictions = [], []
    preds = {}
    for rec in group:
        p = ((rec.get("meta") or {}).get("labelstudio") or {}).get("prediction")
        if isinstance(p, dict) and "id" in p:
            preds[p["id"]] = p
    for rec in group:
        s = rec["sides"][_pick_side(rec, langs)]
        if s["text"] != text:
            raise InputError(f"record {rec['id']!r}: same task as {first['id']!r} but another text")
        rls = (rec.get("meta") or {}).get("labelstudio") or {}
        lay = (s.get("layers") or {}).get("entities")
        if lay is None and "annotation" not in rls and "prediction" not in rls:
            continue
        lay = lay or {"items": []}
        prov = lay.get("provenance")
        auto = (prov or {}).get("method") == "auto"
        kind = "prediction" if "prediction" in rls or ("annotation" not in rls and auto) else "annotation"
        x = dict(rls.get(kind) or {})
        x["result"] = _results(rec, s["text"], lay, unit, options, rls) + list(rls.get("results") or [])
        if prov:
            _fill_provenance(x, kind, prov, preds)
        (predictions if kind == "prediction" else annotations).append(x)
    if annotations:
        task["annotations"] = annotations
    if predictions:
        task["predictions"] = predictions
    return task


def _fill_provenance(x: dict[str, Any], kind: str, prov: dict[str, Any], preds: dict[Any, Any]) -> None:
    if kind == "prediction":
        tool = prov.get("tool") or {}
        if "model_version" not in x and tool.get("name"):
            x["model_version"] = tool["name"] + (f"=={tool['version']}" if tool.get("version") else "")
    elif "completed_by" not in x and prov.get("annotator"):
        a = prov["annotator"]
        x["completed_by"] = int(a) if a.isdigit() else a
    if prov.get("time") and "created_at" not in x and "updated_at" not in x:
        x["created_at"] = prov["time"]
    if _provenance(kind[0], x, preds) != prov:
        x["provenance"] = prov  # what Label Studio's own fields cannot say


def _results(rec: dict[str, Any], text: str, lay: dict[str, Any], unit: str, options: dict[str, Any],
             rls: dict[str, Any]) -> list[dict[str, Any]]:
    ix = UnitIndex(text, unit)
    names = rls.get("names") or {}
    from_name = options.get("from_name") or names.get("from_name") or "label"
    to_name = options.get("to_name") or names.get("to_name") or "text"
    out = []
    for k, it in enumerate(lay.get("items", [])):
        if it.get("fragments"):
            raise InputError(f"record {rec['id']!r}: entity {it.get('id', k)!r} is discontinuous; "
                             "a Label Studio region is one span")
        attrs = dict(it.get("attrs") or {})
        r: dict[str, Any] = {"id": it.get("id") or f"r{k + 1}", "from_name": attrs.pop("from_name", from_name),
                             "to_name": attrs.pop("to_name", to_name), "type": attrs.pop("type", "labels")}
        labels = attrs.pop("labels", [it["label"]])
        r["value"] = {"start": ix.from_cp(it["start"]), "end": ix.from_cp(it["end"]),
                      "text": text[it["start"]:it["end"]], r["type"]: labels}
        for key in ("score", "meta"):
            if key in attrs:
                r[key] = attrs.pop(key)
        if attrs:
            r["attrs"] = attrs  # brat attributes and the like: an extra key Label Studio ignores
        out.append(r)
    for rel in lay.get("relations", []):
        args = rel["args"]
        if len(args) != 2:
            raise InputError(f"record {rec['id']!r}: relation {rel.get('label')!r} has {len(args)} arguments; "
                             "Label Studio relations have two")
        attrs = dict(rel.get("attrs") or {})
        r = {"from_id": args[0]["ref"], "to_id": args[1]["ref"], "type": "relation",
             "direction": attrs.pop("direction", "right"), "labels": attrs.pop("labels", [rel["label"]])}
        if rel.get("id"):
            r["id"] = rel["id"]
        roles = [a["role"] for a in args]
        if roles != ["from", "to"]:
            r["roles"] = roles
        if attrs:
            r["attrs"] = attrs
        out.append(r)
    return out


FORMAT = Format(
    "labelstudio", "Label Studio JSON export: tasks with annotations and predictions (text spans, relations)",
    (".ls.json",),
    frozenset({"entities", "entity-attrs", "relations", "provenance", "meta"}), read, write, max_sides=1,
    read_options=READ_OPTIONS, write_options=WRITE_OPTIONS,
)
