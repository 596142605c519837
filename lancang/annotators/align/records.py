"""Aligning the records of a corpus file: sentence beads per document, token links per sentence pair.

Both jobs read the input twice (a model is learned from the whole corpus first, then every record
is aligned with it); standard input is first copied to a temporary file. The output is written
atomically, record by record, with the new link (and, with ``split``, the new ``sentences``
layers) added to each record; everything else in a record is kept as it was.

* :func:`align_sentences_file` -- each record holds one document per side: the side's text and
  its ``sentences`` layer. Writes a ``beads`` link with a score per bead.
* :func:`align_words_file` -- each record holds sentence pairs with ``tokens`` layers. When the
  record also has a ``beads`` link and ``sentences`` layers, tokens are aligned bead by bead;
  otherwise the whole record is one sentence pair. Writes a ``tokens`` link (pairs ``[i, j,
  "S"|"P"]``, token indices of the whole side).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ...corpora.jsonl import JsonlWriter, Parsed, is_stdio, iter_lines, open_input
from ...corpora.model import Provenance
from ...errors import InputError, UsageError
from . import SENTENCE_ALIGNERS, WORD_ALIGNERS
from .model import Links, WordModel, model_aligners

Where = str
Progress = Callable[[int], None] | None


@contextlib.contextmanager
def rereadable(path: str | Path) -> Iterator[Path]:
    """The input as a file that can be read more than once (stdin is spooled to a temporary file)."""
    if not is_stdio(path):
        p = Path(path)
        if not p.exists():
            raise InputError(f"{path}: no such file")
        if p.is_dir():
            raise InputError(f"{path}: is a directory, not a JSONL file")
        yield p
        return
    with tempfile.TemporaryDirectory(prefix="lancang-align-") as d:
        tmp = Path(d) / "stdin.jsonl"
        with open_input(path) as src, open(tmp, "wb") as out:
            shutil.copyfileobj(src, out)
        yield tmp


def records(path: Path, label: str) -> Iterator[tuple[Where, dict[str, Any]]]:
    """(location, record) for each record; a bad line is an error with its location."""
    for item in iter_lines(path):
        if isinstance(item, Parsed):
            if not isinstance(item.value, dict):
                raise InputError(f"{label}:{item.line}: a record is a JSON object")
            rid = item.value.get("id")
            yield f"{label}:{item.line}: record {rid!r}", item.value
        elif item.severity == "error":
            raise InputError(f"{label}:{item.line}: {item.message}")


def pick_sides(rec: dict[str, Any], src: str | None, tgt: str | None, where: Where) -> tuple[str, str]:
    sides = rec.get("sides")
    if not isinstance(sides, dict):
        raise InputError(f"{where}: has no sides")
    tags = list(sides)
    if src is None and tgt is None:
        if len(tags) != 2:
            raise InputError(f"{where}: has {len(tags)} sides ({', '.join(tags) or 'none'}); "
                             "choose two with --src and --tgt")
        return tags[0], tags[1]
    if src is None or tgt is None:
        others = [t for t in tags if t != (src or tgt)]
        if len(others) != 1:
            raise InputError(f"{where}: give both --src and --tgt (sides: {', '.join(tags)})")
        src, tgt = (src, others[0]) if src else (others[0], tgt)  # type: ignore[assignment]
    for t in (src, tgt):
        if t not in sides:
            raise InputError(f"{where}: has no side {t!r} (sides: {', '.join(tags) or 'none'})")
    return src, tgt  # type: ignore[return-value]


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


def align_sentences_file(source: str | Path, target: str | Path, src: str | None = None, tgt: str | None = None,
                         aligner: str = "lancang", config: dict[str, Any] | None = None, split: bool = False,
                         replace: bool = False, progress: Progress = None) -> dict[str, Any]:
    """Add a ``beads`` link to every record; returns counts (records, beads, weak beads, model)."""
    al = SENTENCE_ALIGNERS.get(aligner).from_config(config)
    cut = splitter() if split else None
    label = str(source)
    with rereadable(source) as path:
        def docs() -> Iterator[tuple[list[str], list[str]]]:
            for where, rec in records(path, label):
                s, t = pick_sides(rec, src, tgt, where)
                yield doc_sentences(rec, s, where, cut), doc_sentences(rec, t, where, cut)

        model = al.fit(docs)
        settings = {"aligner": aligner, **(config or {})}
        prov = Provenance.auto(f"lancang.align.{aligner}", _version(), settings)
        n = beads_total = weak = 0
        with JsonlWriter(target) as w:
            for where, rec in records(path, label):
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


def _units_of(path: Path, label: str, src: str | None, tgt: str | None) -> Iterator[tuple[list[str], list[str]]]:
    for where, rec in records(path, label):
        s, t = pick_sides(rec, src, tgt, where)
        st, tt = rec["sides"][s]["text"], rec["sides"][t]["text"]
        stok, ttok = _spans(rec["sides"][s], "tokens") or [], _spans(rec["sides"][t], "tokens") or []
        for gi, gj in _token_units(rec, s, t, where):
            yield [st[a:b] for a, b in (stok[i] for i in gi)], [tt[a:b] for a, b in (ttok[j] for j in gj)]


def align_words_file(source: str | Path, target: str | Path, src: str | None = None, tgt: str | None = None,
                     aligner: str = "gibbs", config: dict[str, Any] | None = None, model_dir: str | Path | None = None,
                     save_model: str | Path | None = None, symmetrize: str | None = None, replace: bool = False,
                     batch: int = 2000, progress: Progress = None) -> dict[str, Any]:
    """Add a ``tokens`` link to every record; returns counts. ``model_dir`` reuses a saved model;
    otherwise one is trained on the input (and saved to ``save_model``: gibbs and ibm2 only).

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
    label = str(source)
    with rereadable(source) as path:
        model: WordModel | None
        # links of every pair when training gave them (None: the model aligns the file as it streams)
        precomputed: list[Links] | None = None
        if model_dir is not None:
            model = WordModel.load(model_dir)
            aligner = model.aligner
            cls = WORD_ALIGNERS.get(aligner)
        else:
            model, precomputed = cls.from_config(config).fit(_units_of(path, label, src, tgt), symmetrize)
        if save_model is not None and model is not None:
            model.save(save_model)
        settings = {"aligner": aligner, **(config or {})}
        if model_dir is not None:
            settings["model"] = str(model_dir)
        if symmetrize:
            settings["symmetrize"] = symmetrize
        prov = Provenance.auto(cls.tool(), cls.version(), settings)
        stats = {"records": 0, "pairs": 0, "links": 0, "sure": 0}
        pos = 0
        pending: list[tuple[dict[str, Any], str, str, Where, list[tuple[list[int], list[int]]]]] = []

        def flush(w: JsonlWriter) -> None:
            nonlocal pos
            units = []
            for rec, s, t, _, groups in pending:
                st, tt = rec["sides"][s]["text"], rec["sides"][t]["text"]
                stok, ttok = rec["sides"][s]["layers"]["tokens"]["spans"], rec["sides"][t]["layers"]["tokens"]["spans"]
                for gi, gj in groups:
                    units.append(([st[a:b] for a, b in (stok[i] for i in gi)], [tt[a:b] for a, b in (ttok[j] for j in gj)]))
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
                _put_link(rec, {"kind": "tokens", "src": s, "tgt": t, "pairs": pairs, "provenance": prov}, replace, where)
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
            for where, rec in records(path, label):
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
