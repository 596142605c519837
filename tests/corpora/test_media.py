"""Media facts without decoding speech (issue 18): WAV by the standard library, FLAC/OGG by soundfile;
verify_media's findings for a missing file, a different hash, duration or format."""

from __future__ import annotations

import hashlib
import struct
import wave
from pathlib import Path

import pytest

from lancang.corpora.media import describe, media_facts, resolve_media, verify_media
from lancang.errors import InputError

from ..conftest import shared


def make_wav(path: Path, seconds: float = 0.5, rate: int = 8000, channels: int = 2) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        n = int(seconds * rate)
        w.writeframes(b"".join(struct.pack("<h", (i * 37) % 2000 - 1000) * channels for i in range(n)))
    return path


@pytest.mark.parametrize("folder,name,duration,rate", [
    ("praatio", "mary.wav", 1.8696875, 48000),
    ("praatio", "bobby.wav", 1.194625, 48000),
    ("charsiu", "SSB00050015_16k.wav", 5.4409375, 16000),
    ("wenet", "aishell-BAC009S0724W0121.wav", 4.281, 16000),
    ("mfa", "61-70968-0000.flac", 4.905, 16000),
])
def test_real_files(folder: str, name: str, duration: float, rate: int) -> None:
    if name.endswith(".flac"):
        pytest.importorskip("soundfile", reason='FLAC facts need lancang[speech]')
    p = shared("speech", "audio", folder, name)
    f = media_facts(p)
    assert (f.duration, f.sample_rate, f.channels) == (duration, rate, 1)
    assert f.sha256 == hashlib.sha256(p.read_bytes()).hexdigest()
    assert media_facts(p, sha256=False).sha256 is None


def test_stereo_wav_and_describe(tmp_path: Path) -> None:
    make_wav(tmp_path / "a.wav", 0.5, 8000, 2)
    m = describe("a.wav", base=tmp_path)
    assert {k: m[k] for k in ("uri", "duration", "sample_rate", "channels")} == \
        {"uri": "a.wav", "duration": 0.5, "sample_rate": 8000, "channels": 2}
    assert len(m["sha256"]) == 64


def test_float_wav_goes_to_soundfile(tmp_path: Path) -> None:
    sf = pytest.importorskip("soundfile", reason="non-PCM WAV facts need lancang[speech]")
    p = tmp_path / "f.wav"
    sf.write(str(p), [0.0] * 1600, 16000, subtype="FLOAT")
    with pytest.raises(wave.Error), wave.open(str(p), "rb"):  # the standard library cannot read it ...
        pass
    assert media_facts(p).duration == 0.1  # ... soundfile can


@pytest.mark.parametrize("content,message", [
    (None, "media file not found"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", "not a readable WAV file"),
    (b"not audio at all, just text\n" * 4, "not a readable audio file|needs soundfile"),
])
def test_bad_media_is_one_input_error(tmp_path: Path, content: bytes | None, message: str) -> None:
    p = tmp_path / "x.wav"
    if content is not None:
        p.write_bytes(content)
    with pytest.raises(InputError, match=message):
        media_facts(p)


def test_resolve_media(tmp_path: Path) -> None:
    assert resolve_media("a/b.wav", root=tmp_path) == tmp_path / "a/b.wav"
    assert resolve_media("b.wav", base=tmp_path / "t") == tmp_path / "t/b.wav"
    assert resolve_media("b.wav", root=tmp_path / "r", base=tmp_path / "t") == tmp_path / "r/b.wav"
    assert resolve_media("file:///data/x%20y.wav") == Path("/data/x y.wav")
    assert resolve_media("https://example.org/a.wav") is None
    assert resolve_media("/abs/a.wav", root=tmp_path) == Path("/abs/a.wav")


def test_verify_media_findings(tmp_path: Path) -> None:
    make_wav(tmp_path / "a.wav", 0.25, 8000, 1)
    side = {"text": "", "media": describe("a.wav", base=tmp_path)}
    side["media"]["uri"] = "a.wav"
    assert verify_media(side, root=tmp_path) == []
    assert verify_media({"text": "x"}, root=tmp_path) == []
    bad = {"text": "", "media": dict(side["media"], sha256="0" * 64, duration=0.3, channels=2, channel=3)}
    rules = [(f[0], f[2]) for f in verify_media(bad, root=tmp_path)]
    assert rules == [("media-hash-differs", "/media/sha256"), ("media-duration-differs", "/media/duration"),
                     ("media-format-differs", "/media/channels"), ("media-channel-out-of-range", "/media/channel")]
    near = {"text": "", "media": dict(side["media"], duration=0.2505)}  # within 1 ms
    assert verify_media(near, root=tmp_path) == []
    missing = verify_media({"text": "", "media": {"uri": "gone.wav"}}, root=tmp_path)
    assert [(f[0], f[1]) for f in missing] == [("media-missing", "error")] and "gone.wav" in missing[0][3]
    (tmp_path / "junk.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    assert verify_media({"text": "", "media": {"uri": "junk.wav"}}, root=tmp_path)[0][0] == "media-unreadable"
    assert verify_media({"text": "", "media": {"uri": "http://x/a.wav"}})[0][:2] == ("media-unreadable", "warning")


def test_validate_media_root(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """Issue 18's bad input: a media file that does not exist or whose hash differs, found by
    ``lancang validate --media-root`` (exit 1, one finding each, at the side's media)."""
    import orjson

    make_wav(tmp_path / "a.wav", 0.25, 8000, 1)
    good = {"id": "ok", "sides": {"th": {"text": "ก", "media": describe("a.wav", tmp_path)}}}
    bad_hash = {"id": "hash", "sides": {"th": {"text": "ข", "media": dict(good["sides"]["th"]["media"],
                                                                        sha256="0" * 64)}}}
    gone = {"id": "gone", "sides": {"th": {"text": "ค", "media": {"uri": "nowhere/b.wav"}}}}
    corpus = tmp_path / "c.jsonl"
    corpus.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in (good, bad_hash, gone)))
    res = cli("validate", str(corpus), "--media-root", str(tmp_path), "--format", "json")
    assert res.exit_code == 1, res.output
    found = [(f["rule"], f["record"], f["pointer"]) for f in orjson.loads(res.output)["findings"]]
    assert found == [("media-hash-differs", "hash", "/sides/th/media/sha256"),
                     ("media-missing", "gone", "/sides/th/media/uri")]
    assert cli("validate", str(corpus)).exit_code == 0  # without a media root, media files are not read
