"""NIST STM and CTM: the format contract, SCTK's and meeteval's files in ../shared/data, bad input."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from lancang.corpora.formats import read_corpus, write_corpus
from lancang.corpora.formats.stm import IGNORE, read_ctm, read_stm, write_ctm, write_stm
from lancang.corpora.invariants import check_record
from lancang.errors import InputError
from lancang.schemas.validator import RecordValidator

from ..conftest import shared
from .contract import TEXTS, FormatContract

SCORING = ("speech", "scoring")


class TestSTMContract(FormatContract):
    format_name = "stm"
    langs = ["my"]
    keeps_ids = False  # STM has no utterance ids: <file>-<channel>-<n>

    def sample_records(self) -> list[dict[str, Any]]:
        recs = super().sample_records()
        for i, rec in enumerate(recs):
            side = rec["sides"]["my"]
            side["media"] = {"uri": f"rec{i}", "channel": 1 + i % 2}
            side["layers"] = {"segments": {"spans": [{"start": 0, "end": len(side["text"]), "t0": i + 0.25,
                                                      "t1": i + 1.5, "speaker": f"spk{i % 3}"}]}}
        return recs


class TestCTMContract(FormatContract):
    format_name = "ctm"
    langs = ["vi"]
    keeps_ids = False  # <file>-<channel>

    def sample_records(self) -> list[dict[str, Any]]:
        """Space-separated words with their timings (a CTM record without words writes no line, so the
        contract's empty record is left out)."""
        recs = []
        for i, text in enumerate(TEXTS.values()):
            words = text.split()
            spans, pos = [], 0
            for k, w in enumerate(words):
                span: dict[str, Any] = {"start": pos, "end": pos + len(w), "t0": i * 10 + k * 0.25,
                                        "t1": i * 10 + k * 0.25 + 0.2}
                if k % 2:
                    span["conf"] = 0.75
                spans.append(span)
                pos += len(w) + 1
            side = {"text": " ".join(words), "media": {"uri": f"f{i}", "channel": 1},
                    "layers": {"words": {"spans": spans}}}
            recs.append({"id": f"r{i}", "sides": {"vi": side}})
        return recs


# ------------------------------------------------------------------------------------------ STM

def _files(ext: str) -> list[Path]:
    return sorted(shared(*SCORING).rglob(f"*.{ext}"))


def _enc(p: Path) -> dict[str, str]:
    return {"encoding": "gb18030"} if p.name.startswith("mand_") else {}


def test_every_real_stm_file_reads_validly_and_round_trips(tmp_path: Path) -> None:
    rv = RecordValidator()
    files = _files("stm")
    assert len(files) == 12
    for p in files:
        recs = list(read_stm(p, langs=["und"], **_enc(p)))
        assert recs and all(rv.check(r) == [] and check_record(r) == [] for r in recs), p
        out = tmp_path / p.name
        assert write_stm(recs, out) == len(recs)
        assert list(read_stm(out, langs=["und"])) == recs, p


def test_sctk_lvc_labels_comments_alternations(tmp_path: Path) -> None:
    p = shared(*SCORING, "sctk", "lvc_ref.stm")
    recs = list(read_stm(p, langs=["en"]))
    first = recs[0]["sides"]["en"]
    assert recs[0]["id"] == "2347-a-0000"
    assert first["text"] == "i've;tag1 { um;tag1; / uh;;tag2 } a\\;s;tag1 far as i'm concerned"
    assert first["media"] == {"uri": "2347"} and first["meta"]["channel"] == "a"
    assert first["meta"]["label"] == "<O,WA>"
    assert first["meta"]["comments"][0] == ';; CATEGORY "0" "" ""' and len(first["meta"]["comments"]) == 5
    assert first["layers"]["segments"]["spans"] == [
        {"start": 0, "end": len(first["text"]), "t0": 1.06, "t1": 3.47, "speaker": "2347-a"}]
    empty = recs[2]["sides"]["en"]  # '2347 a 2347-a 11.06 15.84 <O,NA>': no words, kept (it is scored)
    assert empty["text"] == "" and empty["meta"]["label"] == "<O,NA>"
    out = tmp_path / "lvc.stm"
    write_stm(recs, out)
    assert out.read_text().splitlines()[:7] == p.read_text().splitlines()[:7]


def test_ignore_time_segment_is_kept() -> None:
    recs = list(read_stm(shared(*SCORING, "sctk", "lvc_refe.stm"), langs=["en"]))
    assert sum(r["sides"]["en"]["text"] == IGNORE for r in recs) == 2
    can = list(read_stm(shared(*SCORING, "sctk", "test.cantonese.stm"), langs=["yue"]))
    assert [r["sides"]["yue"]["text"] for r in can][2] == IGNORE
    commented = ";;file 1 spkr1 24.870 25.500  煲 一下 得 啦 煲 煲 (()) 放学 咪 饮 咯"
    assert can[2]["sides"]["yue"]["meta"]["comments"] == [commented]
    assert can[0]["sides"]["yue"]["media"] == {"uri": "file", "channel": 1}


def test_mandarin_gb2312() -> None:
    p = shared(*SCORING, "sctk", "mand_ref.stm")
    with pytest.raises(InputError, match=r"mand_ref\.stm:[0-9]+: not UTF-8.*-I encoding="):
        list(read_stm(p, langs=["zh-Hans"]))
    recs = list(read_corpus(p, None, ["zh-Hans"], encoding="gb18030"))
    assert recs[0]["sides"]["zh-Hans"]["text"] == "哦 OK"
    assert [r["id"] for r in recs[:5]] == ["ma_0029-1-0000", "ma_0029-1-0001", "ma_0029-1-0002", "ma_0029-1-0003",
                                           "ma_0029-2-0000"]


@pytest.mark.parametrize("line, what", [
    ("f 1 s 2.0 1.5 words", "the end time 1.5 is before the start time 2"),
    ("f 1 s -1 1.5 words", "negative time -1"),
    ("f 1 s 1 x words", "'x' is not a time in seconds"),
    ("f 1 s 1", "an STM line is"),
])
def test_stm_bad_lines(tmp_path: Path, line: str, what: str) -> None:
    p = tmp_path / "bad.stm"
    p.write_text(f";; ok\nf 1 s 0 1 fine\n{line}\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"bad\.stm:3: {what}"):
        list(read_stm(p, langs=["th"]))


def test_textgrid_shaped_record_to_stm(tmp_path: Path) -> None:
    rec = {"id": "talk", "sides": {"th": {"text": "สวัสดี\nครับ", "media": {"uri": "audio/talk.wav"},
                                          "layers": {"segments": {"spans": [
                                              {"start": 0, "end": 6, "t0": 0.5, "t1": 2.0, "speaker": "A"},
                                              {"start": 7, "end": 11, "t0": 2.0, "t1": 3.0}]}}}}}
    out = tmp_path / "talk.stm"
    assert write_corpus([rec], out) == 1
    assert out.read_text(encoding="utf-8") == "talk 1 A 0.5 2 สวัสดี\ntalk 1 unknown 2 3 ครับ\n"
    with pytest.raises(InputError, match="record 'u': has no segments; an STM line needs"):
        write_stm([{"id": "u", "sides": {"th": {"text": "x"}}}], tmp_path / "u.stm")


# ------------------------------------------------------------------------------------------ CTM

def test_every_real_ctm_file_reads_validly_and_round_trips(tmp_path: Path) -> None:
    rv = RecordValidator()
    files = _files("ctm")
    assert len(files) == 5
    for p in files:
        recs = list(read_ctm(p, langs=["und"], **_enc(p)))
        assert recs and all(rv.check(r) == [] and check_record(r) == [] for r in recs), p
        out = tmp_path / p.name
        assert write_ctm(recs, out) == len(recs)
        assert list(read_ctm(out, langs=["und"])) == recs, p


def _fields(line: str) -> list[Any]:
    return [Decimal(f) if f[:1].isdigit() and f.replace(".", "").isdigit() else f for f in line.split()]


def test_sctk_lvc_hyp_is_written_back_line_for_line(tmp_path: Path) -> None:
    """The same lines (times as numbers: ``0.20`` is written ``0.2``), the alternation markers verbatim."""
    p = shared(*SCORING, "sctk", "lvc_hyp.ctm")
    recs = list(read_ctm(p, langs=["en"]))
    assert [r["id"] for r in recs] == ["2347-A", "2347-B", "3129-A", "3129-B"]
    side = recs[0]["sides"]["en"]
    assert side["text"].startswith("THEY;tag1 PRIDE;tag1;tag2 ABOUT;;tag2 A\\;S;tag1 FAR")
    assert side["layers"]["words"]["spans"][0] == {"start": 0, "end": 9, "t0": 0.05, "t1": 0.29}
    alts = recs[1]["sides"]["en"]["layers"]["x-ctm"]["lines"]
    assert [line.split()[-1] for _, line in alts[:3]] == ["<ALT_BEGIN>", "<ALT>", "<ALT_END>"]
    out = tmp_path / "hyp.ctm"
    write_ctm(recs, out)
    mine, theirs = out.read_text().splitlines(), p.read_text().splitlines()
    assert [_fields(x) for x in mine] == [_fields(x) for x in theirs]
    assert [x for x in mine if "ALT" in x] == [x for x in theirs if "ALT" in x]


def test_cantonese_confidences_and_decimal_times() -> None:
    (rec,) = read_ctm(shared(*SCORING, "sctk", "test.cantonese.ctm"), langs=["yue"])
    words = rec["sides"]["yue"]["layers"]["words"]["spans"]
    assert words[0] == {"start": 0, "end": 1, "t0": 11.24, "t1": 11.647, "conf": 0.5}
    assert words[2]["t1"] == 12.055  # 11.851 + 0.204 in decimal arithmetic, not 12.055000000000001
    (mand, *_) = read_ctm(shared(*SCORING, "sctk", "mand_hyp.ctm"), langs=["zh-Hans"], encoding="gb18030")
    assert mand["sides"]["zh-Hans"]["text"] == "可能 OK 对 对 OK"
    assert mand["sides"]["zh-Hans"]["layers"]["words"]["spans"][0]["t1"] == 120.19


def test_meeteval_lines_not_together_give_one_record_per_run() -> None:
    recs = list(read_ctm(shared(*SCORING, "meeteval", "hyp1.ctm"), langs=["en"]))
    assert [r["id"] for r in recs] == ["recordingA-1", "recordingB-1", "recordingA-1-2"]


def test_confidence_outside_0_1_is_kept_aside(tmp_path: Path) -> None:
    p = tmp_path / "c.ctm"
    body = ";; scores\n7654 A 11.34 0.2 YES -6.763\n7654 A 12.00 0.34 YOU 0.9\n;; end\n"
    p.write_text(body, encoding="utf-8")
    (rec,) = read_ctm(p, langs=["en"])
    lay = rec["sides"]["en"]["layers"]
    assert lay["words"]["spans"] == [{"start": 0, "end": 3, "t0": 11.34, "t1": 11.54},
                                     {"start": 4, "end": 7, "t0": 12.0, "t1": 12.34, "conf": 0.9}]
    assert lay["x-ctm"] == {"lines": [[0, ";; scores"], [2, ";; end"]], "conf": {"0": "-6.763"}}
    out = tmp_path / "back.ctm"
    write_ctm([rec], out)
    assert out.read_text() == body.replace("12.00", "12")


@pytest.mark.parametrize("line, what", [
    ("f 1 1.0 -0.2 w", "negative time -0.2"),
    ("f 1 1.0 0.2", "a CTM line is"),
    ("f 1 1.0 0.2 w high", "confidence 'high' is not a number"),
    ("f 1 1.0 0.2 <ALT>", "an alternation marker <ALT> has"),
])
def test_ctm_bad_lines(tmp_path: Path, line: str, what: str) -> None:
    p = tmp_path / "bad.ctm"
    p.write_text(f"f 1 0 0.5 ok\n{line}\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"bad\.ctm:2: {what}"):
        list(read_ctm(p, langs=["th"]))


def test_ctm_writer_needs_words(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="record 'u': has no words layer"):
        write_ctm([{"id": "u", "sides": {"th": {"text": "x"}}}], tmp_path / "u.ctm")
