"""NIST STM (segment time marks) and CTM (word time marks), the scoring formats of SCTK's sclite.

STM, one record per segment line: ``<file> <channel> <speaker> <t0> <t1> [<label>] transcript``.
The record id is ``<file>-<channel>-<n>`` (n counts the lines of that file and channel from 0000);
``media.uri`` is the file column, ``media.channel`` the channel when it is a number >= 1 (else the
side's ``meta.channel`` keeps it: ``A``, ``b``); the segment spans the whole transcript with the
speaker. The transcript is kept verbatim: alternations ``{ um / uh / @ }``, optional words ``(a)``
and ``IGNORE_TIME_SEGMENT_IN_SCORING`` (the region sclite leaves out; :data:`IGNORE`) are the
scorer's business. The ``<O,WA>`` label goes to ``meta.label``; ``;;`` comment lines to
``meta.comments`` of the record that follows them (``meta.comments_after`` at the end of the file).
Empty transcripts are kept: a reference segment without words is scored (insertions count there).

CTM, one record per file and channel: ``<file> <channel> <t0> <duration> <word> [<confidence>]``.
The record id is ``<file>-<channel>``; the words, joined by one space, are the text, each with its
timing in the ``words`` layer (``t1 = t0 + duration``, in decimal arithmetic) and its confidence as
``conf`` when it lies in [0, 1]. What the model has no place for is kept in the ``x-ctm`` layer so
writing what was read gives the same lines: ``lines`` (comment lines and the ``<ALT_BEGIN>`` /
``<ALT>`` / ``<ALT_END>`` alternation markers, verbatim, with the index of the word they precede) and
``conf`` (confidences outside [0, 1], e.g. log-likelihoods, by word index). A word keeps sclite's
``;tag`` suffix and ``\\;`` escapes as written. sclite wants a CTM sorted by file and channel; lines of
one file and channel that are not together (meeteval's examples) give one record per run, in file
order, the second one ``<file>-<channel>-2`` and so on: the reader streams, it never holds the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ...errors import InputError
from ..io import atomic_output
from ..jsonl import PathLike
from . import Format, check_options, given_lang, nfc_side, pick_side
from .timed import (
    ENCODING_OPTION,
    add_seconds,
    check_encoding,
    check_times,
    fmt_seconds,
    lines,
    recording_id,
    seconds,
    sub_seconds,
    utterances,
)

IGNORE = "IGNORE_TIME_SEGMENT_IN_SCORING"
_STM = re.compile(r"(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)(?:\s+(<[^<>\s]*>)(?=\s|\Z))?\s*(.*?)\s*\Z")
_ALT = ("<ALT_BEGIN>", "<ALT>", "<ALT_END>")
READ_OPTIONS = {"encoding": ENCODING_OPTION}


def _channel(side: dict[str, Any], col: str) -> None:
    if col.isascii() and col.isdigit() and int(col) >= 1 and str(int(col)) == col:
        side["media"]["channel"] = int(col)
    else:
        side.setdefault("meta", {})["channel"] = col


def channel_of(side: dict[str, Any]) -> str:
    """The channel column of a side: ``media.channel``, else ``meta.channel``, else ``1``."""
    ch = (side.get("media") or {}).get("channel")
    if ch is not None:
        return str(ch)
    col = (side.get("meta") or {}).get("channel")
    return col if isinstance(col, str) and col and not any(c.isspace() for c in col) else "1"


# ---------------------------------------------------------------------------------------- STM

def read_stm(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    check_options(STM, "reader", options)
    check_encoding(options.get("encoding"))
    lang = given_lang(langs, path, "an STM file")
    return _stm_records(Path(path), lang, options.get("encoding"))


def _stm_records(path: Path, lang: str, encoding: str | None) -> Iterator[dict[str, Any]]:
    counts: dict[tuple[str, str], int] = {}
    comments: list[str] = []
    prev: dict[str, Any] | None = None
    for n, line in lines(path, encoding):
        if line.startswith(";;"):
            comments.append(line)
            continue
        if not line.strip():
            continue
        where = f"{path}:{n}"
        m = _STM.match(line.strip())
        if m is None:
            raise InputError(f"{where}: an STM line is '<file> <channel> <speaker> <start> <end> [<label>] "
                             "transcript'")
        f, ch, spk, b, e, label, text = m.groups()
        t0, t1 = seconds(b, where), seconds(e, where)
        check_times(t0, t1, where)
        k = counts.get((f, ch), 0)
        counts[(f, ch)] = k + 1
        side = nfc_side(text)
        side["media"] = {"uri": f}
        _channel(side, ch)
        side["layers"] = {"segments": {"spans": [{"start": 0, "end": len(side["text"]), "t0": t0, "t1": t1,
                                                  "speaker": spk}]}}
        if label:
            side.setdefault("meta", {})["label"] = label
        if comments:
            side.setdefault("meta", {})["comments"] = comments
            comments = []
        if prev is not None:
            yield prev
        prev = {"id": f"{f}-{ch}-{k:04d}", "sides": {lang: side}}
    if prev is not None:
        if comments:
            next(iter(prev["sides"].values())).setdefault("meta", {})["comments_after"] = comments
        yield prev


def write_stm(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    check_options(STM, "writer", options)
    n = 0
    with atomic_output(path, "w") as out:
        for rec in records:
            lang = pick_side(rec, langs, "STM")
            side = rec["sides"][lang]
            meta = side.get("meta") or {}
            for c in meta.get("comments") or ():
                out.write(f"{c}\n")
            f = _token(recording_id(side, rec["id"]), rec, "file")
            ch = channel_of(side)
            label = meta.get("label")
            for u in utterances(rec, lang):
                if u.t0 is None or u.t1 is None:
                    raise InputError(f"record {rec['id']!r}: has no segments; an STM line needs start and end times")
                spk = _token(u.speaker or "unknown", rec, "speaker")
                head = f"{f} {ch} {spk} {fmt_seconds(u.t0)} {fmt_seconds(u.t1)}"
                if isinstance(label, str) and label:
                    head += f" {label}"
                out.write(f"{head} {u.text}\n" if u.text else f"{head}\n")
            for c in meta.get("comments_after") or ():
                out.write(f"{c}\n")
            n += 1
    return n


def _token(s: str, rec: dict[str, Any], what: str) -> str:
    if not s or any(c.isspace() for c in s):
        raise InputError(f"record {rec['id']!r}: the {what} {s!r} cannot be an STM/CTM column (empty or has spaces)")
    return s


# ---------------------------------------------------------------------------------------- CTM

class _Group:
    """The words of one file and channel being read."""

    def __init__(self, f: str, ch: str, run: int) -> None:
        self.f, self.ch, self.run = f, ch, run
        self.words: list[str] = []
        self.times: list[tuple[float, float]] = []
        self.conf: dict[int, float] = {}
        self.raw_conf: dict[str, str] = {}
        self.lines: list[list[Any]] = []

    def record(self, lang: str) -> dict[str, Any]:
        spans, pos, parts = [], 0, []
        for i, (w, (t0, t1)) in enumerate(zip(self.words, self.times)):
            if parts:
                pos += 1
            span: dict[str, Any] = {"start": pos, "end": pos + len(w), "t0": t0, "t1": t1}
            if i in self.conf:
                span["conf"] = self.conf[i]
            spans.append(span)
            parts.append(w)
            pos += len(w)
        side: dict[str, Any] = {"text": " ".join(parts), "media": {"uri": self.f}}
        _channel(side, self.ch)
        layers: dict[str, Any] = {"words": {"spans": spans}}
        extra: dict[str, Any] = {}
        if self.lines:
            extra["lines"] = self.lines
        if self.raw_conf:
            extra["conf"] = self.raw_conf
        if extra:
            layers["x-ctm"] = extra
        side["layers"] = layers
        rid = f"{self.f}-{self.ch}" if self.run == 1 else f"{self.f}-{self.ch}-{self.run}"
        return {"id": rid, "sides": {lang: side}}


def read_ctm(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    check_options(CTM, "reader", options)
    check_encoding(options.get("encoding"))
    lang = given_lang(langs, path, "a CTM file")
    return _ctm_records(Path(path), lang, options.get("encoding"))


def _ctm_records(path: Path, lang: str, encoding: str | None) -> Iterator[dict[str, Any]]:
    import unicodedata

    runs: dict[tuple[str, str], int] = {}
    group: _Group | None = None
    pending: list[str] = []
    for n, line in lines(path, encoding):
        if line.startswith(";;"):
            pending.append(line)
            continue
        if not line.strip():
            continue
        where = f"{path}:{n}"
        cols = line.split()
        if len(cols) not in (5, 6):
            raise InputError(f"{where}: a CTM line is '<file> <channel> <start> <duration> <word> [<confidence>]'")
        f, ch = cols[0], cols[1]
        if group is None or (group.f, group.ch) != (f, ch):
            if group is not None:
                yield group.record(lang)
            runs[(f, ch)] = runs.get((f, ch), 0) + 1
            group = _Group(f, ch, runs[(f, ch)])
        i = len(group.words)
        for c in pending:
            group.lines.append([i, c])
        pending = []
        if cols[4] in _ALT:
            if cols[2] != "*" or cols[3] != "*" or len(cols) != 5:
                raise InputError(f"{where}: an alternation marker {cols[4]} has '*' for its start and duration")
            group.lines.append([i, line])
            continue
        t0 = seconds(cols[2], where)
        t1 = add_seconds(t0, cols[3], where)
        word = unicodedata.normalize("NFC", cols[4])
        group.words.append(word)
        group.times.append((t0, t1))
        if len(cols) == 6:
            try:
                conf = float(cols[5])
            except ValueError:
                raise InputError(f"{where}: confidence {cols[5]!r} is not a number") from None
            if 0 <= conf <= 1:
                group.conf[i] = conf
            else:
                group.raw_conf[str(i)] = cols[5]
    if group is not None:
        for c in pending:
            group.lines.append([len(group.words), c])
        yield group.record(lang)


def write_ctm(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    check_options(CTM, "writer", options)
    n = 0
    with atomic_output(path, "w") as out:
        for rec in records:
            lang = pick_side(rec, langs, "CTM")
            side = rec["sides"][lang]
            layers = side.get("layers") or {}
            if "words" not in layers:
                raise InputError(f"record {rec['id']!r}: has no words layer; CTM holds word timings")
            extra = layers.get("x-ctm") or {}
            before: dict[int, list[str]] = {}
            for i, line in extra.get("lines") or ():
                before.setdefault(i, []).append(line)
            raw_conf = extra.get("conf") or {}
            f = _token(recording_id(side, rec["id"]), rec, "file")
            ch = channel_of(side)
            text = side["text"]
            spans = layers["words"]["spans"]
            for i, w in enumerate(spans):
                for line in before.pop(i, ()):
                    out.write(f"{line}\n")
                word = text[w["start"]:w["end"]]
                if not word or any(c.isspace() for c in word):
                    raise InputError(f"record {rec['id']!r}: word {i} {word!r} cannot be a CTM word (empty or "
                                     "has spaces)")
                line = f"{f} {ch} {fmt_seconds(w['t0'])} {sub_seconds(w['t1'], w['t0'])} {word}"
                conf = raw_conf.get(str(i), w.get("conf"))
                out.write(f"{line} {conf}\n" if conf is not None else f"{line}\n")
            for i in sorted(before):
                for line in before[i]:
                    out.write(f"{line}\n")
            n += 1
    return n


STM = Format(
    name="stm",
    description="NIST STM segment time marks (sclite references): one record per segment line",
    extensions=(".stm",),
    carries=frozenset({"media", "segments", "meta"}),
    read=read_stm,
    write=write_stm,
    max_sides=1,
    needs_langs=True,
    read_options=READ_OPTIONS,
    write_options={},
)

CTM = Format(
    name="ctm",
    description="NIST CTM word time marks (sclite hypotheses): one record per file and channel, a words layer",
    extensions=(".ctm",),
    carries=frozenset({"media", "words", "meta", "extension-layers"}),
    read=read_ctm,
    write=write_ctm,
    max_sides=1,
    needs_langs=True,
    read_options=READ_OPTIONS,
    write_options={},
    x_layers=frozenset({"x-ctm"}),
)
