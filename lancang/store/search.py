"""The bilingual concordance (KWIC): which sides hold a query, where, and what the other sides say there.

The index narrows (:mod:`lancang.store.terms`: a side must hold every term of the query for its kind);
the hit itself is decided here, on the side's text, the same way whatever the backend:

* a plain query matches case-insensitively; the words of the query (split on spaces) follow each other
  with any amount of white space between them (none needed in a language written without spaces);
  on a ``tokens`` side a hit starts at a token's start and ends at a token's end, on a ``words`` side
  it starts and ends at word boundaries, on a ``chars`` side it may be any substring;
* with ``regex`` the query is a regular expression (the ``regex`` module's syntax, case-sensitive
  unless it says ``(?i)``), matched with a time limit; its literal text narrows the candidates where
  it can (:func:`regex_plan`), else the sides are scanned up to ``scan_limit``.

A hit is kept when it lies inside an entity of ``label`` (if given) and, with ``min_bead_score``, when
the sentence bead holding it has a score of at least that much. Each hit carries its left and right
context, its record id, and the aligned text of every other side (or of the sides in ``tgt``): the
sentences that the record's sentence beads join to the hit's sentence(s), else the whole side.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import regex

from ..corpora.langs import tag_matches, unspaced
from ..errors import UsageError
from .terms import KINDS, pieces, query_terms

try:  # Python's own regular expression parser (3.11 moved it)
    from re import _constants as sre_constants  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]


@dataclass
class Query:
    """What to look for (see the module's text)."""
    text: str
    side: str | None = None
    tgt: str | None = None
    regex: bool = False
    label: str | None = None
    min_bead_score: float | None = None
    corpora: list[str] | None = None
    viewer: str | None = None
    everything: bool = False
    page: int = 1
    page_size: int = 20
    context: int = 40
    scan_limit: int = 100_000
    timeout: float = 2.0


@dataclass
class Aligned:
    lang: str
    text: str
    sentences: list[int] | None = None
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"lang": self.lang, "text": self.text, "sentences": self.sentences, "score": self.score}


@dataclass
class Hit:
    corpus: str
    record: str
    position: int
    side: str
    start: int
    end: int
    left: str
    match: str
    right: str
    aligned: list[Aligned] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"corpus": self.corpus, "record": self.record, "position": self.position, "side": self.side,
                "start": self.start, "end": self.end, "left": self.left, "hit": self.match, "right": self.right,
                "aligned": [a.to_dict() for a in self.aligned]}


@dataclass
class SearchPage:
    query: Query
    hits: list[Hit]
    more: bool
    scanned: int
    truncated: bool

    def to_dict(self) -> dict[str, Any]:
        q = self.query
        return {"query": q.text, "regex": q.regex, "side": q.side, "tgt": q.tgt, "label": q.label,
                "min_bead_score": q.min_bead_score, "page": q.page, "page_size": q.page_size,
                "hits": [h.to_dict() for h in self.hits], "more": self.more, "candidates": self.scanned,
                "truncated": self.truncated}


# ---------------------------------------------------------------------------- regex literals
def _literal_runs(items: Any) -> list[str]:
    """Literal strings every match of a parsed regex sequence contains (its top-level literal runs);
    anything optional or alternative breaks a run and adds nothing."""
    runs, cur = [], ""
    for op, arg in items:
        if op is sre_constants.LITERAL:
            cur += chr(arg)
            continue
        if cur:
            runs.append(cur)
        cur = ""
        if op is sre_constants.SUBPATTERN:
            runs.extend(_literal_runs(arg[-1]))
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and arg[0] >= 1:
            runs.extend(_literal_runs(arg[2]))
    if cur:
        runs.append(cur)
    return runs


def regex_literals(pattern: str) -> list[str]:
    """The literal text a regular expression's every match must contain (empty when it has none, in
    verbose mode, or when Python's parser does not read it, e.g. ``\\p{Han}``). Index terms are case-folded,
    so a literal narrows a case-insensitive pattern too."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, OverflowError, RecursionError):
        return []
    if parsed.state.flags & re.VERBOSE:
        return []
    return [r for r in _literal_runs(list(parsed)) if r.strip()]


_WORDCH = regex.compile(r"[\p{L}\p{N}\p{M}]")


def regex_plan(pattern: str) -> dict[str, list[str] | None]:
    """Index terms per side kind for a regular expression: on ``chars`` sides the n-grams of its literals;
    on ``words`` and ``tokens`` sides the literal words that the literal itself bounds on both sides by
    a non-word character (a partial word narrows nothing there); None = scan."""
    lits = regex_literals(pattern)
    plan: dict[str, list[str] | None] = {}
    chars = [t for lit in lits for t in query_terms("chars", lit)]
    plan["chars"] = list(dict.fromkeys(chars)) or None
    whole: list[str] = []
    for lit in lits:
        for m in regex.finditer(r"[\p{L}\p{N}\p{M}]+", lit):
            if m.start() > 0 and m.end() < len(lit):
                whole.extend(pieces(m.group()))
    words = list(dict.fromkeys(whole)) or None
    plan["words"] = words
    plan["tokens"] = words
    return plan


# ---------------------------------------------------------------------------- matching
class Matcher:
    """Finds the hits of a query in a side's text."""

    def __init__(self, q: Query):
        self.q = q
        self.words = unicodedata.normalize("NFC", q.text).split()
        if not self.words:
            raise UsageError("the search query is empty")
        self._compiled: dict[bool, Any] = {}
        if q.regex:
            try:
                self._compiled[True] = self._compiled[False] = regex.compile(q.text, regex.V0)
            except (regex.error, OverflowError, RecursionError) as exc:
                raise UsageError(f"the query is not a valid regular expression: {exc}") from None

    def pattern(self, unspaced_side: bool) -> Any:
        if unspaced_side not in self._compiled:
            sep = r"\s*" if unspaced_side else r"\s+"
            self._compiled[unspaced_side] = regex.compile(sep.join(regex.escape(w) for w in self.words),
                                                          regex.IGNORECASE | regex.V1)
        return self._compiled[unspaced_side]

    def plan(self) -> dict[str, list[str] | None]:
        if self.q.regex:
            return regex_plan(self.q.text)
        return {k: query_terms(k, self.q.text) or None for k in KINDS}

    def spans(self, c: Any) -> list[tuple[int, int]]:
        text = c.text
        pat = self.pattern(unspaced(c.lang, text))
        # only a user's regex needs the time limit (and asking for one costs ~20 us a side, 40 times the
        # match itself): a plain query's pattern is literals joined by \s* or \s+, linear in the text
        matches = pat.finditer(text, timeout=self.q.timeout) if self.q.regex else pat.finditer(text)
        try:
            found = [(m.start(), m.end()) for m in matches if m.end() > m.start()]
        except TimeoutError:
            raise UsageError(f"the regular expression took longer than {self.q.timeout:g} s on record "
                             f"{c.record_id!r} ({c.corpus}); make it more specific") from None
        if self.q.regex or c.kind == "chars":
            return found
        if c.kind == "tokens":
            spans = ((c.record.get("sides") or {}).get(c.lang, {}).get("layers") or {})["tokens"]["spans"]
            starts, ends = {s for s, _ in spans}, {e for _, e in spans}
            return [(s, e) for s, e in found if s in starts and e in ends]
        return [(s, e) for s, e in found
                if (s == 0 or not _WORDCH.match(text, s - 1)) and (e == len(text) or not _WORDCH.match(text, e))]


# ---------------------------------------------------------------------------- record context
def _layer(side: dict[str, Any], name: str) -> Any:
    layers = side.get("layers") or {}
    return layers.get(name) if isinstance(layers, dict) else None


def in_label(side: dict[str, Any], start: int, end: int, label: str) -> bool:
    ents = _layer(side, "entities") or {}
    return any(it.get("label") == label and it.get("start", 0) <= start and end <= it.get("end", -1)
               for it in ents.get("items") or ())


def sentence_indices(side: dict[str, Any], start: int, end: int) -> list[int] | None:
    sents = _layer(side, "sentences")
    if not sents or not sents.get("spans"):
        return None
    out = [i for i, (s, e) in enumerate(sents["spans"]) if s < end and start < e]
    if not out:  # a hit in the white space between sentences belongs to the one before
        out = [max((i for i, (s, _) in enumerate(sents["spans"]) if s <= start), default=0)]
    return out


def aligned_sides(rec: dict[str, Any], lang: str, start: int, end: int, tgt: str | None,
                  min_score: float | None) -> list[Aligned] | None:
    """What the other sides of ``rec`` say where ``lang`` has [start, end); None when ``min_score`` is given
    and no bead holding the hit reaches it."""
    sides = rec.get("sides") or {}
    mine = sentence_indices(sides.get(lang) or {}, start, end)
    out: list[Aligned] = []
    for other, side in sides.items():
        if other == lang or (tgt is not None and not tag_matches(other, [tgt])):
            continue
        text = side.get("text") or ""
        link, flip = None, False
        for lk in rec.get("links") or ():
            if lk.get("kind") == "beads" and (lk.get("src"), lk.get("tgt")) in ((lang, other), (other, lang)):
                link, flip = lk, lk.get("src") != lang
                break
        if link is None or mine is None:
            if min_score is None:
                out.append(Aligned(other, text))
            continue
        mine_key, other_key = ("tgt", "src") if flip else ("src", "tgt")
        beads = [b for b in link.get("beads") or () if set(b.get(mine_key) or ()) & set(mine)]
        scores = [b["score"] for b in beads if isinstance(b.get("score"), (int, float))]
        score = min(scores) if scores and len(scores) == len(beads) else None
        if min_score is not None and (score is None or score < min_score):
            continue
        idx = sorted({i for b in beads for i in b.get(other_key) or ()})
        spans = (_layer(side, "sentences") or {}).get("spans") or []
        parts = [text[spans[i][0]:spans[i][1]] for i in idx if 0 <= i < len(spans)]
        out.append(Aligned(other, " ".join(parts), idx, score))
    if min_score is not None and not out:
        return None
    return out


def _flat(s: str) -> str:
    return " ".join(s.split()) if "\n" in s or "\t" in s or "\r" in s else s


def run_search(store: Any, q: Query) -> SearchPage:
    """One page of hits (see the module's text); ``store`` is a :class:`lancang.store.base.Store`."""
    if q.page < 1 or q.page_size < 1:
        raise UsageError("--page and --page-size start at 1")
    matcher = Matcher(q)
    corpora = store.corpora(viewer=q.viewer, everything=q.everything)
    if q.corpora is not None:
        missing = set(q.corpora) - {c.name for c in corpora}
        if missing:
            raise UsageError(f"{store.url}: no corpus named {', '.join(sorted(missing))}")
        corpora = [c for c in corpora if c.name in q.corpora]
    langs = sorted({x for c in corpora for x in c.languages if q.side is None or tag_matches(x, [q.side])})
    plan = matcher.plan()
    skip, want = (q.page - 1) * q.page_size, q.page_size
    hits: list[Hit] = []
    seen = scanned = 0
    more = truncated = False
    unindexed = any(t is None for t in plan.values())
    wanted = set(langs)  # only the corpora with a side in the query's languages are searched (and probed)
    for c in store.candidates(plan, langs, [x.id for x in corpora if wanted & set(x.languages)]):
        scanned += 1
        if unindexed and scanned > q.scan_limit:
            truncated = True
            break
        for s, e in matcher.spans(c):
            if q.label is not None and not in_label((c.record.get("sides") or {}).get(c.lang) or {}, s, e, q.label):
                continue
            aligned = aligned_sides(c.record, c.lang, s, e, q.tgt, q.min_bead_score)
            if aligned is None:
                continue
            seen += 1
            if seen <= skip:
                continue
            if len(hits) == want:
                more = True
                break
            hits.append(Hit(c.corpus, c.record_id, c.position, c.lang, s, e,
                            _flat(c.text[max(0, s - q.context):s]), _flat(c.text[s:e]),
                            _flat(c.text[e:e + q.context]), aligned))
        if more:
            break
    return SearchPage(q, hits, more, scanned, truncated)


__all__ = ["Aligned", "Hit", "Matcher", "Query", "SearchPage", "aligned_sides", "in_label", "regex_literals",
           "regex_plan", "run_search", "sentence_indices"]
