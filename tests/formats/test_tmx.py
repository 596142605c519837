"""TMX 1.4b: the format contract, the LISA compliance kit and Okapi samples, inline codes, errors."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest
from lxml import etree

from lancang.corpora.formats import get_format
from lancang.corpora.formats.tmx import default_header
from lancang.corpora.formats.xmlsafe import XmlInputError
from lancang.errors import InputError
from lancang.schemas.validator import RecordValidator

from ..conftest import SHARED_DATA, shared
from .contract import FormatContract

TMX = get_format("tmx")
KIT = SHARED_DATA / "formats" / "tmx_okapi"
KIT_FILES = sorted(p.name for p in KIT.glob("*.tmx")) if KIT.exists() else ["(absent)"]


def dtd() -> etree.DTD:
    return etree.DTD(str(shared("formats", "tmx_okapi", "tmx14.dtd")))


def assert_dtd_valid(path: Path) -> None:
    d = dtd()
    ok = d.validate(etree.parse(str(path), etree.XMLParser(load_dtd=False, no_network=True)))
    assert ok, d.error_log.filter_from_errors()


def tmx_doc(body: str, header_extra: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header creationtool="t" '
            f'creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="en" datatype="plaintext"'
            f'>{header_extra}</header><body>{body}</body></tmx>').encode()


def read_bytes(tmp_path: Path, data: bytes, name: str = "in.tmx") -> list[dict[str, Any]]:
    p = tmp_path / name
    p.write_bytes(data)
    return list(TMX.read(p))


class TestTmxContract(FormatContract):
    format_name = "tmx"

    def sample_records(self) -> list[dict[str, Any]]:
        recs = super().sample_records()
        langs = self.sides_langs()
        # the header is kept in the first record (this is what the writer writes when there is none)
        recs[0]["meta"] = {"tmx": {"header": {"attrs": default_header(langs[0])}}}
        zh = recs[0]["sides"]["zh-Hans"]  # 我爱北京天安门。
        zh["layers"] = {"codes": {"items": [
            {"kind": "bpt", "start": 2, "data": "<b>", "attrs": {"i": "1", "x": "1", "type": "bold"}},
            {"kind": "hi", "start": 2, "end": 4, "attrs": {"type": "place"}},
            {"kind": "ept", "start": 7, "data": "</b>", "attrs": {"i": "1"}},
            {"kind": "ph", "start": 8, "data": '<img src="a.png"/>', "attrs": {"x": "2"}}]}}
        recs[1]["meta"] = {"tmx": {"attrs": {"creationdate": "20261123T100000Z", "usagecount": "3"},
                                   "props": [{"type": "x-domain", "text": "news"}],
                                   "notes": [{"text": "checked", "xml:lang": "en"}]},
                           "source": "TALPCo"}
        recs[1]["sides"]["th"]["meta"] = {"tmx": {"attrs": {"changeid": "ann-1"}}, "reviewed": True}
        return recs


# ------------------------------------------------------------------------- third-party files

@pytest.mark.parametrize("name", KIT_FILES)
def test_kit_file_reads_and_writes_back_dtd_valid(name: str, tmp_path: Path) -> None:
    src = shared("formats", "tmx_okapi", name)
    recs = list(TMX.read(src))
    assert recs, "every file of the kit has translation units"
    rv = RecordValidator()
    for r in recs:
        assert rv.check(r) == [], r
    out = tmp_path / "out.tmx"
    assert TMX.write(recs, out) == len(recs)
    assert_dtd_valid(out)
    back = list(TMX.read(out))
    if name == "html_test.tmx":  # its header <prop> has no type (type2): written with type x-untyped
        props = back[0]["meta"]["tmx"]["header"]["props"]
        assert props[0]["type"] == "x-untyped" and "RTFFontTable" not in str(props[0])
        assert props[0]["text"] == recs[0]["meta"]["tmx"]["header"]["props"][0]["text"]
        back[0]["meta"]["tmx"]["header"]["props"][0] = recs[0]["meta"]["tmx"]["header"]["props"][0]
    assert back == recs
    # and writing what was read again gives the same bytes
    out2 = tmp_path / "out2.tmx"
    TMX.write(back, out2)
    assert out2.read_bytes() == out.read_bytes()


def test_inline_codes_of_the_kit_sample() -> None:
    [rec] = TMX.read(shared("formats", "tmx_okapi", "a_small_test2.tmx"))
    en = rec["sides"]["en-US"]
    assert en["text"] == "Click  to start."
    assert en["meta"] == {"tmx": {"lang": "en-us"}}
    items = en["layers"]["codes"]["items"]
    assert [(c["kind"], c["start"], c.get("end")) for c in items] == [
        ("it", 0, None), ("bpt", 0, None), ("ph", 6, None), ("hi", 10, 15), ("ept", 16, None)]
    assert items[0] == {"kind": "it", "start": 0, "data": "<I>", "attrs": {"x": "1", "pos": "begin", "type": "italic"}}
    assert items[4]["data"] == "</B>" and items[4]["attrs"] == {"i": "1"}
    # a code holding a <sub> sub-flow keeps its markup as inner XML
    assert items[2]["attrs"]["#xml"] is True
    assert items[2]["data"] == '&lt;IMG SRC="here.png" ALT="<sub>Start Here!</sub>"&gt;'
    assert en["text"][10:15] == "start"
    assert rec["sides"]["fr"]["text"] == "Cliquez  pour commencer."


def test_header_props_notes_ude_and_nway(tmp_path: Path) -> None:
    recs = list(TMX.read(shared("formats", "tmx_okapi", "sampleTMX2.tmx")))
    h = recs[0]["meta"]["tmx"]["header"]
    assert h["attrs"]["creationtool"] == "XYZTool" and h["attrs"]["o-encoding"] == "iso-8859-1"
    assert h["notes"] == [{"text": "This is a note at document level."}]
    assert h["props"] == [{"type": "RTFPreamble", "text": "{\\rtf1\\ansi\\tag etc...{\\fonttbl}"}]
    assert h["ude"][0].startswith('<ude base="Macintosh" name="MacRoman">')
    assert "header" not in recs[1]["meta"]["tmx"]
    r0, r1 = recs
    assert r0["id"] == "0001"
    assert r0["meta"]["tmx"]["props"] == [{"type": "x-Domain", "text": "Computing"},
                                         {"type": "x-Project", "text": "Pægasus"}]
    assert r0["sides"]["fr-CA"]["meta"]["tmx"]["props"] == [{"type": "Origin", "text": "MT"}]
    assert r0["sides"]["fr-CA"]["meta"]["tmx"]["lang"] == "FR-CA"
    assert r0["sides"]["en-US"]["text"] == "data (with a non-standard character: \uf8ff)."
    assert list(r1["sides"]) == ["en-US", "fr-CA", "fr-FR"]  # n-way: one record, three sides
    assert r1["meta"]["tmx"]["attrs"] == {"srclang": "*all*"}
    out = tmp_path / "o.tmx"
    TMX.write(recs, out)
    text = out.read_text(encoding="utf-8")
    assert 'creationtool="XYZTool"' in text and '<tuv xml:lang="FR-CA">' in text
    assert '<prop type="x-Domain">Computing</prop>' in text


def test_five_languages_in_one_unit() -> None:
    recs = list(TMX.read(shared("formats", "tmx_okapi", "compkit_ImportTest1C.tmx")))
    assert [list(r["sides"]) for r in recs][0] == ["en-US", "en-GB", "ja-JP", "fr-CA", "es-ES"]
    assert recs[2]["sides"]["ja-JP"]["text"] == "Third entry in Japanese"


def test_utf16_and_whitespace_kept() -> None:
    recs = list(TMX.read(shared("formats", "tmx_okapi", "compkit_ImportTest1A.tmx")))  # UTF-16 LE with BOM
    assert recs[0]["sides"]["en-US"]["text"] == "First segment with [\t\t   ]"
    assert recs[1]["sides"]["fr-CA"]["text"] == "Second segment avec [  \t\t]"


def test_deprecated_ut_is_a_code(tmp_path: Path) -> None:
    recs = list(TMX.read(shared("formats", "tmx_okapi", "Paragraph_TM.tmx")))
    r = next(r for r in recs if r["id"] == "APCCalibrateTimeoutAction0")
    [code] = r["sides"]["en-US"]["layers"]["codes"]["items"]
    assert code == {"kind": "ut", "start": 15, "data": " ut content en"}


# ------------------------------------------------------------------------------ inline codes

@pytest.mark.parametrize("seg", [
    "a<hi>b<ph>x</ph></hi>c",            # a placeholder at the very end of a span, inside it
    "a<hi>b</hi><ph>x</ph>c",            # ... and outside it
    "<hi><hi>b</hi><ph>x</ph></hi>",     # inside the outer span only
    "a<hi></hi><ph/>b",                  # an empty span then a placeholder
    "a<hi><ph/></hi>b",                  # a placeholder inside an empty-text span
    '<bpt i="1">{\\b </bpt>b<ept i="1">}</ept><it pos="end">&lt;/i></it>',
    '<ph>&lt;IMG ALT="<sub>x<ph>y</ph></sub>"></ph>z',
])
def test_nesting_is_restored_exactly(tmp_path: Path, seg: str) -> None:
    doc = tmx_doc(f'<tu tuid="1"><tuv xml:lang="en"><seg>{seg}</seg></tuv></tu>')
    [rec] = read_bytes(tmp_path, doc)
    out = tmp_path / "o.tmx"
    TMX.write([rec], out)
    assert_dtd_valid(out)
    written = etree.parse(str(out)).find(".//seg")
    original = etree.fromstring(doc).find(".//seg")
    assert etree.tostring(written, method="c14n") == etree.tostring(original, method="c14n")


def test_hi_count_marks_ambiguous_nesting(tmp_path: Path) -> None:
    [inside] = read_bytes(tmp_path, tmx_doc('<tu><tuv xml:lang="en"><seg>a<hi>b<ph/></hi></seg></tuv></tu>'))
    [outside] = read_bytes(tmp_path, tmx_doc('<tu><tuv xml:lang="en"><seg>a<hi>b</hi><ph/></seg></tuv></tu>'))
    assert inside["sides"]["en"]["layers"]["codes"]["items"][0] == {"kind": "hi", "start": 1, "end": 2,
                                                                     "attrs": {"#n": 1}}
    assert outside["sides"]["en"]["layers"]["codes"]["items"][0] == {"kind": "hi", "start": 1, "end": 2}


def test_codes_from_other_formats_are_mapped_and_valid(tmp_path: Path) -> None:
    rec = {"id": "x", "sides": {"en": {"text": "Bold link here.", "layers": {"codes": {"items": [
        {"kind": "g", "start": 0, "end": 4, "id": "1", "attrs": {"ctype": "bold"}},
        {"kind": "bx", "start": 5, "id": "2", "attrs": {"rid": "7"}},
        {"kind": "ex", "start": 9, "id": "3", "attrs": {"rid": "7"}},
        {"kind": "x", "start": 9, "id": "4"},
        {"kind": "sc", "start": 10, "id": "s1", "data": "<i>"},
        {"kind": "mrk", "start": 10, "end": 14, "attrs": {"mtype": "term"}},
        {"kind": "ph", "start": 15, "id": "p1", "data": "{0}", "attrs": {"canCopy": "no"}}]}}}}}
    out = tmp_path / "o.tmx"
    TMX.write([rec], out)
    assert_dtd_valid(out)
    seg = etree.tostring(etree.parse(str(out)).find(".//seg"), encoding="unicode")
    assert seg == ('<seg><bpt i="1" x="1" type="bold"/>Bold<ept i="1"/> <bpt i="7" x="2"/>link<ept i="7"/>'
                   '<ph x="4"/> <it pos="begin" x="s1">&lt;i&gt;</it><hi type="term">here</hi>.<ph x="p1">{0}</ph>'
                   '</seg>')
    [back] = TMX.read(out)
    assert back["sides"]["en"]["text"] == "Bold link here."


def test_crossing_codes_are_an_error(tmp_path: Path) -> None:
    rec = {"id": "x", "sides": {"en": {"text": "abcdef", "layers": {"codes": {"items": [
        {"kind": "hi", "start": 0, "end": 3}, {"kind": "hi", "start": 2, "end": 5}]}}}}}
    with pytest.raises(InputError, match=r"record 'x': side en: codes: .*spans must nest \[codes-cross\]"):
        TMX.write([rec], tmp_path / "o.tmx")
    assert not (tmp_path / "o.tmx").exists()


# ------------------------------------------------------------------------ text, meta, writing

def test_non_nfc_segment_is_normalised_and_marked(tmp_path: Path) -> None:
    [rec] = read_bytes(tmp_path, tmx_doc('<tu><tuv xml:lang="vi"><seg>Vie\u0302\u0323t</seg></tuv></tu>'))
    assert rec["sides"]["vi"] == {"text": "Việt", "meta": {"source_not_nfc": True}}


def test_non_nfc_across_codes_keeps_offsets(tmp_path: Path) -> None:
    [rec] = read_bytes(tmp_path, tmx_doc('<tu><tuv xml:lang="vi"><seg>Vie\u0302\u0323t<ph/>Nam\u0303</seg></tuv></tu>'))
    side = rec["sides"]["vi"]
    assert side["text"] == "ViệtNam\u0303"  # m + tilde has no precomposed form
    assert side["layers"]["codes"]["items"][0]["start"] == 4
    assert side["meta"] == {"source_not_nfc": True}


def test_other_metadata_and_doc_round_trip(tmp_path: Path) -> None:
    rec = {"id": "a b", "doc": "news-1", "meta": {"source": "TALPCo", "score": 0.9},
           "sides": {"zh-Hans": {"text": "你好", "meta": {"reviewed": True}}, "vi": {"text": "Xin chào"}}}
    out = tmp_path / "o.tmx"
    TMX.write([rec], out)
    assert_dtd_valid(out)
    text = out.read_text(encoding="utf-8")
    assert '<prop type="x-lancang:doc">news-1</prop>' in text
    assert '<prop type="x-lancang:meta">{"source":"TALPCo","score":0.9}</prop>' in text
    [back] = TMX.read(out)
    assert back["meta"].pop("tmx")["header"]["attrs"]["creationtool"] == "lancang"
    assert back == rec


def test_langs_choose_and_order_sides(tmp_path: Path) -> None:
    rec = {"id": "1", "sides": {"en": {"text": "a"}, "th": {"text": "ข"}, "vi": {"text": "b"}}}
    out = tmp_path / "o.tmx"
    TMX.write([rec], out, langs=["vi", "en"])
    [back] = TMX.read(out)
    assert list(back["sides"]) == ["vi", "en"]
    assert back["meta"]["tmx"]["header"]["attrs"]["srclang"] == "vi"


def test_header_default_values(tmp_path: Path) -> None:
    out = tmp_path / "o.tmx"
    TMX.write([{"id": "1", "sides": {"zh-Hans": {"text": "中"}}}], out)
    h = etree.parse(str(out)).find("header").attrib
    assert dict(h) == default_header("zh-Hans")
    assert h["creationtool"] == "lancang"


def test_empty_input_writes_a_valid_empty_tmx(tmp_path: Path) -> None:
    out = tmp_path / "o.tmx"
    assert TMX.write([], out) == 0
    assert_dtd_valid(out)
    assert list(TMX.read(out)) == []


def test_text_xml_cannot_hold_is_an_error(tmp_path: Path) -> None:
    out = tmp_path / "o.tmx"
    with pytest.raises(InputError, match=r"record '1': the en text holds U\+0001 at offset 1"):
        TMX.write([{"id": "1", "sides": {"en": {"text": "a\x01b"}}}], out)
    assert not out.exists()


def test_gzip_input(tmp_path: Path) -> None:
    import gzip

    p = tmp_path / "in.tmx.gz"
    p.write_bytes(gzip.compress(tmx_doc('<tu tuid="g"><tuv xml:lang="th"><seg>ภาษาไทย</seg></tuv></tu>')))
    [rec] = TMX.read(p)
    assert rec == {"id": "g", "meta": {"tmx": {"header": rec["meta"]["tmx"]["header"]}},
                   "sides": {"th": {"text": "ภาษาไทย"}}}


# ----------------------------------------------------------------------------------- errors

@pytest.mark.parametrize("body, rule, line", [
    ('<tu>\n<tuv><seg>x</seg></tuv></tu>', "tmx-tuv-lang-missing", 4),
    ('<tu>\n<tuv xml:lang="en"><seg>x</seg></tuv>\n<tuv xml:lang="EN"><seg>y</seg></tuv></tu>',
     "tmx-duplicate-language", 5),
    ('<tu>\n</tu>', "tmx-tu-empty", 3),
    ('<tu><tuv xml:lang="en">\n<prop type="a">b</prop></tuv></tu>', "tmx-seg-missing", 3),
    ('<tu><tuv xml:lang="en"><seg>a\n<b>bold</b></seg></tuv></tu>', "tmx-inline-element-unexpected", 4),
    ('<tu><tuv xml:lang="en english"><seg>x</seg></tuv></tu>', "tmx-lang-invalid", 3),
    ('<tu><tuv xml:lang="en"><seg>x</seg></tuv>\n<foo/></tu>', "tmx-element-unexpected", 4),
    ('<tu><tuv xml:lang="en"><seg>x</seg></tuv></tu>\n<tu><tuv xml:lang="en"><seg>y</tuv></tu>',
     "xml-malformed", 4),
])
def test_bad_tmx_is_a_located_error(tmp_path: Path, body: str, rule: str, line: int) -> None:
    p = tmp_path / "bad.tmx"
    p.write_bytes(tmx_doc("\n" + body))
    with pytest.raises(XmlInputError) as ei:
        list(TMX.read(p))
    assert ei.value.rule == rule
    assert ei.value.line == line, str(ei.value)
    assert str(ei.value).startswith(f"{p}:{line}")


def test_not_a_tmx_file(tmp_path: Path) -> None:
    p = tmp_path / "x.tmx"
    p.write_bytes(b'<?xml version="1.0"?>\n<xliff version="1.2"><file/></xliff>')
    with pytest.raises(XmlInputError, match=r"x.tmx:2: the root element is <xliff>, not <tmx> \[tmx-not-tmx\]"):
        list(TMX.read(p))


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "e.tmx"
    p.write_bytes(b"")
    with pytest.raises(XmlInputError) as ei:
        list(TMX.read(p))
    assert ei.value.rule in ("xml-empty", "xml-malformed")


def test_lancang_meta_prop_must_be_json(tmp_path: Path) -> None:
    doc = tmx_doc('<tu><prop type="x-lancang:meta">{oops</prop><tuv xml:lang="en"><seg>x</seg></tuv></tu>')
    with pytest.raises(XmlInputError, match="tmx-lancang-meta-invalid"):
        read_bytes(tmp_path, doc)


# -------------------------------------------------------------------------------------- CLI

def test_cli_convert_tmx_to_jsonl_and_back(cli, tmp_path: Path) -> None:
    src = shared("formats", "tmx_okapi", "compkit_ImportTest2A.tmx")
    js = tmp_path / "c.jsonl"
    res = cli("convert", str(src), str(js))
    assert res.exit_code == 0, res.output
    assert "(tmx) ->" in res.output and "(jsonl): 7 records" in res.output
    recs = [orjson.loads(x) for x in js.read_bytes().splitlines()]
    assert recs == list(TMX.read(src))
    back = tmp_path / "back.tmx"
    res = cli("convert", str(js), str(back))
    assert res.exit_code == 0, res.output
    assert_dtd_valid(back)
    assert list(TMX.read(back)) == recs


def test_cli_bad_tmx_is_one_line_exit_2(cli, tmp_path: Path) -> None:
    p = tmp_path / "bad.tmx"
    p.write_bytes(tmx_doc('<tu><tuv xml:lang="en"><seg>x</tuv></tu>'))
    res = cli("convert", str(p), str(tmp_path / "o.jsonl"))
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert f"{p}:" in res.stderr and "[xml-malformed]" in res.stderr
    assert not (tmp_path / "o.jsonl").exists()


def test_cli_tmx_to_text_needs_no_langs_for_reading(cli, tmp_path: Path) -> None:
    src = shared("formats", "tmx_okapi", "compkit_ImportTest1C.tmx")
    out = tmp_path / "ja.txt"
    res = cli("convert", str(src), str(out), "--src", "ja-JP", "--allow-loss")
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8").splitlines()[1] == "Second entry in Japanese"


def test_records_are_copied_not_shared(tmp_path: Path) -> None:
    recs = list(TMX.read(shared("formats", "tmx_okapi", "compkit_ExportTest2A.tmx")))
    before = copy.deepcopy(recs)
    TMX.write(recs, tmp_path / "o.tmx")
    assert recs == before, "writing does not change the records"
