"""Validate records and manifests: JSON Schema first, then the model's invariants.

Schema validation runs on ``jsonschema-rs`` (the fast path) or on the ``jsonschema`` package (the
reference, ``engine="py"``); a property test keeps the two in agreement. Invariants are what JSON
Schema cannot say: offsets inside the text and in order, tokens not overlapping, sentences tiling
the text, per-token layers as long as the tokens, relation and link references that resolve, NFC
text and ids unique in the file. Invariants run on records that passed the schema, so they can rely
on its types.

Rule ids (stable; each has a test):

=========================  =========================================================
``json-malformed``         the line is not JSON
``json-duplicate-key``     a key twice in one object (a JSON reader keeps only one)
``utf8-invalid``           the line is not valid UTF-8
``bom``                    the file starts with a byte order mark (warning)
``blank-line``             an empty line (warning)
``empty-file``             the file has no records (warning)
``line-too-long``          a line over the size limit (skipped)
``gzip-corrupt``           a compressed file ends early or is damaged
``record-not-object``      the line is JSON but not an object
``record-malformed``       layers or links not of the model's shape (found by ``convert``'s check of records
                           that skipped the schema; a validated record fails the schema first)
``schema-<keyword>``       the record breaks the schema (e.g. ``schema-required``)
``text-not-nfc``           a side's text is not in Unicode NFC
``offset-not-integer``     an offset or index written as a non-integer number (``1.0``)
``span-out-of-range``      a span ends past the text (or starts before it)
``span-reversed``          a span ends before it starts
``span-empty``             a token or sentence of zero length
``spans-unordered``        spans not in text order
``spans-overlap``          two tokens or two sentences overlap
``sentences-gap``          text outside every sentence that is not white space
``fragment-outside``       a discontinuous entity's fragment outside its start/end
``time-reversed``          a segment or word ends (t1) before it starts (t0)
``time-past-media``        a segment or word ends after the side's media duration (+1 ms)
``segments-unordered``     segments not ordered by (t0, t1)
``segments-overlap-in-time``  two segments of one speaker overlap in time (layer without ``overlap``)
``media-missing``          (``--media-root``) a side's media file does not exist
``media-unreadable``       (``--media-root``) its header cannot be read (a URI that is not local: warning)
``media-hash-differs``     (``--media-root``) the file's sha256 is not the record's
``media-duration-differs``  (``--media-root``) the file's duration differs by more than 1 ms
``media-format-differs``   (``--media-root``) sample rate or channels differ
``media-channel-out-of-range``  (``--media-root``) the side's channel is past the file's channels
``layer-length-mismatch``  a per-token layer not as long as the tokens layer
``layer-missing``          a layer that another layer or link needs is absent
``duplicate-entity-id``    two entities (or relations) of one side share an id
``relation-dangling-ref``  a relation argument names no entity of the side
``link-unknown-side``      a link names a side the record does not have
``link-same-side``         a link joins a side to itself
``link-index-out-of-range``  a token or sentence index past the layer's end
``link-duplicate``         the same token pair or sentence index twice in one link
``duplicate-id``           a record id used before in the same file
``language-not-in-manifest``  a side's language the manifest does not list, by prefix (warning)
``person-not-in-manifest``    an annotator or reviewer the manifest does not list (warning)
``speaker-not-in-manifest``   a segment's speaker the manifest's speakers do not list (warning)
``manifest-*``             see :func:`check_manifest`
=========================  =========================================================
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..corpora.dupes import SPILL_AT, DuplicateIndex
from ..corpora.formats import read_items, resolve_format
from ..corpora.invariants import Issue, check_invariants
from ..corpora.jsonl import Parsed, PathLike, Problem, json_type, open_input
from ..corpora.langs import tag_matches
from ..errors import InputError, LancangError
from ..findings import Finding, pointer
from . import load_schema

ENGINES = ("rs", "py")
#: The most backtracking steps a ``pattern`` may take on one value. Patterns with lookaround or
#: backreferences run on a backtracking engine (fancy-regex, about 4 ms at this bound); the others on a
#: linear-time engine that needs no bound. A value that reaches it is not checked (:data:`COSTLY`).
PATTERN_BACKTRACK_LIMIT = 100_000
#: The keyword :meth:`SchemaEngine.errors` gives a pattern that reached the bound: not a failure, the
#: value could not be checked.
COSTLY = "pattern-too-costly"
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
MAX_MANIFEST_BYTES = 16 * 1024 * 1024



class SchemaEngine:
    """A compiled JSON Schema on one of two engines; errors come back as (pointer, keyword, message)."""

    def __init__(self, schema: dict[str, Any], engine: str = "rs"):
        if engine not in ENGINES:
            raise ValueError(f"unknown schema engine {engine!r}; use one of {', '.join(ENGINES)}")
        self.engine = engine
        # No I/O from data: a $ref resolves within the schema itself or to lancang's bundled schemas,
        # never by fetching (no network, no file: URIs); anything else fails to resolve.
        if engine == "rs":
            import jsonschema_rs

            self._v = jsonschema_rs.Draft202012Validator(
                schema, offline=True, registry=_rs_registry(),
                pattern_options=jsonschema_rs.FancyRegexOptions(backtrack_limit=PATTERN_BACKTRACK_LIMIT))
            kinds = jsonschema_rs.ValidationErrorKind
            self._costly: tuple[type, ...] = (kinds.BacktrackLimitExceeded, kinds.RegexEngineFailure)
            self._schema = schema
        else:
            import jsonschema

            self._v = jsonschema.Draft202012Validator(schema, registry=_py_registry())

    def is_valid(self, instance: Any) -> bool:
        return self._v.is_valid(instance)

    def errors(self, instance: Any) -> list[tuple[str, str, str]]:
        out = []
        if self.engine == "rs":
            for e in self._v.iter_errors(instance):
                if isinstance(e.kind, self._costly):
                    out.append((pointer(*e.instance_path), COSTLY, self._costly_message(list(e.schema_path))))
                    continue
                kw = _keyword(e.schema_path)
                out.append((pointer(*e.instance_path), kw, e.message))
        else:
            for e in self._v.iter_errors(instance):
                out.append((pointer(*e.absolute_path), _keyword(e.absolute_schema_path), e.message))
        out.sort()
        return out

    def _costly_message(self, schema_path: list[Any]) -> str:
        node: Any = self._schema
        for part in schema_path:  # the pattern itself, where the path stays inside this schema (no $ref)
            node = node.get(part) if isinstance(node, dict) else None
        pat = f"pattern {node!r}" if isinstance(node, str) else "the pattern"
        return (f"{pat} at schema {pointer(*schema_path)} needs more than {PATTERN_BACKTRACK_LIMIT:,} backtracking "
                "steps on this value")


def schema_patterns(schema: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[str, str]]:
    """``(JSON pointer, regular expression)`` of every ``pattern`` and ``patternProperties`` key of a
    schema (values of ``const``, ``enum``, ``default`` and ``examples`` are data, not schema)."""
    if isinstance(schema, dict):
        for k, v in schema.items():
            if k == "pattern" and isinstance(v, str):
                yield pointer(*path, k), v
            elif k == "patternProperties" and isinstance(v, dict):
                yield from ((pointer(*path, k, p), p) for p in v)
            if k not in ("const", "enum", "default", "examples"):
                yield from schema_patterns(v, (*path, k))
    elif isinstance(schema, list):
        for i, v in enumerate(schema):
            yield from schema_patterns(v, (*path, i))


def needs_backtracking(regex: str) -> bool:
    """The regular expression uses what only a backtracking engine runs (lookaround, backreferences), so
    its cost on a value is bounded by :data:`PATTERN_BACKTRACK_LIMIT`, not linear in the value."""
    import jsonschema_rs

    try:
        jsonschema_rs.Draft202012Validator({"pattern": regex}, pattern_options=jsonschema_rs.RegexOptions())
    except jsonschema_rs.ValidationError:
        return True
    return False


@functools.cache
def bundled_schemas() -> dict[str, dict[str, Any]]:
    """lancang's own JSON Schemas by their ``$id``: the only documents a ``$ref`` may point into."""
    from importlib import resources

    out = {}
    for f in resources.files("lancang.schemas").iterdir():
        if f.name.endswith(".schema.json"):
            schema = load_schema(f.name.removesuffix(".schema.json"))
            out[schema["$id"]] = schema
    return out


@functools.cache
def _rs_registry() -> Any:
    """A jsonschema-rs registry of the bundled schemas (built once, shared by every engine)."""
    import jsonschema_rs

    return jsonschema_rs.Registry(list(bundled_schemas().items()))


@functools.cache
def _py_registry() -> Any:
    """A ``referencing`` registry of the bundled schemas, with no retriever (nothing is fetched)."""
    from referencing import Registry, Resource

    return Registry().with_resources((uri, Resource.from_contents(s)) for uri, s in bundled_schemas().items())


def _keyword(schema_path: Iterable[Any]) -> str:
    """The failing keyword of a schema path (its last string part), as kebab-case."""
    kw = "schema"
    for p in schema_path:
        if isinstance(p, str) and not p.startswith("#"):
            kw = p
    return _CAMEL.sub("-", kw).lower()


# ------------------------------------------------------------------------------------ invariants
# The model's invariants (offsets, layers, references) live beside the model: lancang.corpora.invariants.


# ------------------------------------------------------------------------------------ manifest context

@dataclass
class ManifestContext:
    """What a manifest declares, to cross-check records against: languages and people.

    Each undeclared language or person is reported once per file (as a warning, at its first use).
    """

    languages: frozenset[str]
    people: frozenset[str]
    _seen: set[str] = field(default_factory=set)
    speakers: frozenset[str] = frozenset()

    def fresh(self) -> ManifestContext:
        return ManifestContext(self.languages, self.people, speakers=self.speakers)

    def check(self, rec: dict[str, Any]) -> list[Issue]:
        out: list[Issue] = []
        for lang, side in rec["sides"].items():
            if not _listed(lang, self.languages) and ("lang:" + lang) not in self._seen:
                self._seen.add("lang:" + lang)
                known = ", ".join(sorted(self.languages))
                out.append(("language-not-in-manifest", "warning", "/sides/" + lang,
                            f"side {lang!r} is not among the manifest's languages ({known})"))
            for name, lay in side.get("layers", {}).items():
                prov = lay.get("provenance")
                if prov:
                    self._people(prov, f"/sides/{lang}/layers/{name}/provenance", out)
                if name == "segments":
                    for i, seg in enumerate(lay["spans"]):
                        who = seg.get("speaker")
                        if who is not None and who not in self.speakers and ("speaker:" + who) not in self._seen:
                            self._seen.add("speaker:" + who)
                            out.append(("speaker-not-in-manifest", "warning",
                                        f"/sides/{lang}/layers/segments/spans/{i}/speaker",
                                        f"speaker {who!r} is not among the manifest's speakers"))
        for i, link in enumerate(rec.get("links", ())):
            if link.get("provenance"):
                self._people(link["provenance"], f"/links/{i}/provenance", out)
        return out

    def _people(self, prov: dict[str, Any], ptr: str, out: list[Issue]) -> None:
        for key, who in (("annotator", prov.get("annotator")),
                         ("review/reviewer", prov.get("review", {}).get("reviewer"))):
            if who is not None and who not in self.people and ("person:" + who) not in self._seen:
                self._seen.add("person:" + who)
                out.append(("person-not-in-manifest", "warning", f"{ptr}/{key}",
                            f"{key.split('/')[-1]} {who!r} is not among the manifest's people"))


@functools.lru_cache(maxsize=1024)
def _listed(lang: str, languages: frozenset[str]) -> bool:
    """:func:`~lancang.corpora.langs.tag_matches`, remembered: it runs for every side of every record."""
    return tag_matches(lang, languages)


def manifest_context(path: PathLike) -> ManifestContext | None:
    """The languages and people of a schema-valid manifest, or None if it is not usable."""
    try:
        with open_input(path) as f:
            doc = orjson.loads(f.read(MAX_MANIFEST_BYTES).removeprefix(b"\xef\xbb\xbf"))
    except (InputError, orjson.JSONDecodeError, OSError):
        return None
    if not SchemaEngine(load_schema("manifest")).is_valid(doc):
        return None
    return ManifestContext(frozenset(doc["languages"]), frozenset(p["id"] for p in doc.get("people", ())),
                           speakers=frozenset(p["id"] for p in doc.get("speakers", ())))


# ------------------------------------------------------------------------------------ records

@dataclass
class FileReport:
    """Counts for one validated file (findings are streamed separately)."""

    path: str
    kind: str = "records"
    records: int = 0
    unreadable: int = 0  # lines that are not JSON (or not records) and so were not checked
    valid: int = 0
    errors: int = 0
    warnings: int = 0
    unusable: str | None = None  # set when the file could not be read at all

    def to_dict(self) -> dict[str, Any]:
        d = {"path": self.path, "kind": self.kind, "records": self.records, "unreadable": self.unreadable,
             "valid": self.valid, "errors": self.errors, "warnings": self.warnings}
        if self.unusable:
            d["unusable"] = self.unusable
        return d


class RecordValidator:
    """Validates records against the record schema and the invariants.

    ``validate_file`` streams a JSONL file and yields findings; ``check`` checks one record dict.
    Record ids are checked for duplicates per file in bounded memory (:class:`DuplicateIndex`):
    duplicates among the first ``spill_at`` ids are reported in line order, later ones at the end.
    """

    def __init__(self, engine: str = "rs", schema: dict[str, Any] | None = None, spill_at: int = SPILL_AT,
                 context: ManifestContext | None = None, media_root: Any = None):
        self.schema = SchemaEngine(schema or load_schema("record"), engine)
        self.spill_at = spill_at
        self.context = context
        #: with a media root, each side's media file is checked too (media-missing, media-hash-differs ...)
        self.media_root = media_root

    def media_issues(self, rec: dict[str, Any]) -> list[Issue]:
        """:func:`lancang.corpora.media.verify_media` for every side of a schema-valid record (media URIs
        resolved against the media root); none without a media root."""
        if self.media_root is None:
            return []
        from ..corpora.media import verify_media

        out: list[Issue] = []
        for lang, side in rec["sides"].items():
            if side.get("media"):
                out.extend((r, sev, pointer("sides", lang) + ptr, msg)
                           for r, sev, ptr, msg in verify_media(side, self.media_root))
        return out

    def check(self, rec: Any) -> list[Issue]:
        if not isinstance(rec, dict):
            return [("record-not-object", "error", "", "a record is a JSON object")]
        if self.schema.is_valid(rec):
            return check_invariants(rec) + self.media_issues(rec)
        return [("schema-" + kw if kw != "schema" else "schema", "error", ptr, msg)
                for ptr, kw, msg in self.schema.errors(rec)]

    def validate_file(self, path: PathLike, report: FileReport | None = None,
                      progress: Callable[[int], None] | None = None, *, fmt: str | None = None,
                      langs: Any = None, options: dict[str, Any] | None = None) -> Iterator[Finding]:
        """Stream ``path`` (any readable format, through the format hub) and yield its findings;
        ``progress(records)`` is called every 4,096 records. Records of formats other than JSONL are
        located by their id (no line numbers)."""
        name = str(path)
        report = report if report is not None else FileReport(name)
        form = resolve_format(path, fmt, "input")  # once: a name that does not tell is sniffed from its content
        lined = form.name == "jsonl"
        items = read_items(path, form.name, langs, **(options or {}))
        with DuplicateIndex(self.spill_at) as ids:
            yield from self._validate_lines(items, name, report, ids, progress)
            for rid, first, line, was_valid in ids.late_duplicates():
                if was_valid:
                    report.valid -= 1
                f = Finding("duplicate-id", f"id {rid!r} was already used {_at(first, lined)}", "error", name,
                            line if lined else None, rid, "/id")
                _count(report, f)
                yield f

    def _validate_lines(self, items: Iterator[Parsed | Problem], name: str, report: FileReport, ids: DuplicateIndex,
                        progress: Callable[[int], None] | None) -> Iterator[Finding]:
        is_valid = self.schema.is_valid
        ctx = self.context.fresh() if self.context is not None else None
        for item in items:
            if progress is not None and not report.records & 0xFFF:
                progress(report.records)
            if isinstance(item, Problem):
                f = Finding(item.code, item.message, item.severity, name, item.line or None, column=item.column)
                _count(report, f)
                if item.severity == "error":
                    report.unreadable += 1
                yield f
                continue
            report.records += 1
            rec = item.value
            if type(rec) is dict:
                rid = rec.get("id")
                rid_s = rid if isinstance(rid, str) else None
                issues = check_invariants(rec) + self.media_issues(rec) if is_valid(rec) else self.check(rec)
                if rid_s is not None:
                    ok = not any(sev == "error" for _, sev, _, _ in issues)
                    # records of other formats have no line: their ordinal says where ("by record N")
                    first = ids.add(rid_s, item.line if item.line is not None else report.records, ok)
                    if first is not None:
                        issues.append(("duplicate-id", "error", "/id",
                                       f"id {rid_s!r} was already used {_at(first, item.line is not None)}"))
            else:
                rid_s = None
                issues = [("record-not-object", "error", "", f"a record is a JSON object, not {json_type(rec)}")]
            if ctx is not None and type(rec) is dict and "sides" in rec and is_valid(rec):
                issues.extend(ctx.check(rec))
            if not issues:
                report.valid += 1
                continue
            if not any(sev == "error" for _, sev, _, _ in issues):
                report.valid += 1
            for rule, sev, ptr, msg in issues:
                f = Finding(rule, msg, sev, name, item.line, rid_s, ptr)
                _count(report, f)
                yield f


def _count(report: FileReport, f: Finding) -> None:
    if f.severity == "error":
        report.errors += 1
    elif f.severity == "warning":
        report.warnings += 1


# ------------------------------------------------------------------------------------ manifest

def _line_col(data: bytes, pos: int) -> tuple[int, int]:
    text = data.decode("utf-8", "replace")[:pos]
    line = text.count("\n") + 1
    return line, pos - (text.rfind("\n") + 1) + 1


def check_manifest(path: PathLike, engine: str = "rs", report: FileReport | None = None) -> Iterator[Finding]:
    """Validate a manifest (one JSON document): schema, then people ids unique.

    Findings point into the document with JSON pointers; a manifest that is not JSON gets its line
    and column.
    """
    name = str(path)
    report = report if report is not None else FileReport(name, kind="manifest")
    with open_input(path) as f:
        data = f.read(MAX_MANIFEST_BYTES + 1)
    if len(data) > MAX_MANIFEST_BYTES:
        raise InputError(f"{name}: manifest is over {MAX_MANIFEST_BYTES:,} bytes; is it a corpus?")
    findings: list[Finding] = []
    if data.startswith(b"\xef\xbb\xbf"):
        findings.append(Finding("bom", "file starts with a UTF-8 byte order mark (BOM)", "warning", name, 1, column=1))
        data = data[3:]
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        line, col = _line_col(data, exc.pos) if isinstance(exc.pos, int) else (None, None)
        findings.append(Finding("json-malformed", f"malformed JSON: {exc.msg}", "error", name, line, column=col))
        doc = None
    if doc is not None:
        eng = SchemaEngine(load_schema("manifest"), engine)
        if eng.is_valid(doc):
            seen: set[str] = set()
            for i, p in enumerate(doc.get("people", ())):
                if p["id"] in seen:
                    findings.append(Finding("manifest-duplicate-person", f"person id {p['id']!r} listed twice",
                                            "error", name, pointer=f"/people/{i}/id"))
                seen.add(p["id"])
        else:
            for ptr, kw, msg in eng.errors(doc):
                findings.append(Finding("schema-" + kw, msg, "error", name, pointer=ptr))
    report.records = 1 if doc is not None else 0
    for f in findings:
        _count(report, f)
    if doc is not None and not report.errors:
        report.valid = 1
    yield from findings


def is_manifest_path(path: PathLike) -> bool:
    """Files named ``*.json`` (not ``.jsonl``) holding a JSON object are manifests; a ``.json`` file
    holding an array (a Label Studio export) or named for another format is a corpus."""
    s = str(path).lower()
    if not (s.endswith(".json") or s.endswith(".json.gz")) or s.endswith(".ls.json"):
        return False
    try:
        with open_input(path) as f:
            head = f.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    except (InputError, OSError):
        return True  # reported as an unreadable manifest
    return not head.startswith(b"[")


def _at(where: int, lined: bool) -> str:
    return f"on line {where}" if lined else f"by record {where}"


def validate_files(paths: list[str], *, manifests: list[str] | None = None, engine: str = "rs",
                   progress: Callable[[int], None] | None = None, fmt: str | None = None, langs: Any = None,
                   options: dict[str, Any] | None = None,
                   media_root: Any = None) -> Iterator[tuple[FileReport, Iterator[Finding]]]:
    """Validate corpora (any readable format) and manifests: yield (report, findings) per file, manifests
    first; the report's counts are final once its findings are consumed. Records are also checked
    against the languages and people of a valid manifest given in the same call, and with
    ``media_root`` their sides' media files against what the records say."""
    rv: RecordValidator | None = None
    manifests = list(manifests or []) + [p for p in paths if is_manifest_path(p) and p not in (manifests or [])]
    records = [p for p in paths if p not in manifests]
    contexts = []
    for path in manifests + records:
        manifest = path in manifests
        if not manifest and rv is None:
            ctx = next((c for c in contexts if c is not None), None)
            rv = RecordValidator(engine, context=ctx, media_root=media_root)
        report = FileReport(path, kind="manifest" if manifest else "records")
        try:
            if manifest:
                found = check_manifest(path, engine, report)
                contexts.append(manifest_context(path) if str(path) != "-" else None)
            else:
                assert rv is not None
                found = rv.validate_file(path, report, progress, fmt=fmt, langs=langs, options=options)
            yield report, _unusable_guard(found, report)
        except LancangError as exc:
            report.unusable = str(exc)
            yield report, iter(())


def _unusable_guard(findings: Iterator[Finding], report: FileReport) -> Iterator[Finding]:
    """Opening and reader errors surface at a ``next()``; record them on the report instead."""
    try:
        yield from findings
    except LancangError as exc:
        report.unusable = str(exc)


__all__ = ["RecordValidator", "SchemaEngine", "FileReport", "check_invariants", "check_manifest",
           "is_manifest_path", "validate_files", "Finding", "Parsed", "Problem"]
