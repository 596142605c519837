"""Exact offset translation: code points, UTF-16 code units, UTF-8 bytes, graphemes, and the
source text of a file (BOM, CRLF, non-NFC) versus lancang's canonical NFC text.

lancang offsets are Unicode code points into NFC text. Tools count otherwise: Label Studio and
doccano count JavaScript UTF-16 code units (an emoji outside the BMP is two), spaCy and brat count
code points of the text *as it was read* (a BOM, a CRLF, a decomposed ``e`` + combining acute),
byte-oriented tools count UTF-8 bytes. Every translation here is exact or raises
:class:`OffsetError`: an offset that falls inside a surrogate pair, inside a UTF-8 sequence, between
the CR and LF of a line break, or inside a sequence that NFC composes into fewer code points has no
code-point equivalent, and guessing one would silently move an annotation.

>>> ix = UnitIndex("a😀b", "utf16")
>>> ix.to_cp(3), ix.from_cp(2)
(2, 3)
>>> src = SourceText("\\ufeffCafe\\u0301\\r\\nx", bom_counts=True, crlf_units=2)
>>> src.text
'Café\\nx'
>>> src.to_canonical(8), src.from_canonical(4)
(5, 6)
>>> src.to_canonical(7)
Traceback (most recent call last):
...
lancang.corpora.offsets.OffsetError: offset 7 falls inside a CRLF line break
"""

from __future__ import annotations

import bisect
import functools
import unicodedata
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import InputError

BOM = "\ufeff"
UNITS = ("codepoint", "utf16", "utf8", "grapheme")


class OffsetError(InputError):
    """An offset that has no exact equivalent in the other unit or text (the caller adds where)."""


# ------------------------------------------------------------------------------- unit indices

class UnitIndex:
    """Translate between code-point offsets and offsets in another unit, for one text.

    ``unit`` is ``codepoint`` (identity), ``utf16`` (JavaScript/Java string indices), ``utf8``
    (bytes) or ``grapheme`` (extended grapheme clusters, as doccano's "count grapheme clusters as
    one character" option). Texts where the unit and code points coincide (all BMP for UTF-16,
    ASCII for UTF-8) cost nothing; otherwise one array of cumulative widths is built.
    """

    __slots__ = ("text", "unit", "_cum")

    def __init__(self, text: str, unit: str = "codepoint"):
        if unit not in UNITS:
            raise ValueError(f"unknown offset unit {unit!r}; use one of {', '.join(UNITS)}")
        self.text = text
        self.unit = unit
        self._cum: array | None = None  # unit offset of each code point boundary (len n + 1)
        if unit == "utf16":
            if not text.isascii() and max(text) > "\uffff":
                self._cum = _cumulate(2 if c > "\uffff" else 1 for c in text)
        elif unit == "utf8":
            if not text.isascii():
                self._cum = _cumulate(_utf8_width(c) for c in text)
        elif unit == "grapheme":
            import regex

            # for graphemes _cum maps grapheme index -> code-point offset
            starts = [m.start() for m in regex.finditer(r"\X", text)]
            self._cum = array("q", starts + [len(text)])

    def __len__(self) -> int:
        """Length of the text in this unit."""
        if self.unit == "grapheme":
            assert self._cum is not None
            return len(self._cum) - 1
        return len(self.text) if self._cum is None else self._cum[-1]

    def from_cp(self, i: int) -> int:
        """The offset in this unit of code-point offset ``i`` (0 <= i <= len(text))."""
        n = len(self.text)
        if not 0 <= i <= n:
            raise OffsetError(f"offset {i} is outside the text (length {n} code points)")
        if self._cum is None:
            return i
        if self.unit == "grapheme":
            k = bisect.bisect_left(self._cum, i)
            if self._cum[k] != i:
                raise OffsetError(f"code-point offset {i} falls inside a grapheme cluster")
            return k
        return self._cum[i]

    def to_cp(self, u: int) -> int:
        """The code-point offset of offset ``u`` in this unit; :class:`OffsetError` if it falls
        inside a character (half a surrogate pair, the middle of a UTF-8 sequence) or past the end."""
        total = len(self)
        if not isinstance(u, int) or isinstance(u, bool):
            raise OffsetError(f"offset {u!r} is not an integer")
        if not 0 <= u <= total:
            raise OffsetError(f"{_UNIT_NAMES[self.unit]} offset {u} is outside the text (length {total})")
        if self._cum is None:
            return u
        if self.unit == "grapheme":
            return self._cum[u]
        k = bisect.bisect_left(self._cum, u)
        if self._cum[k] != u:
            c = self.text[k - 1]
            raise OffsetError(f"{_UNIT_NAMES[self.unit]} offset {u} falls inside the character "
                              f"U+{ord(c):04X} at code point {k - 1}")
        return k

    def span_to_cp(self, start: int, end: int) -> tuple[int, int]:
        s, e = self.to_cp(start), self.to_cp(end)
        if s > e:
            raise OffsetError(f"span [{start}, {end}] ends before it starts")
        return s, e


_UNIT_NAMES = {"codepoint": "code-point", "utf16": "UTF-16", "utf8": "UTF-8 byte", "grapheme": "grapheme"}


def _utf8_width(c: str) -> int:
    o = ord(c)
    return 1 if o < 0x80 else 2 if o < 0x800 else 3 if o < 0x10000 else 4


def _cumulate(widths: Iterable[int]) -> array:
    out = array("q", [0])
    total = 0
    for w in widths:
        total += w
        out.append(total)
    return out


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (JavaScript's ``text.length``)."""
    return len(text) + sum(1 for c in text if c > "\uffff") if not text.isascii() else len(text)


# ------------------------------------------------------------------------ piecewise offset maps

@dataclass(frozen=True, slots=True)
class Edit:
    """A stretch ``[src_start, src_end)`` of the source that became ``[dst_start, dst_end)``.

    Offsets strictly inside an edit have no exact image; outside edits the map is a shift.
    """

    src_start: int
    src_end: int
    dst_start: int
    dst_end: int


class OffsetMap:
    """A monotone map between source and target offsets made of :class:`Edit` stretches."""

    __slots__ = ("edits", "_src", "_dst", "why")

    def __init__(self, edits: Sequence[Edit] = (), why: str = "changed"):
        self.edits = list(edits)
        self._src = [e.src_start for e in self.edits]
        self._dst = [e.dst_start for e in self.edits]
        self.why = why

    def __bool__(self) -> bool:
        return bool(self.edits)

    def forward(self, o: int) -> int:
        return self._map(o, self._src, True)

    def backward(self, o: int) -> int:
        return self._map(o, self._dst, False)

    def _map(self, o: int, starts: list[int], fwd: bool) -> int:
        k = bisect.bisect_right(starts, o) - 1
        if k < 0:
            return o
        e = self.edits[k]
        a0, a1, b0, b1 = (e.src_start, e.src_end, e.dst_start, e.dst_end) if fwd else \
            (e.dst_start, e.dst_end, e.src_start, e.src_end)
        if o == a0:
            # from an empty stretch (towards a deleted BOM), land after what was deleted
            return b1 if a0 == a1 else b0
        if o >= a1:
            return o - a1 + b1
        raise OffsetError(f"offset {o} falls inside {self.why} (offsets {a0}..{a1})")


# ----------------------------------------------------------------------------------- NFC maps

@functools.cache
def _unsafe_starters() -> frozenset[str]:
    """Characters of combining class 0 that NFC may join to the character before them (the
    second half of a canonical composition, Hangul V/T jamo) or that NFC itself changes."""
    out: set[str] = set()
    for cp in range(0x110000):
        c = chr(cp)
        d = unicodedata.decomposition(c)
        if d and not d.startswith("<"):
            parts = d.split()
            if len(parts) == 2:
                out.add(chr(int(parts[1], 16)))
            if unicodedata.normalize("NFC", c) != c:  # singletons and excluded composites
                out.add(c)
    out.update(chr(cp) for cp in range(0x1161, 0x1176))  # Hangul medial vowels
    out.update(chr(cp) for cp in range(0x11A8, 0x11C3))  # Hangul final consonants
    return frozenset(out)


def _stable_before(c: str) -> bool:
    """NFC never merges ``c`` with what precedes it, so a text may be cut before ``c``."""
    return unicodedata.combining(c) == 0 and c not in _unsafe_starters()


def _piece_edits(piece: str, norm: str, start: int, dst: int) -> Iterable[Edit]:
    """Edits for one piece that NFC changed, cut at every inner point where normalising the two
    halves apart gives the same result (e.g. between two stacked accents that do not compose), so
    that exactly the offsets with no equivalent are refused."""
    points = [(0, 0)]
    for k in range(1, len(piece)):
        head = unicodedata.normalize("NFC", piece[:k])
        if norm.startswith(head) and head + unicodedata.normalize("NFC", piece[k:]) == norm:
            points.append((k, len(head)))
    points.append((len(piece), len(norm)))
    for (k0, d0), (k1, d1) in zip(points, points[1:]):
        if piece[k0:k1] != norm[d0:d1]:
            yield Edit(start + k0, start + k1, dst + d0, dst + d1)


def nfc_map(text: str) -> tuple[str, OffsetMap]:
    """``(NFC text, map from offsets in text to offsets in the NFC text)``.

    The text is cut where NFC cannot act across the cut (before a character of combining class 0
    that never composes with a preceding one); each piece is normalised alone. Offsets at the cuts
    and inside pieces that NFC leaves alone map exactly; offsets inside a piece that NFC changed
    (e.g. between ``e`` and a combining acute) raise :class:`OffsetError`.
    """
    if unicodedata.is_normalized("NFC", text):
        return text, OffsetMap(why="a sequence NFC composes")
    edits: list[Edit] = []
    parts: list[str] = []
    n = len(text)
    start = 0
    dst = 0
    for i in range(1, n + 1):
        if i < n and not _stable_before(text[i]):
            continue
        piece = text[start:i]
        norm = unicodedata.normalize("NFC", piece) if not piece.isascii() else piece
        if norm != piece:
            edits.extend(_piece_edits(piece, norm, start, dst))
        parts.append(norm)
        dst += len(norm)
        start = i
    return "".join(parts), OffsetMap(edits, why="a character sequence that NFC composes")


# ------------------------------------------------------------------------------- source texts

class SourceText:
    """The text of a file as a tool counted it, and lancang's canonical text made from it.

    The canonical text has no BOM, LF line ends (each CRLF becomes LF; a lone CR is kept) and is
    NFC. ``bom_counts``: the tool counted a leading BOM as one character (Python's ``utf-8``
    codec and brat do; ``utf-8-sig`` does not). ``crlf_units``: the tool counted a CRLF as 2
    characters (binary/newline-preserving reads) or 1 (universal newlines: Python's default
    text mode, brat 1.3). :meth:`to_canonical` and :meth:`from_canonical` translate offsets
    exactly or raise :class:`OffsetError`.
    """

    def __init__(self, raw: str, *, bom_counts: bool = False, crlf_units: int = 2):
        if crlf_units not in (1, 2):
            raise ValueError("crlf_units is 1 or 2")
        self.raw = raw
        self.bom = raw.startswith(BOM)
        self.crlf = "\r\n" in raw
        self.bom_counts = bom_counts
        self.crlf_units = crlf_units
        stages: list[OffsetMap] = []
        t = raw
        if self.bom:
            t = t[1:]
            if bom_counts:
                stages.append(OffsetMap([Edit(0, 1, 0, 0)], why="the byte order mark"))
        if self.crlf:
            if crlf_units == 2:
                edits = []
                k = 0  # CRs removed so far
                for j, c in enumerate(t):
                    if c == "\r" and t[j + 1:j + 2] == "\n":
                        edits.append(Edit(j, j + 2, j - k, j - k + 1))
                        k += 1
                stages.append(OffsetMap(edits, why="a CRLF line break"))
            t = t.replace("\r\n", "\n")
        text, nfc = nfc_map(t)
        if nfc:
            stages.append(nfc)
        self.nfc_changed = text != t
        self.text = text
        self._stages = stages

    def to_canonical(self, o: int) -> int:
        """The canonical offset of source offset ``o``."""
        if not 0 <= o <= self.source_length:
            raise OffsetError(f"offset {o} is outside the text (length {self.source_length})")
        x = o
        for st in self._stages:
            try:
                x = st.forward(x)
            except OffsetError:
                raise OffsetError(f"offset {o} falls inside {st.why}") from None
        return x

    def from_canonical(self, o: int) -> int:
        """The source offset of canonical offset ``o`` (for writing offsets back)."""
        if not 0 <= o <= len(self.text):
            raise OffsetError(f"offset {o} is outside the text (length {len(self.text)})")
        x = o
        for st in reversed(self._stages):
            try:
                x = st.backward(x)
            except OffsetError:
                raise OffsetError(f"canonical offset {o} falls inside {st.why}") from None
        return x

    @property
    def source_length(self) -> int:
        """Length of the source as the tool counted it."""
        n = len(self.raw)
        if self.bom and not self.bom_counts:
            n -= 1
        if self.crlf_units == 1:
            n -= self.raw.count("\r\n")
        return n

    def counted(self) -> str:
        """The source string exactly as the tool indexed it (for checking quoted span texts)."""
        t = self.raw
        if self.bom and not self.bom_counts:
            t = t[1:]
        if self.crlf_units == 1:
            t = t.replace("\r\n", "\n")
        return t


def render_source(text: str, *, bom: bool = False, crlf: bool = False) -> str:
    """The inverse of :class:`SourceText` for an NFC text: add a BOM and CRLF line ends back."""
    if crlf:
        text = text.replace("\n", "\r\n")
    return (BOM + text) if bom else text


def source_for_canonical(text: str, *, bom: bool = False, crlf: bool = False, bom_counts: bool = False,
                         crlf_units: int = 2) -> SourceText:
    """The :class:`SourceText` a writer produces for canonical ``text`` (to compute offsets)."""
    return SourceText(render_source(text, bom=bom, crlf=crlf), bom_counts=bom_counts, crlf_units=crlf_units)
