"""Label Studio JSON: tasks with annotations and predictions (text spans and relations).

Reading accepts Label Studio's JSON export (an array of tasks, read one task at a time, never the
whole file), a JSONL file of tasks, or a single task object. Each annotation of a task becomes one
record (the same text, its own entities), so several annotators of one task stay apart for
agreement; ``-I source=predictions`` reads the predictions instead and ``source=all`` both (the
ones not read, and annotations a reviewer skipped, ``was_cancelled``, are kept in
``meta.labelstudio.task`` and written back). A task with none becomes one
record with its text only. The record id is the task id when the task has one annotation or
prediction read, else ``<task>/a<id>`` or ``<task>/p<id>``; the id of the record lancang wrote the
task from (task ``meta.lancang_id``; Label Studio renumbers tasks on import) is
``meta.labelstudio.record_id``.

* ``labels`` regions -> entities (the region id, ``labels[0]``; more labels -> ``attrs.labels``,
  a region ``score``/``meta`` -> ``attrs``); ``relation`` results -> relations with the roles
  ``from`` and ``to`` (``direction`` other than ``right`` and extra labels -> ``attrs``);
* provenance: a prediction is ``auto`` (tool = ``model_version``); an annotation is ``manual``, or
  ``assisted`` when it started from a prediction (``parent_prediction``), with the annotator
  (``completed_by``: the user id, or the e-mail when the export embeds the user), its time, and the
  last of its ``reviews`` (accepted or rejected, by whom, when);
* review: the ``verdict`` choice (pass/fail), the ``defects`` choices and the ``note`` text area of
  an annotation go to the record's ``meta.review`` with the reviewer (``completed_by``), the
  annotation id and time, over the task's own review slot (a sample's); two annotations of one
  reviewer on a task stay two records, listed in ``meta.labelstudio.same_reviewer``;
* everything else (task fields, data fields other than the text, annotation fields, other result
  types) is kept under ``meta.labelstudio`` and written back.

Several sides: a record with more than one side (unless ``--src`` picks one) is ONE task with the
data fields ``text_1``, ``text_2``, ... (the tags in ``meta.lancang_langs``, in side order). Its
entities are ``labels`` regions of the control ``label_<n>`` on the object ``text_<n>``; sentence
beads and token links are ``relation`` results (labels ``bead``, ``sure``, ``possible``) between
read-only regions of the controls ``sentence_<n>`` and ``token_<n>`` made for the sentences and tokens
they join. Layers with no region (tokens, sentences, pos ...) and the links as written are kept in
the task's meta (``lancang_sides``, ``lancang_links``) and read back; the links an annotation's
relations hold replace the stored link of the same kind and sides (beads: the connected sentence
pairs), a relation to a region that is no sentence or token of the stored layers is an error. Layers
are grouped by provenance: each machine's as a prediction, a person's as an annotation.
:func:`config_xml` and :func:`config_for_tasks` give the matching labelling configuration.

Offsets: Label Studio counts JavaScript UTF-16 code units. They are mapped exactly to code points
of the NFC text; ``offsets="codepoint"`` reads files made by tools that counted code points, and the
default ``offsets="auto"`` takes UTF-16 unless the quoted region texts only fit code points. A
region that ends inside a surrogate pair or inside a sequence NFC composes is an error.

Writing groups consecutive records of the same task back into one task; records from other formats
become one task each (an annotation, or a prediction when the entities' provenance is ``auto``).
Canonical details Label Studio has no field for (relation ids and role names, entity and relation
attributes such as brat's, the full provenance) go in extra keys (``id``, ``roles``, ``attrs``,
``provenance``) that Label Studio ignores on import.

The record's ``doc`` goes in the task's ``meta.lancang_doc``.

Language: Label Studio has no field for the language of a text. The writer puts the side's tag in the
task's ``meta.lancang_lang`` (kept by Label Studio's import and export); the reader names the side
with ``--src`` if given, else with that tag, else it is an error naming the task: never ``und``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import orjson

from ...errors import InputError, UsageError
from ..invariants import require_valid
from ..jsonl import PathLike, atomic_output, open_input
from ..offsets import OffsetError, UnitIndex, nfc_map
from . import Format, Option, check_options, given_lang

#: the task ``meta`` key that holds the language of the text (Label Studio has no field for it)
_LANG_KEY = "lancang_lang"
#: task ``meta`` keys of a bilingual task: the side tags in order, the layers and links with no region
_LANGS_KEY, _SIDES_KEY, _LINKS_KEY = "lancang_langs", "lancang_sides", "lancang_links"
#: the id of the record a task was written from; layers of a one-side task that have no region
_ID_KEY, _LAYERS_KEY = "lancang_id", "lancang_layers"
#: the record's document id
_DOC_KEY = "lancang_doc"
#: the extra key of a prediction holding several tools' layers: each layer's provenance
_PROV_KEY = "lancang_provenance"
#: the names of the labelling configuration's controls (see :func:`config_xml`)
LABEL_CONTROL, SENTENCE_CONTROL, TOKEN_CONTROL = "label", "sentence", "token"
VERDICT_CONTROL, DEFECTS_CONTROL, NOTE_CONTROL = "verdict", "defects", "note"
BEAD_LABEL, SURE_LABEL, POSSIBLE_LABEL = "bead", "sure", "possible"
VERDICTS = ("pass", "fail")
#: the defect types a reviewer chooses from when no list is given
DEFAULT_DEFECTS = ("segmentation", "entity", "alignment", "translation", "other")


def side_field(n: int) -> str:
    """The data field (and text object name) of the n-th side of a bilingual task, n from 1."""
    return f"text_{n}"


READ_OPTIONS = {
    "offsets": Option("auto", "what the offsets count: utf16 (Label Studio), codepoint, or auto (utf16 unless the "
                              "quoted region texts only fit code points)", ("auto", "utf16", "codepoint")),
    "text_field": Option(None, "the data field holding the text (default: the one the regions name, else text)"),
    "source": Option("annotations", "what becomes records: each annotation, each prediction, or all of both",
                     ("annotations", "predictions", "all")),
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
    source = options.get("source", "annotations")
    for k, (line, task) in enumerate(iter_json_values(path), 1):
        if not isinstance(task, dict):
            raise InputError(f"{path}:{line}: a Label Studio task is a JSON object")
        for rec in task_records(task, langs, where=f"{path}:{line}", unit=unit,
                                text_field=options.get("text_field"), index=k, source=source):
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


def _side_tags(named: Any, data: dict[str, Any], langs: Any, where: str, tid: str) -> list[str]:
    """The tags of a bilingual task's sides (``meta.lancang_langs``, or ``--src``/``--tgt`` in their place)."""
    from ..langs import is_tag

    if not isinstance(named, list) or len(named) < 2 or not all(isinstance(t, str) and is_tag(t) for t in named):
        raise InputError(f"{where}: task {tid}: meta.{_LANGS_KEY} is {named!r}, not a list of two or more BCP 47 "
                         "tags")
    if len(set(named)) != len(named):
        raise InputError(f"{where}: task {tid}: meta.{_LANGS_KEY} names a language twice: {named!r}")
    for n in range(1, len(named) + 1):
        if not isinstance(data.get(side_field(n)), str):
            raise InputError(f"{where}: task {tid} has {len(named)} sides ({', '.join(named)}) but no text in "
                             f"data.{side_field(n)}")
    if langs:
        if len(langs) != len(named):
            raise UsageError(f"{where}: task {tid} has {len(named)} sides ({', '.join(named)}); --src/--tgt name "
                             f"{len(langs)}")
        return list(langs)
    return list(named)


def task_records(task: dict[str, Any], langs: Any, *, where: str, unit: str = "auto",
                 text_field: str | None = None, index: int = 1, source: str = "annotations"
                 ) -> Iterator[dict[str, Any]]:
    """The records of one task: one per annotation (``source="annotations"``), per prediction
    (``"predictions"``) or both (``"all"``). A one-side task's side is named by ``langs[0]`` (``--src``),
    else by the ``meta.lancang_lang`` lancang wrote; a bilingual task (``meta.lancang_langs``) has one
    side per ``text_<n>`` data field."""
    data = task.get("data")
    if not isinstance(data, dict):
        raise InputError(f"{where}: task {task.get('id')!r} has no data object")
    tid = str(task.get("id", index))
    task_meta = task.get("meta")
    tmeta = dict(task_meta) if isinstance(task_meta, dict) else None
    here = f"{where}: task {tid}"
    bilingual = tmeta is not None and _LANGS_KEY in tmeta
    stored: dict[str, Any] = {}
    if bilingual:
        assert tmeta is not None
        named = tmeta.pop(_LANGS_KEY)
        tags = _side_tags(named, data, langs, where, tid)
        fields = [side_field(n) for n in range(1, len(tags) + 1)]
        for key in (_SIDES_KEY, _LINKS_KEY):
            if key in tmeta:
                stored[key] = tmeta.pop(key)
        info = stored.get(_SIDES_KEY) or {}
        if not isinstance(info, dict):
            raise InputError(f"{here}: meta.{_SIDES_KEY} is not an object")
        side_info = [info.get(t) if isinstance(info.get(t), dict) else {} for t in named]
    else:
        field = _text_field(task, where, text_field)
        tags = [given_lang(langs, where, f"Label Studio task {tid}", tmeta.get(_LANG_KEY) if tmeta else None)]
        fields = [field]
        side_info = [{}]
        if tmeta is not None:
            side_info[0] = {"meta": tmeta.pop("lancang_side", None), "layers": tmeta.pop(_LAYERS_KEY, None)}
    record_id = doc = None
    if tmeta is not None:
        tmeta.pop(_LANG_KEY, None)
        record_id = tmeta.pop(_ID_KEY, None)
        doc = tmeta.pop(_DOC_KEY, None)
    rest = {k: v for k, v in task.items() if k not in ("annotations", "predictions", "completions", "meta")}
    rest["data"] = {k: v for k, v in data.items() if k not in fields}
    wanted = {"annotations": "a", "predictions": "p", "all": "ap"}[source]
    sets: list[tuple[str, dict[str, Any]]] = []
    preds: dict[Any, dict[str, Any]] = {}
    for key, kind in (("annotations", "a"), ("completions", "a"), ("predictions", "p")):
        xs = task.get(key)
        if xs is None:
            continue
        if not isinstance(xs, list) or not all(isinstance(x, dict) and isinstance(x.get("result", []), list)
                                               for x in xs):
            raise InputError(f"{here}: each of {key} is an object with a result list")
        if kind == "p":
            preds.update((p.get("id"), p) for p in xs)
        # not read as records, kept and written back as they were: the kind not asked for, and the
        # annotations a reviewer skipped (``was_cancelled``: no verdict on the task, not "no entities")
        kept = [x for x in xs if kind not in wanted or x.get("was_cancelled") is True]
        sets.extend((kind, x) for x in xs if kind in wanted and x.get("was_cancelled") is not True)
        if kept:
            rest[key] = kept
    base_meta: dict[str, Any] = {"task": rest}
    if not bilingual:
        base_meta["text_field"] = fields[0]
    if stored:
        base_meta["stored"] = stored
    if record_id is not None:
        base_meta["record_id"] = record_id
    sides = [_Side(tag, data[f], n, info, here) for n, (tag, f, info) in enumerate(zip(tags, fields, side_info), 1)]
    links = _stored_links(stored.get(_LINKS_KEY), named if bilingual else tags, tags, here)
    task_review = tmeta.get("review") if tmeta is not None else None
    # a task lancang wrote names its record: the record keeps that id whatever task id Label Studio
    # gave it on import (each project renumbers), so two reviewers' exports join record by record
    base_id = str(record_id) if record_id is not None else tid
    if not sets:
        rec: dict[str, Any] = {"id": base_id, **({"doc": doc} if doc is not None else {}),
                               "sides": {s.tag: s.side() for s in sides}}
        if links:
            rec["links"] = links
        _put_meta(rec, base_meta, tmeta if tmeta is not None else task_meta)
        yield rec
        return
    reviewers = [_who(x.get("completed_by")) for k, x in sets if k == "a"]
    used: set[str] = set()
    for i, (kind, x) in enumerate(sets):
        rid = base_id if len(sets) == 1 else f"{base_id}/{kind}{x.get('id', i + 1)}"
        if rid in used:  # two annotations with one id: still two records
            rid = f"{rid}-{i + 1}"
        used.add(rid)
        what = f"{here}: {'annotation' if kind == 'a' else 'prediction'} {x.get('id', i + 1)}"
        read = _read_results(x, sides, bilingual, what, unit)
        prov = _provenance(kind, x, preds)
        meta = dict(base_meta)
        if read.names:
            meta["names"] = read.names
        meta["prediction" if kind == "p" else "annotation"] = {
            k: v for k, v in x.items() if k not in ("result", "provenance", _PROV_KEY)}
        if read.others:
            meta["results"] = read.others
        prov_of = _layer_provenance(kind if bilingual else "", x, prov, preds)
        rec = {"id": rid, **({"doc": doc} if doc is not None else {}), "sides": {}}
        for s in sides:
            side = s.side()
            key = layer_key(s.tag)
            layer = read.entities.get(s.n)
            if layer is None and (kind == "a" or not isinstance(x.get(_PROV_KEY), dict) or key in x[_PROV_KEY]):
                layer = {"items": []}  # annotated, nothing found: still a layer
            if layer is not None:
                lprov = prov_of(key)
                if lprov:
                    layer["provenance"] = lprov
                side.setdefault("layers", {})["entities"] = layer
            rec["sides"][s.tag] = side
        made = read.links(sides, links, what)
        rec_links = _merge_links(links, made, prov_of)
        if rec_links:
            rec["links"] = rec_links
        if made:
            meta["relations_of"] = [layer_key(link=lk) for lk in made]  # the links this result set holds
        rmeta = dict(tmeta) if tmeta is not None else None
        if kind == "a" and (bilingual or read.review or isinstance(task_review, dict)):
            review = _review_of(x, read.review, task_review, what)
            if review != task_review:
                meta["task_review"] = task_review
            rmeta = {**(rmeta or {}), "review": review}
            who = review.get("reviewer")
            twins = [str(y.get("id")) for (k, y), w in zip([s for s in sets if s[0] == "a"], reviewers)
                     if who is not None and w == who and y is not x]
            if twins:  # the same reviewer twice on one task: both kept, reported
                meta["same_reviewer"] = twins
        _put_meta(rec, meta, rmeta if rmeta is not None else task_meta)
        yield rec


class _Side:
    """One side of a task being read: its text, its number, and what the writer stored for it."""

    def __init__(self, tag: str, raw: str, n: int, info: dict[str, Any], where: str):
        self.tag, self.raw, self.n = tag, raw, n
        self.text, self.nfc = nfc_map(raw)
        self.meta = info.get("meta") if isinstance(info.get("meta"), dict) else None
        layers = info.get("layers")
        if layers is not None and not isinstance(layers, dict):
            raise InputError(f"{where}: the stored layers of side {n} ({tag}) are not an object")
        self.layers = layers or {}

    def side(self) -> dict[str, Any]:
        side: dict[str, Any] = {"text": self.text}
        meta = dict(self.meta or {})
        if self.text != self.raw:
            meta["source_not_nfc"] = True
        if meta:
            side["meta"] = meta
        if self.layers:
            side["layers"] = orjson.loads(orjson.dumps(self.layers))  # each record its own copy
        return side

    def span_index(self, layer: str) -> dict[tuple[int, int], int]:
        spans = (self.layers.get(layer) or {}).get("spans") or []
        return {(s[0], s[1]): i for i, s in enumerate(spans)}


def _stored_links(links: Any, named: list[str], tags: list[str], where: str) -> list[dict[str, Any]]:
    if links is None:
        return []
    if not isinstance(links, list) or not all(isinstance(lk, dict) for lk in links):
        raise InputError(f"{where}: meta.{_LINKS_KEY} is not a list of links")
    rename = dict(zip(named, tags))
    out = orjson.loads(orjson.dumps(links))
    for lk in out:
        for k in ("src", "tgt"):
            if lk.get(k) in rename:
                lk[k] = rename[lk[k]]
    return out


def _merge_links(stored: list[dict[str, Any]], made: list[dict[str, Any]], prov_of: Any) -> list[dict[str, Any]]:
    """The stored links, each replaced by the link of the same kind and sides the results hold."""
    made_by = {layer_key(link=lk): lk for lk in made}
    for key, lk in made_by.items():
        prov = prov_of(key)
        if prov:
            lk["provenance"] = prov
    out = [made_by.pop(layer_key(link=lk), lk) for lk in stored]
    return out + list(made_by.values())


def _layer_provenance(kind: str, x: dict[str, Any], prov: Any, preds: dict[Any, Any]) -> Any:
    """The provenance of each layer (by :func:`layer_key`) of a bilingual task's annotation or prediction:
    a prediction's own map, or for an annotation started from one, the person with the tool of that layer."""
    own = x.get(_PROV_KEY) if kind == "p" else None
    parent = (preds.get(x.get("parent_prediction")) or {}).get(_PROV_KEY) if kind == "a" else None

    def of(key: str) -> Any:
        if isinstance(own, dict) and isinstance(own.get(key), dict):
            return own[key]
        if isinstance(parent, dict) and isinstance(parent.get(key), dict) and isinstance(prov, dict) and \
                isinstance(parent[key].get("tool"), dict):
            return {**prov, "tool": parent[key]["tool"]}
        return prov
    return of


class _Results:
    """What one annotation or prediction holds, by side."""

    def __init__(self) -> None:
        self.entities: dict[int, dict[str, Any]] = {}
        self.names: dict[str, Any] = {}
        self.others: list[dict[str, Any]] = []
        self.review: dict[str, Any] = {}
        self.edges: list[tuple[str, int, int, int, int, str, Any]] = []  # kind, side a, i, side b, j, label, score

    def links(self, sides: list[_Side], stored: list[dict[str, Any]], where: str) -> list[dict[str, Any]]:
        """Beads (connected sentence pairs) and token links rebuilt from the alignment relations."""
        tag = {s.n: s.tag for s in sides}
        orient = {(lk.get("src"), lk.get("tgt")) for lk in stored}
        groups: dict[tuple[str, str, str], list[tuple[int, int, str, Any]]] = {}
        for kind, a, i, b, j, label, score in self.edges:
            if (tag[b], tag[a]) in orient and (tag[a], tag[b]) not in orient:
                a, i, b, j = b, j, a, i
            groups.setdefault((kind, tag[a], tag[b]), []).append((i, j, label, score))
        out = []
        for (kind, src, tgt), edges in groups.items():
            if kind == "tokens":
                pairs = sorted({(i, j, "P" if label == "possible" else "S") for i, j, label, _ in edges})
                out.append({"kind": "tokens", "src": src, "tgt": tgt, "pairs": [list(p) for p in pairs]})
                continue
            old = next((lk for lk in stored if (lk.get("kind"), lk.get("src"), lk.get("tgt")) == ("beads", src, tgt)),
                       None)
            out.append({"kind": "beads", "src": src, "tgt": tgt, "beads": _beads(edges, old)})
        return out


def _beads(edges: list[tuple[int, int, str, Any]], old: dict[str, Any] | None) -> list[dict[str, Any]]:
    """n-m beads as the connected parts of the sentence pairs; the stored link's 0-n beads of sentences no
    relation touches are kept."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j, _l, _s in edges:
        parent[find(("s", i))] = find(("t", j))
    parts: dict[tuple[str, int], dict[str, Any]] = {}
    for i, j, _l, score in edges:
        b = parts.setdefault(find(("s", i)), {"src": set(), "tgt": set(), "scores": set()})
        b["src"].add(i)
        b["tgt"].add(j)
        b["scores"].add(score)
    beads = []
    for b in parts.values():
        bead: dict[str, Any] = {"src": sorted(b["src"]), "tgt": sorted(b["tgt"])}
        if len(b["scores"]) == 1 and isinstance(next(iter(b["scores"])), (int, float)):
            bead["score"] = next(iter(b["scores"]))
        beads.append(bead)
    seen_s = {i for i, *_ in edges}
    seen_t = {j for _, j, *_ in edges}
    for bead in (old or {}).get("beads") or ():
        if isinstance(bead, dict) and (not bead.get("src") or not bead.get("tgt")) and \
                not set(bead.get("src") or ()) & seen_s and not set(bead.get("tgt") or ()) & seen_t:
            beads.append(bead)
    inf = float("inf")
    beads.sort(key=lambda b: (min(b["src"], default=inf), min(b["tgt"], default=inf)))
    return beads


def _side_of(r: dict[str, Any], sides: list[_Side], bilingual: bool, where: str) -> _Side:
    if not bilingual:
        return sides[0]
    name = r.get("to_name")
    for s in sides:
        if name == side_field(s.n):
            return s
    have = ", ".join(f"{side_field(s.n)} ({s.tag})" for s in sides)
    raise InputError(f"{where}: result {r.get('id')!r} names {name!r}, a side this task does not have "
                     f"(it has {have})")


def _read_results(x: dict[str, Any], sides: list[_Side], bilingual: bool, where: str, unit: str) -> _Results:
    out = _Results()
    by_side: dict[int, dict[str, list[dict[str, Any]]]] = {s.n: {"entity": [], "sentence": [], "token": []}
                                                           for s in sides}
    rels = []
    for r in x.get("result", []):
        if _is_relation(r):
            rels.append(r)
        elif _is_region(r):
            s = _side_of(r, sides, bilingual, where)
            fn = r.get("from_name")
            kind = "sentence" if fn == f"{SENTENCE_CONTROL}_{s.n}" else "token" if fn == f"{TOKEN_CONTROL}_{s.n}" \
                else "entity"
            by_side[s.n][kind].append(r)
        elif isinstance(r, dict) and r.get("from_name") in (VERDICT_CONTROL, DEFECTS_CONTROL, NOTE_CONTROL) and \
                isinstance(r.get("value"), dict):
            if bilingual:
                _side_of(r, sides, bilingual, where)
            _review_result(r, out.review, where)
        else:
            out.others.append(r)
    units = ["utf16", "codepoint"] if unit == "auto" else [unit]
    err = None
    for u in units:
        try:
            spans = {s.n: {k: _regions(v, s.raw, s.nfc, u, where, check_text=True) for k, v in by_side[s.n].items()}
                     for s in sides}
            break
        except _TextMismatch as exc:
            err = err or exc
    else:
        assert err is not None
        raise InputError(str(err))
    where_is: dict[str, tuple[_Side, str, dict[str, Any]]] = {}  # region id -> side, kind, item
    for s in sides:
        prefix = f"{s.n}." if bilingual else ""
        regions = by_side[s.n]["entity"]
        items = spans[s.n]["entity"]
        for it, r in zip(items, regions):
            if r.get("id") is not None:
                where_is[str(r["id"])] = (s, "entity", it)
            if prefix and it.get("id", "").startswith(prefix):
                it["id"] = it["id"][len(prefix):]
        if not bilingual:
            common = _common_names(regions)
            for it, r in zip(items, regions):
                for k in ("from_name", "to_name"):
                    if r.get(k) != common.get(k):
                        it.setdefault("attrs", {})[k] = r.get(k)
            out.names = {k: v for k, v in common.items() if v is not None}
        else:
            for it, r in zip(items, regions):
                if r.get("from_name") != f"{LABEL_CONTROL}_{s.n}":
                    it.setdefault("attrs", {})["from_name"] = r.get("from_name")
        if items:
            out.entities[s.n] = {"items": items}
        for kind in ("sentence", "token"):
            index = s.span_index("sentences" if kind == "sentence" else "tokens")
            for it, r in zip(spans[s.n][kind], by_side[s.n][kind]):
                k = index.get((it["start"], it["end"]))
                if k is None:
                    raise InputError(f"{where}: {kind} region {r.get('id')!r} of side {s.n} ({s.tag}) at "
                                     f"{it['start']}..{it['end']} is not a {kind} of the task's {kind}s layer (a "
                                     f"link to a {kind} that no longer exists)")
                if r.get("id") is not None:
                    where_is[str(r["id"])] = (s, kind, {"index": k})
    for r in rels:
        if not r.get("from_id") or not r.get("to_id"):
            raise InputError(f"{where}: a relation needs from_id and to_id")
        a, b = where_is.get(str(r["from_id"])), where_is.get(str(r["to_id"]))
        if a is None and b is None:
            out.others.append(r)  # e.g. between regions of a type lancang does not read
            continue
        if a is None or b is None:  # one end names no region: a dangling entity relation, refused as such
            s, _k, _i = a or b  # type: ignore[misc]
            a = a or (s, "entity", {"id": str(r["from_id"])})
            b = b or (s, "entity", {"id": str(r["to_id"])})
        (sa, ka, ia), (sb, kb, ib) = a, b
        if ka == kb == "entity" and sa is sb:
            rel = _relation(r, where)
            rel["args"][0]["ref"], rel["args"][1]["ref"] = ia.get("id", rel["args"][0]["ref"]), \
                ib.get("id", rel["args"][1]["ref"])
            if bilingual and rel.get("id", "").startswith(f"{sa.n}."):
                rel["id"] = rel["id"][len(f"{sa.n}."):]
            out.entities.setdefault(sa.n, {"items": []}).setdefault("relations", []).append(rel)
        elif ka == kb and ka in ("sentence", "token") and sa is not sb:
            labels = r.get("labels") or []
            score = (r.get("attrs") or {}).get("score") if isinstance(r.get("attrs"), dict) else None
            out.edges.append(("beads" if ka == "sentence" else "tokens", sa.n, ia["index"], sb.n, ib["index"],
                              labels[0] if labels else "", score))
        else:
            out.others.append(r)
    return out


def _review_result(r: dict[str, Any], review: dict[str, Any], where: str) -> None:
    """A verdict or defect choice, or the note, into ``review``."""
    v = r["value"]
    name = r["from_name"]
    if name == NOTE_CONTROL:
        text = v.get("text")
        review["note"] = "\n".join(text) if isinstance(text, list) else text
        return
    choices = v.get("choices")
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
        raise InputError(f"{where}: the {name} choice has no list of choices")
    if name == VERDICT_CONTROL:
        if len(choices) != 1 or choices[0] not in VERDICTS:
            raise InputError(f"{where}: the verdict choice is {choices!r}; choose one of {', '.join(VERDICTS)}")
        review["verdict"] = choices[0]
    else:
        review["defects"] = list(choices)


def _review_of(x: dict[str, Any], chosen: dict[str, Any], task_review: Any, where: str) -> dict[str, Any]:
    """``meta.review`` of the record an annotation gives: the task's review slot (a sample's), with the
    reviewer (``completed_by``), the verdict, defects and note chosen in the annotation, its id and time."""
    if isinstance(task_review, dict) and not chosen and task_review.get("verdict") is not None:
        return task_review  # reviewed in the task's meta; this annotation is the work under review
    review = dict(task_review) if isinstance(task_review, dict) else {}
    who = _who(x.get("completed_by"))
    if who is not None:
        review["reviewer"] = who
    review.setdefault("reviewer", None)
    review["verdict"] = chosen.get("verdict", review.get("verdict"))
    review["defects"] = chosen.get("defects", review.get("defects") or [])
    if "note" in chosen:
        review["note"] = chosen["note"]
    review["annotation"] = x.get("id")
    time = x.get("updated_at") or x.get("created_at")
    review["time"] = time if isinstance(time, str) else review.get("time")
    return review


def _who(who: Any) -> str | None:
    """An annotator or reviewer as Label Studio exports them: a user id, or the user (e-mail first)."""
    if isinstance(who, dict):
        who = who.get("email") or who.get("id")
    return None if who is None else str(who)


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
    """The control and object names most regions use; of names used equally often, the one read first
    (not a set's first, whose order follows PYTHONHASHSEED)."""
    out = {}
    for k in ("from_name", "to_name"):
        vals = [r.get(k) for r in regions]
        out[k] = max(dict.fromkeys(vals), key=vals.count) if vals else None
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
    who = _who(x.get("completed_by"))
    parent = x.get("parent_prediction")
    if who is None and parent is None and not isinstance(time, str) and not _review(x.get("reviews")):
        return None
    p = {"method": "assisted" if parent is not None else "manual"}
    if parent is not None:
        p["tool"] = _tool((preds.get(parent) or {}).get("model_version"))
    if who is not None:
        p["annotator"] = who
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
    who = _who(r.get("created_by"))
    if who is not None:
        out["reviewer"] = who
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


def side_tags(rec: dict[str, Any], langs: Any) -> list[str]:
    """The sides of a record a task holds: ``langs`` if given (one tag: a one-side task), else all of them."""
    sides = rec["sides"]
    if langs:
        missing = [t for t in langs if t not in sides]
        if missing:
            raise InputError(f"record {rec['id']!r} has no side {missing[0]!r}")
        return list(langs)
    return list(sides)


def _task(group: list[dict[str, Any]], langs: Any, unit: str, options: dict[str, Any]) -> dict[str, Any]:
    first = group[0]
    tags = side_tags(first, langs)
    meta = dict(first.get("meta") or {})
    ls = meta.pop("labelstudio", None) or {}
    if "task_review" in ls:  # the review slot of the task, before an annotation's verdict filled it in
        meta.pop("review", None)
        if ls["task_review"] is not None:
            meta["review"] = ls["task_review"]
    task: dict[str, Any] = dict(ls.get("task") or {"id": first["id"]})
    data = dict(task.get("data") or {})
    if len(tags) > 1:
        return _bilingual_task(group, tags, task, data, meta, ls, unit)
    lang = tags[0]
    side = first["sides"][lang]
    text = side["text"]
    field = options.get("text_field") or ls.get("text_field") or "text"
    task["data"] = {field: text, **data}
    side_meta = {k: v for k, v in (side.get("meta") or {}).items() if k != "source_not_nfc"}
    if side_meta:
        meta["lancang_side"] = side_meta
    kept = {k: v for k, v in (side.get("layers") or {}).items() if k != "entities"}
    if kept:
        meta[_LAYERS_KEY] = kept  # layers Label Studio shows no region for: kept, read back
    if meta or isinstance(task.get("meta"), (dict, type(None))):
        meta[_LANG_KEY] = lang  # Label Studio cannot say the text's language; lancang reads it back from here
        if "task" not in ls or "record_id" in ls:
            meta[_ID_KEY] = ls.get("record_id", first["id"])
        if first.get("doc") is not None:
            meta[_DOC_KEY] = first["doc"]
        task["meta"] = meta
    # else the task's own meta is not an object: kept as it was, and reading it back needs --src
    annotations, predictions = [], []
    preds = _predictions_of(group)
    names = {"from_name": options.get("from_name"), "to_name": options.get("to_name")}
    for rec in group:
        s = rec["sides"][side_tags(rec, [lang])[0]]
        if s["text"] != text:
            raise InputError(f"record {rec['id']!r}: same task as {first['id']!r} but another text")
        rls = (rec.get("meta") or {}).get("labelstudio") or {}
        lay = (s.get("layers") or {}).get("entities")
        chosen = _review_results(rec, rls, field if names["to_name"] is None else names["to_name"])
        if lay is None and "annotation" not in rls and "prediction" not in rls and not chosen:
            continue
        lay = lay or {"items": []}
        prov = lay.get("provenance")
        auto = (prov or {}).get("method") == "auto"
        kind = "prediction" if "prediction" in rls or ("annotation" not in rls and auto and not chosen) \
            else "annotation"
        x = dict(rls.get(kind) or {})
        rnames = rls.get("names") or {}
        from_name = names["from_name"] or rnames.get("from_name") or "label"
        to_name = names["to_name"] or rnames.get("to_name") or "text"
        x["result"] = _results(rec, s["text"], lay, unit, from_name, to_name) + \
            (chosen if kind == "annotation" else []) + list(rls.get("results") or [])
        if prov:
            _fill_provenance(x, kind, prov, preds)
        (predictions if kind == "prediction" else annotations).append(x)
    _put_sets(task, annotations, predictions)
    return task


def _predictions_of(group: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    """The predictions of a task (read as records, or kept in the task), by id."""
    preds = {}
    for rec in group:
        ls = (rec.get("meta") or {}).get("labelstudio") or {}
        kept = (ls.get("task") or {}).get("predictions") if isinstance(ls.get("task"), dict) else None
        for p in [ls.get("prediction"), *(kept if isinstance(kept, list) else ())]:
            if isinstance(p, dict) and "id" in p:
                preds[p["id"]] = p
    return preds


def _put_sets(task: dict[str, Any], annotations: list[Any], predictions: list[Any]) -> None:
    """The annotations and predictions of the records, after those kept unread in the task."""
    if annotations:
        task["annotations"] = list(task.get("annotations") or ()) + annotations
    if predictions:
        task["predictions"] = list(task.get("predictions") or ()) + predictions


def _review_results(rec: dict[str, Any], rls: dict[str, Any], to_name: str) -> list[dict[str, Any]]:
    """A record's review (verdict, defect types, note) as the choices an annotation holds: for records read
    from a Label Studio annotation, and for reviewed records from elsewhere (a verdict is set)."""
    review = (rec.get("meta") or {}).get("review")
    if not isinstance(review, dict) or ("annotation" not in rls and review.get("verdict") is None):
        return []
    out = []
    if review.get("verdict") is not None:
        out.append({"id": "verdict", "from_name": VERDICT_CONTROL, "to_name": to_name, "type": "choices",
                    "value": {"choices": [review["verdict"]]}})
    types = [d if isinstance(d, str) else d.get("type") for d in review.get("defects") or ()
             if isinstance(d, (str, dict))]
    if types:
        out.append({"id": "defects", "from_name": DEFECTS_CONTROL, "to_name": to_name, "type": "choices",
                    "value": {"choices": [t for t in types if isinstance(t, str)]}})
    if isinstance(review.get("note"), str):
        out.append({"id": "note", "from_name": NOTE_CONTROL, "to_name": to_name, "type": "textarea",
                    "value": {"text": [review["note"]]}})
    return out


def _bilingual_task(group: list[dict[str, Any]], tags: list[str], task: dict[str, Any], data: dict[str, Any],
                    meta: dict[str, Any], ls: dict[str, Any], unit: str) -> dict[str, Any]:
    """One task holding every side of a record (``text_1``, ``text_2``, ...), its entities as regions, its
    beads and token links as relations between sentence and token regions."""
    first = group[0]
    task["data"] = {**{side_field(n): first["sides"][t]["text"] for n, t in enumerate(tags, 1)}, **data}
    stored = ls.get("stored")
    if isinstance(stored, dict):
        meta.update(stored)
    else:
        info = {}
        for t in tags:
            side = first["sides"][t]
            entry = {}
            smeta = {k: v for k, v in (side.get("meta") or {}).items() if k != "source_not_nfc"}
            if smeta:
                entry["meta"] = smeta
            kept = {k: v for k, v in (side.get("layers") or {}).items() if k != "entities"}
            if kept:
                entry["layers"] = kept
            if entry:
                info[t] = entry
        if info:
            meta[_SIDES_KEY] = info
        links = [lk for lk in first.get("links") or () if lk.get("src") in tags and lk.get("tgt") in tags]
        if links:
            meta[_LINKS_KEY] = links
    meta[_LANGS_KEY] = tags
    meta[_ID_KEY] = ls.get("record_id", first["id"])
    if first.get("doc") is not None:
        meta[_DOC_KEY] = first["doc"]
    task["meta"] = meta
    annotations, predictions = [], []
    preds = _predictions_of(group)
    to_first = side_field(1)
    for rec in group:
        for t in tags:
            if rec["sides"].get(t, {}).get("text") != first["sides"][t]["text"]:
                raise InputError(f"record {rec['id']!r}: same task as {first['id']!r} but another text on side "
                                 f"{t!r}")
        rls = (rec.get("meta") or {}).get("labelstudio") or {}
        chosen = _review_results(rec, rls, to_first)
        ents = [t for t in tags if "entities" in (rec["sides"][t].get("layers") or {})]
        links = [k for k, lk in enumerate(rec.get("links") or ()) if lk.get("src") in tags and lk.get("tgt") in tags]
        if "annotation" in rls or "prediction" in rls:
            kind = "prediction" if "prediction" in rls else "annotation"
            held = set(rls.get("relations_of") or ())
            links = [k for k in links if layer_key(link=rec["links"][k]) in held]  # the others: stored only
            if kind == "prediction":
                prov: Any = {layer_key(t): rec["sides"][t]["layers"]["entities"].get("provenance") for t in ents}
                prov.update((layer_key(link=rec["links"][k]), rec["links"][k].get("provenance")) for k in links)
                prov = {k: v for k, v in prov.items() if v}
            else:
                prov = next((rec["sides"][t]["layers"]["entities"].get("provenance") for t in ents), None)
            parts = [(kind, prov, ents, links)]
        else:
            parts = _by_provenance(rec, ents, links)
            if chosen and not any(kind == "annotation" for kind, *_ in parts):
                parts.append(("annotation", None, [], []))
        done_choices = False
        for kind, prov, ents_, links_ in parts:
            x = dict(rls.get(kind) or {})
            x["result"] = _bilingual_results(rec, tags, ents_, links_, unit)
            if kind == "annotation" and not done_choices:
                x["result"] += chosen
                done_choices = True
                if not x.get("completed_by") and (rec.get("meta") or {}).get("review", {}).get("reviewer") \
                        and prov is None:
                    x["completed_by"] = rec["meta"]["review"]["reviewer"]
            x["result"] += list(rls.get("results") or [])
            if kind == "prediction" and prov:
                _fill_machine(x, prov, preds)
            elif prov:
                _fill_provenance(x, kind, prov, preds)
            (predictions if kind == "prediction" else annotations).append(x)
    _put_sets(task, annotations, predictions)
    return task


def layer_key(tag: str | None = None, link: dict[str, Any] | None = None) -> str:
    """How a prediction's ``lancang_provenance`` names a layer: ``<tag>/entities`` or
    ``links/<kind>/<src>/<tgt>``."""
    return f"{tag}/entities" if link is None else f"links/{link.get('kind')}/{link.get('src')}/{link.get('tgt')}"


def _by_provenance(rec: dict[str, Any], ents: list[str], links: list[int]
                   ) -> list[tuple[str, Any, list[str], list[int]]]:
    """A foreign record's entity layers and links grouped by provenance: every machine's in ONE prediction
    (a reviewer starts from it whole; its ``provenance`` maps each layer to its own), each person's (or no
    one's) as one annotation."""
    groups: dict[bytes, tuple[str, Any, list[str], list[int]]] = {}
    machine: dict[str, Any] = {}
    units = [(t, None, rec["sides"][t]["layers"]["entities"].get("provenance")) for t in ents] + \
        [(None, k, rec["links"][k].get("provenance")) for k in links]
    for t, k, prov in units:
        auto = (prov or {}).get("method") == "auto"
        if auto:
            machine[layer_key(t) if t is not None else layer_key(link=rec["links"][k])] = prov
        g = groups.setdefault(b"auto" if auto else orjson.dumps(prov, option=orjson.OPT_SORT_KEYS),
                              ("prediction" if auto else "annotation", machine if auto else prov, [], []))
        if t is not None:
            g[2].append(t)
        else:
            g[3].append(k)  # type: ignore[arg-type]
    return list(groups.values())


def _fill_machine(x: dict[str, Any], provs: dict[str, Any], preds: dict[Any, Any]) -> None:
    """A prediction holding the layers of several tools: ``model_version`` names them all, and
    ``lancang_provenance`` (an extra key) maps each layer to its provenance."""
    distinct = {orjson.dumps(p, option=orjson.OPT_SORT_KEYS): p for p in provs.values()}
    if len(distinct) == 1:
        _fill_provenance(x, "prediction", next(iter(distinct.values())), preds)
        return
    x.pop("provenance", None)
    tools = []
    for p in provs.values():
        tool = p.get("tool") or {}
        name = (tool.get("name") or "") + (f"=={tool['version']}" if tool.get("version") else "")
        if name and name not in tools:
            tools.append(name)
    x.setdefault("model_version", "; ".join(tools))
    x[_PROV_KEY] = provs


def _bilingual_results(rec: dict[str, Any], tags: list[str], ents: list[str], links: list[int],
                       unit: str) -> list[dict[str, Any]]:
    number = {t: n for n, t in enumerate(tags, 1)}
    out: list[dict[str, Any]] = []
    for t in ents:
        n = number[t]
        out += _results(rec, rec["sides"][t]["text"], rec["sides"][t]["layers"]["entities"], unit,
                        f"{LABEL_CONTROL}_{n}", side_field(n), prefix=f"{n}.")
    regions: dict[str, dict[str, Any]] = {}

    def region(t: str, kind: str, i: int) -> str:
        n = number[t]
        rid = f"{n}.{kind[0]}{i}"
        if rid not in regions:
            side = rec["sides"][t]
            spans = ((side.get("layers") or {}).get("sentences" if kind == "sentence" else "tokens") or {}).get("spans")
            if not spans or not 0 <= i < len(spans):
                raise InputError(f"record {rec['id']!r}: a link names {kind} {i} of side {t!r}, which has no such "
                                 f"{kind}")
            s, e = spans[i]
            ix = UnitIndex(side["text"], unit)
            regions[rid] = {"id": rid, "from_name": f"{SENTENCE_CONTROL if kind == 'sentence' else TOKEN_CONTROL}_{n}",
                            "to_name": side_field(n), "type": "labels", "readonly": True,
                            "value": {"start": ix.from_cp(s), "end": ix.from_cp(e), "text": side["text"][s:e],
                                      "labels": [kind]}}
        return rid

    rels = []
    for k in links:
        lk = rec["links"][k]
        if lk["kind"] == "beads":
            for bead in lk.get("beads") or ():
                for i in bead["src"]:
                    for j in bead["tgt"]:
                        r = {"from_id": region(lk["src"], "sentence", i), "to_id": region(lk["tgt"], "sentence", j),
                             "type": "relation", "direction": "right", "labels": [BEAD_LABEL]}
                        if "score" in bead:
                            r["attrs"] = {"score": bead["score"]}
                        rels.append(r)
        else:
            for i, j, sp in lk.get("pairs") or ():
                rels.append({"from_id": region(lk["src"], "token", i), "to_id": region(lk["tgt"], "token", j),
                             "type": "relation", "direction": "right",
                             "labels": [SURE_LABEL if sp == "S" else POSSIBLE_LABEL]})
    return out + list(regions.values()) + rels


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


def _results(rec: dict[str, Any], text: str, lay: dict[str, Any], unit: str, from_name: str, to_name: str,
             prefix: str = "") -> list[dict[str, Any]]:
    """An entity layer as ``labels`` regions and ``relation`` results (region ids after ``prefix``)."""
    ix = UnitIndex(text, unit)
    out = []
    for k, it in enumerate(lay.get("items", [])):
        if it.get("fragments"):
            raise InputError(f"record {rec['id']!r}: entity {it.get('id', k)!r} is discontinuous; "
                             "a Label Studio region is one span")
        attrs = dict(it.get("attrs") or {})
        r: dict[str, Any] = {"id": prefix + (it.get("id") or f"r{k + 1}"),
                             "from_name": attrs.pop("from_name", from_name),
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
        r = {"from_id": prefix + args[0]["ref"], "to_id": prefix + args[1]["ref"], "type": "relation",
             "direction": attrs.pop("direction", "right"), "labels": attrs.pop("labels", [rel["label"]])}
        if rel.get("id"):
            r["id"] = prefix + rel["id"]
        roles = [a["role"] for a in args]
        if roles != ["from", "to"]:
            r["roles"] = roles
        if attrs:
            r["attrs"] = attrs
        out.append(r)
    return out


# ------------------------------------------------------------------------ labelling configuration

def config_xml(langs: Sequence[str | None], labels: Sequence[Sequence[str]] | Sequence[str] = (),
               defects: Sequence[str] | None = DEFAULT_DEFECTS, *, sentences: bool = False, tokens: bool = False,
               review: bool = True) -> str:
    """The Label Studio labelling configuration for the tasks this module writes.

    ``langs`` has one tag per side (None where the tasks disagree; one tag: the one-side layout with
    the objects ``text`` and ``label``). ``labels`` is the entity labels, one list per side or one list
    for all. Per side: a header with its tag, ``<Text name="text_<n>" value="$text_<n>">``, the entity
    ``<Labels name="label_<n>">`` and, with ``sentences``/``tokens``, the read-only sentence and token
    regions the alignment relations join; then ``<Relations>`` (bead, sure, possible) and, with
    ``review``, the verdict (pass/fail, required), the defect types (``defects``) and a note."""
    from lxml import etree

    n_sides = len(langs)
    if n_sides < 1:
        raise UsageError("a labelling configuration needs at least one side")
    per_side = [list(labels[k]) for k in range(n_sides)] if labels and not isinstance(labels[0], str) \
        else [list(labels)] * n_sides  # type: ignore[arg-type]
    view = etree.Element("View")
    first_object = "text" if n_sides == 1 else side_field(1)
    for n, tag in enumerate(langs, 1):
        obj = "text" if n_sides == 1 else side_field(n)
        etree.SubElement(view, "Header", value=f"{tag}" if tag else f"Side {n}")
        for name, values in ((LABEL_CONTROL if n_sides == 1 else f"{LABEL_CONTROL}_{n}", per_side[n - 1]),
                             (f"{SENTENCE_CONTROL}_{n}", ["sentence"] if sentences and n_sides > 1 else []),
                             (f"{TOKEN_CONTROL}_{n}", ["token"] if tokens and n_sides > 1 else [])):
            if values:
                ctl = etree.SubElement(view, "Labels", name=name, toName=obj)
                for v in sorted(set(values)):
                    etree.SubElement(ctl, "Label", value=v)
        etree.SubElement(view, "Text", name=obj, value=f"${obj}")
    if n_sides > 1 or sentences or tokens:
        rels = etree.SubElement(view, "Relations")
        for v in (BEAD_LABEL, SURE_LABEL, POSSIBLE_LABEL):
            etree.SubElement(rels, "Relation", value=v)
    if review:
        etree.SubElement(view, "Header", value="Review")
        ch = etree.SubElement(view, "Choices", name=VERDICT_CONTROL, toName=first_object, choice="single-radio",
                              required="true", showInline="true")
        for v in VERDICTS:
            etree.SubElement(ch, "Choice", value=v)
        if defects:
            ch = etree.SubElement(view, "Choices", name=DEFECTS_CONTROL, toName=first_object, choice="multiple",
                                  showInline="true")
            for v in defects:
                etree.SubElement(ch, "Choice", value=v)
        etree.SubElement(view, "TextArea", name=NOTE_CONTROL, toName=first_object, rows="2", editable="true",
                         maxSubmissions="1")
    return etree.tostring(view, encoding="unicode", pretty_print=True)


def config_for_tasks(path: PathLike, *, defects: Sequence[str] | None = DEFAULT_DEFECTS,
                     review: bool | None = None) -> str:
    """The labelling configuration for a file of tasks (read one task at a time): its sides and their
    tags, the entity labels its regions use, sentence and token regions if it has alignment relations,
    and (``review`` None: when a task carries a review slot or a verdict) the review choices."""
    tags: list[Any] = []
    labels: list[set[str]] = []
    seen = {"sentence": False, "token": False, "review": False}
    for line, task in iter_json_values(path):
        if not isinstance(task, dict):
            raise InputError(f"{path}:{line}: a Label Studio task is a JSON object")
        meta = task.get("meta") if isinstance(task.get("meta"), dict) else {}
        named = meta.get(_LANGS_KEY) if isinstance(meta.get(_LANGS_KEY), list) else [meta.get(_LANG_KEY)]
        if not tags:
            tags, labels = list(named), [set() for _ in named]
        elif len(named) != len(tags):
            raise InputError(f"{path}:{line}: task {task.get('id')!r} has {len(named)} sides, the first task "
                             f"{len(tags)}: one labelling configuration fits tasks with the same sides")
        tags = [a if a == b else None for a, b in zip(tags, named)]
        seen["review"] |= "review" in meta or "sample" in meta
        for key in ("annotations", "predictions"):
            for x in task.get(key) or ():
                for r in (x.get("result") or ()) if isinstance(x, dict) else ():
                    if not isinstance(r, dict):
                        continue
                    name = str(r.get("from_name", ""))
                    if name.startswith(SENTENCE_CONTROL + "_"):
                        seen["sentence"] = True
                    elif name.startswith(TOKEN_CONTROL + "_"):
                        seen["token"] = True
                    elif name == VERDICT_CONTROL:
                        seen["review"] = True
                    elif _is_region(r):
                        to = str(r.get("to_name", ""))
                        n = int(to.rsplit("_", 1)[1]) if len(tags) > 1 and to.rsplit("_", 1)[-1].isdigit() else 1
                        if 1 <= n <= len(labels):
                            labels[n - 1].update(x for x in r["value"].get("labels") or () if isinstance(x, str))
    if not tags:
        raise InputError(f"{path}: no tasks: nothing to configure")
    return config_xml(tags, [sorted(s) for s in labels], defects, sentences=seen["sentence"], tokens=seen["token"],
                      review=seen["review"] if review is None else review)


def check_config_out(target: PathLike, fmt: str | None, config_out: PathLike) -> None:
    """Refuse ``--config-out`` before anything is written where there will be no tasks file to read."""
    from . import resolve_format

    if resolve_format(target, fmt, "output").name != FORMAT.name:
        raise UsageError("--config-out writes a Label Studio labelling configuration: the output must be "
                         "labelstudio (--format labelstudio or a .ls.json name)")
    if str(target) == "-":
        raise UsageError("--config-out reads the tasks written: give a file, not standard output")
    if str(config_out) == str(target):
        raise UsageError("--config-out names the tasks file itself")


def write_config(tasks: PathLike, out: PathLike, **kwargs: Any) -> None:
    """Write :func:`config_for_tasks` of ``tasks`` to ``out`` (atomically)."""
    xml = config_for_tasks(tasks, **kwargs)
    with atomic_output(out, "wb") as f:
        f.write(xml.encode("utf-8"))


FORMAT = Format(
    "labelstudio", "Label Studio JSON export: tasks with annotations and predictions (text spans, relations; "
                   "several sides in one task, alignment as relations)",
    (".ls.json",),
    frozenset({"entities", "entity-attrs", "relations", "provenance", "meta", "doc", "sides>2", "sentences", "tokens",
               "token-values", "beads", "token-links", "extension-layers", "codes", "segments", "words"}), read, write,
    max_sides=None,
    read_options=READ_OPTIONS, write_options=WRITE_OPTIONS,
)
