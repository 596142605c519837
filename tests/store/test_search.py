"""The concordance on real corpora: the same hits on SQLite and PostgreSQL, and the hits a scan of the
corpus without any index finds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lancang.errors import UsageError
from lancang.store import Query, index_corpus, open_store
from lancang.store.base import Candidate
from lancang.store.search import Matcher, regex_literals, regex_plan
from lancang.store.terms import query_terms, side_terms

from .helpers import PgSchema, pud_documents, pud_pairs, read_jsonl, talpco_pairs


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("corpora")
    return {"pud": pud_pairs(d / "pud.jsonl"), "talpco": talpco_pairs(d / "talpco.jsonl"),
            "docs": pud_documents(d / "pud-docs.jsonl")}


def _fill(url: str, corpora: dict[str, Path]) -> str:
    with open_store(url) as store:
        for name, path in corpora.items():
            index_corpus(store, path, name=name, batch=128)
    return url


@pytest.fixture(scope="module")
def libs(corpora: dict[str, Path], tmp_path_factory: pytest.TempPathFactory):
    """The three corpora indexed into a SQLite file and, when one is given, a PostgreSQL schema."""
    out = {"sqlite": _fill(str(tmp_path_factory.mktemp("lib") / "lib.sqlite"), corpora)}
    import os

    schema = PgSchema() if os.environ.get("LANCANG_TEST_PG") else None
    if schema is not None:
        out["postgresql"] = _fill(schema.url, corpora)
    yield out
    if schema is not None:
        schema.drop()


def run(url: str, q: Query) -> Any:
    with open_store(url, create=False) as store:
        return store.search(q)


def all_hits(url: str, **kw: Any) -> list[dict[str, Any]]:
    """Every hit, in pages of 1,000; the first two pages of 7 must be its first 14 (paging agrees)."""
    out, page = [], 1
    while True:
        res = run(url, Query(page=page, page_size=1000, **kw))
        out += [h.to_dict() for h in res.hits]
        if not res.more:
            break
        page += 1
    small = [h.to_dict() for p in (1, 2) for h in run(url, Query(page=p, page_size=7, **kw)).hits]
    assert small == out[:14]
    return out


def scan(corpora: dict[str, Path], text: str, side: str, **kw: Any) -> list[tuple[str, str, int, int]]:
    """The hits of a plain query found by reading every record, with no store: the sides holding every
    query term (set containment) checked by the same matcher."""
    from lancang.corpora.langs import tag_matches

    m = Matcher(Query(text, side=side, **kw))
    out = []
    for name, path in corpora.items():
        for pos, rec in enumerate(read_jsonl(path)):
            for lang, s in rec["sides"].items():
                if not tag_matches(lang, [side]):
                    continue
                kind, terms = side_terms(lang, s)
                if not set(query_terms(kind, text)) <= set(terms):
                    continue
                c = Candidate(0, lang, s["text"], kind, name, rec["id"], pos, rec)
                out += [(name, rec["id"], a, b) for a, b in m.spans(c)]
    return out


QUERIES = [("美國", "zh"), ("國", "zh"), ("政權 轉移", "zh"), ("政權轉移", "zh"), ("ประเทศ", "th"), ("โรงเรียน", "th"),
           ("เ", "th"), ("sekolah", "id"), ("Tokyo", "ms"), ("trường", "vi"), ("the United States", "en"), ("。", "zh")]


@pytest.mark.parametrize(("text", "side"), QUERIES)
def test_same_hits_on_both_backends_and_as_a_full_scan(libs: dict[str, str], corpora: dict[str, Path],
                                                       text: str, side: str) -> None:
    got = {backend: all_hits(url, text=text, side=side) for backend, url in libs.items()}
    keys = {backend: [(h["corpus"], h["record"], h["start"], h["end"]) for h in hits]
            for backend, hits in got.items()}
    expected = scan(corpora, text, side)
    if text != "。":  # punctuation only: no term, a bounded scan (all of it here)
        assert expected, f"no hit for {text!r}: the test would prove nothing"
    assert sorted(keys["sqlite"]) == sorted(expected)
    if "postgresql" in got:
        assert got["postgresql"] == got["sqlite"]


def test_hits_equal_independent_counts(libs: dict[str, str], corpora: dict[str, Path]) -> None:
    """A Thai substring on the untokenised TALPCo side: every occurrence str.find sees; a Chinese word on
    PUD's tokenised side: every token that is that word."""
    thai = [(r["id"], i) for r in read_jsonl(corpora["talpco"]) for i in _finds(r["sides"]["th"]["text"], "ไป")]
    hits = [(h["record"], h["start"]) for h in all_hits(libs["sqlite"], text="ไป", side="th", corpora=["talpco"])]
    assert len(thai) > 50 and hits == thai
    zh = [(r["id"], s) for r in read_jsonl(corpora["pud"])
          for s, e in r["sides"]["zh-Hant"]["layers"]["tokens"]["spans"]
          if r["sides"]["zh-Hant"]["text"][s:e] == "美國"]
    hits = [(h["record"], h["start"]) for h in all_hits(libs["sqlite"], text="美國", side="zh", corpora=["pud"])]
    assert len(zh) > 5 and hits == zh


def _finds(text: str, q: str) -> list[int]:
    out, i = [], text.find(q)
    while i >= 0:
        out.append(i)
        i = text.find(q, i + len(q))
    return out


def test_a_token_query_matches_whole_tokens_only(libs: dict[str, str]) -> None:
    # PUD's zh side is segmented: 美 alone is not a token of 美國, so it is not a hit there...
    assert not any(h["hit"] == "美" and h["right"].startswith("國")
                   for h in all_hits(libs["sqlite"], text="美", side="zh", corpora=["pud"]))
    # ...while the unsegmented document side finds it inside 美國
    assert any(h["right"].startswith("國") for h in all_hits(libs["sqlite"], text="美", side="zh", corpora=["docs"]))


def test_kwic_context_and_the_aligned_sentence_from_the_beads(libs: dict[str, str], corpora: dict[str, Path]) -> None:
    docs = {r["id"]: r for r in read_jsonl(corpora["docs"])}
    hits = all_hits(libs["sqlite"], text="美國", side="zh", tgt="th", corpora=["docs"], context=10)
    assert hits
    for h in hits:
        rec = docs[h["record"]]
        zh, th = rec["sides"]["zh-Hant"], rec["sides"]["th"]
        assert zh["text"][h["start"]:h["end"]] == "美國" == h["hit"]
        assert h["left"] == zh["text"][max(0, h["start"] - 10):h["start"]] and len(h["right"]) <= 10
        [k] = [i for i, (s, e) in enumerate(zh["layers"]["sentences"]["spans"]) if s <= h["start"] < e]
        [a] = h["aligned"]
        s, e = th["layers"]["sentences"]["spans"][k]
        assert (a["lang"], a["sentences"], a["text"]) == ("th", [k], th["text"][s:e])
        assert a["score"] == (0.9 if k % 2 == 0 else 0.4)
    kept = all_hits(libs["sqlite"], text="美國", side="zh", corpora=["docs"], min_bead_score=0.8)
    assert kept and all(h["aligned"][0]["score"] == 0.9 for h in kept)
    assert len(kept) == sum(h["aligned"][0]["score"] == 0.9 for h in hits)
    # records without beads show the whole other side, and none passes a bead-score filter
    whole = all_hits(libs["sqlite"], text="美國", side="zh", tgt="th", corpora=["pud"])
    pud = {r["id"]: r for r in read_jsonl(corpora["pud"])}
    assert whole and all(h["aligned"][0]["text"] == pud[h["record"]]["sides"]["th"]["text"] for h in whole)
    assert not all_hits(libs["sqlite"], text="美國", side="zh", corpora=["pud"], min_bead_score=0.1)


def test_regex_narrowed_by_its_literals_and_equal_on_both_backends(libs: dict[str, str],
                                                                   corpora: dict[str, Path]) -> None:
    import regex

    pat = r"ไป\S{0,3}โรงเรียน"
    got = {b: all_hits(u, text=pat, side="th", regex=True) for b, u in libs.items()}
    expected = [(r["id"], m.start()) for r in read_jsonl(corpora["talpco"])
                for m in regex.finditer(pat, r["sides"]["th"]["text"])]
    assert expected and [(h["record"], h["start"]) for h in got["sqlite"] if h["corpus"] == "talpco"] == expected
    if "postgresql" in got:
        assert got["postgresql"] == got["sqlite"]
    narrowed = run(libs["sqlite"], Query(pat, side="th", regex=True, page_size=10_000))
    full = run(libs["sqlite"], Query(r"\p{Thai}{500}", side="th", regex=True))  # no literal: every th side
    both = sum("ไป" in s["text"] and "โรงเรียน" in s["text"] for path in corpora.values() for r in read_jsonl(path)
               for lang, s in r["sides"].items() if lang == "th")
    assert both <= narrowed.scanned < full.scanned / 3 and full.scanned > 1500
    assert not full.hits and not full.truncated


def test_regex_without_literal_scans_up_to_the_limit(libs: dict[str, str]) -> None:
    res = run(libs["sqlite"], Query(r"\p{Han}{40}", side="zh", regex=True, scan_limit=20))
    assert res.truncated and res.scanned == 21


def test_bad_and_catastrophic_regex_are_usage_errors(libs: dict[str, str], tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not a valid regular expression"):
        run(libs["sqlite"], Query("(unclosed", regex=True))
    from .helpers import write_jsonl

    path = write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "sides": {"en": {"text": "a" * 40}}}])
    url = str(tmp_path / "a.sqlite")
    with open_store(url) as store:
        index_corpus(store, path)
    with pytest.raises(UsageError, match="longer than 0.2 s on record 'a'"):
        run(url, Query("(?:a|aa)+b", regex=True, timeout=0.2))


def test_regex_literals() -> None:
    assert regex_literals("ab(cd)+e[xy]f?gh") == ["ab", "cd", "e", "gh"]
    assert regex_literals("ab|cd") == [] and regex_literals(r"\p{Han}+") == []
    plan = regex_plan(r"the house is\w+")
    assert plan["words"] == ["house"] and plan["chars"] and "th" in plan["chars"]


def test_label_filter(tmp_path: Path, store_url: str) -> None:
    from .helpers import write_jsonl

    rec = {"id": "e1", "sides": {
        "zh-Hans": {"text": "奥巴马说奥巴马政府", "layers": {"entities": {"items": [
            {"start": 0, "end": 3, "label": "PER"}, {"start": 4, "end": 9, "label": "ORG"}]}}},
        "en": {"text": "Obama said the Obama administration"}}}
    path = write_jsonl(tmp_path / "e.jsonl", [rec])
    with open_store(store_url) as store:
        index_corpus(store, path)
        assert [h.start for h in store.search(Query("奥巴马", side="zh")).hits] == [0, 4]
        assert [h.start for h in store.search(Query("奥巴马", side="zh", label="PER")).hits] == [0]
        assert [h.start for h in store.search(Query("奥巴马", side="zh", label="ORG")).hits] == [4]
        assert not store.search(Query("奥巴马", side="zh", label="LOC")).hits


def test_paging(libs: dict[str, str]) -> None:
    every = run(libs["sqlite"], Query("ไป", side="th", page_size=1000))
    assert not every.more and len(every.hits) > 20
    p1 = run(libs["sqlite"], Query("ไป", side="th", page_size=10))
    p3 = run(libs["sqlite"], Query("ไป", side="th", page=3, page_size=10))
    assert p1.more and p3.more
    assert [h.to_dict() for h in p1.hits] == [h.to_dict() for h in every.hits[:10]]
    assert [h.to_dict() for h in p3.hits] == [h.to_dict() for h in every.hits[20:30]]
    with pytest.raises(UsageError):
        run(libs["sqlite"], Query("ไป", page=0))


def test_chars_side_edges(tmp_path: Path, store_url: str) -> None:
    """Character n-grams: a one-character query at the very end, a query across a space, a query
    longer than any run, mixed scripts."""
    from .helpers import write_jsonl

    recs = [{"id": "a", "sides": {"th": {"text": "โคริ ชูลแมน เขียนบล็อก"}}},
            {"id": "b", "sides": {"zh-Hans": {"text": "他用iPhone写了博客"}}},
            {"id": "c", "sides": {"zh-Hans": {"text": "北京"}}}]
    path = write_jsonl(tmp_path / "c.jsonl", recs)
    with open_store(store_url) as store:
        index_corpus(store, path)

        def hits(q: str, side: str) -> list[tuple[str, str]]:
            return [(h.record, h.match) for h in store.search(Query(q, side=side)).hits]

        assert hits("京", "zh") == [("c", "京")]
        assert hits("โคริ ชูลแมน", "th") == [("a", "โคริ ชูลแมน")]
        assert hits("ริ ชู", "th") == [("a", "ริ ชู")]
        assert hits("北京大学", "zh") == []
        assert hits("iphone写", "zh") == [("b", "iPhone写")]
        assert hits("บล็อก", "th") == [("a", "บล็อก")]


def _vm_steps(store: Any, q: Query) -> int:
    """SQLite virtual-machine steps (in hundreds) one search takes: deterministic, unlike its time."""
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    store.conn.set_progress_handler(tick, 100)
    try:
        assert store.search(q).hits
    finally:
        store.conn.set_progress_handler(None, 0)
    return steps[0]


def test_a_first_page_reads_a_bounded_part_of_the_index(tmp_path: Path) -> None:
    """A page of a frequent term reads the full-text index from its start in rowid order and stops: ten
    times the matching sides (PUD's sentences 3 and 30 times; each query has more than a first batch of
    candidates in both) cost about the same, not ten times as much (SQLite had read every match and
    sorted them; and a zh word, a bigram of every character-indexed side, was also looked up as a token and
    a word, reading all its postings for sides that do not exist)."""
    from lancang.corpora.formats import read_corpus

    from .helpers import write_jsonl

    sents = [r["sides"]["zh-Hant"]["text"] for r in read_corpus(
        Path(__file__).parents[2].parent / "shared" / "data" / "parallel" / "pud" / "zh_pud.conllu",
        langs=["zh-Hant"])]
    steps = []
    with open_store(str(tmp_path / "lib.sqlite")) as store:
        for copies in (3, 30):
            path = write_jsonl(tmp_path / f"zh-{copies}.jsonl",
                               [{"id": f"c{copies}-{c}-{i}", "sides": {"zh-Hant": {"text": s}}}
                                for c in range(copies) for i, s in enumerate(sents)])
            index_corpus(store, path, name=f"zh-{copies}")
            steps.append([_vm_steps(store, Query(text, side="zh", page_size=5)) for text in ("國", "他們", "一個")])
    assert all(after < 2 * before + 2 for before, after in zip(*steps)), steps


@pytest.mark.parametrize(("text", "side"), [("ไป", "th"), ("美國", "zh"), ("trường", "vi"), ("政權 轉移", "zh")])
def test_candidates_read_in_small_windows_give_the_same_pages(libs: dict[str, str], text: str, side: str) -> None:
    """PostgreSQL reads a term's candidates in windows of side ids (its GIN index cannot yield them in id
    order); windows of 16 ids, so that every query crosses many, empty ones and full ones, page the same
    hits as one window and as SQLite."""
    want = [h.to_dict() for h in run(libs["sqlite"], Query(text, side=side, page_size=1000)).hits]
    assert want
    for url in libs.values():
        with open_store(url, create=False) as store:
            store._windows, store._first_window = True, 16
            pages = [store.search(Query(text, side=side, page=p, page_size=7)) for p in (1, 2, 3)]
            every = store.search(Query(text, side=side, page_size=1000))
        assert [h.to_dict() for h in every.hits] == want
        assert [h.to_dict() for p in pages for h in p.hits] == want[:21]
