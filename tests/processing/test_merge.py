"""`merge_files`: reviews (JSONL following the Label Studio contract: meta.review, meta.labelstudio.record_id)
folded into a bilingual BASE (zh-Hans–th and id–ms records with tokens, entities, sentences, beads and
token links): provenance and review status, each policy with two and three reviewers, conflicts, bad
input, nothing of BASE lost, the processing log, and the spill to disk."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest

from lancang.corpora.invariants import check_record
from lancang.corpora.manifest import init_manifest
from lancang.errors import InputError, UsageError
from lancang.processing.merge import Merger, ReviewStore, merge_files, version
from tests.conftest import write_jsonl

MACHINE = {"method": "auto", "tool": {"name": "crf-ner", "version": "0.2 (weibo)"}, "time": "2026-12-01T09:00:00Z"}
SEG = {"method": "auto", "tool": {"name": "jieba", "version": "0.42.1"}, "time": "2026-12-01T08:00:00Z"}
T_ALICE = "2026-12-02T10:15:00Z"


def side(tokens: list[str], sep: str, ents: list[tuple[int, int, str]] | None = None) -> dict[str, Any]:
    """A side from its tokens (joined by ``sep``), one sentence, entities given as token ranges [a, b)."""
    text, spans = "", []
    for i, t in enumerate(tokens):
        if i and sep:
            text += sep
        spans.append([len(text), len(text) + len(t)])
        text += t
    s: dict[str, Any] = {"text": text, "layers": {"tokens": {"spans": spans, "provenance": SEG},
                                                  "sentences": {"spans": [[0, len(text)]]}}}
    if ents is not None:
        s["layers"]["entities"] = {"items": items(s, ents), "provenance": MACHINE}
    return s


def items(s: dict[str, Any], ents: list[tuple[int, int, str]]) -> list[dict[str, Any]]:
    spans = s["layers"]["tokens"]["spans"]
    return [{"start": spans[a][0], "end": spans[b - 1][1], "label": lab} for a, b, lab in ents]


def pair(rid: str, a: tuple[str, dict[str, Any]], b: tuple[str, dict[str, Any]], n: int) -> dict[str, Any]:
    return {"id": rid, "doc": "news-1", "sides": {a[0]: a[1], b[0]: b[1]}, "meta": {"source": "talpco-like"},
            "links": [{"kind": "beads", "src": a[0], "tgt": b[0], "beads": [{"src": [0], "tgt": [0]}]},
                      {"kind": "tokens", "src": a[0], "tgt": b[0], "pairs": [[i, i, "S"] for i in range(n)]}]}


ZH1 = ["王小明", "在", "曼谷", "的", "泰国", "国家", "银行", "工作", "。"]
TH1 = ["หวังเสี่ยวหมิง", "ทำงาน", "ที่", "ธนาคาร", "แห่ง", "ประเทศไทย", "ใน", "กรุงเทพฯ"]
ID2 = ["Presiden", "Joko", "Widodo", "mengunjungi", "Kuala", "Lumpur", "pada", "hari", "Senin", "."]
MS2 = ["Presiden", "Joko", "Widodo", "melawat", "Kuala", "Lumpur", "pada", "hari", "Isnin", "."]
ZH3 = ["泰国", "总理", "在", "北京", "会见", "了", "中国", "国家", "主席", "。"]
TH3 = ["นายกรัฐมนตรี", "ไทย", "พบ", "ประธานาธิบดี", "จีน", "ที่", "ปักกิ่ง"]
ID4 = ["Universitas", "Malaya", "terletak", "di", "Kuala", "Lumpur", "."]
MS4 = ["Universiti", "Malaya", "terletak", "di", "Kuala", "Lumpur", "."]

#: what the reviewers should find
GOLD_TH1 = [(0, 1, "PER"), (3, 6, "ORG"), (7, 8, "LOC")]
GOLD_MS2 = [(1, 3, "PER"), (4, 6, "LOC")]


def base_records() -> list[dict[str, Any]]:
    return [
        pair("r1", ("zh-Hans", side(ZH1, "", [(0, 1, "PER"), (2, 3, "LOC"), (4, 7, "ORG")])),
             ("th", side(TH1, "", [(0, 1, "PER"), (5, 6, "LOC")])), 8),
        pair("r2", ("id", side(ID2, " ", [(1, 3, "PER"), (4, 6, "LOC")])), ("ms", side(MS2, " ", [(1, 3, "PER")])), 10),
        pair("r3", ("zh-Hans", side(ZH3, "", [(0, 1, "LOC"), (3, 4, "LOC"), (6, 7, "LOC")])),
             ("th", side(TH3, "", [(1, 2, "LOC")])), 7),
        pair("r4", ("id", side(ID4, " ", [(0, 2, "ORG"), (4, 6, "LOC")])), ("ms", side(MS4, " ")), 7),
    ]


def review(base: dict[str, Any], reviewer: str | None, ents: dict[str, list[tuple[int, int, str]]], *,
           verdict: str | None = "pass", annotation: int = 1, defects: list[Any] | None = None,
           time: str = T_ALICE) -> dict[str, Any]:
    """A review as R1's Label Studio reader gives it: the sides reviewed, each with its entities."""
    sides = {}
    for tag, ents_ in ents.items():
        s = base["sides"][tag]
        prov: dict[str, Any] = {"method": "assisted", "tool": {"name": "crf-ner"}, "time": time}
        if reviewer:
            prov["annotator"] = reviewer
        sides[tag] = {"text": s["text"], "layers": {"entities": {"items": items(s, ents_), "provenance": prov}}}
    meta_review = {"verdict": verdict, "defects": defects or [], "annotation": annotation, "time": time}
    if reviewer:
        meta_review["reviewer"] = reviewer
    return {"id": f"{base['id']}-task/a{annotation}", "sides": sides,
            "meta": {"labelstudio": {"record_id": base["id"]}, "review": meta_review}}


def read(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def ents_of(rec: dict[str, Any], tag: str) -> list[tuple[int, int, str]]:
    s = rec["sides"][tag]
    return [(it["start"], it["end"], it["label"]) for it in s["layers"]["entities"]["items"]]


def spans_of(rec: dict[str, Any], tag: str, ents: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    return [(it["start"], it["end"], it["label"]) for it in items(rec["sides"][tag], ents)]


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "machine.jsonl", base_records())


def run(tmp_path: Path, base: Path, *reviews: list[dict[str, Any]], **kw: Any) -> tuple[Any, list[dict[str, Any]]]:
    files = [write_jsonl(tmp_path / f"review{k}.jsonl", r) for k, r in enumerate(reviews)]
    out = tmp_path / "merged.jsonl"
    stats = merge_files(base, files, out, **kw)
    return stats, read(out)


# ------------------------------------------------------------------------------------ one reviewer

def test_one_reviewer_corrects_one_side_and_accepts_the_other(tmp_path: Path, base: Path) -> None:
    b = base_records()
    r1 = review(b[0], "alice", {"zh-Hans": [(0, 1, "PER"), (2, 3, "LOC"), (4, 7, "ORG")], "th": GOLD_TH1})
    stats, out = run(tmp_path, base, [r1])
    assert [r["id"] for r in out] == ["r1", "r2", "r3", "r4"]
    zh, th = out[0]["sides"]["zh-Hans"]["layers"]["entities"], out[0]["sides"]["th"]["layers"]["entities"]
    assert ents_of(out[0], "th") == spans_of(b[0], "th", GOLD_TH1)
    assert th["provenance"] == {"method": "assisted", "tool": MACHINE["tool"], "annotator": "alice", "time": T_ALICE,
                                "review": {"status": "corrected", "reviewer": "alice", "time": T_ALICE}}
    assert zh["provenance"]["method"] == "assisted" and zh["provenance"]["review"]["status"] == "accepted"
    assert out[0]["meta"]["review"]["reviewer"] == "alice" and out[0]["meta"]["review"]["verdict"] == "pass"
    assert out[0]["meta"]["source"] == "talpco-like"  # BASE's meta kept
    assert stats.records == 4 and stats.reviewed == 1 and stats.reviews == 1
    assert dict(stats.layers) == {"accepted": 1, "corrected": 1}
    assert not stats.conflicts and stats.orphans.count == 0


def test_nothing_of_base_is_lost(tmp_path: Path, base: Path) -> None:
    b = base_records()
    r1 = review(b[0], "alice", {"th": GOLD_TH1})
    _stats, out = run(tmp_path, base, [r1])
    assert out[1:] == b[1:]  # records nobody reviewed are written as they were read
    rec = out[0]
    assert rec["links"] == b[0]["links"] and rec["doc"] == "news-1"
    assert rec["sides"]["zh-Hans"] == b[0]["sides"]["zh-Hans"]  # the side nobody reviewed
    for name in ("tokens", "sentences"):
        assert rec["sides"]["th"]["layers"][name] == b[0]["sides"]["th"]["layers"][name]
    assert rec["sides"]["th"]["text"] == b[0]["sides"]["th"]["text"]
    assert not [i for i in check_record(rec) if i[1] == "error"]


def test_fail_verdict_without_change_is_rejected_and_keeps_the_machine_layer(tmp_path: Path, base: Path) -> None:
    b = base_records()
    r = review(b[2], "bob", {"th": [(1, 2, "LOC")]}, verdict="fail",
               defects=[{"type": "missing-entity", "side": "th", "layer": "entities"}])
    stats, out = run(tmp_path, base, [r])
    lay = out[2]["sides"]["th"]["layers"]["entities"]
    assert lay["items"] == b[2]["sides"]["th"]["layers"]["entities"]["items"]
    assert lay["provenance"]["method"] == "auto" and lay["provenance"]["tool"] == MACHINE["tool"]
    assert lay["provenance"]["review"] == {"status": "rejected", "reviewer": "bob", "time": T_ALICE}
    assert out[2]["meta"]["review"]["verdict"] == "fail"
    assert out[2]["meta"]["review"]["defects"] == [{"type": "missing-entity", "side": "th", "layer": "entities"}]
    assert dict(stats.layers) == {"rejected": 1}


def test_a_layer_base_lacked_becomes_manual(tmp_path: Path, base: Path) -> None:
    b = base_records()
    r = review(b[3], "carol", {"ms": [(0, 2, "ORG"), (4, 6, "LOC")]})
    _stats, out = run(tmp_path, base, [r])
    lay = out[3]["sides"]["ms"]["layers"]["entities"]
    assert lay["provenance"]["method"] == "manual" and "tool" not in lay["provenance"]
    assert lay["provenance"]["annotator"] == "carol" and lay["provenance"]["review"]["status"] == "corrected"
    assert out[3]["sides"]["id"] == b[3]["sides"]["id"]


def test_review_found_by_its_own_id_without_labelstudio_meta(tmp_path: Path, base: Path) -> None:
    b = base_records()
    r = review(b[1], "dewi", {"ms": GOLD_MS2})
    r["id"] = "r2"
    del r["meta"]["labelstudio"]
    stats, out = run(tmp_path, base, [r])
    assert ents_of(out[1], "ms") == spans_of(b[1], "ms", GOLD_MS2) and stats.reviewed == 1


# ------------------------------------------------------------------------------------ several reviewers

def three_reviews(b: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """alice: right; bob: misses Kuala Lumpur on ms, right on th; carol: th ORG as LOC, ms right."""
    alice = [review(b[0], "alice", {"th": GOLD_TH1}), review(b[1], "alice", {"ms": GOLD_MS2})]
    bob = [review(b[0], "bob", {"th": GOLD_TH1}, annotation=2),
           review(b[1], "bob", {"ms": [(1, 3, "PER")]}, annotation=2)]
    carol = [review(b[0], "carol", {"th": [(0, 1, "PER"), (3, 6, "LOC"), (7, 8, "LOC")]}, annotation=3),
             review(b[1], "carol", {"ms": GOLD_MS2}, annotation=3)]
    return [alice, bob, carol]


def test_two_reviewers_disagree_first_policy_takes_the_first_file(tmp_path: Path, base: Path) -> None:
    b = base_records()
    alice, bob, _carol = three_reviews(b)
    stats, out = run(tmp_path, base, bob, alice)
    assert ents_of(out[1], "ms") == spans_of(b[1], "ms", [(1, 3, "PER")])  # bob's file came first
    assert out[1]["sides"]["ms"]["layers"]["entities"]["provenance"]["review"] == {
        "status": "accepted", "reviewer": "bob", "time": T_ALICE}
    assert stats.conflicts["disagreement"] == 1
    [c] = stats.listed
    assert c["record"] == "r2" and c["side"] == "ms" and c["layer"] == "entities"
    assert c["reviewers"] == ["bob", "alice"] and c["count"] == 1 and c["where"].endswith("machine.jsonl:2")
    meta = out[1]["meta"]["review"]
    assert meta["policy"] == "first" and meta["reviewer"] == "bob"
    assert [r["reviewer"] for r in meta["reviews"]] == ["bob", "alice"]


def test_first_annotation_of_one_file_wins(tmp_path: Path, base: Path) -> None:
    b = base_records()
    alice, bob, _ = three_reviews(b)
    stats, out = run(tmp_path, base, [alice[1], bob[1]])
    assert ents_of(out[1], "ms") == spans_of(b[1], "ms", GOLD_MS2)
    assert stats.conflicts["disagreement"] == 1


def test_majority_of_three_votes_entity_by_entity(tmp_path: Path, base: Path) -> None:
    b = base_records()
    stats, out = run(tmp_path, base, *three_reviews(b), policy="majority")
    assert ents_of(out[0], "th") == spans_of(b[0], "th", GOLD_TH1)  # carol's LOC outvoted
    assert ents_of(out[1], "ms") == spans_of(b[1], "ms", GOLD_MS2)  # bob's miss outvoted
    prov = out[1]["sides"]["ms"]["layers"]["entities"]["provenance"]
    assert prov["annotator"] == "alice"  # the first reviewer whose version is the result
    assert prov["review"]["status"] == "corrected" and prov["review"]["reviewer"] == "carol"  # who gave it too
    assert prov["review"]["note"] == "majority of 3 reviewers: alice, bob, carol"
    assert stats.conflicts == {"disagreement": 2}
    assert out[0]["meta"]["review"]["policy"] == "majority" and out[0]["meta"]["review"]["verdict"] == "pass"


def test_majority_result_nobody_gave_is_still_merged(tmp_path: Path, base: Path) -> None:
    b = base_records()
    a = review(b[0], "alice", {"th": [(0, 1, "PER"), (3, 6, "ORG")]})
    o = review(b[0], "bob", {"th": [(0, 1, "PER"), (7, 8, "LOC")]}, annotation=2)
    c = review(b[0], "carol", {"th": [(3, 6, "ORG"), (7, 8, "LOC")]}, annotation=3)
    stats, out = run(tmp_path, base, [a], [o], [c], policy="majority")
    assert ents_of(out[0], "th") == spans_of(b[0], "th", GOLD_TH1)  # each held by two of three
    assert out[0]["sides"]["th"]["layers"]["entities"]["provenance"]["annotator"] == "alice"  # none holds it: the first
    assert stats.conflicts == {"disagreement": 1}


def test_majority_of_two_reports_ties_and_leaves_them_out(tmp_path: Path, base: Path) -> None:
    b = base_records()
    alice, bob, _ = three_reviews(b)
    stats, out = run(tmp_path, base, alice, bob, policy="majority")
    assert ents_of(out[1], "ms") == spans_of(b[1], "ms", [(1, 3, "PER")])  # Kuala Lumpur held by one of two
    assert stats.conflicts["tie"] == 1 and stats.conflicts["disagreement"] == 1
    tie = next(c for c in stats.listed if c["kind"] == "tie")
    assert tie["record"] == "r2" and tie["side"] == "ms" and tie["count"] == 1


def test_majority_verdict_and_defects(tmp_path: Path, base: Path) -> None:
    b = base_records()
    d = [{"type": "wrong-label", "side": "th", "layer": "entities"}]
    rs = [[review(b[2], who, {"th": [(1, 2, "LOC")]}, verdict=v, annotation=k, defects=d if v == "fail" else [])]
          for k, (who, v) in enumerate([("alice", "fail"), ("bob", "pass"), ("carol", "fail")], 1)]
    _stats, out = run(tmp_path, base, *rs, policy="majority")
    meta = out[2]["meta"]["review"]
    assert meta["verdict"] == "fail" and meta["defects"] == d
    assert out[2]["sides"]["th"]["layers"]["entities"]["provenance"]["review"]["status"] == "rejected"


def test_curator_wins_where_they_reviewed_else_the_first(tmp_path: Path, base: Path) -> None:
    b = base_records()
    alice, bob, carol = three_reviews(b)
    carol = carol[:1]  # carol reviewed r1 only
    stats, out = run(tmp_path, base, bob, alice, carol, policy="curator", curator="carol")
    assert ents_of(out[0], "th") == spans_of(b[0], "th", [(0, 1, "PER"), (3, 6, "LOC"), (7, 8, "LOC")])
    assert out[0]["sides"]["th"]["layers"]["entities"]["provenance"]["review"]["reviewer"] == "carol"
    assert out[0]["meta"]["review"]["reviewer"] == "carol"
    assert ents_of(out[1], "ms") == spans_of(b[1], "ms", [(1, 3, "PER")])  # bob first, carol absent
    assert stats.conflicts["disagreement"] == 2


@pytest.mark.parametrize("kw", [{"policy": "curator"}, {"policy": "first", "curator": "x"}, {"policy": "vote"},
                                {"layers": ()}])
def test_bad_policy_settings_are_usage_errors(kw: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        Merger(**kw)


# ------------------------------------------------------------------------------------ reported, not merged

def test_edited_text_is_reported_and_never_merged(tmp_path: Path, base: Path) -> None:
    b = base_records()
    r = review(b[0], "alice", {"zh-Hans": [(0, 1, "PER")], "th": GOLD_TH1})
    r["sides"]["zh-Hans"]["text"] = r["sides"]["zh-Hans"]["text"].replace("王小明", "王晓明")
    stats, out = run(tmp_path, base, [r])
    assert out[0]["sides"]["zh-Hans"] == b[0]["sides"]["zh-Hans"]  # BASE's side kept
    assert ents_of(out[0], "th") == spans_of(b[0], "th", GOLD_TH1)  # the unedited side is merged
    assert stats.conflicts == {"text-changed": 1}
    [c] = stats.listed
    assert c["kind"] == "text-changed" and c["side"] == "zh-Hans" and c["reviewers"] == ["alice"]
    assert c["review"].endswith("review0.jsonl:1")


def test_reviews_of_records_base_lacks_are_orphans(tmp_path: Path, base: Path) -> None:
    b = base_records()
    ghost = copy.deepcopy(b[1])
    ghost["id"] = "r9"
    rs = [review(ghost, "alice", {"ms": GOLD_MS2}), review(b[1], "alice", {"ms": GOLD_MS2}),
          review(ghost, "bob", {"ms": GOLD_MS2}, annotation=2)]
    stats, out = run(tmp_path, base, rs)
    assert stats.orphans.count == 1 and stats.orphans.ids == ["r9"]
    assert [r["id"] for r in out] == ["r1", "r2", "r3", "r4"] and stats.reviewed == 1
    assert stats.findings == 1


# ------------------------------------------------------------------------------------ bad input

def test_a_side_base_lacks_is_an_input_error(tmp_path: Path, base: Path) -> None:
    b = base_records()
    r = review(b[1], "alice", {"ms": GOLD_MS2})
    r["sides"]["vi"] = r["sides"].pop("ms")
    with pytest.raises(InputError, match=r"review0\.jsonl:1: review 'r2-task/a1' has side 'vi', which record 'r2' "
                                         r"of BASE \(.*machine\.jsonl:2\) lacks \(it has id, ms\)"):
        run(tmp_path, base, [r])
    assert not (tmp_path / "merged.jsonl").exists()


def test_the_same_reviewer_twice_on_one_record_is_an_input_error(tmp_path: Path, base: Path) -> None:
    b = base_records()
    a1 = review(b[1], "alice", {"ms": GOLD_MS2})
    a2 = review(b[1], "alice", {"ms": [(1, 3, "PER")]}, annotation=7)
    with pytest.raises(InputError, match=r"review1\.jsonl:1: reviewer 'alice' reviewed record 'r2' twice "
                                         r"\(also at .*review0\.jsonl:1\)"):
        run(tmp_path, base, [a1], [a2])


def test_a_bad_verdict_is_an_input_error(tmp_path: Path, base: Path) -> None:
    r = review(base_records()[1], "alice", {"ms": GOLD_MS2}, verdict="ok")
    with pytest.raises(InputError, match=r"review0\.jsonl:1: record 'r2-task/a1' /meta/review/verdict is 'ok'"):
        run(tmp_path, base, [r])


def test_links_to_tokens_a_merged_layer_no_longer_has_stop_the_run(tmp_path: Path, base: Path) -> None:
    b = base_records()
    r = review(b[0], "alice", {"th": GOLD_TH1})
    th = r["sides"]["th"]
    th["layers"]["tokens"] = {"spans": [[0, len(th["text"])]]}  # the reviewer re-tokenised the side as one token
    th["layers"]["entities"]["items"] = [{"start": 0, "end": len(th["text"]), "label": "MISC"}]
    with pytest.raises(InputError, match=r"machine\.jsonl:1: record 'r1' /links/1.*leaves it invalid"):
        run(tmp_path, base, [r], layers=("entities", "tokens"))
    assert not (tmp_path / "merged.jsonl").exists()


def test_a_review_that_is_not_a_valid_record_is_located(tmp_path: Path, base: Path) -> None:
    r = review(base_records()[1], "alice", {"ms": [(4, 6, "LOC")]})
    r["sides"]["ms"]["layers"]["entities"]["items"][0]["end"] = 999
    with pytest.raises(InputError, match=r"review0\.jsonl:1: record 'r2-task/a1' /sides/ms"):
        run(tmp_path, base, [r])


# ------------------------------------------------------------------------------------ log, memory

def test_manifest_gets_a_review_step(tmp_path: Path, base: Path) -> None:
    m = tmp_path / "manifest.json"
    m.write_bytes(orjson.dumps(init_manifest(base, license="CC-BY-4.0", source="test")))
    b = base_records()
    run(tmp_path, base, *three_reviews(b), policy="majority", manifest=m)
    step = orjson.loads(m.read_bytes())["processing"][-1]
    assert step["step"] == "review" and step["tool"] == "lancang merge"
    assert step["settings"] == {"policy": "majority", "layers": ["entities"]}
    assert step["counts"]["records"] == 4 and step["counts"]["reviewed"] == 2 and step["counts"]["reviews"] == 6
    assert step["counts"]["conflicts"] == {"disagreement": 2, "tie": 0, "text-changed": 0}
    assert [i["path"] for i in step["inputs"]] == ["machine.jsonl", "review0.jsonl", "review1.jsonl", "review2.jsonl"]
    assert step["outputs"][0]["path"] == "merged.jsonl" and step["outputs"][0]["sha256"]


def test_spilled_reviews_merge_the_same(tmp_path: Path, base: Path) -> None:
    b = base_records()
    reviews = three_reviews(b)
    ghost = copy.deepcopy(b[1])
    ghost["id"] = "r9"
    reviews[0].append(review(ghost, "alice", {"ms": GOLD_MS2}))
    files = [write_jsonl(tmp_path / f"rv{k}.jsonl", r) for k, r in enumerate(reviews)]
    outs = []
    for spill_at in (10**6, 2):
        out = tmp_path / f"out{spill_at}.jsonl"
        stats = merge_files(base, files, out, policy="majority", spill_at=spill_at)
        outs.append((out.read_bytes(), stats.to_dict()))
    assert outs[0] == outs[1]
    assert outs[1][1]["orphans"] == {"count": 1, "ids": ["r9"]}


def test_review_store_spills_past_its_threshold() -> None:
    from lancang.processing.merge import Review

    for kw in ({"spill_at": 3}, {"max_bytes": 60}):  # by count, and by size (each review is 22 bytes of JSON)
        with ReviewStore(**kw) as store:
            for k in range(5):
                store.add(f"r{k % 2}", Review(0, k, f"x:{k}", {"id": f"t{k}", "sides": {}}))
                assert store.spilled == (k >= 2)
            assert [(r.pos, r.rec["id"]) for r in store.take("r1")] == [(1, "t1"), (3, "t3")]
            assert store.take("r1") == []
            assert list(store.leftovers()) == ["r0"]


def test_version_ignores_ids_and_provenance_but_not_relations() -> None:
    a = {"items": [{"id": "e1", "start": 0, "end": 2, "label": "PER"},
                   {"id": "e2", "start": 3, "end": 5, "label": "ORG"}],
         "relations": [{"label": "works-for", "args": [{"role": "from", "ref": "e1"}, {"role": "to", "ref": "e2"}]}],
         "provenance": MACHINE}
    b = {"items": [{"id": "x", "start": 3, "end": 5, "label": "ORG"},
                   {"id": "y", "start": 0, "end": 2, "label": "PER"}],
         "relations": [{"label": "works-for", "args": [{"role": "from", "ref": "y"}, {"role": "to", "ref": "x"}]}]}
    assert version("entities", a) == version("entities", b)
    b["relations"][0]["args"].reverse()
    assert version("entities", a) != version("entities", b)


def test_majority_keeps_relations_between_kept_entities_with_unique_ids(tmp_path: Path, base: Path) -> None:
    b = base_records()
    zh = b[0]["sides"]["zh-Hans"]
    per, loc, org = items(zh, [(0, 1, "PER"), (2, 3, "LOC"), (4, 7, "ORG")])

    def rv(who: str, k: int, ents: list[tuple[str, dict[str, Any]]], rel: tuple[str, str] | None) -> dict[str, Any]:
        r = review(b[0], who, {"zh-Hans": []}, annotation=k)
        lay = r["sides"]["zh-Hans"]["layers"]["entities"]
        lay["items"] = [{"id": i, **e} for i, e in ents]
        if rel:
            lay["relations"] = [{"label": "works-for", "args": [{"role": "from", "ref": rel[0]},
                                                                {"role": "to", "ref": rel[1]}]}]
        return r

    alice = rv("alice", 1, [("e1", per), ("e2", loc)], None)
    bob = rv("bob", 2, [("p", per), ("e1", org)], ("p", "e1"))
    carol = rv("carol", 3, [("x", per), ("e1", org)], ("x", "e1"))
    stats, out = run(tmp_path, base, [alice], [bob], [carol], policy="majority")
    lay = out[0]["sides"]["zh-Hans"]["layers"]["entities"]
    assert [(it["id"], it["label"]) for it in lay["items"]] == [("e1", "PER"), ("e1-2", "ORG")]
    assert lay["relations"] == [{"label": "works-for", "args": [{"role": "from", "ref": "e1"},
                                                                {"role": "to", "ref": "e1-2"}]}]
    assert lay["provenance"]["annotator"] == "bob"  # bob's version (relation included) is the result
    assert stats.conflicts == {"disagreement": 1}


def test_majority_over_a_whole_layer_other_than_entities(tmp_path: Path, base: Path) -> None:
    b = base_records()
    spans = b[1]["sides"]["ms"]["layers"]["tokens"]["spans"]
    joined = [spans[0], [spans[1][0], spans[2][1]]] + spans[3:]  # "Joko Widodo" as one token
    rs = []
    for k, (who, toks) in enumerate([("alice", joined), ("bob", spans), ("carol", joined)], 1):
        r = review(b[1], who, {"ms": [(1, 3, "PER")]}, annotation=k)
        r["sides"]["ms"]["layers"]["tokens"] = {"spans": toks}
        rs.append([r])
    b1 = copy.deepcopy(b)
    b1[1]["links"] = b1[1]["links"][:1]  # token links would point past the joined tokens
    base1 = write_jsonl(tmp_path / "machine1.jsonl", b1)
    stats, out = run(tmp_path, base1, *rs, policy="majority", layers=("tokens",))
    toks = out[1]["sides"]["ms"]["layers"]["tokens"]
    assert toks["spans"] == joined and toks["provenance"]["method"] == "assisted"
    assert toks["provenance"]["tool"] == SEG["tool"] and toks["provenance"]["review"]["status"] == "corrected"
    assert out[1]["sides"]["ms"]["layers"]["entities"] == b1[1]["sides"]["ms"]["layers"]["entities"]  # not merged
    assert stats.conflicts == {"disagreement": 1}
    stats2, out2 = run(tmp_path, base1, rs[0], rs[1], policy="majority", layers=("tokens",))
    assert out2[1]["sides"]["ms"]["layers"]["tokens"]["spans"] == joined  # no majority: the first, reported
    assert stats2.conflicts["tie"] == 1


def test_a_reviewed_base_record_that_is_not_valid_is_located(tmp_path: Path) -> None:
    b = base_records()
    r = review(b[1], "alice", {"ms": GOLD_MS2})
    b[1]["sides"] = [b[1]["sides"]["id"]]  # not an object of sides
    base = write_jsonl(tmp_path / "broken.jsonl", b)
    with pytest.raises(InputError, match=r"broken\.jsonl:2: record 'r2' /sides"):
        run(tmp_path, base, [r])


def test_idner2k_dev_three_reviewers_majority_restores_the_gold(tmp_path: Path) -> None:
    """Real data: IDNer2k's dev split as the machine's corpus (its gold entities with every third one
    dropped and every fifth relabelled), three reviewers in shuffled order (two give the gold, bob
    slips on every fourth record); majority gives the gold back, the same in memory and spilled."""
    from itertools import islice

    from lancang.corpora.formats import read_corpus
    from tests.conftest import shared

    gold = list(islice(read_corpus(shared("ner", "id_idner2k", "dev.txt"), "conll", ["id"]), 300))
    machine, n_changed = [], 0
    for rec in gold:
        m = copy.deepcopy(rec)
        lay = m["sides"]["id"]["layers"]["entities"]
        kept = [dict(it, label="MISC" if k % 5 == 4 else it["label"])
                for k, it in enumerate(lay["items"]) if k % 3 != 2]
        n_changed += kept != lay["items"]
        m["sides"]["id"]["layers"]["entities"] = {"items": kept, "provenance": MACHINE}
        machine.append(m)
    base = write_jsonl(tmp_path / "machine.jsonl", machine)

    def reviews(who: str, slips: bool) -> list[dict[str, Any]]:
        out = []
        for k, rec in enumerate(reversed(gold)):
            items_ = rec["sides"]["id"]["layers"]["entities"]["items"]
            if slips and k % 4 == 0:
                items_ = items_[1:]
            out.append({"id": f"{rec['id']}/{who}", "meta": {"labelstudio": {"record_id": rec["id"]},
                                                                "review": {"reviewer": who, "verdict": "pass"}},
                        "sides": {"id": {"text": rec["sides"]["id"]["text"], "layers": {"entities": {
                            "items": items_, "provenance": {"method": "assisted", "annotator": who}}}}}})
        return out

    files = [write_jsonl(tmp_path / f"{w}.jsonl", reviews(w, w == "bob")) for w in ("alice", "bob", "carol")]
    results = []
    for spill_at in (10**6, 64):
        out = tmp_path / f"merged{spill_at}.jsonl"
        stats = merge_files(base, files, out, policy="majority", spill_at=spill_at)
        results.append(out.read_bytes())
        merged = read(out)
        assert [r["id"] for r in merged] == [r["id"] for r in gold]
        for g, r in zip(gold, merged):
            assert ents_of(r, "id") == sorted(ents_of(g, "id"))
            assert r["sides"]["id"]["layers"]["tokens"] == g["sides"]["id"]["layers"]["tokens"]
            assert r["sides"]["id"]["layers"]["pos"] == g["sides"]["id"]["layers"]["pos"]
        assert stats.layers["corrected"] == n_changed and stats.layers["accepted"] == len(gold) - n_changed
        slipped = sum(1 for k, g in enumerate(reversed(gold))
                      if k % 4 == 0 and g["sides"]["id"]["layers"]["entities"]["items"])
        assert stats.conflicts == {"disagreement": slipped} and stats.reviews == 3 * len(gold)
    assert results[0] == results[1]


def test_empty_review_slots_are_not_reviews(tmp_path: Path, base: Path) -> None:
    """A task nobody submitted (or a sample nobody filled in) reads with meta.review all null and an empty
    entities layer without an annotator: merging it would erase the machine's entities."""
    b = base_records()
    untouched = review(b[1], None, {"ms": []}, verdict=None)
    del untouched["sides"]["ms"]["layers"]["entities"]["provenance"]
    untouched["meta"]["review"] = {"reviewer": None, "verdict": None, "defects": [], "annotation": None, "time": None}
    hand_edit = {"id": "r3", "sides": {"th": {"text": b[2]["sides"]["th"]["text"], "layers": {"entities": {
        "items": items(b[2]["sides"]["th"], [(0, 2, "PER")])}}}}}  # no meta at all: still a review
    stats, out = run(tmp_path, base, [untouched, hand_edit])
    assert out[1] == b[1] and stats.empty == 1 and stats.reviews == 2 and stats.reviewed == 1
    assert ents_of(out[2], "th") == spans_of(b[2], "th", [(0, 2, "PER")])
    assert out[2]["sides"]["th"]["layers"]["entities"]["provenance"]["review"] == {"status": "corrected"}


# ------------------------------------------------------------------------------------ links

ALIGNER = {"method": "auto", "tool": {"name": "eflomal", "version": "2.0"}, "time": "2026-12-01T09:30:00Z"}


def linked_base(tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    b = base_records()
    for rec in b:
        for lk in rec["links"]:
            lk["provenance"] = ALIGNER
    return write_jsonl(tmp_path / "aligned.jsonl", b), b


def link_review(base: dict[str, Any], who: str, pairs: list[list[Any]], k: int = 1) -> dict[str, Any]:
    """A review of r1's word links: both sides with tokens and sentences (as R1's reader rebuilds them), the
    token link corrected; BASE's beads copied unchanged."""
    r = review(base, who, {"zh-Hans": [(0, 1, "PER"), (2, 3, "LOC"), (4, 7, "ORG")], "th": GOLD_TH1}, annotation=k)
    for tag in ("zh-Hans", "th"):
        for name in ("tokens", "sentences"):
            r["sides"][tag]["layers"][name] = copy.deepcopy(base["sides"][tag]["layers"][name])
    beads, tokens = copy.deepcopy(base["links"])
    tokens["pairs"] = pairs
    tokens["provenance"] = {"method": "assisted", "tool": ALIGNER["tool"], "annotator": who}
    r["links"] = [beads, tokens]
    return r


#: r1's right word links: 王小明-หวังเสี่ยวหมิง, 工作-ทำงาน, 在-ที่, 曼谷-กรุงเทพฯ, 泰国国家银行-ธนาคารแห่งประเทศไทย
GOLD_LINKS = [[0, 0, "S"], [1, 2, "P"], [2, 7, "S"], [4, 5, "S"], [5, 3, "S"], [6, 3, "S"], [7, 1, "S"]]


def test_links_merge_when_asked(tmp_path: Path) -> None:
    base, b = linked_base(tmp_path)
    r = link_review(b[0], "alice", GOLD_LINKS)
    stats, out = run(tmp_path, base, [r])
    assert out[0]["links"] == b[0]["links"]  # not asked: BASE's links
    stats, out = run(tmp_path, base, [r], layers=("entities", "links"))
    beads, tokens = out[0]["links"]
    assert tokens["pairs"] == GOLD_LINKS and tokens["kind"] == "tokens" and tokens["src"] == "zh-Hans"
    assert tokens["provenance"]["method"] == "assisted" and tokens["provenance"]["tool"] == ALIGNER["tool"]
    assert tokens["provenance"]["review"]["status"] == "corrected"
    assert beads["beads"] == b[0]["links"][0]["beads"] and beads["provenance"]["review"]["status"] == "accepted"
    assert stats.layers == {"corrected": 2, "accepted": 2}  # th entities and the word links; zh entities, beads
    assert out[1:] == b[1:]


def test_token_links_vote_pair_by_pair(tmp_path: Path) -> None:
    base, b = linked_base(tmp_path)
    a = link_review(b[0], "alice", GOLD_LINKS)
    o = link_review(b[0], "bob", GOLD_LINKS[:-1], k=2)  # bob misses 工作-ทำงาน
    c = link_review(b[0], "carol", GOLD_LINKS + [[8, 7, "P"]], k=3)  # carol adds 。-กรุงเทพฯ
    stats, out = run(tmp_path, base, [a], [o], [c], policy="majority", layers=("links",))
    assert out[0]["links"][1]["pairs"] == GOLD_LINKS
    assert out[0]["links"][1]["provenance"]["annotator"] == "alice"
    dis = [c for c in stats.listed if c["kind"] == "disagreement"]
    assert [(c["side"], c["layer"], c["count"]) for c in dis] == [("zh-Hans>th", "links/tokens", 2)]
    stats2, out2 = run(tmp_path, base, [a], [o], policy="majority", layers=("links",))
    assert out2[0]["links"][1]["pairs"] == GOLD_LINKS[:-1] and stats2.conflicts["tie"] == 1


def test_a_link_of_an_edited_side_is_not_merged(tmp_path: Path) -> None:
    base, b = linked_base(tmp_path)
    r = link_review(b[0], "alice", GOLD_LINKS)
    r["sides"]["th"]["text"] = r["sides"]["th"]["text"].replace("กรุงเทพฯ", "กรุงเทพมหานคร")
    r["sides"]["th"]["layers"]["tokens"]["spans"][-1][1] += 5
    r["sides"]["th"]["layers"]["sentences"]["spans"][-1][1] += 5
    r["sides"]["th"]["layers"]["entities"]["items"][-1]["end"] += 5
    stats, out = run(tmp_path, base, [r], layers=("entities", "links"))
    assert out[0]["links"] == b[0]["links"] and out[0]["sides"]["th"] == b[0]["sides"]["th"]
    assert stats.conflicts == {"text-changed": 1}
    assert out[0]["sides"]["zh-Hans"]["layers"]["entities"]["provenance"]["review"]["status"] == "accepted"


def test_a_reviewed_link_past_the_tokens_is_located(tmp_path: Path) -> None:
    base, b = linked_base(tmp_path)
    r = link_review(b[0], "alice", GOLD_LINKS + [[0, 8, "S"]])  # th has tokens 0-7
    with pytest.raises(InputError, match=r"review0\.jsonl:1: record 'r1-task/a1' /links/1/pairs/7"):
        run(tmp_path, base, [r], layers=("links",))


def test_a_fail_verdict_rejects_only_the_layers_its_defects_name(tmp_path: Path, base: Path) -> None:
    b = base_records()
    zh = [(0, 1, "LOC"), (3, 4, "LOC"), (6, 7, "LOC")]
    on_th = [{"type": "missing-entity", "side": "th", "layer": "entities"}]
    stats, out = run(tmp_path, base, [review(b[2], "bob", {"zh-Hans": zh, "th": [(1, 2, "LOC")]}, verdict="fail",
                                             defects=on_th)])
    status = {t: out[2]["sides"][t]["layers"]["entities"]["provenance"]["review"]["status"] for t in ("zh-Hans", "th")}
    assert status == {"zh-Hans": "accepted", "th": "rejected"}
    for defects in ([], ["missing-entity"], [{"type": "wrong-label"}]):  # unattributed: every unchanged layer
        _stats, out = run(tmp_path, base, [review(b[2], "bob", {"zh-Hans": zh}, verdict="fail", defects=defects)])
        assert out[2]["sides"]["zh-Hans"]["layers"]["entities"]["provenance"]["review"]["status"] == "rejected"


def test_roles_stay_apart_where_the_reviews_allow(tmp_path: Path, base: Path) -> None:
    """The role-separation rule (annotator is not the reviewer): an accepted machine layer names no
    annotator; a correction names its author, reviewed by another reviewer who gave the same result;
    a layer a person made before keeps its annotator when accepted."""
    from lancang.standards.rules import role_separation

    b = base_records()
    b[3]["sides"]["ms"]["layers"]["entities"] = {"items": items(b[3]["sides"]["ms"], [(0, 2, "ORG"), (4, 6, "LOC")]),
                                                 "provenance": {"method": "manual", "annotator": "siti"}}
    base = write_jsonl(tmp_path / "mixed.jsonl", b)
    alice = [review(b[0], "alice", {"zh-Hans": [(0, 1, "PER"), (2, 3, "LOC"), (4, 7, "ORG")], "th": GOLD_TH1}),
             review(b[3], "alice", {"ms": [(0, 2, "ORG"), (4, 6, "LOC")]})]
    bob = [review(b[0], "bob", {"th": GOLD_TH1}, annotation=2)]
    _stats, out = run(tmp_path, base, alice, bob)
    zh, th = (out[0]["sides"][t]["layers"]["entities"]["provenance"] for t in ("zh-Hans", "th"))
    assert "annotator" not in zh and zh["review"]["reviewer"] == "alice" and zh["review"]["status"] == "accepted"
    assert th["annotator"] == "alice" and th["review"]["reviewer"] == "bob" and th["review"]["status"] == "corrected"
    ms = out[3]["sides"]["ms"]["layers"]["entities"]["provenance"]
    assert ms == {"method": "manual", "annotator": "siti", "review": {"status": "accepted", "reviewer": "alice",
                                                                      "time": T_ALICE}}
    assert not list(role_separation(out[0], {})) and not list(role_separation(out[3], {}))
    _stats, out = run(tmp_path, base, alice)  # alone, alice's correction is hers and reviewed by her: flagged
    assert [ptr for ptr, _ in role_separation(out[0], {})] == ["/sides/th/layers/entities/provenance"]
