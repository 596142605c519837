"""CoNLL-U (Universal Dependencies): one record per sentence, one language per file.

Reading (streams sentence by sentence):

* the ten columns become layers parallel to ``tokens``, one per syntactic word: ``lemma``, ``pos``
  (UPOS), ``xpos``, ``feats``, ``head`` (an integer: the CoNLL-U ID of the head word, 0 for the
  root), ``deprel``, ``deps`` and ``misc``; ``_`` becomes null and a layer that is all ``_`` is
  left out;
* ``# sent_id`` is the record id (the sentence number in the file when absent), ``# text`` the
  side's text (NFC), ``# newdoc id`` the ``doc`` of this and the following sentences (after a
  ``# newdoc`` without an id they have none). When ``# text`` is absent the text is rebuilt from the
  forms and ``SpaceAfter=No``;
* every other ``# key = value`` comment goes to the side's ``meta`` (``parallel_id``, ``text_en``,
  ``translit`` ...); ``meta["conllu"]`` keeps the comment lines as written, the multiword-token
  lines (``mwt``) and the empty nodes (``empty``, verbatim), so writing what was read gives the
  same bytes;
* the words of a multiword token get spans inside its surface form: where the word forms spell
  the surface (``dengan`` + ``nya``) they tile it; otherwise each form is looked for in order, and
  where that fails the surface is shared out and the forms are kept in ``mwt[i]["forms"]``;
* a contraction with fewer characters than its words (Portuguese ``à`` = ``a`` + ``a``) is valid
  CoNLL-U, but its words cannot each have a non-empty span: that sentence's tokens are its surface
  tokens, without word layers, its token lines are kept as read (``meta.conllu.lines``, written back
  unchanged) and the record's ``meta.model_limits`` says why (``lancang check`` reports a model
  limit, never a violation of the format).

The language is ``--src``; without it, the part of the file name before ``_`` (UD's
``th_pud.conllu``, ``vi_vtb-ud-dev.conllu``). CRLF line ends and a BOM are accepted; output is LF
without BOM, as UD requires. Reading is lenient on purpose (unsorted features, a missing ``# text``
...): ``lancang check -p conllu`` reports such violations, levels 1-2 of the UD validator, from a
second pass over the file (``lancang.standards.conllu``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from ...errors import InputError, UsageError
from ..jsonl import PathLike, atomic_output, text_lines
from . import MODEL_LIMITS, Format, check_options, pick_side

COLUMNS = ("id", "form", "lemma", "upos", "xpos", "feats", "head", "deprel", "deps", "misc")
#: value layers in column order (FORM is the token span, ID its position)
LAYERS = ("lemma", "pos", "xpos", "feats", "head", "deprel", "deps", "misc")
_WORD_ID = re.compile(r"[1-9][0-9]*\Z")
_MWT_ID = re.compile(r"([1-9][0-9]*)-([1-9][0-9]*)\Z")
_EMPTY_ID = re.compile(r"(0|[1-9][0-9]*)\.([1-9][0-9]*)\Z")
_LANG_FROM_NAME = re.compile(r"([a-z]{2,3})_")
_SPECIAL = ("sent_id", "text", "newdoc id")


def _lang_for(path: PathLike, langs: Any) -> str:
    if langs:
        return langs[0]
    m = _LANG_FROM_NAME.match(Path(str(path)).name)
    if m:
        return m.group(1)
    raise UsageError(f"{path}: cannot tell the language from the file name (UD names files like "
                     f"th_pud.conllu); give it with --src")


def parse_comment(line: str) -> tuple[str, str] | None:
    """``("key", "value")`` of a ``# key = value`` comment, or None for a free comment."""
    body = line[1:]
    if "=" not in body:
        return None
    key, _, value = body.partition("=")
    key = key.strip()
    if not key:
        return None
    return key, value[1:] if value.startswith(" ") else value


# ---------------------------------------------------------------------------------- reading

def read(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    check_options(FORMAT, "reader", options)
    lang = _lang_for(path, langs)
    state: dict[str, Any] = {"doc": None, "nsent": 0}
    block: list[tuple[int, str]] = []
    for n, line in text_lines(path):
        if line.strip() == "":
            if block:
                yield _sentence(path, block, lang, state)
                block = []
            continue
        block.append((n, line))
    if block:
        yield _sentence(path, block, lang, state)




def _sentence(path: PathLike, block: list[tuple[int, str]], lang: str, state: dict[str, Any]) -> dict[str, Any]:
    state["nsent"] += 1
    first_line = block[0][0]
    comments: list[str] = []
    meta: dict[str, Any] = {}
    sent_id = text = None
    words: list[list[str]] = []
    word_lines: list[int] = []
    mwts: list[tuple[int, int, list[str], int]] = []  # first, last, columns, line
    empty: list[str] = []
    in_tokens = False
    for n, line in block:
        if line.startswith("#"):
            if in_tokens:
                raise InputError(f"{path}:{n}: comment line inside the token lines of a sentence")
            comments.append(line)
            kv = parse_comment(line)
            if kv is None:
                if line.strip() == "# newdoc" or line.startswith("# newdoc "):
                    state["doc"] = None  # a document without an id: its records have no doc
                continue
            key, value = kv
            if key == "sent_id":
                sent_id = value
            elif key == "text":
                text = value
            elif key == "newdoc id":
                state["doc"] = value
            else:
                meta[key] = value
            continue
        in_tokens = True
        cols = line.split("\t")
        if len(cols) != 10:
            raise InputError(f"{path}:{n}: a CoNLL-U token line has 10 tab-separated columns, this one has {len(cols)}")
        tid = cols[0]
        if _WORD_ID.match(tid):
            if int(tid) != len(words) + 1:
                raise InputError(f"{path}:{n}: word ID {tid} out of sequence (expected {len(words) + 1})")
            words.append(cols)
            word_lines.append(n)
        elif m := _MWT_ID.match(tid):
            a, b = int(m.group(1)), int(m.group(2))
            if a != len(words) + 1 or b <= a:
                raise InputError(f"{path}:{n}: multiword token range {tid} is not valid here "
                                 f"(the next word is {len(words) + 1})")
            mwts.append((a, b, cols, n))
        elif m := _EMPTY_ID.match(tid):
            if int(m.group(1)) != len(words):
                raise InputError(f"{path}:{n}: empty node {tid} is not after word {m.group(1)}")
            empty.append(line)
        else:
            raise InputError(f"{path}:{n}: bad ID {tid!r} (a word number, a range 1-2 or an empty node 1.1)")
    for a, b, _, n in mwts:
        if b > len(words):
            raise InputError(f"{path}:{n}: multiword token {a}-{b} goes past the last word ({len(words)})")

    rid = sent_id if sent_id else str(state["nsent"])
    side: dict[str, Any] = {}
    cmeta: dict[str, Any] = {"comments": comments}
    mwt_meta = []
    if text is None:
        units = _units(words, mwts)
        pieces = []
        for i, (form, misc) in enumerate(units):
            pieces.append(nfc(form))
            if i < len(units) - 1 and "SpaceAfter=No" not in (misc or "").split("|"):
                pieces.append(" ")
        full = "".join(pieces)
    else:
        full = nfc(text)
        if full != text:
            meta["source_not_nfc"] = True
    try:
        spans, forms_kept = _align(path, full, words, word_lines, mwts, first_line)
    except _Contraction:  # lancang's model limit, not a CoNLL-U violation: the surface tokens, lines as read
        return _surface_sentence(path, block, full, words, mwts, rid, meta, cmeta, lang, state)
    for (a, b, cols, _), forms in zip(mwts, forms_kept):
        entry: dict[str, Any] = {"range": [a, b]}
        if cols[9] != "_":
            entry["misc"] = cols[9]
        if any(c != "_" for c in cols[2:9]):
            entry["cols"] = cols[2:9]
        if forms is not None:
            entry["forms"] = forms
        mwt_meta.append(entry)
    if mwt_meta:
        cmeta["mwt"] = mwt_meta
    if empty:
        cmeta["empty"] = empty
    side["text"] = full
    layers: dict[str, Any] = {}
    if words:
        layers["tokens"] = {"spans": spans}
        for name, col in zip(LAYERS, range(2, 10)):
            vals: list[Any] = [None if w[col] == "_" else w[col] for w in words]
            if all(v is None for v in vals):
                continue
            if name == "head":
                try:
                    vals = [None if v is None else int(v) for v in vals]
                except ValueError:
                    bad = next(i for i, v in enumerate(vals) if v is not None and not v.isdigit())
                    raise InputError(f"{path}:{word_lines[bad]}: HEAD {vals[bad]!r} is not a word ID") from None
            layers[name] = {"values": vals}
    if layers:
        side["layers"] = layers
    meta["conllu"] = cmeta
    side["meta"] = meta
    rec: dict[str, Any] = {"id": rid}
    if state["doc"] is not None:
        rec["doc"] = state["doc"]
    rec["sides"] = {lang: side}
    return rec


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _units(words: list[list[str]], mwts: list[tuple[int, int, list[str], int]]) -> list[tuple[str, str | None]]:
    """Surface tokens in order: (FORM, MISC) of each multiword token or word outside one."""
    out = []
    starts = {a: (b, cols) for a, b, cols, _ in mwts}
    k = 1
    while k <= len(words):
        if k in starts:
            b, cols = starts[k]
            out.append((cols[1], cols[9]))
            k = b + 1
        else:
            out.append((words[k - 1][1], words[k - 1][9]))
            k += 1
    return out


def _align(path: PathLike, text: str, words: list[list[str]], word_lines: list[int],
           mwts: list[tuple[int, int, list[str], int]], first_line: int
           ) -> tuple[list[list[int]], list[list[str | None] | None]]:
    """Spans of the words in ``text``; for each multiword token, its word forms where the text does
    not spell them (None when it does)."""
    spans: list[list[int]] = []
    kept: list[list[str | None] | None] = []
    starts = {a: (b, cols, n) for a, b, cols, n in mwts}
    k = 1

    locate = _locator(path, text)
    while k <= len(words):
        if k in starts:
            b, cols, n = starts[k]
            s, e = locate(nfc(cols[1]), n)
            forms = [nfc(w[1]) for w in words[k - 1:b]]
            sub, keep = _split_mwt(text[s:e], forms)
            if sub is None:
                raise _Contraction()
            spans.extend([s + x, s + y] for x, y in sub)
            kept.append(keep)
            k = b + 1
        else:
            spans.append(list(locate(nfc(words[k - 1][1]), word_lines[k - 1])))
            k += 1
    return spans, kept


def _locator(path: PathLike, text: str) -> Any:
    """``locate(form, line)``: the span of the next occurrence of ``form`` in ``text``, after white space only."""
    pos = 0

    def locate(form: str, line: int) -> tuple[int, int]:
        nonlocal pos
        while pos < len(text) and text[pos].isspace() and not form[:1].isspace():
            pos += 1
        if not form or not text.startswith(form, pos):
            raise InputError(f"{path}:{line}: FORM {form!r} does not match the sentence text at offset {pos} "
                             f"({text[pos:pos + 20]!r})")
        s = pos
        pos += len(form)
        return s, pos

    return locate


class _Contraction(Exception):
    """A multiword token with fewer characters than its words (Portuguese ``à`` = ``a`` + ``a``): valid
    CoNLL-U, but a lancang token is a non-empty span of the text, so its words cannot each have one."""


def _contraction_limit(line: int, a: int, b: int, surface: str, forms: list[str]) -> str:
    return (f"line {line}: multiword token {a}-{b} {surface!r} has fewer characters than its {len(forms)} words "
            f"({' + '.join(forms)}); a lancang token is a non-empty span of the text, so the sentence's tokens are "
            "its surface tokens, without word layers (lemma, UPOS, HEAD ...), and its token lines are kept as read "
            "(meta.conllu.lines) and written back unchanged")


def _surface_sentence(path: PathLike, block: list[tuple[int, str]], text: str, words: list[list[str]],
                      mwts: list[tuple[int, int, list[str], int]], rid: str, meta: dict[str, Any],
                      cmeta: dict[str, Any], lang: str, state: dict[str, Any]) -> dict[str, Any]:
    """The record of a sentence with a contraction (:class:`_Contraction`): one token per surface token (a
    multiword token or a word outside one), the token lines verbatim in ``meta.conllu.lines``, and the reason
    in the record's ``meta.model_limits`` (``lancang check`` reports it as a model limit, never a violation)."""
    starts = {a: (b, n) for a, b, _cols, n in mwts}
    word_line = [n for n, line in block if _WORD_ID.match(line.split("\t", 1)[0])]
    locate = _locator(path, text)
    spans: list[list[int]] = []
    k = 1
    for form, _misc in _units(words, mwts):
        b, n = starts.get(k, (k, word_line[k - 1]))
        spans.append(list(locate(nfc(form), n)))
        k = b + 1
    cmeta["lines"] = [line for _n, line in block if not line.startswith("#")]
    side: dict[str, Any] = {"text": text}
    if spans:
        side["layers"] = {"tokens": {"spans": spans}}
    meta["conllu"] = cmeta
    side["meta"] = meta
    rec: dict[str, Any] = {"id": rid}
    if state["doc"] is not None:
        rec["doc"] = state["doc"]
    rec["meta"] = {MODEL_LIMITS: [
        _contraction_limit(n, a, b, cols[1], [w[1] for w in words[a - 1:b]]) for a, b, cols, n in mwts
        if len(nfc(cols[1])) < b - a + 1]}
    rec["sides"] = {lang: side}
    return rec


def _split_mwt(surface: str, forms: list[str]) -> tuple[list[tuple[int, int]] | None, list[str | None] | None]:
    """Word spans inside a multiword token's surface, and the forms the spans do not spell."""
    if "".join(forms) == surface:
        out, p = [], 0
        for f in forms:
            out.append((p, p + len(f)))
            p += len(f)
        return out, None
    for fold in (False, True):  # each form in order, exactly, then ignoring case
        hay = surface.casefold() if fold and len(surface.casefold()) == len(surface) else surface
        out, p = [], 0
        for f in forms:
            needle = f.casefold() if fold else f
            j = hay.find(needle, p) if needle else -1
            if j < 0:
                break
            out.append((j, j + len(f)))
            p = j + len(f)
        else:
            if out[0][0] == 0 and out[-1][1] == len(surface):
                keep = [None if surface[x:y] == f else f for (x, y), f in zip(out, forms)]
                return out, keep if any(v is not None for v in keep) else None
    n = len(forms)
    if len(surface) < n:
        return None, None
    # share the surface out: one character each, the rest to the last word
    out = [(i, i + 1) for i in range(n - 1)] + [(n - 1, len(surface))]
    return out, [None if surface[x:y] == f else f for (x, y), f in zip(out, forms)]


# ---------------------------------------------------------------------------------- writing

def write(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    check_options(FORMAT, "writer", options)
    n = 0
    prev_doc: Any = None
    with atomic_output(path, "w") as f:
        for rec in records:
            lang = _pick_side(rec, langs)
            f.write(render_sentence(rec, lang, prev_doc))
            prev_doc = rec.get("doc")
            n += 1
    return n


def _pick_side(rec: dict[str, Any], langs: Any) -> str:
    return pick_side(rec, langs, "CoNLL-U")


def _value(v: Any) -> str:
    if v is None:
        return "_"
    return v if isinstance(v, str) else orjson.dumps(v).decode()


def _check_cell(rid: str, what: str, v: str) -> str:
    if v == "" or "\t" in v or "\n" in v or "\r" in v:
        raise InputError(f"record {rid!r}: {what} {v!r} cannot be written to CoNLL-U "
                         "(empty, or holds a tab or line break)")
    return v


def render_sentence(rec: dict[str, Any], lang: str, prev_doc: Any = None) -> str:
    """One sentence of CoNLL-U (comment lines, token lines, the blank line after)."""
    rid = rec["id"]
    side = rec["sides"][lang]
    text: str = side["text"]
    if "\n" in text or "\r" in text:
        raise InputError(f"record {rid!r}: the {lang} text has a line break, which a CoNLL-U sentence cannot hold")
    meta = dict(side.get("meta") or {})
    cmeta = meta.pop("conllu", None) or {}
    meta.pop("source_not_nfc", None)
    for k, v in (rec.get("meta") or {}).items():
        meta.setdefault(k, v)
    meta.pop(MODEL_LIMITS, None)  # what a reader could not hold: lancang's note, not a comment of the sentence
    doc = rec.get("doc")
    out: list[str] = []
    if "comments" in cmeta:
        seen = set()
        for line in cmeta["comments"]:
            kv = parse_comment(line)
            if kv is None:
                out.append(line)
                continue
            key, value = kv
            seen.add(key)
            new = rid if key == "sent_id" else text if key == "text" else doc if key == "newdoc id" else meta.get(key)
            if new is None:
                continue
            new = _value(new)
            out.append(line if new == value else f"# {key} = {new}")
        out.extend(f"# {k} = {_value(v)}" for k, v in meta.items() if k not in seen)
    else:
        if doc != prev_doc:
            out.append(f"# newdoc id = {doc}" if doc is not None else "# newdoc")
        out.append(f"# sent_id = {rid}")
        out.extend(f"# {k} = {_value(v)}" for k, v in meta.items())
        out.append(f"# text = {text}")
    for line in out:
        if "\n" in line or "\r" in line:
            raise InputError(f"record {rid!r}: a comment value has a line break: {line[:40]!r}")

    layers = side.get("layers") or {}
    spans = layers.get("tokens", {}).get("spans", [])
    if "lines" in cmeta:  # a sentence with a contraction, read as its surface tokens: its lines as read
        _check_lines_as_read(rid, text, layers, spans, cmeta["lines"])
        return "\n".join([*out, *cmeta["lines"]]) + "\n\n"
    if not spans and text.strip():
        raise InputError(f"record {rid!r}: the {lang} side has no tokens; CoNLL-U needs them (tokenise first)")
    ntok = len(spans)
    values = {}
    for name in LAYERS:
        lay = layers.get(name)
        if lay is not None:
            if len(lay["values"]) != ntok:
                raise InputError(f"record {rid!r}: layer {name} has {len(lay['values'])} values for {ntok} tokens")
            values[name] = lay["values"]
    mwts = {m["range"][0]: m for m in cmeta.get("mwt", [])}
    empty: dict[int, list[str]] = {}
    for line in cmeta.get("empty", []):
        empty.setdefault(int(line.split("\t", 1)[0].split(".")[0]), []).append(line)
    derive_space = "misc" not in values and not cmeta  # records from other formats
    forms_at: dict[int, str] = {}
    for m in mwts.values():
        a, b = m["range"]
        if b > ntok:
            raise InputError(f"record {rid!r}: multiword token {a}-{b} goes past the last token ({ntok})")
        for k, f in enumerate(m.get("forms") or (), a):
            if f is not None:
                forms_at[k] = f

    out.extend(empty.get(0, ()))
    k = 1
    while k <= ntok:
        if k in mwts:
            m = mwts[k]
            a, b = m["range"]
            surface = text[spans[a - 1][0]:spans[b - 1][1]]
            misc = m.get("misc")
            if derive_space:
                misc = _space_after(spans, b, ntok, misc)
            cols = m.get("cols") or ["_"] * 7
            out.append("\t".join([f"{a}-{b}", _check_cell(rid, "form", surface), *cols, misc or "_"]))
            last = b
        else:
            last = k
        for j in range(k, last + 1):
            s, e = spans[j - 1]
            form = forms_at.get(j, text[s:e])
            row = [str(j), _check_cell(rid, "form", form)]
            for name in LAYERS:
                v = values.get(name, (None,) * ntok)[j - 1]
                if name == "misc" and derive_space and not _in_mwt(j, mwts):
                    v = _space_after(spans, j, ntok, v)
                row.append(_check_cell(rid, name, _value(v)))
            out.append("\t".join(row))
            out.extend(empty.get(j, ()))
        k = last + 1
    return "\n".join(out) + "\n\n"


def _check_lines_as_read(rid: str, text: str, layers: dict[str, Any], spans: list[list[int]],
                         lines: list[str]) -> None:
    """The token lines kept as read (``meta.conllu.lines``) still say the record: no word layer was added to
    its surface tokens, and the tokens spell the surface forms of the lines."""
    added = [name for name in LAYERS if name in layers]
    if added:
        raise InputError(f"record {rid!r}: its CoNLL-U token lines are kept as read (a contraction, lancang's model "
                         f"limit: meta.model_limits); its layers {', '.join(added)} cannot be written into them")
    words = [cols for cols in (line.split("\t") for line in lines) if _WORD_ID.match(cols[0])]
    mwts = [(int(m.group(1)), int(m.group(2)), cols, 0) for cols in (line.split("\t") for line in lines)
            if (m := _MWT_ID.match(cols[0]))]
    forms = [nfc(form) for form, _misc in _units(words, mwts)]
    if forms != [text[s:e] for s, e in spans]:
        raise InputError(f"record {rid!r}: its CoNLL-U token lines are kept as read (a contraction, lancang's model "
                         "limit: meta.model_limits), and its text or tokens no longer spell their forms")


def _in_mwt(j: int, mwts: dict[int, dict[str, Any]]) -> bool:
    return any(m["range"][0] <= j <= m["range"][1] for m in mwts.values())


def _space_after(spans: list[list[int]], k: int, ntok: int, misc: Any) -> Any:
    if k < ntok and spans[k][0] == spans[k - 1][1]:
        return "SpaceAfter=No" if misc in (None, "_") else f"{misc}|SpaceAfter=No"
    return misc


FORMAT = Format(
    "conllu", "CoNLL-U (Universal Dependencies), one sentence a record, one language a file", (".conllu",),
    frozenset({"tokens", "token-values", "doc", "meta"}), read, write, max_sides=1,
    read_options={}, write_options={},
)


def treebank_files(path: PathLike) -> list[Path] | None:
    """The ``.conllu`` files of a folder (a UD treebank: ``xx_name-ud-dev.conllu``, ``-test``, ``-train``
    beside its README), sorted by name, not searched below the folder; None for a file, for standard input
    and for a folder without one."""
    p = Path(str(path))
    try:  # a path that cannot be looked at (permission denied) is left to the reader to report
        if str(path) == "-" or not p.is_dir():
            return None
    except OSError:
        return None
    return sorted(q for q in p.glob("*.conllu") if q.is_file()) or None


def surface_spans(side: dict[str, Any]) -> list[list[int]]:
    """The side's token spans as a word segmenter sees them: the syntactic words of each CoNLL-U
    multiword token (``meta.conllu.mwt``) merged into its one surface token (``membelinya``, not
    ``membeli`` + ``nya``). Sides that did not come from CoNLL-U keep their tokens as they are."""
    spans = side.get("layers", {}).get("tokens", {}).get("spans", [])
    mwt = ((side.get("meta") or {}).get("conllu") or {}).get("mwt")
    if not mwt:
        return spans
    out: list[list[int]] = []
    ranges = {m["range"][0]: m["range"][1] for m in mwt}
    i = 0
    while i < len(spans):
        last = ranges.get(i + 1)
        if last is not None and last <= len(spans):
            out.append([spans[i][0], spans[last - 1][1]])
            i = last
        else:
            out.append(list(spans[i]))
            i += 1
    return out


def surface_record(rec: dict[str, Any]) -> dict[str, Any]:
    """``rec`` with every side's tokens as :func:`surface_spans` (for scoring or learning word
    segmentation); the per-word layers (lemma, pos, ...) of a side whose tokens changed are dropped."""
    for side in rec.get("sides", {}).values():
        layers = side.get("layers")
        if not layers or "tokens" not in layers:
            continue
        spans = surface_spans(side)
        if len(spans) != len(layers["tokens"]["spans"]):
            side["layers"] = {k: v for k, v in layers.items() if k not in _WORD_LAYERS}
            side["layers"]["tokens"] = {**layers["tokens"], "spans": spans}
    return rec


_WORD_LAYERS = ("lemma", "pos", "xpos", "feats", "head", "deprel", "deps", "misc")
