"""What lancang writes as a Kaldi data folder passes the checks of Kaldi's ``utils/validate_data_dir.sh``
(issue 18 follow-up): every table sorted by key with ``LC_ALL=C``, ``utt2spk`` sorted by speaker too
(utterance ids begin with their speaker's), ``spk2utt`` its inverse, the same utterances in ``text``,
``segments`` and ``utt2spk``, the same recordings in ``segments``, ``wav.scp`` and ``reco2dur``, every
speaker in ``spk2gender``. The checks below are the script's own commands (coreutils ``sort``, ``cmp``,
``awk``; ``spk2utt_to_utt2spk.pl`` as awk), run on folders written from real files; Kaldi itself is not
installed here."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from lancang.corpora.formats import read_corpus
from lancang.corpora.formats.kaldi import IDS_TABLE, kaldi_id, read, write
from lancang.errors import InputError

from ..conftest import shared

#: utils/validate_data_dir.sh (kaldi-asr/kaldi egs/wsj/s5/utils), the checks of the tables lancang writes
VALIDATE = r"""
set -u
export LC_ALL=C
data=$1
fail() { echo "$*"; exit 1; }
check_sorted_and_uniq() {
  awk '{print $1}' $1 | sort | uniq | cmp -s - <(awk '{print $1}' $1) \
    || fail "file $1 is not in sorted order or has duplicates"
}
for f in spk2utt utt2spk; do [ -s $data/$f ] || fail "no such file $f"; done
awk '{if (NF != 2) exit(1); }' $data/utt2spk || fail "utt2spk has wrong format"
check_sorted_and_uniq $data/utt2spk
sort -k2 $data/utt2spk | cmp -s - $data/utt2spk || fail "utt2spk is not in sorted order when sorted first on speaker-id"
check_sorted_and_uniq $data/spk2utt
cmp -s <(awk '{print $1, $2;}' $data/utt2spk) <(awk '{for (i = 2; i <= NF; i++) print $i, $1}' $data/spk2utt) \
  || fail "spk2utt and utt2spk do not seem to match"
awk '{print $1}' $data/utt2spk > $data.utts
check_sorted_and_uniq $data/text
cmp -s $data.utts <(awk '{print $1}' $data/text) || fail "utterance lists extracted from utt2spk and text differ"
check_sorted_and_uniq $data/wav.scp
if [ -f $data/segments ]; then
  check_sorted_and_uniq $data/segments
  awk '{if (NF != 4 || $4 <= $3) { print "Bad line in segments file", $0; exit(1); }}' $data/segments \
    || fail "badly formatted segments file"
  cmp -s $data.utts <(awk '{print $1}' $data/segments) || fail "Utterance list differs between utt2spk and segments"
  awk '{print $2}' $data/segments | sort | uniq > $data.recordings
  cmp -s $data.recordings <(awk '{print $1}' $data/wav.scp) || fail "recording-ids from segments and wav.scp differ"
else
  cp $data.utts $data.recordings
  cmp -s $data.utts <(awk '{print $1}' $data/wav.scp) || fail "utterance lists from utt2spk and wav.scp differ"
fi
if [ -f $data/reco2dur ]; then
  check_sorted_and_uniq $data/reco2dur
  cmp -s $data.recordings <(awk '{print $1}' $data/reco2dur) || fail "recording-ids and reco2dur differ"
  awk '{ if (NF != 2 || !($2 > 0)) { print "Bad line : " $0; exit(1) }}' $data/reco2dur || fail "bad reco2dur"
fi
if [ -f $data/spk2gender ]; then
  check_sorted_and_uniq $data/spk2gender
  awk '{if (!((NF == 2 && ($2 == "m" || $2 == "f")))) exit 1; }' $data/spk2gender || fail "Mal-formed spk2gender file"
  cmp -s <(awk '{print $1}' $data/spk2utt) <(awk '{print $1}' $data/spk2gender) || fail "spk2utt and spk2gender differ"
fi
echo "Successfully validated data-directory $data"
"""


def validate(folder: Path) -> str:
    if shutil.which("bash") is None or shutil.which("sort") is None:  # pragma: no cover - Debian has both
        pytest.skip("bash and coreutils are needed to run the validate_data_dir.sh checks")
    res = subprocess.run(["bash", "-c", VALIDATE, "validate", str(folder)], capture_output=True, text=True,
                         check=False)
    return (res.stdout + res.stderr).strip()


def _ok(folder: Path) -> None:
    assert validate(folder) == f"Successfully validated data-directory {folder}"


def test_the_checks_catch_what_the_old_writer_wrote(tmp_path: Path) -> None:
    """The checks fail on a folder in record order with ids that do not begin with their speaker (what the
    writer wrote before): so a pass below means something."""
    d = tmp_path / "old"
    d.mkdir()
    (d / "text").write_text("r1 b\nr0 a\n")
    (d / "utt2spk").write_text("r1 spk1\nr0 spk0\n")
    (d / "spk2utt").write_text("spk0 r0\nspk1 r1\n")
    (d / "wav.scp").write_text("r1 r1.wav\nr0 r0.wav\n")
    assert "utt2spk is not in sorted order" in validate(d)
    (d / "utt2spk").write_text("r0 spk1\nr1 spk0\n")
    (d / "text").write_text("r0 a\nr1 b\n")
    (d / "wav.scp").write_text("r0 r0.wav\nr1 r1.wav\n")
    assert "sorted first on speaker-id" in validate(d)


def test_two_speakers_from_elan_make_a_valid_folder_and_come_back(tmp_path: Path) -> None:
    """ELAN's example (speakers K-Spch and W-Spch, their turns interleaved in time, segment ids a1, a8...):
    the utterance ids are prefixed by their speaker, the tables sorted; reading gives the utterances back
    with their own ids."""
    [rec] = read_corpus(shared("speech", "eaf", "poio-api", "example.eaf"), None, ["en"])
    side = rec["sides"]["en"]
    side["layers"] = {"segments": side["layers"]["segments"]}  # what Kaldi holds (convert reports x-eaf lost)
    out = tmp_path / "data"
    assert write([rec], out) == 1
    _ok(out)
    segs = side["layers"]["segments"]["spans"]
    assert (out / "utt2spk").read_text().splitlines()[0] == f"K-Spch-{segs[0]['id']} K-Spch"
    want = sorted(({"id": s["id"], "text": side["text"][s["start"]:s["end"]], "speaker": s["speaker"],
                    "t0": s["t0"], "t1": s["t1"]} for s in segs),
                  key=lambda u: kaldi_id(u["id"], u["speaker"]).encode())
    back = list(read(out, langs=["en"]))
    got = [{"id": r["id"], "text": r["sides"]["en"]["text"], **{k: r["sides"]["en"]["layers"]["segments"]["spans"][0][k]
                                                                for k in ("speaker", "t0", "t1")}} for r in back]
    assert got == want and len(got) == 22
    assert all(r["sides"]["en"]["media"] == side["media"] for r in back)
    again = tmp_path / "again"
    write(back, again)  # lancang's output read back writes the same folder
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {p.name: p.read_bytes() for p in again.iterdir()}


def test_real_kaldi_and_stm_folders_stay_valid(tmp_path: Path) -> None:
    """lhotse's mini_librispeech (ids already begin with their speaker: written as they are, no id table) and
    sclite's lvc_ref.stm (two recordings, four speakers) written as Kaldi folders."""
    src = shared("speech", "kaldi", "lhotse", "mini_librispeech")
    recs = list(read(src, langs=["en"]))
    out = tmp_path / "libri"
    write(recs, out)
    _ok(out)
    assert not (out / IDS_TABLE).exists() and (out / "utt2spk").read_bytes() == (src / "utt2spk").read_bytes()
    assert list(read(out, langs=["en"])) == recs
    stm = list(read_corpus(shared("speech", "scoring", "sctk", "lvc_ref.stm"), None, ["en"]))
    out = tmp_path / "lvc"
    write(stm, out)
    _ok(out)
    back = list(read(out, langs=["en"]))
    assert sorted(r["id"] for r in back) == sorted(r["id"] for r in stm)
    assert [r["sides"]["en"]["text"] for r in back] == [r["sides"]["en"]["text"] for r in stm]  # already sorted


def test_what_validate_data_dir_refuses_is_refused_with_the_utterance(tmp_path: Path) -> None:
    def rec(rid: str, spk: str, t0: float = 0.0, t1: float = 1.0, text: str = "ok", **meta: Any) -> dict[str, Any]:
        return {"id": rid, "sides": {"vi": {"text": text, "media": {"uri": f"{rid}.wav"},
                                            "meta": {"recording": rid, **meta}, "layers": {"segments": {"spans": [
                                                {"start": 0, "end": len(text), "t0": t0, "t1": t1,
                                                 "speaker": spk}]}}}}}

    cases = [
        ([rec("u1", "s1", 1.0, 1.0)], "utterance 'u1' ends where it starts"),
        ([rec("u1", "s1", text="xin\u3000chào")], r"holds U\+3000"),
        ([rec("u1", "a", speaker_gender="f"), rec("u2", "b")], "speaker 'b' has no gender"),
        ([rec("u1", "a", speaker_gender="female")], "gender 'female'; Kaldi's spk2gender holds m or f"),
        ([rec("c", "a!"), rec("x", "a")], "sort one way by utterance id and the other way by speaker id"),
        ([rec("x", "a"), rec("a-x", "a")], "would be Kaldi utterance 'a-x'"),
    ]
    for k, (recs, message) in enumerate(cases):
        out = tmp_path / f"d{k}"
        with pytest.raises(InputError, match=message):
            write(recs, out)
        assert not out.exists()
    write([rec("u1", "a", speaker_gender="f"), rec("u2", "b", speaker_gender="m")], tmp_path / "ok")
    _ok(tmp_path / "ok")
    assert (tmp_path / "ok" / "spk2gender").read_text() == "a f\nb m\n"
