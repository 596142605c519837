"""WebVTT and SRT subtitles: one record per file (the id is the file stem), one segment per cue.

Both formats share :func:`parse_timestamp` (``[hh:]mm:ss[.,]fff``: hours optional, any number of
fraction digits read as a decimal fraction, so ``00:01:41,04`` is 101.04 s as go-astisub and
ffmpeg read it; the value is exact, never rounded) and :func:`format_timestamp` (milliseconds,
always with hours). A timing line that does not parse, or whose end is before its start, is a
one-line :class:`~lancang.errors.InputError` with the file and line (a WebVTT parser by the letter
of the spec would drop the cue; a corpus tool must not lose it silently).

The side's text is the cues' texts joined by ``\\n`` (a cue of two lines keeps its line break, the
segment spans both); cues are ordered by (start, end); cues whose text is empty or white space are
dropped unless ``-I keep_empty=true``. A cue's identifier (WebVTT) or number (SRT) is the
segment's ``id``. Cues may overlap in time: when cues of one speaker (or without one) do, the layer
has ``overlap: true``.

**WebVTT** (W3C WebVTT, with the spec's cue-text tokenizer and tree rules): character references
are decoded (``&amp;`` ``&lt;`` ``&nbsp;`` ... by the HTML rules, as the spec says), so the text
stays plain; the cue tags are kept stand-off in the ``codes`` layer, as TMX and XLIFF keep theirs
(:mod:`lancang.corpora.formats.xmlcodes`): ``c``, ``i``, ``b``, ``u``, ``ruby``, ``rt``, ``v`` and
``lang`` spans (``kind`` = the tag name, ``data`` = the start tag as written, ``attrs.classes`` and
``attrs.annotation``; ``attrs["#end"]`` is the end tag when it was not ``</name>``, e.g. ``""`` for
one the cue left open), inline timestamps (``kind: "timestamp"``, ``attrs.t`` in seconds) and tags
the spec ignores (``kind: "tag"``, kept verbatim). The first ``<v Speaker>`` of a cue is the
segment's ``speaker``. The ``x-webvtt`` layer keeps the rest for the round trip: ``title`` (the text
after ``WEBVTT`` on the first line), ``header`` (the metadata lines after it: ``Kind:``,
``Language:``...), ``blocks`` (NOTE, STYLE and REGION blocks and stray text blocks, verbatim, each
with the number of cues before it) and ``settings`` (each cue's settings, by segment index). The
language is ``--src``, else the ``Language:`` header.

**SRT**: cue number, ``00:00:01,000 --> 00:00:02,000`` (anything after the end time, such as the
old ``X1: X2: Y1: Y2:`` box, goes to ``x-srt.settings``), text lines up to a blank line; cues without a
number (go-astisub's missing-sequence files) are read too. SRT has no escaping; its HTML-like tags
(``<i>``, ``<font color=...>``) and ASS overrides (``{\\an8}``) are kept verbatim as ``tag`` codes.
Encodings: a BOM (UTF-8, UTF-16) decides, else UTF-8, else ``-I encoding=...`` (GB2312/GB18030
files are common). The language is ``--src``.

Media: subtitle files do not name their audio; ``-I media=auto`` (the audio file of the same stem
beside the file, or under ``media_root``) or ``-I media=PATH`` gives the side its ``media`` with the
file's facts, as the TextGrid reader does, so the validator can check cue times against it.

Writers write one file per record (a path ending in ``.vtt``/``.srt`` holds one record; any other
path is a folder of ``<id>.vtt`` files). A record needs a ``segments`` layer (times), and its text
outside the segments must be white space only.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from ...errors import InputError, UsageError
from ..io import atomic_output
from ..jsonl import PathLike
from ..media import media_option
from . import Format, check_options, given_lang, pick_side
from .timed import (
    ENCODING_OPTION,
    KEEP_EMPTY_OPTION,
    check_encoding,
    folder_output,
    media_options,
    read_text,
    safe_file_name,
)
from .xmlcodes import CodeError, events

READ_OPTIONS = {
    "encoding": ENCODING_OPTION, "keep_empty": KEEP_EMPTY_OPTION, **media_options("the subtitle file"),
}
_TIMESTAMP = re.compile(r"(?:([0-9]+):)?([0-9]{2}):([0-9]{2})(?:[.,]([0-9]+))?\Z")
_TIMING = re.compile(r"[ \t]*(\S+)[ \t]+-->[ \t]+(\S+)(.*)\Z")
_LINE = re.compile(r"\r\n|\r|\n")
_KNOWN = {"c", "i", "b", "u", "ruby", "rt", "v", "lang"}
_ESCAPE = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\u00a0": "&nbsp;", "\u200e": "&lrm;", "\u200f": "&rlm;"}
_ESCAPES = re.compile("[&<>\u00a0\u200e\u200f]")
_SRT_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>|\{\\[^{}\n]*\}")
_WS = re.compile(r"[ \t\n\f\r]+")


# ---------------------------------------------------------------------------------- timestamps

def parse_timestamp(s: str) -> float | None:
    """Seconds of a subtitle timestamp ``[hh:]mm:ss[.,]fff`` (exact: the float nearest the decimal
    value), or None when ``s`` is not one (minutes or seconds of 60 or more)."""
    m = _TIMESTAMP.match(s)
    if m is None:
        return None
    h, mm, ss, frac = m.groups()
    if int(mm) > 59 or int(ss) > 59:
        return None
    whole = int(h or 0) * 3600 + int(mm) * 60 + int(ss)
    return float(Decimal(whole) + Decimal("0." + frac)) if frac else float(whole)


def format_timestamp(t: float, sep: str = ".") -> str:
    """``hh:mm:ss.mmm`` (``sep=","`` for SRT), rounded half-even to the millisecond the formats hold."""
    ms = int((Decimal(repr(float(t))) * 1000).quantize(Decimal(1)))
    s, ms = divmod(ms, 1000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _timing(line: str, where: str) -> tuple[float, float, str]:
    m = _TIMING.match(line)
    t0 = parse_timestamp(m.group(1)) if m else None
    t1 = parse_timestamp(m.group(2)) if m else None
    if m is None or t0 is None or t1 is None:
        raise InputError(f"{where}: malformed cue timing line {line.strip()[:80]!r} (expected "
                         "'00:00:01.000 --> 00:00:02.500')")
    if t1 < t0:
        raise InputError(f"{where}: the cue ends ({m.group(2)}) before it starts ({m.group(1)})")
    return t0, t1, m.group(3).strip()


# ------------------------------------------------------------------------------ WebVTT cue text

def _nfc(s: str, changed: list[bool]) -> str:
    if s.isascii() or unicodedata.is_normalized("NFC", s):
        return s
    changed[0] = True
    return unicodedata.normalize("NFC", s)


def vtt_cue_text(raw: str, changed: list[bool] | None = None) -> tuple[str, list[dict[str, Any]]]:
    """The plain text of a WebVTT cue payload and its tags as code items (offsets into that text)."""
    changed = changed if changed is not None else [False]
    parts: list[str] = []
    pos = 0
    items: list[dict[str, Any]] = []
    stack: list[tuple[dict[str, Any], int]] = []  # open spans and the number of items before them
    i, n = 0, len(raw)

    def close(end_raw: str | None) -> None:
        it, k = stack.pop()
        it["end"] = pos
        if end_raw != f"</{it['kind']}>":
            it.setdefault("attrs", {})["#end"] = end_raw or ""
        if any(x["start"] == pos for x in items[k + 1:]):
            it.setdefault("attrs", {})["#n"] = len(items) - k - 1

    while i < n:
        lt = raw.find("<", i)
        if lt != i:
            chunk = raw[i:] if lt < 0 else raw[i:lt]
            s = _nfc(html.unescape(chunk), changed)
            parts.append(s)
            pos += len(s)
            i = n if lt < 0 else lt
            continue
        gt = raw.find(">", i + 1)
        end = n if gt < 0 else gt + 1
        tag = raw[i:end]
        inner = raw[i + 1:gt if gt >= 0 else n]
        i = end
        if inner.startswith("/"):
            name = inner[1:]
            if stack and stack[-1][0]["kind"] == name:
                close(tag)
            elif name == "ruby" and stack and stack[-1][0]["kind"] == "rt":
                close("")
                close(tag)
            else:
                items.append({"kind": "tag", "start": pos, "data": tag})
            continue
        if inner[:1].isdigit():
            t = parse_timestamp(inner) if re.fullmatch(r"(?:[0-9]{2,}:)?[0-9]{2}:[0-9]{2}\.[0-9]{3}", inner) else None
            if t is not None:
                items.append({"kind": "timestamp", "start": pos, "data": tag, "attrs": {"t": t}})
            else:
                items.append({"kind": "tag", "start": pos, "data": tag})
            continue
        m = re.match(r"([^\t\n\f\r .]*)((?:\.[^\t\n\f\r .]*)*)(?:[\t\n\f\r ](.*))?\Z", inner, re.S)
        assert m is not None
        name, classes, annotation = m.group(1), m.group(2), _WS.sub(" ", m.group(3) or "").strip()
        parent = stack[-1][0]["kind"] if stack else None
        if name not in _KNOWN or (name == "rt" and parent != "ruby"):
            items.append({"kind": "tag", "start": pos, "data": tag})
            continue
        it: dict[str, Any] = {"kind": name, "start": pos, "end": pos, "data": tag}
        attrs: dict[str, Any] = {}
        if classes.strip("."):
            attrs["classes"] = classes.strip(".")
        if annotation:
            attrs["annotation"] = annotation
        if attrs:
            it["attrs"] = attrs
        stack.append((it, len(items)))
        items.append(it)
    while stack:
        close(None)
    return "".join(parts), items


def _escape(s: str) -> str:
    return _ESCAPES.sub(lambda m: _ESCAPE[m.group()], s)


def render_cue(text: str, items: list[dict[str, Any]], vtt: bool, where: str) -> str:
    """A cue payload from plain text and its code items (the inverse of the readers)."""
    out: list[str] = []
    try:
        for ev, x in events(text, items):
            if ev == "text":
                out.append(_escape(x) if vtt else x)
            elif ev == "ph":
                out.append(x.get("data") or (f"<{format_timestamp(x['attrs']['t'])}>"
                                             if x["kind"] == "timestamp" else ""))
            elif ev == "open":
                out.append(x.get("data") or _start_tag(x))
            else:
                end = (x.get("attrs") or {}).get("#end")
                out.append(end if isinstance(end, str) else f"</{x['kind']}>")
    except CodeError as exc:
        raise InputError(f"{where}: {exc}") from None
    return "".join(out)


def _start_tag(it: dict[str, Any]) -> str:
    attrs = it.get("attrs") or {}
    classes = attrs.get("classes")
    tag = it["kind"] + (f".{classes}" if classes else "")
    if attrs.get("annotation"):
        tag += f" {attrs['annotation']}"
    return f"<{tag}>"


def _srt_cue_text(raw: str, changed: list[bool]) -> tuple[str, list[dict[str, Any]]]:
    parts: list[str] = []
    items: list[dict[str, Any]] = []
    pos = last = 0
    for m in _SRT_TAG.finditer(raw):
        s = _nfc(raw[last:m.start()], changed)
        parts.append(s)
        pos += len(s)
        items.append({"kind": "tag", "start": pos, "data": m.group()})
        last = m.end()
    parts.append(_nfc(raw[last:], changed))
    return "".join(parts), items


# ------------------------------------------------------------------------------------ the record

class _Cue:
    __slots__ = ("id", "t0", "t1", "settings", "text", "items", "order")

    def __init__(self, cid: str | None, t0: float, t1: float, settings: str, text: str,
                 items: list[dict[str, Any]], order: int) -> None:
        self.id, self.t0, self.t1, self.settings = cid, t0, t1, settings
        self.text, self.items, self.order = text, items, order


def _record(rid: str, lang: str, cues: list[_Cue], blocks: list[tuple[int, str]], ext: dict[str, Any],
            ext_name: str, keep_empty: bool, changed: bool) -> dict[str, Any]:
    """One record from the cues in file order; ``blocks`` are (index of the cue they precede in file
    order, raw block)."""
    kept = [c for c in cues if keep_empty or c.text.strip()]
    ordered = sorted(kept, key=lambda c: (c.t0, c.t1))
    parts: list[str] = []
    segs: list[dict[str, Any]] = []
    codes: list[dict[str, Any]] = []
    settings: dict[str, str] = {}
    pos = 0
    for k, c in enumerate(ordered):
        if parts:
            pos += 1
        seg: dict[str, Any] = {"start": pos, "end": pos + len(c.text), "t0": c.t0, "t1": c.t1}
        for it in c.items:
            it["start"] += pos
            if "end" in it:
                it["end"] += pos
            if "speaker" not in seg and it["kind"] == "v" and (it.get("attrs") or {}).get("annotation"):
                seg["speaker"] = it["attrs"]["annotation"]
        codes.extend(c.items)
        if c.id:
            seg["id"] = c.id
        if c.settings:
            settings[str(k)] = c.settings
        segs.append(seg)
        parts.append(c.text)
        pos += len(c.text)
    side: dict[str, Any] = {"text": "\n".join(parts)}
    layers: dict[str, Any] = {}
    if segs:
        layers["segments"] = {"spans": segs}
        if _overlap(segs):
            layers["segments"]["overlap"] = True
    if codes:
        layers["codes"] = {"items": codes}
    if blocks:
        ext["blocks"] = [[sum(1 for c in kept if c.order < at), raw] for at, raw in blocks]
    if settings:
        ext["settings"] = settings
    if ext:
        layers[ext_name] = ext
    if layers:
        side["layers"] = layers
    if changed:
        side["meta"] = {"source_not_nfc": True}
    return {"id": rid, "sides": {lang: side}}


def _overlap(segs: list[dict[str, Any]]) -> bool:
    """Whether cues of one speaker (or of no named speaker) overlap in time: subtitles may (rolling
    captions, two people at once), so the layer says so."""
    ends: dict[Any, float] = {}
    for s in segs:  # ordered by t0
        who = s.get("speaker")
        if who in ends and s["t0"] < ends[who]:
            return True
        ends[who] = max(ends.get(who, 0.0), s["t1"])
    return False


def _with_media(rec: dict[str, Any], path: Path, options: dict[str, Any]) -> dict[str, Any]:
    """The record with its side's ``media`` when ``-I media=...`` names it (``media.media_option``)."""
    media = media_option(options.get("media"), path, options.get("media_root"), options.get("media_facts", True))
    if media:
        next(iter(rec["sides"].values()))["media"] = media
    return rec


def _files(path: Path, suffix: str) -> list[tuple[Path, str]]:
    if path.is_dir():
        return [(p, p.stem) for p in sorted(path.glob(f"*{suffix}"))]
    if not path.exists() and str(path) != "-":
        raise InputError(f"{path}: no such file or folder")
    return [(path, path.name.removesuffix(".gz").rsplit(".", 1)[0] if "." in path.name else path.name)]


def _split_lines(text: str) -> list[str]:
    return _LINE.split(text)


def read_vtt(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    check_options(WEBVTT, "reader", options)
    check_encoding(options.get("encoding"))
    files = _files(Path(path), ".vtt")
    return (_with_media(_read_vtt(p, rid, langs, options.get("encoding"), bool(options.get("keep_empty"))), p,
                        options) for p, rid in files)


def _read_vtt(path: Path, rid: str, langs: Any, encoding: str | None, keep_empty: bool) -> dict[str, Any]:
    lines = _split_lines(read_text(path, encoding))
    first = lines[0] if lines else ""
    if not first.startswith("WEBVTT") or first[6:7] not in ("", " ", "\t"):
        raise InputError(f"{path}:1: a WebVTT file starts with 'WEBVTT'")
    ext: dict[str, Any] = {}
    if first[6:]:
        ext["title"] = first[6:]
    i, header = 1, []
    while i < len(lines) and lines[i].strip() and "-->" not in lines[i]:
        header.append(lines[i])
        i += 1
    if header:
        ext["header"] = header
    named = None
    for h in header:
        key, _, value = h.partition(":")
        if key.strip().lower() == "language" and value.strip():
            named = value.strip()
    lang = given_lang(langs, path, "this WebVTT file (no Language: header)", named)
    changed = [False]
    cues: list[_Cue] = []
    blocks: list[tuple[int, str]] = []
    for start, block in _blocks(lines, i):
        arrow = 0 if "-->" in block[0] else 1 if len(block) > 1 and "-->" in block[1] else None
        if arrow is None:
            blocks.append((len(cues), "\n".join(block)))
            continue
        t0, t1, settings = _timing(block[arrow], f"{path}:{start + arrow + 1}")
        text, items = vtt_cue_text("\n".join(block[arrow + 1:]), changed)
        cues.append(_Cue(block[0] if arrow else None, t0, t1, settings, text, items, len(cues)))
    return _record(rid, lang, cues, blocks, ext, "x-webvtt", keep_empty, changed[0])


def _blocks(lines: list[str], i: int) -> Iterator[tuple[int, list[str]]]:
    """(index of the first line, lines) of the blocks from line ``i``: split at blank lines, and where a
    cue's text meets a line with ``-->`` (the next cue, as the spec's block collection does)."""
    block: list[str] = []
    start = i
    timed = False
    for k in range(i, len(lines)):
        line = lines[k]
        if not line.strip():
            if block:
                yield start, block
            block, timed = [], False
            continue
        if "-->" in line:
            if timed:
                yield start, block
                block = []
            timed = True
        if not block:
            start = k
        block.append(line)
    if block:
        yield start, block


def read_srt(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    check_options(SRT, "reader", options)
    check_encoding(options.get("encoding"))
    lang = given_lang(langs, path, "an SRT file")
    files = _files(Path(path), ".srt")
    return (_with_media(_read_srt(p, rid, lang, options.get("encoding"), bool(options.get("keep_empty"))), p,
                        options) for p, rid in files)


def _read_srt(path: Path, rid: str, lang: str, encoding: str | None, keep_empty: bool) -> dict[str, Any]:
    lines = _split_lines(read_text(path, encoding))
    changed = [False]
    cues: list[_Cue] = []
    blocks = list(_blocks(lines, 0))
    for b, (start, block) in enumerate(blocks):
        first = block[0].strip()
        if "-->" in first:
            arrow, cid = 0, None
            if b and blocks[b - 1][0] + len(blocks[b - 1][1]) == start and cues and cues[-1].id is not None \
                    and cues[-1].text.rsplit("\n", 1)[-1].strip().isdigit():
                # no blank line before this cue: the last line of the previous one is this cue's number
                prev = cues[-1]
                head, _, cid = prev.text.rpartition("\n")
                prev.text, cid = head, cid.strip()
        elif first.isdigit() and len(block) > 1:
            arrow, cid = 1, first
        else:
            k = 1 if first.isdigit() else 0
            raise InputError(f"{path}:{start + k + 1}: expected a cue timing line ('00:00:01,000 --> "
                             f"00:00:02,000'), found {block[k].strip()[:80] if k < len(block) else 'nothing'!r}")
        t0, t1, settings = _timing(block[arrow], f"{path}:{start + arrow + 1}")
        text, items = _srt_cue_text("\n".join(block[arrow + 1:]), changed)
        cues.append(_Cue(cid, t0, t1, settings, text, items, len(cues)))
    return _record(rid, lang, cues, [], {}, "x-srt", keep_empty, changed[0])


# ------------------------------------------------------------------------------------------ writing

def _cues(rec: dict[str, Any], lang: str, vtt: bool) -> Iterator[tuple[int, dict[str, Any], str]]:
    """(index, segment, payload) of each cue of a record's side, in layer order."""
    side = rec["sides"][lang]
    text = side["text"]
    layers = side.get("layers") or {}
    segs = (layers.get("segments") or {}).get("spans") or []
    where = f"record {rec['id']!r}"
    if not segs and text.strip():
        raise InputError(f"{where}: has text but no segments layer; a subtitle cue needs its times")
    covered = sorted((s["start"], s["end"]) for s in segs)
    pos = 0
    for a, b in covered:
        if text[pos:a].strip():
            raise InputError(f"{where}: text outside the segments ({text[pos:a].strip()[:40]!r}) cannot be "
                             "written as subtitles")
        pos = max(pos, b)
    if text[pos:].strip():
        raise InputError(f"{where}: text outside the segments ({text[pos:].strip()[:40]!r}) cannot be written "
                         "as subtitles")
    items = list((layers.get("codes") or {}).get("items") or [])
    used: set[int] = set()
    for k, s in enumerate(segs):
        rebased = []
        for j, it in enumerate(items):
            if j not in used and s["start"] <= it["start"] <= s["end"] and it.get("end", it["start"]) <= s["end"]:
                used.add(j)
                r = dict(it, start=it["start"] - s["start"])
                if "end" in r:
                    r["end"] -= s["start"]
                rebased.append(r)
        payload = render_cue(text[s["start"]:s["end"]], rebased, vtt, f"{where} segment {k}")
        if vtt and s.get("speaker") and not any(r["kind"] == "v" for r in rebased):
            spk = s["speaker"]
            if ">" in spk or "\n" in spk:
                raise InputError(f"{where} segment {k}: speaker {spk!r} cannot be a WebVTT voice")
            payload = f"<v {spk}>{payload}"
        if not payload.strip():
            payload = ""  # a cue of white space is an empty cue
        lines = payload.split("\n")
        if payload and (any(not ln.strip() for ln in lines) or any("-->" in ln for ln in lines)):
            raise InputError(f"{where} segment {k}: a cue's text cannot hold a blank line or '-->'")
        yield k, s, payload
    if len(used) != len(items):
        raise InputError(f"{where}: {len(items) - len(used)} code(s) lie outside every segment")


def render_vtt(rec: dict[str, Any], lang: str) -> str:
    side = rec["sides"][lang]
    ext = (side.get("layers") or {}).get("x-webvtt") or {}
    out = ["WEBVTT" + (ext.get("title") or "")]
    out.extend(ext.get("header") or ())
    blocks: dict[int, list[str]] = {}
    for at, raw in ext.get("blocks") or ():
        blocks.setdefault(at, []).append(raw)
    settings = ext.get("settings") or {}
    for k, s, payload in _cues(rec, lang, True):
        for raw in blocks.pop(k, ()):
            out += ["", raw]
        out.append("")
        if s.get("id"):
            out.append(s["id"])
        timing = f"{format_timestamp(s['t0'])} --> {format_timestamp(s['t1'])}"
        if settings.get(str(k)):
            timing += f" {settings[str(k)]}"
        out.append(timing)
        if payload:
            out.append(payload)
    for at in sorted(blocks):
        for raw in blocks[at]:
            out += ["", raw]
    return "\n".join(out) + "\n"


def render_srt(rec: dict[str, Any], lang: str) -> str:
    side = rec["sides"][lang]
    settings = ((side.get("layers") or {}).get("x-srt") or {}).get("settings") or {}
    out: list[str] = []
    for k, s, payload in _cues(rec, lang, False):
        sid = s.get("id")
        timing = f"{format_timestamp(s['t0'], ',')} --> {format_timestamp(s['t1'], ',')}"
        if settings.get(str(k)):
            timing += f" {settings[str(k)]}"
        out += [sid if isinstance(sid, str) and sid.isdigit() else str(k + 1), timing]
        if payload:
            out.append(payload)
        out.append("")
    return "\n".join(out)


def _write(records: Iterable[dict[str, Any]], path: PathLike, langs: Any, suffix: str, holder: str,
           render: Any) -> int:
    target = Path(path)
    n = 0
    if str(path) == "-" or target.name.removesuffix(".gz").endswith(suffix):
        with atomic_output(path, "w") as out:
            for rec in records:
                if n:
                    raise UsageError(f"{path}: one {holder} file holds one record; write a folder for {n + 1} "
                                     "or more")
                out.write(render(rec, pick_side(rec, langs, holder)))
                n += 1
        return n
    with folder_output(target) as tmp:
        names: set[str] = set()
        for rec in records:
            name = safe_file_name(rec["id"], holder)
            if name in names:
                raise InputError(f"record {rec['id']!r}: a file of that name was already written")
            names.add(name)
            (tmp / f"{name}{suffix}").write_text(render(rec, pick_side(rec, langs, holder)), encoding="utf-8",
                                                 newline="\n")
            n += 1
    return n


def write_vtt(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    check_options(WEBVTT, "writer", options)
    return _write(records, path, langs, ".vtt", "WebVTT", render_vtt)


def write_srt(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    check_options(SRT, "writer", options)
    return _write(records, path, langs, ".srt", "SRT", render_srt)


WEBVTT = Format(
    name="webvtt",
    description="W3C WebVTT subtitles and captions: one record per file, a segment per cue, cue tags as codes",
    extensions=(".vtt",),
    carries=frozenset({"segments", "codes", "extension-layers"}),
    read=read_vtt,
    write=write_vtt,
    max_sides=1,
    read_options=READ_OPTIONS,
    write_options={},
    x_layers=frozenset({"x-webvtt"}),
)

SRT = Format(
    name="srt",
    description="SubRip subtitles: one record per file, a segment per cue",
    extensions=(".srt",),
    carries=frozenset({"segments", "codes", "extension-layers"}),
    read=read_srt,
    write=write_srt,
    max_sides=1,
    needs_langs=True,
    read_options=READ_OPTIONS,
    write_options={},
    x_layers=frozenset({"x-srt"}),
)
