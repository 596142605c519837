"""Praat TextGrid: interval and point tiers over one sound, read in the long and the short text form.

**Reading.** A TextGrid file is one record, id = the file stem (a folder of ``.TextGrid`` files is one
record per file, by file name). The file is UTF-8, or UTF-16 with a BOM (as Praat writes non-ASCII
text), LF or CRLF; labels are quoted with ``""`` for a quote inside and may run over several lines
(kept with ``\\n``). The long and short forms are read by one tokenizer that, like Praat, takes
only the quoted strings, the numbers and ``<exists>``/``<absent>`` flags, skipping the ``key =``
words, ``[n]`` indices and ``!`` comments. ``-0`` is 0; a negative time, an interval ending before
it starts, and two overlapping intervals of one tier are an :class:`~lancang.errors.InputError` at
the line. Binary TextGrids are refused.

The side's language comes from ``--src`` (a TextGrid does not name one). Which interval tier is the
transcript (reader option ``tier``): a tier name, a 1-based tier number, several of either joined
by ``,`` (one speaker per tier: each segment's ``speaker`` is its tier's name), or ``*`` for every
interval tier. By default (:func:`_default_choice`): the first interval tier with an utterance-level
name (:data:`UTTERANCE_NAMES`, ignoring case, in that order of preference); else, when two or more
interval tiers have distinct names of no known level (not words, phones, syllables..., nor an
aligner's ``<speaker> - words``), each of them as a speaker's tier (Montreal Forced Aligner's
multi-speaker TextGrid, and what lancang writes for a side of several speakers), provided a
``words``/``word`` tier, if the file has one, is found in their text; else the first tier named
``words`` or ``word``; else the first interval tier. The transcript tier's intervals become the side's ``segments``
(``tier`` = the tier name) and its text (labels joined by ``\\n``); intervals whose label is empty,
white space or a silence mark (:data:`SILENCE_MARKS`: ``sil``, ``sp``, ``[SIL]``, ``<p:>``...), are
dropped unless ``keep_empty=true``. A tier named ``words`` or ``word`` other than
the transcript (or the one named by the option ``words``) becomes the ``words`` layer when each of
its labels is found, in order, in the text of the segment its midpoint falls in; otherwise (only
when not named by the option, else an error) it is kept like any other tier.

Everything else goes to the side's ``x-textgrid`` layer, so that writing the record back as a
TextGrid gives the same tiers, intervals and labels: the file's ``xmin``/``xmax``, and every tier
in file order with its class, name, ``xmin``/``xmax``; other tiers with all their ``intervals``
(``[t0, t1, label]``) or ``points`` (``[t, label]``); the transcript and words tiers with their
``role`` and, where the writer's gap filling would not rebuild them, the dropped ``blank`` intervals.
The layer is left out when it holds nothing the writer would not derive (one transcript tier over
``[0, last end]``). With ``media`` (a path or URI, ``{stem}`` replaced by the file stem, or ``auto``:
the audio file of the same stem under ``media_root`` if given, else beside the TextGrid) the side gets ``media``
with the file's facts (:mod:`lancang.corpora.media`), so the validator can tell a tier that ends
after the audio.

**Writing.** The long text form, UTF-8, LF. One record per file: a path ending in ``.TextGrid`` takes
one record, any other path is a folder of ``<record id>.TextGrid``. Without ``x-textgrid`` a
side's segments go to one interval tier per segment ``tier`` (else ``speaker``, else
``transcript``), words to a ``words`` tier, gaps filled with empty intervals as Praat requires.
Segments of one tier that overlap in time cannot be written (an interval tier has no overlaps).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import InputError, UsageError
from ..io import atomic_output
from ..jsonl import PathLike
from ..media import media_option
from ..model import Record
from . import Format, Option, check_options, given_lang, pick_side
from .timed import (
    ENCODING_OPTION,
    KEEP_EMPTY_OPTION,
    check_encoding,
    fmt_seconds,
    folder_output,
    media_options,
    read_text,
    safe_file_name,
)

#: names of a transcript tier, most preferred first (compared ignoring case)
UTTERANCE_NAMES = ("transcript", "transcription", "utterance", "utterances", "utt", "sentence", "sentences",
                   "phrase", "phrases", "ortho", "orthography", "text")
WORD_TIER_NAMES = ("words", "word")
TRANSCRIPT_NAMES = UTTERANCE_NAMES + WORD_TIER_NAMES
#: names of tiers of units below the word (never a speaker's transcript), compared ignoring case
ANNOTATION_NAMES = ("phones", "phone", "phons", "phon", "phonemes", "phoneme", "segments", "segment",
                    "syllables", "syllable", "syll", "syl", "morphemes", "morpheme", "tones", "tone", "pitch",
                    "ipa", "pos", "gloss", "glosses")
#: labels that mark silence, not speech (compared ignoring case and enclosing [] or <>): forced
#: aligners write them (MFA "sil"/"sp", Charsiu "[SIL]", WebMAUS "<p:>", "pau")
SILENCE_MARKS = frozenset({"sil", "sp", "silence", "pau", "pause", "p:"})
LAYER = "x-textgrid"
INTERVAL, POINT = "IntervalTier", "TextTier"

_TOKEN = re.compile(
    r'"((?:[^"]|"")*)"'                                          # 1: a string ("" is a quote)
    r'|(?<![\w\].])([-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)(?![\w\[\].])'  # 2: a number
    r'|<(exists|absent)>'                                        # 3: a flag
    r'|![^\n]*|\[[^\]\n]*\]'                                     # a comment, an [index]: skipped
)


# --------------------------------------------------------------------------------------- reading

@dataclass
class Tier:
    cls: str
    name: str
    xmin: float
    xmax: float
    items: list[tuple[Any, ...]] = field(default_factory=list)  # (t0, t1, label) or (t, label)
    line: int = 0


class _Tokens:
    """The tokens of a TextGrid text file, with the line each starts on."""

    def __init__(self, text: str, where: str):
        self.where = where
        self.text = text
        self.it = _TOKEN.finditer(text)
        self.lines = [m.start() for m in re.finditer("\n", text)]
        self.pos = 0

    def line(self, pos: int | None = None) -> int:
        return bisect.bisect_left(self.lines, self.pos if pos is None else pos) + 1

    def _next(self, want: str) -> Any:
        for m in self.it:
            if m.group(1) is not None:
                self.pos = m.start()
                if want != "string":
                    break
                return m.group(1).replace('""', '"')
            if m.group(2) is not None:
                self.pos = m.start()
                if want != "number":
                    break
                return m.group(2)
            if m.group(3) is not None:
                self.pos = m.start()
                if want != "flag":
                    break
                return m.group(3)
        else:
            end = self.line(len(self.text.rstrip()))
            raise InputError(f"{self.where}:{end}: the TextGrid ends early (a {want} expected)")
        raise InputError(f"{self.where}:{self.line()}: a {want} expected, found {m.group(0)[:30]!r}")

    def string(self) -> str:
        return self._next("string")

    def number(self) -> float:
        raw = self._next("number")
        v = float(raw) + 0.0  # -0 is 0
        if v < 0:
            raise InputError(f"{self.where}:{self.line()}: negative time {raw}")
        if v != v or v in (float("inf"), float("-inf")):  # pragma: no cover - the pattern has no inf/nan
            raise InputError(f"{self.where}:{self.line()}: {raw} is not a time")
        return v

    def count(self) -> int:
        raw = self._next("number")
        if not raw.isdigit():
            raise InputError(f"{self.where}:{self.line()}: a count expected, found {raw!r}")
        return int(raw)

    def flag(self) -> str:
        return self._next("flag")


def parse(text: str, where: str) -> tuple[float, float, list[Tier]]:
    """``(xmin, xmax, tiers)`` of a TextGrid's text (long or short form, LF line ends)."""
    tok = _Tokens(text, where)
    kind = tok.string()
    if not kind.startswith("ooTextFile"):
        raise InputError(f"{where}:1: not a Praat text file (File type {kind!r}; binary TextGrids are not read)")
    cls = tok.string()
    if cls != "TextGrid":
        raise InputError(f"{where}:{tok.line()}: a Praat {cls!r} file, not a TextGrid")
    xmin, xmax = tok.number(), tok.number()
    if tok.flag() == "absent":
        return xmin, xmax, []
    tiers = []
    for _ in range(tok.count()):
        tcls = tok.string()
        line = tok.line()
        name = tok.string()
        t0, t1 = tok.number(), tok.number()
        tier = Tier(tcls, name, t0, t1, line=line)
        n = tok.count()
        if tcls == INTERVAL:
            prev_end, prev_line = None, 0
            for _ in range(n):
                a = tok.number()
                at = tok.line()
                b = tok.number()
                label = tok.string()
                if b < a:
                    raise InputError(f"{where}:{at}: interval [{fmt_seconds(a)}, {fmt_seconds(b)}] of tier {name!r} "
                                     "ends before it starts")
                if prev_end is not None and a < prev_end:
                    raise InputError(f"{where}:{at}: interval [{fmt_seconds(a)}, {fmt_seconds(b)}] of tier {name!r} "
                                     f"overlaps the previous one (line {prev_line}, ending at {fmt_seconds(prev_end)})")
                prev_end, prev_line = b, at
                tier.items.append((a, b, label))
        elif tcls == POINT:
            for _ in range(n):
                tier.items.append((tok.number(), tok.string()))
        else:
            raise InputError(f"{where}:{line}: unknown tier class {tcls!r} (IntervalTier or TextTier)")
        tiers.append(tier)
    return xmin, xmax, tiers


def _choose(tiers: list[Tier], option: Any, where: str) -> list[int]:
    """Indices of the transcript tiers named by the option ``tier`` (see the module docstring)."""
    intervals = [i for i, t in enumerate(tiers) if t.cls == INTERVAL]
    if option == "*":
        out = intervals
    else:
        out = _named(tiers, option, where)
    names = [tiers[i].name for i in out]
    if len(set(names)) < len(names):
        raise UsageError(f"{where}: transcript tiers {', '.join(map(repr, names))} share a name, so their "
                         "segments could not be told apart: choose one of them (-I tier=N, a 1-based number)")
    return out


def _tier_kind(name: str) -> str:
    """``utterance`` (a name of :data:`UTTERANCE_NAMES`), ``word`` (:data:`WORD_TIER_NAMES`), ``annotation``
    (a tier of units below the word, or an aligner's ``<speaker> - words`` / ``<speaker> - phones``) or
    ``free`` (any other name: a speaker's tier, or a tier of the user's own)."""
    n = name.strip().lower()
    if n in UTTERANCE_NAMES:
        return "utterance"
    if n in WORD_TIER_NAMES:
        return "word"
    if n in ANNOTATION_NAMES or (" - " in n and n.rsplit(" - ", 1)[1].strip() in WORD_TIER_NAMES + ANNOTATION_NAMES):
        return "annotation"
    return "free"


def _default_choice(tiers: list[Tier]) -> tuple[list[int], list[int] | None]:
    """The default transcript tiers, and the choice to fall back to when they are speaker tiers whose
    words tier does not fit them (None: no fallback). In order:

    1. the first interval tier with an utterance-level name (:data:`UTTERANCE_NAMES`, in its order);
    2. speaker tiers: two or more interval tiers with distinct names of no known level (neither
       utterance, word, phone, syllable... nor an aligner's ``<speaker> - words``), one speaker each,
       as Montreal Forced Aligner reads a TextGrid (a tier per speaker) and as lancang writes a side of
       several speakers; when the file also has a ``words``/``word`` tier, only if that tier's labels
       are found in their segments (it is their words layer), else rule 3;
    3. the first interval tier named ``words`` or ``word``, else the first interval tier.
    """
    intervals = [i for i, t in enumerate(tiers) if t.cls == INTERVAL]
    kinds = {i: _tier_kind(tiers[i].name) for i in intervals}
    for name in UTTERANCE_NAMES:
        for i in intervals:
            if tiers[i].name.strip().lower() == name:
                return [i], None
    fallback = next(([i] for name in WORD_TIER_NAMES for i in intervals if tiers[i].name.strip().lower() == name),
                    intervals[:1])
    free = [i for i in intervals if kinds[i] == "free"]
    if len(free) >= 2 and len({tiers[i].name for i in free}) == len(free):
        return free, fallback
    return fallback, None


def _named(tiers: list[Tier], option: Any, where: str) -> list[int]:
    wanted = [option] if not isinstance(option, str) else (
        [option] if any(t.name == option for t in tiers) else option.split(","))
    out = []
    for w in wanted:
        i = _find(tiers, w, where, "tier")
        if tiers[i].cls != INTERVAL:
            raise InputError(f"{where}: tier {w!r} is a point tier; the transcript is an interval tier")
        if i not in out:
            out.append(i)
    return out


def _find(tiers: list[Tier], wanted: Any, where: str, option: str) -> int:
    w = str(wanted)
    for i, t in enumerate(tiers):
        if t.name == w:
            return i
    if w.isdigit() and 1 <= int(w) <= len(tiers):
        return int(w) - 1
    names = ", ".join(repr(t.name) for t in tiers) or "none"
    raise UsageError(f"{where}: no tier {w!r} (-I {option}=...; the tiers: {names})")


def _blank(label: str) -> bool:
    """An interval a reader drops unless ``keep_empty``: empty, white space, or a silence mark."""
    t = label.strip()
    return not t or t.strip("[]<>").lower() in SILENCE_MARKS


def _gap_fill(kept: list[tuple[float, float]], xmin: float, xmax: float) -> list[tuple[float, float]]:
    """The empty intervals the writer puts between ``kept`` intervals (sorted) over [xmin, xmax]."""
    out = []
    pos = xmin
    for a, b in kept:
        if a > pos:
            out.append((pos, a))
        pos = max(pos, b)
    if xmax > pos:
        out.append((pos, xmax))
    return out


def locate_words(items: Iterable[tuple[float, float, str]], text: str,
                 segs: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """Word spans for a word tier's labelled intervals ``(t0, t1, label)`` in time order, each found in
    order in the text of the segment its midpoint falls in; None when one is not found. (The TextGrid
    and EAF readers make their ``words`` layer with it.)"""
    out = []
    k = 0
    cursor = segs[0]["start"] if segs else 0
    for a, b, label in items:
        if _blank(label):
            continue
        mid = (a + b) / 2
        while k < len(segs) and segs[k]["t1"] <= mid and not (segs[k]["t0"] <= mid <= segs[k]["t1"]):
            k += 1
            if k < len(segs):
                cursor = max(cursor, segs[k]["start"])
        if k >= len(segs) or not segs[k]["t0"] <= mid <= segs[k]["t1"]:
            return None
        word = unicodedata.normalize("NFC", label).strip()
        at = text.find(word, cursor, segs[k]["end"])
        if at < 0:
            return None
        out.append({"start": at, "end": at + len(word), "t0": a, "t1": b})
        cursor = at + len(word)
    return out


def read_file(path: Path, lang: str, options: dict[str, Any]) -> dict[str, Any]:
    where = str(path)
    text = read_text(path, options.get("encoding")).replace("\r\n", "\n").replace("\r", "\n")
    xmin, xmax, tiers = parse(text, where)
    option = options.get("tier")
    fallback = None
    if not tiers:
        chosen: list[int] = []
    elif option in (None, ""):
        chosen, fallback = _default_choice(tiers)
    else:
        chosen = _choose(tiers, option, where)
    rec = _build(path, lang, options, xmin, xmax, tiers, chosen, fallback is not None)
    if rec is None:  # speaker tiers whose words tier is not theirs: the file's words tier is the transcript
        rec = _build(path, lang, options, xmin, xmax, tiers, fallback or [], False)
    assert rec is not None
    return rec


def _build(path: Path, lang: str, options: dict[str, Any], xmin: float, xmax: float, tiers: list[Tier],
           chosen: list[int], speakers: bool) -> dict[str, Any] | None:
    """The record of a TextGrid read with ``chosen`` as its transcript tiers; None when ``speakers`` (the
    default's speaker tiers) and the file's words tier is not found in their text."""
    where = str(path)
    keep_empty = bool(options.get("keep_empty"))
    several = len(chosen) > 1
    utts = []
    for i in chosen:
        t = tiers[i]
        for a, b, label in t.items:
            if keep_empty or not _blank(label):
                u = {"text": label, "t0": a, "t1": b, "tier": t.name}
                if several:
                    u["speaker"] = t.name
                utts.append(u)
    rec = Record.new(path.stem)
    side = rec.add_transcript(lang, utts, keep_empty=keep_empty)
    segs = side.layers["segments"]["spans"]
    words_opt = options.get("words")
    words_at = None
    if words_opt not in (None, ""):
        words_at = _find(tiers, words_opt, where, "words")
        if words_at in chosen or tiers[words_at].cls != INTERVAL:
            raise UsageError(f"{where}: the words tier {words_opt!r} must be an interval tier other than the "
                             "transcript")
    else:
        words_at = next((i for i, t in enumerate(tiers) if t.cls == INTERVAL and i not in chosen
                         and t.name.strip().lower() in WORD_TIER_NAMES), None)
    words = None
    if words_at is not None and segs:
        words = locate_words(tiers[words_at].items, side.text, segs)
        if words is None and words_opt not in (None, ""):
            raise InputError(f"{where}:{tiers[words_at].line}: a label of the words tier {tiers[words_at].name!r} "
                             "is not found in the transcript where its time falls")
        if words is not None:
            side.set_words(words)
    if words is None:
        if speakers and words_at is not None:
            return None
        words_at = None
    layout: dict[str, Any] = {"xmin": xmin, "xmax": xmax, "tiers": []}
    for i, t in enumerate(tiers):
        entry: dict[str, Any] = {"name": t.name, "class": t.cls, "xmin": t.xmin, "xmax": t.xmax}
        if i in chosen or i == words_at:
            entry["role"] = "segments" if i in chosen else "words"
            kept = [(a, b) for a, b, label in t.items if keep_empty or not _blank(label)]
            blank = [[a, b, label] for a, b, label in t.items if not (keep_empty or not _blank(label))]
            if [(a, b, "") for a, b in _gap_fill(kept, t.xmin, t.xmax)] != [tuple(x) for x in blank]:
                entry["blank"] = blank
        elif t.cls == INTERVAL:
            entry["intervals"] = [list(x) for x in t.items]
        else:
            entry["points"] = [list(x) for x in t.items]
        layout["tiers"].append(entry)
    if layout != default_layout(side.data):
        side.layers[LAYER] = layout
    if not side.layers["segments"]["spans"]:
        del side.layers["segments"]
    if not side.layers:
        del side.data["layers"]
    media = media_option(options.get("media"), path, options.get("media_root"), options.get("media_facts", True))
    if media:
        side.data["media"] = media
    return rec.data


def document_files(path: Path, ext: str) -> list[Path]:
    """The files a reader of one-record-per-file documents reads: ``path``, or a folder's ``*<ext>``
    files (any case) in name order."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() == ext and p.is_file())
    return [path]


def read(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    check_options(FORMAT, "reader", options)
    check_encoding(options.get("encoding"))
    p = Path(path)
    lang = given_lang(langs, p, "a TextGrid")
    for f in document_files(p, ".textgrid"):
        yield read_file(f, lang, options)


# --------------------------------------------------------------------------------------- writing

def _tier_key(seg: dict[str, Any]) -> str:
    return seg.get("tier") or seg.get("speaker") or "transcript"


def default_layout(side: dict[str, Any]) -> dict[str, Any]:
    """The ``x-textgrid`` layout the writer derives for a side that has none."""
    layers = side.get("layers") or {}
    segs = (layers.get("segments") or {}).get("spans") or []
    words = (layers.get("words") or {}).get("spans") or []
    end = max([s["t1"] for s in segs] + [w["t1"] for w in words] + [0.0])
    tiers: list[dict[str, Any]] = []
    for name in dict.fromkeys(_tier_key(s) for s in segs):
        tiers.append({"name": name, "class": INTERVAL, "xmin": 0.0, "xmax": end, "role": "segments"})
    if words:
        tiers.append({"name": "words", "class": INTERVAL, "xmin": 0.0, "xmax": end, "role": "words"})
    return {"xmin": 0.0, "xmax": end, "tiers": tiers}


def _q(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def _interval_items(spans: list[dict[str, Any]], text: str, entry: dict[str, Any], rid: str) -> list[tuple[Any, ...]]:
    """A role tier's intervals: the spans' texts, then its blanks as read or the gaps filled."""
    kept = sorted((s["t0"], s["t1"], text[s["start"]:s["end"]]) for s in spans)
    for (a0, a1, _), (b0, b1, _) in zip(kept, kept[1:]):
        if b0 < a1:
            raise InputError(f"record {rid!r}: tier {entry['name']!r} would have overlapping intervals "
                             f"[{fmt_seconds(a0)}, {fmt_seconds(a1)}] and [{fmt_seconds(b0)}, {fmt_seconds(b1)}], "
                             "which a TextGrid interval tier cannot hold")
    if "blank" in entry:
        blanks = [tuple(x) for x in entry["blank"]]
    else:
        blanks = [(a, b, "") for a, b in _gap_fill([(a, b) for a, b, _ in kept], entry["xmin"], entry["xmax"])]
    return sorted(kept + blanks, key=lambda x: (x[0], x[1]))


def render(rec: dict[str, Any], lang: str) -> str:
    """The long text form of one side of a record."""
    side = rec["sides"][lang]
    layers = side.get("layers") or {}
    layout = layers.get(LAYER) or default_layout(side)
    text = side["text"]
    segs = (layers.get("segments") or {}).get("spans") or []
    words = (layers.get("words") or {}).get("spans") or []
    entries = [dict(e) for e in layout.get("tiers", [])]
    named = {e["name"] for e in entries if e.get("role") == "segments"}
    for name in dict.fromkeys(_tier_key(s) for s in segs):  # segments of a tier the layout does not know
        if name not in named:
            entries.append({"name": name, "class": INTERVAL, "xmin": layout.get("xmin", 0.0),
                            "xmax": layout.get("xmax", 0.0), "role": "segments"})
    if words and not any(e.get("role") == "words" for e in entries):
        entries.append({"name": "words", "class": INTERVAL, "xmin": layout.get("xmin", 0.0),
                        "xmax": layout.get("xmax", 0.0), "role": "words"})
    seg_roles = [e for e in entries if e.get("role") == "segments"]
    blocks = []
    end = layout.get("xmax", 0.0)
    start = layout.get("xmin", 0.0)
    for e in entries:
        role = e.get("role")
        if role == "segments":
            mine = [s for s in segs if _tier_key(s) == e["name"] or len(seg_roles) == 1]
            items = _interval_items(mine, text, e, rec["id"])
        elif role == "words":
            items = _interval_items(words, text, e, rec["id"])
        else:
            items = [tuple(x) for x in e.get("intervals", e.get("points", []))]
        t_end = max([e["xmax"]] + [x[1] if len(x) == 3 else x[0] for x in items])
        t_start = min([e["xmin"]] + [x[0] for x in items])
        blocks.append((e, items, t_start, t_end))
        end, start = max(end, t_end), min(start, t_start)
    out = ['File type = "ooTextFile"', 'Object class = "TextGrid"', "",
           f"xmin = {fmt_seconds(start)} ", f"xmax = {fmt_seconds(end)} "]
    if not blocks:
        out.append("tiers? <absent> ")
        return "\n".join(out) + "\n"
    out += ["tiers? <exists> ", f"size = {len(blocks)} ", "item []: "]
    for n, (e, items, t_start, t_end) in enumerate(blocks, 1):
        point = e["class"] == POINT
        out += [f"    item [{n}]:", f"        class = {_q(e['class'])} ", f"        name = {_q(e['name'])} ",
                f"        xmin = {fmt_seconds(t_start)} ", f"        xmax = {fmt_seconds(t_end)} ",
                f"        {'points' if point else 'intervals'}: size = {len(items)} "]
        for k, x in enumerate(items, 1):
            if point:
                out += [f"        points [{k}]:", f"            number = {fmt_seconds(x[0])} ",
                        f"            mark = {_q(x[1])} "]
            else:
                out += [f"        intervals [{k}]:", f"            xmin = {fmt_seconds(x[0])} ",
                        f"            xmax = {fmt_seconds(x[1])} ", f"            text = {_q(x[2])} "]
    return "\n".join(out) + "\n"


def write_documents(records: Iterable[dict[str, Any]], path: PathLike, langs: Any, ext: str, what: str,
                    render: Callable[[dict[str, Any], str], str]) -> int:
    """Write one-record-per-file documents (TextGrid, EAF): a path ending in ``ext`` takes exactly one
    record; any other path is a folder of ``<record id><ext>``, written all or nothing."""
    p = Path(path)
    if p.suffix.lower() == ext.lower():
        it = iter(records)
        rec = next(it, None)
        if rec is None:
            raise InputError(f"{path}: no record to write ({what} file holds one)")
        text = render(rec, pick_side(rec, langs, what))
        more = next(it, None)
        if more is not None:
            raise InputError(f"{path}: {what} file holds one record ({more['id']!r} is the second); "
                             "give a folder to write one file per record")
        with atomic_output(p, "w") as f:
            f.write(text)
        return 1
    n = 0
    with folder_output(p) as tmp:  # all or nothing: the folder appears when every record is written
        for rec in records:
            lang = pick_side(rec, langs, what)
            (tmp / f"{safe_file_name(rec['id'], ext)}{ext}").write_text(render(rec, lang), encoding="utf-8")
            n += 1
    return n


def write(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    check_options(FORMAT, "writer", options)
    return write_documents(records, path, langs, ".TextGrid", "a TextGrid", render)


FORMAT = Format(
    "textgrid", "Praat TextGrid (long and short text forms, interval and point tiers; one record per file)",
    (".textgrid",), frozenset({"segments", "words", "extension-layers"}), read, write,
    max_sides=1, needs_langs=True, x_layers=frozenset({LAYER}),
    read_options={
        "tier": Option(None, "the transcript tier(s): a name, a 1-based number, several joined by ',', or '*' "
                             "(default: the first tier named transcript/utterance/sentence/phrase/ortho/text..., else "
                             "two or more speaker-named tiers, one speaker each, else words/word, else the first "
                             "interval tier)"),
        "words": Option(None, "an interval tier to read as word timings (default: a tier named words/word "
                              "other than the transcript, when its labels are found in the transcript)"),
        "keep_empty": KEEP_EMPTY_OPTION,
        "encoding": ENCODING_OPTION,
        **media_options("the TextGrid"),
    },
    write_options={},
)
