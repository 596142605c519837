"""Mapping backend output back to exact code-point spans of the original text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lancang.annotators.base import chunks
from lancang.annotators.spans import INVISIBLE, MappingError, align, locate, normalize_spans

from .helpers import assert_tiles


def texts_of(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[s:e] for s, e in spans]


def test_exact_pieces_with_whitespace_tokens() -> None:
    text = "ผม รัก\n\nภาษา  ไทย "
    spans = locate(text, ["ผม", " ", "รัก", "\n\n", "ภาษา", "  ", "ไทย", " "])
    assert texts_of(text, spans) == ["ผม", "รัก", "ภาษา", "ไทย"]
    assert spans[1] == (3, 6)


def test_pyvi_underscores_and_dropped_newlines() -> None:
    text = "Tôi là  sinh\nviên của Hà Nội_x."
    pyvi = ["Tôi", "là", "sinh_viên", "của", "Hà_Nội_x", "."]
    spans = locate(text, pyvi, ignore="_")
    assert texts_of(text, spans) == ["Tôi", "là", "sinh\nviên", "của", "Hà Nội_x", "."]


def test_renormalised_accents_map_positionally() -> None:
    # underthesea rewrites "hoà" as "hòa" and "Thuý" as "Thúy"; offsets must still be the original's
    text = "hoà bình cho Thuý Kiều."
    spans = locate(text, ["hòa bình", "cho", "Thúy Kiều", "."])
    assert texts_of(text, spans) == ["hoà bình", "cho", "Thuý Kiều", "."]


def test_dropped_zero_width_space_joins_the_previous_token() -> None:
    text = "ខ្ញុំ\u200bស្រឡាញ់ ប្រទេស"
    spans = locate(text, ["ខ្ញុំ", "ស្រឡាញ់", "ប្រទេស"])
    assert texts_of(text, spans) == ["ខ្ញុំ\u200b", "ស្រឡាញ់", "ប្រទេស"]


def test_invisible_only_pieces_join_a_neighbour() -> None:
    assert locate("\u200b\u200b", ["\u200b", "\u200b"]) == [(0, 2)]
    assert locate("ab\u200bcd", ["ab", "\u200b", "cd"]) == [(0, 3), (3, 5)]
    assert locate("ab \u200bcd", ["ab", " ", "\u200b", "cd"]) == [(0, 2), (3, 6)]
    assert normalize_spans("ab\u200b", [(0, 2), (2, 3)]) == [(0, 3)]


def test_dropped_text_becomes_its_own_tokens() -> None:
    text = "abc ### def"
    assert texts_of(text, locate(text, ["abc", "def"])) == ["abc", "###", "def"]
    assert texts_of(text, normalize_spans(text, [(0, 3)])) == ["abc", "###", "def"]


def test_dropped_text_joins_a_sentence() -> None:
    text = "One. ### Two."
    assert texts_of(text, locate(text, ["One.", "Two."], kind="sentences")) == ["One. ###", "Two."]


def test_inserted_characters_are_ignored() -> None:
    text = "ab cd"
    assert texts_of(text, locate(text, ["ab", "X", "cd"])) == ["ab", "cd"]


def test_overlapping_and_unordered_spans_are_cleaned() -> None:
    text = "abcdef"
    assert normalize_spans(text, [(3, 6), (0, 4), (2, 2)]) == [(0, 4), (4, 6)]


def test_output_unrelated_to_the_text_is_an_error() -> None:
    with pytest.raises(MappingError, match="differs from the text"):
        locate("a" * 400, ["b" * 400])


def test_align_blocks_cover_both_strings() -> None:
    blocks = align("abcXdef", "abcYYdef")
    assert blocks[0] == (0, 3, 0, 3) and blocks[-1] == (4, 7, 5, 8)
    assert sum(i1 - i0 for i0, i1, _, _ in blocks) == 7 and sum(j1 - j0 for _, _, j0, j1 in blocks) == 8


def test_chunks_cut_at_breaks_and_cover_the_text() -> None:
    text = ("วันนี้อากาศดี " * 50 + "\n") * 20
    pieces = list(chunks(text, 500))
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 500 for _, p in pieces)
    assert all(text[off - 1] in " \n" for off, _ in pieces[1:])
    hard = "ก่" * 600  # no break at all: never cut between a letter and its mark
    assert all(p[0] != "\u0e48" for _, p in chunks(hard, 333))


# Texts of mixed scripts, spaces, zero-width and combining characters.
ALPHABET = st.sampled_from(list("ab中文ไทยກຂកខမြ123.,!?」 \t\n\u200b\u0301_-") + ["\u3000"])


@settings(max_examples=300, deadline=None)
@given(st.text(ALPHABET, max_size=60), st.data())
def test_locate_property(text: str, data: st.DataObject) -> None:
    """Cut the text anywhere, mangle the pieces the ways backends do, and the spans still tile it."""
    cuts = sorted(data.draw(st.sets(st.integers(0, len(text)), max_size=20)))
    bounds = [0, *cuts, len(text)]
    pieces = [text[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]
    mangle = data.draw(st.sampled_from(["none", "strip", "underscore", "drop-zw", "upper", "insert"]))
    if mangle == "strip":
        pieces = [p.strip() for p in pieces]
    elif mangle == "underscore":
        pieces = [p.replace(" ", "_") for p in pieces]
    elif mangle == "drop-zw":
        pieces = [p.replace("\u200b", "") for p in pieces]
    elif mangle == "upper":
        pieces = [p.upper() for p in pieces]
    elif mangle == "insert":
        pieces = [p + "#" for p in pieces]
    spans = locate(text, pieces, ignore="_" if mangle == "underscore" else "")
    assert_tiles(text, spans)
    if mangle in ("none", "strip"):
        # nothing changed but white space: each piece's visible text is exactly one span (invisible
        # characters at a piece's edge may join the neighbouring span instead)
        assert visible(text, spans) == visible(text, [(a, b) for a, b in zip(bounds, bounds[1:])])


def visible(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for a, b in spans:
        while a < b and (text[a].isspace() or text[a] in INVISIBLE):
            a += 1
        while b > a and (text[b - 1].isspace() or text[b - 1] in INVISIBLE):
            b -= 1
        if b > a:
            out.append((a, b))
    return out


@settings(max_examples=200, deadline=None)
@given(st.text(ALPHABET, max_size=60), st.lists(st.tuples(st.integers(-3, 70), st.integers(-3, 70)), max_size=15))
def test_normalize_spans_property(text: str, raw: list[tuple[int, int]]) -> None:
    for kind in ("tokens", "sentences"):
        assert_tiles(text, normalize_spans(text, raw, kind))
