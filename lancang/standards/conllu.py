"""CoNLL-U levels 1 and 2 as the UD validator defines them, one streaming pass over the file.

Each check is a rule named by the UD validator's test id. Read 2026-12 through the code search in
``UniversalDependencies/tools``: the current package layout ``udtools/src/udtools/level2.py`` (the
udtools package that ../shared/STANDARDS.md cites), the earlier ``validator/src/validator/level1.py``
and ``level2.py``, ``utils.py`` (the validator's regular expressions) and
``validator/docs/checks_table.md``. Where the two layouts differ, the current one wins: the
empty-node test is ``empty-node-nonempty-field``, the unknown universal relations are
``unknown-udeprel`` / ``unknown-eudeprel``, and "DEPREL root iff HEAD 0" (``check_zero_root``:
``0-is-not-root``, ``root-is-not-0``) is level 3, so it stays out, as STANDARDS.md records. Ids the
validator does not have are lancang's and say so in :data:`RULES` (third field True). Level 3 and
above stay out. Levels 1-3 run with ``lang=ud``, so one ``/`` in a ``sent_id`` is allowed.

Sources of the label sets (UD v2 documentation, universaldependencies.org):

* UPOS, the 17 universal tags: ``u/pos/index.html``;
* DEPREL, the 37 universal relations: ``u/dep/index.html``; a DEPREL is a universal relation with
  at most one lowercase subtype, ``[a-z]+(:[a-z]+)?`` (``format.html``); at levels 1-3 only the
  universal part is checked (language-specific subtypes are level 4); enhanced relations add
  ``ref`` (``u/overview/enhanced-syntax.html``) and may carry a preposition/case part in any
  lowercase script;
* FEATS: ``Name=Value[,Value]`` pairs joined by ``|``, sorted case-insensitively, names
  ``[A-Z][A-Za-z0-9]*`` with an optional ``[layer]``, values ``[A-Z0-9][A-Za-z0-9]*``, several
  values of one feature sorted (``format.html``, "Morphological annotation"; ``u/feat/index.html``).

The file is read line by line with a bounded line length; a sentence is held while it is checked
(its lines, never the corpus); sentence ids are remembered to find repeats (at most
:data:`MAX_IDS`).

Several files checked together are one treebank, as the validator's ``validate_files`` has them: one
state runs through the files in order, so ``sent_id`` and ``parallel_id`` are unique across them,
``edeps-only-sometimes`` compares sentences of different files and a ``SpaceAfter=No`` at the end of
one file meets the ``# newdoc`` of the next (:func:`validate_files`).

The validator's level-2 incidents that are warnings, not errors (``check_misc``: ``empty-misc``,
``empty-misc-key``, ``misc-extra-space``, ``misc-attr-typo``; :data:`WARNINGS`), do not change its
verdict; lancang reports them, with severity ``warning``, only when asked (``warnings=True``; ``lancang
check`` asks, and shows them as warnings of the format requirement that do not change its verdict).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import regex

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
    # level 1: the CoNLL-U backbone (validator level1.py and the file reading around it)
    "utf8-invalid": (1, "the file is UTF-8", True),
    "line-too-long": (1, "a line is at most lancang's line bound (256 MiB)", True),
    "non-unix-newline": (1, "lines end with LF only, not CR LF; no CR anywhere", False),
    "invalid-line": (1, "a line is empty, a comment (#) or a token line (starts with a digit); a BOM is not", False),
    "pseudo-empty-line": (1, "an empty-looking line holds no whitespace", False),
    "extra-empty-line": (1, "exactly one empty line after every sentence, none before the first", False),
    "missing-empty-line": (1, "the last sentence is followed by an empty line (the file ends with LF LF)", False),
    "empty-sentence": (1, "a sentence has token lines, not only comments", False),
    "misplaced-comment": (1, "comment lines come before the token lines of a sentence", False),
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
    "misplaced-word-interval": (1, "a multiword range comes before its first word", False),
    "reversed-word-interval": (1, "a multiword range a-b has a <= b", False),
    "word-interval-out": (1, "a multiword range ends at a word of the sentence", False),
    "overlapping-word-intervals": (1, "multiword ranges do not overlap", False),
    "misplaced-empty-node": (1, "empty node i.j follows word i (before a multiword token starting at i+1), j runs "
                                "1, 2 ...", False),
    # level 2: UD format (validator level2.py)
    "mwt-nonempty-field": (2, "a multiword token has _ in LEMMA..DEPS (FEATS may be Typo=Yes)", False),
    "empty-node-nonempty-field": (2, "an empty node has _ in HEAD and DEPREL", False),
    "invalid-deprel": (2, "DEPREL is [a-z]+(:[a-z]+)? (_ on an empty node)", False),
    "unknown-udeprel": (2, "the universal part of DEPREL is one of the 37 universal relations", False),
    "invalid-deps": (2, "DEPS is _ or head:relation pairs joined by |", False),
    "invalid-edeprel": (2, "an enhanced relation is universal[:subtype][:preposition][:case]", False),
    "unknown-eudeprel": (2, "the universal part of an enhanced relation is universal (or ref)", False),
    "invalid-ehead": (2, "a DEPS head is 0, a word number or an empty node ID", False),
    "unknown-ehead": (2, "a DEPS head is 0 or a node of the sentence", False),
    "unknown-upos": (2, "UPOS is one of the 17 universal tags (_ on an empty node)", False),
    "invalid-feature": (2, "a feature is Name=Value[,Value], Name [A-Z][A-Za-z0-9]* with an optional [layer], "
                           "values [A-Z0-9][A-Za-z0-9]*", False),
    "unsorted-features": (2, "features are sorted case-insensitively", False),
    "repeated-feature": (2, "a feature appears once", False),
    "unsorted-feature-values": (2, "several values of one feature are sorted", False),
    "repeated-feature-value": (2, "a value appears once in a feature", False),
    "repeated-misc": (2, "SpaceAfter, Lang, Translit, LTranslit, Gloss, LId, LDeriv and Ref appear once in MISC",
                      False),
    "invalid-head": (2, "HEAD is 0 or a word number", False),
    "unknown-head": (2, "HEAD is 0 or a word of the sentence", False),
    "head-self-loop": (2, "a word is not its own head", False),
    "multiple-roots": (2, "one word has HEAD 0", False),
    "non-tree": (2, "the basic dependencies form a tree: every word reachable from the root 0, no cycle", False),
    "unsorted-deps": (2, "DEPS pairs are sorted by head", False),
    "unsorted-deps-2": (2, "DEPS pairs with the same head are sorted by relation", False),
    "repeated-deps": (2, "a DEPS pair appears once", False),
    "deps-self-loop": (2, "a node is not its own enhanced head", False),
    "unconnected-egraph": (2, "the enhanced graph reaches every node from the root 0", False),
    "edeps-only-sometimes": (2, "enhanced graphs in every sentence of the file or in none", False),
    "missing-sent-id": (2, "every sentence has a # sent_id", False),
    "multiple-sent-id": (2, "a sentence has one # sent_id", False),
    "invalid-sent-id": (2, "a # sent_id line is '# sent_id = ID', the ID without whitespace", False),
    "slash-in-sent-id": (2, "a sent_id holds at most one / (reserved for parallel treebanks)", False),
    "non-unique-sent-id": (2, "sent_id is unique in the file", False),
    "invalid-parallel-id": (2, "a # parallel_id line is '# parallel_id = corpus/sentence[/altNpartN]'", False),
    "multiple-parallel-id": (2, "a sentence has at most one # parallel_id", False),
    "non-unique-parallel-id": (2, "parallel_id is unique in the file", False),
    "parallel-id-alt": (2, "the alt suffixes of one parallel sentence are all there or all absent, counting 1, 2 ...",
                        False),
    "parallel-id-part": (2, "the part suffixes of one parallel sentence are all there or all absent, counting 1, "
                            "2 ...", False),
    "multiple-newdoc": (2, "a sentence has at most one # newdoc", False),
    "multiple-newpar": (2, "a sentence has at most one # newpar", False),
    "spaceafter-newdocpar": (2, "no SpaceAfter=No on the last token before a new document or paragraph", False),
    "missing-text": (2, "every sentence has a # text with a non-space character", False),
    "multiple-text": (2, "a sentence has one # text", False),
    "text-form-mismatch": (2, "# text spells the forms of the surface tokens in order", False),
    "missing-spaceafter": (2, "a token the text joins to the next has SpaceAfter=No", False),
    "text-extra-chars": (2, "# text has nothing after the last form", False),
    "nospaceafter-yes": (2, "SpaceAfter=No, not NoSpaceAfter=Yes", False),
    "spaceafter-value": (2, "SpaceAfter has the value No", False),
    "spaceafter-mwt-node": (2, "SpaceAfter=No sits on a multiword token, not on its words", False),
    "spaceafter-empty-node": (2, "an empty node has no SpaceAfter=No", False),
}
#: the validator's level-2 warnings (udtools level2.py check_misc raises them as Warning, not Error): test id ->
#: (level, what it checks); reported only with ``warnings=True``, never part of the verdict
WARNINGS: dict[str, tuple[int, str]] = {
    "empty-misc": (2, "MISC has no empty attribute between two | (a vertical bar misread as a separator?)"),
    "empty-misc-key": (2, "a MISC attribute has a name before its ="),
    "misc-extra-space": (2, "a MISC attribute's name and value neither start nor end with whitespace"),
    "misc-attr-typo": (2, "SpaceAfter, Lang, Translit, LTranslit, Gloss, LId, LDeriv, Ref are spelt in this case, "
                          "without spaces"),
}

_WORD = regex.compile(r"[1-9][0-9]*\Z")
_RANGE = regex.compile(r"([1-9][0-9]*)-([1-9][0-9]*)\Z")
_EMPTY = regex.compile(r"([0-9]+)\.([1-9][0-9]*)\Z")
_HEAD = regex.compile(r"(0|[1-9][0-9]*)\Z")
#: the kinds of token ID, tried in this order
_ID_KINDS = (("word", _WORD), ("range", _RANGE), ("empty", _EMPTY))
_FEATVAL = regex.compile(r"([A-Z][A-Za-z0-9]*(?:\[[a-z0-9]+\])?)=([A-Z0-9][A-Za-z0-9]*(?:,[A-Z0-9][A-Za-z0-9]*)*)")
_DEPREL = regex.compile(r"[a-z]+(:[a-z]+)?\Z")
_EHEAD = regex.compile(r"(0|[1-9][0-9]*)(\.[1-9][0-9]*)?\Z")
_EDEPREL = regex.compile(r"[a-z]+(:[a-z]+)?(:[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(_[\p{Ll}\p{Lm}\p{Lo}\p{M}]+)*)?(:[a-z]+)?\Z")
#: comment lines as the validator recognises them (its compiled_regex.py, matched on the whole line)
_SENT_ID = regex.compile(r"#\s*sent_id\s*=\s*(\S+)")
_PARALLEL_ID = regex.compile(r"#\s*parallel_id\s*=\s*(([a-z]+)/([-0-9a-z]+)"
                             r"(?:/(alt[1-9][0-9]*|part[1-9][0-9]*|alt[1-9][0-9]*part[1-9][0-9]*))?)")
_ALTPART = regex.compile(r"(?:alt([0-9]+))?(?:part([0-9]+))?")
_TEXT = regex.compile(r"#\s*text\s*=\s*(.*\S)")
#: as the validator has them: "# newdoc id = x" does not match (only "# newdoc" and "# newdoc x"), so
#: multiple-newdoc and spaceafter-newdocpar see only those; lancang keeps the validator's verdict
_NEWDOC = regex.compile(r"#\s*newdoc(?:\s+(\S+))?")
_NEWPAR = regex.compile(r"#\s*newpar(?:\s+(\S+))?")
#: MISC attributes that may appear once (the validator's check_misc)
_MISC_ONCE = frozenset({"SpaceAfter", "Lang", "Translit", "LTranslit", "Gloss", "LId", "LDeriv", "Ref"})
#: a misspelling of one of them (check_misc's misc-attr-typo: other case, spaces around)
_MISC_TYPO = regex.compile(r"\s*(spaceafter|lang|translit|ltranslit|gloss|lid|lderiv|ref)\s*", regex.IGNORECASE)
_WS = regex.compile(r"\s")
_WS2 = regex.compile(r"\s\s")
_NOT_SPACE = regex.compile(r"\S|\Z")
#: whitespace other than the column tabs: regex's \s, and U+001C..U+001F, which str.isspace (the validator's
#: leading-/trailing-whitespace test) counts as whitespace and \s does not
_WS_NOT_TAB = regex.compile(r"[^\S\t]|[\x1c-\x1f]")
_COLS = ("ID", "FORM", "LEMMA", "UPOS", "XPOS", "FEATS", "HEAD", "DEPREL", "DEPS", "MISC")
#: the most sentences whose ids are remembered for non-unique-sent-id (memory stays bounded)
MAX_IDS = 10_000_000


@dataclass(slots=True)
class _Tok:
    line: int
    cols: list[str]
    kind: str  # word | range | empty
    a: int = 0
    b: int = 0


class _Validator:
    """The state of one validation run: a treebank of one or more files, read in turn by :meth:`run`."""

    def __init__(self, max_line_bytes: int, warnings: bool = False):
        self.path = ""
        self.max_line_bytes = max_line_bytes
        self.warnings = warnings
        self.files: list[str] = []
        self.ids: dict[str, int] = {}  # sent_id -> index in self.files of the file it was first seen in
        self.crlf_reported = False
        self.seen_egraph: int | None = None  # first line of a sentence with / without an enhanced graph
        self.seen_no_egraph: int | None = None
        self.spaceafterno = False  # the last token read has SpaceAfter=No
        self.parallel_ids: set[str] = set()
        self.last_alt: dict[str, int | None] = {}  # parallel sentence -> its last alt / part number
        self.last_part: dict[str, int | None] = {}

    def f(self, rule: str, msg: str, line: int | None, rid: str | None = None, col: int | None = None) -> Finding:
        if rule in WARNINGS:
            return Finding(rule, msg, "warning", self.path, line, rid, None, f"level {WARNINGS[rule][0]}", col)
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
                text = text.removesuffix("\n")
                if "\r" in text:
                    # check_newlines: the validator reads with universal newlines and fails a file whose line
                    # terminators are not all LF; a CR anywhere (CR LF, or a lone CR, which it reads as a line end)
                    # is non-unix-newline. The line end's CR is dropped; a lone CR stays in the line.
                    if not self.crlf_reported:
                        self.crlf_reported = True
                        what = "CR LF line end (Windows)" if text.endswith("\r") else "a CR inside the line"
                        yield n, None, self.f("non-unix-newline", f"{what}; only LF ends a line (reported once per "
                                                                  "file)", n)
                    text = text.removesuffix("\r")
                yield n, text, None

    def run(self, path: PathLike) -> Iterator[Finding]:
        """The findings of one file; the treebank state carries over to the next file run."""
        self.path = str(path)
        self.files.append(self.path)
        self.crlf_reported = False
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
            yield from self.sentence(block, eof=True)

    # ---------------------------------------------------------------------------- sentence
    def sentence(self, block: list[tuple[int, str]], eof: bool = False) -> Iterator[Finding]:
        """``eof``: the block ends the file without its empty line (missing-empty-line was reported)."""
        comments: list[tuple[int, str]] = []
        toks: list[_Tok] = []
        ok = True  # the backbone holds: the level-2 checks may run
        seen_token = False
        for n, text in block:
            if text.startswith("#"):
                if seen_token:
                    yield self.f("misplaced-comment", "a comment line after the token lines of the sentence", n)
                    ok = False
                else:
                    comments.append((n, text))
                continue
            seen_token = True
            if not text[:1].isdigit():
                yield self.f("invalid-line", f"not a comment, token or empty line: {text[:40]!r}", n)
                ok = False
                continue
            tok = yield from self.token_line(n, text)
            if tok is None:
                ok = False
            else:
                toks.append(tok)
        rid = next((m.group(1) for _n, c in comments if (m := _SENT_ID.fullmatch(c))), None)
        if not toks and ok:
            # check_sentence_lines reports empty-sentence only for a block that ends with its empty line; comments
            # after the last sentence without one get missing-empty-line alone (misplaced-comment-end)
            if not eof:
                yield self.f("empty-sentence", "comment lines without token lines: a sentence is not empty",
                             block[0][0], rid)
            return
        seq = list(self.id_sequence(toks, rid))
        yield from seq
        if not ok or seq:
            return
        yield from self.level2(toks, rid, comments, block[0][0])

    def token_line(self, n: int, text: str) -> Iterator[Finding]:
        cols = text.split("\t")
        if len(cols) != 10:
            yield self.f("number-of-columns", f"{len(cols)} tab-separated columns; a token line has 10", n)
            return None
        tid = cols[0]
        kind, m = _id_kind(tid)
        # the common line has no whitespace but its tabs and no empty column: nothing to check per column
        clean = "" not in cols and not _WS_NOT_TAB.search(text)
        for i, c in enumerate(() if clean else cols):
            name = _COLS[i]
            if kind == "range" and name in ("FORM", "LEMMA") and _WS.search(c):
                yield self.f("invalid-whitespace-mwt", f"whitespace in the {name} of a multiword token: {c[:40]!r}",
                             n, col=i + 1)
            elif name not in ("FORM", "LEMMA", "MISC") and _WS.search(c):
                yield self.f("invalid-whitespace", f"whitespace in column {name}: {c[:40]!r}", n, col=i + 1)
            elif c == "":
                yield self.f("empty-column", f"column {name} is empty (write _ for no value)", n, col=i + 1)
            else:
                if c[0].isspace():
                    yield self.f("leading-whitespace", f"column {name} starts with whitespace", n, col=i + 1)
                if c[-1].isspace():
                    yield self.f("trailing-whitespace", f"column {name} ends with whitespace", n, col=i + 1)
                if _WS2.search(c):
                    yield self.f("repeated-whitespace", f"column {name} holds two whitespace characters in a row",
                                 n, col=i + 1)
        if m is None:
            yield self.f("invalid-word-id", f"ID {tid[:40]!r} is not a word number, a range 1-2 or an empty node 1.1",
                         n, col=1)
            return None
        a = int(m.group(1)) if kind != "word" else int(tid)
        b = int(m.group(2)) if kind != "word" else 0
        return _Tok(n, cols, kind, a, b)

    def id_sequence(self, toks: list[_Tok], rid: str | None) -> Iterator[Finding]:
        """The validator's check_id_sequence and check_token_ranges (level 1)."""
        words = 0
        empties = 0
        last_range: _Tok | None = None
        covered: set[int] = set()
        nwords = sum(1 for t in toks if t.kind == "word")
        for t in toks:
            if t.kind == "word":
                if t.a != words + 1:
                    yield self.f("word-id-sequence", f"word ID {t.a} out of sequence (expected {words + 1})",
                                 t.line, rid, 1)
                    return
                words, empties = t.a, 0
            elif t.kind == "range":
                empties = 0
                if t.a < words + 1:
                    msg = f"multiword range {t.a}-{t.b} is not before its first word (word {words} came already)"
                    yield self.f("misplaced-word-interval", msg, t.line, rid, 1)
                    return
                if t.b < t.a:
                    yield self.f("reversed-word-interval", f"multiword range {t.a}-{t.b} ends before it starts",
                                 t.line, rid, 1)
                    return
                if t.b > nwords:
                    yield self.f("word-interval-out", f"multiword range {t.a}-{t.b} goes past the last word "
                                                      f"({nwords})", t.line, rid, 1)
                    return
                span = set(range(t.a, t.b + 1))
                if covered & span:
                    yield self.f("overlapping-word-intervals", f"multiword range {t.a}-{t.b} overlaps another",
                                 t.line, rid, 1)
                    return
                covered |= span
                last_range = t
            else:
                if t.a != words or t.b != empties + 1:
                    yield self.f("misplaced-empty-node", f"empty node {t.cols[0]} here; expected "
                                                         f"{words}.{empties + 1}", t.line, rid, 1)
                    return
                if last_range is not None and t.a < last_range.a:
                    yield self.f("misplaced-empty-node", f"empty node {t.cols[0]} comes before multiword token "
                                                         f"{last_range.a}-{last_range.b}", t.line, rid, 1)
                    return
                empties += 1

    # ---------------------------------------------------------------------------- level 2
    def level2(self, toks: list[_Tok], rid: str | None, comments: list[tuple[int, str]],
               first: int) -> Iterator[Finding]:
        nodes = [t for t in toks if t.kind != "range"]
        ids = {t.cols[0] for t in nodes}
        refs_ok = True
        feats_ok = True  # no invalid-feature (the validator's colssafe)
        for t in toks:
            c, n = t.cols, t.line
            if t.kind == "range":
                for i in range(2, 9):
                    if c[i] != "_" and not (i == 5 and c[i] == "Typo=Yes"):
                        yield self.f("mwt-nonempty-field", f"a multiword token has {_COLS[i]} {c[i][:40]!r}; "
                                                           "only _ is allowed", n, rid, i + 1)
                yield from self.misc(t, rid)
                continue
            if t.kind == "empty":
                for i in (6, 7):
                    if c[i] != "_":
                        yield self.f("empty-node-nonempty-field", f"an empty node has {_COLS[i]} {c[i][:40]!r}; "
                                                           "only _ is allowed", n, rid, i + 1)
            if not (_DEPREL.match(c[7]) or (t.kind == "empty" and c[7] == "_")):
                yield self.f("invalid-deprel", f"DEPREL {c[7][:40]!r} is not [a-z]+(:[a-z]+)?", n, rid, 8)
            elif t.kind == "word" and c[7].split(":")[0] not in UDEPREL:
                yield self.f("unknown-udeprel", f"DEPREL {c[7]!r}: {c[7].split(':')[0]!r} is not one of the 37 "
                                               "universal relations", n, rid, 8)
            deps = _deps(c[8])
            if deps is None:
                yield self.f("invalid-deps", f"DEPS {c[8][:40]!r} is not _ or head:relation pairs joined by |",
                             n, rid, 9)
                refs_ok = False
            else:
                for h, rel in deps:
                    if not _EDEPREL.match(rel):
                        yield self.f("invalid-edeprel", f"enhanced relation {rel[:40]!r} is not well formed", n, rid, 9)
                    elif rel.split(":")[0] not in UEDEPREL:
                        yield self.f("unknown-eudeprel", f"enhanced relation {rel!r}: {rel.split(':')[0]!r} is not "
                                                        "universal", n, rid, 9)
                    if not _EHEAD.match(h):
                        yield self.f("invalid-ehead", f"DEPS head {h[:20]!r} is not 0, a word or an empty node ID",
                                     n, rid, 9)
                        refs_ok = False
                    elif h != "0" and h not in ids:
                        yield self.f("unknown-ehead", f"DEPS head {h} is not a node of the sentence", n, rid, 9)
                        refs_ok = False
            if not (t.kind == "empty" and c[3] == "_") and c[3] not in UPOS:
                yield self.f("unknown-upos", f"UPOS {c[3][:40]!r} is not one of the 17 universal tags", n, rid, 4)
            for finding in self.feats(c[5], n, rid):
                feats_ok = feats_ok and finding.rule != "invalid-feature"
                yield finding
            yield from self.misc(t, rid)
            if t.kind == "word":
                if not _HEAD.match(c[6]):
                    yield self.f("invalid-head", f"HEAD {c[6][:40]!r} is not 0 or a word number", n, rid, 7)
                    refs_ok = False
                elif c[6] != "0" and c[6] not in ids:
                    yield self.f("unknown-head", f"HEAD {c[6]} is not a word of the sentence", n, rid, 7)
                    refs_ok = False
        tree_ok = False
        if refs_ok:
            tree_ok = yield from self.tree([t for t in toks if t.kind == "word"], rid)
            for t in nodes:
                yield from self.deps_order(t, rid)
            if tree_ok:
                yield from self.egraph(nodes, rid)
        if tree_ok and feats_ok:
            # edeps-only-sometimes: the validator counts a sentence for or against "enhanced graphs in all
            # sentences or none" only once its HEAD/DEPS references, its tree and its FEATS hold (validate_sentence
            # returns before check_deps_all_or_none otherwise), so an unreadable DEPS is not an enhanced graph that
            # the next sentence is then blamed for lacking (udtools test-cases invalid-level1-2, malformed DEPS)
            yield from self.deps_all_or_none(nodes, rid, first)
        yield from self.sent_id(comments, first, rid)
        yield from self.parallel_id(comments, rid)
        yield from self.text_meta(toks, rid, comments, first)

    def feats(self, feats: str, n: int, rid: str | None) -> Iterator[Finding]:
        if feats == "_":
            return
        pairs = feats.split("|")
        if [p.lower() for p in pairs] != sorted(p.lower() for p in pairs):
            yield self.f("unsorted-features", f"FEATS {feats[:80]!r} are not sorted (case-insensitively)", n, rid, 6)
        names: set[str] = set()
        for p in pairs:
            m = _FEATVAL.fullmatch(p)
            if m is None:
                yield self.f("invalid-feature", f"feature {p[:40]!r} is not Name=Value (Name [A-Z][A-Za-z0-9]* with an "
                                                "optional [layer], values [A-Z0-9][A-Za-z0-9]* joined by commas)",
                             n, rid, 6)
                names.add(p)
                continue
            names.add(m.group(1))
            vals = m.group(2).split(",")
            if len(set(vals)) != len(vals):
                yield self.f("repeated-feature-value", f"{p!r} repeats a value", n, rid, 6)
            if [v.lower() for v in vals] != sorted(v.lower() for v in vals):
                yield self.f("unsorted-feature-values", f"the values of {p!r} are not sorted", n, rid, 6)
        if len(names) != len(pairs):
            yield self.f("repeated-feature", f"FEATS {feats[:80]!r} repeats a feature", n, rid, 6)

    def deps_order(self, t: _Tok, rid: str | None) -> Iterator[Finding]:
        deps = _deps(t.cols[8]) or []
        heads = [_node_key(h) for h, _rel in deps]
        if heads != sorted(heads):
            yield self.f("unsorted-deps", f"DEPS {t.cols[8][:80]!r} are not sorted by head", t.line, rid, 9)
        else:
            for (h0, r0), (h1, r1) in zip(deps, deps[1:]):
                if h0 == h1 and r1 < r0:
                    yield self.f("unsorted-deps-2", f"DEPS to head {h1} are not sorted by relation", t.line, rid, 9)
                elif h0 == h1 and r1 == r0:
                    yield self.f("repeated-deps", f"DEPS repeat {h1}:{r1}", t.line, rid, 9)
        if any(h == t.cols[0] for h, _rel in deps):
            yield self.f("deps-self-loop", f"node {t.cols[0]} is its own enhanced head", t.line, rid, 9)

    def misc(self, t: _Tok, rid: str | None) -> Iterator[Finding]:
        if t.cols[9] == "_":
            return
        seen: set[str] = set()
        for item in t.cols[9].split("|"):
            key, eq, value = item.partition("=")
            if self.warnings:
                yield from self.misc_warnings(t, rid, key, eq, value)
            if key in _MISC_ONCE:
                if key in seen:
                    yield self.f("repeated-misc", f"MISC attribute {key!r} appears twice", t.line, rid, 10)
                seen.add(key)

    def misc_warnings(self, t: _Tok, rid: str | None, key: str, eq: str, value: str) -> Iterator[Finding]:
        """The validator's check_misc warnings on one MISC attribute ``key`` [``=`` ``value``]."""
        if key == "":
            if eq:
                yield self.f("empty-misc-key", f"MISC attribute without a name: '={value[:40]}'", t.line, rid, 10)
            else:
                yield self.f("empty-misc", "empty MISC attribute (a | too many?)", t.line, rid, 10)
        # the validator looks at the name's start, its end, the value's start, its end, and reports the first
        for where, edge in (("name starts", key[:1]), ("name ends", key[-1:]), ("value starts", value[:1]),
                            ("value ends", value[-1:])):
            if edge.isspace():
                yield self.f("misc-extra-space", f"MISC attribute {where} with whitespace: {key[:40]!r}={value[:40]!r}",
                             t.line, rid, 10)
                break
        typo = None if key in _MISC_ONCE else _MISC_TYPO.fullmatch(key)
        if typo is not None:
            meant = next(k for k in _MISC_ONCE if k.lower() == typo.group(1).lower())
            yield self.f("misc-attr-typo", f"MISC attribute {key!r}: a misspelling (case or spaces) of {meant!r}?",
                         t.line, rid, 10)

    def tree(self, words: list[_Tok], rid: str | None) -> Iterator[Finding]:
        children: dict[int, list[int]] = {}
        for t in words:
            h = int(t.cols[6])
            if h == t.a:
                yield self.f("head-self-loop", f"word {t.a} is its own head", t.line, rid, 7)
                return False
            children.setdefault(h, []).append(t.a)
        roots = children.get(0, [])
        if len(roots) > 1:
            line = next(t.line for t in words if t.a == roots[1])
            yield self.f("multiple-roots", f"{len(roots)} words have HEAD 0: {', '.join(map(str, roots[:10]))}",
                         line, rid, 7)
            return False
        seen = _reachable(children, 0)
        unreached = [t for t in words if t.a not in seen]
        if unreached:
            what = "no word has HEAD 0" if not roots else "a cycle"
            yield self.f("non-tree", f"not a tree ({what}): words {', '.join(str(t.a) for t in unreached[:10])} are "
                                     "not reachable from the root", unreached[0].line, rid, 7)
            return False
        return True

    def egraph(self, nodes: list[_Tok], rid: str | None) -> Iterator[Finding]:
        children: dict[str, list[str]] = {}
        exists = False
        for t in nodes:
            deps = _deps(t.cols[8]) or []
            if t.kind == "empty" or deps:
                exists = True
            for h, _rel in deps:
                children.setdefault(h, []).append(t.cols[0])
        if not exists:
            return
        seen = _reachable(children, "0")
        unreached = [t for t in nodes if t.cols[0] not in seen]
        if unreached:
            yield self.f("unconnected-egraph", f"the enhanced graph is not connected: nodes "
                                               f"{', '.join(t.cols[0] for t in unreached[:10])} are not reachable "
                                               "from a root", unreached[0].line, rid, 9)

    def deps_all_or_none(self, nodes: list[_Tok], rid: str | None, first: int) -> Iterator[Finding]:
        has = any(t.kind == "empty" or t.cols[8] != "_" for t in nodes)
        if has and self.seen_egraph is None:
            self.seen_egraph = first
            if self.seen_no_egraph is not None:
                yield self.f("edeps-only-sometimes", "this sentence has an enhanced graph; the one on line "
                                                     f"{self.seen_no_egraph} has none (all or none)", first, rid)
        elif not has and self.seen_no_egraph is None:
            self.seen_no_egraph = first
            if self.seen_egraph is not None:
                yield self.f("edeps-only-sometimes", "this sentence has no enhanced graph; the one on line "
                                                     f"{self.seen_egraph} has one (all or none)", first, rid)

    # ---------------------------------------------------------------------------- metadata
    def sent_id(self, comments: list[tuple[int, str]], first: int, rid: str | None) -> Iterator[Finding]:
        matched = []
        for n, c in comments:
            m = _SENT_ID.fullmatch(c)
            if m:
                matched.append((n, m.group(1)))
            elif c.startswith(("# sent_id", "#sent_id")):
                yield self.f("invalid-sent-id", f"{c[:60]!r} is not '# sent_id = ID' with an ID without whitespace",
                             n, rid)
        if not matched:
            yield self.f("missing-sent-id", "the sentence has no # sent_id", first)
        elif len(matched) > 1:
            yield self.f("multiple-sent-id", f"{len(matched)} # sent_id lines", matched[1][0], rid)
        else:
            n, sid = matched[0]
            seen = self.ids.get(sid)
            if seen is not None:
                where = "in this file" if seen == len(self.files) - 1 else f"in {self.files[seen]}"
                yield self.f("non-unique-sent-id", f"sent_id {sid!r} was used before {where}", n, rid)
            if sid.count("/") > 1:  # one slash is allowed at levels 1-3 (lang ud): parallel treebanks use it
                yield self.f("slash-in-sent-id", f"sent_id {sid!r} holds more than one '/' (reserved)", n, rid)
            if seen is None and len(self.ids) < MAX_IDS:
                self.ids[sid] = len(self.files) - 1

    def parallel_id(self, comments: list[tuple[int, str]], rid: str | None) -> Iterator[Finding]:
        matched = []
        for n, c in comments:
            m = _PARALLEL_ID.fullmatch(c)
            if m:
                matched.append((n, m))
            elif c.startswith(("# parallel_id", "#parallel_id")):
                yield self.f("invalid-parallel-id", f"{c[:60]!r} is not '# parallel_id = corpus/sentence[/altNpartN]'",
                             n, rid)
        if len(matched) > 1:
            yield self.f("multiple-parallel-id", f"{len(matched)} # parallel_id lines", matched[1][0], rid)
            return
        if not matched:
            return
        n, m = matched[0]
        pid = m.group(1)
        if pid in self.parallel_ids:
            yield self.f("non-unique-parallel-id", f"parallel_id {pid!r} was used before in this file", n, rid)
            return
        if len(self.parallel_ids) < MAX_IDS:
            self.parallel_ids.add(pid)
        sid = f"{m.group(2)}/{m.group(3)}"
        ap = _ALTPART.fullmatch(m.group(4) or "")
        alt = int(ap.group(1)) if ap and ap.group(1) else None
        part = int(ap.group(2)) if ap and ap.group(2) else None
        for rule, num, last in (("parallel-id-alt", alt, self.last_alt), ("parallel-id-part", part, self.last_part)):
            what = rule.rsplit("-", 1)[1]
            if sid in last:
                prev = last[sid]
                if (prev is None) != (num is None):
                    yield self.f(rule, f"some instances of parallel sentence {sid!r} have the {what} suffix, others "
                                       "do not", n, rid)
                elif num is not None and prev is not None and num != prev + 1:
                    yield self.f(rule, f"the {what} suffix of {sid!r} is {num}; expected {prev + 1}", n, rid)
            elif num is not None and num != 1:
                yield self.f(rule, f"the first {what} suffix of {sid!r} is {num}; expected 1", n, rid)
            last[sid] = num

    def text_meta(self, toks: list[_Tok], rid: str | None, comments: list[tuple[int, str]],
                  first: int) -> Iterator[Finding]:
        newdoc = [n for n, c in comments if _NEWDOC.fullmatch(c)]
        newpar = [n for n, c in comments if _NEWPAR.fullmatch(c)]
        texts = [(n, m.group(1)) for n, c in comments if (m := _TEXT.fullmatch(c))]
        if len(newdoc) > 1:
            yield self.f("multiple-newdoc", f"{len(newdoc)} # newdoc lines", newdoc[1], rid)
        if len(newpar) > 1:
            yield self.f("multiple-newpar", f"{len(newpar)} # newpar lines", newpar[1], rid)
        if (newdoc or newpar) and self.spaceafterno:
            yield self.f("spaceafter-newdocpar", "a new document or paragraph starts but the last token before it "
                                                 "has SpaceAfter=No", (newdoc or newpar)[0], rid)
        if not texts:
            yield self.f("missing-text", "the sentence has no # text (with at least one non-space character)",
                         first, rid)
            return
        if len(texts) > 1:
            yield self.f("multiple-text", f"{len(texts)} # text lines", texts[1][0], rid)
            return
        text = texts[0][1]
        pos = 0  # the text not yet matched is text[pos:] (an index: slicing would copy, quadratic)
        skip: set[int] = set()
        mismatch = False
        for t in toks:
            misc = t.cols[9]
            if "NoSpaceAfter=Yes" in misc:
                yield self.f("nospaceafter-yes", "NoSpaceAfter=Yes: write SpaceAfter=No", t.line, rid, 10)
            if any(x.startswith("SpaceAfter=") and x != "SpaceAfter=No" for x in misc.split("|")):
                yield self.f("spaceafter-value", "SpaceAfter has a value other than No", t.line, rid, 10)
            if t.kind == "empty":
                if "SpaceAfter=No" in misc:
                    yield self.f("spaceafter-empty-node", "an empty node has SpaceAfter=No", t.line, rid, 10)
                continue
            if t.kind == "range":
                skip.update(range(t.a, t.b + 1))
            elif t.a in skip:
                if "SpaceAfter=No" in misc:
                    yield self.f("spaceafter-mwt-node", f"word {t.a} of a multiword token has SpaceAfter=No; put it "
                                                        "on the token", t.line, rid, 10)
                continue
            form = t.cols[1]
            if not text.startswith(form, pos):
                if not mismatch:
                    yield self.f("text-form-mismatch", f"FORM {form[:40]!r} does not match # text here "
                                                       f"({text[pos:pos + 40]!r})", t.line, rid, 2)
                    mismatch = True
                continue
            pos += len(form)
            if "SpaceAfter=No" in misc.split("|"):
                self.spaceafterno = True
            else:
                self.spaceafterno = False
                if pos < len(text) and not text[pos].isspace():
                    yield self.f("missing-spaceafter", f"FORM {form[:40]!r} is followed by {text[pos]!r} in # text "
                                                       "without a space: it needs SpaceAfter=No", t.line, rid, 10)
                pos = _NOT_SPACE.search(text, pos).start()  # type: ignore[union-attr]
        if pos < len(text):
            yield self.f("text-extra-chars", f"# text goes on after the last form: {text[pos:pos + 40]!r}", first,
                         rid)


def _deps(deps: str) -> list[tuple[str, str]] | None:
    """DEPS as (head, relation) pairs; None when it cannot be parsed."""
    if deps == "_":
        return []
    out = []
    for item in deps.split("|"):
        h, colon, rel = item.partition(":")
        if not colon:
            return None
        out.append((h, rel))
    return out


def _id_kind(tid: str) -> tuple[str, Any]:
    """(word | range | empty, the match) of a token ID; ("", None) when it is none of them."""
    for kind, pat in _ID_KINDS:
        m = pat.match(tid)
        if m is not None:
            return kind, m
    return "", None


def _reachable(children: dict[Any, list[Any]], root: Any) -> set[Any]:
    """The nodes reachable from ``root`` (not itself, unless on a cycle) through ``children``."""
    seen: set[Any] = set()
    todo = [root]
    while todo:
        for ch in children.get(todo.pop(), ()):
            if ch not in seen:
                seen.add(ch)
                todo.append(ch)
    return seen


def _node_key(node_id: str) -> tuple[int, int]:
    a, _, b = node_id.partition(".")
    return (int(a), int(b or 0)) if a.isdigit() and (not b or b.isdigit()) else (-1, -1)


def validate(path: PathLike, max_line_bytes: int = MAX_LINE_BYTES, warnings: bool = False) -> Iterator[Finding]:
    """Findings of the CoNLL-U level 1-2 checks on ``path`` (streamed; each finding's ``rule`` is the
    UD validator's test id, see :data:`RULES`; with ``warnings`` also the validator's level-2 warnings,
    :data:`WARNINGS`, as findings of severity ``warning``)."""
    return validate_files([path], max_line_bytes, warnings)


def validate_files(paths: Iterable[PathLike], max_line_bytes: int = MAX_LINE_BYTES,
                   warnings: bool = False) -> Iterator[Finding]:
    """:func:`validate` on the files of one treebank in turn, with one state, as the validator's
    ``validate_files`` (``validate.py a.conllu b.conllu``): a ``sent_id`` or ``parallel_id`` of one
    file repeated in another is ``non-unique-sent-id`` / ``non-unique-parallel-id`` there."""
    v = _Validator(max_line_bytes, warnings)
    for path in paths:
        yield from v.run(path)


__all__ = ["RULES", "UDEPREL", "UPOS", "WARNINGS", "validate", "validate_files"]
