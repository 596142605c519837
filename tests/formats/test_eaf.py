"""ELAN EAF (issue 18): the format contract over time-aligned records, golden tests on every shared EAF
(checked against pympi-ling's reading of the same files), time slots without a value, and bad input."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lancang.corpora.formats import resolve_format
from lancang.corpora.formats.eaf import read, write
from lancang.errors import InputError, UsageError
from lancang.schemas.validator import RecordValidator

from ..conftest import SHARED_DATA, shared
from .contract import TEXTS, FormatContract
from .test_textgrid import timed_side

EAF_FILES = sorted((SHARED_DATA / "speech" / "eaf").glob("*/*.eaf"))
V = RecordValidator()


def eaf_side(text: str, k: int, words: bool) -> dict[str, Any]:
    side = timed_side(text, k, words)
    for n, seg in enumerate(side.get("layers", {}).get("segments", {}).get("spans", [])):
        seg.update(id=f"u{n + 1}", tier=f"spk{k}", speaker=f"spk{k}")
        if words:
            seg.update(speaker=f"spk{k}")
    if text:
        side["media"] = {"uri": f"audio/r{k}.wav"}
        # EAF times are whole milliseconds
        for lay in side["layers"].values():
            for s in lay["spans"]:
                s["t0"], s["t1"] = round(s["t0"], 3), round(s["t1"], 3)
    return side


class TestEaf(FormatContract):
    format_name = "eaf"
    langs = ["my"]

    def sample_records(self) -> list[dict[str, Any]]:
        recs = [{"id": f"r{i}", "sides": {"my": eaf_side(text, i, words=i % 2 == 0)}}
                for i, text in enumerate(TEXTS.values())]
        return recs + [{"id": "s-empty", "sides": {"my": {"text": ""}}}]

    def path(self, tmp_path: Path) -> Path:
        return tmp_path / "eafs"

    def to_crlf_bom(self, path: Path) -> None:
        for p in path.iterdir():
            super().to_crlf_bom(p)


def pympi_view(path: Path) -> dict[str, Any]:
    """What pympi-ling reads from an EAF: tiers with their annotations (times, values, references),
    linguistic types, controlled vocabularies, media descriptors and the time of every slot."""
    from pympi.Elan import Eaf

    e = Eaf(str(path))
    tiers = {}
    for name, (aligned, refs, attrs, _order) in e.tiers.items():
        tiers[name] = {"attrs": attrs,
                       "aligned": sorted(((e.timeslots[a], e.timeslots[b], v) for a, b, v, _svg in aligned.values()),
                                         key=repr),
                       "refs": sorted((ref, v, prev) for ref, v, prev, _svg in refs.values())}
    return {"tiers": tiers, "types": e.linguistic_types, "cvs": e.controlled_vocabularies,
            "media": e.media_descriptors, "slots": sorted((v is None, v or 0) for v in e.timeslots.values()),
            "languages": e.languages, "locales": e.locales}


@pytest.mark.parametrize("path", EAF_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_real_file_round_trips(path: Path, tmp_path: Path) -> None:
    """Every shared EAF: valid, written back to what pympi-ling reads as the same document, read again to
    the same record."""
    pytest.importorskip("pympi")
    for keep_empty in (False, True):
        [rec] = read(path, langs=["en"], keep_empty=keep_empty)
        assert rec["id"] == path.stem and V.check(rec) == [], rec
        out = tmp_path / f"{path.stem}.eaf"
        write([rec], out)
        [back] = read(out, langs=["en"], keep_empty=keep_empty)
        assert back == rec
        assert pympi_view(out) == pympi_view(path)


def test_what_the_real_files_hold() -> None:
    base = shared("speech", "eaf")
    [t] = read(base / "speach" / "test.eaf", langs=["en"])
    side = t["sides"]["en"]
    segs = side["layers"]["segments"]["spans"]
    assert {s["tier"] for s in segs} == {"Person1 (Utterance)"} and {s["speaker"] for s in segs} == {"P001"}
    assert segs[0] == {"start": 0, "end": 21, "t0": 1.04, "t1": 2.33, "speaker": "P001",
                       "tier": "Person1 (Utterance)", "id": "a1"}
    assert side["text"].split("\n")[1] == "このリンゴ、おいしいね！"
    assert side["media"] == {"uri": "./test.wav"}
    lay = side["layers"]["x-eaf"]
    chunk_lang = next(x for x in lay["tiers"] if x["attrs"]["LINGUISTIC_TYPE_REF"] == "ChunkLanguage")
    assert chunk_lang["annotations"][0]["attrs"]["CVE_REF"].startswith("cveid_")  # symbolic association, CV kept
    assert any(x.startswith("<CONTROLLED_VOCABULARY") for x in lay["tail"])
    # two utterance tiers without participants: both are read, the tier id as the speaker
    [ex] = read(base / "poio-api" / "example.eaf", langs=["en"])
    segs = ex["sides"]["en"]["layers"]["segments"]["spans"]
    assert {s["speaker"] for s in segs} == {"K-Spch", "W-Spch"}
    assert ex["sides"]["en"]["media"]["uri"] == "file:///D:/Data/elan/elan-example1.wav"  # the audio descriptor
    # Turkish: symbolic subdivision chains kept with their previous-annotation links; relative media URL
    [tr] = read(base / "poio-api" / "turkish.eaf", langs=["tr"])
    words = next(x for x in tr["sides"]["tr"]["layers"]["x-eaf"]["tiers"] if x["attrs"]["TIER_ID"] == "P-Word")
    assert any("PREVIOUS_ANNOTATION" in a["attrs"] for a in words["annotations"])
    assert tr["sides"]["tr"]["media"] == {"uri": "./turkish.wav"}
    [blank] = read(base / "speach" / "blank.eaf", langs=["en"])
    assert blank["sides"]["en"]["text"] == ""


def test_unaligned_slot_is_interpolated_where_elan_would(tmp_path: Path) -> None:
    """example.eaf's ts62 has no value: it is the inner boundary of two W-Words annotations (a
    Time_Subdivision tier). Read as the transcript, it lies between its aligned neighbours."""
    path = shared("speech", "eaf", "poio-api", "example.eaf")
    [rec] = read(path, langs=["en"], tier="W-Words")
    segs = rec["sides"]["en"]["layers"]["segments"]["spans"]
    text = rec["sides"]["en"]["text"]
    a57 = next(s for s in segs if s["id"] == "a57")
    a58 = next(s for s in segs if s["id"] == "a58")
    assert a57["t1"] == a58["t0"] and a57["t0"] < a57["t1"] < a58["t1"]
    # ts61 = 11470, ts63 = 11840 ms (the aligned slots around ts62 in the time order): half way
    assert a57["t1"] == (11470 + 11840) / 2 / 1000
    assert [text[s["start"]:s["end"]] for s in (a57, a58)] == ["you", "follow"]
    assert V.check(rec) == []


def eaf(tmp_path: Path, slots: str, annotations: str, name: str = "bad", constraint: str = "") -> Path:
    types = '<LINGUISTIC_TYPE GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="utt" TIME_ALIGNABLE="true"/>'
    if constraint:
        types += (f'<LINGUISTIC_TYPE CONSTRAINTS="{constraint}" GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="sub" '
                  'TIME_ALIGNABLE="true"/>')
    p = tmp_path / f"{name}.eaf"
    p.write_text(f'''<?xml version="1.0" encoding="UTF-8"?>
<ANNOTATION_DOCUMENT AUTHOR="" DATE="2026-01-01T00:00:00+07:00" FORMAT="3.0" VERSION="3.0">
    <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"/>
    <TIME_ORDER>
{slots}
    </TIME_ORDER>
{annotations}
    {types}
    <LANGUAGE LANG_ID="tha" LANG_LABEL="Thai (tha)"/>
</ANNOTATION_DOCUMENT>
''', encoding="utf-8")
    return p


def ann(aid: str, a: str, b: str, value: str) -> str:
    return (f'<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="{aid}" TIME_SLOT_REF1="{a}" TIME_SLOT_REF2="{b}">'
            f"<ANNOTATION_VALUE>{value}</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>")


def test_time_slot_without_value_on_a_top_level_tier_is_an_error(tmp_path: Path) -> None:
    slots = ('<TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="0"/>\n<TIME_SLOT TIME_SLOT_ID="ts2"/>\n'
             '<TIME_SLOT TIME_SLOT_ID="ts3" TIME_VALUE="2000"/>')
    tier = ('<TIER LINGUISTIC_TYPE_REF="utt" PARTICIPANT="A" TIER_ID="A" LANG_REF="tha">'
            + ann("a1", "ts1", "ts2", "สวัสดี") + ann("a2", "ts2", "ts3", "ครับ") + "</TIER>")
    with pytest.raises(InputError, match=r"bad.eaf:6: time slot 'ts2' has no TIME_VALUE, and annotation 'a1' of tier "
                                         r"'A' \(line 9\) is not on a Time_Subdivision or Included_In tier"):
        list(read(eaf(tmp_path, slots, tier)))


def test_language_from_lang_ref_and_words_from_a_subdivision(tmp_path: Path) -> None:
    slots = "\n".join(f'<TIME_SLOT TIME_SLOT_ID="ts{i}" TIME_VALUE="{v}"/>' for i, v in
                      enumerate((0, 1000, 1600, 2000), 1)) + '\n<TIME_SLOT TIME_SLOT_ID="ts9"/>'
    tiers = ('<TIER LINGUISTIC_TYPE_REF="utt" PARTICIPANT="A" TIER_ID="A" LANG_REF="tha">'
             + ann("a1", "ts1", "ts4", "สวัสดี ครับ") + "</TIER>"
             '<TIER LINGUISTIC_TYPE_REF="sub" PARENT_REF="A" TIER_ID="A words">'
             + ann("w1", "ts1", "ts2", "สวัสดี") + ann("w2", "ts2", "ts4", "ครับ") + "</TIER>")
    p = eaf(tmp_path, slots, tiers, "ok", constraint="Time_Subdivision")
    [rec] = read(p)
    side = rec["sides"]["th"]  # LANG_REF="tha" through LANGUAGE: th
    assert [(side["text"][w["start"]:w["end"]], w["t0"], w["t1"]) for w in side["layers"]["words"]["spans"]] == \
        [("สวัสดี", 0.0, 1.0), ("ครับ", 1.0, 2.0)]
    assert V.check(rec) == []
    out = tmp_path / "back.eaf"
    write([rec], out)
    assert [{**r, "id": "ok"} for r in read(out)] == [rec]
    [vi] = read(p, langs=["vi"])  # --src wins
    assert list(vi["sides"]) == ["vi"]
    with pytest.raises(UsageError, match=r"no tier 'B' \(-I tier=...; the tiers: 'A', 'A words'\)"):
        list(read(p, tier="B"))
    with pytest.raises(UsageError, match="the words tier 'A' must be a tier other than the transcript"):
        list(read(p, words="A"))
    wrong = eaf(tmp_path, slots, tiers.replace(">ครับ<", ">ค่ะ<"), "wrong", constraint="Time_Subdivision")
    assert "words" not in read(wrong).__next__()["sides"]["th"]["layers"]  # by default: not a words layer
    with pytest.raises(InputError, match=r"wrong.eaf:\d+: a value of the words tier 'A words' is not found"):
        list(read(wrong, words="A words"))


def test_overlap_in_one_tier_is_an_error_and_across_tiers_a_flag(tmp_path: Path) -> None:
    slots = "\n".join(f'<TIME_SLOT TIME_SLOT_ID="ts{i}" TIME_VALUE="{v}"/>' for i, v in
                      enumerate((0, 1500, 1000, 2000), 1))
    one = ('<TIER LINGUISTIC_TYPE_REF="utt" PARTICIPANT="A" TIER_ID="A" LANG_REF="tha">'
           + ann("a1", "ts1", "ts2", "หนึ่ง") + ann("a2", "ts3", "ts4", "สอง") + "</TIER>")
    with pytest.raises(InputError, match=r"bad.eaf:\d+: annotation 'a2' of tier 'A' overlaps the one on line \d+"):
        list(read(eaf(tmp_path, slots, one)))
    two = ('<TIER LINGUISTIC_TYPE_REF="utt" PARTICIPANT="A" TIER_ID="A1" LANG_REF="tha">'
           + ann("a1", "ts1", "ts2", "หนึ่ง") + "</TIER>"
           + '<TIER LINGUISTIC_TYPE_REF="utt" PARTICIPANT="A" TIER_ID="A2" LANG_REF="tha">'
           + ann("a2", "ts3", "ts4", "สอง") + "</TIER>")
    [rec] = read(eaf(tmp_path, slots, two, "two"))
    assert rec["sides"]["th"]["layers"]["segments"]["overlap"] is True and V.check(rec) == []


def test_needs_a_language_and_sniffs(tmp_path: Path, cli: Any) -> None:
    path = shared("speech", "eaf", "speach", "test.eaf")
    with pytest.raises(UsageError, match="does not name the language of its text: give it with --src"):
        list(read(path))
    odd = tmp_path / "x.xml"
    shutil.copy(path, odd)
    assert resolve_format(odd).name == "eaf"
    assert resolve_format(path.parent).name == "eaf"
    out = tmp_path / "t.jsonl"
    assert cli("convert", str(path), str(out), "--src", "en").exit_code == 0
    assert cli("convert", str(out), str(tmp_path / "t.TextGrid"), "--allow-loss").exit_code == 0


def test_bad_xml_is_located(tmp_path: Path) -> None:
    p = tmp_path / "broken.eaf"
    p.write_text('<?xml version="1.0"?>\n<ANNOTATION_DOCUMENT>\n<TIER>\n</ANNOTATION_DOCUMENT>\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"broken.eaf:4"):
        list(read(p, langs=["en"]))
    q = tmp_path / "other.eaf"
    q.write_text('<?xml version="1.0"?>\n<tmx version="1.4"/>\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"not ANNOTATION_DOCUMENT"):
        list(read(q, langs=["en"]))
    x = tmp_path / "xxe.eaf"
    x.write_text('<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
                 "<ANNOTATION_DOCUMENT>&e;</ANNOTATION_DOCUMENT>\n", encoding="utf-8")
    with pytest.raises(InputError, match="xml-entity"):
        list(read(x, langs=["en"]))


VALUE = st.text(st.sampled_from(list('ab &<>"\'\n\t]]>ก่ข我爱Việt') + ["\u0301", "\x0b"]), min_size=1, max_size=10)


@st.composite
def timed_records(draw: Any) -> dict[str, Any]:
    """Utterances of one or two speakers with any values (markup characters, line breaks, a character
    XML cannot hold) at whole-millisecond times."""
    from lancang.corpora.model import Record

    utts = []
    times = draw(st.lists(st.integers(0, 10**7), min_size=2, max_size=16, unique=True))  # no ties: one order
    mask = draw(st.lists(st.booleans(), min_size=len(times), max_size=len(times)))
    for who in ("A", "B"):
        ms = sorted(t for t, m in zip(times, mask) if m == (who == "A"))
        for i in range(0, len(ms) - 1, 2):
            utts.append({"text": draw(VALUE), "t0": ms[i] / 1000, "t1": ms[i + 1] / 1000, "speaker": who,
                         "tier": who, "id": f"{who}{i}"})
    rec = Record.new("p")
    side = rec.add_transcript("lo", utts)
    side.data.pop("meta", None)
    return rec.data


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(timed_records())
def test_any_values_and_times_round_trip(rec: dict[str, Any]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "p.eaf"
        if "\x0b" in rec["sides"]["lo"]["text"]:
            with pytest.raises(InputError, match=r"record 'p': the lo text has '\\x0b' at offset \d+, which XML"):
                write([rec], out)
            return
        write([rec], out)
        segments = rec["sides"]["lo"]["layers"]["segments"]["spans"]
        # a tier's LANG_REF names the language; a document without tiers names none
        [back] = read(out, langs=None if segments else ["lo"])
    if not segments:
        rec["sides"]["lo"].pop("layers")  # no annotation: no segments layer
    assert back == rec


def test_a_tier_document_layer_is_not_dropped_silently(tmp_path: Path) -> None:
    """An EAF's x-eaf layer has no place in a TextGrid, nor a TextGrid's x-textgrid in an EAF: convert
    refuses (the extension layers each keeps are its own)."""
    from lancang.corpora.convert import LossError, convert

    src = shared("speech", "eaf", "speach", "test.eaf")
    with pytest.raises(LossError, match="cannot hold layer x-eaf"):
        convert(src, tmp_path / "t.TextGrid", langs=["en"], read_options={"media_facts": False},
                allow_loss=False)
    assert not (tmp_path / "t.TextGrid").exists()
    tg = shared("speech", "textgrid", "praatio", "mary.TextGrid")
    with pytest.raises(LossError, match="cannot hold layer x-textgrid"):
        convert(tg, tmp_path / "m.eaf", langs=["en"])
    report = convert(tg, tmp_path / "m.eaf", langs=["en"], allow_loss=True)
    assert report.lost == {"layer x-textgrid": 1}
