"""Kaldi data folders: the format contract, the lhotse and wenet folders in ../shared/data, bad input."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from lancang.corpora.formats import read_corpus, resolve_format, write_corpus
from lancang.corpora.formats.kaldi import read, write
from lancang.corpora.invariants import check_record
from lancang.errors import InputError, UsageError
from lancang.schemas.validator import RecordValidator

from ..conftest import shared
from .contract import FormatContract


class TestKaldiContract(FormatContract):
    format_name = "kaldi"
    langs = ["lo"]

    def path(self, tmp_path: Path) -> Path:
        return tmp_path / "data"  # a Kaldi data set is a folder

    def sample_records(self) -> list[dict[str, Any]]:
        recs = super().sample_records()
        for i, rec in enumerate(recs):
            side = rec["sides"]["lo"]
            side["media"] = {"uri": f"wav/rec{i // 2}.wav", "duration": 60.0}
            side["meta"] = {"recording": f"rec{i // 2}", "speaker_gender": "f" if i % 3 else "m"}
            side["layers"] = {"segments": {"spans": [{"start": 0, "end": len(side["text"]), "t0": i * 1.5,
                                                      "t1": i * 1.5 + 1.25, "speaker": f"spk{i % 3}"}]}}
        return recs

    def assert_same(self, original: list[dict[str, Any]], back: list[dict[str, Any]]) -> None:
        """A Kaldi data folder is sorted by utterance id (its speaker's first): the same records, in that order."""
        from lancang.corpora.formats.kaldi import kaldi_id

        def order(rec: dict[str, Any]) -> bytes:
            spk = rec["sides"]["lo"]["layers"]["segments"]["spans"][0]["speaker"]
            return kaldi_id(rec["id"], spk).encode()

        assert [r["id"] for r in back] == [r["id"] for r in sorted(original, key=order)]
        super().assert_same(sorted(original, key=order), back)

    def to_crlf_bom(self, path: Path) -> None:
        for f in path.iterdir():
            f.write_bytes(b"\xef\xbb\xbf" + f.read_bytes().replace(b"\n", b"\r\n"))


LHOTSE = ("speech", "kaldi", "lhotse")


def test_mini_librispeech(tmp_path: Path) -> None:
    src = shared(*LHOTSE, "mini_librispeech")
    recs = list(read(src, langs=["en"]))
    assert len(recs) == 38
    rv = RecordValidator()
    assert all(rv.check(r) == [] and check_record(r) == [] for r in recs)
    first = recs[0]
    assert first["id"] == "lbi-1272-135031-0000"
    side = first["sides"]["en"]
    assert side["text"].startswith("BECAUSE YOU WERE SLEEPING")
    sox = "sox  -r  16000  -b16  -c  1  --null  -t  wav  -  synth  174160s  sine  300-3300  |"
    assert side["media"] == {"uri": sox,
                             "duration": 10.885}  # the piped command verbatim, its double spaces too
    assert side["meta"] == {"recording": "lbi-1272-135031-0000", "speaker_gender": "m"}
    assert side["layers"]["segments"]["spans"] == [
        {"start": 0, "end": len(side["text"]), "t0": 0.0, "t1": 10.885, "speaker": "lbi-1272-135031"}]
    out = tmp_path / "data"
    assert write(recs, out) == 38
    assert list(read(out, langs=["en"])) == recs
    for name in ("text", "utt2spk", "spk2utt", "spk2gender", "segments"):  # the same tables, byte for byte
        assert (out / name).read_bytes() == (src / name).read_bytes(), name
    assert sorted(p.name for p in out.iterdir()) == ["reco2dur", "segments", "spk2gender", "spk2utt", "text",
                                                    "utt2spk", "wav.scp"]


def test_mini_librispeech2_segment_past_the_recording() -> None:
    """lhotse's second fixture: a segment from 1.0 to 20.89 s of a 19.89 s recording. The reader keeps
    both figures; the validator's duration check is where that is reported."""
    (rec, *_rest) = read(shared(*LHOTSE, "mini_librispeech2"), langs=["en"])
    side = rec["sides"]["en"]
    seg = side["layers"]["segments"]["spans"][0]
    assert (seg["t0"], seg["t1"], side["media"]["duration"]) == (1.0, 20.89, 19.889999389648438)
    assert [i[0] for i in check_record(rec)] == ["time-past-media"]


def test_wenet_text_and_wav_scp_only(tmp_path: Path) -> None:
    src = shared("speech", "kaldi", "wenet")
    recs = list(read_corpus(src, "kaldi", ["zh-Hans"]))
    assert [r["id"] for r in recs] == ["test/resources/dataset/aishell-BAC009S0724W0121",
                                       "test/resources/dataset/librispeech-1995-1837-0001"]
    assert recs[0]["sides"]["zh-Hans"] == {"text": "广州市房地产中介协会分析", "media": {
        "uri": "test/resources/dataset/aishell-BAC009S0724W0121.wav"}}
    out = tmp_path / "data"
    write_corpus(recs, out, "kaldi")
    assert (out / "text").read_bytes() == (src / "text").read_bytes()
    assert (out / "wav.scp").read_bytes() == (src / "wav.scp").read_bytes()
    assert not (out / "segments").exists()
    assert list(read(out, langs=["zh-Hans"])) == recs


def test_sniffed_as_a_folder() -> None:
    assert resolve_format(shared(*LHOTSE, "mini_librispeech")).name == "kaldi"


def test_needs_src() -> None:
    with pytest.raises(UsageError, match="does not name the language of its text: give it with --src"):
        list(read_corpus(shared(*LHOTSE, "mini_librispeech")))


# ------------------------------------------------------------------------------------ bad input

def _folder(tmp_path: Path, **tables: str) -> Path:
    d = tmp_path / "bad"
    d.mkdir()
    for name, body in tables.items():
        (d / name.replace("_", ".")).write_text(body, encoding="utf-8")
    return d


GOOD = {"text": "u1 สวัสดี\nu2 ครับ\n", "segments": "u1 r1 0 1.5\nu2 r1 1.5 2.25\n",
        "wav_scp": "r1 audio/r1.wav\n", "utt2spk": "u1 s1\nu2 s2\n"}


@pytest.mark.parametrize("change, where, what", [
    ({"segments": "u1 r1 0 1.5\nu2 r9 1.5 2.25\n"}, "segments:2", "recording 'r9' of utterance 'u2' is not in wav.scp"),
    ({"segments": "u1 r1 0 1.5\n"}, "text:2", "utterance 'u2' is not in segments"),
    ({"utt2spk": "u2 s2\n"}, "text:1", "utterance 'u1' is not in utt2spk"),
    ({"segments": "u1 r1 -1 1.5\nu2 r1 1.5 2.25\n"}, "segments:1", "negative time -1"),
    ({"segments": "u1 r1 2 1.5\nu2 r1 1.5 2.25\n"}, "segments:1", "the end time 1.5 is before the start time 2"),
    ({"segments": "u1 r1 0 x\nu2 r1 1.5 2.25\n"}, "segments:1", "'x' is not a time in seconds"),
    ({"segments": "u1 r1 0\n"}, "segments:1", "a segments line is"),
    ({"text": "u1 a\nu1 b\n"}, "text:2", "'u1' is listed twice"),
])
def test_bad_folders(tmp_path: Path, change: dict[str, str], where: str, what: str) -> None:
    d = _folder(tmp_path, **{**GOOD, **change})
    with pytest.raises(InputError, match=rf"bad/{where}: {what}") as exc:
        list(read(d, langs=["th"]))
    assert "\n" not in str(exc.value)


def test_good_folder_and_encoding(tmp_path: Path) -> None:
    d = _folder(tmp_path, **GOOD)
    recs = list(read(d, langs=["th"]))
    assert [(r["id"], r["sides"]["th"]["layers"]["segments"]["spans"][0]["speaker"]) for r in recs] == [
        ("u1", "s1"), ("u2", "s2")]
    (d / "text").write_bytes("u1 我们\nu2 你好\n".encode("gb2312"))
    with pytest.raises(InputError, match=r"text:1: not UTF-8.*-I encoding="):
        list(read(d, langs=["zh-Hans"]))
    assert [r["sides"]["zh-Hans"]["text"] for r in read(d, langs=["zh-Hans"], encoding="gb18030")] == ["我们", "你好"]


def test_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no 'text' file"):
        list(read(tmp_path, langs=["th"]))
    with pytest.raises(InputError, match="no such Kaldi data folder or text file"):
        list(read(tmp_path / "nothing", langs=["th"]))


def test_a_lone_text_file() -> None:
    """meeteval's text_ref: a Kaldi text table on its own (what compute-wer reads)."""
    recs = list(read(shared("speech", "scoring", "meeteval", "text_ref"), langs=["en"]))
    assert recs[1] == {"id": "b", "sides": {"en": {"text": "Strategic staircase we need a paradigm shift"}}}


# --------------------------------------------------------------------------------------- writing

TALK = {"id": "talk", "sides": {"km": {"text": "សួស្តី\nជំរាបលា", "media": {"uri": "talk.wav", "duration": 9.5},
                                        "layers": {"segments": {"spans": [
                                            {"start": 0, "end": 6, "t0": 0.5, "t1": 2.0, "speaker": "A"},
                                            {"start": 7, "end": 14, "t0": 2.0, "t1": 4.25, "speaker": "B",
                                             "id": "B-own"}]}}}}}


def test_textgrid_shaped_record_becomes_one_utterance_per_segment(tmp_path: Path) -> None:
    out = tmp_path / "data"
    assert write([TALK], out) == 1
    # the first segment's id does not begin with its speaker: prefixed (Kaldi sorts utt2spk both ways), its
    # own id kept in utt2lancang_id; tables sorted by key in byte order
    assert (out / "text").read_text(encoding="utf-8") == "A-talk-0000 សួស្តី\nB-own ជំរាបលា\n"
    assert (out / "segments").read_text() == "A-talk-0000 talk 0.5 2\nB-own talk 2 4.25\n"
    assert (out / "wav.scp").read_text() == "talk talk.wav\n"
    assert (out / "reco2dur").read_text() == "talk 9.5\n"
    assert (out / "utt2spk").read_text() == "A-talk-0000 A\nB-own B\n"
    assert (out / "spk2utt").read_text() == "A A-talk-0000\nB B-own\n"
    assert (out / "utt2lancang_id").read_text() == "A-talk-0000 talk-0000\nB-own B-own\n"
    back = list(read(out, langs=["km"]))
    assert [(r["id"], r["sides"]["km"]["text"], r["sides"]["km"]["meta"]["recording"]) for r in back] == [
        ("talk-0000", "សួស្តី", "talk"), ("B-own", "ជំរាបលា", "talk")]


def test_writer_refusals_leave_nothing(tmp_path: Path) -> None:
    out = tmp_path / "data"
    untimed = {"id": "u", "sides": {"km": {"text": "x", "media": {"uri": "u.wav"}}}}
    with pytest.raises(InputError, match="record 'u': has no segments but earlier records had"):
        write([TALK, untimed], out)
    assert not out.exists()
    one = {"segments": {"spans": [{"start": 0, "end": 1, "t0": 0, "t1": 1}]}}
    other = {"id": "o", "sides": {"km": {"text": "y", "media": {"uri": "elsewhere.wav"}, "meta": {"recording": "talk"},
                                         "layers": one}}}
    with pytest.raises(InputError, match="recording 'talk' is 'talk.wav' in an earlier record and 'elsewhere.wav'"):
        write([TALK, other], out)
    nomedia = {"id": "n", "sides": {"km": {"text": "z", "layers": {"segments": {"spans": [
        {"start": 0, "end": 1, "t0": 0, "t1": 1}]}}}}}
    with pytest.raises(InputError, match="record 'n': has no media"):
        write([nomedia], out)
    spaced = {"id": "s", "sides": {"km": {"text": "z", "media": {"uri": "s.wav"}, "layers": {"segments": {"spans": [
        {"start": 0, "end": 1, "t0": 0, "t1": 1, "speaker": "Speaker A"}]}}}}}
    with pytest.raises(InputError, match="record 's': speaker 'Speaker A' cannot be a Kaldi key"):
        write([spaced], out)
    with pytest.raises(InputError, match="utterance 'talk-0000' was already written"):
        write([TALK, TALK], out)
    assert not out.exists()


def test_round_trip_through_a_copy_keeps_unread_tables_out(tmp_path: Path) -> None:
    """Feature tables are not read: a copy of the folder written back has only the tables lancang holds."""
    src = tmp_path / "src"
    shutil.copytree(shared(*LHOTSE, "mini_librispeech2"), src)
    out = tmp_path / "out"
    write(read(src, langs=["en"]), out)
    assert not (out / "feats.scp").exists() and (out / "spk2gender").exists()
    assert list(read(out, langs=["en"])) == list(read(src, langs=["en"]))


def test_cli_kaldi_to_stm_and_back(cli: Any, tmp_path: Path) -> None:
    src = shared(*LHOTSE, "mini_librispeech")
    stm = tmp_path / "ref.stm"
    res = cli("convert", str(src), str(stm), "--src", "en")
    assert res.exit_code == 0, res.output
    lines = stm.read_text().splitlines()
    assert len(lines) == 38 and lines[1] == ("lbi-1272-141231-0000 1 lbi-1272-141231 0 4.65 "
                                             "A MAN SAID TO THE UNIVERSE SIR I EXIST")
    bad = _folder(tmp_path, **{**GOOD, "segments": "u1 r1 0 1.5\nu2 r9 1.5 2.25\n"})
    res = cli("convert", str(bad), str(tmp_path / "x.jsonl"), "--from", "kaldi", "--src", "th")
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1
    assert "segments:2: recording 'r9'" in res.output and not (tmp_path / "x.jsonl").exists()


def test_utterance_tables_stream_beside_text(tmp_path: Path) -> None:
    """segments and utt2spk, sorted like text as Kaldi keeps them, are read beside it: the first record comes
    before a bad line at the end of segments is reached (the whole table is not loaded first), and that
    line is still reported, with its place."""
    d = _folder(tmp_path, **{**GOOD, "segments": "u1 r1 0 1.5\nu2 r1 1.5 2.25\nu9 r1 3 x\n"})
    it = read(d, langs=["th"])
    assert next(it)["id"] == "u1" and next(it)["id"] == "u2"
    with pytest.raises(InputError, match=r"bad/segments:3: 'x' is not a time in seconds"):
        next(it)


def test_utterance_tables_in_another_order_still_read(tmp_path: Path) -> None:
    d = _folder(tmp_path, **{**GOOD, "segments": "u2 r1 1.5 2.25\nu1 r1 0 1.5\n", "utt2spk": "u2 s2\nu1 s1\n"})
    recs = list(read(d, langs=["th"]))
    assert [(r["id"], r["sides"]["th"]["layers"]["segments"]["spans"][0]["t0"],
             r["sides"]["th"]["layers"]["segments"]["spans"][0]["speaker"]) for r in recs] == [
        ("u1", 0.0, "s1"), ("u2", 1.5, "s2")]


def test_a_repeated_key_is_found_past_the_memory_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The keys a table has shown are kept in a DuplicateIndex (spilled to disk past its bound), not a set."""
    import functools

    import lancang.corpora.formats.kaldi as kaldi

    monkeypatch.setattr(kaldi, "DuplicateIndex", functools.partial(kaldi.DuplicateIndex, spill_at=3))
    text = "".join(f"u{i} a\n" for i in range(10)) + "u4 b\n"
    d = _folder(tmp_path, text=text)
    with pytest.raises(InputError, match=r"bad/text:11: 'u4' is listed twice \(first on line 5\)"):
        list(read(d, langs=["th"]))


def test_spk2utt_sorted_as_kaldi_sorts_and_repeats_found_past_the_bound(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """spk2utt comes from a table on disk, speakers in byte order (LC_ALL=C: upper case first), each speaker's
    utterances in the order written; a repeated utterance id is refused after the in-memory bound too."""
    import functools

    import lancang.corpora.formats.kaldi as kaldi

    def rec(rid: str, spk: str) -> dict[str, Any]:
        return {"id": rid, "sides": {"th": {"text": "ครับ", "meta": {"speaker": spk}}}}

    out = tmp_path / "data"
    write([rec("b-2", "b"), rec("a-1", "a"), rec("b-1", "b"), rec("B-1", "B"), rec("ä-1", "ä")], out)
    assert (out / "spk2utt").read_text(encoding="utf-8") == "B B-1\na a-1\nb b-1 b-2\nä ä-1\n"
    monkeypatch.setattr(kaldi, "DuplicateIndex", functools.partial(kaldi.DuplicateIndex, spill_at=2))
    with pytest.raises(InputError, match="utterance 'u1' was already written"):
        write([rec(f"u{i}", "s") for i in range(5)] + [rec("u1", "s")], tmp_path / "again")
    assert not (tmp_path / "again").exists()
