"""Praat TextGrid (issue 18): the format contract over time-aligned records, golden tests on every
shared TextGrid (checked against praatio's reading of the same files), and the bad input of the issue."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lancang.corpora.formats import get_format, resolve_format
from lancang.corpora.formats.textgrid import parse, read, write
from lancang.corpora.formats.timed import read_text
from lancang.errors import InputError, UsageError
from lancang.schemas.validator import RecordValidator

from ..conftest import SHARED_DATA, shared
from .contract import TEXTS, FormatContract, tokens_of

TG_FILES = sorted((SHARED_DATA / "speech" / "textgrid").glob("*/*.TextGrid"))
#: files of the same content in two spellings (SOURCE.txt): they must read to the same record
SAME = [("praatio/mary", "praatio/mary_with_negative_zero"), ("praatio/mary", "praatio/mary_longfile"),
        ("praatio/mary_longfile", "praatio/mary_longfile_with_negative_zero"),
        ("praatio/textgrid_to_merge", "praatio/textgrid_to_merge_longfile"),
        ("praatio/bobby_words_with_newlines", "praatio/bobby_words_with_newlines_longfile"),
        ("praatio/bobby_words_with_newlines", "praatio/bobby_words_with_newlines_longfile_elan")]
#: SOURCE.txt says these pairs are one object, but the point tier's first and third marks differ in the
#: files themselves (the long files lack the quoted "p1"/"p3" lines; praatio reads them so too)
POINTS_DIFFER = {"praatio/bobby_words_with_newlines_longfile", "praatio/bobby_words_with_newlines_longfile_elan"}
V = RecordValidator()


def timed_side(text: str, k: int, words: bool) -> dict[str, Any]:
    """A side whose text is two utterances (split at the middle), with word timings inside them."""
    if not text:
        return {"text": ""}
    cut = len(text) // 2
    parts = [text[:cut].strip() or text[:cut], text[cut:].strip() or text[cut:]]
    full = "\n".join(parts)
    t = [0.0, 0.5 + k / 8, 1.6180339887 + k]  # a time with many digits: never rounded
    segs, spans = [], []
    pos = 0
    for i, part in enumerate(parts):
        segs.append({"start": pos, "end": pos + len(part), "t0": t[i], "t1": t[i + 1], "tier": "transcript"})
        toks = tokens_of(part)
        step = (t[i + 1] - t[i]) / max(1, len(toks))
        for j, (s, e) in enumerate(toks):
            spans.append({"start": pos + s, "end": pos + e, "t0": t[i] + j * step, "t1": t[i] + (j + 1) * step})
        pos += len(part) + 1
    layers: dict[str, Any] = {"segments": {"spans": segs}}
    if words:
        layers["words"] = {"spans": spans}
    return {"text": full, "layers": layers}


class TestTextGrid(FormatContract):
    """A TextGrid file is one record: the contract's path is a folder of ``<id>.TextGrid``."""

    format_name = "textgrid"
    langs = ["th"]

    def sample_records(self) -> list[dict[str, Any]]:
        recs = [{"id": f"r{i}", "sides": {"th": timed_side(text, i, words=i % 2 == 0)}}
                for i, text in enumerate(TEXTS.values())]
        return recs + [{"id": "s-empty", "sides": {"th": {"text": ""}}}]

    def path(self, tmp_path: Path) -> Path:
        return tmp_path / "grids"

    def read(self, path: Path) -> list[dict[str, Any]]:
        return super().read(path)  # file names sort as the sample ids do

    def to_crlf_bom(self, path: Path) -> None:
        for p in path.iterdir():
            super().to_crlf_bom(p)


def test_sample_words_survive(tmp_path: Path) -> None:
    rec = {"id": "w", "sides": {"km": timed_side(TEXTS["km"] + " " + TEXTS["km"], 2, words=True)}}
    write([rec], tmp_path / "w.TextGrid")
    back = list(read(tmp_path / "w.TextGrid", langs=["km"]))
    assert back == [rec]


# ------------------------------------------------------------------------------------ real files

@pytest.mark.parametrize("path", TG_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_real_file_round_trips(path: Path, tmp_path: Path) -> None:
    """Every shared TextGrid: parsed as praatio parses it, valid, and written back (long form) with the
    same tiers, intervals and labels, read again to the same record."""
    praatio = pytest.importorskip("praatio.textgrid")
    xmin, xmax, tiers = parse(read_text(path).replace("\r\n", "\n"), str(path))
    theirs = praatio.openTextgrid(str(path), includeEmptyIntervals=True, duplicateNamesMode="rename")
    assert [[tuple(x) for x in t.items] for t in tiers] == [[tuple(e) for e in t.entries] for t in theirs.tiers]
    assert (xmin, xmax) == (theirs.minTimestamp, theirs.maxTimestamp)
    for keep_empty in (False, True):
        [rec] = read(path, langs=["en"], keep_empty=keep_empty)
        assert rec["id"] == path.stem
        assert V.check(rec) == [], rec
        out = tmp_path / f"{keep_empty}.TextGrid"
        write([rec], out)
        again = parse(out.read_text(encoding="utf-8"), str(out))
        assert again[:2] == (xmin, xmax)
        assert [(t.cls, t.name, t.xmin, t.xmax, t.items) for t in again[2]] == \
            [(t.cls, t.name, t.xmin, t.xmax, t.items) for t in tiers]
        [back] = read(out, langs=["en"], keep_empty=keep_empty)
        assert back == {**rec, "id": out.stem}
    # praatio reads what lancang wrote as it reads the original (interval tiers: praatio's long-form
    # reader does not undouble quotes in point marks, so "" inside a mark would differ there)
    ours = praatio.openTextgrid(str(out), includeEmptyIntervals=True, duplicateNamesMode="rename")
    assert [[tuple(e) for e in t.entries] for t in ours.tiers if t.tierType == "IntervalTier"] == \
        [[tuple(e) for e in t.entries] for t in theirs.tiers if t.tierType == "IntervalTier"]


@pytest.mark.parametrize("a,b", SAME)
def test_two_spellings_read_alike(a: str, b: str) -> None:
    base = shared("speech", "textgrid")
    [ra] = read(base / f"{a}.TextGrid", langs=["en"])
    [rb] = read(base / f"{b}.TextGrid", langs=["en"])
    if b in POINTS_DIFFER:
        for r in (ra, rb):
            points = r["sides"]["en"]["layers"]["x-textgrid"]["tiers"][2]["points"]
            assert [p[1].split("\n")[-1].strip('"') for p in points] == ["p1", "p2", "p3", "p4"]
            del points[0], points[1]
    assert {**ra, "id": ""} == {**rb, "id": ""}


def test_what_the_real_files_hold() -> None:
    base = shared("speech", "textgrid")
    # Mandarin, characters tier "words" chosen over "phones"; [SIL] intervals are silence, dropped
    [zh] = read(base / "charsiu" / "SSB00050015.TextGrid", langs=["zh-Hans"])
    side = zh["sides"]["zh-Hans"]
    assert side["text"].replace("\n", "") == "经广州日报报道后成为了社会热点"
    assert {s["tier"] for s in side["layers"]["segments"]["spans"]} == {"words"}
    phones = side["layers"]["x-textgrid"]["tiers"][0]
    assert phones["name"] == "phones" and phones["intervals"][0][2] == "[SIL]"
    [zh_all] = read(base / "charsiu" / "SSB00050015.TextGrid", langs=["zh-Hans"], keep_empty=True)
    assert zh_all["sides"]["zh-Hans"]["text"].startswith("[SIL]\n经")
    # Vietnamese, UTF-16BE with BOM and CRLF
    [vi] = read(base / "mfa" / "vietnamese.TextGrid", langs=["vi"])
    assert vi["sides"]["vi"]["text"].startswith("ở địa bàn vùng núi người dân")
    # multi-line labels with doubled quotes, a tier named "word" in quotes, a point tier with no name
    [bob] = read(base / "praatio" / "bobby_words_with_newlines.TextGrid", langs=["en"])
    tiers = bob["sides"]["en"]["layers"]["x-textgrid"]["tiers"]
    assert [t["name"] for t in tiers] == ['"word"', "phrase", ""]
    assert tiers[0]["intervals"][1][2] == '"""BOBBY"""\nNoun' and tiers[2]["points"][1][1] == '0\np2'
    assert bob["sides"]["en"]["text"] == "BOBBY RIPPED THE LEDGER"  # "phrase" is the transcript
    # a word tier whose labels are in the phrase becomes the words layer
    [bw] = read(base / "praatio" / "bobby_words.TextGrid", langs=["en"])
    side = bw["sides"]["en"]
    assert [side["text"][w["start"]:w["end"]] for w in side["layers"]["words"]["spans"]] == \
        ["BOBBY", "RIPPED", "THE", "LEDGER"]
    # -0 is 0, and JSON never gets a negative zero
    [m0] = read(base / "praatio" / "mary_with_negative_zero.TextGrid", langs=["en"])
    assert str(m0["sides"]["en"]["layers"]["x-textgrid"]["tiers"][0]["xmin"]) == "0.0"


def test_tier_option(tmp_path: Path) -> None:
    path = shared("speech", "textgrid", "praatio", "textgrid_to_merge.TextGrid")
    [rec] = read(path, langs=["en"], tier="*")
    segs = rec["sides"]["en"]["layers"]["segments"]["spans"]
    assert {s["speaker"] for s in segs} == {"bob", "mary", "sarah"} and len(segs) == 11  # 22 with the empty
    assert [(s["t0"], s["t1"]) for s in segs] == sorted((s["t0"], s["t1"]) for s in segs)
    assert V.check(rec) == []
    write([rec], tmp_path / "m.TextGrid")
    [back] = read(tmp_path / "m.TextGrid", langs=["en"], tier="*")
    assert {**back, "id": rec["id"]} == rec
    [two] = read(path, langs=["en"], tier="mary,3")
    assert {s["speaker"] for s in two["sides"]["en"]["layers"]["segments"]["spans"]} == {"mary", "sarah"}
    [by_number] = read(path, langs=["en"], tier=2)
    assert {s["tier"] for s in by_number["sides"]["en"]["layers"]["segments"]["spans"]} == {"mary"}
    with pytest.raises(UsageError, match=r"no tier 'nobody' \(-I tier=...; the tiers: 'bob', 'mary', 'sarah'\)"):
        list(read(path, langs=["en"], tier="nobody"))
    with pytest.raises(InputError, match="'pitch' is a point tier"):
        list(read(shared("speech", "textgrid", "praatio", "mary.TextGrid"), langs=["en"], tier="pitch"))
    with pytest.raises(UsageError, match="share a name"):
        list(read(shared("speech", "textgrid", "praatio", "all_tiers_have_the_same_name.TextGrid"),
                  langs=["en"], tier="*"))
    mary = shared("speech", "textgrid", "praatio", "mary.TextGrid")  # "word" is the transcript
    with pytest.raises(InputError, match=r"mary.TextGrid:8: a label of the words tier 'phone' is not found"):
        list(read(mary, langs=["en"], words="phone"))
    with pytest.raises(UsageError, match="must be an interval tier other than the transcript"):
        list(read(mary, langs=["en"], words="word"))


def test_needs_src_and_sniffs(tmp_path: Path) -> None:
    path = shared("speech", "textgrid", "praatio", "mary_longfile.TextGrid")
    with pytest.raises(UsageError, match="a TextGrid does not name the language of its text: give it with --src"):
        list(read(path))
    odd = tmp_path / "grid.dat"
    shutil.copy(path, odd)  # UTF-16, no telling extension
    assert resolve_format(odd).name == "textgrid"
    assert resolve_format(path.parent).name == "textgrid"


def test_cli_convert_both_ways(tmp_path: Path, cli: Any) -> None:
    src = shared("speech", "textgrid", "praatio", "bobby_words.TextGrid")
    out = tmp_path / "b.jsonl"
    res = cli("convert", str(src), str(out), "--src", "en")
    assert res.exit_code == 0, res.output
    back = tmp_path / "b.TextGrid"
    assert cli("convert", str(out), str(back)).exit_code == 0
    assert parse(read_text(back), "b")[2][0].items == parse(read_text(src).replace("\r\n", "\n"), "s")[2][0].items
    res = cli("convert", str(src), str(tmp_path / "x.jsonl"))
    assert res.exit_code == 2 and "--src" in res.output and len(res.output.strip().splitlines()) == 1


def test_writer_refuses_what_a_tier_cannot_hold(tmp_path: Path) -> None:
    rec = {"id": "o", "sides": {"vi": {"text": "a\nb", "layers": {"segments": {"spans": [
        {"start": 0, "end": 1, "t0": 0.0, "t1": 2.0}, {"start": 2, "end": 3, "t0": 1.0, "t1": 3.0}]}}}}}
    with pytest.raises(InputError, match="tier 'transcript' would have overlapping intervals"):
        write([rec], tmp_path / "o.TextGrid")
    two = [dict(rec, id="a"), dict(rec, id="b")]
    with pytest.raises(InputError, match="a TextGrid file holds one record"):
        write([{"id": "a", "sides": {"vi": {"text": ""}}}, {"id": "b", "sides": {"vi": {"text": ""}}}],
              tmp_path / "two.TextGrid")
    rec["sides"]["vi"]["layers"]["segments"]["spans"][1]["speaker"] = "B"  # another speaker: another tier
    assert write([rec], tmp_path / "ok.TextGrid") == 1
    assert [t.name for t in parse(read_text(tmp_path / "ok.TextGrid"), "ok")[2]] == ["transcript", "B"]
    assert len(two) == 2


# ------------------------------------------------------------------------------------ bad input

GRID = '''File type = "ooTextFile"
Object class = "TextGrid"

0
{xmax}
<exists>
1
"IntervalTier"
"utterance"
0
{xmax}
{n}
{intervals}'''


def grid(tmp_path: Path, intervals: list[tuple[str, str, str]], xmax: str = "3", name: str = "g") -> Path:
    body = "\n".join(f'{a}\n{b}\n"{lab}"' for a, b, lab in intervals)
    p = tmp_path / f"{name}.TextGrid"
    p.write_text(GRID.format(xmax=xmax, n=len(intervals), intervals=body) + "\n", encoding="utf-8")
    return p


def test_overlapping_intervals_are_an_error_at_their_line(tmp_path: Path) -> None:
    p = grid(tmp_path, [("0", "1.5", "xin chào"), ("1.2", "3", "các bạn")])
    with pytest.raises(InputError, match=r"g.TextGrid:16: interval \[1.2, 3\] of tier 'utterance' overlaps the "
                                         r"previous one \(line 13, ending at 1.5\)"):
        list(read(p, langs=["vi"]))


@pytest.mark.parametrize("intervals,message", [
    ([("0", "1", "a"), ("2", "1.5", "b")], r":16: interval \[2, 1.5\] of tier 'utterance' ends before it starts"),
    ([("-1", "1", "a")], r":13: negative time -1"),
    ([("0", "1", "a"), ("1", "x", "b")], r":18: a number expected, found '\"b\"'"),
])
def test_bad_intervals(tmp_path: Path, intervals: list[tuple[str, str, str]], message: str) -> None:
    with pytest.raises(InputError, match=message):
        list(read(grid(tmp_path, intervals), langs=["vi"]))


@pytest.mark.parametrize("content,message", [
    ('File type = "ooTextFile"\nObject class = "TextGrid"\n\n0\n3\n<exists>\n1\n"IntervalTier"\n"u"\n0\n3\n2\n'
     '0\n1\n"a"\n',
     r":15: the TextGrid ends early \(a number expected\)"),  # 15 lines, the last interval cut short
    ('File type = "ooBinaryFile"\n', r":1: not a Praat text file"),
    ('File type = "ooTextFile"\nObject class = "Pitch 1"\n', r":2: a Praat 'Pitch 1' file, not a TextGrid"),
    ('File type = "ooTextFile"\nObject class = "TextGrid"\n0\n1\n<exists>\n1\n"Tier"\n"x"\n0\n1\n0\n',
     r":7: unknown tier class 'Tier'"),
])
def test_bad_files(tmp_path: Path, content: str, message: str) -> None:
    p = tmp_path / "bad.TextGrid"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        list(read(p, langs=["vi"]))


def test_tier_ending_after_the_audio_is_a_validator_finding(tmp_path: Path) -> None:
    """Issue 18's bad input: with the media's duration known (``-I media=auto``), a TextGrid whose tier
    runs past the audio (mary.wav lasts 1.8697 s) is reported by the validator, at the layer that says so."""
    shutil.copy(shared("speech", "audio", "praatio", "mary.wav"), tmp_path / "g.wav")
    ok = grid(tmp_path, [("0", "0.5", ""), ("0.5", "1.8", "mary rolled the barrel"), ("1.8", "1.8696875", "")],
              xmax="1.8696875")
    [rec] = read(ok, langs=["en"], media="auto")
    media = rec["sides"]["en"]["media"]
    assert (media["uri"], media["duration"], media["sample_rate"]) == ("g.wav", 1.8696875, 48000)
    assert V.check(rec) == []
    long = grid(tmp_path, [("0", "0.5", ""), ("0.5", "1.8", "mary rolled the barrel"), ("1.8", "2.5", "")],
                xmax="2.5")
    [rec] = read(long, langs=["en"], media="auto")
    found = [(f[0], f[2]) for f in V.check(rec)]
    assert found == [("time-past-media", "/sides/en/layers/x-textgrid/xmax")]
    past = grid(tmp_path, [("0", "0.5", ""), ("0.5", "2.5", "mary rolled the barrel")], xmax="2.5")
    [rec] = read(past, langs=["en"], media="auto")
    assert ("time-past-media", "/sides/en/layers/segments/spans/0/t1") in [(f[0], f[2]) for f in V.check(rec)]
    [named] = read(past, langs=["en"], media="audio/{stem}.flac", media_root=tmp_path)
    assert named["sides"]["en"]["media"] == {"uri": "audio/g.flac"}  # not there: the uri alone
    [none] = read(past, langs=["en"], media="auto", media_root=tmp_path / "nowhere")
    assert "media" not in none["sides"]["en"]  # auto looks under the media root when one is given
    assert get_format("textgrid").read_options["media"].default is None


# ------------------------------------------------------------------------------------ properties

#: labels with quotes, line breaks (read back as "\n": a TextGrid's line ends are LF, CRLF or CR), '!' and
#: brackets (which the tokenizer skips outside strings), combining marks; not blank (blanks are dropped)
LABEL = st.text(st.sampled_from(list('ab "\n\t!<>[]=ก่ขค្ញ်ိ我爱Việt') + ["\u0301"]), min_size=1,
                max_size=12).filter(lambda t: bool(t.strip()))


@st.composite
def timed_records(draw: Any) -> dict[str, Any]:
    """A side of utterances with any labels (quotes, line breaks, '!' and brackets the tokenizer skips
    outside strings) at any float times, with word timings inside them."""
    n = draw(st.integers(0, 5))
    cuts = sorted(draw(st.lists(st.floats(0, 1e4, allow_nan=False, allow_infinity=False), min_size=2 * n,
                                max_size=2 * n, unique=True)))
    utts = [{"text": draw(LABEL), "t0": cuts[2 * i], "t1": cuts[2 * i + 1], "tier": "transcript"} for i in range(n)]
    from lancang.corpora.model import Record

    rec = Record.new("p")
    side = rec.add_transcript("th", utts)
    side.data.pop("meta", None)
    if not utts:  # no interval: a TextGrid without tiers, a side without layers
        side.data.pop("layers")
    return rec.data


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(timed_records())
def test_any_labels_and_times_round_trip(rec: dict[str, Any]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "p.TextGrid"
        write([rec], out)
        [back] = read(out, langs=["th"])
    assert back == rec


AUDIO_PAIRS = [("praatio", "mary", "mary.wav"), ("praatio", "bobby_words", "bobby.wav"),
               ("praatio", "bobby_phones", "bobby.wav"), ("charsiu", "SSB00050015", "SSB00050015_16k.wav"),
               ("charsiu", "SSB16240001", "SSB16240001_16k.wav"), ("mfa", "61-70968-0000", "61-70968-0000.flac")]


@pytest.mark.parametrize("folder,stem,audio", AUDIO_PAIRS, ids=lambda x: x)
def test_textgrids_beside_their_audio(folder: str, stem: str, audio: str) -> None:
    """Every TextGrid of the shared audio folder with its recording: the media facts are read, the
    file's hash and duration are the record's, and no tier runs past the audio (SOURCE.txt: the
    TextGrids end at or before it)."""
    if audio.endswith(".flac"):
        pytest.importorskip("soundfile", reason="FLAC facts need lancang[speech]")
    base = shared("speech", "audio", folder)
    media = "{stem}_16k.wav" if folder == "charsiu" else audio  # a template, or the file's name
    [rec] = read(base / f"{stem}.TextGrid", langs=["zh-Hans" if folder == "charsiu" else "en"], media=media)
    side = next(iter(rec["sides"].values()))
    assert side["media"]["uri"] == audio and side["media"]["duration"] > 0
    assert V.check(rec) == []
    from lancang.corpora.media import verify_media

    assert verify_media(side, base) == []
    [auto] = read(base / f"{stem}.TextGrid", langs=["en"], media="auto")
    assert ("media" in auto["sides"]["en"]) == (Path(audio).stem == stem)  # auto: the same stem only
