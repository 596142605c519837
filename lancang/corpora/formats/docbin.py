"""spaCy DocBin (``.spacy``), with the ``spacy`` extra (``pip install "lancang[spacy]"``).

One record per Doc, one side. What spaCy holds natively is written natively, so spaCy reads the
file as a training corpus: the text (tokens and their trailing spaces), ``pos`` (UPOS), ``xpos``
(``tag_``), ``lemma``, ``feats`` (``morph``), ``head`` + ``deprel`` (``head``/``dep_``; the root's
head is itself in spaCy and 0 in lancang, which counts heads from 1 like CoNLL-U), ``sentences``
(sentence starts) and ``entities`` (``doc.ents``: token-aligned, not overlapping). What spaCy has no
place for (the record id, ``doc``, ``meta``, provenance, entity ids and attributes, relations,
``deps``, ``misc``) goes in ``Doc.user_data["lancang"]`` as JSON, and comes back from there.
Reading a DocBin made elsewhere gives what spaCy holds; its records are numbered from 1, and ``--src``
names their language (spaCy's ``Vocab`` read back without a pipeline does not say it).

White space between tokens that is not a single space becomes spaCy whitespace tokens, which are
dropped on reading, so the text comes back exactly; text outside every token that is not white
space cannot be written (spaCy's text is its tokens). A ``.spacy`` file is one msgpack blob, which
spaCy loads whole: give a folder to read several ``.spacy`` files one after the other, and keep
files to a size that fits in memory (spaCy's own convention for large corpora).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from ...errors import InputError, UsageError
from ..jsonl import PathLike, atomic_output
from . import Format, Option, check_options, given_lang, pick_side

INSTALL_HINT = 'spaCy DocBin needs spaCy: pip install "lancang[spacy]"'
_KEY = "lancang"
#: the most a .spacy file may inflate to, in MiB (reader option max_mb)
MAX_MB = 256


def _spacy() -> Any:
    try:
        import spacy  # noqa: F401
        from spacy.tokens import Doc, DocBin, Span
        from spacy.vocab import Vocab
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    return Doc, DocBin, Span, Vocab


# ---------------------------------------------------------------------------------- reading

def read(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    check_options(FORMAT, "reader", options)
    _, DocBin, _, Vocab = _spacy()
    p = Path(path)
    files = sorted(p.glob("*.spacy")) if p.is_dir() else [p]
    if not p.exists():
        raise InputError(f"{p}: no such file or folder")
    limit = options.get("max_mb", MAX_MB)
    n = 0
    for f in files:
        data = f.read_bytes()
        _check_inflated_size(f, data, limit)
        try:
            db = DocBin().from_bytes(data)
        except Exception as exc:  # spaCy raises ValueError/msgpack errors for a file that is not a DocBin
            raise InputError(f"{f}: not a spaCy DocBin ({exc})") from None
        for k, doc in enumerate(db.get_docs(Vocab()), 1):
            n += 1
            yield doc_record(doc, langs, n, f"{f}: doc {k}")


def _check_inflated_size(f: Path, data: bytes, limit_mb: int | float) -> None:
    """Refuse a DocBin that inflates past ``limit_mb`` MiB, found by inflating it in chunks that are thrown
    away (spaCy inflates the whole file at once: a 2 MB zlib bomb would take gigabytes)."""
    limit = int(limit_mb * 1024 * 1024)
    inflate = zlib.decompressobj()
    size = 0
    chunk = data
    try:
        while chunk:
            size += len(inflate.decompress(chunk, 1 << 20))
            if size > limit:
                raise InputError(f"{f}: inflates to more than {limit_mb} MiB; a DocBin is loaded whole, so lancang "
                                 f"refuses it (split the corpus into several .spacy files in a folder, or raise the "
                                 f"limit with -I max_mb=N)")
            chunk = inflate.unconsumed_tail
    except zlib.error as exc:
        raise InputError(f"{f}: not a spaCy DocBin (not zlib data: {exc})") from None


def doc_record(doc: Any, langs: Any, n: int, where: str) -> dict[str, Any]:
    """One Doc as a record; its side is named by ``langs[0]`` (``--src``), else by the language lancang
    stored with the Doc (``user_data["lancang"]``), else it is an error: a Doc does not say its language."""
    extra: dict[str, Any] = {}
    raw = doc.user_data.get(_KEY)
    if isinstance(raw, (str, bytes)):
        try:
            extra = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise InputError(f"{where}: user_data[{_KEY!r}] is not JSON") from None
    if "where" in extra:  # the spaCy indices of lancang's tokens (white-space tokens were added)
        toks = [doc[i] for i in extra["where"]]
    else:
        toks = [t for t in doc if not t.text.isspace()]
    index = {t.i: k for k, t in enumerate(toks)}
    text = doc.text
    layers: dict[str, Any] = {}
    prov = extra.get("provenance", {})

    def put(name: str, value: dict[str, Any]) -> None:
        if name in prov:
            value["provenance"] = prov[name]
        layers[name] = value

    if toks:
        put("tokens", {"spans": [[t.idx, t.idx + len(t.text)] for t in toks]})
        for name, get in (("pos", lambda t: t.pos_), ("xpos", lambda t: t.tag_), ("lemma", lambda t: t.lemma_),
                          ("feats", lambda t: str(t.morph))):
            vals = [get(t) or None for t in toks]
            if any(v is not None for v in vals):
                put(name, {"values": vals})
        if doc.has_annotation("DEP"):
            heads = []
            for t in toks:
                if t.head.i == t.i:
                    heads.append(0)
                elif t.head.i in index:
                    heads.append(index[t.head.i] + 1)
                else:
                    raise InputError(f"{where}: token {t.i} {t.text!r} has a white-space token as its head")
            put("head", {"values": heads})
            put("deprel", {"values": [t.dep_ or None for t in toks]})
        for name in ("deps", "misc", "head", "deprel"):
            if name in extra.get("values", {}) and name not in layers:
                put(name, {"values": extra["values"][name]})
        if extra.get("sentences") if extra else doc.has_annotation("SENT_START"):
            sents = []
            for s in doc.sents:
                words = [t for t in s if t.i in index]
                if words:
                    sents.append([words[0].idx, words[-1].idx + len(words[-1].text)])
            put("sentences", {"spans": sents})
    ent_extra = {(e["start"], e["end"], e["label"]): e for e in extra.get("entities", [])}
    items = []
    for span in doc.ents:
        s, e = span.start_char, span.end_char
        item: dict[str, Any] = {}
        more = ent_extra.get((s, e, span.label_), {})
        if "id" in more:
            item["id"] = more["id"]
        item.update({"start": s, "end": e, "label": span.label_})
        if "attrs" in more:
            item["attrs"] = more["attrs"]
        items.append(item)
    if items or "entities" in prov or extra.get("relations") or extra.get("has_entities"):
        ent_layer: dict[str, Any] = {"items": items}
        if extra.get("relations"):
            ent_layer["relations"] = extra["relations"]
        put("entities", ent_layer)
    side: dict[str, Any] = {"text": text}
    if layers:
        side["layers"] = layers
    if extra.get("side_meta"):
        side["meta"] = extra["side_meta"]
    rec: dict[str, Any] = {"id": extra.get("id", str(n))}
    if "doc" in extra:
        rec["doc"] = extra["doc"]
    if extra.get("meta"):
        rec["meta"] = extra["meta"]
    rec["sides"] = {given_lang(langs, where, "the Doc", extra.get("lang")): side}
    return rec


# ---------------------------------------------------------------------------------- writing

def write(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    check_options(FORMAT, "writer", options)
    Doc, DocBin, Span, Vocab = _spacy()
    target = Path(path)
    if target.is_dir():
        raise InputError(f"{target}: is a folder; give a .spacy file name to write")
    if not target.parent.exists():
        raise InputError(f"{target.parent}: output folder does not exist")
    vocab = Vocab()
    db = DocBin(store_user_data=True)
    n = 0
    for rec in records:
        db.add(record_doc(rec, _pick_side(rec, langs), vocab, Doc, Span))
        n += 1
    data = db.to_bytes()  # what DocBin.to_disk writes, through the one output layer
    with atomic_output(target, "wb") as f:
        f.write(data)
    return n


def _pick_side(rec: dict[str, Any], langs: Any) -> str:
    return pick_side(rec, langs, "a spaCy Doc")


def record_doc(rec: dict[str, Any], lang: str, vocab: Any, Doc: Any, Span: Any) -> Any:
    """A spaCy Doc for one side of a record."""
    rid = rec["id"]
    side = rec["sides"][lang]
    text = side["text"]
    layers = side.get("layers") or {}
    spans = layers.get("tokens", {}).get("spans", [])
    if not spans and text.strip():
        raise InputError(f"record {rid!r}: the {lang} side has no tokens; a spaCy Doc is made of tokens")
    words: list[str] = []
    space: list[bool] = []
    where: list[int] = []  # the spaCy index of each lancang token
    pos = 0
    for s, e in [*spans, [len(text), len(text)]]:
        gap = text[pos:s]
        if gap.strip():
            raise InputError(f"record {rid!r}: text {gap!r} at {pos} is outside every token; spaCy's text is "
                             "its tokens")
        if gap.startswith(" ") and words:
            space[-1] = True  # a word's one trailing space
            gap = gap[1:]
        if gap:  # any other white space is a white-space token, as spaCy makes them
            if gap.endswith(" ") and len(gap) > 1:
                words.append(gap[:-1])
                space.append(True)
            else:
                words.append(gap)
                space.append(False)
        if e > s:
            where.append(len(words))
            words.append(text[s:e])
            space.append(False)
        pos = e
    kwargs: dict[str, Any] = {}
    n = len(words)
    extra: dict[str, Any] = {"id": rid, "lang": lang}
    values: dict[str, Any] = {}

    def per_word(name: str, fill: Any = "") -> list[Any] | None:
        lay = layers.get(name)
        if lay is None:
            return None
        vals = lay["values"]
        if len(vals) != len(spans):
            raise InputError(f"record {rid!r}: layer {name} has {len(vals)} values for {len(spans)} tokens")
        out = [fill] * n
        for k, v in zip(where, vals):
            out[k] = fill if v is None else v
        return out

    for name, kw in (("pos", "pos"), ("xpos", "tags"), ("lemma", "lemmas"), ("feats", "morphs")):
        vals = per_word(name)
        if vals is not None:
            kwargs[kw] = vals
    heads, deprels = layers.get("head"), layers.get("deprel")
    if heads and deprels and all(h is not None for h in heads["values"]) and all(d for d in deprels["values"]):
        hv = []
        for k, h in zip(where, heads["values"]):
            if not isinstance(h, int) or not 0 <= h <= len(spans):
                raise InputError(f"record {rid!r}: head {h!r} is not a token number (0 to {len(spans)})")
            hv.append((k, k if h == 0 else where[h - 1]))
        head_of = dict(hv)
        kwargs["heads"] = [head_of.get(i, where[0] if where else i) for i in range(n)]
        dv = per_word("deprel", "dep")
        kwargs["deps"] = dv
    else:
        for name in ("head", "deprel"):
            if name in layers:
                values[name] = layers[name]["values"]
    for name in ("deps", "misc"):
        if name in layers:
            values[name] = layers[name]["values"]
    sents = layers.get("sentences")
    if sents is not None and where:
        starts = {spans[i][0]: where[i] for i in range(len(spans))}
        ss = [False] * n
        for s, _ in sents["spans"]:
            k = next((starts[x] for x in sorted(starts) if x >= s), None)
            if k is None:
                raise InputError(f"record {rid!r}: sentence at {s} holds no token")
            ss[k] = True
        ss[0] = True
        kwargs["sent_starts"] = ss
        extra["sentences"] = True
    try:
        doc = Doc(vocab, words=words, spaces=space, **kwargs)
    except Exception as exc:  # spaCy's own message (e.g. an unknown UPOS tag)
        raise InputError(f"record {rid!r}: spaCy refuses the {lang} side: {exc}") from None
    if doc.text != text:
        raise InputError(f"record {rid!r}: the {lang} text cannot be rebuilt from its tokens by spaCy")
    ents = (layers.get("entities") or {})
    if "entities" in layers:
        extra["has_entities"] = True
    char_start = {s: where[i] for i, (s, _) in enumerate(spans)}
    char_end = {e: where[i] + 1 for i, (_, e) in enumerate(spans)}
    ent_spans, ent_extra = [], []
    for it in ents.get("items", []):
        if it.get("fragments"):
            raise InputError(f"record {rid!r}: entity {it.get('id', it['label'])!r} is discontinuous")
        s, e = it["start"], it["end"]
        if s not in char_start or e not in char_end:
            raise InputError(f"record {rid!r}: entity {it.get('id', it['label'])!r} [{s}, {e}] does not start and "
                             "end on token boundaries")
        ent_spans.append(Span(doc, char_start[s], char_end[e], label=it["label"]))
        more = {k: it[k] for k in ("id", "attrs") if k in it}
        if more:
            ent_extra.append({"start": s, "end": e, "label": it["label"], **more})
    try:
        doc.ents = ent_spans
    except Exception as exc:
        raise InputError(f"record {rid!r}: spaCy's doc.ents refuses these entities (overlapping?): {exc}") from None
    if ent_extra:
        extra["entities"] = ent_extra
    if len(where) != n:
        extra["where"] = where
    if ents.get("relations"):
        extra["relations"] = ents["relations"]
    prov = {name: lay["provenance"] for name, lay in layers.items() if isinstance(lay, dict) and "provenance" in lay}
    if prov:
        extra["provenance"] = prov
    if values:
        extra["values"] = values
    unknown = [name for name in layers if name not in (
        "tokens", "pos", "xpos", "lemma", "feats", "head", "deprel", "deps", "misc", "sentences", "entities")]
    if unknown:
        raise InputError(f"record {rid!r}: layer(s) {', '.join(unknown)} have no place in a spaCy Doc")
    if rec.get("doc") is not None:
        extra["doc"] = rec["doc"]
    if rec.get("meta"):
        extra["meta"] = rec["meta"]
    if side.get("meta"):
        extra["side_meta"] = side["meta"]
    doc.user_data[_KEY] = orjson.dumps(extra).decode()
    return doc


FORMAT = Format(
    "docbin", "spaCy DocBin (.spacy), one Doc a record (needs the spacy extra)", (".spacy",),
    frozenset({"tokens", "token-values", "sentences", "entities", "entity-attrs", "relations", "provenance",
               "meta", "doc"}), read, write, max_sides=1,
    read_options={"max_mb": Option(MAX_MB, "refuse a .spacy file that inflates to more than this many MiB "
                                           "(spaCy loads a DocBin whole)")},
    write_options={},
)
