"""The speech rules of the rule library (issue 18): a passing and a failing fixture for each."""

from __future__ import annotations

import copy
import hashlib
import wave
from pathlib import Path
from typing import Any

import pytest

from lancang.schemas.validator import SchemaEngine
from lancang.standards.rules import RULES
from tests.conftest import shared

TEXT = "我们去公园\n好的"
SPEECH: dict[str, Any] = {"id": "rec1", "sides": {"zh": {
    "text": TEXT,
    "media": {"uri": "audio/rec1.wav", "sha256": "0" * 64, "duration": 4.0, "sample_rate": 16000, "channels": 1},
    "layers": {"segments": {"spans": [{"start": 0, "end": 5, "t0": 0.0, "t1": 1.5, "speaker": "S1"},
                                      {"start": 6, "end": 8, "t0": 1.8, "t1": 2.4, "speaker": "S2"}]}}}}}
MANIFEST = {"speakers": [{"id": "S1", "roles": ["speaker"], "language": "zh", "consent": True},
                         {"id": "S2", "roles": ["speaker"], "language": "zh", "consent": True}]}


def _segs(r: dict[str, Any]) -> list[dict[str, Any]]:
    return r["sides"]["zh"]["layers"]["segments"]["spans"]


#: rule id -> (params, mutation making the fixture fail, message expected)
CASES = {
    "media-referenced": ({}, lambda r: r["sides"]["zh"]["media"].pop("sha256"), "has no sha256"),
    "timed-segment-empty": ({}, lambda r: _segs(r).append({"start": 8, "end": 8, "t0": 2.5, "t1": 3.0}),
                            "no transcript"),
}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_speech_record_rule(rule_id: str) -> None:
    rule = RULES.get(rule_id)
    params, mutate, expect = CASES[rule_id]
    assert SchemaEngine(rule.params).is_valid(params)
    assert list(rule.check(copy.deepcopy(SPEECH), params)) == []
    bad = copy.deepcopy(SPEECH)
    mutate(bad)
    hits = list(rule.check(bad, params))
    assert hits and all(p.startswith("/sides/zh") for p, _ in hits) and expect in hits[0][1]


def test_media_referenced_requires_what_the_profile_lists() -> None:
    rule = RULES.get("media-referenced")
    rec = copy.deepcopy(SPEECH)
    rec["sides"]["zh"]["media"] = {"uri": "a.wav"}
    assert [m for _p, m in rule.check(rec, {"require": ["sha256", "duration"]})] == \
        ["media 'a.wav' has no sha256, duration"]
    assert list(rule.check(rec, {"require": []})) == []
    del rec["sides"]["zh"]["media"]
    assert list(rule.check(rec, {"require": []})) == [("/sides/zh", "the side names no media file (media.uri)")]


def test_speakers_declared_with_consent() -> None:
    rule = RULES.get("speakers-declared")
    assert rule.reads_manifest and rule.scope == "corpus"
    ok = rule.start({"_manifest": MANIFEST})
    assert list(ok.record(copy.deepcopy(SPEECH), 1)) == [] and list(ok.finish()) == []
    no_consent = copy.deepcopy(MANIFEST)
    no_consent["speakers"][1]["consent"] = False
    assert [m for _p, m in rule.start({"_manifest": no_consent}).record(SPEECH, 1)] == \
        ["speaker 'S2' has not consented (manifest speakers: consent is not true)"]
    assert list(rule.start({"_manifest": no_consent, "consent": False}).record(SPEECH, 1)) == []
    undeclared = rule.start({"_manifest": {"speakers": MANIFEST["speakers"][:1]}})
    assert list(undeclared.record(SPEECH, 1)) == [
        ("/sides/zh/layers/segments/spans/1", "speaker 'S2' is not declared in the manifest's speakers")]
    anon = copy.deepcopy(SPEECH)
    for s in _segs(anon):
        del s["speaker"]
    assert [m for _p, m in rule.start({"_manifest": MANIFEST}).record(anon, 1)] == ["the segment names no speaker"]
    assert list(rule.start({"_manifest": MANIFEST, "required": False}).record(anon, 1)) == []
    assert list(rule.start({"_manifest": None}).record(SPEECH, 1))  # no manifest speakers: none declared


def test_media_verified_against_the_file(tmp_path: Path) -> None:
    wav = shared("speech", "audio", "praatio", "bobby.wav")
    (tmp_path / "audio").mkdir()
    (tmp_path / "audio" / "bobby.wav").write_bytes(wav.read_bytes())
    with wave.open(str(wav)) as w:
        duration = w.getnframes() / w.getframerate()
    rec = copy.deepcopy(SPEECH)
    rec["sides"]["zh"]["media"] = {"uri": "audio/bobby.wav", "sha256": hashlib.sha256(wav.read_bytes()).hexdigest(),
                                   "duration": duration}
    rule = RULES.get("media-verified")
    assert rule.reads_corpus and rule.applies(rec, {})
    params = {"_corpus": str(tmp_path / "corpus.jsonl")}
    assert list(rule.check(rec, params)) == []
    assert list(rule.check(rec, {"root": str(tmp_path)})) == []
    bad = copy.deepcopy(rec)
    bad["sides"]["zh"]["media"]["sha256"] = "0" * 64
    [(ptr, m)] = list(rule.check(bad, params))
    assert ptr == "/sides/zh/media/sha256" and m.startswith("media-hash-differs: ")
    bad["sides"]["zh"]["media"]["uri"] = "audio/gone.wav"
    [(ptr, m)] = list(rule.check(bad, params))
    assert ptr == "/sides/zh/media/uri" and m.startswith("media-missing: ")
    assert not rule.applies({"id": "t", "sides": {"zh": {"text": "x"}}}, {})
