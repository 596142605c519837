"""A lexicon derived from a gold-segmented corpus, so a segmenter follows that corpus's standard.

Segmentation standards disagree (GB/T 13715 vs a treebank's guideline vs a client's; whether
Vietnamese ``đại học`` is one word; how Thai compounds are cut). ``lancang train lexicon`` reads a
gold corpus and counts, for every string, how often the gold writes it as **one word** and how
often as **several consecutive words** (an n-gram of up to ``max_ngram`` words). Applied to a
segmenter's output, the lexicon

* **joins** consecutive tokens whose text is a word the gold keeps whole more often than it splits;
* **splits** a token whose text the gold splits more often than it keeps whole, into the gold's
  most frequent pieces.

With ``lexicon_native: true``, segmenters with a dictionary of their own also receive the words
(jieba ``add_word`` and ``suggest_freq``; the newmm, nlpo3 and LaoNLP word lists; underthesea's fixed
words). That is off by default: on TUD (th) and GSDSimp (zh) it scored lower than joining and
splitting the output alone, because every gold word, even one seen once, then outranks the
backend's own statistics everywhere.

File format (UTF-8, tab-separated, ``#`` comments)::

    # lancang-lexicon 1
    word    count   split_count
    string  count   split_count   piece1   piece2 ...      (split entries)

The words also define in- and out-of-vocabulary for ``lancang evaluate --lexicon``; a plain word
list (one word per line) is accepted there as well.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import InputError
from .spans import Span

MAGIC = "# lancang-lexicon 1"
#: tokens a join may span
MAX_JOIN = 8


@dataclass
class Lexicon:
    #: word -> (times the gold has it as one word, times as several consecutive words)
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: string -> the gold's most frequent pieces, for strings it splits more often than not
    split_forms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    min_count: int = 1

    def __post_init__(self) -> None:
        self._joins: set[str] | None = None

    # --------------------------------------------------------------------------------- queries

    def __contains__(self, word: str) -> bool:
        c = self.counts.get(word)
        return bool(c and c[0] > 0)

    def __len__(self) -> int:
        return sum(1 for c in self.counts.values() if c[0] > 0)

    def joins(self) -> set[str]:
        """Words the gold keeps whole more often than it splits them."""
        if self._joins is None:
            self._joins = {w for w, (c, s) in self.counts.items() if c >= self.min_count and c > s}
        return self._joins

    def splits(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        return iter(self.split_forms.items())

    # ------------------------------------------------------------------------------- applying

    def adapt(self, text: str, spans: list[Span]) -> list[Span]:
        """Apply splits, then joins (longest first), to a segmentation of ``text``."""
        if self.split_forms:
            spans = list(self._split(text, spans))
        joins = self.joins()
        if not joins:
            return spans
        longest = max(map(len, joins))
        out: list[Span] = []
        i, n = 0, len(spans)
        while i < n:
            s = spans[i][0]
            best = 1
            for k in range(2, min(MAX_JOIN, n - i) + 1):
                e = spans[i + k - 1][1]
                if e - s > longest:
                    break
                if text[s:e] in joins:
                    best = k
            out.append((s, spans[i + best - 1][1]))
            i += best
        return out

    def _split(self, text: str, spans: list[Span]) -> Iterator[Span]:
        forms = self.split_forms
        for s, e in spans:
            pieces = forms.get(text[s:e])
            if not pieces:
                yield s, e
                continue
            pos = s
            for p in pieces:
                j = text.find(p, pos, e)
                if j < 0:  # pieces always come from the same string; guard anyway
                    yield s, e
                    break
                yield j, j + len(p)
                pos = j + len(p)

    # ------------------------------------------------------------------------------ training

    @classmethod
    def train(cls, gold: Iterable[tuple[str, list[Span]]], max_ngram: int = 3, min_split: int = 1,
              max_chars: int = 24) -> Lexicon:
        """Count words and word n-grams over gold (text, token spans) pairs."""
        words: Counter[str] = Counter()
        grams: Counter[str] = Counter()
        pieces: dict[str, Counter[tuple[str, ...]]] = defaultdict(Counter)
        sentences = 0
        for text, spans in gold:
            sentences += 1
            toks = [text[s:e] for s, e in spans]
            words.update(toks)
            for n in range(2, max_ngram + 1):
                for i in range(len(spans) - n + 1):
                    s, e = spans[i][0], spans[i + n - 1][1]
                    if e - s > max_chars:
                        continue
                    g = text[s:e]
                    grams[g] += 1
                    pieces[g][tuple(toks[i:i + n])] += 1
        counts = {w: (c, grams.get(w, 0)) for w, c in words.items()}
        forms = {}
        for g, k in grams.items():
            if k >= min_split and k > words.get(g, 0):
                forms[g] = pieces[g].most_common(1)[0][0]
                counts[g] = (words.get(g, 0), k)
        lex = cls(counts, forms)
        lex.meta.update({"sentences": str(sentences), "words": str(sum(words.values())), "types": str(len(words)),
                         "max_ngram": str(max_ngram), "min_split": str(min_split)})
        return lex

    def prune_splits(self, produced: Iterable[str]) -> int:
        """Keep only split forms a segmenter actually produced as single tokens; returns how many went."""
        keep = set(produced)
        gone = [g for g in self.split_forms if g not in keep]
        for g in gone:
            del self.split_forms[g]
            if not self.counts[g][0]:  # never a gold word itself: nothing left to say about it
                del self.counts[g]
        return len(gone)

    # ---------------------------------------------------------------------------------- files

    def write(self, f: IO[str]) -> None:
        f.write(MAGIC + "\n")
        for k, v in self.meta.items():
            f.write(f"# {k}: {v}\n")
        for w, (c, s) in sorted(self.counts.items(), key=lambda x: (-x[1][0], -x[1][1], x[0])):
            if "\t" in w or "\n" in w:
                continue
            cols = [w, str(c), str(s), *self.split_forms.get(w, ())]
            f.write("\t".join(cols) + "\n")

    @classmethod
    def load(cls, path: str | Path, min_count: int = 1) -> Lexicon:
        """Read a lexicon file, or a plain word list (one word per line)."""
        from ..corpora.jsonl import text_lines

        p = Path(path)
        counts: dict[str, tuple[int, int]] = {}
        forms: dict[str, tuple[str, ...]] = {}
        meta: dict[str, str] = {}
        # text_lines: UTF-8 (a bad byte is an error with its line), BOM and CRLF accepted
        for lineno, line in text_lines(p):
            if not line.strip():
                continue
            if line.startswith("#"):
                k, sep, v = line[1:].strip().partition(": ")
                if sep:
                    meta[k] = v
                continue
            cols = line.split("\t")
            if len(cols) == 1:
                counts[cols[0].strip()] = (1, 0)
                continue
            try:
                c, s = int(cols[1]), int(cols[2]) if len(cols) > 2 else 0
            except ValueError:
                raise InputError(f"{p}:{lineno}: expected word<TAB>count<TAB>split_count, "
                                 f"got {line[:60]!r}") from None
            counts[cols[0]] = (c, s)
            if len(cols) > 3:
                forms[cols[0]] = tuple(cols[3:])
        return cls(counts, forms, meta, min_count)

    def summary(self) -> dict[str, Any]:
        return {"words": len(self), "joins": len(self.joins()), "splits": len(self.split_forms),
                **self.meta}


def produced_tokens(name: str, items: Iterable[tuple[str, Any]], batch: int = 64) -> Iterator[str]:
    """Token strings the segmenter ``name`` produces on the texts of ``(tag, (text, spans))`` items."""
    from . import spec

    ann = spec(name).build({})
    todo: list[tuple[str, str]] = []

    def run() -> Iterator[str]:
        for tag in {t for t, _ in todo}:
            texts = [x for t, x in todo if t == tag]
            for text, spans in zip(texts, ann.run("tokens", texts, tag)):
                yield from (text[s:e] for s, e in spans)
        todo.clear()

    for tag, (text, _spans) in items:
        todo.append((tag, text))
        if len(todo) >= batch:
            yield from run()
    yield from run()


def train_lexicon(gold: str, *, output: str, lang: str | None = None, fmt: str | None = None, langs: Any = None,
                  options: dict[str, Any] | None = None, max_ngram: int = 3, min_split: int = 1,
                  use: str | None = None, heldout: str | None = None) -> dict[str, Any]:
    """Learn a segmentation lexicon from gold in any format, write it atomically to ``output``, and
    (``heldout``) measure a segmenter without and with it. Returns the summary (and ``heldout`` result)."""
    from ..corpora.jsonl import atomic_output
    from .gold import side_items

    read = {"lang": lang, "fmt": fmt, "langs": langs, "options": options}
    seen: set[str] = set()

    def pairs() -> Iterator[tuple[str, list[Span]]]:
        for tag, pair in side_items(gold, layer="tokens", **read):
            seen.add(tag)
            yield pair

    lex = Lexicon.train(pairs(), max_ngram=max_ngram, min_split=min_split)
    if not lex.counts:
        raise InputError(f"{gold}: no tokens found" + (f" in sides of language {lang!r}" if lang else ""))
    if use:
        lex.meta["pruned_for"] = use
        lex.prune_splits(produced_tokens(use, side_items(gold, layer="tokens", **read)))
    lex.meta = {"source": str(gold), "lang": ",".join(sorted(seen)), **lex.meta}
    with atomic_output(output, "w") as f:
        lex.write(f)
    summary = lex.summary()
    out: dict[str, Any] = {"gold": str(gold), "output": str(output), "entries": len(lex), "joins": summary["joins"],
                           "splits": summary["splits"], "sentences": lex.meta.get("sentences"),
                           "tokens": lex.meta.get("words"), "lang": lex.meta["lang"]}
    if heldout:
        tags = sorted(seen)
        tag = tags[0] if len(tags) == 1 else (lang or tags[0])
        out["heldout"] = heldout_gain(heldout, output, tag, use, fmt=fmt, langs=langs, options=options)
    return out


def heldout_gain(heldout: str, lexicon_path: str, tag: str, annotator: str | None = None,
                 fmt: str | None = None, batch: int = 64, langs: Any = None,
                 options: dict[str, Any] | None = None) -> dict[str, Any]:
    """F1 of a segmenter on held-out gold without and with a lexicon (same texts, same settings)."""
    from ..corpora.langs import language
    from ..quality.accuracy import Score, score_spans
    from . import default_for, spec
    from .gold import side_items

    lang = language(tag)
    name = annotator or default_for("tokens", lang)
    if not name:
        raise InputError(f"no default segmenter for {lang!r}; name one with --use")
    plain, adapted = spec(name).build({}), spec(name).build({"lexicon": lexicon_path})
    scores = (Score(), Score())
    todo: list[tuple[str, str, list[Span]]] = []

    def flush() -> None:
        by_tag: dict[str, list[tuple[str, list[Span]]]] = {}
        for t, text, gold in todo:
            by_tag.setdefault(t, []).append((text, gold))
        for t, items in by_tag.items():
            texts = [x[0] for x in items]
            for sc, ann in zip(scores, (plain, adapted)):
                for (_text, gold), pred in zip(items, ann.run("tokens", texts, t)):
                    sc.add(score_spans(pred, gold))
        todo.clear()

    for t, (text, spans) in side_items(heldout, layer="tokens", lang=tag, fmt=fmt, langs=langs or [tag],
                                       options=options):
        todo.append((t, text, spans))
        if len(todo) >= batch:
            flush()
    flush()
    return {"annotator": name, "sides": scores[0].units, "gold": scores[0].gold,
            "f1_without": scores[0].f1, "f1_with": scores[1].f1,
            "p_without": scores[0].precision, "p_with": scores[1].precision,
            "r_without": scores[0].recall, "r_with": scores[1].recall}
