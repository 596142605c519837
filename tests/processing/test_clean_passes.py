"""How ``lancang clean`` reads a corpus (issue 14's throughput work): the corpus filters learn in ONE
streamed pass, then one pass scores; repeated ids are looked up per batch and tracked once; the
robust spread both learning filters use; langid's caches and its Zawgyi reading give the numbers
the uncached, library calls give."""

from __future__ import annotations

import math
import random
import warnings
from pathlib import Path
from typing import Any

import orjson
import pytest

import lancang.corpora.invariants as invariants
import lancang.processing.clean as clean
from lancang.processing.clean import clean_file, fit_states
from lancang.processing.filters.adequacy import Adequacy
from lancang.processing.filters.base import Filter, Reason
from lancang.processing.filters.langid import LanguageId, _Zawgyi
from lancang.processing.filters.length import LengthRatio
from lancang.processing.filters.robust import spread

from ..conftest import write_jsonl
from .test_filters_corpus import _talpco

WORDS = ("rumah", "makan", "pergi", "buku", "besar", "kecil", "anak", "kota", "jalan", "air")
EN = {"rumah": "house", "makan": "eat", "pergi": "go", "buku": "book", "besar": "big", "kecil": "small",
      "anak": "child", "kota": "city", "jalan": "road", "air": "water"}


def corpus(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` id-en pairs of word-for-word translations (enough for both learning filters)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        ws = [rng.choice(WORDS) for _ in range(rng.randint(3, 9))]
        out.append({"id": f"r{i}", "sides": {"id": {"text": " ".join(ws) + f" {i}."},
                                             "en": {"text": " ".join(EN[w] for w in ws) + f" {i}."}}})
    return out


LEARN = {"length-ratio": {"min_pairs": 5}, "adequacy": {"min_pairs": 5, "ibm1": 2, "iterations": 0},
         "duplicates": False, "langid": False}


def test_corpus_filters_learn_in_one_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", corpus(60))
    reads: list[str] = []
    real = clean.read_located

    def counted(path: Any, *args: Any, **kw: Any) -> Any:
        reads.append(str(path))
        return real(path, *args, **kw)

    checked: list[Any] = []
    real_check = clean.check_record

    def check(rec: Any) -> Any:
        checked.append(rec.get("id"))
        return real_check(rec)

    monkeypatch.setattr(clean, "read_located", counted)
    monkeypatch.setattr(clean, "check_record", check)
    stats = clean_file(src, tmp_path / "out.jsonl", rejects=tmp_path / "rej.jsonl", config=LEARN)
    assert set(stats.learnt) == {"length-ratio", "adequacy"}  # both learnt ...
    # ... in one pass that read, checked and repaired every record once; the scoring pass read the
    # pass's items back from its spill (three reads before the one learning pass, then two)
    assert len(reads) == 1 and len(checked) == 60
    reads.clear()
    clean_file(src, tmp_path / "out.jsonl", rejects=tmp_path / "rej.jsonl",
               config={**LEARN, "length-ratio": False, "adequacy": False})
    assert len(reads) == 1  # no corpus filter: no learning pass at all


def test_one_pass_learns_what_each_filter_learns_alone(tmp_path: Path) -> None:
    records = corpus(80, seed=1)
    src = write_jsonl(tmp_path / "in.jsonl", records)
    states = fit_states([src], LEARN)
    alone_ratio, alone_adequacy = LengthRatio(min_pairs=5), Adequacy(**LEARN["adequacy"])
    alone_ratio.fit(iter(records))
    alone_adequacy.fit(iter(records))
    assert states == {"length-ratio": alone_ratio.state(), "adequacy": alone_adequacy.state()}
    assert states["length-ratio"]["pairs"]["id|en"]["n"] == 80


def test_a_filter_that_only_overrides_fit_still_learns(tmp_path: Path) -> None:
    """A third-party corpus filter written against ``fit(records)`` gets its stream (a pass of its own)."""

    class Longest(Filter):
        name = "x-longest"
        kind = "corpus"
        default = False

        def fit(self, records):
            self.most = max(len(r["sides"]["en"]["text"]) for r in records)

        def state(self):
            return {"most": self.most}

        def score(self, record):
            return {"n": len(record["sides"]["en"]["text"])}

        def decide(self, scores):
            return [Reason(self.name, "n", scores["n"])] if scores["n"] == self.most else []

    records = corpus(20, seed=2)
    src = write_jsonl(tmp_path / "in.jsonl", records)
    clean.FILTERS.register("x-longest", Longest)
    try:
        stats = clean_file(src, tmp_path / "out.jsonl", rejects=tmp_path / "rej.jsonl",
                           config={**LEARN, "x-longest": True})
    finally:
        clean.FILTERS._objects.pop("x-longest", None)
    assert stats.learnt["x-longest"] == {"most": max(len(r["sides"]["en"]["text"]) for r in records)}
    assert stats.rejected_by["x-longest"] >= 1


@pytest.mark.parametrize("learn", [False, True], ids=["read-twice", "spilled"])
def test_repeated_ids_within_and_across_batches(tmp_path: Path, learn: bool) -> None:
    """The same with no corpus filter (one pass reads the corpus) and with one (the scoring pass reads the
    learning pass's items back: the ids are looked up there)."""
    records = corpus(7, seed=3)
    records[1]["id"] = "r0"  # the same batch (batches of 3)
    records[5]["id"] = "r2"  # a later batch
    records[6]["id"] = "r0"
    src = write_jsonl(tmp_path / "in.jsonl", records)
    stats = clean_file(src, tmp_path / "out.jsonl", rejects=tmp_path / "rej.jsonl", batch_size=3,
                       config={**LEARN, "length-ratio": {"min_pairs": 5} if learn else False, "adequacy": False,
                               "untranslated": False})
    assert bool(stats.learnt) == learn
    rejected = [orjson.loads(x) for x in (tmp_path / "rej.jsonl").read_bytes().splitlines()]
    why = {(r["id"], r["meta"]["clean"]["reasons"][0]["message"]) for r in rejected
           if r["meta"]["clean"]["reasons"][0]["score"] == "duplicate-id"}
    assert why == {("r0", "the id of the record on line 1 (ids are unique in a corpus)"),
                   ("r2", "the id of the record on line 3 (ids are unique in a corpus)")}
    assert stats.rejected_by["record"] == 3 and stats.records == 7


@pytest.mark.parametrize("memory", [0, 3000, None], ids=["all-in-the-file", "in-memory-then-the-file",
                                                       "all-in-memory"])
def test_the_scoring_pass_reads_the_learning_pass_back_as_it_was(tmp_path: Path, memory: int | None,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Kept (in memory, in the spill file, or both) and read back, every item is what reading the corpus
    again gives: repairs (the repaired text kept, the record as read in REJECTS), an invalid record's
    reason, a repeated id, a record whose repair shares objects with the record as read; the same
    outputs, byte for byte."""
    if memory is not None:
        monkeypatch.setattr(clean, "SPILL_MEMORY", memory)
    made: list[Any] = []
    real_spill = clean._Spill

    def spill() -> Any:
        made.append(real_spill())
        return made[-1]

    monkeypatch.setattr(clean, "_Spill", spill)
    records = corpus(40, seed=5)
    english = records[3]["sides"]["en"]["text"]
    records[3]["sides"]["en"]["text"] = "<b>" + english.replace(" ", "</b> ", 1)  # repaired (markup)
    records[3]["meta"] = {"source": {"doc": "d1"}}
    records[7]["sides"]["en"]["text"] = records[7]["sides"]["en"]["text"].replace(" ", "\u0007 ", 1)  # repaired ...
    records[7]["sides"]["id"]["text"] = records[7]["sides"]["id"]["text"].replace(" 7.", " 99.")  # ... rejected (qa)
    records[9]["sides"]["id"]["layers"] = {"tokens": {"spans": [[0, 500]]}}  # invalid: a span past the text
    records[12]["id"] = "r2"  # a repeated id
    src = write_jsonl(tmp_path / "in.jsonl", records)
    config = {**LEARN, "adequacy": False, "length-ratio": {"min_pairs": 1000}}  # learns; rejects nothing
    outs = []
    for how in ("spilled", "read-twice"):
        d = tmp_path / how
        d.mkdir()
        states = fit_states([src], config) if how == "read-twice" else None  # states: no learning pass
        stats = clean_file(src, d / "out.jsonl", rejects=d / "rej.jsonl", config=config, batch_size=8,
                           states=states)
        outs.append(((d / "out.jsonl").read_bytes(), (d / "rej.jsonl").read_bytes(), stats.to_dict()))
    assert outs[0] == outs[1]
    (used,) = made
    assert (used.count, used.file is None) == {0: (5, False), 3000: (used.count, False), None: (0, True)}[memory]
    if memory == 3000:
        assert 0 < used.count < 5  # batches of 8: some held, the rest in the file
    kept = {r["id"]: r for r in map(orjson.loads, outs[0][0].splitlines())}
    rejected = {r["id"]: r for r in map(orjson.loads, outs[0][1].splitlines())}
    assert kept["r3"]["sides"]["en"]["text"] == english
    assert kept["r3"]["meta"]["source"] == {"doc": "d1"} and kept["r3"]["meta"]["clean"]["repairs"]
    assert rejected["r7"]["sides"]["en"]["text"] == records[7]["sides"]["en"]["text"]  # as read
    assert [(x["filter"], x["value"]) for x in rejected["r9"]["meta"]["clean"]["reasons"]] == \
        [("record", "/sides/id/layers/tokens/spans/0")]
    assert {x["score"] for x in rejected["r2"]["meta"]["clean"]["reasons"]} == {"duplicate-id"}


def test_ids_are_tracked_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """clean tracks the ids (to reject a repeat); the writer's guard does not track them again."""
    made: list[object] = []

    class Counted(invariants.DuplicateIndex):
        def __init__(self, *a: Any, **kw: Any) -> None:
            made.append(self)
            super().__init__(*a, **kw)

    monkeypatch.setattr(invariants, "DuplicateIndex", Counted)
    src = write_jsonl(tmp_path / "in.jsonl", corpus(10, seed=4))
    stats = clean_file(src, tmp_path / "out.jsonl", rejects=tmp_path / "rej.jsonl",
                       config={**LEARN, "length-ratio": False, "adequacy": False})
    assert stats.kept > 0 and made == []
    # the guard on its own still refuses a repeated id
    recs = corpus(2, seed=5)
    recs[1]["id"] = recs[0]["id"]
    with pytest.raises(invariants.InputError, match="duplicate-id"):
        list(invariants.guarded(recs, "x.jsonl"))
    assert len(list(invariants.guarded(recs, "x.jsonl", ids=False))) == 2


# ---------------------------------------------------------------------------------- robust spread

def test_spread_is_numpys_median_and_mad_on_values() -> None:
    np = pytest.importorskip("numpy")
    rng = random.Random(6)
    for n in (1, 2, 7, 10, 101, 1000):
        xs = [round(rng.gauss(0, 1), 3) for _ in range(n)]
        got = spread((x, 1) for x in xs)
        arr = np.asarray(xs)
        med = float(np.median(arr))
        assert got.median == med and got.n == n
        assert got.mad == float(np.median(np.abs(arr - med)))
        assert math.isclose(got.mean_ad, float(np.abs(arr - med).mean()), abs_tol=1e-12)


def test_spread_of_bins_takes_the_bin_where_the_count_reaches_half() -> None:
    cells = [(0.0, 5), (1.0, 5)]  # ten values: half of them in each bin
    assert spread(cells).median == 0.5  # values: the mean of the two middle ones
    assert spread(cells, binned=True).median == 0.0  # bins: never a point between two bins
    assert spread([(2.0, 0), (3.0, 1)]).n == 1  # empty cells count for nothing
    assert spread([]).n == 0
    s = spread([(-1.0, 6), (-3.0, 4)])
    assert s.mad == 0 and s.sigma() == 0 and s.sigma(fallback=True) == pytest.approx(1.2533 * 0.8)
    assert s.sigma(floor=0.05) == 0.05


# -------------------------------------------------------------------------------------- adequacy

def test_adequacy_learns_every_pair_of_a_three_sided_record() -> None:
    """The pairs every filter uses (the first side against each other side): a record with three sides
    trains two language pairs (the old two-sides-only choice learnt nothing from it)."""
    ind, eng, msa = (_talpco(f) for f in ("ind_data_ind.txt", "eng_data_eng.txt", "zsm_data_zsm.txt"))
    n = min(len(ind), len(eng), len(msa), 600)
    records = [{"id": str(i), "sides": {"id": {"text": ind[i]}, "en": {"text": eng[i]}, "ms": {"text": msa[i]}}}
               for i in range(n)]
    f = Adequacy(ibm1=3, iterations=0)
    f.fit(iter(records))
    assert set(f.state()["pairs"]) == {"en|id", "id|ms"}  # each pair in tag order
    scores = f.score_batch(records[:50])
    assert all(set(s["score"]) == {"en|id", "id|ms"} for s in scores)
    wrong = {**records[0], "sides": {**records[0]["sides"], "en": {"text": eng[300]}}}
    [reason] = f.decide(f.score(wrong)) or [None]
    assert reason is not None and "en|id" in reason.message  # the wrong English side, not the Malay one


# ---------------------------------------------------------------------------------------- langid

def test_langid_asks_lingua_once_per_text_and_scores_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["Mereka tinggal di kota besar itu.", "Lalu iklan berhenti.", "Anh ấy không thích cà phê."]
    records = [{"id": str(i), "sides": {"id": {"text": texts[i % 2]}, "vi": {"text": texts[2]}}} for i in range(6)]
    cached, plain = LanguageId(fast_path=False), LanguageId(fast_path=False)
    first = cached.score_batch(records[:1])
    asked: list[str] = []
    for det in ("_detector", "_fast"):
        real = getattr(cached, det)

        class Spy:
            def compute_language_confidence_values(self, text: str, real: Any = real) -> Any:
                asked.append(text)
                return real.compute_language_confidence_values(text)

        setattr(cached, det, Spy())
    got = first + cached.score_batch(records[1:])
    assert sorted(asked) == sorted(texts[1:2])  # the two texts of the first record were read already
    assert got == plain.score_batch(records)  # the same scores as one lingua call per side
    monkeypatch.setattr("lancang.processing.filters.langid.CACHE", 2)
    small = LanguageId()
    small.score_batch(records)
    assert small._side_cached.cache_info().maxsize == 2 and small._side_cached.cache_info().currsize <= 2


def test_zawgyi_probability_is_the_librarys() -> None:
    pytest.importorskip("myanmartools")
    from myanmartools import ZawgyiDetector

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        lib = ZawgyiDetector()
    fast = _Zawgyi(lib)
    texts = _talpco("myn_data_myn.txt")[:400] + ["", "abc", "ျမန္မာစာ", "မြန်မာစာ", "x မ y", "\u1000", "၁၂၃"]
    for t in texts:
        assert fast.probability(t) == float(lib.get_zawgyi_probability(t)), t
    assert fast.probability("ျမန္မာစာ") > 0.99 and fast.probability("abc") == -math.inf


def test_the_collector_threshold_is_raised_while_cleaning_and_restored(tmp_path: Path) -> None:
    import gc

    src = write_jsonl(tmp_path / "in.jsonl", corpus(10))
    seen: list[tuple[int, ...]] = []

    class Watch(Filter):
        name = "x-watch"

        def score(self, record: dict[str, Any]) -> dict[str, Any]:
            seen.append(gc.get_threshold())
            return {}

        def decide(self, scores: Any) -> list[Reason]:
            raise RuntimeError("stop")

    before = gc.get_threshold()
    monkey = pytest.MonkeyPatch()
    monkey.setattr(clean, "build_filters", lambda config=None: [Watch()])
    try:
        with pytest.raises(RuntimeError, match="stop"):
            clean_file(src, tmp_path / "out.jsonl", rejects=tmp_path / "rej.jsonl")
    finally:
        monkey.undo()
    assert seen and seen[0][0] == max(before[0], clean.GC_THRESHOLD) and seen[0][1:] == before[1:]
    assert gc.get_threshold() == before  # restored, even after an error
