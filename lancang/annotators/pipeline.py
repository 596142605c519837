"""Run annotators over records, a batch at a time, with provenance on every layer.

A :class:`PipelineConfig` is plain data (layers, which annotator serves which language, each
annotator's configuration): it is what a process pool or a Dask worker receives, and
:meth:`Pipeline.build` turns it into annotators inside that process. The pipeline is checked when
it is built: unknown layers or annotators, an annotator that does not serve the language it was
chosen for or does not provide a requested layer, a missing backend and invalid configuration are
all errors before any record is read.

When a side gets (or already has) sentences, its tokens are segmented sentence by sentence, so no
token crosses a sentence boundary and long texts reach the backend in sentence-sized pieces.
Entities come last, so an entity annotator sees the tokens made in the same run; replacing an
entities layer that has relations (which refer to its entity ids) is refused.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..corpora.jsonl import PathLike, json_type
from ..corpora.langs import check_tag, language, script_language
from ..corpora.model import VALUE_LAYERS, Provenance, now_iso
from ..errors import InputError, LancangError, UsageError
from . import LAYERS, default_for, spec
from .base import Annotator, AnnotatorSpec, shared
from .spans import Span

LANG_FROM = ("side", "script")


@dataclass(frozen=True)
class PipelineConfig:
    layers: tuple[str, ...]
    #: language (primary subtag) -> annotator names chosen for it
    use: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: annotator name -> its configuration
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    lang_from: str = "side"
    #: annotate only these sides (tags as in the records); None = all
    sides: tuple[str, ...] | None = None
    overwrite: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"layers": list(self.layers), "use": {k: list(v) for k, v in self.use.items()},
                "config": {k: dict(v) for k, v in self.config.items()}, "lang_from": self.lang_from,
                "sides": list(self.sides) if self.sides is not None else None, "overwrite": self.overwrite}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PipelineConfig:
        return cls(layers=tuple(d["layers"]), use={k: tuple(v) for k, v in d.get("use", {}).items()},
                   config=dict(d.get("config", {})), lang_from=d.get("lang_from", "side"),
                   sides=tuple(d["sides"]) if d.get("sides") is not None else None,
                   overwrite=bool(d.get("overwrite", False)))


def parse_use(items: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """``["zh=jieba,th=newmm", "th=crfcut"]`` -> ``{"zh": ("jieba",), "th": ("newmm", "crfcut")}``."""
    out: dict[str, list[str]] = defaultdict(list)
    for item in items:
        for part in filter(None, (p.strip() for p in item.split(","))):
            lang, sep, name = part.partition("=")
            if not sep or not lang.strip() or not name.strip():
                raise UsageError(f"--use expects LANG=ANNOTATOR (e.g. zh=jieba), got {part!r}")
            out[language(lang.strip())].append(name.strip())
    return {k: tuple(v) for k, v in out.items()}


@dataclass
class Stats:
    records: int = 0
    #: (layer, language, annotator) -> [sides, characters, spans]
    made: dict[tuple[str, str, str], list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    kept: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        return {"records": self.records,
                "layers": [{"layer": y, "lang": g, "annotator": a, "sides": v[0], "characters": v[1], "spans": v[2]}
                           for (y, g, a), v in sorted(self.made.items())],
                "kept": dict(self.kept)}


class Pipeline:
    def __init__(self, cfg: PipelineConfig):
        self.cfg = cfg
        self.time = now_iso()
        self._built: dict[str, Annotator] = {}
        self._prov: dict[str, dict[str, Any]] = {}
        self._chosen: dict[tuple[str, str], str] = {}

    @classmethod
    def build(cls, cfg: PipelineConfig) -> Pipeline:
        bad = [x for x in cfg.layers if x not in LAYERS]
        if bad or not cfg.layers:
            raise UsageError(f"unknown layer {', '.join(map(repr, bad)) or '(none given)'}; "
                             f"annotators here make: {', '.join(LAYERS)}")
        if cfg.lang_from not in LANG_FROM:
            raise UsageError(f"--lang-from must be one of {', '.join(LANG_FROM)}, not {cfg.lang_from!r}")
        for s in cfg.sides or ():
            check_tag(s)
        p = cls(cfg)
        for name, conf in cfg.config.items():
            spec(name).check_config(conf)
        for lang, names in cfg.use.items():
            for name in names:
                sp = spec(name)
                if not sp.serves(lang):
                    raise UsageError(f"annotator {name!r} does not serve language {lang!r} "
                                     f"(it serves {', '.join(sp.languages)})")
                if not set(sp.provides) & set(cfg.layers):
                    raise UsageError(f"annotator {name!r} provides {', '.join(sp.provides)}, "
                                     f"none of the requested layers ({', '.join(cfg.layers)})")
                for req in sp.requires:
                    if req not in cfg.layers:
                        raise UsageError(f"annotator {name!r} requires the {req} layer; add it to --layers")
                ann = p.annotator(name)
                prepare = getattr(ann, "prepare", None)
                if prepare is not None:
                    prepare(lang, lang)
        return p

    # ------------------------------------------------------------------------------ choosing

    def choose(self, layer: str, lang: str) -> str | None:
        key = (layer, lang)
        if key not in self._chosen:
            name = next((n for n in self.cfg.use.get(lang, ()) if layer in spec(n).provides), None)
            self._chosen[key] = name or default_for(layer, lang) or ""
        return self._chosen[key] or None

    def annotator(self, name: str) -> Annotator:
        if name not in self._built:
            self._built[name] = shared(spec(name), self.cfg.config.get(name))
        return self._built[name]

    def provenance(self, name: str) -> dict[str, Any]:
        if name not in self._prov:
            ann = self.annotator(name)
            sp: AnnotatorSpec = ann.spec
            # a plug-in need not subclass Annotator, so the attribute may be missing
            version = getattr(ann, "provenance_version", None) or sp.backend_version()
            self._prov[name] = Provenance.auto(sp.tool or sp.name, version, ann.provenance_settings, time=self.time)
        p = self._prov[name]
        return {**p, "tool": {**p["tool"], "settings": dict(p["tool"].get("settings", {}))}}

    # ----------------------------------------------------------------------------- annotating

    def annotate_batch(self, records: list[dict[str, Any]], stats: Stats | None = None,
                       where: Callable[[int], str] | None = None) -> Stats:
        """Annotate records in place. ``where(i)`` names record i's location for error messages."""
        stats = stats if stats is not None else Stats()
        here = where or (lambda i: f"record {records[i].get('id', i)!r}")
        jobs: dict[str, list[tuple[int, str, str, dict[str, Any]]]] = {layer: [] for layer in LAYERS}
        only = self.cfg.sides
        layers = self.cfg.layers
        for i, rec in enumerate(records):
            sides = rec.get("sides") if isinstance(rec, dict) else None
            if not _well_formed(sides):
                _sides(rec, here(i))  # raises with the reason
            for tag, side in sides.items():
                if only is not None and tag not in only:
                    continue
                lang_tag = self._effective_tag(tag, side["text"], here, i)
                have = side.get("layers")
                for layer in layers:
                    if have and layer in have:
                        if not self.cfg.overwrite:
                            stats.kept[layer] += 1
                            continue
                        _check_replaceable(rec, tag, side, layer, here(i))
                    jobs[layer].append((i, tag, lang_tag, side))
        stats.records += len(records)
        for layer in ("sentences", "tokens", "entities"):
            if jobs[layer]:
                self._run(layer, jobs[layer], stats, here)
        return stats

    def _effective_tag(self, tag: str, text: str, here: Callable[[int], str], i: int) -> str:
        try:
            check_tag(tag)
        except UsageError as exc:
            raise InputError(f"{here(i)}: side {tag!r}: {exc}") from None
        if self.cfg.lang_from == "script":
            found = script_language(text)
            if found and found != language(tag):
                return found
        return tag

    def _run(self, layer: str, jobs: list[tuple[int, str, str, dict[str, Any]]], stats: Stats,
             here: Callable[[int], str]) -> None:
        groups: dict[tuple[str, str], list[tuple[int, str, dict[str, Any]]]] = defaultdict(list)
        for i, tag, lang_tag, side in jobs:
            lang = language(lang_tag)
            name = self.choose(layer, lang)
            if name is None:
                served = sorted(set(self._all_serving(layer)))
                raise InputError(f"{here(i)}: side {tag!r}: no {layer} annotator for language {lang!r}; "
                                 f"choose one with --use {lang}=NAME ({layer} for any language: "
                                 f"{', '.join(served) or 'none'})")
            groups[(name, lang_tag)].append((i, tag, side))
        for (name, lang_tag), items in groups.items():
            try:
                ann = self.annotator(name)
            except LancangError as exc:
                i, tag, _ = items[0]
                raise InputError(f"{here(i)}: side {tag!r} ({language(lang_tag)}): {exc}") from None
            prov = self.provenance(name)
            if layer == "entities":
                self._run_entities(name, ann, lang_tag, items, prov, stats, here)
                continue
            texts, owners = self._texts(layer, items)
            try:
                results = ann.run(layer, texts, lang_tag)
            except LancangError as exc:
                i, tag, _ = items[0]
                raise InputError(f"{here(i)}: side {tag!r}: {name}: {exc}") from None
            merged = results if owners is None else _merge(results, owners, len(items))
            made = stats.made[(layer, language(lang_tag), name)]
            chars = n_spans = 0
            for (_, _, side), spans in zip(items, merged):
                lay = side.get("layers")
                if lay is None:
                    lay = side["layers"] = {}
                lay[layer] = {"spans": list(map(list, spans)), "provenance": dict(prov)}
                chars += len(side["text"])
                n_spans += len(spans)
            made[0] += len(items)
            made[1] += chars
            made[2] += n_spans

    def _run_entities(self, name: str, ann: Annotator, lang_tag: str, items: list[tuple[int, str, dict[str, Any]]],
                      prov: dict[str, Any], stats: Stats, here: Callable[[int], str]) -> None:
        texts = [side["text"] for _, _, side in items]
        tokens = [_token_spans(side) for _, _, side in items]
        try:
            results = ann.entities(texts, tokens, lang_tag)
        except LancangError as exc:
            i, tag, _ = items[0]
            raise InputError(f"{here(i)}: side {tag!r}: {name}: {exc}") from None
        made = stats.made[("entities", language(lang_tag), name)]
        for (_, _, side), ents in zip(items, results):
            side.setdefault("layers", {})["entities"] = {"items": [dict(e) for e in ents], "provenance": dict(prov)}
            made[1] += len(side["text"])
            made[2] += len(ents)
        made[0] += len(items)

    def _texts(self, layer: str, items: list[tuple[int, str, dict[str, Any]]]
               ) -> tuple[list[str], list[tuple[int, int]] | None]:
        """Texts to send (sentences of a side, for tokens, where it has them) and (item, offset) of each
        (None when every item is sent whole)."""
        sents = [_sentence_spans(side) if layer == "tokens" else None for _, _, side in items]
        if not any(sents):
            return [side["text"] for _, _, side in items], None
        texts, owners = [], []
        for k, ((_, _, side), spans) in enumerate(zip(items, sents)):
            text = side["text"]
            if spans:
                for s, e in spans:
                    texts.append(text[s:e])
                    owners.append((k, s))
            else:
                texts.append(text)
                owners.append((k, 0))
        return texts, owners

    def _all_serving(self, layer: str) -> Iterator[str]:
        from . import all_specs

        for sp in all_specs():
            if layer in sp.provides and "*" in sp.languages:
                yield sp.name


def _sentence_spans(side: dict[str, Any]) -> list[list[int]] | None:
    """The side's sentences if there are several and they tile its text properly, else None."""
    spans = side.get("layers", {}).get("sentences", {}).get("spans")
    if not spans or len(spans) < 2:
        return None
    text = side["text"]
    pos = 0
    for sp in spans:
        if not (isinstance(sp, list) and len(sp) == 2 and all(type(x) is int for x in sp)):
            return None
        s, e = sp
        if s < pos or e <= s or e > len(text) or (s > pos and not text[pos:s].isspace()):
            return None
        pos = e
    if text[pos:].strip():
        return None
    return spans


def _token_spans(side: dict[str, Any]) -> list[list[int]] | None:
    spans = side.get("layers", {}).get("tokens", {}).get("spans")
    return spans if isinstance(spans, list) and spans else None


def _merge(results: list[list[Span]], owners: list[tuple[int, int]], n: int) -> list[list[Span]]:
    out: list[list[Span]] = [[] for _ in range(n)]
    for spans, (k, off) in zip(results, owners):
        if off:
            out[k].extend((s + off, e + off) for s, e in spans)
        else:
            out[k].extend(spans)
    return out


def _well_formed(sides: Any) -> bool:
    if not isinstance(sides, dict):
        return False
    for side in sides.values():
        if not isinstance(side, dict) or not isinstance(side.get("text"), str):
            return False
        lay = side.get("layers")
        if lay is not None and not isinstance(lay, dict):
            return False
    return True


def _sides(rec: Any, where: str) -> dict[str, dict[str, Any]]:
    if not isinstance(rec, dict):
        raise InputError(f"{where}: a record is a JSON object, not {json_type(rec)}")
    sides = rec.get("sides")
    if not isinstance(sides, dict):
        raise InputError(f"{where}: record has no 'sides' object")
    for tag, side in sides.items():
        if not isinstance(side, dict) or not isinstance(side.get("text"), str):
            raise InputError(f"{where}: side {tag!r} has no text string")
        if "layers" in side and not isinstance(side["layers"], dict):
            raise InputError(f"{where}: side {tag!r}: 'layers' is not an object")
    return sides


def _check_replaceable(rec: dict[str, Any], tag: str, side: dict[str, Any], layer: str, where: str) -> None:
    """Replacing tokens or sentences must not leave layers or links indexed by the old ones, nor
    replacing entities relations that refer to them."""
    if layer == "entities":
        rels = side.get("layers", {}).get("entities", {}).get("relations") or []
        if rels:
            raise InputError(f"{where}: side {tag!r}: cannot replace its entities: {len(rels)} relation(s) "
                             f"refer to them (remove those first)")
        return
    deps = [x for x in VALUE_LAYERS if x in side.get("layers", {})] if layer == "tokens" else []
    kind = "tokens" if layer == "tokens" else "beads"
    for link in rec.get("links", []) or []:
        if isinstance(link, dict) and link.get("kind") == kind and tag in (link.get("src"), link.get("tgt")):
            deps.append(f"{kind} link {link.get('src')}-{link.get('tgt')}")
    if deps:
        raise InputError(f"{where}: side {tag!r}: cannot replace its {layer}: {', '.join(deps)} "
                         f"refer to them by index (remove those first)")


def annotate_file(source: PathLike, target: PathLike, pipeline: Pipeline, batch_size: int = 64,
                  progress: Callable[[int], None] | None = None, *, fmt: str | None = None, langs: Any = None,
                  options: dict[str, Any] | None = None, out_format: str | None = None,
                  write_options: dict[str, Any] | None = None, manifest: PathLike | None = None) -> Stats:
    """Stream records from ``source`` (any readable format), annotate them in batches and write them to
    ``target`` (JSONL unless ``out_format`` or the file name says otherwise) atomically.

    A JSONL line that is not a JSON record stops the run with its line number; nothing is written then.
    ``manifest`` gets the annotation step appended to its processing log.
    """
    from ..corpora.formats import format_for_path, read_located, write_corpus
    from ..corpora.manifest import ProcessingLog

    log = ProcessingLog(manifest, "annotate")

    stats = Stats()

    def where(line: int | None, rec: Any) -> str:
        at = f"{source}:{line}" if line is not None else source
        return f"{at}: record {rec.get('id')!r}"

    def annotated() -> Iterator[dict[str, Any]]:
        batch: list[dict[str, Any]] = []
        lines: list[int | None] = []

        def flush() -> Iterator[dict[str, Any]]:
            pipeline.annotate_batch(batch, stats, where=lambda i: where(lines[i], batch[i]))
            yield from batch
            batch.clear()
            lines.clear()
            if progress:
                progress(stats.records)

        for line, rec in read_located(source, fmt, langs, **(options or {})):
            batch.append(rec)
            lines.append(line)
            if len(batch) >= batch_size:
                yield from flush()
        if batch:
            yield from flush()

    if out_format is None and (str(target) == "-" or format_for_path(target) is None):
        out_format = "jsonl"  # standard output and unknown names get lancang's own format
    write_corpus(annotated(), target, out_format, langs, **(write_options or {}))
    if log:
        import dataclasses

        log.append(step="annotation", settings=dataclasses.asdict(pipeline.cfg), counts=stats.to_dict(),
                   inputs=[source], outputs=[target], records_in=stats.records, records_out=stats.records)
    return stats
