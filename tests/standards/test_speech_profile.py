"""The speech profile (issue 18) end to end: `lancang check -p lancang-zh-asean-speech` on an NIST STM file
read directly through the format hub, and on the canonical corpus with its media facts, its manifest's
speakers and the error rate of a reviewed sample from `lancang evaluate --layer transcript`."""

from __future__ import annotations

import hashlib
import json
import wave
from pathlib import Path
from typing import Any

import pytest

from lancang.standards.profiles import load_profile
from tests.conftest import shared, write_jsonl

PROFILE = "lancang-zh-asean-speech"
#: (recording, speaker, t0, t1, transcript): real Mandarin recordings (AISHELL-3 via charsiu, AISHELL-1 via wenet)
UTTERANCES = [("SSB00050015_16k", "SSB0005", "0.12", "2.60", "经广州日报报道后"),
              ("SSB00050015_16k", "SSB0005", "2.70", "5.40", "成为了社会热点"),
              ("aishell-BAC009S0724W0121", "S0724", "0.20", "4.20", "广州市房地产中介协会分析")]
AUDIO = {"SSB00050015_16k": ("charsiu", "SSB00050015_16k.wav"),
         "aishell-BAC009S0724W0121": ("wenet", "aishell-BAC009S0724W0121.wav")}


def _manifest(tmp: Path, consent: bool = True) -> Path:
    doc = {"manifest": "lancang/manifest/1", "id": "speech-demo", "title": "Mandarin read speech", "languages": ["zh"],
           "license": "Apache-2.0",
           "speakers": [{"id": "SSB0005", "roles": ["reader"], "language": "zh", "consent": True},
                        {"id": "S0724", "roles": ["reader"], "language": "zh", "consent": consent}]}
    p = tmp / f"manifest-{consent}.json"
    p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return p


def _stm(tmp: Path) -> Path:
    p = tmp / "corpus.stm"
    p.write_text("".join(f"{f} 1 {s} {t0} {t1} {text}\n" for f, s, t0, t1, text in UTTERANCES), encoding="utf-8")
    return p


def _media_facts(rec: dict[str, Any], tmp: Path) -> dict[str, Any]:
    """What the media step records for a side: the file's path (a copy beside the corpus), sha256 and
    duration (read here with the standard library)."""
    side = rec["sides"]["zh"]
    folder, name = AUDIO[side["media"]["uri"]]
    path = shared("speech", "audio", folder, name)
    (tmp / "audio").mkdir(exist_ok=True)
    (tmp / "audio" / name).write_bytes(path.read_bytes())
    with wave.open(str(path)) as w:
        duration = w.getnframes() / w.getframerate()
    side["media"] = {"uri": f"audio/{name}", "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                     "duration": duration, "channel": 1}
    return rec


def _verdicts(report: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["verdict"] for r in report["requirements"] if r["profile"] == PROFILE}


def test_the_profile_is_a_proposal_of_lancang_defaults() -> None:
    prof = load_profile(PROFILE)
    assert prof.doc["status"] == "proposal" and prof.doc["level"] == "project"
    assert {r["basis"] for r in prof.doc["requirements"]} == {"default"}
    assert {r.get("rule") for r in prof.doc["requirements"]} >= {
        "media-referenced", "layers-required", "speakers-declared", "script-matches-language", "timed-segment-empty"}


def test_check_reads_stm_directly_and_fails_on_unhashed_media(tmp_path: Path, cli) -> None:
    stm = _stm(tmp_path)
    res = cli("check", str(stm), "-p", PROFILE, "--src", "zh", "--manifest", str(_manifest(tmp_path)),
              "--format", "json")
    assert res.exit_code == 1, res.output
    rep = json.loads(res.output)
    v = _verdicts(rep)
    assert v["media"] == "fail" and v["transcript-accuracy"] == "not-checked"
    assert all(v[k] == "pass" for k in ("segments", "speakers-consent", "script", "no-empty-segments", "languages",
                                        "speakers-manifest")), v
    media = next(r for r in rep["requirements"] if r["id"] == "media")
    assert media["findings"] == 3 and "has no sha256, duration" in media["shown"][0]["message"]
    assert media["shown"][0]["file"] == str(stm) and media["shown"][0]["line"] == 1
    assert rep["summary"]["records"] == 3


def test_speech_corpus_conformant_end_to_end(tmp_path: Path, cli) -> None:
    stm = _stm(tmp_path)
    conv = cli("convert", str(stm), str(tmp_path / "raw.jsonl"), "--src", "zh")
    assert conv.exit_code == 0, conv.output
    records = [_media_facts(json.loads(line), tmp_path)
               for line in (tmp_path / "raw.jsonl").read_text("utf-8").splitlines()]
    corpus = write_jsonl(tmp_path / "corpus.jsonl", records)
    # the reviewers re-transcribe a sample; one character of the corpus differs from what they heard
    reviewed = json.loads(json.dumps(records))
    reviewed[2]["sides"]["zh"]["text"] = "广州市房地产中介协会分折"
    write_jsonl(tmp_path / "reviewed.jsonl", reviewed[1:])
    ev = cli("evaluate", str(corpus), str(tmp_path / "reviewed.jsonl"), "--layer", "transcript", "--format", "json")
    assert ev.exit_code == 0, ev.output
    metrics = json.loads(ev.output)
    t = metrics["accuracy"]["transcript"]
    assert t["cer"] == round(1 / 19, 6) and t["missing"]["only_in_pred"] == 1 and t["missing"]["only_in_gold"] == 0
    (tmp_path / "metrics.json").write_text(ev.output, encoding="utf-8")
    args = ["check", str(corpus), "-p", PROFILE, "--metrics", str(tmp_path / "metrics.json"), "--format", "json"]
    res = cli(*args, "--manifest", str(_manifest(tmp_path)))
    rep = json.loads(res.output)
    assert _verdicts(rep)["transcript-accuracy"] == "fail"  # 1 error in 19 characters is above 5%
    assert res.exit_code == 1
    # the corpus fixed: every requirement passes
    records[2]["sides"]["zh"]["text"] = "广州市房地产中介协会分折"
    corpus = write_jsonl(tmp_path / "corpus.jsonl", records)
    ev = cli("evaluate", str(corpus), str(tmp_path / "reviewed.jsonl"), "--layer", "transcript", "--format", "json")
    (tmp_path / "metrics.json").write_text(ev.output, encoding="utf-8")
    res = cli(*args, "--manifest", str(_manifest(tmp_path)))
    rep = json.loads(res.output)
    assert res.exit_code == 0, [(r["id"], r["verdict"], r["reason"], r["shown"][:1]) for r in rep["requirements"]]
    assert rep["verdict"] == "conformant" and set(_verdicts(rep).values()) == {"pass"}
    # an audio file that changed after its hash was recorded
    wav = tmp_path / "audio" / "SSB00050015_16k.wav"
    data = wav.read_bytes()
    wav.write_bytes(data[:-2] + bytes([data[-2] ^ 1, data[-1]]))
    rep = json.loads(cli(*args, "--manifest", str(_manifest(tmp_path))).output)
    assert _verdicts(rep)["media-files"] == "fail" and _verdicts(rep)["media"] == "pass"
    assert {f["record"] for r in rep["requirements"] if r["id"] == "media-files" for f in r["shown"]} == \
        {records[0]["id"], records[1]["id"]}
    wav.write_bytes(data)
    # a speaker without consent
    res = cli(*args, "--manifest", str(_manifest(tmp_path, consent=False)))
    rep = json.loads(res.output)
    assert res.exit_code == 1 and _verdicts(rep)["speakers-consent"] == "fail"
    [finding] = next(r for r in rep["requirements"] if r["id"] == "speakers-consent")["shown"]
    assert finding["record"] == records[2]["id"] and "'S0724' has not consented" in finding["message"]


def test_the_manifest_is_required(tmp_path: Path, cli) -> None:
    res = cli("check", str(_stm(tmp_path)), "-p", PROFILE, "--src", "zh")
    assert res.exit_code == 2 and "--manifest" in res.output and "speakers-consent" in res.output


def test_empty_segment_and_wrong_script_are_found(tmp_path: Path, cli) -> None:
    rec = {"id": "r1", "sides": {"zh": {"text": "hello world\n", "media": {"uri": "a.wav", "sha256": "0" * 64,
                                                                           "duration": 3.0},
                                        "layers": {"segments": {"spans": [
                                            {"start": 0, "end": 11, "t0": 0.0, "t1": 1.0, "speaker": "SSB0005"},
                                            {"start": 12, "end": 12, "t0": 1.0, "t1": 2.0, "speaker": "SSB0005"}]}}}}}
    corpus = write_jsonl(tmp_path / "c.jsonl", [rec])
    res = cli("check", str(corpus), "-p", PROFILE, "--manifest", str(_manifest(tmp_path)), "--format", "json")
    v = _verdicts(json.loads(res.output))
    assert res.exit_code == 1 and v["no-empty-segments"] == "fail" and v["script"] == "fail"
    assert v["media"] == "pass" and v["speakers-consent"] == "pass"


@pytest.mark.parametrize("fmt", ["text", "html"])
def test_speech_report_renders(tmp_path: Path, cli, fmt: str) -> None:
    res = cli("check", str(_stm(tmp_path)), "-p", PROFILE, "--src", "zh", "--manifest", str(_manifest(tmp_path)),
              "--format", fmt)
    assert res.exit_code == 1 and "media" in res.output


def test_check_reads_a_textgrid_with_its_media_facts(tmp_path: Path, cli) -> None:
    """A real Praat TextGrid (AISHELL-3 via charsiu) read directly: the reader fills the media facts from the
    WAV beside it, so the media requirement passes; its tiers name no speaker, so consent cannot be shown."""
    tg = shared("speech", "audio", "charsiu", "SSB00050015.TextGrid")
    res = cli("check", str(tg), "-p", PROFILE, "--src", "zh", "-I", "media={stem}_16k.wav",
              "--manifest", str(_manifest(tmp_path)), "--format", "json")
    rep = json.loads(res.output)
    v = _verdicts(rep)
    assert res.exit_code == 1 and v["media"] == "pass" and v["segments"] == "pass" and v["script"] == "pass"
    assert v["media-files"] == "pass"  # the WAV beside the TextGrid has the hash the reader recorded
    assert v["speakers-consent"] == "fail" and v["no-empty-segments"] == "pass"
    [finding] = next(r for r in rep["requirements"] if r["id"] == "speakers-consent")["shown"]
    assert finding["message"] == "the segment names no speaker" and finding["record"] == "SSB00050015"


def test_check_reads_a_kaldi_data_directory(tmp_path: Path, cli) -> None:
    """A real Kaldi data folder (lhotse's mini_librispeech) read directly: one record per utterance, the
    speakers from utt2spk checked against the manifest's declared speakers."""
    folder = shared("speech", "kaldi", "lhotse", "mini_librispeech")
    speakers = sorted({line.split()[1] for line in (folder / "utt2spk").read_text().splitlines() if line.strip()})
    man = {"manifest": "lancang/manifest/1", "id": "mini", "title": "mini_librispeech", "languages": ["en"],
           "license": "CC-BY-4.0", "speakers": [{"id": s, "roles": ["reader"], "language": "en", "consent": True}
                                                for s in speakers]}
    mp = tmp_path / "m.json"
    mp.write_text(json.dumps(man), encoding="utf-8")
    res = cli("check", str(folder), "-p", PROFILE, "--src", "en", "--manifest", str(mp), "--format", "json")
    rep = json.loads(res.output)
    v = _verdicts(rep)
    assert rep["summary"]["records"] == len((folder / "text").read_text().splitlines())
    assert v["speakers-consent"] == "pass" and v["segments"] == "pass" and v["script"] == "pass"
    assert v["media"] == "fail"  # wav.scp names the audio; nothing records its hash
    man["speakers"] = man["speakers"][1:]
    mp.write_text(json.dumps(man), encoding="utf-8")
    rep = json.loads(cli("check", str(folder), "-p", PROFILE, "--src", "en", "--manifest", str(mp),
                         "--format", "json").output)
    assert _verdicts(rep)["speakers-consent"] == "fail"
