"""CoNLL-2003-style column files: one token a line, the entity tag in the last column (IOB1, IOB2,
BIOES or BILOU), a blank line between sentences, ``-DOCSTART-`` between documents.

Reading: one record per sentence, id = the sentence number in the file, ``doc`` = ``d<n>`` after
the n-th ``-DOCSTART-``; the side's language is ``--src``, which reading requires (the columns do not
say it). Columns are split on tabs when the line has one, else on runs of spaces.
The first column is the token, the last the tag; the middle ones are named by ``columns``
(default by count: ``token,ner``; ``token,pos,ner``; ``token,xpos,chunk,ner``): ``pos``, ``xpos``,
``lemma`` go to those layers, any other name ``N`` to an ``x-N`` layer of values. ``seg_suffix``
splits a trailing word-position number off each token (Weibo NER's ``叫0``) into ``x-segpos``.

The text is the tokens joined by a space, except between two characters of scripts written without
spaces (Han, kana, Thai, Lao, Khmer, Burmese, CJK punctuation), which are joined directly
(``space="auto"``; ``"yes"``/``"no"`` force it).

Tags: ``scheme="auto"`` (default) reads all four schemes leniently: an ``I-`` (or ``E-``) that
does not continue an entity of its type starts one, as IOB1 says; in a sentence that otherwise
follows IOB2 such a tag is a repair, and its token index is listed in ``meta.conll.repaired`` (and
written back as it was). ``scheme="iob1"|"iob2"|"bioes"|"bilou"`` reads strictly: a tag the scheme
does not allow is an error with its line. The scheme each sentence follows is kept in
``meta.conll.scheme``; the writer uses it unless ``scheme`` is given (default ``iob2``). Entities
must fall on token boundaries and must not overlap to be written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

import regex

from ...errors import InputError, UsageError
from ..jsonl import PathLike, atomic_output, text_lines
from . import Format, Option, check_options, given_lang, pick_side

SCHEMES = ("iob1", "iob2", "bioes", "bilou")
_TAG = re.compile(r"([BIESLU])-(.+)\Z")
_NO_SPACE = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
                          r"\u3000-\u303f\uff00-\uffef]")
_DEFAULT_COLUMNS = {2: ("token", "ner"), 3: ("token", "pos", "ner"), 4: ("token", "xpos", "chunk", "ner")}
_LAYER_COLUMNS = {"pos": "pos", "xpos": "xpos", "lemma": "lemma"}
_SEG = re.compile(r"(.+?)([0-9]+)\Z", re.S)


def _columns(option: Any, n: int, where: str) -> tuple[str, ...]:
    if option:
        cols = tuple(c.strip() for c in option.split(",")) if isinstance(option, str) else tuple(option)
        if cols[0] != "token" or cols[-1] != "ner" or len(set(cols)) != len(cols):
            raise UsageError(f"conll: columns start with token, end with ner and name each column once: {option!r}")
    elif n in _DEFAULT_COLUMNS:
        cols = _DEFAULT_COLUMNS[n]
    else:
        raise InputError(f"{where}: {n} columns; name them with the columns option (token,...,ner)")
    if len(cols) != n:
        raise InputError(f"{where}: the line has {n} columns, {len(cols)} expected ({','.join(cols)})")
    return cols


# ---------------------------------------------------------------------------------- reading

def read(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    check_options(FORMAT, "reader", options)
    scheme = options.get("scheme", "auto")
    space = options.get("space", "auto")
    lang = given_lang(langs, path, "a CoNLL file")
    state: dict[str, Any] = {"doc": None, "ndoc": 0, "nsent": 0, "cols": None, "docstart": None}
    block: list[tuple[int, list[str], str]] = []
    for n, line in text_lines(path):
        if not line.strip():
            if block:
                yield _sentence(path, block, lang, state, scheme, space, options)
                block = []
            continue
        sep = "\t" if "\t" in line else " "
        cells = line.split("\t") if sep == "\t" else line.split()
        if cells[0] == "-DOCSTART-":
            if block:
                yield _sentence(path, block, lang, state, scheme, space, options)
                block = []
            state["ndoc"] += 1
            state["doc"] = f"d{state['ndoc']}"
            state["docstart"] = line
            continue
        block.append((n, cells, sep))
    if block:
        yield _sentence(path, block, lang, state, scheme, space, options)




def join_tokens(tokens: list[str], space: str = "auto") -> tuple[str, list[list[int]]]:
    """The text of a token list and each token's span."""
    parts: list[str] = []
    spans = []
    pos = 0
    for i, t in enumerate(tokens):
        if i and (space == "yes" or space == "auto" and not (_NO_SPACE.match(tokens[i - 1][-1])
                                                            and _NO_SPACE.match(t[0]))):
            parts.append(" ")
            pos += 1
        parts.append(t)
        spans.append([pos, pos + len(t)])
        pos += len(t)
    return "".join(parts), spans


def _sentence(path: PathLike, block: list[tuple[int, list[str], str]], lang: str, state: dict[str, Any],
              scheme: str, space: str, options: dict[str, Any]) -> dict[str, Any]:
    state["nsent"] += 1
    first_line = block[0][0]
    if state["cols"] is None:
        state["cols"] = _columns(options.get("columns"), len(block[0][1]), f"{path}:{first_line}")
    cols = state["cols"]
    tokens: list[str] = []
    tags: list[str] = []
    lines: list[int] = []
    values: dict[str, list[Any]] = {c: [] for c in cols[1:-1]}
    segpos: list[str] = []
    seps = {sep for _, _, sep in block}
    for n, cells, _ in block:
        if len(cells) != len(cols):
            raise InputError(f"{path}:{n}: the line has {len(cells)} columns, {len(cols)} expected ({','.join(cols)})")
        tok = unicodedata.normalize("NFC", cells[0])
        if options.get("seg_suffix"):
            m = _SEG.match(tok)
            if not m:
                raise InputError(f"{path}:{n}: token {tok!r} has no word-position number at its end (seg_suffix)")
            tok = m.group(1)
            segpos.append(m.group(2))
        if not tok:
            raise InputError(f"{path}:{n}: empty token")
        tokens.append(tok)
        tags.append(cells[-1])
        lines.append(n)
        for c, v in zip(cols[1:-1], cells[1:-1]):
            values[c].append(v)
    text, spans = join_tokens(tokens, space)
    items, used, repaired = decode_tags(tags, scheme, lambda i: f"{path}:{lines[i]}")
    layers: dict[str, Any] = {"tokens": {"spans": spans}}
    for c, vals in values.items():
        layers[_LAYER_COLUMNS.get(c, f"x-{c}")] = {"values": vals}
    if segpos:
        layers["x-segpos"] = {"values": segpos}
    layers["entities"] = {"items": [{"start": spans[s][0], "end": spans[e - 1][1], "label": lab}
                                    for s, e, lab in items]}
    cmeta: dict[str, Any] = {}
    if options.get("columns"):
        cmeta["columns"] = list(cols)
    if used:
        cmeta["scheme"] = used
    if repaired:
        cmeta["repaired"] = repaired
    if seps != {"\t"}:
        cmeta["sep"] = "space"
    if state["docstart"] is not None:
        cmeta["docstart"] = state["docstart"]
        state["docstart"] = None
    rec: dict[str, Any] = {"id": str(state["nsent"])}
    if state["doc"] is not None:
        rec["doc"] = state["doc"]
    if cmeta:
        rec["meta"] = {"conll": cmeta}
    rec["sides"] = {lang: {"text": text, "layers": layers}}
    return rec


def decode_tags(tags: list[str], scheme: str = "auto", where: Any = lambda i: f"token {i + 1}"
                ) -> tuple[list[tuple[int, int, str]], str | None, list[int]]:
    """Entities ``(first token, end token, label)`` of a tag sequence, the scheme it follows and
    the token indices of ``I-``/``E-`` tags that had to start an entity (lenient reading only)."""
    parsed: list[tuple[str, str]] = []
    for i, t in enumerate(tags):
        if t == "O":
            parsed.append(("O", ""))
            continue
        m = _TAG.match(t)
        if not m:
            raise InputError(f"{where(i)}: tag {t!r} is not O or X-LABEL with X one of B, I, E, S, L, U")
        parsed.append((m.group(1), m.group(2)))
    prefixes = {p for p, _ in parsed}
    detected = "bilou" if prefixes & {"L", "U"} else "bioes" if prefixes & {"E", "S"} else None
    strict = scheme != "auto"
    if strict:
        allowed = {"iob1": "BIO", "iob2": "BIO", "bioes": "BIESO", "bilou": "BILUO"}[scheme]
        for i, (p, _) in enumerate(parsed):
            if p not in allowed:
                raise InputError(f"{where(i)}: tag {tags[i]!r} is not allowed in {scheme.upper()}")
    end_p, single_p = ("L", "U") if (scheme == "bilou" or scheme == "auto" and detected == "bilou") else ("E", "S")
    items: list[tuple[int, int, str]] = []
    repaired: list[int] = []
    iob1_starts = iob2_starts = False
    open_: list[Any] | None = None  # [start, label]
    prev = ("O", "")
    for i, (p, lab) in enumerate(parsed):
        cont = open_ is not None and open_[1] == lab and prev[0] in ("B", "I")
        if p == "O":
            open_ = None
        elif p in ("I", end_p):
            if strict and scheme in ("bioes", "bilou") and p == "I":
                nxt = parsed[i + 1] if i + 1 < len(parsed) else ("O", "")
                if nxt[0] not in ("I", end_p) or nxt[1] != lab:
                    raise InputError(f"{where(i)}: {tags[i]!r} ends an entity "
                                     f"({scheme.upper()} ends one with {end_p}-)")
            if cont:
                items[-1] = (items[-1][0], i + 1, lab)
            else:
                if strict and scheme != "iob1":
                    raise InputError(f"{where(i)}: {tags[i]!r} does not continue an entity "
                                     f"({scheme.upper()} starts one with B-)")
                repaired.append(i)
                iob1_starts = True
                items.append((i, i + 1, lab))
                open_ = [i, lab]
            if p == end_p:
                open_ = None
        elif p == "B":
            if prev[1] != lab or prev[0] == "O" or prev[0] in (end_p, single_p):
                iob2_starts = True
            if strict and scheme == "iob1" and not (prev[0] in ("B", "I") and prev[1] == lab):
                raise InputError(f"{where(i)}: {tags[i]!r}: IOB1 uses B- only right after an entity of the same type")
            if strict and scheme in ("bioes", "bilou"):
                nxt = parsed[i + 1] if i + 1 < len(parsed) else ("O", "")
                if nxt[0] not in ("I", end_p) or nxt[1] != lab:
                    raise InputError(f"{where(i)}: {tags[i]!r} is not followed by I-/{end_p}- of its type "
                                     f"({scheme.upper()} writes a one-token entity {single_p}-)")
            items.append((i, i + 1, lab))
            open_ = [i, lab]
        else:  # single
            items.append((i, i + 1, lab))
            open_ = None
        prev = (p, lab)
    if detected:
        used: str | None = detected
        repaired = [i for i in repaired if parsed[i][0] == "I" or parsed[i][0] == end_p]
    elif iob2_starts:
        used = "iob2"
    elif iob1_starts:
        used, repaired = "iob1", []
    else:
        used = None
    if strict:
        used, repaired = scheme, []
    return items, used, repaired


def encode_tags(n: int, items: list[tuple[int, int, str]], scheme: str, repaired: Iterable[int] = ()) -> list[str]:
    """Tags of ``n`` tokens for entities ``(first, end, label)`` (sorted, not overlapping)."""
    tags = ["O"] * n
    rep = set(repaired)
    prev_end, prev_lab = -1, None
    for s, e, lab in items:
        adjacent = s == prev_end and lab == prev_lab
        if scheme == "iob1":
            first = "B" if adjacent else "I"
        elif scheme == "iob2":
            first = "I" if s in rep else "B"
        else:
            end_p, single_p = ("E", "S") if scheme == "bioes" else ("L", "U")
            first = single_p if e - s == 1 else "B"
        tags[s] = f"{first}-{lab}"
        for k in range(s + 1, e):
            tags[k] = f"I-{lab}"
        if scheme in ("bioes", "bilou") and e - s > 1:
            tags[e - 1] = f"{'E' if scheme == 'bioes' else 'L'}-{lab}"
        prev_end, prev_lab = e, lab
    return tags


# ---------------------------------------------------------------------------------- writing

def write(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    check_options(FORMAT, "writer", options)
    scheme = options.get("scheme")
    sep_opt = options.get("sep")
    n = 0
    prev_doc: Any = None
    with atomic_output(path, "w") as f:
        for rec in records:
            cmeta = (rec.get("meta") or {}).get("conll") or {}
            sep = " " if (sep_opt or cmeta.get("sep", "tab")) == "space" else "\t"
            rows = sentence_rows(rec, _pick_side(rec, langs), scheme or cmeta.get("scheme") or "iob2",
                                 cmeta.get("repaired", ()), cmeta.get("columns"))
            doc = rec.get("doc")
            if doc != prev_doc and doc is not None:
                f.write((cmeta.get("docstart") or sep.join(["-DOCSTART-"] + ["-X-"] * (len(rows[0]) - 2 if rows else 0)
                                                           + ["O"])) + "\n\n")
            prev_doc = doc
            for row in rows:
                for cell in row:
                    if not cell or "\n" in cell or "\t" in cell or (sep == " " and " " in cell):
                        raise InputError(f"record {rec['id']!r}: cell {cell!r} cannot be written to a "
                                         f"{'space' if sep == ' ' else 'tab'}-separated column file")
                f.write(sep.join(row) + "\n")
            f.write("\n")
            n += 1
    return n


def _pick_side(rec: dict[str, Any], langs: Any) -> str:
    return pick_side(rec, langs, "a column file")


def sentence_rows(rec: dict[str, Any], lang: str, scheme: str, repaired: Iterable[int] = (),
                  columns: list[str] | None = None) -> list[list[str]]:
    """The rows (token, middle columns, tag) of one record's side."""
    rid = rec["id"]
    side = rec["sides"][lang]
    text = side["text"]
    layers = side.get("layers") or {}
    spans = layers.get("tokens", {}).get("spans", [])
    if not spans:
        raise InputError(f"record {rid!r}: the {lang} side has no tokens; a column file needs them "
                         "(and cannot hold an empty sentence)")
    starts = {s: i for i, (s, _) in enumerate(spans)}
    ends = {e: i + 1 for i, (_, e) in enumerate(spans)}
    items = []
    for it in (layers.get("entities") or {}).get("items", []):
        if it.get("fragments"):
            raise InputError(f"record {rid!r}: entity {it.get('id', it['label'])!r} is discontinuous")
        if it["start"] not in starts or it["end"] not in ends:
            raise InputError(f"record {rid!r}: entity {it.get('id', it['label'])!r} [{it['start']}, {it['end']}] "
                             "does not start and end on token boundaries")
        items.append((starts[it["start"]], ends[it["end"]], it["label"]))
    items.sort()
    for a, b in zip(items, items[1:]):
        if b[0] < a[1]:
            raise InputError(f"record {rid!r}: entities {a[2]} and {b[2]} overlap; tags hold one entity a token")
    tags = encode_tags(len(spans), items, scheme, repaired)
    cols = []
    for name, lay in layers.items():
        if name in ("pos", "xpos", "lemma") or (name.startswith("x-") and name != "x-segpos"):
            vals = lay.get("values") if isinstance(lay, dict) else None
            if not isinstance(vals, list) or len(vals) != len(spans):
                raise InputError(f"record {rid!r}: layer {name} is not one value per token")
            cols.append((_ORDER.get(name, 3), name, vals))
    if columns:
        order = {(_LAYER_COLUMNS.get(c, f"x-{c}")): k for k, c in enumerate(columns)}
        cols = [(order.get(c[1], len(order)), c[1], c[2]) for c in cols]
    cols.sort(key=lambda c: c[0])
    seg = (layers.get("x-segpos") or {}).get("values")
    rows = []
    for i, (s, e) in enumerate(spans):
        tok = text[s:e] + (str(seg[i]) if seg else "")
        rows.append([tok, *("_" if c[2][i] is None else str(c[2][i]) for c in cols), tags[i]])
    return rows


_ORDER = {"lemma": 0, "pos": 1, "xpos": 2}

FORMAT = Format(
    "conll", "CoNLL-2003-style column files (token ... tag), IOB1/IOB2/BIOES/BILOU entities",
    (".conll", ".bio", ".iob"),
    frozenset({"tokens", "token-values", "entities", "doc", "extension-layers", "meta"}), read, write, max_sides=1,
    read_options={
        "scheme": Option("auto", "tag scheme: auto reads all four leniently (repairs listed in meta.conll.repaired); "
                                 "iob1/iob2/bioes/bilou read strictly", ("auto", *SCHEMES)),
        "columns": Option(None, "the column names, comma-separated, token first and ner last (middle ones: pos, xpos, "
                                "lemma, or N for an x-N layer); default by count: token,ner / token,pos,ner / "
                                "token,xpos,chunk,ner"),
        "seg_suffix": Option(False, "split a trailing word-position digit off each token into x-segpos "
                                    "(Weibo NER's 叫0)", (True, False)),
        "space": Option("auto", "join tokens with a space: auto = not between characters of scripts written "
                                "without spaces", ("auto", "yes", "no")),
    },
    write_options={
        "scheme": Option(None, "tag scheme to write (default: the one read, kept in meta.conll.scheme, else iob2)",
                         (None, *SCHEMES)),
        "sep": Option(None, "column separator (default: the one read, else tab)", (None, "tab", "space")),
    },
)
