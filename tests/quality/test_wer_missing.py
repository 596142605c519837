"""A reference without a hypothesis is scored, as sclite scores an STM against a CTM (issue 18 follow-up):
every reference segment with no hypothesis word is all deletions, for its speaker; a hypothesis without a
reference is not scored (sclite refuses it); the result says how many utterances lacked either side.

The expected figures come from sclite's own outputs for NIST's test files: test9's per-speaker table
for the channel that keeps its hypothesis, and each utterance's ``Scores: (#C #S #D #I)`` line of
test15_d's alignment report, from which the counts of the utterances left without a hypothesis follow
(their C + S + D reference words, all deleted)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema

from lancang.quality.wer import Counts
from lancang.schemas import load_schema
from tests.conftest import shared, write_jsonl
from tests.quality.test_wer import trn

SCTK = ("speech", "scoring", "sctk")


def _row(c: Counts) -> tuple[Any, ...]:
    """sclite's summary row: # Snt, # Wrd/Chr, Corr, Sub, Del, Ins, Err, S.Err (percent, one decimal)."""
    p = c.to_dict()["percent"]
    return (c.utterances, c.ref, *(round(p[k] + 1e-9, 1) for k in ("corr", "sub", "del", "ins", "err",
                                                                     "utterance_err")))


def test_a_channel_without_hypothesis_is_deleted_segment_by_segment(tmp_path: Path, cli: Any) -> None:
    """sclite test9 (mand_ref.stm against mand_hyp.ctm, -c) with the CTM's channel 2 left out: sclite aligns
    a reference file and channel the CTM lacks "to nothing" (stm2ctm.c), so speaker B's 6 segments are
    deleted, 50 characters, while speaker A keeps sclite's own row."""
    ctm = shared(*SCTK, "mand_hyp.ctm").read_bytes()
    kept = [line for line in ctm.splitlines(keepends=True) if line.split()[1:2] != [b"2"]]
    assert 0 < len(kept) < len(ctm.splitlines())
    hyp = tmp_path / "mand_hyp_channel1.ctm"
    hyp.write_bytes(b"".join(kept))  # GB2312 bytes as they were
    res = cli("evaluate", str(hyp), str(shared(*SCTK, "mand_ref.stm")), "--layer", "transcript", "--join",
              "recording", "--src", "zh", "-I", "encoding=gb2312", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    jsonschema.validate(doc, load_schema("metrics"))
    t = doc["accuracy"]["transcript"]
    sp = {k: _row(Counts.from_dict(v["counts"])) for k, v in t["speakers"].items()}
    assert sp["ma_0029_A"] == (4, 7, 85.7, 14.3, 0.0, 14.3, 28.6, 25.0)  # test9.sys
    assert sp["ma_0029_B"] == (6, 50, 0.0, 0.0, 100.0, 0.0, 100.0, 100.0)
    assert _row(Counts.from_dict(t["overall"]["counts"])) == (10, 57, 10.5, 1.8, 87.7, 1.8, 91.2, 70.0)
    m = t["missing"]
    assert m["only_in_gold"] == 1 and m["examples"]["only_in_gold"] == ["ma_0029#2"] and m["only_in_pred"] == 0
    assert m["utterances"] == {"without_hypothesis": 6, "without_reference": 0}
    assert t["records"] == 1 and set(t["files"]) == {"ma_0029#1", "ma_0029#2"}
    text = cli("evaluate", str(hyp), str(shared(*SCTK, "mand_ref.stm")), "--layer", "transcript", "--join",
               "recording", "--src", "zh", "-I", "encoding=gb2312")
    assert text.exit_code == 0
    assert ("reference without hypothesis: 6 utterances, scored as deletions (1 records only in the reference, "
            "e.g. ma_0029#2)") in text.output
    rows = {line.split()[0]: line.split()[1:] for line in text.output.splitlines()[2:] if line.strip()}
    assert rows["ma_0029_B"] == ["6", "50", "0.0", "0.0", "100.0", "0.0", "100.0", "100.0"]
    assert cli("evaluate", str(hyp), str(shared(*SCTK, "mand_ref.stm")), "--layer", "transcript", "--join",
               "recording", "--src", "zh", "-I", "encoding=gb2312", "--strict").exit_code == 1


def _pra_scores(path: Path) -> dict[str, Counts]:
    """Each utterance's counts in sclite's alignment report (``id: (x)`` then ``Scores: (#C #S #D #I) c s d i``)."""
    out: dict[str, Counts] = {}
    uid = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"^id: \((.*)\)$", line):
            uid = m.group(1)
        elif (m := re.match(r"^Scores: \(#C #S #D #I\) (\d+) (\d+) (\d+) (\d+)$", line)) and uid:
            c, s, d, i = map(int, m.groups())
            out[uid] = Counts(c, s, d, i, 1, int(s + d + i > 0))
    return out


def test_utterances_without_hypothesis_are_all_deletions(tmp_path: Path, cli: Any) -> None:
    """sclite test15_d (Ukrainian TRN, case folded) with two hypothesis utterances removed and one hypothesis
    of an utterance the reference lacks: the two are scored as deletions of their reference words (their
    C + S + D in sclite's report), the others exactly as sclite scored them; the extra one is not scored."""
    ref, hyp = trn(shared(*SCTK, "test.ukranian.ref")), trn(shared(*SCTK, "test.ukranian.hyp"))
    pra = _pra_scores(shared(*SCTK, "expected", "test15_d.pra"))
    assert set(pra) == set(ref) == set(hyp) and len(pra) == 6
    dropped = {"ukr_0002", "ukr_0005"}
    want = Counts()
    for uid, c in pra.items():
        want.add(Counts(0, 0, c.ref, 0, 1, int(c.ref > 0)) if uid in dropped else c)
    write_jsonl(tmp_path / "ref.jsonl", [{"id": k, "sides": {"uk": {"text": v}}} for k, v in ref.items()])
    write_jsonl(tmp_path / "hyp.jsonl", [{"id": k, "sides": {"uk": {"text": v}}} for k, v in hyp.items()
                                         if k not in dropped] + [{"id": "ukr_0099", "sides": {"uk": {"text": "так"}}}])
    res = cli("evaluate", str(tmp_path / "hyp.jsonl"), str(tmp_path / "ref.jsonl"), "--layer", "transcript",
              "--normalize", "case", "--format", "json")
    assert res.exit_code == 0, res.output
    t = json.loads(res.output)["accuracy"]["transcript"]
    got = Counts.from_dict(t["overall"]["words"])
    assert got == want and got.ref == 66 and got.dels == sum(pra[u].ref for u in dropped)
    assert t["wer"] == round(want.rate, 6)
    m = t["missing"]
    assert (m["only_in_gold"], m["only_in_pred"]) == (2, 1) and m["examples"]["only_in_pred"] == ["ukr_0099"]
    assert m["utterances"] == {"without_hypothesis": 2, "without_reference": 0}
    assert m["scoring"] == {"only_in_gold": "deletions", "only_in_pred": "not scored"}
    text = cli("evaluate", str(tmp_path / "hyp.jsonl"), str(tmp_path / "ref.jsonl"), "--layer", "transcript",
               "--normalize", "case").output
    assert "hypothesis without reference: 0 utterances, scored as insertions; 1 records only in the " \
           "hypothesis, not scored (e.g. ukr_0099)" in text


def test_hypothesis_words_outside_every_segment_are_insertions() -> None:
    """Within a recording, words after the last reference segment are one utterance of insertions, counted
    as an utterance without reference."""
    from lancang.quality.wer import evaluate_transcripts

    def side(text: str, layer: str, spans: list[tuple[int, int, float, float]]) -> dict[str, Any]:
        return {"text": text, "media": {"uri": "a.wav"},
                "layers": {layer: {"spans": [{"start": a, "end": b, "t0": c, "t1": d} for a, b, c, d in spans]}}}

    ref = [{"id": "r", "sides": {"vi": side("xin chào", "segments", [(0, 8, 0.0, 1.0)])}}]
    hyp = [{"id": "r", "sides": {"vi": side("xin chào bạn", "words", [(0, 3, 0.1, 0.3), (4, 8, 0.5, 0.8),
                                                                      (9, 12, 2.0, 2.2)])}}]
    d = evaluate_transcripts(hyp, ref).to_dict()
    assert d["overall"]["words"]["ins"] == 1 and d["overall"]["words"]["hits"] == 2
    assert d["missing"]["utterances"] == {"without_hypothesis": 0, "without_reference": 1}
