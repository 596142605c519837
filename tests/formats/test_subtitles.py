"""WebVTT and SRT: the format contract, the real files in ../shared/data/speech/subtitles, bad input."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lancang.corpora.formats import read_corpus, resolve_format, write_corpus
from lancang.corpora.formats.subtitles import (
    format_timestamp,
    parse_timestamp,
    read_srt,
    read_vtt,
    render_cue,
    vtt_cue_text,
    write_srt,
    write_vtt,
)
from lancang.corpora.invariants import check_record
from lancang.errors import InputError, UsageError
from lancang.schemas.validator import RecordValidator

from ..conftest import shared
from .contract import FormatContract


def timed_samples(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The contract's records with one timed segment over each non-empty text."""
    for i, rec in enumerate(records):
        for side in rec["sides"].values():
            if side["text"]:
                side.setdefault("layers", {})["segments"] = {"spans": [
                    {"start": 0, "end": len(side["text"]), "t0": i + 0.5, "t1": i + 1.25}]}
    return records


class _Subtitles:
    """What the subtitle formats' contract tests share (mixed in before FormatContract)."""

    def path(self, tmp_path: Path) -> Path:
        return tmp_path / "subs"  # more than one record: a folder of files, one per record

    def sample_records(self) -> list[dict[str, Any]]:
        return timed_samples(super().sample_records())  # type: ignore[misc]

    def assert_same(self, original: list[dict[str, Any]], back: list[dict[str, Any]]) -> None:
        super().assert_same(sorted(original, key=lambda r: r["id"]), back)  # type: ignore[misc]  # files by name

    def to_crlf_bom(self, path: Path) -> None:
        for f in path.iterdir():
            f.write_bytes(b"\xef\xbb\xbf" + f.read_bytes().replace(b"\n", b"\r\n"))


class TestWebVTTContract(_Subtitles, FormatContract):
    format_name = "webvtt"


class TestSRTContract(_Subtitles, FormatContract):
    format_name = "srt"

    def sample_records(self) -> list[dict[str, Any]]:
        recs = super().sample_records()
        for rec in recs:  # SRT numbers its cues
            for side in rec["sides"].values():
                for seg in side.get("layers", {}).get("segments", {}).get("spans", []):
                    seg["id"] = "1"
        return recs


# ----------------------------------------------------------------------------------- timestamps

@pytest.mark.parametrize("s, t", [
    ("00:01.000", 1.0), ("01:02:03.004", 3723.004), ("100:00:00.000", 360000.0), ("00:00:01,5", 1.5),
    ("00:01:41,04", 101.04), ("00:01:39", 99.0), ("0:00:17.484", 17.484), ("00:00:00.123456", 0.123456),
])
def test_timestamps_parse_exactly(s: str, t: float) -> None:
    assert parse_timestamp(s) == t


@pytest.mark.parametrize("s", ["00:60.000", "1:2", "00:00:0a,000", "00:00.000x", "-00:01.000", ""])
def test_bad_timestamps(s: str) -> None:
    assert parse_timestamp(s) is None


def test_timestamps_format_to_the_millisecond() -> None:
    assert format_timestamp(3723.004) == "01:02:03.004"
    assert format_timestamp(101.04, ",") == "00:01:41,040"
    assert format_timestamp(0.0005) == "00:00:00.000"  # half-even: the formats hold milliseconds
    assert format_timestamp(0.0015) == "00:00:00.002"


# ---------------------------------------------------------------------------------- WebVTT text

def _vtt(tmp_path: Path, body: str, name: str = "t.vtt", **options: Any) -> dict[str, Any]:
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    (rec,) = read_vtt(p, langs=["th"], **options)
    assert RecordValidator().check(rec) == [] and check_record(rec) == [], rec
    return rec


def test_vtt_voices_tags_entities_and_blocks(tmp_path: Path) -> None:
    body = ("WEBVTT - ทดสอบ\nKind: captions\n\nSTYLE\n::cue(b) { color: red; }\n\n"
            "NOTE a comment\n\nc1\n00:00.500 --> 00:02.000 align:start line:0%\n"
            "<v.loud สมชาย>สวัสดี <b>ครับ</b> &amp; &lt;3</v>\n\n"
            "00:00:02.000 --> 00:00:03.250\n<i>ສະບາຍດີ\nខ្ញុំ</i><00:02.500>ok\n")
    rec = _vtt(tmp_path, body)
    side = rec["sides"]["th"]
    assert side["text"] == "สวัสดี ครับ & <3\nສະບາຍດີ\nខ្ញុំok"
    segs = side["layers"]["segments"]["spans"]
    assert segs == [{"start": 0, "end": 16, "t0": 0.5, "t1": 2.0, "speaker": "สมชาย", "id": "c1"},
                    {"start": 17, "end": 32, "t0": 2.0, "t1": 3.25}]
    kinds = [(c["kind"], c["start"], c.get("end")) for c in side["layers"]["codes"]["items"]]
    assert kinds == [("v", 0, 16), ("b", 7, 11), ("i", 17, 30), ("timestamp", 30, None)]
    assert side["layers"]["codes"]["items"][3]["attrs"]["t"] == 2.5
    ext = side["layers"]["x-webvtt"]
    assert ext["title"] == " - ทดสอบ" and ext["header"] == ["Kind: captions"]
    assert ext["blocks"] == [[0, "STYLE\n::cue(b) { color: red; }"], [0, "NOTE a comment"]]
    assert ext["settings"] == {"0": "align:start line:0%"}
    out = tmp_path / "back.vtt"
    write_vtt([rec], out)
    assert out.read_text(encoding="utf-8") == body.replace("00:00.500 -->", "00:00:00.500 -->").replace(
        "--> 00:02.000", "--> 00:00:02.000")
    assert _vtt(tmp_path, out.read_text(encoding="utf-8"), "again.vtt") == {**rec, "id": "again"}


def test_vtt_language_header_names_the_side(tmp_path: Path) -> None:
    p = tmp_path / "lang.vtt"
    p.write_text("WEBVTT\nLanguage: km\n\n00:01.000 --> 00:02.000\nជំរាបសួរ\n", encoding="utf-8")
    (rec,) = read_corpus(p)
    assert list(rec["sides"]) == ["km"]
    p.write_text("WEBVTT\n\n00:01.000 --> 00:02.000\nជំរាបសួរ\n", encoding="utf-8")
    with pytest.raises(UsageError, match="no Language: header.*--src"):
        list(read_corpus(p))


def test_vtt_empty_cues_dropped_unless_asked(tmp_path: Path) -> None:
    body = "WEBVTT\n\n00:01.000 --> 00:02.000\n\n00:02.000 --> 00:03.000\nxin chào\n"
    assert _vtt(tmp_path, body)["sides"]["th"]["layers"]["segments"]["spans"] == [
        {"start": 0, "end": 8, "t0": 2.0, "t1": 3.0}]
    kept = _vtt(tmp_path, body, keep_empty=True)["sides"]["th"]
    assert kept["text"] == "\nxin chào" and len(kept["layers"]["segments"]["spans"]) == 2


def test_overlapping_cues_say_so(tmp_path: Path) -> None:
    body = "WEBVTT\n\n00:01.000 --> 00:03.000\na\n\n00:02.000 --> 00:04.000\nb\n"
    assert _vtt(tmp_path, body)["sides"]["th"]["layers"]["segments"]["overlap"] is True
    voices = body.replace("\na\n", "\n<v A>a\n").replace("\nb\n", "\n<v B>b\n")
    assert "overlap" not in _vtt(tmp_path, voices)["sides"]["th"]["layers"]["segments"]  # two speakers at once


def test_vtt_cues_out_of_order_are_sorted(tmp_path: Path) -> None:
    rec = _vtt(tmp_path, "WEBVTT\n\n00:05.000 --> 00:06.000\nb\n\n00:01.000 --> 00:02.000\na\n")
    assert rec["sides"]["th"]["text"] == "a\nb"


def test_cue_text_from_model_to_vtt_escapes(tmp_path: Path) -> None:
    assert render_cue("a < b & c\u00a0d", [], True, "x") == "a &lt; b &amp; c&nbsp;d"
    assert render_cue("a < b", [], False, "x") == "a < b"  # SRT has no escaping


def test_textgrid_shaped_record_to_subtitles(tmp_path: Path) -> None:
    """One record, many segments with speakers (what TextGrid and EAF give): one cue per segment, the
    speaker as a WebVTT voice; SRT numbers the cues."""
    rec = {"id": "talk", "sides": {"vi": {"text": "Xin chào\nChào bạn", "layers": {"segments": {"spans": [
        {"start": 0, "end": 8, "t0": 0.25, "t1": 1.5, "speaker": "A", "tier": "A"},
        {"start": 9, "end": 17, "t0": 1.5, "t1": 2.75, "speaker": "B", "tier": "B"}]}}}}}
    vtt, srt = tmp_path / "talk.vtt", tmp_path / "talk.srt"
    assert write_corpus([rec], vtt) == 1 and write_corpus([rec], srt) == 1
    assert vtt.read_text(encoding="utf-8") == ("WEBVTT\n\n00:00:00.250 --> 00:00:01.500\n<v A>Xin chào\n\n"
                                               "00:00:01.500 --> 00:00:02.750\n<v B>Chào bạn\n")
    assert srt.read_text(encoding="utf-8") == ("1\n00:00:00,250 --> 00:00:01,500\nXin chào\n\n"
                                               "2\n00:00:01,500 --> 00:00:02,750\nChào bạn\n")
    (back,) = read_vtt(vtt, langs=["vi"])
    assert [(s["speaker"], s["t0"]) for s in back["sides"]["vi"]["layers"]["segments"]["spans"]] == [
        ("A", 0.25), ("B", 1.5)]


def test_writers_refuse_what_they_cannot_hold(tmp_path: Path) -> None:
    untimed = {"id": "u", "sides": {"vi": {"text": "không có thời gian"}}}
    with pytest.raises(InputError, match="record 'u': has text but no segments layer"):
        write_vtt([untimed], tmp_path / "u.vtt")
    outside = {"id": "o", "sides": {"vi": {"text": "a b", "layers": {"segments": {"spans": [
        {"start": 0, "end": 1, "t0": 0, "t1": 1}]}}}}}
    with pytest.raises(InputError, match="record 'o': text outside the segments"):
        write_srt([outside], tmp_path / "o.srt")
    two = [{"id": f"r{i}", "sides": {"vi": {"text": ""}}} for i in range(2)]
    with pytest.raises(UsageError, match="one WebVTT file holds one record"):
        write_vtt(two, tmp_path / "two.vtt")
    assert not (tmp_path / "two.vtt").exists()


# ----------------------------------------------------------------------------------------- SRT

def _srt(tmp_path: Path, data: bytes, **options: Any) -> dict[str, Any]:
    p = tmp_path / "t.srt"
    p.write_bytes(data)
    (rec,) = read_srt(p, langs=["my"], **options)
    return rec


def test_srt_cues_tags_and_settings(tmp_path: Path) -> None:
    data = ("7\n00:00:01,000 --> 00:00:02,500 X1:40 X2:600\n<i>မင်္ဂလာပါ</i>\nဒုတိယ\n\n"
            "9\n00:00:03,000 --> 00:00:04,000\n{\\an8}a & b\n").encode()
    rec = _srt(tmp_path, data)
    side = rec["sides"]["my"]
    assert side["text"] == "မင်္ဂလာပါ\nဒုတိယ\na & b"
    assert [s["id"] for s in side["layers"]["segments"]["spans"]] == ["7", "9"]
    assert [c["data"] for c in side["layers"]["codes"]["items"]] == ["<i>", "</i>", "{\\an8}"]
    assert side["layers"]["x-srt"] == {"settings": {"0": "X1:40 X2:600"}}
    out = tmp_path / "back.srt"
    write_srt([rec], out)
    assert out.read_bytes() == data


@pytest.mark.parametrize("data, line, what", [
    (b"1\n00:00:01,000 -> 00:00:02,000\nhello\n", 2, "malformed cue timing line '00:00:01,000 -> 00:00:02,000'"),
    (b"1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:0a,000 --> 00:00:03,000\nbad\n", 6, "malformed cue timing"),
    (b"1\n00:00:03,000 --> 00:00:02,000\nreversed\n", 2, r"the cue ends \(00:00:02,000\) before it starts"),
    (b"1\n-00:00:01,000 --> 00:00:02,000\nnegative\n", 2, "malformed cue timing"),
    (b"hello\n", 1, "expected a cue timing line"),
    (b"1\n00:00:01,000 --> 00:00:02,000\nok\n\n5\n", 6, "expected a cue timing line.*found 'nothing'"),
])
def test_srt_bad_input_is_one_line_with_its_location(tmp_path: Path, data: bytes, line: int, what: str) -> None:
    with pytest.raises(InputError, match=rf"t\.srt:{line}: {what}") as exc:
        _srt(tmp_path, data)
    assert "\n" not in str(exc.value)


def test_srt_cues_without_blank_lines_between(tmp_path: Path) -> None:
    data = b"1\n00:00:01,000 --> 00:00:02,000\nfirst\n2\n00:00:02,000 --> 00:00:03,000\nsecond\n"
    rec = _srt(tmp_path, data)
    assert _cues(rec) == [("1", 1.0, 2.0, "first"), ("2", 2.0, 3.0, "second")]


def test_srt_encodings(tmp_path: Path) -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\n我爱北京天安门\n"
    for data in (text.encode("utf-16"), b"\xef\xbb\xbf" + text.encode(), text.encode()):
        assert _srt(tmp_path, data)["sides"]["my"]["text"] == "我爱北京天安门"
    gb = text.encode("gb2312")
    with pytest.raises(InputError, match=r"t\.srt:3: not UTF-8 .*-I encoding="):
        _srt(tmp_path, gb)
    assert _srt(tmp_path, gb, encoding="gb18030")["sides"]["my"]["text"] == "我爱北京天安门"
    with pytest.raises(UsageError, match="unknown encoding"):
        _srt(tmp_path, gb, encoding="no-such-codec")


def test_sniffing_by_content(tmp_path: Path) -> None:
    (tmp_path / "a.sub").write_text("\ufeffWEBVTT\n\n00:01.000 --> 00:02.000\nx\n", encoding="utf-8")
    (tmp_path / "b").write_text("1\r\n00:00:01,000 --> 00:00:02,000\r\nx\r\n", encoding="utf-8")
    assert resolve_format(tmp_path / "a.sub").name == "webvtt"
    assert resolve_format(tmp_path / "b").name == "srt"
    assert resolve_format(tmp_path / "c.vtt", role="output").name == "webvtt"


# ----------------------------------------------------------------------------- the real files

SUBS = ("speech", "subtitles")


def _all(ext: str) -> list[Path]:
    root = shared(*SUBS)
    return sorted(root.rglob(f"*.{ext}"))


def _roundtrip(tmp_path: Path, rec: dict[str, Any], fmt: str, lang: str) -> dict[str, Any]:
    out = tmp_path / f"{rec['id']}.{'vtt' if fmt == 'webvtt' else 'srt'}"
    write_corpus([rec], out, fmt)
    (back,) = read_corpus(out, fmt, [lang], keep_empty=True)
    return back


def test_every_real_vtt_file_reads_validly_and_round_trips(tmp_path: Path) -> None:
    rv = RecordValidator()
    files = _all("vtt")
    assert len(files) >= 50
    for p in files:
        (rec,) = read_vtt(p, langs=["und"], keep_empty=True)
        assert rv.check(rec) == [] and check_record(rec) == [], p
        assert _roundtrip(tmp_path, rec, "webvtt", "und") == rec, p


def test_every_real_srt_file_reads_validly_and_round_trips(tmp_path: Path) -> None:
    rv = RecordValidator()
    files = _all("srt")
    assert len(files) >= 9
    for p in files:
        (rec,) = read_srt(p, langs=["zh-Hans"], encoding="gb18030", keep_empty=True)
        assert rv.check(rec) == [] and check_record(rec) == [], p
        back = _roundtrip(tmp_path, rec, "srt", "zh-Hans")
        if p.name == "missing-sequence-in.srt":  # SRT cues are numbered: the writer numbers them from 1
            for k, s in enumerate(back["sides"]["zh-Hans"]["layers"]["segments"]["spans"]):
                assert s.pop("id") == str(k + 1)
        assert back == rec, p


def _cues(rec: dict[str, Any]) -> list[tuple[str | None, float, float, str]]:
    side = next(iter(rec["sides"].values()))
    t = side["text"]
    return [(s.get("id"), s["t0"], s["t1"], t[s["start"]:s["end"]])
            for s in side.get("layers", {}).get("segments", {}).get("spans", [])]


def test_vtt_js_expected_parses() -> None:
    """vtt.js's expected JSON: the same cues (ids, times) and, rendered back from the plain text and its
    codes, the same cue text as written (the entity cases: the decoded text is checked by hand)."""
    root = shared(*SUBS, "vtt.js")
    decoded = {"amp": "Some text & other stuff.", "gt": "Everyone likes the '>' sign right?",
               "lt": "Not so much the '<' sign though.", "lrm": "This should be \u200e. Correct?",
               "rlm": "This should be \u200f. Correct?", "nbsp": "Did you know I didn't put a\u00a0space here?",
               "incorrect": "&l &g; \u00a0 &am; < > &nbs &nbs; &g; &lr;",
               "together": "Some text < &> < &nb\u00a0 &am< \u200f&lr\u200e other stuff."}
    n = 0
    for js in sorted(root.rglob("*.json")):
        expected = json.loads(js.read_text(encoding="utf-8"))["cues"]
        (rec,) = read_vtt(js.with_suffix(".vtt"), langs=["und"], keep_empty=True)
        side = rec["sides"]["und"]
        segs = side.get("layers", {}).get("segments", {}).get("spans", [])
        assert [(s.get("id", ""), s["t0"], s["t1"]) for s in segs] == [
            (c["id"], c["startTime"], c["endTime"]) for c in expected], js
        codes = side.get("layers", {}).get("codes", {}).get("items", [])
        for s, c in zip(segs, expected):
            if js.parent.name == "escape-characters":
                assert side["text"][s["start"]:s["end"]] == decoded[js.stem], js
                continue
            mine = [{**it, "start": it["start"] - s["start"],
                     **({"end": it["end"] - s["start"]} if "end" in it else {})}
                    for it in codes if s["start"] <= it["start"] <= s["end"]]
            assert render_cue(side["text"][s["start"]:s["end"]], mine, True, str(js)) == c["text"], js
            n += 1
    assert n == 30  # 38 cases of one cue each, 8 of them escape-characters


def test_vtt_js_voices_ruby_and_timestamps() -> None:
    root = shared(*SUBS, "vtt.js")

    def one(name: str) -> dict[str, Any]:
        (rec,) = read_vtt(root / name, langs=["und"], keep_empty=True)
        return rec["sides"]["und"]

    side = one("voice/with-subclass.vtt")
    assert side["text"] == "That's awesome!"
    assert side["layers"]["segments"]["spans"][0]["speaker"] == "Joe"
    assert side["layers"]["codes"]["items"][0]["attrs"] == {"classes": "loud", "annotation": "Joe"}
    assert "speaker" not in one("voice/not-closed.vtt")["layers"]["segments"]["spans"][0]  # <v> without a name
    ruby = one("ruby/rt-no-end-tag.vtt")
    assert ruby["text"] == "No way!"
    assert [(c["kind"], c["start"], c["end"], c.get("attrs")) for c in ruby["layers"]["codes"]["items"]] == [
        ("ruby", 0, 7, None), ("rt", 3, 7, {"#end": ""})]
    ts = one("timestamp/nested.vtt")
    assert [c["attrs"]["t"] for c in ts["layers"]["codes"]["items"] if c["kind"] == "timestamp"] == [1.0, 1.5]
    # the spec's tokenizer reads an unclosed '<00:01.000 ...' to the end of the cue: one ignored tag, no text
    assert one("timestamp/no-end-gt.vtt")["text"] == ""


def test_go_astisub_messy_input_equals_its_normalised_output() -> None:
    root = shared(*SUBS, "go-astisub")

    def cues(name: str, fmt: str) -> list[tuple[str | None, float, float, str]]:
        (rec,) = read_corpus(root / name, fmt, ["en"], keep_empty=True)
        return _cues(rec)

    out = cues("example-out.srt", "srt")
    assert len(out) == 6 and out[0] == ("1", 99.0, 101.04, "(deep rumbling)")
    for name in ("example-in.srt", "example-in-non-utf8.srt"):
        assert cues(name, "srt") == out, name
    assert [c[1:] for c in cues("missing-sequence-in.srt", "srt")] == [c[1:] for c in out]
    vout = cues("example-out.vtt", "webvtt")
    for name in ("example-in.vtt", "example-in-non-utf8.vtt"):
        assert [c[1:] for c in cues(name, "webvtt")] == [c[1:] for c in vout], name
    cr = cues("example-in-carriage-return.srt", "srt")  # CR-only line ends
    assert cr[0] == ("1", 0.0, 3.766, "Did one of the last stories strike you as\nmore interesting than the other?")
    assert [c[1:] for c in cues("example-in-carriage-return.vtt", "webvtt")] == [c[1:] for c in cr]
    (rec,) = read_vtt(root / "example-in.vtt", langs=["en"])
    blocks = [b for _, b in rec["sides"]["en"]["layers"]["x-webvtt"]["blocks"]]
    assert blocks[0].startswith("NOTE this a nice example") and sum(b.startswith("STYLE") for b in blocks) == 2
    assert any(b.startswith("  background-image") for b in blocks)  # the stray block a spec parser drops: kept


def test_gb2312_srt_equals_its_ascii_twin() -> None:
    root = shared(*SUBS, "srt")
    with pytest.raises(InputError, match=r"gb2312\.srt:3: not UTF-8.*-I encoding="):
        list(read_srt(root / "gb2312.srt", langs=["zh-Hans"]))
    (gb,) = read_srt(root / "gb2312.srt", langs=["zh-Hans"], encoding="gb18030")
    (ascii_,) = read_srt(root / "ascii.srt", langs=["en"])
    assert [c[:3] for c in _cues(gb)] == [c[:3] for c in _cues(ascii_)] == [
        ("2", 27.0, 30.73), ("4", 31.5, 34.1), ("6", 34.1, 36.57)]
    assert _cues(gb)[0][3] == "宇宙守护神  保护我们远离邪恶"


def test_webvtt_py_files() -> None:
    root = shared(*SUBS, "webvtt-py")

    def rec(name: str, **kw: Any) -> dict[str, Any]:
        return next(iter(read_corpus(root / name, None, kw.pop("langs", ["sv"]), **kw)))

    vtt, srt = _cues(rec("sample.vtt")), _cues(rec("sample.srt"))
    assert len(vtt) == 16 and len(srt) == 5 and [c[1:] for c in vtt[:5]] == [c[1:] for c in srt]
    comments = rec("comments.vtt")["sides"]["sv"]["layers"]["x-webvtt"]
    assert comments["title"] == " - Translation of that film I like"
    assert [b.split("\n")[0] for _, b in comments["blocks"]] == ["NOTE", "NOTE This last line may not translate well."]
    assert comments["blocks"][1][0] == 2
    assert [c[0] for c in _cues(rec("using_identifiers.vtt"))][:4] == [None, "second caption", None, "4"]
    assert "segments" not in rec("no_captions.vtt")["sides"]["sv"].get("layers", {})
    headers = next(iter(read_corpus(root / "metadata_headers.vtt")))
    assert list(headers["sides"]) == ["en"]
    yt = rec("youtube_dl.vtt", langs=["en"])["sides"]["en"]
    stamps = [c for c in yt["layers"]["codes"]["items"] if c["kind"] == "timestamp"]
    assert stamps and all(isinstance(c["attrs"]["t"], float) for c in stamps)
    assert "<" not in yt["text"]


# ------------------------------------------------------------------------------------ properties

PIECES = ["a", "ไทย", "ខ្មែរ", " ", "\n", "<b>", "</b>", "<i>", "</i>", "<v Bob>", "<v.x ນາງ ແກ້ວ>", "</v>",
          "<c.x.y>", "</c>", "<ruby>", "<rt>", "</rt>", "</ruby>", "<lang vi>", "</lang>", "<00:01.000>",
          "<01:02:03.456>", "<foo>", "</x>", "&amp;", "&lt;", "&gt;", "&nbsp;", "&lrm;", "&", "<", ">", "-", "é",
          "e\u0301"]


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14))
def test_cue_text_parse_render_parse_is_stable(pieces: list[str]) -> None:
    """Whatever the cue text, rendering what was read reads back the same plain text and codes."""
    text, items = vtt_cue_text("".join(pieces))
    again = render_cue(text, items, True, "p")
    assert vtt_cue_text(again) == (text, items)


CHARS = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\r\x85") | st.just("\n")


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.text(CHARS, max_size=12), min_size=1, max_size=5), st.sampled_from(["webvtt", "srt"]))
def test_any_cue_texts_round_trip(texts: list[str], fmt: str) -> None:
    """Segments of any text a cue can hold (no blank line, no '-->', not only white space) come back as
    they were, through either format."""
    import unicodedata

    texts = [unicodedata.normalize("NFC", t) for t in texts]
    assume(all(t.strip() and "-->" not in t and all(ln.strip() for ln in t.split("\n")) for t in texts))
    spans, pos = [], 0
    for k, t in enumerate(texts):
        spans.append({"start": pos, "end": pos + len(t), "t0": k * 1.0, "t1": k * 1.0 + 0.5})
        pos += len(t) + 1
    rec = {"id": "p", "sides": {"th": {"text": "\n".join(texts), "layers": {"segments": {"spans": spans}}}}}
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / ("p.vtt" if fmt == "webvtt" else "p.srt")
        write_corpus([rec], out, fmt)
        (back,) = read_corpus(out, fmt, ["th"])
    side = back["sides"]["th"]
    assert side["text"] == rec["sides"]["th"]["text"]
    assert [(s["start"], s["end"], s["t0"], s["t1"]) for s in side["layers"]["segments"]["spans"]] == [
        (s["start"], s["end"], s["t0"], s["t1"]) for s in spans]
    assert check_record(back) == []


def test_cli_srt_encoding_and_malformed_timing(cli: Any, tmp_path: Path) -> None:
    gb = shared(*SUBS, "srt", "gb2312.srt")
    out = tmp_path / "gb.vtt"
    res = cli("convert", str(gb), str(out), "--src", "zh-Hans")
    assert res.exit_code == 2 and "-I encoding=" in res.output and len(res.output.strip().splitlines()) == 1
    res = cli("convert", str(gb), str(out), "--src", "zh-Hans", "-I", "encoding=gb18030")
    assert res.exit_code == 0, res.output
    assert "宇宙守护神  保护我们远离邪恶" in out.read_text(encoding="utf-8")
    bad = tmp_path / "bad.srt"
    bad.write_text("1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:02 --> 00:0x:03,000\nno\n", encoding="utf-8")
    res = cli("convert", str(bad), str(tmp_path / "b.jsonl"), "--src", "vi")
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1
    assert "bad.srt:6: malformed cue timing line" in res.output


def test_other_formats_extension_layers_are_a_loss(tmp_path: Path) -> None:
    """WebVTT keeps its own x-webvtt layer, not a TextGrid's phone tiers: converting refuses to drop them."""
    from lancang.corpora.convert import LossError, convert
    from lancang.corpora.jsonl import write_records

    rec = {"id": "tg", "sides": {"th": {"text": "ก", "layers": {
        "segments": {"spans": [{"start": 0, "end": 1, "t0": 0.0, "t1": 1.0}]},
        "x-textgrid": {"tiers": [{"name": "phone"}]}, "x-webvtt": {"title": " t"}}}}}
    src = tmp_path / "in.jsonl"
    write_records(src, [rec])
    with pytest.raises(LossError, match="cannot hold layer x-textgrid"):
        convert(src, tmp_path / "out.vtt")
    assert not (tmp_path / "out.vtt").exists()
    del rec["sides"]["th"]["layers"]["x-textgrid"]
    write_records(src, [rec])
    convert(src, tmp_path / "out.vtt")
    assert (tmp_path / "out.vtt").read_text(encoding="utf-8").startswith("WEBVTT t\n")


def test_media_option_gives_the_audio_and_its_facts(tmp_path: Path) -> None:
    shutil.copy(shared("speech", "audio", "praatio", "mary.wav"), tmp_path / "mary.wav")
    (tmp_path / "mary.vtt").write_text("WEBVTT\n\n00:00.300 --> 00:01.500\nmary rolled the barrel\n", encoding="utf-8")
    (rec,) = read_vtt(tmp_path / "mary.vtt", langs=["en"], media="auto")
    media = rec["sides"]["en"]["media"]
    assert media["uri"] == "mary.wav" and 1.8 < media["duration"] < 1.9 and len(media["sha256"]) == 64
    (tmp_path / "mary.srt").write_text("1\n00:00:00,300 --> 00:00:03,000\nmary\n", encoding="utf-8")
    (rec,) = read_srt(tmp_path / "mary.srt", langs=["en"], media="{stem}.wav", media_facts=False)
    assert rec["sides"]["en"]["media"] == {"uri": "mary.wav"}
    (rec,) = read_srt(tmp_path / "mary.srt", langs=["en"], media="auto")
    assert [i[0] for i in check_record(rec)] == ["time-past-media"]  # the cue ends after the audio
