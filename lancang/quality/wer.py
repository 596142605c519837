"""Word and character error rates of transcripts: the edit-distance scorer of `lancang evaluate --layer
transcript` and `lancang agree --layer transcript`.

A hypothesis and a reference are turned into sequences of units (:class:`Tokenizer`: characters or
words, after the configured :class:`Normalizer`), aligned with the minimum number of edits and, among
those alignments, the fewest substitutions (:func:`score`, one weighted Levenshtein distance by
rapidfuzz), and the alignment counts hits, substitutions, deletions and insertions (:class:`Counts`) --
the figures sclite prints as Corr, Sub, Del and Ins. The error rate is (S + D + I) / N with
N = H + S + D the reference units: WER on words, CER on characters. Counts are plain sums, so the
counts of shards, files, speakers or languages merge exactly (:meth:`Counts.add`,
:meth:`Counts.from_dict`); a rate over no reference unit is undefined (None), never 0.

Units (``--units``): ``auto`` scores each side in the unit that fits its language -- characters for
Chinese, Japanese and Korean and for the languages written without spaces between words (Thai,
Khmer, Lao, Burmese), words elsewhere; ``chars`` scores every side in characters; ``words`` scores
every side in words: white-space separated, except Thai, Khmer, Lao and Burmese, which lancang's
default word segmenter for the language cuts (the annotator registry, e.g. ``newmm`` for Thai).
White space is never a unit: characters are the non-space characters of the text.

Normalisation (``--normalize``, recorded in the metrics signature), applied to both sides in this
order: ``t2s`` Traditional to Simplified Chinese on Chinese sides (OpenCC, ``lancang[zh]``),
``width`` full-width ASCII forms and the ideographic space to their ASCII forms (NFKC on that range
only), ``case`` lower case, ``punct`` remove punctuation (Unicode categories P*).

>>> score(["a", "b", "c", "d"], ["a", "x", "c", "d", "e"])
Counts(hits=3, subs=1, dels=0, ins=1, utterances=1, utterance_errors=1)
>>> Normalizer(("width", "case", "punct"))("ＡＢＣ，Hello!")
'abchello'
>>> Tokenizer("auto").units("zh", "你好 世界"), Tokenizer("auto").units("vi", "xin chào")
(['你', '好', '世', '界'], ['xin', 'chào'])
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import regex

from ..corpora.dupes import DuplicateIndex
from ..corpora.formats.stm import IGNORE
from ..corpora.invariants import side_shape_issues
from ..corpora.langs import language, unspaced
from ..errors import InputError, UsageError
from ..findings import pointer
from .accuracy import Evaluation
from .join import id_order, join_records
from .scores import ratio, rounded

UNITS = ("auto", "chars", "words", "mixed")
#: normalisation steps, in the order they apply
NORMALIZERS = ("t2s", "width", "case", "punct")
#: languages scored in characters by ``auto`` besides those written without spaces (zh, ja, th, km, lo, my):
#: Korean, and the Chinese languages tagged by their own ISO 639-3 codes (Cantonese yue, Wu wuu, Min Nan nan,
#: Hakka hak, Gan gan, Xiang hsn, Jin cjy, Min Dong cdo, Min Bei mnp, Pu-Xian cpx, Literary Chinese lzh)
CHAR_LANGUAGES = frozenset({"ko", "yue", "wuu", "nan", "hak", "gan", "hsn", "cjy", "cdo", "mnp", "cpx", "lzh"})
#: languages whose words a segmenter cuts under ``--units words`` (the others split on white space)
SEGMENTED = frozenset({"th", "km", "lo", "my"})

_PUNCT = regex.compile(r"\p{P}+")
_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def parse_normalize(spec: str | Sequence[str] | None) -> tuple[str, ...]:
    """The normalisation steps of ``--normalize`` (comma-separated names, ``none`` or ``all``), in the
    order they apply.

    >>> parse_normalize("punct,case"), parse_normalize("none"), parse_normalize("all")
    (('case', 'punct'), (), ('t2s', 'width', 'case', 'punct'))
    """
    if spec is None:
        return ()
    names = [x.strip() for x in (spec.split(",") if isinstance(spec, str) else spec) if x.strip()]
    if names == ["none"]:
        return ()
    if names == ["all"]:
        return NORMALIZERS
    bad = [x for x in names if x not in NORMALIZERS]
    if bad:
        raise UsageError(f"unknown normalisation {', '.join(bad)}; use none, all or a comma-separated list of "
                         f"{', '.join(NORMALIZERS)}")
    return tuple(x for x in NORMALIZERS if x in names)


@functools.lru_cache(maxsize=1)
def _opencc() -> Any:
    try:
        import opencc
    except ImportError:
        raise UsageError('--normalize t2s converts Traditional to Simplified Chinese with OpenCC, which is not '
                         'installed: pip install "lancang[zh]"') from None
    return opencc.OpenCC("t2s")


@dataclass(frozen=True)
class Normalizer:
    """Text normalisation before scoring; ``steps`` from :data:`NORMALIZERS` (applied in that order)."""

    steps: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if "t2s" in self.steps:
            _opencc()  # fail before the first record when OpenCC is missing

    def __call__(self, text: str, lang: str = "") -> str:
        for step in self.steps:
            if step == "t2s":
                if not lang or language(lang) == "zh":
                    text = _opencc().convert(text)
            elif step == "width":
                text = text.translate(_WIDTH)
            elif step == "case":
                text = text.lower()
            else:
                text = _PUNCT.sub("", text)
        return text


class Tokenizer:
    """Turns a (normalised) text into the units it is scored in, per ``units`` (:data:`UNITS`)."""

    def __init__(self, units: str = "auto"):
        if units not in UNITS:
            raise UsageError(f"unknown units {units!r}; use one of {', '.join(UNITS)}")
        self.mode = units
        self._segmenters: dict[str, Any] = {}

    @staticmethod
    def char_language(lang: str) -> bool:
        """Whether ``auto`` scores a side tagged ``lang`` in characters."""
        try:
            code = language(lang)
        except Exception:  # a tag lancang cannot parse: decide by script alone
            code = ""
        return code in CHAR_LANGUAGES or unspaced(lang)

    def unit(self, lang: str) -> str:
        """``char``, ``word`` or ``mixed``: the unit a side tagged ``lang`` is scored in (its error rate's)."""
        if self.mode == "mixed":
            return "mixed"
        if self.mode == "chars" or (self.mode == "auto" and self.char_language(lang)):
            return "char"
        return "word"

    def word_method(self, lang: str) -> str:
        """How words are found on a side: ``space`` or the segmenter's name (``--units words`` only)."""
        code = _code(lang)
        if self.mode == "words" and code in SEGMENTED:
            from ..annotators import default_for

            return default_for("tokens", code) or "space"
        return "space"

    def units(self, lang: str, text: str) -> list[str]:
        unit = self.unit(lang)
        return chars(text) if unit == "char" else mixed(text) if unit == "mixed" else self.words(lang, text)

    def words(self, lang: str, text: str) -> list[str]:
        method = self.word_method(lang)
        if method == "space":
            return text.split()
        seg = self._segmenters.get(method)
        if seg is None:
            from ..annotators import spec
            from ..annotators.base import shared

            seg = self._segmenters[method] = shared(spec(method))
        return [w for w in (text[s:e] for s, e in seg.tokens(text, _code(lang))) if w.strip()]

    def describe(self, lang: str) -> str:
        """The tokenisation of a side as recorded in the metrics: ``chars``, ``words`` or ``words:<segmenter>``."""
        if self.unit(lang) != "word":
            return f"{self.unit(lang)}s" if self.unit(lang) == "char" else "mixed"
        method = self.word_method(lang)
        return "words" if method == "space" else f"words:{method}"


def _code(lang: str) -> str:
    try:
        return language(lang)
    except Exception:
        return lang.split("-")[0].lower()


_ALTERNATION = regex.compile(r"\{([^{}]*)\}")
#: readings of one reference utterance tried at most (two alternatives in each of ten alternations)
MAX_READINGS = 1024


def readings(text: str) -> list[str]:
    """The readings of a reference written with sclite's alternations (TRN, STM): ``{ a / b / @ }`` reads
    ``a``, ``b`` or nothing (``@``). Nested alternations are not read (the inner braces stay text).

    >>> readings("so { INDUSTRY'S / INDUSTRY } slide { @ / the }")
    ["so INDUSTRY'S slide ", "so INDUSTRY'S slide the", 'so INDUSTRY slide ', 'so INDUSTRY slide the']
    """
    parts = _ALTERNATION.split(text)
    if len(parts) == 1:
        return [text]
    choices = [[part] if k % 2 == 0 else [" ".join(w for w in alt.split() if w != "@") for alt in part.split("/")]
               for k, part in enumerate(parts)]
    n = math.prod(len(c) for c in choices)
    if n > MAX_READINGS:
        raise InputError(f"{n:,} readings of the alternations in {text[:40]!r}...; at most {MAX_READINGS:,} are "
                         "tried")
    return ["".join(c) for c in itertools.product(*choices)]


def _fewest_errors(counts: Iterable[Counts]) -> Counts:
    """The reading the hypothesis is closest to: the fewest errors, then the fewest substitutions."""
    return min(counts, key=lambda c: (c.errors, c.subs, -c.ref))


_MIXED = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]\p{M}*"
                       r"|[^\s\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]+")


def mixed(text: str) -> list[str]:
    """Mixed units (the MER of code-switched speech; sclite's ``-c NOASCII``): each character of a script
    written without spaces (Han, kana, Hangul, Thai, Lao, Khmer, Myanmar) with its combining marks, and
    every other run of non-space characters whole.

    >>> mixed("我用 iPhone 拍了OK-照片")
    ['我', '用', 'iPhone', '拍', '了', 'OK-', '照', '片']
    """
    return _MIXED.findall(text)


def chars(text: str) -> list[str]:
    """The characters of ``text`` that are not white space."""
    return [c for c in text if not c.isspace()]


# ------------------------------------------------------------------------------------------ counts

@dataclass(slots=True)
class Counts:
    """Edit counts of one or many aligned utterances; sums, so any grouping merges exactly."""

    hits: int = 0
    subs: int = 0
    dels: int = 0
    ins: int = 0
    utterances: int = 0
    utterance_errors: int = 0

    @property
    def ref(self) -> int:
        return self.hits + self.subs + self.dels

    @property
    def hyp(self) -> int:
        return self.hits + self.subs + self.ins

    @property
    def errors(self) -> int:
        return self.subs + self.dels + self.ins

    @property
    def rate(self) -> float | None:
        """(S + D + I) / N; None without reference units."""
        return ratio(self.errors, self.ref)

    def add(self, other: Counts) -> Counts:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Counts:
        """The counts of a metrics document's entry (:meth:`to_dict`), to merge shards."""
        return cls(**{f.name: int(d[f.name]) for f in fields(cls)})

    def to_dict(self) -> dict[str, Any]:
        n = self.ref
        return {**{f.name: getattr(self, f.name) for f in fields(self)}, "ref": n, "hyp": self.hyp,
                "errors": self.errors, "rate": rounded(self.rate),
                "percent": {"corr": _pct(self.hits, n), "sub": _pct(self.subs, n), "del": _pct(self.dels, n),
                            "ins": _pct(self.ins, n), "err": _pct(self.errors, n),
                            "utterance_err": _pct(self.utterance_errors, self.utterances)}}


def _pct(x: int, n: int) -> float | None:
    r = ratio(100 * x, n)
    return None if r is None else round(r, 4)


def score(ref: Sequence[str] | str, hyp: Sequence[str] | str) -> Counts:
    """The counts of one utterance: ``ref`` and ``hyp`` are sequences of units (a string is its characters).

    The alignment has the fewest errors (S + D + I, the Levenshtein distance, as jiwer counts) and, among
    those, the fewest substitutions (as sclite's weights 4 for a substitution and 3 for a deletion or an
    insertion choose: a deletion and an insertion around a hit rather than two substitutions). Both come
    from one weighted distance by rapidfuzz: insertions and deletions cost K, substitutions K + 1, with K
    larger than any substitution count, so the distance is K * errors + substitutions. That distance is
    a plain dynamic programme (0.26 s of CPU for 10,000 by 10,000 characters); past :data:`WEIGHTED_CELLS`
    (whole transcripts of long recordings compared at once) the counts come from rapidfuzz's bit-parallel
    alignment instead: as few errors, ties split as it finds them.
    """
    from rapidfuzz.distance import Levenshtein

    n, m = len(ref), len(hyp)
    if n * m > WEIGHTED_CELLS:
        ops = [op[0] for op in Levenshtein.editops(ref, hyp)]
        subs, dels, ins = ops.count("replace"), ops.count("delete"), ops.count("insert")
        return Counts(n - subs - dels, subs, dels, ins, 1, int(bool(ops)))
    k = n + m + 1
    errors, subs = divmod(Levenshtein.distance(ref, hyp, weights=(k, k, k + 1)), k)
    dels = (errors - subs + n - m) // 2
    return Counts(n - subs - dels, subs, dels, errors - subs - dels, 1, int(errors > 0))


#: utterances larger than this (reference units times hypothesis units) are aligned by the bit-parallel
#: algorithm, whose ties are not sclite's (:func:`score`)
WEIGHTED_CELLS = 25_000_000


def align(ref: Sequence[str], hyp: Sequence[str]) -> list[tuple[str, str | None, str | None]]:
    """The alignment :func:`score` counts, as sclite prints it: ``(op, ref unit, hyp unit)`` in order, op
    ``C`` (correct), ``S``, ``D`` (ref unit, no hyp unit) or ``I`` (hyp unit, no ref unit). A plain dynamic
    programme (for showing one utterance; scoring does not use it).

    >>> align(["a", "b", "c"], ["a", "c", "d"])
    [('C', 'a', 'a'), ('D', 'b', None), ('C', 'c', 'c'), ('I', None, 'd')]
    >>> [op for op, _r, _h in align(list("xab"), list("abx"))]  # not three substitutions
    ['D', 'C', 'C', 'I']
    """
    n, m = len(ref), len(hyp)
    # cost (errors, substitutions) compared as one number: errors * k + substitutions
    k = n + m + 1
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        cost[i][0] = i * k
    for j in range(1, m + 1):
        cost[0][j] = j * k
    for i in range(1, n + 1):
        row, up = cost[i], cost[i - 1]
        for j in range(1, m + 1):
            diag = up[j - 1] + (0 if ref[i - 1] == hyp[j - 1] else k + 1)
            row[j] = min(diag, up[j] + k, row[j - 1] + k)
    out: list[tuple[str, str | None, str | None]] = []
    i, j = n, m
    while i or j:
        if i and j and cost[i][j] == cost[i - 1][j - 1] + (0 if ref[i - 1] == hyp[j - 1] else k + 1):
            out.append(("C" if ref[i - 1] == hyp[j - 1] else "S", ref[i - 1], hyp[j - 1]))
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + k:
            out.append(("D", ref[i - 1], None))
            i -= 1
        else:
            out.append(("I", None, hyp[j - 1]))
            j -= 1
    return out[::-1]


# ------------------------------------------------------------------------------ pairing utterances

#: one utterance to score: (speaker or None, reference text, hypothesis text)
Utterance = tuple["str | None", str, str]


def _segments(side: dict[str, Any]) -> list[dict[str, Any]] | None:
    return _spans_of(side, "segments") or None


def _timed(side: dict[str, Any]) -> list[tuple[float, str]] | None:
    """The hypothesis side's timed pieces (mid time, text): its words when it has a words layer, else its
    segments; None when it has neither."""
    text = side.get("text") or ""
    for name in ("words", "segments"):
        spans = _spans_of(side, name)
        if spans:
            return [((float(s["t0"]) + float(s["t1"])) / 2, text[s["start"]:s["end"]]) for s in spans]
    return None


def utterances(ref: dict[str, Any], hyp: dict[str, Any]) -> list[Utterance]:
    """The utterances of one side as the reference and the hypothesis have it, paired:

    * both have segments, as many: segment by segment, in order;
    * the reference has segments and the hypothesis timed words (a CTM) or a different number of
      segments: each hypothesis word (or segment) goes to the reference segment its middle time falls in,
      or between two segments to the following one (as sclite cuts a CTM at the ends of an STM's
      segments); what comes after the last segment is one more utterance of insertions;
    * the hypothesis says nothing (an empty text without segments: a record or side missing from the
      hypothesis is scored so): every reference segment, against nothing (all deletions);
    * otherwise: the whole texts, as one utterance.

    The speaker is the reference segment's (else the hypothesis segment's); for whole texts, the one
    speaker of the reference's segments when there is exactly one. A reference segment whose text is
    ``IGNORE_TIME_SEGMENT_IN_SCORING`` (an STM region sclite leaves out) is not scored, nor is what the
    hypothesis has there.
    """
    return [u for u in _paired(ref, hyp) if u[1].strip() != IGNORE]


def _paired(ref: dict[str, Any], hyp: dict[str, Any]) -> list[Utterance]:
    rtext, htext = ref.get("text") or "", hyp.get("text") or ""
    rsegs, hsegs = _segments(ref), _segments(hyp)
    if rsegs is not None and hsegs is None and not htext.strip():  # nothing said: each segment is deleted
        return [(r.get("speaker"), rtext[r["start"]:r["end"]], "") for r in rsegs]
    if rsegs is None:
        speakers = {s.get("speaker") for s in hsegs or ()}
        return [(speakers.pop() if len(speakers) == 1 else None, rtext, htext)]
    if hsegs is not None and len(hsegs) == len(rsegs):
        return [(r.get("speaker") or h.get("speaker"), rtext[r["start"]:r["end"]], htext[h["start"]:h["end"]])
                for r, h in zip(rsegs, hsegs, strict=True)]
    timed = _timed(hyp)
    if timed is None:
        speakers = {s.get("speaker") for s in rsegs}
        return [(speakers.pop() if len(speakers) == 1 else None, rtext, htext)]
    got: list[list[str]] = [[] for _ in rsegs]
    stray: list[str] = []
    starts = [float(r["t0"]) for r in rsegs]
    ends = [float(r["t1"]) for r in rsegs]
    reach = list(itertools.accumulate(ends, max))  # the latest end among the segments so far
    for mid, piece in sorted(timed, key=lambda x: x[0]):
        k = bisect.bisect_right(starts, mid)  # segments [0, k) start at or before the word's middle
        j = k - 1
        while j >= 0 and reach[j] >= mid and ends[j] < mid:  # overlapping segments: an earlier one holds it
            j -= 1
        if j >= 0 and ends[j] >= mid:
            got[j].append(piece)
        elif k < len(rsegs):  # between segments: the following one (sclite cuts the CTM at segment ends)
            got[k].append(piece)
        else:
            stray.append(piece)
    out: list[Utterance] = [(r.get("speaker"), rtext[r["start"]:r["end"]], " ".join(g)) for r, g in zip(rsegs, got)]
    if stray:
        out.append((None, "", " ".join(stray)))
    return out


# ------------------------------------------------------------------------------------------ tallies

@dataclass(slots=True)
class Tally:
    """Counts of one group (a language, a speaker, a file, everything): in characters, in words (where
    the side has words to score), and in each side's own unit (the headline error rate)."""

    chars: Counts
    words: Counts
    fit: Counts
    sides: int = 0

    @classmethod
    def new(cls) -> Tally:
        return cls(Counts(), Counts(), Counts())

    def add(self, other: Tally) -> Tally:
        self.chars.add(other.chars)
        self.words.add(other.words)
        self.fit.add(other.fit)
        self.sides += other.sides
        return self

    def to_dict(self, lexicon: bool = False) -> dict[str, Any]:
        return {"sides": self.sides, "error_rate": rounded(self.fit.rate), "cer": rounded(self.chars.rate),
                "wer": rounded(self.words.rate) if self.words.utterances else None,
                "counts": self.fit.to_dict(), "chars": self.chars.to_dict(),
                "words": self.words.to_dict() if self.words.utterances else None}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Tally:
        return cls(Counts.from_dict(d["chars"]), Counts.from_dict(d["words"]) if d.get("words") else Counts(),
                   Counts.from_dict(d["counts"]), int(d.get("sides", 0)))


class Scorer:
    """Scores sides: normalises, tokenises, pairs utterances and counts, into :class:`Tally` objects."""

    def __init__(self, units: str = "auto", normalize: Iterable[str] = (), alternations: bool = False):
        self.tokenizer = Tokenizer(units)
        self.normalizer = Normalizer(tuple(normalize))
        self.alternations = alternations
        self._word_ok: dict[str, bool] = {}
        #: utterances scored with a reference and no hypothesis (all deletions), and the other way round
        #: (all insertions), over every side scored so far
        self.without_hypothesis = 0
        self.without_reference = 0

    def has_words(self, lang: str) -> bool:
        """Whether a side is also scored in words: in ``words`` mode always, in ``auto`` and ``mixed`` where
        the language is written with spaces, never in ``chars``."""
        if lang not in self._word_ok:
            mode = self.tokenizer.mode
            self._word_ok[lang] = mode == "words" or (mode in ("auto", "mixed")
                                                      and not self.tokenizer.char_language(lang))
        return self._word_ok[lang]

    def utterance(self, lang: str, ref: str, hyp: str) -> Tally:
        """The counts of one utterance; with ``alternations``, of the reference's reading closest to the
        hypothesis (:func:`readings`), chosen apart for characters and for words as sclite does."""
        refs = [self.normalizer(r, lang) for r in (readings(ref) if self.alternations else (ref,))]
        h = self.normalizer(hyp, lang)
        hc = "".join(chars(h))
        t = Tally(_fewest_errors(score("".join(chars(r)), hc) for r in refs), Counts(), Counts(), 0)
        if self.has_words(lang):
            hw = self.tokenizer.words(lang, h)
            t.words = _fewest_errors(score(self.tokenizer.words(lang, r), hw) for r in refs)
        unit = self.tokenizer.unit(lang)
        if unit == "mixed":
            hm = mixed(h)
            t.fit = _fewest_errors(score(mixed(r), hm) for r in refs)
        else:
            t.fit = Counts().add(t.chars if unit == "char" else t.words)
        return t

    def side(self, lang: str, ref: dict[str, Any], hyp: dict[str, Any],
             each: Callable[[str | None, Tally], None] | None = None) -> Tally:
        """The tally of one side; ``each(speaker, tally)`` sees every utterance."""
        total = Tally.new()
        for speaker, r, h in utterances(ref, hyp):
            if not h.strip() and r.strip():
                self.without_hypothesis += 1
            elif not r.strip() and h.strip():
                self.without_reference += 1
            t = self.utterance(lang, r, h)
            if each is not None:
                each(speaker, t)
            total.add(t)
        total.sides = 1
        return total


# ------------------------------------------------------------------------------------------ corpora

#: the layers of a side the transcript scorer reads
TIMED_LAYERS = ("segments", "words")


def transcript_side(side: Any, where: str, tag: str) -> dict[str, Any]:
    """``side`` when it has the shape the scorer reads, else an :class:`InputError` at ``where`` with the JSON
    pointer of the first wrong value and its rule id. The shape is the model's, checked where every record's
    is (:func:`lancang.corpora.invariants.side_shape_issues` on the segments and words layers: objects
    with numeric ``start``/``end``, ``t0``/``t1`` in seconds, a string speaker); then the scorer's own need,
    spans that are integer offsets into the text with ``start <= end``. The one check of
    :func:`evaluate_transcripts`, :func:`by_recording` and ``lancang agree``: the scorer itself then meets no
    malformed value (run ``lancang validate`` for every invariant)."""
    base = pointer("sides", tag)
    for rule, _sev, ptr, message in side_shape_issues(side, base, TIMED_LAYERS):
        raise InputError(f"{where}: {ptr}: {message} [{rule}]; run lancang validate")
    text = side.get("text", "")
    for name in TIMED_LAYERS:
        for i, sp in enumerate(_spans_of(side, name)):
            st, en = sp["start"], sp["end"]
            if not (st.__class__ is int and en.__class__ is int and 0 <= st <= en <= len(text)):
                raise InputError(f"{where}: {base}/layers/{name}/spans/{i}: start {st!r} and end {en!r} are not "
                                 f"offsets into the text (0 <= start <= end <= {len(text)}); run lancang validate")
    return side


def side_recording(side: Any) -> str | None:
    """The recording a side transcribes: its media URI, with ``#channel`` when one is named (``media.channel``,
    else a channel name the reader kept in the side's ``meta.channel``, such as an STM's ``A``, compared
    case-insensitively as sclite does); None without media."""
    media = side.get("media") if isinstance(side, dict) else None
    if not isinstance(media, dict) or not media.get("uri"):
        return None
    ch = media.get("channel")
    if ch is None and isinstance(side.get("meta"), dict) and side["meta"].get("channel") is not None:
        ch = str(side["meta"]["channel"]).lower()
    return f"{media['uri']}#{ch}" if ch is not None else str(media["uri"])


def recording_key(rec: dict[str, Any], where: str) -> str:
    """The recording a record transcribes (:func:`side_recording` of its first side with media)."""
    for side in _sides_of(rec, where).values():
        key = side_recording(side)
        if key is not None:
            return key
    raise InputError(f"{where}: record {rec.get('id')!r} names no media; --join recording pairs records by the "
                     "recording they transcribe")


def by_recording(records: Iterable[dict[str, Any]], name: str) -> Iterator[dict[str, Any]]:
    """One record per recording (:func:`recording_key`) from records that each hold a part of one (the
    utterances of an STM file or a Kaldi data directory, the words of a CTM): the consecutive records of
    a recording become one, texts joined by a line feed, segments and words moved by their offsets
    and kept in order. A recording whose records are not consecutive is an input error (sort the
    file by recording, as sclite needs too). One recording at a time is in memory."""
    cur: dict[str, Any] | None = None
    key = None
    with DuplicateIndex() as seen:  # the recordings met so far, spilled to disk past its bound
        for k, rec in enumerate(records, 1):
            rk = recording_key(rec, f"{name} record {k}")
            if rk != key:
                if cur is not None:
                    yield _joined(cur)
                first = seen.add(rk, k)
                if first is not None:
                    raise _scattered(name, k, rec.get("id"), rk, first)
                key, cur = rk, {"id": rk, "sides": {}}
            assert cur is not None
            for tag, side in _sides_of(rec, f"{name} record {k}").items():
                transcript_side(side, f"{name} record {k} (id {rec.get('id')!r})", tag)
                _append_side(cur["sides"].setdefault(tag, {"text": [], "length": 0, "layers": {}}), side)
        if cur is not None:
            yield _joined(cur)
        for rk, first, k, _tag in seen.late_duplicates():
            raise _scattered(name, k, None, rk, first)


def _scattered(name: str, k: int, rid: Any, rk: str, first: int) -> InputError:
    return InputError(f"{name} record {k}{'' if rid is None else f' (id {rid!r})'}: recording {rk!r} again after "
                      f"other recordings (first at record {first}); --join recording needs each recording's records "
                      "together (sort by recording and time)")


def _append_side(into: dict[str, Any], side: dict[str, Any]) -> None:
    """Add one record's side to a recording's: its text a part (joined once, by :func:`_joined`: adding to
    one string record by record copies it each time), its spans moved past the text before it."""
    text = side.get("text") or ""
    sep = 1 if into["length"] else 0
    off = into["length"] + sep
    into["text"].append("\n" + text if sep else text)
    into["length"] = off + len(text)
    for key in ("media", "meta"):
        if key in side and key not in into:
            into[key] = side[key]
    for name in ("segments", "words"):
        spans = _spans_of(side, name)
        if spans:
            lay = into["layers"].setdefault(name, {"spans": []})
            lay["spans"].extend({**s, "start": s["start"] + off, "end": s["end"] + off} for s in spans)


def _joined(rec: dict[str, Any]) -> dict[str, Any]:
    for side in rec["sides"].values():
        side["text"] = "".join(side["text"])
        del side["length"]
    return rec


def _spans_of(side: dict[str, Any], name: str) -> list[dict[str, Any]]:
    lay = (side.get("layers") or {}).get(name)
    spans = lay.get("spans") if isinstance(lay, dict) else None
    return spans if isinstance(spans, list) else []


def _file_key(side: dict[str, Any], rid: str) -> str:
    return side_recording(side) or rid


#: the speaker key of utterances without one
NO_SPEAKER = "-"
#: files (recordings or records) whose counts the metrics document lists; past it they are only counted
#: (every record's counts can be streamed with ``details``)
MAX_FILES = 10_000


@dataclass
class TranscriptEvaluation(Evaluation):
    """The ``accuracy.transcript`` part: per language, speaker and file, and overall."""

    languages: dict[str, Tally] = field(default_factory=dict)  # type: ignore[assignment]
    overall: Tally = field(default_factory=Tally.new)  # type: ignore[assignment]
    speakers: dict[str, Tally] = field(default_factory=dict)
    files: dict[str, Tally] = field(default_factory=dict)
    units: str = "auto"
    normalize: tuple[str, ...] = ()
    tokenisation: dict[str, str] = field(default_factory=dict)
    #: the ``files`` table stops at this many files (:data:`MAX_FILES`)
    max_files: int = MAX_FILES
    #: where the keys of unlisted files spill (a temporary folder; None: the system's)
    spill_dir: str | None = None
    #: utterances scored with a reference and nothing hypothesised (all deletions), and hypothesis
    #: utterances scored with no reference (all insertions)
    without_hypothesis: int = 0
    without_reference: int = 0

    #: the keys of files past the table, counted once each in bounded memory (a :class:`DuplicateIndex`
    #: spills them to disk past its limit: a corpus of a million records without media is a million files)
    unlisted: DuplicateIndex | None = None
    _unlisted_seen: int = 0
    _unlisted_total: int | None = None

    def add_file(self, key: str, t: Tally) -> None:
        got = self.files.get(key)
        if got is None:
            if len(self.files) >= self.max_files:
                if self.unlisted is None:
                    self.unlisted = DuplicateIndex(tmpdir=self.spill_dir)
                self._unlisted_seen += 1
                if self.unlisted.add(key, self._unlisted_seen) is not None:
                    self._unlisted_seen -= 1
                return
            got = self.files[key] = Tally.new()
        got.add(t)

    @property
    def files_total(self) -> int:
        """The files scored, listed or not (counting the unlisted ones closes their index: call it last)."""
        if self._unlisted_total is None and self.unlisted is not None:
            with self.unlisted:
                late = sum(1 for _ in self.unlisted.late_duplicates())
            self._unlisted_total, self.unlisted = self._unlisted_seen - late, None
        return len(self.files) + (self._unlisted_total or 0)

    def to_dict(self, limit: int = 20) -> dict[str, Any]:
        d = super().to_dict(limit)
        o = self.overall.to_dict()
        d.update({"units": self.units, "normalize": list(self.normalize),
                  "wer": o["wer"], "cer": o["cer"], "error_rate": o["error_rate"],
                  "tokenisation": dict(sorted(self.tokenisation.items())),
                  "languages": {k: v.to_dict() for k, v in sorted(self.languages.items())},
                  "overall": o,
                  "speakers": _by_id(self.speakers), "files": _by_id(self.files),
                  "files_total": self.files_total})
        d["missing"]["utterances"] = {"without_hypothesis": self.without_hypothesis,
                                      "without_reference": self.without_reference}
        d["missing"]["scoring"] = {"only_in_gold": "deletions", "only_in_pred": "not scored"}
        return d


def _by_id(groups: dict[str, Tally]) -> dict[str, Any]:
    return {k: groups[k].to_dict() for k in sorted(groups, key=id_order)}


def evaluate_transcripts(hyp: Iterable[Any], ref: Iterable[Any], *, names: tuple[str, str] = ("HYP", "REF"),
                         units: str = "auto", normalize: Iterable[str] = (), join: str = "id",
                         spill_dir: str | None = None,
                         details: Callable[[dict[str, Any]], None] | None = None,
                         max_files: int = MAX_FILES, alternations: bool = False) -> TranscriptEvaluation:
    """Score hypothesis transcripts against reference ones, joined by record id (``join="id"``, the one
    join :func:`~lancang.quality.join.join_records`) or by recording (``join="recording"``: the records
    of each recording merged first, :func:`by_recording`). What one side lacks is reported in ``missing``
    and scored as sclite scores an STM against a CTM: a reference record or side without a hypothesis
    is all deletions (each of its segments an utterance, for its speaker), hypothesis words outside
    every reference segment of a side are insertions; a hypothesis record or side without a reference
    is not scored (sclite refuses such input; ``lancang evaluate CORPUS REVIEWED`` scores a reviewed
    sample against the whole corpus). ``missing.utterances`` counts the utterances scored with one side
    empty. ``details`` receives each scored side's row
    (:func:`detail_row`) as it is scored, for a per-record table of any length; the document lists the
    first ``max_files`` files (recordings, else records) and counts the others. ``alternations`` reads
    sclite's ``{ a / b / @ }`` in the references (:func:`readings`)."""
    if join not in JOINS:
        raise UsageError(f"unknown join {join!r}; use one of {', '.join(JOINS)}")
    sc = Scorer(units, normalize, alternations)
    ev = TranscriptEvaluation("transcript", units=units, normalize=sc.normalizer.steps, max_files=max_files,
                              spill_dir=spill_dir)
    if join == "recording":
        hyp, ref = by_recording(hyp, names[0]), by_recording(ref, names[1])
    for g in join_records([hyp, ref], list(names), spill_dir=spill_dir):
        h, r = g.records
        # noted when one is missing; a hypothesis without a reference is not scored (sclite refuses it;
        # `evaluate CORPUS REVIEWED` scores a sample), a reference without one is all deletions (sclite)
        if not ev.paired(g.id, h, r) and r is None:
            continue
        hs, rs = (_sides_of(h, g.where[0]) if h is not None else {}), _sides_of(r, g.where[1])
        for tag in sorted(set(hs) | set(rs)):
            if tag not in rs:
                ev.side_problem(g.id, tag, "side only in hypothesis (not scored)")
                continue
            if tag not in hs and h is not None:
                ev.side_problem(g.id, tag, "side only in reference (scored as deletions)")

            def each(speaker: str | None, t: Tally) -> None:
                ev.speakers.setdefault(speaker or NO_SPEAKER, Tally.new()).add(t)

            transcript_side(rs[tag], f"{g.where[1]} (id {g.id!r})", tag)
            if tag in hs:
                transcript_side(hs[tag], f"{g.where[0]} (id {g.id!r})", tag)
            try:
                t = sc.side(tag, rs[tag], hs.get(tag, _NOTHING), each)
            except InputError as exc:
                raise InputError(f"{g.where[1]} (id {g.id!r}), side {tag!r}: {exc}") from None
            ev.tokenisation.setdefault(tag, sc.tokenizer.describe(tag))
            ev.languages.setdefault(tag, Tally.new()).add(t)
            key = _file_key(rs[tag], g.id)
            ev.add_file(key, t)
            ev.overall.add(t)
            if details is not None:
                details(detail_row(g.id, tag, key, sc.tokenizer.unit(tag), t))
    ev.without_hypothesis, ev.without_reference = sc.without_hypothesis, sc.without_reference
    return ev


#: the hypothesis side of a reference the hypothesis lacks: nothing said
_NOTHING: dict[str, Any] = {"text": ""}


JOINS = ("id", "recording")


def detail_row(rid: str, lang: str, file: str, unit: str, t: Tally) -> dict[str, Any]:
    """One scored side as a line of ``--details``: its counts in its own unit, and its CER."""
    c = t.fit
    return {"id": rid, "side": lang, "file": file, "unit": unit, "hits": c.hits, "subs": c.subs, "dels": c.dels,
            "ins": c.ins, "ref": c.ref, "utterances": c.utterances, "utterance_errors": c.utterance_errors,
            "rate": rounded(c.rate), "cer": rounded(t.chars.rate)}


def _sides_of(rec: dict[str, Any], where: str | None) -> dict[str, dict[str, Any]]:
    sides = rec.get("sides")
    if not isinstance(sides, dict):
        raise InputError(f"{where} (id {rec.get('id')!r}): the record has no sides object")
    return sides
