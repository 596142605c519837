"""XLIFF 1.2: the format contract, Okapi's samples (structure and inline codes round-trip), errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from lancang.corpora.formats import get_format
from lancang.corpora.formats.xmlsafe import XmlInputError
from lancang.errors import InputError
from lancang.schemas.validator import RecordValidator

from ..conftest import SHARED_DATA, shared
from .contract import FormatContract

XLIFF = get_format("xliff")
NS = "urn:oasis:names:tc:xliff:document:1.2"
SAMPLES = SHARED_DATA / "formats" / "xliff12_okapi"
NAMES = sorted(p.name for p in SAMPLES.glob("*.xlf")) if SAMPLES.exists() else ["(absent)"]
#: files that do not say their target language: the reader takes it from --tgt
LANGS = {"Xslt-Test01.xlf": ["en", "fr"]}


def codes(rec: dict[str, Any]) -> list[tuple[str, str, int, int | None]]:
    return [(lang, c["kind"], c["start"], c.get("end")) for lang, s in rec["sides"].items()
            for c in ((s.get("layers") or {}).get("codes") or {}).get("items", [])]


def xlf(body: str, file_attrs: str = 'source-language="en" target-language="vi"') -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" xmlns="{NS}">\n'
            f'<file original="t" datatype="plaintext" {file_attrs}><body>\n{body}\n</body></file></xliff>').encode()


def read_bytes(tmp_path: Path, data: bytes, **kw: Any) -> list[dict[str, Any]]:
    p = tmp_path / "in.xlf"
    p.write_bytes(data)
    return list(XLIFF.read(p, **kw))


class TestXliffContract(FormatContract):
    format_name = "xliff"
    filename = "out"

    def sample_records(self) -> list[dict[str, Any]]:
        recs = super().sample_records()
        src, tgt = self.sides_langs()
        a = recs[0]["sides"][src]  # 我爱北京天安门。
        a["layers"] = {"codes": {"items": [
            {"kind": "g", "start": 2, "end": 4, "id": "1", "attrs": {"ctype": "bold"}},
            {"kind": "x", "start": 7, "id": "2", "attrs": {"ctype": "image"}},
            {"kind": "bpt", "start": 8, "id": "3", "data": "<i>"},
            {"kind": "ept", "start": 8, "id": "3", "data": "</i>"}]}}
        b = recs[1]["sides"][tgt]
        b["layers"] = {"codes": {"items": [{"kind": "mrk", "start": 0, "end": 2, "attrs": {"mtype": "term"}},
                                           {"kind": "ph", "start": 3, "id": "1", "data": "{0}"}]}}
        recs[2]["meta"] = {"xliff": {"unit": {"attrs": {"id": "r2", "approved": "yes"},
                                              "notes": [{"from": "reviewer", "text": "ok"}]}},
                           "domain": "travel"}
        recs[2]["sides"][tgt]["meta"] = {"xliff": {"attrs": {"state": "translated"}}}
        return recs


# ------------------------------------------------------------------------------- Okapi's files

@pytest.mark.parametrize("name", NAMES)
def test_sample_round_trips(name: str, tmp_path: Path) -> None:
    src = shared("formats", "xliff12_okapi", name)
    langs = LANGS.get(name)
    if name == "invalid_xml_entity.xlf":
        with pytest.raises(XmlInputError) as ei:
            list(XLIFF.read(src))
        assert ei.value.rule == "xml-malformed" and ei.value.line == 8
        assert str(ei.value).startswith(f"{src}:8:29: not well-formed XML: PCDATA invalid Char value 3")
        return
    recs = list(XLIFF.read(src, langs=langs))
    assert recs
    rv = RecordValidator()
    for r in recs:
        assert rv.check(r) == [], r
    out = tmp_path / "o.xlf"
    assert XLIFF.write(recs, out, langs=langs) == len(recs)
    back = list(XLIFF.read(out, langs=langs))
    assert back == recs  # structure, metadata and inline codes all come back
    assert sum(map(len, map(codes, back))) == sum(map(len, map(codes, recs)))
    out2 = tmp_path / "o2.xlf"
    XLIFF.write(back, out2, langs=langs)
    assert out2.read_bytes() == out.read_bytes()


def test_nested_g_codes_and_seg_source() -> None:
    [rec] = XLIFF.read(shared("formats", "xliff12_okapi", "Balancing_BetweenSegments.xlf"))
    assert rec["id"] == "1"
    assert rec["sides"]["de"]["text"] == "Wie schützt man sich gegen Erdbeben?"
    assert codes(rec) == [("de", "g", 0, 36), ("de", "g", 0, 36),
                          ("it", "g", 0, 15), ("it", "mrk", 0, 15), ("it", "g", 16, 36), ("it", "mrk", 16, 36)]
    ss = rec["meta"]["xliff"]["unit"]["seg-source"]
    assert [(c["kind"], c["start"], c["end"]) for c in ss["codes"]] == [("g", 0, 36), ("mrk", 0, 15), ("mrk", 16, 36)]
    assert "text" not in ss  # same text as <source>


def test_sub_flow_ph_alt_trans_and_attributes() -> None:
    recs = {r["id"]: r for r in XLIFF.read(shared("formats", "xliff12_okapi", "Manual-12-AltTrans.xlf"))}
    [ph] = recs["6"]["sides"]["en"]["layers"]["codes"]["items"]
    assert ph["kind"] == "ph" and ph["id"] == "1" and ph["attrs"] == {"#xml": True}
    assert ph["data"].startswith("startCode<sub") and "ph-in-sub" in ph["data"]
    assert recs["0"]["meta"]["xliff"]["unit"]["attrs"] == {"id": "0", "translate": "no"}
    assert recs["3"]["meta"]["xliff"]["unit"]["attrs"] == {"id": "3", "approved": "yes"}
    [alt] = recs["4"]["meta"]["xliff"]["unit"]["xml"]
    assert alt.startswith("<alt-trans") and "Le texte numéro quatre." in alt
    assert recs["2"]["sides"]["fr"]["text"] == "Texte numéro 2."


def test_groups_notes_contexts_and_bin_units() -> None:
    recs = list(XLIFF.read(shared("formats", "xliff12_okapi", "Test_Context_and_PH.xlf")))
    first = recs[0]["meta"]["xliff"]
    [group] = first["open"]["groups"]
    assert group["kind"] == "group" and group["key"] == "#1"
    assert group["notes"] == [{"text": "group note 1"}]
    assert group["xml"][0].startswith("<context-group")
    assert first["unit"]["notes"] == [{"text": "trans unit note 1"}]
    empty_target = {"text": "", "meta": {"xliff": {"attrs": {"state": "needs-review-translation"}}}}
    assert recs[0]["sides"]["pt-BR"] == empty_target
    ph = recs[0]["sides"]["en-US"]["layers"]["codes"]["items"][0]
    assert ph == {"kind": "ph", "start": 52, "id": "ph_Placeholder_1", "attrs": {"equiv-text": "{0}"}}
    bin_unit = recs[2]["meta"]["xliff"]
    assert bin_unit["groups"] == ["#1", "bu1"]
    assert bin_unit["open"]["groups"][0]["kind"] == "bin-unit"
    assert bin_unit["open"]["groups"][0]["notes"] == [{"text": "bin unit note 1"}]
    assert recs[2]["sides"]["en-US"]["text"] == "text & text"


def test_extension_elements_and_prefixes_are_kept(tmp_path: Path) -> None:
    src = shared("formats", "xliff12_okapi", "Balancing_3LevelGTagsWithNamespaces.xlf")
    recs = list(XLIFF.read(src))
    out = tmp_path / "o.xlf"
    XLIFF.write(recs, out)
    text = out.read_text(encoding="utf-8")
    assert "<xlf:trans-unit" in text and "<t4xlf:parameters" in text
    assert etree.tostring(etree.parse(str(out)).find(f".//{{{NS}}}source"), method="c14n") == etree.tostring(
        etree.parse(str(src)).find(f".//{{{NS}}}source"), method="c14n")


def test_xliff_11_documents_read_too() -> None:
    recs = list(XLIFF.read(shared("formats", "xliff12_okapi", "RB-11-Test01.xlf")))
    assert recs and recs[0]["meta"]["xliff"]["open"]["xliff"]["ns"] == "urn:oasis:names:tc:xliff:document:1.1"


# ------------------------------------------------------------------------------ from elsewhere

def test_records_without_xliff_meta_get_a_plain_document(tmp_path: Path) -> None:
    recs = [{"id": "s 1", "doc": "d", "meta": {"k": 1},
             "sides": {"zh-Hans": {"text": "北京"}, "vi": {"text": "Bắc Kinh"}}}]
    out = tmp_path / "o.xlf"
    XLIFF.write(recs, out)
    root = etree.parse(str(out)).getroot()
    f = root.find(f"{{{NS}}}file")
    assert dict(f.attrib) == {"original": "lancang", "datatype": "plaintext", "source-language": "zh-Hans",
                              "target-language": "vi"}
    assert f.find(f".//{{{NS}}}trans-unit").get("id") == "s 1"
    assert list(XLIFF.read(out)) == recs


def test_tmx_codes_become_xliff_codes(tmp_path: Path) -> None:
    recs = list(get_format("tmx").read(shared("formats", "tmx_okapi", "compkit_ExportTest2A.tmx")))
    out = tmp_path / "o.xlf"
    XLIFF.write(recs, out, langs=["en-US", "fr-CA"])
    back = list(XLIFF.read(out))
    assert [r["sides"]["fr-CA"]["text"] for r in back] == [r["sides"]["fr-CA"]["text"] for r in recs]
    assert codes(back[0]) == [("en-US", "bpt", 8, None), ("en-US", "ept", 13, None), ("en-US", "bpt", 14, None),
                              ("en-US", "ept", 17, None), ("fr-CA", "bpt", 8, None), ("fr-CA", "ept", 12, None),
                              ("fr-CA", "bpt", 13, None), ("fr-CA", "ept", 17, None)]
    assert back[0]["sides"]["en-US"]["layers"]["codes"]["items"][0] == {"kind": "bpt", "start": 8, "id": "1",
                                                                        "data": "<b>"}


# ----------------------------------------------------------------------------------- errors

@pytest.mark.parametrize("body, attrs, rule, line", [
    ('<trans-unit><source>a</source></trans-unit>', None, "xliff-trans-unit-id-missing", 4),
    ('<trans-unit id="1"><target>a</target></trans-unit>', None, "xliff-source-missing", 4),
    ('<trans-unit id="1"><source>a <b>x</b></source></trans-unit>', None, "xliff-inline-element-unexpected", 4),
    ('<trans-unit id="1"><source>a</source></trans-unit>', 'target-language="vi"', "xliff-source-language-missing",
     3),
    ('<trans-unit id="1"><source>a</source><target>b</target></trans-unit>', 'source-language="en"',
     "xliff-target-language-missing", 4),
    ('<trans-unit id="1"><source>a</source><target>b</target></trans-unit>',
     'source-language="en" target-language="EN"', "xliff-same-languages", 4),
    ('<trans-unit id="1"><source>a</source></trans-unit><foo/>', None, "xliff-element-unexpected", 4),
    ('<trans-unit id="1"><source>a</source></trans-unit>\n<trans-unit id="2"><source>b</trans-unit>', None,
     "xml-malformed", 5),
])
def test_bad_xliff_is_a_located_error(tmp_path: Path, body: str, attrs: str | None, rule: str, line: int) -> None:
    data = xlf(body) if attrs is None else xlf(body, attrs)
    with pytest.raises(XmlInputError) as ei:
        read_bytes(tmp_path, data)
    assert ei.value.rule == rule, str(ei.value)
    assert ei.value.line == line, str(ei.value)


def test_missing_target_language_can_be_given(tmp_path: Path) -> None:
    body = '<trans-unit id="1"><source>a</source><target>b</target></trans-unit>'
    [rec] = read_bytes(tmp_path, xlf(body, 'source-language="en"'), langs=["en", "th"])
    assert rec["sides"] == {"en": {"text": "a"}, "th": {"text": "b"}}


def test_more_than_two_sides_are_refused(tmp_path: Path) -> None:
    from lancang.corpora.convert import LossError, convert
    from lancang.corpora.jsonl import write_records

    src = tmp_path / "in.jsonl"
    write_records(src, [{"id": "1", "sides": {"en": {"text": "a"}, "th": {"text": "b"}, "vi": {"text": "c"}}}])
    with pytest.raises(LossError, match="sides>2"):
        convert(src, tmp_path / "o.xlf")
    rep = convert(src, tmp_path / "o.xlf", allow_loss=True, langs=["en", "vi"])
    assert rep.lost["sides>2"] == 1
    [rec] = XLIFF.read(tmp_path / "o.xlf")
    assert rec["sides"] == {"en": {"text": "a"}, "vi": {"text": "c"}}


def test_bad_kept_xml_in_meta_is_an_error(tmp_path: Path) -> None:
    rec = {"id": "1", "meta": {"xliff": {"unit": {"xml": ["<alt-trans>"]}}}, "sides": {"en": {"text": "a"}}}
    with pytest.raises(InputError, match=r"record '1': meta.xliff.unit.xml: not well-formed XML"):
        XLIFF.write([rec], tmp_path / "o.xlf")
