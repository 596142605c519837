"""The speech model (issue 18): media, segments and words on a side; speakers in the manifest; the
validator's speech invariants, each with a passing and a failing record."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from lancang.corpora.edits import apply_edits
from lancang.corpora.model import Record, Segment, Word
from lancang.schemas import load_schema
from lancang.schemas.validator import RecordValidator, SchemaEngine


def speech_record() -> dict[str, Any]:
    r = Record.new("rec-1")
    th = r.add_transcript("th", [
        {"text": "สวัสดีครับ", "t0": 0.25, "t1": 1.5, "speaker": "spk-a", "tier": "A", "id": "a1"},
        {"text": "ค่ะ", "t0": 1.2, "t1": 1.9, "speaker": "spk-b", "tier": "B"},
        {"text": "ไปไหนมา", "t0": 2.0, "t1": 3.125, "speaker": "spk-a", "tier": "A"},
    ], provenance={"method": "manual", "annotator": "ann-1"})
    th.set_media("audio/rec-1.wav", duration=3.5, sample_rate=16000, channels=1, channel=1, sha256="a" * 64)
    th.set_words([(0, 6, 0.25, 0.9, 0.8), (6, 10, 0.9, 1.5)])
    return r.data


def segs(r: dict[str, Any]) -> list[dict[str, Any]]:
    return r["sides"]["th"]["layers"]["segments"]["spans"]


def words(r: dict[str, Any]) -> list[dict[str, Any]]:
    return r["sides"]["th"]["layers"]["words"]["spans"]


def both_a(r: dict[str, Any]) -> None:  # make the two overlapping segments one speaker's
    segs(r)[1].update(speaker="spk-a", tier="A")


BROKEN: dict[str, Callable[[dict[str, Any]], None]] = {
    "time-reversed": lambda r: segs(r)[2].update(t0=3.2, t1=3.1),
    "time-past-media": lambda r: segs(r)[2].update(t1=3.502),
    "segments-unordered": lambda r: segs(r).reverse(),
    "segments-overlap-in-time": both_a,
    "spans-overlap": lambda r: segs(r)[1].update(start=5),
    "span-out-of-range": lambda r: words(r)[1].update(end=99),
    "span-reversed": lambda r: segs(r)[0].update(start=4, end=2),
    "offset-not-integer": lambda r: words(r)[0].update(start=0.0),
    "schema-minimum": lambda r: segs(r)[0].update(t0=-0.5),
    "schema-pattern": lambda r: r["sides"]["th"]["media"].update(sha256="A" * 64),
    "schema-required": lambda r: r["sides"]["th"]["media"].pop("uri"),
    "schema-additional-properties": lambda r: segs(r)[0].update(label="x"),
    "schema-maximum": lambda r: words(r)[0].update(conf=1.5),
    "schema-exclusive-minimum": lambda r: r["sides"]["th"]["media"].update(sample_rate=0),
}


@pytest.fixture(scope="module", params=["rs", "py"])
def validator(request: pytest.FixtureRequest) -> RecordValidator:
    return RecordValidator(request.param)


def test_speech_record_is_valid(validator: RecordValidator) -> None:
    assert validator.check(speech_record()) == []


@pytest.mark.parametrize("rule", sorted(BROKEN))
def test_speech_rule_fires(validator: RecordValidator, rule: str) -> None:
    r = speech_record()
    BROKEN[rule](r)
    found = validator.check(r)
    assert rule in {f[0] for f in found}, found
    assert all(f[2].startswith("/sides/th/") for f in found), found


def test_tolerance_and_unknown_duration(validator: RecordValidator) -> None:
    r = speech_record()
    segs(r)[2]["t1"] = 3.5009  # within 1 ms of the end
    assert validator.check(r) == []
    segs(r)[2]["t1"] = 9.0
    del r["sides"]["th"]["media"]["duration"]  # unknown duration: nothing to check against
    assert validator.check(r) == []


def test_overlap_allowed_when_the_layer_says_so(validator: RecordValidator) -> None:
    r = speech_record()
    both_a(r)
    r["sides"]["th"]["layers"]["segments"]["overlap"] = True
    assert validator.check(r) == []


def test_segments_without_speaker_share_one_speaker(validator: RecordValidator) -> None:
    r = speech_record()
    for s in segs(r):
        s.pop("speaker"), s.pop("tier")
    found = validator.check(r)
    assert [(f[0], f[2]) for f in found] == [("segments-overlap-in-time", "/sides/th/layers/segments/spans/1")]


def test_empty_segment_is_valid(validator: RecordValidator) -> None:
    r = Record.new("e")
    r.add_transcript("vi", [{"text": "", "t0": 0.0, "t1": 0.5}, {"text": "xin chào", "t0": 0.5, "t1": 1.0}],
                     keep_empty=True)
    assert r.data["sides"]["vi"]["text"] == "\nxin chào"
    assert [(s.start, s.end, s.text) for s in r.side("vi").segments()] == [(0, 0, ""), (1, 9, "xin chào")]
    assert validator.check(r.data) == []


def test_accessors() -> None:
    r = Record(speech_record())
    th = r.side("th")
    assert th.media == {"uri": "audio/rec-1.wav", "sha256": "a" * 64, "duration": 3.5, "sample_rate": 16000,
                        "channels": 1, "channel": 1}
    got = th.segments()
    assert got[0] == Segment(0, 10, 0.25, 1.5, "spk-a", "A", "a1", "สวัสดีครับ")
    assert [s.text for s in got] == ["สวัสดีครับ", "ค่ะ", "ไปไหนมา"] == th.text.split("\n")
    assert th.words() == [Word(0, 6, 0.25, 0.9, 0.8, "สวัสดี"), Word(6, 10, 0.9, 1.5, None, "ครับ")]
    th.set_segments([(4, 5, 2.0, 2.5), {"start": 0, "end": 3, "t0": 0.125, "t1": 1.0, "speaker": "x"},
                     Segment(3, 4, 2.0, 2.25)], overlap=True)
    lay = th.layer("segments")
    assert lay["overlap"] is True and "provenance" not in lay
    assert lay["spans"] == [{"start": 0, "end": 3, "t0": 0.125, "t1": 1.0, "speaker": "x"},  # sorted by (t0, t1)
                            {"start": 3, "end": 4, "t0": 2.0, "t1": 2.25},
                            {"start": 4, "end": 5, "t0": 2.0, "t1": 2.5}]
    with pytest.raises(ValueError, match="unknown media fact"):
        th.set_media("x.wav", bitrate=5)


def test_transcript_drops_blank_utterances_and_sorts() -> None:
    r = Record.new("t")
    side = r.add_transcript("zh-Hans", [{"text": "二", "t0": 1.0, "t1": 2.0}, {"text": "  ", "t0": 0.5, "t1": 1.0},
                                        {"text": "一", "t0": 0.0, "t1": 0.5}])
    assert side.text == "一\n二" and [s.t0 for s in side.segments()] == [0.0, 1.0]


def test_manifest_speakers_schema() -> None:
    eng = SchemaEngine(load_schema("manifest"))
    m = copy.deepcopy(load_schema("manifest")["examples"][0])
    m["speakers"] = [{"id": "spk-a", "roles": ["interviewee"], "language": "th", "consent": True, "gender": "f"}]
    assert eng.errors(m) == []
    m["speakers"][0].pop("consent")
    assert [e[:2] for e in eng.errors(m)] == [("/speakers/0", "required")]
    m["speakers"][0].update(consent="yes")
    assert [e[:2] for e in eng.errors(m)] == [("/speakers/0/consent", "type")]


def test_edits_remap_segments_and_words_and_keep_times() -> None:
    r = speech_record()
    side = r["sides"]["th"]
    # replace "ครับ" (6..10) by "ค่ะ!" (4 chars -> 4) and delete "มา" at the end (text 15..22 -> "ไปไหน")
    text = side["text"]
    i = text.index("มา")
    res = apply_edits(side, [(6, 10, "ครับผม"), (i, i + 2, "")])
    new = res.side
    assert new["text"] == "สวัสดีครับผม\nค่ะ\nไปไหน"
    sp = new["layers"]["segments"]["spans"]
    assert [new["text"][s["start"]:s["end"]] for s in sp] == ["สวัสดีครับผม", "ค่ะ", "ไปไหน"]
    assert [(s["t0"], s["t1"]) for s in sp] == [(0.25, 1.5), (1.2, 1.9), (2.0, 3.125)]
    assert [(w["start"], w["end"], w["t0"]) for w in new["layers"]["words"]["spans"]] == [(0, 6, 0.25), (6, 12, 0.9)]
    assert side["text"] == text  # the input is not changed
    assert RecordValidator().check({"id": "x", "sides": {"th": new}}) == []


def test_stats_hours_speakers_and_rate() -> None:
    from lancang.corpora.stats import CorpusStats, render_text

    st = CorpusStats()
    st.add(speech_record())
    r2 = speech_record()
    r2["id"] = "rec-2"  # the same media file again, consecutively: counted once
    st.add(r2)
    zh = Record.new("zh-1")
    side = zh.add_transcript("zh-Hans", [{"text": "广州市 房地产", "t0": 0.0, "t1": 2.0, "speaker": "S1"},
                                         {"text": "", "t0": 2.0, "t1": 4.0}], keep_empty=True)
    side.set_media("a.wav", duration=4.28)
    st.add(zh.data)
    st.add({"id": "plain", "sides": {"en": {"text": "no speech here"}}})
    sp = st.to_dict()["speech"]
    assert set(sp) == {"th", "zh-Hans"}
    th = sp["th"]
    # three segments of 1.25 + 0.7 + 1.125 s, twice; 10 + 3 + 7 Thai characters
    assert th["segments"] == 6 and th["speakers"] == 2 and th["media_files"] == 1
    assert th["speech_hours"] == round(2 * 3.075 / 3600, 4) and th["media_hours"] == round(3.5 / 3600, 4)
    assert th["rate"] == round(40 / 6.15, 3) and th["rate_unit"] == "chars/s"
    z = sp["zh-Hans"]
    assert (z["segments"], z["empty_segments"], z["rate"], z["rate_unit"]) == (2, 1, 1.5, "chars/s")
    text = render_text(st.to_dict(), "t")
    assert "speech th:" in text and "2 speakers" in text
    vi = CorpusStats()
    rec = Record.new("v")
    rec.add_transcript("vi", [{"text": "xin chào các bạn", "t0": 1.0, "t1": 3.0}])
    vi.add(rec.data)
    assert vi.speech_summary()["vi"]["rate"] == 2.0 and vi.speech_summary()["vi"]["rate_unit"] == "words/s"


def test_speaker_not_in_manifest_is_a_warning(tmp_path, cli) -> None:  # type: ignore[no-untyped-def]
    import orjson

    m = copy.deepcopy(load_schema("manifest")["examples"][0])
    m["languages"] = ["th"]
    m["people"].append({"id": "ann-1", "roles": ["annotator"]})
    m["speakers"] = [{"id": "spk-a", "roles": ["speaker"], "language": "th", "consent": True}]
    (tmp_path / "manifest.json").write_bytes(orjson.dumps(m))
    (tmp_path / "c.jsonl").write_bytes(orjson.dumps(speech_record()) + b"\n")
    res = cli("validate", str(tmp_path / "c.jsonl"), str(tmp_path / "manifest.json"), "--format", "json")
    assert res.exit_code == 0, res.output
    found = [(f["rule"], f["severity"], f["pointer"]) for f in orjson.loads(res.output)["findings"]]
    assert found == [("speaker-not-in-manifest", "warning", "/sides/th/layers/segments/spans/1/speaker")]
    m["speakers"].append({"id": "spk-b", "roles": ["speaker"], "language": "th", "consent": False})
    (tmp_path / "manifest.json").write_bytes(orjson.dumps(m))
    res = cli("validate", str(tmp_path / "c.jsonl"), str(tmp_path / "manifest.json"), "--format", "json")
    assert orjson.loads(res.output)["findings"] == []


def test_transcript_marks_text_that_was_not_nfc() -> None:
    r = Record.new("n")
    side = r.add_transcript("vi", [{"text": "Vie\u0302\u0323t", "t0": 0.0, "t1": 1.0}])
    assert side.text == "Việt" and side.data["meta"] == {"source_not_nfc": True}
    assert "meta" not in Record.new("m").add_transcript("vi", [{"text": "Việt", "t0": 0.0, "t1": 1.0}]).data
