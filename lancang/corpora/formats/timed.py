"""What the speech formats of lines and files share: decoding their bytes, exact seconds, and the
utterances a record holds.

* :func:`decode_bytes` / :func:`lines`: a BOM (UTF-8, UTF-16 LE/BE) decides the encoding; else
  UTF-8; else the reader option ``encoding`` (``gb18030``, ``gb2312``, ``cp1252``...); else one-line
  :class:`~lancang.errors.InputError` naming the line and the option.
* :func:`seconds` reads a decimal number of seconds exactly (the float nearest the decimal written,
  never rounded further); :func:`add_seconds` / :func:`sub_seconds` do the decimal arithmetic a CTM
  duration needs, so ``119.99 + 0.20`` is ``120.19``, not ``120.19000000000001``;
  :func:`fmt_seconds` writes a float back in its shortest form.
* :func:`utterances` is how a record is cut into the utterances of an utterance-list format (Kaldi,
  STM): a record with one segment over its whole text (what those formats read) is one utterance
  with the record's id; a record with several segments (a TextGrid, an EAF, a subtitle file) gives
  one utterance per segment, ``<record id>-<segment index, 4 digits from 0000>`` unless the segment
  has its own ``id``. :func:`recording_id` names the recording a side's media is.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ...errors import InputError, UsageError
from ..io import folder_output as folder_output  # the TextGrid and subtitle writers import it from here
from ..io import open_input
from . import Option

ENCODING_OPTION = Option(None, "the encoding of a file that has no BOM and is not UTF-8 (gb18030, gb2312, big5, "
                               "cp1252...)")
KEEP_EMPTY_OPTION = Option(False, "keep segments whose text is empty or white space (dropped by default)",
                           (False, True))


def media_options(what: str) -> dict[str, Option]:
    """The reader options of a format that does not name its audio (:func:`lancang.corpora.media.media_option`
    is their rule); ``what`` names the transcript file in the help ("the TextGrid")."""
    return {
        "media": Option(None, "the side's media: a path or URI ({stem} = the file stem), or 'auto' for the audio "
                              f"file of the same stem under media_root if given, else beside {what}"),
        "media_root": Option(None, "the folder relative media paths are resolved against"),
        "media_facts": Option(True, "read the media file's duration, rate, channels and sha256", (True, False)),
    }

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")


def check_encoding(encoding: str | None) -> None:
    if encoding is None:
        return
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise UsageError(f"unknown encoding {encoding!r} (-I encoding=...)") from None


def _not_decodable(where: str, exc: UnicodeDecodeError, data: bytes, encoding: str | None) -> InputError:
    line = data.count(b"\n", 0, exc.start) + 1
    if encoding:
        return InputError(f"{where}:{line}: neither UTF-8 nor {encoding} (byte 0x{data[exc.start]:02x})")
    return InputError(f"{where}:{line}: not UTF-8 (byte 0x{data[exc.start]:02x}) and no BOM: give the "
                      "encoding with -I encoding=... (gb18030 for GB2312/GBK files)")


def decode_bytes(data: bytes, where: str, encoding: str | None = None) -> tuple[str, str]:
    """``(text, encoding used)`` of a whole file's bytes: BOM, else UTF-8, else ``encoding``."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name).removeprefix("\ufeff"), name
            except UnicodeDecodeError as exc:
                raise InputError(f"{where}: starts with a {name} byte order mark but is not {name} "
                                 f"(at byte {exc.start + 1})") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if not encoding:
            raise _not_decodable(where, exc, data, None) from None
        first = exc
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        raise _not_decodable(where, first, data, encoding) from None


def read_text(path: Path, encoding: str | None = None, limit: int = 256 << 20) -> str:
    """A whole (small) text file decoded by :func:`decode_bytes`, line ends left as they are."""
    with open_input(path) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"{path}: larger than {limit >> 20} MiB, the limit for one subtitle or data file")
    return decode_bytes(data, str(path), encoding)[0]


def lines(path: Path | str, encoding: str | None = None) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` of a line-based text file, streamed, without line ends (LF or CRLF).

    A UTF-16 BOM reads the file as UTF-16 and a UTF-8 BOM is dropped. Otherwise the file is UTF-8 (a
    line that is not is an :class:`InputError` at that line), unless ``encoding`` is given and the
    file is not UTF-8 throughout (checked in a first streamed pass: GB2312 bytes can look like UTF-8
    for a line or two), when it is read in ``encoding``."""
    if encoding and not _is_utf8(path):
        enc = encoding
    else:
        enc = "utf-8"
    with open_input(path) as f:
        head = f.peek(4)[:4] if hasattr(f, "peek") else b""
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            import io

            try:
                for n, line in enumerate(io.TextIOWrapper(f, encoding="utf-16", newline=""), 1):
                    yield n, line.removeprefix("\ufeff").rstrip("\r\n")
            except UnicodeDecodeError:
                raise InputError(f"{path}: starts with a UTF-16 byte order mark but is not UTF-16") from None
            return
        for n, raw in enumerate(f, 1):
            if n == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[3:]
            raw = raw.rstrip(b"\r\n")
            try:
                yield n, raw.decode(enc)
            except UnicodeDecodeError as exc:
                if enc == "utf-8":
                    raise InputError(f"{path}:{n}: not UTF-8 (byte 0x{raw[exc.start]:02x}) and no BOM: give the "
                                     "encoding with -I encoding=... (gb18030 for GB2312/GBK files)") from None
                raise InputError(f"{path}:{n}: neither UTF-8 nor {enc} (byte 0x{raw[exc.start]:02x})") from None


def _is_utf8(path: Path | str) -> bool:
    """Whether a file is UTF-8 throughout (or starts with a BOM), read in chunks; False for stdin and
    pipes, which cannot be read twice (the encoding given is then the one used)."""
    p = Path(str(path))
    if str(path) == "-" or not p.is_file():
        return False
    dec = codecs.getincrementaldecoder("utf-8")()
    with open_input(p) as f:
        first = True
        while chunk := f.read(1 << 20):
            if first and chunk.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                return True
            first = False
            try:
                dec.decode(chunk)
            except UnicodeDecodeError:
                return False
        try:
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


# ------------------------------------------------------------------------------------- seconds

def seconds(s: str, where: str) -> float:
    """A time in seconds written as a decimal number (``12``, ``0.50``, ``1e-3``): the float nearest it.
    Negative, infinite and non-numeric values are an :class:`InputError` at ``where``."""
    if not _NUMBER.match(s):
        raise InputError(f"{where}: {s!r} is not a time in seconds")
    v = float(s)
    if v < 0:
        raise InputError(f"{where}: negative time {s}")
    return v


def _dec(t: float) -> Decimal:
    return Decimal(repr(float(t)))


def add_seconds(t0: float, dur: str, where: str) -> float:
    """``t0 + dur`` in decimal arithmetic (a CTM word's end), dur written as a decimal number >= 0."""
    d = seconds(dur, where)
    try:
        return float(_dec(t0) + Decimal(dur))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return t0 + d


def sub_seconds(t1: float, t0: float) -> str:
    """``t1 - t0`` in decimal arithmetic, written in its shortest form (a CTM duration)."""
    return _plain(_dec(t1) - _dec(t0))


def _plain(d: Decimal) -> str:
    s = format(d.normalize(), "f")
    return "0" if s in ("-0", "") else s


def fmt_seconds(t: float) -> str:
    """A time written back in the shortest decimal form that reads as the same float (``0``, ``1.5``)."""
    return _plain(_dec(t))


def check_times(t0: float, t1: float, where: str) -> None:
    if t1 < t0:
        raise InputError(f"{where}: the end time {fmt_seconds(t1)} is before the start time {fmt_seconds(t0)}")


# ------------------------------------------------------------------------- records -> utterances

@dataclass(frozen=True)
class Utterance:
    """One utterance of a record as an utterance-list format writes it."""

    id: str
    text: str
    t0: float | None
    t1: float | None
    speaker: str | None
    side: dict[str, Any]


_SPACE = re.compile(r"\s+")


def one_line(text: str) -> str:
    """An utterance's text on one line: line breaks and tabs inside it become one space each run."""
    return _SPACE.sub(" ", text).strip() if ("\n" in text or "\r" in text or "\t" in text) else text.strip()


def utterances(rec: dict[str, Any], lang: str) -> Iterator[Utterance]:
    """The utterances of one side of a record (see the module docstring)."""
    side = rec["sides"][lang]
    text = side["text"]
    segs = (side.get("layers") or {}).get("segments", {}).get("spans") or []
    if not segs:
        yield Utterance(rec["id"], one_line(text), None, None, None, side)
        return
    if len(segs) == 1 and segs[0]["start"] == 0 and segs[0]["end"] == len(text):
        s = segs[0]
        yield Utterance(rec["id"], one_line(text), s["t0"], s["t1"], s.get("speaker"), side)
        return
    for i, s in enumerate(segs):
        yield Utterance(s.get("id") or f"{rec['id']}-{i:04d}", one_line(text[s["start"]:s["end"]]),
                        s["t0"], s["t1"], s.get("speaker"), side)


_WORDISH = re.compile(r"\S+\Z")


def recording_id(side: dict[str, Any], rec_id: str) -> str:
    """The id of the recording a side's media is: ``meta.recording`` (what the Kaldi reader keeps), else
    the media file's name without its extension when the URI is one token, else the record id."""
    rid = (side.get("meta") or {}).get("recording")
    if isinstance(rid, str) and rid:
        return rid
    uri = (side.get("media") or {}).get("uri")
    if isinstance(uri, str) and _WORDISH.match(uri):
        stem = Path(uri.rstrip("/")).stem
        if stem:
            return stem
    return rec_id


# ------------------------------------------------------------------------------------- folders

def safe_file_name(rid: str, what: str) -> str:
    """A record id usable as a file name inside an output folder (no separators, not . or ..)."""
    if not rid or rid in (".", "..") or "/" in rid or "\\" in rid or "\0" in rid:
        raise InputError(f"record {rid!r}: its id cannot be used as a {what} file name")
    return rid
