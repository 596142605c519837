"""Apache Parquet (``.parquet``): the canonical records as a columnar table, with the ``parquet`` extra
(``pip install "lancang[parquet]"``, pyarrow).

One row per record and side, in corpus order; the rows of a record are consecutive and share its ``id``:

=============  =================================================  ======================================
column         type                                               holds
=============  =================================================  ======================================
id             string                                             the record id (every row)
doc            string                                             the record's document id (every row)
side           string                                             the side's BCP 47 tag
text           string                                             the side's text (NFC)
sentences      list<list<int32>>                                  ``layers.sentences.spans``
tokens         list<list<int32>>                                  ``layers.tokens.spans``
entities       list<struct<start: int32, end: int32,              ``layers.entities.items`` (the four
               label: string, id: string>>                        fields every entity has)
pos, lemma     list<string>                                       ``layers.pos.values``, ``layers.lemma``
links          string (JSON)                                      the record's links (its first row)
meta           string (JSON)                                      the record's meta (its first row)
extra          string (JSON)                                      the rest of the side, or null
record_extra   string (JSON)                                      the rest of the record, or null
=============  =================================================  ======================================

A null layer column means the side has no such layer (an empty list: the layer is there, empty).
What the typed columns do not hold (provenance, entity attributes, fragments and relations, the
other layers, side meta, media, values of another type) stays in ``extra``: the side as JSON with
every value a typed column holds replaced by ``null``, so the keys keep their places and the round
trip is lossless down to the order of keys (JSONL -> Parquet -> JSONL gives the same bytes).
``extra`` is null when the side is exactly what the typed columns rebuild (text, then the layers
sentences, tokens, pos, lemma, entities in that order, entities as start, end, label, id);
``record_extra`` likewise for the record (id, doc, meta, sides, links).

Writing streams: rows are buffered for ``row_group`` records and written as one row group by
:class:`pyarrow.parquet.ParquetWriter` into the atomic output; reading iterates record batches
(:meth:`pyarrow.parquet.ParquetFile.iter_batches`), so memory stays flat whatever the corpus size.
:func:`to_pandas` gives the rows as a pandas DataFrame; Dask (``dask.dataframe.read_parquet``) and
Hugging Face ``datasets`` (``load_dataset("parquet", data_files=...)``) read the file directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from ...errors import InputError, UsageError
from ..jsonl import PathLike, atomic_output
from . import FEATURES, Format, Option, check_options

INSTALL_HINT = 'Parquet needs pyarrow: pip install "lancang[parquet]"'
#: records a row group holds (writer option row_group)
ROW_GROUP = 2000
#: rows a read batch holds
_BATCH = 1024
_I32 = (-(1 << 31), (1 << 31) - 1)
#: the layers with a typed column: name -> the key of the layer the column holds
SPAN_LAYERS = ("sentences", "tokens")
VALUE_LAYERS = ("pos", "lemma")
#: the order the typed columns rebuild a side's layers in, and an entity's keys
LAYER_ORDER = ("sentences", "tokens", "pos", "lemma", "entities")
ENTITY_KEYS = ("start", "end", "label", "id")
COLUMNS = ("id", "doc", "side", "text", *LAYER_ORDER, "links", "meta", "extra", "record_extra")
#: file metadata key saying who wrote the file and the column layout's version
META_KEY = b"lancang"
META_VALUE = b'{"format":"lancang-parquet","version":1}'


def _pa() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    return pa, pq


def schema() -> Any:
    """The Arrow schema lancang writes (see the module docstring)."""
    pa, _ = _pa()
    spans = pa.list_(pa.list_(pa.int32()))
    strings = pa.list_(pa.string())
    entity = pa.struct([("start", pa.int32()), ("end", pa.int32()), ("label", pa.string()), ("id", pa.string())])
    fields = [("id", pa.string()), ("doc", pa.string()), ("side", pa.string()), ("text", pa.string()),
              ("sentences", spans), ("tokens", spans), ("pos", strings), ("lemma", strings),
              ("entities", pa.list_(entity)), ("links", pa.string()), ("meta", pa.string()),
              ("extra", pa.string()), ("record_extra", pa.string())]
    return pa.schema(fields, metadata={META_KEY: META_VALUE})


# ------------------------------------------------------------------------------ record -> rows

def _is_i32(v: Any) -> bool:
    return type(v) is int and _I32[0] <= v <= _I32[1]


def _spans(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(p, list) and len(p) == 2 and _is_i32(p[0]) and _is_i32(p[1])
                                       for p in v)


def _values(v: Any) -> bool:
    return isinstance(v, list) and all(x is None or isinstance(x, str) for x in v)


def _entity_field(key: str, v: Any) -> bool:
    return _is_i32(v) if key in ("start", "end") else isinstance(v, str)


def _canonical_item(typed: dict[str, Any]) -> dict[str, None]:
    return {k: None for k in ENTITY_KEYS if typed[k] is not None}


def _canonical_side(row: dict[str, Any]) -> dict[str, Any]:
    """The skeleton of the side the typed columns of ``row`` rebuild, every value null."""
    side: dict[str, Any] = {"text": None} if row["text"] is not None else {}
    layers = {name: {_KEY[name]: None} for name in LAYER_ORDER if row[name] is not None}
    if layers:
        side["layers"] = layers
    return side


_KEY = {"sentences": "spans", "tokens": "spans", "pos": "values", "lemma": "values", "entities": "items"}


def _canonical_record(first: dict[str, Any]) -> dict[str, Any]:
    """The skeleton of the record the columns of its first row rebuild: id, doc, meta, sides, links."""
    rec: dict[str, Any] = {"id": None}
    for key in ("doc", "meta", "sides", "links"):
        if key == "sides" or first[key] is not None:
            rec[key] = None
    return rec


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON text: the same values with their keys in the same order."""
    return orjson.dumps(a) == orjson.dumps(b)


def _side_row(side: Any, row: dict[str, Any]) -> None:
    """Fill the typed columns of ``row`` from ``side`` and its ``extra`` with what they do not hold."""
    if not isinstance(side, dict):
        row["extra"] = orjson.dumps(side).decode()
        return
    rest = dict(side)
    if isinstance(side.get("text"), str):
        row["text"] = side["text"]
        rest["text"] = None
    layers = side.get("layers")
    if isinstance(layers, dict):
        rest_layers = dict(layers)
        for name in LAYER_ORDER:
            lay = layers.get(name)
            key = _KEY[name]
            if not isinstance(lay, dict) or key not in lay:
                continue
            value = lay[key]
            if name == "entities":
                if not isinstance(value, list) or not all(isinstance(it, dict) for it in value):
                    continue
                typed = [{k: it.get(k) if _entity_field(k, it.get(k)) else None for k in ENTITY_KEYS} for it in value]
                skeletons = [{k: (None if k in ENTITY_KEYS and t[k] is not None else v) for k, v in it.items()}
                             for it, t in zip(value, typed)]
                row[name] = typed
                canonical = all(_same(s, _canonical_item(t)) for s, t in zip(skeletons, typed))
                rest_layers[name] = {**lay, key: None if canonical else skeletons}
            elif _spans(value) if name in SPAN_LAYERS else _values(value):
                row[name] = value
                rest_layers[name] = {**lay, key: None}
        rest["layers"] = rest_layers
    if not _same(rest, _canonical_side(row)):
        row["extra"] = orjson.dumps(rest).decode()


def record_rows(rec: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of one record (see the module docstring)."""
    rid = rec.get("id")
    if not isinstance(rid, str):
        raise InputError(f"record {rid!r}: /id is not a string; a Parquet row needs the record id")
    doc = rec.get("doc") if isinstance(rec.get("doc"), str) else None
    rest = dict(rec)
    rest["id"] = None
    if doc is not None:
        rest["doc"] = None
    first: dict[str, Any] = dict.fromkeys(COLUMNS)
    for key in ("links", "meta"):
        if key in rec:
            first[key] = orjson.dumps(rec[key]).decode()
            rest[key] = None
    sides = rec.get("sides")
    rows = []
    if isinstance(sides, dict) and sides:
        rest["sides"] = None
        for k, (lang, side) in enumerate(sides.items()):
            row = first if k == 0 else dict.fromkeys(COLUMNS)
            row.update(id=rid, doc=doc, side=lang)
            _side_row(side, row)
            rows.append(row)
    else:  # no sides (or not an object): one row holds the record
        first.update(id=rid, doc=doc)
        rows.append(first)
    if not _same(rest, _canonical_record(first)):
        first["record_extra"] = orjson.dumps(rest).decode()
    return rows


# ------------------------------------------------------------------------------------- writing

def _row_group_size(options: dict[str, Any]) -> int:
    n = options.get("row_group", ROW_GROUP)
    if type(n) is not int or n < 1:
        raise UsageError(f"format 'parquet': writer option row_group={n!r} is not a positive whole number")
    return n


def _no_gzip(path: PathLike) -> None:
    if str(path).lower().endswith(".gz"):
        raise UsageError(f"{path}: a Parquet file compresses itself (-O compression=...); do not gzip it")


def write(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    check_options(FORMAT, "writer", options)
    pa, pq = _pa()
    group = _row_group_size(options)
    compression = options.get("compression", "zstd")
    _no_gzip(path)
    sch = schema()
    n = 0
    with atomic_output(path, "wb") as f:
        writer = pq.ParquetWriter(f, sch, compression=compression)
        try:
            buf: list[dict[str, Any]] = []
            pending = 0
            for rec in records:
                buf.extend(record_rows(rec))
                n += 1
                pending += 1
                if pending == group:
                    _flush(pa, writer, sch, buf)
                    buf, pending = [], 0
            if buf:
                _flush(pa, writer, sch, buf)
        finally:
            writer.close()
    return n


def _flush(pa: Any, writer: Any, sch: Any, rows: list[dict[str, Any]]) -> None:
    """Write ``rows`` as one row group."""
    table = pa.Table.from_pylist(rows, schema=sch)
    writer.write_table(table, row_group_size=max(1, len(rows)))


# ------------------------------------------------------------------------------------- reading

def _spooled(path: PathLike) -> Any:
    """stdin, a pipe or a FIFO copied to an anonymous temporary file: Parquet is read from its footer, at the
    end, so it needs a file it can seek in (on disk, never in memory)."""
    import shutil
    import tempfile

    from ..io import open_input

    tmp = tempfile.TemporaryFile()  # noqa: SIM115 (unlinked already; it lives as long as its ParquetFile)
    try:
        with open_input(path, decompress=False) as f:
            shutil.copyfileobj(f, tmp, 1 << 20)
        tmp.seek(0)
    except BaseException:
        tmp.close()
        raise
    return tmp


def _open(path: PathLike) -> Any:
    _, pq = _pa()
    _no_gzip(path)
    p = Path(path)
    if str(path) != "-" and p.is_dir():
        raise InputError(f"{p}: is a directory, not a Parquet file")
    if str(path) != "-" and not p.exists():
        raise InputError(f"{p}: no such file")
    source: Any = str(p) if str(path) != "-" and p.is_file() else _spooled(path)
    try:
        pf = pq.ParquetFile(source)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ... for a file that is not Parquet
        raise InputError(f"{p}: not a Parquet file ({_first_line(exc)})") from None
    names = set(pf.schema_arrow.names)
    missing = [c for c in ("id", "side", "text") if c not in names]
    if missing:
        raise InputError(f"{p}: not a lancang Parquet table: no column {', '.join(missing)} "
                         "(one row per record and side: id, side, text, ...)")
    return pf


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def read(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    check_options(FORMAT, "reader", options)
    return _read(path)


def _rows(path: PathLike) -> Iterator[dict[str, Any]]:
    pf = _open(path)
    cols = [c for c in COLUMNS if c in pf.schema_arrow.names]
    try:
        for batch in pf.iter_batches(batch_size=_BATCH, columns=cols):
            for row in batch.to_pylist():
                for c in COLUMNS:
                    row.setdefault(c, None)
                yield row
    except Exception as exc:  # a corrupt page, a column of another type
        raise InputError(f"{path}: cannot read the Parquet data ({_first_line(exc)})") from None


def _read(path: PathLike) -> Iterator[dict[str, Any]]:
    group: list[dict[str, Any]] = []
    start = 0
    for n, row in enumerate(_rows(path)):
        if not isinstance(row["id"], str):
            raise InputError(f"{path}: row {n}: the id is null")
        if group and row["id"] != group[0]["id"]:
            yield _record(group, path, start)
            group, start = [], n
        group.append(row)
    if group:
        yield _record(group, path, start)


def _json(value: str | None, what: str, where: str) -> Any:
    try:
        return orjson.loads(value)  # type: ignore[arg-type]
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{where}: column {what} is not JSON ({exc})") from None


def _record(rows: list[dict[str, Any]], path: PathLike, start: int) -> dict[str, Any]:
    """One record from its rows (the first of which is row number ``start`` of the file)."""
    first = rows[0]
    rid = first["id"]
    where = f"{path}: row {start} (record {rid!r})"
    if first["record_extra"] is not None:
        rec = _json(first["record_extra"], "record_extra", where)
        if not isinstance(rec, dict):
            raise InputError(f"{where}: column record_extra is not a JSON object")
    else:
        rec = _canonical_record(first)
    rec["id"] = rid
    if first["doc"] is not None:
        rec["doc"] = first["doc"]
    for key in ("meta", "links"):
        if first[key] is not None:
            rec[key] = _json(first[key], key, where)
    sides: dict[str, Any] = {}
    for k, row in enumerate(rows):
        lang = row["side"]
        if lang is None:
            if len(rows) > 1:
                raise InputError(f"{path}: row {start + k} (record {rid!r}): the side is null")
            break
        if lang in sides:
            raise InputError(f"{path}: row {start + k} (record {rid!r}): side {lang!r} again")
        sides[lang] = _side(row, f"{path}: row {start + k} (record {rid!r}, side {lang})")
    if sides:
        rec["sides"] = sides
    elif rec.get("sides", ...) is None:
        raise InputError(f"{where}: the record has no side")
    return rec


def _side(row: dict[str, Any], where: str) -> Any:
    if row["extra"] is None:
        side: Any = _canonical_side(row)
    else:
        side = _json(row["extra"], "extra", where)
    if not isinstance(side, dict):
        if any(row[c] is not None for c in ("text", *LAYER_ORDER)):
            raise InputError(f"{where}: column extra is not a JSON object")
        return side
    if row["text"] is not None:
        side["text"] = row["text"]
    typed = [name for name in LAYER_ORDER if row[name] is not None]
    if not typed:
        return side
    layers = side.setdefault("layers", {})
    if not isinstance(layers, dict):
        raise InputError(f"{where}: column extra: layers is not a JSON object")
    for name in typed:
        lay = layers.setdefault(name, {})
        if not isinstance(lay, dict):
            raise InputError(f"{where}: column extra: layer {name} is not a JSON object")
        value = row[name]
        if name == "entities":
            value = _items(value, lay.get("items"), where)
        lay[_KEY[name]] = value
    return side


def _items(typed: list[Any], skeletons: Any, where: str) -> list[dict[str, Any]]:
    if skeletons is None:
        skeletons = [_canonical_item(t) if isinstance(t, dict) else None for t in typed]
    if not isinstance(skeletons, list) or len(skeletons) != len(typed):
        raise InputError(f"{where}: column extra: the entities do not match the entities column")
    items = []
    for t, s in zip(typed, skeletons):
        if not isinstance(t, dict) or not isinstance(s, dict):
            raise InputError(f"{where}: an entity is null")
        item = dict(s)
        for k in ENTITY_KEYS:
            if t.get(k) is not None:
                item[k] = t[k]
        items.append(item)
    return items


# ------------------------------------------------------------------------------------- pandas

def to_pandas(path: PathLike, columns: Iterable[str] | None = None, *, fmt: str | None = None,
              langs: Any = None, **options: Any) -> Any:
    """The rows of a corpus (one per record and side, the columns of the module docstring) as a pandas
    DataFrame. A Parquet file is read by pyarrow directly (``columns`` chooses some); a corpus in any
    other format is read through the hub (``fmt``, ``langs`` and reader ``options`` as for
    :func:`~lancang.corpora.formats.read_corpus`) and turned into rows one row group at a time. A
    DataFrame lives in memory: choose the columns you need for a large corpus, or read the Parquet
    file with Dask (``dask.dataframe.read_parquet``)."""
    from . import read_corpus, resolve_format

    pa, pq = _pa()
    cols = list(columns) if columns is not None else None
    unknown = [c for c in cols or () if c not in COLUMNS]
    if unknown:
        raise UsageError(f"no column {', '.join(unknown)}; the columns are {', '.join(COLUMNS)}")
    if resolve_format(path, fmt, "input").name == "parquet":
        pf = _open(path)
        try:
            table = pf.read(columns=cols)
        except Exception as exc:
            raise InputError(f"{path}: cannot read the Parquet data ({_first_line(exc)})") from None
    else:
        sch = schema()
        parts, buf = [], []
        for k, rec in enumerate(read_corpus(path, fmt, langs, **options), 1):
            buf.extend(record_rows(rec))
            if k % ROW_GROUP == 0:
                parts.append(pa.Table.from_pylist(buf, schema=sch))
                buf = []
        parts.append(pa.Table.from_pylist(buf, schema=sch))
        table = pa.concat_tables(parts)
        if cols is not None:
            table = table.select(cols)
    return table.to_pandas()


FORMAT = Format(
    "parquet", "Apache Parquet, one row per record and side, layers as nested columns (needs the parquet extra)",
    (".parquet",), frozenset(FEATURES), read, write,
    read_options={},
    write_options={
        "row_group": Option(ROW_GROUP, "records in one row group (the writer holds one row group in memory)"),
        "compression": Option("zstd", "compression of the column chunks",
                              ("zstd", "snappy", "gzip", "lz4", "none")),
    },
)
