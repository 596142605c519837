"""The rule library: named checks that JSON Schema cannot express, each a small function.

A rule has a stable kebab-case id, a scope (``record``: called once per record; ``manifest``: once
with the manifest; ``corpus``: per record with state, then once at the end), a JSON Schema for its
parameters (unknown parameters are errors), and a function returning hits. A hit is
``(pointer, message)`` for record and manifest rules, and ``(line, record id, pointer, message)``
from a corpus rule's ``finish``. Rules never mutate the record; severity and clause come from the
profile requirement that names the rule, so one rule serves many standards.
"""

from __future__ import annotations

import functools
import hashlib
import json
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import regex

from ..corpora.dupes import DuplicateIndex
from ..corpora.langs import expected_script, script_share, tag_matches
from ..registry import Registry
from .messages import msg

Hit = tuple[str, str]
LateHit = tuple[int, str, str, str]


@dataclass(frozen=True)
class Rule:
    id: str
    scope: str  # record | manifest | corpus
    summary: str
    params: dict[str, Any]  # JSON Schema of the parameters
    check: Callable[..., Iterable[Hit]] | None = None  # record: (rec, params); manifest: (doc, params)
    #: corpus rules: factory(params) -> object with .record(rec, line) -> hits and .finish() -> late hits
    start: Callable[[dict[str, Any]], Any] | None = None
    #: a rule that needs an optional package says which extra installs it
    needs: str | None = None
    #: a record or corpus rule that also reads the manifest: the checker demands --manifest and hands the
    #: manifest to the rule as the parameter ``_manifest``
    reads_manifest: bool = False
    #: a record rule that needs to know where the corpus is (its folder resolves relative media paths): the
    #: checker passes the corpus path as the parameter ``_corpus``
    reads_corpus: bool = False
    #: for rules that look only at some records (a layer, a header): whether a record has what the rule
    #: examines, and what that is (``{param}`` filled from the parameters); a requirement whose rule
    #: examined no record is ``not-checked``, never ``pass``
    applies: Callable[[dict[str, Any], dict[str, Any]], bool] | None = None
    looks_at: str = ""


def _schema(props: dict[str, Any] | None = None, required: list[str] | None = None) -> dict[str, Any]:
    s: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": props or {}}
    if required:
        s["required"] = required
    return s


LANGS = {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}


def _sides(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    only = params.get("languages")
    for lang, side in rec["sides"].items():
        if only is None or tag_matches(lang, only):
            yield lang, side


def _p(lang: str, *rest: Any) -> str:
    return "/sides/" + "/".join([lang.replace("~", "~0").replace("/", "~1"), *map(str, rest)])


# ------------------------------------------------------------------------------------ text hygiene

def text_nfc(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    for lang, side in _sides(rec, params):
        if not unicodedata.is_normalized("NFC", side["text"]):
            yield _p(lang, "text"), msg("text-nfc")


_CONTROL = regex.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # U+000D too: only TAB and LF are allowed


def text_control(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    allow = set(params.get("allow", []))
    for lang, side in _sides(rec, params):
        for m in _CONTROL.finditer(side["text"]):
            if m.group() not in allow:
                yield _p(lang, "text"), msg("text-control-chars", char=f"U+{ord(m.group()):04X}", offset=m.start())
                break


def text_bom(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    for lang, side in _sides(rec, params):
        i = side["text"].find("\ufeff")
        if i >= 0:
            yield _p(lang, "text"), msg("text-bom", offset=i)


# UTF-8 read as Latin-1/cp1252 leaves tell-tale pairs; U+FFFD marks bytes already lost.
_MOJIBAKE = regex.compile(r"[\u00c2-\u00c3][\u0080-\u00bf]|\u00e2\u20ac[\u0080-\u2122]"
                          r"|[\u00e0-\u00ef][\u0080-\u00bf]{2}|\ufffd")


def text_mojibake(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    for lang, side in _sides(rec, params):
        m = _MOJIBAKE.search(side["text"])
        if m:
            yield _p(lang, "text"), msg("text-mojibake", found=m.group(), offset=m.start())


def text_zawgyi(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    det = _zawgyi_detector()
    threshold = params.get("threshold", 0.95)
    for lang, side in rec["sides"].items():
        if tag_matches(lang, ["my"]) and side["text"]:
            p = det.get_zawgyi_probability(side["text"])
            if p >= threshold:
                yield _p(lang, "text"), msg("text-zawgyi", p=p)


_ZAWGYI: list[Any] = []


def _zawgyi_detector() -> Any:
    if not _ZAWGYI:
        from myanmartools import ZawgyiDetector

        _ZAWGYI.append(ZawgyiDetector())
    return _ZAWGYI[0]


# ------------------------------------------------------------------------------------ languages

def lang_allowed(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    allowed = params["allowed"]
    for lang in rec["sides"]:
        if not tag_matches(lang, allowed):
            yield _p(lang), msg("lang-allowed", lang=lang, allowed=list(allowed))


def sides_required(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    have = list(rec["sides"])
    n = len(have)
    if n < params.get("min", 1):
        yield "/sides", msg("sides-required.min", n=n, min=params["min"])
    if "max" in params and n > params["max"]:
        yield "/sides", msg("sides-required.max", n=n, max=params["max"])
    for want in params.get("languages", ()):
        if not any(tag_matches(h, [want]) for h in have):
            yield "/sides", msg("sides-required.language", lang=want, sides=have)


_LETTER = regex.compile(r"\p{L}")


def script_matches(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    floor = params.get("min_ratio", 0.5)
    for lang, side in _sides(rec, params):
        script = expected_script(lang)
        text = side["text"]
        if script is None or not text:
            continue
        inside, letters = script_share(text, script)
        if letters < params.get("min_letters", 3):
            continue
        ratio = inside / letters
        if ratio < floor:
            yield _p(lang, "text"), msg("script-matches-language", ratio=ratio, script=script, floor=floor, lang=lang)


# ------------------------------------------------------------------------------------ layers

def model_invariants(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    """The canonical model's invariants (offsets, order, tiling, link indices in range, NFC, references)."""
    from ..schemas.validator import check_invariants

    for rule, _sev, ptr, text in check_invariants(rec):
        yield ptr, msg("model-invariants", code=rule, detail=text)


def _need_layer(lang: str, side: dict[str, Any], name: str) -> dict[str, Any] | None:
    return side.get("layers", {}).get(name)


def tokens_tile(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    for lang, side in _sides(rec, params):
        lay = _need_layer(lang, side, "tokens")
        if lay is None:
            if side["text"].strip():
                yield _p(lang, "layers"), msg("tokens-tile.no-layer")
            continue
        yield from _tiling(lang, side["text"], lay["spans"], "tokens", "token")


def sentences_tile(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    for lang, side in _sides(rec, params):
        lay = _need_layer(lang, side, "sentences")
        if lay is None:
            if side["text"].strip():
                yield _p(lang, "layers"), msg("sentences-tile.no-layer")
            continue
        yield from _tiling(lang, side["text"], lay["spans"], "sentences", "sentence")


def _tiling(lang: str, text: str, spans: list[list[int]], layer: str, what: str) -> Iterator[Hit]:
    pos = 0
    for i, (s, e) in enumerate(spans):
        if s < pos:
            yield _p(lang, "layers", layer, "spans", i), msg("tiling.overlap", what=what, start=s, end=e)
            return
        gap = text[pos:s]
        if gap.strip():
            yield _p(lang, "layers", layer, "spans", i), msg("tiling.gap", start=pos, end=s, gap=gap[:20], what=what)
            return
        chunk = text[s:e]
        if chunk != chunk.strip():
            yield _p(lang, "layers", layer, "spans", i), msg("tiling.edge-space", what=what, start=s, end=e)
            return
        pos = e
    if text[pos:].strip():
        yield _p(lang, "layers", layer), msg("tiling.gap", start=pos, end=len(text), gap=text[pos:][:20], what=what)


def entity_token_boundaries(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    for lang, side in _sides(rec, params):
        layers = side.get("layers", {})
        ents = layers.get("entities")
        if not ents or not ents["items"]:
            continue
        tok = layers.get("tokens")
        if tok is None:
            yield _p(lang, "layers"), msg("entity-token-boundaries.no-tokens")
            continue
        starts = {s for s, _ in tok["spans"]}
        ends = {e for _, e in tok["spans"]}
        for i, it in enumerate(ents["items"]):
            for s, e in it.get("fragments") or [[it["start"], it["end"]]]:
                if s not in starts or e not in ends:
                    yield (_p(lang, "layers", "entities", "items", i),
                           msg("entity-token-boundaries", label=it["label"], start=s, end=e))
                    break


def entity_labels(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    allowed = set(params["labels"])
    for lang, side in _sides(rec, params):
        ents = side.get("layers", {}).get("entities")
        for i, it in enumerate(ents["items"] if ents else ()):
            if it["label"] not in allowed:
                yield (_p(lang, "layers", "entities", "items", i, "label"),
                       msg("entity-labels", label=it["label"]))
        for i, rel in enumerate(ents.get("relations", ()) if ents else ()):
            if "relations" in params and rel["label"] not in params["relations"]:
                yield (_p(lang, "layers", "entities", "relations", i, "label"),
                       msg("entity-labels.relation", label=rel["label"]))


def layers_required(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    for lang, side in _sides(rec, params):
        if not side["text"].strip():
            continue
        have = side.get("layers", {})
        for name in params["layers"]:
            if name not in have:
                yield _p(lang, "layers"), msg("layers-required", layer=name)


def links_required(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    kinds = {lk["kind"] for lk in rec.get("links", ())}
    if len(rec["sides"]) < 2:
        return
    for k in params["kinds"]:
        if k not in kinds:
            yield "/links", msg("links-required", kind=k)


# ------------------------------------------------------------------------------------ segments

def segment_empty(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    for lang, side in _sides(rec, params):
        if not side["text"].strip():
            yield _p(lang, "text"), msg("segment-empty")


@functools.lru_cache(maxsize=16)
def _untranslated(frozen: str) -> Any:
    from ..processing.filters.basic import Untranslated

    return Untranslated(**json.loads(frozen))


def segment_untranslated(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    """The cleaning filter ``untranslated`` (one definition of a copy), as a check: the record's first
    side against each other side; identical short names and numbers are not copies."""
    f = _untranslated(json.dumps(params, sort_keys=True))
    src = next(iter(rec["sides"]), None)
    for r in f.decide(f.score(rec)):
        yield _p(r.side, "text"), msg("segment-untranslated", side=r.side, src=src, value=r.value)


def _digest(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    for p in parts:
        h.update(p.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


@dataclass
class _Dupes:
    params: dict[str, Any]
    key: Callable[[dict[str, Any], dict[str, Any]], str | None]
    what: str
    index: DuplicateIndex = field(default_factory=DuplicateIndex)

    # the rule's global phase, apart (lancang check in parts: the keys are taken where the records are, and
    # added to one index in input order at the end)
    def key_of(self, rec: dict[str, Any]) -> str | None:
        return self.key(rec, self.params)

    def add(self, key: str, line: int, rid: str) -> Iterator[Hit]:
        first = self.index.add(key, line, rid)
        if first is not None:
            yield "/sides", msg(self.what, first=first)

    def record(self, rec: dict[str, Any], line: int) -> Iterator[Hit]:
        k = self.key_of(rec)
        if k is not None:
            yield from self.add(k, line, rec["id"])

    def close(self) -> None:
        self.index.close()

    def finish(self) -> Iterator[LateHit]:
        try:
            for _key, first, line, rid in self.index.late_duplicates():
                yield line, rid, "/sides", msg(self.what, first=first)
        finally:
            self.index.close()


def _record_key(rec: dict[str, Any], params: dict[str, Any]) -> str | None:
    sides = rec["sides"]
    return _digest(*(x for lang in sorted(sides) for x in (lang, sides[lang]["text"])))


def _pair_key(rec: dict[str, Any], params: dict[str, Any]) -> str | None:
    sides = rec["sides"]
    langs = params.get("languages")
    picked = sorted(lang for lang in sides if tag_matches(lang, langs)) if langs else sorted(sides)[:2]
    if len(picked) < 2:
        return None
    if params.get("normalise", True):
        # the cleaning filter's definition of "the same text" (one place): NFC, case folded, runs of
        # white space, punctuation and symbols as one space
        from ..processing.filters.dupes import normalise as norm
    else:
        def norm(t: str) -> str:
            return t
    return _digest(*(norm(sides[x]["text"]) for x in picked))


# ------------------------------------------------------------------------------------ provenance

def provenance_present(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    methods = params.get("methods")
    for lang, side in _sides(rec, params):
        for name, lay in side.get("layers", {}).items():
            if params.get("layers") and name not in params["layers"]:
                continue
            prov = lay.get("provenance")
            if not prov:
                yield _p(lang, "layers", name), msg("provenance-present", layer=name)
            elif methods and prov["method"] not in methods:
                yield (_p(lang, "layers", name, "provenance", "method"),
                       msg("provenance-present.method", method=prov["method"], methods=list(methods)))
            elif params.get("reviewed") and not prov.get("review", {}).get("reviewer"):
                yield _p(lang, "layers", name, "provenance"), msg("provenance-present.reviewer", layer=name)
    if params.get("links", True):
        for i, link in enumerate(rec.get("links", ())):
            if not link.get("provenance"):
                yield f"/links/{i}", msg("provenance-present.link", kind=link["kind"])


def role_separation(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    def check(prov: dict[str, Any] | None, ptr: str) -> Iterator[Hit]:
        if not prov:
            return
        who, rev = prov.get("annotator"), prov.get("review", {}).get("reviewer")
        if who is not None and who == rev:
            yield ptr, msg("role-separation", who=who)

    for lang, side in rec["sides"].items():
        for name, lay in side.get("layers", {}).items():
            yield from check(lay.get("provenance"), _p(lang, "layers", name, "provenance"))
    for i, link in enumerate(rec.get("links", ())):
        yield from check(link.get("provenance"), f"/links/{i}/provenance")


def manifest_role_separation(doc: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    exclusive = params.get("exclusive", [["annotator", "reviewer"]])
    for i, p in enumerate(doc.get("people", ())):
        roles = set(p["roles"])
        for group in exclusive:
            both = roles & set(group)
            if len(both) > 1:
                yield f"/people/{i}/roles", msg("manifest-role-separation", person=p["id"], roles=sorted(both))


# ------------------------------------------------------------------------------------ manifest

def _get(doc: Any, pointer: str) -> Any:
    cur = doc
    for part in pointer.strip("/").split("/") if pointer.strip("/") else []:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return None
    return cur


def manifest_fields(doc: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    for item in params["fields"]:
        ptr, label = (item, item) if isinstance(item, str) else (item["pointer"], item.get("label", item["pointer"]))
        val = _get(doc, ptr)
        if val in (None, "", [], {}):
            yield ptr, msg("manifest-fields", label=label)


def _evidenced(entry: dict[str, Any]) -> bool:
    """A step logged by a tool (``--manifest``): tool, version, and every input with its sha256."""
    ins = entry.get("inputs") or []
    return bool(entry.get("tool") and entry.get("version") and ins
                and all(isinstance(x, dict) and x.get("sha256") for x in ins))


#: steps that read a corpus without changing it (``manifest init`` describes the corpus as received): the
#: corpus they read is still the one the log describes
_READING_STEPS = ("preparation", "review", "sampling", "inspection")


def _corpus_position(log: list[dict[str, Any]], corpus: str) -> int | None:
    """The last evidenced step that made ``corpus`` (its sha256 among the outputs) or read it without
    changing it (a review); None when no step did."""
    found = None
    for i, s in enumerate(log):
        if not _evidenced(s):
            continue
        made = any(isinstance(x, dict) and x.get("sha256") == corpus for x in s.get("outputs", ()))
        read = s.get("step") in _READING_STEPS and any(isinstance(x, dict) and x.get("sha256") == corpus
                                                       for x in s.get("inputs", ()))
        if made or read:
            found = i
    return found


def processing_steps(doc: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    """With ``evidence``, a step counts only when a tool logged it with its input hashes (a typed-in
    ``{"step": "cleaning"}`` is a declaration, not evidence), and only up to the checked corpus: the
    checker gives its sha256 as ``_corpus_sha256``, and the steps that count are those logged up to the
    last one that made this corpus (or reviewed it), so a raw corpus does not pass on the log of the
    cleaned copy made from it."""
    log = [s for s in doc.get("processing", ()) if isinstance(s, dict)]
    evidence = params.get("evidence", False)
    corpus = params.get("_corpus_sha256")
    upto = len(log)
    if evidence and corpus:
        pos = _corpus_position(log, corpus)
        if pos is None:
            yield "/processing", msg("processing-steps.not-this-corpus")
        else:
            upto = pos + 1
    done = [s["step"] for s in log[:upto] if not evidence or _evidenced(s)]
    declared = {s["step"] for s in log[:upto]} - set(done)
    later = {s["step"] for s in log[upto:]}
    for step in params["steps"]:
        names = [step] if isinstance(step, str) else step
        if not any(n in done for n in names):
            said = [n for n in names if n in declared]
            if said:
                yield "/processing", msg("processing-steps.declared", steps=said)
            elif any(n in later for n in names):
                yield "/processing", msg("processing-steps.later", steps=names)
            else:
                yield "/processing", msg("processing-steps", steps=names)
    if params.get("ordered"):
        order = [next((i for i, d in enumerate(done) if d in ([s] if isinstance(s, str) else s)), None)
                 for s in params["steps"]]
        present = [o for o in order if o is not None]
        if present != sorted(present):
            yield "/processing", msg("processing-steps.order")


def guideline_sections(doc: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    sections = {s for g in doc.get("guidelines", ()) for s in g.get("sections", ())}
    for want in params["sections"]:
        names = [want] if isinstance(want, str) else want
        if not any(n in sections for n in names):
            yield "/guidelines", msg("guideline-sections", sections=names)


def manifest_roles(doc: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    have = {r for p in doc.get("people", ()) for r in p["roles"]}
    for role in params["roles"]:
        if role not in have:
            yield "/people", msg("manifest-roles", role=role)


# ------------------------------------------------------------------------------------ source formats

TMX_HEADER_REQUIRED = ("creationtool", "creationtoolversion", "segtype", "o-tmf", "adminlang", "srclang", "datatype")


def tmx_header(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    """TMX 1.4b <header>: the required attributes and segtype in its list (part ``attributes``, the DTD's word);
    srclang one of the first unit's languages or *all* (part ``srclang``, lancang's default)."""
    header = rec.get("meta", {}).get("tmx", {}).get("header")
    if header is None:
        return
    attrs = header.get("attrs", {})
    parts = params.get("parts", ["attributes", "srclang"])
    for a in TMX_HEADER_REQUIRED if "attributes" in parts else ():
        if not attrs.get(a):
            yield "/meta/tmx/header/attrs", msg("tmx-header", attr=a)
    seg = attrs.get("segtype")
    if seg and "attributes" in parts and seg not in ("block", "paragraph", "sentence", "phrase"):
        yield "/meta/tmx/header/attrs/segtype", msg("tmx-header.segtype", segtype=seg)
    src = attrs.get("srclang")
    if src and "srclang" in parts and src != "*all*" and not any(t.lower() == src.lower() for t in rec["sides"]):
        yield "/meta/tmx/header/attrs/srclang", msg("tmx-header.srclang", srclang=src)


def layer_values(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    """Values of a per-token layer (e.g. UPOS in pos) are in an allowed set (null allowed where no value)."""
    allowed = set(params["values"])
    name = params["layer"]
    for lang, side in _sides(rec, params):
        lay = side.get("layers", {}).get(name)
        for i, v in enumerate(lay["values"] if lay else ()):
            if v is not None and v not in allowed:
                yield _p(lang, "layers", name, "values", i), msg("layer-values", layer=name, value=v)


def dependency_tree(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    """CoNLL-U: exactly one root per sentence (HEAD 0), heads in range, no cycles (part ``tree``, UD level 2);
    DEPREL root if and only if HEAD 0 (part ``root-deprel``, UD level 3)."""
    parts = params.get("parts", ["tree", "root-deprel"])
    for lang, side in _sides(rec, params):
        layers = side.get("layers", {})
        heads, rels = layers.get("head"), layers.get("deprel")
        if heads is None:
            continue
        hv = heads["values"]
        rv = rels["values"] if rels else [None] * len(hv)
        words = [i for i, h in enumerate(hv) if h is not None]
        roots = [i for i in words if int(hv[i]) == 0]
        if len(roots) != 1 and "tree" in parts:
            yield _p(lang, "layers", "head"), msg("dependency-tree", n=len(roots))
        for i in words if "root-deprel" in parts else ():
            if (int(hv[i]) == 0) != (rv[i] == "root" or str(rv[i]).startswith("root:")):
                yield _p(lang, "layers", "deprel", "values", i), msg("dependency-tree.root-deprel")
                break
        # CoNLL-U heads count words from 1 in word order; token indices map to word numbers
        number = {k + 1: i for k, i in enumerate(words)}
        for i in words if "tree" in parts else ():
            seen, cur = set(), i
            while True:
                h = int(hv[cur])
                if h == 0:
                    break
                if h not in number:
                    yield _p(lang, "layers", "head", "values", i), msg("dependency-tree.head", head=h)
                    return
                cur = number[h]
                if cur in seen or cur == i:
                    yield _p(lang, "layers", "head", "values", i), msg("dependency-tree.cycle")
                    return
                seen.add(cur)


# ------------------------------------------------------------------------------------ personal data

def pii_residual(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    """Personal data left in a side's text or in a string of record or side meta: the default detectors of
    ``lancang mask`` (or those of ``types``) re-scan them; placeholders and marked surrogates do not
    count. The finding names the type, the span and the detector, never the value."""
    from ..processing.mask import residual, residual_detectors

    dets = residual_detectors(tuple(params.get("types") or ()))
    tags = [lang for lang, _ in _sides(rec, params)] if params.get("languages") else None
    for ptr, h in residual(rec, dets, tags):
        yield ptr, msg("pii-residual", type=h.type, start=h.start, end=h.end, detector=h.detector)


# ------------------------------------------------------------------------------------ speech

MEDIA_FACTS = ["sha256", "duration", "sample_rate", "channels"]


def media_referenced(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    """Every side names the media it transcribes, with the facts ``require`` lists (default: its sha256)."""
    want = params.get("require", ["sha256"])
    for lang, side in _sides(rec, params):
        media = side.get("media")
        if not isinstance(media, dict) or not media.get("uri"):
            yield _p(lang), msg("media-referenced")
            continue
        missing = [k for k in want if media.get(k) is None]
        if missing:
            yield _p(lang, "media"), msg("media-referenced.missing", uri=media["uri"], missing=missing)


def media_verified(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    """The media files exist and have the sha256, duration and format the sides record
    (:func:`lancang.corpora.media.verify_media`); a relative URI resolves against ``root`` when given, else
    against the corpus file's folder."""
    from pathlib import Path

    from ..corpora.media import verify_media

    corpus = params.get("_corpus")
    base = Path(corpus).parent if corpus and corpus != "-" else None
    for lang, side in _sides(rec, params):
        for code, severity, ptr, text in verify_media(side, params.get("root"), base):
            if severity == "error":
                yield _p(lang) + ptr, msg("media-verified", code=code, detail=text)


def _has_media(rec: dict[str, Any], params: dict[str, Any]) -> bool:
    return any(isinstance(side.get("media"), dict) for _lang, side in _sides(rec, params))


def _segments_of(side: dict[str, Any]) -> list[dict[str, Any]]:
    lay = side.get("layers", {}).get("segments")
    return lay.get("spans", []) if isinstance(lay, dict) else []


def timed_segment_empty(rec: dict[str, Any], params: dict[str, Any]) -> Iterator[Hit]:
    """No time segment whose transcript (``text[start:end]``) is empty or only white space."""
    for lang, side in _sides(rec, params):
        text = side["text"]
        for i, seg in enumerate(_segments_of(side)):
            if not text[seg["start"]:seg["end"]].strip():
                yield (_p(lang, "layers", "segments", "spans", i),
                       msg("timed-segment-empty", t0=seg["t0"], t1=seg["t1"]))


class _Speakers:
    """``speakers-declared``: every segment's speaker is declared in the manifest's ``speakers`` (with
    consent, unless ``consent`` is false); with ``required``, every segment names its speaker."""

    def __init__(self, params: dict[str, Any]):
        self.params = params
        man = params.get("_manifest")
        listed = man.get("speakers") if isinstance(man, dict) else None
        self.speakers = {s["id"]: s for s in listed or () if isinstance(s, dict) and isinstance(s.get("id"), str)}

    def record(self, rec: dict[str, Any], line: int) -> Iterator[Hit]:
        consent, required = self.params.get("consent", True), self.params.get("required", True)
        for lang, side in _sides(rec, self.params):
            told: set[str | None] = set()
            for i, seg in enumerate(_segments_of(side)):
                who = seg.get("speaker")
                if who in told:
                    continue
                told.add(who)
                ptr = _p(lang, "layers", "segments", "spans", i)
                if who is None:
                    if required:
                        yield ptr, msg("speakers-declared")
                elif who not in self.speakers:
                    yield ptr, msg("speakers-declared.undeclared", speaker=who)
                elif consent and self.speakers[who].get("consent") is not True:
                    yield ptr, msg("speakers-declared.consent", speaker=who)

    def finish(self) -> Iterator[LateHit]:
        return iter(())


# ------------------------------------------------------------------------------------ applicability

def _has_layer(name: str | None = None) -> Callable[[dict[str, Any], dict[str, Any]], bool]:
    """A side (of those the parameters select) has the layer ``name`` (or ``params["layer"]``)."""
    def applies(rec: dict[str, Any], params: dict[str, Any]) -> bool:
        want = name or params["layer"]
        return any(want in side.get("layers", {}) for _lang, side in _sides(rec, params))
    return applies


def _has_entities(rec: dict[str, Any], params: dict[str, Any]) -> bool:
    return any((side.get("layers", {}).get("entities") or {}).get("items") for _lang, side in _sides(rec, params))


def _has_provenance_target(rec: dict[str, Any], params: dict[str, Any]) -> bool:
    only = params.get("layers")
    return any(not only or name in only for _lang, side in _sides(rec, params) for name in side.get("layers", {})) \
        or (params.get("links", True) and bool(rec.get("links")))


def _has_provenance(rec: dict[str, Any], params: dict[str, Any]) -> bool:
    return any(lay.get("provenance") for side in rec["sides"].values() for lay in side.get("layers", {}).values()) \
        or any(lk.get("provenance") for lk in rec.get("links", ()))


def _has_tmx_header(rec: dict[str, Any], params: dict[str, Any]) -> bool:
    return isinstance(((rec.get("meta") or {}).get("tmx") or {}).get("header"), dict)


# ------------------------------------------------------------------------------------ registry

STR_LIST = {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}
ALT_LIST = {"type": "array", "minItems": 1, "items": {"oneOf": [{"type": "string"}, STR_LIST]}}
ONLY = {"languages": LANGS}

BUILTIN_RULES: dict[str, Rule] = {r.id: r for r in [
    Rule("model-invariants", "record", "Offsets inside the text and ordered, link indices in range, references "
         "resolve (the checks of `lancang validate`).", _schema(), model_invariants),
    Rule("text-nfc", "record", "Side texts are in Unicode NFC.", _schema(ONLY), text_nfc),
    Rule("text-control-chars", "record", "No C0/C1 control characters other than tab and line feed.",
         _schema({**ONLY, "allow": STR_LIST}), text_control),
    Rule("text-bom", "record", "No byte order mark inside texts.", _schema(ONLY), text_bom),
    Rule("text-mojibake", "record", "No mojibake (UTF-8 read as Latin-1/cp1252) or U+FFFD.", _schema(ONLY),
         text_mojibake),
    Rule("text-zawgyi", "record", "Burmese text is Unicode, not Zawgyi.",
         _schema({"threshold": {"type": "number", "minimum": 0, "maximum": 1}}), text_zawgyi, needs="my"),
    Rule("lang-allowed", "record",
         "Side languages are in an allowed set (BCP 47 prefix match, aliases such as tl/fil folded).",
         _schema({"allowed": STR_LIST}, ["allowed"]), lang_allowed),
    Rule("sides-required", "record", "Records have the required number of sides and languages.",
         _schema({"min": {"type": "integer", "minimum": 0}, "max": {"type": "integer", "minimum": 1},
                  "languages": STR_LIST}), sides_required),
    Rule("script-matches-language", "record", "The letters of a side are mostly in its language's script.",
         _schema({**ONLY, "min_ratio": {"type": "number", "minimum": 0, "maximum": 1},
                  "min_letters": {"type": "integer", "minimum": 0}}), script_matches),
    Rule("tokens-tile", "record", "Tokens cover every non-space character, without white space at their edges.",
         _schema(ONLY), tokens_tile),
    Rule("sentences-tile", "record", "Sentences cover every non-space character.", _schema(ONLY), sentences_tile),
    Rule("entity-token-boundaries", "record", "Entities start and end on token boundaries.", _schema(ONLY),
         entity_token_boundaries, applies=_has_entities, looks_at="entities"),
    Rule("entity-labels", "record", "Entity (and relation) labels are in the label set.",
         _schema({**ONLY, "labels": STR_LIST, "relations": STR_LIST}, ["labels"]), entity_labels,
         applies=_has_layer("entities"), looks_at="an entities layer"),
    Rule("layers-required", "record", "Non-empty sides have the required layers.",
         _schema({**ONLY, "layers": STR_LIST}, ["layers"]), layers_required),
    Rule("links-required", "record", "Records with two or more sides have the required links.",
         _schema({"kinds": {"type": "array", "items": {"enum": ["beads", "tokens"]}, "minItems": 1}}, ["kinds"]),
         links_required, applies=lambda rec, _params: len(rec["sides"]) >= 2, looks_at="two sides or more"),
    Rule("segment-empty", "record", "No empty or white-space-only segments.", _schema(ONLY), segment_empty),
    Rule("segment-untranslated", "record", "A target is not a copy of its source (the cleaning filter "
         "`untranslated`: equal once normalised, or sharing most character bigrams).",
         _schema({"threshold": {"type": "number", "minimum": 0.5, "maximum": 1},
                  "allow_numeric": {"type": "boolean"}, "allow_names": {"type": "integer", "minimum": 0}}),
         segment_untranslated),
    Rule("duplicate-records", "corpus", "No two records with the same texts on every side (bounded memory).",
         _schema(), start=lambda p: _Dupes(p, _record_key, "duplicate-records")),
    Rule("duplicate-pairs", "corpus", "No two records with the same text pair (normalised as the cleaning filter "
         "`duplicates` does: NFC, case, white space and punctuation).",
         _schema({"languages": STR_LIST, "normalise": {"type": "boolean"}}),
         start=lambda p: _Dupes(p, _pair_key, "duplicate-pairs")),
    Rule("provenance-present", "record", "Layers (and links) say who or what made them, by an allowed method.",
         _schema({**ONLY, "layers": STR_LIST,
                  "methods": {"type": "array", "items": {"enum": ["manual", "auto", "assisted"]}},
                  "reviewed": {"type": "boolean"}, "links": {"type": "boolean"}}), provenance_present,
         applies=_has_provenance_target, looks_at="a layer or link"),
    Rule("role-separation", "record", "The annotator of a layer is not its reviewer.", _schema(), role_separation,
         applies=_has_provenance, looks_at="a layer or link with provenance"),
    Rule("manifest-role-separation", "manifest", "No person holds mutually exclusive roles.",
         _schema({"exclusive": {"type": "array", "items": STR_LIST}}), manifest_role_separation),
    Rule("manifest-fields", "manifest", "The datasheet has the required items (JSON pointers).",
         _schema({"fields": {"type": "array", "minItems": 1, "items": {"oneOf": [
             {"type": "string", "pattern": "^/"},
             {"type": "object", "required": ["pointer"], "additionalProperties": False,
              "properties": {"pointer": {"type": "string", "pattern": "^/"}, "label": {"type": "string"}}}]}}},
                 ["fields"]), manifest_fields),
    Rule("manifest-roles", "manifest", "The people include the required roles.",
         _schema({"roles": STR_LIST}, ["roles"]), manifest_roles),
    Rule("processing-steps", "manifest", "The processing log has the required steps (alternatives in a list).",
         _schema({"steps": ALT_LIST, "ordered": {"type": "boolean"}, "evidence": {"type": "boolean"}}, ["steps"]),
         processing_steps),
    Rule("source-format", "source", "The corpus was read in the given format without a violation of it "
         "(e.g. XLIFF 2 processing requirements, TMX structure, CoNLL-U columns).",
         _schema({"format": {"type": "string", "minLength": 1}}, ["format"])),
    Rule("tmx-header", "record", "TMX 1.4b header: required attributes, segtype, srclang.",
         _schema({"parts": {"type": "array", "items": {"enum": ["attributes", "srclang"]}, "minItems": 1,
                            "uniqueItems": True}}), tmx_header,
         applies=_has_tmx_header, looks_at="a TMX header (meta.tmx.header)"),
    Rule("layer-values", "record", "Values of a per-token layer are in an allowed set.",
         _schema({**ONLY, "layer": {"enum": ["pos", "xpos", "lemma", "feats", "deprel", "deps", "misc"]},
                  "values": STR_LIST}, ["layer", "values"]), layer_values,
         applies=_has_layer(), looks_at="a {layer} layer"),
    Rule("dependency-tree", "record", "Dependency heads form one tree per sentence rooted at HEAD 0.",
         _schema({**ONLY, "parts": {"type": "array", "items": {"enum": ["tree", "root-deprel"]}, "minItems": 1,
                                    "uniqueItems": True}}), dependency_tree,
         applies=_has_layer("head"), looks_at="a head layer"),
    Rule("guideline-sections", "manifest", "The annotation guidelines have the required sections.",
         _schema({"sections": ALT_LIST}, ["sections"]), guideline_sections),
    Rule("media-referenced", "record", "Every side names the audio or video it transcribes (media.uri) with the "
         "facts required (default: its sha256).",
         _schema({**ONLY, "require": {"type": "array", "items": {"enum": MEDIA_FACTS}, "uniqueItems": True}}),
         media_referenced),
    Rule("media-verified", "record", "The media files exist and match the sha256, duration and format the sides "
         "record (relative paths from `root`, else the corpus's folder; the files are read).",
         _schema({**ONLY, "root": {"type": "string", "minLength": 1}}), media_verified, applies=_has_media,
         looks_at="a side with media", reads_corpus=True),
    Rule("timed-segment-empty", "record", "No time segment with an empty or white-space-only transcript.",
         _schema(ONLY), timed_segment_empty, applies=_has_layer("segments"), looks_at="a segments layer"),
    Rule("speakers-declared", "corpus", "Every segment's speaker is declared in the manifest's speakers, with "
         "consent (reads the manifest).",
         _schema({**ONLY, "consent": {"type": "boolean"}, "required": {"type": "boolean"}}),
         start=_Speakers, reads_manifest=True, applies=_has_layer("segments"), looks_at="a segments layer"),
    Rule("pii-residual", "record", "No personal data is left unmasked (the default detectors of `lancang mask` "
         "re-scan every side; placeholders and marked surrogates do not count).",
         _schema({**ONLY, "types": STR_LIST}), pii_residual, needs="privacy"),
]}

RULES = Registry("rule", "lancang.rules")
for _id, _rule in BUILTIN_RULES.items():
    RULES.register(_id, _rule)
