"""TextGrid with several speakers (issue 18 follow-up): what lancang writes for a side of two speakers (a
tier per speaker, and a words tier) reads back to the same record by default, while Praat files with
words/phones tiers keep the transcript tier they had."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lancang.corpora.formats.textgrid import read, write
from lancang.schemas.validator import RecordValidator

from ..conftest import shared

EXAMPLE = ("speech", "eaf", "poio-api", "example.eaf")  # ELAN's example: two speakers, K-Spch and W-Spch
V = RecordValidator()


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _textgrid_part(rec: dict[str, Any]) -> dict[str, Any]:
    """A record as a TextGrid holds it: no media (a TextGrid does not name its audio), no ELAN layer
    (``convert`` reports both as lost), no segment ids (interval tiers have none)."""
    side = dict(rec["sides"]["en"])
    side.pop("media", None)
    layers = {k: v for k, v in side["layers"].items() if k != "x-eaf"}
    layers["segments"] = {**layers["segments"],
                          "spans": [{k: v for k, v in s.items() if k != "id"} for s in layers["segments"]["spans"]]}
    side["layers"] = layers
    return {**rec, "sides": {"en": side}}


def test_two_speakers_from_elan_round_trip_through_a_textgrid(tmp_path: Path, cli: Any) -> None:
    """EAF -> lancang -> TextGrid -> lancang gives the first lancang records back, by default (no -I tier=)."""
    first = tmp_path / "first.jsonl"
    assert cli("convert", str(shared(*EXAMPLE)), str(first), "--src", "en").exit_code == 0
    [rec] = _lines(first)
    segs = rec["sides"]["en"]["layers"]["segments"]["spans"]
    assert {s["speaker"] for s in segs} == {"K-Spch", "W-Spch"} and len(segs) == 22
    holdable = tmp_path / "holdable.jsonl"
    holdable.write_text(json.dumps(_textgrid_part(rec), ensure_ascii=False) + "\n", encoding="utf-8")
    grid = tmp_path / "example.TextGrid"
    res = cli("convert", str(holdable), str(grid))
    assert res.exit_code == 0, res.output
    back = tmp_path / "back.jsonl"
    res = cli("convert", str(grid), str(back), "--src", "en")
    assert res.exit_code == 0, res.output
    assert _lines(back) == [_textgrid_part(rec)]
    # before: only the first speaker's tier was read unless -I tier=K-Spch,W-Spch was given
    [one] = read(grid, langs=["en"], tier="K-Spch")
    assert len(one["sides"]["en"]["layers"]["segments"]["spans"]) < len(segs)


def _with_words(rec: dict[str, Any]) -> dict[str, Any]:
    """The record's segments that overlap no other segment, each with its words timed evenly inside it."""
    side = rec["sides"]["en"]
    segs = side["layers"]["segments"]["spans"]
    alone = [s for s in segs if not any(o is not s and o["t0"] < s["t1"] and s["t0"] < o["t1"] for o in segs)]
    texts = [side["text"][s["start"]:s["end"]] for s in alone]
    text = "\n".join(texts)
    out_segs, words, pos = [], [], 0
    for s, t in zip(alone, texts, strict=True):
        out_segs.append({k: v for k, v in s.items() if k != "id"} | {"start": pos, "end": pos + len(t)})
        toks = t.split(" ")
        step = round((s["t1"] - s["t0"]) / len(toks), 3)
        at = pos
        for j, w in enumerate(toks):
            t0 = round(s["t0"] + j * step, 3)
            t1 = s["t1"] if j == len(toks) - 1 else round(s["t0"] + (j + 1) * step, 3)
            words.append({"start": at, "end": at + len(w), "t0": t0, "t1": t1})
            at += len(w) + 1
        pos += len(t) + 1
    return {"id": rec["id"], "sides": {"en": {"text": text, "layers": {
        "segments": {"spans": out_segs}, "words": {"spans": words}}}}}


def test_two_speakers_and_their_words_read_back_by_default(tmp_path: Path, cli: Any) -> None:
    first = tmp_path / "first.jsonl"
    assert cli("convert", str(shared(*EXAMPLE)), str(first), "--src", "en").exit_code == 0
    rec = _with_words(_lines(first)[0])
    assert V.check(rec) == []
    assert {s["speaker"] for s in rec["sides"]["en"]["layers"]["segments"]["spans"]} == {"K-Spch", "W-Spch"}
    write([rec], tmp_path / "w.TextGrid")
    assert "name = \"words\"" in (tmp_path / "w.TextGrid").read_text(encoding="utf-8")
    [back] = read(tmp_path / "w.TextGrid", langs=["en"])
    assert {**back, "id": rec["id"]} == rec  # not the words tier as the transcript, as before


def test_praat_files_keep_their_transcript_tier() -> None:
    base = shared("speech", "textgrid")
    cases = {  # file: the transcript tiers read by default
        "praatio/damon_set_test": {"words"},  # speaker-like names, but the words tier is not theirs
        "praatio/mary": {"word"},  # phone, word and a pitch point tier
        "praatio/bobby_words": {"phrase"},
        "charsiu/SSB00050015": {"words"},  # phones + words
        "mfa/vietnamese": {"talker"},  # one speaker tier
        "praatio/all_tiers_have_the_same_name": {"Mary"},  # three tiers of one name: the first
        "praatio/textgrid_to_merge": {"bob", "mary", "sarah"},  # a tier per speaker, as MFA reads it
    }
    for name, tiers in cases.items():
        [rec] = read(base / f"{name}.TextGrid", langs=["en"])
        segs = rec["sides"]["en"]["layers"]["segments"]["spans"]
        assert {s["tier"] for s in segs} == tiers, name
        assert all(("speaker" in s) == (len(tiers) > 1) for s in segs), name
    [damon] = read(base / "praatio" / "damon_set_test.TextGrid", langs=["en"])
    assert damon["sides"]["en"]["text"] == "damon\nfried\nthe\nomelet"
