"""Load profiles: shipped ones by id, installed ones by entry point, or a user's file by path.

Loading validates the profile against ``schemas/profile.schema.json`` (unknown keys are errors),
checks that every rule exists and that its parameters fit the rule's schema, that every embedded
JSON Schema is itself valid, that requirement ids are unique, that every requirement's ``source``
points to a fact of the record of facts (``docs/standards/``, or the profile's own folder), and
resolves ``extends`` (a circular chain is an error). Errors name the file and the JSON pointer.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import orjson

from ..corpora.io import register_input
from ..errors import InputError
from ..findings import pointer
from ..schemas import load_schema
from ..schemas.validator import PATTERN_BACKTRACK_LIMIT, SchemaEngine, needs_backtracking, schema_patterns
from .rules import RULES


class ProfileError(InputError):
    """A profile is not usable; the message lists every problem with its JSON pointer."""


@dataclass
class Profile:
    id: str
    doc: dict[str, Any]
    source: str
    sha256: str
    #: requirements of this profile and everything it extends, each with "profile" = where it comes from
    requirements: list[dict[str, Any]] = field(default_factory=list)
    chain: list[str] = field(default_factory=list)
    #: id, version, number, title and issuer of this profile and every profile in its chain, by id
    about: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.doc.get("version", "")

    def title(self, lang: str = "en") -> str:
        return text_in(self.doc["title"], lang)

    def signature(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "sha256": self.sha256, "source": self.source,
                "extends": self.chain[1:], **_about(self.doc),
                "extended": [self.about[c] for c in self.chain[1:] if c in self.about]}


def _about(doc: dict[str, Any]) -> dict[str, Any]:
    """What a report's header says of a profile: its standard's number, title and issuer, and its version."""
    return {"number": doc.get("number"), "title": doc.get("title"), "issuer": doc.get("issuer")}


def text_in(value: Any, lang: str = "en") -> str:
    """A profile text in one language (falls back to en, zh, then any)."""
    if isinstance(value, str):
        return value
    for k in (lang, "en", "zh"):
        if k in value:
            return value[k]
    return next(iter(value.values()))


def shipped_dir() -> Path:
    return Path(str(resources.files("lancang.standards").joinpath("profiles")))


def available() -> dict[str, str]:
    """Profile id -> where it comes from (shipped file path or entry point)."""
    out = {p.stem: str(p) for p in sorted(shipped_dir().glob("*.json"))}
    for ep in metadata.entry_points(group="lancang.profiles"):
        out.setdefault(ep.name, ep.value)
    return out


def _read(ref: str) -> tuple[dict[str, Any], str, bytes]:
    p = Path(ref)
    if p.suffix == ".json" and p.exists():
        if p.is_dir():
            raise ProfileError(f"{p}: is a directory, not a profile file")
        data = p.read_bytes()
        register_input(p)  # a command may not write its report over a profile it read
        src = str(p)
    else:
        known = available()
        if ref not in known:
            raise ProfileError(f"unknown profile {ref!r}: not a file, and not one of {', '.join(sorted(known))}")
        loc = known[ref]
        if ":" in loc and not Path(loc).exists():  # entry point "module:attr" giving a dict or a path
            from ..registry import load_object

            obj = load_object(loc)
            data = orjson.dumps(obj) if isinstance(obj, dict) else Path(obj).read_bytes()
        else:
            data = Path(loc).read_bytes()
        src = loc
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        text = data.decode("utf-8", "replace")[: exc.pos]
        raise ProfileError(f"{src}:{text.count(chr(10)) + 1}: not valid JSON: {exc.msg}") from None
    return doc, src, data


def check_profile(doc: Any, source: str) -> list[str]:
    """Every problem of one profile document (not its parents), as "source pointer: message"."""
    eng = SchemaEngine(load_schema("profile"))
    if not eng.is_valid(doc):
        return [f"{source} {ptr or '/'}: {msg}" for ptr, _kw, msg in eng.errors(doc)]
    problems: list[str] = []
    seen: set[str] = set()
    for i, req in enumerate(doc["requirements"]):
        base = f"{source} {pointer('requirements', i)}"
        if req["id"] in seen:
            problems.append(f"{base}/id: requirement id {req['id']!r} is used twice")
        seen.add(req["id"])
        if req["kind"] == "rule":
            if req["rule"] not in RULES:
                problems.append(f"{base}/rule: no rule {req['rule']!r}; known rules: {', '.join(RULES.names())}")
                continue
            rule = RULES.get(req["rule"])
            ps = SchemaEngine(rule.params)
            params = req.get("params", {})
            for ptr, _kw, msg in ps.errors(params):
                problems.append(f"{base}/params{ptr}: {msg}")
        elif req["kind"] in ("record", "manifest", "metrics"):
            outside = outside_refs(req["schema"])
            for ptr, ref in outside:
                problems.append(f"{base}/schema{ptr}: $ref {ref!r} points outside the profile; a $ref resolves only "
                                f"within the profile's schema and lancang's bundled schemas (nothing is fetched)")
            if outside:
                continue
            try:
                SchemaEngine(req["schema"])
            except Exception as exc:  # jsonschema-rs raises ValidationError for a bad schema
                problems.append(f"{base}/schema: not a valid JSON Schema: {exc}")
            if req["kind"] == "metrics":
                from .metrics import unknown_metrics

                for ptr, name in unknown_metrics(req["schema"]):
                    problems.append(f"{base}/schema{ptr}: unknown metric {name!r}")
    return problems + source_problems(doc, source)


#: The project's record of facts: one Markdown file per standard, one ``<a id="..."></a>`` per fact.
FACTS_PREFIX = "docs/standards/"
_ANCHOR = re.compile(r'<a id="([^"]+)"></a>')


def facts_dir() -> Path:
    """``docs/standards/`` of the source tree lancang runs from (absent from an installed wheel)."""
    return Path(__file__).resolve().parents[2] / "docs" / "standards"


def fact_anchors(path: Path) -> set[str]:
    """The fact ids (``<a id="...">`` anchors) of one record-of-facts file."""
    return set(_ANCHOR.findall(path.read_text(encoding="utf-8")))


def fact_text(path: Path, anchor: str) -> str:
    """The text of one fact: from its anchor to the next one (or the end of the file)."""
    text = path.read_text(encoding="utf-8")
    m = re.search(rf'<a id="{re.escape(anchor)}"></a>', text)
    if m is None:
        return ""
    nxt = _ANCHOR.search(text, m.end())
    return text[m.end(): nxt.start() if nxt else len(text)]


def resolve_source(source: str, profile_file: str | None) -> tuple[Path | None, str, str | None]:
    """``(file, anchor, problem)`` of a requirement's ``source``. ``docs/standards/X.md#id`` resolves in the
    project's record of facts; any other ``X.md#id`` relative to the profile file's folder, inside it.
    ``file`` is None (and no problem) when the project's record is not installed, so nothing can be said."""
    name, _, anchor = source.partition("#")
    if name.startswith(FACTS_PREFIX):
        base = facts_dir()
        if not base.is_dir():
            return None, anchor, None
        rel = name[len(FACTS_PREFIX):]
    else:
        if profile_file is None or not Path(profile_file).is_file():
            return None, anchor, (f"{source!r} points nowhere: only {FACTS_PREFIX}... resolves for a profile that "
                                  "is not a file")
        base, rel = Path(profile_file).resolve().parent, name
    path = (base / rel).resolve()
    if not path.is_relative_to(base.resolve()):
        return None, anchor, f"{source!r} points outside {base}"
    if not path.is_file():
        return None, anchor, f"{source!r} points nowhere: no file {name}"
    if anchor not in fact_anchors(path):
        return None, anchor, f"{source!r} points nowhere: {name} has no fact <a id=\"{anchor}\">"
    return path, anchor, None


def source_problems(doc: dict[str, Any], source: str) -> list[str]:
    """Every requirement ``source`` of a (schema-valid) profile that points to no fact."""
    out = []
    for i, req in enumerate(doc["requirements"]):
        if "source" in req:
            _path, _anchor, problem = resolve_source(req["source"], source)
            if problem:
                out.append(f"{source} {pointer('requirements', i, 'source')}: {problem}")
    return out


def source_warnings(doc: Any, source: str) -> list[str]:
    """Warnings for requirements that claim the standard's text or a secondary source and say not where."""
    out = []
    for i, req in enumerate(doc.get("requirements", ()) if isinstance(doc, dict) else ()):
        if isinstance(req, dict) and req.get("basis") in ("text", "secondary") and "source" not in req:
            out.append(f"{source} {pointer('requirements', i)}: warning: basis {req['basis']!r} without a source: "
                       "nothing says where the standard says this (add \"source\": \"FILE.md#fact\")")
    return out


def pattern_warnings(doc: Any, source: str) -> list[str]:
    """Warnings for the regular expressions of a profile's embedded schemas that need a backtracking engine
    (lookaround, backreferences): their cost on a value grows faster than its length, so `lancang check`
    bounds them and leaves the requirement not-checked where a value reaches the bound. Other patterns
    run in linear time."""
    out = []
    for i, req in enumerate(doc.get("requirements", ()) if isinstance(doc, dict) else ()):
        if isinstance(req, dict) and req.get("kind") in ("record", "manifest", "metrics"):
            for ptr, regex in schema_patterns(req.get("schema")):
                if needs_backtracking(regex):
                    out.append(f"{source} {pointer('requirements', i, 'schema')}{ptr}: warning: pattern {regex!r} "
                               "needs a backtracking engine (lookaround or backreferences); `lancang check` stops "
                               f"after {PATTERN_BACKTRACK_LIMIT:,} steps on a value and leaves the requirement "
                               "not-checked there")
    return out


def outside_refs(schema: Any) -> list[tuple[str, str]]:
    """``(JSON pointer, $ref)`` of every reference in an embedded schema that does not resolve inside it or
    to one of lancang's bundled schemas (by ``$id``): an ``http:``, ``file:`` or relative document reference,
    or any reference under an ``$id`` that moves the base elsewhere. Checked before a schema is compiled,
    so a profile never makes lancang read a file or the network."""
    from urllib.parse import urldefrag, urljoin

    from ..schemas.validator import bundled_schemas

    allowed = set(bundled_schemas())
    out: list[tuple[str, str]] = []

    def walk(node: Any, base: str, path: tuple[Any, ...]) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$id"), str):
                base = urljoin(base, node["$id"])
                if urldefrag(base)[0] not in allowed | {""}:
                    out.append((pointer(*path, "$id"), node["$id"]))
            for key in ("$ref", "$dynamicRef"):
                ref = node.get(key)
                if isinstance(ref, str):
                    doc = urldefrag(urljoin(base, ref))[0]
                    if doc not in allowed and not (doc == urldefrag(base)[0] and ref.startswith("#")):
                        out.append((pointer(*path, key), ref))
            for k, v in node.items():
                if k not in ("const", "enum", "default", "examples"):
                    walk(v, base, (*path, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, base, (*path, i))

    walk(schema, "", ())
    return out


def _refuse(ref: str, problems: list[str]) -> None:
    if len(problems) == 1:
        raise ProfileError(f"profile {ref!r} is not valid: {problems[0]}")
    if problems:
        raise ProfileError(f"profile {ref!r} is not valid:\n  " + "\n  ".join(problems))


def load_profile(ref: str, _stack: tuple[str, ...] = ()) -> Profile:
    """Load, validate and resolve a profile by id or path (see the module docstring)."""
    doc, src, data = _read(ref)
    _refuse(ref, check_profile(doc, src))
    pid = doc["id"]
    if pid in _stack:
        raise ProfileError(f"{src}: circular extends: {' -> '.join((*_stack, pid))}")
    reqs: list[dict[str, Any]] = []
    chain = [pid]
    about = {pid: {"id": pid, "version": doc.get("version", ""), **_about(doc)}}
    index: dict[str, int] = {}
    for parent_ref in doc.get("extends", ()):
        parent = load_profile(parent_ref, (*_stack, pid))
        chain += [c for c in parent.chain if c not in chain]
        about = {**parent.about, **about}
        for r in parent.requirements:
            index[r["id"]] = len(reqs)
            reqs.append(r)
    for r in doc["requirements"]:
        r = {**r, "profile": pid}
        if r["id"] in index:
            reqs[index[r["id"]]] = r  # a child replaces the parent's requirement of the same id
        else:
            index[r["id"]] = len(reqs)
            reqs.append(r)
    if "scoring" in doc:  # its requirement ids may be inherited, so checked once extends is resolved
        from .scoring import scoring_problems

        _refuse(ref, scoring_problems(doc["scoring"], index, src, lambda s: resolve_source(s, src)[2]))
    return Profile(pid, doc, src, hashlib.sha256(data).hexdigest(), reqs, chain, about)
