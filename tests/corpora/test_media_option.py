"""One media rule for the transcript formats (issue 18): ``media_option`` (``-I media=auto|PATH``) for
TextGrid, WebVTT and SRT, which do not name their audio, and ``media_of`` for a URI a format names
(EAF's media descriptor)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lancang.corpora.formats import get_format
from lancang.corpora.media import media_of, media_option
from lancang.errors import InputError

from .test_media import make_wav

TEXTGRID = """File type = "ooTextFile"
Object class = "TextGrid"

xmin = 0
xmax = 0.4
tiers? <exists>
size = 1
item []:
    item [1]:
        class = "IntervalTier"
        name = "utterance"
        xmin = 0
        xmax = 0.4
        intervals: size = 1
        intervals [1]:
            xmin = 0
            xmax = 0.4
            text = "hello"
"""
VTT = "WEBVTT\n\n00:00.000 --> 00:00.400\nhello\n"
SRT = "1\n00:00:00,000 --> 00:00:00,400\nhello\n"
EAF = """<?xml version="1.0" encoding="UTF-8"?>
<ANNOTATION_DOCUMENT AUTHOR="" DATE="1970-01-01T00:00:00Z" FORMAT="3.0" VERSION="3.0">
  <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds">
    <MEDIA_DESCRIPTOR MEDIA_URL="{url}" MIME_TYPE="audio/x-wav"/>
  </HEADER>
  <TIME_ORDER>
    <TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="0"/>
    <TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="400"/>
  </TIME_ORDER>
  <TIER LINGUISTIC_TYPE_REF="default-lt" TIER_ID="utterance">
    <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2">
      <ANNOTATION_VALUE>hello</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
  </TIER>
  <LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="default-lt" TIME_ALIGNABLE="true"/>
</ANNOTATION_DOCUMENT>
"""


def test_media_option_rule(tmp_path: Path) -> None:
    doc = tmp_path / "talk.TextGrid"
    assert media_option(None, doc) is None and media_option("", doc) is None
    assert media_option("auto", doc) is None  # no audio of that stem
    make_wav(tmp_path / "talk.WAV", seconds=0.5, rate=8000, channels=1)
    auto = media_option("auto", doc)
    assert auto is not None and auto["uri"] == "talk.WAV"  # upper-case extensions are found too
    assert (auto["duration"], auto["sample_rate"], auto["channels"], len(auto["sha256"])) == (0.5, 8000, 1, 64)
    assert media_option("auto", doc, facts=False) == {"uri": "talk.WAV"}
    # auto looks under the media root when one is given, never beside the transcript then
    root = tmp_path / "audio"
    root.mkdir()
    assert media_option("auto", doc, root) is None
    make_wav(root / "talk.flac.wav", seconds=0.1)  # another stem: not the transcript's audio
    assert media_option("auto", doc, root) is None
    # a template: {stem} is the transcript's stem, resolved against the root, else the transcript's folder
    make_wav(root / "talk-16k.wav", seconds=0.25, rate=16000)
    named = media_option("{stem}-16k.wav", doc, root)
    assert named is not None
    assert (named["uri"], named["duration"], named["sample_rate"]) == ("talk-16k.wav", 0.25, 16000)
    assert media_option("audio/{stem}-16k.wav", doc)["duration"] == 0.25  # type: ignore[index]
    # a file that is not there, or not local, is the uri alone (the validator's media checks report it)
    assert media_option("{stem}.mp3", doc) == {"uri": "talk.mp3"}
    assert media_option("https://example.org/{stem}.wav", doc) == {"uri": "https://example.org/talk.wav"}
    # a file that is there but unreadable is an input error, not a silent uri
    (tmp_path / "bad.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    with pytest.raises(InputError, match="bad.wav"):
        media_option("bad.wav", doc)


def test_media_of(tmp_path: Path) -> None:
    make_wav(tmp_path / "a.wav", seconds=0.5, rate=8000, channels=2)
    assert media_of("a.wav", base=tmp_path)["channels"] == 2
    assert media_of("a.wav", root=tmp_path, base=tmp_path / "elsewhere")["duration"] == 0.5
    assert media_of("a.wav", base=tmp_path, facts=False) == {"uri": "a.wav"}
    assert media_of(f"file:{tmp_path / 'a.wav'}")["sample_rate"] == 8000
    assert media_of("missing.wav", base=tmp_path) == {"uri": "missing.wav"}
    with pytest.raises(InputError, match="not a file"):
        media_of(".", base=tmp_path)  # a folder where the audio should be


@pytest.mark.parametrize("fmt,name,content", [
    ("textgrid", "talk.TextGrid", TEXTGRID), ("webvtt", "talk.vtt", VTT), ("srt", "talk.srt", SRT)])
def test_formats_without_media_share_the_option(tmp_path: Path, fmt: str, name: str, content: str) -> None:
    """TextGrid, WebVTT and SRT read ``-I media=...`` by the one rule, with the same options."""
    (tmp_path / name).write_text(content, encoding="utf-8")
    make_wav(tmp_path / "talk.wav", seconds=0.5, rate=8000, channels=1)
    f = get_format(fmt)
    assert {k: (o.default, o.choices) for k, o in f.read_options.items() if k.startswith("media")} == {
        "media": (None, None), "media_root": (None, None), "media_facts": (True, (True, False))}
    [rec] = f.read(tmp_path / name, langs=["en"], media="auto")
    assert rec["sides"]["en"]["media"] == media_option("auto", tmp_path / name)
    [rec] = f.read(tmp_path / name, langs=["en"], media="{stem}.flac")
    assert rec["sides"]["en"]["media"] == {"uri": "talk.flac"}
    [rec] = f.read(tmp_path / name, langs=["en"])
    assert "media" not in rec["sides"]["en"]


def test_eaf_media_descriptor_by_the_same_rule(tmp_path: Path) -> None:
    make_wav(tmp_path / "talk.wav", seconds=0.5, rate=8000, channels=1)
    f = get_format("eaf")
    (tmp_path / "a.eaf").write_text(EAF.format(url="talk.wav"), encoding="utf-8")
    [rec] = f.read(tmp_path / "a.eaf", langs=["en"])
    assert rec["sides"]["en"]["media"] == media_of("talk.wav", base=tmp_path)
    (tmp_path / "b.eaf").write_text(EAF.format(url="."), encoding="utf-8")
    with pytest.raises(InputError, match="not a file"):  # a folder named as the audio: said, not kept silently
        list(f.read(tmp_path / "b.eaf", langs=["en"]))
    (tmp_path / "c.eaf").write_text(EAF.format(url="gone.wav"), encoding="utf-8")
    [rec] = f.read(tmp_path / "c.eaf", langs=["en"])
    assert rec["sides"]["en"]["media"] == {"uri": "gone.wav"}
