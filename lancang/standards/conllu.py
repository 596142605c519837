"""CoNLL-U levels 1 and 2 as the UD validator defines them, one streaming pass over the file.

Each check is a rule with the UD validator's test id (``UniversalDependencies/tools``,
``validator/docs/checks_table.md``, read 2026-12 through the code search; levels from
``validator/src/validator/level1.py`` / ``level2.py`` as summarised in ../shared/STANDARDS.md,
"Additions"). Ids the validator does not have are lancang's and say so in :data:`RULES`
(``lancang: true``). Level 3 and above (``0-is-not-root``, ``root-is-not-0``, language-specific
labels and features, ...) stay out.

Sources of the label sets (UD documentation, universaldependencies.org, UD v2):

* UPOS, the 17 universal tags: ``u/pos/index.html``;
* DEPREL, the 37 universal relations: ``u/dep/index.html``; a DEPREL is a universal relation with
  at most one lowercase subtype, ``[a-z]+(:[a-z]+)?`` (``format.html``); at levels 1-3 the
  validator checks the universal part only (language-specific subtypes are level 4);
* FEATS: ``Attr=Val|Attr=Val``, sorted case-insensitively, names ``[A-Z][A-Za-z0-9]*`` with an
  optional ``[layer]``, values ``[A-Z0-9][A-Za-z0-9]*``, several values of one feature sorted and
  comma-separated (``format.html``, "Morphological annotation"; ``u/feat/index.html``).

The file is read line by line with a bounded line length; a sentence is held while it is checked
(its lines, never the corpus); sentence ids are remembered to find repeats.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import regex

from ..corpora.formats.conllu import parse_comment
from ..corpora.jsonl import BOM, MAX_LINE_BYTES, PathLike, open_input
from ..findings import Finding

UPOS = frozenset({"ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN",
                  "PUNCT", "SCONJ", "SYM", "VERB", "X"})
UDEPREL = frozenset({
    "acl", "advcl", "advmod", "amod", "appos", "aux", "case", "cc", "ccomp", "clf", "compound", "conj", "cop",
    "csubj", "dep", "det", "discourse", "dislocated", "expl", "fixed", "flat", "goeswith", "iobj", "list", "mark",
    "nmod", "nsubj", "nummod", "obj", "obl", "orphan", "parataxis", "punct", "reparandum", "root", "vocative",
    "xcomp"})
#: the enhanced graph adds ``ref`` (u/overview/enhanced-syntax.html)
UEDEPREL = UDEPREL | {"ref"}

#: test id -> (level, what it checks, lancang's own id rather than the validator's)
RULES: dict[str, tuple[int, str, bool]] = {
    "utf8-invalid": (1, "the file is UTF-8", True),
    "line-too-long": (1, "a line is at most lancang's line bound (256 MiB)", True),
    "non-unix-newline": (1, "lines end with LF only, not CR LF", False),
    "invalid-line": (1, "a line is empty, a comment (#) or a token line (starts with a digit); a BOM is not", False),
    "pseudo-empty-line": (1, "an empty-looking line holds no whitespace", False),
    "extra-empty-line": (1, "exactly one empty line after every sentence, none before the first", False),
    "missing-empty-line": (1, "the last sentence is followed by an empty line (the file ends with LF LF)", False),
    "misplaced-comment": (1, "comment lines come before the token lines of a sentence, never alone", False),
    "unicode-normalization": (1, "every line is in Unicode NFC", False),
    "number-of-columns": (1, "a token line has 10 tab-separated columns", False),
    "empty-column": (1, "no column is empty", False),
    "leading-whitespace": (1, "no column starts with whitespace", False),
    "trailing-whitespace": (1, "no column ends with whitespace", False),
    "repeated-whitespace": (1, "no column holds two whitespace characters in a row", False),
    "invalid-whitespace": (1, "only FORM, LEMMA and MISC may hold whitespace", False),
    "invalid-whitespace-mwt": (1, "the FORM and LEMMA of a multiword token hold no whitespace", False),
    "invalid-word-id": (1, "ID is a word number, a range 1-2 or an empty node 1.1", False),
    "word-id-sequence": (1, "word IDs run 1, 2, 3 ... without gaps", False),
    "misplaced-word-interval": (1, "a multiword range comes right before its first word", False),
    "reversed-word-interval": (1, "a multiword range a-b has a < b", False),
    "invalid-word-interval": (1, "a multiword range spans at least two words", False),
    "word-interval-out": (1, "a multiword range ends at a word of the sentence", False),
    "overlapping-word-intervals": (1, "multiword ranges do not overlap", False),
    "misplaced-empty-node": (1, "empty node i.j follows word i, j runs 1, 2 ...", False),
    "mwt-nonempty-field": (2, "a multiword token has _ in LEMMA..DEPS; an empty node _ in HEAD and DEPREL", False),
    "unknown-upos": (2, "UPOS is one of the 17 universal tags", False),
    "invalid-feature": (2, "a feature is Name=Value, Name [A-Z][A-Za-z0-9]* with an optional [layer]", False),
    "invalid-feature-value": (2, "a feature value is [A-Z0-9][A-Za-z0-9]*", False),
    "unsorted-features": (2, "features are sorted case-insensitively", False),
    "repeated-feature": (2, "a feature appears once", False),
    "unsorted-feature-values": (2, "several values of one feature are sorted", False),
    "repeated-feature-value": (2, "a value appears once in a feature", False),
    "invalid-head": (2, "HEAD is 0 or a word number", False),
    "unknown-head": (2, "HEAD names a word of the sentence", False),
    "invalid-deprel": (2, "DEPREL is [a-z]+(:[a-z]+)?", False),
    "unknown-deprel": (2, "the universal part of DEPREL is one of the 37 universal relations", False),
    "invalid-deps": (2, "DEPS is _ or head:deprel pairs joined by |", False),
    "unknown-edeprel": (2, "the universal part of an enhanced relation is universal (or ref)", False),
    "unknown-ehead": (2, "a DEPS head is 0, a word or an empty node of the sentence", False),
    "unsorted-deps": (2, "DEPS pairs are sorted by head (then relation) and not repeated", False),
    "deps-self-loop": (2, "a node is not its own enhanced head", False),
    "repeated-misc": (2, "a MISC attribute appears once", False),
    "head-self-loop": (2, "a word is not its own head", False),
    "multiple-roots": (2, "one word has HEAD 0", False),
    "non-tree": (2, "the basic dependencies form a tree: a root, every word reachable from it, no cycle", False),
    "missing-sent-id": (2, "every sentence has a # sent_id", False),
    "multiple-sent-id": (2, "a sentence has one # sent_id", False),
    "invalid-sent-id": (2, "a sent_id is not empty and holds no whitespace", False),
    "slash-in-sent-id": (2, "a sent_id holds no / (reserved)", False),
    "non-unique-sent-id": (2, "sent_id is unique in the file", False),
    "missing-text": (2, "every sentence has a # text", False),
    "multiple-text": (2, "a sentence has one # text", False),
    "text-trailing-whitespace": (2, "# text does not end with whitespace", False),
    "text-form-mismatch": (2, "# text spells the forms of the surface tokens in order", False),
    "missing-spaceafter": (2, "a token the text joins to the next has SpaceAfter=No", False),
    "text-extra-chars": (2, "# text has nothing after the last form", False),
    "spaceafter-value": (2, "SpaceAfter has the value No", False),
    "spaceafter-mwt-node": (2, "SpaceAfter=No sits on a multiword token, not on its words", False),
    "spaceafter-empty-node": (2, "an empty node has no SpaceAfter", False),
}

_WORD = regex.compile(r"[1-9][0-9]*\Z")
_RANGE = regex.compile(r"([1-9][0-9]*)-([1-9][0-9]*)\Z")
_EMPTY = regex.compile(r"([0-9]+)\.([1-9][0-9]*)\Z")
_HEAD = regex.compile(r"(0|[1-9][0-9]*)\Z")
_FEAT_NAME = regex.compile(r"[A-Z][A-Za-z0-9]*(\[[a-z0-9]+\])?\Z")
_FEAT_VALUE = regex.compile(r"[A-Z0-9][A-Za-z0-9]*\Z")
_DEPREL = regex.compile(r"[a-z]+(:[a-z]+)?\Z")
_EDEP = regex.compile(r"(0|[1-9][0-9]*(?:\.[1-9][0-9]*)?):([a-z]+(?::[a-z]+)?"
                      r"(?::[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?:_[\p{Ll}\p{Lm}\p{Lo}\p{M}]+)*)?(?::[a-z]+)?)\Z")
_WS = regex.compile(r"\s")
_WS2 = regex.compile(r"\s\s")
_COLS = ("ID", "FORM", "LEMMA", "UPOS", "XPOS", "FEATS", "HEAD", "DEPREL", "DEPS", "MISC")
#: the most sentences whose ids are remembered for non-unique-sent-id (memory stays bounded)
MAX_IDS = 10_000_000


@dataclass
class _Tok:
    line: int
    cols: list[str]
    kind: str  # word | range | empty
    a: int = 0
    b: int = 0


class _Validator:
    def __init__(self, path: PathLike, max_line_bytes: int):
        self.path = str(path)
        self.max_line_bytes = max_line_bytes
        self.ids: set[str] = set()
        self.crlf_reported = False

    def f(self, rule: str, msg: str, line: int | None, rid: str | None = None, col: int | None = None) -> Finding:
        level = RULES[rule][0]
        return Finding(rule, msg, "error", self.path, line, rid, None, f"level {level}", col)

    # ---------------------------------------------------------------------------- lines
    def lines(self) -> Iterator[tuple[int, str | None, Finding | None]]:
        """(line number, text without its line end or None, finding about the line itself)."""
        with open_input(self.path) as fh:
            n = 0
            while True:
                raw = fh.readline(self.max_line_bytes + 1)
                if not raw:
                    return
                n += 1
                if len(raw) > self.max_line_bytes and not raw.endswith(b"\n"):
                    while raw and not raw.endswith(b"\n"):  # skip the rest of the line, bounded
                        raw = fh.readline(self.max_line_bytes + 1)
                    yield n, None, self.f("line-too-long", f"line longer than {self.max_line_bytes} bytes", n)
                    continue
                if n == 1 and raw.startswith(BOM):
                    yield n, None, self.f("invalid-line", "the file starts with a byte order mark (U+FEFF); "
                                                          "CoNLL-U is UTF-8 without BOM", n)
                    raw = raw[3:]
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    yield n, None, self.f("utf8-invalid", f"invalid UTF-8 at byte {exc.start + 1}", n)
                    continue
                if text.endswith("\r\n") or (text.endswith("\r") and not text.endswith("\n")):
                    if not self.crlf_reported:
                        self.crlf_reported = True
                        yield n, None, self.f("non-unix-newline", "CR LF line end (Windows); only LF is allowed "
                                                                  "(reported once per file)", n)
                    text = text.removesuffix("\n").removesuffix("\r")
                else:
                    text = text.removesuffix("\n")
                yield n, text, None

    def run(self) -> Iterator[Finding]:
        block: list[tuple[int, str]] = []
        last = 0
        for n, text, finding in self.lines():
            last = n
            if finding is not None:
                yield finding
            if text is None:
                continue
            if text.strip() == "":
                if text:
                    yield self.f("pseudo-empty-line", "a line that looks empty holds whitespace", n)
                if block:
                    yield from self.sentence(block)
                    block = []
                else:
                    yield self.f("extra-empty-line", "an empty line where none belongs: one empty line ends a "
                                                     "sentence, none comes before the first", n)
                continue
            if not unicodedata.is_normalized("NFC", text):
                yield self.f("unicode-normalization", "the line is not in Unicode NFC", n)
            block.append((n, text))
        if block:
            yield self.f("missing-empty-line", "the last sentence is not followed by an empty line", last)
            yield from self.sentence(block)

    # ---------------------------------------------------------------------------- sentence
    def sentence(self, block: list[tuple[int, str]]) -> Iterator[Finding]:
        comments: list[tuple[int, str]] = []
        toks: list[_Tok] = []
        ok = True  # the backbone holds: higher checks may run
        for n, text in block:
            if text.startswith("#"):
                if toks:
                    yield self.f("misplaced-comment", "a comment line after the token lines of the sentence", n)
                else:
                    comments.append((n, text))
                continue
            if not text[:1].isdigit():
                yield self.f("invalid-line", f"not a comment, token or empty line: {text[:40]!r}", n)
                ok = False
                continue
            tok = yield from self.token_line(n, text)
            if tok is None:
                ok = False
            else:
                toks.append(tok)
        rid = self.sent_id(comments, block[0][0])
        findings = list(self._meta(comments, block[0][0]))
        if not toks:
            yield self.f("misplaced-comment", "comment lines without a sentence after them", block[0][0], rid)
            yield from findings
            return
        seq = list(self.id_sequence(toks, rid))
        yield from seq
        yield from findings
        if not ok or seq:
            return
        yield from self.level2(toks, rid, comments)

    def token_line(self, n: int, text: str) -> Iterator[Finding]:
        cols = text.split("\t")
        if len(cols) != 10:
            yield self.f("number-of-columns", f"{len(cols)} tab-separated columns; a token line has 10", n)
            return None
        bad = False
        tid = cols[0]
        kind = "word" if _WORD.match(tid) else "range" if _RANGE.match(tid) else "empty" if _EMPTY.match(tid) else ""
        for i, c in enumerate(cols):
            name = _COLS[i]
            if c == "":
                yield self.f("empty-column", f"column {name} is empty (write _ for no value)", n, col=i + 1)
                bad = True
                continue
            if c[0].isspace():
                yield self.f("leading-whitespace", f"column {name} starts with whitespace", n, col=i + 1)
                bad = True
            if c[-1].isspace():
                yield self.f("trailing-whitespace", f"column {name} ends with whitespace", n, col=i + 1)
                bad = True
            if _WS2.search(c):
                yield self.f("repeated-whitespace", f"column {name} holds two whitespace characters in a row", n,
                             col=i + 1)
                bad = True
            if _WS.search(c):
                if name in ("FORM", "LEMMA") and kind == "range":
                    yield self.f("invalid-whitespace-mwt", f"whitespace in the {name} of a multiword token", n,
                                 col=i + 1)
                    bad = True
                elif name not in ("FORM", "LEMMA", "MISC"):
                    yield self.f("invalid-whitespace", f"whitespace in column {name}: {c[:40]!r}", n, col=i + 1)
                    bad = True
        if not kind:
            yield self.f("invalid-word-id", f"ID {tid[:40]!r} is not a word number, a range 1-2 or an empty node 1.1",
                         n, col=1)
            return None
        if bad:
            return None
        m = (_WORD.match(tid) if kind == "word" else _RANGE.match(tid) if kind == "range" else _EMPTY.match(tid))
        assert m is not None
        a = int(m.group(1)) if kind != "word" else int(tid)
        b = int(m.group(2)) if kind != "word" else 0
        return _Tok(n, cols, kind, a, b)

    def id_sequence(self, toks: list[_Tok], rid: str | None) -> Iterator[Finding]:
        words = 0
        empties = 0
        pending: _Tok | None = None  # a range waiting for its first word
        last_end = 0
        nwords = sum(1 for t in toks if t.kind == "word")
        for t in toks:
            if t.kind == "word":
                if t.a != words + 1:
                    yield self.f("word-id-sequence", f"word ID {t.a} out of sequence (expected {words + 1})",
                                 t.line, rid, 1)
                    return
                words, empties, pending = t.a, 0, None
            elif t.kind == "range":
                if t.a > t.b:
                    yield self.f("reversed-word-interval", f"multiword range {t.a}-{t.b} ends before it starts",
                                 t.line, rid, 1)
                    return
                if t.a == t.b:
                    yield self.f("invalid-word-interval", f"multiword range {t.a}-{t.b} spans one word", t.line,
                                 rid, 1)
                    return
                if pending is not None or t.a != words + 1:
                    msg = f"multiword range {t.a}-{t.b} is not right before word {t.a} (the next word is {words + 1})"
                    yield self.f("misplaced-word-interval", msg, t.line, rid, 1)
                    return
                if t.a <= last_end:
                    yield self.f("overlapping-word-intervals", f"multiword range {t.a}-{t.b} overlaps the one "
                                                               f"ending at {last_end}", t.line, rid, 1)
                    return
                if t.b > nwords:
                    yield self.f("word-interval-out", f"multiword range {t.a}-{t.b} goes past the last word "
                                                      f"({nwords})", t.line, rid, 1)
                    return
                pending, last_end = t, t.b
            else:
                if t.a != words or t.b != empties + 1:
                    yield self.f("misplaced-empty-node", f"empty node {t.cols[0]} here; expected "
                                                         f"{words}.{empties + 1}", t.line, rid, 1)
                    return
                empties += 1
        if pending is not None:
            yield self.f("word-interval-out", f"multiword range {pending.a}-{pending.b} has no words after it",
                         pending.line, rid, 1)

    # ---------------------------------------------------------------------------- metadata
    def sent_id(self, comments: list[tuple[int, str]], first: int) -> str | None:
        for _n, c in comments:
            kv = parse_comment(c)
            if kv and kv[0] == "sent_id":
                return kv[1]
        return None

    def _meta(self, comments: list[tuple[int, str]], first: int) -> Iterator[Finding]:
        ids = [(n, kv[1]) for n, c in comments if (kv := parse_comment(c)) and kv[0] == "sent_id"]
        texts = [(n, kv[1]) for n, c in comments if (kv := parse_comment(c)) and kv[0] == "text"]
        rid = ids[0][1] if ids else None
        if not ids:
            yield self.f("missing-sent-id", "the sentence has no # sent_id", first)
        elif len(ids) > 1:
            yield self.f("multiple-sent-id", f"{len(ids)} # sent_id lines", ids[1][0], rid)
        if ids:
            n, sid = ids[0]
            if not sid or _WS.search(sid):
                yield self.f("invalid-sent-id", f"sent_id {sid!r} is empty or holds whitespace", n, rid)
            elif "/" in sid:
                yield self.f("slash-in-sent-id", f"sent_id {sid!r} holds '/' (reserved)", n, rid)
            if sid in self.ids:
                yield self.f("non-unique-sent-id", f"sent_id {sid!r} was used before in this file", n, rid)
            elif len(self.ids) < MAX_IDS:
                self.ids.add(sid)
        if not texts:
            yield self.f("missing-text", "the sentence has no # text", first, rid)
        elif len(texts) > 1:
            yield self.f("multiple-text", f"{len(texts)} # text lines", texts[1][0], rid)
        elif texts[0][1] != texts[0][1].rstrip():
            yield self.f("text-trailing-whitespace", "# text ends with whitespace", texts[0][0], rid)

    # ---------------------------------------------------------------------------- level 2
    def level2(self, toks: list[_Tok], rid: str | None, comments: list[tuple[int, str]]) -> Iterator[Finding]:
        words = [t for t in toks if t.kind == "word"]
        empty_ids = {t.cols[0] for t in toks if t.kind == "empty"}
        heads: dict[int, int] = {}
        refs_ok = True
        for t in toks:
            c, n = t.cols, t.line
            if t.kind == "range":
                for i in range(2, 9):
                    if c[i] != "_":
                        yield self.f("mwt-nonempty-field", f"a multiword token has {_COLS[i]} {c[i][:40]!r}; "
                                                           "only _ is allowed", n, rid, i + 1)
                yield from self.misc(t, rid)
                continue
            if t.kind == "empty":
                for i in (6, 7):
                    if c[i] != "_":
                        yield self.f("mwt-nonempty-field", f"an empty node has {_COLS[i]} {c[i][:40]!r}; "
                                                           "only _ is allowed", n, rid, i + 1)
            if not (t.kind == "empty" and c[3] == "_") and c[3] not in UPOS:
                yield self.f("unknown-upos", f"UPOS {c[3][:40]!r} is not one of the 17 universal tags", n, rid, 4)
            yield from self.feats(c[5], n, rid)
            if t.kind == "word":
                if not _DEPREL.match(c[7]):
                    yield self.f("invalid-deprel", f"DEPREL {c[7][:40]!r} is not [a-z]+(:[a-z]+)?", n, rid, 8)
                elif c[7].split(":")[0] not in UDEPREL:
                    yield self.f("unknown-deprel", f"DEPREL {c[7]!r}: {c[7].split(':')[0]!r} is not a universal "
                                                   "relation", n, rid, 8)
                if not _HEAD.match(c[6]):
                    yield self.f("invalid-head", f"HEAD {c[6][:40]!r} is not 0 or a word number", n, rid, 7)
                    refs_ok = False
                elif int(c[6]) > len(words):
                    yield self.f("unknown-head", f"HEAD {c[6]} is not a word of the sentence ({len(words)} words)",
                                 n, rid, 7)
                    refs_ok = False
                else:
                    heads[t.a] = int(c[6])
            yield from self.deps(t, len(words), empty_ids, rid)
            yield from self.misc(t, rid)
        if refs_ok and words:
            yield from self.tree(words, heads, rid)
        yield from self.text(toks, rid, comments)

    def feats(self, feats: str, n: int, rid: str | None) -> Iterator[Finding]:
        if feats == "_":
            return
        pairs = feats.split("|")
        names: list[str] = []
        for p in pairs:
            name, eq, value = p.partition("=")
            if not eq or not _FEAT_NAME.match(name):
                yield self.f("invalid-feature", f"feature {p[:40]!r} is not Name=Value with Name "
                                                "[A-Z][A-Za-z0-9]*", n, rid, 6)
                return
            vals = value.split(",")
            for v in vals:
                if not _FEAT_VALUE.match(v):
                    yield self.f("invalid-feature-value", f"value {v[:40]!r} of {name} is not [A-Z0-9][A-Za-z0-9]*",
                                 n, rid, 6)
                    return
            if len(set(vals)) != len(vals):
                yield self.f("repeated-feature-value", f"{p!r} repeats a value", n, rid, 6)
            elif vals != sorted(vals, key=str.lower):
                yield self.f("unsorted-feature-values", f"the values of {p!r} are not sorted", n, rid, 6)
            names.append(name)
        if len(set(names)) != len(names):
            yield self.f("repeated-feature", f"FEATS {feats[:80]!r} repeats a feature", n, rid, 6)
        elif [p.lower() for p in pairs] != sorted(p.lower() for p in pairs):
            yield self.f("unsorted-features", f"FEATS {feats[:80]!r} are not sorted (case-insensitively)", n, rid, 6)

    def deps(self, t: _Tok, nwords: int, empty_ids: set[str], rid: str | None) -> Iterator[Finding]:
        deps = t.cols[8]
        if deps == "_":
            return
        parsed: list[tuple[tuple[int, int], str]] = []
        for item in deps.split("|"):
            m = _EDEP.match(item)
            if not m:
                yield self.f("invalid-deps", f"DEPS item {item[:40]!r} is not head:relation", t.line, rid, 9)
                return
            h, rel = m.group(1), m.group(2)
            if rel.split(":")[0] not in UEDEPREL:
                yield self.f("unknown-edeprel", f"enhanced relation {rel!r}: {rel.split(':')[0]!r} is not universal",
                             t.line, rid, 9)
            if "." in h:
                known = h in empty_ids
            else:
                known = int(h) <= nwords
            if not known:
                yield self.f("unknown-ehead", f"DEPS head {h} is not a node of the sentence", t.line, rid, 9)
            if h == t.cols[0]:
                yield self.f("deps-self-loop", f"node {h} is its own enhanced head", t.line, rid, 9)
            a, _, b = h.partition(".")
            parsed.append(((int(a), int(b or 0)), rel))
        if parsed != sorted(parsed) or len(set(parsed)) != len(parsed):
            yield self.f("unsorted-deps", f"DEPS {deps[:80]!r} are not sorted by head and relation, or repeat one",
                         t.line, rid, 9)

    def misc(self, t: _Tok, rid: str | None) -> Iterator[Finding]:
        misc = t.cols[9]
        if misc == "_":
            return
        keys: set[str] = set()
        for item in misc.split("|"):
            key, eq, value = item.partition("=")
            if eq and key in keys:
                yield self.f("repeated-misc", f"MISC attribute {key!r} appears twice", t.line, rid, 10)
            keys.add(key)
            if key == "SpaceAfter" and eq:
                if value != "No":
                    yield self.f("spaceafter-value", f"SpaceAfter={value[:20]}; the only value is No", t.line, rid, 10)
                elif t.kind == "empty":
                    yield self.f("spaceafter-empty-node", "an empty node has SpaceAfter=No", t.line, rid, 10)

    def tree(self, words: list[_Tok], heads: dict[int, int], rid: str | None) -> Iterator[Finding]:
        line = {t.a: t.line for t in words}
        bad = False
        for w, h in heads.items():
            if w == h:
                yield self.f("head-self-loop", f"word {w} is its own head", line[w], rid, 7)
                bad = True
        roots = [w for w, h in heads.items() if h == 0]
        if len(roots) > 1:
            yield self.f("multiple-roots", f"{len(roots)} words have HEAD 0: {', '.join(map(str, roots[:10]))}",
                         line[roots[1]], rid, 7)
            bad = True
        if bad:
            return
        children: dict[int, list[int]] = {}
        for w, h in heads.items():
            children.setdefault(h, []).append(w)
        seen: set[int] = set()
        todo = [0]
        while todo:
            for c in children.get(todo.pop(), ()):
                if c not in seen:
                    seen.add(c)
                    todo.append(c)
        unreached = sorted(set(heads) - seen)
        if unreached:
            what = "no word has HEAD 0" if not roots else "a cycle"
            yield self.f("non-tree", f"not a tree ({what}): words {', '.join(map(str, unreached[:10]))} are not "
                                     "reachable from the root", line[unreached[0]], rid, 7)

    def text(self, toks: list[_Tok], rid: str | None, comments: list[tuple[int, str]]) -> Iterator[Finding]:
        texts = [kv[1] for _n, c in comments if (kv := parse_comment(c)) and kv[0] == "text"]
        in_mwt_until = 0
        surface: list[_Tok] = []
        for t in toks:
            if t.kind == "range":
                surface.append(t)
                in_mwt_until = t.b
            elif t.kind == "word":
                if t.a <= in_mwt_until:
                    if "SpaceAfter=No" in t.cols[9].split("|"):
                        yield self.f("spaceafter-mwt-node", f"word {t.a} inside a multiword token has SpaceAfter=No; "
                                                            "put it on the token", t.line, rid, 10)
                else:
                    surface.append(t)
        if len(texts) != 1:
            return
        rest = texts[0]
        for i, t in enumerate(surface):
            form = t.cols[1]
            if not rest.startswith(form):
                yield self.f("text-form-mismatch", f"FORM {form[:40]!r} does not match # text here "
                                                   f"({rest[:40]!r})", t.line, rid, 2)
                return
            rest = rest[len(form):]
            if "SpaceAfter=No" in t.cols[9].split("|"):
                continue
            if i < len(surface) - 1 and rest[:1] and not rest[:1].isspace():
                yield self.f("missing-spaceafter", f"FORM {form[:40]!r} is followed by {rest[:1]!r} in # text "
                                                   "without a space: it needs SpaceAfter=No", t.line, rid, 10)
            rest = rest.lstrip()
        if rest:
            yield self.f("text-extra-chars", f"# text goes on after the last form: {rest[:40]!r}", surface[-1].line
                         if surface else None, rid)


def validate(path: PathLike, max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[Finding]:
    """Findings of the CoNLL-U level 1-2 checks on ``path`` (streamed; each finding's ``rule`` is the
    UD validator's test id, see :data:`RULES`)."""
    return _Validator(path, max_line_bytes).run()


def summary(findings: Any) -> dict[str, int]:
    """Count of findings per test id."""
    out: dict[str, int] = {}
    for f in findings:
        out[f.rule] = out.get(f.rule, 0) + 1
    return out


__all__ = ["RULES", "UDEPREL", "UPOS", "validate"]
