"""Offsets: code points vs UTF-16 vs UTF-8 vs graphemes, and source texts (BOM, CRLF, non-NFC).

The property tests state what "exact" means and check it against Python's own encoders and
normaliser: an offset maps iff the text can be cut there, and it maps to where the cut lands.
"""

from __future__ import annotations

import doctest
import unicodedata

import pytest
import regex
from hypothesis import example, given, settings
from hypothesis import strategies as st

import lancang.corpora.offsets as offsets
from lancang.corpora.offsets import OffsetError, SourceText, UnitIndex, nfc_map, render_source, utf16_len

PIECES = [
    "a", "Z", " ", "\n", "\r\n", "\r", "\t", "é", "e\u0301", "q\u0301", "e\u0323\u0302", "\u0301",
    "我", "爱", "北京", "臺", "ไ", "ทย", "ก\u0e34\u0e48", "ำ", "ខ្មែ", "ລາວ", "မြန်", "Việt", "Vie\u0302\u0323t",
    "😀", "👩🏽\u200d💻", "🇹🇭", "❤\ufe0f", "𠀋", "\U0001d11e", "\u1100\u1161", "\u1100\u1161\u11a8", "각",
    "\u212b", "\u0344", "\u0f73", "\ufeff", "\u0915\u093c",
]
texts = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
mixed = st.one_of(texts, st.text(max_size=20))


def test_doctests() -> None:
    res = doctest.testmod(offsets)
    assert res.attempted > 0 and res.failed == 0


# ----------------------------------------------------------------------------------- units

@given(mixed)
@example("a😀b")
@example("")
def test_utf16_matches_javascript_indices(text: str) -> None:
    ix = UnitIndex(text, "utf16")
    units = text.encode("utf-16-le")
    assert len(ix) == len(units) // 2 == utf16_len(text)
    good = set()
    for i in range(len(text) + 1):
        u = len(text[:i].encode("utf-16-le")) // 2
        assert ix.from_cp(i) == u
        assert ix.to_cp(u) == i
        good.add(u)
    for u in range(len(ix) + 1):
        if u not in good:  # the low half of a surrogate pair
            with pytest.raises(OffsetError, match="inside the character"):
                ix.to_cp(u)


@given(mixed)
def test_utf8_matches_byte_offsets(text: str) -> None:
    ix = UnitIndex(text, "utf8")
    data = text.encode("utf-8")
    assert len(ix) == len(data)
    good = {len(text[:i].encode()) for i in range(len(text) + 1)}
    for b in range(len(data) + 1):
        if b in good:
            i = ix.to_cp(b)
            assert text[:i].encode() == data[:b]
            assert ix.from_cp(i) == b
        else:
            with pytest.raises(OffsetError):
                ix.to_cp(b)


@given(mixed)
def test_graphemes_round_trip(text: str) -> None:
    ix = UnitIndex(text, "grapheme")
    clusters = regex.findall(r"\X", text)
    assert len(ix) == len(clusters)
    for g in range(len(clusters) + 1):
        i = ix.to_cp(g)
        assert text[:i] == "".join(clusters[:g])
        assert ix.from_cp(i) == g


def test_out_of_range_and_bad_values() -> None:
    ix = UnitIndex("ab😀", "utf16")
    with pytest.raises(OffsetError, match="outside the text"):
        ix.to_cp(5)
    with pytest.raises(OffsetError, match="outside the text"):
        ix.to_cp(-1)
    with pytest.raises(OffsetError, match="not an integer"):
        ix.to_cp("3")  # type: ignore[arg-type]
    with pytest.raises(OffsetError, match="ends before it starts"):
        ix.span_to_cp(2, 1)
    with pytest.raises(ValueError, match="unknown offset unit"):
        UnitIndex("x", "utf32")


def test_concrete_values() -> None:
    t = "👨🏻\u200d🚒 firemen drive firetrucks"  # the example of doccano issue #2290
    ix = UnitIndex(t, "utf16")
    assert ix.span_to_cp(22, 32) == (19, 29) and t[19:29] == "firetrucks"
    b = UnitIndex("ไทย", "utf8")
    assert b.to_cp(3) == 1 and len(b) == 9


# ------------------------------------------------------------------------------------- NFC

def _cuttable(raw: str, o: int) -> bool:
    n = unicodedata.normalize
    return n("NFC", raw[:o]) + n("NFC", raw[o:]) == n("NFC", raw)


@given(mixed)
@example("e\u0301\u0301x")
@example("\u1100\u1161\u11a8")
def test_nfc_map_is_exact(raw: str) -> None:
    text, mp = nfc_map(raw)
    assert text == unicodedata.normalize("NFC", raw)
    image = {}
    for o in range(len(raw) + 1):
        if _cuttable(raw, o):
            c = mp.forward(o)
            assert text[:c] == unicodedata.normalize("NFC", raw[:o])
            image[c] = o
        else:
            with pytest.raises(OffsetError, match="NFC composes"):
                mp.forward(o)
    for c in range(len(text) + 1):
        if c in image:
            assert mp.forward(mp.backward(c)) == c
        else:
            with pytest.raises(OffsetError):
                mp.backward(c)


# ----------------------------------------------------------------------------- source texts

def _canon(s: str) -> str:
    return unicodedata.normalize("NFC", s.replace("\r\n", "\n"))


@settings(max_examples=200)
@given(texts.filter(lambda t: not t.startswith("\ufeff")), st.booleans(), st.booleans(), st.sampled_from([1, 2]))
@example("a\r\nb", False, False, 2)
@example("e\u0301\r\n", True, True, 2)
def test_source_text_offsets_are_exact(body: str, bom: bool, bom_counts: bool, crlf_units: int) -> None:
    raw = ("\ufeff" if bom else "") + body
    src = SourceText(raw, bom_counts=bom_counts, crlf_units=crlf_units)
    assert src.text == _canon(body)
    counted = src.counted()
    assert len(counted) == src.source_length
    skip = 1 if bom and bom_counts else 0  # the BOM the tool counted
    inner = counted[skip:]
    canon = _canon if crlf_units == 2 else (lambda s: unicodedata.normalize("NFC", s))

    for o in range(len(counted) + 1):
        k = max(o - skip, 0)
        split_crlf = crlf_units == 2 and inner[:k].endswith("\r") and inner[k:].startswith("\n")
        if not split_crlf and canon(inner[:k]) + canon(inner[k:]) == src.text:
            c = src.to_canonical(o)
            assert src.text[:c] == canon(inner[:k])
            assert src.to_canonical(src.from_canonical(c)) == c
        else:
            with pytest.raises(OffsetError):
                src.to_canonical(o)


@given(texts, st.booleans(), st.booleans())
def test_render_source_round_trips(body: str, bom: bool, crlf: bool) -> None:
    text = _canon(body.replace("\ufeff", ""))
    while "\r\n" in text:  # canonical texts have LF line ends ("\r\r\n" leaves one)
        text = text.replace("\r\n", "\n")
    raw = render_source(text, bom=bom, crlf=crlf)
    src = SourceText(raw, bom_counts=True, crlf_units=2)
    assert src.text == text
    for c in range(len(text) + 1):
        o = src.from_canonical(c)
        assert src.to_canonical(o) == c
        assert _canon(src.counted()[1 if bom else 0:o]) == text[:c]


def test_source_text_examples() -> None:
    s = SourceText("\ufeffab\r\ncd", bom_counts=False, crlf_units=1)
    assert s.text == "ab\ncd" and s.to_canonical(3) == 3 and s.source_length == 5
    s = SourceText("\ufeffab\r\ncd", bom_counts=True, crlf_units=2)
    assert s.to_canonical(1) == 0 and s.to_canonical(5) == 3 and s.from_canonical(0) == 1
    with pytest.raises(OffsetError, match="offset 4 falls inside a CRLF"):
        s.to_canonical(4)
    with pytest.raises(OffsetError, match="outside the text"):
        s.to_canonical(8)
    s = SourceText("Vie\u0302\u0323t", bom_counts=False, crlf_units=2)
    assert s.text == "Việt" and s.nfc_changed and s.to_canonical(6) == 4
    with pytest.raises(OffsetError, match="NFC composes"):
        s.to_canonical(3)
