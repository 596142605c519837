"""Fuzzing every reader (issue 12): bytes mutated from a valid file of the format, truncated files and
wrong encodings. A reader either raises lancang's InputError/UsageError (one located line on the command
line, exit 2) or yields records that :func:`~lancang.corpora.invariants.check_record` accepts; never
another exception. Kept fast (about 30 examples a format) so the default run stays short."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lancang.corpora.convert import guarded
from lancang.corpora.formats import all_formats, read_corpus
from lancang.corpora.invariants import check_record
from lancang.errors import InputError, UsageError

#: examples a format (LANCANG_FUZZ_EXAMPLES=1500 for a longer hunt)
EXAMPLES = int(os.environ.get("LANCANG_FUZZ_EXAMPLES", "30"))
TH = "ฉันรักภาษาไทย"
ZH = "我爱北京。"

#: one small valid file per format: {relative name: bytes}; the first file is the one mutated, the path
#: read is the first name (or the folder for brat, the prefix for moses)
SEEDS: dict[str, dict[str, bytes]] = {
    "jsonl": {"c.jsonl": orjson.dumps({"id": "r1", "sides": {"th": {"text": TH, "layers": {
        "tokens": {"spans": [[0, 3], [3, 6], [6, 13]]},
        "entities": {"items": [{"id": "T1", "start": 6, "end": 13, "label": "LANG"}]}}}}}) + b"\n"},
    "tmx": {"c.tmx": ('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header creationtool="t" '
                      'creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="zh-Hans" '
                      'datatype="plaintext"><prop type="x-a">b</prop></header><body><tu tuid="1">'
                      f'<tuv xml:lang="zh-Hans"><seg>{ZH}<ph x="1"/></seg></tuv><tuv xml:lang="th"><seg>{TH}</seg>'
                      '</tuv></tu></body></tmx>\n').encode()},
    "xliff": {"c.xlf": ('<?xml version="1.0"?>\n<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">'
                        '<file source-language="zh-Hans" target-language="th" datatype="plaintext" original="x">'
                        f'<body><trans-unit id="1"><source>{ZH}<x id="1"/></source><target>{TH}</target>'
                        '<note>n</note></trans-unit></body></file></xliff>\n').encode()},
    "xliff2": {"c.xlf": ('<?xml version="1.0"?>\n<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" '
                         'srcLang="zh-Hans" trgLang="th"><file id="f1"><unit id="u1"><segment id="s1">'
                         f'<source>{ZH}<ph id="1"/></source><target>{TH}<ph id="1"/></target></segment></unit>'
                         '</file></xliff>\n').encode()},
    "text": {"c.txt": f"{TH}\n{TH} {TH}\n".encode()},
    "conllu": {"th_c.conllu": ("# sent_id = 1\n# text = ฉันรัก\n1\tฉัน\tฉัน\tPRON\t_\t_\t2\tnsubj\t_\tSpaceAfter=No\n"
                               "2\tรัก\tรัก\tVERB\t_\t_\t0\troot\t_\t_\n\n").encode()},
    "labelstudio": {"c.ls.json": orjson.dumps([{"id": 1, "data": {"text": TH}, "annotations": [{"id": 2, "result": [
        {"id": "a", "type": "labels", "from_name": "label", "to_name": "text",
         "value": {"start": 0, "end": 3, "text": "ฉัน", "labels": ["PER"]}},
        {"id": "b", "type": "labels", "from_name": "label", "to_name": "text",
         "value": {"start": 6, "end": 13, "text": "ภาษาไทย", "labels": ["LANG"]}},
        {"type": "relation", "from_id": "a", "to_id": "b", "direction": "right"}]}]}])},
    "doccano": {"c.doccano.jsonl": orjson.dumps({"id": 1, "text": TH, "entities": [
        {"id": 1, "label": "PER", "start_offset": 0, "end_offset": 3},
        {"id": 2, "label": "LANG", "start_offset": 6, "end_offset": 13}],
        "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "loves"}]}) + b"\n"},
    "conll": {"c.conll": b"-DOCSTART- O\n\nBudi B-PER\ntinggal O\ndi O\nJakarta B-LOC\n\nIa O\n"},
    "inline": {"c.inline": f"[PER]ฉัน[/PER]รัก[LANG]ภาษาไทย[/LANG]\n{TH}\n".encode()},
    "moses": {"c.th": f"{TH}\n{TH}\n".encode(), "c.zh-Hans": f"{ZH}\n{ZH}\n".encode()},
    "tsv": {"c.tsv": f"{ZH}\t{TH}\n{ZH}\t{TH}\n".encode()},
    "pharaoh": {"c.pharaoh": "我 爱 北京 ||| ฉัน รัก ไทย ||| 0-0 1-1 2?2\n".encode()},
    "brat": {"d/a.ann": ("T1\tPER 0 3\tฉัน\nT2\tLANG 6 13\tภาษาไทย\nR1\tloves Arg1:T1 Arg2:T2\nA1\tNeg T1\n"
                         "#1\tNote T1\tx\n").encode(), "d/a.txt": TH.encode()},
    "textgrid": {"c.TextGrid": ('File type = "ooTextFile"\nObject class = "TextGrid"\n\n0\n2.5\n<exists>\n2\n'
                                f'"IntervalTier"\n"utterance"\n0\n2.5\n3\n0\n0.5\n""\n0.5\n1.25\n"{TH}"\n1.25\n2.5\n'
                                '"a ""quoted""\nline"\n"TextTier"\n"tone"\n0\n2.5\n1\n0.75\n"H"\n').encode()},
    "webvtt": {"c.vtt": (f"WEBVTT\nLanguage: th\n\nNOTE n\n\n1\n00:00.500 --> 00:01.250 align:start\n<v.a ผู้พูด>{TH}</v>"
                         "\n\n00:00:01.250 --> 00:00:02.000\n<ruby>a<rt>b</ruby><00:01.500>&amp;<i>c</i>\n").encode()},
    "srt": {"c.srt": (f"1\n00:00:00,500 --> 00:00:01,250\n<i>{TH}</i>\n\n"
                      f"2\n00:00:01,250 --> 00:00:02,000\n{ZH}\n").encode()},
    "kaldi": {"d/text": f"u1 {TH}\nu2 {ZH}\n".encode(), "d/segments": b"u1 r1 0 1.5\nu2 r1 1.5 2.25\n",
              "d/wav.scp": b"r1 sox -n -t wav - synth 3 sine 300 |\n", "d/utt2spk": b"u1 s1\nu2 s2\n",
              "d/reco2dur": b"r1 3\n", "d/spk2gender": b"s1 f\n"},
    "stm": {"c.stm": f";; c\nf A s1 0 1.5 <O> {TH}\nf A s2 1.5 2.25 {{ a / @ }} {ZH}\n".encode()},
    "ctm": {"c.ctm": (f"f 1 0.5 0.25 {TH} 0.9\n"
                      f"f 1 * * <ALT_BEGIN>\nf 1 0.75 0.5 {ZH} -3.2\n").encode()},
    "eaf": {"c.eaf": ('<?xml version="1.0" encoding="UTF-8"?>\n'
                      '<ANNOTATION_DOCUMENT AUTHOR="" DATE="2026-01-01T00:00:00Z" '
                      'FORMAT="3.0" VERSION="3.0"><HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"><MEDIA_DESCRIPTOR '
                      'MEDIA_URL="a.wav" MIME_TYPE="audio/x-wav"/></HEADER><TIME_ORDER><TIME_SLOT TIME_SLOT_ID="ts1" '
                      'TIME_VALUE="0"/><TIME_SLOT TIME_SLOT_ID="ts2"/><TIME_SLOT TIME_SLOT_ID="ts3" TIME_VALUE="2500"/>'
                      '</TIME_ORDER><TIER LINGUISTIC_TYPE_REF="u" PARTICIPANT="A" TIER_ID="A"><ANNOTATION>'
                      '<ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts3">'
                      f'<ANNOTATION_VALUE>{TH}</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION></TIER>'
                      '<TIER LINGUISTIC_TYPE_REF="w" '
                      'PARENT_REF="A" TIER_ID="A words"><ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a2" '
                      'TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2"><ANNOTATION_VALUE>ฉัน</ANNOTATION_VALUE>'
                      '</ALIGNABLE_ANNOTATION></ANNOTATION><ANNOTATION><REF_ANNOTATION ANNOTATION_ID="a3" '
                      'ANNOTATION_REF="a1"><ANNOTATION_VALUE>x</ANNOTATION_VALUE></REF_ANNOTATION></ANNOTATION></TIER>'
                      '<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="u" TIME_ALIGNABLE="true"/><LINGUISTIC_TYPE '
                      'CONSTRAINTS="Time_Subdivision" LINGUISTIC_TYPE_ID="w" TIME_ALIGNABLE="true"/>'
                      '</ANNOTATION_DOCUMENT>\n').encode()},
}
LANGS = {"text": ["th"], "inline": ["th"], "moses": ["zh-Hans", "th"], "tsv": ["zh-Hans", "th"],
         "pharaoh": ["zh-Hans", "th"], "conll": ["id"], "brat": ["th"], "labelstudio": ["th"], "doccano": ["th"],
         "textgrid": ["th"], "srt": ["th"], "kaldi": ["th"], "stm": ["th"], "ctm": ["th"], "eaf": ["th"]}
TARGET = {"brat": "d", "moses": "c.moses", "kaldi": "d"}


def _docbin_seed() -> dict[str, bytes]:
    from lancang.corpora.formats import write_corpus

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "c.spacy"
        write_corpus([{"id": "r1", "sides": {"th": {"text": "ฉัน รัก", "layers": {
            "tokens": {"spans": [[0, 3], [4, 7]]}, "pos": {"values": ["PRON", "VERB"]},
            "entities": {"items": [{"start": 0, "end": 3, "label": "PER"}]}}}}}], p)
        return {"c.spacy": p.read_bytes()}


def _parquet_seed() -> dict[str, bytes]:
    """The JSONL seed's record as an uncompressed Parquet file (mutations reach the values themselves)."""
    from lancang.corpora.formats import write_corpus

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "c.parquet"
        write_corpus([orjson.loads(SEEDS["jsonl"]["c.jsonl"])], p, compression="none")
        return {"c.parquet": p.read_bytes()}


#: seeds made by a writer that needs an extra: format -> (module the extra installs, seed maker)
MADE_SEEDS = {"docbin": ("spacy", _docbin_seed), "parquet": ("pyarrow", _parquet_seed)}


def test_every_readable_format_has_a_seed() -> None:
    readable = {f.name for f in all_formats() if f.read is not None}
    assert readable - set(SEEDS) - set(MADE_SEEDS) == set()


@st.composite
def mutated(draw: Any, seed: bytes) -> bytes:
    """``seed`` after a few random edits: flipped, inserted, deleted or repeated bytes, a truncation, or
    the whole file in another encoding."""
    data = bytearray(seed)
    kind = draw(st.sampled_from(["edit", "edit", "edit", "truncate", "encoding"]))
    if kind == "truncate":
        return bytes(data[:draw(st.integers(0, max(0, len(data) - 1)))])
    if kind == "encoding":
        enc = draw(st.sampled_from(["utf-16", "utf-16-be", "gb18030", "cp874", "latin-1"]))
        return seed.decode("utf-8", "replace").encode(enc, "replace")
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "repeat", "byte"]))
        i = draw(st.integers(0, len(data)))
        if op == "flip" and i < len(data):
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=8))
        elif op == "byte":
            data[i:i] = draw(st.sampled_from([b"<", b">", b'"', b"\t", b"\n", b"\r", b"{", b"]", b"\\", b"&",
                                              b"\x00", b"\xff", b"|||", b"-", b";", b"5", b"99999999999"]))
        elif op == "delete":
            del data[i:i + draw(st.integers(1, 16))]
        elif op == "repeat":
            j = draw(st.integers(i, min(len(data), i + 40)))
            data[j:j] = data[i:j]
    return bytes(data)


def _read_all(fmt: str, files: dict[str, bytes], first: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        base = Path(d)
        for k, (name, content) in enumerate(files.items()):
            p = base / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(first if k == 0 else content)
        target = base / TARGET.get(fmt, next(iter(files)))
        try:
            records = read_corpus(target, fmt, LANGS.get(fmt))
            if fmt in ("jsonl", "parquet"):  # canonical records pass through the reader as they are: the hub
                # checks them
                records = guarded(records, str(target))
            for rec in records:
                errors = [i for i in check_record(rec) if i[1] == "error"]
                assert not errors, f"{fmt} yielded a record the checker refuses: {errors}"
        except (InputError, UsageError) as exc:
            assert str(exc) and "\n" not in str(exc).split(":", 1)[0]


@pytest.mark.parametrize("fmt", sorted(SEEDS) + sorted(MADE_SEEDS))
def test_seed_reads_cleanly(fmt: str) -> None:
    if fmt in MADE_SEEDS:
        pytest.importorskip(MADE_SEEDS[fmt][0])
    files = MADE_SEEDS[fmt][1]() if fmt in MADE_SEEDS else SEEDS[fmt]
    with tempfile.TemporaryDirectory() as d:
        for name, content in files.items():
            (Path(d) / name).parent.mkdir(parents=True, exist_ok=True)
            (Path(d) / name).write_bytes(content)
        recs = list(read_corpus(Path(d) / TARGET.get(fmt, next(iter(files))), fmt, LANGS.get(fmt)))
    assert recs and all(not check_record(r) for r in recs)


def _fuzz(fmt: str, files: dict[str, bytes]) -> None:
    seed = next(iter(files.values()))

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(mutated(seed))
    def run(data: bytes) -> None:
        _read_all(fmt, files, data)

    run()


@pytest.mark.parametrize("fmt", sorted(SEEDS))
def test_mutated_input_is_an_input_error_or_valid_records(fmt: str) -> None:
    _fuzz(fmt, SEEDS[fmt])


def test_mutated_docbin_is_an_input_error_or_valid_records() -> None:
    pytest.importorskip("spacy")
    _fuzz("docbin", _docbin_seed())


def test_mutated_parquet_is_an_input_error_or_valid_records() -> None:
    pytest.importorskip("pyarrow")
    _fuzz("parquet", _parquet_seed())


@pytest.mark.parametrize("fmt", ["brat", "moses"])
def test_mutating_the_second_file_of_multi_file_formats(fmt: str) -> None:
    names = list(SEEDS[fmt])
    _fuzz(fmt, {names[1]: SEEDS[fmt][names[1]], names[0]: SEEDS[fmt][names[0]]})
