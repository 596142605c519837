"""XLIFF 2.x: the contract, the valid files of the conformance suite, one invalid document per coded
processing requirement, inline codes and conversions from other formats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from lancang.corpora.formats import get_format
from lancang.corpora.formats.xliff2rules import NS20, NS22
from lancang.corpora.formats.xmlsafe import XmlInputError
from lancang.errors import InputError
from lancang.schemas.validator import RecordValidator

from ..conftest import SHARED_DATA, shared
from .contract import FormatContract

X2 = get_format("xliff2")
SUITE = SHARED_DATA / "formats" / "xliff2_okapi"
NAMES = sorted(p.name for p in SUITE.glob("*.xlf")) if SUITE.exists() else ["(absent)"]


def doc(units: str, root: str = 'version="2.0" srcLang="en" trgLang="fr"', file: str = 'id="f1"',
        ns: str = NS20) -> bytes:
    """Line 1: declaration, 2: <xliff>, 3: <file>, 4: the first line of ``units``."""
    return f'<?xml version="1.0"?>\n<xliff xmlns="{ns}" {root}>\n<file {file}>\n{units}\n</file>\n</xliff>\n'.encode()


def seg(source: str, target: str | None = None, attrs: str = "") -> str:
    t = f"<target>{target}</target>" if target is not None else ""
    return f"<segment{attrs}><source>{source}</source>{t}</segment>"


def unit(*segs: str, uid: str = "u1", extra: str = "") -> str:
    return f'<unit id="{uid}">{extra}{"".join(segs)}</unit>'


def read_bytes(tmp_path: Path, data: bytes) -> list[dict[str, Any]]:
    p = tmp_path / "in.xlf"
    p.write_bytes(data)
    return list(X2.read(p))


class TestXliff2Contract(FormatContract):
    format_name = "xliff2"

    def sample_records(self) -> list[dict[str, Any]]:
        recs = super().sample_records()
        src, tgt = self.sides_langs()
        # records read from XLIFF 2 keep the root's description on the first one
        recs[0]["meta"] = {"xliff2": {"open": {"xliff": {"attrs": {"version": "2.1", "srcLang": src, "trgLang": tgt},
                                                         "nsmap": {"": NS20}}}}}
        recs[0]["sides"][src]["layers"] = {"codes": {"items": [  # 我爱北京天安门。
            {"kind": "pc", "start": 2, "end": 4, "id": "1", "attrs": {"type": "fmt", "subType": "xlf:b"}},
            {"kind": "ph", "start": 7, "id": "2", "data": "<br/>", "attrs": {"dataRef": "d1"}},
            {"kind": "sc", "start": 8, "id": "3", "attrs": {"isolated": "yes"}}]}}
        recs[0]["meta"]["xliff2"]["open"]["unit"] = {"attrs": {"id": "r0"}, "data": {"d1": {"text": "<br/>"}}}
        recs[1]["sides"][tgt]["layers"] = {"codes": {"items": [
            {"kind": "mrk", "start": 0, "end": 2, "id": "m1", "attrs": {"type": "term"}}]}}
        recs[1]["meta"] = {"xliff2": {"segment": {"state": "reviewed", "subState": "lc:checked"}}, "domain": "x"}
        # xml:space on both flows: a <target> whose xml:space differs from its <source>'s is invalid
        # (XLIFF 2 §target; the OASIS suite's bad_DifferentXmlSpace)
        recs[2]["sides"][src]["meta"] = {"xliff2": {"attrs": {"xml:space": "preserve"}}}
        recs[2]["sides"][tgt]["meta"] = {"xliff2": {"attrs": {"xml:space": "preserve"}}}
        return recs


# ---------------------------------------------------------------------------- the valid files

@pytest.mark.parametrize("name", NAMES)
def test_valid_file_reads_and_round_trips(name: str, tmp_path: Path) -> None:
    src = shared("formats", "xliff2_okapi", name)
    recs = list(X2.read(src))
    rv = RecordValidator()
    for r in recs:
        assert rv.check(r) == [], r
    out = tmp_path / "o.xlf"
    assert X2.write(recs, out) == len(recs)
    back = list(X2.read(out))  # reading checks every requirement again
    assert back == recs
    out2 = tmp_path / "o2.xlf"
    X2.write(back, out2)
    assert out2.read_bytes() == out.read_bytes()


def test_everything_core_is_kept(tmp_path: Path) -> None:
    recs = list(X2.read(shared("formats", "xliff2_okapi", "valid_everything-core.xlf")))
    assert [r["id"] for r in recs] == ["tu1/1", "tu1/2", "tu3", "tu3end", "tu2"]
    x = recs[0]["meta"]["xliff2"]
    assert x["segment"] == {"id": "1", "canResegment": "no", "state": "translated", "subState": "my:state"}
    assert x["open"]["file"]["notes"][0]["text"] == "Text of note1"
    assert x["open"]["file"]["xml"][0].startswith("<mda:metadata")
    assert "Some non-standard data" in x["open"]["file"]["skeleton"]
    assert recs[0]["sides"]["fr"]["meta"] == {"xliff2": {"attrs": {"order": "3"}}}
    assert recs[1]["meta"]["xliff2"]["before"] == [{"source": {"text": " "}}]
    pc, ph = recs[4]["sides"]["en"]["layers"]["codes"]["items"]
    assert pc["kind"] == "pc" and (pc["start"], pc["end"]) == (0, 12)
    assert ph["data"] == "[rtl-data   ]" and ph["attrs"]["dataRef"] == "d3"
    assert recs[4]["meta"]["xliff2"]["open"]["unit"]["data"]["d3"] == {"text": "[rtl-data   ]",
                                                                       "attrs": {"dir": "rtl"}}


def test_ignorables_markers_and_cp(tmp_path: Path) -> None:
    recs = list(X2.read(shared("formats", "xliff2_okapi", "example.xlf")))
    assert [r["id"] for r in recs] == ["1/s1", "1/s2", "1/s3", "1/s4", "1/s5", "1/s6"]
    assert recs[1]["meta"]["xliff2"]["before"][0]["source"]["codes"] == [
        {"kind": "sm", "start": 1, "id": "m1", "attrs": {"translate": "no"}}]
    assert recs[5]["sides"]["en"]["text"] == "Sentence with A. Sentence with \x01. "
    out = tmp_path / "o.xlf"
    X2.write(recs, out)
    assert '<cp hex="0001"/>' in out.read_text(encoding="utf-8")


def test_xliff_format_dispatches_on_the_version(tmp_path: Path) -> None:
    src = shared("formats", "xliff2_okapi", "valid_toJoin.xlf")
    xl = get_format("xliff")
    recs = list(xl.read(src))
    assert recs == list(X2.read(src))
    out = tmp_path / "o.xlf"
    xl.write(recs, out)
    assert etree.parse(str(out)).getroot().tag == f"{{{NS20}}}xliff"


def test_xliff22_namespace(tmp_path: Path) -> None:
    data = doc(unit(seg("a", "b")), root='version="2.2" srcLang="en" trgLang="fr"', ns=NS22)
    recs = read_bytes(tmp_path, data)
    out = tmp_path / "o.xlf"
    X2.write(recs, out)
    assert etree.parse(str(out)).getroot().tag == f"{{{NS22}}}xliff"


# ----------------------------------------------------------------- invalid: one per requirement

U = unit(seg("a", "b"))
INVALID = [
    # (rule, document, line)
    ("xliff2-version", doc(U, root='version="3.0" srcLang="en" trgLang="fr"'), 2),
    ("xliff2-version", doc(U, root='version="2.2" srcLang="en" trgLang="fr"'), 2),
    ("xliff2-attribute-required", doc(U, root='srcLang="en" trgLang="fr"'), 2),
    ("xliff2-attribute-required", doc(U, root='version="2.0" trgLang="fr"'), 2),
    ("xliff2-lang-invalid", doc(U, root='version="2.0" srcLang="e n" trgLang="fr"'), 2),
    ("xliff2-trglang-required", doc(unit(seg("a", "b")), root='version="2.0" srcLang="en"'), 4),
    ("xliff2-attribute-required", doc(U, file=""), 3),
    ("xliff2-file-empty", doc(""), 3),
    ("xliff2-id-unique", doc(U + "\n" + unit(seg("c"), uid="u1")), 5),
    ("xliff2-attribute-required", doc('<unit>' + seg("a") + '</unit>'), 4),
    ("xliff2-unit-no-segment", doc('<unit id="u1"><ignorable><source> </source></ignorable></unit>'), 4),
    ("xliff2-attribute-value", doc(unit(seg("a", "b", ' state="done"'))), 4),
    ("xliff2-substate-without-state", doc(unit(seg("a", "b", ' subState="my:x"'))), 4),
    ("xliff2-attribute-value", doc(unit(seg("a", "b", ' state="final" subState="nocolon"'))), 4),
    ("xliff2-attribute-not-allowed", doc(unit(seg("a", "b", ' foo="1"'))), 4),
    ("xliff2-attribute-not-allowed", doc('<unit id="u1"><segment xmlns:m="urn:m" m:x="1"><source>a</source>'
                                         '</segment></unit>'), 4),
    ("xliff2-element-order", doc('<unit id="u1"><segment><target>b</target><source>a</source></segment></unit>'), 4),
    ("xliff2-element-order", doc('<unit id="u1"><segment><source>a</source><source>b</source></segment></unit>'), 4),
    ("xliff2-element-order", doc('<unit id="u1">' + seg("a") + '<notes><note>n</note></notes></unit>'), 4),
    ("xliff2-element-order", doc('<unit id="u1"><notes><note>n</note></notes><m:x xmlns:m="urn:m"/>' + seg("a")
                                 + '</unit>'), 4),
    ("xliff2-element-unexpected", doc('<unit id="u1"><foo/>' + seg("a") + '</unit>'), 4),
    ("xliff2-element-unexpected", doc(unit(seg("a <b>x</b>"))), 4),
    ("xliff2-attribute-required", doc(unit(seg("a <ph/>"))), 4),
    ("xliff2-id-unique", doc(unit(seg('<ph id="1"/><ph id="1"/>'))), 4),
    ("xliff2-id-unique", doc(unit(seg('<ph id="s1"/>', attrs=' id="s1"'))), 4),
    ("xliff2-id-unique", doc(unit(seg('a', '<ph id="s1"/>', attrs=' id="s1"'))), 4),
    ("xliff2-ec-isolated", doc(unit(seg('<sc id="1"/>a<ec/>'))), 4),
    ("xliff2-ec-isolated", doc(unit(seg('a<ec isolated="yes" id="2" startRef="1"/>'))), 4),
    ("xliff2-ec-dir", doc(unit(seg('<sc id="1"/>a<ec startRef="1" dir="rtl"/>'))), 4),
    ("xliff2-ec-unpaired", doc(unit(seg('a<ec startRef="9"/>'))), 4),
    ("xliff2-sc-unpaired", doc(unit(seg('<sc id="1"/>a'))), 4),
    ("xliff2-sc-isolated", doc(unit(seg('<sc id="1" isolated="yes"/>a<ec startRef="1"/>'))), 4),
    ("xliff2-sc-ec-mismatch", doc(unit(seg('<sc id="1" canCopy="no"/>a<ec startRef="1"/>'))), 4),
    ("xliff2-sc-ec-mismatch", doc(unit(seg('<sc id="1" canReorder="firstNo" canCopy="no" canDelete="no"/>a'
                                           '<ec startRef="1" canCopy="no" canDelete="no"/>'))), 4),
    ("xliff2-em-unpaired", doc(unit(seg('a<em startRef="m1"/>'))), 4),
    ("xliff2-dataref-unresolved", doc(unit(seg('<ph id="1" dataRef="d9"/>'))), 4),
    ("xliff2-id-unique", doc('<unit id="u1"><originalData><data id="d1">x</data><data id="d1">y</data>'
                             '</originalData>' + seg("a") + '</unit>'), 4),
    ("xliff2-attribute-value", doc('<unit id="u1"><originalData><data id="d1" xml:space="default">x</data>'
                                   '</originalData>' + seg("a") + '</unit>'), 4),
    ("xliff2-subflow-unresolved", doc(unit(seg('<ph id="1" subFlows="nope"/>'))), 4),
    ("xliff2-copyof-unresolved", doc(unit(seg('<ph id="1" copyOf="7"/>'))), 4),
    ("xliff2-attribute-value", doc(unit(seg('<pc id="1" type="bold">a</pc>'))), 4),
    ("xliff2-subtype-without-type", doc(unit(seg('<pc id="1" subType="xlf:b">a</pc>'))), 4),
    ("xliff2-comment-annotation", doc(unit(seg('<mrk id="1" type="comment">a</mrk>'))), 4),
    ("xliff2-attribute-value", doc(unit(seg('<mrk id="1" type="nocolon">a</mrk>'))), 4),
    ("xliff2-cp-invalid", doc(unit(seg('<cp hex="ZZ"/>'))), 4),
    ("xliff2-order-range", doc('<unit id="u1"><segment><source>a</source><target order="3">b</target></segment>'
                               '</unit>'), 4),
    ("xliff2-order-unique", doc('<unit id="u1">' + '<segment><source>a</source><target order="1">b</target>'
                                '</segment>' * 2 + '</unit>'), 4),
    ("xliff2-source-lang-mismatch", doc('<unit id="u1"><segment><source xml:lang="de">a</source></segment>'
                                        '</unit>'), 4),
    ("xliff2-target-lang-mismatch", doc('<unit id="u1"><segment><source>a</source><target xml:lang="de">b'
                                        '</target></segment></unit>'), 4),
    ("xliff2-attribute-value", doc('<unit id="u1"><notes><note priority="11">n</note></notes>' + seg("a")
                                   + '</unit>'), 4),
    ("xliff2-id-unique", doc('<unit id="u1"><notes><note id="n">a</note><note id="n">b</note></notes>' + seg("a")
                             + '</unit>'), 4),
    ("xliff2-attribute-value", doc('<unit id="u1" type="nocolon">' + seg("a") + '</unit>'), 4),
    ("xliff2-attribute-value", doc('<unit id="u 1">' + seg("a") + '</unit>'), 4),
    ("xliff2-skeleton", doc('<skeleton href="a.skl">x</skeleton>\n' + U), 4),
    ("xliff2-element-order", doc('<notes><note>n</note></notes>\n<m:x xmlns:m="urn:m"/>\n' + U), 5),
    ("xliff2-id-unique", doc('<group id="g"/>\n<group id="g"/>'), 5),
    ("xliff2-id-unique", doc(U).replace(b"</xliff>", b'<file id="f1">' + U.encode() + b"</file></xliff>"), 6),
    ("xliff2-namespace", doc(U, ns="urn:oasis:names:tc:xliff:document:1.2"), 2),
    ("xliff2-element-unexpected", doc('<segment><source>a</source></segment>'), 4),
    ("xliff2-element-required", doc('<unit id="u1"><notes></notes>' + seg("a") + '</unit>'), 4),
    ("xliff2-element-required", doc('<unit id="u1"><originalData></originalData>' + seg("a") + '</unit>'), 4),
    ("xliff2-same-languages", doc(U, root='version="2.0" srcLang="th" trgLang="TH"'), 2),
]


@pytest.mark.parametrize("rule, data, line", INVALID, ids=[f"{i}-{r}" for i, (r, _, _) in enumerate(INVALID)])
def test_invalid_document_fails_with_its_requirement(tmp_path: Path, rule: str, data: bytes, line: int) -> None:
    with pytest.raises(XmlInputError) as ei:
        read_bytes(tmp_path, data)
    assert ei.value.rule == rule, str(ei.value)
    assert ei.value.line == line, str(ei.value)
    msg = str(ei.value)
    assert msg.startswith(f"{tmp_path / 'in.xlf'}:{line}")
    if rule == "xliff2-same-languages":
        assert "a lancang model limit, not an XLIFF 2 violation" in msg, msg
    elif rule != "xliff2-namespace":
        assert "(XLIFF 2 Core §" in msg, msg  # names the clause it breaks


def test_trglang_without_targets_is_accepted(tmp_path: Path) -> None:
    """The 'only if' half is not enforced: the OASIS suite's own valid files do this."""
    [rec] = read_bytes(tmp_path, doc(unit(seg("a"))))
    assert rec["sides"] == {"en": {"text": "a"}}


# ------------------------------------------------------------------------- from other formats

@pytest.mark.parametrize("name", ["a_small_test2.tmx", "compkit_ExportTest2A.tmx", "ImportTest2A.tmx",
                                  "Paragraph_TM.tmx", "html_test.tmx"])
def test_tmx_to_xliff2_is_valid(name: str, tmp_path: Path) -> None:
    recs = list(get_format("tmx").read(shared("formats", "tmx_okapi", name)))
    langs = list(recs[0]["sides"])[:2]
    out = tmp_path / "o.xlf"
    X2.write(recs, out, langs=langs)
    back = list(X2.read(out))  # validated while read
    assert [r["id"] for r in back] == [r["id"] for r in recs]
    for a, b in zip(recs, back):
        for lang in langs:
            assert b["sides"][lang]["text"] == a["sides"][lang]["text"]
            n = lambda s: len(((s.get("layers") or {}).get("codes") or {}).get("items", []))  # noqa: E731
            assert n(b["sides"][lang]) == n(a["sides"][lang])
        assert (b.get("meta") or {}).get("tmx") == (a.get("meta") or {}).get("tmx"), "TMX meta is in <lc:record>"


def test_tmx_codes_map_to_paired_xliff2_codes(tmp_path: Path) -> None:
    recs = list(get_format("tmx").read(shared("formats", "tmx_okapi", "a_small_test2.tmx")))
    out = tmp_path / "o.xlf"
    X2.write(recs, out)
    src = etree.parse(str(out)).find(f".//{{{NS20}}}source")
    got = [(etree.QName(e).localname, dict(e.attrib)) for e in src]
    assert got == [("sc", {"id": "i1", "isolated": "yes", "type": "fmt", "dataRef": "d1"}),
                   ("sc", {"id": "c1", "type": "fmt", "dataRef": "d2"}),
                   ("ph", {"id": "p3", "dataRef": "d3"}),
                   ("mrk", {"id": "m4", "translate": "yes"}),  # a generic annotation needs translate
                   ("ec", {"startRef": "c1", "type": "fmt", "dataRef": "d4"})]
    data = {d.get("id"): d.text for d in etree.parse(str(out)).iter(f"{{{NS20}}}data")}
    assert data["d1"] == "<I>" and data["d3"] == '<IMG SRC="here.png" ALT="Start Here!">'


def test_plain_records_keep_their_ids_through_xliff2(tmp_path: Path) -> None:
    recs = [{"id": "doc 1/7", "doc": "doc 1", "sides": {"zh-Hans": {"text": "你好"}, "vi": {"text": "Xin chào"}}}]
    out = tmp_path / "o.xlf"
    X2.write(recs, out)
    [back] = X2.read(out)
    assert back["id"] == "doc 1/7" and back["doc"] == "doc 1"
    assert etree.parse(str(out)).find(f".//{{{NS20}}}unit").get("id") == "doc_1_7"


def test_characters_xml_cannot_hold_become_cp(tmp_path: Path) -> None:
    recs = [{"id": "1", "sides": {"en": {"text": "a\x01b\x1fc"}}}]
    out = tmp_path / "o.xlf"
    X2.write(recs, out)
    assert '<source>a<cp hex="0001"/>b<cp hex="001F"/>c</source>' in out.read_text(encoding="utf-8")
    [back] = X2.read(out)
    assert back["sides"]["en"]["text"] == "a\x01b\x1fc"


def test_a_target_in_another_language_needs_langs(tmp_path: Path) -> None:
    recs = [{"id": "1", "sides": {"en": {"text": "a"}}},
            {"id": "2", "sides": {"en": {"text": "b"}, "th": {"text": "ข"}}}]
    with pytest.raises(InputError, match=r"record '2': side th is not the document's trgLang \(none\)"):
        X2.write(recs, tmp_path / "o.xlf")
    X2.write(recs, tmp_path / "o.xlf", langs=["en", "th"])
    assert [r["sides"] for r in X2.read(tmp_path / "o.xlf")][1] == {"en": {"text": "b"}, "th": {"text": "ข"}}


def test_cli_converts_xliff2_by_its_extension(cli, tmp_path: Path) -> None:
    src = shared("formats", "xliff2_okapi", "valid_toJoin.xlf")
    js, back = tmp_path / "j.jsonl", tmp_path / "back.xlf"
    res = cli("convert", str(src), str(js))
    assert res.exit_code == 0, res.output
    res = cli("convert", str(js), str(back))
    assert res.exit_code == 0, res.output
    assert etree.parse(str(back)).getroot().tag == f"{{{NS20}}}xliff"
    assert list(X2.read(back)) == list(X2.read(src))


def test_cli_invalid_xliff2_names_the_requirement(cli, tmp_path: Path) -> None:
    p = tmp_path / "bad.xlf"
    p.write_bytes(doc(unit(seg('<sc id="1"/>a'))))
    res = cli("convert", str(p), str(tmp_path / "o.jsonl"))
    assert res.exit_code == 2
    assert f"{p}:4:" in res.stderr and "[xliff2-sc-unpaired]" in res.stderr and "§sc" in res.stderr
