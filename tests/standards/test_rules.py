"""One minimal passing and one minimal failing fixture for every rule of the rule library."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from lancang.schemas.validator import SchemaEngine
from lancang.standards.rules import BUILTIN_RULES, RULES

PROV = {"method": "auto", "tool": {"name": "jieba"}, "annotator": "a1",
        "review": {"status": "accepted", "reviewer": "r1"}}
RECORD: dict[str, Any] = {
    "id": "r1",
    "sides": {
        "zh-Hans": {"text": "我爱北京。", "layers": {
            "sentences": {"spans": [[0, 5]], "provenance": PROV},
            "tokens": {"spans": [[0, 1], [1, 2], [2, 4], [4, 5]], "provenance": PROV},
            "entities": {"items": [{"id": "T1", "start": 2, "end": 4, "label": "LOC"}], "provenance": PROV}}},
        "th": {"text": "ฉันรักปักกิ่ง", "layers": {
            "sentences": {"spans": [[0, 13]], "provenance": PROV},
            "tokens": {"spans": [[0, 3], [3, 6], [6, 13]], "provenance": PROV},
            "pos": {"values": ["PRON", "VERB", "PROPN"], "provenance": PROV},
            "head": {"values": [2, 0, 2], "provenance": PROV},
            "deprel": {"values": ["nsubj", "root", "obj"], "provenance": PROV}}},
    },
    "links": [{"kind": "beads", "src": "zh-Hans", "tgt": "th", "beads": [{"src": [0], "tgt": [0]}],
               "provenance": PROV}],
}
MANIFEST: dict[str, Any] = {
    "manifest": "lancang/manifest/1", "id": "c", "title": "C", "languages": ["zh-Hans", "th"], "license": "CC-BY-4.0",
    "guidelines": [{"title": "G", "sections": ["标注目标", "数据格式", "标注方法", "质量指标"]}],
    "people": [{"id": "a1", "roles": ["annotator"]}, {"id": "r1", "roles": ["reviewer"]}],
    "processing": [{"step": "preparation"}, {"step": "cleaning"}, {"step": "review"}],
}


def zh(r: dict[str, Any]) -> dict[str, Any]:
    return r["sides"]["zh-Hans"]


def th(r: dict[str, Any]) -> dict[str, Any]:
    return r["sides"]["th"]


# rule id -> (params, mutation making the fixture fail)
CASES: dict[str, tuple[dict[str, Any], Callable[[dict[str, Any]], Any]]] = {
    "model-invariants": ({}, lambda r: zh(r)["layers"]["tokens"]["spans"].__setitem__(3, [4, 9])),
    "text-nfc": ({}, lambda r: th(r).update(text="e\u0301")),
    "text-control-chars": ({}, lambda r: th(r).update(text="ฉัน\x07รัก")),
    "text-bom": ({}, lambda r: th(r).update(text="ฉัน\ufeffรัก")),
    "text-mojibake": ({}, lambda r: th(r).update(text="Ã  la franÃ§aise")),
    "lang-allowed": ({"allowed": ["zh", "th"]}, lambda r: r["sides"].update(fr={"text": "bonjour"})),
    "sides-required": ({"min": 2, "languages": ["zh"]}, lambda r: r["sides"].pop("zh-Hans")),
    "script-matches-language": ({}, lambda r: th(r).update(text="I love Beijing very much")),
    "tokens-tile": ({}, lambda r: zh(r)["layers"]["tokens"]["spans"].pop(0)),
    "sentences-tile": ({}, lambda r: th(r)["layers"].pop("sentences")),
    "entity-token-boundaries": ({}, lambda r: zh(r)["layers"]["entities"]["items"][0].update(start=3)),
    "entity-labels": ({"labels": ["LOC", "PER"]},
                      lambda r: zh(r)["layers"]["entities"]["items"][0].update(label="GPE")),
    "layers-required": ({"layers": ["tokens", "sentences"]}, lambda r: th(r)["layers"].pop("tokens")),
    "links-required": ({"kinds": ["beads"]}, lambda r: r.pop("links")),
    "segment-empty": ({}, lambda r: th(r).update(text="  ", layers={})),
    "segment-untranslated": ({}, lambda r: th(r).update(text="我爱北京。", layers={})),
    "provenance-present": ({"methods": ["auto", "assisted"]}, lambda r: zh(r)["layers"]["tokens"].pop("provenance")),
    "role-separation": ({}, lambda r: zh(r)["layers"]["tokens"].update(
        provenance={"method": "manual", "annotator": "a1", "review": {"status": "accepted", "reviewer": "a1"}})),
    "tmx-header": ({}, lambda r: r.update(meta={"tmx": {"header": {"attrs": {
        "creationtool": "t", "creationtoolversion": "1", "segtype": "clause", "o-tmf": "x", "adminlang": "en",
        "srclang": "zh-Hans", "datatype": "plaintext"}}}})),
    "layer-values": ({"layer": "pos", "values": ["NOUN", "VERB", "PROPN", "PRON"]},
                     lambda r: th(r)["layers"]["pos"]["values"].__setitem__(1, "VERBAL")),
    "dependency-tree": ({}, lambda r: th(r)["layers"]["head"]["values"].__setitem__(0, 1)),
    "pii-residual": ({"types": ["PHONE", "TH_NATIONAL_ID"]}, lambda r: th(r).update(text="โทร ๐๘๑ ๒๓๔ ๕๖๗๘ ได้ทุกวัน")),
}
MANIFEST_CASES: dict[str, tuple[dict[str, Any], Callable[[dict[str, Any]], Any]]] = {
    "manifest-role-separation": ({}, lambda m: m["people"][0]["roles"].append("reviewer")),
    "manifest-fields": ({"fields": ["/license", {"pointer": "/guidelines/0/title", "label": "task description"}]},
                        lambda m: m.pop("guidelines")),
    "manifest-roles": ({"roles": ["annotator", "reviewer"]}, lambda m: m["people"].pop()),
    "processing-steps": ({"steps": ["preparation", ["review", "inspection"]], "ordered": True},
                         lambda m: m["processing"].reverse()),
    "guideline-sections": ({"sections": [["标注目标", "goal"], "质量指标"]},
                           lambda m: m["guidelines"][0]["sections"].remove("质量指标")),
}
CORPUS_CASES = ["duplicate-records", "duplicate-pairs"]


def test_every_rule_has_a_fixture() -> None:
    # text-zawgyi: test_zawgyi_rule; source-format: tests/standards/test_check_formats.py; the speech rules:
    # tests/standards/test_speech_rules.py
    from .test_speech_rules import CASES as SPEECH_CASES

    covered = set(CASES) | set(MANIFEST_CASES) | set(CORPUS_CASES) | {"text-zawgyi", "source-format"} | \
        set(SPEECH_CASES) | {"speakers-declared", "media-verified"}
    assert covered == set(BUILTIN_RULES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_record_rule(rule_id: str) -> None:
    rule = RULES.get(rule_id)
    params, mutate = CASES[rule_id]
    assert SchemaEngine(rule.params).is_valid(params)
    assert list(rule.check(copy.deepcopy(RECORD), params)) == [], "the passing fixture passes"
    bad = copy.deepcopy(RECORD)
    mutate(bad)
    hits = list(rule.check(bad, params))
    assert hits, "the failing fixture fails"
    for ptr, msg in hits:
        assert ptr.startswith("/") and msg


@pytest.mark.parametrize("rule_id", sorted(MANIFEST_CASES))
def test_manifest_rule(rule_id: str) -> None:
    rule = RULES.get(rule_id)
    params, mutate = MANIFEST_CASES[rule_id]
    assert SchemaEngine(rule.params).is_valid(params)
    assert list(rule.check(copy.deepcopy(MANIFEST), params)) == []
    bad = copy.deepcopy(MANIFEST)
    mutate(bad)
    assert list(rule.check(bad, params))


@pytest.mark.parametrize("rule_id", CORPUS_CASES)
def test_corpus_rule_bounded_memory(rule_id: str) -> None:
    """Duplicates are found both before and after the in-memory index spills to disk."""
    rule = RULES.get(rule_id)
    run = rule.start({})
    run.index.spill_at = 3
    recs = []
    for i in range(8):
        r = copy.deepcopy(RECORD)
        r["id"] = f"r{i}"
        th(r)["text"] = f"ฉันรักปักกิ่ง{i}" if i not in (2, 6) else "ฉันรักปักกิ่ง0"
        recs.append(r)
    early = [h for n, r in enumerate(recs, 1) for h in run.record(r, n)]
    late = list(run.finish())
    assert early == [("/sides", f"{'the record' if rule_id == 'duplicate-records' else 'the text pair'} "
                                "duplicates the record on line 1")]
    assert [(line, rid) for line, rid, _p, _m in late] == [(7, "r6")]
    clean = rule.start({})
    assert [h for n, r in enumerate(recs[:2], 1) for h in clean.record(r, n)] == [] and list(clean.finish()) == []


def test_duplicate_pairs_fold_case_and_space() -> None:
    run = RULES.get("duplicate-pairs").start({})
    a, b = copy.deepcopy(RECORD), copy.deepcopy(RECORD)
    zh(b)["text"] = "我爱北京。 "
    assert list(run.record(a, 1)) == [] and list(run.record(b, 2))


def test_zawgyi_rule() -> None:
    pytest.importorskip("myanmartools", reason="the `my` extra (myanmartools) is not installed")
    rule = RULES.get("text-zawgyi")
    good = {"id": "m", "sides": {"my": {"text": "မြန်မာနိုင်ငံသည် အရှေ့တောင်အာရှတွင် တည်ရှိသည်။"}}}
    bad = {"id": "m", "sides": {"my": {"text": "ျမန္မာႏိုင္ငံသည္ အေရွ႕ေတာင္အာရွတြင္ တည္ရွိသည္။"}}}
    assert list(rule.check(good, {})) == []
    assert list(rule.check(bad, {}))
