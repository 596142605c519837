"""The format registry: every format reads into and writes from the canonical record.

A format module defines ``FORMAT = Format(...)``: its name, file extensions, what it can carry
(the feature names below), and a reader and/or a writer. Conversion always goes
format -> canonical records -> format, streaming one record at a time; :func:`record_features`
tells which features a record uses, so a writer that cannot hold one of them is caught before
anything is lost (see :mod:`lancang.corpora.convert`).

Reader: ``read(path, *, langs=None, **options) -> Iterator[dict]`` yields records.
Writer: ``write(records, path, *, langs=None, **options) -> int`` writes atomically and returns the
number of records written. ``langs`` names the sides (e.g. ``["zh-Hans", "vi"]``) where the format
does not say them itself (Moses, TSV, plain text) or chooses which sides to write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...registry import Registry

#: What a record can hold, as checked against what a format can carry.
FEATURES = {
    "sides>2": "more than two sides in one record",
    "sentences": "sentence spans",
    "tokens": "token spans",
    "token-values": "per-token values (pos, lemma, xpos, feats, head, deprel, deps, misc)",
    "entities": "labelled spans",
    "discontinuous": "entities in several fragments",
    "entity-attrs": "entity attributes and normalisations",
    "relations": "relations between entities",
    "beads": "sentence alignment beads",
    "token-links": "word alignment links",
    "codes": "inline codes (markup kept stand-off)",
    "provenance": "who or what made a layer, and its review state",
    "meta": "record and side metadata (props, notes, ids of the source format)",
    "doc": "document ids",
    "extension-layers": "x-* layers",
    "media": "a side's media reference (audio/video URI, hash, duration, rate, channels)",
    "segments": "time-aligned segments (seconds, speaker, tier, source id)",
    "words": "word or character timings",
}

#: the record ``meta`` key where a reader lists what the canonical model could not hold (two texts in one
#: language, ...): valid in the format, a lancang limit; `lancang check` reports it as a warning
MODEL_LIMITS = "model_limits"

Reader = Callable[..., Iterator[dict[str, Any]]]
Writer = Callable[..., int]


@dataclass(frozen=True)
class Option:
    """A reader or writer option a format takes (``-I KEY=VALUE`` / ``-O KEY=VALUE`` on the command line)."""

    default: Any
    help: str
    choices: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    extensions: tuple[str, ...]
    carries: frozenset[str]
    read: Reader | None = None
    write: Writer | None = None
    #: most sides a record may have (1 monolingual, 2 bitext, None n-way)
    max_sides: int | None = None
    #: the reader/writer needs ``langs`` (formats that do not name their languages)
    needs_langs: bool = False
    #: the options the reader and the writer take, with their defaults (``lancang formats`` lists them);
    #: None = not declared yet (options are passed through unchecked)
    read_options: dict[str, Option] | None = None
    write_options: dict[str, Option] | None = None
    #: with "extension-layers" carried: the x-* layers the format keeps (its own, e.g. ``x-webvtt``);
    #: None = any x-* layer
    x_layers: frozenset[str] | None = None

    def __post_init__(self) -> None:
        unknown = set(self.carries) - set(FEATURES)
        if unknown:
            raise ValueError(f"format {self.name!r} declares unknown features: {', '.join(sorted(unknown))}")


BUILTIN = {
    "jsonl": "lancang.corpora.formats.jsonl:FORMAT",
    "tmx": "lancang.corpora.formats.tmx:FORMAT",
    "xliff": "lancang.corpora.formats.xliff:FORMAT",
    "xliff2": "lancang.corpora.formats.xliff2:FORMAT",
    "text": "lancang.corpora.formats.text:FORMAT",
    "conllu": "lancang.corpora.formats.conllu:FORMAT",
    "brat": "lancang.corpora.formats.brat:FORMAT",
    "labelstudio": "lancang.corpora.formats.labelstudio:FORMAT",
    "doccano": "lancang.corpora.formats.doccano:FORMAT",
    "conll": "lancang.corpora.formats.conll:FORMAT",
    "inline": "lancang.corpora.formats.inline:FORMAT",
    "moses": "lancang.corpora.formats.moses:FORMAT",
    "tsv": "lancang.corpora.formats.tsv:FORMAT",
    "pharaoh": "lancang.corpora.formats.pharaoh:FORMAT",
    "docbin": "lancang.corpora.formats.docbin:FORMAT",
    "parquet": "lancang.corpora.formats.parquet:FORMAT",
    "webvtt": "lancang.corpora.formats.subtitles:WEBVTT",
    "srt": "lancang.corpora.formats.subtitles:SRT",
    "kaldi": "lancang.corpora.formats.kaldi:FORMAT",
    "stm": "lancang.corpora.formats.stm:STM",
    "ctm": "lancang.corpora.formats.stm:CTM",
    "textgrid": "lancang.corpora.formats.textgrid:FORMAT",
    "eaf": "lancang.corpora.formats.eaf:FORMAT",
}

FORMATS = Registry("format", "lancang.formats", BUILTIN)


def one_lang(langs: Any, holder: str, what: str) -> str:
    """The one language a one-language format reads: ``langs`` must name exactly one (``--src``)."""
    if not langs or len(langs) != 1:
        from ...errors import UsageError

        raise UsageError(f"{holder} holds one language: give it with --src (for {what})")
    return langs[0]


def nfc_side(text: str) -> dict[str, Any]:
    """A side for ``text`` in NFC, marked ``meta.source_not_nfc`` when normalising changed it."""
    import unicodedata

    norm = unicodedata.normalize("NFC", text)
    side: dict[str, Any] = {"text": norm}
    if norm != text:
        side["meta"] = {"source_not_nfc": True}
    return side


def given_lang(langs: Any, where: Any, holder: str, named: Any = None) -> str:
    """The language of the side a one-language reader makes: ``--src`` (``langs[0]``) if given, else the
    language the input names itself (``named``: the tag lancang stored in a Label Studio task, a doccano
    line, a spaCy Doc), else a :class:`~lancang.errors.UsageError` at ``where`` -- never a silent ``und``."""
    from ...errors import InputError, UsageError

    if langs:
        return langs[0]
    if named is None:
        raise UsageError(f"{where}: {holder} does not name the language of its text: give it with --src")
    from ..langs import is_tag

    if not isinstance(named, str) or not is_tag(named):
        raise InputError(f"{where}: {holder} names its language {named!r}, which is not a BCP 47 tag")
    return named


def pick_side(rec: dict[str, Any], langs: Any, holder: str) -> str:
    """The side a one-language format writes: ``langs[0]`` if given, else the record's only side."""
    from ...errors import InputError, UsageError

    sides = rec["sides"]
    if langs:
        if langs[0] not in sides:
            raise InputError(f"record {rec['id']!r} has no side {langs[0]!r}")
        return langs[0]
    if len(sides) != 1:
        raise UsageError(f"record {rec['id']!r} has {len(sides)} sides; {holder} holds one: choose it with --src")
    return next(iter(sides))


def get_format(name: str) -> Format:
    return FORMATS.get(name)


def all_formats() -> list[Format]:
    return [f for _, f in FORMATS]


def format_for_path(path: str | Path) -> Format | None:
    """The format whose extension ends the file name (longest match wins), or None."""
    name = str(path).lower()
    if name.endswith(".gz"):
        name = name[:-3]
    best: tuple[int, Format] | None = None
    for fmt in all_formats():
        for ext in fmt.extensions:
            if name.endswith(ext) and (best is None or len(ext) > best[0]):
                best = (len(ext), fmt)
    return best[1] if best else None


_VALUE_LAYERS = ("pos", "xpos", "lemma", "feats", "head", "deprel", "deps", "misc")


def record_features(rec: dict[str, Any]) -> set[str]:
    """The features (keys of :data:`FEATURES`) that a record actually uses."""
    out: set[str] = set()
    sides = rec.get("sides", {})
    if len(sides) > 2:
        out.add("sides>2")
    if rec.get("doc") is not None:
        out.add("doc")
    if rec.get("meta"):
        out.add("meta")
    for side in sides.values():
        if side.get("meta"):
            out.add("meta")
        if side.get("media"):
            out.add("media")
        for name, lay in side.get("layers", {}).items():
            if lay.get("provenance"):
                out.add("provenance")
            if name in ("sentences", "tokens", "segments", "words"):
                out.add(name)
            elif name in _VALUE_LAYERS:
                out.add("token-values")
            elif name == "entities":
                items = lay.get("items", [])
                if items:
                    out.add("entities")
                if any("fragments" in it for it in items):
                    out.add("discontinuous")
                if any(it.get("attrs") for it in items):
                    out.add("entity-attrs")
                if lay.get("relations"):
                    out.add("relations")
            elif name == "codes":
                if lay.get("items"):
                    out.add("codes")
            elif name.startswith("x-"):
                out.add("extension-layers")
    for link in rec.get("links", ()):
        out.add("beads" if link["kind"] == "beads" else "token-links")
        if link.get("provenance"):
            out.add("provenance")
    return out


def lost_features(rec: dict[str, Any], fmt: Format) -> set[str]:
    """Features of ``rec`` that ``fmt`` cannot carry."""
    lost = record_features(rec) - fmt.carries
    if fmt.max_sides is not None and len(rec.get("sides", {})) > fmt.max_sides:
        lost.add(f"sides>{fmt.max_sides}")
    if fmt.x_layers is not None and "extension-layers" in fmt.carries:
        for side in rec.get("sides", {}).values():
            lost.update(f"layer {n}" for n in side.get("layers", {}) if n.startswith("x-") and n not in fmt.x_layers)
    return lost


def project(rec: dict[str, Any], carries: Iterable[str]) -> dict[str, Any]:
    """A copy of ``rec`` keeping only what a format carrying ``carries`` keeps (used by tests)."""
    import copy

    keep = set(carries)
    r = copy.deepcopy(rec)
    if "doc" not in keep:
        r.pop("doc", None)
    if "meta" not in keep:
        r.pop("meta", None)
    for side in r.get("sides", {}).values():
        if "meta" not in keep:
            side.pop("meta", None)
        if "media" not in keep:
            side.pop("media", None)
        layers = side.get("layers", {})
        for name in list(layers):
            lay = layers[name]
            if "provenance" not in keep:
                lay.pop("provenance", None)
            drop = ((name in ("sentences", "tokens", "segments", "words") and name not in keep)
                    or (name in _VALUE_LAYERS and "token-values" not in keep)
                    or (name == "entities" and "entities" not in keep)
                    or (name == "codes" and "codes" not in keep)
                    or (name.startswith("x-") and "extension-layers" not in keep))
            if drop:
                del layers[name]
                continue
            if name == "entities":
                if "relations" not in keep:
                    lay.pop("relations", None)
                for it in lay.get("items", []):
                    if "entity-attrs" not in keep:
                        it.pop("attrs", None)
        if not layers:
            side.pop("layers", None)
    links = [lk for lk in r.get("links", ()) if ("beads" if lk["kind"] == "beads" else "token-links") in keep]
    for lk in links:
        if "provenance" not in keep:
            lk.pop("provenance", None)
    if links:
        r["links"] = links
    else:
        r.pop("links", None)
    return r


# ------------------------------------------------------------------------------------------ the hub

def check_options(fmt: Format, role: str, options: dict[str, Any]) -> dict[str, Any]:
    """Refuse options the format's reader (``role="reader"``) or writer does not take, in one line."""
    from ...errors import UsageError

    declared = fmt.read_options if role == "reader" else fmt.write_options
    if declared is None or not options:
        return options
    unknown = sorted(set(options) - set(declared))
    if unknown:
        known = ", ".join(f"{k} (default {v.default!r})" for k, v in sorted(declared.items())) or "none"
        flag = "-I" if role == "reader" else "-O"
        raise UsageError(f"format {fmt.name!r}: unknown {role} option {', '.join(unknown)} ({flag}); "
                         f"its {role} options: {known}")
    for key, value in options.items():
        choices = declared[key].choices
        if choices is not None and value not in choices:
            raise UsageError(f"format {fmt.name!r}: {role} option {key}={value!r} is not one of "
                             f"{', '.join(map(str, choices))}")
    return options


def _sniff(path: str | Path) -> Format | None:
    """The format of a file whose name does not tell, from its first bytes (or a folder's files)."""
    p = Path(path)
    if str(path) == "-":
        return get_format("jsonl")
    if p.is_dir():
        if any(p.glob("*.ann")):
            return get_format("brat")
        if (p / "text").is_file() and ((p / "wav.scp").is_file() or (p / "utt2spk").is_file()):
            return get_format("kaldi")  # a Kaldi data folder: text and wav.scp or utt2spk
        suffixes = {q.suffix.lower() for q in p.iterdir()}
        if ".textgrid" in suffixes:  # a folder of tier documents: one record per file
            return get_format("textgrid")
        if ".eaf" in suffixes:
            return get_format("eaf")
        return None
    from ...errors import InputError
    from ..io import open_input  # pipes and FIFOs: replayed, so the reader still gets these bytes

    try:
        with open_input(p, decompress=False) as f:
            head = f.read(4096)
    except (OSError, InputError):
        return None
    if head[:4] == b"PAR1":
        return get_format("parquet")
    if head[:2] == b"\x1f\x8b":
        return get_format("jsonl")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:2] in (b"\xfe\xff", b"\xff\xfe"):  # UTF-16 (Praat writes non-ASCII TextGrids so)
        text = head[2:len(head) & ~1].decode("utf-16-be" if head[0] == 0xFE else "utf-16-le", "replace").encode()
    if text.startswith(b'File type = "ooTextFile'):
        return get_format("textgrid")
    if text.startswith(b"WEBVTT") and text[6:7] in (b"", b" ", b"\t", b"\r", b"\n"):
        return get_format("webvtt")
    import re

    if re.match(rb"[0-9]+\r?\n[0-9:.,]+ +--> +[0-9:.,]+", text):
        return get_format("srt")
    if text[:1] == b"[":
        return get_format("labelstudio")
    if text[:1] == b"{":
        return get_format("jsonl")
    if text[:1] == b"<":
        low = head.lower()
        if b"<tmx" in low:
            return get_format("tmx")
        if b"<annotation_document" in low:
            return get_format("eaf")
        if b"<xliff" in low:
            return get_format("xliff2" if b'version="2' in low or b"version='2" in low else "xliff")
    return None


def resolve_format(path: str | Path, name: str | None = None, role: str = "input") -> Format:
    """The format named, else the one the file name says, else (input only) the one its content says."""
    from ...errors import UsageError

    if name:
        return get_format(name)
    fmt = format_for_path(path)
    if fmt is None and role == "input":
        fmt = _sniff(path)
    if fmt is None and role == "input" and Path(path).is_dir():
        from ...errors import InputError

        raise InputError(f"{path}: is a directory, not a corpus (a brat folder holds .txt and .ann files)")
    if fmt is None:
        flag = "--from" if role == "input" else "--format"
        raise UsageError(f"{path}: cannot tell the {role} format from the file name or its content; "
                         f"give {flag} FORMAT (`lancang formats` lists them)")
    return fmt


def read_corpus(path: str | Path, fmt: str | None = None, langs: Any = None,
                **options: Any) -> Iterator[dict[str, Any]]:
    """Records from a corpus in any readable format: the one reader every verb uses.

    ``fmt`` is a registered format name (default: from the file name, then from its content);
    ``langs`` names the sides of formats that do not name their languages (``--src``/``--tgt``);
    ``options`` are the format's reader options (``-I KEY=VALUE``), checked against its declaration.
    Errors (unknown format, missing languages, unknown options) are raised before the first record.
    """
    from ...errors import UsageError

    f = resolve_format(path, fmt, "input")
    if f.read is None:
        raise UsageError(f"{path}: format {f.name!r} can be written but not read")
    if f.needs_langs and not langs:
        if f.max_sides == 1:
            raise UsageError(f"{path}: format {f.name!r} does not name the language of its text: give it with --src")
        raise UsageError(f"{path}: format {f.name!r} does not name its languages: give them with --src (and --tgt)")
    check_options(f, "reader", options)
    from ..io import register_input  # whatever opens the file, the command may not write over it

    register_input(path)
    return f.read(path, langs=list(langs) if langs else None, **options)


def write_corpus(records: Iterable[dict[str, Any]], path: str | Path, fmt: str | None = None, langs: Any = None,
                 *, unique_ids: bool = False, checked: bool = False, **options: Any) -> int:
    """Write records in any writable format (atomically), each checked on its way out
    (:func:`lancang.corpora.invariants.guarded`: offsets, references, unique ids); returns the number
    written. ``unique_ids``: the caller guarantees the ids are unique (it tracked them itself), so the
    guard does not track them again. ``checked``: the caller ran :func:`~lancang.corpora.invariants.check_record`
    on every record it yields (``mask`` does, with messages that never quote the text), so the guard
    does not run it a second time."""
    from ...errors import UsageError
    from ..invariants import guarded

    f = resolve_format(path, fmt, "output")
    if f.write is None:
        raise UsageError(f"{path}: format {f.name!r} can be read but not written")
    check_options(f, "writer", options)
    return f.write(guarded(records, str(path), not unique_ids, invariants=not checked), path,
                   langs=list(langs) if langs else None, **options)


def content_digest(path: str | Path, digest: Any) -> None:
    """Feed a file's content (or a folder's files', by sorted relative name) to a hashlib object: the
    bytes after gunzip, as the readers see them, so a corpus has one hash whether it is stored plain,
    gzipped or piped (the checker's report, the signed metrics and ``read_items`` agree)."""
    from ..io import open_input

    p = Path(path)
    files = sorted(q for q in p.rglob("*") if q.is_file() and not q.is_symlink()) if p.is_dir() else [p]
    for q in files:
        if p.is_dir():
            digest.update(str(q.relative_to(p)).encode("utf-8") + b"\0")
        with open_input(q) as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)


def file_sha256(path: str | Path) -> str | None:
    """sha256 of a file's content after gunzip (a folder: its files by sorted relative name, see
    :func:`content_digest`); None for ``-`` and for a path that does not exist."""
    import hashlib

    if str(path) == "-" or not Path(str(path)).exists():
        return None
    h = hashlib.sha256()
    content_digest(path, h)
    return h.hexdigest()


def read_located(path: str | Path, fmt: str | None = None, langs: Any = None,
                 **options: Any) -> Iterator[tuple[int | None, dict[str, Any]]]:
    """``(line, record)`` pairs of :func:`read_items` for verbs that transform a corpus: a line that is not
    JSON, or a JSON value that is not an object, stops the run with its location (the verb writes
    nothing then); warnings about the file are passed over. ``line`` is None outside JSONL."""
    from ...errors import InputError
    from ..jsonl import Parsed, json_type

    for item in read_items(path, fmt, langs, **options):
        if not isinstance(item, Parsed):
            if item.severity == "error":
                raise InputError(f"{path}:{item.line}: {item.message}")
            continue
        if not isinstance(item.value, dict):
            raise InputError(f"{path}:{item.line}: a record is a JSON object, not {json_type(item.value)}")
        yield item.line, item.value


def read_items(path: str | Path, fmt: str | None = None, langs: Any = None, *, digest: Any = None,
               **options: Any) -> Iterator[Any]:
    """Like :func:`read_corpus`, as the line-located items of :func:`lancang.corpora.jsonl.iter_lines`.

    Canonical JSONL keeps its line numbers and per-line problems (the run goes on past a bad line);
    any other format yields ``Parsed(None, record)`` per record (the record id locates it) and raises
    :class:`~lancang.errors.InputError` where its reader stops. ``digest`` (a hashlib object) gets the
    input's content (after gunzip, as every hash of an input in lancang: :func:`content_digest`): in
    the same pass for JSONL, in a pass of its own for other formats.
    """
    from ..jsonl import Parsed, iter_lines

    f = resolve_format(path, fmt, "input")
    if f.name == "jsonl":
        check_options(f, "reader", options)
        yield from iter_lines(path, digest=digest)
        return
    records = read_corpus(path, f.name, langs, **options)
    if digest is not None:
        content_digest(path, digest)
    for rec in records:
        yield Parsed(None, rec)  # type: ignore[arg-type]
