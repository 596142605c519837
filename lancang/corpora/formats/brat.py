"""brat standoff: a ``.txt`` and an ``.ann`` per document; one record per document.

A corpus is a folder (every ``*.ann`` under it, with the ``.txt`` beside it; the record id is the
path without suffix, relative to the folder) or one ``.ann``/``.txt`` pair. The language is
``--src``, which reading requires: brat does not say it.

``.ann`` lines and where they go (all on the record's one side):

* ``T`` text-bound annotations -> ``entities.items`` (``id``, ``label``, ``start``/``end``; more
  than one fragment, ``0 5;8 12``, -> ``fragments``);
* ``R`` relations -> ``entities.relations`` with their roles (``Arg1``, ``Arg2``);
* ``E`` events -> relations whose first argument has the role ``trigger`` (the trigger's ``T``),
  then the event's own arguments; ``*`` equivalences -> relations without id whose arguments all
  have the role ``*``;
* ``A``/``M`` attributes -> ``attrs[name]`` of their target (``true`` for binary ones); ``#``
  notes -> ``attrs["#<type>"]`` (the note text); ``N`` normalisations ->
  ``attrs["N:<type>"]`` (a list of ``{"ref", "text"}``).

``meta.brat`` keeps the order of the lines and the ids of attributes, notes and normalisations,
so writing what was read gives the same ``.ann``; it is only a layout hint (annotations added
later are written after the rest, with fresh ids).

Offsets are characters of the ``.txt`` as brat counted them. A BOM and CRLF line ends are
detected: brat (1.3, Python 2 universal newlines) counts a CRLF as one character and a BOM as
one; other tools differ, so each convention is tried against the span texts quoted in the ``T``
lines and the one that matches them all is used (``bom_counts``/``crlf_units`` options force
one). The canonical text drops the BOM, has LF line ends and is NFC; offsets are mapped exactly
(:mod:`lancang.corpora.offsets`) and one that cannot be (inside a sequence NFC composes) is an
error. ``meta.brat`` records the BOM and CRLF so the ``.txt`` is written back as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ...errors import InputError, UsageError
from ..io import folder_output
from ..jsonl import PathLike
from ..offsets import OffsetError, SourceText, render_source, source_for_canonical
from . import Format, Option, check_options, given_lang, pick_side

_ID = re.compile(r"[A-Za-z]+[0-9]+\Z|#[A-Za-z]*[0-9]+\Z")
_OFFSETS = re.compile(r"([0-9]+) ([0-9]+)\Z")
READ_OPTIONS = {
    "bom_counts": Option(None, "whether brat counted the .txt's BOM as a character (true/false; default: "
                               "the convention the quoted span texts fit)", (None, True, False)),
    "crlf_units": Option(None, "how many characters a CRLF line end counts for (1 = brat, 2 = byte-like tools; "
                               "default: the convention the quoted span texts fit)", (None, 1, 2)),
}
#: conventions tried, in order, when a .txt has a BOM or CRLF line ends
_CONVENTIONS = ((True, 1), (False, 1), (True, 2), (False, 2))


# ---------------------------------------------------------------------------------- reading

def read(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    check_options(FORMAT, "reader", options)
    p = Path(path)
    lang = given_lang(langs, path, "a brat corpus")
    if p.is_dir():
        anns = sorted(p.rglob("*.ann"))
        for ann in anns:
            rid = ann.relative_to(p).with_suffix("").as_posix()
            txt = ann.with_suffix(".txt")
            _confined(p, ann, txt)
            yield read_document(ann, txt, rid, lang, **options)
    elif p.suffix in (".ann", ".txt"):
        ann, txt = p.with_suffix(".ann"), p.with_suffix(".txt")
        if not ann.exists() and not txt.exists():
            raise InputError(f"{p}: no such file")
        _confined(p.parent, ann, txt)
        yield read_document(ann, txt, p.stem, lang, **options)
    elif not p.exists():
        raise InputError(f"{p}: no such file or folder")
    else:
        raise InputError(f"{p}: a brat corpus is a folder or a .ann/.txt pair")


def _confined(root: Path, *files: Path) -> None:
    """Refuse a file that is a symlink (or under one) leading out of the folder the reader was given:
    the error names the link, never its target or content."""
    top = root.resolve()
    for f in files:
        if (f.exists() or f.is_symlink()) and not f.resolve().is_relative_to(top):
            raise InputError(f"{f}: a symbolic link leading outside {root}; brat files are read only "
                             f"from inside the folder given")


class _Line:
    __slots__ = ("n", "id", "kind", "fields")

    def __init__(self, n: int, id: str, kind: str, fields: list[str]):
        self.n, self.id, self.kind, self.fields = n, id, kind, fields


def read_document(ann: Path, txt: Path, rid: str, lang: str, *, bom_counts: bool | None = None,
                  crlf_units: int | None = None) -> dict[str, Any]:
    """One brat document as a record."""
    if not txt.exists():
        raise InputError(f"{ann}: the text file {txt.name} is missing")
    raw = _decode(txt, txt.read_bytes())
    lines = _parse_ann(ann) if ann.exists() else []
    spans = [(ln, _parse_offsets(ann, ln)) for ln in lines if ln.kind == "T"]
    src = _choose_source(ann, raw, spans, bom_counts, crlf_units)
    text = src.text

    items: list[dict[str, Any]] = []
    by_id: dict[str, dict[str, Any]] = {}
    for ln, frags in spans:
        try:
            cf = [[src.to_canonical(s), src.to_canonical(e)] for s, e in frags]
        except OffsetError as exc:
            raise InputError(f"{ann}:{ln.n}: {ln.id}: {exc}") from None
        label = ln.fields[0].split(" ", 1)[0]
        it: dict[str, Any] = {"id": ln.id, "start": min(s for s, _ in cf), "end": max(e for _, e in cf),
                              "label": label}
        if len(cf) > 1:
            it["fragments"] = cf
        items.append(it)
        by_id[ln.id] = it

    relations: list[dict[str, Any]] = []
    rel_lines: list[int] = []
    order: list[str] = []
    attr_ids: dict[str, list[Any]] = {}
    pending_attrs: list[_Line] = []
    for ln in lines:
        order.append(ln.id)
        if ln.kind == "R":
            label, *args = ln.fields[0].split(" ")
            rel = {"id": ln.id, "label": label, "args": [_arg(ann, ln, a) for a in args if a]}
            relations.append(rel)
            rel_lines.append(ln.n)
            by_id[ln.id] = rel
        elif ln.kind == "E":
            head, *args = ln.fields[0].split(" ")
            label, _, trigger = head.partition(":")
            if not trigger:
                raise InputError(f"{ann}:{ln.n}: event {ln.id} has no trigger (Type:T1 expected)")
            rel = {"id": ln.id, "label": label,
                   "args": [{"role": "trigger", "ref": trigger}] + [_arg(ann, ln, a) for a in args if a]}
            relations.append(rel)
            rel_lines.append(ln.n)
            by_id[ln.id] = rel
        elif ln.kind == "*":
            label, *refs = ln.fields[0].split(" ")
            relations.append({"label": label, "args": [{"role": "*", "ref": r} for r in refs if r]})
            rel_lines.append(ln.n)
        elif ln.kind in "AMN#":
            pending_attrs.append(ln)
    for ln in pending_attrs:
        attr_ids[ln.id] = _attach(ann, ln, by_id)

    for rel, n in zip(relations, rel_lines):
        for a in rel["args"]:
            if a["ref"] not in by_id:
                raise InputError(f"{ann}:{n}: {rel.get('id', '*')} refers to {a['ref']!r}, "
                                 "which the file does not define")
    side: dict[str, Any] = {"text": text}
    if items or relations:
        lay: dict[str, Any] = {"items": items}
        if relations:
            lay["relations"] = _definition_order(relations)
        side["layers"] = {"entities": lay}
    bmeta: dict[str, Any] = {"order": order}
    if attr_ids:
        bmeta["attr_ids"] = attr_ids
    if src.bom:
        bmeta["bom"] = True
        bmeta["bom_counts"] = src.bom_counts
    if src.crlf:
        bmeta["crlf"] = True
        bmeta["crlf_units"] = src.crlf_units
    side["meta"] = {"brat": bmeta}
    if src.nfc_changed:
        side["meta"]["source_not_nfc"] = True
    return {"id": rid, "sides": {lang: side}}


def _decode(p: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(f"{p}:{line}: invalid UTF-8 at byte {exc.start + 1}") from None


def _parse_ann(ann: Path) -> list[_Line]:
    out = []
    seen: set[str] = set()
    text = _decode(ann, ann.read_bytes()).removeprefix("\ufeff")
    for n, line in enumerate(text.split("\n"), 1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        fields = line.split("\t", 2) if line[:1] in "TN#" else line.split("\t")
        lid = fields[0]
        kind = lid[:1]
        if lid == "*":
            pass
        elif not _ID.match(lid) or kind not in "TREAMN#":
            raise InputError(f"{ann}:{n}: {lid!r} is not a brat annotation id (T1, R1, E1, A1, M1, N1, #1 or *)")
        elif lid in seen:
            raise InputError(f"{ann}:{n}: id {lid} is used twice")
        seen.add(lid)
        want = 3 if kind in "N#" else 2
        if len(fields) < want or (kind not in "TN#" and len(fields) > 2 and any(fields[2:])):
            raise InputError(f"{ann}:{n}: a {kind} line has {want} tab-separated fields, this one has {len(fields)}")
        out.append(_Line(n, lid, kind, fields[1:]))
    return out


def _parse_offsets(ann: Path, ln: _Line) -> list[tuple[int, int]]:
    label, _, rest = ln.fields[0].partition(" ")
    frags = []
    for part in rest.split(";"):
        m = _OFFSETS.match(part)
        if not label or m is None:
            raise InputError(f"{ann}:{ln.n}: {ln.id}: expected 'Type start end[;start end]', got {ln.fields[0]!r}")
        s, e = int(m.group(1)), int(m.group(2))
        if e < s:
            raise InputError(f"{ann}:{ln.n}: {ln.id}: span {s} {e} ends before it starts")
        frags.append((s, e))
    return frags


def _span_text(text: str, frags: Iterable[tuple[int, int]]) -> str:
    """The text a T line quotes: its fragments joined by a space, line breaks as spaces."""
    return " ".join(text[s:e] for s, e in frags).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def _choose_source(ann: Path, raw: str, spans: list[tuple[_Line, list[tuple[int, int]]]],
                   bom_counts: bool | None, crlf_units: int | None) -> SourceText:
    has_bom, has_crlf = raw.startswith("\ufeff"), "\r\n" in raw
    bcs = [bom_counts] if bom_counts is not None else [True, False]
    cus = [crlf_units] if crlf_units is not None else [1, 2]
    tried = [c for c in _CONVENTIONS if c[0] in bcs[:1 + has_bom] and c[1] in cus[:1 + has_crlf]]
    first_err = None
    for bc, cu in tried:
        src = SourceText(raw, bom_counts=bc, crlf_units=cu)
        counted = src.counted()
        n = len(counted)
        for ln, frags in spans:
            bad = next(((s, e) for s, e in frags if e > n), None)
            if bad is not None:
                err = f"{ann}:{ln.n}: {ln.id}: offset {bad[1]} is past the end of the text ({n} characters)"
                break
            quoted = ln.fields[1] if len(ln.fields) > 1 else None
            if quoted is not None and quoted != _span_text(counted, frags) \
                    and quoted != " ".join(counted[s:e] for s, e in frags):
                err = (f"{ann}:{ln.n}: {ln.id}: the .ann quotes {quoted!r} but the .txt has "
                       f"{_span_text(counted, frags)!r} at {';'.join(f'{s} {e}' for s, e in frags)}")
                break
        else:
            return src
        first_err = first_err or err
    raise InputError(first_err or f"{ann}: no offset convention fits")


def _arg(ann: Path, ln: _Line, a: str) -> dict[str, str]:
    role, _, ref = a.partition(":")
    if not role or not ref:
        raise InputError(f"{ann}:{ln.n}: {ln.id}: argument {a!r} is not Role:Id")
    return {"role": role, "ref": ref}


def _attach(ann: Path, ln: _Line, by_id: dict[str, dict[str, Any]]) -> list[Any]:
    """Put an A/M/N/# line into its target's attrs; returns where it went (for the layout)."""
    parts = ln.fields[0].split(" ")
    if len(parts) < 2 or not parts[0]:
        raise InputError(f"{ann}:{ln.n}: {ln.id}: expected 'Name Target ...', got {ln.fields[0]!r}")
    name, target = parts[0], parts[1]
    obj = by_id.get(target)
    if obj is None:
        raise InputError(f"{ann}:{ln.n}: {ln.id} refers to {target!r}, which the file does not define")
    attrs = obj.setdefault("attrs", {})
    if ln.kind in "AM":
        if len(parts) > 3:
            raise InputError(f"{ann}:{ln.n}: {ln.id}: an attribute has one value, got {' '.join(parts[2:])!r}")
        key = name
        value: Any = parts[2] if len(parts) == 3 else True
        if key in attrs:
            raise InputError(f"{ann}:{ln.n}: {ln.id}: attribute {name} is set twice on {target}")
        attrs[key] = value
        return [target, key]
    if ln.kind == "N":
        if len(parts) != 3:
            raise InputError(f"{ann}:{ln.n}: {ln.id}: expected 'Type Target Ref', got {ln.fields[0]!r}")
        key = f"N:{name}"
        lst = attrs.setdefault(key, [])
        lst.append({"ref": parts[2], "text": ln.fields[1]})
        return [target, key, len(lst) - 1]
    if len(parts) != 2:
        raise InputError(f"{ann}:{ln.n}: {ln.id}: expected 'Type Target', got {ln.fields[0]!r}")
    key = f"#{name}"
    if key in attrs:
        prev = attrs[key]
        attrs[key] = (prev if isinstance(prev, list) else [prev]) + [ln.fields[1]]
        return [target, key, len(attrs[key]) - 1]
    attrs[key] = ln.fields[1]
    return [target, key]


def _definition_order(relations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Relations reordered (stably) so that one referring to another comes after it."""
    ids = {r["id"] for r in relations if "id" in r}
    done: set[str] = set()
    out: list[dict[str, Any]] = []
    rest = list(relations)
    while rest:
        later = []
        for r in rest:
            if all(a["ref"] not in ids or a["ref"] in done for a in r["args"]):
                out.append(r)
                if "id" in r:
                    done.add(r["id"])
            else:
                later.append(r)
        if len(later) == len(rest):  # a cycle: keep file order for what is left
            out.extend(later)
            break
        rest = later
    return out


# ---------------------------------------------------------------------------------- writing

def write(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    """Write a folder of .txt/.ann pairs (or one pair when ``path`` ends in .ann).

    Files go to a temporary folder first and are moved into place only when every record was
    written, so a failure leaves the target as it was.
    """
    check_options(FORMAT, "writer", options)
    target = Path(path)
    single = target.suffix == ".ann"
    parent = target.parent if single else target
    n = 0
    with folder_output(parent) as tmp:  # all or nothing: files move into place when every record is written
        names = set()
        for rec in records:
            if single and n:
                raise UsageError(f"{target}: one .ann holds one document; write a folder for {n + 1} or more records")
            name = target.stem if single else _file_name(rec["id"])
            if name in names:
                raise InputError(f"record {rec['id']!r}: a document of that name was already written")
            names.add(name)
            txt, ann = render_document(rec, _pick_side(rec, langs))
            out = tmp / name
            out.parent.mkdir(parents=True, exist_ok=True)
            out.with_name(out.name + ".txt").write_bytes(txt.encode("utf-8"))
            out.with_name(out.name + ".ann").write_bytes(ann.encode("utf-8"))
            n += 1
    return n


def _file_name(rid: str) -> str:
    parts = rid.split("/")
    if not rid or any(p in ("", ".", "..") for p in parts) or "\\" in rid or "\0" in rid:
        raise InputError(f"record {rid!r}: its id cannot be used as a brat file name")
    return rid


def _pick_side(rec: dict[str, Any], langs: Any) -> str:
    return pick_side(rec, langs, "brat")


def render_document(rec: dict[str, Any], lang: str) -> tuple[str, str]:
    """``(.txt content, .ann content)`` of one record's side."""
    rid = rec["id"]
    side = rec["sides"][lang]
    text = side["text"]
    bmeta = (side.get("meta") or {}).get("brat") or {}
    bom, crlf = bool(bmeta.get("bom")), bool(bmeta.get("crlf"))
    to_src: Any = int
    counted = text
    if bom or crlf:
        src = source_for_canonical(text, bom=bom, crlf=crlf, bom_counts=bmeta.get("bom_counts", True),
                                   crlf_units=bmeta.get("crlf_units", 1))
        if src.text != text:
            raise InputError(f"record {rid!r}: the text is not NFC with LF line ends, which meta.brat "
                             "(bom/crlf) needs; drop meta.brat or normalise the text")
        to_src, counted = src.from_canonical, src.counted()
    lay = (side.get("layers") or {}).get("entities") or {}
    items = lay.get("items", [])
    relations = lay.get("relations", [])

    # ids: keep brat-shaped ones, give the others fresh numbers
    used = {x["id"] for x in [*items, *relations] if x.get("id")}
    rename: dict[str, str] = {}
    counters: dict[str, int] = {}

    def fresh(prefix: str) -> str:
        k = counters.get(prefix, 0)
        while True:
            k += 1
            cand = f"{prefix}{k}"
            if cand not in used:
                used.add(cand)
                counters[prefix] = k
                return cand

    ent_ids = []
    for it in items:
        eid = it.get("id")
        if not eid or not re.fullmatch(r"T[0-9]+", eid):
            new = fresh("T")
            if eid:
                rename[eid] = new
            eid = new
        ent_ids.append(eid)
    rel_ids: list[str | None] = []
    for rel in relations:
        rid_ = rel.get("id")
        is_equiv = all(a["role"] == "*" for a in rel["args"]) and rid_ is None
        is_event = bool(rel["args"]) and rel["args"][0]["role"] == "trigger"
        want = "E" if is_event else "R"
        if is_equiv:
            rel_ids.append(None)
            continue
        if not rid_ or not re.fullmatch(want + r"[0-9]+", rid_):
            new = fresh(want)
            if rid_:
                rename[rid_] = new
            rid_ = new
        rel_ids.append(rid_)

    def ref(x: str) -> str:
        return rename.get(x, x)

    lines: dict[str, str] = {}
    equivs: list[str] = []
    for it, eid in zip(items, ent_ids):
        frags = it.get("fragments") or [[it["start"], it["end"]]]
        try:
            sf = [(to_src(s), to_src(e)) for s, e in frags]
        except Exception as exc:
            raise InputError(f"record {rid!r}: entity {it.get('id', eid)}: {exc}") from None
        label = _token(rid, "label", it["label"], colon=True)
        lines[eid] = f"{eid}\t{label} {';'.join(f'{s} {e}' for s, e in sf)}\t{_span_text(counted, sf)}"
    for rel, rid_ in zip(relations, rel_ids):
        label = _token(rid, "relation label", rel["label"])
        args = rel["args"]
        if rid_ is None:
            equivs.append(f"*\t{label} " + " ".join(ref(a["ref"]) for a in args))
        elif rid_.startswith("E"):
            rest = " ".join(f"{_token(rid, 'role', a['role'])}:{ref(a['ref'])}" for a in args[1:])
            lines[rid_] = f"{rid_}\t{label}:{ref(args[0]['ref'])} {rest}"
        else:
            lines[rid_] = f"{rid_}\t{label} " + " ".join(f"{_token(rid, 'role', a['role'])}:{ref(a['ref'])}"
                                                          for a in args)

    # attributes, notes and normalisations, with the ids the layout remembers
    attr_ids = bmeta.get("attr_ids") or {}
    where = {tuple(v): k for k, v in attr_ids.items()}
    used.update(attr_ids)  # reserved for the annotations they named
    emitted: set[str] = set()
    owners = [(eid, it.get("attrs") or {}) for it, eid in zip(items, ent_ids)]
    owners += [(r, rel.get("attrs") or {}) for rel, r in zip(relations, rel_ids) if r is not None]
    attr_lines: list[tuple[str, str]] = []
    original = {ref_: orig for orig, ref_ in rename.items()}
    for owner, attrs in owners:
        key_owner = original.get(owner, owner)
        for key, value in attrs.items():
            values = value if key.startswith("N:") or (key.startswith("#") and isinstance(value, list)) else [value]
            for i, v in enumerate(values):
                indexed = key.startswith("N:") or (isinstance(value, list) and i > 0)
                pos = (key_owner, key, i) if indexed else (key_owner, key)
                lid = where.get(pos)
                if lid is None or lid in emitted or lid in lines:
                    prefix = "N" if key.startswith("N:") else "#" if key.startswith("#") else "A"
                    lid = fresh(prefix)
                emitted.add(lid)
                attr_lines.append((lid, _attr_line(rid, lid, owner, key, v)))
    for lid, line in attr_lines:
        lines[lid] = line

    out: list[str] = []
    written: set[str] = set()
    k_equiv = 0
    for lid in bmeta.get("order", ()):
        if lid == "*":
            if k_equiv < len(equivs):
                out.append(equivs[k_equiv])
                k_equiv += 1
        elif lid in lines and lid not in written:
            out.append(lines[lid])
            written.add(lid)
    rest = [lid for lid in lines if lid not in written]
    for lid in rest:
        if lid[0] == "T":
            out.append(lines[lid])
    for lid in rest:
        if lid[0] in "RE":
            out.append(lines[lid])
    out.extend(equivs[k_equiv:])
    for lid in rest:
        if lid[0] not in "TRE":
            out.append(lines[lid])
    ann = "".join(line + "\n" for line in out)
    return render_source(text, bom=bom, crlf=crlf), ann


def _token(rid: str, what: str, v: Any, colon: bool = False) -> str:
    if not isinstance(v, str) or not v or any(c.isspace() for c in v) or (":" in v and not colon):
        raise InputError(f"record {rid!r}: {what} {v!r} cannot be written to brat (white space, ':' or empty)")
    return v


def _attr_line(rid: str, lid: str, owner: str, key: str, v: Any) -> str:
    if key.startswith("N:"):
        if not isinstance(v, dict) or not isinstance(v.get("ref"), str) or not isinstance(v.get("text", ""), str):
            raise InputError(f"record {rid!r}: {owner}: normalisation {key} must be a list of {{ref, text}}")
        ref = _token(rid, "reference", v["ref"], colon=True)
        return f"{lid}\t{_token(rid, 'name', key[2:])} {owner} {ref}\t{v.get('text', '')}"
    if key.startswith("#"):
        if not isinstance(v, str) or "\n" in v:
            raise InputError(f"record {rid!r}: {owner}: note {key} must be one line of text")
        return f"{lid}\t{_token(rid, 'note type', key[1:] or 'AnnotatorNotes')} {owner}\t{v}"
    name = _token(rid, "attribute", key)
    if v is True:
        return f"{lid}\t{name} {owner}"
    if isinstance(v, str):
        return f"{lid}\t{name} {owner} {_token(rid, 'attribute value', v, colon=True)}"
    raise InputError(f"record {rid!r}: {owner}: attribute {key} = {v!r} cannot be written to brat "
                     "(values are true or one word)")


FORMAT = Format(
    "brat", "brat standoff (.txt + .ann), a folder of documents, one record each", (".ann",),
    frozenset({"entities", "discontinuous", "entity-attrs", "relations", "meta"}), read, write, max_sides=1,
    read_options=READ_OPTIONS, write_options={},
)
