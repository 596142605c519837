"""Aligning the records of a corpus file: sentence beads per document, token links per sentence pair.

Both jobs read the input (any format the format hub reads) twice: a model is learned from the whole
corpus first, then every record is aligned with it; standard input is first copied to a temporary
file. The output (lancang JSONL) is written atomically, record by record, with the new link (and,
with ``split``, the new ``sentences`` layers) added to each record; everything else in a record is
kept as it was. The aligner of each job is looked up in its registry by name; no job knows the
aligners it may run.

* :func:`align_file` -- ``lancang align``: one job or both, sentences first and then words on the
  aligned sentences (through a temporary file).

* :func:`align_sentences_file` -- each record holds one document per side: the side's text and
  its ``sentences`` layer. Writes a ``beads`` link with a score per bead.
* :func:`align_words_file` -- each record holds sentence pairs with ``tokens`` layers. When the
  record also has a ``beads`` link and ``sentences`` layers, tokens are aligned bead by bead;
  otherwise the whole record is one sentence pair. Writes a ``tokens`` link (pairs ``[i, j,
  "S"|"P"]``, token indices of the whole side).
"""

from __future__ import annotations

import contextlib
import functools
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ...corpora.formats import read_located
from ...corpora.invariants import require_valid
from ...corpora.io import command_scope
from ...corpora.jsonl import JsonlWriter
from ...corpora.model import Provenance
from ...errors import InputError, UsageError
from . import SENTENCE_ALIGNERS, WORD_ALIGNERS
from .model import Links, WordModel, model_aligners

Where = str
Progress = Callable[[int], None] | None


def records(path: str | Path, label: str, fmt: str | None = None, langs: Sequence[str] | None = None,
            options: dict[str, Any] | None = None) -> Iterator[tuple[Where, dict[str, Any]]]:
    """(location, record) for each record of the input in any readable format, through the hub's read
    loop for transforming verbs; a bad line, or a record that breaks the model's invariants (a layer
    that is not ``{"spans": ...}``, an offset past the text), is an error with its location (JSONL: file
    and line; other formats: file and record id) before anything is aligned."""
    for line, rec in read_located(path, fmt, langs or None, **(options or {})):
        at = label if line is None else f"{label}:{line}"
        require_valid(rec, at)
        yield f"{at}: record {rec.get('id')!r}", rec


Reader = Callable[[], Iterator[tuple[Where, dict[str, Any]]]]


def _reader(source: str | Path, src: str | None, tgt: str | None, fmt: str | None,
            options: dict[str, Any] | None) -> Reader:
    """The records of the input, as often as asked (``--src``/``--tgt`` name the sides of formats that
    do not name their languages)."""
    return functools.partial(records, source, str(source), fmt, [x for x in (src, tgt) if x], options)


def pick_sides(rec: dict[str, Any], src: str | None, tgt: str | None, where: Where) -> tuple[str, str]:
    """The (source, target) sides of a record: those named, the other one of two, or its two sides.
    When they cannot be told, the error says what the record lacks: which side, named by which flag."""
    sides = rec.get("sides")
    if not isinstance(sides, dict) or not sides:
        raise InputError(f"{where}: has no sides")
    tags = list(sides)
    have = ", ".join(tags)
    for flag, tag in (("--src", src), ("--tgt", tgt)):
        if tag is not None and tag not in sides:
            raise InputError(f"{where}: has no side {tag!r} (the {flag} language); its sides: {have}")
    if src is not None and tgt is not None:
        return src, tgt
    if src is None and tgt is None:
        if len(tags) == 2:
            return tags[0], tags[1]
        if len(tags) == 1:
            raise InputError(f"{where}: has one side only ({have}): no second language to align it with")
        raise InputError(f"{where}: has {len(tags)} sides ({have}); name the two to align with --src and --tgt")
    given, flag, other, role = ((src, "--src", "--tgt", "target") if src is not None
                                else (tgt, "--tgt", "--src", "source"))
    rest = [t for t in tags if t != given]
    if len(rest) == 1:
        return (given, rest[0]) if src is not None else (rest[0], given)  # type: ignore[return-value]
    if not rest:
        raise InputError(f"{where}: has only the {given!r} side ({flag}): no {role} side to align it with")
    raise InputError(f"{where}: has {len(rest)} sides besides {given!r} ({', '.join(rest)}); "
                     f"name the {role} side with {other}")


def _spans(side: dict[str, Any], layer: str) -> list[list[int]] | None:
    lay = side.get("layers", {}).get(layer)
    return None if lay is None else lay.get("spans", [])


def _existing(rec: dict[str, Any], kind: str, src: str, tgt: str) -> int | None:
    for k, link in enumerate(rec.get("links", [])):
        if link.get("kind") == kind and link.get("src") == src and link.get("tgt") == tgt:
            return k
    return None


def _put_link(rec: dict[str, Any], link: dict[str, Any], replace: bool, where: Where) -> None:
    k = _existing(rec, link["kind"], link["src"], link["tgt"])
    links = rec.setdefault("links", [])
    if k is not None:
        if not replace:
            raise InputError(f"{where}: already has a {link['kind']} link {link['src']} -> {link['tgt']} "
                             "(pass --replace to replace it)")
        links[k] = link
    else:
        links.append(link)


# --------------------------------------------------------------------------- sentences

def splitter() -> Callable[[str, str], list[tuple[int, int]]]:
    """The rule-based sentence splitter of :mod:`lancang.annotators.rules` (any language)."""
    from .. import spec

    ann = spec("punct").build({})
    return lambda text, lang: [tuple(s) for s in ann.run("sentences", [text], lang)[0]]  # type: ignore[misc]


def doc_sentences(rec: dict[str, Any], tag: str, where: Where, split: Callable[[str, str], Any] | None) -> list[str]:
    side = rec["sides"][tag]
    text = side.get("text", "")
    spans = _spans(side, "sentences")
    if spans is None:
        if split is None:
            raise InputError(f"{where}: side {tag!r} has no sentences layer; run "
                             f"`lancang annotate --layers sentences` first, or pass --split")
        spans = [list(s) for s in split(text, tag)]
        lay = {"spans": spans, "provenance": Provenance.auto("lancang.punct", _version())}
        side.setdefault("layers", {})["sentences"] = lay
    return [text[s:e] for s, e in spans]


def _version() -> str:
    from ... import __version__

    return __version__


def fit_sentences(source: str | Path, src: str | None = None, tgt: str | None = None, aligner: str = "lancang",
                  config: dict[str, Any] | None = None, split: bool = False, fmt: str | None = None,
                  options: dict[str, Any] | None = None) -> Any:
    """The model the sentence aligner learns from the whole input (the first pass of
    :func:`align_sentences_file`; alone, the global phase of a run in parts)."""
    al = SENTENCE_ALIGNERS.get(aligner).from_config(config)
    cut = splitter() if split else None
    read = _reader(source, src, tgt, fmt, options)

    def docs() -> Iterator[tuple[list[str], list[str]]]:
        for where, rec in read():
            s, t = pick_sides(rec, src, tgt, where)
            yield doc_sentences(rec, s, where, cut), doc_sentences(rec, t, where, cut)

    return al.fit(docs)


@command_scope()  # standard input and pipes are replayed for the second pass; outputs are not inputs
def align_sentences_file(source: str | Path, target: str | Path, src: str | None = None, tgt: str | None = None,
                         aligner: str = "lancang", config: dict[str, Any] | None = None, split: bool = False,
                         replace: bool = False, progress: Progress = None, fmt: str | None = None,
                         options: dict[str, Any] | None = None, model: Any = None,
                         time: str | None = None) -> dict[str, Any]:
    """Add a ``beads`` link to every record; returns counts (records, beads, weak beads, model). ``model``
    (from :func:`fit_sentences` over a whole corpus of which ``source`` is a part) is used instead of
    learning one from ``source``; ``time`` is the links' provenance time (default: now)."""
    al = SENTENCE_ALIGNERS.get(aligner).from_config(config)
    cut = splitter() if split else None
    read = _reader(source, src, tgt, fmt, options)
    if model is None:
        model = fit_sentences(source, src, tgt, aligner, config, split, fmt, options)
    settings = {"aligner": aligner, **(config or {})}
    prov = Provenance.auto(f"lancang.align.{aligner}", _version(), settings, time=time)
    n = beads_total = weak = 0
    with JsonlWriter(target) as w:
        for where, rec in read():
            s, t = pick_sides(rec, src, tgt, where)
            beads = al.align(doc_sentences(rec, s, where, cut), doc_sentences(rec, t, where, cut), model)
            link = {"kind": "beads", "src": s, "tgt": t,
                    "beads": [{"src": b[0], "tgt": b[1], "score": b[2]} for b in beads], "provenance": prov}
            _put_link(rec, link, replace, where)
            w.write(rec)
            n += 1
            beads_total += len(beads)
            weak += sum(1 for b in beads if b[0] and b[1] and b[2] < 0.5)
            if progress:
                progress(n)
    info = model.to_dict() if hasattr(model, "to_dict") else {}
    info.pop("lexicon", None)
    return {"records": n, "beads": beads_total, "weak_beads": weak, "model": info,
            "lexicon_entries": len(getattr(model, "lexicon", {}) or {})}


# --------------------------------------------------------------------------- words

def _token_units(rec: dict[str, Any], s: str, t: str, where: Where) -> list[tuple[list[int], list[int]]]:
    """Groups of (source token indices, target token indices) to align: one per bead, or the record."""
    ss, ts = rec["sides"][s], rec["sides"][t]
    stok, ttok = _spans(ss, "tokens"), _spans(ts, "tokens")
    for tag, tok in ((s, stok), (t, ttok)):
        if tok is None:
            raise InputError(f"{where}: side {tag!r} has no tokens layer; run "
                             f"`lancang annotate --layers tokens` first")
    k = _existing(rec, "beads", s, t)
    ssent, tsent = _spans(ss, "sentences"), _spans(ts, "sentences")
    if k is None or ssent is None or tsent is None:
        return [(list(range(len(stok))), list(range(len(ttok))))]  # type: ignore[arg-type]

    def owner(tokens: list[list[int]], sents: list[list[int]]) -> list[int]:
        out, si = [], 0
        for a, _ in tokens:
            while si < len(sents) and sents[si][1] <= a:
                si += 1
            out.append(si if si < len(sents) and sents[si][0] <= a else -1)
        return out

    so, to = owner(stok, ssent), owner(ttok, tsent)  # type: ignore[arg-type]
    groups = []
    for bead in rec["links"][k]["beads"]:
        bs, bt = set(bead["src"]), set(bead["tgt"])
        if bs and bt:
            groups.append(([i for i, o in enumerate(so) if o in bs], [j for j, o in enumerate(to) if o in bt]))
    return groups


def _unit_texts(rec: dict[str, Any], s: str, t: str,
                groups: list[tuple[list[int], list[int]]]) -> Iterator[tuple[list[str], list[str]]]:
    """The (source tokens, target tokens) strings of each group of :func:`_token_units`."""
    st, tt = rec["sides"][s]["text"], rec["sides"][t]["text"]
    stok, ttok = _spans(rec["sides"][s], "tokens") or [], _spans(rec["sides"][t], "tokens") or []
    for gi, gj in groups:
        yield [st[a:b] for a, b in (stok[i] for i in gi)], [tt[a:b] for a, b in (ttok[j] for j in gj)]


def _units_of(read: Reader, src: str | None, tgt: str | None) -> Iterator[tuple[list[str], list[str]]]:
    for where, rec in read():
        s, t = pick_sides(rec, src, tgt, where)
        yield from _unit_texts(rec, s, t, _token_units(rec, s, t, where))


@command_scope()  # standard input and pipes are replayed for the second pass; outputs are not inputs
def align_words_file(source: str | Path, target: str | Path, src: str | None = None, tgt: str | None = None,
                     aligner: str = "gibbs", config: dict[str, Any] | None = None, model_dir: str | Path | None = None,
                     save_model: str | Path | None = None, symmetrize: str | None = None, replace: bool = False,
                     batch: int = 2000, progress: Progress = None, fmt: str | None = None,
                     options: dict[str, Any] | None = None, time: str | None = None) -> dict[str, Any]:
    """Add a ``tokens`` link to every record; returns counts. ``model_dir`` reuses a saved model;
    otherwise one is trained on the input (and saved to ``save_model``: gibbs and ibm2 only). ``time`` is
    the links' provenance time (default: now).

    ``ibm2`` trains on a stream of the input and then aligns it batch by batch; ``eflomal`` holds
    the pairs in memory; ``gibbs`` holds them while they fit its ``max_cells`` budget, else a random
    sample of them, and then aligns the stream with the trained model."""
    cls = WORD_ALIGNERS.get(aligner)
    keepers = model_aligners()
    if model_dir is not None and aligner not in keepers:
        raise UsageError(f"--model works with the aligners that keep a model ({', '.join(keepers)}) only: "
                         f"{aligner} keeps no model")
    if model_dir is not None and config:
        raise UsageError("--set does not apply with --model: the saved model keeps its own configuration")
    if save_model is not None and aligner not in keepers:
        raise UsageError(f"--save-model: the {aligner} aligner keeps no model ({', '.join(keepers)} do)")
    read = _reader(source, src, tgt, fmt, options)
    model: WordModel | None
    # links of every pair when training gave them (None: the model aligns the file as it streams)
    precomputed: list[Links] | None = None
    if model_dir is not None:
        model = WordModel.load(model_dir)
        aligner = model.aligner
        cls = WORD_ALIGNERS.get(aligner)
    else:
        model, precomputed = cls.from_config(config).fit(_units_of(read, src, tgt), symmetrize)
    if save_model is not None and model is not None:
        model.save(save_model)
    settings = {"aligner": aligner, **(config or {})}
    if model_dir is not None:
        settings["model"] = str(model_dir)
    if symmetrize:
        settings["symmetrize"] = symmetrize
    prov = Provenance.auto(cls.tool(), cls.version(), settings, time=time)
    stats = {"records": 0, "pairs": 0, "links": 0, "sure": 0}
    pos = 0
    pending: list[tuple[dict[str, Any], str, str, Where, list[tuple[list[int], list[int]]]]] = []

    def flush(w: JsonlWriter) -> None:
        nonlocal pos
        units = [u for rec, s, t, _, groups in pending for u in _unit_texts(rec, s, t, groups)]
        if precomputed is not None:
            found = precomputed[pos:pos + len(units)]
            pos += len(units)
        else:
            found = model.align(units, symmetrize) if units else []  # type: ignore[union-attr]
        u = 0
        for rec, s, t, where, groups in pending:
            pairs = []
            for gi, gj in groups:
                pairs.extend([gi[i], gj[j], f] for i, j, f in found[u])
                u += 1
            pairs.sort()
            link = {"kind": "tokens", "src": s, "tgt": t, "pairs": pairs, "provenance": prov}
            _put_link(rec, link, replace, where)
            w.write(rec)
            stats["records"] += 1
            stats["pairs"] += len(groups)
            stats["links"] += len(pairs)
            stats["sure"] += sum(1 for p in pairs if p[2] == "S")
            if progress:
                progress(stats["records"])
        pending.clear()

    with JsonlWriter(target) as w:
        units_in_batch = 0
        for where, rec in read():
            s, t = pick_sides(rec, src, tgt, where)
            groups = _token_units(rec, s, t, where)
            pending.append((rec, s, t, where, groups))
            units_in_batch += len(groups)
            if units_in_batch >= batch:
                flush(w)
                units_in_batch = 0
        if pending:
            flush(w)
    return stats


# --------------------------------------------------------------------------- both

def _aligner_per_step(names: Sequence[str], steps: Sequence[str]) -> dict[str, str]:
    """Which aligner each step runs: a name belongs to the step whose registry knows it."""
    registries = {"sentences": SENTENCE_ALIGNERS, "words": WORD_ALIGNERS}
    chosen: dict[str, str] = {}
    for name in names:
        owners = [step for step in steps if name in registries[step]]
        if not owners:
            known = "; ".join(f"{step}: {', '.join(registries[step].names())}" for step in steps)
            raise UsageError(f"--aligner {name!r}: no such {' or '.join(s[:-1] for s in steps)} aligner ({known})")
        if len(owners) > 1:
            raise UsageError(f"--aligner {name!r} names both a sentence and a word aligner; "
                             "run the steps one at a time")
        step = owners[0]
        if step in chosen:
            raise UsageError(f"--aligner: two {step[:-1]} aligners ({chosen[step]}, {name}); give one per step")
        chosen[step] = name
    return chosen


@command_scope()  # standard input and pipes are replayed for the second pass; outputs are not inputs
def align_file(source: str | Path, target: str | Path, *, sentences: bool = False, words: bool = False,
               src: str | None = None, tgt: str | None = None, aligners: Sequence[str] = (),
               config: dict[str, Any] | None = None, split: bool = False, model_dir: str | Path | None = None,
               save_model: str | Path | None = None, symmetrize: str | None = None, replace: bool = False,
               progress: Progress = None, fmt: str | None = None,
               options: dict[str, Any] | None = None, manifest: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """``lancang align``: sentence beads, token links, or both in that order (the words aligned bead by
    bead on the beads just made). ``aligners`` names at most one aligner per step, each found in its
    step's registry. ``fmt`` and ``options`` read the input (any readable format); the output is
    lancang JSONL. Returns the counts of each step run, keyed ``sentences`` and ``words``. ``manifest``
    gets the alignment step appended to its processing log."""
    from ...corpora.manifest import ProcessingLog

    steps = [step for step, on in (("sentences", sentences), ("words", words)) if on]
    if not steps:
        raise UsageError("choose --sentences (beads of document pairs), --words (token links of sentence pairs) "
                         "or both")
    if not sentences and split:
        raise UsageError("--split applies to --sentences")
    if not words and (model_dir or save_model or symmetrize):
        raise UsageError("--model, --save-model and --symmetrize apply to --words")
    if len(steps) == 2 and config:
        raise UsageError("--set configures one aligner: with --sentences --words run the two steps one at a time "
                         "to configure them")
    if src is not None and src == tgt:
        raise UsageError(f"--src and --tgt are both {src!r}: a link joins two different sides")
    chosen = _aligner_per_step(aligners, steps)
    log = ProcessingLog(manifest, "align")
    out: dict[str, dict[str, Any]] = {}
    with contextlib.ExitStack() as stack:
        words_in, words_fmt, words_options = source, fmt, options
        if sentences:
            mid = target
            if words:
                mid = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lancang-align-"))) / "beads.jsonl"
                words_in, words_fmt, words_options = mid, "jsonl", None
            out["sentences"] = align_sentences_file(source, mid, src, tgt, chosen.get("sentences", "lancang"), config,
                                                    split, replace, progress, fmt=fmt, options=options)
        if words:
            out["words"] = align_words_file(words_in, target, src, tgt, chosen.get("words", "gibbs"), config,
                                            model_dir, save_model, symmetrize, replace, progress=progress,
                                            fmt=words_fmt, options=words_options)
    if log:
        settings = {"steps": steps, "aligners": chosen, "config": config or {}, "split": split,
                    "model": Path(str(model_dir)).name if model_dir else None, "symmetrize": symmetrize,
                    "replace": replace, "src": src, "tgt": tgt}
        n = max((c.get("records", 0) for c in out.values()), default=0)
        log.append(step="alignment", settings=settings, counts=out, inputs=[source], outputs=[target],
                   records_in=n, records_out=n)
    return out
