"""The index never loses a hit: whenever the matcher finds a query in a side's text, the side holds every
index term of the query (property tests over mixed scripts, case and white space)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lancang.store.base import Candidate
from lancang.store.search import Matcher, Query
from lancang.store.terms import query_terms, side_kind, side_terms

THAI_ZH = st.sampled_from(list("กขคโรงเรียนไปมาเ่้ิ๊北京大学国美你好") + [" ", " ", "\u3000", "A", "b", "1"])
WORDS = st.sampled_from(["Học", "sinh", "đi", "học", "the", "United", "States", "ĐẠI", "ßtraße", "x1", "-", ",", "."])


def _hits(lang: str, text: str, query: str) -> list[tuple[int, int]]:
    side = {"text": text}
    kind = side_kind(lang, side)
    return Matcher(Query(query)).spans(Candidate(0, lang, text, kind, "c", "r", 0, {"sides": {lang: side}}))


@settings(max_examples=300, deadline=None)
@given(st.lists(THAI_ZH, min_size=1, max_size=40).map("".join), st.data())
def test_character_sides_keep_every_substring(text: str, data: st.DataObject) -> None:
    for lang in ("th", "zh-Hans"):
        i = data.draw(st.integers(0, len(text) - 1))
        j = data.draw(st.integers(i + 1, len(text)))
        query = text[i:j]
        if not query.split():
            continue
        hits = _hits(lang, text, query)
        kind, terms = side_terms(lang, {"text": text})
        assert kind == "chars" and hits  # a substring is always found...
        assert set(query_terms(kind, query)) <= set(terms)  # ...and the index keeps the side


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=15), st.data())
def test_word_sides_keep_every_word_sequence(words: list[str], data: st.DataObject) -> None:
    text = " ".join(words)
    i = data.draw(st.integers(0, len(words) - 1))
    j = data.draw(st.integers(i + 1, len(words)))
    query = " ".join(words[i:j]).upper() if data.draw(st.booleans()) else " ".join(words[i:j])
    hits = _hits("vi", text, query)
    kind, terms = side_terms("vi", {"text": text})
    assert kind == "words" and hits  # a run of whole words is always found (case ignored)...
    assert set(query_terms(kind, query)) <= set(terms)  # ...and the index keeps the side
