"""Exact code-point spans from whatever a backend returns.

Backends answer in different shapes: offsets into the text (jieba, spaCy, SentencePiece), offsets
into a normalised copy (burmesenlp, OpenCC-converted Chinese), or bare strings that drop white
space (khmer-nltk), join syllables with ``_`` (pyvi), re-normalise accents (underthesea) or drop
zero-width spaces. Everything goes through two functions here, which always return spans of the
*original* text that

* are in order, never overlap and stay inside the text,
* neither start nor end with white space (``str.isspace``), and
* together cover every non-space character (text a backend dropped becomes its own span, except
  format characters such as U+200B, which join the neighbouring span).

:func:`normalize_spans` cleans backend offsets; :func:`locate` finds backend strings in the text.
When the strings match the text once white space is set aside (the usual case) the mapping is
exact. Where a backend changed characters, the two sequences are aligned (equal runs anchored,
changed runs mapped position by position), so a changed character never moves a boundary outside
its own changed run. Output that cannot be aligned at all raises :class:`MappingError`.

>>> text = "Tôi là  sinh viên."
>>> [text[s:e] for s, e in locate(text, "Tôi là sinh_viên .".split(" "), ignore="_")]
['Tôi', 'là', 'sinh viên', '.']
>>> km = "ខ្ញុំ\\u200bទៅ"
>>> [km[s:e] for s, e in locate(km, ["ខ្ញុំ", "ទៅ"])]
['ខ្ញុំ\\u200b', 'ទៅ']
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from ..errors import LancangError

Span = tuple[int, int]

#: How far ahead (in characters, on each side) the aligner looks for the next matching run.
WINDOW = 48
#: Length of the run that re-anchors the alignment after a change.
ANCHOR = 3


#: Format characters backends often drop or add (zero-width space and joiners, word joiner, BOM,
#: soft hyphen, direction marks). Matching sets them aside like white space; spans still cover them.
INVISIBLE = frozenset("\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                      "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff")


class MappingError(LancangError):
    """Backend output that cannot be mapped onto the text (the caller adds record and side)."""


def _is_format(s: str) -> bool:
    return all(unicodedata.category(c) == "Cf" for c in s)


def _trim(text: str, s: int, e: int) -> Span | None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s, e) if s < e else None


def _gap_spans(text: str, s: int, e: int, split_on_space: bool) -> list[Span]:
    """Non-space runs of text no backend span covered."""
    if not split_on_space:
        t = _trim(text, s, e)
        return [t] if t else []
    out, i = [], s
    while i < e:
        while i < e and text[i].isspace():
            i += 1
        j = i
        while j < e and not text[j].isspace():
            j += 1
        if j > i:
            out.append((i, j))
        i = j
    return out


def normalize_spans(text: str, spans: Iterable[Sequence[int]], kind: str = "tokens") -> list[Span]:
    """Clean backend spans into the canonical segmentation of ``text`` (see the module doc).

    Spans are clipped to the text and to each other, trimmed of white space, and white-space-only
    spans dropped. Uncovered text becomes new spans: for tokens one per white-space-separated run,
    for sentences it joins the previous sentence (or the next, at the start). ``kind`` is
    ``tokens`` or ``sentences``.
    """
    spans = spans if isinstance(spans, list) else list(spans)
    fast = _normalize_tiled(text, spans)
    return fast if fast is not None else _normalize(text, spans, kind)


def _normalize_tiled(text: str, spans: list[Sequence[int]]) -> list[Span] | None:
    """The common case in one cheap pass: spans in order, inside the text, gaps only white space."""
    n = len(text)
    out: list[Span] = []
    append = out.append
    pos = 0
    for s, e in spans:
        if s < pos or e > n or e < s:
            return None
        if s > pos and not text[pos:s].isspace():
            return None
        if e > s:
            c = text[s]
            if c in INVISIBLE:
                return None  # an invisible-only span joins a neighbour: the careful path decides
            if c.isspace() or text[e - 1].isspace():
                t = _trim(text, s, e)
                if t is not None:
                    append(t)
            else:
                append((s, e))
            pos = e
    if pos < n and not text[pos:].isspace():
        return None
    return out


def _normalize(text: str, spans: list[Sequence[int]], kind: str) -> list[Span]:
    n = len(text)
    tokens = kind == "tokens"
    out: list[Span] = []
    pending: list[Span] = []  # gap runs waiting to see whether they join the next span
    pos = 0
    for s, e in sorted((max(0, int(a)), min(n, int(b))) for a, b in spans):
        if s < pos:
            s = pos
        if e <= s:
            continue
        if s > pos:
            _place_gap(text, pos, s, out, pending, tokens)
        t = _trim(text, s, e)
        if t is not None and all(c in INVISIBLE for c in text[t[0]:t[1]]):
            _place_gap(text, s, e, out, pending, tokens)  # the gap rules attach it to a neighbour
            pos = e
            continue
        pos = e
        if t is None:
            continue
        if pending:
            t = _absorb(text, t, out, pending, tokens)
        out.append(t)
    if pos < n:
        _place_gap(text, pos, n, out, pending, tokens)
    if pending:  # gap runs at the very end, or a text with no backend span at all
        if tokens:
            out.extend(pending)
        else:
            merged = (pending[0][0], pending[-1][1])
            if out:
                out[-1] = (out[-1][0], merged[1])
            else:
                out.append(merged)
    return out


def _place_gap(text: str, s: int, e: int, out: list[Span], pending: list[Span], tokens: bool) -> None:
    for g in _gap_spans(text, s, e, split_on_space=tokens):
        if tokens:
            if out and not pending and out[-1][1] == g[0] and _is_format(text[g[0]:g[1]]):
                out[-1] = (out[-1][0], g[1])  # a zero-width space right after a token joins it
            elif pending and pending[-1][1] == g[0]:
                pending[-1] = (pending[-1][0], g[1])  # one run, cut only by an invisible span
            else:
                pending.append(g)
        elif out:
            out[-1] = (out[-1][0], g[1])  # dropped text joins the previous sentence
        else:
            pending.append(g)


def _absorb(text: str, t: Span, out: list[Span], pending: list[Span], tokens: bool) -> Span:
    """Flush gap runs before span ``t``; a format-character run touching ``t`` joins it."""
    if not tokens:
        start = pending[0][0]
        pending.clear()
        return (start, t[1])
    last = pending[-1]
    if last[1] == t[0] and _is_format(text[last[0]:last[1]]):
        pending.pop()
        t = (last[0], t[1])
    out.extend(pending)
    pending.clear()
    return t


def spans_from_lengths(text: str, pieces: Sequence[str], kind: str = "tokens") -> list[Span] | None:
    """Spans when the pieces concatenate exactly to the text (None otherwise), in one pass."""
    if "".join(pieces) != text:
        return None
    out: list[Span] = []
    append = out.append
    pos = 0
    for p in pieces:
        end = pos + len(p)
        if end > pos:
            if p[0] in INVISIBLE:
                return normalize_spans(text, _lengths(pieces), kind)
            if p[0].isspace() or p[-1].isspace():
                t = _trim(text, pos, end)
                if t is not None:
                    append(t)
            else:
                append((pos, end))
        pos = end
    return out if kind == "tokens" else normalize_spans(text, out, kind)


def _lengths(pieces: Sequence[str]) -> list[Span]:
    out, pos = [], 0
    for p in pieces:
        out.append((pos, pos + len(p)))
        pos += len(p)
    return out


def locate(text: str, pieces: Sequence[str], ignore: str = "", kind: str = "tokens") -> list[Span]:
    """Find backend strings (tokens or sentences, in order) in ``text`` and return clean spans.

    White space and invisible format characters (:data:`INVISIBLE`) in the pieces and in the text
    are set aside before matching, and characters in ``ignore`` are dropped from the pieces (e.g.
    pyvi's ``_``), so a piece may hold more, less or other white space than the text. A piece
    covers the text from its first to its last matched character, inner white space included
    (Vietnamese words such as ``sinh viên``).
    """
    if not ignore:
        exact = spans_from_lengths(text, pieces, kind)
        if exact is not None:
            return exact
    tpos = [i for i, c in enumerate(text) if not (c.isspace() or c in INVISIBLE)]
    tkey = "".join(text[i] for i in tpos)
    drop = INVISIBLE | set(ignore)
    bounds: list[tuple[int, int]] = []  # key-space [start, end) of each piece
    parts: list[str] = []
    k = 0
    for p in pieces:
        kp = "".join(c for c in p if not c.isspace() and c not in drop)
        bounds.append((k, k + len(kp)))
        parts.append(kp)
        k += len(kp)
    pkey = "".join(parts)
    if pkey == tkey:
        return normalize_spans(text, _to_text(tpos, len(text), bounds), kind)
    blocks = align(tkey, pkey)
    mapped = map_bounds(blocks, bounds)
    return normalize_spans(text, _to_text(tpos, len(text), mapped), kind)


def _to_text(tpos: list[int], n: int, bounds: Iterable[tuple[int, int]]) -> list[Span]:
    """Key-space spans to text spans (first matched character to last, inclusive)."""
    out = []
    for a, b in bounds:
        if b > a:
            out.append((tpos[a] if a < len(tpos) else n, tpos[b - 1] + 1))
    return out


def align(a: str, b: str, window: int = WINDOW, anchor: int = ANCHOR) -> list[tuple[int, int, int, int]]:
    """Align two strings as blocks ``(i0, i1, j0, j1)`` covering both, in order.

    Equal runs are matched exactly; after a difference the next run of ``anchor`` equal characters
    within ``window`` re-anchors the alignment (nearest first). Linear for similar strings; raises
    :class:`MappingError` when more than a fifth of the text (and more than 64 characters) is
    unmatched, i.e. the backend returned something else.
    """
    n, m = len(a), len(b)
    i = j = 0
    blocks: list[tuple[int, int, int, int]] = []
    unmatched = 0
    limit = max(64, max(n, m) // 5)
    while i < n and j < m:
        if a[i] == b[j]:
            k = i + 1
            q = j + 1
            while k < n and q < m and a[k] == b[q]:
                k += 1
                q += 1
            blocks.append((i, k, j, q))
            i, j = k, q
            continue
        da, db = _resync(a, b, i, j, window, anchor)
        blocks.append((i, i + da, j, j + db))
        unmatched += max(da, db)
        if unmatched > limit:
            raise MappingError(f"backend output differs from the text in more than {limit} characters "
                               f"(near text position {i}: {a[i:i + 12]!r} vs {b[j:j + 12]!r})")
        i += da
        j += db
    if i < n or j < m:
        blocks.append((i, n, j, m))
    return blocks


def _resync(a: str, b: str, i: int, j: int, window: int, anchor: int) -> tuple[int, int]:
    n, m = len(a), len(b)
    for d in range(1, 2 * window + 1):
        for da in range(max(0, d - window), min(d, window) + 1):
            db = d - da
            ia, jb = i + da, j + db
            if ia > n or jb > m:
                continue
            k = min(anchor, n - ia, m - jb)
            if k <= 0:
                if ia == n and jb == m:
                    return da, db
                continue
            if a[ia:ia + k] == b[jb:jb + k]:
                return da, db
    return 1, 1


def map_bounds(blocks: list[tuple[int, int, int, int]], bounds: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Map piece bounds (b-space) to a-space through alignment blocks.

    A start maps through the block holding the character at it, an end through the block holding
    the character before it, so text the pieces skipped (a deletion) falls between two pieces.
    """
    out = []
    bi = 0  # blocks and bounds both run left to right
    for s, e in bounds:
        if e <= s:
            out.append((0, 0))
            continue
        while bi < len(blocks) and not (blocks[bi][2] <= s < blocks[bi][3]):
            bi += 1
        ms = _through(blocks[bi], s, floor=True) if bi < len(blocks) else (blocks[-1][1] if blocks else 0)
        be = bi
        while be < len(blocks) and not (blocks[be][2] < e <= blocks[be][3]):
            be += 1
        me = _through(blocks[be], e, floor=False) if be < len(blocks) else (blocks[-1][1] if blocks else 0)
        out.append((ms, me))
    return out


def _through(blk: tuple[int, int, int, int], j: int, floor: bool) -> int:
    i0, i1, j0, j1 = blk
    if j1 == j0:
        return i0
    num = (j - j0) * (i1 - i0)
    q, r = divmod(num, j1 - j0)
    return i0 + q + (1 if (r and not floor) else 0)
