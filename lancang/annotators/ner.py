"""Named entities with a trained spaCy pipeline (``spacy-ner``), and training one offline.

The annotator loads any spaCy pipeline that has an ``ner`` component, from a directory or an
installed package name (``--set spacy-ner.model=PATH``). It never downloads: a model that is not
there is a :class:`~lancang.annotators.base.ModelMissing` error saying how to get one (``lancang
train ner`` or ``pip install`` of the package). The model's language (``lang`` in its meta.json)
must be the side's (spaCy codes: ``fil`` is ``tl``; a multi-language ``xx`` pipeline serves any).

Entities are ``{start, end, label}`` in code points of the side text: spaCy's ``doc.text`` is the
text it was given, character for character, and its character offsets are Python string indices,
i.e. code points (non-BMP characters count one). By default spaCy tokenizes the text itself, as
:func:`train` did when it trained the model, so the model sees the segmentation it learnt from
(``tokens="spacy"``). With ``tokens="side"`` a side that has a ``tokens`` layer is given to spaCy
as those words (gaps kept as they are), so every entity falls on the side's token boundaries; use
it for a pipeline trained on that segmentation. Texts go through ``nlp.pipe`` a batch at a time.

:func:`train` trains a blank pipeline's ``ner`` from gold records (any lancang format with
entities), tokenized by the blank pipeline's tokenizer (``zh``: one token a character, no
download; ``th``: PyThaiNLP's newmm). A gold entity whose ends fall inside a spaCy token is widened
to the tokens it touches (``char_span(..., alignment_mode="expand")``) and counted; entities that
cannot be used at all (overlapping another, several fragments) are counted and left out. Each
epoch is scored on the dev set with lancang's entity scorer (exact match, micro) and the best epoch
is kept. ThaiNER-style ``[PERSON]...[/PERSON]`` lines are read by the ``inline`` format.

The CRF backend (``crf-ner``, ``lancang train ner --backend crf|auto``) is
:mod:`lancang.annotators.ner_crf`; it shares this module's gold reading, counts, scorer and model folder
handling.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..corpora.jsonl import PathLike
from ..corpora.langs import check_tag, language
from ..errors import InputError, UsageError
from .base import Annotator, AnnotatorSpec, ModelMissing
from .spacy_blank import spacy_code
from .spans import Span

SPACY_NER = AnnotatorSpec(
    name="spacy-ner",
    description="Named entities with a trained spaCy pipeline (a directory or an installed package; "
                "`lancang train ner` makes one)",
    provides=("entities",),
    languages=("*",),
    factory="lancang.annotators.ner:SpacyNer",
    backend="spacy",
    modules=("spacy",),
    extra="spacy",
    note="and a model: `lancang train ner` or pip install a spaCy pipeline package",
    config={"type": "object", "required": ["model"], "properties": {
        "model": {"type": "string", "minLength": 1,
                  "description": "spaCy pipeline with an ner component: a directory or an installed package name."},
        "tokens": {"enum": ["spacy", "side"], "default": "spacy",
                   "description": "spacy: the pipeline's tokenizer segments the text (as in training); side: "
                                  "a side's own tokens layer, where it has one, is given as the words."},
        "batch_size": {"type": "integer", "minimum": 1, "default": 64, "description": "Texts per nlp.pipe batch."},
    }},
)

NER_FACTORIES = ("ner", "beam_ner")
_KEEP_FACTORIES = ("tok2vec", "transformer", "curated_transformer")


def model_missing(model: str, why: str) -> ModelMissing:
    return ModelMissing(
        f"annotator 'spacy-ner': cannot load the spaCy pipeline {model!r} ({why}). lancang never downloads "
        f"models: train one with `lancang train ner GOLD -o MODEL_DIR --src LANG` and pass its directory "
        f"(--set spacy-ner.model=MODEL_DIR), or install a pipeline package with `pip install <package>` "
        f"and pass its name")


def load_pipeline(model: str) -> Any:
    """The spaCy pipeline at ``model`` (a directory or an installed package), never downloading."""
    import spacy

    path = Path(model).expanduser()
    looks_like_path = path.exists() or os.sep in model or model.startswith(".")
    if looks_like_path and not path.is_dir():
        raise model_missing(model, "no such directory" if not path.exists() else "not a directory")
    try:
        nlp = spacy.load(path if looks_like_path else model)
    except OSError as exc:
        raise model_missing(model, str(exc).splitlines()[0][:200]) from None
    except (ImportError, ValueError, KeyError) as exc:  # a pipeline whose language or components need more
        raise model_missing(model, f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}") from None
    return nlp


def ner_component(nlp: Any, model: str) -> str:
    for name in nlp.pipe_names:
        if nlp.get_pipe_meta(name).factory in NER_FACTORIES:
            return name
    raise UsageError(f"annotator 'spacy-ner': the pipeline {model!r} has no ner component "
                     f"(its components: {', '.join(nlp.pipe_names) or 'none'})")


class SpacyNer(Annotator):
    def __init__(self, config: Mapping[str, Any]):
        super().__init__(config)
        import spacy

        self._spacy = spacy
        self.model = str(config["model"])
        self.nlp = load_pipeline(self.model)
        self.component = ner_component(self.nlp, self.model)
        keep = {self.component} | {n for n in self.nlp.pipe_names
                                   if self.nlp.get_pipe_meta(n).factory in _KEEP_FACTORIES}
        self._disable = [n for n in self.nlp.pipe_names if n not in keep]
        self._batch = int(config.get("batch_size", 64))
        self._side_tokens = config.get("tokens", "spacy") == "side"
        meta = self.nlp.meta
        self.lang = self.nlp.lang
        self.meta = {"lang": self.lang, "name": str(meta.get("name", "")), "version": str(meta.get("version", "")),
                     "labels": sorted(self.nlp.get_pipe(self.component).labels)}

    # --------------------------------------------------------------------------- provenance

    @property
    def provenance_version(self) -> str:
        """spaCy's version and the model's full name and version, e.g. ``3.8.18 (id_nergrit 0.1.0)``."""
        return f"{self._spacy.__version__} ({self.lang}_{self.meta['name']} {self.meta['version']})"

    @cached_property
    def provenance_settings(self) -> dict[str, Any]:
        return {**super().provenance_settings, "model_meta": dict(self.meta)}

    # ----------------------------------------------------------------------------- running

    def prepare(self, tag: str, lang: str) -> None:
        """Refuse a side whose language is not the model's (checked when the pipeline is built)."""
        code = spacy_code(tag)
        if self.lang not in ("xx", code):
            raise UsageError(f"annotator 'spacy-ner': the model {self.model!r} is for language {self.lang!r}, "
                             f"not {language(tag)!r} (spaCy code {code!r}); use a model trained for it "
                             f"(`lancang train ner GOLD -o MODEL_DIR --src {language(tag)}`)")

    def entities(self, texts: Sequence[str], tokens: Sequence[Sequence[Span] | None], lang: str
                 ) -> list[list[dict[str, Any]]]:
        self.prepare(lang, language(lang))
        longest = max((len(t) for t in texts), default=0)
        if longest >= self.nlp.max_length:
            self.nlp.max_length = longest + 1
        docs = (doc_from_spans(self.nlp.vocab, t, s) if self._side_tokens and s else t
                for t, s in zip(texts, tokens))
        out = []
        with self.nlp.select_pipes(disable=self._disable):
            for text, doc in zip(texts, self.nlp.pipe(docs, batch_size=self._batch)):
                if doc.text != text:  # never happens with spaCy's tokenizers; guards a custom one
                    raise UsageError(f"annotator 'spacy-ner': the pipeline changed the text ({text[:40]!r})")
                out.append(doc_entities(doc))
        return out


def doc_entities(doc: Any) -> list[dict[str, Any]]:
    """A spaCy Doc's entities as lancang entity items (code-point offsets)."""
    return [{"start": e.start_char, "end": e.end_char, "label": e.label_} for e in doc.ents]


def doc_from_spans(vocab: Any, text: str, spans: Sequence[Sequence[int]]) -> Any:
    """A spaCy Doc whose words are the given token spans and whose text is exactly ``text``: a single
    space after a word is its trailing space, any other gap becomes a word of its own."""
    from spacy.tokens import Doc

    words: list[str] = []
    spaces: list[bool] = []
    pos = 0

    def gap(upto: int) -> None:
        g = text[pos:upto]
        if not g:
            return
        if g == " " and words and not spaces[-1]:
            spaces[-1] = True
        else:
            words.append(g)
            spaces.append(False)

    for s, e in spans:
        s, e = int(s), int(e)
        if s < pos or e <= s or e > len(text):
            raise InputError(f"tokens {list(spans)[:5]}...: a span [{s}, {e}] is out of order, empty or outside "
                             f"the text; use spacy-ner.tokens=spacy")
        gap(s)
        words.append(text[s:e])
        spaces.append(False)
        pos = e
    gap(len(text))
    doc = Doc(vocab, words=words, spaces=spaces)
    assert doc.text == text
    return doc


# ---------------------------------------------------------------------------------- reading

INLINE_FORMAT = "inline"


def read_gold(path: PathLike, fmt: str | None, lang: str, options: Mapping[str, Any] | None = None
              ) -> Iterator[dict[str, Any]]:
    """Records from any lancang format that carries entities (format from the name unless given; ThaiNER
    inline tags are ``fmt="inline"``). One-side formats get ``lang`` as their side's tag."""
    from ..corpora.formats import read_corpus, resolve_format

    f = resolve_format(path, fmt, "input")
    if f.read is not None and "entities" not in f.carries:
        raise UsageError(f"{path}: format {f.name!r} carries no entities; give the gold's format with --from "
                         f"(e.g. conll for token/tag columns, {INLINE_FORMAT} for [TAG]...[/TAG] lines)")
    langs = [lang] if f.needs_langs or f.max_sides == 1 else None
    yield from read_corpus(path, f.name, langs, **dict(options or {}))


# --------------------------------------------------------------------------------- training

@dataclass
class GoldStats:
    """What reading gold for spaCy did with the entities: nothing is left out without being counted."""

    sides: int = 0
    no_layer: int = 0  # sides in the language without an entities layer (not gold for NER)
    entities: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    expanded: int = 0  # ends inside a spaCy token: widened to the tokens they touch
    overlapping: int = 0  # left out: overlaps an entity kept before it
    fragmented: int = 0  # left out: several fragments
    repaired: int = 0  # tags the reader repaired (inline format), kept
    units: str = "spaCy token"  # what entities are widened to (the CRF backend: its units)

    def left_out(self) -> int:
        return self.overlapping + self.fragmented

    def describe(self) -> str:
        s = f"{self.sides:,} sentences, {self.entities:,} entities"
        notes = []
        if self.expanded:
            notes.append(f"{self.expanded:,} widened to {self.units} boundaries")
        if self.overlapping:
            notes.append(f"{self.overlapping:,} left out (overlapping another)")
        if self.fragmented:
            notes.append(f"{self.fragmented:,} left out (discontinuous)")
        if self.repaired:
            notes.append(f"{self.repaired:,} with a repaired tag")
        if self.no_layer:
            notes.append(f"{self.no_layer:,} sides without an entities layer skipped")
        return s + (f" ({'; '.join(notes)})" if notes else "")

    def to_dict(self) -> dict[str, Any]:
        return {"sides": self.sides, "entities": self.entities, "labels": dict(sorted(self.labels.items())),
                "expanded": self.expanded, "overlapping": self.overlapping, "fragmented": self.fragmented,
                "repaired": self.repaired, "no_layer": self.no_layer}


def gold_sides(records: Iterable[dict[str, Any]], lang: str, stats: GoldStats, limit: int | None = None
               ) -> Iterator[tuple[str, str, str, list[dict[str, Any]]]]:
    """(record id, side tag, text, entity items) of every side in ``lang`` with an entities layer."""
    want = language(lang)
    for rec in records:
        if limit is not None and stats.sides >= limit:
            return
        rid = str(rec.get("id"))
        repaired = len(((rec.get("meta") or {}).get("inline") or {}).get("repaired", []))
        for tag, side in rec.get("sides", {}).items():
            if language(tag) != want:
                continue
            lay = (side.get("layers") or {}).get("entities")
            if lay is None:
                stats.no_layer += 1
                continue
            stats.sides += 1
            stats.repaired += repaired
            items = list(lay.get("items", []))
            stats.entities += len(items)
            stats.labels.update(it["label"] for it in items)
            yield rid, tag, side["text"], items
            if limit is not None and stats.sides >= limit:
                return


def check_language(lang: str) -> str:
    """The spaCy code for a language tag; a language spaCy does not have is a UsageError (cheap: the
    language class is imported, no tokenizer built)."""
    from spacy.util import get_lang_class

    code = spacy_code(check_tag(lang))
    try:
        get_lang_class(code)
    except ImportError:
        raise UsageError(f"spaCy has no language {code!r} (from --src {lang!r})") from None
    return code


def blank(lang: str) -> Any:
    """spaCy's blank pipeline for a language (tokenizer only); Chinese segments characters."""
    import spacy

    code = check_language(lang)
    try:
        if code == "zh":
            return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})
        return spacy.blank(code)
    except ImportError as exc:
        raise UsageError(f"spaCy's {code!r} tokenizer needs a package that is not installed: {exc}") from None


def example(nlp: Any, text: str, items: Sequence[Mapping[str, Any]], stats: GoldStats) -> Any:
    """A spaCy Example with the entities on spaCy's tokens (widened where they end inside one)."""
    from spacy.training import Example

    doc = nlp.make_doc(text)
    ents: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for it in sorted(items, key=lambda x: (x["start"], -x["end"])):
        if it.get("fragments") and len(it["fragments"]) > 1:
            stats.fragmented += 1
            continue
        span = doc.char_span(it["start"], it["end"], it["label"])
        if span is None:
            span = doc.char_span(it["start"], it["end"], it["label"], alignment_mode="expand")
            stats.expanded += 1
        if span is None:  # only white space inside: nothing to widen to
            stats.overlapping += 1
            continue
        if any(span.start < b and a < span.end for a, b in taken):
            stats.overlapping += 1
            continue
        taken.append((span.start, span.end))
        ents.append((span.start_char, span.end_char, it["label"]))
    return Example.from_dict(doc, {"entities": ents})


@dataclass
class Epoch:
    epoch: int
    loss: float
    seconds: float
    dev: dict[str, Any] | None = None  # lancang's entity score (exact and partial) on the dev set

    @property
    def dev_f1(self) -> float | None:
        """Exact-match F1 on the dev set; None without a dev set, or when it has no entities and none are
        predicted (undefined)."""
        return self.dev["exact"]["f1"] if self.dev else None


def predict(nlp: Any, texts: Sequence[str], batch_size: int = 64) -> list[list[dict[str, Any]]]:
    return [doc_entities(doc) for doc in nlp.pipe(texts, batch_size=batch_size)]


def score(nlp: Any, dev: Sequence[tuple[str, str, str, list[dict[str, Any]]]]) -> dict[str, Any]:
    """lancang's entity score (``lancang evaluate --layer entities``) of the pipeline on dev sides."""
    return score_predictions(dev, predict(nlp, [t for _, _, t, _ in dev]))


def score_predictions(dev: Sequence[tuple[str, str, str, list[dict[str, Any]]]],
                      preds: Sequence[Sequence[dict[str, Any]]]) -> dict[str, Any]:
    """lancang's entity score (exact and partial, micro; ``lancang evaluate --layer entities``) of
    predicted entity items against dev sides, one list of items per side, whatever made them."""
    from ..quality.accuracy import evaluate_entities, join

    def recs(which: int) -> Iterator[dict[str, Any]]:
        for k, ((rid, tag, text, items), pred) in enumerate(zip(dev, preds)):
            ents = pred if which == 0 else items
            yield {"id": f"{k}:{rid}", "sides": {tag: {"text": text, "layers": {"entities": {"items": ents}}}}}

    return evaluate_entities(join(recs(0), recs(1), "entities")).to_dict()["overall"]


#: the settings file that marks a folder as a model of the ``crf-ner`` backend (lancang.annotators.ner_crf)
CRF_SETTINGS = "lancang-crf.json"


def is_model_dir(path: Path) -> bool:
    """A folder written by `lancang train ner`: a spaCy pipeline or a CRF model."""
    return ((path / "meta.json").is_file() and (path / "config.cfg").is_file()) or (path / CRF_SETTINGS).is_file()


def check_output(output: PathLike, force: bool) -> Path:
    """The model folder to write: it must not exist, or (``force``) be empty or a spaCy pipeline, which
    --force replaces; any other folder is never emptied."""
    out = Path(output)
    if out.exists() and not force:
        raise UsageError(f"{out} exists; give --force to replace it")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not is_model_dir(out):
        raise UsageError(f"{out} is not a spaCy pipeline (no meta.json and config.cfg) or a CRF model (no "
                         f"{CRF_SETTINGS}): --force replaces only a model folder or an empty one; choose another -o")
    if not out.parent.is_dir():
        raise UsageError(f"{out.parent} is not a directory")
    return out


def write_model(nlp: Any, output: PathLike, force: bool) -> None:
    """Write the pipeline to ``output`` atomically: a temporary directory beside it, then a rename."""
    install_dir(lambda tmp: nlp.to_disk(tmp), output, force)


def install_dir(fill: Callable[[Path], Any], output: PathLike, force: bool) -> None:
    """Make the model folder ``output`` atomically: ``fill`` writes into a temporary directory beside it,
    which then replaces ``output`` by a rename (checked by :func:`check_output` first)."""
    out = check_output(output, force)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        fill(tmp)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            old.rmdir()
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def train(train_sides: Iterable[tuple[str, str, str, list[dict[str, Any]]]], lang: str, *,
          dev_sides: Sequence[tuple[str, str, str, list[dict[str, Any]]]] | None = None, epochs: int = 10,
          seed: int = 0, dropout: float = 0.1, batch_size: int = 32, stats: GoldStats | None = None,
          on_epoch: Callable[[Epoch], None] | None = None, on_gold: Callable[[GoldStats], None] | None = None,
          name: str = "ner", version: str = "0.1.0") -> tuple[Any, list[Epoch], int]:
    """Train a blank ``lang`` pipeline's ner on gold sides; returns (pipeline, epochs, best epoch).

    With dev sides the pipeline of the epoch with the best exact-match micro F1 is returned (the
    first of equals); without, the last. Training examples are held in memory (spaCy trains over
    them once per epoch).
    """
    import spacy
    from spacy.util import fix_random_seed, minibatch

    stats = stats if stats is not None else GoldStats()
    fix_random_seed(seed)
    nlp = blank(lang)
    nlp.add_pipe("ner")
    examples = [example(nlp, text, items, stats) for _, _, text, items in train_sides]
    if not stats.sides:
        raise UsageError(f"no gold sides in language {lang!r} with an entities layer")
    if not stats.entities:
        raise UsageError(f"the gold has {stats.sides:,} sides in {lang!r} but no entities to learn from")
    if on_gold:
        on_gold(stats)
    optimizer = nlp.initialize(lambda: examples)
    rnd = random.Random(seed)
    history: list[Epoch] = []
    best: tuple[float, int, bytes] | None = None
    for k in range(1, epochs + 1):
        t0 = time.perf_counter()
        rnd.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=batch_size):
            nlp.update(batch, drop=dropout, sgd=optimizer, losses=losses)
        ep = Epoch(k, float(losses.get("ner", 0.0)), time.perf_counter() - t0)
        if dev_sides:
            ep.dev = score(nlp, dev_sides)
            f1 = -1.0 if ep.dev_f1 is None else ep.dev_f1  # an undefined F1 ranks below any defined one
            if best is None or f1 > best[0]:
                best = (f1, k, nlp.to_bytes())
        history.append(ep)
        if on_epoch:
            on_epoch(ep)
    best_epoch = best[1] if best is not None else epochs
    if best is not None and best_epoch != epochs:
        nlp.from_bytes(best[2])
    chosen = history[best_epoch - 1] if history else None
    major, minor = spacy.__version__.split(".")[:2]
    nlp.meta.update({
        "name": name, "version": version, "spacy_version": f">={spacy.__version__},<{major}.{int(minor) + 1}.0",
        "description": f"Named entities ({', '.join(sorted(stats.labels))}) trained by lancang train ner",
        "lancang": {"gold": stats.to_dict(), "epochs": epochs, "best_epoch": best_epoch, "seed": seed,
                    "dropout": dropout, "batch_size": batch_size,
                    "dev": chosen.dev if chosen is not None and chosen.dev else None},
    })
    if chosen is not None and chosen.dev:
        ex = chosen.dev["exact"]
        nlp.meta["performance"] = {"ents_p": ex["precision"], "ents_r": ex["recall"], "ents_f": ex["f1"]}
    return nlp, history, best_epoch


def train_model(gold: PathLike, *, output: PathLike, lang: str, fmt: str | None = None,
                options: Mapping[str, Any] | None = None, dev: PathLike | None = None, epochs: int = 10,
                batch_size: int = 8, seed: int = 0, limit: int | None = None, name: str = "ner",
                version: str = "0.1.0", force: bool = False,
                echo: Callable[[str], None] = lambda _m: None) -> dict[str, Any]:
    """`lancang train ner` as a function: read gold (and dev) in any format with entities, train, keep
    the best epoch on dev, write the pipeline atomically to ``output``. ``echo`` gets progress lines."""
    nlp, res = fit_model(gold, output=output, lang=lang, fmt=fmt, options=options, dev=dev, epochs=epochs,
                         batch_size=batch_size, seed=seed, limit=limit, name=name, version=version, force=force,
                         echo=echo)
    write_model(nlp, output, force)
    return res


def fit_model(gold: PathLike, *, output: PathLike, lang: str, fmt: str | None = None,
              options: Mapping[str, Any] | None = None, dev: PathLike | None = None, epochs: int = 10,
              batch_size: int = 8, seed: int = 0, limit: int | None = None, name: str = "ner",
              version: str = "0.1.0", force: bool = False,
              echo: Callable[[str], None] = lambda _m: None) -> tuple[Any, dict[str, Any]]:
    """:func:`train_model` without the writing: (the trained pipeline, what train_model returns)."""
    from ..quality.scores import shown
    from . import spec

    spec("spacy-ner").require_backend()
    check_tag(lang)
    check_output(output, force)
    check_language(lang)  # an unknown language fails here, before any gold is read
    dev_sides = None
    if dev:
        dst = GoldStats()
        dev_sides = list(gold_sides(read_gold(dev, fmt, lang, options), lang, dst))
        if not dst.sides:
            raise UsageError(f"{dev}: no sides in language {lang!r} with an entities layer")
        echo(f"dev {dev}: {dst.describe()}")
    st = GoldStats()
    sides = gold_sides(read_gold(gold, fmt, lang, options), lang, st, limit)

    def report(ep: Epoch) -> None:
        line = f"epoch {ep.epoch}/{epochs}: loss {ep.loss:.1f}"
        if ep.dev:
            x = ep.dev["exact"]
            line += f", dev exact P {shown(x['precision'])} R {shown(x['recall'])} F1 {shown(x['f1'])}"
        echo(line + f" ({ep.seconds:.1f} s)")

    try:
        nlp, history, best = train(sides, lang, dev_sides=dev_sides, epochs=epochs, seed=seed,
                                   batch_size=batch_size, stats=st, on_epoch=report, name=name, version=version,
                                   on_gold=lambda s: echo(f"gold {gold}: {s.describe()}"))
    except UsageError as exc:
        raise UsageError(str(exc) if str(exc).startswith(str(gold)) else f"{gold}: {exc}") from None
    return nlp, {"output": str(output), "pipeline": f"{nlp.lang}_{name}", "version": version, "best_epoch": best,
                 "labels": list(nlp.get_pipe("ner").labels), "performance": nlp.meta.get("performance"),
                 "gold": st.to_dict(), "epochs": [e.epoch for e in history]}
