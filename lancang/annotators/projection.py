"""Entity projection: one side's entities carried through the token links to another side.

For each entity of the source side, the source tokens it covers are followed through the
``tokens`` link (pairs ``[i, j, "S"|"P"]``) to the target tokens they are aligned with, and the
target entity is the contiguous hull of those tokens, with these rules (docs/decisions.md,
"Issue 16: projection"):

* **one-to-many links**: every target token aligned with any of the entity's source tokens belongs
  to the projection;
* **gaps**: target tokens inside the hull that no source token of the entity is aligned with are
  allowed up to ``max_gap`` in a row. A longer run splits the aligned target tokens into clusters;
  the cluster with the most link weight is kept (ties: the one reached by more source tokens, then
  the leftmost) and the rest are dropped, which lowers the confidence;
* **sure and possible links**: a sure link weighs 1, a possible one ``possible_weight`` (0.5). With
  ``possible_links="fallback"`` (the default) a source token's possible links are followed only when
  it has no sure link (gold sets mark whole phrase blocks possible, and aligners mark the links only
  one direction found, so possible links widen spans with articles and neighbours); ``"always"``
  follows them all;
* **confidence** (``attrs.confidence``, 0-1): the mean, over the entity's source tokens, of the best
  weight of their links into the projected span. An entity whose source tokens are only partly
  aligned gets the aligned share; below ``min_confidence`` it is dropped;
* **punctuation** (tokens of Unicode P* characters) is set aside on both sides: the source's does not
  count and is not followed (an entity of punctuation alone is dropped), and the target's never
  makes an edge of the hull, so quotes, brackets and commas an aligner attaches to names are
  trimmed (``trim_punct=False`` keeps all of it);
* **overlap**: two projections that overlap on the target side (nested source entities, or two
  entities aligned to the same words) are resolved by keeping the higher confidence (ties: the
  longer source entity, then the earlier) and counting the others as conflicts, with their location.

The target layer gets provenance ``auto`` whose tool is ``lancang.project`` and whose settings name
the aligner (from the link's provenance), the source side and layer (and the tool that made it),
and the projection settings. Each projected entity keeps ``attrs.source`` = the source side, span
and id it came from.

>>> src = {"text": "Jokowi ke Jakarta .", "layers": {
...     "tokens": {"spans": [[0, 6], [7, 9], [10, 17], [18, 19]]},
...     "entities": {"items": [{"start": 0, "end": 6, "label": "PER"}, {"start": 10, "end": 17, "label": "LOC"}]}}}
>>> tgt = {"text": "Jokowi pergi ke Jakarta .", "layers": {
...     "tokens": {"spans": [[0, 6], [7, 12], [13, 15], [16, 23], [24, 25]]}}}
>>> ents, _ = project_side(src, tgt, [[0, 0, "S"], [1, 2, "P"], [2, 3, "S"], [3, 4, "S"]])
>>> [(tgt["text"][e["start"]:e["end"]], e["label"], e["attrs"]["confidence"]) for e in ents]
[('Jokowi', 'PER', 1.0), ('Jakarta', 'LOC', 1.0)]
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..corpora.jsonl import PathLike
from ..corpora.model import Provenance, now_iso
from ..errors import InputError, UsageError

TOOL = "lancang.project"
#: how possible links are used: only for source tokens without a sure link, or always
POSSIBLE_LINKS = ("fallback", "always")
#: conflicts listed by location in the stats (the count is always complete)
MAX_LISTED = 20


@dataclass(frozen=True)
class Settings:
    """How entities are projected (see the module's docstring)."""

    max_gap: int = 1
    possible_weight: float = 0.5
    possible_links: str = "fallback"
    min_confidence: float = 0.5
    trim_punct: bool = True

    def check(self) -> Settings:
        if not isinstance(self.max_gap, int) or isinstance(self.max_gap, bool) or self.max_gap < 0:
            raise UsageError(f"--max-gap must be a whole number >= 0, not {self.max_gap!r}")
        if self.possible_links not in POSSIBLE_LINKS:
            raise UsageError(f"--possible-links must be one of {', '.join(POSSIBLE_LINKS)}, "
                             f"not {self.possible_links!r}")
        for name in ("possible_weight", "min_confidence"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
                raise UsageError(f"--{name.replace('_', '-')} must be a number from 0 to 1, not {v!r}")
        return self


@dataclass
class ProjectStats:
    records: int = 0
    #: records whose target side got a projected layer
    projected: int = 0
    #: records whose target side already had the layer (kept: no --overwrite)
    kept: int = 0
    entities_in: int = 0
    entities_out: int = 0
    #: source entities dropped, by reason: unaligned, low-confidence, overlap, no-tokens, punctuation
    dropped: Counter[str] = field(default_factory=Counter)
    #: projections whose aligned tokens were split by a gap longer than max_gap (a cluster kept)
    split: int = 0
    #: projections whose hull lost punctuation at an edge
    trimmed: int = 0
    #: "file:line: record 'id': ..." of the first overlap conflicts
    conflicts: list[str] = field(default_factory=list)
    #: aligners whose links were followed -> records
    aligners: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        return {"records": self.records, "projected": self.projected, "kept": self.kept,
                "entities_in": self.entities_in, "entities_out": self.entities_out, "dropped": dict(self.dropped),
                "split": self.split, "trimmed": self.trimmed, "conflicts": list(self.conflicts),
                "aligners": dict(self.aligners)}


def is_punct(s: str) -> bool:
    """A token made only of punctuation (Unicode P*) and white space."""
    return bool(s.strip()) and all(unicodedata.category(c)[0] == "P" or c.isspace() for c in s)


def _covered(tokens: Sequence[Sequence[int]], pieces: Sequence[tuple[int, int]]) -> list[int]:
    """Indices of the tokens that overlap any of the pieces (an entity's span or fragments)."""
    out = []
    for i, (a, b) in enumerate(tokens):
        if any(a < e and s < b for s, e in pieces):
            out.append(i)
    return out


def _pieces(ent: Mapping[str, Any]) -> list[tuple[int, int]]:
    frags = ent.get("fragments")
    if frags:
        return [(int(s), int(e)) for s, e in frags]
    return [(int(ent["start"]), int(ent["end"]))]


@dataclass
class _Projection:
    start: int
    end: int
    confidence: float
    ent: Mapping[str, Any]
    split: bool
    trimmed: bool


def _project_one(ent: Mapping[str, Any], stoks: Sequence[Sequence[int]], stext: str, ttoks: Sequence[Sequence[int]],
                 ttext: str, links: Mapping[int, list[tuple[int, float]]], st: Settings) -> _Projection | str:
    """One entity's projection, or the reason it has none."""
    src = _covered(stoks, _pieces(ent))
    if not src:
        return "no-tokens"
    if st.trim_punct:
        src = [i for i in src if not is_punct(stext[stoks[i][0]:stoks[i][1]])]
        if not src:
            return "punctuation"
    weight: dict[int, float] = {}
    reached: dict[int, set[int]] = {}
    for i in src:
        for j, w in links.get(i, ()):
            weight[j] = weight.get(j, 0.0) + w
            reached.setdefault(j, set()).add(i)
    punct = (lambda j: is_punct(ttext[ttoks[j][0]:ttoks[j][1]])) if st.trim_punct else (lambda j: False)
    words = sorted(j for j in weight if not punct(j))
    if not words:
        return "unaligned"
    # clusters of aligned target tokens separated by more than max_gap other tokens
    clusters: list[list[int]] = [[words[0]]]
    for j in words[1:]:
        if j - clusters[-1][-1] - 1 > st.max_gap:
            clusters.append([j])
        else:
            clusters[-1].append(j)

    def rank(c: list[int]) -> tuple[float, int, int]:
        return (sum(weight[j] for j in c), len(set().union(*(reached[j] for j in c))), -c[0])

    best = max(clusters, key=rank)
    lo, hi = best[0], best[-1]
    # punctuation inside the hull stays; aligned punctuation outside it was trimmed (words bound the hull)
    trimmed = any(punct(j) and not lo <= j <= hi for j in weight)
    inside = set(range(lo, hi + 1))
    conf = sum(max((w for j, w in links.get(i, ()) if j in inside), default=0.0) for i in src) / len(src)
    return _Projection(ttoks[lo][0], ttoks[hi][1], round(conf, 3), ent, len(clusters) > 1, trimmed)


def _link_map(pairs: Sequence[Any], flip: bool, n_src: int, n_tgt: int, st: Settings,
              where: str) -> dict[int, list[tuple[int, float]]]:
    out: dict[int, list[tuple[int, float, bool]]] = {}
    for k, p in enumerate(pairs):
        if not (isinstance(p, (list, tuple)) and len(p) in (2, 3) and all(type(x) is int for x in p[:2])):
            raise InputError(f"{where}: pair {k} is not [i, j, \"S\"|\"P\"]: {p!r}")
        i, j = (p[1], p[0]) if flip else (p[0], p[1])
        if not (0 <= i < n_src and 0 <= j < n_tgt):
            raise InputError(f"{where}: pair {k} {list(p)} links a token that does not exist "
                             f"(the sides have {n_src} and {n_tgt} tokens); re-run `lancang align --words`")
        sure = not (len(p) == 3 and p[2] == "P")
        out.setdefault(i, []).append((j, 1.0 if sure else st.possible_weight, sure))
    if st.possible_links == "fallback":
        for i, ls in out.items():
            if any(x[2] for x in ls) and not all(x[2] for x in ls):
                out[i] = [x for x in ls if x[2]]
    return {i: [(j, w) for j, w, _ in ls] for i, ls in out.items()}


def project_side(src: Mapping[str, Any], tgt: Mapping[str, Any], pairs: Sequence[Any], *,
                 layer: str = "entities", settings: Settings | None = None, flip: bool = False,
                 where: str = "record") -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The projected entities of one side pair (target side's offsets, in order) and what happened:
    ``{"dropped": Counter, "split": n, "trimmed": n, "conflicts": [(kept entity, lost entity), ...]}``.
    ``pairs`` index source then target tokens (``flip``: target then source)."""
    st = settings or Settings()
    stoks = src.get("layers", {}).get("tokens", {}).get("spans") or []
    ttoks = tgt.get("layers", {}).get("tokens", {}).get("spans") or []
    links = _link_map(pairs, flip, len(stoks), len(ttoks), st, where)
    items = src.get("layers", {}).get(layer, {}).get("items") or []
    info: dict[str, Any] = {"dropped": Counter(), "split": 0, "trimmed": 0, "conflicts": []}
    found: list[_Projection] = []
    for k, ent in enumerate(items):
        _check_entity(ent, len(src["text"]), f"{where}: {layer} item {k}")
        got = _project_one(ent, stoks, src["text"], ttoks, tgt["text"], links, st)
        if isinstance(got, str):
            info["dropped"][got] += 1
        elif got.confidence < st.min_confidence or got.confidence == 0:
            info["dropped"]["low-confidence"] += 1
        else:
            found.append(got)
    found.sort(key=lambda p: (-p.confidence, -(p.ent["end"] - p.ent["start"]), p.ent["start"]))
    kept: list[_Projection] = []
    for p in found:
        clash = next((q for q in kept if p.start < q.end and q.start < p.end), None)
        if clash is not None:
            info["dropped"]["overlap"] += 1
            info["conflicts"].append((clash, p))
            continue
        kept.append(p)
        info["split"] += p.split
        info["trimmed"] += p.trimmed
    kept.sort(key=lambda p: (p.start, p.end))
    out = []
    for p in kept:
        source: dict[str, Any] = {"start": p.ent["start"], "end": p.ent["end"]}
        if p.ent.get("id") is not None:
            source["id"] = p.ent["id"]
        out.append({"start": p.start, "end": p.end, "label": p.ent["label"],
                    "attrs": {"confidence": p.confidence, "source": source}})
    return out, info


def _span_ok(sp: Any, n: int) -> bool:
    return (isinstance(sp, (list, tuple)) and len(sp) == 2 and all(type(x) is int for x in sp)
            and 0 <= sp[0] < sp[1] <= n)


def _check_entity(ent: Any, n: int, where: str) -> None:
    ok = (isinstance(ent, dict) and _span_ok((ent.get("start"), ent.get("end")), n)
          and isinstance(ent.get("label"), str)
          and all(_span_ok(f, n) for f in ent.get("fragments") or ()))
    if not ok:
        raise InputError(f"{where} is not an entity with 0 <= start < end <= {n}, a label and fragments "
                         f"[start, end] if any: {ent!r}")


def _token_link(rec: dict[str, Any], s: str, t: str) -> tuple[dict[str, Any], bool] | None:
    """The tokens link between sides s and t, and whether it runs t -> s."""
    for link in rec.get("links") or ():
        if isinstance(link, dict) and link.get("kind") == "tokens":
            if (link.get("src"), link.get("tgt")) == (s, t):
                return link, False
            if (link.get("src"), link.get("tgt")) == (t, s):
                return link, True
    return None


def _said(p: _Projection, text: str) -> str:
    return f"{p.ent['label']} {text[p.ent['start']:p.ent['end']]!r} (confidence {p.confidence})"


def _tool_name(prov: Any) -> str:
    """Who made a layer or link, from its provenance: the tool's name, or the person."""
    if not isinstance(prov, dict):
        return "unknown"
    tool = prov.get("tool")
    if isinstance(tool, dict) and tool.get("name"):
        return str(tool["name"]) + (f" {tool['version']}" if tool.get("version") else "")
    return f"{prov['annotator']} ({prov.get('method', 'manual')})" if prov.get("annotator") else "unknown"


class Projector:
    """Projects one record at a time (in place): the per-record work of :func:`project_file`."""

    def __init__(self, *, layer: str = "entities", src: str | None = None, tgt: str | None = None,
                 settings: Settings | None = None, overwrite: bool = False):
        if src is not None and src == tgt:
            raise UsageError(f"--src and --tgt are both {src!r}: projection needs two different sides")
        if not layer or layer in ("tokens", "sentences"):
            raise UsageError(f"--layer {layer!r}: projection carries a labelled-span layer (e.g. entities)")
        self.layer, self.src, self.tgt, self.overwrite = layer, src, tgt, overwrite
        self.settings = (settings or Settings()).check()
        self.time = now_iso()
        self.stats = ProjectStats()

    def record(self, rec: Any, where: str) -> dict[str, Any]:
        from .align.records import pick_sides
        from .pipeline import _check_replaceable, _sides

        sides = _sides(rec, where)
        s, t = pick_sides(rec, self.src, self.tgt, where)
        self.stats.records += 1
        src, tgt = sides[s], sides[t]
        if self.layer in tgt.get("layers", {}) and not self.overwrite:
            self.stats.kept += 1
            return rec
        for tag, side in ((s, src), (t, tgt)):
            spans = (side.get("layers", {}).get("tokens") or {}).get("spans")
            if not spans:
                raise InputError(f"{where}: side {tag!r} has no tokens layer; run `lancang annotate --layers tokens` "
                                 f"and then `lancang align --words --src {s} --tgt {t}` first")
            bad = next((k for k, sp in enumerate(spans) if not _span_ok(sp, len(side["text"]))), None)
            if bad is not None:
                raise InputError(f"{where}: side {tag!r}: token {bad} is not a [start, end] span of its text: "
                                 f"{spans[bad]!r}")
        lay = src.get("layers", {}).get(self.layer)
        if not isinstance(lay, dict) or not isinstance(lay.get("items"), list):
            step = ("`lancang annotate --layers entities --use LANG=spacy-ner ...`" if self.layer == "entities"
                    else f"the step that makes the {self.layer} layer")
            raise InputError(f"{where}: side {s!r} has no {self.layer} layer to project; run {step} first")
        found = _token_link(rec, s, t)
        if found is None:
            raise InputError(f"{where}: no tokens link between sides {s!r} and {t!r}; run "
                             f"`lancang align --words --src {s} --tgt {t}` first")
        link, flip = found
        pairs = link.get("pairs")
        if not isinstance(pairs, list):
            raise InputError(f"{where}: the tokens link {link.get('src')} -> {link.get('tgt')} has no pairs list")
        if self.layer in tgt.get("layers", {}):
            _check_replaceable(rec, t, tgt, self.layer, where)
        ents, info = project_side(src, tgt, pairs, layer=self.layer, settings=self.settings, flip=flip,
                                  where=f"{where}: tokens link {link.get('src')} -> {link.get('tgt')}")
        st = self.stats
        st.projected += 1
        st.entities_in += len(lay["items"])
        st.entities_out += len(ents)
        st.dropped.update(info["dropped"])
        st.split += info["split"]
        st.trimmed += info["trimmed"]
        for won, lost in info["conflicts"]:
            if len(st.conflicts) < MAX_LISTED:
                st.conflicts.append(f"{where}: side {t!r}: {_said(lost, src['text'])} overlaps "
                                    f"{_said(won, src['text'])}, kept")
        aligner = _tool_name(link.get("provenance"))
        st.aligners[aligner] += 1
        tgt.setdefault("layers", {})[self.layer] = {"items": ents, "provenance": self._provenance(aligner, s, lay)}
        return rec

    def _provenance(self, aligner: str, s: str, lay: Mapping[str, Any]) -> dict[str, Any]:
        from .. import __version__

        settings = {"aligner": aligner, "source": {"side": s, "layer": self.layer,
                                                   "tool": _tool_name(lay.get("provenance"))},
                    "max_gap": self.settings.max_gap, "possible_weight": self.settings.possible_weight,
                    "possible_links": self.settings.possible_links,
                    "min_confidence": self.settings.min_confidence, "trim_punct": self.settings.trim_punct}
        return Provenance.auto(TOOL, __version__, settings, time=self.time)


def project_file(source: PathLike, target: PathLike, *, layer: str = "entities", src: str | None = None,
                 tgt: str | None = None, settings: Settings | None = None, overwrite: bool = False,
                 fmt: str | None = None, langs: Any = None, options: dict[str, Any] | None = None,
                 out_format: str | None = None, write_options: dict[str, Any] | None = None,
                 manifest: PathLike | None = None, progress: Callable[[int], None] | None = None) -> ProjectStats:
    """``lancang project``: stream ``source`` (any readable format), project the ``src`` side's ``layer``
    onto the ``tgt`` side of every record and write ``target`` (JSONL unless ``out_format`` or the file
    name says otherwise) atomically. ``src``/``tgt`` default as in ``lancang align`` (a record's two
    sides, first to second). A target side that already has the layer is kept unless ``overwrite``.
    ``manifest`` gets an ``annotation`` step appended to its processing log."""
    from ..corpora.formats import format_for_path, read_located, write_corpus
    from ..corpora.manifest import ProcessingLog

    proj = Projector(layer=layer, src=src, tgt=tgt, settings=settings, overwrite=overwrite)
    log = ProcessingLog(manifest, "project")

    def projected() -> Iterator[dict[str, Any]]:
        for line, rec in read_located(source, fmt, langs if langs is not None else [x for x in (src, tgt) if x] or None,
                                      **(options or {})):
            at = f"{source}:{line}" if line is not None else str(source)
            rid = rec.get("id") if isinstance(rec, dict) else None
            yield proj.record(rec, f"{at}: record {rid!r}")
            if progress:
                progress(proj.stats.records)

    if out_format is None and (str(target) == "-" or format_for_path(target) is None):
        out_format = "jsonl"
    write_corpus(projected(), target, out_format, langs, **(write_options or {}))
    if log:
        import dataclasses

        sets = {"layer": layer, "src": src, "tgt": tgt, "overwrite": overwrite, **dataclasses.asdict(proj.settings)}
        log.append(step="annotation", settings=sets, counts=proj.stats.to_dict(), inputs=[source],
                   outputs=[target], records_in=proj.stats.records, records_out=proj.stats.records)
    return proj.stats
